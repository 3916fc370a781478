//! `kubeplay serve`: kube-apiserver's REST API over HTTP, on 127.0.0.1
//! only, so that real kubectl and client libraries can drive a kubeplay
//! cluster.
//!
//! The server is a shell around the deterministic core, like the
//! interactive CLI: one thread owns the `World` and serves requests one at
//! a time; between requests simulated time follows the wall clock (or, with
//! `Clock::Frozen`, moves only while a client waits on a watch, jumping
//! from timer to timer as kubeplay's own waiting commands do, or through
//! the admin endpoint `POST /kubeplay/v1/advance?seconds=N`). Watch
//! streams are written by one small thread each, fed through a bounded
//! channel by the world thread.
//!
//! Routing and handlers follow k8s.io/apiserver/pkg/endpoints: a router
//! of (verb, group, version, resource, namespace, name, subresource) and one
//! function per verb (`handlers`).

// `ApiError` is the error of every API call in kubeplay (as in apiserver); it
// is returned by value on purpose, like a Go `*StatusError`.
#![allow(clippy::result_large_err)]

pub mod discovery;
pub mod encode;
pub mod exec;
pub mod gojson;
pub mod handlers;
pub mod http;
pub mod proto;
pub mod router;
pub mod statics;
pub mod watch;

#[cfg(test)]
mod tests;

use apimachinery::{SignedDuration, Timestamp};
use http::{Method, Reply, Request};
use router::Route;
use serde_json::json;
use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::time::{Duration, Instant};
use world::{ClusterProfile, World};

/// At most this many watches are open at once; more get 429.
pub const MAX_WATCHES: usize = 100;
/// Event lines buffered per watch before a slow client is dropped (the
/// cacher closes unresponsive watchers the same way).
pub const WATCH_BUFFER_LINES: usize = 10_000;
/// How often the world thread wakes when idle.
pub const TICK: Duration = Duration::from_millis(10);
/// The most simulated time one wall-clock catch-up runs (a suspended
/// laptop should not replay a day of timers).
pub const MAX_CATCH_UP_SECONDS: i64 = 600;
/// Frozen clock: after a waiting watch received an event, the clock holds
/// this long so the client can react before time moves on.
pub const DRIVE_PAUSE: Duration = Duration::from_millis(500);
/// Frozen clock: the most simulated time one waiting watch may drive.
pub const MAX_DRIVE_SECONDS: i64 = 3600;

/// How simulated time moves while the server runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    /// Simulated time follows the wall clock (pods start while kubectl waits).
    Wall,
    /// Time stands still except while a client waits on a watch (timer to
    /// timer) or when asked (`POST /kubeplay/v1/advance?seconds=N`), so
    /// that runs are reproducible.
    Frozen,
}

#[derive(Clone, Debug)]
pub struct Config {
    /// 0 picks a free port.
    pub port: u16,
    pub seed: u64,
    pub profile: ClusterProfile,
    pub clock: Clock,
    /// Log each request (method, target, media types, status) to stderr.
    pub log_requests: bool,
}

