//! The cluster's data plane, as a pure library over the API server's state
//! and the kubelets' running containers.
//!
//! A connection goes the way a packet goes in a kubeadm cluster with
//! kube-proxy in iptables mode (pkg/proxy/iptables/proxier.go): a Service
//! VIP (ClusterIP:port) or a NodePort on any node's address is DNATed to
//! one ready endpoint from the Service's EndpointSlices, chosen uniformly
//! at random (the `-m statistic --mode random` cascade) from this crate's
//! seeded RNG, or the same one again under `sessionAffinity: ClientIP`
//! (`-m recent`, 10800 s by default); no ready endpoint is a REJECT
//! (connection refused). A pod IP goes to the pod, where a container whose
//! image serves that port answers (servers.rs) — or nothing listens and
//! the pod resets the connection. Names resolve as CoreDNS answers them
//! (dns.rs).
//!
//! Every request is recorded (source, VIP, chosen endpoint, status), for
//! the diagram to animate and for tests.

pub mod dns;
pub mod http;
pub mod ingress;
pub mod internet;
pub mod probes;
pub mod servers;

use apimachinery::k8s_openapi::api::core::v1::{LoadBalancerIngress, Node, Pod, Service, ServicePort};
use apimachinery::rng::SimRng;
use std::sync::Arc;
use apimachinery::selector::Selector;
use apimachinery::{Kind, Object, Timestamp};
use apiserver::ApiServer;
use http::{Request, Response};
use kubelet::Kubelet;
use std::collections::{BTreeMap, VecDeque};

/// Stream id of the data plane's RNG ("network").
pub const RNG_STREAM: u64 = 0x6e65_7477_6f72_6b00;
/// How many request records are kept.
pub const MAX_RECORDS: usize = 4096;
/// Bound on remembered ClientIP affinities.
pub const MAX_AFFINITIES: usize = 65_536;
/// sessionAffinityConfig.clientIP.timeoutSeconds default.
pub const DEFAULT_AFFINITY_TIMEOUT_SECONDS: i64 = 10_800;
/// First port of Linux's ephemeral range (net.ipv4.ip_local_port_range).
const EPHEMERAL_LOW: u64 = 32_768;
const EPHEMERAL_HIGH: u64 = 60_999;

/// Where a connection comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A process in a pod (`kubectl exec`).
    Pod { namespace: String, name: String, ip: String, node: String },
    /// A shell on a node (the lab's control-plane node).
    Node { name: String, ip: String },
}

impl Source {
    pub fn ip(&self) -> &str {
        match self {
            Source::Pod { ip, .. } | Source::Node { ip, .. } => ip,
        }
    }
    pub fn node(&self) -> &str {
        match self {
            Source::Pod { node, .. } => node,
            Source::Node { name, .. } => name,
        }
    }
    fn label(&self) -> String {
        match self {
            Source::Pod { namespace, name, .. } => format!("pod/{namespace}/{name}"),
            Source::Node { name, .. } => format!("node/{name}"),
        }
    }
}

/// Why a connection failed, as the client's socket sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConnectError {
    /// RST or ICMP port-unreachable (REJECT): "Connection refused".
    Refused,
    /// Nothing answers (no route, a VIP port kube-proxy has no rule for).
    Timeout,
}

/// One request through the data plane.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestRecord {
    pub id: u64,
    pub at: Timestamp,
    /// `pod/default/shell-demo`, `node/m-k8s`.
    pub source: String,
    pub source_ip: String,
    /// What the client connected to: `10.96.12.34:80`.
    pub destination: String,
    /// The Service whose VIP or NodePort it was: `default/hello-service`.
    pub service: Option<String>,
    /// The endpoint kube-proxy chose (or the pod connected to): `172.16.1.2:8080`.
    pub endpoint: Option<String>,
    /// The pod that answered: `default/web-7c5ddbdf54-x2kqp`.
    pub pod: Option<String>,
    /// The HTTP status, or the connection error.
    pub outcome: Result<u16, ConnectError>,
}

/// Read access to the nodes' kubelets (the world implements it).
pub trait Nodes {
    fn kubelet(&self, node: &str) -> Option<&Kubelet>;
}

