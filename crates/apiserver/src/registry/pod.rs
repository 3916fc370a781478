//! Pods: pkg/registry/core/pod/strategy.go, pkg/apis/core/v1/defaults.go,
//! pkg/apis/core/validation (ValidatePodSpec and friends).

use apimachinery::field::{BadValue, FieldError};
use apimachinery::k8s_openapi::api::core::v1::{Container, Pod, PodCondition, PodSpec, PodStatus};
use apimachinery::k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use apimachinery::names;

pub fn prepare_for_create(p: &mut Pod) {
    let qos = p.spec.as_ref().map(qos_class).unwrap_or("BestEffort");
    p.status = Some(PodStatus { phase: Some("Pending".into()), qos_class: Some(qos.into()), ..Default::default() });
}

/// The parsed tag of an image reference is `latest` when none is given.
pub fn image_tag_is_latest(image: &str) -> bool {
    if image.contains('@') {
        return false;
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':') {
        Some((_, tag)) => tag == "latest",
        None => true,
    }
}

fn default_container(c: &mut Container) {
    if c.termination_message_path.is_none() {
        c.termination_message_path = Some("/dev/termination-log".into());
    }
    if c.termination_message_policy.is_none() {
        c.termination_message_policy = Some("File".into());
    }
    if c.image_pull_policy.is_none() {
        let image = c.image.clone().unwrap_or_default();
        c.image_pull_policy = Some(if image_tag_is_latest(&image) { "Always" } else { "IfNotPresent" }.into());
    }
    for p in c.ports.iter_mut().flatten() {
        if p.protocol.is_none() {
            p.protocol = Some("TCP".into());
        }
    }
    // Requests default to limits when only limits are given.
    if let Some(res) = c.resources.as_mut() {
        if let Some(limits) = res.limits.clone() {
            let requests = res.requests.get_or_insert_with(Default::default);
            for (k, v) in limits {
                requests.entry(k).or_insert(v);
            }
        }
    }
    for probe in [c.liveness_probe.as_mut(), c.readiness_probe.as_mut(), c.startup_probe.as_mut()].into_iter().flatten() {
        probe.timeout_seconds.get_or_insert(1);
        probe.period_seconds.get_or_insert(10);
        probe.success_threshold.get_or_insert(1);
        probe.failure_threshold.get_or_insert(3);
        if let Some(h) = probe.http_get.as_mut() {
            h.path.get_or_insert_with(|| "/".into());
            h.scheme.get_or_insert_with(|| "HTTP".into());
        }
    }
}

/// SetDefaults_PodSpec (+ SetDefaults_Pod's enableServiceLinks for pods).
pub fn default_pod_spec(spec: &mut PodSpec, is_pod: bool) {
    spec.dns_policy.get_or_insert_with(|| "ClusterFirst".into());
    spec.restart_policy.get_or_insert_with(|| "Always".into());
    spec.security_context.get_or_insert_with(Default::default);
    spec.termination_grace_period_seconds.get_or_insert(30);
    spec.scheduler_name.get_or_insert_with(|| "default-scheduler".into());
    if is_pod {
        spec.enable_service_links.get_or_insert(true);
    }
    for c in spec.init_containers.iter_mut().flatten().chain(spec.containers.iter_mut()) {
        default_container(c);
    }
    for v in spec.volumes.iter_mut().flatten() {
        let has_source = v.empty_dir.is_some()
            || v.host_path.is_some()
            || v.config_map.is_some()
            || v.secret.is_some()
            || v.projected.is_some()
            || v.persistent_volume_claim.is_some()
            || v.downward_api.is_some()
            || v.nfs.is_some();
        if !has_source {
            v.empty_dir = Some(Default::default());
        }
        if let Some(cm) = v.config_map.as_mut() {
            cm.default_mode.get_or_insert(420);
        }
        if let Some(s) = v.secret.as_mut() {
            s.default_mode.get_or_insert(420);
        }
    }
}

