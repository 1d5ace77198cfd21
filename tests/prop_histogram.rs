//! Property tests: histograms equal a plain counting oracle (each value
//! placed by comparing it with the edges, last bin closed), on every
//! layout, block sizes that force many blocks and thread counts 1, 2, 3, 7,
//! 16; the edges have the documented properties; bad input gives the
//! documented errors. The edges' exact values are checked against numpy
//! itself in `numpy_diff.rs`.

use crate::common::*;
use ndarray::{Array1, array};
use ndpar::Error;
use ndpar::histogram::{par_histogram, par_histogram_2d, par_histogram_edges};
use proptest::prelude::*;

const HIST_THREADS: [isize; 5] = [1, 2, 3, 7, 16];

/// Checks bin edges: `bins + 1` of them, the range's ends exactly, and in
/// between increasing values each within a few ulps of the exact
/// `low + (high - low) · i / bins` (computed here in a different order).
fn check_edges(edges: &[f64], low: f64, high: f64, bins: usize) {
    assert_eq!(edges.len(), bins + 1);
    assert_eq!((edges[0], edges[bins]), (low, high));
    for i in 1..bins {
        let exact = low + (high - low) * (i as f64 / bins as f64);
        let tol = 4.0 * f64::EPSILON * (low.abs() + high.abs());
        assert!(
            (edges[i] - exact).abs() <= tol,
            "edge {i}: {} vs {exact}",
            edges[i]
        );
        assert!(edges[i - 1] <= edges[i], "edges decrease at {i}");
    }
}

/// The bin of `x` among `edges` by plain comparison (last bin closed).
fn bin_of(x: f64, edges: &[f64]) -> Option<usize> {
    let bins = edges.len() - 1;
    if !(x >= edges[0] && x <= edges[bins]) {
        return None;
    }
    // The last bin whose left edge is at most x, among bins that hold x.
    (0..bins)
        .rev()
        .find(|&i| edges[i] <= x && (x < edges[i + 1] || i == bins - 1))
}

fn oracle(xs: &[f64], edges: &[f64]) -> Vec<u64> {
    let mut c = vec![0u64; edges.len() - 1];
    for &x in xs {
        if let Some(i) = bin_of(x, edges) {
            c[i] += 1;
        }
    }
    c
}

fn values() -> impl Strategy<Value = f64> + Clone {
    prop_oneof![6 => f64_finite(), 1 => Just(f64::NAN), 1 => (0i32..8).prop_map(|i| i as f64 * 0.25)]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 80, ..ProptestConfig::default() })]

    #[test]
    fn uniform_bins_match_the_oracle(
        c in case(values()),
        bins in 1usize..40,
        range in prop_oneof![Just(None), (-20.0f64..20.0, 0.5f64..50.0).prop_map(|(lo, w)| Some((lo, lo + w)))],
        p in params(),
    ) {
        let v = c.view();
        let xs = c.logical();
        if range.is_none() && xs.iter().any(|x| x.is_nan()) {
            // numpy: "autodetected range of [nan, nan] is not finite".
            let auto_range_of_nan = matches!(par_histogram(&v, bins, range), Err(Error::InvalidRange { .. }));
            prop_assert!(auto_range_of_nan);
            return Ok(());
        }
        let h = same_on_threads(&HIST_THREADS, p, || par_histogram(&v, bins, range).unwrap());
        let (lo, hi) = range.unwrap_or_else(|| {
            if xs.is_empty() {
                return (0.0, 1.0);
            }
            let (lo, hi) = (xs.iter().copied().fold(f64::INFINITY, f64::min), xs.iter().copied().fold(f64::NEG_INFINITY, f64::max));
            if lo == hi { (lo - 0.5, hi + 0.5) } else { (lo, hi) }
        });
        let edges = h.edges.to_vec();
        check_edges(&edges, lo, hi, bins);
        prop_assert_eq!(h.counts.to_vec(), oracle(&xs, &edges));
    }

    #[test]
    fn explicit_edges_match_the_oracle(
        c in case(values()),
        mut edges in prop::collection::vec(prop_oneof![-10.0f64..10.0, (0i32..8).prop_map(|i| i as f64 * 0.25)], 2..12),
        p in params(),
    ) {
        edges.sort_by(f64::total_cmp);
        let v = c.view();
        let h = same_on_threads(&HIST_THREADS, p, || par_histogram_edges(&v, &Array1::from(edges.clone())).unwrap());
        prop_assert_eq!(h.counts.to_vec(), oracle(&c.logical(), &edges));
        prop_assert_eq!(h.edges.to_vec(), edges);
    }

    #[test]
    fn two_d_matches_the_oracle(
        pts in prop::collection::vec((values(), values()), 0..200),
        bx in 1usize..8,
        by in 1usize..8,
        layout in 0usize..3,
        p in params(),
    ) {
        // Contiguous vectors, strided columns of a C-order table, or the
        // columns of a table stored backwards.
        let n = pts.len();
        let table = ndarray::Array2::from_shape_fn((n, 3), |(i, j)| match j {
            0 => pts[i].0,
            1 => pts[i].1,
            _ => -1.0,
        });
        let backwards = ndarray::Array2::from_shape_fn((n, 3), |(i, j)| table[[n - 1 - i, j]]);
        let flipped = backwards.slice(ndarray::s![..;-1, ..]);
        let (x, y) = (table.column(0).to_owned(), table.column(1).to_owned());
        let (vx, vy) = match layout {
            0 => (x.view(), y.view()),
            1 => (table.column(0), table.column(1)),
            _ => (flipped.column(0), flipped.column(1)),
        };
        let range = ((-100.0, 100.0), (-50.0, 60.0));
        let h = same_on_threads(&HIST_THREADS, p, || par_histogram_2d(&vx, &vy, (bx, by), Some(range)).unwrap());
        let (ex, ey) = (h.x_edges.to_vec(), h.y_edges.to_vec());
        check_edges(&ex, -100.0, 100.0, bx);
        check_edges(&ey, -50.0, 60.0, by);
        let mut want = ndarray::Array2::<u64>::zeros((bx, by));
        for &(a, b) in &pts {
            if let (Some(i), Some(j)) = (bin_of(a, &ex), bin_of(b, &ey)) {
                want[[i, j]] += 1;
            }
        }
        prop_assert_eq!(h.counts, want);
    }
}

