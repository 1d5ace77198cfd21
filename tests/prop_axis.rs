//! Property tests: every axis reduction equals a lane-by-lane sequential
//! oracle, for random shapes, every axis, every layout, block sizes that
//! force many tiles and row blocks, thread counts 1, 2, 3, 7, 16 — and gives
//! the same bits on all of them.

use crate::common::*;
use ndarray::{ArrayD, ArrayViewD, Axis, IxDyn};
use ndpar::Params;
use ndpar::prelude::*;
use proptest::prelude::*;

const AXIS_THREADS: [isize; 5] = [1, 2, 3, 7, 16];

fn same_on_all_threads<R: Send + std::fmt::Debug>(params: Params, f: impl Fn() -> R + Sync) -> R {
    same_on_threads(&AXIS_THREADS, params, f)
}

/// `f` of every lane along `axis`, in the row-major order of the other axes.
fn oracle<A: Clone, T>(v: &ArrayViewD<'_, A>, axis: Axis, f: impl Fn(&[A]) -> T) -> ArrayD<T> {
    let mut shape = v.shape().to_vec();
    shape.remove(axis.index());
    let vals: Vec<T> = v.lanes(axis).into_iter().map(|l| f(&l.to_vec())).collect();
    ArrayD::from_shape_vec(IxDyn(&shape), vals).unwrap()
}

/// A case with at least one axis, and an axis of it.
fn case_and_axis<T: Clone + std::fmt::Debug + 'static>(
    elem: impl Strategy<Value = T> + Clone + 'static,
) -> impl Strategy<Value = (Case<T>, usize)> {
    case(elem).prop_flat_map(|c| {
        let nd = c.shape.len();
        (Just(c), 0..nd)
    })
}

/// Elementwise comparison of float arrays within per-element tolerances.
fn close(got: &ArrayD<f64>, want: &ArrayD<f64>, tol: &ArrayD<f64>) -> Result<(), String> {
    if got.shape() != want.shape() {
        return Err(format!("shape {:?} != {:?}", got.shape(), want.shape()));
    }
    for ((g, w), t) in got.iter().zip(want).zip(tol) {
        let ok = (g.is_nan() && w.is_nan()) || (g - w).abs() <= *t;
        if !ok {
            return Err(format!("{g} vs {w} (tolerance {t})"));
        }
    }
    Ok(())
}

