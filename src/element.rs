//! Element types that the named kernels accept.
//!
//! The generic kernels ([`par_map`](crate::ParMap::par_map),
//! [`par_fold`](crate::ParReduce::par_fold), …) take any element type. The named
//! numeric kernels need arithmetic whose behaviour ndpar can document and keep
//! deterministic, so they are bounded by two sealed traits:
//!
//! * [`Scalar`]: `f32`, `f64` and every primitive integer. Enough for
//!   `par_sum`, `par_product`, `par_mean`, `par_var`, `par_min`,
//!   `par_max`, `par_argmin`, `par_argmax`, `par_vdot` and the scans, with
//!   numpy's result types ([`Arith`], below).
//! * [`Float`]: `f32` and `f64`. Needed for norms, the exact sums and the
//!   NaN-skipping reductions.
//!
//! # Integer sums, products and means: numpy's result types
//!
//! As in numpy, sums, products and their cumulative forms of small
//! integers come out in the 64-bit integer of the same signedness, and
//! means, variances and standard deviations of integers in `f64`
//! ([`Arith::Sum`], [`Arith::Mean`]):
//!
//! | element | `par_sum`, `par_product`, `par_cumsum`, `par_cumprod` (and axis forms) | `par_mean`, `par_var`, `par_std` |
//! |---|---|---|
//! | `f32`, `f64` | the same type | the same type |
//! | `i8`, `i16`, `i32`, `i64`, `isize` | `i64` | `f64` |
//! | `u8`, `u16`, `u32`, `u64`, `usize` | `u64` | `f64` |
//! | `i128`, `u128` | the same type | `f64` |
//!
//! Where numpy wraps silently, ndpar does not: integers are accumulated
//! exactly (in 128 bits), and a result that does not fit its type panics,
//! naming the method, instead of coming back wrapped. Because the
//! accumulation is exact, whether a result fits does not depend on how the
//! work was split or on the thread count. Means and variances of integers
//! are those of their values converted to `f64` (numpy's). Integer dot products ([`par_vdot`](crate::ParReduce::par_vdot)),
//! folds and stencils keep the element type and wrap.
//!
//! ```
//! use ndpar::prelude::*;
//! use ndarray::Array1;
//!
//! let bytes = Array1::from(vec![200u8, 100]);
//! let total: u64 = bytes.par_sum(); // numpy: uint64
//! assert_eq!(total, 300);
//! assert_eq!(bytes.par_mean(), Some(150.0)); // numpy: float64
//! let big = Array1::from(vec![i64::MAX, 1]);
//! assert!(std::panic::catch_unwind(|| big.par_sum()).is_err()); // no wrap
//! ```

use std::fmt::Debug;

pub use crate::engine::num::Arith;

