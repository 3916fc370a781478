//! The `minikube` commands of the minikube profile (docker driver on
//! Linux, node 192.168.49.2): `ip`, `service NAME [--url] [-n NS]`,
//! `tunnel`, `addons enable ingress`. Texts from kubernetes/minikube:
//! cmd/minikube/cmd/service.go, pkg/minikube/service/service.go (URLs and
//! the table), cmd/minikube/cmd/tunnel.go and pkg/minikube/tunnel
//! (reporter.go's status block), cmd/minikube/cmd/config/enable.go and
//! pkg/minikube/assets/addons.go (addon lines), pkg/minikube/style (the
//! emoji prefixes, two spaces after each).

use apimachinery::k8s_openapi::api::core::v1::{Pod, Service};
use apimachinery::{Kind, Object, Timestamp};
use apiserver::WriteOptions;
use world::World;

/// ExSvcNotFound (pkg/minikube/reason/exitcodes.go).
const EX_SVC_NOT_FOUND: i32 = 95;
const EX_PROGRAM_USAGE: i32 = 14;

pub enum Started {
    Done(crate::Ran),
    /// Output so far, and what to wait for.
    Waiting(kubectl::Output, Box<dyn kubectl::Waiting>),
}

fn done(stdout: String, stderr: String, status: i32) -> Started {
    Started::Done(crate::Ran { stdout, stderr, status, late_stderr: String::new() })
}

/// `out.Error` of an exit.Message: a blank line, `❌  Exiting due to ID: msg`, a blank line (stderr).
fn exit_message(id: &str, msg: &str, code: i32) -> Started {
    done(String::new(), format!("\n❌  Exiting due to {id}: {msg}\n\n"), code)
}

pub fn run(world: &mut World, args: &[String]) -> Started {
    let node_ip = world.profile.control_plane().ip.clone();
    match args.first().map(String::as_str) {
        Some("ip") => done(format!("{node_ip}\n"), String::new(), 0),
        Some("service") | Some("svc") => service(world, &args[1..], &node_ip),
        Some("tunnel") => tunnel(world, &node_ip),
        Some("addons") => match (args.get(1).map(String::as_str), args.get(2).map(String::as_str)) {
            (Some("enable"), Some("ingress")) if args.len() == 3 => enable_ingress(world),
            (Some("enable"), _) if args.len() != 3 => exit_message("MK_USAGE", "usage: minikube addons enable ADDON_NAME", EX_PROGRAM_USAGE),
            // Other addons are not carried by kubeplay.
            _ => done(String::new(), format!("minikube: addons {} is not available in kubeplay\n", args[1..].join(" ")), 1),
        },
        _ => done(String::new(), format!("minikube: {} is not available in kubeplay\n", args.join(" ")), 1),
    }
}

/// tablewriter v1 (minikube's PrintServiceList): light box lines, 1-space
/// padding, upper-cased centred headers, left-aligned cells; a cell's
/// lines are stacked in one row.
pub fn service_table(rows: &[[String; 4]]) -> String {
    let headers = ["NAMESPACE", "NAME", "TARGET PORT", "URL"];
    let width = |s: &str| s.chars().count();
    let mut widths: Vec<usize> = headers.iter().map(|h| width(h)).collect();
    for r in rows {
        for (i, cell) in r.iter().enumerate() {
            for line in cell.split('\n') {
                widths[i] = widths[i].max(width(line));
            }
        }
    }
    let rule = |l: &str, m: &str, r: &str| {
        let parts: Vec<String> = widths.iter().map(|w| "─".repeat(w + 2)).collect();
        format!("{l}{}{r}\n", parts.join(m))
    };
    let mut out = rule("┌", "┬", "┐");
    out.push('│');
    for (h, w) in headers.iter().zip(&widths) {
        let gap = w - width(h);
        out.push_str(&format!(" {}{h}{} │", " ".repeat(gap / 2), " ".repeat(gap - gap / 2)));
    }
    out.push('\n');
    out.push_str(&rule("├", "┼", "┤"));
    for r in rows {
        let lines = r.iter().map(|c| c.split('\n').count()).max().unwrap_or(1);
        for l in 0..lines {
            out.push('│');
            for (cell, w) in r.iter().zip(&widths) {
                let text = cell.split('\n').nth(l).unwrap_or("");
                out.push_str(&format!(" {text}{} │", " ".repeat(w - width(text))));
            }
            out.push('\n');
        }
    }
    out.push_str(&rule("└", "┴", "┘"));
    out
}

