//! Parallel reductions over several axes at once (numpy's
//! `a.sum(axis=(0, 2), keepdims=...)`): [`ParAxes`].
//!
//! The axes reduced are gathered into one: when the memory layout lets
//! them merge without moving data (the reduced axes are the innermost or
//! the outermost in memory, as for `axis=(1, 2)` or `axis=(0, 1)` of a
//! C-order array), the array is seen as a matrix of kept × reduced
//! elements and the one-axis kernels of [`ParAxis`](crate::ParAxis)
//! reduce it in one pass. Otherwise (`axis=(0, 2)` of a C-order array)
//! sums, minima and maxima reduce the axis of smallest stride first and
//! the rest of the axes on that smaller result; means, variances and
//! `nanmean` copy the array once into kept × reduced order.
//!
//! ```
//! use ndpar::prelude::*;
//! use ndarray::{Array3, Axis};
//!
//! let a = Array3::from_shape_fn((2, 3, 4), |(i, j, k)| (i * 12 + j * 4 + k) as f64);
//! let s = a.par_sum_axes(&[Axis(0), Axis(2)], false);
//! assert_eq!(s.shape(), &[3]);
//! assert_eq!(s[0], (0..4).chain(12..16).sum::<usize>() as f64);
//! let m = a.par_mean_axes(&[Axis(1), Axis(2)], true).unwrap();
//! assert_eq!(m.shape(), &[2, 1, 1]); // keepdims
//! assert_eq!(m[[1, 0, 0]], 17.5);
//! ```

use ndarray::{ArrayD, ArrayRef, ArrayViewD, Axis, Dimension, IxDyn, Order, ShapeBuilder};

use super::{ParAxis, mean_sum_axis, sum_axis};
use crate::element::{Float, Scalar};

