//! What the servers in images answer, and what they write to their logs
//! for each request. A response depends on the request's path through the
//! network (the client address after kube-proxy's SNAT, the Host header),
//! which the kubelet never sees — so the serving half of an image's
//! behaviour lives here, and its access-log lines travel back to the
//! kubelet's container log through the world.

use crate::http::{Request, Response, http_date, nginx_time_local, reason};
use apimachinery::Timestamp;
use kubelet::images::ImageRef;
use kubelet::rootfs::NGINX_VERSION;
use kubelet::rootfs::FilesView;

/// The image servers kubeplay models.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Server {
    /// nginx:latest (docker-nginx, Debian): static files from /usr/share/nginx/html.
    Nginx,
    /// registry.k8s.io/echoserver:1.10: nginx 1.13.3 + lua printing the request.
    EchoServer,
    /// jmalloc/echo-server: Go, "Request served by <hostname>".
    JmallocEchoServer,
    /// gcr.io/google-samples/hello-app.
    HelloApp,
    /// luksa/kubia (Kubernetes in Action's node.js app): "You've hit <hostname>".
    Kubia,
    /// luksa/kubia-unhealthy: the same, answering 500 after five requests.
    KubiaUnhealthy,
    /// registry.k8s.io/ingress-nginx/controller: a reverse proxy, routed
    /// by the cluster's Ingresses (ingress.rs).
    IngressNginx,
    /// The same image's controller process: its Go HTTP server on
    /// `--healthz-port` (10254), which the controller's probes ask.
    IngressNginxHealth,
}

/// The server in an image and the port it listens on, given the
/// container's environment (echo-server honours `PORT`).
pub fn server_of(r: &ImageRef, env: &[(String, String)]) -> Option<(Server, u16)> {
    let env_port = env.iter().find(|(k, _)| k == "PORT").and_then(|(_, v)| v.parse::<u16>().ok());
    match r.repository().as_str() {
        "docker.io/library/nginx" => Some((Server::Nginx, 80)),
        "registry.k8s.io/echoserver" | "k8s.gcr.io/echoserver" | "gcr.io/google_containers/echoserver" => Some((Server::EchoServer, 8080)),
        "docker.io/jmalloc/echo-server" => Some((Server::JmallocEchoServer, env_port.unwrap_or(8080))),
        "gcr.io/google-samples/hello-app" | "us-docker.pkg.dev/google-samples/containers/gke/hello-app" => Some((Server::HelloApp, env_port.unwrap_or(8080))),
        "docker.io/luksa/kubia" => Some((Server::Kubia, 8080)),
        "docker.io/luksa/kubia-unhealthy" => Some((Server::KubiaUnhealthy, 8080)),
        "registry.k8s.io/ingress-nginx/controller" => Some((Server::IngressNginx, 80)),
        _ => None,
    }
}

/// The port of ingress-nginx's controller process (`--healthz-port`).
const INGRESS_NGINX_HEALTH_PORT: u16 = 10254;

/// The server an image runs on `port`, if any: its main server, or a
/// second one of the same image (ingress-nginx's controller health port).
pub fn server_at(r: &ImageRef, env: &[(String, String)], port: u16) -> Option<Server> {
    match server_of(r, env)? {
        (Server::IngressNginx, _) if port == INGRESS_NGINX_HEALTH_PORT => Some(Server::IngressNginxHealth),
        (server, listen) => (listen == port).then_some(server),
    }
}

/// Ports a non-HTTP server in an image listens on (a TCP connection is
/// accepted; kubeplay does not speak its protocol).
pub fn tcp_ports_of(r: &ImageRef) -> &'static [u16] {
    match r.repository().as_str() {
        "docker.io/library/redis" => &[6379],
        _ => &[],
    }
}

/// Whether kubeplay does not model what an image's main process serves:
/// control-plane and add-on images, and catalogue servers it does not
/// simulate (databases, proxies). Their probes are taken to pass.
pub fn opaque(r: &ImageRef) -> bool {
    if server_of(r, &[]).is_some() || !tcp_ports_of(r).is_empty() {
        return false;
    }
    let system = matches!(r.domain.as_str(), "registry.k8s.io" | "k8s.gcr.io") || r.path.starts_with("calico/");
    system || kubelet::images::known(r).is_some_and(|k| matches!(k.kind, kubelet::images::ImageKind::Server | kubelet::images::ImageKind::Pause))
}

/// What a server knows about one connection.
pub struct ServeCtx<'a> {
    pub hostname: &'a str,
    /// The client address the server sees (after SNAT).
    pub client_ip: &'a str,
    pub client_port: u16,
    pub now: Timestamp,
    pub files: &'a FilesView<'a>,
    pub env: &'a [(String, String)],
    /// The connection number nginx prints as `*N` in error lines.
    pub connection: u64,
}

