//! What a simulated container's main process does: run until stopped, or
//! run a little shell script and exit with a code; what it writes to its
//! log; whether it honours SIGTERM. Derived from the image's default
//! entrypoint/cmd (as its Dockerfile sets them) and the container's
//! `command`/`args`, which replace ENTRYPOINT and CMD as Kubernetes documents.

use crate::images::{ImageKind, ImageRef, known};
use apimachinery::SignedDuration;

/// Lines a script may print, and how long it may sleep, are bounded.
const MAX_SCRIPT_STATEMENTS: usize = 200;
const MAX_LOG_LINES: usize = 1000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    RunsForever,
    Exits { after: SignedDuration, exit_code: i32 },
}

/// A loop that prints `lines` every `period` while the container runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Periodic {
    pub lines: Vec<String>,
    pub period: SignedDuration,
}

/// Something a container's script does at a moment of its run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// A line on its stdout (its log).
    Log(String),
    /// `echo … > path`, `touch path` (content None: create if missing).
    Write { path: String, content: Option<String>, append: bool },
    /// `rm [-rf] path`.
    Remove(String),
    /// `wget -O path URL`: fetched through the network when due (the
    /// world does it; the kubelet cannot reach the data plane).
    Fetch { path: String, url: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Behaviour {
    pub outcome: Outcome,
    /// Timed effects after the start (offset from the start, in order).
    pub effects: Vec<(SignedDuration, Effect)>,
    /// Printed at start (and, for scripts, before exiting).
    pub start_lines: Vec<String>,
    pub periodic: Option<Periodic>,
    /// Shells and `sleep` as PID 1 ignore SIGTERM and are SIGKILLed when the
    /// grace period ends; servers stop within a second.
    pub honours_sigterm: bool,
    /// Exit code after a SIGTERM it honours (nginx's SIGQUIT stop exits 0).
    pub exit_code_on_stop: i32,
}

/// What the container knows when it starts.
pub struct StartContext<'a> {
    pub pod_name: &'a str,
    pub pod_ip: &'a str,
    pub kernel_version: &'a str,
    /// `2006/01/02 15:04:05`-style stamps come from this.
    pub started_at: apimachinery::Timestamp,
    pub env: &'a [(String, String)],
}

fn server(lines: Vec<String>, exit_code_on_stop: i32) -> Behaviour {
    Behaviour { outcome: Outcome::RunsForever, effects: vec![], start_lines: lines, periodic: None, honours_sigterm: true, exit_code_on_stop }
}

fn basename(s: &str) -> &str {
    s.rsplit('/').next().unwrap_or(s)
}

fn go_log_time(t: apimachinery::Timestamp) -> String {
    t.strftime("%Y/%m/%d %H:%M:%S").to_string()
}

