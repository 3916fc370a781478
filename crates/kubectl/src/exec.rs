//! `kubectl exec` (pkg/cmd/exec/exec.go) and the container choice it
//! shares with `logs` (pkg/cmd/util/podcmd/podcmd.go
//! FindOrDefaultContainerByName).
//!
//! kubectl checks the pod and picks the container; running the command
//! is the shell's business (it owns the in-container shell), so the
//! command comes back as a [`Waiting`] that carries an [`ExecRequest`]:
//! the shell takes it over, and any other caller sees a command that ends
//! at once.

use crate::errors::CmdError;
use crate::{Ctx, Output, Waiting};
use apimachinery::k8s_openapi::api::core::v1::Pod;
use apimachinery::selector::Selector;
use apimachinery::{ApiError, Kind, Object, Timestamp};
use world::World;

/// Annotation that names the default container (podcmd.go).
pub const DEFAULT_CONTAINER_ANNOTATION: &str = "kubectl.kubernetes.io/default-container";

/// What to run where: the shell runs it in the container.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecRequest {
    pub namespace: String,
    pub pod: String,
    pub container: String,
    pub node: String,
    pub command: Vec<String>,
    pub stdin: bool,
    pub tty: bool,
}

/// `kubectl exec`, waiting for the shell to take it over.
pub struct Exec {
    pub request: Option<ExecRequest>,
}

impl Waiting for Exec {
    fn poll(&mut self, _world: &World, _out: &mut Output) -> bool {
        // Not taken over (a caller without a shell): nothing runs.
        true
    }
    fn deadline(&self) -> Option<Timestamp> {
        None
    }
    fn take_exec(&mut self) -> Option<ExecRequest> {
        self.request.take()
    }
}

/// The pod a command is about: `nginx`, `pod/nginx`, or the first pod of
/// a workload or service (`deploy/web`), as polymorphichelpers'
/// AttachablePodForObject and GetFirstPod choose it (podutils.ByLogging:
/// running before pending, ready before not, then the oldest). Returns the
/// pod and how many matched.
pub(crate) fn get_pod_counted(ctx: &Ctx, namespace: &str, arg: &str) -> Result<(Pod, usize), CmdError> {
    let (kind_text, name) = match arg.split_once('/') {
        None => ("pod", arg),
        Some((k, n)) => (k, n),
    };
    let kind = match kind_text.to_ascii_lowercase().as_str() {
        "pod" | "pods" | "po" => Kind::Pod,
        "deployment" | "deployments" | "deploy" | "deployment.apps" => Kind::Deployment,
        "replicaset" | "replicasets" | "rs" | "replicaset.apps" => Kind::ReplicaSet,
        "daemonset" | "daemonsets" | "ds" | "daemonset.apps" => Kind::DaemonSet,
        "service" | "services" | "svc" => Kind::Service,
        other => return Err(CmdError::NoResourceType(other.to_string())),
    };
    let o = ctx.world.api().get(kind, namespace, name)?;
    let selector = match &*o {
        Object::Pod(p) => return Ok((p.clone(), 1)),
        Object::Deployment(d) => Some(Selector::from_label_selector(&d.spec.selector)),
        Object::ReplicaSet(r) => Some(Selector::from_label_selector(&r.spec.selector)),
        Object::DaemonSet(d) => Some(Selector::from_label_selector(&d.spec.selector)),
        Object::Service(s) => s.spec.as_ref().and_then(|sp| sp.selector.as_ref()).map(|m| Ok(Selector::from_map(m))),
        _ => None,
    };
    let selector = match selector {
        Some(Ok(s)) => s,
        _ => return Err(CmdError::msg(format!("cannot attach to {kind_text}/{name}: selector for {kind_text}/{name} not implemented"))),
    };
    let pods = first_pods(ctx, namespace, &selector);
    let n = pods.len();
    match pods.into_iter().next() {
        Some(p) => Ok((p, n)),
        None => Err(CmdError::msg(format!("timed out waiting for the condition"))),
    }
}

