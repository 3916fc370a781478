//! `kubeplay`: the simulated cluster in a terminal.
//!
//! ```text
//! kubeplay [--seed N] [--profile kubeadm|minikube|docker-desktop] [--echo] [--hash] [SCRIPT]
//! ```
//! With a terminal on stdin and no SCRIPT: an interactive shell, where the
//! cluster's clock follows the wall clock between commands. Otherwise the
//! script (SCRIPT, or stdin) runs with simulated time only — `sleep` and the
//! commands that wait let it pass — and the output is what a terminal
//! would show. `--echo` prints each command after a `$ ` prompt first;
//! `--hash` prints the full-state hash at the end.
//!
//! ```text
//! kubeplay serve [--port N] [--seed N] [--profile NAME] [--kubeconfig PATH] [--frozen-clock] [--log-requests]
//! ```
//! Serves the cluster's REST API on http://127.0.0.1:PORT (loopback only,
//! plain HTTP, no authentication) for real kubectl and client libraries;
//! `--kubeconfig` writes a kubeconfig pointing at it.
//!
//! ```text
//! kubeplay play [--port N] [--dir DIR]
//! ```
//! Serves the browser playground built into `static/` (scripts/build-web.sh).
//!
//! ```text
//! kubeplay replay LINK [--hash]
//! ```
//! Replays a share link natively: the terminal text, and the state hash.
//!
//! `kubeplay fields` prints the served kinds' field trees as JSON (the
//! editor's completion data).

use apimachinery::SignedDuration;
use shell::Shell;
use std::io::{BufRead, IsTerminal, Read, Write};
use world::ClusterProfile;

struct Options {
    seed: u64,
    profile: String,
    echo: bool,
    hash: bool,
    script: Option<String>,
}

fn usage() -> String {
    format!(
        "usage: kubeplay [--seed N] [--profile {}] [--echo] [--hash] [SCRIPT]\n",
        ClusterProfile::names().join("|")
    )
}

fn parse_options() -> Result<Options, String> {
    let mut o = Options { seed: 1, profile: "kubeadm".into(), echo: false, hash: false, script: None };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        let mut value = |name: &str| inline.clone().or_else(|| args.next()).ok_or_else(|| format!("kubeplay: {name} needs a value\n{}", usage()));
        match flag.as_str() {
            "--seed" => o.seed = value("--seed")?.parse().map_err(|_| format!("kubeplay: --seed takes a number\n{}", usage()))?,
            "--profile" => o.profile = value("--profile")?,
            "--echo" => o.echo = true,
            "--hash" => o.hash = true,
            "-h" | "--help" => return Err(usage()),
            s if s.starts_with('-') => return Err(format!("kubeplay: unknown option {s}\n{}", usage())),
            _ => o.script = Some(a),
        }
    }
    Ok(o)
}

fn serve_usage() -> String {
    format!(
        "usage: kubeplay serve [--port N] [--seed N] [--profile {}] [--kubeconfig PATH] [--frozen-clock] [--log-requests]\n",
        ClusterProfile::names().join("|")
    )
}

