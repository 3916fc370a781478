//! The Endpoints controller (pkg/controller/endpoint/endpoints_controller.go)
//! and, standing in for kube-apiserver's endpoint reconciler, the
//! `default/kubernetes` Endpoints and EndpointSlice.
//!
//! For each Service with a selector: the pods it selects that have an IP
//! and are not finished become addresses (ready) or notReadyAddresses, per
//! resolved target port, repacked into subsets by identical port sets.

use crate::util::{self, is_not_found, is_pod_ready, namespace_of, opts};
use crate::{Controller, Queue};
use apimachinery::k8s_openapi::api::core::v1::{EndpointAddress, EndpointPort, EndpointSubset, Endpoints, Node, ObjectReference, Pod, Service, ServicePort};
use apimachinery::k8s_openapi::api::discovery::v1::{Endpoint, EndpointConditions, EndpointSlice};
use apimachinery::k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use apimachinery::k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use apimachinery::{ApiError, Kind, Object, ObjectKey, Reason};
use apiserver::ApiServer;
use apiserver::events::{Reporter, WARNING};
use std::collections::BTreeMap;
use store::{EventType, WatchEvent};

pub const COMPONENT: &str = "endpoint-controller";
pub const LAST_CHANGE_TRIGGER_TIME: &str = "endpoints.kubernetes.io/last-change-trigger-time";
pub const OVER_CAPACITY: &str = "endpoints.kubernetes.io/over-capacity";
pub const HEADLESS_LABEL: &str = "service.kubernetes.io/headless";
pub const SKIP_MIRROR_LABEL: &str = "endpointslice.kubernetes.io/skip-mirror";
/// maxCapacity: more addresses than this are truncated.
pub const MAX_CAPACITY: usize = 1000;

/// Selector maps of the Services with a selector, per namespace (the
/// informer index the pod handlers use).
#[derive(Default)]
pub(crate) struct ServiceIndex {
    selectors: BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>>,
}

impl ServiceIndex {
    pub fn observe_service(&mut self, event: &WatchEvent) {
        let ns = event.key.namespace.clone();
        let selector = event.object.as_typed::<Service>().and_then(|s| s.spec.as_ref()?.selector.clone());
        match (event.event_type, selector) {
            (EventType::Deleted, _) | (_, None) => {
                if let Some(m) = self.selectors.get_mut(&ns) {
                    m.remove(&event.key.name);
                }
            }
            (_, Some(sel)) => {
                self.selectors.entry(ns).or_default().insert(event.key.name.clone(), sel);
            }
        }
    }

    /// Services selecting a pod (as it is now, or as it was).
    pub fn enqueue_for_pod(&self, event: &WatchEvent, queue: &mut Queue) {
        let Some(services) = self.selectors.get(&event.key.namespace) else { return };
        for o in std::iter::once(&event.object).chain(event.prev.as_ref()) {
            let labels = apimachinery::meta::labels(o.meta());
            for (name, sel) in services {
                if !sel.is_empty() && sel.iter().all(|(k, v)| labels.get(k) == Some(v)) {
                    queue.add(ObjectKey::new(Kind::Service, &event.key.namespace, name));
                }
            }
        }
    }
}

#[derive(Default)]
pub struct EndpointsController {
    index: ServiceIndex,
}

/// ShouldPodBeInEndpoints.
pub fn should_pod_be_in_endpoints(p: &Pod, include_terminating: bool) -> bool {
    if matches!(util::pod_phase(p), "Succeeded" | "Failed") {
        return false;
    }
    let st = p.status.as_ref();
    let has_ip = st.and_then(|s| s.pod_ip.as_deref()).is_some_and(|ip| !ip.is_empty()) || st.and_then(|s| s.pod_ips.as_ref()).is_some_and(|v| !v.is_empty());
    has_ip && (include_terminating || p.metadata.deletion_timestamp.is_none())
}

/// podutil.FindPort: a numeric targetPort, or the named container port.
pub fn find_port(p: &Pod, sp: &ServicePort) -> Option<i32> {
    match sp.target_port.as_ref() {
        None => Some(sp.port),
        Some(IntOrString::Int(i)) => Some(*i),
        Some(IntOrString::String(name)) => {
            let proto = sp.protocol.as_deref().unwrap_or("TCP");
            p.spec.as_ref()?.containers.iter().flat_map(|c| c.ports.iter().flatten()).find(|cp| cp.name.as_deref() == Some(name.as_str()) && cp.protocol.as_deref().unwrap_or("TCP") == proto).map(|cp| cp.container_port)
        }
    }
}

