//! Server-side printing: one table handler per kind, with the columns and
//! cells of kube-apiserver's pkg/printers/internalversion/printers.go.
//!
//! The apiserver's TableConvertor always generates tables with
//! `GenerateOptions{Wide: true}`, so every row carries all cells, including
//! those of priority-1 columns; kubectl drops priority-1 columns unless it was
//! asked for `-o wide`. Row order is the order of `objects` (storage order).
//!
//! kube-apiserver prints the *internal* type after decoding with defaulting,
//! so a field the stored object lacks reads as its API default (a Service's
//! `type` as `ClusterIP`, a port's protocol as `TCP`, `replicas` as 1, a
//! Namespace's phase as `Active`).

mod apps;
mod basic;
mod descriptions;
mod event;
mod networking;
mod node;
mod pod;
mod service;
#[cfg(test)]
mod tests;

/// READY/STATUS/RESTARTS of a pod as `kubectl get pods` shows them.
pub use networking::ingress_addresses;
pub use pod::{PodSummary, summarize as summarize_pod};

use crate::table::{Cell, Column, Row, Table};
use apimachinery::k8s_openapi::api::core::v1::Container;
use apimachinery::k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, MicroTime, Time};
use apimachinery::selector::Selector;
use apimachinery::{Kind, Object, Timestamp};
use descriptions as doc;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Builds the table for objects of one kind: the columns of `kind` and one
/// row per object, ages computed against `now` (the server's clock at
/// request time, as translateTimestampSince does with `time.Now()`).
pub fn print_table(kind: Kind, objects: &[Arc<Object>], now: Timestamp) -> Table {
    let mut rows = Vec::with_capacity(objects.len());
    for object in objects {
        debug_assert_eq!(object.kind(), kind, "print_table: every object must be of the table's kind");
        rows.push(Row { cells: cells(object, now), object: Arc::clone(object) });
    }
    Table { columns: columns(kind).to_vec(), rows, resource_version: String::new() }
}

/// The column definitions kube-apiserver registers for `kind` (AddHandlers).
pub fn columns(kind: Kind) -> &'static [Column] {
    match kind {
        Kind::Namespace => basic::NAMESPACE_COLUMNS,
        Kind::Node => node::NODE_COLUMNS,
        Kind::Pod => pod::POD_COLUMNS,
        Kind::ReplicationController => apps::REPLICATION_CONTROLLER_COLUMNS,
        Kind::Service => service::SERVICE_COLUMNS,
        Kind::Endpoints => service::ENDPOINTS_COLUMNS,
        Kind::Event => event::EVENT_COLUMNS,
        Kind::ServiceAccount => basic::SERVICE_ACCOUNT_COLUMNS,
        Kind::ConfigMap => basic::CONFIG_MAP_COLUMNS,
        Kind::DaemonSet => apps::DAEMON_SET_COLUMNS,
        Kind::Deployment => apps::DEPLOYMENT_COLUMNS,
        Kind::ReplicaSet => apps::REPLICA_SET_COLUMNS,
        Kind::EndpointSlice => service::ENDPOINT_SLICE_COLUMNS,
        Kind::Lease => basic::LEASE_COLUMNS,
        Kind::Ingress => networking::INGRESS_COLUMNS,
        Kind::IngressClass => networking::INGRESS_CLASS_COLUMNS,
    }
}

