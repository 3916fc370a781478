//! The ReplicaSet controller (pkg/controller/replicaset/replica_set.go and
//! replica_set_utils.go), shared with the ReplicationController controller
//! as upstream shares it (pkg/controller/replication wraps the same code).
//!
//! sync: read the RS, claim pods (adopt matching orphans, release owned pods
//! that no longer match), create or delete pods to reach `spec.replicas`,
//! then write the status. Upstream needs "expectations" because its cache
//! lags its own writes; here the pod index catches up with the watch at the
//! start of every sync (`PodIndex::catch_up`), so the level-driven sync sees
//! its own writes and needs none.
//!
//! Pods come from the pod informer's controller-UID index, as upstream's
//! `getRSPods` reads `podIndexer.ByIndex(controllerUIDIndex, uid)` plus the
//! orphans: a sync touches only this workload's pods and the orphans of its
//! namespace, each with its readiness summarised once per change.

use crate::podindex::{LabelVerdict, PodIndex};
use crate::util::{self, nonzero, nonzero64};
use crate::{Controller, Queue};
use apimachinery::k8s_openapi::api::apps::v1::{ReplicaSet, ReplicaSetCondition};
use apimachinery::k8s_openapi::api::core::v1::{Pod, PodTemplateSpec, ReplicationController, ReplicationControllerCondition};
use apimachinery::selector::Selector;
use apimachinery::{ApiError, Kind, Object, ObjectKey, SignedDuration, Timestamp, meta};
use apiserver::events::{NORMAL, Reporter, WARNING};
use apiserver::{ApiServer, DeleteOptions};
use std::collections::{BTreeMap, BTreeSet};
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
    pub generation: i64,
    pub deleting: bool,
    /// The controller of this RS (a Deployment), for sibling pods.
    pub owner_uid: Option<String>,
}

static NO_LABELS: BTreeMap<String, String> = BTreeMap::new();

impl Workload {
    pub fn from_object(object: Arc<Object>) -> Option<Result<Workload, String>> {
        let (selector, replicas, min_ready) = match &*object {
            Object::ReplicaSet(rs) => {
                (Selector::from_label_selector(&rs.spec.selector), rs.spec.replicas.unwrap_or(1), rs.spec.min_ready_seconds.unwrap_or(0))
            }
            Object::ReplicationController(rc) => {
                let spec = rc.spec.as_ref();
                // An RC's selector is a plain map; empty selects nothing here
                // (validation forbids it; defaulting copies template labels).
                let sel = match spec.and_then(|s| s.selector.as_ref()).filter(|s| !s.is_empty()) {
                    Some(s) => Ok(Selector::from_map(s)),
                    None => Ok(Selector::nothing()),
                };
                (sel, spec.and_then(|s| s.replicas).unwrap_or(1), spec.and_then(|s| s.min_ready_seconds).unwrap_or(0))
            }
            _ => return None,
        };
        let m = object.meta();
        Some(selector.map(|selector| Workload {
            name: m.name.clone().unwrap_or_default(),
            namespace: m.namespace.clone().unwrap_or_default(),
            uid: m.uid.clone().unwrap_or_default(),
            selector,
            replicas,
            min_ready_seconds: min_ready,
            generation: m.generation.unwrap_or(0),
            deleting: m.deletion_timestamp.is_some(),
            owner_uid: meta::controller_of(m).map(|r| r.uid.clone()),
            object: object.clone(),
        }))
    }

    /// The pod template (read in place: the workload object is shared).
    pub fn template(&self) -> Option<&PodTemplateSpec> {
        match &*self.object {
            Object::ReplicaSet(rs) => rs.spec.template.as_ref(),
            Object::ReplicationController(rc) => rc.spec.as_ref().and_then(|s| s.template.as_ref()),
            _ => None,
        }
    }

