//! Pods, containers, volumes and pod templates (describePod,
//! describeContainers, describeVolumes, DescribePodTemplate in
//! pkg/describe/describe.go; GetPodQOS in pkg/util/qos/qos.go).

use super::events::{self, EventRef};
use super::prefix_writer::{LEVEL_0, LEVEL_1, LEVEL_2, LEVEL_3, PrefixWriter};
use super::quantity::{Qty, Resources, canonical, resources};
use super::{
    Settings, controlled_by, or_none, print_annotations_multiline, print_labels_multiline, print_tolerations_multiline, rfc1123z, since,
};
use apimachinery::k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStatus, EnvVar, Pod, PodSchedulingGroup, PodTemplateSpec, Probe, ResourceRequirements,
    TopologySpreadConstraint, Volume,
};
use apimachinery::k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use apiserver::ApiServer;
use apiserver::printers::format_label_selector;
use std::collections::BTreeMap;

const MIRROR_POD_ANNOTATION: &str = "kubernetes.io/config.mirror";

pub fn describe(api: &ApiServer, pod: &Pod, settings: &Settings) -> String {
    let m = &pod.metadata;
    let spec = pod.spec.clone().unwrap_or_default();
    let status = pod.status.clone().unwrap_or_default();
    let mut w = PrefixWriter::new();
    w.write(LEVEL_0, &format!("Name:\t{}\n", m.name.as_deref().unwrap_or("")));
    w.write(LEVEL_0, &format!("Namespace:\t{}\n", m.namespace.as_deref().unwrap_or("")));
    if let Some(p) = spec.priority {
        w.write(LEVEL_0, &format!("Priority:\t{p}\n"));
    }
    if let Some(pc) = spec.priority_class_name.as_deref().filter(|s| !s.is_empty()) {
        w.write(LEVEL_0, &format!("Priority Class Name:\t{pc}\n"));
    }
    if let Some(rc) = spec.runtime_class_name.as_deref().filter(|s| !s.is_empty()) {
        w.write(LEVEL_0, &format!("Runtime Class Name:\t{rc}\n"));
    }
    if let Some(sa) = spec.service_account_name.as_deref().filter(|s| !s.is_empty()) {
        w.write(LEVEL_0, &format!("Service Account:\t{sa}\n"));
    }
    match spec.node_name.as_deref().filter(|s| !s.is_empty()) {
        None => w.write(LEVEL_0, "Node:\t<none>\n"),
        Some(n) => w.write(LEVEL_0, &format!("Node:\t{n}/{}\n", status.host_ip.as_deref().unwrap_or(""))),
    }
    if let Some(t) = &status.start_time {
        w.write(LEVEL_0, &format!("Start Time:\t{}\n", rfc1123z(Some(t))));
    }
    print_labels_multiline(&mut w, "Labels", m.labels.as_ref());
    print_annotations_multiline(&mut w, "Annotations", m.annotations.as_ref());
    let phase = status.phase.as_deref().unwrap_or("");
    if m.deletion_timestamp.is_some() && phase != "Failed" && phase != "Succeeded" {
        w.write(LEVEL_0, &format!("Status:\tTerminating (lasts {})\n", since(api, m.deletion_timestamp.as_ref())));
        w.write(LEVEL_0, &format!("Termination Grace Period:\t{}s\n", m.deletion_grace_period_seconds.unwrap_or(0)));
    } else {
        w.write(LEVEL_0, &format!("Status:\t{phase}\n"));
    }
    if let Some(r) = status.reason.as_deref().filter(|s| !s.is_empty()) {
        w.write(LEVEL_0, &format!("Reason:\t{r}\n"));
    }
    if let Some(msg) = status.message.as_deref().filter(|s| !s.is_empty()) {
        w.write(LEVEL_0, &format!("Message:\t{msg}\n"));
    }
    if let Some(sp) = spec.security_context.as_ref().and_then(|s| s.seccomp_profile.as_ref()) {
        w.write(LEVEL_0, &format!("SeccompProfile:\t{}\n", sp.type_));
        if sp.type_ == "Localhost" {
            w.write(LEVEL_0, &format!("LocalhostProfile:\t{}\n", sp.localhost_profile.as_deref().unwrap_or("")));
        }
    }
    w.write(LEVEL_0, &format!("IP:\t{}\n", status.pod_ip.as_deref().unwrap_or("")));
    match status.pod_ips.as_deref().filter(|ips| !ips.is_empty()) {
        None => w.write(LEVEL_0, "IPs:\t<none>\n"),
        Some(ips) => {
            w.write(LEVEL_0, "IPs:\n");
            for ip in ips {
                w.write(LEVEL_1, &format!("IP:\t{}\n", ip.ip));
            }
        }
    }
    if let Some(c) = controlled_by(m) {
        w.write(LEVEL_0, &format!("Controlled By:\t{c}\n"));
    }
    if let Some(n) = status.nominated_node_name.as_deref().filter(|s| !s.is_empty()) {
        w.write(LEVEL_0, &format!("NominatedNodeName:\t{n}\n"));
    }
    if let Some(r) = &spec.resources {
        w.write(LEVEL_0, "Resources:\n");
        describe_resources(Some(r), &mut w, LEVEL_1);
    }
    let resolver = EnvResolver::Pod(pod);
    if let Some(init) = spec.init_containers.as_deref().filter(|c| !c.is_empty()) {
        describe_containers("Init Containers", init, status.init_container_statuses.as_deref(), &resolver, &mut w, "");
    }
    describe_containers("Containers", &spec.containers, status.container_statuses.as_deref(), &resolver, &mut w, "");
    if let Some(eph) = spec.ephemeral_containers.as_deref().filter(|c| !c.is_empty()) {
        // EphemeralContainerCommon has the fields of a Container.
        let as_containers: Vec<Container> = eph
            .iter()
            .filter_map(|e| serde_json::to_value(e).ok().and_then(|v| apimachinery::typed::decode::<Container>(&v).ok()))
            .collect();
        describe_containers("Ephemeral Containers", &as_containers, status.ephemeral_container_statuses.as_deref(), &resolver, &mut w, "");
    }
    let conditions = status.conditions.as_deref().unwrap_or_default();
    if let Some(gates) = spec.readiness_gates.as_deref().filter(|g| !g.is_empty()) {
        w.write(LEVEL_0, "Readiness Gates:\n  Type\tStatus\n");
        for g in gates {
            let s = conditions.iter().find(|c| c.type_ == g.condition_type).map(|c| c.status.clone()).unwrap_or_else(|| "<none>".into());
            w.write(LEVEL_1, &format!("{} \t{} \n", g.condition_type, s));
        }
    }
    if !conditions.is_empty() {
        w.write(LEVEL_0, "Conditions:\n  Type\tStatus\n");
        for c in conditions {
            w.write(LEVEL_1, &format!("{} \t{} \n", c.type_, c.status));
        }
    }
    describe_volumes(spec.volumes.as_deref().unwrap_or_default(), &mut w, "");
    let qos = status.qos_class.clone().filter(|q| !q.is_empty()).unwrap_or_else(|| compute_qos(pod).to_string());
    w.write(LEVEL_0, &format!("QoS Class:\t{qos}\n"));
    print_labels_multiline(&mut w, "Node-Selectors", spec.node_selector.as_ref());
    print_tolerations_multiline(&mut w, "Tolerations", spec.tolerations.as_deref().unwrap_or_default());
    describe_topology_spread_constraints(spec.topology_spread_constraints.as_deref().unwrap_or_default(), &mut w, "");
    if let Some(g) = &spec.scheduling_group {
        describe_scheduling_group(g, &mut w, "");
    }
    if settings.show_events {
        // The pod's events are searched without a kind; a mirror pod's
        // events are recorded against the static pod's UID.
        let uid = m
            .annotations
            .as_ref()
            .and_then(|a| a.get(MIRROR_POD_ANNOTATION))
            .map(String::as_str)
            .or(m.uid.as_deref())
            .unwrap_or("");
        let found = events::search(
            api,
            &EventRef { kind: "", name: m.name.as_deref().unwrap_or(""), namespace: m.namespace.as_deref().unwrap_or(""), uid },
        );
        events::describe(api, found, &mut w);
    }
    w.into_tabbed()
}

