//! Element types that the named kernels accept.
//!
//! The generic kernels ([`par_map`](crate::ParMap::par_map),
//! [`par_fold`](crate::ParReduce::par_fold), …) take any element type. The named
//! numeric kernels need arithmetic whose behaviour ndpar can document and keep
//! deterministic, so they are bounded by two sealed traits:
//!
//! * [`Scalar`]: `f32`, `f64` and every primitive integer. Enough for
//!   `par_sum`, `par_product`, `par_min`, `par_max`, `par_argmin`,
//!   `par_argmax` and `par_vdot`.
//! * [`Float`]: `f32` and `f64`. Needed for means, variances, norms and the
//!   NaN-skipping reductions.
//!
//! # Integer overflow
//!
//! Integer sums, products and dot products use *wrapping* arithmetic in debug
//! and release builds alike: the result is the exact value modulo 2^bits. This
//! is deliberate. Wrapping addition and multiplication are associative, so the
//! result never depends on how the work was split, while a checked (panicking)
//! sum could overflow in one grouping and not in another. Widen the element
//! type first (`a.mapv(i64::from)`) if the exact value may not fit.
//!
//! ```
//! use ndpar::prelude::*;
//! use ndarray::Array1;
//!
//! let bytes = Array1::from(vec![200u8, 100]);
//! assert_eq!(bytes.par_sum(), 44); // 300 mod 256
//! assert_eq!(bytes.mapv(u32::from).par_sum(), 300); // widened first
//! ```

use std::fmt::Debug;

mod sealed {
    pub trait Sealed {}
}

/// A number the named reductions can work with: `f32`, `f64` or a primitive
/// integer.
///
/// The trait is sealed; its methods are implementation details.
///
/// ```
/// use ndpar::prelude::*;
/// use ndpar::element::Scalar;
/// use ndarray::Array1;
///
/// fn total<A: Scalar>(a: &Array1<A>) -> A {
///     a.par_sum()
/// }
/// assert_eq!(total(&Array1::from(vec![1u8, 2, 3])), 6);
/// assert_eq!(total(&Array1::from(vec![0.5f32, 0.25])), 0.75);
/// ```
pub trait Scalar: Copy + Send + Sync + PartialOrd + Debug + 'static + sealed::Sealed {
    /// The additive identity.
    #[doc(hidden)]
    fn scalar_zero() -> Self;
    /// The multiplicative identity.
    #[doc(hidden)]
    fn scalar_one() -> Self;
    /// Addition; wrapping for integers.
    #[doc(hidden)]
    fn scalar_add(self, rhs: Self) -> Self;
    /// Multiplication; wrapping for integers.
    #[doc(hidden)]
    fn scalar_mul(self, rhs: Self) -> Self;
    /// `true` only for a floating-point NaN.
    #[doc(hidden)]
    fn scalar_is_nan(self) -> bool;
    /// `false` only for a floating-point NaN or infinity.
    #[doc(hidden)]
    fn scalar_is_finite(self) -> bool;
    /// A key whose integer order is numpy's sort order: the natural order,
    /// with every NaN after every number (NaNs equal to each other) and
    /// `-0.0` equal to `0.0`. Branch-free, so comparisons stay cheap.
    #[doc(hidden)]
    type SortKey: Ord + Copy + Send + Sync;
    /// See [`Scalar::SortKey`].
    #[doc(hidden)]
    fn sort_key(self) -> Self::SortKey;
    /// Whether long lanes are radix-sorted: true for floats, whose numpy
    /// order costs a key computation per comparison; integers compare in
    /// one instruction, and rayon's comparison sorts are faster on them.
    #[doc(hidden)]
    const RADIX: bool;
    /// A 64-bit key whose unsigned order is the value's order, one key per
    /// value (for types of at most 64 bits): signed integers with their sign bit flipped; floats in IEEE
    /// total order (−NaN < −inf < … < −0.0 < 0.0 < … < inf < NaN), so a
    /// radix sort takes NaNs out first and puts zeros back in their order.
    #[doc(hidden)]
    fn radix_key(self) -> u64;
    /// The value of a [`radix_key`](Scalar::radix_key).
    #[doc(hidden)]
    fn from_radix_key(key: u64) -> Self;
}

/// A floating-point element: `f32` or `f64`.
///
/// The trait is sealed; it adds to [`num_traits::Float`] only what ndpar needs
/// internally.
///
/// ```
/// use ndpar::prelude::*;
/// use ndpar::element::Float;
/// use ndarray::Array1;
///
/// fn spread<A: Float>(a: &Array1<A>) -> Option<A> {
///     a.par_std(A::zero())
/// }
/// assert_eq!(spread(&Array1::from(vec![1.0f64, 3.0])), Some(1.0));
/// ```
pub trait Float: Scalar + num_traits::Float + ndarray::LinalgScalar + sealed::Sealed {
    /// `n` converted to this type (rounded for huge `n`).
    #[doc(hidden)]
    fn from_count(n: usize) -> Self;
    /// Truncated to an index, saturating: NaN and negative values give 0,
    /// values of 2^63 and more give 2^63 − 1.
    #[doc(hidden)]
    fn to_index(self) -> usize;
    /// Whether this type is narrower than f64: exact results are then
    /// rounded to f64 *to odd*, which makes the second rounding to this
    /// type correct.
    #[doc(hidden)]
    const NARROWER_THAN_F64: bool;
    /// Converted to f64 (exactly: both types widen without loss).
    #[doc(hidden)]
    fn to_f64_exact(self) -> f64;
    /// From f64, rounded to nearest (ties to even).
    #[doc(hidden)]
    fn from_f64_nearest(x: f64) -> Self;
}

