//! Workload controllers: Deployment (describeDeployment with
//! pkg/util/deployment's ReplicaSet lookup), ReplicaSet, ReplicationController
//! and DaemonSet (pkg/describe/describe.go).

use super::events;
use super::pod::describe_pod_template;
use super::prefix_writer::{LEVEL_0, LEVEL_1, PrefixWriter};
use super::{Settings, controlled_by, print_annotations_multiline, print_labels_multiline, rfc1123z};
use apimachinery::k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet};
use apimachinery::k8s_openapi::api::core::v1::{Pod, PodTemplateSpec, ReplicationController};
use apimachinery::k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use apimachinery::selector::Selector;
use apimachinery::{Kind, Object, meta};
use apiserver::ApiServer;
use apiserver::printers::{format_label_selector, format_labels, label_selector_string};
use serde_json::Value;

const POD_TEMPLATE_HASH: &str = "pod-template-hash";

/// The `Type \tStatus\tReason` conditions table of Deployment, ReplicaSet
/// and ReplicationController.
fn print_conditions(w: &mut PrefixWriter, rows: &[(String, String, String)]) {
    if rows.is_empty() {
        return;
    }
    w.write(LEVEL_0, "Conditions:\n  Type\tStatus\tReason\n");
    w.write(LEVEL_1, "----\t------\t------\n");
    for (t, s, r) in rows {
        w.write(LEVEL_1, &format!("{t} \t{s}\t{r}\n"));
    }
}

/// getPodStatusForController: phases of the pods the selector matches and
/// whose controller is `uid`.
fn pod_status_counts(api: &ApiServer, namespace: &str, selector: &Selector, uid: &str) -> (usize, usize, usize, usize) {
    let (mut running, mut waiting, mut succeeded, mut failed) = (0, 0, 0, 0);
    let pods = api.list(Kind::Pod, Some(namespace), selector, &[]).map(|l| l.items).unwrap_or_default();
    for o in &pods {
        let Some(pod) = o.as_typed::<Pod>() else { continue };
        if meta::controller_of(&pod.metadata).is_none_or(|r| r.uid != uid) {
            continue;
        }
        match pod.status.as_ref().and_then(|s| s.phase.as_deref()) {
            Some("Running") => running += 1,
            Some("Pending") => waiting += 1,
            Some("Succeeded") => succeeded += 1,
            Some("Failed") => failed += 1,
            _ => {}
        }
    }
    (running, waiting, succeeded, failed)
}

fn int_or_string(v: Option<&IntOrString>) -> String {
    match v {
        Some(IntOrString::Int(i)) => i.to_string(),
        Some(IntOrString::String(s)) => s.clone(),
        None => "<nil>".to_string(),
    }
}

