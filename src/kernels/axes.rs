//! Parallel reductions over several axes at once (numpy's
//! `a.sum(axis=(0, 2), keepdims=...)`): [`ParAxes`].
//!
//! The axes reduced are gathered into one: the array is seen as a matrix of
//! kept × reduced elements, and the one-axis kernels of
//! [`ParAxis`](crate::ParAxis) reduce it in one pass. When the memory
//! layout lets the axes merge without moving data (the reduced axes are
//! the innermost or the outermost in memory, as for `axis=(1, 2)` or
//! `axis=(0, 1)` of a C-order array), the matrix is a view; otherwise the
//! array is first copied into that order, once.
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

use ndarray::{Array1, ArrayD, ArrayRef, ArrayView2, Axis, Dimension, IxDyn, Order, ShapeBuilder};

use crate::axis::ParAxis;
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
/// Conventions are those of [`ParAxis`](crate::ParAxis), with the
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
    /// assert_eq!(a.par_sum_axes(&[Axis(0), Axis(1)], false).first(), Some(&10));
    /// assert_eq!(a.par_sum_axes(&[Axis(1)], true), array![[3], [7]].into_dyn());
    /// ```
    #[track_caller]
    fn par_sum_axes(&self, axes: &[Axis], keepdims: bool) -> ArrayD<A>
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
    fn par_mean_axes(&self, axes: &[Axis], keepdims: bool) -> Option<ArrayD<A>>
    where
        A: Float;

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
    fn par_var_axes(&self, axes: &[Axis], ddof: A, keepdims: bool) -> Option<ArrayD<A>>
    where
        A: Float;

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
    fn par_std_axes(&self, axes: &[Axis], ddof: A, keepdims: bool) -> Option<ArrayD<A>>
    where
        A: Float;

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

/// Reduces `a` over `axes` with `f`, a one-axis reduction of the matrix
/// of kept × reduced (or reduced × kept) elements (`None` passes through),
/// and shapes the result.
///
/// The matrix is a view when the layout lets the axes merge (in row- or
/// column-major order); otherwise a row-major copy of kept × reduced.
#[track_caller]
fn reduce_axes<A, B, D, F>(
    method: &str,
    a: &ArrayRef<A, D>,
    axes: &[Axis],
    keepdims: bool,
    f: F,
) -> Option<ArrayD<B>>
where
    A: Clone,
    D: Dimension,
    F: FnOnce(ArrayView2<'_, A>, Axis) -> Option<Array1<B>>,
{
    let (kept, reduced) = split_axes(method, axes, a.ndim());
    let shape = out_shape(a.shape(), &kept, keepdims);
    // The lanes come in the kept axes' order, row- or column-major.
    let finish = |out: Array1<B>, order: Order| {
        let values: Vec<B> = out.into_iter().collect();
        let dim = IxDyn(&shape).set_f(order == Order::ColumnMajor);
        ArrayD::from_shape_vec(dim, values).expect("one value per kept element")
    };
    let len = |axes: &[usize]| axes.iter().map(|&ax| a.len_of(Axis(ax))).product::<usize>();
    let (k, r) = (len(&kept), len(&reduced));
    let permuted = |first: &[usize], second: &[usize]| {
        let perm: Vec<usize> = first.iter().chain(second).copied().collect();
        a.view().into_dyn().permuted_axes(IxDyn(&perm))
    };
    let kr = permuted(&kept, &reduced);
    let rk = permuted(&reduced, &kept);
    let merges = [
        (&kr, (k, r), Axis(1), Order::RowMajor),
        (&rk, (r, k), Axis(0), Order::RowMajor),
        (&kr, (k, r), Axis(1), Order::ColumnMajor),
        (&rk, (r, k), Axis(0), Order::ColumnMajor),
    ];
    for (v, dims, axis, order) in merges {
        if let Ok(m) = v.to_shape((dims, order)) {
            if m.is_view() {
                return Some(finish(f(m.view(), axis)?, order));
            }
        }
    }
    let copy = kr.as_standard_layout();
    let m = copy
        .to_shape((k, r))
        .expect("a standard-layout array reshapes");
    Some(finish(f(m.view(), Axis(1))?, Order::RowMajor))
}

impl<A, D: Dimension> ParAxes<A> for ArrayRef<A, D> {
    fn par_sum_axes(&self, axes: &[Axis], keepdims: bool) -> ArrayD<A>
    where
        A: Scalar,
    {
        reduce_axes("par_sum_axes", self, axes, keepdims, |m, ax| {
            Some(m.par_sum_axis(ax))
        })
        .expect("sums always exist")
    }

    fn par_mean_axes(&self, axes: &[Axis], keepdims: bool) -> Option<ArrayD<A>>
    where
        A: Float,
    {
        reduce_axes("par_mean_axes", self, axes, keepdims, |m, ax| {
            m.par_mean_axis(ax)
        })
    }

    fn par_var_axes(&self, axes: &[Axis], ddof: A, keepdims: bool) -> Option<ArrayD<A>>
    where
        A: Float,
    {
        crate::check::ddof("par_var_axes", ddof);
        reduce_axes("par_var_axes", self, axes, keepdims, |m, ax| {
            m.par_var_axis(ax, ddof)
        })
    }

    fn par_std_axes(&self, axes: &[Axis], ddof: A, keepdims: bool) -> Option<ArrayD<A>>
    where
        A: Float,
    {
        crate::check::ddof("par_std_axes", ddof);
        reduce_axes("par_std_axes", self, axes, keepdims, |m, ax| {
            m.par_std_axis(ax, ddof)
        })
    }

    fn par_min_axes(&self, axes: &[Axis], keepdims: bool) -> Option<ArrayD<A>>
    where
        A: Scalar,
    {
        reduce_axes("par_min_axes", self, axes, keepdims, |m, ax| {
            m.par_min_axis(ax)
        })
    }

    fn par_max_axes(&self, axes: &[Axis], keepdims: bool) -> Option<ArrayD<A>>
    where
        A: Scalar,
    {
        reduce_axes("par_max_axes", self, axes, keepdims, |m, ax| {
            m.par_max_axis(ax)
        })
    }

    fn par_nansum_axes(&self, axes: &[Axis], keepdims: bool) -> ArrayD<A>
    where
        A: Float,
    {
        reduce_axes("par_nansum_axes", self, axes, keepdims, |m, ax| {
            Some(m.par_nansum_axis(ax))
        })
        .expect("sums always exist")
    }

    fn par_nanmean_axes(&self, axes: &[Axis], keepdims: bool) -> Option<ArrayD<A>>
    where
        A: Float,
    {
        reduce_axes("par_nanmean_axes", self, axes, keepdims, |m, ax| {
            m.par_nanmean_axis(ax)
        })
    }

    fn par_nanmin_axes(&self, axes: &[Axis], keepdims: bool) -> Option<ArrayD<A>>
    where
        A: Float,
    {
        reduce_axes("par_nanmin_axes", self, axes, keepdims, |m, ax| {
            m.par_nanmin_axis(ax)
        })
    }

    fn par_nanmax_axes(&self, axes: &[Axis], keepdims: bool) -> Option<ArrayD<A>>
    where
        A: Float,
    {
        reduce_axes("par_nanmax_axes", self, axes, keepdims, |m, ax| {
            m.par_nanmax_axis(ax)
        })
    }
}
