//! Exact reductions against independent references, and their invariance:
//! the same bits for any order, layout, block size and thread count.
//!
//! Two references, neither of which shares code with ndpar:
//! * data `k · 2^-40` with integer `k`, summed in i128 and converted once
//!   (Rust's `i128 as f64` rounds correctly);
//! * for values across the whole exponent range, a test-local two's
//!   complement big integer holds the exact sum `S`, and the result `r` is
//!   checked to be correctly rounded: `|S - r| ≤ ulp(r) / 2`, with an even
//!   significand on a tie.

use crate::common::*;
use ndarray::{Array1, Array2, ArrayD, Axis, IxDyn, ShapeBuilder, s};
use ndpar::Params;
use ndpar::prelude::*;
use ndpar::state::{ArgMax, ArgMin, ExactDot, ExactSum, MinMax, Moments};
use proptest::prelude::*;

/// Limbs of the reference integer: 64 × 36 bits, scaled by 2^1075 (so every
/// f64 is an integer), room for 2^1024 · 2^70.
const LIMBS: usize = 36;

/// A two's complement fixed-point integer: `value · 2^-1075`.
#[derive(Clone, PartialEq, Eq, Debug)]
struct Big([u64; LIMBS]);

impl Big {
    fn zero() -> Big {
        Big([0; LIMBS])
    }

    /// Adds `±m · 2^shift`.
    fn add(&mut self, m: u64, shift: u32, neg: bool) {
        let mut term = [0u64; LIMBS];
        let (limb, bit) = ((shift / 64) as usize, shift % 64);
        term[limb] = m << bit;
        if bit > 0 && limb + 1 < LIMBS {
            term[limb + 1] = m >> (64 - bit);
        }
        if neg {
            // Two's complement negation of the term.
            let mut carry = true;
            for t in &mut term {
                let (v, c) = (!*t).overflowing_add(u64::from(carry));
                *t = v;
                carry = c;
            }
        }
        let mut carry = false;
        for (s, t) in self.0.iter_mut().zip(term) {
            let (v1, c1) = s.overflowing_add(t);
            let (v2, c2) = v1.overflowing_add(u64::from(carry));
            *s = v2;
            carry = c1 || c2;
        }
    }

    /// Adds a finite f64 (`sign · m · 2^(e - 1075)`).
    fn add_f64(&mut self, x: f64, neg_too: bool) {
        assert!(x.is_finite());
        let bits = x.to_bits();
        let exp = ((bits >> 52) & 0x7ff) as u32;
        let frac = bits & ((1 << 52) - 1);
        let (m, e) = if exp == 0 {
            (frac, 1)
        } else {
            (frac | 1 << 52, exp)
        };
        let neg = (bits >> 63 == 1) != neg_too;
        self.add(m, e, neg);
    }

    fn is_neg(&self) -> bool {
        self.0[LIMBS - 1] >> 63 == 1
    }

    fn abs(&self) -> Big {
        if !self.is_neg() {
            return self.clone();
        }
        let mut out = Big::zero();
        let mut carry = true;
        for (o, s) in out.0.iter_mut().zip(self.0) {
            let (v, c) = (!s).overflowing_add(u64::from(carry));
            *o = v;
            carry = c;
        }
        out
    }

    fn cmp_mag(&self, other: &Big) -> std::cmp::Ordering {
        self.0.iter().rev().cmp(other.0.iter().rev())
    }
}

/// Asserts that `r` is the correctly rounded value of `xs`'s exact sum.
fn assert_correctly_rounded(xs: &[f64], r: f64) {
    let mut exact = Big::zero();
    for &x in xs {
        exact.add_f64(x, false);
    }
    if r.is_infinite() {
        // Overflow only when |S| ≥ 2^1024 − 2^970 (MAX plus half an ulp).
        let mut bound = Big::zero();
        bound.add(1, 1024 + 1075, false);
        bound.add(1, 970 + 1075, true);
        assert_eq!(exact.is_neg(), r < 0.0, "sign of the overflow");
        assert_ne!(
            exact.abs().cmp_mag(&bound),
            std::cmp::Ordering::Less,
            "overflowed below the threshold"
        );
        return;
    }
    let mut diff = exact.clone();
    diff.add_f64(r, true);
    let exp = ((r.to_bits() >> 52) & 0x7ff) as u32;
    // Half an ulp of r, in units of 2^-1075: 2^(max(E, 1) - 1).
    let mut half = Big::zero();
    half.add(1, exp.max(1) - 1, false);
    match diff.abs().cmp_mag(&half) {
        std::cmp::Ordering::Less => {}
        std::cmp::Ordering::Equal => {
            assert_eq!(r.to_bits() & 1, 0, "a tie must round to even: {r:e}")
        }
        std::cmp::Ordering::Greater => panic!("{r:e} is not the nearest value to the sum"),
    }
    if exact == Big::zero() {
        assert_eq!(r.to_bits(), 0, "an exact zero is +0.0");
    }
}

