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

use ndarray::{ArrayBase, ArrayView1, ArrayViewD, Axis, IxDyn, RawData};
use rayon::prelude::*;

pub(crate) use blocks::{Block, Blocks};
pub(crate) use layout::Layout;

use crate::params::Params;

/// Whether a kernel over `len` elements in `count` blocks should use the
/// rayon pool: there must be more than one block, enough elements to repay
/// the fork, and more than one thread.
fn run_parallel(len: usize, count: usize, params: &Params) -> bool {
    count > 1 && len >= params.min_parallel_len && rayon::current_num_threads() > 1
}

/// Reduces leaves `0..count` (`count ≥ 1`) with a fixed pairwise tree:
/// `leaf(i)` computes leaf `i`; `combine(left, right)` merges neighbours.
/// The tree splits at the midpoint whatever the thread count.
pub(crate) fn tree_reduce<T, L, C>(count: usize, parallel: bool, leaf: &L, combine: &C) -> T
where
    T: Send,
    L: Fn(usize) -> T + Sync,
    C: Fn(T, T) -> T + Sync,
{
    fn node<T, L, C>(lo: usize, hi: usize, parallel: bool, leaf: &L, combine: &C) -> T
    where
        T: Send,
        L: Fn(usize) -> T + Sync,
        C: Fn(T, T) -> T + Sync,
    {
        if hi - lo == 1 {
            return leaf(lo);
        }
        let mid = lo + (hi - lo) / 2;
        let (left, right) = if parallel {
            rayon::join(
                || node(lo, mid, parallel, leaf, combine),
                || node(mid, hi, parallel, leaf, combine),
            )
        } else {
            (
                node(lo, mid, parallel, leaf, combine),
                node(mid, hi, parallel, leaf, combine),
            )
        };
        combine(left, right)
    }
    debug_assert!(count >= 1);
    node(0, count, parallel, leaf, combine)
}

/// Runs `f` on every item, on the pool when `parallel`. For kernels whose
/// result does not depend on the order (maps).
pub(crate) fn for_each<I, F>(items: Vec<I>, parallel: bool, f: F)
where
    I: Send,
    F: Fn(I) + Sync,
{
    if parallel {
        items.into_par_iter().for_each(|item| f(item));
    } else {
        items.into_iter().for_each(f);
    }
}

/// The plan of a contiguous array: its memory, as one slice, cut into
/// nearly equal pieces of at most `block_len` elements. Identical to the
/// blocks of the general path for the same array.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Flat {
    len: usize,
    count: usize,
    pub(crate) parallel: bool,
}

impl Flat {
    /// Plans `len` contiguous elements of (at most) `elem_size` bytes.
    pub(crate) fn new(len: usize, elem_size: usize) -> Flat {
        let params = Params::current();
        let count = blocks::piece_count(len, params.block_len(elem_size));
        Flat {
            len,
            count,
            parallel: run_parallel(len, count, &params),
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
        (self.count > 0).then(|| tree_reduce(self.count, self.parallel, &|b| leaf(self.range(b)), &combine))
    }
}

/// Everything a kernel needs to walk a group of same-shape arrays of any
/// layout.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    pub(crate) layout: Layout,
    pub(crate) blocks: Blocks,
    /// Whether blocks run on the rayon pool (else on the calling thread).
    pub(crate) parallel: bool,
}

impl Plan {
    /// Plans a kernel over arrays of logical `shape`. The leader's strides
    /// fix the traversal order; `others` are the other arrays' strides;
    /// `elem_size` is the largest element size involved (it sets how many
    /// elements a block holds).
    pub(crate) fn new(shape: &[usize], leader: &[isize], others: &[&[isize]], elem_size: usize) -> Plan {
        let params = Params::current();
        let layout = Layout::new(shape, leader, others);
        let blocks = Blocks::new(&layout.merged_shape(), params.block_len(elem_size));
        let parallel = run_parallel(layout.len(), blocks.count(), &params);
        Plan {
            layout,
            blocks,
            parallel,
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
        (count > 0).then(|| tree_reduce(count, self.parallel, &|b| leaf(&self.blocks.block(b)), &combine))
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
pub(crate) fn contiguous<'b, A: Copy>(v: &'b ArrayViewD<'_, A>, buf: &'b mut Vec<A>) -> &'b [A] {
    if let Some(s) = v.as_slice() {
        return s;
    }
    buf.clear();
    buf.reserve(v.len());
    for lane in lanes(v) {
        match lane.to_slice() {
            Some(s) => buf.extend_from_slice(s),
            None => buf.extend(lane.iter().copied()),
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
