//! Pods: pkg/registry/core/pod/strategy.go, pkg/apis/core/v1/defaults.go
//! (SetDefaults_Pod, SetDefaults_PodSpec, SetDefaults_Container, probes,
//! volumes), and pkg/apis/core/validation/validation.go (ValidatePodCreate,
//! ValidatePodSpec, validateContainers, ValidatePodUpdate), in the order
//! Kubernetes reports errors.

use super::validation::{
    dns1123_label, dns1123_subdomain, env_var_name, json_value, label_key, label_value, non_negative, port_name, port_num, str_value,
    validate_labels, validate_object_meta, validate_object_meta_update,
};
use apimachinery::field::{BadValue, FieldError};
use apimachinery::k8s_openapi::api::core::v1::{Container, Pod, PodCondition, PodSpec, PodStatus, Probe, Toleration, Volume};
use apimachinery::k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use apimachinery::k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use apimachinery::{Kind, quantity};
use std::collections::BTreeSet;

pub fn prepare_for_create(p: &mut Pod) {
    let qos = p.spec.as_ref().map(qos_class).unwrap_or("BestEffort");
    p.status = Some(PodStatus { phase: Some("Pending".into()), qos_class: Some(qos.into()), ..Default::default() });
}

/// Whether the parsed tag of an image reference is `latest`
/// (parsers.ParseImageName): no tag and no digest means `latest`; a
/// reference that does not parse (empty, upper-case repository) has no tag.
pub fn image_tag_is_latest(image: &str) -> bool {
    let (name, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (image, None),
    };
    let last = name.rsplit('/').next().unwrap_or(name);
    let (repo, tag) = match last.split_once(':') {
        Some((r, t)) => (&name[..name.len() - last.len() + r.len()], Some(t)),
        None => (name, None),
    };
    if repo.is_empty() || repo.bytes().any(|b| b.is_ascii_uppercase()) {
        return false;
    }
    match tag {
        Some(tag) => tag == "latest",
        None => digest.is_none(),
    }
}

/// Go's `if x == "" { x = default }`: absent and empty strings both default.
fn default_str(field: &mut Option<String>, value: &str) {
    if field.as_deref().is_none_or(str::is_empty) {
        *field = Some(value.to_string());
    }
}

/// Go's `if x == 0 { x = default }` for non-pointer ints.
fn default_int(field: &mut Option<i32>, value: i32) {
    if field.is_none_or(|v| v == 0) {
        *field = Some(value);
    }
}

/// SetDefaults_Probe and SetDefaults_HTTPGetAction.
fn default_probe(probe: &mut Probe) {
    default_int(&mut probe.timeout_seconds, 1);
    default_int(&mut probe.period_seconds, 10);
    default_int(&mut probe.success_threshold, 1);
    default_int(&mut probe.failure_threshold, 3);
    if let Some(h) = probe.http_get.as_mut() {
        default_str(&mut h.path, "/");
        default_str(&mut h.scheme, "HTTP");
    }
}

/// SetDefaults_Container, SetDefaults_ContainerPort, probes and env field refs.
fn default_container(c: &mut Container) {
    if c.image_pull_policy.as_deref().is_none_or(str::is_empty) {
        let latest = image_tag_is_latest(c.image.as_deref().unwrap_or_default());
        c.image_pull_policy = Some(if latest { "Always" } else { "IfNotPresent" }.into());
    }
    default_str(&mut c.termination_message_path, "/dev/termination-log");
    default_str(&mut c.termination_message_policy, "File");
    for p in c.ports.iter_mut().flatten() {
        default_str(&mut p.protocol, "TCP");
    }
    for probe in [c.liveness_probe.as_mut(), c.readiness_probe.as_mut(), c.startup_probe.as_mut()].into_iter().flatten() {
        default_probe(probe);
    }
    for lh in c.lifecycle.iter_mut().flat_map(|l| [l.post_start.as_mut(), l.pre_stop.as_mut()]).flatten() {
        if let Some(h) = lh.http_get.as_mut() {
            default_str(&mut h.path, "/");
            default_str(&mut h.scheme, "HTTP");
        }
    }
    for e in c.env.iter_mut().flatten() {
        if let Some(f) = e.value_from.as_mut().and_then(|v| v.field_ref.as_mut()) {
            default_str(&mut f.api_version, "v1");
        }
    }
}

/// SetDefaults_Volume (no source: emptyDir) and the per-source defaults.
fn default_volume(v: &mut Volume) {
    let has_source = serde_json::to_value(&*v).ok().and_then(|j| j.as_object().map(|o| o.keys().any(|k| k != "name"))).unwrap_or(false);
    if !has_source {
        v.empty_dir = Some(Default::default());
    }
    if let Some(h) = v.host_path.as_mut() {
        h.type_.get_or_insert_with(String::new);
    }
    if let Some(s) = v.secret.as_mut() {
        s.default_mode.get_or_insert(420);
    }
    if let Some(cm) = v.config_map.as_mut() {
        cm.default_mode.get_or_insert(420);
    }
    if let Some(d) = v.downward_api.as_mut() {
        d.default_mode.get_or_insert(420);
        for f in d.items.iter_mut().flatten() {
            if let Some(r) = f.field_ref.as_mut() {
                default_str(&mut r.api_version, "v1");
            }
        }
    }
    if let Some(p) = v.projected.as_mut() {
        p.default_mode.get_or_insert(420);
        for s in p.sources.iter_mut().flatten() {
            if let Some(t) = s.service_account_token.as_mut() {
                t.expiration_seconds.get_or_insert(3600);
            }
        }
    }
}

