//! Turning arguments into what to act on, as cli-runtime's resource.Builder
//! does: `TYPE`, `TYPE NAME...`, `TYPE1,TYPE2`, `TYPE/NAME...`, `all`,
//! and `-f FILE|DIR|-` manifests.

use crate::errors::CmdError;
use crate::{Ctx, Files};
use apimachinery::yaml;
use apimachinery::{Kind, KindInfo};
use serde_json::Value;

#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// Every object of a kind (filtered by selectors).
    All(Kind),
    Named(Kind, String),
}

impl Target {
    pub fn kind(&self) -> Kind {
        match self {
            Target::All(k) | Target::Named(k, _) => *k,
        }
    }
}

/// Resolves one resource type argument (`po`, `deployments.apps`).
pub fn resolve_kind(arg: &str) -> Result<Kind, CmdError> {
    Kind::resolve(arg).ok_or_else(|| CmdError::NoResourceType(arg.split('.').next().unwrap_or(arg).to_string()))
}

/// The kinds `kubectl get all` lists, in discovery order.
pub fn category_all() -> Vec<Kind> {
    let mut v: Vec<&KindInfo> = apimachinery::kinds::KINDS.iter().filter(|k| k.categories.contains(&"all")).collect();
    // Discovery lists core v1 first, then groups alphabetically; inside a group, resources alphabetically.
    apimachinery::sort::sort_by(&mut v, |a, b| (!a.group.is_empty(), a.group, a.plural).cmp(&(!b.group.is_empty(), b.group, b.plural)));
    v.into_iter().map(|k| k.kind).collect()
}

fn expand_types(arg: &str) -> Result<Vec<Kind>, CmdError> {
    let mut out = vec![];
    for t in arg.split(',').filter(|t| !t.is_empty()) {
        if t == "all" {
            out.extend(category_all());
        } else {
            out.push(resolve_kind(t)?);
        }
    }
    Ok(out)
}

/// Positional arguments → targets.
pub fn targets(args: &[String]) -> Result<Vec<Target>, CmdError> {
    if args.is_empty() {
        return Ok(vec![]);
    }
    if args.iter().any(|a| a.contains('/')) {
        let mut out = vec![];
        for a in args {
            let Some((t, name)) = a.split_once('/') else {
                return Err(CmdError::msg("there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'"));
            };
            if name.is_empty() {
                return Err(CmdError::msg(format!("arguments in resource/name form must have a single resource and name")));
            }
            out.push(Target::Named(resolve_kind(t)?, name.to_string()));
        }
        return Ok(out);
    }
    let kinds = expand_types(&args[0])?;
    if args.len() == 1 {
        return Ok(kinds.into_iter().map(Target::All).collect());
    }
    let mut out = vec![];
    for k in kinds {
        for n in &args[1..] {
            out.push(Target::Named(k, n.clone()));
        }
    }
    Ok(out)
}

/// One manifest document read from `-f`.
#[derive(Clone, Debug)]
pub struct Manifest {
    /// The file name as given (`STDIN` for `-`).
    pub source: String,
    pub value: Value,
}

/// Reads `-f` arguments: files, directories (their .yaml/.yml/.json files),
/// or `-` for standard input. Errors are kubectl's.
pub fn read_manifests(ctx: &Ctx, filenames: &[String], recursive: bool) -> Result<Vec<Manifest>, CmdError> {
    let mut out = vec![];
    for f in filenames {
        if f == "-" {
            let text = ctx.stdin.unwrap_or("");
            out.extend(parse_text(text, "STDIN")?);
            continue;
        }
        // A manifest URL kubeplay carries built in (it cannot download).
        if let Some(text) = world::addons::builtin_manifest(f) {
            out.extend(parse_text(text, f)?);
            continue;
        }
        read_path(ctx.files, f, recursive, true, &mut out)?;
    }
    Ok(out)
}

fn read_path(files: &dyn Files, path: &str, recursive: bool, top: bool, out: &mut Vec<Manifest>) -> Result<(), CmdError> {
    if let Some(entries) = files.list_dir(path) {
        if !top && !recursive {
            return Ok(());
        }
        for e in entries {
            let is_manifest = e.ends_with(".yaml") || e.ends_with(".yml") || e.ends_with(".json");
            if files.list_dir(&e).is_some() {
                if recursive {
                    read_path(files, &e, recursive, false, out)?;
                }
            } else if is_manifest {
                read_path(files, &e, recursive, false, out)?;
            }
        }
        return Ok(());
    }
    match files.read(path) {
        Some(text) => {
            out.extend(parse_text(&text, path)?);
            Ok(())
        }
        None => Err(CmdError::msg(format!("the path \"{path}\" does not exist"))),
    }
}

/// Parses manifest text. A `kind: List` is flattened into its items, as
/// kubectl does.
pub fn parse_text(text: &str, source: &str) -> Result<Vec<Manifest>, CmdError> {
    let docs = yaml::parse_documents(text).map_err(|e| CmdError::msg(format!("error parsing {source}: error converting YAML to JSON: {e}")))?;
    let mut out = vec![];
    for d in docs {
        if d.get("kind").and_then(Value::as_str).is_some_and(|k| k.ends_with("List")) && d.get("items").is_some() {
            for item in d["items"].as_array().cloned().unwrap_or_default() {
                out.push(Manifest { source: source.to_string(), value: item });
            }
        } else {
            out.push(Manifest { source: source.to_string(), value: d });
        }
    }
    Ok(out)
}

/// What kubectl's client-side checks say about a manifest before sending it.
pub fn manifest_kind(m: &Manifest) -> Result<Kind, CmdError> {
    let api_version = m.value.get("apiVersion");
    let kind = m.value.get("kind");
    let mut missing = vec![];
    if api_version.is_none_or(|v| v.as_str().is_none_or(str::is_empty)) {
        missing.push("apiVersion not set");
    }
    if kind.is_none_or(|v| v.as_str().is_none_or(str::is_empty)) {
        missing.push("kind not set");
    }
    if !missing.is_empty() {
        let detail = if missing.len() == 1 { missing[0].to_string() } else { format!("[{}]", missing.join(", ")) };
        return Err(CmdError::msg(format!(
            "error validating \"{}\": error validating data: {detail}; if you choose to ignore these errors, turn validation off with --validate=false",
            m.source
        )));
    }
    let av = api_version.and_then(Value::as_str).unwrap_or("");
    let k = kind.and_then(Value::as_str).unwrap_or("");
    Kind::from_api_version_kind(av, k).ok_or_else(|| {
        let name = m.value.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("");
        let ns = m.value.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or("");
        CmdError::Raw(format!(
            "error: resource mapping not found for name: \"{name}\" namespace: \"{ns}\" from \"{}\": no matches for kind \"{k}\" in version \"{av}\"\nensure CRDs are installed first",
            m.source
        ))
    })
}
