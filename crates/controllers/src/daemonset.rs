//! The DaemonSet controller (pkg/controller/daemon/daemon_controller.go,
//! update.go, util/daemonset_util.go): one pod per eligible node.
//!
//! A node is eligible when the pod template's nodeName, nodeSelector and
//! required node affinity match it and every NoSchedule/NoExecute taint is
//! tolerated (with the tolerations DaemonSet pods always get). Pods are
//! created unscheduled with a required node affinity on `metadata.name`,
//! and the scheduler binds them. A template change rolls pods over node by
//! node within maxUnavailable (RollingUpdate) or waits for deletions
//! (OnDelete).
//!
//! Pods come from the pod informer's controller-UID index (as upstream's
//! getDaemonPods), so a sync touches only this DaemonSet's pods; the
//! template's tolerations are computed once per sync, not once per node.

use crate::deployment::util::compute_hash;
use crate::podindex::PodIndex;
use crate::util::{self, name_of, nonzero, uid_of};
use crate::{Controller, Queue};
use apimachinery::k8s_openapi::api::apps::v1::DaemonSet;
use apimachinery::k8s_openapi::api::core::v1::{
    Affinity, Node, NodeAffinity, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Pod, PodSpec, Toleration,
};
use apimachinery::k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use apimachinery::selector::Selector;
use apimachinery::{ApiError, Kind, Object, ObjectKey, Timestamp, meta};
use apiserver::events::{NORMAL, Reporter, WARNING};
use apiserver::{ApiServer, DeleteOptions};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use store::{EventType, WatchEvent};

pub const COMPONENT: &str = "daemonset-controller";
pub const CONTROLLER_REVISION_HASH: &str = "controller-revision-hash";
pub const POD_TEMPLATE_GENERATION: &str = "pod-template-generation";

pub struct DaemonSetController {
    /// Every DaemonSet: a node change concerns them all.
    daemonsets: BTreeSet<ObjectKey>,
    /// The pod informer's indexer: the DaemonSets' pods by controller UID.
    pods: PodIndex,
}

impl Default for DaemonSetController {
    fn default() -> Self {
        DaemonSetController { daemonsets: BTreeSet::new(), pods: PodIndex::for_owners() }
    }
}

/// AddOrUpdateDaemonPodTolerations: DaemonSet pods survive node problems
/// and cordons.
pub fn add_daemon_tolerations(spec: &mut PodSpec) {
    let mut wanted: Vec<(&str, &str)> = vec![
        ("node.kubernetes.io/not-ready", "NoExecute"),
        ("node.kubernetes.io/unreachable", "NoExecute"),
        ("node.kubernetes.io/disk-pressure", "NoSchedule"),
        ("node.kubernetes.io/memory-pressure", "NoSchedule"),
        ("node.kubernetes.io/pid-pressure", "NoSchedule"),
        ("node.kubernetes.io/unschedulable", "NoSchedule"),
    ];
    if spec.host_network == Some(true) {
        wanted.push(("node.kubernetes.io/network-unavailable", "NoSchedule"));
    }
    let tolerations = spec.tolerations.get_or_insert_with(Vec::new);
    for (key, effect) in wanted {
        let t = Toleration { key: Some(key.into()), operator: Some("Exists".into()), effect: Some(effect.into()), ..Default::default() };
        // AddOrUpdateTolerationInPodSpec: replace a toleration with the same
        // key, operator, value and effect; otherwise append.
        let same = |x: &Toleration| x.key == t.key && x.operator == t.operator && x.value.as_deref().unwrap_or("").is_empty() && x.effect == t.effect;
        match tolerations.iter_mut().find(|x| same(x)) {
            Some(x) => *x = t,
            None => tolerations.push(t),
        }
    }
}

/// ReplaceDaemonSetPodNodeNameNodeAffinity: require exactly this node.
pub fn node_affinity_for(affinity: Option<Affinity>, node: &str) -> Affinity {
    let term = NodeSelectorTerm {
        match_fields: Some(vec![NodeSelectorRequirement { key: "metadata.name".into(), operator: "In".into(), values: Some(vec![node.into()]) }]),
        match_expressions: None,
    };
    let mut a = affinity.unwrap_or_default();
    let na = a.node_affinity.get_or_insert_with(NodeAffinity::default);
    na.required_during_scheduling_ignored_during_execution = Some(NodeSelector { node_selector_terms: vec![term] });
    a
}

