//! The Node object, its status and its Lease (pkg/kubelet/
//! kubelet_node_status.go, pkg/kubelet/nodestatus/setters.go,
//! pkg/kubelet/nodelease and component-helpers/apimachinery/lease).

use crate::{Kubelet, NODE_LEASE_DURATION_SECONDS, NODE_LEASE_RENEW_INTERVAL, NODE_STATUS_REPORT_FREQUENCY, NODE_STATUS_UPDATE_FREQUENCY};
use apimachinery::k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use apimachinery::k8s_openapi::api::core::v1::{
    ContainerImage, DaemonEndpoint, Node, NodeAddress, NodeCondition, NodeDaemonEndpoints, NodeFeatures, NodeRuntimeHandler, NodeRuntimeHandlerFeatures,
    NodeSpec, NodeStatus, NodeSystemInfo,
};
use apimachinery::k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use apimachinery::k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta, OwnerReference, Time};
use apimachinery::{Kind, Object, SignedDuration, Timestamp, quantity};
use apiserver::events::{NORMAL, Reporter};
use apiserver::{ApiServer, WriteOptions};
use std::collections::BTreeMap;

pub const NODE_LEASE_NAMESPACE: &str = "kube-node-lease";
const MEMORY_EVICTION_HARD_BYTES: i128 = 100 * 1024 * 1024;
const NODEFS_EVICTION_HARD_PERCENT: i128 = 10;

/// resource.Quantity's canonical BinarySI form: the largest binary suffix
/// that divides exactly, else plain bytes.
pub fn format_binary(bytes: i128) -> String {
    if bytes == 0 {
        return "0".into();
    }
    let suffixes = ["Ei", "Pi", "Ti", "Gi", "Mi", "Ki"];
    for (i, s) in suffixes.iter().enumerate() {
        let unit: i128 = 1 << (10 * (6 - i));
        if bytes % unit == 0 {
            return format!("{}{s}", bytes / unit);
        }
    }
    bytes.to_string()
}

fn micro(t: Timestamp) -> MicroTime {
    // MicroTime has microsecond precision.
    let us = t.as_microsecond();
    MicroTime(Timestamp::from_microsecond(us).unwrap_or(t))
}

impl Kubelet {
    fn node_event_ref(&self) -> Object {
        // The kubelet's node reference uses the node name as UID
        // (kubelet.go nodeRef); `kubectl describe node` looks up both UIDs.
        Object::Node(Node { metadata: ObjectMeta { name: Some(self.config.name.clone()), uid: Some(self.config.name.clone()), ..Default::default() }, ..Default::default() })
    }

    fn node_event(&self, api: &mut ApiServer, reason: &str, message: &str) {
        let r = self.node_event_ref();
        api.record_event(&r, None, NORMAL, reason, message, &Reporter::kubelet(&self.config.name));
    }

    fn capacity(&self) -> BTreeMap<String, Quantity> {
        let c = &self.config;
        BTreeMap::from([
            ("cpu".to_string(), Quantity(c.cpu.clone())),
            ("ephemeral-storage".to_string(), Quantity(c.ephemeral_storage.clone())),
            ("hugepages-1Gi".to_string(), Quantity("0".into())),
            ("hugepages-2Mi".to_string(), Quantity("0".into())),
            ("memory".to_string(), Quantity(c.memory.clone())),
            ("pods".to_string(), Quantity(c.pods.clone())),
        ])
    }

    /// Capacity minus kubeadm's default evictionHard (memory.available 100Mi,
    /// nodefs.available 10%); no kube/system reservations.
    fn allocatable(&self) -> BTreeMap<String, Quantity> {
        let mut a = self.capacity();
        if let Some(mem) = quantity::parse_value(&self.config.memory) {
            a.insert("memory".into(), Quantity(format_binary((mem - MEMORY_EVICTION_HARD_BYTES).max(0))));
        }
        if let Some(disk) = quantity::parse_value(&self.config.ephemeral_storage) {
            a.insert("ephemeral-storage".into(), Quantity(format_binary(disk - disk * NODEFS_EVICTION_HARD_PERCENT / 100)));
        }
        a
    }

    fn ready_condition(&self) -> (bool, &'static str, String) {
        if !self.network_ready {
            return (
                false,
                "KubeletNotReady",
                "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized".into(),
            );
        }
        (true, "KubeletReady", "kubelet is posting ready status".into())
    }

