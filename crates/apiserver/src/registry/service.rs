//! Services: defaults, validation, and ClusterIP / NodePort allocation
//! (pkg/registry/core/service/storage).

use crate::{ApiServer, allocator};
use apimachinery::field::{BadValue, FieldError};
use apimachinery::k8s_openapi::api::core::v1::Service;
use apimachinery::k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use apimachinery::{ApiError, Kind, names};
use std::collections::BTreeSet;

fn is_external(type_: &str) -> bool {
    matches!(type_, "NodePort" | "LoadBalancer")
}

pub fn default_service(s: &mut Service) {
    let spec = s.spec.get_or_insert_with(Default::default);
    spec.type_.get_or_insert_with(|| "ClusterIP".into());
    spec.session_affinity.get_or_insert_with(|| "None".into());
    if spec.session_affinity.as_deref() == Some("None") {
        spec.session_affinity_config = None;
    }
    for p in spec.ports.iter_mut().flatten() {
        p.protocol.get_or_insert_with(|| "TCP".into());
        let unset = match &p.target_port {
            None => true,
            Some(IntOrString::Int(0)) => true,
            Some(IntOrString::String(s)) => s.is_empty(),
            _ => false,
        };
        if unset {
            p.target_port = Some(IntOrString::Int(p.port));
        }
    }
    let type_ = spec.type_.clone().unwrap_or_default();
    if is_external(&type_) {
        spec.external_traffic_policy.get_or_insert_with(|| "Cluster".into());
    }
    if type_ != "ExternalName" {
        spec.internal_traffic_policy.get_or_insert_with(|| "Cluster".into());
    }
    if type_ == "LoadBalancer" {
        spec.allocate_load_balancer_node_ports.get_or_insert(true);
    }
}

