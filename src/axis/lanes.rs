//! Lane kernels: a user function on every lane along an axis, in parallel
//! (numpy's `apply_along_axis`, ndarray's `map_axis` / `map_axis_mut`).
//!
//! Lanes are grouped into blocks of the output positions (planned like the
//! axis reductions' lanes strategy), so a block visits neighbouring lanes
//! and the lanes may have any stride.

use ndarray::{ArrayD, ArrayView1, ArrayViewD, ArrayViewMut1, ArrayViewMutD, Axis};

use crate::axis::engine::axis_in_front;
use crate::params::Params;
use crate::plan::{Blocks, Schedule, map_block_len};
use crate::uninit::build_vec;

/// How many lanes of length `n`, out of `m`, go into one block: about one
/// map block of elements (smaller for short inputs, as for maps).
fn lanes_per_block(n: usize, m: usize, elem_size: usize) -> usize {
    let params = Params::current();
    (map_block_len(n.max(1) * m, &params, elem_size) / n.max(1)).max(1)
}

/// `f` of every lane along `axis`, in the logical shape of `a` without
/// `axis`.
pub(crate) fn map_lanes<A, B, F>(a: ArrayViewD<'_, A>, axis: Axis, f: F) -> ArrayD<B>
where
    A: Sync,
    B: Send,
    F: Fn(ArrayView1<'_, A>) -> B + Sync,
{
    let (layout, t) = axis_in_front(a, axis);
    let Some(t) = t else {
        return layout.array_from_traversal(Vec::new());
    };
    let (n, m) = (t.len_of(Axis(0)), layout.len());
    let blocks = Blocks::new(&t.shape()[1..], lanes_per_block(n, m, size_of::<A>()));
    let items = (0..blocks.count())
        .map(|b| {
            let block = blocks.block(b);
            let len = block.len;
            (block, len)
        })
        .collect();
    let schedule = Schedule::for_len(n.max(1) * m, blocks.count());
    let data = build_vec(m, items, schedule, |block, w| {
        for lane in blocks.view_after(&t, &block, 1).lanes(Axis(0)) {
            w.push(f(lane));
        }
    });
    layout.array_from_traversal(data)
}

/// `f` of every mutable lane along `axis`, in the logical shape of `a`
/// without `axis`.
pub(crate) fn map_lanes_mut<A, B, F>(a: ArrayViewMutD<'_, A>, axis: Axis, f: F) -> ArrayD<B>
where
    A: Send,
    B: Send,
    F: Fn(ArrayViewMut1<'_, A>) -> B + Sync,
{
    let (layout, t) = axis_in_front(a, axis);
    let Some(t) = t else {
        return layout.array_from_traversal(Vec::new());
    };
    let (n, m) = (t.len_of(Axis(0)), layout.len());
    let blocks = Blocks::new(&t.shape()[1..], lanes_per_block(n, m, size_of::<A>()));
    let schedule = Schedule::for_len(n.max(1) * m, blocks.count());
    let items = blocks
        .carve_mut_after(t, 1)
        .into_iter()
        .map(|v| {
            let lanes = lanes_in(&v);
            (v, lanes)
        })
        .collect();
    let data = build_vec(m, items, schedule, |mut v: ArrayViewMutD<'_, A>, w| {
        for lane in v.lanes_mut(Axis(0)) {
            w.push(f(lane));
        }
    });
    layout.array_from_traversal(data)
}

/// Number of lanes along axis 0 of `v` (the product of the other axes).
fn lanes_in<A>(v: &ArrayViewMutD<'_, A>) -> usize {
    v.shape()[1..].iter().product()
}
