//! The learner's shell, shared by the native CLI and the browser terminal.
//!
//! A small bash: pipelines, `&&`/`||`/`;`, redirections, heredocs,
//! variables, `$(...)`, aliases, and the commands a Kubernetes course types
//! (kubectl and `k`, sleep, echo, cat, grep, head, tail, wc, sort, awk, ...)
//! over an in-memory filesystem. Commands that wait on a real cluster
//! (`sleep`, `kubectl rollout status`, `kubectl delete`, `kubectl get -w`)
//! let simulated time run while they wait, so a script never hangs.

mod container;
mod minikube;
pub mod net;
pub mod parse;
pub mod text;
pub mod vfs;

use apimachinery::{SignedDuration, Timestamp};
use kubectl::config::KubeConfig;
use parse::{Connector, Part, Redirect, Simple, Word};
use std::collections::{BTreeMap, VecDeque};
use vfs::{Vfs, normalize};
use world::{ClusterProfile, World};

/// How long `kubectl get -w` keeps streaming in a script after the last
/// event it printed (a script cannot press Ctrl+C).
pub const WATCH_QUIET_SECONDS: i64 = 30;
/// The longest a script-mode watch runs.
pub const WATCH_LIMIT_SECONDS: i64 = 600;
/// Bound on history entries kept.
pub const MAX_HISTORY: usize = 10_000;

/// What one command line showed on the terminal.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Shown {
    /// Terminal text in the order it appeared (stdout and stderr interleaved).
    pub text: String,
    pub status: i32,
    /// `exit` was run.
    pub exit: bool,
}

/// Output of one simple command before redirection.
#[derive(Default)]
struct Ran {
    stdout: String,
    stderr: String,
    status: i32,
    /// Error text that comes after the output in time (kubectl exec's
    /// `command terminated with exit code N` follows the remote output).
    late_stderr: String,
}

/// What a terminal host gets back while time passes: text to show, and
/// `ended` = Some((status, exit)) once the command line has finished.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Progress {
    pub text: String,
    pub ended: Option<(i32, bool)>,
}

enum LineEnd {
    Done { status: i32, exit: bool },
    Suspended,
}

enum PipeEnd {
    Done { status: i32, exit: bool },
    Suspended(Job),
}

/// A command that waits while time passes, and what it printed so far.
struct Waiting {
    waiting: Box<dyn kubectl::Waiting>,
    out: kubectl::Output,
    /// For a command that runs until interrupted (`get -w`): how long a
    /// script lets it run at most.
    watch_limit: Option<SignedDuration>,
}

enum Started {
    Done(Ran),
    Waiting(Waiting),
}

/// The command line running at an interactive terminal, stopped at a
/// waiting command.
struct Job {
    waiting: Box<dyn kubectl::Waiting>,
    out: kubectl::Output,
    /// Bytes of `out.stderr` and `out.stdout` already on the terminal.
    shown: (usize, usize),
    /// The waiting command (for its redirections).
    cmd: Simple,
    /// The stages after it in its pipeline.
    tail: Vec<Simple>,
    /// Output goes to the terminal as it comes (through line filters such
    /// as grep), rather than at the end.
    stream: bool,
    /// Streamed stdout not yet ended by a newline (held for the filters).
    partial: String,
    /// The rest of the line after this pipeline.
    rest: VecDeque<(Vec<Simple>, Connector)>,
    connector: Connector,
}

impl Job {
    /// Moves what the command printed since last time to the terminal.
    fn show_new(&mut self, shell: &mut Shell, terminal: &mut String) {
        if !self.stream {
            return;
        }
        terminal.push_str(&self.out.stderr[self.shown.0..]);
        let fresh = self.out.stdout[self.shown.1..].to_string();
        self.shown = (self.out.stderr.len(), self.out.stdout.len());
        if self.tail.is_empty() {
            terminal.push_str(&fresh);
            return;
        }
        self.partial.push_str(&fresh);
        if let Some(cut) = self.partial.rfind('\n') {
            let lines: String = self.partial.drain(..=cut).collect();
            let tail = self.tail.clone();
            shell.run_tail(&tail, lines, terminal);
        }
    }
}

/// Stages that may see a stream line by line: their output for a chunk of
/// lines is their output for those lines alone.
fn is_line_filter(cmd: &Simple) -> bool {
    let first = cmd.words.first().and_then(|w| match w.parts.as_slice() {
        [Part::Lit(s)] => Some(s.as_str()),
        _ => None,
    });
    matches!(first, Some("grep" | "egrep")) && cmd.redirects.is_empty()
}

/// `sleep`: ends when the clock reaches `until`.
struct Sleep {
    until: Timestamp,
}

impl kubectl::Waiting for Sleep {
    fn poll(&mut self, world: &World, _out: &mut kubectl::Output) -> bool {
        world.now() >= self.until
    }
    fn deadline(&self) -> Option<Timestamp> {
        Some(self.until)
    }
}

/// A command whose output comes after simulated time has passed (curl
/// waiting for a connect timeout, ping's packets).
struct Deferred {
    until: Timestamp,
    ran: Option<Ran>,
}

