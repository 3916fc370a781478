//! The REST handlers, one function per verb, as
//! k8s.io/apiserver/pkg/endpoints/handlers does them (get.go, create.go,
//! update.go, patch.go, delete.go, watch.go): decode the request, call the
//! API server, encode the answer (object, list, Table or Status).

use crate::http::{JSON, MAX_REQUEST_BODY_BYTES, PROTOBUF, Reply, Request};
use crate::proto;
use crate::router::{RequestInfo, Verb};
use crate::watch::WatchSpec;
use apimachinery::field::{BadValue, FieldError};
use apimachinery::selector::{FieldRequirement, Selector, parse_field_selector};
use apimachinery::{ApiError, Kind, Object, Reason, meta};
use apiserver::{DeleteOptions, FieldValidation, PatchType, Propagation, WriteOptions};
use serde_json::{Value, json};
use std::sync::Arc;
use world::World;

/// What a resource request turns into: an answer now, or a watch stream.
pub enum Handled {
    Reply(Reply),
    Watch(Box<WatchSpec>),
    /// `pods/log?follow=true`: the log so far, then lines as they come.
    LogStream(Vec<u8>, Box<kubectl::logs::LogCursor>),
    /// `pods/exec`: a command to run, then a WebSocket upgrade.
    Exec(Box<crate::exec::ExecSpec>),
}

/// Most objects one list returns without `limit` (a bound on answer size).
pub const MAX_LIST_ITEMS: usize = 100_000;

/// Kinds whose DELETE answers with the object rather than a Status
/// (`ReturnDeletedObject: true` in their registry storage).
fn returns_deleted_object(kind: Kind) -> bool {
    matches!(kind, Kind::Pod | Kind::Service | Kind::ServiceAccount | Kind::Namespace)
}

pub fn method_not_allowed() -> Reply {
    Reply::error(&ApiError::method_not_allowed("the server does not allow this method on the requested resource"))
}

fn unsupported_media_type(accepted: &str) -> ApiError {
    ApiError {
        code: 415,
        reason: Reason::UnsupportedMediaType,
        message: format!("the body of the request was in an unknown format - accepted media types include: {accepted}"),
        details: None,
    }
}

/// Dispatches a resource request to its verb's handler.
pub fn handle(world: &mut World, info: &RequestInfo, req: &Request) -> Handled {
    if let Some(reply) = empty_policy_list(world, info) {
        return Handled::Reply(reply);
    }
    let Some(kind) = info.kind() else { return Handled::Reply(Reply::not_found_page()) };
    let sub = info.subresource.as_deref();
    if let Some(s) = sub
        && !crate::discovery::subresources(kind).iter().any(|x| x.name == s)
    {
        return Handled::Reply(Reply::not_found_page());
    }
    if kind.info().namespaced && info.namespace.is_none() && info.name.is_some() {
        // `/api/v1/pods/x`: a namespaced object needs its namespace.
        return Handled::Reply(Reply::not_found_page());
    }
    let result = match (info.verb, sub) {
        (Verb::Watch, None) => return watch(world, kind, info, req),
        (Verb::List, None) => list(world, kind, info, req),
        (Verb::Get, None | Some("status")) => get(world, kind, info, req),
        (Verb::Get, Some("scale")) => get_scale(world, kind, info),
        (Verb::Get, Some("log")) => return pod_log(world, info, req),
        (Verb::Get | Verb::Create, Some("exec")) if info.name.is_some() => {
            return match crate::exec::accept(world, info, req) {
                Ok(spec) => Handled::Exec(Box::new(spec)),
                Err(e) => Handled::Reply(Reply::error(&e)),
            };
        }
        (Verb::Create, None) if info.name.is_none() => create(world, kind, info, req),
        (Verb::Create, Some("binding")) => bind(world, info, req),
        (Verb::Update, None | Some("status")) => update(world, kind, info, req),
        (Verb::Update, Some("scale")) => update_scale(world, kind, info, req),
        (Verb::Patch, None | Some("status")) => patch(world, kind, info, req),
        (Verb::Patch, Some("scale")) => patch_scale(world, kind, info, req),
        (Verb::Delete, None) => delete(world, kind, info, req),
        (Verb::DeleteCollection, None) if kind != Kind::Namespace => delete_collection(world, kind, info, req),
        _ => return Handled::Reply(method_not_allowed()),
    };
    let warnings = world.api_mut().take_warnings();
    let mut reply = match result {
        Ok(r) => r,
        Err(e) => Reply::error(&e),
    };
    reply.warnings = warnings;
    Handled::Reply(reply)
}

