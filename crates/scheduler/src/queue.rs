//! The scheduling queue (pkg/scheduler/backend/queue): activeQ ordered by
//! PrioritySort (priority, then the time the pod entered the queue),
//! backoffQ and the error backoffQ ordered by backoff expiry (1s doubling
//! to 10s, aligned to whole seconds as KEP-5142 does), and the
//! unschedulablePods pool that cluster events or the 5-minute flush empty.
//!
//! With SchedulerPopFromBackoffQ (on by default since 1.33) a pod in
//! backoffQ is popped as soon as activeQ is empty, backoff or not; pods
//! that failed with an error wait out their backoff in the error queue.
//!
//! Watch events carry no time, so pods that arrive or are moved by an event
//! are parked until `settle(now)` at the start of the next run.

use crate::cache::PodKey;
use apimachinery::{SignedDuration, Timestamp};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

pub const POD_INITIAL_BACKOFF: SignedDuration = SignedDuration::from_secs(1);
pub const POD_MAX_BACKOFF: SignedDuration = SignedDuration::from_secs(10);
/// podMaxInUnschedulablePodsDuration.
pub const MAX_IN_UNSCHEDULABLE: SignedDuration = SignedDuration::from_secs(5 * 60);
/// How often flushUnschedulablePodsLeftover runs.
pub const UNSCHEDULABLE_FLUSH_PERIOD: SignedDuration = SignedDuration::from_secs(30);
/// Bound on pods the queue holds; past it new pods are dropped (and counted).
pub const MAX_QUEUED_PODS: usize = 1_000_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// Seen by an informer handler, not yet given a queue timestamp.
    Incoming,
    Active,
    Backoff,
    ErrorBackoff,
    Unschedulable,
    /// Has scheduling gates (PreEnqueue SchedulingGates rejects it).
    Gated,
    /// Popped and being scheduled.
    InFlight,
}

#[derive(Clone, Debug)]
pub struct QueuedPod {
    pub priority: i32,
    /// When the pod entered the queue or last failed (QueuedPodInfo.Timestamp).
    pub timestamp: Timestamp,
    pub seq: u64,
    pub attempts: u32,
    pub location: Location,
    /// Plugins that rejected the pod in its last attempt.
    pub unschedulable_plugins: BTreeSet<&'static str>,
}

type ActiveKey = (Reverse<i32>, Timestamp, u64, PodKey);

#[derive(Default)]
pub struct SchedulingQueue {
    pods: BTreeMap<PodKey, QueuedPod>,
    active: BTreeSet<ActiveKey>,
    backoff: BTreeSet<(Timestamp, ActiveKey)>,
    error_backoff: BTreeSet<(Timestamp, u64, PodKey)>,
    incoming: Vec<PodKey>,
    moves: BTreeSet<PodKey>,
    seq: u64,
    pub dropped: u64,
}

fn truncate_to_second(t: Timestamp) -> Timestamp {
    Timestamp::from_second(t.as_second()).unwrap_or(t)
}

impl QueuedPod {
    fn active_key(&self, key: &PodKey) -> ActiveKey {
        (Reverse(self.priority), self.timestamp, self.seq, key.clone())
    }
    /// backoffQueue.getBackoffTime: timestamp + 1s·2^(attempts-1), capped,
    /// truncated to the ordering window.
    pub fn backoff_expiry(&self) -> Timestamp {
        if self.attempts == 0 {
            return self.timestamp;
        }
        let shift = (self.attempts - 1).min(16);
        let d = POD_INITIAL_BACKOFF.checked_mul(1i32 << shift).unwrap_or(POD_MAX_BACKOFF).min(POD_MAX_BACKOFF);
        truncate_to_second(self.timestamp + d)
    }
    /// isPodBackingoff: the expiry is not before the current window.
    fn backing_off(&self, now: Timestamp) -> bool {
        self.attempts > 0 && self.backoff_expiry() >= truncate_to_second(now)
    }
}

impl SchedulingQueue {
    pub fn contains(&self, key: &PodKey) -> bool {
        self.pods.contains_key(key)
    }
    pub fn get(&self, key: &PodKey) -> Option<&QueuedPod> {
        self.pods.get(key)
    }
    pub fn len(&self) -> usize {
        self.pods.len()
    }
    pub fn is_empty(&self) -> bool {
        self.pods.is_empty()
    }

