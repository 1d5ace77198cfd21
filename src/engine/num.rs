//! How each element type sums and multiplies, with numpy's result types.
//!
//! numpy sums and multiplies small integers in the platform integer: the
//! sum or product of an `int8`, `int16`, `int32` or `int64` array is an
//! `int64`, of the unsigned types a `uint64`, and the mean or variance of
//! any integer array a `float64`. ndpar follows that table ([`Arith::Sum`],
//! [`Arith::Mean`]) and goes one step further where numpy wraps silently:
//! integers are accumulated exactly (in 64-bit lanes for types of up to
//! 32 bits, in 128 bits otherwise), and a result that does not fit its
//! type is a panic naming the method, never a wrapped value. Because the accumulation is exact, whether a
//! result fits does not depend on how the work was split. Floats keep
//! their own arithmetic (pairwise sums, in their own type). Means and
//! variances of integers are those of the elements converted to `f64`,
//! as numpy's.
//!
//! | element | sum, product, cumsum, cumprod | mean, var, std |
//! |---|---|---|
//! | `f32`, `f64` | the same type | the same type |
//! | `i8` … `i64`, `isize` | `i64` | `f64` |
//! | `u8` … `u64`, `usize` | `u64` | `f64` |
//! | `i128`, `u128` | the same type | `f64` |

use std::fmt::Debug;

use ndarray::{Array, ArrayView, Dimension};

use super::seq;
use crate::element::Float;

/// numpy's result types of the sums, products and means of one element
/// type (the table is in the [`element`](crate::element) docs), and how
/// ndpar accumulates them exactly.
///
/// Implemented for every [`Scalar`](crate::element::Scalar); its methods
/// are implementation details.
///
/// ```
/// use ndpar::prelude::*;
/// use ndpar::element::Scalar;
/// use ndarray::Array1;
///
/// // `Scalar` has `Arith` as a supertrait: its types name the results.
/// fn mean_and_total<A: Scalar>(a: &Array1<A>) -> (Option<A::Mean>, A::Sum) {
///     (a.par_mean(), a.par_sum())
/// }
/// assert_eq!(mean_and_total(&Array1::from(vec![1i8, 2])), (Some(1.5), 3i64));
/// assert_eq!(mean_and_total(&Array1::from(vec![1.0f32, 2.0])), (Some(1.5), 3.0f32));
/// ```
pub trait Arith: Copy + Send + Sync + Debug + 'static {
    /// numpy's result type of a sum, product, `cumsum` or `cumprod`.
    type Sum: crate::element::Scalar + Arith<Sum = Self::Sum>;
    /// numpy's result type of a mean, variance or standard deviation.
    type Mean: Float;
    #[doc(hidden)]
    /// A partial sum: exact for integers.
    type SumAcc: Copy + Send + Sync + Debug + 'static;
    #[doc(hidden)]
    /// A partial product: exact for integers, or known to overflow.
    type ProdAcc: Copy + Send + Sync + Debug + 'static;
    #[doc(hidden)]
    /// The type cumulative sums and products run in before they are
    /// narrowed to [`Sum`](Arith::Sum): 128 bits for integers.
    type Wide: crate::element::Scalar;

    #[doc(hidden)]
    /// The sum of a run, pairwise for floats.
    fn sum_run(xs: &[Self]) -> Self::SumAcc;
    #[doc(hidden)]
    /// The empty sum.
    fn sum_zero() -> Self::SumAcc;
    #[doc(hidden)]
    /// The sum of one element (a column's first, in a block of rows).
    fn sum_single(x: Self) -> Self::SumAcc;
    #[doc(hidden)]
    /// The sum of two parts.
    fn sum_merge(a: Self::SumAcc, b: Self::SumAcc) -> Self::SumAcc;
    #[doc(hidden)]
    /// The result, or `None` when it does not fit [`Sum`](Arith::Sum).
    fn sum_finish(acc: Self::SumAcc) -> Option<Self::Sum>;

    #[doc(hidden)]
    /// The product of a run.
    fn prod_run(xs: &[Self]) -> Self::ProdAcc;
    #[doc(hidden)]
    /// The empty product.
    fn prod_one() -> Self::ProdAcc;
    #[doc(hidden)]
    /// The product of one element.
    fn prod_single(x: Self) -> Self::ProdAcc;
    #[doc(hidden)]
    /// The product of two parts.
    fn prod_merge(a: Self::ProdAcc, b: Self::ProdAcc) -> Self::ProdAcc;
    #[doc(hidden)]
    /// The result, or `None` when it does not fit [`Sum`](Arith::Sum).
    fn prod_finish(acc: Self::ProdAcc) -> Option<Self::Sum>;

    #[doc(hidden)]
    /// The element as [`Mean`](Arith::Mean) (for variances of integers).
    fn to_mean(self) -> Self::Mean;
    #[doc(hidden)]
    /// The run itself when it already holds [`Mean`](Arith::Mean)s
    /// (floats); `None` when it must be converted.
    fn as_means(xs: &[Self]) -> Option<&[Self::Mean]>;
    #[doc(hidden)]
    /// The rows themselves when they already hold means (floats).
    fn rows_as_means<'a, 'b>(rows: &'a [&'b [Self]]) -> Option<&'a [&'b [Self::Mean]]>;

    #[doc(hidden)]
    /// The element in the type of scans.
    fn widen(self) -> Self::Wide;
    #[doc(hidden)]
    /// A sum of scans (checked where 128 bits could overflow).
    fn wide_add(a: Self::Wide, b: Self::Wide) -> Self::Wide;
    #[doc(hidden)]
    /// A product of scans: for integers, a product that overflows 128 bits
    /// becomes a marker that stays (a zero still wins), so the operation
    /// is associative and the overflow is seen when narrowing.
    fn wide_mul(a: Self::Wide, b: Self::Wide) -> Self::Wide;
    #[doc(hidden)]
    /// A scan's value as [`Sum`](Arith::Sum), or `None` when it does not
    /// fit.
    fn narrow(w: Self::Wide) -> Option<Self::Sum>;
    #[doc(hidden)]
    /// `a` itself when scans run in the element type (floats): no copy.
    fn scans_in_place<D: Dimension>(
        a: ArrayView<'_, Self, D>,
    ) -> Option<ArrayView<'_, Self::Wide, D>>;
    #[doc(hidden)]
    /// A scan's result as an array of [`Sum`](Arith::Sum), or the first
    /// value that does not fit.
    fn narrow_array<D: Dimension>(
        a: Array<Self::Wide, D>,
    ) -> Result<Array<Self::Sum, D>, Self::Wide>;
}