pub fn describe_deployment(api: &ApiServer, d: &Deployment, settings: &Settings) -> String {
    let m = &d.metadata;
    let namespace = m.namespace.as_deref().unwrap_or("");
    let spec = d.spec.clone();
    let status = d.status.clone().unwrap_or_default();
    let selector_string = label_selector_string(Some(&spec.selector)).unwrap_or_default();
    let mut w = PrefixWriter::new();
    w.write(LEVEL_0, &format!("Name:\t{}\n", m.name.as_deref().unwrap_or("")));
    w.write(LEVEL_0, &format!("Namespace:\t{namespace}\n"));
    w.write(LEVEL_0, &format!("CreationTimestamp:\t{}\n", rfc1123z(m.creation_timestamp.as_ref())));
    print_labels_multiline(&mut w, "Labels", m.labels.as_ref());
    print_annotations_multiline(&mut w, "Annotations", m.annotations.as_ref());
    w.write(LEVEL_0, &format!("Selector:\t{selector_string}\n"));
    w.write(
        LEVEL_0,
        &format!(
            "Replicas:\t{} desired | {} updated | {} total | {} available | {} unavailable\n",
            spec.replicas.unwrap_or(1),
            status.updated_replicas.unwrap_or(0),
            status.replicas.unwrap_or(0),
            status.available_replicas.unwrap_or(0),
            status.unavailable_replicas.unwrap_or(0)
        ),
    );
    let strategy = spec.strategy.clone().unwrap_or_default();
    w.write(LEVEL_0, &format!("StrategyType:\t{}\n", strategy.type_.as_deref().unwrap_or("")));
    w.write(LEVEL_0, &format!("MinReadySeconds:\t{}\n", spec.min_ready_seconds.unwrap_or(0)));
    if let Some(ru) = &strategy.rolling_update {
        w.write(
            LEVEL_0,
            &format!(
                "RollingUpdateStrategy:\t{} max unavailable, {} max surge\n",
                int_or_string(ru.max_unavailable.as_ref()),
                int_or_string(ru.max_surge.as_ref())
            ),
        );
    }
    describe_pod_template(Some(&spec.template), &mut w);
    let rows: Vec<_> = status
        .conditions
        .iter()
        .flatten()
        .map(|c| (c.type_.clone().unwrap_or_default(), c.status.clone().unwrap_or_default(), c.reason.clone().unwrap_or_default()))
        .collect();
    print_conditions(&mut w, &rows);

    let (old, new) = deployment_replica_sets(api, d);
    if !old.is_empty() || new.is_some() {
        w.write(LEVEL_0, &format!("OldReplicaSets:\t{}\n", replica_sets_string(&old)));
        w.write(LEVEL_0, &format!("NewReplicaSet:\t{}\n", replica_sets_string(&new.into_iter().collect::<Vec<_>>())));
    }
    if settings.show_events {
        let found = events::search_object(api, &Object::Deployment(d.clone()));
        events::describe(api, found, &mut w);
    }
    w.into_tabbed()
}

/// GetAllReplicaSetsInChunks: the ReplicaSets the deployment's selector
/// matches and the deployment controls, oldest first; the new one is the
/// oldest whose template equals the deployment's (ignoring the hash label),
/// the old ones are all the others, scaled to zero or not.
fn deployment_replica_sets(api: &ApiServer, d: &Deployment) -> (Vec<ReplicaSet>, Option<ReplicaSet>) {
    let namespace = d.metadata.namespace.as_deref().unwrap_or("");
    let uid = d.metadata.uid.as_deref().unwrap_or("");
    let spec = &d.spec;
    let Ok(selector) = Selector::from_label_selector(&spec.selector) else { return (vec![], None) };
    let mut owned: Vec<ReplicaSet> = api
        .list(Kind::ReplicaSet, Some(namespace), &selector, &[])
        .map(|l| l.items.iter().filter_map(|o| o.as_typed::<ReplicaSet>().cloned()).collect())
        .unwrap_or_default();
    owned.retain(|rs| meta::controller_of(&rs.metadata).is_some_and(|r| r.uid == uid));
    apimachinery::sort::sort_by(&mut owned, |a, b| {
        let ta = a.metadata.creation_timestamp.as_ref().map(|t| t.0);
        let tb = b.metadata.creation_timestamp.as_ref().map(|t| t.0);
        ta.cmp(&tb).then_with(|| a.metadata.name.cmp(&b.metadata.name))
    });
    let new_index = owned.iter().position(|rs| equal_ignore_hash(rs.spec.template.as_ref(), Some(&spec.template)));
    let new = new_index.map(|i| owned.remove(i));
    (owned, new)
}

/// equalIgnoreHash: templates semantically equal once the pod-template-hash
/// label is dropped (Semantic.DeepEqual treats nil and empty alike).
fn equal_ignore_hash(a: Option<&PodTemplateSpec>, b: Option<&PodTemplateSpec>) -> bool {
    let normal = |t: Option<&PodTemplateSpec>| {
        let mut v = serde_json::to_value(t.cloned().unwrap_or_default()).unwrap_or(Value::Null);
        if let Some(labels) = v.pointer_mut("/metadata/labels").and_then(Value::as_object_mut) {
            labels.remove(POD_TEMPLATE_HASH);
        }
        prune_empty(&mut v);
        v
    };
    normal(a) == normal(b)
}