impl kubectl::Waiting for Deferred {
    fn poll(&mut self, world: &World, out: &mut kubectl::Output) -> bool {
        if world.now() < self.until {
            return false;
        }
        if let Some(r) = self.ran.take() {
            out.stdout.push_str(&r.stdout);
            out.stderr.push_str(&r.stderr);
            out.code = r.status;
        }
        true
    }
    fn deadline(&self) -> Option<Timestamp> {
        Some(self.until)
    }
}

pub struct Shell {
    pub world: World,
    pub kubeconfig: KubeConfig,
    pub fs: Vfs,
    pub vars: BTreeMap<String, String>,
    pub aliases: BTreeMap<String, String>,
    pub history: Vec<String>,
    pub cwd: String,
    pub last_status: i32,
    depth: usize,
    /// Commands may wait as jobs (inside `start` and `run_for`).
    suspend: bool,
    job: Option<Job>,
    /// Simulated time the container command just run takes before its
    /// output shows (set by network clients).
    pending_delay_ms: i64,
    /// Shells in containers entered with `kubectl exec -it` (innermost last).
    contexts: Vec<container::Context>,
}

impl Shell {
    pub fn new(profile: ClusterProfile, seed: u64) -> Shell {
        let kubeconfig = KubeConfig::for_profile(&profile);
        let world = World::new(profile, seed);
        Shell::with_world(world, kubeconfig)
    }

    pub fn with_world(world: World, kubeconfig: KubeConfig) -> Shell {
        let mut vars = BTreeMap::new();
        vars.insert("HOME".into(), "/root".into());
        vars.insert("USER".into(), "root".into());
        vars.insert("PATH".into(), "/usr/local/bin:/usr/bin:/bin".into());
        vars.insert("HOSTNAME".into(), world.profile.control_plane().name.clone());
        Shell { world, kubeconfig, fs: Vfs::new(), vars, aliases: BTreeMap::new(), history: vec![], cwd: "/root".into(), last_status: 0, depth: 0, suspend: false, job: None, contexts: vec![], pending_delay_ms: 0 }
    }

    /// The prompt, as the course's lab shows it (`[root@m-k8s ~]# `).
    pub fn prompt(&self) -> String {
        if let Some(p) = self.container_prompt() {
            return p;
        }
        let host = self.world.profile.control_plane().name.clone();
        let dir = if self.cwd == "/root" { "~".to_string() } else { self.cwd.rsplit('/').next().unwrap_or("/").to_string() };
        let dir = if dir.is_empty() { "/".to_string() } else { dir };
        format!("[root@{host} {dir}]# ")
    }

    /// Runs a whole script (several lines, heredocs); returns what the
    /// terminal showed for each command, in order.
    pub fn run_script(&mut self, script: &str) -> Vec<(String, Shown)> {
        let mut out = vec![];
        for (line, bodies) in parse::split_script(script) {
            let shown = self.execute(&line, bodies);
            let exit = shown.exit;
            out.push((line, shown));
            if exit {
                break;
            }
        }
        out
    }

    /// Runs one command line (with its heredoc bodies) to the end, letting
    /// simulated time pass while a command waits (scripts, the native CLI).
    pub fn execute(&mut self, line: &str, heredocs: Vec<String>) -> Shown {
        self.suspend = false;
        let mut text = String::new();
        match self.begin(line, heredocs, &mut text) {
            LineEnd::Done { status, exit } => Shown { text, status, exit },
            LineEnd::Suspended => unreachable!("a script runs every command to the end"),
        }
    }

    /// Starts one command line at a terminal whose host drives time (the
    /// browser): a command that waits (`sleep`, `kubectl get -w`, `rollout
    /// status`, `wait`, `delete`) becomes the running job, and
    /// [`Shell::run_for`] lets time pass for it.
    pub fn start(&mut self, line: &str, heredocs: Vec<String>) -> Progress {
        self.suspend = true;
        let mut text = String::new();
        let end = self.begin(line, heredocs, &mut text);
        self.suspend = false;
        match end {
            LineEnd::Done { status, exit } => Progress { text, ended: Some((status, exit)) },
            LineEnd::Suspended => Progress { text, ended: None },
        }
    }

    /// Whether a command is running (the terminal shows no prompt).
    pub fn busy(&self) -> bool {
        self.job.is_some()
    }

    /// Lets up to `d` of simulated time pass: the running job is polled
    /// after every step of the world and the rest of its line runs the
    /// moment it ends; the call returns when the line ends (`ended`), so
    /// the clock may stop short of `d`. With nothing running the world just
    /// advances. How a span of time is cut into calls does not change the
    /// outcome.
    pub fn run_for(&mut self, d: SignedDuration) -> Progress {
        let target = self.world.now() + d;
        let mut text = String::new();
        self.suspend = true;
        let mut ended = None;
        loop {
            if self.job.is_none() {
                if self.world.now() < target {
                    self.world.run_until(target, |_| false);
                }
                break;
            }
            if let Some(end) = self.drive_job(target, &mut text) {
                if let LineEnd::Done { status, exit } = end {
                    // The line is over: return at this instant, so the
                    // host can start what the user typed meanwhile.
                    ended = Some((status, exit));
                    break;
                }
                continue;
            }
            if self.world.now() >= target {
                break;
            }
        }
        self.suspend = false;
        Progress { text, ended }
    }

