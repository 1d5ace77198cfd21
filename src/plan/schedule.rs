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

use std::time::{Duration, Instant};

use rayon::prelude::*;

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

    /// Reduces leaves `0..count` (`count ≥ 1`) with a fixed pairwise
    /// tree: `leaf(i)` computes leaf `i`; `combine(left, right)` merges
    /// neighbours. The tree splits at the midpoint whatever the thread
    /// count, so the result is the same on any pool.
    pub(crate) fn tree_reduce<T, L, C>(&self, count: usize, leaf: L, combine: C) -> T
    where
        T: Send,
        L: Fn(usize) -> T + Sync,
        C: Fn(T, T) -> T + Sync,
    {
        debug_assert!(count >= 1);
        if self.known_large {
            return self.node(0, count, None, true, &leaf, &combine);
        }
        let (first, parallel) = self.probe(count, || leaf(0));
        self.node(0, count, Some(first), parallel, &leaf, &combine)
    }

    /// One node of [`tree_reduce`](Schedule::tree_reduce): leaves
    /// `lo..hi`; `first` is leaf `lo`'s value when it was computed already
    /// (only ever on the leftmost path).
    fn node<T, L, C>(
        &self,
        lo: usize,
        hi: usize,
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
        if hi - lo == 1 {
            return first.unwrap_or_else(|| leaf(lo));
        }
        let mid = lo + (hi - lo) / 2;
        let (left, right) = if parallel {
            rayon::join(
                || self.on_worker(|| self.node(lo, mid, first, true, leaf, combine)),
                || self.on_worker(|| self.node(mid, hi, None, true, leaf, combine)),
            )
        } else {
            (
                self.node(lo, mid, first, false, leaf, combine),
                self.node(mid, hi, None, false, leaf, combine),
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
