//! Plain-data views of the cluster for the browser: the diagram's nodes,
//! pods and Services, the animated request path, the events pane, and a
//! pod's scheduling table. Everything here is read from the API server and
//! the scheduler as a client would see it; nothing is invented for show.

use apimachinery::k8s_openapi::api::core::v1::{Endpoints, Event, Node, Pod};
use apimachinery::selector::Selector;
use apimachinery::{Kind, Object, Timestamp};
use apiserver::printers;
use std::collections::BTreeMap;
use std::sync::Arc;
use world::World;

/// How a pod is drawn: its STATUS column, reduced to a colour class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PodClass {
    Running,
    Pending,
    Succeeded,
    Failed,
    Terminating,
}

impl PodClass {
    pub fn css(self) -> &'static str {
        match self {
            PodClass::Running => "running",
            PodClass::Pending => "pending",
            PodClass::Succeeded => "succeeded",
            PodClass::Failed => "failed",
            PodClass::Terminating => "terminating",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct PodView {
    pub namespace: String,
    pub name: String,
    /// The STATUS column of `kubectl get pods` (`Running`, `ContainerCreating`,
    /// `ImagePullBackOff`, `Terminating`, ...).
    pub status: String,
    /// The READY column (`1/1`).
    pub ready: String,
    pub class: PodClass,
    pub ip: String,
    /// A pod of the cluster's own machinery (kube-system).
    pub system: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NodeView {
    pub name: String,
    pub control_plane: bool,
    /// The STATUS column of `kubectl get nodes` (`Ready`, `NotReady`,
    /// `Ready,SchedulingDisabled`).
    pub status: String,
    pub ready: bool,
    pub internal_ip: String,
    pub pods: Vec<PodView>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ServiceView {
    pub namespace: String,
    pub name: String,
    pub type_: String,
    pub cluster_ip: String,
    /// The PORT(S) column.
    pub ports: String,
    /// Addresses behind the Service (from its Endpoints): the pod as
    /// namespace/name, or the bare IP for an address without a pod (the
    /// `kubernetes` Service's API server).
    pub endpoints: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct ClusterView {
    /// The store revision this view was read at.
    pub revision: u64,
    pub nodes: Vec<NodeView>,
    /// Pods no node has yet.
    pub unscheduled: Vec<PodView>,
    pub services: Vec<ServiceView>,
}

fn cell_text(t: &apiserver::table::Table, row: usize, column: &str) -> String {
    t.columns.iter().position(|c| c.name == column).and_then(|i| t.rows.get(row).and_then(|r| r.cells.get(i))).map(|c| c.text()).unwrap_or_default()
}

fn pod_views(pods: &[Arc<Object>], now: Timestamp) -> Vec<(Option<String>, PodView)> {
    let table = printers::print_table(Kind::Pod, pods, now);
    pods.iter()
        .enumerate()
        .filter_map(|(i, o)| {
            let Object::Pod(p) = &**o else { return None };
            let status = cell_text(&table, i, "Status");
            let class = match status.as_str() {
                "Running" => PodClass::Running,
                "Completed" | "Succeeded" => PodClass::Succeeded,
                "Terminating" => PodClass::Terminating,
                s if s.contains("Err") || s.contains("BackOff") || s == "Failed" || s == "Error" || s.starts_with("Init:Error") || s == "Evicted" || s == "OOMKilled" => PodClass::Failed,
                _ => PodClass::Pending,
            };
            let node = p.spec.as_ref().and_then(|s| s.node_name.clone()).filter(|n| !n.is_empty());
            let view = PodView {
                namespace: o.namespace().to_string(),
                name: o.name().to_string(),
                ready: cell_text(&table, i, "Ready"),
                status,
                class,
                ip: p.status.as_ref().and_then(|s| s.pod_ip.clone()).unwrap_or_default(),
                system: o.namespace() == "kube-system",
            };
            Some((node, view))
        })
        .collect()
}

impl ClusterView {
    pub fn read(world: &World) -> ClusterView {
        let api = world.api();
        let now = world.now();
        let all = Selector::everything();
        let nodes = api.list(Kind::Node, None, &all, &[]).map(|l| l.items).unwrap_or_default();
        let node_table = printers::print_table(Kind::Node, &nodes, now);
        let mut view = ClusterView { revision: api.store().revision(), ..Default::default() };
        let mut index = BTreeMap::new();
        for (i, o) in nodes.iter().enumerate() {
            let Object::Node(n) = &**o else { continue };
            let status = cell_text(&node_table, i, "Status");
            index.insert(o.name().to_string(), view.nodes.len());
            view.nodes.push(NodeView {
                name: o.name().to_string(),
                control_plane: o.meta().labels.as_ref().is_some_and(|l| l.contains_key("node-role.kubernetes.io/control-plane")),
                ready: status.split(',').next() == Some("Ready"),
                status,
                internal_ip: internal_ip(n),
                pods: vec![],
            });
        }
        let pods = api.list(Kind::Pod, None, &all, &[]).map(|l| l.items).unwrap_or_default();
        for (node, pod) in pod_views(&pods, now) {
            match node.and_then(|n| index.get(&n).copied()) {
                Some(i) => view.nodes[i].pods.push(pod),
                None => view.unscheduled.push(pod),
            }
        }
        let services = api.list(Kind::Service, None, &all, &[]).map(|l| l.items).unwrap_or_default();
        let svc_table = printers::print_table(Kind::Service, &services, now);
        for (i, o) in services.iter().enumerate() {
            let Object::Service(s) = &**o else { continue };
            view.services.push(ServiceView {
                namespace: o.namespace().to_string(),
                name: o.name().to_string(),
                type_: s.spec.as_ref().and_then(|s| s.type_.clone()).unwrap_or_else(|| "ClusterIP".into()),
                cluster_ip: cell_text(&svc_table, i, "Cluster-IP"),
                ports: cell_text(&svc_table, i, "Port(s)"),
                endpoints: endpoints_of(world, o.namespace(), o.name()),
            });
        }
        view
    }
}

fn internal_ip(n: &Node) -> String {
    n.status
        .as_ref()
        .and_then(|s| s.addresses.as_ref())
        .and_then(|a| a.iter().find(|a| a.type_ == "InternalIP"))
        .map(|a| a.address.clone())
        .unwrap_or_default()
}

fn endpoints_of(world: &World, namespace: &str, name: &str) -> Vec<String> {
    let Ok(o) = world.api().get(Kind::Endpoints, namespace, name) else { return vec![] };
    let Some(e) = o.as_typed::<Endpoints>() else { return vec![] };
    let mut out = vec![];
    for subset in e.subsets.iter().flatten() {
        for a in subset.addresses.iter().flatten() {
            match &a.target_ref {
                Some(t) => out.push(format!("{}/{}", t.namespace.clone().unwrap_or_default(), t.name.clone().unwrap_or_default())),
                None => out.push(a.ip.clone()),
            }
        }
    }
    out
}

/// A component of the cluster a request travels between.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Actor {
    /// The user's kubectl.
    Kubectl,
    ApiServer,
    Etcd,
    Scheduler,
    ControllerManager,
    /// The kubelet of a node.
    Kubelet(String),
    /// A pod, as `namespace/name` (requests start and end at pods).
    Pod(String),
    /// A Service's row, as `namespace/name` (a request through its VIP).
    Service(String),
}

/// One hop of the path a write took, derived from one stored change.
#[derive(Clone, Debug, PartialEq)]
pub struct Pulse {
    pub revision: u64,
    pub from: Actor,
    pub to: Actor,
    /// `pod/nginx` and what happened (`created`, `bound to w1-k8s`,
    /// `status Running`).
    pub label: String,
    /// The hop's place in its path (0 first): later hops start later.
    pub hop: u8,
}

/// The path of every change since `since` (at most `limit`, the newest):
/// the writer → API server → etcd, and for a pod bound to a node, API
/// server → that node's kubelet. Who wrote is read from the change itself
/// as Kubernetes records it: a new binding is the scheduler's, a status
/// change on a bound pod its kubelet's, an object with a controller owner
/// the controller manager's, anything else the user's.
pub fn pulses_since(world: &World, since: u64, limit: usize) -> Vec<Pulse> {
    let Ok(events) = world.api().store().events_since(since) else { return vec![] };
    let shown = |e: &&store::WatchEvent| {
        let kind = e.object.kind();
        // Not drawn: events, leases, endpoints, node heartbeats.
        !matches!(kind, Kind::Event | Kind::Lease | Kind::Endpoints | Kind::EndpointSlice) && !(kind == Kind::Node && e.event_type == store::EventType::Modified)
    };
    let mut events: Vec<&store::WatchEvent> = events.filter(shown).collect();
    // Each change makes at least one pulse: only the newest `limit` changes
    // can contribute (after a fast-forward there may be thousands).
    events.drain(..events.len().saturating_sub(limit));
    let mut out = vec![];
    for e in events {
        let kind = e.object.kind();
        let what = format!("{}/{}", kind.info().singular, e.object.name());
        let (writer, label, then) = match (&*e.object, e.prev.as_deref()) {
            (Object::Pod(p), prev) => pod_change(p, prev.and_then(|o| o.as_typed::<Pod>()), &e.event_type),
            (o, _) => {
                let owned = o.meta().owner_references.as_ref().is_some_and(|r| r.iter().any(|r| r.controller == Some(true)));
                let verb = match e.event_type {
                    store::EventType::Added => "created",
                    store::EventType::Modified => "updated",
                    store::EventType::Deleted => "deleted",
                };
                (if owned || kind == Kind::ReplicaSet { Actor::ControllerManager } else { Actor::Kubectl }, verb.to_string(), None)
            }
        };
        let label = format!("{what} {label}");
        out.push(Pulse { revision: e.revision, from: writer, to: Actor::ApiServer, label: label.clone(), hop: 0 });
        out.push(Pulse { revision: e.revision, from: Actor::ApiServer, to: Actor::Etcd, label: label.clone(), hop: 1 });
        if let Some(node) = then {
            out.push(Pulse { revision: e.revision, from: Actor::ApiServer, to: Actor::Kubelet(node), label, hop: 1 });
        }
    }
    let drop = out.len().saturating_sub(limit);
    out.drain(..drop);
    out
}

/// The newest data-plane request's id (0 before the first).
pub fn newest_request(world: &World) -> u64 {
    world.network().records().last().map_or(0, |r| r.id)
}

/// The path of every request after `since` (at most `limit` pulses, the
/// newest): the client (a pod, or the node a host shell runs on) → the
/// Service whose VIP or NodePort it used → the pod that answered, or
/// straight to the pod for a request to a pod IP.
pub fn request_pulses_since(world: &World, since: u64, limit: usize) -> Vec<Pulse> {
    let mut out = vec![];
    for r in world.network().records().filter(|r| r.id > since) {
        let from = match r.source.split_once('/') {
            Some(("pod", key)) => Actor::Pod(key.to_string()),
            Some(("node", node)) => Actor::Kubelet(node.to_string()),
            _ => continue,
        };
        let outcome = match &r.outcome {
            Ok(code) => code.to_string(),
            Err(network::ConnectError::Refused) => "connection refused".to_string(),
            Err(network::ConnectError::Timeout) => "timeout".to_string(),
        };
        let label = format!("{} {} → {outcome}", r.source, r.destination);
        let mut hop = 0;
        let mut at = from;
        if let Some(svc) = &r.service {
            out.push(Pulse { revision: r.id, from: at, to: Actor::Service(svc.clone()), label: label.clone(), hop });
            at = Actor::Service(svc.clone());
            hop += 1;
        }
        if let Some(pod) = &r.pod {
            out.push(Pulse { revision: r.id, from: at, to: Actor::Pod(pod.clone()), label, hop });
        }
    }
    let drop = out.len().saturating_sub(limit);
    out.drain(..drop);
    out
}

fn pod_change(p: &Pod, prev: Option<&Pod>, t: &store::EventType) -> (Actor, String, Option<String>) {
    let node = |p: &Pod| p.spec.as_ref().and_then(|s| s.node_name.clone()).filter(|n| !n.is_empty());
    let phase = |p: &Pod| p.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default();
    let owned = p.metadata.owner_references.as_ref().is_some_and(|r| r.iter().any(|r| r.controller == Some(true)));
    match (t, prev) {
        (store::EventType::Added, _) => {
            let who = if owned { Actor::ControllerManager } else { Actor::Kubectl };
            (who, "created".into(), node(p))
        }
        (store::EventType::Deleted, _) => (node(p).map_or(Actor::Kubectl, Actor::Kubelet), "deleted".into(), None),
        (_, Some(old)) if node(old).is_none() && node(p).is_some() => {
            let n = node(p).unwrap_or_default();
            (Actor::Scheduler, format!("bound to {n}"), Some(n))
        }
        (_, Some(old)) if p.metadata.deletion_timestamp.is_some() && old.metadata.deletion_timestamp.is_none() => {
            (if owned { Actor::ControllerManager } else { Actor::Kubectl }, "terminating".into(), node(p))
        }
        (_, _) => match node(p) {
            Some(n) => (Actor::Kubelet(n), format!("status {}", phase(p)), None),
            None => (Actor::Kubectl, "updated".into(), None),
        },
    }
}

/// The events pane: `kubectl get events -A` rows, newest last.
pub fn recent_events(world: &World, limit: usize) -> Vec<[String; 5]> {
    let api = world.api();
    let Ok(list) = api.list(Kind::Event, None, &Selector::everything(), &[]) else { return vec![] };
    let mut items = list.items;
    // Newest last: by last timestamp, then by write order.
    apimachinery::sort::sort_by_key(&mut items, |o| {
        let at = o.as_typed::<Event>().and_then(|e| e.last_timestamp.as_ref().map(|t| t.0)).or_else(|| o.meta().creation_timestamp.as_ref().map(|t| t.0));
        (at, o.meta().resource_version.as_deref().and_then(|v| v.parse::<u64>().ok()).unwrap_or(0))
    });
    let drop = items.len().saturating_sub(limit);
    let items: Vec<Arc<Object>> = items.split_off(drop);
    let table = printers::print_table(Kind::Event, &items, world.now());
    (0..items.len())
        .map(|i| [cell_text(&table, i, "Last Seen"), cell_text(&table, i, "Type"), cell_text(&table, i, "Reason"), cell_text(&table, i, "Object"), cell_text(&table, i, "Message")])
        .collect()
}

/// One node's row of a pod's last scheduling attempt.
#[derive(Clone, Debug, PartialEq)]
pub struct SchedulingRow {
    pub node: String,
    /// `(plugin, passed, reason)` for each filter that ran.
    pub filters: Vec<(String, bool, String)>,
    /// `(plugin, weighted score)` when the node was scored.
    pub scores: Vec<(String, i64)>,
    pub total: Option<i64>,
    pub chosen: bool,
}

/// The scheduler's per-plugin table for a pod, and its one-line "why
/// Pending" when it waits.
pub fn scheduling(world: &World, namespace: &str, name: &str) -> (Vec<SchedulingRow>, Option<String>) {
    let s = world.scheduler();
    let why = s.why_pending(namespace, name);
    let Some(a) = s.last_attempt(namespace, name) else { return (vec![], why) };
    let chosen = a.chosen_node().map(str::to_string);
    let rows = a
        .nodes()
        .map(|(node, v)| SchedulingRow {
            node: node.to_string(),
            filters: v.filter_verdicts().into_iter().map(|f| (f.plugin.to_string(), f.reasons.is_empty(), f.reasons.join("; "))).collect(),
            scores: v.scores().into_iter().map(|s| (s.plugin.to_string(), s.weighted)).collect(),
            total: v.total_score(),
            chosen: chosen.as_deref() == Some(node),
        })
        .collect();
    (rows, why)
}
