//! Reductions of a [`DistArray`] along one axis, the whole result on every
//! rank.

use ndarray::{Array, Axis, RemoveAxis};

use super::super::array::DistArray;
use super::super::message::Message;
use crate::check;
use crate::element::{Float, Scalar};
use crate::engine::num::empty_sum;
use crate::engine::ops::{Arg, ExactSumKernel, Extreme, Finish, SumOf, Var, sum};
use crate::error::Result;

/// Reductions along one axis, the whole result on every rank. Along the
/// split axis (0) they use the fixed pieces of the single-machine plan for
/// the C-order array; along the other axes each rank reduces its own rows.
impl<A, D: RemoveAxis> DistArray<A, D>
where
    A: Scalar + Message,
{
    /// The sum along `axis` (zeros for an empty axis), in numpy's result
    /// type.
    ///
    /// # Errors
    ///
    /// As [`par_sum`](Self::par_sum).
    ///
    /// # Panics
    ///
    /// If `axis` is out of range, or an exact sum of integers does not fit
    /// the result type.
    #[track_caller]
    pub fn par_sum_axis(&self, axis: Axis) -> Result<Array<A::Sum, D::Smaller>>
    where
        A::SumAcc: Message,
        A::Sum: Message,
    {
        let method = "par_sum_axis";
        Ok(self
            .along(method, axis, SumOf { method })?
            .unwrap_or_else(|| {
                Array::from_elem(self.raw_dim().remove_axis(axis), empty_sum::<A>())
            }))
    }

    /// The minimum along `axis` (`None` for an empty axis).
    ///
    /// # Errors
    ///
    /// As [`par_sum`](Self::par_sum).
    ///
    /// # Panics
    ///
    /// If `axis` is out of range.
    #[track_caller]
    pub fn par_min_axis(&self, axis: Axis) -> Result<Option<Array<A, D::Smaller>>> {
        self.along(
            "par_min_axis",
            axis,
            Extreme {
                map: |x| x,
                better: |a: A, b: A| a < b,
            },
        )
    }

    /// The maximum along `axis` (`None` for an empty axis).
    ///
    /// # Errors
    ///
    /// As [`par_sum`](Self::par_sum).
    ///
    /// # Panics
    ///
    /// If `axis` is out of range.
    #[track_caller]
    pub fn par_max_axis(&self, axis: Axis) -> Result<Option<Array<A, D::Smaller>>> {
        self.along(
            "par_max_axis",
            axis,
            Extreme {
                map: |x| x,
                better: |a: A, b: A| a > b,
            },
        )
    }

    /// The index along `axis` of the first minimum (`None` for an empty
    /// axis).
    ///
    /// # Errors
    ///
    /// As [`par_sum`](Self::par_sum).
    ///
    /// # Panics
    ///
    /// If `axis` is out of range.
    #[track_caller]
    pub fn par_argmin_axis(&self, axis: Axis) -> Result<Option<Array<usize, D::Smaller>>> {
        self.along(
            "par_argmin_axis",
            axis,
            Arg {
                better: |a: A, b: A| a < b,
            },
        )
    }

    /// The index along `axis` of the first maximum (`None` for an empty
    /// axis).
    ///
    /// # Errors
    ///
    /// As [`par_sum`](Self::par_sum).
    ///
    /// # Panics
    ///
    /// If `axis` is out of range.
    #[track_caller]
    pub fn par_argmax_axis(&self, axis: Axis) -> Result<Option<Array<usize, D::Smaller>>> {
        self.along(
            "par_argmax_axis",
            axis,
            Arg {
                better: |a: A, b: A| a > b,
            },
        )
    }
}

impl<A, D: RemoveAxis> DistArray<A, D>
where
    A: Float + Message,
{
    /// The mean along `axis` (`None` for an empty axis).
    ///
    /// # Errors
    ///
    /// As [`par_sum`](Self::par_sum).
    ///
    /// # Panics
    ///
    /// If `axis` is out of range.
    #[track_caller]
    pub fn par_mean_axis(&self, axis: Axis) -> Result<Option<Array<A, D::Smaller>>> {
        check::axis("par_mean_axis", axis, self.shape().len());
        let n = A::from_count(self.shape()[axis.index()]);
        self.along(
            "par_mean_axis",
            axis,
            Finish {
                inner: sum(),
                f: move |s: A| s / n,
            },
        )
    }

    /// The variance along `axis` with `ddof` (`None` when the axis holds
    /// no more than `ddof` elements).
    ///
    /// # Errors
    ///
    /// As [`par_sum`](Self::par_sum).
    ///
    /// # Panics
    ///
    /// If `axis` is out of range, or `ddof` is negative or NaN.
    #[track_caller]
    pub fn par_var_axis(&self, axis: Axis, ddof: A) -> Result<Option<Array<A, D::Smaller>>> {
        check::axis("par_var_axis", axis, self.shape().len());
        check::ddof("par_var_axis", ddof);
        let var = self.along("par_var_axis", axis, Var { ddof })?;
        Ok(var.filter(|_| A::from_count(self.shape()[axis.index()]) > ddof))
    }

    /// The standard deviation along `axis` with `ddof`, as
    /// [`par_var_axis`](Self::par_var_axis).
    ///
    /// # Errors
    ///
    /// As [`par_sum`](Self::par_sum).
    ///
    /// # Panics
    ///
    /// If `axis` is out of range, or `ddof` is negative or NaN.
    #[track_caller]
    pub fn par_std_axis(&self, axis: Axis, ddof: A) -> Result<Option<Array<A, D::Smaller>>> {
        check::ddof("par_std_axis", ddof);
        Ok(self.par_var_axis(axis, ddof)?.map(|v| v.mapv_into(A::sqrt)))
    }

    /// The correctly rounded sum along `axis` (zeros for an empty axis):
    /// the bits of [`par_sum_axis_exact`](crate::ParAxis::par_sum_axis_exact)
    /// for any number of ranks.
    ///
    /// # Errors
    ///
    /// As [`par_sum`](Self::par_sum).
    ///
    /// # Panics
    ///
    /// If `axis` is out of range.
    #[track_caller]
    pub fn par_sum_axis_exact(&self, axis: Axis) -> Result<Array<A, D::Smaller>> {
        Ok(self
            .along("par_sum_axis_exact", axis, ExactSumKernel)?
            .unwrap_or_else(|| Array::zeros(self.raw_dim().remove_axis(axis))))
    }
}
