//! `sin` and `cos`: `x = n·π/2 + y` with `y = y0 + y1` (Cody and Waite's
//! reduction with `π/2` in three 33-bit parts and a tail, exact for
//! `|x| < 2^20·π/2`), then the polynomial kernels of FreeBSD's
//! `k_sin.c`/`k_cos.c` on `[−π/4, π/4]`, chosen and signed by `n mod 4`.
//! Lanes beyond `2^20·π/2` need the full Payne–Hanek reduction; they are
//! rare in practice and go to the platform's `sin`/`cos` one by one.

use super::exp::ROUND;
use super::lanes::{F64x4, two_sum};

const INV_PIO2: f64 = std::f64::consts::FRAC_2_PI;
const PIO2_1: f64 = 1.570_796_326_734_125_6;
const PIO2_2: f64 = 6.077_100_506_303_966e-11;
const PIO2_3: f64 = 2.022_266_248_711_166_5e-21;
const PIO2_3T: f64 = 8.478_427_660_368_9e-32;

/// From here on, the three-part reduction is no longer exact.
const REDUCE_LIMIT: f64 = 1_647_099.329_165_285_5; // 2^20·π/2

const S1: f64 = -1.666_666_666_666_663_2e-1;
const S2: f64 = 8.333_333_333_322_49e-3;
const S3: f64 = -1.984_126_982_985_795e-4;
const S4: f64 = 2.755_731_370_707_006_8e-6;
const S5: f64 = -2.505_076_025_340_686_3e-8;
const S6: f64 = 1.589_690_995_211_55e-10;

const C1: f64 = 4.166_666_666_666_66e-2;
const C2: f64 = -1.388_888_888_887_411e-3;
const C3: f64 = 2.480_158_728_947_673e-5;
const C4: f64 = -2.755_731_435_139_066_3e-7;
const C5: f64 = 2.087_572_321_298_175e-9;
const C6: f64 = -1.135_964_755_778_819_5e-11;

/// `x − n·π/2 = y0 + y1` and `n mod 4` (as a float in `{0, 1, 2, 3}`).
#[inline(always)]
fn reduce(x: F64x4) -> (F64x4, F64x4, F64x4) {
    let t = x * INV_PIO2 + ROUND;
    let n = t - ROUND;
    let quadrant = F64x4::from_bits(t.bits().map(|b| (b & 3) + ROUND.to_bits())) - ROUND;
    // First part: n·PIO2_1 is exact, and so is the difference. The next
    // parts' products are exact too; their differences keep their
    // rounding errors, so that y0 + y1 carries every bit that matters.
    let r = x - n * PIO2_1;
    let (r, e2) = two_sum(r, -(n * PIO2_2));
    let (r, e3) = two_sum(r, -(n * PIO2_3));
    let w = (n * PIO2_3T - e3) - e2;
    let y0 = r - w;
    let y1 = (r - y0) - w;
    (y0, y1, quadrant)
}

/// `sin(y0 + y1)` for `|y0 + y1| ≤ π/4`.
#[inline(always)]
fn kernel_sin(x: F64x4, y: F64x4) -> F64x4 {
    let z = x * x;
    let w = z * z;
    let r = S2 + z * (S3 + z * S4) + z * w * (S5 + z * S6);
    let v = z * x;
    x - ((z * (0.5 * y - v * r) - y) - v * S1)
}

/// `cos(y0 + y1)` for `|y0 + y1| ≤ π/4`.
#[inline(always)]
fn kernel_cos(x: F64x4, y: F64x4) -> F64x4 {
    let z = x * x;
    let w = z * z;
    let r = z * (C1 + z * (C2 + z * C3)) + w * w * (C4 + z * (C5 + z * C6));
    let hz = 0.5 * z;
    let w = 1.0 - hz;
    w + (((1.0 - w) - hz) + (z * r - x * y))
}

/// Which kernel and sign each quadrant takes.
#[inline(always)]
fn by_quadrant(q: F64x4, s: F64x4, c: F64x4, shift: f64) -> F64x4 {
    // sin: quadrants 0..3 give s, c, −s, −c; cos is sin shifted by one.
    let q = q.map(|q| {
        let q = q + shift;
        if q >= 4.0 { q - 4.0 } else { q }
    });
    let odd = q.test(|q| q == 1.0 || q == 3.0);
    let negative = q.test(|q| q >= 2.0);
    let v = odd.select(c, s);
    negative.select(-v, v)
}

/// Lanes the fast reduction cannot take go to the platform's libm.
#[inline(always)]
fn patch_large(x: F64x4, mut y: F64x4, f: fn(f64) -> f64) -> F64x4 {
    let large = x.test(|v| v.abs() >= REDUCE_LIMIT && v.is_finite());
    if large.any() {
        patch(x, &mut y, f);
    }
    y
}

#[cold]
#[inline(never)]
fn patch(x: F64x4, y: &mut F64x4, f: fn(f64) -> f64) {
    for (y, &x) in y.0.iter_mut().zip(&x.0) {
        if x.abs() >= REDUCE_LIMIT && x.is_finite() {
            *y = f(x);
        }
    }
}

/// The sine of every lane (radians), within 1 ulp (the module's table has
/// the measured bound); `sin(±0) = ±0`, NaN for `±∞` and NaN.
#[inline(always)]
pub(crate) fn sin(x: F64x4) -> F64x4 {
    let (y0, y1, q) = reduce(x);
    let y = by_quadrant(q, kernel_sin(y0, y1), kernel_cos(y0, y1), 0.0);
    patch_large(x, y, f64::sin)
}

/// The cosine of every lane (radians), within 1 ulp (the module's table
/// has the measured bound); `cos(±0) = 1`, NaN for `±∞` and NaN.
#[inline(always)]
pub(crate) fn cos(x: F64x4) -> F64x4 {
    let (y0, y1, q) = reduce(x);
    let y = by_quadrant(q, kernel_sin(y0, y1), kernel_cos(y0, y1), 1.0);
    patch_large(x, y, f64::cos)
}
