//! The simulated kubelet and container runtime of one node.
//!
//! It registers its Node, keeps the node Lease fresh and reports node status
//! (pkg/kubelet/kubelet_node_status.go, nodelease), runs its static pods and
//! mirrors them into the API (pkg/kubelet/pod/mirror_client.go), and runs the
//! pods bound to it: sandbox and IP, image pulls against a per-node image
//! store, init then app containers, probes, restarts with back-off, and
//! graceful termination (pkg/kubelet/kuberuntime, images, prober, status).
//! Container processes are simulated from their image and command
//! (behaviour.rs). Everything is driven by `api.now()` and one seeded RNG.

pub mod backoff;
pub mod behaviour;
pub mod images;
pub mod ipam;
pub mod pi;
mod node;
mod pods;
pub mod probes;
pub mod rootfs;
pub mod runtime;
pub mod status;

#[cfg(test)]
mod tests;

use apimachinery::k8s_openapi::api::core::v1::{Pod, Taint};
use apimachinery::rng::SimRng;
use apimachinery::{Kind, Object, SignedDuration, Timestamp};
use apiserver::ApiServer;
use backoff::Backoff;
use client::{Component, WorkQueue};
use images::ImageStore;
use ipam::Ipam;
use probes::PodNetwork;
use runtime::{ContainerState, PodKey, PodRuntime};
use std::collections::{BTreeMap, BTreeSet};
use store::{EventType, WatchEvent};

/// What a node is: the machine, its OS, and how kubeadm/minikube set it up.
#[derive(Clone, Debug)]
pub struct NodeConfig {
    pub name: String,
    pub internal_ip: String,
    /// Labels beyond the kubelet's own (`kubernetes.io/hostname`, arch, os).
    pub labels: BTreeMap<String, String>,
    pub taints: Vec<Taint>,
    /// e.g. "2", "4"
    pub cpu: String,
    /// e.g. "4005356Ki"
    pub memory: String,
    pub ephemeral_storage: String,
    pub pods: String,
    pub os_image: String,
    pub kernel_version: String,
    pub container_runtime_version: String,
    pub architecture: String,
    /// e.g. "172.16.1.0/24"; pod IPs of this node come from it.
    pub pod_cidr: String,
    /// Static pod manifests (/etc/kubernetes/manifests): run by this kubelet,
    /// mirrored into the API as `<name>-<node>`.
    pub static_pods: Vec<Pod>,
}

/// Stream id of the kubelet's RNG; each node also mixes in its name.
const RNG_STREAM: u64 = 0x6b75_6265_6c65_7400;
/// Bound on pod syncs in one `run` (a runaway loop is a bug, not a hang).
const MAX_SYNCS_PER_RUN: usize = 100_000;

/// kubelet defaults (KubeletConfiguration v1beta1).
pub const NODE_LEASE_DURATION_SECONDS: i32 = 40;
pub const NODE_LEASE_RENEW_INTERVAL: SignedDuration = SignedDuration::from_secs(10);
pub const NODE_STATUS_UPDATE_FREQUENCY: SignedDuration = SignedDuration::from_secs(10);
pub const NODE_STATUS_REPORT_FREQUENCY: SignedDuration = SignedDuration::from_secs(300);
/// Image pull and container restart back-off: 10s doubling to 300s.
pub const BACKOFF_INITIAL: SignedDuration = SignedDuration::from_secs(10);
pub const BACKOFF_MAX: SignedDuration = SignedDuration::from_secs(300);
/// The pod worker's requeue after a failed sync (kubelet.go backOffPeriod).
pub const SYNC_ERROR_BACKOFF: SignedDuration = SignedDuration::from_secs(10);

/// A static pod as the kubelet holds it: the defaulted manifest, named
/// `<name>-<node>`, with its config hash as UID.
#[derive(Clone, Debug)]
struct StaticPod {
    key: PodKey,
    hash: String,
    pod: Pod,
}

/// Node heartbeat bookkeeping.
#[derive(Clone, Debug, Default)]
struct NodeState {
    registered: bool,
    uid: String,
    registered_at: Option<Timestamp>,
    machine_id: String,
    system_uuid: String,
    boot_id: String,
    next_lease_renew: Option<Timestamp>,
    next_status_post: Option<Timestamp>,
    last_status_post: Option<Timestamp>,
}