    /// Ctrl+C: stops the running job and abandons the rest of its line.
    pub fn interrupt(&mut self) -> Option<Shown> {
        let mut job = self.job.take()?;
        let mut text = String::from("^C\n");
        if !job.stream {
            // What a redirected watch printed is in its file, as in bash;
            // the rest of the pipeline dies with it.
            let out = std::mem::take(&mut job.out);
            if let Err(e) = self.apply_redirects(&job.cmd, out.stdout, out.stderr) {
                text.push_str(&format!("bash: {e}\n"));
            }
        }
        self.last_status = 130;
        Some(Shown { text, status: 130, exit: false })
    }

    fn begin(&mut self, line: &str, heredocs: Vec<String>, text: &mut String) -> LineEnd {
        if self.depth == 0 && !line.trim().is_empty() {
            self.history.push(line.to_string());
            if self.history.len() > MAX_HISTORY {
                self.history.remove(0);
            }
        }
        let list = match parse::parse(line, heredocs) {
            Ok(l) => l,
            Err(e) => {
                self.last_status = 2;
                text.push_str(&format!("bash: {e}\n"));
                return LineEnd::Done { status: 2, exit: false };
            }
        };
        if self.in_container() && self.depth == 0 {
            self.refresh_context_files();
        }
        let end = self.run_list(list.into_iter().collect(), 0, false, text);
        self.end_container_line(end, text)
    }

    /// In a container, `exit` leaves it rather than the host shell, and the
    /// container's files are kept after every line.
    fn end_container_line(&mut self, end: LineEnd, text: &mut String) -> LineEnd {
        if !self.in_container() || self.depth > 0 {
            return end;
        }
        match end {
            LineEnd::Done { status, exit: true } => {
                text.push_str(&self.exit_context(status));
                self.last_status = status;
                LineEnd::Done { status, exit: false }
            }
            LineEnd::Done { status, exit: false } => match self.after_container_line() {
                Some(t) => {
                    text.push_str(&t);
                    LineEnd::Done { status: 137, exit: false }
                }
                None => LineEnd::Done { status, exit: false },
            },
            LineEnd::Suspended => LineEnd::Suspended,
        }
    }

    /// Runs the pipelines of a line in order, honouring `&&`, `||` and `;`.
    fn run_list(&mut self, mut rest: VecDeque<(Vec<Simple>, Connector)>, mut status: i32, mut skip: bool, text: &mut String) -> LineEnd {
        while let Some((pipeline, conn)) = rest.pop_front() {
            if !skip {
                match self.run_pipeline(&pipeline, text) {
                    PipeEnd::Done { status: s, exit } => {
                        status = s;
                        self.last_status = s;
                        if exit {
                            return LineEnd::Done { status, exit: true };
                        }
                    }
                    PipeEnd::Suspended(mut job) => {
                        job.rest = rest;
                        job.connector = conn;
                        self.job = Some(job);
                        return LineEnd::Suspended;
                    }
                }
            }
            skip = match conn {
                Connector::And => status != 0,
                Connector::Or => status == 0,
                Connector::Seq => false,
            };
        }
        LineEnd::Done { status, exit: false }
    }

    /// Runs `a | b | c`: terminal text goes to `terminal`; returns the
    /// status of the last command, or the job when one must wait.
    fn run_pipeline(&mut self, cmds: &[Simple], terminal: &mut String) -> PipeEnd {
        let mut input: Option<String> = None;
        let mut status = 0;
        for (i, cmd) in cmds.iter().enumerate() {
            let (started, exit) = self.start_simple(cmd, input.take());
            let ran = match started {
                Started::Done(ran) => ran,
                Started::Waiting(w) if self.suspend && self.depth == 0 => {
                    let tail = cmds[i + 1..].to_vec();
                    let stream = cmd.redirects.iter().all(|r| matches!(r, Redirect::In { .. } | Redirect::HereDoc { .. })) && tail.iter().all(is_line_filter);
                    let mut job = Job { waiting: w.waiting, out: w.out, shown: (0, 0), cmd: cmd.clone(), tail, stream, partial: String::new(), rest: VecDeque::new(), connector: Connector::Seq };
                    job.show_new(self, terminal);
                    return PipeEnd::Suspended(job);
                }
                Started::Waiting(w) => self.finish_now(w),
            };
            if exit {
                terminal.push_str(&ran.stderr);
                return PipeEnd::Done { status: ran.status, exit: true };
            }
            status = ran.status;
            let (s, next) = self.after_stage(cmd, ran, i + 1 == cmds.len(), terminal);
            status = s.unwrap_or(status);
            input = next;
        }
        PipeEnd::Done { status, exit: false }
    }

