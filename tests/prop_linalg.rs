//! Property tests: pairwise distances and k nearest neighbours against naive
//! oracles (with small-integer coordinates, so arithmetic is exact and ties
//! are common; and k-NN on general floats where the matrix-product screen
//! cancels badly), matrix products against a compensated triple loop and
//! `a.dot(&b)`, on C, F and transposed layouts and thread counts 1, 2, 3,
//! 7, 16.

use crate::common::*;
use ndarray::{Array2, ShapeBuilder};
use ndpar::Params;
use ndpar::linalg::{
    Metric, Variables, par_corrcoef, par_cov, par_knn, par_matmul, par_pairwise_distances,
};
use proptest::prelude::*;

const LINALG_THREADS: [isize; 5] = [1, 2, 3, 7, 16];

/// An n × d matrix of small integers in one of three layouts.
fn matrix(n: usize, d: usize) -> impl Strategy<Value = Array2<f64>> {
    (prop::collection::vec(-4i32..5, n * d), 0usize..3).prop_map(move |(v, layout)| {
        let vals: Vec<f64> = v.into_iter().map(f64::from).collect();
        match layout {
            0 => Array2::from_shape_vec((n, d), vals).unwrap(),
            1 => Array2::from_shape_vec((n, d).f(), vals).unwrap(),
            _ => Array2::from_shape_vec((d, n), vals)
                .unwrap()
                .reversed_axes(),
        }
    })
}

fn pair() -> impl Strategy<Value = (Array2<f64>, Array2<f64>)> {
    (0usize..20, 0usize..20, 0usize..17).prop_flat_map(|(n, m, d)| (matrix(n, d), matrix(m, d)))
}

/// The product by the textbook triple loop, each element a compensated
/// (Neumaier) sum of its products.
fn naive_matmul(a: &Array2<f64>, b: &Array2<f64>) -> Array2<f64> {
    Array2::from_shape_fn((a.nrows(), b.ncols()), |(i, j)| {
        neumaier((0..a.ncols()).map(|k| a[[i, k]] * b[[k, j]]))
    })
}

fn naive(metric: Metric, a: &[f64], b: &[f64]) -> f64 {
    let sq: f64 = a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum();
    match metric {
        Metric::SqEuclidean => sq,
        Metric::Euclidean => sq.sqrt(),
        Metric::Manhattan => a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum(),
        Metric::Cosine => {
            let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
            let na: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt();
            let nb: f64 = b.iter().map(|x| x * x).sum::<f64>().sqrt();
            1.0 - dot / (na * nb)
        }
        _ => unreachable!(),
    }
}

fn metric() -> impl Strategy<Value = Metric> {
    prop::sample::select(vec![
        Metric::Euclidean,
        Metric::SqEuclidean,
        Metric::Manhattan,
        Metric::Cosine,
    ])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn pairwise_distances_equal_naive((x, y) in pair(), m in metric(), p in params()) {
        let got = same_on_threads(&LINALG_THREADS, p, || par_pairwise_distances(&x, &y, m));
        let want = Array2::from_shape_fn((x.nrows(), y.nrows()), |(i, j)| {
            naive(m, &x.row(i).to_vec(), &y.row(j).to_vec())
        });
        prop_assert_eq!(got.shape(), want.shape());
        for (g, w) in got.iter().zip(&want) {
            prop_assert!(g == w || (g.is_nan() && w.is_nan()), "{} vs {}", g, w);
        }
    }

    #[test]
    fn knn_equals_brute_force((x, y) in pair(), k_frac in 0.0f64..=1.0, p in params()) {
        knn_equals_brute_force_case(x, y, k_frac, p)?;
    }

    #[test]
    fn matmul_of_small_integers_is_exact(
        (a, b) in (0usize..40, 0usize..40, 0usize..40).prop_flat_map(|(n, k, m)| (matrix(n, k), matrix(k, m))),
        p in params(),
    ) {
        // Small integers: every partial sum is exact, so any summation
        // order must give the naive triple loop's value exactly.
        let got = same_on_threads(&LINALG_THREADS, p, || par_matmul(&a, &b));
        prop_assert_eq!(got, naive_matmul(&a, &b));
    }

    #[test]
    fn matmul_is_accurate_and_equals_ndarrays_dot(
        (a, b) in (0usize..40, 0usize..40, 0usize..40).prop_flat_map(|(n, k, m)| (matrix(n, k), matrix(k, m))),
        scale in prop_oneof![Just(1.0), Just(0.1), Just(1e-3)],
        p in params(),
    ) {
        let (a, b) = (a.mapv(|v| v * scale + 0.01), b.mapv(|v| v * 0.7 - scale));
        let got = same_on_threads(&LINALG_THREADS, p, || par_matmul(&a, &b));
        // Against a compensated triple loop: within k·ε·Σ|a||b| per element.
        let (exact, abs) = (naive_matmul(&a, &b), naive_matmul(&a.mapv(f64::abs), &b.mapv(f64::abs)));
        let k = a.ncols() as f64;
        for ((g, e), s) in got.iter().zip(&exact).zip(&abs) {
            prop_assert!((g - e).abs() <= (k + 2.0) * f64::EPSILON * s + f64::MIN_POSITIVE, "{g} vs {e}");
        }
        // With the default params these short inner dimensions are not
        // split: the result is ndarray's own product bit for bit.
        prop_assert_eq!(on(2, Params::default(), || par_matmul(&a, &b)), a.dot(&b));
    }
}