#[test]
fn bad_input_gives_the_documented_errors() {
    let a = array![1.0, 2.0, 3.0];
    assert!(matches!(
        par_histogram(&a, 0, None),
        Err(Error::InvalidBins { bins: 0, .. })
    ));
    for r in [(2.0, 1.0), (0.0, f64::INFINITY), (f64::NAN, 1.0)] {
        assert!(
            matches!(
                par_histogram(&a, 3, Some(r)),
                Err(Error::InvalidRange { .. })
            ),
            "{r:?}"
        );
    }
    // numpy widens an explicit empty range by 0.5 on each side.
    let h = par_histogram(&a, 2, Some((1.0, 1.0))).unwrap();
    assert_eq!(
        (h.counts.to_vec(), h.edges.to_vec()),
        (vec![0, 1], vec![0.5, 1.0, 1.5])
    );
    let with_inf = array![1.0, f64::INFINITY];
    assert!(matches!(
        par_histogram(&with_inf, 3, None),
        Err(Error::InvalidRange { .. })
    ));
    assert!(
        par_histogram(&with_inf, 3, Some((0.0, 2.0))).is_ok(),
        "an explicit range skips the infinity"
    );
    for e in [array![1.0], array![0.0, f64::NAN], array![2.0, 1.0]] {
        assert!(
            matches!(par_histogram_edges(&a, &e), Err(Error::InvalidEdges(_))),
            "{e:?}"
        );
    }
    assert!(par_histogram_2d(&a, &a, (0, 2), None).is_err());
    let err = par_histogram(&a, 3, Some((2.0, 1.0)))
        .unwrap_err()
        .to_string();
    assert!(err.contains("[2, 1]"), "{err}");
    // Empty data: numpy's default range [0, 1], no counts.
    let h = par_histogram(&Array1::<f64>::zeros(0), 2, None).unwrap();
    assert_eq!((h.counts.sum(), h.edges.to_vec()), (0, vec![0.0, 0.5, 1.0]));
    // NaN data has no automatic range (numpy raises), but an explicit
    // range skips NaNs.
    // The message says the range came from the data (numpy's words).
    let err = par_histogram(&array![1.0, f64::NAN], 2, None).unwrap_err();
    assert!(matches!(
        err,
        Error::InvalidRange {
            autodetected: true,
            ..
        }
    ));
    assert!(
        err.to_string()
            .starts_with("autodetected range of [NaN, NaN] is not finite"),
        "{err}"
    );
    let err = par_histogram(&array![1.0], 2, Some((0.0, f64::NAN))).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("invalid histogram range [0, NaN]"),
        "{err}"
    );
    let h = par_histogram(&array![1.0, f64::NAN], 2, Some((0.0, 2.0))).unwrap();
    assert_eq!(h.counts.to_vec(), vec![0, 1]);
}

#[test]
fn large_histograms_count_every_value() {
    let n = 1_000_003;
    let data = Array1::from_iter((0..n).map(|i| ((i as f64) * 0.618_033_988_75).fract()));
    let h = ndpar::with_threads(4, || par_histogram(&data, 256, Some((0.0, 1.0))))
        .unwrap()
        .unwrap();
    assert_eq!(h.counts.sum(), n as u64);
    let xs = data.to_vec();
    assert_eq!(h.counts.to_vec(), oracle(&xs, &h.edges.to_vec()));
}

#[test]
fn values_within_an_ulp_of_an_edge_land_where_the_edges_say() {
    // k / (8·bins) is often within an ulp of the linspace edge it should
    // equal (0.3 vs 0.30000000000000004 for bins = 10): the scaled index
    // alone gets these wrong, so the edge correction must run.
    for bins in [3usize, 7, 10, 13, 100] {
        for (lo, hi) in [(0.0, 1.0), (-1.0, 2.3), (0.1, 0.7)] {
            let m = 8 * bins;
            let data = Array1::from_iter((0..=m).map(|k| lo + (hi - lo) * (k as f64 / m as f64)));
            let h = par_histogram(&data, bins, Some((lo, hi))).unwrap();
            assert_eq!(
                h.counts.to_vec(),
                oracle(&data.to_vec(), &h.edges.to_vec()),
                "bins {bins}, range {lo}..{hi}"
            );
        }
    }
}