/// The default process of an image (its ENTRYPOINT + CMD), as a behaviour.
fn image_default(r: &ImageRef, ctx: &StartContext) -> Behaviour {
    let repo = r.repository();
    let name = basename(&r.path).to_string();
    let kind = known(r).map(|k| k.kind).unwrap_or(ImageKind::Server);
    let ts = go_log_time(ctx.started_at);
    match (kind, name.as_str()) {
        (ImageKind::Pause, _) => server(vec![], 0),
        (ImageKind::Server, "nginx") if repo == "docker.io/library/nginx" => {
            let mut v: Vec<String> = [
                "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
                "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
                "/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
                "10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf",
                "10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf",
                "/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh",
                "/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh",
                "/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh",
                "/docker-entrypoint.sh: Configuration complete; ready for start up",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            for n in [
                "using the \"epoll\" event method".to_string(),
                format!("nginx/{}", crate::rootfs::NGINX_VERSION),
                // nginx:1.29.1+ is built on Debian trixie; the line ends in a space.
                "built by gcc 14.2.0 (Debian 14.2.0-19) ".to_string(),
                format!("OS: Linux {}", ctx.kernel_version),
                "getrlimit(RLIMIT_NOFILE): 1048576:1048576".to_string(),
                "start worker processes".to_string(),
                "start worker process 29".to_string(),
            ] {
                v.push(format!("{ts} [notice] 1#1: {n}"));
            }
            server(v, 0)
        }
        (ImageKind::Server, "redis") => {
            // The redis:8 image's start-up (docker-entrypoint.sh, then
            // redis-server without a config file) [observed; the module
            // loading lines of redis 8 are left out].
            let t = ctx.started_at.strftime("%d %b %Y %H:%M:%S%.3f").to_string();
            server(
                vec![
                    "Starting Redis Server".to_string(),
                    format!("1:C {t} * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo"),
                    format!("1:C {t} * Redis version=8.2.1, bits=64, commit=00000000, modified=1, pid=1, just started"),
                    format!("1:C {t} * Configuration loaded"),
                    format!("1:M {t} * monotonic clock: POSIX clock_gettime"),
                    format!("1:M {t} * Running mode=standalone, port=6379."),
                    format!("1:M {t} * Server initialized"),
                    format!("1:M {t} * Ready to accept connections tcp"),
                ],
                0,
            )
        }
        (ImageKind::Server, "kubia" | "kubia-unhealthy") => server(vec!["Kubia server starting...".into()], 143),
        (ImageKind::Server, "httpd") => {
            let msg = format!(
                "AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using {}. Set the 'ServerName' directive globally to suppress this message",
                ctx.pod_ip
            );
            let t = ctx.started_at.strftime("%a %b %d %H:%M:%S%.6f %Y").to_string();
            server(
                vec![
                    msg.clone(),
                    msg,
                    format!("[{t}] [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4.65 (Unix) configured -- resuming normal operations"),
                    format!("[{t}] [core:notice] [pid 1:tid 1] AH00094: Command line: 'httpd -D FOREGROUND'"),
                ],
                0,
            )
        }
        (ImageKind::Server, "echo-server") => server(vec!["Echo server listening on port 8080.".into()], 143),
        (ImageKind::Server, "echoserver") => server(
            vec!["Generating self-signed cert".into(), "Generating a 2048 bit RSA private key".into(), "writing new private key to '/certs/privateKey.key'".into(), "-----".into(), "Starting nginx".into()],
            0,
        ),
        (ImageKind::Server, _) => server(vec![], 143),
        (ImageKind::ExitsAtOnce, "curl") => Behaviour {
            outcome: Outcome::Exits { after: SignedDuration::from_millis(20), exit_code: 2 },
            effects: vec![],
            start_lines: vec!["curl: try 'curl --help' or 'curl --manual' for more information".into()],
            periodic: None,
            honours_sigterm: true,
            exit_code_on_stop: 143,
        },
        (ImageKind::ExitsAtOnce, _) => Behaviour {
            outcome: Outcome::Exits { after: SignedDuration::from_millis(10), exit_code: 0 },
            effects: vec![],
            start_lines: vec![],
            periodic: None,
            honours_sigterm: false,
            exit_code_on_stop: 137,
        },
    }
}

/// The behaviour of a container: its `command`/`args` if set, else the image's.
pub fn behaviour(r: &ImageRef, command: &[String], args: &[String], ctx: &StartContext) -> Behaviour {
    if command.is_empty() && args.is_empty() {
        return image_default(r, ctx);
    }
    let argv: Vec<String> = if command.is_empty() {
        // args replace CMD; ENTRYPOINT stays. Shell images have no ENTRYPOINT,
        // so their args are the whole command; servers keep running.
        match known(r).map(|k| k.kind) {
            Some(ImageKind::ExitsAtOnce) => args.to_vec(),
            _ => return image_default(r, ctx),
        }
    } else {
        command.iter().chain(args.iter()).cloned().collect()
    };
    run_argv(r, &argv, ctx)
}

fn run_argv(r: &ImageRef, argv: &[String], ctx: &StartContext) -> Behaviour {
    let Some(program) = argv.first().map(|s| basename(s).to_string()) else {
        return image_default(r, ctx);
    };
    match program.as_str() {
        "sh" | "bash" | "ash" | "dash" => match argv.iter().position(|a| a == "-c") {
            Some(i) => script(argv.get(i + 1).map(String::as_str).unwrap_or(""), ctx),
            // A shell reading an empty stdin exits at once.
            None => script("", ctx),
        },
        "perl" if argv.iter().any(|a| a.contains("bpi(")) => {
            // `perl -Mbignum=bpi -wle "print bpi(2000)"`: one line of π.
            let n = argv.iter().find_map(|a| a.split("bpi(").nth(1)?.split(')').next()?.trim().parse::<usize>().ok()).unwrap_or(40);
            // Math::BigFloat's bpi takes its time: about 2 s for 2000 digits
            // on a lab VM [approximation].
            let after = SignedDuration::from_millis(200 + (n.min(crate::pi::MAX_DIGITS) as i64));
            Behaviour { outcome: Outcome::Exits { after, exit_code: 0 }, effects: vec![], start_lines: vec![crate::pi::pi(n)], periodic: None, honours_sigterm: true, exit_code_on_stop: 143 }
        }
        "sleep" | "echo" | "true" | "false" | "exit" | "tail" | "date" | "touch" | "rm" | "wget" => {
            let line = argv.iter().map(|a| shell_quote(a)).collect::<Vec<_>>().join(" ");
            script(&line, ctx)
        }
        _ => {
            // A program we do not model (a server binary, `nginx -g ...`):
            // it runs until stopped.
            let mut b = image_default(r, ctx);
            if b.outcome != Outcome::RunsForever {
                b = server(vec![], 143);
            }
            b
        }
    }
}

fn shell_quote(a: &str) -> String {
    if a.is_empty() || a.contains(|c: char| c.is_whitespace() || c == ';' || c == '&' || c == '|') {
        format!("'{}'", a.replace('\'', "'\\''"))
    } else {
        a.to_string()
    }
}

/// Splits a script into statements with the operator that joins each to the next.
pub(crate) fn statements(s: &str) -> Vec<(String, &'static str)> {
    let mut out = vec![];
    let mut cur = String::new();
    let (mut single, mut double) = (false, false);
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() && out.len() < MAX_SCRIPT_STATEMENTS {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            '\'' if !double => {
                single = !single;
                cur.push(c)
            }
            '"' if !single => {
                double = !double;
                cur.push(c)
            }
            ';' | '\n' if !single && !double => out.push((std::mem::take(&mut cur), ";")),
            '&' if !single && !double && next == Some('&') => {
                out.push((std::mem::take(&mut cur), "&&"));
                i += 1;
            }
            '|' if !single && !double && next == Some('|') => {
                out.push((std::mem::take(&mut cur), "||"));
                i += 1;
            }
            _ => cur.push(c),
        }
        i += 1;
    }
    out.push((cur, ";"));
    out.into_iter().map(|(s, op)| (s.trim().to_string(), op)).filter(|(s, _)| !s.is_empty()).collect()
}

