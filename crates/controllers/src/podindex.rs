//! The pod informer's indexer (client-go tools/cache `Indexer` with the
//! controller-owner index that pkg/controller/replicaset and
//! pkg/controller/daemon query through `podIndexer.ByIndex(controllerUIDIndex, uid)`):
//! every pod, grouped per namespace by the UID of its controller, orphans
//! apart, each with a small summary (active, terminating, ready and since
//! when) computed once per change instead of on every sync.
//!
//! The index follows the watch: `observe` applies each pod event as the
//! informer's handlers see it. A sync may run before the events of writes
//! made earlier in the same round are delivered (its own creates and
//! deletes, or another controller's), so `catch_up` first reads the watch
//! history from the last applied revision (`ApiServer::events_since`): at
//! sync time the index always equals `api.store()`. When that history is
//! gone (compacted) the index is rebuilt from a list, as a reflector
//! relists after "too old resource version".
//!
//! An index may track only the pods of some owners (`for_owners`): the
//! DaemonSet controller needs only its DaemonSets' pods. Tracking a new
//! owner relists, so pods that named it before it was tracked are found.

use apimachinery::k8s_openapi::api::core::v1::Pod;
use apimachinery::selector::Selector;
use apimachinery::{Kind, Object, Timestamp, meta};
use apiserver::ApiServer;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, LazyLock};
use store::{EventType, WatchEvent};

use crate::util;

/// One indexed pod: the shared object (never mutated) and what controllers
/// read of it on every sync.
pub struct PodEntry {
    pub object: Arc<Object>,
    /// controller.IsPodActive.
    pub active: bool,
    /// controller.IsPodTerminating.
    pub terminating: bool,
    /// podutil.IsPodReady.
    pub ready: bool,
    /// The Ready condition's lastTransitionTime when ready.
    pub ready_since: Option<Timestamp>,
    /// The owner's label verdicts for this pod (see `OwnedPods::verdicts`).
    verdict: Option<LabelVerdict>,
}

/// Whether a pod's labels match its owner's selector, and whether they
/// include every label of the owner's pod template (fullyLabeledReplicas).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LabelVerdict {
    pub matches_selector: bool,
    pub fully_labeled: bool,
}

impl LabelVerdict {
    pub fn of(pod: &Pod, selector: &Selector, template_labels: &BTreeMap<String, String>) -> LabelVerdict {
        let labels = meta::labels(&pod.metadata);
        LabelVerdict {
            matches_selector: selector.matches(labels),
            fully_labeled: template_labels.iter().all(|(k, v)| labels.get(k) == Some(v)),
        }
    }
}

static NO_POD: LazyLock<Pod> = LazyLock::new(Pod::default);

impl PodEntry {
    fn new(object: Arc<Object>) -> PodEntry {
        let (active, terminating, ready, ready_since) = match object.as_typed::<Pod>() {
            Some(p) => (util::is_pod_active(p), util::is_pod_terminating(p), util::is_pod_ready(p), util::pod_ready_since(p)),
            None => (false, false, false, None),
        };
        PodEntry { object, active, terminating, ready, ready_since, verdict: None }
    }

    /// The pod. The index holds only pods; anything else reads as an empty pod.
    pub fn pod(&self) -> &Pod {
        match self.object.as_typed::<Pod>() {
            Some(p) => p,
            None => {
                debug_assert!(false, "the pod index holds a non-pod");
                &NO_POD
            }
        }
    }

    pub fn name(&self) -> &str {
        self.object.name()
    }

    /// The cached verdict of the owner's last `verdicts` call.
    pub fn verdict(&self) -> Option<LabelVerdict> {
        self.verdict
    }
}

/// The pods one controller (or nobody) controls, by name.
#[derive(Default)]
pub struct OwnedPods {
    pub pods: BTreeMap<String, PodEntry>,
    /// The selector and template labels the cached verdicts were computed for.
    verdict_basis: Option<(Selector, BTreeMap<String, String>)>,
}

