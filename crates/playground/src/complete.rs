//! Tab completion, as bash with kubectl's completion script offers it:
//! commands, kubectl verbs and flags, resource types, object names from
//! the cluster, namespaces, and files from the shell's filesystem.

use apimachinery::Kind;
use apimachinery::selector::Selector;
use shell::Shell;

/// The shell's commands (what bash would find on PATH in the lab).
pub const COMMANDS: &[&str] = &[
    "alias", "awk", "cat", "cd", "clear", "cut", "date", "echo", "egrep", "exit", "export", "false", "grep", "head", "history", "hostname", "k", "kubectl", "ls", "mkdir", "printf",
    "pwd", "rm", "sleep", "sort", "tail", "touch", "true", "unalias", "uniq", "unset", "wc", "whoami",
];

/// The kubectl commands kubeplay implements.
pub const VERBS: &[&str] = &[
    "annotate", "api-resources", "apply", "cluster-info", "config", "cordon", "create", "delete", "describe", "expose", "get", "label", "replace", "rollout", "run", "scale", "set",
    "uncordon", "version", "wait",
];

const FLAGS: &[&str] = &[
    "--all", "--all-namespaces", "--cascade=", "--dry-run=", "--field-selector=", "--filename=", "--for=", "--force", "--grace-period=", "--image=", "--labels=", "--namespace=",
    "--no-headers", "--output=", "--overwrite", "--port=", "--record", "--replicas=", "--selector=", "--show-kind", "--show-labels", "--target-port=", "--timeout=", "--to-revision=",
    "--type=", "--watch", "--watch-only", "--wide",
];

const OUTPUTS: &[&str] = &["custom-columns=", "json", "jsonpath=", "name", "wide", "yaml"];

/// Candidates for the word ending at the cursor, and where that word
/// starts (in characters of `before`).
#[derive(Clone, Debug, PartialEq)]
pub struct Completion {
    pub word_start: usize,
    pub word: String,
    pub candidates: Vec<String>,
}

pub fn complete(before: &str, sh: &Shell) -> Completion {
    // The current simple command: after the last `|`, `;` or `&&`.
    let cmd_start = before.rfind(['|', ';', '&']).map_or(0, |i| i + 1);
    let cmd = &before[cmd_start..];
    let word_start_byte = cmd.rfind([' ', '\t']).map_or(0, |i| i + 1) + cmd_start;
    let word = before[word_start_byte..].to_string();
    let words: Vec<&str> = before[cmd_start..word_start_byte].split_whitespace().collect();
    let mut candidates = candidates(&words, &word, sh);
    candidates.retain(|c| c.starts_with(&word));
    apimachinery::sort::sort(&mut candidates);
    candidates.dedup();
    Completion { word_start: before[..word_start_byte].chars().count(), word, candidates }
}