/// SetDefaults_PodSpec; with `is_pod` also SetDefaults_Pod (service links,
/// requests from limits, host-network ports), which templates do not get.
pub fn default_pod_spec(spec: &mut PodSpec, is_pod: bool) {
    default_str(&mut spec.dns_policy, "ClusterFirst");
    default_str(&mut spec.restart_policy, "Always");
    spec.security_context.get_or_insert_with(Default::default);
    spec.termination_grace_period_seconds.get_or_insert(30);
    default_str(&mut spec.scheduler_name, "default-scheduler");
    for c in spec.init_containers.iter_mut().flatten().chain(spec.containers.iter_mut()) {
        default_container(c);
    }
    for v in spec.volumes.iter_mut().flatten() {
        default_volume(v);
    }
    if is_pod {
        spec.enable_service_links.get_or_insert(true);
        // Requests default to limits when only limits are given (pods only).
        for c in spec.containers.iter_mut() {
            if let Some(res) = c.resources.as_mut()
                && let Some(limits) = res.limits.clone() {
                    let requests = res.requests.get_or_insert_with(Default::default);
                    for (k, v) in limits {
                        requests.entry(k).or_insert(v);
                    }
                }
        }
        if spec.host_network == Some(true) {
            for c in spec.init_containers.iter_mut().flatten().chain(spec.containers.iter_mut()) {
                for p in c.ports.iter_mut().flatten() {
                    if p.host_port.is_none_or(|h| h == 0) {
                        p.host_port = Some(p.container_port);
                    }
                }
            }
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
            if l.is_none() || r.map(quantity::milli) != l.map(quantity::milli) {
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

// ---- validation ----------------------------------------------------------

/// The volume sources in validateVolumeSource's order, as (JSON key, the
/// path segment Kubernetes reports for a second source; note its typos).
const VOLUME_SOURCES: &[(&str, &str)] = &[
    ("emptyDir", "emptyDir"),
    ("hostPath", "hostPath"),
    ("gitRepo", "gitRepo"),
    ("gcePersistentDisk", "gcePersistentDisk"),
    ("awsElasticBlockStore", "awsElasticBlockStore"),
    ("secret", "secret"),
    ("nfs", "nfs"),
    ("iscsi", "iscsi"),
    ("glusterfs", "glusterfs"),
    ("flocker", "flocker"),
    ("persistentVolumeClaim", "persistentVolumeClaim"),
    ("rbd", "rbd"),
    ("cinder", "cinder"),
    ("cephfs", "cephFS"),
    ("quobyte", "quobyte"),
    ("downwardAPI", "downwarAPI"),
    ("fc", "fc"),
    ("flexVolume", "flexVolume"),
    ("configMap", "configMap"),
    ("azureFile", "azureFile"),
    ("vsphereVolume", "vsphereVolume"),
    ("photonPersistentDisk", "photonPersistentDisk"),
    ("portworxVolume", "portworxVolume"),
    ("azureDisk", "azureDisk"),
    ("storageos", "storageos"),
    ("projected", "projected"),
    ("scaleIO", "scaleIO"),
    ("csi", "csi"),
    ("ephemeral", "ephemeral"),
    ("image", "image"),
];

fn validate_volume_source(v: &Volume, path: &str) -> Vec<FieldError> {
    let mut errs = vec![];
    let json = serde_json::to_value(v).unwrap_or_default();
    let mut count = 0;
    for (key, seg) in VOLUME_SOURCES {
        if json.get(key).is_none() {
            continue;
        }
        if count > 0 {
            errs.push(FieldError::forbidden(format!("{path}.{seg}"), "may not specify more than 1 volume type"));
            continue;
        }
        count += 1;
        match *key {
            "hostPath" => {
                if let Some(h) = v.host_path.as_ref() {
                    if h.path.is_empty() {
                        errs.push(FieldError::required(format!("{path}.hostPath.path"), ""));
                    } else if let Some(t) = h.type_.as_deref() {
                        const TYPES: &[&str] = &["", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"];
                        if !TYPES.contains(&t) {
                            errs.push(FieldError::unsupported(format!("{path}.hostPath.type"), str_value(t), TYPES));
                        }
                    }
                }
            }
            "secret"
                if v.secret.as_ref().is_some_and(|s| s.secret_name.as_deref().is_none_or(str::is_empty)) => {
                    errs.push(FieldError::required(format!("{path}.secret.secretName"), ""));
                }
            "configMap"
                if v.config_map.as_ref().is_some_and(|c| c.name.is_empty()) => {
                    errs.push(FieldError::required(format!("{path}.configMap.name"), ""));
                }
            "persistentVolumeClaim"
                if v.persistent_volume_claim.as_ref().is_some_and(|c| c.claim_name.is_empty()) => {
                    errs.push(FieldError::required(format!("{path}.persistentVolumeClaim.claimName"), ""));
                }
            _ => {}
        }
    }
    if count == 0 {
        errs.push(FieldError::required(path, "must specify a volume type"));
    }
    errs
}

/// ValidateVolumes: returns the names of the valid volumes and the errors.
fn validate_volumes(volumes: &[Volume], path: &str) -> (BTreeSet<String>, Vec<FieldError>) {
    let mut names = BTreeSet::new();
    let mut errs = vec![];
    for (i, v) in volumes.iter().enumerate() {
        let vp = format!("{path}[{i}]");
        let mut el = validate_volume_source(v, &vp);
        if v.name.is_empty() {
            el.push(FieldError::required(format!("{vp}.name"), ""));
        } else {
            el.extend(dns1123_label(&v.name).into_iter().map(|m| FieldError::invalid(format!("{vp}.name"), str_value(&v.name), m)));
        }
        if names.contains(&v.name) {
            el.push(FieldError::duplicate(format!("{vp}.name"), str_value(&v.name)));
        }
        if el.is_empty() {
            names.insert(v.name.clone());
        } else {
            errs.extend(el);
        }
    }
    (names, errs)
}

fn validate_port_num_or_name(port: &IntOrString, path: &str, errs: &mut Vec<FieldError>) {
    match port {
        IntOrString::Int(p) => errs.extend(port_num(*p as i64).map(|m| FieldError::invalid(path, BadValue::Int(*p as i64), m))),
        IntOrString::String(s) => errs.extend(port_name(s).into_iter().map(|m| FieldError::invalid(path, str_value(s), m))),
    }
}

/// validateHandler for probes and lifecycle hooks.
fn validate_handler(probe_like: &serde_json::Value, path: &str, errs: &mut Vec<FieldError>) {
    let mut handlers = 0;
    for key in ["exec", "httpGet", "tcpSocket", "grpc", "sleep"] {
        let Some(h) = probe_like.get(key) else { continue };
        if handlers > 0 {
            errs.push(FieldError::forbidden(format!("{path}.{key}"), "may not specify more than 1 handler type"));
            continue;
        }
        handlers += 1;
        let hp = format!("{path}.{key}");
        match key {
            "exec"
                if h.get("command").and_then(|c| c.as_array()).is_none_or(|c| c.is_empty()) => {
                    errs.push(FieldError::required(format!("{hp}.command"), ""));
                }
            "httpGet" => {
                if h.get("path").and_then(|p| p.as_str()).is_none_or(str::is_empty) {
                    errs.push(FieldError::required(format!("{hp}.path"), ""));
                }
                if let Ok(port) = serde_json::from_value::<IntOrString>(h.get("port").cloned().unwrap_or_default()) {
                    validate_port_num_or_name(&port, &format!("{hp}.port"), errs);
                }
                let scheme = h.get("scheme").and_then(|s| s.as_str()).unwrap_or_default();
                if !["HTTP", "HTTPS"].contains(&scheme) {
                    errs.push(FieldError::unsupported(format!("{hp}.scheme"), str_value(scheme), &["HTTP", "HTTPS"]));
                }
            }
            "tcpSocket" => {
                if let Ok(port) = serde_json::from_value::<IntOrString>(h.get("port").cloned().unwrap_or_default()) {
                    validate_port_num_or_name(&port, &format!("{hp}.port"), errs);
                }
            }
            "grpc" => {
                let port = h.get("port").and_then(|p| p.as_i64()).unwrap_or(0);
                errs.extend(port_num(port).map(|m| FieldError::invalid(format!("{hp}.port"), BadValue::Int(port), m)));
            }
            _ => {}
        }
    }
    if handlers == 0 {
        errs.push(FieldError::required(path, "must specify a handler type"));
    }
}

/// validateProbe plus the liveness/startup `successThreshold` rule.
fn validate_probe(probe: Option<&Probe>, path: &str, success_must_be_one: bool, errs: &mut Vec<FieldError>) {
    let Some(probe) = probe else { return };
    validate_handler(&serde_json::to_value(probe).unwrap_or_default(), path, errs);
    for (name, v) in [
        ("initialDelaySeconds", probe.initial_delay_seconds),
        ("timeoutSeconds", probe.timeout_seconds),
        ("periodSeconds", probe.period_seconds),
        ("successThreshold", probe.success_threshold),
        ("failureThreshold", probe.failure_threshold),
    ] {
        errs.extend(non_negative(&format!("{path}.{name}"), v.unwrap_or(0) as i64));
    }
    if let Some(t) = probe.termination_grace_period_seconds.filter(|t| *t <= 0) {
        errs.push(FieldError::invalid(format!("{path}.terminationGracePeriodSeconds"), BadValue::Int(t), "must be greater than 0"));
    }
    let success = probe.success_threshold.unwrap_or(0);
    if success_must_be_one && success != 1 {
        errs.push(FieldError::invalid(format!("{path}.successThreshold"), BadValue::Int(success as i64), "must be 1"));
    }
    if !success_must_be_one
        && let Some(t) = probe.termination_grace_period_seconds {
            errs.push(FieldError::invalid(format!("{path}.terminationGracePeriodSeconds"), BadValue::Int(t), "must not be set for readinessProbes"));
        }
}

fn is_standard_container_resource(name: &str) -> bool {
    matches!(name, "cpu" | "memory" | "ephemeral-storage") || name.starts_with("hugepages-")
}

/// ValidateContainerResourceRequirements (names, non-negative quantities,
/// requests not above limits).
fn validate_resources(c: &Container, path: &str, errs: &mut Vec<FieldError>) {
    let Some(res) = c.resources.as_ref() else { return };
    let empty = Default::default();
    let limits = res.limits.as_ref().unwrap_or(&empty);
    let requests = res.requests.as_ref().unwrap_or(&empty);
    for (list, seg) in [(limits, "limits"), (requests, "requests")] {
        for (name, q) in list {
            let fp = format!("{path}.{seg}[{name}]");
            let key_errs = label_key(name);
            if !key_errs.is_empty() {
                errs.extend(key_errs.into_iter().map(|m| FieldError::invalid(fp.clone(), str_value(name), m)));
            } else if !name.contains('/') && !is_standard_container_resource(name) {
                errs.push(FieldError::invalid(fp.clone(), str_value(name), "must be a standard resource for containers"));
            }
            if quantity::milli(q) < 0 {
                errs.push(FieldError::invalid(fp.clone(), str_value(&q.0), "must be greater than or equal to 0"));
            }
            if seg == "requests"
                && let Some(l) = limits.get(name)
                    && quantity::milli(q) > quantity::milli(l) {
                        errs.push(FieldError::invalid(
                            format!("{path}.requests"),
                            str_value(&q.0),
                            format!("must be less than or equal to {name} limit of {}", l.0),
                        ));
                    }
        }
    }
}

/// validateContainerCommon: name, image, terminationMessagePolicy, ports,
/// env, volumeMounts, imagePullPolicy, resources.
fn validate_container_common(c: &Container, volumes: &BTreeSet<String>, path: &str, errs: &mut Vec<FieldError>) {
    if c.name.is_empty() {
        errs.push(FieldError::required(format!("{path}.name"), ""));
    } else {
        errs.extend(dns1123_label(&c.name).into_iter().map(|m| FieldError::invalid(format!("{path}.name"), str_value(&c.name), m)));
    }
    if c.image.as_deref().is_none_or(str::is_empty) {
        errs.push(FieldError::required(format!("{path}.image"), ""));
    }
    match c.termination_message_policy.as_deref().unwrap_or_default() {
        "File" | "FallbackToLogsOnError" => {}
        "" => errs.push(FieldError::required(format!("{path}.terminationMessagePolicy"), "")),
        other => errs.push(FieldError::unsupported(format!("{path}.terminationMessagePolicy"), str_value(other), &["File", "FallbackToLogsOnError"])),
    }
    // validateContainerPorts
    let mut port_names = BTreeSet::new();
    for (j, port) in c.ports.iter().flatten().enumerate() {
        let pp = format!("{path}.ports[{j}]");
        if let Some(n) = port.name.as_deref().filter(|n| !n.is_empty()) {
            let msgs = port_name(n);
            if !msgs.is_empty() {
                errs.extend(msgs.into_iter().map(|m| FieldError::invalid(format!("{pp}.name"), str_value(n), m)));
            } else if !port_names.insert(n.to_string()) {
                errs.push(FieldError::duplicate(format!("{pp}.name"), str_value(n)));
            }
        }
        if port.container_port == 0 {
            errs.push(FieldError::required(format!("{pp}.containerPort"), ""));
        } else if let Some(m) = port_num(port.container_port as i64) {
            errs.push(FieldError::invalid(format!("{pp}.containerPort"), BadValue::Int(port.container_port as i64), m));
        }
        if let Some(hp) = port.host_port.filter(|h| *h != 0) {
            errs.extend(port_num(hp as i64).map(|m| FieldError::invalid(format!("{pp}.hostPort"), BadValue::Int(hp as i64), m)));
        }
        match port.protocol.as_deref().unwrap_or_default() {
            "" => errs.push(FieldError::required(format!("{pp}.protocol"), "")),
            "TCP" | "UDP" | "SCTP" => {}
            other => errs.push(FieldError::unsupported(format!("{pp}.protocol"), str_value(other), &["SCTP", "TCP", "UDP"])),
        }
    }
    // ValidateEnv
    for (j, e) in c.env.iter().flatten().enumerate() {
        let ep = format!("{path}.env[{j}]");
        if e.name.is_empty() {
            errs.push(FieldError::required(format!("{ep}.name"), ""));
        } else {
            errs.extend(env_var_name(&e.name).into_iter().map(|m| FieldError::invalid(format!("{ep}.name"), str_value(&e.name), m)));
        }
        if let Some(vf) = e.value_from.as_ref() {
            let sources = [vf.field_ref.is_some(), vf.resource_field_ref.is_some(), vf.config_map_key_ref.is_some(), vf.secret_key_ref.is_some()]
                .iter()
                .filter(|x| **x)
                .count();
            let vp = format!("{ep}.valueFrom");
            if sources == 0 {
                errs.push(FieldError::invalid(vp, str_value(""), "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"));
            } else if e.value.as_deref().is_some_and(|v| !v.is_empty()) {
                errs.push(FieldError::invalid(vp, str_value(""), "may not be specified when `value` is not empty"));
            } else if sources > 1 {
                errs.push(FieldError::invalid(vp, str_value(""), "may not have more than one field specified at a time"));
            }
        }
    }
    // ValidateVolumeMounts
    let mut mount_points = BTreeSet::new();
    for (j, m) in c.volume_mounts.iter().flatten().enumerate() {
        let mp = format!("{path}.volumeMounts[{j}]");
        if m.name.is_empty() {
            errs.push(FieldError::required(format!("{mp}.name"), ""));
        }
        if !volumes.contains(&m.name) {
            errs.push(FieldError::not_found(format!("{mp}.name"), str_value(&m.name)));
        }
        if m.mount_path.is_empty() {
            errs.push(FieldError::required(format!("{mp}.mountPath"), ""));
        }
        if !mount_points.insert(m.mount_path.clone()) {
            errs.push(FieldError::invalid(format!("{mp}.mountPath"), str_value(&m.mount_path), "must be unique"));
        }
    }
    match c.image_pull_policy.as_deref().unwrap_or_default() {
        "Always" | "IfNotPresent" | "Never" => {}
        "" => errs.push(FieldError::required(format!("{path}.imagePullPolicy"), "")),
        other => errs.push(FieldError::unsupported(format!("{path}.imagePullPolicy"), str_value(other), &["Always", "IfNotPresent", "Never"])),
    }
    validate_resources(c, &format!("{path}.resources"), errs);
}

/// AccumulateUniqueHostPorts: `proto/hostIP/port` must be unique.
fn check_host_ports(containers: &[(usize, &Container)], path: &str, seen: &mut BTreeSet<String>, errs: &mut Vec<FieldError>) {
    for (ci, c) in containers {
        for (pi, p) in c.ports.iter().flatten().enumerate() {
            let Some(hp) = p.host_port.filter(|h| *h != 0) else { continue };
            let key = format!("{}/{}/{}", p.protocol.as_deref().unwrap_or_default(), p.host_ip.as_deref().unwrap_or_default(), hp);
            if !seen.insert(key.clone()) {
                errs.push(FieldError::duplicate(format!("{path}[{ci}].ports[{pi}].hostPort"), str_value(&key)));
            }
        }
    }
}

fn validate_tolerations(tolerations: &[Toleration], path: &str, errs: &mut Vec<FieldError>) {
    for (i, t) in tolerations.iter().enumerate() {
        let tp = format!("{path}[{i}]");
        let key = t.key.as_deref().unwrap_or_default();
        let operator = t.operator.as_deref().unwrap_or_default();
        let effect = t.effect.as_deref().unwrap_or_default();
        let value = t.value.as_deref().unwrap_or_default();
        if !key.is_empty() {
            errs.extend(label_key(key).into_iter().map(|m| FieldError::invalid(format!("{tp}.key"), str_value(key), m)));
        }
        if key.is_empty() && operator != "Exists" {
            errs.push(FieldError::invalid(
                format!("{tp}.operator"),
                str_value(operator),
                "operator must be Exists when `key` is empty, which means \"match all values and all keys\"",
            ));
        }
        if t.toleration_seconds.is_some() && effect != "NoExecute" {
            errs.push(FieldError::invalid(format!("{tp}.effect"), str_value(effect), "effect must be 'NoExecute' when `tolerationSeconds` is set"));
        }
        match operator {
            "Equal" | "" => {
                let msgs = label_value(value);
                if !msgs.is_empty() {
                    errs.push(FieldError::invalid(format!("{tp}.operator"), str_value(value), msgs.join(";")));
                }
            }
            "Exists" => {
                if !value.is_empty() {
                    errs.push(FieldError::invalid(format!("{tp}.operator"), str_value(value), "value must be empty when `operator` is 'Exists'"));
                }
            }
            other => errs.push(FieldError::unsupported(format!("{tp}.operator"), str_value(other), &["Equal", "Exists"])),
        }
        if !effect.is_empty() && !["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(&effect) {
            errs.push(FieldError::unsupported(format!("{tp}.effect"), str_value(effect), &["NoSchedule", "PreferNoSchedule", "NoExecute"]));
        }
    }
}

/// ValidatePodSpec, in Kubernetes' order.
pub fn validate_pod_spec(spec: &PodSpec, path: &str) -> Vec<FieldError> {
    let mut errs = vec![];
    if spec.termination_grace_period_seconds.is_none() {
        errs.push(FieldError::required(format!("{path}.terminationGracePeriodSeconds"), ""));
    }
    let (volumes, vol_errs) = validate_volumes(spec.volumes.as_deref().unwrap_or_default(), &format!("{path}.volumes"));
    errs.extend(vol_errs);

    // validateContainers
    let cpath = format!("{path}.containers");
    if spec.containers.is_empty() {
        errs.push(FieldError::required(cpath.clone(), ""));
    } else {
        let mut names = BTreeSet::new();
        for (i, c) in spec.containers.iter().enumerate() {
            let p = format!("{cpath}[{i}]");
            validate_container_common(c, &volumes, &p, &mut errs);
            if !names.insert(c.name.clone()) {
                errs.push(FieldError::duplicate(format!("{p}.name"), str_value(&c.name)));
            }
            if let Some(l) = c.lifecycle.as_ref() {
                for (hook, seg) in [(l.post_start.as_ref(), "postStart"), (l.pre_stop.as_ref(), "preStop")] {
                    if let Some(h) = hook {
                        validate_handler(&serde_json::to_value(h).unwrap_or_default(), &format!("{p}.lifecycle.{seg}"), &mut errs);
                    }
                }
            }
            validate_probe(c.liveness_probe.as_ref(), &format!("{p}.livenessProbe"), true, &mut errs);
            validate_probe(c.readiness_probe.as_ref(), &format!("{p}.readinessProbe"), false, &mut errs);
            validate_probe(c.startup_probe.as_ref(), &format!("{p}.startupProbe"), true, &mut errs);
            if c.restart_policy.is_some() {
                errs.push(FieldError::forbidden(format!("{p}.restartPolicy"), "may not be set for non-init containers"));
            }
        }
        let all: Vec<(usize, &Container)> = spec.containers.iter().enumerate().collect();
        check_host_ports(&all, &cpath, &mut BTreeSet::new(), &mut errs);
    }

    // validateInitContainers
    let ipath = format!("{path}.initContainers");
    let mut names: BTreeSet<String> = spec.containers.iter().map(|c| c.name.clone()).collect();
    for (i, c) in spec.init_containers.iter().flatten().enumerate() {
        let p = format!("{ipath}[{i}]");
        validate_container_common(c, &volumes, &p, &mut errs);
        let restart_always = match c.restart_policy.as_deref() {
            None => false,
            Some("Always") => true,
            Some(other) => {
                errs.push(FieldError::unsupported(format!("{p}.restartPolicy"), str_value(other), &["Always"]));
                false
            }
        };
        if names.contains(&c.name) {
            errs.push(FieldError::duplicate(format!("{p}.name"), str_value(&c.name)));
        } else if !c.name.is_empty() {
            names.insert(c.name.clone());
        }
        check_host_ports(&[(i, c)], &ipath, &mut BTreeSet::new(), &mut errs);
        if restart_always {
            validate_probe(c.liveness_probe.as_ref(), &format!("{p}.livenessProbe"), true, &mut errs);
            validate_probe(c.readiness_probe.as_ref(), &format!("{p}.readinessProbe"), false, &mut errs);
            validate_probe(c.startup_probe.as_ref(), &format!("{p}.startupProbe"), true, &mut errs);
        } else {
            for (set, seg) in [
                (c.lifecycle.is_some(), "lifecycle"),
                (c.liveness_probe.is_some(), "livenessProbe"),
                (c.readiness_probe.is_some(), "readinessProbe"),
                (c.startup_probe.is_some(), "startupProbe"),
            ] {
                if set {
                    errs.push(FieldError::forbidden(format!("{p}.{seg}"), "may not be set for init containers without restartPolicy=Always"));
                }
            }
        }
    }

    // validatePodHostNetworkDeps (templates may leave hostPort 0).
    if spec.host_network == Some(true) {
        for (i, c) in spec.containers.iter().enumerate() {
            for (j, p) in c.ports.iter().flatten().enumerate() {
                let hp = p.host_port.unwrap_or(0);
                if (path == "spec" || hp != 0) && hp != p.container_port {
                    errs.push(FieldError::invalid(
                        format!("{cpath}[{i}].ports[{j}].hostPort"),
                        BadValue::Int(hp as i64),
                        "must match `containerPort` when `hostNetwork` is true",
                    ));
                }
            }
        }
    }
    match spec.restart_policy.as_deref().unwrap_or_default() {
        "Always" | "OnFailure" | "Never" => {}
        "" => errs.push(FieldError::required(format!("{path}.restartPolicy"), "")),
        other => errs.push(FieldError::unsupported(format!("{path}.restartPolicy"), str_value(other), &["Always", "OnFailure", "Never"])),
    }
    let dns_policy = spec.dns_policy.as_deref().unwrap_or_default();
    match dns_policy {
        "ClusterFirstWithHostNet" | "ClusterFirst" | "Default" | "None" => {}
        "" => errs.push(FieldError::required(format!("{path}.dnsPolicy"), "")),
        other => errs.push(FieldError::unsupported(format!("{path}.dnsPolicy"), str_value(other), &["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"])),
    }
    errs.extend(validate_labels(spec.node_selector.as_ref(), &format!("{path}.nodeSelector")));
    if dns_policy == "None" {
        match spec.dns_config.as_ref() {
            None => errs.push(FieldError::required(format!("{path}.dnsConfig"), "must provide `dnsConfig` when `dnsPolicy` is None")),
            Some(c) if c.nameservers.as_ref().is_none_or(|n| n.is_empty()) => {
                errs.push(FieldError::required(format!("{path}.dnsConfig.nameservers"), "must provide at least one DNS nameserver when `dnsPolicy` is None"))
            }
            _ => {}
        }
    }
    if let Some(sa) = spec.service_account_name.as_deref().filter(|s| !s.is_empty()) {
        errs.extend(dns1123_subdomain(sa).into_iter().map(|m| FieldError::invalid(format!("{path}.serviceAccountName"), str_value(sa), m)));
    }
    if let Some(node) = spec.node_name.as_deref().filter(|n| !n.is_empty()) {
        errs.extend(dns1123_subdomain(node).into_iter().map(|m| FieldError::invalid(format!("{path}.nodeName"), str_value(node), m)));
    }
    if let Some(ads) = spec.active_deadline_seconds
        && !(1..=i32::MAX as i64).contains(&ads) {
            errs.push(FieldError::invalid(format!("{path}.activeDeadlineSeconds"), BadValue::Int(ads), "must be between 1 and 2147483647, inclusive"));
        }
    for (field, seg) in [(spec.hostname.as_deref(), "hostname"), (spec.subdomain.as_deref(), "subdomain")] {
        if let Some(v) = field.filter(|v| !v.is_empty()) {
            errs.extend(dns1123_label(v).into_iter().map(|m| FieldError::invalid(format!("{path}.{seg}"), str_value(v), m)));
        }
    }
    validate_tolerations(spec.tolerations.as_deref().unwrap_or_default(), &format!("{path}.tolerations"), &mut errs);
    if let Some(pc) = spec.priority_class_name.as_deref().filter(|s| !s.is_empty()) {
        errs.extend(dns1123_subdomain(pc).into_iter().map(|m| FieldError::invalid(format!("{path}.priorityClassName"), str_value(pc), m)));
    }
    if let Some(pp) = spec.preemption_policy.as_deref() {
        match pp {
            "PreemptLowerPriority" | "Never" => {}
            "" => errs.push(FieldError::required(format!("{path}.preemptionPolicy"), "")),
            other => errs.push(FieldError::unsupported(format!("{path}.preemptionPolicy"), str_value(other), &["PreemptLowerPriority", "Never"])),
        }
    }
    errs
}

/// ValidatePodCreate: metadata, spec, then the checks only pods get.
pub fn validate_pod(p: &Pod) -> Vec<FieldError> {
    let mut errs = validate_object_meta(&p.metadata, Kind::Pod);
    let default_spec = PodSpec::default();
    let spec = p.spec.as_ref().unwrap_or(&default_spec);
    errs.extend(validate_pod_spec(spec, "spec"));
    errs.extend(validate_pod_only(spec));
    if spec.ephemeral_containers.as_ref().is_some_and(|e| !e.is_empty()) {
        errs.push(FieldError::forbidden("spec.ephemeralContainers", "cannot be set on create"));
    }
    if spec.node_name.as_deref().is_some_and(|n| !n.is_empty()) && spec.scheduling_gates.as_ref().is_some_and(|g| !g.is_empty()) {
        errs.push(FieldError::forbidden("spec.nodeName", "cannot be set until all schedulingGates have been cleared"));
    }
    errs
}

/// The tail of validatePodMetadataAndSpec that pod templates skip.
fn validate_pod_only(spec: &PodSpec) -> Vec<FieldError> {
    let mut errs = vec![];
    if spec.service_account_name.as_deref().is_none_or(str::is_empty) {
        for (vi, v) in spec.volumes.iter().flatten().enumerate() {
            for (si, s) in v.projected.iter().flat_map(|p| p.sources.iter().flatten()).enumerate() {
                if s.service_account_token.is_some() {
                    errs.push(FieldError::forbidden(
                        format!("spec.volumes[{vi}].projected.sources[{si}].serviceAccountToken"),
                        "must not be specified when serviceAccountName is not set",
                    ));
                }
            }
        }
    }
    for (list, seg) in [(spec.containers.as_slice(), "containers"), (spec.init_containers.as_deref().unwrap_or_default(), "initContainers")] {
        for (i, c) in list.iter().enumerate() {
            let img = c.image.as_deref().unwrap_or_default();
            if img.len() != img.trim().len() {
                errs.push(FieldError::invalid(format!("spec.{seg}[{i}].image"), str_value(img), "must not have leading or trailing whitespace"));
            }
        }
    }
    errs
}

/// The Pod warning for names that are subdomains but not DNS labels.
pub fn warnings(p: &Pod) -> Vec<String> {
    let name = p.metadata.name.clone().unwrap_or_default();
    if !name.is_empty() && dns1123_subdomain(&name).is_empty() {
        let label = dns1123_label(&name);
        if !label.is_empty() {
            return vec![format!(
                "metadata.name: this is used in the Pod's hostname, which can result in surprising behavior; a DNS label is recommended: [{}]",
                label.join(" ")
            )];
        }
    }
    vec![]
}

const UPDATABLE_POD_SPEC_FIELDS: &str = "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

/// ValidatePodUpdate. The go-cmp diff Kubernetes appends after the
/// Forbidden message is not reproduced.
pub fn validate_pod_update(new: &Pod, old: &Pod) -> Vec<FieldError> {
    let mut errs = validate_object_meta_update(&new.metadata, &old.metadata);
    let empty = PodSpec::default();
    let (ns, os) = (new.spec.as_ref().unwrap_or(&empty), old.spec.as_ref().unwrap_or(&empty));
    errs.extend(validate_object_meta(&new.metadata, Kind::Pod));
    errs.extend(validate_pod_spec(ns, "spec"));
    errs.extend(validate_pod_only(ns));

    // ValidateContainerUpdates for containers, then init containers.
    let new_init = ns.init_containers.as_deref().unwrap_or_default();
    let old_init = os.init_containers.as_deref().unwrap_or_default();
    for (newc, oldc, seg) in [(ns.containers.as_slice(), os.containers.as_slice(), "containers"), (new_init, old_init, "initContainers")] {
        if newc.len() != oldc.len() {
            errs.push(FieldError::forbidden(format!("spec.{seg}"), "pod updates may not add or remove containers"));
            return errs;
        }
        for (i, c) in newc.iter().enumerate() {
            let img = c.image.as_deref().unwrap_or_default();
            if img.is_empty() {
                errs.push(FieldError::required(format!("spec.{seg}[{i}].image"), ""));
            }
            if img.trim().len() != img.len() {
                errs.push(FieldError::invalid(format!("spec.{seg}[{i}].image"), str_value(img), "must not have leading or trailing whitespace"));
            }
        }
    }
    match (ns.active_deadline_seconds, os.active_deadline_seconds) {
        (Some(n), _) if !(0..=i32::MAX as i64).contains(&n) => {
            errs.push(FieldError::invalid("spec.activeDeadlineSeconds", BadValue::Int(n), "must be between 0 and 2147483647, inclusive"));
            return errs;
        }
        (Some(n), Some(o)) if o < n => {
            errs.push(FieldError::invalid("spec.activeDeadlineSeconds", BadValue::Int(n), "must be less than or equal to previous value"));
            return errs;
        }
        (None, Some(_)) => {
            errs.push(FieldError::invalid("spec.activeDeadlineSeconds", BadValue::Json(serde_json::Value::Null), "must not update from a positive integer to nil value"))
        }
        _ => {}
    }
    // validateOnlyAddedTolerations: old tolerations stay (tolerationSeconds may change).
    let new_tol = ns.tolerations.as_deref().unwrap_or_default();
    for o in os.tolerations.iter().flatten() {
        let found = new_tol.iter().any(|n| {
            let mut o = o.clone();
            o.toleration_seconds = n.toleration_seconds;
            o == *n
        });
        if !found {
            errs.push(FieldError::forbidden("spec.tolerations", "existing toleration can not be modified except its tolerationSeconds"));
            break;
        }
    }
    if ns == os {
        return errs;
    }
    let mut munged = ns.clone();
    for (c, o) in munged.containers.iter_mut().zip(os.containers.iter()) {
        c.image = o.image.clone();
    }
    for (c, o) in munged.init_containers.iter_mut().flatten().zip(old_init.iter()) {
        c.image = o.image.clone();
    }
    munged.active_deadline_seconds = os.active_deadline_seconds;
    munged.scheduling_gates = os.scheduling_gates.clone();
    munged.tolerations = os.tolerations.clone();
    if os.termination_grace_period_seconds.is_some_and(|t| t < 0) && munged.termination_grace_period_seconds == Some(1) {
        munged.termination_grace_period_seconds = os.termination_grace_period_seconds;
    }
    // Gated pods may gain node selectors.
    if os.scheduling_gates.as_ref().is_some_and(|g| !g.is_empty()) && munged.node_selector != os.node_selector {
        let old_sel = os.node_selector.clone().unwrap_or_default();
        let new_sel = munged.node_selector.clone().unwrap_or_default();
        if old_sel.iter().any(|(k, v)| new_sel.get(k) != Some(v)) {
            errs.push(FieldError::invalid("spec.nodeSelector", json_value(&new_sel), "only additions to spec.nodeSelector are allowed (no mutations or deletions)"));
        }
        munged.node_selector = os.node_selector.clone();
    }
    if munged != *os {
        errs.push(FieldError::forbidden("spec", format!("pod updates may not change fields other than {UPDATABLE_POD_SPEC_FIELDS}")));
    }
    errs
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
