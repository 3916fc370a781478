//! kube-scheduler (stub: to be filled in).

use apimachinery::Timestamp;
use apiserver::ApiServer;
use client::Component;
use store::WatchEvent;

pub struct Scheduler {}

impl Scheduler {
    pub fn new(_seed: u64) -> Scheduler {
        Scheduler {}
    }
}

impl Component for Scheduler {
    fn name(&self) -> String {
        "default-scheduler".into()
    }
    fn observe(&mut self, _event: &WatchEvent) {}
    fn run(&mut self, _api: &mut ApiServer) -> bool {
        false
    }
    fn next_wake(&self) -> Option<Timestamp> {
        None
    }
}