/// Plain-data view of one container for the UI and kubectl.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerView {
    pub name: String,
    pub init: bool,
    /// `Waiting`, `Running` or `Terminated`.
    pub state: String,
    /// Waiting or terminated reason.
    pub reason: Option<String>,
    pub ready: bool,
    pub restart_count: i32,
    pub container_id: Option<String>,
    pub image: String,
}

/// A running container's process as `exec`, probes and the network see it.
#[derive(Clone, Debug)]
pub struct ContainerProcess<'a> {
    /// The image as the spec names it.
    pub image: &'a str,
    pub instance_id: &'a str,
    pub env: &'a [(String, String)],
    /// Its filesystem: the writable layer with its volumes mounted over it.
    pub files: rootfs::FilesView<'a>,
    pub pod_ip: &'a str,
    pub ready: bool,
    /// Programs its image has that kubeplay knows of.
    pub tools: &'static [&'static str],
    /// Whether `tools` is all the image has (BusyBox, Alpine, scratch): a
    /// program not in it is missing. Otherwise an unknown program is
    /// taken to exist.
    pub tools_known: bool,
    /// Connections its server has accepted so far.
    pub connections: u64,
}

/// A download a container's script started (`wget -O FILE URL`), for the
/// world to carry out over the data plane.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fetch {
    pub namespace: String,
    pub pod: String,
    pub container: String,
    /// Where the body goes (`-` for stdout, i.e. the log).
    pub path: String,
    pub url: String,
}

/// Bound on the lines kept of one container's log (the runtime rotates).
pub const MAX_CONTAINER_LOG_LINES: usize = 10_000;

/// Plain-data view of one pod on this node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodView {
    pub namespace: String,
    pub name: String,
    pub uid: String,
    pub ip: Option<String>,
    pub is_static: bool,
    pub terminating: bool,
    pub containers: Vec<ContainerView>,
}

pub struct Kubelet {
    pub config: NodeConfig,
    rng: SimRng,
    running: bool,
    network_ready: bool,
    /// The time of the last `run` (views and `next_wake` use it).
    now: Option<Timestamp>,
    node: NodeState,
    node_status_dirty: bool,
    queue: WorkQueue<PodKey>,
    /// When each pod key is already scheduled to wake (avoids duplicate timers).
    scheduled: BTreeMap<PodKey, Timestamp>,
    pods: BTreeMap<PodKey, PodRuntime>,
    statics: Vec<StaticPod>,
    images: ImageStore,
    image_backoff: Backoff,
    crash_backoff: Backoff,
    ipam: Ipam,
    /// Serialized image pulls (serializeImagePulls: true): when the puller is free.
    puller_free_at: Option<Timestamp>,
    needs_resync: bool,
    probe_oracle: Box<dyn PodNetwork>,
    /// Downloads scripts started, waiting for the world.
    fetches: Vec<Fetch>,
    /// Pods with a container whose script has effects still to come: the
    /// world catches them up after every settle, so only these are visited.
    scripted: BTreeSet<PodKey>,
}

impl Kubelet {
    pub fn new(config: NodeConfig, seed: u64) -> Kubelet {
        let stream = RNG_STREAM ^ images::fnv64(&config.name);
        let mut rng = SimRng::new(seed, stream);
        let node = NodeState { machine_id: rng.hex(32), system_uuid: rng.uuid(), boot_id: rng.uuid(), ..Default::default() };
        let statics = config.static_pods.iter().map(|p| pods::prepare_static_pod(p, &config.name)).collect();
        let mut images = ImageStore::default();
        // The sandbox image is always there; kubeadm pulled the static pods' images.
        for image in std::iter::once(pods::PAUSE_IMAGE.to_string())
            .chain(config.static_pods.iter().flat_map(|p| p.spec.iter().flat_map(|s| s.containers.iter().chain(s.init_containers.iter().flatten())).filter_map(|c| c.image.clone())))
        {
            preload(&mut images, &image);
        }
        Kubelet {
            ipam: Ipam::new(&config.pod_cidr),
            config,
            rng,
            running: true,
            network_ready: true,
            now: None,
            node,
            node_status_dirty: true,
            queue: WorkQueue::new(),
            scheduled: BTreeMap::new(),
            pods: BTreeMap::new(),
            statics,
            images,
            image_backoff: Backoff::new(BACKOFF_INITIAL, BACKOFF_MAX),
            crash_backoff: Backoff::new(BACKOFF_INITIAL, BACKOFF_MAX),
            puller_free_at: None,
            needs_resync: true,
            probe_oracle: Box::new(probes::AlwaysSucceeds),
            fetches: vec![],
            scripted: BTreeSet::new(),
        }
    }

