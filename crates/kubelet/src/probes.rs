//! Container probes (pkg/kubelet/prober): when they run, what they ask
//! and what they decide.
//!
//! An `exec` probe runs its command against the container's files here
//! (probe_exec). An `httpGet` or `tcpSocket` probe goes from the node to the
//! pod's address, where whatever listens on the port answers; the kubelet
//! asks a `PodNetwork` — the network simulation, which knows what each
//! image serves — and turns the answer into the prober's result and message
//! (pkg/probe/http/http.go DoHTTPProbe, pkg/probe/tcp/tcp.go DoTCPProbe,
//! pkg/probe/exec/exec.go, pkg/kubelet/prober/prober.go runProbe).

use crate::ContainerProcess;
use crate::rootfs::Userland;
use apimachinery::k8s_openapi::api::core::v1::{Container, Probe};
use apimachinery::k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use apimachinery::{SignedDuration, Timestamp};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ProbeKind {
    Startup,
    Readiness,
    Liveness,
}

impl ProbeKind {
    /// `Readiness probe failed: ...` (prober.go's event text).
    pub fn title(self) -> &'static str {
        match self {
            ProbeKind::Startup => "Startup",
            ProbeKind::Readiness => "Readiness",
            ProbeKind::Liveness => "Liveness",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProbeResult {
    Success,
    /// The output the kubelet shows after `<Kind> probe failed: `.
    Failure(String),
    /// The probe could not run; the text after `<Kind> probe errored and
    /// resulted in unknown state: ` (prober.go probe, err != nil). Counts as
    /// a failure.
    Errored(String),
}

/// What the kubelet's dial to a pod port met.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HttpOutcome {
    Status(u16),
    /// RST: nothing listens on the port.
    Refused,
    /// Nothing answered within the probe's timeout.
    Timeout,
}

/// A server's answer to a probe, and the lines the serving container
/// wrote (its access log): (container name, line).
#[derive(Clone, Debug)]
pub struct HttpAnswer {
    pub outcome: HttpOutcome,
    pub logs: Vec<(String, String)>,
}

/// A probe's view of the pod it reaches: the pod's address, the running
/// containers sharing its network namespace (any of them may own the
/// port), and the node-side address and port the kubelet dials from.
pub struct ProbeTarget<'a> {
    pub pod_ip: &'a str,
    pub containers: Vec<(&'a str, ContainerProcess<'a>)>,
    pub client_ip: &'a str,
    pub client_port: u16,
    /// The connection number the serving process gives this connection.
    pub connection: u64,
    pub now: Timestamp,
}

/// The network as the prober needs it.
pub trait PodNetwork {
    /// Whether kubeplay does not model what this image's process serves or
    /// runs (control-plane images, add-ons, databases it does not simulate).
    /// Such a container is taken to be healthy: its probes pass, and the
    /// kubelet need not keep running probes that cannot fail.
    fn opaque(&self, image: &str) -> bool;
    /// An HTTP GET from the node to `pod_ip:port`.
    fn http_get(&self, target: &ProbeTarget, port: u16, path: &str, headers: &[(String, String)]) -> HttpAnswer;
    /// Whether a TCP connection to `pod_ip:port` is accepted.
    fn tcp_open(&self, target: &ProbeTarget, port: u16) -> bool;
}

/// Without a network simulation every image is opaque and every probe passes.
pub struct AlwaysSucceeds;

impl PodNetwork for AlwaysSucceeds {
    fn opaque(&self, _: &str) -> bool {
        true
    }
    fn http_get(&self, _: &ProbeTarget, _: u16, _: &str, _: &[(String, String)]) -> HttpAnswer {
        HttpAnswer { outcome: HttpOutcome::Status(200), logs: vec![] }
    }
    fn tcp_open(&self, _: &ProbeTarget, _: u16) -> bool {
        true
    }
}

/// The kubelet's User-Agent on probes (pkg/probe/http/request.go userAgent:
/// `kube-probe/<major>.<minor>`).
pub const PROBE_USER_AGENT: &str = "kube-probe/1.37";

/// probe.ResolveContainerPort: a number, or a port name of the container.
/// The error text is the one 1.3x kubelets print for a name the container
/// does not declare (the last-ditch strconv.Atoi of the name) [observed].
pub fn resolve_port(port: &IntOrString, container: &Container) -> Result<u16, String> {
    let n = match port {
        IntOrString::Int(n) => *n,
        IntOrString::String(name) => match container.ports.iter().flatten().find(|p| p.name.as_deref() == Some(name.as_str())) {
            Some(p) => p.container_port,
            None => match name.parse::<i32>() {
                Ok(n) => n,
                Err(_) => return Err(format!("strconv.Atoi: parsing {name:?}: invalid syntax")),
            },
        },
    };
    if n > 0 && n < 65536 { Ok(n as u16) } else { Err(format!("invalid port number: {n}")) }
}