/// A partial product of integers that knows whether it met a zero (then it
/// is zero, whatever else) and whether it overflowed its 128 bits. Without
/// a zero, every factor has magnitude at least 1, so once a partial
/// product overflows so does the whole: the verdict is the same for any
/// grouping.
#[derive(Clone, Copy, Debug)]
pub struct IntProd<W> {
    pub(crate) zero: bool,
    pub(crate) over: bool,
    pub(crate) value: W,
}

/// A 128-bit sum that counts its wraps, so that it stays exact (for
/// sums of 128-bit integers, which can wrap).
#[derive(Clone, Copy, Debug)]
pub struct Carried<W> {
    pub(crate) value: W,
    pub(crate) carry: i64,
}

macro_rules! float_arith {
    ($($t:ty),*) => {$(
        impl Arith for $t {
            type Sum = $t;
            type Mean = $t;
            type SumAcc = $t;
            type ProdAcc = $t;
            type Wide = $t;

            #[inline]
            fn sum_run(xs: &[$t]) -> $t { seq::pairwise(xs, 0.0, |x| x, |a, b| a + b) }
            #[inline(always)]
            fn sum_zero() -> $t { 0.0 }
            #[inline(always)]
            fn sum_single(x: $t) -> $t { x }
            #[inline(always)]
            fn sum_merge(a: $t, b: $t) -> $t { a + b }
            #[inline(always)]
            fn sum_finish(acc: $t) -> Option<$t> { Some(acc) }

            #[inline]
            fn prod_run(xs: &[$t]) -> $t { seq::pairwise(xs, 1.0, |x| x, |a, b| a * b) }
            #[inline(always)]
            fn prod_one() -> $t { 1.0 }
            #[inline(always)]
            fn prod_single(x: $t) -> $t { x }
            #[inline(always)]
            fn prod_merge(a: $t, b: $t) -> $t { a * b }
            #[inline(always)]
            fn prod_finish(acc: $t) -> Option<$t> { Some(acc) }

            #[inline(always)]
            fn to_mean(self) -> $t { self }
            #[inline(always)]
            fn as_means(xs: &[$t]) -> Option<&[$t]> { Some(xs) }
            #[inline(always)]
            fn rows_as_means<'a, 'b>(rows: &'a [&'b [$t]]) -> Option<&'a [&'b [$t]]> { Some(rows) }

            #[inline(always)]
            fn widen(self) -> $t { self }
            #[inline(always)]
            fn wide_add(a: $t, b: $t) -> $t { a + b }
            #[inline(always)]
            fn wide_mul(a: $t, b: $t) -> $t { a * b }
            #[inline(always)]
            fn narrow(w: $t) -> Option<$t> { Some(w) }
            fn scans_in_place<D: Dimension>(a: ArrayView<'_, $t, D>) -> Option<ArrayView<'_, $t, D>> {
                Some(a)
            }
            fn narrow_array<D: Dimension>(a: Array<$t, D>) -> Result<Array<$t, D>, $t> { Ok(a) }
        }
    )*};
}
float_arith!(f32, f64);