    pub fn node_name(&self) -> &str {
        &self.config.name
    }

    /// A stopped kubelet neither heartbeats nor acts; its containers keep
    /// their state. Starting it again resyncs everything, as a kubelet
    /// restart does (re-registering the Node if it was deleted).
    pub fn set_running(&mut self, running: bool) {
        if running && !self.running {
            self.needs_resync = true;
            self.node.registered = false;
            self.node_status_dirty = true;
        }
        self.running = running;
    }

    pub fn is_running(&self) -> bool {
        self.running
    }

    /// Whether the CNI is installed: without it the node reports
    /// `Ready=False` with the runtime's "cni plugin not initialized".
    pub fn set_network_ready(&mut self, ready: bool) {
        if ready != self.network_ready {
            self.network_ready = ready;
            self.node_status_dirty = true;
            if let Some(now) = self.now {
                self.node.next_status_post = Some(now);
            }
        }
    }

    /// Sets what answers httpGet/tcpSocket probes (the network simulation).
    pub fn set_probe_oracle(&mut self, oracle: Box<dyn PodNetwork>) {
        self.probe_oracle = oracle;
    }

    /// Lets the containers' scripts catch up to `now` (files they write or
    /// remove, lines they print): the runtime runs processes continuously,
    /// while the kubelet only looks when it has work.
    pub fn catch_up(&mut self, now: Timestamp) {
        if self.scripted.is_empty() {
            return;
        }
        for key in std::mem::take(&mut self.scripted) {
            self.apply_effects(&key, now);
            let pending = self.pods.get(&key).is_some_and(|rt| rt.containers.iter().any(|c| c.instance.as_ref().is_some_and(|i| !i.effects.is_empty())));
            if pending {
                self.scripted.insert(key);
            }
        }
    }

    /// Downloads the containers' scripts have started since the last call.
    pub fn take_fetches(&mut self) -> Vec<Fetch> {
        std::mem::take(&mut self.fetches)
    }

    /// Delivers a download: the body to the file (unless it went to
    /// stdout), the client's lines to the container's log.
    pub fn complete_fetch(&mut self, fetch: &Fetch, body: Option<String>, log: &[String]) {
        let Some(rt) = self.pods.get_mut(&(fetch.namespace.clone(), fetch.pod.clone())) else { return };
        let Some(idx) = rt.containers.iter().position(|c| c.name() == fetch.container) else { return };
        if let Some(body) = body
            && fetch.path != "-"
        {
            let _ = rt.write_file(idx, &fetch.path, Some(body));
        }
        if let Some(inst) = rt.containers[idx].instance.as_mut() {
            for l in log {
                if inst.logs.len() < MAX_CONTAINER_LOG_LINES {
                    inst.logs.push(l.clone());
                }
            }
        }
    }

    /// Puts an image in the node's store, as `kind load` or a pre-pull does.
    pub fn preload_image(&mut self, image: &str) {
        if preload(&mut self.images, image) {
            match self.now {
                Some(now) => self.mark_node_status_dirty(now),
                None => self.node_status_dirty = true,
            }
        }
    }

    /// `status.images` as the node reports it: names (digest first) and size.
    pub fn images(&self) -> Vec<(Vec<String>, u64)> {
        self.images.node_images()
    }

    pub fn pod_ip(&self, namespace: &str, name: &str) -> Option<String> {
        self.pods.get(&(namespace.to_string(), name.to_string())).and_then(|p| p.ip.clone())
    }

    pub fn pod_views(&self) -> Vec<PodView> {
        self.pods.values().map(|p| self.pod_view(p)).collect()
    }

