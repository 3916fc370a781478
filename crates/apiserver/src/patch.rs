//! PATCH bodies: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and
//! strategic merge patch with the patch strategies and merge keys of the
//! Kubernetes types (k8s.io/apimachinery/pkg/util/strategicpatch).

use apimachinery::{ApiError, Kind};
use serde_json::{Map, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatchType {
    Merge,
    StrategicMerge,
    Json,
}

impl PatchType {
    pub fn from_content_type(ct: &str) -> Option<PatchType> {
        match ct.split(';').next().unwrap_or("").trim() {
            "application/merge-patch+json" => Some(PatchType::Merge),
            "application/strategic-merge-patch+json" => Some(PatchType::StrategicMerge),
            "application/json-patch+json" => Some(PatchType::Json),
            _ => None,
        }
    }
}

/// Patches longer than this many operations are refused, as kube-apiserver does.
pub const MAX_JSON_PATCH_OPERATIONS: usize = 10_000;

pub fn apply(_kind: Kind, doc: &mut Value, patch_type: PatchType, body: &Value) -> Result<(), ApiError> {
    match patch_type {
        PatchType::Merge => {
            if !body.is_object() {
                return Err(ApiError::bad_request("error decoding patch: json: cannot unmarshal array into Go value of type map[string]interface {}"));
            }
            json_patch::merge(doc, body);
            Ok(())
        }
        PatchType::Json => {
            let ops = body.as_array().ok_or_else(|| ApiError::bad_request("error decoding patch: json: cannot unmarshal object into Go value of type jsonpatch.Patch"))?;
            if ops.len() > MAX_JSON_PATCH_OPERATIONS {
                return Err(ApiError::too_large(format!("The allowed maximum operations in a JSON patch is {MAX_JSON_PATCH_OPERATIONS}, got {}", ops.len())));
            }
            let p: json_patch::Patch = serde_json::from_value(body.clone()).map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))?;
            json_patch::patch(doc, &p).map_err(|e| ApiError::internal(e.to_string()))
        }
        PatchType::StrategicMerge => {
            let Value::Object(p) = body else {
                return Err(ApiError::bad_request("error decoding patch: json: cannot unmarshal array into Go value of type map[string]interface {}"));
            };
            strategic_merge(doc, p, &[]);
            Ok(())
        }
    }
}

