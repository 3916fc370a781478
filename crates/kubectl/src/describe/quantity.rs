//! Resource quantities the way describe prints and sums them:
//! resource.Quantity's arithmetic (Add keeps the first operand's format)
//! and its canonical `String()` (apimachinery pkg/api/resource/quantity.go
//! CanonicalizeBytes). Values are held in milli-units, which is exact for
//! every quantity a pod spec or a node status carries in practice.

use apimachinery::k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use apimachinery::quantity::parse_milli;
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    DecimalSI,
    BinarySI,
    DecimalExponent,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Qty {
    pub milli: i128,
    pub format: Format,
}

impl Default for Qty {
    fn default() -> Self {
        Qty { milli: 0, format: Format::DecimalSI }
    }
}

impl Qty {
    /// Parses a quantity; an unparsable one counts as zero (the API server
    /// never stores one).
    pub fn parse(s: &str) -> Qty {
        let s = s.trim();
        let suffix_start = s.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-')).unwrap_or(s.len());
        let suffix = &s[suffix_start..];
        let format = if suffix.ends_with('i') {
            Format::BinarySI
        } else if suffix.starts_with('e') || suffix.starts_with('E') {
            Format::DecimalExponent
        } else {
            Format::DecimalSI
        };
        Qty { milli: parse_milli(s).unwrap_or(0), format }
    }

    pub fn of(q: &Quantity) -> Qty {
        Qty::parse(&q.0)
    }

    /// Quantity.Add: a zero receiver takes the other's format.
    pub fn add(&mut self, other: Qty) {
        if self.milli == 0 {
            self.format = other.format;
        }
        self.milli += other.milli;
    }

    /// Quantity.MilliValue.
    pub fn milli_value(self) -> i128 {
        self.milli
    }

    /// Quantity.Value: rounded up to a whole unit.
    pub fn value(self) -> i128 {
        (self.milli + 999).div_euclid(1000)
    }
}

impl std::fmt::Display for Qty {
    /// Quantity.String(): the canonical form (`100m`, `1500m`, `2`, `70Mi`,
    /// `1536Mi`, `2Gi`, `129M`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.milli == 0 {
            return f.write_str("0");
        }
        let mut format = self.format;
        if format == Format::BinarySI && (self.milli.abs() < 1024 * 1000 || self.milli % 1000 != 0) {
            // Small or fractional binary quantities print as decimal ones.
            format = Format::DecimalSI;
        }
        if format == Format::BinarySI {
            let mut v = self.milli / 1000;
            let mut exp = 0;
            while exp < 6 && v % 1024 == 0 {
                v /= 1024;
                exp += 1;
            }
            let suffix = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"][exp];
            return write!(f, "{v}{suffix}");
        }
        // int64Amount.AsCanonicalBytes: strip factors of ten, then lower the
        // exponent to a multiple of three.
        let mut mantissa = self.milli;
        let mut exponent: i32 = -3;
        while mantissa % 10 == 0 {
            mantissa /= 10;
            exponent += 1;
        }
        match exponent.rem_euclid(3) {
            1 => {
                mantissa *= 10;
                exponent -= 1;
            }
            2 => {
                mantissa *= 100;
                exponent -= 2;
            }
            _ => {}
        }
        if format == Format::DecimalExponent {
            return if exponent == 0 { write!(f, "{mantissa}") } else { write!(f, "{mantissa}e{exponent}") };
        }
        let suffix = match exponent {
            -3 => "m",
            0 => "",
            3 => "k",
            6 => "M",
            9 => "G",
            12 => "T",
            15 => "P",
            18 => "E",
            _ => return write!(f, "{mantissa}e{exponent}"),
        };
        write!(f, "{mantissa}{suffix}")
    }
}

/// A ResourceList as quantities.
pub type Resources = BTreeMap<String, Qty>;

pub fn resources(list: Option<&BTreeMap<String, Quantity>>) -> Resources {
    list.into_iter().flatten().map(|(k, v)| (k.clone(), Qty::of(v))).collect()
}

/// addResourceList (component-helpers resource/helpers.go).
pub fn add_list(into: &mut Resources, other: &Resources) {
    for (k, v) in other {
        match into.get_mut(k) {
            Some(q) => q.add(*v),
            None => {
                into.insert(k.clone(), *v);
            }
        }
    }
}

/// maxResourceList: each resource takes the larger value.
pub fn max_list(into: &mut Resources, other: &Resources) {
    for (k, v) in other {
        match into.get(k) {
            Some(q) if q.milli >= v.milli => {}
            _ => {
                into.insert(k.clone(), *v);
            }
        }
    }
}

/// The canonical string of a stored quantity.
pub fn canonical(q: &Quantity) -> String {
    Qty::of(q).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_forms() {
        let c = |s: &str| Qty::parse(s).to_string();
        let got: Vec<String> = ["100m", "0.5", "1000m", "1500m", "2", "70Mi", "1024Mi", "1536Mi", "512", "16318412Ki", "129e6", "1e3", "1k", "0", "128974848", "1.5Gi", "0.1Ki"]
            .iter()
            .map(|s| c(s))
            .collect();
        assert_eq!(got, ["100m", "500m", "1", "1500m", "2", "70Mi", "1Gi", "1536Mi", "512", "16318412Ki", "129e6", "1e3", "1k", "0", "128974848", "1536Mi", "102400m"]);
        let mut sum = Qty::parse("70Mi");
        sum.add(Qty::parse("170Mi"));
        assert_eq!(sum.to_string(), "240Mi");
        let mut zero = Qty::default();
        zero.add(Qty::parse("64Mi"));
        assert_eq!(zero.to_string(), "64Mi");
        assert_eq!(Qty::parse("1Ki").value(), 1024);
    }
}