    /// The template's labels (empty without a template).
    pub fn template_labels(&self) -> &BTreeMap<String, String> {
        self.template().and_then(|t| t.metadata.as_ref()).and_then(|m| m.labels.as_ref()).unwrap_or(&NO_LABELS)
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

/// An active pod as a sync sees it: its readiness and labels, summarised
/// once per change of the pod. Counting reads only these fields; the
/// shared pod itself (`pod()`) is read only to rank pods for deletion, so
/// that a sync over 1,000 pods does not walk 1,000 pod objects.
#[derive(Clone, Copy)]
pub(crate) struct ActivePod<'a> {
    object: &'a Object,
    pub name: &'a str,
    pub ready: bool,
    pub ready_since: Option<Timestamp>,
    pub fully_labeled: bool,
}

static NO_POD: std::sync::LazyLock<Pod> = std::sync::LazyLock::new(Pod::default);

impl<'a> ActivePod<'a> {
    fn of(object: &'a Object, template_labels: &BTreeMap<String, String>) -> Option<ActivePod<'a>> {
        let pod = object.as_typed::<Pod>()?;
        let fully_labeled = template_labels.iter().all(|(k, v)| meta::labels(&pod.metadata).get(k) == Some(v));
        Some(ActivePod { object, name: object.name(), ready: util::is_pod_ready(pod), ready_since: util::pod_ready_since(pod), fully_labeled })
    }

    pub fn pod(&self) -> &'a Pod {
        self.object.as_typed::<Pod>().unwrap_or(&NO_POD)
    }
}

/// What a sync saw when it changed no pod: a later sync of the same key
/// that finds the same workload revision (typically its own status write
/// coming back through the watch), no pod change in the namespace and the
/// same instant would compute the same result and write nothing, so it
/// returns at once. Upstream resyncs on every update too and accepts the
/// spurious syncs (replica_set.go updateRS); here they are kept, only cheap.
struct QuietSync {
    workload_revision: u64,
    pods_changed_at: u64,
    now: Timestamp,
}

pub struct ReplicaSetController {
    pub flavor: Flavor,
    /// Informer index: selectors of the workloads per namespace, to find
    /// the owners of orphan pods (getPodReplicaSets).
    selectors: BTreeMap<String, BTreeMap<String, Selector>>,
    /// The pod informer's indexer: pods by controller UID, orphans apart.
    pods: PodIndex,
    /// The last sync of each key, when it changed no pod.
    quiet: BTreeMap<ObjectKey, QuietSync>,
}

impl ReplicaSetController {
    pub fn new(flavor: Flavor) -> ReplicaSetController {
        ReplicaSetController { flavor, selectors: BTreeMap::new(), pods: PodIndex::default(), quiet: BTreeMap::new() }
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

    /// manageReplicas: create or delete pods (at most BURST_REPLICAS) to
    /// reach `spec.replicas`. Returns whether it wrote anything.
    fn manage_replicas(&self, api: &mut ApiServer, w: &Workload, active_len: usize, adopted: &[Arc<Object>]) -> Result<bool, (i32, ApiError)> {
        let diff = active_len as i64 - w.replicas as i64;
        if diff < 0 {
            let n = ((-diff) as usize).min(BURST_REPLICAS);
            let Some(template) = w.template() else { return Ok(false) };
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
            return Ok(true);
        }
        if diff > 0 {
            let n = (diff as usize).min(BURST_REPLICAS);
            let related = self.related_pods_per_node(api, w);
            let mut active = Vec::with_capacity(active_len);
            self.visit_active_pods(w, adopted, |p| active.push(p));
            let to_delete = pods_to_delete(&active, &related, n, api.now());
            let mut first_err = None;
            for name in to_delete {
                match api.delete(Kind::Pod, &w.namespace, name, &DeleteOptions::default()) {
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
            return Ok(true);
        }
        Ok(false)
    }

    /// getIndirectlyRelatedPods: the active pods of every workload that
    /// shares this one's controller (the sibling ReplicaSets of a
    /// Deployment), counted per node, from the index as the sync found it.
    fn related_pods_per_node<'a>(&'a self, api: &ApiServer, w: &Workload) -> BTreeMap<&'a str, i32> {
        let mut owner_uids = BTreeSet::from([w.uid.clone()]);
        if let Some(owner) = &w.owner_uid {
            for o in api.store().list(self.flavor.kind(), Some(&w.namespace)) {
                if meta::controller_of(o.meta()).is_some_and(|r| &r.uid == owner) {
                    owner_uids.insert(o.meta().uid.clone().unwrap_or_default());
                }
            }
        }
        let mut on_node: BTreeMap<&str, i32> = BTreeMap::new();
        for uid in &owner_uids {
            for e in self.pods.owned_by(&w.namespace, uid).pods.values().filter(|e| e.active) {
                *on_node.entry(util::pod_node(e.pod())).or_insert(0) += 1;
            }
        }
        on_node
    }

    /// Writes the status when it changed; returns the workload as stored after.
    fn write_status(&self, api: &mut ApiServer, w: &Workload, counts: &ReplicaCounts, failure: Option<(&str, String)>) -> Result<Arc<Object>, ApiError> {
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
                    return Ok(w.object.clone());
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
                api.update_status(Object::ReplicaSet(new))
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
                    return Ok(w.object.clone());
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
                api.update_status(Object::ReplicationController(new))
            }
            _ => Ok(w.object.clone()),
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
        self.pods.observe(event);
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
            Err(e) if util::is_not_found(&e) => {
                self.quiet.remove(key);
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        let w = match Workload::from_object(object) {
            Some(Ok(w)) => w,
            // An invalid selector cannot be fixed by retrying (HandleError, nil).
            Some(Err(_)) | None => return Ok(()),
        };
        let now = api.now();
        self.pods.catch_up(api);
        let pods_changed_at = self.pods.changed_at(&w.namespace);
        let workload_revision = meta::revision(w.object.meta());
        if self.quiet.get(key).is_some_and(|q| q.workload_revision == workload_revision && q.pods_changed_at == pods_changed_at && q.now == now) {
            return Ok(());
        }
        self.quiet.remove(key);
        if let Some(owned) = self.pods.owned_by_mut(&w.namespace, &w.uid) {
            owned.verdicts(&w.selector, w.template_labels());
        }
        let (adopted, released) = self.claim_pods(api, &w)?;
        // One pass over the claimed pods: calculateStatus and the next
        // availability check. As upstream, the status counts the pods
        // listed before this sync's own creates and deletes; their watch
        // events bring the next sync.
        let mut counts = ReplicaCounts::default();
        let mut next_available: Option<Timestamp> = None;
        let terminating = self.visit_active_pods(&w, &adopted, |p| {
            counts.add(&p, w.min_ready_seconds, now);
            if let Some(t) = util::available_at(p.ready, p.ready_since, w.min_ready_seconds, now) {
                next_available = Some(next_available.map_or(t, |n| n.min(t)));
            }
        });
        counts.terminating = terminating as i32;
        let mut manage_err = None;
        let mut wrote_pods = !adopted.is_empty() || released;
        if !w.deleting {
            match self.manage_replicas(api, &w, counts.replicas as usize, &adopted) {
                Ok(wrote) => wrote_pods |= wrote,
                Err(e) => manage_err = Some(e),
            }
        }
        let failure = manage_err.as_ref().map(|(dir, e)| (if *dir < 0 { "FailedCreate" } else { "FailedDelete" }, e.message.clone()));
        let stored = self.write_status(api, &w, &counts, failure)?;
        if let Some((_, e)) = manage_err {
            return Err(e);
        }
        // Pods that are ready but not yet available: look again when the
        // first of them becomes available (replica_set.go syncReplicaSet,
        // controller.FindMinNextPodAvailabilityCheck), else after minReadySeconds.
        if w.min_ready_seconds > 0 && counts.ready != counts.available {
            let delay = next_available.map_or(SignedDuration::from_secs(w.min_ready_seconds as i64), |t| t.duration_since(now));
            queue.add_after(key.clone(), now, delay);
        }
        if !wrote_pods {
            self.quiet.insert(key.clone(), QuietSync { workload_revision: meta::revision(stored.meta()), pods_changed_at, now });
        }
        Ok(())
    }
}

impl ReplicaSetController {
    /// claimPods (ControllerRefManager.ClaimPods): adopt matching active
    /// orphans, release owned active pods whose labels stopped matching, in
    /// pod-name order. Returns the adopted pods as stored (in name order)
    /// and whether any pod was released. Needs the owned pods' verdicts.
    fn claim_pods(&self, api: &mut ApiServer, w: &Workload) -> Result<(Vec<Arc<Object>>, bool), ApiError> {
        let mut adopted = vec![];
        let mut released = false;
        if w.deleting {
            return Ok((adopted, released));
        }
        // (name, pod, adopt) for every write; release and adoption
        // candidates are disjoint sets of names, written in name order.
        let mut writes: Vec<(&str, &Pod, bool)> = vec![];
        for (name, e) in &self.pods.owned_by(&w.namespace, &w.uid).pods {
            if e.active && !e.verdict().is_some_and(|v| v.matches_selector) {
                writes.push((name, e.pod(), false));
            }
        }
        for (name, e) in &self.pods.orphans(&w.namespace).pods {
            if e.active && w.selector.matches(meta::labels(&e.pod().metadata)) {
                writes.push((name, e.pod(), true));
            }
        }
        apimachinery::sort::sort_by(&mut writes, |a, b| a.0.cmp(b.0));
        for (_, pod, adopt) in writes {
            let mut p = pod.clone();
            if adopt {
                let info = w.object.info();
                p.metadata.owner_references.get_or_insert_with(Vec::new).push(util::controller_ref(info.api_version, info.name, &w.name, &w.uid));
            } else if let Some(refs) = p.metadata.owner_references.as_mut() {
                // Release: drop our controller reference.
                refs.retain(|r| r.uid != w.uid);
            }
            p.metadata.resource_version = None;
            match api.update(Object::Pod(p), &util::opts()) {
                Ok(stored) if adopt => adopted.push(stored),
                Ok(_) => released = true,
                Err(e) if util::is_not_found(&e) => {}
                Err(e) => return Err(e),
            }
        }
        Ok((adopted, released))
    }

