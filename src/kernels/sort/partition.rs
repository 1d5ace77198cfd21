//! Selection for numpy's `partition`: the element of each asked-for rank in
//! its sorted place, none greater before it and none smaller after it.
//!
//! A long lane is partitioned in parallel without moving data to find the
//! pivots: the key at each rank is found by narrowing the key range 16 bits
//! at a time (counting the candidates' next digit in parallel, keeping the
//! bucket that holds the rank, and selecting among the few left), and one
//! stable scatter then groups the lane around those keys. A short lane
//! goes to the standard library's `select_nth_unstable` (linear in the
//! worst case). Every step depends on the data and its length only, so the
//! result is the same on any number of threads.

use rayon::prelude::*;

use super::scatter::{copy, scatter};
use crate::element::Scalar;

/// Lanes at least this long are partitioned in parallel (see the sort
/// module's docs). Below it the sequential selection is faster: each
/// parallel counting pass fills 64 Ki counts per task.
pub const PAR_SELECT_LEN: usize = 1 << 20;

/// Bits of the key a narrowing pass counts.
const DIGIT: u32 = 16;

/// Candidates few enough to be copied and selected among.
const FEW: u64 = 1 << 20;

/// Elements counted by one task.
const COUNT_CHUNK: usize = 1 << 18;

/// Rearranges `data` so that each rank in `ks` (sorted, distinct, each
/// below `data.len()`) holds the element a sort by `key` would put there,
/// with no greater key before it and no smaller key after it.
pub(super) fn select_all<T, A, K>(data: &mut [T], ks: &[usize], key: K)
where
    T: Copy + Send + Sync,
    A: Scalar,
    K: Fn(&T) -> A + Sync,
{
    if is_long::<A>(data.len()) {
        let src = data.to_vec();
        return partition_into(&src, data, ks, key);
    }
    let mut done = 0;
    for &k in ks {
        // Everything before `done` is already in its place and no greater
        // than what follows.
        data[done..]
            .select_nth_unstable_by(k - done, |a, b| key(a).sort_key().cmp(&key(b).sort_key()));
        done = k + 1;
    }
}

/// Whether a lane of `n` elements of `A` is partitioned in parallel (the
/// radix keys serve types of up to 64 bits).
pub(super) fn is_long<A>(n: usize) -> bool {
    n >= PAR_SELECT_LEN && size_of::<A>() <= 8
}

/// Partitions the long lane `src` into `dst` (of the same length), as
/// [`select_all`] partitions in place: the key at each rank, then one
/// scatter into the groups below, equal to and between those keys.
pub(super) fn partition_into<T, A, K>(src: &[T], dst: &mut [T], ks: &[usize], key: K)
where
    T: Copy + Send + Sync,
    A: Scalar,
    K: Fn(&T) -> A + Sync,
{
    let key = |x: &T| rank_key(key(x));
    let mut pivots: Vec<u64> = ks
        .iter()
        .map(|&k| key_of_rank(src, k as u64, &key))
        .collect();
    pivots.dedup(); // sorted, as the ranks are
    let m = pivots.len();
    // Class 2i: between pivot i - 1 and pivot i; class 2i + 1: pivot i.
    let class = |x: &T| {
        let k = key(x);
        let i = pivots.partition_point(|&p| p < k);
        2 * i + usize::from(i < m && pivots[i] == k)
    };
    if scatter(src, dst, 2 * m + 1, class).is_none() {
        // One class holds everything: `src` is partitioned as it is.
        copy(src, dst);
    }
}

/// numpy's order as a 64-bit key: the total-order radix key, with every
/// NaN last (equal to each other). It tells `-0.0` before `0.0`, which
/// refines numpy's order (where they are equal), so a partition by it is
/// one by numpy's order too.
fn rank_key<A: Scalar>(x: A) -> u64 {
    if x.scalar_is_nan() {
        u64::MAX
    } else {
        x.radix_key()
    }
}

/// The key of rank `k` (from 0) among the keys of `data`: a parallel radix
/// select over 16-bit digits, from the top.
fn key_of_rank<T, K>(data: &[T], mut k: u64, key: &K) -> u64
where
    T: Sync,
    K: Fn(&T) -> u64 + Sync,
{
    let mut prefix = 0u64;
    for level in 0..64 / DIGIT {
        let shift = 64 - DIGIT * (level + 1);
        let candidate = |kx: u64| level == 0 || kx >> (shift + DIGIT) == prefix;
        let counts = data
            .par_chunks(COUNT_CHUNK)
            .map(|chunk| {
                let mut counts = vec![0u64; 1 << DIGIT];
                for x in chunk {
                    let kx = key(x);
                    if candidate(kx) {
                        counts[((kx >> shift) & ((1 << DIGIT) - 1)) as usize] += 1;
                    }
                }
                counts
            })
            .reduce(
                || vec![0u64; 1 << DIGIT],
                |mut a, b| {
                    a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                    a
                },
            );
        // The digit whose bucket holds rank k.
        let mut below = 0;
        let digit = counts
            .iter()
            .position(|&c| {
                below += c;
                below > k
            })
            .expect("rank k is below the number of candidates");
        k -= below - counts[digit];
        prefix = (prefix << DIGIT) | digit as u64;
        if shift == 0 {
            return prefix;
        }
        if counts[digit] <= FEW {
            let mut left: Vec<u64> = data
                .par_iter()
                .map(key)
                .filter(|&kx| kx >> shift == prefix)
                .collect();
            return *left.select_nth_unstable(k as usize).1;
        }
    }
    unreachable!("the last level returns")
}
