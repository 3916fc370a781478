//! `kubectl rollout status|history|undo|pause|resume|restart` for
//! Deployments (staging/src/k8s.io/kubectl/pkg/polymorphichelpers:
//! rollout_status.go, history.go, rollback.go).

use crate::args::Args;
use crate::builder::{self, Target};
use crate::errors::CmdError;
use crate::{Ctx, Output};
use apimachinery::k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use apimachinery::selector::Selector;
use apimachinery::{Kind, Object, SignedDuration, Timestamp, meta};
use apiserver::{PatchType, WriteOptions};
use serde_json::{Value, json};

/// Bound on how long `rollout status` waits, in simulated time.
pub const STATUS_WAIT_LIMIT_SECONDS: i64 = 3600;

const REVISION: &str = "deployment.kubernetes.io/revision";
const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";

pub fn run(ctx: &mut Ctx, args: &Args, rest: &[String], out: &mut Output) -> Result<Option<Box<dyn crate::Waiting>>, CmdError> {
    let sub = rest.first().map(String::as_str).unwrap_or("");
    let targets = builder::targets(&rest.get(1..).unwrap_or(&[]).to_vec())?;
    if targets.is_empty() {
        if sub == "status" {
            // rollout_status.go checks for a resource before building one.
            return Err(CmdError::msg("required resource not specified"));
        }
        return Err(CmdError::no_resources());
    }
    let ns = ctx.namespace(args);
    let mut status_of = std::collections::VecDeque::new();
    for t in targets {
        let Target::Named(kind, name) = t else {
            return Err(CmdError::msg("resource(s) were provided, but no name was specified"));
        };
        if kind != Kind::Deployment {
            return Err(CmdError::msg(format!("no {} found for {}", sub, kind.info().name)));
        }
        match sub {
            "status" => status_of.push_back(name),
            "history" => history(ctx, args, &ns, &name, out)?,
            "undo" => undo(ctx, args, &ns, &name, out)?,
            "pause" | "resume" => pause(ctx, &ns, &name, sub == "pause", out)?,
            "restart" => restart(ctx, &ns, &name, out)?,
            other => return Err(CmdError::Raw(format!("error: unknown command \"{other}\" for \"kubectl rollout\""))),
        }
    }
    if status_of.is_empty() {
        return Ok(None);
    }
    let limit = args
        .get("timeout")
        .and_then(parse_go_duration)
        .filter(|t| *t > SignedDuration::ZERO)
        .unwrap_or(SignedDuration::from_secs(STATUS_WAIT_LIMIT_SECONDS));
    Ok(Some(Box::new(RolloutStatus { namespace: ns, names: status_of, watch: args.get("watch") != Some("false"), limit, current: None })))
}

fn deployment(world: &world::World, ns: &str, name: &str) -> Result<Deployment, CmdError> {
    match &*world.api().get(Kind::Deployment, ns, name)? {
        Object::Deployment(d) => Ok(d.clone()),
        _ => unreachable!("the store keys objects by kind"),
    }
}

/// One evaluation of DeploymentStatusViewer.Status: (message, done).
fn status_message(d: &Deployment) -> Result<(String, bool), CmdError> {
    let name = d.metadata.name.clone().unwrap_or_default();
    let status = d.status.clone().unwrap_or_default();
    if d.metadata.generation.unwrap_or(0) <= status.observed_generation.unwrap_or(0) {
        let progressing = status.conditions.iter().flatten().find(|c| c.type_.as_deref() == Some("Progressing"));
        if progressing.is_some_and(|c| c.reason.as_deref() == Some("ProgressDeadlineExceeded")) {
            return Err(CmdError::msg(format!("deployment \"{name}\" exceeded its progress deadline")));
        }
        let replicas = d.spec.replicas.unwrap_or(1);
        let updated = status.updated_replicas.unwrap_or(0);
        let total = status.replicas.unwrap_or(0);
        let available = status.available_replicas.unwrap_or(0);
        if updated < replicas {
            return Ok((format!("Waiting for deployment \"{name}\" rollout to finish: {updated} out of {replicas} new replicas have been updated...\n"), false));
        }
        if total > updated {
            return Ok((format!("Waiting for deployment \"{name}\" rollout to finish: {} old replicas are pending termination...\n", total - updated), false));
        }
        if available < updated {
            return Ok((format!("Waiting for deployment \"{name}\" rollout to finish: {available} of {updated} updated replicas are available...\n"), false));
        }
        return Ok((format!("deployment \"{name}\" successfully rolled out\n"), true));
    }
    Ok(("Waiting for deployment spec update to be observed...\n".to_string(), false))
}

/// `rollout status`: prints the Deployment's progress as it changes until
/// it is rolled out, for each named Deployment in turn
/// (rollout_status.go: a watch on the object with a timeout).
struct RolloutStatus {
    namespace: String,
    names: std::collections::VecDeque<String>,
    watch: bool,
    limit: SignedDuration,
    /// The Deployment being watched: name, watch revision, deadline.
    current: Option<(String, u64, Timestamp)>,
}

