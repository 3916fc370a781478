//! The namespace controller (pkg/controller/namespace/deletion/
//! namespaced_resources_deleter.go): a Terminating namespace has all its
//! content deleted; the controller writes the five deletion conditions,
//! requeues while content remains (after estimate/2+1 seconds, as
//! namespace_controller.go does for ResourcesRemainingError), and at the
//! end removes the `kubernetes` finalizer through `/finalize`.

use crate::util::{get_typed, is_not_found, list_arcs};
use crate::{Controller, Queue};
use apimachinery::k8s_openapi::api::core::v1::{Namespace, NamespaceCondition, Pod};
use apimachinery::{ApiError, Kind, Object, ObjectKey, SignedDuration};
use apiserver::{ApiServer, DeleteOptions, Propagation};
use std::collections::BTreeMap;
use store::WatchEvent;

pub const FINALIZER_KUBERNETES: &str = "kubernetes";

#[derive(Default)]
pub struct NamespaceController {}

/// The conditions in the order upstream writes them, with their OK form.
const CONDITIONS: [(&str, &str, &str); 5] = [
    ("NamespaceDeletionDiscoveryFailure", "ResourcesDiscovered", "All resources successfully discovered"),
    ("NamespaceDeletionGroupVersionParsingFailure", "ParsedGroupVersions", "All legacy kube types successfully parsed"),
    ("NamespaceDeletionContentFailure", "ContentDeleted", "All content successfully deleted, may be waiting on finalization"),
    ("NamespaceContentRemaining", "ContentRemoved", "All content successfully removed"),
    ("NamespaceFinalizersRemaining", "ContentHasNoFinalizers", "All content-preserving finalizers finished"),
];

impl Controller for NamespaceController {
    fn name(&self) -> &'static str {
        "namespace"
    }

    fn observe(&mut self, event: &WatchEvent, queue: &mut Queue) {
        if event.key.kind == Kind::Namespace && event.object.meta().deletion_timestamp.is_some() && event.event_type != store::EventType::Deleted {
            queue.add(event.key.clone());
        }
    }

    fn sync(&mut self, api: &mut ApiServer, key: &ObjectKey, queue: &mut Queue) -> Result<(), ApiError> {
        let Some(ns) = get_typed::<Namespace>(api, "", &key.name)? else { return Ok(()) };
        if ns.metadata.deletion_timestamp.is_none() {
            return Ok(());
        }
        let has_finalizer = ns.spec.as_ref().and_then(|s| s.finalizers.as_ref()).is_some_and(|f| f.iter().any(|x| x == FINALIZER_KUBERNETES));
        if !has_finalizer {
            return Ok(());
        }
        let name = key.name.clone();
        let mut failures: Vec<String> = vec![];
        let mut remaining: BTreeMap<String, usize> = BTreeMap::new();
        let mut finalizers: BTreeMap<String, usize> = BTreeMap::new();
        let mut estimate: i64 = 0;
        for kind in Kind::all().filter(|k| k.info().namespaced) {
            let items = list_arcs(api, kind, Some(&name));
            if items.is_empty() {
                continue;
            }
            let opts = DeleteOptions { propagation: Some(Propagation::Background), ..Default::default() };
            for o in &items {
                if o.meta().deletion_timestamp.is_some() {
                    continue;
                }
                match api.delete(kind, &name, o.name(), &opts) {
                    Ok(_) => {}
                    Err(e) if is_not_found(&e) => {}
                    Err(e) => failures.push(e.message),
                }
            }
            let left = list_arcs(api, kind, Some(&name));
            if left.is_empty() {
                continue;
            }
            let info = kind.info();
            remaining.insert(format!("{}.{}", info.plural, info.group), left.len());
            for o in &left {
                for f in o.meta().finalizers.iter().flatten() {
                    *finalizers.entry(f.clone()).or_insert(0) += 1;
                }
                if let Object::Pod(p) = &**o {
                    // estimateGracefulTerminationForPods.
                    if !matches!(crate::util::pod_phase(p), "Succeeded" | "Failed") {
                        let grace = pod_grace(p);
                        estimate = estimate.max(grace);
                    }
                }
            }
        }
        self.update_conditions(api, &ns, &failures, &remaining, &finalizers)?;
        if !failures.is_empty() || !remaining.is_empty() {
            let estimate = estimate.max(1);
            queue.add_after(key.clone(), api.now(), SignedDuration::from_secs(estimate / 2 + 1));
            return Ok(());
        }
        match api.finalize_namespace(&name, FINALIZER_KUBERNETES) {
            Ok(()) => Ok(()),
            Err(e) if is_not_found(&e) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

fn pod_grace(p: &Pod) -> i64 {
    p.spec.as_ref().and_then(|s| s.termination_grace_period_seconds).unwrap_or(30)
}

impl NamespaceController {
    /// namespaceConditionUpdater.Update: every condition, in order;
    /// lastTransitionTime moves when status or message change.
    fn update_conditions(
        &self,
        api: &mut ApiServer,
        ns: &Namespace,
        failures: &[String],
        remaining: &BTreeMap<String, usize>,
        finalizers: &BTreeMap<String, usize>,
    ) -> Result<(), ApiError> {
        let now = api.now_time();
        let old = ns.status.as_ref().and_then(|s| s.conditions.clone()).unwrap_or_default();
        let mut conds = old.clone();
        for (type_, ok_reason, ok_message) in CONDITIONS {
            let (status, reason, message) = match type_ {
                "NamespaceDeletionContentFailure" if !failures.is_empty() => {
                    ("True", "ContentDeletionFailed".to_string(), format!("Failed to delete all resource types, {} remaining: {}", failures.len(), failures.join(", ")))
                }
                "NamespaceContentRemaining" if !remaining.is_empty() => {
                    let parts: Vec<String> = remaining.iter().map(|(r, n)| format!("{r} has {n} resource instances")).collect();
                    ("True", "SomeResourcesRemain".to_string(), format!("Some resources are remaining: {}", parts.join(", ")))
                }
                "NamespaceFinalizersRemaining" if !finalizers.is_empty() => {
                    let parts: Vec<String> = finalizers.iter().map(|(f, n)| format!("{f} in {n} resource instances")).collect();
                    ("True", "SomeFinalizersRemain".to_string(), format!("Some content in the namespace has finalizers remaining: {}", parts.join(", ")))
                }
                _ => ("False", ok_reason.to_string(), ok_message.to_string()),
            };
            let prev = old.iter().find(|c| c.type_ == type_);
            let ltt = match prev {
                Some(p) if p.status == status && p.message.as_deref() == Some(message.as_str()) => p.last_transition_time.clone(),
                _ => Some(now.clone()),
            };
            let c = NamespaceCondition { type_: type_.into(), status: status.into(), reason: Some(reason), message: Some(message), last_transition_time: ltt };
            match conds.iter_mut().find(|x| x.type_ == type_) {
                Some(x) => *x = c,
                None => conds.push(c),
            }
        }
        if conds == old {
            return Ok(());
        }
        let mut n = ns.clone();
        n.status.get_or_insert_with(Default::default).conditions = Some(conds);
        n.metadata.resource_version = None;
        match api.update_status(Object::Namespace(n)) {
            Ok(_) => Ok(()),
            Err(e) if is_not_found(&e) => Ok(()),
            Err(e) => Err(e),
        }
    }
}
