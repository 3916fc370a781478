//! The generic describer for kinds kubectl has no describer of its own for
//! (genericDescriber, printUnstructuredContent, smartLabelFor), and the small
//! ConfigMap and ServiceAccount describers (pkg/describe/describe.go).

use super::events;
use super::prefix_writer::{LEVEL_0, PrefixWriter};
use super::{Settings, print_annotations_multiline, print_labels_multiline};
use apimachinery::Object;
use apimachinery::k8s_openapi::api::core::v1::{ConfigMap, ServiceAccount};
use apiserver::ApiServer;
use serde_json::Value;

/// Bound on nesting printed by the generic describer; API objects are far
/// shallower, so this only guards against pathological data.
const MAX_DEPTH: usize = 64;

pub fn describe(api: &ApiServer, o: &Object, settings: &Settings) -> String {
    let m = o.meta();
    let mut w = PrefixWriter::new();
    w.write(LEVEL_0, &format!("Name:\t{}\n", o.name()));
    w.write(LEVEL_0, &format!("Namespace:\t{}\n", o.namespace()));
    print_labels_multiline(&mut w, "Labels", m.labels.as_ref());
    print_annotations_multiline(&mut w, "Annotations", m.annotations.as_ref());
    if let Value::Object(content) = o.to_value() {
        let skip = [".metadata.managedFields", ".metadata.name", ".metadata.namespace", ".metadata.labels", ".metadata.annotations"];
        print_unstructured(&mut w, 0, &content, "", &skip);
    }
    if settings.show_events {
        events::describe(api, events::search_object(api, o), &mut w);
    }
    w.into_tabbed()
}

/// printUnstructuredContent: fields sorted by name, maps and lists as
/// indented sections, scalars as `Label:\tvalue`.
fn print_unstructured(w: &mut PrefixWriter, level: usize, content: &serde_json::Map<String, Value>, skip_prefix: &str, skip: &[&str]) {
    if level > MAX_DEPTH {
        return;
    }
    let mut fields: Vec<&String> = content.keys().collect();
    apimachinery::sort::sort(&mut fields);
    for field in fields {
        let skip_expr = format!("{skip_prefix}.{field}");
        if skip.contains(&skip_expr.as_str()) {
            continue;
        }
        match &content[field] {
            Value::Object(map) => {
                w.write(level, &format!("{}:\n", smart_label_for(field)));
                print_unstructured(w, level + 1, map, &skip_expr, skip);
            }
            Value::Array(items) => {
                w.write(level, &format!("{}:\n", smart_label_for(field)));
                for child in items {
                    match child {
                        Value::Object(map) => print_unstructured(w, level + 1, map, &skip_expr, skip),
                        other => w.write(level + 1, &format!("{}\n", go_value(other))),
                    }
                }
            }
            other => w.write(level, &format!("{}:\t{}\n", smart_label_for(field), go_value(other))),
        }
    }
}

/// A JSON scalar as Go's `%v` prints the unstructured value.
fn go_value(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".to_string(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum CharClass {
    Lower,
    Upper,
    Digit,
    Other,
}

fn class_of(c: char) -> CharClass {
    if c.is_lowercase() {
        CharClass::Lower
    } else if c.is_uppercase() {
        CharClass::Upper
    } else if c.is_numeric() {
        CharClass::Digit
    } else {
        CharClass::Other
    }
}

/// fatih/camelcase.Split: runs of one character class, with the last
/// capital of an upper-case run moved to a following lower-case run
/// (`PDFLoader` → `PDF`, `Loader`).
fn camelcase_split(s: &str) -> Vec<String> {
    let mut runs: Vec<Vec<char>> = vec![];
    let mut last: Option<CharClass> = None;
    for c in s.chars() {
        let class = class_of(c);
        match runs.last_mut() {
            Some(run) if last == Some(class) => run.push(c),
            _ => runs.push(vec![c]),
        }
        last = Some(class);
    }
    for i in 0..runs.len().saturating_sub(1) {
        let upper_then_lower = runs[i].first().is_some_and(|c| c.is_uppercase()) && runs[i + 1].first().is_some_and(|c| c.is_lowercase());
        if !upper_then_lower {
            continue;
        }
        if let Some(moved) = runs[i].pop() {
            runs[i + 1].insert(0, moved);
        }
    }
    runs.into_iter().filter(|r| !r.is_empty()).map(|r| r.into_iter().collect()).collect()
}

