use crate::{Controller, Queue};
use apimachinery::{ApiError, ObjectKey};
use apiserver::ApiServer;
use store::WatchEvent;

#[derive(Default)]
pub struct EndpointSliceController {}

impl Controller for EndpointSliceController {
    fn name(&self) -> &'static str { "endpointslicecontroller" }
    fn observe(&mut self, _event: &WatchEvent, _queue: &mut Queue) {}
    fn sync(&mut self, _api: &mut ApiServer, _key: &ObjectKey, _queue: &mut Queue) -> Result<(), ApiError> { Ok(()) }
}