pub fn pod_ref(p: &Pod) -> ObjectReference {
    ObjectReference {
        kind: Some("Pod".into()),
        namespace: p.metadata.namespace.clone(),
        name: p.metadata.name.clone(),
        uid: p.metadata.uid.clone(),
        ..Default::default()
    }
}

/// The hostname an endpoint gets: the pod's, when its subdomain is the service.
pub fn endpoint_hostname(p: &Pod, svc: &Service) -> Option<String> {
    let spec = p.spec.as_ref()?;
    let hostname = spec.hostname.clone().filter(|h| !h.is_empty())?;
    (spec.subdomain.as_deref() == svc.metadata.name.as_deref() && p.metadata.namespace == svc.metadata.namespace).then_some(hostname)
}

fn is_headless(svc: &Service) -> bool {
    svc.spec.as_ref().and_then(|s| s.cluster_ip.as_deref()) == Some("None")
}

/// RepackSubsets: addresses grouped by identical port sets, addresses
/// sorted by IP then UID (LessEndpointAddress), ports by name then number.
/// Upstream orders subsets and ports by a hash of their content; kubeplay
/// sorts them by value instead.
pub fn repack_subsets(entries: Vec<(EndpointAddress, bool, Vec<EndpointPort>)>) -> Vec<EndpointSubset> {
    type PortKey = Vec<(String, i32, String)>;
    let key_of = |ports: &[EndpointPort]| -> PortKey { ports.iter().map(|p| (p.name.clone().unwrap_or_default(), p.port, p.protocol.clone().unwrap_or_default())).collect() };
    // Collect each address's ports first: one pod may appear once per port.
    let mut per_address: BTreeMap<(String, String, bool), (EndpointAddress, Vec<EndpointPort>)> = BTreeMap::new();
    for (addr, ready, ports) in entries {
        let uid = addr.target_ref.as_ref().and_then(|r| r.uid.clone()).unwrap_or_default();
        let e = per_address.entry((addr.ip.clone(), uid, ready)).or_insert_with(|| (addr.clone(), vec![]));
        for p in ports {
            if !e.1.contains(&p) {
                e.1.push(p);
            }
        }
    }
    /// One subset in the making: its ports, ready and not-ready addresses.
    type Group = (Vec<EndpointPort>, Vec<EndpointAddress>, Vec<EndpointAddress>);
    let mut groups: BTreeMap<PortKey, Group> = BTreeMap::new();
    for ((_, _, ready), (addr, mut ports)) in per_address {
        apimachinery::sort::sort_by_key(&mut ports, |a| (a.name.clone().unwrap_or_default(), a.port));
        let g = groups.entry(key_of(&ports)).or_insert_with(|| (ports.clone(), vec![], vec![]));
        if ready { g.1.push(addr) } else { g.2.push(addr) }
    }
    groups
        .into_values()
        .map(|(ports, ready, not_ready)| EndpointSubset {
            addresses: (!ready.is_empty()).then_some(ready),
            not_ready_addresses: (!not_ready.is_empty()).then_some(not_ready),
            ports: (!ports.is_empty()).then_some(ports),
        })
        .collect()
}

impl EndpointsController {
    fn desired_subsets(api: &ApiServer, svc: &Service) -> Vec<EndpointSubset> {
        let spec = svc.spec.clone().unwrap_or_default();
        let selector = spec.selector.clone().unwrap_or_default();
        let tolerate_unready = spec.publish_not_ready_addresses == Some(true);
        let mut entries = vec![];
        // Filter the shared pods; nothing is cloned for pods the service does not select.
        for p in api.store().list(Kind::Pod, Some(namespace_of(&svc.metadata))).filter_map(|o| o.as_typed::<Pod>()) {
            let labels = apimachinery::meta::labels(&p.metadata);
            if !selector.iter().all(|(k, v)| labels.get(k) == Some(v)) || !should_pod_be_in_endpoints(p, tolerate_unready) {
                continue;
            }
            let st = p.status.clone().unwrap_or_default();
            let addr = EndpointAddress {
                ip: st.pod_ip.clone().unwrap_or_default(),
                node_name: p.spec.as_ref().and_then(|s| s.node_name.clone()).filter(|n| !n.is_empty()),
                hostname: endpoint_hostname(p, svc),
                target_ref: Some(pod_ref(p)),
            };
            let ready = tolerate_unready || is_pod_ready(p);
            let ports = spec.ports.clone().unwrap_or_default();
            if ports.is_empty() {
                if is_headless(svc) {
                    entries.push((addr, ready, vec![]));
                }
                continue;
            }
            for sp in &ports {
                let Some(port) = find_port(p, sp) else { continue };
                let epp = EndpointPort { name: sp.name.clone().filter(|n| !n.is_empty()), port, protocol: Some(sp.protocol.clone().unwrap_or_else(|| "TCP".into())), app_protocol: sp.app_protocol.clone() };
                entries.push((addr.clone(), ready, vec![epp]));
            }
        }
        repack_subsets(entries)
    }
}