/// smartLabelFor: `holderIdentity` → `Holder Identity`, `apiVersion` →
/// `API Version`, `uid` → `UID`.
fn smart_label_for(field: &str) -> String {
    if field.chars().any(|c| !c.is_alphabetic() && c != '-') {
        return field.to_string();
    }
    const ACRONYMS: [&str; 4] = ["API", "URL", "UID", "GUID"];
    let parts = camelcase_split(field);
    let mut merged: Vec<String> = vec![];
    let mut i = 0;
    while i < parts.len() {
        let part = &parts[i];
        if let Some(next) = parts.get(i + 1) {
            let all_upper = part.chars().all(|c| !c.is_alphabetic() || c.is_uppercase());
            if part.len() >= 2 && all_upper && next.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
                merged.push(format!("{part}{next}"));
                i += 2;
                continue;
            }
        }
        merged.push(part.clone());
        i += 1;
    }
    let mut result = vec![];
    for part in merged {
        if part == "_" {
            continue;
        }
        let upper = part.to_uppercase();
        if ACRONYMS.contains(&upper.as_str()) {
            result.push(upper);
        } else if part.to_lowercase() == part {
            let mut chars = part.chars();
            let titled = match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => String::new(),
            };
            result.push(titled);
        } else {
            result.push(part);
        }
    }
    result.join(" ")
}

/// ConfigMapDescriber.
pub fn describe_config_map(api: &ApiServer, cm: &ConfigMap, settings: &Settings) -> String {
    let m = &cm.metadata;
    let mut w = PrefixWriter::new();
    w.write(LEVEL_0, &format!("Name:\t{}\n", m.name.as_deref().unwrap_or("")));
    w.write(LEVEL_0, &format!("Namespace:\t{}\n", m.namespace.as_deref().unwrap_or("")));
    print_labels_multiline(&mut w, "Labels", m.labels.as_ref());
    print_annotations_multiline(&mut w, "Annotations", m.annotations.as_ref());
    w.write(LEVEL_0, "\nData\n====\n");
    for (k, v) in cm.data.iter().flatten() {
        w.write(LEVEL_0, &format!("{k}:\n----\n"));
        w.write(LEVEL_0, &format!("{v}\n"));
        w.write(LEVEL_0, "\n");
    }
    w.write(LEVEL_0, "\nBinaryData\n====\n");
    for (k, v) in cm.binary_data.iter().flatten() {
        w.write(LEVEL_0, &format!("{k}: {} bytes\n", v.0.len()));
    }
    w.write(LEVEL_0, "\n");
    if settings.show_events {
        events::describe(api, events::search_object(api, &Object::ConfigMap(cm.clone())), &mut w);
    }
    w.into_tabbed()
}

/// ServiceAccountDescriber (1.37: image pull secrets only).
pub fn describe_service_account(api: &ApiServer, sa: &ServiceAccount, settings: &Settings) -> String {
    let m = &sa.metadata;
    let mut w = PrefixWriter::new();
    w.write(LEVEL_0, &format!("Name:\t{}\n", m.name.as_deref().unwrap_or("")));
    w.write(LEVEL_0, &format!("Namespace:\t{}\n", m.namespace.as_deref().unwrap_or("")));
    print_labels_multiline(&mut w, "Labels", m.labels.as_ref());
    print_annotations_multiline(&mut w, "Annotations", m.annotations.as_ref());
    let names: Vec<String> = sa.image_pull_secrets.iter().flatten().map(|s| s.name.clone()).collect();
    if names.is_empty() {
        w.write(LEVEL_0, "Image pull secrets:\t<none>\n");
    } else {
        let mut header = "Image pull secrets:";
        for n in &names {
            w.write(LEVEL_0, &format!("{header}\t{n}\n"));
            header = "                   ";
        }
    }
    if settings.show_events {
        events::describe(api, events::search_object(api, &Object::ServiceAccount(sa.clone())), &mut w);
    }
    w.into_tabbed()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smart_labels() {
        let got: Vec<String> = ["holderIdentity", "apiVersion", "uid", "kind", "leaseDurationSeconds", "involvedObject", "APIVersion", "fieldPath", "x_y", "podIPs"]
            .iter()
            .map(|f| smart_label_for(f))
            .collect();
        assert_eq!(got, ["Holder Identity", "API Version", "UID", "Kind", "Lease Duration Seconds", "Involved Object", "APIVersion", "Field Path", "x_y", "Pod I Ps"]);
    }
}
