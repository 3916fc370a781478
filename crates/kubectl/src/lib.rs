//! kubectl, in process. The same code serves the native CLI and the
//! browser terminal: it parses a command line, talks to the API server of
//! the world (as kubectl talks REST to kube-apiserver), and prints exactly
//! what kubectl v1.37 prints — stdout, stderr and exit code.
//!
//! Where kubectl computes something client-side (describe, apply patches,
//! rollout, table layout, error texts) this crate does it the same way;
//! what the server computes (table cells, Status messages) comes from the
//! `apiserver` crate, never from a second copy here.

pub mod args;
pub mod builder;
pub mod config;
pub mod describe;
pub mod errors;
pub mod exec;
pub mod get;
pub mod info;
pub mod jsonpath;
pub mod logs;
pub mod mutate;
pub mod rollout;
pub mod tabwriter;
pub mod wait;
pub mod waiting;

use apimachinery::Kind;
use args::Args;
use errors::CmdError;
use world::World;

/// Where `-f` files come from: the shell's virtual filesystem.
pub trait Files {
    /// The file's text, or `None` if there is no such file.
    fn read(&self, path: &str) -> Option<String>;
    /// The entries of a directory (full paths), or `None` if it is not one.
    fn list_dir(&self, path: &str) -> Option<Vec<String>>;
}

/// No files at all (tests, `-f -` only).
pub struct NoFiles;
impl Files for NoFiles {
    fn read(&self, _: &str) -> Option<String> {
        None
    }
    fn list_dir(&self, _: &str) -> Option<Vec<String>> {
        None
    }
}

/// What a command printed and how it ended.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Output {
    pub fn out(&mut self, s: &str) {
        self.stdout.push_str(s);
    }
    pub fn outln(&mut self, s: &str) {
        self.stdout.push_str(s);
        self.stdout.push('\n');
    }
    pub fn errln(&mut self, s: &str) {
        self.stderr.push_str(s);
        self.stderr.push('\n');
    }
    /// Prints an error the way kubectl's checkErr does and sets exit code 1.
    pub fn fail(&mut self, e: &CmdError) {
        self.stderr.push_str(&e.render());
        self.code = 1;
    }
}

pub use get::WatchStream;
pub use waiting::Waiting;

/// The result of a command: done, or still running while the cluster works
/// (what it printed so far, and the command to keep polling).
pub enum Outcome {
    Done(Output),
    Waiting(Output, Box<dyn Waiting>),
}

impl Outcome {
    pub fn output(&self) -> &Output {
        match self {
            Outcome::Done(o) | Outcome::Waiting(o, _) => o,
        }
    }
}

/// Everything a kubectl invocation can touch.
pub struct Ctx<'a> {
    pub world: &'a mut World,
    pub config: &'a mut config::KubeConfig,
    pub files: &'a dyn Files,
    /// Standard input (for `-f -`), if any.
    pub stdin: Option<&'a str>,
}

impl Ctx<'_> {
    /// The namespace a command works in: `-n`, else the context's.
    pub fn namespace(&self, args: &Args) -> String {
        args.get("namespace").map(str::to_string).unwrap_or_else(|| self.config.namespace())
    }
}

/// Runs `kubectl <argv...>` (argv without the leading `kubectl`).
pub fn run(ctx: &mut Ctx, argv: &[String]) -> Outcome {
    let mut out = Output::default();
    // `logs -f` is --follow, not --filename (each verb owns its flags in cobra).
    let logs_argv;
    let argv = if argv.iter().find(|a| !a.starts_with('-')).map(String::as_str) == Some("logs") {
        logs_argv = logs::follow_shorthand(argv);
        &logs_argv[..]
    } else {
        argv
    };
    let args = match Args::parse(argv) {
        Ok(a) => a,
        Err(e) => {
            let cmd = verb_path(argv);
            out.errln(&format!("error: {e}"));
            out.errln(&format!("See '{cmd} --help' for usage."));
            out.code = 1;
            return Outcome::Done(out);
        }
    };
    let Some(verb) = args.positional.first().cloned() else {
        out.out(info::HELP);
        return Outcome::Done(out);
    };
    let rest: Vec<String> = args.positional[1..].to_vec();
    let done = |r: Result<(), CmdError>| r.map(|_| None);
    let result: Result<Option<Box<dyn Waiting>>, CmdError> = match verb.as_str() {
        "get" => return get::run(ctx, &args, &rest, out),
        "describe" => done(describe::run(ctx, &args, &rest, &mut out)),
        "create" => done(mutate::create(ctx, &args, &rest, &mut out)),
        "apply" => done(mutate::apply(ctx, &args, &rest, &mut out)),
        "replace" => done(mutate::replace(ctx, &args, &rest, &mut out)),
        "delete" => mutate::delete(ctx, &args, &rest, &mut out),
        "run" => done(mutate::run_pod(ctx, &args, &rest, &mut out)),
        "scale" => done(mutate::scale(ctx, &args, &rest, &mut out)),
        "set" => done(mutate::set(ctx, &args, &rest, &mut out)),
        "label" => done(mutate::label(ctx, &args, &rest, &mut out, false)),
        "annotate" => done(mutate::label(ctx, &args, &rest, &mut out, true)),
        "expose" => done(mutate::expose(ctx, &args, &rest, &mut out)),
        "cordon" => done(mutate::cordon(ctx, &args, &rest, &mut out, true)),
        "uncordon" => done(mutate::cordon(ctx, &args, &rest, &mut out, false)),
        "rollout" => rollout::run(ctx, &args, &rest, &mut out),
        "wait" => wait::run(ctx, &args, &rest, &mut out),
        "logs" => logs::run(ctx, &args, &rest, &mut out),
        "exec" => exec::run(ctx, &args, &rest, &mut out),
        "api-resources" => done(info::api_resources(ctx, &args, &mut out)),
        "version" => done(info::version(ctx, &args, &mut out)),
        "cluster-info" => done(info::cluster_info(ctx, &args, &mut out)),
        "config" => done(config::run(ctx, &args, &rest, &mut out)),
        other => Err(CmdError::UnknownCommand(other.to_string())),
    };
    for w in ctx.world.api_mut().take_warnings() {
        out.stderr.insert_str(0, &format!("Warning: {w}\n"));
    }
    match result {
        Ok(None) => Outcome::Done(out),
        Ok(Some(waiting)) => Outcome::Waiting(out, waiting),
        Err(e) => {
            out.fail(&e);
            Outcome::Done(out)
        }
    }
}

/// `kubectl get` for usage hints.
fn verb_path(argv: &[String]) -> String {
    match argv.iter().find(|a| !a.starts_with('-')) {
        Some(v) => format!("kubectl {v}"),
        None => "kubectl".to_string(),
    }
}

/// `pod/nginx`, `deployment.apps/web`: how kubectl names an object in output.
pub fn object_ref(kind: Kind, name: &str) -> String {
    format!("{}/{}", kind.info().qualified_singular(), name)
}

/// Convenience for callers with a whole command line in one string.
pub fn run_line(ctx: &mut Ctx, line: &str) -> Outcome {
    let argv: Vec<String> = line.split_whitespace().map(str::to_string).collect();
    let argv = if argv.first().map(String::as_str) == Some("kubectl") { argv[1..].to_vec() } else { argv };
    run(ctx, &argv)
}
