//! Text tools for pipelines: grep, head, tail, wc, sort, uniq, cut, awk
//! (the `{print $N}` subset), tr-free. Each takes its arguments and standard
//! input and returns (stdout, stderr, status) as coreutils would.

pub type Ran = (String, String, i32);

fn lines(s: &str) -> Vec<&str> {
    let mut v: Vec<&str> = s.split('\n').collect();
    if v.last() == Some(&"") {
        v.pop();
    }
    v
}

fn join(v: &[&str]) -> String {
    let mut s = v.join("\n");
    if !v.is_empty() {
        s.push('\n');
    }
    s
}

/// A small regular-expression matcher for grep: literals, `.`, `*`, `^`,
/// `$`, `[...]` classes and (with -E) `|` alternation and `+`/`?`.
pub fn regex_match(pattern: &str, text: &str, extended: bool) -> bool {
    if extended {
        return split_alternatives(pattern).iter().any(|p| regex_match(p, text, false) || regex_search(p, text, true));
    }
    regex_search(pattern, text, false)
}

fn split_alternatives(p: &str) -> Vec<String> {
    let mut out = vec![];
    let mut cur = String::new();
    let mut depth = 0;
    for c in p.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            '|' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        if c != '(' && c != ')' {
            cur.push(c);
        }
    }
    out.push(cur);
    out
}

#[derive(Debug, Clone)]
enum Atom {
    Char(char),
    Any,
    Class(Vec<(char, char)>, bool),
}

fn compile(p: &str, extended: bool) -> Option<(Vec<(Atom, char)>, bool, bool)> {
    let chars: Vec<char> = p.chars().collect();
    let mut i = 0;
    let anchored_start = chars.first() == Some(&'^');
    if anchored_start {
        i = 1;
    }
    let mut end = chars.len();
    let anchored_end = end > i && chars[end - 1] == '$' && (end < 2 || chars[end - 2] != '\\');
    if anchored_end {
        end -= 1;
    }
    let mut atoms = vec![];
    while i < end {
        let atom = match chars[i] {
            '.' => Atom::Any,
            '\\' if i + 1 < end => {
                i += 1;
                Atom::Char(chars[i])
            }
            '[' => {
                let mut j = i + 1;
                let neg = chars.get(j) == Some(&'^');
                if neg {
                    j += 1;
                }
                let mut ranges = vec![];
                while j < end && chars[j] != ']' {
                    if j + 2 < end && chars[j + 1] == '-' && chars[j + 2] != ']' {
                        ranges.push((chars[j], chars[j + 2]));
                        j += 3;
                    } else {
                        ranges.push((chars[j], chars[j]));
                        j += 1;
                    }
                }
                i = j;
                Atom::Class(ranges, neg)
            }
            c => Atom::Char(c),
        };
        i += 1;
        let mut rep = ' ';
        if i < end && (chars[i] == '*' || (extended && (chars[i] == '+' || chars[i] == '?'))) {
            rep = chars[i];
            i += 1;
        }
        atoms.push((atom, rep));
    }
    Some((atoms, anchored_start, anchored_end))
}

fn atom_matches(a: &Atom, c: char) -> bool {
    match a {
        Atom::Char(x) => *x == c,
        Atom::Any => true,
        Atom::Class(ranges, neg) => ranges.iter().any(|(lo, hi)| c >= *lo && c <= *hi) != *neg,
    }
}

fn match_here(atoms: &[(Atom, char)], text: &[char], anchored_end: bool, budget: &mut u32) -> bool {
    if *budget == 0 {
        return false;
    }
    *budget -= 1;
    let Some(((atom, rep), rest)) = atoms.split_first() else {
        return !anchored_end || text.is_empty();
    };
    match rep {
        '*' | '+' | '?' => {
            let min = if *rep == '+' { 1 } else { 0 };
            let max = if *rep == '?' { 1 } else { usize::MAX };
            let mut n = 0;
            while n < text.len() && n < max && atom_matches(atom, text[n]) {
                n += 1;
            }
            loop {
                if n >= min && match_here(rest, &text[n..], anchored_end, budget) {
                    return true;
                }
                if n == 0 || n == min {
                    return false;
                }
                n -= 1;
            }
        }
        _ => !text.is_empty() && atom_matches(atom, text[0]) && match_here(rest, &text[1..], anchored_end, budget),
    }
}

