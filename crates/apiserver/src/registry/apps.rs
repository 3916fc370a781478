//! Workloads: Deployment, ReplicaSet, DaemonSet (apps/v1) and
//! ReplicationController (core/v1): defaults and validation.

use super::pod::{default_pod_spec, validate_pod_spec};
use super::validation::{label_map_json, non_negative, validate_labels};
use apimachinery::field::{BadValue, FieldError};
use apimachinery::k8s_openapi::api::apps::v1::{
    DaemonSet, DaemonSetUpdateStrategy, Deployment, DeploymentStrategy, ReplicaSet, RollingUpdateDaemonSet, RollingUpdateDeployment,
};
use apimachinery::k8s_openapi::api::core::v1::{PodTemplateSpec, ReplicationController};
use apimachinery::k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use apimachinery::k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use apimachinery::selector::Selector;

fn default_template(t: Option<&mut PodTemplateSpec>) {
    if let Some(spec) = t.and_then(|t| t.spec.as_mut()) {
        default_pod_spec(spec, false);
    }
}

pub fn default_deployment(d: &mut Deployment) {
    let spec = &mut d.spec;
    spec.replicas.get_or_insert(1);
    let strategy = spec.strategy.get_or_insert_with(DeploymentStrategy::default);
    if strategy.type_.is_none() {
        strategy.type_ = Some("RollingUpdate".into());
    }
    if strategy.type_.as_deref() == Some("RollingUpdate") {
        let ru = strategy.rolling_update.get_or_insert_with(RollingUpdateDeployment::default);
        ru.max_unavailable.get_or_insert(IntOrString::String("25%".into()));
        ru.max_surge.get_or_insert(IntOrString::String("25%".into()));
    }
    spec.revision_history_limit.get_or_insert(10);
    spec.progress_deadline_seconds.get_or_insert(600);
    default_template(Some(&mut spec.template));
}

pub fn default_replica_set(r: &mut ReplicaSet) {
    let spec = &mut r.spec;
    spec.replicas.get_or_insert(1);
    default_template(spec.template.as_mut());
}

pub fn default_daemon_set(d: &mut DaemonSet) {
    let spec = &mut d.spec;
    let us = spec.update_strategy.get_or_insert_with(DaemonSetUpdateStrategy::default);
    if us.type_.is_none() {
        us.type_ = Some("RollingUpdate".into());
    }
    if us.type_.as_deref() == Some("RollingUpdate") {
        let ru = us.rolling_update.get_or_insert_with(RollingUpdateDaemonSet::default);
        ru.max_unavailable.get_or_insert(IntOrString::Int(1));
        ru.max_surge.get_or_insert(IntOrString::Int(0));
    }
    spec.revision_history_limit.get_or_insert(10);
    default_template(Some(&mut spec.template));
}

/// RC defaults: selector and labels from the template's labels.
pub fn default_replication_controller(r: &mut ReplicationController) {
    let template_labels = r.spec.as_ref().and_then(|s| s.template.as_ref()).and_then(|t| t.metadata.as_ref()).and_then(|m| m.labels.clone());
    let spec = r.spec.get_or_insert_with(Default::default);
    if let Some(labels) = template_labels.filter(|l| !l.is_empty()) {
        if spec.selector.as_ref().is_none_or(|s| s.is_empty()) {
            spec.selector = Some(labels.clone());
        }
        if r.metadata.labels.as_ref().is_none_or(|l| l.is_empty()) {
            r.metadata.labels = Some(labels);
        }
    }
    let spec = r.spec.get_or_insert_with(Default::default);
    spec.replicas.get_or_insert(1);
    default_template(spec.template.as_mut());
}

fn template_labels(t: &PodTemplateSpec) -> std::collections::BTreeMap<String, String> {
    t.metadata.as_ref().and_then(|m| m.labels.clone()).unwrap_or_default()
}

