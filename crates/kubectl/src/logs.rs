//! `kubectl logs` (pkg/cmd/logs/logs.go), with the kubelet's answers
//! (pkg/kubelet/kubelet_pods.go validateContainerLogStatus) for containers
//! that have no log to show. `-f` streams: it is a [`Waiting`] that runs
//! until interrupted, or until the container stops.

use crate::errors::CmdError;
use crate::exec::{get_pod_counted, pick_container};
use apimachinery::k8s_openapi::api::core::v1::Pod;
use crate::{Ctx, Output, Waiting};
use apimachinery::{ApiError, Timestamp};
use world::World;

/// `--tail` lines of `lines` (-1: all).
fn tail(lines: &[String], n: i64) -> &[String] {
    if n < 0 || n as usize >= lines.len() { lines } else { &lines[lines.len() - n as usize..] }
}

fn print(lines: &[String], out: &mut Output) {
    for l in lines {
        out.outln(l);
    }
}

/// Where a followed log stands: the container instance being read and how
/// many of its lines were already sent.
#[derive(Clone, Debug)]
pub struct LogCursor {
    pub node: String,
    pub namespace: String,
    pub pod: String,
    pub container: String,
    instance: Option<String>,
    seen: usize,
}

impl LogCursor {
    /// The lines written since the last call, and whether the stream is
    /// over (the container stopped or was replaced).
    pub fn poll(&mut self, world: &World) -> (Vec<String>, bool) {
        let Some(k) = world.kubelet(&self.node) else { return (vec![], true) };
        let lines = k.container_log(&self.namespace, &self.pod, &self.container);
        let instance = k.container_process(&self.namespace, &self.pod, &self.container).map(|p| p.instance_id.to_string());
        let new = lines.get(self.seen..).map(<[String]>::to_vec).unwrap_or_default();
        self.seen = self.seen.max(lines.len());
        (new, instance.is_none() || instance != self.instance)
    }
}

/// `logs -f`: prints lines as the container writes them.
struct Follow(LogCursor);

impl Waiting for Follow {
    fn poll(&mut self, world: &World, out: &mut Output) -> bool {
        let (lines, ended) = self.0.poll(world);
        print(&lines, out);
        ended
    }
    fn deadline(&self) -> Option<Timestamp> {
        None
    }
    fn until_interrupted(&self) -> bool {
        true
    }
}

/// `-f` (alone or in a group such as `-fp`) spelled as `--follow`.
pub fn follow_shorthand(argv: &[String]) -> Vec<String> {
    let mut out = vec![];
    for (i, a) in argv.iter().enumerate() {
        if a == "--" {
            out.extend(argv[i..].iter().cloned());
            break;
        }
        match a.strip_prefix('-') {
            Some(short) if !short.starts_with('-') && short.contains('f') && short.chars().all(|c| c.is_ascii_alphabetic()) => {
                out.push("--follow".to_string());
                let rest: String = short.chars().filter(|c| *c != 'f').collect();
                if !rest.is_empty() {
                    out.push(format!("-{rest}"));
                }
            }
            _ => out.push(a.clone()),
        }
    }
    out
}

pub fn run(ctx: &mut Ctx, args: &crate::args::Args, rest: &[String], out: &mut Output) -> Result<Option<Box<dyn Waiting>>, CmdError> {
    let ns = ctx.namespace(args);
    if let Some(sel) = args.get("selector") {
        if !rest.is_empty() {
            return Err(CmdError::msg("only a selector (-l) or a POD name is allowed"));
        }
        // logs.go: with a selector the default --tail is 10.
        let tail_n = parse_tail(args, 10)?;
        let selector = apimachinery::selector::Selector::parse(sel).map_err(CmdError::msg)?;
        // logs.go visits a selector's pods in the order the list returns them.
        let pods: Vec<Pod> = ctx
            .world
            .api()
            .list(apimachinery::Kind::Pod, Some(&ns), &selector, &[])
            .map(|l| l.items.iter().filter_map(|o| if let apimachinery::Object::Pod(p) = &**o { Some(p.clone()) } else { None }).collect())
            .unwrap_or_default();
        if pods.is_empty() {
            out.errln(&format!("No resources found in {ns} namespace."));
            return Ok(None);
        }
        for pod in pods {
            let container = pick_container(&pod, args.get("container"), out)?;
            one(ctx, &ns, &pod, &container, args, tail_n, out)?;
        }
        return Ok(None);
    }
    let Some(target) = rest.first() else {
        return Err(CmdError::Raw(
            "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples".into(),
        ));
    };
    if rest.len() > 1 && args.get("container").is_some() {
        return Err(CmdError::msg("only one of -c or an inline [CONTAINER] arg is allowed"));
    }
    let tail_n = parse_tail(args, -1)?;
    let (pod, matched) = get_pod_counted(ctx, &ns, target).map_err(|e| match e {
        // logs.go wraps the Get error in its own text.
        CmdError::Api(a) if a.reason == apimachinery::Reason::NotFound => CmdError::msg(format!("error from server (NotFound): {} in namespace \"{ns}\"", a.message)),
        other => other,
    })?;
    if matched > 1 {
        out.errln(&format!("Found {matched} pods, using pod/{}", pod.metadata.name.as_deref().unwrap_or("")));
    }
    let requested = args.get("container").map(str::to_string).or_else(|| rest.get(1).cloned());
    let container = pick_container(&pod, requested.as_deref(), out)?;
    one(ctx, &ns, &pod, &container, args, tail_n, out)
}

