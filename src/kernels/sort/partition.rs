//! Selection for numpy's `partition`: the element of rank `k` in its sorted
//! place, none greater before it and none smaller after it.
//!
//! A long range is split in parallel around a pivot taken from an evenly
//! spaced sample (three groups: smaller, equal, greater, each kept in
//! order), and the group holding rank `k` is split again; a short range,
//! or one that a split failed to shrink by an eighth, goes to the standard
//! library's `select_nth_unstable` (linear in the worst case). Every step
//! depends on the data and its length only, so the result is the same on
//! any number of threads.

use std::cmp::Ordering;

use super::scatter::scatter;
use crate::element::Scalar;

/// Ranges at least this long are split in parallel.
const PAR_SELECT_LEN: usize = super::PAR_LANE_LEN;

/// Sample size for choosing a pivot.
const SAMPLE_LEN: usize = 255;

/// Rearranges `data` so that each rank in `ks` (sorted, distinct, each
/// below `data.len()`) holds the element a sort by `key` would put there,
/// with no greater key before it and no smaller key after it.
pub(super) fn select_all<T, A, K>(data: &mut [T], ks: &[usize], key: K)
where
    T: Copy + Send + Sync,
    A: Scalar,
    K: Fn(&T) -> A + Sync,
{
    let mut done = 0;
    for &k in ks {
        // Everything before `done` is already in its place and no greater
        // than what follows.
        select(&mut data[done..], k - done, &key);
        done = k + 1;
    }
}

fn select<T, A, K>(data: &mut [T], k: usize, key: &K)
where
    T: Copy + Send + Sync,
    A: Scalar,
    K: Fn(&T) -> A + Sync,
{
    let (mut lo, mut hi) = (0, data.len());
    let mut scratch: Vec<T> = Vec::new();
    while hi - lo >= PAR_SELECT_LEN {
        let range = &mut data[lo..hi];
        let pivot = pivot(range, k - lo, key);
        scratch.clear();
        scratch.extend_from_slice(range);
        let class = |x: &T| match key(x).sort_key().cmp(&pivot) {
            Ordering::Less => 0,
            Ordering::Equal => 1,
            Ordering::Greater => 2,
        };
        let Some(n) = scatter(&scratch, range, 3, class) else {
            return; // all equal to the pivot: every rank holds its value
        };
        let (less, equal) = (lo + n[0], lo + n[0] + n[1]);
        let (new_lo, new_hi) = if k < less {
            (lo, less)
        } else if k < equal {
            return;
        } else {
            (equal, hi)
        };
        let shrunk = (new_hi - new_lo) <= (hi - lo) - (hi - lo) / 8;
        (lo, hi) = (new_lo, new_hi);
        if !shrunk {
            break;
        }
    }
    data[lo..hi].select_nth_unstable_by(k - lo, |a, b| key(a).sort_key().cmp(&key(b).sort_key()));
}

/// The sort key of the sample element whose rank in the sample matches
/// rank `k` in `range`: a pivot close to the wanted element.
fn pivot<T, A: Scalar, K: Fn(&T) -> A>(range: &[T], k: usize, key: &K) -> A::SortKey {
    // In u128: `n * SAMPLE_LEN` must not overflow.
    let scaled = |i: usize, num: usize| (i as u128 * num as u128 / SAMPLE_LEN as u128) as usize;
    let n = range.len();
    let mut sample: Vec<A::SortKey> = (0..SAMPLE_LEN)
        .map(|i| key(&range[scaled(i, n) + n / (2 * SAMPLE_LEN)]).sort_key())
        .collect();
    let at = (k as u128 * SAMPLE_LEN as u128 / n as u128) as usize;
    *sample.select_nth_unstable(at).1
}
