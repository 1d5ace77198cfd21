//! Vectorised math: `exp`, `ln`, `sin`, `cos`, `tanh`, `sqrt` and `powf`
//! on 64 values at a time, an opt-in for maps whose time goes to the
//! system's libm.
//!
//! `par_mapv(|x| x.exp() * x.sin())` calls libm once per value and per
//! function, one value at a time. [`map`] runs a closure on blocks of
//! 64 values ([`F64x64`]) over a slice, and each function computes its 64
//! values with the vector instructions the CPU offers (see
//! [`simd`](crate::simd)); with [`ParMap::par_map_slices`](crate::ParMap::par_map_slices)
//! it runs on every block of an array in parallel:
//!
//! ```
//! use ndpar::prelude::*;
//! use ndpar::vmath;
//! use ndarray::Array1;
//!
//! let x = Array1::linspace(-3.0, 3.0, 100_001);
//! let y = x.par_map_slices(|x, out| vmath::map(x, out, |v| vmath::exp(v) * vmath::sin(v)));
//! let libm = x.par_mapv(|v| v.exp() * v.sin());
//! let worst = y.iter().zip(&libm).map(|(a, b)| (a - b).abs() / b.abs().max(1e-300)).fold(0.0, f64::max);
//! assert!(worst < 1e-15);
//! ```
//!
//! ## Accuracy
//!
//! Every function is within the bound below of the platform's libm
//! (glibc's, itself within 1 ulp of the exact result for these
//! functions), checked by the test suite on 10^7 values per function
//! spread over the whole domain, plus every edge: ±0, subnormals, ±∞,
//! NaN, the overflow and underflow thresholds, multiples of π/2. The
//! special values follow C99 (and numpy): `exp(−∞) = 0`, `ln(0) = −∞`,
//! `ln(−1) = NaN`, `sin(±∞) = NaN`, `tanh(−0) = −0`.
//!
//! | function | largest error seen (ulp) against libm |
//! |---|---:|
//! | [`exp`] | 1 |
//! | [`ln`] | 1 |
//! | [`sin`], [`cos`] | 1 |
//! | [`tanh`] | 2 |
//! | [`sqrt`] | 0 (correctly rounded, as libm) |
//! | [`powf`] | 8 (3 where `|y · ln x| ≤ 40`) |
//!
//! ## The same bits on every CPU
//!
//! Each function is a fixed sequence of IEEE additions, multiplications,
//! divisions and bit operations, lane by lane, without fused
//! multiply-adds: every vector level computes the same bits, and so do
//! all CPUs of an architecture. The one exception is `sin` and `cos` of
//! `|x| ≥ 2^20·π/2` (about 1.6·10^6), which go to the platform's libm.
//! libm remains the default of `par_mapv`; these functions are an opt-in
//! because their results differ from libm's in the last bit for some
//! inputs.

// The kernels are passed as `#[inline(always)]` closures, not as function
// items: a function item would be called through a shim compiled for the
// baseline, not compiled into each vector level's loop.
#![allow(clippy::redundant_closure)]

mod block;
mod exp;
mod lanes;
mod log;
mod pow;
mod trig;

pub use block::F64x64;

use block::{by_fours, by_fours2};

/// `e^x` of every value, within 1 ulp; `exp(±0) = 1`, `exp(+∞) = +∞`,
/// `exp(−∞) = 0`, NaN for NaN.
///
/// ```
/// use ndpar::vmath::{self, F64x64};
///
/// let mut x = F64x64::splat(1.0);
/// x.0[..4].copy_from_slice(&[0.0, -1000.0, f64::INFINITY, 710.0]);
/// let y = vmath::exp(x);
/// assert_eq!(y.0[..4], [1.0, 0.0, f64::INFINITY, f64::INFINITY]);
/// assert!((y.0[4] - std::f64::consts::E).abs() <= 4.0 * f64::EPSILON); // within 1 ulp
/// ```
#[inline]
pub fn exp(x: F64x64) -> F64x64 {
    by_fours(
        x,
        #[inline(always)]
        |v| exp::exp(v),
    )
}

