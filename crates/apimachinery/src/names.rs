//! Name and label validation with the messages of
//! k8s.io/apimachinery/pkg/util/validation (names: "characters") and
//! k8s.io/apimachinery/pkg/api/validate/content (label keys and values:
//! "bytes", since 1.35), and the random suffixes of util/rand.

/// util/rand's alphabet: no vowels (no accidental words), no confusable 0/1/3.
pub const SUFFIX_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

const DNS1123_LABEL_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_SUBDOMAIN_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const LABEL_KEY_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const LABEL_KEY_ERR: &str = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

/// validation.RegexError: `msg (e.g. 'a',  or 'b', regex used for validation is 'fmt')`.
/// The doubled space after each comma but the last is Kubernetes' own.
pub fn regex_error(msg: &str, fmt: &str, examples: &[&str]) -> String {
    if examples.is_empty() {
        return format!("{msg} (regex used for validation is '{fmt}')");
    }
    let mut s = format!("{msg} (e.g. ");
    for (i, e) in examples.iter().enumerate() {
        if i > 0 {
            s.push_str(" or ");
        }
        s.push_str(&format!("'{e}', "));
    }
    s.push_str(&format!("regex used for validation is '{fmt}')"));
    s
}

fn is_lower_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

fn matches_dns_label(s: &str, first_alpha: bool) -> bool {
    let b = s.as_bytes();
    let Some((&first, &last)) = b.first().zip(b.last()) else { return false };
    let first_ok = if first_alpha { first.is_ascii_lowercase() } else { is_lower_alnum(first) };
    first_ok && is_lower_alnum(last) && b.iter().all(|&c| is_lower_alnum(c) || c == b'-')
}

fn matches_dns_subdomain(s: &str) -> bool {
    !s.is_empty() && s.split('.').all(|part| matches_dns_label(part, false))
}

/// IsDNS1123Label, including the `must not contain dots` case for values
/// that are valid subdomains.
pub fn dns1123_label(s: &str) -> Vec<String> {
    let mut errs = vec![];
    if s.len() > 63 {
        errs.push("must be no more than 63 characters".to_string());
    }
    if !matches_dns_label(s, false) {
        if matches_dns_subdomain(s) {
            errs.push("must not contain dots".to_string());
        } else {
            errs.push(regex_error(
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
                DNS1123_LABEL_FMT,
                &["my-name", "123-abc"],
            ));
        }
    }
    errs
}

/// IsDNS1123Subdomain (util/validation flavour, "characters").
pub fn dns1123_subdomain(s: &str) -> Vec<String> {
    subdomain_with_unit(s, "characters")
}

fn subdomain_with_unit(s: &str, unit: &str) -> Vec<String> {
    let mut errs = vec![];
    if s.len() > 253 {
        errs.push(format!("must be no more than 253 {unit}"));
    }
    if !matches_dns_subdomain(s) {
        errs.push(regex_error(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
            DNS1123_SUBDOMAIN_FMT,
            &["example.com"],
        ));
    }
    errs
}

/// IsDNS1035Label (Service names).
pub fn dns1035_label(s: &str) -> Vec<String> {
    let mut errs = vec![];
    if s.len() > 63 {
        errs.push("must be no more than 63 characters".to_string());
    }
    if !matches_dns_label(s, true) {
        errs.push(regex_error(
            "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
            "[a-z]([-a-z0-9]*[a-z0-9])?",
            &["my-name", "abc-123"],
        ));
    }
    errs
}

/// content.IsLabelKey (also IsQualifiedName): `[prefix/]name`.
pub fn label_key(value: &str) -> Vec<String> {
    let parts: Vec<&str> = value.split('/').collect();
    let mut errs = vec![];
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                errs.push("prefix part must be non-empty".to_string());
            } else {
                errs.extend(subdomain_with_unit(prefix, "bytes").into_iter().map(|m| format!("prefix part {m}")));
            }
            *name
        }
        _ => {
            return vec![format!(
                "a valid label key {} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
                regex_error(LABEL_KEY_ERR, LABEL_KEY_FMT, &["MyName", "my.name", "123-abc"])
            )];
        }
    };
    if name.is_empty() {
        errs.push("name part must be non-empty".to_string());
    } else if name.len() > 63 {
        errs.push("name part must be no more than 63 bytes".to_string());
    }
    if !matches_label_key(name) {
        errs.push(format!("name part {}", regex_error(LABEL_KEY_ERR, LABEL_KEY_FMT, &["MyName", "my.name", "123-abc"])));
    }
    errs
}

