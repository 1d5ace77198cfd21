//! The standard reduction kernels: what sums, products, norms, variances,
//! extremes, arg-extremes and the NaN-skipping reductions fold, merge and
//! finish. Runs use the vectorised loops of `seq.rs`; blocks of rows are
//! elementwise loops over contiguous rows, which vectorise too.

use ndarray::{ArrayRef, Dimension};

use super::num::overflow;
use super::seq;
use super::state::{Best, ExactDot, ExactSum, Moments, best_in, first_nan_or_better, prefer};
use super::whole::{Part, reduce, reduce_acc};
use super::{At, ReduceKernel};
use crate::element::{Float, Scalar};
use crate::plan::contiguous;

/// Pairwise `op`-reduction of `map(x)` starting from `id`: sums
/// (`map = identity`, `op = +`), products, and the L1 and L2 norms.
pub(crate) struct Pairwise<A, M, F> {
    pub(crate) id: A,
    pub(crate) map: M,
    pub(crate) op: F,
}

impl<A, M, F> ReduceKernel<A> for Pairwise<A, M, F>
where
    A: Scalar,
    M: Fn(A) -> A + Sync + Copy,
    F: Fn(A, A) -> A + Sync + Copy,
{
    type Acc = A;
    type Out = A;

    fn run(&self, xs: &[A], _: At<'_>) -> A {
        seq::pairwise(xs, self.id, self.map, self.op)
    }
    fn rows(&self, rows: &[&[A]], _: usize, out: &mut Vec<A>) {
        seq::fold_rows(rows, out, self.map, self.op);
    }
    fn merge(&self, l: A, r: A) -> A {
        (self.op)(l, r)
    }
    fn finish(&self, acc: A) -> A {
        acc
    }
}

/// The sum (pairwise along runs; rows in order within a row block, then
/// the fixed tree across blocks).
pub(crate) fn sum<A: Scalar>()
-> Pairwise<A, impl Fn(A) -> A + Copy + Sync, impl Fn(A, A) -> A + Copy + Sync> {
    Pairwise {
        id: A::scalar_zero(),
        map: |x| x,
        op: A::scalar_add,
    }
}

/// The mean of runs of `n` elements: the pairwise sum divided by `n`
/// (numpy's `mean`).
pub(crate) fn mean<A: Float>(n: usize) -> impl ReduceKernel<A, Out = A> {
    let n = A::from_count(n);
    Finish {
        inner: sum(),
        f: move |s: A| s / n,
    }
}

/// The sum of `map(x)` (|x| for the L1 norm, x² for the L2 norm).
pub(crate) fn map_sum<A: Float, M: Fn(A) -> A + Copy + Sync>(
    map: M,
) -> Pairwise<A, M, impl Fn(A, A) -> A + Copy + Sync> {
    Pairwise {
        id: A::zero(),
        map,
        op: A::scalar_add,
    }
}

/// The sum in numpy's result type ([`Arith::Sum`]): pairwise runs, exact
/// for integers. For floats the same arithmetic as [`sum`]. A result that
/// does not fit panics, naming `method`.
pub(crate) struct SumOf {
    pub(crate) method: &'static str,
}

impl<A: Scalar> ReduceKernel<A> for SumOf {
    type Acc = A::SumAcc;
    type Out = A::Sum;

    fn run(&self, xs: &[A], _: At<'_>) -> A::SumAcc {
        A::sum_run(xs)
    }
    fn rows(&self, rows: &[&[A]], _: usize, out: &mut Vec<A::SumAcc>) {
        seq::fold_rows(rows, out, A::sum_single, A::sum_merge);
    }
    fn merge(&self, l: A::SumAcc, r: A::SumAcc) -> A::SumAcc {
        A::sum_merge(l, r)
    }
    fn finish(&self, acc: A::SumAcc) -> A::Sum {
        A::sum_finish(acc).unwrap_or_else(|| overflow::<A::Sum>(self.method))
    }
}

/// The product in numpy's result type, as [`SumOf`].
pub(crate) struct ProductOf {
    pub(crate) method: &'static str,
}

impl<A: Scalar> ReduceKernel<A> for ProductOf {
    type Acc = A::ProdAcc;
    type Out = A::Sum;

