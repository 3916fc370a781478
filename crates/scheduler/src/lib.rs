//! kube-scheduler, shaped like the scheduling framework
//! (pkg/scheduler/schedule_one.go and framework/plugins).
//!
//! * Informer handlers (`observe`) keep the scheduler cache (nodes, pods
//!   bound to them, per-node sums) and the scheduling queue up to date.
//! * `run` pops pods from the queue and, for each, runs PreFilter, Filter
//!   on every node, PostFilter (a preemption dry run that only produces the
//!   message), Score/NormalizeScore with the default weights, picks a host
//!   (ties broken by reservoir sampling with the seeded RNG) and binds it
//!   through pods/binding.
//! * Every pod's last attempt is kept (`last_attempt`) so the UI can
//!   explain a placement or a Pending pod. Its per-node, per-plugin rows
//!   are kept while the pod is still in the scheduling queue (Pending) and
//!   for the `RECENT_ATTEMPTS_WITH_ROWS` most recent pods that left it
//!   (bound, or no longer the scheduler's); older attempts keep only their
//!   summary (`SchedulingAttempt::rows_dropped`). So memory grows with the
//!   pending pods, not with every pod ever placed.

pub mod attempt;
pub mod cache;
pub mod plugins;
pub mod queue;
pub mod resources;

#[cfg(test)]
mod tests;

use apimachinery::k8s_openapi::api::core::v1::Pod;
use apimachinery::rng::SimRng;
use apimachinery::selector::Selector;
use apimachinery::{Kind, Object, SignedDuration, Timestamp, meta};
use apiserver::ApiServer;
use apiserver::events::{NORMAL, NewApi, Reporter, WARNING};
use cache::{Cache, NodeInfo, as_node, as_pod, pod_priority};
use client::Component;
use plugins::{PodState, ScoreState, Status, Workloads};
use queue::{Location, SchedulingQueue};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;
use store::{EventType, WatchEvent};

pub use attempt::{FilterVerdict, NodeVerdict, Outcome, PluginScore, SchedulingAttempt};
pub use cache::PodKey;
pub use plugins::{Code, FilterPlugin, ScorePlugin};

/// The profile this scheduler serves (spec.schedulerName).
pub const SCHEDULER_NAME: &str = "default-scheduler";
/// The RNG stream of the scheduler (see apimachinery::rng).
pub const RNG_STREAM: u64 = 0x5c4e_d01e;
/// minFeasibleNodesToFind.
const MIN_FEASIBLE_NODES_TO_FIND: usize = 100;
/// minFeasibleNodesPercentageToFind.
const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND: usize = 5;
/// validation.NoteLengthLimit: longer event messages are cut.
const EVENT_NOTE_LENGTH_LIMIT: usize = 1024;
/// Bound on scheduling cycles in one `run` (the queue drains anyway).
const MAX_CYCLES_PER_RUN: usize = 100_000;
/// How many pods that left the scheduling queue keep their last attempt's
/// per-node rows (the most recent ones); see the crate docs.
pub const RECENT_ATTEMPTS_WITH_ROWS: usize = 256;
/// schedule_one.go ErrNoNodesAvailable.
const NO_NODES_AVAILABLE: &str = "no nodes available to schedule pods";

pub struct Scheduler {
    rng: SimRng,
    cache: Cache,
    queue: SchedulingQueue,
    workloads: Workloads,
    /// The latest object of each unscheduled pod in the queue.
    pending: BTreeMap<PodKey, Arc<Object>>,
    attempts: BTreeMap<PodKey, SchedulingAttempt>,
    /// Attempts made so far (ids for `retired_rows`).
    attempts_made: u64,
    /// Pods that left the queue whose attempts still have their rows,
    /// oldest first, with the attempt's id (a newer attempt of the same pod
    /// makes an entry stale).
    retired_rows: VecDeque<(u64, PodKey)>,
    /// nextStartNodeIndex: where the next cycle's node walk begins.
    next_start_node_index: usize,
    /// The host the scheduler runs on, for the events' reportingInstance.
    hostname: Option<String>,
    started: Option<Timestamp>,
    last_now: Option<Timestamp>,
    next_unschedulable_flush: Option<Timestamp>,
}

