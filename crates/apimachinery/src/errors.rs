//! API errors as `Status` objects, with the reasons, codes and messages of
//! k8s.io/apimachinery/pkg/api/errors/errors.go. kubectl prints these.

use crate::field::FieldError;
use crate::kinds::KindInfo;
use serde_json::{Value, json};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    NotFound,
    AlreadyExists,
    Conflict,
    Invalid,
    /// Watch or list from a compacted revision: `Expired`, 410.
    Expired,
    Gone,
    BadRequest,
    Forbidden,
    MethodNotAllowed,
    RequestEntityTooLarge,
    UnsupportedMediaType,
    NotAcceptable,
    InternalError,
    Timeout,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::NotFound => "NotFound",
            Reason::AlreadyExists => "AlreadyExists",
            Reason::Conflict => "Conflict",
            Reason::Invalid => "Invalid",
            Reason::Expired => "Expired",
            Reason::Gone => "Gone",
            Reason::BadRequest => "BadRequest",
            Reason::Forbidden => "Forbidden",
            Reason::MethodNotAllowed => "MethodNotAllowed",
            Reason::RequestEntityTooLarge => "RequestEntityTooLarge",
            Reason::UnsupportedMediaType => "UnsupportedMediaType",
            Reason::NotAcceptable => "NotAcceptable",
            Reason::InternalError => "InternalError",
            Reason::Timeout => "Timeout",
        }
    }
}

/// The `details` of a Status.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Details {
    pub name: String,
    pub group: String,
    /// The plural resource (`pods`) for most errors, the Kind for `Invalid`.
    pub kind: String,
    pub causes: Vec<FieldError>,
}

/// A failed API call: what kube-apiserver returns as a `Status` object.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    pub code: u16,
    pub reason: Reason,
    pub message: String,
    pub details: Option<Details>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}
impl std::error::Error for ApiError {}

impl ApiError {
    fn simple(code: u16, reason: Reason, message: String) -> ApiError {
        ApiError { code, reason, message, details: None }
    }
    fn about(code: u16, reason: Reason, message: String, info: &KindInfo, name: &str) -> ApiError {
        ApiError {
            code,
            reason,
            message,
            details: Some(Details { name: name.to_string(), group: info.group.to_string(), kind: info.plural.to_string(), causes: vec![] }),
        }
    }
    /// `pods "x" not found`
    pub fn not_found(info: &KindInfo, name: &str) -> ApiError {
        Self::about(404, Reason::NotFound, format!("{} \"{}\" not found", info.qualified_plural(), name), info, name)
    }
    /// `namespaces "x" not found` — also used when the target namespace is missing.
    pub fn already_exists(info: &KindInfo, name: &str) -> ApiError {
        Self::about(409, Reason::AlreadyExists, format!("{} \"{}\" already exists", info.qualified_plural(), name), info, name)
    }
    /// Optimistic-concurrency failure on update.
    pub fn conflict(info: &KindInfo, name: &str, why: &str) -> ApiError {
        Self::about(
            409,
            Reason::Conflict,
            format!("Operation cannot be fulfilled on {} \"{}\": {}", info.qualified_plural(), name, why),
            info,
            name,
        )
    }
    pub const MODIFIED: &'static str = "the object has been modified; please apply your changes to the latest version and try again";

    /// `Deployment.apps "x" is invalid: spec.replicas: ...` (NewInvalid).
    pub fn invalid(info: &KindInfo, name: &str, causes: Vec<FieldError>) -> ApiError {
        let qualified_kind = if info.group.is_empty() { info.name.to_string() } else { format!("{}.{}", info.name, info.group) };
        let list = if causes.len() == 1 {
            causes[0].to_string()
        } else {
            format!("[{}]", causes.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", "))
        };
        ApiError {
            code: 422,
            reason: Reason::Invalid,
            message: format!("{qualified_kind} \"{name}\" is invalid: {list}"),
            details: Some(Details { name: name.to_string(), group: info.group.to_string(), kind: info.name.to_string(), causes }),
        }
    }
    /// A watch or list from a revision older than the compacted one.
    pub fn expired(requested: u64, oldest: u64) -> ApiError {
        Self::simple(410, Reason::Expired, format!("too old resource version: {requested} ({oldest})"))
    }
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        Self::simple(400, Reason::BadRequest, message.into())
    }
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        Self::simple(403, Reason::Forbidden, message.into())
    }
    /// `Forbidden` about one object: `<resource> "<name>" is forbidden: <why>`.
    pub fn forbidden_object(info: &KindInfo, name: &str, why: &str) -> ApiError {
        Self::about(403, Reason::Forbidden, format!("{} \"{}\" is forbidden: {}", info.qualified_plural(), name, why), info, name)
    }
    /// NewRequestEntityTooLargeError: `Request entity too large: <why>`.
    pub fn too_large(message: impl Into<String>) -> ApiError {
        Self::simple(413, Reason::RequestEntityTooLarge, format!("Request entity too large: {}", message.into()))
    }
    pub fn internal(message: impl Into<String>) -> ApiError {
        Self::simple(500, Reason::InternalError, format!("Internal error occurred: {}", message.into()))
    }
    pub fn method_not_allowed(message: impl Into<String>) -> ApiError {
        Self::simple(405, Reason::MethodNotAllowed, message.into())
    }

    /// The error as the `Status` object the REST API returns.
    pub fn to_status(&self) -> Value {
        let mut status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason.as_str(),
            "code": self.code,
        });
        if let Some(d) = &self.details {
            let mut details = serde_json::Map::new();
            if !d.name.is_empty() {
                details.insert("name".into(), json!(d.name));
            }
            if !d.group.is_empty() {
                details.insert("group".into(), json!(d.group));
            }
            details.insert("kind".into(), json!(d.kind));
            if !d.causes.is_empty() {
                let causes: Vec<Value> = d
                    .causes
                    .iter()
                    .map(|c| json!({"reason": c.cause_reason(), "message": c.body(), "field": c.path}))
                    .collect();
                details.insert("causes".into(), Value::Array(causes));
            }
            status["details"] = Value::Object(details);
        }
        status
    }
}
