//! `powf`: `exp(y · ln x)` with `ln x` carried to about 20 more bits and
//! the product `y · ln x` kept exactly as a sum of two floats, so that
//! the result's error does not grow with `|y · ln x|`.

use super::exp::exp_with_tail;
use super::lanes::{F64x4, two_product};
use super::log::ln_extended;

/// Factors beyond this are scaled before their product is split, so that
/// Veltkamp's split cannot overflow.
const BIG: f64 = 1e290;
const SCALE_DOWN: f64 = 8.673_617_379_884_035e-19; // 2^-60
const SCALE_UP: f64 = 1_152_921_504_606_846_976.0; // 2^60

/// `x^y` in every lane (see `vmath::powf` for the special cases).
#[inline(always)]
pub(crate) fn powf(x: F64x4, y: F64x4) -> F64x4 {
    let (hi, lo) = ln_extended(x);
    // The same product, with the large factor scaled down by 2^60 and the
    // other up: exact as long as nothing overflows, which it cannot here
    // (|ln x| < 745).
    let big = y.test(|v| v.abs() > BIG);
    let (ys, hs) = (big.select(y * SCALE_DOWN, y), big.select(hi * SCALE_UP, hi));
    let (z, z_err) = two_product(ys, hs);
    let tail = z_err + y * lo;
    // Where the product is not finite (x zero or infinite, y infinite,
    // NaN), the IEEE product alone decides.
    let finite = z.test(|v| v.is_finite()).and(tail.test(|v| v.is_finite()));
    let p = exp_with_tail(z, finite.select(tail, F64x4::splat(0.0)));
    let one = F64x4::splat(1.0);
    // y = 0 gives 1 even for NaN or 0 bases (C99), and x = 1 gives 1.
    let unit = y.test(|v| v == 0.0);
    let base_one = x.test(|v| v == 1.0);
    unit.select(one, base_one.select(one, p))
}