/// The node a daemon pod is for: its nodeName, else its affinity target
/// (util.GetTargetNodeName).
pub fn target_node(p: &Pod) -> Option<&str> {
    let n = util::pod_node(p);
    if !n.is_empty() {
        return Some(n);
    }
    let terms = &p.spec.as_ref()?.affinity.as_ref()?.node_affinity.as_ref()?.required_during_scheduling_ignored_during_execution.as_ref()?.node_selector_terms;
    terms.iter().flat_map(|t| t.match_fields.iter().flatten()).find(|r| r.key == "metadata.name" && r.operator == "In").and_then(|r| r.values.as_ref()?.first().map(String::as_str))
}

fn requirement_matches(r: &NodeSelectorRequirement, value: Option<&String>) -> bool {
    let values: &[String] = r.values.as_deref().unwrap_or_default();
    match r.operator.as_str() {
        "In" => value.is_some_and(|v| values.contains(v)),
        "NotIn" => value.is_none_or(|v| !values.contains(v)),
        "Exists" => value.is_some(),
        "DoesNotExist" => value.is_none(),
        "Gt" | "Lt" => {
            let (Some(v), Some(b)) = (value.and_then(|v| v.parse::<i64>().ok()), values.first().and_then(|b| b.parse::<i64>().ok())) else { return false };
            if r.operator == "Gt" { v > b } else { v < b }
        }
        _ => false,
    }
}

/// The scheduler's NodeAffinity filter for required terms and nodeSelector.
pub fn node_matches(spec: &PodSpec, node: &Node) -> bool {
    let labels = meta::labels(&node.metadata);
    let name = name_of(&node.metadata).to_string();
    if let Some(n) = spec.node_name.as_deref().filter(|n| !n.is_empty())
        && n != name.as_str() {
            return false;
        }
    if let Some(sel) = &spec.node_selector
        && !sel.iter().all(|(k, v)| labels.get(k) == Some(v)) {
            return false;
        }
    let required = spec.affinity.as_ref().and_then(|a| a.node_affinity.as_ref()).and_then(|n| n.required_during_scheduling_ignored_during_execution.as_ref());
    if let Some(req) = required {
        let any = req.node_selector_terms.iter().any(|t| {
            let exprs = t.match_expressions.as_ref();
            let fields = t.match_fields.as_ref();
            if exprs.is_none_or(|e| e.is_empty()) && fields.is_none_or(|f| f.is_empty()) {
                return false;
            }
            exprs.into_iter().flatten().all(|r| requirement_matches(r, labels.get(&r.key)))
                && fields.into_iter().flatten().all(|r| r.key == "metadata.name" && requirement_matches(r, Some(&name)))
        });
        if !any {
            return false;
        }
    }
    true
}

/// NodeShouldRunDaemonPod: (should run a new pod, should keep running one).
pub fn node_should_run(template_spec: &PodSpec, node: &Node) -> (bool, bool) {
    let mut spec = template_spec.clone();
    add_daemon_tolerations(&mut spec);
    node_should_run_pod(&spec, node)
}

/// NodeShouldRunDaemonPod for a pod spec that already has the daemon
/// tolerations (`add_daemon_tolerations`): compute it once per sync.
pub fn node_should_run_pod(spec: &PodSpec, node: &Node) -> (bool, bool) {
    if !node_matches(spec, node) {
        return (false, false);
    }
    let tolerations: &[Toleration] = spec.tolerations.as_deref().unwrap_or_default();
    let mut run = true;
    let mut keep = true;
    for taint in node.spec.as_ref().and_then(|s| s.taints.as_ref()).into_iter().flatten() {
        if !matches!(taint.effect.as_str(), "NoSchedule" | "NoExecute") || util::tolerates_taint(tolerations, taint) {
            continue;
        }
        run = false;
        if taint.effect == "NoExecute" {
            keep = false;
        }
    }
    (run, keep)
}

