//! The garbage collector (pkg/controller/garbagecollector): a graph of
//! ownerReferences built from watch events, and three kinds of work:
//!
//! * an object whose owners are all gone is deleted (background deletion of
//!   dependents), one whose owners partly remain loses the dangling refs;
//! * an owner deleted with `propagationPolicy: Foreground` carries the
//!   `foregroundDeletion` finalizer: its dependents are deleted first, and
//!   the finalizer is removed once no `blockOwnerDeletion` dependent is left;
//! * an owner deleted with `Orphan` carries the `orphan` finalizer: its
//!   dependents lose their references to it, then the finalizer goes.
//!
//! The collector records no events, as upstream.

use crate::util::{is_not_found, opts};
use crate::{Controller, Queue};
use apimachinery::k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use apimachinery::{ApiError, Kind, Object, ObjectKey, meta};
use apiserver::{ApiServer, DeleteOptions, Propagation};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use store::{EventType, WatchEvent};

pub const FOREGROUND_FINALIZER: &str = "foregroundDeletion";
pub const ORPHAN_FINALIZER: &str = "orphan";

#[derive(Default)]
pub struct GarbageCollector {
    /// uid → key of every object in the graph.
    uids: BTreeMap<String, ObjectKey>,
    /// owner uid → keys of the objects that reference it.
    dependents: BTreeMap<String, BTreeSet<ObjectKey>>,
    /// key → the owner uids it references (to keep `dependents` current).
    owners_of: BTreeMap<ObjectKey, Vec<String>>,
}

/// The store key of the owner an ownerReference names, seen from `dependent`.
fn owner_key(r: &OwnerReference, dependent_namespace: &str) -> Option<ObjectKey> {
    let kind = Kind::from_api_version_kind(&r.api_version, &r.kind)?;
    let ns = if kind.info().namespaced { dependent_namespace } else { "" };
    Some(ObjectKey::new(kind, ns, &r.name))
}

impl GarbageCollector {
    fn dependents_of(&self, uid: &str) -> Vec<ObjectKey> {
        self.dependents.get(uid).map(|s| s.iter().cloned().collect()).unwrap_or_default()
    }

    fn set_owners(&mut self, key: &ObjectKey, owners: Vec<String>) {
        if let Some(old) = self.owners_of.remove(key) {
            for uid in old {
                if let Some(set) = self.dependents.get_mut(&uid) {
                    set.remove(key);
                    if set.is_empty() {
                        self.dependents.remove(&uid);
                    }
                }
            }
        }
        if owners.is_empty() {
            return;
        }
        for uid in &owners {
            self.dependents.entry(uid.clone()).or_default().insert(key.clone());
        }
        self.owners_of.insert(key.clone(), owners);
    }

    /// Deletes a dependent whose owner is going away.
    fn delete_dependent(&self, api: &mut ApiServer, o: &Object, propagation: Propagation) -> Result<(), ApiError> {
        let opts = DeleteOptions { propagation: Some(propagation), precondition_uid: o.meta().uid.clone(), ..Default::default() };
        match api.delete(o.kind(), o.namespace(), o.name(), &opts) {
            Ok(_) => Ok(()),
            Err(e) if is_not_found(&e) => Ok(()),
            Err(e) => Err(e),
        }
    }

