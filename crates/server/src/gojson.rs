//! The syntax errors of Go's encoding/json (scanner.go), which
//! kube-apiserver quotes when a JSON body does not parse:
//! `invalid character 'b' looking for beginning of object key string`,
//! `unexpected end of JSON input`. serde_json finds the same errors but
//! words them differently, so the server checks syntax with this scanner
//! first.

/// Go's maxNestingDepth.
const MAX_DEPTH: usize = 10_000;

/// scanner.go's parse states: what the innermost container expects next.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Parse {
    ObjectKey,
    ObjectValue,
    ArrayValue,
}

/// Where the scanner is, as scanner.go's step functions.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    BeginValue,
    BeginValueOrEmpty,
    BeginStringOrEmpty,
    BeginString,
    EndValue,
    EndTop,
    InString,
    InStringEsc,
    InStringEscU(u8),
    Neg,
    Zero,
    Num1,
    Dot,
    Dot0,
    E,
    ESign,
    E0,
    /// Inside `true`/`false`/`null`: the rest still expected.
    Literal(&'static [u8], &'static str),
}

/// scanner.go quoteChar.
fn quote_char(c: u8) -> String {
    match c {
        b'\'' => r"'\''".to_string(),
        b'"' => "'\"'".to_string(),
        0x07 => r"'\a'".into(),
        0x08 => r"'\b'".into(),
        0x0c => r"'\f'".into(),
        b'\n' => r"'\n'".into(),
        b'\r' => r"'\r'".into(),
        b'\t' => r"'\t'".into(),
        0x0b => r"'\v'".into(),
        b'\\' => r"'\\'".into(),
        c if c < 0x20 || c == 0x7f => format!("'\\x{c:02x}'"),
        // strconv.Quote(string(c)) of a byte ≥ 0x80 quotes the rune U+00XX.
        c if (0x80..0xa0).contains(&c) => format!("'\\u{c:04x}'"),
        c => format!("'{}'", c as char),
    }
}

