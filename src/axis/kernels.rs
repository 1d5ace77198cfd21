//! The axis kernels: what each axis reduction folds, merges and finishes.
//! Lane runs reuse the whole-array loops of `reduce/seq.rs`; row blocks
//! are elementwise loops over contiguous rows, which vectorise.

use crate::axis::engine::AxisKernel;
use crate::element::{Float, Scalar};
use crate::plan::Positions;
use crate::reduce::arg::{self, Best};
use crate::reduce::first_nan_or_better;
use crate::reduce::seq::{self, Moments};

/// `out = f(rows[0])`, then `out[c] = op(out[c], f(row[c]))` for the other
/// rows, in order.
fn fold_rows_with<A: Copy, T: Copy>(
    rows: &[&[A]],
    out: &mut Vec<T>,
    f: impl Fn(A) -> T,
    op: impl Fn(T, T) -> T,
) {
    out.clear();
    out.extend(rows[0].iter().map(|&x| f(x)));
    for row in &rows[1..] {
        for (o, &x) in out.iter_mut().zip(row.iter()) {
            *o = op(*o, f(x));
        }
    }
}

/// Sum along the axis (pairwise within lanes; rows in order within a row
/// block, then the fixed tree across blocks).
pub(crate) struct Sum;

impl<A: Scalar> AxisKernel<A> for Sum {
    type Acc = A;
    type Out = A;

    fn run(&self, xs: &[A], _: usize) -> A {
        seq::sum(xs)
    }
    fn rows(&self, rows: &[&[A]], _: usize, out: &mut Vec<A>) {
        fold_rows_with(rows, out, |x| x, A::scalar_add);
    }
    fn merge(&self, l: A, r: A) -> A {
        l.scalar_add(r)
    }
    fn finish(&self, acc: A) -> A {
        acc
    }
}

/// Maps the output of another kernel.
pub(crate) struct Finish<K, F> {
    pub(crate) inner: K,
    pub(crate) f: F,
}

impl<A, K, F, O> AxisKernel<A> for Finish<K, F>
where
    K: AxisKernel<A>,
    F: Fn(K::Out) -> O + Sync,
    O: Send,
{
    type Acc = K::Acc;
    type Out = O;
    const SPLITTABLE: bool = K::SPLITTABLE;

    fn run(&self, xs: &[A], r0: usize) -> K::Acc {
        self.inner.run(xs, r0)
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

/// Variance with `ddof`: per-run two-pass moments, Chan merge.
pub(crate) struct Var<A> {
    pub(crate) ddof: A,
}

impl<A: Float> AxisKernel<A> for Var<A> {
    type Acc = Moments<A>;
    type Out = A;

    fn run(&self, xs: &[A], _: usize) -> Moments<A> {
        seq::moments(xs)
    }
    fn rows(&self, rows: &[&[A]], _: usize, out: &mut Vec<Moments<A>>) {
        // Two passes over the (cache-resident) row block, per column.
        let count = rows.len();
        let mut mean = Vec::new();
        fold_rows_with(rows, &mut mean, |x| x, A::scalar_add);
        let n = A::from_count(count);
        mean.iter_mut().for_each(|m| *m = *m / n);
        let mut m2 = vec![A::zero(); mean.len()];
        for row in rows {
            for ((s, &x), &m) in m2.iter_mut().zip(row.iter()).zip(&mean) {
                let d = x - m;
                *s = *s + d * d;
            }
        }
        out.clear();
        out.extend(
            mean.into_iter()
                .zip(m2)
                .map(|(mean, m2)| Moments { count, mean, m2 }),
        );
    }
    fn merge(&self, l: Moments<A>, r: Moments<A>) -> Moments<A> {
        l.merge(r)
    }
    fn finish(&self, acc: Moments<A>) -> A {
        acc.m2 / (A::from_count(acc.count) - self.ddof)
    }
}

/// NaN-propagating min or max (`better` picks the winner).
pub(crate) struct Extreme<F> {
    pub(crate) better: F,
}

impl<A: Scalar, F: Fn(A, A) -> bool + Sync + Copy> AxisKernel<A> for Extreme<F> {
    type Acc = A;
    type Out = A;

    fn run(&self, xs: &[A], _: usize) -> A {
        seq::extreme(xs, |x| x, self.better)
    }
    fn rows(&self, rows: &[&[A]], _: usize, out: &mut Vec<A>) {
        let better = self.better;
        fold_rows_with(
            rows,
            out,
            |x| x,
            |acc: A, x: A| {
                if acc.scalar_is_nan() || !(x.scalar_is_nan() || better(x, acc)) {
                    acc
                } else {
                    x
                }
            },
        );
    }
    fn merge(&self, l: A, r: A) -> A {
        first_nan_or_better(l, r, self.better)
    }
    fn finish(&self, acc: A) -> A {
        acc
    }
}

/// Index along the axis of the first extreme (the first NaN if any).
pub(crate) struct Arg<F> {
    pub(crate) better: F,
}

impl<A: Scalar, F: Fn(A, A) -> bool + Sync + Copy> AxisKernel<A> for Arg<F> {
    type Acc = Best<A>;
    type Out = usize;

    fn run(&self, xs: &[A], r0: usize) -> Best<A> {
        arg::best_in(xs, r0, Positions::RowMajor, self.better)
    }
    fn rows(&self, rows: &[&[A]], r0: usize, out: &mut Vec<Best<A>>) {
        out.clear();
        out.extend(rows[0].iter().map(|&value| Best { value, flat: r0 }));
        for (i, row) in rows.iter().enumerate().skip(1) {
            for (o, &value) in out.iter_mut().zip(row.iter()) {
                *o = arg::prefer(
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
        arg::prefer(l, r, self.better)
    }
    fn finish(&self, acc: Best<A>) -> usize {
        acc.flat
    }
}

/// Sum and count of the non-NaN values (NaN-skipping sum and mean).
pub(crate) struct NanSumCount;

impl<A: Float> AxisKernel<A> for NanSumCount {
    type Acc = (A, usize);
    type Out = (A, usize);

    fn run(&self, xs: &[A], _: usize) -> (A, usize) {
        seq::nan_sum_count(xs)
    }
    fn rows(&self, rows: &[&[A]], _: usize, out: &mut Vec<(A, usize)>) {
        fold_rows_with(
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
/// return the other operand when one is NaN. All-NaN lanes give NaN.
pub(crate) struct NanExtreme<F> {
    pub(crate) op: F,
}

impl<A: Float, F: Fn(A, A) -> A + Sync + Copy> AxisKernel<A> for NanExtreme<F> {
    type Acc = A;
    type Out = A;

    fn run(&self, xs: &[A], _: usize) -> A {
        seq::pairwise(xs, A::nan(), |x| x, self.op)
    }
    fn rows(&self, rows: &[&[A]], _: usize, out: &mut Vec<A>) {
        fold_rows_with(rows, out, |x| x, self.op);
    }
    fn merge(&self, l: A, r: A) -> A {
        (self.op)(l, r)
    }
    fn finish(&self, acc: A) -> A {
        acc
    }
}

/// A plain fold along the axis: each lane front to back from `init`.
pub(crate) struct Fold<B, F> {
    pub(crate) init: B,
    pub(crate) fold: F,
}

impl<A, B, F> AxisKernel<A> for Fold<B, F>
where
    B: Clone + Send + Sync,
    F: Fn(&B, &A) -> B + Sync,
{
    type Acc = B;
    type Out = B;
    const SPLITTABLE: bool = false;

    fn run(&self, xs: &[A], _: usize) -> B {
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
