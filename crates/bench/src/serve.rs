//! `kubeplay serve` over loopback HTTP, driven like a real client: a small
//! HTTP/1.1 client with keep-alive connections, one per client thread.
//!
//! * `serve-get`: requests/s for `GET /api/v1/namespaces/default/pods`
//!   over 1,000 pods, as a Table (what `kubectl get pods` asks) and as a
//!   PodList (JSON), from 1 and 2 client threads.
//! * `serve-watch`: watch events/s delivered when a 1,000-replica
//!   Deployment is created, to 1, 10 and 50 watchers of all pods.
//! * `serve-create`: pods/s created by sequential POSTs (1 and 2 clients).

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};
use world::ClusterProfile;

const TABLE: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
/// How long each request-rate measurement runs.
const MEASURE: Duration = Duration::from_secs(3);

/// A keep-alive HTTP/1.1 connection to the server.
struct Client {
    reader: BufReader<TcpStream>,
}

impl Client {
    fn connect(port: u16) -> Client {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        Client { reader: BufReader::new(stream) }
    }

    /// One request; returns (status, body). Bodies are Content-Length framed.
    fn request(&mut self, method: &str, target: &str, accept: &str, body: &[u8]) -> (u16, Vec<u8>) {
        let head = format!(
            "{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: {accept}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        let stream = self.reader.get_mut();
        stream.write_all(head.as_bytes()).expect("write head");
        stream.write_all(body).expect("write body");
        let mut line = String::new();
        self.reader.read_line(&mut line).expect("status line");
        let status: u16 = line.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
        let mut length = 0usize;
        let mut chunked = false;
        loop {
            line.clear();
            self.reader.read_line(&mut line).expect("header");
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse().unwrap_or(0);
                }
                // tiny_http chunks bodies of 32 KiB and more.
                if k.eq_ignore_ascii_case("transfer-encoding") && v.trim() == "chunked" {
                    chunked = true;
                }
            }
        }
        if !chunked {
            let mut out = vec![0; length];
            self.reader.read_exact(&mut out).expect("body");
            return (status, out);
        }
        let mut out = vec![];
        loop {
            line.clear();
            self.reader.read_line(&mut line).expect("chunk size");
            let size = usize::from_str_radix(line.trim(), 16).expect("chunk size");
            let start = out.len();
            out.resize(start + size, 0);
            self.reader.read_exact(&mut out[start..]).expect("chunk");
            line.clear();
            self.reader.read_line(&mut line).expect("chunk end");
            if size == 0 {
                return (status, out);
            }
        }
    }
}

fn start_server(workers: usize) -> server::Running {
    server::start(server::Config { port: 0, seed: 99, profile: ClusterProfile::kubeadm(workers), clock: server::Clock::Frozen, log_requests: false })
        .expect("serve on loopback")
}

fn deployment(name: &str, replicas: usize) -> Vec<u8> {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25"}]}}}
    })
    .to_string()
    .into_bytes()
}

/// Requests/s of `target` from `threads` clients, each on its own connection.
fn rate(port: u16, threads: usize, target: &str, accept: &str) -> (f64, usize) {
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (target, accept) = (target.to_string(), accept.to_string());
            std::thread::spawn(move || {
                let mut c = Client::connect(port);
                let start = Instant::now();
                let (mut n, mut bytes) = (0usize, 0usize);
                while start.elapsed() < MEASURE {
                    let (status, body) = c.request("GET", &target, &accept, b"");
                    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
                    n += 1;
                    bytes = body.len();
                }
                (n, start.elapsed(), bytes)
            })
        })
        .collect();
    let results: Vec<(usize, Duration, usize)> = handles.into_iter().map(|h| h.join().expect("client")).collect();
    let total: usize = results.iter().map(|r| r.0).sum();
    let secs = results.iter().map(|r| r.1.as_secs_f64()).fold(0.0, f64::max);
    (total as f64 / secs, results[0].2)
}