/// DescribePodTemplate. `None` is an RC without a template.
pub fn describe_pod_template(template: Option<&PodTemplateSpec>, w: &mut PrefixWriter) {
    w.write(LEVEL_0, "Pod Template:\n");
    let Some(t) = template else {
        w.write(LEVEL_1, "<unset>");
        return;
    };
    let meta = t.metadata.clone().unwrap_or_default();
    let spec = t.spec.clone().unwrap_or_default();
    print_labels_multiline(w, "  Labels", meta.labels.as_ref());
    if meta.annotations.as_ref().is_some_and(|a| !a.is_empty()) {
        print_annotations_multiline(w, "  Annotations", meta.annotations.as_ref());
    }
    if let Some(sa) = spec.service_account_name.as_deref().filter(|s| !s.is_empty()) {
        w.write(LEVEL_1, &format!("Service Account:\t{sa}\n"));
    }
    if let Some(init) = spec.init_containers.as_deref().filter(|c| !c.is_empty()) {
        describe_containers("Init Containers", init, None, &EnvResolver::None, w, "  ");
    }
    describe_containers("Containers", &spec.containers, None, &EnvResolver::None, w, "  ");
    describe_volumes(spec.volumes.as_deref().unwrap_or_default(), w, "  ");
    describe_topology_spread_constraints(spec.topology_spread_constraints.as_deref().unwrap_or_default(), w, "  ");
    if let Some(pc) = spec.priority_class_name.as_deref().filter(|s| !s.is_empty()) {
        w.write(LEVEL_1, &format!("Priority Class Name:\t{pc}\n"));
    }
    print_labels_multiline(w, "  Node-Selectors", spec.node_selector.as_ref());
    print_tolerations_multiline(w, "  Tolerations", spec.tolerations.as_deref().unwrap_or_default());
    if let Some(g) = &spec.scheduling_group {
        describe_scheduling_group(g, w, "  ");
    }
}

