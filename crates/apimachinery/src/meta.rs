//! Object keys and metadata helpers shared by the store and the components.

use crate::kinds::{Kind, Object};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use std::collections::BTreeMap;

/// Where an object lives in the store: kind, namespace ("" for cluster
/// scope), name. Ordered, so listing a kind in a namespace is a range scan.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectKey {
    pub kind: Kind,
    pub namespace: String,
    pub name: String,
}

impl ObjectKey {
    pub fn new(kind: Kind, namespace: &str, name: &str) -> ObjectKey {
        ObjectKey { kind, namespace: namespace.to_string(), name: name.to_string() }
    }
    pub fn of(o: &Object) -> ObjectKey {
        ObjectKey::new(o.kind(), o.namespace(), o.name())
    }
}

impl std::fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.namespace.is_empty() {
            write!(f, "{}/{}", self.kind.info().plural, self.name)
        } else {
            write!(f, "{}/{}/{}", self.kind.info().plural, self.namespace, self.name)
        }
    }
}

pub fn labels(meta: &ObjectMeta) -> &BTreeMap<String, String> {
    static EMPTY: BTreeMap<String, String> = BTreeMap::new();
    meta.labels.as_ref().unwrap_or(&EMPTY)
}

pub fn annotations(meta: &ObjectMeta) -> &BTreeMap<String, String> {
    static EMPTY: BTreeMap<String, String> = BTreeMap::new();
    meta.annotations.as_ref().unwrap_or(&EMPTY)
}

/// The owner reference with `controller: true`, if any (metav1.GetControllerOf).
pub fn controller_of(meta: &ObjectMeta) -> Option<&OwnerReference> {
    meta.owner_references.as_ref()?.iter().find(|r| r.controller == Some(true))
}

pub fn is_being_deleted(meta: &ObjectMeta) -> bool {
    meta.deletion_timestamp.is_some()
}

pub fn has_finalizer(meta: &ObjectMeta, finalizer: &str) -> bool {
    meta.finalizers.as_ref().is_some_and(|f| f.iter().any(|x| x == finalizer))
}

/// The resourceVersion as the store's revision number.
pub fn revision(meta: &ObjectMeta) -> u64 {
    meta.resource_version.as_deref().and_then(|s| s.parse().ok()).unwrap_or(0)
}

/// An owner reference that makes `owner` the controller of a dependent.
pub fn controller_ref(owner: &Object) -> OwnerReference {
    let info = owner.info();
    OwnerReference {
        api_version: info.api_version.to_string(),
        kind: info.name.to_string(),
        name: owner.name().to_string(),
        uid: owner.meta().uid.clone().unwrap_or_default(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}