/// The natural logarithm of every value, within 1 ulp; `ln(±0) = −∞`,
/// `ln(+∞) = +∞`, NaN for negative numbers and NaN.
///
/// ```
/// use ndpar::vmath::{self, F64x64};
///
/// let mut x = F64x64::splat(std::f64::consts::E);
/// x.0[..3].copy_from_slice(&[1.0, 0.0, -1.0]);
/// let y = vmath::ln(x);
/// assert_eq!(y.0[..2], [0.0, f64::NEG_INFINITY]);
/// assert!(y.0[2].is_nan());
/// assert_eq!(y.0[3], 1.0);
/// ```
#[inline]
pub fn ln(x: F64x64) -> F64x64 {
    by_fours(
        x,
        #[inline(always)]
        |v| log::ln(v),
    )
}

/// The sine of every value (radians), within 1 ulp; `sin(±0) = ±0`, NaN
/// for `±∞` and NaN. Values beyond `2^20·π/2` go to the platform's libm.
///
/// ```
/// use ndpar::vmath::{self, F64x64};
///
/// let mut x = F64x64::splat(std::f64::consts::FRAC_PI_2);
/// x.0[..3].copy_from_slice(&[0.0, -0.0, 1e300]);
/// let y = vmath::sin(x);
/// assert_eq!(y.0[..4], [0.0, -0.0, 1e300f64.sin(), 1.0]);
/// assert!(y.0[1].is_sign_negative());
/// ```
#[inline]
pub fn sin(x: F64x64) -> F64x64 {
    by_fours(
        x,
        #[inline(always)]
        |v| trig::sin(v),
    )
}

/// The cosine of every value (radians), within 1 ulp; `cos(±0) = 1`, NaN
/// for `±∞` and NaN. Values beyond `2^20·π/2` go to the platform's libm.
///
/// ```
/// use ndpar::vmath::{self, F64x64};
///
/// let mut x = F64x64::splat(std::f64::consts::PI);
/// x.0[..2].copy_from_slice(&[0.0, 1e300]);
/// let y = vmath::cos(x);
/// assert_eq!(y.0[..3], [1.0, 1e300f64.cos(), -1.0]);
/// ```
#[inline]
pub fn cos(x: F64x64) -> F64x64 {
    by_fours(
        x,
        #[inline(always)]
        |v| trig::cos(v),
    )
}

/// `tanh(x)` of every value, within 2 ulp; odd (`tanh(−0) = −0`), `±1`
/// for `±∞`, NaN for NaN.
///
/// ```
/// use ndpar::vmath::{self, F64x64};
///
/// let mut x = F64x64::splat(50.0);
/// x.0[..2].copy_from_slice(&[-0.0, f64::NEG_INFINITY]);
/// let y = vmath::tanh(x);
/// assert_eq!(y.0[..3], [-0.0, -1.0, 1.0]);
/// assert!(y.0[0].is_sign_negative());
/// ```
#[inline]
pub fn tanh(x: F64x64) -> F64x64 {
    by_fours(
        x,
        #[inline(always)]
        |v| exp::tanh(v),
    )
}

/// The correctly rounded square root of every value (as
/// [`F64x64::sqrt`]).
///
/// ```
/// use ndpar::vmath::{self, F64x64};
/// assert_eq!(vmath::sqrt(F64x64::splat(2.0)).0[7], 2f64.sqrt());
/// ```
#[inline]
pub fn sqrt(x: F64x64) -> F64x64 {
    by_fours(
        x,
        #[inline(always)]
        |v| v.sqrt(),
    )
}

/// `x^y` of every pair of values, as `exp(y · ln x)` for positive `x`.
///
/// `ln x` is carried to about 20 more bits than a double and `y · ln x`
/// kept exactly as a sum of two doubles, so the error stays small over
/// the whole range: at most 8 ulp from libm's `powf` (7 seen on 10^6
/// pairs whose results span the whole range of doubles, 3 where
/// `|y · ln x| ≤ 40`), checked in the module's tests. The special cases
/// follow C99's `pow` for `x ≥ 0` (`powf(0, y)` is 0 for `y > 0` and `+∞`
/// for `y < 0`, `powf(x, 0) = powf(1, y) = 1`, also for NaN), and a
/// negative `x` gives NaN (also for an integer `y`: use `powi` or libm's
/// `powf` there).
///
/// ```
/// use ndpar::vmath::{self, F64x64};
///
/// let mut x = F64x64::splat(9.0);
/// let mut y = F64x64::splat(0.5);
/// x.0[..3].copy_from_slice(&[2.0, 0.0, -1.0]);
/// y.0[..3].copy_from_slice(&[10.0, 3.0, 2.0]);
/// let p = vmath::powf(x, y);
/// assert!((p.0[0] - 1024.0).abs() < 1e-12 && (p.0[3] - 3.0).abs() < 1e-15);
/// assert_eq!(p.0[1], 0.0);
/// assert!(p.0[2].is_nan());
/// ```
#[inline]
pub fn powf(x: F64x64, y: F64x64) -> F64x64 {
    by_fours2(
        x,
        y,
        #[inline(always)]
        |x, y| pow::powf(x, y),
    )
}

