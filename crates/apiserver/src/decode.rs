//! Decoding request bodies into typed objects, with the API server's
//! field validation (`fieldValidation=Strict|Warn|Ignore`): unknown fields
//! are found by comparing the input with what the typed object keeps.

use crate::{ApiServer, FieldValidation};
use apimachinery::{ApiError, Kind, Object};
use serde_json::Value;

/// `Pod in version "v1" cannot be handled as a Pod: <why>`
pub fn cannot_handle(kind: Kind, why: &str) -> ApiError {
    let info = kind.info();
    ApiError::bad_request(format!("{} in version {:?} cannot be handled as a {}: {}", info.name, info.version, info.name, why))
}

pub fn decode_typed(api: &mut ApiServer, kind: Kind, mut value: Value, validation: FieldValidation) -> Result<Object, ApiError> {
    let mut unknown = Vec::new();
    fill_required_structs(api, kind, &mut value);
    let obj = Object::from_value(kind, value.clone()).map_err(|e| cannot_handle(kind, &e))?;
    if validation != FieldValidation::Ignore {
        let round_trip = obj.to_value();
        unknown_fields(&value, &round_trip, "", &mut unknown);
    }
    if !unknown.is_empty() {
        match validation {
            FieldValidation::Strict => {
                let list: Vec<String> = unknown.iter().map(|p| format!("unknown field {p:?}")).collect();
                return Err(cannot_handle(kind, &format!("strict decoding error: {}", list.join(", "))));
            }
            FieldValidation::Warn => {
                for p in unknown {
                    api.warn(format!("unknown field {p:?}"));
                }
            }
            FieldValidation::Ignore => {}
        }
    }
    Ok(obj)
}

/// Paths present in `input` but dropped by the typed decode (sigs.k8s.io/json
/// path style: `spec.containers[0].foo`).
pub fn unknown_fields(input: &Value, kept: &Value, path: &str, out: &mut Vec<String>) {
    match (input, kept) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                match b.get(k) {
                    Some(kv) => unknown_fields(v, kv, &p, out),
                    None if v.is_null() => {}
                    None => {
                        // A known field whose value is empty may be omitted on output.
                        let empty = matches!(v, Value::Object(m) if m.is_empty()) || matches!(v, Value::Array(x) if x.is_empty());
                        if !empty {
                            out.push(p);
                        }
                    }
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for (i, (x, y)) in a.iter().zip(b.iter()).enumerate() {
                unknown_fields(x, y, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// k8s-openapi makes some structs required (`Deployment.spec`,
/// `.spec.selector`, `.spec.template`) that the Go API server accepts as
/// absent and then rejects in validation. Fill them in and remember which
/// selector was missing, so validation says `Required value` as Kubernetes does.
fn fill_required_structs(api: &mut ApiServer, kind: Kind, value: &mut Value) {
    api.missing_selector = false;
    if !matches!(kind, Kind::Deployment | Kind::ReplicaSet | Kind::DaemonSet) {
        return;
    }
    let Value::Object(root) = value else { return };
    let spec = root.entry("spec").or_insert_with(|| Value::Object(Default::default()));
    if spec.is_null() {
        *spec = Value::Object(Default::default());
    }
    let Value::Object(spec) = spec else { return };
    if spec.get("selector").is_none_or(Value::is_null) {
        spec.insert("selector".into(), Value::Object(Default::default()));
        api.missing_selector = true;
    }
    if kind != Kind::ReplicaSet && spec.get("template").is_none_or(Value::is_null) {
        spec.insert("template".into(), Value::Object(Default::default()));
    }
}
