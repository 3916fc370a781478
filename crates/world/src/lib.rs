//! The one deterministic world.
//!
//! Everything in a kubeplay cluster — API server, scheduler, controller
//! manager, kubelets — is a single-threaded state machine driven from here.
//! Time comes only from the simulated clock, randomness only from seeded
//! streams, iteration only from ordered maps, so the same seed and the same
//! commands give the same bytes of state on every run, native or wasm.
//!
//! The loop: deliver every committed change (watch event) to every
//! component's informer handlers, let components run until none has work
//! due now, then move the clock to the earliest wake-up any component asked
//! for (`advance`).

pub mod addons;
pub mod bootstrap;
pub mod profiles;

use apimachinery::k8s_openapi::api::core::v1::Taint;
use apimachinery::{Kind, SignedDuration, Timestamp};
use apiserver::{ApiConfig, ApiServer, WriteOptions};
use client::Component;
use controllers::ControllerManager;
use kubelet::{Kubelet, NodeConfig};
use profiles::Profile;
use scheduler::Scheduler;
use std::collections::BTreeMap;

pub use profiles::Profile as ClusterProfile;

/// When a fresh cluster's `kubeadm init` ran (the simulated epoch).
pub const EPOCH_RFC3339: &str = "2026-01-05T08:55:00Z";
/// How long the cluster has been up when the user gets the prompt.
pub const BOOT_SECONDS: i64 = 300;
/// Events expire after this long (kube-apiserver --event-ttl).
pub const EVENT_TTL_SECONDS: i64 = 3600;
/// kube-apiserver compacts etcd every 5 minutes.
pub const COMPACTION_INTERVAL_SECONDS: i64 = 300;
/// Bound on work rounds while settling one instant: a livelock is a bug.
pub const MAX_SETTLE_ROUNDS: usize = 100_000;

pub struct World {
    pub profile: Profile,
    pub seed: u64,
    api: ApiServer,
    scheduler: Scheduler,
    controllers: ControllerManager,
    /// Kubelets in node-name order; `kubelet_index` finds one by name.
    kubelets: Vec<Kubelet>,
    kubelet_index: BTreeMap<String, usize>,
    /// Per component (scheduler, controller manager, kubelets...): whether
    /// it may have work now (an event concerned it, or its last run did work).
    dirty: Vec<bool>,
    /// Per component: its `next_wake` as of its last run. A component's
    /// timers change only when it runs (an event that gives it work marks it
    /// dirty, and it runs), so the world need not ask again every round.
    wakes: Vec<Option<Timestamp>>,
    /// The store revision up to which changes were delivered.
    delivered: u64,
    next_maintenance: Timestamp,
    /// Revision at the previous compaction tick (compacted at the next one).
    last_tick_revision: u64,
    /// Set when a settle hit MAX_SETTLE_ROUNDS (a bug worth surfacing).
    pub livelocks: u64,
    /// Work counters, for benchmarks and the UI's "what happened" view.
    pub stats: Stats,
    /// The data plane: kube-proxy, DNS, the images' servers.
    network: network::Network,
}

/// The kubelets, as the data plane reads them.
struct KubeletsView<'a> {
    kubelets: &'a [Kubelet],
    index: &'a BTreeMap<String, usize>,
}

impl network::Nodes for KubeletsView<'_> {
    fn kubelet(&self, node: &str) -> Option<&Kubelet> {
        self.index.get(node).map(|&i| &self.kubelets[i])
    }
}

/// How much work the world has done (deterministic counts, not times).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub settle_rounds: u64,
    pub component_runs: u64,
    pub component_runs_with_work: u64,
    pub events_delivered: u64,
    pub clock_steps: u64,
}

pub fn epoch() -> Timestamp {
    EPOCH_RFC3339.parse().expect("valid epoch")
}

impl World {
    /// A new cluster of `profile`, booted and settled: the user's first
    /// command runs `BOOT_SECONDS` after `kubeadm init`.
    pub fn new(profile: Profile, seed: u64) -> World {
        let mut w = World::new_unbooted(profile, seed);
        w.advance(SignedDuration::from_secs(BOOT_SECONDS));
        w
    }