fn regex_search(p: &str, text: &str, extended: bool) -> bool {
    let Some((atoms, start, end)) = compile(p, extended) else { return false };
    let chars: Vec<char> = text.chars().collect();
    let mut budget = 200_000u32;
    if start {
        return match_here(&atoms, &chars, end, &mut budget);
    }
    (0..=chars.len()).any(|i| match_here(&atoms, &chars[i..], end, &mut budget))
}

pub fn grep(args: &[String], input: &str) -> Ran {
    let (mut invert, mut ignore_case, mut count, mut extended, mut number, mut word, mut quiet) = (false, false, false, false, false, false, false);
    let mut pattern: Option<String> = None;
    let mut extra_patterns = vec![];
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "-e" {
            if let Some(p) = it.next() {
                extra_patterns.push(p.clone());
            }
        } else if a.starts_with('-') && a.len() > 1 && pattern.is_none() {
            for c in a[1..].chars() {
                match c {
                    'v' => invert = true,
                    'i' => ignore_case = true,
                    'c' => count = true,
                    'E' => extended = true,
                    'n' => number = true,
                    'w' => word = true,
                    'q' => quiet = true,
                    _ => return (String::new(), format!("grep: invalid option -- '{c}'\nUsage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n"), 2),
                }
            }
        } else if pattern.is_none() && extra_patterns.is_empty() {
            pattern = Some(a.clone());
        }
    }
    let mut patterns = extra_patterns;
    if let Some(p) = pattern {
        patterns.push(p);
    }
    if patterns.is_empty() {
        return (String::new(), "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n".into(), 2);
    }
    let norm = |s: &str| if ignore_case { s.to_lowercase() } else { s.to_string() };
    let mut out = vec![];
    for (n, l) in lines(input).iter().enumerate() {
        let text = norm(l);
        let hit = patterns.iter().any(|p| {
            let p = norm(p);
            if word {
                text.split(|c: char| !(c.is_alphanumeric() || c == '_')).any(|w| w == p)
            } else {
                regex_match(&p, &text, extended)
            }
        });
        if hit != invert {
            out.push(if number { format!("{}:{l}", n + 1) } else { l.to_string() });
        }
    }
    let status = if out.is_empty() { 1 } else { 0 };
    if quiet {
        return (String::new(), String::new(), status);
    }
    if count {
        return (format!("{}\n", out.len()), String::new(), status);
    }
    let refs: Vec<&str> = out.iter().map(String::as_str).collect();
    (join(&refs), String::new(), status)
}

fn count_arg(args: &[String], default: usize) -> Result<(usize, bool), String> {
    let mut n = default;
    let mut from_start = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let val = if a == "-n" {
            it.next().cloned()
        } else if let Some(v) = a.strip_prefix("-n") {
            Some(v.to_string())
        } else if let Some(v) = a.strip_prefix('-') {
            Some(v.to_string())
        } else {
            None
        };
        if let Some(v) = val {
            if let Some(rest) = v.strip_prefix('+') {
                from_start = true;
                n = rest.parse().map_err(|_| format!("invalid number of lines: '{v}'"))?;
            } else {
                n = v.parse().map_err(|_| format!("invalid number of lines: '{v}'"))?;
            }
        }
    }
    Ok((n, from_start))
}

pub fn head(args: &[String], input: &str) -> Ran {
    match count_arg(args, 10) {
        Ok((n, _)) => {
            let l = lines(input);
            (join(&l[..n.min(l.len())]), String::new(), 0)
        }
        Err(e) => (String::new(), format!("head: {e}\n"), 1),
    }
}

