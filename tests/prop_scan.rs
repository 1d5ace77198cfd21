//! Property tests: cumulative sums and products along every axis equal a
//! sequential running fold (exactly for integers; within the bound of any
//! summation order for floats), for every layout, block sizes that force
//! many pieces and row blocks, and thread counts 1, 2, 3, 7, 16, with the
//! same bits on all of them.

use crate::common::*;
use ndarray::{ArrayD, ArrayViewD, Axis, Zip};
use ndpar::prelude::*;
use proptest::prelude::*;

const SCAN_THREADS: [isize; 5] = [1, 2, 3, 7, 16];

/// The running fold of every lane along `axis`, written back in place.
fn oracle<A: Copy>(v: &ArrayViewD<'_, A>, axis: Axis, op: impl Fn(A, A) -> A) -> ArrayD<A> {
    let mut out = v.to_owned();
    for mut lane in out.lanes_mut(axis) {
        let mut acc: Option<A> = None;
        for x in lane.iter_mut() {
            let next = match acc {
                None => *x,
                Some(a) => op(a, *x),
            };
            *x = next;
            acc = Some(next);
        }
    }
    out
}

fn case_and_axis<T: Clone + std::fmt::Debug + 'static>(
    elem: impl Strategy<Value = T> + Clone + 'static,
) -> impl Strategy<Value = (Case<T>, usize)> {
    case(elem).prop_flat_map(|c| {
        let nd = c.shape.len();
        (Just(c), 0..nd)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 80, ..ProptestConfig::default() })]

    #[test]
    fn integer_scans_are_exact((c, ax) in case_and_axis(i64_any()), p in params()) {
        let v = c.view();
        let axis = Axis(ax);
        // Exact, or a panic where a running value leaves i64.
        let wide = v.mapv(i128::from);
        let exact = |op: fn(i128, i128) -> i128| {
            let out = oracle(&wide.view(), axis, op);
            out.iter().all(|&x| as_i64(x).is_some()).then(|| out.mapv(|x| x as i64))
        };
        let sum = unless_it_panics(|| same_on_threads(&SCAN_THREADS, p, || v.par_cumsum(axis)));
        prop_assert_eq!(&sum, &exact(|a, b| a + b));
        // A product that leaves i128 stays out of range (only a zero
        // brings it back, and then it is exact).
        let prod = unless_it_panics(|| same_on_threads(&SCAN_THREADS, p, || v.par_cumprod(axis)));
        let saturating = |a: i128, b: i128| a.checked_mul(b).unwrap_or(i128::MAX);
        prop_assert_eq!(&prod, &exact(saturating));
        let Some(sum) = sum else { return Ok(()) };
        // The result walks memory like the input.
        if v.is_standard_layout() {
            prop_assert!(sum.is_standard_layout());
        }
        if v.t().is_standard_layout() {
            prop_assert!(sum.t().is_standard_layout());
        }
    }

    #[test]
    fn float_cumsum_is_within_the_running_sum_bound((c, ax) in case_and_axis(f64_finite()), p in params()) {
        let v = c.view();
        let axis = Axis(ax);
        let got = same_on_threads(&SCAN_THREADS, p, || v.par_cumsum(axis));
        let want = oracle(&v, axis, |a, b| a + b);
        // Element i of a lane adds i + 1 values in some order, so its error
        // is at most about (i + 1)·ε·Σ_{j≤i} |x_j|.
        let abs = oracle(&v.mapv(f64::abs).view(), axis, |a, b| a + b);
        let mut idx = ArrayD::<f64>::zeros(v.raw_dim());
        for mut lane in idx.lanes_mut(axis) {
            lane.iter_mut().enumerate().for_each(|(i, x)| *x = (i + 2) as f64);
        }
        let mut ok = true;
        Zip::from(&got).and(&want).and(&abs).and(&idx).for_each(|&g, &w, &a, &k| {
            ok &= (g - w).abs() <= k * f64::EPSILON * a + f64::MIN_POSITIVE;
        });
        prop_assert!(ok, "cumsum outside the bound");
    }
}

#[test]
fn scan_edge_cases() {
    let empty = ndarray::Array2::<f64>::zeros((0, 4));
    assert_eq!(empty.par_cumsum(Axis(0)).shape(), &[0, 4]);
    assert_eq!(empty.par_cumsum(Axis(1)).shape(), &[0, 4]);
    let one = ndarray::arr0(5.0);
    assert!(std::panic::catch_unwind(|| one.par_cumsum(Axis(0))).is_err());
    let a = ndarray::Array1::from(vec![-0.0f64, 1.0]);
    assert!(
        a.par_cumsum(Axis(0))[0].is_sign_negative(),
        "first element kept as is"
    );
    // A long lane, default params: two passes over many pieces.
    let long = ndarray::Array1::from_iter((0..1_000_003).map(|i| (i % 7) as i64 - 3));
    let want = oracle(&long.view().into_dyn(), Axis(0), i64::wrapping_add);
    let got = ndpar::with_threads(4, || long.par_cumsum(Axis(0))).unwrap();
    assert_eq!(got.into_dyn(), want);
}