impl DaemonSetController {
    fn reporter() -> Reporter {
        Reporter::controller(COMPONENT)
    }

    fn create_pod(&self, api: &mut ApiServer, ds_obj: &Object, ds: &DaemonSet, node: &str, hash: &str) -> Result<(), ApiError> {
        let mut template = ds.spec.template.clone();
        let tm = template.metadata.get_or_insert_with(Default::default);
        let labels = tm.labels.get_or_insert_with(Default::default);
        labels.insert(CONTROLLER_REVISION_HASH.into(), hash.into());
        labels.insert(POD_TEMPLATE_GENERATION.into(), ds.metadata.generation.unwrap_or(1).to_string());
        let spec = template.spec.get_or_insert_with(Default::default);
        add_daemon_tolerations(spec);
        spec.affinity = Some(node_affinity_for(spec.affinity.take(), node));
        let owner = util::controller_ref("apps/v1", "DaemonSet", name_of(&ds.metadata), uid_of(&ds.metadata));
        let pod = util::pod_from_template(&template, util::namespace_of(&ds.metadata), name_of(&ds.metadata), owner);
        match api.create(Object::Pod(pod), &util::opts()) {
            Ok(created) => {
                api.record_event(ds_obj, None, NORMAL, "SuccessfulCreate", &format!("Created pod: {}", created.name()), &Self::reporter());
                Ok(())
            }
            Err(e) if util::is_namespace_terminating(&e) => Ok(()),
            Err(e) => {
                api.record_event(ds_obj, None, WARNING, "FailedCreate", &format!("Error creating: {e}"), &Self::reporter());
                Err(e)
            }
        }
    }

    fn delete_pod(&self, api: &mut ApiServer, ds_obj: &Object, pod: &Pod) -> Result<(), ApiError> {
        let name = name_of(&pod.metadata).to_string();
        match api.delete(Kind::Pod, util::namespace_of(&pod.metadata), &name, &DeleteOptions::default()) {
            Ok(_) => {
                api.record_event(ds_obj, None, NORMAL, "SuccessfulDelete", &format!("Deleted pod: {name}"), &Self::reporter());
                Ok(())
            }
            Err(e) if util::is_not_found(&e) => Ok(()),
            Err(e) => {
                api.record_event(ds_obj, None, WARNING, "FailedDelete", &format!("Error deleting: {e}"), &Self::reporter());
                Err(e)
            }
        }
    }

    /// getNodesToDaemonPods: the owned pods that match the selector,
    /// grouped by the node they are for, in pod-name order (from the index,
    /// which the caller brings up to date first).
    fn node_to_pods<'a>(&'a self, ds: &DaemonSet, selector: &Selector) -> BTreeMap<&'a str, Vec<&'a Pod>> {
        let mut map: BTreeMap<&str, Vec<&Pod>> = BTreeMap::new();
        for e in self.pods.owned_by(util::namespace_of(&ds.metadata), uid_of(&ds.metadata)).pods.values() {
            let p = e.pod();
            if !selector.matches(meta::labels(&p.metadata)) {
                continue;
            }
            if let Some(n) = target_node(p) {
                map.entry(n).or_default().push(p);
            }
        }
        map
    }
}

