//! Stable sorting that never panics, through one non-generic merge sort.
//!
//! Two reasons not to call `slice::sort_by` in the core:
//! * it panics when the comparator is not a total order ("user-provided
//!   comparison function does not correctly implement a total order"), and
//!   some comparators ported from Kubernetes are not — Go's `sort.Sort`
//!   accepts them (ActivePodsWithRanks compares ready times in log2
//!   buckets with a UID tie-break only for unequal times, which is not
//!   transitive);
//! * it is monomorphised for every element type and comparator closure:
//!   each call site costs ~4 KB of wasm.
//! These helpers merge-sort a permutation of `u32` indices (one copy of the
//! code) and then move the elements into place. For a total order the
//! result is exactly `slice::sort_by`'s (stable: equal elements keep their
//! order); for any other comparator it is some permutation, the same on
//! every platform. Core crates use these; native-only code may use std's.

use std::cmp::Ordering;

/// `v.sort_by(cmp)`.
pub fn sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let order = sorted_order(v.len(), &mut |a, b| cmp(&v[a], &v[b]));
    permute(v, order);
}

/// `v.sort_by_key(key)`.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// `v.sort()`.
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp);
}

/// The stable sorted order of `0..n` under `cmp`: `order[k]` is the index of
/// the element that belongs at position `k`. A bottom-up merge sort: it
/// only ever asks `cmp` and moves indices, so no comparator can make it fail.
#[inline(never)]
fn sorted_order(n: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<u32> {
    let mut from: Vec<u32> = (0..n as u32).collect();
    let mut to = from.clone();
    let mut width = 1;
    while width < n {
        let mut lo = 0;
        while lo < n {
            let mid = (lo + width).min(n);
            let hi = (lo + 2 * width).min(n);
            let (mut i, mut j) = (lo, mid);
            for slot in &mut to[lo..hi] {
                // Take from the right run only when it is strictly less:
                // equal elements keep their order.
                let right = j < hi && (i >= mid || cmp(from[j] as usize, from[i] as usize) == Ordering::Less);
                if right {
                    *slot = from[j];
                    j += 1;
                } else {
                    *slot = from[i];
                    i += 1;
                }
            }
            lo = hi;
        }
        std::mem::swap(&mut from, &mut to);
        width *= 2;
    }
    from
}

/// Moves `v[order[k]]` to position `k`, following the permutation's cycles.
fn permute<T>(v: &mut [T], mut order: Vec<u32>) {
    const DONE: u32 = u32::MAX;
    for start in 0..order.len() {
        if order[start] == DONE {
            continue;
        }
        let mut cur = start;
        loop {
            let next = order[cur] as usize;
            order[cur] = DONE;
            if next == start {
                break;
            }
            v.swap(cur, next);
            cur = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_standard_stable_sort() {
        // Pseudo-random pairs with many equal keys: stability shows.
        let mut x: u32 = 7;
        for len in [0usize, 1, 2, 3, 10, 33, 257] {
            let items: Vec<(u32, usize)> = (0..len)
                .map(|i| {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    ((x >> 16) % 5, i)
                })
                .collect();
            let mut ours = items.clone();
            let mut std = items.clone();
            sort_by_key(&mut ours, |p| p.0);
            std.sort_by_key(|p| p.0);
            assert_eq!(ours, std, "len {len}");
            let mut ours = items.clone();
            let mut std = items;
            sort_by(&mut ours, |a, b| b.cmp(a));
            std.sort_by(|a, b| b.cmp(a));
            assert_eq!(ours, std, "len {len}");
        }
    }

    #[test]
    fn a_comparator_that_is_no_order_still_gives_a_permutation() {
        // Rock-paper-scissors: a < b < c < a. std's sort may panic here.
        let mut v: Vec<u32> = (0..200).map(|i| i % 3).collect();
        sort_by(&mut v, |a, b| if (a + 1) % 3 == *b { Ordering::Less } else if (b + 1) % 3 == *a { Ordering::Greater } else { Ordering::Equal });
        let mut counts = [0; 3];
        v.iter().for_each(|x| counts[*x as usize] += 1);
        assert_eq!(counts, [67, 67, 66]);
    }
}