/// `kubeplay serve`: the REST API over HTTP on loopback.
fn serve(argv: Vec<String>) -> i32 {
    let mut port: u16 = 6443;
    let mut seed: u64 = 1;
    let mut profile_name = "kubeadm".to_string();
    let mut kubeconfig_path: Option<String> = None;
    let mut clock = server::Clock::Wall;
    let mut log_requests = false;
    let mut args = argv.into_iter();
    while let Some(a) = args.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        let mut value = |name: &str| inline.clone().or_else(|| args.next()).ok_or_else(|| format!("kubeplay serve: {name} needs a value\n{}", serve_usage()));
        let parsed: Result<(), String> = (|| {
            match flag.as_str() {
                "--port" => port = value("--port")?.parse().map_err(|_| format!("kubeplay serve: --port takes a number\n{}", serve_usage()))?,
                "--seed" => seed = value("--seed")?.parse().map_err(|_| format!("kubeplay serve: --seed takes a number\n{}", serve_usage()))?,
                "--profile" => profile_name = value("--profile")?,
                "--kubeconfig" => kubeconfig_path = Some(value("--kubeconfig")?),
                "--frozen-clock" => clock = server::Clock::Frozen,
                "--log-requests" => log_requests = true,
                "-h" | "--help" => return Err(serve_usage()),
                other => return Err(format!("kubeplay serve: unknown argument {other}\n{}", serve_usage())),
            }
            Ok(())
        })();
        if let Err(e) = parsed {
            eprint!("{e}");
            return 2;
        }
    }
    let Some(profile) = ClusterProfile::by_name(&profile_name) else {
        eprintln!("kubeplay: unknown profile {profile_name:?} (profiles: {})", ClusterProfile::names().join(", "));
        return 2;
    };
    let running = match server::start(server::Config { port, seed, profile: profile.clone(), clock, log_requests }) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("kubeplay serve: cannot listen on 127.0.0.1:{port}: {e}");
            return 1;
        }
    };
    if let Some(path) = &kubeconfig_path
        && let Err(e) = std::fs::write(path, server::kubeconfig(&profile, running.port))
    {
        eprintln!("kubeplay serve: writing {path}: {e}");
        return 1;
    }
    println!("{}", running.url());
    if let Some(path) = &kubeconfig_path {
        println!("kubeconfig written to {path} (export KUBECONFIG={path})");
    }
    let _ = std::io::stdout().flush();
    running.wait();
    0
}

/// `kubeplay play`: serves the browser playground from `static/`.
fn play(argv: Vec<String>) -> i32 {
    let usage = "usage: kubeplay play [--port N] [--dir DIR]\n";
    let mut port: u16 = 8080;
    let mut dir = std::path::PathBuf::from("static");
    let mut args = argv.into_iter();
    while let Some(a) = args.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) => (f.to_string(), Some(v.to_string())),
            None => (a.clone(), None),
        };
        let value = inline.or_else(|| if flag.starts_with("--") && flag != "--help" { args.next() } else { None });
        match (flag.as_str(), value) {
            ("--port", Some(v)) => match v.parse() {
                Ok(p) => port = p,
                Err(_) => {
                    eprint!("kubeplay play: --port takes a number\n{usage}");
                    return 2;
                }
            },
            ("--dir", Some(v)) => dir = v.into(),
            _ => {
                eprint!("{usage}");
                return 2;
            }
        }
    }
    if !dir.join("pkg/web_bg.wasm").is_file() {
        eprintln!("kubeplay play: {} has no built playground: run bash scripts/build-web.sh first", dir.display());
        return 1;
    }
    let shown = dir.display().to_string();
    let result = server::statics::serve(&dir, port, |port| {
        println!("kubeplay playground: http://127.0.0.1:{port}/  (serving {shown}; Ctrl+C stops)");
        let _ = std::io::stdout().flush();
    });
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("kubeplay play: cannot listen on 127.0.0.1:{port}: {e}");
            1
        }
    }
}

/// `kubeplay replay LINK [--hash]`: replays a share link (its fragment or
/// the whole URL) natively and prints what the terminal showed; `--hash`
/// adds the full-state hash, the same the browser computes.
fn replay(argv: Vec<String>) -> i32 {
    let hash = argv.iter().any(|a| a == "--hash");
    let links: Vec<&String> = argv.iter().filter(|a| !a.starts_with("--")).collect();
    let [link] = links.as_slice() else {
        eprintln!("usage: kubeplay replay LINK [--hash]");
        return 2;
    };
    let fragment = link.split_once('#').map_or(link.as_str(), |(_, f)| f);
    match playground::Playground::from_fragment(fragment) {
        Ok((pg, text)) => {
            print!("{text}");
            if hash {
                println!("\nstate-hash: {:016x}", pg.state_hash());
            }
            0
        }
        Err(e) => {
            eprintln!("kubeplay replay: {e}");
            1
        }
    }
}

