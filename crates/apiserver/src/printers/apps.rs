//! Workload rows: printDeployment, printReplicaSet,
//! printReplicationController and printDaemonSet in
//! pkg/printers/internalversion/printers.go.

use super::{
    AGE_COLUMN, CONTAINERS_COLUMN, IMAGES_COLUMN, NAME_COLUMN, age, column, descriptions as doc, format_label_selector, format_labels,
    fraction, int, label_selector_string, layout_container_cells, text,
};
use crate::table::{Cell, Column};
use apimachinery::Timestamp;
use apimachinery::k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet};
use apimachinery::k8s_openapi::api::core::v1::{Container, PodTemplateSpec, ReplicationController};

/// `spec.replicas` reads as its default when absent (defaulting sets 1).
const DEFAULT_REPLICAS: i32 = 1;

fn template_containers(template: Option<&PodTemplateSpec>) -> &[Container] {
    template.and_then(|t| t.spec.as_ref()).map_or(&[], |s| s.containers.as_slice())
}

// READY, UP-TO-DATE and AVAILABLE are declared "string" although the last two
// carry integers; that is how printers.go declares them.
pub(super) static DEPLOYMENT_COLUMNS: &[Column] = &[
    NAME_COLUMN,
    column("Ready", "string", 0, "Number of the pod with ready state"),
    column("Up-to-date", "string", 0, doc::DEPLOY_STATUS_UPDATED),
    column("Available", "string", 0, doc::DEPLOY_STATUS_AVAILABLE),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    column("Selector", "string", 1, doc::DEPLOY_SPEC_SELECTOR),
];

/// READY is `readyReplicas/spec.replicas`. SELECTOR is the plain selector
/// string: an empty selector stays empty (no `<none>`), a bad one `<invalid>`.
pub(super) fn deployment_cells(deployment: &Deployment, now: Timestamp) -> Vec<Cell> {
    let spec = &deployment.spec;
    let status = deployment.status.as_ref();
    let desired = spec.replicas.unwrap_or(DEFAULT_REPLICAS);
    let ready = status.and_then(|s| s.ready_replicas).unwrap_or(0);
    let updated = status.and_then(|s| s.updated_replicas).unwrap_or(0);
    let available = status.and_then(|s| s.available_replicas).unwrap_or(0);
    let (names, images) = layout_container_cells(template_containers(Some(&spec.template)));
    let selector = label_selector_string(Some(&spec.selector)).unwrap_or_else(|_| "<invalid>".to_string());
    vec![
        text(deployment.metadata.name.as_deref().unwrap_or("")),
        Cell::from(fraction(ready, desired)),
        int(updated),
        int(available),
        Cell::from(age(now, deployment.metadata.creation_timestamp.as_ref())),
        Cell::from(names),
        Cell::from(images),
        Cell::from(selector),
    ]
}

pub(super) static REPLICA_SET_COLUMNS: &[Column] = &[
    NAME_COLUMN,
    column("Desired", "integer", 0, doc::RS_SPEC_REPLICAS),
    column("Current", "integer", 0, doc::RS_STATUS_REPLICAS),
    column("Ready", "integer", 0, doc::RS_STATUS_READY_REPLICAS),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    column("Selector", "string", 1, doc::RS_SPEC_SELECTOR),
];

/// DESIRED/CURRENT/READY are spec.replicas, status.replicas and
/// status.readyReplicas; SELECTOR is metav1.FormatLabelSelector.
pub(super) fn replica_set_cells(rs: &ReplicaSet, now: Timestamp) -> Vec<Cell> {
    let spec = &rs.spec;
    let status = rs.status.as_ref();
    let (names, images) = layout_container_cells(template_containers(spec.template.as_ref()));
    vec![
        text(rs.metadata.name.as_deref().unwrap_or("")),
        int(spec.replicas.unwrap_or(DEFAULT_REPLICAS)),
        int(status.map_or(0, |s| s.replicas)),
        int(status.and_then(|s| s.ready_replicas).unwrap_or(0)),
        Cell::from(age(now, rs.metadata.creation_timestamp.as_ref())),
        Cell::from(names),
        Cell::from(images),
        Cell::from(format_label_selector(Some(&spec.selector))),
    ]
}

pub(super) static REPLICATION_CONTROLLER_COLUMNS: &[Column] = &[
    NAME_COLUMN,
    column("Desired", "integer", 0, doc::RC_SPEC_REPLICAS),
    column("Current", "integer", 0, doc::RC_STATUS_REPLICAS),
    column("Ready", "integer", 0, doc::RC_STATUS_READY_REPLICAS),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    column("Selector", "string", 1, doc::RC_SPEC_SELECTOR),
];

/// Like ReplicaSet, but the selector is a plain map (labels.FormatLabels)
/// and the template may be absent.
pub(super) fn replication_controller_cells(rc: &ReplicationController, now: Timestamp) -> Vec<Cell> {
    let spec = rc.spec.as_ref();
    let status = rc.status.as_ref();
    let (names, images) = layout_container_cells(template_containers(spec.and_then(|s| s.template.as_ref())));
    vec![
        text(rc.metadata.name.as_deref().unwrap_or("")),
        int(spec.and_then(|s| s.replicas).unwrap_or(DEFAULT_REPLICAS)),
        int(status.map_or(0, |s| s.replicas)),
        int(status.and_then(|s| s.ready_replicas).unwrap_or(0)),
        Cell::from(age(now, rc.metadata.creation_timestamp.as_ref())),
        Cell::from(names),
        Cell::from(images),
        Cell::from(format_labels(spec.and_then(|s| s.selector.as_ref()))),
    ]
}

pub(super) static DAEMON_SET_COLUMNS: &[Column] = &[
    NAME_COLUMN,
    column("Desired", "integer", 0, doc::DS_STATUS_DESIRED),
    column("Current", "integer", 0, doc::DS_STATUS_CURRENT),
    column("Ready", "integer", 0, doc::DS_STATUS_READY),
    column("Up-to-date", "integer", 0, doc::DS_STATUS_UPDATED),
    column("Available", "integer", 0, doc::DS_STATUS_AVAILABLE),
    column("Node Selector", "string", 0, doc::POD_SPEC_NODE_SELECTOR),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    column("Selector", "string", 1, doc::DS_SPEC_SELECTOR),
];

/// The counts come from status; NODE SELECTOR is the template's nodeSelector
/// (labels.FormatLabels, so `<none>` when empty).
pub(super) fn daemon_set_cells(ds: &DaemonSet, now: Timestamp) -> Vec<Cell> {
    let spec = &ds.spec;
    let status = ds.status.as_ref();
    let template = Some(&spec.template);
    let node_selector = template.and_then(|t| t.spec.as_ref()).and_then(|s| s.node_selector.as_ref());
    let (names, images) = layout_container_cells(template_containers(template));
    vec![
        text(ds.metadata.name.as_deref().unwrap_or("")),
        int(status.map_or(0, |s| s.desired_number_scheduled)),
        int(status.map_or(0, |s| s.current_number_scheduled)),
        int(status.map_or(0, |s| s.number_ready)),
        int(status.and_then(|s| s.updated_number_scheduled).unwrap_or(0)),
        int(status.and_then(|s| s.number_available).unwrap_or(0)),
        Cell::from(format_labels(node_selector)),
        Cell::from(age(now, ds.metadata.creation_timestamp.as_ref())),
        Cell::from(names),
        Cell::from(images),
        Cell::from(format_label_selector(Some(&spec.selector))),
    ]
}