/// The cells of one object's row, in the order of `columns(object.kind())`.
pub fn cells(object: &Object, now: Timestamp) -> Vec<Cell> {
    match object {
        Object::Namespace(o) => basic::namespace_cells(o, now),
        Object::Node(o) => node::node_cells(o, now),
        Object::Pod(o) => pod::pod_cells(o, now),
        Object::ReplicationController(o) => apps::replication_controller_cells(o, now),
        Object::Service(o) => service::service_cells(o, now),
        Object::Endpoints(o) => service::endpoints_cells(o, now),
        Object::Event(o) => event::event_cells(o, now),
        Object::ServiceAccount(o) => basic::service_account_cells(o, now),
        Object::ConfigMap(o) => basic::config_map_cells(o, now),
        Object::DaemonSet(o) => apps::daemon_set_cells(o, now),
        Object::Deployment(o) => apps::deployment_cells(o, now),
        Object::ReplicaSet(o) => apps::replica_set_cells(o, now),
        Object::EndpointSlice(o) => service::endpoint_slice_cells(o, now),
        Object::Lease(o) => basic::lease_cells(o, now),
        Object::Ingress(o) => networking::ingress_cells(o, now),
        Object::IngressClass(o) => networking::ingress_class_cells(o, now),
    }
}

/// AGE and other relative times: translateTimestampSince. A missing (or Go
/// zero) timestamp prints `<unknown>`.
pub fn age(now: Timestamp, t: Option<&Time>) -> String {
    since(now, t.map(|t| t.0))
}

/// translateMicroTimestampSince: the same for MicroTime fields.
pub fn age_micro(now: Timestamp, t: Option<&MicroTime>) -> String {
    since(now, t.map(|t| t.0))
}

fn since(now: Timestamp, t: Option<Timestamp>) -> String {
    match t {
        Some(t) if !is_go_zero_time(t) => apimachinery::duration::human(now.duration_since(t)),
        _ => "<unknown>".to_string(),
    }
}

/// Go's `time.Time{}` (0001-01-01T00:00:00Z) is what `IsZero` tests for; a
/// client can send it explicitly, and Go treats it like an absent time.
fn is_go_zero_time(t: Timestamp) -> bool {
    const GO_ZERO_TIME_UNIX_SECONDS: i64 = -62_135_596_800;
    t.as_second() == GO_ZERO_TIME_UNIX_SECONDS && t.subsec_nanosecond() == 0
}

