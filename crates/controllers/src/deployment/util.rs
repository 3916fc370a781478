//! Pure helpers of the Deployment controller, after
//! pkg/controller/deployment/util/deployment_util.go and the ReplicaSet
//! sort orders of pkg/controller/controller_utils.go.

use crate::util::{created, name_of, scaled_value};
use apimachinery::k8s_openapi::api::apps::v1::{Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet};
use apimachinery::k8s_openapi::api::core::v1::PodTemplateSpec;
use apimachinery::k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use apimachinery::k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use apimachinery::{SignedDuration, Timestamp, meta};
use std::cmp::Ordering;

pub const REVISION: &str = "deployment.kubernetes.io/revision";
pub const REVISION_HISTORY: &str = "deployment.kubernetes.io/revision-history";
pub const DESIRED_REPLICAS: &str = "deployment.kubernetes.io/desired-replicas";
pub const MAX_REPLICAS: &str = "deployment.kubernetes.io/max-replicas";
pub const ROLLBACK_TO: &str = "deprecated.deployment.rollback.to";
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";
pub const POD_TEMPLATE_HASH: &str = "pod-template-hash";
/// sync.go maxRevHistoryLengthInChars.
pub const MAX_REV_HISTORY_LENGTH_IN_CHARS: usize = 2000;

/// Annotations never copied from a Deployment to its ReplicaSets
/// (annotationsToSkip; kubectl rollback uses the same list).
pub const ANNOTATIONS_TO_SKIP: [&str; 6] = [LAST_APPLIED, REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, ROLLBACK_TO];

// Condition reasons (deployment_util.go).
pub const FOUND_NEW_RS_REASON: &str = "FoundNewReplicaSet";
pub const NEW_RS_REASON: &str = "NewReplicaSetCreated";
pub const FAILED_RS_CREATE_REASON: &str = "ReplicaSetCreateError";
pub const RS_UPDATED_REASON: &str = "ReplicaSetUpdated";
pub const NEW_RS_AVAILABLE_REASON: &str = "NewReplicaSetAvailable";
pub const TIMED_OUT_REASON: &str = "ProgressDeadlineExceeded";
pub const PAUSED_DEPLOY_REASON: &str = "DeploymentPaused";
pub const RESUMED_DEPLOY_REASON: &str = "DeploymentResumed";
pub const MIN_REPLICAS_AVAILABLE: &str = "MinimumReplicasAvailable";
pub const MIN_REPLICAS_UNAVAILABLE: &str = "MinimumReplicasUnavailable";

pub fn replicas(d: &Deployment) -> i32 {
    d.spec.replicas.unwrap_or(1)
}
pub fn rs_replicas(rs: &ReplicaSet) -> i32 {
    rs.spec.replicas.unwrap_or(1)
}
pub fn rs_available(rs: &ReplicaSet) -> i32 {
    rs.status.as_ref().and_then(|s| s.available_replicas).unwrap_or(0)
}
pub fn rs_status_replicas(rs: &ReplicaSet) -> i32 {
    rs.status.as_ref().map_or(0, |s| s.replicas)
}
pub fn rs_ready(rs: &ReplicaSet) -> i32 {
    rs.status.as_ref().and_then(|s| s.ready_replicas).unwrap_or(0)
}

pub fn is_rolling_update(d: &Deployment) -> bool {
    d.spec.strategy.as_ref().and_then(|s| s.type_.as_deref()).unwrap_or("RollingUpdate") == "RollingUpdate"
}

pub fn has_progress_deadline(d: &Deployment) -> bool {
    d.spec.progress_deadline_seconds.is_some_and(|s| s != i32::MAX)
}

/// The deployment's annotation map value, or "".
pub fn annotation<'a>(m: &'a apimachinery::k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta, key: &str) -> &'a str {
    meta::annotations(m).get(key).map_or("", String::as_str)
}

/// Revision of a ReplicaSet; a missing or malformed annotation counts as 0.
pub fn revision(rs: &ReplicaSet) -> i64 {
    annotation(&rs.metadata, REVISION).parse().unwrap_or(0)
}

pub fn max_revision(rss: &[ReplicaSet]) -> i64 {
    rss.iter().map(revision).max().unwrap_or(0)
}

