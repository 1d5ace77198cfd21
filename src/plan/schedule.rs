//! When and where blocks run.
//!
//! A [`Schedule`] is made when a kernel starts. It captures the
//! [`Params`] current on the calling thread and decides whether the
//! kernel's blocks are worth the pool. Its methods are the only place in
//! the crate that hands work to rayon, and every piece of work they hand
//! over runs with the captured params installed. So a kernel nested in a
//! user closure (a `par_sum` inside `par_map_axis`, say) plans its blocks
//! with the same params on whichever worker runs it, and its bits do not
//! depend on which thread that was.

// The gate: the one place that hands kernel work to rayon (see
// clippy.toml).
#![allow(clippy::disallowed_methods)]

use std::ops::Range;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::tree::Tree;
use crate::params::Params;

/// How a kernel runs its blocks: with which params, and whether on the
/// pool.
///
/// A kernel is *eligible* for the pool if it has more than one block, at
/// least [`Params::min_parallel_len`] elements, and the current pool has
/// more than one thread. An eligible kernel runs its first block on the
/// calling thread and times it; only if the whole run would take at least
/// [`Params::min_parallel_time`] on one thread do the other blocks go to
/// the pool. The blocks and the combine order are the same either way, so
/// this choice changes the speed, never the result.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Schedule {
    params: Params,
    eligible: bool,
    /// The kernel's own cost estimate already says the pool is worth it:
    /// skip the timed first block (which would run alone) and go parallel
    /// from the start.
    known_large: bool,
}

impl Schedule {
    /// The schedule of `count` blocks over `len` elements under `params`.
    pub(crate) fn new(params: Params, len: usize, count: usize) -> Schedule {
        Schedule {
            params,
            eligible: count > 1
                && len >= params.min_parallel_len
                && rayon::current_num_threads() > 1,
            known_large: false,
        }
    }

    /// [`Schedule::new`] under the params current on this thread.
    pub(crate) fn for_len(len: usize, count: usize) -> Schedule {
        Schedule::new(Params::current(), len, count)
    }

    /// The schedule of `count` leaves each known to be a block's worth of
    /// work (the distributed reductions' subtrees): eligible for the pool
    /// whatever the element count, and the timed first leaf decides.
    #[cfg(feature = "mpi")]
    pub(crate) fn for_large_leaves(count: usize) -> Schedule {
        Schedule::new(Params::current(), usize::MAX, count)
    }

    /// The schedule of a kernel made of several passes over `len`
    /// elements (a sort, a selection), decided once from the kernel's own
    /// estimate of its one-thread time: every pass goes to the pool, or
    /// none does, and no pass is timed. Each pass alone may be too short
    /// to pay for the pool, while the whole kernel is not.
    pub(crate) fn decided(len: usize, estimate: Duration) -> Schedule {
        let params = Params::current();
        let parallel = len >= params.min_parallel_len
            && rayon::current_num_threads() > 1
            && estimate >= params.min_parallel_time;
        Schedule {
            params,
            eligible: parallel,
            known_large: parallel,
        }
    }

    /// Like [`for_len`](Schedule::for_len) for a kernel that can estimate
    /// its one-thread time: when the estimate is at least ten times the
    /// threshold, all blocks go to the pool at once. Coarse kernels (matrix
    /// products, pairwise distances) would otherwise spend a whole tile
    /// alone on the calling thread.
    pub(crate) fn for_work(len: usize, count: usize, estimate: Duration) -> Schedule {
        let mut s = Schedule::for_len(len, count);
        let threshold = s.params.min_parallel_time.max(Duration::from_micros(1));
        s.known_large = s.eligible && estimate >= 10 * threshold;
        s
    }

    /// `f()` with the kernel's params installed (on a worker thread).
    fn on_worker<R>(&self, f: impl FnOnce() -> R) -> R {
        self.params.install(f)
    }

