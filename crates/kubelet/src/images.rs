//! Images as containerd sees them: reference parsing and normalisation
//! (github.com/distribution/reference, as containerd and the kubelet's
//! `applyDefaultImageTag` in pkg/kubelet/images/image_manager.go use it), a
//! catalogue of the images a learner is likely to type (which exist, which
//! tags, how big), the registry's answers for names that do not exist, and
//! the node's image store that `status.images` reports.

use std::collections::BTreeMap;

/// A parsed image reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    /// `docker.io`, `registry.k8s.io`, ...
    pub domain: String,
    /// `library/nginx`, `jmalloc/echo-server`, `echoserver`.
    pub path: String,
    pub tag: Option<String>,
    /// `sha256:<64 hex>`.
    pub digest: Option<String>,
}

impl ImageRef {
    /// `docker.io/library/nginx`.
    pub fn repository(&self) -> String {
        format!("{}/{}", self.domain, self.path)
    }
    /// What containerd pulls and reports: `docker.io/library/nginx:latest`,
    /// `docker.io/library/nginx@sha256:…` (the kubelet adds `:latest` only
    /// when there is neither tag nor digest).
    pub fn normalized(&self) -> String {
        match (&self.tag, &self.digest) {
            (Some(t), Some(d)) => format!("{}:{t}@{d}", self.repository()),
            (None, Some(d)) => format!("{}@{d}", self.repository()),
            (Some(t), None) => format!("{}:{t}", self.repository()),
            (None, None) => format!("{}:latest", self.repository()),
        }
    }
    pub fn tag_or_latest(&self) -> &str {
        self.tag.as_deref().unwrap_or("latest")
    }
}

/// Longest image reference accepted (distribution/reference NameTotalLengthMax).
const MAX_NAME_LEN: usize = 255;

/// Parses as `dockerref.ParseNormalizedNamed` does. The error is the text the
/// kubelet puts after `couldn't parse image name "<image>": `.
pub fn parse(image: &str) -> Result<ImageRef, String> {
    const INVALID: &str = "invalid reference format";
    if image.is_empty() || image.len() > MAX_NAME_LEN + 80 {
        return Err(INVALID.into());
    }
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => {
            let hex = d.strip_prefix("sha256:").ok_or_else(|| INVALID.to_string())?;
            if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()) {
                return Err(INVALID.into());
            }
            (r, Some(d.to_string()))
        }
        None => (image, None),
    };
    // The tag is after the last ':' that follows the last '/'.
    let last_slash = rest.rfind('/').map(|i| i + 1).unwrap_or(0);
    let (name, tag) = match rest[last_slash..].rfind(':') {
        Some(i) => (&rest[..last_slash + i], Some(rest[last_slash + i + 1..].to_string())),
        None => (rest, None),
    };
    if let Some(t) = &tag {
        let ok = !t.is_empty()
            && t.len() <= 128
            && t.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
            && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-');
        if !ok {
            return Err(INVALID.into());
        }
    }
    let mut components: Vec<&str> = name.split('/').collect();
    let domain = if components.len() > 1 && (components[0].contains('.') || components[0].contains(':') || components[0] == "localhost") {
        let d = components.remove(0);
        if d.is_empty() || !d.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b':') {
            return Err(INVALID.into());
        }
        d.to_string()
    } else {
        "docker.io".to_string()
    };
    if components.is_empty() || components.iter().any(|c| c.is_empty()) {
        return Err(INVALID.into());
    }
    let mut path = components.join("/");
    if domain == "docker.io" && components.len() == 1 {
        path = format!("library/{path}");
    }
    let valid_component = |c: &str| {
        let b = c.as_bytes();
        !b.is_empty()
            && b[0].is_ascii_alphanumeric()
            && b[b.len() - 1].is_ascii_alphanumeric()
            && b.iter().all(|&x| x.is_ascii_alphanumeric() || x == b'.' || x == b'_' || x == b'-')
    };
    if !components.iter().all(|c| valid_component(c)) {
        return Err(INVALID.into());
    }
    if path.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(format!("{INVALID}: repository name ({path}) must be lowercase"));
    }
    Ok(ImageRef { domain, path, tag, digest })
}