fn first_index(xs: &[f64], better: impl Fn(f64, f64) -> bool) -> usize {
    if let Some(i) = xs.iter().position(|x| x.is_nan()) {
        return i;
    }
    let mut best = 0;
    for (i, &x) in xs.iter().enumerate() {
        if better(x, xs[best]) {
            best = i;
        }
    }
    best
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 80, ..ProptestConfig::default() })]

    #[test]
    fn sum_mean_var_axis((c, ax) in case_and_axis(f64_finite()), p in params()) {
        let v = c.view();
        let axis = Axis(ax);
        let n = v.len_of(axis);
        let eps = f64::EPSILON / 2.0;
        let sum = same_on_all_threads(p, || v.par_sum_axis(axis));
        let want = oracle(&v, axis, |l| neumaier(l.iter().copied()));
        let tol = oracle(&v, axis, |l| sum_tolerance(l.len(), l.iter().map(|x| x.abs()).sum(), eps));
        close(&sum, &want, &tol).map_err(TestCaseError::fail)?;

        let mean = same_on_all_threads(p, || v.par_mean_axis(axis));
        if n == 0 {
            prop_assert!(mean.is_none());
        } else {
            let nf = n as f64;
            let want_mean = want.mapv(|s| s / nf);
            let tol_mean = (&tol / nf) + want_mean.mapv(|m| m.abs() * f64::EPSILON);
            close(&mean.unwrap(), &want_mean, &tol_mean).map_err(TestCaseError::fail)?;
        }

        for ddof in [0.0, 1.0] {
            let var = same_on_all_threads(p, || v.par_var_axis(axis, ddof));
            if (n as f64) <= ddof {
                prop_assert!(var.is_none());
                continue;
            }
            let var = var.unwrap();
            let want = oracle(&v, axis, |l| {
                let m = neumaier(l.iter().copied()) / l.len() as f64;
                neumaier(l.iter().map(|x| (x - m) * (x - m))) / (l.len() as f64 - ddof)
            });
            let tol = oracle(&v, axis, |l| {
                4.0 * sum_tolerance(l.len(), l.iter().map(|x| x * x).sum(), eps) / (l.len() as f64 - ddof)
            });
            close(&var, &want, &tol).map_err(TestCaseError::fail)?;
            let std = same_on_all_threads(p, || v.par_std_axis(axis, ddof)).unwrap();
            prop_assert_eq!(std, var.mapv(f64::sqrt));
        }
    }

    #[test]
    fn integer_axis_reductions_are_exact((c, ax) in case_and_axis(i64_any()), p in params()) {
        let v = c.view();
        let axis = Axis(ax);
        let n = v.len_of(axis);
        // Exact, or a panic where an exact sum leaves i64 (numpy's int64).
        let sum = unless_it_panics(|| same_on_all_threads(p, || v.par_sum_axis(axis)));
        let exact = oracle(&v, axis, |l| l.iter().map(|&x| i128::from(x)).sum::<i128>());
        let fits = exact.iter().all(|&s| as_i64(s).is_some());
        prop_assert_eq!(sum, fits.then(|| exact.mapv(|s| s as i64)));
        let min = same_on_all_threads(p, || v.par_min_axis(axis));
        let max = same_on_all_threads(p, || v.par_max_axis(axis));
        let amin = same_on_all_threads(p, || v.par_argmin_axis(axis));
        let amax = same_on_all_threads(p, || v.par_argmax_axis(axis));
        if n == 0 {
            prop_assert!(min.is_none() && max.is_none() && amin.is_none() && amax.is_none());
        } else {
            prop_assert_eq!(min.unwrap(), oracle(&v, axis, |l| *l.iter().min().unwrap()));
            prop_assert_eq!(max.unwrap(), oracle(&v, axis, |l| *l.iter().max().unwrap()));
            let first_min = |l: &[i64]| l.iter().position(|x| x == l.iter().min().unwrap()).unwrap();
            let first_max = |l: &[i64]| l.iter().position(|x| x == l.iter().max().unwrap()).unwrap();
            prop_assert_eq!(amin.unwrap(), oracle(&v, axis, first_min));
            prop_assert_eq!(amax.unwrap(), oracle(&v, axis, first_max));
        }
        // A non-commutative fold sees each lane front to back.
        let fold = same_on_all_threads(p, || v.par_fold_axis(axis, 7i64, |&acc, &x| acc.wrapping_mul(31).wrapping_add(x)));
        prop_assert_eq!(fold, oracle(&v, axis, |l| l.iter().fold(7i64, |acc, &x| acc.wrapping_mul(31).wrapping_add(x))));
    }

    #[test]
    fn float_extremes_and_nan_variants((c, ax) in case_and_axis(f64_with_nan()), p in params()) {
        let v = c.view();
        let axis = Axis(ax);
        if v.len_of(axis) == 0 {
            prop_assert!(same_on_all_threads(p, || v.par_min_axis(axis)).is_none());
            prop_assert!(same_on_all_threads(p, || v.par_nanmean_axis(axis)).is_none());
            prop_assert_eq!(same_on_all_threads(p, || v.par_nansum_axis(axis)), oracle(&v, axis, |_| 0.0));
            return Ok(());
        }
        // Values compare with `==` (NaN equal to NaN): which zero a min or
        // max returns when 0.0 and -0.0 tie is unspecified (documented).
        let fmt = |a: ArrayD<f64>| {
            let xs: Vec<f64> = a.iter().map(|&x| if x == 0.0 { 0.0 } else { x }).collect();
            format!("{:?} {xs:?}", a.shape())
        };
        let nan_first = |l: &[f64], better: fn(f64, f64) -> bool| {
            l.iter().copied().find(|x| x.is_nan()).unwrap_or_else(|| {
                l.iter().copied().reduce(|a, b| if better(b, a) { b } else { a }).unwrap()
            })
        };
        let min = same_on_all_threads(p, || v.par_min_axis(axis)).unwrap();
        prop_assert_eq!(fmt(min), fmt(oracle(&v, axis, |l| nan_first(l, |a, b| a < b))));
        let max = same_on_all_threads(p, || v.par_max_axis(axis)).unwrap();
        prop_assert_eq!(fmt(max), fmt(oracle(&v, axis, |l| nan_first(l, |a, b| a > b))));
        let amin = same_on_all_threads(p, || v.par_argmin_axis(axis)).unwrap();
        prop_assert_eq!(amin, oracle(&v, axis, |l| first_index(l, |a, b| a < b)));
        let amax = same_on_all_threads(p, || v.par_argmax_axis(axis)).unwrap();
        prop_assert_eq!(amax, oracle(&v, axis, |l| first_index(l, |a, b| a > b)));

        let nanmin = same_on_all_threads(p, || v.par_nanmin_axis(axis)).unwrap();
        let want = oracle(&v, axis, |l| l.iter().copied().filter(|x| !x.is_nan()).reduce(f64::min).unwrap_or(f64::NAN));
        prop_assert_eq!(fmt(nanmin), fmt(want));
        let nanmax = same_on_all_threads(p, || v.par_nanmax_axis(axis)).unwrap();
        let want = oracle(&v, axis, |l| l.iter().copied().filter(|x| !x.is_nan()).reduce(f64::max).unwrap_or(f64::NAN));
        prop_assert_eq!(fmt(nanmax), fmt(want));

        let eps = f64::EPSILON / 2.0;
        let nansum = same_on_all_threads(p, || v.par_nansum_axis(axis));
        let want = oracle(&v, axis, |l| neumaier(l.iter().copied().filter(|x| !x.is_nan())));
        let tol = oracle(&v, axis, |l| sum_tolerance(l.len(), l.iter().filter(|x| !x.is_nan()).map(|x| x.abs()).sum(), eps));
        close(&nansum, &want, &tol).map_err(TestCaseError::fail)?;
        let nanmean = same_on_all_threads(p, || v.par_nanmean_axis(axis)).unwrap();
        let counts = oracle(&v, axis, |l| l.iter().filter(|x| !x.is_nan()).count() as f64);
        let want_mean = &want / &counts;
        let tol_mean = &tol / &counts + want_mean.mapv(|m| m.abs() * f64::EPSILON);
        close(&nanmean, &want_mean, &tol_mean).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn f32_axis_sums((c, ax) in case_and_axis(f32_finite()), p in params()) {
        let v = c.view();
        let axis = Axis(ax);
        let sum = same_on_all_threads(p, || v.par_sum_axis(axis)).mapv(f64::from);
        let want = oracle(&v, axis, |l| neumaier(l.iter().map(|&x| f64::from(x))));
        let tol = oracle(&v, axis, |l| sum_tolerance(l.len(), l.iter().map(|x| f64::from(x.abs())).sum(), f64::from(f32::EPSILON) / 2.0));
        close(&sum, &want, &tol).map_err(TestCaseError::fail)?;
    }
}