/// Truncates to MAX_CAPACITY addresses, ready ones kept first.
fn truncate(subsets: Vec<EndpointSubset>) -> (Vec<EndpointSubset>, bool) {
    let total: usize = subsets.iter().map(|s| s.addresses.as_ref().map_or(0, Vec::len) + s.not_ready_addresses.as_ref().map_or(0, Vec::len)).sum();
    if total <= MAX_CAPACITY {
        return (subsets, false);
    }
    let mut budget = MAX_CAPACITY;
    let mut out = subsets;
    for s in out.iter_mut() {
        if let Some(a) = s.addresses.as_mut() {
            a.truncate(budget);
            budget -= a.len();
        }
    }
    for s in out.iter_mut() {
        if let Some(a) = s.not_ready_addresses.as_mut() {
            a.truncate(budget);
            budget -= a.len();
        }
    }
    (out, true)
}

impl Controller for EndpointsController {
    fn name(&self) -> &'static str {
        "endpoint"
    }

    fn observe(&mut self, event: &WatchEvent, queue: &mut Queue) {
        match event.key.kind {
            Kind::Service => {
                self.index.observe_service(event);
                queue.add(event.key.clone());
            }
            Kind::Pod => self.index.enqueue_for_pod(event, queue),
            Kind::Endpoints if event.event_type == EventType::Deleted => queue.add(ObjectKey::new(Kind::Service, &event.key.namespace, &event.key.name)),
            Kind::Node if event.event_type != EventType::Modified => queue.add(ObjectKey::new(Kind::Service, "default", "kubernetes")),
            _ => {}
        }
    }

    fn sync(&mut self, api: &mut ApiServer, key: &ObjectKey, _queue: &mut Queue) -> Result<(), ApiError> {
        let svc = match util::get_typed::<Service>(api, &key.namespace, &key.name)? {
            Some(s) => s,
            None => {
                return match api.delete(Kind::Endpoints, &key.namespace, &key.name, &Default::default()) {
                    Err(e) if !is_not_found(&e) => Err(e),
                    _ => Ok(()),
                };
            }
        };
        if key.namespace == "default" && key.name == "kubernetes" {
            reconcile_kubernetes_service_endpoints(api);
            return Ok(());
        }
        let spec = svc.spec.clone().unwrap_or_default();
        if spec.selector.is_none() || spec.type_.as_deref() == Some("ExternalName") {
            return Ok(());
        }
        let (subsets, truncated) = truncate(Self::desired_subsets(api, &svc));
        let mut labels = svc.metadata.labels.clone().unwrap_or_default();
        labels.remove(HEADLESS_LABEL);
        if is_headless(&svc) {
            labels.insert(HEADLESS_LABEL.into(), String::new());
        }
        let subsets = (!subsets.is_empty()).then_some(subsets);
        let current = util::get_typed::<Endpoints>(api, &key.namespace, &key.name)?;
        let labels_opt = (!labels.is_empty()).then_some(labels);
        if let Some(cur) = &current {
            let over = cur.metadata.annotations.as_ref().and_then(|a| a.get(OVER_CAPACITY)).is_some();
            if cur.subsets == subsets && cur.metadata.labels == labels_opt && over == truncated {
                return Ok(());
            }
        }
        let mut ep = current.clone().unwrap_or_else(|| Endpoints {
            metadata: ObjectMeta { name: Some(key.name.clone()), namespace: Some(key.namespace.clone()), ..Default::default() },
            subsets: None,
        });
        ep.subsets = subsets;
        ep.metadata.labels = labels_opt;
        let annotations = ep.metadata.annotations.get_or_insert_with(Default::default);
        annotations.insert(LAST_CHANGE_TRIGGER_TIME.into(), api.now_time().0.to_string());
        if truncated {
            annotations.insert(OVER_CAPACITY.into(), "truncated".into());
        } else {
            annotations.remove(OVER_CAPACITY);
        }
        ep.metadata.resource_version = None;
        let create = current.is_none();
        let result = if create { api.create(Object::Endpoints(ep), &opts()) } else { api.update(Object::Endpoints(ep), &opts()) };
        match result {
            Ok(_) => Ok(()),
            Err(e) if util::is_namespace_terminating(&e) => Ok(()),
            Err(e) if create && e.reason == Reason::AlreadyExists => Err(e),
            Err(e) => {
                let svc_obj = Object::Service(svc);
                let (reason, verb) = if create { ("FailedToCreateEndpoint", "create") } else { ("FailedToUpdateEndpoint", "update") };
                let msg = format!("Failed to {verb} endpoint for service {}/{}: {}", key.namespace, key.name, e);
                api.record_event(&svc_obj, None, WARNING, reason, &msg, &Reporter::controller(COMPONENT));
                Err(e)
            }
        }
    }
}

