//! Pod rows: printPod in pkg/printers/internalversion/printers.go, the
//! algorithm behind READY, STATUS and RESTARTS of `kubectl get pods`.

use super::{AGE_COLUMN, NAME_COLUMN, age, column, descriptions as doc, fraction, is_go_zero_time, known_value, or_none, push_int, since, text};
use crate::table::{Cell, Column};
use apimachinery::Timestamp;
use apimachinery::k8s_openapi::api::core::v1::{Container, ContainerState, ContainerStatus, Pod};
use std::borrow::Cow;

pub(super) static POD_COLUMNS: &[Column] = &[
    NAME_COLUMN,
    column("Ready", "string", 0, "The aggregate readiness state of this pod for accepting traffic."),
    column("Status", "string", 0, "The aggregate status of the containers in this pod."),
    column(
        "Restarts",
        "string",
        0,
        "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
    ),
    AGE_COLUMN,
    column("IP", "string", 1, doc::POD_STATUS_POD_IP),
    column("Node", "string", 1, doc::POD_SPEC_NODE_NAME),
    column("Nominated Node", "string", 1, doc::POD_STATUS_NOMINATED_NODE_NAME),
    column("Readiness Gates", "string", 1, doc::POD_SPEC_READINESS_GATES),
];

/// pkg/util/node NodeUnreachablePodReason: the pod reason the node lifecycle
/// controller sets on pods of an unreachable node.
const NODE_UNREACHABLE_POD_REASON: &str = "NodeLost";

/// NAME, READY, STATUS, RESTARTS, AGE, IP, NODE, NOMINATED NODE, READINESS GATES.
pub(super) fn pod_cells(pod: &Pod, now: Timestamp) -> Vec<Cell> {
    let summary = summarize(pod);
    let restarts = match summary.last_restart {
        Some(last) if summary.restarts != 0 => {
            // `%d (%s ago)`
            let ago = since(now, Some(last));
            let mut out = String::with_capacity(ago.len() + 12);
            push_int(&mut out, summary.restarts);
            out.push_str(" (");
            out.push_str(&ago);
            out.push_str(" ago)");
            Cell::from(out)
        }
        _ if summary.restarts == 0 => Cell::literal("0"),
        _ => Cell::from(summary.restarts.to_string()),
    };
    let spec = pod.spec.as_ref();
    let status = pod.status.as_ref();
    // IP is the first of `status.podIPs`, not `status.podIP`.
    let pod_ip = status.and_then(|s| s.pod_ips.as_ref()).and_then(|ips| ips.first()).map(|ip| ip.ip.as_str());
    let node_name = spec.and_then(|s| s.node_name.as_deref());
    let nominated = status.and_then(|s| s.nominated_node_name.as_deref());
    let readiness_gates = match spec.and_then(|s| s.readiness_gates.as_deref()).filter(|g| !g.is_empty()) {
        None => Cell::literal("<none>"),
        Some(gates) => {
            let conditions = status.and_then(|s| s.conditions.as_deref()).unwrap_or_default();
            // Only the first condition of a gate's type counts.
            let true_conditions = gates
                .iter()
                .filter(|gate| conditions.iter().find(|c| c.type_ == gate.condition_type).is_some_and(|c| c.status == "True"))
                .count();
            Cell::from(fraction(true_conditions as i64, gates.len() as i64))
        }
    };
    vec![
        text(pod.metadata.name.as_deref().unwrap_or("")),
        Cell::from(fraction(summary.ready_containers as i64, summary.total_containers as i64)),
        Cell::from(summary.reason),
        restarts,
        Cell::from(age(now, pod.metadata.creation_timestamp.as_ref())),
        or_none(pod_ip),
        or_none(node_name),
        or_none(nominated),
        readiness_gates,
    ]
}

/// What printPod derives from the container statuses.
pub struct PodSummary {
    pub ready_containers: usize,
    pub total_containers: usize,
    /// The STATUS cell.
    pub reason: Cow<'static, str>,
    pub restarts: i64,
    /// The latest `lastState.terminated.finishedAt` among the containers
    /// whose restarts are counted.
    pub last_restart: Option<Timestamp>,
}