    /// Redirections of one stage; its stderr goes to the terminal, its
    /// stdout to the terminal (last stage) or to the next stage (returned).
    /// Returns the status override (a failed redirection) and the input of
    /// the next stage.
    fn after_stage(&mut self, cmd: &Simple, ran: Ran, last: bool, terminal: &mut String) -> (Option<i32>, Option<String>) {
        let mut status = None;
        let (stdout, stderr) = match self.apply_redirects(cmd, ran.stdout, ran.stderr) {
            Ok(x) => x,
            Err(e) => {
                terminal.push_str(&format!("bash: {e}\n"));
                status = Some(1);
                (String::new(), String::new())
            }
        };
        terminal.push_str(&stderr);
        if last {
            terminal.push_str(&stdout);
            terminal.push_str(&ran.late_stderr);
            (status, None)
        } else {
            terminal.push_str(&ran.late_stderr);
            (status, Some(stdout))
        }
    }

    /// Runs the stages after a job's command over `input`; returns the
    /// status of the last one.
    fn run_tail(&mut self, tail: &[Simple], input: String, terminal: &mut String) -> i32 {
        let mut input = Some(input);
        let mut status = 0;
        for (i, cmd) in tail.iter().enumerate() {
            let (ran, _) = self.run_simple(cmd, input.take());
            status = ran.status;
            let (s, next) = self.after_stage(cmd, ran, i + 1 == tail.len(), terminal);
            status = s.unwrap_or(status);
            input = next;
        }
        status
    }

    /// Polls the job until `target` (or its own deadline): streams what it
    /// printed, and when it ends finishes its pipeline and runs the rest of
    /// its line. Returns how the line went on if the job ended.
    fn drive_job(&mut self, target: Timestamp, text: &mut String) -> Option<LineEnd> {
        let mut job = self.job.take()?;
        let until = job.waiting.deadline().map_or(target, |d| d.min(target));
        let ended = {
            let Job { waiting, out, .. } = &mut job;
            self.world.run_until(until, |w| waiting.poll(w, out))
        };
        job.show_new(self, text);
        if !ended {
            self.job = Some(job);
            return None;
        }
        let out = std::mem::take(&mut job.out);
        let mut status = out.code;
        if job.stream {
            // The filters see the last unfinished line (only filters hold
            // one back) and give the pipeline its status.
            if !job.tail.is_empty() {
                let rest = std::mem::take(&mut job.partial);
                status = self.run_tail(&job.tail, rest, text);
            }
        } else {
            let ran = Ran { stdout: out.stdout, stderr: out.stderr, status, ..Default::default() };
            let (s, next) = self.after_stage(&job.cmd, ran, job.tail.is_empty(), text);
            status = s.unwrap_or(status);
            if let Some(input) = next {
                status = self.run_tail(&job.tail, input, text);
            }
        }
        self.last_status = status;
        let skip = match job.connector {
            Connector::And => status != 0,
            Connector::Or => status == 0,
            Connector::Seq => false,
        };
        Some(self.run_list(job.rest, status, skip, text))
    }

    /// Runs a waiting command to its end in simulated time (scripts,
    /// `$(...)`). A watch stops once nothing has happened for
    /// [`WATCH_QUIET_SECONDS`] (a script cannot press Ctrl+C).
    fn finish_now(&mut self, w: Waiting) -> Ran {
        let Waiting { mut waiting, mut out, watch_limit } = w;
        match watch_limit {
            Some(limit) => {
                let deadline = self.world.now() + limit;
                let mut quiet_until = self.world.now() + SignedDuration::from_secs(WATCH_QUIET_SECONDS);
                self.world.run_until(deadline, |w| {
                    let before = out.stdout.len();
                    waiting.poll(w, &mut out);
                    if out.stdout.len() > before {
                        quiet_until = w.now() + SignedDuration::from_secs(WATCH_QUIET_SECONDS);
                    }
                    w.now() >= quiet_until
                });
                waiting.poll(&self.world, &mut out);
            }
            None => {
                let far = self.world.now() + SignedDuration::from_secs(WATCH_LIMIT_SECONDS);
                kubectl::waiting::finish_in_simulated_time(&mut self.world, waiting.as_mut(), &mut out, far);
            }
        }
        ran_of(out)
    }

    fn apply_redirects(&mut self, cmd: &Simple, mut stdout: String, mut stderr: String) -> Result<(String, String), String> {
        for r in &cmd.redirects {
            match r {
                Redirect::ErrToOut => {
                    stdout.push_str(&std::mem::take(&mut stderr));
                }
                Redirect::Out { fd, target, append } => {
                    let path = self.expand_one(target);
                    let data = if *fd == 2 { std::mem::take(&mut stderr) } else { std::mem::take(&mut stdout) };
                    if path == "/dev/null" {
                        continue;
                    }
                    let p = normalize(&self.cwd, &path);
                    if *append { self.fs.append(&p, &data)? } else { self.fs.write(&p, data)? }
                }
                Redirect::Both { target } => {
                    let path = self.expand_one(target);
                    let mut data = std::mem::take(&mut stdout);
                    data.push_str(&std::mem::take(&mut stderr));
                    if path != "/dev/null" {
                        let p = normalize(&self.cwd, &path);
                        self.fs.write(&p, data)?;
                    }
                }
                Redirect::In { .. } | Redirect::HereDoc { .. } => {}
            }
        }
        Ok((stdout, stderr))
    }

