//! sync.go: finding or creating the new ReplicaSet, scaling (including
//! proportional scaling), revision-history cleanup and the status.

use super::util::{self as du, replicas, rs_replicas};
use super::{DeploymentSync, all_rss};
use crate::util::{controller_ref, is_namespace_terminating, is_not_found, name_of, nonzero, nonzero64, opts, quote, uid_of};
use apimachinery::k8s_openapi::api::apps::v1::{DeploymentStatus, ReplicaSet, ReplicaSetSpec};
use apimachinery::k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use apimachinery::{ApiError, Kind, Object, Reason};
use apiserver::DeleteOptions;
use apiserver::events::{NORMAL, WARNING};
use std::collections::BTreeMap;

impl DeploymentSync<'_> {
    /// getAllReplicaSetsAndSyncRevision: (new RS, all old RSs).
    pub fn get_all_replica_sets_and_sync_revision(&mut self, rs_list: &[ReplicaSet], create: bool) -> Result<(Option<ReplicaSet>, Vec<ReplicaSet>), ApiError> {
        let (new_rs, old) = find_new_and_old(&self.d, rs_list);
        let new_rs = self.get_new_replica_set(new_rs, &old, create)?;
        Ok((new_rs, old))
    }

    /// getNewReplicaSet.
    fn get_new_replica_set(&mut self, existing: Option<ReplicaSet>, old: &[ReplicaSet], create: bool) -> Result<Option<ReplicaSet>, ApiError> {
        let new_revision = du::max_revision(old) + 1;
        let now = self.api.now();
        if let Some(mut rs) = existing {
            let annotations_updated = du::set_new_rs_annotations(&self.d, &mut rs, new_revision, true);
            let min_ready_differs = rs.spec.min_ready_seconds != self.d.spec.min_ready_seconds;
            if annotations_updated || min_ready_differs {
                rs.spec.min_ready_seconds = self.d.spec.min_ready_seconds;
                rs.metadata.resource_version = None;
                let updated = self.api.update(Object::ReplicaSet(rs), &opts())?;
                return Ok(updated.as_typed::<ReplicaSet>().cloned());
            }
            let revision = du::annotation(&rs.metadata, du::REVISION).to_string();
            let mut needs_update = du::set_deployment_revision(&mut self.d, &revision);
            let has_deadline = du::has_progress_deadline(&self.d);
            let status = self.d.status.get_or_insert_with(Default::default);
            if has_deadline && du::get_condition(status, "Progressing").is_none() {
                let msg = format!("Found new replica set {}", quote(name_of(&rs.metadata)));
                du::set_condition(status, du::new_condition("Progressing", "True", du::FOUND_NEW_RS_REASON, &msg, now));
                needs_update = true;
            }
            if needs_update {
                self.update_status()?;
            }
            return Ok(Some(rs));
        }
        if !create {
            return Ok(None);
        }

        // A new ReplicaSet, named after the hash of the template.
        let collision_count = self.d.status.as_ref().and_then(|s| s.collision_count);
        let mut template = self.d.spec.template.clone();
        let hash = du::compute_hash(&template, collision_count);
        template.metadata.get_or_insert_with(Default::default).labels.get_or_insert_with(Default::default).insert(du::POD_TEMPLATE_HASH.into(), hash.clone());
        let mut selector = self.d.spec.selector.clone();
        selector.match_labels.get_or_insert_with(Default::default).insert(du::POD_TEMPLATE_HASH.into(), hash.clone());
        let d_name = name_of(&self.d.metadata).to_string();
        let rs_name = format!("{d_name}-{hash}");
        let mut new_rs = ReplicaSet {
            metadata: ObjectMeta {
                name: Some(rs_name.clone()),
                namespace: Some(self.key.namespace.clone()),
                owner_references: Some(vec![controller_ref("apps/v1", "Deployment", &d_name, uid_of(&self.d.metadata))]),
                labels: template.metadata.as_ref().and_then(|m| m.labels.clone()),
                ..Default::default()
            },
            spec: ReplicaSetSpec { replicas: Some(0), min_ready_seconds: self.d.spec.min_ready_seconds, selector, template: Some(template) },
            status: None,
        };
        let all: Vec<&ReplicaSet> = old.iter().chain(std::iter::once(&new_rs)).collect();
        let new_replicas = du::new_rs_new_replicas(&self.d, &all, &new_rs).map_err(ApiError::bad_request)?;
        new_rs.spec.replicas = Some(new_replicas);
        du::set_new_rs_annotations(&self.d, &mut new_rs, new_revision, false);

        let mut already_exists = false;
        let created = match self.api.create(Object::ReplicaSet(new_rs), &opts()) {
            Ok(o) => o.as_typed::<ReplicaSet>().cloned(),
            Err(e) if e.reason == Reason::AlreadyExists => {
                already_exists = true;
                let rs = self.api.get(Kind::ReplicaSet, &self.key.namespace, &rs_name)?;
                let rs = rs.as_typed::<ReplicaSet>().cloned();
                let ours = rs.as_ref().is_some_and(|rs| {
                    self.owns(rs) && rs.spec.template.as_ref().is_some_and(|t| du::equal_ignore_hash(&self.d.spec.template, t))
                });
                if !ours {
                    // A hash collision: count it and retry with a new hash.
                    let status = self.d.status.get_or_insert_with(Default::default);
                    status.collision_count = Some(status.collision_count.unwrap_or(0) + 1);
                    let _ = self.update_status();
                    return Err(e);
                }
                rs
            }
            Err(e) if is_namespace_terminating(&e) => return Err(e),
            Err(e) => {
                let msg = format!("Failed to create new replica set {}: {}", quote(&rs_name), e);
                if du::has_progress_deadline(&self.d) {
                    let c = du::new_condition("Progressing", "False", du::FAILED_RS_CREATE_REASON, &msg, now);
                    du::set_condition(self.d.status.get_or_insert_with(Default::default), c);
                    let _ = self.update_status();
                }
                self.event(WARNING, du::FAILED_RS_CREATE_REASON, &msg);
                return Err(e);
            }
        };
        let Some(created) = created else { return Ok(None) };
        if !already_exists && new_replicas > 0 {
            let msg = format!("Scaled up replica set {} from 0 to {}", name_of(&created.metadata), new_replicas);
            self.event(NORMAL, "ScalingReplicaSet", &msg);
        }
        let mut needs_update = du::set_deployment_revision(&mut self.d, &new_revision.to_string());
        if !already_exists && du::has_progress_deadline(&self.d) {
            let msg = format!("Created new replica set {}", quote(name_of(&created.metadata)));
            let c = du::new_condition("Progressing", "True", du::NEW_RS_REASON, &msg, now);
            du::set_condition(self.d.status.get_or_insert_with(Default::default), c);
            needs_update = true;
        }
        if needs_update {
            self.update_status()?;
        }
        Ok(Some(created))
    }

    /// scaleReplicaSetAndRecordEvent.
    pub fn scale_rs_and_record_event(&mut self, rs: &ReplicaSet, new_scale: i32) -> Result<(bool, ReplicaSet), ApiError> {
        if rs_replicas(rs) == new_scale {
            return Ok((false, rs.clone()));
        }
        let op = if rs_replicas(rs) < new_scale { "up" } else { "down" };
        self.scale_rs(rs, new_scale, op)
    }

    /// scaleReplicaSet: resize and refresh desired/max-replicas; an event
    /// only when the size changed.
    pub fn scale_rs(&mut self, rs: &ReplicaSet, new_scale: i32, op: &str) -> Result<(bool, ReplicaSet), ApiError> {
        let desired = replicas(&self.d);
        let max = desired + du::max_surge(&self.d);
        let size_needs_update = rs_replicas(rs) != new_scale;
        let annotations_need_update = du::replicas_annotations_need_update(rs, desired, max);
        if !size_needs_update && !annotations_need_update {
            return Ok((false, rs.clone()));
        }
        let old_scale = rs_replicas(rs);
        let mut copy = rs.clone();
        copy.spec.replicas = Some(new_scale);
        du::set_replicas_annotations(&mut copy, desired, max);
        copy.metadata.resource_version = None;
        let updated = self.api.update(Object::ReplicaSet(copy), &opts())?;
        let updated = updated.as_typed::<ReplicaSet>().cloned().unwrap_or_else(|| rs.clone());
        if size_needs_update {
            let msg = format!("Scaled {op} replica set {} from {old_scale} to {new_scale}", name_of(&updated.metadata));
            self.event(NORMAL, "ScalingReplicaSet", &msg);
        }
        Ok((size_needs_update, updated))
    }

    /// sync: scaling (and, when paused, cleanup) without a rollout.
    pub fn sync(&mut self, rs_list: Vec<ReplicaSet>) -> Result<(), ApiError> {
        let (new_rs, mut old) = self.get_all_replica_sets_and_sync_revision(&rs_list, false)?;
        self.scale(new_rs.as_ref(), &mut old)?;
        if self.d.spec.paused == Some(true) {
            self.cleanup_deployment(&old)?;
        }
        let all = all_rss(&old, new_rs.as_ref());
        self.sync_deployment_status(&all, new_rs.as_ref())
    }

    /// scale: proportional scaling across the active ReplicaSets.
    fn scale(&mut self, new_rs: Option<&ReplicaSet>, old: &mut [ReplicaSet]) -> Result<(), ApiError> {
        let desired = replicas(&self.d);
        if let Some(target) = find_active_or_latest(new_rs, old) {
            if rs_replicas(&target) == desired {
                return Ok(());
            }
            self.scale_rs_and_record_event(&target, desired)?;
            return Ok(());
        }
        if let Some(n) = new_rs {
            let saturated = rs_replicas(n) == desired && du::desired_replicas_annotation(n) == Some(desired) && du::rs_available(n) == desired;
            if saturated {
                for o in old.iter().filter(|r| rs_replicas(r) > 0).cloned().collect::<Vec<_>>() {
                    self.scale_rs_and_record_event(&o, 0)?;
                }
                return Ok(());
            }
        }
        if !du::is_rolling_update(&self.d) {
            return Ok(());
        }
        let mut all: Vec<ReplicaSet> = old.iter().chain(new_rs).filter(|r| rs_replicas(r) > 0).cloned().collect();
        let current: i32 = all.iter().map(rs_replicas).sum();
        let allowed = if desired > 0 { desired + du::max_surge(&self.d) } else { 0 };
        let to_add = allowed - current;
        let op = match to_add.cmp(&0) {
            std::cmp::Ordering::Greater => {
                apimachinery::sort::sort_by(&mut all, du::by_size_newer);
                "up"
            }
            std::cmp::Ordering::Less => {
                apimachinery::sort::sort_by(&mut all, du::by_size_older);
                "down"
            }
            std::cmp::Ordering::Equal => "",
        };
        let mut added = 0;
        let mut sizes: BTreeMap<String, i32> = BTreeMap::new();
        for rs in &all {
            let size = if to_add != 0 {
                let p = du::proportion(rs, &self.d, to_add, added);
                added += p;
                rs_replicas(rs) + p
            } else {
                rs_replicas(rs)
            };
            sizes.insert(name_of(&rs.metadata).to_string(), size);
        }
        for (i, rs) in all.iter().enumerate() {
            let name = name_of(&rs.metadata).to_string();
            let mut size = sizes.get(&name).copied().unwrap_or(0);
            if i == 0 && to_add != 0 {
                size = (size + to_add - added).max(0);
            }
            self.scale_rs(rs, size, op)?;
        }
        Ok(())
    }

    /// cleanupDeployment: delete the oldest fully scaled-down ReplicaSets
    /// beyond revisionHistoryLimit.
    pub fn cleanup_deployment(&mut self, old: &[ReplicaSet]) -> Result<(), ApiError> {
        let Some(limit) = self.d.spec.revision_history_limit else { return Ok(()) };
        let mut cleanable: Vec<&ReplicaSet> = old.iter().filter(|r| r.metadata.deletion_timestamp.is_none()).collect();
        let diff = cleanable.len() as i64 - limit as i64;
        if diff <= 0 {
            return Ok(());
        }
        apimachinery::sort::sort_by(&mut cleanable, |a, b| du::by_revision(a, b));
        for rs in cleanable.into_iter().take(diff as usize) {
            let st = rs.status.clone().unwrap_or_default();
            if st.replicas != 0 || rs_replicas(rs) != 0 || rs.metadata.generation.unwrap_or(0) > st.observed_generation.unwrap_or(0) {
                continue;
            }
            match self.api.delete(Kind::ReplicaSet, &self.key.namespace, name_of(&rs.metadata), &DeleteOptions::default()) {
                Ok(_) => {}
                Err(e) if is_not_found(&e) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// syncStatusOnly: a Deployment being deleted only reports.
    pub fn sync_status_only(&mut self, rs_list: Vec<ReplicaSet>) -> Result<(), ApiError> {
        let (new_rs, old) = self.get_all_replica_sets_and_sync_revision(&rs_list, false)?;
        let all = all_rss(&old, new_rs.as_ref());
        self.sync_deployment_status(&all, new_rs.as_ref())
    }

    /// syncDeploymentStatus: calculateStatus, written when it changed.
    pub fn sync_deployment_status(&mut self, all: &[&ReplicaSet], new_rs: Option<&ReplicaSet>) -> Result<(), ApiError> {
        let status = self.calculate_status(all, new_rs);
        if self.d.status.clone().unwrap_or_default() == status {
            return Ok(());
        }
        self.d.status = Some(status);
        self.update_status()
    }

    /// calculateStatus.
    pub fn calculate_status(&self, all: &[&ReplicaSet], new_rs: Option<&ReplicaSet>) -> DeploymentStatus {
        let available = du::available_count(all);
        let total = du::spec_count(all);
        let unavailable = (total - available).max(0);
        let old = self.d.status.clone().unwrap_or_default();
        let mut status = DeploymentStatus {
            observed_generation: nonzero64(self.d.metadata.generation.unwrap_or(0)),
            replicas: nonzero(du::actual_count(all)),
            updated_replicas: nonzero(new_rs.map_or(0, du::rs_status_replicas)),
            ready_replicas: nonzero(du::ready_count(all)),
            available_replicas: nonzero(available),
            unavailable_replicas: nonzero(unavailable),
            collision_count: old.collision_count,
            terminating_replicas: du::terminating_count(all),
            conditions: old.conditions.clone(),
        };
        let now = self.api.now();
        let c = if available >= replicas(&self.d) - du::max_unavailable(&self.d) {
            du::new_condition("Available", "True", du::MIN_REPLICAS_AVAILABLE, "Deployment has minimum availability.", now)
        } else {
            du::new_condition("Available", "False", du::MIN_REPLICAS_UNAVAILABLE, "Deployment does not have minimum availability.", now)
        };
        du::set_condition(&mut status, c);
        status
    }
}

/// FindNewReplicaSet / FindOldReplicaSets: the oldest ReplicaSet whose
/// template equals the Deployment's (ignoring the hash label) is the new
/// one; all others are old.
pub(crate) fn find_new_and_old(d: &apimachinery::k8s_openapi::api::apps::v1::Deployment, rs_list: &[ReplicaSet]) -> (Option<ReplicaSet>, Vec<ReplicaSet>) {
    let mut sorted: Vec<&ReplicaSet> = rs_list.iter().collect();
    apimachinery::sort::sort_by(&mut sorted, |a, b| du::by_creation(a, b));
    let new = sorted.iter().find(|rs| rs.spec.template.as_ref().is_some_and(|t| du::equal_ignore_hash(&d.spec.template, t))).map(|rs| (*rs).clone());
    let new_uid = new.as_ref().map(|r| r.metadata.uid.clone());
    let old = rs_list.iter().filter(|rs| Some(rs.metadata.uid.clone()) != new_uid).cloned().collect();
    (new, old)
}

/// FindActiveOrLatest: the only active ReplicaSet, or the newest when none
/// is active; None when several are active.
fn find_active_or_latest(new_rs: Option<&ReplicaSet>, old: &mut [ReplicaSet]) -> Option<ReplicaSet> {
    if new_rs.is_none() && old.is_empty() {
        return None;
    }
    apimachinery::sort::sort_by(old, |a, b| du::by_creation(b, a));
    let active: Vec<&ReplicaSet> = old.iter().chain(new_rs).filter(|r| rs_replicas(r) > 0).collect();
    match active.len() {
        0 => new_rs.cloned().or_else(|| old.first().cloned()),
        1 => Some(active[0].clone()),
        _ => None,
    }
}

