//! Admission plugins kubeplay runs, in kube-apiserver's order:
//! NamespaceLifecycle, ServiceAccount, DefaultTolerationSeconds, Priority,
//! DefaultIngressClass.

use crate::ApiServer;
use apimachinery::field::FieldError;
use apimachinery::k8s_openapi::api::core::v1::{
    ConfigMapProjection, DownwardAPIProjection, DownwardAPIVolumeFile, KeyToPath, ObjectFieldSelector, ProjectedVolumeSource,
    ServiceAccountTokenProjection, Toleration, Volume, VolumeMount, VolumeProjection,
};
use apimachinery::{ApiError, Kind, Object};

pub const SERVICE_ACCOUNT_MOUNT_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// NamespaceLifecycle on create: the namespace must exist and be Active.
pub fn namespace_lifecycle_create(api: &ApiServer, obj: &Object) -> Result<(), ApiError> {
    let info = obj.info();
    if !info.namespaced {
        return Ok(());
    }
    let ns = obj.namespace();
    if ns.is_empty() {
        return Ok(()); // validation reports the missing namespace
    }
    let Ok(namespace) = api.get(Kind::Namespace, "", ns) else {
        return Err(ApiError::not_found(Kind::Namespace.info(), ns));
    };
    let terminating = namespace.meta().deletion_timestamp.is_some()
        || matches!(&*namespace, Object::Namespace(n) if n.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Terminating"));
    if terminating && obj.kind() != Kind::Event {
        let name = if !obj.name().is_empty() {
            obj.name().to_string()
        } else {
            obj.meta().generate_name.clone().filter(|g| !g.is_empty()).unwrap_or_else(|| "Unknown".to_string())
        };
        let mut e = ApiError::forbidden_object(info, &name, &format!("unable to create new content in namespace {ns} because it is being terminated"));
        if let Some(d) = e.details.as_mut() {
            d.causes.push(FieldError {
                path: "metadata.namespace".into(),
                error_type: apimachinery::field::ErrorType::Forbidden,
                detail: format!("namespace {ns} is being terminated"),
            });
        }
        return Err(e);
    }
    Ok(())
}

/// NamespaceLifecycle on delete: the system namespaces stay.
pub fn namespace_lifecycle_delete(kind: Kind, name: &str) -> Result<(), ApiError> {
    if kind == Kind::Namespace && matches!(name, "default" | "kube-system" | "kube-public") {
        return Err(ApiError::forbidden_object(Kind::Namespace.info(), name, "this namespace may not be deleted"));
    }
    Ok(())
}

pub fn admit_create(api: &mut ApiServer, obj: &mut Object) -> Result<(), ApiError> {
    if let Object::Pod(pod) = obj {
        service_account(api, pod)?;
        default_toleration_seconds(pod);
        priority(pod);
    }
    if let Object::Ingress(ing) = obj {
        default_ingress_class(api, ing);
    }
    Ok(())
}

/// plugin/pkg/admission/network/defaultingressclass: an Ingress created
/// without `ingressClassName` (and without the legacy class annotation)
/// gets the IngressClass marked `ingressclass.kubernetes.io/is-default-class:
/// "true"`; of several, the newest.
fn default_ingress_class(api: &ApiServer, ing: &mut apimachinery::k8s_openapi::api::networking::v1::Ingress) {
    use crate::registry::networking::{DEFAULT_CLASS_ANNOTATION, INGRESS_CLASS_ANNOTATION};
    let spec = ing.spec.get_or_insert_with(Default::default);
    if spec.ingress_class_name.is_some() || ing.metadata.annotations.as_ref().is_some_and(|a| a.contains_key(INGRESS_CLASS_ANNOTATION)) {
        return;
    }
    let newest_default = api
        .store()
        .list(Kind::IngressClass, None)
        .filter(|o| o.meta().annotations.as_ref().and_then(|a| a.get(DEFAULT_CLASS_ANNOTATION)).is_some_and(|v| v == "true"))
        .max_by_key(|o| o.meta().creation_timestamp.as_ref().map(|t| t.0))
        .map(|o| o.name().to_string());
    if let Some(class) = newest_default {
        spec.ingress_class_name = Some(class);
    }
}

/// plugin/pkg/admission/serviceaccount: default SA and the projected token volume.
fn service_account(api: &mut ApiServer, pod: &mut apimachinery::k8s_openapi::api::core::v1::Pod) -> Result<(), ApiError> {
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let name = pod.metadata.name.clone().unwrap_or_default();
    let spec = pod.spec.get_or_insert_with(Default::default);
    // Mirror pods of static pods are left alone.
    if pod.metadata.annotations.as_ref().is_some_and(|a| a.contains_key("kubernetes.io/config.mirror")) {
        return Ok(());
    }
    let sa_name = spec.service_account_name.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| "default".to_string());
    spec.service_account_name = Some(sa_name.clone());
    spec.service_account = Some(sa_name.clone());
    let sa = api.get(Kind::ServiceAccount, &ns, &sa_name).map_err(|_| {
        ApiError::forbidden_object(
            Kind::Pod.info(),
            &name,
            &format!("error looking up service account {ns}/{sa_name}: serviceaccount \"{sa_name}\" not found"),
        )
    })?;
    let sa_automount = match &*sa {
        Object::ServiceAccount(s) => s.automount_service_account_token,
        _ => None,
    };
    let automount = spec.automount_service_account_token.or(sa_automount).unwrap_or(true);
    if !automount {
        return Ok(());
    }
    let already = |mounts: &Option<Vec<VolumeMount>>| mounts.iter().flatten().any(|m| m.mount_path == SERVICE_ACCOUNT_MOUNT_PATH);
    let volume_name = format!("kube-api-access-{}", api.rng().suffix(5));
    let mut mounted = false;
    for c in spec.init_containers.iter_mut().flatten().chain(spec.containers.iter_mut()) {
        if !already(&c.volume_mounts) {
            c.volume_mounts.get_or_insert_with(Vec::new).push(VolumeMount {
                name: volume_name.clone(),
                mount_path: SERVICE_ACCOUNT_MOUNT_PATH.to_string(),
                read_only: Some(true),
                ..Default::default()
            });
            mounted = true;
        }
    }
    if mounted {
        spec.volumes.get_or_insert_with(Vec::new).push(Volume {
            name: volume_name,
            projected: Some(ProjectedVolumeSource {
                default_mode: Some(420),
                sources: Some(vec![
                    VolumeProjection {
                        service_account_token: Some(ServiceAccountTokenProjection { expiration_seconds: Some(3607), path: "token".into(), ..Default::default() }),
                        ..Default::default()
                    },
                    VolumeProjection {
                        config_map: Some(ConfigMapProjection {
                            name: "kube-root-ca.crt".into(),
                            items: Some(vec![KeyToPath { key: "ca.crt".into(), path: "ca.crt".into(), ..Default::default() }]),
                            optional: None,
                        }),
                        ..Default::default()
                    },
                    VolumeProjection {
                        downward_api: Some(DownwardAPIProjection {
                            items: Some(vec![DownwardAPIVolumeFile {
                                path: "namespace".into(),
                                field_ref: Some(ObjectFieldSelector { api_version: Some("v1".into()), field_path: "metadata.namespace".into() }),
                                ..Default::default()
                            }]),
                        }),
                        ..Default::default()
                    },
                ]),
                ..Default::default()
            }),
            ..Default::default()
        });
    }
    Ok(())
}

