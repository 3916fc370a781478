//! The Deployment controller (pkg/controller/deployment): a Deployment owns
//! ReplicaSets, one per pod template; rolling updates and recreates move
//! replicas between them, and the status and conditions report progress.
//!
//! Files follow upstream's: `sync.rs` (sync.go: new ReplicaSet, scaling,
//! cleanup, status), `rolling.rs` (rolling.go), `recreate.rs`
//! (recreate.go), `progress.rs` (progress.go), `util.rs`
//! (util/deployment_util.go).

mod progress;
mod recreate;
mod rolling;
mod sync;
pub mod util;

use crate::util::{get_typed, is_controlled_by, list_typed, opts, uid_of};
use crate::{Controller, Queue};
use apimachinery::k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use apimachinery::k8s_openapi::api::core::v1::Pod;
use apimachinery::k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use apimachinery::selector::Selector;
use apimachinery::{ApiError, Kind, Object, ObjectKey, meta};
use apiserver::ApiServer;
use apiserver::events::{Reporter, WARNING};
use std::collections::BTreeMap;
use std::sync::Arc;
use store::{EventType, WatchEvent};

pub const COMPONENT: &str = "deployment-controller";

#[derive(Default)]
pub struct DeploymentController {
    /// Informer index: deployment selectors per namespace (for orphan RSs).
    selectors: BTreeMap<String, BTreeMap<String, Selector>>,
    /// ReplicaSet key → name of the Deployment controlling it (for pod deletes).
    rs_owner: BTreeMap<ObjectKey, String>,
}

impl DeploymentController {
    fn enqueue_rs_owner(&self, rs: &Object, queue: &mut Queue) {
        match meta::controller_of(rs.meta()) {
            Some(r) if r.kind == "Deployment" => queue.add(ObjectKey::new(Kind::Deployment, rs.namespace(), &r.name)),
            Some(_) => {}
            None => {
                let labels = meta::labels(rs.meta());
                for (name, sel) in self.selectors.get(rs.namespace()).into_iter().flatten() {
                    if sel.matches(labels) {
                        queue.add(ObjectKey::new(Kind::Deployment, rs.namespace(), name));
                    }
                }
            }
        }
    }
}

impl Controller for DeploymentController {
    fn name(&self) -> &'static str {
        "deployment"
    }

    fn observe(&mut self, event: &WatchEvent, queue: &mut Queue) {
        match event.key.kind {
            Kind::Deployment => {
                let ns = event.key.namespace.clone();
                if event.event_type == EventType::Deleted {
                    if let Some(m) = self.selectors.get_mut(&ns) {
                        m.remove(&event.key.name);
                    }
                } else if let Some(d) = event.object.as_typed::<Deployment>()
                    && let Ok(sel) = Selector::from_label_selector(&d.spec.selector) {
                        self.selectors.entry(ns).or_default().insert(event.key.name.clone(), sel);
                    }
                queue.add(event.key.clone());
            }
            Kind::ReplicaSet => {
                if event.event_type == EventType::Deleted {
                    self.rs_owner.remove(&event.key);
                } else {
                    match meta::controller_of(event.object.meta()).filter(|r| r.kind == "Deployment") {
                        Some(r) => {
                            self.rs_owner.insert(event.key.clone(), r.name.clone());
                        }
                        None => {
                            self.rs_owner.remove(&event.key);
                        }
                    }
                }
                self.enqueue_rs_owner(&event.object, queue);
                if let Some(prev) = &event.prev
                    && meta::controller_of(prev.meta()) != meta::controller_of(event.object.meta()) {
                        self.enqueue_rs_owner(prev, queue);
                    }
            }
            // deletePod: Recreate waits for the old pods to be gone.
            Kind::Pod if event.event_type == EventType::Deleted => {
                if let Some(r) = meta::controller_of(event.object.meta()).filter(|r| r.kind == "ReplicaSet") {
                    let rs_key = ObjectKey::new(Kind::ReplicaSet, &event.key.namespace, &r.name);
                    if let Some(d) = self.rs_owner.get(&rs_key) {
                        queue.add(ObjectKey::new(Kind::Deployment, &event.key.namespace, d));
                    }
                }
            }
            _ => {}
        }
    }

    fn sync(&mut self, api: &mut ApiServer, key: &ObjectKey, queue: &mut Queue) -> Result<(), ApiError> {
        let object = match api.get(Kind::Deployment, &key.namespace, &key.name) {
            Ok(o) => o,
            Err(e) if crate::util::is_not_found(&e) => return Ok(()),
            Err(e) => return Err(e),
        };
        let Some(d) = object.as_typed::<Deployment>().cloned() else { return Ok(()) };
        let mut s = DeploymentSync { api, queue, key, object, d };
        s.sync_deployment()
    }
}

