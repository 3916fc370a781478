use super::*;
use crate::deployment::util as du;
use expect_test::expect;

fn rs_manifest(name: &str, replicas: i32) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}
    })
}

fn pods_of(h: &Harness, prefix: &str) -> Vec<String> {
    h.names(Kind::Pod, "default").into_iter().filter(|n| n.starts_with(prefix)).collect()
}

fn deployment_events(h: &Harness) -> Vec<String> {
    h.events.iter().filter(|e| e.contains(" Deployment/")).cloned().collect()
}

fn rs_names(h: &Harness) -> Vec<String> {
    h.names(Kind::ReplicaSet, "default")
}

#[test]
fn replicaset_creates_pods_and_replaces_a_deleted_one() {
    let mut h = Harness::new();
    h.create(rs_manifest("web", 3));
    h.settle();
    let pods = pods_of(&h, "web-");
    assert_eq!(pods.len(), 3);
    for p in &pods {
        assert_eq!(p.len(), "web-".len() + 5, "{p}");
        assert!(p["web-".len()..].bytes().all(|b| apimachinery::names::SUFFIX_ALPHABET.contains(&b)), "{p}");
    }
    let creates: Vec<String> = h.take_events().into_iter().filter(|e| e.starts_with("SuccessfulCreate")).collect();
    assert_eq!(creates.len(), 3);
    for (e, p) in creates.iter().zip(&pods) {
        assert!(e.starts_with("SuccessfulCreate ReplicaSet/web: Created pod: web-"), "{e} {p}");
    }
    let status = h.json(Kind::ReplicaSet, "default", "web")["status"].clone();
    assert_eq!(status, json!({"replicas": 3, "fullyLabeledReplicas": 3, "readyReplicas": 3, "availableReplicas": 3, "observedGeneration": 1, "terminatingReplicas": 0}));
    // A deleted pod is replaced.
    h.delete(Kind::Pod, "default", &pods[0], None);
    h.settle();
    let after = pods_of(&h, "web-");
    assert_eq!(after.len(), 3);
    assert!(!after.contains(&pods[0]));
    let ev = h.take_events();
    assert!(ev.iter().any(|e| e.starts_with("SuccessfulCreate ReplicaSet/web: Created pod: web-")), "{ev:?}");
    // Scale down deletes with SuccessfulDelete.
    h.patch(Kind::ReplicaSet, "web", json!({"spec": {"replicas": 1}}));
    h.settle();
    assert_eq!(pods_of(&h, "web-").len(), 1);
    let deletes = h.take_events().into_iter().filter(|e| e.starts_with("SuccessfulDelete ReplicaSet/web: Deleted pod: web-")).count();
    assert_eq!(deletes, 2);
}

#[test]
fn replicaset_creates_in_slow_start_batches_and_burst_limit() {
    let mut h = Harness::new();
    h.auto_ready = false;
    h.create(rs_manifest("big", 1200));
    // One sync: at most BURST_REPLICAS pods.
    h.deliver();
    h.cm.run(&mut h.api);
    assert_eq!(pods_of(&h, "big-").len(), 500);
    h.settle();
    assert_eq!(pods_of(&h, "big-").len(), 1200);
}