impl Scheduler {
    pub fn new(seed: u64) -> Scheduler {
        Scheduler {
            rng: SimRng::new(seed, RNG_STREAM),
            cache: Cache::default(),
            queue: SchedulingQueue::default(),
            workloads: Workloads::default(),
            pending: BTreeMap::new(),
            attempts: BTreeMap::new(),
            attempts_made: 0,
            retired_rows: VecDeque::new(),
            next_start_node_index: 0,
            hostname: None,
            started: None,
            last_now: None,
            next_unschedulable_flush: None,
        }
    }

    /// The node kube-scheduler runs on (the control-plane node); events
    /// then carry reportingInstance `default-scheduler-<node>`, as the
    /// events.k8s.io recorder names itself `<controller>-<hostname>`.
    pub fn set_hostname(&mut self, node_name: &str) {
        self.hostname = Some(node_name.to_string());
    }

    /// The last scheduling attempt of a pod, with every node's verdicts.
    pub fn last_attempt(&self, namespace: &str, name: &str) -> Option<&SchedulingAttempt> {
        self.attempts.get(&PodKey::new(namespace, name))
    }

    /// Why a pod this scheduler is responsible for is still Pending, in
    /// Kubernetes' own words when there is a FitError.
    pub fn why_pending(&self, namespace: &str, name: &str) -> Option<String> {
        let key = PodKey::new(namespace, name);
        let queued = self.queue.get(&key)?;
        if queued.location == Location::Gated {
            return Some("Scheduling is blocked due to non-empty scheduling gates".to_string());
        }
        match self.attempts.get(&key).map(|a| &a.outcome) {
            Some(Outcome::Unschedulable(m)) | Some(Outcome::Error(m)) => Some(m.clone()),
            _ => Some("waiting in the scheduling queue".to_string()),
        }
    }

    /// Pods waiting in the queue (any sub-queue).
    pub fn queued_pods(&self) -> usize {
        self.queue.len()
    }

    /// The pod left the scheduling queue: its last attempt's rows now count
    /// among the recent ones, and the oldest beyond the limit lose theirs.
    fn retire_attempt_rows(&mut self, key: &PodKey) {
        let Some(attempt) = self.attempts.get_mut(key) else { return };
        if attempt.retired || attempt.rows_dropped {
            return;
        }
        attempt.retired = true;
        self.retired_rows.push_back((attempt.id, key.clone()));
        while self.retired_rows.len() > RECENT_ATTEMPTS_WITH_ROWS {
            let Some((id, old)) = self.retired_rows.pop_front() else { break };
            if let Some(a) = self.attempts.get_mut(&old).filter(|a| a.id == id) {
                a.drop_rows();
            }
        }
    }

    fn reporter(&self, action: &str) -> Reporter {
        let reporting_instance = match &self.hostname {
            Some(h) => format!("{SCHEDULER_NAME}-{h}"),
            None => SCHEDULER_NAME.to_string(),
        };
        Reporter { component: SCHEDULER_NAME.to_string(), host: None, new_api: Some(NewApi { reporting_instance, action: action.to_string() }) }
    }

    // ---- informer handlers (eventhandlers.go) ---------------------------

    fn observe_node(&mut self, event: &WatchEvent) {
        let name = event.key.name.clone();
        if event.event_type == EventType::Deleted {
            self.cache.remove_node(&name);
            return;
        }
        let rev = meta::revision(event.object.meta());
        let cached_rev = self.cache.nodes.get(name.as_str()).and_then(|n| n.node.as_ref()).map(|n| meta::revision(n.meta()));
        if cached_rev.is_some_and(|c| rev < c) {
            return; // older than what the cache has (e.g. our own assume)
        }
        let old = self.cache.upsert_node(event.object.clone());
        self.requeue_after_node_change(&name, old.as_deref());
    }

