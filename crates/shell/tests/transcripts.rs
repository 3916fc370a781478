//! Transcript tests: every file in tests/transcripts is a terminal session
//! — `$ command` lines (with `> ` continuation lines for heredocs) followed
//! by exactly what the terminal showed. Each file runs in a fresh cluster
//! (`#! seed:` and `#! profile:` headers) and the whole transcript must match
//! byte for byte. `UPDATE_TRANSCRIPTS=1 cargo test -p shell` rewrites the
//! expected output (review the diff: the expected text is the real
//! Kubernetes behaviour, not whatever the code printed).

use shell::Shell;
use std::path::{Path, PathBuf};
use world::ClusterProfile;

struct Case {
    header: Vec<String>,
    seed: u64,
    profile: String,
    /// (command text with continuation lines, expected output)
    steps: Vec<(String, String)>,
}

fn parse(text: &str) -> Case {
    let mut case = Case { header: vec![], seed: 1, profile: "kubeadm".into(), steps: vec![] };
    let mut lines = text.lines().peekable();
    while let Some(l) = lines.peek() {
        if l.starts_with("$ ") {
            break;
        }
        let l = lines.next().expect("peeked");
        if let Some(v) = l.strip_prefix("#! seed: ") {
            case.seed = v.trim().parse().expect("seed is a number");
        }
        if let Some(v) = l.strip_prefix("#! profile: ") {
            case.profile = v.trim().to_string();
        }
        case.header.push(l.to_string());
    }
    while let Some(l) = lines.next() {
        let Some(cmd) = l.strip_prefix("$ ") else { continue };
        let mut command = cmd.to_string();
        while let Some(next) = lines.peek() {
            if let Some(cont) = next.strip_prefix("> ").or_else(|| (*next == ">").then_some("")) {
                command.push('\n');
                command.push_str(cont);
                lines.next();
            } else {
                break;
            }
        }
        let mut expected = String::new();
        while let Some(next) = lines.peek() {
            if next.starts_with("$ ") {
                break;
            }
            expected.push_str(next);
            expected.push('\n');
            lines.next();
        }
        case.steps.push((command, expected));
    }
    case
}

fn render(case: &Case, outputs: &[String]) -> String {
    let mut s = String::new();
    for h in &case.header {
        s.push_str(h);
        s.push('\n');
    }
    for ((cmd, _), out) in case.steps.iter().zip(outputs) {
        let mut lines = cmd.split('\n');
        s.push_str(&format!("$ {}\n", lines.next().unwrap_or("")));
        for l in lines {
            if l.is_empty() { s.push_str(">\n") } else { s.push_str(&format!("> {l}\n")) }
        }
        s.push_str(out);
        if !out.is_empty() && !out.ends_with('\n') {
            // A transcript shows the prompt on the next line anyway.
            s.push('\n');
        }
    }
    s
}

fn run_case(path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let case = parse(&text);
    let profile = ClusterProfile::by_name(&case.profile).ok_or(format!("unknown profile {}", case.profile))?;
    let mut sh = Shell::new(profile, case.seed);
    let mut outputs = vec![];
    for (cmd, _) in &case.steps {
        let mut out = String::new();
        for (_, shown) in sh.run_script(cmd) {
            out.push_str(&shown.text);
        }
        outputs.push(out);
    }
    let actual = render(&case, &outputs);
    if actual == text {
        return Ok(());
    }
    if std::env::var_os("UPDATE_TRANSCRIPTS").is_some() {
        std::fs::write(path, &actual).map_err(|e| e.to_string())?;
        return Ok(());
    }
    let mut diff = String::new();
    for (i, (a, e)) in actual.lines().zip(text.lines()).enumerate() {
        if a != e {
            diff = format!("first difference at line {}:\n  expected: {e:?}\n  actual:   {a:?}", i + 1);
            break;
        }
    }
    if diff.is_empty() {
        diff = format!("lengths differ: expected {} lines, actual {} lines", text.lines().count(), actual.lines().count());
    }
    Err(format!("{}: {diff}\n--- actual transcript ---\n{actual}", path.display()))
}

fn transcript_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/transcripts")
}

#[test]
fn transcripts() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(transcript_dir())
        .expect("tests/transcripts exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no transcripts found");
    let failures: Vec<String> = files.iter().filter_map(|f| run_case(f).err()).collect();
    assert!(failures.is_empty(), "{} of {} transcripts differ:\n{}", failures.len(), files.len(), failures.join("\n"));
}
