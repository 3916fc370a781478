//! The pod status the kubelet reports (pkg/kubelet/kubelet_pods.go
//! generateAPIPodStatus, getPhase, convertToAPIContainerStatuses, and
//! pkg/kubelet/status/generate.go for the conditions).

use crate::runtime::{ContainerRuntime, ContainerState, PodRuntime, Terminated};
use apimachinery::k8s_openapi::api::core::v1::{
    ContainerState as ApiState, ContainerStateRunning, ContainerStateTerminated, ContainerStateWaiting, ContainerStatus, ContainerUser, HostIP,
    LinuxContainerUser, PodCondition, PodIP, PodStatus, ResourceRequirements, VolumeMountStatus,
};
use apimachinery::k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use apimachinery::Timestamp;

fn time(t: Timestamp) -> Time {
    Time(apiserver::truncate_to_seconds(t))
}

fn terminated(t: &Terminated) -> ApiState {
    ApiState {
        terminated: Some(ContainerStateTerminated {
            container_id: Some(format!("containerd://{}", t.container_id)),
            exit_code: t.exit_code,
            finished_at: Some(time(t.finished_at)),
            reason: Some(t.reason.clone()),
            started_at: Some(time(t.started_at)),
            message: None,
            signal: None,
        }),
        ..Default::default()
    }
}

fn container_status(c: &ContainerRuntime) -> ContainerStatus {
    let state = match &c.state {
        ContainerState::Waiting { reason, message } => {
            ApiState { waiting: Some(ContainerStateWaiting { reason: Some(reason.clone()), message: message.clone() }), ..Default::default() }
        }
        ContainerState::Running { started_at } => ApiState { running: Some(ContainerStateRunning { started_at: Some(time(*started_at)) }), ..Default::default() },
        ContainerState::Exited(t) => terminated(t),
    };
    let inst = c.instance.as_ref();
    // Mounts, user and resources are reported from the runtime's container.
    let volume_mounts = inst.and_then(|_| {
        let mounts: Vec<VolumeMountStatus> = c
            .spec
            .volume_mounts
            .iter()
            .flatten()
            .map(|m| {
                let ro = m.read_only == Some(true);
                VolumeMountStatus {
                    name: m.name.clone(),
                    mount_path: m.mount_path.clone(),
                    read_only: ro.then_some(true),
                    recursive_read_only: ro.then(|| "Disabled".to_string()),
                    volume_status: None,
                }
            })
            .collect();
        (!mounts.is_empty()).then_some(mounts)
    });
    let resources = c.spec.resources.as_ref().filter(|r| r.requests.as_ref().is_some_and(|x| !x.is_empty()) || r.limits.as_ref().is_some_and(|x| !x.is_empty()));
    ContainerStatus {
        name: c.name().to_string(),
        image: inst.map(|i| i.image.clone()).unwrap_or_else(|| c.image().to_string()),
        image_id: inst.map(|i| i.image_id.clone()).unwrap_or_default(),
        container_id: inst.map(|i| format!("containerd://{}", i.id)),
        ready: c.ready,
        restart_count: c.restart_count,
        started: Some(c.is_running() && c.started),
        state: Some(state),
        last_state: Some(c.last_terminated.as_ref().map(terminated).unwrap_or_default()),
        volume_mounts,
        user: inst.map(|_| ContainerUser { linux: Some(LinuxContainerUser { uid: 0, gid: 0, supplemental_groups: Some(vec![0]) }) }),
        allocated_resources: inst.and(resources).and_then(|r| r.requests.clone()),
        resources: inst.and(resources).map(|r| ResourceRequirements { limits: r.limits.clone(), requests: r.requests.clone(), claims: None }),
        ..Default::default()
    }
}

/// getPhase (kubelet_pods.go), for the statuses the kubelet generates.
pub fn phase(rt: &PodRuntime, pod_is_terminal: bool) -> &'static str {
    let mut pending_init = 0;
    let mut failed_init = 0;
    let (mut unknown, mut running, mut waiting, mut stopped, mut succeeded) = (0, 0, 0, 0, 0);
    for c in rt.containers.iter().filter(|c| c.init) {
        if c.sidecar {
            match &c.state {
                ContainerState::Running { .. } => {
                    if !c.started {
                        pending_init += 1;
                    }
                    running += 1;
                }
                ContainerState::Exited(_) => {}
                ContainerState::Waiting { .. } => {
                    if c.last_terminated.is_none() {
                        pending_init += 1;
                        waiting += 1;
                    }
                }
            }
            continue;
        }
        match &c.state {
            ContainerState::Running { .. } => pending_init += 1,
            ContainerState::Exited(t) => {
                if t.exit_code != 0 {
                    failed_init += 1;
                }
            }
            ContainerState::Waiting { .. } => match &c.last_terminated {
                Some(t) => {
                    if t.exit_code != 0 {
                        failed_init += 1;
                    }
                }
                None => pending_init += 1,
            },
        }
    }
    for c in rt.containers.iter().filter(|c| !c.init) {
        match &c.state {
            ContainerState::Running { .. } => running += 1,
            ContainerState::Exited(t) => {
                stopped += 1;
                if t.exit_code == 0 {
                    succeeded += 1;
                }
            }
            ContainerState::Waiting { .. } => {
                if c.last_terminated.is_some() {
                    stopped += 1;
                } else {
                    waiting += 1;
                }
            }
        }
    }
    let _ = &mut unknown;
    let policy = rt.restart_policy();
    if failed_init > 0 && policy == "Never" {
        return "Failed";
    }
    if (pending_init > 0 && !rt.any_regular_started()) || waiting > 0 {
        return "Pending";
    }
    if running > 0 && unknown == 0 {
        return "Running";
    }
    if running == 0 && stopped > 0 && unknown == 0 {
        if pod_is_terminal && !rt.is_static {
            return if stopped == succeeded { "Succeeded" } else { "Failed" };
        }
        if policy == "Always" {
            return "Running";
        }
        if stopped == succeeded {
            return "Succeeded";
        }
        if policy == "Never" {
            return "Failed";
        }
        return "Running";
    }
    "Pending"
}

