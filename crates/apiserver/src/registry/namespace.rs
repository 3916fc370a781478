//! Namespaces: phase, the `kubernetes` finalizer, and two-step deletion
//! (pkg/registry/core/namespace).

use super::validation::{label_key, str_value, validate_kube_finalizer_name, validate_object_meta, validate_object_meta_update};
use crate::{ApiServer, DeleteOptions, DeleteOutcome};
use apimachinery::field::FieldError;
use apimachinery::k8s_openapi::api::core::v1::{Namespace, NamespaceSpec, NamespaceStatus};
use apimachinery::{ApiError, Kind, Object, ObjectKey};
use std::sync::Arc;

/// ValidateNamespace: metadata (DNS-1123 label names), then each
/// `spec.finalizers` entry (reported at the unindexed path, as Kubernetes does).
pub fn validate_namespace(n: &Namespace) -> Vec<FieldError> {
    let mut errs = validate_object_meta(&n.metadata, Kind::Namespace);
    for f in n.spec.iter().flat_map(|s| s.finalizers.iter().flatten()) {
        errs.extend(label_key(f).into_iter().map(|m| FieldError::invalid("spec.finalizers", str_value(f), m)));
        errs.extend(validate_kube_finalizer_name(f, "spec.finalizers"));
    }
    errs
}

/// ValidateNamespaceUpdate: metadata only (spec finalizers are kept from
/// the stored object by the strategy).
pub fn validate_namespace_update(n: &Namespace, o: &Namespace) -> Vec<FieldError> {
    validate_object_meta_update(&n.metadata, &o.metadata)
}

pub fn prepare_for_create(n: &mut Namespace) {
    n.status = Some(NamespaceStatus { phase: Some("Active".into()), conditions: None });
    let spec = n.spec.get_or_insert_with(NamespaceSpec::default);
    let fins = spec.finalizers.get_or_insert_with(Vec::new);
    if !fins.iter().any(|f| f == "kubernetes") {
        fins.push("kubernetes".into());
    }
}

pub fn default_namespace(n: &mut Namespace) {
    let name = n.metadata.name.clone().unwrap_or_default();
    if !name.is_empty() {
        n.metadata.labels.get_or_insert_with(Default::default).insert("kubernetes.io/metadata.name".into(), name);
    }
}

fn spec_finalizers(n: &Namespace) -> usize {
    n.spec.as_ref().and_then(|s| s.finalizers.as_ref()).map_or(0, Vec::len)
}

/// The first DELETE marks the namespace Terminating; it goes away once the
/// namespace controller has emptied it and removed the finalizer.
pub fn delete(api: &mut ApiServer, current: &Arc<Object>, opts: &DeleteOptions) -> Result<DeleteOutcome, ApiError> {
    let Object::Namespace(ns) = &**current else { unreachable!("namespace registry called with a namespace") };
    let key = ObjectKey::of(current);
    let name = ns.metadata.name.clone().unwrap_or_default();
    if ns.metadata.deletion_timestamp.is_some() {
        if spec_finalizers(ns) == 0 && ns.metadata.finalizers.as_ref().is_none_or(|f| f.is_empty()) {
            return api.store_mut().delete(&key, None).map(DeleteOutcome::Deleted).map_err(|e| e.to_api(&key));
        }
        return Err(ApiError::conflict(
            Kind::Namespace.info(),
            &name,
            "The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.",
        ));
    }
    let mut n = ns.clone();
    n.metadata.deletion_timestamp = Some(api.now_time());
    n.metadata.deletion_grace_period_seconds = Some(0);
    n.status.get_or_insert_with(Default::default).phase = Some("Terminating".into());
    if opts.dry_run {
        return Ok(DeleteOutcome::Marked(Arc::new(Object::Namespace(n))));
    }
    api.store_mut().update(Object::Namespace(n), None).map(DeleteOutcome::Marked).map_err(|e| e.to_api(&key))
}

impl ApiServer {
    /// namespaces/{name}/finalize: drops a spec finalizer; an emptied,
    /// terminating namespace is then removed.
    pub fn finalize_namespace(&mut self, name: &str, finalizer: &str) -> Result<(), ApiError> {
        let current = self.get(Kind::Namespace, "", name)?;
        let Object::Namespace(mut n) = (*current).clone() else { unreachable!() };
        if let Some(f) = n.spec.as_mut().and_then(|s| s.finalizers.as_mut()) {
            f.retain(|x| x != finalizer);
        }
        let key = ObjectKey::new(Kind::Namespace, "", name);
        if n.metadata.deletion_timestamp.is_some() && spec_finalizers(&n) == 0 && n.metadata.finalizers.as_ref().is_none_or(|f| f.is_empty()) {
            self.store_mut().delete(&key, None).map_err(|e| e.to_api(&key))?;
        } else {
            self.store_mut().update(Object::Namespace(n), None).map_err(|e| e.to_api(&key))?;
        }
        Ok(())
    }
}