/// printPod's READY/STATUS/RESTARTS algorithm, step for step.
pub fn summarize(pod: &Pod) -> PodSummary {
    let spec = pod.spec.as_ref();
    let status = pod.status.as_ref();
    let init_specs: &[Container] = spec.map(|s| s.init_containers.as_deref().unwrap_or_default()).unwrap_or_default();
    let containers_len = spec.map_or(0, |s| s.containers.len());
    let conditions = status.and_then(|s| s.conditions.as_deref()).unwrap_or_default();

    // Restartable init containers (sidecars) count as containers of the pod.
    let total_containers = containers_len + init_specs.iter().filter(|c| is_restartable_init_container(c)).count();
    let mut ready_containers = 0;
    let mut restarts: i64 = 0;
    let mut last_restart: Option<Timestamp> = None;
    let mut sidecar_restarts: i64 = 0;
    let mut sidecar_last_restart: Option<Timestamp> = None;

    let phase = status.and_then(|s| s.phase.as_deref()).unwrap_or("");
    let status_reason = status.and_then(|s| s.reason.as_deref()).unwrap_or("");
    let mut reason: Cow<'static, str> = reason_text(if status_reason.is_empty() { phase } else { status_reason });

    // A PodScheduled condition with reason SchedulingGated wins over the phase.
    if conditions.iter().any(|c| c.type_ == "PodScheduled" && c.reason.as_deref() == Some("SchedulingGated")) {
        reason = Cow::Borrowed("SchedulingGated");
    }

    let mut initializing = false;
    let init_statuses = status.and_then(|s| s.init_container_statuses.as_deref()).unwrap_or_default();
    for (i, container) in init_statuses.iter().enumerate() {
        // A status whose name matches no spec init container is not restartable (Go looks
        // it up in a map and gets nil).
        let restartable = init_specs.iter().find(|c| c.name == container.name).is_some_and(is_restartable_init_container);
        restarts += i64::from(container.restart_count);
        let finished = last_terminated_at(container);
        later(&mut last_restart, finished);
        if restartable {
            sidecar_restarts += i64::from(container.restart_count);
            later(&mut sidecar_last_restart, finished);
        }
        let state = container.state.as_ref();
        let terminated = state.and_then(|s| s.terminated.as_ref());
        let waiting_reason = state.and_then(|s| s.waiting.as_ref()).and_then(|w| w.reason.as_deref()).unwrap_or("");
        if terminated.is_some_and(|t| t.exit_code == 0) {
            continue;
        } else if restartable && container.started == Some(true) {
            if container.ready {
                ready_containers += 1;
            }
            continue;
        } else if let Some(t) = terminated {
            // Initialization failed.
            reason = match t.reason.as_deref().filter(|r| !r.is_empty()) {
                Some(r) => Cow::Owned(format!("Init:{r}")),
                None => match t.signal.filter(|s| *s != 0) {
                    Some(signal) => Cow::Owned(format!("Init:Signal:{signal}")),
                    None => Cow::Owned(format!("Init:ExitCode:{}", t.exit_code)),
                },
            };
        } else if !waiting_reason.is_empty() && waiting_reason != "PodInitializing" {
            reason = Cow::Owned(format!("Init:{waiting_reason}"));
        } else {
            // `i` init containers are done; the count is of spec.initContainers.
            reason = Cow::Owned(format!("Init:{}/{}", i, init_specs.len()));
        }
        initializing = true;
        break;
    }

    let initialized = conditions.iter().any(|c| c.type_ == "Initialized" && c.status == "True");
    if !initializing || initialized {
        restarts = sidecar_restarts;
        last_restart = sidecar_last_restart;
        let mut has_running = false;
        let statuses = status.and_then(|s| s.container_statuses.as_deref()).unwrap_or_default();
        // Walked from the last to the first, so the reason shown is that of the
        // first container (in status order) that has one.
        for container in statuses.iter().rev() {
            restarts += i64::from(container.restart_count);
            later(&mut last_restart, last_terminated_at(container));
            let state = container.state.as_ref();
            let waiting_reason = state.and_then(|s| s.waiting.as_ref()).and_then(|w| w.reason.as_deref()).unwrap_or("");
            let terminated = state.and_then(|s| s.terminated.as_ref());
            if !waiting_reason.is_empty() {
                reason = reason_text(waiting_reason);
            } else if let Some(t) = terminated {
                reason = match t.reason.as_deref().filter(|r| !r.is_empty()) {
                    Some(r) => reason_text(r),
                    None => match t.signal.filter(|s| *s != 0) {
                        Some(signal) => Cow::Owned(format!("Signal:{signal}")),
                        None => Cow::Owned(format!("ExitCode:{}", t.exit_code)),
                    },
                };
            } else if container.ready && state.is_some_and(|s| s.running.is_some()) {
                has_running = true;
                ready_containers += 1;
            }
        }
        // A completed container next to a running one: the pod is still running.
        if reason == "Completed" && has_running {
            let pod_ready = conditions.iter().any(|c| c.type_ == "Ready" && c.status == "True");
            reason = Cow::Borrowed(if pod_ready { "Running" } else { "NotReady" });
        }
    }

    if pod.metadata.deletion_timestamp.is_some() {
        if status_reason == NODE_UNREACHABLE_POD_REASON {
            reason = Cow::Borrowed("Unknown");
        } else if phase != "Succeeded" && phase != "Failed" {
            reason = Cow::Borrowed("Terminating");
        }
    }

    PodSummary { ready_containers, total_containers, reason, restarts, last_restart }
}

/// A reason read from the object; the common ones need no allocation.
fn reason_text(s: &str) -> Cow<'static, str> {
    match known_value(s) {
        Some(known) => Cow::Borrowed(known),
        None => Cow::Owned(s.to_string()),
    }
}

/// podutil.IsRestartableInitContainer: `restartPolicy: Always` on an init container.
fn is_restartable_init_container(container: &Container) -> bool {
    container.restart_policy.as_deref() == Some("Always")
}

fn last_terminated_at(container: &ContainerStatus) -> Option<Timestamp> {
    container.last_state.as_ref().and_then(|s: &ContainerState| s.terminated.as_ref()).and_then(|t| t.finished_at.as_ref())
        .map(|t| t.0)
        .filter(|t| !is_go_zero_time(*t))
}

/// `if latest.Before(&t) { latest = t }`, with None as Go's zero time.
fn later(latest: &mut Option<Timestamp>, t: Option<Timestamp>) {
    if let Some(t) = t
        && latest.is_none_or(|l| l < t)
    {
        *latest = Some(t);
    }
}