fn matches_label_key(s: &str) -> bool {
    let b = s.as_bytes();
    let Some((&first, &last)) = b.first().zip(b.last()) else { return false };
    first.is_ascii_alphanumeric() && last.is_ascii_alphanumeric() && b.iter().all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// content.IsLabelValue.
pub fn label_value(value: &str) -> Vec<String> {
    let mut errs = vec![];
    if value.len() > 63 {
        errs.push("must be no more than 63 bytes".to_string());
    }
    if !value.is_empty() && !matches_label_key(value) {
        errs.push(regex_error(
            "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
            "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?",
            &["MyValue", "my_value", "12345"],
        ));
    }
    errs
}

/// IsConfigMapKey (ConfigMap and Secret data keys).
pub fn config_map_key(value: &str) -> Vec<String> {
    let mut errs = vec![];
    if value.len() > 253 {
        errs.push("must be no more than 253 characters".to_string());
    }
    let ok = !value.is_empty() && value.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'));
    if !ok {
        errs.push(regex_error(
            "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
            "[-._a-zA-Z0-9]+",
            &["key.name", "KEY_NAME", "key-name"],
        ));
    }
    match value {
        "." => errs.push("must not be '.'".to_string()),
        ".." => errs.push("must not be '..'".to_string()),
        v if v.starts_with("..") => errs.push("must not start with '..'".to_string()),
        _ => {}
    }
    errs
}

/// IsValidPortName: IANA service names.
pub fn port_name(port: &str) -> Vec<String> {
    let mut errs = vec![];
    if port.len() > 15 {
        errs.push("must be no more than 15 characters".to_string());
    }
    if port.is_empty() || !port.bytes().all(|c| is_lower_alnum(c) || c == b'-') {
        errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)".to_string());
    }
    if !port.bytes().any(|c| c.is_ascii_lowercase()) {
        errs.push("must contain at least one letter (a-z)".to_string());
    }
    if port.contains("--") {
        errs.push("must not contain consecutive hyphens".to_string());
    }
    if port.starts_with('-') || port.ends_with('-') {
        errs.push("must not begin or end with a hyphen".to_string());
    }
    errs
}

/// IsRelaxedEnvVarName (RelaxedEnvironmentVariableValidation is GA).
pub fn env_var_name(value: &str) -> Vec<String> {
    let mut errs = vec![];
    if value.is_empty() {
        errs.push("environment variable name must be non-empty".to_string());
    }
    if value.chars().any(|c| !c.is_ascii() || c.is_ascii_control() || c == '=') {
        errs.push("a valid environment variable name must consist only of printable ASCII characters other than '='".to_string());
    }
    errs
}

/// IsValidPercent.
pub fn percent(value: &str) -> Vec<String> {
    let ok = value.strip_suffix('%').is_some_and(|d| !d.is_empty() && d.bytes().all(|c| c.is_ascii_digit()));
    if ok { vec![] } else { vec![regex_error("a valid percent string must be a numeric string followed by an ending '%'", "[0-9]+%", &["1%", "93%"])] }
}

/// `must be between 1 and 65535, inclusive` (IsValidPortNum).
pub fn port_num(port: i64) -> Option<String> {
    (!(1..=65535).contains(&port)).then(|| "must be between 1 and 65535, inclusive".to_string())
}

/// An IntOrString as Go's JSON marshals it (a bare number or a quoted string).

/// A qualified name (label and annotation keys): content.IsLabelKey.
pub fn qualified_name(value: &str) -> Vec<String> {
    label_key(value)
}