/// Pods matching `selector`, best first: GetFirstPod's
/// `sort.Reverse(podutils.ActivePods(pods))` (kubectl pkg/util/podutils).
/// Go sorts lists of up to 12 pods by insertion, which keeps ties in list
/// order; the stable sort here does the same for any length.
pub(crate) fn first_pods(ctx: &Ctx, namespace: &str, selector: &Selector) -> Vec<Pod> {
    let mut pods: Vec<Pod> = ctx
        .world
        .api()
        .list(Kind::Pod, Some(namespace), selector, &[])
        .map(|l| l.items.iter().filter_map(|o| if let Object::Pod(p) = &**o { Some(p.clone()) } else { None }).collect())
        .unwrap_or_default();
    apimachinery::sort::sort_by(&mut pods, |a, b| {
        if active_pods_less(b, a) {
            std::cmp::Ordering::Less
        } else if active_pods_less(a, b) {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        }
    });
    pods
}

/// podutils.go ActivePods.Less: whether `a` is a "less active" pod than `b`.
fn active_pods_less(a: &Pod, b: &Pod) -> bool {
    let node = |p: &Pod| p.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_default();
    let (node_a, node_b) = (node(a), node(b));
    // 1. Unassigned < assigned.
    if node_a != node_b && (node_a.is_empty() || node_b.is_empty()) {
        return node_a.is_empty();
    }
    // 2. Pending < Unknown < Running (any other phase counts as Pending: a Go map's zero).
    let phase = |p: &Pod| match p.status.as_ref().and_then(|s| s.phase.as_deref()) {
        Some("Unknown") => 1,
        Some("Running") => 2,
        _ => 0,
    };
    if phase(a) != phase(b) {
        return phase(a) < phase(b);
    }
    // 3. Not ready < ready.
    let ready_since = |p: &Pod| {
        p.status.as_ref().and_then(|s| s.conditions.as_ref()).and_then(|cs| cs.iter().find(|c| c.type_ == "Ready" && c.status == "True")).map(|c| c.last_transition_time.as_ref().map(|t| t.0))
    };
    let (ready_a, ready_b) = (ready_since(a), ready_since(b));
    if ready_a.is_some() != ready_b.is_some() {
        return ready_a.is_none();
    }
    // 4. Deleting < not deleting; 5. older deletion < newer.
    let deleting = |p: &Pod| p.metadata.deletion_timestamp.as_ref().map(|t| t.0);
    let (del_a, del_b) = (deleting(a), deleting(b));
    if del_a.is_some() != del_b.is_some() {
        return del_a.is_some();
    }
    if let (Some(x), Some(y)) = (del_a, del_b)
        && x != y
    {
        return x < y;
    }
    // afterOrZero: t1 after t2, a zero time counting as after any other.
    let after_or_zero = |t1: Option<apimachinery::Timestamp>, t2: Option<apimachinery::Timestamp>| match (t1, t2) {
        (None, _) | (_, None) => t1.is_none(),
        (Some(x), Some(y)) => x > y,
    };
    // 6. Both ready: the more recently ready is smaller.
    if let (Some(x), Some(y)) = (ready_a, ready_b)
        && x != y
    {
        return after_or_zero(x, y);
    }
    // 7. More container restarts < fewer (regular, then sidecar containers).
    let restarts = |p: &Pod| {
        let st = p.status.clone().unwrap_or_default();
        let regular = st.container_statuses.iter().flatten().map(|c| c.restart_count).max().unwrap_or(0);
        let sidecars: Vec<&String> = p.spec.iter().flat_map(|s| s.init_containers.iter().flatten()).filter(|c| c.restart_policy.as_deref() == Some("Always")).map(|c| &c.name).collect();
        let sidecar = st.init_container_statuses.iter().flatten().filter(|c| sidecars.contains(&&c.name)).map(|c| c.restart_count).max().unwrap_or(0);
        (regular, sidecar)
    };
    let (ra, rb) = (restarts(a), restarts(b));
    if ra.0 != rb.0 {
        return ra.0 > rb.0;
    }
    if ra.1 != rb.1 {
        return ra.1 > rb.1;
    }
    // 8. Newer < older (a missing creation time counts as newest).
    let created = |p: &Pod| p.metadata.creation_timestamp.as_ref().map(|t| t.0);
    if created(a) != created(b) {
        return after_or_zero(created(a), created(b));
    }
    false
}