/// Runs one probe of `container` (prober.go runProbe) against `target`.
/// Returns the result and the access-log lines of the serving container.
pub fn run_probe(net: &dyn PodNetwork, probe: &Probe, container: &Container, target: &ProbeTarget, own: &ContainerProcess, userland: Userland) -> (ProbeResult, Vec<(String, String)>) {
    if let Some(e) = &probe.exec {
        let (code, output) = probe_exec(&e.command.clone().unwrap_or_default(), own, userland);
        // exec.go: exit 0 is success, anything else a failure with the output.
        return (if code == 0 { ProbeResult::Success } else { ProbeResult::Failure(output) }, vec![]);
    }
    if let Some(h) = &probe.http_get {
        let port = match resolve_port(&h.port, container) {
            Ok(p) => p,
            Err(e) => return (ProbeResult::Errored(e), vec![]),
        };
        let host = h.host.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| target.pod_ip.to_string());
        let scheme = h.scheme.as_deref().unwrap_or("HTTP").to_ascii_lowercase();
        let path = h.path.clone().unwrap_or_default();
        // formatURL: scheme://host:port + path, as url.String() writes it.
        let url = format!("{scheme}://{host}:{port}{path}");
        let headers: Vec<(String, String)> = h.http_headers.iter().flatten().map(|x| (x.name.clone(), x.value.clone())).collect();
        let answer = net.http_get(target, port, if path.is_empty() { "/" } else { &path }, &headers);
        let dial = format!("dial tcp {}:{port}", target.pod_ip);
        let result = match answer.outcome {
            // DoHTTPProbe: 200 <= code < 400 passes.
            HttpOutcome::Status(code) if (200..400).contains(&code) => ProbeResult::Success,
            HttpOutcome::Status(code) => ProbeResult::Failure(format!("HTTP probe failed with statuscode: {code}")),
            // client.Do's error text: `Get "<url>": <net error>`.
            HttpOutcome::Refused => ProbeResult::Failure(format!("Get {url:?}: {dial}: connect: connection refused")),
            HttpOutcome::Timeout => ProbeResult::Failure(format!("Get {url:?}: context deadline exceeded (Client.Timeout exceeded while awaiting headers)")),
        };
        return (result, answer.logs);
    }
    if let Some(t) = &probe.tcp_socket {
        let port = match resolve_port(&t.port, container) {
            Ok(p) => p,
            Err(e) => return (ProbeResult::Errored(e), vec![]),
        };
        // DoTCPProbe: the dial error's text is the failure output.
        let result = if net.tcp_open(target, port) { ProbeResult::Success } else { ProbeResult::Failure(format!("dial tcp {}:{port}: connect: connection refused", target.pod_ip)) };
        return (result, vec![]);
    }
    // gRPC probes are answered as serving: no simulated image speaks gRPC health.
    (ProbeResult::Success, vec![])
}

/// Bound on the statements of an exec probe's `sh -c` script.
const MAX_PROBE_STATEMENTS: usize = 64;

/// An exec probe's command in the container: (exit code, combined output).
/// Covers what probes run in practice — `cat`, `test`/`[`, `ls`, `true`,
/// `false`, `exit`, `echo`, and `sh -c` lists of those joined by `&&`,
/// `||`, `;`. A program the image lacks fails the way runc reports it; a
/// program kubeplay does not model (`redis-cli ping`, `pg_isready`) is
/// taken to succeed.
pub fn probe_exec(argv: &[String], own: &ContainerProcess, userland: Userland) -> (i32, String) {
    let Some(program) = argv.first() else { return (126, String::new()) };
    let base = program.rsplit('/').next().unwrap_or(program);
    if matches!(base, "sh" | "bash" | "ash" | "dash") {
        let Some(script) = argv.iter().position(|a| a == "-c").and_then(|i| argv.get(i + 1)) else { return (0, String::new()) };
        let mut out = String::new();
        let mut status = 0;
        let mut skip = false;
        for (stmt, op) in crate::behaviour::statements(script).into_iter().take(MAX_PROBE_STATEMENTS) {
            if !skip {
                let words = crate::behaviour::plain_words(&stmt, own.env);
                if words.first().map(String::as_str) == Some("exit") {
                    let code = words.get(1).and_then(|c| c.parse::<i64>().ok()).map(|c| c.rem_euclid(256) as i32).unwrap_or(status);
                    return (code, out);
                }
                let (s, o) = simple_command(&words, own, userland, true);
                status = s;
                out.push_str(&o);
            }
            skip = (op == "&&" && status != 0) || (op == "||" && status == 0);
        }
        return (status, out);
    }
    simple_command(argv, own, userland, false)
}