#[test]
fn matmul_over_several_tiles_equals_dot() {
    let a = Array2::from_shape_fn((300, 70), |(i, j)| {
        ((i * 70 + j) as f64 * 0.618).fract() - 0.5
    });
    let b = Array2::from_shape_fn((70, 1100).f(), |(i, j)| {
        ((i * 31 + j * 7) as f64 * 0.414).fract() - 0.5
    });
    let want = naive_matmul(&a, &b);
    let close = |got: &Array2<f64>| got.iter().zip(&want).all(|(g, w)| (g - w).abs() <= 1e-12);
    assert!(close(&par_matmul(&a, &b)), "far from the naive product");
    let want = a.dot(&b);
    for t in [1, 2, 3, 7] {
        assert_eq!(
            ndpar::with_threads(t, || par_matmul(&a, &b)).unwrap(),
            want,
            "{t} threads"
        );
    }
    let f = a.mapv(|x| x as f32);
    assert_eq!(par_matmul(&f, &f.t()), f.dot(&f.t()));
}

#[test]
fn bad_shapes_and_k() {
    let a = Array2::<f64>::zeros((3, 4));
    let b = Array2::<f64>::zeros((3, 5));
    let msg = std::panic::catch_unwind(|| par_matmul(&a, &b))
        .unwrap_err()
        .downcast::<String>()
        .unwrap();
    assert!(msg.contains("[3, 4]") && msg.contains("[3, 5]"), "{msg}");
    let msg = std::panic::catch_unwind(|| par_pairwise_distances(&a, &b, Metric::Euclidean))
        .unwrap_err()
        .downcast::<String>()
        .unwrap();
    assert!(msg.contains("[3, 4]") && msg.contains("[3, 5]"), "{msg}");
    let msg = std::panic::catch_unwind(|| par_knn(&a, &a, 4))
        .unwrap_err()
        .downcast::<String>()
        .unwrap();
    assert_eq!(
        *msg,
        "par_knn: asked for the 4 nearest neighbours among only 3 rows of y"
    );
    let empty = par_knn(&Array2::<f64>::zeros((0, 4)), &a, 2);
    assert_eq!(empty.indices.shape(), &[0, 2]);
}

/// The `k` nearest rows of `y` to row `x` by brute force: direct distances
/// summed left to right, sorted by (distance, index) with NaN last.
fn brute_knn(x: &[f64], y: &Array2<f64>, k: usize) -> (Vec<usize>, Vec<f64>) {
    let mut all: Vec<(f64, usize)> = y
        .rows()
        .into_iter()
        .enumerate()
        .map(|(j, r)| (x.iter().zip(r).map(|(a, b)| (a - b) * (a - b)).sum(), j))
        .collect();
    all.sort_by(|a, b| {
        (a.0.is_nan(), a.0)
            .partial_cmp(&(b.0.is_nan(), b.0))
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.1.cmp(&b.1))
    });
    all.truncate(k);
    (
        all.iter().map(|c| c.1).collect(),
        all.iter().map(|c| c.0.sqrt()).collect(),
    )
}