/// A log line a container wrote while serving: (node, namespace, pod, container, line).
pub type LogLine = (String, String, String, String, String);

/// The result of one HTTP exchange.
#[derive(Clone, Debug)]
pub struct Exchange {
    pub response: Response,
    /// The address actually connected to after DNAT (`ip:port`).
    pub endpoint: String,
    /// Lines the serving container wrote; the caller appends them to its log.
    pub logs: Vec<LogLine>,
    /// The containers that served, the first contacted first (a proxy,
    /// then its upstream): (node, namespace, pod, container). Each counts
    /// the connection and keeps its lines of `logs`.
    pub servers: Vec<(String, String, String, String)>,
}

/// Where kube-proxy sends a connection.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Route {
    pod_ip: String,
    port: u16,
    service: Option<String>,
    /// The client address the backend sees (after SNAT, if any).
    client_ip: String,
}

#[derive(Clone, Debug)]
struct Affinity {
    endpoint: (String, u16),
    last_used: Timestamp,
}

/// The data plane's state: its RNG, ClientIP affinities, request records.
pub struct Network {
    rng: SimRng,
    /// (service key, service port, client IP) → endpoint.
    affinity: BTreeMap<(String, i32, String), Affinity>,
    records: VecDeque<RequestRecord>,
    next_id: u64,
    /// ingress-nginx's round-robin position per upstream (`ns-svc-port`).
    round_robin: BTreeMap<String, u64>,
}

/// Every object of `kind`, shared with the API server's cache (a request
/// reads them; copying 1,000 pods per request would dominate its cost).
fn listed(api: &ApiServer, kind: Kind) -> Vec<Arc<Object>> {
    api.list(kind, None, &Selector::everything(), &[]).map(|l| l.items).unwrap_or_default()
}

fn typed<T: apimachinery::kinds::TypedObject>(objects: &[Arc<Object>]) -> Vec<&T> {
    objects.iter().filter_map(|o| o.as_typed::<T>()).collect()
}

/// The live (not finished) pod whose IP is `ip`.
fn pod_with_ip<'a>(pods: &[&'a Pod], ip: &str) -> Option<&'a Pod> {
    pods.iter().copied().find(|p| p.status.as_ref().is_some_and(|st| st.pod_ip.as_deref() == Some(ip) && !matches!(st.phase.as_deref(), Some("Succeeded") | Some("Failed"))))
}

fn node_internal_ip(n: &Node) -> Option<String> {
    n.status.as_ref()?.addresses.as_ref()?.iter().find(|a| a.type_ == "InternalIP").map(|a| a.address.clone())
}

/// The node-side address of a node's pod network (the bridge or tunnel
/// device: the first address of its pod CIDR), which SNATed traffic
/// carries. [approximation: Calico's tunl0 takes its block's first address.]
fn node_pod_gateway(n: &Node) -> Option<String> {
    kubelet::ipam::first_address(n.spec.as_ref()?.pod_cidr.as_deref()?)
}

fn load_balancer_ingress(s: &Service) -> Vec<LoadBalancerIngress> {
    let is_lb = s.spec.as_ref().and_then(|sp| sp.type_.as_deref()) == Some("LoadBalancer");
    if !is_lb {
        return vec![];
    }
    s.status.as_ref().and_then(|st| st.load_balancer.as_ref()).and_then(|lb| lb.ingress.clone()).unwrap_or_default()
}

/// The TCP service port `port` of a Service.
fn service_port(s: &Service, port: u16) -> Option<&ServicePort> {
    s.spec.as_ref()?.ports.as_ref()?.iter().find(|p| p.port == port as i32 && p.protocol.as_deref().unwrap_or("TCP") == "TCP")
}

fn svc_key(s: &Service) -> String {
    format!("{}/{}", s.metadata.namespace.as_deref().unwrap_or(""), s.metadata.name.as_deref().unwrap_or(""))
}

