//! Property tests: every reduction equals a simple sequential oracle, on
//! random shapes (0, 1, primes; 1–4 axes), every layout, f32/f64/i64, block
//! sizes that force many blocks, and thread counts 1, 2, 3, 4, 7, 16 — and
//! gives the same bits on every thread count.

use crate::common::*;
use ndarray::{ArrayViewD, Dimension, Ix1, Ix2, Ix3, Ix4};
use ndpar::Params;
use ndpar::prelude::*;
use proptest::prelude::*;

fn same_on_all_threads<R: Send + std::fmt::Debug>(params: Params, f: impl Fn() -> R + Sync) -> R {
    same_on_threads(&THREADS, params, f)
}

fn abs_sum(xs: &[f64]) -> f64 {
    xs.iter().map(|x| x.abs()).sum()
}

/// numpy's min/max: NaN if any NaN, else the extreme.
fn oracle_extreme<T: Copy + PartialOrd>(xs: &[T], better: impl Fn(T, T) -> bool) -> Option<T> {
    #[allow(clippy::eq_op)]
    if let Some(&nan) = xs.iter().find(|&&x| x != x) {
        return Some(nan);
    }
    xs.iter()
        .copied()
        .reduce(|a, b| if better(b, a) { b } else { a })
}

/// numpy's argmin/argmax: first NaN, else first extreme (row-major).
fn oracle_arg<T: Copy + PartialOrd>(xs: &[T], better: impl Fn(T, T) -> bool) -> Option<usize> {
    #[allow(clippy::eq_op)]
    if let Some(i) = xs.iter().position(|&x| x != x) {
        return Some(i);
    }
    let mut best: Option<usize> = None;
    for (i, &x) in xs.iter().enumerate() {
        if best.is_none_or(|b| better(x, xs[b])) {
            best = Some(i);
        }
    }
    best
}

/// A min or max result, printed so that NaN equals NaN but the sign of a
/// zero does not count: which zero wins a 0.0 / -0.0 tie is unspecified
/// (documented on `par_min`).
fn zero_sign_free(x: Option<f64>) -> String {
    format!("{:?}", x.map(|x| if x == 0.0 { 0.0 } else { x }))
}

/// The addresses of `v`'s elements in memory order, worked out from the
/// elements' addresses alone: sorted by the indices along broadcast
/// (zero-stride) axes, in logical order, then by address.
fn memory_order(v: &ArrayViewD<'_, i64>) -> Vec<usize> {
    let repeated: Vec<usize> = (0..v.ndim())
        .filter(|&ax| v.strides()[ax] == 0 && v.shape()[ax] > 1)
        .collect();
    let mut elems: Vec<(Vec<usize>, usize)> = v
        .indexed_iter()
        .map(|(idx, x)| {
            let outer = repeated.iter().map(|&ax| idx[ax]).collect();
            (outer, x as *const i64 as usize)
        })
        .collect();
    elems.sort();
    elems.into_iter().map(|(_, addr)| addr).collect()
}

fn flat_of(index: &[usize], shape: &[usize]) -> usize {
    index.iter().zip(shape).fold(0, |f, (&i, &n)| f * n + i)
}