    /// The cluster at the instant its control plane came up.
    pub fn new_unbooted(profile: Profile, seed: u64) -> World {
        let t0 = epoch();
        let mut api = ApiServer::new(seed, t0, ApiConfig::default());
        let opts = WriteOptions::default();
        for ns in bootstrap::namespaces() {
            api.create(ns, &opts).expect("system namespaces are valid");
        }
        let mut kubelets_by_name = BTreeMap::new();
        for (i, n) in profile.nodes.iter().enumerate() {
            let mut taints = vec![];
            if n.control_plane && profile.taint_control_plane {
                taints.push(Taint { key: "node-role.kubernetes.io/control-plane".into(), effect: "NoSchedule".into(), ..Default::default() });
            }
            let config = NodeConfig {
                name: n.name.clone(),
                internal_ip: n.ip.clone(),
                labels: profile.node_labels(n),
                taints,
                cpu: n.cpu.clone(),
                memory: n.memory.clone(),
                ephemeral_storage: "61202244Ki".into(),
                pods: "110".into(),
                os_image: profile.os_image.into(),
                kernel_version: profile.kernel_version.into(),
                container_runtime_version: profile.container_runtime_version.into(),
                architecture: "amd64".into(),
                pod_cidr: n.pod_cidr.clone(),
                static_pods: if n.control_plane { bootstrap::static_pods(&profile) } else { vec![] },
            };
            let mut kubelet = Kubelet::new(config, seed.wrapping_add(1000 + i as u64));
            kubelet.set_probe_oracle(Box::new(network::probes::ProbeAnswers));
            kubelets_by_name.insert(n.name.clone(), kubelet);
        }
        let kubelet_index: BTreeMap<String, usize> = kubelets_by_name.keys().enumerate().map(|(i, k)| (k.clone(), i)).collect();
        let kubelets: Vec<Kubelet> = kubelets_by_name.into_values().collect();
        let dirty = vec![true; 2 + kubelets.len()];
        let wakes = vec![None; 2 + kubelets.len()];
        let load_balancer = profile.load_balancer;
        let mut w = World {
            profile,
            seed,
            api,
            scheduler: Scheduler::new(seed),
            controllers: ControllerManager::new(seed, Some(load_balancer)),
            kubelets,
            kubelet_index,
            dirty,
            wakes,
            delivered: 0,
            next_maintenance: t0 + SignedDuration::from_secs(COMPACTION_INTERVAL_SECONDS),
            last_tick_revision: 0,
            livelocks: 0,
            stats: Stats::default(),
            network: network::Network::new(seed),
        };
        // Let the controllers create service accounts before add-on pods need them.
        w.settle();
        for o in bootstrap::addons(&w.profile) {
            // Add-ons are fixed data; a failure here is a bug in bootstrap.
            w.api.create(o, &opts).expect("bootstrap add-ons are valid");
            w.settle();
        }
        w
    }

    pub fn now(&self) -> Timestamp {
        self.api.now()
    }
    pub fn api(&self) -> &ApiServer {
        &self.api
    }
    /// The API server, for requests; call `settle` afterwards so that the
    /// components react at the same instant.
    pub fn api_mut(&mut self) -> &mut ApiServer {
        &mut self.api
    }
    pub fn scheduler(&self) -> &Scheduler {
        &self.scheduler
    }
    pub fn kubelet(&self, node: &str) -> Option<&Kubelet> {
        self.kubelet_index.get(node).map(|&i| &self.kubelets[i])
    }
    /// A kubelet to act on (stop, restart...): it is given a chance to run.
    pub fn kubelet_mut(&mut self, node: &str) -> Option<&mut Kubelet> {
        let i = *self.kubelet_index.get(node)?;
        // Whatever the caller changes (stop, restart), it gets a run now.
        self.dirty[2 + i] = true;
        Some(&mut self.kubelets[i])
    }
    /// `minikube tunnel` starts (it then runs for the rest of the session):
    /// LoadBalancer Services get their ClusterIP as external address at
    /// the tunnel's next 5-second check.
    pub fn start_minikube_tunnel(&mut self) {
        let now = self.api.now();
        self.controllers.start_minikube_tunnel(now);
        self.dirty[1] = true;
    }

    /// The data plane (request records for the diagram and tests).
    pub fn network(&self) -> &network::Network {
        &self.network
    }