/// `minikube service NAME [--url] [-n NS]`.
fn service(world: &mut World, args: &[String], node_ip: &str) -> Started {
    let mut namespace = "default".to_string();
    let mut url_mode = false;
    let mut names = vec![];
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        match a {
            "--url" => url_mode = true,
            "-n" | "--namespace" => {
                i += 1;
                namespace = args.get(i).cloned().unwrap_or_default();
            }
            _ if a.starts_with("--namespace=") => namespace = a["--namespace=".len()..].to_string(),
            _ if a.starts_with("-n") && a.len() > 2 => namespace = a[2..].to_string(),
            _ => names.push(a.to_string()),
        }
        i += 1;
    }
    let Some(name) = names.first() else {
        return exit_message("MK_USAGE", "You must specify service name(s) or --all", EX_PROGRAM_USAGE);
    };
    let svc = world.api().get(Kind::Service, &namespace, name).ok().and_then(|o| o.as_typed::<Service>().cloned());
    let Some(svc) = svc else {
        let msg = format!("Service '{name}' was not found in '{namespace}' namespace.\nYou may select another namespace by using 'minikube service {name} -n <namespace>'. Or list out all the services using 'minikube service list'");
        return exit_message("SVC_NOT_FOUND", &msg, EX_SVC_NOT_FOUND);
    };
    // GetServiceURLsForService: one URL per NodePort, named `name/port` or `port`.
    let mut urls = vec![];
    let mut port_names = vec![];
    for p in svc.spec.iter().flat_map(|s| s.ports.iter().flatten()) {
        if let Some(np) = p.node_port.filter(|n| *n > 0) {
            urls.push(format!("http://{node_ip}:{np}"));
            port_names.push(match p.name.as_deref().filter(|n| !n.is_empty()) {
                Some(n) => format!("{n}/{}", p.port),
                None => p.port.to_string(),
            });
        }
    }
    let mut stdout = String::new();
    if url_mode {
        if !urls.is_empty() {
            stdout.push_str(&format!("{}\n", urls.join("\n")));
        } else {
            stdout.push_str(&format!("😿  service {namespace}/{name} has no node port\n"));
        }
        return done(stdout, String::new(), 0);
    }
    if urls.is_empty() {
        stdout.push_str(&service_table(&[[namespace.clone(), name.clone(), String::new(), "No node port".into()]]));
        stdout.push_str(&format!("😿  service {namespace}/{name} has no node port\n"));
        let stderr = format!("❗  Services [{namespace}/{name}] have type \"ClusterIP\" not meant to be exposed, however for local development minikube allows you to access this !\n");
        return done(stdout, stderr, 0);
    }
    stdout.push_str(&service_table(&[[namespace.clone(), name.clone(), port_names.join("\n"), urls.join("\n")]]));
    stdout.push_str(&format!("🎉  Opening service {namespace}/{name} in default browser...\n"));
    done(stdout, String::new(), 0)
}

/// The LoadBalancer Services the tunnel manages, by name (applyOnLBServices).
fn load_balancer_names(world: &World) -> Vec<String> {
    world
        .api()
        .store()
        .list(Kind::Service, None)
        .filter_map(|o| o.as_typed::<Service>())
        .filter(|s| s.spec.as_ref().and_then(|sp| sp.type_.as_deref()) == Some("LoadBalancer"))
        .map(|s| s.metadata.name.clone().unwrap_or_default())
        .collect()
}

