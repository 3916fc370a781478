use super::*;
use apimachinery::k8s_openapi::api::core::v1::Pod;
use apiserver::{DeleteOptions, WriteOptions};
use expect_test::{Expect, expect};
use serde_json::json;

/// One change made through the API server, or a delivery to the index.
enum Step {
    /// A pod, controlled by the object with this UID or by nobody.
    Create(&'static str, Option<&'static str>),
    /// Replace the pod's controller reference (adopt, release, move).
    SetOwner(&'static str, Option<&'static str>),
    /// Phase Running and condition Ready True.
    Ready(&'static str),
    /// A graceful delete (the pod, bound to a node, becomes terminating).
    Delete(&'static str),
    /// A delete with grace period 0 (the pod is gone).
    Remove(&'static str),
    /// Hand the index every event not yet observed, as the watch would.
    Observe,
    /// Compact the history up to the current revision.
    Compact,
}

fn owner_ref(uid: &str) -> serde_json::Value {
    json!([{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": format!("rs-{uid}"), "uid": uid, "controller": true}])
}

fn pod(api: &ApiServer, name: &str) -> Pod {
    api.get(Kind::Pod, "default", name).ok().and_then(|o| o.as_typed::<Pod>().cloned()).expect("pod exists")
}

/// An API server with the namespace `default` and its service account.
fn new_api() -> ApiServer {
    let t0: Timestamp = "2026-01-05T09:00:00Z".parse().expect("valid time");
    let mut api = ApiServer::new(7, t0, Default::default());
    let opts = WriteOptions::default();
    let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}});
    api.create(Object::from_value(Kind::Namespace, ns).expect("namespace"), &opts).expect("create namespace");
    let sa = json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": "default"}});
    api.create(Object::from_value(Kind::ServiceAccount, sa).expect("service account"), &opts).expect("create service account");
    api
}

/// The index as text: per namespace, each owner's pods then the orphans,
/// with A(ctive), T(erminating), R(eady).
fn render(index: &PodIndex) -> String {
    let mut out = String::new();
    let flags = |e: &PodEntry| format!("{}{}{}", if e.active { "A" } else { "-" }, if e.terminating { "T" } else { "-" }, if e.ready { "R" } else { "-" });
    for (ns, pods) in &index.namespaces {
        for (uid, owned) in &pods.owned {
            let names: Vec<String> = owned.pods.values().map(|e| format!("{}:{}", e.name(), flags(e))).collect();
            out += &format!("{ns} owner {uid}: {}\n", names.join(" "));
        }
        let names: Vec<String> = pods.orphans.pods.values().map(|e| format!("{}:{}", e.name(), flags(e))).collect();
        out += &format!("{ns} orphans: {}\n", names.join(" "));
    }
    out
}

/// Runs the steps, then catches the index up and checks it against a
/// fresh list of the store and against `expect`.
fn check(steps: &[Step], expect: Expect) {
    let mut api = new_api();
    let opts = WriteOptions::default();
    let mut index = PodIndex::default();
    index.catch_up(&api);
    let mut observed = api.store().revision();
    for step in steps {
        match *step {
            Step::Create(name, owner) => {
                let mut v = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
                                   "spec": {"nodeName": "node-1", "containers": [{"name": "c", "image": "nginx"}]}});
                if let Some(uid) = owner {
                    v["metadata"]["ownerReferences"] = owner_ref(uid);
                }
                api.create(Object::from_value(Kind::Pod, v).expect("pod"), &opts).expect("create pod");
            }
            Step::SetOwner(name, owner) => {
                let mut p = pod(&api, name);
                p.metadata.owner_references = owner.map(|uid| serde_json::from_value(owner_ref(uid)).expect("owner reference"));
                api.update(Object::Pod(p), &opts).expect("update pod");
            }
            Step::Ready(name) => {
                let mut p = pod(&api, name);
                let now = api.now_time();
                let st = p.status.get_or_insert_with(Default::default);
                st.phase = Some("Running".into());
                apiserver::registry::pod::set_condition(st, "Ready", "True", None, None, now);
                api.update_status(Object::Pod(p)).expect("pod status");
            }
            Step::Delete(name) => {
                api.delete(Kind::Pod, "default", name, &DeleteOptions::default()).expect("delete pod");
            }
            Step::Remove(name) => {
                let opts = DeleteOptions { grace_period_seconds: Some(0), ..Default::default() };
                api.delete(Kind::Pod, "default", name, &opts).expect("delete pod");
            }
            Step::Observe => {
                let events: Vec<WatchEvent> = api.events_since(observed).expect("not compacted").cloned().collect();
                for e in &events {
                    index.observe(e);
                }
                observed = api.store().revision();
            }
            Step::Compact => {
                let revision = api.store().revision();
                api.store_mut().compact(revision);
            }
        }
    }
    index.catch_up(&api);
    let mut listed = PodIndex::default();
    listed.catch_up(&api);
    let got = render(&index);
    assert_eq!(got, render(&listed), "the index differs from a fresh list of the store");
    expect.assert_eq(&got);
    // Events delivered after a catch-up are not applied twice.
    if let Ok(events) = api.events_since(observed) {
        let events: Vec<WatchEvent> = events.cloned().collect();
        for e in &events {
            index.observe(e);
        }
    }
    assert_eq!(render(&index), got, "late events changed the index");
}

#[test]
fn observed_events_build_the_index() {
    use Step::*;
    check(
        &[Create("a", Some("u1")), Create("b", None), Create("c", Some("u2")), Ready("a"), Delete("c"), Observe],
        expect![[r#"
            default owner u1: a:A-R
            default owner u2: c:-T-
            default orphans: b:A--
        "#]],
    );
}

#[test]
fn catch_up_applies_writes_not_yet_observed() {
    use Step::*;
    // Adopt, release and remove after the last delivery: a sync must see them.
    check(
        &[Create("a", Some("u1")), Create("b", None), Create("c", Some("u1")), Observe, SetOwner("b", Some("u1")), SetOwner("a", None), Remove("c")],
        expect![[r#"
            default owner u1: b:A--
            default orphans: a:A--
        "#]],
    );
}

#[test]
fn compacted_history_relists() {
    use Step::*;
    check(
        &[Create("a", Some("u1")), Observe, Create("b", Some("u2")), Remove("a"), Compact],
        expect![[r#"
            default owner u2: b:A--
            default orphans: 
        "#]],
    );
}

#[test]
fn emptied_namespace_keeps_its_change_revision() {
    let mut api = new_api();
    let opts = WriteOptions::default();
    let mut index = PodIndex::default();
    index.catch_up(&api);
    let before = index.changed_at("default");
    let v = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a", "namespace": "default"}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}});
    api.create(Object::from_value(Kind::Pod, v).expect("pod"), &opts).expect("create pod");
    api.delete(Kind::Pod, "default", "a", &DeleteOptions { grace_period_seconds: Some(0), ..Default::default() }).expect("delete pod");
    index.catch_up(&api);
    assert!(index.is_empty());
    assert!(index.changed_at("default") > before, "a pod came and went: the namespace changed");
    assert_eq!(index.changed_at("other"), before);
}

#[test]
fn an_owner_index_holds_only_tracked_owners_and_relists_for_a_new_one() {
    let mut api = new_api();
    let opts = WriteOptions::default();
    let create = |api: &mut ApiServer, name: &str, owner: Option<&str>| {
        let mut v = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
                           "spec": {"nodeName": "node-1", "containers": [{"name": "c", "image": "nginx"}]}});
        if let Some(uid) = owner {
            v["metadata"]["ownerReferences"] = owner_ref(uid);
        }
        api.create(Object::from_value(Kind::Pod, v).expect("pod"), &opts).expect("create pod");
    };
    let mut index = PodIndex::for_owners();
    index.track_owner("u1");
    create(&mut api, "a", Some("u1"));
    create(&mut api, "b", Some("u2"));
    create(&mut api, "c", None);
    index.catch_up(&api);
    expect![[r#"
        default owner u1: a:A--
        default orphans: 
    "#]]
    .assert_eq(&render(&index));
    // Pods that named u2 before it was tracked are found.
    index.track_owner("u2");
    index.catch_up(&api);
    expect![[r#"
        default owner u1: a:A--
        default owner u2: b:A--
        default orphans: 
    "#]]
    .assert_eq(&render(&index));
    index.untrack_owner("u1");
    expect![[r#"
        default owner u2: b:A--
        default orphans: 
    "#]]
    .assert_eq(&render(&index));
}
