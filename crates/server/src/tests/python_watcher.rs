//! The seed course's Python watcher (tests/python/watch_pods.py: the PyPI
//! `kubernetes` client, `watch.Watch().stream(list_pod_for_all_namespaces)`)
//! against `kubeplay serve`, while a Deployment of 3 is created, one of its
//! pods is deleted and it is scaled to 1. The watcher must see exactly the
//! events kubeplay's own watch (what `kubectl get pods -A -w` reads) sees
//! for the same requests on a twin world: types and names, in order.
//!
//! The client is installed into the project-local `.venv` (created if
//! missing) with pip, like the differential suite's kubectl.

use crate::http::{Method, Request};
use crate::{Clock, Config, State, start};
use apimachinery::Kind;
use apimachinery::selector::Selector;
use serde_json::{Value, json};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;
use world::{ClusterProfile, World};

const SEED: u64 = 3;
/// How long the watcher's watch lasts (wall time; the server closes it).
const WATCH_SECONDS: u64 = 8;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repo root")
}

/// `.venv/bin/python` with `kubernetes` importable, installing it if needed.
fn python_with_client() -> PathBuf {
    let _venv = super::VENV_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let venv = repo_root().join(".venv");
    let python = venv.join("bin/python");
    if !python.is_file() {
        let created = Command::new("python3").args(["-m", "venv"]).arg(&venv).status();
        assert!(created.is_ok_and(|s| s.success()), "cannot create {} (install python3-venv)", venv.display());
    }
    let has_client = |p: &Path| Command::new(p).args(["-c", "import kubernetes"]).stderr(Stdio::null()).status().is_ok_and(|s| s.success());
    if !has_client(&python) {
        let pip = Command::new(venv.join("bin/pip")).args(["install", "--quiet", "kubernetes"]).status();
        assert!(pip.is_ok_and(|s| s.success()) && has_client(&python), "`{}/bin/pip install kubernetes` failed (no network to PyPI?)", venv.display());
    }
    python
}

/// The requests the test makes, in order; `{pod}` is the pod to delete.
fn steps(pod: &str) -> Vec<(Method, String, &'static str, Value)> {
    let deployment = json!({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25"}]}}}
    });
    vec![
        (Method::Post, "/apis/apps/v1/namespaces/default/deployments".into(), "application/json", deployment),
        (Method::Post, "/kubeplay/v1/advance?seconds=60".into(), "", Value::Null),
        (Method::Delete, format!("/api/v1/namespaces/default/pods/{pod}"), "application/json", Value::Null),
        (Method::Post, "/kubeplay/v1/advance?seconds=60".into(), "", Value::Null),
        (Method::Patch, "/apis/apps/v1/namespaces/default/deployments/web/scale".into(), "application/merge-patch+json", json!({"spec": {"replicas": 1}})),
        (Method::Post, "/kubeplay/v1/advance?seconds=60".into(), "", Value::Null),
    ]
}

fn body(v: &Value) -> Vec<u8> {
    if v.is_null() { vec![] } else { v.to_string().into_bytes() }
}

/// One HTTP request over loopback (Connection: close), returning the status.
fn send(port: u16, method: Method, target: &str, content_type: &str, payload: &[u8]) -> u16 {
    use std::io::{Read, Write};
    let verb = match method {
        Method::Post => "POST",
        Method::Delete => "DELETE",
        Method::Patch => "PATCH",
        _ => "GET",
    };
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let head = format!("{verb} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n", payload.len());
    s.write_all(head.as_bytes()).expect("write");
    s.write_all(payload).expect("write body");
    let mut raw = String::new();
    let _ = s.read_to_string(&mut raw);
    raw.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0)
}