fn candidates(words: &[&str], word: &str, sh: &Shell) -> Vec<String> {
    let owned = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let Some(first) = words.first() else { return owned(COMMANDS) };
    if !matches!(*first, "kubectl" | "k") {
        return files(word, sh);
    }
    let prev = words.last().copied().unwrap_or("");
    match prev {
        "-f" | "--filename" => return files(word, sh),
        "-n" | "--namespace" => return names(sh, Kind::Namespace, None),
        "-o" | "--output" => return owned(OUTPUTS),
        _ => {}
    }
    if word.starts_with('-') {
        return owned(FLAGS);
    }
    // Positional words after `kubectl`, skipping flags and their values.
    let mut positional = vec![];
    let mut skip_value = false;
    for w in &words[1..] {
        if skip_value {
            skip_value = false;
            continue;
        }
        if w.starts_with('-') {
            skip_value = !w.contains('=') && matches!(*w, "-n" | "--namespace" | "-o" | "--output" | "-f" | "--filename" | "-l" | "--selector" | "-c" | "--container");
            continue;
        }
        positional.push(*w);
    }
    let namespace = namespace_of(words, sh);
    let Some(verb) = positional.first() else { return owned(VERBS) };
    let args = &positional[1..];
    match *verb {
        "rollout" if args.is_empty() => owned(&["history", "pause", "restart", "resume", "status", "undo"]),
        "rollout" if args.len() == 1 => with_kinds(word, sh, &namespace, &[Kind::Deployment, Kind::DaemonSet]),
        "create" if args.is_empty() => owned(&["configmap", "deployment", "namespace", "service"]),
        "set" if args.is_empty() => owned(&["image"]),
        "set" => with_kinds(word, sh, &namespace, &[Kind::Deployment, Kind::DaemonSet, Kind::ReplicaSet, Kind::Pod]),
        "config" if args.is_empty() => owned(&["current-context", "get-contexts", "set-context", "use-context", "view"]),
        "cordon" | "uncordon" => names(sh, Kind::Node, None),
        "get" | "describe" | "delete" | "label" | "annotate" | "scale" | "expose" | "wait" => match args.first() {
            None => with_kinds(word, sh, &namespace, &Kind::all().collect::<Vec<_>>()),
            Some(kind) if !kind.contains('/') => match Kind::resolve(kind) {
                Some(k) => names(sh, k, Some(&namespace)),
                None => vec![],
            },
            Some(_) => with_kinds(word, sh, &namespace, &Kind::all().collect::<Vec<_>>()),
        },
        _ => vec![],
    }
}

/// Resource types, or `type/name` once the word has a slash.
fn with_kinds(word: &str, sh: &Shell, namespace: &str, kinds: &[Kind]) -> Vec<String> {
    if let Some((kind, _)) = word.split_once('/') {
        return match Kind::resolve(kind) {
            Some(k) => names(sh, k, Some(namespace)).into_iter().map(|n| format!("{kind}/{n}")).collect(),
            None => vec![],
        };
    }
    kinds.iter().flat_map(|k| std::iter::once(k.info().plural).chain(k.info().short_names.iter().copied())).map(str::to_string).collect()
}

fn names(sh: &Shell, kind: Kind, namespace: Option<&str>) -> Vec<String> {
    let ns = if kind.info().namespaced { namespace } else { None };
    match sh.world.api().list(kind, ns, &Selector::everything(), &[]) {
        Ok(list) => list.items.iter().map(|o| o.name().to_string()).collect(),
        Err(_) => vec![],
    }
}

fn namespace_of(words: &[&str], sh: &Shell) -> String {
    for (i, w) in words.iter().enumerate() {
        if let Some(v) = w.strip_prefix("--namespace=").or_else(|| w.strip_prefix("-n=")) {
            return v.to_string();
        }
        if (*w == "-n" || *w == "--namespace") && i + 1 < words.len() {
            return words[i + 1].to_string();
        }
    }
    sh.kubeconfig.namespace()
}

/// Paths in the shell's filesystem; directories end with `/`.
fn files(word: &str, sh: &Shell) -> Vec<String> {
    let dir_part = word.rfind('/').map_or("", |i| &word[..=i]);
    let dir = shell::vfs::normalize(&sh.cwd, if dir_part.is_empty() { "." } else { dir_part });
    let Some(entries) = sh.fs.list(&dir) else { return vec![] };
    entries
        .into_iter()
        .map(|full| {
            let base = full.rsplit('/').next().unwrap_or(&full).to_string();
            let suffix = if sh.fs.is_dir(&full) { "/" } else { "" };
            format!("{dir_part}{base}{suffix}")
        })
        .collect()
}

/// The longest prefix all candidates share.
pub fn common_prefix(candidates: &[String]) -> String {
    let Some(first) = candidates.first() else { return String::new() };
    let mut len = first.len();
    for c in &candidates[1..] {
        len = len.min(first.bytes().zip(c.bytes()).take_while(|(a, b)| a == b).count());
    }
    while !first.is_char_boundary(len) {
        len -= 1;
    }
    first[..len].to_string()
}
