//! The default profile's Filter and Score plugins
//! (pkg/scheduler/framework/plugins/*). Each filter returns a `Status` with
//! the exact reason strings Kubernetes uses; each score plugin gives a raw
//! score per node that `normalize` maps to 0..=100 as the plugin's
//! NormalizeScore does.

use crate::cache::{Cache, HostPort, LABEL_HOSTNAME, LABEL_TOPOLOGY_ZONE, NodeInfo, PodKey, pod_host_ports, pod_priority};
use crate::resources::{self, Resources};
use apimachinery::k8s_openapi::api::core::v1::{NodeSelectorRequirement, NodeSelectorTerm, Pod, Taint, Toleration};
use apimachinery::selector::{Op, Requirement, Selector};
use apimachinery::meta;
use std::collections::BTreeMap;

/// fwk.MaxNodeScore.
pub const MAX_NODE_SCORE: i64 = 100;

/// fwk.Code (the ones a plugin here can return).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Code {
    Success,
    Unschedulable,
    UnschedulableAndUnresolvable,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Success => "Success",
            Code::Unschedulable => "Unschedulable",
            Code::UnschedulableAndUnresolvable => "UnschedulableAndUnresolvable",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    pub code: Code,
    pub reasons: Vec<String>,
}

impl Status {
    pub fn success() -> Status {
        Status { code: Code::Success, reasons: vec![] }
    }
    fn new(code: Code, reason: &str) -> Status {
        Status { code, reasons: vec![reason.to_string()] }
    }
    pub fn is_success(&self) -> bool {
        self.code == Code::Success
    }
}

/// Filter plugins of the default profile, in the framework's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FilterPlugin {
    NodeUnschedulable,
    NodeName,
    TaintToleration,
    NodeAffinity,
    NodePorts,
    NodeResourcesFit,
    PodTopologySpread,
}

impl FilterPlugin {
    pub const ALL: [FilterPlugin; 7] = [
        FilterPlugin::NodeUnschedulable,
        FilterPlugin::NodeName,
        FilterPlugin::TaintToleration,
        FilterPlugin::NodeAffinity,
        FilterPlugin::NodePorts,
        FilterPlugin::NodeResourcesFit,
        FilterPlugin::PodTopologySpread,
    ];
    pub fn name(self) -> &'static str {
        match self {
            FilterPlugin::NodeUnschedulable => "NodeUnschedulable",
            FilterPlugin::NodeName => "NodeName",
            FilterPlugin::TaintToleration => "TaintToleration",
            FilterPlugin::NodeAffinity => "NodeAffinity",
            FilterPlugin::NodePorts => "NodePorts",
            FilterPlugin::NodeResourcesFit => "NodeResourcesFit",
            FilterPlugin::PodTopologySpread => "PodTopologySpread",
        }
    }
}

/// Score plugins of the default profile, in the framework's order, with
/// their default weights (apis/config/v1 default_plugins.go).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ScorePlugin {
    TaintToleration,
    NodeAffinity,
    NodeResourcesFit,
    PodTopologySpread,
    NodeResourcesBalancedAllocation,
    ImageLocality,
}

impl ScorePlugin {
    pub const ALL: [ScorePlugin; 6] = [
        ScorePlugin::TaintToleration,
        ScorePlugin::NodeAffinity,
        ScorePlugin::NodeResourcesFit,
        ScorePlugin::PodTopologySpread,
        ScorePlugin::NodeResourcesBalancedAllocation,
        ScorePlugin::ImageLocality,
    ];
    pub fn name(self) -> &'static str {
        match self {
            ScorePlugin::TaintToleration => "TaintToleration",
            ScorePlugin::NodeAffinity => "NodeAffinity",
            ScorePlugin::NodeResourcesFit => "NodeResourcesFit",
            ScorePlugin::PodTopologySpread => "PodTopologySpread",
            ScorePlugin::NodeResourcesBalancedAllocation => "NodeResourcesBalancedAllocation",
            ScorePlugin::ImageLocality => "ImageLocality",
        }
    }
    pub fn weight(self) -> i64 {
        match self {
            ScorePlugin::TaintToleration => 3,
            ScorePlugin::NodeAffinity => 2,
            ScorePlugin::NodeResourcesFit => 1,
            ScorePlugin::PodTopologySpread => 2,
            ScorePlugin::NodeResourcesBalancedAllocation => 1,
            ScorePlugin::ImageLocality => 1,
        }
    }
}

pub const REASON_UNSCHEDULABLE: &str = "node(s) were unschedulable";
pub const REASON_NODE_NAME: &str = "node(s) didn't match the requested node name";
/// 1.35+ (PR #134740): the taint key and value are no longer printed.
pub const REASON_TAINT: &str = "node(s) had untolerated taint(s)";
pub const REASON_NODE_AFFINITY: &str = "node(s) didn't match Pod's node affinity/selector";
pub const REASON_AFFINITY_CONFLICT: &str = "pod affinity terms conflict";
pub const REASON_PORTS: &str = "node(s) didn't have free ports for the requested pod ports";
pub const REASON_SPREAD: &str = "node(s) didn't match pod topology spread constraints";
pub const REASON_SPREAD_MISSING_LABEL: &str = "node(s) didn't match pod topology spread constraints (missing required label)";
/// Status given to nodes a PreFilterResult leaves out (schedule_one.go).
pub const REASON_PREFILTER_NODE_AFFINITY: &str = "node(s) didn't satisfy plugin(s) [NodeAffinity]";

