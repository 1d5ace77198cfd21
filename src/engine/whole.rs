//! The whole-array driver: a group of arrays cut into the blocks of a
//! [`WholePlan`], each block handed to a kernel as memory slices (flat
//! plans) or as traversal sub-views (general plans). Reductions combine
//! block results along the fixed tree; maps write each block's part of an
//! output (see `map.rs`).

use std::ops::Range;

use ndarray::{ArrayView, ArrayViewD, ArrayViewMutD, Axis, Dimension, Ix1, Ix2, Slice};

use super::ReduceKernel;
use super::group::Group;
use crate::params::{Params, Reproducibility};
use crate::plan::{
    Positions, Schedule, Tree, WholeCut, WholePlan, contiguous, piece, piece_count,
    reduce_block_len,
};

/// Elements per block at the [`Reproducibility::Layout`] level: a constant,
/// so that the bits depend on neither the memory layout, nor
/// `block_bytes`, nor the element size.
pub(crate) const LOGICAL_BLOCK_LEN: usize = 8192;

/// Whether the current params ask for the layout level.
pub(crate) fn layout_level() -> bool {
    Params::current().reproducibility == Reproducibility::Layout
}

/// Logical rows (lanes of the last axis) a band of blocks spans at least,
/// when the rows are long: an array whose memory runs along another axis
/// (F order) is then read in runs of this many elements per page visit.
const BAND_ROWS: usize = 64;
/// Most blocks in a band: a band's gather buffer stays at a few MiB.
const MAX_BAND_BLOCKS: usize = 32;

/// Blocks per band of [`reduce_logical`] for an array of `shape`: a
/// function of the last axis's length alone.
pub(crate) fn band_blocks(shape: &[usize]) -> usize {
    let row = shape.last().copied().unwrap_or(1);
    (BAND_ROWS.saturating_mul(row))
        .div_ceil(LOGICAL_BLOCK_LEN)
        .clamp(1, MAX_BAND_BLOCKS)
}

/// Reduces same-shape arrays block by block over their *logical*
/// row-major sequence: blocks of [`LOGICAL_BLOCK_LEN`] elements (nearly
/// equal pieces), each handed to `leaf` as one slice per array in logical
/// order, merged along a fixed tree. `None` when empty.
///
/// Blocks are grouped into bands of a fixed number of blocks (a function
/// of the shape alone): the tree runs over bands and, inside a band,
/// pairwise over its blocks. A band is gathered once, so that an array
/// whose memory does not run along the rows is read in long runs.
pub(crate) fn reduce_logical<A, T, L, C, const N: usize>(
    arrays: [ArrayViewD<'_, A>; N],
    leaf: L,
    combine: C,
) -> Option<T>
where
    A: Clone + Sync,
    T: Send,
    L: Fn([&[A]; N], usize) -> T + Sync,
    C: Fn(T, T) -> T + Sync,
{
    let len = arrays[0].len();
    if len == 0 {
        return None;
    }
    let count = piece_count(len, LOGICAL_BLOCK_LEN);
    let per_band = band_blocks(arrays[0].shape());
    let bands = count.div_ceil(per_band);
    // The banded tree: the schedule's midpoint tree over the bands, each
    // band's blocks merged inside it.
    let tree = Tree::banded(count, per_band);
    let schedule = Schedule::for_len(len, bands);
    Some(schedule.tree_reduce(
        bands,
        |band| {
            let (b0, b1) = (band * per_band, ((band + 1) * per_band).min(count));
            let span = piece(len, count, b0).start..piece(len, count, b1 - 1).end;
            let mut bufs: [Vec<A>; N] = std::array::from_fn(|_| Vec::new());
            let mut parts = bufs
                .iter_mut()
                .zip(&arrays)
                .map(|(buf, v)| logical_part(v, span.clone(), buf));
            let band_slices: [&[A]; N] = std::array::from_fn(|_| parts.next().expect("N arrays"));
            tree.fold(
                b0,
                b1,
                &|b| {
                    let r = piece(len, count, b);
                    let local = r.start - span.start..r.end - span.start;
                    leaf(band_slices.map(|xs| &xs[local.clone()]), r.start)
                },
                &combine,
            )
        },
        &combine,
    ))
}

/// Elements `r` of `v`'s logical row-major sequence: its own memory for a
/// C-order array, else gathered into `buf`.
fn logical_part<'b, A: Clone>(
    v: &'b ArrayViewD<'_, A>,
    r: Range<usize>,
    buf: &'b mut Vec<A>,
) -> &'b [A] {
    if let Some(xs) = v.as_slice() {
        return &xs[r];
    }
    buf.clear();
    buf.reserve(r.len());
    gather(v.view(), r, buf);
    buf
}

