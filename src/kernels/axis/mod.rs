//! Parallel reductions along one axis: [`ParAxis`].
//!
//! ndarray has no parallel axis reductions, and the obvious parallel route,
//! one task per output element, reads a C-order matrix column by column with
//! a stride of one row: slow. ndpar picks, from the strides, either whole
//! contiguous lanes (reducing along the fast axis) or streaming rows into
//! per-column accumulators (reducing along a slow axis), so both directions
//! read memory front to back.
//!
//! ```
//! use ndpar::prelude::*;
//! use ndarray::{Array2, Axis};
//!
//! let a = Array2::from_shape_fn((400, 300), |(i, j)| (i * 300 + j) as f64);
//! assert_eq!(a.par_sum_axis(Axis(0)), a.sum_axis(Axis(0))); // column sums
//! assert_eq!(a.par_sum_axis(Axis(1)), a.sum_axis(Axis(1))); // row sums
//! assert_eq!(a.par_argmax_axis(Axis(1)).unwrap()[7], 299);
//! ```

pub mod axes;

use ndarray::{Array, ArrayRef, ArrayView1, ArrayViewMut1, Axis, RemoveAxis};

use crate::check;
use crate::element::{Float, Scalar};
use crate::engine::ReduceKernel;
use crate::engine::axis::reduce_axis;
use crate::engine::lanes::map_lanes;
use crate::engine::num::empty_sum;
use crate::engine::ops::{
    Arg, AsMeans, ExactSumKernel, Extreme, Finish, Fold, NanExtreme, NanSumCount, SumOf, Var, mean,
    sum,
};

/// Parallel reductions along one axis, for arrays of any dimension and
/// layout. Each returns an array of one dimension less, with the shape and
/// conventions of ndarray's sequential `sum_axis` / `mean_axis` /
/// `var_axis` / `fold_axis`.
///
/// # Determinism
///
/// How the axis is cut into runs or row blocks depends only on the shape,
/// the memory layout and [`Params`](crate::Params), and partial results are
/// merged along a fixed tree, so every method gives the same bits on any
/// number of threads.
///
/// # Empty axes and NaN
///
/// The same rule as [`ParReduce`](crate::ParReduce): an empty axis gives
/// zeros for the sums and `None` where numpy raises or warns (means,
/// variances, extremes, arg-extremes); NaN propagates, and a lane of
/// nothing but NaN gives NaN in the NaN-skipping variants.
///
/// # Panics
///
/// Every method panics if `axis` is out of bounds (the message names the
/// method, the axis and the number of dimensions), and `par_var_axis` /
/// `par_std_axis` if `ddof` is negative or NaN.
pub trait ParAxis<A, D: RemoveAxis> {
    /// Parallel version of `sum_axis`: sums along `axis`. An empty axis
    /// gives zeros. Floats are summed pairwise along lanes, and in blocks of
    /// rows merged pairwise across the axis, so the error grows slowly with
    /// the axis length; integers exactly, in numpy's result type (`i64`
    /// or `u64`, see [`element`](crate::element)).
    ///
    /// # Panics
    ///
    /// If an exact sum of integers does not fit the result type.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Axis};
    ///
    /// let a = array![[1, 2, 3], [4, 5, 6]];
    /// assert_eq!(a.par_sum_axis(Axis(0)), array![5i64, 7, 9]);
    /// assert_eq!(a.par_sum_axis(Axis(1)), array![6i64, 15]);
    /// ```
    #[track_caller]
    fn par_sum_axis(&self, axis: Axis) -> Array<A::Sum, D::Smaller>
    where
        A: Scalar;