    /// Node add/update → queueing hints of the plugins that rejected each
    /// unschedulable pod (each plugin's isSchedulableAfterNodeChange).
    fn requeue_after_node_change(&mut self, name: &str, old: Option<&Object>) {
        let Some(info) = self.cache.nodes.get(name) else { return };
        let Some(new) = info.node() else { return };
        let old = old.and_then(as_node);
        let spec = |n: &apimachinery::k8s_openapi::api::core::v1::Node| n.spec.clone().unwrap_or_default();
        let (labels_changed, taints_changed, unsched_changed, alloc_changed) = match old {
            None => (true, true, true, true),
            Some(o) => (
                o.metadata.labels != new.metadata.labels,
                spec(o).taints != spec(new).taints,
                spec(o).unschedulable != spec(new).unschedulable,
                o.status.as_ref().and_then(|s| s.allocatable.clone()) != new.status.as_ref().and_then(|s| s.allocatable.clone()),
            ),
        };
        let added = old.is_none();
        if !(labels_changed || taints_changed || unsched_changed || alloc_changed) {
            return;
        }
        let mut to_move = vec![];
        for (key, q) in self.queue.unschedulable() {
            let Some(pod_obj) = self.pending.get(key) else { continue };
            let Some(pod) = as_pod(pod_obj) else { continue };
            let state = PodState::new(pod, &self.cache, &[]);
            let queue_it = q.unschedulable_plugins.iter().any(|plugin| {
                let relevant = match *plugin {
                    "NodeUnschedulable" => added || unsched_changed || taints_changed,
                    "NodeName" | "NodePorts" => added,
                    "TaintToleration" => added || taints_changed,
                    "NodeAffinity" => added || labels_changed,
                    "NodeResourcesFit" => added || alloc_changed,
                    "PodTopologySpread" => return added || labels_changed || taints_changed,
                    _ => added,
                };
                if !relevant {
                    return false;
                }
                let Some(p) = FilterPlugin::ALL.into_iter().find(|p| p.name() == *plugin) else { return true };
                plugins::run_filter(p, &state, info).is_success()
            });
            if queue_it {
                to_move.push(key.clone());
            }
        }
        for key in to_move {
            self.queue.move_to_active_or_backoff(&key);
        }
    }

    fn observe_pod(&mut self, event: &WatchEvent) {
        let obj = &event.object;
        let Some(pod) = as_pod(obj) else { return };
        let key = PodKey::of(obj);
        let spec = pod.spec.as_ref();
        let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("");
        // The scheduler's pod informer excludes terminal pods: for it a pod
        // that finished is a pod deleted.
        if event.event_type == EventType::Deleted || phase == "Succeeded" || phase == "Failed" {
            if let Some(gone) = self.cache.remove_pod(&key) {
                self.requeue_after_assigned_pod_change(&gone.pod, true);
            }
            self.queue.delete(&key);
            self.pending.remove(&key);
            if event.event_type == EventType::Deleted {
                self.attempts.remove(&key);
            } else {
                self.retire_attempt_rows(&key);
            }
            return;
        }
        let rev = meta::revision(obj.meta());
        let newest_known = self.cache.pod_revision(&key).or_else(|| self.pending.get(&key).map(|p| meta::revision(p.meta())));
        if newest_known.is_some_and(|known| rev < known) {
            return;
        }
        let node_name = spec.and_then(|s| s.node_name.as_deref()).unwrap_or("");
        if !node_name.is_empty() {
            // A pod the cache has is out of the queue already (nodeName
            // never goes back to empty); most of its events change nothing
            // the cache counts.
            if self.cache.refresh_pod(&key, obj, node_name) {
                return;
            }
            self.queue.delete(&key);
            self.pending.remove(&key);
            self.retire_attempt_rows(&key);
            let is_new = !self.cache.pods.contains_key(&key);
            self.cache.upsert_pod(key, obj.clone(), node_name);
            if is_new {
                self.requeue_after_assigned_pod_change(obj, false);
            }
            return;
        }
        let ours = spec.and_then(|s| s.scheduler_name.as_deref()).unwrap_or(SCHEDULER_NAME) == SCHEDULER_NAME;
        if !ours || pod.metadata.deletion_timestamp.is_some() {
            self.queue.delete(&key);
            self.pending.remove(&key);
            self.retire_attempt_rows(&key);
            return;
        }
        let gated = spec.and_then(|s| s.scheduling_gates.as_ref()).is_some_and(|g| !g.is_empty());
        let priority = pod_priority(pod);
        let previous = self.pending.insert(key.clone(), obj.clone());
        if self.queue.contains(&key) {
            // isPodUpdated: status-only changes (our own condition) don't count.
            let relevant = previous.as_deref().and_then(as_pod).is_none_or(|old| old.spec != pod.spec || old.metadata.labels != pod.metadata.labels);
            self.queue.update(&key, priority, gated, relevant);
        } else {
            self.queue.add(key, priority, gated);
        }
    }

