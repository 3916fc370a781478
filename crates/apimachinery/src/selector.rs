//! Label selectors (equality- and set-based, k8s.io/apimachinery/pkg/labels)
//! and field selectors (pkg/fields).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use std::collections::BTreeMap;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Equals,
    DoubleEquals,
    NotEquals,
    In,
    NotIn,
    Exists,
    DoesNotExist,
    GreaterThan,
    LessThan,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    pub key: String,
    pub op: Op,
    pub values: Vec<String>,
}

impl Requirement {
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        let v = labels.get(&self.key);
        match self.op {
            Op::Equals | Op::DoubleEquals | Op::In => v.is_some_and(|v| self.values.contains(v)),
            Op::NotEquals | Op::NotIn => v.is_none_or(|v| !self.values.contains(v)),
            Op::Exists => v.is_some(),
            Op::DoesNotExist => v.is_none(),
            Op::GreaterThan | Op::LessThan => {
                let (Some(v), Some(bound)) = (v.and_then(|v| v.parse::<i64>().ok()), self.values.first().and_then(|b| b.parse::<i64>().ok())) else {
                    return false;
                };
                if self.op == Op::GreaterThan { v > bound } else { v < bound }
            }
        }
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sorted = self.values.clone();
        crate::sort::sort(&mut sorted);
        match self.op {
            Op::Equals => write!(f, "{}={}", self.key, sorted.join(",")),
            Op::DoubleEquals => write!(f, "{}=={}", self.key, sorted.join(",")),
            Op::NotEquals => write!(f, "{}!={}", self.key, sorted.join(",")),
            Op::In => write!(f, "{} in ({})", self.key, sorted.join(",")),
            Op::NotIn => write!(f, "{} notin ({})", self.key, sorted.join(",")),
            Op::Exists => write!(f, "{}", self.key),
            Op::DoesNotExist => write!(f, "!{}", self.key),
            Op::GreaterThan => write!(f, "{}>{}", self.key, sorted.join(",")),
            Op::LessThan => write!(f, "{}<{}", self.key, sorted.join(",")),
        }
    }
}

/// A parsed label selector; no requirements selects everything.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Selector {
    pub requirements: Vec<Requirement>,
    /// `labels.Nothing()`: matches no object (a nil LabelSelector in some APIs).
    pub nothing: bool,
}

