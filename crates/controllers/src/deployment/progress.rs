//! progress.go: the Progressing condition (created, progressing, complete,
//! timed out) and the requeue that notices a stuck rollout.

use super::DeploymentSync;
use super::util::{self as du};
use crate::util::{name_of, quote};
use apimachinery::k8s_openapi::api::apps::v1::{DeploymentCondition, DeploymentStatus, ReplicaSet};
use apimachinery::{ApiError, SignedDuration};

impl DeploymentSync<'_> {
    /// syncRolloutStatus.
    pub fn sync_rollout_status(&mut self, all: &[&ReplicaSet], new_rs: Option<&ReplicaSet>) -> Result<(), ApiError> {
        let mut new_status = self.calculate_status(all, new_rs);
        let has_deadline = du::has_progress_deadline(&self.d);
        if !has_deadline {
            du::remove_condition(&mut new_status, "Progressing");
        }
        let old_status = self.d.status.clone().unwrap_or_default();
        let current = du::get_condition(&old_status, "Progressing").cloned();
        let complete = du::n(new_status.replicas) == du::n(new_status.updated_replicas) && current.as_ref().is_some_and(|c| c.reason.as_deref() == Some(du::NEW_RS_AVAILABLE_REASON));
        let now = self.api.now();
        let d_name = name_of(&self.d.metadata).to_string();
        let subject = |what: &str| match new_rs {
            Some(rs) => format!("ReplicaSet {} {what}", quote(name_of(&rs.metadata))),
            None => format!("Deployment {} {what}", quote(&d_name)),
        };
        if has_deadline && !complete {
            if du::deployment_complete(&self.d, &new_status) {
                let c = du::new_condition("Progressing", "True", du::NEW_RS_AVAILABLE_REASON, &subject("has successfully progressed."), now);
                du::set_condition(&mut new_status, c);
            } else if du::deployment_progressing(&self.d, &new_status) {
                let mut c = du::new_condition("Progressing", "True", du::RS_UPDATED_REASON, &subject("is progressing."), now);
                // Progress refreshes lastUpdateTime even with the same reason.
                if let Some(cur) = current.as_ref() {
                    if cur.status.as_deref() == Some("True") {
                        c.last_transition_time = cur.last_transition_time.clone();
                    }
                    du::remove_condition(&mut new_status, "Progressing");
                }
                du::set_condition(&mut new_status, c);
            } else if du::deployment_timed_out(&self.d, &new_status, now) {
                let c = du::new_condition("Progressing", "False", du::TIMED_OUT_REASON, &subject("has timed out progressing."), now);
                du::set_condition(&mut new_status, c);
            }
        }
        match replica_failure(all, new_rs) {
            Some(c) => du::set_condition(&mut new_status, c),
            None => du::remove_condition(&mut new_status, "ReplicaFailure"),
        }
        if old_status == new_status {
            self.requeue_stuck_deployment(&new_status);
            return Ok(());
        }
        self.d.status = Some(new_status);
        self.update_status()
    }

    /// requeueStuckDeployment: look again when the deadline would pass.
    fn requeue_stuck_deployment(&mut self, new_status: &DeploymentStatus) {
        let old = self.d.status.clone().unwrap_or_default();
        let Some(cur) = du::get_condition(&old, "Progressing") else { return };
        if !du::has_progress_deadline(&self.d) || du::deployment_complete(&self.d, new_status) || cur.reason.as_deref() == Some(du::TIMED_OUT_REASON) {
            return;
        }
        let Some(last) = cur.last_update_time.as_ref() else { return };
        let now = self.api.now();
        let deadline = SignedDuration::from_secs(self.d.spec.progress_deadline_seconds.unwrap_or(600) as i64);
        let after = (last.0 + deadline).duration_since(now);
        if after < SignedDuration::from_secs(1) {
            self.queue.add_rate_limited(self.key.clone(), now);
        } else {
            self.queue.add_after(self.key.clone(), now, after + SignedDuration::from_secs(1));
        }
    }
}

/// getReplicaFailures: the new ReplicaSet's ReplicaFailure condition first,
/// then any old one's, as a Deployment condition.
fn replica_failure(all: &[&ReplicaSet], new_rs: Option<&ReplicaSet>) -> Option<DeploymentCondition> {
    let find = |rs: &ReplicaSet| {
        rs.status.as_ref()?.conditions.as_ref()?.iter().find(|c| c.type_.as_deref() == Some("ReplicaFailure")).map(|c| DeploymentCondition {
            type_: c.type_.clone(),
            status: c.status.clone(),
            reason: c.reason.clone(),
            message: c.message.clone(),
            last_update_time: c.last_transition_time.clone(),
            last_transition_time: c.last_transition_time.clone(),
        })
    };
    if let Some(c) = new_rs.and_then(find) {
        return Some(c);
    }
    all.iter().filter(|rs| Some(rs.metadata.uid.clone()) != new_rs.map(|n| n.metadata.uid.clone())).find_map(|rs| find(rs))
}
