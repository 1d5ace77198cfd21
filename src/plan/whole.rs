//! The blocks of a whole-array kernel: a group of same-shape arrays (the
//! inputs of a reduction, or an output and the inputs of a map) cut into
//! blocks that every member shares.

use std::ops::Range;

use super::blocks::{Blocks, piece, piece_count};
use super::layout::Layout;
use super::schedule::Schedule;
use crate::params::Params;

/// How the elements of a group of arrays are cut into blocks.
#[derive(Clone, Debug)]
pub(crate) enum Cut {
    /// Every member's memory is one slice and they line up element for
    /// element: the slice is cut into `count` nearly equal pieces.
    Flat { count: usize },
    /// Otherwise: the traversal order the layout gives, cut into
    /// rectangular blocks of the traversal view (boxed, so that the common
    /// flat plan stays small to move around).
    Blocks(Box<General>),
}

/// The general cut: a layout and the blocks of its traversal view.
#[derive(Clone, Debug)]
pub(crate) struct General {
    pub(crate) layout: Layout,
    pub(crate) blocks: Blocks,
}

/// The blocks of a whole-array kernel and when they run.
///
/// For a contiguous array the flat cut and the general cut give the same
/// boundaries, so which one a kernel takes never changes a result.
#[derive(Clone, Debug)]
pub(crate) struct WholePlan {
    len: usize,
    pub(crate) cut: Cut,
    pub(crate) schedule: Schedule,
}

impl WholePlan {
    /// Plans a group of arrays of logical `shape` whose strides are
    /// `strides` (the leader, which fixes the traversal order, first);
    /// `flat` says their memory lines up as one slice each.
    pub(crate) fn new(
        shape: &[usize],
        strides: &[&[isize]],
        flat: bool,
        block_len: usize,
        params: Params,
    ) -> WholePlan {
        let len = shape.iter().product();
        let cut = if flat {
            Cut::Flat {
                count: piece_count(len, block_len),
            }
        } else {
            let layout = Layout::new(shape, strides[0], &strides[1..]);
            let blocks = Blocks::new(&layout.merged_shape(), block_len);
            Cut::Blocks(Box::new(General { layout, blocks }))
        };
        let count = match &cut {
            Cut::Flat { count } => *count,
            Cut::Blocks(g) => g.blocks.count(),
        };
        WholePlan {
            len,
            cut,
            schedule: Schedule::new(params, len, count),
        }
    }

    /// Number of blocks (0 when empty).
    #[inline]
    pub(crate) fn count(&self) -> usize {
        match &self.cut {
            Cut::Flat { count } => *count,
            Cut::Blocks(g) => g.blocks.count(),
        }
    }

    /// Number of elements.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The traversal positions block `b` covers.
    #[inline]
    pub(crate) fn range(&self, b: usize) -> Range<usize> {
        match &self.cut {
            Cut::Flat { count } => piece(self.len, *count, b),
            Cut::Blocks(g) => {
                let block = g.blocks.block(b);
                block.start..block.start + block.len
            }
        }
    }
}

/// Elements per block for a reduction over elements of `elem_size` bytes:
/// a fixed function of the params, so that float results depend on them
/// and on nothing else.
#[inline]
pub(crate) fn reduce_block_len(params: &Params, elem_size: usize) -> usize {
    params.block_len(elem_size)
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
