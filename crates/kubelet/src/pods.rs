//! Pod workers: one level-driven sync per pod key (pkg/kubelet/pod_workers.go,
//! kubelet.go SyncPod/SyncTerminatingPod, kuberuntime_manager.go SyncPod and
//! computePodActions, kuberuntime_container.go startContainer/killContainer,
//! images/image_manager.go EnsureImageExists, pod/mirror_client.go).
//!
//! A sync writes the status the runtime shows now, then starts what has to
//! run. Starting takes simulated time (sandbox, pulls, create, start), so the
//! sync's steps are queued with their due times; the status is written again
//! when they are done, as the next PLEG-triggered sync would.

use crate::behaviour::{self, Effect, Outcome, StartContext};
use crate::images::{self, Availability, ImageStore};
use crate::probes::{ProbeKind, ProbeResult, ProbeTarget, ProbeWorker};
use crate::runtime::{ContainerState, Instance, PodKey, PodRuntime, Step, Terminated};
use crate::{Kubelet, SYNC_ERROR_BACKOFF, StaticPod, rootfs, status};
use apimachinery::duration::go_string;
use apimachinery::k8s_openapi::api::core::v1::{Pod, PodStatus, Toleration};
use apimachinery::k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use apimachinery::{Kind, Object, SignedDuration, Timestamp};
use apiserver::events::{NORMAL, Reporter, WARNING};
use apiserver::{ApiServer, DeleteOptions, WriteOptions};
use std::collections::BTreeMap;

/// The sandbox image of kubeadm v1.37 clusters.
pub const PAUSE_IMAGE: &str = "registry.k8s.io/pause:3.10.2";
/// Bound on steps processed in one sync.
const MAX_STEPS_PER_SYNC: usize = 10_000;
/// CRI StopContainer's minimum timeout (minimumGracePeriodInSeconds).
const MINIMUM_GRACE_PERIOD_SECONDS: i64 = 2;

const CONFIG_MIRROR: &str = "kubernetes.io/config.mirror";
const CONFIG_HASH: &str = "kubernetes.io/config.hash";
const CONFIG_SEEN: &str = "kubernetes.io/config.seen";
const CONFIG_SOURCE: &str = "kubernetes.io/config.source";

/// The kubelet's file source (pkg/kubelet/config/common.go applyDefaults):
/// name `<name>-<node>`, the manifest hash as UID and config.hash, the node
/// as nodeName, a toleration of every NoExecute taint, API defaults.
pub(crate) fn prepare_static_pod(manifest: &Pod, node: &str) -> StaticPod {
    let mut pod = manifest.clone();
    let base = pod.metadata.name.clone().unwrap_or_default();
    let suffix = format!("-{node}");
    let name = if base.ends_with(&suffix) { base } else { format!("{base}{suffix}") };
    let namespace = pod.metadata.namespace.clone().filter(|n| !n.is_empty()).unwrap_or_else(|| "default".to_string());
    let hash = images::hex_of(&serde_json::to_string(manifest).unwrap_or_default(), 32);
    pod.metadata.name = Some(name.clone());
    pod.metadata.namespace = Some(namespace.clone());
    pod.metadata.uid = Some(hash.clone());
    let annotations = pod.metadata.annotations.get_or_insert_with(BTreeMap::new);
    annotations.insert(CONFIG_HASH.into(), hash.clone());
    annotations.insert(CONFIG_SOURCE.into(), "file".into());
    let spec = pod.spec.get_or_insert_with(Default::default);
    spec.node_name = Some(node.to_string());
    let tolerate_all = Toleration { operator: Some("Exists".into()), effect: Some("NoExecute".into()), ..Default::default() };
    let tolerations = spec.tolerations.get_or_insert_with(Vec::new);
    if !tolerations.contains(&tolerate_all) {
        tolerations.push(tolerate_all);
    }
    apiserver::registry::pod::default_pod_spec(spec, true);
    pod.status = None;
    StaticPod { key: (namespace, name), hash, pod }
}

/// The next PLEG relist after `t` (it relists every second).
fn pleg_tick(t: Timestamp, now: Timestamp) -> Timestamp {
    let next = Timestamp::from_second(t.as_second().saturating_add(1)).unwrap_or(t);
    next.max(now)
}

/// The pod as events refer to it: only what an event's involvedObject (and
/// its namespace and name) are made of, copied from the pod as last seen.
fn event_ref_of(pod: &Pod) -> Object {
    let m = &pod.metadata;
    Object::Pod(Pod {
        metadata: ObjectMeta {
            name: m.name.clone(),
            namespace: m.namespace.clone(),
            uid: m.uid.clone(),
            resource_version: m.resource_version.clone(),
            ..Default::default()
        },
        ..Default::default()
    })
}