/// plugin/pkg/admission/defaulttolerationseconds: tolerate not-ready and
/// unreachable nodes for 300 s before eviction.
fn default_toleration_seconds(pod: &mut apimachinery::k8s_openapi::api::core::v1::Pod) {
    let spec = pod.spec.get_or_insert_with(Default::default);
    let tolerations = spec.tolerations.get_or_insert_with(Vec::new);
    for key in ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"] {
        let tolerated = tolerations.iter().any(|t| {
            (t.key.as_deref() == Some(key) || (t.key.as_deref().unwrap_or("").is_empty() && t.operator.as_deref() == Some("Exists")))
                && (t.effect.as_deref().is_none_or(|e| e.is_empty() || e == "NoExecute"))
        });
        if !tolerated {
            tolerations.push(Toleration {
                key: Some(key.to_string()),
                operator: Some("Exists".into()),
                effect: Some("NoExecute".into()),
                toleration_seconds: Some(300),
                value: None,
            });
        }
    }
}

/// plugin/pkg/admission/priority: resolve the priority class.
fn priority(pod: &mut apimachinery::k8s_openapi::api::core::v1::Pod) {
    let spec = pod.spec.get_or_insert_with(Default::default);
    let value = match spec.priority_class_name.as_deref() {
        Some("system-node-critical") => 2_000_001_000,
        Some("system-cluster-critical") => 2_000_000_000,
        _ => 0,
    };
    spec.priority = Some(value);
    if spec.preemption_policy.is_none() {
        spec.preemption_policy = Some("PreemptLowerPriority".into());
    }
}
