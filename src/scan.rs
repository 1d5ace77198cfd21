//! Parallel scans along an axis: [`ParScan`] (`par_cumsum`, `par_cumprod`).
//!
//! A scan is a running fold, inherently sequential, so it is split in two
//! passes over fixed blocks of the axis ("reduce, then scan"): first every
//! block's total, in parallel; then the carries (the scan of the totals, a
//! short sequential loop); then every block is scanned from its carry, in
//! parallel. The blocks are fixed by shape, layout and
//! [`Params`], so the result is bitwise the same on any
//! number of threads. As for axis reductions, a scan along the fast axis
//! walks whole lanes, and a scan along a slow axis streams rows into a
//! running row of accumulators (row blocks take the place of lane pieces).

use ndarray::{
    Array, Array1, ArrayBase, ArrayView1, ArrayView2, ArrayViewD, ArrayViewMut1, ArrayViewMut2,
    ArrayViewMutD, Axis, Data, Dimension, Ix2, Slice, aview_mut1, aview1,
};

use crate::axis::engine::{MIN_ROWS, TILE, axis_in_front_pair, batch_2d};
use crate::element::Scalar;
use crate::params::Params;
use rayon::prelude::*;

use crate::plan::{Blocks, Layout, Schedule, for_each, piece, piece_count};

/// Parallel cumulative sums and products along an axis (numpy's `cumsum`
/// and `cumprod` with `axis=`), for arrays of any dimension and layout.
///
/// # Accuracy and determinism
///
/// Each block of the axis is scanned front to back, starting from a carry
/// that is the running fold of the previous blocks' totals. For integers
/// (wrapping, as everywhere in ndpar) this is exact. For floats it rounds
/// like a sequential running sum within each block, while the carries add
/// the block totals in order; the result differs from a purely sequential
/// scan only by rounding, and is the same on every thread count.
///
/// # Panics
///
/// If `axis` is out of bounds.
pub trait ParScan<A, D: Dimension> {
    /// The cumulative sum along `axis`: `out[.., i, ..] = a[.., 0, ..] + … +
    /// a[.., i, ..]`. Same shape (and memory order) as the input.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Axis};
    ///
    /// let a = array![[1, 2, 3], [4, 5, 6]];
    /// assert_eq!(a.par_cumsum(Axis(1)), array![[1, 3, 6], [4, 9, 15]]);
    /// assert_eq!(a.par_cumsum(Axis(0)), array![[1, 2, 3], [5, 7, 9]]);
    /// ```
    #[track_caller]
    fn par_cumsum(&self, axis: Axis) -> Array<A, D>
    where
        A: Scalar;

    /// The cumulative product along `axis`.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Axis};
    ///
    /// let a = array![1.0, 2.0, 3.0, 4.0];
    /// assert_eq!(a.par_cumprod(Axis(0)), array![1.0, 2.0, 6.0, 24.0]);
    /// ```
    #[track_caller]
    fn par_cumprod(&self, axis: Axis) -> Array<A, D>
    where
        A: Scalar;
}

impl<A, S, D> ParScan<A, D> for ArrayBase<S, D>
where
    S: Data<Elem = A>,
    D: Dimension,
{
    fn par_cumsum(&self, axis: Axis) -> Array<A, D>
    where
        A: Scalar,
    {
        scan("par_cumsum", self, axis, A::scalar_add)
    }

    fn par_cumprod(&self, axis: Axis) -> Array<A, D>
    where
        A: Scalar,
    {
        scan("par_cumprod", self, axis, A::scalar_mul)
    }
}

