//! Who gives a `type: LoadBalancer` Service its address. A kubeadm or
//! minikube cluster has no cloud: EXTERNAL-IP stays `<pending>` until
//! something writes `status.loadBalancer.ingress`. This controller plays
//! the three providers of the course's labs:
//!
//! * **MetalLB's controller** (metallb/metallb v0.12 `controller/service.go`
//!   convergeBalancer, `internal/allocator`): configured by its legacy
//!   ConfigMap `metallb-system/config`, key `config`, holding
//!   `address-pools: [{name, protocol: layer2, addresses: [...]}]`
//!   (`internal/config/config.go`). A Service gets the first free address of
//!   the first pool (config order; MetalLB walks a Go map) with
//!   auto-assign, or the one it asks for (`spec.loadBalancerIP` or the
//!   `metallb.universe.tf/loadBalancerIPs` annotation), with the events
//!   `IPAllocated` "Assigned IP [...]" / `AllocationFailed` from
//!   `metallb-controller`. The address is released when the Service is
//!   deleted or stops being a LoadBalancer, and waiting Services are
//!   retried then (SyncStateReprocessAll).
//! * **Docker Desktop** (vpnkit): every LoadBalancer gets `hostname:
//!   localhost` at once.
//! * **`minikube tunnel`** (minikube pkg/minikube/tunnel
//!   loadbalancer_patcher.go): while it runs, every 5 s it patches each
//!   LoadBalancer's status to `ingress: [{ip: <clusterIP>}]`.
//!
//! Simplified: no speaker pods (so no `nodeAssigned` events and no ARP),
//! no CRDs (IPAddressPool/L2Advertisement need CustomResourceDefinitions,
//! which kubeplay does not serve), no IP sharing annotations, no BGP.

use crate::util::{get_typed, is_not_found};
use crate::{Controller, Queue};
use apimachinery::k8s_openapi::api::core::v1::{ConfigMap, LoadBalancerIngress, LoadBalancerStatus, Service};
use apimachinery::{ApiError, Kind, Object, ObjectKey, SignedDuration, Timestamp};
use apiserver::ApiServer;
use apiserver::events::{NORMAL, Reporter, WARNING};
use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use store::{EventType, WatchEvent};

pub const METALLB_NAMESPACE: &str = "metallb-system";
pub const METALLB_CONFIGMAP: &str = "config";
pub const METALLB_COMPONENT: &str = "metallb-controller";
/// annotationLoadBalancerIPs (controller/service.go).
pub const LOAD_BALANCER_IPS_ANNOTATION: &str = "metallb.universe.tf/loadBalancerIPs";
/// The tunnel manager's stateCheckInterval.
pub const TUNNEL_INTERVAL_SECONDS: i64 = 5;
/// Bound on addresses in one pool range that are walked looking for a free one.
const MAX_POOL_WALK: u64 = 1 << 20;

/// Which provider the cluster's profile has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoadBalancerProvider {
    /// kubeadm and minikube: MetalLB once configured (and minikube tunnel).
    MetalLb,
    /// Docker Desktop: `localhost` at once.
    DockerDesktop,
}

/// One address pool of MetalLB's configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pool {
    pub name: String,
    pub auto_assign: bool,
    pub avoid_buggy_ips: bool,
    /// Inclusive address ranges, in the order the config lists them.
    pub ranges: Vec<(u32, u32)>,
}

/// MetalLB's ParseCIDR: `a.b.c.d/n` or `a.b.c.d-e.f.g.h` (IPv4 only here).
fn parse_range(s: &str) -> Result<(u32, u32), String> {
    if !s.contains('-') {
        let bad = || format!("invalid CIDR {s:?}");
        let (ip, bits) = s.split_once('/').ok_or_else(bad)?;
        let ip: Ipv4Addr = ip.parse().map_err(|_| bad())?;
        let bits: u32 = bits.parse().ok().filter(|b| *b <= 32).ok_or_else(bad)?;
        let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits) };
        let net = u32::from(ip) & mask;
        return Ok((net, net | !mask));
    }
    let (a, b) = s.split_once('-').expect("contains '-'");
    let start: Ipv4Addr = a.trim().parse().map_err(|_| format!("invalid IP range {s:?}: invalid start IP {a:?}"))?;
    let end: Ipv4Addr = b.trim().parse().map_err(|_| format!("invalid IP range {s:?}: invalid end IP {b:?}"))?;
    if u32::from(start) > u32::from(end) {
        return Err(format!("invalid IP range {s:?}: start IP {:?} is after the end IP {:?}", start.to_string(), end.to_string()));
    }
    Ok((start.into(), end.into()))
}