pub fn validate_service(_api: &ApiServer, s: &Service) -> Vec<FieldError> {
    let mut errs = vec![];
    let name = s.metadata.name.clone().unwrap_or_default();
    if name.is_empty() && s.metadata.generate_name.is_none() {
        errs.push(FieldError::required("metadata.name", "name or generateName is required"));
    }
    let Some(spec) = s.spec.as_ref() else { return vec![FieldError::required("spec.ports", "")] };
    let type_ = spec.type_.clone().unwrap_or_default();
    let headless = spec.cluster_ip.as_deref() == Some("None");
    let ports = spec.ports.clone().unwrap_or_default();
    if ports.is_empty() && !headless && type_ != "ExternalName" {
        errs.push(FieldError::required("spec.ports", ""));
    }
    let mut port_names = BTreeSet::new();
    let mut keys = BTreeSet::new();
    for (i, p) in ports.iter().enumerate() {
        let pp = format!("spec.ports[{i}]");
        match p.name.as_deref().filter(|n| !n.is_empty()) {
            None if ports.len() > 1 => errs.push(FieldError::required(format!("{pp}.name"), "")),
            None => {}
            Some(n) => {
                for e in names::dns1123_label(n) {
                    errs.push(FieldError::invalid(format!("{pp}.name"), BadValue::Str(n.into()), e));
                }
                if !port_names.insert(n.to_string()) {
                    errs.push(FieldError::duplicate(format!("{pp}.name"), BadValue::Str(n.into())));
                }
            }
        }
        if !(1..=65535).contains(&p.port) {
            errs.push(FieldError::invalid(format!("{pp}.port"), BadValue::Int(p.port as i64), "must be between 1 and 65535, inclusive"));
        }
        let proto = p.protocol.clone().unwrap_or_default();
        if !["TCP", "UDP", "SCTP"].contains(&proto.as_str()) {
            errs.push(FieldError::unsupported(format!("{pp}.protocol"), BadValue::Str(proto.clone()), &["SCTP", "TCP", "UDP"]));
        }
        if let Some(IntOrString::Int(tp)) = p.target_port {
            if !(1..=65535).contains(&tp) {
                errs.push(FieldError::invalid(format!("{pp}.targetPort"), BadValue::Int(tp as i64), "must be between 1 and 65535, inclusive"));
            }
        }
        if !keys.insert((p.port, proto.clone())) {
            errs.push(FieldError::duplicate(pp.clone(), BadValue::Json(serde_json::json!({"port": p.port, "protocol": proto}))));
        }
        if type_ == "ClusterIP" && p.node_port.is_some_and(|n| n != 0) {
            errs.push(FieldError::forbidden(format!("{pp}.nodePort"), "may not be used when `type` is 'ClusterIP'"));
        }
    }
    if !["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"].contains(&type_.as_str()) {
        errs.push(FieldError::unsupported("spec.type", BadValue::Str(type_.clone()), &["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]));
    }
    let affinity = spec.session_affinity.clone().unwrap_or_default();
    if !["ClientIP", "None"].contains(&affinity.as_str()) {
        errs.push(FieldError::unsupported("spec.sessionAffinity", BadValue::Str(affinity), &["ClientIP", "None"]));
    }
    if let Some(etp) = spec.external_traffic_policy.as_deref() {
        if !is_external(&type_) {
            errs.push(FieldError::invalid("spec.externalTrafficPolicy", BadValue::Str(etp.into()), "may only be set for externally-accessible services"));
        } else if !["Cluster", "Local"].contains(&etp) {
            errs.push(FieldError::unsupported("spec.externalTrafficPolicy", BadValue::Str(etp.into()), &["Cluster", "Local"]));
        }
    }
    errs
}

pub fn validate_service_update(api: &ApiServer, new: &Service, old: &Service) -> Vec<FieldError> {
    let mut errs = validate_service(api, new);
    let old_ip = old.spec.as_ref().and_then(|s| s.cluster_ip.clone()).unwrap_or_default();
    let new_ip = new.spec.as_ref().and_then(|s| s.cluster_ip.clone()).unwrap_or_default();
    if !old_ip.is_empty() && !new_ip.is_empty() && old_ip != new_ip {
        errs.push(FieldError::invalid("spec.clusterIPs[0]", BadValue::Json(serde_json::json!([new_ip])), "may not change once set"));
    }
    errs
}

fn port_error(s: &Service, i: usize, port: i32, detail: &str) -> ApiError {
    ApiError::invalid(
        Kind::Service.info(),
        s.metadata.name.as_deref().unwrap_or(""),
        vec![FieldError::invalid(format!("spec.ports[{i}].nodePort"), BadValue::Int(port as i64), detail)],
    )
}

/// Allocates the ClusterIP and node ports, keeping those of `old` on update.
pub fn allocate(api: &mut ApiServer, s: &mut Service, old: Option<&Service>) -> Result<(), ApiError> {
    let name = s.metadata.name.clone().unwrap_or_default();
    let old_spec = old.and_then(|o| o.spec.clone());
    let spec = s.spec.get_or_insert_with(Default::default);
    let type_ = spec.type_.clone().unwrap_or_default();
    if type_ != "ExternalName" {
        let requested = spec.cluster_ip.clone().filter(|ip| !ip.is_empty()).or_else(|| old_spec.as_ref().and_then(|o| o.cluster_ip.clone()));
        let ip = match requested {
            Some(ip) if ip == "None" => ip,
            Some(ip) if old_spec.as_ref().and_then(|o| o.cluster_ip.as_ref()) == Some(&ip) => ip,
            Some(ip) => {
                let (base, bits) = api.config.service_cidr;
                let cidr = format!("{}.{}.{}.{}/{}", base[0], base[1], base[2], base[3], bits);
                if !allocator::ip_in_range(api, &ip) {
                    return Err(ApiError::invalid(Kind::Service.info(), &name, vec![FieldError::invalid("spec.clusterIPs", BadValue::Json(serde_json::json!([ip])), format!("failed to allocate IP {ip}: provided IP is not in the valid range. The range of valid IPs is {cidr}"))]));
                }
                if allocator::is_ip_used(api, &ip) {
                    return Err(ApiError::invalid(Kind::Service.info(), &name, vec![FieldError::invalid("spec.clusterIPs", BadValue::Json(serde_json::json!([ip])), format!("failed to allocate IP {ip}: provided IP is already allocated"))]));
                }
                ip
            }
            None => allocator::allocate_cluster_ip(api).ok_or_else(|| ApiError::internal("failed to allocate a serviceIP: range is full"))?,
        };
        let spec = s.spec.get_or_insert_with(Default::default);
        spec.cluster_ip = Some(ip.clone());
        spec.cluster_ips = Some(vec![ip]);
        spec.ip_families.get_or_insert_with(|| vec!["IPv4".into()]);
        spec.ip_family_policy.get_or_insert_with(|| "SingleStack".into());
    }
    let spec = s.spec.get_or_insert_with(Default::default);
    let wants_node_ports = type_ == "NodePort" || (type_ == "LoadBalancer" && spec.allocate_load_balancer_node_ports != Some(false));
    if !wants_node_ports {
        for p in spec.ports.iter_mut().flatten() {
            if type_ == "ClusterIP" {
                p.node_port = None;
            }
        }
        return Ok(());
    }
    let mut ports = spec.ports.clone().unwrap_or_default();
    let old_ports = old_spec.and_then(|o| o.ports).unwrap_or_default();
    let (lo, hi) = api.config.node_port_range;
    let mut taken = BTreeSet::new();
    let in_use: BTreeSet<i32> = {
        let mut u = allocator::used_node_ports(api);
        for p in &old_ports {
            if let Some(n) = p.node_port {
                u.remove(&n);
            }
        }
        u
    };
    for (i, p) in ports.iter_mut().enumerate() {
        let keep = old_ports.iter().find(|o| o.port == p.port && o.protocol == p.protocol).and_then(|o| o.node_port);
        match p.node_port.filter(|n| *n != 0) {
            Some(n) => {
                if !(lo..=hi).contains(&n) {
                    return Err(port_error(s, i, n, &format!("provided port is not in the valid range. The range of valid ports is {lo}-{hi}")));
                }
                if (in_use.contains(&n) && keep != Some(n)) || taken.contains(&n) {
                    return Err(port_error(s, i, n, "provided port is already allocated"));
                }
                taken.insert(n);
            }
            None => {
                let n = match keep {
                    Some(k) => k,
                    None => allocator::allocate_node_port(api, &taken).ok_or_else(|| ApiError::internal("failed to allocate a nodePort: range is full"))?,
                };
                taken.insert(n);
                p.node_port = Some(n);
            }
        }
    }
    s.spec.get_or_insert_with(Default::default).ports = Some(ports);
    Ok(())
}