fn condition(type_: &str, ok: bool, reason: Option<&str>, message: Option<String>) -> PodCondition {
    PodCondition {
        type_: type_.to_string(),
        status: if ok { "True" } else { "False" }.to_string(),
        reason: reason.map(str::to_string),
        message,
        last_probe_time: None,
        last_transition_time: None,
        observed_generation: None,
    }
}

fn bracket(names: &[&str]) -> String {
    format!("[{}]", names.join(" "))
}

/// The full status for the pod: `old` supplies what the kubelet keeps
/// (non-kubelet conditions, transition times, qosClass, reason/message).
pub fn generate(rt: &PodRuntime, old: &PodStatus, node_ip: &str, now: Timestamp, pod_is_terminal: bool) -> PodStatus {
    let init_statuses: Vec<ContainerStatus> = rt.containers.iter().filter(|c| c.init).map(container_status).collect();
    let statuses: Vec<ContainerStatus> = rt.containers.iter().filter(|c| !c.init).map(container_status).collect();
    let mut phase = phase(rt, pod_is_terminal).to_string();
    // Pods never leave a terminal phase.
    if let Some(p) = old.phase.as_deref().filter(|p| *p == "Succeeded" || *p == "Failed") {
        phase = p.to_string();
    }
    let terminal_phase = phase == "Succeeded" || phase == "Failed";

    // PodReadyToStartContainers: the sandbox exists with its network.
    let sandbox_cond = condition("PodReadyToStartContainers", rt.sandbox_ready && !rt.terminal, None, None);

    // Initialized (GeneratePodInitializedCondition).
    let incomplete: Vec<&str> = rt
        .containers
        .iter()
        .filter(|c| c.init)
        .filter(|c| if c.sidecar { !c.started } else { !matches!(&c.state, ContainerState::Exited(t) if t.exit_code == 0) })
        .map(|c| c.name())
        .collect();
    let initialized = if phase == "Succeeded" {
        condition("Initialized", true, Some("PodCompleted"), None)
    } else if rt.any_regular_started() || incomplete.is_empty() {
        condition("Initialized", true, None, None)
    } else {
        condition("Initialized", false, Some("ContainersNotInitialized"), Some(format!("containers with incomplete status: {}", bracket(&incomplete))))
    };

    // ContainersReady and Ready (GenerateContainersReadyCondition).
    let unready: Vec<&str> = rt.containers.iter().filter(|c| !c.init || c.sidecar).filter(|c| !c.ready).map(|c| c.name()).collect();
    let containers_ready = |type_: &str| {
        if phase == "Succeeded" {
            condition(type_, false, Some("PodCompleted"), None)
        } else if phase == "Failed" {
            condition(type_, false, Some("PodFailed"), None)
        } else if !unready.is_empty() {
            condition(type_, false, Some("ContainersNotReady"), Some(format!("containers with unready status: {}", bracket(&unready))))
        } else {
            condition(type_, true, None, None)
        }
    };
    let ready = containers_ready("Ready");
    let cready = containers_ready("ContainersReady");

    let owned = ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"];
    let old_conds = old.conditions.clone().unwrap_or_default();
    let mut conditions: Vec<PodCondition> = old_conds.iter().filter(|c| !owned.contains(&c.type_.as_str())).cloned().collect();
    for mut c in [sandbox_cond, initialized, ready, cready, condition("PodScheduled", true, None, None)] {
        // The status manager keeps lastTransitionTime while the status holds.
        c.last_transition_time = match old_conds.iter().find(|o| o.type_ == c.type_) {
            Some(o) if o.status == c.status => o.last_transition_time.clone(),
            _ => Some(time(now)),
        };
        c.observed_generation = rt.generation;
        conditions.push(c);
    }

    let mut s = PodStatus {
        phase: Some(phase),
        conditions: Some(conditions),
        host_ip: Some(node_ip.to_string()),
        host_ips: Some(vec![HostIP { ip: node_ip.to_string() }]),
        start_time: Some(time(rt.start_time)),
        qos_class: old.qos_class.clone(),
        observed_generation: rt.generation,
        container_statuses: Some(statuses),
        init_container_statuses: (!init_statuses.is_empty()).then_some(init_statuses),
        reason: old.reason.clone(),
        message: old.message.clone(),
        nominated_node_name: old.nominated_node_name.clone(),
        ..Default::default()
    };
    // The IP stays in the status once reported, also after the sandbox is gone.
    let ip = rt.ip.clone().or_else(|| old.pod_ip.clone());
    if let Some(ip) = ip {
        s.pod_ips = Some(vec![PodIP { ip: ip.clone() }]);
        s.pod_ip = Some(ip);
    }
    let _ = terminal_phase;
    s
}
