//! Validation shared by kinds: names, labels, annotations, object metadata
//! and label selectors, with the messages of
//! k8s.io/apimachinery/pkg/util/validation (names: "characters"),
//! k8s.io/apimachinery/pkg/api/validate/content (label keys and values:
//! "bytes", since 1.35), apimachinery/pkg/api/validation/objectmeta.go and
//! pkg/apis/core/validation (ValidateObjectMeta, validateKubeFinalizerName).

use apimachinery::field::{BadValue, ErrorType, FieldError};
use apimachinery::k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use apimachinery::k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use apimachinery::Kind;
pub use apimachinery::names::{
    config_map_key, dns1035_label, dns1123_label, dns1123_subdomain, env_var_name, label_key, label_value, percent, port_name, port_num, regex_error,
};
use std::collections::BTreeMap;

/// apimachinery TotalAnnotationSizeLimitB.
pub const TOTAL_ANNOTATION_SIZE_LIMIT_BYTES: usize = 256 * 1024;
/// core.MaxSecretSize, also the ConfigMap limit.
pub const MAX_SECRET_SIZE_BYTES: usize = 1024 * 1024;

/// The name rule of a kind: ValidateNameFunc(name, prefix). With `prefix`
/// (a generateName) a trailing dash is masked (maskTrailingDash replaces
/// the last two characters with "a").
pub fn name_problems(kind: Kind, name: &str, prefix: bool) -> Vec<String> {
    let masked;
    let name = if prefix && name.len() > 1 && name.ends_with('-') {
        masked = format!("{}a", &name[..name.len() - 2]);
        masked.as_str()
    } else {
        name
    };
    match kind {
        Kind::Namespace => dns1123_label(name),
        Kind::Service => dns1035_label(name),
        _ => dns1123_subdomain(name),
    }
}

pub fn int_or_string_json(v: &IntOrString) -> BadValue {
    match v {
        IntOrString::Int(i) => BadValue::Json(serde_json::json!(i)),
        IntOrString::String(s) => BadValue::Json(serde_json::json!(s)),
    }
}

pub fn str_value(s: &str) -> BadValue {
    BadValue::Str(s.to_string())
}

pub fn json_value<T: apimachinery::k8s_openapi::serde::Serialize>(v: &T) -> BadValue {
    BadValue::Json(serde_json::to_value(v).unwrap_or(serde_json::Value::Null))
}

pub fn label_map_json(m: &BTreeMap<String, String>) -> BadValue {
    // A nil map marshals as `null`; kubeplay's absent labels are nil too.
    if m.is_empty() { BadValue::Json(serde_json::Value::Null) } else { json_value(m) }
}

pub fn non_negative(path: &str, v: i64) -> Option<FieldError> {
    (v < 0).then(|| FieldError::invalid(path, BadValue::Int(v), "must be greater than or equal to 0"))
}

pub fn too_long(path: &str, max_bytes: usize) -> FieldError {
    FieldError { path: path.to_string(), error_type: ErrorType::TooLong, detail: format!("may not be more than {max_bytes} bytes") }
}

/// ValidateLabels: every key a label key, every value a label value.
pub fn validate_labels(labels: Option<&BTreeMap<String, String>>, path: &str) -> Vec<FieldError> {
    let mut errs = vec![];
    for (k, v) in labels.into_iter().flatten() {
        errs.extend(label_key(k).into_iter().map(|m| FieldError::invalid(path, str_value(k), m)));
        errs.extend(label_value(v).into_iter().map(|m| FieldError::invalid(path, str_value(v), m)));
    }
    errs
}

/// ValidateAnnotations: case-insensitive qualified keys, 256 KiB in total.
pub fn validate_annotations(annotations: Option<&BTreeMap<String, String>>, path: &str) -> Vec<FieldError> {
    let mut errs = vec![];
    let mut total = 0usize;
    for (k, v) in annotations.into_iter().flatten() {
        errs.extend(label_key(&k.to_ascii_lowercase()).into_iter().map(|m| FieldError::invalid(path, str_value(k), m)));
        total += k.len() + v.len();
    }
    if total > TOTAL_ANNOTATION_SIZE_LIMIT_BYTES {
        errs.push(too_long(path, TOTAL_ANNOTATION_SIZE_LIMIT_BYTES));
    }
    errs
}

