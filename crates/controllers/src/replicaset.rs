//! The ReplicaSet controller (pkg/controller/replicaset/replica_set.go and
//! replica_set_utils.go), shared with the ReplicationController controller
//! as upstream shares it (pkg/controller/replication wraps the same code).
//!
//! sync: read the RS, claim pods (adopt matching orphans, release owned pods
//! that no longer match), create or delete pods to reach `spec.replicas`,
//! then write the status. Upstream needs "expectations" because its cache
//! lags its own writes; here every read goes to the API server, so the
//! level-driven sync sees its own writes and needs none.

use crate::util::{self, nonzero, nonzero64, is_pod_active, is_pod_available, is_pod_ready, is_pod_terminating};
use crate::{Controller, Queue};
use apimachinery::k8s_openapi::api::apps::v1::{ReplicaSet, ReplicaSetCondition};
use apimachinery::k8s_openapi::api::core::v1::{Pod, PodTemplateSpec, ReplicationController, ReplicationControllerCondition};
use apimachinery::selector::Selector;
use apimachinery::{ApiError, Kind, Object, ObjectKey, SignedDuration, Timestamp, meta};
use apiserver::events::{NORMAL, Reporter, WARNING};
use apiserver::{ApiServer, DeleteOptions};
use std::collections::BTreeMap;
use std::sync::Arc;
use store::{EventType, WatchEvent};

/// controller.BurstReplicas: at most this many creates or deletes per sync.
pub const BURST_REPLICAS: usize = 500;
/// controller.SlowStartInitialBatchSize.
pub const SLOW_START_INITIAL_BATCH_SIZE: usize = 1;
/// The pod-deletion-cost annotation (feature PodDeletionCost, on).
pub const POD_DELETION_COST: &str = "controller.kubernetes.io/pod-deletion-cost";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    ReplicaSet,
    ReplicationController,
}

impl Flavor {
    pub fn kind(self) -> Kind {
        match self {
            Flavor::ReplicaSet => Kind::ReplicaSet,
            Flavor::ReplicationController => Kind::ReplicationController,
        }
    }
    /// The event source component.
    pub fn component(self) -> &'static str {
        match self {
            Flavor::ReplicaSet => "replicaset-controller",
            Flavor::ReplicationController => "replication-controller",
        }
    }
}

/// The fields of a ReplicaSet or ReplicationController this controller
/// reads, in one shape.
pub(crate) struct Workload {
    pub object: Arc<Object>,
    pub name: String,
    pub namespace: String,
    pub uid: String,
    pub selector: Selector,
    pub replicas: i32,
    pub min_ready_seconds: i32,
    pub template: Option<PodTemplateSpec>,
    pub generation: i64,
    pub deleting: bool,
    /// The controller of this RS (a Deployment), for sibling pods.
    pub owner_uid: Option<String>,
}

impl Workload {
    pub fn from_object(object: Arc<Object>) -> Option<Result<Workload, String>> {
        let m = object.meta().clone();
        let (selector, replicas, min_ready, template) = match &*object {
            Object::ReplicaSet(rs) => (
                Selector::from_label_selector(&rs.spec.selector),
                rs.spec.replicas.unwrap_or(1),
                rs.spec.min_ready_seconds.unwrap_or(0),
                rs.spec.template.clone(),
            ),
            Object::ReplicationController(rc) => {
                let spec = rc.spec.clone().unwrap_or_default();
                // An RC's selector is a plain map; empty selects nothing here
                // (validation forbids it; defaulting copies template labels).
                let sel = match spec.selector.as_ref().filter(|s| !s.is_empty()) {
                    Some(s) => Ok(Selector::from_map(s)),
                    None => Ok(Selector::nothing()),
                };
                (sel, spec.replicas.unwrap_or(1), spec.min_ready_seconds.unwrap_or(0), spec.template)
            }
            _ => return None,
        };
        Some(selector.map(|selector| Workload {
            name: m.name.clone().unwrap_or_default(),
            namespace: m.namespace.clone().unwrap_or_default(),
            uid: m.uid.clone().unwrap_or_default(),
            selector,
            replicas,
            min_ready_seconds: min_ready,
            template,
            generation: m.generation.unwrap_or(0),
            deleting: m.deletion_timestamp.is_some(),
            owner_uid: meta::controller_of(&m).map(|r| r.uid.clone()),
            object,
        }))
    }
}

