//! The verbs that change the cluster: create, apply, replace, delete, run,
//! scale, set image, label, annotate, expose, cordon/uncordon
//! (staging/src/k8s.io/kubectl/pkg/cmd/<verb>).

use crate::args::Args;
use crate::builder::{self, Manifest, Target};
use crate::errors::CmdError;
use crate::{Ctx, Output, object_ref};
use apimachinery::selector::{Selector, parse_field_selector};
use apimachinery::{ApiError, Kind, Object, SignedDuration, Timestamp, meta};
use apiserver::{DeleteOptions, DeleteOutcome, FieldValidation, PatchType, Propagation, WriteOptions};
use serde_json::{Map, Value, json};
use std::sync::Arc;

pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

#[derive(Clone, Copy, PartialEq)]
enum DryRun {
    None,
    Client,
    Server,
}

fn dry_run(args: &Args) -> Result<DryRun, CmdError> {
    match args.get("dry-run") {
        None | Some("none") | Some("false") => Ok(DryRun::None),
        Some("client") | Some("true") => Ok(DryRun::Client),
        Some("server") => Ok(DryRun::Server),
        Some(other) => Err(CmdError::msg(format!("Invalid dry-run value ({other}). Must be \"none\", \"server\", or \"client\"."))),
    }
}

fn suffix(d: DryRun) -> &'static str {
    match d {
        DryRun::None => "",
        DryRun::Client => " (dry run)",
        DryRun::Server => " (server dry run)",
    }
}

fn field_validation(args: &Args) -> FieldValidation {
    match args.get("validate") {
        Some("false") | Some("ignore") => FieldValidation::Ignore,
        Some("warn") => FieldValidation::Warn,
        _ => FieldValidation::Strict,
    }
}

/// The object of a manifest, namespaced as kubectl would send it.
fn prepare(ctx: &Ctx, args: &Args, m: &Manifest) -> Result<(Kind, Value), CmdError> {
    let kind = builder::manifest_kind(m)?;
    let mut v = m.value.clone();
    if kind.info().namespaced {
        let default_ns = ctx.namespace(args);
        let obj_ns = v.pointer("/metadata/namespace").and_then(Value::as_str).map(str::to_string);
        match obj_ns {
            Some(ns) if !ns.is_empty() && args.has("namespace") && ns != default_ns => {
                return Err(CmdError::msg(format!(
                    "the namespace from the provided object \"{ns}\" does not match the namespace \"{default_ns}\". You must pass '--namespace={ns}' to perform this operation."
                )));
            }
            Some(ns) if !ns.is_empty() => {}
            _ => {
                if let Some(m) = v.as_object_mut() {
                    let meta = m.entry("metadata").or_insert_with(|| json!({}));
                    if let Some(mm) = meta.as_object_mut() {
                        mm.insert("namespace".into(), json!(default_ns));
                    }
                }
            }
        }
    }
    Ok((kind, v))
}

fn manifests(ctx: &Ctx, args: &Args) -> Result<Vec<Manifest>, CmdError> {
    let files = args.all("filename");
    builder::read_manifests(ctx, &files, args.flag("recursive"))
}

fn value_name(v: &Value) -> String {
    v.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("").to_string()
}
fn value_ns(v: &Value) -> String {
    v.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or("").to_string()
}

/// POSTs a JSON object (decode with field validation, then create).
fn create_value(ctx: &mut Ctx, kind: Kind, v: Value, opts: &WriteOptions) -> Result<Arc<Object>, ApiError> {
    apiserver::check_request_body(&v)?;
    let api = ctx.world.api_mut();
    let obj = apiserver::decode::decode_typed(api, kind, v, opts.field_validation)?;
    let r = api.create(obj, opts);
    ctx.world.settle();
    r
}

fn print_result(out: &mut Output, args: &Args, kind: Kind, name: &str, op: &str, d: DryRun) {
    if args.get("output") == Some("name") {
        out.outln(&object_ref(kind, name));
    } else {
        out.outln(&format!("{} {op}{}", object_ref(kind, name), suffix(d)));
    }
}

pub fn create(ctx: &mut Ctx, args: &Args, rest: &[String], out: &mut Output) -> Result<(), CmdError> {
    if let Some(sub) = rest.first() {
        return create_generator(ctx, args, sub, &rest[1..], out);
    }
    let files = args.all("filename");
    if files.is_empty() {
        return Err(CmdError::Raw("error: must specify one of -f and -k".into()));
    }
    let d = dry_run(args)?;
    each_manifest(ctx, args, out, |ctx, out, m, kind, v| {
        let name = value_name(&v);
        if d == DryRun::Client {
            print_result(out, args, kind, &name, "created", d);
            return Ok(());
        }
        let opts = WriteOptions { dry_run: d == DryRun::Server, field_validation: field_validation(args) };
        let o = create_value(ctx, kind, v, &opts).map_err(|e| CmdError::Source { verb: "creating", source: m.source.clone(), error: e })?;
        print_result(out, args, kind, o.name(), "created", d);
        Ok(())
    })
}

/// Runs `f` on each `-f` manifest, namespaced as kubectl sends it. A failed
/// manifest does not stop the others; the errors are reported together at
/// the end, as kubectl's visitor does.
fn each_manifest(
    ctx: &mut Ctx,
    args: &Args,
    out: &mut Output,
    mut f: impl FnMut(&mut Ctx, &mut Output, &Manifest, Kind, Value) -> Result<(), CmdError>,
) -> Result<(), CmdError> {
    let ms = manifests(ctx, args)?;
    let mut errors = vec![];
    for m in &ms {
        if let Err(e) = prepare(ctx, args, m).and_then(|(kind, v)| f(ctx, out, m, kind, v)) {
            errors.push(e);
        }
    }
    finish(errors)
}

fn finish(errors: Vec<CmdError>) -> Result<(), CmdError> {
    match errors.len() {
        0 => Ok(()),
        1 => Err(errors.into_iter().next().expect("one")),
        _ => Err(CmdError::Many(errors)),
    }
}