/// ResolveFenceposts: maxSurge rounds up, maxUnavailable down; both zero
/// means one may be unavailable.
pub fn resolve_fenceposts(max_surge: Option<&IntOrString>, max_unavailable: Option<&IntOrString>, desired: i32) -> Result<(i32, i32), String> {
    let zero = IntOrString::Int(0);
    let surge = scaled_value(max_surge.unwrap_or(&zero), desired, true)?;
    let unavailable = scaled_value(max_unavailable.unwrap_or(&zero), desired, false)?;
    if surge == 0 && unavailable == 0 { Ok((0, 1)) } else { Ok((surge, unavailable)) }
}

fn rolling_params(d: &Deployment) -> (Option<&IntOrString>, Option<&IntOrString>) {
    let ru = d.spec.strategy.as_ref().and_then(|s| s.rolling_update.as_ref());
    (ru.and_then(|r| r.max_surge.as_ref()), ru.and_then(|r| r.max_unavailable.as_ref()))
}

pub fn max_unavailable(d: &Deployment) -> i32 {
    if !is_rolling_update(d) || replicas(d) == 0 {
        return 0;
    }
    let (s, u) = rolling_params(d);
    let (_, mu) = resolve_fenceposts(s, u, replicas(d)).unwrap_or((0, 1));
    mu.min(replicas(d))
}

pub fn max_surge(d: &Deployment) -> i32 {
    if !is_rolling_update(d) {
        return 0;
    }
    let (s, u) = rolling_params(d);
    resolve_fenceposts(s, u, replicas(d)).map(|(ms, _)| ms).unwrap_or(0)
}

/// GetReplicaCountForReplicaSets: Σ spec.replicas.
pub fn spec_count(rss: &[&ReplicaSet]) -> i32 {
    rss.iter().map(|r| rs_replicas(r)).sum()
}
pub fn actual_count(rss: &[&ReplicaSet]) -> i32 {
    rss.iter().map(|r| rs_status_replicas(r)).sum()
}
pub fn ready_count(rss: &[&ReplicaSet]) -> i32 {
    rss.iter().map(|r| rs_ready(r)).sum()
}
pub fn available_count(rss: &[&ReplicaSet]) -> i32 {
    rss.iter().map(|r| rs_available(r)).sum()
}

/// GetTerminatingReplicaCountForReplicaSets: unknown (None) as soon as one
/// synced ReplicaSet does not report it.
pub fn terminating_count(rss: &[&ReplicaSet]) -> Option<i32> {
    let mut total = 0;
    for rs in rss {
        let st = rs.status.clone().unwrap_or_default();
        match st.terminating_replicas {
            None if st.observed_generation.unwrap_or(0) == 0 => {}
            None => return None,
            Some(n) => total += n,
        }
    }
    Some(total)
}

/// NewRSNewReplicas: how big the new ReplicaSet may be now.
pub fn new_rs_new_replicas(d: &Deployment, all: &[&ReplicaSet], new_rs: &ReplicaSet) -> Result<i32, String> {
    if !is_rolling_update(d) {
        return Ok(replicas(d));
    }
    let (s, _) = rolling_params(d);
    let surge = scaled_value(s.unwrap_or(&IntOrString::Int(0)), replicas(d), true)?;
    let current = spec_count(all);
    let max_total = replicas(d) + surge;
    if current >= max_total {
        return Ok(rs_replicas(new_rs));
    }
    let scale_up = (max_total - current).min(replicas(d) - rs_replicas(new_rs));
    Ok(rs_replicas(new_rs) + scale_up)
}

