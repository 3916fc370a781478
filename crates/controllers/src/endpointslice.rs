//! The EndpointSlice controller (pkg/controller/endpointslice, reconciler
//! in staging/src/k8s.io/endpointslice/reconciler.go): for each Service
//! with a selector, slices of at most 100 endpoints per address type and
//! port set, named `<service>-<5 chars>` by generateName, owned by the
//! Service, labelled with the service name and the managing controller.
//! Terminating pods stay (serving/terminating conditions); a service with
//! no endpoints keeps one empty placeholder slice.

use crate::endpoints::{ServiceIndex, endpoint_hostname, find_port, pod_ref, should_pod_be_in_endpoints};
use crate::util::{self, is_not_found, is_pod_ready, name_of, opts};
use crate::{Controller, Queue};
use apimachinery::k8s_openapi::api::core::v1::{Node, Pod, Service};
use apimachinery::k8s_openapi::api::discovery::v1::{Endpoint, EndpointConditions, EndpointPort, EndpointSlice};
use apimachinery::k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use apimachinery::{ApiError, Kind, Object, ObjectKey, meta};
use apiserver::ApiServer;
use std::collections::BTreeMap;
use store::WatchEvent;

pub const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";
pub const MANAGED_BY_LABEL: &str = "endpointslice.kubernetes.io/managed-by";
pub const MANAGED_BY: &str = "endpointslice-controller.k8s.io";
pub const ZONE_LABEL: &str = "topology.kubernetes.io/zone";
/// --max-endpoints-per-slice default.
pub const MAX_ENDPOINTS_PER_SLICE: usize = 100;

#[derive(Default)]
pub struct EndpointSliceController {
    index: ServiceIndex,
}

type PortKey = Vec<(String, i32, String)>;
/// One slice to have: address type, ports, endpoints.
type WantedSlice = (String, Option<Vec<EndpointPort>>, Option<Vec<Endpoint>>);

impl EndpointSliceController {
    /// Desired endpoints grouped by (address type, port set).
    fn desired(api: &ApiServer, svc: &Service) -> BTreeMap<(String, PortKey), (Vec<EndpointPort>, Vec<Endpoint>)> {
        let spec = svc.spec.clone().unwrap_or_default();
        let selector = spec.selector.clone().unwrap_or_default();
        let publish_not_ready = spec.publish_not_ready_addresses == Some(true);
        let families = spec.ip_families.clone().unwrap_or_else(|| vec!["IPv4".into()]);
        let nodes: BTreeMap<&str, &Node> = api.store().list(Kind::Node, None).filter_map(|o| o.as_typed::<Node>()).map(|n| (name_of(&n.metadata), n)).collect();
        let mut out: BTreeMap<(String, PortKey), (Vec<EndpointPort>, Vec<Endpoint>)> = BTreeMap::new();
        // Filter the shared pods; nothing is cloned for pods the service does not select.
        for p in api.store().list(Kind::Pod, Some(util::namespace_of(&svc.metadata))).filter_map(|o| o.as_typed::<Pod>()) {
            let labels = meta::labels(&p.metadata);
            if !selector.iter().all(|(k, v)| labels.get(k) == Some(v)) || !should_pod_be_in_endpoints(p, true) {
                continue;
            }
            let ports: Vec<EndpointPort> = spec
                .ports
                .iter()
                .flatten()
                .filter_map(|sp| {
                    let port = find_port(p, sp)?;
                    Some(EndpointPort { name: Some(sp.name.clone().unwrap_or_default()), port: Some(port), protocol: Some(sp.protocol.clone().unwrap_or_else(|| "TCP".into())), app_protocol: sp.app_protocol.clone() })
                })
                .collect();
            let key: PortKey = ports.iter().map(|p| (p.name.clone().unwrap_or_default(), p.port.unwrap_or(0), p.protocol.clone().unwrap_or_default())).collect();
            let st = p.status.clone().unwrap_or_default();
            let ips: Vec<String> = match st.pod_ips.as_ref().filter(|v| !v.is_empty()) {
                Some(v) => v.iter().map(|i| i.ip.clone()).collect(),
                None => st.pod_ip.clone().into_iter().collect(),
            };
            let serving = is_pod_ready(p);
            let terminating = p.metadata.deletion_timestamp.is_some();
            let node = util::pod_node(p).to_string();
            for family in &families {
                let Some(ip) = ips.iter().find(|ip| (family == "IPv6") == ip.contains(':')).cloned() else { continue };
                let ep = Endpoint {
                    addresses: vec![ip],
                    conditions: Some(EndpointConditions { ready: Some(publish_not_ready || (serving && !terminating)), serving: Some(serving), terminating: Some(terminating) }),
                    hostname: endpoint_hostname(p, svc),
                    target_ref: Some(pod_ref(p)),
                    node_name: (!node.is_empty()).then(|| node.clone()),
                    zone: nodes.get(node.as_str()).and_then(|n| meta::labels(&n.metadata).get(ZONE_LABEL).cloned()),
                    ..Default::default()
                };
                out.entry((family.clone(), key.clone())).or_insert_with(|| (ports.clone(), vec![])).1.push(ep);
            }
        }
        out
    }

