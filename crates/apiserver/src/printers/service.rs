//! Service, Endpoints and EndpointSlice rows: printService,
//! getServiceExternalIP, loadBalancerStatusStringer, makePortString,
//! formatEndpoints, printEndpointSlice in pkg/printers/internalversion/printers.go.

use super::{AGE_COLUMN, NAME_COLUMN, age, column, descriptions as doc, format_labels, list_with_more, text};
use crate::table::{Cell, Column};
use apimachinery::Timestamp;
use apimachinery::k8s_openapi::api::core::v1::{Endpoints, Service, ServicePort};
use apimachinery::k8s_openapi::api::discovery::v1::EndpointSlice;
use std::collections::BTreeSet;
use std::fmt::Write;

pub(super) static SERVICE_COLUMNS: &[Column] = &[
    NAME_COLUMN,
    column("Type", "string", 0, doc::SVC_SPEC_TYPE),
    column("Cluster-IP", "string", 0, doc::SVC_SPEC_CLUSTER_IP),
    column("External-IP", "string", 0, doc::SVC_SPEC_EXTERNAL_IPS),
    column("Port(s)", "string", 0, doc::SVC_SPEC_PORTS),
    AGE_COLUMN,
    column("Selector", "string", 1, doc::SVC_SPEC_SELECTOR),
];

/// loadBalancerWidth: the non-wide EXTERNAL-IP of a LoadBalancer is clipped to
/// this many bytes.
const LOAD_BALANCER_WIDTH: usize = 16;

/// The apiserver always prints wide (GenerateOptions{Wide: true}), so the
/// LoadBalancer address list is never clipped on the server.
const SERVER_PRINTS_WIDE: bool = true;

pub(super) fn service_cells(svc: &Service, now: Timestamp) -> Vec<Cell> {
    let spec = svc.spec.as_ref();
    // Defaulting sets an empty type to ClusterIP.
    let type_ = spec.and_then(|s| s.type_.as_deref()).filter(|t| !t.is_empty()).unwrap_or("ClusterIP");
    // CLUSTER-IP is clusterIPs[0] (so headless services print `None`).
    let cluster_ip = spec.and_then(|s| s.cluster_ips.as_ref()).and_then(|ips| ips.first()).map_or("<none>", String::as_str);
    let ports = make_port_string(spec.and_then(|s| s.ports.as_deref()).unwrap_or_default());
    vec![
        text(svc.metadata.name.as_deref().unwrap_or("")),
        text(type_),
        text(cluster_ip),
        Cell::from(service_external_ip(svc, type_, SERVER_PRINTS_WIDE)),
        Cell::from(if ports.is_empty() { "<none>".to_string() } else { ports }),
        Cell::from(age(now, svc.metadata.creation_timestamp.as_ref())),
        Cell::from(format_labels(spec.and_then(|s| s.selector.as_ref()))),
    ]
}

/// getServiceExternalIP.
fn service_external_ip(svc: &Service, type_: &str, wide: bool) -> String {
    let spec = svc.spec.as_ref();
    let external_ips = spec.and_then(|s| s.external_ips.as_deref()).unwrap_or_default();
    match type_ {
        "ClusterIP" | "NodePort" => {
            if external_ips.is_empty() {
                "<none>".to_string()
            } else {
                external_ips.join(",")
            }
        }
        "LoadBalancer" => {
            let lb_ips = load_balancer_status_string(svc, wide);
            if !external_ips.is_empty() {
                let mut results: Vec<&str> = if lb_ips.is_empty() { vec![] } else { lb_ips.split(',').collect() };
                results.extend(external_ips.iter().map(String::as_str));
                results.join(",")
            } else if !lb_ips.is_empty() {
                lb_ips
            } else {
                "<pending>".to_string()
            }
        }
        "ExternalName" => spec.and_then(|s| s.external_name.clone()).unwrap_or_default(),
        _ => "<unknown>".to_string(),
    }
}

/// loadBalancerStatusStringer: each ingress's IP, else its hostname,
/// de-duplicated and sorted (a sets.String), joined by `,`; clipped to
/// 13 bytes + `...` when not wide and longer than 16 bytes.
fn load_balancer_status_string(svc: &Service, wide: bool) -> String {
    let ingress = svc.status.as_ref().and_then(|s| s.load_balancer.as_ref()).and_then(|lb| lb.ingress.as_deref()).unwrap_or_default();
    let mut result = BTreeSet::new();
    for ing in ingress {
        match (ing.ip.as_deref(), ing.hostname.as_deref()) {
            (Some(ip), _) if !ip.is_empty() => {
                result.insert(ip);
            }
            (_, Some(hostname)) if !hostname.is_empty() => {
                result.insert(hostname);
            }
            _ => {}
        }
    }
    let mut r = result.into_iter().collect::<Vec<_>>().join(",");
    if !wide && r.len() > LOAD_BALANCER_WIDTH {
        // Go slices bytes; addresses and hostnames are ASCII, but never split a
        // character here.
        let mut cut = LOAD_BALANCER_WIDTH - 3;
        while !r.is_char_boundary(cut) {
            cut -= 1;
        }
        r.truncate(cut);
        r.push_str("...");
    }
    r
}

