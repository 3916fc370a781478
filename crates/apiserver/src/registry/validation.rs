//! Validation shared by kinds: names, labels, annotations, object metadata
//! and label selectors, with the messages of
//! k8s.io/apimachinery/pkg/util/validation (names: "characters"),
//! k8s.io/apimachinery/pkg/api/validate/content (label keys and values:
//! "bytes", since 1.35), apimachinery/pkg/api/validation/objectmeta.go and
//! pkg/apis/core/validation (ValidateObjectMeta, validateKubeFinalizerName).

use apimachinery::field::{BadValue, ErrorType, FieldError};
use apimachinery::k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use apimachinery::k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use apimachinery::{Kind, names};
use std::collections::BTreeMap;

/// apimachinery TotalAnnotationSizeLimitB.
pub const TOTAL_ANNOTATION_SIZE_LIMIT_BYTES: usize = 256 * 1024;
/// core.MaxSecretSize, also the ConfigMap limit.
pub const MAX_SECRET_SIZE_BYTES: usize = 1024 * 1024;

const DNS1123_LABEL_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_SUBDOMAIN_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const LABEL_KEY_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const LABEL_KEY_ERR: &str = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

/// validation.RegexError: `msg (e.g. 'a',  or 'b', regex used for validation is 'fmt')`.
/// The doubled space after each comma but the last is Kubernetes' own.
pub fn regex_error(msg: &str, fmt: &str, examples: &[&str]) -> String {
    if examples.is_empty() {
        return format!("{msg} (regex used for validation is '{fmt}')");
    }
    let mut s = format!("{msg} (e.g. ");
    for (i, e) in examples.iter().enumerate() {
        if i > 0 {
            s.push_str(" or ");
        }
        s.push_str(&format!("'{e}', "));
    }
    s.push_str(&format!("regex used for validation is '{fmt}')"));
    s
}

fn is_lower_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

fn matches_dns_label(s: &str, first_alpha: bool) -> bool {
    let b = s.as_bytes();
    let Some((&first, &last)) = b.first().zip(b.last()) else { return false };
    let first_ok = if first_alpha { first.is_ascii_lowercase() } else { is_lower_alnum(first) };
    first_ok && is_lower_alnum(last) && b.iter().all(|&c| is_lower_alnum(c) || c == b'-')
}

fn matches_dns_subdomain(s: &str) -> bool {
    !s.is_empty() && s.split('.').all(|part| matches_dns_label(part, false))
}

/// IsDNS1123Label, including the `must not contain dots` case for values
/// that are valid subdomains.
pub fn dns1123_label(s: &str) -> Vec<String> {
    let mut errs = vec![];
    if s.len() > 63 {
        errs.push("must be no more than 63 characters".to_string());
    }
    if !matches_dns_label(s, false) {
        if matches_dns_subdomain(s) {
            errs.push("must not contain dots".to_string());
        } else {
            errs.push(regex_error(
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
                DNS1123_LABEL_FMT,
                &["my-name", "123-abc"],
            ));
        }
    }
    errs
}

/// IsDNS1123Subdomain (util/validation flavour, "characters").
pub fn dns1123_subdomain(s: &str) -> Vec<String> {
    subdomain_with_unit(s, "characters")
}

fn subdomain_with_unit(s: &str, unit: &str) -> Vec<String> {
    let mut errs = vec![];
    if s.len() > 253 {
        errs.push(format!("must be no more than 253 {unit}"));
    }
    if !matches_dns_subdomain(s) {
        errs.push(regex_error(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
            DNS1123_SUBDOMAIN_FMT,
            &["example.com"],
        ));
    }
    errs
}

/// IsDNS1035Label (Service names).
pub fn dns1035_label(s: &str) -> Vec<String> {
    names::dns1035_label(s)
}

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

