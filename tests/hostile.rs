//! Hostile arguments: sizes that overflow, configuration values far out of
//! range, unbounded inputs, edge values where a silently wrong answer would
//! hide. Every call must return an error, panic with a clear message, or
//! give the right answer; none may abort or hang.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use ndarray::{Array1, Array2, Axis, ShapeBuilder, array};
use ndpar::blocks::Boundary;
use ndpar::histogram::{MAX_BINS, par_histogram, par_histogram_2d, par_histogram_edges};
use ndpar::prelude::*;
use ndpar::{BatchSize, CancelToken, Error, MAX_THREADS, NotRun, Parallel, Params};

/// Runs `f` on its own thread and fails the test if it has not returned
/// within `limit` (a hang would otherwise stall the whole suite).
fn within<R: Send + 'static>(
    limit: Duration,
    what: &str,
    f: impl FnOnce() -> R + Send + 'static,
) -> R {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit)
        .unwrap_or_else(|_| panic!("{what}: no answer within {limit:?}"))
}

/// The message of the panic `f` raises (the test fails if it returns).
fn panic_message(f: impl FnOnce()) -> String {
    let payload = catch_unwind(AssertUnwindSafe(f)).expect_err("expected a panic");
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

// ---- histograms ----------------------------------------------------------

#[test]
fn histogram_bins_beyond_memory_are_errors() {
    let data = array![0.1, 0.5, 0.9];
    for bins in [
        1usize << 40,
        1_000_000_000_000,
        usize::MAX,
        usize::MAX - 1,
        MAX_BINS + 1,
    ] {
        assert!(
            matches!(
                par_histogram(&data, bins, None),
                Err(Error::InvalidBins { .. })
            ),
            "bins = {bins}"
        );
        assert!(matches!(
            par_histogram(&data, bins, Some((0.0, 1.0))),
            Err(Error::InvalidBins { .. })
        ));
    }
    for bins in [
        (1usize << 40, 1),
        (1, usize::MAX),
        (1 << 20, 1 << 20),
        (usize::MAX, usize::MAX),
    ] {
        assert!(
            matches!(
                par_histogram_2d(&data, &data, bins, None),
                Err(Error::InvalidBins { .. })
            ),
            "bins = {bins:?}"
        );
    }
    let err = par_histogram(&data, usize::MAX, None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("MAX_BINS"), "{err}");
}

/// numpy 2.4: `np.histogram([0.5e-310], 10, (0, 1e-310))` counts bin 5.
#[test]
fn histogram_of_a_subnormal_range_matches_numpy() {
    let h = par_histogram(&array![0.5e-310], 10, Some((0.0, 1e-310))).unwrap();
    let mut expected = vec![0u64; 10];
    expected[5] = 1;
    assert_eq!(h.counts.to_vec(), expected);
    // Every value sits in the bin its returned edges define, whatever the
    // scale: 3000 values over 1000 subnormal-width bins, f64 and f32.
    let data = Array1::from_shape_fn(3000, |i| i as f64 * 1e-310 / 2999.0);
    let h = par_histogram(&data, 1000, None).unwrap();
    assert_eq!(h.counts, counts_by_edges(&data, &h.edges));
    let data32 = Array1::from_shape_fn(3000, |i| i as f32 * 1e-40 / 2999.0);
    let h32 = par_histogram(&data32, 1000, None).unwrap();
    assert_eq!(h32.counts, counts_by_edges(&data32, &h32.edges));
    // A wide range at the top of f32 (bins / width underflows nothing, but
    // the width is near the largest float).
    let wide = array![-1.5e38f32, 0.0, 1.5e38];
    let h = par_histogram(&wide, 7, None).unwrap();
    assert_eq!(h.counts, counts_by_edges(&wide, &h.edges));
}

/// Counts by the edges alone: bin `i` holds `[e_i, e_i+1)`, the last bin
/// also its right edge (numpy's rule), found by a linear search.
fn counts_by_edges<A: Copy + PartialOrd>(data: &Array1<A>, edges: &Array1<A>) -> Array1<u64> {
    let bins = edges.len() - 1;
    let mut counts = Array1::zeros(bins);
    for &x in data {
        if let Some(i) = (0..bins)
            .find(|&i| edges[i] <= x && (x < edges[i + 1] || (i == bins - 1 && x <= edges[bins])))
        {
            counts[i] += 1;
        }
    }
    counts
}

/// numpy raises "Too many bins for data range" when the edges of a range
/// are not finite and strictly increasing; so does ndpar.
#[test]
fn degenerate_ranges_are_errors_as_in_numpy() {
    let eps = f64::EPSILON;
    type Case = (Array1<f64>, usize, Option<(f64, f64)>);
    let cases: Vec<Case> = vec![
        (array![1.0, 1.0 + eps], 4, Some((1.0, 1.0 + eps))),
        (array![-1e308, 1e308, 0.0], 4, None),
        (array![0.0], 4, Some((0.0, 5e-324))),
        (array![1e20], 3, None), // min == max, and 1e20 ± 0.5 == 1e20
    ];
    for (data, bins, range) in cases {
        let r = par_histogram(&data, bins, range);
        assert!(
            matches!(r, Err(Error::InvalidBins { .. })),
            "{data} {bins} {range:?}: {r:?}"
        );
    }
    let r = par_histogram_2d(
        &array![0.5],
        &array![1.0],
        (2, 4),
        Some(((0.0, 1.0), (1.0, 1.0 + eps))),
    );
    assert!(matches!(r, Err(Error::InvalidBins { .. })), "{r:?}");
    // The error names the bins and the range, as numpy's message does.
    let err = par_histogram(&array![1.0], 4, Some((1.0, 1.0 + eps)))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("too many bins") && err.contains("bins = 4"),
        "{err}"
    );
}

