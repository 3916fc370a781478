//! The event recorder components use (client-go tools/record): one Event
//! object per distinct occurrence, named `<object>.<hex nanoseconds>`, and
//! repeats of the same event folded into `count` and `lastTimestamp`.

use crate::ApiServer;
use apimachinery::k8s_openapi::api::core::v1::{Event, EventSource, ObjectReference};
use apimachinery::k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use apimachinery::{Kind, Object, ObjectKey, Timestamp};
use std::collections::BTreeMap;

/// Who reports an event.
#[derive(Clone, Debug)]
pub struct Reporter {
    /// `kubelet`, `default-scheduler`, `deployment-controller`, ...
    pub component: String,
    /// The node, for kubelet events.
    pub host: Option<String>,
    /// Reported through events.k8s.io/v1 (the scheduler): eventTime and
    /// reportingController are set instead of source and first/lastTimestamp.
    pub new_api: Option<NewApi>,
}

#[derive(Clone, Debug)]
pub struct NewApi {
    pub reporting_instance: String,
    pub action: String,
}

impl Reporter {
    pub fn controller(name: &str) -> Reporter {
        Reporter { component: name.to_string(), host: None, new_api: None }
    }
    pub fn kubelet(node: &str) -> Reporter {
        Reporter { component: "kubelet".to_string(), host: Some(node.to_string()), new_api: None }
    }
}

/// Bound on remembered names; past it the hints start over (they are only hints).
const MAX_EVENT_NAME_HINTS: usize = 100_000;

/// Where the search for a free event name may start, per (namespace,
/// involved object name), for the current instant. Events about one object
/// at one instant are named `<object>.<hex now>`, `.<hex now+1>`, ... (the
/// first free one); without this, the k-th such event probes k names, which
/// is quadratic when a ReplicaSet creates hundreds of pods at once. The
/// hint is exact: every name from now up to it was taken by an earlier
/// search at this instant, and it is dropped when the instant changes or
/// any object is deleted (which could free one of those names).
#[derive(Default)]
pub struct EventNameHints {
    at: Option<Timestamp>,
    deletions: u64,
    next_nanos: BTreeMap<(String, String), i128>,
}

pub const NORMAL: &str = "Normal";
pub const WARNING: &str = "Warning";

pub fn reference(o: &Object, field_path: Option<&str>) -> ObjectReference {
    let info = o.info();
    ObjectReference {
        api_version: Some(info.api_version.to_string()),
        kind: Some(info.name.to_string()),
        name: Some(o.name().to_string()),
        namespace: if info.namespaced { Some(o.namespace().to_string()) } else { None },
        uid: o.meta().uid.clone(),
        resource_version: o.meta().resource_version.clone(),
        field_path: field_path.map(str::to_string),
    }
}