/// Appends all of `src` to `buf` in logical order, reading `src` in memory
/// order (axes by decreasing stride) and writing each element to its
/// logical place: a column-major box is then read column by column, not
/// with one page per element.
fn copy_box<A: Clone>(src: ArrayViewD<'_, A>, buf: &mut Vec<A>) {
    // IxDyn iterators step a heap index per element: take fixed
    // dimensions for the common cases.
    if let Ok(line) = src.view().into_dimensionality::<Ix1>() {
        buf.extend(line.iter().cloned());
        return;
    }
    if src.is_standard_layout() {
        buf.extend(src.as_slice().expect("standard layout").iter().cloned());
        return;
    }
    let Some(first) = src.iter().next().cloned() else {
        return;
    };
    let start = buf.len();
    buf.resize(start + src.len(), first);
    if let Ok(src2) = src.view().into_dimensionality::<Ix2>() {
        let (rows, cols) = src2.dim();
        let out = &mut buf[start..];
        if src2.strides()[0].unsigned_abs() < src2.strides()[1].unsigned_abs() {
            // Column-major: transposed in tiles of eight columns.
            let columns: Vec<_> = src2.columns().into_iter().collect();
            let slices: Option<Vec<&[A]>> = columns.iter().map(|c| c.to_slice()).collect();
            match slices {
                Some(c) => transpose_tiles(rows, cols, out, |j, i| c[j][i].clone()),
                None => transpose_tiles(rows, cols, out, |j, i| columns[j][i].clone()),
            }
        } else {
            for (row, chunk) in src2.rows().into_iter().zip(out.chunks_mut(cols.max(1))) {
                for (d, x) in chunk.iter_mut().zip(row.iter()) {
                    *d = x.clone();
                }
            }
        }
        debug_assert_eq!(rows * cols, src2.len());
        return;
    }
    let dest = ArrayViewMutD::from_shape(src.raw_dim(), &mut buf[start..])
        .expect("the buffer holds the box");
    let mut order: Vec<usize> = (0..src.ndim()).collect();
    order.sort_by_key(|&ax| std::cmp::Reverse(src.strides()[ax].unsigned_abs()));
    let src = src.permuted_axes(order.clone());
    for (d, s) in dest.permuted_axes(order).into_iter().zip(src.iter()) {
        *d = s.clone();
    }
}

/// Fills row-major `out` (`rows × cols`) with `get(j, i)`, the value in
/// column `j` and row `i`, eight columns at a time (eight read streams
/// along the columns), so that each row's eight values fill one cache line
/// of the output at once.
fn transpose_tiles<A>(rows: usize, cols: usize, out: &mut [A], get: impl Fn(usize, usize) -> A) {
    for j0 in (0..cols).step_by(8) {
        let width = (cols - j0).min(8);
        for i in 0..rows {
            let dest = &mut out[i * cols + j0..i * cols + j0 + width];
            for (k, d) in dest.iter_mut().enumerate() {
                *d = get(j0 + k, i);
            }
        }
    }
}

/// Appends elements `r` of `v`'s logical sequence to `buf`, as at most
/// `2 · ndim − 1` rectangular pieces (a partial first row, whole rows, a
/// partial last row, recursively), each copied in logical order.
fn gather<A: Clone>(v: ArrayViewD<'_, A>, r: Range<usize>, buf: &mut Vec<A>) {
    if r.is_empty() {
        return;
    }
    if v.ndim() <= 1 {
        let piece = if v.ndim() == 1 {
            v.slice_axis(Axis(0), Slice::from(r))
        } else {
            v
        };
        copy_box(piece, buf);
        return;
    }
    let row: usize = v.shape()[1..].iter().product();
    let (first, last) = (r.start / row, (r.end - 1) / row);
    let sub = |i: usize, part: Range<usize>, buf: &mut Vec<A>| {
        gather(v.view().index_axis_move(Axis(0), i), part, buf);
    };
    if first == last {
        sub(first, r.start - first * row..r.end - first * row, buf);
        return;
    }
    let mut full_from = first;
    if !r.start.is_multiple_of(row) {
        sub(first, r.start % row..row, buf);
        full_from += 1;
    }
    let full_to = if !r.end.is_multiple_of(row) {
        last
    } else {
        last + 1
    };
    if full_from < full_to {
        copy_box(v.slice_axis(Axis(0), Slice::from(full_from..full_to)), buf);
    }
    if !r.end.is_multiple_of(row) {
        sub(last, 0..r.end % row, buf);
    }
}

