//! The kubelet's per-key exponential back-off (k8s.io/client-go/util/
//! flowcontrol/backoff.go, used with no jitter): image pulls key on
//! `<podUID>_<image>`, container restarts on the container's stable key.

use apimachinery::{SignedDuration, Timestamp};
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
struct Entry {
    backoff: SignedDuration,
    last_update: Timestamp,
}

#[derive(Clone, Debug)]
pub struct Backoff {
    initial: SignedDuration,
    max: SignedDuration,
    entries: BTreeMap<String, Entry>,
}

/// Entries are dropped after this many keys (a bound, not a Kubernetes rule:
/// flowcontrol garbage-collects entries idle for 2 × max).
const MAX_ENTRIES: usize = 100_000;

impl Backoff {
    pub fn new(initial: SignedDuration, max: SignedDuration) -> Backoff {
        Backoff { initial, max, entries: BTreeMap::new() }
    }

    /// "Consider stable if it's ok for twice the maxDuration" (hasExpired).
    fn has_expired(&self, event_time: Timestamp, last_update: Timestamp) -> bool {
        event_time.duration_since(last_update) > self.max * 2
    }

    /// The current back-off of a key (zero if none).
    pub fn get(&self, key: &str) -> SignedDuration {
        self.entries.get(key).map(|e| e.backoff).unwrap_or(SignedDuration::ZERO)
    }

    /// Backoff.Next: start at `initial` (or after expiry), else double up to `max`.
    pub fn next(&mut self, key: &str, event_time: Timestamp, now: Timestamp) {
        let backoff = match self.entries.get(key) {
            Some(e) if !self.has_expired(event_time, e.last_update) => (e.backoff * 2).min(self.max),
            _ => self.initial,
        };
        if self.entries.len() >= MAX_ENTRIES && !self.entries.contains_key(key) {
            return;
        }
        self.entries.insert(key.to_string(), Entry { backoff, last_update: now });
    }

    /// Backoff.IsInBackOffSince: true while `now - event_time < backoff`.
    pub fn is_in_backoff_since(&self, key: &str, event_time: Timestamp, now: Timestamp) -> bool {
        match self.entries.get(key) {
            Some(e) if !self.has_expired(event_time, e.last_update) => now.duration_since(event_time) < e.backoff,
            _ => false,
        }
    }

    /// Backoff.IsInBackOffSinceUpdate: true while `now - lastUpdate < backoff`
    /// (image pulls count from the failed pull).
    pub fn is_in_backoff_since_update(&self, key: &str, now: Timestamp) -> bool {
        self.entries.get(key).is_some_and(|e| now.duration_since(e.last_update) < e.backoff)
    }

    /// When the back-off counted from the last update ends.
    pub fn update_ends_at(&self, key: &str) -> Option<Timestamp> {
        self.entries.get(key).map(|e| e.last_update + e.backoff)
    }

    /// When the back-off for `key` since `event_time` ends.
    pub fn ends_at(&self, key: &str, event_time: Timestamp) -> Timestamp {
        event_time + self.get(key)
    }

    pub fn forget_prefix(&mut self, prefix: &str) {
        let keys: Vec<String> = self.entries.range(prefix.to_string()..).take_while(|(k, _)| k.starts_with(prefix)).map(|(k, _)| k.clone()).collect();
        for k in keys {
            self.entries.remove(&k);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn doubles_caps_and_resets() {
        let t0: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let s = SignedDuration::from_secs;
        let mut b = Backoff::new(s(10), s(300));
        let mut got = vec![];
        for i in 0..8 {
            b.next("k", t0 + s(i), t0 + s(i));
            got.push(apimachinery::duration::go_string(b.get("k")));
        }
        assert_eq!(got, ["10s", "20s", "40s", "1m20s", "2m40s", "5m0s", "5m0s", "5m0s"]);
        assert!(b.is_in_backoff_since("k", t0 + s(10), t0 + s(100)));
        // Stable for more than 2 × max: starts again from 10s.
        b.next("k", t0 + s(1000), t0 + s(1000));
        assert_eq!(b.get("k"), s(10));
        assert!(!b.is_in_backoff_since("other", t0, t0));
    }
}
