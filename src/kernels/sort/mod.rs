//! Parallel sorting and partitioning along an axis: [`ParSort`].
//!
//! numpy's conventions: floats sort with every NaN last and `-0.0` equal to
//! `0.0`; `par_sort` and `par_argsort` are stable (numpy's
//! `kind='stable'`), so equal keys keep their order; every lane along the
//! axis is sorted on its own. Lanes are sorted in parallel, and a lane long
//! enough to be worth it (at least [`PAR_LANE_LEN`] elements, as a whole
//! 1-D array is) is sorted in parallel itself: floats by a radix sort on
//! the bytes of an integer key that has numpy's order (a comparison in
//! numpy's order costs a key computation, which the radix sort does once
//! per value and pass), integers by rayon's parallel sorts (their
//! comparisons are one instruction). Which sort a lane gets depends on its
//! type and length only, and every sort is deterministic, so the result is
//! the same on any number of threads — also the order of `-0.0` and `0.0`,
//! or of NaNs, after an unstable sort.
//!
//! `par_partition` and `par_argpartition` follow numpy's `np.partition`:
//! each asked-for rank holds its sorted value, with no greater value before
//! it and no smaller one after it. A lane of at least [`PAR_SELECT_LEN`]
//! elements is partitioned in parallel: the value at each rank is found by
//! counting 16-bit key digits in parallel passes, and one stable scatter
//! groups the lane around those values. Shorter lanes use the standard
//! library's selection, many lanes at once. The choice depends on the
//! length only, so the arrangement is the same on any number of threads.
//!
//! ```
//! use ndpar::prelude::*;
//! use ndarray::{array, Axis};
//!
//! let a = array![[3.0, f64::NAN, 1.0], [2.0, -1.0, 2.0]];
//! let s = a.par_sort(Axis(1));
//! assert_eq!(s.row(1), array![-1.0, 2.0, 2.0]);
//! assert!(s[[0, 2]].is_nan()); // NaN last, like numpy
//! assert_eq!(a.par_argsort(Axis(0)), array![[1, 1, 0], [0, 0, 1]]);
//! ```

use ndarray::{Array, ArrayRef, Axis, Dimension};

use crate::check;
use crate::element::Scalar;
use crate::engine::order::{self, SortKind};
pub use crate::engine::order::{PAR_LANE_LEN, PAR_SELECT_LEN};
use crate::engine::uninit::scratch;