/// The status numbers calculateStatus produces.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ReplicaCounts {
    pub replicas: i32,
    pub fully_labeled: i32,
    pub ready: i32,
    pub available: i32,
    pub terminating: i32,
}

pub struct ReplicaSetController {
    pub flavor: Flavor,
    /// Informer index: selectors of the workloads per namespace, to find
    /// the owners of orphan pods (getPodReplicaSets).
    selectors: BTreeMap<String, BTreeMap<String, Selector>>,
}

impl ReplicaSetController {
    pub fn new(flavor: Flavor) -> ReplicaSetController {
        ReplicaSetController { flavor, selectors: BTreeMap::new() }
    }

    fn reporter(&self) -> Reporter {
        Reporter::controller(self.flavor.component())
    }

    fn enqueue_pod_owners(&self, pod: &Object, queue: &mut Queue) {
        let kind = self.flavor.kind();
        match meta::controller_of(pod.meta()) {
            Some(r) => {
                if r.kind == kind.info().name {
                    queue.add(ObjectKey::new(kind, pod.namespace(), &r.name));
                }
            }
            None => {
                // An orphan: every workload whose selector matches may adopt it.
                let labels = meta::labels(pod.meta());
                if let Some(sels) = self.selectors.get(pod.namespace()) {
                    for (name, sel) in sels {
                        if sel.matches(labels) {
                            queue.add(ObjectKey::new(kind, pod.namespace(), name));
                        }
                    }
                }
            }
        }
    }

    fn manage_replicas(&self, api: &mut ApiServer, w: &Workload, active: &[&Pod], all_pods: &[Arc<Object>]) -> Result<(), (i32, ApiError)> {
        let diff = active.len() as i64 - w.replicas as i64;
        if diff < 0 {
            let n = ((-diff) as usize).min(BURST_REPLICAS);
            let Some(template) = w.template.as_ref() else { return Ok(()) };
            if template.metadata.as_ref().and_then(|m| m.labels.as_ref()).is_none_or(|l| l.is_empty()) {
                return Err((-1, ApiError::bad_request("unable to create pods, no labels")));
            }
            let info = w.object.info();
            let owner = util::controller_ref(info.api_version, info.name, &w.name, &w.uid);
            // slowStartBatch: 1, 2, 4, ... pods; stop after a batch with a failure.
            let mut remaining = n;
            let mut batch = SLOW_START_INITIAL_BATCH_SIZE.min(remaining);
            while batch > 0 {
                let mut failure = None;
                for _ in 0..batch {
                    let pod = util::pod_from_template(template, &w.namespace, &w.name, owner.clone());
                    match api.create(Object::Pod(pod), &util::opts()) {
                        Ok(created) => {
                            let msg = format!("Created pod: {}", created.name());
                            api.record_event(&w.object, None, NORMAL, "SuccessfulCreate", &msg, &self.reporter());
                        }
                        // A terminating namespace: not an error, and no event.
                        Err(e) if util::is_namespace_terminating(&e) => {}
                        Err(e) => {
                            api.record_event(&w.object, None, WARNING, "FailedCreate", &format!("Error creating: {e}"), &self.reporter());
                            if failure.is_none() {
                                failure = Some(e);
                            }
                        }
                    }
                }
                if let Some(e) = failure {
                    return Err((-1, e));
                }
                remaining -= batch;
                batch = (2 * batch).min(remaining);
            }
            return Ok(());
        }
        if diff > 0 {
            let n = (diff as usize).min(BURST_REPLICAS);
            let related = self.related_pods(api, w, all_pods);
            let to_delete = pods_to_delete(active, &related, n, api.now());
            let mut first_err = None;
            for pod in to_delete {
                let name = util::name_of(&pod.metadata).to_string();
                match api.delete(Kind::Pod, &w.namespace, &name, &DeleteOptions::default()) {
                    Ok(_) => {
                        api.record_event(&w.object, None, NORMAL, "SuccessfulDelete", &format!("Deleted pod: {name}"), &self.reporter());
                    }
                    Err(e) if util::is_not_found(&e) => {}
                    Err(e) => {
                        api.record_event(&w.object, None, WARNING, "FailedDelete", &format!("Error deleting: {e}"), &self.reporter());
                        first_err.get_or_insert(e);
                    }
                }
            }
            if let Some(e) = first_err {
                return Err((1, e));
            }
        }
        Ok(())
    }