    /// An HTTP request from `source` to `ip:port` through kube-proxy to the
    /// serving container, at this instant. What the server logged is
    /// appended to its container's log (`kubectl logs`).
    pub fn http(&mut self, source: &network::Source, ip: &str, port: u16, request: &network::http::Request) -> Result<network::Exchange, network::ConnectError> {
        let World { api, network, kubelets, kubelet_index, .. } = self;
        let view = KubeletsView { kubelets, index: kubelet_index };
        let exchange = network.http(api, &view, source, ip, port, request)?;
        for (node, ns, pod, container) in &exchange.servers {
            let Some(&i) = self.kubelet_index.get(node) else { continue };
            let lines: Vec<String> = exchange.logs.iter().filter(|l| (&l.0, &l.1, &l.2, &l.3) == (node, ns, pod, container)).map(|l| l.4.clone()).collect();
            self.kubelets[i].append_container_log(ns, pod, container, &lines);
        }
        Ok(exchange)
    }

    /// ICMP echo through the data plane (`ping`): TTL and round trips in
    /// microseconds, or None if nothing answers.
    pub fn ping(&mut self, source: &network::Source, ip: &str, count: usize) -> Option<(u8, Vec<u32>)> {
        let World { api, network, .. } = self;
        network.ping(api, source, ip, count)
    }

    /// Replaces what a running container sees of its files (what a
    /// `kubectl exec` session left). Not a cluster event: no component
    /// needs to run.
    pub fn set_container_files(&mut self, node: &str, namespace: &str, pod: &str, container: &str, files: &BTreeMap<String, String>) {
        if let Some(&i) = self.kubelet_index.get(node) {
            self.kubelets[i].set_container_files(namespace, pod, container, files);
        }
    }

    /// The containers' processes run on between the kubelets' looks: their
    /// scripts' effects up to now are applied, and downloads they started
    /// go over the data plane.
    fn run_containers(&mut self) {
        let now = self.api.now();
        for k in 0..self.kubelets.len() {
            self.kubelets[k].catch_up(now);
            // A fetch's answer never starts another fetch, so one pass is enough.
            for fetch in self.kubelets[k].take_fetches() {
                let node = self.kubelets[k].node_name().to_string();
                let (body, log) = self.fetch(&node, &fetch);
                self.kubelets[k].complete_fetch(&fetch, body, &log);
            }
        }
    }

    /// BusyBox `wget -O FILE URL` from a container: the body, and what
    /// wget printed (networking/wget.c: "Connecting to", "saving to", the
    /// progress line, "saved"; or its error).
    fn fetch(&mut self, node: &str, f: &kubelet::Fetch) -> (Option<String>, Vec<String>) {
        let ip = self.kubelet(node).and_then(|k| k.pod_ip(&f.namespace, &f.pod)).unwrap_or_default();
        let source = network::Source::Pod { namespace: f.namespace.clone(), name: f.pod.clone(), ip, node: node.to_string() };
        let Some(network::http::Url { host, port, target, explicit_port }) = network::http::parse_url(&f.url) else {
            return (None, vec![format!("wget: bad address '{}'", f.url)]);
        };
        let authority = if explicit_port { format!("{host}:{port}") } else { host.clone() };
        let host = host.as_str();
        let Some(addr) = network::dns::literal_ipv4(host).or_else(|| network::dns::resolve_in_pod(&self.api, &f.namespace, host)) else {
            return (None, vec![format!("wget: bad address '{host}'")]);
        };
        let request = network::http::Request { method: "GET".into(), target, headers: vec![("Host".into(), authority.clone()), ("User-Agent".into(), "Wget".into()), ("Connection".into(), "close".into())], body: String::new() };
        let mut log = vec![format!("Connecting to {authority} ({addr}:{port})")];
        match self.http(&source, &addr, port, &request) {
            Ok(ex) if ex.response.status == 200 => {
                let name = f.path.rsplit('/').next().unwrap_or("");
                if f.path == "-" {
                    log.push("writing to stdout".into());
                    log.extend(ex.response.body.lines().map(str::to_string));
                } else {
                    log.push(format!("saving to '{}'", f.path));
                }
                let len = ex.response.body.len();
                log.push(format!("{name:<20} 100% |********************************| {len:>5}  0:00:00 ETA"));
                if f.path == "-" {
                    log.push("written to stdout".into());
                } else {
                    log.push(format!("'{}' saved", f.path));
                }
                (Some(ex.response.body), log)
            }
            Ok(ex) => {
                log.push(format!("wget: server returned error: {}", ex.response.status_line()));
                (None, log)
            }
            Err(network::ConnectError::Refused) => (None, vec![format!("wget: can't connect to remote host ({addr}): Connection refused")]),
            Err(network::ConnectError::Timeout) => (None, vec![format!("wget: can't connect to remote host ({addr}): Connection timed out")]),
        }
    }