/// EqualIgnoreHash: templates equal once the pod-template-hash label is gone
/// (an emptied label map counts as none). Compared in place: the templates
/// are not copied to strip the label.
pub fn equal_ignore_hash(a: &PodTemplateSpec, b: &PodTemplateSpec) -> bool {
    fn labels_without_hash(m: &ObjectMeta) -> impl Iterator<Item = (&String, &String)> {
        m.labels.iter().flatten().filter(|(k, _)| k.as_str() != POD_TEMPLATE_HASH)
    }
    fn meta_equal(a: &ObjectMeta, b: &ObjectMeta) -> bool {
        // Every field but `labels`, destructured so that a new field cannot be missed.
        let ObjectMeta {
            annotations,
            creation_timestamp,
            deletion_grace_period_seconds,
            deletion_timestamp,
            finalizers,
            generate_name,
            generation,
            labels: _,
            managed_fields,
            name,
            namespace,
            owner_references,
            resource_version,
            self_link,
            uid,
        } = a;
        *annotations == b.annotations
            && *creation_timestamp == b.creation_timestamp
            && *deletion_grace_period_seconds == b.deletion_grace_period_seconds
            && *deletion_timestamp == b.deletion_timestamp
            && *finalizers == b.finalizers
            && *generate_name == b.generate_name
            && *generation == b.generation
            && *managed_fields == b.managed_fields
            && *name == b.name
            && *namespace == b.namespace
            && *owner_references == b.owner_references
            && *resource_version == b.resource_version
            && *self_link == b.self_link
            && *uid == b.uid
            && labels_without_hash(a).eq(labels_without_hash(b))
    }
    a.spec == b.spec
        && match (&a.metadata, &b.metadata) {
            (None, None) => true,
            (Some(a), Some(b)) => meta_equal(a, b),
            _ => false,
        }
}

/// controller.ComputeHash. Upstream hashes go-spew's `%#v` dump of the Go
/// struct with FNV-32a, which cannot be reproduced outside Go; kubeplay
/// hashes the canonical JSON of the template instead (same FNV-32a, same
/// collisionCount bytes, same SafeEncodeString), so the value has the real
/// shape (`7c5ddbdf54`) but is not the value Kubernetes would print.
pub fn compute_hash(template: &PodTemplateSpec, collision_count: Option<i32>) -> String {
    let json = serde_json::to_vec(template).unwrap_or_default();
    let mut h = Fnv32a::new();
    h.write(&json);
    if let Some(c) = collision_count {
        let mut bytes = [0u8; 8];
        bytes[..4].copy_from_slice(&(c as u32).to_le_bytes());
        h.write(&bytes);
    }
    safe_encode_string(&h.sum().to_string())
}

/// k8s.io/apimachinery/pkg/util/rand.SafeEncodeString: each byte becomes
/// `alphanums[b % 27]` (no vowels, no 0/1/3).
pub fn safe_encode_string(s: &str) -> String {
    let alphabet = apimachinery::names::SUFFIX_ALPHABET;
    s.bytes().map(|b| alphabet[b as usize % alphabet.len()] as char).collect()
}

struct Fnv32a(u32);
impl Fnv32a {
    fn new() -> Fnv32a {
        Fnv32a(0x811c_9dc5)
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= *b as u32;
            self.0 = self.0.wrapping_mul(0x0100_0193);
        }
    }
    fn sum(&self) -> u32 {
        self.0
    }
}

// ---- conditions ---------------------------------------------------------

pub fn get_condition<'a>(status: &'a DeploymentStatus, type_: &str) -> Option<&'a DeploymentCondition> {
    status.conditions.as_ref()?.iter().find(|c| c.type_.as_deref() == Some(type_))
}

pub fn new_condition(type_: &str, status: &str, reason: &str, message: &str, now: Timestamp) -> DeploymentCondition {
    let t = Time(apiserver::truncate_to_seconds(now));
    DeploymentCondition {
        type_: Some(type_.into()),
        status: Some(status.into()),
        reason: Some(reason.into()),
        message: Some(message.into()),
        last_update_time: Some(t.clone()),
        last_transition_time: Some(t),
    }
}

/// SetDeploymentCondition: same status and reason → unchanged; same status
/// → keep lastTransitionTime; the new condition goes to the end.
pub fn set_condition(status: &mut DeploymentStatus, mut c: DeploymentCondition) {
    if let Some(cur) = get_condition(status, c.type_.as_deref().unwrap_or("")) {
        if cur.status == c.status && cur.reason == c.reason {
            return;
        }
        if cur.status == c.status {
            c.last_transition_time = cur.last_transition_time.clone();
        }
    }
    remove_condition(status, c.type_.as_deref().unwrap_or(""));
    status.conditions.get_or_insert_with(Vec::new).push(c);
}

pub fn remove_condition(status: &mut DeploymentStatus, type_: &str) {
    if let Some(cs) = status.conditions.as_mut() {
        cs.retain(|c| c.type_.as_deref() != Some(type_));
        if cs.is_empty() {
            status.conditions = None;
        }
    }
}

pub fn n(v: Option<i32>) -> i32 {
    v.unwrap_or(0)
}

