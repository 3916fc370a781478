//! Response bodies written straight to bytes from the typed objects and
//! tables (serde's derive-free writers of k8s-openapi), rather than through
//! a `serde_json::Value` tree: a list of 1,000 pods is 3 MB of JSON, and
//! building it as a tree first cost most of the time of a request.

use apimachinery::{Kind, Object};
use apiserver::table::{Cell, Table};
use serde_json::Value;

/// The object's JSON (`apiVersion` and `kind` first, as k8s-openapi writes).
pub fn object_json(obj: &Object, out: &mut Vec<u8>) {
    let written = obj.write_json(&mut *out);
    // Writing into a Vec cannot fail, and k8s-openapi types always serialise.
    debug_assert!(written.is_ok());
}

/// An item of a typed list: its JSON without `apiVersion` and `kind` (a
/// typed list's items have an empty TypeMeta).
pub fn list_item_json(obj: &Object, out: &mut Vec<u8>) {
    let start = out.len();
    object_json(obj, out);
    let info = obj.kind().info();
    let type_meta = format!("{{\"apiVersion\":\"{}\",\"kind\":\"{}\",", info.api_version, info.name);
    if out[start..].starts_with(type_meta.as_bytes()) {
        out.drain(start + 1..start + type_meta.len());
    }
}

/// A typed list: `{"kind":"PodList","apiVersion":"v1","metadata":…,"items":[…]}`.
pub fn list_json(kind: Kind, items: &[std::sync::Arc<Object>], list_meta: &Value) -> Vec<u8> {
    let info = kind.info();
    let mut out = Vec::with_capacity(64 + items.len() * 3072);
    out.extend_from_slice(format!("{{\"kind\":\"{}List\",\"apiVersion\":\"{}\",\"metadata\":", info.name, info.api_version).as_bytes());
    let _ = serde_json::to_writer(&mut out, list_meta);
    out.extend_from_slice(b",\"items\":[");
    for (i, o) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        list_item_json(o, &mut out);
    }
    out.extend_from_slice(b"]}");
    out
}

/// A meta.k8s.io/v1 Table. Rows carry their object as `includeObject`
/// asks: `Metadata` (the default: a PartialObjectMetadata), `Object`, or
/// `None`. `columns` false writes `"columnDefinitions":null` (the watch's
/// later events, as the apiserver's watch encoder sends them).
pub fn table_json(table: &Table, include_object: Option<&str>, metadata: &Value, columns: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(256 + table.rows.len() * 640);
    out.extend_from_slice(b"{\"kind\":\"Table\",\"apiVersion\":\"meta.k8s.io/v1\",\"metadata\":");
    let _ = serde_json::to_writer(&mut out, metadata);
    out.extend_from_slice(b",\"columnDefinitions\":");
    if columns {
        out.push(b'[');
        for (i, c) in table.columns.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            let column = serde_json::json!({"name": c.name, "type": c.type_, "format": c.format, "description": c.description, "priority": c.priority});
            let _ = serde_json::to_writer(&mut out, &column);
        }
        out.push(b']');
    } else {
        out.extend_from_slice(b"null");
    }
    out.extend_from_slice(b",\"rows\":[");
    for (i, r) in table.rows.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"cells\":[");
        for (j, c) in r.cells.iter().enumerate() {
            if j > 0 {
                out.push(b',');
            }
            let _ = match c {
                Cell::Str(s) => serde_json::to_writer(&mut out, s.as_ref()),
                Cell::Int(n) => serde_json::to_writer(&mut out, n),
            };
        }
        out.push(b']');
        match include_object {
            Some("None") => {}
            Some("Object") => {
                out.extend_from_slice(b",\"object\":");
                object_json(&r.object, &mut out);
            }
            _ => {
                out.extend_from_slice(b",\"object\":{\"kind\":\"PartialObjectMetadata\",\"apiVersion\":\"meta.k8s.io/v1\",\"metadata\":");
                let _ = serde_json::to_writer(&mut out, r.object.meta());
                out.push(b'}');
            }
        }
        out.push(b'}');
    }
    out.extend_from_slice(b"]}");
    out
}
