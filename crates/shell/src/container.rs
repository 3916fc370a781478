//! Shells inside containers (`kubectl exec`). An interactive
//! `kubectl exec -it POD -- bash` pushes a context: the host shell's
//! files, variables and directory wait underneath while the lines typed
//! next run in the container — its files, its environment, its image's
//! tools and messages — until `exit` pops back, as a terminal piped into
//! `kubectl exec -it` would behave. A non-interactive `kubectl exec POD --
//! CMD` runs one command in a context pushed and popped at once.

use crate::net::{self, Client};
use crate::parse::{Part, Simple, Word};
use crate::vfs::{Vfs, normalize};
use crate::{Ran, Shell};
use kubectl::exec::ExecRequest;
use kubelet::rootfs::{self, Userland};
use std::collections::BTreeMap;

/// Bound on nested `kubectl exec` contexts (a container has no kubectl,
/// so one is the most a learner can reach; the bound guards the stack).
pub const MAX_CONTEXTS: usize = 8;

/// Where an exec request got to.
enum ExecStep {
    /// An interactive shell: the container context stays pushed.
    Interactive,
    Done(Ran),
    /// The runtime refused (kubectl's text for it).
    Failed(String),
}

/// One shell running in a container, and the host state under it.
pub(crate) struct Context {
    pub req: ExecRequest,
    pub instance_id: String,
    pub userland: Userland,
    pub tools: &'static [&'static str],
    /// `bash` or `sh`.
    pub shell: String,
    pub hostname: String,
    pub pod_ip: String,
    pub image: String,
    /// The process environment, in order (what `env` prints).
    pub env: Vec<(String, String)>,
    /// A shell runs (interactive or `sh -c`): it adds SHLVL, PWD (and bash `_`).
    pub shell_running: bool,
    host_fs: Vfs,
    host_vars: BTreeMap<String, String>,
    host_cwd: String,
    host_aliases: BTreeMap<String, String>,
}

/// Shell builtins: they exist whatever the image ships.
const BUILTINS: &[&str] = &["echo", "printf", "cd", "pwd", "export", "unset", "exit", "logout", "true", "false", ":", "alias", "unalias", "history", "source", ".", "set"];

fn lit(s: &str) -> Word {
    Word { parts: vec![Part::Quoted(s.to_string())] }
}

impl Shell {
    pub(crate) fn in_container(&self) -> bool {
        !self.contexts.is_empty()
    }

    /// Whether the innermost container's tools are BusyBox applets.
    pub(crate) fn in_busybox(&self) -> bool {
        self.contexts.last().is_some_and(|c| matches!(c.userland, Userland::Busybox | Userland::Alpine))
    }

    /// The prompt of the shell in the innermost container.
    pub(crate) fn container_prompt(&self) -> Option<String> {
        let c = self.contexts.last()?;
        let dir = if self.cwd == "/root" { "~".to_string() } else { self.cwd.clone() };
        Some(match (c.userland, c.shell.as_str()) {
            (Userland::Debian | Userland::Ubuntu, "bash") => format!("root@{}:{dir}# ", c.hostname),
            // CentOS's bash PS1 `[\u@\h \W]\$ `: the directory's last component.
            (Userland::Centos, "bash") => format!("[root@{} {}]# ", c.hostname, if dir == "/" || dir == "~" { dir.as_str() } else { dir.rsplit('/').next().unwrap_or("/") }),
            (Userland::Centos, _) => "sh-4.2# ".to_string(),
            (Userland::Debian | Userland::Ubuntu, _) => "# ".to_string(),
            _ => format!("{dir} # "),
        })
    }