/// Shell words of one statement, quotes removed, variables expanded.
fn words(stmt: &str, ctx: &StartContext) -> Vec<String> {
    let mut out = vec![];
    let mut cur = String::new();
    let mut any = false;
    let (mut single, mut double) = (false, false);
    let chars: Vec<char> = stmt.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\'' if !double => {
                single = !single;
                any = true;
            }
            '"' if !single => {
                double = !double;
                any = true;
            }
            c if c.is_whitespace() && !single && !double => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            '$' if !single => {
                let rest: String = chars[i + 1..].iter().collect();
                let (value, used) = expand(&rest, ctx);
                cur.push_str(&value);
                i += used;
            }
            _ => cur.push(c),
        }
        i += 1;
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Expands what follows a `$`; returns the value and the characters used.
fn expand(rest: &str, ctx: &StartContext) -> (String, usize) {
    if let Some(inner) = rest.strip_prefix("(date)") {
        let _ = inner;
        return (ctx.started_at.strftime("%a %b %e %H:%M:%S UTC %Y").to_string(), 6);
    }
    let (name, used) = if let Some(r) = rest.strip_prefix('{') {
        match r.find('}') {
            Some(end) => (r[..end].to_string(), end + 2),
            None => return ("$".into(), 0),
        }
    } else {
        let n: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        let len = n.len();
        (n, len)
    };
    if name.is_empty() {
        return ("$".into(), 0);
    }
    let value = match name.as_str() {
        "HOSTNAME" => ctx.pod_name.to_string(),
        _ => ctx.env.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone()).unwrap_or_default(),
    };
    (value, used)
}

