//! The cluster's storage, shaped like etcd as kube-apiserver uses it.
//!
//! * One global revision counter; every write bumps it and stamps the
//!   object's `resourceVersion` with it.
//! * A bounded history of changes (each with the previous value, like
//!   etcd's `prev_kv`) gives list-at-a-revision and watch-from-a-revision.
//! * Compaction drops history; reading or watching from before the
//!   compacted revision fails with 410 Gone "too old resource version".
//!
//! Objects are shared immutable `Arc`s: a reader can never mutate what the
//! store holds (the rule client-go's informer caches enforce by convention).

use apimachinery::{ApiError, Kind, Object, ObjectKey};
use std::collections::{BTreeMap, VecDeque};
use std::ops::Bound;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    Added,
    Modified,
    Deleted,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One change. For `Deleted`, `object` is the last state stamped with the
/// deletion's revision, as the API server's watch delivers it.
#[derive(Clone, Debug)]
pub struct WatchEvent {
    pub revision: u64,
    pub event_type: EventType,
    pub key: ObjectKey,
    pub object: Arc<Object>,
    pub prev: Option<Arc<Object>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StoreError {
    NotFound,
    AlreadyExists,
    /// The caller's resourceVersion precondition did not hold.
    Conflict,
    /// The requested revision has been compacted: (requested, oldest available).
    Compacted(u64, u64),
}

impl StoreError {
    /// The API error kube-apiserver returns for this storage error.
    pub fn to_api(&self, key: &ObjectKey) -> ApiError {
        let info = key.kind.info();
        match self {
            StoreError::NotFound => ApiError::not_found(info, &key.name),
            StoreError::AlreadyExists => ApiError::already_exists(info, &key.name),
            StoreError::Conflict => ApiError::conflict(info, &key.name, ApiError::MODIFIED),
            StoreError::Compacted(req, oldest) => ApiError::expired(*req, *oldest),
        }
    }
}

/// How many changes the history keeps before compacting on its own.
pub const DEFAULT_HISTORY_LIMIT: usize = 200_000;

pub struct Store {
    revision: u64,
    objects: BTreeMap<ObjectKey, Arc<Object>>,
    history: VecDeque<WatchEvent>,
    history_limit: usize,
    /// Revisions at or below this one can no longer be read or watched from.
    compacted: u64,
    /// Objects deleted so far (lets caches of "this name is taken" know
    /// that nothing was freed since).
    deletions: u64,
}

impl Default for Store {
    fn default() -> Self {
        Store::new(DEFAULT_HISTORY_LIMIT)
    }
}

impl Store {
    pub fn new(history_limit: usize) -> Store {
        Store { revision: 1, objects: BTreeMap::new(), history: VecDeque::new(), history_limit: history_limit.max(1), compacted: 0, deletions: 0 }
    }

    /// How many objects were deleted so far.
    pub fn deletions(&self) -> u64 {
        self.deletions
    }

    /// The revision of the last write.
    pub fn revision(&self) -> u64 {
        self.revision
    }
    pub fn compacted_revision(&self) -> u64 {
        self.compacted
    }
    pub fn len(&self) -> usize {
        self.objects.len()
    }
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    pub fn get(&self, key: &ObjectKey) -> Option<&Arc<Object>> {
        self.objects.get(key)
    }

    /// All objects of `kind`, in one namespace or (None) in all, in key order.
    pub fn list(&self, kind: Kind, namespace: Option<&str>) -> impl Iterator<Item = &Arc<Object>> {
        let (lo, hi) = range_bounds(kind, namespace);
        self.objects.range((lo, hi)).map(|(_, v)| v)
    }

    /// Every object, in key order (for hashing and snapshots).
    pub fn all(&self) -> impl Iterator<Item = &Arc<Object>> {
        self.objects.values()
    }

    fn stamp(&mut self, obj: Object) -> Arc<Object> {
        stamp(&mut self.revision, obj)
    }

    fn record(&mut self, event_type: EventType, key: ObjectKey, object: Arc<Object>, prev: Option<Arc<Object>>) {
        self.history.push_back(WatchEvent { revision: self.revision, event_type, key, object, prev });
        if self.history.len() > self.history_limit {
            let excess = self.history.len() - self.history_limit;
            let upto = self.history[excess - 1].revision;
            self.compact(upto);
        }
    }

    pub fn create(&mut self, obj: Object) -> Result<Arc<Object>, StoreError> {
        let key = ObjectKey::of(&obj);
        // One search of the tree for the check and the insert.
        let stored = match self.objects.entry(key.clone()) {
            std::collections::btree_map::Entry::Occupied(_) => return Err(StoreError::AlreadyExists),
            std::collections::btree_map::Entry::Vacant(slot) => slot.insert(stamp(&mut self.revision, obj)).clone(),
        };
        self.record(EventType::Added, key, stored.clone(), None);
        Ok(stored)
    }

    /// `create`, giving the object back when its key is taken (a caller
    /// that picks a free name tries the next one without copying it).
    pub fn try_create(&mut self, obj: Object) -> Result<Arc<Object>, Object> {
        let key = ObjectKey::of(&obj);
        let stored = match self.objects.entry(key.clone()) {
            std::collections::btree_map::Entry::Occupied(_) => return Err(obj),
            std::collections::btree_map::Entry::Vacant(slot) => slot.insert(stamp(&mut self.revision, obj)).clone(),
        };
        self.record(EventType::Added, key, stored.clone(), None);
        Ok(stored)
    }

