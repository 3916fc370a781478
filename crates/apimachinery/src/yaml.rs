//! YAML in and out. Reading goes YAML → `serde_json::Value` (serde-saphyr,
//! with budgets against alias bombs and deep nesting) and then into typed
//! objects, as sigs.k8s.io/yaml converts YAML to JSON first. Writing follows
//! what kubectl prints for `-o yaml` (go-yaml v2 via sigs.k8s.io/yaml): keys
//! sorted, sequences not indented under their key, strings quoted only when
//! they would read back as something else, long plain lines folded at 80.

use serde_json::Value;

/// Limits on a YAML input. The API server's own 3 MiB body limit applies
/// later, to the JSON that kubectl sends.
pub const MAX_YAML_BYTES: usize = 16 * 1024 * 1024;
pub const MAX_DEPTH: usize = 64;
pub const MAX_NODES: usize = 250_000;
pub const MAX_ALIASES: usize = 1_000;

#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    /// 1-based line of the problem, when known.
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for YamlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "yaml: line {}: {}", l, self.message),
            None => write!(f, "yaml: {}", self.message),
        }
    }
}

fn options() -> serde_saphyr::Options {
    let mut options = serde_saphyr::Options::default();
    options.with_snippet = false;
    // sigs.k8s.io/yaml (non-strict, as kubectl reads files) keeps the last
    // of duplicate keys.
    options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::LastWins;
    if let Some(b) = options.budget.as_mut() {
        b.max_depth = MAX_DEPTH;
        b.max_nodes = MAX_NODES;
        b.max_aliases = MAX_ALIASES;
        b.max_reader_input_bytes = Some(MAX_YAML_BYTES + 1);
    }
    options
}

/// Parses a (possibly multi-document) YAML or JSON text into JSON values.
/// Empty documents are dropped, as kubectl does.
pub fn parse_documents(text: &str) -> Result<Vec<Value>, YamlError> {
    if text.len() > MAX_YAML_BYTES {
        return Err(YamlError { line: None, message: format!("document is larger than the {MAX_YAML_BYTES} byte limit") });
    }
    let docs: Vec<Value> = serde_saphyr::from_multiple_with_options(text, options()).map_err(|e| convert_error(e, text))?;
    Ok(docs.into_iter().filter(|d| !d.is_null()).collect())
}

/// serde-saphyr's errors in go-yaml's words (the YAML library behind
/// kubectl's "error converting YAML to JSON"), for the mistakes people make.
fn convert_error(e: serde_saphyr::Error, text: &str) -> YamlError {
    use serde_saphyr::budget::BudgetBreach;
    if let serde_saphyr::Error::Budget { breach, .. } = &e {
        return match breach {
            BudgetBreach::Depth { .. } => YamlError { line: None, message: format!("exceeded max depth of {MAX_DEPTH}") },
            BudgetBreach::Aliases { .. } | BudgetBreach::Nodes { .. } => YamlError { line: None, message: "document contains excessive aliasing".into() },
            _ => YamlError { line: None, message: "document is too large".into() },
        };
    }
    // The message and the location, not `Display`: rendering would link
    // serde-saphyr's snippet renderer (annotate-snippets, ~60 KB of wasm).
    use serde_saphyr::MessageFormatter;
    let e = e.without_snippet();
    let mut line = e.location().map(|l| l.line() as usize).filter(|l| *l > 0);
    let raw = serde_saphyr::DefaultMessageFormatter.format_message(e);
    let mut message = raw.lines().next().unwrap_or("").trim().trim_end_matches(':').to_string();
    // The line after the last one: where go-yaml reports an unexpected end.
    let eof_line = text.matches('\n').count() + 1;
    if message.contains("budget breached") || message.contains("recursion limit exceeded") {
        let depth = message.contains("Depth") || message.contains("recursion");
        return YamlError {
            line: None,
            message: if depth { format!("exceeded max depth of {MAX_DEPTH}") } else { "document contains excessive aliasing".into() },
        };
    }
    if message.contains("tabs disallowed") {
        message = "found character that cannot start any token".into();
    } else if message.contains("unclosed quote") {
        message = "found unexpected end of stream".into();
        line = Some(eof_line);
    } else if message.contains("unclosed bracket '['") {
        message = "did not find expected ',' or ']'".into();
        line = Some(eof_line);
    } else if message.contains("unclosed bracket '{'") || message.contains("unclosed brace") {
        message = "did not find expected ',' or '}'".into();
        line = Some(eof_line);
    }
    YamlError { line, message }
}

