//! The block planner: how an array of any shape and layout is cut into
//! blocks, and how blocks are run. Every kernel goes through here; no kernel
//! invents its own splitting.
//!
//! Data flow of a kernel call:
//!
//! ```text
//! arrays ──► Layout (layout.rs): traversal order from the leader's strides,
//!            │                   applied to every input → traversal views
//!            ▼
//!          Blocks (blocks.rs): cut the traversal view into rectangular
//!            │                 blocks of ≈ Params::block_bytes, fixed by
//!            │                 shape + layout + element size only
//!            ▼
//!          Plan::reduce   — a fixed binary tree over block indices, split at
//!            │              the midpoint, run with rayon::join; leaves are
//!            │              blocks, inner nodes combine left-then-right
//!          Plan::for_each — maps: blocks in any order (results do not depend
//!                           on it)
//! ```
//!
//! Because both the blocks and the combine tree are functions of the input
//! alone, reductions give the same bits on any number of threads, and the
//! sequential path (small inputs, or a one-thread pool) walks the very same
//! tree.

mod blocks;
mod layout;

use ndarray::{ArrayBase, ArrayView1, ArrayViewD, Axis, IxDyn, RawData};
use rayon::prelude::*;

pub(crate) use blocks::{Block, Blocks};
pub(crate) use layout::Layout;

use crate::params::Params;

/// Everything a kernel needs to walk a group of same-shape arrays.
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
        let parallel = blocks.count() > 1
            && layout.len() >= params.min_parallel_len
            && rayon::current_num_threads() > 1;
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

    /// Reduces the blocks with a fixed pairwise tree: `leaf` turns one block
    /// into a partial result, `combine(left, right)` merges neighbours.
    /// Returns `None` when there are no blocks (empty input).
    pub(crate) fn reduce<T, L, C>(&self, leaf: L, combine: C) -> Option<T>
    where
        T: Send,
        L: Fn(&Block) -> T + Sync,
        C: Fn(T, T) -> T + Sync,
    {
        let count = self.blocks.count();
        if count == 0 {
            return None;
        }
        Some(self.tree(0, count, &leaf, &combine))
    }

    fn tree<T, L, C>(&self, lo: usize, hi: usize, leaf: &L, combine: &C) -> T
    where
        T: Send,
        L: Fn(&Block) -> T + Sync,
        C: Fn(T, T) -> T + Sync,
    {
        if hi - lo == 1 {
            return leaf(&self.blocks.block(lo));
        }
        let mid = lo + (hi - lo) / 2;
        let (left, right) = if self.parallel {
            rayon::join(
                || self.tree(lo, mid, leaf, combine),
                || self.tree(mid, hi, leaf, combine),
            )
        } else {
            (
                self.tree(lo, mid, leaf, combine),
                self.tree(mid, hi, leaf, combine),
            )
        };
        combine(left, right)
    }

    /// Runs `f` on every item (one per block), in parallel when planned so.
    /// For kernels whose result does not depend on the order (maps).
    pub(crate) fn for_each<I, F>(&self, items: Vec<I>, f: F)
    where
        I: Send,
        F: Fn(I) + Sync,
    {
        if self.parallel {
            items.into_par_iter().for_each(|item| f(item));
        } else {
            items.into_iter().for_each(f);
        }
    }

    /// Items for a map: each block's `(block, part length)` in block order.
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
