//! kube-apiserver, in process. Every write goes through the same pipeline as
//! k8s.io/apiserver's registry (rest/create.go, rest/update.go, store.go):
//! decode → prepare → default → admit → validate → store, and errors are
//! Kubernetes `Status` errors (`ApiError`). The scheduler, controllers,
//! kubelets and kubectl all use this one door; nothing writes the store
//! directly.

pub mod admission;
pub mod allocator;
pub mod decode;
pub mod events;
pub mod fieldselect;
pub mod patch;
pub mod printers;
pub mod registry;
pub mod table;

#[cfg(test)]
mod tests;

use apimachinery::field::FieldError;
use apimachinery::k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use apimachinery::rng::SimRng;
use apimachinery::selector::{FieldRequirement, Selector};
use apimachinery::{ApiError, Kind, Object, ObjectKey, Timestamp, meta};
use std::sync::Arc;
use store::{EventType, Store, StoreError, WatchEvent};

pub use patch::PatchType;

/// kube-apiserver's request body limit (MaxRequestBodyBytes).
pub const MAX_REQUEST_BODY_BYTES: usize = 3 * 1024 * 1024;

/// The body-size check of the API server's handlers (limitedReadBody):
/// bodies over 3 MiB are refused with 413 before anything is decoded.
pub fn check_request_body(body: &serde_json::Value) -> Result<(), ApiError> {
    let size = serde_json::to_vec(body).map(|b| b.len()).unwrap_or(usize::MAX);
    if size > MAX_REQUEST_BODY_BYTES {
        return Err(ApiError::too_large(format!("limit is {MAX_REQUEST_BODY_BYTES}")));
    }
    Ok(())
}

/// `fieldValidation`: what to do with unknown or duplicate fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum FieldValidation {
    Ignore,
    /// The server's default: accept and warn.
    #[default]
    Warn,
    Strict,
}

#[derive(Clone, Debug, Default)]
pub struct WriteOptions {
    pub dry_run: bool,
    pub field_validation: FieldValidation,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Propagation {
    Background,
    Foreground,
    Orphan,
}

#[derive(Clone, Debug, Default)]
pub struct DeleteOptions {
    pub grace_period_seconds: Option<i64>,
    pub propagation: Option<Propagation>,
    pub precondition_uid: Option<String>,
    pub precondition_resource_version: Option<String>,
    pub dry_run: bool,
}

/// What a DELETE did: removed the object, or marked it (graceful deletion or
/// pending finalizers) and it is still there.
#[derive(Clone, Debug)]
pub enum DeleteOutcome {
    Deleted(Arc<Object>),
    Marked(Arc<Object>),
}

impl DeleteOutcome {
    pub fn object(&self) -> &Arc<Object> {
        match self {
            DeleteOutcome::Deleted(o) | DeleteOutcome::Marked(o) => o,
        }
    }
}

#[derive(Clone, Debug)]
pub struct ListResult {
    pub items: Vec<Arc<Object>>,
    pub resource_version: u64,
}

/// Static facts about the simulated cluster's API configuration.
#[derive(Clone, Debug)]
pub struct ApiConfig {
    /// The service CIDR (`--service-cluster-ip-range`), as base address and prefix length.
    pub service_cidr: ([u8; 4], u8),
    pub node_port_range: (i32, i32),
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig { service_cidr: ([10, 96, 0, 0], 12), node_port_range: (30000, 32767) }
    }
}

pub struct ApiServer {
    store: Store,
    now: Timestamp,
    rng: SimRng,
    pub config: ApiConfig,
    /// Warnings produced by the last request (`Warning:` headers).
    warnings: Vec<String>,
    /// The event recorder's fold index: identical events update one object.
    event_index: std::collections::BTreeMap<String, ObjectKey>,
    /// The event recorder's next free name per involved object (see
    /// events.rs `EventNameHints`).
    event_names: events::EventNameHints,
    /// Set by the decoder for the request being handled: the body had no
    /// `spec.selector` (see decode::fill_required_structs).
    pub(crate) missing_selector: bool,
}

