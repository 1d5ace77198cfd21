//! `exp` and `tanh`.
//!
//! `exp` reduces `x = k·ln 2 + r` with `|r| ≤ ln 2 / 2` (Cody and Waite's
//! two-part `ln 2`, so the reduction is exact), approximates `exp(r)` by
//! the classic rational form `1 + r + r·c / (2 − c)` with a degree-10
//! polynomial `c` (the coefficients of FreeBSD's `e_exp.c`), and scales by
//! `2^k` in two exact steps, so results in the subnormal range are rounded
//! once. `tanh` is a rational approximation near zero and
//! `1 − 2 / (exp(2|x|) + 1)` elsewhere.

use super::lanes::{F64x4, U64x4};

/// `1.5 · 2^52`: adding and subtracting it rounds a value below 2^51 to
/// the nearest integer, and the sum's low mantissa bits hold that integer.
pub(crate) const ROUND: f64 = 6_755_399_441_055_744.0;

const INV_LN2: f64 = std::f64::consts::LOG2_E;
/// `ln 2` in two parts: the first has 21 significant bits, so `k · LN2_HI`
/// is exact for every `k` exp needs.
pub(crate) const LN2_HI: f64 = 6.931_471_803_691_238e-1;
pub(crate) const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;

const P1: f64 = 1.666_666_666_666_660_2e-1;
const P2: f64 = -2.777_777_777_701_559_3e-3;
const P3: f64 = 6.613_756_321_437_934e-5;
const P4: f64 = -1.653_390_220_546_525_2e-6;
const P5: f64 = 4.138_136_797_057_238_5e-8;

/// Below this, `exp` is zero (it rounds to 0 from about −745.13).
const EXP_LOW: f64 = -746.0;
/// Above this, `exp` overflows (from about 709.78).
const EXP_HIGH: f64 = 710.0;

/// `e^x` in every lane, within 1 ulp of the exact value (the module's
/// table has the measured bound); `exp(±0) = 1`, `exp(+∞) = +∞`,
/// `exp(−∞) = 0`, NaN for NaN.
#[inline(always)]
pub(crate) fn exp(x: F64x4) -> F64x4 {
    exp_with_tail(x, F64x4::splat(0.0))
}

/// `e^(x + tail)` for a `tail` far below an ulp of `x` (0 where `x` is
/// not finite): the tail joins the reduced argument, so it counts in full.
#[inline(always)]
pub(crate) fn exp_with_tail(x: F64x4, tail: F64x4) -> F64x4 {
    // Clamping keeps 2^k representable in two steps; NaN passes through
    // (both comparisons are false) and stays NaN to the end.
    let xc = x.map(|v| v.clamp(EXP_LOW, EXP_HIGH));
    let t = xc * INV_LN2 + ROUND;
    let kf = t - ROUND;
    let hi = xc - kf * LN2_HI;
    let lo = kf * LN2_LO - tail;
    let r = hi - lo;
    let rr = r * r;
    let c = r - rr * (P1 + rr * (P2 + rr * (P3 + rr * (P4 + rr * P5))));
    let y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
    let (s1, s2) = two_powers(t.bits());
    y * s1 * s2
}

/// `2^k1` and `2^k2` with `k1 + k2 = k`, for the `k` held in the low bits
/// of `t = k + ROUND`, `|k| ≤ 1076`: both halves are normal numbers, so a
/// product by them rounds only at the second step.
#[inline(always)]
fn two_powers(t: U64x4) -> (F64x4, F64x4) {
    let k = t.map(|b| b.wrapping_sub(ROUND.to_bits()));
    let k1 = k.map(|k| ((k as i64) >> 1) as u64);
    let k2 = k.zip(k1, u64::wrapping_sub);
    let pow2 = |k: U64x4| F64x4::from_bits(k.map(|k| k.wrapping_add(1023) << 52));
    (pow2(k1), pow2(k2))
}

// tanh(x) = x + x·z·P(z)/Q(z), z = x², for |x| < 0.625 (Cephes).
const TP0: f64 = -9.643_991_794_250_523e-1;
const TP1: f64 = -9.928_772_310_019_185e1;
const TP2: f64 = -1.614_687_684_417_084_5e3;
const TQ0: f64 = 1.128_116_784_916_329_3e2;
const TQ1: f64 = 2.235_488_390_601_004_5e3;
const TQ2: f64 = 4.844_063_053_251_255e3;

/// Below this `|x|`, `tanh(x)` rounds to `x`.
const TANH_TINY: f64 = 3.725_290_298_461_914e-9; // 2^-28

/// `tanh(x)` in every lane, within 2 ulp (the module's table has the
/// measured bound); odd (`tanh(−0) = −0`), `±1` for `±∞`, NaN for NaN.
#[inline(always)]
pub(crate) fn tanh(x: F64x4) -> F64x4 {
    let a = x.abs();
    let z = x * x;
    let p = (TP0 * z + TP1) * z + TP2;
    let q = ((z + TQ0) * z + TQ1) * z + TQ2;
    let near = x + x * z * (p / q);
    let e = exp(a + a);
    let far = (1.0 - 2.0 / (e + 1.0)).zip(x, f64::copysign);
    let small = a.test(|v| v < 0.625);
    let tiny = a.test(|v| v < TANH_TINY);
    tiny.select(x, small.select(near, far))
}