    /// Where a shell on the control-plane node connects from.
    pub fn host_source(&self) -> network::Source {
        let cp = self.profile.control_plane();
        network::Source::Node { name: cp.name.clone(), ip: cp.ip.clone() }
    }

    pub fn node_names(&self) -> impl Iterator<Item = &String> {
        self.kubelet_index.keys()
    }

    /// Delivers committed changes to every component's informer handlers.
    fn deliver(&mut self) {
        let since = self.delivered;
        // Observers only read the events: they are delivered from the
        // store's history in place.
        let World { api, scheduler, controllers, kubelets, kubelet_index, dirty, delivered, stats, .. } = self;
        let events = match api.events_since(since) {
            Ok(it) => it,
            // Components are always current before compaction runs; a gap is a bug.
            Err(e) => panic!("component watch fell behind compaction: {e:?}"),
        };
        for e in events {
            *delivered = e.revision;
            stats.events_delivered += 1;
            dirty[0] |= scheduler.observe(e);
            dirty[1] |= controllers.observe(e);
            // A kubelet watches only the pods bound to its node (the
            // `spec.nodeName` field selector of its pod informer): route each
            // pod change to the node it was and is bound to.
            if e.key.kind != Kind::Pod {
                continue;
            }
            let now_on = node_of(&e.object);
            let was_on = e.prev.as_deref().and_then(node_of);
            for node in [now_on, was_on.filter(|w| Some(*w) != now_on)].into_iter().flatten() {
                if let Some(&i) = kubelet_index.get(node) {
                    dirty[2 + i] |= kubelets[i].observe(e);
                }
            }
        }
    }

    /// Runs components until nothing more is due at this instant. A
    /// component runs when an event concerned it, its last run did work, or
    /// one of its timers is due.
    pub fn settle(&mut self) {
        for _ in 0..MAX_SETTLE_ROUNDS {
            self.stats.settle_rounds += 1;
            self.deliver();
            let mut progressed = false;
            let now = self.api.now();
            // Each component runs, then its writes are delivered before the next
            // runs, as watches would deliver them.
            let n = 2 + self.kubelets.len();
            for i in 0..n {
                let ran = {
                    let World { api, scheduler, controllers, kubelets, dirty, wakes, .. } = self;
                    let c: &mut dyn Component = match i {
                        0 => scheduler,
                        1 => controllers,
                        _ => &mut kubelets[i - 2],
                    };
                    if !dirty[i] && wakes[i].is_none_or(|t| t > now) {
                        continue;
                    }
                    let ran = c.run(api);
                    dirty[i] = ran;
                    wakes[i] = c.next_wake();
                    ran
                };
                self.stats.component_runs += 1;
                if ran {
                    self.stats.component_runs_with_work += 1;
                    progressed = true;
                    self.deliver();
                }
            }
            if !progressed {
                self.run_containers();
                return;
            }
        }
        self.livelocks += 1;
    }

    pub fn next_wake(&mut self) -> Option<Timestamp> {
        self.wakes.iter().flatten().copied().chain([self.next_maintenance]).min()
    }

    fn set_clock(&mut self, t: Timestamp) {
        if t > self.api.now() {
            self.api.set_now(t);
        }
        if self.api.now() >= self.next_maintenance {
            // Periodic apiserver work: event TTL and etcd compaction of what
            // was already history at the previous tick.
            let compact_to = self.last_tick_revision;
            self.last_tick_revision = self.api.store().revision();
            self.api.expire(SignedDuration::from_secs(EVENT_TTL_SECONDS), Some(compact_to.min(self.delivered)));
            self.next_maintenance = self.api.now() + SignedDuration::from_secs(COMPACTION_INTERVAL_SECONDS);
        }
    }

    /// Lets `d` of simulated time pass, running every timer that falls due.
    pub fn advance(&mut self, d: SignedDuration) {
        let target = self.api.now() + d;
        self.run_until(target, |_| false);
    }

    /// Runs the world until `done` holds (checked after every step) or the
    /// clock reaches `deadline`. Returns whether `done` held. The clock ends
    /// at the moment `done` became true, or at `deadline`.
    pub fn run_until(&mut self, deadline: Timestamp, mut done: impl FnMut(&World) -> bool) -> bool {
        self.settle();
        if done(self) {
            return true;
        }
        loop {
            let now = self.api.now();
            let next = match self.next_wake() {
                Some(t) if t <= deadline => t.max(now + SignedDuration::from_millis(1)),
                _ => break,
            };
            self.stats.clock_steps += 1;
            self.set_clock(next);
            self.settle();
            if done(self) {
                return true;
            }
        }
        self.set_clock(deadline);
        self.settle();
        done(self)
    }