impl Controller for DaemonSetController {
    fn name(&self) -> &'static str {
        "daemonset"
    }

    fn observe(&mut self, event: &WatchEvent, queue: &mut Queue) {
        self.pods.observe(event);
        match event.key.kind {
            Kind::DaemonSet => {
                let uid = uid_of(event.object.meta());
                if event.event_type == EventType::Deleted {
                    self.daemonsets.remove(&event.key);
                    self.pods.untrack_owner(uid);
                } else {
                    self.daemonsets.insert(event.key.clone());
                    self.pods.track_owner(uid);
                }
                queue.add(event.key.clone());
            }
            Kind::Pod => {
                for o in std::iter::once(&event.object).chain(event.prev.as_ref()) {
                    if let Some(r) = meta::controller_of(o.meta()).filter(|r| r.kind == "DaemonSet") {
                        queue.add(ObjectKey::new(Kind::DaemonSet, o.namespace(), &r.name));
                    }
                }
            }
            Kind::Node => {
                // Heartbeats do not matter; labels, taints and new or gone nodes do.
                let relevant = match (&event.prev, event.event_type) {
                    (Some(prev), EventType::Modified) => {
                        let (a, b) = (prev.as_typed::<Node>(), event.object.as_typed::<Node>());
                        a.map(|n| (&n.metadata.labels, &n.spec)) != b.map(|n| (&n.metadata.labels, &n.spec))
                    }
                    _ => true,
                };
                if relevant {
                    for k in &self.daemonsets {
                        queue.add(k.clone());
                    }
                }
            }
            _ => {}
        }
    }

    fn sync(&mut self, api: &mut ApiServer, key: &ObjectKey, queue: &mut Queue) -> Result<(), ApiError> {
        let ds_obj = match api.get(Kind::DaemonSet, &key.namespace, &key.name) {
            Ok(o) => o,
            Err(e) if util::is_not_found(&e) => return Ok(()),
            Err(e) => return Err(e),
        };
        let Some(ds) = ds_obj.as_typed::<DaemonSet>() else { return Ok(()) };
        let Ok(selector) = Selector::from_label_selector(&ds.spec.selector) else { return Ok(()) };
        let collision = ds.status.as_ref().and_then(|s| s.collision_count);
        let hash = compute_hash(&ds.spec.template, collision);
        // Shared node objects: the sync only reads them.
        let node_objects: Vec<Arc<Object>> = api.store().list(Kind::Node, None).cloned().collect();
        let nodes: Vec<&Node> = node_objects.iter().filter_map(|o| o.as_typed::<Node>()).collect();
        // The template with the daemon tolerations, once for every node.
        let mut daemon_spec = ds.spec.template.spec.clone().unwrap_or_default();
        add_daemon_tolerations(&mut daemon_spec);
        // (should run, should continue running) per node, in node order.
        let should_run: Vec<(bool, bool)> = nodes.iter().map(|n| node_should_run_pod(&daemon_spec, n)).collect();
        let now = api.now();
        let min_ready = ds.spec.min_ready_seconds.unwrap_or(0);
        let mut first_err = None;
        self.pods.track_owner(uid_of(&ds.metadata));
        self.pods.catch_up(api);

        if ds.metadata.deletion_timestamp.is_none() {
            let node_pods = self.node_to_pods(ds, &selector);
            let node_names: BTreeSet<&str> = nodes.iter().map(|n| name_of(&n.metadata)).collect();
            let mut to_create: Vec<&str> = vec![];
            let mut to_delete: Vec<&Pod> = vec![];
            let mut desired = 0;
            for (node, &(run, keep)) in nodes.iter().zip(&should_run) {
                let name = name_of(&node.metadata);
                let live: Vec<&Pod> = node_pods.get(name).into_iter().flatten().copied().filter(|p| p.metadata.deletion_timestamp.is_none()).collect();
                if run {
                    desired += 1;
                }
                if run && live.is_empty() {
                    to_create.push(name);
                } else if keep || run {
                    // Failed pods go (and come back next sync); extras go, oldest kept.
                    let mut running: Vec<&Pod> = vec![];
                    for p in live {
                        if util::pod_phase(p) == "Failed" {
                            to_delete.push(p);
                        } else {
                            running.push(p);
                        }
                    }
                    apimachinery::sort::sort_by(&mut running, |a, b| util::created(&a.metadata).cmp(&util::created(&b.metadata)).then_with(|| name_of(&a.metadata).cmp(name_of(&b.metadata))));
                    to_delete.extend(running.iter().skip(1));
                } else {
                    to_delete.extend(live);
                }
            }
            // Pods for nodes that no longer exist.
            for (n, pods) in &node_pods {
                if !node_names.contains(n) {
                    to_delete.extend(pods.iter().filter(|p| p.metadata.deletion_timestamp.is_none()));
                }
            }
            // RollingUpdate: replace out-of-date pods within maxUnavailable.
            let rolling = ds.spec.update_strategy.as_ref().and_then(|s| s.type_.as_deref()).unwrap_or("RollingUpdate") == "RollingUpdate";
            if rolling && to_create.is_empty() {
                let max_unavailable = ds
                    .spec
                    .update_strategy
                    .as_ref()
                    .and_then(|s| s.rolling_update.as_ref())
                    .and_then(|r| r.max_unavailable.clone())
                    .unwrap_or(IntOrString::Int(1));
                let max_unavailable = util::scaled_value(&max_unavailable, desired, true).unwrap_or(1).max(1);
                let mut unavailable = 0;
                let mut old_pods: Vec<(bool, &Pod)> = vec![];
                for (node, &(run, _)) in nodes.iter().zip(&should_run) {
                    let name = name_of(&node.metadata);
                    let Some(p) = node_pods.get(name).into_iter().flatten().copied().find(|p| p.metadata.deletion_timestamp.is_none()) else {
                        if run {
                            unavailable += 1;
                        }
                        continue;
                    };
                    let available = util::is_pod_available(p, min_ready, now);
                    if !available {
                        unavailable += 1;
                    }
                    if meta::labels(&p.metadata).get(CONTROLLER_REVISION_HASH) != Some(&hash) && !to_delete.iter().any(|d| d.metadata.uid == p.metadata.uid) {
                        old_pods.push((available, p));
                    }
                }
                for (available, p) in old_pods {
                    if !available {
                        to_delete.push(p);
                    } else if unavailable < max_unavailable {
                        unavailable += 1;
                        to_delete.push(p);
                    }
                }
            }
            // syncNodes: creates in slow-start batches, then deletes.
            let mut batch = 1usize.min(to_create.len());
            let mut idx = 0;
            'create: while batch > 0 {
                for node in &to_create[idx..idx + batch] {
                    if let Err(e) = self.create_pod(api, &ds_obj, ds, node, &hash) {
                        first_err = Some(e);
                        break 'create;
                    }
                }
                idx += batch;
                batch = (2 * batch).min(to_create.len() - idx);
            }
            for p in to_delete {
                if let Err(e) = self.delete_pod(api, &ds_obj, p) {
                    first_err.get_or_insert(e);
                }
            }
        }

        // updateDaemonSetStatus, from the pods as they are now.
        self.pods.catch_up(api);
        let node_pods = self.node_to_pods(ds, &selector);
        let (mut desired, mut current, mut misscheduled, mut ready, mut updated, mut available) = (0, 0, 0, 0, 0, 0);
        let mut next_available: Option<Timestamp> = None;
        for (node, &(run, _)) in nodes.iter().zip(&should_run) {
            let name = name_of(&node.metadata);
            let pods: Vec<&Pod> = node_pods.get(name).into_iter().flatten().copied().filter(|p| p.metadata.deletion_timestamp.is_none()).collect();
            if run {
                desired += 1;
                if let Some(p) = pods.first() {
                    current += 1;
                    if util::is_pod_ready(p) {
                        ready += 1;
                        if util::is_pod_available(p, min_ready, now) {
                            available += 1;
                        } else if let Some(t) = util::pod_available_at(p, min_ready, now) {
                            next_available = Some(next_available.map_or(t, |n: Timestamp| n.min(t)));
                        }
                    }
                    if meta::labels(&p.metadata).get(CONTROLLER_REVISION_HASH) == Some(&hash) {
                        updated += 1;
                    }
                }
            } else if pods.iter().any(|p| !util::pod_node(p).is_empty()) {
                misscheduled += 1;
            }
        }
        let mut new = ds.clone();
        let st = new.status.get_or_insert_with(Default::default);
        let before = st.clone();
        st.desired_number_scheduled = desired;
        st.current_number_scheduled = current;
        st.number_misscheduled = misscheduled;
        st.number_ready = ready;
        st.updated_number_scheduled = nonzero(updated);
        st.number_available = nonzero(available);
        st.number_unavailable = nonzero(desired - available);
        st.observed_generation = ds.metadata.generation;
        if *st != before {
            new.metadata.resource_version = None;
            match api.update_status(Object::DaemonSet(new)) {
                Ok(_) => {}
                Err(e) if util::is_not_found(&e) => {}
                Err(e) => return Err(e),
            }
        }
        // Ready pods become available after minReadySeconds: look again then.
        if let Some(t) = next_available {
            queue.add_after(key.clone(), now, t.duration_since(now));
        }
        match first_err {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}