#[track_caller]
fn scan<A, S, D, F>(what: &str, a: &ArrayBase<S, D>, axis: Axis, op: F) -> Array<A, D>
where
    A: Scalar,
    S: Data<Elem = A>,
    D: Dimension,
    F: Fn(A, A) -> A + Sync + Copy,
{
    assert!(
        axis.index() < a.ndim(),
        "{what}: axis {} is out of bounds for an array of {} dimensions",
        axis.index(),
        a.ndim()
    );
    let block_len = Params::current().block_len(size_of::<A>());
    if let (1, Some(xs)) = (a.ndim(), a.as_slice()) {
        // A contiguous vector (the common case): straight to the lane scan,
        // exactly as the general path would run it.
        let mut out = vec![A::scalar_zero(); xs.len()];
        scan_lane(aview1(xs), aview_mut1(&mut out), block_len, op);
        return Array1::from(out)
            .into_dimensionality::<D>()
            .expect("one axis");
    }
    let v = a.view().into_dyn();
    // The output walks memory in the input's order, like a map's.
    let mut out =
        Layout::new(v.shape(), v.strides(), &[])
            .array_from_traversal(vec![A::scalar_zero(); v.len()]);
    if let Some((t_in, t_out)) = axis_in_front_pair(v, out.view_mut(), axis) {
        let (s_k, s_col) = (
            t_in.strides()[0].unsigned_abs(),
            t_in.strides()[t_in.ndim() - 1].unsigned_abs(),
        );
        let m: usize = t_in.shape()[1..].iter().product();
        if m == 1 || s_k <= s_col {
            scan_lanes(&t_in, t_out, block_len, op);
        } else {
            scan_rows(&t_in, t_out, block_len, op);
        }
    }
    out.into_dimensionality::<D>().expect("same number of axes")
}

/// Scans `xs` into `out` front to back, starting from `carry` (or from the
/// first element when there is none). Returns the last value written.
fn scan_run<A: Scalar>(
    xs: ArrayView1<'_, A>,
    mut out: ArrayViewMut1<'_, A>,
    carry: Option<A>,
    op: impl Fn(A, A) -> A,
) -> Option<A> {
    let first = xs.first().copied()?;
    let mut acc = match carry {
        None => first,
        Some(c) => op(c, first),
    };
    match (xs.as_slice(), out.as_slice_mut()) {
        (Some(xs), Some(o)) => {
            o[0] = acc;
            for (o, &x) in o[1..].iter_mut().zip(&xs[1..]) {
                acc = op(acc, x);
                *o = acc;
            }
        }
        _ => {
            let mut outs = out.iter_mut();
            *outs.next().expect("same length") = acc;
            for (o, &x) in outs.zip(xs.iter().skip(1)) {
                acc = op(acc, x);
                *o = acc;
            }
        }
    }
    Some(acc)
}

/// Like [`scan_run`] from a `carry`, also returning the run's own total
/// (its fold from its first element), computed in the same pass: the two
/// running folds are independent, so this costs about one pass.
fn scan_run_with_total<A: Scalar>(
    xs: ArrayView1<'_, A>,
    mut out: ArrayViewMut1<'_, A>,
    carry: A,
    op: impl Fn(A, A) -> A,
) -> A {
    let first = *xs.first().expect("pieces are non-empty");
    let (mut acc, mut total) = (op(carry, first), first);
    match (xs.as_slice(), out.as_slice_mut()) {
        (Some(xs), Some(o)) => {
            o[0] = acc;
            for (o, &x) in o[1..].iter_mut().zip(&xs[1..]) {
                acc = op(acc, x);
                total = op(total, x);
                *o = acc;
            }
        }
        _ => {
            let mut outs = out.iter_mut();
            *outs.next().expect("same length") = acc;
            for (o, &x) in outs.zip(xs.iter().skip(1)) {
                acc = op(acc, x);
                total = op(total, x);
                *o = acc;
            }
        }
    }
    total
}

/// The lanes strategy: groups of whole lanes; a lane longer than a block
/// is cut into fixed pieces (totals, carries, then piece scans).
fn scan_lanes<A: Scalar>(
    t_in: &ArrayViewD<'_, A>,
    t_out: ArrayViewMutD<'_, A>,
    block_len: usize,
    op: impl Fn(A, A) -> A + Sync + Copy,
) {
    let n = t_in.len_of(Axis(0));
    let m: usize = t_in.shape()[1..].iter().product();
    let long = n > block_len;
    let parts = Blocks::new(
        &t_in.shape()[1..],
        if long { 1 } else { (block_len / n).max(1) },
    );
    let items: Vec<_> = parts
        .carve_mut_after(t_out, 1)
        .into_iter()
        .enumerate()
        .collect();
    for_each(
        items,
        Schedule::for_len(n * m, parts.count()),
        |(b, mut o)| {
            let sub = parts.view_after(t_in, &parts.block(b), 1);
            for (lin, lout) in sub.lanes(Axis(0)).into_iter().zip(o.lanes_mut(Axis(0))) {
                scan_lane(lin, lout, block_len, op);
            }
        },
    );
}

