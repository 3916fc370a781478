//! Informational verbs: `version`, `cluster-info`, `api-resources`, and
//! kubectl's top-level help (staging/src/k8s.io/kubectl/pkg/cmd/{version,clusterinfo,apiresources}).

use crate::args::Args;
use crate::errors::CmdError;
use crate::{Ctx, Output};
use apimachinery::selector::Selector;
use apimachinery::{Kind, Object, kinds::KINDS};
use serde_json::json;

/// `kubectl` with no arguments (stdout, exit 0): kubectl 1.37's help.
pub const HELP: &str = r#"kubectl controls the Kubernetes cluster manager.

 Find more information at: https://kubernetes.io/docs/reference/kubectl/

Basic Commands (Beginner):
  create          Create a resource from a file or from stdin
  expose          Take a replication controller, service, deployment or pod and expose it as a new Kubernetes service
  run             Run a particular image on the cluster
  set             Set specific features on objects

Basic Commands (Intermediate):
  explain         Get documentation for a resource
  get             Display one or many resources
  edit            Edit a resource on the server
  delete          Delete resources by file names, stdin, resources and names, or by resources and label selector

Deploy Commands:
  rollout         Manage the rollout of a resource
  scale           Set a new size for a deployment, replica set, or replication controller
  autoscale       Auto-scale a deployment, replica set, stateful set, or replication controller

Cluster Management Commands:
  certificate     Modify certificate resources
  cluster-info    Display cluster information
  top             Display resource (CPU/memory) usage
  cordon          Mark node as unschedulable
  uncordon        Mark node as schedulable
  drain           Drain node in preparation for maintenance
  taint           Update the taints on one or more nodes

Troubleshooting and Debugging Commands:
  describe        Show details of a specific resource or group of resources
  logs            Print the logs for a container in a pod
  attach          Attach to a running container
  exec            Execute a command in a container
  port-forward    Forward one or more local ports to a pod
  proxy           Run a proxy to the Kubernetes API server
  cp              Copy files and directories to and from containers
  auth            Inspect authorization
  debug           Create debugging sessions for troubleshooting workloads and nodes
  events          List events

Advanced Commands:
  diff            Diff the live version against a would-be applied version
  apply           Apply a configuration to a resource by file name or stdin
  patch           Update fields of a resource
  replace         Replace a resource by file name or stdin
  wait            Wait for a specific condition on one or many resources
  kustomize       Build a kustomization target from a directory or URL

Settings Commands:
  label           Update the labels on a resource
  annotate        Update the annotations on a resource
  completion      Output shell completion code for the specified shell (bash, zsh, fish, or powershell)

Subcommands provided by plugins:

Other Commands:
  api-resources   Print the supported API resources on the server
  api-versions    Print the supported API versions on the server, in the form of "group/version"
  config          Modify kubeconfig files
  kuberc          Manage kuberc configuration files
  plugin          Provides utilities for interacting with plugins
  version         Print the client and server version information

Usage:
  kubectl [flags] [options]

Use "kubectl <command> --help" for more information about a given command.
Use "kubectl options" for a list of global command-line options (applies to all commands).
"#;

/// kubectl's own build (the client the simulated cluster's users run).
pub const CLIENT_VERSION: &str = "v1.37.1";
pub const KUSTOMIZE_VERSION: &str = "v5.8.1";
const GIT_COMMIT: &str = "f78e722310e50bcaca9276be22276d9e91d91308";
const BUILD_DATE: &str = "2026-09-23T17:10:04Z";
const GO_VERSION: &str = "go1.26.8";

fn version_info(git_version: &str) -> serde_json::Value {
    json!({
        "buildDate": BUILD_DATE, "compiler": "gc", "gitCommit": GIT_COMMIT, "gitTreeState": "clean",
        "gitVersion": git_version, "goVersion": GO_VERSION, "major": "1", "minor": apimachinery::KUBERNETES_MINOR, "platform": "linux/amd64",
    })
}