const BEST_WIDTH: usize = 80;

/// `kubectl get -o yaml` formatting of a JSON value.
pub fn to_yaml(v: &Value) -> String {
    let mut e = Emitter { out: String::new(), column: 0 };
    match v {
        Value::Object(m) if !m.is_empty() => e.mapping(m, 0),
        Value::Array(a) if !a.is_empty() => e.sequence(a, 0),
        other => {
            e.scalar_inline(other, 0);
            e.newline();
        }
    }
    e.out
}

struct Emitter {
    out: String,
    column: usize,
}

impl Emitter {
    fn write(&mut self, s: &str) {
        self.out.push_str(s);
        self.column += s.chars().count();
    }
    fn newline(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }
    fn indent(&mut self, n: usize) {
        for _ in 0..n {
            self.out.push(' ');
        }
        self.column = n;
    }

    fn mapping(&mut self, m: &serde_json::Map<String, Value>, indent: usize) {
        let mut first = true;
        for (k, v) in m {
            // The first key of a mapping inside a sequence item follows "- ".
            if !first || self.column == 0 {
                if self.column != 0 {
                    self.newline();
                }
                self.indent(indent);
            }
            first = false;
            self.key(k, indent);
            self.write(":");
            self.value_after_key(v, indent);
        }
    }

    fn value_after_key(&mut self, v: &Value, indent: usize) {
        match v {
            Value::Object(m) if !m.is_empty() => {
                self.newline();
                self.mapping(m, indent + 2);
            }
            // go-yaml does not indent a block sequence under its mapping key.
            Value::Array(a) if !a.is_empty() => {
                self.newline();
                self.sequence(a, indent);
            }
            other => {
                self.write(" ");
                self.scalar_inline(other, indent + 2);
                self.newline();
            }
        }
    }

    fn sequence(&mut self, a: &[Value], indent: usize) {
        for item in a {
            if self.column != 0 {
                self.newline();
            }
            self.indent(indent);
            self.write("- ");
            match item {
                Value::Object(m) if !m.is_empty() => {
                    self.mapping(m, indent + 2);
                    if self.column != 0 {
                        self.newline();
                    }
                }
                Value::Array(inner) if !inner.is_empty() => {
                    // "- - x": the nested sequence starts on the same line.
                    let mut first = true;
                    for x in inner {
                        if !first {
                            self.indent(indent + 2);
                        }
                        first = false;
                        self.write("- ");
                        self.scalar_or_block(x, indent + 4);
                    }
                }
                other => {
                    self.scalar_inline(other, indent + 2);
                    self.newline();
                }
            }
        }
    }

    fn scalar_or_block(&mut self, v: &Value, indent: usize) {
        match v {
            Value::Object(m) if !m.is_empty() => {
                self.mapping(m, indent);
                if self.column != 0 {
                    self.newline();
                }
            }
            Value::Array(a) if !a.is_empty() => {
                self.newline();
                self.sequence(a, indent);
            }
            other => {
                self.scalar_inline(other, indent);
                self.newline();
            }
        }
    }

    fn key(&mut self, k: &str, indent: usize) {
        match scalar_style(k) {
            Style::Plain => self.write(k),
            Style::Single => self.single_quoted(k, indent, false),
            Style::Double | Style::Literal => self.double_quoted(k),
        }
    }

    /// A scalar (or empty collection) written where the cursor is. `indent`
    /// is where folded continuation lines start.
    fn scalar_inline(&mut self, v: &Value, indent: usize) {
        match v {
            Value::Null => self.write("null"),
            Value::Bool(b) => self.write(if *b { "true" } else { "false" }),
            Value::Number(n) => self.write(&format_number(n)),
            Value::Object(_) => self.write("{}"),
            Value::Array(_) => self.write("[]"),
            Value::String(s) => match scalar_style(s) {
                Style::Plain => self.plain(s, indent),
                Style::Single => self.single_quoted(s, indent, true),
                Style::Double => self.double_quoted(s),
                Style::Literal => self.literal(s, indent),
            },
        }
    }