/// makePortString: `port/protocol`, or `port:nodePort/protocol` when a node
/// port is set, joined by `,`.
fn make_port_string(ports: &[ServicePort]) -> String {
    let mut out = String::new();
    for (i, port) in ports.iter().enumerate() {
        if i != 0 {
            out.push(',');
        }
        // Defaulting sets an empty protocol to TCP.
        let protocol = port.protocol.as_deref().filter(|p| !p.is_empty()).unwrap_or("TCP");
        let _ = match port.node_port.filter(|n| *n > 0) {
            Some(node_port) => write!(out, "{}:{}/{}", port.port, node_port, protocol),
            None => write!(out, "{}/{}", port.port, protocol),
        };
    }
    out
}

pub(super) static ENDPOINTS_COLUMNS: &[Column] = &[NAME_COLUMN, column("Endpoints", "string", 0, doc::ENDPOINTS_SUBSETS), AGE_COLUMN];

pub(super) fn endpoints_cells(endpoints: &Endpoints, now: Timestamp) -> Vec<Cell> {
    vec![
        text(endpoints.metadata.name.as_deref().unwrap_or("")),
        Cell::from(format_endpoints(endpoints)),
        Cell::from(age(now, endpoints.metadata.creation_timestamp.as_ref())),
    ]
}

/// formatEndpoints (with all ports): `<none>` without subsets; otherwise up
/// to 3 `ip:port` entries (bare IPs for a subset without ports), port-major,
/// then ` + N more...`. Not-ready addresses are ignored, so subsets holding
/// only those print an empty cell.
fn format_endpoints(endpoints: &Endpoints) -> String {
    let subsets = endpoints.subsets.as_deref().unwrap_or_default();
    if subsets.is_empty() {
        return "<none>".to_string();
    }
    const MAX: usize = 3;
    let mut list: Vec<String> = Vec::with_capacity(MAX);
    let mut more = false;
    let mut count = 0;
    for subset in subsets {
        let addresses = subset.addresses.as_deref().unwrap_or_default();
        let ports = subset.ports.as_deref().unwrap_or_default();
        if ports.is_empty() {
            // Headless services may have no ports.
            count += addresses.len();
            for address in addresses {
                if list.len() == MAX {
                    more = true;
                    break;
                }
                list.push(address.ip.clone());
            }
            continue;
        }
        for port in ports {
            count += addresses.len();
            for address in addresses {
                if list.len() == MAX {
                    more = true;
                    break;
                }
                list.push(join_host_port(&address.ip, port.port));
            }
        }
    }
    list_with_more(&list, more, count, MAX)
}

/// net.JoinHostPort: IPv6 hosts get brackets.
fn join_host_port(host: &str, port: i32) -> String {
    if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") }
}

pub(super) static ENDPOINT_SLICE_COLUMNS: &[Column] = &[
    NAME_COLUMN,
    column("AddressType", "string", 0, doc::SLICE_ADDRESS_TYPE),
    column("Ports", "string", 0, doc::SLICE_PORTS),
    column("Endpoints", "string", 0, doc::SLICE_ENDPOINTS),
    AGE_COLUMN,
];

pub(super) fn endpoint_slice_cells(slice: &EndpointSlice, now: Timestamp) -> Vec<Cell> {
    vec![
        text(slice.metadata.name.as_deref().unwrap_or("")),
        text(&slice.address_type),
        Cell::from(format_discovery_ports(slice)),
        Cell::from(format_discovery_endpoints(slice)),
        Cell::from(age(now, slice.metadata.creation_timestamp.as_ref())),
    ]
}

const DISCOVERY_MAX: usize = 3;

/// formatDiscoveryPorts: each port's number, else its name, else `*`.
fn format_discovery_ports(slice: &EndpointSlice) -> String {
    let ports = slice.ports.as_deref().unwrap_or_default();
    let mut list = Vec::with_capacity(DISCOVERY_MAX);
    for port in ports.iter().take(DISCOVERY_MAX) {
        list.push(match (port.port, port.name.as_deref()) {
            (Some(number), _) => number.to_string(),
            (None, Some(name)) => name.to_string(),
            (None, None) => "*".to_string(),
        });
    }
    discovery_list_string(&list, ports.len())
}

/// formatDiscoveryEndpoints: every address of every endpoint.
fn format_discovery_endpoints(slice: &EndpointSlice) -> String {
    let mut list = Vec::with_capacity(DISCOVERY_MAX);
    let mut count = 0;
    for address in slice.endpoints.iter().flatten().flat_map(|e| e.addresses.iter()) {
        if list.len() < DISCOVERY_MAX {
            list.push(address.clone());
        }
        count += 1;
    }
    discovery_list_string(&list, count)
}

/// listWithMoreString: an empty list prints `<unset>`.
fn discovery_list_string(list: &[String], count: usize) -> String {
    let more = count > DISCOVERY_MAX;
    let s = list_with_more(list, more, count, DISCOVERY_MAX);
    if s.is_empty() { "<unset>".to_string() } else { s }
}