/// Histogram arguments drawn from the edges of f64 (zeros, subnormals,
/// the extremes, NaN, infinities, neighbours of 1) and bin counts from 0 to
/// `usize::MAX`: every call returns, and every `Ok` has finite, strictly
/// increasing edges and counts that agree with them.
#[test]
fn fuzzed_histogram_arguments_give_errors_or_consistent_histograms() {
    let specials = [
        0.0,
        -0.0,
        5e-324,
        -5e-324,
        1e-310,
        f64::MIN_POSITIVE,
        1.0,
        1.0 + f64::EPSILON,
        1.0 - f64::EPSILON / 2.0,
        -1.0,
        1e15,
        1e300,
        -1e308,
        f64::MAX,
        f64::MIN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
    ];
    let bins = [0usize, 1, 2, 3, 7, 64, 1000, MAX_BINS + 1, usize::MAX];
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let (mut ok, mut errors) = (0, 0);
    for _ in 0..3000 {
        let pick = |r: u64| specials[r as usize % specials.len()];
        let n = next() as usize % 9;
        let data = Array1::from_shape_fn(n, |_| pick(next()));
        let b = bins[next() as usize % bins.len()];
        let range = (next() % 3 != 0).then(|| (pick(next()), pick(next())));
        match par_histogram(&data, b, range) {
            Ok(h) => {
                ok += 1;
                let e = &h.edges;
                assert_eq!(e.len(), b + 1);
                assert!(e.iter().all(|x| x.is_finite()), "{data} {b} {range:?}: {e}");
                assert!(e.windows(2).into_iter().all(|w| w[0] < w[1]), "{e}");
                assert_eq!(h.counts, counts_by_edges(&data, e), "{data} {b} {range:?}");
            }
            Err(Error::InvalidBins { .. } | Error::InvalidRange { .. }) => errors += 1,
            Err(other) => panic!("unexpected {other:?}"),
        }
        let edges = Array1::from_shape_fn(next() as usize % 5, |_| pick(next()));
        if let Ok(h) = par_histogram_edges(&data, &edges) {
            assert_eq!(h.counts.len() + 1, edges.len());
        }
    }
    assert!(ok > 100 && errors > 100, "ok {ok}, errors {errors}");
}

// ---- random arrays and block kernels --------------------------------------

