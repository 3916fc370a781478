//! π to N significant digits, as `perl -Mbignum=bpi -wle "print bpi(N)"`
//! prints it (Math::BigFloat->bpi rounds to N significant digits), for the
//! course's pi Job. Machin's formula π = 16·atan(1/5) − 4·atan(1/239) over
//! base-10⁹ fixed-point limbs: exact integer arithmetic, no floats.

/// Largest N computed (the perl Job asks for 2000).
pub const MAX_DIGITS: usize = 20_000;
const BASE: u64 = 1_000_000_000;

/// A non-negative fixed-point number: limbs[0] is the integer part, then
/// base-10⁹ fraction limbs.
fn div_small(a: &mut [u64], d: u64) {
    let mut rem = 0u64;
    for limb in a.iter_mut() {
        let cur = rem * BASE + *limb;
        *limb = cur / d;
        rem = cur % d;
    }
}

fn add(a: &mut [u64], b: &[u64]) {
    let mut carry = 0;
    for i in (0..a.len()).rev() {
        let s = a[i] + b[i] + carry;
        a[i] = s % BASE;
        carry = s / BASE;
    }
}

fn sub(a: &mut [u64], b: &[u64]) {
    let mut borrow = 0i64;
    for i in (0..a.len()).rev() {
        let mut s = a[i] as i64 - b[i] as i64 - borrow;
        borrow = 0;
        if s < 0 {
            s += BASE as i64;
            borrow = 1;
        }
        a[i] = s as u64;
    }
}

fn is_zero(a: &[u64]) -> bool {
    a.iter().all(|&x| x == 0)
}

/// m · atan(1/x) = m · Σ (−1)^k / ((2k+1) x^(2k+1)).
fn atan_inv(x: u64, m: u64, limbs: usize) -> Vec<u64> {
    let mut sum = vec![0u64; limbs];
    let mut power = vec![0u64; limbs];
    power[0] = m;
    div_small(&mut power, x);
    let mut k = 0u64;
    loop {
        let mut term = power.clone();
        div_small(&mut term, 2 * k + 1);
        if is_zero(&term) {
            break;
        }
        if k.is_multiple_of(2) { add(&mut sum, &term) } else { sub(&mut sum, &term) }
        div_small(&mut power, x * x);
        k += 1;
    }
    sum
}

/// π rounded to `n` significant digits (half up, as Math::BigFloat rounds
/// by default), written `3.1415…`; `n` is clamped to 1..=MAX_DIGITS.
pub fn pi(n: usize) -> String {
    let n = n.clamp(1, MAX_DIGITS);
    // Guard digits against the truncation error of the series.
    let limbs = 2 + (n + 20).div_ceil(9);
    let mut p = atan_inv(5, 16, limbs);
    let q = atan_inv(239, 4, limbs);
    sub(&mut p, &q);
    let mut digits = p[0].to_string();
    for limb in &p[1..] {
        digits.push_str(&format!("{limb:09}"));
    }
    // `digits` is "3" followed by the fraction; round to n significant digits.
    let mut kept: Vec<u8> = digits.as_bytes()[..n].iter().map(|b| b - b'0').collect();
    if digits.as_bytes()[n] >= b'5' {
        let mut i = kept.len();
        while i > 0 {
            i -= 1;
            if kept[i] == 9 {
                kept[i] = 0;
            } else {
                kept[i] += 1;
                break;
            }
        }
    }
    let s: String = kept.iter().map(|d| (b'0' + d) as char).collect();
    if n == 1 { s } else { format!("{}.{}", &s[..1], &s[1..]) }
}

#[cfg(test)]
mod tests {
    #[test]
    fn pi_digits() {
        assert_eq!(super::pi(1), "3");
        assert_eq!(super::pi(5), "3.1416");
        assert_eq!(super::pi(50), "3.1415926535897932384626433832795028841971693993751");
        let p = super::pi(2000);
        assert_eq!(p.len(), 2001);
        // The digits Math::BigFloat->bpi(2000) prints end like this (checked
        // against perl's own output).
        assert!(p.ends_with("908658326459958133904780275901"), "{}", &p[1950..]);
    }
}
