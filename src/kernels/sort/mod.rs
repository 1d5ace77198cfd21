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

use std::cmp::Ordering;

use ndarray::{Array, ArrayRef, Axis, Dimension};
use rayon::prelude::*;

use crate::check;
use crate::element::Scalar;
use crate::params::Params;

mod partition;
pub use partition::PAR_SELECT_LEN;
mod radix;
mod scatter;

/// Lanes at least this long are sorted in parallel themselves (floats by
/// the radix sort, integers by rayon's parallel sorts); shorter lanes with
/// the standard library's sorts, many lanes at once.
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
                // The radix sort is stable: it serves both kinds.
                _ if A::RADIX => radix_sort_lane(lane),
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

/// The radix key of `-0.0` for a float type (just below `0.0`'s); `None`
/// for integers.
fn negative_zero_key<A: Scalar>() -> Option<u64> {
    let below = A::scalar_zero().radix_key().wrapping_sub(1);
    (A::from_radix_key(below) == A::scalar_zero()).then_some(below)
}

/// Sorts one long lane stably with the radix sort: NaNs are taken out and
/// put back last in their order; `-0.0` and `0.0`, which the keys tell
/// apart, are put back in their input order.
fn radix_sort_lane<A: Scalar>(lane: &mut [A]) {
    let nan_count = lane.par_iter().filter(|x| x.scalar_is_nan()).count();
    let (nans, mut keys): (Vec<A>, Vec<u64>) = if nan_count == 0 {
        (Vec::new(), lane.par_iter().map(|x| x.radix_key()).collect())
    } else {
        let is_nan = |x: &&A| x.scalar_is_nan();
        let not_nan = |x: &&A| !x.scalar_is_nan();
        (
            lane.par_iter().filter(is_nan).copied().collect(),
            lane.par_iter()
                .filter(not_nan)
                .map(|x| x.radix_key())
                .collect(),
        )
    };
    // Zeros of both signs, in input order, when there is a -0.0.
    let zeros: Option<(u64, Vec<u64>)> = negative_zero_key::<A>()
        .filter(|&neg| keys.par_iter().any(|&k| k == neg))
        .map(|neg| {
            let run = keys
                .par_iter()
                .copied()
                .filter(|&k| k == neg || k == neg + 1);
            (neg, run.collect())
        });
    radix::sort_by_key(&mut keys, |&k| k);
    if let Some((neg, run)) = zeros {
        let start = keys.partition_point(|&k| k < neg);
        keys[start..start + run.len()].copy_from_slice(&run);
    }
    let (body, tail) = lane.split_at_mut(keys.len());
    body.par_iter_mut()
        .zip(keys.par_iter())
        .for_each(|(x, &k)| *x = A::from_radix_key(k));
    tail.copy_from_slice(&nans);
}

/// Stable argsort of one long lane with the radix sort (see
/// [`radix_sort_lane`]): equal keys, and `-0.0` with `0.0`, in index order.
fn radix_argsort_lane<A: Scalar>(lane: &[A], out: &mut [usize]) {
    let mut pairs: Vec<(u64, usize)> = lane
        .par_iter()
        .enumerate()
        .filter(|(_, x)| !x.scalar_is_nan())
        .map(|(i, x)| (x.radix_key(), i))
        .collect();
    let nans: Vec<usize> = lane
        .par_iter()
        .enumerate()
        .filter(|(_, x)| x.scalar_is_nan())
        .map(|(i, _)| i)
        .collect();
    radix::sort_by_key(&mut pairs, |p| p.0);
    if let Some(neg) = negative_zero_key::<A>() {
        let lo = pairs.partition_point(|p| p.0 < neg);
        let hi = pairs.partition_point(|p| p.0 <= neg + 1);
        pairs[lo..hi].sort_unstable_by_key(|p| p.1);
    }
    let (body, tail) = out.split_at_mut(pairs.len());
    body.par_iter_mut()
        .zip(pairs.par_iter())
        .for_each(|(o, p)| *o = p.1);
    tail.copy_from_slice(&nans);
}

/// Stable argsort of each lane of `n` values in `data` into `out`: pairs
/// (value, index) sorted by value, then index, which is stable and lets
/// the faster unstable sorts do the work.
fn argsort_lanes<A: Scalar>(data: &[A], n: usize, out: &mut [usize]) {
    if n == 0 {
        return;
    }
    let one = |(lane, idx): (&[A], &mut [usize])| {
        if n >= PAR_LANE_LEN && A::RADIX {
            return radix_argsort_lane(lane, idx);
        }
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

/// Partitions each lane of `n` elements held back to back in `data` at
/// the ranks `ks`, comparing `key`s.
fn partition_lanes<T, A, K>(data: &mut [T], n: usize, ks: &[usize], key: K)
where
    T: Copy + Send + Sync,
    A: Scalar,
    K: Fn(&T) -> A + Sync,
{
    if n <= 1 || ks.is_empty() {
        return;
    }
    let one = |lane: &mut [T]| partition::select_all(lane, ks, &key);
    // Lanes that are not partitioned in parallel themselves go many at once.
    if !partition::is_long::<A>(n) && data.len() >= Params::current().min_parallel_len {
        data.par_chunks_mut(n).for_each(one);
    } else {
        data.chunks_mut(n).for_each(one);
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
        if axis.index() + 1 == self.ndim() && partition::is_long::<A>(n) && !ks.is_empty() {
            if let Some(src) = self.as_slice() {
                // Filled in parallel, so that the pages of a fresh buffer
                // are first touched (and mapped) by every thread.
                let mut out = Vec::with_capacity(src.len());
                out.par_extend(src.par_iter().copied());
                for (s, o) in src.chunks(n).zip(out.chunks_mut(n)) {
                    partition::partition_into(s, o, &ks, |x: &A| *x);
                }
                return Array::from_shape_vec(self.raw_dim(), out).expect("one value per element");
            }
        }
        let (mut data, perm) = lanes_last(self, axis);
        partition_lanes(&mut data, n, &ks, |x: &A| *x);
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
        partition_lanes(&mut pairs, n, &ks, |p: &(A, usize)| p.0);
        let out = pairs.into_iter().map(|(_, i)| i).collect();
        restore(out, &self.raw_dim(), &perm)
    }
}