impl ApiServer {
    pub fn new(seed: u64, now: Timestamp, config: ApiConfig) -> ApiServer {
        ApiServer { store: Store::default(), now, rng: SimRng::new(seed, 1), config, warnings: vec![], event_index: Default::default(), event_names: Default::default(), missing_selector: false }
    }

    pub fn now(&self) -> Timestamp {
        self.now
    }
    /// The world's clock moves; the API server stamps times from it.
    pub fn set_now(&mut self, now: Timestamp) {
        debug_assert!(now >= self.now, "the clock never goes back");
        self.now = now;
    }
    pub fn now_time(&self) -> Time {
        Time(truncate_to_seconds(self.now))
    }
    pub fn store(&self) -> &Store {
        &self.store
    }
    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }
    pub fn rng(&mut self) -> &mut SimRng {
        &mut self.rng
    }
    /// Warnings of the last request, taken.
    pub fn take_warnings(&mut self) -> Vec<String> {
        std::mem::take(&mut self.warnings)
    }
    pub(crate) fn warn(&mut self, w: String) {
        if !self.warnings.contains(&w) {
            self.warnings.push(w);
        }
    }

    // ---- reads -------------------------------------------------------

    pub fn get(&self, kind: Kind, namespace: &str, name: &str) -> Result<Arc<Object>, ApiError> {
        let ns = if kind.info().namespaced { namespace } else { "" };
        self.store.get(&ObjectKey::new(kind, ns, name)).cloned().ok_or_else(|| ApiError::not_found(kind.info(), name))
    }

    /// Objects of a kind matching the selectors, in namespace order then name
    /// order, as etcd returns a prefix range.
    pub fn list(&self, kind: Kind, namespace: Option<&str>, labels: &Selector, fields: &[FieldRequirement]) -> Result<ListResult, ApiError> {
        fieldselect::check_supported(kind, fields)?;
        let ns = if kind.info().namespaced { namespace } else { None };
        let items = self
            .store
            .list(kind, ns)
            .filter(|o| labels.matches(meta::labels(o.meta())) && fieldselect::matches(o, fields))
            .cloned()
            .collect();
        Ok(ListResult { items, resource_version: self.store.revision() })
    }

    /// Watch events after `since` for a kind, filtered as a watch request
    /// with these selectors would be. An object that stops matching is
    /// reported DELETED, one that starts matching ADDED (the cacher's rules).
    pub fn watch_events(
        &self,
        kind: Kind,
        namespace: Option<&str>,
        labels: &Selector,
        fields: &[FieldRequirement],
        since: u64,
    ) -> Result<Vec<(EventType, Arc<Object>)>, ApiError> {
        let events = self.store.events_since(since).map_err(|e| e.to_api(&ObjectKey::new(kind, "", "")))?;
        let matches = |o: &Object| {
            namespace.is_none_or(|ns| o.namespace() == ns) && labels.matches(meta::labels(o.meta())) && fieldselect::matches(o, fields)
        };
        let mut out = vec![];
        for e in events.filter(|e| e.key.kind == kind) {
            let now_matches = matches(&e.object);
            let before_matched = e.prev.as_deref().is_some_and(matches);
            let t = match (e.event_type, before_matched, now_matches) {
                (EventType::Deleted, true, _) => Some(EventType::Deleted),
                (EventType::Deleted, false, _) => None,
                (_, false, true) => Some(EventType::Added),
                (_, true, true) => Some(EventType::Modified),
                (_, true, false) => Some(EventType::Deleted),
                (_, false, false) => None,
            };
            if let Some(t) = t {
                out.push((t, e.object.clone()));
            }
        }
        Ok(out)
    }

    pub fn events_since(&self, since: u64) -> Result<impl Iterator<Item = &WatchEvent>, StoreError> {
        self.store.events_since(since)
    }

    // ---- writes ------------------------------------------------------

    /// POST: creates an object (registry/rest/create.go BeforeCreate).
    pub fn create(&mut self, mut obj: Object, opts: &WriteOptions) -> Result<Arc<Object>, ApiError> {
        let kind = obj.kind();
        let info = kind.info();
        {
            let m = obj.meta_mut();
            if !info.namespaced {
                m.namespace = None;
            }
            // The handler wipes what only the server may set.
            m.uid = None;
            m.creation_timestamp = None;
            m.deletion_timestamp = None;
            m.deletion_grace_period_seconds = None;
            m.resource_version = None;
            m.self_link = None;
            m.managed_fields = None;
            m.generation = None;
        }
        // Set by the decoder for this request only.
        let selector_missing = std::mem::take(&mut self.missing_selector);
        // The suffix is drawn now but the name is set after admission, as
        // Store.create generates it after the admission chain ran (admission
        // errors name the object by its generateName).
        let generated = obj.meta().name.as_deref().is_none_or(str::is_empty) && obj.meta().generate_name.as_deref().is_some_and(|g| !g.is_empty());
        let generated_name = generated.then(|| {
            let base: String = obj.meta().generate_name.clone().unwrap_or_default().chars().take(58).collect();
            format!("{base}{}", self.rng.suffix(5))
        });
        // Defaults are applied when the body is decoded, before admission.
        registry::default(&mut obj);
        admission::namespace_lifecycle_create(self, &obj)?;
        admission::admit_create(self, &mut obj)?;
        if let Some(name) = generated_name {
            obj.meta_mut().name = Some(name);
        }
        // Store.create: BeginCreate (allocation), then BeforeCreate
        // (PrepareForCreate, Validate).
        registry::allocate(self, &mut obj)?;
        registry::prepare_for_create(self, &mut obj);
        let errs = registry::validate_create(&obj, selector_missing);
        if !errs.is_empty() {
            return Err(self.invalid(&obj, errs));
        }
        for w in registry::warnings_on_create(&obj) {
            self.warn(w);
        }
        let uid = self.rng.uuid();
        let now = self.now_time();
        {
            let m = obj.meta_mut();
            m.uid = Some(uid);
            m.creation_timestamp = Some(now);
        }
        if opts.dry_run {
            return Ok(Arc::new(obj));
        }
        let key = ObjectKey::of(&obj);
        match self.store.create(obj) {
            Ok(stored) => Ok(stored),
            Err(StoreError::AlreadyExists) => {
                let existing = self.store.get(&key).cloned();
                let mut e = ApiError::already_exists(info, &key.name);
                if existing.is_some_and(|o| o.meta().deletion_timestamp.is_some()) {
                    e.message = format!("object is being deleted: {}", e.message);
                }
                Err(e)
            }
            Err(e) => Err(e.to_api(&key)),
        }
    }

    fn invalid(&self, obj: &Object, errs: Vec<FieldError>) -> ApiError {
        let mut dedup: Vec<FieldError> = vec![];
        for e in errs {
            if !dedup.iter().any(|d| d.to_string() == e.to_string()) {
                dedup.push(e);
            }
        }
        ApiError::invalid(obj.info(), obj.name(), dedup)
    }

    /// PUT of the main resource: status is kept from the stored object.
    pub fn update(&mut self, obj: Object, opts: &WriteOptions) -> Result<Arc<Object>, ApiError> {
        self.update_inner(obj, opts, false)
    }

    /// PUT of the `status` subresource: spec is kept from the stored object.
    pub fn update_status(&mut self, obj: Object) -> Result<Arc<Object>, ApiError> {
        self.update_inner(obj, &WriteOptions::default(), true)
    }

    fn update_inner(&mut self, mut obj: Object, opts: &WriteOptions, status: bool) -> Result<Arc<Object>, ApiError> {
        let kind = obj.kind();
        let info = kind.info();
        if !info.namespaced {
            obj.meta_mut().namespace = None;
        }
        let key = ObjectKey::of(&obj);
        let old = self.store.get(&key).cloned().ok_or_else(|| ApiError::not_found(info, &key.name))?;
        // Optimistic concurrency: a stated resourceVersion must be current;
        // none means an unconditional update (AllowUnconditionalUpdate).
        let expected = match obj.meta().resource_version.as_deref() {
            None | Some("") => None,
            Some(rv) => Some(rv.parse::<u64>().map_err(|_| ApiError::bad_request(format!("invalid resourceVersion {rv:?}")))?),
        };
        if let Some(rv) = expected {
            if rv != meta::revision(old.meta()) {
                return Err(ApiError::conflict(info, &key.name, ApiError::MODIFIED));
            }
        }
        {
            let (m, om) = (obj.meta_mut(), old.meta());
            m.uid = om.uid.clone();
            m.creation_timestamp = om.creation_timestamp.clone();
            m.deletion_timestamp = om.deletion_timestamp.clone();
            m.deletion_grace_period_seconds = om.deletion_grace_period_seconds;
            m.generation = om.generation;
            m.resource_version = om.resource_version.clone();
            m.managed_fields = None;
            if om.deletion_timestamp.is_some() {
                let old_f = om.finalizers.clone().unwrap_or_default();
                let added: Vec<String> = m.finalizers.iter().flatten().filter(|f| !old_f.contains(f)).cloned().collect();
                if !added.is_empty() {
                    let list = added.iter().map(|f| format!("{f:?}")).collect::<Vec<_>>().join(", ");
                    return Err(ApiError::invalid(info, &key.name, vec![FieldError::forbidden("metadata.finalizers", format!("no new finalizers can be added if the object is being deleted, found new finalizers []string{{{list}}}"))]));
                }
            }
        }
        let selector_missing = std::mem::take(&mut self.missing_selector);
        if status {
            if let Object::Service(s) = &mut obj {
                registry::service::default_load_balancer_ip_mode(s);
            }
            registry::prepare_for_status_update(&mut obj, &old);
        } else {
            // Defaults come from decoding; BeginUpdate (allocation) runs
            // before BeforeUpdate (PrepareForUpdate, ValidateUpdate).
            registry::default(&mut obj);
            registry::allocate_update(self, &mut obj, &old)?;
            registry::prepare_for_update(&mut obj, &old);
        }
        let errs = if status { registry::validate_status_update(&obj, &old) } else { registry::validate_update(&obj, &old, selector_missing) };
        if !errs.is_empty() {
            return Err(self.invalid(&obj, errs));
        }
        // Deleting objects whose last finalizer went away are removed now.
        if obj.meta().deletion_timestamp.is_some()
            && obj.meta().finalizers.as_ref().is_none_or(|f| f.is_empty())
            && obj.meta().deletion_grace_period_seconds.unwrap_or(0) == 0
            && kind != Kind::Namespace
        {
            if opts.dry_run {
                return Ok(Arc::new(obj));
            }
            return self.store.delete(&key, None).map_err(|e| e.to_api(&key));
        }
        let noop = if status { registry::status_write_is_noop(&obj, &old) } else { *old == obj };
        if noop || opts.dry_run {
            // A no-op write is not written (no new resourceVersion).
            return Ok(if opts.dry_run { Arc::new(obj) } else { old });
        }
        self.store.update(obj, None).map_err(|e| e.to_api(&key))
    }

    /// PATCH (merge, strategic merge or JSON patch) of an object or its status.
    pub fn patch(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
        patch_type: PatchType,
        body: &serde_json::Value,
        subresource_status: bool,
        opts: &WriteOptions,
    ) -> Result<Arc<Object>, ApiError> {
        let current = self.get(kind, namespace, name)?;
        let mut doc = current.to_value();
        patch::apply(kind, &mut doc, patch_type, body)?;
        // A patch never moves an object.
        if let Some(m) = doc.get_mut("metadata").and_then(|m| m.as_object_mut()) {
            m.insert("name".into(), name.into());
            if kind.info().namespaced {
                m.insert("namespace".into(), namespace.into());
            }
        }
        let obj = decode::decode_typed(self, kind, doc, opts.field_validation)?;
        if subresource_status { self.update_inner(obj, opts, true) } else { self.update_inner(obj, opts, false) }
    }

    /// DELETE (registry/generic/registry/store.go Delete).
    pub fn delete(&mut self, kind: Kind, namespace: &str, name: &str, opts: &DeleteOptions) -> Result<DeleteOutcome, ApiError> {
        let info = kind.info();
        let current = self.get(kind, namespace, name)?;
        let key = ObjectKey::of(&current);
        let cm = current.meta();
        if let Some(uid) = &opts.precondition_uid {
            if cm.uid.as_ref() != Some(uid) {
                let msg = format!("the UID in the precondition ({uid}) does not match the UID in record ({}). The object might have been deleted and then recreated", cm.uid.clone().unwrap_or_default());
                return Err(ApiError::conflict(info, name, &msg));
            }
        }
        if let Some(rv) = &opts.precondition_resource_version {
            if cm.resource_version.as_ref() != Some(rv) {
                let msg = format!("the ResourceVersion in the precondition ({rv}) does not match the ResourceVersion in record ({}). The object might have been modified", cm.resource_version.clone().unwrap_or_default());
                return Err(ApiError::conflict(info, name, &msg));
            }
        }
        admission::namespace_lifecycle_delete(kind, name)?;
        if kind == Kind::Namespace {
            return registry::namespace::delete(self, &current, opts);
        }
        let mut obj = (*current).clone();
        // Propagation policy finalizers (the garbage collector acts on them).
        let mut changed = false;
        {
            let m = obj.meta_mut();
            let fins = m.finalizers.get_or_insert_with(Vec::new);
            let want = match opts.propagation {
                Some(Propagation::Foreground) => Some("foregroundDeletion"),
                Some(Propagation::Orphan) => Some("orphan"),
                _ => None,
            };
            if let Some(f) = want {
                if m.deletion_timestamp.is_none() && !fins.iter().any(|x| x == f) {
                    fins.push(f.to_string());
                    changed = true;
                }
            }
            if fins.is_empty() {
                m.finalizers = None;
            }
        }
        let grace = registry::graceful_delete_period(&obj, opts.grace_period_seconds);
        let has_finalizers = obj.meta().finalizers.as_ref().is_some_and(|f| !f.is_empty());
        let already_deleting = obj.meta().deletion_timestamp.is_some();
        if already_deleting {
            let existing_grace = obj.meta().deletion_grace_period_seconds.unwrap_or(0);
            if existing_grace == 0 && !has_finalizers {
                return self.remove(&key, opts.dry_run);
            }
            // Only a shorter grace period may be given (rest.BeforeDelete): the
            // deadline moves to (old deadline - old grace + new grace). The
            // update is stored first; with grace 0 the object is then removed
            // (store.go updateForGracefulDeletionAndFinalizers), so watchers
            // see MODIFIED and then DELETED.
            if let Some(g) = grace {
                if g < existing_grace {
                    let m = obj.meta_mut();
                    m.deletion_grace_period_seconds = Some(g);
                    if let Some(ts) = m.deletion_timestamp.as_ref() {
                        let moved = ts.0 - apimachinery::SignedDuration::from_secs(existing_grace) + apimachinery::SignedDuration::from_secs(g);
                        m.deletion_timestamp = Some(Time(moved));
                    }
                    let marked = self.mark(obj, opts.dry_run)?;
                    if g == 0 && !has_finalizers {
                        return self.remove(&key, opts.dry_run);
                    }
                    return Ok(marked);
                }
            }
            if changed {
                return self.mark(obj, opts.dry_run);
            }
            return Ok(DeleteOutcome::Marked(current));
        }
        match grace {
            Some(g) if g > 0 => {
                let m = obj.meta_mut();
                m.deletion_timestamp = Some(Time(truncate_to_seconds(self.now + apimachinery::SignedDuration::from_secs(g))));
                m.deletion_grace_period_seconds = Some(g);
                if let Some(g) = m.generation.filter(|g| *g > 0) {
                    m.generation = Some(g + 1);
                }
                self.mark(obj, opts.dry_run)
            }
            _ if has_finalizers => {
                let now = self.now_time();
                let m = obj.meta_mut();
                m.deletion_timestamp = Some(now);
                m.deletion_grace_period_seconds = Some(0);
                if let Some(g) = m.generation.filter(|g| *g > 0) {
                    m.generation = Some(g + 1);
                }
                self.mark(obj, opts.dry_run)
            }
            _ => self.remove(&key, opts.dry_run),
        }
    }

    fn mark(&mut self, obj: Object, dry_run: bool) -> Result<DeleteOutcome, ApiError> {
        if dry_run {
            return Ok(DeleteOutcome::Marked(Arc::new(obj)));
        }
        let key = ObjectKey::of(&obj);
        self.store.update(obj, None).map(DeleteOutcome::Marked).map_err(|e| e.to_api(&key))
    }

    fn remove(&mut self, key: &ObjectKey, dry_run: bool) -> Result<DeleteOutcome, ApiError> {
        if dry_run {
            let o = self.store.get(key).cloned().ok_or_else(|| ApiError::not_found(key.kind.info(), &key.name))?;
            return Ok(DeleteOutcome::Deleted(o));
        }
        self.store.delete(key, None).map(DeleteOutcome::Deleted).map_err(|e| e.to_api(key))
    }

    /// pods/binding: the scheduler's bind (registry/core/pod/storage BindingREST).
    pub fn bind(&mut self, namespace: &str, pod_name: &str, node_name: &str) -> Result<Arc<Object>, ApiError> {
        let current = self.get(Kind::Pod, namespace, pod_name)?;
        let Object::Pod(mut pod) = (*current).clone() else { unreachable!("pods are pods") };
        if pod.metadata.deletion_timestamp.is_some() {
            return Err(ApiError::conflict(Kind::Pod.info(), pod_name, "pod is being deleted, cannot be assigned to a host"));
        }
        let spec = pod.spec.get_or_insert_with(Default::default);
        if spec.node_name.as_deref().is_some_and(|n| !n.is_empty()) {
            return Err(ApiError::conflict(Kind::Pod.info(), pod_name, &format!("pod {pod_name} is already assigned to node {:?}", spec.node_name.clone().unwrap_or_default())));
        }
        spec.node_name = Some(node_name.to_string());
        let now = self.now_time();
        let status = pod.status.get_or_insert_with(Default::default);
        registry::pod::set_condition(status, "PodScheduled", "True", None, None, now);
        let key = ObjectKey::new(Kind::Pod, namespace, pod_name);
        self.store.update(Object::Pod(pod), None).map_err(|e| e.to_api(&key))
    }

    /// Removes what the store keeps of objects a real cluster lets expire
    /// (Events after `--event-ttl`, 1 h) and compacts history, as
    /// kube-apiserver's periodic etcd compaction does.
    pub fn expire(&mut self, event_ttl: apimachinery::SignedDuration, compact_to: Option<u64>) {
        let cutoff = self.now - event_ttl;
        let expired: Vec<ObjectKey> = self
            .store
            .list(Kind::Event, None)
            .filter(|o| {
                let Object::Event(e) = &***o else { return false };
                let last = e.last_timestamp.as_ref().map(|t| t.0).or(e.event_time.as_ref().map(|t| t.0)).or(e.metadata.creation_timestamp.as_ref().map(|t| t.0));
                last.is_some_and(|t| t < cutoff)
            })
            .map(|o| ObjectKey::of(o))
            .collect();
        for k in expired {
            let _ = self.store.delete(&k, None);
        }
        if let Some(rev) = compact_to {
            self.store.compact(rev);
        }
    }
}

/// API timestamps have second precision (metav1.Time).
pub fn truncate_to_seconds(t: Timestamp) -> Timestamp {
    Timestamp::from_second(t.as_second()).expect("in range")
}
