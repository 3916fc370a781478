//! The data half of ingress-nginx: which Service a request arriving at the
//! controller goes to, chosen from the Ingresses of its class as the
//! generated nginx.conf would choose (rootfs/etc/nginx/template/nginx.tmpl):
//! a `server` per host (exact name, then a `*.` wildcard of one label, then
//! the default server `_` that holds the rules without a host), and within
//! it the `location` that matches — `Exact` paths first (`location =`),
//! otherwise the longest matching path; `Prefix` matches whole `/`-separated
//! elements, `ImplementationSpecific` is a plain string prefix. No match is
//! the default server's 404.
//!
//! What the backend receives (proxy_set_header in the template) and what
//! the client gets back (nginx's header filter, `Server` cleared) are
//! built in `proxied_request` and `proxied_response`.

use crate::http::{Request, Response, http_date};
use apimachinery::k8s_openapi::api::core::v1::Service;
use apimachinery::k8s_openapi::api::networking::v1::{Ingress, IngressBackend};
use apimachinery::{Kind, Timestamp};
use apiserver::ApiServer;
use apiserver::registry::networking::served_by_ingress_nginx;

/// `nginx.ingress.kubernetes.io/rewrite-target`.
pub const REWRITE_TARGET_ANNOTATION: &str = "nginx.ingress.kubernetes.io/rewrite-target";

/// Where the controller sends a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upstream {
    pub namespace: String,
    pub service: String,
    /// The Ingress backend's port: a number or a name.
    pub port: String,
    /// The matched rule's path (for rewrite-target).
    pub path: String,
    pub rewrite_target: Option<String>,
}

impl Upstream {
    /// `$proxy_upstream_name`: `<namespace>-<service>-<port>`.
    pub fn name(&self) -> String {
        format!("{}-{}-{}", self.namespace, self.service, self.port)
    }
}

fn upstream_of(ing: &Ingress, backend: &IngressBackend, path: &str) -> Option<Upstream> {
    let svc = backend.service.as_ref()?;
    let port = svc.port.clone().unwrap_or_default();
    let port = match port.number.filter(|n| *n != 0) {
        Some(n) => n.to_string(),
        None => port.name.unwrap_or_default(),
    };
    Some(Upstream {
        namespace: ing.metadata.namespace.clone().unwrap_or_default(),
        service: svc.name.clone(),
        port,
        path: path.to_string(),
        rewrite_target: ing.metadata.annotations.as_ref().and_then(|a| a.get(REWRITE_TARGET_ANNOTATION)).cloned(),
    })
}

/// How well a rule path matches a request path: None, or (exact, length).
fn path_match(path_type: &str, rule: &str, request: &str) -> Option<(bool, usize)> {
    let rule = if rule.is_empty() { "/" } else { rule };
    match path_type {
        "Exact" => (request == rule).then_some((true, rule.len())),
        "Prefix" => {
            let base = if rule == "/" { "" } else { rule.trim_end_matches('/') };
            let hit = base.is_empty() || request == base || request.strip_prefix(base).is_some_and(|rest| rest.starts_with('/'));
            hit.then_some((false, base.len()))
        }
        _ => request.starts_with(rule).then_some((false, rule.len())),
    }
}

/// `*.example.com` matches `blue.example.com` (one label), not `example.com`.
fn wildcard_match(pattern: &str, host: &str) -> bool {
    let Some(suffix) = pattern.strip_prefix('*') else { return false };
    host.strip_suffix(suffix).is_some_and(|label| !label.is_empty() && !label.contains('.'))
}

/// The Upstream for a request, or None (the default server's 404).
pub fn route(api: &ApiServer, host_header: &str, request_path: &str) -> Option<Upstream> {
    let host = host_header.rsplit_once(':').filter(|(_, p)| p.bytes().all(|b| b.is_ascii_digit())).map_or(host_header, |(h, _)| h).to_ascii_lowercase();
    let ingresses: Vec<Ingress> = api.store().list(Kind::Ingress, None).filter_map(|o| o.as_typed::<Ingress>()).filter(|i| served_by_ingress_nginx(api, i)).cloned().collect();
    let rule_host = |r: &apimachinery::k8s_openapi::api::networking::v1::IngressRule| r.host.clone().unwrap_or_default();
    let all_hosts: Vec<String> = ingresses.iter().flat_map(|i| i.spec.iter().flat_map(|s| s.rules.iter().flatten()).map(rule_host)).collect();
    // nginx's server_name choice: exact, then wildcard, then the default server.
    let server = if all_hosts.contains(&host) {
        host.clone()
    } else if let Some(w) = all_hosts.iter().find(|h| wildcard_match(h, &host)) {
        w.clone()
    } else {
        String::new()
    };
    let mut best: Option<((bool, usize), Upstream)> = None;
    for ing in &ingresses {
        for rule in ing.spec.iter().flat_map(|s| s.rules.iter().flatten()) {
            if rule_host(rule) != server {
                continue;
            }
            for p in rule.http.iter().flat_map(|h| h.paths.iter()) {
                let rule_path = p.path.as_deref().unwrap_or("/");
                let Some(score) = path_match(&p.path_type, rule_path, request_path) else { continue };
                let better = match &best {
                    None => true,
                    Some((b, _)) => score.0 && !b.0 || (score.0 == b.0 && score.1 > b.1),
                };
                if better && let Some(u) = upstream_of(ing, &p.backend, rule_path) {
                    best = Some((score, u));
                }
            }
        }
    }
    if let Some((_, u)) = best {
        return Some(u);
    }
    // The default server's `location /` goes to an Ingress's defaultBackend.
    if server.is_empty() {
        return ingresses.iter().find_map(|i| upstream_of(i, i.spec.as_ref()?.default_backend.as_ref()?, "/"));
    }
    None
}