    /// Expands a word into fields (unquoted expansions are split on blanks).
    fn expand(&mut self, w: &Word) -> Vec<String> {
        let mut fields: Vec<String> = vec![];
        let mut cur = String::new();
        let mut has = false;
        for p in &w.parts {
            match p {
                Part::Lit(s) => {
                    let s = if s.starts_with('~') && fields.is_empty() && cur.is_empty() { s.replacen('~', "/root", 1) } else { s.clone() };
                    cur.push_str(&s);
                    has = true;
                }
                Part::Quoted(s) => {
                    cur.push_str(s);
                    has = true;
                }
                Part::Var(name, quoted) => {
                    let v = self.var(name);
                    self.push_expansion(&v, *quoted, &mut fields, &mut cur, &mut has);
                }
                Part::CmdSub(inner, quoted) => {
                    let v = self.substitute(inner);
                    self.push_expansion(&v, *quoted, &mut fields, &mut cur, &mut has);
                }
            }
        }
        if has || !cur.is_empty() {
            fields.push(cur);
        }
        fields
    }

    fn push_expansion(&self, v: &str, quoted: bool, fields: &mut Vec<String>, cur: &mut String, has: &mut bool) {
        if quoted {
            cur.push_str(v);
            *has = true;
            return;
        }
        let parts: Vec<&str> = v.split([' ', '\t', '\n']).collect();
        for (i, part) in parts.iter().enumerate() {
            if i > 0 && (*has || !cur.is_empty()) {
                fields.push(std::mem::take(cur));
                *has = false;
            }
            if !part.is_empty() {
                cur.push_str(part);
                *has = true;
            }
        }
    }

    fn expand_one(&mut self, w: &Word) -> String {
        self.expand(w).join(" ")
    }

    fn var(&self, name: &str) -> String {
        match name {
            "?" => self.last_status.to_string(),
            "$" => "1".to_string(),
            "PWD" => self.cwd.clone(),
            _ => self.vars.get(name).cloned().unwrap_or_default(),
        }
    }

    /// `$(...)`: runs in this shell, output with trailing newlines removed.
    fn substitute(&mut self, inner: &str) -> String {
        if self.depth >= parse::MAX_SUBSTITUTION_DEPTH {
            return String::new();
        }
        self.depth += 1;
        let list = parse::parse(inner, vec![]);
        let mut out = String::new();
        if let Ok(list) = list {
            for (pipeline, _) in list {
                let mut input = None;
                for (i, cmd) in pipeline.iter().enumerate() {
                    let (ran, _) = self.run_simple(cmd, input.take());
                    let (stdout, _stderr) = self.apply_redirects(cmd, ran.stdout, ran.stderr).unwrap_or_default();
                    if i + 1 == pipeline.len() {
                        out.push_str(&stdout);
                    } else {
                        input = Some(stdout);
                    }
                }
            }
        }
        self.depth -= 1;
        out.trim_end_matches('\n').to_string()
    }

    /// Runs one command to its end; returns its output and whether the
    /// shell exits.
    fn run_simple(&mut self, cmd: &Simple, input: Option<String>) -> (Ran, bool) {
        match self.start_simple(cmd, input) {
            (Started::Done(ran), exit) => (ran, exit),
            (Started::Waiting(w), exit) => (self.finish_now(w), exit),
        }
    }