// ---- tolerations and taints (k8s.io/api/core/v1 toleration.go) -------

pub fn tolerates(t: &Toleration, taint: &Taint) -> bool {
    let effect = t.effect.as_deref().unwrap_or("");
    if !effect.is_empty() && effect != taint.effect {
        return false;
    }
    let key = t.key.as_deref().unwrap_or("");
    if !key.is_empty() && key != taint.key {
        return false;
    }
    match t.operator.as_deref().unwrap_or("") {
        "" | "Equal" => t.value.as_deref().unwrap_or("") == taint.value.as_deref().unwrap_or(""),
        "Exists" => true,
        _ => false,
    }
}

pub fn tolerated_by_any(tolerations: &[Toleration], taint: &Taint) -> bool {
    tolerations.iter().any(|t| tolerates(t, taint))
}

pub fn node_taints(n: &NodeInfo) -> &[Taint] {
    &n.taints
}

pub fn node_unschedulable(n: &NodeInfo) -> bool {
    n.unschedulable
}

// ---- node selectors (component-helpers scheduling/corev1/nodeaffinity) --

/// A NodeSelectorTerm, parsed once per cycle. A term that fails to parse
/// matches nothing (LazyErrorNodeSelector).
#[derive(Clone, Debug)]
pub struct Term {
    expressions: Vec<Requirement>,
    /// metadata.name requirements: (In?, values).
    fields: Vec<(bool, Vec<String>)>,
    valid: bool,
}

fn parse_requirement(r: &NodeSelectorRequirement) -> Option<Requirement> {
    let values = r.values.clone().unwrap_or_default();
    let op = match r.operator.as_str() {
        "In" => Op::In,
        "NotIn" => Op::NotIn,
        "Exists" => Op::Exists,
        "DoesNotExist" => Op::DoesNotExist,
        "Gt" => Op::GreaterThan,
        "Lt" => Op::LessThan,
        _ => return None,
    };
    match op {
        Op::In | Op::NotIn if values.is_empty() => return None,
        Op::Exists | Op::DoesNotExist if !values.is_empty() => return None,
        Op::GreaterThan | Op::LessThan if values.len() != 1 || values[0].parse::<i64>().is_err() => return None,
        _ => {}
    }
    Some(Requirement { key: r.key.clone(), op, values })
}

impl Term {
    pub fn parse(t: &NodeSelectorTerm) -> Term {
        let mut term = Term { expressions: vec![], fields: vec![], valid: true };
        for r in t.match_expressions.iter().flatten() {
            match parse_requirement(r) {
                Some(req) => term.expressions.push(req),
                None => term.valid = false,
            }
        }
        for r in t.match_fields.iter().flatten() {
            let values = r.values.clone().unwrap_or_default();
            match (r.key.as_str(), r.operator.as_str()) {
                ("metadata.name", "In") if values.len() == 1 => term.fields.push((true, values)),
                ("metadata.name", "NotIn") if values.len() == 1 => term.fields.push((false, values)),
                _ => term.valid = false,
            }
        }
        term
    }
    fn is_empty(&self) -> bool {
        self.expressions.is_empty() && self.fields.is_empty()
    }
    pub fn matches(&self, node_name: &str, labels: &BTreeMap<String, String>) -> bool {
        if !self.valid || self.is_empty() {
            return false;
        }
        self.expressions.iter().all(|r| r.matches(labels))
            && self.fields.iter().all(|(is_in, values)| values.iter().any(|v| v == node_name) == *is_in)
    }
}

/// nodeaffinity.RequiredNodeAffinity: spec.nodeSelector AND any of the
/// required node affinity terms.
#[derive(Clone, Debug, Default)]
pub struct RequiredNodeAffinity {
    node_selector: BTreeMap<String, String>,
    terms: Option<Vec<Term>>,
}

impl RequiredNodeAffinity {
    pub fn of(pod: &Pod) -> RequiredNodeAffinity {
        let spec = pod.spec.as_ref();
        let node_selector = spec.and_then(|s| s.node_selector.clone()).unwrap_or_default();
        let terms = spec
            .and_then(|s| s.affinity.as_ref())
            .and_then(|a| a.node_affinity.as_ref())
            .and_then(|na| na.required_during_scheduling_ignored_during_execution.as_ref())
            .map(|ns| ns.node_selector_terms.iter().map(Term::parse).collect());
        RequiredNodeAffinity { node_selector, terms }
    }
    /// No nodeSelector and no required terms: every node matches.
    pub fn is_empty(&self) -> bool {
        self.node_selector.is_empty() && self.terms.is_none()
    }
    /// `matches` on a cached node, without touching its labels when there
    /// is nothing to match.
    pub fn matches_node(&self, node: &NodeInfo) -> bool {
        self.is_empty() || self.matches(&node.name, node.labels())
    }
    pub fn matches(&self, node_name: &str, labels: &BTreeMap<String, String>) -> bool {
        if !self.node_selector.iter().all(|(k, v)| labels.get(k) == Some(v)) {
            return false;
        }
        match &self.terms {
            None => true,
            Some(terms) => terms.iter().any(|t| t.matches(node_name, labels)),
        }
    }
}