    /// The exact sum along `axis`: every output element is the correctly
    /// rounded real sum of its lane (see
    /// [`par_sum_exact`](crate::ParReduce::par_sum_exact)), so it depends on
    /// the values alone, not on the layout, the block size or the thread
    /// count. An empty axis gives zeros.
    ///
    /// # Panics
    ///
    /// If `axis` is out of range.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Axis};
    ///
    /// let a = array![[1e16, 1.0], [1.0, 1.0], [-1e16, 1.0]];
    /// assert_eq!(a.par_sum_axis_exact(Axis(0)), array![1.0, 3.0]);
    /// assert_eq!(a.t().par_sum_axis_exact(Axis(1)), array![1.0, 3.0]);
    /// ```
    #[track_caller]
    fn par_sum_axis_exact(&self, axis: Axis) -> Array<A, D::Smaller>
    where
        A: Float;

    /// Parallel version of `mean_axis`: the mean along `axis`, or `None` if
    /// the axis is empty. Integers give `f64` means (as numpy's).
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Array2, Axis};
    ///
    /// let a = array![[1.0, 2.0], [3.0, 6.0]];
    /// assert_eq!(a.par_mean_axis(Axis(0)), Some(array![2.0, 4.0]));
    /// assert_eq!(Array2::<f64>::zeros((0, 3)).par_mean_axis(Axis(0)), None);
    /// assert_eq!(array![[1u8, 2], [4, 4]].par_mean_axis(Axis(1)), Some(array![1.5f64, 4.0]));
    /// ```
    #[track_caller]
    fn par_mean_axis(&self, axis: Axis) -> Option<Array<A::Mean, D::Smaller>>
    where
        A: Scalar;

    /// Parallel version of `var_axis`: the variance along `axis` with `ddof`
    /// delta degrees of freedom, or `None` if the axis length is `≤ ddof`
    /// (an empty axis included).
    /// Blocks compute two-pass moments and are merged with Chan's update.
    /// Integers give `f64` variances (as numpy's).
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Axis};
    ///
    /// let a = array![[1.0, 10.0], [3.0, 10.0], [5.0, 10.0]];
    /// assert_eq!(a.par_var_axis(Axis(0), 1.0), Some(array![4.0, 0.0]));
    /// assert_eq!(a.par_var_axis(Axis(1), 2.0), None);
    /// ```
    #[track_caller]
    fn par_var_axis(&self, axis: Axis, ddof: A::Mean) -> Option<Array<A::Mean, D::Smaller>>
    where
        A: Scalar;

    /// Parallel version of `std_axis`: the square root of
    /// [`par_var_axis`](ParAxis::par_var_axis).
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Axis};
    ///
    /// let a = array![[1.0, 10.0], [3.0, 10.0], [5.0, 10.0]];
    /// assert_eq!(a.par_std_axis(Axis(0), 1.0), Some(array![2.0, 0.0]));
    /// ```
    #[track_caller]
    fn par_std_axis(&self, axis: Axis, ddof: A::Mean) -> Option<Array<A::Mean, D::Smaller>>
    where
        A: Scalar;

    /// The minimum along `axis` (NaN if the lane holds a NaN), or `None` if
    /// the axis is empty.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Axis};
    ///
    /// let a = array![[3, 1], [2, 5]];
    /// assert_eq!(a.par_min_axis(Axis(0)), Some(array![2, 1]));
    /// ```
    #[track_caller]
    fn par_min_axis(&self, axis: Axis) -> Option<Array<A, D::Smaller>>
    where
        A: Scalar;

    /// The maximum along `axis` (NaN if the lane holds a NaN), or `None` if
    /// the axis is empty.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Axis};
    ///
    /// let a = array![[3.0, f64::NAN], [2.0, 5.0]];
    /// let m = a.par_max_axis(Axis(0)).unwrap();
    /// assert_eq!(m[0], 3.0);
    /// assert!(m[1].is_nan());
    /// ```
    #[track_caller]
    fn par_max_axis(&self, axis: Axis) -> Option<Array<A, D::Smaller>>
    where
        A: Scalar;

    /// The index along `axis` of the first minimum of each lane (of the
    /// first NaN, if the lane holds one), or `None` if the axis is empty:
    /// numpy's `argmin(axis=…)`.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Axis};
    ///
    /// let a = array![[3, 1, 1], [0, 5, 0]];
    /// assert_eq!(a.par_argmin_axis(Axis(1)), Some(array![1, 0]));
    /// assert_eq!(a.par_argmin_axis(Axis(0)), Some(array![1, 0, 1]));
    /// ```
    #[track_caller]
    fn par_argmin_axis(&self, axis: Axis) -> Option<Array<usize, D::Smaller>>
    where
        A: Scalar;

    /// The index along `axis` of the first maximum of each lane (first NaN
    /// first), or `None` if the axis is empty.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Axis};
    ///
    /// let a = array![[3, 9, 9], [0, 5, 7]];
    /// assert_eq!(a.par_argmax_axis(Axis(1)), Some(array![1, 2]));
    /// ```
    #[track_caller]
    fn par_argmax_axis(&self, axis: Axis) -> Option<Array<usize, D::Smaller>>
    where
        A: Scalar;

    /// The sum along `axis` with NaNs treated as zero; zeros for an empty
    /// axis.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Axis};
    ///
    /// let a = array![[1.0, f64::NAN], [2.0, 3.0]];
    /// assert_eq!(a.par_nansum_axis(Axis(0)), array![3.0, 3.0]);
    /// ```
    #[track_caller]
    fn par_nansum_axis(&self, axis: Axis) -> Array<A, D::Smaller>
    where
        A: Float;

    /// The mean of the non-NaN values along `axis`; NaN for a lane with no
    /// such value; `None` if the axis is empty.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Axis};
    ///
    /// let a = array![[1.0, f64::NAN], [3.0, f64::NAN]];
    /// let m = a.par_nanmean_axis(Axis(0)).unwrap();
    /// assert_eq!(m[0], 2.0);
    /// assert!(m[1].is_nan());
    /// ```
    #[track_caller]
    fn par_nanmean_axis(&self, axis: Axis) -> Option<Array<A, D::Smaller>>
    where
        A: Float;

    /// The minimum of the non-NaN values along `axis`; NaN for a lane with
    /// no such value; `None` if the axis is empty.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Axis};
    ///
    /// let a = array![[f64::NAN, 4.0], [2.0, 3.0]];
    /// assert_eq!(a.par_nanmin_axis(Axis(0)), Some(array![2.0, 3.0]));
    /// ```
    #[track_caller]
    fn par_nanmin_axis(&self, axis: Axis) -> Option<Array<A, D::Smaller>>
    where
        A: Float;

    /// The maximum of the non-NaN values along `axis`; NaN for a lane with
    /// no such value; `None` if the axis is empty.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Axis};
    ///
    /// let a = array![[f64::NAN, 4.0], [2.0, 3.0]];
    /// assert_eq!(a.par_nanmax_axis(Axis(0)), Some(array![2.0, 4.0]));
    /// ```
    #[track_caller]
    fn par_nanmax_axis(&self, axis: Axis) -> Option<Array<A, D::Smaller>>
    where
        A: Float;

    /// Parallel version of `map_axis` (numpy's `apply_along_axis`): `f` of
    /// every lane along `axis`, each lane a 1-D view in logical order (it
    /// may be strided). An empty axis hands `f` empty lanes.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Axis};
    ///
    /// let a = array![[3.0f64, 4.0], [6.0, 8.0]];
    /// let norms = a.par_map_axis(Axis(1), |row| row.dot(&row).sqrt());
    /// assert_eq!(norms, array![5.0, 10.0]);
    /// let firsts = a.par_map_axis(Axis(0), |col| col[0]);
    /// assert_eq!(firsts, array![3.0, 4.0]);
    /// ```
    #[track_caller]
    fn par_map_axis<B, F>(&self, axis: Axis, f: F) -> Array<B, D::Smaller>
    where
        A: Sync,
        B: Send,
        F: Fn(ArrayView1<'_, A>) -> B + Sync;

    /// Parallel version of `fold_axis`: folds each lane along `axis` front
    /// to back, starting from a clone of `init`. Lanes run in parallel;
    /// each lane is folded in order on one thread, so `fold` needs no
    /// combine step and any `fold` gives the sequential answer. An empty
    /// axis gives `init` everywhere.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Axis};
    ///
    /// let a = array![[1, 2], [3, 4], [5, 6]];
    /// // Horner's rule down each column: ((1·10 + 3)·10 + 5).
    /// let digits = a.par_fold_axis(Axis(0), 0, |&acc, &d| acc * 10 + d);
    /// assert_eq!(digits, array![135, 246]);
    /// ```
    #[track_caller]
    fn par_fold_axis<B, F>(&self, axis: Axis, init: B, fold: F) -> Array<B, D::Smaller>
    where
        A: Clone + Sync,
        B: Clone + Send + Sync,
        F: Fn(&B, &A) -> B + Sync;
}