    /// An assigned pod went away (frees resources and ports) or arrived
    /// (changes spreading): requeue the unschedulable pods it may help.
    fn requeue_after_assigned_pod_change(&mut self, pod_obj: &Object, deleted: bool) {
        let namespace = pod_obj.namespace().to_string();
        let had_ports = as_pod(pod_obj).is_some_and(|p| !cache::pod_host_ports(p).is_empty());
        let to_move: Vec<PodKey> = self
            .queue
            .unschedulable()
            .filter(|(key, q)| {
                q.unschedulable_plugins.iter().any(|p| match *p {
                    "NodeResourcesFit" => deleted,
                    "NodePorts" => deleted && had_ports,
                    "PodTopologySpread" => key.namespace == namespace,
                    _ => false,
                })
            })
            .map(|(k, _)| k.clone())
            .collect();
        for key in to_move {
            self.queue.move_to_active_or_backoff(&key);
        }
    }

    fn observe_workload(&mut self, event: &WatchEvent) {
        let key = (event.key.namespace.clone(), event.key.name.clone());
        let deleted = event.event_type == EventType::Deleted;
        match &*event.object {
            Object::Service(s) => {
                let sel = s.spec.as_ref().and_then(|sp| sp.selector.clone());
                match sel {
                    Some(sel) if !deleted => {
                        self.workloads.services.insert(key, sel);
                    }
                    _ => {
                        self.workloads.services.remove(&key);
                    }
                }
            }
            Object::ReplicationController(rc) => {
                let sel = rc.spec.as_ref().and_then(|sp| sp.selector.clone());
                match sel {
                    Some(sel) if !deleted => {
                        self.workloads.replication_controllers.insert(key, sel);
                    }
                    _ => {
                        self.workloads.replication_controllers.remove(&key);
                    }
                }
            }
            Object::ReplicaSet(rs) => {
                let sel = Some(Selector::from_label_selector(&rs.spec.selector));
                match sel {
                    Some(Ok(sel)) if !deleted => {
                        self.workloads.replica_sets.insert(key, sel);
                    }
                    _ => {
                        self.workloads.replica_sets.remove(&key);
                    }
                }
            }
            _ => {}
        }
    }

    // ---- one scheduling cycle (schedule_one.go) --------------------------

    /// numFeasibleNodesToFind with the adaptive percentage.
    fn num_feasible_nodes_to_find(all: usize) -> usize {
        if all < MIN_FEASIBLE_NODES_TO_FIND {
            return all;
        }
        let percentage = 50usize.saturating_sub(all / 125).max(MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND);
        (all * percentage / 100).max(MIN_FEASIBLE_NODES_TO_FIND)
    }