fn is_terminal_phase(p: &Pod) -> bool {
    matches!(p.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Succeeded" | "Failed"))
}

impl Kubelet {
    pub(crate) fn sync_pod(&mut self, api: &mut ApiServer, key: &PodKey) {
        if let Some(i) = self.statics.iter().position(|s| &s.key == key) {
            self.sync_static(api, i);
        } else {
            self.sync_regular(api, key);
        }
        let now = api.now();
        if let Some(due) = self.pods.get(key).and_then(|rt| rt.next_due()) {
            // Whatever is due now was processed; never spin on the same instant.
            let at = if due <= now { now + SignedDuration::from_millis(1) } else { due };
            self.schedule(key, now, at);
        }
    }

    fn event(&self, api: &mut ApiServer, key: &PodKey, idx: Option<usize>, type_: &str, reason: &str, message: &str) {
        let Some(rt) = self.pods.get(key) else { return };
        let field_path = idx.and_then(|i| rt.containers.get(i)).map(|c| c.field_path());
        api.record_event(&rt.event_ref, field_path.as_deref(), type_, reason, message, &Reporter::kubelet(&self.config.name));
    }

    // ---- static pods ----------------------------------------------------

    fn sync_static(&mut self, api: &mut ApiServer, i: usize) {
        let s = self.statics[i].clone();
        let now = api.now();
        if !self.pods.contains_key(&s.key) {
            let rt = PodRuntime::new(s.key.clone(), s.hash.clone(), true, Object::Pod(s.pod.clone()), s.pod.spec.clone().unwrap_or_default(), None, now);
            self.pods.insert(s.key.clone(), rt);
        }
        if self.node.registered {
            self.ensure_mirror(api, &s);
        }
        self.advance(api, &s.key);
    }

    /// syncPod's mirror handling: a mirror pod that is being deleted or is
    /// not of this manifest is deleted (grace 0) and created afresh.
    fn ensure_mirror(&mut self, api: &mut ApiServer, s: &StaticPod) {
        let (ns, name) = &s.key;
        if let Ok(obj) = api.get(Kind::Pod, ns, name)
            && let Object::Pod(p) = &*obj {
                let mirror_of_this = p.metadata.annotations.as_ref().and_then(|a| a.get(CONFIG_MIRROR)) == Some(&s.hash);
                if p.metadata.deletion_timestamp.is_none() && mirror_of_this {
                    if let Some(rt) = self.pods.get_mut(&s.key)
                        && rt.generation != p.metadata.generation {
                            rt.generation = p.metadata.generation;
                            rt.status_dirty = true;
                        }
                    return;
                }
                let opts = DeleteOptions { grace_period_seconds: Some(0), precondition_uid: p.metadata.uid.clone(), ..Default::default() };
                if api.delete(Kind::Pod, ns, name, &opts).is_err() {
                    return;
                }
            }
        let mut mirror = s.pod.clone();
        let seen = self.node.registered_at.unwrap_or(api.now());
        let annotations = mirror.metadata.annotations.get_or_insert_with(BTreeMap::new);
        annotations.insert(CONFIG_MIRROR.into(), s.hash.clone());
        annotations.insert(CONFIG_SEEN.into(), seen.to_string());
        mirror.metadata.uid = None;
        mirror.metadata.owner_references = Some(vec![OwnerReference {
            api_version: "v1".into(),
            kind: "Node".into(),
            name: self.config.name.clone(),
            uid: self.node.uid.clone(),
            controller: Some(true),
            block_owner_deletion: None,
        }]);
        if let Ok(created) = api.create(Object::Pod(mirror), &WriteOptions::default())
            && let Some(rt) = self.pods.get_mut(&s.key) {
                rt.generation = created.meta().generation;
                rt.status_dirty = true;
            }
    }

    // ---- regular pods ---------------------------------------------------

    fn sync_regular(&mut self, api: &mut ApiServer, key: &PodKey) {
        let now = api.now();
        // The pod as stored, borrowed (a sync only reads it).
        let obj = api.get(Kind::Pod, &key.0, &key.1).ok();
        let pod: Option<&Pod> = obj.as_deref().and_then(|o| match o {
            Object::Pod(p) if p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(self.config.name.as_str()) => Some(p),
            _ => None,
        });
        let Some(pod) = pod else {
            // Gone from the API (force-deleted): stop everything now.
            if let Some(rt) = self.pods.remove(key) {
                self.kill_now(api, rt);
            }
            return;
        };
        let uid = pod.metadata.uid.clone().unwrap_or_default();
        if self.pods.get(key).is_some_and(|rt| rt.uid != uid)
            && let Some(rt) = self.pods.remove(key) {
                self.kill_now(api, rt);
            }
        if !self.pods.contains_key(key) {
            if pod.metadata.deletion_timestamp.is_some() {
                // Never started here: nothing to stop.
                if is_terminal_phase(pod) || pod.metadata.deletion_timestamp.is_some() {
                    let opts = DeleteOptions { grace_period_seconds: Some(0), precondition_uid: Some(uid), ..Default::default() };
                    let _ = api.delete(Kind::Pod, &key.0, &key.1, &opts);
                }
                return;
            }
            if is_terminal_phase(pod) {
                return;
            }
            let rt = PodRuntime::new(key.clone(), uid, false, event_ref_of(pod), pod.spec.clone().unwrap_or_default(), pod.metadata.generation, now);
            self.pods.insert(key.clone(), rt);
        }
        self.apply_spec_update(api, key, pod);
        if pod.metadata.deletion_timestamp.is_some() {
            self.begin_termination(api, key, pod);
        }
        self.advance(api, key);
    }

    /// Image updates: the container is killed and started with the new image
    /// (computePodActions: "Container X definition changed, will be restarted").
    fn apply_spec_update(&mut self, api: &mut ApiServer, key: &PodKey, pod: &Pod) {
        let now = api.now();
        let Some(rt) = self.pods.get_mut(key) else { return };
        rt.event_ref = event_ref_of(pod);
        if rt.generation != pod.metadata.generation {
            rt.generation = pod.metadata.generation;
            rt.status_dirty = true;
        }
        let Some(spec) = pod.spec.as_ref() else { return };
        // Most updates are the pod's own status writes: nothing to apply.
        if rt.spec == *spec {
            return;
        }
        let new_specs: Vec<&_> = spec.init_containers.iter().flatten().chain(spec.containers.iter()).collect();
        let mut killed = vec![];
        for (idx, c) in rt.containers.iter_mut().enumerate() {
            let Some(new) = new_specs.iter().find(|n| n.name == c.spec.name) else { continue };
            if new.image != c.spec.image {
                c.spec = (*new).clone();
                c.restart_now = true;
                if c.is_running() {
                    killed.push(idx);
                }
            }
        }
        let spec_changed = true;
        rt.spec = spec.clone();
        // A changed spec is synced now (HandlePodUpdates); an unchanged one
        // leaves the pod worker's schedule alone.
        if spec_changed && rt.terminating_until.is_none() && (rt.pass.is_empty() || !killed.is_empty()) {
            rt.next_sync = Some(rt.next_sync.map_or(now, |t| t.min(now)));
        }
        for idx in killed {
            let name = self.pods[key].containers[idx].name().to_string();
            self.event(api, key, Some(idx), NORMAL, "Killing", &format!("Container {name} definition changed, will be restarted"));
            let exit_code = self.pods[key].containers[idx].instance.as_ref().and_then(|i| i.behaviour.as_ref()).map(|b| if b.honours_sigterm { b.exit_code_on_stop } else { 137 }).unwrap_or(137);
            let rt = self.pods.get_mut(key).expect("present");
            stop_container(rt, idx, now, exit_code);
        }
    }

    // ---- the state machine ----------------------------------------------

    fn advance(&mut self, api: &mut ApiServer, key: &PodKey) {
        for _ in 0..MAX_STEPS_PER_SYNC {
            let now = api.now();
            let Some(rt) = self.pods.get_mut(key) else { return };
            if let Some(until) = rt.terminating_until {
                if until <= now {
                    self.finish_termination(api, key);
                }
                return;
            }
            if self.process_runtime(api, key, now) {
                continue;
            }
            let rt = self.pods.get_mut(key).expect("present");
            if rt.pass.front().is_some_and(|(t, _)| *t <= now) {
                let (_, step) = rt.pass.pop_front().expect("front");
                self.exec_step(api, key, step);
                continue;
            }
            if !rt.pass.is_empty() {
                break;
            }
            if rt.pass_active {
                self.end_pass(key, now);
                continue;
            }
            if rt.next_sync.is_some_and(|t| t <= now) {
                rt.next_sync = None;
                self.start_pass(api, key);
                continue;
            }
            break;
        }
        self.check_terminal(key);
        if self.pods.get(key).is_some_and(|rt| rt.status_dirty && rt.pass.is_empty()) {
            self.write_status(api, key, false);
        }
    }

    /// Container exits, stops, script effects and probe ticks that are
    /// due. True if any.
    fn process_runtime(&mut self, api: &mut ApiServer, key: &PodKey, now: Timestamp) -> bool {
        let mut changed = self.apply_effects(key, now);
        let mut probe_events: Vec<(usize, &'static str, ProbeResult)> = vec![];
        let mut liveness_kills: Vec<usize> = vec![];
        let rt = self.pods.get_mut(key).expect("present");
        for idx in 0..rt.containers.len() {
            let c = &mut rt.containers[idx];
            let ContainerState::Running { started_at } = c.state else { continue };
            let end = match (c.exit_at, c.stop_at) {
                (Some(e), Some(s)) => Some(if s.0 <= e.0 { s } else { e }),
                (e, s) => e.or(s),
            };
            if let Some((at, exit_code)) = end.filter(|(at, _)| *at <= now) {
                c.mark_exited(started_at, at, exit_code);
                // The PLEG notices at its next relist and triggers a sync.
                let tick = pleg_tick(at, now);
                rt.next_sync = Some(rt.next_sync.map_or(tick, |t| t.min(tick)));
                changed = true;
            }
        }
        // Probe ticks that are due: run them against the pod as it is now.
        let due: Vec<(usize, usize)> = rt
            .containers
            .iter()
            .enumerate()
            .filter(|(_, c)| c.is_running())
            .flat_map(|(i, c)| c.probes.iter().enumerate().filter(|(_, w)| w.next_tick <= now).map(move |(j, _)| (i, j)))
            .collect();
        let mut results: Vec<(usize, usize, ProbeResult)> = vec![];
        let mut served: Vec<(String, String)> = vec![];
        if !due.is_empty() {
            let client_ip = crate::ipam::first_address(&self.config.pod_cidr).unwrap_or_else(|| self.config.internal_ip.clone());
            let rt = &self.pods[key];
            let containers: Vec<(&str, crate::ContainerProcess)> = (0..rt.containers.len()).filter(|&i| !rt.containers[i].init || rt.containers[i].sidecar).filter_map(|i| process_of(rt, i).map(|p| (rt.containers[i].name(), p))).collect();
            for (idx, j) in due {
                let c = &rt.containers[idx];
                let w = &c.probes[j];
                let Some(own) = process_of(rt, idx) else { continue };
                if self.probe_oracle.opaque(c.image()) {
                    results.push((idx, j, ProbeResult::Success));
                    continue;
                }
                let connection = c.instance.as_ref().map_or(1, |i| i.connections + 1);
                // An ephemeral port (ip_local_port_range 32768-60999), drawn
                // from the connection rather than the kubelet's RNG so that
                // probing does not shift the node's other timings.
                let client_port = (32_768 + images::fnv64(&format!("{}/{connection}/{}", own.instance_id, w.kind.title())) % 28_232) as u16;
                let target = ProbeTarget { pod_ip: rt.ip.as_deref().unwrap_or(""), containers: containers.clone(), client_ip: &client_ip, client_port, connection, now };
                let userland = images::parse(c.image()).map(|r| rootfs::image_os(&r).userland).unwrap_or(rootfs::Userland::Debian);
                let (result, logs) = crate::probes::run_probe(self.probe_oracle.as_ref(), &w.probe, &c.spec, &target, &own, userland);
                served.extend(logs);
                results.push((idx, j, result));
            }
        }
        let rt = self.pods.get_mut(key).expect("present");
        for (container, line) in served {
            if let Some(inst) = rt.containers.iter_mut().find(|c| c.name() == container && c.is_running()).and_then(|c| c.instance.as_mut()) {
                inst.served([line]);
            }
        }
        for (idx, j, result) in results {
            let c = &mut rt.containers[idx];
            let w = &mut c.probes[j];
            let ok = result == ProbeResult::Success;
            if !ok {
                probe_events.push((idx, w.kind.title(), result));
            }
            w.record(ok);
            w.next_tick = now + w.period();
            changed = true;
        }
        for idx in 0..rt.containers.len() {
            let c = &mut rt.containers[idx];
            if !c.is_running() {
                continue;
            }
            let opaque = self.probe_oracle.opaque(c.image());
            // Apply the decided results.
            let startup_passing = c.probes.iter().find(|w| w.kind == ProbeKind::Startup).map(|w| w.passing);
            if startup_passing == Some(true) && !c.started {
                c.started = true;
                c.probes.retain(|w| w.kind != ProbeKind::Startup);
                let started_now = now;
                if let Some(p) = c.spec.readiness_probe.clone() {
                    c.probes.push(ProbeWorker::new(ProbeKind::Readiness, p, started_now, started_now));
                }
                if let Some(p) = c.spec.liveness_probe.clone().filter(|_| !opaque) {
                    c.probes.push(ProbeWorker::new(ProbeKind::Liveness, p, started_now, started_now));
                }
                changed = true;
            }
            if c.started {
                let ready = match c.probes.iter().find(|w| w.kind == ProbeKind::Readiness) {
                    Some(w) => w.passing,
                    None => c.spec.readiness_probe.is_none() || c.ready,
                };
                if ready != c.ready {
                    c.ready = ready;
                    rt.status_dirty = true;
                    changed = true;
                }
            }
            if c.probes.iter().any(|w| w.kind == ProbeKind::Liveness && !w.passing) && c.stop_at.is_none() {
                liveness_kills.push(idx);
            }
            if opaque {
                // Nothing left to learn from probes that always pass.
                c.probes.retain(|w| !(w.passing && matches!(w.kind, ProbeKind::Readiness | ProbeKind::Startup)));
            }
        }
        for (idx, title, result) in probe_events {
            // prober.go: "%s probe failed: %s" with the output; an error is
            // "%s probe errored and resulted in %s state: %s".
            let message = match result {
                ProbeResult::Errored(e) => format!("{title} probe errored and resulted in unknown state: {e}"),
                ProbeResult::Failure(out) => format!("{title} probe failed: {out}"),
                ProbeResult::Success => continue,
            };
            self.event(api, key, Some(idx), WARNING, "Unhealthy", &message);
        }
        for idx in liveness_kills {
            let name = self.pods[key].containers[idx].name().to_string();
            self.event(api, key, Some(idx), NORMAL, "Killing", &format!("Container {name} failed liveness probe, will be restarted"));
            let stop = self.rand_millis(100, 900);
            let rt = self.pods.get_mut(key).expect("present");
            let c = &mut rt.containers[idx];
            let (delay, code) = match c.instance.as_ref().and_then(|i| i.behaviour.as_ref()) {
                Some(b) if b.honours_sigterm => (stop, b.exit_code_on_stop),
                _ => (SignedDuration::from_secs(rt.spec.termination_grace_period_seconds.unwrap_or(30).max(MINIMUM_GRACE_PERIOD_SECONDS)), 137),
            };
            c.stop_at = Some((now + delay, code));
            c.probes.clear();
        }
        changed
    }

    /// Applies what the containers' scripts do up to `now` (never past a
    /// container's own exit): lines to the log, files written and removed;
    /// fetches wait for the world. True if anything happened.
    pub(crate) fn apply_effects(&mut self, key: &PodKey, now: Timestamp) -> bool {
        let Some(rt) = self.pods.get_mut(key) else { return false };
        let mut any = false;
        for idx in 0..rt.containers.len() {
            loop {
                let c = &rt.containers[idx];
                let ContainerState::Running { started_at } = c.state else { break };
                let limit = match (c.exit_at, c.stop_at) {
                    (Some(e), Some(s)) => now.min(e.0).min(s.0),
                    (Some(e), None) => now.min(e.0),
                    (None, Some(s)) => now.min(s.0),
                    (None, None) => now,
                };
                let Some(inst) = rt.containers[idx].instance.as_mut() else { break };
                let Some((offset, _)) = inst.effects.front() else { break };
                if started_at + *offset > limit {
                    break;
                }
                let (_, effect) = inst.effects.pop_front().expect("front");
                any = true;
                match effect {
                    Effect::Log(line) => {
                        if inst.logs.len() < crate::MAX_CONTAINER_LOG_LINES {
                            inst.logs.push(line);
                        }
                    }
                    Effect::Write { path, content, append } => {
                        let current = rt.files_view(idx).and_then(|v| v.get(&path).cloned());
                        let text = match (content, current) {
                            (None, Some(_)) => continue,
                            (None, None) => String::new(),
                            (Some(t), Some(cur)) if append => cur + &t,
                            (Some(t), _) => t,
                        };
                        let _ = rt.write_file(idx, &path, Some(text));
                    }
                    Effect::Remove(path) => {
                        let _ = rt.write_file(idx, &path, None);
                    }
                    Effect::Fetch { path, url } => {
                        let name = rt.containers[idx].name().to_string();
                        self.fetches.push(crate::Fetch { namespace: key.0.clone(), pod: key.1.clone(), container: name, path, url });
                    }
                }
            }
        }
        any
    }

    /// computePodActions + the start of SyncPod: the status as it is now,
    /// then the sandbox or the containers to start.
    fn start_pass(&mut self, api: &mut ApiServer, key: &PodKey) {
        let now = api.now();
        self.check_terminal(key);
        self.write_status(api, key, false);
        let sandbox_delay = self.rand_millis(300, 900);
        let rt = self.pods.get_mut(key).expect("present");
        if rt.terminal {
            return;
        }
        rt.pass_active = true;
        rt.pass_had_error = false;
        rt.pass_changed_runtime = false;
        if !rt.sandbox_ready {
            rt.pass.push_back((now + sandbox_delay, Step::SandboxReady));
            rt.pass_changed_runtime = true;
            return;
        }
        let targets = containers_to_start(rt);
        rt.pass_targets = targets.into();
        self.next_target(key, now);
    }

    fn next_target(&mut self, key: &PodKey, now: Timestamp) {
        let rt = self.pods.get_mut(key).expect("present");
        if let Some(idx) = rt.pass_targets.pop_front() {
            rt.pass.push_back((now, Step::Begin(idx)));
        }
    }

    fn end_pass(&mut self, key: &PodKey, now: Timestamp) {
        let retry = self.jitter(SYNC_ERROR_BACKOFF, 0.5);
        let rt = self.pods.get_mut(key).expect("present");
        rt.pass_active = false;
        let next = if rt.pass_had_error {
            // The pod worker requeues a failed sync; a runtime change is
            // seen by the PLEG within a second.
            Some(if rt.pass_changed_runtime { pleg_tick(now, now) } else { now + retry })
        } else if rt.pass_changed_runtime && (rt.pending_init().is_some() || containers_to_start(rt).iter().any(|&i| rt.containers[i].sidecar)) {
            Some(pleg_tick(now, now))
        } else {
            None
        };
        if let Some(t) = next {
            rt.next_sync = Some(rt.next_sync.map_or(t, |x| x.min(t)));
        }
        rt.pass_had_error = false;
        rt.pass_changed_runtime = false;
        rt.status_dirty = true;
    }

    fn fail_container(&mut self, key: &PodKey, idx: usize, reason: &str, message: String, now: Timestamp) {
        let rt = self.pods.get_mut(key).expect("present");
        let c = &mut rt.containers[idx];
        if let ContainerState::Exited(t) = &c.state {
            c.last_terminated = Some(t.clone());
        }
        c.state = ContainerState::Waiting { reason: reason.into(), message: Some(message) };
        rt.pass_had_error = true;
        rt.status_dirty = true;
        // An init container's failure ends the sync; app containers go on.
        if rt.containers[idx].init {
            rt.pass_targets.clear();
        }
        self.next_target(key, now);
    }

    fn exec_step(&mut self, api: &mut ApiServer, key: &PodKey, step: Step) {
        let now = api.now();
        match step {
            Step::SandboxReady => {
                let host_network = self.pods[key].host_network();
                let uid = self.pods[key].uid.clone();
                let ip = if host_network { Some(self.config.internal_ip.clone()) } else { self.ipam.allocate(&uid) };
                let rt = self.pods.get_mut(key).expect("present");
                rt.sandbox_ready = true;
                rt.ip = ip;
                rt.status_dirty = true;
                let targets = containers_to_start(rt);
                rt.pass_targets = targets.into();
                self.next_target(key, now);
            }
            Step::Begin(idx) => self.begin_container(api, key, idx),
            Step::PullDone { idx, result, pull, total } => {
                let image = self.pods[key].containers[idx].image().to_string();
                match result {
                    Ok(size) => {
                        if let Ok(r) = images::parse(&image)
                            && self.images.add(&r, size) {
                                self.mark_node_status_dirty(now);
                            }
                        let msg = format!("Successfully pulled image {image:?} in {} ({} including waiting). Image size: {size} bytes.", go_string(pull), go_string(total));
                        self.event(api, key, Some(idx), NORMAL, "Pulled", &msg);
                        let d = self.rand_millis(30, 120);
                        self.pods.get_mut(key).expect("present").pass.push_back((now + d, Step::Create(idx)));
                    }
                    Err(e) => {
                        self.event(api, key, Some(idx), WARNING, "Failed", &format!("Failed to pull image {image:?}: {e}"));
                        let bkey = format!("{}_{}", self.pods[key].uid, image);
                        self.image_backoff.next(&bkey, now, now);
                        self.event(api, key, Some(idx), WARNING, "Failed", "Error: ErrImagePull");
                        self.fail_container(key, idx, "ErrImagePull", e, now);
                    }
                }
            }
            Step::Create(idx) => {
                self.event(api, key, Some(idx), NORMAL, "Created", "Container created");
                let id = self.rng.hex(64);
                let d = self.rand_millis(40, 150);
                let rt = self.pods.get_mut(key).expect("present");
                let c = &mut rt.containers[idx];
                let (image, image_id) = match images::parse(c.image()) {
                    Ok(r) => (r.normalized(), ImageStore::image_id(&r)),
                    Err(_) => (c.image().to_string(), String::new()),
                };
                if let Some(old) = c.instance.take() {
                    c.previous_logs = old.logs;
                }
                c.instance = Some(Instance { id, image, image_id, started_at: None, logs: vec![], periodic: None, behaviour: None, env: vec![], files: BTreeMap::new(), effects: Default::default(), connections: 0 });
                rt.pass.push_back((now + d, Step::Start(idx)));
            }
            Step::Start(idx) => {
                self.event(api, key, Some(idx), NORMAL, "Started", "Container started");
                let kernel = self.config.kernel_version.clone();
                // What the runtime sets up around the process: the service
                // variables of services that exist now, /etc/hosts,
                // /etc/resolv.conf (rootfs.rs).
                let services: Vec<std::sync::Arc<Object>> = api.list(Kind::Service, None, &apimachinery::selector::Selector::everything(), &[]).map(|l| l.items).unwrap_or_default();
                let cluster_dns = services
                    .iter()
                    .find_map(|o| match &**o {
                        Object::Service(s) if s.metadata.namespace.as_deref() == Some("kube-system") && s.metadata.name.as_deref() == Some("kube-dns") => s.spec.as_ref().and_then(|sp| sp.cluster_ip.clone()),
                        _ => None,
                    })
                    .unwrap_or_else(|| "10.96.0.10".into());
                let docker_runtime = self.config.container_runtime_version.starts_with("docker://");
                let rt = self.pods.get_mut(key).expect("present");
                let pod_name = rt.key.1.clone();
                let pod_ip = rt.ip.clone().unwrap_or_default();
                let worker_start = rt.start_time;
                let hostname = rootfs::pod_hostname(&pod_name, rt.spec.hostname.as_deref());
                let service_vars = {
                    let all: Vec<&apimachinery::k8s_openapi::api::core::v1::Service> = services.iter().filter_map(|o| if let Object::Service(s) = &**o { Some(s) } else { None }).collect();
                    let links = rt.spec.enable_service_links.unwrap_or(true);
                    rootfs::service_env(&rootfs::services_for_pod(&rt.key.0, links, &all))
                };
                let hosts = rootfs::hosts_file(&pod_ip, &hostname, rt.spec.subdomain.as_deref(), &rt.key.0);
                let resolv = rootfs::resolv_conf(&rt.key.0, &cluster_dns, docker_runtime);
                let c = &mut rt.containers[idx];
                let restarted = c.last_exit().is_some();
                if let ContainerState::Exited(t) = &c.state {
                    c.last_terminated = Some(t.clone());
                }
                if restarted {
                    c.restart_count += 1;
                }
                c.state = ContainerState::Running { started_at: now };
                c.restart_now = false;
                let env: Vec<(String, String)> = c.spec.env.iter().flatten().filter_map(|e| e.value.clone().map(|v| (e.name.clone(), v))).collect();
                let ctx = StartContext { pod_name: &pod_name, pod_ip: &pod_ip, kernel_version: &kernel, started_at: now, env: &env };
                let command = c.spec.command.clone().unwrap_or_default();
                let args = c.spec.args.clone().unwrap_or_default();
                let b = match images::parse(c.image()) {
                    Ok(r) => behaviour::behaviour(&r, &command, &args, &ctx),
                    Err(_) => behaviour::script("", &ctx),
                };
                // An init container (not a sidecar) runs to completion by
                // definition: a program the simulator does not model
                // (calico's `install-cni`, ...) finishes successfully.
                let b = if c.init && !c.sidecar && b.outcome == Outcome::RunsForever {
                    behaviour::Behaviour { outcome: Outcome::Exits { after: SignedDuration::from_millis(1500), exit_code: 0 }, ..b }
                } else {
                    b
                };
                c.exit_at = match b.outcome {
                    Outcome::Exits { after, exit_code } => Some((now + after, exit_code)),
                    Outcome::RunsForever => None,
                };
                let image_ref = images::parse(c.image()).ok();
                let os = image_ref.as_ref().map(rootfs::image_os);
                if let Some(inst) = c.instance.as_mut() {
                    if let Some(os) = &os {
                        inst.env = rootfs::process_env(os, &hostname, &env, &service_vars);
                    }
                    inst.files = rootfs::initial_files(image_ref.as_ref(), &hostname, hosts, resolv);
                    inst.started_at = Some(now);
                    inst.logs = b.start_lines.clone();
                    inst.periodic = b.periodic.clone();
                    inst.effects = b.effects.iter().cloned().collect();
                    if !inst.effects.is_empty() {
                        self.scripted.insert(key.clone());
                    }
                    inst.behaviour = Some(b);
                }
                let opaque = self.probe_oracle.opaque(c.image());
                c.probes.clear();
                match c.spec.startup_probe.clone() {
                    Some(p) => {
                        c.started = false;
                        c.probes.push(ProbeWorker::new(ProbeKind::Startup, p, worker_start, now));
                    }
                    None => {
                        c.started = true;
                        if let Some(p) = c.spec.readiness_probe.clone() {
                            c.probes.push(ProbeWorker::new(ProbeKind::Readiness, p, worker_start, now));
                        }
                        if let Some(p) = c.spec.liveness_probe.clone().filter(|_| !opaque) {
                            c.probes.push(ProbeWorker::new(ProbeKind::Liveness, p, worker_start, now));
                        }
                    }
                }
                c.ready = c.started && c.spec.readiness_probe.is_none();
                rt.pass_changed_runtime = true;
                rt.status_dirty = true;
                // What the script does at once (touch, echo > file) is there
                // before anything can look.
                self.apply_effects(key, now);
                self.next_target(key, now);
            }
        }
    }

    /// startContainer up to the pull: restart back-off, then the image
    /// (EnsureImageExists), queueing the pull on the node's serial puller.
    fn begin_container(&mut self, api: &mut ApiServer, key: &PodKey, idx: usize) {
        let now = api.now();
        let rt = &self.pods[key];
        let c = &rt.containers[idx];
        let name = c.name().to_string();
        let image = c.image().to_string();
        // doBackOff for a container that ran before.
        if let Some(last) = c.last_exit().cloned() {
            let bkey = rt.backoff_key(idx);
            if !c.restart_now && self.crash_backoff.is_in_backoff_since(&bkey, last.finished_at, now) {
                let pod = rt.format_pod();
                let dur = go_string(self.crash_backoff.get(&bkey));
                self.event(api, key, Some(idx), WARNING, "BackOff", &format!("Back-off restarting failed container {name} in pod {pod}"));
                let message = format!("back-off {dur} restarting failed container={name} pod={pod}");
                self.fail_container(key, idx, "CrashLoopBackOff", message, now);
                return;
            }
            if !c.restart_now {
                self.crash_backoff.next(&bkey, last.finished_at, now);
            }
        }
        let r = match images::parse(&image) {
            Ok(r) => r,
            Err(e) => {
                let msg = format!("Failed to apply default image tag {image:?}: couldn't parse image name {image:?}: {e}");
                self.event(api, key, Some(idx), WARNING, "InspectFailed", &msg);
                self.event(api, key, Some(idx), WARNING, "Failed", "Error: InvalidImageName");
                self.fail_container(key, idx, "InvalidImageName", msg, now);
                return;
            }
        };
        let c = &self.pods[key].containers[idx];
        let policy = c.spec.image_pull_policy.clone().unwrap_or_else(|| {
            if apiserver::registry::pod::image_tag_is_latest(&image) { "Always".into() } else { "IfNotPresent".into() }
        });
        let present = self.images.contains(&r);
        if policy == "Never" || (present && policy == "IfNotPresent") {
            if present {
                let msg = format!("Container image {image:?} already present on machine and can be accessed by the pod");
                self.event(api, key, Some(idx), NORMAL, "Pulled", &msg);
                let d = self.rand_millis(30, 120);
                self.pods.get_mut(key).expect("present").pass.push_back((now + d, Step::Create(idx)));
            } else {
                let msg = format!("Container image {image:?} is not present with pull policy of Never");
                self.event(api, key, Some(idx), WARNING, "ErrImageNeverPull", &msg);
                self.event(api, key, Some(idx), WARNING, "Failed", "Error: ErrImageNeverPull");
                self.fail_container(key, idx, "ErrImageNeverPull", msg, now);
            }
            return;
        }
        let bkey = format!("{}_{}", self.pods[key].uid, image);
        if self.image_backoff.is_in_backoff_since_update(&bkey, now) {
            let msg = format!("Back-off pulling image {image:?}");
            self.event(api, key, Some(idx), NORMAL, "BackOff", &msg);
            self.event(api, key, Some(idx), WARNING, "Failed", "Error: ImagePullBackOff");
            self.fail_container(key, idx, "ImagePullBackOff", msg, now);
            return;
        }
        self.event(api, key, Some(idx), NORMAL, "Pulling", &format!("Pulling image {image:?}"));
        let (result, pull) = match images::availability(&r) {
            Availability::Exists { size_bytes } => {
                // A cached image only has its manifest resolved again.
                let d = if present {
                    self.rand_millis(250, 900)
                } else {
                    SignedDuration::from_millis(600 + (size_bytes / 25_000) as i64) + self.rand_millis(0, 500)
                };
                (Ok(size_bytes), d)
            }
            a => (Err(images::pull_error(&r, &a)), self.rand_millis(600, 1500)),
        };
        let start = self.puller_free_at.map_or(now, |t| t.max(now));
        let end = start + pull;
        self.puller_free_at = Some(end);
        let total = end.duration_since(now);
        self.pods.get_mut(key).expect("present").pass.push_back((end, Step::PullDone { idx, result, pull, total }));
    }

    /// A pod whose containers are all done for good goes terminal: its
    /// sandbox is stopped and its IP released (the IP stays in the status).
    fn check_terminal(&mut self, key: &PodKey) {
        let Some(rt) = self.pods.get_mut(key) else { return };
        if rt.is_static || rt.terminal || !rt.pass.is_empty() || rt.terminating_until.is_some() || !rt.sandbox_ready {
            return;
        }
        let phase = status::phase(rt, false);
        if phase == "Succeeded" || phase == "Failed" {
            rt.terminal = true;
            rt.sandbox_ready = false;
            rt.next_sync = None;
            rt.status_dirty = true;
            let uid = rt.uid.clone();
            if !rt.host_network() {
                self.ipam.release(&uid);
            }
        }
    }

    fn write_status(&mut self, api: &mut ApiServer, key: &PodKey, pod_is_terminal: bool) {
        let now = api.now();
        let Some(rt) = self.pods.get_mut(key) else { return };
        rt.status_dirty = false;
        let Ok(obj) = api.get(Kind::Pod, &key.0, &key.1) else { return };
        let Object::Pod(pod) = &*obj else { return };
        let ours = if rt.is_static {
            pod.metadata.annotations.as_ref().and_then(|a| a.get(CONFIG_MIRROR)) == Some(&rt.uid)
        } else {
            pod.metadata.uid.as_ref() == Some(&rt.uid)
        };
        if !ours {
            return;
        }
        let empty = PodStatus::default();
        let old = pod.status.as_ref().unwrap_or(&empty);
        let new = status::generate(rt, old, &self.config.internal_ip, now, pod_is_terminal);
        if pod.status.as_ref() != Some(&new) {
            let mut p = pod.clone();
            p.status = Some(new);
            let _ = api.update_status(Object::Pod(p));
        }
    }

    // ---- termination ----------------------------------------------------

    /// SyncTerminatingPod: Killing for each running container, SIGTERM, and
    /// SIGKILL when the grace period ends.
    fn begin_termination(&mut self, api: &mut ApiServer, key: &PodKey, pod: &Pod) {
        let now = api.now();
        if self.pods.get(key).is_none_or(|rt| rt.terminating_until.is_some()) {
            return;
        }
        let grace = pod.metadata.deletion_grace_period_seconds.unwrap_or(30).max(MINIMUM_GRACE_PERIOD_SECONDS);
        let running: Vec<usize> = self.pods[key].containers.iter().enumerate().filter(|(_, c)| c.is_running()).map(|(i, _)| i).collect();
        let mut until = now;
        for idx in running {
            let name = self.pods[key].containers[idx].name().to_string();
            self.event(api, key, Some(idx), NORMAL, "Killing", &format!("Stopping container {name}"));
            let quick = self.rand_millis(100, 900);
            let rt = self.pods.get_mut(key).expect("present");
            let c = &mut rt.containers[idx];
            let (at, code) = match c.instance.as_ref().and_then(|i| i.behaviour.as_ref()) {
                Some(b) if b.honours_sigterm => (now + quick, b.exit_code_on_stop),
                _ => (now + SignedDuration::from_secs(grace), 137),
            };
            // A process that ends on its own before the signal lands keeps its exit.
            let (at, code) = match c.exit_at {
                Some((e, ec)) if e <= at => (e, ec),
                _ => (at, code),
            };
            c.stop_at = Some((at, code));
            c.exit_at = None;
            until = until.max(at);
        }
        let rt = self.pods.get_mut(key).expect("present");
        rt.pass.clear();
        rt.pass_targets.clear();
        rt.pass_active = false;
        rt.next_sync = None;
        rt.terminating_until = Some(until);
        for c in rt.containers.iter_mut() {
            c.probes.clear();
        }
    }

    /// All containers stopped: final status, then the pod is deleted for good
    /// (the status manager's delete with grace 0 and a UID precondition).
    fn finish_termination(&mut self, api: &mut ApiServer, key: &PodKey) {
        let now = api.now();
        let Some(rt) = self.pods.get_mut(key) else { return };
        for c in rt.containers.iter_mut() {
            if let (ContainerState::Running { started_at }, Some((at, code))) = (&c.state, c.stop_at) {
                let container_id = c.instance.as_ref().map(|i| i.id.clone()).unwrap_or_default();
                c.state = ContainerState::Exited(Terminated {
                    exit_code: code,
                    reason: if code == 0 { "Completed" } else { "Error" }.into(),
                    started_at: *started_at,
                    finished_at: at.min(now),
                    container_id,
                });
            }
            c.stop_at = None;
            c.exit_at = None;
            c.ready = false;
            c.started = false;
        }
        rt.sandbox_ready = false;
        let uid = rt.uid.clone();
        self.write_status(api, key, true);
        let opts = DeleteOptions { grace_period_seconds: Some(0), precondition_uid: Some(uid.clone()), ..Default::default() };
        let _ = api.delete(Kind::Pod, &key.0, &key.1, &opts);
        if let Some(rt) = self.pods.remove(key) {
            self.release(&rt);
        }
        self.scheduled.remove(key);
        let _ = uid;
    }

    /// The pod vanished from the API: stop its containers at once.
    fn kill_now(&mut self, api: &mut ApiServer, rt: PodRuntime) {
        let key = rt.key.clone();
        let running: Vec<usize> = rt.containers.iter().enumerate().filter(|(_, c)| c.is_running() && rt.terminating_until.is_none()).map(|(i, _)| i).collect();
        for idx in running {
            let fp = rt.containers[idx].field_path();
            let msg = format!("Stopping container {}", rt.containers[idx].name());
            api.record_event(&rt.event_ref, Some(&fp), NORMAL, "Killing", &msg, &Reporter::kubelet(&self.config.name));
        }
        self.release(&rt);
        self.scheduled.remove(&key);
    }

    fn release(&mut self, rt: &PodRuntime) {
        if !rt.host_network() {
            self.ipam.release(&rt.uid);
        }
        self.image_backoff.forget_prefix(&format!("{}_", rt.uid));
        self.crash_backoff.forget_prefix(&format!("{}_{}_{}_", rt.key.1, rt.key.0, rt.uid));
    }
}

/// The running process of container `idx`, as exec, probes and the
/// network see it.
pub(crate) fn process_of(rt: &PodRuntime, idx: usize) -> Option<crate::ContainerProcess<'_>> {
    let c = rt.containers.get(idx)?;
    if !c.is_running() {
        return None;
    }
    let inst = c.instance.as_ref()?;
    let os = images::parse(c.image()).ok().map(|r| (rootfs::image_os(&r), rootfs::tools_complete(&r)));
    Some(crate::ContainerProcess {
        image: c.image(),
        instance_id: &inst.id,
        env: &inst.env,
        files: rt.files_view(idx)?,
        pod_ip: rt.ip.as_deref().unwrap_or(""),
        ready: c.ready,
        tools: os.as_ref().map_or(&[][..], |(o, _)| o.tools),
        tools_known: os.as_ref().is_some_and(|(_, complete)| *complete),
        connections: inst.connections,
    })
}

/// Stops a container now (spec change): it shows as exited with `exit_code`.
fn stop_container(rt: &mut PodRuntime, idx: usize, now: Timestamp, exit_code: i32) {
    let c = &mut rt.containers[idx];
    if let ContainerState::Running { started_at } = c.state {
        c.mark_exited(started_at, now, exit_code);
    }
}

/// computePodActions: the next init container, or every app container that
/// has not run or should run again.
fn containers_to_start(rt: &PodRuntime) -> Vec<usize> {
    if rt.terminal {
        return vec![];
    }
    let wants_start = |i: usize| {
        let c = &rt.containers[i];
        match &c.state {
            ContainerState::Running { .. } => false,
            ContainerState::Waiting { .. } => c.last_terminated.is_none() || rt.should_restart(i) || c.restart_now,
            ContainerState::Exited(_) => rt.should_restart(i) || c.restart_now,
        }
    };
    if let Some(i) = rt.pending_init() {
        if rt.any_regular_started() && rt.containers[i].sidecar {
            // A restarting sidecar of an initialised pod restarts alongside.
        } else {
            let mut v: Vec<usize> = (0..i).filter(|&j| rt.containers[j].sidecar && wants_start(j)).collect();
            if wants_start(i) {
                v.push(i);
            }
            return v;
        }
    }
    (0..rt.containers.len()).filter(|&i| (!rt.containers[i].init || rt.containers[i].sidecar) && wants_start(i)).collect()
}
