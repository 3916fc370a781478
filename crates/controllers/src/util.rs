//! Helpers shared by the controllers: typed reads, pod readiness and
//! availability (k8s.io/kubernetes/pkg/api/v1/pod/util.go), pods from
//! templates (pkg/controller/controller_utils.go), int-or-percent scaling
//! (apimachinery/pkg/util/intstr), tolerations (component-helpers).

use apimachinery::k8s_openapi::api::core::v1::{Pod, PodTemplateSpec, Taint, Toleration};
use apimachinery::k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference, Time};
use apimachinery::k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use apimachinery::kinds::TypedObject;
use apimachinery::{ApiError, Kind, Object, Reason, SignedDuration, Timestamp, meta};
use apiserver::{ApiServer, WriteOptions};
use std::sync::Arc;

/// Reads one object as its typed form; `Ok(None)` when it does not exist.
pub fn get_typed<T: TypedObject>(api: &ApiServer, namespace: &str, name: &str) -> Result<Option<T>, ApiError> {
    match api.get(T::KIND, namespace, name) {
        Ok(o) => Ok(T::from_object(&o).cloned()),
        Err(e) if e.reason == Reason::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Every object of a kind in a namespace (or all namespaces), typed.
pub fn list_typed<T: TypedObject>(api: &ApiServer, namespace: Option<&str>) -> Vec<T> {
    api.store().list(T::KIND, namespace).filter_map(|o| T::from_object(o).cloned()).collect()
}

/// Shared (uncloned) objects of a kind in a namespace.
pub fn list_arcs(api: &ApiServer, kind: Kind, namespace: Option<&str>) -> Vec<Arc<Object>> {
    api.store().list(kind, namespace).cloned().collect()
}

pub fn is_not_found(e: &ApiError) -> bool {
    e.reason == Reason::NotFound
}

/// Errors a controller swallows when the namespace is going away: the
/// NamespaceLifecycle admission's Forbidden for a terminating namespace
/// (controller_utils / replica_set.go check `HasStatusCause(NamespaceTerminating)`).
pub fn is_namespace_terminating(e: &ApiError) -> bool {
    e.reason == Reason::Forbidden && e.message.contains("because it is being terminated")
}

pub fn opts() -> WriteOptions {
    WriteOptions::default()
}

pub fn name_of(m: &ObjectMeta) -> &str {
    m.name.as_deref().unwrap_or("")
}
pub fn namespace_of(m: &ObjectMeta) -> &str {
    m.namespace.as_deref().unwrap_or("")
}
pub fn uid_of(m: &ObjectMeta) -> &str {
    m.uid.as_deref().unwrap_or("")
}

/// The creation time, or the epoch when unset (sorts first).
pub fn created(m: &ObjectMeta) -> Timestamp {
    m.creation_timestamp.as_ref().map_or(Timestamp::UNIX_EPOCH, |t| t.0)
}

/// Whether `meta`'s controller is the object with `uid`.
pub fn is_controlled_by(m: &ObjectMeta, uid: &str) -> bool {
    meta::controller_of(m).is_some_and(|r| r.uid == uid)
}

// ---- pods ---------------------------------------------------------------

pub fn pod_phase(p: &Pod) -> &str {
    p.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("")
}

pub fn pod_node(p: &Pod) -> &str {
    p.spec.as_ref().and_then(|s| s.node_name.as_deref()).unwrap_or("")
}

/// controller.IsPodActive: not finished and not being deleted.
pub fn is_pod_active(p: &Pod) -> bool {
    !matches!(pod_phase(p), "Succeeded" | "Failed") && p.metadata.deletion_timestamp.is_none()
}

/// controller.IsPodTerminating: being deleted but not finished.
pub fn is_pod_terminating(p: &Pod) -> bool {
    !matches!(pod_phase(p), "Succeeded" | "Failed") && p.metadata.deletion_timestamp.is_some()
}

fn ready_condition(p: &Pod) -> Option<&apimachinery::k8s_openapi::api::core::v1::PodCondition> {
    p.status.as_ref()?.conditions.as_ref()?.iter().find(|c| c.type_ == "Ready")
}

/// podutil.IsPodReady: the Ready condition is True.
pub fn is_pod_ready(p: &Pod) -> bool {
    ready_condition(p).is_some_and(|c| c.status == "True")
}

/// When the pod last became ready (the Ready condition's lastTransitionTime).
pub fn pod_ready_since(p: &Pod) -> Option<Timestamp> {
    ready_condition(p).filter(|c| c.status == "True").and_then(|c| c.last_transition_time.as_ref()).map(|t| t.0)
}

/// podutil.IsPodAvailable: ready for at least `min_ready_seconds`.
pub fn is_pod_available(p: &Pod, min_ready_seconds: i32, now: Timestamp) -> bool {
    is_available(is_pod_ready(p), pod_ready_since(p), min_ready_seconds, now)
}

/// podutil.IsPodAvailable from a pod's precomputed readiness (`ready`, and
/// the Ready condition's lastTransitionTime).
pub fn is_available(ready: bool, ready_since: Option<Timestamp>, min_ready_seconds: i32, now: Timestamp) -> bool {
    if !ready {
        return false;
    }
    if min_ready_seconds <= 0 {
        return true;
    }
    match ready_since {
        Some(t) => t + SignedDuration::from_secs(min_ready_seconds as i64) <= now,
        None => false,
    }
}

/// When a ready pod becomes available, if that is still in the future.
pub fn pod_available_at(p: &Pod, min_ready_seconds: i32, now: Timestamp) -> Option<Timestamp> {
    available_at(is_pod_ready(p), pod_ready_since(p), min_ready_seconds, now)
}

/// `pod_available_at` from precomputed readiness.
pub fn available_at(ready: bool, ready_since: Option<Timestamp>, min_ready_seconds: i32, now: Timestamp) -> Option<Timestamp> {
    if !ready || min_ready_seconds <= 0 {
        return None;
    }
    let at = ready_since? + SignedDuration::from_secs(min_ready_seconds as i64);
    (at > now).then_some(at)
}

/// The pod a controller creates from a template (controller.GetPodFromTemplate):
/// the template's labels, annotations, finalizers and spec, `generateName`
/// `<owner>-` and a controller reference to the owner.
pub fn pod_from_template(template: &PodTemplateSpec, namespace: &str, generate_prefix: &str, owner_ref: OwnerReference) -> Pod {
    let tm = template.metadata.clone().unwrap_or_default();
    Pod {
        metadata: ObjectMeta {
            namespace: Some(namespace.to_string()),
            generate_name: Some(generate_name_prefix(generate_prefix)),
            labels: tm.labels,
            annotations: tm.annotations,
            finalizers: tm.finalizers,
            owner_references: Some(vec![owner_ref]),
            ..Default::default()
        },
        spec: template.spec.clone(),
        status: None,
    }
}

/// getPodsPrefix: `<name>-`, or the bare name when that would not be a
/// valid DNS subdomain prefix.
pub fn generate_name_prefix(owner_name: &str) -> String {
    let prefix = format!("{owner_name}-");
    if apimachinery::names::dns1123_subdomain(&format!("{prefix}a")).is_empty() { prefix } else { owner_name.to_string() }
}

/// metav1.NewControllerRef.
pub fn controller_ref(api_version: &str, kind: &str, name: &str, uid: &str) -> OwnerReference {
    OwnerReference {
        api_version: api_version.to_string(),
        kind: kind.to_string(),
        name: name.to_string(),
        uid: uid.to_string(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

/// intstr.GetScaledValueFromIntOrPercent. A malformed percentage is an error.
pub fn scaled_value(v: &IntOrString, total: i32, round_up: bool) -> Result<i32, String> {
    match v {
        IntOrString::Int(i) => Ok(*i),
        IntOrString::String(s) => {
            let Some(p) = s.strip_suffix('%').and_then(|p| p.parse::<i64>().ok()) else {
                return Err(format!("invalid value for IntOrString: invalid value {s:?}"));
            };
            let product = p * total as i64;
            let v = if round_up { (product + 99).div_euclid(100) } else { product.div_euclid(100) };
            Ok(v.clamp(i32::MIN as i64, i32::MAX as i64) as i32)
        }
    }
}

/// Go's `omitempty` on an int32: zero is not written.
pub fn nonzero(v: i32) -> Option<i32> {
    (v != 0).then_some(v)
}
pub fn nonzero64(v: i64) -> Option<i64> {
    (v != 0).then_some(v)
}

pub fn time(t: Timestamp) -> Time {
    Time(apiserver::truncate_to_seconds(t))
}

/// `%q` of Go's fmt for plain names.
pub fn quote(s: &str) -> String {
    format!("{s:?}")
}

// ---- taints and tolerations (k8s.io/api/core/v1/toleration.go) ----------

/// Toleration.ToleratesTaint.
pub fn tolerates(t: &Toleration, taint: &Taint) -> bool {
    if let Some(e) = t.effect.as_deref().filter(|e| !e.is_empty())
        && e != taint.effect {
            return false;
        }
    let key = t.key.as_deref().unwrap_or("");
    if !key.is_empty() && key != taint.key {
        return false;
    }
    match t.operator.as_deref().unwrap_or("Equal") {
        "Exists" => true,
        "" | "Equal" => t.value.as_deref().unwrap_or("") == taint.value.as_deref().unwrap_or(""),
        _ => false,
    }
}

pub fn tolerates_taint(tolerations: &[Toleration], taint: &Taint) -> bool {
    tolerations.iter().any(|t| tolerates(t, taint))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn percent_rounding_matches_intstr() {
        let cases = [("25%", 3, true, 1), ("25%", 3, false, 0), ("39%", 10, true, 4), ("39%", 10, false, 3), ("0%", 0, true, 0)];
        for (v, total, up, want) in cases {
            assert_eq!(scaled_value(&IntOrString::String(v.into()), total, up), Ok(want), "{v} of {total} up={up}");
        }
        assert!(scaled_value(&IntOrString::String("x%".into()), 3, true).is_err());
        assert_eq!(generate_name_prefix("web"), "web-");
    }
}
