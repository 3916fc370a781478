//! Golden tests for the server-side printers: objects in, the table out.
//!
//! Each snapshot starts with the header (column names uppercased as kubectl
//! prints them; `*` marks priority-1 columns that only `-o wide` shows), then
//! one line per row with the cells joined by ` | `. Integer cells print as
//! `int(N)` so the wire type is visible; an empty string prints as `""`.

use super::{columns, print_table};
use crate::table::Cell;
use apimachinery::{Kind, Object, Timestamp};
use expect_test::{Expect, expect};
use serde_json::{Value, json};
use std::sync::Arc;

/// The server clock of every test.
const NOW: &str = "2025-06-01T12:00:00Z";

fn now() -> Timestamp {
    NOW.parse().expect("valid timestamp")
}

/// A timestamp `seconds` before NOW, as the API serialises it.
fn ago(seconds: i64) -> String {
    let t = now().checked_sub(apimachinery::SignedDuration::from_secs(seconds)).expect("in range");
    t.to_string()
}

fn decode(kind: Kind, mut value: Value) -> Arc<Object> {
    let info = kind.info();
    value["apiVersion"] = json!(info.api_version);
    value["kind"] = json!(info.name);
    Arc::new(Object::from_value(kind, value).expect("test object decodes"))
}

fn render(kind: Kind, objects: Vec<Value>) -> String {
    let objects: Vec<Arc<Object>> = objects.into_iter().map(|v| decode(kind, v)).collect();
    let table = print_table(kind, &objects, now());
    assert_eq!(table.columns.as_slice(), columns(kind));
    let header: Vec<String> = table
        .columns
        .iter()
        .map(|c| if c.priority == 0 { c.name.to_uppercase() } else { format!("{}*", c.name.to_uppercase()) })
        .collect();
    let mut out = header.join(" | ");
    out.push('\n');
    for row in &table.rows {
        assert_eq!(row.cells.len(), table.columns.len(), "one cell per column");
        let cells: Vec<String> = row
            .cells
            .iter()
            .map(|c| match c {
                Cell::Str(s) if s.is_empty() => "\"\"".to_string(),
                Cell::Str(s) => s.to_string(),
                Cell::Int(i) => format!("int({i})"),
            })
            .collect();
        out.push_str(&cells.join(" | "));
        out.push('\n');
    }
    out
}

fn check(kind: Kind, objects: Vec<Value>, expect: Expect) {
    expect.assert_eq(&render(kind, objects));
}

fn meta(name: &str, created_ago: i64) -> Value {
    json!({"name": name, "namespace": "default", "creationTimestamp": ago(created_ago)})
}

fn pod(name: &str, spec: Value, status: Value) -> Value {
    json!({"metadata": meta(name, 300), "spec": spec, "status": status})
}

fn one_container() -> Value {
    json!({"containers": [{"name": "app", "image": "nginx:1.27"}], "nodeName": "node-1"})
}

fn running(ready: bool) -> Value {
    json!({"name": "app", "image": "nginx:1.27", "imageID": "", "ready": ready, "restartCount": 0,
           "started": true, "state": {"running": {"startedAt": ago(240)}}})
}

fn waiting(name: &str, reason: &str, restarts: i32) -> Value {
    json!({"name": name, "image": "nginx:1.27", "imageID": "", "ready": false, "restartCount": restarts,
           "state": {"waiting": {"reason": reason}}})
}

fn terminated(name: &str, reason: Option<&str>, exit_code: i32, signal: Option<i32>) -> Value {
    let mut t = json!({"exitCode": exit_code, "startedAt": ago(200), "finishedAt": ago(100)});
    if let Some(r) = reason {
        t["reason"] = json!(r);
    }
    if let Some(s) = signal {
        t["signal"] = json!(s);
    }
    json!({"name": name, "image": "busybox", "imageID": "", "ready": false, "restartCount": 0, "state": {"terminated": t}})
}

fn condition(type_: &str, status: &str) -> Value {
    json!({"type": type_, "status": status})
}