    /// The node status as the setters compute it; `old` keeps transition times.
    fn node_status(&self, old: Option<&NodeStatus>, now: Time, ready: (bool, &str, String)) -> NodeStatus {
        let old_conds = old.and_then(|s| s.conditions.clone()).unwrap_or_default();
        let cond = |type_: &str, status: &str, reason: &str, message: String| {
            let transition = match old_conds.iter().find(|c| c.type_ == type_) {
                Some(c) if c.status == status => c.last_transition_time.clone(),
                _ => Some(now.clone()),
            };
            NodeCondition {
                type_: type_.into(),
                status: status.into(),
                reason: Some(reason.into()),
                message: Some(message),
                last_heartbeat_time: Some(now.clone()),
                last_transition_time: transition,
            }
        };
        // Conditions other kubelet-independent agents own (Calico's
        // NetworkUnavailable) stay in front.
        let owned = ["MemoryPressure", "DiskPressure", "PIDPressure", "Ready"];
        let mut conditions: Vec<NodeCondition> = old_conds.iter().filter(|c| !owned.contains(&c.type_.as_str())).cloned().collect();
        conditions.push(cond("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available".into()));
        conditions.push(cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure".into()));
        conditions.push(cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available".into()));
        conditions.push(cond("Ready", if ready.0 { "True" } else { "False" }, ready.1, ready.2));
        let handler = |name: &str| NodeRuntimeHandler {
            name: Some(name.into()),
            features: Some(NodeRuntimeHandlerFeatures { recursive_read_only_mounts: Some(true), user_namespaces: Some(true) }),
        };
        NodeStatus {
            capacity: Some(self.capacity()),
            allocatable: Some(self.allocatable()),
            conditions: Some(conditions),
            addresses: Some(vec![
                NodeAddress { type_: "InternalIP".into(), address: self.config.internal_ip.clone() },
                NodeAddress { type_: "Hostname".into(), address: self.config.name.clone() },
            ]),
            daemon_endpoints: Some(NodeDaemonEndpoints { kubelet_endpoint: Some(DaemonEndpoint { port: 10250 }) }),
            node_info: Some(NodeSystemInfo {
                machine_id: self.node.machine_id.clone(),
                system_uuid: self.node.system_uuid.clone(),
                boot_id: self.node.boot_id.clone(),
                kernel_version: self.config.kernel_version.clone(),
                os_image: self.config.os_image.clone(),
                container_runtime_version: self.config.container_runtime_version.clone(),
                kubelet_version: apimachinery::KUBERNETES_VERSION.into(),
                // DisableNodeKubeProxyVersion: the kubelet no longer fills it.
                kube_proxy_version: String::new(),
                operating_system: "linux".into(),
                architecture: self.config.architecture.clone(),
                ..Default::default()
            }),
            images: Some(self.images.node_images().into_iter().map(|(names, size)| ContainerImage { names: Some(names), size_bytes: Some(size as i64) }).collect()),
            features: Some(NodeFeatures { supplemental_groups_policy: Some(true) }),
            runtime_handlers: Some(vec![handler(""), handler("runc")]),
            ..Default::default()
        }
    }

    fn node_labels(&self) -> BTreeMap<String, String> {
        let arch = self.config.architecture.clone();
        let mut labels = BTreeMap::from([
            ("beta.kubernetes.io/arch".to_string(), arch.clone()),
            ("beta.kubernetes.io/os".to_string(), "linux".to_string()),
            ("kubernetes.io/arch".to_string(), arch),
            ("kubernetes.io/hostname".to_string(), self.config.name.clone()),
            ("kubernetes.io/os".to_string(), "linux".to_string()),
        ]);
        labels.extend(self.config.labels.clone());
        labels
    }

    /// registerWithAPIServer: create the Node (or adopt an existing one),
    /// then the Lease; record the start-up events.
    pub(crate) fn register(&mut self, api: &mut ApiServer) -> bool {
        let now = api.now();
        let now_time = api.now_time();
        let first_start = self.node.registered_at.is_none();
        self.node_event(api, "Starting", "Starting kubelet.");
        let existing = api.get(Kind::Node, "", &self.config.name).ok();
        // The condition setters record an event when a condition becomes
        // False; a restarted kubelet whose conditions held records none.
        let held: Vec<String> = match existing.as_deref() {
            Some(Object::Node(n)) => n.status.iter().flat_map(|s| s.conditions.iter().flatten()).filter(|c| c.status == "False").map(|c| c.type_.clone()).collect(),
            _ => vec![],
        };
        let uid = match existing {
            Some(n) => n.meta().uid.clone().unwrap_or_default(),
            None => {
                // The first status: runtime not yet synced, so not Ready
                // (fastStatusUpdateOnce flips it within a couple of seconds).
                let not_ready = (false, "KubeletNotReady", "container runtime status check may not have completed yet".to_string());
                let node = Node {
                    metadata: ObjectMeta {
                        name: Some(self.config.name.clone()),
                        labels: Some(self.node_labels()),
                        annotations: Some(BTreeMap::from([
                            ("kubeadm.alpha.kubernetes.io/cri-socket".to_string(), "unix:///var/run/containerd/containerd.sock".to_string()),
                            ("volumes.kubernetes.io/controller-managed-attach-detach".to_string(), "true".to_string()),
                        ])),
                        ..Default::default()
                    },
                    spec: Some(NodeSpec {
                        pod_cidr: Some(self.config.pod_cidr.clone()).filter(|c| !c.is_empty()),
                        pod_cidrs: Some(vec![self.config.pod_cidr.clone()]).filter(|_| !self.config.pod_cidr.is_empty()),
                        taints: Some(self.config.taints.clone()).filter(|t| !t.is_empty()),
                        ..Default::default()
                    }),
                    status: Some(self.node_status(None, now_time.clone(), not_ready)),
                };
                match api.create(Object::Node(node), &WriteOptions::default()) {
                    Ok(created) => created.meta().uid.clone().unwrap_or_default(),
                    Err(_) => {
                        // Try again at the next status tick.
                        self.node.next_status_post = Some(now + NODE_STATUS_UPDATE_FREQUENCY);
                        return true;
                    }
                }
            }
        };
        for (reason, condition) in [("NodeHasSufficientMemory", "MemoryPressure"), ("NodeHasNoDiskPressure", "DiskPressure"), ("NodeHasSufficientPID", "PIDPressure")] {
            if !held.iter().any(|h| h == condition) {
                self.node_event(api, reason, &format!("Node {} status is now: {reason}", self.config.name));
            }
        }
        self.node_event(api, "NodeAllocatableEnforced", "Updated Node Allocatable limit across pods");
        self.node.registered = true;
        self.node.uid = uid;
        if first_start {
            self.node.registered_at = Some(now);
        }
        self.node.last_status_post = Some(now);
        self.node_status_dirty = true;
        let fast = SignedDuration::from_secs(1) + self.rand_millis(0, 1000);
        self.node.next_status_post = Some(now + fast);
        self.renew_lease(api);
        for s in self.statics.clone() {
            self.queue.add(s.key.clone());
        }
        true
    }

    /// Lists the pods bound here (the kubelet's pod informer's initial list).
    pub(crate) fn resync(&mut self, api: &mut ApiServer) {
        let fields = [apimachinery::selector::FieldRequirement { field: "spec.nodeName".into(), value: self.config.name.clone(), equals: true }];
        let listed = api.list(Kind::Pod, None, &apimachinery::selector::Selector::everything(), &fields);
        let mut keys: Vec<(String, String)> = match listed {
            Ok(l) => l.items.iter().map(|o| (o.namespace().to_string(), o.name().to_string())).collect(),
            Err(_) => api.store().list(Kind::Pod, None).filter(|o| crate::node_name_of(o) == Some(self.config.name.as_str())).map(|o| (o.namespace().to_string(), o.name().to_string())).collect(),
        };
        keys.extend(self.pods.keys().cloned());
        keys.extend(self.statics.iter().map(|s| s.key.clone()));
        apimachinery::sort::sort(&mut keys);
        keys.dedup();
        for k in keys {
            self.queue.add(k);
        }
    }

    fn renew_lease(&mut self, api: &mut ApiServer) {
        let now = api.now();
        let name = self.config.name.clone();
        match api.get(Kind::Lease, NODE_LEASE_NAMESPACE, &name) {
            Ok(existing) => {
                if let Object::Lease(mut lease) = (*existing).clone() {
                    let spec = lease.spec.get_or_insert_with(Default::default);
                    spec.renew_time = Some(micro(now));
                    spec.holder_identity = Some(name.clone());
                    spec.lease_duration_seconds = Some(NODE_LEASE_DURATION_SECONDS);
                    let _ = api.update(Object::Lease(lease), &WriteOptions::default());
                }
            }
            Err(_) => {
                let lease = Lease {
                    metadata: ObjectMeta {
                        name: Some(name.clone()),
                        namespace: Some(NODE_LEASE_NAMESPACE.into()),
                        owner_references: Some(vec![OwnerReference {
                            api_version: "v1".into(),
                            kind: "Node".into(),
                            name: name.clone(),
                            uid: self.node.uid.clone(),
                            ..Default::default()
                        }])
                        .filter(|_| !self.node.uid.is_empty()),
                        ..Default::default()
                    },
                    spec: Some(LeaseSpec {
                        holder_identity: Some(name),
                        lease_duration_seconds: Some(NODE_LEASE_DURATION_SECONDS),
                        renew_time: Some(micro(now)),
                        ..Default::default()
                    }),
                };
                let _ = api.create(Object::Lease(lease), &WriteOptions::default());
            }
        }
        // wait.JitterUntil(renewInterval, 0.04).
        let next = self.jitter(NODE_LEASE_RENEW_INTERVAL, 0.04);
        self.node.next_lease_renew = Some(now + next);
    }

    /// Lease renewal and node status, when due. Returns true if it wrote.
    pub(crate) fn heartbeat(&mut self, api: &mut ApiServer) -> bool {
        if !self.node.registered {
            return false;
        }
        let now = api.now();
        let mut did = false;
        if self.node.next_lease_renew.is_none_or(|t| t <= now) {
            self.renew_lease(api);
            did = true;
        }
        if self.node_status_dirty && self.node.next_status_post.is_none() {
            self.node.next_status_post = Some(self.next_status_tick(now));
        }
        if self.node.next_status_post.is_some_and(|t| t <= now) {
            did |= self.post_node_status(api);
        }
        did
    }

    /// The next nodeStatusUpdateFrequency tick strictly after `now`.
    fn next_status_tick(&self, now: Timestamp) -> Timestamp {
        let base = self.node.registered_at.unwrap_or(now);
        let period = NODE_STATUS_UPDATE_FREQUENCY.as_millis();
        let since = now.duration_since(base).as_millis().max(0);
        base + SignedDuration::from_millis(((since / period + 1) * period) as i64)
    }

    /// tryUpdateNodeStatus: post if anything but heartbeat times changed, or
    /// if nodeStatusReportFrequency has passed since the last post.
    fn post_node_status(&mut self, api: &mut ApiServer) -> bool {
        let now = api.now();
        let now_time = api.now_time();
        let Ok(current) = api.get(Kind::Node, "", &self.config.name) else {
            // The Node is gone; a kubelet keeps failing until restarted.
            self.node.next_status_post = Some(self.next_status_tick(now));
            return false;
        };
        let Object::Node(node) = (*current).clone() else { return false };
        let ready = self.ready_condition();
        let ready_now = ready.0;
        let ready_before = node.status.iter().flat_map(|s| s.conditions.iter().flatten()).find(|c| c.type_ == "Ready").map(|c| c.status == "True");
        let new_status = self.node_status(node.status.as_ref(), now_time, ready);
        let strip = |s: &NodeStatus| {
            let mut s = s.clone();
            for c in s.conditions.iter_mut().flatten() {
                c.last_heartbeat_time = None;
            }
            s
        };
        let changed = node.status.as_ref().is_none_or(|old| strip(old) != strip(&new_status));
        let report_due = self.node.last_status_post.is_none_or(|t| now.duration_since(t) >= NODE_STATUS_REPORT_FREQUENCY);
        let mut wrote = false;
        if changed || report_due {
            let mut n = node;
            n.status = Some(new_status);
            if api.update_status(Object::Node(n)).is_ok() {
                self.node.last_status_post = Some(now);
                wrote = true;
                // The Ready setter records NodeReady/NodeNotReady on a change.
                if ready_before.is_some_and(|b| b != ready_now) {
                    let reason = if ready_now { "NodeReady" } else { "NodeNotReady" };
                    self.node_event(api, reason, &format!("Node {} status is now: {reason}", self.config.name));
                }
            }
        }
        self.node_status_dirty = false;
        let last = self.node.last_status_post.unwrap_or(now);
        self.node.next_status_post = Some(last + NODE_STATUS_REPORT_FREQUENCY);
        wrote
    }

    /// Something in the node status changed (images, readiness).
    pub(crate) fn mark_node_status_dirty(&mut self, now: Timestamp) {
        if !self.node_status_dirty {
            self.node_status_dirty = true;
            let tick = self.next_status_tick(now);
            self.node.next_status_post = Some(self.node.next_status_post.map_or(tick, |t| t.min(tick)));
        }
    }
}
