//! Transcript tests: every file in tests/transcripts is a terminal session
//! — `$ command` lines (with `> ` continuation lines for heredocs) followed
//! by exactly what the terminal showed. Each file runs in a fresh cluster
//! (`#! seed:` and `#! profile:` headers) and the whole transcript must match
//! byte for byte. `UPDATE_TRANSCRIPTS=1 cargo test -p shell` rewrites the
//! expected output (review the diff: the expected text is the real
//! Kubernetes behaviour, not whatever the code printed).

use shell::Shell;
use std::path::{Path, PathBuf};
use apimachinery::SignedDuration;
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

/// Bad input: each case writes its files, runs one command, and must print
/// exactly what kubectl prints and leave the cluster untouched (same
/// full-state hash, clock included).
#[test]
fn bad_input_is_refused_without_changing_the_cluster() {
    let big_value = "x".repeat(3 * 1024 * 1024 + 10);
    let big = format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  blob: {big_value}\n");
    let bomb = "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n".to_string();
    let deep = format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata: {}1{}\n", "[".repeat(200), "]".repeat(200));
    let pod = |name: &str, extra: &str| format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  containers:\n  - name: c\n    image: nginx\n{extra}");
    let cases: Vec<(&str, Vec<(&str, String)>, &str, String)> = vec![
        (
            "tab indentation",
            vec![("bad.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n\tname: x\n".into())],
            "kubectl apply -f bad.yaml",
            "error: error parsing bad.yaml: error converting YAML to JSON: yaml: line 4: found character that cannot start any token\n".into(),
        ),
        (
            "bad indentation",
            vec![("bad.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n   labels: {}\n".into())],
            "kubectl create -f bad.yaml",
            "error: error parsing bad.yaml: error converting YAML to JSON: yaml: line 5: mapping values are not allowed in this context\n".into(),
        ),
        (
            "unclosed quote",
            vec![("bad.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"x\nspec: {}\n".into())],
            "kubectl create -f bad.yaml",
            "error: error parsing bad.yaml: error converting YAML to JSON: yaml: line 6: found unexpected end of stream\n".into(),
        ),
        (
            "unknown field, kubectl's default --validate=strict",
            vec![("pod.yaml", pod("web", "  foo: bar\n"))],
            "kubectl create -f pod.yaml",
            "Error from server (BadRequest): error when creating \"pod.yaml\": Pod in version \"v1\" cannot be handled as a Pod: strict decoding error: unknown field \"spec.foo\"\n".into(),
        ),
        (
            "invalid name",
            vec![("pod.yaml", pod("Bad_Name", ""))],
            "kubectl apply -f pod.yaml",
            "The Pod \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')\n".into(),
        ),
        (
            "invalid name from the command line",
            vec![],
            "kubectl run Bad_Name --image=nginx",
            // `run` names the container after the pod, so both names are wrong;
            // ValidatePodCreate checks metadata first, then the spec.
            "The Pod \"Bad_Name\" is invalid: \n* metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')\n* spec.containers[0].name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')\n".into(),
        ),
        (
            "unknown kind",
            vec![("foo.yaml", "apiVersion: v1\nkind: Foo\nmetadata:\n  name: x\n".into())],
            "kubectl apply -f foo.yaml",
            "error: resource mapping not found for name: \"x\" namespace: \"\" from \"foo.yaml\": no matches for kind \"Foo\" in version \"v1\"\nensure CRDs are installed first\n".into(),
        ),
        (
            "missing apiVersion",
            vec![("x.yaml", "kind: Pod\nmetadata:\n  name: x\n".into())],
            "kubectl create -f x.yaml",
            "error: error validating \"x.yaml\": error validating data: apiVersion not set; if you choose to ignore these errors, turn validation off with --validate=false\n".into(),
        ),
        (
            "missing apiVersion and kind",
            vec![("x.yaml", "metadata:\n  name: x\n".into())],
            "kubectl apply -f x.yaml",
            "error: error validating \"x.yaml\": error validating data: [apiVersion not set, kind not set]; if you choose to ignore these errors, turn validation off with --validate=false\n".into(),
        ),
        (
            "a document over the API server's 3 MiB limit",
            vec![("big.yaml", big)],
            "kubectl create -f big.yaml",
            "Error from server (RequestEntityTooLarge): error when creating \"big.yaml\": Request entity too large: limit is 3145728\n".into(),
        ),
        (
            "a YAML alias bomb",
            vec![("bomb.yaml", bomb)],
            "kubectl apply -f bomb.yaml",
            "error: error parsing bomb.yaml: error converting YAML to JSON: yaml: document contains excessive aliasing\n".into(),
        ),
        (
            "absurd nesting",
            vec![("deep.yaml", deep)],
            "kubectl apply -f deep.yaml",
            "error: error parsing deep.yaml: error converting YAML to JSON: yaml: exceeded max depth of 64\n".into(),
        ),
        (
            "selector that does not match the template's labels",
            vec![(
                "d.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: api\n    spec:\n      containers:\n      - name: nginx\n        image: nginx\n".into(),
            )],
            "kubectl apply -f d.yaml",
            "The Deployment \"web\" is invalid: spec.template.metadata.labels: Invalid value: {\"app\":\"api\"}: `selector` does not match template `labels`\n".into(),
        ),
        ("unknown resource type", vec![], "kubectl get foos", "error: the server doesn't have a resource type \"foos\"\n".into()),
        ("unknown flag", vec![], "kubectl get pods --bogus", "error: unknown flag: --bogus\nSee 'kubectl get --help' for usage.\n".into()),
        ("missing file", vec![], "kubectl apply -f nope.yaml", "error: the path \"nope.yaml\" does not exist\n".into()),
        ("missing object", vec![], "kubectl delete pod nope", "Error from server (NotFound): pods \"nope\" not found\n".into()),
        ("missing namespace", vec![("pod.yaml", pod("web", ""))], "kubectl create -f pod.yaml -n nope", "Error from server (NotFound): error when creating \"pod.yaml\": namespaces \"nope\" not found\n".into()),
    ];
    let mut sh = Shell::new(ClusterProfile::kubeadm(3), 1);
    let mut failures = vec![];
    for (what, files, command, expected) in cases {
        for (name, text) in files {
            sh.fs.write(&format!("/root/{name}"), text).expect("test files fit");
        }
        let before = sh.world.state_hash();
        let shown: String = sh.run_script(command).into_iter().map(|(_, s)| s.text).collect();
        let after = sh.world.state_hash();
        if shown != expected {
            failures.push(format!("{what}: `{command}`\n  expected: {expected:?}\n  actual:   {shown:?}"));
        }
        if before != after {
            failures.push(format!("{what}: `{command}` changed the cluster"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

const MIXED_SCRIPT: &str = r#"kubectl create deployment web --image=nginx --replicas=3
kubectl run shell --image=busybox -- sleep 3600
kubectl create namespace team-a
kubectl create deployment api --image=httpd -n team-a
sleep 30
kubectl scale deployment web --replicas=5
kubectl set image deployment/web nginx=nginx:1.27
kubectl rollout status deployment/web
kubectl delete pod shell
kubectl expose deployment web --port=80 --type=NodePort
kubectl rollout undo deployment/web
sleep 60
kubectl get pods -A -o wide
"#;

fn run_mixed(seed: u64) -> (u64, String) {
    let mut sh = Shell::new(ClusterProfile::kubeadm(3), seed);
    let out: String = sh.run_script(MIXED_SCRIPT).into_iter().map(|(_, s)| s.text).collect();
    (sh.world.state_hash(), out)
}

/// Same seed + same commands = same bytes of state; another seed gives
/// other random names.
#[test]
fn same_seed_same_state_other_seed_other_names() {
    let (h1, out1) = run_mixed(7);
    let (h2, out2) = run_mixed(7);
    assert_eq!(h1, h2, "same seed, same script, different state");
    assert_eq!(out1, out2);
    let (h3, out3) = run_mixed(8);
    assert_ne!(h1, h3);
    let pod_names = |out: &str| -> Vec<String> {
        out.lines().filter(|l| l.starts_with("default ")).filter_map(|l| l.split_whitespace().nth(1).map(str::to_string)).collect()
    };
    let (a, b) = (pod_names(&out1), pod_names(&out3));
    assert!(!a.is_empty(), "the script created pods:\n{out1}");
    assert_ne!(a, b, "pod suffixes come from the seed");
}

/// At an interactive terminal (the browser) waiting commands are jobs and
/// the host lets time pass in slices of whatever size its frames have. The
/// outcome must not depend on the slicing: a share link replays the same
/// commands at the same simulated instants in other slices.
#[test]
fn time_slicing_does_not_change_the_outcome() {
    let lines = [
        "kubectl create deployment web --image=nginx --replicas=3",
        "sleep 5; kubectl get pods",
        "kubectl set image deployment/web nginx=nginx:1.27 && kubectl rollout status deployment/web && echo done",
        "kubectl scale deployment web --replicas=1; kubectl get pods -w | grep web",
        "kubectl delete deployment web",
        "kubectl get pods",
    ];
    let run = |slice_ms: i64| -> (u64, String) {
        let mut sh = Shell::new(ClusterProfile::kubeadm(3), 7);
        let start = sh.world.now();
        let mut text = String::new();
        for (i, line) in lines.iter().enumerate() {
            let at = start + SignedDuration::from_secs(120 * i as i64);
            while sh.world.now() < at {
                let step = SignedDuration::from_millis(slice_ms).min(at.duration_since(sh.world.now()));
                text.push_str(&sh.run_for(step).text);
            }
            if sh.busy() {
                // Only the watch still runs two minutes on: Ctrl+C.
                text.push_str(&sh.interrupt().expect("a job runs").text);
            }
            let p = sh.start(line, vec![]);
            text.push_str(&format!("$ {line}\n{}", p.text));
        }
        while sh.busy() {
            text.push_str(&sh.run_for(SignedDuration::from_millis(slice_ms)).text);
        }
        (sh.world.state_hash(), text)
    };
    let (hash, text) = run(120_000);
    if std::env::var("SHOW").is_ok() { eprintln!("{text}"); }
    assert!(text.contains("Waiting for deployment \"web\" rollout to finish: 1 out of 3 new replicas have been updated...\n"), "{text}");
    assert!(text.contains("deployment \"web\" successfully rolled out\ndone\n"), "{text}");
    assert!(text.contains("Terminating"), "{text}");
    assert!(text.contains("^C\n$ kubectl delete deployment web\n"), "{text}");
    for slice_ms in [100, 1_000, 7_000] {
        let (h, t) = run(slice_ms);
        assert_eq!(t, text, "terminal text with {slice_ms} ms slices");
        assert_eq!(h, hash, "state with {slice_ms} ms slices");
    }
}