    /// getIndirectlyRelatedPods: active pods of every workload that shares
    /// this one's controller (the sibling ReplicaSets of a Deployment).
    fn related_pods<'a>(&self, api: &ApiServer, w: &Workload, all_pods: &'a [Arc<Object>]) -> Vec<&'a Pod> {
        let mut owner_uids = vec![w.uid.clone()];
        if let Some(owner) = &w.owner_uid {
            for o in api.store().list(self.flavor.kind(), Some(&w.namespace)) {
                if meta::controller_of(o.meta()).is_some_and(|r| &r.uid == owner) {
                    owner_uids.push(o.meta().uid.clone().unwrap_or_default());
                }
            }
        }
        all_pods
            .iter()
            .filter_map(|o| o.as_typed::<Pod>())
            .filter(|p| meta::controller_of(&p.metadata).is_some_and(|r| owner_uids.contains(&r.uid)))
            .collect()
    }

    fn write_status(&self, api: &mut ApiServer, w: &Workload, counts: &ReplicaCounts, failure: Option<(&str, String)>) -> Result<(), ApiError> {
        let now = api.now_time();
        match &*w.object {
            Object::ReplicaSet(rs) => {
                let old = rs.status.clone().unwrap_or_default();
                let mut conds = old.conditions.clone().unwrap_or_default();
                let has_failure = conds.iter().any(|c| c.type_.as_deref() == Some("ReplicaFailure"));
                match &failure {
                    Some((reason, message)) if !has_failure => conds.push(ReplicaSetCondition {
                        type_: Some("ReplicaFailure".into()),
                        status: Some("True".into()),
                        reason: Some(reason.to_string()),
                        message: Some(message.clone()),
                        last_transition_time: Some(now),
                    }),
                    None if has_failure => conds.retain(|c| c.type_.as_deref() != Some("ReplicaFailure")),
                    _ => {}
                }
                let conditions = if conds.is_empty() { None } else { Some(conds) };
                let same = old.replicas == counts.replicas
                    && old.fully_labeled_replicas.unwrap_or(0) == counts.fully_labeled
                    && old.ready_replicas.unwrap_or(0) == counts.ready
                    && old.available_replicas.unwrap_or(0) == counts.available
                    && old.terminating_replicas == Some(counts.terminating)
                    && old.observed_generation.unwrap_or(0) == w.generation
                    && old.conditions == conditions;
                if same {
                    return Ok(());
                }
                let mut new = rs.clone();
                let status = new.status.get_or_insert_with(Default::default);
                status.replicas = counts.replicas;
                // Go's `omitempty` int32s: zero is absent, not 0.
                status.fully_labeled_replicas = nonzero(counts.fully_labeled);
                status.ready_replicas = nonzero(counts.ready);
                status.available_replicas = nonzero(counts.available);
                // A pointer upstream (feature DeploymentReplicaSetTerminatingReplicas): 0 is shown.
                status.terminating_replicas = Some(counts.terminating);
                status.observed_generation = nonzero64(w.generation);
                status.conditions = conditions;
                new.metadata.resource_version = None;
                api.update_status(Object::ReplicaSet(new)).map(|_| ())
            }
            Object::ReplicationController(rc) => {
                let old = rc.status.clone().unwrap_or_default();
                let mut conds = old.conditions.clone().unwrap_or_default();
                let has_failure = conds.iter().any(|c| c.type_ == "ReplicaFailure");
                match &failure {
                    Some((reason, message)) if !has_failure => conds.push(ReplicationControllerCondition {
                        type_: "ReplicaFailure".into(),
                        status: "True".into(),
                        reason: Some(reason.to_string()),
                        message: Some(message.clone()),
                        last_transition_time: Some(now),
                    }),
                    None if has_failure => conds.retain(|c| c.type_ != "ReplicaFailure"),
                    _ => {}
                }
                let conditions = if conds.is_empty() { None } else { Some(conds) };
                let same = old.replicas == counts.replicas
                    && old.fully_labeled_replicas.unwrap_or(0) == counts.fully_labeled
                    && old.ready_replicas.unwrap_or(0) == counts.ready
                    && old.available_replicas.unwrap_or(0) == counts.available
                    && old.observed_generation.unwrap_or(0) == w.generation
                    && old.conditions == conditions;
                if same {
                    return Ok(());
                }
                let mut new: ReplicationController = rc.clone();
                let status = new.status.get_or_insert_with(Default::default);
                status.replicas = counts.replicas;
                status.fully_labeled_replicas = nonzero(counts.fully_labeled);
                status.ready_replicas = nonzero(counts.ready);
                status.available_replicas = nonzero(counts.available);
                status.observed_generation = nonzero64(w.generation);
                status.conditions = conditions;
                new.metadata.resource_version = None;
                api.update_status(Object::ReplicationController(new)).map(|_| ())
            }
            _ => Ok(()),
        }
    }
}