/// Parallel sorting of arrays of any dimension and layout along one axis,
/// with numpy's order and conventions. Bring it into scope with
/// `use ndpar::prelude::*;`.
///
/// Results come back in standard (C) order. An axis of length 0 or 1 gives
/// a copy. For a 1-D array, `Axis(0)` sorts the whole array (numpy's
/// `np.sort(a)` with its default `axis=-1` is `Axis(a.ndim() - 1)`).
///
/// # Panics
///
/// If `axis` is out of range.
pub trait ParSort<A, D: Dimension> {
    /// Sorts along `axis` into a new array: stable (equal keys keep their
    /// order), NaN last, `-0.0` equal to `0.0` (numpy's
    /// `np.sort(a, axis, kind='stable')`).
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Axis};
    ///
    /// let a = array![0.0, -0.0, f64::NAN, -3.5, 0.0];
    /// let s = a.par_sort(Axis(0));
    /// assert_eq!(s.slice(ndarray::s![..4]), array![-3.5, 0.0, -0.0, 0.0]);
    /// assert!(s[0 + 1].is_sign_positive() && s[2].is_sign_negative()); // stable
    /// assert!(s[4].is_nan());
    /// ```
    #[track_caller]
    fn par_sort(&self, axis: Axis) -> Array<A, D>
    where
        A: Scalar;

    /// Like [`par_sort`](ParSort::par_sort), without the stability promise
    /// (faster): equal keys (`-0.0` and `0.0`, NaNs) may come in any order,
    /// but the same order on any number of threads.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{Array1, Axis};
    ///
    /// let a = Array1::from_iter((0..100_000).map(|i| ((i * 7919) % 100_003) as f64));
    /// let s = a.par_sort_unstable(Axis(0));
    /// assert!(s.windows(2).into_iter().all(|w| w[0] <= w[1]));
    /// ```
    #[track_caller]
    fn par_sort_unstable(&self, axis: Axis) -> Array<A, D>
    where
        A: Scalar;

    /// The indices that sort each lane along `axis`, stably (numpy's
    /// `np.argsort(a, axis, kind='stable')`): equal keys keep index order,
    /// NaN last.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Axis};
    ///
    /// let a = array![2.0, f64::NAN, 1.0, 2.0];
    /// assert_eq!(a.par_argsort(Axis(0)), array![2, 0, 3, 1]);
    /// ```
    #[track_caller]
    fn par_argsort(&self, axis: Axis) -> Array<usize, D>
    where
        A: Scalar;

    /// Sorts every lane along `axis` in place, stably (see
    /// [`par_sort`](ParSort::par_sort)). Lanes of any stride.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Axis};
    ///
    /// let mut a = array![[3, 1, 2], [9, 7, 8]];
    /// a.par_sort_inplace(Axis(1));
    /// assert_eq!(a, array![[1, 2, 3], [7, 8, 9]]);
    /// ```
    #[track_caller]
    fn par_sort_inplace(&mut self, axis: Axis)
    where
        A: Scalar;

    /// Sorts every lane along `axis` in place, without the stability
    /// promise (see [`par_sort_unstable`](ParSort::par_sort_unstable)).
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Axis};
    ///
    /// let mut a = array![[3, 9], [1, 7], [2, 8]];
    /// a.par_sort_unstable_inplace(Axis(0));
    /// assert_eq!(a, array![[1, 7], [2, 8], [3, 9]]);
    /// ```
    #[track_caller]
    fn par_sort_unstable_inplace(&mut self, axis: Axis)
    where
        A: Scalar;

    /// numpy's `np.partition(a, kth, axis)`: a copy in which, in every lane
    /// along `axis`, each rank in `kth` holds the value a sort would put
    /// there, no element before it is greater and no element after it is
    /// smaller (NaN counts as the largest value, `-0.0` equal to `0.0`).
    /// The order within the groups is unspecified, but the same on any
    /// number of threads. Negative ranks count from the end, as in numpy;
    /// an empty `kth` gives a copy.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Axis};
    ///
    /// let a = array![7.0, 1.0, f64::NAN, 5.0, 3.0, 9.0];
    /// let p = a.par_partition(&[2, -1], Axis(0));
    /// assert_eq!(p[2], 5.0); // the third smallest
    /// assert!(p[5].is_nan()); // NaN sorts last
    /// assert!(p.iter().take(2).all(|&x| x <= 5.0));
    /// assert!(p.iter().skip(3).take(2).all(|&x| (5.0..=9.0).contains(&x)));
    /// ```
    ///
    /// # Panics
    ///
    /// If `axis` is out of range, or a rank in `kth` is outside `-n..n`
    /// for the axis length `n` (where numpy raises a `ValueError`).
    #[track_caller]
    fn par_partition(&self, kth: &[isize], axis: Axis) -> Array<A, D>
    where
        A: Scalar;

    /// numpy's `np.argpartition(a, kth, axis)`: the indices along `axis`
    /// that would partition each lane as
    /// [`par_partition`](ParSort::par_partition) does.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Axis};
    ///
    /// let a = array![[4, 0, 3], [1, 5, 2]];
    /// let idx = a.par_argpartition(&[0], Axis(1));
    /// assert_eq!(idx.column(0), array![1, 0]); // each row's smallest
    /// ```
    ///
    /// # Panics
    ///
    /// As for [`par_partition`](ParSort::par_partition).
    #[track_caller]
    fn par_argpartition(&self, kth: &[isize], axis: Axis) -> Array<usize, D>
    where
        A: Scalar;
}

/// The ranks named by numpy-style `kth` (negative from the end) in a lane
/// of `n`, sorted and without repeats; panics at the caller's line for a
/// rank out of range.
#[track_caller]
fn ranks(method: &str, kth: &[isize], n: usize) -> Vec<usize> {
    let mut ks: Vec<usize> = kth
        .iter()
        .map(|&k| {
            let rank = if k < 0 {
                n.checked_sub(k.unsigned_abs())
            } else {
                Some(k as usize)
            };
            match rank {
                Some(r) if r < n => r,
                _ => panic!("{method}: kth {k} is out of bounds for an axis of length {n}"),
            }
        })
        .collect();
    ks.sort_unstable();
    ks.dedup();
    ks
}

/// The permutation that moves `axis` last, as `D`.
fn axis_last<D: Dimension>(ndim: usize, axis: Axis) -> D {
    let mut perm = D::zeros(ndim);
    let others = (0..ndim).filter(|&ax| ax != axis.index());
    for (slot, ax) in others.chain([axis.index()]).enumerate() {
        perm[slot] = ax;
    }
    perm
}

/// `a` with `axis` moved last, copied into standard order: its lanes are
/// contiguous runs of `n` elements. Returns the data and the permutation.
fn lanes_last<A: Scalar, D: Dimension>(a: &ArrayRef<A, D>, axis: Axis) -> (Vec<A>, D) {
    let perm = axis_last::<D>(a.ndim(), axis);
    let v = a.view().permuted_axes(perm.clone());
    let data = match v.as_slice() {
        Some(xs) => order::copied(xs),
        None => v.iter().copied().collect(),
    };
    (data, perm)
}