fn parse_tail(args: &crate::args::Args, default: i64) -> Result<i64, CmdError> {
    let n: i64 = match args.get("tail") {
        Some(t) => t.parse().map_err(|_| CmdError::msg(format!("invalid argument \"{t}\" for \"--tail\" flag: strconv.ParseInt: parsing \"{t}\": invalid syntax")))?,
        None => default,
    };
    if n < -1 {
        return Err(CmdError::msg("--tail must be greater than or equal to -1"));
    }
    Ok(n)
}

/// The log of one container as the kubelet serves it (pods/log), or its
/// reason there is none (kubelet_pods.go validateContainerLogStatus); with
/// a cursor to follow it when the container is running.
pub fn read_container_log(world: &World, ns: &str, pod: &Pod, container: &str, previous: bool) -> Result<(Vec<String>, Option<LogCursor>), ApiError> {
    let name = pod.metadata.name.clone().unwrap_or_default();
    let node = pod.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_default();
    let bad = |m: String| ApiError::bad_request(m);
    if node.is_empty() {
        return Err(bad(format!("pod {name} does not have a host assigned")));
    }
    let Some(kubelet) = world.kubelet(&node) else { return Err(bad(format!("pod {name} does not have a host assigned"))) };
    let Some(view) = kubelet.container_view(ns, &name, container) else {
        return Err(bad(format!("container \"{container}\" in pod \"{name}\" is not available")));
    };
    if previous {
        if view.restart_count == 0 {
            return Err(bad(format!("previous terminated container \"{container}\" in pod \"{name}\" not found")));
        }
        return Ok((kubelet.container_log_previous(ns, &name, container), None));
    }
    let lines = match view.state.as_str() {
        "Waiting" if view.restart_count > 0 => kubelet.container_log_previous(ns, &name, container),
        "Waiting" => {
            let reason = match view.reason.as_deref().unwrap_or("") {
                "ErrImagePull" => "image can't be pulled".to_string(),
                "ImagePullBackOff" => "trying and failing to pull image".to_string(),
                r => r.to_string(),
            };
            return Err(bad(format!("container \"{container}\" in pod \"{name}\" is waiting to start: {reason}")));
        }
        _ => kubelet.container_log(ns, &name, container),
    };
    let cursor = (view.state == "Running").then(|| LogCursor {
        node,
        namespace: ns.to_string(),
        pod: name.clone(),
        container: container.to_string(),
        instance: kubelet.container_process(ns, &name, container).map(|p| p.instance_id.to_string()),
        seen: lines.len(),
    });
    Ok((lines, cursor))
}

/// The log of one container, or the kubelet's reason there is none.
fn one(ctx: &Ctx, ns: &str, pod: &Pod, container: &str, args: &crate::args::Args, tail_n: i64, out: &mut Output) -> Result<Option<Box<dyn Waiting>>, CmdError> {
    let (lines, cursor) = read_container_log(ctx.world, ns, pod, container, args.flag("previous"))?;
    print(tail(&lines, tail_n), out);
    match cursor {
        Some(c) if args.flag("follow") && !args.flag("previous") => Ok(Some(Box::new(Follow(c)))),
        _ => Ok(None),
    }
}
