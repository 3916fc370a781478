//! The scheduler's cache (pkg/scheduler/backend/cache): one `NodeInfo` per
//! node with the sums of what its pods request, the host ports they use and
//! the images the node has, kept up to date from watch events so a
//! scheduling cycle never walks the whole cluster. Pods bound by this
//! scheduler are added ("assumed") as soon as the bind succeeds, before the
//! watch event confirms them.

use crate::resources::{self, Resources};
use apimachinery::k8s_openapi::api::core::v1::{Node, Pod, Taint};
use apimachinery::selector::Selector;
use apimachinery::{Object, meta};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// kubernetes.io/hostname, the default spreading's per-node key.
pub const LABEL_HOSTNAME: &str = "kubernetes.io/hostname";
/// topology.kubernetes.io/zone, the default spreading's per-zone key.
pub const LABEL_TOPOLOGY_ZONE: &str = "topology.kubernetes.io/zone";

/// namespace/name of a pod.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PodKey {
    pub namespace: String,
    pub name: String,
}

impl PodKey {
    pub fn new(namespace: &str, name: &str) -> PodKey {
        PodKey { namespace: namespace.to_string(), name: name.to_string() }
    }
    pub fn of(o: &Object) -> PodKey {
        PodKey::new(o.namespace(), o.name())
    }
}

impl std::fmt::Display for PodKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)
    }
}

pub fn as_pod(o: &Object) -> Option<&Pod> {
    match o {
        Object::Pod(p) => Some(p),
        _ => None,
    }
}

pub fn as_node(o: &Object) -> Option<&Node> {
    match o {
        Object::Node(n) => Some(n),
        _ => None,
    }
}

/// One host port a pod claims (framework.HostPortInfo): protocol, IP, port.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct HostPort {
    pub protocol: String,
    pub ip: String,
    pub port: i32,
}

impl HostPort {
    /// HostPortInfo.CheckConflict: the wildcard address conflicts with every
    /// address on the same protocol and port.
    pub fn conflicts(&self, other: &HostPort) -> bool {
        self.port == other.port
            && self.protocol == other.protocol
            && (self.ip == other.ip || self.ip == "0.0.0.0" || other.ip == "0.0.0.0")
    }
}

/// nodeports.getContainerPorts: host ports of app containers and sidecars.
pub fn pod_host_ports(pod: &Pod) -> Vec<HostPort> {
    let Some(spec) = pod.spec.as_ref() else { return vec![] };
    let sidecars = spec.init_containers.iter().flatten().filter(|c| c.restart_policy.as_deref() == Some("Always"));
    spec.containers
        .iter()
        .chain(sidecars)
        .flat_map(|c| c.ports.iter().flatten())
        .filter(|p| p.host_port.unwrap_or(0) > 0)
        .map(|p| HostPort {
            protocol: p.protocol.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| "TCP".into()),
            ip: p.host_ip.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| "0.0.0.0".into()),
            port: p.host_port.unwrap_or(0),
        })
        .collect()
}

pub fn pod_priority(pod: &Pod) -> i32 {
    pod.spec.as_ref().and_then(|s| s.priority).unwrap_or(0)
}

/// A pod that occupies a node.
#[derive(Clone, Debug)]
pub struct PodInfo {
    pub pod: Arc<Object>,
    pub node: Arc<str>,
    pub requests: Resources,
    pub non_zero_requests: Resources,
    pub host_ports: Vec<HostPort>,
    pub priority: i32,
    pub terminating: bool,
}

impl PodInfo {
    pub fn new(pod_obj: Arc<Object>, node: Arc<str>) -> PodInfo {
        let empty = Pod::default();
        let pod = as_pod(&pod_obj).unwrap_or(&empty);
        PodInfo {
            node,
            requests: resources::pod_requests(pod, false),
            non_zero_requests: resources::pod_requests(pod, true),
            host_ports: pod_host_ports(pod),
            priority: pod_priority(pod),
            terminating: pod.metadata.deletion_timestamp.is_some(),
            pod: pod_obj.clone(),
        }
    }
    pub fn labels(&self) -> &BTreeMap<String, String> {
        meta::labels(self.pod.meta())
    }
    /// Whether the node's sums, ports and label groups would count `other`
    /// exactly as they count this pod.
    fn same_footprint(&self, other: &PodInfo) -> bool {
        self.requests == other.requests
            && self.non_zero_requests == other.non_zero_requests
            && self.host_ports == other.host_ports
            && self.priority == other.priority
            && self.terminating == other.terminating
            && self.labels() == other.labels()
    }
}

