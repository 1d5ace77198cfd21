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

/// The digit width for keys `K`: a constant of the type, so that the
/// counting loops compute a digit with one shift and one constant mask.
/// Every key width is 8 bits or a multiple of 16, so digits tile the key.
const fn width<K: OrderKey>() -> u32 {
    if K::BITS < DIGIT { K::BITS } else { DIGIT }
}

/// Buckets of at most this many keys are finished by selection.
const FEW: usize = 1 << 12;

/// What a pass does with the keys of one block: counts them, or copies
/// some out. A trait (not a closure) so that it can take the block's keys
/// as an iterator of any type, and its loop sees the whole block at once
/// with its accumulator in registers.
pub(crate) trait KeyFold<K, S>: Sync {
    fn fold(&self, s: &mut S, keys: impl Iterator<Item = K>);
}

/// Where the keys come from: every key taking part, folded in parallel.
pub(crate) trait Keys<K>: Sync {
    /// Folds the keys taking part, block by block (blocks in any order),
    /// into accumulators made by `init` and merged by `merge`. The
    /// grouping may depend on the pool, so accumulators must merge exactly
    /// and in any order (counts, or lists whose order does not matter).
    fn fold_runs<S, I, V, M>(&self, init: I, visit: &V, merge: M) -> S
    where
        S: Send,
        I: Fn() -> S + Sync,
        V: KeyFold<K, S>,
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
    K: OrderKey,
    F: Fn(&T) -> K + Sync,
{
    fn fold_runs<S, I, V, M>(&self, init: I, visit: &V, merge: M) -> S
    where
        S: Send,
        I: Fn() -> S + Sync,
        V: KeyFold<K, S>,
        M: Fn(S, S) -> S + Sync,
    {
        let chunk = chunk_len(self.data.len());
        let chunks = self.data.len().div_ceil(chunk);
        self.schedule.accumulate(
            chunks,
            init,
            |s, c| {
                let end = ((c + 1) * chunk).min(self.data.len());
                visit.fold(s, self.data[c * chunk..end].iter().map(&self.key));
            },
            merge,
        )
    }
}

/// Keys held in a slice of their own (a bucket copied out).
struct OwnKeys<'a, K> {
    data: &'a [K],
    schedule: Schedule,
}

