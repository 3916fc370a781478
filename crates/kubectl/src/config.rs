//! The kubeconfig kubectl works with, and `kubectl config ...`
//! (staging/src/k8s.io/kubectl/pkg/cmd/config).

use crate::args::Args;
use crate::errors::CmdError;
use crate::{Ctx, Output};
use serde_json::{Value, json};
use world::ClusterProfile;

#[derive(Clone, Debug, PartialEq)]
pub struct Context {
    pub name: String,
    pub cluster: String,
    pub user: String,
    pub namespace: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct KubeConfig {
    /// (name, server URL)
    pub clusters: Vec<(String, String)>,
    pub users: Vec<String>,
    pub contexts: Vec<Context>,
    pub current_context: String,
}

impl KubeConfig {
    /// What `kubeadm init` (or minikube, Docker Desktop) writes to ~/.kube/config.
    pub fn for_profile(p: &ClusterProfile) -> KubeConfig {
        KubeConfig {
            clusters: vec![(p.cluster_name.to_string(), p.server_url())],
            users: vec![p.user_name.to_string()],
            contexts: vec![Context { name: p.context_name.into(), cluster: p.cluster_name.into(), user: p.user_name.into(), namespace: None }],
            current_context: p.context_name.to_string(),
        }
    }
    fn current(&self) -> Option<&Context> {
        self.contexts.iter().find(|c| c.name == self.current_context)
    }
    /// The default namespace of the current context.
    pub fn namespace(&self) -> String {
        self.current().and_then(|c| c.namespace.clone()).filter(|n| !n.is_empty()).unwrap_or_else(|| "default".to_string())
    }
    pub fn server(&self) -> String {
        let cluster = self.current().map(|c| c.cluster.clone()).unwrap_or_default();
        self.clusters.iter().find(|(n, _)| *n == cluster).map(|(_, s)| s.clone()).unwrap_or_else(|| "http://localhost:8080".into())
    }

    fn to_value(&self, raw: bool) -> Value {
        let data = |s: &str| if raw { Value::String(s.to_string()) } else { Value::String("DATA+OMITTED".into()) };
        let mut contexts: Vec<Value> = vec![];
        for c in &self.contexts {
            let mut ctx = json!({"cluster": c.cluster, "user": c.user});
            if let Some(ns) = &c.namespace {
                ctx["namespace"] = json!(ns);
            }
            contexts.push(json!({"context": ctx, "name": c.name}));
        }
        json!({
            "apiVersion": "v1",
            "clusters": self.clusters.iter().map(|(n, s)| json!({"cluster": {"certificate-authority-data": data(CA_DATA), "server": s}, "name": n})).collect::<Vec<_>>(),
            "contexts": contexts,
            "current-context": self.current_context,
            "kind": "Config",
            "users": self.users.iter().map(|u| json!({"name": u, "user": {"client-certificate-data": data(CERT_DATA), "client-key-data": data(KEY_DATA)}})).collect::<Vec<_>>(),
        })
    }
}

/// Placeholder credentials (base64 of a fixed text): the simulated cluster
/// needs none, `--raw` shows them.
const CA_DATA: &str = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCmt1YmVwbGF5IHNpbXVsYXRlZCBDQQotLS0tLUVORCBDRVJUSUZJQ0FURS0tLS0tCg==";
const CERT_DATA: &str = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCmt1YmVwbGF5IHNpbXVsYXRlZCBjbGllbnQKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=";
const KEY_DATA: &str = "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQprdWJlcGxheSBzaW11bGF0ZWQga2V5Ci0tLS0tRU5EIFJTQSBQUklWQVRFIEtFWS0tLS0tCg==";

pub fn run(ctx: &mut Ctx, args: &Args, rest: &[String], out: &mut Output) -> Result<(), CmdError> {
    let sub = rest.first().map(String::as_str).unwrap_or("");
    let cfg = &mut *ctx.config;
    match sub {
        "view" => {
            let mut v = cfg.to_value(args.flag("raw") || args.flag("flatten"));
            if args.flag("minify") {
                let cur = cfg.current().cloned();
                if let Some(c) = cur {
                    v["contexts"] = Value::Array(v["contexts"].as_array().cloned().unwrap_or_default().into_iter().filter(|x| x["name"] == json!(c.name)).collect());
                    v["clusters"] = Value::Array(v["clusters"].as_array().cloned().unwrap_or_default().into_iter().filter(|x| x["name"] == json!(c.cluster)).collect());
                    v["users"] = Value::Array(v["users"].as_array().cloned().unwrap_or_default().into_iter().filter(|x| x["name"] == json!(c.user)).collect());
                }
            }
            crate::get::print_value(args.get("output").unwrap_or("yaml"), &v, out)
        }
        "current-context" => {
            if cfg.current_context.is_empty() {
                return Err(CmdError::msg("current-context is not set"));
            }
            out.outln(&cfg.current_context);
            Ok(())
        }
        "use-context" => {
            let name = rest.get(1).cloned().unwrap_or_default();
            if !cfg.contexts.iter().any(|c| c.name == name) {
                return Err(CmdError::msg(format!("no context exists with the name: \"{name}\"")));
            }
            cfg.current_context = name.clone();
            out.outln(&format!("Switched to context \"{name}\"."));
            Ok(())
        }
        "set-context" => {
            let name = if args.flag("current") { cfg.current_context.clone() } else { rest.get(1).cloned().unwrap_or_default() };
            if name.is_empty() {
                return Err(CmdError::msg("you must specify a non-empty context name or --current"));
            }
            let exists = cfg.contexts.iter().any(|c| c.name == name);
            if !exists {
                cfg.contexts.push(Context { name: name.clone(), cluster: String::new(), user: String::new(), namespace: None });
            }
            let c = cfg.contexts.iter_mut().find(|c| c.name == name).expect("just ensured");
            if let Some(ns) = args.get("namespace") {
                c.namespace = Some(ns.to_string());
            }
            if let Some(cl) = args.get("cluster") {
                c.cluster = cl.to_string();
            }
            if let Some(u) = args.get("user") {
                c.user = u.to_string();
            }
            out.outln(&format!("Context \"{name}\" {}.", if exists { "modified" } else { "created" }));
            Ok(())
        }
        "get-contexts" => {
            if args.get("output") == Some("name") {
                for c in &cfg.contexts {
                    out.outln(&c.name);
                }
                return Ok(());
            }
            let mut lines = vec!["CURRENT\tNAME\tCLUSTER\tAUTHINFO\tNAMESPACE".to_string()];
            for c in &cfg.contexts {
                let star = if c.name == cfg.current_context { "*" } else { "" };
                lines.push(format!("{star}\t{}\t{}\t{}\t{}", c.name, c.cluster, c.user, c.namespace.clone().unwrap_or_default()));
            }
            out.out(&crate::tabwriter::layout(&lines));
            Ok(())
        }
        "get-clusters" => {
            out.outln("NAME");
            for (n, _) in &cfg.clusters {
                out.outln(n);
            }
            Ok(())
        }
        "get-users" => {
            out.outln("NAME");
            for u in &cfg.users {
                out.outln(u);
            }
            Ok(())
        }
        "" => Err(CmdError::Raw("error: Missing or incomplete configuration info.  Please point to an existing, complete config file:".into())),
        other => Err(CmdError::Raw(format!("error: unknown command \"{other}\" for \"kubectl config\""))),
    }
}