/// The control plane's address: the InternalIP of the control-plane node
/// (the apiserver's advertise address).
fn control_plane_ip(api: &ApiServer) -> Option<String> {
    let nodes = util::list_typed::<Node>(api, None);
    let cp = nodes.iter().find(|n| apimachinery::meta::labels(&n.metadata).contains_key("node-role.kubernetes.io/control-plane")).or(nodes.first())?;
    cp.status.as_ref()?.addresses.as_ref()?.iter().find(|a| a.type_ == "InternalIP").map(|a| a.address.clone())
}

/// What kube-apiserver's lease endpoint reconciler keeps for the
/// `kubernetes` Service: Endpoints and an EndpointSlice named `kubernetes`
/// pointing at the apiserver on 6443. Call after nodes exist; idempotent.
pub fn reconcile_kubernetes_service_endpoints(api: &mut ApiServer) {
    let Some(ip) = control_plane_ip(api) else { return };
    if api.get(Kind::Service, "default", "kubernetes").is_err() {
        return;
    }
    let port = 6443;
    let labels: BTreeMap<String, String> = [(SKIP_MIRROR_LABEL.to_string(), "true".to_string())].into();
    let subsets = Some(vec![EndpointSubset {
        addresses: Some(vec![EndpointAddress { ip: ip.clone(), ..Default::default() }]),
        not_ready_addresses: None,
        ports: Some(vec![EndpointPort { name: Some("https".into()), port, protocol: Some("TCP".into()), app_protocol: None }]),
    }]);
    match util::get_typed::<Endpoints>(api, "default", "kubernetes") {
        Ok(Some(cur)) if cur.subsets == subsets && cur.metadata.labels.as_ref() == Some(&labels) => {}
        Ok(cur) => {
            let create = cur.is_none();
            let mut ep = cur.unwrap_or_else(|| Endpoints { metadata: ObjectMeta { name: Some("kubernetes".into()), namespace: Some("default".into()), ..Default::default() }, subsets: None });
            ep.subsets = subsets;
            ep.metadata.labels = Some(labels);
            ep.metadata.resource_version = None;
            let _ = if create { api.create(Object::Endpoints(ep), &opts()) } else { api.update(Object::Endpoints(ep), &opts()) };
        }
        Err(_) => {}
    }
    let slice_labels: BTreeMap<String, String> = [("kubernetes.io/service-name".to_string(), "kubernetes".to_string())].into();
    let endpoints = Some(vec![Endpoint { addresses: vec![ip], conditions: Some(EndpointConditions { ready: Some(true), ..Default::default() }), ..Default::default() }]);
    let ports = Some(vec![apimachinery::k8s_openapi::api::discovery::v1::EndpointPort { name: Some("https".into()), port: Some(port), protocol: Some("TCP".into()), app_protocol: None }]);
    match util::get_typed::<EndpointSlice>(api, "default", "kubernetes") {
        Ok(Some(cur)) if cur.endpoints == endpoints && cur.ports == ports => {}
        Ok(cur) => {
            let create = cur.is_none();
            let mut s = cur.unwrap_or_else(|| EndpointSlice {
                metadata: ObjectMeta { name: Some("kubernetes".into()), namespace: Some("default".into()), labels: Some(slice_labels), ..Default::default() },
                address_type: "IPv4".into(),
                endpoints: None,
                ports: None,
            });
            s.endpoints = endpoints;
            s.ports = ports;
            s.metadata.resource_version = None;
            let _ = if create { api.create(Object::EndpointSlice(s), &opts()) } else { api.update(Object::EndpointSlice(s), &opts()) };
        }
        Err(_) => {}
    }
}