/// nodeaffinity PreFilter: required terms that all name nodes through
/// `metadata.name In` (DaemonSet pods) restrict the cycle to those nodes.
/// `Some(empty)` means the terms contradict each other.
pub fn node_affinity_prefilter_names(pod: &Pod) -> Option<Vec<String>> {
    let terms = pod
        .spec
        .as_ref()?
        .affinity
        .as_ref()?
        .node_affinity
        .as_ref()?
        .required_during_scheduling_ignored_during_execution
        .as_ref()?;
    let mut union: Option<Vec<String>> = None;
    for t in &terms.node_selector_terms {
        let mut term_names: Option<Vec<String>> = None;
        for r in t.match_fields.iter().flatten() {
            if r.key == "metadata.name" && r.operator == "In" {
                let vals = r.values.clone().unwrap_or_default();
                term_names = Some(match term_names {
                    None => vals,
                    Some(prev) => prev.into_iter().filter(|n| vals.contains(n)).collect(),
                });
            }
        }
        let names = term_names?; // a term without a name requirement allows every node
        let u = union.get_or_insert_with(Vec::new);
        for n in names {
            if !u.contains(&n) {
                u.push(n);
            }
        }
    }
    union
}

// ---- topology spreading (podtopologyspread) ---------------------------

#[derive(Clone, Debug)]
pub struct SpreadConstraint {
    pub max_skew: i64,
    pub topology_key: String,
    pub selector: Selector,
    pub min_domains: i64,
    /// nodeAffinityPolicy Honor (the default): only nodes matching the
    /// pod's required node affinity count.
    pub honor_node_affinity: bool,
    /// nodeTaintsPolicy Honor: only nodes whose taints the pod tolerates count.
    pub honor_node_taints: bool,
}

fn constraints_of(pod: &Pod, when: &str) -> Vec<SpreadConstraint> {
    let labels = meta::labels(&pod.metadata);
    pod.spec
        .as_ref()
        .and_then(|s| s.topology_spread_constraints.as_ref())
        .into_iter()
        .flatten()
        .filter(|c| c.when_unsatisfiable == when)
        .filter_map(|c| {
            let mut selector = match &c.label_selector {
                None => Selector::nothing(),
                Some(ls) => Selector::from_label_selector(ls).ok()?,
            };
            // matchLabelKeys: the pod's own values join the selector.
            for k in c.match_label_keys.iter().flatten() {
                if let Some(v) = labels.get(k) {
                    selector.requirements.push(Requirement { key: k.clone(), op: Op::In, values: vec![v.clone()] });
                }
            }
            Some(SpreadConstraint {
                max_skew: c.max_skew as i64,
                topology_key: c.topology_key.clone(),
                selector,
                min_domains: c.min_domains.unwrap_or(1) as i64,
                honor_node_affinity: c.node_affinity_policy.as_deref() != Some("Ignore"),
                honor_node_taints: c.node_taints_policy.as_deref() == Some("Honor"),
            })
        })
        .collect()
}

/// Whether `node` takes part in a constraint's counting (MatchNodeInclusionPolicies).
fn node_included(c: &SpreadConstraint, state: &PodState, node: &NodeInfo) -> bool {
    if c.honor_node_affinity && !state.required_affinity.matches_node(node) {
        return false;
    }
    if c.honor_node_taints {
        let untolerated = node_taints(node)
            .iter()
            .any(|t| (t.effect == "NoSchedule" || t.effect == "NoExecute") && !tolerated_by_any(&state.tolerations, t));
        if untolerated {
            return false;
        }
    }
    true
}

/// PreFilter state for DoNotSchedule constraints.
#[derive(Clone, Debug, Default)]
pub struct SpreadFilterState {
    constraints: Vec<SpreadConstraint>,
    /// Per constraint: topology value → matching pods.
    counts: Vec<DomainCounts>,
}

/// Matching pods per topology domain (the value of a constraint's key on
/// the nodes): a sorted vector, as there are few domains per key.
///
/// Lookups compare an empty value (the domain of nodes without the label,
/// common for the zone key) by length alone: an empty `String` points at a
/// dangling address, and glibc's AVX-512 memcmp, which `str` comparison
/// calls even for length 0, takes a microcode assist of ~80 ns on it —
/// per node and per cycle, that was most of PreScore's time.
#[derive(Clone, Debug, Default)]
pub(crate) struct DomainCounts(Vec<(String, i64)>);

pub(crate) fn cmp_domain(a: &str, b: &str) -> std::cmp::Ordering {
    if a.is_empty() || b.is_empty() {
        return a.len().cmp(&b.len());
    }
    a.cmp(b)
}

