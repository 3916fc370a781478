//! Scenario tests: an API server, the controller manager, and a stand-in
//! for the scheduler and kubelets (bind every pod to a node, make it
//! Running and Ready, finish graceful deletions). Each test drives the
//! cluster with API writes and the clock, and checks events and objects.

use super::*;
use apimachinery::k8s_openapi::api::core::v1::Pod;
use apimachinery::{Kind, Object, SignedDuration, Timestamp};
use apiserver::{DeleteOptions, PatchType, Propagation, WriteOptions};
use client::Component;
use serde_json::{Value, json};
use std::sync::Arc;

mod scenarios;

pub(crate) struct Harness {
    pub api: ApiServer,
    pub cm: ControllerManager,
    cursor: u64,
    /// `Reason kind/name: message` of every event recorded, in order.
    pub events: Vec<String>,
    /// The stand-in kubelet: make pods Running and Ready.
    pub auto_ready: bool,
    /// The stand-in kubelet: finish graceful deletions at once.
    pub auto_terminate: bool,
    pub nodes: Vec<String>,
    next_ip: u32,
}

pub(crate) fn t0() -> Timestamp {
    "2026-01-05T09:00:00Z".parse().expect("valid time")
}

impl Harness {
    pub fn new() -> Harness {
        let api = ApiServer::new(7, t0(), Default::default());
        let mut h = Harness { api, cm: ControllerManager::new(7, None), cursor: 0, events: vec![], auto_ready: true, auto_terminate: true, nodes: vec![], next_ip: 10 };
        h.create(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}}));
        h.settle();
        h
    }

    pub fn create(&mut self, v: Value) -> Arc<Object> {
        let kind = Kind::from_api_version_kind(v["apiVersion"].as_str().unwrap_or(""), v["kind"].as_str().unwrap_or("")).expect("known kind");
        let obj = Object::from_value(kind, v).expect("valid object");
        self.api.create(obj, &WriteOptions::default()).expect("create succeeds")
    }

    pub fn add_node(&mut self, name: &str) {
        self.create(json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}}}));
        self.set_node_ready(name, "True");
        self.nodes.push(name.to_string());
    }

    pub fn set_node_ready(&mut self, name: &str, status: &str) {
        let now = self.api.now_time();
        let node = self.api.get(Kind::Node, "", name).expect("node exists");
        let Object::Node(mut n) = (*node).clone() else { unreachable!() };
        let st = n.status.get_or_insert_with(Default::default);
        st.addresses = Some(vec![apimachinery::k8s_openapi::api::core::v1::NodeAddress { type_: "InternalIP".into(), address: format!("172.18.0.{}", 2 + self.nodes.len()) }]);
        let conds = st.conditions.get_or_insert_with(Vec::new);
        conds.retain(|c| c.type_ != "Ready");
        conds.push(apimachinery::k8s_openapi::api::core::v1::NodeCondition {
            type_: "Ready".into(),
            status: status.into(),
            reason: Some("KubeletReady".into()),
            message: Some("kubelet is posting ready status".into()),
            last_heartbeat_time: Some(now.clone()),
            last_transition_time: Some(now),
        });
        self.api.update_status(Object::Node(n)).expect("node status");
    }

    pub fn patch(&mut self, kind: Kind, name: &str, body: Value) {
        self.api.patch(kind, "default", name, PatchType::Merge, &body, false, &WriteOptions::default()).expect("patch succeeds");
    }

    pub fn delete(&mut self, kind: Kind, ns: &str, name: &str, propagation: Option<Propagation>) {
        let opts = DeleteOptions { propagation, ..Default::default() };
        self.api.delete(kind, ns, name, &opts).expect("delete succeeds");
    }

    fn deliver(&mut self) {
        let events: Vec<store::WatchEvent> = self.api.events_since(self.cursor).expect("not compacted").cloned().collect();
        if let Some(last) = events.last() {
            self.cursor = last.revision;
        }
        for e in &events {
            if let (Object::Event(ev), store::EventType::Added) = (&*e.object, e.event_type) {
                let r = &ev.involved_object;
                self.events.push(format!(
                    "{} {}/{}: {}",
                    ev.reason.clone().unwrap_or_default(),
                    r.kind.clone().unwrap_or_default(),
                    r.name.clone().unwrap_or_default(),
                    ev.message.clone().unwrap_or_default()
                ));
            }
            self.cm.observe(e);
        }
    }

    /// The scheduler and kubelets, reduced to what the controllers need.
    fn kubelet_step(&mut self) -> bool {
        let mut progressed = false;
        let pods: Vec<Pod> = crate::util::list_typed::<Pod>(&self.api, None);
        for p in pods {
            let ns = p.metadata.namespace.clone().unwrap_or_default();
            let name = p.metadata.name.clone().unwrap_or_default();
            if p.metadata.deletion_timestamp.is_some() {
                if self.auto_terminate {
                    let opts = DeleteOptions { grace_period_seconds: Some(0), ..Default::default() };
                    let _ = self.api.delete(Kind::Pod, &ns, &name, &opts);
                    progressed = true;
                }
                continue;
            }
            if !self.auto_ready || crate::util::is_pod_ready(&p) {
                continue;
            }
            let node = crate::util::pod_node(&p).to_string();
            if node.is_empty() {
                let target = self.target_node(&p);
                let Some(target) = target else { continue };
                self.api.bind(&ns, &name, &target).expect("bind");
            }
            let Ok(current) = self.api.get(Kind::Pod, &ns, &name) else { continue };
            let Object::Pod(mut pod) = (*current).clone() else { continue };
            let now = self.api.now_time();
            let st = pod.status.get_or_insert_with(Default::default);
            st.phase = Some("Running".into());
            self.next_ip += 1;
            st.pod_ip = Some(format!("10.244.{}.{}", self.next_ip / 250, self.next_ip % 250));
            apiserver::registry::pod::set_condition(st, "Ready", "True", None, None, now);
            self.api.update_status(Object::Pod(pod)).expect("pod status");
            progressed = true;
        }
        progressed
    }

    /// Where the stand-in scheduler puts a pod: the DaemonSet's node, else the first node.
    fn target_node(&self, p: &Pod) -> Option<String> {
        let aff = p.spec.as_ref().and_then(|s| s.affinity.as_ref()).and_then(|a| a.node_affinity.as_ref());
        let field = aff
            .and_then(|a| a.required_during_scheduling_ignored_during_execution.as_ref())
            .and_then(|r| r.node_selector_terms.first())
            .and_then(|t| t.match_fields.as_ref())
            .and_then(|f| f.first())
            .and_then(|r| r.values.as_ref())
            .and_then(|v| v.first())
            .cloned();
        field.or_else(|| self.nodes.first().cloned()).or_else(|| Some("node-1".to_string()))
    }

    /// Runs everything until nothing more happens at this instant.
    pub fn settle(&mut self) {
        for _ in 0..10_000 {
            self.deliver();
            let ran = self.cm.run(&mut self.api);
            self.deliver();
            let kubelet = self.kubelet_step();
            self.deliver();
            if !ran && !kubelet {
                return;
            }
        }
        panic!("did not settle");
    }

    /// Moves the clock forward, running every timer that falls due.
    pub fn advance(&mut self, secs: i64) {
        let target = self.api.now() + SignedDuration::from_secs(secs);
        self.settle();
        while let Some(t) = self.cm.next_wake().filter(|t| *t <= target) {
            let t = t.max(self.api.now() + SignedDuration::from_millis(1));
            self.api.set_now(t);
            self.settle();
        }
        self.api.set_now(target);
        self.settle();
    }

    pub fn get(&self, kind: Kind, ns: &str, name: &str) -> Option<Arc<Object>> {
        self.api.get(kind, ns, name).ok()
    }

    pub fn names(&self, kind: Kind, ns: &str) -> Vec<String> {
        self.api.store().list(kind, Some(ns)).map(|o| o.name().to_string()).collect()
    }

    /// Events recorded since the last call.
    pub fn take_events(&mut self) -> Vec<String> {
        std::mem::take(&mut self.events)
    }

    pub fn json(&self, kind: Kind, ns: &str, name: &str) -> Value {
        self.get(kind, ns, name).map(|o| o.to_value()).unwrap_or(Value::Null)
    }
}

pub(crate) fn deployment(name: &str, replicas: i32, image: &str) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "app", "image": image}]}}
        }
    })
}