pub fn tail(args: &[String], input: &str) -> Ran {
    match count_arg(args, 10) {
        Ok((n, from_start)) => {
            let l = lines(input);
            let start = if from_start { n.saturating_sub(1).min(l.len()) } else { l.len().saturating_sub(n) };
            (join(&l[start..]), String::new(), 0)
        }
        Err(e) => (String::new(), format!("tail: {e}\n"), 1),
    }
}

pub fn wc(args: &[String], input: &str) -> Ran {
    let l = input.matches('\n').count();
    let w = input.split_whitespace().count();
    let c = input.len();
    let flags: String = args.iter().filter(|a| a.starts_with('-')).map(|a| a[1..].to_string()).collect();
    let out = if flags.is_empty() {
        format!("{l:>7} {w:>7} {c:>7}\n")
    } else {
        let mut parts = vec![];
        if flags.contains('l') {
            parts.push(l);
        }
        if flags.contains('w') {
            parts.push(w);
        }
        if flags.contains('c') {
            parts.push(c);
        }
        if parts.len() == 1 { format!("{}\n", parts[0]) } else { format!("{}\n", parts.iter().map(|p| format!("{p:>7}")).collect::<Vec<_>>().join(" ")) }
    };
    (out, String::new(), 0)
}

pub fn sort(args: &[String], input: &str) -> Ran {
    let reverse = args.iter().any(|a| a.starts_with('-') && a.contains('r'));
    let numeric = args.iter().any(|a| a.starts_with('-') && a.contains('n'));
    let unique = args.iter().any(|a| a.starts_with('-') && a.contains('u'));
    let mut l = lines(input);
    if numeric {
        apimachinery::sort::sort_by(&mut l, |a, b| {
            let na: f64 = a.split_whitespace().next().and_then(|x| x.parse().ok()).unwrap_or(0.0);
            let nb: f64 = b.split_whitespace().next().and_then(|x| x.parse().ok()).unwrap_or(0.0);
            na.partial_cmp(&nb).unwrap_or(std::cmp::Ordering::Equal).then(a.cmp(b))
        });
    } else {
        apimachinery::sort::sort(&mut l);
    }
    if reverse {
        l.reverse();
    }
    if unique {
        l.dedup();
    }
    (join(&l), String::new(), 0)
}

pub fn uniq(args: &[String], input: &str) -> Ran {
    let count = args.iter().any(|a| a == "-c");
    let mut out: Vec<(usize, &str)> = vec![];
    for l in lines(input) {
        match out.last_mut() {
            Some((n, last)) if *last == l => *n += 1,
            _ => out.push((1, l)),
        }
    }
    let text: String = out.iter().map(|(n, l)| if count { format!("{n:>7} {l}\n") } else { format!("{l}\n") }).collect();
    (text, String::new(), 0)
}

pub fn cut(args: &[String], input: &str) -> Ran {
    let mut delim = '\t';
    let mut fields: Vec<usize> = vec![];
    // `-c LIST`: character ranges (1-based, inclusive; an open end runs to the line's end).
    let mut chars: Vec<(usize, usize)> = vec![];
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let (flag, val) = if a.len() > 2 && a.starts_with('-') { (&a[..2], Some(a[2..].to_string())) } else { (a.as_str(), None) };
        let val = val.or_else(|| if flag == "-d" || flag == "-f" || flag == "-c" { it.next().cloned() } else { None });
        match (flag, val) {
            ("-c", Some(v)) => {
                for part in v.split(',') {
                    match part.split_once('-') {
                        Some((a, b)) => chars.push((a.parse().unwrap_or(1), b.parse().unwrap_or(usize::MAX))),
                        None => {
                            if let Ok(n) = part.parse() {
                                chars.push((n, n));
                            }
                        }
                    }
                }
            }
            ("-d", Some(v)) => delim = v.chars().next().unwrap_or('\t'),
            ("-f", Some(v)) => {
                for part in v.split(',') {
                    if let Some((a, b)) = part.split_once('-') {
                        let (a, b) = (a.parse().unwrap_or(1), b.parse().unwrap_or(64));
                        fields.extend(a..=b);
                    } else if let Ok(n) = part.parse() {
                        fields.push(n);
                    }
                }
            }
            _ => {}
        }
    }
    let mut out = String::new();
    if !chars.is_empty() {
        for l in lines(input) {
            let picked: String = l.chars().enumerate().filter(|(i, _)| chars.iter().any(|&(a, b)| i + 1 >= a && *i < b)).map(|(_, c)| c).collect();
            out.push_str(&picked);
            out.push('\n');
        }
        return (out, String::new(), 0);
    }
    for l in lines(input) {
        let cols: Vec<&str> = l.split(delim).collect();
        if cols.len() == 1 {
            out.push_str(l);
        } else {
            let picked: Vec<&str> = fields.iter().filter_map(|&f| cols.get(f.wrapping_sub(1)).copied()).collect();
            out.push_str(&picked.join(&delim.to_string()));
        }
        out.push('\n');
    }
    (out, String::new(), 0)
}

