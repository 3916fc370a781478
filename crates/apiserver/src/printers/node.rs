//! Node rows: printNode, findNodeRoles, getNodeInternalIP/getNodeExternalIP
//! in pkg/printers/internalversion/printers.go.

use super::{AGE_COLUMN, NAME_COLUMN, age, column, descriptions as doc, text};
use crate::table::{Cell, Column};
use apimachinery::Timestamp;
use apimachinery::k8s_openapi::api::core::v1::Node;
use std::collections::BTreeSet;

pub(super) static NODE_COLUMNS: &[Column] = &[
    NAME_COLUMN,
    column("Status", "string", 0, "The status of the node"),
    column("Roles", "string", 0, "The roles of the node"),
    AGE_COLUMN,
    column("Version", "string", 0, doc::NODE_INFO_KUBELET_VERSION),
    column("Internal-IP", "string", 1, doc::NODE_STATUS_ADDRESSES),
    column("External-IP", "string", 1, doc::NODE_STATUS_ADDRESSES),
    column("OS-Image", "string", 1, doc::NODE_INFO_OS_IMAGE),
    column("Kernel-Version", "string", 1, doc::NODE_INFO_KERNEL_VERSION),
    column("Container-Runtime", "string", 1, doc::NODE_INFO_CONTAINER_RUNTIME_VERSION),
];

/// A label key with this prefix names a role (`node-role.kubernetes.io/control-plane`).
const LABEL_NODE_ROLE_PREFIX: &str = "node-role.kubernetes.io/";
/// The older role label, whose *value* is the role.
const NODE_LABEL_ROLE: &str = "kubernetes.io/role";

pub(super) fn node_cells(node: &Node, now: Timestamp) -> Vec<Cell> {
    let status = node.status.as_ref();
    let info = status.and_then(|s| s.node_info.as_ref());
    let unschedulable = node.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false);
    let roles = find_node_roles(node);
    let roles = if roles.is_empty() { "<none>".to_string() } else { roles.into_iter().collect::<Vec<_>>().join(",") };
    let or_unknown = |s: Option<&String>| match s.map(String::as_str) {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => "<unknown>".to_string(),
    };
    vec![
        text(node.metadata.name.as_deref().unwrap_or("")),
        Cell::from(node_status(node, unschedulable)),
        Cell::from(roles),
        Cell::from(age(now, node.metadata.creation_timestamp.as_ref())),
        // VERSION is printed raw: an empty kubeletVersion stays empty.
        text(info.map_or("", |i| i.kubelet_version.as_str())),
        text(node_address(node, "InternalIP")),
        text(node_address(node, "ExternalIP")),
        Cell::from(or_unknown(info.map(|i| &i.os_image))),
        Cell::from(or_unknown(info.map(|i| &i.kernel_version))),
        Cell::from(or_unknown(info.map(|i| &i.container_runtime_version))),
    ]
}

/// Only the Ready condition is read (the last one wins, as Go's condition map
/// keeps the last): `Ready` if True, `NotReady` for False or Unknown, and
/// `Unknown` without one; `,SchedulingDisabled` when cordoned.
fn node_status(node: &Node, unschedulable: bool) -> String {
    let conditions = node.status.as_ref().and_then(|s| s.conditions.as_deref()).unwrap_or_default();
    let ready = conditions.iter().rev().find(|c| c.type_ == "Ready");
    let mut status = match ready {
        Some(c) if c.status == "True" => "Ready".to_string(),
        Some(_) => "NotReady".to_string(),
        None => "Unknown".to_string(),
    };
    if unschedulable {
        status.push_str(",SchedulingDisabled");
    }
    status
}

/// findNodeRoles: the sorted, de-duplicated set of roles from
/// `node-role.kubernetes.io/<role>` keys (value ignored) and the value of
/// `kubernetes.io/role`.
fn find_node_roles(node: &Node) -> BTreeSet<&str> {
    let mut roles = BTreeSet::new();
    for (key, value) in node.metadata.labels.iter().flatten() {
        if let Some(role) = key.strip_prefix(LABEL_NODE_ROLE_PREFIX) {
            if !role.is_empty() {
                roles.insert(role);
            }
        } else if key == NODE_LABEL_ROLE && !value.is_empty() {
            roles.insert(value.as_str());
        }
    }
    roles
}

/// The first address of the type, or `<none>`.
fn node_address<'a>(node: &'a Node, type_: &str) -> &'a str {
    node.status
        .as_ref()
        .and_then(|s| s.addresses.as_deref())
        .unwrap_or_default()
        .iter()
        .find(|a| a.type_ == type_)
        .map_or("<none>", |a| a.address.as_str())
}