/// What the simulated registry says about a reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Availability {
    Exists { size_bytes: u64 },
    RepositoryMissing,
    TagMissing,
}

/// How a known image's main process behaves (see behaviour.rs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageKind {
    /// A server that runs until stopped and honours SIGTERM (nginx, redis...).
    Server,
    /// A shell or interpreter as the default command: without a TTY it reads
    /// an empty stdin and exits 0 at once (busybox `sh`, ubuntu `bash`, `python3`).
    ExitsAtOnce,
    /// The `pause` container: sleeps until stopped.
    Pause,
}

pub struct KnownImage {
    /// Repository as normalised: `docker.io/library/nginx`.
    pub repository: &'static str,
    /// Compressed size of the default (`latest`) tag, as containerd reports it.
    pub size_bytes: u64,
    /// Tags besides version-like ones (`1.27`, `1.27.3-alpine`, `v1.37.1`).
    pub tags: &'static [&'static str],
    pub kind: ImageKind,
}

const VARIANTS: &[&str] =
    &["alpine", "slim", "bookworm", "bullseye", "trixie", "perl", "otel", "alpine-slim", "alpine-perl", "musl", "glibc", "uclibc", "jammy", "noble", "focal", "0"];

/// Images learners type, with sizes close to the real amd64 images.
pub static CATALOGUE: &[KnownImage] = &[
    KnownImage { repository: "docker.io/library/nginx", size_bytes: 72_195_292, tags: &["latest", "stable", "mainline", "alpine", "stable-alpine", "mainline-alpine", "alpine-slim", "perl", "bookworm"], kind: ImageKind::Server },
    KnownImage { repository: "docker.io/library/busybox", size_bytes: 2_156_913, tags: &["latest", "stable", "musl", "glibc", "uclibc"], kind: ImageKind::ExitsAtOnce },
    KnownImage { repository: "docker.io/library/alpine", size_bytes: 3_653_068, tags: &["latest", "edge"], kind: ImageKind::ExitsAtOnce },
    KnownImage { repository: "docker.io/library/ubuntu", size_bytes: 29_754_290, tags: &["latest", "rolling", "jammy", "noble", "focal", "devel"], kind: ImageKind::ExitsAtOnce },
    KnownImage { repository: "docker.io/library/debian", size_bytes: 48_494_272, tags: &["latest", "bookworm", "bookworm-slim", "bullseye", "bullseye-slim", "trixie", "trixie-slim", "stable", "stable-slim"], kind: ImageKind::ExitsAtOnce },
    KnownImage { repository: "docker.io/library/redis", size_bytes: 45_637_582, tags: &["latest", "alpine", "bookworm"], kind: ImageKind::Server },
    KnownImage { repository: "docker.io/library/httpd", size_bytes: 58_416_930, tags: &["latest", "alpine", "bookworm"], kind: ImageKind::Server },
    KnownImage { repository: "docker.io/library/perl", size_bytes: 336_880_614, tags: &["latest", "slim", "bookworm", "threaded"], kind: ImageKind::ExitsAtOnce },
    KnownImage { repository: "docker.io/library/node", size_bytes: 399_516_784, tags: &["latest", "lts", "current", "alpine", "slim", "lts-alpine", "lts-slim"], kind: ImageKind::ExitsAtOnce },
    KnownImage { repository: "docker.io/library/python", size_bytes: 385_372_548, tags: &["latest", "alpine", "slim", "bookworm", "slim-bookworm"], kind: ImageKind::ExitsAtOnce },
    KnownImage { repository: "docker.io/library/mysql", size_bytes: 169_574_422, tags: &["latest", "lts", "oracle"], kind: ImageKind::Server },
    KnownImage { repository: "docker.io/library/postgres", size_bytes: 158_389_117, tags: &["latest", "alpine", "bookworm"], kind: ImageKind::Server },
    KnownImage { repository: "docker.io/library/memcached", size_bytes: 32_017_664, tags: &["latest", "alpine"], kind: ImageKind::Server },
    KnownImage { repository: "docker.io/library/traefik", size_bytes: 52_140_227, tags: &["latest"], kind: ImageKind::Server },
    KnownImage { repository: "docker.io/jmalloc/echo-server", size_bytes: 4_618_374, tags: &["latest"], kind: ImageKind::Server },
    KnownImage { repository: "docker.io/hashicorp/http-echo", size_bytes: 3_672_216, tags: &["latest"], kind: ImageKind::Server },
    KnownImage { repository: "docker.io/traefik/whoami", size_bytes: 3_340_845, tags: &["latest"], kind: ImageKind::Server },
    KnownImage { repository: "docker.io/nginxdemos/hello", size_bytes: 19_354_874, tags: &["latest", "plain-text"], kind: ImageKind::Server },
    KnownImage { repository: "docker.io/library/centos", size_bytes: 75_181_999, tags: &["latest", "centos7", "centos8", "7", "8"], kind: ImageKind::ExitsAtOnce },
    KnownImage { repository: "docker.io/luksa/kubia", size_bytes: 250_296_134, tags: &["latest", "v1", "v2", "v3"], kind: ImageKind::Server },
    KnownImage { repository: "docker.io/luksa/kubia-unhealthy", size_bytes: 250_296_134, tags: &["latest"], kind: ImageKind::Server },
    KnownImage { repository: "docker.io/curlimages/curl", size_bytes: 10_296_571, tags: &["latest"], kind: ImageKind::ExitsAtOnce },
    KnownImage { repository: "registry.k8s.io/echoserver", size_bytes: 46_261_526, tags: &[], kind: ImageKind::Server },
    KnownImage { repository: "k8s.gcr.io/echoserver", size_bytes: 46_261_526, tags: &[], kind: ImageKind::Server },
    KnownImage { repository: "registry.k8s.io/e2e-test-images/agnhost", size_bytes: 51_155_161, tags: &[], kind: ImageKind::Server },
    KnownImage { repository: "gcr.io/google-samples/hello-app", size_bytes: 11_502_302, tags: &[], kind: ImageKind::Server },
    KnownImage { repository: "registry.k8s.io/pause", size_bytes: 320_448, tags: &[], kind: ImageKind::Pause },
    KnownImage { repository: "registry.k8s.io/kube-apiserver", size_bytes: 30_134_562, tags: &[], kind: ImageKind::Server },
    KnownImage { repository: "registry.k8s.io/kube-controller-manager", size_bytes: 27_064_873, tags: &[], kind: ImageKind::Server },
    KnownImage { repository: "registry.k8s.io/kube-scheduler", size_bytes: 21_177_340, tags: &[], kind: ImageKind::Server },
    KnownImage { repository: "registry.k8s.io/kube-proxy", size_bytes: 31_003_154, tags: &[], kind: ImageKind::Server },
    KnownImage { repository: "registry.k8s.io/etcd", size_bytes: 23_650_482, tags: &[], kind: ImageKind::Server },
    KnownImage { repository: "registry.k8s.io/coredns/coredns", size_bytes: 22_384_805, tags: &[], kind: ImageKind::Server },
    KnownImage { repository: "quay.io/calico/node", size_bytes: 156_871_437, tags: &[], kind: ImageKind::Server },
    KnownImage { repository: "quay.io/calico/cni", size_bytes: 97_152_360, tags: &[], kind: ImageKind::ExitsAtOnce },
    KnownImage { repository: "quay.io/calico/kube-controllers", size_bytes: 35_838_190, tags: &[], kind: ImageKind::Server },
    KnownImage { repository: "docker.io/calico/node", size_bytes: 156_871_437, tags: &[], kind: ImageKind::Server },
    KnownImage { repository: "docker.io/calico/cni", size_bytes: 97_152_360, tags: &[], kind: ImageKind::ExitsAtOnce },
    KnownImage { repository: "docker.io/calico/kube-controllers", size_bytes: 35_838_190, tags: &[], kind: ImageKind::Server },
];

