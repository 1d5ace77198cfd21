//! The planner: how an array of any shape and layout is cut into blocks,
//! and when those blocks run. It is the only place that splits work; the
//! engine and the kernels above it ask it for blocks and never invent
//! their own.
//!
//! ```text
//! layout.rs    traversal order of a group of arrays, from the leader's
//!              strides (C, F, transposed, stepped, reversed, broadcast)
//! blocks.rs    rectangular blocks of a traversal view; cutting shared
//!              and mutable views into pieces
//! whole.rs     WholePlan: the blocks of a whole-array kernel (a flat cut
//!              for contiguous groups, the general cut otherwise)
//! axis.rs      AxisPlan: the axis in front, lanes or streamed rows
//! tiles.rs     fixed 2-D output tiles (distances, products, stencils)
//! tree.rs      Tree: the fixed combine tree (a midpoint tree, or one
//!              over bands of leaves), the same on one machine and over
//!              MPI ranks
//! schedule.rs  Schedule: whether blocks go to the pool, evaluating the
//!              tree, and the params carried to every worker; the only
//!              code that hands work to rayon (`clippy.toml` enforces it)
//! ```
//!
//! Block boundaries come from the shape, the layout and the element size
//! (through [`Params::block_bytes`](crate::Params::block_bytes)) only.
//! Because both the blocks and the combine tree are functions of the input
//! alone, reductions give the same bits on any number of threads, and the
//! sequential path (small inputs, or a one-thread pool) walks the very same
//! tree.

pub(crate) mod axis;
mod blocks;
mod layout;
mod schedule;
pub(crate) mod tiles;
mod tree;
mod whole;

use ndarray::{ArrayView, Axis, Dimension};

pub(crate) use blocks::{Block, Blocks, CutD, cut_into, piece, piece_count, piece_lens};
pub(crate) use layout::Layout;
pub(crate) use schedule::Schedule;
pub(crate) use tree::Tree;
pub(crate) use whole::{Cut as WholeCut, WholePlan, map_block_len, reduce_block_len};

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