/// Where a run of elements starts: the traversal position of its first
/// element, and how traversal positions map to logical row-major indices.
#[derive(Clone, Copy, Debug)]
pub(crate) struct At<'a> {
    pub(crate) start: usize,
    pub(crate) positions: Positions<'a>,
}

impl At<'_> {
    /// The start of a run already in logical order (a lane along an axis).
    pub(crate) fn logical(start: usize) -> At<'static> {
        At {
            start,
            positions: Positions::RowMajor,
        }
    }
}

/// One block of a group: every member's memory slice, or every member's
/// traversal sub-view.
pub(crate) enum Part<S, G> {
    Run(S),
    Views(G),
}

/// One block as a kernel sees it.
pub(crate) struct BlockOf<'p, S, G> {
    pub(crate) part: Part<S, G>,
    pub(crate) at: At<'p>,
}

impl<'v, A: Clone + Sync> BlockOf<'_, (&'v [A],), (ArrayViewD<'v, A>,)> {
    /// The block's elements in traversal order as one slice: its own
    /// memory, or a copy gathered into `buf`.
    pub(crate) fn slice<'b>(&'b self, buf: &'b mut Vec<A>) -> &'b [A] {
        match &self.part {
            Part::Run((xs,)) => xs,
            Part::Views((v,)) => contiguous(v, buf),
        }
    }
}

/// A group cut into blocks, ready to hand each block to a kernel.
pub(crate) struct Walk<'v, G: Group<'v>> {
    pub(crate) plan: WholePlan,
    /// `None` when the group is empty (no block will be asked for).
    source: Option<Part<G::Slices, G::Dyn>>,
}

/// What fixes a walk's traversal order.
#[derive(Clone, Copy)]
pub(crate) enum Lead<'s> {
    /// The first member of the group (a reduction).
    First,
    /// An output of this shape and these strides, walked with the group
    /// (a map); `contiguous` says whether its memory is one slice.
    Output {
        shape: &'s [usize],
        strides: &'s [isize],
        contiguous: bool,
    },
}

impl<'v, G: Group<'v>> Walk<'v, G> {
    /// Plans `group` behind `lead`. The flat cut is taken when `flat_ok`
    /// and every member's memory lines up with the lead's as one slice
    /// (and the lead's memory is one slice).
    #[inline]
    pub(crate) fn new(
        group: G,
        lead: Lead<'_>,
        flat_ok: bool,
        block_len: usize,
        params: Params,
    ) -> Self {
        let (shape, order, lead_flat) = match lead {
            Lead::First => {
                let (shape, strides) = group.first().expect("a reduction has an input");
                (shape, strides, true)
            }
            Lead::Output {
                shape,
                strides,
                contiguous,
            } => (shape, strides, contiguous),
        };
        let memory = if flat_ok && lead_flat {
            group.memory(order)
        } else {
            None
        };
        let plan = match memory {
            Some(_) => WholePlan::new(shape, &[order], true, block_len, params),
            None => {
                let mut strides = group.strides();
                if let Lead::Output { strides: out, .. } = lead {
                    strides.insert(0, out);
                }
                WholePlan::new(shape, &strides, false, block_len, params)
            }
        };
        let source = match (memory, &plan.cut) {
            (Some(slices), _) => Some(Part::Run(slices)),
            (None, WholeCut::Blocks(g)) if plan.len() > 0 => {
                Some(Part::Views(group.traversal(&g.layout)))
            }
            (None, _) => None,
        };
        Walk { plan, source }
    }

    /// Block `b`.
    #[inline]
    pub(crate) fn block(&self, b: usize) -> BlockOf<'_, G::Slices, G::Dyn> {
        let source = self.source.as_ref().expect("an empty group has no blocks");
        match (&self.plan.cut, source) {
            (WholeCut::Blocks(g), Part::Views(t)) => {
                let block = g.blocks.block(b);
                BlockOf {
                    at: At {
                        start: block.start,
                        positions: Positions::Layout(&g.layout),
                    },
                    part: Part::Views(t.block(&g.blocks, &block)),
                }
            }
            (_, Part::Run(s)) => {
                let r = self.plan.range(b);
                BlockOf {
                    // A flat cut of a positional kernel is only taken for
                    // row-major memory (see `reduce_kernel`).
                    at: At::logical(r.start),
                    part: Part::Run(G::sub(*s, r)),
                }
            }
            (WholeCut::Flat { .. }, Part::Views(_)) => {
                unreachable!("a flat cut always has memory slices")
            }
        }
    }
}

