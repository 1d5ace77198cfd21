//! A parallel radix sort on integer keys ([`OrderKey`]s of 8 to 128 bits),
//! stable.
//!
//! Long ranges are split by their highest varying key byte (most
//! significant digit first) with the parallel scatter, and the 256 buckets
//! are sorted in parallel, each the same way; a bucket small enough to stay
//! in cache is finished by least-significant-digit passes over the bytes
//! that vary within it. Every split and pass is stable, so the result is
//! the one stable order by key — the same on any number of threads.

use super::scatter::{chunk_len, copy, scatter};
use crate::element::OrderKey;
use crate::engine::uninit::scratch;
use crate::plan::Schedule;

/// Ranges at most this long are finished in cache, one thread each.
const CACHE_LEN: usize = 1 << 15;

/// Ranges at most this long are finished by the standard library's stable
/// sort, which beats the fixed cost of counting 256 digits per byte.
const TINY_LEN: usize = 1 << 6;

/// Where a sort leaves its result: in its first buffer or its second.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dest {
    First,
    Second,
}

impl Dest {
    fn flip(self) -> Dest {
        match self {
            Dest::First => Dest::Second,
            Dest::Second => Dest::First,
        }
    }
}

/// Sorts `data` stably by `key`, its passes run as `schedule` says.
pub(crate) fn sort_by_key<T, K, F>(schedule: &Schedule, data: &mut [T], key: F)
where
    T: Copy + Default + Send + Sync,
    K: OrderKey,
    F: Fn(&T) -> K + Sync,
{
    if data.len() <= TINY_LEN {
        data.sort_by_key(|x| key(x));
        return;
    }
    // The first split overwrites all of it.
    let mut buf = scratch(data.len());
    msd(schedule, data, &mut buf, &key, Dest::First);
}

/// The bits in which the keys of `xs` differ.
fn varying_bits<T, K, F>(schedule: &Schedule, xs: &[T], key: &F) -> K
where
    T: Sync,
    K: OrderKey,
    F: Fn(&T) -> K + Sync,
{
    let first = key(&xs[0]);
    let chunks: Vec<&[T]> = xs.chunks(chunk_len(xs.len())).collect();
    schedule
        .map_collect(chunks.len(), |c| {
            chunks[c]
                .iter()
                .fold(K::zero(), |acc, x| acc | (key(x) ^ first))
        })
        .into_iter()
        .fold(K::zero(), |a, b| a | b)
}

/// Sorts `a` (with `b` as scratch of the same length), leaving the result
/// in `dest`.
fn msd<T, K, F>(schedule: &Schedule, a: &mut [T], b: &mut [T], key: &F, dest: Dest)
where
    T: Copy + Send + Sync,
    K: OrderKey,
    F: Fn(&T) -> K + Sync,
{
    if a.len() <= CACHE_LEN {
        return lsd(a, b, key, dest);
    }
    let varying = varying_bits(schedule, a, key);
    if varying == K::zero() {
        if dest == Dest::Second {
            copy(schedule, a, b);
        }
        return;
    }
    // The top byte of the varying bits.
    let shift = (K::BITS - varying.leading_zeros()).saturating_sub(8);
    let digit = |x: &T| key(x).digit(shift, 8);
    let totals = scatter(schedule, a, b, 256, digit).expect("the keys differ in this byte");
    // The buckets now in `b` are sorted with `a` as their scratch, so the
    // result of each must end where `dest` says, seen from `b`.
    let mut pairs = Vec::with_capacity(256);
    let (mut rest_a, mut rest_b) = (a, b);
    for n in totals {
        let (ha, ta) = rest_a.split_at_mut(n);
        let (hb, tb) = rest_b.split_at_mut(n);
        if n > 0 {
            pairs.push((hb, ha));
        }
        (rest_a, rest_b) = (ta, tb);
    }
    // Buckets are sorted side by side; a bucket's own passes may split
    // further.
    schedule.for_each(pairs, |(hb, ha)| msd(schedule, hb, ha, key, dest.flip()));
}

/// Sorts a short `a` (scratch `b`) in cache: one counting pass for every
/// byte, then a stable pass per byte that varies, lowest first.
fn lsd<T, K, F>(a: &mut [T], b: &mut [T], key: &F, dest: Dest)
where
    T: Copy + Send + Sync,
    K: OrderKey,
    F: Fn(&T) -> K + Sync,
{
    if a.len() <= TINY_LEN {
        a.sort_by_key(|x| key(x));
        if dest == Dest::Second {
            b.copy_from_slice(a);
        }
        return;
    }
    let first = key(&a[0]);
    let varying = a.iter().fold(K::zero(), |acc, x| acc | (key(x) ^ first));
    // Counts for the bytes that vary only, all in one pass.
    let bytes: Vec<u32> = (0..K::BITS / 8)
        .filter(|&b| varying.digit(8 * b, 8) != 0)
        .collect();
    let mut counts = vec![[0usize; 256]; bytes.len()];
    for x in a.iter() {
        let k = key(x);
        for (&byte, c) in bytes.iter().zip(counts.iter_mut()) {
            c[k.digit(8 * byte, 8)] += 1;
        }
    }
    let mut in_a = true;
    for (&byte, c) in bytes.iter().zip(&counts) {
        let mut next = [0usize; 256];
        let mut at = 0;
        for (slot, &n) in next.iter_mut().zip(c) {
            *slot = at;
            at += n;
        }
        let (src, dst): (&[T], &mut [T]) = if in_a { (a, b) } else { (b, a) };
        for x in src {
            let d = key(x).digit(8 * byte, 8);
            dst[next[d]] = *x;
            next[d] += 1;
        }
        in_a = !in_a;
    }
    match (in_a, dest) {
        (true, Dest::Second) => b.copy_from_slice(a),
        (false, Dest::First) => a.copy_from_slice(b),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_stably_by_key_at_every_size() {
        for n in [
            0,
            1,
            63,
            64,
            65,
            1000,
            CACHE_LEN,
            CACHE_LEN + 1,
            5 * CACHE_LEN + 7,
        ] {
            // (key, index) with few distinct high bytes and many ties.
            let mut xs: Vec<(u64, usize)> = (0..n)
                .map(|i| {
                    let h = (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
                    ((h >> 40) << 40 | (h & 0x3ff), i)
                })
                .collect();
            let mut want = xs.clone();
            want.sort_by_key(|p| p.0);
            let schedule = Schedule::decided(n, std::time::Duration::MAX);
            sort_by_key(&schedule, &mut xs, |p| p.0);
            assert_eq!(xs, want, "n = {n}");
        }
    }
}
