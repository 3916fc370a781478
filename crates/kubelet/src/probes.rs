//! Container probes (pkg/kubelet/prober): when they run and what they
//! decide. Whether a probe passes is asked of a `ProbeOracle`, so the network
//! simulation can answer httpGet/tcpSocket/exec probes from what the
//! container really serves; the default oracle passes every probe.

use apimachinery::k8s_openapi::api::core::v1::Probe;
use apimachinery::{SignedDuration, Timestamp};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ProbeKind {
    Startup,
    Readiness,
    Liveness,
}

impl ProbeKind {
    /// `Readiness probe failed: ...` (prober.go's event text).
    pub fn title(self) -> &'static str {
        match self {
            ProbeKind::Startup => "Startup",
            ProbeKind::Readiness => "Readiness",
            ProbeKind::Liveness => "Liveness",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProbeResult {
    Success,
    /// The output the kubelet shows after `<Kind> probe failed: `.
    Failure(String),
}

/// What a probe is run against.
pub struct ProbeTarget<'a> {
    pub namespace: &'a str,
    pub pod: &'a str,
    pub container: &'a str,
    pub pod_ip: Option<&'a str>,
    pub container_started_at: Timestamp,
    pub now: Timestamp,
}

pub trait ProbeOracle {
    fn probe(&self, target: &ProbeTarget, kind: ProbeKind, probe: &Probe) -> ProbeResult;
    /// True if every probe passes: the kubelet then stops probing once a
    /// container is started and ready, instead of waking every period.
    fn always_succeeds(&self) -> bool {
        false
    }
}

/// The default: every probe passes.
pub struct AlwaysSucceeds;

impl ProbeOracle for AlwaysSucceeds {
    fn probe(&self, _: &ProbeTarget, _: ProbeKind, _: &Probe) -> ProbeResult {
        ProbeResult::Success
    }
    fn always_succeeds(&self) -> bool {
        true
    }
}

/// One probe worker of one container (prober/worker.go).
#[derive(Clone, Debug)]
pub struct ProbeWorker {
    pub kind: ProbeKind,
    pub probe: Probe,
    pub next_tick: Timestamp,
    pub successes: i32,
    pub failures: i32,
    /// The last decided result (readiness starts failed, liveness passed).
    pub passing: bool,
}

impl ProbeWorker {
    pub fn period(&self) -> SignedDuration {
        SignedDuration::from_secs(self.probe.period_seconds.unwrap_or(10).clamp(1, 86_400) as i64)
    }
    pub fn initial_delay(&self) -> i64 {
        self.probe.initial_delay_seconds.unwrap_or(0).max(0) as i64
    }
    /// The worker ticks every period from when it was created (the pod's
    /// first sync); a tick within initialDelaySeconds of the container's
    /// start is skipped (worker.go doProbe).
    pub fn new(kind: ProbeKind, probe: Probe, worker_start: Timestamp, container_started_at: Timestamp) -> ProbeWorker {
        let mut w = ProbeWorker { kind, probe, next_tick: worker_start, successes: 0, failures: 0, passing: kind == ProbeKind::Liveness };
        w.next_tick = w.first_tick_after(worker_start, container_started_at);
        w
    }
    fn first_tick_after(&self, worker_start: Timestamp, started_at: Timestamp) -> Timestamp {
        let period = self.period();
        let earliest = started_at + SignedDuration::from_secs(self.initial_delay());
        let since = earliest.duration_since(worker_start);
        if since <= SignedDuration::ZERO {
            return worker_start;
        }
        let p = period.as_millis();
        let k = (since.as_millis() + p - 1) / p;
        worker_start + SignedDuration::from_millis((k * p) as i64)
    }
    /// Records one result; returns true if the decided result changed.
    pub fn record(&mut self, ok: bool) -> bool {
        let success_threshold = self.probe.success_threshold.unwrap_or(1).max(1);
        let failure_threshold = self.probe.failure_threshold.unwrap_or(3).max(1);
        if ok {
            self.successes += 1;
            self.failures = 0;
        } else {
            self.failures += 1;
            self.successes = 0;
        }
        let before = self.passing;
        if ok && self.successes >= success_threshold {
            self.passing = true;
        } else if !ok && self.failures >= failure_threshold {
            self.passing = false;
        }
        before != self.passing
    }
}
