//! Parallel scans along an axis: [`ParScan`] (`par_cumsum`, `par_cumprod`).
//!
//! A scan is a running fold, inherently sequential, so it is split in two
//! passes over fixed blocks of the axis ("reduce, then scan"): first every
//! block's total (pairwise, like `par_sum` of the block), in parallel; then
//! the carries (the running fold of the totals, a short sequential loop);
//! then every block is scanned from its carry, in parallel. The blocks are
//! fixed by shape, layout and [`Params`](crate::Params), so the result is
//! bitwise the same on any number of threads. As for axis reductions, a
//! scan along the fast axis walks whole lanes, and a scan along a slow axis
//! streams rows into a running row of accumulators (row blocks take the
//! place of lane pieces).

use ndarray::{Array, ArrayRef, ArrayView, Axis, Dimension};

use crate::check;
use crate::element::Scalar;
use crate::engine::num::overflow;
use crate::engine::ops::Pairwise;
use crate::engine::scan::scan_into;
use crate::plan::Layout;

/// Parallel cumulative sums and products along an axis (numpy's `cumsum`
/// and `cumprod` with `axis=`), for arrays of any dimension and layout.
///
/// # Accuracy and determinism
///
/// Results have numpy's types: floats their own, integers `i64` or `u64`
/// (see [`element`](crate::element)). Integers are scanned exactly (in
/// 128 bits), and a running sum or product that does not fit the result
/// type panics instead of wrapping around as numpy's would.
///
/// Each block of the axis is scanned front to back, starting from a carry
/// that is the running fold of the previous blocks' totals. For integers
/// this is exact. For floats it rounds
/// like a sequential running sum within each block, while the carries add
/// the pairwise block totals in order; the result differs from a purely
/// sequential scan only by rounding (it is usually closer to the exact
/// value), and is the same on every thread count. An empty array gives an
/// empty array.
///
/// # Panics
///
/// If `axis` is out of bounds (the message names the method, the axis and
/// the number of dimensions), or if an integer result does not fit its
/// type.
pub trait ParScan<A, D: Dimension> {
    /// The cumulative sum along `axis`: `out[.., i, ..] = a[.., 0, ..] + … +
    /// a[.., i, ..]`. Same shape (and memory order) as the input.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Axis};
    ///
    /// let a = array![[1, 2, 3], [4, 5, 6]];
    /// assert_eq!(a.par_cumsum(Axis(1)), array![[1i64, 3, 6], [4, 9, 15]]);
    /// assert_eq!(a.par_cumsum(Axis(0)), array![[1i64, 2, 3], [5, 7, 9]]);
    /// // numpy: uint64, no wrapping at 255
    /// assert_eq!(array![200u8, 100].par_cumsum(Axis(0)), array![200u64, 300]);
    /// ```
    #[track_caller]
    fn par_cumsum(&self, axis: Axis) -> Array<A::Sum, D>
    where
        A: Scalar;

    /// The cumulative product along `axis`.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Axis};
    ///
    /// let a = array![1.0, 2.0, 3.0, 4.0];
    /// assert_eq!(a.par_cumprod(Axis(0)), array![1.0, 2.0, 6.0, 24.0]);
    /// ```
    #[track_caller]
    fn par_cumprod(&self, axis: Axis) -> Array<A::Sum, D>
    where
        A: Scalar;
}

impl<A, D: Dimension> ParScan<A, D> for ArrayRef<A, D> {
    fn par_cumsum(&self, axis: Axis) -> Array<A::Sum, D>
    where
        A: Scalar,
    {
        let sum = Pairwise {
            id: A::Wide::scalar_zero(),
            map: |x| x,
            op: A::wide_add,
        };
        cumulative("par_cumsum", self, axis, sum)
    }

    fn par_cumprod(&self, axis: Axis) -> Array<A::Sum, D>
    where
        A: Scalar,
    {
        let product = Pairwise {
            id: A::Wide::scalar_one(),
            map: |x| x,
            op: A::wide_mul,
        };
        cumulative("par_cumprod", self, axis, product)
    }
}

/// The scan of `a` along `axis` with the operation of `totals` in
/// numpy's result type: floats in place, integers widened to 128 bits
/// first and narrowed after.
#[track_caller]
fn cumulative<A, D, M, F>(
    method: &str,
    a: &ArrayRef<A, D>,
    axis: Axis,
    totals: Pairwise<A::Wide, M, F>,
) -> Array<A::Sum, D>
where
    A: Scalar,
    D: Dimension,
    M: Fn(A::Wide) -> A::Wide + Sync + Copy,
    F: Fn(A::Wide, A::Wide) -> A::Wide + Sync + Copy,
{
    check::axis(method, axis, a.ndim());
    let scanned = match A::scans_in_place(a.view()) {
        Some(v) => scan(v, axis, totals),
        None => scan(a.map(|&x| x.widen()).view(), axis, totals),
    };
    A::narrow_array(scanned).unwrap_or_else(|_| overflow::<A::Sum>(method))
}

/// The scan of `a` along `axis` with the operation of `totals`, in a new
/// array of `a`'s memory order.
fn scan<A, D, M, F>(a: ArrayView<'_, A, D>, axis: Axis, totals: Pairwise<A, M, F>) -> Array<A, D>
where
    A: Scalar,
    D: Dimension,
    M: Fn(A) -> A + Sync + Copy,
    F: Fn(A, A) -> A + Sync + Copy,
{
    let v = a.into_dyn();
    // Zeroed memory comes from the allocator's zero pages (no pass over it);
    // the scan overwrites every element.
    let mut out =
        Layout::new(v.shape(), v.strides(), &[])
            .array_from_traversal(vec![A::scalar_zero(); v.len()]);
    scan_into(v, out.view_mut(), axis, totals.op, &totals);
    out.into_dimensionality::<D>().expect("same number of axes")
}