macro_rules! impl_int {
    ($($t:ty)*) => {$(
        impl sealed::Sealed for $t {}
        impl Scalar for $t {
            #[inline(always)]
            fn scalar_zero() -> Self { 0 }
            #[inline(always)]
            fn scalar_one() -> Self { 1 }
            #[inline(always)]
            fn scalar_add(self, rhs: Self) -> Self { self.wrapping_add(rhs) }
            #[inline(always)]
            fn scalar_mul(self, rhs: Self) -> Self { self.wrapping_mul(rhs) }
            #[inline(always)]
            fn scalar_is_nan(self) -> bool { false }
            #[inline(always)]
            fn scalar_is_finite(self) -> bool { true }
            type SortKey = $t;
            #[inline(always)]
            fn sort_key(self) -> $t { self }
            const RADIX: bool = false;
            #[inline(always)]
            #[allow(clippy::unnecessary_cast, clippy::cast_lossless)]
            fn radix_key(self) -> u64 {
                // Two's complement with the sign bit flipped orders signed
                // values as unsigned (`MIN` becomes 0); unsigned types
                // have `MIN` = 0 and nothing to flip.
                ((self ^ <$t>::MIN) as u64) & (u64::MAX >> (64 - 8 * size_of::<$t>().min(8)))
            }
            #[inline(always)]
            #[allow(clippy::unnecessary_cast)]
            fn from_radix_key(key: u64) -> Self { (key as $t) ^ <$t>::MIN }
        }
    )*};
}
impl_int!(i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize);

/// The sort key of a float's bits: the sign-magnitude order turned into
/// unsigned order (negative values' bits inverted, positive values' sign
/// bit set), with `-0.0` taken as `0.0` and every NaN as the largest key.
macro_rules! float_key {
    ($x:expr, $u:ty, $bits:expr) => {{
        let x = $x + 0.0; // -0.0 + 0.0 is 0.0
        if x.is_nan() {
            <$u>::MAX
        } else {
            let b = x.to_bits();
            let sign = b >> ($bits - 1);
            b ^ (sign.wrapping_neg() | (1 << ($bits - 1)))
        }
    }};
}

macro_rules! impl_float {
    ($($t:ty => $u:ty, $bits:expr);*) => {$(
        impl sealed::Sealed for $t {}
        impl Scalar for $t {
            #[inline(always)]
            fn scalar_zero() -> Self { 0.0 }
            #[inline(always)]
            fn scalar_one() -> Self { 1.0 }
            #[inline(always)]
            fn scalar_add(self, rhs: Self) -> Self { self + rhs }
            #[inline(always)]
            fn scalar_mul(self, rhs: Self) -> Self { self * rhs }
            #[inline(always)]
            #[allow(clippy::eq_op)]
            fn scalar_is_nan(self) -> bool { self != self }
            #[inline(always)]
            fn scalar_is_finite(self) -> bool { self.is_finite() }
            type SortKey = $u;
            #[inline(always)]
            fn sort_key(self) -> $u { float_key!(self, $u, $bits) }
            const RADIX: bool = true;
            #[inline(always)]
            #[allow(clippy::unnecessary_cast)]
            fn radix_key(self) -> u64 {
                let b = self.to_bits();
                let sign = b >> ($bits - 1);
                (b ^ (sign.wrapping_neg() | (1 << ($bits - 1)))) as u64
            }
            #[inline(always)]
            fn from_radix_key(key: u64) -> Self {
                let k = key as $u;
                let positive = k >> ($bits - 1);
                // Positive values had their sign bit set; negative ones
                // had every bit inverted.
                <$t>::from_bits(k ^ (positive.wrapping_sub(1) | (1 << ($bits - 1))))
            }
        }
        impl Float for $t {
            #[inline(always)]
            fn from_count(n: usize) -> Self { n as $t }
            #[inline(always)]
            // Through i64: one conversion instruction on x86-64, where a
            // saturating conversion to u64 takes several (histograms call
            // this once per value).
            fn to_index(self) -> usize { (self as i64).max(0) as usize }
            const NARROWER_THAN_F64: bool = size_of::<$t>() < 8;
            #[inline(always)]
            fn to_f64_exact(self) -> f64 { self as f64 }
            #[inline(always)]
            #[allow(clippy::unnecessary_cast)]
            fn from_f64_nearest(x: f64) -> Self { x as $t }
        }
    )*};
}
impl_float!(f32 => u32, 32; f64 => u64, 64);
