//! The ReplicationController controller (pkg/controller/replication): the
//! ReplicaSet controller's code run over core/v1 ReplicationControllers,
//! with owner references `v1 ReplicationController` and events from
//! `replication-controller`.

use crate::replicaset::{Flavor, ReplicaSetController};

pub fn new_controller() -> ReplicaSetController {
    ReplicaSetController::new(Flavor::ReplicationController)
}