/// ResourceQuotas and LimitRanges: kubeplay has no admission for them and a
/// fresh cluster has none, so their namespaced lists are served empty.
/// `kubectl describe namespace` lists both (describe.go describeNamespace)
/// and prints "No resource quota." / "No LimitRange resource." only when the
/// server serves them, as every real cluster does. They are not in
/// discovery, so `kubectl get quota` still says the type is unknown.
fn empty_policy_list(world: &World, info: &RequestInfo) -> Option<Reply> {
    let kind = match info.resource.as_str() {
        "resourcequotas" => "ResourceQuotaList",
        "limitranges" => "LimitRangeList",
        _ => return None,
    };
    if !info.group.is_empty() || info.version != "v1" || info.verb != Verb::List || info.subresource.is_some() {
        return None;
    }
    let revision = world.api().store().revision().to_string();
    Some(Reply::json(200, &json!({"kind": kind, "apiVersion": "v1", "metadata": {"resourceVersion": revision}, "items": []})))
}

fn namespace_of(kind: Kind, info: &RequestInfo) -> String {
    if kind.info().namespaced { info.namespace.clone().unwrap_or_default() } else { String::new() }
}

/// The object as a response body: JSON, or a one-row Table if asked.
fn object_reply(world: &World, status: u16, obj: &Arc<Object>, req: &Request) -> Reply {
    if req.wants_table() {
        let table = apiserver::printers::print_table(obj.kind(), std::slice::from_ref(obj), world.now());
        // tablegenerator.go: a single object's table carries its resourceVersion.
        let metadata = json!({"resourceVersion": obj.meta().resource_version.clone().unwrap_or_default()});
        return Reply::json_bytes(status, crate::encode::table_json(&table, req.param("includeObject"), &metadata, true));
    }
    let mut body = Vec::with_capacity(4096);
    crate::encode::object_json(obj, &mut body);
    Reply::json_bytes(status, body)
}

/// The Table's JSON with rows' objects as `includeObject` asks (None,
/// Metadata — the default — or Object), as a tree (for watch events).
pub fn table_value(table: &apiserver::table::Table, req: &Request) -> Value {
    let metadata = json!({"resourceVersion": table.resource_version});
    serde_json::from_slice(&crate::encode::table_json(table, req.param("includeObject"), &metadata, true)).unwrap_or(Value::Null)
}

// ---- reads -----------------------------------------------------------

pub fn get(world: &mut World, kind: Kind, info: &RequestInfo, req: &Request) -> Result<Reply, ApiError> {
    let name = info.name.clone().unwrap_or_default();
    let obj = world.api().get(kind, &namespace_of(kind, info), &name)?;
    Ok(object_reply(world, 200, &obj, req))
}

/// Label and field selectors of a list or watch (metainternalversion.ParseListOptions).
pub fn selectors(kind: Kind, info: &RequestInfo, req: &Request) -> Result<(Selector, Vec<FieldRequirement>), ApiError> {
    let labels = match req.param("labelSelector") {
        Some(s) if !s.is_empty() => Selector::parse(s).map_err(ApiError::bad_request)?,
        _ => Selector::everything(),
    };
    let mut fields = match req.param("fieldSelector") {
        Some(s) if !s.is_empty() => parse_field_selector(s).map_err(ApiError::bad_request)?,
        _ => vec![],
    };
    // A watch of one name is a watch with `metadata.name=<name>`.
    if let Some(name) = &info.name {
        fields.push(FieldRequirement { field: "metadata.name".into(), equals: true, value: name.clone() });
    }
    apiserver::fieldselect::check_supported(kind, &fields)?;
    Ok((labels, fields))
}

/// A list continue token: the revision of the first page and the key to
/// start after (apiserver/pkg/storage/continue.go encodes the same two).
fn encode_continue(revision: u64, last: &Object) -> String {
    let start = format!("{}/{}\u{0}", last.namespace(), last.name());
    let token = json!({"v": "meta.k8s.io/v1", "rv": revision, "start": start});
    crate::http::base64_encode(token.to_string().as_bytes())
}

fn decode_continue(token: &str) -> Result<(u64, String), ApiError> {
    let bad = || ApiError::bad_request(format!("continue key is not valid: {token}"));
    let bytes = crate::http::base64_decode(token).ok_or_else(bad)?;
    let v: Value = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    let rv = v["rv"].as_u64().ok_or_else(bad)?;
    let start = v["start"].as_str().ok_or_else(bad)?.trim_end_matches('\u{0}').to_string();
    Ok((rv, start))
}