/// Everything the filters and scores need to know about one node.
#[derive(Clone, Debug)]
pub struct NodeInfo {
    pub name: Arc<str>,
    /// None while pods are known to be bound to a node the cache has not seen.
    pub node: Option<Arc<Object>>,
    pub allocatable: Resources,
    pub requested: Resources,
    pub non_zero_requested: Resources,
    pub pods: BTreeSet<PodKey>,
    pub used_ports: Vec<HostPort>,
    /// Image name (as node.status.images lists it) → size in bytes.
    pub images: BTreeMap<String, i64>,
    /// The node's non-terminating pods grouped by namespace, then by their
    /// exact label set: namespace → labels → how many pods carry them.
    /// PodTopologySpread counts the pods a selector matches on every node
    /// in every cycle (podtopologyspread/common.go countPodsMatchSelector
    /// walks NodeInfo.Pods); pods of one workload share their labels, so
    /// evaluating the selector once per distinct label set makes a node's
    /// count cost its number of groups instead of its number of pods.
    pub pod_label_groups: BTreeMap<String, BTreeMap<BTreeMap<String, String>, u32>>,
    /// spec.taints and spec.unschedulable, and the values of the two
    /// topology labels the default spreading constraints use, copied out of
    /// the node object when it changes: every cycle reads them for every
    /// node, and reading them here avoids chasing into the object and
    /// searching its label map each time.
    pub taints: Vec<Taint>,
    pub unschedulable: bool,
    hostname_label: Option<String>,
    zone_label: Option<String>,
}

impl NodeInfo {
    fn empty(name: Arc<str>) -> NodeInfo {
        NodeInfo {
            name,
            node: None,
            allocatable: Resources::default(),
            requested: Resources::default(),
            non_zero_requested: Resources::default(),
            pods: BTreeSet::new(),
            used_ports: vec![],
            images: BTreeMap::new(),
            pod_label_groups: BTreeMap::new(),
            taints: vec![],
            unschedulable: false,
            hostname_label: None,
            zone_label: None,
        }
    }
    pub fn node(&self) -> Option<&Node> {
        self.node.as_deref().and_then(as_node)
    }
    pub fn labels(&self) -> &BTreeMap<String, String> {
        static EMPTY: BTreeMap<String, String> = BTreeMap::new();
        self.node.as_ref().map(|n| meta::labels(n.meta())).unwrap_or(&EMPTY)
    }
    /// The value of the node label `key` (a topology key), the well-known
    /// ones without a map search.
    pub fn topology_value(&self, key: &str) -> Option<&str> {
        match key {
            LABEL_HOSTNAME => self.hostname_label.as_deref(),
            LABEL_TOPOLOGY_ZONE => self.zone_label.as_deref(),
            _ => self.labels().get(key).map(String::as_str),
        }
    }
    /// Copies what `taints`, `unschedulable` and `topology_value` serve out of the node object.
    fn set_node(&mut self, obj: Arc<Object>) -> Option<Arc<Object>> {
        let node = as_node(&obj);
        let spec = node.and_then(|n| n.spec.as_ref());
        self.taints = spec.and_then(|s| s.taints.clone()).unwrap_or_default();
        self.unschedulable = spec.and_then(|s| s.unschedulable).unwrap_or(false);
        let labels = node.map(|n| meta::labels(&n.metadata));
        self.hostname_label = labels.and_then(|l| l.get(LABEL_HOSTNAME)).cloned();
        self.zone_label = labels.and_then(|l| l.get(LABEL_TOPOLOGY_ZONE)).cloned();
        self.node.replace(obj)
    }
    fn clear_node(&mut self) -> Option<Arc<Object>> {
        self.taints = vec![];
        self.unschedulable = false;
        self.hostname_label = None;
        self.zone_label = None;
        self.node.take()
    }
    fn add_pod(&mut self, key: &PodKey, p: &PodInfo) {
        if self.pods.insert(key.clone()) {
            self.requested.add(&p.requests);
            self.non_zero_requested.add(&p.non_zero_requests);
            self.used_ports.extend(p.host_ports.iter().cloned());
            if !p.terminating {
                let groups = self.pod_label_groups.entry(key.namespace.clone()).or_default();
                match groups.get_mut(p.labels()) {
                    Some(n) => *n += 1,
                    None => {
                        groups.insert(p.labels().clone(), 1);
                    }
                }
            }
        }
    }
    /// Takes a pod off the node (also used on a copy for preemption's dry run).
    pub fn remove_pod(&mut self, key: &PodKey, p: &PodInfo) {
        if self.pods.remove(key) {
            self.requested.sub(&p.requests);
            self.non_zero_requested.sub(&p.non_zero_requests);
            for hp in &p.host_ports {
                if let Some(i) = self.used_ports.iter().position(|u| u == hp) {
                    self.used_ports.swap_remove(i);
                }
            }
            if !p.terminating {
                let Some(groups) = self.pod_label_groups.get_mut(key.namespace.as_str()) else {
                    debug_assert!(false, "pod {key} missing from its node's label groups");
                    return;
                };
                if let Some(n) = groups.get_mut(p.labels()) {
                    *n -= 1;
                    if *n == 0 {
                        groups.remove(p.labels());
                    }
                }
                if groups.is_empty() {
                    self.pod_label_groups.remove(key.namespace.as_str());
                }
            }
        }
    }