pub fn known(r: &ImageRef) -> Option<&'static KnownImage> {
    let repo = r.repository();
    CATALOGUE.iter().find(|k| k.repository == repo)
}

/// `1.27`, `1.27.3`, `v1.37.1`, `1.27-alpine`, `3.10.2`, `3.7.0-0`, `24.04`.
fn version_like(tag: &str) -> bool {
    let (version, variant) = match tag.split_once('-') {
        Some((v, rest)) => (v, Some(rest)),
        None => (tag, None),
    };
    let digits = version.strip_prefix('v').unwrap_or(version);
    let parts: Vec<&str> = digits.split('.').collect();
    let numeric = !parts.is_empty() && parts.len() <= 4 && parts.iter().all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()));
    numeric && variant.is_none_or(|v| VARIANTS.contains(&v) || v.bytes().all(|b| b.is_ascii_digit()) || v.split('-').all(|p| VARIANTS.contains(&p)))
}

/// A stable 64-bit FNV-1a hash: sizes and digests depend only on the name,
/// so every node (and every run) agrees on them.
pub fn fnv64(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = x;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// `n` hex digits derived from a name (digests are content addresses, the
/// same everywhere).
pub fn hex_of(name: &str, n: usize) -> String {
    let mut state = fnv64(name);
    let mut s = String::with_capacity(n + 16);
    while s.len() < n {
        state = splitmix(state);
        s.push_str(&format!("{state:016x}"));
    }
    s.truncate(n);
    s
}

/// Whether the simulated registry has the image, and its size.
///
/// The rule: catalogue repositories exist with their listed tags and any
/// version-like tag; other tags are "not found". Unknown Docker Hub
/// repositories do not exist (a typo such as `ngnix`). Images on other
/// registries (`quay.io/...`, `ghcr.io/...`) are assumed to exist, with a
/// size derived from the name.
pub fn availability(r: &ImageRef) -> Availability {
    match known(r) {
        Some(k) => {
            let tag = r.tag_or_latest();
            let tag_ok = r.digest.is_some() || k.tags.contains(&tag) || version_like(tag) || tag.split('-').all(|p| k.tags.contains(&p) || version_like(p));
            if !tag_ok {
                return Availability::TagMissing;
            }
            if tag == "latest" || r.tag.is_none() {
                return Availability::Exists { size_bytes: k.size_bytes };
            }
            // Other tags: alpine variants are much smaller; versions vary a little.
            let h = fnv64(&r.normalized());
            let base = if tag.contains("alpine") && k.kind == ImageKind::Server { k.size_bytes * 29 / 100 } else { k.size_bytes };
            let spread = base / 10;
            let size = base - spread / 2 + if spread > 0 { h % spread } else { 0 };
            Availability::Exists { size_bytes: size.max(1) }
        }
        None if r.domain == "docker.io" => Availability::RepositoryMissing,
        None => {
            let h = fnv64(&r.normalized());
            Availability::Exists { size_bytes: 8_000_000 + h % 180_000_000 }
        }
    }
}

/// containerd's error for a failed pull, as the kubelet shows it in 1.36+
/// (no gRPC `rpc error: code = ... desc =` prefix; notes §1).
pub fn pull_error(r: &ImageRef, a: &Availability) -> String {
    let n = r.normalized();
    match a {
        Availability::TagMissing => {
            format!("failed to pull and unpack image \"{n}\": failed to resolve reference \"{n}\": {n}: not found")
        }
        _ => format!(
            "failed to pull and unpack image \"{n}\": failed to resolve reference \"{n}\": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed"
        ),
    }
}

/// One image in the node's containerd store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredImage {
    /// `docker.io/library/nginx@sha256:…`.
    pub digest_name: String,
    /// Tags pointing at it: `docker.io/library/nginx:latest`.
    pub tags: Vec<String>,
    pub size_bytes: u64,
}