fn create_generator(ctx: &mut Ctx, args: &Args, sub: &str, rest: &[String], out: &mut Output) -> Result<(), CmdError> {
    let d = dry_run(args)?;
    let ns = ctx.namespace(args);
    let (kind, v, wrap): (Kind, Value, Option<String>) = match sub {
        "deployment" | "deploy" => {
            let Some(image) = args.get("image") else {
                return Err(CmdError::msg("required flag(s) \"image\" not set"));
            };
            if rest.len() != 1 {
                return Err(CmdError::Raw(format!("error: exactly one NAME is required, got {}\nSee 'kubectl create deployment -h' for help and examples", rest.len())));
            }
            let name = &rest[0];
            let replicas: i64 = args.get("replicas").and_then(|r| r.parse().ok()).unwrap_or(1);
            let mut container = json!({"image": image, "name": container_name_from_image(image), "resources": {}});
            if let Some(p) = args.get("port").and_then(|p| p.parse::<i64>().ok()) {
                container["ports"] = json!([{"containerPort": p}]);
            }
            let v = json!({
                "apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": name, "namespace": ns, "labels": {"app": name}},
                "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}}, "strategy": {},
                    "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [container]}}},
                "status": {}
            });
            (Kind::Deployment, v, Some("failed to create deployment".to_string()))
        }
        "namespace" | "ns" => {
            if rest.len() != 1 {
                return Err(CmdError::Raw(format!("error: exactly one NAME is required, got {}\nSee 'kubectl create namespace -h' for help and examples", rest.len())));
            }
            (Kind::Namespace, json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": rest[0]}, "spec": {}, "status": {}}), None)
        }
        "service" | "svc" => {
            let Some(svc_type) = rest.first() else {
                return Err(CmdError::Raw("error: Required resource not specified.\nSee 'kubectl create service -h' for help and examples".into()));
            };
            let type_ = match svc_type.as_str() {
                "clusterip" => "ClusterIP",
                "nodeport" => "NodePort",
                "loadbalancer" => "LoadBalancer",
                "externalname" => "ExternalName",
                other => return Err(CmdError::msg(format!("unknown service type {other}"))),
            };
            if rest.len() != 2 {
                return Err(CmdError::Raw(format!("error: exactly one NAME is required, got {}\nSee 'kubectl create service {svc_type} -h' for help and examples", rest.len() - 1)));
            }
            let name = &rest[1];
            let mut ports = vec![];
            for t in args.list("tcp") {
                let (p, tp) = t.split_once(':').unwrap_or((&t, &t));
                let port: i64 = p.parse().map_err(|_| CmdError::msg(format!("invalid port {p}")))?;
                let mut sp = json!({"name": format!("{p}-{tp}"), "port": port, "protocol": "TCP"});
                sp["targetPort"] = tp.parse::<i64>().map(Value::from).unwrap_or(json!(tp));
                if let Some(np) = args.get("node-port").and_then(|n| n.parse::<i64>().ok()) {
                    sp["nodePort"] = json!(np);
                }
                ports.push(sp);
            }
            // create_service.go createService: labels and selector app=<name>,
            // clusterIP and externalName only when given.
            let mut spec = json!({"selector": {"app": name}, "type": type_});
            if !ports.is_empty() {
                spec["ports"] = json!(ports);
            }
            if let Some(ip) = args.get("clusterip").filter(|ip| !ip.is_empty()) {
                spec["clusterIP"] = json!(ip);
            }
            if let Some(external) = args.get("external-name").filter(|e| !e.is_empty()) {
                spec["externalName"] = json!(external);
            }
            let v = json!({
                "apiVersion": "v1", "kind": "Service",
                "metadata": {"name": name, "namespace": ns, "labels": {"app": name}},
                "spec": spec,
                "status": {"loadBalancer": {}}
            });
            (Kind::Service, v, Some(format!("failed to create {type_} service")))
        }
        "configmap" | "cm" => {
            if rest.len() != 1 {
                return Err(CmdError::Raw(format!("error: exactly one NAME is required, got {}\nSee 'kubectl create configmap -h' for help and examples", rest.len())));
            }
            let mut data = serde_json::Map::new();
            for literal in args.list("from-literal") {
                // create_configmap.go handleConfigMapFromLiteralSources.
                let Some((key, value)) = literal.split_once('=').filter(|(k, _)| !k.is_empty()) else {
                    return Err(CmdError::msg(format!("invalid literal source {literal}, expected key=value")));
                };
                data.insert(key.to_string(), json!(value));
            }
            let mut v = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": rest[0], "namespace": ns}});
            if !data.is_empty() {
                v["data"] = Value::Object(data);
            }
            (Kind::ConfigMap, v, Some("failed to create configmap".to_string()))
        }
        "serviceaccount" | "sa" => {
            if rest.len() != 1 {
                return Err(CmdError::Raw(format!("error: exactly one NAME is required, got {}\nSee 'kubectl create serviceaccount -h' for help and examples", rest.len())));
            }
            (Kind::ServiceAccount, json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": rest[0], "namespace": ns}}), Some("failed to create serviceaccount".to_string()))
        }
        "ingress" | "ing" => {
            if rest.len() != 1 {
                return Err(CmdError::Raw(format!("error: exactly one NAME is required, got {}\nSee 'kubectl create ingress -h' for help and examples", rest.len())));
            }
            (Kind::Ingress, create_ingress_value(args, &rest[0], &ns)?, Some("failed to create ingress".to_string()))
        }
        other => {
            return Err(unserved_generator(other, rest).unwrap_or_else(|| CmdError::Raw(format!("error: unknown command \"{other}\" for \"kubectl create\""))));
        }
    };
    let name = value_name(&v);
    if d == DryRun::Client {
        return output_or_result(out, args, kind, &name, &v, "created", d);
    }
    let opts = WriteOptions { dry_run: d == DryRun::Server, field_validation: FieldValidation::Strict };
    match create_value(ctx, kind, v, &opts) {
        Ok(o) => {
            let v = crate::get::object_value(&o);
            output_or_result(out, args, kind, o.name(), &v, "created", d)
        }
        Err(e) => match wrap {
            Some(w) => Err(CmdError::msg(format!("{w}: {}", e.message))),
            None => Err(CmdError::Api(e)),
        },
    }
}

/// The `--rule` pattern of create_ingress.go (ruleRegex, unanchored at the
/// end): `host/path=svcname:svcport`, host of `[\w*.-]`, names of `[\w-]`.
fn ingress_rule_matches(rule: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let Some(slash) = rule.find('/') else { return false };
    if !rule[..slash].chars().all(|c| word(c) || c == '*' || c == '.') {
        return false;
    }
    // `(?P<path>/.*)=` may stop at any `=` that a `name:port` follows.
    rule[slash..].match_indices('=').any(|(i, _)| {
        let after = &rule[slash + i + 1..];
        let name_len = after.chars().take_while(|c| word(*c)).count();
        name_len > 0 && after[name_len..].strip_prefix(':').is_some_and(|p| p.chars().next().is_some_and(word))
    })
}

/// The backend of `svc:port` (buildIngressBackendSvc, parseServiceBackendPort).
fn ingress_backend(service: &str) -> Value {
    let mut parts = service.split(':');
    let name = parts.next().unwrap_or("");
    let port = parts.next().unwrap_or("");
    let port = match port.parse::<i32>() {
        Ok(n) => json!({"number": n}),
        Err(_) => json!({"name": port}),
    };
    json!({"service": {"name": name, "port": port}})
}

/// `kubectl create ingress NAME --rule=host/path=svc:port[,tls[=secret]]
/// [--class C] [--default-backend svc:port] [--annotation k=v]`
/// (pkg/cmd/create/create_ingress.go Validate, buildIngressSpec).
fn create_ingress_value(args: &Args, name: &str, ns: &str) -> Result<Value, CmdError> {
    let rules = args.all("rule");
    let default_backend = args.get("default-backend").unwrap_or("");
    if default_backend.is_empty() && rules.is_empty() {
        return Err(CmdError::msg("not enough information provided: every ingress has to either specify a default-backend (which catches all traffic) or a list of rules (which catch specific paths)"));
    }
    if let Some(bad) = rules.iter().find(|r| !ingress_rule_matches(r)) {
        return Err(CmdError::msg(format!("rule {bad} is invalid and should be in format host/path=svcname:svcport[,tls[=secret]]")));
    }
    let mut annotations = Map::new();
    for a in args.all("annotation") {
        let Some((k, v)) = a.split_once('=') else {
            return Err(CmdError::msg(format!("annotation {a} is invalid and should be in format key=[value]")));
        };
        annotations.insert(k.to_string(), json!(v));
    }
    if !default_backend.is_empty() && default_backend.split(':').count() != 2 {
        return Err(CmdError::msg("default-backend should be in format servicename:serviceport"));
    }
    let mut spec = Map::new();
    if let Some(class) = args.get("class").filter(|c| !c.is_empty()) {
        spec.insert("ingressClassName".into(), json!(class));
    }
    if !default_backend.is_empty() {
        spec.insert("defaultBackend".into(), ingress_backend(default_backend));
    }
    // buildTLSRules: one entry per secret, each host once.
    let mut tls: Vec<(String, Vec<String>)> = vec![];
    let mut hosts_seen: Vec<String> = vec![];
    for rule in &rules {
        let parts: Vec<&str> = rule.split(',').collect();
        if parts.len() != 2 {
            continue;
        }
        let host = rule.split('/').next().unwrap_or("").to_string();
        let secret = parts[1].split('=').nth(1).unwrap_or("").to_string();
        if hosts_seen.contains(&host) {
            continue;
        }
        hosts_seen.push(host.clone());
        match tls.iter_mut().find(|(s, _)| *s == secret) {
            Some((_, hosts)) => hosts.push(host),
            None if !host.is_empty() || !secret.is_empty() => tls.push((secret, if host.is_empty() { vec![] } else { vec![host] })),
            None => {}
        }
    }
    let tls: Vec<Value> = tls
        .into_iter()
        .map(|(secret, hosts)| {
            let mut t = Map::new();
            if !hosts.is_empty() {
                t.insert("hosts".into(), json!(hosts));
            }
            if !secret.is_empty() {
                t.insert("secretName".into(), json!(secret));
            }
            Value::Object(t)
        })
        .collect();
    if !tls.is_empty() {
        spec.insert("tls".into(), json!(tls));
    }
    // buildIngressRules: paths of one host share a rule; `*` at the end
    // makes a Prefix path, anything else is Exact.
    let mut out_rules: Vec<(String, Vec<Value>)> = vec![];
    for rule in &rules {
        let without_tls = rule.split(',').next().unwrap_or("");
        let (host, path_svc) = without_tls.split_once('/').unwrap_or((without_tls, ""));
        let mut pieces = path_svc.split('=');
        let mut path = format!("/{}", pieces.next().unwrap_or(""));
        let service = pieces.next().unwrap_or("");
        let mut path_type = "Exact";
        if path.ends_with('*') {
            path_type = "Prefix";
            path.pop();
        }
        let p = json!({"backend": ingress_backend(service), "path": path, "pathType": path_type});
        match out_rules.iter_mut().find(|(h, _)| h == host) {
            Some((_, paths)) => paths.push(p),
            None => out_rules.push((host.to_string(), vec![p])),
        }
    }
    if !out_rules.is_empty() {
        let rules: Vec<Value> = out_rules
            .into_iter()
            .map(|(host, paths)| if host.is_empty() { json!({"http": {"paths": paths}}) } else { json!({"host": host, "http": {"paths": paths}}) })
            .collect();
        spec.insert("rules".into(), json!(rules));
    }
    let mut metadata = json!({"name": name, "namespace": ns});
    if !annotations.is_empty() {
        metadata["annotations"] = Value::Object(annotations);
    }
    Ok(json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": metadata, "spec": spec, "status": {"loadBalancer": {}}}))
}

/// `kubectl create secret|job|cronjob|quota|pdb|priorityclass|role|
/// rolebinding|token` build kinds kubeplay does not serve. kubectl posts
/// them with its typed client, without asking discovery, and the server
/// answers 404 "page not found"; client-go turns that into a NotFound
/// "the server could not find the requested resource (post <resource>)"
/// (rest/request.go newUnstructuredResponseError), which each generator
/// wraps in its own words (kubectl/pkg/cmd/create/create_*.go).
fn unserved_generator(sub: &str, rest: &[String]) -> Option<CmdError> {
    let (wrap, resource) = match sub {
        "secret" => ("failed to create secret ", "secrets".to_string()),
        "job" => ("failed to create job: ", "jobs.batch".to_string()),
        "cronjob" | "cj" => ("failed to create cronjob: ", "cronjobs.batch".to_string()),
        "quota" | "resourcequota" => ("failed to create quota: ", "resourcequotas".to_string()),
        "poddisruptionbudget" | "pdb" => ("failed to create poddisruptionbudgets: ", "poddisruptionbudgets.policy".to_string()),
        "priorityclass" | "pc" => ("failed to create priorityclass: ", "priorityclasses.scheduling.k8s.io".to_string()),
        // create_role.go returns the error unwrapped.
        "role" => ("", "roles.rbac.authorization.k8s.io".to_string()),
        "rolebinding" => ("failed to create rolebinding: ", "rolebindings.rbac.authorization.k8s.io".to_string()),
        // A subresource create names its parent: (post serviceaccounts NAME).
        "token" => ("failed to create token: ", format!("serviceaccounts {}", rest.first().map(String::as_str).unwrap_or(""))),
        _ => return None,
    };
    let not_found = ApiError { code: 404, reason: apimachinery::Reason::NotFound, message: format!("the server could not find the requested resource (post {resource})"), details: None };
    Some(if wrap.is_empty() { CmdError::Api(not_found) } else { CmdError::msg(format!("{wrap}{}", not_found.message)) })
}

fn output_or_result(out: &mut Output, args: &Args, kind: Kind, name: &str, v: &Value, op: &str, d: DryRun) -> Result<(), CmdError> {
    // The generators set metadata.namespace only when -n was given
    // (create_deployment.go & co.: `if o.EnforceNamespace`); a client dry
    // run prints the object as generated.
    let mut printed;
    let v = if d == DryRun::Client && args.get("namespace").is_none() {
        printed = v.clone();
        if let Some(m) = printed.get_mut("metadata").and_then(Value::as_object_mut) {
            m.remove("namespace");
        }
        &printed
    } else {
        v
    };
    match args.get("output") {
        Some("yaml") | Some("json") => crate::get::print_value(args.get("output").unwrap_or("yaml"), v, out),
        _ => {
            print_result(out, args, kind, name, op, d);
            Ok(())
        }
    }
}

/// `nginx:1.25` → `nginx`, `registry.k8s.io/echoserver:1.10` → `echoserver`.
pub fn container_name_from_image(image: &str) -> String {
    let last = image.rsplit('/').next().unwrap_or(image);
    let no_digest = last.split('@').next().unwrap_or(last);
    no_digest.split(':').next().unwrap_or(no_digest).to_string()
}

pub fn run_pod(ctx: &mut Ctx, args: &Args, rest: &[String], out: &mut Output) -> Result<(), CmdError> {
    // cobra checks required flags before the command runs.
    let Some(image) = args.get("image") else {
        return Err(CmdError::msg("required flag(s) \"image\" not set"));
    };
    let Some(name) = rest.first() else {
        return Err(CmdError::msg("NAME is required for run"));
    };
    let d = dry_run(args)?;
    let ns = ctx.namespace(args);
    let restart = args.get("restart").unwrap_or("Always");
    if !["Always", "OnFailure", "Never"].contains(&restart) {
        return Err(CmdError::msg(format!("invalid restart policy: {restart}")));
    }
    let mut labels = Map::new();
    match args.get("labels") {
        Some(l) => {
            for kv in l.split(',') {
                let (k, v) = kv.split_once('=').ok_or_else(|| CmdError::msg(format!("invalid label spec: {kv}")))?;
                labels.insert(k.to_string(), json!(v));
            }
        }
        None => {
            labels.insert("run".into(), json!(name));
        }
    }
    let mut container = json!({"image": image, "name": name, "resources": {}});
    if let Some(p) = args.get("port").and_then(|p| p.parse::<i64>().ok()) {
        container["ports"] = json!([{"containerPort": p}]);
    }
    let env: Vec<Value> = args.all("env").iter().filter_map(|e| e.split_once('=')).map(|(k, v)| json!({"name": k, "value": v})).collect();
    if !env.is_empty() {
        container["env"] = Value::Array(env);
    }
    if let Some(extra) = &args.after_dash {
        if args.flag("command") {
            container["command"] = json!(extra);
        } else {
            container["args"] = json!(extra);
        }
    }
    let v = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"labels": labels, "name": name, "namespace": ns},
        "spec": {"containers": [container], "dnsPolicy": "ClusterFirst", "restartPolicy": restart},
        "status": {}
    });
    if d == DryRun::Client {
        return output_or_result(out, args, Kind::Pod, name, &v, "created", d);
    }
    let opts = WriteOptions { dry_run: d == DryRun::Server, field_validation: FieldValidation::Strict };
    let o = create_value(ctx, Kind::Pod, v, &opts)?;
    let v = crate::get::object_value(&o);
    output_or_result(out, args, Kind::Pod, o.name(), &v, "created", d)
}

