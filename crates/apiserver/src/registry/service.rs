//! Services: SetDefaults_Service (pkg/apis/core/v1/defaults.go), the
//! service REST storage's allocation (pkg/registry/core/service/storage:
//! patchAllocatedValues, normalizeClusterIPs, initIPFamilyFields,
//! txnAllocClusterIPs, initNodePorts), and ValidateService /
//! ValidateServiceUpdate. Allocation runs before validation, as the
//! store's BeginCreate/BeginUpdate hooks do.

use super::validation::{dns1123_label, dns1123_subdomain, json_value, label_key, port_name, port_num, str_value, validate_labels, validate_object_meta, validate_object_meta_update};
use crate::{ApiServer, allocator};
use apimachinery::field::{BadValue, FieldError};
use apimachinery::k8s_openapi::api::core::v1::{ClientIPConfig, Service, ServicePort, ServiceSpec, SessionAffinityConfig};
use apimachinery::k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use apimachinery::{ApiError, Kind};
use std::collections::{BTreeMap, BTreeSet};

fn type_of(spec: &ServiceSpec) -> &str {
    spec.type_.as_deref().unwrap_or_default()
}

/// apiservice.ExternallyAccessible.
fn externally_accessible(spec: &ServiceSpec) -> bool {
    matches!(type_of(spec), "NodePort" | "LoadBalancer") || (type_of(spec) == "ClusterIP" && spec.external_ips.as_ref().is_some_and(|e| !e.is_empty()))
}

/// apiservice.NeedsHealthCheck.
fn needs_health_check(spec: &ServiceSpec) -> bool {
    type_of(spec) == "LoadBalancer" && spec.external_traffic_policy.as_deref() == Some("Local")
}

fn needs_cluster_ip(spec: &ServiceSpec) -> bool {
    type_of(spec) != "ExternalName"
}

fn needs_node_port(spec: &ServiceSpec) -> bool {
    matches!(type_of(spec), "NodePort" | "LoadBalancer")
}

fn should_allocate_node_ports(spec: &ServiceSpec) -> bool {
    type_of(spec) == "NodePort" || (type_of(spec) == "LoadBalancer" && spec.allocate_load_balancer_node_ports != Some(false))
}

fn is_headless(spec: &ServiceSpec) -> bool {
    spec.cluster_ips.as_deref().is_some_and(|ips| ips.len() == 1 && ips[0] == "None")
}

/// SetDefaults_Service.
pub fn default_service(s: &mut Service) {
    let spec = s.spec.get_or_insert_with(Default::default);
    if spec.session_affinity.as_deref().is_none_or(str::is_empty) {
        spec.session_affinity = Some("None".into());
    }
    match spec.session_affinity.as_deref() {
        Some("None") => spec.session_affinity_config = None,
        Some("ClientIP") => {
            let has_timeout = spec.session_affinity_config.as_ref().and_then(|c| c.client_ip.as_ref()).is_some_and(|c| c.timeout_seconds.is_some());
            if !has_timeout {
                spec.session_affinity_config = Some(SessionAffinityConfig { client_ip: Some(ClientIPConfig { timeout_seconds: Some(10800) }) });
            }
        }
        _ => {}
    }
    if spec.type_.as_deref().is_none_or(str::is_empty) {
        spec.type_ = Some("ClusterIP".into());
    }
    for p in spec.ports.iter_mut().flatten() {
        if p.protocol.as_deref().is_none_or(str::is_empty) {
            p.protocol = Some("TCP".into());
        }
        let unset = match &p.target_port {
            None | Some(IntOrString::Int(0)) => true,
            Some(IntOrString::String(s)) => s.is_empty(),
            _ => false,
        };
        if unset {
            p.target_port = Some(IntOrString::Int(p.port));
        }
    }
    if externally_accessible(spec) && spec.external_traffic_policy.as_deref().is_none_or(str::is_empty) {
        spec.external_traffic_policy = Some("Cluster".into());
    }
    if spec.internal_traffic_policy.is_none() && matches!(type_of(spec), "ClusterIP" | "NodePort" | "LoadBalancer") {
        spec.internal_traffic_policy = Some("Cluster".into());
    }
    if type_of(spec) == "LoadBalancer" {
        spec.allocate_load_balancer_node_ports.get_or_insert(true);
    }
    default_load_balancer_ip_mode(s);
}

