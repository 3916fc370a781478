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
    let obj = Object::from_value(kind, value.clone()).map_err(|e| cannot_handle(kind, &go_type_error(kind, &e).unwrap_or(e)))?;
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

/// Rewrites a typed-decode error (`<path>: invalid type: string "80",
/// expected i32`) as encoding/json's UnmarshalTypeError:
/// `json: cannot unmarshal string into Go struct field
/// ContainerPort.spec.containers.ports.containerPort of type int32`.
/// The struct name is the Go type holding the field, known here for the
/// common paths only; anything else keeps the serde text (None).
pub fn go_type_error(kind: Kind, text: &str) -> Option<String> {
    let (path, msg) = text.split_once(": ")?;
    let rest = msg.strip_prefix("invalid type: ").or_else(|| msg.strip_prefix("invalid value: "))?;
    let (got, expected) = rest.rsplit_once(", expected ")?;
    let go_type = match expected {
        "i32" => "int32",
        "i64" => "int64",
        "a string" => "string",
        "a boolean" => "bool",
        _ => return None,
    };
    let value = if got.starts_with("string ") {
        "string".to_string()
    } else if let Some(n) = got.strip_prefix("integer `").or_else(|| got.strip_prefix("floating point `")) {
        // Numbers that do not fit the Go type carry their literal.
        let lit = n.trim_end_matches('`');
        if go_type.starts_with("int") { format!("number {lit}") } else { "number".to_string() }
    } else if got.starts_with("boolean") {
        "bool".to_string()
    } else if got == "sequence" {
        "array".to_string()
    } else if got == "map" {
        "object".to_string()
    } else {
        return None;
    };
    // The JSON field stack without list indices.
    let mut fields: Vec<String> = vec![];
    for seg in path.split('.') {
        let name = seg.split('[').next().unwrap_or(seg);
        fields.push(name.to_string());
    }
    let parent = &fields[..fields.len().saturating_sub(1)];
    let go_struct = go_struct_name(kind, parent)?;
    Some(format!("json: cannot unmarshal {value} into Go struct field {go_struct}.{} of type {go_type}", fields.join(".")))
}

/// The Go type (k8s.io/api) at a JSON field path, for the paths users edit.
fn go_struct_name(kind: Kind, parent: &[String]) -> Option<String> {
    let p: Vec<&str> = parent.iter().map(String::as_str).collect();
    let pod_spec_at = |p: &[&str]| -> bool {
        match kind {
            Kind::Pod => p == ["spec"],
            Kind::Deployment | Kind::ReplicaSet | Kind::DaemonSet | Kind::ReplicationController => p == ["spec", "template", "spec"],
            _ => false,
        }
    };
    let name = match p.as_slice() {
        [] => kind.info().name,
        ["metadata"] | [.., "template", "metadata"] => "ObjectMeta",
        ["spec"] => match kind {
            Kind::Pod => "PodSpec",
            Kind::Deployment => "DeploymentSpec",
            Kind::ReplicaSet => "ReplicaSetSpec",
            Kind::DaemonSet => "DaemonSetSpec",
            Kind::ReplicationController => "ReplicationControllerSpec",
            Kind::Service => "ServiceSpec",
            Kind::Namespace => "NamespaceSpec",
            Kind::Node => "NodeSpec",
            Kind::Lease => "LeaseSpec",
            Kind::Ingress => "IngressSpec",
            Kind::IngressClass => "IngressClassSpec",
            _ => return None,
        },
        ["spec", "template"] => "PodTemplateSpec",
        ["spec", "template", "spec"] => "PodSpec",
        ["spec", "strategy"] if kind == Kind::Deployment => "DeploymentStrategy",
        ["spec", "strategy", "rollingUpdate"] if kind == Kind::Deployment => "RollingUpdateDeployment",
        ["spec", "updateStrategy"] if kind == Kind::DaemonSet => "DaemonSetUpdateStrategy",
        ["spec", "selector"] if matches!(kind, Kind::Deployment | Kind::ReplicaSet | Kind::DaemonSet) => "LabelSelector",
        ["spec", "ports"] if kind == Kind::Service => "ServicePort",
        [rest @ .., last] => {
            let in_container = rest.len() >= 2 && matches!(rest[rest.len() - 1], "containers" | "initContainers") && pod_spec_at(&rest[..rest.len() - 1]);
            let is_container_list = matches!(*last, "containers" | "initContainers") && pod_spec_at(rest);
            if is_container_list {
                "Container"
            } else if matches!(*last, "volumes") && pod_spec_at(rest) {
                "Volume"
            } else if matches!(*last, "tolerations") && pod_spec_at(rest) {
                "Toleration"
            } else if matches!(*last, "securityContext") && pod_spec_at(rest) {
                "PodSecurityContext"
            } else if in_container {
                match *last {
                    "ports" => "ContainerPort",
                    "env" => "EnvVar",
                    "volumeMounts" => "VolumeMount",
                    "resources" => "ResourceRequirements",
                    "livenessProbe" | "readinessProbe" | "startupProbe" => "Probe",
                    "securityContext" => "SecurityContext",
                    _ => return None,
                }
            } else if rest.len() >= 3 && matches!(rest[rest.len() - 1], "livenessProbe" | "readinessProbe" | "startupProbe") {
                match *last {
                    "httpGet" => "HTTPGetAction",
                    "tcpSocket" => "TCPSocketAction",
                    "exec" => "ExecAction",
                    "grpc" => "GRPCAction",
                    _ => return None,
                }
            } else {
                return None;
            }
        }
    };
    Some(name.to_string())
}