#[cfg(feature = "random")]
#[test]
fn random_arrays_too_large_to_address_panic_clearly() {
    use ndpar::random::{StandardNormal, par_random};
    for shape in [
        vec![usize::MAX],
        vec![usize::MAX, 2],
        vec![1 << 40, 1 << 40],
        vec![1 << 61],
    ] {
        let msg = panic_message(|| {
            let _ =
                par_random(ndarray::IxDyn(&shape), &StandardNormal, 1u64) as ndarray::ArrayD<f64>;
        });
        assert!(
            msg.contains("par_random") && msg.contains("address"),
            "{shape:?}: {msg}"
        );
    }
    // A zero-length axis makes an empty array even beside a huge one.
    let empty: ndarray::Array2<f64> = par_random((0, 1 << 40), &StandardNormal, 1);
    assert_eq!(empty.shape(), &[0, 1 << 40]);
}

#[test]
fn halos_are_checked_before_any_block_is_built() {
    let x = Array1::from_shape_fn(10, |i| i as f64);
    for halo in [
        usize::MAX,
        usize::MAX / 2 + 7,
        isize::MAX as usize + 1,
        1 << 62,
    ] {
        let msg = panic_message(|| {
            drop(x.par_map_overlap(Axis(0), 4, halo, Boundary::Constant(0.0), |b| b.to_owned()));
        });
        assert!(msg.contains("halo"), "halo {halo}: {msg}");
        assert!(
            !msg.contains("closure"),
            "the closure is not to blame: {msg}"
        );
    }
    // A halo far longer than the axis is fine where the mode allows it.
    let halo = 1000;
    for boundary in [Boundary::Constant(-1.0), Boundary::Nearest] {
        let lens = x.par_map_overlap(Axis(0), 4, halo, boundary, |b| {
            let inner = b.len() - 2 * halo;
            Array1::from_elem(inner, b.len() as f64)
        });
        assert_eq!(
            lens.to_vec(),
            vec![
                2004.0, 2004.0, 2004.0, 2004.0, 2004.0, 2004.0, 2004.0, 2004.0, 2002.0, 2002.0
            ]
        );
        let sums = x.par_map_overlap(Axis(0), 4, halo, boundary, |b| {
            Array1::from_elem(b.len() - 2 * halo, b.sum())
        });
        let edge = |left: bool| match boundary {
            Boundary::Constant(c) => c,
            _ => {
                if left {
                    0.0
                } else {
                    9.0
                }
            }
        };
        // Each block sees 1000 padding values on each side beyond the
        // array, less what the array itself covers.
        let block0: f64 =
            (0..10).map(|i| i as f64).sum::<f64>() + 1000.0 * edge(true) + 994.0 * edge(false);
        assert_eq!(sums[0], block0, "{boundary:?}");
    }
}

// ---- scans and variance at the edges of floating point --------------------

/// A sequential running sum stays infinite once it overflows, and so does
/// numpy's cumsum; a later block's finite carry must not bring it back.
#[test]
fn cumsum_overflow_is_sticky_across_blocks() {
    let mut x = Array1::<f64>::zeros(24_576);
    x[8191] = 1e308;
    x[8192] = 1e308;
    x[8193] = -1e308;
    for params in [
        Params::default(),
        Params::always_parallel().with_block_bytes(4096),
    ] {
        for threads in [1, 2, 3] {
            let c =
                ndpar::with_threads(threads, || params.install(|| x.par_cumsum(Axis(0)))).unwrap();
            assert_eq!(c[8190], 0.0);
            assert_eq!(c[8191], 1e308);
            assert!(
                c.iter().skip(8192).all(|&v| v == f64::INFINITY),
                "{params:?} {threads}"
            );
        }
    }
    // Along an axis of a 2-D array, column by column: one column
    // overflows, one meets -inf after +inf (NaN from then on), one stays
    // finite.
    let mut m = Array2::<f64>::zeros((20_000, 3).f());
    m[[100, 0]] = 1e308;
    m[[101, 0]] = 1e308;
    m[[102, 0]] = -1e308;
    m[[5000, 1]] = f64::INFINITY;
    m[[15_000, 1]] = f64::NEG_INFINITY;
    m.column_mut(2).fill(1.0);
    let p = Params::always_parallel().with_block_bytes(4096);
    let c = ndpar::with_threads(2, || p.install(|| m.par_cumsum(Axis(0)))).unwrap();
    assert!(c.column(0).iter().skip(101).all(|&v| v == f64::INFINITY));
    assert!(
        c.column(1)
            .iter()
            .skip(5000)
            .take(10_000)
            .all(|&v| v == f64::INFINITY)
    );
    assert!(c.column(1).iter().skip(15_000).all(|v| v.is_nan()));
    assert_eq!(c[[19_999, 2]], 20_000.0);
    // cumprod: inf times 0 is NaN, and stays NaN.
    let mut y = Array1::<f64>::ones(30_000);
    y[10] = 1e200;
    y[11] = 1e200;
    y[20_000] = 0.0;
    let c = ndpar::with_threads(2, || p.install(|| y.par_cumprod(Axis(0)))).unwrap();
    assert!(c.iter().skip(11).take(19_989).all(|&v| v == f64::INFINITY));
    assert!(c.iter().skip(20_000).all(|v| v.is_nan()));
}