    pub fn pod_view_of(&self, namespace: &str, name: &str) -> Option<PodView> {
        self.pods.get(&(namespace.to_string(), name.to_string())).map(|p| self.pod_view(p))
    }

    fn pod_view(&self, p: &PodRuntime) -> PodView {
        PodView {
            namespace: p.key.0.clone(),
            name: p.key.1.clone(),
            uid: p.uid.clone(),
            ip: p.ip.clone(),
            is_static: p.is_static,
            terminating: p.terminating_until.is_some(),
            containers: p
                .containers
                .iter()
                .map(|c| {
                    let (state, reason) = match &c.state {
                        ContainerState::Waiting { reason, .. } => ("Waiting", Some(reason.clone())),
                        ContainerState::Running { .. } => ("Running", None),
                        ContainerState::Exited(t) => ("Terminated", Some(t.reason.clone())),
                    };
                    ContainerView {
                        name: c.name().to_string(),
                        init: c.init,
                        state: state.to_string(),
                        reason,
                        ready: c.ready,
                        restart_count: c.restart_count,
                        container_id: c.instance.as_ref().map(|i| format!("containerd://{}", i.id)),
                        image: c.image().to_string(),
                    }
                })
                .collect(),
        }
    }

    /// The state of one container, if the pod runs here.
    pub fn container_view(&self, namespace: &str, pod: &str, container: &str) -> Option<ContainerView> {
        self.pod_view_of(namespace, pod)?.containers.into_iter().find(|c| c.name == container)
    }

    /// What the current instance of a container has written (`kubectl logs`).
    /// Periodic output is rendered up to the kubelet's current time.
    pub fn container_log(&self, namespace: &str, pod: &str, container: &str) -> Vec<String> {
        let Some(c) = self.pods.get(&(namespace.to_string(), pod.to_string())).and_then(|p| p.containers.iter().find(|c| c.name() == container)) else {
            return vec![];
        };
        let Some(inst) = &c.instance else { return vec![] };
        let mut lines = inst.logs.clone();
        if let (Some(p), Some(started), Some(now)) = (&inst.periodic, inst.started_at, self.now) {
            let end = match &c.state {
                ContainerState::Exited(t) => t.finished_at,
                _ => now,
            };
            let elapsed = end.duration_since(started);
            if p.period > SignedDuration::ZERO && elapsed > SignedDuration::ZERO {
                let rounds = (elapsed.as_millis() / p.period.as_millis()).min(1000);
                for _ in 0..rounds {
                    lines.extend(p.lines.iter().cloned());
                }
            }
            let len = lines.len();
            if len > 1000 {
                lines.drain(..len - 1000);
            }
        }
        lines
    }

    /// The running process of a container, for `kubectl exec` and the
    /// network: its image, environment and files. None unless the
    /// container is running now.
    pub fn container_process(&self, namespace: &str, pod: &str, container: &str) -> Option<ContainerProcess<'_>> {
        let p = self.pods.get(&(namespace.to_string(), pod.to_string()))?;
        let idx = p.containers.iter().position(|c| c.name() == container)?;
        pods::process_of(p, idx)
    }

    /// Replaces what a running container sees of its files (what a `kubectl
    /// exec` session left): each path goes back to its volume or layer.
    pub fn set_container_files(&mut self, namespace: &str, pod: &str, container: &str, files: &BTreeMap<String, String>) {
        let Some(p) = self.pods.get_mut(&(namespace.to_string(), pod.to_string())) else { return };
        let Some(idx) = p.containers.iter().position(|c| c.name() == container && c.is_running()) else { return };
        p.set_files(idx, files);
    }

    /// Appends lines the running container wrote (a server's access log).
    pub fn append_container_log(&mut self, namespace: &str, pod: &str, container: &str, lines: &[String]) {
        let Some(inst) = self
            .pods
            .get_mut(&(namespace.to_string(), pod.to_string()))
            .and_then(|p| p.containers.iter_mut().find(|c| c.name() == container))
            .filter(|c| c.is_running())
            .and_then(|c| c.instance.as_mut())
        else {
            return;
        };
        inst.served(lines.iter().cloned());
    }

    /// The previous instance's log (`kubectl logs --previous`).
    pub fn container_log_previous(&self, namespace: &str, pod: &str, container: &str) -> Vec<String> {
        self.pods
            .get(&(namespace.to_string(), pod.to_string()))
            .and_then(|p| p.containers.iter().find(|c| c.name() == container))
            .map(|c| c.previous_logs.clone())
            .unwrap_or_default()
    }

    /// Schedules the pod key to be synced at `at` (not twice for one time).
    fn schedule(&mut self, key: &PodKey, now: Timestamp, at: Timestamp) {
        if self.scheduled.get(key).is_some_and(|t| *t <= at && *t >= now) {
            return;
        }
        self.scheduled.insert(key.clone(), at);
        self.queue.add_after(key.clone(), now, at.duration_since(now));
    }

    /// A deterministic duration in `[lo, hi)` milliseconds.
    fn rand_millis(&mut self, lo: i64, hi: i64) -> SignedDuration {
        let span = (hi - lo).max(1) as u64;
        SignedDuration::from_millis(lo + self.rng.below(span) as i64)
    }

    /// wait.Jitter(d, factor).
    fn jitter(&mut self, d: SignedDuration, factor: f64) -> SignedDuration {
        let extra = (self.rng.below(1_000_000) as f64 / 1_000_000.0) * factor * d.as_millis() as f64;
        d + SignedDuration::from_millis(extra as i64)
    }
}