    fn plain(&mut self, s: &str, indent: usize) {
        self.folded_words(s, indent);
    }

    /// Writes text, breaking at a single space once past the best width, as
    /// go-yaml's plain and single-quoted writers do.
    fn folded_words(&mut self, s: &str, indent: usize) {
        let chars: Vec<char> = s.chars().collect();
        let mut spaces = false;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == ' ' {
                let next_is_space = chars.get(i + 1) == Some(&' ');
                if !spaces && self.column > BEST_WIDTH && !next_is_space && i + 1 < chars.len() && i != 0 {
                    self.newline();
                    self.indent(indent);
                } else {
                    self.out.push(' ');
                    self.column += 1;
                }
                spaces = true;
            } else {
                self.out.push(c);
                self.column += 1;
                spaces = false;
            }
            i += 1;
        }
    }

    fn single_quoted(&mut self, s: &str, indent: usize, allow_breaks: bool) {
        self.write("'");
        let escaped = s.replace('\'', "''");
        if allow_breaks {
            self.folded_words(&escaped, indent);
        } else {
            self.write(&escaped);
        }
        self.write("'");
    }

    fn double_quoted(&mut self, s: &str) {
        let mut out = String::from("\"");
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                '\0' => out.push_str("\\0"),
                c if (c as u32) < 0x20 => out.push_str(&format!("\\x{:02X}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('"');
        self.write(&out);
    }

    fn literal(&mut self, s: &str, indent: usize) {
        let chomp = if !s.ends_with('\n') {
            "-"
        } else if s.ends_with("\n\n") {
            "+"
        } else {
            ""
        };
        self.write("|");
        self.write(chomp);
        let body = s.strip_suffix('\n').unwrap_or(s);
        for line in body.split('\n') {
            self.newline();
            if !line.is_empty() {
                self.indent(indent);
                self.write(line);
            }
        }
    }
}

fn format_number(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    let f = n.as_f64().unwrap_or(0.0);
    if f.fract() == 0.0 && f.abs() < 1e15 { format!("{}", f as i64) } else { format!("{f}") }
}

#[derive(Debug, PartialEq)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

/// go-yaml v2's choice: a literal block for multi-line text, double quotes
/// for text that would resolve to another type, single quotes where a plain
/// scalar is not allowed by the emitter, plain otherwise.
fn scalar_style(s: &str) -> Style {
    if s.contains('\n') {
        return if s.chars().any(|c| (c as u32) < 0x20 && c != '\n') || s.starts_with(' ') { Style::Double } else { Style::Literal };
    }
    if resolves_to_non_string(s) {
        return Style::Double;
    }
    if s.chars().any(|c| ((c as u32) < 0x20 && c != '\t') || c == '\u{7f}' || c == '\u{feff}') {
        return Style::Double;
    }
    if plain_allowed(s) { Style::Plain } else { Style::Single }
}

fn plain_allowed(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    if chars.is_empty() {
        return false;
    }
    if chars[0] == ' ' || chars[chars.len() - 1] == ' ' || chars.contains(&'\t') {
        return false;
    }
    if s.starts_with("---") || s.starts_with("...") {
        return false;
    }
    let first = chars[0];
    if "#,[]{}&*!|>'\"%@`".contains(first) {
        return false;
    }
    if "-?:".contains(first) && (chars.len() == 1 || chars[1] == ' ') {
        return false;
    }
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        if c == ':' && (next.is_none() || next == Some(' ')) {
            return false;
        }
        if c == '#' && i > 0 && chars[i - 1] == ' ' {
            return false;
        }
    }
    true
}