/// SetDefaults_Service's LoadBalancerIPMode part (GA since 1.32): an
/// ingress point of a LoadBalancer Service that has an IP and no ipMode
/// gets `VIP`. Also applied to status writes, which are decoded (and so
/// defaulted) like any other request.
pub fn default_load_balancer_ip_mode(s: &mut Service) {
    if s.spec.as_ref().is_none_or(|sp| type_of(sp) != "LoadBalancer") {
        return;
    }
    let ingress = s.status.as_mut().and_then(|st| st.load_balancer.as_mut()).and_then(|lb| lb.ingress.as_mut());
    for i in ingress.into_iter().flatten() {
        if i.ip.as_deref().is_some_and(|ip| !ip.is_empty()) && i.ip_mode.is_none() {
            i.ip_mode = Some("VIP".into());
        }
    }
}

fn invalid(s: &Service, errs: Vec<FieldError>) -> ApiError {
    ApiError::invalid(Kind::Service.info(), s.metadata.name.as_deref().unwrap_or_default(), errs)
}

/// patchAllocatedValues: an update that omits allocated values keeps them.
fn patch_allocated_values(new: &mut ServiceSpec, old: &ServiceSpec) {
    if needs_cluster_ip(old) && needs_cluster_ip(new) {
        if new.cluster_ip.as_deref().is_none_or(str::is_empty) {
            new.cluster_ip = old.cluster_ip.clone();
        }
        if new.cluster_ips.as_ref().is_none_or(|c| c.is_empty()) && old.cluster_ips.as_ref().and_then(|c| c.first()) == new.cluster_ip.as_ref() {
            new.cluster_ips = old.cluster_ips.clone();
        }
    }
    if needs_node_port(old) && needs_node_port(new) {
        let used_by = |spec: &ServiceSpec| -> BTreeSet<i32> { spec.ports.iter().flatten().filter_map(|p| p.node_port).filter(|n| *n != 0).collect() };
        let used: BTreeSet<i32> = used_by(old).intersection(&used_by(new)).copied().collect();
        let by_name: BTreeMap<String, i32> = old.ports.iter().flatten().map(|p| (p.name.clone().unwrap_or_default(), p.node_port.unwrap_or(0))).collect();
        for p in new.ports.iter_mut().flatten() {
            if p.node_port.unwrap_or(0) == 0 {
                let old_val = by_name.get(p.name.as_deref().unwrap_or_default()).copied().unwrap_or(0);
                if old_val != 0 && !used.contains(&old_val) {
                    p.node_port = Some(old_val);
                }
            }
        }
    }
    if needs_health_check(old) && needs_health_check(new) && new.health_check_node_port.unwrap_or(0) == 0 {
        new.health_check_node_port = old.health_check_node_port;
    }
}

/// normalizeClusterIPs: keep `clusterIP` and `clusterIPs` in step.
fn normalize_cluster_ips(new: &mut ServiceSpec, old: Option<&ServiceSpec>) {
    let ip = new.cluster_ip.clone().unwrap_or_default();
    let ips_empty = new.cluster_ips.as_ref().is_none_or(|c| c.is_empty());
    let Some(old) = old else {
        if !ip.is_empty() && ips_empty {
            new.cluster_ips = Some(vec![ip]);
        }
        return;
    };
    let old_ip = old.cluster_ip.clone().unwrap_or_default();
    if old.cluster_ips.as_ref().is_some_and(|c| !c.is_empty()) && ips_empty && old_ip == ip {
        new.cluster_ips = old.cluster_ips.clone();
    }
    if old_ip != ip {
        let same_ips = old.cluster_ips == new.cluster_ips;
        if !old_ip.is_empty() && ip.is_empty() {
            if same_ips {
                new.cluster_ips = None;
            }
        } else if same_ips {
            new.cluster_ips = Some(vec![ip]);
        }
    }
}

