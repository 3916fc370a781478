//! The control half of the ingress-nginx controller pod
//! (kubernetes/ingress-nginx internal/ingress/controller/store/store.go and
//! internal/ingress/status/status.go), which kubeplay runs here rather than
//! in the pod: while a controller pod (namespace `ingress-nginx`, labels
//! `app.kubernetes.io/name=ingress-nginx`, `component=controller`) is Running
//! and Ready, every Ingress of its class gets the `Sync` "Scheduled for sync"
//! event from `nginx-ingress-controller` whenever it changes, and the status
//! syncer writes `status.loadBalancer.ingress` — the InternalIPs of the nodes
//! running ready controller pods (runningAddresses, no --publish-service on
//! bare metal) — at start and then every 60 s (UpdateInterval). The data
//! half (routing requests by host and path) lives in `network`.

use crate::util::{get_typed, is_not_found};
use crate::{Controller, Queue};
use apimachinery::k8s_openapi::api::core::v1::{Node, Pod};
use apimachinery::k8s_openapi::api::networking::v1::{Ingress, IngressLoadBalancerIngress, IngressLoadBalancerStatus};
use apimachinery::{ApiError, Kind, Object, ObjectKey, SignedDuration, Timestamp, meta};
use apiserver::ApiServer;
use apiserver::events::{NORMAL, Reporter};
use apiserver::registry::networking::served_by_ingress_nginx;
use store::{EventType, WatchEvent};

pub const NAMESPACE: &str = "ingress-nginx";
pub const COMPONENT: &str = "nginx-ingress-controller";
/// status.UpdateInterval, seconds.
pub const STATUS_UPDATE_INTERVAL_SECONDS: i64 = 60;

/// Whether a pod is one of the controller's, Running and Ready.
pub fn is_ready_controller_pod(p: &Pod) -> bool {
    let labels = meta::labels(&p.metadata);
    p.metadata.namespace.as_deref() == Some(NAMESPACE)
        && labels.get("app.kubernetes.io/name").map(String::as_str) == Some("ingress-nginx")
        && labels.get("app.kubernetes.io/component").map(String::as_str) == Some("controller")
        && p.metadata.deletion_timestamp.is_none()
        && crate::util::pod_phase(p) == "Running"
        && crate::util::is_pod_ready(p)
}

fn status_key() -> ObjectKey {
    ObjectKey::new(Kind::Deployment, NAMESPACE, "ingress-nginx-controller")
}

#[derive(Default)]
pub struct IngressNginxStatus {
    /// When the running controller (its leader) started; None while no
    /// controller pod is ready.
    running_since: Option<Timestamp>,
}

impl IngressNginxStatus {
    fn ready_pods(api: &ApiServer) -> Vec<Pod> {
        api.store().list(Kind::Pod, Some(NAMESPACE)).filter_map(|o| o.as_typed::<Pod>()).filter(|p| is_ready_controller_pod(p)).cloned().collect()
    }

    /// runningAddresses, sorted (lessLoadBalancerIngress) and de-duplicated.
    fn addresses(api: &ApiServer, pods: &[Pod]) -> Vec<String> {
        let mut out: Vec<String> = vec![];
        for p in pods {
            let node = crate::util::pod_node(p);
            let Ok(Some(n)) = get_typed::<Node>(api, "", node) else { continue };
            let addrs = n.status.and_then(|s| s.addresses).unwrap_or_default();
            let external: Vec<String> = addrs.iter().filter(|a| a.type_ == "ExternalIP").map(|a| a.address.clone()).collect();
            let internal: Vec<String> = addrs.iter().filter(|a| a.type_ == "InternalIP").map(|a| a.address.clone()).collect();
            for a in if external.is_empty() { internal } else { external } {
                if !out.contains(&a) {
                    out.push(a);
                }
            }
        }
        apimachinery::sort::sort(&mut out);
        out
    }

    fn sync_status(&mut self, api: &mut ApiServer, queue: &mut Queue) -> Result<(), ApiError> {
        let pods = Self::ready_pods(api);
        let now = api.now();
        if pods.is_empty() {
            self.running_since = None;
            return Ok(());
        }
        if self.running_since.is_none() {
            // A controller came up: its informers list every Ingress (AddFunc).
            self.running_since = Some(now);
            for o in api.store().list(Kind::Ingress, None) {
                queue.add(ObjectKey::of(o));
            }
        }
        let want: Vec<IngressLoadBalancerIngress> = Self::addresses(api, &pods).into_iter().map(|ip| IngressLoadBalancerIngress { ip: Some(ip), ..Default::default() }).collect();
        let ours: Vec<Ingress> = api.store().list(Kind::Ingress, None).filter_map(|o| o.as_typed::<Ingress>()).filter(|i| served_by_ingress_nginx(api, i)).cloned().collect();
        for ing in ours {
            let have = ing.status.as_ref().and_then(|s| s.load_balancer.as_ref()).and_then(|lb| lb.ingress.clone()).unwrap_or_default();
            if have == want {
                continue;
            }
            let mut updated = ing.clone();
            updated.status.get_or_insert_with(Default::default).load_balancer = Some(IngressLoadBalancerStatus { ingress: Some(want.clone()) });
            match api.update_status(Object::Ingress(updated)) {
                Ok(_) => {}
                Err(e) if is_not_found(&e) => {}
                Err(e) => return Err(e),
            }
        }
        queue.add_after(status_key(), now, SignedDuration::from_secs(STATUS_UPDATE_INTERVAL_SECONDS));
        Ok(())
    }
}

impl Controller for IngressNginxStatus {
    fn name(&self) -> &'static str {
        "ingress-nginx"
    }

    fn observe(&mut self, event: &WatchEvent, queue: &mut Queue) {
        match event.key.kind {
            Kind::Ingress if event.event_type != EventType::Deleted && self.running_since.is_some() => queue.add(event.key.clone()),
            Kind::Pod if event.key.namespace == NAMESPACE => {
                let ready_now = event.event_type != EventType::Deleted && event.object.as_typed::<Pod>().is_some_and(is_ready_controller_pod);
                let ready_before = event.prev.as_deref().and_then(|o| o.as_typed::<Pod>()).is_some_and(is_ready_controller_pod);
                // A controller pod became ready or stopped being ready: the
                // set of addresses (or whether anything runs) changed.
                if ready_now != ready_before {
                    queue.add(status_key());
                }
            }
            _ => {}
        }
    }

    fn sync(&mut self, api: &mut ApiServer, key: &ObjectKey, queue: &mut Queue) -> Result<(), ApiError> {
        if *key == status_key() {
            return self.sync_status(api, queue);
        }
        if self.running_since.is_none() {
            return Ok(());
        }
        let Some(ing) = get_typed::<Ingress>(api, &key.namespace, &key.name)? else { return Ok(()) };
        if served_by_ingress_nginx(api, &ing) {
            api.record_event(&Object::Ingress(ing), None, NORMAL, "Sync", "Scheduled for sync", &Reporter::controller(COMPONENT));
        }
        Ok(())
    }
}
