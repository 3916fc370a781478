//! The kubelet's view of one pod on its node: the sandbox, each container's
//! runtime state (containerd's answer to "what is running"), and the
//! in-flight steps of the current sync (pkg/kubelet/kuberuntime
//! kuberuntime_manager.go SyncPod: create sandbox, pull, create, start).

use crate::behaviour::{Behaviour, Effect, Periodic};
use crate::rootfs::{FilesView, Mount, VolumeFiles};
use crate::probes::ProbeWorker;
use apimachinery::k8s_openapi::api::core::v1::{Container, PodSpec};
use apimachinery::{Object, SignedDuration, Timestamp};
use std::collections::{BTreeMap, VecDeque};

/// Namespace and name of a pod object.
pub type PodKey = (String, String);

#[derive(Clone, Debug, PartialEq)]
pub struct Terminated {
    pub exit_code: i32,
    pub reason: String,
    pub started_at: Timestamp,
    pub finished_at: Timestamp,
    pub container_id: String,
}

/// One run of a container (containerd's container object).
#[derive(Clone, Debug)]
pub struct Instance {
    /// 64 hex digits.
    pub id: String,
    /// `docker.io/library/nginx:latest`.
    pub image: String,
    /// `docker.io/library/nginx@sha256:…`.
    pub image_id: String,
    pub started_at: Option<Timestamp>,
    pub logs: Vec<String>,
    pub periodic: Option<Periodic>,
    pub behaviour: Option<Behaviour>,
    /// The process environment (image ENV, HOSTNAME, `env`, service
    /// variables, HOME), set at start.
    pub env: Vec<(String, String)>,
    /// The container's writable filesystem as far as kubeplay models it:
    /// path → content (rootfs.rs initial_files, then what `exec` writes).
    pub files: BTreeMap<String, String>,
    /// What the main process still has to do, at offsets from its start
    /// (files its script writes or removes, lines it prints), in order.
    pub effects: VecDeque<(SignedDuration, Effect)>,
    /// Connections its server accepted (nginx's `*N` counter).
    pub connections: u64,
}