    fn schedule_one(&mut self, api: &mut ApiServer, key: &PodKey, now: Timestamp) {
        // Read the pod as it is now: never bind one that is gone, already
        // bound or being deleted (skipPodSchedule).
        let Ok(pod_obj) = api.get(Kind::Pod, &key.namespace, &key.name) else {
            self.queue.done(key);
            self.pending.remove(key);
            self.retire_attempt_rows(key);
            return;
        };
        let Some(pod) = as_pod(&pod_obj) else { return };
        let spec = pod.spec.as_ref();
        let bound = spec.and_then(|s| s.node_name.as_deref()).is_some_and(|n| !n.is_empty());
        let ours = spec.and_then(|s| s.scheduler_name.as_deref()).unwrap_or(SCHEDULER_NAME) == SCHEDULER_NAME;
        if bound || !ours || pod.metadata.deletion_timestamp.is_some() {
            self.queue.done(key);
            self.pending.remove(key);
            self.retire_attempt_rows(key);
            return;
        }
        let attempt_number = self.queue.get(key).map(|q| q.attempts).unwrap_or(1);
        let (mut attempt, decision) = self.find_host(pod, now, attempt_number);
        match decision {
            Decision::Bind(node) => match api.bind(&key.namespace, &key.name, &node) {
                Ok(bound_pod) => {
                    // Assume: the cache counts the pod on its node right away.
                    self.cache.upsert_pod(key.clone(), bound_pod, &node);
                    self.queue.done(key);
                    self.pending.remove(key);
                    let msg = format!("Successfully assigned {}/{} to {}", key.namespace, key.name, node);
                    let reporter = self.reporter("Binding");
                    api.record_event(&pod_obj, None, NORMAL, "Scheduled", &msg, &reporter);
                    attempt.outcome = Outcome::Scheduled(node);
                }
                Err(e) => {
                    let msg = format!("binding rejected: {}", e.message);
                    self.fail(api, key, &pod_obj, &msg, false, BTreeSet::new(), now);
                    attempt.outcome = Outcome::Error(msg);
                }
            },
            Decision::Unschedulable(msg, plugins) => {
                self.fail(api, key, &pod_obj, &msg, true, plugins, now);
                attempt.outcome = Outcome::Unschedulable(msg);
            }
            Decision::Error(msg) => {
                self.fail(api, key, &pod_obj, &msg, false, BTreeSet::new(), now);
                attempt.outcome = Outcome::Error(msg);
            }
        }
        self.attempts_made += 1;
        attempt.id = self.attempts_made;
        self.attempts.insert(key.clone(), attempt);
        if !self.queue.contains(key) {
            self.retire_attempt_rows(key);
        }
    }

    /// handleSchedulingFailure: the event, the PodScheduled condition, and
    /// back to the queue.
    #[allow(clippy::too_many_arguments)]
    fn fail(&mut self, api: &mut ApiServer, key: &PodKey, pod_obj: &Object, msg: &str, rejected: bool, plugins: BTreeSet<&'static str>, now: Timestamp) {
        if rejected {
            self.queue.add_unschedulable(key, now, plugins);
        } else {
            self.queue.add_error_backoff(key, now);
        }
        let reporter = self.reporter("Scheduling");
        api.record_event(pod_obj, None, WARNING, "FailedScheduling", &truncate_message(msg), &reporter);
        let reason = if rejected { "Unschedulable" } else { "SchedulerError" };
        // updatePod: only when the condition actually changes.
        let Ok(current) = api.get(Kind::Pod, &key.namespace, &key.name) else { return };
        let Some(pod) = as_pod(&current) else { return };
        let same = pod
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .and_then(|c| c.iter().find(|c| c.type_ == "PodScheduled"))
            .is_some_and(|c| c.status == "False" && c.reason.as_deref() == Some(reason) && c.message.as_deref() == Some(msg));
        if same {
            return;
        }
        let mut updated: Pod = pod.clone();
        updated.metadata.resource_version = None;
        let time = api.now_time();
        let status = updated.status.get_or_insert_with(Default::default);
        apiserver::registry::pod::set_condition(status, "PodScheduled", "False", Some(reason), Some(msg), time);
        // A failure to write the condition is retried on the next attempt.
        let _ = api.update_status(Object::Pod(updated));
    }