    /// podtopologyspread countPodsMatchSelector: this node's pods in
    /// `namespace` that `selector` matches, not counting terminating ones.
    /// An empty or nothing-selector counts nothing.
    pub fn count_matching(&self, selector: &Selector, namespace: &str) -> i64 {
        if selector.nothing || selector.requirements.is_empty() {
            return 0;
        }
        let Some(groups) = self.pod_label_groups.get(namespace) else { return 0 };
        groups.iter().filter(|(labels, _)| selector.matches(labels)).map(|(_, n)| i64::from(*n)).sum()
    }
}

/// utilnode.GetZoneKey: region and zone, or "" when the node has neither.
fn zone_key(node: &Node) -> String {
    let labels = meta::labels(&node.metadata);
    let region = labels.get("topology.kubernetes.io/region").map(String::as_str).unwrap_or("");
    let zone = labels.get("topology.kubernetes.io/zone").map(String::as_str).unwrap_or("");
    if region.is_empty() && zone.is_empty() {
        return String::new();
    }
    format!("{region}:\u{0}:{zone}")
}

pub struct Cache {
    pub nodes: BTreeMap<Arc<str>, NodeInfo>,
    pub pods: BTreeMap<PodKey, PodInfo>,
    /// The NodeTree: nodes grouped by zone in the order they were added.
    zones: Vec<(String, Vec<Arc<str>>)>,
    /// Node names in NodeTree order (zones interleaved round-robin).
    order: Arc<[Arc<str>]>,
    order_dirty: bool,
    /// For ImageLocality's spread factor: on how many nodes each image is.
    pub image_node_counts: BTreeMap<String, usize>,
}

impl Default for Cache {
    fn default() -> Cache {
        Cache {
            nodes: BTreeMap::new(),
            pods: BTreeMap::new(),
            zones: vec![],
            order: Arc::from(Vec::new()),
            order_dirty: false,
            image_node_counts: BTreeMap::new(),
        }
    }
}

impl Cache {
    fn tree_remove(&mut self, name: &str) {
        for (_, names) in self.zones.iter_mut() {
            names.retain(|n| &**n != name);
        }
        self.zones.retain(|(_, names)| !names.is_empty());
        self.order_dirty = true;
    }
    fn tree_add(&mut self, zone: String, name: Arc<str>) {
        match self.zones.iter_mut().find(|(z, _)| *z == zone) {
            Some((_, names)) => names.push(name),
            None => self.zones.push((zone, vec![name])),
        }
        self.order_dirty = true;
    }

    /// Rebuilds the NodeTree order if nodes came or went.
    pub fn refresh_order(&mut self) {
        if !self.order_dirty {
            return;
        }
        let mut out = Vec::with_capacity(self.nodes.len());
        let longest = self.zones.iter().map(|(_, n)| n.len()).max().unwrap_or(0);
        for i in 0..longest {
            for (_, names) in &self.zones {
                if let Some(n) = names.get(i) {
                    out.push(n.clone());
                }
            }
        }
        self.order = out.into();
        self.order_dirty = false;
    }

    /// Nodes in the order a scheduling cycle walks them (NodeTree.list:
    /// zones interleaved). Call `refresh_order` first.
    pub fn order(&self) -> Arc<[Arc<str>]> {
        self.order.clone()
    }

    fn intern(&self, name: &str) -> Arc<str> {
        self.nodes.get_key_value(name).map(|(k, _)| k.clone()).unwrap_or_else(|| Arc::from(name))
    }

    pub fn node_count(&self) -> usize {
        self.nodes.values().filter(|n| n.node.is_some()).count()
    }