/// The server's answer and the lines it wrote to its log (stdout and
/// stderr interleaved, as `kubectl logs` shows them).
pub struct Served {
    pub response: Response,
    pub log: Vec<String>,
}

pub fn serve(server: Server, ctx: &ServeCtx, req: &Request) -> Served {
    match server {
        Server::Nginx => nginx(ctx, req),
        Server::EchoServer => echoserver(ctx, req),
        Server::JmallocEchoServer => jmalloc(ctx, req),
        Server::HelloApp => hello_app(ctx, req),
        Server::Kubia => kubia(ctx, req, false),
        Server::KubiaUnhealthy => kubia(ctx, req, true),
        // The proxy needs the cluster's state: the network answers for it.
        Server::IngressNginx => Served { response: ingress_default_backend(ctx.now, 404, req), log: vec![] },
        Server::IngressNginxHealth => Served { response: controller_health(ctx.now, req), log: vec![] },
    }
}

/// When the image's index.html was built (its Last-Modified and ETag).
const NGINX_INDEX_MTIME_RFC3339: &str = "2025-08-13T16:24:12Z";

/// The controller's Go HTTP server: `/healthz` answers `ok` (the
/// k8s.io/apiserver healthz handler), anything else Go's `404 page not found`.
fn controller_health(now: Timestamp, req: &Request) -> Response {
    let (status, body) = if req.path() == "/healthz" { (200, "ok") } else { (404, "404 page not found\n") };
    Response {
        status,
        reason: reason(status),
        headers: vec![
            ("Content-Type".into(), "text/plain; charset=utf-8".into()),
            ("X-Content-Type-Options".into(), "nosniff".into()),
            ("Date".into(), http_date(now)),
            ("Content-Length".into(), body.len().to_string()),
        ],
        body: if req.method == "HEAD" { String::new() } else { body.to_string() },
    }
}

/// ingress-nginx's answer when no Ingress rule matches (the default
/// server's `return 404`) or the backend has no endpoints (503):
/// nginx's special response with `server_tokens off` (`<center>nginx</center>`)
/// and no `Server` header (`more_clear_headers Server`, nginx.tmpl).
pub fn ingress_default_backend(now: Timestamp, status: u16, req: &Request) -> Response {
    let body = nginx_error_page(status, "nginx");
    Response {
        status,
        reason: reason(status),
        headers: vec![("Date".into(), http_date(now)), ("Content-Type".into(), "text/html".into()), ("Content-Length".into(), body.len().to_string()), ("Connection".into(), "keep-alive".into())],
        body: if req.method == "HEAD" { String::new() } else { body },
    }
}

fn nginx_error_page(status: u16, server_tokens: &str) -> String {
    // ngx_http_special_response.c: CRLF inside the page.
    let title = format!("{status} {}", reason(status));
    format!("<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n<hr><center>{server_tokens}</center>\r\n</body>\r\n</html>\r\n")
}

/// nginx's answer with one of its error pages, and the lines it logs: the
/// error-log line `what` (`open() "…" failed …`) and the access line.
fn nginx_error(ctx: &ServeCtx, req: &Request, status: u16, what: &str) -> Served {
    let server = format!("nginx/{NGINX_VERSION}");
    let head = req.method == "HEAD";
    let page = nginx_error_page(status, &server);
    let len = page.len();
    let response = Response {
        status,
        reason: reason(status),
        headers: vec![("Server".into(), server), ("Date".into(), http_date(ctx.now)), ("Content-Type".into(), "text/html".into()), ("Content-Length".into(), len.to_string()), ("Connection".into(), "keep-alive".into())],
        body: if head { String::new() } else { page },
    };
    let error = format!(
        "{} [error] 29#29: *{} {what}, client: {}, server: localhost, request: \"{}\", host: \"{}\"",
        ctx.now.strftime("%Y/%m/%d %H:%M:%S"),
        ctx.connection,
        ctx.client_ip,
        req.request_line(),
        req.header("Host").unwrap_or("")
    );
    let sent = if head { 0 } else { len };
    Served { log: vec![error, nginx_access_line(ctx, req, status, sent, true)], response }
}