// ---- apply ----------------------------------------------------------------

pub fn apply(ctx: &mut Ctx, args: &Args, rest: &[String], out: &mut Output) -> Result<(), CmdError> {
    if rest.first().map(String::as_str) == Some("view-last-applied") {
        return Err(CmdError::msg("apply view-last-applied is not supported yet"));
    }
    if args.all("filename").is_empty() {
        return Err(CmdError::Raw("error: must specify one of -f and -k".into()));
    }
    let d = dry_run(args)?;
    each_manifest(ctx, args, out, |ctx, out, m, kind, v| apply_one(ctx, args, m, kind, v, d, out))
}

/// The manifest with the last-applied annotation set to itself, as
/// kubectl's CreateApplyAnnotation does (the annotation's own value is
/// left out of what it records).
fn with_last_applied(v: &Value) -> Value {
    // GetModifiedConfiguration sets the annotations to a map (empty if there
    // were none) without the last-applied key before serialising, so the
    // record always carries `"annotations":{...}`.
    let mut recorded = v.clone();
    if let Some(m) = recorded.get_mut("metadata").and_then(Value::as_object_mut) {
        let a = m.entry("annotations").or_insert_with(|| json!({}));
        if let Some(a) = a.as_object_mut() {
            a.remove(LAST_APPLIED);
        }
    }
    let text = format!("{}\n", serde_json::to_string(&recorded).unwrap_or_default());
    let mut out = v.clone();
    if let Some(m) = out.get_mut("metadata").and_then(Value::as_object_mut) {
        let ann = m.entry("annotations").or_insert_with(|| json!({}));
        if let Some(a) = ann.as_object_mut() {
            a.insert(LAST_APPLIED.into(), Value::String(text));
        }
    }
    out
}