    /// Enters the container of `req` (pushes a context).
    fn push_context(&mut self, req: &ExecRequest, shell: &str) -> Result<(), String> {
        if self.contexts.len() >= MAX_CONTEXTS {
            return Err("too many nested shells".into());
        }
        let Some(p) = self.world.kubelet(&req.node).and_then(|k| k.container_process(&req.namespace, &req.pod, &req.container)) else {
            return Err(format!("error: unable to upgrade connection: container not found (\"{}\")\n", req.container));
        };
        let image_ref = kubelet::images::parse(p.image).ok();
        let os = image_ref.as_ref().map(rootfs::image_os);
        let (userland, tools, root_dirs) = os.as_ref().map(|o| (o.userland, o.tools, o.root_dirs)).unwrap_or((Userland::Debian, &[][..], &[][..]));
        let mut env = p.env.to_vec();
        if req.tty {
            env.push(("TERM".into(), "xterm".into()));
        }
        let hostname = env.iter().find(|(k, _)| k == "HOSTNAME").map(|(_, v)| v.clone()).unwrap_or_else(|| req.pod.clone());
        let mut fs = Vfs::new();
        for d in root_dirs {
            fs.mkdir(&format!("/{d}"));
        }
        for d in image_ref.iter().flat_map(|r| rootfs::image_dirs(r).iter().copied()).chain(p.files.mount_paths()) {
            fs.mkdir(d);
        }
        for (path, content) in p.files.to_map() {
            if let Some((dir, _)) = path.rsplit_once('/') {
                fs.mkdir(dir);
            }
            let _ = fs.write(&path, content);
        }
        let vars: BTreeMap<String, String> = env.iter().cloned().collect();
        let ctx = Context {
            req: req.clone(),
            instance_id: p.instance_id.to_string(),
            userland,
            tools,
            shell: shell.to_string(),
            hostname,
            pod_ip: p.pod_ip.to_string(),
            image: p.image.to_string(),
            env,
            shell_running: true,
            host_fs: std::mem::replace(&mut self.fs, fs),
            host_vars: std::mem::replace(&mut self.vars, vars),
            host_cwd: std::mem::replace(&mut self.cwd, "/".into()),
            host_aliases: std::mem::take(&mut self.aliases),
        };
        self.contexts.push(ctx);
        Ok(())
    }

    /// Writes the container's files back to its runtime (what the shell
    /// changed survives the session, as in a real container's writable layer).
    fn sync_context_files(&mut self) {
        let Some(c) = self.contexts.last() else { return };
        let (node, ns, pod, container) = (c.req.node.clone(), c.req.namespace.clone(), c.req.pod.clone(), c.req.container.clone());
        let files = self.fs.files().clone();
        self.world.set_container_files(&node, &ns, &pod, &container, &files);
    }

    /// Before each line in a container: what its processes, the other
    /// containers sharing its volumes, and time did to its files since the
    /// last line shows.
    pub(crate) fn refresh_context_files(&mut self) {
        let Some(c) = self.contexts.last() else { return };
        let Some(p) = self.world.kubelet(&c.req.node).and_then(|k| k.container_process(&c.req.namespace, &c.req.pod, &c.req.container)) else { return };
        if p.instance_id != c.instance_id {
            return;
        }
        let now = p.files.to_map();
        if &now == self.fs.files() {
            return;
        }
        let gone: Vec<String> = self.fs.files().keys().filter(|k| !now.contains_key(*k)).cloned().collect();
        for path in gone {
            self.fs.remove(&path);
        }
        for (path, content) in now {
            if self.fs.read(&path) != Some(&content) {
                if let Some((dir, _)) = path.rsplit_once('/') {
                    self.fs.mkdir(dir);
                }
                let _ = self.fs.write(&path, content);
            }
        }
    }

    /// Leaves the innermost container.
    fn pop_context(&mut self) {
        self.sync_context_files();
        if let Some(c) = self.contexts.pop() {
            self.fs = c.host_fs;
            self.vars = c.host_vars;
            self.cwd = c.host_cwd;
            self.aliases = c.host_aliases;
        }
    }

    /// `exit` in a container shell: back to where `kubectl exec` ran. bash
    /// says `exit`; a non-zero status comes back through kubectl as
    /// `command terminated with exit code N`.
    pub(crate) fn exit_context(&mut self, status: i32) -> String {
        let bash = self.contexts.last().is_some_and(|c| c.shell == "bash");
        self.pop_context();
        let mut text = String::new();
        if bash {
            text.push_str("exit\n");
        }
        if status != 0 {
            text.push_str(&format!("command terminated with exit code {status}\n"));
        }
        text
    }

    /// After each line in a container: keep its files, and notice when the
    /// container went away under the session.
    pub(crate) fn after_container_line(&mut self) -> Option<String> {
        let c = self.contexts.last()?;
        let alive = self.world.kubelet(&c.req.node).and_then(|k| k.container_process(&c.req.namespace, &c.req.pod, &c.req.container)).is_some_and(|p| p.instance_id == c.instance_id);
        if alive {
            self.sync_context_files();
            return None;
        }
        // The runtime killed the process: the stream ends with its code.
        if let Some(c) = self.contexts.pop() {
            self.fs = c.host_fs;
            self.vars = c.host_vars;
            self.cwd = c.host_cwd;
            self.aliases = c.host_aliases;
        }
        self.last_status = 137;
        Some("command terminated with exit code 137\n".into())
    }

    /// The OCI runtime's answer for a program the image does not have.
    fn exec_not_found(&self, program: &str, c: &Context) -> String {
        let id = format!("{:016x}{:016x}{:016x}{:016x}", kubelet::images::fnv64(&c.instance_id), kubelet::images::fnv64(program), kubelet::images::fnv64(&c.req.pod), kubelet::images::fnv64(&c.image));
        format!(
            "error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec \"{id}\": OCI runtime exec failed: exec failed: unable to start container process: exec: \"{program}\": executable file not found in $PATH: unknown\n"
        )
    }

