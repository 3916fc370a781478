//! rolling.go: scale the new ReplicaSet up within maxSurge, then the old
//! ones down within maxUnavailable, one step per sync.

use super::util::{self as du, replicas, rs_available, rs_replicas};
use super::{DeploymentSync, all_rss};
use apimachinery::ApiError;
use apimachinery::k8s_openapi::api::apps::v1::ReplicaSet;

impl DeploymentSync<'_> {
    /// rolloutRolling.
    pub fn rollout_rolling(&mut self, rs_list: Vec<ReplicaSet>) -> Result<(), ApiError> {
        let (new_rs, old) = self.get_all_replica_sets_and_sync_revision(&rs_list, true)?;
        let Some(new_rs) = new_rs else { return Ok(()) };
        // The RS values stay as read (upstream passes the same pointers on).
        let all = all_rss(&old, Some(&new_rs));
        if self.reconcile_new_replica_set(&all, &new_rs)? {
            return self.sync_rollout_status(&all, Some(&new_rs));
        }
        let active_old: Vec<ReplicaSet> = old.iter().filter(|r| rs_replicas(r) > 0).cloned().collect();
        if self.reconcile_old_replica_sets(&all, active_old, &new_rs) {
            return self.sync_rollout_status(&all, Some(&new_rs));
        }
        let stored = self.d.status.clone().unwrap_or_default();
        if du::deployment_complete(&self.d, &stored) {
            self.cleanup_deployment(&old)?;
        }
        self.sync_rollout_status(&all, Some(&new_rs))
    }

    /// reconcileNewReplicaSet.
    fn reconcile_new_replica_set(&mut self, all: &[&ReplicaSet], new_rs: &ReplicaSet) -> Result<bool, ApiError> {
        let desired = replicas(&self.d);
        if rs_replicas(new_rs) == desired {
            return Ok(false);
        }
        if rs_replicas(new_rs) > desired {
            return Ok(self.scale_rs_and_record_event(new_rs, desired)?.0);
        }
        let count = du::new_rs_new_replicas(&self.d, all, new_rs).map_err(ApiError::bad_request)?;
        Ok(self.scale_rs_and_record_event(new_rs, count)?.0)
    }

    /// reconcileOldReplicaSets: errors are swallowed (upstream returns
    /// `false, nil`) and the next sync tries again.
    fn reconcile_old_replica_sets(&mut self, all: &[&ReplicaSet], mut old: Vec<ReplicaSet>, new_rs: &ReplicaSet) -> bool {
        let old_refs: Vec<&ReplicaSet> = old.iter().collect();
        if du::spec_count(&old_refs) == 0 {
            return false;
        }
        let all_pods = du::spec_count(all);
        let min_available = replicas(&self.d) - du::max_unavailable(&self.d);
        let new_unavailable = rs_replicas(new_rs) - rs_available(new_rs);
        let max_scaled_down = all_pods - min_available - new_unavailable;
        if max_scaled_down <= 0 {
            return false;
        }
        let Ok(cleaned) = self.cleanup_unhealthy_replicas(&mut old, max_scaled_down) else { return false };
        let mut all_after: Vec<&ReplicaSet> = old.iter().collect();
        all_after.push(new_rs);
        let Ok(scaled) = self.scale_down_old_for_rolling_update(&all_after.clone(), &old) else { return false };
        cleaned + scaled > 0
    }

    /// cleanupUnhealthyReplicas: first shrink old ReplicaSets by their
    /// unavailable pods, oldest first.
    fn cleanup_unhealthy_replicas(&mut self, old: &mut [ReplicaSet], max_cleanup: i32) -> Result<i32, ApiError> {
        apimachinery::sort::sort_by(old, du::by_creation);
        let mut total = 0;
        for rs in old.iter_mut() {
            if total >= max_cleanup {
                break;
            }
            let spec = rs_replicas(rs);
            if spec == 0 || spec == rs_available(rs) {
                continue;
            }
            let down = (max_cleanup - total).min(spec - rs_available(rs));
            let (_, updated) = self.scale_rs_and_record_event(rs, spec - down)?;
            total += down;
            *rs = updated;
        }
        Ok(total)
    }

    /// scaleDownOldReplicaSetsForRollingUpdate: shrink old ReplicaSets by as
    /// many available pods as minAvailable allows, oldest first.
    fn scale_down_old_for_rolling_update(&mut self, all: &[&ReplicaSet], old: &[ReplicaSet]) -> Result<i32, ApiError> {
        let min_available = replicas(&self.d) - du::max_unavailable(&self.d);
        let available = du::available_count(all);
        if available <= min_available {
            return Ok(0);
        }
        let mut old: Vec<ReplicaSet> = old.to_vec();
        apimachinery::sort::sort_by(&mut old, du::by_creation);
        let goal = available - min_available;
        let mut total = 0;
        for rs in &old {
            if total >= goal {
                break;
            }
            if rs_replicas(rs) == 0 {
                continue;
            }
            let down = rs_replicas(rs).min(goal - total);
            self.scale_rs_and_record_event(rs, rs_replicas(rs) - down)?;
            total += down;
        }
        Ok(total)
    }
}