fn apply_one(ctx: &mut Ctx, args: &Args, m: &Manifest, kind: Kind, v: Value, d: DryRun, out: &mut Output) -> Result<(), CmdError> {
    let name = value_name(&v);
    let ns = value_ns(&v);
    let modified = with_last_applied(&v);
    let current = match ctx.world.api().get(kind, &ns, &name) {
        Ok(c) => Some(c),
        Err(e) if e.code == 404 => None,
        Err(e) => return Err(CmdError::Api(e)),
    };
    let opts = WriteOptions { dry_run: d == DryRun::Server, field_validation: field_validation(args) };
    let Some(current) = current else {
        if d == DryRun::Client {
            print_result(out, args, kind, &name, "created", d);
            return Ok(());
        }
        return match create_value(ctx, kind, modified, &opts) {
            Ok(o) => {
                print_result(out, args, kind, o.name(), "created", d);
                Ok(())
            }
            Err(e) => Err(CmdError::Source { verb: "creating", source: m.source.clone(), error: e }),
        };
    };
    let current_v = current.to_value();
    let original: Option<Value> = meta::annotations(current.meta()).get(LAST_APPLIED).and_then(|s| serde_json::from_str(s).ok());
    if original.is_none() {
        out.stderr.push_str(&format!(
            "Warning: resource {}/{} is missing the {LAST_APPLIED} annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.\n",
            kind.info().plural,
            name
        ));
    }
    apiserver::check_request_body(&modified).map_err(|e| CmdError::Source { verb: "patching", source: m.source.clone(), error: e })?;
    let patch = three_way_patch(original.as_ref(), &modified, &current_v);
    if patch.as_object().is_some_and(|m| m.is_empty()) {
        print_result(out, args, kind, &name, "unchanged", d);
        return Ok(());
    }
    if d == DryRun::Client {
        print_result(out, args, kind, &name, "configured", d);
        return Ok(());
    }
    let r = ctx.world.api_mut().patch(kind, &ns, &name, PatchType::StrategicMerge, &patch, false, &opts);
    ctx.world.settle();
    match r {
        Ok(_) => {
            print_result(out, args, kind, &name, "configured", d);
            Ok(())
        }
        Err(e) => Err(CmdError::Source { verb: "patching", source: m.source.clone(), error: e }),
    }
}

