//! Command-line parsing the way cobra/pflag does it for kubectl: flags may
//! appear anywhere, `--flag=value`, `--flag value`, `-n value`, `-nvalue`,
//! `--` ends flags, boolean flags take an optional `=true|false`.

use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Takes {
    Value,
    Bool,
}

/// (long, short, takes). One table for all verbs: kubectl's flags do not
/// conflict in meaning except `-l` (selector; `run --labels`), `-c`
/// (container) and `-i`/`-t`, which every verb reads the same way here.
const FLAGS: &[(&str, Option<char>, Takes)] = &[
    ("namespace", Some('n'), Takes::Value),
    ("all-namespaces", Some('A'), Takes::Bool),
    ("output", Some('o'), Takes::Value),
    ("selector", Some('l'), Takes::Value),
    ("field-selector", None, Takes::Value),
    ("watch", Some('w'), Takes::Bool),
    ("watch-only", None, Takes::Bool),
    ("output-watch-events", None, Takes::Bool),
    ("label-columns", Some('L'), Takes::Value),
    ("show-labels", None, Takes::Bool),
    ("show-kind", None, Takes::Bool),
    ("no-headers", None, Takes::Bool),
    ("filename", Some('f'), Takes::Value),
    ("recursive", Some('R'), Takes::Bool),
    ("dry-run", None, Takes::Value),
    ("grace-period", None, Takes::Value),
    ("force", None, Takes::Bool),
    ("now", None, Takes::Bool),
    ("wait", None, Takes::Bool),
    ("all", None, Takes::Bool),
    ("cascade", None, Takes::Value),
    ("ignore-not-found", None, Takes::Bool),
    ("replicas", None, Takes::Value),
    ("current-replicas", None, Takes::Value),
    ("image", None, Takes::Value),
    ("port", None, Takes::Value),
    ("target-port", None, Takes::Value),
    ("protocol", None, Takes::Value),
    ("type", None, Takes::Value),
    ("name", None, Takes::Value),
    ("labels", None, Takes::Value),
    ("restart", None, Takes::Value),
    ("env", None, Takes::Value),
    ("command", None, Takes::Bool),
    ("overwrite", None, Takes::Bool),
    ("record", None, Takes::Bool),
    ("save-config", None, Takes::Bool),
    ("validate", None, Takes::Value),
    ("to-revision", None, Takes::Value),
    ("revision", None, Takes::Value),
    ("timeout", None, Takes::Value),
    ("request-timeout", None, Takes::Value),
    ("current", None, Takes::Bool),
    ("client", None, Takes::Bool),
    ("cluster", None, Takes::Value),
    ("user", None, Takes::Value),
    ("context", None, Takes::Value),
    ("kubeconfig", None, Takes::Value),
    ("raw", None, Takes::Bool),
    ("minify", None, Takes::Bool),
    ("flatten", None, Takes::Bool),
    ("namespaced", None, Takes::Bool),
    ("api-group", None, Takes::Value),
    ("sort-by", None, Takes::Value),
    ("container", Some('c'), Takes::Value),
    ("stdin", Some('i'), Takes::Bool),
    ("tty", Some('t'), Takes::Bool),
    ("quiet", Some('q'), Takes::Bool),
    ("rm", None, Takes::Bool),
    ("tcp", None, Takes::Value),
    ("from-literal", None, Takes::Value),
    ("from-file", None, Takes::Value),
    ("clusterip", None, Takes::Value),
    ("external-name", None, Takes::Value),
    ("schedule", None, Takes::Value),
    ("hard", None, Takes::Value),
    ("min-available", None, Takes::Value),
    ("max-unavailable", None, Takes::Value),
    ("value", None, Takes::Value),
    ("rule", None, Takes::Value),
    ("verb", None, Takes::Value),
    ("resource", None, Takes::Value),
    ("role", None, Takes::Value),
    ("clusterrole", None, Takes::Value),
    ("group", None, Takes::Value),
    ("serviceaccount", None, Takes::Value),
    ("node-port", None, Takes::Value),
    ("external-ip", None, Takes::Value),
    ("cluster-ip", None, Takes::Value),
    ("session-affinity", None, Takes::Value),
    ("for", None, Takes::Value),
    ("local", None, Takes::Bool),
    ("field-manager", None, Takes::Value),
    ("show-managed-fields", None, Takes::Bool),
    ("server", Some('s'), Takes::Value),
    ("help", Some('h'), Takes::Bool),
    ("ignore-daemonsets", None, Takes::Bool),
    ("delete-emptydir-data", None, Takes::Bool),
    ("tail", None, Takes::Value),
    ("follow", None, Takes::Bool),
    ("previous", Some('p'), Takes::Bool),
    ("generator", None, Takes::Value),
    ("show-events", None, Takes::Bool),
    ("chunk-size", None, Takes::Value),
    ("v", Some('v'), Takes::Value),
    ("rule", None, Takes::Value),
    ("class", None, Takes::Value),
    ("default-backend", None, Takes::Value),
    ("annotation", None, Takes::Value),
];