pub fn get_pods() {
    // 11 nodes hold 1,210 pods (110 each), so all 1,000 run.
    let s = start_server(10);
    let mut c = Client::connect(s.port);
    let (status, _) = c.request("POST", "/apis/apps/v1/namespaces/default/deployments", "application/json", &deployment("web", 1000));
    assert_eq!(status, 201);
    let _ = c.request("POST", "/kubeplay/v1/advance?seconds=600", "application/json", b"");
    let (_, list) = c.request("GET", "/api/v1/namespaces/default/pods", "application/json", b"");
    let list: Value = serde_json::from_slice(&list).expect("list");
    let items = list["items"].as_array().map(Vec::len).unwrap_or(0);
    let running = list["items"].as_array().into_iter().flatten().filter(|p| p["status"]["phase"] == "Running").count();
    assert_eq!((items, running), (1000, 1000));
    let path = "/api/v1/namespaces/default/pods?limit=500";
    let (r, _) = rate(s.port, 1, "/version", "application/json");
    println!("| `GET /version` (a small answer), 1 client | {r:.0} req/s | — |");
    for threads in [1, 2] {
        let (r, bytes) = rate(s.port, threads, "/api/v1/namespaces/default/pods", TABLE);
        println!("| `GET pods` as a Table (`kubectl get pods`), 1,000 pods, {threads} client(s) on loopback | {r:.0} req/s ({} KiB each) | — |", bytes / 1024);
        let (r, bytes) = rate(s.port, threads, "/api/v1/namespaces/default/pods", "application/json");
        println!("| `GET pods` as a PodList (JSON), 1,000 pods, {threads} client(s) on loopback | {r:.0} req/s ({} KiB each) | — |", bytes / 1024);
    }
    let (r, _) = rate(s.port, 1, path, TABLE);
    println!("| `GET pods?limit=500` (kubectl's first page) as a Table, 1 client | {r:.0} req/s | — |");
    // The same requests without HTTP: what the world thread spends in the
    // handler (list, print, encode) per request.
    let mut twin = server::State::new(world::World::new(ClusterProfile::kubeadm(10), 99), server::Clock::Frozen, 0);
    let post = server::http::Request::new(server::http::Method::Post, "/apis/apps/v1/namespaces/default/deployments", "application/json", "application/json", deployment("web", 1000));
    let _ = twin.dispatch(&post);
    twin.shell.world.advance(apimachinery::SignedDuration::from_secs(600));
    for (what, accept) in [("Table", TABLE), ("PodList", "application/json")] {
        let req = server::http::Request::new(server::http::Method::Get, "/api/v1/namespaces/default/pods", accept, "", vec![]);
        let t = crate::best_of(5, || {
            let start = Instant::now();
            let _ = twin.dispatch(&req);
            start.elapsed()
        });
        println!("| the handler alone (no HTTP), `GET pods` as a {what}, 1,000 pods | {} | — |", crate::ms(t));
    }
}

/// Opens a watch of all pods from `rv`; a thread counts its event lines
/// and reports the time of the last one.
fn watcher(port: u16, rv: &str, expect: usize) -> std::thread::JoinHandle<(usize, Instant)> {
    let target = format!("/api/v1/pods?watch=true&resourceVersion={rv}&timeoutSeconds=60");
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let head = format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n");
    stream.write_all(head.as_bytes()).expect("write");
    stream.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
    let mut reader = BufReader::new(stream);
    // The head comes at once; the stream then waits for events.
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
    }
    std::thread::spawn(move || {
        let (mut events, mut last) = (0, Instant::now());
        let mut line = Vec::new();
        // Chunked: size lines, then data lines ending in '\n' (one event each).
        while events < expect {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            if line.starts_with(b"{\"") {
                events += 1;
                last = Instant::now();
            }
        }
        (events, last)
    })
}

pub fn watch_fan_out() {
    for watchers in [1, 10, 50] {
        let s = start_server(10);
        let mut c = Client::connect(s.port);
        let (_, list) = c.request("GET", "/api/v1/pods", "application/json", b"");
        let rv = serde_json::from_slice::<Value>(&list).expect("list")["metadata"]["resourceVersion"].as_str().unwrap_or("0").to_string();
        // A dry run counts the events the same Deployment causes.
        let expect = {
            let mut twin = server::State::new(world::World::new(ClusterProfile::kubeadm(10), 99), server::Clock::Frozen, 0);
            let since = twin.shell.world.api().store().revision();
            let req = server::http::Request::new(server::http::Method::Post, "/apis/apps/v1/namespaces/default/deployments", "application/json", "application/json", deployment("web", 1000));
            let _ = twin.dispatch(&req);
            twin.shell.world.api().watch_events(apimachinery::Kind::Pod, None, &apimachinery::selector::Selector::everything(), &[], since).map(|e| e.len()).unwrap_or(0)
        };
        let handles: Vec<_> = (0..watchers).map(|_| watcher(s.port, &rv, expect)).collect();
        // Let the watches register before the write.
        std::thread::sleep(Duration::from_millis(300));
        let start = Instant::now();
        let (status, _) = c.request("POST", "/apis/apps/v1/namespaces/default/deployments", "application/json", &deployment("web", 1000));
        assert_eq!(status, 201);
        let results: Vec<(usize, Instant)> = handles.into_iter().map(|h| h.join().expect("watcher")).collect();
        let delivered: usize = results.iter().map(|r| r.0).sum();
        assert_eq!(delivered, expect * watchers, "every watcher sees every event");
        let took = results.iter().map(|r| r.1.duration_since(start)).max().unwrap_or_default();
        println!(
            "| watch fan-out: a 1,000-replica Deployment's {expect} pod events to {watchers} watcher(s) | {:.0} events/s delivered ({:.0} ms until the last watcher had all, including the create) | — |",
            delivered as f64 / took.as_secs_f64(),
            took.as_secs_f64() * 1000.0
        );
    }
}

pub fn create_pods() {
    for threads in [1, 2] {
        let s = start_server(10);
        let per_thread = 300;
        let start = Instant::now();
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let port = s.port;
                std::thread::spawn(move || {
                    let mut c = Client::connect(port);
                    for i in 0..per_thread {
                        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": format!("p-{t}-{i}")},
                            "spec": {"containers": [{"name": "c", "image": "nginx"}]}});
                        let (status, body) = c.request("POST", "/api/v1/namespaces/default/pods", "application/json", pod.to_string().as_bytes());
                        assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().expect("client");
        }
        let took = start.elapsed();
        println!(
            "| `POST pods` sequentially (each create settles the world: the scheduler binds the pod before the answer), {threads} client(s) | {:.0} pods/s ({} pods) | — |",
            (threads * per_thread) as f64 / took.as_secs_f64(),
            threads * per_thread
        );
    }
}
