//! Reproducible random arrays: same seed → same array on every thread
//! count; different seeds and different blocks differ; views and prefixes
//! keep their promises; and the samples pass statistical sanity checks with
//! fixed seeds and tolerances derived from the sample size (so the tests
//! cannot flake).
#![cfg(feature = "random")]

use ndarray::{Array1, Array2, ShapeBuilder, s};
use ndpar::random::rand::rngs::StdRng;
use ndpar::random::{
    Bernoulli, Exp, Normal, STREAM_LEN, StandardNormal, Uniform, par_fill_random,
    par_fill_random_using, par_monte_carlo, par_random, par_random_using,
};

const THREADS: [isize; 6] = [1, 2, 3, 4, 7, 16];

#[test]
fn same_seed_same_array_on_every_thread_count() {
    let want = par_random::<f64, _, _>((700, 400), &StandardNormal, 11);
    let bits: Vec<u64> = want.iter().map(|x| x.to_bits()).collect();
    for t in THREADS {
        let got = ndpar::with_threads(t, || {
            par_random::<f64, _, _>((700, 400), &StandardNormal, 11)
        })
        .unwrap();
        assert_eq!(
            got.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            bits,
            "{t} threads"
        );
        let got = ndpar::with_threads(t, || {
            par_random_using::<StdRng, f64, _, _>(300_000, &StandardNormal, 11)
        })
        .unwrap();
        assert_eq!(
            got,
            par_random_using::<StdRng, f64, _, _>(300_000, &StandardNormal, 11)
        );
        let mc = ndpar::with_threads(t, || {
            par_monte_carlo(200_000, 5, ndpar::random::rand::Rng::random::<f64>)
        })
        .unwrap()
        .unwrap();
        assert_eq!(
            mc,
            par_monte_carlo(200_000, 5, ndpar::random::rand::Rng::random::<f64>).unwrap()
        );
    }
}

#[test]
fn different_seeds_and_blocks_differ() {
    let a = par_random::<f64, _, _>(10 * STREAM_LEN + 17, &StandardNormal, 1);
    let b = par_random::<f64, _, _>(10 * STREAM_LEN + 17, &StandardNormal, 2);
    let same = a.iter().zip(&b).filter(|(x, y)| x == y).count();
    assert_eq!(same, 0, "two seeds should share no values");
    // No two streams start alike, and no stream repeats another's start.
    let firsts: Vec<f64> = (0..11).map(|blk| a[blk * STREAM_LEN]).collect();
    for i in 0..firsts.len() {
        for j in i + 1..firsts.len() {
            assert_ne!(firsts[i], firsts[j], "streams {i} and {j} start alike");
        }
    }
    let head: Vec<f64> = a.slice(s![..64]).to_vec();
    for blk in 1..10 {
        let other = a
            .slice(s![blk * STREAM_LEN..blk * STREAM_LEN + 64])
            .to_vec();
        assert_ne!(other, head, "stream {blk} repeats stream 0");
    }
}

#[test]
fn fills_and_prefixes_match_the_whole_array() {
    let d = Uniform::new(0.0, 1.0).unwrap();
    let whole = par_random((300, 500), &d, 3);
    // A prefix of rows (row-major positions match).
    assert_eq!(par_random((120, 500), &d, 3), whole.slice(s![..120, ..]));
    // A fill of any layout equals par_random of its shape.
    let mut f = Array2::<f64>::zeros((300, 500).f());
    ndpar::with_threads(3, || par_fill_random(&mut f, &d, 3)).unwrap();
    assert_eq!(f, whole);
    let mut big = Array2::<f64>::zeros((600, 1000));
    let mut view = big.slice_mut(s![..;2, ..;2]);
    par_fill_random(&mut view, &d, 3);
    assert_eq!(view, whole);
    // Reversed and transposed views too: values follow the logical index.
    let mut backing = Array2::<f64>::zeros((500, 300));
    let mut rev = backing.slice_mut(s![..;-1, ..;-1]).reversed_axes();
    ndpar::with_threads(2, || par_fill_random(&mut rev, &d, 3)).unwrap();
    assert_eq!(rev, whole);
    let mut g = Array1::<f64>::zeros(1000);
    par_fill_random_using::<StdRng, _, _, _>(&mut g, &StandardNormal, 8);
    assert_eq!(
        g,
        par_random_using::<StdRng, f64, _, _>(1000, &StandardNormal, 8)
    );
}

