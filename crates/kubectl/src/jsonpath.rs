//! kubectl's JSONPath templates (k8s.io/client-go/util/jsonpath): text,
//! `{.field.path}`, `[n]`, `[*]`, `[a:b]`, `..name`, filters
//! `[?(@.k=="v")]`, `{range ...}{end}` and string literals `{"\n"}`.
//! Several results of one expression are joined with spaces; maps and lists
//! print as compact JSON; nothing is printed for a missing field.

use serde_json::Value;

/// Bound on template length, to keep hostile input cheap.
const MAX_TEMPLATE: usize = 10_000;

#[derive(Debug, Clone)]
enum Node {
    Text(String),
    Expr(Vec<Step>),
    Range(Vec<Step>, Vec<Node>),
    Literal(String),
}

#[derive(Debug, Clone)]
enum Step {
    Field(String),
    Recursive(String),
    Index(i64),
    Slice(Option<i64>, Option<i64>),
    All,
    /// `[?(@.path==value)]`, or `[?(@.path)]` (exists) when the value is None.
    Filter(Vec<Step>, Option<Value>),
}

pub fn evaluate(template: &str, root: &Value) -> Result<String, String> {
    if template.len() > MAX_TEMPLATE {
        return Err("template too long".into());
    }
    let t = template.trim_matches('\'');
    let nodes = parse(t)?;
    let mut out = String::new();
    render(&nodes, root, root, &mut out)?;
    Ok(out)
}

fn parse(t: &str) -> Result<Vec<Node>, String> {
    let mut stack: Vec<(Vec<Node>, Option<Vec<Step>>)> = vec![(vec![], None)];
    let chars: Vec<char> = t.chars().collect();
    let mut i = 0;
    let mut text = String::new();
    while i < chars.len() {
        if chars[i] == '{' {
            if !text.is_empty() {
                stack.last_mut().expect("non-empty").0.push(Node::Text(std::mem::take(&mut text)));
            }
            let close = find_close(&chars, i)?;
            let inner: String = chars[i + 1..close].iter().collect();
            let inner = inner.trim();
            if let Some(r) = inner.strip_prefix("range ") {
                stack.push((vec![], Some(parse_path(r.trim())?)));
            } else if inner == "end" {
                let (body, path) = stack.pop().ok_or("unexpected {end}")?;
                let path = path.ok_or("not in range, nothing to end")?;
                stack.last_mut().ok_or("unexpected {end}")?.0.push(Node::Range(path, body));
            } else if inner.starts_with('"') && inner.ends_with('"') && inner.len() >= 2 {
                let lit = unescape(&inner[1..inner.len() - 1]);
                stack.last_mut().expect("non-empty").0.push(Node::Literal(lit));
            } else {
                stack.last_mut().expect("non-empty").0.push(Node::Expr(parse_path(inner)?));
            }
            i = close + 1;
        } else {
            text.push(chars[i]);
            i += 1;
        }
    }
    if !text.is_empty() {
        stack.last_mut().expect("non-empty").0.push(Node::Text(text));
    }
    if stack.len() != 1 {
        return Err("unclosed action".into());
    }
    Ok(stack.pop().expect("one").0)
}

fn find_close(chars: &[char], open: usize) -> Result<usize, String> {
    let mut in_str = false;
    for (j, &c) in chars.iter().enumerate().skip(open + 1) {
        match c {
            '"' => in_str = !in_str,
            '}' if !in_str => return Ok(j),
            _ => {}
        }
    }
    Err("unclosed action".into())
}

fn unescape(s: &str) -> String {
    s.replace("\\n", "\n").replace("\\t", "\t").replace("\\\"", "\"").replace("\\\\", "\\")
}

fn parse_path(p: &str) -> Result<Vec<Step>, String> {
    let chars: Vec<char> = p.chars().collect();
    let mut steps = vec![];
    let mut i = 0;
    if chars.first() == Some(&'$') {
        i = 1;
    }
    if chars.get(i) == Some(&'@') {
        i += 1;
    }
    while i < chars.len() {
        match chars[i] {
            '.' => {
                if chars.get(i + 1) == Some(&'.') {
                    i += 2;
                    let start = i;
                    while i < chars.len() && chars[i] != '.' && chars[i] != '[' {
                        i += 1;
                    }
                    steps.push(Step::Recursive(chars[start..i].iter().collect()));
                } else {
                    i += 1;
                    let start = i;
                    while i < chars.len() && chars[i] != '.' && chars[i] != '[' {
                        i += 1;
                    }
                    let name: String = chars[start..i].iter().collect();
                    if !name.is_empty() {
                        steps.push(Step::Field(name));
                    }
                }
            }
            '[' => {
                let close = chars[i..].iter().position(|&c| c == ']').map(|p| p + i).ok_or("unterminated array")?;
                let inner: String = chars[i + 1..close].iter().collect();
                let inner = inner.trim();
                if inner == "*" {
                    steps.push(Step::All);
                } else if let Some(f) = inner.strip_prefix("?(").and_then(|f| f.strip_suffix(')')) {
                    let (lhs, op_value) = match f.split_once("==") {
                        Some((l, r)) => (l.trim(), Some(r.trim())),
                        None => (f.trim(), None),
                    };
                    let value = op_value.map(|r| {
                        let r = r.trim_matches(|c| c == '"' || c == '\'');
                        r.parse::<i64>().map(Value::from).unwrap_or(Value::String(r.to_string()))
                    });
                    steps.push(Step::Filter(parse_path(lhs)?, value));
                } else if inner.starts_with('\'') || inner.starts_with('"') {
                    steps.push(Step::Field(inner.trim_matches(|c| c == '"' || c == '\'').to_string()));
                } else if let Some((a, b)) = inner.split_once(':') {
                    let a = if a.trim().is_empty() { None } else { Some(a.trim().parse::<i64>().map_err(|e| e.to_string())?) };
                    let b = if b.trim().is_empty() { None } else { Some(b.trim().parse::<i64>().map_err(|e| e.to_string())?) };
                    steps.push(Step::Slice(a, b));
                } else {
                    steps.push(Step::Index(inner.parse::<i64>().map_err(|_| format!("invalid array index {inner}"))?));
                }
                i = close + 1;
            }
            c => return Err(format!("unrecognized character in action: {c:?}")),
        }
    }
    Ok(steps)
}