impl OwnedPods {
    /// Fills every pod's `LabelVerdict` for this selector and template,
    /// recomputing only for pods that changed since the last call with the
    /// same selector and template.
    pub fn verdicts(&mut self, selector: &Selector, template_labels: &BTreeMap<String, String>) {
        let same = self.verdict_basis.as_ref().is_some_and(|(s, t)| s == selector && t == template_labels);
        if !same {
            self.verdict_basis = Some((selector.clone(), template_labels.clone()));
            for e in self.pods.values_mut() {
                e.verdict = None;
            }
        }
        for e in self.pods.values_mut() {
            if e.verdict.is_none() {
                e.verdict = Some(LabelVerdict::of(e.pod(), selector, template_labels));
            }
        }
    }
}

#[derive(Default)]
struct NamespacePods {
    /// Pod name → the UID of its controller (None: an orphan).
    owner_of: BTreeMap<String, Option<String>>,
    owned: BTreeMap<String, OwnedPods>,
    orphans: OwnedPods,
}

static NO_PODS: LazyLock<OwnedPods> = LazyLock::new(OwnedPods::default);

pub struct PodIndex {
    /// The revision the index reflects; meaningful once `listed`.
    revision: u64,
    /// Whether the initial list was done (before it, events are ignored
    /// and the first `catch_up` lists).
    listed: bool,
    namespaces: BTreeMap<String, NamespacePods>,
    /// Revision of the last pod change applied, per namespace (kept when
    /// the namespace empties, so that "unchanged since" stays true).
    changed_at: BTreeMap<String, u64>,
    /// Revision of the last full list.
    listed_at: u64,
    /// Index only the pods controlled by these UIDs (None: every pod).
    tracked_owners: Option<BTreeSet<String>>,
    /// Index the pods that have no controller.
    with_orphans: bool,
}

impl Default for PodIndex {
    fn default() -> Self {
        PodIndex::every_pod()
    }
}

impl PodIndex {
    /// An index of every pod, orphans included (ReplicaSet controller).
    pub fn every_pod() -> PodIndex {
        PodIndex {
            revision: 0,
            listed: false,
            namespaces: BTreeMap::new(),
            changed_at: BTreeMap::new(),
            listed_at: 0,
            tracked_owners: None,
            with_orphans: true,
        }
    }

    /// An index of the pods controlled by the owners passed to
    /// `track_owner`, without orphans (DaemonSet controller).
    pub fn for_owners() -> PodIndex {
        PodIndex { tracked_owners: Some(BTreeSet::new()), with_orphans: false, ..PodIndex::every_pod() }
    }

    /// Starts indexing the pods of `uid` (for a `for_owners` index). The
    /// next `catch_up` relists when the owner is new.
    pub fn track_owner(&mut self, uid: &str) {
        if let Some(tracked) = &mut self.tracked_owners
            && !tracked.contains(uid)
        {
            tracked.insert(uid.to_string());
            self.listed = false;
        }
    }

    /// Stops indexing the pods of `uid` and forgets them.
    pub fn untrack_owner(&mut self, uid: &str) {
        let Some(tracked) = &mut self.tracked_owners else { return };
        if !tracked.remove(uid) {
            return;
        }
        for ns in self.namespaces.values_mut() {
            if let Some(bucket) = ns.owned.remove(uid) {
                for name in bucket.pods.keys() {
                    ns.owner_of.remove(name);
                }
            }
        }
        self.namespaces.retain(|_, ns| !ns.owner_of.is_empty());
    }

    fn wanted(&self, owner: Option<&str>) -> bool {
        match (owner, &self.tracked_owners) {
            (None, _) => self.with_orphans,
            (Some(_), None) => true,
            (Some(uid), Some(tracked)) => tracked.contains(uid),
        }
    }

    /// The informer's handler: applies a pod change not yet applied.
    pub fn observe(&mut self, event: &WatchEvent) {
        if !self.listed || event.revision <= self.revision {
            return;
        }
        self.apply(event);
    }

    fn apply(&mut self, event: &WatchEvent) {
        self.revision = event.revision;
        if event.key.kind != Kind::Pod {
            return;
        }
        match self.changed_at.get_mut(&event.key.namespace) {
            Some(r) => *r = event.revision,
            None => {
                self.changed_at.insert(event.key.namespace.clone(), event.revision);
            }
        }
        if event.event_type == EventType::Modified && self.replace(event) {
            return;
        }
        self.remove(&event.key.namespace, &event.key.name);
        if event.event_type != EventType::Deleted {
            self.insert(event.object.clone());
        }
    }

