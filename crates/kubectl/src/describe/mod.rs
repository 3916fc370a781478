//! `kubectl describe` (staging/src/k8s.io/kubectl/pkg/cmd/describe/describe.go
//! for the command, pkg/describe/describe.go for the describers).
//!
//! Each describer writes through a `PrefixWriter` into one Go tabwriter per
//! object, exactly as `tabbedString` does, so alignment follows Go's column
//! block rules across the whole description. Everything client-side
//! (sorting, counting pods, formatting times and quantities) is done here
//! the way kubectl does it; the objects come from the API server.

mod events;
mod generic;
mod go_sort;
mod ingress;
mod namespace;
mod node;
mod pod;
pub mod prefix_writer;
pub mod quantity;
mod service;
mod workload;

#[cfg(test)]
mod tests;

use crate::args::Args;
use crate::builder::{self, Target};
use crate::errors::CmdError;
use crate::{Ctx, Output};
use apimachinery::k8s_openapi::api::core::v1::{PodTemplateSpec, Taint, Toleration};
use apimachinery::k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use apimachinery::k8s_openapi::jiff::tz::Offset;
use apimachinery::selector::Selector;
use apimachinery::{ApiError, Object, Reason, Timestamp};
use apiserver::ApiServer;
use prefix_writer::{LEVEL_0, PrefixWriter};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What a describer may look at besides the object (DescriberSettings).
pub struct Settings {
    pub show_events: bool,
}

pub fn run(ctx: &mut Ctx, args: &Args, rest: &[String], out: &mut Output) -> Result<(), CmdError> {
    let filenames = args.all("filename");
    if rest.is_empty() && filenames.is_empty() {
        return Err(CmdError::msg(
            "You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.",
        ));
    }
    let labels = match args.get("selector") {
        Some(s) => Selector::parse(s).map_err(|e| CmdError::msg(format!("unable to parse requirement: {e}")))?,
        None => Selector::everything(),
    };
    let all_namespaces = args.flag("all-namespaces");
    let namespace = ctx.namespace(args);
    let mut targets = builder::targets(rest)?;
    if !filenames.is_empty() {
        for m in builder::read_manifests(ctx, &filenames, args.flag("recursive"))? {
            let kind = builder::manifest_kind(&m)?;
            let name = m.value.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("").to_string();
            targets.push(Target::Named(kind, name));
        }
    }
    if args.has("selector") && targets.iter().any(|t| matches!(t, Target::Named(..))) {
        return Err(CmdError::msg("name cannot be provided when a selector is specified"));
    }

    // The builder's visit: every object, or the errors met on the way
    // (resource.Builder with ContinueOnError).
    let api = ctx.world.api();
    let mut infos: Vec<Arc<Object>> = vec![];
    let mut errors: Vec<ApiError> = vec![];
    for t in &targets {
        match t {
            Target::All(kind) => {
                let ns = if all_namespaces { None } else { Some(namespace.as_str()) };
                match api.list(*kind, ns, &labels, &[]) {
                    Ok(l) => infos.extend(l.items),
                    Err(e) => errors.push(e),
                }
            }
            Target::Named(kind, name) => match api.get(*kind, &namespace, name) {
                Ok(o) => infos.push(o),
                Err(e) => errors.push(e),
            },
        }
    }

    // --show-events defaults to true, but is turned off for several objects
    // or after an error unless it was given explicitly.
    let show_events_set = args.has("show-events");
    let show_events = if show_events_set { args.flag("show-events") } else { errors.is_empty() && infos.len() <= 1 };
    let settings = Settings { show_events };

    // `describe TYPE NAME` with no such object: describe every object of the
    // type whose name starts with NAME (DescribeMatchingResources).
    if errors.len() == 1 && errors[0].reason == Reason::NotFound && rest.len() == 2 {
        let original = errors.remove(0);
        return describe_matching(api, &rest[0], &rest[1], &namespace, &settings, original, out);
    }

    let mut first = true;
    for o in &infos {
        let s = describe_object(api, o, &settings);
        if first {
            first = false;
            out.out(&s);
        } else {
            out.out(&format!("\n\n{s}"));
        }
    }
    if infos.is_empty() && errors.is_empty() {
        if all_namespaces {
            out.errln("No resources found");
        } else {
            out.errln(&format!("No resources found in {namespace} namespace."));
        }
    }
    match errors.len() {
        0 => Ok(()),
        1 => Err(CmdError::Api(errors.remove(0))),
        _ => Err(CmdError::Many(errors.into_iter().map(CmdError::Api).collect())),
    }
}