fn walk<'a>(steps: &[Step], start: Vec<&'a Value>) -> Vec<&'a Value> {
    let mut cur = start;
    for s in steps {
        let mut next = vec![];
        for v in cur {
            match s {
                Step::Field(f) => {
                    if let Some(x) = v.get(f) {
                        next.push(x);
                    }
                }
                Step::Recursive(f) => collect_recursive(v, f, &mut next),
                Step::Index(i) => {
                    if let Value::Array(a) = v {
                        let idx = if *i < 0 { a.len() as i64 + i } else { *i };
                        if let Some(x) = usize::try_from(idx).ok().and_then(|i| a.get(i)) {
                            next.push(x);
                        }
                    }
                }
                Step::Slice(a, b) => {
                    if let Value::Array(arr) = v {
                        let len = arr.len() as i64;
                        let fix = |x: i64| if x < 0 { (len + x).max(0) } else { x.min(len) };
                        let lo = fix(a.unwrap_or(0)) as usize;
                        let hi = fix(b.unwrap_or(len)) as usize;
                        if lo < hi {
                            next.extend(arr[lo..hi].iter());
                        }
                    }
                }
                Step::All => match v {
                    Value::Array(a) => next.extend(a.iter()),
                    Value::Object(m) => next.extend(m.values()),
                    _ => {}
                },
                Step::Filter(path, value) => {
                    if let Value::Array(a) = v {
                        for item in a {
                            let got = walk(path, vec![item]);
                            let keep = match value {
                                Some(want) => got.iter().any(|g| *g == want),
                                None => !got.is_empty(),
                            };
                            if keep {
                                next.push(item);
                            }
                        }
                    }
                }
            }
        }
        cur = next;
    }
    cur
}

fn collect_recursive<'a>(v: &'a Value, f: &str, out: &mut Vec<&'a Value>) {
    match v {
        Value::Object(m) => {
            if let Some(x) = m.get(f) {
                out.push(x);
            }
            for c in m.values() {
                collect_recursive(c, f, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|c| collect_recursive(c, f, out)),
        _ => {}
    }
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn render(nodes: &[Node], root: &Value, cur: &Value, out: &mut String) -> Result<(), String> {
    for n in nodes {
        match n {
            Node::Text(t) | Node::Literal(t) => out.push_str(t),
            Node::Expr(steps) => {
                let start = if steps.is_empty() { cur } else { cur };
                let vals = walk(steps, vec![start]);
                let _ = root;
                out.push_str(&vals.iter().map(|v| text_of(v)).collect::<Vec<_>>().join(" "));
            }
            Node::Range(steps, body) => {
                for v in walk(steps, vec![cur]) {
                    let items: Vec<&Value> = match v {
                        Value::Array(a) if matches!(steps.last(), Some(Step::Field(_)) | Some(Step::Index(_))) => a.iter().collect(),
                        other => vec![other],
                    };
                    for item in items {
                        render(body, root, item, out)?;
                    }
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    #[test]
    fn templates() {
        let v = json!({"items": [{"metadata": {"name": "a"}, "spec": {"x": 1}}, {"metadata": {"name": "b"}, "spec": {"x": 2}}], "spec": {"clusterIP": "10.96.0.5"}});
        assert_eq!(evaluate("{.spec.clusterIP}", &v).unwrap(), "10.96.0.5");
        assert_eq!(evaluate("{.items[*].metadata.name}", &v).unwrap(), "a b");
        assert_eq!(evaluate("{range .items[*]}{.metadata.name}{\"\\n\"}{end}", &v).unwrap(), "a\nb\n");
        assert_eq!(evaluate("{.items[?(@.spec.x==2)].metadata.name}", &v).unwrap(), "b");
        assert_eq!(evaluate("{.items[0].spec}", &v).unwrap(), "{\"x\":1}");
        assert_eq!(evaluate("{.nope}", &v).unwrap(), "");
    }
}