fn invalid(c: u8, context: &str) -> String {
    format!("invalid character {} {context}", quote_char(c))
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

/// The error Go's json.Unmarshal reports for malformed input, if any
/// (`checkValid`); `None` when `data` is one well-formed JSON value.
pub fn syntax_error(data: &[u8]) -> Option<String> {
    let mut stack: Vec<Parse> = vec![];
    let mut state = State::BeginValue;
    for &c in data {
        // A value just ended: its successor is read in the end state.
        let mut again = true;
        while again {
            again = false;
            state = match state {
                State::BeginValueOrEmpty | State::BeginValue if is_space(c) => state,
                State::BeginValueOrEmpty if c == b']' => end_container(&mut stack),
                State::BeginValueOrEmpty | State::BeginValue => match c {
                    b'{' => {
                        stack.push(Parse::ObjectKey);
                        if stack.len() > MAX_DEPTH {
                            return Some("exceeded max depth".into());
                        }
                        State::BeginStringOrEmpty
                    }
                    b'[' => {
                        stack.push(Parse::ArrayValue);
                        if stack.len() > MAX_DEPTH {
                            return Some("exceeded max depth".into());
                        }
                        State::BeginValueOrEmpty
                    }
                    b'"' => State::InString,
                    b'-' => State::Neg,
                    b'0' => State::Zero,
                    b'1'..=b'9' => State::Num1,
                    b't' => State::Literal(b"rue", "true"),
                    b'f' => State::Literal(b"alse", "false"),
                    b'n' => State::Literal(b"ull", "null"),
                    _ => return Some(invalid(c, "looking for beginning of value")),
                },
                State::BeginStringOrEmpty if is_space(c) => state,
                State::BeginStringOrEmpty if c == b'}' => end_container(&mut stack),
                State::BeginStringOrEmpty | State::BeginString => match c {
                    _ if is_space(c) => state,
                    b'"' => State::InString,
                    _ => return Some(invalid(c, "looking for beginning of object key string")),
                },
                State::InString => match c {
                    b'"' => State::EndValue,
                    b'\\' => State::InStringEsc,
                    c if c < 0x20 => return Some(invalid(c, "in string literal")),
                    _ => state,
                },
                State::InStringEsc => match c {
                    b'b' | b'f' | b'n' | b'r' | b't' | b'\\' | b'/' | b'"' => State::InString,
                    b'u' => State::InStringEscU(0),
                    _ => return Some(invalid(c, "in string escape code")),
                },
                State::InStringEscU(n) => {
                    if !c.is_ascii_hexdigit() {
                        return Some(invalid(c, "in \\u hexadecimal character escape"));
                    }
                    if n == 3 { State::InString } else { State::InStringEscU(n + 1) }
                }
                State::Neg => match c {
                    b'0' => State::Zero,
                    b'1'..=b'9' => State::Num1,
                    _ => return Some(invalid(c, "in numeric literal")),
                },
                State::Num1 if c.is_ascii_digit() => state,
                State::Num1 | State::Zero => match c {
                    b'.' => State::Dot,
                    b'e' | b'E' => State::E,
                    _ => {
                        again = true;
                        State::EndValue
                    }
                },
                State::Dot => match c {
                    b'0'..=b'9' => State::Dot0,
                    _ => return Some(invalid(c, "after decimal point in numeric literal")),
                },
                State::Dot0 => match c {
                    b'0'..=b'9' => state,
                    b'e' | b'E' => State::E,
                    _ => {
                        again = true;
                        State::EndValue
                    }
                },
                State::E => match c {
                    b'+' | b'-' => State::ESign,
                    b'0'..=b'9' => State::E0,
                    _ => return Some(invalid(c, "in exponent of numeric literal")),
                },
                State::ESign => match c {
                    b'0'..=b'9' => State::E0,
                    _ => return Some(invalid(c, "in exponent of numeric literal")),
                },
                State::E0 => match c {
                    b'0'..=b'9' => state,
                    _ => {
                        again = true;
                        State::EndValue
                    }
                },
                State::Literal(rest, word) => {
                    if c != rest[0] {
                        return Some(invalid(c, &format!("in literal {word} (expecting {})", quote_char(rest[0]))));
                    }
                    if rest.len() == 1 { State::EndValue } else { State::Literal(&rest[1..], word) }
                }
                State::EndValue => match stack.last().copied() {
                    None => {
                        again = true;
                        State::EndTop
                    }
                    _ if is_space(c) => state,
                    Some(Parse::ObjectKey) => match c {
                        b':' => {
                            *stack.last_mut()? = Parse::ObjectValue;
                            State::BeginValue
                        }
                        _ => return Some(invalid(c, "after object key")),
                    },
                    Some(Parse::ObjectValue) => match c {
                        b',' => {
                            *stack.last_mut()? = Parse::ObjectKey;
                            State::BeginString
                        }
                        b'}' => end_container(&mut stack),
                        _ => return Some(invalid(c, "after object key:value pair")),
                    },
                    Some(Parse::ArrayValue) => match c {
                        b',' => State::BeginValue,
                        b']' => end_container(&mut stack),
                        _ => return Some(invalid(c, "after array element")),
                    },
                },
                State::EndTop => {
                    if !is_space(c) {
                        return Some(invalid(c, "after top-level value"));
                    }
                    state
                }
            };
        }
    }
    match state {
        State::EndValue if stack.is_empty() => None,
        State::EndTop | State::Zero | State::Num1 | State::Dot0 | State::E0 if stack.is_empty() => None,
        _ => Some("unexpected end of JSON input".into()),
    }
}

fn end_container(stack: &mut Vec<Parse>) -> State {
    stack.pop();
    State::EndValue
}

#[cfg(test)]
mod tests {
    use super::syntax_error;

    #[test]
    fn go_messages() {
        let cases: Vec<(&str, Option<&str>)> = vec![
            (r#"{"a": [1, 2.5e-3, true, null, "x\u00e9"]}"#, None),
            ("  7 ", None),
            ("{bad", Some("invalid character 'b' looking for beginning of object key string")),
            ("", Some("unexpected end of JSON input")),
            (r#"{"a":"#, Some("unexpected end of JSON input")),
            (r#"{"a" 1}"#, Some("invalid character '1' after object key")),
            (r#"{"a":1 "b"}"#, Some("invalid character '\"' after object key:value pair")),
            ("[1 2]", Some("invalid character '2' after array element")),
            ("{} x", Some("invalid character 'x' after top-level value")),
            ("tru", Some("unexpected end of JSON input")),
            ("trux", Some("invalid character 'x' in literal true (expecting 'e')")),
            ("-x", Some("invalid character 'x' in numeric literal")),
            ("1.x", Some("invalid character 'x' after decimal point in numeric literal")),
            ("\"a\tb\"", Some("invalid character '\\t' in string literal")),
            ("\"\\q\"", Some("invalid character 'q' in string escape code")),
            ("'a'", Some("invalid character '\\'' looking for beginning of value")),
        ];
        for (input, want) in cases {
            assert_eq!(syntax_error(input.as_bytes()).as_deref(), want, "{input:?}");
        }
    }
}