fn describe_scheduling_group(g: &PodSchedulingGroup, w: &mut PrefixWriter, space: &str) {
    w.write(LEVEL_0, &format!("{space}SchedulingGroup:\n"));
    w.write(LEVEL_1, &format!("PodGroupName:\t{}\n", g.pod_group_name.as_deref().unwrap_or("")));
}

/// How `fieldRef` environment values are shown: resolved against the pod
/// (EnvValueRetriever), or not at all in a template.
enum EnvResolver<'a> {
    Pod(&'a Pod),
    None,
}

impl EnvResolver<'_> {
    /// fieldpath.ExtractFieldPathAsString: only metadata fields resolve;
    /// anything else (spec.nodeName, status.podIP) prints empty.
    fn resolve(&self, field_path: &str) -> String {
        let EnvResolver::Pod(pod) = self else { return String::new() };
        let m = &pod.metadata;
        let format_map = |map: Option<&BTreeMap<String, String>>| {
            map.into_iter().flatten().map(|(k, v)| format!("{k}={v:?}")).collect::<Vec<_>>().join("\n")
        };
        let subscript = |prefix: &str| -> Option<String> {
            field_path.strip_prefix(prefix)?.strip_suffix("']").map(str::to_string)
        };
        if let Some(k) = subscript("metadata.labels['") {
            return m.labels.as_ref().and_then(|l| l.get(&k)).cloned().unwrap_or_default();
        }
        if let Some(k) = subscript("metadata.annotations['") {
            return m.annotations.as_ref().and_then(|l| l.get(&k)).cloned().unwrap_or_default();
        }
        match field_path {
            "metadata.name" => m.name.clone().unwrap_or_default(),
            "metadata.namespace" => m.namespace.clone().unwrap_or_default(),
            "metadata.uid" => m.uid.clone().unwrap_or_default(),
            "metadata.labels" => format_map(m.labels.as_ref()),
            "metadata.annotations" => format_map(m.annotations.as_ref()),
            _ => String::new(),
        }
    }
}

fn describe_containers(
    label: &str,
    containers: &[Container],
    statuses: Option<&[ContainerStatus]>,
    resolver: &EnvResolver,
    w: &mut PrefixWriter,
    space: &str,
) {
    let none = if containers.is_empty() { " <none>" } else { "" };
    w.write(LEVEL_0, &format!("{space}{label}:{none}\n"));
    for c in containers {
        let status = statuses.into_iter().flatten().rfind(|s| s.name == c.name);
        describe_container_basic_info(c, status, space, w);
        describe_container_command(c, w);
        if let Some(s) = status {
            describe_container_state(s, w);
        }
        describe_resources(c.resources.as_ref(), w, LEVEL_2);
        describe_container_probes(c, w);
        if c.env_from.as_ref().is_some_and(|e| !e.is_empty()) {
            describe_container_env_from(c, w);
        }
        describe_container_env(c, resolver, w);
        describe_container_volumes(c, w);
    }
}