    /// Starts one command: it ends at once, or waits while time passes.
    fn start_simple(&mut self, cmd: &Simple, input: Option<String>) -> (Started, bool) {
        let mut words: Vec<String> = vec![];
        for w in &cmd.words {
            words.extend(self.expand(w));
        }
        let mut stdin = input;
        for r in &cmd.redirects {
            match r {
                Redirect::HereDoc { body, expand } => {
                    stdin = Some(if *expand { self.expand_heredoc(body) } else { body.clone() });
                }
                Redirect::In { source } => {
                    let name = self.expand_one(source);
                    let p = normalize(&self.cwd, &name);
                    match self.fs.read(&p) {
                        Some(t) => stdin = Some(t.clone()),
                        None => return (Started::Done(Ran { stderr: format!("bash: {name}: No such file or directory\n"), status: 1, ..Default::default() }), false),
                    }
                }
                _ => {}
            }
        }
        if words.is_empty() {
            for (name, value) in &cmd.assignments {
                let v = self.expand_one(value);
                self.vars.insert(name.clone(), v);
            }
            return (Started::Done(Ran::default()), false);
        }
        // Aliases apply to the first word.
        if let Some(a) = self.aliases.get(&words[0]).cloned() {
            let mut expanded: Vec<String> = a.split_whitespace().map(str::to_string).collect();
            expanded.extend(words.drain(1..));
            words = expanded;
        }
        let name = words[0].clone();
        let args = words[1..].to_vec();
        let stdin_text = stdin.unwrap_or_default();
        if self.in_container() {
            if name == "exit" || name == "logout" {
                let status = args.first().and_then(|a| a.parse::<i64>().ok()).map(|c| c.rem_euclid(256) as i32).unwrap_or(self.last_status);
                return (Started::Done(Ran { status, ..Default::default() }), true);
            }
            if let Some(ran) = self.container_command(&name, &args, &stdin_text) {
                let delay = std::mem::take(&mut self.pending_delay_ms);
                if delay > 0 {
                    let until = self.world.now() + SignedDuration::from_millis(delay);
                    return (Started::Waiting(Waiting { waiting: Box::new(Deferred { until, ran: Some(ran) }), out: kubectl::Output::default(), watch_limit: None }), false);
                }
                return (Started::Done(ran), false);
            }
        }
        let ran = match name.as_str() {
            "kubectl" | "k" => return (self.kubectl(&args, &stdin_text), false),
            "sleep" => return (self.sleep(&args), false),
            // The minikube CLI exists on the minikube profile's host only.
            "minikube" if self.world.profile.name == "minikube" => {
                return match minikube::run(&mut self.world, &args) {
                    minikube::Started::Done(ran) => (Started::Done(ran), false),
                    minikube::Started::Waiting(out, waiting) => (Started::Waiting(Waiting { waiting, out, watch_limit: None }), false),
                };
            }
            "exit" | "logout" => return (Started::Done(Ran { status: args.first().and_then(|a| a.parse().ok()).unwrap_or(0), ..Default::default() }), true),
            "echo" => echo(&args),
            "printf" => Ran { stdout: printf(&args), ..Default::default() },
            "cat" => self.cat(&args, &stdin_text),
            "grep" | "egrep" => text_ran(text::grep(&if name == "egrep" { [vec!["-E".to_string()], args.clone()].concat() } else { args.clone() }, &stdin_text)),
            "head" => text_ran(text::head(&args, &stdin_text)),
            "tail" => text_ran(text::tail(&args, &stdin_text)),
            "wc" => text_ran(text::wc(&args, &stdin_text)),
            "sort" => text_ran(text::sort(&args, &stdin_text)),
            "uniq" => text_ran(text::uniq(&args, &stdin_text)),
            "cut" => text_ran(text::cut(&args, &stdin_text)),
            "awk" => text_ran(text::awk(&args, &stdin_text)),
            "true" | ":" => Ran::default(),
            "false" => Ran { status: 1, ..Default::default() },
            "clear" => Ran { stdout: "\x1b[H\x1b[2J\x1b[3J".into(), ..Default::default() },
            "history" => {
                let text: String = self.history.iter().enumerate().map(|(i, h)| format!("{:>5}  {h}\n", i + 1)).collect();
                Ran { stdout: text, ..Default::default() }
            }
            "pwd" => Ran { stdout: format!("{}\n", self.cwd), ..Default::default() },
            "cd" => self.cd(&args),
            "ls" => self.ls(&args),
            "mkdir" => {
                for a in args.iter().filter(|a| !a.starts_with('-')) {
                    let p = normalize(&self.cwd, a);
                    self.fs.mkdir(&p);
                }
                Ran::default()
            }
            "rm" => self.rm(&args),
            "touch" => {
                for a in &args {
                    let p = normalize(&self.cwd, a);
                    if self.fs.read(&p).is_none() {
                        let _ = self.fs.write(&p, String::new());
                    }
                }
                Ran::default()
            }
            "export" => {
                for a in &args {
                    if let Some((k, v)) = a.split_once('=') {
                        self.vars.insert(k.to_string(), v.to_string());
                    }
                }
                Ran::default()
            }
            "unset" => {
                for a in &args {
                    self.vars.remove(a);
                }
                Ran::default()
            }
            "alias" => self.alias(&args),
            "unalias" => {
                for a in &args {
                    self.aliases.remove(a);
                }
                Ran::default()
            }
            "hostname" => Ran { stdout: format!("{}\n", self.world.profile.control_plane().name), ..Default::default() },
            "curl" => {
                // The lab node's own curl (Ubuntu 24.04: 8.5.0), outside the
                // pod network's DNS.
                let client = net::Client { source: self.world.host_source(), namespace: None, hostname: None, curl_version: "8.5.0" };
                let (r, file) = net::curl(&mut self.world, &client, &args);
                let mut ran = Ran { stdout: r.stdout, stderr: r.stderr, status: r.status, ..Default::default() };
                if let Some((f, content)) = file {
                    let p = normalize(&self.cwd, &f);
                    if let Err(e) = self.fs.write(&p, content) {
                        ran.stderr.push_str(&format!("curl: {e}\n"));
                        ran.status = 23;
                    }
                }
                ran
            }
            "whoami" => Ran { stdout: "root\n".into(), ..Default::default() },
            "date" => Ran { stdout: format!("{}\n", date_text(self.world.now())), ..Default::default() },
            "source" | "." => Ran::default(),
            "complete" | "set" => Ran::default(),
            _ => Ran { stderr: format!("bash: {name}: command not found\n"), status: 127, ..Default::default() },
        };
        for (n, value) in &cmd.assignments {
            // `X=1 cmd` sets X for cmd only; nothing reads it here but kubectl's env.
            let _ = (n, value);
        }
        (Started::Done(ran), false)
    }

