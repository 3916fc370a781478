//! Field selectors: which fields each kind supports (the registries'
//! GetAttrs / field label conversion funcs) and their values.

use apimachinery::selector::FieldRequirement;
use apimachinery::{ApiError, Kind, Object};

fn supported(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Pod => &[
            "metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
            "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName",
        ],
        Kind::Event => &[
            "metadata.name", "metadata.namespace", "involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
            "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
            "reason", "reportingComponent", "source", "type",
        ],
        Kind::Node => &["metadata.name", "spec.unschedulable"],
        Kind::Namespace => &["metadata.name", "status.phase"],
        Kind::ReplicaSet | Kind::ReplicationController => &["metadata.name", "metadata.namespace", "status.replicas"],
        _ => &["metadata.name", "metadata.namespace"],
    }
}

pub fn check_supported(kind: Kind, fields: &[FieldRequirement]) -> Result<(), ApiError> {
    for f in fields {
        if !supported(kind).contains(&f.field.as_str()) {
            return Err(ApiError::bad_request(format!("field label not supported: {}", f.field)));
        }
    }
    Ok(())
}

/// The value of a selectable field ("" when unset, as Go's zero value).
pub fn value(o: &Object, field: &str) -> String {
    let s = |x: Option<&String>| x.cloned().unwrap_or_default();
    match (o, field) {
        (_, "metadata.name") => o.name().to_string(),
        (_, "metadata.namespace") => o.namespace().to_string(),
        (Object::Pod(p), f) => {
            let spec = p.spec.as_ref();
            let status = p.status.as_ref();
            match f {
                "spec.nodeName" => s(spec.and_then(|x| x.node_name.as_ref())),
                "spec.restartPolicy" => s(spec.and_then(|x| x.restart_policy.as_ref())),
                "spec.schedulerName" => s(spec.and_then(|x| x.scheduler_name.as_ref())),
                "spec.serviceAccountName" => s(spec.and_then(|x| x.service_account_name.as_ref())),
                "spec.hostNetwork" => spec.and_then(|x| x.host_network).unwrap_or(false).to_string(),
                "status.phase" => s(status.and_then(|x| x.phase.as_ref())),
                "status.podIP" => s(status.and_then(|x| x.pod_ip.as_ref())),
                "status.nominatedNodeName" => s(status.and_then(|x| x.nominated_node_name.as_ref())),
                _ => String::new(),
            }
        }
        (Object::Event(e), f) => {
            let r = &e.involved_object;
            match f {
                "involvedObject.kind" => s(r.kind.as_ref()),
                "involvedObject.namespace" => s(r.namespace.as_ref()),
                "involvedObject.name" => s(r.name.as_ref()),
                "involvedObject.uid" => s(r.uid.as_ref()),
                "involvedObject.apiVersion" => s(r.api_version.as_ref()),
                "involvedObject.resourceVersion" => s(r.resource_version.as_ref()),
                "involvedObject.fieldPath" => s(r.field_path.as_ref()),
                "reason" => s(e.reason.as_ref()),
                "reportingComponent" => s(e.reporting_component.as_ref()),
                "source" => s(e.source.as_ref().and_then(|x| x.component.as_ref())),
                "type" => s(e.type_.as_ref()),
                _ => String::new(),
            }
        }
        (Object::Node(n), "spec.unschedulable") => n.spec.as_ref().and_then(|x| x.unschedulable).unwrap_or(false).to_string(),
        (Object::Namespace(n), "status.phase") => s(n.status.as_ref().and_then(|x| x.phase.as_ref())),
        (Object::ReplicaSet(r), "status.replicas") => r.status.as_ref().map(|x| x.replicas).unwrap_or(0).to_string(),
        (Object::ReplicationController(r), "status.replicas") => r.status.as_ref().map(|x| x.replicas).unwrap_or(0).to_string(),
        _ => String::new(),
    }
}

pub fn matches(o: &Object, fields: &[FieldRequirement]) -> bool {
    fields.iter().all(|f| (value(o, &f.field) == f.value) == f.equals)
}