#[test]
fn pod_phases_and_container_states() {
    let crash = {
        let mut c = waiting("app", "CrashLoopBackOff", 4);
        c["lastState"] = json!({"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": ago(130)}});
        c
    };
    let restarted_without_last_state = {
        let mut c = running(true);
        c["restartCount"] = json!(3);
        c
    };
    let restarted_long_ago = {
        let mut c = running(true);
        c["restartCount"] = json!(1);
        c["lastState"] = json!({"terminated": {"exitCode": 137, "reason": "OOMKilled", "finishedAt": ago(5 * 86400)}});
        c
    };
    let two = json!({"containers": [{"name": "a", "image": "a:1"}, {"name": "b", "image": "b:1"}], "nodeName": "node-1"});
    let b_running = {
        let mut c = running(true);
        c["name"] = json!("b");
        c
    };
    let a_completed = terminated("a", Some("Completed"), 0, None);
    check(
        Kind::Pod,
        vec![
            pod("pending", json!({"containers": [{"name": "app", "image": "nginx"}]}), json!({"phase": "Pending"})),
            pod("no-status", json!({"containers": [{"name": "app", "image": "nginx"}]}), json!({})),
            pod(
                "gated",
                json!({"containers": [{"name": "app", "image": "nginx"}], "schedulingGates": [{"name": "example.com/gate"}]}),
                json!({"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}]}),
            ),
            pod("creating", one_container(), json!({"phase": "Pending", "containerStatuses": [waiting("app", "ContainerCreating", 0)]})),
            pod(
                "running",
                one_container(),
                json!({"phase": "Running", "podIP": "10.244.1.5", "podIPs": [{"ip": "10.244.1.5"}, {"ip": "fd00::5"}],
                       "conditions": [condition("Ready", "True")], "containerStatuses": [running(true)]}),
            ),
            pod(
                "pod-ip-only",
                one_container(),
                json!({"phase": "Running", "podIP": "10.244.1.6", "containerStatuses": [running(true)]}),
            ),
            pod(
                "not-ready",
                one_container(),
                json!({"phase": "Running", "podIPs": [{"ip": "10.244.1.7"}], "conditions": [condition("Ready", "False")],
                       "containerStatuses": [running(false)]}),
            ),
            pod("crashloop", one_container(), json!({"phase": "Running", "containerStatuses": [crash]})),
            pod("restarts-no-last-state", one_container(), json!({"phase": "Running", "containerStatuses": [restarted_without_last_state]})),
            pod("restarted-days-ago", one_container(), json!({"phase": "Running", "containerStatuses": [restarted_long_ago]})),
            pod("err-image-pull", one_container(), json!({"phase": "Pending", "containerStatuses": [waiting("app", "ErrImagePull", 0)]})),
            pod("image-pull-backoff", one_container(), json!({"phase": "Pending", "containerStatuses": [waiting("app", "ImagePullBackOff", 0)]})),
            pod("completed", one_container(), json!({"phase": "Succeeded", "containerStatuses": [terminated("app", Some("Completed"), 0, None)]})),
            pod("error", one_container(), json!({"phase": "Failed", "containerStatuses": [terminated("app", Some("Error"), 1, None)]})),
            pod("oom", one_container(), json!({"phase": "Running", "containerStatuses": [terminated("app", Some("OOMKilled"), 137, None)]})),
            pod("signal", one_container(), json!({"phase": "Failed", "containerStatuses": [terminated("app", None, 137, Some(9))]})),
            pod("exit-code", one_container(), json!({"phase": "Failed", "containerStatuses": [terminated("app", None, 2, None)]})),
            pod(
                "completed-and-running-ready",
                two.clone(),
                json!({"phase": "Running", "conditions": [condition("Ready", "True")], "containerStatuses": [a_completed.clone(), b_running.clone()]}),
            ),
            pod(
                "completed-and-running-unready",
                two.clone(),
                json!({"phase": "Running", "conditions": [condition("Ready", "False")], "containerStatuses": [a_completed, b_running.clone()]}),
            ),
            pod(
                "first-reason-wins",
                two,
                json!({"phase": "Running", "containerStatuses": [waiting("a", "CrashLoopBackOff", 2), terminated("b", Some("Error"), 1, None)]}),
            ),
            pod("evicted", one_container(), json!({"phase": "Failed", "reason": "Evicted", "message": "The node was low on resource: memory."})),
        ],
        expect![[r#"
            NAME | READY | STATUS | RESTARTS | AGE | IP* | NODE* | NOMINATED NODE* | READINESS GATES*
            pending | 0/1 | Pending | 0 | 5m | <none> | <none> | <none> | <none>
            no-status | 0/1 | "" | 0 | 5m | <none> | <none> | <none> | <none>
            gated | 0/1 | SchedulingGated | 0 | 5m | <none> | <none> | <none> | <none>
            creating | 0/1 | ContainerCreating | 0 | 5m | <none> | node-1 | <none> | <none>
            running | 1/1 | Running | 0 | 5m | 10.244.1.5 | node-1 | <none> | <none>
            pod-ip-only | 1/1 | Running | 0 | 5m | <none> | node-1 | <none> | <none>
            not-ready | 0/1 | Running | 0 | 5m | 10.244.1.7 | node-1 | <none> | <none>
            crashloop | 0/1 | CrashLoopBackOff | 4 (2m10s ago) | 5m | <none> | node-1 | <none> | <none>
            restarts-no-last-state | 1/1 | Running | 3 | 5m | <none> | node-1 | <none> | <none>
            restarted-days-ago | 1/1 | Running | 1 (5d ago) | 5m | <none> | node-1 | <none> | <none>
            err-image-pull | 0/1 | ErrImagePull | 0 | 5m | <none> | node-1 | <none> | <none>
            image-pull-backoff | 0/1 | ImagePullBackOff | 0 | 5m | <none> | node-1 | <none> | <none>
            completed | 0/1 | Completed | 0 | 5m | <none> | node-1 | <none> | <none>
            error | 0/1 | Error | 0 | 5m | <none> | node-1 | <none> | <none>
            oom | 0/1 | OOMKilled | 0 | 5m | <none> | node-1 | <none> | <none>
            signal | 0/1 | Signal:9 | 0 | 5m | <none> | node-1 | <none> | <none>
            exit-code | 0/1 | ExitCode:2 | 0 | 5m | <none> | node-1 | <none> | <none>
            completed-and-running-ready | 1/2 | Running | 0 | 5m | <none> | node-1 | <none> | <none>
            completed-and-running-unready | 1/2 | NotReady | 0 | 5m | <none> | node-1 | <none> | <none>
            first-reason-wins | 0/2 | CrashLoopBackOff | 2 | 5m | <none> | node-1 | <none> | <none>
            evicted | 0/1 | Evicted | 0 | 5m | <none> | node-1 | <none> | <none>
        "#]],
    );
}

#[test]
fn pod_deletion() {
    let deleting = |name: &str, status: Value| {
        let mut p = pod(name, one_container(), status);
        p["metadata"]["deletionTimestamp"] = json!(ago(10));
        p["metadata"]["deletionGracePeriodSeconds"] = json!(30);
        p
    };
    check(
        Kind::Pod,
        vec![
            deleting("terminating", json!({"phase": "Running", "conditions": [condition("Ready", "True")], "containerStatuses": [running(true)]})),
            deleting("terminating-crashloop", json!({"phase": "Running", "containerStatuses": [waiting("app", "CrashLoopBackOff", 1)]})),
            deleting("succeeded", json!({"phase": "Succeeded", "containerStatuses": [terminated("app", Some("Completed"), 0, None)]})),
            deleting("failed", json!({"phase": "Failed", "containerStatuses": [terminated("app", Some("Error"), 1, None)]})),
            deleting("node-lost", json!({"phase": "Running", "reason": "NodeLost", "containerStatuses": [running(true)]})),
        ],
        expect![[r#"
            NAME | READY | STATUS | RESTARTS | AGE | IP* | NODE* | NOMINATED NODE* | READINESS GATES*
            terminating | 1/1 | Terminating | 0 | 5m | <none> | node-1 | <none> | <none>
            terminating-crashloop | 0/1 | Terminating | 1 | 5m | <none> | node-1 | <none> | <none>
            succeeded | 0/1 | Completed | 0 | 5m | <none> | node-1 | <none> | <none>
            failed | 0/1 | Error | 0 | 5m | <none> | node-1 | <none> | <none>
            node-lost | 1/1 | Unknown | 0 | 5m | <none> | node-1 | <none> | <none>
        "#]],
    );
}

#[test]
fn pod_init_containers() {
    let spec = json!({
        "initContainers": [{"name": "init-a", "image": "busybox"}, {"name": "init-b", "image": "busybox"}],
        "containers": [{"name": "app", "image": "nginx"}],
        "nodeName": "node-1",
    });
    let init_running = json!({"name": "init-b", "image": "busybox", "imageID": "", "ready": false, "restartCount": 0,
                              "started": true, "state": {"running": {"startedAt": ago(30)}}});
    let init_waiting_pod_initializing = json!({"name": "init-b", "image": "busybox", "imageID": "", "ready": false,
                                               "restartCount": 0, "state": {"waiting": {"reason": "PodInitializing"}}});
    let init_a_done = terminated("init-a", Some("Completed"), 0, None);
    let init_crash = {
        let mut c = waiting("init-a", "CrashLoopBackOff", 3);
        c["lastState"] = json!({"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": ago(60)}});
        c
    };
    let app_pod_initializing = waiting("app", "PodInitializing", 0);
    let pending_init = |init: Vec<Value>| json!({"phase": "Pending", "initContainerStatuses": init, "containerStatuses": [app_pod_initializing.clone()]});
    check(
        Kind::Pod,
        vec![
            pod("init-0-of-2", spec.clone(), pending_init(vec![waiting("init-a", "", 0), waiting("init-b", "", 0)])),
            pod("init-1-of-2", spec.clone(), pending_init(vec![init_a_done.clone(), init_running])),
            pod("init-pod-initializing", spec.clone(), pending_init(vec![init_a_done.clone(), init_waiting_pod_initializing])),
            pod("init-err-image-pull", spec.clone(), pending_init(vec![waiting("init-a", "ErrImagePull", 0), waiting("init-b", "", 0)])),
            pod("init-crashloop", spec.clone(), pending_init(vec![init_crash, waiting("init-b", "", 0)])),
            pod("init-error", spec.clone(), json!({"phase": "Failed", "initContainerStatuses": [terminated("init-a", Some("Error"), 1, None)]})),
            pod("init-exit-code", spec.clone(), pending_init(vec![terminated("init-a", None, 2, None)])),
            pod("init-signal", spec.clone(), pending_init(vec![terminated("init-a", None, 143, Some(15))])),
            pod(
                "init-done-app-starting",
                spec.clone(),
                json!({"phase": "Pending", "conditions": [condition("Initialized", "True")],
                       "initContainerStatuses": [init_a_done.clone(), terminated("init-b", Some("Completed"), 0, None)],
                       "containerStatuses": [waiting("app", "ContainerCreating", 0)]}),
            ),
            pod(
                "init-done-running",
                spec,
                json!({"phase": "Running", "conditions": [condition("Initialized", "True"), condition("Ready", "True")],
                       "initContainerStatuses": [init_a_done, terminated("init-b", Some("Completed"), 0, None)],
                       "containerStatuses": [running(true)]}),
            ),
        ],
        expect![[r#"
            NAME | READY | STATUS | RESTARTS | AGE | IP* | NODE* | NOMINATED NODE* | READINESS GATES*
            init-0-of-2 | 0/1 | Init:0/2 | 0 | 5m | <none> | node-1 | <none> | <none>
            init-1-of-2 | 0/1 | Init:1/2 | 0 | 5m | <none> | node-1 | <none> | <none>
            init-pod-initializing | 0/1 | Init:1/2 | 0 | 5m | <none> | node-1 | <none> | <none>
            init-err-image-pull | 0/1 | Init:ErrImagePull | 0 | 5m | <none> | node-1 | <none> | <none>
            init-crashloop | 0/1 | Init:CrashLoopBackOff | 3 (60s ago) | 5m | <none> | node-1 | <none> | <none>
            init-error | 0/1 | Init:Error | 0 | 5m | <none> | node-1 | <none> | <none>
            init-exit-code | 0/1 | Init:ExitCode:2 | 0 | 5m | <none> | node-1 | <none> | <none>
            init-signal | 0/1 | Init:Signal:15 | 0 | 5m | <none> | node-1 | <none> | <none>
            init-done-app-starting | 0/1 | ContainerCreating | 0 | 5m | <none> | node-1 | <none> | <none>
            init-done-running | 1/1 | Running | 0 | 5m | <none> | node-1 | <none> | <none>
        "#]],
    );
}

#[test]
fn pod_sidecars_readiness_gates_and_nomination() {
    let spec = json!({
        "initContainers": [{"name": "init", "image": "busybox"}, {"name": "proxy", "image": "envoy", "restartPolicy": "Always"}],
        "containers": [{"name": "app", "image": "nginx"}],
        "nodeName": "node-1",
    });
    let sidecar = |ready: bool, restarts: i32| {
        let mut c = json!({"name": "proxy", "image": "envoy", "imageID": "", "ready": ready, "restartCount": restarts,
                           "started": true, "state": {"running": {"startedAt": ago(100)}}});
        if restarts > 0 {
            c["lastState"] = json!({"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": ago(150)}});
        }
        c
    };
    let init_done = {
        let mut c = terminated("init", Some("Completed"), 0, None);
        // Restarts of a finished regular init container do not count once the pod runs.
        c["restartCount"] = json!(2);
        c["lastState"] = json!({"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": ago(20)}});
        c
    };
    let app_restarted = {
        let mut c = running(true);
        c["restartCount"] = json!(1);
        c["lastState"] = json!({"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": ago(90)}});
        c
    };
    let gated = json!({"containers": [{"name": "app", "image": "nginx"}], "nodeName": "node-1",
                       "readinessGates": [{"conditionType": "example.com/lb-ready"}, {"conditionType": "example.com/feature"}]});
    check(
        Kind::Pod,
        vec![
            pod(
                "sidecar-running",
                spec.clone(),
                json!({"phase": "Running", "conditions": [condition("Initialized", "True"), condition("Ready", "True")],
                       "initContainerStatuses": [init_done.clone(), sidecar(true, 0)], "containerStatuses": [running(true)]}),
            ),
            pod(
                "sidecar-restarts",
                spec.clone(),
                json!({"phase": "Running", "conditions": [condition("Initialized", "True")],
                       "initContainerStatuses": [init_done.clone(), sidecar(false, 2)], "containerStatuses": [app_restarted]}),
            ),
            pod(
                "sidecar-before-app",
                spec,
                json!({"phase": "Pending", "initContainerStatuses": [init_done, sidecar(true, 0)],
                       "containerStatuses": [waiting("app", "PodInitializing", 0)]}),
            ),
            pod(
                "gates-half",
                gated.clone(),
                json!({"phase": "Running", "containerStatuses": [running(true)],
                       "conditions": [condition("example.com/lb-ready", "True"), condition("example.com/feature", "False"),
                                      condition("example.com/feature", "True")]}),
            ),
            pod("gates-none-reported", gated, json!({"phase": "Running", "containerStatuses": [running(true)]})),
            pod(
                "nominated",
                json!({"containers": [{"name": "app", "image": "nginx"}]}),
                json!({"phase": "Pending", "nominatedNodeName": "node-2"}),
            ),
        ],
        expect![[r#"
            NAME | READY | STATUS | RESTARTS | AGE | IP* | NODE* | NOMINATED NODE* | READINESS GATES*
            sidecar-running | 2/2 | Running | 0 | 5m | <none> | node-1 | <none> | <none>
            sidecar-restarts | 1/2 | Running | 3 (90s ago) | 5m | <none> | node-1 | <none> | <none>
            sidecar-before-app | 1/2 | PodInitializing | 0 | 5m | <none> | node-1 | <none> | <none>
            gates-half | 1/1 | Running | 0 | 5m | <none> | node-1 | <none> | 1/2
            gates-none-reported | 1/1 | Running | 0 | 5m | <none> | node-1 | <none> | 0/2
            nominated | 0/1 | Pending | 0 | 5m | <none> | <none> | node-2 | <none>
        "#]],
    );
}

fn node(name: &str, labels: Value, unschedulable: bool, ready: Option<&str>) -> Value {
    let mut n = json!({
        "metadata": {"name": name, "labels": labels, "creationTimestamp": ago(3 * 86400 + 3600)},
        "spec": {"podCIDR": "10.244.0.0/24"},
        "status": {
            "addresses": [{"type": "Hostname", "address": name}, {"type": "InternalIP", "address": "172.18.0.2"}],
            "nodeInfo": {"architecture": "amd64", "bootID": "", "containerRuntimeVersion": "containerd://2.1.3",
                         "kernelVersion": "6.8.0-60-generic", "kubeProxyVersion": "", "kubeletVersion": "v1.37.0",
                         "machineID": "", "operatingSystem": "linux", "osImage": "Debian GNU/Linux 12 (bookworm)", "systemUUID": ""},
        },
    });
    if unschedulable {
        n["spec"]["unschedulable"] = json!(true);
    }
    if let Some(status) = ready {
        n["status"]["conditions"] = json!([condition("MemoryPressure", "False"), condition("Ready", status)]);
    }
    n
}

#[test]
fn nodes() {
    let mut external = node("worker-ext", json!({"kubernetes.io/hostname": "worker-ext"}), false, Some("True"));
    external["status"]["addresses"] = json!([{"type": "ExternalIP", "address": "203.0.113.7"}, {"type": "InternalIP", "address": "172.18.0.9"},
                                             {"type": "InternalIP", "address": "172.18.0.10"}]);
    let bare = json!({"metadata": {"name": "bare"}, "status": {"nodeInfo": {"architecture": "", "bootID": "", "containerRuntimeVersion": "",
        "kernelVersion": "", "kubeProxyVersion": "", "kubeletVersion": "", "machineID": "", "operatingSystem": "", "osImage": "", "systemUUID": ""}}});
    check(
        Kind::Node,
        vec![
            node("control-plane", json!({"node-role.kubernetes.io/control-plane": ""}), false, Some("True")),
            node("worker-not-ready", json!({"kubernetes.io/os": "linux"}), false, Some("False")),
            node("worker-unknown", json!({}), false, Some("Unknown")),
            node("worker-no-conditions", json!({}), false, None),
            node("worker-cordoned", json!({"node-role.kubernetes.io/worker": "true"}), true, Some("True")),
            node("worker-cordoned-down", json!({}), true, Some("False")),
            node(
                "old-style",
                json!({"kubernetes.io/role": "master", "node-role.kubernetes.io/master": "", "node-role.kubernetes.io/": "x",
                       "node-role.kubernetes.io/etcd": "", "node-role.kubernetes.io/control-plane": ""}),
                false,
                Some("True"),
            ),
            external,
            bare,
        ],
        expect![[r#"
            NAME | STATUS | ROLES | AGE | VERSION | INTERNAL-IP* | EXTERNAL-IP* | OS-IMAGE* | KERNEL-VERSION* | CONTAINER-RUNTIME*
            control-plane | Ready | control-plane | 3d1h | v1.37.0 | 172.18.0.2 | <none> | Debian GNU/Linux 12 (bookworm) | 6.8.0-60-generic | containerd://2.1.3
            worker-not-ready | NotReady | <none> | 3d1h | v1.37.0 | 172.18.0.2 | <none> | Debian GNU/Linux 12 (bookworm) | 6.8.0-60-generic | containerd://2.1.3
            worker-unknown | NotReady | <none> | 3d1h | v1.37.0 | 172.18.0.2 | <none> | Debian GNU/Linux 12 (bookworm) | 6.8.0-60-generic | containerd://2.1.3
            worker-no-conditions | Unknown | <none> | 3d1h | v1.37.0 | 172.18.0.2 | <none> | Debian GNU/Linux 12 (bookworm) | 6.8.0-60-generic | containerd://2.1.3
            worker-cordoned | Ready,SchedulingDisabled | worker | 3d1h | v1.37.0 | 172.18.0.2 | <none> | Debian GNU/Linux 12 (bookworm) | 6.8.0-60-generic | containerd://2.1.3
            worker-cordoned-down | NotReady,SchedulingDisabled | <none> | 3d1h | v1.37.0 | 172.18.0.2 | <none> | Debian GNU/Linux 12 (bookworm) | 6.8.0-60-generic | containerd://2.1.3
            old-style | Ready | control-plane,etcd,master | 3d1h | v1.37.0 | 172.18.0.2 | <none> | Debian GNU/Linux 12 (bookworm) | 6.8.0-60-generic | containerd://2.1.3
            worker-ext | Ready | <none> | 3d1h | v1.37.0 | 172.18.0.9 | 203.0.113.7 | Debian GNU/Linux 12 (bookworm) | 6.8.0-60-generic | containerd://2.1.3
            bare | Unknown | <none> | <unknown> | "" | <none> | <none> | <unknown> | <unknown> | <unknown>
        "#]],
    );
}

fn service(name: &str, spec: Value, status: Value) -> Value {
    json!({"metadata": meta(name, 7200), "spec": spec, "status": status})
}

#[test]
fn services() {
    check(
        Kind::Service,
        vec![
            service(
                "kubernetes",
                json!({"type": "ClusterIP", "clusterIP": "10.96.0.1", "clusterIPs": ["10.96.0.1"],
                       "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}]}),
                json!({}),
            ),
            service(
                "kube-dns",
                json!({"type": "ClusterIP", "clusterIP": "10.96.0.10", "clusterIPs": ["10.96.0.10"], "selector": {"k8s-app": "kube-dns"},
                       "ports": [{"name": "dns", "port": 53, "protocol": "UDP"}, {"name": "dns-tcp", "port": 53, "protocol": "TCP"},
                                 {"name": "metrics", "port": 9153, "protocol": "TCP"}]}),
                json!({}),
            ),
            service(
                "web-nodeport",
                json!({"type": "NodePort", "clusterIP": "10.96.12.7", "clusterIPs": ["10.96.12.7"], "selector": {"app": "web", "tier": "front"},
                       "ports": [{"port": 80, "protocol": "TCP", "nodePort": 30080}, {"port": 443, "nodePort": 30443}]}),
                json!({}),
            ),
            service(
                "lb-pending",
                json!({"type": "LoadBalancer", "clusterIPs": ["10.96.40.1"], "selector": {"app": "web"},
                       "ports": [{"port": 80, "protocol": "TCP", "nodePort": 31000}]}),
                json!({"loadBalancer": {}}),
            ),
            service(
                "lb-ready",
                json!({"type": "LoadBalancer", "clusterIPs": ["10.96.40.2"], "ports": [{"port": 80, "protocol": "TCP", "nodePort": 31001}]}),
                json!({"loadBalancer": {"ingress": [{"ip": "198.51.100.20"}, {"ip": "198.51.100.3"}, {"ip": "198.51.100.20"},
                                                     {"hostname": "lb.example.com"}, {}]}}),
            ),
            service(
                "lb-hostname-long",
                json!({"type": "LoadBalancer", "clusterIPs": ["10.96.40.3"], "ports": [{"port": 80, "protocol": "TCP", "nodePort": 31002}]}),
                json!({"loadBalancer": {"ingress": [{"hostname": "a1b2c3d4e5f6-1234567890.us-east-1.elb.amazonaws.com"}]}}),
            ),
            service(
                "lb-and-external-ips",
                json!({"type": "LoadBalancer", "clusterIPs": ["10.96.40.4"], "externalIPs": ["192.0.2.9", "192.0.2.1"],
                       "ports": [{"port": 80, "protocol": "TCP", "nodePort": 31003}]}),
                json!({"loadBalancer": {"ingress": [{"ip": "198.51.100.5"}]}}),
            ),
            service(
                "lb-pending-external-ips",
                json!({"type": "LoadBalancer", "clusterIPs": ["10.96.40.5"], "externalIPs": ["192.0.2.9"],
                       "ports": [{"port": 80, "protocol": "TCP", "nodePort": 31004}]}),
                json!({}),
            ),
            service(
                "with-external-ips",
                json!({"type": "ClusterIP", "clusterIPs": ["10.96.50.1"], "externalIPs": ["192.0.2.10", "192.0.2.11"],
                       "ports": [{"port": 8080, "protocol": "TCP"}]}),
                json!({}),
            ),
            service(
                "headless",
                json!({"type": "ClusterIP", "clusterIP": "None", "clusterIPs": ["None"], "selector": {"app": "db"},
                       "ports": [{"port": 5432, "protocol": "TCP"}]}),
                json!({}),
            ),
            service("headless-no-ports", json!({"type": "ClusterIP", "clusterIP": "None", "clusterIPs": ["None"]}), json!({})),
            service("external-name", json!({"type": "ExternalName", "externalName": "db.example.com"}), json!({})),
            service("defaults-unset", json!({"ports": [{"port": 80}]}), json!({})),
            service("dual-stack", json!({"type": "ClusterIP", "clusterIPs": ["fd00:10:96::a", "10.96.0.77"], "ports": [{"port": 80, "protocol": "SCTP"}]}), json!({})),
        ],
        expect![[r#"
            NAME | TYPE | CLUSTER-IP | EXTERNAL-IP | PORT(S) | AGE | SELECTOR*
            kubernetes | ClusterIP | 10.96.0.1 | <none> | 443/TCP | 120m | <none>
            kube-dns | ClusterIP | 10.96.0.10 | <none> | 53/UDP,53/TCP,9153/TCP | 120m | k8s-app=kube-dns
            web-nodeport | NodePort | 10.96.12.7 | <none> | 80:30080/TCP,443:30443/TCP | 120m | app=web,tier=front
            lb-pending | LoadBalancer | 10.96.40.1 | <pending> | 80:31000/TCP | 120m | app=web
            lb-ready | LoadBalancer | 10.96.40.2 | 198.51.100.20,198.51.100.3,lb.example.com | 80:31001/TCP | 120m | <none>
            lb-hostname-long | LoadBalancer | 10.96.40.3 | a1b2c3d4e5f6-1234567890.us-east-1.elb.amazonaws.com | 80:31002/TCP | 120m | <none>
            lb-and-external-ips | LoadBalancer | 10.96.40.4 | 198.51.100.5,192.0.2.9,192.0.2.1 | 80:31003/TCP | 120m | <none>
            lb-pending-external-ips | LoadBalancer | 10.96.40.5 | 192.0.2.9 | 80:31004/TCP | 120m | <none>
            with-external-ips | ClusterIP | 10.96.50.1 | 192.0.2.10,192.0.2.11 | 8080/TCP | 120m | <none>
            headless | ClusterIP | None | <none> | 5432/TCP | 120m | app=db
            headless-no-ports | ClusterIP | None | <none> | <none> | 120m | <none>
            external-name | ExternalName | <none> | db.example.com | <none> | 120m | <none>
            defaults-unset | ClusterIP | <none> | <none> | 80/TCP | 120m | <none>
            dual-stack | ClusterIP | fd00:10:96::a | <none> | 80/SCTP | 120m | <none>
        "#]],
    );
}

fn endpoints(name: &str, subsets: Option<Value>) -> Value {
    let mut e = json!({"metadata": meta(name, 600)});
    if let Some(s) = subsets {
        e["subsets"] = s;
    }
    e
}

fn addresses(ips: &[&str]) -> Value {
    Value::Array(ips.iter().map(|ip| json!({"ip": ip})).collect())
}

#[test]
fn endpoints_list() {
    check(
        Kind::Endpoints,
        vec![
            endpoints("no-subsets", None),
            endpoints("empty-subsets", Some(json!([]))),
            endpoints("two", Some(json!([{"addresses": addresses(&["10.244.1.5", "10.244.2.7"]), "ports": [{"port": 80, "protocol": "TCP"}]}]))),
            endpoints("three", Some(json!([{"addresses": addresses(&["10.0.0.1", "10.0.0.2", "10.0.0.3"]), "ports": [{"port": 80}]}]))),
            endpoints(
                "five",
                Some(json!([{"addresses": addresses(&["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"]), "ports": [{"port": 8080}]}])),
            ),
            endpoints(
                "ports-times-addresses",
                Some(json!([{"addresses": addresses(&["10.0.0.1", "10.0.0.2"]), "ports": [{"name": "http", "port": 80}, {"name": "https", "port": 443}]}])),
            ),
            endpoints(
                "two-subsets",
                Some(json!([{"addresses": addresses(&["10.0.0.1"]), "ports": [{"port": 80}]},
                            {"addresses": addresses(&["10.0.1.1", "10.0.1.2", "10.0.1.3"]), "notReadyAddresses": addresses(&["10.0.1.9"]),
                             "ports": [{"port": 81}]}])),
            ),
            endpoints("only-not-ready", Some(json!([{"notReadyAddresses": addresses(&["10.0.0.9"]), "ports": [{"port": 80}]}]))),
            endpoints("headless-no-ports", Some(json!([{"addresses": addresses(&["10.0.0.1", "10.0.0.2"])}]))),
            endpoints("ipv6", Some(json!([{"addresses": addresses(&["fd00::1"]), "ports": [{"port": 53}]}]))),
        ],
        expect![[r#"
            NAME | ENDPOINTS | AGE
            no-subsets | <none> | 10m
            empty-subsets | <none> | 10m
            two | 10.244.1.5:80,10.244.2.7:80 | 10m
            three | 10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 | 10m
            five | 10.0.0.1:8080,10.0.0.2:8080,10.0.0.3:8080 + 2 more... | 10m
            ports-times-addresses | 10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more... | 10m
            two-subsets | 10.0.0.1:80,10.0.1.1:81,10.0.1.2:81 + 1 more... | 10m
            only-not-ready | "" | 10m
            headless-no-ports | 10.0.0.1,10.0.0.2 | 10m
            ipv6 | [fd00::1]:53 | 10m
        "#]],
    );
}

#[test]
fn endpoint_slices() {
    let slice = |name: &str, ports: Value, endpoints: Value| {
        json!({"metadata": meta(name, 600), "addressType": "IPv4", "ports": ports, "endpoints": endpoints})
    };
    let eps = |ips: &[&[&str]]| Value::Array(ips.iter().map(|a| json!({"addresses": a})).collect());
    check(
        Kind::EndpointSlice,
        vec![
            slice("web-abc12", json!([{"name": "http", "port": 80, "protocol": "TCP"}]), eps(&[&["10.244.1.5"], &["10.244.2.7"]])),
            slice(
                "many",
                json!([{"port": 80}, {"name": "metrics"}, {}, {"port": 9090}, {"port": 9091}]),
                eps(&[&["10.0.0.1", "10.0.0.2"], &["10.0.0.3"], &["10.0.0.4"]]),
            ),
            slice("empty", json!([]), json!([])),
            json!({"metadata": meta("unset", 600), "addressType": "IPv6", "endpoints": null}),
        ],
        expect![[r#"
            NAME | ADDRESSTYPE | PORTS | ENDPOINTS | AGE
            web-abc12 | IPv4 | 80 | 10.244.1.5,10.244.2.7 | 10m
            many | IPv4 | 80,metrics,* + 2 more... | 10.0.0.1,10.0.0.2,10.0.0.3 + 1 more... | 10m
            empty | IPv4 | <unset> | <unset> | 10m
            unset | IPv6 | <unset> | <unset> | 10m
        "#]],
    );
}

fn template(containers: Value) -> Value {
    json!({"metadata": {"labels": {"app": "web"}}, "spec": {"containers": containers}})
}

#[test]
fn workloads() {
    let containers = json!([{"name": "nginx", "image": "nginx:1.27"}, {"name": "sidecar", "image": "busybox:1.36"}]);
    check(
        Kind::Deployment,
        vec![
            json!({"metadata": meta("web", 3600), "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": template(containers.clone())},
                   "status": {"replicas": 3, "readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2}}),
            json!({"metadata": meta("fresh", 5), "spec": {"selector": {"matchLabels": {"app": "fresh", "tier": "a"},
                   "matchExpressions": [{"key": "env", "operator": "In", "values": ["prod", "dev"]}, {"key": "canary", "operator": "DoesNotExist"}]},
                   "template": template(json!([{"name": "app", "image": "app:v2"}]))}}),
            json!({"metadata": meta("empty-selector", 5), "spec": {"replicas": 0, "selector": {}, "template": template(json!([]))}}),
        ],
        expect![[r#"
            NAME | READY | UP-TO-DATE | AVAILABLE | AGE | CONTAINERS* | IMAGES* | SELECTOR*
            web | 2/3 | int(3) | int(2) | 60m | nginx,sidecar | nginx:1.27,busybox:1.36 | app=web
            fresh | 0/1 | int(0) | int(0) | 5s | app | app:v2 | app=fresh,!canary,env in (dev,prod),tier=a
            empty-selector | 0/0 | int(0) | int(0) | 5s | "" | "" | ""
        "#]],
    );
    check(
        Kind::ReplicaSet,
        vec![
            json!({"metadata": meta("web-5d9c7b8f4", 3600), "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web", "pod-template-hash": "5d9c7b8f4"}},
                   "template": template(containers.clone())}, "status": {"replicas": 3, "readyReplicas": 3}}),
            json!({"metadata": meta("old-7f6d", 7200), "spec": {"replicas": 0, "selector": {}}, "status": {"replicas": 0}}),
        ],
        expect![[r#"
            NAME | DESIRED | CURRENT | READY | AGE | CONTAINERS* | IMAGES* | SELECTOR*
            web-5d9c7b8f4 | int(3) | int(3) | int(3) | 60m | nginx,sidecar | nginx:1.27,busybox:1.36 | app=web,pod-template-hash=5d9c7b8f4
            old-7f6d | int(0) | int(0) | int(0) | 120m | "" | "" | <none>
        "#]],
    );
    check(
        Kind::ReplicationController,
        vec![
            json!({"metadata": meta("legacy", 90), "spec": {"replicas": 2, "selector": {"app": "legacy"}, "template": template(containers.clone())},
                   "status": {"replicas": 2, "readyReplicas": 1}}),
            json!({"metadata": meta("bare", 90), "spec": {}, "status": {"replicas": 0}}),
        ],
        expect![[r#"
            NAME | DESIRED | CURRENT | READY | AGE | CONTAINERS* | IMAGES* | SELECTOR*
            legacy | int(2) | int(2) | int(1) | 90s | nginx,sidecar | nginx:1.27,busybox:1.36 | app=legacy
            bare | int(1) | int(0) | int(0) | 90s | "" | "" | <none>
        "#]],
    );
    let mut ds_template = template(json!([{"name": "kube-proxy", "image": "registry.k8s.io/kube-proxy:v1.37.0"}]));
    ds_template["spec"]["nodeSelector"] = json!({"kubernetes.io/os": "linux"});
    check(
        Kind::DaemonSet,
        vec![
            json!({"metadata": meta("kube-proxy", 86400 * 10), "spec": {"selector": {"matchLabels": {"k8s-app": "kube-proxy"}}, "template": ds_template},
                   "status": {"desiredNumberScheduled": 3, "currentNumberScheduled": 3, "numberReady": 2, "updatedNumberScheduled": 3,
                              "numberAvailable": 2, "numberMisscheduled": 0}}),
            json!({"metadata": meta("new", 1), "spec": {"selector": {"matchLabels": {"app": "new"}}, "template": template(json!([{"name": "a", "image": "a"}]))}}),
        ],
        expect![[r#"
            NAME | DESIRED | CURRENT | READY | UP-TO-DATE | AVAILABLE | NODE SELECTOR | AGE | CONTAINERS* | IMAGES* | SELECTOR*
            kube-proxy | int(3) | int(3) | int(2) | int(3) | int(2) | kubernetes.io/os=linux | 10d | kube-proxy | registry.k8s.io/kube-proxy:v1.37.0 | k8s-app=kube-proxy
            new | int(0) | int(0) | int(0) | int(0) | int(0) | <none> | 1s | a | a | app=new
        "#]],
    );
}

#[test]
fn events() {
    let involved = |kind: &str, name: &str, field_path: Option<&str>| {
        let mut o = json!({"kind": kind, "namespace": "default", "name": name});
        if let Some(f) = field_path {
            o["fieldPath"] = json!(f);
        }
        o
    };
    check(
        Kind::Event,
        vec![
            json!({"metadata": meta("nginx.17f3a1b2c3d4e5f6", 120), "involvedObject": involved("Pod", "nginx", None), "reason": "Scheduled",
                   "message": "Successfully assigned default/nginx to node-1", "source": {"component": "default-scheduler"},
                   "firstTimestamp": ago(120), "lastTimestamp": ago(120), "count": 1, "type": "Normal"}),
            json!({"metadata": meta("nginx.17f3a1b2c3d4e5f7", 115), "involvedObject": involved("Pod", "nginx", Some("spec.containers{nginx}")),
                   "reason": "BackOff", "message": "Back-off restarting failed container nginx in pod nginx_default(1234)\n",
                   "source": {"component": "kubelet", "host": "node-1"}, "firstTimestamp": ago(115), "lastTimestamp": ago(12),
                   "count": 7, "type": "Warning"}),
            json!({"metadata": meta("web.17f3a1b2c3d4e5f8", 30), "involvedObject": involved("Deployment", "web", None), "reason": "ScalingReplicaSet",
                   "message": "Scaled up replica set web-5d9c7b8f4 from 0 to 3", "source": {"component": "deployment-controller"},
                   "firstTimestamp": ago(30), "lastTimestamp": null, "count": 1, "type": "Normal"}),
            json!({"metadata": meta("node-1.17f3a1b2c3d4e5f9", 600), "involvedObject": involved("Node", "node-1", None), "reason": "RegisteredNode",
                   "message": "Node node-1 event: Registered Node node-1 in Controller", "eventTime": "2025-06-01T11:50:00.123456Z",
                   "reportingComponent": "node-controller", "reportingInstance": "", "type": "Normal"}),
            json!({"metadata": meta("series.17f3a1b2c3d4e600", 3600), "involvedObject": involved("Pod", "flaky", None), "reason": "Unhealthy",
                   "message": "Readiness probe failed: HTTP probe failed with statuscode: 503", "eventTime": "2025-06-01T11:00:00.000000Z",
                   "series": {"count": 42, "lastObservedTime": "2025-06-01T11:59:15.000000Z"},
                   "reportingComponent": "kubelet", "reportingInstance": "node-2", "type": "Warning"}),
            json!({"metadata": {"name": "noname.1", "namespace": "default"}, "involvedObject": {"kind": "ClusterRole"}, "reason": "Odd",
                   "message": "  padded  ", "count": 0}),
        ],
        expect![[r#"
            LAST SEEN | TYPE | REASON | OBJECT | SUBOBJECT* | SOURCE* | MESSAGE | FIRST SEEN* | COUNT* | NAME*
            2m | Normal | Scheduled | pod/nginx | "" | default-scheduler | Successfully assigned default/nginx to node-1 | 2m | int(1) | nginx.17f3a1b2c3d4e5f6
            12s | Warning | BackOff | pod/nginx | spec.containers{nginx} | kubelet, node-1 | Back-off restarting failed container nginx in pod nginx_default(1234) | 115s | int(7) | nginx.17f3a1b2c3d4e5f7
            30s | Normal | ScalingReplicaSet | deployment/web | "" | deployment-controller | Scaled up replica set web-5d9c7b8f4 from 0 to 3 | 30s | int(1) | web.17f3a1b2c3d4e5f8
            9m59s | Normal | RegisteredNode | node/node-1 | "" | node-controller | Node node-1 event: Registered Node node-1 in Controller | 9m59s | int(1) | node-1.17f3a1b2c3d4e5f9
            45s | Warning | Unhealthy | pod/flaky | "" | kubelet, node-2 | Readiness probe failed: HTTP probe failed with statuscode: 503 | 60m | int(42) | series.17f3a1b2c3d4e600
            <unknown> | "" | Odd | clusterrole | "" | "" | padded | <unknown> | int(1) | noname.1
        "#]],
    );
}

#[test]
fn namespaces_service_accounts_config_maps_leases() {
    check(
        Kind::Namespace,
        vec![
            json!({"metadata": {"name": "default", "creationTimestamp": ago(86400 * 400)}, "status": {"phase": "Active"}}),
            json!({"metadata": {"name": "going", "creationTimestamp": ago(3 * 3600 + 60), "deletionTimestamp": ago(5)}, "status": {"phase": "Terminating"}}),
            json!({"metadata": {"name": "no-status", "creationTimestamp": ago(86400 * 365 * 3)}}),
        ],
        expect![[r#"
            NAME | STATUS | AGE
            default | Active | 400d
            going | Terminating | 3h1m
            no-status | Active | 3y
        "#]],
    );
    check(
        Kind::ServiceAccount,
        vec![
            json!({"metadata": meta("default", 60)}),
            json!({"metadata": meta("builder", 60), "secrets": [{"name": "builder-token"}]}),
        ],
        expect![[r#"
            NAME | SECRETS | AGE
            default | int(0) | 60s
            builder | int(1) | 60s
        "#]],
    );
    check(
        Kind::ConfigMap,
        vec![
            json!({"metadata": meta("kube-root-ca.crt", 60), "data": {"ca.crt": "---"}}),
            json!({"metadata": meta("mixed", 60), "data": {"a": "1", "b": "2"}, "binaryData": {"c": "AAE="}}),
            json!({"metadata": meta("empty", 60)}),
        ],
        expect![[r#"
            NAME | DATA | AGE
            kube-root-ca.crt | int(1) | 60s
            mixed | int(3) | 60s
            empty | int(0) | 60s
        "#]],
    );
    check(
        Kind::Lease,
        vec![
            json!({"metadata": meta("kube-scheduler", 86400), "spec": {"holderIdentity": "control-plane_4b1c", "leaseDurationSeconds": 15}}),
            json!({"metadata": meta("released", 86400), "spec": {}}),
        ],
        expect![[r#"
            NAME | HOLDER | AGE
            kube-scheduler | control-plane_4b1c | 24h
            released | "" | 24h
        "#]],
    );
}

#[test]
fn column_definitions_carry_types_formats_and_descriptions() {
    // The JSON a client sees for `as=Table`: column metadata matters for
    // kubectl's kind prefix (the first `format: name` string column).
    let mut out = String::new();
    for kind in Kind::all() {
        let cols = columns(kind);
        let name_col = cols.iter().position(|c| c.format == "name" && c.type_ == "string");
        let undocumented: Vec<&str> = cols.iter().filter(|c| c.description.is_empty()).map(|c| c.name).collect();
        let types: Vec<String> = cols.iter().map(|c| format!("{}:{}", c.name, c.type_)).collect();
        out.push_str(&format!("{:?} name-column={:?} undocumented={:?} {}\n", kind, name_col, undocumented, types.join(",")));
    }
    expect![[r#"
        Namespace name-column=Some(0) undocumented=[] Name:string,Status:string,Age:string
        Node name-column=Some(0) undocumented=[] Name:string,Status:string,Roles:string,Age:string,Version:string,Internal-IP:string,External-IP:string,OS-Image:string,Kernel-Version:string,Container-Runtime:string
        Pod name-column=Some(0) undocumented=[] Name:string,Ready:string,Status:string,Restarts:string,Age:string,IP:string,Node:string,Nominated Node:string,Readiness Gates:string
        ReplicationController name-column=Some(0) undocumented=[] Name:string,Desired:integer,Current:integer,Ready:integer,Age:string,Containers:string,Images:string,Selector:string
        Service name-column=Some(0) undocumented=[] Name:string,Type:string,Cluster-IP:string,External-IP:string,Port(s):string,Age:string,Selector:string
        Endpoints name-column=Some(0) undocumented=[] Name:string,Endpoints:string,Age:string
        Event name-column=Some(9) undocumented=[] Last Seen:string,Type:string,Reason:string,Object:string,Subobject:string,Source:string,Message:string,First Seen:string,Count:string,Name:string
        ServiceAccount name-column=Some(0) undocumented=[] Name:string,Secrets:string,Age:string
        ConfigMap name-column=Some(0) undocumented=[] Name:string,Data:string,Age:string
        DaemonSet name-column=Some(0) undocumented=[] Name:string,Desired:integer,Current:integer,Ready:integer,Up-to-date:integer,Available:integer,Node Selector:string,Age:string,Containers:string,Images:string,Selector:string
        Deployment name-column=Some(0) undocumented=[] Name:string,Ready:string,Up-to-date:string,Available:string,Age:string,Containers:string,Images:string,Selector:string
        ReplicaSet name-column=Some(0) undocumented=[] Name:string,Desired:integer,Current:integer,Ready:integer,Age:string,Containers:string,Images:string,Selector:string
        EndpointSlice name-column=Some(0) undocumented=[] Name:string,AddressType:string,Ports:string,Endpoints:string,Age:string
        Lease name-column=Some(0) undocumented=[] Name:string,Holder:string,Age:string
        Ingress name-column=Some(0) undocumented=[] Name:string,Class:string,Hosts:string,Address:string,Ports:string,Age:string
        IngressClass name-column=Some(0) undocumented=[] Name:string,Controller:string,Parameters:string,Age:string
    "#]]
    .assert_eq(&out);
}

#[test]
fn label_selector_formatting() {
    use super::{format_label_selector, label_selector_string};
    use apimachinery::k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
    let cases = [
        json!(null),
        json!({}),
        json!({"matchLabels": {"b": "2", "a": "1"}}),
        json!({"matchExpressions": [{"key": "x", "operator": "NotIn", "values": ["z", "y"]}, {"key": "w", "operator": "Exists"}]}),
        json!({"matchExpressions": [{"key": "x", "operator": "In", "values": []}]}),
        json!({"matchExpressions": [{"key": "x", "operator": "Exists", "values": ["a"]}]}),
        json!({"matchExpressions": [{"key": "x", "operator": "Bogus"}]}),
    ];
    let mut out = String::new();
    for case in cases {
        let selector: Option<LabelSelector> = serde_json::from_value(case.clone()).expect("selector decodes");
        let plain = label_selector_string(selector.as_ref()).unwrap_or_else(|_| "<invalid>".to_string());
        out.push_str(&format!("{case} => {:?} / {:?}\n", plain, format_label_selector(selector.as_ref())));
    }
    expect![[r#"
        null => "" / "<none>"
        {} => "" / "<none>"
        {"matchLabels":{"a":"1","b":"2"}} => "a=1,b=2" / "a=1,b=2"
        {"matchExpressions":[{"key":"x","operator":"NotIn","values":["z","y"]},{"key":"w","operator":"Exists"}]} => "w,x notin (y,z)" / "w,x notin (y,z)"
        {"matchExpressions":[{"key":"x","operator":"In","values":[]}]} => "<invalid>" / "<error>"
        {"matchExpressions":[{"key":"x","operator":"Exists","values":["a"]}]} => "<invalid>" / "<error>"
        {"matchExpressions":[{"key":"x","operator":"Bogus"}]} => "<invalid>" / "<error>"
    "#]]
    .assert_eq(&out);
}

#[test]
fn table_json_keeps_cell_types() {
    let objects = vec![decode(Kind::ConfigMap, json!({"metadata": meta("settings", 42), "data": {"a": "1"}}))];
    let value = print_table(Kind::ConfigMap, &objects, now()).to_value();
    let columns: Vec<String> = value["columnDefinitions"]
        .as_array()
        .expect("columns")
        .iter()
        .map(|c| format!("{} {} {:?} {}", c["name"], c["type"], c["format"].as_str(), c["priority"]))
        .collect();
    expect![[r#"
        [
            "\"Name\" \"string\" Some(\"name\") 0",
            "\"Data\" \"string\" Some(\"\") 0",
            "\"Age\" \"string\" Some(\"\") 0",
        ]
    "#]]
    .assert_debug_eq(&columns);
    expect![[r#"[["settings",1,"42s"]]"#]].assert_eq(&serde_json::to_string(&value["rows"].as_array().expect("rows").iter().map(|r| r["cells"].clone()).collect::<Vec<_>>()).expect("json"));
}
