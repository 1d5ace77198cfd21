//! The block planner: how an array of any shape and layout is cut into
//! blocks, and how blocks are run. Every kernel goes through here; no kernel
//! invents its own splitting.
//!
//! Data flow of a kernel call:
//!
//! ```text
//! arrays ─┬─ contiguous (the common case) ──► Flat: the memory slice cut
//!         │                                   into nearly equal pieces
//!         └─ otherwise ──► Layout (layout.rs): traversal order from the
//!                          │  leader's strides, applied to every input
//!                          ▼
//!                          Blocks (blocks.rs): rectangular blocks of the
//!                          traversal view
//!
//!   blocks ──► tree_reduce: a fixed binary tree over block indices, split
//!              │            at the midpoint, run with rayon::join; leaves
//!              │            are blocks, inner nodes combine left-then-right
//!              for_each:    maps; blocks in any order (results do not
//!                           depend on it)
//! ```
//!
//! Block boundaries come from the shape, the layout and the element size
//! (through [`Params::block_bytes`]) only. The flat path and the general path
//! cut a contiguous array identically. Because both the blocks and the
//! combine tree are functions of the input alone, reductions give the same
//! bits on any number of threads, and the sequential path (small inputs, or
//! a one-thread pool) walks the very same tree.

mod blocks;
mod layout;

use std::ops::Range;
use std::time::{Duration, Instant};

use ndarray::{ArrayBase, ArrayView, ArrayView1, ArrayViewD, Axis, Dimension, IxDyn, RawData};
use rayon::prelude::*;

pub(crate) use blocks::{Block, Blocks, piece, piece_count};
pub(crate) use layout::Layout;

use crate::params::Params;

/// When a kernel runs its blocks on the pool.
///
/// A kernel is *eligible* if it has more than one block, at least
/// [`Params::min_parallel_len`] elements, and the current pool has more than
/// one thread. An eligible kernel runs its first block on the calling thread
/// and times it; only if the whole run would take at least
/// [`Params::min_parallel_time`] on one thread do the other blocks go to the
/// pool. The blocks and the combine tree are the same either way, so this
/// choice changes the speed, never the result.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Schedule {
    eligible: bool,
    min_time: Duration,
    /// The kernel's own cost estimate already says the pool is worth it:
    /// skip the timed first block (which would run alone) and go parallel
    /// from the start.
    known_large: bool,
}

impl Schedule {
    /// The schedule of `count` blocks over `len` elements under the current
    /// params.
    pub(crate) fn for_len(len: usize, count: usize) -> Schedule {
        Schedule::new(len, count, &Params::current())
    }

    fn new(len: usize, count: usize, params: &Params) -> Schedule {
        Schedule {
            eligible: count > 1
                && len >= params.min_parallel_len
                && rayon::current_num_threads() > 1,
            min_time: params.min_parallel_time,
            known_large: false,
        }
    }

    /// Like [`for_len`](Schedule::for_len) for a kernel that can estimate
    /// its one-thread time (`estimate`): when that is at least ten times
    /// the threshold, all blocks go to the pool at once. Coarse kernels
    /// (matrix products, pairwise distances) would otherwise spend a whole
    /// tile alone on the calling thread.
    pub(crate) fn for_work(len: usize, count: usize, estimate: Duration) -> Schedule {
        let mut s = Schedule::for_len(len, count);
        s.known_large = s.eligible && estimate >= 10 * s.min_time.max(Duration::from_micros(1));
        s
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
        (value, estimate >= self.min_time)
    }
}

/// Reduces leaves `0..count` (`count ≥ 1`) with a fixed pairwise tree:
/// `leaf(i)` computes leaf `i`; `combine(left, right)` merges neighbours.
/// The tree splits at the midpoint whatever the thread count.
pub(crate) fn tree_reduce<T, L, C>(count: usize, schedule: Schedule, leaf: &L, combine: &C) -> T
where
    T: Send,
    L: Fn(usize) -> T + Sync,
    C: Fn(T, T) -> T + Sync,
{
    /// `first` is leaf `lo`'s value when it was computed already (only
    /// ever on the leftmost path).
    fn node<T, L, C>(
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
                || node(lo, mid, first, parallel, leaf, combine),
                || node(mid, hi, None, parallel, leaf, combine),
            )
        } else {
            (
                node(lo, mid, first, parallel, leaf, combine),
                node(mid, hi, None, parallel, leaf, combine),
            )
        };
        combine(left, right)
    }
    debug_assert!(count >= 1);
    if schedule.known_large {
        return node(0, count, None, true, leaf, combine);
    }
    let (first, parallel) = schedule.probe(count, || leaf(0));
    node(0, count, Some(first), parallel, leaf, combine)
}