impl crate::Waiting for RolloutStatus {
    fn poll(&mut self, world: &world::World, out: &mut Output) -> bool {
        match self.step(world, out) {
            Ok(done) => done,
            Err(e) => {
                out.fail(&e);
                true
            }
        }
    }
    fn deadline(&self) -> Option<Timestamp> {
        self.current.as_ref().map(|(_, _, d)| *d)
    }
}

impl RolloutStatus {
    fn step(&mut self, world: &world::World, out: &mut Output) -> Result<bool, CmdError> {
        loop {
            let Some((name, since, deadline)) = self.current.clone() else {
                let Some(name) = self.names.pop_front() else { return Ok(true) };
                let d = deployment(world, &self.namespace, &name)?;
                let (msg, done) = status_message(&d)?;
                out.out(&msg);
                if !done && self.watch {
                    self.current = Some((name, world.api().store().revision(), world.now() + self.limit));
                }
                continue;
            };
            let fields = vec![apimachinery::selector::FieldRequirement { field: "metadata.name".into(), equals: true, value: name.clone() }];
            let events = world.api().watch_events(Kind::Deployment, Some(&self.namespace), &Selector::everything(), &fields, since)?;
            self.current = Some((name, world.api().store().revision(), deadline));
            let mut finished = false;
            for (t, o) in events {
                if t == store::EventType::Deleted {
                    return Err(CmdError::msg("object has been deleted"));
                }
                let Object::Deployment(d) = &*o else { continue };
                let (msg, done) = status_message(d)?;
                out.out(&msg);
                if done {
                    finished = true;
                    break;
                }
            }
            if finished {
                self.current = None;
                continue;
            }
            if world.now() >= deadline {
                return Err(CmdError::msg("timed out waiting for the condition"));
            }
            return Ok(false);
        }
    }
}

/// `2m`, `30s`, `1h30m`, `500ms` (Go time.ParseDuration, common units).
pub fn parse_go_duration(s: &str) -> Option<SignedDuration> {
    let mut total_ms: i64 = 0;
    let mut num = String::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    if s == "0" {
        return Some(SignedDuration::ZERO);
    }
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() || c == '.' {
            num.push(c);
            i += 1;
            continue;
        }
        let mut unit = String::new();
        while i < chars.len() && !chars[i].is_ascii_digit() {
            unit.push(chars[i]);
            i += 1;
        }
        let n: f64 = num.parse().ok()?;
        num.clear();
        let ms = match unit.as_str() {
            "ms" => n,
            "s" => n * 1000.0,
            "m" => n * 60_000.0,
            "h" => n * 3_600_000.0,
            _ => return None,
        };
        total_ms += ms as i64;
    }
    if !num.is_empty() {
        return None;
    }
    Some(SignedDuration::from_millis(total_ms))
}

/// The ReplicaSets a Deployment controls (selector + controller reference).
fn owned_replica_sets(ctx: &Ctx, d: &Deployment) -> Vec<ReplicaSet> {
    let Ok(sel) = Selector::from_label_selector(&d.spec.selector) else { return vec![] };
    let ns = d.metadata.namespace.clone().unwrap_or_default();
    let uid = d.metadata.uid.clone().unwrap_or_default();
    let Ok(list) = ctx.world.api().list(Kind::ReplicaSet, Some(&ns), &sel, &[]) else { return vec![] };
    list.items
        .iter()
        .filter_map(|o| match &**o {
            Object::ReplicaSet(rs) if meta::controller_of(&rs.metadata).is_some_and(|r| r.uid == uid) => Some(rs.clone()),
            _ => None,
        })
        .collect()
}

fn revision_of(rs: &ReplicaSet) -> i64 {
    meta::annotations(&rs.metadata).get(REVISION).and_then(|r| r.parse().ok()).unwrap_or(0)
}

fn history(ctx: &mut Ctx, args: &Args, ns: &str, name: &str, out: &mut Output) -> Result<(), CmdError> {
    let d = deployment(ctx.world, ns, name)?;
    let mut rss = owned_replica_sets(ctx, &d);
    apimachinery::sort::sort_by_key(&mut rss, revision_of);
    let head = crate::object_ref(Kind::Deployment, name);
    if let Some(r) = args.get("revision") {
        let n: i64 = r.parse().map_err(|_| CmdError::msg(format!("invalid argument \"{r}\" for \"--revision\" flag")))?;
        if n < 0 {
            return Err(CmdError::msg(format!("revision must be a positive integer: {n}")));
        }
        let Some(rs) = rss.iter().find(|rs| revision_of(rs) == n) else {
            return Err(CmdError::msg("unable to find the specified revision"));
        };
        out.outln(&format!("{head} with revision #{n}"));
        if let Some(t) = &rs.spec.template {
            out.out(&crate::describe::pod_template(t));
        }
        // rollout_history.go prints "<name> with revision #N\n<template>"
        // through a NamePrinter, which ends the line once more.
        out.out("\n");
        return Ok(());
    }
    if rss.is_empty() {
        out.out(&format!("{head} \nNo rollout history found.\n"));
        return Ok(());
    }
    let mut tw = crate::tabwriter::TabWriter::new(0, 2);
    tw.write_line("REVISION\tCHANGE-CAUSE");
    for rs in &rss {
        let cause = meta::annotations(&rs.metadata).get(CHANGE_CAUSE).cloned().unwrap_or_else(|| "<none>".into());
        tw.write_line(&format!("{}\t{cause}", revision_of(rs)));
    }
    tw.flush();
    out.out(&format!("{head} \n{}\n", tw.take_output()));
    Ok(())
}