/// DeploymentComplete.
pub fn deployment_complete(d: &Deployment, s: &DeploymentStatus) -> bool {
    let r = replicas(d);
    n(s.updated_replicas) == r && n(s.replicas) == r && n(s.available_replicas) == r && s.observed_generation.unwrap_or(0) >= d.metadata.generation.unwrap_or(0)
}

/// DeploymentProgressing: any sign of progress against the stored status.
pub fn deployment_progressing(d: &Deployment, new: &DeploymentStatus) -> bool {
    let old = d.status.clone().unwrap_or_default();
    let old_old = n(old.replicas) - n(old.updated_replicas);
    let new_old = n(new.replicas) - n(new.updated_replicas);
    n(new.updated_replicas) > n(old.updated_replicas) || new_old < old_old || n(new.ready_replicas) > n(old.ready_replicas) || n(new.available_replicas) > n(old.available_replicas)
}

/// DeploymentTimedOut.
pub fn deployment_timed_out(d: &Deployment, new: &DeploymentStatus, now: Timestamp) -> bool {
    if !has_progress_deadline(d) {
        return false;
    }
    let Some(c) = get_condition(new, "Progressing") else { return false };
    match c.reason.as_deref() {
        Some(NEW_RS_AVAILABLE_REASON) => return false,
        Some(TIMED_OUT_REASON) => return true,
        _ => {}
    }
    let Some(from) = c.last_update_time.as_ref() else { return false };
    let deadline = SignedDuration::from_secs(d.spec.progress_deadline_seconds.unwrap_or(600) as i64);
    from.0 + deadline < now
}

// ---- annotations --------------------------------------------------------

/// copyDeploymentAnnotationsToReplicaSet.
fn copy_annotations(d: &Deployment, rs: &mut ReplicaSet) -> bool {
    let mut changed = false;
    let annotations = rs.metadata.annotations.get_or_insert_with(Default::default);
    for (k, v) in meta::annotations(&d.metadata) {
        if ANNOTATIONS_TO_SKIP.contains(&k.as_str()) || annotations.get(k) == Some(v) {
            continue;
        }
        annotations.insert(k.clone(), v.clone());
        changed = true;
    }
    changed
}

/// SetNewReplicaSetAnnotations: copy the deployment's annotations, raise
/// the revision (keeping the old one in revision-history when re-used by a
/// rollback), and on creation set desired/max replicas.
pub fn set_new_rs_annotations(d: &Deployment, rs: &mut ReplicaSet, new_revision: i64, exists: bool) -> bool {
    let mut changed = copy_annotations(d, rs);
    let annotations = rs.metadata.annotations.get_or_insert_with(Default::default);
    let old_revision = annotations.get(REVISION).cloned();
    let old_int = match old_revision.as_deref() {
        None | Some("") => 0,
        Some(s) => match s.parse::<i64>() {
            Ok(v) => v,
            Err(_) => return false,
        },
    };
    if old_int < new_revision {
        annotations.insert(REVISION.into(), new_revision.to_string());
        changed = true;
    }
    if let Some(old) = old_revision.filter(|_| old_int < new_revision) {
        let history = annotations.get(REVISION_HISTORY).cloned().unwrap_or_default();
        if history.is_empty() {
            annotations.insert(REVISION_HISTORY.into(), old);
        } else {
            let olds: Vec<&str> = history.split(',').collect();
            let mut total = history.len() + old.len() + 1;
            let mut start = 0;
            while total > MAX_REV_HISTORY_LENGTH_IN_CHARS && start < olds.len() {
                total -= olds[start].len() + 1;
                start += 1;
            }
            if total <= MAX_REV_HISTORY_LENGTH_IN_CHARS {
                let mut kept: Vec<&str> = olds[start..].to_vec();
                kept.push(&old);
                annotations.insert(REVISION_HISTORY.into(), kept.join(","));
            }
        }
    }
    if !exists && set_replicas_annotations(rs, replicas(d), replicas(d) + max_surge(d)) {
        changed = true;
    }
    changed
}

/// SetReplicasAnnotations.
pub fn set_replicas_annotations(rs: &mut ReplicaSet, desired: i32, max: i32) -> bool {
    let a = rs.metadata.annotations.get_or_insert_with(Default::default);
    let mut changed = false;
    for (k, v) in [(DESIRED_REPLICAS, desired), (MAX_REPLICAS, max)] {
        let v = v.to_string();
        if a.get(k) != Some(&v) {
            a.insert(k.into(), v);
            changed = true;
        }
    }
    changed
}