/// labels.FormatLabels: sorted `k=v` joined by `,`; empty or absent → `<none>`.
pub fn format_labels(labels: Option<&BTreeMap<String, String>>) -> String {
    let Some(labels) = labels.filter(|l| !l.is_empty()) else {
        return "<none>".to_string();
    };
    let mut out = String::new();
    for (k, v) in labels {
        if !out.is_empty() {
            out.push(',');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

/// metav1.LabelSelectorAsSelector(...).String(). A nil selector is
/// labels.Nothing() and an empty one labels.Everything(); both print `""`.
/// `Err` where Go's conversion fails (unknown operator, or values that
/// labels.NewRequirement rejects for the operator).
pub fn label_selector_string(selector: Option<&LabelSelector>) -> Result<String, String> {
    let Some(selector) = selector else {
        return Ok(String::new());
    };
    for expr in selector.match_expressions.iter().flatten() {
        let values = expr.values.as_deref().unwrap_or_default();
        match expr.operator.as_str() {
            "In" | "NotIn" if values.is_empty() => {
                return Err("for 'in', 'notin' operators, values set can't be empty".to_string());
            }
            "Exists" | "DoesNotExist" if !values.is_empty() => {
                return Err("values set must be empty for exists and does not exist".to_string());
            }
            _ => {}
        }
    }
    Selector::from_label_selector(selector).map(|s| s.to_string())
}

/// metav1.FormatLabelSelector: the selector string, `<none>` when it is
/// empty, `<error>` when it does not convert.
pub fn format_label_selector(selector: Option<&LabelSelector>) -> String {
    match label_selector_string(selector) {
        Ok(s) if s.is_empty() => "<none>".to_string(),
        Ok(s) => s,
        Err(_) => "<error>".to_string(),
    }
}

/// layoutContainerCells: container names joined by `,` and images joined by
/// `,`, no spaces.
pub fn layout_container_cells(containers: &[Container]) -> (String, String) {
    let mut names = String::new();
    let mut images = String::new();
    for (i, container) in containers.iter().enumerate() {
        if i != 0 {
            names.push(',');
            images.push(',');
        }
        names.push_str(&container.name);
        images.push_str(container.image.as_deref().unwrap_or(""));
    }
    (names, images)
}

/// `list` joined by `,` plus the ` + N more...` suffix the Endpoints and
/// EndpointSlice printers add once `count` exceeds the 3 listed entries.
fn list_with_more(list: &[String], more: bool, count: usize, max: usize) -> String {
    let joined = list.join(",");
    if more { format!("{joined} + {} more...", count.saturating_sub(max)) } else { joined }
}

/// A column definition: `format` is `name` only for the NAME column.
const fn column(name: &'static str, type_: &'static str, priority: i32, description: &'static str) -> Column {
    Column { name, type_, format: "", priority, description }
}

const NAME_COLUMN: Column = Column { name: "Name", type_: "string", format: "name", priority: 0, description: doc::META_NAME };
const AGE_COLUMN: Column = column("Age", "string", 0, doc::META_CREATION_TIMESTAMP);
const CONTAINERS_COLUMN: Column = column("Containers", "string", 1, "Names of each container in the template.");
const IMAGES_COLUMN: Column = column("Images", "string", 1, "Images referenced by each container in the template.");

/// A string cell copied from the object. Values that recur in every list
/// (phases, reasons, types) come from a static table instead, so that
/// printing thousands of rows allocates only for the cells that differ.
fn text(s: &str) -> Cell {
    match known_value(s) {
        Some(known) => Cell::literal(known),
        None => Cell::Str(Cow::Owned(s.to_string())),
    }
}

/// The recurring cell values: pod phases and container reasons, node and
/// namespace states, service types, event types, address types.
fn known_value(s: &str) -> Option<&'static str> {
    Some(match s {
        "" => "",
        "<none>" => "<none>",
        "Running" => "Running",
        "Pending" => "Pending",
        "Succeeded" => "Succeeded",
        "Failed" => "Failed",
        "Unknown" => "Unknown",
        "Completed" => "Completed",
        "Error" => "Error",
        "ContainerCreating" => "ContainerCreating",
        "PodInitializing" => "PodInitializing",
        "CrashLoopBackOff" => "CrashLoopBackOff",
        "ErrImagePull" => "ErrImagePull",
        "ImagePullBackOff" => "ImagePullBackOff",
        "OOMKilled" => "OOMKilled",
        "Evicted" => "Evicted",
        "Terminating" => "Terminating",
        "NotReady" => "NotReady",
        "Active" => "Active",
        "ClusterIP" => "ClusterIP",
        "NodePort" => "NodePort",
        "LoadBalancer" => "LoadBalancer",
        "ExternalName" => "ExternalName",
        "Normal" => "Normal",
        "Warning" => "Warning",
        "IPv4" => "IPv4",
        "IPv6" => "IPv6",
        _ => return None,
    })
}

fn int(i: impl Into<i64>) -> Cell {
    Cell::Int(i.into())
}

/// The value, or `<none>` when it is absent or empty.
fn or_none(s: Option<&str>) -> Cell {
    match s {
        Some(s) if !s.is_empty() => Cell::Str(Cow::Owned(s.to_string())),
        _ => Cell::literal("<none>"),
    }
}

/// `"%d/%d"` without the formatting machinery (one allocation).
fn fraction(numerator: impl Into<i64>, denominator: impl Into<i64>) -> String {
    let mut out = String::with_capacity(8);
    push_int(&mut out, numerator.into());
    out.push('/');
    push_int(&mut out, denominator.into());
    out
}

fn push_int(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    let mut digits = [0u8; 20];
    let mut len = 0;
    let mut rest = n.unsigned_abs();
    loop {
        digits[len] = b'0' + (rest % 10) as u8;
        len += 1;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    for &d in digits[..len].iter().rev() {
        out.push(d as char);
    }
}