/// A running server. Dropping it stops the server.
pub struct Running {
    pub port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Running {
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
    /// Blocks until the server thread ends (it runs until stopped).
    pub fn wait(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Binds 127.0.0.1:`port` and starts serving a fresh cluster in a
/// background thread. The cluster boots before the first request is read.
pub fn start(config: Config) -> std::io::Result<Running> {
    // Loopback only: the API has no authentication.
    let server = tiny_http::Server::http(("127.0.0.1", config.port)).map_err(std::io::Error::other)?;
    let port = server.server_addr().to_ip().map(|a| a.port()).unwrap_or(config.port);
    let stop = Arc::new(AtomicBool::new(false));
    let stop_thread = stop.clone();
    let thread = std::thread::Builder::new().name("kubeplay-world".into()).spawn(move || {
        let world = World::new(config.profile.clone(), config.seed);
        let mut state = State::new(world, config.clock, port);
        state.log_requests = config.log_requests;
        state.run(&server, &stop_thread);
    })?;
    Ok(Running { port, stop, thread: Some(thread) })
}

/// A kubeconfig for the server: the profile's cluster, user and context
/// names, `server: http://127.0.0.1:PORT`, no credentials.
pub fn kubeconfig(profile: &ClusterProfile, port: u16) -> String {
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: http://127.0.0.1:{port}\n  name: {cluster}\ncontexts:\n- context:\n    cluster: {cluster}\n    user: {user}\n  name: {context}\ncurrent-context: {context}\nusers:\n- name: {user}\n  user: {{}}\n",
        cluster = profile.cluster_name,
        user = profile.user_name,
        context = profile.context_name,
    )
}

/// The wall clock, read only by this shell (never by the core).
#[allow(clippy::disallowed_methods)] // the server is a shell: simulated time follows wall time, as in the interactive CLI
fn wall_now() -> Instant {
    Instant::now()
}

struct Watcher {
    id: u64,
    state: watch::WatchState,
    sender: SyncSender<Vec<u8>>,
    deadline: Instant,
    next_bookmark: Instant,
}

/// A followed container log (`pods/log?follow=true`).
struct LogFollower {
    id: u64,
    cursor: kubectl::logs::LogCursor,
    sender: SyncSender<Vec<u8>>,
}

/// Frozen clock: the watch (or followed log) that currently lets time move.
struct Driver {
    watch_id: u64,
    pause_until: Instant,
    driven: SignedDuration,
}

/// What the world thread owns.
pub struct State {
    /// The world, inside a shell: `pods/exec` runs commands in containers
    /// the way kubeplay's shell does (`shell.world` is the cluster).
    pub shell: shell::Shell,
    clock: Clock,
    port: u16,
    last_wall: Instant,
    watchers: Vec<Watcher>,
    log_followers: Vec<LogFollower>,
    next_watch_id: u64,
    driver: Option<Driver>,
    pub log_requests: bool,
}

impl State {
    pub fn new(world: World, clock: Clock, port: u16) -> State {
        let kubeconfig = kubectl::config::KubeConfig::for_profile(&world.profile);
        let shell = shell::Shell::with_world(world, kubeconfig);
        State { shell, clock, port, last_wall: wall_now(), watchers: vec![], log_followers: vec![], next_watch_id: 1, driver: None, log_requests: false }
    }

    fn run(&mut self, server: &tiny_http::Server, stop: &AtomicBool) {
        while !stop.load(Ordering::SeqCst) {
            let request = server.recv_timeout(TICK).unwrap_or_default();
            self.follow_wall_clock();
            if let Some(r) = request {
                self.serve(r);
            }
            self.drive_frozen_clock();
            self.pump_watches();
            self.pump_logs();
        }
        // Ending the streams lets their writer threads finish.
        self.watchers.clear();
        self.log_followers.clear();
    }

    fn follow_wall_clock(&mut self) {
        let now = wall_now();
        let elapsed = now.duration_since(self.last_wall);
        self.last_wall = now;
        if self.clock != Clock::Wall {
            return;
        }
        let ns = elapsed.as_nanos().min(MAX_CATCH_UP_SECONDS as u128 * 1_000_000_000) as i64;
        if ns > 0 {
            self.shell.world.advance(SignedDuration::from_nanos(ns));
        }
    }

    /// Frozen clock: while the newest request is a watch that is still open
    /// and quiet, step the world to its next timer.
    fn drive_frozen_clock(&mut self) {
        let Some(d) = &self.driver else { return };
        if !self.watchers.iter().any(|w| w.id == d.watch_id) && !self.log_followers.iter().any(|f| f.id == d.watch_id) {
            self.driver = None;
            return;
        }
        if wall_now() < d.pause_until || d.driven >= SignedDuration::from_secs(MAX_DRIVE_SECONDS) {
            return;
        }
        let before = self.shell.world.now();
        step_to_next_timer(&mut self.shell.world);
        let moved = self.shell.world.now().duration_since(before);
        if let Some(d) = &mut self.driver {
            d.driven += moved;
        }
    }

    fn serve(&mut self, mut rq: tiny_http::Request) {
        let method = match rq.method() {
            tiny_http::Method::Get => Method::Get,
            tiny_http::Method::Post => Method::Post,
            tiny_http::Method::Put => Method::Put,
            tiny_http::Method::Patch => Method::Patch,
            tiny_http::Method::Delete => Method::Delete,
            tiny_http::Method::Head => Method::Head,
            _ => Method::Other,
        };
        let header = |name: &str| rq.headers().iter().find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name)).map(|h| h.value.as_str().to_string()).unwrap_or_default();
        let (accept, content_type) = (header("Accept"), header("Content-Type"));
        let upgrading = header("Upgrade").eq_ignore_ascii_case("websocket");
        let websocket = if upgrading { (header("Sec-WebSocket-Key"), header("Sec-WebSocket-Protocol")) } else { (String::new(), String::new()) };
        let target = rq.url().to_string();
        if target.len() > http::MAX_URL_BYTES {
            respond(rq, Reply::error(&apimachinery::ApiError::bad_request("request URI too long")));
            return;
        }
        // Read one byte past the limit to tell "exactly 3 MiB" from "more".
        let mut body = Vec::new();
        // An upgrade's "body" is the connection itself (tiny_http hands it
        // over unframed): it is not read here.
        let read = if upgrading { Ok(0) } else { rq.as_reader().take(http::MAX_REQUEST_BODY_BYTES as u64 + 1).read_to_end(&mut body) };
        if read.is_err() {
            respond(rq, Reply::error(&apimachinery::ApiError::bad_request("error reading the request body")));
            return;
        }
        if body.len() > http::MAX_REQUEST_BODY_BYTES {
            respond(rq, Reply::error(&apimachinery::ApiError::too_large(format!("limit is {}", http::MAX_REQUEST_BODY_BYTES))));
            return;
        }
        let mut req = Request::new(method, &target, &accept, &content_type, body);
        (req.websocket_key, req.websocket_protocols) = websocket;
        // Any request other than a watch ends the frozen clock's drive: the
        // client has moved on.
        self.driver = None;
        let handled = self.dispatch(&req);
        if self.log_requests {
            let status = match &handled {
                handlers::Handled::Reply(r) => r.status.to_string(),
                handlers::Handled::Watch(_) => "200 (watch)".to_string(),
                handlers::Handled::LogStream(..) => "200 (log stream)".to_string(),
                handlers::Handled::Exec(_) => "101 (exec)".to_string(),
            };
            eprintln!("{:?} {target} accept={accept:?} content-type={content_type:?} -> {status}", req.method);
        }
        match handled {
            handlers::Handled::Reply(reply) => respond(rq, reply),
            handlers::Handled::Watch(spec) => self.open_watch(rq, *spec),
            handlers::Handled::LogStream(first, cursor) => self.open_log_stream(rq, first, *cursor),
            handlers::Handled::Exec(spec) => self.run_exec(rq, *spec),
        }
    }

