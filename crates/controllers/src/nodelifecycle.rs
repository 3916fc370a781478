//! The node lifecycle controller (pkg/controller/nodelifecycle/
//! node_lifecycle_controller.go) and the taint-eviction controller
//! (pkg/controller/tainteviction/taint_eviction.go).
//!
//! Every `--node-monitor-period` (5 s) each node's health is checked: if
//! neither its Ready heartbeat nor its Lease moved for
//! `--node-monitor-grace-period` (50 s since 1.29; `--node-startup-grace-period`
//! 60 s before a first status), its conditions become Unknown and its pods
//! NotReady. Taints follow conditions: `not-ready`/`unreachable` with
//! NoExecute and NoSchedule, the pressure taints, `unschedulable`; they go
//! when the node recovers. The taint-eviction controller deletes pods on
//! NoExecute-tainted nodes once their tolerationSeconds run out.

use crate::util::{self, get_typed, is_not_found, name_of};
use crate::{Controller, Queue};
use apimachinery::k8s_openapi::api::coordination::v1::Lease;
use apimachinery::k8s_openapi::api::core::v1::{Node, NodeCondition, Pod, Taint};
use apimachinery::{ApiError, Kind, Object, ObjectKey, SignedDuration, Timestamp};
use apiserver::events::{NORMAL, Reporter, WARNING};
use apiserver::{ApiServer, DeleteOptions};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use store::{EventType, WatchEvent};

pub const COMPONENT: &str = "node-controller";
pub const TAINT_EVICTION_COMPONENT: &str = "taint-eviction-controller";
pub const NODE_MONITOR_PERIOD_S: i64 = 5;
pub const NODE_MONITOR_GRACE_PERIOD_S: i64 = 50;
pub const NODE_STARTUP_GRACE_PERIOD_S: i64 = 60;
pub const LEASE_NAMESPACE: &str = "kube-node-lease";

pub const TAINT_NOT_READY: &str = "node.kubernetes.io/not-ready";
pub const TAINT_UNREACHABLE: &str = "node.kubernetes.io/unreachable";
pub const TAINT_UNSCHEDULABLE: &str = "node.kubernetes.io/unschedulable";
pub const TAINT_MEMORY_PRESSURE: &str = "node.kubernetes.io/memory-pressure";
pub const TAINT_DISK_PRESSURE: &str = "node.kubernetes.io/disk-pressure";
pub const TAINT_PID_PRESSURE: &str = "node.kubernetes.io/pid-pressure";
pub const TAINT_NETWORK_UNAVAILABLE: &str = "node.kubernetes.io/network-unavailable";

/// The conditions the controller marks Unknown, in the kubelet's order.
const NODE_CONDITIONS: [&str; 4] = ["MemoryPressure", "DiskPressure", "PIDPressure", "Ready"];

/// What the controller remembers of a node (nodeHealthData): when it last
/// saw the kubelet alive, by its own clock.
struct NodeHealth {
    probe_timestamp: Timestamp,
    ready_heartbeat: Option<Timestamp>,
    lease_renew: Option<Timestamp>,
}

#[derive(Default)]
pub struct NodeLifecycleController {
    nodes: BTreeSet<String>,
    health: BTreeMap<String, NodeHealth>,
    registered: BTreeSet<String>,
    next_monitor: Option<Timestamp>,
}

fn condition<'a>(n: &'a Node, type_: &str) -> Option<&'a NodeCondition> {
    n.status.as_ref()?.conditions.as_ref()?.iter().find(|c| c.type_ == type_)
}

fn is_managed_taint(t: &Taint) -> bool {
    matches!(
        (t.key.as_str(), t.effect.as_str()),
        (TAINT_NOT_READY | TAINT_UNREACHABLE, "NoSchedule" | "NoExecute")
            | (TAINT_UNSCHEDULABLE | TAINT_MEMORY_PRESSURE | TAINT_DISK_PRESSURE | TAINT_PID_PRESSURE | TAINT_NETWORK_UNAVAILABLE, "NoSchedule")
    )
}

/// The controller-owned taints a node should carry for its conditions
/// (NoExecute first: the eviction tainter acts before the NoSchedule pass).
fn desired_taints(n: &Node) -> Vec<(&'static str, &'static str)> {
    let mut out = vec![];
    let ready = condition(n, "Ready").map(|c| c.status.as_str());
    match ready {
        Some("False") => out.extend([(TAINT_NOT_READY, "NoExecute"), (TAINT_NOT_READY, "NoSchedule")]),
        Some("Unknown") => out.extend([(TAINT_UNREACHABLE, "NoExecute"), (TAINT_UNREACHABLE, "NoSchedule")]),
        _ => {}
    }
    for (cond, key) in [("MemoryPressure", TAINT_MEMORY_PRESSURE), ("DiskPressure", TAINT_DISK_PRESSURE), ("PIDPressure", TAINT_PID_PRESSURE), ("NetworkUnavailable", TAINT_NETWORK_UNAVAILABLE)] {
        if condition(n, cond).is_some_and(|c| c.status == "True") {
            out.push((key, "NoSchedule"));
        }
    }
    if n.spec.as_ref().and_then(|s| s.unschedulable) == Some(true) {
        out.push((TAINT_UNSCHEDULABLE, "NoSchedule"));
    }
    out
}

