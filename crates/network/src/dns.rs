//! Name resolution: CoreDNS's `kubernetes` plugin as kubeadm configures it
//! (coredns plugin/kubernetes: `cluster.local`, `pods insecure`), and the
//! client resolvers that ask it — glibc/musl with the pod's resolv.conf
//! (search list, `ndots:5`), and the node's own resolver, which does not
//! use cluster DNS.

use apimachinery::k8s_openapi::api::core::v1::Service;
use apimachinery::k8s_openapi::api::discovery::v1::EndpointSlice;
use apimachinery::selector::Selector;
use apimachinery::{Kind, Object};
use apiserver::ApiServer;

pub const CLUSTER_DOMAIN: &str = "cluster.local";
/// resolv.conf `options ndots:5` of ClusterFirst pods.
pub const NDOTS: usize = 5;

/// CoreDNS's answer to an A query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Addresses (authoritative for cluster.local).
    A(Vec<String>),
    /// The name exists but has no A record.
    NoData,
    /// rcode 3.
    NxDomain,
}

fn services(api: &ApiServer, namespace: &str) -> Vec<Service> {
    api.list(Kind::Service, Some(namespace), &Selector::everything(), &[])
        .map(|l| l.items.iter().filter_map(|o| if let Object::Service(s) = &**o { Some(s.clone()) } else { None }).collect())
        .unwrap_or_default()
}

/// The ready endpoint addresses of a service, sorted (CoreDNS's
/// `loadbalance` shuffles them; any fixed order is one it could give).
pub fn ready_addresses(api: &ApiServer, namespace: &str, service: &str, include_not_ready: bool) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    let Ok(sel) = Selector::parse(&format!("kubernetes.io/service-name={service}")) else { return out };
    let Ok(list) = api.list(Kind::EndpointSlice, Some(namespace), &sel, &[]) else { return out };
    for o in &list.items {
        let Object::EndpointSlice(s) = &**o else { continue };
        for (addr, ready) in slice_addresses(s) {
            if (ready || include_not_ready) && !out.contains(&addr) {
                out.push(addr);
            }
        }
    }
    apimachinery::sort::sort(&mut out);
    out
}

fn slice_addresses(s: &EndpointSlice) -> Vec<(String, bool)> {
    s.endpoints.iter().flatten().flat_map(|e| {
        let ready = e.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true);
        e.addresses.iter().map(move |a| (a.clone(), ready))
    })
    .collect()
}

/// CoreDNS's answer for a fully qualified name (no trailing dot).
/// Names outside the cluster domain are forwarded upstream, where only
/// the public sites kubeplay knows (internet.rs) exist.
pub fn query(api: &ApiServer, fqdn: &str) -> Answer {
    let name = fqdn.trim_end_matches('.').to_ascii_lowercase();
    let Some(local) = name.strip_suffix(&format!(".{CLUSTER_DOMAIN}")) else {
        // Forwarded upstream (the Corefile's `forward . /etc/resolv.conf`).
        return match crate::internet::resolve(&name) {
            Some(ip) => Answer::A(vec![ip.to_string()]),
            None => Answer::NxDomain,
        };
    };
    let labels: Vec<&str> = local.split('.').collect();
    match labels.as_slice() {
        // <svc>.<ns>.svc
        [svc, ns, "svc"] => {
            let Some(s) = services(api, ns).into_iter().find(|s| s.metadata.name.as_deref() == Some(*svc)) else { return Answer::NxDomain };
            let spec = s.spec.clone().unwrap_or_default();
            if spec.type_.as_deref() == Some("ExternalName") {
                return Answer::NoData;
            }
            match spec.cluster_ip.as_deref() {
                Some("None") | None | Some("") => {
                    let addrs = ready_addresses(api, ns, svc, spec.publish_not_ready_addresses == Some(true));
                    if addrs.is_empty() { Answer::NxDomain } else { Answer::A(addrs) }
                }
                Some(ip) => Answer::A(vec![ip.to_string()]),
            }
        }
        // <hostname>.<svc>.<ns>.svc: a pod of a headless service with a subdomain.
        [host, svc, ns, "svc"] => {
            let Ok(pods) = api.list(Kind::Pod, Some(ns), &Selector::everything(), &[]) else { return Answer::NxDomain };
            for o in &pods.items {
                let Object::Pod(p) = &**o else { continue };
                let spec = p.spec.clone().unwrap_or_default();
                if spec.hostname.as_deref() == Some(*host) && spec.subdomain.as_deref() == Some(*svc) {
                    if let Some(ip) = p.status.as_ref().and_then(|s| s.pod_ip.clone()) {
                        return Answer::A(vec![ip]);
                    }
                }
            }
            Answer::NxDomain
        }
        // <a-b-c-d>.<ns>.pod (pods insecure: any well-formed address).
        [dashed, _ns, "pod"] => {
            let parts: Vec<&str> = dashed.split('-').collect();
            if parts.len() == 4 && parts.iter().all(|p| p.parse::<u8>().is_ok()) { Answer::A(vec![parts.join(".")]) } else { Answer::NxDomain }
        }
        // `<ns>.svc.cluster.local` exists (no records) when the namespace does.
        [ns, "svc"] | [ns, "pod"] => {
            if api.get(Kind::Namespace, "", ns).is_ok() { Answer::NoData } else { Answer::NxDomain }
        }
        ["svc"] | ["pod"] => Answer::NoData,
        _ => Answer::NxDomain,
    }
}

/// The names a stub resolver with `search` and `ndots` tries, in order
/// (glibc res_nsearch: a name with at least ndots dots is tried as is
/// first; one with a trailing dot only as is).
pub fn candidates(name: &str, search: &[String], ndots: usize) -> Vec<String> {
    if let Some(abs) = name.strip_suffix('.') {
        return vec![abs.to_string()];
    }
    let dots = name.matches('.').count();
    let searched: Vec<String> = search.iter().map(|s| format!("{name}.{s}")).collect();
    if dots >= ndots {
        std::iter::once(name.to_string()).chain(searched).collect()
    } else {
        searched.into_iter().chain(std::iter::once(name.to_string())).collect()
    }
}

/// The search list of a ClusterFirst pod in `namespace`.
pub fn pod_search(namespace: &str) -> Vec<String> {
    vec![format!("{namespace}.svc.{CLUSTER_DOMAIN}"), format!("svc.{CLUSTER_DOMAIN}"), CLUSTER_DOMAIN.to_string()]
}

/// What a pod's resolver (getaddrinfo through cluster DNS) returns for a
/// name: the first address, or None (curl: "Could not resolve host").
pub fn resolve_in_pod(api: &ApiServer, namespace: &str, name: &str) -> Option<String> {
    if let Some(ip) = literal_ipv4(name) {
        return Some(ip);
    }
    for c in candidates(name, &pod_search(namespace), NDOTS) {
        if let Answer::A(ips) = query(api, &c) {
            return ips.into_iter().next();
        }
    }
    None
}

/// `name` if it is a dotted-quad IPv4 address.
pub fn literal_ipv4(name: &str) -> Option<String> {
    let parts: Vec<&str> = name.split('.').collect();
    (parts.len() == 4 && parts.iter().all(|p| !p.is_empty() && p.len() <= 3 && p.parse::<u8>().is_ok())).then(|| name.to_string())
}