/// `sleep` argument: `5`, `2.5`, `1m`, `infinity`. None: forever.
fn sleep_duration(arg: &str) -> Option<SignedDuration> {
    if arg == "infinity" || arg == "inf" {
        return None;
    }
    let (num, unit) = match arg.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
        Some((i, _)) => (&arg[..i], &arg[i..]),
        None => (arg, "s"),
    };
    let v: f64 = num.parse().ok().filter(|v: &f64| v.is_finite() && *v >= 0.0)?;
    let secs = match unit {
        "s" => v,
        "m" => v * 60.0,
        "h" => v * 3600.0,
        "d" => v * 86400.0,
        _ => return Some(SignedDuration::ZERO),
    };
    // A year is "forever" for a simulation; it also keeps the arithmetic bounded.
    if secs > 365.0 * 86400.0 {
        return None;
    }
    Some(SignedDuration::from_millis((secs * 1000.0) as i64))
}

/// What a script has done so far, while it is read statement by statement.
struct Run {
    /// Lines printed at the start (before any sleep).
    lines: Vec<String>,
    effects: Vec<(SignedDuration, Effect)>,
    elapsed: SignedDuration,
}

impl Run {
    fn print(&mut self, line: String) {
        if self.elapsed == SignedDuration::ZERO {
            self.lines.push(line);
        } else if self.effects.len() < MAX_LOG_LINES {
            self.effects.push((self.elapsed, Effect::Log(line)));
        }
    }
    fn effect(&mut self, e: Effect) {
        if self.effects.len() < MAX_LOG_LINES {
            self.effects.push((self.elapsed, e));
        }
    }
    /// Output of a command: to its redirection target, or the log.
    fn output(&mut self, text: String, redirect: &Option<(String, bool)>) {
        match redirect {
            Some((path, append)) => self.effect(Effect::Write { path: path.clone(), content: Some(format!("{text}\n")), append: *append }),
            None => self.print(text),
        }
    }
    fn forever(mut self, periodic: Option<Periodic>) -> Behaviour {
        self.lines.truncate(MAX_LOG_LINES);
        Behaviour { outcome: Outcome::RunsForever, effects: self.effects, start_lines: self.lines, periodic, honours_sigterm: false, exit_code_on_stop: 137 }
    }
    fn exits(mut self, exit_code: i32) -> Behaviour {
        self.lines.truncate(MAX_LOG_LINES);
        // A process takes a few milliseconds even when it does nothing.
        let after = self.elapsed.max(SignedDuration::from_millis(10));
        Behaviour { outcome: Outcome::Exits { after, exit_code }, effects: self.effects, start_lines: self.lines, periodic: None, honours_sigterm: false, exit_code_on_stop: 137 }
    }
}

/// A path as a script in `/` names it.
fn absolute(p: &str) -> String {
    if p.starts_with('/') { p.to_string() } else { format!("/{p}") }
}