    /// Visits the claimed active pods in name order: the owned ones that
    /// match the selector (every owned one while the workload is being
    /// deleted) merged with the adopted ones. Returns the number of owned
    /// matching terminating pods. Reads only the index's summaries.
    fn visit_active_pods<'a>(&'a self, w: &Workload, adopted: &'a [Arc<Object>], mut visit: impl FnMut(ActivePod<'a>)) -> usize {
        let owned = self.pods.owned_by(&w.namespace, &w.uid);
        let template_labels = w.template_labels();
        let mut terminating = 0;
        let mut adopted = adopted.iter().peekable();
        for (name, e) in &owned.pods {
            let verdict = match e.verdict() {
                Some(v) => v,
                None => LabelVerdict::of(e.pod(), &w.selector, template_labels),
            };
            if !verdict.matches_selector && !w.deleting {
                continue;
            }
            if e.active {
                while let Some(a) = adopted.next_if(|a| a.name() < name.as_str()) {
                    if let Some(p) = ActivePod::of(a, template_labels) {
                        visit(p);
                    }
                }
                visit(ActivePod { object: &e.object, name, ready: e.ready, ready_since: e.ready_since, fully_labeled: verdict.fully_labeled });
            } else if e.terminating {
                terminating += 1;
            }
        }
        adopted.filter_map(|a| ActivePod::of(a, template_labels)).for_each(visit);
        terminating
    }
}

