//! Validation shared by kinds: object metadata, pod templates, selectors
//! (pkg/apis/core/validation, apimachinery/pkg/api/validation).

use apimachinery::field::{BadValue, FieldError};
use apimachinery::{Kind, Object, names};
use std::collections::BTreeMap;

/// The name rule each kind uses.
pub fn name_problems(kind: Kind, name: &str) -> Vec<String> {
    match kind {
        Kind::Namespace => names::dns1123_label(name),
        Kind::Service => names::dns1035_label(name),
        _ => names::dns1123_subdomain(name),
    }
}

pub fn validate_object_meta(obj: &Object) -> Vec<FieldError> {
    let mut errs = vec![];
    let m = obj.meta();
    let kind = obj.kind();
    let name = m.name.clone().unwrap_or_default();
    if name.is_empty() {
        errs.push(FieldError::required("metadata.name", "name or generateName is required"));
    } else {
        for p in name_problems(kind, &name) {
            errs.push(FieldError::invalid("metadata.name", BadValue::Str(name.clone()), p));
        }
    }
    if kind.info().namespaced {
        let ns = m.namespace.clone().unwrap_or_default();
        if ns.is_empty() {
            errs.push(FieldError::required("metadata.namespace", ""));
        } else {
            for p in names::dns1123_label(&ns) {
                errs.push(FieldError::invalid("metadata.namespace", BadValue::Str(ns.clone()), p));
            }
        }
    }
    errs.extend(validate_labels(m.labels.as_ref(), "metadata.labels"));
    errs.extend(validate_annotations(m.annotations.as_ref(), "metadata.annotations"));
    errs
}

pub fn validate_labels(labels: Option<&BTreeMap<String, String>>, path: &str) -> Vec<FieldError> {
    let mut errs = vec![];
    for (k, v) in labels.into_iter().flatten() {
        for p in names::qualified_name(k) {
            errs.push(FieldError::invalid(path, BadValue::Str(k.clone()), p));
        }
        for p in names::label_value(v) {
            errs.push(FieldError::invalid(path, BadValue::Str(v.clone()), p));
        }
    }
    errs
}

/// Annotations: qualified keys and at most 256 KiB in total.
pub fn validate_annotations(annotations: Option<&BTreeMap<String, String>>, path: &str) -> Vec<FieldError> {
    let mut errs = vec![];
    let mut total = 0usize;
    for (k, v) in annotations.into_iter().flatten() {
        for p in names::qualified_name(&k.to_ascii_lowercase()) {
            errs.push(FieldError::invalid(path, BadValue::Str(k.clone()), p));
        }
        total += k.len() + v.len();
    }
    if total > 256 * 1024 {
        errs.push(FieldError { path: path.to_string(), error_type: apimachinery::field::ErrorType::TooLong, detail: format!("may not be more than {} bytes", 256 * 1024) });
    }
    errs
}

pub fn validate_object_meta_update(new: &Object, old: &Object) -> Vec<FieldError> {
    let mut errs = vec![];
    let (n, o) = (new.meta(), old.meta());
    if n.name != o.name {
        errs.push(FieldError::immutable("metadata.name", BadValue::Str(n.name.clone().unwrap_or_default())));
    }
    errs.extend(validate_labels(n.labels.as_ref(), "metadata.labels"));
    errs.extend(validate_annotations(n.annotations.as_ref(), "metadata.annotations"));
    errs
}

pub fn non_negative(path: &str, v: i64) -> Option<FieldError> {
    (v < 0).then(|| FieldError::invalid(path, BadValue::Int(v), "must be greater than or equal to 0"))
}

pub fn label_map_json(m: &BTreeMap<String, String>) -> BadValue {
    BadValue::Json(serde_json::to_value(m).unwrap_or_default())
}
