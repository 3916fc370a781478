//! What one scheduling attempt decided, per node and per plugin, as plain
//! data the UI can render as a table (like kube-scheduler-simulator's
//! per-plugin results).

use crate::plugins::{Code, FilterPlugin, ScorePlugin};
use apimachinery::Timestamp;
use std::sync::Arc;

/// One Filter plugin's verdict on one node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterVerdict {
    pub plugin: &'static str,
    pub code: Code,
    /// Empty on success.
    pub reasons: Vec<String>,
}

/// One Score plugin's result on one node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginScore {
    pub plugin: &'static str,
    pub weight: i64,
    /// The plugin's Score before NormalizeScore.
    pub raw: i64,
    /// After NormalizeScore (0..=100).
    pub normalized: i64,
    /// normalized × weight, what goes into the total.
    pub weighted: i64,
}

/// One node's row in the table. Kept compact (56 bytes): an attempt
/// stores one per node, so the node is an index into the attempt's shared
/// node list, normalized scores (0..=100) are 16-bit and the total is
/// recomputed from them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeVerdict {
    /// Index into `SchedulingAttempt::node_order`.
    node_index: u32,
    /// False when the cycle stopped early (enough feasible nodes found) or a
    /// PreFilter result left the node out.
    pub evaluated: bool,
    /// Bit i: `ScorePlugin::ALL[i]` scored this node.
    scored: u8,
    normalized_scores: [i16; 6],
    raw_scores: [i32; 6],
    /// Filters run in framework order and stop at the first failure, so
    /// every plugin before the failed one passed and later ones did not
    /// run. None: the node passed every filter (or was never evaluated, see
    /// `evaluated`).
    failure: Option<Box<Failure>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Failure {
    filter: FilterVerdict,
    /// Why preemption could not help on this node (failed attempts only).
    preemption: Option<String>,
}

impl NodeVerdict {
    pub(crate) fn new(node_index: usize, failed_filter: Option<FilterVerdict>, evaluated: bool) -> NodeVerdict {
        NodeVerdict {
            node_index: u32::try_from(node_index).unwrap_or(u32::MAX),
            evaluated,
            scored: 0,
            normalized_scores: [0; 6],
            raw_scores: [0; 6],
            failure: failed_filter.map(|filter| Box::new(Failure { filter, preemption: None })),
        }
    }
    /// Index of the node in the attempt's node list (NodeTree order).
    pub(crate) fn node_index(&self) -> usize {
        self.node_index as usize
    }
    pub(crate) fn set_score(&mut self, plugin: ScorePlugin, raw: i64, normalized: i64) {
        if let Some(i) = ScorePlugin::ALL.iter().position(|p| *p == plugin) {
            self.scored |= 1 << i;
            self.raw_scores[i] = raw.clamp(i32::MIN as i64, i32::MAX as i64) as i32;
            self.normalized_scores[i] = normalized.clamp(i16::MIN as i64, i16::MAX as i64) as i16;
        }
    }
    pub(crate) fn set_preemption(&mut self, why: String) {
        if let Some(f) = self.failure.as_mut() {
            f.preemption = Some(why);
        }
    }
    /// The filter that rejected the node, if any.
    pub fn failed_filter(&self) -> Option<&FilterVerdict> {
        self.failure.as_ref().map(|f| &f.filter)
    }
    /// Why preemption could not help on this node (only for failed attempts).
    pub fn preemption(&self) -> Option<&str> {
        self.failure.as_ref().and_then(|f| f.preemption.as_deref())
    }
    /// Σ normalized × weight; None if the node was not scored.
    pub fn total_score(&self) -> Option<i64> {
        (self.scored != 0).then(|| self.scores().iter().map(|s| s.weighted).sum())
    }
    /// Score plugin results in framework order; empty unless the node was
    /// feasible and more than one node was.
    pub fn scores(&self) -> Vec<PluginScore> {
        ScorePlugin::ALL
            .iter()
            .enumerate()
            .filter(|(i, _)| self.scored & (1 << i) != 0)
            .map(|(i, p)| PluginScore {
                plugin: p.name(),
                weight: p.weight(),
                raw: self.raw_scores[i] as i64,
                normalized: self.normalized_scores[i] as i64,
                weighted: self.normalized_scores[i] as i64 * p.weight(),
            })
            .collect()
    }
    pub fn feasible(&self) -> bool {
        self.evaluated && self.failure.is_none()
    }
    /// Every filter plugin's verdict on this node: passes up to the first
    /// failure, then the failure; plugins after it did not run.
    pub fn filter_verdicts(&self) -> Vec<FilterVerdict> {
        let mut out = vec![];
        if !self.evaluated {
            return out;
        }
        for p in FilterPlugin::ALL {
            match self.failed_filter() {
                Some(f) if f.plugin == p.name() => {
                    out.push(f.clone());
                    break;
                }
                _ => out.push(FilterVerdict { plugin: p.name(), code: Code::Success, reasons: vec![] }),
            }
        }
        out
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Bound to this node.
    Scheduled(String),
    /// No node fits: the FailedScheduling message (FitError).
    Unschedulable(String),
    /// The attempt failed for another reason (no nodes, bind error).
    Error(String),
}

/// One scheduling attempt of a pod: the summary, and (while kept, see
/// `rows_dropped`) every node's row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchedulingAttempt {
    pub namespace: String,
    pub pod: String,
    pub at: Timestamp,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// The score plugins that ran (those whose PreScore returned Skip are
    /// listed in `skipped_score_plugins`).
    pub score_plugins: Vec<&'static str>,
    pub skipped_score_plugins: Vec<&'static str>,
    pub outcome: Outcome,
    /// The per-node rows were dropped to bound memory (the scheduler keeps
    /// them for pods still pending and for the most recent attempts only);
    /// the summary fields stay.
    pub rows_dropped: bool,
    /// Nodes that passed every filter, counted before the rows go.
    feasible_nodes: usize,
    /// The cycle's nodes in NodeTree order, shared by every attempt made
    /// while the node set did not change; rows index into it. None once
    /// the rows are dropped.
    node_order: Option<Arc<[Arc<str>]>>,
    /// Rows in the order the cycle visited the nodes.
    rows: Vec<NodeVerdict>,
    /// Which attempt this is among all of the scheduler's, for retention.
    pub(crate) id: u64,
    /// Already counted among the recent attempts of pods that left the queue.
    pub(crate) retired: bool,
}