/// An order-sensitive digest of a lane.
fn digest<'a>(lane: impl IntoIterator<Item = &'a i64>) -> i64 {
    lane.into_iter()
        .fold(17i64, |h, &x| h.wrapping_mul(1_000_003).wrapping_add(x))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn map_axis_equals_sequential((c, ax) in case_and_axis(i64_any()), p in params()) {
        let v = c.view();
        let axis = Axis(ax);
        let want = v.map_axis(axis, |lane| (digest(lane.iter()), lane.len()));
        let got = same_on_all_threads(p, || v.par_map_axis(axis, |lane| (digest(lane.iter()), lane.len())));
        prop_assert_eq!(got, want);
    }

    #[test]
    fn map_axis_mut_equals_sequential(
        (c, ax) in shape().prop_flat_map(|s| {
            let nd = s.len();
            (case_with(s, writable_kind(), i64_any()), 0..nd)
        }),
        p in params(),
    ) {
        let axis = Axis(ax);
        // Each lane becomes its running sums (order matters), and reports
        // its old digest.
        let lane_fn = |mut lane: ndarray::ArrayViewMut1<'_, i64>| {
            let d = digest(lane.iter());
            let mut acc = 0i64;
            for x in lane.iter_mut() {
                acc = acc.wrapping_add(*x);
                *x = acc;
            }
            d
        };
        let mut want = c.clone();
        let want_out = want.view_mut().map_axis_mut(axis, lane_fn);
        for t in AXIS_THREADS {
            let mut got = c.clone();
            let out = on(t, p, || got.view_mut().par_map_axis_mut(axis, lane_fn));
            prop_assert_eq!(&out, &want_out);
            prop_assert_eq!(&got.base, &want.base);
            let mut again = c.clone();
            on(t, p, || again.view_mut().par_for_each_lane_mut(axis, |l| { lane_fn(l); }));
            prop_assert_eq!(&again.base, &want.base);
        }
    }
}

#[test]
fn axis_out_of_bounds_panics_with_a_clear_message() {
    let a = ndarray::Array2::<f64>::zeros((3, 4));
    let msg = std::panic::catch_unwind(|| a.par_sum_axis(Axis(2)))
        .unwrap_err()
        .downcast::<String>()
        .unwrap();
    assert!(
        msg.contains("axis 2") && msg.contains("2 dimensions"),
        "{msg}"
    );
    assert!(std::panic::catch_unwind(|| a.par_map_axis(Axis(5), |l| l.len())).is_err());
    let r = std::panic::catch_unwind(|| a.par_var_axis(Axis(0), -1.0));
    assert!(r.is_err());
}

#[test]
fn empty_axis_gives_documented_values() {
    let a = ndarray::Array2::<f64>::zeros((0, 3));
    assert_eq!(a.par_sum_axis(Axis(0)), ndarray::Array1::<f64>::zeros(3));
    assert_eq!(a.par_nansum_axis(Axis(0)), ndarray::Array1::<f64>::zeros(3));
    assert!(a.par_mean_axis(Axis(0)).is_none());
    assert!(a.par_var_axis(Axis(0), 0.0).is_none());
    assert!(a.par_min_axis(Axis(0)).is_none());
    assert!(a.par_argmax_axis(Axis(0)).is_none());
    assert!(a.par_nanmin_axis(Axis(0)).is_none());
    assert_eq!(
        a.par_fold_axis(Axis(0), 5, |&n, _| n + 1),
        ndarray::Array1::from_elem(3, 5)
    );
    assert_eq!(
        a.par_map_axis(Axis(0), |l| l.len()),
        ndarray::Array1::from_elem(3, 0)
    );
    // Reducing the other axis: an empty result.
    assert_eq!(a.par_sum_axis(Axis(1)).len(), 0);
    assert_eq!(a.par_mean_axis(Axis(1)).unwrap().len(), 0);
}