/// Splits `> file` / `>> file` (and `>file`) off a command's words; drops
/// descriptor redirections such as `2>&1` and `2>/dev/null`.
fn split_redirect(w: &[String]) -> (Vec<String>, Option<(String, bool)>) {
    let mut words = vec![];
    let mut target = None;
    let mut i = 0;
    while i < w.len() {
        let a = w[i].as_str();
        let (op, rest) = if let Some(r) = a.strip_prefix(">>") {
            (Some(true), r)
        } else if let Some(r) = a.strip_prefix("1>>") {
            (Some(true), r)
        } else if let Some(r) = a.strip_prefix('>').or_else(|| a.strip_prefix("1>")) {
            (Some(false), r)
        } else if a.starts_with("2>") {
            if a == "2>" {
                i += 1;
            }
            i += 1;
            continue;
        } else {
            (None, "")
        };
        match op {
            Some(append) => {
                let path = if rest.is_empty() {
                    i += 1;
                    w.get(i).cloned().unwrap_or_default()
                } else {
                    rest.to_string()
                };
                if path != "/dev/null" && !path.starts_with('&') && !path.is_empty() {
                    target = Some((absolute(&path), append));
                }
            }
            None => words.push(a.to_string()),
        }
        i += 1;
    }
    (words, target)
}

/// Shell words for a statement evaluated outside a container's start (an
/// exec probe's `sh -c`): variables from `env`.
pub(crate) fn plain_words(stmt: &str, env: &[(String, String)]) -> Vec<String> {
    let hostname = env.iter().find(|(k, _)| k == "HOSTNAME").map(|(_, v)| v.as_str()).unwrap_or("");
    let ctx = StartContext { pod_name: hostname, pod_ip: "", kernel_version: "", started_at: apimachinery::Timestamp::UNIX_EPOCH, env };
    words(stmt, &ctx)
}