/// DescribeMatchingResources: objects of `type_arg` whose name starts with
/// `prefix`, each description followed by one blank line.
fn describe_matching(
    api: &ApiServer,
    type_arg: &str,
    prefix: &str,
    namespace: &str,
    settings: &Settings,
    original: ApiError,
    out: &mut Output,
) -> Result<(), CmdError> {
    let mut candidates: Vec<Arc<Object>> = vec![];
    for t in builder::targets(&[type_arg.to_string()])? {
        match t {
            Target::All(kind) => candidates.extend(api.list(kind, Some(namespace), &Selector::everything(), &[])?.items),
            Target::Named(kind, name) => candidates.push(api.get(kind, namespace, &name)?),
        }
    }
    let mut found = false;
    for o in candidates.iter().filter(|o| o.name().starts_with(prefix)) {
        found = true;
        out.out(&describe_object(api, o, settings));
        out.out("\n");
    }
    if found { Ok(()) } else { Err(CmdError::Api(original)) }
}

/// The description of one object, by kind (describerMap, then the generic
/// describer for kinds kubectl has none for).
pub fn describe_object(api: &ApiServer, o: &Object, settings: &Settings) -> String {
    match o {
        Object::Pod(p) => pod::describe(api, p, settings),
        Object::Node(n) => node::describe(api, n, settings),
        Object::Namespace(n) => namespace::describe(n),
        Object::Deployment(d) => workload::describe_deployment(api, d, settings),
        Object::ReplicaSet(rs) => workload::describe_replica_set(api, rs, settings),
        Object::ReplicationController(rc) => workload::describe_replication_controller(api, rc, settings),
        Object::DaemonSet(ds) => workload::describe_daemon_set(api, ds, settings),
        Object::Service(s) => service::describe(api, s, settings),
        Object::Endpoints(e) => service::describe_endpoints(api, e, settings),
        Object::EndpointSlice(e) => service::describe_endpoint_slice(api, e, settings),
        Object::ConfigMap(c) => generic::describe_config_map(api, c, settings),
        Object::ServiceAccount(sa) => generic::describe_service_account(api, sa, settings),
        Object::Ingress(i) => ingress::describe(api, i, settings),
        Object::IngressClass(c) => ingress::describe_class(api, c, settings),
        Object::Event(_) | Object::Lease(_) => generic::describe(api, o, settings),
    }
}

/// DescribePodTemplate, as `rollout history --revision=N` prints it: the
/// PrefixWriter writes straight into a buffer there, so tabs stay tabs.
pub fn pod_template(t: &PodTemplateSpec) -> String {
    let mut w = PrefixWriter::new();
    pod::describe_pod_template(Some(t), &mut w);
    w.into_raw()
}

// ---- helpers shared by the describers (describe.go) ----------------------

/// printLabelsMultilineWithIndent with initialIndent "" and innerIndent "\t".
pub(crate) fn print_labels_multiline(w: &mut PrefixWriter, title: &str, labels: Option<&BTreeMap<String, String>>) {
    w.write(LEVEL_0, &format!("{title}:\t"));
    let labels = labels.filter(|l| !l.is_empty());
    let Some(labels) = labels else {
        w.write_line("<none>");
        return;
    };
    for (i, (k, v)) in labels.iter().enumerate() {
        if i != 0 {
            w.write(LEVEL_0, "\t");
        }
        w.write(LEVEL_0, &format!("{k}={v}\n"));
    }
}

const LAST_APPLIED_CONFIGURATION: &str = "kubectl.kubernetes.io/last-applied-configuration";
const MAX_ANNOTATION_LEN: usize = 140;

/// printAnnotationsMultiline: `key: value`, long or multi-line values on
/// their own indented lines, cut at 140 bytes.
pub(crate) fn print_annotations_multiline(w: &mut PrefixWriter, title: &str, annotations: Option<&BTreeMap<String, String>>) {
    w.write(LEVEL_0, &format!("{title}:\t"));
    let keys: Vec<&String> = annotations.into_iter().flatten().map(|(k, _)| k).filter(|k| *k != LAST_APPLIED_CONFIGURATION).collect();
    if keys.is_empty() {
        w.write_line("<none>");
        return;
    }
    let annotations = annotations.expect("keys came from the map");
    for (i, key) in keys.iter().enumerate() {
        if i != 0 {
            w.write(LEVEL_0, "\t");
        }
        let value = annotations[*key].strip_suffix('\n').unwrap_or(&annotations[*key]);
        if value.len() + key.len() + 2 > MAX_ANNOTATION_LEN || value.contains('\n') {
            w.write(LEVEL_0, &format!("{key}:\n"));
            for piece in value.split('\n') {
                w.write(LEVEL_0, &format!("\t  {}\n", shorten(piece, MAX_ANNOTATION_LEN - 2)));
            }
        } else {
            w.write(LEVEL_0, &format!("{key}: {value}\n"));
        }
    }
}

