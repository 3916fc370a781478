//! Workloads: Deployment, ReplicaSet, DaemonSet (apps/v1) and
//! ReplicationController (core/v1): pkg/apis/apps/v1/defaults.go,
//! pkg/apis/core/v1/defaults.go (SetDefaults_ReplicationController),
//! pkg/apis/apps/validation/validation.go and ValidateReplicationController
//! in pkg/apis/core/validation, plus the strategies' selector immutability.

use super::pod::{default_pod_spec, validate_pod_spec};
use super::validation::{
    int_or_string_json, json_value, label_map_json, non_negative, percent, str_value, validate_annotations, validate_label_selector, validate_labels,
    validate_object_meta, validate_object_meta_update,
};
use apimachinery::Kind;
use apimachinery::field::{BadValue, FieldError};
use apimachinery::k8s_openapi::api::apps::v1::{
    DaemonSet, DaemonSetUpdateStrategy, Deployment, DeploymentStrategy, ReplicaSet, RollingUpdateDaemonSet, RollingUpdateDeployment,
};
use apimachinery::k8s_openapi::api::core::v1::{PodTemplateSpec, ReplicationController};
use apimachinery::k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use apimachinery::k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use apimachinery::selector::Selector;
use std::collections::BTreeMap;

fn default_template(t: Option<&mut PodTemplateSpec>) {
    if let Some(t) = t {
        default_pod_spec(t.spec.get_or_insert_with(Default::default), false);
    }
}

fn type_is_empty(t: &Option<String>) -> bool {
    t.as_deref().is_none_or(str::is_empty)
}

