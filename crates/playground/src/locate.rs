//! Editor markers: where in a YAML manifest a problem is. Syntax errors
//! carry their line; decoding and validation errors carry a field path
//! (`spec.template.spec.containers[0].image`), found here in the text by
//! indentation, as a reader would.

use apimachinery::{Kind, Object, yaml};

/// A problem at a 1-based line of the editor's text.
#[derive(Clone, Debug, PartialEq)]
pub struct Marker {
    pub line: usize,
    pub message: String,
}

/// Checks a manifest as the API server would decode it (syntax, kind,
/// field types, unknown fields), without touching the cluster.
pub fn check_manifest(text: &str) -> Vec<Marker> {
    let docs = match yaml::parse_documents(text) {
        Ok(d) => d,
        Err(e) => return vec![Marker { line: e.line.unwrap_or(1), message: e.to_string() }],
    };
    let starts = document_starts(text);
    let mut out = vec![];
    for (i, doc) in docs.into_iter().enumerate() {
        let first = starts.get(i).copied().unwrap_or(0);
        let api_version = doc.get("apiVersion").and_then(|v| v.as_str()).unwrap_or("");
        let kind_name = doc.get("kind").and_then(|v| v.as_str()).unwrap_or("");
        if api_version.is_empty() || kind_name.is_empty() {
            let missing = if api_version.is_empty() { "apiVersion" } else { "kind" };
            out.push(Marker { line: first + 1, message: format!("{missing} not set") });
            continue;
        }
        let Some(kind) = Kind::from_api_version_kind(api_version, kind_name) else {
            let line = locate(text, first, &["kind".to_string()]).unwrap_or(first + 1);
            out.push(Marker { line, message: format!("no matches for kind \"{kind_name}\" in version \"{api_version}\"") });
            continue;
        };
        match Object::from_value(kind, doc.clone()) {
            Err(e) => {
                let path = e.split(": ").next().unwrap_or("");
                let line = locate(text, first, &split_path(path)).unwrap_or(first + 1);
                let why = apiserver::decode::go_type_error(kind, &e).unwrap_or(e.clone());
                out.push(Marker { line, message: apiserver::decode::cannot_handle(kind, &why).message });
            }
            Ok(obj) => {
                let mut unknown = vec![];
                apiserver::decode::unknown_fields(&doc, &obj.to_value(), "", &mut unknown);
                for p in unknown {
                    let line = locate(text, first, &split_path(&p)).unwrap_or(first + 1);
                    out.push(Marker { line, message: format!("unknown field {p:?}") });
                }
            }
        }
    }
    out
}

/// Markers for the errors kubectl printed after applying `text`: each
/// `<field path>: Invalid value|Required value|...` found in the message.
pub fn markers_for_errors(text: &str, kubectl_output: &str) -> Vec<Marker> {
    const REASONS: [&str; 9] = [
        ": Invalid value", ": Required value", ": Unsupported value", ": Duplicate value", ": Forbidden", ": Too long", ": Too many", ": Not found", ": field is immutable",
    ];
    let mut out = vec![];
    for line in kubectl_output.lines() {
        if !(line.starts_with("Error") || line.starts_with("The ") || line.starts_with("error")) {
            continue;
        }
        for reason in REASONS {
            let mut from = 0;
            while let Some(i) = line[from..].find(reason) {
                let end = from + i;
                let start = line[..end].rfind([' ', '[']).map_or(0, |s| s + 1);
                let path = &line[start..end];
                if !path.is_empty() {
                    let at = locate(text, 0, &split_path(path)).unwrap_or(1);
                    out.push(Marker { line: at, message: line.to_string() });
                }
                from = end + reason.len();
            }
        }
        if out.is_empty() && line.contains("line ") {
            // error converting YAML to JSON: yaml: line 7: ...
            if let Some(n) = line.split("line ").nth(1).and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next()).and_then(|n| n.parse().ok()) {
                out.push(Marker { line: n, message: line.to_string() });
            }
        }
    }
    out
}

/// `spec.containers[0].image` → `spec`, `containers`, `[0]`, `image`.
fn split_path(path: &str) -> Vec<String> {
    let mut out = vec![];
    for part in path.split('.') {
        let mut rest = part;
        while let Some(i) = rest.find('[') {
            if i > 0 {
                out.push(rest[..i].to_string());
            }
            let close = rest[i..].find(']').map_or(rest.len(), |c| i + c + 1);
            out.push(rest[i..close].to_string());
            rest = &rest[close..];
        }
        if !rest.is_empty() {
            out.push(rest.to_string());
        }
    }
    out
}