pub fn list(world: &mut World, kind: Kind, info: &RequestInfo, req: &Request) -> Result<Reply, ApiError> {
    let (labels, fields) = selectors(kind, info, req)?;
    let ns = info.namespace.as_deref();
    let limit = match req.param("limit") {
        Some(l) if !l.is_empty() => go_parse_int(l).map_err(ApiError::bad_request)?,
        _ => 0,
    };
    let (items, revision, start_after) = match req.param("continue") {
        Some(token) if !token.is_empty() => {
            let (rv, start) = decode_continue(token)?;
            let all = world.api().store().list_at(kind, if kind.info().namespaced { ns } else { None }, rv).map_err(|_| {
                let mut e = ApiError::expired(rv, world.api().store().compacted_revision() + 1);
                e.message = "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.".into();
                e
            })?;
            let items: Vec<Arc<Object>> =
                all.into_iter().filter(|o| labels.matches(meta::labels(o.meta())) && apiserver::fieldselect::matches(o, &fields)).collect();
            (items, rv, Some(start))
        }
        _ => {
            let r = world.api().list(kind, ns, &labels, &fields)?;
            (r.items, r.resource_version, None)
        }
    };
    let mut items: Vec<Arc<Object>> = match &start_after {
        Some(start) => items.into_iter().filter(|o| format!("{}/{}", o.namespace(), o.name()) > *start).collect(),
        None => items,
    };
    let mut list_meta = json!({"resourceVersion": revision.to_string()});
    let cap = if limit > 0 { (limit as usize).min(MAX_LIST_ITEMS) } else { MAX_LIST_ITEMS };
    if items.len() > cap {
        let remaining = items.len() - cap;
        items.truncate(cap);
        if let Some(last) = items.last() {
            list_meta["continue"] = json!(encode_continue(revision, last));
        }
        list_meta["remainingItemCount"] = json!(remaining);
    }
    if req.wants_table() {
        let table = apiserver::printers::print_table(kind, &items, world.now());
        return Ok(Reply::json_bytes(200, crate::encode::table_json(&table, req.param("includeObject"), &list_meta, true)));
    }
    // Items of a typed list carry no apiVersion/kind (their TypeMeta is empty).
    Ok(Reply::json_bytes(200, crate::encode::list_json(kind, &items, &list_meta)))
}

fn watch(world: &mut World, kind: Kind, info: &RequestInfo, req: &Request) -> Handled {
    match crate::watch::spec(world, kind, info, req) {
        Ok(spec) => Handled::Watch(Box::new(spec)),
        Err(e) => Handled::Reply(Reply::error(&e)),
    }
}

/// `pods/log` (registry/core/pod/rest/log.go and strategy.go LogLocation,
/// then the kubelet's answer): the container defaults to the only one;
/// `previous`, `tailLines` and `follow` as PodLogOptions reads them. A
/// follow answers the log so far and then streams.
fn pod_log(world: &World, info: &RequestInfo, req: &Request) -> Handled {
    match pod_log_read(world, info, req) {
        Ok((body, Some(cursor))) if req.flag("follow") => Handled::LogStream(body, Box::new(cursor)),
        Ok((body, _)) => Handled::Reply(Reply { status: 200, content_type: "text/plain", body, warnings: vec![] }),
        Err(e) => Handled::Reply(Reply::error(&e)),
    }
}

/// The container a pods/log or pods/exec request is about
/// (registry/core/pod/strategy.go): the one asked for, which must exist,
/// else the pod's only container.
pub fn pod_container(pod: &apimachinery::k8s_openapi::api::core::v1::Pod, requested: Option<&str>) -> Result<String, ApiError> {
    let name = pod.metadata.name.clone().unwrap_or_default();
    let spec = pod.spec.clone().unwrap_or_default();
    let names = |cs: &[apimachinery::k8s_openapi::api::core::v1::Container]| cs.iter().map(|c| c.name.clone()).collect::<Vec<_>>().join(" ");
    let init = spec.init_containers.clone().unwrap_or_default();
    match requested.filter(|c| !c.is_empty()) {
        Some(c) => {
            let known = spec.containers.iter().chain(init.iter()).any(|x| x.name == c) || spec.ephemeral_containers.iter().flatten().any(|x| x.name == c);
            if !known {
                return Err(ApiError::bad_request(format!("container {c} is not valid for pod {name}")));
            }
            Ok(c.to_string())
        }
        None => match spec.containers.as_slice() {
            [only] => Ok(only.name.clone()),
            [] => Err(ApiError::bad_request(format!("a container name must be specified for pod {name}"))),
            many => {
                let mut why = format!("a container name must be specified for pod {name}, choose one of: [{}]", names(many));
                if !init.is_empty() {
                    why.push_str(&format!(" or one of the init containers: [{}]", names(&init)));
                }
                Err(ApiError::bad_request(why))
            }
        },
    }
}

