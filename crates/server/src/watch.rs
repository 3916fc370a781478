//! Watch streams (k8s.io/apiserver/pkg/endpoints/handlers/watch.go and the
//! cacher's rules): newline-delimited `{"type":…,"object":…}` events,
//! synthetic ADDED events for `resourceVersion` "" or "0", events after a
//! given revision otherwise, 410 Expired as an ERROR event for compacted
//! revisions, BOOKMARK events when allowed, Table objects when asked.

use crate::http::Request;
use crate::router::RequestInfo;
use apimachinery::selector::{FieldRequirement, Selector};
use apimachinery::{ApiError, Kind, Object};
use serde_json::{Value, json};
use std::sync::Arc;
use store::EventType;
use world::World;

/// Watches without `timeoutSeconds` last this long (kube-apiserver's
/// `--min-request-timeout`, 1800 s; kube adds a random 0–100 % on top).
pub const DEFAULT_WATCH_SECONDS: u64 = 1800;
/// No watch lasts longer than this.
pub const MAX_WATCH_SECONDS: u64 = 3600;
/// Bookmarks go out about once a minute (the cacher's bookmark frequency).
pub const BOOKMARK_INTERVAL_SECONDS: u64 = 60;

/// What a watch request asked for, decoded and checked.
#[derive(Clone, Debug)]
pub struct WatchSpec {
    pub kind: Kind,
    pub namespace: Option<String>,
    pub labels: Selector,
    pub fields: Vec<FieldRequirement>,
    /// Changes after this revision are sent.
    pub since: u64,
    /// Synthetic ADDED events sent first (resourceVersion "" or "0").
    pub initial: Vec<Arc<Object>>,
    pub table: bool,
    pub include_object: Option<String>,
    pub bookmarks: bool,
    /// WatchList (`sendInitialEvents=true`): the initial ADDED events end
    /// with a BOOKMARK annotated `k8s.io/initial-events-end: "true"`
    /// (client-go's reflector waits for it before it trusts its cache).
    pub initial_events_end_bookmark: bool,
    pub timeout_seconds: u64,
    /// Sent as the only event, then the stream ends (410 Expired).
    pub error: Option<ApiError>,
}

pub fn spec(world: &World, kind: Kind, info: &RequestInfo, req: &Request) -> Result<WatchSpec, ApiError> {
    let (labels, fields) = crate::handlers::selectors(kind, info, req)?;
    let namespace = if kind.info().namespaced { info.namespace.clone() } else { None };
    let api = world.api();
    let current = api.store().revision();
    let mut initial = vec![];
    let mut error = None;
    let send_initial_events = req.flag("sendInitialEvents");
    let since = match req.param("resourceVersion") {
        _ if send_initial_events => {
            initial = api.list(kind, namespace.as_deref(), &labels, &fields)?.items;
            current
        }
        None | Some("") | Some("0") => {
            initial = api.list(kind, namespace.as_deref(), &labels, &fields)?.items;
            current
        }
        Some(rv) => {
            let rv: u64 = rv.parse().map_err(|_| ApiError::bad_request(format!("invalid resource version: {rv}")))?;
            if let Err(e) = api.watch_events(kind, namespace.as_deref(), &labels, &fields, rv) {
                error = Some(e);
            }
            rv
        }
    };
    let timeout_seconds = match req.param("timeoutSeconds") {
        Some(t) if !t.is_empty() => crate::handlers::go_parse_int(t).map_err(ApiError::bad_request)?.max(0) as u64,
        _ => DEFAULT_WATCH_SECONDS,
    }
    .min(MAX_WATCH_SECONDS);
    Ok(WatchSpec {
        kind,
        namespace,
        labels,
        fields,
        since,
        initial,
        table: req.wants_table(),
        include_object: req.param("includeObject").map(str::to_string),
        bookmarks: req.flag("allowWatchBookmarks"),
        initial_events_end_bookmark: send_initial_events,
        timeout_seconds,
        error,
    })
}

/// A watch's progress: what it has sent and what comes next.
pub struct WatchState {
    pub spec: WatchSpec,
    /// The table's columns go out with the first event only (later events
    /// are NoHeaders; kubectl reuses the last column set).
    sent_columns: bool,
}

/// One event line, newline-terminated.
fn line(event_type: &str, object: Value) -> Vec<u8> {
    let mut out = serde_json::to_vec(&json!({"type": event_type, "object": object})).unwrap_or_default();
    out.push(b'\n');
    out
}

impl WatchState {
    pub fn new(spec: WatchSpec) -> WatchState {
        WatchState { spec, sent_columns: false }
    }

    fn object_value(&mut self, obj: &Arc<Object>, world: &World) -> Value {
        if !self.spec.table {
            return obj.to_value();
        }
        let mut table = apiserver::printers::print_table(obj.kind(), std::slice::from_ref(obj), world.now());
        table.resource_version = obj.meta().resource_version.clone().unwrap_or_default();
        let include = self.spec.include_object.clone().map(|o| ("includeObject".to_string(), o)).into_iter().collect();
        let mut req = Request::new(crate::http::Method::Get, "", "", "", vec![]);
        req.query = include;
        let mut v = crate::handlers::table_value(&table, &req);
        if self.sent_columns {
            v["columnDefinitions"] = Value::Null;
        }
        self.sent_columns = true;
        v
    }

    /// The first lines of the stream: an error, or the synthetic ADDED events.
    /// Returns whether the stream should end after them.
    pub fn start(&mut self, world: &World) -> (Vec<Vec<u8>>, bool) {
        if let Some(e) = &self.spec.error {
            return (vec![line("ERROR", e.to_status())], true);
        }
        let initial = std::mem::take(&mut self.spec.initial);
        let mut lines: Vec<Vec<u8>> = initial
            .iter()
            .map(|o| {
                let v = self.object_value(o, world);
                line("ADDED", v)
            })
            .collect();
        if self.spec.initial_events_end_bookmark {
            let info = self.spec.kind.info();
            let object = json!({"kind": info.name, "apiVersion": info.api_version, "metadata": {
                "resourceVersion": self.spec.since.to_string(),
                "annotations": {"k8s.io/initial-events-end": "true"},
            }});
            lines.push(line("BOOKMARK", object));
        }
        (lines, false)
    }

    /// Lines for the changes since the last call. Returns whether the
    /// stream should end (its revision was compacted away).
    pub fn pump(&mut self, world: &World) -> (Vec<Vec<u8>>, bool) {
        let api = world.api();
        let revision = api.store().revision();
        if revision <= self.spec.since {
            return (vec![], false);
        }
        let s = &self.spec;
        match api.watch_events(s.kind, s.namespace.as_deref(), &s.labels, &s.fields, s.since) {
            Ok(events) => {
                self.spec.since = revision;
                let mut out = Vec::with_capacity(events.len());
                for (t, o) in events {
                    let name = match t {
                        EventType::Added => "ADDED",
                        EventType::Modified => "MODIFIED",
                        EventType::Deleted => "DELETED",
                    };
                    let v = self.object_value(&o, world);
                    out.push(line(name, v));
                }
                (out, false)
            }
            Err(e) => (vec![line("ERROR", e.to_status())], true),
        }
    }

    /// A BOOKMARK line at the revision the watch has reached, if allowed.
    pub fn bookmark(&self) -> Option<Vec<u8>> {
        if !self.spec.bookmarks {
            return None;
        }
        let info = self.spec.kind.info();
        Some(line("BOOKMARK", json!({"kind": info.name, "apiVersion": info.api_version, "metadata": {"resourceVersion": self.spec.since.to_string()}})))
    }
}