/// Scans one lane: in one run if it fits a block, else in fixed pieces.
fn scan_lane<A: Scalar>(
    lin: ArrayView1<'_, A>,
    lout: ArrayViewMut1<'_, A>,
    block_len: usize,
    op: impl Fn(A, A) -> A + Sync + Copy,
) {
    if lin.len() > block_len {
        scan_long_lane(lin, lout, block_len, op);
    } else {
        scan_run(lin, lout, None, op);
    }
}

/// Scan of one long lane over fixed pieces. The first piece is scanned on
/// the calling thread (its scan ends in its total) and timed. Then either
/// the rest runs on this thread in one pass, carrying `op(carry, total)`
/// from piece to piece; or it runs in parallel in two passes (totals, then
/// scans from the carries). Both give the same bits.
fn scan_long_lane<A: Scalar>(
    lin: ArrayView1<'_, A>,
    lout: ArrayViewMut1<'_, A>,
    block_len: usize,
    op: impl Fn(A, A) -> A + Sync + Copy,
) {
    let n = lin.len();
    let pieces = piece_count(n, block_len);
    let run = |p: usize| lin.slice_axis(Axis(0), Slice::from(piece(n, pieces, p)));
    let mut rest = lout;
    let mut outs = Vec::with_capacity(pieces);
    for p in 0..pieces {
        let (head, tail) = rest.split_at(Axis(0), piece(n, pieces, p).len());
        outs.push((p, head));
        rest = tail;
    }
    let mut outs = outs.into_iter();
    let (_, first) = outs.next().expect("at least one piece");
    let schedule = Schedule::for_len(n, pieces);
    let (total0, parallel) = schedule.probe(pieces, || {
        scan_run(run(0), first, None, op).expect("non-empty")
    });
    if !parallel {
        let mut carry = total0;
        for (p, o) in outs {
            let total = scan_run_with_total(run(p), o, carry, op);
            carry = op(carry, total);
        }
        return;
    }
    // Totals of the middle pieces (the last piece's total carries nothing).
    let totals: Vec<A> = (1..pieces - 1)
        .into_par_iter()
        .map(|p| run(p).iter().copied().reduce(op).expect("non-empty"))
        .collect();
    let mut carries = vec![total0];
    for t in totals {
        let c = *carries.last().expect("non-empty");
        carries.push(op(c, t));
    }
    outs.collect::<Vec<_>>().into_par_iter().for_each(|(p, o)| {
        scan_run(run(p), o, Some(carries[p - 1]), op);
    });
}

/// The rows strategy: per batch and column tile, row blocks are totalled in
/// parallel, carried, and scanned in parallel.
fn scan_rows<A: Scalar>(
    t_in: &ArrayViewD<'_, A>,
    t_out: ArrayViewMutD<'_, A>,
    block_len: usize,
    op: impl Fn(A, A) -> A + Sync + Copy,
) {
    let cols = t_in.len_of(Axis(t_in.ndim() - 1));
    let tiles = piece_count(cols, TILE.min(block_len));
    let tile_len = cols.div_ceil(tiles);
    let rows_per_block = (block_len / tile_len).max(MIN_ROWS.min(block_len));
    let mut items = Vec::new();
    for (b, batch) in batches_mut(t_out).into_iter().enumerate() {
        let mut rest = batch;
        for c in 0..tiles {
            let cr = piece(cols, tiles, c);
            let (head, tail) = rest.split_at(Axis(1), cr.len());
            items.push((b, cr, head));
            rest = tail;
        }
    }
    let schedule = Schedule::for_len(t_in.len(), items.len());
    for_each(items, schedule, |(b, cr, out_tile)| {
        let mut in_tile = batch_2d(t_in, b);
        in_tile.slice_axis_inplace(Axis(1), Slice::from(cr));
        scan_tile(in_tile, out_tile, rows_per_block, op);
    });
}