/// How a list field merges: by a key, as a set of primitives, or replaced.
#[derive(Clone, Copy, Debug, PartialEq)]
enum ListStrategy {
    Replace,
    MergeByKey(&'static str),
    MergePrimitives,
}

/// The `patchStrategy`/`patchMergeKey` tags of the list fields kubectl
/// patches, looked up by field name and the name of the enclosing field.
fn list_strategy(field: &str, parents: &[String]) -> ListStrategy {
    let parent = parents.last().map(String::as_str).unwrap_or("");
    match field {
        "containers" | "initContainers" | "ephemeralContainers" | "imagePullSecrets" | "volumes" | "env" | "resourceClaims" | "schedulingGates" => {
            ListStrategy::MergeByKey("name")
        }
        // Container ports merge by containerPort; Service ports by port.
        "ports" if parent == "containers" || parent == "initContainers" || parent == "ephemeralContainers" => ListStrategy::MergeByKey("containerPort"),
        "ports" if parent == "spec" && parents.len() == 1 => ListStrategy::MergeByKey("port"),
        "volumeMounts" => ListStrategy::MergeByKey("mountPath"),
        "volumeDevices" => ListStrategy::MergeByKey("devicePath"),
        "hostAliases" => ListStrategy::MergeByKey("ip"),
        "conditions" => ListStrategy::MergeByKey("type"),
        "addresses" if parent == "status" => ListStrategy::MergeByKey("type"),
        "ownerReferences" => ListStrategy::MergeByKey("uid"),
        "taints" => ListStrategy::MergeByKey("key"),
        "topologySpreadConstraints" => ListStrategy::MergeByKey("topologyKey"),
        "finalizers" => ListStrategy::MergePrimitives,
        _ => ListStrategy::Replace,
    }
}

fn strategic_merge(doc: &mut Value, patch: &Map<String, Value>, parents: &[String]) {
    if patch.get("$patch").and_then(Value::as_str) == Some("replace") {
        let mut p = patch.clone();
        p.remove("$patch");
        *doc = Value::Object(p);
        return;
    }
    if !doc.is_object() {
        *doc = Value::Object(Map::new());
    }
    let Value::Object(target) = doc else { return };
    let mut orders: Vec<(String, Vec<Value>)> = vec![];
    for (k, v) in patch {
        if k == "$patch" {
            continue;
        }
        if k == "$retainKeys" {
            if let Value::Array(keep) = v {
                let keep: Vec<&str> = keep.iter().filter_map(Value::as_str).collect();
                target.retain(|key, _| keep.contains(&key.as_str()) || patch.contains_key(key));
            }
            continue;
        }
        if let Some(field) = k.strip_prefix("$setElementOrder/") {
            if let Value::Array(order) = v {
                orders.push((field.to_string(), order.clone()));
            }
            continue;
        }
        if let Some(field) = k.strip_prefix("$deleteFromPrimitiveList/") {
            if let (Some(Value::Array(list)), Value::Array(remove)) = (target.get_mut(field), v) {
                list.retain(|x| !remove.contains(x));
            }
            continue;
        }
        if v.is_null() {
            target.remove(k);
            continue;
        }
        let mut child_parents = parents.to_vec();
        child_parents.push(k.clone());
        match v {
            Value::Object(pm) => {
                if pm.get("$patch").and_then(Value::as_str) == Some("delete") {
                    target.remove(k);
                    continue;
                }
                let entry = target.entry(k.clone()).or_insert(Value::Object(Map::new()));
                strategic_merge(entry, pm, &child_parents);
            }
            Value::Array(items) => match list_strategy(k, parents) {
                ListStrategy::Replace => {
                    target.insert(k.clone(), v.clone());
                }
                ListStrategy::MergePrimitives => {
                    let entry = target.entry(k.clone()).or_insert(Value::Array(vec![]));
                    if let Value::Array(list) = entry {
                        for x in items {
                            if !list.contains(x) {
                                list.push(x.clone());
                            }
                        }
                    }
                }
                ListStrategy::MergeByKey(key) => {
                    let entry = target.entry(k.clone()).or_insert(Value::Array(vec![]));
                    if !entry.is_array() {
                        *entry = Value::Array(vec![]);
                    }
                    let Value::Array(list) = entry else { continue };
                    if items.iter().any(|i| i.get("$patch").and_then(Value::as_str) == Some("replace")) {
                        *list = items.iter().filter(|i| i.get("$patch").is_none()).cloned().collect();
                        continue;
                    }
                    for item in items {
                        let id = item.get(key);
                        let pos = id.and_then(|id| list.iter().position(|x| x.get(key) == Some(id)));
                        let is_delete = item.get("$patch").and_then(Value::as_str) == Some("delete");
                        match (pos, is_delete) {
                            (Some(p), true) => {
                                list.remove(p);
                            }
                            (None, true) => {}
                            (Some(p), false) => {
                                if let Value::Object(im) = item {
                                    strategic_merge(&mut list[p], im, &child_parents);
                                }
                            }
                            (None, false) => {
                                let mut fresh = Value::Object(Map::new());
                                if let Value::Object(im) = item {
                                    strategic_merge(&mut fresh, im, &child_parents);
                                }
                                list.push(fresh);
                            }
                        }
                    }
                }
            },
            _ => {
                target.insert(k.clone(), v.clone());
            }
        }
    }
    for (field, order) in orders {
        let key = match list_strategy(&field, parents) {
            ListStrategy::MergeByKey(key) => Some(key),
            _ => None,
        };
        if let Some(Value::Array(list)) = target.get_mut(&field) {
            let rank = |x: &Value| -> usize {
                let id = match key {
                    Some(k) => x.get(k).cloned(),
                    None => Some(x.clone()),
                };
                order.iter().position(|o| match key {
                    Some(k) => o.get(k).cloned() == id,
                    None => Some(o.clone()) == id,
                }).unwrap_or(usize::MAX)
            };
            apimachinery::sort::sort_by_key(list, |x| rank(x));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strategic_merge_of_containers() {
        let mut doc = json!({"spec": {"template": {"spec": {"containers": [{"name": "a", "image": "nginx:1"}, {"name": "b", "image": "redis"}]}}}, "metadata": {"finalizers": ["x"]}});
        let patch = json!({"spec": {"template": {"spec": {"$setElementOrder/containers": [{"name": "b"}, {"name": "a"}], "containers": [{"name": "a", "image": "nginx:2"}]}}}, "metadata": {"finalizers": ["y"]}});
        apply(Kind::Deployment, &mut doc, PatchType::StrategicMerge, &patch).unwrap();
        assert_eq!(
            doc,
            json!({"spec": {"template": {"spec": {"containers": [{"name": "b", "image": "redis"}, {"name": "a", "image": "nginx:2"}]}}}, "metadata": {"finalizers": ["x", "y"]}})
        );
        let del = json!({"spec": {"template": {"spec": {"containers": [{"name": "b", "$patch": "delete"}]}}}});
        apply(Kind::Deployment, &mut doc, PatchType::StrategicMerge, &del).unwrap();
        assert_eq!(doc["spec"]["template"]["spec"]["containers"], json!([{"name": "a", "image": "nginx:2"}]));
    }
}