impl DomainCounts {
    fn find(&self, value: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| cmp_domain(k, value))
    }
    fn get(&self, value: &str) -> Option<i64> {
        self.find(value).ok().map(|i| self.0[i].1)
    }
    fn get_mut(&mut self, value: &str) -> Option<&mut i64> {
        self.find(value).ok().map(|i| &mut self.0[i].1)
    }
    fn contains(&self, value: &str) -> bool {
        self.find(value).is_ok()
    }
    /// Adds `n` to the domain's count, creating the domain if needed.
    fn add(&mut self, value: &str, n: i64) {
        match self.find(value) {
            Ok(i) => self.0[i].1 += n,
            Err(i) => self.0.insert(i, (value.to_string(), n)),
        }
    }
    fn len(&self) -> usize {
        self.0.len()
    }
    fn min(&self) -> Option<i64> {
        self.0.iter().map(|(_, n)| *n).min()
    }
}

impl SpreadFilterState {
    /// `nodes`: the cycle's nodes in NodeTree order.
    fn build(state: &PodState, nodes: &[&NodeInfo]) -> SpreadFilterState {
        let constraints = constraints_of(state.pod, "DoNotSchedule");
        let mut counts = vec![DomainCounts::default(); constraints.len()];
        for node in nodes {
            if !constraints.iter().all(|c| node.topology_value(&c.topology_key).is_some()) {
                continue;
            }
            for (i, c) in constraints.iter().enumerate() {
                if !node_included(c, state, node) {
                    continue;
                }
                let value = node.topology_value(&c.topology_key).unwrap_or("");
                let count = node.count_matching(&c.selector, &state.key.namespace);
                counts[i].add(value, count);
            }
        }
        SpreadFilterState { constraints, counts }
    }

    fn filter(&self, state: &PodState, node: &NodeInfo) -> Status {
        for (i, c) in self.constraints.iter().enumerate() {
            let Some(value) = node.topology_value(&c.topology_key) else {
                return Status::new(Code::UnschedulableAndUnresolvable, REASON_SPREAD_MISSING_LABEL);
            };
            let domains = &self.counts[i];
            let min = if (domains.len() as i64) < c.min_domains { 0 } else { domains.min().unwrap_or(0) };
            let self_match = if c.selector.matches(meta::labels(&state.pod.metadata)) { 1 } else { 0 };
            let count = domains.get(value).unwrap_or(0);
            if count + self_match - min > c.max_skew {
                return Status::new(Code::Unschedulable, REASON_SPREAD);
            }
        }
        Status::success()
    }
}

/// The selectors of Services / ReplicationControllers / ReplicaSets, for
/// the system default spreading constraints (helper.DefaultSelector).
#[derive(Clone, Debug, Default)]
pub struct Workloads {
    /// (namespace, name) → spec.selector of Services that have one.
    pub services: BTreeMap<(String, String), BTreeMap<String, String>>,
    pub replication_controllers: BTreeMap<(String, String), BTreeMap<String, String>>,
    pub replica_sets: BTreeMap<(String, String), Selector>,
}