    fn expand_heredoc(&mut self, body: &str) -> String {
        // Variables and $(...) expand inside an unquoted heredoc.
        let mut w = Word::default();
        let line = body.replace('\\', "\\\\").replace('"', "\\\"");
        if let Ok(list) = parse::parse(&format!("\"{line}\""), vec![]) {
            if let Some((p, _)) = list.first() {
                if let Some(s) = p.first() {
                    if let Some(first) = s.words.first() {
                        w = first.clone();
                    }
                }
            }
        }
        if w.parts.is_empty() {
            return body.to_string();
        }
        self.expand_one(&w)
    }

    fn kubectl(&mut self, args: &[String], stdin: &str) -> Started {
        struct FsView<'a>(&'a Vfs, &'a str);
        impl kubectl::Files for FsView<'_> {
            fn read(&self, path: &str) -> Option<String> {
                self.0.read(&normalize(self.1, path)).cloned()
            }
            fn list_dir(&self, path: &str) -> Option<Vec<String>> {
                self.0.list(&normalize(self.1, path))
            }
        }
        // Disjoint borrows: kubectl reads the files while it drives the world.
        let Shell { world, kubeconfig, fs, cwd, .. } = self;
        let view = FsView(fs, cwd);
        let mut ctx = kubectl::Ctx { world, config: kubeconfig, files: &view, stdin: Some(stdin) };
        let outcome = kubectl::run(&mut ctx, args);
        match outcome {
            kubectl::Outcome::Done(o) => Started::Done(ran_of(o)),
            kubectl::Outcome::Waiting(out, mut waiting) => match waiting.take_exec() {
                Some(req) => Started::Done(self.run_exec(req, ran_of(out))),
                None => Started::Waiting(waiting_of(args, out, waiting)),
            },
        }
    }

    fn cat(&mut self, args: &[String], stdin: &str) -> Ran {
        let files: Vec<&String> = args.iter().filter(|a| !a.starts_with('-') || a.as_str() == "-").collect();
        if files.is_empty() {
            return Ran { stdout: stdin.to_string(), ..Default::default() };
        }
        let mut r = Ran::default();
        for f in files {
            if f == "-" {
                r.stdout.push_str(stdin);
                continue;
            }
            let p = normalize(&self.cwd, f);
            match self.fs.read(&p) {
                Some(t) => r.stdout.push_str(t),
                // BusyBox's cat (libbb's open_or_warn, bb_perror_msg) words
                // its errors differently from GNU coreutils.
                None if self.fs.is_dir(&p) => {
                    r.stderr.push_str(&if self.in_busybox() { "cat: read error: Is a directory\n".to_string() } else { format!("cat: {f}: Is a directory\n") });
                    r.status = 1;
                }
                None => {
                    r.stderr.push_str(&if self.in_busybox() { format!("cat: can't open '{f}': No such file or directory\n") } else { format!("cat: {f}: No such file or directory\n") });
                    r.status = 1;
                }
            }
        }
        r
    }

    /// GNU sleep: seconds with optional s/m/h/d suffix; the world runs meanwhile.
    fn sleep(&mut self, args: &[String]) -> Started {
        let mut total_ms: i64 = 0;
        if args.is_empty() {
            return Started::Done(Ran { stderr: "sleep: missing operand\nTry 'sleep --help' for more information.\n".into(), status: 1, ..Default::default() });
        }
        for a in args {
            let (num, mult) = match a.chars().last() {
                Some('s') => (&a[..a.len() - 1], 1000.0),
                Some('m') => (&a[..a.len() - 1], 60_000.0),
                Some('h') => (&a[..a.len() - 1], 3_600_000.0),
                Some('d') => (&a[..a.len() - 1], 86_400_000.0),
                _ => (a.as_str(), 1000.0),
            };
            match num.parse::<f64>() {
                Ok(n) if n >= 0.0 && n.is_finite() => total_ms += (n * mult) as i64,
                _ => return Started::Done(Ran { stderr: format!("sleep: invalid time interval '{a}'\nTry 'sleep --help' for more information.\n"), status: 1, ..Default::default() }),
            }
        }
        // A week of simulated time is the most one sleep runs.
        let until = self.world.now() + SignedDuration::from_millis(total_ms.min(7 * 86_400_000));
        Started::Waiting(Waiting { waiting: Box::new(Sleep { until }), out: kubectl::Output::default(), watch_limit: None })
    }

    fn cd(&mut self, args: &[String]) -> Ran {
        let target = args.first().map(String::as_str).unwrap_or("/root");
        let p = normalize(&self.cwd, target);
        if self.fs.is_dir(&p) {
            self.cwd = p;
            Ran::default()
        } else {
            Ran { stderr: format!("bash: cd: {target}: No such file or directory\n"), status: 1, ..Default::default() }
        }
    }

    fn ls(&mut self, args: &[String]) -> Ran {
        let targets: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
        let dir = targets.first().map(|t| normalize(&self.cwd, t)).unwrap_or_else(|| self.cwd.clone());
        match self.fs.list(&dir) {
            Some(entries) => {
                let names: Vec<String> = entries.iter().map(|e| e.rsplit('/').next().unwrap_or(e).to_string()).collect();
                Ran { stdout: if names.is_empty() { String::new() } else { format!("{}\n", names.join("  ")) }, ..Default::default() }
            }
            None if self.fs.read(&dir).is_some() => Ran { stdout: format!("{}\n", targets[0]), ..Default::default() },
            // BusyBox ls says it its own way, and exits 1.
            None if self.in_busybox() => Ran { stderr: format!("ls: {}: No such file or directory\n", targets.first().map(|s| s.as_str()).unwrap_or("")), status: 1, ..Default::default() },
            None => Ran { stderr: format!("ls: cannot access '{}': No such file or directory\n", targets.first().map(|s| s.as_str()).unwrap_or("")), status: 2, ..Default::default() },
        }
    }

    fn rm(&mut self, args: &[String]) -> Ran {
        let force = args.iter().any(|a| a.starts_with('-') && a.contains('f'));
        let mut r = Ran::default();
        for a in args.iter().filter(|a| !a.starts_with('-')) {
            let p = normalize(&self.cwd, a);
            if !self.fs.remove(&p) && !force {
                r.stderr.push_str(&format!("rm: cannot remove '{a}': No such file or directory\n"));
                r.status = 1;
            }
        }
        r
    }

    fn alias(&mut self, args: &[String]) -> Ran {
        if args.is_empty() {
            let text: String = self.aliases.iter().map(|(k, v)| format!("alias {k}='{v}'\n")).collect();
            return Ran { stdout: text, ..Default::default() };
        }
        for a in args {
            match a.split_once('=') {
                Some((k, v)) => {
                    self.aliases.insert(k.to_string(), v.to_string());
                }
                None => {
                    if let Some(v) = self.aliases.get(a) {
                        return Ran { stdout: format!("alias {a}='{v}'\n"), ..Default::default() };
                    }
                    return Ran { stderr: format!("bash: alias: {a}: not found\n"), status: 1, ..Default::default() };
                }
            }
        }
        Ran::default()
    }
}