fn preload(store: &mut ImageStore, image: &str) -> bool {
    let Ok(r) = images::parse(image) else { return false };
    match images::availability(&r) {
        images::Availability::Exists { size_bytes } => store.add(&r, size_bytes),
        _ => false,
    }
}

/// Whether a pod change matters to the kubelet: its config source ignores
/// status-only updates (pkg/kubelet/config/config.go checkAndUpdatePod).
fn pod_change_matters(event: &WatchEvent) -> bool {
    if event.event_type != EventType::Modified {
        return true;
    }
    let (Some(prev), Object::Pod(new)) = (event.prev.as_deref(), &*event.object) else { return true };
    let Object::Pod(old) = prev else { return true };
    old.spec != new.spec
        || old.metadata.labels != new.metadata.labels
        || old.metadata.annotations != new.metadata.annotations
        || old.metadata.deletion_timestamp != new.metadata.deletion_timestamp
        || old.metadata.uid != new.metadata.uid
}

fn node_name_of(o: &Object) -> Option<&str> {
    match o {
        Object::Pod(p) => p.spec.as_ref().and_then(|s| s.node_name.as_deref()),
        _ => None,
    }
}

impl Component for Kubelet {
    fn name(&self) -> String {
        format!("kubelet/{}", self.config.name)
    }

    fn observe(&mut self, event: &WatchEvent) -> bool {
        if event.key.kind != Kind::Pod {
            return false;
        }
        let mine = node_name_of(&event.object) == Some(self.config.name.as_str())
            || event.prev.as_deref().and_then(node_name_of) == Some(self.config.name.as_str());
        if mine && pod_change_matters(event) {
            self.queue.add((event.key.namespace.clone(), event.key.name.clone()));
            return true;
        }
        false
    }

    fn run(&mut self, api: &mut ApiServer) -> bool {
        if !self.running {
            return false;
        }
        let now = api.now();
        self.now = Some(now);
        let mut did = false;
        if !self.node.registered {
            did |= self.register(api);
        }
        if self.needs_resync && self.node.registered {
            self.needs_resync = false;
            self.resync(api);
            did = true;
        }
        did |= self.heartbeat(api);
        let mut syncs = 0;
        while let Some(key) = self.queue.pop(now) {
            if self.scheduled.get(&key).is_some_and(|t| *t <= now) {
                self.scheduled.remove(&key);
            }
            self.sync_pod(api, &key);
            did = true;
            syncs += 1;
            if syncs >= MAX_SYNCS_PER_RUN {
                debug_assert!(false, "kubelet {} did not settle", self.config.name);
                break;
            }
        }
        did |= self.heartbeat(api);
        did
    }

    fn next_wake(&self) -> Option<Timestamp> {
        if !self.running {
            return None;
        }
        let now = self.now?;
        [self.queue.due(now), self.node.next_lease_renew, self.node.next_status_post].into_iter().flatten().min()
    }
}
