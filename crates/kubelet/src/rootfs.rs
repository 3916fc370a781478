//! What is inside a container once it runs: the image's userland (which
//! shell and tools it has, its `ENV`, the files a course looks at), and the
//! files the kubelet and the runtime write at start — `/etc/hosts`
//! (pkg/kubelet/kubelet_pods.go managedHostsFileContent), `/etc/resolv.conf`
//! (pkg/kubelet/network/dns/dns.go GetPodDNS, written by the runtime) and
//! `/etc/hostname` — and the service environment variables
//! (pkg/kubelet/envvars/envvars.go FromServices, kubelet_pods.go
//! getServiceEnvVarMap).

use crate::images::{ImageRef, known};
use apimachinery::k8s_openapi::api::core::v1::{Pod, Service};
use std::collections::BTreeMap;

/// The userland of an image: decides the shell, its prompt and messages,
/// and which tools exist.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Userland {
    /// Debian with bash (nginx, httpd, redis, debian, perl, python...).
    Debian,
    /// Ubuntu with bash.
    Ubuntu,
    /// CentOS (RHEL-like) with bash: `[root@host /]# `.
    Centos,
    /// BusyBox `sh` and applets (busybox).
    Busybox,
    /// Alpine: BusyBox `sh` and applets plus apk.
    Alpine,
    /// No shell, no tools: a static binary (jmalloc/echo-server, pause).
    Scratch,
}

/// What an image brings to a container.
#[derive(Clone, Debug)]
pub struct ImageOs {
    pub userland: Userland,
    /// The image's `ENV` in Dockerfile order (PATH first).
    pub env: Vec<(String, String)>,
    /// Programs on the PATH that the simulated shell knows.
    pub tools: &'static [&'static str],
    /// Top-level directories (`ls /`).
    pub root_dirs: &'static [&'static str],
}

const PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const DEBIAN_TOOLS: &[&str] = &["bash", "sh", "cat", "echo", "ls", "env", "printenv", "hostname", "pwd", "mkdir", "rm", "touch", "head", "tail", "grep", "wc", "sort", "true", "false", "sleep", "date", "whoami", "id", "uname"];
const NGINX_TOOLS: &[&str] = &["bash", "sh", "cat", "echo", "ls", "env", "printenv", "hostname", "pwd", "mkdir", "rm", "touch", "head", "tail", "grep", "wc", "sort", "true", "false", "sleep", "date", "whoami", "id", "uname", "curl", "nginx"];
const CENTOS_TOOLS: &[&str] = &["bash", "sh", "cat", "echo", "ls", "env", "printenv", "hostname", "pwd", "mkdir", "rm", "touch", "head", "tail", "grep", "wc", "sort", "true", "false", "sleep", "date", "whoami", "id", "uname", "curl", "yum", "ping"];
const BUSYBOX_TOOLS: &[&str] = &["sh", "ash", "cat", "echo", "ls", "env", "printenv", "hostname", "pwd", "mkdir", "rm", "touch", "head", "tail", "grep", "wc", "sort", "true", "false", "sleep", "date", "whoami", "id", "uname", "wget", "nslookup", "ping"];
const DEBIAN_ROOT: &[&str] = &["bin", "boot", "dev", "etc", "home", "lib", "lib64", "media", "mnt", "opt", "proc", "root", "run", "sbin", "srv", "sys", "tmp", "usr", "var"];
const NGINX_ROOT: &[&str] =
    &["bin", "boot", "dev", "docker-entrypoint.d", "docker-entrypoint.sh", "etc", "home", "lib", "lib64", "media", "mnt", "opt", "proc", "root", "run", "sbin", "srv", "sys", "tmp", "usr", "var"];
const BUSYBOX_ROOT: &[&str] = &["bin", "dev", "etc", "home", "lib", "lib64", "proc", "root", "sys", "tmp", "usr", "var"];
const ALPINE_ROOT: &[&str] = &["bin", "dev", "etc", "home", "lib", "media", "mnt", "opt", "proc", "root", "run", "sbin", "srv", "sys", "tmp", "usr", "var"];

/// nginx as kubeplay runs it everywhere: the mainline image of mid-2025
/// (Debian trixie). The welcome page is the ≤1.29.5 one (615 bytes).
pub const NGINX_VERSION: &str = "1.29.1";

