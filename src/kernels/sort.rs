//! Parallel sorting along an axis: [`ParSort`].
//!
//! numpy's conventions: floats sort with every NaN last and `-0.0` equal to
//! `0.0`; `par_sort` and `par_argsort` are stable (numpy's
//! `kind='stable'`), so equal keys keep their order; every lane along the
//! axis is sorted on its own. Lanes are sorted in parallel, and a lane long
//! enough to be worth it (at least [`PAR_LANE_LEN`] elements, as a whole
//! 1-D array is) is sorted by rayon's parallel sorts. Which sort a lane
//! gets depends on its length only, and both sorts are deterministic, so
//! the result is the same on any number of threads — also the order of
//! `-0.0` and `0.0`, or of NaNs, after an unstable sort.
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

use std::cmp::Ordering;

use ndarray::{Array, ArrayRef, Axis, Dimension};
use rayon::prelude::*;

use crate::check;
use crate::element::Scalar;
use crate::params::Params;

/// Lanes at least this long are sorted with rayon's parallel sorts (a
/// parallel merge sort, or a parallel pattern-defeating quicksort); shorter
/// lanes with the standard library's sorts, many lanes at once.
pub const PAR_LANE_LEN: usize = 1 << 14;

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
}

/// Which sort.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Stable,
    Unstable,
}

#[inline(always)]
fn cmp<A: Scalar>(a: &A, b: &A) -> Ordering {
    a.sort_key().cmp(&b.sort_key())
}

/// Sorts each of the lanes of `n` elements that `data` holds back to back.
fn sort_lanes<A: Scalar>(data: &mut [A], n: usize, kind: Kind) {
    if n <= 1 {
        return;
    }
    if n >= PAR_LANE_LEN {
        for lane in data.chunks_mut(n) {
            match kind {
                Kind::Stable => lane.par_sort_by(cmp),
                Kind::Unstable => lane.par_sort_unstable_by(cmp),
            }
        }
        return;
    }
    let sort = |lane: &mut [A]| match kind {
        Kind::Stable => lane.sort_by(cmp),
        Kind::Unstable => lane.sort_unstable_by(cmp),
    };
    if data.len() >= Params::current().min_parallel_len {
        data.par_chunks_mut(n).for_each(sort);
    } else {
        data.chunks_mut(n).for_each(sort);
    }
}

/// Stable argsort of each lane of `n` values in `data` into `out`: pairs
/// (value, index) sorted by value, then index, which is stable and lets
/// the faster unstable sorts do the work.
fn argsort_lanes<A: Scalar>(data: &[A], n: usize, out: &mut [usize]) {
    if n == 0 {
        return;
    }
    let one = |(lane, idx): (&[A], &mut [usize])| {
        let mut pairs: Vec<(A, usize)> = lane.iter().copied().zip(0..).collect();
        let by = |a: &(A, usize), b: &(A, usize)| cmp(&a.0, &b.0).then(a.1.cmp(&b.1));
        if n >= PAR_LANE_LEN {
            pairs.par_sort_unstable_by(by);
        } else {
            pairs.sort_unstable_by(by);
        }
        for (o, (_, i)) in idx.iter_mut().zip(pairs) {
            *o = i;
        }
    };
    if n < PAR_LANE_LEN && data.len() >= Params::current().min_parallel_len {
        data.par_chunks(n).zip(out.par_chunks_mut(n)).for_each(one);
    } else {
        data.chunks(n).zip(out.chunks_mut(n)).for_each(one);
    }
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
fn lanes_last<A: Clone, D: Dimension>(a: &ArrayRef<A, D>, axis: Axis) -> (Vec<A>, D) {
    let perm = axis_last::<D>(a.ndim(), axis);
    let v = a.view().permuted_axes(perm.clone());
    let data = match v.as_slice() {
        Some(xs) => xs.to_vec(),
        None => v.iter().cloned().collect(),
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

fn sorted<A: Scalar, D: Dimension>(a: &ArrayRef<A, D>, axis: Axis, kind: Kind) -> Array<A, D> {
    let (mut data, perm) = lanes_last(a, axis);
    sort_lanes(&mut data, a.len_of(axis), kind);
    restore(data, &a.raw_dim(), &perm)
}

fn sort_inplace<A: Scalar, D: Dimension>(a: &mut ArrayRef<A, D>, axis: Axis, kind: Kind) {
    let n = a.len_of(axis);
    if axis.index() + 1 == a.ndim() {
        if let Some(data) = a.as_slice_mut() {
            sort_lanes(data, n, kind);
            return;
        }
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
        sorted(self, axis, Kind::Stable)
    }

    fn par_sort_unstable(&self, axis: Axis) -> Array<A, D>
    where
        A: Scalar,
    {
        check::axis("par_sort_unstable", axis, self.ndim());
        sorted(self, axis, Kind::Unstable)
    }

    fn par_argsort(&self, axis: Axis) -> Array<usize, D>
    where
        A: Scalar,
    {
        check::axis("par_argsort", axis, self.ndim());
        let (data, perm) = lanes_last(self, axis);
        let mut out = vec![0usize; data.len()];
        argsort_lanes(&data, self.len_of(axis), &mut out);
        restore(out, &self.raw_dim(), &perm)
    }

    fn par_sort_inplace(&mut self, axis: Axis)
    where
        A: Scalar,
    {
        check::axis("par_sort_inplace", axis, self.ndim());
        sort_inplace(self, axis, Kind::Stable);
    }

    fn par_sort_unstable_inplace(&mut self, axis: Axis)
    where
        A: Scalar,
    {
        check::axis("par_sort_unstable_inplace", axis, self.ndim());
        sort_inplace(self, axis, Kind::Unstable);
    }
}