/// config.Parse for the layer2 pools of the legacy ConfigMap.
pub fn parse_config(text: &str) -> Result<Vec<Pool>, String> {
    let docs = apimachinery::yaml::parse_documents(text).map_err(|e| format!("could not parse config: {e}"))?;
    let doc = docs.into_iter().next().unwrap_or_default();
    let mut pools: Vec<Pool> = vec![];
    for (i, p) in doc.get("address-pools").and_then(|v| v.as_array()).into_iter().flatten().enumerate() {
        let wrap = |e: String| format!("parsing address pool #{}: {e}", i + 1);
        let name = p.get("name").and_then(|v| v.as_str()).unwrap_or("").to_string();
        if name.is_empty() {
            return Err(wrap("missing pool name".into()));
        }
        let addresses: Vec<&str> = p.get("addresses").and_then(|v| v.as_array()).into_iter().flatten().filter_map(|a| a.as_str()).collect();
        if addresses.is_empty() {
            return Err(wrap("pool has no prefixes defined".into()));
        }
        let mut ranges = vec![];
        for a in addresses {
            ranges.push(parse_range(a).map_err(|e| wrap(format!("invalid CIDR {a:?} in pool {name:?}: {e}")))?);
        }
        match p.get("protocol").and_then(|v| v.as_str()).unwrap_or("") {
            "layer2" | "bgp" => {}
            "" => return Err(wrap("address pool is missing the protocol field".into())),
            other => return Err(wrap(format!("unknown protocol {other:?}"))),
        }
        if pools.iter().any(|q| q.name == name) {
            return Err(format!("duplicate definition of pool {name:?}"));
        }
        let auto_assign = p.get("auto-assign").and_then(|v| v.as_bool()).unwrap_or(true);
        let avoid_buggy_ips = p.get("avoid-buggy-ips").and_then(|v| v.as_bool()).unwrap_or(false);
        pools.push(Pool { name, auto_assign, avoid_buggy_ips, ranges });
    }
    Ok(pools)
}

fn is_load_balancer(s: &Service) -> bool {
    s.spec.as_ref().and_then(|sp| sp.type_.as_deref()) == Some("LoadBalancer")
}

fn ingress_of(s: &Service) -> Vec<LoadBalancerIngress> {
    s.status.as_ref().and_then(|st| st.load_balancer.as_ref()).and_then(|lb| lb.ingress.clone()).unwrap_or_default()
}

fn key_text(key: &ObjectKey) -> String {
    format!("{}/{}", key.namespace, key.name)
}

/// Go's `%q` of a `[]net.IP`: `["192.168.1.240"]`.
fn quoted_ips(ips: &[u32]) -> String {
    let list: Vec<String> = ips.iter().map(|ip| format!("\"{}\"", Ipv4Addr::from(*ip))).collect();
    format!("[{}]", list.join(" "))
}

#[derive(Default)]
pub struct LoadBalancerController {
    provider: Option<LoadBalancerProvider>,
    /// MetalLB's current configuration; None until a valid one was read.
    pools: Option<Vec<Pool>>,
    /// MetalLB's allocator: service key → its address.
    allocated: BTreeMap<ObjectKey, u32>,
    /// When `minikube tunnel` started, while it runs.
    tunnel_started: Option<Timestamp>,
    /// LoadBalancer services the controller has seen, for "reprocess all".
    balancers: std::collections::BTreeSet<ObjectKey>,
}

fn config_key() -> ObjectKey {
    ObjectKey::new(Kind::ConfigMap, METALLB_NAMESPACE, METALLB_CONFIGMAP)
}

impl LoadBalancerController {
    pub fn new(provider: Option<LoadBalancerProvider>) -> Self {
        LoadBalancerController { provider, ..Default::default() }
    }

    fn reprocess_all(&self, queue: &mut Queue) {
        for k in &self.balancers {
            queue.add(k.clone());
        }
    }

    fn in_pools(pools: &[Pool], ip: u32) -> Option<&Pool> {
        pools.iter().find(|p| p.ranges.iter().any(|(a, b)| (*a..=*b).contains(&ip)))
    }

    fn owner_of(&self, ip: u32, except: &ObjectKey) -> Option<&ObjectKey> {
        self.allocated.iter().find(|(k, v)| **v == ip && *k != except).map(|(k, _)| k)
    }

