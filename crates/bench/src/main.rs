//! Benchmarks for BENCHMARKS.md. Run: `cargo run --release -p bench`
//! (optionally `-- NAME` to run one). Each measures CPU work of the
//! simulation on this thread with the wall clock (the machine has nothing
//! else to do) and reports the best of several runs.
#![allow(clippy::disallowed_methods)] // a benchmark is the one place that reads the wall clock

mod serve;

use apimachinery::selector::Selector;
use apimachinery::{Kind, Object, SignedDuration};
use kubectl::config::KubeConfig;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use world::{ClusterProfile, World};

/// Counts live heap bytes, for "bytes of state per pod".
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size(), Ordering::Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        LIVE.fetch_add(new, Ordering::Relaxed);
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
        unsafe { System.realloc(p, l, new) }
    }
}
#[global_allocator]
static ALLOC: Counting = Counting;

fn kubectl(w: &mut World, cfg: &mut KubeConfig, line: &str) -> kubectl::Output {
    let mut ctx = kubectl::Ctx { world: w, config: cfg, files: &kubectl::NoFiles, stdin: None };
    match kubectl::run_line(&mut ctx, line) {
        kubectl::Outcome::Done(o) | kubectl::Outcome::Waiting(o, _) => o,
    }
}

fn running_pods(w: &World, ns: &str) -> usize {
    let list = w.api().list(Kind::Pod, Some(ns), &Selector::everything(), &[]).map(|l| l.items).unwrap_or_default();
    list.iter().filter(|o| matches!(&***o, Object::Pod(p) if p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running"))).count()
}

/// A cluster with one Deployment of `replicas` nginx pods, all Running.
fn deployment_world(workers: usize, replicas: usize) -> (World, KubeConfig, Duration) {
    let profile = ClusterProfile::kubeadm(workers);
    let mut cfg = KubeConfig::for_profile(&profile);
    let boot = Instant::now();
    let mut w = World::new(profile, 1);
    let verbose = std::env::var_os("BENCH_VERBOSE").is_some();
    if verbose {
        eprintln!("boot of {workers}+1 nodes: {} ({:?})", ms(boot.elapsed()), w.stats);
    }
    let before = w.stats;
    let start = Instant::now();
    let out = kubectl(&mut w, &mut cfg, &format!("create deployment web --image=nginx --replicas={replicas}"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let deadline = w.now() + SignedDuration::from_secs(3600);
    // Checked after every step, so it must be cheap: the Deployment's ready
    // count (a ready pod is Running); the pods' phases are checked once at the end.
    let ok = w.run_until(deadline, |w| {
        w.api().get(Kind::Deployment, "default", "web").ok().and_then(|o| match &*o {
            Object::Deployment(d) => d.status.as_ref().and_then(|s| s.ready_replicas),
            _ => None,
        }) == Some(replicas as i32)
    }) || replicas == 0;
    let ok = ok && running_pods(&w, "default") >= replicas;
    let took = start.elapsed();
    if verbose {
        let s = w.stats;
        eprintln!(
            "deployment of {replicas}: {} rounds={} runs={} with_work={} events={} clock_steps={}",
            ms(took),
            s.settle_rounds - before.settle_rounds,
            s.component_runs - before.component_runs,
            s.component_runs_with_work - before.component_runs_with_work,
            s.events_delivered - before.events_delivered,
            s.clock_steps - before.clock_steps
        );
    }
    assert!(ok, "only {} of {replicas} pods Running after an hour", running_pods(&w, "default"));
    (w, cfg, took)
}

fn cluster_ip(w: &World, name: &str) -> String {
    match w.api().get(Kind::Service, "default", name).as_deref() {
        Ok(Object::Service(s)) => s.spec.as_ref().and_then(|s| s.cluster_ip.clone()).unwrap_or_default(),
        _ => panic!("no Service {name}"),
    }
}

fn get_request(host: &str) -> network::http::Request {
    network::http::Request {
        method: "GET".into(),
        target: "/".into(),
        headers: vec![("Host".into(), host.into()), ("User-Agent".into(), "curl/8.5.0".into()), ("Accept".into(), "*/*".into())],
        body: String::new(),
    }
}

fn best_of(n: usize, mut f: impl FnMut() -> Duration) -> Duration {
    (0..n).map(|_| f()).min().unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let only = std::env::args().nth(1);
    let want = |name: &str| only.as_deref().is_none_or(|o| o == name);
    println!("| benchmark | result | goal |");
    println!("|---|---|---|");
    if only.as_deref() == Some("deploy") {
        // Ad-hoc: `bench deploy N` for profiling.
        let n: usize = std::env::args().nth(2).and_then(|a| a.parse().ok()).unwrap_or(1000);
        let (_, _, t) = deployment_world(99, n);
        println!("| {n}-replica Deployment on 100 nodes | {} | |", ms(t));
        return;
    }
    // BENCH_REPS=N repeats a benchmark N times (for profiling).
    let reps = |default: usize| std::env::var("BENCH_REPS").ok().and_then(|r| r.parse().ok()).unwrap_or(default);
    if want("deploy1000") {
        let t = best_of(reps(3), || deployment_world(99, 1000).2);
        println!("| 1,000-replica Deployment on a 100-node cluster, until all pods Running | {} | ≤ 250 ms |", ms(t));
    }
    if want("get10000") {
        let (mut w, mut cfg, _) = deployment_world(99, 10_000);
        let pods = w.api().store().list(Kind::Pod, None).count();
        let t = best_of(reps(5), || {
            let start = Instant::now();
            let out = kubectl(&mut w, &mut cfg, "get pods -A");
            let took = start.elapsed();
            assert!(out.stdout.lines().count() > 10_000, "{}", out.stderr);
            took
        });
        println!("| `kubectl get pods -A` over {pods} pods | {} | ≤ 20 ms |", ms(t));
    }
    if want("idlehour") {
        let t = best_of(3, || {
            let mut w = World::new(ClusterProfile::kubeadm(3), 1);
            let start = Instant::now();
            w.advance(SignedDuration::from_secs(3600));
            start.elapsed()
        });
        println!("| one simulated hour of an idle 4-node cluster | {} | ≤ 50 ms |", ms(t));
    }
    if want("requests100") {
        // Requests from the control-plane node's shell to a ClusterIP with
        // 100 ready endpoints: kube-proxy's choice, the serving container
        // (nginx's page and access-log line), the request record.
        let (mut w, mut cfg, _) = deployment_world(9, 100);
        let out = kubectl(&mut w, &mut cfg, "expose deployment web --port=80");
        assert_eq!(out.code, 0, "{}", out.stderr);
        w.advance(SignedDuration::from_secs(5));
        let ip = cluster_ip(&w, "web");
        let source = w.host_source();
        let request = get_request(&ip);
        let n = 2_000;
        let t = best_of(reps(3), || {
            let start = Instant::now();
            for _ in 0..n {
                let ex = w.http(&source, &ip, 80, &request).expect("the Service answers");
                assert_eq!(ex.response.status, 200);
            }
            start.elapsed()
        });
        let endpoints = w.network().records().filter_map(|r| r.pod.clone()).collect::<std::collections::BTreeSet<_>>().len();
        println!("| requests through a ClusterIP with 100 endpoints (10-node cluster; {endpoints} pods answered {n} requests) | {:.0} requests/s ({:.1} µs each) | — |", n as f64 / t.as_secs_f64(), t.as_secs_f64() * 1e6 / n as f64);
    }
    if want("proxy100") {
        // kube-proxy after a rollout: kubeplay's kube-proxy keeps no rule
        // tables — each connection reads the Service and its EndpointSlices
        // from the API server's cache — so "reprogramming" is the first
        // connection from each node once the rollout is done. Measured: a
        // 1,000-pod Deployment on 100 nodes rolls to a new image; then one
        // request from each of the 100 nodes reaches a new pod.
        let (mut w, mut cfg, _) = deployment_world(99, 1000);
        let out = kubectl(&mut w, &mut cfg, "expose deployment web --port=80");
        assert_eq!(out.code, 0, "{}", out.stderr);
        let out = kubectl(&mut w, &mut cfg, "set image deployment/web nginx=nginx:1.27");
        assert_eq!(out.code, 0, "{}", out.stderr);
        let deadline = w.now() + SignedDuration::from_secs(3600);
        let done = w.run_until(deadline, |w| {
            w.api().get(Kind::Deployment, "default", "web").ok().and_then(|o| match &*o {
                Object::Deployment(d) => d.status.as_ref().map(|s| (s.updated_replicas, s.ready_replicas, s.replicas)),
                _ => None,
            }) == Some((Some(1000), Some(1000), Some(1000)))
        });
        assert!(done, "the rollout finished");
        let ip = cluster_ip(&w, "web");
        let sources: Vec<network::Source> = w.profile.nodes.iter().map(|n| network::Source::Node { name: n.name.clone(), ip: n.ip.clone() }).collect();
        let request = get_request(&ip);
        let t = best_of(reps(3), || {
            let start = Instant::now();
            for s in &sources {
                let ex = w.http(s, &ip, 80, &request).expect("the Service answers");
                assert_eq!(ex.response.status, 200);
            }
            start.elapsed()
        });
        println!("| kube-proxy on 100 nodes after a 1,000-pod rollout: the first request from each node | {} for all 100 ({:.0} µs per node) | — |", ms(t), t.as_secs_f64() * 1e6 / sources.len() as f64);
    }
    if want("serve-get") {
        serve::get_pods();
    }
    if want("serve-watch") {
        serve::watch_fan_out();
    }
    if want("serve-create") {
        serve::create_pods();
    }
    if want("bytes") {
        // Heap growth of a 300-pod Deployment over an empty cluster, right
        // after all pods run (history of every write still kept) and after
        // two 5-minute compaction ticks (steady state).
        let measure = |settle_minutes: i64| -> usize {
            let before = LIVE.load(Ordering::Relaxed);
            let (mut w, _, _) = deployment_world(3, 0);
            w.advance(SignedDuration::from_secs(settle_minutes * 60));
            let base = LIVE.load(Ordering::Relaxed) - before;
            drop(w);
            let before = LIVE.load(Ordering::Relaxed);
            let (mut w, _, _) = deployment_world(3, 300);
            w.advance(SignedDuration::from_secs(settle_minutes * 60));
            let with = LIVE.load(Ordering::Relaxed) - before;
            drop(w);
            with.saturating_sub(base) / 300
        };
        println!("| heap bytes per Running pod, fresh (pod, its events, write history, component state) | {} B | — |", measure(0));
        println!("| heap bytes per Running pod, steady state (after etcd-style compaction) | {} B | — |", measure(11));
    }
}
