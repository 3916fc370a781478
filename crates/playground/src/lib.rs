//! The playground: one learner's session over one simulated cluster, as
//! the browser shows it — terminal, editor files, time control, share
//! links, and plain-data views for the diagram. It does no I/O and knows
//! nothing of the DOM: the `web` crate is a thin shell over it, and tests
//! drive it natively.
//!
//! Time: the host calls [`Playground::tick`] with real elapsed time; the
//! playground turns it into simulated time (paused, 1×–60×) and lets a
//! running command (`sleep`, `kubectl get -w`, ...) take it. Everything the
//! learner does is logged with its simulated instant, so a share link
//! replays to exactly the same state.

pub mod complete;
pub mod lineedit;
pub mod locate;
pub mod scenario;
pub mod view;

use apimachinery::{SignedDuration, Timestamp};
use lineedit::{Action, LineEditor};
use scenario::{Entry, LinkError, Scenario};
use shell::Shell;
use std::collections::VecDeque;
use world::ClusterProfile;

/// Speeds the time control offers (simulated seconds per real second).
pub const SPEEDS: [u32; 5] = [1, 2, 5, 10, 60];
/// The longest real time one tick may cover (a background tab resumes
/// without a jump).
pub const MAX_TICK_MS: f64 = 1_000.0;
/// Bound on keystrokes buffered while a command runs.
pub const MAX_TYPEAHEAD: usize = 64 * 1024;

pub struct Playground {
    pub shell: Shell,
    scenario: Scenario,
    boot: Timestamp,
    editor: LineEditor,
    /// A command being typed over several lines (`\` or a heredoc).
    continued: Option<String>,
    /// Commands split from one submitted text, run one after another.
    queued: VecDeque<(String, Vec<String>)>,
    /// Keys typed while a command runs (a terminal's type-ahead).
    typeahead: String,
    cols: usize,
    paused: bool,
    speed: u32,
    /// Simulated milliseconds owed from fractions of ticks.
    carry_ms: f64,
}

impl Playground {
    /// A fresh cluster of the named profile.
    pub fn new(profile: &str, seed: u64) -> Result<Playground, LinkError> {
        let p = ClusterProfile::by_name(profile).ok_or_else(|| LinkError(format!("unknown cluster profile {profile:?}")))?;
        let shell = Shell::new(p, seed);
        let boot = shell.world.now();
        Ok(Playground {
            shell,
            scenario: Scenario::new(profile, seed),
            boot,
            editor: LineEditor::default(),
            continued: None,
            queued: VecDeque::new(),
            typeahead: String::new(),
            cols: 80,
            paused: false,
            speed: 1,
            carry_ms: 0.0,
        })
    }

    /// Rebuilds a session from a scenario (checked first; nothing is
    /// applied unless all of it is valid). Returns the terminal text the
    /// replay produced, as the learner saw it.
    pub fn replay(scenario: &Scenario) -> Result<(Playground, String), LinkError> {
        scenario.validate(|p| ClusterProfile::by_name(p).is_some())?;
        let mut pg = Playground::new(&scenario.profile, scenario.seed)?;
        let mut text = String::new();
        for e in &scenario.entries {
            text.push_str(&pg.advance_to(e.at_ns()));
            match e {
                Entry::Run { line, .. } => {
                    if pg.shell.busy() {
                        pg.interrupt_job();
                    }
                    // Over the prompt a finished command left.
                    text.push_str("\r\x1b[J");
                    text.push_str(&pg.prompt());
                    text.push_str(&line.replace('\n', "\n> "));
                    text.push('\n');
                    text.push_str(&pg.submit_text(line));
                }
                Entry::Interrupt { .. } => text.push_str(&pg.interrupt_job()),
                Entry::Write { path, content, .. } => pg.write_file(path, content),
            }
        }
        text.push_str(&pg.advance_to(scenario.end_ns));
        if !pg.shell.busy() {
            text.push_str(&pg.prompt());
        }
        Ok((pg, text))
    }

    /// Opens a share link's fragment.
    pub fn from_fragment(fragment: &str) -> Result<(Playground, String), LinkError> {
        let scenario = Scenario::from_fragment(fragment, |p| ClusterProfile::by_name(p).is_some())?;
        Playground::replay(&scenario)
    }

    /// The scenario so far, ending now.
    pub fn scenario(&self) -> Scenario {
        let mut s = self.scenario.clone();
        s.end_ns = self.elapsed_ns();
        s
    }

