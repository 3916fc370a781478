//! Services and their endpoints (describeService with formatEndpointSlices,
//! describeEndpoints, describeEndpointSliceV1 in pkg/describe/describe.go).

use super::events;
use super::pod::join_host_port;
use super::prefix_writer::{LEVEL_0, LEVEL_1, LEVEL_2, LEVEL_3, PrefixWriter};
use super::{Settings, print_annotations_multiline, print_labels_multiline};
use apimachinery::k8s_openapi::api::core::v1::{Endpoints, Service};
use apimachinery::k8s_openapi::api::discovery::v1::EndpointSlice;
use apimachinery::k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use apimachinery::selector::Selector;
use apimachinery::{Kind, Object};
use apiserver::ApiServer;
use apiserver::printers::format_labels;
use std::collections::BTreeMap;

const LABEL_SERVICE_NAME: &str = "kubernetes.io/service-name";
const MAX_ENDPOINTS_LISTED: usize = 3;

pub fn describe(api: &ApiServer, svc: &Service, settings: &Settings) -> String {
    let m = &svc.metadata;
    let namespace = m.namespace.as_deref().unwrap_or("");
    let name = m.name.as_deref().unwrap_or("");
    let spec = svc.spec.clone().unwrap_or_default();
    let selector = Selector::from_map(&BTreeMap::from([(LABEL_SERVICE_NAME.to_string(), name.to_string())]));
    let slices: Vec<EndpointSlice> = api
        .list(Kind::EndpointSlice, Some(namespace), &selector, &[])
        .map(|l| l.items.iter().filter_map(|o| o.as_typed::<EndpointSlice>().cloned()).collect())
        .unwrap_or_default();

    let mut w = PrefixWriter::new();
    w.write(LEVEL_0, &format!("Name:\t{name}\n"));
    w.write(LEVEL_0, &format!("Namespace:\t{namespace}\n"));
    print_labels_multiline(&mut w, "Labels", m.labels.as_ref());
    print_annotations_multiline(&mut w, "Annotations", m.annotations.as_ref());
    w.write(LEVEL_0, &format!("Selector:\t{}\n", format_labels(spec.selector.as_ref())));
    w.write(LEVEL_0, &format!("Type:\t{}\n", spec.type_.as_deref().unwrap_or("")));
    if let Some(p) = &spec.ip_family_policy {
        w.write(LEVEL_0, &format!("IP Family Policy:\t{p}\n"));
    }
    let families = spec.ip_families.clone().unwrap_or_default();
    w.write(LEVEL_0, &format!("IP Families:\t{}\n", if families.is_empty() { "<none>".to_string() } else { families.join(",") }));
    w.write(LEVEL_0, &format!("IP:\t{}\n", spec.cluster_ip.as_deref().unwrap_or("")));
    let ips = spec.cluster_ips.clone().unwrap_or_default();
    w.write(LEVEL_0, &format!("IPs:\t{}\n", if ips.is_empty() { "<none>".to_string() } else { ips.join(",") }));
    if let Some(ext) = spec.external_ips.as_ref().filter(|e| !e.is_empty()) {
        w.write(LEVEL_0, &format!("External IPs:\t{}\n", ext.join(",")));
    }
    if let Some(ip) = spec.load_balancer_ip.as_deref().filter(|s| !s.is_empty()) {
        w.write(LEVEL_0, &format!("Desired LoadBalancer IP:\t{ip}\n"));
    }
    if let Some(n) = spec.external_name.as_deref().filter(|s| !s.is_empty()) {
        w.write(LEVEL_0, &format!("External Name:\t{n}\n"));
    }
    let ingress = svc.status.as_ref().and_then(|s| s.load_balancer.as_ref()).and_then(|lb| lb.ingress.clone()).unwrap_or_default();
    if !ingress.is_empty() {
        let list: Vec<String> = ingress
            .iter()
            .map(|i| match i.ip.as_deref().filter(|s| !s.is_empty()) {
                Some(ip) => match &i.ip_mode {
                    Some(mode) => format!("{ip} ({mode})"),
                    None => ip.to_string(),
                },
                None => i.hostname.clone().unwrap_or_default(),
            })
            .collect();
        w.write(LEVEL_0, &format!("LoadBalancer Ingress:\t{}\n", list.join(", ")));
    }
    for sp in spec.ports.iter().flatten() {
        let port_name = sp.name.as_deref().filter(|n| !n.is_empty()).unwrap_or("<unset>");
        let protocol = sp.protocol.as_deref().unwrap_or("");
        w.write(LEVEL_0, &format!("Port:\t{port_name}\t{}/{protocol}\n", sp.port));
        let target = match &sp.target_port {
            Some(IntOrString::Int(i)) => i.to_string(),
            Some(IntOrString::String(s)) => s.clone(),
            None => "0".to_string(),
        };
        w.write(LEVEL_0, &format!("TargetPort:\t{target}/{protocol}\n"));
        if let Some(ap) = &sp.app_protocol {
            w.write(LEVEL_0, &format!("AppProtocol:\t{ap}\n"));
        }
        if let Some(np) = sp.node_port.filter(|p| *p != 0) {
            w.write(LEVEL_0, &format!("NodePort:\t{port_name}\t{np}/{protocol}\n"));
        }
        w.write(LEVEL_0, &format!("Endpoints:\t{}\n", format_endpoint_slices(&slices, sp.name.as_deref().unwrap_or(""))));
    }
    w.write(LEVEL_0, &format!("Session Affinity:\t{}\n", spec.session_affinity.as_deref().unwrap_or("")));
    if let Some(p) = spec.external_traffic_policy.as_deref().filter(|s| !s.is_empty()) {
        w.write(LEVEL_0, &format!("External Traffic Policy:\t{p}\n"));
    }
    if let Some(p) = &spec.internal_traffic_policy {
        w.write(LEVEL_0, &format!("Internal Traffic Policy:\t{p}\n"));
    }
    if let Some(p) = spec.health_check_node_port.filter(|p| *p != 0) {
        w.write(LEVEL_0, &format!("HealthCheck NodePort:\t{p}\n"));
    }
    if let Some(r) = spec.load_balancer_source_ranges.as_ref().filter(|r| !r.is_empty()) {
        w.write(LEVEL_0, &format!("LoadBalancer Source Ranges:\t{}\n", r.join(",")));
    }
    if let Some(t) = &spec.traffic_distribution {
        w.write(LEVEL_0, &format!("Traffic Distribution:\t{t}\n"));
    }
    if settings.show_events {
        let found = events::search_object(api, &Object::Service(svc.clone()));
        events::describe(api, found, &mut w);
    }
    w.into_tabbed()
}

