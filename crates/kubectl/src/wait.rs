//! `kubectl wait --for=condition=C|delete|create|jsonpath=...`
//! (staging/src/k8s.io/kubectl/pkg/cmd/wait). Simulated time runs while it
//! waits; the default timeout is kubectl's 30s.

use crate::args::Args;
use crate::builder::{self, Target};
use crate::errors::CmdError;
use crate::{Ctx, Output, object_ref};
use apimachinery::selector::Selector;
use apimachinery::{Kind, Object, SignedDuration};
use serde_json::Value;

enum Condition {
    Delete,
    Create,
    Cond(String, String),
    JsonPath(String, Option<String>),
}

fn parse_for(s: &str) -> Result<Condition, CmdError> {
    let lower = s.to_ascii_lowercase();
    if lower == "delete" {
        return Ok(Condition::Delete);
    }
    if lower == "create" {
        return Ok(Condition::Create);
    }
    if let Some(rest) = s.strip_prefix("condition=") {
        let (name, value) = match rest.split_once('=') {
            Some((n, v)) => (n.to_string(), v.to_string()),
            None => (rest.to_string(), "true".to_string()),
        };
        return Ok(Condition::Cond(name, value));
    }
    if let Some(rest) = s.strip_prefix("jsonpath=") {
        // `{.status.phase}=Running` — the value follows the closing brace.
        return Ok(match rest.rfind('}') {
            Some(i) if rest[i + 1..].starts_with('=') => Condition::JsonPath(rest[..=i].to_string(), Some(rest[i + 2..].to_string())),
            _ => Condition::JsonPath(rest.to_string(), None),
        });
    }
    Err(CmdError::msg(format!("unrecognized condition: \"{s}\"")))
}

fn holds(c: &Condition, o: Option<&Object>) -> bool {
    match (c, o) {
        (Condition::Delete, o) => o.is_none(),
        (Condition::Create, o) => o.is_some(),
        (_, None) => false,
        (Condition::Cond(name, want), Some(o)) => {
            let v = o.to_value();
            v.pointer("/status/conditions").and_then(Value::as_array).is_some_and(|conds| {
                conds.iter().any(|c| {
                    c["type"].as_str().is_some_and(|t| t.eq_ignore_ascii_case(name)) && c["status"].as_str().is_some_and(|s| s.eq_ignore_ascii_case(want))
                })
            })
        }
        (Condition::JsonPath(path, want), Some(o)) => {
            let got = crate::jsonpath::evaluate(path, &o.to_value()).unwrap_or_default();
            match want {
                Some(w) => got == *w,
                None => !got.is_empty(),
            }
        }
    }
}

pub fn run(ctx: &mut Ctx, args: &Args, rest: &[String], _out: &mut Output) -> Result<Option<Box<dyn crate::Waiting>>, CmdError> {
    let Some(for_) = args.get("for") else {
        return Err(CmdError::msg("--for must be specified"));
    };
    let cond = parse_for(for_)?;
    let timeout = args.get("timeout").map_or(Some(SignedDuration::from_secs(30)), crate::rollout::parse_go_duration).ok_or_else(|| CmdError::msg("invalid --timeout"))?;
    let ns = ctx.namespace(args);
    let mut keys: Vec<(Kind, String)> = vec![];
    for t in builder::targets(rest)? {
        match t {
            Target::Named(k, n) => keys.push((k, n)),
            Target::All(k) => {
                let sel = match args.get("selector") {
                    Some(s) => Selector::parse(s).map_err(CmdError::msg)?,
                    None if args.flag("all") => Selector::everything(),
                    None => return Err(CmdError::msg("resource(s) were provided, but no name was specified")),
                };
                let list = ctx.world.api().list(k, Some(&ns), &sel, &[])?;
                if list.items.is_empty() {
                    return Err(CmdError::msg("no matching resources found"));
                }
                keys.extend(list.items.iter().map(|o| (k, o.name().to_string())));
            }
        }
    }
    if keys.is_empty() {
        return Err(CmdError::msg("resource(s) were provided, but no name was specified"));
    }
    let mut targets = std::collections::VecDeque::new();
    for (kind, name) in keys {
        let ns_of = if kind.info().namespaced { ns.clone() } else { String::new() };
        targets.push_back((kind, ns_of, name));
    }
    Ok(Some(Box::new(WaitFor { cond, timeout, targets, deadline: None })))
}

/// The objects of one `kubectl wait`, each waited for in turn with its own
/// timeout (wait.go: one watch per object, `--timeout` each).
struct WaitFor {
    cond: Condition,
    timeout: SignedDuration,
    targets: std::collections::VecDeque<(Kind, String, String)>,
    /// The deadline of the first target, once its wait has begun.
    deadline: Option<apimachinery::Timestamp>,
}

impl crate::Waiting for WaitFor {
    fn poll(&mut self, world: &world::World, out: &mut Output) -> bool {
        while let Some((kind, ns, name)) = self.targets.front().cloned() {
            let current = world.api().get(kind, &ns, &name).ok();
            let deadline = match self.deadline {
                Some(d) => d,
                None => {
                    if current.is_none() && !matches!(self.cond, Condition::Delete | Condition::Create) {
                        out.fail(&CmdError::Api(apimachinery::ApiError::not_found(kind.info(), &name)));
                        return true;
                    }
                    *self.deadline.insert(world.now() + self.timeout)
                }
            };
            if holds(&self.cond, current.as_deref()) {
                out.outln(&format!("{} condition met", object_ref(kind, &name)));
                self.targets.pop_front();
                self.deadline = None;
                continue;
            }
            if world.now() >= deadline {
                out.fail(&CmdError::msg(format!("timed out waiting for the condition on {}/{name}", kind.info().plural)));
                return true;
            }
            return false;
        }
        true
    }
    fn deadline(&self) -> Option<apimachinery::Timestamp> {
        self.deadline
    }
}
