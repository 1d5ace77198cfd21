//! `ln`: `x = 2^k · m` with `m` in `[√2/2, √2)`, `f = m − 1`,
//! `s = f / (2 + f)`, and `ln(1 + f) = 2s + s·R(s²)` with the degree-14
//! polynomial of FreeBSD's `e_log.c`; `k · ln 2` is added in two parts.

use super::exp::{LN2_HI, LN2_LO, ROUND};
use super::lanes::{F64x4, Mask, U64x4, two_product, two_sum};

const LG1: f64 = 6.666_666_666_666_735e-1;
const LG2: f64 = 3.999_999_999_940_942e-1;
const LG3: f64 = 2.857_142_874_366_239e-1;
const LG4: f64 = 2.222_219_843_214_978_4e-1;
const LG5: f64 = 1.818_357_216_161_805e-1;
const LG6: f64 = 1.531_383_769_920_937_3e-1;
const LG7: f64 = 1.479_819_860_511_658_6e-1;

/// `2^54`: scales a subnormal input into the normal range.
const TWO54: f64 = 18_014_398_509_481_984.0;
/// The high word of `√2/2`: mantissas from it on stay in `[√2/2, √2)`.
const HIGH_SQRT_HALF: u64 = 0x3fe6_a09e;

/// The natural logarithm of every lane, within 1 ulp (the module's table
/// has the measured bound); `ln(±0) = −∞`, `ln(+∞) = +∞`, NaN for
/// negative numbers and NaN.
#[inline(always)]
pub(crate) fn ln(x: F64x4) -> F64x4 {
    let p = parts(x);
    let y = p.t + p.dk * LN2_LO - p.hfsq + p.f + p.dk * LN2_HI;
    finite_positive(x).select(y, special(x))
}

/// `ln x` as `hi + lo` with about 20 more bits than `ln` (for `powf`);
/// `(ln x, 0)` where `x` is zero, negative, infinite or NaN.
#[inline(always)]
pub(crate) fn ln_extended(x: F64x4) -> (F64x4, F64x4) {
    let p = parts(x);
    // ln x = k·ln 2 + f − f²/2 + t, with k·LN2_HI and f − f²/2 exact as
    // sums of two floats, and everything small in the tail.
    let (sq, sq_err) = two_product(p.f, p.f);
    let (half, half_err) = (sq * 0.5, sq_err * 0.5);
    let (b, b_err) = two_sum(p.f, -half);
    let (a, a_err) = two_sum(p.dk * LN2_HI, b);
    let tail = a_err + b_err + (p.t - half_err + p.dk * LN2_LO);
    let hi = a + tail;
    let lo = tail - (hi - a);
    let regular = finite_positive(x);
    (
        regular.select(hi, special(x)),
        regular.select(lo, F64x4::splat(0.0)),
    )
}

/// The pieces of FreeBSD's `e_log.c`: `x = 2^k·(1 + f)`, `f²/2`, and
/// `t = s·(f²/2 + R(s²))` with `s = f / (2 + f)`.
struct Parts {
    dk: F64x4,
    f: F64x4,
    hfsq: F64x4,
    t: F64x4,
}

#[inline(always)]
fn parts(x: F64x4) -> Parts {
    let subnormal = x.test(|v| v < f64::MIN_POSITIVE);
    let xs = subnormal.select(x * TWO54, x);
    let bits = xs.bits();
    let high = bits.map(|b| (b >> 32).wrapping_add(0x3ff0_0000 - HIGH_SQRT_HALF));
    // k + ROUND's bits, as a float: the exponent, less 54 for subnormals.
    let adjust = subnormal.select_bits(U64x4([54; 4]), U64x4([0; 4]));
    let k = high
        .map(|h| (h >> 20).wrapping_sub(0x3ff))
        .zip(adjust, u64::wrapping_sub);
    let dk = F64x4::from_bits(k.map(|k| ROUND.to_bits().wrapping_add(k))) - ROUND;
    let m = F64x4::from_bits(high.zip(bits, |h, b| {
        (((h & 0x000f_ffff) + HIGH_SQRT_HALF) << 32) | (b & 0xffff_ffff)
    }));
    let f = m - 1.0;
    let hfsq = 0.5 * f * f;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (LG2 + w * (LG4 + w * LG6));
    let t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
    let r = t2 + t1;
    Parts {
        dk,
        f,
        hfsq,
        t: s * (hfsq + r),
    }
}

/// Lanes where `ln` follows the formula.
#[inline(always)]
fn finite_positive(x: F64x4) -> Mask {
    x.test(|v| v > 0.0 && v < f64::INFINITY)
}

/// `ln` of the other lanes: −∞ for ±0, +∞ for +∞, NaN otherwise.
#[inline(always)]
fn special(x: F64x4) -> F64x4 {
    x.map(|v| {
        if v == 0.0 {
            f64::NEG_INFINITY
        } else if v == f64::INFINITY {
            v
        } else {
            f64::NAN
        }
    })
}
