//! recreate.go: scale every old ReplicaSet to zero, wait until their pods
//! are gone, then create (or scale up) the new one.

use super::util::{self as du, replicas, rs_replicas, rs_status_replicas};
use super::{DeploymentSync, all_rss};
use crate::util::{pod_phase, uid_of};
use apimachinery::ApiError;
use apimachinery::k8s_openapi::api::apps::v1::ReplicaSet;
use apimachinery::k8s_openapi::api::core::v1::Pod;
use std::collections::BTreeMap;

impl DeploymentSync<'_> {
    /// rolloutRecreate.
    pub fn rollout_recreate(&mut self, rs_list: Vec<ReplicaSet>, pod_map: BTreeMap<String, Vec<Pod>>) -> Result<(), ApiError> {
        let (mut new_rs, mut old) = self.get_all_replica_sets_and_sync_revision(&rs_list, false)?;
        let active_old: Vec<ReplicaSet> = old.iter().filter(|r| rs_replicas(r) > 0).cloned().collect();
        let mut scaled_down = false;
        for rs in &active_old {
            if self.scale_rs_and_record_event(rs, 0)?.0 {
                scaled_down = true;
            }
        }
        if scaled_down {
            let all = all_rss(&old, new_rs.as_ref());
            return self.sync_rollout_status(&all, new_rs.as_ref());
        }
        if old_pods_running(new_rs.as_ref(), &old, &pod_map) {
            let all = all_rss(&old, new_rs.as_ref());
            return self.sync_rollout_status(&all, new_rs.as_ref());
        }
        if new_rs.is_none() {
            let (n, o) = self.get_all_replica_sets_and_sync_revision(&rs_list, true)?;
            new_rs = n;
            old = o;
        }
        // scaleUpNewReplicaSetForRecreate.
        if let Some(n) = new_rs.as_ref() {
            let desired = replicas(&self.d);
            self.scale_rs_and_record_event(n, desired)?;
        }
        let stored = self.d.status.clone().unwrap_or_default();
        if du::deployment_complete(&self.d, &stored) {
            self.cleanup_deployment(&old)?;
        }
        let all = all_rss(&old, new_rs.as_ref());
        self.sync_rollout_status(&all, new_rs.as_ref())
    }
}

/// oldPodsRunning: old ReplicaSets still report pods, or a pod of theirs
/// has not finished.
fn old_pods_running(new_rs: Option<&ReplicaSet>, old: &[ReplicaSet], pod_map: &BTreeMap<String, Vec<Pod>>) -> bool {
    if old.iter().map(rs_status_replicas).sum::<i32>() > 0 {
        return true;
    }
    let new_uid = new_rs.map(|r| uid_of(&r.metadata).to_string());
    pod_map.iter().filter(|(uid, _)| Some((*uid).clone()) != new_uid).any(|(_, pods)| pods.iter().any(|p| !matches!(pod_phase(p), "Failed" | "Succeeded")))
}
