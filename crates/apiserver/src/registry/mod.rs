//! Per-kind registry strategies (pkg/registry/<group>/<kind>/strategy.go):
//! what is reset on create and update, defaults (pkg/apis/*/v1/defaults.go),
//! validation (pkg/apis/*/validation), and allocation.

pub mod apps;
pub mod core;
pub mod namespace;
pub mod networking;
pub mod pod;
pub mod service;
pub mod validation;

use crate::ApiServer;
use apimachinery::field::FieldError;
use apimachinery::{ApiError, Object};

/// Kinds whose `metadata.generation` tracks spec changes.
fn tracks_generation(o: &Object) -> bool {
    matches!(o, Object::Pod(_) | Object::Deployment(_) | Object::ReplicaSet(_) | Object::ReplicationController(_) | Object::DaemonSet(_) | Object::Ingress(_))
}

pub fn prepare_for_create(api: &mut ApiServer, obj: &mut Object) {
    if tracks_generation(obj) {
        obj.meta_mut().generation = Some(1);
    }
    let now = api.now_time();
    match obj {
        Object::Pod(p) => pod::prepare_for_create(p),
        // The status is cleared; Go serialises the empty struct as `status: {}`.
        Object::Deployment(d) => d.status = Some(Default::default()),
        Object::ReplicaSet(r) => r.status = Some(Default::default()),
        Object::ReplicationController(r) => r.status = Some(Default::default()),
        Object::DaemonSet(d) => d.status = Some(Default::default()),
        // ingressStrategy.PrepareForCreate: `status: {loadBalancer: {}}`.
        Object::Ingress(i) => i.status = Some(apimachinery::k8s_openapi::api::networking::v1::IngressStatus { load_balancer: Some(Default::default()) }),
        Object::Namespace(n) => namespace::prepare_for_create(n),
        Object::Service(s) => {
            if s.status.is_none() {
                s.status = Some(Default::default());
            }
            if let Some(st) = s.status.as_mut() {
                st.load_balancer = Some(Default::default());
            }
        }
        Object::Node(n) => {
            let _ = now;
            n.status.get_or_insert_with(Default::default);
        }
        _ => {}
    }
}

pub fn default(obj: &mut Object) {
    match obj {
        Object::Pod(p) => {
            if let Some(spec) = p.spec.as_mut() {
                pod::default_pod_spec(spec, true);
            }
        }
        Object::Deployment(d) => apps::default_deployment(d),
        Object::ReplicaSet(r) => apps::default_replica_set(r),
        Object::ReplicationController(r) => apps::default_replication_controller(r),
        Object::DaemonSet(d) => apps::default_daemon_set(d),
        Object::Service(s) => service::default_service(s),
        Object::Namespace(n) => namespace::default_namespace(n),
        Object::Endpoints(e) => core::default_endpoints(e),
        Object::EndpointSlice(e) => core::default_endpoint_slice(e),
        Object::IngressClass(c) => networking::default_ingress_class(c),
        _ => {}
    }
}

/// The strategy's Validate for a create; `selector_missing` says the body
/// had no `spec.selector` (see decode::fill_required_structs). When the
/// kind's own validation finds nothing, rest.ValidateCreate's generic
/// metadata pass runs (path-segment names).
pub fn validate_create(obj: &Object, selector_missing: bool) -> Vec<FieldError> {
    let errs = match obj {
        Object::Pod(p) => pod::validate_pod(p),
        Object::Deployment(d) => apps::validate_deployment(d, selector_missing),
        Object::ReplicaSet(r) => apps::validate_replica_set(r, selector_missing),
        Object::ReplicationController(r) => apps::validate_replication_controller(r),
        Object::DaemonSet(d) => apps::validate_daemon_set(d, selector_missing),
        Object::Service(s) => service::validate_service(s),
        Object::Namespace(n) => namespace::validate_namespace(n),
        Object::ConfigMap(c) => core::validate_config_map(c),
        Object::ServiceAccount(s) => core::validate_service_account(s),
        Object::Node(n) => core::validate_node(n),
        Object::Endpoints(e) => core::validate_endpoints(e),
        Object::Event(e) => core::validate_event(e),
        Object::Lease(l) => core::validate_lease(l),
        Object::EndpointSlice(e) => core::validate_endpoint_slice(e),
        Object::Ingress(i) => networking::validate_ingress_create(i),
        Object::IngressClass(c) => networking::validate_ingress_class(c),
    };
    if errs.is_empty() {
        return validation::validate_object_meta_path_segment(obj.meta(), obj.kind());
    }
    errs
}