/// A Node reference as the node controller's status-change events use it:
/// the UID is the node's name (nodeutil.RecordNodeStatusChange).
fn node_event_ref(node: &Node) -> Object {
    let mut n = node.clone();
    n.metadata.uid = n.metadata.name.clone();
    Object::Node(n)
}

impl NodeLifecycleController {
    fn reporter() -> Reporter {
        Reporter::controller(COMPONENT)
    }

    /// tryUpdateNodeHealth: marks a silent node's conditions Unknown.
    /// Returns the node as written.
    /// Returns the node as stored after (the shared object: a healthy node
    /// is not cloned).
    fn update_health(&mut self, api: &mut ApiServer, node_obj: Arc<Object>) -> Result<Arc<Object>, ApiError> {
        let Some(node) = node_obj.as_typed::<Node>() else { return Ok(node_obj) };
        let name = name_of(&node.metadata).to_string();
        let now = api.now();
        let heartbeat = condition(node, "Ready").and_then(|c| c.last_heartbeat_time.as_ref()).map(|t| t.0);
        let lease_renew = get_typed::<Lease>(api, LEASE_NAMESPACE, &name)?.and_then(|l| l.spec?.renew_time).map(|t| t.0);
        let h = self.health.entry(name.clone()).or_insert(NodeHealth { probe_timestamp: now, ready_heartbeat: heartbeat, lease_renew });
        if h.ready_heartbeat != heartbeat {
            h.ready_heartbeat = heartbeat;
            h.probe_timestamp = now;
        }
        if lease_renew.is_some() && h.lease_renew != lease_renew {
            h.lease_renew = lease_renew;
            h.probe_timestamp = now;
        }
        let grace = if condition(node, "Ready").is_none() { NODE_STARTUP_GRACE_PERIOD_S } else { NODE_MONITOR_GRACE_PERIOD_S };
        if now <= h.probe_timestamp + SignedDuration::from_secs(grace) {
            return Ok(node_obj);
        }
        let was_ready = condition(node, "Ready").is_some_and(|c| c.status == "True");
        let mut n = node.clone();
        let now_t = api.now_time();
        let created = n.metadata.creation_timestamp.clone();
        let conds = n.status.get_or_insert_with(Default::default).conditions.get_or_insert_with(Vec::new);
        let mut changed = false;
        for type_ in NODE_CONDITIONS {
            match conds.iter_mut().find(|c| c.type_ == type_) {
                None => {
                    conds.push(NodeCondition {
                        type_: type_.into(),
                        status: "Unknown".into(),
                        reason: Some("NodeStatusNeverUpdated".into()),
                        message: Some("Kubelet never posted node status.".into()),
                        last_heartbeat_time: created.clone(),
                        last_transition_time: Some(now_t.clone()),
                    });
                    changed = true;
                }
                Some(c) if c.status != "Unknown" => {
                    c.status = "Unknown".into();
                    c.reason = Some("NodeStatusUnknown".into());
                    c.message = Some("Kubelet stopped posting node status.".into());
                    c.last_transition_time = Some(now_t.clone());
                    changed = true;
                }
                Some(_) => {}
            }
        }
        if !changed {
            return Ok(node_obj);
        }
        n.metadata.resource_version = None;
        let written = api.update_status(Object::Node(n))?;
        if was_ready {
            let written_node = written.as_typed::<Node>().unwrap_or(node);
            api.record_event(&node_event_ref(written_node), None, NORMAL, "NodeNotReady", &format!("Node {name} status is now: NodeNotReady"), &Self::reporter());
            mark_pods_not_ready(api, &name)?;
        }
        Ok(written)
    }