    fn labels(svc: &Service) -> BTreeMap<String, String> {
        let mut labels = svc.metadata.labels.clone().unwrap_or_default();
        labels.remove(SERVICE_NAME_LABEL);
        labels.remove(MANAGED_BY_LABEL);
        labels.remove(crate::endpoints::HEADLESS_LABEL);
        labels.insert(SERVICE_NAME_LABEL.into(), name_of(&svc.metadata).into());
        labels.insert(MANAGED_BY_LABEL.into(), MANAGED_BY.into());
        let cluster_ip = svc.spec.as_ref().and_then(|s| s.cluster_ip.as_deref()).unwrap_or("");
        if cluster_ip.is_empty() || cluster_ip == "None" {
            labels.insert(crate::endpoints::HEADLESS_LABEL.into(), String::new());
        }
        labels
    }
}

impl Controller for EndpointSliceController {
    fn name(&self) -> &'static str {
        "endpointslice"
    }

    fn observe(&mut self, event: &WatchEvent, queue: &mut Queue) {
        match event.key.kind {
            Kind::Service => {
                self.index.observe_service(event);
                queue.add(event.key.clone());
            }
            Kind::Pod => self.index.enqueue_for_pod(event, queue),
            Kind::EndpointSlice => {
                let labels = meta::labels(event.object.meta());
                if labels.get(MANAGED_BY_LABEL).map(String::as_str) == Some(MANAGED_BY)
                    && let Some(svc) = labels.get(SERVICE_NAME_LABEL) {
                        queue.add(ObjectKey::new(Kind::Service, &event.key.namespace, svc));
                    }
            }
            _ => {}
        }
    }

    fn sync(&mut self, api: &mut ApiServer, key: &ObjectKey, _queue: &mut Queue) -> Result<(), ApiError> {
        // A deleted Service's slices go with it through their owner reference.
        let Some(svc) = util::get_typed::<Service>(api, &key.namespace, &key.name)? else { return Ok(()) };
        let spec = svc.spec.clone().unwrap_or_default();
        if spec.selector.is_none() || spec.type_.as_deref() == Some("ExternalName") || svc.metadata.deletion_timestamp.is_some() {
            return Ok(());
        }
        let mut existing: Vec<EndpointSlice> = util::list_typed::<EndpointSlice>(api, Some(&key.namespace))
            .into_iter()
            .filter(|s| {
                let l = meta::labels(&s.metadata);
                l.get(SERVICE_NAME_LABEL) == Some(&key.name) && l.get(MANAGED_BY_LABEL).map(String::as_str) == Some(MANAGED_BY)
            })
            .collect();
        apimachinery::sort::sort_by(&mut existing, |a, b| util::created(&a.metadata).cmp(&util::created(&b.metadata)).then_with(|| name_of(&a.metadata).cmp(name_of(&b.metadata))));
        let labels = Self::labels(&svc);
        let mut wanted: Vec<WantedSlice> = vec![];
        let desired = Self::desired(api, &svc);
        if desired.is_empty() {
            // The placeholder: one empty slice per address type.
            for family in spec.ip_families.clone().unwrap_or_else(|| vec!["IPv4".into()]) {
                wanted.push((family, None, None));
            }
        }
        for ((family, _), (ports, eps)) in desired {
            for chunk in eps.chunks(MAX_ENDPOINTS_PER_SLICE) {
                wanted.push((family.clone(), (!ports.is_empty()).then(|| ports.clone()), Some(chunk.to_vec())));
            }
        }
        let owner = util::controller_ref("v1", "Service", &key.name, util::uid_of(&svc.metadata));
        let trigger = api.now_time().0.to_string();
        let mut reuse = existing.into_iter();
        for (family, ports, endpoints) in wanted {
            let current = reuse.next();
            match current {
                Some(cur) if cur.address_type == family => {
                    if cur.ports == ports && cur.endpoints == endpoints && cur.metadata.labels.as_ref() == Some(&labels) {
                        continue;
                    }
                    let mut s = cur.clone();
                    s.ports = ports;
                    s.endpoints = endpoints;
                    s.metadata.labels = Some(labels.clone());
                    s.metadata.annotations.get_or_insert_with(Default::default).insert(crate::endpoints::LAST_CHANGE_TRIGGER_TIME.into(), trigger.clone());
                    s.metadata.resource_version = None;
                    match api.update(Object::EndpointSlice(s), &opts()) {
                        Ok(_) => {}
                        Err(e) if is_not_found(&e) => {}
                        Err(e) => return Err(e),
                    }
                }
                other => {
                    if let Some(stale) = other {
                        let _ = api.delete(Kind::EndpointSlice, &key.namespace, name_of(&stale.metadata), &Default::default());
                    }
                    let s = EndpointSlice {
                        metadata: ObjectMeta {
                            generate_name: Some(util::generate_name_prefix(&key.name)),
                            namespace: Some(key.namespace.clone()),
                            labels: Some(labels.clone()),
                            annotations: Some([(crate::endpoints::LAST_CHANGE_TRIGGER_TIME.to_string(), trigger.clone())].into()),
                            owner_references: Some(vec![owner.clone()]),
                            ..Default::default()
                        },
                        address_type: family,
                        endpoints,
                        ports,
                    };
                    match api.create(Object::EndpointSlice(s), &opts()) {
                        Ok(_) => {}
                        Err(e) if util::is_namespace_terminating(&e) => return Ok(()),
                        Err(e) => return Err(e),
                    }
                }
            }
        }
        for stale in reuse {
            match api.delete(Kind::EndpointSlice, &key.namespace, name_of(&stale.metadata), &Default::default()) {
                Ok(_) => {}
                Err(e) if is_not_found(&e) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}
