//! Events about a described object: searchEvents and DescribeEvents
//! (pkg/describe/describe.go), sorted as pkg/util/event/sorted_event_list.go.

use super::prefix_writer::{LEVEL_0, LEVEL_1, PrefixWriter};
use apimachinery::k8s_openapi::api::core::v1::Event;
use apimachinery::selector::{FieldRequirement, Selector};
use apimachinery::{Kind, Object};
use apiserver::ApiServer;
use apiserver::printers::{age, age_micro};

/// The parts of an ObjectReference searchEvents selects on.
pub struct EventRef<'a> {
    /// Empty for pods: kubectl clears the kind before searching.
    pub kind: &'a str,
    pub name: &'a str,
    pub namespace: &'a str,
    pub uid: &'a str,
}

/// Lists the core/v1 Events whose involvedObject matches `r`, in the
/// object's namespace (all namespaces for cluster-scoped objects), with the
/// field selector client-go's GetFieldSelector builds. Errors are ignored,
/// as kubectl ignores them.
pub fn search(api: &ApiServer, r: &EventRef) -> Vec<Event> {
    let eq = |field: &str, value: &str| FieldRequirement { field: field.to_string(), equals: true, value: value.to_string() };
    let mut fields = vec![];
    if !r.kind.is_empty() {
        fields.push(eq("involvedObject.kind", r.kind));
    }
    fields.push(eq("involvedObject.name", r.name));
    fields.push(eq("involvedObject.namespace", r.namespace));
    if !r.uid.is_empty() {
        fields.push(eq("involvedObject.uid", r.uid));
    }
    let ns = if r.namespace.is_empty() { None } else { Some(r.namespace) };
    match api.list(Kind::Event, ns, &Selector::everything(), &fields) {
        Ok(l) => l
            .items
            .iter()
            .filter_map(|o| match &**o {
                Object::Event(e) => Some(e.clone()),
                _ => None,
            })
            .collect(),
        Err(_) => vec![],
    }
}

/// The events of an object found by reference to itself (reference.GetReference).
pub fn search_object(api: &ApiServer, o: &Object) -> Vec<Event> {
    let m = o.meta();
    search(
        api,
        &EventRef {
            kind: o.info().name,
            name: o.name(),
            namespace: m.namespace.as_deref().unwrap_or(""),
            uid: m.uid.as_deref().unwrap_or(""),
        },
    )
}

/// DescribeEvents.
pub fn describe(api: &ApiServer, mut events: Vec<Event>, w: &mut PrefixWriter) {
    if events.is_empty() {
        w.write(LEVEL_0, "Events:\t<none>\n");
        return;
    }
    // SortableEvents orders by lastTimestamp only; events written through
    // events.k8s.io (the scheduler's) have none and sort first, as Go's zero
    // time does. Equal timestamps keep the order Go's unstable sort gives.
    super::go_sort::sort(&mut events, |a, b| a.last_timestamp.as_ref().map(|t| t.0) < b.last_timestamp.as_ref().map(|t| t.0));
    w.write(LEVEL_0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
    w.write(LEVEL_1, "----\t------\t----\t----\t-------\n");
    let now = api.now();
    for e in &events {
        let first = if e.event_time.is_some() { age_micro(now, e.event_time.as_ref()) } else { age(now, e.first_timestamp.as_ref()) };
        let interval = if let Some(series) = &e.series {
            format!("{} (x{} over {first})", age_micro(now, series.last_observed_time.as_ref()), series.count.unwrap_or(0))
        } else if e.count.unwrap_or(0) > 1 {
            format!("{} (x{} over {first})", age(now, e.last_timestamp.as_ref()), e.count.unwrap_or(0))
        } else {
            first
        };
        let mut source = e.source.as_ref().and_then(|s| s.component.as_deref()).unwrap_or("");
        if source.is_empty() {
            source = e.reporting_component.as_deref().unwrap_or("");
        }
        let mut message = e.message.as_deref().unwrap_or("").trim().to_string();
        if let Some(fp) = e.involved_object.field_path.as_deref().filter(|f| !f.is_empty()) {
            message = format!("{fp}: {message}");
        }
        w.write(
            LEVEL_1,
            &format!("{}\t{}\t{}\t{}\t{}\n", e.type_.as_deref().unwrap_or(""), e.reason.as_deref().unwrap_or(""), interval, source, message),
        );
    }
}