    /// Runs what `kubectl exec` asked for. Returns the terminal text of a
    /// non-interactive command (stdout, stderr, status) or enters the
    /// container for an interactive shell.
    pub(crate) fn run_exec(&mut self, req: ExecRequest, mut before: Ran) -> Ran {
        if let Some(ran) = self.exec_ran(&req) {
            before.stdout.push_str(&ran.stdout);
            before.stderr.push_str(&ran.stderr);
            before.late_stderr.push_str(&ran.late_stderr);
            before.status = ran.status;
        }
        before
    }

    /// A non-interactive `kubectl exec` as kubectl prints it: the command's
    /// stdout and stderr, "command terminated with exit code N" for a
    /// failure, kubectl's exit status. None: an interactive shell was
    /// entered (the next lines run in the container).
    pub fn exec_printed(&mut self, req: ExecRequest) -> Option<(String, String, i32)> {
        self.exec_ran(&req).map(|ran| (ran.stdout, ran.stderr + &ran.late_stderr, ran.status))
    }

    /// What kubectl shows of an exec: the runtime's error, or the command's
    /// output with "command terminated with exit code N" after it (kubectl
    /// prints it once the remote output has arrived). None: interactive.
    fn exec_ran(&mut self, req: &ExecRequest) -> Option<Ran> {
        match self.exec_step(req) {
            ExecStep::Interactive => None,
            ExecStep::Failed(msg) => Some(Ran { stderr: msg, status: 1, ..Default::default() }),
            ExecStep::Done(mut ran) => {
                ran.late_stderr = if ran.status != 0 { format!("command terminated with exit code {}\n", ran.status) } else { String::new() };
                Some(ran)
            }
        }
    }

    /// Runs a command in a container as the kubelet's exec endpoint does,
    /// without a terminal (stdin empty): its stdout, stderr and exit status,
    /// or the runtime's error (the text kubectl shows after `error: `).
    pub fn exec_command(&mut self, mut req: ExecRequest) -> Result<(String, String, i32), String> {
        req.stdin = false;
        match self.exec_step(&req) {
            ExecStep::Done(ran) => Ok((ran.stdout, ran.stderr, ran.status)),
            ExecStep::Interactive => Ok((String::new(), String::new(), 0)),
            ExecStep::Failed(msg) => Err(msg.trim_end().trim_start_matches("error: ").to_string()),
        }
    }

    fn exec_step(&mut self, req: &ExecRequest) -> ExecStep {
        let program = req.command.first().cloned().unwrap_or_default();
        let base = program.rsplit('/').next().unwrap_or("").to_string();
        let is_shell = matches!(base.as_str(), "sh" | "bash" | "ash" | "dash");
        let script = req.command.iter().position(|a| a == "-c").and_then(|i| req.command.get(i + 1).cloned());
        if let Err(e) = self.push_context(req, if base == "bash" { "bash" } else { "sh" }) {
            return ExecStep::Failed(e);
        }
        let Some(c) = self.contexts.last() else { return ExecStep::Done(Ran::default()) };
        let known = c.tools.contains(&base.as_str()) || (program.starts_with('/') && c.tools.contains(&base.as_str()));
        if !known {
            let msg = self.exec_not_found(&program, c);
            self.pop_context();
            return ExecStep::Failed(msg);
        }
        if is_shell && script.is_none() {
            if req.stdin {
                // Interactive: the next lines run in the container.
                return ExecStep::Interactive;
            }
            // A shell reading an empty stdin exits at once.
            self.pop_context();
            return ExecStep::Done(Ran::default());
        }
        let ran = match script {
            Some(s) if is_shell => {
                let shown = self.execute_in_context(&s);
                Ran { stdout: shown.0, stderr: String::new(), status: shown.1, ..Default::default() }
            }
            _ => {
                if let Some(c) = self.contexts.last_mut() {
                    c.shell_running = false;
                }
                let simple = Simple { assignments: vec![], words: req.command.iter().map(|a| lit(a)).collect(), redirects: vec![] };
                let (ran, _) = self.run_simple(&simple, None);
                ran
            }
        };
        self.pop_context();
        ExecStep::Done(ran)
    }

