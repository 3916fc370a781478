//! Server tests over real HTTP on an ephemeral loopback port, with a tiny
//! std::net client; then the differential suite against real kubectl
//! (`differential`).

mod differential;
mod python_watcher;

/// Held while a test creates the project-local `.venv` or installs into it:
/// the differential suite (kubectl) and the Python watcher (kubernetes) run
/// in parallel threads and would otherwise create and pip-install into the
/// same fresh venv at once (on a fresh clone, one of them then failed).
pub(crate) static VENV_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

use crate::{Clock, Config, Running, start};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;
use world::ClusterProfile;

fn server() -> Running {
    start(Config { port: 0, seed: 7, profile: ClusterProfile::kubeadm(2), clock: Clock::Frozen, log_requests: false }).expect("bind 127.0.0.1:0")
}

/// One HTTP exchange: status, headers (lower-cased names), body (chunked decoded).
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

const TABLE: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
const AGGREGATED: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

fn call(port: u16, method: &str, target: &str, accept: &str, content_type: &str, body: &[u8]) -> Answer {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    let mut head = format!("{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAccept: {accept}\r\nContent-Length: {}\r\n", body.len());
    if !content_type.is_empty() {
        head.push_str(&format!("Content-Type: {content_type}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).expect("write head");
    // The server may answer (413) before reading all of a large body.
    let _ = s.write_all(body);
    let mut raw = vec![];
    let _ = s.read_to_end(&mut raw);
    parse_answer(&raw)
}

fn parse_answer(raw: &[u8]) -> Answer {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|c| c.parse().ok()).expect("status line");
    let headers: Vec<(String, String)> = lines.filter_map(|l| l.split_once(": ")).map(|(k, v)| (k.to_ascii_lowercase(), v.to_string())).collect();
    let mut body = raw[split + 4..].to_vec();
    if headers.iter().any(|(k, v)| k == "transfer-encoding" && v == "chunked") {
        body = dechunk(&body);
    }
    Answer { status, headers, body }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = vec![];
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&data[..eol]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = eol + 2;
        out.extend_from_slice(&data[start..(start + size).min(data.len())]);
        data = &data[(start + size + 2).min(data.len())..];
    }
    out
}

fn get(port: u16, target: &str) -> Answer {
    call(port, "GET", target, "application/json", "", b"")
}

fn pod(name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
}

fn post_json(port: u16, target: &str, body: &Value) -> Answer {
    call(port, "POST", target, "application/json", "application/json", body.to_string().as_bytes())
}

#[test]
fn version_health_and_not_found() {
    let s = server();
    let v = get(s.port, "/version?timeout=32s");
    assert_eq!(v.status, 200);
    assert_eq!(v.json()["gitVersion"], apimachinery::KUBERNETES_VERSION);
    assert_eq!(v.json()["minor"], "37");
    for path in ["/healthz", "/readyz", "/livez"] {
        let a = get(s.port, path);
        assert_eq!((a.status, a.text()), (200, "ok".to_string()), "{path}");
    }
    // Paths no handler serves: Go's http.NotFound, as kube-apiserver answers.
    for path in ["/nope", "/api/v1/foos", "/apis/apps/v2/deployments", "/openapi/v2", "/api/v1/namespaces/default/pods/x/attach"] {
        let a = get(s.port, path);
        assert_eq!((a.status, a.text()), (404, "404 page not found\n".to_string()), "{path}");
    }
}

#[test]
fn discovery_legacy_and_aggregated() {
    let s = server();
    let a = call(s.port, "GET", "/apis?timeout=32s", AGGREGATED, "", b"");
    assert_eq!(a.header("content-type"), Some("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"));
    let doc = a.json();
    let groups: Vec<&str> = doc["items"].as_array().unwrap().iter().map(|g| g["metadata"]["name"].as_str().unwrap()).collect();
    assert_eq!(groups, ["apps", "networking.k8s.io", "coordination.k8s.io", "discovery.k8s.io"]);
    let deployments = doc["items"][0]["versions"][0]["resources"].as_array().unwrap().iter().find(|r| r["resource"] == "deployments").unwrap().clone();
    assert_eq!(deployments["shortNames"], json!(["deploy"]));
    assert_eq!(deployments["categories"], json!(["all"]));
    assert_eq!(deployments["subresources"][0], json!({"subresource": "scale", "responseKind": {"group": "autoscaling", "version": "v1", "kind": "Scale"}, "verbs": ["get", "patch", "update"]}));
    // kubectl 1.27 offers only v2beta1.
    let beta = call(s.port, "GET", "/api", "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json", "", b"");
    assert_eq!(beta.header("content-type"), Some("application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"));
    assert_eq!(beta.json()["items"][0]["metadata"]["name"], "");
    // Legacy.
    let api = get(s.port, "/api");
    assert_eq!(api.json()["versions"], json!(["v1"]));
    let v1 = get(s.port, "/api/v1").json();
    let names: Vec<&str> = v1["resources"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).filter(|n| n.starts_with("pods") || n.starts_with("namespaces")).collect();
    assert_eq!(names, ["namespaces", "namespaces/status", "pods", "pods/binding", "pods/exec", "pods/log", "pods/status"]);
    let ns = v1["resources"].as_array().unwrap().iter().find(|r| r["name"] == "namespaces").unwrap();
    assert_eq!(ns["verbs"], json!(["create", "delete", "get", "list", "patch", "update", "watch"]));
    let apps = get(s.port, "/apis/apps/v1").json();
    let scale = apps["resources"].as_array().unwrap().iter().find(|r| r["name"] == "deployments/scale").unwrap();
    assert_eq!((scale["group"].as_str(), scale["kind"].as_str()), (Some("autoscaling"), Some("Scale")));
    assert_eq!(get(s.port, "/apis").json()["groups"][0]["preferredVersion"]["groupVersion"], "apps/v1");
    // OpenAPI v3: an index, and per group version the PATCH operations
    // with fieldValidation that make kubectl send fieldValidation=Strict.
    let index = get(s.port, "/openapi/v3").json();
    let url = index["paths"]["apis/apps/v1"]["serverRelativeURL"].as_str().unwrap().to_string();
    assert!(url.starts_with("/openapi/v3/apis/apps/v1?hash="), "{url}");
    let doc = get(s.port, &url).json();
    let op = &doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"];
    assert_eq!(op["x-kubernetes-group-version-kind"]["kind"], "Deployment");
    assert_eq!(op["parameters"][0]["name"], "fieldValidation");
}

#[test]
fn list_selectors_pages_and_tables() {
    let s = server();
    let all = get(s.port, "/api/v1/namespaces/kube-system/pods").json();
    assert_eq!(all["kind"], "PodList");
    let names: Vec<String> = all["items"].as_array().unwrap().iter().map(|p| p["metadata"]["name"].as_str().unwrap().to_string()).collect();
    assert!(names.len() > 4, "{names:?}");
    // Items of a typed list carry no apiVersion/kind.
    assert_eq!(all["items"][0].get("kind"), None);
    // Label and field selectors.
    let dns = get(s.port, "/api/v1/namespaces/kube-system/pods?labelSelector=k8s-app%3Dkube-dns").json();
    assert_eq!(dns["items"].as_array().unwrap().len(), 2);
    let sel = get(s.port, "/api/v1/pods?labelSelector=k8s-app+in+(kube-dns,kube-proxy),tier!%3Dx").json();
    assert_eq!(sel["items"].as_array().unwrap().len(), 2 + 3);
    let by_name = get(s.port, &format!("/api/v1/pods?fieldSelector=metadata.name%3D{}", names[0])).json();
    assert_eq!(by_name["items"].as_array().unwrap().len(), 1);
    let bad = get(s.port, "/api/v1/pods?fieldSelector=spec.foo%3Dx");
    assert_eq!(bad.status, 400, "{}", bad.text());
    assert_eq!(bad.json()["reason"], "BadRequest");
    // limit/continue pages, consistent and complete.
    let mut paged = vec![];
    let mut target = "/api/v1/namespaces/kube-system/pods?limit=2".to_string();
    for _ in 0..100 {
        let page = get(s.port, &target).json();
        assert_eq!(page["metadata"]["resourceVersion"], all["metadata"]["resourceVersion"]);
        paged.extend(page["items"].as_array().unwrap().iter().map(|p| p["metadata"]["name"].as_str().unwrap().to_string()));
        match page["metadata"]["continue"].as_str() {
            Some(c) => target = format!("/api/v1/namespaces/kube-system/pods?limit=2&continue={c}"),
            None => break,
        }
    }
    assert_eq!(paged, names);
    // Server-side printing.
    let t = call(s.port, "GET", "/api/v1/namespaces/kube-system/pods?limit=500", TABLE, "", b"").json();
    assert_eq!(t["kind"], "Table");
    let cols: Vec<&str> = t["columnDefinitions"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(cols, ["Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates"]);
    assert_eq!(t["metadata"]["resourceVersion"], all["metadata"]["resourceVersion"]);
    assert_eq!(t["rows"][0]["cells"][0], json!(names[0]));
    assert_eq!(t["rows"][0]["object"]["kind"], "PartialObjectMetadata");
    let full = call(s.port, "GET", "/api/v1/namespaces/kube-system/pods?includeObject=Object", TABLE, "", b"").json();
    assert_eq!(full["rows"][0]["object"]["kind"], "Pod");
    let one = call(s.port, "GET", "/api/v1/nodes/m-k8s", TABLE, "", b"").json();
    assert_eq!(one["rows"][0]["cells"], json!(["m-k8s", "Ready", "control-plane", "5m", "v1.37.1", "192.168.1.10", "<none>", "Ubuntu 24.04.3 LTS", "6.8.0-87-generic", "containerd://2.1.4"]));
}

#[test]
fn create_update_patch_delete_and_errors() {
    let s = server();
    let p = s.port;
    let created = post_json(p, "/api/v1/namespaces/default/pods?fieldManager=kubectl-run", &pod("web"));
    assert_eq!(created.status, 201, "{}", created.text());
    assert_eq!(created.json()["metadata"]["namespace"], "default");
    assert_eq!(created.json()["kind"], "Pod");
    // AlreadyExists, as a Status with the HTTP code in it.
    let again = post_json(p, "/api/v1/namespaces/default/pods", &pod("web"));
    assert_eq!(again.status, 409);
    assert_eq!(
        again.json(),
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": "pods \"web\" already exists", "reason": "AlreadyExists", "details": {"name": "web", "kind": "pods"}, "code": 409})
    );
    // fieldValidation: Strict rejects, the default warns (Warning header).
    let mut unknown = pod("strict");
    unknown["spec"]["foo"] = json!(1);
    let strict = post_json(p, "/api/v1/namespaces/default/pods?fieldValidation=Strict", &unknown);
    assert_eq!((strict.status, strict.json()["message"].as_str().unwrap()), (400, "Pod in version \"v1\" cannot be handled as a Pod: strict decoding error: unknown field \"spec.foo\""));
    let warn = post_json(p, "/api/v1/namespaces/default/pods", &unknown);
    assert_eq!(warn.status, 201);
    assert_eq!(warn.header("warning"), Some("299 - \"unknown field \\\"spec.foo\\\"\""));
    // dryRun writes nothing.
    let dry = post_json(p, "/api/v1/namespaces/default/pods?dryRun=All", &pod("dry"));
    assert_eq!(dry.status, 201);
    assert_eq!(get(p, "/api/v1/namespaces/default/pods/dry").status, 404);
    // Namespace and type checks against the URL.
    let mut other_ns = pod("x");
    other_ns["metadata"]["namespace"] = json!("kube-system");
    let a = post_json(p, "/api/v1/namespaces/default/pods", &other_ns);
    assert_eq!((a.status, a.json()["message"].as_str().unwrap()), (400, "the namespace of the provided object does not match the namespace sent on the request"));
    // Bodies: malformed, wrong media type, too large.
    assert_eq!(call(p, "POST", "/api/v1/namespaces/default/pods", "application/json", "application/json", b"{bad").status, 400);
    let pb = call(p, "POST", "/api/v1/namespaces/default/pods", "application/json", "application/vnd.kubernetes.protobuf", b"k8s\0");
    assert_eq!((pb.status, pb.json()["message"].as_str().unwrap()), (400, "the object provided is unrecognized (must be of type Pod): empty body (6b387300)"));
    let big = vec![b' '; crate::http::MAX_REQUEST_BODY_BYTES + 10];
    let too_large = call(p, "POST", "/api/v1/namespaces/default/pods", "application/json", "application/json", &big);
    assert_eq!((too_large.status, too_large.json()["message"].as_str().unwrap()), (413, "Request entity too large: limit is 3145728"));
    // PUT: the URL's name must be the body's.
    let mut current = get(p, "/api/v1/namespaces/default/pods/web").json();
    current["metadata"]["labels"] = json!({"tier": "web"});
    let put = call(p, "PUT", "/api/v1/namespaces/default/pods/other", "application/json", "application/json", current.to_string().as_bytes());
    assert_eq!((put.status, put.json()["message"].as_str().unwrap()), (400, "the name of the object (web) does not match the name on the URL (other)"));
    let put = call(p, "PUT", "/api/v1/namespaces/default/pods/web", "application/json", "application/json", current.to_string().as_bytes());
    assert_eq!(put.status, 200, "{}", put.text());
    assert_eq!(put.json()["metadata"]["labels"]["tier"], "web");
    // PATCH: the three patch types; server-side apply is not served yet.
    let merge = call(p, "PATCH", "/api/v1/namespaces/default/pods/web", "application/json", "application/merge-patch+json", br#"{"metadata":{"labels":{"a":"1"}}}"#);
    assert_eq!(merge.json()["metadata"]["labels"], json!({"a": "1", "tier": "web"}));
    let jp = call(p, "PATCH", "/api/v1/namespaces/default/pods/web", "application/json", "application/json-patch+json", br#"[{"op":"remove","path":"/metadata/labels/a"}]"#);
    assert_eq!(jp.json()["metadata"]["labels"], json!({"tier": "web"}));
    let smp = call(p, "PATCH", "/api/v1/namespaces/default/pods/web", "application/json", "application/strategic-merge-patch+json", br#"{"spec":{"containers":[{"name":"c","image":"nginx:1.27"}]}}"#);
    assert_eq!(smp.json()["spec"]["containers"][0]["image"], "nginx:1.27");
    let ssa = call(p, "PATCH", "/api/v1/namespaces/default/pods/web", "application/json", "application/apply-patch+yaml", b"{}");
    assert_eq!(ssa.status, 415);
    let odd = call(p, "PATCH", "/api/v1/namespaces/default/pods/web", "application/json", "text/plain", b"{}");
    assert_eq!(odd.status, 415);
    // Method not allowed on a resource path.
    assert_eq!(call(p, "POST", "/api/v1/namespaces/default/pods/web", "application/json", "application/json", b"{}").status, 405);
    // DELETE: graceful for a pod (202 with the object), Status for others.
    let d = call(p, "DELETE", "/api/v1/namespaces/default/pods/web", "application/json", "application/json", br#"{"propagationPolicy":"Background"}"#);
    assert!(d.status == 200 || d.status == 202, "{}", d.status);
    assert_eq!(d.json()["kind"], "Pod");
    let cm = post_json(p, "/api/v1/namespaces/default/configmaps", &json!({"metadata": {"name": "cfg"}, "data": {"a": "b"}}));
    assert_eq!(cm.status, 201, "{}", cm.text());
    let stale = call(p, "DELETE", "/api/v1/namespaces/default/configmaps/cfg", "application/json", "application/json", br#"{"preconditions":{"uid":"nope"}}"#);
    assert_eq!((stale.status, stale.json()["reason"].as_str().unwrap()), (409, "Conflict"));
    let gone = call(p, "DELETE", "/api/v1/namespaces/default/configmaps/cfg", "application/json", "", b"");
    assert_eq!(gone.status, 200);
    assert_eq!(gone.json()["status"], "Success");
    assert_eq!(gone.json()["details"]["name"], "cfg");
    let missing = get(p, "/api/v1/namespaces/default/configmaps/cfg");
    assert_eq!((missing.status, missing.json()["message"].as_str().unwrap()), (404, "configmaps \"cfg\" not found"));
}

#[test]
fn scale_subresource() {
    let s = server();
    let p = s.port;
    let deploy = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {
        "replicas": 2, "selector": {"matchLabels": {"app": "web"}},
        "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}}});
    assert_eq!(post_json(p, "/apis/apps/v1/namespaces/default/deployments", &deploy).status, 201);
    let scale = get(p, "/apis/apps/v1/namespaces/default/deployments/web/scale").json();
    assert_eq!((scale["kind"].as_str(), scale["apiVersion"].as_str()), (Some("Scale"), Some("autoscaling/v1")));
    assert_eq!(scale["spec"]["replicas"], 2);
    assert_eq!(scale["status"]["selector"], "app=web");
    let patched = call(p, "PATCH", "/apis/apps/v1/namespaces/default/deployments/web/scale", "application/json", "application/merge-patch+json", br#"{"spec":{"replicas":5}}"#);
    assert_eq!(patched.json()["spec"]["replicas"], 5, "{}", patched.text());
    assert_eq!(get(p, "/apis/apps/v1/namespaces/default/deployments/web").json()["spec"]["replicas"], 5);
    let negative = call(p, "PATCH", "/apis/apps/v1/namespaces/default/deployments/web/scale", "application/json", "application/merge-patch+json", br#"{"spec":{"replicas":-1}}"#);
    assert_eq!((negative.status, negative.json()["message"].as_str().unwrap()), (422, "Scale.autoscaling \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0"));
    // Foreground deletion keeps the object (with its finalizer) for the garbage collector.
    let fg = call(p, "DELETE", "/apis/apps/v1/namespaces/default/deployments/web", "application/json", "application/json", br#"{"propagationPolicy":"Foreground"}"#);
    assert_eq!(fg.status, 202, "{}", fg.text());
    assert_eq!(fg.json()["metadata"]["finalizers"], json!(["foregroundDeletion"]));
}

/// Reads a watch stream to its end (the server closes it at timeoutSeconds).
fn watch_lines(port: u16, target: &str, accept: &str) -> Vec<Value> {
    let a = call(port, "GET", target, accept, "", b"");
    assert_eq!(a.status, 200, "{}", a.text());
    a.text().lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
}

#[test]
fn watch_streams() {
    let s = server();
    let p = s.port;
    let rv = get(p, "/api/v1/namespaces/default/pods").json()["metadata"]["resourceVersion"].as_str().unwrap().to_string();
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        post_json(p, "/api/v1/namespaces/default/pods", &pod("watched")).status
    });
    // From the list's revision: only what happened after, no synthetic events.
    let events = watch_lines(p, &format!("/api/v1/namespaces/default/pods?watch=true&resourceVersion={rv}&timeoutSeconds=2"), "application/json");
    assert_eq!(writer.join().unwrap(), 201);
    let first = &events[0];
    assert_eq!((first["type"].as_str(), first["object"]["metadata"]["name"].as_str()), (Some("ADDED"), Some("watched")));
    assert_eq!(first["object"]["kind"], "Pod");
    assert!(events[1..].iter().all(|e| e["type"] == "MODIFIED"), "{events:?}");
    // resourceVersion=0: synthetic ADDED for what exists; Table objects with
    // the columns on the first event only.
    let table = watch_lines(p, "/api/v1/namespaces/kube-system/pods?watch=true&resourceVersion=0&timeoutSeconds=1", TABLE);
    assert!(table.len() > 4);
    assert!(table.iter().all(|e| e["type"] == "ADDED" && e["object"]["kind"] == "Table"));
    assert_eq!(table[0]["object"]["columnDefinitions"].as_array().map(Vec::len), Some(9));
    assert_eq!(table[1]["object"]["columnDefinitions"], Value::Null);
    // WatchList (client-go informers in kubectl 1.37): initial events, then
    // the bookmark that marks their end; a final bookmark at timeout.
    let list = watch_lines(p, "/api/v1/namespaces/default/pods?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&fieldSelector=metadata.name%3Dwatched&timeoutSeconds=1", "application/json");
    let types: Vec<&str> = list.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["ADDED", "BOOKMARK", "BOOKMARK"]);
    assert_eq!(list[1]["object"]["metadata"]["annotations"]["k8s.io/initial-events-end"], "true");
    // A watch of one object by name.
    let named = watch_lines(p, "/api/v1/namespaces/default/pods/watched?watch=true&timeoutSeconds=1", "application/json");
    assert_eq!(named.len(), 1);
    // A compacted revision: 410 Expired as an ERROR event (after the clock
    // passed two compaction ticks).
    let adv = call(p, "POST", "/kubeplay/v1/advance?seconds=660", "application/json", "", b"");
    assert_eq!(adv.status, 200);
    let expired = watch_lines(p, "/api/v1/pods?watch=true&resourceVersion=1", "application/json");
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0]["type"], "ERROR");
    assert_eq!((expired[0]["object"]["code"].as_i64(), expired[0]["object"]["reason"].as_str()), (Some(410), Some("Expired")));
    let bad = get(p, "/api/v1/pods?watch=true&resourceVersion=abc");
    assert_eq!(bad.status, 400);
}

#[test]
fn kubeconfig_names_the_profile() {
    let text = crate::kubeconfig(&ClusterProfile::minikube(), 1234);
    assert!(text.contains("server: http://127.0.0.1:1234\n"), "{text}");
    assert!(text.contains("current-context: minikube\n"), "{text}");
}

const PROTOBUF_ACCEPT: &str = "application/vnd.kubernetes.protobuf,application/json";

fn proto_fixture(name: &str) -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/proto/fixtures").join(name)).expect("fixture")
}

fn post_protobuf(port: u16, target: &str, body: &[u8]) -> Answer {
    call(port, "POST", target, PROTOBUF_ACCEPT, crate::http::PROTOBUF, body)
}

/// Bodies real kubectl 1.37 sent as protobuf create the objects; replies are JSON.
#[test]
fn protobuf_bodies_from_real_kubectl() {
    let s = server();
    let q = "?fieldManager=kubectl-create&fieldValidation=Strict";
    let created = [
        ("/apis/apps/v1/namespaces/default/deployments", "create-deployment-web.bin", "web"),
        ("/api/v1/namespaces", "create-namespace.bin", "team-a"),
        ("/api/v1/namespaces/default/configmaps", "create-configmap.bin", "app-config"),
        ("/api/v1/namespaces/default/services", "create-service-clusterip.bin", "web"),
        ("/api/v1/namespaces/default/services", "create-service-nodeport.bin", "np"),
        ("/api/v1/namespaces/default/serviceaccounts", "create-serviceaccount.bin", "builder"),
    ];
    for (path, fixture, name) in created {
        let a = post_protobuf(s.port, &format!("{path}{q}"), &proto_fixture(fixture));
        assert_eq!((a.status, a.header("content-type")), (201, Some("application/json")), "{fixture}: {}", a.text());
        assert_eq!(a.json()["metadata"]["name"], name, "{fixture}");
    }
    let d = get(s.port, "/apis/apps/v1/namespaces/default/deployments/web").json();
    assert_eq!(d["spec"]["replicas"], 3);
    assert_eq!(d["spec"]["template"]["spec"]["containers"][0]["ports"], json!([{"containerPort": 80, "protocol": "TCP"}]));
    // Defaulted by the same strategy as a JSON create.
    assert_eq!(d["spec"]["strategy"]["type"], "RollingUpdate");
    let np = get(s.port, "/api/v1/namespaces/default/services/np").json();
    assert_eq!(np["spec"]["ports"][0]["nodePort"], 30080);
    assert_eq!(get(s.port, "/api/v1/namespaces/default/configmaps/app-config").json()["data"], json!({"color": "blue", "size": "large"}));
    // The same body again: AlreadyExists, as for JSON.
    let again = post_protobuf(s.port, &format!("/apis/apps/v1/namespaces/default/deployments{q}"), &proto_fixture("create-deployment-web.bin"));
    assert_eq!((again.status, again.json()["reason"].as_str()), (409, Some("AlreadyExists")));
    // drain's DELETE with a protobuf DeleteOptions.
    assert_eq!(post_json(s.port, "/api/v1/namespaces/default/pods", &pod("p1")).status, 201);
    let del = call(s.port, "DELETE", "/api/v1/namespaces/default/pods/p1", PROTOBUF_ACCEPT, crate::http::PROTOBUF, &proto_fixture("drain-delete-options.bin"));
    assert!(del.status == 200 || del.status == 202, "{}", del.text());
}

/// Bodies that are not what the URL serves get kube-apiserver's errors and
/// change nothing.
#[test]
fn protobuf_errors() {
    let s = server();
    let before = get(s.port, "/api/v1/namespaces/default/services").json()["items"].clone();
    // A Secret (not served): the path is unknown, as for any unserved resource.
    let secret = post_protobuf(s.port, "/api/v1/namespaces/default/secrets", &proto_fixture("create-secret.bin"));
    assert_eq!((secret.status, secret.text()), (404, "404 page not found\n".to_string()));
    let status = |a: &Answer| (a.status, a.json()["reason"].as_str().unwrap_or("").to_string(), a.json()["message"].as_str().unwrap_or("").to_string());
    // A Deployment posted to services: its type exists but does not convert.
    let a = post_protobuf(s.port, "/api/v1/namespaces/default/services", &proto_fixture("create-deployment-web.bin"));
    assert_eq!(status(&a), (400, "BadRequest".into(), "Deployment in version \"v1\" cannot be handled as a Service: converting (v1.Deployment) to (core.Service): unknown conversion".into()));
    // A Secret posted to services: registered in v1, no conversion either.
    let a = post_protobuf(s.port, "/api/v1/namespaces/default/services", &proto_fixture("create-secret.bin"));
    assert_eq!(status(&a).2, "Secret in version \"v1\" cannot be handled as a Service: converting (v1.Secret) to (core.Service): unknown conversion");
    // A kind no scheme knows.
    let mut foo = proto_fixture("create-secret.bin");
    let at = foo.windows(6).position(|w| w == b"Secret").expect("kind");
    foo.splice(at..at + 6, *b"Foobar");
    let a = post_protobuf(s.port, "/api/v1/namespaces/default/services", &foo);
    assert_eq!(status(&a).2, "Foobar in version \"v1\" cannot be handled as a Service: no kind \"Foobar\" is registered for version \"v1\" in scheme \"pkg/api/legacyscheme/scheme.go:30\"");
    // Not protobuf at all, and a truncated object.
    let a = post_protobuf(s.port, "/api/v1/namespaces/default/services", b"{\"kind\":\"Service\",\"apiVersion\":\"v1\",\"metadata\":{}}");
    assert_eq!(status(&a), (400, "BadRequest".into(), "the object provided is unrecognized (must be of type Service): provided data does not appear to be a protobuf message, expected prefix [107 56 115 0] ({\"kind\":\"Service\",\"apiVersion\" ...)".into()));
    let body = proto_fixture("create-service-clusterip.bin");
    let a = post_protobuf(s.port, "/api/v1/namespaces/default/services", &body[..body.len() - 10]);
    assert_eq!(status(&a).2, "the object provided is unrecognized (must be of type Service): unexpected EOF (6b3873000a0d0a02763112075365727669636512690a1f0a037765621200 ...)");
    let mut cut = body.clone();
    // The envelope is whole but the object inside it ends early.
    let raw_len_at = 4 + 2 + 13 + 1;
    cut[raw_len_at] = 0x20;
    cut.truncate(raw_len_at + 1 + 0x20);
    let a = post_protobuf(s.port, "/api/v1/namespaces/default/services", &cut);
    assert_eq!(status(&a).2, "Service in version \"v1\" cannot be handled as a Service: unexpected EOF");
    assert_eq!(get(s.port, "/api/v1/namespaces/default/services").json()["items"], before);
}

/// Bad requests get kube-apiserver's Status (reason, code, message) and
/// leave the store as it was.
#[test]
fn bad_requests_answer_status_and_change_nothing() {
    let s = server();
    let p = s.port;
    let revision = |p| get(p, "/api/v1/pods").json()["metadata"]["resourceVersion"].clone();
    let before = revision(p);
    let status = |a: &Answer| (a.status, a.json()["reason"].as_str().unwrap_or("").to_string(), a.json()["message"].as_str().unwrap_or("").to_string());
    let pods = "/api/v1/namespaces/default/pods";
    // Malformed JSON: the JSON serializer's Interpret (json.Unmarshal into
    // apiVersion/kind) fails, so create.go's transformDecodeError has no
    // kind: "the object provided is unrecognized" with a summary of the body.
    let a = call(p, "POST", pods, "application/json", "application/json", b"{bad");
    assert_eq!(status(&a), (400, "BadRequest".into(), "the object provided is unrecognized (must be of type Pod): couldn't get version/kind; json parse error: invalid character 'b' looking for beginning of object key string ({bad)".into()));
    let a = call(p, "POST", pods, "application/json", "application/json", br#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"},"spec":{"containers":[{"name":"c","image":"nginx"}]}"#);
    assert_eq!(status(&a).2, "the object provided is unrecognized (must be of type Pod): couldn't get version/kind; json parse error: unexpected end of JSON input ({\"apiVersion\":\"v1\",\"kind\":\"Pod ...)");
    let a = call(p, "POST", pods, "application/json", "application/json", b"[1]");
    assert_eq!(status(&a).2, "the object provided is unrecognized (must be of type Pod): couldn't get version/kind; json parse error: json: cannot unmarshal array into Go value of type struct { APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" } (5b315d)");
    // DELETE's options: delete.go answers the decoder's error as it is.
    let a = call(p, "DELETE", "/api/v1/namespaces/kube-system/pods/nope", "application/json", "application/json", b"{\"gracePeriodSeconds\": }");
    assert_eq!(status(&a), (400, "BadRequest".into(), "couldn't get version/kind; json parse error: invalid character '}' looking for beginning of value".into()));
    // A media type no serializer handles (negotiate.go NegotiateInputSerializer).
    let a = call(p, "POST", pods, "application/json", "text/plain", b"hello");
    assert_eq!(status(&a), (415, "UnsupportedMediaType".into(), "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf".into()));
    // More than --max-request-body-bytes (3 MiB): limitedReadBody's 413.
    let big = [b"{\"a\":\"".as_slice(), &vec![b'x'; crate::http::MAX_REQUEST_BODY_BYTES], b"\"}"].concat();
    let a = call(p, "POST", pods, "application/json", "application/json", &big);
    assert_eq!(status(&a), (413, "RequestEntityTooLarge".into(), "Request entity too large: limit is 3145728".into()));
    // Unknown paths: Go's NotFound page, as kube-apiserver's NotFoundHandler.
    for path in ["/api/v2/pods", "/apis/apps/v1/namespaces/default/widgets", "/favicon.ico"] {
        let a = get(p, path);
        assert_eq!((a.status, a.header("content-type"), a.text()), (404, Some("text/plain; charset=utf-8"), "404 page not found\n".to_string()), "{path}");
    }
    // Query values: ListOptions conversion errors, as BadRequests with the
    // parser's own text (labels/selector.go, strconv.ParseInt).
    let a = get(p, "/api/v1/pods?labelSelector=a+in+(b");
    assert_eq!(status(&a), (400, "BadRequest".into(), "found '', expected: ',' or ')'".into()));
    let a = get(p, "/api/v1/pods?labelSelector=a+in+b");
    assert_eq!(status(&a).2, "found 'b' expected: '('");
    let a = get(p, "/api/v1/pods?labelSelector=!");
    assert_eq!(status(&a).2, "found '', expected: identifier");
    let a = get(p, "/api/v1/pods?limit=ten");
    assert_eq!(status(&a), (400, "BadRequest".into(), "strconv.ParseInt: parsing \"ten\": invalid syntax".into()));
    let a = get(p, "/api/v1/pods?limit=99999999999999999999");
    assert_eq!(status(&a).2, "strconv.ParseInt: parsing \"99999999999999999999\": value out of range");
    let a = get(p, "/api/v1/pods?watch=true&timeoutSeconds=soon");
    assert_eq!(status(&a).2, "strconv.ParseInt: parsing \"soon\": invalid syntax");
    // None of it wrote anything: the store's revision is where it was.
    assert_eq!(revision(p), before);
    // A watch from a compacted revision: the watch cache answers with an
    // ERROR event (cacher.go newErrWatcher) carrying 410 Expired and
    // watch_cache.go's "too old resource version: <rv> (<oldest - 1>)".
    let _ = call(p, "POST", "/kubeplay/v1/advance?seconds=900", "application/json", "", b"");
    let lines = watch_lines(p, "/api/v1/pods?watch=true&resourceVersion=1&timeoutSeconds=5", "application/json");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["type"], "ERROR");
    let st = &lines[0]["object"];
    assert_eq!((st["kind"].as_str(), st["status"].as_str(), st["reason"].as_str(), st["code"].as_i64()), (Some("Status"), Some("Failure"), Some("Expired"), Some(410)));
    let message = st["message"].as_str().unwrap_or("");
    assert!(message.starts_with("too old resource version: 1 ("), "{message}");
}

#[test]
fn malformed_yaml_body() {
    let s = server();
    let a = call(s.port, "POST", "/api/v1/namespaces/default/pods", "application/json", "application/yaml", b"metadata: {name: [x\n");
    assert_eq!((a.status, a.json()["reason"].as_str()), (400, Some("BadRequest")));
    let message = a.json()["message"].as_str().unwrap_or("").to_string();
    assert!(message.starts_with("the object provided is unrecognized (must be of type Pod): error converting YAML to JSON: yaml: "), "{message}");
    assert!(message.ends_with(" (6d657461646174613a207b6e616d653a205b780a)"), "{message}");
}

/// pods/log: what kubeplay's kubectl prints for `kubectl logs`, the
/// apiserver's container checks, tailLines, and a follow that ends with
/// its container.
#[test]
fn pod_logs() {
    let s = server();
    let p = s.port;
    assert_eq!(post_json(p, "/api/v1/namespaces/default/pods", &pod("web")).status, 201);
    let two = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "two"},
        "spec": {"initContainers": [{"name": "init", "image": "busybox", "command": ["true"]}],
                 "containers": [{"name": "a", "image": "nginx"}, {"name": "b", "image": "busybox", "command": ["sleep", "3600"]}]}});
    assert_eq!(post_json(p, "/api/v1/namespaces/default/pods", &two).status, 201);
    let _ = call(p, "POST", "/kubeplay/v1/advance?seconds=60", "application/json", "", b"");
    let log = get(p, "/api/v1/namespaces/default/pods/web/log");
    assert_eq!((log.status, log.header("content-type")), (200, Some("text/plain")));
    let text = log.text();
    assert!(text.lines().count() > 3 && text.ends_with('\n'), "{text}");
    let tail = get(p, "/api/v1/namespaces/default/pods/web/log?tailLines=2").text();
    assert_eq!(tail, text.lines().rev().take(2).collect::<Vec<_>>().into_iter().rev().map(|l| format!("{l}\n")).collect::<String>());
    let status = |a: &Answer| (a.status, a.json()["message"].as_str().unwrap_or("").to_string());
    assert_eq!(status(&get(p, "/api/v1/namespaces/default/pods/two/log")), (400, "a container name must be specified for pod two, choose one of: [a b] or one of the init containers: [init]".into()));
    assert_eq!(status(&get(p, "/api/v1/namespaces/default/pods/web/log?container=x")), (400, "container x is not valid for pod web".into()));
    assert_eq!(status(&get(p, "/api/v1/namespaces/default/pods/web/log?previous=true")), (400, "previous terminated container \"c\" in pod \"web\" not found".into()));
    assert_eq!(get(p, "/api/v1/namespaces/default/pods/nope/log").status, 404);
    // Follow: the log so far, then the stream ends when the pod's container
    // stops (deleted with no grace period).
    let port = p;
    let follower = std::thread::spawn(move || call(port, "GET", "/api/v1/namespaces/default/pods/web/log?follow=true", "*/*", "", b""));
    std::thread::sleep(Duration::from_millis(300));
    let del = call(p, "DELETE", "/api/v1/namespaces/default/pods/web?gracePeriodSeconds=0", "application/json", "", b"");
    assert!(del.status == 200 || del.status == 202, "{}", del.text());
    let _ = call(p, "POST", "/kubeplay/v1/advance?seconds=5", "application/json", "", b"");
    let followed = follower.join().expect("follower");
    assert_eq!(followed.header("transfer-encoding"), Some("chunked"));
    assert!(followed.text().starts_with(&text), "{}", followed.text());
}