/// Runs `kernel` along `axis` of `a`, or returns `None` if the axis is
/// empty. The axis must be checked already.
pub(crate) fn run<A, D, K>(
    a: &ArrayRef<A, D>,
    axis: Axis,
    kernel: K,
) -> Option<Array<K::Out, D::Smaller>>
where
    A: Clone + Sync,
    D: RemoveAxis,
    K: ReduceKernel<A>,
{
    if a.len_of(axis) == 0 {
        return None;
    }
    let out = reduce_axis(a.view().into_dyn(), axis, &kernel);
    Some(
        out.into_dimensionality::<D::Smaller>()
            .expect("one axis fewer"),
    )
}

/// Checks `axis`, then runs `kernel` along it (`None` for an empty axis).
#[track_caller]
fn checked<A, D, K>(
    method: &str,
    a: &ArrayRef<A, D>,
    axis: Axis,
    kernel: K,
) -> Option<Array<K::Out, D::Smaller>>
where
    A: Clone + Sync,
    D: RemoveAxis,
    K: ReduceKernel<A>,
{
    check::axis(method, axis, a.ndim());
    run(a, axis, kernel)
}

/// The sum along `axis` in numpy's result type (checked as `method`).
#[track_caller]
pub(super) fn sum_axis<A: Scalar, D: RemoveAxis>(
    method: &'static str,
    a: &ArrayRef<A, D>,
    axis: Axis,
) -> Array<A::Sum, D::Smaller> {
    checked(method, a, axis, SumOf { method })
        .unwrap_or_else(|| Array::from_elem(a.raw_dim().remove_axis(axis), empty_sum::<A>()))
}