/// Annotations `rollout undo` never copies from a ReplicaSet (rollback.go's skip list).
const SKIP_ANNOTATIONS: &[&str] = &[
    "kubectl.kubernetes.io/last-applied-configuration",
    "deployment.kubernetes.io/revision",
    "deployment.kubernetes.io/revision-history",
    "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas",
    "deprecated.deployment.rollback.to",
];

fn undo(ctx: &mut Ctx, args: &Args, ns: &str, name: &str, out: &mut Output) -> Result<(), CmdError> {
    let d = deployment(ctx.world, ns, name)?;
    let to: i64 = args.get("to-revision").and_then(|r| r.parse().ok()).unwrap_or(0);
    let mut rss = owned_replica_sets(ctx, &d);
    apimachinery::sort::sort_by_key(&mut rss, revision_of);
    let target = if to == 0 {
        if rss.len() < 2 {
            return Err(CmdError::msg(format!("no rollout history found for deployment \"{name}\"")));
        }
        rss[rss.len() - 2].clone()
    } else {
        match rss.iter().find(|rs| revision_of(rs) == to) {
            Some(rs) => rs.clone(),
            None => return Err(CmdError::msg(format!("unable to find specified revision {to} in history"))),
        }
    };
    if d.spec.paused == Some(true) {
        return Err(CmdError::msg("you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again"));
    }
    let mut template = serde_json::to_value(target.spec.template.clone().unwrap_or_default()).unwrap_or(json!({}));
    if let Some(l) = template.pointer_mut("/metadata/labels").and_then(Value::as_object_mut) {
        l.remove("pod-template-hash");
    }
    let current_template = serde_json::to_value(&d.spec.template).unwrap_or(json!({}));
    if template == current_template {
        out.outln(&format!("{} skipped rollback (current template already matches revision {to})", crate::object_ref(Kind::Deployment, name)));
        return Ok(());
    }
    let mut annotations = serde_json::Map::new();
    for (k, v) in meta::annotations(&d.metadata) {
        if SKIP_ANNOTATIONS.contains(&k.as_str()) {
            annotations.insert(k.clone(), json!(v));
        }
    }
    for (k, v) in meta::annotations(&target.metadata) {
        if !SKIP_ANNOTATIONS.contains(&k.as_str()) {
            annotations.insert(k.clone(), json!(v));
        }
    }
    if meta::annotations(&d.metadata).contains_key(SKIP_ANNOTATIONS[0]) {
        out.stderr.push_str(&format!("Warning: resource deployments/{name} was previously managed with 'kubectl apply'. Rolling back will not update the kubectl.kubernetes.io/last-applied-configuration annotation, which may cause unexpected behavior on future 'kubectl apply' operations. Consider using 'kubectl apply' with your previous configuration file instead.\n"));
    }
    let patch = json!([
        {"op": "replace", "path": "/spec/template", "value": template},
        {"op": "replace", "path": "/metadata/annotations", "value": annotations},
    ]);
    ctx.world.api_mut().patch(Kind::Deployment, ns, name, PatchType::Json, &patch, false, &WriteOptions::default())?;
    ctx.world.settle();
    out.outln(&format!("{} rolled back", crate::object_ref(Kind::Deployment, name)));
    Ok(())
}

fn pause(ctx: &mut Ctx, ns: &str, name: &str, pause: bool, out: &mut Output) -> Result<(), CmdError> {
    let d = deployment(ctx.world, ns, name)?;
    let paused = d.spec.paused == Some(true);
    if paused == pause {
        return Err(CmdError::msg(format!("deployments.apps \"{name}\" is {}", if pause { "already paused" } else { "not paused" })));
    }
    let patch = if pause { json!({"spec": {"paused": true}}) } else { json!({"spec": {"paused": null}}) };
    ctx.world.api_mut().patch(Kind::Deployment, ns, name, PatchType::StrategicMerge, &patch, false, &WriteOptions::default())?;
    ctx.world.settle();
    out.outln(&format!("{} {}", crate::object_ref(Kind::Deployment, name), if pause { "paused" } else { "resumed" }));
    Ok(())
}

fn restart(ctx: &mut Ctx, ns: &str, name: &str, out: &mut Output) -> Result<(), CmdError> {
    deployment(ctx.world, ns, name)?;
    // kubectl stamps its own clock; here the world's clock is everyone's clock.
    let now = ctx.world.now().to_string();
    let patch = json!({"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": now}}}}});
    ctx.world.api_mut().patch(Kind::Deployment, ns, name, PatchType::StrategicMerge, &patch, false, &WriteOptions::default())?;
    ctx.world.settle();
    out.outln(&format!("{} restarted", crate::object_ref(Kind::Deployment, name)));
    Ok(())
}
