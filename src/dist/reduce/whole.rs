//! Whole-array reductions of a [`DistArray`], every result on every rank.

use ndarray::Dimension;

use super::super::array::DistArray;
use super::super::message::Message;
use crate::check;
use crate::element::{Float, Scalar};
use crate::engine::num::{empty_product, empty_sum};
use crate::engine::ops::{
    Arg, AsMeans, Extreme, Finish, NanExtreme, NanSumCount, ProductOf, SumOf, Var, map_sum, sum,
};
use crate::engine::seq;
use crate::engine::state::{ExactDot, ExactSum};
use crate::error::Result;

/// Whole-array reductions. Each is collective and returns the same value
/// on every rank; see the [module docs](crate::dist) for which bits each one
/// promises.
impl<A, D: Dimension> DistArray<A, D>
where
    A: Scalar + Message,
{
    /// The sum (0 for an empty array), in numpy's result type: the bits
    /// of [`par_sum`](crate::ParReduce::par_sum) at
    /// [`Reproducibility::Layout`](crate::Reproducibility::Layout) on the
    /// gathered array, for any number of ranks.
    ///
    /// # Errors
    ///
    /// [`Error::Distributed`](crate::Error::Distributed) on every rank when the ranks disagree.
    ///
    /// # Panics
    ///
    /// On every rank, if the exact sum of integers does not fit the
    /// result type.
    pub fn par_sum(&self) -> Result<A::Sum>
    where
        A::SumAcc: Message,
    {
        let method = "par_sum";
        Ok(self
            .kernel(method, &SumOf { method })?
            .unwrap_or_else(empty_sum::<A>))
    }

    /// The product (1 for an empty array), as [`par_sum`](Self::par_sum).
    ///
    /// # Errors
    ///
    /// As [`par_sum`](Self::par_sum).
    ///
    /// # Panics
    ///
    /// On every rank, if the exact product of integers does not fit the
    /// result type.
    pub fn par_product(&self) -> Result<A::Sum>
    where
        A::ProdAcc: Message,
    {
        let method = "par_product";
        Ok(self
            .kernel(method, &ProductOf { method })?
            .unwrap_or_else(empty_product::<A>))
    }

    /// The mean (`None` when empty), as [`par_sum`](Self::par_sum); of
    /// integers an `f64`, as [`par_mean`](crate::ParReduce::par_mean).
    ///
    /// # Errors
    ///
    /// As [`par_sum`](Self::par_sum).
    pub fn par_mean(&self) -> Result<Option<A::Mean>>
    where
        A::Mean: Message,
    {
        // The single-machine mean: the pairwise sum over the count.
        let n = <A::Mean as Float>::from_count(self.len());
        let mean = Finish {
            inner: sum::<A::Mean>(),
            f: move |s: A::Mean| s / n,
        };
        self.kernel("par_mean", &AsMeans(mean))
    }

    /// The variance with `ddof` (`None` for no more than `ddof` elements),
    /// as [`par_sum`](Self::par_sum); of integers an `f64`.
    ///
    /// # Errors
    ///
    /// As [`par_sum`](Self::par_sum).
    ///
    /// # Panics
    ///
    /// If `ddof` is negative or NaN.
    #[track_caller]
    pub fn par_var(&self, ddof: A::Mean) -> Result<Option<A::Mean>> {
        check::ddof("par_var", ddof);
        let var = self.kernel("par_var", &AsMeans(Var { ddof }))?;
        Ok(var.filter(|_| <A::Mean as Float>::from_count(self.len()) > ddof))
    }

    /// The standard deviation with `ddof`, as [`par_var`](Self::par_var).
    ///
    /// # Errors
    ///
    /// As [`par_sum`](Self::par_sum).
    ///
    /// # Panics
    ///
    /// If `ddof` is negative or NaN.
    #[track_caller]
    pub fn par_std(&self, ddof: A::Mean) -> Result<Option<A::Mean>> {
        check::ddof("par_std", ddof);
        Ok(self.par_var(ddof)?.map(num_traits::Float::sqrt))
    }

    /// The minimum (`None` when empty; NaN propagates).
    ///
    /// # Errors
    ///
    /// As [`par_sum`](Self::par_sum).
    pub fn par_min(&self) -> Result<Option<A>> {
        self.kernel(
            "par_min",
            &Extreme {
                map: |x| x,
                better: |a: A, b: A| a < b,
            },
        )
    }

    /// The maximum (`None` when empty; NaN propagates).
    ///
    /// # Errors
    ///
    /// As [`par_sum`](Self::par_sum).
    pub fn par_max(&self) -> Result<Option<A>> {
        self.kernel(
            "par_max",
            &Extreme {
                map: |x| x,
                better: |a: A, b: A| a > b,
            },
        )
    }

    /// The global index of the first minimum (the first NaN if any).
    ///
    /// # Errors
    ///
    /// As [`par_sum`](Self::par_sum).
    pub fn par_argmin(&self) -> Result<Option<D::Pattern>> {
        let flat = self.kernel(
            "par_argmin",
            &Arg {
                better: |a: A, b: A| a < b,
            },
        )?;
        Ok(flat.map(|f| crate::reduce::unravel(f, &self.raw_dim())))
    }

    /// The global index of the first maximum (the first NaN if any).
    ///
    /// # Errors
    ///
    /// As [`par_sum`](Self::par_sum).
    pub fn par_argmax(&self) -> Result<Option<D::Pattern>> {
        let flat = self.kernel(
            "par_argmax",
            &Arg {
                better: |a: A, b: A| a > b,
            },
        )?;
        Ok(flat.map(|f| crate::reduce::unravel(f, &self.raw_dim())))
    }

    /// The dot product of the two arrays as flat vectors (numpy's `vdot`),
    /// as [`par_sum`](Self::par_sum).
    ///
    /// # Errors
    ///
    /// As [`par_sum`](Self::par_sum).
    ///
    /// # Panics
    ///
    /// If the arrays differ in shape or split.
    #[track_caller]
    pub fn par_vdot(&self, other: &DistArray<A, D>) -> Result<A> {
        self.check_same("par_vdot", other);
        let dot = Self::logical(
            [self, other],
            "par_vdot",
            |[xs, ys], _| seq::dot(xs, ys),
            A::scalar_add,
        )?;
        Ok(dot.unwrap_or_else(A::scalar_zero))
    }
}