/// Mean and variance of `xs` within 5 standard errors of the truth. The
/// standard error of the variance uses the distribution's fourth central
/// moment `mu4`.
fn check_moments(xs: &[f64], mean: f64, var: f64, mu4: f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0);
    let se_mean = (var / n).sqrt();
    let se_var = ((mu4 - var * var) / n).sqrt();
    assert!(
        (m - mean).abs() < 5.0 * se_mean,
        "mean {m} vs {mean} (se {se_mean})"
    );
    assert!(
        (v - var).abs() < 5.0 * se_var,
        "variance {v} vs {var} (se {se_var})"
    );
}

#[test]
fn uniform_normal_and_exp_moments() {
    let n = 1_000_000;
    let u = par_random(n, &Uniform::new(0.0, 1.0).unwrap(), 100);
    check_moments(u.as_slice().unwrap(), 0.5, 1.0 / 12.0, 1.0 / 80.0);
    let (mu, sigma) = (2.0, 3.0);
    let x = par_random(n, &Normal::new(mu, sigma).unwrap(), 101);
    check_moments(
        x.as_slice().unwrap(),
        mu,
        sigma * sigma,
        3.0 * sigma.powi(4),
    );
    let e = par_random(n, &Exp::new(2.0).unwrap(), 102);
    // Exp(λ): mean 1/λ, variance 1/λ², fourth central moment 9/λ⁴.
    check_moments(e.as_slice().unwrap(), 0.5, 0.25, 9.0 / 16.0);
    let b = par_random(n, &Bernoulli::new(0.3).unwrap(), 103);
    let p = b.iter().filter(|&&x| x).count() as f64 / n as f64;
    assert!((p - 0.3).abs() < 5.0 * (0.3f64 * 0.7 / n as f64).sqrt());
}

/// Complementary error function (Numerical Recipes' `erfcc`, fractional
/// error below 1.2e-7: far below the KS statistic's resolution here).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87
                                        + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

#[test]
fn normal_sample_passes_kolmogorov_smirnov() {
    let n = 1_000_000;
    let mut xs = par_random::<f64, _, _>(n, &StandardNormal, 2026).to_vec();
    xs.sort_by(f64::total_cmp);
    let phi = |x: f64| 0.5 * erfc(-x / std::f64::consts::SQRT_2);
    let d = xs
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let f = phi(x);
            (f - i as f64 / n as f64)
                .abs()
                .max(((i + 1) as f64 / n as f64 - f).abs())
        })
        .fold(0.0f64, f64::max);
    // Critical value at the 0.1 % level: 1.9495 / sqrt(n).
    let critical = 1.9495 / (n as f64).sqrt();
    assert!(d < critical, "KS statistic {d} ≥ {critical}");
}

#[test]
fn monte_carlo_estimates_pi() {
    let mc = par_monte_carlo(2_000_000, 7, |rng| {
        use ndpar::random::rand::Rng;
        let (x, y): (f64, f64) = (rng.random(), rng.random());
        if x * x + y * y <= 1.0 { 4.0 } else { 0.0 }
    })
    .unwrap();
    assert_eq!(mc.samples, 2_000_000);
    // Bernoulli(π/4) scaled by 4: σ = 4·sqrt(p(1-p)).
    let p = std::f64::consts::FRAC_PI_4;
    let se = 4.0 * (p * (1.0 - p) / 2e6).sqrt();
    assert!(
        (mc.std_error - se).abs() < 0.01 * se,
        "{} vs {se}",
        mc.std_error
    );
    assert!((mc.mean - std::f64::consts::PI).abs() < 5.0 * se);
    assert!(par_monte_carlo(1, 7, |_| 1.0).is_none());
}