pub fn replicas_annotations_need_update(rs: &ReplicaSet, desired: i32, max: i32) -> bool {
    annotation(&rs.metadata, DESIRED_REPLICAS) != desired.to_string() || annotation(&rs.metadata, MAX_REPLICAS) != max.to_string()
}

pub fn desired_replicas_annotation(rs: &ReplicaSet) -> Option<i32> {
    annotation(&rs.metadata, DESIRED_REPLICAS).parse().ok()
}

/// SetDeploymentRevision.
pub fn set_deployment_revision(d: &mut Deployment, revision: &str) -> bool {
    let a = d.metadata.annotations.get_or_insert_with(Default::default);
    if a.get(REVISION).map(String::as_str) == Some(revision) {
        return false;
    }
    a.insert(REVISION.into(), revision.into());
    true
}

// ---- orders -------------------------------------------------------------

/// ReplicaSetsByCreationTimestamp: older first, then by name.
pub fn by_creation(a: &ReplicaSet, b: &ReplicaSet) -> Ordering {
    created(&a.metadata).cmp(&created(&b.metadata)).then_with(|| name_of(&a.metadata).cmp(name_of(&b.metadata)))
}

/// ReplicaSetsBySizeOlder: bigger first; ties older first.
pub fn by_size_older(a: &ReplicaSet, b: &ReplicaSet) -> Ordering {
    rs_replicas(b).cmp(&rs_replicas(a)).then_with(|| by_creation(a, b))
}

/// ReplicaSetsBySizeNewer: bigger first; ties newer first.
pub fn by_size_newer(a: &ReplicaSet, b: &ReplicaSet) -> Ordering {
    rs_replicas(b).cmp(&rs_replicas(a)).then_with(|| by_creation(b, a))
}

/// ReplicaSetsByRevision: lower revision first, ties by creation.
pub fn by_revision(a: &ReplicaSet, b: &ReplicaSet) -> Ordering {
    revision(a).cmp(&revision(b)).then_with(|| by_creation(a, b))
}

/// GetReplicaSetProportion: this ReplicaSet's share of a scale change.
pub fn proportion(rs: &ReplicaSet, d: &Deployment, to_add: i32, added: i32) -> i32 {
    if rs_replicas(rs) == 0 || to_add == 0 || to_add == added {
        return 0;
    }
    let fraction = fraction(rs, d);
    let allowed = to_add - added;
    if to_add > 0 { fraction.min(allowed) } else { fraction.max(allowed) }
}

fn fraction(rs: &ReplicaSet, d: &Deployment) -> i32 {
    if replicas(d) == 0 {
        return -rs_replicas(rs);
    }
    let deployment_max = replicas(d) + max_surge(d);
    let mut before: i32 = annotation(&rs.metadata, MAX_REPLICAS).parse().unwrap_or(0);
    if before == 0 {
        before = n(d.status.as_ref().and_then(|s| s.replicas));
        if before == 0 {
            return 0;
        }
    }
    let size = (rs_replicas(rs) as f64 * deployment_max as f64) / before as f64;
    // integer.RoundToInt32: math.Round, halves away from zero.
    size.round() as i32 - rs_replicas(rs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fenceposts_match_the_upstream_table() {
        let pct = |s: &str| IntOrString::String(s.into());
        assert_eq!(resolve_fenceposts(Some(&pct("39%")), Some(&pct("39%")), 10), Ok((4, 3)));
        assert_eq!(resolve_fenceposts(Some(&pct("0%")), Some(&pct("0%")), 0), Ok((0, 1)));
        assert_eq!(resolve_fenceposts(None, None, 10), Ok((0, 1)));
        assert_eq!(resolve_fenceposts(Some(&pct("25%")), Some(&pct("25%")), 3), Ok((1, 0)));
    }

    #[test]
    fn safe_encoding_uses_the_digit_mapping() {
        assert_eq!(safe_encode_string("0123456789"), "456789bcdf");
        let t = PodTemplateSpec::default();
        let h = compute_hash(&t, None);
        assert!(h.chars().all(|c| "456789bcdf".contains(c)), "{h}");
        assert_ne!(h, compute_hash(&t, Some(1)));
        assert_eq!(h, compute_hash(&t, None));
    }
}