/// The exact variance of `1e12 + k/1024` for integers `k`, from integer
/// sums (no floating-point rounding until the last division).
fn exact_var(ks: &[i64], ddof: i64) -> f64 {
    let n = ks.len() as i128;
    let s: i128 = ks.iter().map(|&k| k as i128).sum();
    let s2: i128 = ks.iter().map(|&k| (k as i128) * (k as i128)).sum();
    let num = n * s2 - s * s; // n² · var · 1024² · n/(n-ddof) …
    num as f64 / (n * (n - ddof as i128)) as f64 / (1024.0 * 1024.0)
}

#[test]
fn variance_along_an_axis_is_stable_at_a_large_mean() {
    // 1e12 + noise of unit variance (a sum of 12 uniforms, less 6), in
    // multiples of 2^-10 (exact in f64 at 1e12).
    let n = 1000;
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut uniform = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let ks = Array2::from_shape_fn((n, n), |_| {
        let z: f64 = (0..12).map(|_| uniform()).sum::<f64>() - 6.0;
        (z * 1024.0).round() as i64
    });
    for order_f in [false, true] {
        let mut x = Array2::<f64>::zeros((n, n).set_f(order_f));
        x.zip_mut_with(&ks, |x, &k| *x = 1e12 + k as f64 / 1024.0);
        for axis in [Axis(0), Axis(1)] {
            let v = x.par_var_axis(axis, 0.0).unwrap();
            let worst = (0..n)
                .map(|j| {
                    let lane: Vec<i64> = ks.index_axis(Axis(1 - axis.index()), j).to_vec();
                    let exact = exact_var(&lane, 0);
                    ((v[j] - exact) / exact).abs()
                })
                .fold(0.0f64, f64::max);
            // numpy's var on the same data: about 7e-6.
            assert!(
                worst < 1e-6,
                "F order {order_f}, {axis:?}: worst relative error {worst:e}"
            );
        }
    }
    // The whole-array path, for comparison.
    let x = ks.mapv(|k| 1e12 + k as f64 / 1024.0);
    let flat: Vec<i64> = ks.iter().copied().collect();
    let v = x.par_var(0.0).unwrap();
    assert!(((v - exact_var(&flat, 0)) / exact_var(&flat, 0)).abs() < 1e-6);
}

// ---- the task runner -----------------------------------------------------

#[test]
fn absurd_thread_counts_are_errors_before_any_thread_starts() {
    for n in [1_000_000isize, isize::MAX, MAX_THREADS as isize + 1] {
        assert!(matches!(ndpar::effective_n_jobs(n), Err(Error::InvalidNJobs(m)) if m == n));
        assert!(matches!(
            Parallel::new().n_jobs(n),
            Err(Error::InvalidNJobs(_))
        ));
        assert!(matches!(
            ndpar::with_threads(n, || ()),
            Err(Error::InvalidNJobs(_))
        ));
    }
    let msg = Error::InvalidNJobs(1_000_000).to_string();
    assert!(msg.contains(&MAX_THREADS.to_string()), "{msg}");
    assert_eq!(ndpar::effective_n_jobs(isize::MIN).unwrap(), 1);
}