/// ValidatePodTemplateSpecForReplicaSet and the selector checks, shared by
/// Deployments, ReplicaSets and DaemonSets.
fn validate_selector_and_template(selector: Option<&LabelSelector>, template: Option<&PodTemplateSpec>, owner: &str, errs: &mut Vec<FieldError>) {
    match selector {
        None => errs.push(FieldError::required("spec.selector", "")),
        Some(sel) => {
            let empty = sel.match_labels.as_ref().is_none_or(|m| m.is_empty()) && sel.match_expressions.as_ref().is_none_or(|e| e.is_empty());
            if empty {
                errs.push(FieldError::invalid("spec.selector", BadValue::Json(serde_json::json!({})), "empty selector is invalid for deployment"));
            }
            errs.extend(validate_labels(sel.match_labels.as_ref(), "spec.selector.matchLabels"));
            if let (false, Some(t)) = (empty, template) {
                match Selector::from_label_selector(sel) {
                    Ok(s) => {
                        let labels = template_labels(t);
                        if !s.matches(&labels) {
                            errs.push(FieldError::invalid("spec.template.metadata.labels", label_map_json(&labels), "`selector` does not match template `labels`"));
                        }
                    }
                    Err(e) => errs.push(FieldError::invalid("spec.selector", BadValue::Raw(String::new()), e)),
                }
            }
        }
    }
    match template {
        None => errs.push(FieldError::required("spec.template", "")),
        Some(t) => validate_template(t, owner, errs),
    }
}

fn validate_template(t: &PodTemplateSpec, owner: &str, errs: &mut Vec<FieldError>) {
    if let Some(m) = t.metadata.as_ref() {
        errs.extend(validate_labels(m.labels.as_ref(), "spec.template.labels"));
    }
    match t.spec.as_ref() {
        None => errs.push(FieldError::required("spec.template.spec.containers", "")),
        Some(spec) => {
            errs.extend(validate_pod_spec(spec, "spec.template.spec"));
            if let Some(rp) = spec.restart_policy.as_deref() {
                if rp != "Always" {
                    errs.push(FieldError::unsupported("spec.template.spec.restartPolicy", BadValue::Str(rp.into()), &["Always"]));
                }
            }
            if spec.active_deadline_seconds.is_some() {
                errs.push(FieldError::forbidden("spec.template.spec.activeDeadlineSeconds", format!("activeDeadlineSeconds in {owner} is not Supported")));
            }
        }
    }
}

fn int_or_percent(v: &IntOrString, total: i32) -> Result<i32, ()> {
    match v {
        IntOrString::Int(i) => Ok(*i),
        IntOrString::String(s) => {
            let p: i32 = s.strip_suffix('%').ok_or(())?.parse().map_err(|_| ())?;
            Ok(p * total / 100)
        }
    }
}