/// `minikube tunnel`: the route tunnel of a Linux docker-driver cluster.
/// Its first status report comes after the manager's 5-second check. A
/// real tunnel holds its terminal until Ctrl-C; kubeplay has one terminal,
/// so the tunnel goes on in the background after that first report.
fn tunnel(world: &mut World, node_ip: &str) -> Started {
    world.start_minikube_tunnel();
    let until = world.now() + apimachinery::SignedDuration::from_secs(controllers::loadbalancer::TUNNEL_INTERVAL_SECONDS);
    let pid = 10_000 + world.seed % 50_000;
    Started::Waiting(kubectl::Output::default(), Box::new(TunnelReport { until, pid, route: format!("10.96.0.0/12 -> {node_ip}") }))
}

struct TunnelReport {
    until: Timestamp,
    pid: u64,
    route: String,
}

impl kubectl::Waiting for TunnelReport {
    fn poll(&mut self, world: &World, out: &mut kubectl::Output) -> bool {
        if world.now() < self.until {
            return false;
        }
        out.out(&format!(
            "Status:\t\n\tmachine: minikube\n\tpid: {}\n\troute: {}\n\tminikube: Running\n\tservices: [{}]\n    errors: \n\t\tminikube: no errors\n\t\trouter: no errors\n\t\tloadbalancer emulator: no errors\n",
            self.pid,
            self.route,
            load_balancer_names(world).join(", ")
        ));
        true
    }
    fn deadline(&self) -> Option<Timestamp> {
        Some(self.until)
    }
}

/// `minikube addons enable ingress`: apply the addon's manifest, then
/// verify (wait for the controller pod to be ready, at most 6 minutes).
fn enable_ingress(world: &mut World) -> Started {
    let mut out = kubectl::Output::default();
    out.out("💡  ingress is an addon maintained by Kubernetes. For any concerns contact minikube on GitHub.\nYou can view the list of minikube maintainers at: https://github.com/kubernetes/minikube/blob/master/OWNERS\n");
    out.out(&format!("    ▪ Using image {}\n", world::addons::INGRESS_NGINX_CONTROLLER_IMAGE));
    for _ in 0..2 {
        out.out(&format!("    ▪ Using image {}\n", world::addons::KUBE_WEBHOOK_CERTGEN_IMAGE));
    }
    out.out("🔎  Verifying ingress addon...\n");
    let docs = apimachinery::yaml::parse_documents(world::addons::INGRESS_NGINX_MINIKUBE).unwrap_or_default();
    for doc in docs {
        let av = doc.get("apiVersion").and_then(|v| v.as_str()).unwrap_or("");
        let k = doc.get("kind").and_then(|v| v.as_str()).unwrap_or("");
        let Some(kind) = Kind::from_api_version_kind(av, k) else { continue };
        let Ok(obj) = Object::from_value(kind, doc) else { continue };
        // `kubectl apply` of the addon: an object already there stays.
        let _ = world.api_mut().create(obj, &WriteOptions::default());
        world.settle();
    }
    let deadline = world.now() + apimachinery::SignedDuration::from_secs(360);
    Started::Waiting(out, Box::new(VerifyIngress { deadline }))
}

struct VerifyIngress {
    deadline: Timestamp,
}

impl kubectl::Waiting for VerifyIngress {
    fn poll(&mut self, world: &World, out: &mut kubectl::Output) -> bool {
        let ready = world.api().store().list(Kind::Pod, Some(controllers::ingress_nginx::NAMESPACE)).filter_map(|o| o.as_typed::<Pod>()).any(controllers::ingress_nginx::is_ready_controller_pod);
        if ready {
            out.out("🌟  The 'ingress' addon is enabled\n");
            return true;
        }
        world.now() >= self.deadline
    }
    fn deadline(&self) -> Option<Timestamp> {
        Some(self.deadline)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn service_table_centres_headers_and_pads_cells() {
        let t = super::service_table(&[["default".into(), "hello-minikube".into(), "8080".into(), "http://192.168.49.2:32749".into()]]);
        expect_test::expect![[r#"
            ┌───────────┬────────────────┬─────────────┬───────────────────────────┐
            │ NAMESPACE │      NAME      │ TARGET PORT │            URL            │
            ├───────────┼────────────────┼─────────────┼───────────────────────────┤
            │ default   │ hello-minikube │ 8080        │ http://192.168.49.2:32749 │
            └───────────┴────────────────┴─────────────┴───────────────────────────┘
        "#]]
        .assert_eq(&t);
    }
}