fn pod_log_read(world: &World, info: &RequestInfo, req: &Request) -> Result<(Vec<u8>, Option<kubectl::logs::LogCursor>), ApiError> {
    let ns = info.namespace.clone().unwrap_or_default();
    let name = info.name.clone().unwrap_or_default();
    let obj = world.api().get(Kind::Pod, &ns, &name)?;
    let Object::Pod(pod) = obj.as_ref() else { return Err(ApiError::internal("not a pod")) };
    let container = pod_container(pod, req.param("container"))?;
    let tail = match req.param("tailLines") {
        Some(t) if !t.is_empty() => Some(go_parse_int(t).map_err(ApiError::bad_request)?),
        _ => None,
    };
    let (lines, cursor) = kubectl::logs::read_container_log(world, &ns, pod, &container, req.flag("previous"))?;
    let skip = match tail {
        Some(n) if n >= 0 && (n as usize) < lines.len() => lines.len() - n as usize,
        _ => 0,
    };
    let mut body = Vec::new();
    for l in &lines[skip..] {
        body.extend_from_slice(l.as_bytes());
        body.push(b'\n');
    }
    Ok((body, cursor))
}

// ---- writes ----------------------------------------------------------

/// `dryRun` and `fieldValidation` (metav1.CreateOptions and friends).
fn write_options(req: &Request) -> Result<WriteOptions, ApiError> {
    let mut dry_run = false;
    for (k, v) in &req.query {
        if k == "dryRun" {
            if v != "All" {
                return Err(ApiError::bad_request(format!("Invalid dry run value: {v:?}; supported values: \"All\"")));
            }
            dry_run = true;
        }
    }
    let field_validation = match req.param("fieldValidation") {
        None | Some("") => FieldValidation::Warn,
        Some("Strict") => FieldValidation::Strict,
        Some("Warn") => FieldValidation::Warn,
        Some("Ignore") => FieldValidation::Ignore,
        Some(other) => return Err(ApiError::bad_request(format!("fieldValidation: Unsupported value: {other:?}: supported values: \"Ignore\", \"Strict\", \"Warn\""))),
    };
    Ok(WriteOptions { dry_run, field_validation })
}

/// The request body as JSON, for an object of `kind`. kubectl sends JSON,
/// or protobuf for its typed generators (decoded to the same JSON, see
/// `proto`); YAML is read as the API server's YAML serializer would.
fn body_json(req: &Request, kind: Kind) -> Result<Value, ApiError> {
    if req.body.len() > MAX_REQUEST_BODY_BYTES {
        return Err(ApiError::too_large(format!("limit is {MAX_REQUEST_BODY_BYTES}")));
    }
    let media = req.media_type();
    match media {
        "" | JSON | "*/*" => json_object(&req.body).map_err(|e| ApiError::bad_request(format!("the object provided is unrecognized (must be of type {}): {e} ({})", kind.info().name, summarize_body(&req.body)))),
        "application/yaml" => {
            let text = String::from_utf8_lossy(&req.body);
            // json.go Decode: yaml.YAMLToJSON fails before any kind is known.
            // (The text after "yaml: " is kubeplay's YAML parser's, not go-yaml's.)
            let docs = apimachinery::yaml::parse_documents(&text).map_err(|e| {
                ApiError::bad_request(format!("the object provided is unrecognized (must be of type {}): error converting YAML to JSON: yaml: {e} ({})", kind.info().name, summarize_body(&req.body)))
            })?;
            docs.into_iter().next().ok_or_else(|| ApiError::bad_request("Object 'Kind' is missing in 'null'"))
        }
        PROTOBUF => protobuf_json(&req.body, kind),
        _ => Err(unsupported_media_type(&format!("{JSON}, application/yaml, {PROTOBUF}"))),
    }
}

/// A JSON body as the JSON serializer reads it first
/// (runtime/serializer/json/meta.go SimpleMetaFactory.Interpret: Go's
/// json.Unmarshal into {apiVersion, kind}), with its error texts.
pub fn json_object(body: &[u8]) -> Result<Value, String> {
    const WHY: &str = "couldn't get version/kind; json parse error";
    if let Some(e) = crate::gojson::syntax_error(body) {
        return Err(format!("{WHY}: {e}"));
    }
    let v: Value = serde_json::from_slice(body).map_err(|e| format!("{WHY}: {e}"))?;
    if v.is_object() || v.is_null() {
        return Ok(v);
    }
    Err(format!(
        "{WHY}: json: cannot unmarshal {} into Go value of type struct {{ APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" }}",
        go_json_type(&v)
    ))
}

/// strconv.ParseInt(s, 10, 64) and its error texts, as query parameters
/// are converted (runtime.Convert_Slice_string_To_int64).
pub fn go_parse_int(s: &str) -> Result<i64, String> {
    s.parse::<i64>().map_err(|e| {
        let why = match e.kind() {
            std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow => "value out of range",
            _ => "invalid syntax",
        };
        format!("strconv.ParseInt: parsing {s:?}: {why}")
    })
}

/// handlers/rest.go summarizeData: the first 30 bytes of a body, as text
/// if it looks like JSON, else in hex.
fn summarize_body(data: &[u8]) -> String {
    const MAX: usize = 30;
    let shown = &data[..data.len().min(MAX)];
    let more = if data.len() > MAX { " ..." } else { "" };
    match data.first() {
        None => "<empty>".to_string(),
        Some(b'{') => format!("{}{more}", String::from_utf8_lossy(shown)),
        Some(_) => format!("{}{more}", shown.iter().map(|b| format!("{b:02x}")).collect::<String>()),
    }
}

