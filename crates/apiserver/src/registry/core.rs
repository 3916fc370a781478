//! The smaller kinds: ConfigMap, ServiceAccount, Node, Endpoints, Event
//! (pkg/apis/core/validation/validation.go and events.go), Lease
//! (pkg/apis/coordination/validation) and EndpointSlice
//! (pkg/apis/discovery/validation), with their defaults.

use super::validation::{
    MAX_SECRET_SIZE_BYTES, config_map_key, dns1123_label, dns1123_subdomain, json_value, label_key, label_value, non_negative, port_num, str_value, too_long,
    validate_object_meta,
};
use crate::allocator::parse_ipv4;
use apimachinery::Kind;
use apimachinery::field::{BadValue, FieldError};
use apimachinery::k8s_openapi::api::coordination::v1::Lease;
use apimachinery::k8s_openapi::api::core::v1::{ConfigMap, Endpoints, Event, Node, ServiceAccount};
use apimachinery::k8s_openapi::api::discovery::v1::EndpointSlice;
use std::collections::BTreeSet;

/// SetDefaults_EndpointPort (core/v1 and discovery/v1): protocol TCP.
pub fn default_endpoints(e: &mut Endpoints) {
    for p in e.subsets.iter_mut().flatten().flat_map(|s| s.ports.iter_mut().flatten()) {
        if p.protocol.as_deref().is_none_or(str::is_empty) {
            p.protocol = Some("TCP".into());
        }
    }
}

pub fn default_endpoint_slice(s: &mut EndpointSlice) {
    for p in s.ports.iter_mut().flatten() {
        p.name.get_or_insert_with(String::new);
        p.protocol.get_or_insert_with(|| "TCP".into());
    }
}

/// ValidateConfigMap: data keys, no key in both maps, 1 MiB in total.
pub fn validate_config_map(c: &ConfigMap) -> Vec<FieldError> {
    let mut errs = validate_object_meta(&c.metadata, Kind::ConfigMap);
    let mut total = 0usize;
    for (k, v) in c.data.iter().flatten() {
        errs.extend(config_map_key(k).into_iter().map(|m| FieldError::invalid(format!("data[{k}]"), str_value(k), m)));
        if c.binary_data.as_ref().is_some_and(|b| b.contains_key(k)) {
            errs.push(FieldError::invalid(format!("data[{k}]"), str_value(k), "duplicate of key present in binaryData"));
        }
        total += v.len();
    }
    for (k, v) in c.binary_data.iter().flatten() {
        errs.extend(config_map_key(k).into_iter().map(|m| FieldError::invalid(format!("binaryData[{k}]"), str_value(k), m)));
        total += v.0.len();
    }
    if total > MAX_SECRET_SIZE_BYTES {
        // An empty path: the error is about the whole object.
        errs.push(too_long("", MAX_SECRET_SIZE_BYTES));
    }
    errs
}

/// ValidateConfigMapUpdate: an immutable ConfigMap keeps its data.
pub fn validate_config_map_update(n: &ConfigMap, o: &ConfigMap) -> Vec<FieldError> {
    let mut errs = vec![];
    if o.immutable == Some(true) {
        if n.immutable != Some(true) {
            errs.push(FieldError::forbidden("immutable", "field is immutable when `immutable` is set"));
        }
        if n.data != o.data {
            errs.push(FieldError::forbidden("data", "field is immutable when `immutable` is set"));
        }
        if n.binary_data != o.binary_data {
            errs.push(FieldError::forbidden("binaryData", "field is immutable when `immutable` is set"));
        }
    }
    errs.extend(validate_config_map(n));
    errs
}

pub fn validate_service_account(s: &ServiceAccount) -> Vec<FieldError> {
    validate_object_meta(&s.metadata, Kind::ServiceAccount)
}

/// ValidateNode: metadata, then taints (reported under `metadata.taints`,
/// as Kubernetes does).
pub fn validate_node(n: &Node) -> Vec<FieldError> {
    let mut errs = validate_object_meta(&n.metadata, Kind::Node);
    errs.extend(validate_taints(n));
    errs
}

fn validate_taints(n: &Node) -> Vec<FieldError> {
    let mut errs = vec![];
    let mut unique: BTreeSet<(String, String)> = BTreeSet::new();
    for (i, t) in n.spec.iter().flat_map(|s| s.taints.iter().flatten()).enumerate() {
        let tp = format!("metadata.taints[{i}]");
        errs.extend(label_key(&t.key).into_iter().map(|m| FieldError::invalid(format!("{tp}.key"), str_value(&t.key), m)));
        let value = t.value.as_deref().unwrap_or_default();
        let msgs = label_value(value);
        if !msgs.is_empty() {
            errs.push(FieldError::invalid(format!("{tp}.value"), str_value(value), msgs.join(";")));
        }
        if t.effect.is_empty() {
            errs.push(FieldError::required(format!("{tp}.effect"), ""));
        } else if !["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(&t.effect.as_str()) {
            errs.push(FieldError::unsupported(format!("{tp}.effect"), str_value(&t.effect), &["NoSchedule", "PreferNoSchedule", "NoExecute"]));
        }
        if !unique.insert((t.effect.clone(), t.key.clone())) {
            let mut e = FieldError::duplicate(tp, json_value(t));
            e.detail = "taints must be unique by key and effect pair".into();
            errs.push(e);
        }
    }
    errs
}