/// A waiting kubectl command; a script's watch ends after
/// `--request-timeout`, if given.
fn waiting_of(args: &[String], out: kubectl::Output, waiting: Box<dyn kubectl::Waiting>) -> Waiting {
    let watch_limit = waiting.until_interrupted().then(|| {
        args.iter()
            .find_map(|a| a.strip_prefix("--request-timeout=").map(str::to_string))
            .and_then(|t| kubectl::rollout::parse_go_duration(&t))
            .filter(|d| *d > SignedDuration::ZERO)
            .unwrap_or(SignedDuration::from_secs(WATCH_LIMIT_SECONDS))
    });
    Waiting { waiting, out, watch_limit }
}

fn ran_of(o: kubectl::Output) -> Ran {
    Ran { stdout: o.stdout, stderr: o.stderr, status: o.code, ..Default::default() }
}

fn text_ran((stdout, stderr, status): text::Ran) -> Ran {
    Ran { stdout, stderr, status, ..Default::default() }
}

fn echo(args: &[String]) -> Ran {
    let mut newline = true;
    let mut escapes = false;
    let mut rest = args;
    while let Some(first) = rest.first() {
        match first.as_str() {
            "-n" => newline = false,
            "-e" => escapes = true,
            "-ne" | "-en" => {
                newline = false;
                escapes = true;
            }
            _ => break,
        }
        rest = &rest[1..];
    }
    let mut s = rest.join(" ");
    if escapes {
        s = s.replace("\\n", "\n").replace("\\t", "\t");
    }
    if newline {
        s.push('\n');
    }
    Ran { stdout: s, ..Default::default() }
}

fn printf(args: &[String]) -> String {
    let Some(fmt) = args.first() else { return String::new() };
    let mut out = String::new();
    let mut vals = args[1..].iter();
    let chars: Vec<char> = fmt.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' if i + 1 < chars.len() => {
                out.push(match chars[i + 1] {
                    'n' => '\n',
                    't' => '\t',
                    c => c,
                });
                i += 2;
            }
            '%' if i + 1 < chars.len() => {
                match chars[i + 1] {
                    's' | 'd' => out.push_str(vals.next().map(String::as_str).unwrap_or("")),
                    '%' => out.push('%'),
                    c => {
                        out.push('%');
                        out.push(c);
                    }
                }
                i += 2;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// `date`'s default format, in UTC: `Mon Jan  5 09:00:00 UTC 2026`.
fn date_text(t: apimachinery::Timestamp) -> String {
    let z = t.to_zoned(jiff_tz_utc());
    z.strftime("%a %b %e %H:%M:%S UTC %Y").to_string()
}

fn jiff_tz_utc() -> apimachinery::k8s_openapi::jiff::tz::TimeZone {
    apimachinery::k8s_openapi::jiff::tz::TimeZone::UTC
}
