//! Ingress and IngressClass tables (printers.go printIngress, formatHosts,
//! formatPorts, ingressLoadBalancerStatusStringer, printIngressClass).

use super::{AGE_COLUMN, NAME_COLUMN, age, column, text};
use crate::table::{Cell, Column};
use apimachinery::Timestamp;
use apimachinery::k8s_openapi::api::networking::v1::{Ingress, IngressClass};
use std::collections::BTreeSet;

pub(super) static INGRESS_COLUMNS: &[Column] = &[
    NAME_COLUMN,
    column("Class", "string", 0, "The name of the IngressClass resource that should be used for additional configuration"),
    column("Hosts", "string", 0, "Hosts that incoming requests are matched against before the ingress rule"),
    column("Address", "string", 0, "Address is a list containing ingress points for the load-balancer"),
    column("Ports", "string", 0, "Ports of TLS configurations that open"),
    AGE_COLUMN,
];

pub(super) static INGRESS_CLASS_COLUMNS: &[Column] = &[
    NAME_COLUMN,
    column("Controller", "string", 0, "Controller that is responsible for handling this class"),
    column("Parameters", "string", 0, "A reference to a resource with additional parameters"),
    AGE_COLUMN,
];

/// formatHosts: up to three hosts, then ` + N more...`; `*` when no rule names one.
fn format_hosts(ing: &Ingress) -> String {
    const MAX: usize = 3;
    let rules = ing.spec.as_ref().and_then(|s| s.rules.as_deref()).unwrap_or_default();
    let mut list: Vec<&str> = vec![];
    let mut more = false;
    for rule in rules {
        if list.len() == MAX {
            more = true;
        }
        let host = rule.host.as_deref().unwrap_or("");
        if !more && !host.is_empty() {
            list.push(host);
        }
    }
    if list.is_empty() {
        return "*".to_string();
    }
    let joined = list.join(",");
    if more { format!("{joined} + {} more...", rules.len() - MAX) } else { joined }
}

/// ingressLoadBalancerStatusStringer: the sorted, de-duplicated IPs (or
/// hostnames). The apiserver prints wide, so nothing is clipped.
pub fn ingress_addresses(ing: &Ingress) -> String {
    let ingress = ing.status.as_ref().and_then(|s| s.load_balancer.as_ref()).and_then(|lb| lb.ingress.as_deref()).unwrap_or_default();
    let mut set = BTreeSet::new();
    for i in ingress {
        match (i.ip.as_deref().filter(|s| !s.is_empty()), i.hostname.as_deref().filter(|s| !s.is_empty())) {
            (Some(ip), _) => set.insert(ip),
            (None, Some(h)) => set.insert(h),
            _ => false,
        };
    }
    set.into_iter().collect::<Vec<_>>().join(",")
}

pub(super) fn ingress_cells(ing: &Ingress, now: Timestamp) -> Vec<Cell> {
    let spec = ing.spec.as_ref();
    let class = spec.and_then(|s| s.ingress_class_name.as_deref()).unwrap_or("<none>");
    // formatPorts: TLS opens 443 too.
    let ports = if spec.and_then(|s| s.tls.as_ref()).is_some_and(|t| !t.is_empty()) { "80, 443" } else { "80" };
    vec![
        text(ing.metadata.name.as_deref().unwrap_or("")),
        text(class),
        Cell::from(format_hosts(ing)),
        Cell::from(ingress_addresses(ing)),
        Cell::literal(ports),
        Cell::from(age(now, ing.metadata.creation_timestamp.as_ref())),
    ]
}

pub(super) fn ingress_class_cells(c: &IngressClass, now: Timestamp) -> Vec<Cell> {
    let spec = c.spec.as_ref();
    let parameters = match spec.and_then(|s| s.parameters.as_ref()) {
        None => "<none>".to_string(),
        Some(p) => match &p.api_group {
            Some(g) => format!("{}.{g}/{}", p.kind, p.name),
            None => format!("{}/{}", p.kind, p.name),
        },
    };
    vec![
        text(c.metadata.name.as_deref().unwrap_or("")),
        text(spec.and_then(|s| s.controller.as_deref()).unwrap_or("")),
        Cell::from(parameters),
        Cell::from(age(now, c.metadata.creation_timestamp.as_ref())),
    ]
}
