use super::*;
use k8s_openapi::api::core::v1::{ConfigMap, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

fn pod(ns: &str, name: &str) -> Object {
    Object::Pod(Pod { metadata: ObjectMeta { name: Some(name.into()), namespace: Some(ns.into()), ..Default::default() }, ..Default::default() })
}

fn names(objs: &[Arc<Object>]) -> Vec<String> {
    objs.iter().map(|o| format!("{}/{}@{}", o.namespace(), o.name(), o.meta().resource_version.as_deref().unwrap_or(""))).collect()
}

#[test]
fn revisions_list_and_watch() {
    let mut s = Store::default();
    let a = s.create(pod("default", "a")).unwrap();
    assert_eq!(a.meta().resource_version.as_deref(), Some("2"));
    s.create(pod("default", "b")).unwrap();
    s.create(pod("kube-system", "c")).unwrap();
    s.create(Object::ConfigMap(ConfigMap { metadata: ObjectMeta { name: Some("x".into()), namespace: Some("default".into()), ..Default::default() }, ..Default::default() })).unwrap();
    let at_3 = s.revision() - 1;
    assert_eq!(s.create(pod("default", "a")), Err(StoreError::AlreadyExists));
    // Optimistic concurrency: a stale revision conflicts.
    assert_eq!(s.update(pod("default", "a"), Some(1)).unwrap_err(), StoreError::Conflict);
    s.update(pod("default", "a"), Some(2)).unwrap();
    s.delete(&ObjectKey::new(Kind::Pod, "default", "b"), None).unwrap();

    let now: Vec<_> = s.list(Kind::Pod, Some("default")).cloned().collect();
    assert_eq!(names(&now), ["default/a@6"]);
    let all: Vec<_> = s.list(Kind::Pod, None).cloned().collect();
    assert_eq!(names(&all), ["default/a@6", "kube-system/c@4"]);
    // Reading at an older revision undoes the later changes.
    assert_eq!(names(&s.list_at(Kind::Pod, Some("default"), at_3).unwrap()), ["default/a@2", "default/b@3"]);

    let events: Vec<String> = s.events_since(4).unwrap().map(|e| format!("{} {} {}", e.revision, e.event_type.as_str(), e.key)).collect();
    assert_eq!(events, ["5 ADDED configmaps/default/x", "6 MODIFIED pods/default/a", "7 DELETED pods/default/b"]);
    let deleted = s.events_since(6).unwrap().next().unwrap();
    assert_eq!(deleted.object.meta().resource_version.as_deref(), Some("7"));
}

#[test]
fn compaction_answers_gone() {
    let mut s = Store::new(3);
    for i in 0..6 {
        s.create(pod("default", &format!("p{i}"))).unwrap();
    }
    // Only the last 3 changes (revisions 5..7) are kept.
    assert_eq!(s.history_len(), 3);
    let err = s.events_since(2).err().unwrap();
    assert_eq!(err, StoreError::Compacted(2, 5));
    let api = err.to_api(&ObjectKey::new(Kind::Pod, "default", ""));
    assert_eq!((api.code, api.message.as_str()), (410, "too old resource version: 2 (5)"));
    assert_eq!(s.events_since(4).unwrap().count(), 3);
    assert!(s.list_at(Kind::Pod, None, 3).is_err());
}