fn describe_container_basic_info(c: &Container, status: Option<&ContainerStatus>, space: &str, w: &mut PrefixWriter) {
    let name_indent = if space.is_empty() { "" } else { " " };
    w.write(LEVEL_1, &format!("{name_indent}{}:\n", c.name));
    if let Some(s) = status {
        w.write(LEVEL_2, &format!("Container ID:\t{}\n", s.container_id.as_deref().unwrap_or("")));
    }
    w.write(LEVEL_2, &format!("Image:\t{}\n", c.image.as_deref().unwrap_or("")));
    if let Some(s) = status {
        w.write(LEVEL_2, &format!("Image ID:\t{}\n", s.image_id));
    }
    let ports = c.ports.as_deref().unwrap_or_default();
    let describe_ports = |host: bool| {
        ports
            .iter()
            .map(|p| {
                let n = if host { p.host_port.unwrap_or(0) } else { p.container_port };
                let mut s = format!("{n}/{}", p.protocol.as_deref().unwrap_or(""));
                if let Some(name) = p.name.as_deref().filter(|n| !n.is_empty()) {
                    s = format!("{s} ({name})");
                }
                s
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let port = describe_ports(false);
    if port.contains(',') {
        w.write(LEVEL_2, &format!("Ports:\t{port}\n"));
    } else {
        w.write(LEVEL_2, &format!("Port:\t{}\n", or_none(&port)));
    }
    let host_port = describe_ports(true);
    if host_port.contains(',') {
        w.write(LEVEL_2, &format!("Host Ports:\t{host_port}\n"));
    } else {
        w.write(LEVEL_2, &format!("Host Port:\t{}\n", or_none(&host_port)));
    }
    if let Some(sp) = c.security_context.as_ref().and_then(|s| s.seccomp_profile.as_ref()) {
        w.write(LEVEL_2, &format!("SeccompProfile:\t{}\n", sp.type_));
        if sp.type_ == "Localhost" {
            w.write(LEVEL_3, &format!("LocalhostProfile:\t{}\n", sp.localhost_profile.as_deref().unwrap_or("")));
        }
    }
}

fn describe_container_command(c: &Container, w: &mut PrefixWriter) {
    for (title, list) in [("Command", &c.command), ("Args", &c.args)] {
        let Some(list) = list.as_deref().filter(|l| !l.is_empty()) else { continue };
        w.write(LEVEL_2, &format!("{title}:\n"));
        for item in list {
            for piece in item.split('\n') {
                w.write(LEVEL_3, &format!("{piece}\n"));
            }
        }
    }
}

fn describe_resources(r: Option<&ResourceRequirements>, w: &mut PrefixWriter, level: usize) {
    let Some(r) = r else { return };
    for (title, list) in [("Limits", &r.limits), ("Requests", &r.requests)] {
        let Some(list) = list.as_ref().filter(|l| !l.is_empty()) else { continue };
        w.write(level, &format!("{title}:\n"));
        for (name, q) in list {
            w.write(level + 1, &format!("{name}:\t{}\n", canonical(q)));
        }
    }
}

fn describe_container_state(s: &ContainerStatus, w: &mut PrefixWriter) {
    describe_status("State", s.state.as_ref(), w);
    if let Some(last) = s.last_state.as_ref().filter(|l| l.terminated.is_some()) {
        describe_status("Last State", Some(last), w);
    }
    w.write(LEVEL_2, &format!("Ready:\t{}\n", if s.ready { "True" } else { "False" }));
    w.write(LEVEL_2, &format!("Restart Count:\t{}\n", s.restart_count));
}

fn describe_status(state_name: &str, state: Option<&ContainerState>, w: &mut PrefixWriter) {
    let state = state.cloned().unwrap_or_default();
    if let Some(r) = &state.running {
        w.write(LEVEL_2, &format!("{state_name}:\tRunning\n"));
        w.write(LEVEL_3, &format!("Started:\t{}\n", rfc1123z(r.started_at.as_ref())));
    } else if let Some(wt) = &state.waiting {
        w.write(LEVEL_2, &format!("{state_name}:\tWaiting\n"));
        if let Some(r) = wt.reason.as_deref().filter(|r| !r.is_empty()) {
            w.write(LEVEL_3, &format!("Reason:\t{r}\n"));
        }
    } else if let Some(t) = &state.terminated {
        w.write(LEVEL_2, &format!("{state_name}:\tTerminated\n"));
        if let Some(r) = t.reason.as_deref().filter(|r| !r.is_empty()) {
            w.write(LEVEL_3, &format!("Reason:\t{r}\n"));
        }
        if let Some(msg) = t.message.as_deref().filter(|r| !r.is_empty()) {
            w.write(LEVEL_3, &format!("Message:\t{msg}\n"));
        }
        w.write(LEVEL_3, &format!("Exit Code:\t{}\n", t.exit_code));
        if let Some(sig) = t.signal.filter(|s| *s > 0) {
            w.write(LEVEL_3, &format!("Signal:\t{sig}\n"));
        }
        w.write(LEVEL_3, &format!("Started:\t{}\n", rfc1123z(t.started_at.as_ref())));
        w.write(LEVEL_3, &format!("Finished:\t{}\n", rfc1123z(t.finished_at.as_ref())));
    } else {
        w.write(LEVEL_2, &format!("{state_name}:\tWaiting\n"));
    }
}

fn describe_container_probes(c: &Container, w: &mut PrefixWriter) {
    for (title, probe) in [("Liveness", &c.liveness_probe), ("Readiness", &c.readiness_probe), ("Startup", &c.startup_probe)] {
        if let Some(p) = probe {
            w.write(LEVEL_2, &format!("{title}:\t{}\n", describe_probe(p)));
        }
    }
}

fn int_or_string(v: &IntOrString) -> String {
    match v {
        IntOrString::Int(i) => i.to_string(),
        IntOrString::String(s) => s.clone(),
    }
}

/// net.JoinHostPort: IPv6 hosts in brackets.
pub(crate) fn join_host_port(host: &str, port: &str) -> String {
    if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") }
}

/// DescribeProbe (1.37 wording: successThreshold/failureThreshold).
pub fn describe_probe(p: &Probe) -> String {
    let attrs = format!(
        "delay={}s timeout={}s period={}s successThreshold={} failureThreshold={}",
        p.initial_delay_seconds.unwrap_or(0),
        p.timeout_seconds.unwrap_or(0),
        p.period_seconds.unwrap_or(0),
        p.success_threshold.unwrap_or(0),
        p.failure_threshold.unwrap_or(0)
    );
    if let Some(e) = &p.exec {
        return format!("exec [{}] {attrs}", e.command.as_deref().unwrap_or_default().join(" "));
    }
    if let Some(h) = &p.http_get {
        let scheme = h.scheme.as_deref().unwrap_or("").to_ascii_lowercase();
        let port = int_or_string(&h.port);
        let host = h.host.as_deref().unwrap_or("");
        let host = if port.is_empty() { host.to_string() } else { join_host_port(host, &port) };
        // url.URL.String(): `scheme://host` then the path, with a `/` added
        // when a non-empty path lacks one.
        let path = h.path.as_deref().unwrap_or("");
        let path = if !path.is_empty() && !path.starts_with('/') { format!("/{path}") } else { path.to_string() };
        let url = if scheme.is_empty() { format!("//{host}{path}") } else { format!("{scheme}://{host}{path}") };
        return format!("http-get {url} {attrs}");
    }
    if let Some(t) = &p.tcp_socket {
        return format!("tcp-socket {}:{} {attrs}", t.host.as_deref().unwrap_or(""), int_or_string(&t.port));
    }
    if let Some(g) = &p.grpc {
        return format!("grpc <pod>:{} {} {attrs}", g.port, g.service.as_deref().unwrap_or(""));
    }
    format!("unknown {attrs}")
}

fn describe_container_env_from(c: &Container, w: &mut PrefixWriter) {
    w.write(LEVEL_2, "Environment Variables from:\n");
    for e in c.env_from.as_deref().unwrap_or_default() {
        let (from, name, optional) = if let Some(r) = &e.config_map_ref {
            ("ConfigMap", r.name.as_str(), r.optional.unwrap_or(false))
        } else if let Some(r) = &e.secret_ref {
            ("Secret", r.name.as_str(), r.optional.unwrap_or(false))
        } else {
            ("", "", false)
        };
        match e.prefix.as_deref().filter(|p| !p.is_empty()) {
            None => w.write(LEVEL_3, &format!("{name}\t{from}\tOptional: {optional}\n")),
            Some(p) => w.write(LEVEL_3, &format!("{name}\t{from} with prefix '{p}'\tOptional: {optional}\n")),
        }
    }
}

fn describe_container_env(c: &Container, resolver: &EnvResolver, w: &mut PrefixWriter) {
    let env = c.env.as_deref().unwrap_or_default();
    let none = if env.is_empty() { "\t<none>" } else { "" };
    w.write(LEVEL_2, &format!("Environment:{none}\n"));
    for e in env {
        let Some(from) = &e.value_from else {
            for (i, piece) in e.value.as_deref().unwrap_or("").split('\n').enumerate() {
                if i == 0 {
                    w.write(LEVEL_3, &format!("{}:\t{piece}\n", e.name));
                } else {
                    w.write(LEVEL_3, &format!("\t{piece}\n"));
                }
            }
            continue;
        };
        if let Some(f) = &from.field_ref {
            let value = resolver.resolve(&f.field_path);
            let api_version = f.api_version.as_deref().unwrap_or("");
            w.write(LEVEL_3, &format!("{}:\t{value} ({api_version}:{})\n", e.name, f.field_path));
        } else if let Some(r) = &from.resource_field_ref {
            let mut value = resource_field_value(e, c);
            if value == "0" && (r.resource == "limits.cpu" || r.resource == "limits.memory") {
                value = "node allocatable".to_string();
            }
            w.write(LEVEL_3, &format!("{}:\t{value} ({})\n", e.name, r.resource));
        } else if let Some(s) = &from.secret_key_ref {
            let optional = s.optional.unwrap_or(false);
            w.write(LEVEL_3, &format!("{}:\t<set to the key '{}' in secret '{}'>\tOptional: {optional}\n", e.name, s.key, s.name));
        } else if let Some(cm) = &from.config_map_key_ref {
            let optional = cm.optional.unwrap_or(false);
            w.write(LEVEL_3, &format!("{}:\t<set to the key '{}' of config map '{}'>\tOptional: {optional}\n", e.name, cm.key, cm.name));
        }
    }
}

/// ExtractContainerResourceValue: the container's own request or limit,
/// divided by the divisor and rounded up.
fn resource_field_value(e: &EnvVar, c: &Container) -> String {
    let Some(r) = e.value_from.as_ref().and_then(|f| f.resource_field_ref.as_ref()) else { return String::new() };
    let divisor = r.divisor.as_ref().map(Qty::of).filter(|d| d.milli != 0).unwrap_or(Qty::parse("1"));
    let res = c.resources.clone().unwrap_or_default();
    let get = |list: &Option<BTreeMap<String, apimachinery::k8s_openapi::apimachinery::pkg::api::resource::Quantity>>, name: &str| {
        list.as_ref().and_then(|l| l.get(name)).map(Qty::of).unwrap_or_default()
    };
    let ceil_div = |a: i128, b: i128| if b == 0 { 0 } else { (a + b - 1).div_euclid(b) };
    let (list, name) = match r.resource.split_once('.') {
        Some(("limits", n)) => (&res.limits, n),
        Some(("requests", n)) => (&res.requests, n),
        _ => return String::new(),
    };
    let q = get(list, name);
    if name == "cpu" {
        ceil_div(q.milli_value(), divisor.milli_value()).to_string()
    } else {
        ceil_div(q.value(), divisor.value()).to_string()
    }
}

fn describe_container_volumes(c: &Container, w: &mut PrefixWriter) {
    let mounts = c.volume_mounts.as_deref().unwrap_or_default();
    let none = if mounts.is_empty() { "\t<none>" } else { "" };
    w.write(LEVEL_2, &format!("Mounts:{none}\n"));
    let mut sorted: Vec<_> = mounts.iter().collect();
    apimachinery::sort::sort_by(&mut sorted, |a, b| a.mount_path.cmp(&b.mount_path));
    for m in sorted {
        let mut flags = vec![if m.read_only.unwrap_or(false) { "ro".to_string() } else { "rw".to_string() }];
        if let Some(sp) = m.sub_path.as_deref().filter(|s| !s.is_empty()) {
            flags.push(format!("path={sp:?}"));
        }
        w.write(LEVEL_3, &format!("{} from {} ({})\n", m.mount_path, m.name, flags.join(",")));
    }
    if let Some(devices) = c.volume_devices.as_deref().filter(|d| !d.is_empty()) {
        w.write(LEVEL_2, &format!("Devices:{none}\n"));
        let mut sorted: Vec<_> = devices.iter().collect();
        apimachinery::sort::sort_by(&mut sorted, |a, b| a.device_path.cmp(&b.device_path));
        for d in sorted {
            w.write(LEVEL_3, &format!("{} from {}\n", d.device_path, d.name));
        }
    }
}

fn describe_topology_spread_constraints(tscs: &[TopologySpreadConstraint], w: &mut PrefixWriter, space: &str) {
    if tscs.is_empty() {
        return;
    }
    let mut sorted: Vec<&TopologySpreadConstraint> = tscs.iter().collect();
    super::go_sort::sort(&mut sorted, |a, b| a.topology_key < b.topology_key);
    w.write(LEVEL_0, &format!("{space}Topology Spread Constraints:\t"));
    for (i, t) in sorted.iter().enumerate() {
        if i != 0 {
            w.write(LEVEL_0, space);
            w.write(LEVEL_0, "\t");
        }
        let mut line = format!("{}:{} when max skew {} is exceeded", t.topology_key, t.when_unsatisfiable, t.max_skew);
        if t.label_selector.is_some() {
            line.push_str(&format!(" for selector {}", format_label_selector(t.label_selector.as_ref())));
        }
        line.push('\n');
        w.write(LEVEL_0, &line);
    }
}

fn describe_volumes(volumes: &[Volume], w: &mut PrefixWriter, space: &str) {
    if volumes.is_empty() {
        w.write(LEVEL_0, &format!("{space}Volumes:\t<none>\n"));
        return;
    }
    w.write(LEVEL_0, &format!("{space}Volumes:\n"));
    let name_indent = if space.is_empty() { "" } else { " " };
    for v in volumes {
        w.write(LEVEL_1, &format!("{name_indent}{}:\n", v.name));
        describe_volume_source(v, w);
    }
}

fn describe_volume_source(v: &Volume, w: &mut PrefixWriter) {
    if let Some(h) = &v.host_path {
        let t = h.type_.clone().unwrap_or_else(|| "<none>".into());
        w.write(LEVEL_2, &format!("Type:\tHostPath (bare host directory volume)\n    Path:\t{}\n    HostPathType:\t{t}\n", h.path));
    } else if let Some(e) = &v.empty_dir {
        let size = e.size_limit.as_ref().map(Qty::of).filter(|q| q.milli > 0).map(|q| q.to_string()).unwrap_or_else(|| "<unset>".into());
        w.write(
            LEVEL_2,
            &format!(
                "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t{}\n    SizeLimit:\t{size}\n",
                e.medium.as_deref().unwrap_or("")
            ),
        );
    } else if let Some(s) = &v.secret {
        w.write(
            LEVEL_2,
            &format!(
                "Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t{}\n    Optional:\t{}\n",
                s.secret_name.as_deref().unwrap_or(""),
                s.optional.unwrap_or(false)
            ),
        );
    } else if let Some(c) = &v.config_map {
        w.write(
            LEVEL_2,
            &format!("Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t{}\n    Optional:\t{}\n", c.name, c.optional.unwrap_or(false)),
        );
    } else if let Some(c) = &v.persistent_volume_claim {
        w.write(
            LEVEL_2,
            &format!(
                "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:\t{}\n    ReadOnly:\t{}\n",
                c.claim_name,
                c.read_only.unwrap_or(false)
            ),
        );
    } else if let Some(d) = &v.downward_api {
        w.write(LEVEL_2, "Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n");
        for item in d.items.as_deref().unwrap_or_default() {
            if let Some(f) = &item.field_ref {
                w.write(LEVEL_3, &format!("{} -> {}\n", f.field_path, item.path));
            }
            if let Some(r) = &item.resource_field_ref {
                w.write(LEVEL_3, &format!("{} -> {}\n", r.resource, item.path));
            }
        }
    } else if let Some(p) = &v.projected {
        w.write(LEVEL_2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n");
        for s in p.sources.as_deref().unwrap_or_default() {
            if let Some(sec) = &s.secret {
                w.write(LEVEL_2, &format!("SecretName:\t{}\n    Optional:\t{}\n", sec.name, sec.optional.unwrap_or(false)));
            } else if s.downward_api.is_some() {
                w.write(LEVEL_2, "DownwardAPI:\ttrue\n");
            } else if let Some(cm) = &s.config_map {
                w.write(LEVEL_2, &format!("ConfigMapName:\t{}\n    Optional:\t{}\n", cm.name, cm.optional.unwrap_or(false)));
            } else if let Some(t) = &s.service_account_token {
                w.write(LEVEL_2, &format!("TokenExpirationSeconds:\t{}\n", t.expiration_seconds.unwrap_or(0)));
            }
        }
    } else if let Some(c) = &v.csi {
        w.write(
            LEVEL_2,
            &format!(
                "Type:\tCSI (a Container Storage Interface (CSI) volume source)\n    Driver:\t{}\n    FSType:\t{}\n    ReadOnly:\t{}\n",
                c.driver,
                c.fs_type.as_deref().unwrap_or(""),
                c.read_only.unwrap_or(false)
            ),
        );
        w.write(LEVEL_2, "VolumeAttributes:\t");
        match c.volume_attributes.as_ref().filter(|a| !a.is_empty()) {
            None => w.write_line("<none>"),
            Some(attrs) => {
                for (i, (k, v)) in attrs.iter().enumerate() {
                    if i != 0 {
                        w.write(LEVEL_2, "");
                        w.write(LEVEL_2, "\t");
                    }
                    // Attributes longer than 140 bytes are cut, as annotations are.
                    w.write(LEVEL_2, &format!("{}\n", super::shorten(&format!("{k}={v}"), 140)));
                }
            }
        }
    } else if let Some(i) = &v.image {
        w.write(
            LEVEL_2,
            &format!(
                "Type:\tImage (a container image or OCI artifact)\n    Reference:\t{}\n    PullPolicy:\t{}\n",
                i.reference.as_deref().unwrap_or(""),
                i.pull_policy.as_deref().unwrap_or("")
            ),
        );
    } else if let Some(n) = &v.nfs {
        w.write(
            LEVEL_2,
            &format!(
                "Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n    Server:\t{}\n    Path:\t{}\n    ReadOnly:\t{}\n",
                n.server,
                n.path,
                n.read_only.unwrap_or(false)
            ),
        );
    } else if v.ephemeral.is_some() {
        w.write(LEVEL_2, "Type:\tEphemeralVolume (an inline specification for a volume that gets created and deleted with the pod)\n");
    } else {
        w.write(LEVEL_1, "<unknown>\n");
    }
}

// ---- QoS (pkg/util/qos/qos.go) --------------------------------------------

fn is_qos_resource(name: &str) -> bool {
    name == "cpu" || name == "memory"
}

/// ComputePodQOS: BestEffort without any cpu/memory request or limit,
/// Guaranteed when every container limits both and requests equal limits,
/// Burstable otherwise. Pod-level resources, when set, decide alone.
pub fn compute_qos(pod: &Pod) -> &'static str {
    let spec = pod.spec.clone().unwrap_or_default();
    let mut requests = Resources::new();
    let mut limits = Resources::new();
    let mut guaranteed = true;
    let mut account = |r: Option<&ResourceRequirements>, guaranteed: &mut bool| {
        let req = resources(r.and_then(|r| r.requests.as_ref()));
        let lim = resources(r.and_then(|r| r.limits.as_ref()));
        for (name, q) in req.iter().filter(|(n, q)| is_qos_resource(n) && q.milli > 0) {
            requests.entry(name.clone()).or_default().add(*q);
        }
        let mut found = 0;
        for (name, q) in lim.iter().filter(|(n, q)| is_qos_resource(n) && q.milli > 0) {
            found += 1;
            limits.entry(name.clone()).or_default().add(*q);
        }
        if found < 2 {
            *guaranteed = false;
        }
    };
    if let Some(r) = spec.resources.as_ref().filter(|r| r.requests.is_some() || r.limits.is_some()) {
        account(Some(r), &mut guaranteed);
    } else {
        for c in spec.containers.iter().chain(spec.init_containers.iter().flatten()) {
            account(c.resources.as_ref(), &mut guaranteed);
        }
    }
    if requests.is_empty() && limits.is_empty() {
        return "BestEffort";
    }
    if guaranteed {
        for (name, req) in &requests {
            if limits.get(name).is_none_or(|l| l.milli != req.milli) {
                guaranteed = false;
                break;
            }
        }
    }
    if guaranteed && requests.len() == limits.len() { "Guaranteed" } else { "Burstable" }
}

// ---- PodRequests / PodLimits (component-helpers resource/helpers.go) -------

/// A container's requests or limits, the status' allocated values raised
/// in when `use_status` (a resize in progress).
fn container_list(c: &Container, status: Option<&ContainerStatus>, limits: bool, use_status: bool) -> Resources {
    let r = c.resources.as_ref();
    let mut list = resources(r.and_then(|r| if limits { r.limits.as_ref() } else { r.requests.as_ref() }));
    if let Some(sr) = status.and_then(|s| s.resources.as_ref()).filter(|_| use_status) {
        let from_status = resources(if limits { sr.limits.as_ref() } else { sr.requests.as_ref() });
        super::quantity::max_list(&mut list, &from_status);
    }
    list
}

/// PodRequests (limits = false) or PodLimits (limits = true): regular
/// containers summed, restartable init containers (sidecars) added, the
/// largest init container step taken as a floor, pod-level resources for
/// cpu/memory winning, overhead added.
pub fn pod_resources(pod: &Pod, limits: bool, use_status: bool) -> Resources {
    let spec = pod.spec.clone().unwrap_or_default();
    let status = pod.status.clone().unwrap_or_default();
    let statuses = status.container_statuses.unwrap_or_default();
    let init_statuses = status.init_container_statuses.unwrap_or_default();
    let mut total = Resources::new();
    for c in &spec.containers {
        let s = statuses.iter().find(|s| s.name == c.name);
        super::quantity::add_list(&mut total, &container_list(c, s, limits, use_status));
    }
    let mut restartable = Resources::new();
    let mut init_max = Resources::new();
    for c in spec.init_containers.iter().flatten() {
        let s = init_statuses.iter().find(|s| s.name == c.name);
        let mut list = container_list(c, s, limits, use_status);
        if c.restart_policy.as_deref() == Some("Always") {
            super::quantity::add_list(&mut total, &list);
            super::quantity::add_list(&mut restartable, &list);
            list = restartable.clone();
        } else {
            super::quantity::add_list(&mut list, &restartable);
        }
        super::quantity::max_list(&mut init_max, &list);
    }
    super::quantity::max_list(&mut total, &init_max);
    if let Some(pod_level) = spec.resources.as_ref().and_then(|r| if limits { r.limits.as_ref() } else { r.requests.as_ref() }) {
        for (name, q) in pod_level.iter().filter(|(n, _)| is_qos_resource(n) || n.starts_with("hugepages-")) {
            total.insert(name.clone(), Qty::of(q));
        }
    }
    for (name, q) in spec.overhead.iter().flatten() {
        if limits {
            if let Some(v) = total.get_mut(name) {
                v.add(Qty::of(q));
            }
        } else {
            total.entry(name.clone()).or_default().add(Qty::of(q));
        }
    }
    total
}