/// Runs `f` on every item, the first on the calling thread and the rest as
/// the schedule decides. For kernels whose result does not depend on the
/// order (maps).
pub(crate) fn for_each<I, F>(mut items: Vec<I>, schedule: Schedule, f: F)
where
    I: Send,
    F: Fn(I) + Sync,
{
    if items.is_empty() {
        return;
    }
    if schedule.known_large {
        items.into_par_iter().for_each(&f);
        return;
    }
    let rest = items.split_off(1);
    let first = items.pop().expect("one item");
    let count = rest.len() + 1;
    let ((), parallel) = schedule.probe(count, || f(first));
    if parallel {
        rest.into_par_iter().for_each(&f);
    } else {
        rest.into_iter().for_each(f);
    }
}

/// `f(i)` for `i` in `0..count`, in order: the first on the calling thread,
/// the rest as the schedule decides. For independent per-block results.
pub(crate) fn map_collect<T, F>(count: usize, schedule: Schedule, f: F) -> Vec<T>
where
    T: Send,
    F: Fn(usize) -> T + Sync,
{
    if count == 0 {
        return Vec::new();
    }
    let (first, parallel) = schedule.probe(count, || f(0));
    let mut out = Vec::with_capacity(count);
    out.push(first);
    if parallel {
        out.par_extend((1..count).into_par_iter().map(&f));
    } else {
        out.extend((1..count).map(&f));
    }
    out
}

/// Elements per block for a map over `len` elements: the usual block size,
/// or smaller for short arrays so that an expensive closure still gets
/// about eight blocks per thread. Maps may split anywhere (their results do
/// not depend on it); reductions never use this.
pub(crate) fn map_block_len(len: usize, params: &Params, elem_size: usize) -> usize {
    let usual = params.block_len(elem_size);
    if len < params.min_parallel_len {
        return usual;
    }
    let per_thread = len.div_ceil(8 * rayon::current_num_threads());
    usual.min(per_thread).max(1)
}

/// The plan of a contiguous array: its memory, as one slice, cut into
/// nearly equal pieces of at most `block_len` elements. Identical to the
/// blocks of the general path for the same array.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Flat {
    len: usize,
    count: usize,
    pub(crate) schedule: Schedule,
}

impl Flat {
    /// Plans `len` contiguous elements of (at most) `elem_size` bytes.
    pub(crate) fn new(len: usize, elem_size: usize) -> Flat {
        let params = Params::current();
        Flat::with_block_len(len, params.block_len(elem_size), &params)
    }

    /// Plans a map over `len` contiguous elements (see [`map_block_len`]).
    pub(crate) fn for_map(len: usize, elem_size: usize) -> Flat {
        let params = Params::current();
        Flat::with_block_len(len, map_block_len(len, &params, elem_size), &params)
    }

    fn with_block_len(len: usize, block_len: usize, params: &Params) -> Flat {
        let count = blocks::piece_count(len, block_len);
        Flat {
            len,
            count,
            schedule: Schedule::new(len, count, params),
        }
    }

    /// Number of blocks (0 when empty).
    pub(crate) fn count(&self) -> usize {
        self.count
    }

    /// The element range of block `b`.
    pub(crate) fn range(&self, b: usize) -> Range<usize> {
        blocks::piece(self.len, self.count, b)
    }

    /// Cuts a slice of `len` elements into its blocks.
    pub(crate) fn split_mut<'a, T>(&self, mut xs: &'a mut [T]) -> Vec<&'a mut [T]> {
        debug_assert_eq!(xs.len(), self.len);
        let mut out = Vec::with_capacity(self.count);
        for b in 0..self.count {
            let (head, rest) = xs.split_at_mut(self.range(b).len());
            out.push(head);
            xs = rest;
        }
        out
    }

    /// Reduces blocks with the fixed tree; `None` if empty.
    pub(crate) fn reduce<T, L, C>(&self, leaf: L, combine: C) -> Option<T>
    where
        T: Send,
        L: Fn(Range<usize>) -> T + Sync,
        C: Fn(T, T) -> T + Sync,
    {
        (self.count > 0).then(|| {
            tree_reduce(
                self.count,
                self.schedule,
                &|b| leaf(self.range(b)),
                &combine,
            )
        })
    }
}

