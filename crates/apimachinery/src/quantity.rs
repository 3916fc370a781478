//! Resource quantities (`100m`, `0.5`, `128Mi`, `1G`) as integers, the way
//! the scheduler and `describe node` account CPU (millicores) and memory (bytes).

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

/// Parses a quantity and returns its value × 1000, rounded up (as
/// resource.Quantity.MilliValue does). `None` if it is not a quantity.
pub fn parse_milli(q: &str) -> Option<i128> {
    let q = q.trim();
    if q.is_empty() || q.len() > 64 {
        return None;
    }
    let split = q.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-')).unwrap_or(q.len());
    let (num, suffix) = q.split_at(split);
    let (neg, num) = match num.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, num.strip_prefix('+').unwrap_or(num)),
    };
    let (int_part, frac_part) = num.split_once('.').unwrap_or((num, ""));
    if (int_part.is_empty() && frac_part.is_empty()) || !int_part.bytes().all(|b| b.is_ascii_digit()) || !frac_part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // value = mantissa / 10^frac_len; work in units of 10^-9 to stay exact.
    let mut mantissa: i128 = 0;
    for b in int_part.bytes().chain(frac_part.bytes()) {
        mantissa = mantissa.checked_mul(10)?.checked_add((b - b'0') as i128)?;
    }
    let frac_len = frac_part.len() as u32;
    let (mul, div): (i128, i128) = match suffix {
        "" => (1, 1),
        "n" => (1, 1_000_000_000),
        "u" => (1, 1_000_000),
        "m" => (1, 1000),
        "k" => (1_000, 1),
        "M" => (1_000_000, 1),
        "G" => (1_000_000_000, 1),
        "T" => (1_000_000_000_000, 1),
        "P" => (1_000_000_000_000_000, 1),
        "E" => (1_000_000_000_000_000_000, 1),
        "Ki" => (1 << 10, 1),
        "Mi" => (1 << 20, 1),
        "Gi" => (1 << 30, 1),
        "Ti" => (1 << 40, 1),
        "Pi" => (1 << 50, 1),
        "Ei" => (1 << 60, 1),
        s if s.starts_with('e') || s.starts_with('E') => {
            let exp: i32 = s[1..].parse().ok()?;
            if !(0..=18).contains(&exp) {
                return None;
            }
            (10i128.pow(exp as u32), 1)
        }
        _ => return None,
    };
    let numerator = mantissa.checked_mul(mul)?.checked_mul(1000)?;
    let denominator = div.checked_mul(10i128.checked_pow(frac_len)?)?;
    let v = (numerator + denominator - 1) / denominator;
    Some(if neg { -v } else { v })
}

/// A quantity's value rounded up to an integer (resource.Quantity.Value).
pub fn parse_value(q: &str) -> Option<i128> {
    parse_milli(q).map(|m| (m + 999).div_euclid(1000))
}

pub fn milli(q: &Quantity) -> i128 {
    parse_milli(&q.0).unwrap_or(0)
}

pub fn value(q: &Quantity) -> i128 {
    parse_value(&q.0).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn parses() {
        assert_eq!(parse_milli("100m"), Some(100));
        assert_eq!(parse_milli("0.5"), Some(500));
        assert_eq!(parse_milli("2"), Some(2000));
        assert_eq!(parse_value("128Mi"), Some(128 * 1024 * 1024));
        assert_eq!(parse_value("1G"), Some(1_000_000_000));
        assert_eq!(parse_value("1e3"), Some(1000));
        assert_eq!(parse_milli("abc"), None);
        assert_eq!(parse_milli("1Zi"), None);
    }
}