    /// schedulePod: PreFilter, Filter, PostFilter (message only), Score,
    /// selectHost. Returns the attempt record and what to do.
    fn find_host(&mut self, pod: &Pod, now: Timestamp, attempt_number: u32) -> (SchedulingAttempt, Decision) {
        self.cache.refresh_order();
        let order = self.cache.order();
        let namespace = pod.metadata.namespace.as_deref().unwrap_or("");
        let name = pod.metadata.name.as_deref().unwrap_or("");
        let mut attempt = SchedulingAttempt::new(namespace, name, now, attempt_number, order.clone());
        if order.is_empty() {
            return (attempt, Decision::Error(NO_NODES_AVAILABLE.to_string()));
        }
        let total = order.len();
        let cache = &self.cache;
        // The cycle's snapshot: every node's info looked up once, by its
        // index in NodeTree order (verdict rows refer to nodes by it).
        let infos: Vec<Option<&NodeInfo>> = order.iter().map(|n| cache.nodes.get(n)).collect();
        let present: Vec<&NodeInfo> = infos.iter().flatten().copied().collect();
        let state = PodState::new(pod, cache, &present);

        // PreFilter: NodeAffinity may narrow the cycle to named nodes.
        let allowed = plugins::node_affinity_prefilter_names(pod);
        if allowed.as_ref().is_some_and(|a| a.is_empty()) {
            let mut verdicts = Vec::with_capacity(total);
            for index in 0..total {
                let failed = FilterVerdict {
                    plugin: "NodeAffinity",
                    code: Code::UnschedulableAndUnresolvable,
                    reasons: vec![plugins::REASON_AFFINITY_CONFLICT.to_string()],
                };
                let mut verdict = NodeVerdict::new(index, Some(failed), false);
                verdict.set_preemption(PREEMPTION_NOT_HELPFUL.to_string());
                verdicts.push(verdict);
            }
            attempt.set_rows(verdicts);
            let post = preemption_message(pod, total, &[], total);
            let msg = fit_error_message(total, Some(plugins::REASON_AFFINITY_CONFLICT), &BTreeMap::new(), post.as_deref());
            return (attempt, Decision::Unschedulable(msg, BTreeSet::from(["NodeAffinity"])));
        }
        let (candidates, absent): (Vec<usize>, Vec<usize>) = match &allowed {
            Some(names) => (0..total).partition(|&i| names.iter().any(|a| a.as_str() == &*order[i])),
            None => ((0..total).collect(), vec![]),
        };

        // Filter, walking from nextStartNodeIndex until enough nodes fit.
        // Verdicts are recorded in the order nodes were visited.
        let to_find = Self::num_feasible_nodes_to_find(candidates.len());
        let mut verdicts: Vec<NodeVerdict> = Vec::with_capacity(total);
        let mut feasible: Vec<&NodeInfo> = vec![];
        let mut feasible_index: Vec<usize> = vec![];
        let mut feasible_verdict: Vec<usize> = vec![];
        let mut failures: Vec<(usize, Status)> = vec![];
        let start = if candidates.is_empty() { 0 } else { self.next_start_node_index % candidates.len() };
        for i in 0..candidates.len() {
            if feasible.len() >= to_find {
                break;
            }
            let index = candidates[(start + i) % candidates.len()];
            let Some(info) = infos[index] else { continue };
            let failed = FilterPlugin::ALL.into_iter().find_map(|plugin| {
                let s = plugins::run_filter(plugin, &state, info);
                (!s.is_success()).then_some((s, plugin))
            });
            match failed {
                None => {
                    feasible.push(info);
                    feasible_index.push(index);
                    feasible_verdict.push(verdicts.len());
                    verdicts.push(NodeVerdict::new(index, None, true));
                }
                Some((s, plugin)) => {
                    let failed = FilterVerdict { plugin: plugin.name(), code: s.code, reasons: s.reasons.clone() };
                    failures.push((verdicts.len(), s));
                    verdicts.push(NodeVerdict::new(index, Some(failed), true));
                }
            }
        }
        let processed = verdicts.len();
        if !candidates.is_empty() {
            self.next_start_node_index = (start + processed) % candidates.len();
        }
        // Nodes a PreFilterResult left out.
        for &index in &absent {
            let failed = FilterVerdict {
                plugin: "NodeAffinity",
                code: Code::UnschedulableAndUnresolvable,
                reasons: vec![plugins::REASON_PREFILTER_NODE_AFFINITY.to_string()],
            };
            verdicts.push(NodeVerdict::new(index, Some(failed), false));
        }

        if feasible.is_empty() {
            // FitError: a histogram of reasons over all nodes.
            let mut histogram: BTreeMap<String, usize> = BTreeMap::new();
            for (_, s) in &failures {
                for r in &s.reasons {
                    *histogram.entry(r.clone()).or_insert(0) += 1;
                }
            }
            if !absent.is_empty() {
                *histogram.entry(plugins::REASON_PREFILTER_NODE_AFFINITY.to_string()).or_insert(0) += absent.len();
            }
            // PostFilter: DefaultPreemption's dry run where it might help
            // (nodes that failed with Unschedulable, not ...AndUnresolvable).
            let mut dry_run: Vec<(Arc<str>, Result<(), Status>)> = vec![];
            for v in verdicts.iter_mut() {
                let might_help = v.evaluated && v.failed_filter().is_some_and(|f| f.code == Code::Unschedulable);
                if !might_help {
                    v.set_preemption(PREEMPTION_NOT_HELPFUL.to_string());
                    continue;
                }
                let Some(info) = infos.get(v.node_index()).copied().flatten() else { continue };
                let result = plugins::victims_dry_run(&state, cache, info);
                v.set_preemption(match &result {
                    Ok(()) => "preemption would make room (not simulated)".to_string(),
                    Err(s) => s.reasons.join(", "),
                });
                dry_run.push((info.name.clone(), result));
            }
            let post = preemption_message(pod, total, &dry_run, total - dry_run.len());
            let msg = fit_error_message(total, None, &histogram, post.as_deref());
            // Diagnosis.UnschedulablePlugins, for the queueing hints.
            let rejectors: BTreeSet<&'static str> = verdicts.iter().filter_map(|v| v.failed_filter()).map(|f| f.plugin).collect();
            attempt.set_rows(verdicts);
            return (attempt, Decision::Unschedulable(msg, rejectors));
        }

        let chosen = if feasible.len() == 1 {
            // One feasible node: no scoring.
            feasible[0].name.clone()
        } else {
            let score_state = ScoreState::new(&state, cache, &self.workloads, &feasible_index, &infos);
            let active: Vec<ScorePlugin> = ScorePlugin::ALL.into_iter().filter(|p| !score_state.skipped(*p)).collect();
            attempt.score_plugins = attempt::score_plugin_names(&active);
            attempt.skipped_score_plugins = ScorePlugin::ALL.into_iter().filter(|p| score_state.skipped(*p)).map(|p| p.name()).collect();
            let names: Vec<Arc<str>> = feasible.iter().map(|n| n.name.clone()).collect();
            let mut totals = vec![0i64; feasible.len()];
            let mut raw: Vec<i64> = Vec::with_capacity(feasible.len());
            let mut normalized: Vec<i64> = Vec::with_capacity(feasible.len());
            for plugin in &active {
                raw.clear();
                raw.extend(feasible.iter().zip(&feasible_index).map(|(n, &index)| score_state.score(*plugin, &state, index, n)));
                normalized.clear();
                normalized.extend_from_slice(&raw);
                score_state.normalize(*plugin, &names, &mut normalized);
                for i in 0..feasible.len() {
                    let weighted = normalized[i] * plugin.weight();
                    totals[i] += weighted;
                    verdicts[feasible_verdict[i]].set_score(*plugin, raw[i], normalized[i]);
                }
            }
            // selectHost: among the best totals, reservoir sampling.
            let mut best = 0usize;
            let mut count = 1u64;
            for i in 1..totals.len() {
                if totals[i] > totals[best] {
                    best = i;
                    count = 1;
                } else if totals[i] == totals[best] {
                    count += 1;
                    if self.rng.below(count) == 0 {
                        best = i;
                    }
                }
            }
            names[best].clone()
        };
        attempt.set_rows(verdicts);
        (attempt, Decision::Bind(chosen.to_string()))
    }
}