#[test]
fn endless_inputs_stop_on_cancel_and_timeout_without_being_read_to_the_end() {
    // Cancelled from inside a task, over inputs that never end.
    let ordered = within(Duration::from_secs(60), "map_iter over 0u64..", || {
        let token = CancelToken::new();
        let t = token.clone();
        let p = Parallel::new().n_jobs(2).unwrap().cancel_token(&token);
        p.map_iter(0u64.., move |i| {
            if i == 5 {
                t.cancel();
            }
            i
        })
        .collect::<Vec<_>>()
    });
    let Some(Err(Error::Cancelled {
        not_run: NotRun::From(first),
    })) = ordered.last()
    else {
        panic!(
            "expected a cancellation at the end, got {:?}",
            ordered.last()
        );
    };
    assert!(*first >= 6 && ordered[..ordered.len() - 1].iter().all(Result::is_ok));
    assert_eq!(
        ordered.len() - 1,
        *first,
        "every task before the first not run ran, in order"
    );

    let unordered = within(Duration::from_secs(60), "map_unordered over repeat", || {
        let token = CancelToken::new();
        let t = token.clone();
        let p = Parallel::new().n_jobs(2).unwrap().cancel_token(&token);
        p.map_unordered(std::iter::repeat(1u8), move |x| {
            t.cancel();
            x
        })
        .last()
    });
    assert!(matches!(
        unordered,
        Some((
            _,
            Err(Error::Cancelled {
                not_run: NotRun::From(_)
            })
        ))
    ));

    // A timeout, over 0..u64::MAX (and inline, on one thread).
    for jobs in [1, 2] {
        let last = within(
            Duration::from_secs(60),
            "map_iter with a timeout",
            move || {
                let p = Parallel::new()
                    .n_jobs(jobs)
                    .unwrap()
                    .timeout(Duration::from_millis(30));
                p.map_iter(0..u64::MAX, |i| {
                    thread::sleep(Duration::from_millis(1));
                    i
                })
                .last()
            },
        );
        let Some(Err(Error::TimedOut { not_run })) = last else {
            panic!("expected a timeout, got {last:?}");
        };
        assert!(not_run.contains(u64::MAX as usize - 1) && not_run.count().is_none());
    }
}

/// Two streams made outside any pool and consumed inside both workers of
/// the pool that runs their tasks: the consumers help run the pool's work
/// while they wait, so neither starves the other.
#[test]
fn streams_consumed_inside_every_worker_of_their_pool_do_not_deadlock() {
    let sums = within(
        Duration::from_secs(120),
        "two streams in a two-thread pool",
        || {
            let p = Parallel::new().n_jobs(2).unwrap();
            let (a, b) = (
                p.map_iter(0..200u64, |x| x * 2),
                p.map_unordered(0..200u64, |x| x + 1),
            );
            ndpar::with_threads(2, move || {
                rayon::join(
                    move || a.map(Result::unwrap).sum::<u64>(),
                    move || b.map(|(_, r)| r.unwrap()).sum::<u64>(),
                )
            })
            .unwrap()
        },
    );
    assert_eq!(sums, (2 * (0..200).sum::<u64>(), (1..=200).sum::<u64>()));
}

#[test]
fn endless_timeouts_mean_no_deadline() {
    for limit in [Duration::MAX, Duration::from_secs(u64::MAX)] {
        let p = Parallel::new().n_jobs(2).unwrap().timeout(limit);
        assert_eq!(p.map(0..10, |x| x * 2).unwrap()[9], 18);
        let r: Result<Vec<i32>, ndpar::TaskError<()>> = p.try_map(0..10, Ok);
        assert_eq!(r.unwrap().len(), 10);
        assert_eq!(p.map_iter(0..10, |x| x).count(), 10);
        assert_eq!(p.map_unordered(0..10, |x| x).count(), 10);
    }
}

#[test]
fn batches_larger_than_the_input_are_one_batch() {
    for size in [1usize << 63, usize::MAX, usize::MAX / 2 + 1, 1001] {
        for jobs in [1, 2, 3] {
            let p = Parallel::new()
                .n_jobs(jobs)
                .unwrap()
                .batch_size(BatchSize::Fixed(size));
            let out = p.map(0..1000u64, |x| x + 1).unwrap();
            assert_eq!(
                out,
                (1..=1000).collect::<Vec<_>>(),
                "batch {size}, {jobs} jobs"
            );
        }
    }
}