    /// allocateIPs: the requested address, or the first free one.
    fn allocate(&mut self, pools: &[Pool], key: &ObjectKey, svc: &Service) -> Result<u32, String> {
        let annotation = svc.metadata.annotations.as_ref().and_then(|a| a.get(LOAD_BALANCER_IPS_ANNOTATION)).filter(|s| !s.is_empty());
        let spec_ip = svc.spec.as_ref().and_then(|s| s.load_balancer_ip.as_deref()).filter(|s| !s.is_empty());
        let desired = match (annotation, spec_ip) {
            (Some(_), Some(_)) => return Err(format!("service can not have both {LOAD_BALANCER_IPS_ANNOTATION} and svc.Spec.LoadBalancerIP")),
            (Some(a), None) => Some(a.split(',').next().unwrap_or("").trim().parse::<Ipv4Addr>().map_err(|_| format!("invalid {LOAD_BALANCER_IPS_ANNOTATION}: {a:?}"))?),
            (None, Some(ip)) => Some(ip.parse::<Ipv4Addr>().map_err(|_| format!("invalid spec.loadBalancerIP {ip:?}"))?),
            (None, None) => None,
        };
        if let Some(ip) = desired {
            let ip = u32::from(ip);
            if Self::in_pools(pools, ip).is_none() {
                return Err(format!("{} is not allowed in config", quoted_ips(&[ip])));
            }
            if let Some(other) = self.owner_of(ip, key) {
                return Err(format!("can't change sharing key for \"{}\", address also in use by {}", key_text(key), key_text(other)));
            }
            return Ok(ip);
        }
        for pool in pools.iter().filter(|p| p.auto_assign) {
            for (start, end) in &pool.ranges {
                let last = (*end as u64).min(*start as u64 + MAX_POOL_WALK);
                for ip in *start as u64..=last {
                    let ip = ip as u32;
                    let octet = ip & 0xff;
                    if pool.avoid_buggy_ips && (octet == 0 || octet == 255) {
                        continue;
                    }
                    if self.owner_of(ip, key).is_none() {
                        return Ok(ip);
                    }
                }
            }
        }
        Err("no available IPs".into())
    }

    fn write_status(api: &mut ApiServer, svc: &Service, ingress: Option<Vec<LoadBalancerIngress>>) -> Result<(), ApiError> {
        let mut s = svc.clone();
        s.status.get_or_insert_with(Default::default).load_balancer = Some(LoadBalancerStatus { ingress });
        match api.update_status(Object::Service(s)) {
            Ok(_) => Ok(()),
            Err(e) if is_not_found(&e) => Ok(()),
            Err(e) => Err(e),
        }
    }

    fn sync_config(&mut self, api: &ApiServer, queue: &mut Queue) -> Result<(), ApiError> {
        // A missing or unparsable config leaves the last good one in place
        // (SetConfig logs and keeps c.config).
        let Some(cm) = get_typed::<ConfigMap>(api, METALLB_NAMESPACE, METALLB_CONFIGMAP)? else { return Ok(()) };
        let text = cm.data.as_ref().and_then(|d| d.get("config")).cloned().unwrap_or_default();
        let Ok(pools) = parse_config(&text) else { return Ok(()) };
        // SetPools refuses a config that would take away an assigned address.
        if self.allocated.values().any(|ip| Self::in_pools(&pools, *ip).is_none()) {
            return Ok(());
        }
        self.pools = Some(pools);
        self.reprocess_all(queue);
        Ok(())
    }

    fn sync_metallb(&mut self, api: &mut ApiServer, key: &ObjectKey, svc: &Service) -> Result<(), ApiError> {
        let Some(pools) = self.pools.clone() else { return Ok(()) };
        let current: Vec<u32> = ingress_of(svc).iter().filter_map(|i| i.ip.as_deref()?.parse::<Ipv4Addr>().ok()).map(u32::from).collect();
        let mut ip = current.first().copied().filter(|ip| Self::in_pools(&pools, *ip).is_some() && self.owner_of(*ip, key).is_none());
        // A different address asked for since: start over.
        let spec_ip = svc.spec.as_ref().and_then(|s| s.load_balancer_ip.as_deref()).filter(|s| !s.is_empty()).and_then(|s| s.parse::<Ipv4Addr>().ok());
        if ip.is_some() && spec_ip.is_some_and(|want| Some(u32::from(want)) != ip) {
            ip = None;
        }
        match ip {
            Some(ip) => {
                self.allocated.insert(key.clone(), ip);
            }
            None => {
                self.allocated.remove(key);
                match self.allocate(&pools, key, svc) {
                    Ok(new_ip) => {
                        self.allocated.insert(key.clone(), new_ip);
                        ip = Some(new_ip);
                        let obj = Object::Service(svc.clone());
                        api.record_event(&obj, None, NORMAL, "IPAllocated", &format!("Assigned IP {}", quoted_ips(&[new_ip])), &Reporter::controller(METALLB_COMPONENT));
                    }
                    Err(e) => {
                        let obj = Object::Service(svc.clone());
                        api.record_event(&obj, None, WARNING, "AllocationFailed", &format!("Failed to allocate IP for \"{}\": {e}", key_text(key)), &Reporter::controller(METALLB_COMPONENT));
                        if !current.is_empty() {
                            return Self::write_status(api, svc, None);
                        }
                        return Ok(());
                    }
                }
            }
        }
        let want = ip.map(|ip| vec![LoadBalancerIngress { ip: Some(Ipv4Addr::from(ip).to_string()), ..Default::default() }]);
        let have_ip = ingress_of(svc).first().and_then(|i| i.ip.clone());
        if have_ip.as_deref() != want.as_ref().and_then(|w| w[0].ip.as_deref()) || ingress_of(svc).len() != 1 {
            return Self::write_status(api, svc, want);
        }
        Ok(())
    }