    /// `sh -c SCRIPT` in the current context: (terminal text, status).
    fn execute_in_context(&mut self, script: &str) -> (String, i32) {
        let mut text = String::new();
        let mut status = 0;
        for (line, bodies) in crate::parse::split_script(script) {
            let list = match crate::parse::parse(&line, bodies) {
                Ok(l) => l,
                Err(e) => {
                    text.push_str(&format!("sh: {e}\n"));
                    return (text, 2);
                }
            };
            match self.run_list(list.into_iter().collect(), 0, false, &mut text) {
                crate::LineEnd::Done { status: s, exit } => {
                    status = s;
                    if exit {
                        break;
                    }
                }
                crate::LineEnd::Suspended => break,
            }
        }
        (text, status)
    }

    /// A command inside a container: the image's tools, the shell's
    /// builtins, or "not found" in the shell's words. None: the host
    /// shell's implementation serves (a builtin or a text tool the image has).
    pub(crate) fn container_command(&mut self, name: &str, args: &[String], stdin: &str) -> Option<Ran> {
        let c = self.contexts.last()?;
        let base = name.rsplit('/').next().unwrap_or(name);
        let has = BUILTINS.contains(&base) || c.tools.contains(&base);
        if !has {
            let msg = match (c.userland, c.shell.as_str()) {
                (_, "bash") => format!("bash: {name}: command not found\n"),
                (Userland::Debian | Userland::Ubuntu, _) => format!("sh: 1: {name}: not found\n"),
                _ => format!("sh: {name}: not found\n"),
            };
            return Some(Ran { stderr: msg, status: 127, ..Default::default() });
        }
        let client = Client {
            source: network::Source::Pod { namespace: c.req.namespace.clone(), name: c.req.pod.clone(), ip: c.pod_ip.clone(), node: c.req.node.clone() },
            namespace: Some(c.req.namespace.clone()),
            hostname: Some(c.hostname.clone()),
            curl_version: if c.userland == Userland::Alpine { "8.17.0" } else { "8.14.1" },
        };
        let shell_env = |c: &Context| -> Vec<(String, String)> {
            let mut env = c.env.clone();
            if !c.shell_running {
                return env;
            }
            env.push(("SHLVL".into(), "1".into()));
            env.push(("PWD".into(), "/".into()));
            if c.shell == "bash" {
                env.push(("_".into(), "/usr/bin/env".into()));
            }
            env
        };
        let ran = match base {
            "hostname" => Ran { stdout: format!("{}\n", c.hostname), ..Default::default() },
            "env" | "printenv" => {
                let env = shell_env(c);
                match args.first() {
                    Some(v) if base == "printenv" => match env.iter().find(|(k, _)| k == v) {
                        Some((_, val)) => Ran { stdout: format!("{val}\n"), ..Default::default() },
                        None => Ran { status: 1, ..Default::default() },
                    },
                    _ => Ran { stdout: env.iter().map(|(k, v)| format!("{k}={v}\n")).collect(), ..Default::default() },
                }
            }
            "export" => {
                for a in args {
                    if let Some((k, v)) = a.split_once('=') {
                        self.vars.insert(k.to_string(), v.to_string());
                        if let Some(c) = self.contexts.last_mut() {
                            match c.env.iter_mut().find(|(n, _)| n == k) {
                                Some(e) => e.1 = v.to_string(),
                                None => c.env.push((k.to_string(), v.to_string())),
                            }
                        }
                    }
                }
                Ran::default()
            }
            "curl" => {
                let (r, file) = net::curl(&mut self.world, &client, args);
                self.client_ran(r, file)
            }
            "wget" => {
                let (r, file) = net::wget(&mut self.world, &client, args);
                self.client_ran(r, file)
            }
            "ping" => {
                let r = net::ping(&mut self.world, &client, args, c.userland);
                self.client_ran(r, None)
            }
            "nslookup" => {
                let r = net::nslookup(&self.world, &client, args);
                Ran { stdout: r.stdout, stderr: r.stderr, status: r.status, ..Default::default() }
            }
            "whoami" => Ran { stdout: "root\n".into(), ..Default::default() },
            "id" => Ran { stdout: "uid=0(root) gid=0(root) groups=0(root)\n".into(), ..Default::default() },
            "uname" => Ran { stdout: "Linux\n".into(), ..Default::default() },
            "bash" | "sh" | "ash" | "dash" => {
                // A nested shell reads the same terminal: nothing changes here.
                let _ = stdin;
                Ran::default()
            }
            _ => return None,
        };
        Some(ran)
    }

    fn client_ran(&mut self, r: net::Ran, file: Option<(String, String)>) -> Ran {
        self.pending_delay_ms = r.delay_ms;
        let mut ran = Ran { stdout: r.stdout, stderr: r.stderr, status: r.status, ..Default::default() };
        if let Some((name, content)) = file {
            let p = normalize(&self.cwd, &name);
            if let Err(e) = self.fs.write(&p, content) {
                ran.stderr.push_str(&format!("{e}\n"));
                ran.status = 1;
            }
        }
        ran
    }
}
