//! kube-controller-manager: one module per controller, each a level-driven
//! reconcile of keys taken from its own rate-limited work queue, as
//! k8s.io/kubernetes/pkg/controller/* are written.
//!
//! The manager is one `client::Component`. `observe` hands every watch event
//! to each controller's informer handlers, which only look at the event (and
//! at their own small informer-like indexes) and enqueue keys. `run` then
//! pops due keys round-robin and calls the controller's `sync`, which reads
//! the current state through the API server and writes through it. A failed
//! sync goes back to the queue with per-key exponential back-off
//! (`add_rate_limited`); a successful one clears the back-off (`forget`).
//!
//! The ReplicaSet, ReplicationController and DaemonSet controllers keep a
//! pod informer index (`podindex`): pods by controller UID with a small
//! summary each, caught up with the watch history at the start of a sync,
//! so that a sync costs O(its own pods), not O(pods in the namespace).

// Every sync returns the API server's `ApiError` (a Kubernetes Status); its
// size is the apiserver's choice, and boxing it here would only add noise.
#![allow(clippy::result_large_err)]

pub mod daemonset;
pub mod deployment;
pub mod endpoints;
pub mod endpointslice;
pub mod garbagecollector;
pub mod ingress_nginx;
pub mod loadbalancer;
pub mod namespace;
pub mod nodelifecycle;
pub mod podindex;
pub mod replicaset;
pub mod replication;
pub mod serviceaccount;
pub mod util;

use apimachinery::{ApiError, ObjectKey, Timestamp};
use apiserver::ApiServer;
use client::{Component, WorkQueue};
use store::WatchEvent;

pub use endpoints::reconcile_kubernetes_service_endpoints;

/// The queue type every controller uses: keys of the objects it reconciles.
pub type Queue = WorkQueue<ObjectKey>;

/// Bound on syncs in one `run`: a controller that re-adds its key forever
/// (a livelock) must not hang the world; the rest runs in the next round.
pub const MAX_SYNCS_PER_RUN: usize = 200_000;

/// One controller inside the manager: its informer handlers and its reconcile.
pub trait Controller {
    /// The controller's name, as `--controllers` lists it (`deployment`).
    fn name(&self) -> &'static str;
    /// Informer event handlers: look at the change, enqueue keys. No writes.
    fn observe(&mut self, event: &WatchEvent, queue: &mut Queue);
    /// Reconcile one key from the current state. Requeues it may want after
    /// a delay go through `queue.add_after`.
    fn sync(&mut self, api: &mut ApiServer, key: &ObjectKey, queue: &mut Queue) -> Result<(), ApiError>;
    /// Periodic work (the node monitor's 5 s period): enqueue what is due.
    fn tick(&mut self, _now: Timestamp, _queue: &mut Queue) {}
    /// When `tick` next has something to do.
    fn next_tick(&self) -> Option<Timestamp> {
        None
    }
    /// `minikube tunnel` started (only the load-balancer controller cares).
    fn minikube_tunnel(&mut self, _now: Timestamp, _queue: &mut Queue) {}
}

struct Slot {
    controller: Box<dyn Controller>,
    queue: Queue,
}

pub struct ControllerManager {
    slots: Vec<Slot>,
    /// Syncs done so far (for traces and tests).
    pub syncs: u64,
}

impl ControllerManager {
    /// All controllers kubeplay runs, in the order kube-controller-manager
    /// starts them (NewControllerDescriptors); the order only decides which
    /// controller's due key goes first in a round.
    pub fn new(seed: u64, load_balancer: Option<loadbalancer::LoadBalancerProvider>) -> ControllerManager {
        let controllers: Vec<Box<dyn Controller>> = vec![
            Box::new(serviceaccount::ServiceAccountController::default()),
            Box::new(serviceaccount::RootCaPublisher::default()),
            Box::new(endpoints::EndpointsController::default()),
            Box::new(endpointslice::EndpointSliceController::default()),
            Box::new(replication::new_controller()),
            Box::new(namespace::NamespaceController::default()),
            Box::new(garbagecollector::GarbageCollector::default()),
            Box::new(daemonset::DaemonSetController::default()),
            Box::new(deployment::DeploymentController::default()),
            Box::new(replicaset::ReplicaSetController::new(replicaset::Flavor::ReplicaSet)),
            Box::new(nodelifecycle::NodeLifecycleController::default()),
            Box::new(nodelifecycle::TaintEvictionController::default()),
            // Not kube-controller-manager's: the processes that play the
            // cluster's load-balancer provider and ingress controller.
            Box::new(loadbalancer::LoadBalancerController::new(load_balancer)),
            Box::new(ingress_nginx::IngressNginxStatus::default()),
        ];
        // The controllers draw no random numbers: generated names come from
        // the API server's generateName. The seed is kept in the signature
        // so that a future controller can take its own stream.
        let _ = seed;
        ControllerManager { slots: controllers.into_iter().map(|controller| Slot { controller, queue: Queue::new() }).collect(), syncs: 0 }
    }

    /// Names of the controllers, in run order.
    pub fn controller_names(&self) -> Vec<&'static str> {
        self.slots.iter().map(|s| s.controller.name()).collect()
    }

    /// `minikube tunnel` starts: LoadBalancer Services get their ClusterIP
    /// as external address at the tunnel's next check.
    pub fn start_minikube_tunnel(&mut self, now: Timestamp) {
        for slot in &mut self.slots {
            slot.controller.minikube_tunnel(now, &mut slot.queue);
        }
    }

    /// Keys waiting now in a controller's queue (for tests and the UI).
    pub fn queue_len(&self, controller: &str) -> usize {
        self.slots.iter().find(|s| s.controller.name() == controller).map_or(0, |s| s.queue.len())
    }
}

impl Component for ControllerManager {
    fn name(&self) -> String {
        "kube-controller-manager".into()
    }

    fn observe(&mut self, event: &WatchEvent) -> bool {
        let mut work = false;
        for slot in &mut self.slots {
            let before = slot.queue.len();
            slot.controller.observe(event, &mut slot.queue);
            // A key already waiting is not added again; the manager was
            // marked as having work when it was first added.
            work |= slot.queue.len() > before;
        }
        work
    }

    fn run(&mut self, api: &mut ApiServer) -> bool {
        let now = api.now();
        for slot in &mut self.slots {
            slot.controller.tick(now, &mut slot.queue);
        }
        let mut ran = false;
        let mut budget = MAX_SYNCS_PER_RUN;
        loop {
            let mut any = false;
            for slot in &mut self.slots {
                if budget == 0 {
                    return ran;
                }
                let Some(key) = slot.queue.pop(now) else { continue };
                any = true;
                ran = true;
                budget -= 1;
                self.syncs += 1;
                match slot.controller.sync(api, &key, &mut slot.queue) {
                    Ok(()) => slot.queue.forget(&key),
                    Err(_) => slot.queue.add_rate_limited(key, now),
                }
            }
            if !any {
                return ran;
            }
        }
    }

    fn next_wake(&self) -> Option<Timestamp> {
        self.slots
            .iter()
            .flat_map(|s| {
                // A key waiting now is due now; the world runs us again anyway,
                // so only delayed keys and timers set a wake-up.
                [s.queue.next_wake(), s.controller.next_tick()]
            })
            .flatten()
            .min()
    }
}

#[cfg(test)]
mod tests;