    /// A new unscheduled pod (PriorityQueue.Add).
    pub fn add(&mut self, key: PodKey, priority: i32, gated: bool) {
        if self.pods.contains_key(&key) {
            return;
        }
        if self.pods.len() >= MAX_QUEUED_PODS {
            self.dropped += 1;
            return;
        }
        self.seq += 1;
        let location = if gated { Location::Gated } else { Location::Incoming };
        self.pods.insert(
            key.clone(),
            QueuedPod { priority, timestamp: Timestamp::UNIX_EPOCH, seq: self.seq, attempts: 0, location, unschedulable_plugins: BTreeSet::new() },
        );
        if !gated {
            self.incoming.push(key);
        }
    }

    /// The pod object changed (PriorityQueue.Update). A gated pod whose gates
    /// are gone becomes schedulable; an unschedulable pod whose spec or
    /// labels changed is retried.
    pub fn update(&mut self, key: &PodKey, priority: i32, gated: bool, relevant_change: bool) {
        let Some(p) = self.pods.get(key).cloned() else { return };
        match p.location {
            Location::Gated if !gated => {
                if let Some(q) = self.pods.get_mut(key) {
                    q.location = Location::Incoming;
                    q.priority = priority;
                }
                self.incoming.push(key.clone());
            }
            Location::Unschedulable if relevant_change => {
                if let Some(q) = self.pods.get_mut(key) {
                    q.priority = priority;
                }
                self.moves.insert(key.clone());
            }
            // A queued pod whose priority changed is re-keyed.
            Location::Active | Location::Backoff | Location::ErrorBackoff if p.priority != priority => {
                self.unlink(key, &p);
                let mut q = p;
                q.priority = priority;
                self.link(key, &q);
                self.pods.insert(key.clone(), q);
            }
            _ => {
                if let Some(q) = self.pods.get_mut(key) {
                    q.priority = priority;
                }
            }
        }
    }

    fn unlink(&mut self, key: &PodKey, p: &QueuedPod) {
        match p.location {
            Location::Active => {
                self.active.remove(&p.active_key(key));
            }
            Location::Backoff => {
                self.backoff.remove(&(p.backoff_expiry(), p.active_key(key)));
            }
            Location::ErrorBackoff => {
                self.error_backoff.remove(&(p.backoff_expiry(), p.seq, key.clone()));
            }
            Location::Incoming => self.incoming.retain(|k| k != key),
            Location::Unschedulable => {
                self.moves.remove(key);
            }
            Location::Gated | Location::InFlight => {}
        }
    }

    fn link(&mut self, key: &PodKey, p: &QueuedPod) {
        match p.location {
            Location::Active => {
                self.active.insert(p.active_key(key));
            }
            Location::Backoff => {
                self.backoff.insert((p.backoff_expiry(), p.active_key(key)));
            }
            Location::ErrorBackoff => {
                self.error_backoff.insert((p.backoff_expiry(), p.seq, key.clone()));
            }
            _ => {}
        }
    }

    fn relocate(&mut self, key: &PodKey, to: Location) {
        let Some(p) = self.pods.get(key).cloned() else { return };
        self.unlink(key, &p);
        if let Some(q) = self.pods.get_mut(key) {
            q.location = to;
        }
        if let Some(q) = self.pods.get(key).cloned() {
            self.link(key, &q);
        }
    }

    pub fn delete(&mut self, key: &PodKey) {
        if let Some(p) = self.pods.get(key).cloned() {
            self.unlink(key, &p);
            self.pods.remove(key);
        }
    }

    /// Gives parked pods their time: new pods enter activeQ stamped `now`;
    /// pods an event moved go to backoffQ if still backing off, else activeQ
    /// (requeuePodWithQueueingStrategy).
    pub fn settle(&mut self, now: Timestamp) {
        for key in std::mem::take(&mut self.incoming) {
            if let Some(p) = self.pods.get_mut(&key).filter(|p| p.location == Location::Incoming) {
                p.timestamp = now;
                p.location = Location::Active;
                let p = p.clone();
                self.link(&key, &p);
            }
        }
        for key in std::mem::take(&mut self.moves) {
            let Some(p) = self.pods.get(&key) else { continue };
            if p.location != Location::Unschedulable {
                continue;
            }
            let to = if p.backing_off(now) { Location::Backoff } else { Location::Active };
            self.relocate(&key, to);
        }
    }

