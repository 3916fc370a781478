//! Discovery, version and OpenAPI documents, built from
//! `apimachinery::kinds::KINDS` — the one table of served kinds.
//!
//! Shapes follow k8s.io/apiserver/pkg/endpoints/discovery (legacy
//! APIVersions / APIGroupList / APIResourceList) and
//! discovery/aggregated (apidiscovery.k8s.io v2 APIGroupDiscoveryList).

use crate::http::{DISCOVERY_V2, DISCOVERY_V2BETA1, Reply, Request};
use apimachinery::{Kind, KindInfo, kinds::KINDS};
use serde_json::{Value, json};

/// The verbs of a plain resource (registry/generic Store with every interface).
const ALL_VERBS: &[&str] = &["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
/// Namespaces have no deletecollection (registry/core/namespace/storage).
const NAMESPACE_VERBS: &[&str] = &["create", "delete", "get", "list", "patch", "update", "watch"];
const STATUS_VERBS: &[&str] = &["get", "patch", "update"];

/// Group versions in the order kube-apiserver's group priorities give
/// (legacy core first, then apps, networking.k8s.io, coordination.k8s.io,
/// discovery.k8s.io: kube-aggregator's apiVersionPriorities).
pub fn group_versions() -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&str, &str)> = vec![];
    for order in ["", "apps", "networking.k8s.io", "coordination.k8s.io", "discovery.k8s.io"] {
        for k in KINDS.iter().filter(|k| k.group == order) {
            if !out.contains(&(k.group, k.version)) {
                out.push((k.group, k.version));
            }
        }
    }
    // Any group added to KINDS later is still served, after the known ones.
    for k in KINDS {
        if !out.contains(&(k.group, k.version)) {
            out.push((k.group, k.version));
        }
    }
    out
}

fn verbs(info: &KindInfo) -> &'static [&'static str] {
    if info.kind == Kind::Namespace { NAMESPACE_VERBS } else { ALL_VERBS }
}

/// A subresource as discovery lists it: name, (group, version, kind) of
/// its object, verbs.
pub struct Subresource {
    pub name: &'static str,
    pub group: &'static str,
    pub version: &'static str,
    pub kind: &'static str,
    pub verbs: &'static [&'static str],
}

/// The subresources kubeplay serves for a kind.
pub fn subresources(kind: Kind) -> Vec<Subresource> {
    let info = kind.info();
    let status = Subresource { name: "status", group: info.group, version: info.version, kind: info.name, verbs: STATUS_VERBS };
    let scale = Subresource { name: "scale", group: "autoscaling", version: "v1", kind: "Scale", verbs: STATUS_VERBS };
    match kind {
        Kind::Pod => vec![
            Subresource { name: "binding", group: "", version: "v1", kind: "Binding", verbs: &["create"] },
            Subresource { name: "exec", group: "", version: "v1", kind: "PodExecOptions", verbs: &["create", "get"] },
            Subresource { name: "log", group: "", version: "v1", kind: "Pod", verbs: &["get"] },
            status,
        ],
        Kind::Deployment | Kind::ReplicaSet | Kind::ReplicationController => vec![scale, status],
        Kind::Namespace | Kind::Node | Kind::Service | Kind::DaemonSet | Kind::Ingress => vec![status],
        _ => vec![],
    }
}

fn strs(v: &[&str]) -> Value {
    json!(v)
}