pub fn warnings_on_create(obj: &Object) -> Vec<String> {
    match obj {
        Object::Pod(p) => pod::warnings(p),
        _ => vec![],
    }
}

/// The store's BeginCreate hook (Service IPs and node ports), before validation.
pub fn allocate(api: &mut ApiServer, obj: &mut Object) -> Result<(), ApiError> {
    match obj {
        Object::Service(s) => service::allocate(api, s, None),
        _ => Ok(()),
    }
}

/// The store's BeginUpdate hook, before validation.
pub fn allocate_update(api: &mut ApiServer, obj: &mut Object, old: &Object) -> Result<(), ApiError> {
    match (obj, old) {
        (Object::Service(s), Object::Service(o)) => service::allocate(api, s, Some(o)),
        _ => Ok(()),
    }
}

/// Main-resource update: status comes from the stored object, and the
/// generation moves when the spec does.
pub fn prepare_for_update(obj: &mut Object, old: &Object) {
    let spec_changed = spec_of(obj) != spec_of(old);
    match (&mut *obj, old) {
        (Object::Pod(n), Object::Pod(o)) => n.status = o.status.clone(),
        (Object::Deployment(n), Object::Deployment(o)) => n.status = o.status.clone(),
        (Object::ReplicaSet(n), Object::ReplicaSet(o)) => n.status = o.status.clone(),
        (Object::ReplicationController(n), Object::ReplicationController(o)) => n.status = o.status.clone(),
        (Object::DaemonSet(n), Object::DaemonSet(o)) => n.status = o.status.clone(),
        (Object::Service(n), Object::Service(o)) => n.status = o.status.clone(),
        (Object::Ingress(n), Object::Ingress(o)) => n.status = o.status.clone(),
        (Object::Namespace(n), Object::Namespace(o)) => {
            // The namespace strategy keeps spec.finalizers; only /finalize changes them.
            n.status = o.status.clone();
            n.spec = o.spec.clone();
        }
        (Object::Node(n), Object::Node(o)) => n.status = o.status.clone(),
        _ => {}
    }
    // Deployments also count annotation changes (deployment strategy).
    let annotations_changed = matches!(obj, Object::Deployment(_)) && obj.meta().annotations != old.meta().annotations;
    if tracks_generation(obj) && (spec_changed || annotations_changed) {
        let g = old.meta().generation.unwrap_or(0);
        obj.meta_mut().generation = Some(g + 1);
    }
}

/// Status update: everything but status comes from the stored object.
pub fn prepare_for_status_update(obj: &mut Object, old: &Object) {
    // Everything but status (and annotations, which controllers write along
    // with status) comes from the stored object. The new object is kept and
    // its spec and metadata replaced only where they differ: status writes
    // are the hottest path in the cluster, and the spec rarely differs.
    macro_rules! keep_spec {
        ($($variant:ident),*) => {
            match (&mut *obj, old) {
                $((Object::$variant(n), Object::$variant(o)) => {
                    if n.spec != o.spec {
                        n.spec = o.spec.clone();
                    }
                })*
                _ => {}
            }
        };
    }
    keep_spec!(Pod, Deployment, ReplicaSet, ReplicationController, DaemonSet, Service, Namespace, Node, Ingress);
    let annotations = obj.meta_mut().annotations.take();
    let meta = obj.meta_mut();
    if *meta != *old.meta() {
        *meta = old.meta().clone();
    }
    meta.annotations = annotations;
    meta.resource_version = old.meta().resource_version.clone();
}

/// Whether a status write prepared by `prepare_for_status_update` changes
/// nothing (`*old == *obj`). For the kinds whose spec that function copies
/// from `old`, only status and annotations can differ, so only they are
/// compared (the spec comparison is the costly part of a pod's equality).
pub fn status_write_is_noop(obj: &Object, old: &Object) -> bool {
    macro_rules! status_and_annotations {
        ($($variant:ident),*) => {
            match (obj, old) {
                $((Object::$variant(n), Object::$variant(o)) => {
                    let same = n.status == o.status && n.metadata.annotations == o.metadata.annotations;
                    debug_assert_eq!(same, n == o, "prepare_for_status_update leaves only status and annotations to differ");
                    same
                })*
                _ => obj == old,
            }
        };
    }
    status_and_annotations!(Pod, Deployment, ReplicaSet, ReplicationController, DaemonSet, Service, Namespace, Node, Ingress)
}