/// Is every field of `want` present with the same value in `have`
/// (server-added fields in `have` are ignored)?
fn subset(want: &Value, have: &Value) -> bool {
    match (want, have) {
        (Value::Object(w), Value::Object(h)) => w.iter().all(|(k, v)| match h.get(k) {
            Some(hv) => subset(v, hv),
            None => v.is_null() || v.as_object().is_some_and(|m| m.is_empty()) || v.as_array().is_some_and(|a| a.is_empty()),
        }),
        (Value::Array(w), Value::Array(h)) => w.len() == h.len() && w.iter().zip(h).all(|(a, b)| subset(a, b)),
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        // A quantity may be written as a number and stored as a string.
        (Value::Number(a), Value::String(b)) => a.to_string() == *b,
        _ => want == have,
    }
}

/// A strategic-merge patch taking `current` to `modified`, deleting what
/// `original` (the last applied configuration) had and `modified` drops —
/// the three-way merge kubectl apply computes (strategicpatch.CreateThreeWayMergePatch).
pub fn three_way_patch(original: Option<&Value>, modified: &Value, current: &Value) -> Value {
    let mut patch = Map::new();
    diff_into(original, modified, current, &mut patch);
    Value::Object(patch)
}

fn diff_into(original: Option<&Value>, modified: &Value, current: &Value, patch: &mut Map<String, Value>) {
    let (Value::Object(m), cur) = (modified, current) else { return };
    let empty = Map::new();
    let c = cur.as_object().unwrap_or(&empty);
    for (k, mv) in m {
        if k == "status" {
            continue;
        }
        let cv = c.get(k);
        let ov = original.and_then(|o| o.get(k));
        match (mv, cv) {
            (Value::Object(_), Some(cvv @ Value::Object(_))) => {
                let mut sub = Map::new();
                diff_into(ov, mv, cvv, &mut sub);
                if !sub.is_empty() {
                    patch.insert(k.clone(), Value::Object(sub));
                }
            }
            (Value::Array(ma), Some(Value::Array(ca))) => {
                if !subset(mv, &Value::Array(ca.clone())) {
                    // Elements the user removed since the last apply are deleted by key.
                    let mut list = ma.clone();
                    if let Some(Value::Array(oa)) = ov {
                        for o in oa {
                            if let Some(name) = o.get("name") {
                                if !ma.iter().any(|x| x.get("name") == Some(name)) {
                                    list.push(json!({"name": name, "$patch": "delete"}));
                                }
                            }
                        }
                    }
                    patch.insert(k.clone(), Value::Array(list));
                }
            }
            (_, Some(cvv)) if subset(mv, cvv) => {}
            _ => {
                patch.insert(k.clone(), mv.clone());
            }
        }
    }
    // Fields the last apply set and this one no longer does are removed.
    if let Some(Value::Object(o)) = original {
        for k in o.keys() {
            if !m.contains_key(k) && c.contains_key(k) && k != "status" {
                patch.insert(k.clone(), Value::Null);
            }
        }
    }
}

// ---- replace ----------------------------------------------------------------

pub fn replace(ctx: &mut Ctx, args: &Args, _rest: &[String], out: &mut Output) -> Result<(), CmdError> {
    if args.all("filename").is_empty() {
        return Err(CmdError::Raw("error: must specify --filename to replace".into()));
    }
    let d = dry_run(args)?;
    each_manifest(ctx, args, out, |ctx, out, m, kind, v| {
        let name = value_name(&v);
        let ns = value_ns(&v);
        let source_err = |e| CmdError::Source { verb: "replacing", source: m.source.clone(), error: e };
        if args.flag("force") {
            let _ = ctx.world.api_mut().delete(kind, &ns, &name, &DeleteOptions { propagation: Some(Propagation::Background), ..Default::default() });
            if kind.info().namespaced {
                out.outln(&format!("{} \"{name}\" deleted from {ns} namespace", kind.info().qualified_singular()));
            } else {
                out.outln(&format!("{} \"{name}\" deleted", kind.info().qualified_singular()));
            }
            wait_gone(ctx, &[(kind, ns.clone(), name.clone())]);
            create_value(ctx, kind, v, &WriteOptions::default()).map_err(source_err)?;
            print_result(out, args, kind, &name, "replaced", d);
            return Ok(());
        }
        let api = ctx.world.api_mut();
        let r = apiserver::check_request_body(&v)
            .and_then(|_| apiserver::decode::decode_typed(api, kind, v, field_validation(args)))
            .and_then(|obj| api.update(obj, &WriteOptions { dry_run: d != DryRun::None, ..Default::default() }));
        ctx.world.settle();
        r.map_err(source_err)?;
        print_result(out, args, kind, &name, "replaced", d);
        Ok(())
    })
}

