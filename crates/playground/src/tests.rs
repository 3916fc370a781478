//! The playground driven as the browser drives it: keys in, terminal text
//! out, time in ticks of varying size.

use super::*;

/// Types `keys` and lets `ms` of real time pass in ticks of `tick_ms`.
fn session(pg: &mut Playground, steps: &[(&str, i64)], tick_ms: f64) -> String {
    let mut out = String::new();
    for (keys, ms) in steps {
        out.push_str(&pg.input(keys));
        let mut left = *ms as f64;
        while left > 0.0 {
            let t = left.min(tick_ms);
            out.push_str(&pg.tick(t));
            left -= t;
        }
    }
    out
}

const STEPS: &[(&str, i64)] = &[
    ("kubectl run nginx --image=nginx\r", 700),
    ("kubectl get pods -w\r", 9_300),
    ("\x03", 500),
    ("sleep 3; kubectl get pods\rkubectl get pods -o wide\r", 5_000),
    ("kubectl create deployment web --image=nginx --replicas=3\r", 250),
    ("kubectl rollout status deployment/web\r", 30_000),
];

#[test]
fn a_session_replays_from_its_link_exactly() {
    let mut pg = Playground::new("kubeadm", 3).unwrap();
    let live = session(&mut pg, STEPS, 20.0);
    assert!(live.contains("pod/nginx created"), "{live}");
    assert!(live.contains("nginx   0/1     ContainerCreating"), "{live}");
    assert!(live.contains("^C\n"), "{live}");
    assert!(live.contains("deployment \"web\" successfully rolled out"), "{live}");
    let frag = pg.share_fragment();
    let (replayed, text) = Playground::from_fragment(&frag).unwrap();
    assert_eq!(replayed.state_hash(), pg.state_hash());
    assert_eq!(replayed.elapsed_ns(), pg.elapsed_ns());
    // The same keys at the same instants with other frame sizes reach the
    // same state (whole-millisecond frames, so the instants are equal).
    for tick in [5.0, 100.0, 1000.0] {
        let mut other = Playground::new("kubeadm", 3).unwrap();
        session(&mut other, STEPS, tick);
        assert_eq!(other.state_hash(), pg.state_hash(), "ticks of {tick} ms");
    }
    for line in ["pod/nginx created", "deployment \"web\" successfully rolled out"] {
        assert!(text.contains(line), "replay text lacks {line:?}:\n{text}");
    }
}

#[test]
fn pause_freezes_time_and_watches() {
    let mut pg = Playground::new("kubeadm", 1).unwrap();
    pg.input("kubectl get pods -w\r");
    pg.set_paused(true);
    let t = pg.elapsed_ns();
    assert_eq!(pg.tick(5_000.0), "");
    assert_eq!(pg.elapsed_ns(), t);
    pg.set_paused(false);
    pg.set_speed(60);
    pg.tick(1_000.0);
    assert_eq!(pg.elapsed_ns(), t + 60_000_000_000);
    assert!(pg.shell.busy(), "the watch still runs");
}

#[test]
fn heredoc_continuation_and_completion() {
    let mut pg = Playground::new("kubeadm", 1).unwrap();
    let out = pg.input("cat <<EOF > pod.yaml\rapiVersion: v1\rkind: Pod\rmetadata:\r  name: demo\rspec:\r  containers:\r  - name: c\r    image: nginx\rEOF\r");
    assert!(out.contains("> "), "{out}");
    assert_eq!(pg.home_files(), vec!["/root/pod.yaml".to_string()]);
    // Tab completes a verb, a kind, a file.
    pg.input("kubectl app\t");
    assert_eq!(pg.editor.line(), "kubectl apply ");
    pg.input("-f po\t");
    assert_eq!(pg.editor.line(), "kubectl apply -f pod.yaml ");
    let out = pg.input("\r");
    assert!(out.contains("pod/demo created"), "{out}");
    pg.input("kubectl describe pod d\t");
    assert_eq!(pg.editor.line(), "kubectl describe pod demo ");
}

#[test]
fn hostile_links_leave_nothing_behind() {
    for frag in ["", "v1.!!!", "v9.AAAA"] {
        assert!(Playground::from_fragment(frag).is_err(), "{frag}");
    }
}

#[test]
fn requests_become_pulses_through_their_service() {
    let mut pg = Playground::new("kubeadm", 4).unwrap();
    session(
        &mut pg,
        &[
            ("kubectl create deployment web --image=nginx --replicas=2\r", 500),
            ("kubectl expose deployment web --port=80\r", 500),
            ("kubectl rollout status deployment/web\r", 30_000),
        ],
        100.0,
    );
    let before = view::newest_request(&pg.shell.world);
    let svc = pg.shell.world.api().get(apimachinery::Kind::Service, "default", "web").unwrap();
    let ip = svc.as_typed::<apimachinery::k8s_openapi::api::core::v1::Service>().and_then(|s| s.spec.as_ref()?.cluster_ip.clone()).unwrap();
    let out = session(&mut pg, &[(&format!("curl -s {ip}\r"), 1_000)], 100.0);
    assert!(out.contains("Welcome to nginx!"), "{out}");
    let pulses = view::request_pulses_since(&pg.shell.world, before, 10);
    let hops: Vec<(String, String, u8)> = pulses.iter().map(|p| (format!("{:?}", p.from), format!("{:?}", p.to), p.hop)).collect();
    assert_eq!(hops.len(), 2, "{hops:?}");
    assert_eq!((hops[0].0.as_str(), hops[0].1.as_str(), hops[0].2), ("Kubelet(\"m-k8s\")", "Service(\"default/web\")", 0));
    assert!(hops[1].0 == "Service(\"default/web\")" && hops[1].1.starts_with("Pod(\"default/web-") && hops[1].2 == 1, "{hops:?}");
    assert!(pulses[1].label.ends_with(" → 200"), "{}", pulses[1].label);
    // The Service's row lists both pods as endpoints: the diagram's lines.
    let view = view::ClusterView::read(&pg.shell.world);
    let web = view.services.iter().find(|s| s.name == "web").unwrap();
    assert_eq!(web.endpoints.len(), 2, "{:?}", web.endpoints);
    assert!(web.endpoints.iter().all(|e| e.starts_with("default/web-")), "{:?}", web.endpoints);
}