impl Controller for ReplicaSetController {
    fn name(&self) -> &'static str {
        match self.flavor {
            Flavor::ReplicaSet => "replicaset",
            Flavor::ReplicationController => "replicationcontroller",
        }
    }

    fn observe(&mut self, event: &WatchEvent, queue: &mut Queue) {
        let kind = self.flavor.kind();
        if event.key.kind == kind {
            let ns = event.key.namespace.clone();
            if event.event_type == EventType::Deleted {
                if let Some(m) = self.selectors.get_mut(&ns) {
                    m.remove(&event.key.name);
                }
            } else if let Some(Ok(w)) = Workload::from_object(event.object.clone()) {
                self.selectors.entry(ns).or_default().insert(event.key.name.clone(), w.selector);
            }
            queue.add(event.key.clone());
            return;
        }
        if event.key.kind == Kind::Pod {
            self.enqueue_pod_owners(&event.object, queue);
            if let Some(prev) = &event.prev {
                let moved = meta::controller_of(prev.meta()) != meta::controller_of(event.object.meta())
                    || meta::labels(prev.meta()) != meta::labels(event.object.meta());
                if moved {
                    self.enqueue_pod_owners(prev, queue);
                }
            }
        }
    }

    fn sync(&mut self, api: &mut ApiServer, key: &ObjectKey, queue: &mut Queue) -> Result<(), ApiError> {
        let object = match api.get(key.kind, &key.namespace, &key.name) {
            Ok(o) => o,
            Err(e) if util::is_not_found(&e) => return Ok(()),
            Err(e) => return Err(e),
        };
        let w = match Workload::from_object(object) {
            Some(Ok(w)) => w,
            // An invalid selector cannot be fixed by retrying (HandleError, nil).
            Some(Err(_)) | None => return Ok(()),
        };
        let now = api.now();
        let all_pods = util::list_arcs(api, Kind::Pod, Some(&w.namespace));
        let (active_objects, terminating) = self.claim_pods(api, &w, &all_pods)?;
        let active: Vec<&Pod> = active_objects.iter().filter_map(|o| o.as_typed::<Pod>()).collect();
        let mut manage_err = None;
        if !w.deleting
            && let Err(e) = self.manage_replicas(api, &w, &active, &all_pods) {
                manage_err = Some(e);
            }
        // As upstream, the status counts the pods listed before this sync's
        // own creates and deletes; their watch events bring the next sync.
        let counts = calculate_counts(&w, &active, terminating, now);
        let failure = manage_err.as_ref().map(|(dir, e)| (if *dir < 0 { "FailedCreate" } else { "FailedDelete" }, e.message.clone()));
        self.write_status(api, &w, &counts, failure)?;
        if let Some((_, e)) = manage_err {
            return Err(e);
        }
        // Pods that are ready but not yet available: look again when the
        // first of them becomes available (replica_set.go syncReplicaSet,
        // controller.FindMinNextPodAvailabilityCheck), else after minReadySeconds.
        if w.min_ready_seconds > 0 && counts.ready != counts.available {
            let next = active.iter().filter_map(|p| util::pod_available_at(p, w.min_ready_seconds, now)).min();
            let delay = next.map_or(SignedDuration::from_secs(w.min_ready_seconds as i64), |t| t.duration_since(now));
            queue.add_after(key.clone(), now, delay);
        }
        Ok(())
    }
}

