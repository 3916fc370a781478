//! JSON → typed object, with the field path of the first problem, as the
//! API server's decoder reports it (`spec.replicas: invalid type: string
//! "three", expected i32`).
//!
//! The value is decoded from its pretty-printed text, so that each field
//! sits on its own line: serde_json reports where it stopped, and the line
//! is mapped back to a path. Decoding through one deserializer (serde_json
//! over text) for every API type keeps the wasm small: a path-tracking
//! wrapper deserializer would instantiate every type's decoder a second
//! time (see BENCHMARKS.md, "where the wasm's bytes go").

use serde::de::DeserializeOwned;
use serde_json::Value;

/// Decodes `value` as a `T`; the error is `path: message` (or the bare
/// message for a problem at the top).
pub fn decode<T: DeserializeOwned>(value: &Value) -> Result<T, String> {
    let text = serde_json::to_string_pretty(value).expect("a JSON value always prints");
    serde_json::from_str::<T>(&text).map_err(|e| {
        let message = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        let message = message.strip_suffix(&suffix).unwrap_or(&message).to_string();
        match path_at(&text, e.line()) {
            Some(path) if !path.is_empty() => format!("{path}: {message}"),
            _ => message,
        }
    })
}

#[derive(Debug)]
enum Frame {
    /// An object reached through `key` (None at the top or in an array).
    Object(Option<String>),
    /// An array reached through `key`, and the index of its current element.
    Array(Option<String>, Option<usize>),
}

/// The path of the field on 1-based `line` of `serde_json::to_string_pretty`
/// output: `spec.template.spec.containers[0].image`. A line that closes an
/// object names the object (a missing field is reported there).
fn path_at(text: &str, line: usize) -> Option<String> {
    let mut stack: Vec<Frame> = vec![];
    for (i, raw) in text.lines().enumerate() {
        let here = i + 1 == line;
        let t = raw.trim();
        // In an array, every element starts a new index.
        let element_start = !t.starts_with(']') && !t.starts_with('}');
        if element_start && let Some(Frame::Array(_, index)) = stack.last_mut() {
            *index = Some(index.map_or(0, |n| n + 1));
        }
        // `"key": value` — the key is a JSON string; find its end.
        let (key, rest) = if t.starts_with('"') && !matches!(stack.last(), Some(Frame::Array(..))) {
            match serde_json::Deserializer::from_str(t).into_iter::<String>().next() {
                Some(Ok(k)) => {
                    let len = serde_json::to_string(&k).map(|s| s.len()).unwrap_or(0);
                    (Some(k), t[len.min(t.len())..].trim_start_matches(':').trim())
                }
                _ => (None, t),
            }
        } else {
            (None, t)
        };
        if here {
            let mut path = render(&stack);
            if let Some(k) = &key {
                push_key(&mut path, k);
            }
            return Some(path);
        }
        if rest.starts_with('{') && !rest.starts_with("{}") {
            stack.push(Frame::Object(key));
        } else if rest.starts_with('[') && !rest.starts_with("[]") {
            stack.push(Frame::Array(key, None));
        } else if t.starts_with('}') || t.starts_with(']') {
            stack.pop();
        }
    }
    None
}

fn push_key(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
}

fn render(stack: &[Frame]) -> String {
    let mut path = String::new();
    for f in stack {
        match f {
            Frame::Object(Some(k)) | Frame::Array(Some(k), _) => push_key(&mut path, k),
            _ => {}
        }
        if let Frame::Array(_, Some(i)) = f {
            path.push_str(&format!("[{i}]"));
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::Deployment;
    use k8s_openapi::api::core::v1::Pod;
    use serde_json::json;

    #[test]
    fn errors_name_the_field_path() {
        let cases: Vec<(Value, &str)> = vec![
            (json!({"spec": {"replicas": "three"}}), "spec.replicas: invalid type: string \"three\", expected i32"),
            (json!({"spec": {"replicas": 5_000_000_000u64}}), "spec.replicas: invalid value: integer `5000000000`, expected i32"),
            (json!({"metadata": {"labels": {"enabled": true}}}), "metadata.labels.enabled: invalid type: boolean `true`, expected a string"),
            (
                json!({"spec": {"selector": {}, "template": {"spec": {"containers": [{"name": "a", "image": "x"}, {"name": "b", "ports": [{"containerPort": "80"}]}]}}}}),
                "spec.template.spec.containers[1].ports[0].containerPort: invalid type: string \"80\", expected i32",
            ),
            (json!({"spec": {"selector": {}, "template": {"spec": {"containers": [{"name": "a", "image": "x"}], "nodeSelector": {"a.b/c": 1}}}}}), "spec.template.spec.nodeSelector.a.b/c: invalid type: integer `1`, expected a string"),
            (json!({"spec": "x"}), "spec: invalid type: string \"x\", expected DeploymentSpec"),
        ];
        for (v, want) in cases {
            assert_eq!(decode::<Deployment>(&v).unwrap_err(), want, "{v}");
        }
        let pod: Pod = decode(&json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c"}]}})).unwrap();
        assert_eq!(pod.metadata.name.as_deref(), Some("p"));
    }
}