    /// A hash of the whole cluster state: every stored object (in key
    /// order, as JSON), the revision and the clock. FNV-1a 64, stable across
    /// platforms and Rust versions.
    pub fn state_hash(&self) -> u64 {
        let mut h = Fnv64::new();
        h.write(self.api.now().to_string().as_bytes());
        h.write(&self.api.store().revision().to_le_bytes());
        for o in self.api.store().all() {
            h.write(serde_json::to_string(&o.to_value()).unwrap_or_default().as_bytes());
            h.write(b"\n");
        }
        h.finish()
    }
}

fn node_of(o: &apimachinery::Object) -> Option<&str> {
    match o {
        apimachinery::Object::Pod(p) => p.spec.as_ref().and_then(|s| s.node_name.as_deref()).filter(|n| !n.is_empty()),
        _ => None,
    }
}

/// FNV-1a, 64 bit.
pub struct Fnv64(u64);

impl Default for Fnv64 {
    fn default() -> Self {
        Self::new()
    }
}

impl Fnv64 {
    pub fn new() -> Fnv64 {
        Fnv64(0xcbf2_9ce4_8422_2325)
    }
    pub fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= *b as u64;
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    pub fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use apimachinery::Object;

    /// A 3-replica echoserver Deployment behind a ClusterIP Service, then
    /// `n` requests from the control-plane node: the pods that answered.
    fn endpoint_sequence(seed: u64, n: usize) -> Vec<String> {
        let mut w = World::new(Profile::kubeadm(3), seed);
        let deploy = serde_json::json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "hello", "namespace": "default", "labels": {"app": "hello"}},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "hello"}},
                "template": {"metadata": {"labels": {"app": "hello"}}, "spec": {"containers": [{"name": "echo", "image": "registry.k8s.io/echoserver:1.10"}]}}}
        });
        let svc = serde_json::json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "hello-service", "namespace": "default"},
            "spec": {"selector": {"app": "hello"}, "ports": [{"port": 80, "targetPort": 8080}]}
        });
        for (kind, v) in [(Kind::Deployment, deploy), (Kind::Service, svc)] {
            let o = Object::from_value(kind, v).expect("valid object");
            w.api_mut().create(o, &WriteOptions::default()).expect("created");
        }
        w.advance(SignedDuration::from_secs(30));
        let ip = match &*w.api().get(Kind::Service, "default", "hello-service").expect("service exists") {
            Object::Service(s) => s.spec.as_ref().and_then(|s| s.cluster_ip.clone()).expect("has a ClusterIP"),
            _ => unreachable!(),
        };
        let source = w.host_source();
        let req = network::http::Request { method: "GET".into(), target: "/".into(), headers: vec![("Host".into(), ip.clone())], body: String::new() };
        for _ in 0..n {
            w.http(&source, &ip, 80, &req).expect("the service answers");
        }
        // Pod names differ between seeds: compare which of the (sorted) pods answered.
        let pods: Vec<String> = w.network().records().map(|r| r.pod.clone().unwrap_or_default()).collect();
        let mut names = pods.clone();
        apimachinery::sort::sort(&mut names);
        names.dedup();
        pods.iter().map(|p| format!("pod{}", names.iter().position(|n| n == p).unwrap_or(99))).collect()
    }

    #[test]
    fn request_path_is_deterministic_under_a_seed() {
        let a = endpoint_sequence(5, 30);
        assert_eq!(a.len(), 30);
        assert_eq!(a, endpoint_sequence(5, 30), "same seed, same endpoints");
        assert_ne!(a, endpoint_sequence(6, 30), "another seed, another sequence");
        let distinct: std::collections::BTreeSet<&String> = a.iter().collect();
        assert_eq!(distinct.len(), 3, "30 requests reach all 3 pods: {a:?}");
    }

    #[test]
    fn boots_deterministically() {
        let a = World::new(Profile::kubeadm(3), 7);
        let b = World::new(Profile::kubeadm(3), 7);
        assert_eq!(a.state_hash(), b.state_hash());
        assert_eq!(a.now().to_string(), "2026-01-05T09:00:00Z");
        assert_eq!(a.livelocks, 0);
    }
}