    pub fn share_fragment(&self) -> String {
        self.scenario().to_fragment()
    }

    /// Nanoseconds of simulated time since the cluster booted.
    pub fn elapsed_ns(&self) -> i64 {
        self.shell.world.now().duration_since(self.boot).as_nanos() as i64
    }

    pub fn now(&self) -> Timestamp {
        self.shell.world.now()
    }

    pub fn profile(&self) -> &str {
        &self.scenario.profile
    }

    pub fn seed(&self) -> u64 {
        self.scenario.seed
    }

    pub fn prompt(&self) -> String {
        self.shell.prompt()
    }

    /// What the terminal shows first.
    pub fn banner(&self) -> String {
        format!(
            "kubeplay: Kubernetes {} ({} profile, {} nodes). Try: kubectl get nodes\n{}",
            apimachinery::KUBERNETES_VERSION,
            self.scenario.profile,
            self.shell.world.node_names().count(),
            self.prompt()
        )
    }

    pub fn resize(&mut self, cols: usize) {
        self.cols = cols.clamp(10, 1000);
    }

    // ---- terminal --------------------------------------------------------

    /// Keys from the terminal (xterm.js `onData`); returns what to write
    /// back.
    pub fn input(&mut self, data: &str) -> String {
        if self.shell.busy() {
            // Ctrl+C reaches the running command; the rest waits its turn.
            let mut out = String::new();
            for (i, part) in data.split('\x03').enumerate() {
                if i > 0 && self.shell.busy() {
                    self.scenario.entries.push(Entry::Interrupt { at_ns: self.elapsed_ns() });
                    out.push_str(&self.interrupt_job());
                    self.queued.clear();
                    out.push_str(&self.prompt());
                } else if i > 0 {
                    out.push_str(&self.keys("\x03"));
                }
                if self.shell.busy() {
                    if self.typeahead.len() + part.len() <= MAX_TYPEAHEAD {
                        self.typeahead.push_str(part);
                    }
                } else {
                    out.push_str(&self.keys(part));
                }
            }
            return out;
        }
        self.keys(data)
    }

    fn current_prompt(&self) -> String {
        if self.continued.is_some() { "> ".to_string() } else { self.prompt() }
    }

    fn keys(&mut self, data: &str) -> String {
        let mut out = String::new();
        let mut rest = data.to_string();
        while !rest.is_empty() {
            // Feed up to the first Enter, act, then go on with the rest:
            // a command that starts a job makes the rest type-ahead.
            let cut = rest.find(['\r', '\n']).map_or(rest.len(), |i| if rest[i..].starts_with("\r\n") { i + 2 } else { i + 1 });
            let chunk: String = rest.drain(..cut).collect();
            let actions = self.editor.feed(&chunk, &self.shell.history);
            let mut redraw = true;
            for a in actions {
                match a {
                    Action::Submit(line) => {
                        out.push_str("\n");
                        out.push_str(&self.submit_line(line));
                        redraw = false;
                    }
                    Action::Interrupt => {
                        self.continued = None;
                        out.push_str("^C\n");
                        out.push_str(&self.prompt());
                        redraw = false;
                    }
                    Action::ClearScreen => {
                        // The prompt is now on the top row: nothing to move up.
                        out.push_str("\x1b[H\x1b[2J");
                        self.editor.reset_rows();
                    }
                    Action::Complete { again } => out.push_str(&self.complete(again)),
                    Action::EndOfInput => {}
                }
            }
            if redraw && !self.shell.busy() {
                let prompt = self.current_prompt();
                out.push_str(&self.editor.redraw(&prompt, self.cols));
            }
            if self.shell.busy() && !rest.is_empty() {
                self.typeahead.push_str(&rest);
                break;
            }
        }
        out
    }

    /// Enter on a line: more input needed (`\`, heredoc), or run it.
    fn submit_line(&mut self, line: String) -> String {
        let text = match self.continued.take() {
            Some(mut t) => {
                t.push('\n');
                t.push_str(&line);
                t
            }
            None => line,
        };
        if shell::parse::needs_more_input(&text) && text.len() < lineedit::MAX_LINE_CHARS {
            self.continued = Some(text);
            return "> ".to_string();
        }
        if text.trim().is_empty() {
            return self.prompt();
        }
        self.scenario.entries.push(Entry::Run { at_ns: self.elapsed_ns(), line: text.clone() });
        let mut out = self.submit_text(&text);
        if !self.shell.busy() {
            out.push_str(&self.prompt());
        }
        out
    }