/// Removes nulls, empty arrays and empty objects, bottom-up.
fn prune_empty(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for child in map.values_mut() {
                prune_empty(child);
            }
            map.retain(|_, c| !(c.is_null() || c.as_array().is_some_and(Vec::is_empty) || c.as_object().is_some_and(|o| o.is_empty())));
        }
        Value::Array(items) => items.iter_mut().for_each(prune_empty),
        _ => {}
    }
}

/// printReplicaSetsByLabels.
fn replica_sets_string(list: &[ReplicaSet]) -> String {
    let parts: Vec<String> = list
        .iter()
        .map(|rs| {
            format!(
                "{} ({}/{} replicas created)",
                rs.metadata.name.as_deref().unwrap_or(""),
                rs.status.as_ref().map(|s| s.replicas).unwrap_or(0),
                rs.spec.replicas.unwrap_or(1)
            )
        })
        .collect();
    if parts.is_empty() { "<none>".to_string() } else { parts.join(", ") }
}

pub fn describe_replica_set(api: &ApiServer, rs: &ReplicaSet, settings: &Settings) -> String {
    let m = &rs.metadata;
    let namespace = m.namespace.as_deref().unwrap_or("");
    let spec = rs.spec.clone();
    let status = rs.status.clone().unwrap_or_default();
    let selector = Selector::from_label_selector(&spec.selector).unwrap_or_else(|_| Selector::nothing());
    let counts = pod_status_counts(api, namespace, &selector, m.uid.as_deref().unwrap_or(""));
    let mut w = PrefixWriter::new();
    w.write(LEVEL_0, &format!("Name:\t{}\n", m.name.as_deref().unwrap_or("")));
    w.write(LEVEL_0, &format!("Namespace:\t{namespace}\n"));
    w.write(LEVEL_0, &format!("Selector:\t{}\n", format_label_selector(Some(&spec.selector))));
    print_labels_multiline(&mut w, "Labels", m.labels.as_ref());
    print_annotations_multiline(&mut w, "Annotations", m.annotations.as_ref());
    if let Some(c) = controlled_by(m) {
        w.write(LEVEL_0, &format!("Controlled By:\t{c}\n"));
    }
    w.write(LEVEL_0, &format!("Replicas:\t{} current / {} desired\n", status.replicas, spec.replicas.unwrap_or(1)));
    w.write(LEVEL_0, "Pods Status:\t");
    w.write(LEVEL_0, &format!("{} Running / {} Waiting / {} Succeeded / {} Failed\n", counts.0, counts.1, counts.2, counts.3));
    describe_pod_template(Some(&spec.template.clone().unwrap_or_default()), &mut w);
    let rows: Vec<_> = status
        .conditions
        .iter()
        .flatten()
        .map(|c| (c.type_.clone().unwrap_or_default(), c.status.clone().unwrap_or_default(), c.reason.clone().unwrap_or_default()))
        .collect();
    print_conditions(&mut w, &rows);
    if settings.show_events {
        let found = events::search_object(api, &Object::ReplicaSet(rs.clone()));
        events::describe(api, found, &mut w);
    }
    w.into_tabbed()
}

