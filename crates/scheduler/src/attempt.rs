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

/// One node's row in the table. Kept small: an attempt stores one per node,
/// and every pod keeps its last attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeVerdict {
    pub node: Arc<str>,
    /// Filters run in framework order and stop at the first failure, so
    /// every plugin before the failed one passed and later ones did not
    /// run. None: the node passed every filter (or was never evaluated, see
    /// `evaluated`).
    failure: Option<Box<Failure>>,
    /// False when the cycle stopped early (enough feasible nodes found) or a
    /// PreFilter result left the node out.
    pub evaluated: bool,
    /// Bit i: `ScorePlugin::ALL[i]` scored this node.
    scored: u8,
    raw_scores: [i32; 6],
    normalized_scores: [i32; 6],
    total_score: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Failure {
    filter: FilterVerdict,
    /// Why preemption could not help on this node (failed attempts only).
    preemption: Option<String>,
}

impl NodeVerdict {
    pub(crate) fn new(node: Arc<str>, failed_filter: Option<FilterVerdict>, evaluated: bool) -> NodeVerdict {
        NodeVerdict {
            node,
            failure: failed_filter.map(|filter| Box::new(Failure { filter, preemption: None })),
            evaluated,
            scored: 0,
            raw_scores: [0; 6],
            normalized_scores: [0; 6],
            total_score: 0,
        }
    }
    pub(crate) fn set_score(&mut self, plugin: ScorePlugin, raw: i64, normalized: i64) {
        if let Some(i) = ScorePlugin::ALL.iter().position(|p| *p == plugin) {
            self.scored |= 1 << i;
            self.raw_scores[i] = raw.clamp(i32::MIN as i64, i32::MAX as i64) as i32;
            self.normalized_scores[i] = normalized.clamp(i32::MIN as i64, i32::MAX as i64) as i32;
            self.total_score += normalized * plugin.weight();
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
        (self.scored != 0).then_some(self.total_score)
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

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchedulingAttempt {
    pub namespace: String,
    pub pod: String,
    pub at: Timestamp,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// Nodes in the order the cycle visited them.
    pub nodes: Vec<NodeVerdict>,
    /// The score plugins that ran (those whose PreScore returned Skip are
    /// listed in `skipped_score_plugins`).
    pub score_plugins: Vec<&'static str>,
    pub skipped_score_plugins: Vec<&'static str>,
    pub outcome: Outcome,
}

impl SchedulingAttempt {
    pub fn feasible_nodes(&self) -> usize {
        self.nodes.iter().filter(|n| n.feasible()).count()
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
