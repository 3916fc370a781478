//! Resource arithmetic the way the scheduler does it: pod requests
//! (k8s.io/component-helpers resource/helpers.go `PodRequests`), the
//! non-zero defaults used only for scoring (pkg/scheduler/util
//! `GetNonzeroRequests`: 100m CPU, 200Mi memory) and node allocatable.

use apimachinery::k8s_openapi::api::core::v1::{Container, Node, Pod};
use apimachinery::k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use apimachinery::quantity;
use std::collections::BTreeMap;

/// pkg/scheduler/util/pod_resources.go DefaultMilliCPURequest.
pub const DEFAULT_MILLI_CPU_REQUEST: i64 = 100;
/// pkg/scheduler/util/pod_resources.go DefaultMemoryRequest (200 MiB).
pub const DEFAULT_MEMORY_REQUEST: i64 = 200 * 1024 * 1024;

/// framework.Resource: CPU in millicores, memory and ephemeral storage in
/// bytes, extended resources by name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resources {
    pub milli_cpu: i64,
    pub memory: i64,
    pub ephemeral_storage: i64,
    /// Allowed pod count (only meaningful for allocatable).
    pub allowed_pods: i64,
    pub scalar: BTreeMap<String, i64>,
}

fn clamp(v: i128) -> i64 {
    v.clamp(0, i64::MAX as i128) as i64
}

impl Resources {
    fn set(&mut self, name: &str, q: &Quantity) {
        match name {
            "cpu" => self.milli_cpu = clamp(quantity::milli(q)),
            "memory" => self.memory = clamp(quantity::value(q)),
            "ephemeral-storage" => self.ephemeral_storage = clamp(quantity::value(q)),
            "pods" => self.allowed_pods = clamp(quantity::value(q)),
            // hugepages-*, extended resources (vendor/name) and attachable volumes.
            other => {
                self.scalar.insert(other.to_string(), clamp(quantity::value(q)));
            }
        }
    }

    pub fn from_list(list: Option<&BTreeMap<String, Quantity>>) -> Resources {
        let mut r = Resources::default();
        for (name, q) in list.into_iter().flatten() {
            r.set(name, q);
        }
        r
    }

    pub fn add(&mut self, o: &Resources) {
        self.milli_cpu = self.milli_cpu.saturating_add(o.milli_cpu);
        self.memory = self.memory.saturating_add(o.memory);
        self.ephemeral_storage = self.ephemeral_storage.saturating_add(o.ephemeral_storage);
        for (k, v) in &o.scalar {
            let e = self.scalar.entry(k.clone()).or_insert(0);
            *e = e.saturating_add(*v);
        }
    }

    pub fn sub(&mut self, o: &Resources) {
        self.milli_cpu -= o.milli_cpu;
        self.memory -= o.memory;
        self.ephemeral_storage -= o.ephemeral_storage;
        for (k, v) in &o.scalar {
            if let Some(e) = self.scalar.get_mut(k) {
                *e -= *v;
                if *e == 0 {
                    self.scalar.remove(k);
                }
            }
        }
    }

    /// Element-wise maximum (init containers vs. the sum of app containers).
    fn max_with(&mut self, o: &Resources) {
        self.milli_cpu = self.milli_cpu.max(o.milli_cpu);
        self.memory = self.memory.max(o.memory);
        self.ephemeral_storage = self.ephemeral_storage.max(o.ephemeral_storage);
        for (k, v) in &o.scalar {
            let e = self.scalar.entry(k.clone()).or_insert(0);
            *e = (*e).max(*v);
        }
    }

    pub fn is_zero(&self) -> bool {
        self.milli_cpu == 0 && self.memory == 0 && self.ephemeral_storage == 0 && self.scalar.values().all(|v| *v == 0)
    }
}

/// A container's requests. The API server defaults a missing request to the
/// limit; read the limit too so a pod stored without that defaulting is
/// counted the same way.
fn container_requests(c: &Container, non_missing: bool) -> Resources {
    let res = c.resources.as_ref();
    let requests = res.and_then(|r| r.requests.as_ref());
    let limits = res.and_then(|r| r.limits.as_ref());
    let mut merged: BTreeMap<String, Quantity> = limits.cloned().unwrap_or_default();
    for (k, v) in requests.into_iter().flatten() {
        merged.insert(k.clone(), v.clone());
    }
    let mut r = Resources::from_list(Some(&merged));
    if non_missing {
        // NonMissingContainerRequests: only a request that is absent gets the
        // default; an explicit zero stays zero.
        if !merged.contains_key("cpu") {
            r.milli_cpu = DEFAULT_MILLI_CPU_REQUEST;
        }
        if !merged.contains_key("memory") {
            r.memory = DEFAULT_MEMORY_REQUEST;
        }
    }
    r
}

fn is_sidecar(c: &Container) -> bool {
    c.restart_policy.as_deref() == Some("Always")
}

/// resourcehelper.PodRequests: the sum of app containers and sidecars, at
/// least the largest init container (plus the sidecars started before it),
/// plus pod overhead. With `non_missing`, absent CPU/memory requests count
/// as 100m/200Mi (scoring only).
pub fn pod_requests(pod: &Pod, non_missing: bool) -> Resources {
    let Some(spec) = pod.spec.as_ref() else { return Resources::default() };
    let mut reqs = Resources::default();
    for c in &spec.containers {
        reqs.add(&container_requests(c, non_missing));
    }
    let mut restartable = Resources::default();
    let mut init_max = Resources::default();
    for c in spec.init_containers.iter().flatten() {
        let cr = container_requests(c, non_missing);
        let step = if is_sidecar(c) {
            reqs.add(&cr);
            restartable.add(&cr);
            restartable.clone()
        } else {
            let mut tmp = cr;
            tmp.add(&restartable);
            tmp
        };
        init_max.max_with(&step);
    }
    reqs.max_with(&init_max);
    // Pod-level resources (PodLevelResources) replace the container sum for
    // the resources they name.
    if let Some(pod_level) = spec.resources.as_ref().and_then(|r| r.requests.as_ref()) {
        let pl = Resources::from_list(Some(pod_level));
        if pod_level.contains_key("cpu") {
            reqs.milli_cpu = pl.milli_cpu;
        }
        if pod_level.contains_key("memory") {
            reqs.memory = pl.memory;
        }
    }
    if let Some(overhead) = spec.overhead.as_ref() {
        reqs.add(&Resources::from_list(Some(overhead)));
    }
    reqs
}

pub fn node_allocatable(node: &Node) -> Resources {
    Resources::from_list(node.status.as_ref().and_then(|s| s.allocatable.as_ref()))
}