/// Puts data laid out as [`lanes_last`] made it (for an array of shape
/// `dim`) back into the original axis order, in standard layout.
fn restore<T: Clone, D: Dimension>(data: Vec<T>, dim: &D, perm: &D) -> Array<T, D> {
    let mut permuted_dim = dim.clone();
    let mut inverse = perm.clone();
    for (pos, &ax) in perm.slice().iter().enumerate() {
        permuted_dim[pos] = dim[ax];
        inverse[ax] = pos;
    }
    let back = Array::from_shape_vec(permuted_dim, data)
        .expect("one value per element")
        .permuted_axes(inverse);
    if back.is_standard_layout() {
        back
    } else {
        back.as_standard_layout().into_owned()
    }
}

fn sorted<A: Scalar, D: Dimension>(a: &ArrayRef<A, D>, axis: Axis, kind: SortKind) -> Array<A, D> {
    let (mut data, perm) = lanes_last(a, axis);
    order::sort_lanes(&mut data, a.len_of(axis), kind);
    restore(data, &a.raw_dim(), &perm)
}

fn sort_inplace<A: Scalar, D: Dimension>(a: &mut ArrayRef<A, D>, axis: Axis, kind: SortKind) {
    let n = a.len_of(axis);
    if axis.index() + 1 == a.ndim()
        && let Some(data) = a.as_slice_mut()
    {
        order::sort_lanes(data, n, kind);
        return;
    }
    let s = sorted(a, axis, kind);
    a.assign(&s);
}

impl<A, D: Dimension> ParSort<A, D> for ArrayRef<A, D> {
    fn par_sort(&self, axis: Axis) -> Array<A, D>
    where
        A: Scalar,
    {
        check::axis("par_sort", axis, self.ndim());
        sorted(self, axis, SortKind::Stable)
    }

    fn par_sort_unstable(&self, axis: Axis) -> Array<A, D>
    where
        A: Scalar,
    {
        check::axis("par_sort_unstable", axis, self.ndim());
        sorted(self, axis, SortKind::Unstable)
    }

    fn par_argsort(&self, axis: Axis) -> Array<usize, D>
    where
        A: Scalar,
    {
        check::axis("par_argsort", axis, self.ndim());
        let (data, perm) = lanes_last(self, axis);
        let mut out = vec![0usize; data.len()];
        order::argsort_lanes(&data, self.len_of(axis), &mut out);
        restore(out, &self.raw_dim(), &perm)
    }

    fn par_sort_inplace(&mut self, axis: Axis)
    where
        A: Scalar,
    {
        check::axis("par_sort_inplace", axis, self.ndim());
        sort_inplace(self, axis, SortKind::Stable);
    }

    fn par_sort_unstable_inplace(&mut self, axis: Axis)
    where
        A: Scalar,
    {
        check::axis("par_sort_unstable_inplace", axis, self.ndim());
        sort_inplace(self, axis, SortKind::Unstable);
    }

    fn par_partition(&self, kth: &[isize], axis: Axis) -> Array<A, D>
    where
        A: Scalar,
    {
        check::axis("par_partition", axis, self.ndim());
        let n = self.len_of(axis);
        let ks = ranks("par_partition", kth, n);
        // Long lanes that lie back to back in memory (a contiguous 1-D
        // array, or the last axis of a C-order one) are partitioned
        // straight into the result, without a working copy.
        if axis.index() + 1 == self.ndim()
            && order::is_long_select(n)
            && !ks.is_empty()
            && let Some(src) = self.as_slice()
        {
            // The partition writes every element of `out`.
            let mut out = scratch(src.len());
            for (s, o) in src.chunks(n).zip(out.chunks_mut(n)) {
                order::partition_into(s, o, &ks, |x: &A| *x);
            }
            return Array::from_shape_vec(self.raw_dim(), out).expect("one value per element");
        }
        let (mut data, perm) = lanes_last(self, axis);
        order::partition_lanes(&mut data, n, &ks, |x: &A| *x);
        restore(data, &self.raw_dim(), &perm)
    }

    fn par_argpartition(&self, kth: &[isize], axis: Axis) -> Array<usize, D>
    where
        A: Scalar,
    {
        check::axis("par_argpartition", axis, self.ndim());
        let n = self.len_of(axis);
        let ks = ranks("par_argpartition", kth, n);
        let (data, perm) = lanes_last(self, axis);
        let mut pairs: Vec<(A, usize)> = data.into_iter().zip((0..n.max(1)).cycle()).collect();
        order::partition_lanes(&mut pairs, n, &ks, |p: &(A, usize)| p.0);
        let out = pairs.into_iter().map(|(_, i)| i).collect();
        restore(out, &self.raw_dim(), &perm)
    }
}