/// Elements summed per 64-bit partial sum of a run of narrow integers
/// (8 to 32 bits): few enough that no partial sum can overflow 64 bits,
/// many enough that the vectorised 64-bit loop does the work.
const NARROW_RUN: usize = 1 << 20;

/// What every integer type shares: products, scans and narrowing. `$sum`
/// is numpy's result type, `$wide` the 128-bit type of products and scans,
/// `$acc` the partial sum.
macro_rules! int_arith {
    ($t:ty, $sum:ty, $wide:ty, $acc:ty,
     run: $run:expr, add: $add:expr, merge: $merge:expr, finish: $finish:expr,
     wide_add: $wide_add:expr) => {
        impl Arith for $t {
            type Sum = $sum;
            type Mean = f64;
            type SumAcc = $acc;
            type ProdAcc = IntProd<$wide>;
            type Wide = $wide;

            #[inline]
            fn sum_run(xs: &[$t]) -> $acc {
                ($run)(xs)
            }
            #[inline(always)]
            fn sum_zero() -> $acc {
                ($run)(&[])
            }
            #[inline(always)]
            fn sum_single(x: $t) -> $acc {
                ($add)(($run)(&[]), x)
            }
            #[inline(always)]
            fn sum_merge(a: $acc, b: $acc) -> $acc {
                ($merge)(a, b)
            }
            #[inline(always)]
            fn sum_finish(acc: $acc) -> Option<$sum> {
                ($finish)(acc)
            }

            #[inline]
            fn prod_run(xs: &[$t]) -> IntProd<$wide> {
                xs.iter().fold(Self::prod_one(), |acc, &x| {
                    Self::prod_merge(acc, Self::prod_single(x))
                })
            }
            #[inline(always)]
            fn prod_one() -> IntProd<$wide> {
                IntProd {
                    zero: false,
                    over: false,
                    value: 1,
                }
            }
            #[inline(always)]
            #[allow(clippy::unnecessary_cast)]
            fn prod_single(x: $t) -> IntProd<$wide> {
                IntProd {
                    zero: x == 0,
                    over: false,
                    value: x as $wide,
                }
            }
            #[inline(always)]
            fn prod_merge(a: IntProd<$wide>, b: IntProd<$wide>) -> IntProd<$wide> {
                let (value, over) = match a.value.checked_mul(b.value) {
                    Some(v) => (v, a.over || b.over),
                    None => (0, true),
                };
                IntProd {
                    zero: a.zero || b.zero,
                    over,
                    value,
                }
            }
            #[inline]
            fn prod_finish(acc: IntProd<$wide>) -> Option<$sum> {
                if acc.zero {
                    Some(0)
                } else if acc.over {
                    None
                } else {
                    <$sum>::try_from(acc.value).ok()
                }
            }

            #[inline(always)]
            #[allow(clippy::unnecessary_cast)]
            fn to_mean(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn as_means(_: &[$t]) -> Option<&[f64]> {
                None
            }
            #[inline(always)]
            fn rows_as_means<'a, 'b>(_: &'a [&'b [$t]]) -> Option<&'a [&'b [f64]]> {
                None
            }

            #[inline(always)]
            #[allow(clippy::unnecessary_cast)]
            fn widen(self) -> $wide {
                self as $wide
            }
            #[inline(always)]
            fn wide_add(a: $wide, b: $wide) -> $wide {
                ($wide_add)(a, b)
            }
            #[inline(always)]
            fn wide_mul(a: $wide, b: $wide) -> $wide {
                const OVER: $wide = <$wide>::MAX;
                if a == 0 || b == 0 {
                    0
                } else if a == OVER || b == OVER {
                    OVER
                } else {
                    a.checked_mul(b).unwrap_or(OVER)
                }
            }
            #[inline(always)]
            fn narrow(w: $wide) -> Option<$sum> {
                <$sum>::try_from(w).ok()
            }
            fn scans_in_place<D: Dimension>(
                _: ArrayView<'_, $t, D>,
            ) -> Option<ArrayView<'_, $wide, D>> {
                None
            }
            fn narrow_array<D: Dimension>(a: Array<$wide, D>) -> Result<Array<$sum, D>, $wide> {
                if let Some(&bad) = a.iter().find(|&&w| Self::narrow(w).is_none()) {
                    return Err(bad);
                }
                Ok(a.mapv(|w| Self::narrow(w).expect("checked above")))
            }
        }
    };
}