/// Ready endpoints of one service port, sorted by `ip:port` as kube-proxy
/// sorts its endpoint chains: (ip, target port).
pub fn ready_endpoints(api: &ApiServer, svc: &Service, port_name: &str) -> Vec<(String, u16)> {
    let ns = svc.metadata.namespace.as_deref().unwrap_or("");
    let name = svc.metadata.name.as_deref().unwrap_or("");
    let Ok(sel) = Selector::parse(&format!("kubernetes.io/service-name={name}")) else { return vec![] };
    let Ok(list) = api.list(Kind::EndpointSlice, Some(ns), &sel, &[]) else { return vec![] };
    // Ordered by "ip:port" text (as the iptables rules list them), once each.
    let mut keyed: Vec<(String, (String, u16))> = vec![];
    for o in &list.items {
        let Object::EndpointSlice(s) = &**o else { continue };
        let Some(port) = s.ports.iter().flatten().find(|p| p.name.as_deref().unwrap_or("") == port_name).and_then(|p| p.port) else { continue };
        let port = port.clamp(0, 65535) as u16;
        for e in s.endpoints.iter().flatten() {
            let c = e.conditions.as_ref();
            // kube-proxy uses endpoints that are ready (serving and not terminating).
            if c.and_then(|c| c.ready).unwrap_or(true) && !c.and_then(|c| c.terminating).unwrap_or(false) {
                keyed.extend(e.addresses.iter().map(|a| (format!("{a}:{port}"), (a.clone(), port))));
            }
        }
    }
    apimachinery::sort::sort_by(&mut keyed, |a, b| a.0.cmp(&b.0));
    keyed.dedup_by(|a, b| a.0 == b.0);
    keyed.into_iter().map(|(_, ep)| ep).collect()
}

impl Network {
    pub fn new(seed: u64) -> Network {
        Network { rng: SimRng::new(seed, RNG_STREAM), affinity: BTreeMap::new(), records: VecDeque::new(), next_id: 1, round_robin: BTreeMap::new() }
    }

    /// The requests that went through the data plane, oldest first (at most
    /// [`MAX_RECORDS`]).
    pub fn records(&self) -> impl Iterator<Item = &RequestRecord> {
        self.records.iter()
    }

    fn record(&mut self, mut r: RequestRecord) {
        r.id = self.next_id;
        self.next_id += 1;
        self.records.push_back(r);
        while self.records.len() > MAX_RECORDS {
            self.records.pop_front();
        }
    }

    /// kube-proxy's endpoint choice for a service port.
    fn choose(&mut self, svc: &Service, port: i32, port_name: &str, client_ip: &str, now: Timestamp, api: &ApiServer) -> Option<(String, u16)> {
        let endpoints = ready_endpoints(api, svc, port_name);
        if endpoints.is_empty() {
            return None;
        }
        let spec = svc.spec.clone().unwrap_or_default();
        let key = (svc_key(svc), port, client_ip.to_string());
        if spec.session_affinity.as_deref() == Some("ClientIP") {
            let timeout = spec.session_affinity_config.as_ref().and_then(|c| c.client_ip.as_ref()).and_then(|c| c.timeout_seconds).map(i64::from).unwrap_or(DEFAULT_AFFINITY_TIMEOUT_SECONDS);
            if let Some(a) = self.affinity.get_mut(&key) {
                let fresh = now.duration_since(a.last_used).as_secs() < timeout;
                if fresh && endpoints.contains(&a.endpoint) {
                    a.last_used = now;
                    return Some(a.endpoint.clone());
                }
            }
            let chosen = endpoints[self.rng.below(endpoints.len() as u64) as usize].clone();
            if self.affinity.len() >= MAX_AFFINITIES {
                if let Some(k) = self.affinity.keys().next().cloned() {
                    self.affinity.remove(&k);
                }
            }
            self.affinity.insert(key, Affinity { endpoint: chosen.clone(), last_used: now });
            return Some(chosen);
        }
        // The iptables cascade (probability 1/(n-i) for rule i) picks each
        // endpoint with probability 1/n: one uniform draw is the same law.
        Some(endpoints[self.rng.below(endpoints.len() as u64) as usize].clone())
    }

