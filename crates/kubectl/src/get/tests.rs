//! Golden tests of the `kubectl get` table decorations that the transcripts
//! do not reach: -L, --show-labels, --show-kind, names with a line break,
//! and `-w --output-watch-events` (whose tabwriter remembers widths).

use crate::config::KubeConfig;
use crate::{Ctx, NoFiles, Outcome, run_line};
use apimachinery::SignedDuration;
use expect_test::{Expect, expect};
use world::{ClusterProfile, World};

struct Cluster {
    world: World,
    config: KubeConfig,
}

impl Cluster {
    fn new() -> Cluster {
        let profile = ClusterProfile::kubeadm(2);
        let config = KubeConfig::for_profile(&profile);
        Cluster { world: World::new(profile, 1), config }
    }

    fn run(&mut self, line: &str) -> Outcome {
        let mut ctx = Ctx { world: &mut self.world, config: &mut self.config, files: &NoFiles, stdin: None };
        let out = run_line(&mut ctx, line);
        self.world.settle();
        out
    }

    fn ok(&mut self, line: &str) {
        let out = self.run(line);
        assert_eq!(out.output().code, 0, "{line}: {}", out.output().stderr);
    }

    fn check(&mut self, line: &str, expect: Expect) {
        let out = self.run(line);
        let out = out.output();
        expect.assert_eq(&format!("{}{}", out.stdout, out.stderr));
    }
}

#[test]
fn decorations() {
    let mut c = Cluster::new();
    c.ok("create deployment web --image=nginx --replicas=2");
    c.ok("run lonely --image=busybox --labels=app=lonely,example.com/tier=a.b");
    c.world.advance(SignedDuration::from_secs(90));
    c.check("get pods -L app -L example.com/tier --show-labels", expect![[r#"
        NAME                   READY   STATUS             RESTARTS      AGE   APP      TIER   LABELS
        lonely                 0/1     CrashLoopBackOff   3 (45s ago)   90s   lonely   a.b    app=lonely,example.com/tier=a.b
        web-7957885594-m7798   1/1     Running            0             90s   web             app=web,pod-template-hash=7957885594
        web-7957885594-nv48k   1/1     Running            0             90s   web             app=web,pod-template-hash=7957885594
    "#]]);
    c.check("get deploy,pods --show-kind -n default", expect![[r#"
        NAME                  READY   UP-TO-DATE   AVAILABLE   AGE
        deployment.apps/web   2/2     2            2           90s

        NAME                       READY   STATUS             RESTARTS      AGE
        pod/lonely                 0/1     CrashLoopBackOff   3 (45s ago)   90s
        pod/web-7957885594-m7798   1/1     Running            0             90s
        pod/web-7957885594-nv48k   1/1     Running            0             90s
    "#]]);
    c.check("get pods -A -o wide --no-headers -l app=web", expect![[r#"
        default   web-7957885594-m7798   1/1   Running   0     90s   172.16.103.130   w2-k8s   <none>   <none>
        default   web-7957885594-nv48k   1/1   Running   0     90s   172.16.221.130   w1-k8s   <none>   <none>
    "#]]);
}

#[test]
fn watch_with_events() {
    let mut c = Cluster::new();
    c.ok("run first --image=nginx");
    c.world.advance(SignedDuration::from_secs(30));
    let Outcome::Waiting(mut out, mut stream) = c.run("get pods -w --output-watch-events") else {
        panic!("get -w streams");
    };
    c.ok("run a-pod-with-a-much-longer-name --image=nginx");
    c.world.advance(SignedDuration::from_secs(30));
    assert!(!stream.poll(&c.world, &mut out), "a watch runs until interrupted");
    let text = out.stdout;
    expect![[r#"
        NAME    READY   STATUS    RESTARTS   AGE
        first   1/1     Running   0          30s
        ADDED      a-pod-with-a-much-longer-name   0/1       Pending    0     30s
        MODIFIED   a-pod-with-a-much-longer-name   0/1       Pending    0     30s
        MODIFIED   a-pod-with-a-much-longer-name   0/1       ContainerCreating   0     30s
        MODIFIED   a-pod-with-a-much-longer-name   1/1       Running             0     30s
    "#]].assert_eq(&text);
}

#[test]
fn watch_events_header_from_an_empty_start() {
    let mut c = Cluster::new();
    c.ok("create namespace quiet");
    let Outcome::Waiting(mut out, mut stream) = c.run("get pods -n quiet -w --output-watch-events") else {
        panic!("get -w streams");
    };
    c.ok("run p --image=nginx -n quiet");
    c.world.advance(SignedDuration::from_secs(30));
    assert!(!stream.poll(&c.world, &mut out), "a watch runs until interrupted");
    let text = out.stdout;
    expect![[r#"
        EVENT      NAME   READY   STATUS    RESTARTS   AGE
        ADDED      p      0/1     Pending   0          30s
        MODIFIED   p      0/1     Pending   0          30s
        MODIFIED   p      0/1     ContainerCreating   0          30s
        MODIFIED   p      1/1     Running             0          30s
    "#]].assert_eq(&text);
}