pub fn describe_replication_controller(api: &ApiServer, rc: &ReplicationController, settings: &Settings) -> String {
    let m = &rc.metadata;
    let namespace = m.namespace.as_deref().unwrap_or("");
    let spec = rc.spec.clone().unwrap_or_default();
    let status = rc.status.clone().unwrap_or_default();
    let selector = Selector::from_map(&spec.selector.clone().unwrap_or_default());
    let counts = pod_status_counts(api, namespace, &selector, m.uid.as_deref().unwrap_or(""));
    let mut w = PrefixWriter::new();
    w.write(LEVEL_0, &format!("Name:\t{}\n", m.name.as_deref().unwrap_or("")));
    w.write(LEVEL_0, &format!("Namespace:\t{namespace}\n"));
    w.write(LEVEL_0, &format!("Selector:\t{}\n", format_labels(spec.selector.as_ref())));
    print_labels_multiline(&mut w, "Labels", m.labels.as_ref());
    print_annotations_multiline(&mut w, "Annotations", m.annotations.as_ref());
    w.write(LEVEL_0, &format!("Replicas:\t{} current / {} desired\n", status.replicas, spec.replicas.unwrap_or(1)));
    w.write(LEVEL_0, &format!("Pods Status:\t{} Running / {} Waiting / {} Succeeded / {} Failed\n", counts.0, counts.1, counts.2, counts.3));
    describe_pod_template(spec.template.as_ref(), &mut w);
    let rows: Vec<_> = status
        .conditions
        .iter()
        .flatten()
        .map(|c| (c.type_.clone(), c.status.clone(), c.reason.clone().unwrap_or_default()))
        .collect();
    print_conditions(&mut w, &rows);
    if settings.show_events {
        let found = events::search_object(api, &Object::ReplicationController(rc.clone()));
        events::describe(api, found, &mut w);
    }
    w.into_tabbed()
}

pub fn describe_daemon_set(api: &ApiServer, ds: &DaemonSet, settings: &Settings) -> String {
    let m = &ds.metadata;
    let namespace = m.namespace.as_deref().unwrap_or("");
    let spec = ds.spec.clone();
    let status = ds.status.clone().unwrap_or_default();
    let selector = Selector::from_label_selector(&spec.selector).unwrap_or_else(|_| Selector::nothing());
    let counts = pod_status_counts(api, namespace, &selector, m.uid.as_deref().unwrap_or(""));
    let mut w = PrefixWriter::new();
    w.write(LEVEL_0, &format!("Name:\t{}\n", m.name.as_deref().unwrap_or("")));
    w.write(LEVEL_0, &format!("Namespace:\t{namespace}\n"));
    w.write(LEVEL_0, &format!("Selector:\t{}\n", label_selector_string(Some(&spec.selector)).unwrap_or_default()));
    let node_selector = spec.template.spec.as_ref().and_then(|s| s.node_selector.as_ref());
    w.write(LEVEL_0, &format!("Node-Selector:\t{}\n", format_labels(node_selector)));
    print_labels_multiline(&mut w, "Labels", m.labels.as_ref());
    print_annotations_multiline(&mut w, "Annotations", m.annotations.as_ref());
    w.write(LEVEL_0, &format!("Desired Number of Nodes Scheduled: {}\n", status.desired_number_scheduled));
    w.write(LEVEL_0, &format!("Current Number of Nodes Scheduled: {}\n", status.current_number_scheduled));
    w.write(LEVEL_0, &format!("Number of Nodes Scheduled with Up-to-date Pods: {}\n", status.updated_number_scheduled.unwrap_or(0)));
    w.write(LEVEL_0, &format!("Number of Nodes Scheduled with Available Pods: {}\n", status.number_available.unwrap_or(0)));
    w.write(LEVEL_0, &format!("Number of Nodes Misscheduled: {}\n", status.number_misscheduled));
    w.write(LEVEL_0, &format!("Pods Status:\t{} Running / {} Waiting / {} Succeeded / {} Failed\n", counts.0, counts.1, counts.2, counts.3));
    describe_pod_template(Some(&spec.template), &mut w);
    if settings.show_events {
        let found = events::search_object(api, &Object::DaemonSet(ds.clone()));
        events::describe(api, found, &mut w);
    }
    w.into_tabbed()
}