/// The nginx welcome page, docs/html/index.html before 1.29.6 (LF endings).
pub const NGINX_INDEX_HTML: &str = "<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href=\"http://nginx.org/\">nginx.org</a>.<br/>
Commercial support is available at
<a href=\"http://nginx.com/\">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
";

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// The userland of an image reference. Images kubeplay does not model are
/// taken to be Debian-based, the commonest base.
pub fn image_os(r: &ImageRef) -> ImageOs {
    let repo = r.repository();
    let alpine_tag = r.tag_or_latest().contains("alpine");
    match repo.as_str() {
        "docker.io/library/nginx" if !alpine_tag => ImageOs {
            userland: Userland::Debian,
            // docker-nginx mainline/debian/Dockerfile ENV lines.
            env: env(&[("PATH", PATH), ("NGINX_VERSION", NGINX_VERSION), ("NJS_VERSION", "0.9.1"), ("NJS_RELEASE", "1~trixie"), ("PKG_RELEASE", "1~trixie"), ("DYNPKG_RELEASE", "1~trixie")]),
            tools: NGINX_TOOLS,
            root_dirs: NGINX_ROOT,
        },
        "docker.io/library/busybox" => ImageOs { userland: Userland::Busybox, env: env(&[("PATH", PATH)]), tools: BUSYBOX_TOOLS, root_dirs: BUSYBOX_ROOT },
        "docker.io/library/ubuntu" => ImageOs { userland: Userland::Ubuntu, env: env(&[("PATH", PATH)]), tools: DEBIAN_TOOLS, root_dirs: DEBIAN_ROOT },
        // centos:7/8 ship curl in the base image.
        "docker.io/library/centos" => ImageOs { userland: Userland::Centos, env: env(&[("PATH", PATH)]), tools: CENTOS_TOOLS, root_dirs: DEBIAN_ROOT },
        "docker.io/jmalloc/echo-server" | "registry.k8s.io/pause" | "docker.io/hashicorp/http-echo" | "docker.io/traefik/whoami" => {
            ImageOs { userland: Userland::Scratch, env: env(&[("PATH", PATH)]), tools: &[], root_dirs: &[] }
        }
        _ if repo == "docker.io/library/alpine" || alpine_tag || repo == "docker.io/curlimages/curl" => {
            ImageOs { userland: Userland::Alpine, env: env(&[("PATH", PATH)]), tools: BUSYBOX_TOOLS, root_dirs: ALPINE_ROOT }
        }
        _ => {
            let _ = known(r);
            ImageOs { userland: Userland::Debian, env: env(&[("PATH", PATH)]), tools: DEBIAN_TOOLS, root_dirs: DEBIAN_ROOT }
        }
    }
}

/// Directories below the top level that an image ships and a course
/// writes into (they exist even when emptied).
pub fn image_dirs(r: &ImageRef) -> &'static [&'static str] {
    match r.repository().as_str() {
        "docker.io/library/nginx" => &["/usr/share/nginx/html", "/etc/nginx/conf.d", "/var/log/nginx", "/var/cache/nginx"],
        "docker.io/library/httpd" => &["/usr/local/apache2/htdocs"],
        "docker.io/library/redis" => &["/data"],
        _ => &["/var/log", "/usr/local/bin"],
    }
}

/// Whether an image's program list is complete (BusyBox, Alpine, scratch
/// images ship nothing more), so a program not in it is missing.
pub fn tools_complete(r: &ImageRef) -> bool {
    matches!(image_os(r).userland, Userland::Busybox | Userland::Scratch) || r.repository() == "docker.io/library/alpine"
}

/// The pod's hostname: spec.hostname or the pod name, at most 63
/// characters with trailing `-`/`.` trimmed (kubelet_pods.go GeneratePodHostNameAndDomain,
/// truncatePodHostnameIfNeeded).
pub fn pod_hostname(pod_name: &str, spec_hostname: Option<&str>) -> String {
    let h = spec_hostname.filter(|h| !h.is_empty()).unwrap_or(pod_name);
    let mut h: String = h.chars().take(63).collect();
    while h.ends_with('-') || h.ends_with('.') {
        h.pop();
    }
    h
}

/// `/etc/hosts` of a pod that is not on the host network.
pub fn hosts_file(pod_ip: &str, hostname: &str, subdomain: Option<&str>, namespace: &str) -> String {
    let mut s = String::from("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n");
    if !pod_ip.is_empty() {
        match subdomain.filter(|s| !s.is_empty()) {
            Some(sub) => s.push_str(&format!("{pod_ip}\t{hostname}.{sub}.{namespace}.svc.cluster.local\t{hostname}\n")),
            None => s.push_str(&format!("{pod_ip}\t{hostname}\n")),
        }
    }
    s
}

/// `/etc/resolv.conf` for dnsPolicy ClusterFirst. containerd writes
/// `search`, `nameserver`, `options`; cri-dockerd writes the nameserver
/// first (the order is the one seen in real pods of each runtime).
pub fn resolv_conf(namespace: &str, cluster_dns: &str, docker_runtime: bool) -> String {
    let search = format!("search {namespace}.svc.cluster.local svc.cluster.local cluster.local\n");
    let server = format!("nameserver {cluster_dns}\n");
    if docker_runtime { format!("{server}{search}options ndots:5\n") } else { format!("{search}{server}options ndots:5\n") }
}