    /// Runs a submitted text (maybe several commands): each in turn, the
    /// rest queued while one waits.
    fn submit_text(&mut self, text: &str) -> String {
        self.queued.extend(shell::parse::split_script(text).into_iter().filter(|(l, _)| !l.trim().is_empty()));
        self.run_queued()
    }

    fn run_queued(&mut self) -> String {
        let mut out = String::new();
        while !self.shell.busy() {
            let Some((line, bodies)) = self.queued.pop_front() else { break };
            let p = self.shell.start(&line, bodies);
            out.push_str(&p.text);
            if let Some((_, true)) = p.ended {
                out.push_str("logout\n");
            }
        }
        out
    }

    fn interrupt_job(&mut self) -> String {
        self.queued.clear();
        self.shell.interrupt().map(|s| s.text).unwrap_or_default()
    }

    fn complete(&mut self, again: bool) -> String {
        let before = self.editor.before_cursor();
        let c = complete::complete(&before, &self.shell);
        let prompt = self.current_prompt();
        match c.candidates.len() {
            0 => "\x07".to_string(),
            1 => {
                let full = &c.candidates[0];
                let mut add = full[c.word.len()..].to_string();
                if !full.ends_with('/') && !full.ends_with('=') {
                    add.push(' ');
                }
                self.editor.insert(&add);
                self.editor.redraw(&prompt, self.cols)
            }
            _ => {
                let common = complete::common_prefix(&c.candidates);
                if common.len() > c.word.len() {
                    self.editor.insert(&common[c.word.len()..]);
                    return self.editor.redraw(&prompt, self.cols);
                }
                if !again {
                    return "\x07".to_string();
                }
                let mut out = String::from("\n");
                out.push_str(&columns(&c.candidates, self.cols));
                self.editor.reset_rows();
                out.push_str(&self.editor.redraw(&prompt, self.cols));
                out
            }
        }
    }

    /// Runs a command as if typed (the editor's Apply button); returns the
    /// terminal text, echo included.
    pub fn run_command(&mut self, line: &str) -> String {
        let mut out = String::new();
        if self.shell.busy() {
            self.scenario.entries.push(Entry::Interrupt { at_ns: self.elapsed_ns() });
            out.push_str(&self.interrupt_job());
            out.push_str(&self.prompt());
        }
        // Whatever was half-typed is dropped, as Ctrl+C would.
        self.editor.reset();
        self.continued = None;
        out.push_str("\r\x1b[J");
        out.push_str(&self.prompt());
        out.push_str(line);
        out.push('\n');
        out.push_str(&self.submit_line(line.to_string()));
        out
    }

    // ---- time ------------------------------------------------------------

    pub fn paused(&self) -> bool {
        self.paused
    }

    pub fn set_paused(&mut self, paused: bool) {
        self.paused = paused;
        self.carry_ms = 0.0;
    }

    pub fn speed(&self) -> u32 {
        self.speed
    }

    pub fn set_speed(&mut self, speed: u32) {
        if SPEEDS.contains(&speed) {
            self.speed = speed;
        }
    }

    /// Real time passed in the browser: simulated time follows at the
    /// chosen speed unless paused. Returns terminal text.
    pub fn tick(&mut self, real_ms: f64) -> String {
        if self.paused || !real_ms.is_finite() || real_ms <= 0.0 {
            return String::new();
        }
        self.carry_ms += real_ms.min(MAX_TICK_MS) * self.speed as f64;
        let whole = self.carry_ms.floor();
        self.carry_ms -= whole;
        self.pass(whole as i64 * 1_000_000)
    }

    /// Fast-forward: `ms` of simulated time at once (paused or not).
    pub fn fast_forward(&mut self, ms: i64) -> String {
        self.pass(ms.clamp(0, scenario::MAX_SPAN_NS / 1_000_000) * 1_000_000)
    }

    /// Runs to the next thing the cluster has scheduled (a timer, a
    /// retry, a probe) — the "step" button.
    pub fn step(&mut self) -> String {
        let now = self.shell.world.now();
        let next = self.shell.world.next_wake().unwrap_or(now);
        let ns = next.duration_since(now).as_nanos().max(1) as i64;
        self.pass(ns)
    }