impl Workloads {
    /// helper.DefaultSelector: the merged selectors of the Services that
    /// select the pod, plus its controller's selector.
    pub fn default_selector(&self, pod: &Pod) -> Selector {
        let ns = pod.metadata.namespace.clone().unwrap_or_default();
        let labels = meta::labels(&pod.metadata);
        let mut set: BTreeMap<String, String> = BTreeMap::new();
        let range = self.services.range((ns.clone(), String::new())..);
        for ((sns, _), sel) in range {
            if *sns != ns {
                break;
            }
            if sel.iter().all(|(k, v)| labels.get(k) == Some(v)) {
                set.extend(sel.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
        }
        let mut selector = Selector::from_map(&set);
        if let Some(owner) = meta::controller_of(&pod.metadata) {
            let key = (ns.clone(), owner.name.clone());
            match (owner.api_version.as_str(), owner.kind.as_str()) {
                ("v1", "ReplicationController") => {
                    if let Some(sel) = self.replication_controllers.get(&key) {
                        set.extend(sel.iter().map(|(k, v)| (k.clone(), v.clone())));
                        selector = Selector::from_map(&set);
                    }
                }
                ("apps/v1", "ReplicaSet") => {
                    if let Some(sel) = self.replica_sets.get(&key) {
                        selector.requirements.extend(sel.requirements.iter().cloned());
                    }
                }
                _ => {}
            }
        }
        selector
    }
}

// ---- the per-pod cycle state -----------------------------------------

/// What PreFilter/PreScore compute once per pod and scheduling cycle.
pub struct PodState<'a> {
    pub pod: &'a Pod,
    pub key: PodKey,
    pub priority: i32,
    pub tolerations: Vec<Toleration>,
    pub required_affinity: RequiredNodeAffinity,
    pub preferred_terms: Vec<(i64, Term)>,
    pub requests: Resources,
    pub non_zero_requests: Resources,
    pub host_ports: Vec<HostPort>,
    pub images: Vec<String>,
    pub num_containers: usize,
    /// Nodes in the cluster (ImageLocality's spread denominator).
    pub total_nodes: usize,
    pub spread_filter: Option<SpreadFilterState>,
}

/// imagelocality.normalizedImageName: a name without a tag gets ":latest".
pub fn normalized_image_name(name: &str) -> String {
    let slash = name.rfind('/').map(|i| i as isize).unwrap_or(-1);
    let colon = name.rfind(':').map(|i| i as isize).unwrap_or(-1);
    if colon <= slash { format!("{name}:latest") } else { name.to_string() }
}

impl<'a> PodState<'a> {
    /// `nodes`: the cycle's nodes in NodeTree order (empty when only
    /// single filters are run, as the queueing hints do).
    pub fn new(pod: &'a Pod, cache: &Cache, nodes: &[&NodeInfo]) -> PodState<'a> {
        let spec = pod.spec.as_ref();
        let preferred_terms = spec
            .and_then(|s| s.affinity.as_ref())
            .and_then(|a| a.node_affinity.as_ref())
            .and_then(|na| na.preferred_during_scheduling_ignored_during_execution.as_ref())
            .into_iter()
            .flatten()
            .filter(|p| p.weight != 0)
            .map(|p| (p.weight as i64, Term::parse(&p.preference)))
            .collect();
        let images = spec
            .map(|s| s.init_containers.iter().flatten().chain(s.containers.iter()).map(|c| normalized_image_name(c.image.as_deref().unwrap_or(""))).collect())
            .unwrap_or_default();
        let num_containers = spec.map(|s| s.containers.len() + s.init_containers.as_ref().map_or(0, Vec::len)).unwrap_or(0);
        let mut state = PodState {
            pod,
            key: PodKey::new(pod.metadata.namespace.as_deref().unwrap_or(""), pod.metadata.name.as_deref().unwrap_or("")),
            priority: pod_priority(pod),
            tolerations: spec.and_then(|s| s.tolerations.clone()).unwrap_or_default(),
            required_affinity: RequiredNodeAffinity::of(pod),
            preferred_terms,
            requests: resources::pod_requests(pod, false),
            non_zero_requests: resources::pod_requests(pod, true),
            host_ports: pod_host_ports(pod),
            images,
            num_containers,
            total_nodes: cache.node_count(),
            spread_filter: None,
        };
        let has_hard = spec.and_then(|s| s.topology_spread_constraints.as_ref()).is_some_and(|c| c.iter().any(|c| c.when_unsatisfiable == "DoNotSchedule"));
        if has_hard {
            state.spread_filter = Some(SpreadFilterState::build(&state, nodes));
        }
        state
    }
}

// ---- Filter -----------------------------------------------------------

pub fn run_filter(plugin: FilterPlugin, state: &PodState, node: &NodeInfo) -> Status {
    match plugin {
        FilterPlugin::NodeUnschedulable => {
            // Tolerating the unschedulable taint also tolerates spec.unschedulable.
            if !node_unschedulable(node) {
                return Status::success();
            }
            let taint = Taint { key: "node.kubernetes.io/unschedulable".into(), effect: "NoSchedule".into(), ..Default::default() };
            if !tolerated_by_any(&state.tolerations, &taint) {
                return Status::new(Code::UnschedulableAndUnresolvable, REASON_UNSCHEDULABLE);
            }
            Status::success()
        }
        FilterPlugin::NodeName => {
            let want = state.pod.spec.as_ref().and_then(|s| s.node_name.as_deref()).unwrap_or("");
            if !want.is_empty() && want != &*node.name {
                return Status::new(Code::UnschedulableAndUnresolvable, REASON_NODE_NAME);
            }
            Status::success()
        }
        FilterPlugin::TaintToleration => {
            let untolerated = node_taints(node)
                .iter()
                .any(|t| (t.effect == "NoSchedule" || t.effect == "NoExecute") && !tolerated_by_any(&state.tolerations, t));
            if untolerated {
                return Status::new(Code::UnschedulableAndUnresolvable, REASON_TAINT);
            }
            Status::success()
        }
        FilterPlugin::NodeAffinity => {
            if !state.required_affinity.matches_node(node) {
                return Status::new(Code::UnschedulableAndUnresolvable, REASON_NODE_AFFINITY);
            }
            Status::success()
        }
        FilterPlugin::NodePorts => {
            let conflict = state.host_ports.iter().any(|want| node.used_ports.iter().any(|used| used.conflicts(want)));
            if conflict {
                return Status::new(Code::Unschedulable, REASON_PORTS);
            }
            Status::success()
        }
        FilterPlugin::NodeResourcesFit => fits_request(&state.requests, node),
        FilterPlugin::PodTopologySpread => match &state.spread_filter {
            Some(s) => s.filter(state, node),
            None => Status::success(),
        },
    }
}

/// noderesources.fitsRequest: every insufficient resource is a reason;
/// asking for more than the node has at all cannot be fixed by preemption.
pub fn fits_request(req: &Resources, node: &NodeInfo) -> Status {
    let mut reasons = vec![];
    let mut code = Code::Unschedulable;
    let alloc = &node.allocatable;
    let used = &node.requested;
    if node.pods.len() as i64 + 1 > alloc.allowed_pods {
        reasons.push("Too many pods".to_string());
    }
    if req.is_zero() {
        return if reasons.is_empty() { Status::success() } else { Status { code, reasons } };
    }
    let mut check = |name: &str, want: i64, have: i64, in_use: i64| {
        if want > 0 && want > have - in_use {
            reasons.push(format!("Insufficient {name}"));
            if want > have {
                code = Code::UnschedulableAndUnresolvable;
            }
        }
    };
    check("cpu", req.milli_cpu, alloc.milli_cpu, used.milli_cpu);
    check("memory", req.memory, alloc.memory, used.memory);
    check("ephemeral-storage", req.ephemeral_storage, alloc.ephemeral_storage, used.ephemeral_storage);
    for (name, want) in &req.scalar {
        let have = alloc.scalar.get(name).copied().unwrap_or(0);
        let in_use = used.scalar.get(name).copied().unwrap_or(0);
        check(name, *want, have, in_use);
    }
    if reasons.is_empty() { Status::success() } else { Status { code, reasons } }
}

// ---- Score ------------------------------------------------------------

/// Per-cycle PreScore results the Score functions share.
pub struct ScoreState {
    /// Tolerations that can tolerate PreferNoSchedule taints.
    prefer_no_schedule_tolerations: Vec<Toleration>,
    /// Soft spreading constraints (explicit ScheduleAnyway ones, or the
    /// system defaults) and their state; None = PreScore Skip.
    spread: Option<SpreadScoreState>,
    /// ImageLocality: per image of `PodState::images`, the share of nodes that have it.
    image_spread: Vec<f64>,
    pub skip: BTreeMap<ScorePlugin, bool>,
}

struct SpreadScoreState {
    constraints: Vec<SpreadConstraint>,
    /// Per constraint (non-hostname keys): topology value → matching pods.
    counts: Vec<DomainCounts>,
    /// Per constraint with the hostname key: the matching pods on each
    /// node, by the node's index in the cycle's node list (-1: not counted).
    node_counts: Vec<Vec<i64>>,
    weights: Vec<f64>,
    ignored: Vec<std::sync::Arc<str>>,
}

/// Matching pods per node for each distinct selector among a cycle's
/// constraints, each node counted at most once: the system defaults'
/// hostname and zone constraints share one selector, and the same nodes
/// are asked about in PreScore and again in Score.
struct MatchCounts {
    /// Constraint → index of the first constraint with an equal selector.
    slot: Vec<usize>,
    /// [slot][node index] → count, or -1 when not counted yet.
    counts: Vec<Vec<i64>>,
}

impl MatchCounts {
    fn new(constraints: &[SpreadConstraint], nodes: usize) -> MatchCounts {
        let slot: Vec<usize> = (0..constraints.len()).map(|i| (0..i).find(|&j| constraints[j].selector == constraints[i].selector).unwrap_or(i)).collect();
        let counts = slot.iter().enumerate().map(|(i, &s)| if s == i { vec![-1; nodes] } else { Vec::new() }).collect();
        MatchCounts { slot, counts }
    }
    fn get(&mut self, constraint: usize, c: &SpreadConstraint, namespace: &str, index: usize, node: &NodeInfo) -> i64 {
        let row = &mut self.counts[self.slot[constraint]];
        match row.get(index).copied() {
            Some(n) if n >= 0 => n,
            _ => {
                let n = node.count_matching(&c.selector, namespace);
                if let Some(cell) = row.get_mut(index) {
                    *cell = n;
                }
                n
            }
        }
    }
}

/// The system default constraints (podtopologyspread/plugin.go
/// systemDefaultConstraints).
fn system_default_constraints(selector: Selector) -> Vec<SpreadConstraint> {
    [(LABEL_HOSTNAME, 3), (LABEL_TOPOLOGY_ZONE, 5)]
        .into_iter()
        .map(|(key, skew)| SpreadConstraint {
            max_skew: skew,
            topology_key: key.to_string(),
            selector: selector.clone(),
            min_domains: 1,
            honor_node_affinity: true,
            honor_node_taints: false,
        })
        .collect()
}

impl ScoreState {
    /// `nodes`: the cycle's nodes in NodeTree order (None: not in the
    /// cache); `feasible`: indices into it of the nodes that passed Filter.
    pub fn new(state: &PodState, cache: &Cache, workloads: &Workloads, feasible: &[usize], nodes: &[Option<&NodeInfo>]) -> ScoreState {
        let prefer_no_schedule_tolerations =
            state.tolerations.iter().filter(|t| matches!(t.effect.as_deref(), None | Some("") | Some("PreferNoSchedule"))).cloned().collect();
        let mut skip = BTreeMap::new();
        // NodeAffinity PreScore: Skip without preferred terms.
        skip.insert(ScorePlugin::NodeAffinity, state.preferred_terms.is_empty());
        // BalancedAllocation PreScore: Skip for best-effort pods (1.33+).
        skip.insert(ScorePlugin::NodeResourcesBalancedAllocation, state.requests.milli_cpu == 0 && state.requests.memory == 0);
        let spread = Self::spread_state(state, workloads, feasible, nodes);
        // ImageLocality's spread factor per image (how many of the nodes
        // have it), the same for every node of the cycle.
        let total_nodes = state.total_nodes.max(1) as f64;
        let image_spread = state.images.iter().map(|image| cache.image_node_counts.get(image).copied().unwrap_or(0) as f64 / total_nodes).collect();
        skip.insert(ScorePlugin::PodTopologySpread, spread.is_none());
        ScoreState { prefer_no_schedule_tolerations, spread, image_spread, skip }
    }