/// Plans `group` for a reduction (the first member leads).
fn reduction<'v, G: Group<'v>>(group: G, flat_ok: bool) -> Walk<'v, G> {
    let params = Params::current();
    let block_len = reduce_block_len(&params, G::elem_size());
    Walk::new(group, Lead::First, flat_ok, block_len, params)
}

/// Reduces a group block by block: `leaf` computes each block's partial
/// result and `combine` merges neighbours along the fixed tree. `None`
/// when the group is empty. `flat_ok = false` keeps contiguous arrays on
/// the general path (for kernels that need logical positions of
/// non-row-major memory).
pub(crate) fn reduce<'v, G, T, L, C>(group: G, flat_ok: bool, leaf: L, combine: C) -> Option<T>
where
    G: Group<'v>,
    T: Send,
    L: Fn(BlockOf<'_, G::Slices, G::Dyn>) -> T + Sync,
    C: Fn(T, T) -> T + Sync,
{
    let walk = reduction(group, flat_ok);
    let count = walk.plan.count();
    (count > 0).then(|| {
        walk.plan
            .schedule
            .tree_reduce(count, |b| leaf(walk.block(b)), combine)
    })
}

/// Folds every block of a group into accumulators made by `init`, merged
/// with `merge` (see [`Schedule::accumulate`](crate::plan::Schedule): for
/// exact, order-free accumulators such as counts).
pub(crate) fn accumulate<'v, G, T, I, F, M>(group: G, init: I, fold: F, merge: M) -> T
where
    G: Group<'v>,
    T: Send,
    I: Fn() -> T + Sync,
    F: Fn(&mut T, BlockOf<'_, G::Slices, G::Dyn>) + Sync,
    M: Fn(T, T) -> T + Sync,
{
    let walk = reduction(group, true);
    let count = walk.plan.count();
    walk.plan
        .schedule
        .accumulate(count, init, |acc, b| fold(acc, walk.block(b)), merge)
}

/// Reduces a whole array with a kernel; `None` when it is empty.
pub(crate) fn reduce_kernel<A, D, K>(a: ArrayView<'_, A, D>, kernel: &K) -> Option<K::Out>
where
    A: Clone + Sync,
    D: Dimension,
    K: ReduceKernel<A>,
{
    reduce_acc(a, kernel).map(|acc| kernel.finish(acc))
}

/// Reduces a whole array with a kernel to its merged partial result (not
/// finished: a mergeable state); `None` when it is empty.
pub(crate) fn reduce_acc<A, D, K>(a: ArrayView<'_, A, D>, kernel: &K) -> Option<K::Acc>
where
    A: Clone + Sync,
    D: Dimension,
    K: ReduceKernel<A>,
{
    // Read once: small inputs pay for every thread-local access.
    let params = Params::current();
    if params.reproducibility == Reproducibility::Layout {
        return reduce_logical(
            [a.into_dyn()],
            |[xs], start| kernel.run(xs, At::logical(start)),
            |l, r| kernel.merge(l, r),
        );
    }
    let flat_ok = !K::POSITIONAL || a.is_standard_layout();
    // An array that fits one block is that block: reduce it directly,
    // exactly as the plan would, without planning (small inputs stay as
    // cheap as the sequential loop).
    let memory = if K::POSITIONAL {
        a.to_slice()
    } else {
        a.to_slice_memory_order()
    };
    if let Some(xs) = memory {
        let block_len = reduce_block_len(&params, size_of::<A>());
        if xs.len() <= block_len {
            return (!xs.is_empty()).then(|| kernel.run(xs, At::logical(0)));
        }
    }
    reduce(
        (a,),
        flat_ok,
        |block| {
            let mut buf = Vec::new();
            kernel.run(block.slice(&mut buf), block.at)
        },
        |l, r| kernel.merge(l, r),
    )
}