/// The kinds kube-apiserver's scheme registers in the group versions
/// kubeplay serves (k8s.io/api core/v1, apps/v1, discovery/v1,
/// coordination/v1 register.go), besides the served ones: a body of one of
/// these kinds fails conversion rather than lookup.
fn registered_kind(api_version: &str, kind: &str) -> bool {
    let base = kind.strip_suffix("List").unwrap_or(kind);
    match api_version {
        "v1" => matches!(
            base,
            "Pod" | "PodTemplate" | "ReplicationController" | "Service" | "ServiceProxyOptions" | "Endpoints" | "Node" | "NodeProxyOptions"
                | "Binding" | "Event" | "" | "LimitRange" | "ResourceQuota" | "Namespace" | "Secret" | "ServiceAccount" | "PersistentVolume"
                | "PersistentVolumeClaim" | "PodAttachOptions" | "PodLogOptions" | "PodExecOptions" | "PodPortForwardOptions" | "PodProxyOptions"
                | "ComponentStatus" | "SerializedReference" | "RangeAllocation" | "ConfigMap" | "Status"
        ),
        "apps/v1" => matches!(base, "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "ControllerRevision"),
        "discovery.k8s.io/v1" => base == "EndpointSlice",
        "coordination.k8s.io/v1" => base == "Lease",
        // k8s.io/api networking/v1 register.go addKnownTypes.
        "networking.k8s.io/v1" => matches!(base, "Ingress" | "IngressClass" | "NetworkPolicy" | "IPAddress" | "ServiceCIDR"),
        _ => false,
    }
}


/// A protobuf body (runtime/serializer/protobuf/protobuf.go Decode) as the
/// JSON of the same object, with create.go's errors: envelope errors are
/// "the object provided is unrecognized", errors after the envelope named
/// a kind are "<Kind> in version ... cannot be handled as a <Kind>".
fn protobuf_json(body: &[u8], kind: Kind) -> Result<Value, ApiError> {
    let info = kind.info();
    let envelope = proto::decode_envelope(body)
        .map_err(|e| ApiError::bad_request(format!("the object provided is unrecognized (must be of type {}): {e} ({})", info.name, summarize_body(body))))?;
    // copyKindDefaults: a missing kind or version is the URL's.
    let body_kind = if envelope.kind.is_empty() { info.name.to_string() } else { envelope.kind.clone() };
    let api_version = if envelope.api_version.is_empty() { info.api_version.to_string() } else { envelope.api_version.clone() };
    let version = api_version.rsplit('/').next().unwrap_or("").to_string();
    let cannot_handle = |why: String| ApiError::bad_request(format!("{body_kind} in version {version:?} cannot be handled as a {}: {why}", info.name));
    if (api_version.as_str(), body_kind.as_str()) != (info.api_version, info.name) {
        // runtime.UseOrCreateObject creates the body's type; the codec then
        // converts it to the URL's internal type (conversion/converter.go).
        if registered_kind(&api_version, &body_kind) {
            return Err(cannot_handle(format!("converting (v1.{body_kind}) to ({}.{}): unknown conversion", proto::go_package(info.group), info.name)));
        }
        // runtime/error.go notRegisteredErr, in kube-apiserver's legacyscheme.
        return Err(cannot_handle(format!("no kind {body_kind:?} is registered for version {api_version:?} in scheme \"pkg/api/legacyscheme/scheme.go:30\"")));
    }
    let message = proto::message_for(info.api_version, info.name).ok_or_else(|| cannot_handle("object does not implement the protobuf marshalling interface".into()))?;
    let mut value = proto::decode_message(message, &envelope.raw).map_err(cannot_handle)?;
    if let Some(m) = value.as_object_mut() {
        m.insert("apiVersion".into(), json!(info.api_version));
        m.insert("kind".into(), json!(info.name));
    }
    Ok(value)
}

/// Checks the body's apiVersion/kind against the URL's and fills them in
/// when absent (the handlers decode with the URL's GVK as default).
fn check_type(kind: Kind, body: &mut Value) -> Result<(), ApiError> {
    let info = kind.info();
    let Some(m) = body.as_object_mut() else {
        return Err(apiserver::decode::cannot_handle(kind, &format!("json: cannot unmarshal {} into Go value of type struct {{ APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" }}", go_json_type(body))));
    };
    match m.get("apiVersion").and_then(Value::as_str) {
        Some(v) if !v.is_empty() && v != info.api_version => {
            return Err(ApiError::bad_request(format!("the API version in the data ({v}) does not match the expected API version ({})", info.api_version)));
        }
        _ => {}
    }
    match m.get("kind").and_then(Value::as_str) {
        Some(k) if !k.is_empty() && k != info.name => {
            return Err(ApiError::bad_request(format!("the kind in the data ({k}) does not match the expected kind ({})", info.name)));
        }
        _ => {}
    }
    m.insert("apiVersion".into(), json!(info.api_version));
    m.insert("kind".into(), json!(info.name));
    Ok(())
}

fn go_json_type(v: &Value) -> &'static str {
    match v {
        Value::Array(_) => "array",
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        _ => "null",
    }
}

/// The namespace in the body must be the URL's (or empty: it is filled in).
fn check_namespace(kind: Kind, info: &RequestInfo, body: &mut Value) -> Result<(), ApiError> {
    if !kind.info().namespaced {
        return Ok(());
    }
    let ns = info.namespace.clone().unwrap_or_default();
    let meta = body.as_object_mut().map(|m| m.entry("metadata").or_insert_with(|| json!({})));
    let Some(Value::Object(meta)) = meta else { return Ok(()) };
    match meta.get("namespace").and_then(Value::as_str) {
        Some(n) if !n.is_empty() && n != ns => Err(ApiError::bad_request("the namespace of the provided object does not match the namespace sent on the request")),
        _ => {
            meta.insert("namespace".into(), json!(ns));
            Ok(())
        }
    }
}

pub fn create(world: &mut World, kind: Kind, info: &RequestInfo, req: &Request) -> Result<Reply, ApiError> {
    let opts = write_options(req)?;
    let mut body = body_json(req, kind)?;
    check_type(kind, &mut body)?;
    check_namespace(kind, info, &mut body)?;
    let obj = apiserver::decode::decode_typed(world.api_mut(), kind, body, opts.field_validation)?;
    let created = world.api_mut().create(obj, &opts)?;
    if !opts.dry_run {
        world.settle();
    }
    Ok(object_reply(world, 201, &created, req))
}

pub fn update(world: &mut World, kind: Kind, info: &RequestInfo, req: &Request) -> Result<Reply, ApiError> {
    let opts = write_options(req)?;
    let mut body = body_json(req, kind)?;
    check_type(kind, &mut body)?;
    check_namespace(kind, info, &mut body)?;
    let url_name = info.name.clone().unwrap_or_default();
    let body_name = body.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("").to_string();
    if body_name != url_name {
        return Err(ApiError::bad_request(format!("the name of the object ({body_name}) does not match the name on the URL ({url_name})")));
    }
    let obj = apiserver::decode::decode_typed(world.api_mut(), kind, body, opts.field_validation)?;
    let updated = if info.subresource.as_deref() == Some("status") {
        if opts.dry_run {
            return Err(ApiError::bad_request("dryRun is not supported for the status subresource by kubeplay"));
        }
        world.api_mut().update_status(obj)?
    } else {
        world.api_mut().update(obj, &opts)?
    };
    if !opts.dry_run {
        world.settle();
    }
    Ok(object_reply(world, 200, &updated, req))
}

fn patch_type(req: &Request) -> Result<PatchType, ApiError> {
    PatchType::from_content_type(&req.content_type).ok_or_else(|| {
        unsupported_media_type("application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml")
    })
}

fn patch_body(req: &Request) -> Result<Value, ApiError> {
    if req.body.len() > MAX_REQUEST_BODY_BYTES {
        return Err(ApiError::too_large(format!("limit is {MAX_REQUEST_BODY_BYTES}")));
    }
    serde_json::from_slice(&req.body).map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))
}