/// The environment variable prefix of a service name (envvars.go makeEnvVariableName).
fn env_name(s: &str) -> String {
    let n = s.to_uppercase().replace(['-', '.'], "_");
    if n.starts_with(|c: char| c.is_ascii_digit()) { format!("_{n}") } else { n }
}

/// The Docker-link-style variables of services, in service-name order
/// (kubelet builds a Go map, so real order is random; any fixed order is
/// as faithful). Headless and IP-less services give none.
pub fn service_env(services: &[&Service]) -> Vec<(String, String)> {
    let mut sorted: Vec<&&Service> = services.iter().collect();
    apimachinery::sort::sort_by(&mut sorted, |a, b| a.metadata.name.cmp(&b.metadata.name));
    let mut out = vec![];
    for svc in sorted {
        let Some(spec) = &svc.spec else { continue };
        let ip = spec.cluster_ip.as_deref().unwrap_or("");
        if ip.is_empty() || ip == "None" {
            continue;
        }
        let ports = spec.ports.as_deref().unwrap_or(&[]);
        let Some(first) = ports.first() else { continue };
        let name = env_name(svc.metadata.name.as_deref().unwrap_or(""));
        out.push((format!("{name}_SERVICE_HOST"), ip.to_string()));
        out.push((format!("{name}_SERVICE_PORT"), first.port.to_string()));
        for p in ports {
            if let Some(pn) = p.name.as_deref().filter(|n| !n.is_empty()) {
                out.push((format!("{name}_SERVICE_PORT_{}", pn.to_uppercase().replace('-', "_")), p.port.to_string()));
            }
        }
        let proto = |p: &apimachinery::k8s_openapi::api::core::v1::ServicePort| p.protocol.clone().unwrap_or_else(|| "TCP".into());
        out.push((format!("{name}_PORT"), format!("{}://{ip}:{}", proto(first).to_lowercase(), first.port)));
        for p in ports {
            let upper = proto(p).to_uppercase();
            let lower = proto(p).to_lowercase();
            let prefix = format!("{name}_PORT_{}_{upper}", p.port);
            out.push((prefix.clone(), format!("{lower}://{ip}:{}", p.port)));
            out.push((format!("{prefix}_PROTO"), lower));
            out.push((format!("{prefix}_PORT"), p.port.to_string()));
            out.push((format!("{prefix}_ADDR"), ip.to_string()));
        }
    }
    out
}

/// The environment of a container's process: the image's ENV, HOSTNAME
/// (set by the runtime), the container's own `env`, the service variables
/// (a user variable wins over a service one of the same name), HOME.
pub fn process_env(os: &ImageOs, hostname: &str, user: &[(String, String)], services: &[(String, String)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = vec![];
    let set = |out: &mut Vec<(String, String)>, k: &str, v: &str| match out.iter_mut().find(|(n, _)| n == k) {
        Some(e) => e.1 = v.to_string(),
        None => out.push((k.to_string(), v.to_string())),
    };
    let mut image = os.env.iter();
    if let Some((k, v)) = image.next() {
        set(&mut out, k, v);
    }
    set(&mut out, "HOSTNAME", hostname);
    for (k, v) in image {
        set(&mut out, k, v);
    }
    for (k, v) in user {
        set(&mut out, k, v);
    }
    for (k, v) in services {
        if !user.iter().any(|(n, _)| n == k) {
            set(&mut out, k, v);
        }
    }
    if !out.iter().any(|(k, _)| k == "HOME") {
        out.push(("HOME".into(), "/root".into()));
    }
    out
}

/// The files a container starts with: what the image ships that a course
/// reads, and what the kubelet and runtime write.
pub fn initial_files(r: Option<&ImageRef>, hostname: &str, hosts: String, resolv: String) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    files.insert("/etc/hostname".to_string(), format!("{hostname}\n"));
    files.insert("/etc/hosts".to_string(), hosts);
    files.insert("/etc/resolv.conf".to_string(), resolv);
    if let Some(r) = r {
        if r.repository() == "docker.io/library/nginx" {
            files.insert("/usr/share/nginx/html/index.html".to_string(), NGINX_INDEX_HTML.to_string());
        }
    }
    files
}