/// formatEndpointSlices for one service port: at most three ready
/// `ip:port` entries, then ` + N more...`. The "more" check comes before the
/// readiness check, so a not-ready fourth endpoint still sets it.
pub(super) fn format_endpoint_slices(slices: &[EndpointSlice], port_name: &str) -> String {
    if slices.is_empty() {
        return "<none>".to_string();
    }
    let mut list: Vec<String> = vec![];
    let mut more = false;
    let mut count = 0;
    for slice in slices {
        let ports = slice.ports.as_deref().unwrap_or_default();
        let mut visit = |list: &mut Vec<String>, port: Option<i32>| {
            for ep in slice.endpoints.iter().flatten() {
                if list.len() == MAX_ENDPOINTS_LISTED {
                    more = true;
                }
                let ready = ep.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true);
                if !ready {
                    continue;
                }
                if !more {
                    let addr = ep.addresses.first().cloned().unwrap_or_default();
                    list.push(match port {
                        Some(p) => join_host_port(&addr, &p.to_string()),
                        None => addr,
                    });
                }
                count += 1;
            }
        };
        if ports.is_empty() {
            visit(&mut list, None);
        } else {
            for p in ports {
                if p.name.as_deref().unwrap_or("") == port_name {
                    visit(&mut list, Some(p.port.unwrap_or(0)));
                }
            }
        }
    }
    let joined = list.join(",");
    if more { format!("{joined} + {} more...", count - MAX_ENDPOINTS_LISTED as i64) } else { joined }
}