// ---- delete -----------------------------------------------------------------

/// kubectl delete waits (`--wait=true`) until deleted objects are gone.
/// Bound on that wait in simulated time.
pub const DELETE_WAIT_LIMIT_SECONDS: i64 = 3600;

/// `replace --force` deletes, waits, then creates: it waits in place.
fn wait_gone(ctx: &mut Ctx, keys: &[(Kind, String, String)]) {
    let mut gone = WaitGone { keys: keys.to_vec(), deadline: ctx.world.now() + SignedDuration::from_secs(DELETE_WAIT_LIMIT_SECONDS), errors: vec![] };
    let mut ignored = Output::default();
    let limit = gone.deadline;
    crate::waiting::finish_in_simulated_time(ctx.world, &mut gone, &mut ignored, limit);
}

/// `kubectl delete` after its deletions: waits until every object is gone
/// (graceful termination, finalizers), then reports the errors it had.
struct WaitGone {
    keys: Vec<(Kind, String, String)>,
    deadline: Timestamp,
    errors: Vec<CmdError>,
}

impl crate::Waiting for WaitGone {
    fn poll(&mut self, world: &world::World, out: &mut Output) -> bool {
        let gone = self.keys.iter().all(|(k, ns, n)| world.api().get(*k, ns, n).is_err());
        if !gone && world.now() < self.deadline {
            return false;
        }
        if let Err(e) = finish(std::mem::take(&mut self.errors)) {
            out.fail(&e);
        }
        true
    }
    fn deadline(&self) -> Option<Timestamp> {
        Some(self.deadline)
    }
}

pub fn delete(ctx: &mut Ctx, args: &Args, rest: &[String], out: &mut Output) -> Result<Option<Box<dyn crate::Waiting>>, CmdError> {
    let d = dry_run(args)?;
    let files = args.all("filename");
    let all = args.flag("all");
    let selector = args.get("selector");
    if rest.is_empty() && files.is_empty() {
        return Err(CmdError::no_resources());
    }
    let ns = ctx.namespace(args);
    let all_ns = args.flag("all-namespaces");
    let mut items: Vec<(Kind, String, String, Option<String>)> = vec![];
    let mut errors = vec![];
    if !files.is_empty() {
        for m in manifests(ctx, args)? {
            match prepare(ctx, args, &m) {
                Ok((k, v)) => items.push((k, value_ns(&v), value_name(&v), Some(m.source.clone()))),
                Err(e) => errors.push(e),
            }
        }
    }
    let targets = builder::targets(rest)?;
    let labels = match selector {
        Some(s) => Selector::parse(s).map_err(|e| CmdError::msg(format!("unable to parse requirement: {e}")))?,
        None => Selector::everything(),
    };
    let fields = match args.get("field-selector") {
        Some(s) => parse_field_selector(s).map_err(CmdError::msg)?,
        None => vec![],
    };
    let mut listed_any = false;
    for t in &targets {
        match t {
            Target::Named(k, n) => items.push((*k, ns.clone(), n.clone(), None)),
            Target::All(k) => {
                if !all && selector.is_none() && args.get("field-selector").is_none() {
                    return Err(CmdError::msg("resource(s) were provided, but no name was specified"));
                }
                listed_any = true;
                let scope = if all_ns { None } else { Some(ns.as_str()) };
                let list = ctx.world.api().list(*k, scope, &labels, &fields)?;
                for o in list.items {
                    items.push((*k, o.namespace().to_string(), o.name().to_string(), None));
                }
            }
        }
    }
    if items.is_empty() && errors.is_empty() && listed_any {
        out.outln("No resources found");
        return Ok(None);
    }
    let grace = if args.flag("now") {
        Some(1)
    } else if args.flag("force") && args.get("grace-period").is_none() {
        Some(0)
    } else {
        args.get("grace-period").and_then(|g| g.parse::<i64>().ok()).filter(|g| *g >= 0)
    };
    let force = args.flag("force") && grace == Some(0);
    if force {
        out.stderr.push_str("Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n");
    }
    let propagation = match args.get("cascade") {
        Some("orphan") | Some("false") => Propagation::Orphan,
        Some("foreground") => Propagation::Foreground,
        _ => Propagation::Background,
    };
    let mut deleted = vec![];
    for (kind, ns, name, source) in items {
        let opts = DeleteOptions { grace_period_seconds: grace, propagation: Some(propagation), dry_run: d != DryRun::None, ..Default::default() };
        let r = if d == DryRun::Client {
            ctx.world.api().get(kind, &ns, &name).map(|o| DeleteOutcome::Deleted(o))
        } else {
            ctx.world.api_mut().delete(kind, &ns, &name, &opts)
        };
        ctx.world.settle();
        match r {
            Ok(_) => {
                if args.get("output") == Some("name") {
                    out.outln(&object_ref(kind, &name));
                } else {
                    let op = if force { "force deleted" } else { "deleted" };
                    let where_ = if kind.info().namespaced { format!(" from {ns} namespace") } else { String::new() };
                    out.outln(&format!("{} \"{name}\" {op}{where_}{}", kind.info().qualified_singular(), suffix(d)));
                }
                deleted.push((kind, ns, name));
            }
            Err(e) if e.code == 404 && args.flag("ignore-not-found") => {}
            Err(e) => match source {
                Some(src) => errors.push(CmdError::Source { verb: "deleting", source: src, error: e }),
                None => errors.push(CmdError::Api(e)),
            },
        }
    }
    let wait = args.get("wait").is_none_or(|w| w != "false");
    if wait && d == DryRun::None && !deleted.is_empty() {
        let deadline = ctx.world.now() + SignedDuration::from_secs(DELETE_WAIT_LIMIT_SECONDS);
        return Ok(Some(Box::new(WaitGone { keys: deleted, deadline, errors })));
    }
    finish(errors).map(|_| None)
}