/// shorten: the first `max` bytes and `...`. Go slices bytes; a cut inside
/// a UTF-8 sequence is moved back to the character boundary here.
fn shorten(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

/// Taint.ToString (k8s.io/api core/v1 taint.go).
pub(crate) fn taint_string(t: &Taint) -> String {
    let value = t.value.as_deref().unwrap_or("");
    match (value.is_empty(), t.effect.is_empty()) {
        (true, true) => t.key.clone(),
        (false, true) => format!("{}={}:", t.key, value),
        (true, false) => format!("{}:{}", t.key, t.effect),
        (false, false) => format!("{}={}:{}", t.key, value, t.effect),
    }
}

/// printTaintsMultilineWithIndent, sorted by `effect,key`.
pub(crate) fn print_taints_multiline(w: &mut PrefixWriter, title: &str, taints: &[Taint]) {
    w.write(LEVEL_0, &format!("{title}:\t"));
    if taints.is_empty() {
        w.write_line("<none>");
        return;
    }
    let mut sorted: Vec<&Taint> = taints.iter().collect();
    go_sort::sort(&mut sorted, |a, b| format!("{},{}", a.effect, a.key) < format!("{},{}", b.effect, b.key));
    for (i, t) in sorted.iter().enumerate() {
        if i != 0 {
            w.write(LEVEL_0, "\t");
        }
        w.write(LEVEL_0, &format!("{}\n", taint_string(t)));
    }
}

/// printTolerationsMultilineWithIndent, sorted by key.
pub(crate) fn print_tolerations_multiline(w: &mut PrefixWriter, title: &str, tolerations: &[Toleration]) {
    w.write(LEVEL_0, &format!("{title}:\t"));
    if tolerations.is_empty() {
        w.write_line("<none>");
        return;
    }
    let mut sorted: Vec<&Toleration> = tolerations.iter().collect();
    go_sort::sort(&mut sorted, |a, b| a.key.as_deref().unwrap_or("") < b.key.as_deref().unwrap_or(""));
    for (i, t) in sorted.iter().enumerate() {
        if i != 0 {
            w.write(LEVEL_0, "\t");
        }
        let key = t.key.as_deref().unwrap_or("");
        let value = t.value.as_deref().unwrap_or("");
        let effect = t.effect.as_deref().unwrap_or("");
        let mut line = key.to_string();
        if !value.is_empty() {
            line.push('=');
            line.push_str(value);
        }
        if !effect.is_empty() {
            line.push(':');
            line.push_str(effect);
        }
        if t.operator.as_deref() == Some("Exists") && value.is_empty() {
            line.push_str(if !key.is_empty() || !effect.is_empty() { " op=Exists" } else { "op=Exists" });
        }
        if let Some(s) = t.toleration_seconds {
            line.push_str(&format!(" for {s}s"));
        }
        line.push('\n');
        w.write(LEVEL_0, &line);
    }
}

/// `t.Format(time.RFC1123Z)` in UTC (kubectl prints local time; kubeplay's
/// terminal is in UTC). A missing time is Go's zero time.
pub(crate) fn rfc1123z(t: Option<&Time>) -> String {
    match t {
        Some(t) => format_rfc1123z(t.0),
        None => "Mon, 01 Jan 0001 00:00:00 +0000".to_string(),
    }
}

pub(crate) fn format_rfc1123z(t: Timestamp) -> String {
    use apimachinery::k8s_openapi::jiff::civil::Weekday;
    let dt = Offset::UTC.to_datetime(t);
    let weekday = match dt.weekday() {
        Weekday::Monday => "Mon",
        Weekday::Tuesday => "Tue",
        Weekday::Wednesday => "Wed",
        Weekday::Thursday => "Thu",
        Weekday::Friday => "Fri",
        Weekday::Saturday => "Sat",
        Weekday::Sunday => "Sun",
    };
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let month = MONTHS[(dt.month() as usize).saturating_sub(1) % 12];
    format!("{weekday}, {:02} {month} {:04} {:02}:{:02}:{:02} +0000", dt.day(), dt.year(), dt.hour(), dt.minute(), dt.second())
}

/// translateTimestampSince: HumanDuration of the age, `<unknown>` if unset.
pub(crate) fn since(api: &ApiServer, t: Option<&Time>) -> String {
    apiserver::printers::age(api.now(), t)
}

/// stringOrNone.
pub(crate) fn or_none(s: &str) -> &str {
    if s.is_empty() { "<none>" } else { s }
}


/// printController: `Kind/name` of the controller owner reference.
pub(crate) fn controlled_by(meta: &apimachinery::k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> Option<String> {
    apimachinery::meta::controller_of(meta).map(|r| format!("{}/{}", r.kind, r.name))
}