    /// Runs `first` (the first of `count` blocks) on the calling thread and
    /// says whether the remaining blocks should run on the pool.
    pub(crate) fn probe<T>(&self, count: usize, first: impl FnOnce() -> T) -> (T, bool) {
        if !self.eligible {
            return (first(), false);
        }
        let start = Instant::now();
        let value = first();
        let estimate = start
            .elapsed()
            .saturating_mul(count.try_into().unwrap_or(u32::MAX));
        (value, estimate >= self.params.min_parallel_time)
    }

    /// Reduces leaves `0..count` (`count ≥ 1`) along the midpoint
    /// [`Tree`]: `leaf(i)` computes leaf `i`; `combine(left, right)`
    /// merges neighbours. The tree is fixed whatever the thread count, so
    /// the result is the same on any pool.
    pub(crate) fn tree_reduce<T, L, C>(&self, count: usize, leaf: L, combine: C) -> T
    where
        T: Send,
        L: Fn(usize) -> T + Sync,
        C: Fn(T, T) -> T + Sync,
    {
        self.reduce_tree(&Tree::midpoint(count), 0..count, leaf, combine)
    }

    /// Reduces the node `range` (at least one leaf) of `tree`: its halves
    /// side by side on the pool when the schedule goes parallel, else on
    /// the calling thread, merged in the tree's order either way.
    pub(crate) fn reduce_tree<T, L, C>(
        &self,
        tree: &Tree,
        range: Range<usize>,
        leaf: L,
        combine: C,
    ) -> T
    where
        T: Send,
        L: Fn(usize) -> T + Sync,
        C: Fn(T, T) -> T + Sync,
    {
        debug_assert!(!range.is_empty());
        if self.known_large {
            return self.node(tree, range, None, true, &leaf, &combine);
        }
        let (first, parallel) = self.probe(range.len(), || leaf(range.start));
        self.node(tree, range, Some(first), parallel, &leaf, &combine)
    }

    /// One node of [`reduce_tree`](Schedule::reduce_tree); `first` is the
    /// value of the node's first leaf when it was computed already (only
    /// ever on the leftmost path).
    fn node<T, L, C>(
        &self,
        tree: &Tree,
        range: Range<usize>,
        first: Option<T>,
        parallel: bool,
        leaf: &L,
        combine: &C,
    ) -> T
    where
        T: Send,
        L: Fn(usize) -> T + Sync,
        C: Fn(T, T) -> T + Sync,
    {
        let (lo, hi) = (range.start, range.end);
        if hi - lo == 1 {
            return first.unwrap_or_else(|| leaf(lo));
        }
        let mid = tree.split(lo, hi);
        let (left, right) = if parallel {
            rayon::join(
                || self.on_worker(|| self.node(tree, lo..mid, first, true, leaf, combine)),
                || self.on_worker(|| self.node(tree, mid..hi, None, true, leaf, combine)),
            )
        } else {
            (
                self.node(tree, lo..mid, first, false, leaf, combine),
                self.node(tree, mid..hi, None, false, leaf, combine),
            )
        };
        combine(left, right)
    }

    /// Runs `f` on every item, the first on the calling thread and the
    /// rest as the schedule decides, in no particular order. For kernels
    /// whose result does not depend on the order (maps, writes into
    /// disjoint parts of an output).
    pub(crate) fn for_each<I, F>(&self, mut items: Vec<I>, f: F)
    where
        I: Send,
        F: Fn(I) + Sync,
    {
        if items.is_empty() {
            return;
        }
        if self.known_large {
            items
                .into_par_iter()
                .for_each(|item| self.on_worker(|| f(item)));
            return;
        }
        let rest = items.split_off(1);
        let first = items.pop().expect("one item");
        let ((), parallel) = self.probe(rest.len() + 1, || f(first));
        if parallel {
            rest.into_par_iter()
                .for_each(|item| self.on_worker(|| f(item)));
        } else {
            rest.into_iter().for_each(f);
        }
    }