    /// Routes one request (no I/O: the tests call this directly too).
    pub fn dispatch(&mut self, req: &Request) -> handlers::Handled {
        use handlers::Handled;
        let reply = match router::route(req) {
            Route::Resource(info) => {
                if req.method == Method::Other {
                    return Handled::Reply(handlers::method_not_allowed());
                }
                return handlers::handle(&mut self.shell.world, &info, req);
            }
            _ if !matches!(req.method, Method::Get | Method::Head | Method::Post) => handlers::method_not_allowed(),
            Route::DiscoveryRoot { legacy } => discovery::root(req, legacy, &format!("127.0.0.1:{}", self.port)),
            Route::DiscoveryGroup { group } => discovery::group(&group).map(|v| Reply::json(200, &v)).unwrap_or_else(Reply::not_found_page),
            Route::DiscoveryGroupVersion { group, version } => {
                discovery::resource_list(&group, &version).map(|v| Reply::json(200, &v)).unwrap_or_else(Reply::not_found_page)
            }
            Route::NonResource(path) => self.non_resource(req, &path),
        };
        Handled::Reply(reply)
    }

    fn non_resource(&mut self, req: &Request, path: &str) -> Reply {
        let path = path.trim_end_matches('/');
        match path {
            "/version" => Reply::json(200, &discovery::version()),
            "/healthz" | "/readyz" | "/livez" | "/healthz/ping" | "/readyz/ping" | "/livez/ping" => Reply::text(200, "ok"),
            "/openapi/v3" => Reply::json(200, &discovery::openapi_index()),
            p if p.starts_with("/openapi/v3/") => {
                discovery::openapi_document(&p["/openapi/v3/".len()..]).map(|v| Reply::json(200, &v)).unwrap_or_else(Reply::not_found_page)
            }
            "/kubeplay/v1/now" => Reply::json(200, &json!({"now": self.shell.world.now().to_string()})),
            "/kubeplay/v1/advance" if req.method == Method::Post => {
                let seconds = req.param("seconds").and_then(|s| s.parse::<i64>().ok()).unwrap_or(0).clamp(0, 7 * 86_400);
                self.shell.world.advance(SignedDuration::from_secs(seconds));
                Reply::json(200, &json!({"now": self.shell.world.now().to_string()}))
            }
            _ => Reply::not_found_page(),
        }
    }

