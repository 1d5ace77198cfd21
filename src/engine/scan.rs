//! The scan driver: a running fold along an axis, split in two passes over
//! the fixed pieces of the planner's axis cut ("reduce, then scan").
//!
//! Every lane (lanes cut) or column tile (rows cut) is a 2-D problem of `n`
//! rows along the axis and `w` columns (`w = 1` for a lane), cut into the
//! plan's pieces. Each piece's total comes from a [`ReduceKernel`] (the
//! scan totals); the carries are the running fold of the totals; every
//! piece is scanned front to back from its carry. The first piece is
//! scanned and timed on the calling thread; the totals and the other
//! pieces then run on the pool or on this thread, with the same totals and
//! carries either way, so the bits do not depend on the thread count.

use ndarray::{Array1, ArrayView2, ArrayViewD, ArrayViewMut2, ArrayViewMutD, Axis, Ix2, Slice};

use super::axis::with_rows;
use super::{At, ReduceKernel};
use crate::element::Scalar;
use crate::plan::axis::{AxisCut, AxisPlan, batch_2d, to_front};
use crate::plan::{CutD, contiguous, cut_into, piece_lens};

/// Writes the scan of `a` along `axis` with `op` into `out` (same shape);
/// `total` gives each piece's total (it must fold with `op`).
pub(crate) fn scan_into<A, F, K>(
    a: ArrayViewD<'_, A>,
    out: ArrayViewMutD<'_, A>,
    axis: Axis,
    op: F,
    total: &K,
) where
    A: Scalar,
    F: Fn(A, A) -> A + Sync + Copy,
    K: ReduceKernel<A, Acc = A>,
{
    let (front, front_out) = (to_front(a, axis), to_front(out, axis));
    let plan = AxisPlan::new(
        front.shape(),
        &[front.strides(), front_out.strides()],
        size_of::<A>(),
        true,
    );
    if plan.m == 0 || plan.n == 0 {
        return;
    }
    let (t_in, t_out) = (plan.traversal(front), plan.traversal(front_out));
    let scan = Scan {
        plan: &plan,
        op,
        total,
    };
    match &plan.cut {
        AxisCut::Lanes { parts, .. } => {
            let items: Vec<_> = parts
                .carve_after(t_out, 1)
                .into_iter()
                .enumerate()
                .collect();
            plan.schedule(items.len()).for_each(items, |(b, mut o)| {
                let sub = parts.view_after(&t_in, &parts.block(b), 1);
                let lanes = sub.lanes(Axis(0)).into_iter().zip(o.lanes_mut(Axis(0)));
                for (x, y) in lanes {
                    scan.problem(x.insert_axis(Axis(1)), y.insert_axis(Axis(1)));
                }
            });
        }
        AxisCut::Rows { cols, tiles, .. } => {
            let mut items = Vec::new();
            for (b, batch) in batches_mut(t_out).into_iter().enumerate() {
                for (tile, o) in cut_into(batch, Axis(1), piece_lens(*cols, *tiles))
                    .into_iter()
                    .enumerate()
                {
                    items.push((b, tile, o));
                }
            }
            let offsets: Vec<usize> = (0..*tiles)
                .map(|c| crate::plan::piece(*cols, *tiles, c).start)
                .collect();
            plan.schedule(items.len()).for_each(items, |(b, c, o)| {
                let x = batch_2d(&t_in, b);
                let x = x.slice_axis(Axis(1), Slice::from(offsets[c]..offsets[c] + o.ncols()));
                scan.problem(x, o);
            });
        }
    }
}