// ---- scale, set image, label, annotate, cordon, expose ----------------------

fn one_named(args_rest: &[String], verb_help: &str) -> Result<Vec<(Kind, String)>, CmdError> {
    let targets = builder::targets(args_rest)?;
    if targets.is_empty() {
        return Err(CmdError::msg(verb_help.to_string()));
    }
    let mut out = vec![];
    for t in targets {
        match t {
            Target::Named(k, n) => out.push((k, n)),
            Target::All(_) => return Err(CmdError::msg("resource(s) were provided, but no name was specified")),
        }
    }
    Ok(out)
}

pub fn scale(ctx: &mut Ctx, args: &Args, rest: &[String], out: &mut Output) -> Result<(), CmdError> {
    let Some(replicas) = args.get("replicas") else {
        return Err(CmdError::msg("required flag(s) \"replicas\" not set"));
    };
    let replicas: i64 = replicas.parse().map_err(|_| CmdError::msg(format!("invalid argument \"{replicas}\" for \"--replicas\" flag: strconv.ParseInt: parsing \"{replicas}\": invalid syntax")))?;
    if replicas < 0 {
        return Err(CmdError::msg("The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0"));
    }
    let d = dry_run(args)?;
    let ns = ctx.namespace(args);
    for (kind, name) in one_named(rest, "one or more resources must be specified as <resource> <name> or <resource>/<name>")? {
        if !matches!(kind, Kind::Deployment | Kind::ReplicaSet | Kind::ReplicationController) {
            return Err(CmdError::msg(format!("cannot scale resource {}", kind.info().plural)));
        }
        let current = ctx.world.api().get(kind, &ns, &name)?;
        if let Some(cur) = args.get("current-replicas").and_then(|c| c.parse::<i64>().ok()) {
            let have = current.to_value().pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(1);
            if have != cur {
                return Err(CmdError::msg(format!("Expected replicas to be {cur}, was {have}")));
            }
        }
        if d != DryRun::Client {
            let r = ctx.world.api_mut().patch(kind, &ns, &name, PatchType::Merge, &json!({"spec": {"replicas": replicas}}), false, &WriteOptions { dry_run: d == DryRun::Server, ..Default::default() });
            ctx.world.settle();
            r?;
        }
        print_result(out, args, kind, &name, "scaled", d);
    }
    Ok(())
}

pub fn set(ctx: &mut Ctx, args: &Args, rest: &[String], out: &mut Output) -> Result<(), CmdError> {
    match rest.first().map(String::as_str) {
        Some("image") => set_image(ctx, args, &rest[1..], out),
        Some(other) => Err(CmdError::Raw(format!("error: unknown command \"{other}\" for \"kubectl set\""))),
        None => Err(CmdError::Raw("error: Required resource not specified.".into())),
    }
}

fn set_image(ctx: &mut Ctx, args: &Args, rest: &[String], out: &mut Output) -> Result<(), CmdError> {
    let (resources, images): (Vec<String>, Vec<String>) = rest.iter().cloned().partition(|a| !a.contains('='));
    if images.is_empty() {
        return Err(CmdError::msg("at least one image update is required"));
    }
    let d = dry_run(args)?;
    let ns = ctx.namespace(args);
    for (kind, name) in one_named(&resources, "one or more resources must be specified as <resource> <name> or <resource>/<name>")? {
        let current = ctx.world.api().get(kind, &ns, &name)?;
        let v = current.to_value();
        let pointer = if kind == Kind::Pod { "/spec" } else { "/spec/template/spec" };
        let containers = v.pointer(&format!("{pointer}/containers")).and_then(Value::as_array).cloned().unwrap_or_default();
        let mut changes = vec![];
        for img in &images {
            let (c, image) = img.split_once('=').expect("partitioned on '='");
            let mut matched = false;
            for ct in &containers {
                let cname = ct["name"].as_str().unwrap_or("");
                if c == "*" || c == cname {
                    matched = true;
                    if ct["image"].as_str() != Some(image) {
                        changes.push(json!({"name": cname, "image": image}));
                    }
                }
            }
            if !matched {
                return Err(CmdError::msg(format!("unable to find container named \"{c}\"")));
            }
        }
        if changes.is_empty() {
            continue;
        }
        let order: Vec<Value> = containers.iter().map(|c| json!({"name": c["name"]})).collect();
        let inner = json!({"$setElementOrder/containers": order, "containers": changes});
        let patch = if kind == Kind::Pod { json!({"spec": inner}) } else { json!({"spec": {"template": {"spec": inner}}}) };
        if d != DryRun::Client {
            let r = ctx.world.api_mut().patch(kind, &ns, &name, PatchType::StrategicMerge, &patch, false, &WriteOptions { dry_run: d == DryRun::Server, ..Default::default() });
            ctx.world.settle();
            r?;
        }
        print_result(out, args, kind, &name, "image updated", d);
    }
    Ok(())
}