    fn open_watch(&mut self, rq: tiny_http::Request, spec: watch::WatchSpec) {
        if self.watchers.len() >= MAX_WATCHES {
            let status = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": "Too many requests, please try again later.", "reason": "TooManyRequests", "details": {"retryAfterSeconds": 1}, "code": 429});
            respond(rq, Reply::json(429, &status));
            return;
        }
        let timeout = Duration::from_secs(spec.timeout_seconds);
        let mut state = watch::WatchState::new(spec);
        let (lines, end) = state.start(&self.shell.world);
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<u8>>(WATCH_BUFFER_LINES);
        let spawned = std::thread::Builder::new().name("kubeplay-watch".into()).spawn(move || write_stream(rq, "application/json", receiver));
        if spawned.is_err() {
            return;
        }
        for l in lines {
            if sender.try_send(l).is_err() {
                return;
            }
        }
        if end {
            return;
        }
        let now = wall_now();
        let id = self.next_watch_id;
        self.next_watch_id += 1;
        self.watchers.push(Watcher { id, state, sender, deadline: now + timeout, next_bookmark: now + Duration::from_secs(watch::BOOKMARK_INTERVAL_SECONDS) });
        if self.clock == Clock::Frozen {
            self.driver = Some(Driver { watch_id: id, pause_until: now + DRIVE_PAUSE, driven: SignedDuration::ZERO });
        }
    }

    /// Runs an exec's command in its container (as the shell does), then
    /// answers it over the upgraded connection.
    fn run_exec(&mut self, rq: tiny_http::Request, spec: exec::ExecSpec) {
        let command = spec.request.command.clone();
        let (stdout, stderr, result) = match self.shell.exec_command(spec.request.clone()) {
            Ok((out, err, code)) => (out, err, Ok(code)),
            Err(message) => (String::new(), String::new(), Err(message)),
        };
        self.shell.world.settle();
        let frames = exec::frames(&stdout, &stderr, &exec::status(&command, &result));
        exec::serve(rq, &spec, frames);
    }

    fn open_log_stream(&mut self, rq: tiny_http::Request, first: Vec<u8>, cursor: kubectl::logs::LogCursor) {
        if self.watchers.len() + self.log_followers.len() >= MAX_WATCHES {
            respond(rq, Reply::error(&apimachinery::ApiError::bad_request("too many open streams")));
            return;
        }
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<u8>>(WATCH_BUFFER_LINES);
        if std::thread::Builder::new().name("kubeplay-log".into()).spawn(move || write_stream(rq, "text/plain", receiver)).is_err() {
            return;
        }
        if !first.is_empty() && sender.try_send(first).is_err() {
            return;
        }
        let id = self.next_watch_id;
        self.next_watch_id += 1;
        self.log_followers.push(LogFollower { id, cursor, sender });
        if self.clock == Clock::Frozen {
            self.driver = Some(Driver { watch_id: id, pause_until: wall_now() + DRIVE_PAUSE, driven: SignedDuration::ZERO });
        }
    }

    /// Sends followed logs' new lines; a stream ends with its container.
    fn pump_logs(&mut self) {
        let world = &self.shell.world;
        self.log_followers.retain_mut(|f| {
            let (lines, ended) = f.cursor.poll(world);
            if !lines.is_empty() {
                let text: Vec<u8> = lines.iter().flat_map(|l| l.bytes().chain(std::iter::once(b'\n'))).collect();
                if f.sender.try_send(text).is_err() {
                    return false;
                }
            }
            !ended
        });
    }

