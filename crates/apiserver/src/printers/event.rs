//! core/v1 Event rows: printEvent and formatEventSource in
//! pkg/printers/internalversion/printers.go.

use super::{age, age_micro, column, descriptions as doc, int, text};
use crate::table::{Cell, Column};
use apimachinery::Timestamp;
use apimachinery::k8s_openapi::api::core::v1::Event;

// The order is printers.go's: SUBOBJECT and SOURCE sit between OBJECT and
// MESSAGE, FIRST SEEN, COUNT and NAME come after it; NAME is the
// `format: name` column although it is priority 1. COUNT is declared
// "string" although its cells are integers.
pub(super) static EVENT_COLUMNS: &[Column] = &[
    column("Last Seen", "string", 0, doc::EVENT_LAST_TIMESTAMP),
    column("Type", "string", 0, doc::EVENT_TYPE),
    column("Reason", "string", 0, doc::EVENT_REASON),
    column("Object", "string", 0, doc::EVENT_INVOLVED_OBJECT),
    column("Subobject", "string", 1, doc::OBJECT_REFERENCE_FIELD_PATH),
    column("Source", "string", 1, doc::EVENT_SOURCE),
    column("Message", "string", 0, doc::EVENT_MESSAGE),
    column("First Seen", "string", 1, doc::EVENT_FIRST_TIMESTAMP),
    column("Count", "string", 1, doc::EVENT_COUNT),
    Column { name: "Name", type_: "string", format: "name", priority: 1, description: doc::META_NAME },
];

/// LAST SEEN falls back to FIRST SEEN, which falls back to `eventTime`; an
/// event with a series prints the series' last observation and count; a
/// singleton event of the new API (count 0) counts 1.
pub(super) fn event_cells(event: &Event, now: Timestamp) -> Vec<Cell> {
    let first_seen = match event.first_timestamp.as_ref() {
        Some(t) if !super::is_go_zero_time(t.0) => age(now, Some(t)),
        _ => age_micro(now, event.event_time.as_ref()),
    };
    let mut last_seen = match event.last_timestamp.as_ref() {
        Some(t) if !super::is_go_zero_time(t.0) => age(now, Some(t)),
        _ => first_seen.clone(),
    };
    let mut count = event.count.unwrap_or(0);
    if let Some(series) = event.series.as_ref() {
        last_seen = age_micro(now, series.last_observed_time.as_ref());
        count = series.count.unwrap_or(0);
    } else if count == 0 {
        count = 1;
    }

    let involved = &event.involved_object;
    let kind = involved.kind.as_deref().unwrap_or("").to_lowercase();
    let target = match involved.name.as_deref().filter(|n| !n.is_empty()) {
        Some(name) => format!("{kind}/{name}"),
        None => kind,
    };

    vec![
        Cell::from(last_seen),
        text(event.type_.as_deref().unwrap_or("")),
        text(event.reason.as_deref().unwrap_or("")),
        Cell::from(target),
        text(involved.field_path.as_deref().unwrap_or("")),
        Cell::from(format_event_source(event)),
        text(event.message.as_deref().unwrap_or("").trim()),
        Cell::from(first_seen),
        int(count),
        text(event.metadata.name.as_deref().unwrap_or("")),
    ]
}

/// formatEventSource: `source.component` (else `reportingComponent`), then
/// `, ` and `source.host` (else `reportingInstance`) when that is non-empty.
fn format_event_source(event: &Event) -> String {
    let source = event.source.as_ref();
    let first_non_empty = |a: Option<&String>, b: Option<&String>| -> String {
        [a, b].into_iter().flatten().find(|s| !s.is_empty()).cloned().unwrap_or_default()
    };
    let component = first_non_empty(source.and_then(|s| s.component.as_ref()), event.reporting_component.as_ref());
    let instance = first_non_empty(source.and_then(|s| s.host.as_ref()), event.reporting_instance.as_ref());
    if instance.is_empty() { component } else { format!("{component}, {instance}") }
}