/// Values across the whole exponent range: subnormals, near-overflow
/// values, exact opposites (cancellation) and ties.
fn wide() -> impl Strategy<Value = f64> + Clone {
    prop_oneof![
        3 => any::<f64>().prop_filter("finite", |x| x.is_finite()),
        2 => -1e3f64..1e3,
        1 => (1u64..1 << 52).prop_map(f64::from_bits), // subnormal
        1 => (1u64..1000).prop_map(|k| -f64::from_bits(k)),
        1 => (0.9f64..1.0).prop_map(|f| f * f64::MAX),
        1 => (0.9f64..1.0).prop_map(|f| -f * f64::MAX),
        1 => (-60i32..60).prop_map(|e| 2f64.powi(e)),
        1 => Just(-0.0),
        1 => Just(1e16),
        1 => Just(-1e16),
    ]
}

/// `k · 2^-40` for |k| < 2^40.
fn scaled_int() -> impl Strategy<Value = i64> + Clone {
    prop_oneof![
        4 => -(1i64 << 40)..(1i64 << 40),
        2 => -1000i64..1000,
        1 => Just(1i64 << 39),
        1 => Just(-(1i64 << 39)),
    ]
}

/// Every layout and block size of the same logical values.
fn layouts(values: &[f64], shape: &[usize]) -> Vec<(String, ArrayD<f64>)> {
    let c = ArrayD::from_shape_vec(IxDyn(shape), values.to_vec()).unwrap();
    let mut f = ArrayD::zeros(IxDyn(shape).f());
    f.assign(&c);
    vec![("C".into(), c.clone()), ("F".into(), f)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Integer-scaled data: the exact sum in i128, rounded once.
    #[test]
    fn sum_matches_i128_reference(ks in prop::collection::vec(scaled_int(), 0..3000), b in params()) {
        let scale = 2f64.powi(-40);
        let xs: Vec<f64> = ks.iter().map(|&k| k as f64 * scale).collect();
        let total: i128 = ks.iter().map(|&k| i128::from(k)).sum();
        let want = total as f64 * scale;
        let a = Array1::from(xs.clone());
        let got = same_on_threads(&THREADS, b, || a.par_sum_exact());
        prop_assert_eq!(got.to_bits(), want.to_bits());
        // f32: the same integers scaled, rounded once to f32.
        let a32 = a.mapv(|x| x as f32);
        let exact32: i128 = ks.iter().map(|&k| i128::from(((k as f64 * scale) as f32 / scale as f32) as i64)).sum();
        let want32 = (exact32 as f32) * (scale as f32);
        prop_assert_eq!(b.install(|| a32.par_sum_exact()).to_bits(), want32.to_bits());
        // The mean: one rounding of total / n (checked in f64 when exact).
        if !xs.is_empty() && total % (xs.len() as i128) == 0 {
            let mean = (total / xs.len() as i128) as f64 * scale;
            prop_assert_eq!(a.par_mean_exact().unwrap().to_bits(), mean.to_bits());
        }
    }

    /// Any finite values: correctly rounded, on every layout, block size,
    /// thread count and order.
    #[test]
    fn sum_is_correctly_rounded_everywhere(xs in prop::collection::vec(wide(), 1..400), b in params(), seed in any::<u64>()) {
        let a = Array1::from(xs.clone());
        let r = same_on_threads(&THREADS, b, || a.par_sum_exact());
        assert_correctly_rounded(&xs, r);
        // Shuffled.
        let mut shuffled = xs.clone();
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        prop_assert_eq!(Array1::from(shuffled).par_sum_exact().to_bits(), r.to_bits());
        // Every layout of a 2-D arrangement, any block size.
        if xs.len() % 4 == 0 {
            let shape = [4, xs.len() / 4];
            for (name, arr) in layouts(&xs, &shape) {
                let got = b.install(|| arr.par_sum_exact());
                prop_assert_eq!(got.to_bits(), r.to_bits(), "{}", name);
                let t = arr.t();
                prop_assert_eq!(t.par_sum_exact().to_bits(), r.to_bits());
                let rev = arr.slice_each_axis(|_| ndarray::Slice::new(0, None, -1));
                prop_assert_eq!(rev.par_sum_exact().to_bits(), r.to_bits());
            }
        }
    }

    /// The exact mean is the correctly rounded quotient: |S − n·m| is at
    /// most n · ulp(m) / 2, all in exact big-integer arithmetic.
    #[test]
    fn mean_is_one_rounding(xs in prop::collection::vec(wide(), 1..60)) {
        mean_is_one_rounding_case(xs)?;
    }

    /// Exact dot products: integer-scaled data against i128.
    #[test]
    fn dot_matches_i128_reference(pairs in prop::collection::vec((-(1i64 << 30)..(1i64 << 30), -(1i64 << 30)..(1i64 << 30)), 0..1000), b in params()) {
        let scale = 2f64.powi(-20);
        let x: Array1<f64> = pairs.iter().map(|p| p.0 as f64 * scale).collect();
        let y: Array1<f64> = pairs.iter().map(|p| p.1 as f64 * scale).collect();
        let total: i128 = pairs.iter().map(|p| i128::from(p.0) * i128::from(p.1)).sum();
        let want = total as f64 * scale * scale;
        let got = same_on_threads(&THREADS, b, || x.par_dot_exact(&y));
        prop_assert_eq!(got.to_bits(), want.to_bits());
    }

    /// States merged in any grouping give the one-pass result.
    #[test]
    fn states_merge_in_any_grouping(xs in prop::collection::vec(f64_with_nan(), 0..300), cuts in prop::collection::vec(0usize..300, 0..6)) {
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(xs.len())).collect();
        cuts.push(0);
        cuts.push(xs.len());
        cuts.sort_unstable();
        let parts: Vec<(usize, &[f64])> = cuts.windows(2).map(|w| (w[0], &xs[w[0]..w[1]])).collect();

        let (mut s1, mut mm1, mut lo1, mut hi1) = (ExactSum::new(), MinMax::new(), ArgMin::new(), ArgMax::new());
        s1.extend(&xs); mm1.extend(&xs); lo1.extend(0, &xs); hi1.extend(0, &xs);

        // Left to right, then right to left for the order-free states.
        let mut s2 = ExactSum::new();
        let mut mm2 = MinMax::new();
        for &(start, p) in &parts {
            let mut s = ExactSum::new(); s.extend(p); s2.merge(&s);
            let mut m = MinMax::new(); m.extend(p); mm2.merge(&m);
            let _ = start;
        }
        let (mut lo2, mut hi2, mut s3) = (ArgMin::new(), ArgMax::new(), ExactSum::new());
        for &(start, p) in parts.iter().rev() {
            let mut l = ArgMin::new(); l.extend(start as u64, p); lo2.merge(&l);
            let mut h = ArgMax::new(); h.extend(start as u64, p); hi2.merge(&h);
            let mut s = ExactSum::new(); s.extend(p); s3.merge(&s);
        }
        prop_assert_eq!(s1.sum().to_bits(), s2.sum().to_bits());
        prop_assert_eq!(s1.sum().to_bits(), s3.sum().to_bits());
        prop_assert_eq!(format!("{:?}", mm1), format!("{:?}", mm2));
        prop_assert_eq!(format!("{:?}", lo1.get()), format!("{:?}", lo2.get()));
        prop_assert_eq!(format!("{:?}", hi1.get()), format!("{:?}", hi2.get()));
        // And the whole-array kernels agree with the states.
        let a = Array1::from(xs.clone());
        prop_assert_eq!(format!("{:?}", a.par_min()), format!("{:?}", mm1.min()));
        prop_assert_eq!(a.par_argmax().map(|i| i as u64), hi1.get().map(|h| h.0));
        // Moments: close to the one-pass state (Chan's merge rounds).
        let mut m1 = Moments::new(); m1.extend(&xs);
        let mut m2 = Moments::new();
        for &(_, p) in &parts { let mut m = Moments::new(); m.extend(p); m2.merge(&m); }
        prop_assert_eq!(m1.count(), m2.count());
        if let (Some(a), Some(b)) = (m1.mean(), m2.mean()) {
            prop_assert!(a.is_nan() == b.is_nan());
            prop_assert!(a.is_nan() || (a - b).abs() <= 1e-9 * (1.0 + a.abs()));
        }
    }

    /// Encodings round-trip, and any corruption is an error or a valid
    /// state, never a panic.
    #[test]
    fn encodings_round_trip_and_reject_garbage(xs in prop::collection::vec(wide(), 0..50), flip in any::<(usize, u8)>()) {
        let mut s = ExactSum::<f64>::new();
        s.extend(&xs);
        let bytes = s.to_bytes();
        prop_assert_eq!(ExactSum::<f64>::from_bytes(&bytes).unwrap(), s.clone());
        prop_assert!(ExactSum::<f32>::from_bytes(&bytes).is_err());
        prop_assert!(ExactDot::<f64>::from_bytes(&bytes).is_err());
        prop_assert!(ExactSum::<f64>::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        let mut bad = bytes.clone();
        let i = flip.0 % bad.len();
        bad[i] ^= flip.1.max(1);
        let _ = ExactSum::<f64>::from_bytes(&bad).map(|s| s.sum());
        let mut m = Moments::new();
        m.extend(&xs);
        let _ = Moments::<f64>::from_bytes(&bad);
        prop_assert_eq!(format!("{:?}", Moments::<f64>::from_bytes(&m.to_bytes()).unwrap()), format!("{:?}", m));
    }
}

#[test]
fn specials_follow_ieee() {
    let inf = f64::INFINITY;
    let sum = |xs: &[f64]| Array1::from(xs.to_vec()).par_sum_exact();
    assert_eq!(sum(&[1.0, inf, -3.0]), inf);
    assert_eq!(sum(&[1.0, -inf]), -inf);
    assert!(sum(&[inf, -inf]).is_nan());
    assert!(sum(&[1.0, f64::NAN]).is_nan());
    assert_eq!(sum(&[]).to_bits(), 0);
    assert_eq!(
        sum(&[-0.0, -0.0]).to_bits(),
        0,
        "+0.0, as numpy and math.fsum"
    );
    assert_eq!(sum(&[f64::MAX, f64::MAX]), inf);
    assert_eq!(sum(&[-f64::MAX, -f64::MAX]), -inf);
    assert_eq!(sum(&[f64::MAX, f64::MAX, -f64::MAX]), f64::MAX);
    assert_eq!(sum(&[5e-324, 5e-324]), 1e-323);
    let x = Array1::from(vec![inf, 1.0]);
    let y = Array1::from(vec![0.0, 1.0]);
    assert!(x.par_dot_exact(&y).is_nan(), "inf · 0 is NaN");
    let big = Array1::from(vec![1e300, 1e300, -1e300]);
    assert_eq!(
        big.par_dot_exact(&Array1::from(vec![1e300, 1e300, 1e300])),
        1e300 * 1.0e300,
        "an overflowed product is kept exactly, and the result overflows only if it must"
    );
    let tiny = Array1::from(vec![1e-200, 3.0]);
    assert_eq!(
        tiny.par_dot_exact(&Array1::from(vec![1e-200, 1e-300])),
        3e-300 + 1e-400
    );
    assert_eq!(
        Array1::<f32>::from(vec![f32::MAX, f32::MAX, -f32::MAX]).par_sum_exact(),
        f32::MAX
    );
    assert_eq!(
        Array1::<f32>::from(vec![f32::MAX, f32::MAX]).par_sum_exact(),
        f32::INFINITY
    );
}

/// f32 results are rounded once: a sum whose f64 rounding would be a tie
/// in f32 but whose exact value is not.
#[test]
fn f32_results_are_rounded_once() {
    // 1 + 2^-24 is a tie between 1 and 1 + 2^-23 in f32; a tiny extra
    // term breaks it upwards, which rounding to f64 first would lose.
    let xs = Array1::from(vec![1.0f32, 2f32.powi(-24), 2f32.powi(-100)]);
    assert_eq!(xs.par_sum_exact(), 1.0 + 2f32.powi(-23));
    let ys = Array1::from(vec![1.0f32, 2f32.powi(-24)]);
    assert_eq!(ys.par_sum_exact(), 1.0);
}

#[test]
fn sum_axis_exact_is_layout_free() {
    let a = Array2::from_shape_fn((37, 53), |(i, j)| {
        let k = (i * 53 + j) as f64;
        (k * 0.37).sin() * 10f64.powi((i % 7) as i32 * 5 - 15)
    });
    let mut f = Array2::zeros((37, 53).f());
    f.assign(&a);
    for ax in [Axis(0), Axis(1)] {
        let want: Vec<f64> = a
            .lanes(ax)
            .into_iter()
            .map(|lane| {
                let mut s = ExactSum::new();
                lane.iter().for_each(|&x| s.add(x));
                s.sum()
            })
            .collect();
        for p in [
            Params::default(),
            Params::always_parallel().with_block_bytes(64),
        ] {
            let got = same_on_threads(&[1, 2, 3], p, || a.par_sum_axis_exact(ax));
            assert_eq!(got.to_vec(), want);
            assert_eq!(p.install(|| f.par_sum_axis_exact(ax)).to_vec(), want);
            let rev = a.slice(s![..;-1, ..;-1]);
            let mut want_rev = want.clone();
            want_rev.reverse();
            assert_eq!(p.install(|| rev.par_sum_axis_exact(ax)).to_vec(), want_rev);
        }
    }
    assert_eq!(
        Array2::<f64>::zeros((0, 4)).par_sum_axis_exact(Axis(0)),
        Array1::<f64>::zeros(4)
    );
}

/// Ties round to even; a tie broken by a tiny term rounds away.
#[test]
fn ties_round_to_even() {
    let h = 2f64.powi(-53);
    let up = 1.0 + 2.0 * h; // 1 + 2^-52, odd significand
    for xs in [
        vec![1.0, h],
        vec![up, h],
        vec![1.0, h, 1e-300],
        vec![up, -h],
        vec![1e300, h * 1e300, -1e-300],
        vec![2.5e-323, -5e-324],
        // Bits more than 84 below the largest value: left over by both
        // splitting levels of the fast path.
        vec![1.0, 2f64.powi(-90), -1.0, 3e-200],
        vec![0.75, 2f64.powi(-60) + 2f64.powi(-110), -0.75],
    ] {
        let r = Array1::from(xs.clone()).par_sum_exact();
        assert_correctly_rounded(&xs, r);
    }
    assert_eq!(Array1::from(vec![1.0, h]).par_sum_exact(), 1.0);
    assert_eq!(
        Array1::from(vec![1.0, 2f64.powi(-90), -1.0]).par_sum_exact(),
        2f64.powi(-90)
    );
    assert_eq!(Array1::from(vec![up, h]).par_sum_exact(), 1.0 + 4.0 * h);
    assert_eq!(Array1::from(vec![1.0, h, 1e-300]).par_sum_exact(), up);
}

/// Long sums whose batches grow and shrink in magnitude (the fast path
/// guesses each batch's scale from the previous one), with tiny values
/// left over by both splitting levels, and a NaN-free but infinite-free
/// mix of every path.
#[test]
fn long_sums_with_changing_scales() {
    let xs: Vec<f64> = (0..20_000)
        .map(|i| {
            let scale = 2f64.powi((i / 1000 % 7) * 40 - 120);
            let x = ((i as f64) * 0.618_033_988_749_895).fract() - 0.5;
            match i % 997 {
                0 => 2f64.powi(-300),
                1 => -scale * 3.0,
                _ => x * scale,
            }
        })
        .collect();
    for p in [
        Params::default(),
        Params::always_parallel().with_block_bytes(1024),
    ] {
        let r = same_on_threads(&[1, 2, 3], p, || Array1::from(xs.clone()).par_sum_exact());
        assert_correctly_rounded(&xs, r);
        let mut reversed = xs.clone();
        reversed.reverse();
        assert_eq!(
            Array1::from(reversed).par_sum_exact().to_bits(),
            r.to_bits()
        );
    }
}

/// Every state the library returns equals its own round trip through its
/// bytes — states holding NaN, signed zeros and infinities, and histograms
/// with equal neighbouring edges (which `par_histogram_edges` accepts) —
/// and states that encode differently are not equal.
#[test]
fn every_state_equals_its_round_trip() {
    use ndpar::Histogram;
    use ndpar::histogram::par_histogram_edges;
    let data = [1.0, f64::NAN, -0.0, f64::INFINITY, 2.0, f64::NAN];
    let mut mm = MinMax::new();
    mm.extend(&data);
    assert_eq!(MinMax::<f64>::from_bytes(&mm.to_bytes()).unwrap(), mm);
    let (mut lo, mut hi) = (ArgMin::new(), ArgMax::new());
    lo.extend(0, &data);
    hi.extend(0, &data);
    assert_eq!(ArgMin::<f64>::from_bytes(&lo.to_bytes()).unwrap(), lo);
    assert_eq!(ArgMax::<f64>::from_bytes(&hi.to_bytes()).unwrap(), hi);
    let mut m = Moments::new();
    m.extend(&data);
    assert_eq!(Moments::<f64>::from_bytes(&m.to_bytes()).unwrap(), m);
    let mut s = ExactSum::new();
    s.extend(&data);
    assert_eq!(ExactSum::<f64>::from_bytes(&s.to_bytes()).unwrap(), s);
    let mut d = ExactDot::new();
    d.extend(&data, &data);
    assert_eq!(ExactDot::<f64>::from_bytes(&d.to_bytes()).unwrap(), d);
    for edges in [
        ndarray::array![0.0, 1.0, 1.0, 2.0],
        ndarray::array![5.0, 5.0],
        ndarray::array![-0.0, 0.0, 3.0],
    ] {
        let h = par_histogram_edges(&ndarray::array![0.5, 1.0, 1.5, 5.0], &edges).unwrap();
        assert_eq!(
            Histogram::<f64>::from_bytes(&h.to_bytes()).unwrap(),
            h,
            "{edges}"
        );
    }
    // Different encodings are different states.
    let mut other = MinMax::new();
    other.extend(&[1.0, 2.0]);
    assert_ne!(other, mm);
    let mut zero = MinMax::new();
    zero.add(0.0);
    let mut negative_zero = MinMax::new();
    negative_zero.add(-0.0);
    assert_ne!(zero, negative_zero);
    let mut d2 = ExactDot::new();
    d2.extend(&[1.0], &[2.0]);
    assert_ne!(d2, d);
}

/// The exact mean is the nearest float to the real mean.
fn mean_is_one_rounding_case(xs: Vec<f64>) -> Result<(), TestCaseError> {
    let a = Array1::from(xs.clone());
    let m = a.par_mean_exact().unwrap();
    prop_assume!(m.is_finite());
    let n = xs.len() as u32;
    let mut diff = Big::zero();
    for &x in &xs {
        diff.add_f64(x, false);
    }
    let exp = ((m.to_bits() >> 52) & 0x7ff) as u32;
    let mut half_n = Big::zero();
    for _ in 0..n {
        diff.add_f64(m, true);
        half_n.add(1, exp.max(1) - 1, false);
    }
    match diff.abs().cmp_mag(&half_n) {
        std::cmp::Ordering::Less => {}
        std::cmp::Ordering::Equal => prop_assert_eq!(m.to_bits() & 1, 0),
        std::cmp::Ordering::Greater => prop_assert!(false, "{:e} is not the nearest mean", m),
    }
    Ok(())
}

// An input that once failed, written out.

#[test]
fn regression_mean_of_a_subnormal_and_negative_zero() {
    mean_is_one_rounding_case(vec![5.1481382668173e-310, -0.0]).unwrap();
    let a = Array1::from(vec![5.1481382668173e-310f64, -0.0]);
    assert_eq!(
        a.par_sum_exact().to_bits(),
        5.1481382668173e-310f64.to_bits()
    );
}