/// The sum along `axis` of the elements as [`Arith::Mean`] (`f64` for
/// integers): what a mean over several axes divides.
#[track_caller]
pub(super) fn mean_sum_axis<A: Scalar, D: RemoveAxis>(
    method: &'static str,
    a: &ArrayRef<A, D>,
    axis: Axis,
) -> Array<A::Mean, D::Smaller> {
    checked(method, a, axis, AsMeans(sum()))
        .unwrap_or_else(|| Array::zeros(a.raw_dim().remove_axis(axis)))
}

/// The variance along `axis` (checked as `method`), `None` if the axis
/// holds no more than `ddof` elements.
#[track_caller]
fn var_axis<A: Scalar, D: RemoveAxis>(
    method: &str,
    a: &ArrayRef<A, D>,
    axis: Axis,
    ddof: A::Mean,
) -> Option<Array<A::Mean, D::Smaller>> {
    check::axis(method, axis, a.ndim());
    check::ddof(method, ddof);
    if <A::Mean as Float>::from_count(a.len_of(axis)) <= ddof {
        return None;
    }
    run(a, axis, AsMeans(Var { ddof }))
}

impl<A, D: RemoveAxis> ParAxis<A, D> for ArrayRef<A, D> {
    fn par_sum_axis(&self, axis: Axis) -> Array<A::Sum, D::Smaller>
    where
        A: Scalar,
    {
        sum_axis("par_sum_axis", self, axis)
    }