pub fn label(ctx: &mut Ctx, args: &Args, rest: &[String], out: &mut Output, annotate: bool) -> Result<(), CmdError> {
    let (resources, changes): (Vec<String>, Vec<String>) = rest.iter().cloned().partition(|a| !(a.contains('=') || a.ends_with('-')));
    let ns = ctx.namespace(args);
    let targets = builder::targets(&resources)?;
    if targets.is_empty() {
        return Err(CmdError::msg("one or more resources must be specified as <resource> <name> or <resource>/<name>"));
    }
    if changes.is_empty() {
        return Err(CmdError::msg(if annotate { "at least one annotation update is required" } else { "at least one label update is required" }));
    }
    let mut objects: Vec<Arc<Object>> = vec![];
    for t in targets {
        match t {
            Target::Named(k, n) => objects.push(ctx.world.api().get(k, &ns, &n)?),
            Target::All(k) => {
                if !args.flag("all") && args.get("selector").is_none() {
                    return Err(CmdError::msg("resource(s) were provided, but no name was specified"));
                }
                let labels = match args.get("selector") {
                    Some(s) => Selector::parse(s).map_err(CmdError::msg)?,
                    None => Selector::everything(),
                };
                objects.extend(ctx.world.api().list(k, if args.flag("all-namespaces") { None } else { Some(&ns) }, &labels, &[])?.items);
            }
        }
    }
    let field = if annotate { "annotations" } else { "labels" };
    for o in objects {
        let existing = if annotate { meta::annotations(o.meta()).clone() } else { meta::labels(o.meta()).clone() };
        let mut patch = Map::new();
        let mut removed_missing = vec![];
        for c in &changes {
            if let Some(k) = c.strip_suffix('-').filter(|_| !c.contains('=')) {
                if existing.contains_key(k) {
                    patch.insert(k.to_string(), Value::Null);
                } else {
                    removed_missing.push(k.to_string());
                }
            } else if let Some((k, v)) = c.split_once('=') {
                if let Some(old) = existing.get(k) {
                    if old == v {
                        continue;
                    }
                    if !args.flag("overwrite") {
                        return Err(if annotate {
                            CmdError::msg(format!("--overwrite is false but found the following declared annotation(s): '{k}' already has a value ({old})"))
                        } else {
                            CmdError::msg(format!("'{k}' already has a value ({old}), and --overwrite is false"))
                        });
                    }
                }
                patch.insert(k.to_string(), json!(v));
            }
        }
        for k in &removed_missing {
            out.outln(&format!("{} \"{k}\" not found.", if annotate { "annotation" } else { "label" }));
        }
        let kind = o.kind();
        if patch.is_empty() {
            out.outln(&format!("{} not {}", object_ref(kind, o.name()), if annotate { "annotated" } else { "labeled" }));
            continue;
        }
        let removal_only = patch.values().all(Value::is_null);
        let body = json!({"metadata": {field: Value::Object(patch)}});
        let r = ctx.world.api_mut().patch(kind, o.namespace(), o.name(), PatchType::Merge, &body, false, &WriteOptions::default());
        ctx.world.settle();
        r?;
        let verb = match (annotate, removal_only) {
            (true, _) => "annotated",
            (false, true) => "unlabeled",
            (false, false) => "labeled",
        };
        out.outln(&format!("{} {verb}", object_ref(kind, o.name())));
    }
    Ok(())
}

pub fn cordon(ctx: &mut Ctx, _args: &Args, rest: &[String], out: &mut Output, on: bool) -> Result<(), CmdError> {
    for name in rest {
        let node = ctx.world.api().get(Kind::Node, "", name)?;
        let is = node.to_value().pointer("/spec/unschedulable").and_then(Value::as_bool).unwrap_or(false);
        let word = if on { "cordoned" } else { "uncordoned" };
        if is == on {
            out.outln(&format!("node/{name} already {word}"));
            continue;
        }
        let patch = if on { json!({"spec": {"unschedulable": true}}) } else { json!({"spec": {"unschedulable": null}}) };
        ctx.world.api_mut().patch(Kind::Node, "", name, PatchType::StrategicMerge, &patch, false, &WriteOptions::default())?;
        ctx.world.settle();
        out.outln(&format!("node/{name} {word}"));
    }
    Ok(())
}

pub fn expose(ctx: &mut Ctx, args: &Args, rest: &[String], out: &mut Output) -> Result<(), CmdError> {
    if rest.is_empty() && args.all("filename").is_empty() {
        return Err(CmdError::no_resources());
    }
    let d = dry_run(args)?;
    let ns = ctx.namespace(args);
    for (kind, name) in one_named(rest, "one or more resources must be specified")? {
        let o = ctx.world.api().get(kind, &ns, &name)?;
        let v = o.to_value();
        let selector: Value = match kind {
            Kind::Pod => v.pointer("/metadata/labels").cloned().unwrap_or(json!({})),
            Kind::Service => v.pointer("/spec/selector").cloned().unwrap_or(json!({})),
            Kind::ReplicationController => v.pointer("/spec/selector").cloned().unwrap_or(json!({})),
            Kind::Deployment | Kind::ReplicaSet => {
                if v.pointer("/spec/selector/matchExpressions").is_some_and(|e| e.as_array().is_some_and(|a| !a.is_empty())) {
                    return Err(CmdError::msg(format!("couldn't retrieve selectors via --selector flag or introspection: {} has a selector with matchExpressions, which can't be converted to a service selector", kind.info().plural)));
                }
                v.pointer("/spec/selector/matchLabels").cloned().unwrap_or(json!({}))
            }
            _ => return Err(CmdError::msg(format!("cannot expose a {}", kind.info().name))),
        };
        let container_ports: Vec<Value> = {
            let p = if kind == Kind::Pod { "/spec/containers" } else { "/spec/template/spec/containers" };
            v.pointer(p).and_then(Value::as_array).cloned().unwrap_or_default().iter().flat_map(|c| c["ports"].as_array().cloned().unwrap_or_default()).collect()
        };
        let protocol = args.get("protocol").unwrap_or("TCP");
        let mut ports: Vec<Value> = vec![];
        if let Some(p) = args.get("port") {
            let port: i64 = p.parse().map_err(|_| CmdError::msg(format!("invalid port {p}")))?;
            let mut sp = json!({"port": port, "protocol": protocol});
            let target = args.get("target-port").map(|t| t.parse::<i64>().map(Value::from).unwrap_or(json!(t)));
            sp["targetPort"] = target.unwrap_or(json!(port));
            ports.push(sp);
        } else {
            for (i, cp) in container_ports.iter().enumerate() {
                let port = cp["containerPort"].as_i64().unwrap_or(0);
                let mut sp = json!({"port": port, "protocol": cp.get("protocol").cloned().unwrap_or(json!("TCP")), "targetPort": port});
                if container_ports.len() > 1 {
                    sp["name"] = json!(format!("port-{}", i + 1));
                }
                ports.push(sp);
            }
            if ports.is_empty() {
                return Err(CmdError::msg("couldn't find port via --port flag or introspection"));
            }
        }
        let svc_name = args.get("name").unwrap_or(&name).to_string();
        let labels = v.pointer("/metadata/labels").cloned().unwrap_or(json!({}));
        let mut svc = json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": svc_name, "namespace": ns, "labels": labels},
            "spec": {"ports": ports, "selector": selector}
        });
        if let Some(t) = args.get("type") {
            svc["spec"]["type"] = json!(t);
        }
        if d == DryRun::Client {
            print_result(out, args, Kind::Service, &svc_name, "exposed", d);
            continue;
        }
        let o = create_value(ctx, Kind::Service, svc, &WriteOptions { dry_run: d == DryRun::Server, ..Default::default() })?;
        print_result(out, args, Kind::Service, o.name(), "exposed", d);
    }
    Ok(())
}
