//! Durations as Kubernetes prints them: apimachinery's util/duration
//! (`HumanDuration` for AGE columns, `ShortHumanDuration` for describe's
//! event ages) and Go's `time.Duration.String()` (kubelet event messages).

use jiff::SignedDuration;

/// duration.HumanDuration: ~2-3 significant figures (`45s`, `2m30s`, `5h`, `3d4h`).
pub fn human(d: SignedDuration) -> String {
    let secs = d.as_secs();
    if secs < -1 {
        return "<invalid>".into();
    } else if secs < 0 {
        return "0s".into();
    } else if secs < 60 * 2 {
        return format!("{secs}s");
    }
    let minutes = secs / 60;
    if minutes < 10 {
        let s = secs % 60;
        return if s == 0 { format!("{minutes}m") } else { format!("{minutes}m{s}s") };
    } else if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = secs / 3600;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 { format!("{hours}h") } else { format!("{hours}h{m}m") };
    } else if hours < 48 {
        return format!("{hours}h");
    } else if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 { format!("{}d", hours / 24) } else { format!("{}d{}h", hours / 24, h) };
    } else if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    } else if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        return if dy == 0 { format!("{}y", hours / 24 / 365) } else { format!("{}y{}d", hours / 24 / 365, dy) };
    }
    format!("{}y", hours / 24 / 365)
}

/// duration.ShortHumanDuration: one unit (`45s`, `2m`, `5h`, `3d`, `2y`).
pub fn short_human(d: SignedDuration) -> String {
    let secs = d.as_secs();
    if secs < -1 {
        "<invalid>".into()
    } else if secs < 0 {
        "0s".into()
    } else if secs < 60 {
        format!("{secs}s")
    } else if secs / 60 < 60 {
        format!("{}m", secs / 60)
    } else if secs / 3600 < 24 {
        format!("{}h", secs / 3600)
    } else if secs / 3600 < 24 * 365 {
        format!("{}d", secs / 3600 / 24)
    } else {
        format!("{}y", secs / 3600 / 24 / 365)
    }
}

/// Go's `time.Duration.String()`: `1.5s`, `2m3.25s`, `1h0m0s`, `450ms`, `0s`.
pub fn go_string(d: SignedDuration) -> String {
    let nanos_total = d.as_nanos();
    if nanos_total == 0 {
        return "0s".into();
    }
    let neg = nanos_total < 0;
    let n = nanos_total.unsigned_abs();
    let sign = if neg { "-" } else { "" };
    if n < 1_000_000_000 {
        // Sub-second: the largest unit that keeps an integer part.
        let (unit, scale) = if n < 1_000 { ("ns", 1u128) } else if n < 1_000_000 { ("µs", 1_000) } else { ("ms", 1_000_000) };
        return format!("{sign}{}{unit}", frac(n, scale));
    }
    let hours = n / 3_600_000_000_000;
    let rem = n % 3_600_000_000_000;
    let minutes = rem / 60_000_000_000;
    let sec_nanos = rem % 60_000_000_000;
    let secs = frac(sec_nanos, 1_000_000_000);
    if hours > 0 {
        format!("{sign}{hours}h{minutes}m{secs}s")
    } else if minutes > 0 {
        format!("{sign}{minutes}m{secs}s")
    } else {
        format!("{sign}{secs}s")
    }
}

/// `n / scale` with the fraction's trailing zeros removed.
fn frac(n: u128, scale: u128) -> String {
    let int = n / scale;
    let f = n % scale;
    if f == 0 {
        return int.to_string();
    }
    let width = scale.to_string().len() - 1;
    let digits = format!("{:0width$}", f, width = width);
    format!("{int}.{}", digits.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn formats() {
        let s = SignedDuration::from_secs;
        let got: Vec<String> = [0, 59, 119, 120, 150, 600, 10799, 10800, 28799, 28800, 172800, 190800, 86400 * 800, 86400 * 3000]
            .iter()
            .map(|&x| human(s(x)))
            .collect();
        assert_eq!(got, ["0s", "59s", "119s", "2m", "2m30s", "10m", "179m", "3h", "7h59m", "8h", "2d", "2d5h", "2y70d", "8y"]);
        assert_eq!(short_human(s(3700)), "1h");
        assert_eq!(go_string(SignedDuration::from_millis(5234)), "5.234s");
        assert_eq!(go_string(SignedDuration::from_millis(450)), "450ms");
        assert_eq!(go_string(SignedDuration::from_secs(3600)), "1h0m0s");
        assert_eq!(go_string(SignedDuration::from_millis(62500)), "1m2.5s");
    }
}