fn nginx_access_line(ctx: &ServeCtx, req: &Request, status: u16, body_bytes: usize, with_forwarded_for: bool) -> String {
    let referer = req.header("Referer").unwrap_or("-");
    let ua = req.header("User-Agent").unwrap_or("-");
    let mut s = format!("{} - - [{}] \"{}\" {status} {body_bytes} \"{referer}\" \"{ua}\"", ctx.client_ip, nginx_time_local(ctx.now), req.request_line());
    if with_forwarded_for {
        s.push_str(&format!(" \"{}\"", req.header("X-Forwarded-For").unwrap_or("-")));
    }
    s
}

/// nginx serving /usr/share/nginx/html (the image's default.conf):
/// headers in ngx_http_header_filter_module.c order, `main` log format.
fn nginx(ctx: &ServeCtx, req: &Request) -> Served {
    let server = format!("nginx/{NGINX_VERSION}");
    let date = http_date(ctx.now);
    let head = req.method == "HEAD";
    if req.method != "GET" && req.method != "HEAD" {
        let body = nginx_error_page(405, &server);
        let response = Response {
            status: 405,
            reason: reason(405),
            headers: vec![("Server".into(), server), ("Date".into(), date), ("Content-Type".into(), "text/html".into()), ("Content-Length".into(), body.len().to_string()), ("Connection".into(), "keep-alive".into())],
            body,
        };
        let log = vec![nginx_access_line(ctx, req, 405, response.body.len(), true)];
        return Served { response, log };
    }
    let mut path = req.path().to_string();
    let dir_request = path.ends_with('/');
    if dir_request {
        path.push_str("index.html");
    }
    let file = format!("/usr/share/nginx/html{path}");
    let dir = format!("/usr/share/nginx/html{}", req.path());
    if dir_request && ctx.files.get(&file).is_none() && (req.path() == "/" || ctx.files.is_dir(&dir)) {
        // The index module with autoindex off (ngx_http_index_module.c):
        // a directory without index.html is 403 with this error line.
        return nginx_error(ctx, req, 403, &format!("directory index of \"{dir}\" is forbidden"));
    }
    match ctx.files.get(&file) {
        Some(content) => {
            let mtime: Timestamp = NGINX_INDEX_MTIME_RFC3339.parse().expect("valid constant");
            let etag = format!("\"{:x}-{:x}\"", mtime.as_second(), content.len());
            let content_type = if path.ends_with(".html") || path.ends_with(".htm") { "text/html" } else if path.ends_with(".txt") { "text/plain" } else { "application/octet-stream" };
            let response = Response {
                status: 200,
                reason: reason(200),
                headers: vec![
                    ("Server".into(), server),
                    ("Date".into(), date),
                    ("Content-Type".into(), content_type.into()),
                    ("Content-Length".into(), content.len().to_string()),
                    ("Last-Modified".into(), http_date(mtime)),
                    ("Connection".into(), "keep-alive".into()),
                    ("ETag".into(), etag),
                    ("Accept-Ranges".into(), "bytes".into()),
                ],
                body: if head { String::new() } else { content.clone() },
            };
            let sent = if head { 0 } else { content.len() };
            Served { log: vec![nginx_access_line(ctx, req, 200, sent, true)], response }
        }
        None => nginx_error(ctx, req, 404, &format!("open() \"{file}\" failed (2: No such file or directory)")),
    }
}

/// registry.k8s.io/echoserver:1.10 (test/images/echoserver nginx.conf's
/// lua template): the request as text.
fn echoserver(ctx: &ServeCtx, req: &Request) -> Served {
    let host_header = req.header("Host").unwrap_or("");
    let host = host_header.rsplit_once(':').filter(|(_, p)| p.bytes().all(|b| b.is_ascii_digit())).map(|(h, _)| h).unwrap_or(host_header);
    let mut body = format!("\n\nHostname: {}\n\nPod Information:\n", ctx.hostname);
    let env = |k: &str| ctx.env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    match env("POD_NAME") {
        Some(pod) => {
            body.push_str(&format!(
                "\tnode name:\t{}\n\tpod name:\t{pod}\n\tpod namespace:\t{}\n\tpod IP:\t{}\n",
                env("NODE_NAME").unwrap_or(""),
                env("POD_NAMESPACE").unwrap_or(""),
                env("POD_IP").unwrap_or("")
            ));
        }
        None => body.push_str("\t-no pod information available-\n"),
    }
    body.push_str("\nServer values:\n\tserver_version=nginx: 1.13.3 - lua: 10008\n\nRequest Information:\n");
    body.push_str(&format!("\tclient_address={}\n\tmethod={}\n\treal path={}\n\tquery={}\n\trequest_version=1.1\n\trequest_scheme=http\n\trequest_uri=http://{host}:8080{}\n\nRequest Headers:\n", ctx.client_ip, req.method, req.target, req.query(), req.target));
    let mut headers: Vec<(String, String)> = req.headers.iter().map(|(k, v)| (k.to_lowercase(), v.clone())).collect();
    apimachinery::sort::sort(&mut headers);
    for (k, v) in headers {
        body.push_str(&format!("\t{k}={v}  \n"));
    }
    body.push_str("\nRequest Body:\n");
    if req.body.is_empty() {
        body.push_str("\t-no body in request-\n\n");
    } else {
        body.push_str(&req.body);
        body.push_str("\n\n");
    }
    let head = req.method == "HEAD";
    let response = Response {
        status: 200,
        reason: reason(200),
        headers: vec![
            ("Date".into(), http_date(ctx.now)),
            ("Content-Type".into(), "text/plain".into()),
            ("Transfer-Encoding".into(), "chunked".into()),
            ("Connection".into(), "keep-alive".into()),
            ("Server".into(), "echoserver".into()),
        ],
        body: if head { String::new() } else { body },
    };
    let sent = response.body.len();
    Served { log: vec![nginx_access_line(ctx, req, 200, sent, false)], response }
}

