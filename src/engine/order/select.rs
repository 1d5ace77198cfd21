//! Radix selection: the keys at any number of ranks, found together.
//!
//! A parallel pass counts the top 16-bit digit of every key. Each wanted
//! rank falls into one digit's bucket; buckets that hold every key are
//! narrowed further in place (the next pass counts the next digit), and
//! the others are gathered in one pass into a buffer of their own, grouped
//! by bucket. A bucket is then finished by selecting among its few keys,
//! or narrowed the same way over its own keys, digit after digit. Each
//! pass reads the keys once whatever the number of ranks, so a thousand
//! ranks cost about what one does; nothing is ever sorted whole.
//!
//! Keys are values (an order-preserving integer per element), so the
//! result is a function of the data alone: the same on any number of
//! threads and for any order of the data.

use ndarray::{ArrayView, Dimension};

use super::scatter::{chunk_len, scatter};
use crate::element::{OrderKey, Scalar};
use crate::engine::whole::accumulate;
use crate::plan::Schedule;

/// Bits a counting pass reads (fewer for 8-bit keys).
const DIGIT: u32 = 16;

/// Buckets of at most this many keys are finished by selection.
const FEW: usize = 1 << 12;

/// Where the keys come from: every key taking part, folded in parallel.
pub(crate) trait Keys<K>: Sync {
    /// Folds every key taking part, in blocks of any order, into
    /// accumulators made by `init` and merged by `merge`. The grouping may
    /// depend on the pool, so accumulators must merge exactly and in any
    /// order (counts, or lists whose order does not matter).
    fn fold_keys<S, I, F, M>(&self, init: I, fold: F, merge: M) -> S
    where
        S: Send,
        I: Fn() -> S + Sync,
        F: Fn(&mut S, K) + Sync,
        M: Fn(S, S) -> S + Sync;
}

/// The keys of the elements of a slice, read in chunks as `schedule` says.
pub(crate) struct SliceKeys<'a, T, F> {
    pub(crate) data: &'a [T],
    pub(crate) key: F,
    pub(crate) schedule: Schedule,
}

impl<T, K, F> Keys<K> for SliceKeys<'_, T, F>
where
    T: Sync,
    F: Fn(&T) -> K + Sync,
{
    fn fold_keys<S, I, G, M>(&self, init: I, fold: G, merge: M) -> S
    where
        S: Send,
        I: Fn() -> S + Sync,
        G: Fn(&mut S, K) + Sync,
        M: Fn(S, S) -> S + Sync,
    {
        let chunk = chunk_len(self.data.len());
        let chunks = self.data.len().div_ceil(chunk);
        self.schedule.accumulate(
            chunks,
            init,
            |s, c| {
                let end = ((c + 1) * chunk).min(self.data.len());
                for x in &self.data[c * chunk..end] {
                    fold(s, (self.key)(x));
                }
            },
            merge,
        )
    }
}

/// The order keys of an array of any layout, read in place block by block
/// (NaNs left out when `skip_nan`).
pub(crate) struct ArrayKeys<'a, A, D> {
    pub(crate) array: ArrayView<'a, A, D>,
    pub(crate) skip_nan: bool,
}

impl<A: Scalar, D: Dimension> Keys<A::Key> for ArrayKeys<'_, A, D> {
    fn fold_keys<S, I, F, M>(&self, init: I, fold: F, merge: M) -> S
    where
        S: Send,
        I: Fn() -> S + Sync,
        F: Fn(&mut S, A::Key) + Sync,
        M: Fn(S, S) -> S + Sync,
    {
        accumulate(
            (self.array.view(),),
            init,
            |s, block| {
                let mut buf = Vec::new();
                for &x in block.slice(&mut buf) {
                    if !(self.skip_nan && x.scalar_is_nan()) {
                        fold(s, x.order_key());
                    }
                }
            },
            merge,
        )
    }
}

