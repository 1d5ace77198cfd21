//! Ordering: sorts, argsorts and partitions of lanes held back to back in
//! a slice, and the radix machinery under them. The sort kernels, the
//! quantiles and the unique values all order through here, by the one
//! [`Scalar::order_key`] (or [`Scalar::sort_key`], its form with numpy's
//! equality of zeros).
//!
//! ```text
//! scatter.rs  stable parallel grouping of a slice by class
//! radix.rs    stable parallel radix sort on order keys
//! select.rs   the keys at any number of ranks (radix selection)
//! ```
//!
//! Which algorithm a lane gets depends on its element type and length
//! only, and every one is deterministic, so a result is the same on any
//! number of threads.

mod radix;
mod scatter;
mod select;

pub(crate) use select::{ArrayKeys, keys_at};

use std::cmp::Ordering;
use std::time::Duration;

use self::scatter::{copy, scatter};
use self::select::{Pivots, SliceKeys};
use super::uninit::build_vec;
use crate::element::Scalar;
use crate::params::Params;
use crate::plan::Schedule;

/// One-thread cost of ordering one element, to decide once per kernel
/// whether its passes go to the pool (see [`Schedule::decided`]): a radix
/// sort about 30 ns an element, a partition (counting passes, a gather and
/// a scatter) about 10 ns (the 2-core development machine, AMD EPYC).
const SORT_NS: u64 = 30;
const PARTITION_NS: u64 = 10;

/// The schedule of a kernel over `n` elements that costs `ns` each.
pub(crate) fn schedule_for(n: usize, ns: u64) -> Schedule {
    Schedule::decided(n, Duration::from_nanos(ns.saturating_mul(n as u64)))
}

/// A copy of `src`, written in chunks side by side when long: the pages
/// of a fresh buffer are first touched (and mapped) by every thread, not
/// one after another by the calling thread.
pub(crate) fn copied<T: Copy + Send + Sync>(src: &[T]) -> Vec<T> {
    let schedule = schedule_for(src.len(), 1);
    let chunk = scatter::chunk_len(src.len());
    let parts = src.chunks(chunk).map(|c| (c, c.len())).collect();
    build_vec(src.len(), parts, schedule, |part: &[T], w| {
        part.iter().for_each(|&x| w.push(x))
    })
}

/// Lanes at least this long are sorted in parallel themselves (floats by
/// the radix sort, integers by rayon's parallel sorts); shorter lanes with
/// the standard library's sorts, many lanes at once.
pub const PAR_LANE_LEN: usize = 1 << 14;

/// Lanes at least this long are partitioned in parallel (by the radix
/// selection and one scatter). Below it the sequential selection is
/// faster.
pub const PAR_SELECT_LEN: usize = 1 << 20;

/// A piece of an output and the piece of an input it is made from.
type Pair<'a, O, I> = (&'a mut [O], &'a [I]);

/// Long lanes partitioned at more ranks than this are sorted instead
/// (measured with `cargo bench -p ndpar-bench --bench sorting --
/// partition_ranks`: at 64 ranks of a 2^20-element lane the selection and
/// its scatter already cost more than the radix sort).
const SORT_RANKS: usize = 32;

/// Which sort.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum SortKind {
    /// Equal elements keep their order.
    Stable,
    /// Equal elements in any (deterministic) order.
    Unstable,
}

/// numpy's order.
#[inline(always)]
fn cmp<A: Scalar>(a: &A, b: &A) -> Ordering {
    a.sort_key().cmp(&b.sort_key())
}

/// `f` on every lane of `n` elements that `data` holds back to back, many
/// lanes to a task (about a block's worth of elements).
fn for_each_lane<T: Send>(data: &mut [T], n: usize, f: impl Fn(&mut [T]) + Sync) {
    let per_task = (Params::current().block_len(size_of::<T>()) / n).max(1);
    let len = data.len();
    let tasks: Vec<&mut [T]> = data.chunks_mut(per_task * n).collect();
    Schedule::for_len(len, tasks.len()).for_each(tasks, |lanes| lanes.chunks_mut(n).for_each(&f));
}

/// Sorts each of the lanes of `n` elements that `data` holds back to back.
pub(crate) fn sort_lanes<A: Scalar>(data: &mut [A], n: usize, kind: SortKind) {
    if n <= 1 {
        return;
    }
    if n >= PAR_LANE_LEN {
        for lane in data.chunks_mut(n) {
            if A::RADIX {
                // The radix sort is stable: it serves both kinds.
                radix_sort_lane(lane);
            } else {
                // Integers: equal keys are equal values, so the unstable
                // sort's arrangement is the sorted sequence.
                schedule_for(n, SORT_NS).sort_by(lane, kind == SortKind::Stable, cmp);
            }
        }
        return;
    }
    for_each_lane(data, n, |lane| match kind {
        SortKind::Stable => lane.sort_by(cmp),
        SortKind::Unstable => lane.sort_unstable_by(cmp),
    });
}

/// Sorts one long lane stably with the radix sort, by the values' sort
/// keys (numpy's order, computed again in each pass: cheaper than a
/// vector of keys, which would be one more buffer to fill and read back).
/// A stable sort by those keys is numpy's stable sort: NaNs (one key) last
/// in their input order, payloads kept, and `-0.0` and `0.0` (one key too)
/// in their input order.
fn radix_sort_lane<A: Scalar>(lane: &mut [A]) {
    let schedule = schedule_for(lane.len(), SORT_NS);
    radix::sort_by_key(&schedule, lane, |x| x.sort_key());
}