fn main() {
    let mut argv = std::env::args().skip(1).peekable();
    if argv.peek().map(String::as_str) == Some("fields") {
        // The editor's completion data (scripts/build-web.sh writes it to static/dist).
        println!("{}", apimachinery::fields::field_trees());
        return;
    }
    if argv.peek().map(String::as_str) == Some("replay") {
        let rest: Vec<String> = argv.skip(1).collect();
        std::process::exit(replay(rest));
    }
    if argv.peek().map(String::as_str) == Some("play") {
        let rest: Vec<String> = argv.skip(1).collect();
        std::process::exit(play(rest));
    }
    if argv.peek().map(String::as_str) == Some("serve") {
        let rest: Vec<String> = argv.skip(1).collect();
        std::process::exit(serve(rest));
    }
    let opts = match parse_options() {
        Ok(o) => o,
        Err(e) => {
            eprint!("{e}");
            std::process::exit(2);
        }
    };
    let Some(profile) = ClusterProfile::by_name(&opts.profile) else {
        eprintln!("kubeplay: unknown profile {:?} (profiles: {})", opts.profile, ClusterProfile::names().join(", "));
        std::process::exit(2);
    };
    let mut sh = Shell::new(profile, opts.seed);
    let interactive = opts.script.is_none() && std::io::stdin().is_terminal();
    if interactive {
        run_interactive(&mut sh);
        return;
    }
    let text = match &opts.script {
        Some(path) => std::fs::read_to_string(path).unwrap_or_else(|e| {
            eprintln!("kubeplay: {path}: {e}");
            std::process::exit(2);
        }),
        None => {
            let mut s = String::new();
            if let Err(e) = std::io::stdin().read_to_string(&mut s) {
                eprintln!("kubeplay: reading stdin: {e}");
                std::process::exit(2);
            }
            s
        }
    };
    let mut status = 0;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for (line, shown) in sh.run_script(&text) {
        if opts.echo {
            let _ = writeln!(out, "$ {line}");
        }
        let _ = out.write_all(shown.text.as_bytes());
        status = shown.status;
        if shown.exit {
            break;
        }
    }
    if opts.hash {
        let _ = writeln!(out, "state-hash: {:016x}", sh.world.state_hash());
    }
    std::process::exit(status);
}

/// The interactive shell: the world's clock follows the wall clock between
/// commands (the only place kubeplay reads it), so pods start while you type.
fn run_interactive(sh: &mut Shell) {
    println!("kubeplay: Kubernetes {} ({} profile). Type 'exit' to leave.", apimachinery::KUBERNETES_VERSION, sh.world.profile.name);
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    #[allow(clippy::disallowed_methods)] // the interactive shell maps wall time to simulated time
    let mut last = std::time::Instant::now();
    loop {
        print!("{}", sh.prompt());
        let _ = std::io::stdout().flush();
        let Some(Ok(first)) = lines.next() else { break };
        // Read on while the command is incomplete (heredoc, quote, backslash).
        let mut text = first;
        loop {
            if !shell::parse::needs_more_input(&text) {
                break;
            }
            print!("> ");
            let _ = std::io::stdout().flush();
            match lines.next() {
                Some(Ok(more)) => {
                    text.push('\n');
                    text.push_str(&more);
                }
                _ => break,
            }
        }
        #[allow(clippy::disallowed_methods)]
        let now = std::time::Instant::now();
        let elapsed = now.duration_since(last).min(std::time::Duration::from_secs(600));
        sh.world.advance(SignedDuration::from_millis(elapsed.as_millis() as i64));
        for (_, shown) in sh.run_script(&text) {
            print!("{}", shown.text);
            if shown.exit {
                return;
            }
        }
        #[allow(clippy::disallowed_methods)]
        {
            last = std::time::Instant::now();
        }
    }
}
