//! kube-controller-manager (stub: to be filled in).

use apimachinery::Timestamp;
use apiserver::ApiServer;
use client::Component;
use store::WatchEvent;

pub struct ControllerManager {}

impl ControllerManager {
    pub fn new(_seed: u64) -> ControllerManager {
        ControllerManager {}
    }
}

impl Component for ControllerManager {
    fn name(&self) -> String {
        "kube-controller-manager".into()
    }
    fn observe(&mut self, _event: &WatchEvent) {}
    fn run(&mut self, _api: &mut ApiServer) -> bool {
        false
    }
    fn next_wake(&self) -> Option<Timestamp> {
        None
    }
}