/// content.IsLabelKey (also IsQualifiedName): `[prefix/]name`.
pub fn label_key(value: &str) -> Vec<String> {
    let parts: Vec<&str> = value.split('/').collect();
    let mut errs = vec![];
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                errs.push("prefix part must be non-empty".to_string());
            } else {
                errs.extend(subdomain_with_unit(prefix, "bytes").into_iter().map(|m| format!("prefix part {m}")));
            }
            *name
        }
        _ => {
            return vec![format!(
                "a valid label key {} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
                regex_error(LABEL_KEY_ERR, LABEL_KEY_FMT, &["MyName", "my.name", "123-abc"])
            )];
        }
    };
    if name.is_empty() {
        errs.push("name part must be non-empty".to_string());
    } else if name.len() > 63 {
        errs.push("name part must be no more than 63 bytes".to_string());
    }
    if !matches_label_key(name) {
        errs.push(format!("name part {}", regex_error(LABEL_KEY_ERR, LABEL_KEY_FMT, &["MyName", "my.name", "123-abc"])));
    }
    errs
}

fn matches_label_key(s: &str) -> bool {
    let b = s.as_bytes();
    let Some((&first, &last)) = b.first().zip(b.last()) else { return false };
    first.is_ascii_alphanumeric() && last.is_ascii_alphanumeric() && b.iter().all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// content.IsLabelValue.
pub fn label_value(value: &str) -> Vec<String> {
    let mut errs = vec![];
    if value.len() > 63 {
        errs.push("must be no more than 63 bytes".to_string());
    }
    if !value.is_empty() && !matches_label_key(value) {
        errs.push(regex_error(
            "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
            "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?",
            &["MyValue", "my_value", "12345"],
        ));
    }
    errs
}

/// IsConfigMapKey (ConfigMap and Secret data keys).
pub fn config_map_key(value: &str) -> Vec<String> {
    let mut errs = vec![];
    if value.len() > 253 {
        errs.push("must be no more than 253 characters".to_string());
    }
    let ok = !value.is_empty() && value.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'));
    if !ok {
        errs.push(regex_error(
            "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
            "[-._a-zA-Z0-9]+",
            &["key.name", "KEY_NAME", "key-name"],
        ));
    }
    match value {
        "." => errs.push("must not be '.'".to_string()),
        ".." => errs.push("must not be '..'".to_string()),
        v if v.starts_with("..") => errs.push("must not start with '..'".to_string()),
        _ => {}
    }
    errs
}

/// IsValidPortName: IANA service names.
pub fn port_name(port: &str) -> Vec<String> {
    let mut errs = vec![];
    if port.len() > 15 {
        errs.push("must be no more than 15 characters".to_string());
    }
    if port.is_empty() || !port.bytes().all(|c| is_lower_alnum(c) || c == b'-') {
        errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)".to_string());
    }
    if !port.bytes().any(|c| c.is_ascii_lowercase()) {
        errs.push("must contain at least one letter (a-z)".to_string());
    }
    if port.contains("--") {
        errs.push("must not contain consecutive hyphens".to_string());
    }
    if port.starts_with('-') || port.ends_with('-') {
        errs.push("must not begin or end with a hyphen".to_string());
    }
    errs
}

/// IsRelaxedEnvVarName (RelaxedEnvironmentVariableValidation is GA).
pub fn env_var_name(value: &str) -> Vec<String> {
    let mut errs = vec![];
    if value.is_empty() {
        errs.push("environment variable name must be non-empty".to_string());
    }
    if value.chars().any(|c| !c.is_ascii() || c.is_ascii_control() || c == '=') {
        errs.push("a valid environment variable name must consist only of printable ASCII characters other than '='".to_string());
    }
    errs
}

/// IsValidPercent.
pub fn percent(value: &str) -> Vec<String> {
    let ok = value.strip_suffix('%').is_some_and(|d| !d.is_empty() && d.bytes().all(|c| c.is_ascii_digit()));
    if ok { vec![] } else { vec![regex_error("a valid percent string must be a numeric string followed by an ending '%'", "[0-9]+%", &["1%", "93%"])] }
}

/// `must be between 1 and 65535, inclusive` (IsValidPortNum).
pub fn port_num(port: i64) -> Option<String> {
    (!(1..=65535).contains(&port)).then(|| "must be between 1 and 65535, inclusive".to_string())
}

/// An IntOrString as Go's JSON marshals it (a bare number or a quoted string).
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