    /// podtopologyspread scoring.go initPreScoreState and PreScore.
    fn spread_state(state: &PodState, workloads: &Workloads, feasible: &[usize], nodes: &[Option<&NodeInfo>]) -> Option<SpreadScoreState> {
        let explicit = state.pod.spec.as_ref().and_then(|s| s.topology_spread_constraints.as_ref()).is_some_and(|c| !c.is_empty());
        let constraints = if explicit {
            constraints_of(state.pod, "ScheduleAnyway")
        } else {
            let selector = workloads.default_selector(state.pod);
            if selector.requirements.is_empty() {
                return None;
            }
            system_default_constraints(selector)
        };
        if constraints.is_empty() || feasible.is_empty() {
            return None;
        }
        let namespace = state.key.namespace.as_str();
        // System defaults don't require nodes to carry every key, so nodes
        // without a zone label still get hostname spreading.
        let require_all = explicit;
        let has_all = |n: &NodeInfo| constraints.iter().all(|c| n.topology_value(&c.topology_key).is_some());
        let mut matching = MatchCounts::new(&constraints, nodes.len());
        let mut counts = vec![DomainCounts::default(); constraints.len()];
        let mut ignored = vec![];
        let mut topo_size = vec![0usize; constraints.len()];
        for &index in feasible {
            let Some(n) = nodes.get(index).copied().flatten() else { continue };
            if require_all && !has_all(n) {
                ignored.push(n.name.clone());
                continue;
            }
            for (i, c) in constraints.iter().enumerate() {
                if c.topology_key == LABEL_HOSTNAME {
                    // Score counts these per node; count them now, once.
                    if n.topology_value(LABEL_HOSTNAME).is_some() {
                        matching.get(i, c, namespace, index, n);
                    }
                    continue;
                }
                let value = n.topology_value(&c.topology_key).unwrap_or("");
                if !counts[i].contains(value) {
                    counts[i].add(value, 0);
                    topo_size[i] += 1;
                }
            }
        }
        let weights = constraints
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let size = if c.topology_key == LABEL_HOSTNAME { feasible.len() - ignored.len() } else { topo_size[i] };
                ((size + 2) as f64).ln()
            })
            .collect();
        for (index, node) in nodes.iter().enumerate() {
            let Some(node) = node else { continue };
            if node.node.is_none() || (require_all && !has_all(node)) {
                continue;
            }
            for (i, c) in constraints.iter().enumerate() {
                if c.topology_key == LABEL_HOSTNAME || !node_included(c, state, node) {
                    continue;
                }
                let value = node.topology_value(&c.topology_key).unwrap_or("");
                if counts[i].contains(value) {
                    let n = matching.get(i, c, namespace, index, node);
                    if let Some(slot) = counts[i].get_mut(value) {
                        *slot += n;
                    }
                }
            }
        }
        let node_counts = constraints
            .iter()
            .enumerate()
            .map(|(i, c)| if c.topology_key == LABEL_HOSTNAME { matching.counts[matching.slot[i]].clone() } else { Vec::new() })
            .collect();
        Some(SpreadScoreState { constraints, counts, node_counts, weights, ignored })
    }