impl Instance {
    /// One connection its server accepted, and the lines it logged for it
    /// (the oldest lines go beyond the log's cap).
    pub fn served(&mut self, lines: impl IntoIterator<Item = String>) {
        self.connections += 1;
        self.logs.extend(lines);
        if self.logs.len() > crate::MAX_CONTAINER_LOG_LINES {
            let extra = self.logs.len() - crate::MAX_CONTAINER_LOG_LINES;
            self.logs.drain(..extra);
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ContainerState {
    Waiting { reason: String, message: Option<String> },
    Running { started_at: Timestamp },
    Exited(Terminated),
}

#[derive(Clone, Debug)]
pub struct ContainerRuntime {
    pub spec: Container,
    pub init: bool,
    /// An init container with `restartPolicy: Always` (a sidecar).
    pub sidecar: bool,
    pub state: ContainerState,
    pub restart_count: i32,
    pub last_terminated: Option<Terminated>,
    pub instance: Option<Instance>,
    pub previous_logs: Vec<String>,
    /// When a running container's process ends on its own, and its code.
    pub exit_at: Option<(Timestamp, i32)>,
    /// When a container being stopped is gone, and its exit code.
    pub stop_at: Option<(Timestamp, i32)>,
    pub ready: bool,
    pub started: bool,
    pub probes: Vec<ProbeWorker>,
    /// The spec changed: restart without waiting for back-off.
    pub restart_now: bool,
    /// Its volumeMounts of volumes kubeplay models (emptyDir).
    pub mounts: Vec<Mount>,
}

impl ContainerRuntime {
    /// The container's process ended at `finished_at` with `exit_code`:
    /// it shows as terminated (Completed for 0, else Error), not ready,
    /// with its timers and probes gone.
    pub fn mark_exited(&mut self, started_at: Timestamp, finished_at: Timestamp, exit_code: i32) {
        let container_id = self.instance.as_ref().map(|i| i.id.clone()).unwrap_or_default();
        self.state = ContainerState::Exited(Terminated {
            exit_code,
            reason: if exit_code == 0 { "Completed" } else { "Error" }.into(),
            started_at,
            finished_at,
            container_id,
        });
        self.exit_at = None;
        self.stop_at = None;
        self.ready = false;
        self.started = false;
        self.probes.clear();
    }

    pub fn new(spec: Container, init: bool, has_init_containers: bool) -> ContainerRuntime {
        let sidecar = init && spec.restart_policy.as_deref() == Some("Always");
        // convertToAPIContainerStatuses: the default waiting reason.
        let reason = if has_init_containers { "PodInitializing" } else { "ContainerCreating" };
        ContainerRuntime {
            spec,
            init,
            sidecar,
            state: ContainerState::Waiting { reason: reason.into(), message: None },
            restart_count: 0,
            last_terminated: None,
            instance: None,
            previous_logs: vec![],
            exit_at: None,
            stop_at: None,
            ready: false,
            started: false,
            probes: vec![],
            restart_now: false,
            mounts: vec![],
        }
    }
    pub fn name(&self) -> &str {
        &self.spec.name
    }
    pub fn image(&self) -> &str {
        self.spec.image.as_deref().unwrap_or("")
    }
    pub fn is_running(&self) -> bool {
        matches!(self.state, ContainerState::Running { .. })
    }
    /// The last exit of this container, whether shown as the state or kept
    /// as lastState while waiting to restart.
    pub fn last_exit(&self) -> Option<&Terminated> {
        match &self.state {
            ContainerState::Exited(t) => Some(t),
            _ => self.last_terminated.as_ref(),
        }
    }
    /// `spec.containers{name}` / `spec.initContainers{name}`.
    pub fn field_path(&self) -> String {
        if self.init { format!("spec.initContainers{{{}}}", self.spec.name) } else { format!("spec.containers{{{}}}", self.spec.name) }
    }
}

/// What the current sync still has to do, each step at its time.
#[derive(Clone, Debug)]
pub enum Step {
    SandboxReady,
    /// Ensure the image of container `idx`, then create and start it.
    Begin(usize),
    PullDone { idx: usize, result: Result<u64, String>, pull: SignedDuration, total: SignedDuration },
    Create(usize),
    Start(usize),
}

#[derive(Clone, Debug)]
pub struct PodRuntime {
    pub key: PodKey,
    /// The pod UID the kubelet knows: the API UID, or for a static pod the
    /// manifest hash (kubernetes.io/config.hash).
    pub uid: String,
    pub is_static: bool,
    /// What events are about (the pod as last seen, or the static pod).
    pub event_ref: Object,
    pub spec: PodSpec,
    pub generation: Option<i64>,
    /// When the kubelet first synced the pod (status.startTime).
    pub start_time: Timestamp,
    pub sandbox_ready: bool,
    pub ip: Option<String>,
    /// Init containers first, then app containers.
    pub containers: Vec<ContainerRuntime>,
    pub n_init: usize,
    pub pass: VecDeque<(Timestamp, Step)>,
    /// Containers the current sync will still try to start, in order.
    pub pass_targets: VecDeque<usize>,
    pub pass_active: bool,
    pub pass_changed_runtime: bool,
    pub pass_had_error: bool,
    pub next_sync: Option<Timestamp>,
    /// Graceful stop under way: when the last container is gone.
    pub terminating_until: Option<Timestamp>,
    /// Succeeded or Failed: nothing restarts any more.
    pub terminal: bool,
    pub status_dirty: bool,
    /// The pod's emptyDir volumes, by name: they live as long as the pod,
    /// shared by every container that mounts them.
    pub volumes: BTreeMap<String, VolumeFiles>,
}

impl PodRuntime {
    pub fn new(key: PodKey, uid: String, is_static: bool, event_ref: Object, spec: PodSpec, generation: Option<i64>, now: Timestamp) -> PodRuntime {
        let inits: Vec<Container> = spec.init_containers.clone().unwrap_or_default();
        let has_init = !inits.is_empty();
        let n_init = inits.len();
        let mut containers: Vec<ContainerRuntime> = inits.into_iter().map(|c| ContainerRuntime::new(c, true, has_init)).collect();
        containers.extend(spec.containers.iter().cloned().map(|c| ContainerRuntime::new(c, false, has_init)));
        // emptyDir volumes exist from the pod's start (volume manager's
        // WaitForAttachAndMount before any container runs).
        let volumes: BTreeMap<String, VolumeFiles> =
            spec.volumes.iter().flatten().filter(|v| v.empty_dir.is_some()).map(|v| (v.name.clone(), VolumeFiles::new())).collect();
        for c in containers.iter_mut() {
            c.mounts = c
                .spec
                .volume_mounts
                .iter()
                .flatten()
                .filter(|m| volumes.contains_key(&m.name))
                .map(|m| Mount {
                    path: crate::rootfs::clean_mount_path(&m.mount_path),
                    volume: m.name.clone(),
                    sub_path: m.sub_path.clone().unwrap_or_default().trim_matches('/').to_string(),
                    read_only: m.read_only == Some(true),
                })
                .collect();
        }
        PodRuntime {
            key,
            uid,
            is_static,
            event_ref,
            spec,
            generation,
            start_time: now,
            sandbox_ready: false,
            ip: None,
            containers,
            n_init,
            pass: VecDeque::new(),
            pass_targets: VecDeque::new(),
            pass_active: false,
            pass_changed_runtime: false,
            pass_had_error: false,
            next_sync: Some(now),
            terminating_until: None,
            terminal: false,
            status_dirty: true,
            volumes,
        }
    }

    /// What container `idx` sees of its files and volumes.
    pub fn files_view(&self, idx: usize) -> Option<FilesView<'_>> {
        let c = self.containers.get(idx)?;
        let inst = c.instance.as_ref()?;
        let mounts = c.mounts.iter().filter_map(|m| self.volumes.get(&m.volume).map(|v| (m, v))).collect();
        Some(FilesView { own: &inst.files, mounts })
    }

    /// Writes (or with `content` None removes) a file as container `idx`
    /// does: into the volume mounted there, or its writable layer. Removing
    /// a directory removes what is below it (`rm -rf`). A read-only mount
    /// refuses the write.
    pub fn write_file(&mut self, idx: usize, path: &str, content: Option<String>) -> Result<(), String> {
        let Some(c) = self.containers.get_mut(idx) else { return Ok(()) };
        let (store, key) = match crate::rootfs::locate(&c.mounts, path) {
            Some((m, key)) => {
                if m.read_only {
                    return Err(format!("{path}: Read-only file system"));
                }
                let Some(v) = self.volumes.get_mut(&m.volume) else { return Ok(()) };
                (v, key)
            }
            None => {
                let Some(inst) = c.instance.as_mut() else { return Ok(()) };
                (&mut inst.files, path.to_string())
            }
        };
        match content {
            Some(text) => {
                if store.len() >= crate::rootfs::MAX_FILES || text.len() > crate::rootfs::MAX_FILE_BYTES {
                    return Err(format!("{path}: No space left on device"));
                }
                store.insert(key, text);
            }
            None => {
                let below = format!("{key}/");
                store.retain(|k, _| *k != key && !k.starts_with(&below));
            }
        }
        Ok(())
    }

    /// Replaces everything container `idx` sees with `files` (what an exec
    /// session left): each path goes back to the volume or layer it lives in.
    pub fn set_files(&mut self, idx: usize, files: &BTreeMap<String, String>) {
        let Some(before) = self.files_view(idx).map(|v| v.to_map()) else { return };
        for path in before.keys().filter(|p| !files.contains_key(*p)) {
            let _ = self.write_file(idx, path, None);
        }
        for (path, content) in files {
            if before.get(path) != Some(content) {
                let _ = self.write_file(idx, path, Some(content.clone()));
            }
        }
    }

    pub fn restart_policy(&self) -> &str {
        self.spec.restart_policy.as_deref().unwrap_or("Always")
    }

    pub fn host_network(&self) -> bool {
        self.spec.host_network == Some(true)
    }

    /// `format.Pod`: `name_namespace(uid)`.
    pub fn format_pod(&self) -> String {
        format!("{}_{}({})", self.key.1, self.key.0, self.uid)
    }

    /// The container back-off key (getStableKey without the spec hash, which
    /// a restart-worthy spec change resets through `restart_now`).
    pub fn backoff_key(&self, idx: usize) -> String {
        format!("{}_{}_{}_{}", self.key.1, self.key.0, self.uid, self.containers[idx].name())
    }

    /// Whether container `idx` should run again after exiting
    /// (kubecontainer.ShouldContainerBeRestarted).
    pub fn should_restart(&self, idx: usize) -> bool {
        let c = &self.containers[idx];
        if c.sidecar {
            return true;
        }
        let failed = c.last_exit().is_some_and(|t| t.exit_code != 0);
        match self.restart_policy() {
            "Always" => !c.init || failed,
            "OnFailure" => failed,
            _ => false,
        }
    }

    /// The next regular init container not yet done, if initialisation is incomplete.
    pub fn pending_init(&self) -> Option<usize> {
        (0..self.n_init).find(|&i| {
            let c = &self.containers[i];
            if c.sidecar {
                return !(c.is_running() && c.started);
            }
            !matches!(&c.state, ContainerState::Exited(t) if t.exit_code == 0)
        })
    }

    /// Whether any regular container has run (HasAnyRegularContainerStarted).
    pub fn any_regular_started(&self) -> bool {
        self.containers[self.n_init..].iter().any(|c| c.instance.as_ref().is_some_and(|i| i.started_at.is_some()))
    }

    /// The earliest time something is due in this pod.
    pub fn next_due(&self) -> Option<Timestamp> {
        let mut due: Option<Timestamp> = None;
        let mut consider = |t: Option<Timestamp>| {
            if let Some(t) = t {
                due = Some(due.map_or(t, |d: Timestamp| d.min(t)));
            }
        };
        consider(self.pass.front().map(|(t, _)| *t));
        consider(self.next_sync);
        consider(self.terminating_until);
        for c in &self.containers {
            if c.is_running() {
                consider(c.exit_at.map(|(t, _)| t));
                consider(c.stop_at.map(|(t, _)| t));
                for p in &c.probes {
                    consider(Some(p.next_tick));
                }
            }
        }
        due
    }
}