/// The backend Service and the service port name the Upstream means.
pub fn backend_service(api: &ApiServer, u: &Upstream) -> Option<(Service, String)> {
    let svc = api.get(Kind::Service, &u.namespace, &u.service).ok()?.as_typed::<Service>()?.clone();
    let port = svc.spec.iter().flat_map(|s| s.ports.iter().flatten()).find(|p| p.port.to_string() == u.port || p.name.as_deref() == Some(u.port.as_str()))?;
    let name = port.name.clone().unwrap_or_default();
    Some((svc, name))
}

/// The target after `rewrite-target` (rewrite "(?i)<path>" <target> break:
/// the first case-insensitive occurrence of the rule path is replaced).
pub fn rewritten_target(u: &Upstream, target: &str) -> String {
    let Some(to) = u.rewrite_target.as_deref() else { return target.to_string() };
    let lower = target.to_ascii_lowercase();
    match lower.find(&u.path.to_ascii_lowercase()) {
        Some(i) if !u.path.is_empty() => format!("{}{to}{}", &target[..i], &target[i + u.path.len()..]),
        _ => target.to_string(),
    }
}

/// What the controller's nginx sends upstream: `Host` kept, the
/// X-Forwarded-* family, then the client's own headers.
pub fn proxied_request(req: &Request, target: String, client_ip: &str, request_id: &str) -> Request {
    let host = req.header("Host").unwrap_or("").to_string();
    let mut headers = vec![
        ("Host".to_string(), host.clone()),
        ("X-Request-ID".to_string(), request_id.to_string()),
        ("X-Real-IP".to_string(), client_ip.to_string()),
        ("X-Forwarded-For".to_string(), client_ip.to_string()),
        ("X-Forwarded-Host".to_string(), host),
        ("X-Forwarded-Port".to_string(), "80".to_string()),
        ("X-Forwarded-Proto".to_string(), "http".to_string()),
        ("X-Forwarded-Scheme".to_string(), "http".to_string()),
        ("X-Scheme".to_string(), "http".to_string()),
    ];
    for (k, v) in &req.headers {
        if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(k)) && !k.eq_ignore_ascii_case("Connection") {
            headers.push((k.clone(), v.clone()));
        }
    }
    Request { method: req.method.clone(), target, headers, body: req.body.clone() }
}

/// What the client gets back: nginx's own Date and Connection, the
/// upstream's entity headers, no Server.
pub fn proxied_response(upstream: Response, now: Timestamp) -> Response {
    let get = |name: &str| upstream.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone());
    let mut headers = vec![("Date".to_string(), http_date(now))];
    for name in ["Content-Type", "Content-Length", "Last-Modified"] {
        if let Some(v) = get(name) {
            headers.push((name.to_string(), v));
        }
    }
    if get("Content-Length").is_none() {
        headers.push(("Transfer-Encoding".to_string(), "chunked".to_string()));
    }
    headers.push(("Connection".to_string(), "keep-alive".to_string()));
    const HANDLED: &[&str] = &["Server", "Date", "Content-Type", "Content-Length", "Last-Modified", "Connection", "Transfer-Encoding", "Keep-Alive"];
    for (k, v) in &upstream.headers {
        if !HANDLED.iter().any(|h| h.eq_ignore_ascii_case(k)) {
            headers.push((k.clone(), v.clone()));
        }
    }
    Response { status: upstream.status, reason: upstream.reason, headers, body: upstream.body }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_types_match_as_the_docs_say() {
        // kubernetes.io/docs/concepts/services-networking/ingress/#examples
        let cases = [
            ("Prefix", "/", "/anything", true),
            ("Exact", "/foo", "/foo", true),
            ("Exact", "/foo", "/bar", false),
            ("Exact", "/foo", "/foo/", false),
            ("Exact", "/foo/", "/foo", false),
            ("Prefix", "/foo", "/foo", true),
            ("Prefix", "/foo", "/foo/", true),
            ("Prefix", "/foo/", "/foo", true),
            ("Prefix", "/foo/", "/foo/", true),
            ("Prefix", "/aaa/bb", "/aaa/bbb", false),
            ("Prefix", "/aaa/bbb", "/aaa/bbb", true),
            ("Prefix", "/aaa/bbb/", "/aaa/bbb", true),
            ("Prefix", "/aaa/bbb", "/aaa/bbb/", true),
            ("Prefix", "/aaa/bbb", "/aaa/bbb/ccc", true),
            ("Prefix", "/aaa/bbb", "/aaa/bbbxyz", false),
            ("ImplementationSpecific", "/aaa/bbb", "/aaa/bbbxyz", true),
        ];
        for (t, rule, req, want) in cases {
            assert_eq!(path_match(t, rule, req).is_some(), want, "{t} {rule} {req}");
        }
        assert!(wildcard_match("*.example.com", "blue.example.com"));
        assert!(!wildcard_match("*.example.com", "a.blue.example.com"));
        assert!(!wildcard_match("*.example.com", "example.com"));
    }

    #[test]
    fn rewrite_target_replaces_the_matched_path() {
        let u = Upstream { namespace: "default".into(), service: "s".into(), port: "80".into(), path: "/blue".into(), rewrite_target: Some("/".into()) };
        assert_eq!(rewritten_target(&u, "/blue"), "/");
        assert_eq!(rewritten_target(&u, "/Blue/x"), "//x");
        assert_eq!(u.name(), "default-s-80");
    }
}