/// Interprets the common shapes of `sh -c` scripts in simulated time:
/// `echo` (to the log or `> file`), `date`, `touch`, `rm`, `sleep N`,
/// `wget -O file URL`, `exit N`, `true`/`false`, `&&`/`||`/`;`,
/// `while true; do ...; done`, `tail -f`. What happens after a `sleep`
/// becomes a timed effect. Anything else is taken to succeed at once.
pub fn script(s: &str, ctx: &StartContext) -> Behaviour {
    let mut run = Run { lines: vec![], effects: vec![], elapsed: SignedDuration::ZERO };
    let mut status = 0;
    let mut skip_next = false;
    let stmts = statements(s);
    let mut i = 0;
    while i < stmts.len() {
        let (stmt, op) = &stmts[i];
        if skip_next {
            skip_next = (*op == "&&" && status != 0) || (*op == "||" && status == 0);
            i += 1;
            continue;
        }
        let (w, redirect) = split_redirect(&words(stmt, ctx));
        let cmd = w.first().map(String::as_str).unwrap_or("");
        if cmd == "while" || cmd == "until" {
            // `while true; do <body>; done`: the body's echo lines repeat every
            // body-sleep seconds, forever.
            let mut body_lines = vec![];
            let mut period = SignedDuration::ZERO;
            let mut j = i + 1;
            let mut forever = false;
            while j < stmts.len() {
                let bw = words(&stmts[j].0, ctx);
                let bcmd: Vec<&str> = bw.iter().map(String::as_str).collect();
                match bcmd.as_slice() {
                    ["done", ..] => break,
                    ["do", rest @ ..] | rest @ [..] => match rest {
                        ["echo", out @ ..] => body_lines.push(out.join(" ")),
                        ["date", ..] => body_lines.push(ctx.started_at.strftime("%a %b %e %H:%M:%S UTC %Y").to_string()),
                        ["sleep", arg, ..] => match sleep_duration(arg) {
                            Some(d) => period += d,
                            None => forever = true,
                        },
                        _ => {}
                    },
                }
                j += 1;
            }
            for l in &body_lines {
                run.print(l.clone());
            }
            let periodic = if period > SignedDuration::ZERO && !forever && !body_lines.is_empty() {
                Some(Periodic { lines: body_lines, period })
            } else {
                None
            };
            return run.forever(periodic);
        }
        let operands: Vec<&String> = w.iter().skip(1).filter(|a| !a.starts_with('-')).collect();
        match cmd {
            "echo" => {
                let out: Vec<&str> = w[1..].iter().map(String::as_str).filter(|a| *a != "-n" && *a != "-e").collect();
                run.output(out.join(" "), &redirect);
                status = 0;
            }
            "date" => {
                let line = (ctx.started_at + run.elapsed).strftime("%a %b %e %H:%M:%S UTC %Y").to_string();
                run.output(line, &redirect);
                status = 0;
            }
            "touch" => {
                for p in operands {
                    run.effect(Effect::Write { path: absolute(p), content: None, append: true });
                }
                status = 0;
            }
            "rm" => {
                for p in operands {
                    run.effect(Effect::Remove(absolute(p)));
                }
                status = 0;
            }
            "wget" => {
                // BusyBox wget: `-O FILE` (or `-qO FILE`, `-OFILE`) and the URL.
                let mut out = None;
                let mut url = None;
                let mut k = 1;
                while k < w.len() {
                    let a = w[k].as_str();
                    if a.starts_with('-') && !a.starts_with("--") && a.contains('O') {
                        let after = &a[a.find('O').map(|x| x + 1).unwrap_or(a.len())..];
                        if after.is_empty() {
                            k += 1;
                            out = w.get(k).cloned();
                        } else {
                            out = Some(after.to_string());
                        }
                    } else if !a.starts_with('-') {
                        url = Some(a.to_string());
                    }
                    k += 1;
                }
                if let Some(url) = url {
                    // Without -O: the last path segment, or index.html.
                    let path_part = url.split_once("://").map(|(_, r)| r).unwrap_or(&url);
                    let name = path_part.split_once('/').map(|(_, p)| p.rsplit('/').next().unwrap_or("")).unwrap_or("");
                    let file = out.unwrap_or_else(|| if name.is_empty() { "index.html".to_string() } else { name.to_string() });
                    run.effect(Effect::Fetch { path: if file == "-" { file } else { absolute(&file) }, url });
                }
                status = 0;
            }
            "sleep" => match w.get(1).map(|a| sleep_duration(a)) {
                Some(Some(d)) => {
                    run.elapsed += d;
                    status = 0;
                }
                Some(None) => return run.forever(None),
                None => {
                    run.print("sleep: missing operand".into());
                    status = 1;
                }
            },
            "tail" if w.iter().any(|a| a == "-f" || a == "-F") => return run.forever(None),
            "exit" => {
                let code = w.get(1).and_then(|c| c.parse::<i64>().ok()).map(|c| c.rem_euclid(256) as i32).unwrap_or(status);
                return run.exits(code);
            }
            "false" => status = 1,
            _ => status = 0,
        }
        skip_next = (*op == "&&" && status != 0) || (*op == "||" && status == 0);
        i += 1;
    }
    run.exits(status)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::images::parse;

    fn check(image: &str, command: &[&str], args: &[&str], expect: expect_test::Expect) {
        let r = parse(image).unwrap();
        let ctx = StartContext {
            pod_name: "web",
            pod_ip: "10.244.1.2",
            kernel_version: "6.8.0-60-generic",
            started_at: "2026-01-02T03:04:05Z".parse().unwrap(),
            env: &[("GREETING".into(), "hi".into())],
        };
        let c: Vec<String> = command.iter().map(|s| s.to_string()).collect();
        let a: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let b = behaviour(&r, &c, &a, &ctx);
        let mut got = format!("{:?} sigterm={} lines={:?} periodic={:?}", b.outcome, b.honours_sigterm, b.start_lines, b.periodic);
        if !b.effects.is_empty() {
            got.push_str(&format!(" effects={:?}", b.effects));
        }
        expect.assert_eq(&got);
    }

    #[test]
    fn behaviours() {
        check("busybox", &[], &[], expect_test::expect![[r#"Exits { after: 10ms, exit_code: 0 } sigterm=false lines=[] periodic=None"#]]);
        check("redis", &[], &[], expect_test::expect![[r#"RunsForever sigterm=true lines=["Starting Redis Server", "1:C 02 Jan 2026 03:04:05.000 * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo", "1:C 02 Jan 2026 03:04:05.000 * Redis version=8.2.1, bits=64, commit=00000000, modified=1, pid=1, just started", "1:C 02 Jan 2026 03:04:05.000 * Configuration loaded", "1:M 02 Jan 2026 03:04:05.000 * monotonic clock: POSIX clock_gettime", "1:M 02 Jan 2026 03:04:05.000 * Running mode=standalone, port=6379.", "1:M 02 Jan 2026 03:04:05.000 * Server initialized", "1:M 02 Jan 2026 03:04:05.000 * Ready to accept connections tcp"] periodic=None"#]]);
        check("busybox", &["sh", "-c", "echo \"$GREETING from $HOSTNAME\" && sleep 5"], &[], expect_test::expect![[r#"Exits { after: 5s, exit_code: 0 } sigterm=false lines=["hi from web"] periodic=None"#]]);
        check("busybox", &["sh", "-c", "echo bye; exit 3"], &[], expect_test::expect![[r#"Exits { after: 10ms, exit_code: 3 } sigterm=false lines=["bye"] periodic=None"#]]);
        check("busybox", &["false"], &[], expect_test::expect![[r#"Exits { after: 10ms, exit_code: 1 } sigterm=false lines=[] periodic=None"#]]);
        check("busybox", &["sleep", "3600"], &[], expect_test::expect!["Exits { after: 1h, exit_code: 0 } sigterm=false lines=[] periodic=None"]);
        check("busybox", &[], &["sleep", "infinity"], expect_test::expect![[r#"RunsForever sigterm=false lines=[] periodic=None"#]]);
        check("busybox", &[], &["/bin/sh", "-c", "touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600"], expect_test::expect![[r#"Exits { after: 10m 30s, exit_code: 0 } sigterm=false lines=[] periodic=None effects=[(0s, Write { path: "/tmp/healthy", content: None, append: true }), (30s, Remove("/tmp/healthy"))]"#]]);
        check("busybox", &["sh", "-c", "echo start; sleep 2; echo \"<h1>$HOSTNAME</h1>\" > /work-dir/index.html; date >> log; wget -O /work-dir/x.html http://info.cern.ch 2>&1; exit 4"], &[], expect_test::expect![[r#"Exits { after: 2s, exit_code: 4 } sigterm=false lines=["start"] periodic=None effects=[(2s, Write { path: "/work-dir/index.html", content: Some("<h1>web</h1>\n"), append: false }), (2s, Write { path: "/log", content: Some("Fri Jan  2 03:04:07 UTC 2026\n"), append: true }), (2s, Fetch { path: "/work-dir/x.html", url: "http://info.cern.ch" })]"#]]);
        check("busybox", &["/bin/sh", "-c"], &["while true; do echo hello; sleep 10; done"], expect_test::expect![[r#"RunsForever sigterm=false lines=["hello"] periodic=Some(Periodic { lines: ["hello"], period: 10s })"#]]);
        check("nginx", &["nginx", "-g", "daemon off;"], &[], expect_test::expect![[r#"RunsForever sigterm=true lines=["/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration", "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/", "/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh", "10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf", "10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf", "/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh", "/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh", "/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh", "/docker-entrypoint.sh: Configuration complete; ready for start up", "2026/01/02 03:04:05 [notice] 1#1: using the \"epoll\" event method", "2026/01/02 03:04:05 [notice] 1#1: nginx/1.29.1", "2026/01/02 03:04:05 [notice] 1#1: built by gcc 14.2.0 (Debian 14.2.0-19) ", "2026/01/02 03:04:05 [notice] 1#1: OS: Linux 6.8.0-60-generic", "2026/01/02 03:04:05 [notice] 1#1: getrlimit(RLIMIT_NOFILE): 1048576:1048576", "2026/01/02 03:04:05 [notice] 1#1: start worker processes", "2026/01/02 03:04:05 [notice] 1#1: start worker process 29"] periodic=None"#]]);
    }
}