    /// Replaces an object. With `expected_revision`, fails with `Conflict`
    /// unless the stored object is at exactly that revision.
    pub fn update(&mut self, obj: Object, expected_revision: Option<u64>) -> Result<Arc<Object>, StoreError> {
        let key = ObjectKey::of(&obj);
        // One search of the tree for the read and the replace.
        let slot = self.objects.get_mut(&key).ok_or(StoreError::NotFound)?;
        if let Some(rv) = expected_revision {
            if apimachinery::meta::revision(slot.meta()) != rv {
                return Err(StoreError::Conflict);
            }
        }
        let stored = stamp(&mut self.revision, obj);
        let prev = std::mem::replace(slot, stored.clone());
        self.record(EventType::Modified, key, stored.clone(), Some(prev));
        Ok(stored)
    }

    pub fn delete(&mut self, key: &ObjectKey, expected_revision: Option<u64>) -> Result<Arc<Object>, StoreError> {
        let prev = self.objects.get(key).cloned().ok_or(StoreError::NotFound)?;
        if let Some(rv) = expected_revision {
            if apimachinery::meta::revision(prev.meta()) != rv {
                return Err(StoreError::Conflict);
            }
        }
        self.objects.remove(key);
        self.deletions += 1;
        let tombstone = self.stamp((*prev).clone());
        self.record(EventType::Deleted, key.clone(), tombstone.clone(), Some(prev));
        Ok(tombstone)
    }

    /// Changes after `revision`, oldest first. Fails with `Compacted` when
    /// some of them are gone.
    pub fn events_since(&self, revision: u64) -> Result<impl Iterator<Item = &WatchEvent>, StoreError> {
        if revision < self.compacted {
            return Err(StoreError::Compacted(revision, self.compacted + 1));
        }
        // History is sorted by revision; find the first event after `revision`.
        let start = self.history.partition_point(|e| e.revision <= revision);
        Ok(self.history.range(start..))
    }

    /// Objects of a kind as they were at `revision` (etcd's read at a revision).
    pub fn list_at(&self, kind: Kind, namespace: Option<&str>, revision: u64) -> Result<Vec<Arc<Object>>, StoreError> {
        if revision >= self.revision {
            return Ok(self.list(kind, namespace).cloned().collect());
        }
        if revision < self.compacted {
            return Err(StoreError::Compacted(revision, self.compacted + 1));
        }
        let (lo, hi) = range_bounds(kind, namespace);
        let mut view: BTreeMap<ObjectKey, Arc<Object>> =
            self.objects.range((lo.clone(), hi.clone())).map(|(k, v)| (k.clone(), v.clone())).collect();
        // Undo newer changes, newest first.
        for e in self.history.iter().rev().take_while(|e| e.revision > revision) {
            if !in_range(&e.key, &lo, &hi) {
                continue;
            }
            match (&e.event_type, &e.prev) {
                (EventType::Added, _) => {
                    view.remove(&e.key);
                }
                (_, Some(prev)) => {
                    view.insert(e.key.clone(), prev.clone());
                }
                (_, None) => {}
            }
        }
        Ok(view.into_values().collect())
    }

    /// Drops history up to and including `revision`.
    pub fn compact(&mut self, revision: u64) {
        let revision = revision.min(self.revision);
        while self.history.front().is_some_and(|e| e.revision <= revision) {
            self.history.pop_front();
        }
        self.compacted = self.compacted.max(revision);
    }

    pub fn history_len(&self) -> usize {
        self.history.len()
    }
}

/// The next revision, written into the object's resourceVersion.
fn stamp(revision: &mut u64, mut obj: Object) -> Arc<Object> {
    *revision += 1;
    obj.meta_mut().resource_version = Some(revision.to_string());
    Arc::new(obj)
}

fn range_bounds(kind: Kind, namespace: Option<&str>) -> (Bound<ObjectKey>, Bound<ObjectKey>) {
    match namespace {
        Some(ns) => {
            let lo = ObjectKey { kind, namespace: ns.to_string(), name: String::new() };
            // The next namespace in order: append a NUL, the smallest char.
            let hi = ObjectKey { kind, namespace: format!("{ns}\0"), name: String::new() };
            (Bound::Included(lo), Bound::Excluded(hi))
        }
        None => {
            let lo = ObjectKey { kind, namespace: String::new(), name: String::new() };
            let hi = Kind::all().find(|k| *k > kind).map(|next| ObjectKey { kind: next, namespace: String::new(), name: String::new() });
            (Bound::Included(lo), hi.map_or(Bound::Unbounded, Bound::Excluded))
        }
    }
}

fn in_range(key: &ObjectKey, lo: &Bound<ObjectKey>, hi: &Bound<ObjectKey>) -> bool {
    let above = match lo {
        Bound::Included(l) => key >= l,
        Bound::Excluded(l) => key > l,
        Bound::Unbounded => true,
    };
    let below = match hi {
        Bound::Included(h) => key <= h,
        Bound::Excluded(h) => key < h,
        Bound::Unbounded => true,
    };
    above && below
}

#[cfg(test)]
mod tests;