/// Stable argsort of one long lane with the radix sort: (key, index)
/// pairs sorted stably by key, so equal keys keep index order.
fn radix_argsort_lane<A: Scalar>(lane: &[A], out: &mut [usize]) {
    let schedule = schedule_for(lane.len(), SORT_NS);
    let chunk = scatter::chunk_len(lane.len());
    let parts = (lane.chunks(chunk).enumerate())
        .map(|(c, part)| ((c * chunk, part), part.len()))
        .collect();
    let mut pairs = build_vec(
        lane.len(),
        parts,
        schedule,
        |(base, part): (usize, &[A]), w| {
            for (i, &x) in part.iter().enumerate() {
                w.push((x.sort_key(), base + i));
            }
        },
    );
    radix::sort_by_key(&schedule, &mut pairs, |p| p.0);
    let items: Vec<Pair<'_, usize, (A::Key, usize)>> =
        out.chunks_mut(chunk).zip(pairs.chunks(chunk)).collect();
    schedule.for_each(items, |(o, p)| {
        for (o, p) in o.iter_mut().zip(p) {
            *o = p.1;
        }
    });
}

/// Stable argsort of each lane of `n` values in `data` into `out`: pairs
/// (value, index) sorted by value, then index, which is stable and lets
/// the faster unstable sorts do the work.
pub(crate) fn argsort_lanes<A: Scalar>(data: &[A], n: usize, out: &mut [usize]) {
    if n == 0 {
        return;
    }
    let one = |lane: &[A], idx: &mut [usize]| {
        if n >= PAR_LANE_LEN && A::RADIX {
            return radix_argsort_lane(lane, idx);
        }
        let mut pairs: Vec<(A, usize)> = lane.iter().copied().zip(0..).collect();
        // Pairs never tie (indices differ): the sorted sequence is unique.
        let by = |a: &(A, usize), b: &(A, usize)| cmp(&a.0, &b.0).then(a.1.cmp(&b.1));
        if n >= PAR_LANE_LEN {
            schedule_for(n, SORT_NS).sort_by(&mut pairs, false, by);
        } else {
            pairs.sort_unstable_by(by);
        }
        for (o, (_, i)) in idx.iter_mut().zip(pairs) {
            *o = i;
        }
    };
    if n >= PAR_LANE_LEN {
        data.chunks(n)
            .zip(out.chunks_mut(n))
            .for_each(|(lane, idx)| one(lane, idx));
        return;
    }
    let per_task = (Params::current().block_len(size_of::<A>()) / n).max(1);
    let tasks: Vec<(&[A], &mut [usize])> = data
        .chunks(per_task * n)
        .zip(out.chunks_mut(per_task * n))
        .collect();
    Schedule::for_len(data.len(), tasks.len()).for_each(tasks, |(lanes, idx)| {
        lanes
            .chunks(n)
            .zip(idx.chunks_mut(n))
            .for_each(|(lane, idx)| one(lane, idx));
    });
}

/// Whether a lane of `n` elements of `A` is partitioned in parallel.
pub(crate) fn is_long_select(n: usize) -> bool {
    n >= PAR_SELECT_LEN
}

/// Partitions each lane of `n` elements held back to back in `data` at
/// the ranks `ks` (sorted, distinct, each below `n`), comparing the order
/// keys of `key`s: each rank holds the element a sort would put there,
/// with no greater key before it and no smaller key after it.
pub(crate) fn partition_lanes<T, A, K>(data: &mut [T], n: usize, ks: &[usize], key: K)
where
    T: Copy + Default + Send + Sync,
    A: Scalar,
    K: Fn(&T) -> A + Sync,
{
    if n <= 1 || ks.is_empty() {
        return;
    }
    if is_long_select(n) {
        for lane in data.chunks_mut(n) {
            let src = lane.to_vec();
            partition_into(&src, lane, ks, &key);
        }
        return;
    }
    for_each_lane(data, n, |lane| {
        // Everything before `done` is already in its place and no greater
        // than what follows.
        let mut done = 0;
        for &k in ks {
            lane[done..].select_nth_unstable_by_key(k - done, |x| key(x).order_key());
            done = k + 1;
        }
    });
}

/// Partitions the lane `src` into `dst` (of the same length), as
/// [`partition_lanes`] does in place: the key at every rank by one radix
/// selection, then one scatter into the groups below, equal to and
/// between those keys (or, for many ranks, a radix sort).
pub(crate) fn partition_into<T, A, K>(src: &[T], dst: &mut [T], ks: &[usize], key: K)
where
    T: Copy + Default + Send + Sync,
    A: Scalar,
    K: Fn(&T) -> A + Sync,
{
    if ks.len() > SORT_RANKS {
        // A sorted lane is partitioned at every rank, and with this many
        // ranks the radix sort costs less than the selection and a
        // scatter into 2 · ranks + 1 groups.
        let schedule = schedule_for(src.len(), SORT_NS);
        copy(&schedule, src, dst);
        radix::sort_by_key(&schedule, dst, |x| key(x).order_key());
        return;
    }
    let schedule = schedule_for(src.len(), PARTITION_NS);
    let source = SliceKeys {
        data: src,
        key: |x: &T| key(x).order_key(),
        schedule,
    };
    let ranks = |_| ks.iter().map(|&k| k as u64).collect();
    let mut pivots: Vec<A::Key> = keys_at(&schedule, &source, ranks);
    pivots.dedup(); // sorted, as the ranks are
    let pivots = Pivots::new(pivots);
    let class = |x: &T| pivots.class(key(x).order_key());
    if scatter(&schedule, src, dst, pivots.classes(), class).is_none() {
        // One class holds everything: `src` is partitioned as it is.
        copy(&schedule, src, dst);
    }
}