    /// The common change: an indexed pod changed but kept its controller.
    /// Replaces its entry in place (keeping the label verdicts when the
    /// labels are the same). False when the slow path must run.
    fn replace(&mut self, event: &WatchEvent) -> bool {
        let Some(ns) = self.namespaces.get_mut(&event.key.namespace) else { return false };
        let NamespacePods { owner_of, owned, orphans } = ns;
        let Some(owner) = owner_of.get(&event.key.name) else { return false };
        if owner.as_deref() != meta::controller_of(event.object.meta()).map(|r| r.uid.as_str()) {
            return false;
        }
        let bucket = match owner {
            Some(uid) => owned.get_mut(uid),
            None => Some(orphans),
        };
        let Some(entry) = bucket.and_then(|b| b.pods.get_mut(&event.key.name)) else { return false };
        let same_labels = meta::labels(entry.object.meta()) == meta::labels(event.object.meta());
        let verdict = if same_labels { entry.verdict } else { None };
        *entry = PodEntry::new(event.object.clone());
        entry.verdict = verdict;
        true
    }

    fn remove(&mut self, namespace: &str, name: &str) {
        let Some(ns) = self.namespaces.get_mut(namespace) else { return };
        let Some(owner) = ns.owner_of.remove(name) else { return };
        match owner {
            Some(uid) => {
                if let Some(bucket) = ns.owned.get_mut(&uid) {
                    bucket.pods.remove(name);
                    if bucket.pods.is_empty() {
                        ns.owned.remove(&uid);
                    }
                }
            }
            None => {
                ns.orphans.pods.remove(name);
            }
        }
        if ns.owner_of.is_empty() {
            self.namespaces.remove(namespace);
        }
    }

    fn insert(&mut self, object: Arc<Object>) {
        if !self.wanted(meta::controller_of(object.meta()).map(|r| r.uid.as_str())) {
            return;
        }
        let owner = meta::controller_of(object.meta()).map(|r| r.uid.clone());
        let name = object.name().to_string();
        let ns = self.namespaces.entry(object.namespace().to_string()).or_default();
        let bucket = match &owner {
            Some(uid) => ns.owned.entry(uid.clone()).or_default(),
            None => &mut ns.orphans,
        };
        bucket.pods.insert(name.clone(), PodEntry::new(object));
        ns.owner_of.insert(name, owner);
    }

    /// Brings the index up to the store's current revision: the watch
    /// history since the last applied event, or a fresh list.
    pub fn catch_up(&mut self, api: &ApiServer) {
        if self.listed && self.revision == api.store().revision() {
            return;
        }
        if self.listed
            && let Ok(events) = api.events_since(self.revision)
        {
            for e in events {
                self.apply(e);
            }
            self.revision = api.store().revision();
            return;
        }
        self.namespaces.clear();
        for o in api.store().list(Kind::Pod, None) {
            self.insert(o.clone());
        }
        self.revision = api.store().revision();
        self.listed_at = self.revision;
        self.listed = true;
    }

    /// The revision of the last change to the pods of a namespace: equal
    /// values mean the namespace's pods are the same.
    pub fn changed_at(&self, namespace: &str) -> u64 {
        self.changed_at.get(namespace).copied().unwrap_or(0).max(self.listed_at)
    }

    /// The pods controlled by the object with `uid` in a namespace.
    pub fn owned_by(&self, namespace: &str, uid: &str) -> &OwnedPods {
        self.namespaces.get(namespace).and_then(|ns| ns.owned.get(uid)).unwrap_or(&NO_PODS)
    }

    /// As `owned_by`, for filling label verdicts (None when there are none).
    pub fn owned_by_mut(&mut self, namespace: &str, uid: &str) -> Option<&mut OwnedPods> {
        self.namespaces.get_mut(namespace)?.owned.get_mut(uid)
    }

    /// The pods of a namespace that have no controller.
    pub fn orphans(&self, namespace: &str) -> &OwnedPods {
        self.namespaces.get(namespace).map_or(&NO_PODS, |ns| &ns.orphans)
    }

    /// Number of pods indexed (for tests).
    pub fn len(&self) -> usize {
        self.namespaces.values().map(|ns| ns.owner_of.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests;