pub fn patch(world: &mut World, kind: Kind, info: &RequestInfo, req: &Request) -> Result<Reply, ApiError> {
    if req.media_type() == "application/apply-patch+yaml" {
        // Server-side apply needs managed fields, which kubeplay does not track yet.
        return Err(unsupported_media_type("application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json"));
    }
    let pt = patch_type(req)?;
    let opts = write_options(req)?;
    let body = patch_body(req)?;
    let name = info.name.clone().unwrap_or_default();
    let status = info.subresource.as_deref() == Some("status");
    let patched = world.api_mut().patch(kind, &namespace_of(kind, info), &name, pt, &body, status, &opts)?;
    if !opts.dry_run {
        world.settle();
    }
    Ok(object_reply(world, 200, &patched, req))
}

/// DeleteOptions from the body (if any) and the query.
fn delete_options(req: &Request) -> Result<DeleteOptions, ApiError> {
    let mut opts = DeleteOptions::default();
    let body: Value = if req.body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        if req.body.len() > MAX_REQUEST_BODY_BYTES {
            return Err(ApiError::too_large(format!("limit is {MAX_REQUEST_BODY_BYTES}")));
        }
        if req.media_type() == PROTOBUF {
            delete_options_protobuf(&req.body)?
        } else {
            // delete.go: a decoding error is a BadRequest with its own text.
            json_object(&req.body).map_err(ApiError::bad_request)?
        }
    };
    let policy = body["propagationPolicy"].as_str().map(str::to_string).or_else(|| req.param("propagationPolicy").map(str::to_string));
    opts.propagation = match policy.as_deref() {
        None | Some("") => None,
        Some("Background") => Some(Propagation::Background),
        Some("Foreground") => Some(Propagation::Foreground),
        Some("Orphan") => Some(Propagation::Orphan),
        Some(other) => {
            let delete_options_info = apimachinery::KindInfo { name: "DeleteOptions", group: "meta.k8s.io", ..*Kind::Namespace.info() };
            return Err(ApiError::invalid(
                &delete_options_info,
                "",
                vec![FieldError::unsupported("propagationPolicy", BadValue::Str(other.into()), &["Foreground", "Background", "Orphan", "nil"])],
            ));
        }
    };
    if body.get("orphanDependents").and_then(Value::as_bool) == Some(true) && opts.propagation.is_none() {
        opts.propagation = Some(Propagation::Orphan);
    }
    opts.grace_period_seconds = body["gracePeriodSeconds"].as_i64().or_else(|| req.param("gracePeriodSeconds").and_then(|g| g.parse().ok()));
    opts.precondition_uid = body.pointer("/preconditions/uid").and_then(Value::as_str).map(str::to_string);
    opts.precondition_resource_version = body.pointer("/preconditions/resourceVersion").and_then(Value::as_str).map(str::to_string);
    let dry_body = body["dryRun"].as_array().is_some_and(|a| a.iter().any(|v| v == "All"));
    opts.dry_run = dry_body || req.query.iter().any(|(k, v)| k == "dryRun" && v == "All");
    Ok(opts)
}