    fn pass(&mut self, ns: i64) -> String {
        if ns <= 0 {
            return String::new();
        }
        let target = (self.elapsed_ns() + ns).min(scenario::MAX_SPAN_NS);
        self.advance_to(target)
    }

    /// Lets simulated time run to `at_ns` after boot; a command that ends
    /// on the way prints its prompt, then what was queued or typed ahead
    /// starts at that very instant.
    fn advance_to(&mut self, at_ns: i64) -> String {
        let mut out = String::new();
        loop {
            let now = self.elapsed_ns();
            if now >= at_ns {
                break;
            }
            let was_busy = self.shell.busy();
            let p = self.shell.run_for(SignedDuration::from_nanos(at_ns - now));
            out.push_str(&p.text);
            if let Some((_, exit)) = p.ended {
                if exit {
                    out.push_str("logout\n");
                }
            }
            if was_busy && !self.shell.busy() {
                out.push_str(&self.run_queued());
                if !self.shell.busy() {
                    out.push_str(&self.prompt());
                    let keys = std::mem::take(&mut self.typeahead);
                    if !keys.is_empty() {
                        out.push_str(&self.keys(&keys));
                    }
                }
            }
        }
        out
    }

    // ---- files -----------------------------------------------------------

    /// Saves an editor tab into the shell's filesystem (logged).
    pub fn write_file(&mut self, path: &str, content: &str) {
        let path = shell::vfs::normalize(&self.shell.cwd, path);
        if self.shell.fs.read(&path).map(String::as_str) == Some(content) {
            return;
        }
        if self.shell.fs.write(&path, content.to_string()).is_ok() {
            self.scenario.entries.push(Entry::Write { at_ns: self.elapsed_ns(), path, content: content.to_string() });
        }
    }

    pub fn read_file(&self, path: &str) -> Option<String> {
        self.shell.fs.read(&shell::vfs::normalize(&self.shell.cwd, path)).cloned()
    }

    /// Files in the home directory (the editor's tabs).
    pub fn home_files(&self) -> Vec<String> {
        self.shell.fs.list("/root").unwrap_or_default().into_iter().filter(|p| !self.shell.fs.is_dir(p)).collect()
    }

    // ---- views -----------------------------------------------------------

    pub fn revision(&self) -> u64 {
        self.shell.world.api().store().revision()
    }

    pub fn state_hash(&self) -> u64 {
        self.shell.world.state_hash()
    }

    /// The clock as the status bar shows it (UTC).
    pub fn clock_text(&self) -> String {
        self.now().strftime("%Y-%m-%d %H:%M:%S").to_string()
    }

    /// `kubectl describe KIND NAME -n NS` output.
    pub fn describe(&mut self, kind: &str, namespace: &str, name: &str) -> String {
        self.kubectl_text(&["describe", kind, name, "-n", namespace])
    }

    /// `kubectl get KIND NAME -n NS -o yaml` output.
    pub fn yaml(&mut self, kind: &str, namespace: &str, name: &str) -> String {
        self.kubectl_text(&["get", kind, name, "-n", namespace, "-o", "yaml"])
    }

    /// Read-only kubectl for the object panel (not logged: it changes
    /// nothing and consumes no randomness).
    fn kubectl_text(&mut self, argv: &[&str]) -> String {
        let argv: Vec<String> = argv.iter().map(|s| s.to_string()).collect();
        let Shell { world, kubeconfig, .. } = &mut self.shell;
        let mut ctx = kubectl::Ctx { world, config: kubeconfig, files: &kubectl::NoFiles, stdin: None };
        match kubectl::run(&mut ctx, &argv) {
            kubectl::Outcome::Done(o) | kubectl::Outcome::Waiting(o, _) => o.stdout + &o.stderr,
        }
    }
}

/// Candidates laid out in columns, as bash lists completions.
fn columns(items: &[String], cols: usize) -> String {
    let w = items.iter().map(|s| lineedit::display_width(s)).max().unwrap_or(0) + 2;
    let per_row = (cols / w.max(1)).max(1);
    let mut out = String::new();
    for (i, it) in items.iter().enumerate() {
        out.push_str(it);
        if (i + 1) % per_row == 0 || i + 1 == items.len() {
            out.push('\n');
        } else {
            out.push_str(&" ".repeat(w - lineedit::display_width(it)));
        }
    }
    out
}

#[cfg(test)]
mod tests;
