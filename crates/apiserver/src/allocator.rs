//! Service ClusterIP and NodePort allocation (pkg/registry/core/service/
//! ipallocator and portallocator): random free values from the seeded RNG.

use crate::ApiServer;
use apimachinery::{Kind, Object};
use std::collections::BTreeSet;

fn used_ips(api: &ApiServer) -> BTreeSet<String> {
    api.store()
        .list(Kind::Service, None)
        .filter_map(|o| match &**o {
            Object::Service(s) => s.spec.as_ref().and_then(|sp| sp.cluster_ip.clone()),
            _ => None,
        })
        .collect()
}

pub fn used_node_ports(api: &ApiServer) -> BTreeSet<i32> {
    api.store()
        .list(Kind::Service, None)
        .filter_map(|o| match &**o {
            Object::Service(s) => s.spec.as_ref().and_then(|sp| sp.ports.clone()),
            _ => None,
        })
        .flatten()
        .filter_map(|p| p.node_port)
        .collect()
}

pub fn ip_to_string(ip: u32) -> String {
    format!("{}.{}.{}.{}", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff)
}

pub fn parse_ipv4(s: &str) -> Option<u32> {
    let parts: Vec<u8> = s.split('.').map(|p| p.parse().ok()).collect::<Option<Vec<u8>>>()?;
    if parts.len() != 4 {
        return None;
    }
    Some(u32::from_be_bytes([parts[0], parts[1], parts[2], parts[3]]))
}

/// The service CIDR as (first address, size).
pub fn service_range(api: &ApiServer) -> (u32, u32) {
    let (base, bits) = api.config.service_cidr;
    (u32::from_be_bytes(base), 1u32 << (32 - bits))
}

/// A free ClusterIP: never the network address or the broadcast address.
pub fn allocate_cluster_ip(api: &mut ApiServer) -> Option<String> {
    let used = used_ips(api);
    let (base, size) = service_range(api);
    for _ in 0..1000 {
        let offset = 1 + api.rng().below((size - 2) as u64) as u32;
        let ip = ip_to_string(base + offset);
        if !used.contains(&ip) {
            return Some(ip);
        }
    }
    (1..size - 1).map(|o| ip_to_string(base + o)).find(|ip| !used.contains(ip))
}

pub fn ip_in_range(api: &ApiServer, ip: &str) -> bool {
    let (base, size) = service_range(api);
    parse_ipv4(ip).is_some_and(|v| v > base && v < base + size - 1)
}

pub fn is_ip_used(api: &ApiServer, ip: &str) -> bool {
    used_ips(api).contains(ip)
}

pub fn allocate_node_port(api: &mut ApiServer, also_taken: &BTreeSet<i32>) -> Option<i32> {
    let used = used_node_ports(api);
    let (lo, hi) = api.config.node_port_range;
    let span = (hi - lo + 1) as u64;
    for _ in 0..1000 {
        let p = lo + api.rng().below(span) as i32;
        if !used.contains(&p) && !also_taken.contains(&p) {
            return Some(p);
        }
    }
    (lo..=hi).find(|p| !used.contains(p) && !also_taken.contains(p))
}