    /// Adds or replaces a node. Returns the previous object, if any.
    pub fn upsert_node(&mut self, obj: Arc<Object>) -> Option<Arc<Object>> {
        let node = as_node(&obj)?;
        let name = self.intern(node.metadata.name.as_deref().unwrap_or(""));
        let zone = zone_key(node);
        let mut images = BTreeMap::new();
        for img in node.status.as_ref().and_then(|s| s.images.as_ref()).into_iter().flatten() {
            for n in img.names.iter().flatten() {
                images.insert(n.clone(), img.size_bytes.unwrap_or(0));
            }
        }
        let allocatable = resources::node_allocatable(node);
        let info = self.nodes.entry(name.clone()).or_insert_with(|| NodeInfo::empty(name.clone()));
        let old = info.set_node(obj.clone());
        info.allocatable = allocatable;
        let old_images = std::mem::replace(&mut info.images, images);
        let new_images: Vec<String> = info.images.keys().cloned().collect();
        for n in old_images.keys() {
            if let Some(c) = self.image_node_counts.get_mut(n) {
                *c -= 1;
                if *c == 0 {
                    self.image_node_counts.remove(n);
                }
            }
        }
        for n in new_images {
            *self.image_node_counts.entry(n).or_insert(0) += 1;
        }
        let old_zone = old.as_deref().and_then(as_node).map(zone_key);
        if old_zone.as_ref() != Some(&zone) {
            self.tree_remove(&name);
            self.tree_add(zone, name);
        }
        old
    }

    pub fn remove_node(&mut self, name: &str) -> Option<Arc<Object>> {
        let info = self.nodes.get_mut(name)?;
        let old = info.clear_node();
        let images = std::mem::take(&mut info.images);
        let empty = info.pods.is_empty();
        for n in images.keys() {
            if let Some(c) = self.image_node_counts.get_mut(n) {
                *c -= 1;
                if *c == 0 {
                    self.image_node_counts.remove(n);
                }
            }
        }
        if empty {
            self.nodes.remove(name);
        }
        self.tree_remove(name);
        old
    }

    /// Adds or replaces a pod bound to `node_name`.
    pub fn upsert_pod(&mut self, key: PodKey, obj: Arc<Object>, node_name: &str) {
        self.remove_pod(&key);
        let name = self.intern(node_name);
        let info = PodInfo::new(obj, name.clone());
        let node = self.nodes.entry(name.clone()).or_insert_with(|| NodeInfo::empty(name));
        node.add_pod(&key, &info);
        self.pods.insert(key, info);
    }

    pub fn remove_pod(&mut self, key: &PodKey) -> Option<PodInfo> {
        let info = self.pods.remove(key)?;
        if let Some(node) = self.nodes.get_mut(&*info.node) {
            node.remove_pod(key, &info);
            if node.node.is_none() && node.pods.is_empty() {
                self.nodes.remove(&*info.node);
            }
        }
        Some(info)
    }

    /// Recomputes every node's pod set, sums, ports and label groups from
    /// the pods and compares them with the incrementally kept ones (for
    /// tests and debugging; the scheduler never needs it).
    pub fn check_invariants(&self) -> Result<(), String> {
        for (name, node) in &self.nodes {
            let mut expected = NodeInfo::empty(name.clone());
            for (key, pod) in self.pods.iter().filter(|(_, p)| p.node == *name) {
                expected.add_pod(key, pod);
            }
            if expected.pods != node.pods {
                return Err(format!("node {name}: pods {:?}, expected {:?}", node.pods, expected.pods));
            }
            if expected.requested != node.requested || expected.non_zero_requested != node.non_zero_requested {
                return Err(format!("node {name}: requested {:?}, expected {:?}", node.requested, expected.requested));
            }
            let mut used = node.used_ports.clone();
            let mut want = expected.used_ports.clone();
            apimachinery::sort::sort(&mut used);
            apimachinery::sort::sort(&mut want);
            if used != want {
                return Err(format!("node {name}: ports {used:?}, expected {want:?}"));
            }
            if expected.pod_label_groups != node.pod_label_groups {
                return Err(format!("node {name}: label groups {:?}, expected {:?}", node.pod_label_groups, expected.pod_label_groups));
            }
        }
        if let Some((key, pod)) = self.pods.iter().find(|(_, p)| !self.nodes.contains_key(&p.node)) {
            return Err(format!("pod {key} on unknown node {}", pod.node));
        }
        Ok(())
    }

    pub fn pod_revision(&self, key: &PodKey) -> Option<u64> {
        self.pods.get(key).map(|p| meta::revision(p.pod.meta()))
    }

    /// A newer version of a pod the cache already has on `node_name` that
    /// changes nothing the node counts (the kubelet's status updates, most
    /// pod events): the object is swapped in place, sparing the node's pod
    /// set, sums and label groups. False when `upsert_pod` is needed.
    pub fn refresh_pod(&mut self, key: &PodKey, obj: &Arc<Object>, node_name: &str) -> bool {
        let Some(info) = self.pods.get_mut(key) else { return false };
        if &*info.node != node_name {
            return false;
        }
        let fresh = PodInfo::new(obj.clone(), info.node.clone());
        if !fresh.same_footprint(info) {
            return false;
        }
        *info = fresh;
        true
    }
}