    fn run(&self, xs: &[A], _: At<'_>) -> A::ProdAcc {
        A::prod_run(xs)
    }
    fn rows(&self, rows: &[&[A]], _: usize, out: &mut Vec<A::ProdAcc>) {
        seq::fold_rows(rows, out, A::prod_single, A::prod_merge);
    }
    fn merge(&self, l: A::ProdAcc, r: A::ProdAcc) -> A::ProdAcc {
        A::prod_merge(l, r)
    }
    fn finish(&self, acc: A::ProdAcc) -> A::Sum {
        A::prod_finish(acc).unwrap_or_else(|| overflow::<A::Sum>(self.method))
    }
}

/// A float kernel run on any element type through its
/// [`Arith::Mean`] (numpy's variance of integers is that of their `f64`
/// values): floats are read in place, integers converted run by run.
pub(crate) struct AsMeans<K>(pub(crate) K);

impl<A: Scalar, K: ReduceKernel<A::Mean>> ReduceKernel<A> for AsMeans<K> {
    type Acc = K::Acc;
    type Out = K::Out;
    const SPLITTABLE: bool = K::SPLITTABLE;
    const POSITIONAL: bool = K::POSITIONAL;

    fn run(&self, xs: &[A], at: At<'_>) -> K::Acc {
        match A::as_means(xs) {
            Some(xs) => self.0.run(xs, at),
            None => {
                let means: Vec<A::Mean> = xs.iter().map(|&x| x.to_mean()).collect();
                self.0.run(&means, at)
            }
        }
    }
    fn rows(&self, rows: &[&[A]], r0: usize, out: &mut Vec<K::Acc>) {
        match A::rows_as_means(rows) {
            Some(rows) => self.0.rows(rows, r0, out),
            None => {
                let means: Vec<Vec<A::Mean>> = rows
                    .iter()
                    .map(|r| r.iter().map(|&x| x.to_mean()).collect())
                    .collect();
                let views: Vec<&[A::Mean]> = means.iter().map(Vec::as_slice).collect();
                self.0.rows(&views, r0, out)
            }
        }
    }
    fn merge(&self, l: K::Acc, r: K::Acc) -> K::Acc {
        self.0.merge(l, r)
    }
    fn finish(&self, acc: K::Acc) -> K::Out {
        self.0.finish(acc)
    }
}

/// Maps the output of another kernel.
pub(crate) struct Finish<K, F> {
    pub(crate) inner: K,
    pub(crate) f: F,
}

impl<A, K, F, O> ReduceKernel<A> for Finish<K, F>
where
    K: ReduceKernel<A>,
    F: Fn(K::Out) -> O + Sync,
    O: Send,
{
    type Acc = K::Acc;
    type Out = O;
    const SPLITTABLE: bool = K::SPLITTABLE;
    const POSITIONAL: bool = K::POSITIONAL;

    fn run(&self, xs: &[A], at: At<'_>) -> K::Acc {
        self.inner.run(xs, at)
    }
    fn rows(&self, rows: &[&[A]], r0: usize, out: &mut Vec<K::Acc>) {
        self.inner.rows(rows, r0, out)
    }
    fn merge(&self, l: K::Acc, r: K::Acc) -> K::Acc {
        self.inner.merge(l, r)
    }
    fn finish(&self, acc: K::Acc) -> O {
        (self.f)(self.inner.finish(acc))
    }
}

/// Variance with `ddof`: per-run two-pass moments, Chan merge. Callers
/// make sure that more than `ddof` elements are reduced.
pub(crate) struct Var<A> {
    pub(crate) ddof: A,
}

impl<A: Float> ReduceKernel<A> for Var<A> {
    type Acc = Moments<A>;
    type Out = A;