impl ReplicaCounts {
    /// calculateStatus (replica_set_utils.go), one active pod at a time.
    pub(crate) fn add(&mut self, p: &ActivePod, min_ready_seconds: i32, now: Timestamp) {
        self.replicas += 1;
        if p.fully_labeled {
            self.fully_labeled += 1;
        }
        if p.ready {
            self.ready += 1;
            if util::is_available(p.ready, p.ready_since, min_ready_seconds, now) {
                self.available += 1;
            }
        }
    }
}

/// getPodsToDelete: when only some pods go, rank them (ActivePodsWithRanks,
/// ranked by the number of related active pods on the same node) and take
/// the first `n`. Returns their names.
pub(crate) fn pods_to_delete<'a>(active: &[ActivePod<'a>], related_on_node: &BTreeMap<&str, i32>, n: usize, now: Timestamp) -> Vec<&'a str> {
    if n >= active.len() {
        return active.iter().map(|p| p.name).collect();
    }
    let mut ranked: Vec<(i32, ActivePod)> = active.iter().map(|p| (related_on_node.get(util::pod_node(p.pod())).copied().unwrap_or(0), *p)).collect();
    apimachinery::sort::sort_by(&mut ranked, |a, b| {
        if less(a, b, now) {
            std::cmp::Ordering::Less
        } else if less(b, a, now) {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        }
    });
    ranked.into_iter().take(n).map(|(_, p)| p.name).collect()
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
fn less(a: &(i32, ActivePod), b: &(i32, ActivePod), now: Timestamp) -> bool {
    let ((rank_a, a), (rank_b, b)) = (a, b);
    let (pa, pb) = (a.pod(), b.pod());
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
    if a.ready != b.ready {
        return !a.ready;
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
    if a.ready && b.ready {
        let (ra, rb) = (a.ready_since, b.ready_since);
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