/// Everything a kernel needs to walk a group of same-shape arrays of any
/// layout.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    pub(crate) layout: Layout,
    pub(crate) blocks: Blocks,
    pub(crate) schedule: Schedule,
}

impl Plan {
    /// Plans a kernel over arrays of logical `shape`. The leader's strides
    /// fix the traversal order; `others` are the other arrays' strides;
    /// `elem_size` is the largest element size involved (it sets how many
    /// elements a block holds).
    pub(crate) fn new(
        shape: &[usize],
        leader: &[isize],
        others: &[&[isize]],
        elem_size: usize,
    ) -> Plan {
        let params = Params::current();
        let block_len = params.block_len(elem_size);
        Plan::with_block_len(shape, leader, others, block_len, &params)
    }

    /// Like [`Plan::new`], for a map (see [`map_block_len`]).
    pub(crate) fn for_map(
        shape: &[usize],
        leader: &[isize],
        others: &[&[isize]],
        elem_size: usize,
    ) -> Plan {
        let params = Params::current();
        let block_len = map_block_len(shape.iter().product(), &params, elem_size);
        Plan::with_block_len(shape, leader, others, block_len, &params)
    }

    fn with_block_len(
        shape: &[usize],
        leader: &[isize],
        others: &[&[isize]],
        block_len: usize,
        params: &Params,
    ) -> Plan {
        let layout = Layout::new(shape, leader, others);
        let blocks = Blocks::new(&layout.merged_shape(), block_len);
        let schedule = Schedule::new(layout.len(), blocks.count(), params);
        Plan {
            layout,
            blocks,
            schedule,
        }
    }

    /// Number of elements.
    pub(crate) fn len(&self) -> usize {
        self.layout.len()
    }

    /// The traversal view of one array of the group.
    pub(crate) fn traversal<S: RawData>(&self, a: ArrayBase<S, IxDyn>) -> ArrayBase<S, IxDyn> {
        self.layout.apply(a)
    }

    /// Reduces the blocks with the fixed tree; `None` if empty.
    pub(crate) fn reduce<T, L, C>(&self, leaf: L, combine: C) -> Option<T>
    where
        T: Send,
        L: Fn(&Block) -> T + Sync,
        C: Fn(T, T) -> T + Sync,
    {
        let count = self.blocks.count();
        (count > 0).then(|| {
            tree_reduce(
                count,
                self.schedule,
                &|b| leaf(&self.blocks.block(b)),
                &combine,
            )
        })
    }

    /// Each block's `(block, length)` in block order.
    pub(crate) fn parts(&self) -> Vec<(Block, usize)> {
        (0..self.blocks.count())
            .map(|b| {
                let block = self.blocks.block(b);
                let len = block.len;
                (block, len)
            })
            .collect()
    }
}

/// How traversal positions map to logical row-major indices.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Positions<'a> {
    /// Traversal order is row-major order.
    RowMajor,
    /// Given by a layout.
    Layout(&'a Layout),
}

impl Positions<'_> {
    /// `true` if an earlier position is always an earlier logical index.
    pub(crate) fn is_row_major(&self) -> bool {
        match self {
            Positions::RowMajor => true,
            Positions::Layout(l) => l.is_logical_order(),
        }
    }

    /// The row-major flat index of traversal position `pos`.
    pub(crate) fn flat(&self, pos: usize) -> usize {
        match self {
            Positions::RowMajor => pos,
            Positions::Layout(l) => l.logical_flat(pos),
        }
    }
}

/// The elements of `v` in row-major order as one slice: `v`'s own memory
/// when it is contiguous, else a copy gathered into `buf`.
pub(crate) fn contiguous<'b, A: Clone, D: Dimension>(
    v: &'b ArrayView<'_, A, D>,
    buf: &'b mut Vec<A>,
) -> &'b [A] {
    if let Some(s) = v.as_slice() {
        return s;
    }
    buf.clear();
    buf.reserve(v.len());
    for lane in v.lanes(Axis(v.ndim().max(1) - 1)) {
        match lane.to_slice() {
            Some(s) => buf.extend_from_slice(s),
            None => buf.extend(lane.iter().cloned()),
        }
    }
    buf
}

/// The lanes of `v` along its last axis, in row-major order. Traversal
/// views put the smallest stride last, so these are the longest runs that
/// can be walked with one stride.
pub(crate) fn lanes<'v, A>(v: &'v ArrayViewD<'_, A>) -> impl Iterator<Item = ArrayView1<'v, A>> {
    v.lanes(Axis(v.ndim() - 1)).into_iter()
}