/// The keys at the ranks `ranks(n)` (any order, repeats allowed, each
/// below `n`) among the `n` keys of `source`, in the order asked:
/// `keys_at(_, s, f)[i]` is the key a sort would put at position
/// `f(n)[i]`. The gathering and grouping passes run as `schedule` says.
pub(crate) fn keys_at<K, S, R>(schedule: &Schedule, source: &S, ranks: R) -> Vec<K>
where
    K: OrderKey,
    S: Keys<K>,
    R: FnOnce(u64) -> Vec<u64>,
{
    let width = DIGIT.min(K::BITS);
    let lo = K::BITS - width;
    let counts = count_digits(source, lo, width);
    let n: u64 = counts.iter().sum();
    let asked = ranks(n);
    let mut wanted = asked.clone();
    wanted.sort_unstable();
    wanted.dedup();
    if let Some(&r) = wanted.last() {
        assert!(r < n, "rank {r} of {n} keys");
    }
    let mut found = vec![K::zero(); wanted.len()];
    narrow(
        schedule,
        source,
        counts,
        K::zero(),
        lo,
        width,
        &wanted,
        &mut found,
    );
    asked
        .iter()
        .map(|r| found[wanted.binary_search(r).expect("a wanted rank")])
        .collect()
}

/// How many keys of `source` have each value of the digit at `lo`.
fn count_digits<K: OrderKey, S: Keys<K>>(source: &S, lo: u32, width: u32) -> Vec<u64> {
    source.fold_keys(
        || vec![0u64; 1 << width],
        |counts, k| counts[k.digit(lo, width)] += 1,
        |mut a, b| {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
            a
        },
    )
}

/// A bucket holding wanted ranks: its digit, its size, and the wanted
/// ranks within it (`first..first + ranks.len()` of the caller's).
struct Bucket {
    digit: usize,
    size: u64,
    ranks: Vec<u64>,
    first: usize,
}

/// The buckets of the digit `counts` that hold the sorted `ranks`.
fn buckets(counts: &[u64], ranks: &[u64]) -> Vec<Bucket> {
    let mut out: Vec<Bucket> = Vec::new();
    let (mut below, mut digit) = (0u64, 0usize);
    for (i, &r) in ranks.iter().enumerate() {
        while r >= below + counts[digit] {
            below += counts[digit];
            digit += 1;
        }
        match out.last_mut() {
            Some(b) if b.digit == digit => b.ranks.push(r - below),
            _ => out.push(Bucket {
                digit,
                size: counts[digit],
                ranks: vec![r - below],
                first: i,
            }),
        }
    }
    out
}

/// Fills `found` with the keys at the sorted, distinct `ranks` among the
/// keys of `source`, all of which share `prefix` above the digit at `lo`
/// (of `width` bits), whose counts are `counts`.
#[allow(clippy::too_many_arguments)]
fn narrow<K: OrderKey, S: Keys<K>>(
    schedule: &Schedule,
    source: &S,
    counts: Vec<u64>,
    prefix: K,
    lo: u32,
    width: u32,
    ranks: &[u64],
    found: &mut [K],
) {
    let total: u64 = counts.iter().sum();
    let buckets = buckets(&counts, ranks);
    let (next_lo, next_width) = (lo.saturating_sub(DIGIT), DIGIT.min(lo));
    let mut gathered = Vec::new();
    for b in buckets {
        let p = prefix.with_digit(lo, width, b.digit);
        let out = &mut found[b.first..b.first + b.ranks.len()];
        if lo == 0 {
            // Every key of the bucket is `p`.
            out.fill(p);
        } else if b.size == total {
            // The bucket holds every key: narrow in place, no copy.
            let counts = count_digits(source, next_lo, next_width);
            narrow(
                schedule, source, counts, p, next_lo, next_width, &b.ranks, out,
            );
        } else {
            gathered.push((b, p));
        }
    }
    if gathered.is_empty() {
        return;
    }
    // One pass copies the keys of every other wanted bucket, then they are
    // grouped by bucket.
    let mut slot = vec![u32::MAX; 1 << width];
    for (i, (b, _)) in gathered.iter().enumerate() {
        slot[b.digit] = i as u32;
    }
    let keys: Vec<K> = source.fold_keys(
        Vec::new,
        |v, k| {
            if slot[k.digit(lo, width)] != u32::MAX {
                v.push(k)
            }
        },
        |mut a, mut b| {
            if a.len() < b.len() {
                std::mem::swap(&mut a, &mut b);
            }
            a.extend(b);
            a
        },
    );
    let mut grouped = if gathered.len() == 1 {
        keys
    } else {
        let mut grouped = keys.clone();
        let class = |k: &K| slot[k.digit(lo, width)] as usize;
        match scatter(schedule, &keys, &mut grouped, gathered.len(), class) {
            Some(_) => grouped,
            None => keys,
        }
    };
    // Each bucket's keys, its prefix and where its results go.
    let mut items = Vec::with_capacity(gathered.len());
    let (mut rest_keys, mut rest_found) = (&mut grouped[..], &mut found[..]);
    let mut taken = 0;
    for (b, p) in gathered {
        let (_, tail) = rest_found.split_at_mut(b.first - taken);
        let (out, tail) = tail.split_at_mut(b.ranks.len());
        taken = b.first + b.ranks.len();
        rest_found = tail;
        let (mine, tail) = rest_keys.split_at_mut(b.size as usize);
        rest_keys = tail;
        items.push((mine, b.ranks, p, out));
    }
    schedule.for_each(items, |(keys, ranks, p, out)| {
        if keys.len() <= FEW {
            select_few(keys, &ranks, out);
        } else {
            // One source type for every level (a closure here would be a
            // new type per level, and the recursion would never end).
            let source = SliceKeys::<K, fn(&K) -> K> {
                data: &*keys,
                key: itself,
                schedule: *schedule,
            };
            let counts = count_digits(&source, next_lo, next_width);
            narrow(
                schedule, &source, counts, p, next_lo, next_width, &ranks, out,
            );
        }
    });
}