    pub fn skipped(&self, p: ScorePlugin) -> bool {
        self.skip.get(&p).copied().unwrap_or(false)
    }

    /// A plugin's raw Score for one node.
    /// `index`: the node's index in the cycle's node list.
    pub fn score(&self, plugin: ScorePlugin, state: &PodState, index: usize, node: &NodeInfo) -> i64 {
        match plugin {
            ScorePlugin::TaintToleration => node_taints(node)
                .iter()
                .filter(|t| t.effect == "PreferNoSchedule" && !tolerated_by_any(&self.prefer_no_schedule_tolerations, t))
                .count() as i64,
            ScorePlugin::NodeAffinity => {
                state.preferred_terms.iter().filter(|(_, t)| t.matches(&node.name, node.labels())).map(|(w, _)| *w).sum()
            }
            ScorePlugin::NodeResourcesFit => least_allocated(state, node),
            ScorePlugin::NodeResourcesBalancedAllocation => balanced_allocation(state, node),
            ScorePlugin::ImageLocality => image_locality(state, &self.image_spread, node),
            ScorePlugin::PodTopologySpread => {
                let Some(s) = &self.spread else { return 0 };
                if s.ignored.contains(&node.name) {
                    return 0;
                }
                let mut score = 0.0f64;
                for (i, c) in s.constraints.iter().enumerate() {
                    let Some(value) = node.topology_value(&c.topology_key) else { continue };
                    let count = if c.topology_key == LABEL_HOSTNAME {
                        match s.node_counts[i].get(index).copied() {
                            Some(n) if n >= 0 => n,
                            _ => node.count_matching(&c.selector, &state.key.namespace),
                        }
                    } else {
                        s.counts[i].get(value).unwrap_or(0)
                    };
                    score += count as f64 * s.weights[i] + (c.max_skew - 1) as f64;
                }
                score.round() as i64
            }
        }
    }