pub fn describe_endpoints(api: &ApiServer, ep: &Endpoints, settings: &Settings) -> String {
    let m = &ep.metadata;
    let mut w = PrefixWriter::new();
    w.write(LEVEL_0, &format!("Name:\t{}\n", m.name.as_deref().unwrap_or("")));
    w.write(LEVEL_0, &format!("Namespace:\t{}\n", m.namespace.as_deref().unwrap_or("")));
    print_labels_multiline(&mut w, "Labels", m.labels.as_ref());
    print_annotations_multiline(&mut w, "Annotations", m.annotations.as_ref());
    w.write(LEVEL_0, "Subsets:\n");
    for subset in ep.subsets.iter().flatten() {
        let ips = |list: &Option<Vec<apimachinery::k8s_openapi::api::core::v1::EndpointAddress>>| {
            let s = list.iter().flatten().map(|a| a.ip.clone()).collect::<Vec<_>>().join(",");
            if s.is_empty() { "<none>".to_string() } else { s }
        };
        w.write(LEVEL_1, &format!("Addresses:\t{}\n", ips(&subset.addresses)));
        w.write(LEVEL_1, &format!("NotReadyAddresses:\t{}\n", ips(&subset.not_ready_addresses)));
        if let Some(ports) = subset.ports.as_ref().filter(|p| !p.is_empty()) {
            w.write(LEVEL_1, "Ports:\n");
            w.write(LEVEL_2, "Name\tPort\tProtocol\n");
            w.write(LEVEL_2, "----\t----\t--------\n");
            for p in ports {
                let name = p.name.as_deref().filter(|n| !n.is_empty()).unwrap_or("<unset>");
                w.write(LEVEL_2, &format!("{name}\t{}\t{}\n", p.port, p.protocol.as_deref().unwrap_or("")));
            }
        }
        w.write(LEVEL_0, "\n");
    }
    if settings.show_events {
        let found = events::search_object(api, &Object::Endpoints(ep.clone()));
        events::describe(api, found, &mut w);
    }
    w.into_tabbed()
}

pub fn describe_endpoint_slice(api: &ApiServer, eps: &EndpointSlice, settings: &Settings) -> String {
    let m = &eps.metadata;
    let mut w = PrefixWriter::new();
    w.write(LEVEL_0, &format!("Name:\t{}\n", m.name.as_deref().unwrap_or("")));
    w.write(LEVEL_0, &format!("Namespace:\t{}\n", m.namespace.as_deref().unwrap_or("")));
    print_labels_multiline(&mut w, "Labels", m.labels.as_ref());
    print_annotations_multiline(&mut w, "Annotations", m.annotations.as_ref());
    w.write(LEVEL_0, &format!("AddressType:\t{}\n", eps.address_type));
    match eps.ports.as_ref().filter(|p| !p.is_empty()) {
        None => w.write(LEVEL_0, "Ports: <unset>\n"),
        Some(ports) => {
            w.write(LEVEL_0, "Ports:\n");
            w.write(LEVEL_1, "Name\tPort\tProtocol\n");
            w.write(LEVEL_1, "----\t----\t--------\n");
            for p in ports {
                let name = p.name.as_deref().filter(|n| !n.is_empty()).unwrap_or("<unset>");
                let num = p.port.map(|n| n.to_string()).unwrap_or_else(|| "<unset>".to_string());
                w.write(LEVEL_1, &format!("{name}\t{num}\t{}\n", p.protocol.as_deref().unwrap_or("")));
            }
        }
    }
    let endpoints = eps.endpoints.as_deref().unwrap_or_default();
    if endpoints.is_empty() {
        w.write(LEVEL_0, "Endpoints: <none>\n");
    } else {
        w.write(LEVEL_0, "Endpoints:\n");
        for ep in endpoints {
            let addresses = ep.addresses.join(", ");
            w.write(LEVEL_1, &format!("- Addresses:\t{}\n", if addresses.is_empty() { "<none>" } else { &addresses }));
            w.write(LEVEL_2, "Conditions:\n");
            let ready = ep.conditions.as_ref().and_then(|c| c.ready).map(|r| r.to_string()).unwrap_or_else(|| "<unset>".to_string());
            w.write(LEVEL_3, &format!("Ready:\t{ready}\n"));
            w.write(LEVEL_2, &format!("Hostname:\t{}\n", ep.hostname.as_deref().unwrap_or("<unset>")));
            if let Some(t) = &ep.target_ref {
                w.write(LEVEL_2, &format!("TargetRef:\t{}/{}\n", t.kind.as_deref().unwrap_or(""), t.name.as_deref().unwrap_or("")));
            }
            w.write(LEVEL_2, &format!("NodeName:\t{}\n", ep.node_name.as_deref().unwrap_or("<unset>")));
            w.write(LEVEL_2, &format!("Zone:\t{}\n", ep.zone.as_deref().unwrap_or("<unset>")));
        }
    }
    if settings.show_events {
        let found = events::search_object(api, &Object::EndpointSlice(eps.clone()));
        events::describe(api, found, &mut w);
    }
    w.into_tabbed()
}