pub fn version(_ctx: &mut Ctx, args: &Args, out: &mut Output) -> Result<(), CmdError> {
    let client_only = args.flag("client");
    match args.get("output") {
        Some("yaml") | Some("json") => {
            let mut v = json!({"clientVersion": version_info(CLIENT_VERSION), "kustomizeVersion": KUSTOMIZE_VERSION});
            if !client_only {
                let mut server = version_info(apimachinery::KUBERNETES_VERSION);
                server["emulationMajor"] = json!("1");
                server["emulationMinor"] = json!(apimachinery::KUBERNETES_MINOR);
                server["minCompatibilityMajor"] = json!("1");
                server["minCompatibilityMinor"] = json!(format!("{}", apimachinery::KUBERNETES_MINOR.parse::<u32>().unwrap_or(37) - 1));
                v["serverVersion"] = server;
            }
            if args.get("output") == Some("yaml") {
                out.out(&apimachinery::yaml::to_yaml(&v));
                out.out("\n");
            } else {
                let s = serde_json::to_string_pretty(&v).unwrap_or_default();
                out.outln(&s);
            }
        }
        Some(other) if !other.is_empty() => return Err(CmdError::msg("--output must be 'yaml' or 'json'")),
        _ => {
            out.outln(&format!("Client Version: {CLIENT_VERSION}"));
            out.outln(&format!("Kustomize Version: {KUSTOMIZE_VERSION}"));
            if !client_only {
                out.outln(&format!("Server Version: {}", apimachinery::KUBERNETES_VERSION));
            }
        }
    }
    Ok(())
}

pub fn cluster_info(ctx: &mut Ctx, args: &Args, out: &mut Output) -> Result<(), CmdError> {
    let host = ctx.config.server();
    let ns = args.get("namespace").unwrap_or("kube-system").to_string();
    out.outln(&format!("Kubernetes control plane is running at {host}"));
    let sel = Selector::parse("kubernetes.io/cluster-service=true").expect("constant selector");
    let list = ctx.world.api().list(Kind::Service, Some(&ns), &sel, &[])?;
    for o in &list.items {
        let Object::Service(s) = &**o else { continue };
        let name = apimachinery::meta::labels(&s.metadata).get("kubernetes.io/name").cloned().unwrap_or_else(|| o.name().to_string());
        let ingress = s.status.as_ref().and_then(|st| st.load_balancer.as_ref()).and_then(|lb| lb.ingress.clone()).unwrap_or_default();
        let ports = s.spec.as_ref().and_then(|sp| sp.ports.clone()).unwrap_or_default();
        let link = if !ingress.is_empty() {
            let ip = ingress[0].ip.clone().or(ingress[0].hostname.clone()).unwrap_or_default();
            ports.iter().map(|p| format!("http://{ip}:{} ", p.port)).collect::<String>()
        } else {
            let svc = match ports.first() {
                Some(p) => {
                    let port_name = p.name.clone().unwrap_or_default();
                    let scheme = if port_name == "https" || p.port == 443 { "https:" } else { "" };
                    if port_name.is_empty() { format!("{scheme}{}", o.name()) } else { format!("{scheme}{}:{port_name}", o.name()) }
                }
                None => o.name().to_string(),
            };
            format!("{host}/api/v1/namespaces/{ns}/services/{svc}/proxy")
        };
        out.outln(&format!("{name} is running at {link}"));
    }
    out.out("\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n");
    Ok(())
}

pub fn api_resources(_ctx: &mut Ctx, args: &Args, out: &mut Output) -> Result<(), CmdError> {
    let mut rows: Vec<&apimachinery::KindInfo> = KINDS.iter().collect();
    if let Some(g) = args.get("api-group") {
        rows.retain(|k| k.group == g);
    }
    if let Some(n) = args.get("namespaced") {
        let want = n != "false";
        rows.retain(|k| k.namespaced == want);
    }
    // sort.Stable by group; within a group discovery lists resources alphabetically.
    apimachinery::sort::sort_by(&mut rows, |a, b| (a.group, a.plural).cmp(&(b.group, b.plural)));
    if args.get("output") == Some("name") {
        for k in rows {
            out.outln(&k.qualified_plural());
        }
        return Ok(());
    }
    let wide = args.get("output") == Some("wide");
    let mut lines = vec![if wide { "NAME\tSHORTNAMES\tAPIVERSION\tNAMESPACED\tKIND\tVERBS\tCATEGORIES" } else { "NAME\tSHORTNAMES\tAPIVERSION\tNAMESPACED\tKIND" }.to_string()];
    for k in rows {
        let mut l = format!("{}\t{}\t{}\t{}\t{}", k.plural, k.short_names.join(","), k.api_version, k.namespaced, k.name);
        if wide {
            l.push_str(&format!("\t{}\t{}", "create,delete,deletecollection,get,list,patch,update,watch", k.categories.join(",")));
        }
        lines.push(l);
    }
    out.out(&crate::tabwriter::layout(&lines));
    Ok(())
}