/// Reads server WebSocket frames until the close: (opcode, payload) each.
fn read_frames(stream: &mut TcpStream) -> Vec<(u8, Vec<u8>)> {
    let mut frames = vec![];
    loop {
        let mut head = [0u8; 2];
        if stream.read_exact(&mut head).is_err() {
            return frames;
        }
        let mut len = (head[1] & 0x7f) as usize;
        if len == 126 {
            let mut b = [0u8; 2];
            stream.read_exact(&mut b).expect("length");
            len = u16::from_be_bytes(b) as usize;
        } else if len == 127 {
            let mut b = [0u8; 8];
            stream.read_exact(&mut b).expect("length");
            len = u64::from_be_bytes(b) as usize;
        }
        assert_eq!(head[1] & 0x80, 0, "server frames are not masked");
        let mut payload = vec![0u8; len];
        stream.read_exact(&mut payload).expect("payload");
        let opcode = head[0] & 0x0f;
        frames.push((opcode, payload));
        if opcode == 0x8 {
            return frames;
        }
    }
}

/// pods/exec over WebSocket: the RFC 6455 handshake with the k8s
/// subprotocol, then stdout (channel 1), stderr (2), the Status (3), close.
#[test]
fn pod_exec_over_websocket() {
    let s = server();
    let p = s.port;
    assert_eq!(post_json(p, "/api/v1/namespaces/default/pods", &pod("web")).status, 201);
    let _ = call(p, "POST", "/kubeplay/v1/advance?seconds=60", "application/json", "", b"");
    let exec = |query: &str, protocols: &str| {
        let mut st = TcpStream::connect(("127.0.0.1", p)).expect("connect");
        st.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
        let head = format!(
            "GET /api/v1/namespaces/default/pods/web/exec?{query} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: {protocols}\r\n\r\n"
        );
        st.write_all(head.as_bytes()).expect("write");
        let mut response = vec![];
        let mut byte = [0u8; 1];
        while !response.ends_with(b"\r\n\r\n") && st.read_exact(&mut byte).is_ok() {
            response.push(byte[0]);
        }
        let response = String::from_utf8_lossy(&response).into_owned();
        let frames = if response.starts_with("HTTP/1.1 101") { read_frames(&mut st) } else { vec![] };
        (response, frames)
    };
    let (head, frames) = exec("command=cat&command=%2Fetc%2Fhostname&container=c&stdout=true&stderr=true", "v5.channel.k8s.io, v4.channel.k8s.io");
    assert!(head.starts_with("HTTP/1.1 101 Switching Protocols\r\n"), "{head}");
    // RFC 6455's example key and its answer.
    assert!(head.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), "{head}");
    assert!(head.contains("Sec-WebSocket-Protocol: v5.channel.k8s.io\r\n"), "{head}");
    let data: Vec<(u8, String)> = frames.iter().filter(|f| f.0 == 0x2).map(|f| (f.1[0], String::from_utf8_lossy(&f.1[1..]).into_owned())).collect();
    assert_eq!(data, vec![(1, "web\n".to_string()), (3, r#"{"metadata":{},"status":"Success"}"#.to_string())]);
    assert_eq!(frames.last(), Some(&(0x8, 1000u16.to_be_bytes().to_vec())));
    // A failing command: stderr, then NonZeroExitCode with the code as a cause.
    let (_, frames) = exec("command=sh&command=-c&command=echo+oops%3B+exit+3&stdout=true&stderr=true", "v4.channel.k8s.io");
    let status: Value = serde_json::from_slice(&frames.iter().find(|f| f.0 == 0x2 && f.1[0] == 3).expect("status").1[1..]).expect("json");
    assert_eq!((status["reason"].as_str(), status["details"]["causes"][0]["message"].as_str()), (Some("NonZeroExitCode"), Some("3")));
    assert!(frames.iter().any(|f| f.0 == 0x2 && f.1 == b"\x01oops\n"), "{frames:?}");
    let (_, frames) = exec("command=ls&command=%2Fnope&stdout=true&stderr=true", "v5.channel.k8s.io");
    assert!(frames.iter().any(|f| f.0 == 0x2 && f.1[0] == 2 && f.1.len() > 1), "stderr on channel 2: {frames:?}");
    // Not an upgrade, an unknown subprotocol, a bad container: plain errors.
    let plain = get(p, "/api/v1/namespaces/default/pods/web/exec?command=ls");
    assert_eq!((plain.status, plain.json()["message"].as_str()), (400, Some("Upgrade request required")));
    let (head, _) = exec("command=ls", "channel.k8s.io");
    assert!(head.starts_with("HTTP/1.1 400"), "{head}");
    let (head, _) = exec("command=ls&container=nope", "v5.channel.k8s.io");
    assert!(head.starts_with("HTTP/1.1 400"), "{head}");
}
