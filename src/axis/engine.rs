//! The engine behind every axis reduction.
//!
//! The reduced axis `k` is moved in front and the other axes (the *output*
//! axes) are normalised with the planner's [`Layout`], so the input becomes a
//! traversal view `T` of shape `[n_k, m_0, …, m_g]` whose output axes walk
//! memory forwards. Then one of two strategies streams memory well:
//!
//! * **Lanes** (axis `k` has the smallest stride, e.g. row sums of a C-order
//!   matrix): every output element is one lane `T[:, p]`, reduced with the
//!   vectorised slice loop. Short lanes are grouped into blocks of about
//!   `block_len` elements; a lane longer than `block_len` is cut into fixed
//!   pieces combined by the fixed tree, exactly as `par_sum` does.
//! * **Rows** (otherwise, e.g. column sums of a C-order matrix): `T[r]` are
//!   rows that run along memory. The last output axis is cut into column
//!   tiles of [`TILE`] elements; for each tile, rows are cut into fixed
//!   blocks of `block_len / tile` rows, each block folds its rows into one
//!   accumulator per column, and row blocks are merged along the fixed
//!   pairwise tree. Output axes before the last are a batch loop.
//!
//! Both cuts depend on shapes, strides and `Params` only, so results are
//! bitwise identical on any thread count. The reduced axis always runs in
//! logical order (it is never flipped), so "first index" rules need no
//! mapping.

use std::ops::Range;

use ndarray::{ArrayBase, ArrayD, ArrayView2, ArrayViewD, Axis, Ix2, IxDyn, RawData, Slice};

use crate::params::Params;
use crate::plan::{Blocks, Layout, Schedule, contiguous, piece, piece_count, tree_reduce};
use crate::uninit::{Writer, build_vec};

/// Widest column tile (in output elements) of the rows strategy: 32 KiB of
/// f64 accumulators, which stay in L1/L2, while the rows of a C-order
/// matrix up to this width are read as one contiguous stream.
pub(crate) const TILE: usize = 4096;

/// Fewest rows a row block folds before its partial result is merged:
/// enough that merging accumulator vectors costs little next to reading
/// the rows (measured: 16 rows cost 10–15% against 64 on a 4096² sum).
/// Each column then adds at most `max(64, block_len / tile width)` values
/// in order before the pairwise merges; numpy, for comparison, adds all
/// rows in order.
pub(crate) const MIN_ROWS: usize = 64;

/// Parts of the lanes strategy hold about this many blocks of lanes, so
/// that per-part overhead (a sub-view, a lane iterator) stays negligible.
const LANE_PART_BLOCKS: usize = 8;

/// One axis reduction: how to fold runs of a lane and blocks of rows into
/// accumulators, how to merge accumulators, and how to finish them.
pub(crate) trait AxisKernel<A>: Sync {
    /// Partial result for one output element.
    type Acc: Send + Sync + Clone;
    /// Final value of one output element.
    type Out: Send;
    /// Whether runs may be folded separately and merged. `false` for a
    /// plain fold, which must see each lane front to back in one go.
    const SPLITTABLE: bool = true;

    /// Folds `xs`, a run of one lane in logical order whose first element is
    /// at index `r0` along the axis.
    fn run(&self, xs: &[A], r0: usize) -> Self::Acc;

    /// Folds rows `r0, r0 + 1, …` (each a slice over the same columns) into
    /// one accumulator per column, replacing the contents of `out`.
    fn rows(&self, rows: &[&[A]], r0: usize, out: &mut Vec<Self::Acc>);

    /// Merges the partial results of neighbouring runs, `left` first.
    fn merge(&self, left: Self::Acc, right: Self::Acc) -> Self::Acc;

    /// The output value.
    fn finish(&self, acc: Self::Acc) -> Self::Out;
}