/// A protobuf DeleteOptions body (drain's pod deletes) as JSON. delete.go
/// answers any decoding error as a BadRequest with the error's text, and
/// another type than DeleteOptions with "decoded object cannot be
/// converted to DeleteOptions".
fn delete_options_protobuf(body: &[u8]) -> Result<Value, ApiError> {
    let envelope = proto::decode_envelope(body).map_err(ApiError::bad_request)?;
    if !envelope.kind.is_empty() && envelope.kind != "DeleteOptions" {
        return Err(ApiError::bad_request("decoded object cannot be converted to DeleteOptions"));
    }
    let message = proto::message_for(&envelope.api_version, "DeleteOptions").ok_or_else(|| ApiError::bad_request("decoded object cannot be converted to DeleteOptions"))?;
    proto::decode_message(message, &envelope.raw).map_err(ApiError::bad_request)
}

fn success_status(kind: Kind, obj: &Object) -> Value {
    let info = kind.info();
    let mut details = json!({"name": obj.name(), "kind": info.plural, "uid": obj.meta().uid.clone().unwrap_or_default()});
    if !info.group.is_empty() {
        details["group"] = json!(info.group);
    }
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details})
}

pub fn delete(world: &mut World, kind: Kind, info: &RequestInfo, req: &Request) -> Result<Reply, ApiError> {
    let opts = delete_options(req)?;
    let name = info.name.clone().unwrap_or_default();
    let outcome = world.api_mut().delete(kind, &namespace_of(kind, info), &name, &opts)?;
    if !opts.dry_run {
        world.settle();
    }
    // registry/rest/delete.go: 202 while the object still exists
    // (graceful deletion or finalizers), else 200.
    let (status, obj) = match &outcome {
        apiserver::DeleteOutcome::Marked(o) => (202, o.clone()),
        apiserver::DeleteOutcome::Deleted(o) => (200, o.clone()),
    };
    if returns_deleted_object(kind) || status == 202 {
        return Ok(object_reply(world, status, &obj, req));
    }
    Ok(Reply::json(status, &success_status(kind, &obj)))
}

pub fn delete_collection(world: &mut World, kind: Kind, info: &RequestInfo, req: &Request) -> Result<Reply, ApiError> {
    let opts = delete_options(req)?;
    let (labels, fields) = selectors(kind, info, req)?;
    let listed = world.api().list(kind, info.namespace.as_deref(), &labels, &fields)?;
    let mut deleted = vec![];
    for o in &listed.items {
        match world.api_mut().delete(kind, o.namespace(), o.name(), &opts) {
            Ok(out) => deleted.push(out.object().to_value()),
            // Gone meanwhile (a cascade): nothing to do.
            Err(e) if e.reason == Reason::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    if !opts.dry_run {
        world.settle();
    }
    let info_k = kind.info();
    Ok(Reply::json(
        200,
        &json!({"kind": format!("{}List", info_k.name), "apiVersion": info_k.api_version, "metadata": {"resourceVersion": world.api().store().revision().to_string()}, "items": deleted}),
    ))
}

/// pods/binding (the scheduler's write; kubeplay's scheduler binds in process).
fn bind(world: &mut World, info: &RequestInfo, req: &Request) -> Result<Reply, ApiError> {
    let body = body_json(req, Kind::Pod)?;
    let node = body.pointer("/target/name").and_then(Value::as_str).unwrap_or("").to_string();
    let ns = info.namespace.clone().unwrap_or_default();
    let name = info.name.clone().unwrap_or_default();
    world.api_mut().bind(&ns, &name, &node)?;
    world.settle();
    Ok(Reply::json(201, &json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201})))
}