    fn pump_watches(&mut self) {
        if self.watchers.is_empty() {
            return;
        }
        let now = wall_now();
        let world = &self.shell.world;
        let mut delivered_to_driver = false;
        let driver_id = self.driver.as_ref().map(|d| d.watch_id);
        self.watchers.retain_mut(|w| {
            let (lines, end) = w.state.pump(world);
            if !lines.is_empty() && Some(w.id) == driver_id {
                delivered_to_driver = true;
            }
            for l in lines {
                match w.sender.try_send(l) {
                    Ok(()) => {}
                    // Gone, or too slow to keep up: end the watch.
                    Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => return false,
                }
            }
            if end {
                return false;
            }
            if now >= w.deadline {
                // A last bookmark tells the client where to resume.
                if let Some(b) = w.state.bookmark() {
                    let _ = w.sender.try_send(b);
                }
                return false;
            }
            if now >= w.next_bookmark {
                w.next_bookmark = now + Duration::from_secs(watch::BOOKMARK_INTERVAL_SECONDS);
                if let Some(b) = w.state.bookmark()
                    && w.sender.try_send(b).is_err()
                {
                    return false;
                }
            }
            true
        });
        if delivered_to_driver && let Some(d) = &mut self.driver {
            d.pause_until = now + DRIVE_PAUSE;
        }
    }
}

/// Runs the world to its next timer (one step of `World::run_until`).
fn step_to_next_timer(world: &mut World) {
    let mut checks = 0;
    // The first check happens before any step; the second after one.
    // Maintenance is due at most 5 minutes ahead, so a step always exists
    // within the deadline.
    let deadline: Timestamp = world.now() + SignedDuration::from_secs(MAX_CATCH_UP_SECONDS);
    world.run_until(deadline, |_| {
        checks += 1;
        checks >= 2
    });
}

fn respond(rq: tiny_http::Request, reply: Reply) {
    let head_only = *rq.method() == tiny_http::Method::Head;
    let close = *rq.http_version() == tiny_http::HTTPVersion(1, 0)
        || rq.headers().iter().any(|h| h.field.equiv("Connection") && h.value.as_str().to_ascii_lowercase().contains("close"));
    let reason = tiny_http::StatusCode(reply.status).default_reason_phrase();
    let mut head = format!("HTTP/1.1 {} {reason}\r\nContent-Type: {}\r\nCache-Control: no-cache, private\r\n", reply.status, reply.content_type);
    for w in &reply.warnings {
        // A header value holds no line breaks.
        let value: String = Reply::warning_header(w).chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        head.push_str(&format!("Warning: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n", reply.body.len()));
    if close {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    // One write of head and body: tiny_http's own responder copies bodies
    // through a 1 KiB buffer in 8 KiB writes, which Nagle's algorithm and
    // delayed ACKs on loopback stalled for up to 40 ms per large answer.
    let mut bytes = head.into_bytes();
    if !head_only {
        bytes.extend_from_slice(&reply.body);
    }
    let mut w = rq.into_writer();
    // A client that went away is not an error of the server.
    let _ = w.write_all(&bytes).and_then(|_| w.flush());
}

/// Writes a watch response: the head, then one chunk per event line,
/// flushed at once (tiny_http's own chunked writer would buffer 8 KiB),
/// then the last chunk when the world thread ends the watch.
fn write_stream(rq: tiny_http::Request, content_type: &str, lines: Receiver<Vec<u8>>) {
    let mut w = rq.into_writer();
    let head = format!("HTTP/1.1 200 OK\r\nCache-Control: no-cache, private\r\nContent-Type: {content_type}\r\nTransfer-Encoding: chunked\r\n\r\n");
    if w.write_all(head.as_bytes()).and_then(|_| w.flush()).is_err() {
        return;
    }
    for line in lines {
        let chunk = [format!("{:x}\r\n", line.len()).into_bytes(), line, b"\r\n".to_vec()].concat();
        if w.write_all(&chunk).and_then(|_| w.flush()).is_err() {
            return;
        }
    }
    let _ = w.write_all(b"0\r\n\r\n").and_then(|_| w.flush());
}