impl ReplicaSetController {
    /// claimPods (ControllerRefManager.ClaimPods): adopt matching orphans,
    /// release owned pods whose labels stopped matching. Returns the active
    /// owned pods and the number of owned terminating ones.
    /// Returns shared references (cloning 1,000 pods on every sync was the
    /// controller's main cost).
    fn claim_pods(&self, api: &mut ApiServer, w: &Workload, all_pods: &[Arc<Object>]) -> Result<(Vec<Arc<Object>>, usize), ApiError> {
        let mut active = vec![];
        let mut terminating = 0;
        for o in all_pods {
            let Some(pod) = o.as_typed::<Pod>() else { continue };
            let labels = meta::labels(&pod.metadata);
            let matches = w.selector.matches(labels);
            match meta::controller_of(&pod.metadata) {
                Some(r) if r.uid == w.uid => {
                    if matches || w.deleting {
                        if is_pod_active(pod) {
                            active.push(o.clone());
                        } else if is_pod_terminating(pod) {
                            terminating += 1;
                        }
                    } else if is_pod_active(pod) {
                        // Release: drop our controller reference.
                        let mut p = pod.clone();
                        if let Some(refs) = p.metadata.owner_references.as_mut() {
                            refs.retain(|r| r.uid != w.uid);
                        }
                        p.metadata.resource_version = None;
                        match api.update(Object::Pod(p), &util::opts()) {
                            Ok(_) => {}
                            Err(e) if util::is_not_found(&e) => {}
                            Err(e) => return Err(e),
                        }
                    }
                }
                Some(_) => {}
                None => {
                    if matches && !w.deleting && is_pod_active(pod) {
                        let mut p = pod.clone();
                        let info = w.object.info();
                        p.metadata.owner_references.get_or_insert_with(Vec::new).push(util::controller_ref(info.api_version, info.name, &w.name, &w.uid));
                        p.metadata.resource_version = None;
                        match api.update(Object::Pod(p), &util::opts()) {
                            Ok(adopted) => active.push(adopted),
                            Err(e) if util::is_not_found(&e) => {}
                            Err(e) => return Err(e),
                        }
                    }
                }
            }
        }
        Ok((active, terminating))
    }
}

/// calculateStatus (replica_set_utils.go).
pub(crate) fn calculate_counts(w: &Workload, active: &[&Pod], terminating: usize, now: Timestamp) -> ReplicaCounts {
    let template_labels = w.template.as_ref().and_then(|t| t.metadata.as_ref()).and_then(|m| m.labels.clone()).unwrap_or_default();
    let mut c = ReplicaCounts { replicas: active.len() as i32, terminating: terminating as i32, ..Default::default() };
    for p in active {
        let labels = meta::labels(&p.metadata);
        if template_labels.iter().all(|(k, v)| labels.get(k) == Some(v)) {
            c.fully_labeled += 1;
        }
        if is_pod_ready(p) {
            c.ready += 1;
            if is_pod_available(p, w.min_ready_seconds, now) {
                c.available += 1;
            }
        }
    }
    c
}

/// getPodsToDelete: when only some pods go, rank them (ActivePodsWithRanks)
/// and take the first `n`.
pub fn pods_to_delete(active: &[&Pod], related: &[&Pod], n: usize, now: Timestamp) -> Vec<Pod> {
    if n >= active.len() {
        return active.iter().map(|p| (*p).clone()).collect();
    }
    let mut on_node: BTreeMap<&str, i32> = BTreeMap::new();
    for p in related.iter().filter(|p| is_pod_active(p)) {
        *on_node.entry(util::pod_node(p)).or_insert(0) += 1;
    }
    let mut ranked: Vec<(i32, &Pod)> = active.iter().map(|p| (on_node.get(util::pod_node(p)).copied().unwrap_or(0), *p)).collect();
    ranked.sort_by(|a, b| {
        if less(a, b, now) {
            std::cmp::Ordering::Less
        } else if less(b, a, now) {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        }
    });
    ranked.into_iter().take(n).map(|(_, p)| p.clone()).collect()
}