/// containerd's image store of one node, keyed by repository digest name.
#[derive(Clone, Debug, Default)]
pub struct ImageStore {
    images: BTreeMap<String, StoredImage>,
}

/// kubelet `nodeStatusMaxImages` default.
pub const NODE_STATUS_MAX_IMAGES: usize = 50;

impl ImageStore {
    /// The digest (`sha256:<hex>`) the registry serves for a reference.
    pub fn digest_for(r: &ImageRef) -> String {
        match &r.digest {
            Some(d) => d.clone(),
            None => format!("sha256:{}", hex_of(&format!("{}:{}", r.repository(), r.tag_or_latest()), 64)),
        }
    }
    pub fn image_id(r: &ImageRef) -> String {
        format!("{}@{}", r.repository(), Self::digest_for(r))
    }
    /// Whether the reference resolves locally (tag or digest present).
    pub fn contains(&self, r: &ImageRef) -> bool {
        match &r.digest {
            Some(_) => self.images.contains_key(&Self::image_id(r)),
            None => {
                let n = r.normalized();
                self.images.values().any(|i| i.tags.contains(&n))
            }
        }
    }
    pub fn size_of(&self, r: &ImageRef) -> Option<u64> {
        self.images.get(&Self::image_id(r)).map(|i| i.size_bytes)
    }
    /// Records a pulled image; returns true if the store changed.
    pub fn add(&mut self, r: &ImageRef, size_bytes: u64) -> bool {
        let id = Self::image_id(r);
        let entry = self.images.entry(id.clone()).or_insert_with(|| StoredImage { digest_name: id, tags: vec![], size_bytes });
        if r.digest.is_none() {
            let n = r.normalized();
            if !entry.tags.contains(&n) {
                entry.tags.push(n);
                apimachinery::sort::sort(&mut entry.tags);
                return true;
            }
            return false;
        }
        true
    }
    /// `status.images`: largest first, at most 50, digest name then tags.
    pub fn node_images(&self) -> Vec<(Vec<String>, u64)> {
        let mut v: Vec<&StoredImage> = self.images.values().collect();
        apimachinery::sort::sort_by(&mut v, |a, b| b.size_bytes.cmp(&a.size_bytes).then(a.digest_name.cmp(&b.digest_name)));
        v.into_iter()
            .take(NODE_STATUS_MAX_IMAGES)
            .map(|i| {
                let mut names = vec![i.digest_name.clone()];
                names.extend(i.tags.iter().cloned());
                (names, i.size_bytes)
            })
            .collect()
    }
    pub fn len(&self) -> usize {
        self.images.len()
    }
    pub fn is_empty(&self) -> bool {
        self.images.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_availability() {
        let cases = [
            "nginx",
            "nginx:1.27-alpine",
            "nginx:nonexistent-tag",
            "nginx:latests",
            "ngnix",
            "busybox:1.36",
            "NGINX",
            "registry.k8s.io/echoserver:1.10",
            "k8s.gcr.io/echoserver:1.10",
            "jmalloc/echo-server",
            "quay.io/someone/app:v2",
            "registry.k8s.io/pause:3.10.2",
            "library//nginx",
            "localhost:5000/app",
        ];
        let got: Vec<String> = cases
            .iter()
            .map(|c| match parse(c) {
                Ok(r) => format!("{c} -> {} {:?}", r.normalized(), availability(&r)),
                Err(e) => format!("{c} -> error: {e}"),
            })
            .collect();
        expect_test::expect![[r#"
            nginx -> docker.io/library/nginx:latest Exists { size_bytes: 72195292 }
            nginx:1.27-alpine -> docker.io/library/nginx:1.27-alpine Exists { size_bytes: 20436992 }
            nginx:nonexistent-tag -> docker.io/library/nginx:nonexistent-tag TagMissing
            nginx:latests -> docker.io/library/nginx:latests TagMissing
            ngnix -> docker.io/library/ngnix:latest RepositoryMissing
            busybox:1.36 -> docker.io/library/busybox:1.36 Exists { size_bytes: 2128202 }
            NGINX -> error: invalid reference format: repository name (library/NGINX) must be lowercase
            registry.k8s.io/echoserver:1.10 -> registry.k8s.io/echoserver:1.10 Exists { size_bytes: 48469389 }
            k8s.gcr.io/echoserver:1.10 -> k8s.gcr.io/echoserver:1.10 Exists { size_bytes: 47209158 }
            jmalloc/echo-server -> docker.io/jmalloc/echo-server:latest Exists { size_bytes: 4618374 }
            quay.io/someone/app:v2 -> quay.io/someone/app:v2 Exists { size_bytes: 41576772 }
            registry.k8s.io/pause:3.10.2 -> registry.k8s.io/pause:3.10.2 Exists { size_bytes: 316861 }
            library//nginx -> error: invalid reference format
            localhost:5000/app -> localhost:5000/app:latest Exists { size_bytes: 54407294 }"#]]
        .assert_eq(&got.join("\n"));
    }
}