    /// The plugin's NormalizeScore over all scored nodes (in place).
    pub fn normalize(&self, plugin: ScorePlugin, names: &[std::sync::Arc<str>], scores: &mut [i64]) {
        match plugin {
            ScorePlugin::TaintToleration => default_normalize(scores, true),
            ScorePlugin::NodeAffinity => default_normalize(scores, false),
            ScorePlugin::PodTopologySpread => {
                let Some(s) = &self.spread else { return };
                let ignored: Vec<bool> = names.iter().map(|n| s.ignored.contains(n)).collect();
                let mut min = i64::MAX;
                let mut max = 0;
                for (i, v) in scores.iter().enumerate() {
                    if ignored[i] {
                        continue;
                    }
                    min = min.min(*v);
                    max = max.max(*v);
                }
                for (i, v) in scores.iter_mut().enumerate() {
                    *v = if ignored[i] {
                        0
                    } else if max == 0 {
                        MAX_NODE_SCORE
                    } else {
                        MAX_NODE_SCORE * (max + min - *v) / max
                    };
                }
            }
            _ => {}
        }
    }
}

/// helper.DefaultNormalizeScore.
fn default_normalize(scores: &mut [i64], reverse: bool) {
    let max = scores.iter().copied().max().unwrap_or(0).max(0);
    if max == 0 {
        if reverse {
            scores.iter_mut().for_each(|s| *s = MAX_NODE_SCORE);
        }
        return;
    }
    for s in scores.iter_mut() {
        let v = MAX_NODE_SCORE * *s / max;
        *s = if reverse { MAX_NODE_SCORE - v } else { v };
    }
}

/// noderesources least_allocated.go, CPU and memory with weight 1 each,
/// on non-zero requests (pods without requests count 100m / 200Mi).
fn least_allocated(state: &PodState, node: &NodeInfo) -> i64 {
    let pairs = [
        (node.non_zero_requested.milli_cpu + state.non_zero_requests.milli_cpu, node.allocatable.milli_cpu),
        (node.non_zero_requested.memory + state.non_zero_requests.memory, node.allocatable.memory),
    ];
    let (mut score, mut weights) = (0i64, 0i64);
    for (requested, capacity) in pairs {
        if capacity == 0 {
            continue;
        }
        let s = if requested > capacity { 0 } else { (capacity - requested) * MAX_NODE_SCORE / capacity };
        score += s;
        weights += 1;
    }
    if weights == 0 { 0 } else { score / weights }
}

/// noderesources balanced_allocation.go on actual requests.
fn balanced_allocation(state: &PodState, node: &NodeInfo) -> i64 {
    let pairs = [
        (node.requested.milli_cpu + state.requests.milli_cpu, node.allocatable.milli_cpu),
        (node.requested.memory + state.requests.memory, node.allocatable.memory),
    ];
    let fractions: Vec<f64> = pairs.iter().filter(|(_, c)| *c != 0).map(|(r, c)| (*r as f64 / *c as f64).min(1.0)).collect();
    let std = if fractions.len() == 2 { ((fractions[0] - fractions[1]) / 2.0).abs() } else { 0.0 };
    ((1.0 - std) * MAX_NODE_SCORE as f64) as i64
}

const IMAGE_MIN_THRESHOLD: i64 = 23 * 1024 * 1024;
const IMAGE_MAX_CONTAINER_THRESHOLD: i64 = 1000 * 1024 * 1024;

/// imagelocality: image sizes on the node scaled by how many nodes have them.
fn image_locality(state: &PodState, image_spread: &[f64], node: &NodeInfo) -> i64 {
    let mut sum: i64 = 0;
    for (image, spread) in state.images.iter().zip(image_spread) {
        if let Some(size) = node.images.get(image) {
            sum += (*size as f64 * spread) as i64;
        }
    }
    let max_threshold = IMAGE_MAX_CONTAINER_THRESHOLD * state.num_containers as i64;
    if max_threshold <= IMAGE_MIN_THRESHOLD {
        return 0;
    }
    let sum = sum.clamp(IMAGE_MIN_THRESHOLD, max_threshold);
    MAX_NODE_SCORE * (sum - IMAGE_MIN_THRESHOLD) / (max_threshold - IMAGE_MIN_THRESHOLD)
}

/// For preemption's dry run: would the pod pass every filter on this node
/// if all pods of lower priority were gone? (SelectVictimsOnNode.)
pub fn victims_dry_run(state: &PodState, cache: &Cache, node: &NodeInfo) -> Result<(), Status> {
    let victims: Vec<&PodKey> = node.pods.iter().filter(|k| cache.pods.get(*k).is_some_and(|p| p.priority < state.priority)).collect();
    if victims.is_empty() {
        return Err(Status::new(Code::UnschedulableAndUnresolvable, "No preemption victims found for incoming pod"));
    }
    let mut trimmed = node.clone();
    for k in victims {
        if let Some(p) = cache.pods.get(k) {
            trimmed.remove_pod(k, p);
        }
    }
    for plugin in FilterPlugin::ALL {
        let s = run_filter(plugin, state, &trimmed);
        if !s.is_success() {
            return Err(s);
        }
    }
    Ok(())
}