fn phase_ordinal(p: &Pod) -> i32 {
    match util::pod_phase(p) {
        "Unknown" => 1,
        "Running" => 2,
        _ => 0,
    }
}

fn deletion_cost(p: &Pod) -> i32 {
    meta::annotations(&p.metadata).get(POD_DELETION_COST).and_then(|v| v.parse::<i32>().ok()).unwrap_or(0)
}

fn max_restarts(p: &Pod) -> i32 {
    let st = p.status.as_ref();
    st.and_then(|s| s.container_statuses.as_ref())
        .into_iter()
        .flatten()
        .chain(st.and_then(|s| s.init_container_statuses.as_ref()).into_iter().flatten())
        .map(|c| c.restart_count)
        .max()
        .unwrap_or(0)
}

/// floor(log2(now - t)) in nanoseconds, -1 for no positive age
/// (logarithmicRankDiff; integer log2 so the result is the same everywhere).
fn log_bucket(t: Timestamp, now: Timestamp) -> i64 {
    let d = now.as_nanosecond() - t.as_nanosecond();
    if d <= 0 { -1 } else { 127 - d.leading_zeros() as i64 }
}

/// afterOrZero: zero times first, then the later time first.
fn after_or_zero(a: Option<Timestamp>, b: Option<Timestamp>) -> bool {
    match (a, b) {
        (None, _) | (_, None) => a.is_none(),
        (Some(a), Some(b)) => a > b,
    }
}

/// ActivePodsWithRanks.Less (controller_utils.go): true when `a` should be
/// deleted before `b`.
fn less(a: &(i32, &Pod), b: &(i32, &Pod), now: Timestamp) -> bool {
    let ((rank_a, pa), (rank_b, pb)) = (a, b);
    let (na, nb) = (util::pod_node(pa), util::pod_node(pb));
    // 1. Unassigned < assigned.
    if na != nb && (na.is_empty() || nb.is_empty()) {
        return na.is_empty();
    }
    // 2. Pending < Unknown < Running.
    if phase_ordinal(pa) != phase_ordinal(pb) {
        return phase_ordinal(pa) < phase_ordinal(pb);
    }
    // 3. Not ready < ready.
    if is_pod_ready(pa) != is_pod_ready(pb) {
        return !is_pod_ready(pa);
    }
    // 4. Lower deletion cost first.
    if deletion_cost(pa) != deletion_cost(pb) {
        return deletion_cost(pa) < deletion_cost(pb);
    }
    // 5. More related pods on the same node first.
    if rank_a != rank_b {
        return rank_a > rank_b;
    }
    let uid_less = || util::uid_of(&pa.metadata) < util::uid_of(&pb.metadata);
    // 6. Both ready: ready more recently first, in log2 buckets (LogarithmicScaleDown).
    if is_pod_ready(pa) && is_pod_ready(pb) {
        let (ra, rb) = (util::pod_ready_since(pa), util::pod_ready_since(pb));
        if ra != rb {
            let (Some(ta), Some(tb)) = (ra, rb) else { return after_or_zero(ra, rb) };
            let diff = log_bucket(ta, now) - log_bucket(tb, now);
            return if diff == 0 { uid_less() } else { diff < 0 };
        }
    }
    // 7. More container restarts first.
    if max_restarts(pa) != max_restarts(pb) {
        return max_restarts(pa) > max_restarts(pb);
    }
    // 8. Newer first (log2 buckets, then UID).
    let (ca, cb) = (pa.metadata.creation_timestamp.as_ref().map(|t| t.0), pb.metadata.creation_timestamp.as_ref().map(|t| t.0));
    if ca != cb {
        let (Some(ta), Some(tb)) = (ca, cb) else { return after_or_zero(ca, cb) };
        let diff = log_bucket(ta, now) - log_bucket(tb, now);
        return if diff == 0 { uid_less() } else { diff < 0 };
    }
    false
}

/// A ReplicaSet typed view for other controllers (Deployment).
pub fn rs_counts(rs: &ReplicaSet) -> (i32, i32, i32) {
    let s = rs.status.clone().unwrap_or_default();
    (s.replicas, s.ready_replicas.unwrap_or(0), s.available_replicas.unwrap_or(0))
}