impl<A, D: Dimension> DistArray<A, D>
where
    A: Float + Message,
{
    /// The sum of the values that are not NaN.
    ///
    /// # Errors
    ///
    /// As [`par_sum`](Self::par_sum).
    pub fn par_nansum(&self) -> Result<A> {
        Ok(self
            .kernel("par_nansum", &NanSumCount)?
            .map_or_else(A::zero, |(s, _)| s))
    }

    /// The mean of the values that are not NaN (NaN if all are).
    ///
    /// # Errors
    ///
    /// As [`par_sum`](Self::par_sum).
    pub fn par_nanmean(&self) -> Result<Option<A>> {
        Ok(self
            .kernel("par_nanmean", &NanSumCount)?
            .map(|(s, c)| s / A::from_count(c)))
    }

    /// The minimum of the values that are not NaN (NaN if all are).
    ///
    /// # Errors
    ///
    /// As [`par_sum`](Self::par_sum).
    pub fn par_nanmin(&self) -> Result<Option<A>> {
        self.kernel("par_nanmin", &NanExtreme { op: A::min })
    }

    /// The maximum of the values that are not NaN (NaN if all are).
    ///
    /// # Errors
    ///
    /// As [`par_sum`](Self::par_sum).
    pub fn par_nanmax(&self) -> Result<Option<A>> {
        self.kernel("par_nanmax", &NanExtreme { op: A::max })
    }

    /// The L1 norm (sum of absolute values).
    ///
    /// # Errors
    ///
    /// As [`par_sum`](Self::par_sum).
    pub fn par_norm_l1(&self) -> Result<A> {
        Ok(self
            .kernel("par_norm_l1", &map_sum(A::abs))?
            .unwrap_or_else(A::zero))
    }

    /// The L2 norm.
    ///
    /// # Errors
    ///
    /// As [`par_sum`](Self::par_sum).
    pub fn par_norm_l2(&self) -> Result<A> {
        Ok(self
            .kernel("par_norm_l2", &map_sum(|x: A| x * x))?
            .unwrap_or_else(A::zero)
            .sqrt())
    }

    /// The max norm (`None` when empty; NaN propagates).
    ///
    /// # Errors
    ///
    /// As [`par_sum`](Self::par_sum).
    pub fn par_norm_max(&self) -> Result<Option<A>> {
        self.kernel(
            "par_norm_max",
            &Extreme {
                map: A::abs,
                better: |a: A, b: A| a > b,
            },
        )
    }

    /// The correctly rounded sum: the bits of
    /// [`par_sum_exact`](crate::ParReduce::par_sum_exact) on one machine,
    /// for any number of ranks, threads or layout.
    ///
    /// # Errors
    ///
    /// As [`par_sum`](Self::par_sum).
    pub fn par_sum_exact(&self) -> Result<A> {
        Ok(self.exact_sum("par_sum_exact")?.sum())
    }

    /// The correctly rounded mean (`None` when empty), as
    /// [`par_sum_exact`](Self::par_sum_exact).
    ///
    /// # Errors
    ///
    /// As [`par_sum`](Self::par_sum).
    pub fn par_mean_exact(&self) -> Result<Option<A>> {
        Ok(self.exact_sum("par_mean_exact")?.mean())
    }

    fn exact_sum(&self, what: &str) -> Result<ExactSum<A>> {
        let mine = crate::engine::ops::exact_sum(&self.local());
        self.merged(what, mine, |t, s| t.merge(s))
    }

    /// The correctly rounded dot product, as
    /// [`par_sum_exact`](Self::par_sum_exact).
    ///
    /// # Errors
    ///
    /// As [`par_sum`](Self::par_sum).
    ///
    /// # Panics
    ///
    /// If the arrays differ in shape or split.
    #[track_caller]
    pub fn par_dot_exact(&self, other: &DistArray<A, D>) -> Result<A> {
        self.check_same("par_dot_exact", other);
        let mine: ExactDot<A> = crate::engine::ops::exact_dot(&self.local(), &other.local());
        Ok(self
            .merged("par_dot_exact", mine, |t, s| t.merge(s))?
            .value())
    }
}