/// `out[i] = f(x[i])`, 64 values at a time. The last 1–63 values run
/// through `f` padded with zeros (the padding's results are dropped). `f`
/// must treat values alike (as the `vmath` functions and `F64x64`'s
/// operators do) for the result to be independent of where a slice
/// starts.
///
/// # Panics
///
/// If `x` and `out` differ in length.
///
/// ```
/// use ndpar::vmath;
///
/// let x: Vec<f64> = (0..100).map(f64::from).collect();
/// let mut y = vec![0.0; 100];
/// vmath::map(&x, &mut y, |v| vmath::exp(v) - 1.0);
/// assert_eq!(y[0], 0.0);
/// assert!((y[9] - 9f64.exp_m1()).abs() < 1e-11);
/// ```
#[track_caller]
pub fn map(x: &[f64], out: &mut [f64], f: impl Fn(F64x64) -> F64x64) {
    assert_eq!(
        x.len(),
        out.len(),
        "vmath::map: the input has {} values and the output {}",
        x.len(),
        out.len()
    );
    let mut xs = x.chunks_exact(F64x64::LANES);
    let mut outs = out.chunks_exact_mut(F64x64::LANES);
    for (x, o) in (&mut xs).zip(&mut outs) {
        f(F64x64::from_slice(x)).write_to(o);
    }
    let (x, o) = (xs.remainder(), outs.into_remainder());
    if !x.is_empty() {
        o.copy_from_slice(&f(F64x64::padded(x)).0[..x.len()]);
    }
}

/// `x[i] = f(x[i])` in place, 64 values at a time (as [`map`]).
///
/// ```
/// use ndpar::vmath;
///
/// let mut x = vec![1.0; 77];
/// vmath::map_inplace(&mut x, |v| vmath::ln(v) + 2.0);
/// assert_eq!(x, vec![2.0; 77]);
/// ```
pub fn map_inplace(x: &mut [f64], f: impl Fn(F64x64) -> F64x64) {
    let mut chunks = x.chunks_exact_mut(F64x64::LANES);
    for c in &mut chunks {
        f(F64x64::from_slice(c)).write_to(c);
    }
    let tail = chunks.into_remainder();
    if !tail.is_empty() {
        let len = tail.len();
        tail.copy_from_slice(&f(F64x64::padded(tail)).0[..len]);
    }
}

/// `out[i] = f(a[i], b[i])`, 64 values at a time (as [`map`]).
///
/// # Panics
///
/// If the three slices differ in length.
///
/// ```
/// use ndpar::vmath;
///
/// let (a, b) = (vec![4.0; 70], vec![0.5; 70]);
/// let mut out = vec![0.0; 70];
/// vmath::zip_map(&a, &b, &mut out, vmath::powf);
/// assert!(out.iter().all(|&v| (v - 2.0).abs() < 1e-15));
/// ```
#[track_caller]
pub fn zip_map(a: &[f64], b: &[f64], out: &mut [f64], f: impl Fn(F64x64, F64x64) -> F64x64) {
    assert!(
        a.len() == out.len() && b.len() == out.len(),
        "vmath::zip_map: inputs of {} and {} values, an output of {}",
        a.len(),
        b.len(),
        out.len()
    );
    let whole = out.len() / F64x64::LANES * F64x64::LANES;
    for i in (0..whole).step_by(F64x64::LANES) {
        let y = f(F64x64::from_slice(&a[i..]), F64x64::from_slice(&b[i..]));
        y.write_to(&mut out[i..]);
    }
    if whole < out.len() {
        let y = f(F64x64::padded(&a[whole..]), F64x64::padded(&b[whole..]));
        let tail = &mut out[whole..];
        let len = tail.len();
        tail.copy_from_slice(&y.0[..len]);
    }
}