    fn run(&self, xs: &[A], _: At<'_>) -> Moments<A> {
        Moments::of(xs)
    }
    fn rows(&self, rows: &[&[A]], _: usize, out: &mut Vec<Moments<A>>) {
        // Two passes over the (cache-resident) row block, per column, on
        // values shifted by the block's first row: deviations from a
        // nearby value sum without the cancellation a large mean brings
        // (1e12 + N(0, 1) keeps its variance to a few ulps).
        let count = rows.len();
        let pilot = rows[0];
        let mut shift = vec![A::zero(); pilot.len()];
        for row in &rows[1..] {
            for ((s, &x), &p) in shift.iter_mut().zip(row.iter()).zip(pilot) {
                *s = *s + (x - p);
            }
        }
        let n = A::from_count(count);
        shift.iter_mut().for_each(|s| *s = *s / n);
        let mut m2 = vec![A::zero(); shift.len()];
        for row in rows {
            for (((s, &x), &p), &m) in m2.iter_mut().zip(row.iter()).zip(pilot).zip(&shift) {
                let d = (x - p) - m;
                *s = *s + d * d;
            }
        }
        out.clear();
        out.extend(
            pilot
                .iter()
                .zip(shift)
                .zip(m2)
                .map(|((&pilot, offset), m2)| Moments {
                    count,
                    pilot,
                    offset,
                    m2,
                }),
        );
    }
    fn merge(&self, l: Moments<A>, r: Moments<A>) -> Moments<A> {
        l.combined(r)
    }
    fn finish(&self, acc: Moments<A>) -> A {
        acc.m2 / (A::from_count(acc.count) - self.ddof)
    }
}

/// NaN-propagating extreme of `map(x)` (`better` picks the winner; the
/// first NaN wins over everything): min, max, and the max norm.
pub(crate) struct Extreme<M, F> {
    pub(crate) map: M,
    pub(crate) better: F,
}

impl<A, M, F> ReduceKernel<A> for Extreme<M, F>
where
    A: Scalar,
    M: Fn(A) -> A + Sync + Copy,
    F: Fn(A, A) -> bool + Sync + Copy,
{
    type Acc = A;
    type Out = A;

    fn run(&self, xs: &[A], _: At<'_>) -> A {
        seq::extreme(xs, self.map, self.better)
    }
    fn rows(&self, rows: &[&[A]], _: usize, out: &mut Vec<A>) {
        let better = self.better;
        seq::fold_rows(rows, out, self.map, |acc: A, x: A| {
            if acc.scalar_is_nan() || !(x.scalar_is_nan() || better(x, acc)) {
                acc
            } else {
                x
            }
        });
    }
    fn merge(&self, l: A, r: A) -> A {
        first_nan_or_better(l, r, self.better)
    }
    fn finish(&self, acc: A) -> A {
        acc
    }
}

/// Index of the first extreme (the first NaN if any): the row-major flat
/// index over a whole array, the index along the axis over a lane.
pub(crate) struct Arg<F> {
    pub(crate) better: F,
}

impl<A: Scalar, F: Fn(A, A) -> bool + Sync + Copy> ReduceKernel<A> for Arg<F> {
    type Acc = Best<A>;
    type Out = usize;
    const POSITIONAL: bool = true;

    fn run(&self, xs: &[A], at: At<'_>) -> Best<A> {
        best_in(xs, at, self.better)
    }
    fn rows(&self, rows: &[&[A]], r0: usize, out: &mut Vec<Best<A>>) {
        out.clear();
        out.extend(rows[0].iter().map(|&value| Best { value, flat: r0 }));
        for (i, row) in rows.iter().enumerate().skip(1) {
            for (o, &value) in out.iter_mut().zip(row.iter()) {
                *o = prefer(
                    *o,
                    Best {
                        value,
                        flat: r0 + i,
                    },
                    self.better,
                );
            }
        }
    }
    fn merge(&self, l: Best<A>, r: Best<A>) -> Best<A> {
        prefer(l, r, self.better)
    }
    fn finish(&self, acc: Best<A>) -> usize {
        acc.flat
    }
}

/// Sum and count of the non-NaN values (NaN-skipping sum and mean).
pub(crate) struct NanSumCount;

impl<A: Float> ReduceKernel<A> for NanSumCount {
    type Acc = (A, usize);
    type Out = (A, usize);

    fn run(&self, xs: &[A], _: At<'_>) -> (A, usize) {
        seq::nan_sum_count(xs)
    }
    fn rows(&self, rows: &[&[A]], _: usize, out: &mut Vec<(A, usize)>) {
        seq::fold_rows(
            rows,
            out,
            |x: A| if x.is_nan() { (A::zero(), 0) } else { (x, 1) },
            |(s1, c1), (s2, c2)| (s1 + s2, c1 + c2),
        );
    }
    fn merge(&self, (s1, c1): (A, usize), (s2, c2): (A, usize)) -> (A, usize) {
        (s1 + s2, c1 + c2)
    }
    fn finish(&self, acc: (A, usize)) -> (A, usize) {
        acc
    }
}