fn spec_of(o: &Object) -> serde_json::Value {
    o.to_value().get("spec").cloned().unwrap_or(serde_json::Value::Null)
}

/// The status strategies' ValidateUpdate: metadata, plus the namespace
/// phase rule (ValidateNamespaceStatusUpdate).
pub fn validate_status_update(obj: &Object, old: &Object) -> Vec<FieldError> {
    let mut errs = validation::validate_object_meta_update(obj.meta(), old.meta());
    if let Object::Namespace(n) = obj {
        let phase = n.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default();
        let value = apimachinery::field::BadValue::Str(phase.clone());
        if n.metadata.deletion_timestamp.is_none() && phase != "Active" {
            errs.push(FieldError::invalid("status.Phase", value, "may only be 'Active' if `deletionTimestamp` is empty"));
        } else if n.metadata.deletion_timestamp.is_some() && phase != "Terminating" {
            errs.push(FieldError::invalid("status.Phase", value, "may only be 'Terminating' if `deletionTimestamp` is not empty"));
        }
    }
    errs
}

/// The strategy's ValidateUpdate.
pub fn validate_update(obj: &Object, old: &Object, selector_missing: bool) -> Vec<FieldError> {
    match (obj, old) {
        (Object::Deployment(n), Object::Deployment(o)) => apps::validate_deployment_update(n, o, selector_missing),
        (Object::ReplicaSet(n), Object::ReplicaSet(o)) => apps::validate_replica_set_update(n, o, selector_missing),
        (Object::DaemonSet(n), Object::DaemonSet(o)) => apps::validate_daemon_set_update(n, o, selector_missing),
        (Object::ReplicationController(n), Object::ReplicationController(o)) => apps::validate_replication_controller_update(n, o),
        (Object::Pod(n), Object::Pod(o)) => pod::validate_pod_update(n, o),
        (Object::Service(n), Object::Service(o)) => service::validate_service_update(n, o),
        (Object::Namespace(n), Object::Namespace(o)) => namespace::validate_namespace_update(n, o),
        (Object::ConfigMap(n), Object::ConfigMap(o)) => {
            let mut errs = validation::validate_object_meta_update(&n.metadata, &o.metadata);
            errs.extend(core::validate_config_map_update(n, o));
            errs
        }
        (Object::Node(n), Object::Node(o)) => {
            let mut errs = validation::validate_object_meta_update(&n.metadata, &o.metadata);
            errs.extend(core::validate_node_update(n, o));
            errs
        }
        (Object::ServiceAccount(n), Object::ServiceAccount(o)) => {
            let mut errs = validation::validate_object_meta_update(&n.metadata, &o.metadata);
            errs.extend(core::validate_service_account(n));
            errs
        }
        (Object::Endpoints(n), Object::Endpoints(o)) => {
            let mut errs = validation::validate_object_meta_update(&n.metadata, &o.metadata);
            errs.extend(core::validate_endpoints(n));
            errs
        }
        (Object::Lease(n), Object::Lease(o)) => {
            let mut errs = validation::validate_object_meta_update(&n.metadata, &o.metadata);
            errs.extend(core::validate_lease(n));
            errs
        }
        (Object::EndpointSlice(n), Object::EndpointSlice(o)) => {
            let mut errs = validation::validate_object_meta_update(&n.metadata, &o.metadata);
            errs.extend(core::validate_endpoint_slice(n));
            errs
        }
        (Object::Ingress(n), Object::Ingress(o)) => networking::validate_ingress_update(n, o),
        (Object::IngressClass(n), Object::IngressClass(o)) => networking::validate_ingress_class_update(n, o),
        (n, o) => validation::validate_object_meta_update(n.meta(), o.meta()),
    }
}

/// Graceful deletion period (CheckGracefulDelete); None: not graceful.
pub fn graceful_delete_period(obj: &Object, requested: Option<i64>) -> Option<i64> {
    match obj {
        Object::Pod(p) => Some(pod::grace_period(p, requested)),
        _ => requested.filter(|g| *g > 0).map(|_| 0),
    }
}