    /// The next instant the tunnel's loop looks at the services.
    fn next_tunnel_tick(&self, now: Timestamp) -> Option<Timestamp> {
        let start = self.tunnel_started?;
        let elapsed_ms = now.duration_since(start).as_millis().max(1) as i64;
        let period_ms = TUNNEL_INTERVAL_SECONDS * 1000;
        let ticks = (elapsed_ms + period_ms - 1) / period_ms;
        Some(start + SignedDuration::from_millis(ticks * period_ms))
    }
}

impl Controller for LoadBalancerController {
    fn name(&self) -> &'static str {
        "load-balancer"
    }

    fn observe(&mut self, event: &WatchEvent, queue: &mut Queue) {
        match event.key.kind {
            Kind::Service => {
                let now_lb = event.event_type != EventType::Deleted && event.object.as_typed::<Service>().is_some_and(is_load_balancer);
                let was_lb = event.prev.as_deref().and_then(|o| o.as_typed::<Service>()).is_some_and(is_load_balancer);
                if now_lb || was_lb || self.allocated.contains_key(&event.key) {
                    queue.add(event.key.clone());
                }
                if now_lb {
                    self.balancers.insert(event.key.clone());
                }
            }
            Kind::ConfigMap if event.key == config_key() && self.provider == Some(LoadBalancerProvider::MetalLb) => queue.add(event.key.clone()),
            _ => {}
        }
    }

    fn sync(&mut self, api: &mut ApiServer, key: &ObjectKey, queue: &mut Queue) -> Result<(), ApiError> {
        if key.kind == Kind::ConfigMap {
            return self.sync_config(api, queue);
        }
        let svc = get_typed::<Service>(api, &key.namespace, &key.name)?;
        let Some(svc) = svc.filter(is_load_balancer) else {
            self.balancers.remove(key);
            // deleteBalancer / clearServiceState: the address goes back to the
            // pool, and Services waiting for one try again.
            let released = self.allocated.remove(key).is_some();
            if let Some(s) = get_typed::<Service>(api, &key.namespace, &key.name)?
                && !ingress_of(&s).is_empty()
            {
                Self::write_status(api, &s, None)?;
            }
            if released {
                self.reprocess_all(queue);
            }
            return Ok(());
        };
        match self.provider {
            Some(LoadBalancerProvider::DockerDesktop) => {
                let want = vec![LoadBalancerIngress { hostname: Some("localhost".into()), ..Default::default() }];
                if ingress_of(&svc) != want {
                    return Self::write_status(api, &svc, Some(want));
                }
                Ok(())
            }
            Some(LoadBalancerProvider::MetalLb) if self.pools.is_some() => self.sync_metallb(api, key, &svc),
            _ => {
                // minikube tunnel's updateService: ingress = [{ip: clusterIP}].
                let Some(tick) = self.next_tunnel_tick(api.now()) else { return Ok(()) };
                let cluster_ip = svc.spec.as_ref().and_then(|s| s.cluster_ip.clone()).unwrap_or_default();
                let current = ingress_of(&svc);
                if cluster_ip.is_empty() || (current.len() == 1 && current[0].ip.as_deref() == Some(cluster_ip.as_str())) {
                    return Ok(());
                }
                if tick > api.now() {
                    queue.add_after(key.clone(), api.now(), tick.duration_since(api.now()));
                    return Ok(());
                }
                Self::write_status(api, &svc, Some(vec![LoadBalancerIngress { ip: Some(cluster_ip), ..Default::default() }]))
            }
        }
    }

    fn minikube_tunnel(&mut self, now: Timestamp, queue: &mut Queue) {
        if self.tunnel_started.is_none() {
            self.tunnel_started = Some(now);
        }
        self.reprocess_all(queue);
    }
}