/// ValidateLabelSelector (metav1 validation).
pub fn validate_label_selector(sel: &LabelSelector, path: &str) -> Vec<FieldError> {
    let mut errs = validate_labels(sel.match_labels.as_ref(), &format!("{path}.matchLabels"));
    for (i, req) in sel.match_expressions.iter().flatten().enumerate() {
        let rp = format!("{path}.matchExpressions[{i}]");
        let values = req.values.as_deref().unwrap_or_default();
        match req.operator.as_str() {
            "In" | "NotIn" => {
                if values.is_empty() {
                    errs.push(FieldError::required(format!("{rp}.values"), "must be specified when `operator` is 'In' or 'NotIn'"));
                }
            }
            "Exists" | "DoesNotExist" => {
                if !values.is_empty() {
                    errs.push(FieldError::forbidden(format!("{rp}.values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
                }
            }
            other => errs.push(FieldError::invalid(format!("{rp}.operator"), str_value(other), "not a valid selector operator")),
        }
        errs.extend(label_key(&req.key).into_iter().map(|m| FieldError::invalid(format!("{rp}.key"), str_value(&req.key), m)));
        for (j, v) in values.iter().enumerate() {
            errs.extend(label_value(v).into_iter().map(|m| FieldError::invalid(format!("{rp}.values[{j}]"), str_value(v), m)));
        }
    }
    errs
}

/// The standard finalizer names that need no domain (helper.IsStandardFinalizerName).
fn is_standard_finalizer(name: &str) -> bool {
    name == "kubernetes"
}

/// validateKubeFinalizerName (core kinds).
pub fn validate_kube_finalizer_name(name: &str, path: &str) -> Vec<FieldError> {
    if !name.contains('/') && !is_standard_finalizer(name) {
        return vec![FieldError::invalid(path, str_value(name), "name is neither a standard finalizer name nor is it fully qualified")];
    }
    vec![]
}

fn validate_finalizers(finalizers: &[String], path: &str) -> Vec<FieldError> {
    let mut errs = vec![];
    for f in finalizers {
        errs.extend(label_key(f).into_iter().map(|m| FieldError::invalid(path, str_value(f), m)));
    }
    if finalizers.iter().any(|f| f == "orphan") && finalizers.iter().any(|f| f == "foregroundDeletion") {
        errs.push(FieldError::invalid(path, json_value(&finalizers), "finalizer orphan and foregroundDeletion cannot be both set"));
    }
    errs
}

fn validate_owner_references(meta: &ObjectMeta, path: &str) -> Vec<FieldError> {
    let mut errs = vec![];
    let mut first_controller: Option<String> = None;
    let refs = meta.owner_references.as_deref().unwrap_or_default();
    for (i, r) in refs.iter().enumerate() {
        let rp = format!("{path}[{i}]");
        if r.api_version.is_empty() {
            errs.push(FieldError::required(format!("{rp}.apiVersion"), "must not be empty"));
        }
        if r.kind.is_empty() {
            errs.push(FieldError::required(format!("{rp}.kind"), "must not be empty"));
        }
        if r.name.is_empty() {
            errs.push(FieldError::required(format!("{rp}.name"), "must not be empty"));
        }
        if r.uid.is_empty() {
            errs.push(FieldError::required(format!("{rp}.uid"), "must not be empty"));
        }
        if r.api_version == "v1" && r.kind == "Event" {
            errs.push(FieldError::invalid(rp.clone(), json_value(r), "/v1, Kind=Event is disallowed from being an owner"));
        }
        if r.controller == Some(true) {
            let this = format!("{}/{}", r.kind, r.name);
            match &first_controller {
                Some(first) => errs.push(FieldError::invalid(
                    path,
                    json_value(&refs),
                    format!("Only one reference can have Controller set to true. Found \"true\" in references for {first} and {this}"),
                )),
                None => first_controller = Some(this),
            }
        }
    }
    errs
}

/// pkg/apis/core/validation ValidateObjectMeta: generateName, name,
/// namespace, labels, annotations, ownerReferences, finalizers, then the
/// core-only finalizer-name rule per index.
pub fn validate_object_meta(meta: &ObjectMeta, kind: Kind) -> Vec<FieldError> {
    let mut errs = vec![];
    if let Some(g) = meta.generate_name.as_deref().filter(|g| !g.is_empty()) {
        errs.extend(name_problems(kind, g, true).into_iter().map(|m| FieldError::invalid("metadata.generateName", str_value(g), m)));
    }
    let name = meta.name.as_deref().unwrap_or_default();
    if name.is_empty() {
        errs.push(FieldError::required("metadata.name", "name or generateName is required"));
    } else {
        errs.extend(name_problems(kind, name, false).into_iter().map(|m| FieldError::invalid("metadata.name", str_value(name), m)));
    }
    errs.extend(namespace_problems(meta, kind));
    errs.extend(common_meta(meta));
    for (i, f) in meta.finalizers.iter().flatten().enumerate() {
        errs.extend(validate_kube_finalizer_name(f, &format!("metadata.finalizers[{i}]")));
    }
    errs
}

fn namespace_problems(meta: &ObjectMeta, kind: Kind) -> Vec<FieldError> {
    let ns = meta.namespace.as_deref().unwrap_or_default();
    if kind.info().namespaced {
        if ns.is_empty() {
            return vec![FieldError::required("metadata.namespace", "")];
        }
        return dns1123_label(ns).into_iter().map(|m| FieldError::invalid("metadata.namespace", str_value(ns), m)).collect();
    }
    if !ns.is_empty() {
        return vec![FieldError::forbidden("metadata.namespace", "not allowed on this type")];
    }
    vec![]
}

fn common_meta(meta: &ObjectMeta) -> Vec<FieldError> {
    let mut errs = vec![];
    if let Some(g) = meta.generation {
        errs.extend(non_negative("metadata.generation", g));
    }
    errs.extend(validate_labels(meta.labels.as_ref(), "metadata.labels"));
    errs.extend(validate_annotations(meta.annotations.as_ref(), "metadata.annotations"));
    errs.extend(validate_owner_references(meta, "metadata.ownerReferences"));
    errs.extend(validate_finalizers(meta.finalizers.as_deref().unwrap_or_default(), "metadata.finalizers"));
    errs
}

/// rest.ValidateCreate's generic pass, run only when the kind's own
/// validation found nothing: the name must be a usable path segment.
pub fn validate_object_meta_path_segment(meta: &ObjectMeta, kind: Kind) -> Vec<FieldError> {
    let path_segment = |name: &str| -> Vec<String> {
        if name == "." || name == ".." {
            return vec![format!("may not be '{name}'")];
        }
        ["/", "%"].iter().filter(|c| name.contains(*c)).map(|c| format!("may not contain '{c}'")).collect()
    };
    let mut errs = vec![];
    if let Some(g) = meta.generate_name.as_deref().filter(|g| !g.is_empty()) {
        errs.extend(path_segment(g).into_iter().map(|m| FieldError::invalid("metadata.generateName", str_value(g), m)));
    }
    let name = meta.name.as_deref().unwrap_or_default();
    if name.is_empty() {
        errs.push(FieldError::required("metadata.name", "name or generateName is required"));
    } else {
        errs.extend(path_segment(name).into_iter().map(|m| FieldError::invalid("metadata.name", str_value(name), m)));
    }
    errs.extend(namespace_problems(meta, kind));
    errs.extend(common_meta(meta));
    errs
}

/// ValidateObjectMetaUpdate (apimachinery, plus the core finalizer rule).
/// The resourceVersion and deletion-finalizer checks are done by the
/// store before validation (lib.rs update).
pub fn validate_object_meta_update(n: &ObjectMeta, o: &ObjectMeta) -> Vec<FieldError> {
    let mut errs = vec![];
    let gen_new = n.generation.unwrap_or(0);
    errs.extend(non_negative("metadata.generation", gen_new));
    if gen_new < o.generation.unwrap_or(0) {
        errs.push(FieldError::invalid("metadata.generation", BadValue::Int(gen_new), "must not be decremented"));
    }
    if n.name != o.name {
        errs.push(FieldError::immutable("metadata.name", str_value(n.name.as_deref().unwrap_or_default())));
    }
    if n.namespace.as_deref().unwrap_or_default() != o.namespace.as_deref().unwrap_or_default() {
        errs.push(FieldError::immutable("metadata.namespace", str_value(n.namespace.as_deref().unwrap_or_default())));
    }
    errs.extend(validate_labels(n.labels.as_ref(), "metadata.labels"));
    errs.extend(validate_annotations(n.annotations.as_ref(), "metadata.annotations"));
    errs.extend(validate_owner_references(n, "metadata.ownerReferences"));
    for (i, f) in n.finalizers.iter().flatten().enumerate() {
        errs.extend(validate_kube_finalizer_name(f, &format!("metadata.finalizers[{i}]")));
    }
    errs
}