/// ValidateServiceClusterIPsRelatedFields (also run by the allocator first).
fn validate_cluster_ips_related(spec: &ServiceSpec) -> Vec<FieldError> {
    let mut errs = vec![];
    if !needs_cluster_ip(spec) {
        return errs;
    }
    let ip = spec.cluster_ip.as_deref().unwrap_or_default();
    let ips = spec.cluster_ips.clone().unwrap_or_default();
    if !ip.is_empty() {
        if ips.is_empty() {
            errs.push(FieldError::required("spec.clusterIPs", ""));
        } else if ips[0] != ip {
            errs.push(FieldError::invalid("spec.clusterIPs", json_value(&ips), "first value must match `clusterIP`"));
        }
    } else if !ips.is_empty() {
        errs.push(FieldError::invalid("spec.clusterIPs", json_value(&ips), "must be empty when `clusterIP` is not specified"));
    }
    let mut seen = BTreeSet::new();
    for (i, f) in spec.ip_families.iter().flatten().enumerate() {
        if !["IPv4", "IPv6"].contains(&f.as_str()) {
            errs.push(FieldError::unsupported(format!("spec.ipFamilies[{i}]"), str_value(f), &["IPv4", "IPv6"]));
        }
        if !seen.insert(f.clone()) {
            errs.push(FieldError::duplicate(format!("spec.ipFamilies[{i}]"), str_value(f)));
        }
    }
    if let Some(p) = spec.ip_family_policy.as_deref() {
        const POLICIES: &[&str] = &["PreferDualStack", "RequireDualStack", "SingleStack"];
        if !POLICIES.contains(&p) {
            errs.push(FieldError::unsupported("spec.ipFamilyPolicy", str_value(p), POLICIES));
        }
    }
    let mut bad_ips = false;
    for (i, cip) in ips.iter().enumerate() {
        if i == 0 && cip == "None" {
            if ips.len() > 1 {
                bad_ips = true;
                errs.push(FieldError::invalid("spec.clusterIPs", json_value(&ips), "'None' must be the first and only value"));
            }
            continue;
        }
        if allocator::parse_ipv4(cip).is_none() {
            bad_ips = true;
            errs.push(FieldError::invalid(format!("spec.clusterIPs[{i}]"), str_value(cip), "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
        }
    }
    if ips.len() > 2 {
        errs.push(FieldError::invalid("spec.clusterIPs", json_value(&ips), "may only hold up to 2 values"));
    }
    if bad_ips {
        return errs;
    }
    if ips.len() > 1 {
        errs.push(FieldError::invalid("spec.clusterIPs", json_value(&ips), "may specify no more than one IP for each IP family"));
    }
    errs
}

/// The REST storage's allocation on create (`old` None) or update.
pub fn allocate(api: &mut ApiServer, s: &mut Service, old: Option<&Service>) -> Result<(), ApiError> {
    let old_spec = old.and_then(|o| o.spec.clone());
    {
        let spec = s.spec.get_or_insert_with(Default::default);
        if let Some(o) = old_spec.as_ref() {
            patch_allocated_values(spec, o);
        }
        normalize_cluster_ips(spec, old_spec.as_ref());
    }
    let spec = s.spec.clone().unwrap_or_default();
    if needs_cluster_ip(&spec) {
        let errs = validate_cluster_ips_related(&spec);
        if !errs.is_empty() {
            return Err(invalid(s, errs));
        }
    }
    init_ip_family_fields(s);
    if old_spec.as_ref().is_none_or(|o| !needs_cluster_ip(o) || o.cluster_ip.as_deref().is_none_or(str::is_empty)) {
        alloc_cluster_ip(api, s)?;
    }
    alloc_node_ports(api, s, old_spec.as_ref())
}

/// initIPFamilyFields on a single-stack IPv4 cluster. Headless services
/// without a selector default to RequireDualStack with both families.
fn init_ip_family_fields(s: &mut Service) {
    let spec = s.spec.get_or_insert_with(Default::default);
    if !needs_cluster_ip(spec) {
        return;
    }
    let selectorless_headless = is_headless(spec) && spec.selector.as_ref().is_none_or(|m| m.is_empty());
    if spec.ip_family_policy.is_none() {
        let dual = selectorless_headless || spec.ip_families.as_ref().is_some_and(|f| f.len() == 2);
        spec.ip_family_policy = Some(if dual { "RequireDualStack" } else { "SingleStack" }.into());
    }
    if spec.ip_families.as_ref().is_none_or(|f| f.is_empty()) {
        let dual = selectorless_headless && spec.ip_family_policy.as_deref() != Some("SingleStack");
        spec.ip_families = Some(if dual { vec!["IPv4".into(), "IPv6".into()] } else { vec!["IPv4".into()] });
    }
}

/// txnAllocClusterIPs: a requested IP must be in range and free.
fn alloc_cluster_ip(api: &mut ApiServer, s: &mut Service) -> Result<(), ApiError> {
    let spec = s.spec.clone().unwrap_or_default();
    if !needs_cluster_ip(&spec) || is_headless(&spec) {
        return Ok(());
    }
    let requested = spec.cluster_ip.clone().filter(|ip| !ip.is_empty());
    let ip = match requested {
        Some(ip) => {
            let (base, bits) = api.config.service_cidr;
            let cidr = format!("{}.{}.{}.{}/{}", base[0], base[1], base[2], base[3], bits);
            let ips = json_value(&spec.cluster_ips.clone().unwrap_or_default());
            if !allocator::ip_in_range(api, &ip) {
                let msg = format!("failed to allocate IP {ip}: the provided IP ({ip}) is not in the valid range. The range of valid IPs is {cidr}");
                return Err(invalid(s, vec![FieldError::invalid("spec.clusterIPs", ips, msg)]));
            }
            if allocator::is_ip_used(api, &ip) {
                return Err(invalid(s, vec![FieldError::invalid("spec.clusterIPs", ips, format!("failed to allocate IP {ip}: provided IP is already allocated"))]));
            }
            ip
        }
        None => allocator::allocate_cluster_ip(api).ok_or_else(|| ApiError::internal("failed to allocate a serviceIP: range is full"))?,
    };
    let spec = s.spec.get_or_insert_with(Default::default);
    spec.cluster_ip = Some(ip.clone());
    spec.cluster_ips = Some(vec![ip]);
    Ok(())
}

fn node_port_error(s: &Service, i: usize, port: i32, detail: String) -> ApiError {
    invalid(s, vec![FieldError::invalid(format!("spec.ports[{i}].nodePort"), BadValue::Int(port as i64), detail)])
}

/// initNodePorts (create) and updateNodePorts (update): ports with the same
/// port number share a node port; requested ones must be in range and free.
fn alloc_node_ports(api: &mut ApiServer, s: &mut Service, old: Option<&ServiceSpec>) -> Result<(), ApiError> {
    let spec = s.spec.clone().unwrap_or_default();
    let (lo, hi) = api.config.node_port_range;
    let old_ports: BTreeSet<i32> = old.iter().flat_map(|o| o.ports.iter().flatten()).filter_map(|p| p.node_port).filter(|n| *n != 0).collect();
    let mut in_use = allocator::used_node_ports(api);
    for p in &old_ports {
        in_use.remove(p);
    }
    let mut taken: BTreeSet<i32> = BTreeSet::new();
    let mut ports = spec.ports.clone().unwrap_or_default();
    if needs_node_port(&spec) {
        let mut by_port: BTreeMap<i32, i32> = BTreeMap::new();
        for i in 0..ports.len() {
            let requested = ports[i].node_port.unwrap_or(0);
            if requested == 0 && !should_allocate_node_ports(&spec) {
                continue;
            }
            let shared = if old.is_none() { by_port.get(&ports[i].port).copied() } else { None };
            let wanted = match shared {
                Some(n) if requested == 0 || requested == n => Some(n),
                _ if requested != 0 => Some(requested),
                _ if old.is_none() => find_requested_node_port(&ports, ports[i].port),
                _ => None,
            };
            let n = match wanted {
                Some(n) if shared == Some(n) || (old.is_some() && old_ports.contains(&n) && !taken.contains(&n)) => n,
                Some(n) => {
                    if !(lo..=hi).contains(&n) {
                        return Err(node_port_error(s, i, n, format!("provided port is not in the valid range. The range of valid ports is {lo}-{hi}")));
                    }
                    if in_use.contains(&n) || taken.contains(&n) {
                        return Err(node_port_error(s, i, n, "provided port is already allocated".into()));
                    }
                    n
                }
                None => {
                    let mut also = taken.clone();
                    also.extend(old_ports.iter().copied());
                    allocator::allocate_node_port(api, &also).ok_or_else(|| ApiError::internal("failed to allocate a nodePort: range is full"))?
                }
            };
            taken.insert(n);
            by_port.insert(ports[i].port, n);
            ports[i].node_port = Some(n);
        }
    }
    let spec_mut = s.spec.get_or_insert_with(Default::default);
    if !ports.is_empty() {
        spec_mut.ports = Some(ports);
    }
    if needs_health_check(spec_mut) && spec_mut.health_check_node_port.unwrap_or(0) == 0 {
        let n = allocator::allocate_node_port(api, &taken).ok_or_else(|| ApiError::internal("failed to allocate a nodePort: range is full"))?;
        spec_mut.health_check_node_port = Some(n);
    }
    Ok(())
}

/// findRequestedNodePort: a node port some entry with this port number asks for.
fn find_requested_node_port(ports: &[ServicePort], port: i32) -> Option<i32> {
    ports.iter().filter(|p| p.port == port).find_map(|p| p.node_port.filter(|n| *n != 0))
}

/// Go's JSON of an internal core.ServicePort (no json tags).
fn internal_service_port_json(protocol: &str, port: i32) -> BadValue {
    BadValue::Raw(format!("{{\"Name\":\"\",\"Protocol\":{},\"AppProtocol\":null,\"Port\":{port},\"TargetPort\":0,\"NodePort\":0}}", serde_json::Value::String(protocol.into())))
}

/// ValidateService, in Kubernetes' order.
pub fn validate_service(s: &Service) -> Vec<FieldError> {
    let mut errs = validate_object_meta(&s.metadata, Kind::Service);
    let default_spec = ServiceSpec::default();
    let spec = s.spec.as_ref().unwrap_or(&default_spec);
    let type_ = type_of(spec);
    let headless = is_headless(spec);
    let ports = spec.ports.as_deref().unwrap_or_default();
    if ports.is_empty() && !headless && type_ != "ExternalName" {
        errs.push(FieldError::required("spec.ports", ""));
    }
    let first_ip = || spec.cluster_ips.as_ref().and_then(|c| c.first()).cloned().unwrap_or_default();
    match type_ {
        "LoadBalancer" if headless => errs.push(FieldError::invalid("spec.clusterIPs[0]", str_value(&first_ip()), "may not be set to 'None' for LoadBalancer services")),
        "NodePort" if headless => errs.push(FieldError::invalid("spec.clusterIPs[0]", str_value(&first_ip()), "may not be set to 'None' for NodePort services")),
        "ExternalName" => {
            if spec.cluster_ips.as_ref().is_some_and(|c| !c.is_empty()) {
                errs.push(FieldError::forbidden("spec.clusterIPs", "may not be set for ExternalName services"));
            }
            if spec.ip_families.as_ref().is_some_and(|f| !f.is_empty()) {
                errs.push(FieldError::forbidden("spec.ipFamilies", "may not be set for ExternalName services"));
            }
            if spec.ip_family_policy.is_some() {
                errs.push(FieldError::forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services"));
            }
            let cname = spec.external_name.as_deref().unwrap_or_default().trim_end_matches('.');
            if cname.is_empty() {
                errs.push(FieldError::required("spec.externalName", ""));
            } else {
                errs.extend(dns1123_subdomain(cname).into_iter().map(|m| FieldError::invalid("spec.externalName", str_value(cname), m)));
            }
        }
        _ => {}
    }
    let mut names = BTreeSet::new();
    for (i, p) in ports.iter().enumerate() {
        let pp = format!("spec.ports[{i}]");
        let name = p.name.as_deref().unwrap_or_default();
        if ports.len() > 1 && name.is_empty() {
            errs.push(FieldError::required(format!("{pp}.name"), ""));
        } else if !name.is_empty() {
            errs.extend(dns1123_label(name).into_iter().map(|m| FieldError::invalid(format!("{pp}.name"), str_value(name), m)));
            if !names.insert(name.to_string()) {
                errs.push(FieldError::duplicate(format!("{pp}.name"), str_value(name)));
            }
        }
        errs.extend(port_num(p.port as i64).map(|m| FieldError::invalid(format!("{pp}.port"), BadValue::Int(p.port as i64), m)));
        match p.protocol.as_deref().unwrap_or_default() {
            "" => errs.push(FieldError::required(format!("{pp}.protocol"), "")),
            "TCP" | "UDP" | "SCTP" => {}
            other => errs.push(FieldError::unsupported(format!("{pp}.protocol"), str_value(other), &["SCTP", "TCP", "UDP"])),
        }
        match p.target_port.as_ref().unwrap_or(&IntOrString::Int(0)) {
            IntOrString::Int(t) => errs.extend(port_num(*t as i64).map(|m| FieldError::invalid(format!("{pp}.targetPort"), BadValue::Int(*t as i64), m))),
            IntOrString::String(t) => errs.extend(port_name(t).into_iter().map(|m| FieldError::invalid(format!("{pp}.targetPort"), str_value(t), m))),
        }
        if let Some(ap) = p.app_protocol.as_deref() {
            errs.extend(label_key(ap).into_iter().map(|m| FieldError::invalid(format!("{pp}.appProtocol"), str_value(ap), m)));
        }
    }
    if spec.selector.is_some() {
        errs.extend(validate_labels(spec.selector.as_ref(), "spec.selector"));
    }
    let affinity = spec.session_affinity.as_deref().unwrap_or_default();
    if affinity.is_empty() {
        errs.push(FieldError::required("spec.sessionAffinity", ""));
    } else if !["ClientIP", "None"].contains(&affinity) {
        errs.push(FieldError::unsupported("spec.sessionAffinity", str_value(affinity), &["ClientIP", "None"]));
    }
    if affinity == "ClientIP" {
        let timeout = spec.session_affinity_config.as_ref().and_then(|c| c.client_ip.as_ref()).and_then(|c| c.timeout_seconds);
        match timeout {
            None => errs.push(FieldError::required("spec.sessionAffinityConfig", "when session affinity type is ClientIP")),
            Some(t) if t <= 0 || t > 86400 => {
                errs.push(FieldError::invalid("spec.sessionAffinityConfig.clientIP.timeoutSeconds", BadValue::Int(t as i64), "must be greater than 0 and less than 86400"))
            }
            _ => {}
        }
    } else if affinity == "None" && spec.session_affinity_config.is_some() {
        errs.push(FieldError::forbidden("spec.sessionAffinityConfig", "must not be set when session affinity is None"));
    }
    errs.extend(validate_cluster_ips_related(spec));
    for (i, ip) in spec.external_ips.iter().flatten().enumerate() {
        if allocator::parse_ipv4(ip).is_none() {
            errs.push(FieldError::invalid(format!("spec.externalIPs[{i}]"), str_value(ip), "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
        }
    }
    const TYPES: &[&str] = &["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
    if type_.is_empty() {
        errs.push(FieldError::required("spec.type", ""));
    } else if !TYPES.contains(&type_) {
        errs.push(FieldError::unsupported("spec.type", str_value(type_), TYPES));
    }
    if type_ == "ClusterIP" {
        for (i, p) in ports.iter().enumerate() {
            if p.node_port.unwrap_or(0) != 0 {
                errs.push(FieldError::forbidden(format!("spec.ports[{i}].nodePort"), "may not be used when `type` is 'ClusterIP'"));
            }
        }
    }
    let mut node_ports = BTreeSet::new();
    for (i, p) in ports.iter().enumerate() {
        let np = p.node_port.unwrap_or(0);
        if np != 0 && !node_ports.insert((p.protocol.clone().unwrap_or_default(), np)) {
            errs.push(FieldError::duplicate(format!("spec.ports[{i}].nodePort"), BadValue::Int(np as i64)));
        }
    }
    let mut keys = BTreeSet::new();
    for (i, p) in ports.iter().enumerate() {
        let proto = p.protocol.clone().unwrap_or_default();
        if !keys.insert((proto.clone(), p.port)) {
            errs.push(FieldError::duplicate(format!("spec.ports[{i}]"), internal_service_port_json(&proto, p.port)));
        }
    }
    if spec.load_balancer_source_ranges.as_ref().is_some_and(|r| !r.is_empty()) && type_ != "LoadBalancer" {
        errs.push(FieldError::forbidden("spec.LoadBalancerSourceRanges", "may only be used when `type` is 'LoadBalancer'"));
    }
    if spec.allocate_load_balancer_node_ports.is_some() && type_ != "LoadBalancer" {
        errs.push(FieldError::forbidden("spec.allocateLoadBalancerNodePorts", "may only be used when `type` is 'LoadBalancer'"));
    }
    if type_ == "LoadBalancer" && spec.allocate_load_balancer_node_ports.is_none() {
        errs.push(FieldError::required("allocateLoadBalancerNodePorts", ""));
    }
    match (type_ == "LoadBalancer", spec.load_balancer_class.as_deref()) {
        (true, Some(c)) => errs.extend(label_key(c).into_iter().map(|m| FieldError::invalid("spec.loadBalancerClass", str_value(c), m))),
        (false, Some(_)) => errs.push(FieldError::forbidden("spec.loadBalancerClass", "may only be used when `type` is 'LoadBalancer'")),
        _ => {}
    }
    // validateServiceExternalTrafficPolicy
    let etp = spec.external_traffic_policy.as_deref().unwrap_or_default();
    if !externally_accessible(spec) {
        if !etp.is_empty() {
            errs.push(FieldError::invalid("spec.externalTrafficPolicy", str_value(etp), "may only be set for externally-accessible services"));
        }
    } else if etp.is_empty() {
        errs.push(FieldError::required("spec.externalTrafficPolicy", ""));
    } else if !["Cluster", "Local"].contains(&etp) {
        errs.push(FieldError::unsupported("spec.externalTrafficPolicy", str_value(etp), &["Cluster", "Local"]));
    }
    let hc = spec.health_check_node_port.unwrap_or(0);
    if !needs_health_check(spec) {
        if hc != 0 {
            errs.push(FieldError::invalid("spec.healthCheckNodePort", BadValue::Int(hc as i64), "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
        }
    } else if hc == 0 {
        errs.push(FieldError::required("spec.healthCheckNodePort", ""));
    } else if let Some(m) = port_num(hc as i64) {
        errs.push(FieldError::invalid("spec.healthCheckNodePort", BadValue::Int(hc as i64), m));
    }
    // validateServiceInternalTrafficFieldsValue
    match spec.internal_traffic_policy.as_deref() {
        None if matches!(type_, "NodePort" | "LoadBalancer" | "ClusterIP") => errs.push(FieldError::required("spec.internalTrafficPolicy", "")),
        Some(p) if !["Cluster", "Local"].contains(&p) => errs.push(FieldError::unsupported("spec.internalTrafficPolicy", str_value(p), &["Cluster", "Local"])),
        _ => {}
    }
    if let Some(td) = spec.traffic_distribution.as_deref()
        && td != "PreferClose" {
            errs.push(FieldError::unsupported("spec.trafficDistribution", str_value(td), &["PreferClose"]));
        }
    errs
}

/// ValidateServiceUpdate: metadata, clusterIP/ipFamily changes, load
/// balancer class, health check port, then ValidateService.
pub fn validate_service_update(new: &Service, old: &Service) -> Vec<FieldError> {
    let mut errs = validate_object_meta_update(&new.metadata, &old.metadata);
    let empty = ServiceSpec::default();
    let (n, o) = (new.spec.as_ref().unwrap_or(&empty), old.spec.as_ref().unwrap_or(&empty));
    if needs_cluster_ip(n) && needs_cluster_ip(o) && !(is_headless(n) && is_headless(o)) {
        let new_ips = n.cluster_ips.clone().unwrap_or_default();
        let old_ips = o.cluster_ips.clone().unwrap_or_default();
        if new_ips.len() == old_ips.len() {
            for (i, ip) in old_ips.iter().enumerate() {
                if *ip != new_ips[i] {
                    errs.push(FieldError::invalid(format!("spec.clusterIPs[{i}]"), json_value(&new_ips), "may not change once set"));
                }
            }
        } else if old_ips.len() > new_ips.len() {
            if new_ips.is_empty() {
                errs.push(FieldError::invalid("spec.clusterIPs[0]", json_value(&new_ips), "primary clusterIP can not be unset"));
            } else if new_ips[0] != old_ips[0] {
                errs.push(FieldError::invalid("spec.clusterIPs[0]", json_value(&new_ips), "may not change once set"));
            }
        } else if !old_ips.is_empty() && new_ips[0] != old_ips[0] {
            errs.push(FieldError::invalid("spec.clusterIPs[0]", json_value(&new_ips), "may not change once set"));
        }
    }
    if needs_cluster_ip(n) && needs_cluster_ip(o) && is_headless(n) == is_headless(o) && !is_headless(n) {
        let nf = n.ip_families.clone().unwrap_or_default();
        let of = o.ip_families.clone().unwrap_or_default();
        if nf.len() == of.len() && nf != of {
            errs.push(FieldError::invalid("spec.ipFamilies[0]", json_value(&nf), "may not change once set"));
        }
    }
    if type_of(o) == "LoadBalancer" && type_of(n) == "LoadBalancer" && o.load_balancer_class != n.load_balancer_class {
        let v = n.load_balancer_class.as_ref().map_or(BadValue::Json(serde_json::Value::Null), |c| str_value(c));
        errs.push(FieldError::invalid("spec.loadBalancerClass", v, "may not change once set"));
    }
    if needs_health_check(o) && needs_health_check(n) && o.health_check_node_port != n.health_check_node_port {
        errs.push(FieldError::forbidden("spec.healthCheckNodePort", "field is immutable"));
    }
    errs.extend(validate_service(new));
    errs
}
