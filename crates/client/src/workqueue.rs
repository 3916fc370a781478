//! A deduplicating FIFO of keys with delayed adds and per-item exponential
//! back-off, like client-go's rate-limiting work queue
//! (DefaultControllerRateLimiter: 5 ms doubling to 1000 s per item).

use apimachinery::{SignedDuration, Timestamp};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Bound on distinct keys waiting; past it adds are dropped (and counted).
pub const MAX_QUEUE_LEN: usize = 1_000_000;

pub struct WorkQueue<K: Ord + Clone> {
    queue: VecDeque<K>,
    dirty: BTreeSet<K>,
    delayed: BTreeMap<(Timestamp, u64), K>,
    delayed_seq: u64,
    failures: BTreeMap<K, u32>,
    pub base_delay: SignedDuration,
    pub max_delay: SignedDuration,
    pub dropped: u64,
}

impl<K: Ord + Clone> Default for WorkQueue<K> {
    fn default() -> Self {
        WorkQueue {
            queue: VecDeque::new(),
            dirty: BTreeSet::new(),
            delayed: BTreeMap::new(),
            delayed_seq: 0,
            failures: BTreeMap::new(),
            base_delay: SignedDuration::from_millis(5),
            max_delay: SignedDuration::from_secs(1000),
            dropped: 0,
        }
    }
}

impl<K: Ord + Clone> WorkQueue<K> {
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds a key now; a key already waiting is not added twice.
    pub fn add(&mut self, key: K) {
        if self.dirty.contains(&key) {
            return;
        }
        if self.dirty.len() >= MAX_QUEUE_LEN {
            self.dropped += 1;
            return;
        }
        self.dirty.insert(key.clone());
        self.queue.push_back(key);
    }
    /// Adds a key once `delay` has passed (AddAfter).
    pub fn add_after(&mut self, key: K, now: Timestamp, delay: SignedDuration) {
        if delay <= SignedDuration::ZERO {
            self.add(key);
            return;
        }
        self.delayed_seq += 1;
        self.delayed.insert((now + delay, self.delayed_seq), key);
    }
    /// Requeues after the item's back-off, which doubles on every failure.
    pub fn add_rate_limited(&mut self, key: K, now: Timestamp) {
        let n = self.failures.entry(key.clone()).or_insert(0);
        let exp = (*n).min(30);
        *n += 1;
        let delay = self.base_delay.checked_mul(1i32 << exp.min(30)).unwrap_or(self.max_delay).min(self.max_delay);
        self.add_after(key, now, delay);
    }
    /// Clears the item's back-off after a success.
    pub fn forget(&mut self, key: &K) {
        self.failures.remove(key);
    }
    pub fn num_requeues(&self, key: &K) -> u32 {
        self.failures.get(key).copied().unwrap_or(0)
    }
    /// Moves delayed keys that are due into the queue.
    pub fn promote(&mut self, now: Timestamp) {
        while let Some((&(t, seq), _)) = self.delayed.iter().next() {
            if t > now {
                break;
            }
            let key = self.delayed.remove(&(t, seq)).expect("present");
            self.add(key);
        }
    }
    /// The next key to process at `now`.
    pub fn pop(&mut self, now: Timestamp) -> Option<K> {
        self.promote(now);
        let key = self.queue.pop_front()?;
        self.dirty.remove(&key);
        Some(key)
    }
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }
    pub fn len(&self) -> usize {
        self.queue.len()
    }
    /// When the earliest delayed key becomes due.
    pub fn next_wake(&self) -> Option<Timestamp> {
        if !self.queue.is_empty() {
            return None;
        }
        self.delayed.keys().next().map(|(t, _)| *t)
    }
    /// The earliest time anything is due: now if keys are waiting.
    pub fn due(&self, now: Timestamp) -> Option<Timestamp> {
        if !self.queue.is_empty() { Some(now) } else { self.delayed.keys().next().map(|(t, _)| *t) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn dedup_delay_and_backoff() {
        let t0 = Timestamp::from_second(1_000).unwrap();
        let mut q: WorkQueue<&str> = WorkQueue::new();
        q.add("a");
        q.add("a");
        q.add_after("b", t0, SignedDuration::from_secs(5));
        assert_eq!(q.pop(t0), Some("a"));
        assert_eq!(q.pop(t0), None);
        assert_eq!(q.due(t0), Some(t0 + SignedDuration::from_secs(5)));
        assert_eq!(q.pop(t0 + SignedDuration::from_secs(5)), Some("b"));
        q.add_rate_limited("c", t0);
        q.add_rate_limited("c", t0);
        assert_eq!(q.num_requeues(&"c"), 2);
        assert_eq!(q.pop(t0 + SignedDuration::from_millis(5)), Some("c"));
        assert_eq!(q.pop(t0 + SignedDuration::from_millis(10)), Some("c"));
    }
}
