use crate::{Controller, Queue};
use apimachinery::{ApiError, ObjectKey};
use apiserver::ApiServer;
use store::WatchEvent;

#[derive(Default)]
pub struct NodeLifecycleController {}

impl Controller for NodeLifecycleController {
    fn name(&self) -> &'static str { "nodelifecyclecontroller" }
    fn observe(&mut self, _event: &WatchEvent, _queue: &mut Queue) {}
    fn sync(&mut self, _api: &mut ApiServer, _key: &ObjectKey, _queue: &mut Queue) -> Result<(), ApiError> { Ok(()) }
}
#[derive(Default)]
pub struct TaintEvictionController {}

impl Controller for TaintEvictionController {
    fn name(&self) -> &'static str { "taintevictioncontroller" }
    fn observe(&mut self, _event: &WatchEvent, _queue: &mut Queue) {}
    fn sync(&mut self, _api: &mut ApiServer, _key: &ObjectKey, _queue: &mut Queue) -> Result<(), ApiError> { Ok(()) }
}