    /// `f(i)` for `i` in `0..count`, in order: the first on the calling
    /// thread, the rest as the schedule decides.
    pub(crate) fn map_collect<T, F>(&self, count: usize, f: F) -> Vec<T>
    where
        T: Send,
        F: Fn(usize) -> T + Sync,
    {
        if count == 0 {
            return Vec::new();
        }
        if self.known_large {
            let mut out = Vec::with_capacity(count);
            out.par_extend((0..count).into_par_iter().map(|i| self.on_worker(|| f(i))));
            return out;
        }
        let (first, parallel) = self.probe(count, || f(0));
        let mut out = Vec::with_capacity(count);
        out.push(first);
        if parallel {
            out.par_extend((1..count).into_par_iter().map(|i| self.on_worker(|| f(i))));
        } else {
            out.extend((1..count).map(&f));
        }
        out
    }

    /// Sorts `data` by `cmp`, stably or not, with rayon's parallel sorts
    /// when the schedule is eligible for the pool, else with the standard
    /// library's. The unstable sorts of the two libraries may leave equal
    /// elements in different orders, so callers pass only orders in which
    /// equal elements are indistinguishable (integers, or pairs that
    /// compare their index last): then the result is the one sorted
    /// sequence, and the choice changes the speed only.
    pub(crate) fn sort_by<T, C>(&self, data: &mut [T], stable: bool, cmp: C)
    where
        T: Send,
        C: Fn(&T, &T) -> std::cmp::Ordering + Sync,
    {
        match (self.eligible, stable) {
            (true, true) => self.on_worker(|| data.par_sort_by(cmp)),
            (true, false) => self.on_worker(|| data.par_sort_unstable_by(cmp)),
            (false, true) => data.sort_by(cmp),
            (false, false) => data.sort_unstable_by(cmp),
        }
    }

    /// Folds blocks `0..count` into accumulators made by `init`:
    /// sequentially into one, or in parallel into one per rayon split,
    /// merged with `merge`. The grouping depends on the pool, so this is
    /// only for accumulators whose merge is exact and order-free (integer
    /// counts): it saves one accumulator per block, which matters when an
    /// accumulator is large (a histogram of a million bins).
    pub(crate) fn accumulate<T, I, F, M>(&self, count: usize, init: I, fold: F, merge: M) -> T
    where
        T: Send,
        I: Fn() -> T + Sync,
        F: Fn(&mut T, usize) + Sync,
        M: Fn(T, T) -> T + Sync,
    {
        let mut acc = init();
        if count == 0 {
            return acc;
        }
        if self.known_large {
            return (0..count)
                .into_par_iter()
                .fold(&init, |mut t, b| {
                    self.on_worker(|| fold(&mut t, b));
                    t
                })
                .reduce(&init, &merge);
        }
        let ((), parallel) = self.probe(count, || fold(&mut acc, 0));
        if !parallel {
            (1..count).for_each(|b| fold(&mut acc, b));
            return acc;
        }
        let rest = (1..count)
            .into_par_iter()
            .fold(&init, |mut t, b| {
                self.on_worker(|| fold(&mut t, b));
                t
            })
            .reduce(&init, &merge);
        merge(acc, rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_is_the_same_on_any_pool() {
        let leaf = |i: usize| vec![i];
        let combine = |mut a: Vec<usize>, b: Vec<usize>| {
            a.push(usize::MAX);
            a.extend(b);
            a
        };
        let p = Params::always_parallel();
        let one = p.install(|| Schedule::for_len(100, 13).tree_reduce(13, leaf, combine));
        for threads in [2, 3, 7] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let other = pool.install(|| {
                p.install(|| Schedule::for_len(100, 13).tree_reduce(13, leaf, combine))
            });
            assert_eq!(one, other);
        }
    }

    #[test]
    fn workers_see_the_kernels_params() {
        let p = Params::always_parallel().with_block_bytes(123);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .unwrap();
        let seen = pool.install(|| {
            p.install(|| {
                let s = Schedule::for_len(1 << 20, 64);
                s.map_collect(64, |_| Params::current().block_bytes)
            })
        });
        assert!(seen.iter().all(|&b| b == 123), "{seen:?}");
    }
}