/// One column tile, like [`scan_long_lane`] with rows for elements: the
/// first row block is scanned and timed; the rest is scanned either on this
/// thread in one pass (a running carry row and a running total row) or in
/// parallel in two passes (block totals, then scans from the carries).
fn scan_tile<A: Scalar>(
    x: ArrayView2<'_, A>,
    out: ArrayViewMut2<'_, A>,
    rows_per_block: usize,
    op: impl Fn(A, A) -> A + Sync + Copy,
) {
    let n = x.nrows();
    let blocks = piece_count(n, rows_per_block);
    let rows_of = |rb: usize| x.slice_axis(Axis(0), Slice::from(piece(n, blocks, rb)));
    let mut rest = out;
    let mut outs = Vec::with_capacity(blocks);
    for rb in 0..blocks {
        let (head, tail) = rest.split_at(Axis(0), piece(n, blocks, rb).len());
        outs.push((rb, head));
        rest = tail;
    }
    // Scans the rows of block `rb` into `o` from `carry`; with `total`,
    // also folds the block's own total row.
    let scan_block = |rb: usize,
                      mut o: ArrayViewMut2<'_, A>,
                      carry: Option<Vec<A>>,
                      mut total: Option<&mut Vec<A>>|
     -> Vec<A> {
        let mut acc = carry;
        for (i, (r, mut orow)) in rows_of(rb).rows().into_iter().zip(o.rows_mut()).enumerate() {
            let next = match acc.take() {
                None => r.to_vec(),
                Some(mut a) => {
                    a.iter_mut()
                        .zip(r.iter())
                        .for_each(|(a, &x)| *a = op(*a, x));
                    a
                }
            };
            if let Some(t) = total.as_deref_mut() {
                if i == 0 {
                    t.clear();
                    t.extend(r.iter().copied());
                } else {
                    t.iter_mut()
                        .zip(r.iter())
                        .for_each(|(t, &x)| *t = op(*t, x));
                }
            }
            orow.iter_mut().zip(&next).for_each(|(o, &v)| *o = v);
            acc = Some(next);
        }
        acc.expect("row blocks are non-empty")
    };
    let mut outs = outs.into_iter();
    let (_, first) = outs.next().expect("at least one row block");
    let schedule = Schedule::for_len(x.len(), blocks);
    let (total0, parallel) = schedule.probe(blocks, || scan_block(0, first, None, None));
    if !parallel {
        let mut carry = total0;
        let mut total = Vec::new();
        for (rb, o) in outs {
            scan_block(rb, o, Some(carry.clone()), Some(&mut total));
            carry
                .iter_mut()
                .zip(&total)
                .for_each(|(c, &t)| *c = op(*c, t));
        }
        return;
    }
    let totals: Vec<Vec<A>> = (1..blocks - 1)
        .into_par_iter()
        .map(|rb| {
            let rows = rows_of(rb);
            let mut acc = rows.row(0).to_vec();
            for r in rows.rows().into_iter().skip(1) {
                acc.iter_mut()
                    .zip(r.iter())
                    .for_each(|(a, &x)| *a = op(*a, x));
            }
            acc
        })
        .collect();
    let mut carries = vec![total0];
    for t in totals {
        let mut c = carries.last().expect("non-empty").clone();
        c.iter_mut().zip(t).for_each(|(c, t)| *c = op(*c, t));
        carries.push(c);
    }
    outs.collect::<Vec<_>>()
        .into_par_iter()
        .for_each(|(rb, o)| {
            scan_block(rb, o, Some(carries[rb - 1].clone()), None);
        });
}

/// Cuts a traversal view `[n, b_1, …, b_j, cols]` into its 2-D batches
/// `[n, cols]`, row-major over the batch axes.
fn batches_mut<A>(t: ArrayViewMutD<'_, A>) -> Vec<ArrayViewMut2<'_, A>> {
    fn go<'a, A>(v: ArrayViewMutD<'a, A>, out: &mut Vec<ArrayViewMut2<'a, A>>) {
        if v.ndim() == 2 {
            out.push(v.into_dimensionality::<Ix2>().expect("two axes"));
            return;
        }
        let mut rest = v;
        for _ in 0..rest.len_of(Axis(1)) {
            let (head, tail) = rest.split_at(Axis(1), 1);
            go(head.index_axis_move(Axis(1), 0), out);
            rest = tail;
        }
    }
    let mut out = Vec::new();
    go(t, &mut out);
    out
}