fn simple_command(argv: &[String], own: &ContainerProcess, userland: Userland, in_shell: bool) -> (i32, String) {
    let Some(program) = argv.first() else { return (0, String::new()) };
    let base = program.rsplit('/').next().unwrap_or(program);
    let busybox = matches!(userland, Userland::Busybox | Userland::Alpine);
    let args: Vec<&str> = argv[1..].iter().map(String::as_str).collect();
    let operands: Vec<&str> = args.iter().copied().filter(|a| !a.starts_with('-') || *a == "-").collect();
    let exists = |p: &str| own.files.get(p).is_some() || own.files.is_dir(p);
    match base {
        "true" | ":" => (0, String::new()),
        "false" => (1, String::new()),
        "echo" => (0, format!("{}\n", args.join(" "))),
        "cat" => {
            let mut out = String::new();
            let mut status = 0;
            for p in operands {
                match own.files.get(p) {
                    Some(content) => out.push_str(content),
                    None if busybox => {
                        // BusyBox: bb_perror_msg("can't open '%s'").
                        out.push_str(&format!("cat: can't open '{p}': No such file or directory\n"));
                        status = 1;
                    }
                    None => {
                        out.push_str(&format!("cat: {p}: No such file or directory\n"));
                        status = 1;
                    }
                }
            }
            (status, out)
        }
        "ls" => {
            let mut out = String::new();
            let mut status = 0;
            for p in operands {
                if exists(p) {
                    out.push_str(&format!("{p}\n"));
                } else if busybox {
                    out.push_str(&format!("ls: {p}: No such file or directory\n"));
                    status = 1;
                } else {
                    out.push_str(&format!("ls: cannot access '{p}': No such file or directory\n"));
                    status = 2;
                }
            }
            (status, out)
        }
        "test" | "[" => {
            let args: Vec<&str> = args.iter().copied().filter(|a| *a != "]").collect();
            let ok = match args.as_slice() {
                ["-e" | "-f" | "-r" | "-s", p] => own.files.get(p).is_some_and(|c| args[0] != "-s" || !c.is_empty()) || (args[0] == "-e" && own.files.is_dir(p)),
                ["-d", p] => own.files.is_dir(p),
                ["!", "-e" | "-f", p] => !exists(p),
                _ => true,
            };
            (if ok { 0 } else { 1 }, String::new())
        }
        _ if own.tools.contains(&base) || !own.tools_known => (0, String::new()),
        _ if in_shell => {
            let msg = match userland {
                Userland::Busybox | Userland::Alpine => format!("sh: {base}: not found\n"),
                _ => format!("sh: 1: {base}: not found\n"),
            };
            (127, msg)
        }
        // runc's error for a missing executable, as containerd returns it [observed].
        _ => (128, format!("OCI runtime exec failed: exec failed: unable to start container process: exec: {program:?}: executable file not found in $PATH: unknown\n")),
    }
}

/// One probe worker of one container (prober/worker.go).
#[derive(Clone, Debug)]
pub struct ProbeWorker {
    pub kind: ProbeKind,
    pub probe: Probe,
    pub next_tick: Timestamp,
    pub successes: i32,
    pub failures: i32,
    /// The last decided result (readiness starts failed, liveness passed).
    pub passing: bool,
}

impl ProbeWorker {
    pub fn period(&self) -> SignedDuration {
        SignedDuration::from_secs(self.probe.period_seconds.unwrap_or(10).clamp(1, 86_400) as i64)
    }
    pub fn initial_delay(&self) -> i64 {
        self.probe.initial_delay_seconds.unwrap_or(0).max(0) as i64
    }
    /// The worker ticks every period from when it was created (the pod's
    /// first sync); a tick within initialDelaySeconds of the container's
    /// start is skipped (worker.go doProbe).
    pub fn new(kind: ProbeKind, probe: Probe, worker_start: Timestamp, container_started_at: Timestamp) -> ProbeWorker {
        let mut w = ProbeWorker { kind, probe, next_tick: worker_start, successes: 0, failures: 0, passing: kind == ProbeKind::Liveness };
        w.next_tick = w.first_tick_after(worker_start, container_started_at);
        w
    }
    fn first_tick_after(&self, worker_start: Timestamp, started_at: Timestamp) -> Timestamp {
        let period = self.period();
        let earliest = started_at + SignedDuration::from_secs(self.initial_delay());
        let since = earliest.duration_since(worker_start);
        if since <= SignedDuration::ZERO {
            return worker_start;
        }
        let p = period.as_millis();
        let k = (since.as_millis() + p - 1) / p;
        worker_start + SignedDuration::from_millis((k * p) as i64)
    }
    /// Records one result; returns true if the decided result changed
    /// (results are decided after successThreshold successes or
    /// failureThreshold failures in a row, worker.go).
    pub fn record(&mut self, ok: bool) -> bool {
        let success_threshold = self.probe.success_threshold.unwrap_or(1).max(1);
        let failure_threshold = self.probe.failure_threshold.unwrap_or(3).max(1);
        if ok {
            self.successes += 1;
            self.failures = 0;
        } else {
            self.failures += 1;
            self.successes = 0;
        }
        let before = self.passing;
        if ok && self.successes >= success_threshold {
            self.passing = true;
        } else if !ok && self.failures >= failure_threshold {
            self.passing = false;
        }
        before != self.passing
    }
}