/// `GET /api` (legacy): APIVersions.
pub fn api_versions(server_address: &str) -> Value {
    json!({"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}]})
}

/// `GET /apis` (legacy): APIGroupList.
pub fn api_group_list() -> Value {
    let groups: Vec<Value> = group_versions().iter().filter(|(g, _)| !g.is_empty()).map(|(g, v)| api_group(g, v)).collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

fn api_group(group: &str, version: &str) -> Value {
    let gv = json!({"groupVersion": format!("{group}/{version}"), "version": version});
    json!({"name": group, "versions": [gv.clone()], "preferredVersion": gv})
}

/// `GET /apis/<group>`: APIGroup.
pub fn group(group: &str) -> Option<Value> {
    let (g, v) = group_versions().into_iter().find(|(g, _)| *g == group && !g.is_empty())?;
    let mut doc = api_group(g, v);
    doc["kind"] = json!("APIGroup");
    doc["apiVersion"] = json!("v1");
    Some(doc)
}

/// `GET /api/v1`, `/apis/<g>/<v>`: APIResourceList, resources sorted by name.
pub fn resource_list(group: &str, version: &str) -> Option<Value> {
    let kinds: Vec<&KindInfo> = KINDS.iter().filter(|k| k.group == group && k.version == version).collect();
    if kinds.is_empty() {
        return None;
    }
    let mut resources: Vec<(String, Value)> = vec![];
    for k in kinds {
        let mut r = json!({
            "name": k.plural, "singularName": k.singular, "namespaced": k.namespaced, "kind": k.name, "verbs": strs(verbs(k)),
        });
        if !k.short_names.is_empty() {
            r["shortNames"] = strs(k.short_names);
        }
        if !k.categories.is_empty() {
            r["categories"] = strs(k.categories);
        }
        resources.push((k.plural.to_string(), r));
        for s in subresources(k.kind) {
            let mut r = json!({"name": format!("{}/{}", k.plural, s.name), "singularName": "", "namespaced": k.namespaced, "kind": s.kind, "verbs": strs(s.verbs)});
            if s.group != k.group || s.version != k.version {
                r["group"] = json!(s.group);
                r["version"] = json!(s.version);
            }
            resources.push((format!("{}/{}", k.plural, s.name), r));
        }
    }
    resources.sort_by(|a, b| a.0.cmp(&b.0));
    let gv = if group.is_empty() { version.to_string() } else { format!("{group}/{version}") };
    Some(json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources.into_iter().map(|(_, r)| r).collect::<Vec<_>>()}))
}

/// Aggregated discovery (`GET /api` or `/apis` with the APIGroupDiscoveryList
/// Accept): one entry per group, each with every resource of its version.
pub fn aggregated(legacy: bool, media_type: &str) -> Value {
    let api_version = if media_type == DISCOVERY_V2BETA1 { "apidiscovery.k8s.io/v2beta1" } else { "apidiscovery.k8s.io/v2" };
    let mut items = vec![];
    for (group, version) in group_versions().into_iter().filter(|(g, _)| g.is_empty() == legacy) {
        let mut resources: Vec<(&str, Value)> = vec![];
        for k in KINDS.iter().filter(|k| k.group == group && k.version == version) {
            let mut r = json!({
                "resource": k.plural,
                "responseKind": {"group": k.group, "version": k.version, "kind": k.name},
                "scope": if k.namespaced { "Namespaced" } else { "Cluster" },
                "singularResource": k.singular,
                "verbs": strs(verbs(k)),
            });
            if !k.short_names.is_empty() {
                r["shortNames"] = strs(k.short_names);
            }
            if !k.categories.is_empty() {
                r["categories"] = strs(k.categories);
            }
            let subs: Vec<Value> = subresources(k.kind)
                .iter()
                .map(|s| json!({"subresource": s.name, "responseKind": {"group": s.group, "version": s.version, "kind": s.kind}, "verbs": strs(s.verbs)}))
                .collect();
            if !subs.is_empty() {
                r["subresources"] = Value::Array(subs);
            }
            resources.push((k.plural, r));
        }
        resources.sort_by(|a, b| a.0.cmp(b.0));
        items.push(json!({
            "metadata": {"name": group, "creationTimestamp": null},
            "versions": [{"version": version, "resources": resources.into_iter().map(|(_, r)| r).collect::<Vec<_>>(), "freshness": "Current"}],
        }));
    }
    json!({"kind": "APIGroupDiscoveryList", "apiVersion": api_version, "metadata": {}, "items": items})
}

/// The reply to `GET /api` or `/apis`, negotiated on the Accept header:
/// aggregated discovery with its own Content-Type (kubectl decides how to
/// parse the body from it), else the legacy document.
pub fn root(req: &Request, legacy: bool, server_address: &str) -> Reply {
    match req.wants_aggregated_discovery() {
        Some(media) => {
            let ct = if media == DISCOVERY_V2 { DISCOVERY_V2 } else { DISCOVERY_V2BETA1 };
            Reply::json_as(200, ct, &aggregated(legacy, media))
        }
        None if legacy => Reply::json(200, &api_versions(server_address)),
        None => Reply::json(200, &api_group_list()),
    }
}

/// kube-apiserver's `/version` for v1.37 (k8s.io/apimachinery/pkg/version.Info).
pub fn version() -> Value {
    let minor = apimachinery::KUBERNETES_MINOR;
    let min_compat = minor.parse::<u32>().map(|m| m.saturating_sub(1).to_string()).unwrap_or_default();
    json!({
        "major": "1",
        "minor": minor,
        "emulationMajor": "1",
        "emulationMinor": minor,
        "minCompatibilityMajor": "1",
        "minCompatibilityMinor": min_compat,
        "gitVersion": apimachinery::KUBERNETES_VERSION,
        "gitCommit": "f78e722310e50bcaca9276be22276d9e91d91308",
        "gitTreeState": "clean",
        "buildDate": "2026-09-23T17:03:33Z",
        "goVersion": "go1.26.8",
        "compiler": "gc",
        "platform": "linux/amd64",
    })
}

/// The OpenAPI v3 path of a group version: `api/v1`, `apis/apps/v1`.
fn openapi_path(group: &str, version: &str) -> String {
    if group.is_empty() { format!("api/{version}") } else { format!("apis/{group}/{version}") }
}

/// A minimal OpenAPI v3 document for one group version: each resource's
/// PATCH operation with its GVK and the `fieldValidation` query parameter.
/// That is what kubectl's query-param verifier looks for
/// (cli-runtime/pkg/resource/query_param_verifier_v3.go): with it, kubectl
/// sends `fieldValidation=Strict` and leaves validation to the server, and
/// builds strategic-merge patches from its compiled-in types (no schemas).
pub fn openapi_group_version(group: &str, version: &str) -> Option<Value> {
    let kinds: Vec<&KindInfo> = KINDS.iter().filter(|k| k.group == group && k.version == version).collect();
    if kinds.is_empty() {
        return None;
    }
    let mut paths = serde_json::Map::new();
    let prefix = format!("/{}", openapi_path(group, version));
    for k in kinds {
        let path = if k.namespaced { format!("{prefix}/namespaces/{{namespace}}/{}/{{name}}", k.plural) } else { format!("{prefix}/{}/{{name}}", k.plural) };
        let op = json!({
            "x-kubernetes-group-version-kind": {"group": k.group, "version": k.version, "kind": k.name},
            "parameters": [{"name": "fieldValidation", "in": "query", "schema": {"type": "string", "uniqueItems": true}}],
            "responses": {"200": {"description": "OK"}},
        });
        paths.insert(path, json!({"patch": op}));
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": apimachinery::KUBERNETES_VERSION},
        "paths": paths,
        "components": {"schemas": {}},
    }))
}

/// FNV-1a 64 of a document, as the `hash=` of its serverRelativeURL (kube
/// uses a SHA-512 prefix; any content hash gives clients the same caching).
fn content_hash(v: &Value) -> String {
    let mut h = world::Fnv64::new();
    h.write(serde_json::to_string(v).unwrap_or_default().as_bytes());
    format!("{:016X}", h.finish())
}

/// `GET /openapi/v3`: the index of group-version documents.
pub fn openapi_index() -> Value {
    let mut paths = serde_json::Map::new();
    for (g, v) in group_versions() {
        let Some(doc) = openapi_group_version(g, v) else { continue };
        let p = openapi_path(g, v);
        paths.insert(p.clone(), json!({"serverRelativeURL": format!("/openapi/v3/{p}?hash={}", content_hash(&doc))}));
    }
    json!({"paths": paths})
}

/// `GET /openapi/v3/<path>`.
pub fn openapi_document(path: &str) -> Option<Value> {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match parts.as_slice() {
        ["api", v] => openapi_group_version("", v),
        ["apis", g, v] => openapi_group_version(g, v),
        _ => None,
    }
}