    /// The NoSchedule and NoExecute tainting passes, in one write.
    fn reconcile_taints(&self, api: &mut ApiServer, node: &Node) -> Result<(), ApiError> {
        let desired = desired_taints(node);
        let current: Vec<Taint> = node.spec.as_ref().and_then(|s| s.taints.clone()).unwrap_or_default();
        let mut taints: Vec<Taint> = current.iter().filter(|t| !is_managed_taint(t) || desired.contains(&(t.key.as_str(), t.effect.as_str()))).cloned().collect();
        for (key, effect) in &desired {
            if !taints.iter().any(|t| t.key == *key && t.effect == *effect) {
                let time_added = (*effect == "NoExecute").then(|| api.now_time());
                taints.push(Taint { key: key.to_string(), effect: effect.to_string(), value: None, time_added });
            }
        }
        if taints == current {
            return Ok(());
        }
        let mut n = node.clone();
        n.spec.get_or_insert_with(Default::default).taints = if taints.is_empty() { None } else { Some(taints) };
        n.metadata.resource_version = None;
        match api.update(Object::Node(n), &util::opts()) {
            Ok(_) => Ok(()),
            Err(e) if is_not_found(&e) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

/// MarkPodsNotReady: the pods of an unreachable node stop being Ready.
fn mark_pods_not_ready(api: &mut ApiServer, node: &str) -> Result<(), ApiError> {
    let pods: Vec<Pod> = api.store().list(Kind::Pod, None).filter_map(|o| o.as_typed::<Pod>()).filter(|p| util::pod_node(p) == node).cloned().collect();
    let now = api.now_time();
    for mut p in pods {
        let Some(st) = p.status.as_mut() else { continue };
        let Some(c) = st.conditions.iter_mut().flatten().find(|c| c.type_ == "Ready" && c.status == "True") else { continue };
        c.status = "False".into();
        c.last_transition_time = Some(now.clone());
        p.metadata.resource_version = None;
        match api.update_status(Object::Pod(p.clone())) {
            Ok(o) => api.record_event(&o, None, WARNING, "NodeNotReady", "Node is not ready", &NodeLifecycleController::reporter()),
            Err(e) if is_not_found(&e) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

impl Controller for NodeLifecycleController {
    fn name(&self) -> &'static str {
        "node-lifecycle"
    }

    fn observe(&mut self, event: &WatchEvent, queue: &mut Queue) {
        if event.key.kind != Kind::Node {
            return;
        }
        if event.event_type == EventType::Deleted {
            self.nodes.remove(&event.key.name);
            self.health.remove(&event.key.name);
            self.registered.remove(&event.key.name);
            return;
        }
        self.nodes.insert(event.key.name.clone());
        queue.add(event.key.clone());
    }

    fn tick(&mut self, now: Timestamp, queue: &mut Queue) {
        if self.nodes.is_empty() {
            return;
        }
        let next = *self.next_monitor.get_or_insert(now);
        if now < next {
            return;
        }
        let mut t = next;
        while t <= now {
            t += SignedDuration::from_secs(NODE_MONITOR_PERIOD_S);
        }
        self.next_monitor = Some(t);
        for n in &self.nodes {
            queue.add(ObjectKey::new(Kind::Node, "", n));
        }
    }

    fn next_tick(&self) -> Option<Timestamp> {
        if self.nodes.is_empty() { None } else { self.next_monitor }
    }

    fn sync(&mut self, api: &mut ApiServer, key: &ObjectKey, _queue: &mut Queue) -> Result<(), ApiError> {
        // The shared node: read, never cloned unless written.
        let node = match api.get(Kind::Node, "", &key.name) {
            Ok(o) if o.as_typed::<Node>().is_some() => o,
            Ok(_) => return Ok(()),
            Err(e) if is_not_found(&e) => return Ok(()),
            Err(e) => return Err(e),
        };
        if self.registered.insert(key.name.clone()) {
            api.record_event(&node, None, NORMAL, "RegisteredNode", &format!("Node {0} event: Registered Node {0} in Controller", key.name), &Self::reporter());
        }
        let node = self.update_health(api, node)?;
        match node.as_typed::<Node>() {
            Some(n) => self.reconcile_taints(api, n),
            None => Ok(()),
        }
    }
}

// ---- taint eviction -------------------------------------------------------

#[derive(Default)]
pub struct TaintEvictionController {
    /// NoExecute taints per node, from node events.
    no_execute: BTreeMap<String, Vec<Taint>>,
    /// Pods with a scheduled eviction: when it was first scheduled.
    scheduled: BTreeMap<ObjectKey, Timestamp>,
}

/// getMinTolerationTime over the tolerations that match the taints: None
/// means forever.
fn min_toleration(pod: &Pod, taints: &[Taint]) -> Result<Option<i64>, ()> {
    let tolerations = pod.spec.as_ref().and_then(|s| s.tolerations.clone()).unwrap_or_default();
    let mut min: Option<i64> = None;
    let mut forever = true;
    for taint in taints {
        let matching: Vec<_> = tolerations.iter().filter(|t| util::tolerates(t, taint)).collect();
        if matching.is_empty() {
            return Err(());
        }
        for t in matching {
            if let Some(s) = t.toleration_seconds {
                forever = false;
                let s = s.max(0);
                min = Some(min.map_or(s, |m| m.min(s)));
            }
        }
    }
    Ok(if forever { None } else { min })
}

impl TaintEvictionController {
    fn reporter() -> Reporter {
        Reporter::controller(TAINT_EVICTION_COMPONENT)
    }

    fn cancel(&mut self, api: &mut ApiServer, key: &ObjectKey, pod: Option<&Object>) {
        if self.scheduled.remove(key).is_some()
            && let Some(p) = pod {
                let msg = format!("Cancelling deletion of Pod {}/{}", key.namespace, key.name);
                api.record_event(p, None, NORMAL, "TaintManagerEviction", &msg, &Self::reporter());
            }
    }

    fn process_pod(&mut self, api: &mut ApiServer, pod_obj: &std::sync::Arc<Object>, queue: &mut Queue) -> Result<(), ApiError> {
        let key = ObjectKey::of(pod_obj);
        let Some(pod) = pod_obj.as_typed::<Pod>() else { return Ok(()) };
        let node = util::pod_node(pod).to_string();
        let taints = self.no_execute.get(&node).cloned().unwrap_or_default();
        if pod.metadata.deletion_timestamp.is_some() {
            self.scheduled.remove(&key);
            return Ok(());
        }
        if node.is_empty() || taints.is_empty() {
            self.cancel(api, &key, Some(pod_obj));
            return Ok(());
        }
        let now = api.now();
        let fire = match min_toleration(pod, &taints) {
            Err(()) => now,
            Ok(None) => {
                self.cancel(api, &key, Some(pod_obj));
                return Ok(());
            }
            Ok(Some(secs)) => *self.scheduled.entry(key.clone()).or_insert(now) + SignedDuration::from_secs(secs),
        };
        if fire > now {
            queue.add_after(key, now, fire.duration_since(now));
            return Ok(());
        }
        self.scheduled.remove(&key);
        let msg = format!("Marking for deletion Pod {}/{}", key.namespace, key.name);
        api.record_event(pod_obj, None, NORMAL, "TaintManagerEviction", &msg, &Self::reporter());
        // The DisruptionTarget condition says why the pod goes.
        let mut p = pod.clone();
        let now_t = api.now_time();
        if let Some(st) = p.status.as_mut() {
            apiserver::registry::pod::set_condition(st, "DisruptionTarget", "True", Some("DeletionByTaintManager"), Some("Taint manager: deleting due to NoExecute taint"), now_t);
            p.metadata.resource_version = None;
            let _ = api.update_status(Object::Pod(p));
        }
        match api.delete(Kind::Pod, &key.namespace, &key.name, &DeleteOptions::default()) {
            Ok(_) => Ok(()),
            Err(e) if is_not_found(&e) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

impl Controller for TaintEvictionController {
    fn name(&self) -> &'static str {
        "taint-eviction-controller"
    }

    fn observe(&mut self, event: &WatchEvent, queue: &mut Queue) {
        match event.key.kind {
            Kind::Node => {
                let taints: Vec<Taint> = if event.event_type == EventType::Deleted {
                    vec![]
                } else {
                    event.object.as_typed::<Node>().and_then(|n| n.spec.as_ref()?.taints.clone()).unwrap_or_default().into_iter().filter(|t| t.effect == "NoExecute").collect()
                };
                let before = self.no_execute.get(&event.key.name).cloned().unwrap_or_default();
                if taints.is_empty() {
                    self.no_execute.remove(&event.key.name);
                } else {
                    self.no_execute.insert(event.key.name.clone(), taints.clone());
                }
                let strip = |v: &[Taint]| v.iter().map(|t| (t.key.clone(), t.value.clone())).collect::<Vec<_>>();
                if strip(&before) != strip(&taints) {
                    queue.add(event.key.clone());
                }
            }
            Kind::Pod if event.event_type != EventType::Deleted => {
                let on_tainted = event.object.as_typed::<Pod>().is_some_and(|p| self.no_execute.contains_key(util::pod_node(p)));
                if on_tainted || self.scheduled.contains_key(&event.key) {
                    queue.add(event.key.clone());
                }
            }
            Kind::Pod => {
                self.scheduled.remove(&event.key);
            }
            _ => {}
        }
    }

    fn sync(&mut self, api: &mut ApiServer, key: &ObjectKey, queue: &mut Queue) -> Result<(), ApiError> {
        match key.kind {
            Kind::Node => {
                let pods: Vec<_> = api.store().list(Kind::Pod, None).filter(|o| o.as_typed::<Pod>().is_some_and(|p| util::pod_node(p) == key.name)).cloned().collect();
                for p in pods {
                    self.process_pod(api, &p, queue)?;
                }
                Ok(())
            }
            Kind::Pod => match api.get(Kind::Pod, &key.namespace, &key.name) {
                Ok(p) => self.process_pod(api, &p, queue),
                Err(e) if is_not_found(&e) => {
                    self.scheduled.remove(key);
                    Ok(())
                }
                Err(e) => Err(e),
            },
            _ => Ok(()),
        }
    }
}