/// kubeplay's side: the same requests through the same handlers on a twin
/// world, then the pod watch events since the start, as `get -A -w` shows
/// them (the initial list as ADDED, then every change).
fn kubeplay_sequence(pod_to_delete: &str) -> Vec<String> {
    let profile = ClusterProfile::kubeadm(3);
    let mut state = State::new(World::new(profile, SEED), Clock::Frozen, 0);
    let api = state.shell.world.api();
    let initial = api.list(Kind::Pod, None, &Selector::everything(), &[]).expect("list");
    let mut seen: Vec<String> = initial.items.iter().map(|p| format!("ADDED {}", p.name())).collect();
    let since = initial.resource_version;
    for (method, target, content_type, payload) in steps(pod_to_delete) {
        let _ = state.dispatch(&Request::new(method, &target, "application/json", content_type, body(&payload)));
    }
    let events = state.shell.world.api().watch_events(Kind::Pod, None, &Selector::everything(), &[], since).expect("events");
    seen.extend(events.iter().map(|(t, o)| format!("{} {}", t.as_str(), o.name())));
    seen
}

#[test]
fn python_client_watches_what_kubectl_watches() {
    let python = python_with_client();
    let profile = ClusterProfile::kubeadm(3);
    let server = start(Config { port: 0, seed: SEED, profile: profile.clone(), clock: Clock::Frozen, log_requests: false }).expect("serve");
    let home = std::env::temp_dir().join(format!("kubeplay-pywatch-{}", std::process::id()));
    std::fs::create_dir_all(&home).expect("temp dir");
    let kubeconfig = home.join("kubeconfig");
    std::fs::write(&kubeconfig, crate::kubeconfig(&profile, server.port)).expect("kubeconfig");
    let script = repo_root().join("tests/python/watch_pods.py");
    let mut child = Command::new(&python)
        .arg(&script)
        .arg(WATCH_SECONDS.to_string())
        .env("KUBECONFIG", &kubeconfig)
        .env("HOME", &home)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the watcher");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    // The watch is open once its first (synthetic ADDED) event arrived.
    let first = rx.recv_timeout(Duration::from_secs(60)).expect("the watcher printed nothing (see its stderr)");
    // The deployment's pod names are the same on both worlds (one seed).
    let mut lines = vec![first];
    let twin_names = {
        let mut probe = State::new(World::new(profile.clone(), SEED), Clock::Frozen, 0);
        let (m, t, ct, p) = steps("").remove(0);
        let _ = probe.dispatch(&Request::new(m, &t, "application/json", ct, body(&p)));
        let pods = probe.shell.world.api().list(Kind::Pod, Some("default"), &Selector::everything(), &[]).expect("list");
        pods.items.iter().map(|p| p.name().to_string()).collect::<Vec<_>>()
    };
    assert_eq!(twin_names.len(), 3, "{twin_names:?}");
    let victim = twin_names[1].clone();
    for (method, target, content_type, payload) in steps(&victim) {
        let status = send(server.port, method, &target, content_type, &body(&payload));
        assert!((200..300).contains(&status), "{target}: HTTP {status}");
    }
    let status = child.wait().expect("watcher ends");
    let _ = reader.join();
    lines.extend(rx.try_iter());
    let mut stderr = String::new();
    let _ = std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr);
    assert!(status.success(), "watcher failed: {stderr}");
    let _ = std::fs::remove_dir_all(&home);

    let expected = kubeplay_sequence(&victim);
    if std::env::var_os("KUBEPLAY_SHOW_WATCH").is_some() {
        eprintln!("{}", lines.join("\n"));
    }
    assert_eq!(lines, expected);
    // And the story is the one told: 3 pods added, the victim deleted and
    // replaced, two more deleted by the scale-down.
    let web: Vec<&String> = lines.iter().filter(|l| l.contains(" web-")).collect();
    let count = |t: &str| web.iter().filter(|l| l.starts_with(t)).count();
    assert_eq!((count("ADDED"), count("DELETED")), (4, 3), "{web:?}");
    assert!(count("MODIFIED") > 4, "{web:?}");
    assert!(web.contains(&&format!("DELETED {victim}")), "{web:?}");
}
