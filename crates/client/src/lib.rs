//! What client-go gives a Kubernetes component, for components that run
//! inside the simulated world: the `Component` contract (informer event
//! handlers + a run loop + timers) and the rate-limited work queue
//! (k8s.io/client-go/util/workqueue).

pub mod workqueue;

use apimachinery::Timestamp;
use apiserver::ApiServer;
use store::WatchEvent;

pub use workqueue::WorkQueue;

/// A control loop in the world: the scheduler, a controller, a kubelet.
///
/// The world delivers every committed change to `observe` (the informer's
/// event handlers: look, enqueue keys, never write), then calls `run` while
/// it reports progress. All writes go through the API server. Time passes
/// only between runs; `next_wake` says when the component next has
/// something due (a delayed requeue, an image pull finishing, a heartbeat).
pub trait Component {
    /// Shown in traces and diagrams (`deployment-controller`, `kubelet/w1-k8s`).
    fn name(&self) -> String;
    /// Informer handlers for one change. Must not write. Returns whether the
    /// change may have given this component work (the world runs only
    /// components with work or a due timer; when unsure, return true).
    fn observe(&mut self, event: &WatchEvent) -> bool;
    /// Process what is due at `api.now()`. Returns true if anything ran.
    fn run(&mut self, api: &mut ApiServer) -> bool;
    /// The earliest time this component wants to run again, if any.
    fn next_wake(&self) -> Option<Timestamp>;
}