mod sealed {
    pub trait Sealed {}
    /// Seals [`OrderKey`](super::OrderKey) apart from the element traits
    /// (the unsigned integers are both).
    pub trait SealedKey {}
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
/// fn total<A: Scalar>(a: &Array1<A>) -> A::Sum {
///     a.par_sum()
/// }
/// assert_eq!(total(&Array1::from(vec![1u8, 2, 3])), 6);
/// assert_eq!(total(&Array1::from(vec![0.5f32, 0.25])), 0.75);
/// ```
pub trait Scalar:
    Copy + Default + Send + Sync + PartialOrd + Debug + 'static + sealed::Sealed + Arith
{
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
    /// The element's [`OrderKey`]: numpy's order as an unsigned integer
    /// of the element's width, refined so that it is total and one key
    /// stands for one value. Every ordering kernel (sorts, partitions,
    /// quantiles, unique values) reads this one key:
    ///
    /// * integers: the two's complement with the sign bit flipped (so
    ///   `MIN` is 0);
    /// * floats: the IEEE total order of the bits (−inf < … < −0.0 < 0.0 <
    ///   … < inf), with every NaN at [`OrderKey::MAX`], after every number.
    ///
    /// It tells `-0.0` below `0.0`, where numpy holds them equal; an order
    /// by this key is therefore also one by numpy's. Where numpy's
    /// equality matters (which of the zeros a stable sort keeps first),
    /// [`sort_key`](Scalar::sort_key) folds the zeros together.
    #[doc(hidden)]
    type Key: OrderKey;
    /// See [`Scalar::Key`].
    #[doc(hidden)]
    fn order_key(self) -> Self::Key;
    /// The value of an [`order_key`](Scalar::order_key) that is not a
    /// NaN's (a NaN's key gives a NaN, without its payload).
    #[doc(hidden)]
    fn from_order_key(key: Self::Key) -> Self;
    /// numpy's order exactly: the [`order_key`](Scalar::order_key) of the
    /// value with `-0.0` taken as `0.0`. Branch-free, so comparisons stay
    /// cheap.
    #[doc(hidden)]
    fn sort_key(self) -> Self::Key;
    /// Whether long lanes are radix-sorted: true for floats, whose numpy
    /// order costs a key computation per comparison; integers compare in
    /// one instruction, and rayon's comparison sorts are faster on them.
    #[doc(hidden)]
    const RADIX: bool;
}

/// An unsigned integer key of 8 to 128 bits (see [`Scalar::Key`]): what
/// the radix sort and the radix selection read, digit by digit.
///
/// The trait is sealed; its methods are implementation details.
#[doc(hidden)]
pub trait OrderKey:
    Copy
    + Default
    + Ord
    + Send
    + Sync
    + Debug
    + std::ops::BitXor<Output = Self>
    + std::ops::BitOr<Output = Self>
    + 'static
    + sealed::SealedKey
{
    /// Width in bits.
    const BITS: u32;
    /// The largest key (every NaN's).
    const MAX: Self;
    /// Bits `lo .. lo + width` of the key (`width` at most 16).
    fn digit(self, lo: u32, width: u32) -> usize;
    /// The key with bits `lo .. lo + width` set to `digit` (which they
    /// were 0 in).
    fn with_digit(self, lo: u32, width: u32, digit: usize) -> Self;
    /// The key 0.
    fn zero() -> Self;
    /// The number of leading zero bits.
    fn leading_zeros(self) -> u32;
    /// The key just below (wrapping).
    fn wrapping_dec(self) -> Self;
    /// The bits from `shift` up, shifted down (0 when `shift` is the
    /// width or more).
    fn high(self, shift: u32) -> Self;
}

macro_rules! impl_key {
    ($($u:ty)*) => {$(
        impl sealed::SealedKey for $u {}
        impl OrderKey for $u {
            const BITS: u32 = <$u>::BITS;
            const MAX: Self = <$u>::MAX;
            #[inline(always)]
            #[allow(clippy::unnecessary_cast)]
            fn digit(self, lo: u32, width: u32) -> usize {
                ((self >> lo) as u64 & ((1u64 << width) - 1)) as usize
            }
            #[inline(always)]
            fn with_digit(self, lo: u32, _width: u32, digit: usize) -> Self {
                self | ((digit as $u) << lo)
            }
            #[inline(always)]
            fn zero() -> Self { 0 }
            #[inline(always)]
            fn leading_zeros(self) -> u32 { <$u>::leading_zeros(self) }
            #[inline(always)]
            fn wrapping_dec(self) -> Self { self.wrapping_sub(1) }
            #[inline(always)]
            fn high(self, shift: u32) -> Self { self.checked_shr(shift).unwrap_or(0) }
        }
    )*};
}
impl_key!(u8 u16 u32 u64 u128);

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
pub trait Float:
    Scalar
    + Arith<Sum = Self, Mean = Self, SumAcc = Self, ProdAcc = Self, Wide = Self>
    + num_traits::Float
    + ndarray::LinalgScalar
    + sealed::Sealed
{
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
    ($($t:ty => $key:ty, $same:ty);*) => {$(
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
            type Key = $key;
            #[inline(always)]
            #[allow(clippy::unnecessary_cast)]
            fn order_key(self) -> $key {
                // `$same` has the width of the key and the signedness of
                // the element; flipping its sign bit (`MIN`) orders signed
                // values as unsigned. Unsigned types have `MIN` = 0.
                ((self as $same) ^ <$same>::MIN) as $key
            }
            #[inline(always)]
            #[allow(clippy::unnecessary_cast)]
            fn from_order_key(key: $key) -> Self { ((key as $same) ^ <$same>::MIN) as $t }
            #[inline(always)]
            fn sort_key(self) -> $key { self.order_key() }
            const RADIX: bool = false;
        }
    )*};
}
impl_int!(
    i8 => u8, i8; i16 => u16, i16; i32 => u32, i32; i64 => u64, i64; i128 => u128, i128;
    isize => u64, i64;
    u8 => u8, u8; u16 => u16, u16; u32 => u32, u32; u64 => u64, u64; u128 => u128, u128;
    usize => u64, u64
);

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
            type Key = $u;
            #[inline(always)]
            fn order_key(self) -> $u {
                // Sign-magnitude order turned into unsigned order:
                // negative values have every bit inverted, positive values
                // their sign bit set. Then NaN goes last (a select, not a
                // branch, so that loops over keys vectorise).
                let b = self.to_bits();
                let sign = b >> ($bits - 1);
                let key = b ^ (sign.wrapping_neg() | (1 << ($bits - 1)));
                if self.is_nan() { <$u>::MAX } else { key }
            }
            #[inline(always)]
            fn from_order_key(k: $u) -> Self {
                let positive = k >> ($bits - 1);
                <$t>::from_bits(k ^ (positive.wrapping_sub(1) | (1 << ($bits - 1))))
            }
            #[inline(always)]
            fn sort_key(self) -> $u {
                (self + 0.0).order_key() // -0.0 + 0.0 is 0.0
            }
            const RADIX: bool = true;
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