/// ValidateNodeUpdate (the parts that apply to a simulated node).
pub fn validate_node_update(n: &Node, o: &Node) -> Vec<FieldError> {
    let mut errs = vec![];
    let cidrs = |x: &Node| x.spec.as_ref().and_then(|s| s.pod_cidrs.clone()).unwrap_or_default();
    let (new_cidrs, old_cidrs) = (cidrs(n), cidrs(o));
    if !old_cidrs.is_empty() && (old_cidrs.len() != new_cidrs.len() || old_cidrs.iter().zip(&new_cidrs).any(|(a, b)| a != b)) {
        errs.push(FieldError::forbidden("spec.podCIDRs", "node updates may not change podCIDR except from \"\" to valid"));
    }
    let provider = |x: &Node| x.spec.as_ref().and_then(|s| s.provider_id.clone()).unwrap_or_default();
    if !provider(o).is_empty() && provider(o) != provider(n) {
        errs.push(FieldError::forbidden("spec.providerID", "node updates may not change providerID except from \"\" to valid"));
    }
    errs.extend(validate_taints(n));
    errs
}

fn validate_ip(ip: &str, path: &str, errs: &mut Vec<FieldError>) -> bool {
    if parse_ipv4(ip).is_none() {
        errs.push(FieldError::invalid(path, str_value(ip), "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
        return false;
    }
    true
}

/// ValidateNonSpecialIP for IPv4.
fn non_special_ip(ip: &str, path: &str, errs: &mut Vec<FieldError>) {
    let Some(v) = parse_ipv4(ip) else { return };
    let o = v.to_be_bytes();
    if v == 0 {
        errs.push(FieldError::invalid(path, str_value(ip), format!("may not be unspecified ({ip})")));
    }
    if o[0] == 127 {
        errs.push(FieldError::invalid(path, str_value(ip), "may not be in the loopback range (127.0.0.0/8, ::1/128)"));
    }
    if o[0] == 169 && o[1] == 254 {
        errs.push(FieldError::invalid(path, str_value(ip), "may not be in the link-local range (169.254.0.0/16, fe80::/10)"));
    }
    if o[0] == 224 && o[1] == 0 && o[2] == 0 {
        errs.push(FieldError::invalid(path, str_value(ip), "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"));
    }
}

/// ValidateEndpoints: subsets need addresses; addresses and ports are checked.
pub fn validate_endpoints(e: &Endpoints) -> Vec<FieldError> {
    let mut errs = validate_object_meta(&e.metadata, Kind::Endpoints);
    for (i, s) in e.subsets.iter().flatten().enumerate() {
        let sp = format!("subsets[{i}]");
        let ready = s.addresses.as_deref().unwrap_or_default();
        let not_ready = s.not_ready_addresses.as_deref().unwrap_or_default();
        if ready.is_empty() && not_ready.is_empty() {
            errs.push(FieldError::required(sp.clone(), "must specify `addresses` or `notReadyAddresses`"));
        }
        for (list, seg) in [(ready, "addresses"), (not_ready, "notReadyAddresses")] {
            for (j, a) in list.iter().enumerate() {
                let ap = format!("{sp}.{seg}[{j}]");
                validate_ip(&a.ip, &format!("{ap}.ip"), &mut errs);
                if let Some(h) = a.hostname.as_deref().filter(|h| !h.is_empty()) {
                    errs.extend(dns1123_label(h).into_iter().map(|m| FieldError::invalid(format!("{ap}.hostname"), str_value(h), m)));
                }
                if let Some(n) = a.node_name.as_deref() {
                    errs.extend(dns1123_subdomain(n).into_iter().map(|m| FieldError::invalid(format!("{ap}.nodeName"), str_value(n), m)));
                }
                non_special_ip(&a.ip, &format!("{ap}.ip"), &mut errs);
            }
        }
        let ports = s.ports.as_deref().unwrap_or_default();
        for (j, p) in ports.iter().enumerate() {
            let pp = format!("{sp}.ports[{j}]");
            let name = p.name.as_deref().unwrap_or_default();
            if ports.len() > 1 && name.is_empty() {
                errs.push(FieldError::required(format!("{pp}.name"), ""));
            } else if !name.is_empty() {
                errs.extend(dns1123_label(name).into_iter().map(|m| FieldError::invalid(format!("{pp}.name"), str_value(name), m)));
            }
            errs.extend(port_num(p.port as i64).map(|m| FieldError::invalid(format!("{pp}.port"), BadValue::Int(p.port as i64), m)));
            match p.protocol.as_deref().unwrap_or_default() {
                "" => errs.push(FieldError::required(format!("{pp}.protocol"), "")),
                "TCP" | "UDP" | "SCTP" => {}
                other => errs.push(FieldError::unsupported(format!("{pp}.protocol"), str_value(other), &["SCTP", "TCP", "UDP"])),
            }
        }
    }
    errs
}

/// ValidateEventCreate for core/v1: only the legacy checks (the involved
/// object's namespace must agree), no ObjectMeta validation.
pub fn validate_event(e: &Event) -> Vec<FieldError> {
    let mut errs = vec![];
    let ns = e.metadata.namespace.as_deref().unwrap_or_default();
    let involved_ns = e.involved_object.namespace.as_deref().unwrap_or_default();
    if e.event_time.is_none() {
        let agrees = if involved_ns.is_empty() { ns.is_empty() || ns == "default" } else { ns == involved_ns };
        if !agrees {
            errs.push(FieldError::invalid("involvedObject.namespace", str_value(involved_ns), "does not match event.namespace"));
        }
    }
    errs.extend(dns1123_subdomain(ns).into_iter().map(|m| FieldError::invalid("namespace", str_value(ns), m)));
    errs
}

/// ValidateLease (coordination/v1).
pub fn validate_lease(l: &Lease) -> Vec<FieldError> {
    let mut errs = validate_object_meta(&l.metadata, Kind::Lease);
    let Some(spec) = l.spec.as_ref() else { return errs };
    if let Some(d) = spec.lease_duration_seconds.filter(|d| *d <= 0) {
        errs.push(FieldError::invalid("spec.leaseDurationSeconds", BadValue::Int(d as i64), "must be greater than 0"));
    }
    if let Some(t) = spec.lease_transitions {
        errs.extend(non_negative("spec.leaseTransitions", t as i64));
    }
    if let Some(s) = spec.strategy.as_deref() {
        errs.extend(label_key(s).into_iter().map(|m| FieldError::invalid("spec.strategy", str_value(s), m)));
    }
    if spec.preferred_holder.as_deref().is_some_and(|p| !p.is_empty()) && spec.strategy.as_deref().is_none_or(str::is_empty) {
        errs.push(FieldError::forbidden("spec.preferredHolder", "may only be specified if `strategy` is defined"));
    }
    errs
}

/// ValidateEndpointSlice (discovery/v1) basics: address type, addresses, ports.
pub fn validate_endpoint_slice(s: &EndpointSlice) -> Vec<FieldError> {
    let mut errs = validate_object_meta(&s.metadata, Kind::EndpointSlice);
    const TYPES: &[&str] = &["FQDN", "IPv4", "IPv6"];
    let at = s.address_type.as_str();
    if !TYPES.contains(&at) {
        errs.push(FieldError::unsupported("addressType", str_value(at), TYPES));
    }
    let endpoints = s.endpoints.as_deref().unwrap_or_default();
    if endpoints.len() > 1000 {
        errs.push(FieldError { path: "endpoints".into(), error_type: apimachinery::field::ErrorType::TooLong, detail: "must have at most 1000 items".into() });
    }
    for (i, e) in endpoints.iter().enumerate() {
        let ep = format!("endpoints[{i}]");
        if e.addresses.is_empty() {
            errs.push(FieldError::required(format!("{ep}.addresses"), "must contain at least 1 address"));
        }
        for (j, a) in e.addresses.iter().enumerate() {
            let ap = format!("{ep}.addresses[{j}]");
            match at {
                "IPv4"
                    if validate_ip(a, &ap, &mut errs) => {
                        non_special_ip(a, &ap, &mut errs);
                    }
                "FQDN" => errs.extend(dns1123_subdomain(a).into_iter().map(|m| FieldError::invalid(ap.clone(), str_value(a), m))),
                _ => {}
            }
        }
        if let Some(n) = e.node_name.as_deref() {
            errs.extend(dns1123_subdomain(n).into_iter().map(|m| FieldError::invalid(format!("{ep}.nodeName"), str_value(n), m)));
        }
        if let Some(h) = e.hostname.as_deref() {
            errs.extend(dns1123_label(h).into_iter().map(|m| FieldError::invalid(format!("{ep}.hostname"), str_value(h), m)));
        }
    }
    let mut names = BTreeSet::new();
    for (i, p) in s.ports.iter().flatten().enumerate() {
        let pp = format!("ports[{i}]");
        let name = p.name.as_deref().unwrap_or_default();
        if !name.is_empty() {
            errs.extend(dns1123_label(name).into_iter().map(|m| FieldError::invalid(format!("{pp}.name"), str_value(name), m)));
        }
        if !names.insert(name.to_string()) {
            errs.push(FieldError::duplicate(format!("{pp}.name"), str_value(name)));
        }
        match p.protocol.as_deref() {
            None => errs.push(FieldError::required(format!("{pp}.protocol"), "")),
            Some("TCP" | "UDP" | "SCTP") => {}
            Some(other) => errs.push(FieldError::unsupported(format!("{pp}.protocol"), str_value(other), &["SCTP", "TCP", "UDP"])),
        }
        if let Some(port) = p.port {
            errs.extend(port_num(port as i64).map(|m| FieldError::invalid(format!("{pp}.port"), BadValue::Int(port as i64), m)));
        }
    }
    errs
}
