//! Field errors as k8s.io/apimachinery/pkg/util/validation/field prints them:
//! `spec.replicas: Invalid value: -1: must be greater than or equal to 0`.

use std::fmt;

/// A value quoted in an error, printed the way Go's `%#v`/`%v` does for it.
#[derive(Clone, Debug, PartialEq)]
pub enum BadValue {
    Str(String),
    Int(i64),
    /// Maps, lists and structs print as JSON since Kubernetes 1.34: `{"app":"web"}`.
    Json(serde_json::Value),
    /// Printed verbatim (already formatted).
    Raw(String),
}

impl fmt::Display for BadValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BadValue::Str(s) => write!(f, "{}", go_quote(s)),
            BadValue::Int(i) => write!(f, "{i}"),
            BadValue::Json(v) => write!(f, "{v}"),
            BadValue::Raw(s) => write!(f, "{s}"),
        }
    }
}

/// Go's `%q` for the strings that appear in API errors.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[derive(Clone, Debug, PartialEq)]
pub enum ErrorType {
    Required,
    Invalid(BadValue),
    Unsupported(BadValue, Vec<String>),
    Forbidden,
    Duplicate(BadValue),
    NotFound(BadValue),
    /// `Too long: may not be more than N bytes` (the limit is in the detail).
    TooLong,
    /// An internal error, `Internal error: ...`.
    Internal,
}

/// One field error: `path: body`.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldError {
    pub path: String,
    pub error_type: ErrorType,
    pub detail: String,
}

impl FieldError {
    pub fn required(path: impl Into<String>, detail: impl Into<String>) -> Self {
        FieldError { path: path.into(), error_type: ErrorType::Required, detail: detail.into() }
    }
    pub fn invalid(path: impl Into<String>, value: BadValue, detail: impl Into<String>) -> Self {
        FieldError { path: path.into(), error_type: ErrorType::Invalid(value), detail: detail.into() }
    }
    pub fn unsupported(path: impl Into<String>, value: BadValue, supported: &[&str]) -> Self {
        FieldError {
            path: path.into(),
            error_type: ErrorType::Unsupported(value, supported.iter().map(|s| s.to_string()).collect()),
            detail: String::new(),
        }
    }
    pub fn forbidden(path: impl Into<String>, detail: impl Into<String>) -> Self {
        FieldError { path: path.into(), error_type: ErrorType::Forbidden, detail: detail.into() }
    }
    pub fn duplicate(path: impl Into<String>, value: BadValue) -> Self {
        FieldError { path: path.into(), error_type: ErrorType::Duplicate(value), detail: String::new() }
    }
    pub fn not_found(path: impl Into<String>, value: BadValue) -> Self {
        FieldError { path: path.into(), error_type: ErrorType::NotFound(value), detail: String::new() }
    }
    /// `field is immutable`, as apimachinery's ValidateImmutableField says it.
    pub fn immutable(path: impl Into<String>, value: BadValue) -> Self {
        Self::invalid(path, value, "field is immutable")
    }

    /// The `reason` of the matching `StatusCause` (`FieldValueRequired`, ...).
    pub fn cause_reason(&self) -> &'static str {
        match self.error_type {
            ErrorType::Required => "FieldValueRequired",
            ErrorType::Invalid(_) => "FieldValueInvalid",
            ErrorType::Unsupported(..) => "FieldValueNotSupported",
            ErrorType::Forbidden => "FieldValueForbidden",
            ErrorType::Duplicate(_) => "FieldValueDuplicate",
            ErrorType::NotFound(_) => "FieldValueNotFound",
            ErrorType::TooLong => "FieldValueTooLong",
            ErrorType::Internal => "InternalError",
        }
    }

    /// The error without its path, as `StatusCause.message` carries it.
    pub fn body(&self) -> String {
        let mut s = match &self.error_type {
            ErrorType::Required => "Required value".to_string(),
            ErrorType::Invalid(v) => format!("Invalid value: {v}"),
            ErrorType::Unsupported(v, supported) => {
                let list: Vec<String> = supported.iter().map(|s| go_quote(s)).collect();
                format!("Unsupported value: {v}: supported values: {}", list.join(", "))
            }
            ErrorType::Forbidden => "Forbidden".to_string(),
            ErrorType::Duplicate(v) => format!("Duplicate value: {v}"),
            ErrorType::NotFound(v) => format!("Not found: {v}"),
            ErrorType::TooLong => "Too long".to_string(),
            ErrorType::Internal => "Internal error".to_string(),
        };
        if !self.detail.is_empty() {
            s.push_str(": ");
            s.push_str(&self.detail);
        }
        s
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.body())
    }
}

pub type FieldErrors = Vec<FieldError>;