pub(crate) fn get_pod(ctx: &Ctx, namespace: &str, arg: &str) -> Result<Pod, CmdError> {
    get_pod_counted(ctx, namespace, arg).map(|(p, _)| p)
}

/// The container to use: `-c`, else the default-container annotation,
/// else the only one, else the first (with kubectl's "Defaulted container"
/// notice on stderr).
pub(crate) fn pick_container(pod: &Pod, requested: Option<&str>, out: &mut Output) -> Result<String, CmdError> {
    let spec = pod.spec.clone().unwrap_or_default();
    let name = pod.metadata.name.clone().unwrap_or_default();
    let mut all: Vec<String> = spec.containers.iter().map(|c| c.name.clone()).collect();
    all.extend(spec.init_containers.iter().flatten().map(|c| format!("{} (init)", c.name)));
    all.extend(spec.ephemeral_containers.iter().flatten().map(|c| format!("{} (ephem)", c.name)));
    if let Some(c) = requested {
        let known = spec.containers.iter().map(|c| &c.name).chain(spec.init_containers.iter().flatten().map(|c| &c.name)).chain(spec.ephemeral_containers.iter().flatten().map(|c| &c.name)).any(|n| n == c);
        if !known {
            return Err(CmdError::msg(format!("container {c} is not valid for pod {name} out of: {}", all.join(", "))));
        }
        return Ok(c.to_string());
    }
    if let Some(d) = pod.metadata.annotations.as_ref().and_then(|a| a.get(DEFAULT_CONTAINER_ANNOTATION)) {
        if spec.containers.iter().any(|c| &c.name == d) {
            return Ok(d.clone());
        }
    }
    let Some(first) = spec.containers.first() else { return Err(CmdError::msg(format!("pod {name} has no containers"))) };
    if all.len() > 1 {
        out.errln(&format!("Defaulted container \"{}\" out of: {}", first.name, all.join(", ")));
    }
    Ok(first.name.clone())
}

pub fn run(ctx: &mut Ctx, args: &crate::args::Args, rest: &[String], out: &mut Output) -> Result<Option<Box<dyn Waiting>>, CmdError> {
    let usage = "\nSee 'kubectl exec -h' for help and examples";
    if rest.len() > 1 && args.after_dash.is_none() {
        return Err(CmdError::Raw(format!("error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead{usage}")));
    }
    let Some(target) = rest.first() else {
        return Err(CmdError::Raw(format!("error: pod, type/name or --filename must be specified{usage}")));
    };
    let command = args.after_dash.clone().unwrap_or_default();
    if command.is_empty() {
        return Err(CmdError::Raw(format!("error: you must specify at least one command for the container{usage}")));
    }
    let ns = ctx.namespace(args);
    let pod = get_pod(ctx, &ns, target)?;
    let phase = pod.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default();
    if phase == "Succeeded" || phase == "Failed" {
        return Err(CmdError::msg(format!("cannot exec into a container in a completed pod; current phase is {phase}")));
    }
    let name = pod.metadata.name.clone().unwrap_or_default();
    let node = pod.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_default();
    if node.is_empty() {
        return Err(CmdError::Api(ApiError::bad_request(format!("pod {name} does not have a host assigned"))));
    }
    let container = pick_container(&pod, args.get("container"), out)?;
    let running = ctx.world.kubelet(&node).and_then(|k| k.container_process(&ns, &name, &container)).is_some();
    if !running {
        return Err(CmdError::msg(format!("unable to upgrade connection: container not found (\"{container}\")")));
    }
    let request = ExecRequest { namespace: ns, pod: name, container, node, command, stdin: args.flag("stdin"), tty: args.flag("tty") };
    Ok(Some(Box::new(Exec { request: Some(request) })))
}