/// Integers of up to 32 bits: runs summed in 64-bit lanes of numpy's
/// result type `$sum`, the runs' sums added in `$wide` (128 bits).
macro_rules! narrow_ints {
    ($sum:ty, $wide:ty: $($t:ty),*) => {$(
        int_arith!($t, $sum, $wide, $wide,
            run: |xs: &[$t]| xs
                .chunks(NARROW_RUN)
                .map(|c| <$wide>::from(seq::pairwise(c, 0, <$sum>::from, |a, b| a + b)))
                .sum::<$wide>(),
            add: |acc: $wide, x: $t| acc + <$wide>::from(x),
            merge: |a: $wide, b: $wide| a + b,
            finish: |acc: $wide| <$sum>::try_from(acc).ok(),
            wide_add: |a: $wide, b: $wide| a + b);
    )*};
}
narrow_ints!(i64, i128: i8, i16, i32);
narrow_ints!(u64, u128: u8, u16, u32);

/// 64-bit integers: every element widened to `$wide` (an exact 128-bit
/// sum of fewer than 2^64 of them cannot overflow).
macro_rules! wide_ints {
    ($sum:ty, $wide:ty: $($t:ty),*) => {$(
        int_arith!($t, $sum, $wide, $wide,
            run: |xs: &[$t]| xs.iter().map(|&x| x as $wide).sum::<$wide>(),
            add: |acc: $wide, x: $t| acc + x as $wide,
            merge: |a: $wide, b: $wide| a + b,
            finish: |acc: $wide| <$sum>::try_from(acc).ok(),
            wide_add: |a: $wide, b: $wide| a + b);
    )*};
}
wide_ints!(i64, i128: i64, isize);
wide_ints!(u64, u128: u64, usize);

// 128-bit integers: sums count their wraps (exact, so the verdict does not
// depend on the split); scans add with a check (a block total that wraps,
// in data within a factor of two of the type's limits, is reported as an
// overflow even if every running sum fits).
int_arith!(i128, i128, i128, Carried<i128>,
    run: |xs: &[i128]| xs.iter().fold(Carried { value: 0i128, carry: 0 }, |acc, &x| carried_add(acc, x)),
    add: carried_add,
    merge: |a: Carried<i128>, b: Carried<i128>| {
        let c = carried_add(a, b.value);
        Carried { value: c.value, carry: c.carry + b.carry }
    },
    finish: |acc: Carried<i128>| (acc.carry == 0).then_some(acc.value),
    wide_add: |a: i128, b: i128| a.checked_add(b).expect("a cumulative sum overflows i128"));
int_arith!(u128, u128, u128, Carried<u128>,
    run: |xs: &[u128]| xs.iter().fold(Carried { value: 0u128, carry: 0 }, |acc, &x| carried_add_unsigned(acc, x)),
    add: carried_add_unsigned,
    merge: |a: Carried<u128>, b: Carried<u128>| {
        let c = carried_add_unsigned(a, b.value);
        Carried { value: c.value, carry: c.carry + b.carry }
    },
    finish: |acc: Carried<u128>| (acc.carry == 0).then_some(acc.value),
    wide_add: |a: u128, b: u128| a.checked_add(b).expect("a cumulative sum overflows u128"));

/// `acc + x`, counting a wrap (up for a positive `x`, down for a negative).
#[inline(always)]
fn carried_add(acc: Carried<i128>, x: i128) -> Carried<i128> {
    let (value, wrapped) = acc.value.overflowing_add(x);
    let step = if !wrapped {
        0
    } else if x > 0 {
        1
    } else {
        -1
    };
    Carried {
        value,
        carry: acc.carry + step,
    }
}

/// `acc + x` for unsigned values, counting a wrap.
#[inline(always)]
fn carried_add_unsigned(acc: Carried<u128>, x: u128) -> Carried<u128> {
    let (value, wrapped) = acc.value.overflowing_add(x);
    Carried {
        value,
        carry: acc.carry + i64::from(wrapped),
    }
}

/// The sum of nothing in `A`'s result type (0).
pub(crate) fn empty_sum<A: Arith>() -> A::Sum {
    A::sum_finish(A::sum_zero()).expect("zero fits every type")
}

/// The product of nothing in `A`'s result type (1).
pub(crate) fn empty_product<A: Arith>() -> A::Sum {
    A::prod_finish(A::prod_one()).expect("one fits every type")
}

/// The panic of a sum or product whose exact value does not fit numpy's
/// result type `S` (where numpy would return it wrapped).
#[cold]
#[inline(never)]
pub(crate) fn overflow<S>(method: &str) -> ! {
    panic!(
        "{method}: the exact result does not fit in {} (numpy would return it wrapped around)",
        std::any::type_name::<S>()
    )
}