/// NaN-skipping min or max: `op` is `Float::min` or `Float::max`, which
/// return the other operand when one is NaN. No non-NaN value gives NaN.
pub(crate) struct NanExtreme<F> {
    pub(crate) op: F,
}

impl<A: Float, F: Fn(A, A) -> A + Sync + Copy> ReduceKernel<A> for NanExtreme<F> {
    type Acc = A;
    type Out = A;

    fn run(&self, xs: &[A], _: At<'_>) -> A {
        seq::pairwise(xs, A::nan(), |x| x, self.op)
    }
    fn rows(&self, rows: &[&[A]], _: usize, out: &mut Vec<A>) {
        seq::fold_rows(rows, out, |x| x, self.op);
    }
    fn merge(&self, l: A, r: A) -> A {
        (self.op)(l, r)
    }
    fn finish(&self, acc: A) -> A {
        acc
    }
}

/// A plain fold along an axis: each lane front to back from `init`.
pub(crate) struct Fold<B, F> {
    pub(crate) init: B,
    pub(crate) fold: F,
}

impl<A, B, F> ReduceKernel<A> for Fold<B, F>
where
    B: Clone + Send + Sync,
    F: Fn(&B, &A) -> B + Sync,
{
    type Acc = B;
    type Out = B;
    const SPLITTABLE: bool = false;

    fn run(&self, xs: &[A], _: At<'_>) -> B {
        xs.iter()
            .fold(self.init.clone(), |acc, x| (self.fold)(&acc, x))
    }
    fn rows(&self, rows: &[&[A]], _: usize, out: &mut Vec<B>) {
        out.clear();
        out.resize(rows[0].len(), self.init.clone());
        for row in rows {
            for (o, x) in out.iter_mut().zip(row.iter()) {
                *o = (self.fold)(o, x);
            }
        }
    }
    fn merge(&self, _: B, _: B) -> B {
        unreachable!("a fold is never split")
    }
    fn finish(&self, acc: B) -> B {
        acc
    }
}

/// The exact sum (an [`ExactSum`] per run or per column), rounded once.
pub(crate) struct ExactSumKernel;

impl<A: Float> ReduceKernel<A> for ExactSumKernel {
    type Acc = ExactSum<A>;
    type Out = A;

    fn run(&self, xs: &[A], _: At<'_>) -> ExactSum<A> {
        let mut s = ExactSum::new();
        s.extend(xs);
        s
    }
    fn rows(&self, rows: &[&[A]], _: usize, out: &mut Vec<ExactSum<A>>) {
        out.clear();
        out.resize(rows[0].len(), ExactSum::new());
        for row in rows {
            for (acc, &x) in out.iter_mut().zip(*row) {
                acc.add(x);
            }
        }
    }
    fn merge(&self, mut l: ExactSum<A>, r: ExactSum<A>) -> ExactSum<A> {
        l.merge(&r);
        l
    }
    fn finish(&self, acc: ExactSum<A>) -> A {
        acc.sum()
    }
}

/// The exact sum state of all of `a` (the one leaf of every exact sum:
/// whole-array, over MPI ranks).
pub(crate) fn exact_sum<A: Float, D: Dimension>(a: &ArrayRef<A, D>) -> ExactSum<A> {
    reduce_acc(a.view(), &ExactSumKernel).unwrap_or_default()
}

/// The exact dot-product state of `a` and `b` (same shape): blocks merged
/// along the tree (the exact state does not depend on the order).
pub(crate) fn exact_dot<A: Float, D: Dimension>(
    a: &ArrayRef<A, D>,
    b: &ArrayRef<A, D>,
) -> ExactDot<A> {
    let merge = |mut l: ExactDot<A>, r: ExactDot<A>| {
        l.merge(&r);
        l
    };
    reduce(
        (a.view(), b.view()),
        true,
        |block| {
            let mut d = ExactDot::new();
            match block.part {
                Part::Run((xs, ys)) => d.extend(xs, ys),
                Part::Views((va, vb)) => {
                    let (mut buf_a, mut buf_b) = (Vec::new(), Vec::new());
                    d.extend(contiguous(&va, &mut buf_a), contiguous(&vb, &mut buf_b));
                }
            }
            d
        },
        merge,
    )
    .unwrap_or_default()
}