/// Parallel reductions over a set of axes, for arrays of any dimension and
/// layout: numpy's `sum`, `mean`, `var`, `std`, `min`, `max` and their
/// `nan` forms with a tuple `axis` and `keepdims`.
///
/// Results are [`ArrayD`]: the kept axes in their order, or, with
/// `keepdims`, every axis, the reduced ones of length 1 (so the result
/// broadcasts against the input). An empty `axes` reduces nothing, as
/// numpy's `axis=()` does: `par_sum_axes(&[], _)` is a copy.
///
/// Result types are numpy's, as for [`ParAxis`](crate::ParAxis) (sums of
/// integers in `i64` or `u64`, means and variances in `f64`; see
/// [`element`](crate::element)). Conventions are those of
/// [`ParAxis`](crate::ParAxis), with the
/// reduced elements of each output taken together: an empty reduction
/// gives zeros for the sums and `None` for the rest, `None` when the
/// number of elements reduced is at most `ddof`, and NaN propagates
/// (the `nan` forms skip it). The bits do not depend on the number of
/// threads.
///
/// # Panics
///
/// If an axis is out of bounds or named twice (numpy raises a
/// `ValueError`), and `par_var_axes` / `par_std_axes` if `ddof` is negative
/// or NaN.
pub trait ParAxes<A> {
    /// The sum over `axes` (numpy's `a.sum(axis=axes, keepdims=keepdims)`).
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Axis};
    ///
    /// let a = array![[1, 2], [3, 4]];
    /// assert_eq!(a.par_sum_axes(&[Axis(0), Axis(1)], false).ndim(), 0);
    /// assert_eq!(a.par_sum_axes(&[Axis(0), Axis(1)], false).first(), Some(&10i64));
    /// assert_eq!(a.par_sum_axes(&[Axis(1)], true), array![[3i64], [7]].into_dyn()); // numpy: int64
    /// ```
    #[track_caller]
    fn par_sum_axes(&self, axes: &[Axis], keepdims: bool) -> ArrayD<A::Sum>
    where
        A: Scalar;

    /// The mean over `axes`, or `None` if they are empty.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Axis};
    ///
    /// let a = array![[[1.0, 3.0]], [[5.0, 7.0]]];
    /// assert_eq!(a.par_mean_axes(&[Axis(0), Axis(2)], false).unwrap(), array![4.0].into_dyn());
    /// ```
    #[track_caller]
    fn par_mean_axes(&self, axes: &[Axis], keepdims: bool) -> Option<ArrayD<A::Mean>>
    where
        A: Scalar;

    /// The variance over `axes` with `ddof` delta degrees of freedom, or
    /// `None` if they hold at most `ddof` elements.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Axis};
    ///
    /// let a = array![[1.0, 3.0], [5.0, 7.0]];
    /// assert_eq!(a.par_var_axes(&[Axis(0), Axis(1)], 0.0, false).unwrap().first(), Some(&5.0));
    /// assert_eq!(a.par_var_axes(&[Axis(1)], 2.0, false), None);
    /// ```
    #[track_caller]
    fn par_var_axes(&self, axes: &[Axis], ddof: A::Mean, keepdims: bool) -> Option<ArrayD<A::Mean>>
    where
        A: Scalar;

    /// The square root of [`par_var_axes`](ParAxes::par_var_axes).
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Axis};
    ///
    /// let a = array![[1.0, 3.0], [5.0, 7.0]];
    /// assert_eq!(a.par_std_axes(&[Axis(0)], 0.0, true).unwrap(), array![[2.0, 2.0]].into_dyn());
    /// ```
    #[track_caller]
    fn par_std_axes(&self, axes: &[Axis], ddof: A::Mean, keepdims: bool) -> Option<ArrayD<A::Mean>>
    where
        A: Scalar;

    /// The minimum over `axes` (NaN if one of them is NaN), or `None` if
    /// they are empty.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Axis};
    ///
    /// let a = array![[[4, 2]], [[3, 9]]];
    /// assert_eq!(a.par_min_axes(&[Axis(0), Axis(1)], false).unwrap(), array![3, 2].into_dyn());
    /// ```
    #[track_caller]
    fn par_min_axes(&self, axes: &[Axis], keepdims: bool) -> Option<ArrayD<A>>
    where
        A: Scalar;

    /// The maximum over `axes` (NaN if one of them is NaN), or `None` if
    /// they are empty.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Axis};
    ///
    /// let a = array![[[4, 2]], [[3, 9]]];
    /// assert_eq!(a.par_max_axes(&[Axis(0), Axis(2)], false).unwrap(), array![9].into_dyn());
    /// ```
    #[track_caller]
    fn par_max_axes(&self, axes: &[Axis], keepdims: bool) -> Option<ArrayD<A>>
    where
        A: Scalar;

    /// The sum over `axes` with NaN taken as zero (numpy's `nansum`).
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Axis};
    ///
    /// let a = array![[1.0, f64::NAN], [2.0, 4.0]];
    /// assert_eq!(a.par_nansum_axes(&[Axis(0), Axis(1)], false).first(), Some(&7.0));
    /// ```
    #[track_caller]
    fn par_nansum_axes(&self, axes: &[Axis], keepdims: bool) -> ArrayD<A>
    where
        A: Float;

    /// The mean of the values that are not NaN over `axes` (numpy's
    /// `nanmean`: NaN where all are NaN), or `None` if the axes are empty.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Axis};
    ///
    /// let a = array![[1.0, f64::NAN], [2.0, 6.0]];
    /// assert_eq!(a.par_nanmean_axes(&[Axis(0), Axis(1)], false).unwrap().first(), Some(&3.0));
    /// ```
    #[track_caller]
    fn par_nanmean_axes(&self, axes: &[Axis], keepdims: bool) -> Option<ArrayD<A>>
    where
        A: Float;

    /// The minimum over `axes` ignoring NaN (NaN where all are NaN), or
    /// `None` if the axes are empty.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Axis};
    ///
    /// let a = array![[f64::NAN, 2.0], [3.0, f64::NAN]];
    /// assert_eq!(a.par_nanmin_axes(&[Axis(0), Axis(1)], false).unwrap().first(), Some(&2.0));
    /// ```
    #[track_caller]
    fn par_nanmin_axes(&self, axes: &[Axis], keepdims: bool) -> Option<ArrayD<A>>
    where
        A: Float;

    /// The maximum over `axes` ignoring NaN (NaN where all are NaN), or
    /// `None` if the axes are empty.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Axis};
    ///
    /// let a = array![[f64::NAN, 2.0], [3.0, f64::NAN]];
    /// assert_eq!(a.par_nanmax_axes(&[Axis(0), Axis(1)], false).unwrap().first(), Some(&3.0));
    /// ```
    #[track_caller]
    fn par_nanmax_axes(&self, axes: &[Axis], keepdims: bool) -> Option<ArrayD<A>>
    where
        A: Float;
}

