//! `kubeplay play`: serves the built playground (`static/`) on loopback,
//! with the page's Content-Security-Policy. The whole cluster runs in the
//! browser; this only hands out files, so it works offline once built.

use std::path::{Component, Path, PathBuf};

/// No inline scripts, nothing from other origins; wasm may be compiled.
/// Inline styles stay allowed (Monaco and the diagram set style attributes);
/// any page may embed the playground (`?embed=1`).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; worker-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'";

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") | Some("mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ttf") => "font/ttf",
        Some("woff2") => "font/woff2",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The file a request path names inside `root`, refusing anything that
/// would leave it (`..`, absolute parts).
pub fn resolve(root: &Path, url: &str) -> Option<PathBuf> {
    let path = url.split(['?', '#']).next().unwrap_or("/");
    let mut out = root.to_path_buf();
    for part in Path::new(path.trim_start_matches('/')).components() {
        match part {
            Component::Normal(p) => out.push(p),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if out.is_dir() {
        out.push("index.html");
    }
    Some(out)
}

fn respond(root: &Path, request: tiny_http::Request) {
    let header = |name: &str, value: &str| tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("static header names are valid");
    let file = resolve(root, request.url()).and_then(|p| std::fs::read(&p).ok().map(|b| (p, b)));
    let response = match file {
        Some((path, bytes)) => tiny_http::Response::from_data(bytes).with_header(header("Content-Type", content_type(&path))).with_header(header("Cache-Control", "no-cache")),
        None => tiny_http::Response::from_data(b"404 page not found\n".to_vec()).with_status_code(404).with_header(header("Content-Type", "text/plain; charset=utf-8")),
    };
    let response = response
        .with_header(header("Content-Security-Policy", CONTENT_SECURITY_POLICY))
        .with_header(header("X-Content-Type-Options", "nosniff"))
        .with_header(header("Referrer-Policy", "no-referrer"));
    let _ = request.respond(response);
}

/// Serves `root` on 127.0.0.1:`port` until the process ends. Returns the
/// bound port through `ready` before serving.
pub fn serve(root: &Path, port: u16, ready: impl FnOnce(u16)) -> std::io::Result<()> {
    let server = tiny_http::Server::http(("127.0.0.1", port)).map_err(std::io::Error::other)?;
    let port = server.server_addr().to_ip().map(|a| a.port()).unwrap_or(port);
    ready(port);
    let root = std::sync::Arc::new(root.to_path_buf());
    for request in server.incoming_requests() {
        // One thread per request: a browser that is slow to read one large
        // response (the wasm) must not hold up the others.
        let root = root.clone();
        std::thread::spawn(move || respond(&root, request));
    }
    Ok(())
}