/// apps/v1 SetDefaults_Deployment.
pub fn default_deployment(d: &mut Deployment) {
    let spec = &mut d.spec;
    spec.replicas.get_or_insert(1);
    let strategy = spec.strategy.get_or_insert_with(DeploymentStrategy::default);
    if type_is_empty(&strategy.type_) {
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

/// apps/v1 SetDefaults_ReplicaSet.
pub fn default_replica_set(r: &mut ReplicaSet) {
    let spec = &mut r.spec;
    spec.replicas.get_or_insert(1);
    default_template(Some(spec.template.get_or_insert_with(Default::default)));
}

/// apps/v1 SetDefaults_DaemonSet.
pub fn default_daemon_set(d: &mut DaemonSet) {
    let spec = &mut d.spec;
    let us = spec.update_strategy.get_or_insert_with(DaemonSetUpdateStrategy::default);
    if type_is_empty(&us.type_) {
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

/// core/v1 SetDefaults_ReplicationController: selector and labels from the
/// template's labels, one replica.
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

fn template_labels(t: &PodTemplateSpec) -> BTreeMap<String, String> {
    t.metadata.as_ref().and_then(|m| m.labels.clone()).unwrap_or_default()
}

/// ValidatePodTemplateSpec: the template's labels and annotations (at
/// `<path>.labels`, not `metadata.labels`), then its pod spec.
fn validate_pod_template_spec(t: &PodTemplateSpec, path: &str, errs: &mut Vec<FieldError>) {
    let meta = t.metadata.as_ref();
    errs.extend(validate_labels(meta.and_then(|m| m.labels.as_ref()), &format!("{path}.labels")));
    errs.extend(validate_annotations(meta.and_then(|m| m.annotations.as_ref()), &format!("{path}.annotations")));
    let default_spec = Default::default();
    let spec = t.spec.as_ref().unwrap_or(&default_spec);
    errs.extend(validate_pod_spec(spec, &format!("{path}.spec")));
    if spec.ephemeral_containers.as_ref().is_some_and(|e| !e.is_empty()) {
        errs.push(FieldError::forbidden(format!("{path}.spec.ephemeralContainers"), "ephemeral containers not allowed in pod template"));
    }
}

/// The template rules controllers share: `restartPolicy: Always` and no
/// activeDeadlineSeconds.
fn validate_controller_template_tail(t: &PodTemplateSpec, owner: &str, errs: &mut Vec<FieldError>) {
    let spec = t.spec.as_ref();
    let rp = spec.and_then(|s| s.restart_policy.as_deref()).unwrap_or_default();
    if rp != "Always" {
        errs.push(FieldError::unsupported("spec.template.spec.restartPolicy", str_value(rp), &["Always"]));
    }
    if spec.is_some_and(|s| s.active_deadline_seconds.is_some()) {
        errs.push(FieldError::forbidden("spec.template.spec.activeDeadlineSeconds", format!("activeDeadlineSeconds in {owner} is not Supported")));
    }
}

/// How a LabelSelector reads as a selector: None for a nil selector
/// (labels.Nothing(): matches nothing, not empty), or the parse error.
enum SelectorView {
    Nothing,
    Parsed(Selector, bool),
    Invalid,
}

fn view_selector(sel: Option<&LabelSelector>) -> SelectorView {
    match sel {
        None => SelectorView::Nothing,
        Some(s) => {
            let empty = s.match_labels.as_ref().is_none_or(|m| m.is_empty()) && s.match_expressions.as_ref().is_none_or(|e| e.is_empty());
            match Selector::from_label_selector(s) {
                Ok(parsed) => SelectorView::Parsed(parsed, empty),
                Err(_) => SelectorView::Invalid,
            }
        }
    }
}

/// The selector block and ValidatePodTemplateSpecForReplicaSet shared by
/// Deployments and ReplicaSets (both say "for deployment").
fn validate_selector_and_template_for_rs(sel: Option<&LabelSelector>, template: &PodTemplateSpec, errs: &mut Vec<FieldError>) {
    match sel {
        None => errs.push(FieldError::required("spec.selector", "")),
        Some(s) => {
            errs.extend(validate_label_selector(s, "spec.selector"));
            if s.match_labels.as_ref().is_none_or(|m| m.is_empty()) && s.match_expressions.as_ref().is_none_or(|e| e.is_empty()) {
                errs.push(FieldError::invalid("spec.selector", json_value(s), "empty selector is invalid for deployment"));
            }
        }
    }
    let matches = match view_selector(sel) {
        SelectorView::Invalid => {
            errs.push(FieldError::invalid("spec.selector", json_value(&sel), "invalid label selector"));
            return;
        }
        SelectorView::Nothing => Some(false),
        SelectorView::Parsed(_, true) => None,
        SelectorView::Parsed(s, false) => Some(s.matches(&template_labels(template))),
    };
    if matches == Some(false) {
        errs.push(FieldError::invalid("spec.template.metadata.labels", label_map_json(&template_labels(template)), "`selector` does not match template `labels`"));
    }
    validate_pod_template_spec(template, "spec.template", errs);
    validate_controller_template_tail(template, "ReplicaSet", errs);
}

/// ValidatePositiveIntOrPercent.
fn positive_int_or_percent(v: &IntOrString, path: &str, errs: &mut Vec<FieldError>) {
    match v {
        IntOrString::String(s) => errs.extend(percent(s).into_iter().map(|m| FieldError::invalid(path, int_or_string_json(v), m))),
        IntOrString::Int(i) => errs.extend(non_negative(path, *i as i64)),
    }
}

/// getPercentValue.
fn percent_value(v: &IntOrString) -> Option<i64> {
    match v {
        IntOrString::String(s) if percent(s).is_empty() => s.trim_end_matches('%').parse().ok(),
        _ => None,
    }
}

/// getIntOrPercentValue: a bad percent string reads as its integer value (0).
fn int_or_percent_value(v: &IntOrString) -> i64 {
    match (percent_value(v), v) {
        (Some(p), _) => p,
        (None, IntOrString::Int(i)) => *i as i64,
        (None, IntOrString::String(s)) => s.parse().unwrap_or(0),
    }
}

fn not_more_than_100_percent(v: &IntOrString, path: &str, errs: &mut Vec<FieldError>) {
    if percent_value(v).is_some_and(|p| p > 100) {
        errs.push(FieldError::invalid(path, int_or_string_json(v), "must not be greater than 100%"));
    }
}

/// Go's JSON of an internal strategy struct (no json tags, so the field
/// names are capitalised and in declaration order).
fn internal_strategy_json(type_: &str, rolling_update: Option<(Option<&IntOrString>, Option<&IntOrString>)>) -> BadValue {
    let ios = |v: Option<&IntOrString>| v.map_or("null".to_string(), |v| int_or_string_json(v).to_string());
    let ru = match rolling_update {
        None => "null".to_string(),
        Some((mu, ms)) => format!("{{\"MaxUnavailable\":{},\"MaxSurge\":{}}}", ios(mu), ios(ms)),
    };
    BadValue::Raw(format!("{{\"Type\":{},\"RollingUpdate\":{ru}}}", serde_json::Value::String(type_.to_string())))
}

/// ValidateDeployment. `selector_missing`: the body had no spec.selector
/// (k8s-openapi cannot hold a nil selector; decode remembers it).
pub fn validate_deployment(d: &Deployment, selector_missing: bool) -> Vec<FieldError> {
    let mut errs = validate_object_meta(&d.metadata, Kind::Deployment);
    errs.extend(deployment_spec(d, selector_missing));
    errs
}

/// ValidateDeploymentSpec.
fn deployment_spec(d: &Deployment, selector_missing: bool) -> Vec<FieldError> {
    let mut errs = vec![];
    let spec = &d.spec;
    errs.extend(non_negative("spec.replicas", spec.replicas.unwrap_or(0) as i64));
    let sel = (!selector_missing).then_some(&spec.selector);
    validate_selector_and_template_for_rs(sel, &spec.template, &mut errs);
    // ValidateDeploymentStrategy
    let default_strategy = DeploymentStrategy::default();
    let strategy = spec.strategy.as_ref().unwrap_or(&default_strategy);
    let type_ = strategy.type_.as_deref().unwrap_or_default();
    match type_ {
        "Recreate" => {
            if strategy.rolling_update.is_some() {
                errs.push(FieldError::forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'"));
            }
        }
        "RollingUpdate" => match strategy.rolling_update.as_ref() {
            None => errs.push(FieldError::required("spec.strategy.rollingUpdate", "this should be defaulted and never be nil")),
            Some(ru) => {
                let zero = IntOrString::Int(0);
                let mu = ru.max_unavailable.as_ref().unwrap_or(&zero);
                let ms = ru.max_surge.as_ref().unwrap_or(&zero);
                positive_int_or_percent(mu, "spec.strategy.rollingUpdate.maxUnavailable", &mut errs);
                positive_int_or_percent(ms, "spec.strategy.rollingUpdate.maxSurge", &mut errs);
                if int_or_percent_value(mu) == 0 && int_or_percent_value(ms) == 0 {
                    errs.push(FieldError::invalid("spec.strategy.rollingUpdate.maxUnavailable", int_or_string_json(mu), "may not be 0 when `maxSurge` is 0"));
                }
                not_more_than_100_percent(mu, "spec.strategy.rollingUpdate.maxUnavailable", &mut errs);
            }
        },
        other => {
            let ru = strategy.rolling_update.as_ref().map(|r| (r.max_unavailable.as_ref(), r.max_surge.as_ref()));
            errs.push(FieldError::unsupported("spec.strategy", internal_strategy_json(other, ru), &["Recreate", "RollingUpdate"]));
        }
    }
    errs.extend(non_negative("spec.minReadySeconds", spec.min_ready_seconds.unwrap_or(0) as i64));
    if let Some(limit) = spec.revision_history_limit {
        errs.extend(non_negative("spec.revisionHistoryLimit", limit as i64));
    }
    if let Some(pds) = spec.progress_deadline_seconds {
        errs.extend(non_negative("spec.progressDeadlineSeconds", pds as i64));
        if pds <= spec.min_ready_seconds.unwrap_or(0) {
            errs.push(FieldError::invalid("spec.progressDeadlineSeconds", BadValue::Int(pds as i64), "must be greater than minReadySeconds"));
        }
    }
    errs
}

/// The apps/v1 strategies' ValidateUpdate: the selector may not change
/// (a missing selector reads as `null`).
fn selector_immutable(new: &LabelSelector, old: &LabelSelector, selector_missing: bool, errs: &mut Vec<FieldError>) {
    if selector_missing {
        errs.push(FieldError::immutable("spec.selector", BadValue::Json(serde_json::Value::Null)));
    } else if new != old {
        errs.push(FieldError::immutable("spec.selector", json_value(new)));
    }
}

/// ValidateDeploymentUpdate plus the strategy's selector immutability.
pub fn validate_deployment_update(new: &Deployment, old: &Deployment, selector_missing: bool) -> Vec<FieldError> {
    let mut errs = validate_object_meta_update(&new.metadata, &old.metadata);
    errs.extend(deployment_spec(new, selector_missing));
    selector_immutable(&new.spec.selector, &old.spec.selector, selector_missing, &mut errs);
    errs
}

/// ValidateReplicaSet.
pub fn validate_replica_set(r: &ReplicaSet, selector_missing: bool) -> Vec<FieldError> {
    let mut errs = validate_object_meta(&r.metadata, Kind::ReplicaSet);
    errs.extend(replica_set_spec(r, selector_missing));
    errs
}

fn replica_set_spec(r: &ReplicaSet, selector_missing: bool) -> Vec<FieldError> {
    let mut errs = vec![];
    let spec = &r.spec;
    errs.extend(non_negative("spec.replicas", spec.replicas.unwrap_or(0) as i64));
    errs.extend(non_negative("spec.minReadySeconds", spec.min_ready_seconds.unwrap_or(0) as i64));
    let default_template = PodTemplateSpec::default();
    let sel = (!selector_missing).then_some(&spec.selector);
    validate_selector_and_template_for_rs(sel, spec.template.as_ref().unwrap_or(&default_template), &mut errs);
    errs
}

pub fn validate_replica_set_update(new: &ReplicaSet, old: &ReplicaSet, selector_missing: bool) -> Vec<FieldError> {
    let mut errs = validate_object_meta_update(&new.metadata, &old.metadata);
    errs.extend(replica_set_spec(new, selector_missing));
    selector_immutable(&new.spec.selector, &old.spec.selector, selector_missing, &mut errs);
    errs
}

/// ValidateDaemonSet.
pub fn validate_daemon_set(d: &DaemonSet, selector_missing: bool) -> Vec<FieldError> {
    let mut errs = validate_object_meta(&d.metadata, Kind::DaemonSet);
    errs.extend(daemon_set_spec(d, selector_missing));
    errs
}

fn daemon_set_spec(d: &DaemonSet, selector_missing: bool) -> Vec<FieldError> {
    let mut errs = vec![];
    let spec = &d.spec;
    let sel = (!selector_missing).then_some(&spec.selector);
    if let Some(s) = sel {
        errs.extend(validate_label_selector(s, "spec.selector"));
    }
    let matches = match view_selector(sel) {
        SelectorView::Invalid => None,
        SelectorView::Nothing => Some(false),
        SelectorView::Parsed(s, _) => Some(s.matches(&template_labels(&spec.template))),
    };
    if matches == Some(false) {
        errs.push(FieldError::invalid("spec.template.metadata.labels", label_map_json(&template_labels(&spec.template)), "`selector` does not match template `labels`"));
    }
    if let Some(s) = sel
        && s.match_labels.as_ref().is_none_or(|m| m.is_empty()) && s.match_expressions.as_ref().is_none_or(|e| e.is_empty()) {
            errs.push(FieldError::invalid("spec.selector", json_value(s), "empty selector is invalid for daemonset"));
        }
    validate_pod_template_spec(&spec.template, "spec.template", &mut errs);
    validate_controller_template_tail(&spec.template, "DaemonSet", &mut errs);
    errs.extend(non_negative("spec.minReadySeconds", spec.min_ready_seconds.unwrap_or(0) as i64));
    // ValidateDaemonSetUpdateStrategy
    let default_us = DaemonSetUpdateStrategy::default();
    let us = spec.update_strategy.as_ref().unwrap_or(&default_us);
    match us.type_.as_deref().unwrap_or_default() {
        "OnDelete" => {}
        "RollingUpdate" => match us.rolling_update.as_ref() {
            None => errs.push(FieldError::required("spec.updateStrategy.rollingUpdate", "")),
            Some(ru) => {
                let zero = IntOrString::Int(0);
                let mu = ru.max_unavailable.as_ref().unwrap_or(&zero);
                let ms = ru.max_surge.as_ref().unwrap_or(&zero);
                let base = "spec.updateStrategy.rollingUpdate";
                positive_int_or_percent(mu, &format!("{base}.maxUnavailable"), &mut errs);
                positive_int_or_percent(ms, &format!("{base}.maxSurge"), &mut errs);
                not_more_than_100_percent(mu, &format!("{base}.maxUnavailable"), &mut errs);
                not_more_than_100_percent(ms, &format!("{base}.maxSurge"), &mut errs);
                match (int_or_percent_value(mu) != 0, int_or_percent_value(ms) != 0) {
                    (true, true) => errs.push(FieldError::invalid(format!("{base}.maxSurge"), int_or_string_json(ms), "may not be set when maxUnavailable is non-zero")),
                    (false, false) => errs.push(FieldError::required(format!("{base}.maxUnavailable"), "cannot be 0 when maxSurge is 0")),
                    _ => {}
                }
            }
        },
        other => {
            let ru = us.rolling_update.as_ref().map(|r| (r.max_unavailable.as_ref(), r.max_surge.as_ref()));
            errs.push(FieldError::unsupported("spec.updateStrategy", internal_strategy_json(other, ru), &["RollingUpdate", "OnDelete"]));
        }
    }
    if let Some(limit) = spec.revision_history_limit {
        errs.extend(non_negative("spec.revisionHistoryLimit", limit as i64));
    }
    errs
}

pub fn validate_daemon_set_update(new: &DaemonSet, old: &DaemonSet, selector_missing: bool) -> Vec<FieldError> {
    let mut errs = validate_object_meta_update(&new.metadata, &old.metadata);
    errs.extend(daemon_set_spec(new, selector_missing));
    selector_immutable(&new.spec.selector, &old.spec.selector, selector_missing, &mut errs);
    errs
}

/// ValidateReplicationController (metadata, then ValidateReplicationControllerSpec).
pub fn validate_replication_controller(r: &ReplicationController) -> Vec<FieldError> {
    let mut errs = validate_object_meta(&r.metadata, Kind::ReplicationController);
    errs.extend(replication_controller_spec(r));
    errs
}

fn replication_controller_spec(r: &ReplicationController) -> Vec<FieldError> {
    let mut errs = vec![];
    let default_spec = Default::default();
    let spec = r.spec.as_ref().unwrap_or(&default_spec);
    errs.extend(non_negative("spec.minReadySeconds", spec.min_ready_seconds.unwrap_or(0) as i64));
    let selector = spec.selector.clone().unwrap_or_default();
    if selector.is_empty() {
        errs.push(FieldError::required("spec.selector", ""));
    }
    errs.extend(non_negative("spec.replicas", spec.replicas.unwrap_or(0) as i64));
    match spec.template.as_ref() {
        None => errs.push(FieldError::required("spec.template", "")),
        Some(t) => {
            if !selector.is_empty() && !Selector::from_map(&selector).matches(&template_labels(t)) {
                errs.push(FieldError::invalid("spec.template.metadata.labels", label_map_json(&template_labels(t)), "`selector` does not match template `labels`"));
            }
            validate_pod_template_spec(t, "spec.template", &mut errs);
            validate_controller_template_tail(t, "ReplicationController", &mut errs);
        }
    }
    errs
}

/// ValidateReplicationControllerUpdate: no selector immutability for RCs.
pub fn validate_replication_controller_update(new: &ReplicationController, old: &ReplicationController) -> Vec<FieldError> {
    let mut errs = validate_object_meta_update(&new.metadata, &old.metadata);
    errs.extend(replication_controller_spec(new));
    errs
}