    /// flushBackoffQCompleted: pods whose backoff ended go to activeQ.
    pub fn flush_backoff_completed(&mut self, now: Timestamp) {
        let window = truncate_to_second(now);
        let due: Vec<PodKey> = self.backoff.iter().take_while(|(t, _)| *t < window).map(|(_, k)| k.3.clone()).collect();
        let due_err: Vec<PodKey> = self.error_backoff.iter().take_while(|(t, _, _)| *t < window).map(|(_, _, k)| k.clone()).collect();
        for key in due.into_iter().chain(due_err) {
            self.relocate(&key, Location::Active);
        }
    }

    /// flushUnschedulablePodsLeftover: pods unschedulable for longer than
    /// five minutes are retried.
    pub fn flush_unschedulable_leftover(&mut self, now: Timestamp) {
        let stale: Vec<PodKey> = self
            .pods
            .iter()
            .filter(|(_, p)| p.location == Location::Unschedulable && now.duration_since(p.timestamp) > MAX_IN_UNSCHEDULABLE)
            .map(|(k, _)| k.clone())
            .collect();
        for key in stale {
            self.moves.insert(key);
        }
        self.settle(now);
    }

    /// Marks unschedulable pods for a retry (MoveAllToActiveOrBackoffQueue
    /// after the queueing hints said Queue).
    pub fn move_to_active_or_backoff(&mut self, key: &PodKey) {
        if self.pods.get(key).is_some_and(|p| p.location == Location::Unschedulable) {
            self.moves.insert(key.clone());
        }
    }

    /// Unschedulable pods and the plugins that rejected them.
    pub fn unschedulable(&self) -> impl Iterator<Item = (&PodKey, &QueuedPod)> {
        self.pods.iter().filter(|(_, p)| p.location == Location::Unschedulable)
    }

    /// Pop: activeQ first, then (PopFromBackoffQ) backoffQ.
    pub fn pop(&mut self) -> Option<PodKey> {
        let key = if let Some(first) = self.active.pop_first() {
            first.3
        } else if let Some((_, first)) = self.backoff.pop_first() {
            first.3
        } else {
            return None;
        };
        if let Some(p) = self.pods.get_mut(&key) {
            p.location = Location::InFlight;
            p.attempts = p.attempts.saturating_add(1);
        }
        Some(key)
    }

    /// Scheduled, or no longer ours: forget it.
    pub fn done(&mut self, key: &PodKey) {
        self.delete(key);
    }

    /// AddUnschedulableIfNotPresent for a pod rejected by `plugins`.
    pub fn add_unschedulable(&mut self, key: &PodKey, now: Timestamp, plugins: BTreeSet<&'static str>) {
        if let Some(p) = self.pods.get_mut(key) {
            p.timestamp = now;
            p.unschedulable_plugins = plugins;
        }
        self.relocate(key, Location::Unschedulable);
    }

    /// A pod whose attempt failed with an error waits out its backoff.
    pub fn add_error_backoff(&mut self, key: &PodKey, now: Timestamp) {
        if let Some(p) = self.pods.get_mut(key) {
            p.timestamp = now;
            p.unschedulable_plugins.clear();
        }
        self.relocate(key, Location::ErrorBackoff);
    }

    pub fn has_parked(&self) -> bool {
        !self.incoming.is_empty() || !self.moves.is_empty()
    }

    /// When the next backoff completes (the flush runs on whole seconds).
    pub fn next_backoff_completion(&self) -> Option<Timestamp> {
        let a = self.backoff.first().map(|(t, _)| *t);
        let b = self.error_backoff.first().map(|(t, _, _)| *t);
        [a, b].into_iter().flatten().min().map(|t| t + SignedDuration::from_secs(1))
    }

    /// The oldest time a pod entered the unschedulable pool.
    pub fn oldest_unschedulable(&self) -> Option<Timestamp> {
        self.unschedulable().map(|(_, p)| p.timestamp).min()
    }
}
