//! Parsing a bash subset: words with quotes, `$VAR`, `${VAR}`, `$(...)`,
//! backquotes, pipelines, `&&`, `||`, `;`, redirections and heredocs.

/// Bound on one command's length and on nesting of `$(...)`.
pub const MAX_COMMAND_BYTES: usize = 4 * 1024 * 1024;
pub const MAX_SUBSTITUTION_DEPTH: usize = 8;

#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    Lit(String),
    /// A literal from inside quotes: not split, not globbed.
    Quoted(String),
    Var(String, bool),
    CmdSub(String, bool),
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Word {
    pub parts: Vec<Part>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Redirect {
    /// `> file` (append for `>>`), fd 1 or 2.
    Out { fd: u8, target: Word, append: bool },
    /// `2>&1`
    ErrToOut,
    /// `&> file`
    Both { target: Word },
    In { source: Word },
    HereDoc { body: String, expand: bool },
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Simple {
    pub assignments: Vec<(String, Word)>,
    pub words: Vec<Word>,
    pub redirects: Vec<Redirect>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Connector {
    Seq,
    And,
    Or,
}

/// `a | b && c ; d` → [(pipeline a|b, And), (c, Seq), (d, Seq)]
pub type List = Vec<(Vec<Simple>, Connector)>;

/// Splits a script into complete commands: a line plus the bodies of its
/// heredocs, joined continuation lines and multi-line quotes.
/// True when an interactive shell must read another line before running
/// `text`: a trailing backslash, an unclosed quote, or a heredoc without
/// its closing delimiter (bash's `> ` continuation prompt).
pub fn needs_more_input(text: &str) -> bool {
    if text.ends_with('\\') {
        return true;
    }
    let parsed = split_script(text);
    if parsed.last().is_some_and(|(l, _)| unclosed_quote(l)) {
        return true;
    }
    let lines = text.split('\n').count();
    let consumed: usize = parsed.iter().map(|(l, b)| l.split('\n').count() + b.iter().map(|x| x.lines().count() + 1).sum::<usize>()).sum();
    consumed > lines
}

pub fn split_script(text: &str) -> Vec<(String, Vec<String>)> {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out = vec![];
    let mut i = 0;
    while i < lines.len() {
        let mut cmd = lines[i].to_string();
        i += 1;
        // Continuations: trailing backslash or an unclosed quote.
        while i < lines.len() && (cmd.ends_with('\\') || unclosed_quote(&cmd)) {
            if cmd.ends_with('\\') {
                cmd.pop();
                cmd.push_str(lines[i]);
            } else {
                cmd.push('\n');
                cmd.push_str(lines[i]);
            }
            i += 1;
        }
        let mut bodies = vec![];
        for (delim, strip_tabs) in heredoc_delimiters(&cmd) {
            let mut body = String::new();
            while i < lines.len() {
                let l = if strip_tabs { lines[i].trim_start_matches('\t') } else { lines[i] };
                i += 1;
                if l == delim {
                    break;
                }
                body.push_str(l);
                body.push('\n');
            }
            bodies.push(body);
        }
        if cmd.trim().is_empty() && bodies.is_empty() {
            continue;
        }
        out.push((cmd, bodies));
    }
    out
}

fn unclosed_quote(s: &str) -> bool {
    let mut single = false;
    let mut double = false;
    let mut escaped = false;
    for c in s.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' if !single => escaped = true,
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            _ => {}
        }
    }
    single || double
}

/// The heredoc delimiters a command line opens, in order.
fn heredoc_delimiters(s: &str) -> Vec<(String, bool)> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = vec![];
    let mut i = 0;
    let (mut single, mut double) = (false, false);
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '<' if !single && !double && chars.get(i + 1) == Some(&'<') && chars.get(i + 2) != Some(&'<') => {
                i += 2;
                let strip = chars.get(i) == Some(&'-');
                if strip {
                    i += 1;
                }
                while chars.get(i) == Some(&' ') {
                    i += 1;
                }
                let mut d = String::new();
                while i < chars.len() && !chars[i].is_whitespace() && !";|&<>".contains(chars[i]) {
                    if chars[i] != '\'' && chars[i] != '"' {
                        d.push(chars[i]);
                    }
                    i += 1;
                }
                out.push((d, strip));
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

struct Lexer<'a> {
    chars: Vec<char>,
    pos: usize,
    bodies: &'a mut std::collections::VecDeque<String>,
}

pub fn parse(line: &str, bodies: Vec<String>) -> Result<List, String> {
    if line.len() > MAX_COMMAND_BYTES {
        return Err("command too long".into());
    }
    let mut q: std::collections::VecDeque<String> = bodies.into();
    let mut lx = Lexer { chars: line.chars().collect(), pos: 0, bodies: &mut q };
    lx.list()
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }
    fn peek_at(&self, n: usize) -> Option<char> {
        self.chars.get(self.pos + n).copied()
    }
    fn skip_blanks(&mut self) {
        while self.peek().is_some_and(|c| c == ' ' || c == '\t') {
            self.pos += 1;
        }
    }

    fn list(&mut self) -> Result<List, String> {
        let mut list: List = vec![];
        loop {
            self.skip_blanks();
            if self.peek().is_none() {
                break;
            }
            if self.peek() == Some('#') {
                break;
            }
            let pipeline = self.pipeline()?;
            self.skip_blanks();
            let conn = match (self.peek(), self.peek_at(1)) {
                (Some('&'), Some('&')) => {
                    self.pos += 2;
                    Connector::And
                }
                (Some('|'), Some('|')) => {
                    self.pos += 2;
                    Connector::Or
                }
                (Some(';'), _) | (Some('\n'), _) | (Some('&'), _) => {
                    self.pos += 1;
                    Connector::Seq
                }
                (None, _) => Connector::Seq,
                (Some(c), _) => return Err(format!("syntax error near unexpected token `{c}'")),
            };
            if !pipeline.is_empty() {
                list.push((pipeline, conn));
            }
        }
        Ok(list)
    }

    fn pipeline(&mut self) -> Result<Vec<Simple>, String> {
        let mut cmds = vec![self.simple()?];
        loop {
            self.skip_blanks();
            if self.peek() == Some('|') && self.peek_at(1) != Some('|') {
                self.pos += 1;
                let next = self.simple()?;
                if next.words.is_empty() && next.assignments.is_empty() {
                    return Err("syntax error near unexpected token `|'".into());
                }
                cmds.push(next);
            } else {
                break;
            }
        }
        if cmds.len() == 1 && cmds[0].words.is_empty() && cmds[0].assignments.is_empty() && cmds[0].redirects.is_empty() {
            return Ok(vec![]);
        }
        Ok(cmds)
    }

    fn simple(&mut self) -> Result<Simple, String> {
        let mut s = Simple::default();
        loop {
            self.skip_blanks();
            let Some(c) = self.peek() else { break };
            if c == '|' || c == ';' || c == '\n' || (c == '&' && self.peek_at(1) != Some('>')) {
                break;
            }
            if c == '#' && s.words.is_empty() {
                self.pos = self.chars.len();
                break;
            }
            // Redirections.
            if c == '2' && self.peek_at(1) == Some('>') {
                if self.peek_at(2) == Some('&') && self.peek_at(3) == Some('1') {
                    self.pos += 4;
                    s.redirects.push(Redirect::ErrToOut);
                    continue;
                }
                self.pos += 2;
                let append = self.peek() == Some('>');
                if append {
                    self.pos += 1;
                }
                self.skip_blanks();
                let target = self.word()?;
                s.redirects.push(Redirect::Out { fd: 2, target, append });
                continue;
            }
            if c == '&' && self.peek_at(1) == Some('>') {
                self.pos += 2;
                self.skip_blanks();
                let target = self.word()?;
                s.redirects.push(Redirect::Both { target });
                continue;
            }
            if c == '>' || (c == '1' && self.peek_at(1) == Some('>')) {
                if c == '1' {
                    self.pos += 1;
                }
                self.pos += 1;
                let append = self.peek() == Some('>');
                if append {
                    self.pos += 1;
                }
                if self.peek() == Some('&') && self.peek_at(1) == Some('2') {
                    self.pos += 2;
                    continue;
                }
                self.skip_blanks();
                let target = self.word()?;
                if target.parts.is_empty() {
                    return Err("syntax error near unexpected token `newline'".into());
                }
                s.redirects.push(Redirect::Out { fd: 1, target, append });
                continue;
            }
            if c == '<' {
                if self.peek_at(1) == Some('<') {
                    self.pos += 2;
                    if self.peek() == Some('-') {
                        self.pos += 1;
                    }
                    self.skip_blanks();
                    let delim = self.word()?;
                    let quoted = delim.parts.iter().any(|p| matches!(p, Part::Quoted(_)));
                    let body = self.bodies.pop_front().unwrap_or_default();
                    s.redirects.push(Redirect::HereDoc { body, expand: !quoted });
                    continue;
                }
                self.pos += 1;
                self.skip_blanks();
                let source = self.word()?;
                s.redirects.push(Redirect::In { source });
                continue;
            }
            let w = self.word()?;
            if w.parts.is_empty() {
                break;
            }
            // NAME=value before the command word is an assignment.
            if s.words.is_empty() {
                if let Some(Part::Lit(first)) = w.parts.first() {
                    if let Some((name, rest)) = first.split_once('=') {
                        if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !name.starts_with(|c: char| c.is_ascii_digit()) {
                            let mut value = Word::default();
                            if !rest.is_empty() {
                                value.parts.push(Part::Lit(rest.to_string()));
                            }
                            value.parts.extend(w.parts[1..].iter().cloned());
                            s.assignments.push((name.to_string(), value));
                            continue;
                        }
                    }
                }
            }
            s.words.push(w);
        }
        Ok(s)
    }

    fn word(&mut self) -> Result<Word, String> {
        let mut w = Word::default();
        let mut lit = String::new();
        let flush = |lit: &mut String, w: &mut Word| {
            if !lit.is_empty() {
                w.parts.push(Part::Lit(std::mem::take(lit)));
            }
        };
        while let Some(c) = self.peek() {
            match c {
                ' ' | '\t' | '\n' | '|' | ';' | '<' | '>' => break,
                '&' => break,
                '\\' => {
                    self.pos += 1;
                    if let Some(n) = self.peek() {
                        flush(&mut lit, &mut w);
                        w.parts.push(Part::Quoted(n.to_string()));
                        self.pos += 1;
                    }
                }
                '\'' => {
                    self.pos += 1;
                    flush(&mut lit, &mut w);
                    let mut q = String::new();
                    loop {
                        match self.peek() {
                            None => return Err("unexpected EOF while looking for matching `''".into()),
                            Some('\'') => {
                                self.pos += 1;
                                break;
                            }
                            Some(ch) => {
                                q.push(ch);
                                self.pos += 1;
                            }
                        }
                    }
                    w.parts.push(Part::Quoted(q));
                }
                '"' => {
                    self.pos += 1;
                    flush(&mut lit, &mut w);
                    let mut q = String::new();
                    let mut any = false;
                    loop {
                        match self.peek() {
                            None => return Err("unexpected EOF while looking for matching `\"'".into()),
                            Some('"') => {
                                self.pos += 1;
                                break;
                            }
                            Some('\\') => {
                                self.pos += 1;
                                match self.peek() {
                                    Some(n @ ('"' | '\\' | '$' | '`')) => {
                                        q.push(n);
                                        self.pos += 1;
                                    }
                                    _ => q.push('\\'),
                                }
                            }
                            Some('$') => {
                                if !q.is_empty() {
                                    w.parts.push(Part::Quoted(std::mem::take(&mut q)));
                                }
                                any = true;
                                self.dollar(&mut w, true)?;
                            }
                            Some('`') => {
                                if !q.is_empty() {
                                    w.parts.push(Part::Quoted(std::mem::take(&mut q)));
                                }
                                any = true;
                                let inner = self.backquote()?;
                                w.parts.push(Part::CmdSub(inner, true));
                            }
                            Some(ch) => {
                                q.push(ch);
                                self.pos += 1;
                            }
                        }
                    }
                    if !q.is_empty() || !any {
                        w.parts.push(Part::Quoted(q));
                    }
                }
                '$' => {
                    flush(&mut lit, &mut w);
                    self.dollar(&mut w, false)?;
                }
                '`' => {
                    flush(&mut lit, &mut w);
                    let inner = self.backquote()?;
                    w.parts.push(Part::CmdSub(inner, false));
                }
                _ => {
                    lit.push(c);
                    self.pos += 1;
                }
            }
        }
        flush(&mut lit, &mut w);
        Ok(w)
    }

    fn backquote(&mut self) -> Result<String, String> {
        self.pos += 1;
        let mut inner = String::new();
        loop {
            match self.peek() {
                None => return Err("unexpected EOF while looking for matching ``'".into()),
                Some('`') => {
                    self.pos += 1;
                    return Ok(inner);
                }
                Some(c) => {
                    inner.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    fn dollar(&mut self, w: &mut Word, quoted: bool) -> Result<(), String> {
        self.pos += 1;
        match self.peek() {
            Some('(') => {
                self.pos += 1;
                let mut depth = 1;
                let mut inner = String::new();
                let (mut single, mut double) = (false, false);
                loop {
                    let Some(c) = self.peek() else { return Err("unexpected EOF while looking for matching `)'".into()) };
                    self.pos += 1;
                    match c {
                        '\'' if !double => single = !single,
                        '"' if !single => double = !double,
                        '(' if !single && !double => depth += 1,
                        ')' if !single && !double => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    inner.push(c);
                }
                w.parts.push(Part::CmdSub(inner, quoted));
            }
            Some('{') => {
                self.pos += 1;
                let mut name = String::new();
                while let Some(c) = self.peek() {
                    self.pos += 1;
                    if c == '}' {
                        break;
                    }
                    name.push(c);
                }
                w.parts.push(Part::Var(name, quoted));
            }
            Some(c) if c.is_ascii_alphanumeric() || c == '_' || c == '?' || c == '$' => {
                let mut name = String::new();
                if c == '?' || c == '$' || c.is_ascii_digit() {
                    name.push(c);
                    self.pos += 1;
                } else {
                    while let Some(c) = self.peek() {
                        if c.is_ascii_alphanumeric() || c == '_' {
                            name.push(c);
                            self.pos += 1;
                        } else {
                            break;
                        }
                    }
                }
                w.parts.push(Part::Var(name, quoted));
            }
            _ => w.parts.push(if quoted { Part::Quoted("$".into()) } else { Part::Lit("$".into()) }),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn continuation_prompt() {
        let cases = [
            ("", false),
            ("kubectl get pods", false),
            ("echo a \\", true),
            ("echo 'a", true),
            ("echo 'a\nb'", false),
            ("cat <<EOF > x.yaml", true),
            ("cat <<EOF > x.yaml\nkind: Pod", true),
            ("cat <<EOF > x.yaml\nkind: Pod\nEOF", false),
            ("cat <<-END\n\tx\n\tEND", false),
        ];
        for (text, want) in cases {
            assert_eq!(needs_more_input(text), want, "{text:?}");
        }
    }
    #[test]
    fn splits_heredocs_and_continuations() {
        let s = "kubectl apply -f - <<EOF\napiVersion: v1\nkind: Pod\nEOF\necho a \\\n b\n";
        let cmds = split_script(s);
        assert_eq!(cmds.len(), 2);
        assert_eq!(cmds[0].1, vec!["apiVersion: v1\nkind: Pod\n".to_string()]);
        assert_eq!(cmds[1].0, "echo a  b");
    }
    #[test]
    fn parses_pipelines_and_redirects() {
        let l = parse("X=1 kubectl get pods 2>&1 | grep -v x > out.txt && echo \"a $X\" || true", vec![]).unwrap();
        assert_eq!(l.len(), 3);
        assert_eq!(l[0].0.len(), 2);
        assert_eq!(l[0].1, Connector::And);
        assert_eq!(l[0].0[0].assignments[0].0, "X");
        assert_eq!(l[0].0[1].redirects.len(), 1);
    }
}