impl Selector {
    pub fn everything() -> Selector {
        Selector::default()
    }
    pub fn nothing() -> Selector {
        Selector { requirements: vec![], nothing: true }
    }
    pub fn is_everything(&self) -> bool {
        !self.nothing && self.requirements.is_empty()
    }
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        !self.nothing && self.requirements.iter().all(|r| r.matches(labels))
    }
    /// `labels.SelectorFromSet`: equality on every pair.
    pub fn from_map(map: &BTreeMap<String, String>) -> Selector {
        let requirements = map.iter().map(|(k, v)| Requirement { key: k.clone(), op: Op::Equals, values: vec![v.clone()] }).collect();
        Selector { requirements, nothing: false }
    }
    /// metav1.LabelSelectorAsSelector. An empty LabelSelector selects everything.
    pub fn from_label_selector(ls: &LabelSelector) -> Result<Selector, String> {
        let mut requirements = vec![];
        for (k, v) in ls.match_labels.iter().flatten() {
            requirements.push(Requirement { key: k.clone(), op: Op::Equals, values: vec![v.clone()] });
        }
        for expr in ls.match_expressions.iter().flatten() {
            let values = expr.values.clone().unwrap_or_default();
            let op = match expr.operator.as_str() {
                "In" => Op::In,
                "NotIn" => Op::NotIn,
                "Exists" => Op::Exists,
                "DoesNotExist" => Op::DoesNotExist,
                other => return Err(format!("{other:?} is not a valid label selector operator")),
            };
            requirements.push(Requirement { key: expr.key.clone(), op, values });
        }
        crate::sort::sort_by(&mut requirements, |a, b| a.key.cmp(&b.key));
        Ok(Selector { requirements, nothing: false })
    }

    /// labels.Parse: `a=b,c!=d,e in (f,g),!h,i`.
    pub fn parse(input: &str) -> Result<Selector, String> {
        let mut p = Parser { chars: input.chars().collect(), pos: 0 };
        let mut requirements = vec![];
        p.skip_ws();
        if p.at_end() {
            return Ok(Selector::everything());
        }
        loop {
            requirements.push(p.requirement()?);
            p.skip_ws();
            if p.at_end() {
                break;
            }
            if !p.eat(',') {
                return Err(format!("found '{}', expected: ',' or 'end of string'", p.rest_token()));
            }
        }
        crate::sort::sort_by(&mut requirements, |a, b| a.key.cmp(&b.key));
        Ok(Selector { requirements, nothing: false })
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.requirements.iter().map(|r| r.to_string()).collect();
        f.write_str(&parts.join(","))
    }
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn at_end(&self) -> bool {
        self.pos >= self.chars.len()
    }
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }
    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn skip_ws(&mut self) {
        while self.peek().is_some_and(|c| c.is_whitespace()) {
            self.pos += 1;
        }
    }
    fn rest_token(&self) -> String {
        self.chars[self.pos..].iter().take_while(|c| !c.is_whitespace() && **c != ',').collect()
    }
    fn ident(&mut self) -> String {
        let start = self.pos;
        while self.peek().is_some_and(|c| !c.is_whitespace() && !"!=,()<>".contains(c)) {
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect()
    }
    fn requirement(&mut self) -> Result<Requirement, String> {
        self.skip_ws();
        if self.eat('!') {
            self.skip_ws();
            let key = self.ident();
            if key.is_empty() {
                return Err("found '', expected: identifier".into());
            }
            return Ok(Requirement { key, op: Op::DoesNotExist, values: vec![] });
        }
        let key = self.ident();
        if key.is_empty() {
            return Err(format!("found '{}', expected: !, identifier, or 'end of string'", self.rest_token()));
        }
        let key_errs = crate::names::qualified_name(&key);
        if let Some(e) = key_errs.first() {
            return Err(format!("key: Invalid value: {:?}: {}", key, e));
        }
        self.skip_ws();
        if self.at_end() || self.peek() == Some(',') {
            return Ok(Requirement { key, op: Op::Exists, values: vec![] });
        }
        let op = if self.eat('=') {
            if self.eat('=') { Op::DoubleEquals } else { Op::Equals }
        } else if self.eat('!') {
            if !self.eat('=') {
                return Err("found '!', expected: '='".into());
            }
            Op::NotEquals
        } else if self.eat('>') {
            Op::GreaterThan
        } else if self.eat('<') {
            Op::LessThan
        } else {
            let word = self.ident();
            match word.as_str() {
                "in" => Op::In,
                "notin" => Op::NotIn,
                other => return Err(format!("found '{other}', expected: in, notin, =, ==, !=, gt, lt")),
            }
        };
        self.skip_ws();
        let values = if matches!(op, Op::In | Op::NotIn) {
            if !self.eat('(') {
                // labels/selector.go parseValues (no comma in this one).
                return Err(format!("found '{}' expected: '('", self.rest_token()));
            }
            let mut vals = vec![];
            loop {
                self.skip_ws();
                let v = self.ident();
                vals.push(v);
                self.skip_ws();
                if self.eat(')') {
                    break;
                }
                if !self.eat(',') {
                    // labels/selector.go parseIdentifiersList.
                    return Err(format!("found '{}', expected: ',' or ')'", self.rest_token()));
                }
            }
            vals
        } else {
            vec![self.ident()]
        };
        for v in &values {
            if let Some(e) = crate::names::label_value(v).first() {
                return Err(format!("values[0][{key}]: Invalid value: {v:?}: {e}"));
            }
        }
        Ok(Requirement { key, op, values })
    }
}

/// One term of a field selector: `spec.nodeName=w1`, `status.phase!=Failed`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldRequirement {
    pub field: String,
    pub equals: bool,
    pub value: String,
}

/// fields.ParseSelector. Terms are ANDed.
pub fn parse_field_selector(input: &str) -> Result<Vec<FieldRequirement>, String> {
    let mut out = vec![];
    for term in input.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        let (field, equals, value) = if let Some((f, v)) = term.split_once("!=") {
            (f, false, v)
        } else if let Some((f, v)) = term.split_once("==") {
            (f, true, v)
        } else if let Some((f, v)) = term.split_once('=') {
            (f, true, v)
        } else {
            return Err(format!("invalid selector: '{term}'; can't understand '{term}'"));
        };
        out.push(FieldRequirement { field: field.trim().to_string(), equals, value: value.trim().to_string() });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }
    #[test]
    fn set_based() {
        let s = Selector::parse("app in (web, api),tier!=db,!canary,env").unwrap();
        assert_eq!(s.to_string(), "app in (api,web),!canary,env,tier!=db");
        assert!(s.matches(&labels(&[("app", "web"), ("env", "x")])));
        assert!(!s.matches(&labels(&[("app", "web"), ("env", "x"), ("canary", "1")])));
        assert!(!s.matches(&labels(&[("app", "db"), ("env", "x")])));
        assert!(Selector::parse("app=").is_ok());
        assert!(Selector::parse("a b").is_err());
    }
}