/// A key as its own key.
fn itself<K: Copy>(k: &K) -> K {
    *k
}

/// The keys at the sorted, distinct `ranks` of a few `keys` (reordered).
fn select_few<K: OrderKey>(keys: &mut [K], ranks: &[u64], out: &mut [K]) {
    if ranks.len() > 8 {
        keys.sort_unstable();
        for (o, &r) in out.iter_mut().zip(ranks) {
            *o = keys[r as usize];
        }
        return;
    }
    // Everything before `done` is in place and no greater than the rest.
    let mut done = 0;
    for (o, &r) in out.iter_mut().zip(ranks) {
        let r = r as usize;
        *o = *keys[done..].select_nth_unstable(r - done).1;
        done = r + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The select against a sort, for key widths of 8 to 128 bits, data
    /// that spreads over every digit or shares long prefixes, and rank
    /// sets from one to every rank.
    #[test]
    fn keys_at_any_ranks_are_the_sorted_keys() {
        fn check<K: OrderKey>(keys: Vec<K>) {
            let mut sorted = keys.clone();
            sorted.sort_unstable();
            let n = keys.len() as u64;
            let schedule = Schedule::decided(keys.len(), std::time::Duration::MAX);
            let source = SliceKeys {
                data: &keys[..],
                key: |k: &K| *k,
                schedule,
            };
            let sets: Vec<Vec<u64>> = vec![
                vec![0],
                vec![n - 1],
                vec![n / 2, n / 2, 0],
                (0..n)
                    .step_by(7)
                    .collect::<Vec<u64>>()
                    .into_iter()
                    .rev()
                    .collect(),
                (0..n).collect(),
            ];
            for ranks in sets {
                let got = keys_at(&schedule, &source, |m| {
                    assert_eq!(m, n);
                    ranks.clone()
                });
                let want: Vec<K> = ranks.iter().map(|&r| sorted[r as usize]).collect();
                assert_eq!(got, want, "{} keys of {} bits", n, K::BITS);
            }
        }
        let mix = |i: u64| i.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ (i >> 3);
        for n in [1u64, 2, 100, 5000, 70_000] {
            check::<u8>((0..n).map(|i| mix(i) as u8).collect());
            check::<u16>((0..n).map(|i| mix(i) as u16).collect());
            check::<u32>((0..n).map(|i| mix(i) as u32).collect());
            check::<u64>((0..n).map(mix).collect());
            // Long shared prefixes: every key in one top bucket, many ties.
            check::<u64>((0..n).map(|i| (7 << 40) | (mix(i) & 0xfff)).collect());
            check::<u64>((0..n).map(|i| 1 << 63 | (mix(i) & 0x3)).collect());
            check::<u128>(
                (0..n)
                    .map(|i| (mix(i) as u128) << 64 | mix(i + 1) as u128)
                    .collect(),
            );
        }
    }
}