impl SchedulingAttempt {
    pub(crate) fn new(namespace: &str, pod: &str, at: Timestamp, attempt: u32, node_order: Arc<[Arc<str>]>) -> SchedulingAttempt {
        SchedulingAttempt {
            namespace: namespace.to_string(),
            pod: pod.to_string(),
            at,
            attempt,
            score_plugins: vec![],
            skipped_score_plugins: vec![],
            outcome: Outcome::Error(String::new()),
            rows_dropped: false,
            feasible_nodes: 0,
            node_order: Some(node_order),
            rows: vec![],
            id: 0,
            retired: false,
        }
    }
    pub(crate) fn set_rows(&mut self, rows: Vec<NodeVerdict>) {
        self.feasible_nodes = rows.iter().filter(|n| n.feasible()).count();
        self.rows = rows;
    }
    /// Frees the per-node rows, keeping the summary.
    pub(crate) fn drop_rows(&mut self) {
        self.rows = Vec::new();
        self.node_order = None;
        self.rows_dropped = true;
    }
    /// Every node's row with the node's name, in the order the cycle
    /// visited them (nodes a PreFilter result left out come last). Empty
    /// once `rows_dropped`.
    pub fn nodes(&self) -> impl ExactSizeIterator<Item = (&str, &NodeVerdict)> {
        let order = self.node_order.as_deref().unwrap_or(&[]);
        self.rows.iter().map(move |r| (order.get(r.node_index()).map_or("", |n| &**n), r))
    }
    /// One node's row, if the attempt has it.
    pub fn node(&self, name: &str) -> Option<&NodeVerdict> {
        self.nodes().find(|(n, _)| *n == name).map(|(_, r)| r)
    }
    pub fn feasible_nodes(&self) -> usize {
        self.feasible_nodes
    }
    pub fn chosen_node(&self) -> Option<&str> {
        match &self.outcome {
            Outcome::Scheduled(n) => Some(n),
            _ => None,
        }
    }
}

pub(crate) fn score_plugin_names(plugins: &[ScorePlugin]) -> Vec<&'static str> {
    plugins.iter().map(|p| p.name()).collect()
}