/// One reconcile of one Deployment: the working copy `d` (status changes
/// accumulate on it, as upstream's `d.DeepCopy()` does).
pub(crate) struct DeploymentSync<'a> {
    pub api: &'a mut ApiServer,
    pub queue: &'a mut Queue,
    pub key: &'a ObjectKey,
    /// The Deployment as read, for events.
    pub object: Arc<Object>,
    pub d: Deployment,
}

impl DeploymentSync<'_> {
    pub fn reporter() -> Reporter {
        Reporter::controller(COMPONENT)
    }

    pub fn event(&mut self, type_: &str, reason: &str, message: &str) {
        let object = self.object.clone();
        self.api.record_event(&object, None, type_, reason, message, &Self::reporter());
    }

    /// UpdateStatus of the working copy (annotations travel with it).
    pub fn update_status(&mut self) -> Result<(), ApiError> {
        let mut d = self.d.clone();
        d.metadata.resource_version = None;
        self.api.update_status(Object::Deployment(d)).map(|_| ())
    }

    /// syncDeployment (deployment_controller.go).
    fn sync_deployment(&mut self) -> Result<(), ApiError> {
        if self.d.spec.selector == LabelSelector::default() || selector_is_empty(&self.d.spec.selector) {
            self.event(WARNING, "SelectingAll", "This deployment is selecting all pods. A non-empty selector is required.");
            let generation = self.d.metadata.generation.unwrap_or(0);
            let status = self.d.status.get_or_insert_with(Default::default);
            if status.observed_generation.unwrap_or(0) < generation {
                status.observed_generation = Some(generation);
                self.update_status()?;
            }
            return Ok(());
        }
        let Ok(selector) = Selector::from_label_selector(&self.d.spec.selector) else { return Ok(()) };
        let rs_list = self.get_replica_sets_for_deployment(&selector)?;
        if self.d.metadata.deletion_timestamp.is_some() {
            return self.sync_status_only(rs_list);
        }
        self.check_paused_conditions()?;
        if self.d.spec.paused == Some(true) {
            return self.sync(rs_list);
        }
        if self.is_scaling_event(&rs_list)? {
            return self.sync(rs_list);
        }
        if util::is_rolling_update(&self.d) {
            self.rollout_rolling(rs_list)
        } else {
            let pod_map = self.pod_map(&selector, &rs_list);
            self.rollout_recreate(rs_list, pod_map)
        }
    }

    /// getReplicaSetsForDeployment: the ReplicaSets this Deployment
    /// controls, adopting matching orphans and releasing ones that stopped
    /// matching (ControllerRefManager.ClaimReplicaSets).
    fn get_replica_sets_for_deployment(&mut self, selector: &Selector) -> Result<Vec<ReplicaSet>, ApiError> {
        let ns = self.key.namespace.clone();
        let uid = uid_of(&self.d.metadata).to_string();
        let deleting = self.d.metadata.deletion_timestamp.is_some();
        let mut owned = vec![];
        for rs in list_typed::<ReplicaSet>(self.api, Some(&ns)) {
            let matches = selector.matches(meta::labels(&rs.metadata));
            match meta::controller_of(&rs.metadata) {
                Some(r) if r.uid == uid => {
                    if matches || deleting {
                        owned.push(rs);
                    } else if rs.metadata.deletion_timestamp.is_none() {
                        let mut released = rs.clone();
                        if let Some(refs) = released.metadata.owner_references.as_mut() {
                            refs.retain(|r| r.uid != uid);
                        }
                        released.metadata.resource_version = None;
                        self.api.update(Object::ReplicaSet(released), &opts())?;
                    }
                }
                Some(_) => {}
                None if matches && !deleting && rs.metadata.deletion_timestamp.is_none() => {
                    let mut adopted = rs.clone();
                    adopted.metadata.owner_references.get_or_insert_with(Vec::new).push(crate::util::controller_ref(
                        "apps/v1",
                        "Deployment",
                        crate::util::name_of(&self.d.metadata),
                        &uid,
                    ));
                    adopted.metadata.resource_version = None;
                    match self.api.update(Object::ReplicaSet(adopted), &opts()) {
                        Ok(o) => owned.extend(o.as_typed::<ReplicaSet>().cloned()),
                        Err(e) if crate::util::is_not_found(&e) => {}
                        Err(e) => return Err(e),
                    }
                }
                None => {}
            }
        }
        Ok(owned)
    }

    /// getPodMapForDeployment: pods grouped by the UID of their ReplicaSet.
    fn pod_map(&self, selector: &Selector, rs_list: &[ReplicaSet]) -> BTreeMap<String, Vec<Pod>> {
        let mut map: BTreeMap<String, Vec<Pod>> = rs_list.iter().map(|rs| (uid_of(&rs.metadata).to_string(), vec![])).collect();
        for pod in list_typed::<Pod>(self.api, Some(&self.key.namespace)) {
            if !selector.matches(meta::labels(&pod.metadata)) {
                continue;
            }
            if let Some(r) = meta::controller_of(&pod.metadata)
                && let Some(v) = map.get_mut(&r.uid) {
                    v.push(pod);
                }
        }
        map
    }

    /// checkPausedConditions.
    fn check_paused_conditions(&mut self) -> Result<(), ApiError> {
        if !util::has_progress_deadline(&self.d) {
            return Ok(());
        }
        let status = self.d.status.clone().unwrap_or_default();
        let cond = util::get_condition(&status, "Progressing");
        if cond.is_some_and(|c| c.reason.as_deref() == Some(util::TIMED_OUT_REASON)) {
            return Ok(());
        }
        let paused_cond_exists = cond.is_some_and(|c| c.reason.as_deref() == Some(util::PAUSED_DEPLOY_REASON));
        let paused = self.d.spec.paused == Some(true);
        let now = self.api.now();
        let c = if paused && !paused_cond_exists {
            util::new_condition("Progressing", "Unknown", util::PAUSED_DEPLOY_REASON, "Deployment is paused", now)
        } else if !paused && paused_cond_exists {
            util::new_condition("Progressing", "Unknown", util::RESUMED_DEPLOY_REASON, "Deployment is resumed", now)
        } else {
            return Ok(());
        };
        util::set_condition(self.d.status.get_or_insert_with(Default::default), c);
        self.update_status()
    }

    /// isScalingEvent: an active ReplicaSet was sized for another replica count.
    fn is_scaling_event(&mut self, rs_list: &[ReplicaSet]) -> Result<bool, ApiError> {
        let (new_rs, old_rss) = self.get_all_replica_sets_and_sync_revision(rs_list, false)?;
        let all = all_rss(&old_rss, new_rs.as_ref());
        Ok(all.iter().filter(|rs| util::rs_replicas(rs) > 0).any(|rs| util::desired_replicas_annotation(rs).is_some_and(|d| d != util::replicas(&self.d))))
    }

    /// Re-reads a ReplicaSet (for code paths that need its fresh status).
    #[allow(dead_code)]
    pub fn fresh_rs(&self, name: &str) -> Result<Option<ReplicaSet>, ApiError> {
        get_typed::<ReplicaSet>(self.api, &self.key.namespace, name)
    }

    pub fn owns(&self, rs: &ReplicaSet) -> bool {
        is_controlled_by(&rs.metadata, uid_of(&self.d.metadata))
    }
}

fn selector_is_empty(s: &LabelSelector) -> bool {
    s.match_labels.as_ref().is_none_or(|m| m.is_empty()) && s.match_expressions.as_ref().is_none_or(|e| e.is_empty())
}

/// `append(oldRSs, newRS)` without the nil.
pub(crate) fn all_rss<'a>(old: &'a [ReplicaSet], new: Option<&'a ReplicaSet>) -> Vec<&'a ReplicaSet> {
    old.iter().chain(new).collect()
}