/// The axes of an array of `ndim` dimensions split into (kept, reduced),
/// each in increasing order; panics at the caller's line for an axis out
/// of bounds or named twice.
#[track_caller]
fn split_axes(method: &str, axes: &[Axis], ndim: usize) -> (Vec<usize>, Vec<usize>) {
    let mut reduced = vec![false; ndim];
    for ax in axes {
        crate::check::axis(method, *ax, ndim);
        assert!(
            !reduced[ax.index()],
            "{method}: axis {} is named twice",
            ax.index()
        );
        reduced[ax.index()] = true;
    }
    (0..ndim).partition(|&ax| !reduced[ax])
}

/// The output shape: the kept axes, or every axis with the reduced ones 1.
fn out_shape(dim: &[usize], kept: &[usize], keepdims: bool) -> Vec<usize> {
    if keepdims {
        (0..dim.len())
            .map(|ax| if kept.contains(&ax) { dim[ax] } else { 1 })
            .collect()
    } else {
        kept.iter().map(|&ax| dim[ax]).collect()
    }
}

/// A one-axis reduction of `A`s into `B`s (`None`: an empty axis where
/// it has no value).
type Reduce<'s, A, B = A> = &'s dyn Fn(ArrayViewD<'_, A>, Axis) -> Option<ArrayD<B>>;

/// How a reduction over several axes may go one axis at a time.
enum Stages<'s, B> {
    /// It may not (a mean of means is not a mean): a layout whose axes do
    /// not merge is copied once.
    None,
    /// After a first stage with the reduction itself, the partial results
    /// are reduced by `then`: the sum of sums for a sum, but also the
    /// plain sum of `nansum`s, since only the data's own NaNs may be
    /// skipped — an `inf + (-inf)` made by the first stage is a NaN that
    /// must propagate, as numpy's one-pass `nansum` lets it.
    Then(Reduce<'s, B>),
}

/// Reduces `a` over `axes` with `reduce`, applied along one axis of the
/// matrix of kept × reduced (or reduced × kept) elements, and shapes the
/// result.
///
/// The matrix is a view when the layout lets the axes merge (in row- or
/// column-major order). Otherwise, if the reduction has [`Stages`], the
/// reduced axis of smallest stride is reduced on its own and the rest
/// follows on the (smaller) result; if not, the array is copied once into
/// kept × reduced order.
#[track_caller]
fn reduce_axes<A, B, D>(
    method: &str,
    a: &ArrayRef<A, D>,
    axes: &[Axis],
    keepdims: bool,
    stages: Stages<'_, B>,
    reduce: Reduce<'_, A, B>,
) -> Option<ArrayD<B>>
where
    A: Clone,
    B: Clone,
    D: Dimension,
{
    let (kept, reduced) = split_axes(method, axes, a.ndim());
    let shape = out_shape(a.shape(), &kept, keepdims);
    // The values come in the kept axes' order, row- or column-major.
    let finish = |out: ArrayD<B>, order: Order| {
        let values: Vec<B> = out.into_iter().collect();
        let dim = IxDyn(&shape).set_f(order == Order::ColumnMajor);
        ArrayD::from_shape_vec(dim, values).expect("one value per kept element")
    };
    let v = a.view().into_dyn();
    if let Some((out, order)) = merged(&v, &kept, &reduced, reduce) {
        return Some(finish(out?, order));
    }
    if let Stages::Then(then) = stages
        && let Some(&ax) = reduced
            .iter()
            .min_by_key(|&&ax| v.strides()[ax].unsigned_abs())
    {
        // The data itself goes to `reduce`; partial results to `then`.
        let partial = reduce(v, Axis(ax))?;
        let rest: Vec<Axis> = reduced
            .iter()
            .filter(|&&r| r != ax)
            .map(|&r| Axis(if r > ax { r - 1 } else { r }))
            .collect();
        if rest.is_empty() {
            return Some(finish(partial, Order::RowMajor));
        }
        let out = reduce_axes(method, &partial, &rest, false, Stages::Then(then), then)?;
        return Some(finish(out, Order::RowMajor));
    }
    // Copied in the array's own dimension type: iterating a typed view is
    // much faster than iterating an `IxDyn` one.
    let mut perm = D::zeros(a.ndim());
    for (slot, &ax) in kept.iter().chain(&reduced).enumerate() {
        perm[slot] = ax;
    }
    let copy = a
        .view()
        .permuted_axes(perm)
        .as_standard_layout()
        .into_owned();
    let len = |axes: &[usize]| axes.iter().map(|&ax| a.len_of(Axis(ax))).product::<usize>();
    let m = copy
        .into_shape_with_order((len(&kept), len(&reduced)))
        .expect("a standard-layout array reshapes");
    Some(finish(
        reduce(m.view().into_dyn(), Axis(1))?,
        Order::RowMajor,
    ))
}

/// `reduce` over the matrix that `v`'s `kept` and `reduced` axes merge
/// into, if some order merges them without moving data; with the order in
/// which the output values come.
fn merged<A: Clone, B>(
    v: &ArrayViewD<'_, A>,
    kept: &[usize],
    reduced: &[usize],
    reduce: Reduce<'_, A, B>,
) -> Option<(Option<ArrayD<B>>, Order)> {
    let len = |axes: &[usize]| axes.iter().map(|&ax| v.len_of(Axis(ax))).product::<usize>();
    let (k, r) = (len(kept), len(reduced));
    let permuted = |first: &[usize], second: &[usize]| {
        let perm: Vec<usize> = first.iter().chain(second).copied().collect();
        v.clone().permuted_axes(IxDyn(&perm))
    };
    let kr = permuted(kept, reduced);
    let rk = permuted(reduced, kept);
    let merges = [
        (&kr, (k, r), Axis(1), Order::RowMajor),
        (&rk, (r, k), Axis(0), Order::RowMajor),
        (&kr, (k, r), Axis(1), Order::ColumnMajor),
        (&rk, (r, k), Axis(0), Order::ColumnMajor),
    ];
    for (v, dims, axis, order) in merges {
        // `to_shape` copies what does not merge: ask first.
        let split = if axis == Axis(1) {
            kept.len()
        } else {
            reduced.len()
        };
        if groups_merge(v, split, order)
            && let Ok(m) = v.to_shape((dims, order))
            && m.is_view()
        {
            return Some((reduce(m.view().into_dyn(), axis), order));
        }
    }
    None
}

/// Whether the first `split` axes of `v` merge into one without moving
/// data, and so do the rest, reading them in `order`.
fn groups_merge<A>(v: &ArrayViewD<'_, A>, split: usize, order: Order) -> bool {
    if v.is_empty() {
        return true;
    }
    let (dims, strides) = (v.shape(), v.strides());
    let merges = |axes: std::ops::Range<usize>| {
        // The axes longer than 1, from the fastest-varying in `order`.
        let mut axes: Vec<usize> = axes.filter(|&ax| dims[ax] > 1).collect();
        if order == Order::RowMajor {
            axes.reverse();
        }
        axes.windows(2)
            .all(|w| strides[w[1]] == strides[w[0]] * dims[w[0]] as isize)
    };
    merges(0..split) && merges(split..v.ndim())
}

/// The sum over `axes` in numpy's result type (checked as `method`): the
/// elements are summed in stages of sums where the axes do not merge.
#[track_caller]
fn sum_axes<A: Scalar, D: Dimension>(
    method: &'static str,
    a: &ArrayRef<A, D>,
    axes: &[Axis],
    keepdims: bool,
) -> ArrayD<A::Sum> {
    let first: Reduce<'_, A, A::Sum> = &|v, ax| Some(sum_axis(method, &v, ax));
    let then: Reduce<'_, A::Sum> = &|v, ax| Some(sum_axis(method, &v, ax));
    reduce_axes(method, a, axes, keepdims, Stages::Then(then), first).expect("sums always exist")
}

/// The number of elements each output of a reduction over `axes` gathers.
fn reduced_len<A, D: Dimension>(a: &ArrayRef<A, D>, axes: &[Axis]) -> usize {
    axes.iter().map(|&ax| a.len_of(ax)).product()
}

impl<A, D: Dimension> ParAxes<A> for ArrayRef<A, D> {
    fn par_sum_axes(&self, axes: &[Axis], keepdims: bool) -> ArrayD<A::Sum>
    where
        A: Scalar,
    {
        sum_axes("par_sum_axes", self, axes, keepdims)
    }

    fn par_mean_axes(&self, axes: &[Axis], keepdims: bool) -> Option<ArrayD<A::Mean>>
    where
        A: Scalar,
    {
        // The sum (of the values as floats) divided by the count, as
        // `par_mean_axis` does.
        let method = "par_mean_axes";
        let first: Reduce<'_, A, A::Mean> = &|v, ax| Some(mean_sum_axis(method, &v, ax));
        let then: Reduce<'_, A::Mean> = &|v, ax| Some(mean_sum_axis(method, &v, ax));
        let sum = reduce_axes(method, self, axes, keepdims, Stages::Then(then), first)
            .expect("sums always exist");
        let n = reduced_len(self, axes);
        (n > 0).then(|| sum.mapv_into(|s| s / <A::Mean as Float>::from_count(n)))
    }

    fn par_var_axes(&self, axes: &[Axis], ddof: A::Mean, keepdims: bool) -> Option<ArrayD<A::Mean>>
    where
        A: Scalar,
    {
        crate::check::ddof("par_var_axes", ddof);
        let var: Reduce<'_, A, A::Mean> = &|v, ax| v.par_var_axis(ax, ddof);
        reduce_axes("par_var_axes", self, axes, keepdims, Stages::None, var)
    }

    fn par_std_axes(&self, axes: &[Axis], ddof: A::Mean, keepdims: bool) -> Option<ArrayD<A::Mean>>
    where
        A: Scalar,
    {
        crate::check::ddof("par_std_axes", ddof);
        let std: Reduce<'_, A, A::Mean> = &|v, ax| v.par_std_axis(ax, ddof);
        reduce_axes("par_std_axes", self, axes, keepdims, Stages::None, std)
    }

    fn par_min_axes(&self, axes: &[Axis], keepdims: bool) -> Option<ArrayD<A>>
    where
        A: Scalar,
    {
        let min: Reduce<'_, A> = &|v, ax| v.par_min_axis(ax);
        reduce_axes("par_min_axes", self, axes, keepdims, Stages::Then(min), min)
    }

    fn par_max_axes(&self, axes: &[Axis], keepdims: bool) -> Option<ArrayD<A>>
    where
        A: Scalar,
    {
        let max: Reduce<'_, A> = &|v, ax| v.par_max_axis(ax);
        reduce_axes("par_max_axes", self, axes, keepdims, Stages::Then(max), max)
    }

    fn par_nansum_axes(&self, axes: &[Axis], keepdims: bool) -> ArrayD<A>
    where
        A: Float,
    {
        // Only the data's NaNs are skipped: a NaN that a first stage made
        // (from inf + -inf) propagates through the plain sums after it.
        let nansum: Reduce<'_, A> = &|v, ax| Some(v.par_nansum_axis(ax));
        let sum: Reduce<'_, A> = &|v, ax| Some(v.par_sum_axis(ax));
        reduce_axes(
            "par_nansum_axes",
            self,
            axes,
            keepdims,
            Stages::Then(sum),
            nansum,
        )
        .expect("sums always exist")
    }

    fn par_nanmean_axes(&self, axes: &[Axis], keepdims: bool) -> Option<ArrayD<A>>
    where
        A: Float,
    {
        let nanmean: Reduce<'_, A> = &|v, ax| v.par_nanmean_axis(ax);
        reduce_axes(
            "par_nanmean_axes",
            self,
            axes,
            keepdims,
            Stages::None,
            nanmean,
        )
    }

    fn par_nanmin_axes(&self, axes: &[Axis], keepdims: bool) -> Option<ArrayD<A>>
    where
        A: Float,
    {
        // A stage's NaN means "all NaN so far" (a minimum makes no new
        // NaN), which the next stage skips.
        let nanmin: Reduce<'_, A> = &|v, ax| v.par_nanmin_axis(ax);
        reduce_axes(
            "par_nanmin_axes",
            self,
            axes,
            keepdims,
            Stages::Then(nanmin),
            nanmin,
        )
    }

    fn par_nanmax_axes(&self, axes: &[Axis], keepdims: bool) -> Option<ArrayD<A>>
    where
        A: Float,
    {
        let nanmax: Reduce<'_, A> = &|v, ax| v.par_nanmax_axis(ax);
        reduce_axes(
            "par_nanmax_axes",
            self,
            axes,
            keepdims,
            Stages::Then(nanmax),
            nanmax,
        )
    }
}
