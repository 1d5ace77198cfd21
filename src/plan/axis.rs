//! How a kernel along one axis (a reduction, a scan, a function of every
//! lane) walks an array.
//!
//! The axis `k` is moved in front and the other axes (the *output* axes)
//! are normalised with a [`Layout`], so every member of the group becomes a
//! traversal view of shape `[n_k, m_0, …, m_g]` whose output axes walk
//! memory forwards. Axis `k` keeps its logical direction, so "first index"
//! rules need no mapping. Then one of two cuts streams memory well:
//!
//! * **Lanes** (axis `k` has the smallest stride, e.g. row sums of a
//!   C-order matrix): every output position is one lane `T[:, p]`. Lanes
//!   are grouped into parts of about [`LANE_PART_BLOCKS`] blocks; a lane
//!   longer than a block is cut into fixed pieces.
//! * **Rows** (otherwise, e.g. column sums of a C-order matrix): `T[r]` are
//!   rows that run along memory. The last output axis is cut into column
//!   tiles of at most [`TILE`] elements and the rows into fixed row blocks;
//!   the output axes before the last are a batch loop.
//!
//! Both cuts depend on shapes, strides and [`Params`] only, so kernels
//! that combine pieces in a fixed order give the same bits on any thread
//! count.

use std::ops::Range;

use ndarray::{ArrayBase, ArrayView2, ArrayViewD, Axis, Ix2, IxDyn, RawData};

use super::blocks::{Blocks, piece, piece_count};
use super::layout::Layout;
use super::schedule::Schedule;
use super::whole::map_block_len;
use crate::params::Params;

/// Widest column tile (in output elements) of the rows cut: 32 KiB of f64
/// accumulators, which stay in L1/L2, while the rows of a C-order matrix up
/// to this width are read as one contiguous stream.
pub(crate) const TILE: usize = 4096;

/// Fewest rows a row block holds (blocks permitting): enough that merging
/// per-column accumulators costs little next to reading the rows
/// (measured: 16 rows cost 10–15% against 64 on a 4096² sum).
pub(crate) const MIN_ROWS: usize = 64;

/// Parts of the lanes cut hold about this many blocks of lanes, so that
/// per-part overhead (a sub-view, a lane iterator) stays negligible.
const LANE_PART_BLOCKS: usize = 8;

/// `a` with `axis` moved to the front, the other axes in order.
pub(crate) fn to_front<S: RawData>(a: ArrayBase<S, IxDyn>, axis: Axis) -> ArrayBase<S, IxDyn> {
    let mut order: Vec<usize> = vec![axis.index()];
    order.extend((0..a.ndim()).filter(|&ax| ax != axis.index()));
    a.permuted_axes(IxDyn(&order))
}

/// Which cut an axis kernel takes (see the module docs).
#[derive(Clone, Debug)]
pub(crate) enum AxisCut {
    /// Parts of whole lanes; each lane is cut into `pieces` fixed pieces
    /// (1 when it fits a block).
    Lanes { parts: Blocks, pieces: usize },
    /// Batches × column tiles, each cut into `row_blocks` fixed row
    /// blocks.
    Rows {
        batches: usize,
        cols: usize,
        tiles: usize,
        row_blocks: usize,
    },
}

/// The plan of one axis kernel over a group of same-shape arrays.
#[derive(Clone, Debug)]
pub(crate) struct AxisPlan {
    /// How the output positions are walked.
    pub(crate) layout: Layout,
    /// Length of the axis.
    pub(crate) n: usize,
    /// Number of output positions.
    pub(crate) m: usize,
    pub(crate) cut: AxisCut,
    params: Params,
}

impl AxisPlan {
    /// Plans a kernel along axis 0 of a group with axis-first shape
    /// `front_shape`; `front_strides` are the members' strides (the leader,
    /// which fixes the order, first). `elem_size` is the largest element
    /// or accumulator size; `splittable` says whether partial results of
    /// one lane may be merged (a plain fold must see a lane in one go).
    pub(crate) fn new(
        front_shape: &[usize],
        front_strides: &[&[isize]],
        elem_size: usize,
        splittable: bool,
    ) -> AxisPlan {
        let params = Params::current();
        let block_len = params.block_len(elem_size);
        let (layout, n, m) = Self::layout(front_shape, front_strides);
        // Strides of the axis and of the innermost output axis, as the
        // leader's traversal view will have them.
        let lead = front_strides[0];
        let s_k = lead[0].unsigned_abs();
        let s_col = layout.innermost_stride(&lead[1..]).unsigned_abs();
        let cut = if m <= 1 || s_k <= s_col {
            let pieces = if splittable && n > block_len {
                piece_count(n, block_len)
            } else {
                1
            };
            let lanes_per_part = if pieces > 1 {
                1
            } else {
                (LANE_PART_BLOCKS * block_len / n.max(1)).max(1)
            };
            AxisCut::Lanes {
                parts: Blocks::new(&Self::outer_dims(&layout), lanes_per_part),
                pieces,
            }
        } else {
            let merged = layout.merged_shape();
            let cols = *merged.last().expect("at least one axis");
            let batches = m / cols.max(1);
            // Tiles never exceed a block, so small blocks (tests) get many
            // tiles.
            let tiles = piece_count(cols, TILE.min(block_len));
            let tile_len = cols.div_ceil(tiles);
            let rows_per_block = if splittable {
                (block_len / tile_len).max(MIN_ROWS.min(block_len))
            } else {
                n
            };
            AxisCut::Rows {
                batches,
                cols,
                tiles,
                row_blocks: piece_count(n, rows_per_block),
            }
        };
        AxisPlan {
            layout,
            n,
            m,
            cut,
            params,
        }
    }