/// Canonical MIME header key, as Go's textproto writes it (`user-agent` → `User-Agent`).
pub(crate) fn canonical_header(k: &str) -> String {
    k.split('-')
        .map(|p| {
            let mut c = p.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + &c.as_str().to_ascii_lowercase(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// jmalloc/echo-server cmd/echo-server/main.go: the request echoed after
/// "Request served by <hostname>".
fn jmalloc(ctx: &ServeCtx, req: &Request) -> Served {
    let send_hostname = ctx.env.iter().find(|(k, _)| k == "SEND_SERVER_HOSTNAME").is_none_or(|(_, v)| v != "false") && req.header("X-Send-Server-Hostname") != Some("false");
    let mut body = String::new();
    if send_hostname {
        body.push_str(&format!("Request served by {}\n\n", ctx.hostname));
    }
    body.push_str(&format!("{}\n\n", req.request_line()));
    body.push_str(&format!("Host: {}\n", req.header("Host").unwrap_or("")));
    let mut headers: Vec<(String, String)> = req.headers.iter().filter(|(k, _)| !k.eq_ignore_ascii_case("host")).map(|(k, v)| (canonical_header(k), v.clone())).collect();
    apimachinery::sort::sort_by(&mut headers, |a, b| a.0.cmp(&b.0));
    for (k, v) in headers {
        body.push_str(&format!("{k}: {v}\n"));
    }
    if !req.body.is_empty() {
        body.push('\n');
        body.push_str(&req.body);
    }
    let head = req.method == "HEAD";
    let response = Response {
        status: 200,
        reason: reason(200),
        headers: vec![("Content-Type".into(), "text/plain".into()), ("Date".into(), http_date(ctx.now)), ("Content-Length".into(), body.len().to_string())],
        body: if head { String::new() } else { body },
    };
    Served { log: vec![format!("{}:{} | {} {}", ctx.client_ip, ctx.client_port, req.method, req.target)], response }
}

/// The hello-app sample (Go): three lines of text.
fn hello_app(ctx: &ServeCtx, req: &Request) -> Served {
    let body = format!("Hello, world!\nVersion: 1.0.0\nHostname: {}\n", ctx.hostname);
    let response = Response {
        status: 200,
        reason: reason(200),
        headers: vec![("Content-Type".into(), "text/plain; charset=utf-8".into()), ("Date".into(), http_date(ctx.now)), ("Content-Length".into(), body.len().to_string())],
        body: if req.method == "HEAD" { String::new() } else { body },
    };
    Served { log: vec![format!("{} Serving request: {}", ctx.now.strftime("%Y/%m/%d %H:%M:%S"), req.path())], response }
}

/// luksa/kubia app.js (node 7 http): `You've hit <hostname>`, and one log
/// line per request with the IPv4-mapped client address node reports.
/// kubia-unhealthy answers 500 from its sixth request on (each request
/// comes on its own connection here).
fn kubia(ctx: &ServeCtx, req: &Request, unhealthy: bool) -> Served {
    let (status, body) = if unhealthy && ctx.connection > 5 { (500, "I'm not well. Please restart me!".to_string()) } else { (200, format!("You've hit {}\n", ctx.hostname)) };
    let response = Response {
        status,
        reason: reason(status),
        headers: vec![("Date".into(), http_date(ctx.now)), ("Connection".into(), "keep-alive".into()), ("Transfer-Encoding".into(), "chunked".into())],
        body: if req.method == "HEAD" { String::new() } else { body },
    };
    Served { log: vec![format!("Received request from ::ffff:{}", ctx.client_ip)], response }
}