/// Reduces `a` along `axis` with `kernel`; returns the output in the
/// logical shape of `a` without `axis`. The axis must be non-empty.
pub(crate) fn reduce_axis<A, K>(a: ArrayViewD<'_, A>, axis: Axis, kernel: &K) -> ArrayD<K::Out>
where
    A: Clone + Sync,
    K: AxisKernel<A>,
{
    debug_assert!(a.len_of(axis) > 0, "callers handle an empty axis");
    let (layout, t) = axis_in_front(a, axis);
    let Some(t) = t else {
        return layout.array_from_traversal(Vec::new());
    };
    let m = layout.len();
    let params = Params::current();
    let block_len = params.block_len(size_of::<A>().max(size_of::<K::Acc>()));

    let (s_k, s_col) = (
        t.strides()[0].unsigned_abs(),
        t.strides()[t.ndim() - 1].unsigned_abs(),
    );
    let data = if m == 1 || s_k <= s_col {
        by_lanes(&t, kernel, block_len)
    } else {
        by_rows(&t, kernel, block_len)
    };
    layout.array_from_traversal(data)
}

/// `a` with `axis` moved in front and the other axes normalised by their
/// [`Layout`] (the layout of the output positions): the traversal view
/// `[n_k, m_0, …, m_g]`, or `None` when there are no output positions.
/// Axis `k` keeps its logical direction.
pub(crate) fn axis_in_front<S: RawData>(
    a: ArrayBase<S, IxDyn>,
    axis: Axis,
) -> (Layout, Option<ArrayBase<S, IxDyn>>) {
    let front = to_front(a, axis);
    let layout = Layout::new(&front.shape()[1..], &front.strides()[1..], &[]);
    if layout.len() == 0 {
        return (layout, None);
    }
    let t = layout.apply_after(front, 1);
    (layout, Some(t))
}

/// Like [`axis_in_front`] for an input and an output of the same shape,
/// normalised together (the input leads), so that their traversal views
/// have the same shape.
pub(crate) fn axis_in_front_pair<S: RawData, T: RawData>(
    a: ArrayBase<S, IxDyn>,
    out: ArrayBase<T, IxDyn>,
    axis: Axis,
) -> Option<(ArrayBase<S, IxDyn>, ArrayBase<T, IxDyn>)> {
    let (a, out) = (to_front(a, axis), to_front(out, axis));
    let layout = Layout::new(&a.shape()[1..], &a.strides()[1..], &[&out.strides()[1..]]);
    if layout.len() == 0 || a.len_of(Axis(0)) == 0 {
        return None;
    }
    Some((layout.apply_after(a, 1), layout.apply_after(out, 1)))
}

/// `a` with `axis` moved to the front, the other axes in order.
fn to_front<S: RawData>(a: ArrayBase<S, IxDyn>, axis: Axis) -> ArrayBase<S, IxDyn> {
    let mut order: Vec<usize> = vec![axis.index()];
    order.extend((0..a.ndim()).filter(|&ax| ax != axis.index()));
    a.permuted_axes(IxDyn(&order))
}

/// The lanes strategy (see the module docs).
fn by_lanes<A, K>(t: &ArrayViewD<'_, A>, kernel: &K, block_len: usize) -> Vec<K::Out>
where
    A: Clone + Sync,
    K: AxisKernel<A>,
{
    let n = t.len_of(Axis(0));
    let out_shape = &t.shape()[1..];
    let m: usize = out_shape.iter().product();
    let long = K::SPLITTABLE && n > block_len;
    // Short lanes: blocks of whole lanes. Long lanes: one lane per part,
    // cut into pieces inside.
    let lanes_per_part = if long {
        1
    } else {
        (LANE_PART_BLOCKS * block_len / n).max(1)
    };
    let parts = Blocks::new(out_shape, lanes_per_part);
    let items: Vec<_> = (0..parts.count())
        .map(|b| {
            let block = parts.block(b);
            let len = block.len;
            (block, len)
        })
        .collect();
    let schedule = Schedule::for_len(n * m, items.len());
    build_vec(m, items, schedule, |block, w: &mut Writer<'_, K::Out>| {
        let sub = parts.view_after(t, &block, 1);
        let mut buf = Vec::new();
        for lane in sub.lanes(Axis(0)) {
            let acc = if long {
                let pieces = piece_count(n, block_len);
                tree_reduce(
                    pieces,
                    Schedule::for_len(n, pieces),
                    &|p| {
                        let r = piece(n, pieces, p);
                        let run = lane.slice_axis(Axis(0), Slice::from(r.clone()));
                        let mut buf = Vec::new();
                        kernel.run(contiguous(&run, &mut buf), r.start)
                    },
                    &|l, r| kernel.merge(l, r),
                )
            } else {
                kernel.run(contiguous(&lane, &mut buf), 0)
            };
            w.push(kernel.finish(acc));
        }
    })
}

/// The rows strategy (see the module docs).
fn by_rows<A, K>(t: &ArrayViewD<'_, A>, kernel: &K, block_len: usize) -> Vec<K::Out>
where
    A: Clone + Sync,
    K: AxisKernel<A>,
{
    let n = t.len_of(Axis(0));
    let cols = t.len_of(Axis(t.ndim() - 1));
    let batch_shape = &t.shape()[1..t.ndim() - 1];
    let batches: usize = batch_shape.iter().product();
    // Tiles never exceed a block, so small blocks (tests) get many tiles.
    let tiles = piece_count(cols, TILE.min(block_len));
    let tile_len = cols.div_ceil(tiles);
    let rows_per_block = if K::SPLITTABLE {
        // (Tiny blocks, as in tests, may go below MIN_ROWS.)
        (block_len / tile_len).max(MIN_ROWS.min(block_len))
    } else {
        n
    };
    let row_blocks = piece_count(n, rows_per_block);

    let items: Vec<((usize, Range<usize>), usize)> = (0..batches)
        .flat_map(|b| (0..tiles).map(move |c| (b, piece(cols, tiles, c))))
        .map(|(b, r)| {
            let len = r.len();
            ((b, r), len)
        })
        .collect();
    let schedule = Schedule::for_len(n * batches * cols, items.len());
    build_vec(
        batches * cols,
        items,
        schedule,
        |(b, cr), w: &mut Writer<'_, K::Out>| {
            // The 2-D problem of batch `b`: rows along the axis, this tile's columns.
            let v = batch_2d(t, b);
            let tile = v.slice_axis(Axis(1), Slice::from(cr));
            let accs = tree_reduce(
                row_blocks,
                Schedule::for_len(n * tile.ncols(), row_blocks),
                &|rb| {
                    let rr = piece(n, row_blocks, rb);
                    fold_rows(kernel, &tile, rr)
                },
                &|mut l: Vec<K::Acc>, r: Vec<K::Acc>| {
                    // In place, a plain loop: this runs once per row block.
                    for (x, y) in l.iter_mut().zip(&r) {
                        *x = kernel.merge(x.clone(), y.clone());
                    }
                    l
                },
            );
            for acc in accs {
                w.push(kernel.finish(acc));
            }
        },
    )
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

/// Folds rows `rr` of a tile into one accumulator per column.
fn fold_rows<A, K>(kernel: &K, tile: &ArrayView2<'_, A>, rr: Range<usize>) -> Vec<K::Acc>
where
    A: Clone + Sync,
    K: AxisKernel<A>,
{
    let r0 = rr.start;
    let rows = tile.slice_axis(Axis(0), Slice::from(rr));
    let mut out = Vec::with_capacity(tile.ncols());
    if rows.ncols() > 0 && rows.row(0).as_slice().is_some() {
        let slices: Vec<&[A]> = rows
            .rows()
            .into_iter()
            .map(|r| r.to_slice().expect("unit stride"))
            .collect();
        kernel.rows(&slices, r0, &mut out);
    } else {
        // Strided columns: gather each row of the block into one buffer.
        let width = rows.ncols();
        let mut buf: Vec<A> = Vec::with_capacity(rows.len());
        for r in rows.rows() {
            buf.extend(r.iter().cloned());
        }
        let slices: Vec<&[A]> = if width == 0 {
            Vec::new()
        } else {
            buf.chunks(width).collect()
        };
        kernel.rows(&slices, r0, &mut out);
    }
    out
}