/// Cuts a traversal view `[n, b_1, …, b_j, cols]` into its 2-D batches
/// `[n, cols]`, row-major over the batch axes.
fn batches_mut<A>(t: ArrayViewMutD<'_, A>) -> Vec<ArrayViewMut2<'_, A>> {
    let mut level = vec![t];
    while level[0].ndim() > 2 {
        level = level
            .into_iter()
            .flat_map(|v| {
                let len = v.len_of(Axis(1));
                cut_into(v, Axis(1), std::iter::repeat_n(1, len))
                    .into_iter()
                    .map(|one| one.at(Axis(1), 0))
            })
            .collect();
    }
    level
        .into_iter()
        .map(|v| v.into_dimensionality::<Ix2>().expect("two axes"))
        .collect()
}

/// One scan: the plan, the operation and the totals kernel.
struct Scan<'p, F, K> {
    plan: &'p AxisPlan,
    op: F,
    total: &'p K,
}

impl<F, K> Scan<'_, F, K> {
    /// Scans the 2-D problem `x` (rows along the axis) into `out`.
    ///
    /// Piece `p + 1` starts from the carry `op(carry_p, total_p)`, except
    /// in a column where that or piece `p`'s last running value is not
    /// finite: there it starts from that last value, so an overflow (or a
    /// NaN) stays, as in a sequential scan, instead of a later piece
    /// coming back from it. The carries follow this one rule whether the
    /// pieces run in parallel or not.
    fn problem<A>(&self, x: ArrayView2<'_, A>, out: ArrayViewMut2<'_, A>)
    where
        A: Scalar,
        F: Fn(A, A) -> A + Sync + Copy,
        K: ReduceKernel<A, Acc = A>,
    {
        let plan = self.plan;
        let pieces = plan.pieces();
        let rows = |p: usize| x.slice_axis(Axis(0), Slice::from(plan.piece(p)));
        let mut outs = cut_into(out, Axis(0), (0..pieces).map(|p| plan.piece(p).len()))
            .into_iter()
            .enumerate();
        let (_, first) = outs.next().expect("a non-empty axis has a piece");
        let schedule = plan.piece_schedule(x.ncols());
        let (first_last, parallel) = schedule.probe(pieces, || self.block(rows(0), first, None));
        if pieces == 1 {
            return;
        }
        let total = |p: usize| self.block_total(rows(p), plan.piece(p).start);
        if !parallel {
            let mut carry = self.next_carry(None, total(0), &first_last);
            for (p, o) in outs {
                let last = self.block(rows(p), o, Some(&carry));
                if p + 1 < pieces {
                    carry = self.next_carry(Some(&carry), total(p), &last);
                }
            }
            return;
        }
        // Totals, then every piece from the carries the totals give, in
        // parallel; then the rule above, checked piece by piece with the
        // last running values. A piece whose carry changes is scanned
        // again (only where a value is not finite, so rarely).
        let totals = schedule.map_collect(pieces - 1, total);
        let mut carries: Vec<Array1<A>> = Vec::with_capacity(pieces - 1);
        for t in &totals {
            let next = match carries.last() {
                None => t.clone(),
                Some(c) => self.add(c, t.clone()),
            };
            carries.push(next);
        }
        let mut rest: Vec<(usize, ArrayViewMut2<'_, A>, Option<Array1<A>>)> =
            outs.map(|(p, o)| (p, o, None)).collect();
        schedule.for_each(rest.iter_mut().collect(), |(p, o, last)| {
            *last = Some(self.block(rows(*p), o.view_mut(), Some(&carries[*p - 1])));
        });
        let mut carry: Option<Array1<A>> = None;
        let mut last = first_last;
        for ((p, o, piece_last), t) in rest.iter_mut().zip(totals) {
            let next = self.next_carry(carry.as_ref(), t, &last);
            if !same(&next, &carries[*p - 1]) {
                *piece_last = Some(self.block(rows(*p), o.view_mut(), Some(&next)));
            }
            last = piece_last.take().expect("every piece was scanned");
            carry = Some(next);
        }
    }

    /// The carry of the piece after one that started from `carry` (`None`
    /// for the first piece), has total `t` and ended on `last`.
    fn next_carry<A: Scalar>(
        &self,
        carry: Option<&Array1<A>>,
        t: Array1<A>,
        last: &Array1<A>,
    ) -> Array1<A>
    where
        F: Fn(A, A) -> A,
    {
        let mut next = match carry {
            None => t,
            Some(c) => self.add(c, t),
        };
        next.iter_mut().zip(last).for_each(|(n, &l)| {
            if !(n.scalar_is_finite() && l.scalar_is_finite()) {
                *n = l;
            }
        });
        next
    }

    /// `op(carry, t)` per column.
    fn add<A: Scalar>(&self, carry: &Array1<A>, t: Array1<A>) -> Array1<A>
    where
        F: Fn(A, A) -> A,
    {
        ndarray::Zip::from(carry)
            .and(&t)
            .map_collect(|&c, &t| (self.op)(c, t))
    }

    /// The total of a piece (rows starting at `r0` along the axis), per
    /// column, from the totals kernel.
    fn block_total<A>(&self, rows: ArrayView2<'_, A>, r0: usize) -> Array1<A>
    where
        A: Scalar,
        K: ReduceKernel<A, Acc = A>,
    {
        if rows.ncols() == 1 {
            let col = rows.column(0);
            let mut buf = Vec::new();
            let t = self.total.run(contiguous(&col, &mut buf), At::logical(r0));
            return Array1::from_elem(1, t);
        }
        let mut out = Vec::with_capacity(rows.ncols());
        with_rows(&rows, 0..rows.nrows(), |slices| {
            self.total.rows(slices, r0, &mut out)
        });
        Array1::from(out)
    }

    /// Scans the rows of one piece into `out`, front to back, from `carry`
    /// (from the first row when there is none); returns the last row.
    fn block<A>(
        &self,
        x: ArrayView2<'_, A>,
        mut out: ArrayViewMut2<'_, A>,
        carry: Option<&Array1<A>>,
    ) -> Array1<A>
    where
        A: Scalar,
        F: Fn(A, A) -> A,
    {
        let op = &self.op;
        if x.ncols() == 1 {
            // A lane: one running accumulator, over slices when it can.
            let (xs, mut ys) = (x.column(0), out.column_mut(0));
            let mut acc = match carry {
                None => xs[0],
                Some(c) => op(c[0], xs[0]),
            };
            ys[0] = acc;
            match (xs.as_slice(), ys.as_slice_mut()) {
                (Some(xs), Some(ys)) => {
                    for (y, &v) in ys[1..].iter_mut().zip(&xs[1..]) {
                        acc = op(acc, v);
                        *y = acc;
                    }
                }
                _ => {
                    for (y, &v) in ys.iter_mut().zip(xs.iter()).skip(1) {
                        acc = op(acc, v);
                        *y = acc;
                    }
                }
            }
            return Array1::from_elem(1, acc);
        }
        // Rows: one running accumulator per column.
        let mut acc: Vec<A> = match carry {
            None => x.row(0).to_vec(),
            Some(c) => c.iter().zip(x.row(0)).map(|(&c, &v)| op(c, v)).collect(),
        };
        out.row_mut(0)
            .iter_mut()
            .zip(&acc)
            .for_each(|(y, &v)| *y = v);
        for (r, mut y) in x.rows().into_iter().zip(out.rows_mut()).skip(1) {
            acc.iter_mut()
                .zip(r.iter())
                .for_each(|(a, &v)| *a = op(*a, v));
            y.iter_mut().zip(&acc).for_each(|(y, &v)| *y = v);
        }
        Array1::from(acc)
    }
}

/// Whether two carries are the same values (NaN equal to NaN).
fn same<A: Scalar>(a: &Array1<A>, b: &Array1<A>) -> bool {
    a.iter()
        .zip(b)
        .all(|(&x, &y)| x == y || (x.scalar_is_nan() && y.scalar_is_nan()))
}