/// Points far from the origin and close to each other (where
/// `|x|² + |y|² − 2x·y` loses every digit), exact duplicates (ties), and
/// now and then a NaN, an infinity, a huge (squares overflow or nearly
/// do) or a subnormal coordinate.
fn hard_points(n: usize, d: usize) -> impl Strategy<Value = Array2<f64>> {
    let coord = prop_oneof![
        20 => (-1.0f64..1.0).prop_map(|v| 1e8 + v * 1e-4),
        4 => (-3i32..3).prop_map(f64::from),
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(1e200),
        1 => Just(3e-310),
        // Squared norms near the overflow threshold.
        1 => prop_oneof![Just(1.2e154), Just(1.3e154), Just(-1.25e154)],
    ];
    prop::collection::vec(coord, n * d)
        .prop_map(move |v| Array2::from_shape_vec((n, d), v).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    // Up to 7 coordinates, so the kernel's direct distance adds in the same
    // order as the oracle's and the comparison can be exact.
    #[test]
    fn knn_on_hard_floats_equals_brute_force(
        (x, y) in (1usize..12, 1usize..60, 1usize..8)
            .prop_flat_map(|(n, m, d)| (hard_points(n, d), hard_points(m, d))),
        k_frac in 0.0f64..=1.0,
        p in params(),
    ) {
        let k = (k_frac * y.nrows() as f64).round() as usize;
        let got = same_on_threads(&LINALG_THREADS, p, || par_knn(&x, &y, k));
        for i in 0..x.nrows() {
            let (idx, dist) = brute_knn(&x.row(i).to_vec(), &y, k);
            prop_assert_eq!(got.indices.row(i).to_vec(), idx);
            let same = got.distances.row(i).iter().zip(&dist).all(|(g, w)| g == w || (g.is_nan() && w.is_nan()));
            prop_assert!(same, "row {}: {:?} vs {:?}", i, got.distances.row(i), dist);
        }
    }
}

#[test]
fn knn_over_many_tiles_and_parts_equals_brute_force() {
    // Clustered points with duplicated rows: many tiles of `y`, several
    // parts per query block, ties at every cluster.
    let d = 5;
    let y = Array2::from_shape_fn((6000, d), |(i, j)| {
        let c = (i % 37) as f64;
        c + (((i / 2) * 7 + j * 3) as f64 * 0.618_033_988_75).fract() * 1e-3
    });
    let x = Array2::from_shape_fn((70, d), |(i, j)| (i % 40) as f64 + j as f64 * 1e-4);
    for p in [
        Params::default(),
        Params::always_parallel().with_block_bytes(4096),
    ] {
        let got = same_on_threads(&[1, 2, 3, 8], p, || par_knn(&x, &y, 12));
        for i in 0..x.nrows() {
            let (idx, dist) = brute_knn(&x.row(i).to_vec(), &y, 12);
            assert_eq!(got.indices.row(i).to_vec(), idx, "row {i}");
            assert_eq!(got.distances.row(i).to_vec(), dist, "row {i}");
        }
    }
}

#[test]
fn tall_skinny_products_split_the_inner_dimension_and_stay_accurate() {
    // zᵀz with z of 200 000 × 6: one output tile, so the inner dimension is
    // cut into pieces added in a fixed tree.
    let z = Array2::from_shape_fn((200_000, 6), |(i, j)| {
        ((i * 6 + j) as f64 * 0.618_033_988_75).fract() - 0.3
    });
    let got = same_on_threads(&[1, 2, 3, 7], Params::default(), || par_matmul(&z.t(), &z));
    let (exact, abs) = (
        naive_matmul(&z.t().to_owned(), &z),
        naive_matmul(&z.t().mapv(f64::abs), &z.mapv(f64::abs)),
    );
    for ((g, e), s) in got.iter().zip(&exact).zip(&abs) {
        // Pairwise addition of the pieces: far inside the k·ε bound.
        assert!((g - e).abs() <= 64.0 * f64::EPSILON * s, "{g} vs {e}");
    }
    // f32, and a transposed output shape.
    let f = z.mapv(|v| v as f32);
    let g32 = par_matmul(&f.t(), &f);
    let want = exact.mapv(|v| v as f32);
    for (g, w) in g32.iter().zip(&want) {
        assert!((g - w).abs() <= 1e-3 * w.abs().max(1.0), "{g} vs {w}");
    }
}

/// Covariance by the textbook two-pass formula, each sum compensated.
fn naive_cov(vars: &Array2<f64>, ddof: f64) -> Array2<f64> {
    let (p, n) = vars.dim();
    let means: Vec<f64> = (0..p)
        .map(|i| neumaier(vars.row(i).iter().copied()) / n as f64)
        .collect();
    Array2::from_shape_fn((p, p), |(i, j)| {
        let s = neumaier((0..n).map(|k| (vars[[i, k]] - means[i]) * (vars[[j, k]] - means[j])));
        s / (n as f64 - ddof)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn cov_and_corrcoef_equal_the_two_pass_formula(
        m in (1usize..6, 0usize..40).prop_flat_map(|(p, n)| matrix(p, n)),
        offset in prop_oneof![Just(0.0), Just(1e6)],
        ddof in prop_oneof![Just(0.0), Just(1.0), Just(2.0)],
        columns in any::<bool>(),
        p in params(),
    ) {
        // Variables in rows of `m`; offered as rows, or transposed as columns.
        let m = m.mapv(|v| v * 0.37 + offset);
        let (p_vars, n) = m.dim();
        let t = m.t().to_owned();
        let run = || if columns {
            par_cov(&t, Variables::Columns, ddof)
        } else {
            par_cov(&m, Variables::Rows, ddof)
        };
        let got = same_on_threads(&LINALG_THREADS, p, run);
        if n as f64 <= ddof {
            prop_assert!(got.is_none());
            return Ok(());
        }
        let got = got.unwrap();
        let want = naive_cov(&m, ddof);
        prop_assert_eq!(got.dim(), (p_vars, p_vars));
        // Centred first: the error scales with the spread, not the offset.
        let spread = m.iter().map(|v| (v - offset).abs()).fold(0.0, f64::max).max(1.0);
        for (g, w) in got.iter().zip(&want) {
            prop_assert!((g - w).abs() <= 1e-9 * spread * spread, "{} vs {}", g, w);
        }
        prop_assert_eq!(&got, &got.t());
        if let Some(r) = par_corrcoef(&m, Variables::Rows) {
            for ((i, j), &v) in r.indexed_iter() {
                let s = (want[[i, i]] * want[[j, j]]).sqrt();
                let expected = want[[i, j]] / s; // the ddof cancels
                if s > 0.0 {
                    prop_assert!((-1.0..=1.0).contains(&v), "{}", v);
                    prop_assert!((v - expected.clamp(-1.0, 1.0)).abs() <= 1e-9, "{} vs {}", v, expected);
                } else {
                    prop_assert!(v.is_nan(), "constant variable gives NaN, got {}", v);
                }
            }
        }
    }
}

#[test]
fn cov_follows_numpy_on_small_cases() {
    use ndarray::array;
    // numpy.cov([[0, 1, 2], [2, 1, 0]]) and numpy.cov(x, bias=True)
    let m = array![[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]];
    assert_eq!(
        par_cov(&m, Variables::Rows, 1.0).unwrap(),
        array![[1.0, -1.0], [-1.0, 1.0]]
    );
    let c0: Array2<f64> = par_cov(&m, Variables::Rows, 0.0).unwrap();
    assert!((c0[[0, 0]] - 2.0 / 3.0).abs() < 1e-15);
    // NaN in one variable: its row and column are NaN, the rest is not.
    let with_nan = array![[0.0, f64::NAN, 2.0], [2.0, 1.0, 0.0], [1.0, 2.0, 4.0]];
    let c = par_cov(&with_nan, Variables::Rows, 1.0).unwrap();
    assert!(c.row(0).iter().all(|v| v.is_nan()) && c.column(0).iter().all(|v| v.is_nan()));
    assert!(c[[1, 2]].is_finite());
    // No variables: an empty matrix; too few observations: None.
    assert_eq!(
        par_cov(&Array2::<f64>::zeros((0, 5)), Variables::Rows, 1.0)
            .unwrap()
            .dim(),
        (0, 0)
    );
    assert!(par_cov(&Array2::<f64>::zeros((3, 1)), Variables::Rows, 1.0).is_none());
    assert!(par_corrcoef(&Array2::<f64>::zeros((3, 1)), Variables::Rows).is_none());
    // A constant variable has no correlation (NaN), as in numpy.
    let r: Array2<f64> =
        par_corrcoef(&array![[1.0, 1.0, 1.0], [1.0, 2.0, 4.0]], Variables::Rows).unwrap();
    assert!(r[[0, 1]].is_nan() && r[[1, 1]] == 1.0);
}

#[test]
fn cov_of_a_long_table_spans_many_blocks_and_is_the_same_on_any_pool() {
    // 100 000 observations of 5 variables around a large offset, in both
    // orientations: many observation blocks, added in a fixed tree.
    let table = Array2::from_shape_fn((100_000, 5), |(i, j)| {
        1e6 + ((i * 5 + j) as f64 * 0.618_033_988_75).fract() * (j + 1) as f64
    });
    let want = naive_cov(&table.t().to_owned(), 1.0);
    let by_columns = same_on_threads(&[1, 2, 3, 7], Params::default(), || {
        par_cov(&table, Variables::Columns, 1.0).unwrap()
    });
    let by_rows = par_cov(&table.t(), Variables::Rows, 1.0).unwrap();
    assert_eq!(by_columns, by_rows);
    for (g, w) in by_columns.iter().zip(&want) {
        assert!((g - w).abs() <= 1e-12 * w.abs().max(1.0), "{g} vs {w}");
    }
}

/// `par_knn` against a brute-force search.
fn knn_equals_brute_force_case(
    x: Array2<f64>,
    y: Array2<f64>,
    k_frac: f64,
    p: Params,
) -> Result<(), TestCaseError> {
    let k = (k_frac * y.nrows() as f64).round() as usize;
    let got = same_on_threads(&LINALG_THREADS, p, || par_knn(&x, &y, k));
    for i in 0..x.nrows() {
        let mut all: Vec<(f64, usize)> = (0..y.nrows())
            .map(|j| {
                (
                    naive(Metric::SqEuclidean, &x.row(i).to_vec(), &y.row(j).to_vec()),
                    j,
                )
            })
            .collect();
        all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let idx: Vec<usize> = all.iter().take(k).map(|c| c.1).collect();
        let dist: Vec<f64> = all.iter().take(k).map(|c| c.0.sqrt()).collect();
        prop_assert_eq!(got.indices.row(i).to_vec(), idx);
        prop_assert_eq!(got.distances.row(i).to_vec(), dist);
    }
    Ok(())
}

// Inputs that once failed, written out.

#[test]
fn regression_knn_of_points_with_no_coordinates() {
    let (x, y) = (Array2::<f64>::zeros((1, 0)), Array2::<f64>::zeros((2, 0)));
    let p = Params::always_parallel().with_block_bytes(8);
    knn_equals_brute_force_case(x, y, 0.916_472_059_527_579_2, p).unwrap();
}

#[test]
fn regression_knn_of_nearly_equal_large_coordinates_and_a_huge_one() {
    let x = ndarray::array![
        [
            100000000.00007142,
            100000000.0,
            99999999.99994218,
            100000000.0
        ],
        [100000000.0, 100000000.0, 100000000.0, 100000000.0],
        [100000000.0, 100000000.0, 100000000.0, 100000000.0],
        [100000000.0, 100000000.0, 100000000.0, 100000000.0],
        [100000000.0, 100000000.0, 100000000.0, 100000000.0],
        [100000000.0, 100000000.0, 100000000.0, 100000000.0],
    ];
    let y = ndarray::array![
        [
            100000000.0,
            100000000.0,
            100000000.00004417,
            99999999.99990605
        ],
        [
            100000000.00007384,
            100000000.00009371,
            100000000.00004128,
            100000000.00000745
        ],
        [1.0, 1e200, 99999999.99993369, 100000000.00001112],
    ];
    let p = Params::always_parallel().with_block_bytes(40);
    knn_equals_brute_force_case(x, y, 0.268_307_036_719_748_65, p).unwrap();
}