// ---- scale -----------------------------------------------------------

/// The autoscaling/v1 Scale of a Deployment, ReplicaSet or RC
/// (registry/apps/deployment/storage ScaleREST).
fn scale_of(obj: &Object) -> Value {
    let v = obj.to_value();
    let selector = match obj {
        Object::Deployment(d) => apiserver::printers::label_selector_string(Some(&d.spec.selector)).unwrap_or_default(),
        Object::ReplicaSet(r) => apiserver::printers::label_selector_string(Some(&r.spec.selector)).unwrap_or_default(),
        Object::ReplicationController(rc) => {
            let sel = rc.spec.as_ref().and_then(|s| s.selector.clone()).unwrap_or_default();
            Selector::from_map(&sel).to_string()
        }
        _ => String::new(),
    };
    let m = obj.meta();
    let mut metadata = json!({"name": obj.name(), "uid": m.uid, "resourceVersion": m.resource_version, "creationTimestamp": m.creation_timestamp});
    if !obj.namespace().is_empty() {
        metadata["namespace"] = json!(obj.namespace());
    }
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": metadata,
        "spec": {"replicas": v.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(1)},
        "status": {"replicas": v.pointer("/status/replicas").and_then(Value::as_i64).unwrap_or(0), "selector": selector},
    })
}

fn get_scale(world: &mut World, kind: Kind, info: &RequestInfo) -> Result<Reply, ApiError> {
    let obj = world.api().get(kind, &namespace_of(kind, info), info.name.as_deref().unwrap_or(""))?;
    Ok(Reply::json(200, &scale_of(&obj)))
}

/// Writes a Scale back to its object: validation of the Scale
/// (ValidateScale), then an update of `spec.replicas`.
fn apply_scale(world: &mut World, kind: Kind, info: &RequestInfo, scale: &Value, opts: &WriteOptions) -> Result<Reply, ApiError> {
    let name = info.name.clone().unwrap_or_default();
    let ns = namespace_of(kind, info);
    let current = world.api().get(kind, &ns, &name)?;
    let scale_info = apimachinery::KindInfo { group: "autoscaling", ..*Kind::Deployment.info() };
    let replicas = match scale.pointer("/spec/replicas") {
        None | Some(Value::Null) => 0,
        Some(r) => r.as_i64().ok_or_else(|| ApiError::bad_request("Scale in version \"v1\" cannot be handled as a Scale: spec.replicas: expected integer"))?,
    };
    if replicas < 0 {
        let scale_named = apimachinery::KindInfo { name: "Scale", ..scale_info };
        return Err(ApiError::invalid(&scale_named, &name, vec![FieldError::invalid("spec.replicas", BadValue::Int(replicas), "must be greater than or equal to 0")]));
    }
    let mut v = current.to_value();
    v["spec"]["replicas"] = json!(replicas);
    if let Some(rv) = scale.pointer("/metadata/resourceVersion").and_then(Value::as_str) {
        v["metadata"]["resourceVersion"] = json!(rv);
    }
    let obj = apiserver::decode::decode_typed(world.api_mut(), kind, v, FieldValidation::Ignore)?;
    let updated = world.api_mut().update(obj, opts)?;
    if !opts.dry_run {
        world.settle();
    }
    Ok(Reply::json(200, &scale_of(&updated)))
}

fn update_scale(world: &mut World, kind: Kind, info: &RequestInfo, req: &Request) -> Result<Reply, ApiError> {
    let opts = write_options(req)?;
    let body = body_json(req, kind)?;
    apply_scale(world, kind, info, &body, &opts)
}

fn patch_scale(world: &mut World, kind: Kind, info: &RequestInfo, req: &Request) -> Result<Reply, ApiError> {
    if req.media_type() == "application/apply-patch+yaml" {
        return Err(unsupported_media_type("application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json"));
    }
    let pt = patch_type(req)?;
    let opts = write_options(req)?;
    let body = patch_body(req)?;
    let current = world.api().get(kind, &namespace_of(kind, info), info.name.as_deref().unwrap_or(""))?;
    let mut scale = scale_of(&current);
    apiserver::patch::apply(kind, &mut scale, pt, &body)?;
    apply_scale(world, kind, info, &scale, &opts)
}