    /// Plans a function of every lane (whole lanes, never split), grouped
    /// into parts of about one map block of elements.
    pub(crate) fn for_lanes(
        front_shape: &[usize],
        front_strides: &[&[isize]],
        elem_size: usize,
    ) -> AxisPlan {
        let params = Params::current();
        let (layout, n, m) = Self::layout(front_shape, front_strides);
        let per_part = (map_block_len(n.max(1) * m, &params, elem_size) / n.max(1)).max(1);
        AxisPlan {
            cut: AxisCut::Lanes {
                parts: Blocks::new(&Self::outer_dims(&layout), per_part),
                pieces: 1,
            },
            layout,
            n,
            m,
            params,
        }
    }

    fn layout(front_shape: &[usize], front_strides: &[&[isize]]) -> (Layout, usize, usize) {
        let others: Vec<&[isize]> = front_strides[1..].iter().map(|s| &s[1..]).collect();
        let layout = Layout::new(&front_shape[1..], &front_strides[0][1..], &others);
        let m = layout.len();
        (layout, front_shape[0], m)
    }

    /// The shape of the output axes in the traversal view (at least one
    /// axis).
    fn outer_dims(layout: &Layout) -> Vec<usize> {
        layout.merged_shape()
    }

    /// The traversal view `[n, m_0, …]` of one member of the group, given
    /// with its axis in front. Must not be called when there are no output
    /// positions.
    pub(crate) fn traversal<S: RawData>(&self, front: ArrayBase<S, IxDyn>) -> ArrayBase<S, IxDyn> {
        self.layout.apply_after(front, 1)
    }

    /// The schedule of `count` items of this plan.
    pub(crate) fn schedule(&self, count: usize) -> Schedule {
        Schedule::new(self.params, self.n.max(1) * self.m, count)
    }

    /// Number of pieces the axis is cut into: lane pieces or row blocks.
    pub(crate) fn pieces(&self) -> usize {
        match &self.cut {
            AxisCut::Lanes { pieces, .. } => *pieces,
            AxisCut::Rows { row_blocks, .. } => *row_blocks,
        }
    }

    /// The range of the axis that piece `p` covers.
    pub(crate) fn piece(&self, p: usize) -> Range<usize> {
        piece(self.n, self.pieces(), p)
    }

    /// The schedule of the pieces of one lane or tile of `width` columns.
    pub(crate) fn piece_schedule(&self, width: usize) -> Schedule {
        Schedule::new(self.params, self.n * width.max(1), self.pieces())
    }

    /// The (batch, column range) of every tile of the rows cut, in output
    /// order, with its number of outputs.
    pub(crate) fn tiles(&self) -> Vec<((usize, Range<usize>), usize)> {
        match &self.cut {
            AxisCut::Rows {
                batches,
                cols,
                tiles,
                ..
            } => (0..*batches)
                .flat_map(|b| (0..*tiles).map(move |c| (b, piece(*cols, *tiles, c))))
                .map(|(b, r)| {
                    let len = r.len();
                    ((b, r), len)
                })
                .collect(),
            AxisCut::Lanes { .. } => Vec::new(),
        }
    }
}

/// Batch `b` (row-major over the axes between the first and the last) of
/// traversal view `t`, as a 2-D view `[n, cols]`.
pub(crate) fn batch_2d<'a, A>(t: &ArrayViewD<'a, A>, b: usize) -> ArrayView2<'a, A> {
    let mut v = t.clone();
    let mut rest = b;
    let mut index = vec![0; t.ndim() - 2];
    for ax in (1..t.ndim() - 1).rev() {
        let len = t.len_of(Axis(ax));
        index[ax - 1] = rest % len;
        rest /= len;
    }
    for &i in &index {
        v = v.index_axis_move(Axis(1), i);
    }
    v.into_dimensionality::<Ix2>()
        .expect("a batch of the traversal view is two-dimensional")
}