enum Decision {
    Bind(String),
    Unschedulable(String, BTreeSet<&'static str>),
    Error(String),
}

const PREEMPTION_NOT_HELPFUL: &str = "Preemption is not helpful for scheduling";

/// FitError.Error(): "0/N nodes are available: <sorted histogram>." and the
/// PostFilter message after it.
fn fit_error_message(total: usize, prefilter_msg: Option<&str>, histogram: &BTreeMap<String, usize>, post_filter: Option<&str>) -> String {
    let mut msg = format!("0/{total} nodes are available:");
    match prefilter_msg {
        Some(p) => msg.push_str(&format!(" {p}.")),
        None => {
            let mut entries: Vec<String> = histogram.iter().map(|(reason, n)| format!("{n} {reason}")).collect();
            // sort.Strings on the whole "<count> <reason>" string.
            apimachinery::sort::sort(&mut entries);
            if !entries.is_empty() {
                msg.push_str(&format!(" {}.", entries.join(", ")));
            }
        }
    }
    if let Some(p) = post_filter {
        msg.push(' ');
        msg.push_str(p);
    }
    msg
}

/// DefaultPreemption.PostFilter's message when no victims can be chosen
/// (preemption itself is not simulated). None when the dry run found a
/// node where evicting lower-priority pods would make room.
fn preemption_message(pod: &Pod, total: usize, dry_run: &[(Arc<str>, Result<(), Status>)], not_helpful: usize) -> Option<String> {
    if pod.spec.as_ref().and_then(|s| s.preemption_policy.as_deref()) == Some("Never") {
        return Some("preemption: not eligible due to preemptionPolicy=Never.".to_string());
    }
    if dry_run.iter().any(|(_, r)| r.is_ok()) {
        return None;
    }
    let mut histogram: BTreeMap<String, usize> = BTreeMap::new();
    for (_, r) in dry_run {
        if let Err(s) = r {
            for reason in &s.reasons {
                *histogram.entry(reason.clone()).or_insert(0) += 1;
            }
        }
    }
    if not_helpful > 0 {
        *histogram.entry(PREEMPTION_NOT_HELPFUL.to_string()).or_insert(0) += not_helpful;
    }
    Some(format!("preemption: {}", fit_error_message(total, None, &histogram, None)))
}

/// truncateMessage (schedule_one.go).
fn truncate_message(msg: &str) -> String {
    if msg.len() <= EVENT_NOTE_LENGTH_LIMIT {
        return msg.to_string();
    }
    let suffix = " ...";
    let mut cut = EVENT_NOTE_LENGTH_LIMIT - suffix.len();
    while !msg.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{}", &msg[..cut], suffix)
}

impl Component for Scheduler {
    fn name(&self) -> String {
        SCHEDULER_NAME.into()
    }