    /// kube-proxy's DNAT of a service port to one of its ready endpoints.
    fn dnat_to_endpoint(&mut self, api: &ApiServer, svc: &Service, sp: &ServicePort, source: &Source, client_ip: String, now: Timestamp) -> Result<Route, (ConnectError, Option<String>)> {
        let key = svc_key(svc);
        let name = sp.name.clone().unwrap_or_default();
        let Some((pod_ip, target)) = self.choose(svc, sp.port, &name, source.ip(), now, api) else {
            return Err((ConnectError::Refused, Some(key)));
        };
        Ok(Route { pod_ip, port: target, service: Some(key), client_ip })
    }

    /// Where a connection from `source` to `ip:port` goes.
    fn route(&mut self, api: &ApiServer, source: &Source, ip: &str, port: u16) -> Result<Route, (ConnectError, Option<String>)> {
        let now = api.now();
        let node_objs = listed(api, Kind::Node);
        let node_list: Vec<&Node> = typed(&node_objs);
        let source_node = node_list.iter().copied().find(|n| n.metadata.name.as_deref() == Some(source.node()));
        let gateway = |n: Option<&Node>| n.and_then(node_pod_gateway).unwrap_or_else(|| source.ip().to_string());
        let svc_objs = listed(api, Kind::Service);
        let svcs: Vec<&Service> = typed(&svc_objs);
        // Docker Desktop publishes a LoadBalancer's ports on the host's
        // localhost (vpnkit); SNATed like NodePort traffic.
        if ip.starts_with("127.") && matches!(source, Source::Node { .. }) {
            let published = svcs.iter().filter(|s| load_balancer_ingress(s).iter().any(|i| i.hostname.as_deref() == Some("localhost")));
            if let Some((svc, sp)) = published.filter_map(|s| Some((s, service_port(s, port)?))).next() {
                return self.dnat_to_endpoint(api, svc, sp, source, gateway(source_node), now);
            }
        }
        // Loopback: a pod's own address; on a node, kube-proxy also answers
        // NodePorts on localhost (--iptables-localhost-nodeports).
        let ip = if ip.starts_with("127.") {
            match source {
                Source::Pod { ip: own, .. } => own.clone(),
                Source::Node { ip: own, .. } => own.clone(),
            }
        } else {
            ip.to_string()
        };
        // ClusterIP:port (KUBE-SERVICES → KUBE-SVC-…).
        if let Some(svc) = svcs.iter().find(|s| s.spec.as_ref().and_then(|sp| sp.cluster_ip.as_deref()) == Some(ip.as_str())) {
            let key = svc_key(svc);
            let Some(sp) = svc.spec.as_ref().and_then(|sp| sp.ports.as_ref()).and_then(|ps| ps.iter().find(|p| p.port == port as i32 && p.protocol.as_deref().unwrap_or("TCP") == "TCP")) else {
                return Err((ConnectError::Timeout, Some(key)));
            };
            let name = sp.name.clone().unwrap_or_default();
            let Some((pod_ip, target)) = self.choose(svc, sp.port, &name, source.ip(), now, api) else {
                return Err((ConnectError::Refused, Some(key)));
            };
            // Pod → ClusterIP keeps the pod's address; a node's own traffic
            // is masqueraded (KUBE-MARK-MASQ for sources outside the pod CIDR).
            let client_ip = match source {
                Source::Pod { ip, .. } => ip.clone(),
                Source::Node { .. } => gateway(source_node),
            };
            return Ok(Route { pod_ip, port: target, service: Some(key), client_ip });
        }
        // A LoadBalancer's ingress IP (KUBE-SERVICES → KUBE-EXT-…): every
        // node's kube-proxy handles it; with externalTrafficPolicy Cluster
        // the traffic is masqueraded.
        if let Some(svc) = svcs.iter().find(|s| load_balancer_ingress(s).iter().any(|i| i.ip.as_deref() == Some(ip.as_str()))) {
            let Some(sp) = service_port(svc, port) else {
                // Nothing is programmed for that port: the node resets it.
                return Err((ConnectError::Refused, Some(svc_key(svc))));
            };
            return self.dnat_to_endpoint(api, svc, sp, source, gateway(source_node), now);
        }
        // NodeIP:NodePort on any node (KUBE-NODEPORTS), SNATed on entry.
        if let Some(entry) = node_list.iter().find(|n| node_internal_ip(n).as_deref() == Some(ip.as_str())) {
            for svc in &svcs {
                let spec = svc.spec.clone().unwrap_or_default();
                if !matches!(spec.type_.as_deref(), Some("NodePort") | Some("LoadBalancer")) {
                    continue;
                }
                let Some(sp) = spec.ports.iter().flatten().find(|p| p.node_port == Some(port as i32) && p.protocol.as_deref().unwrap_or("TCP") == "TCP") else { continue };
                let key = svc_key(svc);
                let name = sp.name.clone().unwrap_or_default();
                let Some((pod_ip, target)) = self.choose(svc, sp.port, &name, source.ip(), now, api) else {
                    return Err((ConnectError::Refused, Some(key)));
                };
                return Ok(Route { pod_ip, port: target, service: Some(key), client_ip: gateway(Some(entry)) });
            }
            // A container's hostPort on that node (the CNI portmap plugin's DNAT).
            let entry_name = entry.metadata.name.clone().unwrap_or_default();
            let pod_objs = listed(api, Kind::Pod);
            let pods: Vec<&Pod> = typed(&pod_objs);
            for pod in pods.iter().filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(entry_name.as_str())) {
                let host_port = pod.spec.iter().flat_map(|s| s.containers.iter()).flat_map(|c| c.ports.iter().flatten()).find(|cp| cp.host_port == Some(port as i32));
                let pod_ip = pod.status.as_ref().and_then(|st| st.pod_ip.clone());
                if let (Some(cp), Some(pod_ip)) = (host_port, pod_ip) {
                    return Ok(Route { pod_ip, port: cp.container_port.clamp(0, 65535) as u16, service: None, client_ip: gateway(Some(entry)) });
                }
            }
            // Nothing listens on that port of the node.
            return Err((ConnectError::Refused, None));
        }
        // A pod IP: routed straight to the pod (no NAT between pods).
        let client_ip = match source {
            Source::Pod { ip, .. } => ip.clone(),
            Source::Node { .. } => gateway(source_node),
        };
        Ok(Route { pod_ip: ip, port, service: None, client_ip })
    }

    /// ICMP echo from `source` to `ip`, `count` times: the replies' TTL
    /// and round trips in microseconds, or None if nothing answers. Pods
    /// (with a sandbox) and nodes answer; a ClusterIP does not (iptables
    /// mode DNATs only the Service's ports). [approximation: TTL 64 on the
    /// same node and 63 across nodes, whatever the CNI's routing.]
    pub fn ping(&mut self, api: &ApiServer, source: &Source, ip: &str, count: usize) -> Option<(u8, Vec<u32>)> {
        let count = count.min(1000);
        let own = ip == source.ip() || ip.starts_with("127.");
        let node_objs = listed(api, Kind::Node);
        let node_list: Vec<&Node> = typed(&node_objs);
        let target_node: Option<String> = if own {
            Some(source.node().to_string())
        } else if let Some(n) = node_list.iter().find(|n| node_internal_ip(n).as_deref() == Some(ip)) {
            n.metadata.name.clone()
        } else {
            let pod_objs = listed(api, Kind::Pod);
            pod_with_ip(&typed(&pod_objs), ip).and_then(|p| p.spec.as_ref().and_then(|s| s.node_name.clone()))
        };
        let (ttl, lo, hi) = match target_node {
            Some(n) if own || n == source.node() => (64, 30, 120),
            Some(_) => (63, 300, 900),
            None if internet::is_site(ip) => (50, 15_000, 25_000),
            None => return None,
        };
        let rtts = (0..count).map(|_| (lo + self.rng.below(hi - lo)) as u32).collect();
        Some((ttl, rtts))
    }

    /// Sends one HTTP request from `source` to `ip:port` (an address, not a
    /// name: resolve first with [`dns`]). Records it.
    pub fn http(&mut self, api: &ApiServer, nodes: &dyn Nodes, source: &Source, ip: &str, port: u16, request: &Request) -> Result<Exchange, ConnectError> {
        let now = api.now();
        let mut record = RequestRecord {
            id: 0,
            at: now,
            source: source.label(),
            source_ip: source.ip().to_string(),
            destination: format!("{ip}:{port}"),
            service: None,
            endpoint: None,
            pod: None,
            outcome: Err(ConnectError::Timeout),
        };
        let route = match self.route(api, source, ip, port) {
            Ok(r) => r,
            Err((e, service)) => {
                record.service = service;
                record.outcome = Err(e.clone());
                self.record(record);
                return Err(e);
            }
        };
        record.service = route.service.clone();
        record.endpoint = Some(format!("{}:{}", route.pod_ip, route.port));
        let result = self.deliver(api, nodes, &route, request, now, 0);
        match &result {
            Ok((ex, pod)) => {
                record.pod = Some(pod.clone());
                record.outcome = Ok(ex.response.status);
            }
            Err(e) => record.outcome = Err(e.clone()),
        }
        self.record(record);
        result.map(|(ex, _)| ex)
    }

    /// The pod behind `route.pod_ip` answers on `route.port`, if one of its
    /// running containers serves that port.
    fn deliver(&mut self, api: &ApiServer, nodes: &dyn Nodes, route: &Route, request: &Request, now: Timestamp, hops: u8) -> Result<(Exchange, String), ConnectError> {
        let pod_objs = listed(api, Kind::Pod);
        let Some(pod) = pod_with_ip(&typed(&pod_objs), &route.pod_ip) else {
            // A public site answers from outside; any other address that is
            // no pod's goes nowhere.
            if let Some(response) = internet::serve(&route.pod_ip, route.port, request, now) {
                return Ok((Exchange { response, endpoint: format!("{}:{}", route.pod_ip, route.port), logs: vec![], servers: vec![] }, route.pod_ip.clone()));
            }
            return Err(if internet::is_site(&route.pod_ip) { ConnectError::Refused } else { ConnectError::Timeout });
        };
        let ns = pod.metadata.namespace.clone().unwrap_or_default();
        let name = pod.metadata.name.clone().unwrap_or_default();
        let spec = pod.spec.clone().unwrap_or_default();
        let node = spec.node_name.clone().unwrap_or_default();
        let Some(kubelet) = nodes.kubelet(&node) else { return Err(ConnectError::Timeout) };
        for c in &spec.containers {
            let Some(proc_) = kubelet.container_process(&ns, &name, &c.name) else { continue };
            let Ok(r) = kubelet::images::parse(proc_.image) else { continue };
            let Some(server) = servers::server_at(&r, proc_.env, route.port) else { continue };
            if server == servers::Server::IngressNginx {
                let controller = Controller { namespace: &ns, pod: &name, node: &node, container: &c.name };
                return self.ingress_proxy(api, nodes, route, request, now, &controller, hops);
            }
            let connection = proc_.connections + 1;
            let client_port = (EPHEMERAL_LOW + self.rng.below(EPHEMERAL_HIGH - EPHEMERAL_LOW + 1)) as u16;
            let hostname = kubelet::rootfs::pod_hostname(&name, spec.hostname.as_deref());
            let ctx = servers::ServeCtx { hostname: &hostname, client_ip: &route.client_ip, client_port, now, files: &proc_.files, env: proc_.env, connection };
            let served = servers::serve(server, &ctx, request);
            let logs = served.log.into_iter().map(|l| (node.clone(), ns.clone(), name.clone(), c.name.clone(), l)).collect();
            let servers = vec![(node.clone(), ns.clone(), name.clone(), c.name.clone())];
            return Ok((Exchange { response: served.response, endpoint: format!("{}:{}", route.pod_ip, route.port), logs, servers }, format!("{ns}/{name}")));
        }
        // The pod is there but nothing listens on the port: RST.
        Err(ConnectError::Refused)
    }

    /// ingress-nginx in the controller pod: route by host and path
    /// (ingress.rs), proxy to one of the backend's ready endpoints (the
    /// lua balancer's round robin), log the `upstreaminfo` line. The hop
    /// from the controller to the backend pod is a request of its own.
    #[allow(clippy::too_many_arguments)]
    fn ingress_proxy(&mut self, api: &ApiServer, nodes: &dyn Nodes, route: &Route, request: &Request, now: Timestamp, controller: &Controller, hops: u8) -> Result<(Exchange, String), ConnectError> {
        const MAX_PROXY_HOPS: u8 = 4;
        let here = format!("{}:{}", route.pod_ip, route.port);
        let answered_by = format!("{}/{}", controller.namespace, controller.pod);
        let front = (controller.node.to_string(), controller.namespace.to_string(), controller.pod.to_string(), controller.container.to_string());
        let reply = |response: Response, logs: Vec<LogLine>, upstream: Vec<(String, String, String, String)>| {
            let servers = std::iter::once(front.clone()).chain(upstream).collect();
            Ok((Exchange { response, endpoint: here.clone(), logs, servers }, answered_by.clone()))
        };
        let host = request.header("Host").unwrap_or("");
        let Some(upstream) = ingress::route(api, host, request.path()) else {
            // The default server: `return 404`, access_log off.
            return reply(servers::ingress_default_backend(now, 404, request), vec![], vec![]);
        };
        let backend = ingress::backend_service(api, &upstream);
        let endpoints = backend.as_ref().map(|(svc, port)| ready_endpoints(api, svc, port)).unwrap_or_default();
        if endpoints.is_empty() || hops >= MAX_PROXY_HOPS {
            return reply(servers::ingress_default_backend(now, 503, request), vec![], vec![]);
        }
        let n = endpoints.len() as u64;
        let next = match self.round_robin.get(&upstream.name()) {
            Some(&i) => i,
            None => self.rng.below(n),
        };
        self.round_robin.insert(upstream.name(), next + 1);
        let (ep_ip, ep_port) = endpoints[(next % n) as usize].clone();
        let request_id = self.rng.hex(32);
        let proxied = ingress::proxied_request(request, ingress::rewritten_target(&upstream, &request.target), &route.client_ip, &request_id);
        let inner = Route { pod_ip: ep_ip.clone(), port: ep_port, service: Some(format!("{}/{}", upstream.namespace, upstream.service)), client_ip: route.pod_ip.clone() };
        let mut record = RequestRecord {
            id: 0,
            at: now,
            source: format!("pod/{}/{}", controller.namespace, controller.pod),
            source_ip: route.pod_ip.clone(),
            destination: format!("{ep_ip}:{ep_port}"),
            service: inner.service.clone(),
            endpoint: Some(format!("{ep_ip}:{ep_port}")),
            pod: None,
            outcome: Err(ConnectError::Timeout),
        };
        let result = self.deliver(api, nodes, &inner, &proxied, now, hops + 1);
        let (response, mut logs, served_by) = match result {
            Ok((ex, pod)) => {
                record.pod = Some(pod);
                record.outcome = Ok(ex.response.status);
                (ingress::proxied_response(ex.response, now), ex.logs, ex.servers)
            }
            Err(e) => {
                record.outcome = Err(e);
                (servers::ingress_default_backend(now, 502, request), vec![], vec![])
            }
        };
        self.record(record);
        // log-format-upstream (internal/ingress/controller/config/config.go).
        let request_length = request.request_line().len() + 2 + request.headers.iter().map(|(k, v)| k.len() + v.len() + 4).sum::<usize>() + 2 + request.body.len();
        let line = format!(
            "{} - - [{}] \"{}\" {} {} \"{}\" \"{}\" {request_length} 0.001 [{}] [] {ep_ip}:{ep_port} {} 0.001 {} {request_id}",
            route.client_ip,
            http::nginx_time_local(now),
            request.request_line(),
            response.status,
            response.body.len(),
            request.header("Referer").unwrap_or("-"),
            request.header("User-Agent").unwrap_or("-"),
            upstream.name(),
            response.body.len(),
            response.status,
        );
        logs.push((controller.node.to_string(), controller.namespace.to_string(), controller.pod.to_string(), controller.container.to_string(), line));
        reply(response, logs, served_by)
    }
}

/// The ingress-nginx controller container a request reached.
struct Controller<'a> {
    namespace: &'a str,
    pod: &'a str,
    node: &'a str,
    container: &'a str,
}

#[cfg(test)]
mod tests;