#[test]
fn deployment_creates_rs_with_hash_name_and_annotations() {
    let mut h = Harness::new();
    h.create(deployment("nginx", 3, "nginx:1.25"));
    h.settle();
    let rss = rs_names(&h);
    assert_eq!(rss.len(), 1);
    let rs = h.json(Kind::ReplicaSet, "default", &rss[0]);
    let hash = rs["metadata"]["labels"]["pod-template-hash"].as_str().unwrap_or("").to_string();
    assert_eq!(rss[0], format!("nginx-{hash}"));
    assert!(!hash.is_empty() && hash.chars().all(|c| "456789bcdf".contains(c)), "{hash}");
    assert_eq!(rs["metadata"]["annotations"], json!({"deployment.kubernetes.io/desired-replicas": "3", "deployment.kubernetes.io/max-replicas": "4", "deployment.kubernetes.io/revision": "1"}));
    assert_eq!(rs["spec"]["selector"], json!({"matchLabels": {"app": "nginx", "pod-template-hash": hash}}));
    assert_eq!(rs["metadata"]["ownerReferences"][0]["kind"], "Deployment");
    assert_eq!(deployment_events(&h), vec![format!("ScalingReplicaSet Deployment/nginx: Scaled up replica set nginx-{hash} from 0 to 3")]);
    let d = h.json(Kind::Deployment, "default", "nginx");
    assert_eq!(d["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "1");
    let st = &d["status"];
    assert_eq!((st["replicas"].clone(), st["updatedReplicas"].clone(), st["readyReplicas"].clone(), st["availableReplicas"].clone()), (json!(3), json!(3), json!(3), json!(3)));
    let conds: Vec<(String, String, String, String)> = st["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| (c["type"].as_str().unwrap_or("").into(), c["status"].as_str().unwrap_or("").into(), c["reason"].as_str().unwrap_or("").into(), c["message"].as_str().unwrap_or("").into()))
        .collect();
    assert_eq!(
        conds,
        vec![
            ("Available".into(), "True".into(), "MinimumReplicasAvailable".into(), "Deployment has minimum availability.".into()),
            ("Progressing".into(), "True".into(), "NewReplicaSetAvailable".into(), format!("ReplicaSet \"nginx-{hash}\" has successfully progressed.")),
        ]
    );
    for p in pods_of(&h, "nginx-") {
        assert!(p.starts_with(&format!("nginx-{hash}-")), "{p}");
    }
}

#[test]
fn deployment_rolling_update_event_sequence_and_revisions() {
    let mut h = Harness::new();
    h.create(deployment("nginx", 3, "nginx:1.25"));
    h.settle();
    let old_rs = rs_names(&h)[0].clone();
    h.take_events();
    h.events.clear();
    h.patch(Kind::Deployment, "nginx", json!({"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "nginx:1.26"}]}}}}));
    h.settle();
    let new_rs = rs_names(&h).into_iter().find(|n| *n != old_rs).expect("a new RS");
    let want: Vec<String> = [
        format!("Scaled up replica set {new_rs} from 0 to 1"),
        format!("Scaled down replica set {old_rs} from 3 to 2"),
        format!("Scaled up replica set {new_rs} from 1 to 2"),
        format!("Scaled down replica set {old_rs} from 2 to 1"),
        format!("Scaled up replica set {new_rs} from 2 to 3"),
        format!("Scaled down replica set {old_rs} from 1 to 0"),
    ]
    .iter()
    .map(|m| format!("ScalingReplicaSet Deployment/nginx: {m}"))
    .collect();
    assert_eq!(deployment_events(&h), want);
    let ann = |h: &Harness, n: &str| h.json(Kind::ReplicaSet, "default", n)["metadata"]["annotations"]["deployment.kubernetes.io/revision"].clone();
    assert_eq!(ann(&h, &old_rs), json!("1"));
    assert_eq!(ann(&h, &new_rs), json!("2"));
    assert_eq!(h.json(Kind::Deployment, "default", "nginx")["metadata"]["annotations"]["deployment.kubernetes.io/revision"], json!("2"));
    assert_eq!(pods_of(&h, &new_rs).len(), 3);
    assert_eq!(pods_of(&h, &old_rs).len(), 0);

    // Rollback (what `kubectl rollout undo` sends): the old template returns,
    // its RS becomes the new one with revision 3 and history "1".
    let old_template = h.json(Kind::ReplicaSet, "default", &old_rs)["spec"]["template"].clone();
    let mut template = old_template.clone();
    if let Some(l) = template["metadata"]["labels"].as_object_mut() {
        l.remove("pod-template-hash");
    }
    h.api
        .patch(Kind::Deployment, "default", "nginx", PatchType::Json, &json!([{"op": "replace", "path": "/spec/template", "value": template}]), false, &WriteOptions::default())
        .expect("undo patch");
    h.events.clear();
    h.settle();
    assert_eq!(ann(&h, &old_rs), json!("3"));
    assert_eq!(h.json(Kind::ReplicaSet, "default", &old_rs)["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"], json!("1"));
    assert_eq!(h.json(Kind::Deployment, "default", "nginx")["metadata"]["annotations"]["deployment.kubernetes.io/revision"], json!("3"));
    assert_eq!(deployment_events(&h)[0], format!("ScalingReplicaSet Deployment/nginx: Scaled up replica set {old_rs} from 0 to 1"));
    assert_eq!(pods_of(&h, &old_rs).len(), 3);
}

#[test]
fn deployment_scales_up_and_down() {
    let mut h = Harness::new();
    h.create(deployment("web", 3, "nginx"));
    h.settle();
    let rs = rs_names(&h)[0].clone();
    h.events.clear();
    h.patch(Kind::Deployment, "web", json!({"spec": {"replicas": 5}}));
    h.settle();
    h.patch(Kind::Deployment, "web", json!({"spec": {"replicas": 1}}));
    h.settle();
    assert_eq!(
        deployment_events(&h),
        vec![
            format!("ScalingReplicaSet Deployment/web: Scaled up replica set {rs} from 3 to 5"),
            format!("ScalingReplicaSet Deployment/web: Scaled down replica set {rs} from 5 to 1"),
        ]
    );
    let a = h.json(Kind::ReplicaSet, "default", &rs)["metadata"]["annotations"].clone();
    assert_eq!((a[du::DESIRED_REPLICAS].clone(), a[du::MAX_REPLICAS].clone()), (json!("1"), json!("2")));
    assert_eq!(pods_of(&h, &rs).len(), 1);
}

#[test]
fn deployment_recreate_scales_old_to_zero_first() {
    let mut h = Harness::new();
    let mut d = deployment("db", 2, "postgres:16");
    d["spec"]["strategy"] = json!({"type": "Recreate"});
    h.create(d);
    h.settle();
    let old_rs = rs_names(&h)[0].clone();
    h.events.clear();
    h.patch(Kind::Deployment, "db", json!({"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "postgres:17"}]}}}}));
    h.settle();
    let new_rs = rs_names(&h).into_iter().find(|n| *n != old_rs).expect("new RS");
    assert_eq!(
        deployment_events(&h),
        vec![
            format!("ScalingReplicaSet Deployment/db: Scaled down replica set {old_rs} from 2 to 0"),
            format!("ScalingReplicaSet Deployment/db: Scaled up replica set {new_rs} from 0 to 2"),
        ]
    );
}

#[test]
fn replication_controller_uses_its_selector() {
    let mut h = Harness::new();
    h.create(json!({
        "apiVersion": "v1", "kind": "ReplicationController",
        "metadata": {"name": "legacy", "namespace": "default"},
        "spec": {"replicas": 2, "selector": {"app": "legacy"},
                 "template": {"metadata": {"labels": {"app": "legacy", "tier": "x"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}
    }));
    h.settle();
    let pods = pods_of(&h, "legacy-");
    assert_eq!(pods.len(), 2);
    let p = h.json(Kind::Pod, "default", &pods[0]);
    assert_eq!(p["metadata"]["ownerReferences"][0]["kind"], "ReplicationController");
    assert_eq!(p["metadata"]["ownerReferences"][0]["apiVersion"], "v1");
    assert!(h.events.iter().any(|e| e.starts_with("SuccessfulCreate ReplicationController/legacy: Created pod: legacy-")));
    assert_eq!(h.json(Kind::ReplicationController, "default", "legacy")["status"]["readyReplicas"], json!(2));
}

#[test]
fn a_thousand_replicas_reconcile_quickly() {
    let mut h = Harness::new();
    h.create(deployment("big", 1000, "nginx"));
    h.settle();
    assert_eq!(pods_of(&h, "big-").len(), 1000);
    assert_eq!(h.json(Kind::Deployment, "default", "big")["status"]["availableReplicas"], json!(1000));
    // A bounded number of syncs, not one per pod per pod.
    assert!(h.cm.syncs < 5000, "{} syncs", h.cm.syncs);
    let _ = expect![[""]];
}

#[test]
fn garbage_collector_deletes_pods_of_a_deleted_replicaset() {
    let mut h = Harness::new();
    h.create(rs_manifest("web", 2));
    h.settle();
    assert_eq!(pods_of(&h, "web-").len(), 2);
    h.delete(Kind::ReplicaSet, "default", "web", Some(Propagation::Background));
    h.settle();
    assert_eq!(pods_of(&h, "web-"), Vec::<String>::new());
}

#[test]
fn garbage_collector_foreground_and_orphan() {
    let mut h = Harness::new();
    h.create(deployment("fg", 2, "nginx"));
    h.settle();
    // Foreground: the deployment stays until its RS and pods are gone.
    h.auto_terminate = false;
    h.delete(Kind::Deployment, "default", "fg", Some(Propagation::Foreground));
    h.settle();
    let d = h.json(Kind::Deployment, "default", "fg");
    assert_eq!(d["metadata"]["finalizers"], json!(["foregroundDeletion"]));
    assert_eq!(pods_of(&h, "fg-").len(), 2, "pods terminating");
    h.auto_terminate = true;
    h.settle();
    assert!(h.get(Kind::Deployment, "default", "fg").is_none());
    assert_eq!(rs_names(&h), Vec::<String>::new());
    assert_eq!(pods_of(&h, "fg-"), Vec::<String>::new());

    // Orphan: the RS goes, its pods stay without an owner.
    h.create(rs_manifest("orph", 2));
    h.settle();
    h.delete(Kind::ReplicaSet, "default", "orph", Some(Propagation::Orphan));
    h.settle();
    assert!(h.get(Kind::ReplicaSet, "default", "orph").is_none());
    let pods = pods_of(&h, "orph-");
    assert_eq!(pods.len(), 2);
    for p in pods {
        assert_eq!(h.json(Kind::Pod, "default", &p)["metadata"]["ownerReferences"], Value::Null);
    }
    // A new RS with the same selector adopts them.
    h.create(rs_manifest("orph", 2));
    h.settle();
    assert_eq!(pods_of(&h, "orph-").len(), 2);
    let p = pods_of(&h, "orph-")[0].clone();
    assert_eq!(h.json(Kind::Pod, "default", &p)["metadata"]["ownerReferences"][0]["name"], "orph");
}

#[test]
fn namespace_deletion_removes_content_and_finalizes() {
    let mut h = Harness::new();
    h.create(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "doomed"}}));
    h.settle();
    assert!(h.get(Kind::ServiceAccount, "doomed", "default").is_some());
    let cm = h.json(Kind::ConfigMap, "doomed", "kube-root-ca.crt");
    assert!(cm["data"]["ca.crt"].as_str().unwrap_or("").starts_with("-----BEGIN CERTIFICATE-----\nMIIDETCCAfmgAwIBAgII"), "{cm}");
    let mut d = deployment("app", 2, "nginx");
    d["metadata"]["namespace"] = json!("doomed");
    h.create(d);
    h.settle();
    assert_eq!(h.names(Kind::Pod, "doomed").len(), 2);
    h.auto_terminate = false;
    h.delete(Kind::Namespace, "", "doomed", None);
    h.settle();
    let ns = h.json(Kind::Namespace, "", "doomed");
    assert_eq!(ns["status"]["phase"], "Terminating");
    let conds: Vec<String> = ns["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| format!("{} {} {} {}", c["type"].as_str().unwrap_or(""), c["status"].as_str().unwrap_or(""), c["reason"].as_str().unwrap_or(""), c["message"].as_str().unwrap_or("")))
        .collect();
    expect![[r#"
        [
            "NamespaceDeletionDiscoveryFailure False ResourcesDiscovered All resources successfully discovered",
            "NamespaceDeletionGroupVersionParsingFailure False ParsedGroupVersions All legacy kube types successfully parsed",
            "NamespaceDeletionContentFailure False ContentDeleted All content successfully deleted, may be waiting on finalization",
            "NamespaceContentRemaining True SomeResourcesRemain Some resources are remaining: pods. has 2 resource instances",
            "NamespaceFinalizersRemaining False ContentHasNoFinalizers All content-preserving finalizers finished",
        ]
    "#]]
    .assert_debug_eq(&conds);
    assert_eq!(h.names(Kind::Deployment, "doomed"), Vec::<String>::new());
    h.auto_terminate = true;
    h.settle();
    assert!(h.get(Kind::Namespace, "", "doomed").is_some(), "the controller only looks again after its estimate");
    h.advance(16);
    assert!(h.get(Kind::Namespace, "", "doomed").is_none());
    assert_eq!(h.names(Kind::Pod, "doomed"), Vec::<String>::new());
}

fn daemonset(name: &str) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "c", "image": "fluentd"}]}}}
    })
}

#[test]
fn daemonset_runs_one_pod_per_eligible_node() {
    let mut h = Harness::new();
    for n in ["cp", "w1", "w2"] {
        h.add_node(n);
    }
    // The control plane is tainted; the DaemonSet does not tolerate it.
    let cp = h.api.get(Kind::Node, "", "cp").expect("cp");
    let Object::Node(mut cpn) = (*cp).clone() else { unreachable!() };
    cpn.spec.get_or_insert_with(Default::default).taints = Some(vec![apimachinery::k8s_openapi::api::core::v1::Taint {
        key: "node-role.kubernetes.io/control-plane".into(),
        effect: "NoSchedule".into(),
        ..Default::default()
    }]);
    h.api.update(Object::Node(cpn), &WriteOptions::default()).expect("taint");
    h.settle();
    h.create(daemonset("logs"));
    h.settle();
    let pods = pods_of(&h, "logs-");
    assert_eq!(pods.len(), 2);
    let mut nodes: Vec<String> = pods.iter().map(|p| h.json(Kind::Pod, "default", p)["spec"]["nodeName"].as_str().unwrap_or("").to_string()).collect();
    nodes.sort();
    assert_eq!(nodes, vec!["w1", "w2"]);
    let p = h.json(Kind::Pod, "default", &pods[0]);
    assert_eq!(p["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"][0]["matchFields"][0]["key"], "metadata.name");
    let tolerations: Vec<String> = p["spec"]["tolerations"].as_array().into_iter().flatten().map(|t| format!("{}:{}", t["key"].as_str().unwrap_or(""), t["effect"].as_str().unwrap_or(""))).collect();
    expect![[r#"
        [
            "node.kubernetes.io/not-ready:NoExecute",
            "node.kubernetes.io/unreachable:NoExecute",
            "node.kubernetes.io/disk-pressure:NoSchedule",
            "node.kubernetes.io/memory-pressure:NoSchedule",
            "node.kubernetes.io/pid-pressure:NoSchedule",
            "node.kubernetes.io/unschedulable:NoSchedule",
        ]
    "#]]
    .assert_debug_eq(&tolerations);
    assert!(p["metadata"]["labels"]["controller-revision-hash"].is_string());
    assert_eq!(p["metadata"]["labels"]["pod-template-generation"], "1");
    assert_eq!(h.events.iter().filter(|e| e.starts_with("SuccessfulCreate DaemonSet/logs: Created pod: logs-")).count(), 2);
    let st = h.json(Kind::DaemonSet, "default", "logs")["status"].clone();
    assert_eq!(st, json!({"currentNumberScheduled": 2, "desiredNumberScheduled": 2, "numberAvailable": 2, "numberMisscheduled": 0, "numberReady": 2, "observedGeneration": 1, "updatedNumberScheduled": 2}));
    // A new node gets a pod; a template change rolls pods one at a time.
    h.add_node("w3");
    h.settle();
    assert_eq!(pods_of(&h, "logs-").len(), 3);
    h.events.clear();
    h.patch(Kind::DaemonSet, "logs", json!({"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "fluentd:2"}]}}}}));
    h.settle();
    let pods = pods_of(&h, "logs-");
    assert_eq!(pods.len(), 3);
    for p in &pods {
        assert_eq!(h.json(Kind::Pod, "default", p)["spec"]["containers"][0]["image"], "fluentd:2");
    }
    let kinds: Vec<&str> = h.events.iter().filter(|e| e.contains("DaemonSet/logs")).map(|e| e.split(' ').next().unwrap_or("")).collect();
    assert_eq!(kinds, vec!["SuccessfulDelete", "SuccessfulCreate", "SuccessfulDelete", "SuccessfulCreate", "SuccessfulDelete", "SuccessfulCreate"]);
}

#[test]
fn node_heartbeat_loss_marks_unknown_taints_and_evicts() {
    let mut h = Harness::new();
    h.add_node("w1");
    h.create(rs_manifest("web", 1));
    h.create(daemonset("agent"));
    h.settle();
    assert!(h.events.iter().any(|e| e == "RegisteredNode Node/w1: Node w1 event: Registered Node w1 in Controller"), "{:?}", h.events);
    let web_pod = pods_of(&h, "web-")[0].clone();
    h.auto_ready = false;
    h.advance(49);
    assert_eq!(h.json(Kind::Node, "", "w1")["spec"]["taints"], Value::Null, "within the grace period");
    h.advance(10);
    let node = h.json(Kind::Node, "", "w1");
    let ready = node["status"]["conditions"].as_array().into_iter().flatten().find(|c| c["type"] == "Ready").cloned().unwrap_or(Value::Null);
    assert_eq!((ready["status"].clone(), ready["reason"].clone(), ready["message"].clone()), (json!("Unknown"), json!("NodeStatusUnknown"), json!("Kubelet stopped posting node status.")));
    let taints: Vec<String> = node["spec"]["taints"].as_array().into_iter().flatten().map(|t| format!("{}:{}", t["key"].as_str().unwrap_or(""), t["effect"].as_str().unwrap_or(""))).collect();
    assert_eq!(taints, vec!["node.kubernetes.io/unreachable:NoExecute", "node.kubernetes.io/unreachable:NoSchedule"]);
    assert!(h.events.iter().any(|e| e == "NodeNotReady Node/w1: Node w1 status is now: NodeNotReady"));
    assert_eq!(h.json(Kind::Pod, "default", &web_pod)["status"]["conditions"].as_array().into_iter().flatten().find(|c| c["type"] == "Ready").map(|c| c["status"].clone()), Some(json!("False")));
    // 300 s of toleration later the RS pod is evicted; the DaemonSet pod stays.
    h.advance(290);
    assert!(h.get(Kind::Pod, "default", &web_pod).is_some());
    h.advance(15);
    assert!(h.events.iter().any(|e| *e == format!("TaintManagerEviction Pod/{web_pod}: Marking for deletion Pod default/{web_pod}")), "{:?}", h.events);
    assert!(h.get(Kind::Pod, "default", &web_pod).is_none());
    assert_eq!(pods_of(&h, "agent-").len(), 1);
    // The kubelet comes back: the taints go.
    h.set_node_ready("w1", "True");
    h.settle();
    assert_eq!(h.json(Kind::Node, "", "w1")["spec"]["taints"], Value::Null);
}

#[test]
fn endpoints_and_endpointslices_follow_ready_pods() {
    let mut h = Harness::new();
    h.add_node("w1");
    h.create(rs_manifest("web", 2));
    h.create(json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default", "labels": {"team": "a"}},
                    "spec": {"selector": {"app": "web"}, "ports": [{"name": "http", "port": 80, "targetPort": 8080}]}}));
    h.settle();
    let ep = h.json(Kind::Endpoints, "default", "web");
    let subsets = &ep["subsets"];
    assert_eq!(subsets.as_array().map(Vec::len), Some(1));
    assert_eq!(subsets[0]["ports"], json!([{"name": "http", "port": 8080, "protocol": "TCP"}]));
    let ips: Vec<&str> = subsets[0]["addresses"].as_array().into_iter().flatten().map(|a| a["ip"].as_str().unwrap_or("")).collect();
    assert_eq!(ips.len(), 2);
    let mut sorted = ips.clone();
    sorted.sort();
    assert_eq!(ips, sorted);
    assert_eq!(ep["metadata"]["labels"], json!({"team": "a"}));
    let slices = h.names(Kind::EndpointSlice, "default");
    assert_eq!(slices.len(), 1);
    assert!(slices[0].starts_with("web-") && slices[0].len() == 9, "{slices:?}");
    let s = h.json(Kind::EndpointSlice, "default", &slices[0]);
    assert_eq!(s["metadata"]["labels"], json!({"team": "a", "kubernetes.io/service-name": "web", "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"}));
    assert_eq!(s["addressType"], "IPv4");
    assert_eq!(s["ports"], json!([{"name": "http", "port": 8080, "protocol": "TCP"}]));
    assert_eq!(s["endpoints"][0]["conditions"], json!({"ready": true, "serving": true, "terminating": false}));
    assert_eq!(s["endpoints"][0]["nodeName"], "w1");
    // Scaled to zero: Endpoints without subsets, a placeholder slice.
    h.patch(Kind::ReplicaSet, "web", json!({"spec": {"replicas": 0}}));
    h.settle();
    assert_eq!(h.json(Kind::Endpoints, "default", "web")["subsets"], Value::Null);
    let s = h.json(Kind::EndpointSlice, "default", &slices[0]);
    assert_eq!((s["endpoints"].clone(), s["ports"].clone()), (Value::Null, Value::Null));
    // The service goes: Endpoints and slices go.
    h.delete(Kind::Service, "default", "web", None);
    h.settle();
    assert!(h.get(Kind::Endpoints, "default", "web").is_none());
    assert_eq!(h.names(Kind::EndpointSlice, "default"), Vec::<String>::new());
}

#[test]
fn kubernetes_service_endpoints_point_at_the_control_plane() {
    let mut h = Harness::new();
    h.add_node("cp");
    h.create(json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "kubernetes", "namespace": "default", "labels": {"component": "apiserver", "provider": "kubernetes"}},
                    "spec": {"ports": [{"name": "https", "port": 443, "targetPort": 6443}]}}));
    h.settle();
    assert_eq!(h.json(Kind::Endpoints, "default", "kubernetes")["subsets"], json!([{"addresses": [{"ip": "172.18.0.2"}], "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}]}]));
    assert_eq!(h.json(Kind::EndpointSlice, "default", "kubernetes")["endpoints"], json!([{"addresses": ["172.18.0.2"], "conditions": {"ready": true}}]));
}

/// Same inputs, same bytes: two runs of a busy scenario end in equal stores.
#[test]
fn controllers_are_deterministic() {
    fn run() -> Vec<Value> {
        let mut h = Harness::new();
        h.add_node("w1");
        h.add_node("w2");
        h.create(deployment("web", 5, "nginx"));
        h.create(daemonset("agent"));
        h.settle();
        h.patch(Kind::Deployment, "web", json!({"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "nginx:2"}]}}}}));
        h.advance(30);
        h.api.store().all().map(|o| o.to_value()).collect()
    }
    assert_eq!(run(), run());
}

#[test]
fn min_ready_seconds_delays_availability() {
    let mut h = Harness::new();
    let mut d = deployment("slow", 2, "nginx");
    d["spec"]["minReadySeconds"] = json!(10);
    h.create(d);
    h.settle();
    let st = h.json(Kind::Deployment, "default", "slow")["status"].clone();
    assert_eq!((st["readyReplicas"].clone(), st["availableReplicas"].clone(), st["unavailableReplicas"].clone()), (json!(2), Value::Null, json!(2)));
    h.advance(9);
    assert_eq!(h.json(Kind::Deployment, "default", "slow")["status"]["availableReplicas"], Value::Null);
    h.advance(1);
    let st = h.json(Kind::Deployment, "default", "slow")["status"].clone();
    assert_eq!((st["availableReplicas"].clone(), st["unavailableReplicas"].clone()), (json!(2), Value::Null));
}

#[test]
fn progress_deadline_exceeded_when_pods_never_become_ready() {
    let mut h = Harness::new();
    h.auto_ready = false;
    let mut d = deployment("stuck", 1, "nginx");
    d["spec"]["progressDeadlineSeconds"] = json!(30);
    h.create(d);
    h.advance(29);
    let progressing = |h: &Harness| {
        h.json(Kind::Deployment, "default", "stuck")["status"]["conditions"].as_array().into_iter().flatten().find(|c| c["type"] == "Progressing").map(|c| (c["status"].clone(), c["reason"].clone(), c["message"].clone()))
    };
    // The RS reporting its (pending) pod counts as progress.
    assert_eq!(progressing(&h).map(|p| p.1), Some(json!("ReplicaSetUpdated")));
    h.advance(5);
    let rs = rs_names(&h)[0].clone();
    assert_eq!(progressing(&h), Some((json!("False"), json!("ProgressDeadlineExceeded"), json!(format!("ReplicaSet \"{rs}\" has timed out progressing.")))));
}

#[test]
fn change_cause_is_copied_and_history_is_limited() {
    let mut h = Harness::new();
    let mut d = deployment("hist", 1, "nginx:1");
    d["spec"]["revisionHistoryLimit"] = json!(1);
    d["metadata"]["annotations"] = json!({"kubernetes.io/change-cause": "first"});
    h.create(d);
    h.settle();
    for (i, image) in ["nginx:2", "nginx:3"].iter().enumerate() {
        h.patch(
            Kind::Deployment,
            "hist",
            json!({"metadata": {"annotations": {"kubernetes.io/change-cause": format!("rollout {}", i + 2)}}, "spec": {"template": {"spec": {"containers": [{"name": "app", "image": image}]}}}}),
        );
        h.settle();
    }
    // Revision 1 was cleaned up; 2 (scaled to 0) and 3 (current) remain.
    let mut revs: Vec<(String, String)> = rs_names(&h)
        .iter()
        .map(|n| {
            let a = h.json(Kind::ReplicaSet, "default", n)["metadata"]["annotations"].clone();
            (a[du::REVISION].as_str().unwrap_or("").to_string(), a["kubernetes.io/change-cause"].as_str().unwrap_or("").to_string())
        })
        .collect();
    revs.sort();
    assert_eq!(revs, vec![("2".to_string(), "rollout 2".to_string()), ("3".to_string(), "rollout 3".to_string())]);
}