/// The pod, services of its namespace and `default/kubernetes` the
/// kubelet turns into variables (getServiceEnvVarMap): all services of the
/// namespace if `enableServiceLinks`, always the master service.
pub fn services_for_pod<'a>(pod_namespace: &str, enable_service_links: bool, all: &'a [&'a Service]) -> Vec<&'a Service> {
    all.iter()
        .copied()
        .filter(|s| {
            let ns = s.metadata.namespace.as_deref().unwrap_or("");
            let name = s.metadata.name.as_deref().unwrap_or("");
            (ns == "default" && name == "kubernetes") || (enable_service_links && ns == pod_namespace)
        })
        .collect()
}

/// Whether a pod asks for service links (default true).
pub fn enable_service_links(pod: &Pod) -> bool {
    pod.spec.as_ref().and_then(|s| s.enable_service_links).unwrap_or(true)
}

/// A volume mounted into a container (`volumeMounts`): where, which
/// volume, which sub-directory of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mount {
    /// `/usr/share/nginx/html`, without a trailing slash.
    pub path: String,
    pub volume: String,
    /// `subPath`, without slashes at either end; empty for the whole volume.
    pub sub_path: String,
    pub read_only: bool,
}

/// Bounds on what a container's processes may write (files per layer or
/// volume, bytes per file).
pub const MAX_FILES: usize = 4096;
pub const MAX_FILE_BYTES: usize = 1024 * 1024;

/// A mount path as the kernel keeps it: absolute, no trailing slash.
pub fn clean_mount_path(p: &str) -> String {
    let t = p.trim_end_matches('/');
    if t.is_empty() { "/".to_string() } else if t.starts_with('/') { t.to_string() } else { format!("/{t}") }
}

/// The files of one volume: path relative to the volume's root → content.
pub type VolumeFiles = BTreeMap<String, String>;

/// Where `path` lives: in a mounted volume (the innermost mount wins, as
/// the kernel's mount table resolves it) under a volume-relative key, or
/// in the container's own writable layer.
pub fn locate<'m>(mounts: &'m [Mount], path: &str) -> Option<(&'m Mount, String)> {
    mounts
        .iter()
        .filter(|m| path == m.path || path.strip_prefix(m.path.as_str()).is_some_and(|r| r.starts_with('/')) || m.path == "/")
        .max_by_key(|m| m.path.len())
        .map(|m| {
            let rest = path.strip_prefix(m.path.as_str()).unwrap_or("").trim_start_matches('/');
            let key = match (m.sub_path.is_empty(), rest.is_empty()) {
                (true, _) => rest.to_string(),
                (false, true) => m.sub_path.clone(),
                (false, false) => format!("{}/{rest}", m.sub_path),
            };
            (m, key)
        })
}

/// A container's filesystem as its processes see it: the writable layer
/// with the mounted volumes over it. Borrowed, so reading a file costs no
/// copy.
#[derive(Clone, Debug)]
pub struct FilesView<'a> {
    pub own: &'a BTreeMap<String, String>,
    pub mounts: Vec<(&'a Mount, &'a VolumeFiles)>,
}

impl<'a> FilesView<'a> {
    fn mount_of(&self, path: &str) -> Option<(&'a Mount, &'a VolumeFiles, String)> {
        self.mounts
            .iter()
            .filter(|(m, _)| path == m.path || path.strip_prefix(m.path.as_str()).is_some_and(|r| r.starts_with('/')) || m.path == "/")
            .max_by_key(|(m, _)| m.path.len())
            .map(|(m, v)| {
                let (_, key) = locate(std::slice::from_ref(*m), path).unwrap_or((m, String::new()));
                (*m, *v, key)
            })
    }
    pub fn get(&self, path: &str) -> Option<&'a String> {
        match self.mount_of(path) {
            Some((_, v, key)) => v.get(&key),
            None => self.own.get(path),
        }
    }
    /// A mount point, or a directory holding files.
    pub fn is_dir(&self, path: &str) -> bool {
        let path = path.trim_end_matches('/');
        if self.mounts.iter().any(|(m, _)| m.path == path) {
            return true;
        }
        let prefix = format!("{path}/");
        self.to_map().keys().any(|k| k.starts_with(&prefix))
    }
    /// The mount points (directories that exist whatever their content).
    pub fn mount_paths(&self) -> Vec<&'a str> {
        self.mounts.iter().map(|(m, _)| m.path.as_str()).collect()
    }
    /// Every file the container sees, absolute path → content.
    pub fn to_map(&self) -> BTreeMap<String, String> {
        let mut out: BTreeMap<String, String> = self.own.iter().filter(|(p, _)| self.mount_of(p).is_none()).map(|(p, c)| (p.clone(), c.clone())).collect();
        for (m, v) in &self.mounts {
            let prefix = if m.sub_path.is_empty() { String::new() } else { format!("{}/", m.sub_path) };
            for (key, content) in v.iter() {
                let Some(rest) = key.strip_prefix(prefix.as_str()) else { continue };
                let path = if m.path == "/" { format!("/{rest}") } else { format!("{}/{rest}", m.path) };
                // A deeper mount hides this one's files below it.
                if self.mount_of(&path).is_some_and(|(inner, _, _)| inner.path == m.path) {
                    out.insert(path, content.clone());
                }
            }
        }
        out
    }
}
