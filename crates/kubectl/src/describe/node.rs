//! Nodes (describeNode, describeNodeLease, describeNodeResource in
//! pkg/describe/describe.go).

use super::events::{self, EventRef};
use super::prefix_writer::{LEVEL_0, LEVEL_1, PrefixWriter};
use super::quantity::{Qty, Resources, add_list, resources};
use super::{Settings, format_rfc1123z, print_annotations_multiline, print_labels_multiline, print_taints_multiline, rfc1123z, since};
use apimachinery::k8s_openapi::api::core::v1::{Node, Pod};
use apimachinery::selector::{FieldRequirement, Selector};
use apimachinery::{Kind, Object};
use apiserver::ApiServer;
use std::collections::BTreeSet;

const LABEL_NODE_ROLE_PREFIX: &str = "node-role.kubernetes.io/";
const NODE_LABEL_ROLE: &str = "kubernetes.io/role";
const NAMESPACE_NODE_LEASE: &str = "kube-node-lease";

pub fn describe(api: &ApiServer, node: &Node, settings: &Settings) -> String {
    let m = &node.metadata;
    let name = m.name.as_deref().unwrap_or("");
    let spec = node.spec.clone().unwrap_or_default();
    let status = node.status.clone().unwrap_or_default();
    let mut w = PrefixWriter::new();
    w.write(LEVEL_0, &format!("Name:\t{name}\n"));
    let roles = find_node_roles(node);
    w.write(LEVEL_0, &format!("Roles:\t{}\n", if roles.is_empty() { "<none>".to_string() } else { roles.join(",") }));
    print_labels_multiline(&mut w, "Labels", m.labels.as_ref());
    print_annotations_multiline(&mut w, "Annotations", m.annotations.as_ref());
    w.write(LEVEL_0, &format!("CreationTimestamp:\t{}\n", rfc1123z(m.creation_timestamp.as_ref())));
    print_taints_multiline(&mut w, "Taints", spec.taints.as_deref().unwrap_or_default());
    w.write(LEVEL_0, &format!("Unschedulable:\t{}\n", spec.unschedulable.unwrap_or(false)));

    match api.get(Kind::Lease, NAMESPACE_NODE_LEASE, name) {
        Ok(o) => {
            let lease_spec = match &*o {
                Object::Lease(l) => l.spec.clone().unwrap_or_default(),
                _ => Default::default(),
            };
            w.write(LEVEL_0, "Lease:\n");
            w.write(LEVEL_1, &format!("HolderIdentity:\t{}\n", lease_spec.holder_identity.as_deref().unwrap_or("<unset>")));
            let micro = |t: Option<&apimachinery::k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime>| {
                t.map(|t| format_rfc1123z(t.0)).unwrap_or_else(|| "<unset>".to_string())
            };
            w.write(LEVEL_1, &format!("AcquireTime:\t{}\n", micro(lease_spec.acquire_time.as_ref())));
            w.write(LEVEL_1, &format!("RenewTime:\t{}\n", micro(lease_spec.renew_time.as_ref())));
        }
        Err(e) => w.write(LEVEL_0, &format!("Lease:\tFailed to get lease: {}\n", e.message)),
    }

    if let Some(conditions) = status.conditions.as_deref().filter(|c| !c.is_empty()) {
        w.write(LEVEL_0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n");
        w.write(LEVEL_1, "----\t------\t-----------------\t------------------\t------\t-------\n");
        for c in conditions {
            w.write(
                LEVEL_1,
                &format!(
                    "{} \t{} \t{} \t{} \t{} \t{}\n",
                    c.type_,
                    c.status,
                    rfc1123z(c.last_heartbeat_time.as_ref()),
                    rfc1123z(c.last_transition_time.as_ref()),
                    c.reason.as_deref().unwrap_or(""),
                    c.message.as_deref().unwrap_or("")
                ),
            );
        }
    }
    w.write(LEVEL_0, "Addresses:\n");
    for a in status.addresses.iter().flatten() {
        w.write(LEVEL_1, &format!("{}:\t{}\n", a.type_, a.address));
    }
    for (title, list) in [("Capacity", &status.capacity), ("Allocatable", &status.allocatable)] {
        let Some(list) = list.as_ref().filter(|l| !l.is_empty()) else { continue };
        w.write(LEVEL_0, &format!("{title}:\n"));
        for (res, q) in list {
            w.write(LEVEL_0, &format!("  {res}:\t{}\n", Qty::of(q)));
        }
    }
    let info = status.node_info.clone().unwrap_or_default();
    w.write(LEVEL_0, "System Info:\n");
    for (label, value) in [
        ("Machine ID", &info.machine_id),
        ("System UUID", &info.system_uuid),
        ("Boot ID", &info.boot_id),
        ("Kernel Version", &info.kernel_version),
        ("OS Image", &info.os_image),
        ("Operating System", &info.operating_system),
        ("Architecture", &info.architecture),
        ("Container Runtime Version", &info.container_runtime_version),
        ("Kubelet Version", &info.kubelet_version),
    ] {
        w.write(LEVEL_0, &format!("  {label}:\t{value}\n"));
    }
    if let Some(cidr) = spec.pod_cidr.as_deref().filter(|c| !c.is_empty()) {
        w.write(LEVEL_0, &format!("PodCIDR:\t{cidr}\n"));
    }
    if let Some(cidrs) = spec.pod_cidrs.as_ref().filter(|c| !c.is_empty()) {
        w.write(LEVEL_0, &format!("PodCIDRs:\t{}\n", cidrs.join(",")));
    }
    if let Some(id) = spec.provider_id.as_deref().filter(|c| !c.is_empty()) {
        w.write(LEVEL_0, &format!("ProviderID:\t{id}\n"));
    }

    // Non-terminated pods on the node, from every namespace.
    let fields = [
        FieldRequirement { field: "spec.nodeName".into(), equals: true, value: name.to_string() },
        FieldRequirement { field: "status.phase".into(), equals: false, value: "Succeeded".into() },
        FieldRequirement { field: "status.phase".into(), equals: false, value: "Failed".into() },
    ];
    let pods: Vec<Pod> = api
        .list(Kind::Pod, None, &Selector::everything(), &fields)
        .map(|l| l.items.iter().filter_map(|o| o.as_typed::<Pod>().cloned()).collect())
        .unwrap_or_default();
    let allocatable = if status.allocatable.as_ref().is_some_and(|a| !a.is_empty()) {
        resources(status.allocatable.as_ref())
    } else {
        resources(status.capacity.as_ref())
    };
    describe_node_resource(api, &pods, &allocatable, &mut w);

    if settings.show_events {
        // Controllers record node events against the node's UID, the
        // kubelet against its name; kubectl searches both.
        let uid = m.uid.as_deref().unwrap_or("");
        let mut found = events::search(api, &EventRef { kind: "Node", name, namespace: "", uid });
        found.extend(events::search(api, &EventRef { kind: "Node", name, namespace: "", uid: name }));
        events::describe(api, found, &mut w);
    }
    w.into_tabbed()
}

/// findNodeRoles: `node-role.kubernetes.io/<role>` keys and the value of
/// `kubernetes.io/role`, sorted and de-duplicated.
fn find_node_roles(node: &Node) -> Vec<String> {
    let mut roles = BTreeSet::new();
    for (k, v) in node.metadata.labels.iter().flatten() {
        if let Some(role) = k.strip_prefix(LABEL_NODE_ROLE_PREFIX) {
            if !role.is_empty() {
                roles.insert(role.to_string());
            }
        } else if k == NODE_LABEL_ROLE && !v.is_empty() {
            roles.insert(v.clone());
        }
    }
    roles.into_iter().collect()
}

/// `int64(float64(a) / float64(b) * 100)`: Go's float arithmetic and its
/// truncating conversion. A zero denominator gives NaN or ±Inf, which Go
/// on amd64 converts to the minimum int64.
fn percent(a: i128, b: i128) -> i64 {
    let f = a as f64 / b as f64 * 100.0;
    if f.is_finite() { f as i64 } else { i64::MIN }
}

fn get(list: &Resources, name: &str) -> Qty {
    list.get(name).copied().unwrap_or_default()
}

/// The Non-terminated Pods table and the Allocated resources summary.
fn describe_node_resource(api: &ApiServer, pods: &[Pod], allocatable: &Resources, w: &mut PrefixWriter) {
    w.write(LEVEL_0, &format!("Non-terminated Pods:\t({} in total)\n", pods.len()));
    w.write(LEVEL_1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n");
    w.write(LEVEL_1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n");
    let alloc_cpu = get(allocatable, "cpu").milli_value();
    let alloc_mem = get(allocatable, "memory").value();
    for pod in pods {
        let req = super::pod::pod_resources(pod, false, true);
        let lim = super::pod::pod_resources(pod, true, true);
        let (cpu_req, cpu_lim, mem_req, mem_lim) = (get(&req, "cpu"), get(&lim, "cpu"), get(&req, "memory"), get(&lim, "memory"));
        w.write(
            LEVEL_1,
            &format!(
                "{}\t{}\t\t{} ({}%)\t{} ({}%)\t{} ({}%)\t{} ({}%)\t{}\n",
                pod.metadata.namespace.as_deref().unwrap_or(""),
                pod.metadata.name.as_deref().unwrap_or(""),
                cpu_req,
                percent(cpu_req.milli_value(), alloc_cpu),
                cpu_lim,
                percent(cpu_lim.milli_value(), alloc_cpu),
                mem_req,
                percent(mem_req.value(), alloc_mem),
                mem_lim,
                percent(mem_lim.value(), alloc_mem),
                since(api, pod.metadata.creation_timestamp.as_ref())
            ),
        );
    }

    w.write(LEVEL_0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n");
    w.write(LEVEL_1, "Resource\tRequests\tLimits\n");
    w.write(LEVEL_1, "--------\t--------\t------\n");
    // getPodsTotalRequestsAndLimits: spec resources, not status ones.
    let mut reqs = Resources::new();
    let mut limits = Resources::new();
    for pod in pods {
        add_list(&mut reqs, &super::pod::pod_resources(pod, false, false));
        add_list(&mut limits, &super::pod::pod_resources(pod, true, false));
    }
    let guarded = |a: i128, b: i128| if b != 0 { percent(a, b) } else { 0 };
    for (name, by_milli) in [("cpu", true), ("memory", false), ("ephemeral-storage", false)] {
        let (r, l, a) = (get(&reqs, name), get(&limits, name), get(allocatable, name));
        let (rv, lv, av) = if by_milli { (r.milli_value(), l.milli_value(), a.milli_value()) } else { (r.value(), l.value(), a.value()) };
        w.write(LEVEL_1, &format!("{name}\t{r} ({}%)\t{l} ({}%)\n", guarded(rv, av), guarded(lv, av)));
    }
    for (name, a) in allocatable.iter().filter(|(n, _)| n.starts_with("hugepages-")) {
        let (r, l) = (get(&reqs, name), get(&limits, name));
        w.write(LEVEL_1, &format!("{name}\t{r} ({}%)\t{l} ({}%)\n", guarded(r.value(), a.value()), guarded(l.value(), a.value())));
    }
    for name in allocatable.keys().filter(|n| !n.starts_with("hugepages-") && !is_standard_container_resource(n) && *n != "pods") {
        w.write(LEVEL_1, &format!("{name}\t{}\t{}\n", get(&reqs, name), get(&limits, name)));
    }
}

/// IsStandardContainerResourceName: cpu, memory, ephemeral-storage and
/// hugepages-*.
fn is_standard_container_resource(name: &str) -> bool {
    matches!(name, "cpu" | "memory" | "ephemeral-storage") || name.starts_with("hugepages-")
}