/// argmin/argmax through the fixed-dimension pattern types too.
fn fixed_dim_argmin(v: &ArrayViewD<'_, f64>) -> Option<Vec<usize>> {
    let v = v.clone();
    match v.ndim() {
        1 => v
            .into_dimensionality::<Ix1>()
            .unwrap()
            .par_argmin()
            .map(|i| vec![i]),
        2 => v
            .into_dimensionality::<Ix2>()
            .unwrap()
            .par_argmin()
            .map(|(i, j)| vec![i, j]),
        3 => v
            .into_dimensionality::<Ix3>()
            .unwrap()
            .par_argmin()
            .map(|(i, j, k)| vec![i, j, k]),
        4 => v
            .into_dimensionality::<Ix4>()
            .unwrap()
            .par_argmin()
            .map(|(i, j, k, l)| vec![i, j, k, l]),
        _ => unreachable!(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn sum_mean_f64(c in case(f64_finite()), p in params()) {
        let v = c.view();
        let xs = c.logical();
        let s = same_on_all_threads(p, || v.par_sum());
        let exact = neumaier(xs.iter().copied());
        prop_assert!((s - exact).abs() <= sum_tolerance(xs.len(), abs_sum(&xs), f64::EPSILON / 2.0),
            "sum {s} vs {exact}");
        let m = same_on_all_threads(p, || v.par_mean());
        match m {
            None => prop_assert!(xs.is_empty()),
            Some(m) => {
                let n = xs.len() as f64;
                let tol = sum_tolerance(xs.len(), abs_sum(&xs), f64::EPSILON / 2.0) / n + f64::EPSILON * m.abs();
                prop_assert!((m - exact / n).abs() <= tol);
            }
        }
    }

    #[test]
    fn sum_f32(c in case(f32_finite()), p in params()) {
        let v = c.view();
        let xs: Vec<f64> = c.logical().into_iter().map(f64::from).collect();
        let s = same_on_all_threads(p, || v.par_sum());
        let exact = neumaier(xs.iter().copied());
        prop_assert!((f64::from(s) - exact).abs() <= sum_tolerance(xs.len(), abs_sum(&xs), f64::from(f32::EPSILON) / 2.0));
    }

    #[test]
    fn integer_sum_product_exact(c in case(i64_any()), p in params()) {
        let v = c.view();
        let xs = c.logical();
        // Exact, or a panic where the exact value leaves i64.
        let s = unless_it_panics(|| same_on_all_threads(p, || v.par_sum()));
        prop_assert_eq!(s, as_i64(xs.iter().map(|&x| i128::from(x)).sum()));
        let prod = unless_it_panics(|| same_on_all_threads(p, || v.par_product()));
        let exact = xs.iter().try_fold(1i128, |a, &b| a.checked_mul(i128::from(b)));
        let want = if xs.contains(&0) { Some(0) } else { exact.and_then(as_i64) };
        prop_assert_eq!(prod, want);
    }

    #[test]
    fn float_product(c in case(prop_oneof![Just(0.5f64), Just(1.0), Just(2.0), Just(-1.0)]), p in params()) {
        // Products of powers of two are exact in any order.
        let v = c.view();
        let prod = same_on_all_threads(p, || v.par_product());
        prop_assert_eq!(prod, c.logical().iter().product::<f64>());
    }

    #[test]
    fn var_std_f64(c in case(f64_finite()), p in params(), ddof in prop_oneof![Just(0.0), Just(1.0)]) {
        let v = c.view();
        let xs = c.logical();
        let var = same_on_all_threads(p, || v.par_var(ddof));
        let n = xs.len() as f64;
        if n <= ddof {
            prop_assert_eq!(var, None);
        } else {
            let mean = neumaier(xs.iter().copied()) / n;
            let exact = neumaier(xs.iter().map(|x| (x - mean) * (x - mean))) / (n - ddof);
            let sq: f64 = xs.iter().map(|x| x * x).sum();
            let tol = 4.0 * sum_tolerance(xs.len(), sq, f64::EPSILON / 2.0) / (n - ddof);
            let var = var.unwrap();
            prop_assert!((var - exact).abs() <= tol, "var {var} vs {exact}");
            // The standard deviation against the oracle's, not against
            // par_var: sqrt at most halves the relative error.
            let std = same_on_all_threads(p, || v.par_std(ddof)).unwrap();
            let exact_std = exact.sqrt();
            let std_tol = if exact > 0.0 { tol / (2.0 * exact_std) + 2.0 * f64::EPSILON * exact_std } else { tol.sqrt() };
            prop_assert!((std - exact_std).abs() <= std_tol, "std {std} vs {exact_std}");
        }
    }

    #[test]
    fn var_f32(c in case(f32_finite()), p in params()) {
        let v = c.view();
        let xs: Vec<f64> = c.logical().into_iter().map(f64::from).collect();
        let var = same_on_all_threads(p, || v.par_var(0.0));
        if xs.is_empty() {
            prop_assert_eq!(var, None);
        } else {
            let n = xs.len() as f64;
            let mean = neumaier(xs.iter().copied()) / n;
            let exact = neumaier(xs.iter().map(|x| (x - mean) * (x - mean))) / n;
            let sq: f64 = xs.iter().map(|x| x * x).sum();
            let tol = 4.0 * sum_tolerance(xs.len(), sq, f64::from(f32::EPSILON) / 2.0) / n;
            prop_assert!((f64::from(var.unwrap()) - exact).abs() <= tol);
        }
    }

    #[test]
    fn min_max_arg_f64(c in case(f64_with_nan()), p in params()) {
        let v = c.view();
        let xs = c.logical();
        let lt = |a: f64, b: f64| a < b;
        let gt = |a: f64, b: f64| a > b;
        let min = same_on_all_threads(p, || v.par_min());
        let max = same_on_all_threads(p, || v.par_max());
        prop_assert_eq!(zero_sign_free(min), zero_sign_free(oracle_extreme(&xs, lt)));
        prop_assert_eq!(zero_sign_free(max), zero_sign_free(oracle_extreme(&xs, gt)));
        let amin = same_on_all_threads(p, || v.par_argmin());
        let amax = same_on_all_threads(p, || v.par_argmax());
        prop_assert_eq!(amin.as_ref().map(|i| flat_of(i.slice(), &c.shape)), oracle_arg(&xs, lt));
        prop_assert_eq!(amax.as_ref().map(|i| flat_of(i.slice(), &c.shape)), oracle_arg(&xs, gt));
        let fixed = p.install(|| fixed_dim_argmin(&v));
        prop_assert_eq!(fixed, amin.map(|i| i.slice().to_vec()));
    }

    #[test]
    fn min_max_arg_f32(c in case(f32_with_nan()), p in params()) {
        let v = c.view();
        let xs = c.logical();
        let lt = |a: f32, b: f32| a < b;
        let min = same_on_all_threads(p, || v.par_min());
        prop_assert_eq!(zero_sign_free(min.map(f64::from)), zero_sign_free(oracle_extreme(&xs, lt).map(f64::from)));
        let amax = same_on_all_threads(p, || v.par_argmax());
        prop_assert_eq!(amax.map(|i| flat_of(i.slice(), &c.shape)), oracle_arg(&xs, |a, b| a > b));
    }

    #[test]
    fn min_max_arg_i64(c in case(i64_any()), p in params()) {
        let v = c.view();
        let xs = c.logical();
        prop_assert_eq!(same_on_all_threads(p, || v.par_min()), xs.iter().copied().min());
        prop_assert_eq!(same_on_all_threads(p, || v.par_max()), xs.iter().copied().max());
        let amin = same_on_all_threads(p, || v.par_argmin());
        prop_assert_eq!(amin.map(|i| flat_of(i.slice(), &c.shape)), oracle_arg(&xs, |a, b| a < b));
        let amax = same_on_all_threads(p, || v.par_argmax());
        prop_assert_eq!(amax.map(|i| flat_of(i.slice(), &c.shape)), oracle_arg(&xs, |a, b| a > b));
    }

    #[test]
    fn nan_skipping(c in case(f64_with_nan()), p in params()) {
        let v = c.view();
        let xs = c.logical();
        let finite: Vec<f64> = xs.iter().copied().filter(|x| !x.is_nan()).collect();
        let s = same_on_all_threads(p, || v.par_nansum());
        let exact = neumaier(finite.iter().copied());
        let tol = sum_tolerance(xs.len(), abs_sum(&finite), f64::EPSILON / 2.0);
        prop_assert!((s - exact).abs() <= tol);
        // None only for an empty array; NaN when every element is NaN
        // (numpy's nanmean / nanmin / nanmax).
        let m = same_on_all_threads(p, || v.par_nanmean());
        let lo = same_on_all_threads(p, || v.par_nanmin());
        let hi = same_on_all_threads(p, || v.par_nanmax());
        if xs.is_empty() {
            prop_assert_eq!((m, lo, hi), (None, None, None));
        } else if finite.is_empty() {
            prop_assert!(m.unwrap().is_nan() && lo.unwrap().is_nan() && hi.unwrap().is_nan());
        } else {
            let (m, n) = (m.unwrap(), finite.len() as f64);
            prop_assert!((m - exact / n).abs() <= tol / n + f64::EPSILON * m.abs());
            prop_assert_eq!(lo, finite.iter().copied().reduce(f64::min));
            prop_assert_eq!(hi, finite.iter().copied().reduce(f64::max));
        }
    }

    #[test]
    fn norms(c in case(f64_with_nan()), p in params()) {
        let v = c.view();
        let xs = c.logical();
        let l1 = same_on_all_threads(p, || v.par_norm_l1());
        let l2 = same_on_all_threads(p, || v.par_norm_l2());
        let lmax = same_on_all_threads(p, || v.par_norm_max());
        if xs.iter().any(|x| x.is_nan()) {
            prop_assert!(l1.is_nan() && l2.is_nan() && lmax.unwrap().is_nan());
        } else {
            let a = abs_sum(&xs);
            let tol = sum_tolerance(xs.len(), a, f64::EPSILON / 2.0);
            prop_assert!((l1 - a).abs() <= tol);
            let sq: f64 = xs.iter().map(|x| x * x).sum();
            let sq_tol = sum_tolerance(xs.len(), sq, f64::EPSILON / 2.0);
            prop_assert!((l2 * l2 - sq).abs() <= 2.0 * sq_tol + 4.0 * f64::EPSILON * sq);
            prop_assert_eq!(lmax, xs.iter().map(|x| x.abs()).reduce(f64::max));
        }
    }

    #[test]
    fn dot_mixed_layouts(
        (a, b) in shape().prop_flat_map(|s| (case_with(s.clone(), kind(), f64_finite()), case_with(s, kind(), f64_finite()))),
        p in params(),
    ) {
        let (va, vb) = (a.view(), b.view());
        let d = same_on_all_threads(p, || va.par_vdot(&vb));
        let prods: Vec<f64> = a.logical().iter().zip(b.logical()).map(|(x, y)| x * y).collect();
        let exact = neumaier(prods.iter().copied());
        prop_assert!((d - exact).abs() <= 2.0 * sum_tolerance(prods.len(), abs_sum(&prods), f64::EPSILON / 2.0));
    }

    #[test]
    fn integer_dot_exact(
        (a, b) in shape().prop_flat_map(|s| (case_with(s.clone(), kind(), i64_any()), case_with(s, kind(), i64_any()))),
        p in params(),
    ) {
        let (va, vb) = (a.view(), b.view());
        let d = same_on_all_threads(p, || va.par_vdot(&vb));
        let exact = a.logical().iter().zip(b.logical()).fold(0i64, |s, (x, y)| s.wrapping_add(x.wrapping_mul(y)));
        prop_assert_eq!(d, exact);
    }

    #[test]
    fn fold_and_map_reduce(c in case(i64_any()), p in params()) {
        let v = c.view();
        let xs = c.logical();
        let (count, sum) = same_on_all_threads(p, || {
            v.par_fold(|| (0usize, 0i64), |(n, s), &x| (n + 1, s.wrapping_add(x)), |(n1, s1), (n2, s2)| (n1 + n2, s1.wrapping_add(s2)))
        });
        prop_assert_eq!(count, xs.len());
        prop_assert_eq!(sum, xs.iter().fold(0i64, |a, &b| a.wrapping_add(b)));
        let max_abs = same_on_all_threads(p, || v.par_map_reduce(|x| x.unsigned_abs(), || 0u64, u64::max));
        prop_assert_eq!(max_abs, xs.iter().map(|x| x.unsigned_abs()).max().unwrap_or(0));
        // A non-commutative fold and combine see the elements in memory
        // order, as documented: the order of their addresses, broadcast
        // (repeated) axes outermost in logical order.
        let order = same_on_all_threads(p, || {
            v.par_fold(Vec::new, |mut acc, x| { acc.push(x as *const i64 as usize); acc }, |mut l, r| { l.extend(r); l })
        });
        prop_assert_eq!(order, memory_order(&v));
    }
}

// Inputs that once failed, written out. The values are small integers, so
// every sum is exact and the oracle is a plain loop over the logical
// elements (variances to rounding).

/// Every whole-array reduction of `c` against a sequential loop.
fn whole_array_reductions_match_a_loop(c: &Case<f64>, p: Params) {
    let v = c.view();
    let xs = c.logical();
    let same = |a: Option<f64>, b: Option<f64>| match (a, b) {
        // Sums of these values are exact; a variance divides inexact
        // means, so it may differ in the last bits.
        (Some(a), Some(b)) => {
            (a - b).abs() <= 4.0 * f64::EPSILON * b.abs() || (a.is_nan() && b.is_nan())
        }
        (a, b) => a == b,
    };
    let n = xs.len() as f64;
    let sum: f64 = xs.iter().sum();
    let mean = (!xs.is_empty()).then(|| sum / n);
    let var = |ddof: f64| {
        (n > ddof).then(|| xs.iter().map(|x| (x - sum / n).powi(2)).sum::<f64>() / (n - ddof))
    };
    let first_nan = xs.iter().position(|x| x.is_nan());
    let real: Vec<f64> = xs.iter().copied().filter(|x| !x.is_nan()).collect();
    let fold = |f: fn(f64, f64) -> f64| {
        xs.iter().copied().reduce(|a, b| {
            if a.is_nan() || b.is_nan() {
                f64::NAN
            } else {
                f(a, b)
            }
        })
    };
    let checks: [(&str, Option<f64>, Option<f64>); 12] = [
        (
            "par_sum",
            Some(same_on_all_threads(p, || v.par_sum())),
            Some(sum),
        ),
        (
            "par_product",
            Some(same_on_all_threads(p, || v.par_product())),
            Some(xs.iter().product()),
        ),
        ("par_mean", same_on_all_threads(p, || v.par_mean()), mean),
        (
            "par_var 0",
            same_on_all_threads(p, || v.par_var(0.0)),
            var(0.0),
        ),
        (
            "par_var 1",
            same_on_all_threads(p, || v.par_var(1.0)),
            var(1.0),
        ),
        (
            "par_min",
            same_on_all_threads(p, || v.par_min()),
            fold(f64::min),
        ),
        (
            "par_max",
            same_on_all_threads(p, || v.par_max()),
            fold(f64::max),
        ),
        (
            "par_nansum",
            Some(same_on_all_threads(p, || v.par_nansum())),
            Some(real.iter().sum()),
        ),
        (
            "par_nanmin",
            same_on_all_threads(p, || v.par_nanmin()),
            (!xs.is_empty()).then(|| real.iter().copied().reduce(f64::min).unwrap_or(f64::NAN)),
        ),
        (
            "par_norm_l1",
            Some(same_on_all_threads(p, || v.par_norm_l1())),
            Some(xs.iter().map(|x| x.abs()).sum()),
        ),
        (
            "par_norm_l2",
            Some(same_on_all_threads(p, || v.par_norm_l2())),
            Some(xs.iter().map(|x| x * x).sum::<f64>().sqrt()),
        ),
        (
            "par_norm_max",
            same_on_all_threads(p, || v.par_norm_max()),
            fold(|a, b| a.abs().max(b.abs())).map(f64::abs),
        ),
    ];
    for (name, got, want) in checks {
        assert!(same(got, want), "{name}: {got:?}, want {want:?}");
    }
    let flat = |i: Option<usize>| i;
    let argmin =
        first_nan.or_else(|| (0..xs.len()).reduce(|a, b| if xs[b] < xs[a] { b } else { a }));
    let argmax =
        first_nan.or_else(|| (0..xs.len()).reduce(|a, b| if xs[b] > xs[a] { b } else { a }));
    assert_eq!(flat(same_on_all_threads(p, || v.par_argmin_flat())), argmin);
    assert_eq!(flat(same_on_all_threads(p, || v.par_argmax_flat())), argmax);
}

#[test]
fn regression_two_equal_negative_values_in_f_order() {
    let c = Case::new(Kind::F, vec![2], vec![-3.0, -3.0]);
    whole_array_reductions_match_a_loop(&c, Params::always_parallel().with_block_bytes(8));
}

#[test]
fn regression_a_single_nan() {
    let c = Case::new(Kind::C, vec![1], vec![f64::NAN]);
    whole_array_reductions_match_a_loop(&c, Params::always_parallel().with_block_bytes(8));
}

#[test]
fn regression_stepped_matrix_with_two_nonzeros_in_small_blocks() {
    let mut base = vec![0.0; 18 * 4];
    base[4 * 4] = 4.0; // base (4, 0): logical (2, 0)
    base[8 * 4 + 2] = 4.0; // base (8, 2): logical (4, 1)
    let c = Case::new(Kind::Stepped, vec![9, 2], base);
    whole_array_reductions_match_a_loop(&c, Params::always_parallel().with_block_bytes(40));
}