    fn remove_finalizer(api: &mut ApiServer, o: &Arc<Object>, finalizer: &str) -> Result<(), ApiError> {
        let mut copy = (**o).clone();
        if let Some(f) = copy.meta_mut().finalizers.as_mut() {
            f.retain(|x| x != finalizer);
        }
        copy.meta_mut().resource_version = None;
        match api.update(copy, &opts()) {
            Ok(_) => Ok(()),
            Err(e) if is_not_found(&e) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// The live dependents of `owner` (re-read, still referencing its uid).
    fn live_dependents(&self, api: &ApiServer, uid: &str) -> Vec<(Arc<Object>, OwnerReference)> {
        self.dependents_of(uid)
            .into_iter()
            .filter_map(|k| api.get(k.kind, &k.namespace, &k.name).ok())
            .filter_map(|o| {
                let r = o.meta().owner_references.iter().flatten().find(|r| r.uid == uid).cloned()?;
                Some((o, r))
            })
            .collect()
    }

    /// processDeletingDependentsItem: foreground deletion of an owner.
    fn process_foreground(&self, api: &mut ApiServer, owner: &Arc<Object>) -> Result<(), ApiError> {
        let uid = owner.meta().uid.clone().unwrap_or_default();
        let deps = self.live_dependents(api, &uid);
        let blocking = deps.iter().filter(|(_, r)| r.block_owner_deletion == Some(true)).count();
        for (dep, _) in &deps {
            if dep.meta().deletion_timestamp.is_some() {
                continue;
            }
            // A dependent with dependents of its own is deleted in the
            // foreground too, so the wait is recursive.
            let has_own = self.dependents.contains_key(dep.meta().uid.as_deref().unwrap_or(""));
            self.delete_dependent(api, dep, if has_own { Propagation::Foreground } else { Propagation::Background })?;
        }
        if blocking == 0 {
            Self::remove_finalizer(api, owner, FOREGROUND_FINALIZER)?;
        }
        Ok(())
    }

    /// orphanDependents, then the orphan finalizer goes.
    fn process_orphan(&self, api: &mut ApiServer, owner: &Arc<Object>) -> Result<(), ApiError> {
        let uid = owner.meta().uid.clone().unwrap_or_default();
        for (dep, _) in self.live_dependents(api, &uid) {
            let mut copy = (*dep).clone();
            if let Some(refs) = copy.meta_mut().owner_references.as_mut() {
                refs.retain(|r| r.uid != uid);
                if refs.is_empty() {
                    copy.meta_mut().owner_references = None;
                }
            }
            copy.meta_mut().resource_version = None;
            match api.update(copy, &opts()) {
                Ok(_) => {}
                Err(e) if is_not_found(&e) => {}
                Err(e) => return Err(e),
            }
        }
        Self::remove_finalizer(api, owner, ORPHAN_FINALIZER)
    }

    /// attemptToDeleteItem: classify the owners as solid, dangling (gone or
    /// replaced) and waiting (foreground-deleting), and act.
    fn attempt_to_delete(&self, api: &mut ApiServer, o: &Arc<Object>) -> Result<(), ApiError> {
        let m = o.meta();
        if m.deletion_timestamp.is_some() && !meta::has_finalizer(m, FOREGROUND_FINALIZER) {
            return Ok(());
        }
        let refs = m.owner_references.clone().unwrap_or_default();
        if refs.is_empty() {
            return Ok(());
        }
        let (mut solid, mut dangling, mut waiting) = (vec![], vec![], vec![]);
        for r in &refs {
            let Some(key) = owner_key(r, o.namespace()) else {
                // An owner of a kind this cluster does not serve: leave it be.
                solid.push(r.clone());
                continue;
            };
            match api.get(key.kind, &key.namespace, &key.name) {
                Ok(owner) if owner.meta().uid.as_deref() == Some(r.uid.as_str()) => {
                    if owner.meta().deletion_timestamp.is_some() && meta::has_finalizer(owner.meta(), FOREGROUND_FINALIZER) {
                        waiting.push(r.clone());
                    } else {
                        solid.push(r.clone());
                    }
                }
                Ok(_) => dangling.push(r.clone()),
                Err(e) if is_not_found(&e) => dangling.push(r.clone()),
                Err(e) => return Err(e),
            }
        }
        if dangling.is_empty() && waiting.is_empty() {
            return Ok(());
        }
        if !solid.is_empty() {
            // Keep the object: drop dangling refs, stop blocking waiting owners.
            if m.deletion_timestamp.is_some() {
                return Ok(());
            }
            let mut copy = (**o).clone();
            let refs: Vec<OwnerReference> = refs
                .into_iter()
                .filter(|r| !dangling.iter().any(|d| d.uid == r.uid))
                .map(|mut r| {
                    if waiting.iter().any(|w| w.uid == r.uid) {
                        r.block_owner_deletion = Some(false);
                    }
                    r
                })
                .collect();
            copy.meta_mut().owner_references = Some(refs);
            copy.meta_mut().resource_version = None;
            return match api.update(copy, &opts()) {
                Ok(_) => Ok(()),
                Err(e) if is_not_found(&e) => Ok(()),
                Err(e) => Err(e),
            };
        }
        if m.deletion_timestamp.is_some() {
            return Ok(());
        }
        let has_dependents = self.dependents.contains_key(m.uid.as_deref().unwrap_or(""));
        let policy = if !waiting.is_empty() && has_dependents {
            Propagation::Foreground
        } else if meta::has_finalizer(m, ORPHAN_FINALIZER) {
            Propagation::Orphan
        } else if meta::has_finalizer(m, FOREGROUND_FINALIZER) {
            Propagation::Foreground
        } else {
            Propagation::Background
        };
        self.delete_dependent(api, o, policy)
    }
}

impl Controller for GarbageCollector {
    fn name(&self) -> &'static str {
        "garbagecollector"
    }

    fn observe(&mut self, event: &WatchEvent, queue: &mut Queue) {
        // Events own nothing and are owned by nothing: keep them out of the graph.
        if event.key.kind == Kind::Event {
            return;
        }
        let o = &event.object;
        let m = o.meta();
        let uid: &str = m.uid.as_deref().unwrap_or("");
        if event.event_type == EventType::Deleted {
            self.uids.remove(uid);
            self.set_owners(&event.key, vec![]);
            for dep in self.dependents_of(uid) {
                queue.add(dep);
            }
            // An owner waiting in the foreground may now be free to go.
            for r in m.owner_references.iter().flatten() {
                if let Some(k) = self.uids.get(&r.uid) {
                    queue.add(k.clone());
                }
            }
            return;
        }
        // Most events are status writes: the uid, its key and the owners are
        // unchanged, and nothing is copied.
        if self.uids.get(uid) != Some(&event.key) {
            self.uids.insert(uid.to_string(), event.key.clone());
        }
        let owner_uids = || m.owner_references.iter().flatten().map(|r| &r.uid);
        let owners_changed = !self.owners_of.get(&event.key).map(Vec::as_slice).unwrap_or(&[]).iter().eq(owner_uids());
        if owners_changed {
            self.set_owners(&event.key, owner_uids().cloned().collect());
        }
        if m.deletion_timestamp.is_some() && (meta::has_finalizer(m, FOREGROUND_FINALIZER) || meta::has_finalizer(m, ORPHAN_FINALIZER)) {
            queue.add(event.key.clone());
        }
        // A reference to an owner the graph does not know: it may be gone.
        if owner_uids().any(|u| !self.uids.contains_key(u)) {
            queue.add(event.key.clone());
        }
        // A dependent that changed (a pod finishing) may unblock a foreground owner.
        if m.deletion_timestamp.is_some() || owners_changed {
            for u in owner_uids() {
                if let Some(k) = self.uids.get(u) {
                    queue.add(k.clone());
                }
            }
        }
        // An owner whose deletion just began (foreground) or whose
        // dependents now point at a waiting owner: look at them.
        if let Some(prev) = &event.prev
            && prev.meta().deletion_timestamp.is_none() && m.deletion_timestamp.is_some() {
                for dep in self.dependents_of(uid) {
                    queue.add(dep);
                }
            }
    }

    fn sync(&mut self, api: &mut ApiServer, key: &ObjectKey, _queue: &mut Queue) -> Result<(), ApiError> {
        let o = match api.get(key.kind, &key.namespace, &key.name) {
            Ok(o) => o,
            Err(e) if is_not_found(&e) => return Ok(()),
            Err(e) => return Err(e),
        };
        let m = o.meta();
        if m.deletion_timestamp.is_some() && meta::has_finalizer(m, ORPHAN_FINALIZER) {
            return self.process_orphan(api, &o);
        }
        if m.deletion_timestamp.is_some() && meta::has_finalizer(m, FOREGROUND_FINALIZER) {
            self.process_foreground(api, &o)?;
        }
        self.attempt_to_delete(api, &o)
    }
}