/// go-yaml v2's resolve(): would this plain text read back as a bool, null,
/// number or timestamp?
fn resolves_to_non_string(s: &str) -> bool {
    const SPECIAL: &[&str] = &[
        "", "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE",
        "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF",
        "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN", "<<",
    ];
    if SPECIAL.contains(&s) {
        return true;
    }
    let first = s.chars().next().unwrap_or(' ');
    if !(first.is_ascii_digit() || "+-.".contains(first)) {
        return false;
    }
    let plain: String = s.chars().filter(|&c| c != '_').collect();
    if is_go_int(&plain) || plain.parse::<f64>().is_ok_and(|_| !plain.contains(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E')) {
        return true;
    }
    is_timestamp(s)
}

fn is_go_int(s: &str) -> bool {
    let t = s.strip_prefix(['+', '-']).unwrap_or(s);
    if t.is_empty() {
        return false;
    }
    if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        return !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit());
    }
    if let Some(b) = t.strip_prefix("0b").or_else(|| t.strip_prefix("0B")) {
        return !b.is_empty() && b.chars().all(|c| c == '0' || c == '1');
    }
    if let Some(o) = t.strip_prefix("0o").or_else(|| t.strip_prefix("0O")) {
        return !o.is_empty() && o.chars().all(|c| ('0'..='7').contains(&c));
    }
    t.chars().all(|c| c.is_ascii_digit())
}

/// The timestamp forms go-yaml v2 recognises (YYYY-MM-DD with optional time).
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 10 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let date_ok = b[5..7].iter().all(u8::is_ascii_digit) && b[7] == b'-' && b[8..10].iter().all(u8::is_ascii_digit);
    if !date_ok {
        return false;
    }
    if b.len() == 10 {
        return true;
    }
    matches!(b[10], b'T' | b't' | b' ') && b.len() >= 19
}

/// `kubectl get -o json` formatting: Go's MarshalIndent with four spaces,
/// keys sorted, and `<`, `>`, `&` escaped as encoding/json does.
pub fn to_json_pretty(v: &Value) -> String {
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    serde::Serialize::serialize(v, &mut ser).expect("JSON values always serialise");
    let s = String::from_utf8(buf).expect("serde_json writes UTF-8");
    s.replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn emits_like_kubectl() {
        let v = json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "x", "labels": {"run": "x", "port": "80", "on": "yes"}, "creationTimestamp": "2026-01-01T00:00:00Z",
                "annotations": {"a": "{\"k\":1}\n", "b": "x: y"}},
            "spec": {"containers": [{"name": "nginx", "image": "nginx", "ports": [{"containerPort": 80}]}], "empty": {}, "list": []},
        });
        expect_test::expect![[r#"
            apiVersion: v1
            kind: Pod
            metadata:
              annotations:
                a: |
                  {"k":1}
                b: 'x: y'
              creationTimestamp: "2026-01-01T00:00:00Z"
              labels:
                "on": "yes"
                port: "80"
                run: x
              name: x
            spec:
              containers:
              - image: nginx
                name: nginx
                ports:
                - containerPort: 80
              empty: {}
              list: []
        "#]]
        .assert_eq(&to_yaml(&v));
    }

    #[test]
    fn folds_long_plain_lines() {
        let v = json!({"status": {"conditions": [{"message": "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod."}]}});
        let y = to_yaml(&v);
        // go-yaml breaks at the first space after column 80; continuation lines
        // are indented two past the key.
        assert!(y.contains("preemption: 0/3 nodes are\n      available: 3 No"), "{y}");
    }

    #[test]
    fn parses_with_limits() {
        let docs = parse_documents("a: 1\n---\n---\nb: yes\n").unwrap();
        assert_eq!(docs, vec![json!({"a": 1}), json!({"b": true})]);
        let bomb = "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n";
        assert!(parse_documents(bomb).is_err());
        let deep = format!("{}1{}", "[".repeat(500), "]".repeat(500));
        assert!(parse_documents(&deep).is_err());
        let err = parse_documents("a: b\n  c: d\n").unwrap_err();
        assert_eq!(err.to_string(), "yaml: line 2: mapping values are not allowed in this context");
        // go-yaml's words for the common mistakes.
        let tab = parse_documents("apiVersion: v1\nkind: Pod\nmetadata:\n\tname: x\n").unwrap_err();
        assert_eq!(tab.to_string(), "yaml: line 4: found character that cannot start any token");
        let quote = parse_documents("apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"x\nspec: {}\n").unwrap_err();
        assert_eq!(quote.to_string(), "yaml: line 6: found unexpected end of stream");
        assert_eq!(parse_documents(bomb).unwrap_err().to_string(), "yaml: document contains excessive aliasing");
        assert_eq!(parse_documents(&deep).unwrap_err().to_string(), "yaml: exceeded max depth of 64");
        assert_eq!(parse_documents("a: 1\na: 2\n").unwrap(), vec![json!({"a": 2})]);
    }
}