/// The QoS class (pkg/apis/core/helper/qos).
pub fn qos_class(spec: &PodSpec) -> &'static str {
    let containers: Vec<&Container> = spec.init_containers.iter().flatten().chain(spec.containers.iter()).collect();
    let mut any = false;
    let mut guaranteed = true;
    for c in &containers {
        let res = c.resources.as_ref();
        let req = res.and_then(|r| r.requests.as_ref());
        let lim = res.and_then(|r| r.limits.as_ref());
        if req.is_some_and(|r| !r.is_empty()) || lim.is_some_and(|l| !l.is_empty()) {
            any = true;
        }
        for name in ["cpu", "memory"] {
            let l = lim.and_then(|l| l.get(name));
            let r = req.and_then(|r| r.get(name)).or(l);
            if l.is_none() || r.map(|q| apimachinery::quantity::milli(q)) != l.map(|q| apimachinery::quantity::milli(q)) {
                guaranteed = false;
            }
        }
    }
    if !any {
        "BestEffort"
    } else if guaranteed {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

pub fn validate_pod(p: &Pod) -> Vec<FieldError> {
    let mut errs = vec![];
    match p.spec.as_ref() {
        None => errs.push(FieldError::required("spec.containers", "")),
        Some(spec) => {
            errs.extend(validate_pod_spec(spec, "spec"));
            for (i, c) in spec.containers.iter().enumerate() {
                if let Some(img) = c.image.as_deref() {
                    if img != img.trim() {
                        errs.push(FieldError::invalid(format!("spec.containers[{i}].image"), BadValue::Str(img.into()), "must not have leading or trailing whitespace"));
                    }
                }
            }
        }
    }
    errs
}

fn validate_container(c: &Container, path: &str, errs: &mut Vec<FieldError>) {
    if c.name.is_empty() {
        errs.push(FieldError::required(format!("{path}.name"), ""));
    } else {
        for p in names::dns1123_label(&c.name) {
            errs.push(FieldError::invalid(format!("{path}.name"), BadValue::Str(c.name.clone()), p));
        }
    }
    if c.image.as_deref().is_none_or(|i| i.trim().is_empty()) {
        errs.push(FieldError::required(format!("{path}.image"), ""));
    }
    for (j, port) in c.ports.iter().flatten().enumerate() {
        let pp = format!("{path}.ports[{j}]");
        if port.container_port == 0 {
            errs.push(FieldError::required(format!("{pp}.containerPort"), ""));
        } else if !(1..=65535).contains(&port.container_port) {
            errs.push(FieldError::invalid(format!("{pp}.containerPort"), BadValue::Int(port.container_port as i64), "must be between 1 and 65535, inclusive"));
        }
        if let Some(hp) = port.host_port {
            if hp != 0 && !(1..=65535).contains(&hp) {
                errs.push(FieldError::invalid(format!("{pp}.hostPort"), BadValue::Int(hp as i64), "must be between 1 and 65535, inclusive"));
            }
        }
        match port.protocol.as_deref() {
            None | Some("") => errs.push(FieldError::required(format!("{pp}.protocol"), "")),
            Some("TCP" | "UDP" | "SCTP") => {}
            Some(other) => errs.push(FieldError::unsupported(format!("{pp}.protocol"), BadValue::Str(other.into()), &["SCTP", "TCP", "UDP"])),
        }
    }
    match c.image_pull_policy.as_deref() {
        None | Some("") => errs.push(FieldError::required(format!("{path}.imagePullPolicy"), "")),
        Some("Always" | "IfNotPresent" | "Never") => {}
        Some(other) => errs.push(FieldError::unsupported(format!("{path}.imagePullPolicy"), BadValue::Str(other.into()), &["Always", "IfNotPresent", "Never"])),
    }
}

/// ValidatePodSpec: volumes, containers, policies.
pub fn validate_pod_spec(spec: &PodSpec, path: &str) -> Vec<FieldError> {
    let mut errs = vec![];
    let mut volume_names = vec![];
    for (i, v) in spec.volumes.iter().flatten().enumerate() {
        let vp = format!("{path}.volumes[{i}]");
        if v.name.is_empty() {
            errs.push(FieldError::required(format!("{vp}.name"), ""));
        } else {
            for p in names::dns1123_label(&v.name) {
                errs.push(FieldError::invalid(format!("{vp}.name"), BadValue::Str(v.name.clone()), p));
            }
            if volume_names.contains(&v.name) {
                errs.push(FieldError::duplicate(format!("{vp}.name"), BadValue::Str(v.name.clone())));
            }
            volume_names.push(v.name.clone());
        }
    }
    for (i, c) in spec.init_containers.iter().flatten().enumerate() {
        validate_container(c, &format!("{path}.initContainers[{i}]"), &mut errs);
    }
    if spec.containers.is_empty() {
        errs.push(FieldError::required(format!("{path}.containers"), ""));
    }
    let mut seen: Vec<&str> = spec.init_containers.iter().flatten().map(|c| c.name.as_str()).collect();
    for (i, c) in spec.containers.iter().enumerate() {
        let cp = format!("{path}.containers[{i}]");
        validate_container(c, &cp, &mut errs);
        if !c.name.is_empty() && seen.contains(&c.name.as_str()) {
            errs.push(FieldError::duplicate(format!("{cp}.name"), BadValue::Str(c.name.clone())));
        }
        seen.push(&c.name);
        for (j, m) in c.volume_mounts.iter().flatten().enumerate() {
            if !volume_names.contains(&m.name) {
                errs.push(FieldError::not_found(format!("{cp}.volumeMounts[{j}].name"), BadValue::Str(m.name.clone())));
            }
            if m.mount_path.is_empty() {
                errs.push(FieldError::required(format!("{cp}.volumeMounts[{j}].mountPath"), ""));
            }
        }
    }
    match spec.restart_policy.as_deref() {
        None | Some("") => errs.push(FieldError::required(format!("{path}.restartPolicy"), "")),
        Some("Always" | "OnFailure" | "Never") => {}
        Some(other) => errs.push(FieldError::unsupported(format!("{path}.restartPolicy"), BadValue::Str(other.into()), &["Always", "OnFailure", "Never"])),
    }
    match spec.dns_policy.as_deref() {
        None | Some("") => errs.push(FieldError::required(format!("{path}.dnsPolicy"), "")),
        Some("ClusterFirstWithHostNet" | "ClusterFirst" | "Default" | "None") => {}
        Some(other) => errs.push(FieldError::unsupported(
            format!("{path}.dnsPolicy"),
            BadValue::Str(other.into()),
            &["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"],
        )),
    }
    if let Some(node) = spec.node_name.as_deref().filter(|n| !n.is_empty()) {
        for p in names::dns1123_subdomain(node) {
            errs.push(FieldError::invalid(format!("{path}.nodeName"), BadValue::Str(node.into()), p));
        }
    }
    errs
}

pub fn warnings(p: &Pod) -> Vec<String> {
    let name = p.metadata.name.clone().unwrap_or_default();
    if !name.is_empty() && names::dns1123_subdomain(&name).is_empty() {
        let label = names::dns1123_label(&name);
        if !label.is_empty() {
            return vec![format!(
                "metadata.name: this is used in the Pod's hostname, which can result in surprising behavior; a DNS label is recommended: [{}]",
                label.join(" ")
            )];
        }
    }
    vec![]
}

pub fn validate_pod_update(new: &Pod, old: &Pod) -> Vec<FieldError> {
    let (Some(ns), Some(os)) = (new.spec.as_ref(), old.spec.as_ref()) else { return vec![] };
    if ns.containers.len() != os.containers.len() {
        return vec![FieldError::forbidden("spec.containers", "pod updates may not add or remove containers")];
    }
    // Only images, activeDeadlineSeconds, added tolerations and a negative
    // grace period may change.
    let mut masked = ns.clone();
    for (c, o) in masked.containers.iter_mut().zip(os.containers.iter()) {
        c.image = o.image.clone();
    }
    for (c, o) in masked.init_containers.iter_mut().flatten().zip(os.init_containers.iter().flatten()) {
        c.image = o.image.clone();
    }
    masked.active_deadline_seconds = os.active_deadline_seconds;
    let old_tolerations = os.tolerations.clone().unwrap_or_default();
    let tolerations_ok = old_tolerations.iter().all(|t| ns.tolerations.iter().flatten().any(|n| n == t));
    if tolerations_ok {
        masked.tolerations = os.tolerations.clone();
    }
    if masked != *os {
        return vec![FieldError::forbidden(
            "spec",
            "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
        )];
    }
    vec![]
}

/// CheckGracefulDelete for pods.
pub fn grace_period(p: &Pod, requested: Option<i64>) -> i64 {
    let spec = p.spec.as_ref();
    let mut period = requested.or(spec.and_then(|s| s.termination_grace_period_seconds)).unwrap_or(30);
    let unscheduled = spec.and_then(|s| s.node_name.as_deref()).is_none_or(str::is_empty);
    let phase = p.status.as_ref().and_then(|s| s.phase.as_deref());
    if unscheduled || matches!(phase, Some("Failed" | "Succeeded")) {
        period = 0;
    }
    if period < 0 { 1 } else { period }
}

/// Sets a pod condition, moving lastTransitionTime only when the status changes.
pub fn set_condition(status: &mut PodStatus, type_: &str, value: &str, reason: Option<&str>, message: Option<&str>, now: Time) {
    let conds = status.conditions.get_or_insert_with(Vec::new);
    if let Some(c) = conds.iter_mut().find(|c| c.type_ == type_) {
        if c.status != value {
            c.last_transition_time = Some(now);
        }
        c.status = value.to_string();
        c.reason = reason.map(str::to_string);
        c.message = message.map(str::to_string);
        return;
    }
    conds.push(PodCondition {
        type_: type_.to_string(),
        status: value.to_string(),
        reason: reason.map(str::to_string),
        message: message.map(str::to_string),
        last_transition_time: Some(now),
        last_probe_time: None,
        observed_generation: None,
    });
}