    fn par_sum_axis_exact(&self, axis: Axis) -> Array<A, D::Smaller>
    where
        A: Float,
    {
        checked("par_sum_axis_exact", self, axis, ExactSumKernel)
            .unwrap_or_else(|| Array::zeros(self.raw_dim().remove_axis(axis)))
    }

    fn par_mean_axis(&self, axis: Axis) -> Option<Array<A::Mean, D::Smaller>>
    where
        A: Scalar,
    {
        check::axis("par_mean_axis", axis, self.ndim());
        run(self, axis, AsMeans(mean(self.len_of(axis))))
    }

    fn par_var_axis(&self, axis: Axis, ddof: A::Mean) -> Option<Array<A::Mean, D::Smaller>>
    where
        A: Scalar,
    {
        var_axis("par_var_axis", self, axis, ddof)
    }

    fn par_std_axis(&self, axis: Axis, ddof: A::Mean) -> Option<Array<A::Mean, D::Smaller>>
    where
        A: Scalar,
    {
        var_axis("par_std_axis", self, axis, ddof).map(|v| v.mapv_into(num_traits::Float::sqrt))
    }

    fn par_min_axis(&self, axis: Axis) -> Option<Array<A, D::Smaller>>
    where
        A: Scalar,
    {
        let min = Extreme {
            map: |x| x,
            better: |a: A, b: A| a < b,
        };
        checked("par_min_axis", self, axis, min)
    }

    fn par_max_axis(&self, axis: Axis) -> Option<Array<A, D::Smaller>>
    where
        A: Scalar,
    {
        let max = Extreme {
            map: |x| x,
            better: |a: A, b: A| a > b,
        };
        checked("par_max_axis", self, axis, max)
    }

    fn par_argmin_axis(&self, axis: Axis) -> Option<Array<usize, D::Smaller>>
    where
        A: Scalar,
    {
        let argmin = Arg {
            better: |a: A, b: A| a < b,
        };
        checked("par_argmin_axis", self, axis, argmin)
    }

    fn par_argmax_axis(&self, axis: Axis) -> Option<Array<usize, D::Smaller>>
    where
        A: Scalar,
    {
        let argmax = Arg {
            better: |a: A, b: A| a > b,
        };
        checked("par_argmax_axis", self, axis, argmax)
    }

    fn par_nansum_axis(&self, axis: Axis) -> Array<A, D::Smaller>
    where
        A: Float,
    {
        let nansum = Finish {
            inner: NanSumCount,
            f: |(s, _): (A, usize)| s,
        };
        checked("par_nansum_axis", self, axis, nansum)
            .unwrap_or_else(|| Array::from_elem(self.raw_dim().remove_axis(axis), A::zero()))
    }

    fn par_nanmean_axis(&self, axis: Axis) -> Option<Array<A, D::Smaller>>
    where
        A: Float,
    {
        // 0/0 is NaN: numpy's value for a lane of nothing but NaN.
        let nanmean = Finish {
            inner: NanSumCount,
            f: |(s, c): (A, usize)| s / A::from_count(c),
        };
        checked("par_nanmean_axis", self, axis, nanmean)
    }

    fn par_nanmin_axis(&self, axis: Axis) -> Option<Array<A, D::Smaller>>
    where
        A: Float,
    {
        checked("par_nanmin_axis", self, axis, NanExtreme { op: A::min })
    }

    fn par_nanmax_axis(&self, axis: Axis) -> Option<Array<A, D::Smaller>>
    where
        A: Float,
    {
        checked("par_nanmax_axis", self, axis, NanExtreme { op: A::max })
    }