impl ApiServer {
    /// Records an event about `involved` (EventRecorder.Event).
    pub fn record_event(&mut self, involved: &Object, field_path: Option<&str>, type_: &str, reason: &str, message: &str, reporter: &Reporter) {
        let namespace = if involved.info().namespaced { involved.namespace().to_string() } else { "default".to_string() };
        let uid = involved.meta().uid.clone().unwrap_or_default();
        let fold_key = format!("{}\u{0}{}\u{0}{}\u{0}{}\u{0}{}\u{0}{}\u{0}{}", namespace, uid, field_path.unwrap_or(""), reason, message, reporter.component, type_);
        let now = self.now_time();
        if let Some(key) = self.event_index.get(&fold_key).cloned() {
            if let Some(existing) = self.store().get(&key).cloned() {
                if let Object::Event(mut e) = (*existing).clone() {
                    if reporter.new_api.is_some() {
                        let series = e.series.get_or_insert_with(Default::default);
                        series.count = Some(series.count.unwrap_or(1) + 1);
                        series.last_observed_time = Some(MicroTime(self.now()));
                    } else {
                        e.count = Some(e.count.unwrap_or(1) + 1);
                        e.last_timestamp = Some(now);
                    }
                    let _ = self.store_mut().update(Object::Event(e), None);
                    return;
                }
            }
        }
        // Unique name: nanoseconds of "now", nudged past any clash.
        let base = involved.name().to_string();
        let deletions = self.store().deletions();
        let hints = &mut self.event_names;
        if hints.at != Some(self.now) || hints.deletions != deletions || hints.next_nanos.len() >= MAX_EVENT_NAME_HINTS {
            *hints = EventNameHints { at: Some(self.now), deletions, next_nanos: BTreeMap::new() };
        }
        let hint_key = (namespace.clone(), base.clone());
        let mut nanos = hints.next_nanos.get(&hint_key).copied().unwrap_or(self.now.as_nanosecond());
        let mut event = Event {
            metadata: ObjectMeta { namespace: Some(namespace.clone()), ..Default::default() },
            involved_object: reference(involved, field_path),
            reason: Some(reason.to_string()),
            message: Some(message.to_string()),
            type_: Some(type_.to_string()),
            ..Default::default()
        };
        match &reporter.new_api {
            None => {
                event.source = Some(EventSource { component: Some(reporter.component.clone()), host: reporter.host.clone() });
                event.first_timestamp = Some(now.clone());
                event.last_timestamp = Some(now.clone());
                event.count = Some(1);
                event.reporting_component = Some(reporter.component.clone());
                event.reporting_instance = Some(reporter.host.clone().unwrap_or_default());
            }
            Some(n) => {
                event.event_time = Some(MicroTime(self.now()));
                event.reporting_component = Some(reporter.component.clone());
                event.reporting_instance = Some(n.reporting_instance.clone());
                event.action = Some(n.action.clone());
                event.source = Some(EventSource::default());
            }
        }
        let uid = self.rng().uuid();
        event.metadata.uid = Some(uid);
        event.metadata.creation_timestamp = Some(now);
        // The first free name: trying to create it is the check, so a free
        // name (the usual case) costs one search of the store.
        let mut event = Object::Event(event);
        loop {
            let name = format!("{base}.{:x}", nanos);
            event.meta_mut().name = Some(name.clone());
            match self.store_mut().try_create(event) {
                Ok(_) => {
                    self.event_index.insert(fold_key, ObjectKey { kind: Kind::Event, namespace, name });
                    self.event_names.next_nanos.insert(hint_key, nanos + 1);
                    return;
                }
                Err(taken) => {
                    event = taken;
                    nanos += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use apimachinery::SignedDuration;
    use apimachinery::k8s_openapi::api::core::v1::Pod;

    fn event_names(api: &ApiServer) -> Vec<String> {
        api.store().list(Kind::Event, Some("default")).map(|o| o.name().to_string()).collect()
    }

    /// Events about one object at one instant take `<name>.<hex now>`,
    /// then the next free nanosecond; a name freed at the same instant is
    /// the first free one again.
    #[test]
    fn event_names_take_the_first_free_nanosecond() {
        let t0: Timestamp = "2026-01-05T09:00:00Z".parse().expect("valid time");
        let mut api = ApiServer::new(7, t0, Default::default());
        let mut pod = Pod::default();
        pod.metadata.name = Some("web".into());
        pod.metadata.namespace = Some("default".into());
        let involved = Object::Pod(pod);
        let reporter = Reporter::controller("test");
        let base = t0.as_nanosecond();
        let name = |offset: i128| format!("web.{:x}", base + offset);
        for i in 0..4 {
            api.record_event(&involved, None, NORMAL, "Test", &format!("event {i}"), &reporter);
        }
        assert_eq!(event_names(&api), (0..4).map(name).collect::<Vec<_>>());
        api.store_mut().delete(&ObjectKey::new(Kind::Event, "default", &name(1)), None).expect("event exists");
        api.record_event(&involved, None, NORMAL, "Test", "event 4", &reporter);
        api.record_event(&involved, None, NORMAL, "Test", "event 5", &reporter);
        assert_eq!(event_names(&api), [0, 1, 2, 3, 4].map(name).to_vec());
        // The same event again folds into the existing object.
        api.record_event(&involved, None, NORMAL, "Test", "event 5", &reporter);
        assert_eq!(event_names(&api).len(), 5);
        // A later instant starts from its own nanosecond.
        api.set_now(t0 + SignedDuration::from_secs(1));
        api.record_event(&involved, None, NORMAL, "Test", "event 6", &reporter);
        assert_eq!(event_names(&api).last(), Some(&name(1_000_000_000)));
    }
}
