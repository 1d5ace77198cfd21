//! [`F64x64`], the values the public functions take, and the loop that
//! runs a four-lane kernel over them at the current vector level.

use super::lanes::{F64x4, lane_arithmetic};
use crate::simd;

/// 64 f64 values that the [`vmath`](crate::vmath) functions compute on at
/// once. Arithmetic is element by element, IEEE double precision, exactly
/// the scalar operation on each value.
///
/// Each `vmath` function picks the widest vector instructions the CPU has
/// once per 64 values; the operators here compile for the build's target.
///
/// ```
/// use ndpar::vmath::F64x64;
///
/// let v = F64x64::from_slice(&[2.0; 64]);
/// let w = (v * 3.0 + 1.0) / F64x64::splat(7.0) - 1.0;
/// assert_eq!(w, F64x64::splat(0.0));
/// assert_eq!((-v).abs().sqrt().to_array()[0], 2f64.sqrt());
/// assert_eq!(v.map(|x| x.powi(3)), F64x64::splat(8.0));
/// assert_eq!(F64x64::LANES, 64);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[repr(C, align(64))]
pub struct F64x64(pub [f64; 64]);

impl Default for F64x64 {
    fn default() -> Self {
        F64x64::splat(0.0)
    }
}

impl F64x64 {
    /// The number of values.
    pub const LANES: usize = 64;

    /// Every value `x`.
    #[inline(always)]
    pub const fn splat(x: f64) -> Self {
        F64x64([x; 64])
    }

    /// The first 64 values of `s`.
    ///
    /// # Panics
    ///
    /// If `s` holds fewer than 64 values.
    #[inline(always)]
    #[track_caller]
    pub fn from_slice(s: &[f64]) -> Self {
        let mut v = [0.0; 64];
        v.copy_from_slice(&s[..64]);
        F64x64(v)
    }

    /// Up to 64 values, the rest zeros.
    #[inline(always)]
    pub(crate) fn padded(s: &[f64]) -> Self {
        let mut v = [0.0; 64];
        v[..s.len()].copy_from_slice(s);
        F64x64(v)
    }

    /// Writes the values to the first 64 places of `s`.
    ///
    /// # Panics
    ///
    /// If `s` holds fewer than 64 places.
    #[inline(always)]
    #[track_caller]
    pub fn write_to(&self, s: &mut [f64]) {
        s[..64].copy_from_slice(&self.0);
    }

    /// The values as an array.
    #[inline(always)]
    pub const fn to_array(self) -> [f64; 64] {
        self.0
    }

    /// `f` of every value (scalar code, for what `vmath` does not offer).
    #[inline(always)]
    pub fn map(self, f: impl Fn(f64) -> f64) -> Self {
        F64x64(self.0.map(f))
    }

    /// The absolute value of every value.
    #[inline(always)]
    pub fn abs(self) -> Self {
        self.map(f64::abs)
    }

    /// The correctly rounded square root of every value (IEEE `sqrt`).
    #[inline(always)]
    pub fn sqrt(self) -> Self {
        self.map(f64::sqrt)
    }

    #[inline(always)]
    fn zip(self, o: Self, f: impl Fn(f64, f64) -> f64) -> Self {
        F64x64(std::array::from_fn(|i| f(self.0[i], o.0[i])))
    }
}

/// Runs `kernel` over the 16 four-lane groups of `x`, compiled for the
/// current vector level. `kernel` must be an `#[inline(always)]` closure,
/// so that it is compiled inside the level's function.
#[inline(always)]
pub(crate) fn by_fours(x: F64x64, kernel: impl Fn(F64x4) -> F64x4) -> F64x64 {
    simd::dispatch(
        #[inline(always)]
        || {
            let mut out = [0.0; 64];
            for (o, x) in out.chunks_exact_mut(4).zip(x.0.chunks_exact(4)) {
                kernel(F64x4::from_slice(x)).write_to(o);
            }
            F64x64(out)
        },
    )
}

/// As [`by_fours`], for a kernel of two arguments.
#[inline(always)]
pub(crate) fn by_fours2(x: F64x64, y: F64x64, kernel: impl Fn(F64x4, F64x4) -> F64x4) -> F64x64 {
    simd::dispatch(
        #[inline(always)]
        || {
            let mut out = [0.0; 64];
            for (i, o) in out.chunks_exact_mut(4).enumerate() {
                let (a, b) = (&x.0[4 * i..], &y.0[4 * i..]);
                kernel(F64x4::from_slice(a), F64x4::from_slice(b)).write_to(o);
            }
            F64x64(out)
        },
    )
}

lane_arithmetic!(F64x64, 64);