    fn observe(&mut self, event: &WatchEvent) -> bool {
        match event.key.kind {
            Kind::Node => self.observe_node(event),
            Kind::Pod => self.observe_pod(event),
            Kind::Service | Kind::ReplicaSet | Kind::ReplicationController => self.observe_workload(event),
            _ => return false,
        }
        true
    }

    fn run(&mut self, api: &mut ApiServer) -> bool {
        let now = api.now();
        self.last_now = Some(now);
        let started = *self.started.get_or_insert(now);
        self.queue.settle(now);
        self.queue.flush_backoff_completed(now);
        let next_flush = *self.next_unschedulable_flush.get_or_insert(started + queue::UNSCHEDULABLE_FLUSH_PERIOD);
        if now >= next_flush {
            self.queue.flush_unschedulable_leftover(now);
            let periods = now.duration_since(started).as_secs() / queue::UNSCHEDULABLE_FLUSH_PERIOD.as_secs() + 1;
            self.next_unschedulable_flush = Some(started + SignedDuration::from_secs(periods * queue::UNSCHEDULABLE_FLUSH_PERIOD.as_secs()));
        }
        let mut ran = false;
        for _ in 0..MAX_CYCLES_PER_RUN {
            let Some(key) = self.queue.pop() else { break };
            ran = true;
            self.schedule_one(api, &key, now);
        }
        ran
    }

    fn next_wake(&self) -> Option<Timestamp> {
        let mut wake: Option<Timestamp> = None;
        let mut consider = |t: Timestamp| wake = Some(wake.map_or(t, |w| w.min(t)));
        if self.queue.has_parked() {
            consider(self.last_now.unwrap_or(Timestamp::UNIX_EPOCH));
        }
        if let Some(t) = self.queue.next_backoff_completion() {
            consider(t);
        }
        if let (Some(oldest), Some(started)) = (self.queue.oldest_unschedulable(), self.started) {
            // The first flush tick at which the oldest pod has waited > 5 min.
            let due = oldest + queue::MAX_IN_UNSCHEDULABLE;
            let period = queue::UNSCHEDULABLE_FLUSH_PERIOD.as_secs();
            let k = due.duration_since(started).as_secs().max(0) / period + 1;
            consider(started + SignedDuration::from_secs(k * period));
        }
        wake
    }
}