/// What was typed: positional arguments and flag values (last one wins for
/// scalars; repeated flags such as `-f a -f b` keep all).
#[derive(Clone, Debug, Default)]
pub struct Args {
    pub positional: Vec<String>,
    flags: BTreeMap<&'static str, Vec<String>>,
    /// Arguments after `--` (for `exec`, `run ... -- cmd`).
    pub after_dash: Option<Vec<String>>,
}

impl Args {
    pub fn parse(argv: &[String]) -> Result<Args, String> {
        let mut a = Args::default();
        let mut i = 0;
        while i < argv.len() {
            let arg = &argv[i];
            if arg == "--" {
                a.after_dash = Some(argv[i + 1..].to_vec());
                break;
            }
            if let Some(body) = arg.strip_prefix("--") {
                let (name, inline) = match body.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_string())),
                    None => (body, None),
                };
                let Some(&(long, _, takes)) = FLAGS.iter().find(|f| f.0 == name) else {
                    return Err(format!("unknown flag: --{name}"));
                };
                let value = match (takes, inline) {
                    (_, Some(v)) => v,
                    (Takes::Bool, None) => "true".to_string(),
                    (Takes::Value, None) => {
                        i += 1;
                        match argv.get(i) {
                            Some(v) => v.clone(),
                            None => return Err(format!("flag needs an argument: --{long}")),
                        }
                    }
                };
                a.flags.entry(long).or_default().push(value);
            } else if arg.len() > 1 && arg.starts_with('-') && !is_negative_number(arg) {
                // Short flags, possibly combined (`-it`) or with a value (`-nkube-system`).
                let chars: Vec<char> = arg[1..].chars().collect();
                let mut j = 0;
                while j < chars.len() {
                    let c = chars[j];
                    let Some(&(long, _, takes)) = FLAGS.iter().find(|f| f.1 == Some(c)) else {
                        return Err(format!("unknown shorthand flag: '{c}' in {arg}"));
                    };
                    match takes {
                        Takes::Bool => {
                            let mut value = "true".to_string();
                            if chars.get(j + 1) == Some(&'=') {
                                value = chars[j + 2..].iter().collect();
                                j = chars.len();
                            }
                            a.flags.entry(long).or_default().push(value);
                            j += 1;
                        }
                        Takes::Value => {
                            let rest: String = chars[j + 1..].iter().collect();
                            let value = if !rest.is_empty() {
                                rest.strip_prefix('=').unwrap_or(&rest).to_string()
                            } else {
                                i += 1;
                                match argv.get(i) {
                                    Some(v) => v.clone(),
                                    None => return Err(format!("flag needs an argument: '{c}' in -{c}")),
                                }
                            };
                            a.flags.entry(long).or_default().push(value);
                            j = chars.len();
                        }
                    }
                }
            } else {
                a.positional.push(arg.clone());
            }
            i += 1;
        }
        Ok(a)
    }

    pub fn get(&self, long: &str) -> Option<&str> {
        self.flags.get(long).and_then(|v| v.last()).map(String::as_str)
    }
    pub fn all(&self, long: &str) -> Vec<String> {
        self.flags.get(long).cloned().unwrap_or_default()
    }
    pub fn has(&self, long: &str) -> bool {
        self.flags.contains_key(long)
    }
    /// A boolean flag's value (`--all`, `--all=false`).
    pub fn flag(&self, long: &str) -> bool {
        self.get(long).is_some_and(|v| v != "false")
    }
    /// Comma-separated list flags may also repeat (`-L a,b -L c`).
    pub fn list(&self, long: &str) -> Vec<String> {
        self.all(long).iter().flat_map(|v| v.split(',')).filter(|s| !s.is_empty()).map(str::to_string).collect()
    }
}

fn is_negative_number(s: &str) -> bool {
    s[1..].chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    fn p(s: &str) -> Result<Args, String> {
        Args::parse(&s.split_whitespace().map(str::to_string).collect::<Vec<_>>())
    }
    #[test]
    fn parses_like_pflag() {
        let a = p("get pods -nkube-system -o wide --show-labels -L app,tier").unwrap();
        assert_eq!(a.positional, ["get", "pods"]);
        assert_eq!(a.get("namespace"), Some("kube-system"));
        assert_eq!(a.get("output"), Some("wide"));
        assert!(a.flag("show-labels"));
        assert_eq!(a.list("label-columns"), ["app", "tier"]);
        assert_eq!(p("get pods --bogus").unwrap_err(), "unknown flag: --bogus");
        assert_eq!(p("get pods -Z").unwrap_err(), "unknown shorthand flag: 'Z' in -Z");
        let a = p("exec -it shell -- ls -l").unwrap();
        assert!(a.flag("stdin") && a.flag("tty"));
        assert_eq!(a.after_dash.unwrap(), ["ls", "-l"]);
    }
}