/// awk's `[NR>1] {print $1, $3}` subset.
pub fn awk(args: &[String], input: &str) -> Ran {
    let Some(program) = args.iter().find(|a| !a.starts_with('-')) else {
        return (String::new(), "usage: awk [-F fs][-v var=value][prog | -f progfile][file ...]\n".into(), 2);
    };
    let (cond, body) = match program.find('{') {
        Some(i) => (program[..i].trim(), program[i..].trim().trim_start_matches('{').trim_end_matches('}').trim()),
        None => (program.trim(), "print"),
    };
    let Some(print_args) = body.strip_prefix("print") else {
        return (String::new(), format!("awk: unsupported program: {program}\n"), 2);
    };
    let items: Vec<String> = print_args.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    let mut out = String::new();
    for (i, l) in lines(input).iter().enumerate() {
        let nr = i + 1;
        let ok = match cond {
            "" => true,
            c if c.starts_with("NR>") => c[3..].trim().parse::<usize>().is_ok_and(|n| nr > n),
            c if c.starts_with("NR==") => c[4..].trim().parse::<usize>().is_ok_and(|n| nr == n),
            c if c.starts_with('/') && c.ends_with('/') && c.len() >= 2 => regex_match(&c[1..c.len() - 1], l, true),
            _ => true,
        };
        if !ok {
            continue;
        }
        let fields: Vec<&str> = l.split_whitespace().collect();
        let vals: Vec<String> = if items.is_empty() {
            vec![l.to_string()]
        } else {
            items
                .iter()
                .map(|it| {
                    if it == "$0" {
                        l.to_string()
                    } else if let Some(n) = it.strip_prefix('$').and_then(|n| n.parse::<usize>().ok()) {
                        fields.get(n.wrapping_sub(1)).map(|s| s.to_string()).unwrap_or_default()
                    } else if it == "NF" {
                        fields.len().to_string()
                    } else if it == "NR" {
                        nr.to_string()
                    } else {
                        it.trim_matches('"').to_string()
                    }
                })
                .collect()
        };
        out.push_str(&vals.join(" "));
        out.push('\n');
    }
    (out, String::new(), 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    fn a(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }
    #[test]
    fn tools() {
        let input = "NAME STATUS\nweb-1 Running\nweb-2 Pending\ndb-1 Running\n";
        assert_eq!(grep(&a("Running"), input).0, "web-1 Running\ndb-1 Running\n");
        assert_eq!(grep(&a("-v Running"), input).0, "NAME STATUS\nweb-2 Pending\n");
        assert_eq!(grep(&a("-c ^web"), input).0, "2\n");
        assert_eq!(grep(&a("-E web-1|db"), input).0, "web-1 Running\ndb-1 Running\n");
        assert_eq!(head(&a("-n 2"), input).0, "NAME STATUS\nweb-1 Running\n");
        assert_eq!(tail(&a("-n +2"), input).0, "web-1 Running\nweb-2 Pending\ndb-1 Running\n");
        assert_eq!(wc(&a("-l"), input).0, "4\n");
        assert_eq!(awk(&["NR>1 {print $1}".to_string()], input).0, "web-1\nweb-2\ndb-1\n");
        assert_eq!(sort(&[], "b\na\n").0, "a\nb\n");
    }
}