pub fn validate_deployment(d: &Deployment) -> Vec<FieldError> {
    let mut errs = vec![];
    let spec = &d.spec;
    if let Some(e) = non_negative("spec.replicas", spec.replicas.unwrap_or(0) as i64) {
        errs.push(e);
    }
    validate_selector_and_template(Some(&spec.selector), Some(&spec.template), "ReplicaSet", &mut errs);
    if let Some(strategy) = spec.strategy.as_ref() {
        match strategy.type_.as_deref() {
            Some("Recreate") => {
                if strategy.rolling_update.is_some() {
                    errs.push(FieldError::forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'"));
                }
            }
            Some("RollingUpdate") => {
                if let Some(ru) = strategy.rolling_update.as_ref() {
                    let surge = ru.max_surge.as_ref().map(|v| int_or_percent(v, 100));
                    let unavail = ru.max_unavailable.as_ref().map(|v| int_or_percent(v, 100));
                    if let (Some(Ok(0)), Some(Ok(0))) = (surge, unavail) {
                        errs.push(FieldError::invalid("spec.strategy.rollingUpdate.maxUnavailable", BadValue::Int(0), "may not be 0 when `maxSurge` is 0"));
                    }
                    if let Some(IntOrString::String(s)) = ru.max_unavailable.as_ref() {
                        if int_or_percent(&IntOrString::String(s.clone()), 100).is_ok_and(|v| v > 100) {
                            errs.push(FieldError::invalid("spec.strategy.rollingUpdate.maxUnavailable", BadValue::Str(s.clone()), "must not be greater than 100%"));
                        }
                    }
                }
            }
            Some(other) => errs.push(FieldError::unsupported("spec.strategy.type", BadValue::Str(other.into()), &["Recreate", "RollingUpdate"])),
            None => errs.push(FieldError::required("spec.strategy.type", "")),
        }
    }
    if let Some(e) = non_negative("spec.minReadySeconds", spec.min_ready_seconds.unwrap_or(0) as i64) {
        errs.push(e);
    }
    if let Some(limit) = spec.revision_history_limit {
        if let Some(e) = non_negative("spec.revisionHistoryLimit", limit as i64) {
            errs.push(e);
        }
    }
    if let Some(pds) = spec.progress_deadline_seconds {
        if pds <= spec.min_ready_seconds.unwrap_or(0) {
            errs.push(FieldError::invalid("spec.progressDeadlineSeconds", BadValue::Int(pds as i64), "must be greater than minReadySeconds"));
        }
    }
    errs
}

fn selector_immutable(new: Option<&LabelSelector>, old: Option<&LabelSelector>, errs: &mut Vec<FieldError>) {
    if new != old {
        let v = serde_json::to_value(new).unwrap_or_default();
        errs.push(FieldError::immutable("spec.selector", BadValue::Json(v)));
    }
}

pub fn validate_deployment_update(new: &Deployment, old: &Deployment) -> Vec<FieldError> {
    let mut errs = validate_deployment(new);
    selector_immutable(Some(&new.spec.selector), Some(&old.spec.selector), &mut errs);
    errs
}

pub fn validate_replica_set(r: &ReplicaSet) -> Vec<FieldError> {
    let mut errs = vec![];
    let spec = &r.spec;
    if let Some(e) = non_negative("spec.replicas", spec.replicas.unwrap_or(0) as i64) {
        errs.push(e);
    }
    if let Some(e) = non_negative("spec.minReadySeconds", spec.min_ready_seconds.unwrap_or(0) as i64) {
        errs.push(e);
    }
    validate_selector_and_template(Some(&spec.selector), spec.template.as_ref(), "ReplicaSet", &mut errs);
    errs
}

pub fn validate_replica_set_update(new: &ReplicaSet, old: &ReplicaSet) -> Vec<FieldError> {
    let mut errs = validate_replica_set(new);
    selector_immutable(Some(&new.spec.selector), Some(&old.spec.selector), &mut errs);
    errs
}

pub fn validate_daemon_set(d: &DaemonSet) -> Vec<FieldError> {
    let mut errs = vec![];
    let spec = &d.spec;
    validate_selector_and_template(Some(&spec.selector), Some(&spec.template), "DaemonSet", &mut errs);
    errs
}

pub fn validate_daemon_set_update(new: &DaemonSet, old: &DaemonSet) -> Vec<FieldError> {
    let mut errs = validate_daemon_set(new);
    selector_immutable(Some(&new.spec.selector), Some(&old.spec.selector), &mut errs);
    errs
}

pub fn validate_replication_controller(r: &ReplicationController) -> Vec<FieldError> {
    let mut errs = vec![];
    let Some(spec) = r.spec.as_ref() else { return vec![FieldError::required("spec.selector", "")] };
    let selector = spec.selector.clone().unwrap_or_default();
    if selector.is_empty() {
        errs.push(FieldError::required("spec.selector", ""));
    }
    errs.extend(validate_labels(Some(&selector), "spec.selector"));
    if let Some(e) = non_negative("spec.replicas", spec.replicas.unwrap_or(0) as i64) {
        errs.push(e);
    }
    if let Some(e) = non_negative("spec.minReadySeconds", spec.min_ready_seconds.unwrap_or(0) as i64) {
        errs.push(e);
    }
    match spec.template.as_ref() {
        None => errs.push(FieldError::required("spec.template", "")),
        Some(t) => {
            let labels = template_labels(t);
            if !selector.is_empty() && !Selector::from_map(&selector).matches(&labels) {
                errs.push(FieldError::invalid("spec.template.metadata.labels", label_map_json(&labels), "`selector` does not match template `labels`"));
            }
            validate_template(t, "ReplicationController", &mut errs);
        }
    }
    errs
}
