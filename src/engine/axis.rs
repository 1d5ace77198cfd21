//! The axis driver: a [`ReduceKernel`] along one axis, over the cut the
//! planner's [`AxisPlan`] chose.
//!
//! * Lanes: each lane is folded with the kernel's `run` (a lane longer
//!   than a block in fixed pieces merged along the fixed tree, exactly as
//!   a whole-array reduction of that lane would).
//! * Rows: each column tile folds fixed row blocks with the kernel's
//!   `rows` and merges them along the fixed tree, in place.

use std::ops::Range;

use ndarray::{ArrayD, ArrayView2, ArrayViewD, Axis, Slice};

use super::uninit::{Writer, build_vec};
use super::{At, ReduceKernel};
use crate::plan::axis::{AxisCut, AxisPlan, batch_2d, to_front};
use crate::plan::contiguous;

/// Reduces `a` along `axis` with `kernel`, in the logical shape of `a`
/// without `axis`. The axis must be non-empty.
pub(crate) fn reduce_axis<A, K>(a: ArrayViewD<'_, A>, axis: Axis, kernel: &K) -> ArrayD<K::Out>
where
    A: Clone + Sync,
    K: ReduceKernel<A>,
{
    debug_assert!(a.len_of(axis) > 0, "callers handle an empty axis");
    let front = to_front(a, axis);
    let size = size_of::<A>().max(size_of::<K::Acc>());
    let plan = AxisPlan::new(front.shape(), &[front.strides()], size, K::SPLITTABLE);
    if plan.m == 0 {
        return plan.layout.array_from_traversal(Vec::new());
    }
    let t = plan.traversal(front);
    let data = match &plan.cut {
        AxisCut::Lanes { .. } => by_lanes(&plan, &t, kernel),
        AxisCut::Rows { .. } => by_rows(&plan, &t, kernel),
    };
    plan.layout.array_from_traversal(data)
}

/// The lanes cut (see the module docs).
fn by_lanes<A, K>(plan: &AxisPlan, t: &ArrayViewD<'_, A>, kernel: &K) -> Vec<K::Out>
where
    A: Clone + Sync,
    K: ReduceKernel<A>,
{
    let AxisCut::Lanes { parts, .. } = &plan.cut else {
        unreachable!("the lanes cut")
    };
    let n = plan.n;
    let schedule = plan.schedule(parts.count());
    build_vec(
        plan.m,
        parts.parts(),
        schedule,
        |block, w: &mut Writer<'_, K::Out>| {
            let sub = parts.view_after(t, &block, 1);
            let mut buf = Vec::new();
            for lane in sub.lanes(Axis(0)) {
                let acc = if plan.pieces() > 1 {
                    plan.piece_schedule(1).tree_reduce(
                        plan.pieces(),
                        |p| {
                            let r = plan.piece(p);
                            let run = lane.slice_axis(Axis(0), Slice::from(r.clone()));
                            let mut buf = Vec::new();
                            kernel.run(contiguous(&run, &mut buf), At::logical(r.start))
                        },
                        |l, r| kernel.merge(l, r),
                    )
                } else {
                    debug_assert_eq!(lane.len(), n);
                    kernel.run(contiguous(&lane, &mut buf), At::logical(0))
                };
                w.push(kernel.finish(acc));
            }
        },
    )
}

/// The rows cut (see the module docs).
fn by_rows<A, K>(plan: &AxisPlan, t: &ArrayViewD<'_, A>, kernel: &K) -> Vec<K::Out>
where
    A: Clone + Sync,
    K: ReduceKernel<A>,
{
    let tiles = plan.tiles();
    let schedule = plan.schedule(tiles.len());
    build_vec(
        plan.m,
        tiles,
        schedule,
        |(b, cols), w: &mut Writer<'_, K::Out>| {
            // The 2-D problem of batch `b`: rows along the axis, this
            // tile's columns.
            let v = batch_2d(t, b);
            let tile = v.slice_axis(Axis(1), Slice::from(cols));
            let accs = plan.piece_schedule(tile.ncols()).tree_reduce(
                plan.pieces(),
                |rb| fold_rows(kernel, &tile, plan.piece(rb)),
                |mut l: Vec<K::Acc>, r: Vec<K::Acc>| {
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

/// `f` of rows `rr` of a tile as slices: the tile's own memory when its
/// rows are contiguous, else copies gathered into one buffer.
pub(crate) fn with_rows<A: Clone, R>(
    tile: &ArrayView2<'_, A>,
    rr: Range<usize>,
    f: impl FnOnce(&[&[A]]) -> R,
) -> R {
    let rows = tile.slice_axis(Axis(0), Slice::from(rr));
    if rows.row(0).as_slice().is_some() {
        let slices: Vec<&[A]> = rows
            .rows()
            .into_iter()
            .map(|r| r.to_slice().expect("unit stride"))
            .collect();
        return f(&slices);
    }
    let width = rows.ncols().max(1);
    let mut buf: Vec<A> = Vec::with_capacity(rows.len());
    for r in rows.rows() {
        buf.extend(r.iter().cloned());
    }
    let slices: Vec<&[A]> = buf.chunks(width).collect();
    f(&slices)
}

/// Folds rows `rr` of a tile into one accumulator per column.
fn fold_rows<A, K>(kernel: &K, tile: &ArrayView2<'_, A>, rr: Range<usize>) -> Vec<K::Acc>
where
    A: Clone + Sync,
    K: ReduceKernel<A>,
{
    let r0 = rr.start;
    let mut out = Vec::with_capacity(tile.ncols());
    with_rows(tile, rr, |rows| kernel.rows(rows, r0, &mut out));
    out
}