/// 0-based line index where each YAML document starts.
fn document_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![];
    let mut in_doc = false;
    for (i, l) in text.lines().enumerate() {
        if l.starts_with("---") {
            in_doc = false;
            continue;
        }
        let t = l.trim();
        if !in_doc && !t.is_empty() && !t.starts_with('#') {
            starts.push(i);
            in_doc = true;
        }
    }
    starts
}

/// Indentation of a line's content, counting `- ` list markers as
/// indentation (the keys of a list item sit after its dash).
fn content_indent(line: &str) -> (usize, usize) {
    let spaces = line.len() - line.trim_start_matches(' ').len();
    let mut i = spaces;
    let mut dashes = 0;
    while line[i..].starts_with("- ") {
        i += 2;
        i += line[i..].len() - line[i..].trim_start_matches(' ').len();
        dashes += 1;
    }
    (i, dashes)
}

fn significant(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && !t.starts_with('#') && !t.starts_with("---")
}

/// The 1-based line of `path` in the document starting at line `first`.
pub fn locate(text: &str, first: usize, path: &[String]) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    // The document's extent.
    let mut end = lines.len();
    for (i, l) in lines.iter().enumerate().skip(first + 1) {
        if l.starts_with("---") {
            end = i;
            break;
        }
    }
    let (mut lo, mut hi) = (first, end);
    let mut found = None;
    for seg in path {
        // The block's indentation: its first significant line.
        let block = (lo..hi).find(|&i| significant(lines[i]))?;
        if let Some(idx) = seg.strip_prefix('[').and_then(|s| s.strip_suffix(']')).and_then(|s| s.parse::<usize>().ok()) {
            // The idx-th `- ` item at the block's dash column.
            let dash_col = lines[block].len() - lines[block].trim_start_matches(' ').len();
            let items: Vec<usize> = (lo..hi).filter(|&i| lines[i].len() > dash_col && lines[i][dash_col..].starts_with("- ") && lines[i][..dash_col].trim().is_empty()).collect();
            let start = *items.get(idx)?;
            let stop = items.get(idx + 1).copied().unwrap_or_else(|| (start + 1..hi).find(|&i| significant(lines[i]) && (lines[i].len() - lines[i].trim_start_matches(' ').len()) < dash_col).unwrap_or(hi));
            found = Some(start);
            // Inside the item, keys sit after the dash.
            lo = start;
            hi = stop;
            continue;
        }
        let indent = content_indent(lines[block]).0;
        let key = format!("{seg}:");
        let at = (lo..hi).find(|&i| {
            let (ci, _) = content_indent(lines[i]);
            ci == indent && lines[i][ci..].starts_with(&key)
        })?;
        found = Some(at);
        let stop = (at + 1..hi).find(|&i| significant(lines[i]) && content_indent(lines[i]).0 <= indent && !(lines[i].trim_start().starts_with("- ") && content_indent(lines[i]).0 > indent)).unwrap_or(hi);
        lo = at + 1;
        hi = stop;
        if lo >= hi {
            // An inline value: later segments (if any) are on this line.
            break;
        }
    }
    found.map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: three\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: web\n        image: nginx\n      - name: side\n        imagePullPolicy: Sometimes\n        colour: blue\n";

    #[test]
    fn finds_paths_by_indentation() {
        let p = |s: &str| split_path(s);
        assert_eq!(locate(DEPLOY, 0, &p("spec.replicas")), Some(6));
        assert_eq!(locate(DEPLOY, 0, &p("spec.template.metadata.labels.app")), Some(13));
        assert_eq!(locate(DEPLOY, 0, &p("spec.template.spec.containers[0].image")), Some(17));
        assert_eq!(locate(DEPLOY, 0, &p("spec.template.spec.containers[1].colour")), Some(20));
        assert_eq!(locate(DEPLOY, 0, &p("spec.nothing")), None);
    }

    #[test]
    fn manifest_problems_are_marked_at_their_line() {
        let m = check_manifest(DEPLOY);
        assert_eq!(m, vec![Marker {
            line: 6,
            message: "Deployment in version \"v1\" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32".into()
        }]);
        let fixed = DEPLOY.replace("three", "3");
        assert_eq!(check_manifest(&fixed), vec![Marker { line: 20, message: "unknown field \"spec.template.spec.containers[1].colour\"".into() }]);
        let broken = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n   labels: {}\n";
        assert_eq!(check_manifest(broken)[0].line, 5);
        assert_eq!(check_manifest("apiVersion: v1\nkind: Pud\n")[0], Marker { line: 2, message: "no matches for kind \"Pud\" in version \"v1\"".into() });
    }

    #[test]
    fn api_errors_point_at_fields() {
        let out = "The Deployment \"web\" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template `labels`\n";
        assert_eq!(markers_for_errors(DEPLOY, out).iter().map(|m| m.line).collect::<Vec<_>>(), vec![12]);
    }
}
