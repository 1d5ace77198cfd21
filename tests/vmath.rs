//! `ndpar::vmath` against the platform's libm: the error bounds its docs
//! state, measured on 10^7 values per function over the whole domain plus
//! every edge value, and the same bits at every vector level.

use ndpar::simd::{self, Level};
use ndpar::vmath::{self, F64x64};

/// The bound `vmath::powf` documents.
const POWF_ULPS: f64 = 8.0;

/// Values per function drawn over its domain.
const DRAWS: usize = 10_000_000;

/// A small deterministic generator (splitmix64).
struct Draws(u64);

impl Draws {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `[lo, hi)`.
    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * ((self.next() >> 11) as f64 / (1u64 << 53) as f64)
    }

    /// Any f64 bit pattern: every exponent equally likely.
    fn any_bits(&mut self) -> f64 {
        f64::from_bits(self.next())
    }
}

/// Distance in units in the last place, with NaN equal to NaN and ±0
/// equal; infinite where only one is NaN or the signs differ.
fn ulps(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        return if a.is_nan() && b.is_nan() {
            0.0
        } else {
            f64::INFINITY
        };
    }
    if a == b {
        return 0.0;
    }
    if a.is_sign_negative() != b.is_sign_negative() {
        return f64::INFINITY;
    }
    let (x, y) = (a.abs().to_bits(), b.abs().to_bits());
    x.abs_diff(y) as f64
}

/// Edge values every function is checked on.
fn edges() -> Vec<f64> {
    let mut v = vec![
        0.0,
        -0.0,
        f64::MIN_POSITIVE,
        -f64::MIN_POSITIVE,
        f64::MIN_POSITIVE / 3.0,
        5e-324,
        -5e-324,
        f64::MAX,
        f64::MIN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        1.0,
        -1.0,
        f64::EPSILON,
        1.0 + f64::EPSILON,
        1.0 - f64::EPSILON / 2.0,
        709.782712893384,
        709.7827128933841,
        -708.3964185322641,
        -745.1332191019411,
        -745.1332191019412,
        0.625,
        0.6249999999999999,
        22.0,
        1_647_099.329_165_285_5,
        1_647_099.329_165_285_4,
        1e22,
    ];
    for k in -2000..2000 {
        let m = f64::from(k) * std::f64::consts::FRAC_PI_2;
        v.extend([
            m,
            f64::from_bits(m.to_bits() + 1),
            f64::from_bits(m.to_bits().wrapping_sub(1)),
        ]);
    }
    v
}

/// The largest error of `fast` against `libm` over `xs`, with the worst
/// input.
fn worst(xs: &[f64], fast: fn(F64x64) -> F64x64, libm: fn(f64) -> f64) -> (f64, f64) {
    let mut out = vec![0.0; xs.len()];
    vmath::map(xs, &mut out, fast);
    let mut w = (0.0, f64::NAN);
    for (&x, &y) in xs.iter().zip(&out) {
        let e = ulps(y, libm(x));
        if e > w.0 {
            w = (e, x);
        }
    }
    w
}

fn check(name: &str, xs: Vec<f64>, fast: fn(F64x64) -> F64x64, libm: fn(f64) -> f64, bound: f64) {
    let (e, x) = worst(&xs, fast, libm);
    let (ee, ex) = worst(&edges(), fast, libm);
    println!("{name}: {e} ulp at {x:e}; edges {ee} ulp at {ex:e}");
    assert!(e <= bound, "{name}({x:e}) is {e} ulp from libm");
    assert!(ee <= bound, "{name}({ex:e}) is {ee} ulp from libm");
}

#[test]
fn exp_within_one_ulp() {
    let mut d = Draws(1);
    let mut xs: Vec<f64> = (0..DRAWS / 2).map(|_| d.uniform(-746.0, 710.0)).collect();
    xs.extend(
        (0..DRAWS / 2).map(|_| d.uniform(-1.0, 1.0) * 10f64.powi((d.next() % 20) as i32 - 18)),
    );
    check("exp", xs, vmath::exp, f64::exp, 1.0);
}

#[test]
fn ln_within_one_ulp() {
    let mut d = Draws(2);
    let mut xs: Vec<f64> = (0..DRAWS / 2).map(|_| d.any_bits().abs()).collect();
    xs.extend((0..DRAWS / 2).map(|_| d.uniform(0.5, 2.0)));
    check("ln", xs, vmath::ln, f64::ln, 1.0);
}