    fn par_map_axis<B, F>(&self, axis: Axis, f: F) -> Array<B, D::Smaller>
    where
        A: Sync,
        B: Send,
        F: Fn(ArrayView1<'_, A>) -> B + Sync,
    {
        check::axis("par_map_axis", axis, self.ndim());
        map_lanes(self.view().into_dyn(), axis, |part, w| {
            for lane in part.lanes(Axis(0)) {
                w.push(f(lane));
            }
        })
        .into_dimensionality::<D::Smaller>()
        .expect("one axis fewer")
    }

    fn par_fold_axis<B, F>(&self, axis: Axis, init: B, fold: F) -> Array<B, D::Smaller>
    where
        A: Clone + Sync,
        B: Clone + Send + Sync,
        F: Fn(&B, &A) -> B + Sync,
    {
        check::axis("par_fold_axis", axis, self.ndim());
        let empty_init = init.clone();
        run(self, axis, Fold { init, fold })
            .unwrap_or_else(|| Array::from_elem(self.raw_dim().remove_axis(axis), empty_init))
    }
}

/// Parallel lane kernels that modify the array: a function on every mutable
/// lane along an axis (to normalise rows, sort columns, …).
///
/// # Panics
///
/// If `axis` is out of bounds (the message names the method, the axis and
/// the number of dimensions).
pub trait ParAxisMut<A, D: RemoveAxis> {
    /// Parallel version of `map_axis_mut`: `f` of every mutable lane along
    /// `axis`, collected into an array of one dimension less.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Axis};
    ///
    /// let mut a = array![[3.0f64, 4.0], [6.0, 8.0]];
    /// // Normalise each row to unit length; return the old norms.
    /// let norms = a.par_map_axis_mut(Axis(1), |mut row| {
    ///     let norm = row.dot(&row).sqrt();
    ///     row /= norm;
    ///     norm
    /// });
    /// assert_eq!(norms, array![5.0, 10.0]);
    /// assert_eq!(a, array![[0.6, 0.8], [0.6, 0.8]]);
    /// ```
    #[track_caller]
    fn par_map_axis_mut<B, F>(&mut self, axis: Axis, f: F) -> Array<B, D::Smaller>
    where
        A: Send,
        B: Send,
        F: Fn(ArrayViewMut1<'_, A>) -> B + Sync;

    /// Calls `f` on every mutable lane along `axis`, in parallel.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Axis};
    ///
    /// let mut a = array![[3, 1, 2], [9, 7, 8]];
    /// a.par_for_each_lane_mut(Axis(1), |mut row| {
    ///     row.as_slice_mut().unwrap().sort_unstable()
    /// });
    /// assert_eq!(a, array![[1, 2, 3], [7, 8, 9]]);
    /// ```
    #[track_caller]
    fn par_for_each_lane_mut<F>(&mut self, axis: Axis, f: F)
    where
        A: Send,
        F: Fn(ArrayViewMut1<'_, A>) + Sync;
}

impl<A, D: RemoveAxis> ParAxisMut<A, D> for ArrayRef<A, D> {
    fn par_map_axis_mut<B, F>(&mut self, axis: Axis, f: F) -> Array<B, D::Smaller>
    where
        A: Send,
        B: Send,
        F: Fn(ArrayViewMut1<'_, A>) -> B + Sync,
    {
        check::axis("par_map_axis_mut", axis, self.ndim());
        map_lanes(self.view_mut().into_dyn(), axis, |mut part, w| {
            for lane in part.lanes_mut(Axis(0)) {
                w.push(f(lane));
            }
        })
        .into_dimensionality::<D::Smaller>()
        .expect("one axis fewer")
    }

    fn par_for_each_lane_mut<F>(&mut self, axis: Axis, f: F)
    where
        A: Send,
        F: Fn(ArrayViewMut1<'_, A>) + Sync,
    {
        check::axis("par_for_each_lane_mut", axis, self.ndim());
        map_lanes(self.view_mut().into_dyn(), axis, |mut part, w| {
            for lane in part.lanes_mut(Axis(0)) {
                f(lane);
                w.push(());
            }
        });
    }
}