impl<K: OrderKey> Keys<K> for OwnKeys<'_, K> {
    fn fold_runs<S, I, V, M>(&self, init: I, visit: &V, merge: M) -> S
    where
        S: Send,
        I: Fn() -> S + Sync,
        V: KeyFold<K, S>,
        M: Fn(S, S) -> S + Sync,
    {
        let chunk = chunk_len(self.data.len());
        let chunks = self.data.len().div_ceil(chunk);
        self.schedule.accumulate(
            chunks,
            init,
            |s, c| {
                let end = ((c + 1) * chunk).min(self.data.len());
                visit.fold(s, self.data[c * chunk..end].iter().copied());
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

/// The order keys of a block's elements, NaNs left out when `skip_nan`.
struct BlockKeys<'b, A> {
    xs: std::slice::Iter<'b, A>,
    skip_nan: bool,
}

impl<A: Scalar> Iterator for BlockKeys<'_, A> {
    type Item = A::Key;

    #[inline(always)]
    fn next(&mut self) -> Option<A::Key> {
        loop {
            let x = *self.xs.next()?;
            if !(self.skip_nan && x.scalar_is_nan()) {
                return Some(x.order_key());
            }
        }
    }
}

impl<A: Scalar, D: Dimension> Keys<A::Key> for ArrayKeys<'_, A, D> {
    fn fold_runs<S, I, V, M>(&self, init: I, visit: &V, merge: M) -> S
    where
        S: Send,
        I: Fn() -> S + Sync,
        V: KeyFold<A::Key, S>,
        M: Fn(S, S) -> S + Sync,
    {
        let skip_nan = self.skip_nan;
        accumulate(
            (self.array.view(),),
            init,
            |s, block| {
                let mut buf = Vec::new();
                let xs = block.slice(&mut buf).iter();
                visit.fold(s, BlockKeys { xs, skip_nan });
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
    let lo = K::BITS - width::<K>();
    let counts = count_digits(source, lo, Within::all());
    let n: u64 = counts.iter().sum();
    let asked = ranks(n);
    let mut wanted = asked.clone();
    wanted.sort_unstable();
    wanted.dedup();
    if let Some(&r) = wanted.last() {
        assert!(r < n, "rank {r} of {n} keys");
    }
    let mut found = vec![K::zero(); wanted.len()];
    let level = Level {
        prefix: K::zero(),
        lo,
        within: Within::all(),
    };
    narrow(schedule, source, counts, level, &wanted, &mut found);
    asked
        .iter()
        .map(|r| found[wanted.binary_search(r).expect("a wanted rank")])
        .collect()
}

/// How many keys of `source` have each value of the digit at `lo`.
fn count_digits<K: OrderKey, S: Keys<K>>(source: &S, lo: u32, within: Within<K>) -> Vec<u64> {
    let width = width::<K>();
    source.fold_runs(
        || vec![0u64; 1 << width],
        &CountDigits { lo, within },
        |mut a, b| {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
            a
        },
    )
}

/// Counts the keys `within` by their digit at `lo`.
struct CountDigits<K> {
    lo: u32,
    within: Within<K>,
}

impl<K: OrderKey> KeyFold<K, Vec<u64>> for CountDigits<K> {
    #[inline]
    fn fold(&self, counts: &mut Vec<u64>, keys: impl Iterator<Item = K>) {
        let (counts, lo, within) = (&mut counts[..], self.lo, self.within);
        for k in keys {
            if within.holds(k) {
                counts[k.digit(lo, width::<K>())] += 1;
            }
        }
    }
}

/// Copies out the keys `within` whose digit at `lo` is in the bit set
/// `wanted`.
struct Gather<'w, K> {
    lo: u32,
    within: Within<K>,
    wanted: &'w [u64],
}

impl<K: OrderKey> KeyFold<K, Vec<K>> for Gather<'_, K> {
    #[inline]
    fn fold(&self, out: &mut Vec<K>, keys: impl Iterator<Item = K>) {
        let (wanted, lo, within) = (self.wanted, self.lo, self.within);
        out.extend(keys.filter(|&k| {
            let d = k.digit(lo, width::<K>());
            wanted[d / 64] >> (d % 64) & 1 == 1 && within.holds(k)
        }));
    }
}

/// Which keys of a source take part: those whose bits from `shift` up
/// equal `value` (every key when `shift` is the key width). Narrowing a
/// large bucket in place reads the source again, keeping only its keys.
#[derive(Clone, Copy)]
struct Within<K> {
    shift: u32,
    value: K,
}

impl<K: OrderKey> Within<K> {
    /// Every key.
    fn all() -> Within<K> {
        Within {
            shift: K::BITS,
            value: K::zero(),
        }
    }

    /// The keys sharing `prefix`'s bits from `shift` up.
    fn prefix(prefix: K, shift: u32) -> Within<K> {
        Within {
            shift,
            value: prefix.high(shift),
        }
    }

    #[inline(always)]
    fn holds(self, k: K) -> bool {
        k.high(self.shift) == self.value
    }
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

/// Where a narrowing stands: the keys taking part (`within` the source)
/// share `prefix` above the digit at `lo`.
#[derive(Clone, Copy)]
struct Level<K> {
    prefix: K,
    lo: u32,
    within: Within<K>,
}

/// A bucket is narrowed in place (the source read again, its other keys
/// skipped) rather than copied out when it holds more than this share of
/// the keys, and at most [`IN_PLACE_MOST`] buckets do: a copy of most of
/// the data costs more than the passes it saves.
const IN_PLACE_SHARE: u64 = 16;
const IN_PLACE_MOST: usize = 2;

/// Fills `found` with the keys at the sorted, distinct `ranks` among the
/// keys of `source` taking part at `level`, whose digit counts are
/// `counts`.
fn narrow<K: OrderKey, S: Keys<K>>(
    schedule: &Schedule,
    source: &S,
    counts: Vec<u64>,
    level: Level<K>,
    ranks: &[u64],
    found: &mut [K],
) {
    let (width, lo) = (width::<K>(), level.lo);
    let total: u64 = counts.iter().sum();
    let buckets = buckets(&counts, ranks);
    let next_lo = lo.saturating_sub(width);
    let big = |b: &Bucket| b.size.saturating_mul(IN_PLACE_SHARE) > total;
    let in_place = buckets.iter().filter(|b| big(b)).count() <= IN_PLACE_MOST;
    let mut gathered = Vec::new();
    for b in buckets {
        let p = level.prefix.with_digit(lo, width, b.digit);
        let out = &mut found[b.first..b.first + b.ranks.len()];
        if lo == 0 {
            // Every key of the bucket is `p`.
            out.fill(p);
        } else if in_place && big(&b) {
            // Read the source again for this bucket's keys: no copy.
            let inner = Level {
                prefix: p,
                lo: next_lo,
                within: Within::prefix(p, lo),
            };
            let counts = count_digits(source, next_lo, inner.within);
            narrow(schedule, source, counts, inner, &b.ranks, out);
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
    // The wanted digits as a bit set: 8 KiB, which stays in the first-level
    // cache while the pass streams the data (the slot table would not).
    let mut wanted = vec![0u64; (1usize << width).div_ceil(64)];
    for (i, (b, _)) in gathered.iter().enumerate() {
        slot[b.digit] = i as u32;
        wanted[b.digit / 64] |= 1 << (b.digit % 64);
    }
    let gather = Gather {
        lo,
        within: level.within,
        wanted: &wanted,
    };
    let keys: Vec<K> = source.fold_runs(Vec::new, &gather, |mut a, mut b| {
        if a.len() < b.len() {
            std::mem::swap(&mut a, &mut b);
        }
        a.extend(b);
        a
    });
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
        // Few keys, or ranks dense among them: select or sort in place.
        if keys.len() <= FEW.max(ranks.len().saturating_mul(FEW)) {
            select_few(keys, &ranks, out);
        } else {
            let source = OwnKeys {
                data: &*keys,
                schedule: *schedule,
            };
            let level = Level {
                prefix: p,
                lo: next_lo,
                within: Within::all(),
            };
            let counts = count_digits(&source, next_lo, level.within);
            narrow(schedule, &source, counts, level, &ranks, out);
        }
    });
}

/// Sorted, distinct pivot keys, and where each top digit's pivots start:
/// a key finds its place among any number of pivots by one table lookup
/// and a search among the few pivots that share its top digit (a plain
/// binary search over a thousand pivots costs ten mispredicted branches
/// a key).
pub(crate) struct Pivots<K> {
    keys: Vec<K>,
    /// `first[d]`: the number of pivots whose top digit is below `d`
    /// (empty for a few pivots, searched directly).
    first: Vec<u32>,
}

/// Up to this many pivots are searched without the table.
const FEW_PIVOTS: usize = 8;

impl<K: OrderKey> Pivots<K> {
    /// The pivots `keys` (sorted, distinct).
    pub(crate) fn new(keys: Vec<K>) -> Pivots<K> {
        if keys.len() <= FEW_PIVOTS {
            // A search over a few pivots beats a lookup in a large table.
            return Pivots {
                keys,
                first: Vec::new(),
            };
        }
        let (w, lo) = (width::<K>(), K::BITS - width::<K>());
        let mut first = vec![0u32; (1 << w) + 1];
        for k in &keys {
            first[k.digit(lo, w) + 1] += 1;
        }
        for d in 1..first.len() {
            first[d] += first[d - 1];
        }
        Pivots { keys, first }
    }

    /// The number of classes: below, at and between the pivots.
    pub(crate) fn classes(&self) -> usize {
        2 * self.keys.len() + 1
    }

    /// The class of `k`: `2i` when it lies between pivot `i - 1` and
    /// pivot `i`, `2i + 1` when it equals pivot `i`.
    #[inline]
    pub(crate) fn class(&self, k: K) -> usize {
        let (a, b) = if self.first.is_empty() {
            (0, self.keys.len())
        } else {
            let d = k.digit(K::BITS - width::<K>(), width::<K>());
            (self.first[d] as usize, self.first[d + 1] as usize)
        };
        let i = a + self.keys[a..b].partition_point(|&p| p < k);
        2 * i + usize::from(i < self.keys.len() && self.keys[i] == k)
    }
}

/// The keys at the sorted, distinct `ranks` of `keys` (reordered): by
/// selection for a few ranks, else by sorting them (a radix sort on this
/// thread: the callers run many such buckets side by side).
fn select_few<K: OrderKey>(keys: &mut [K], ranks: &[u64], out: &mut [K]) {
    if ranks.len() > 8 {
        let one_thread = Schedule::decided(0, std::time::Duration::ZERO);
        super::radix::sort_by_key(&one_thread, keys, |&k| k);
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