#[test]
fn sin_and_cos_within_one_ulp() {
    let mut d = Draws(3);
    let mut xs: Vec<f64> = (0..DRAWS / 2).map(|_| d.uniform(-10.0, 10.0)).collect();
    xs.extend((0..DRAWS / 4).map(|_| d.uniform(-1.7e6, 1.7e6)));
    xs.extend((0..DRAWS / 4).map(|_| {
        // Near multiples of π/2: where the reduction cancels most.
        let m = (d.next() % 2_000_000) as f64 * std::f64::consts::FRAC_PI_2;
        f64::from_bits(m.to_bits().wrapping_add(d.next() % 64).wrapping_sub(32))
    }));
    xs.extend((0..1000).map(|_| d.any_bits()));
    check("sin", xs.clone(), vmath::sin, f64::sin, 1.0);
    check("cos", xs, vmath::cos, f64::cos, 1.0);
}

#[test]
fn tanh_within_two_ulp() {
    let mut d = Draws(4);
    let mut xs: Vec<f64> = (0..DRAWS / 2).map(|_| d.uniform(-20.0, 20.0)).collect();
    xs.extend(
        (0..DRAWS / 2).map(|_| d.uniform(-1.0, 1.0) * 10f64.powi((d.next() % 12) as i32 - 10)),
    );
    check("tanh", xs, vmath::tanh, f64::tanh, 2.0);
}

#[test]
fn sqrt_is_correctly_rounded() {
    let mut d = Draws(5);
    let xs: Vec<f64> = (0..DRAWS / 10).map(|_| d.any_bits()).collect();
    check("sqrt", xs, vmath::sqrt, f64::sqrt, 0.0);
}

#[test]
fn powf_within_eight_ulp() {
    let mut d = Draws(6);
    let n = DRAWS / 10;
    let mut x: Vec<f64> = (0..n).map(|_| d.uniform(0.0, 4.0)).collect();
    let mut y: Vec<f64> = (0..n).map(|_| d.uniform(-40.0, 40.0)).collect();
    // Results over the whole range: y · ln x anywhere in [−745, 709].
    for _ in 0..n {
        let b = d.uniform(0.0, 1e6);
        x.push(b);
        y.push(d.uniform(-745.0, 709.0) / b.ln());
    }
    let mut out = vec![0.0; x.len()];
    vmath::zip_map(&x, &y, &mut out, vmath::powf);
    let mut worst: f64 = 0.0;
    for i in 0..x.len() {
        let exact = x[i].powf(y[i]);
        let e = ulps(out[i], exact);
        // The bound the docs state.
        let bound = POWF_ULPS;
        assert!(e <= bound, "powf({}, {}) is {e} ulp from libm", x[i], y[i]);
        worst = worst.max(e);
    }
    println!("powf: worst error {worst} ulp");
    let specials = [
        (0.0, 2.0, 0.0),
        (0.0, -1.0, f64::INFINITY),
        (f64::NAN, 0.0, 1.0),
        (1.0, f64::NAN, 1.0),
        (2.0, f64::INFINITY, f64::INFINITY),
        (0.5, f64::INFINITY, 0.0),
    ];
    for (x, y, want) in specials {
        let got = vmath::powf(F64x64::splat(x), F64x64::splat(y)).0[0];
        assert_eq!(ulps(got, want), 0.0, "powf({x}, {y}) = {got}, not {want}");
    }
}

#[test]
fn every_vector_level_gives_the_same_bits() {
    let mut d = Draws(7);
    let mut xs: Vec<f64> = (0..100_003).map(|_| d.uniform(-800.0, 800.0)).collect();
    xs.extend(edges());
    let all = |x: F64x64| {
        let a = vmath::exp(x) * vmath::sin(x) + vmath::cos(x) * vmath::tanh(x);
        a + vmath::ln(x.abs()) + vmath::powf(x.abs(), F64x64::splat(0.37))
    };
    let mut reference = None;
    for level in Level::ALL.into_iter().filter(|l| l.is_supported()) {
        simd::force(Some(level)).unwrap();
        let mut out = vec![0.0; xs.len()];
        vmath::map(&xs, &mut out, all);
        let bits: Vec<u64> = out
            .iter()
            .map(|v| if v.is_nan() { 0 } else { v.to_bits() })
            .collect();
        match &reference {
            None => reference = Some(bits),
            Some(r) => assert!(r == &bits, "{} differs from the baseline", level.name()),
        }
    }
    simd::force(None).unwrap();
}
