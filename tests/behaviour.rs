//! Documented behaviour outside the property tests: bad input, empty input,
//! panics, thread control, the sequential threshold, determinism on large
//! arrays with the default blocks, and summation accuracy.

use crate::common::*;
use ndarray::{Array, Array0, Array1, Array2, ArrayD, Ix6, IxDyn, ShapeBuilder, s};
use ndpar::prelude::*;
use ndpar::{Error, Params};
use std::collections::HashSet;
use std::hint::black_box;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;

/// Small deterministic PRNG (xorshift64*), so large test data needs no RNG
/// crate and is the same on every machine.
struct Rng(u64);
impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn panic_message(err: Box<dyn std::any::Any + Send>) -> String {
    err.downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

// ---- bad input -------------------------------------------------------------

#[test]
fn mismatched_shapes_panic_naming_both_shapes() {
    let a = Array2::<f64>::zeros((3, 4));
    let b = Array2::<f64>::zeros((4, 3));
    let c = Array2::<f64>::zeros((3, 4));
    let cases: Vec<Box<dyn Fn()>> = vec![
        Box::new(|| drop(a.par_zip_map(&b, |x, y| x + y))),
        Box::new(|| drop(a.par_zip3_map(&c, &b, |x, y, z| x + y + z))),
        Box::new(|| {
            let _ = a.par_vdot(&b);
        }),
    ];
    for case in cases {
        let msg = panic_message(catch_unwind(AssertUnwindSafe(case)).unwrap_err());
        assert!(
            msg.contains("[3, 4]") && msg.contains("[4, 3]"),
            "message: {msg}"
        );
    }
    let mut out = Array2::<f64>::zeros((3, 4));
    let col = Array1::<f64>::zeros(3); // broadcasting needs the last axis to match
    let msg = panic_message(
        catch_unwind(AssertUnwindSafe(|| {
            out.par_zip_mut_with(&col, |o, &x| *o += x)
        }))
        .unwrap_err(),
    );
    assert!(
        msg.contains("[3]") && msg.contains("[3, 4]") && msg.contains("broadcast"),
        "message: {msg}"
    );
}

#[test]
fn n_jobs_zero_is_a_clear_error() {
    let err = ndpar::with_threads(0, || 1).unwrap_err();
    assert!(matches!(err, Error::InvalidNJobs(0)));
    let msg = err.to_string();
    assert!(
        msg.contains("n_jobs = 0") && msg.contains("-1"),
        "message: {msg}"
    );
    assert!(matches!(
        ndpar::effective_n_jobs(0),
        Err(Error::InvalidNJobs(0))
    ));
}

#[test]
fn negative_ddof_panics() {
    let a = Array1::from(vec![1.0, 2.0]);
    let msg = panic_message(catch_unwind(|| a.par_var(-1.0)).unwrap_err());
    assert!(msg.contains("ddof"), "message: {msg}");
}

#[test]
fn empty_inputs_give_documented_values() {
    for a in [
        Array1::<f64>::zeros(0).into_dyn(),
        Array2::<f64>::zeros((0, 5)).into_dyn(),
        ArrayD::<f64>::zeros(IxDyn(&[3, 0, 2])),
    ] {
        assert_eq!(a.par_sum(), 0.0);
        assert_eq!(a.par_product(), 1.0);
        assert_eq!(a.par_nansum(), 0.0);
        assert_eq!(a.par_mean(), None);
        assert_eq!(a.par_nanmean(), None);
        assert_eq!(a.par_var(0.0), None);
        assert_eq!(a.par_std(1.0), None);
        assert_eq!(a.par_min(), None);
        assert_eq!(a.par_max(), None);
        assert_eq!(a.par_nanmin(), None);
        assert_eq!(a.par_nanmax(), None);
        assert_eq!(a.par_argmin(), None);
        assert_eq!(a.par_argmax(), None);
        assert_eq!(a.par_norm_l1(), 0.0);
        assert_eq!(a.par_norm_l2(), 0.0);
        assert_eq!(a.par_norm_max(), None);
        assert_eq!(a.par_vdot(&a), 0.0);
        assert_eq!(a.par_fold(|| 7, |n, _| n + 1, |x, y| x + y), 7);
        let m = a.par_mapv(|x| x + 1.0);
        assert_eq!(m.shape(), a.shape());
        let mut b = a.clone();
        b.par_mapv_inplace(|x| x + 1.0);
        b.par_zip_mut_with(&a, |x, y| *x += y);
    }
    assert_eq!(Array1::from(vec![5.0]).par_var(1.0), None, "n <= ddof");
    assert_eq!(Array1::from(vec![5.0, 6.0]).par_var(1.5), Some(0.5 / 0.5));
}

#[test]
fn zero_dimensional_and_six_dimensional_arrays() {
    let z = Array0::from_elem((), 4.5f64);
    assert_eq!(z.par_sum(), 4.5);
    assert_eq!(z.par_argmax(), Some(()));
    assert_eq!(z.par_mapv(|x| x * 2.0)[()], 9.0);
    let a = Array::<f64, Ix6>::from_shape_fn((2, 3, 1, 4, 2, 3).f(), |(a, b, c, d, e, f)| {
        (a * 72 + b * 24 + c * 24 + d * 6 + e * 3 + f) as f64
    });
    let p = Params::always_parallel().with_block_bytes(40);
    assert_eq!(p.install(|| a.par_sum()), a.sum());
    assert_eq!(p.install(|| a.par_argmax()), Some((1, 2, 0, 3, 1, 2)));
    assert_eq!(p.install(|| a.par_mapv(|x| x + 1.0)), a.mapv(|x| x + 1.0));
}

// ---- panics ----------------------------------------------------------------

#[test]
fn a_panicking_closure_propagates_and_the_pool_survives() {
    let a = Array1::from_iter((0..200_000).map(|i| i as f64));
    let p = Params::always_parallel().with_block_bytes(1024);
    for t in [2, 4] {
        let r = catch_unwind(|| {
            on(t, p, || {
                a.par_map(|&x| {
                    if x == 123_456.0 {
                        panic!("bad element {x}")
                    } else {
                        x
                    }
                })
            })
        });
        assert!(panic_message(r.unwrap_err()).contains("bad element 123456"));
        let r = catch_unwind(|| {
            on(t, p, || {
                a.par_fold(
                    || 0.0,
                    |s, &x| if x > 1e5 { panic!("fold") } else { s + x },
                    |x, y| x + y,
                )
            })
        });
        assert!(r.is_err());
        let mut b = a.clone();
        let r = catch_unwind(AssertUnwindSafe(|| {
            on(t, p, || {
                b.par_map_inplace(|x| {
                    if *x == 7.0 {
                        panic!("in place")
                    }
                })
            })
        }));
        assert!(r.is_err());
        // Same pool, still working, still right.
        assert_eq!(on(t, p, || a.par_sum()), a.sum());
        assert_eq!(on(t, p, || a.par_mapv(|x| x * 2.0)), a.mapv(|x| x * 2.0));
    }
}

#[test]
fn a_non_copy_map_that_panics_leaks_nothing_it_should_not_drop() {
    // Elements written before the panic must not be dropped twice or read.
    let a = Array1::from_iter(0..50_000);
    let p = Params::always_parallel().with_block_bytes(512);
    let r = catch_unwind(|| {
        on(4, p, || {
            a.par_map(|&x| {
                if x == 40_000 {
                    panic!("stop")
                } else {
                    vec![x; 3]
                }
            })
        })
    });
    assert!(r.is_err());
    let ok = on(4, p, || a.par_map(|&x| vec![x; 3]));
    assert_eq!(ok[49_999], vec![49_999; 3]);
}

// ---- threads ---------------------------------------------------------------

#[test]
fn with_threads_uses_exactly_n_threads_and_joblib_negatives() {
    for n in [1, 2, 3, 5] {
        assert_eq!(
            ndpar::with_threads(n, rayon::current_num_threads).unwrap(),
            n as usize
        );
    }
    let all = ndpar::cpu_count();
    assert_eq!(
        ndpar::with_threads(-1, rayon::current_num_threads).unwrap(),
        all
    );
    assert_eq!(
        ndpar::with_threads(-2, rayon::current_num_threads).unwrap(),
        (all - 1).max(1)
    );
    assert_eq!(ndpar::effective_n_jobs(-(all as isize) - 5).unwrap(), 1);
}

#[test]
fn kernels_run_in_the_callers_pool() {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(3)
        .build()
        .unwrap();
    let a = Array1::from_iter((0..100_000).map(|i| i as f64));
    let p = Params::always_parallel().with_block_bytes(4096);
    let sizes = pool.install(|| p.install(|| a.par_map(|_| rayon::current_num_threads())));
    assert!(sizes.iter().all(|&n| n == 3));
    let names = Mutex::new(HashSet::new());
    pool.install(|| {
        p.install(|| {
            a.par_map(|_| {
                names.lock().unwrap().insert(rayon::current_thread_index());
            })
        })
    });
    assert!(
        names
            .into_inner()
            .unwrap()
            .iter()
            .all(|i| i.is_some_and(|i| i < 3))
    );
}

#[test]
fn small_inputs_run_on_the_calling_thread() {
    let a = Array1::from_iter((0..1000).map(|i| i as f64));
    let caller = std::thread::current().id();
    let threads = Mutex::new(HashSet::new());
    ndpar::with_threads(4, || {
        let here = std::thread::current().id();
        a.par_map(|_| threads.lock().unwrap().insert(std::thread::current().id()));
        a.par_fold(
            || (),
            |(), _| {
                threads.lock().unwrap().insert(std::thread::current().id());
            },
            |(), ()| (),
        );
        assert_eq!(*threads.lock().unwrap(), HashSet::from([here]));
    })
    .unwrap();
    threads.lock().unwrap().clear();
    a.par_map(|_| threads.lock().unwrap().insert(std::thread::current().id()));
    assert_eq!(threads.into_inner().unwrap(), HashSet::from([caller]));
}

/// Busy work the optimiser cannot remove, about `micros` long.
fn spin(micros: u64) -> u64 {
    let start = std::time::Instant::now();
    let mut x = 0u64;
    while start.elapsed().as_micros() < u128::from(micros) {
        x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
    }
    x
}

#[test]
fn expensive_work_spreads_over_the_pool() {
    // Default params: the first block is timed, the estimate is far above
    // min_parallel_time, so the rest goes to the pool.
    let a = Array1::from_iter(0..5000u64);
    let threads = Mutex::new(HashSet::new());
    ndpar::with_threads(2, || {
        a.par_map(|&x| {
            threads.lock().unwrap().insert(std::thread::current().id());
            spin(10) ^ x
        })
    })
    .unwrap();
    assert_eq!(threads.into_inner().unwrap().len(), 2);
    // A reduction too, and with always_parallel even tiny blocks.
    let threads = Mutex::new(HashSet::new());
    let p = Params::always_parallel().with_block_bytes(8);
    let n = on(4, p, || {
        Array1::from_iter(0..64u64).par_fold(
            || 0,
            |n, _| {
                threads.lock().unwrap().insert(std::thread::current().id());
                spin(1000);
                n + 1
            },
            |x, y| x + y,
        )
    });
    assert_eq!(n, 64);
    assert!(threads.into_inner().unwrap().len() > 1);
}

#[test]
fn params_follow_the_caller_into_with_threads() {
    let p = Params::default().with_block_bytes(123);
    assert_eq!(
        p.install(|| ndpar::with_threads(3, Params::current))
            .unwrap(),
        p
    );
    assert_eq!(
        ndpar::with_threads(3, || p.install(Params::current)).unwrap(),
        p
    );
    assert_eq!(Params::current(), Params::default(), "restored afterwards");
}

// ---- determinism and accuracy at scale -------------------------------------

#[test]
fn large_arrays_give_identical_bits_on_every_thread_count() {
    let mut rng = Rng(42);
    // A prime length, not a multiple of any block size.
    let a = Array1::from_iter((0..1_000_003).map(|_| rng.unit() * 2.0 - 1.0));
    let b = a.mapv(|x| x * 0.5 + 0.25);
    let m = Array2::from_shape_fn((1009, 997), |(i, j)| ((i * 997 + j) as f64).sin());
    let strided = m.slice(s![..;2, 1..]);
    let reference = |t| {
        ndpar::with_threads(t, || {
            (
                a.par_sum().to_bits(),
                a.par_var(1.0).unwrap().to_bits(),
                a.par_vdot(&b).to_bits(),
                a.par_norm_l2().to_bits(),
                a.par_product().to_bits(),
                m.t().par_sum().to_bits(),
                strided.par_mean().unwrap().to_bits(),
                strided.par_argmax(),
                a.par_mapv(f64::exp).par_sum().to_bits(),
            )
        })
        .unwrap()
    };
    let one = reference(1);
    for t in THREADS {
        assert_eq!(reference(t), one, "{t} threads");
    }
}

#[test]
fn badly_conditioned_sums_stay_within_the_log_n_bound() {
    let n = 10_000_000;
    let mut rng = Rng(7);
    // Mixed signs and magnitudes over 16 decades.
    let xs: Vec<f32> = (0..n)
        .map(|_| {
            let mag = 10f64.powf(rng.unit() * 16.0 - 8.0);
            let sign = if rng.next_u64() & 1 == 0 { 1.0 } else { -1.0 };
            (sign * mag) as f32
        })
        .collect();
    let exact = neumaier(xs.iter().map(|&x| f64::from(x)));
    let abs: f64 = xs.iter().map(|&x| f64::from(x).abs()).sum();
    let bound = sum_tolerance(n, abs, f64::from(f32::EPSILON) / 2.0);
    let a = Array1::from(xs.clone());
    let ours = f64::from(a.par_sum());
    let naive = f64::from(xs.iter().fold(0.0f32, |s, &x| s + x));
    println!(
        "n = {n}: |error| pairwise = {:.3e}, running sum = {:.3e}, log-n bound = {bound:.3e}, n·eps bound = {:.3e}",
        (ours - exact).abs(),
        (naive - exact).abs(),
        n as f64 * f64::from(f32::EPSILON) / 2.0 * abs
    );
    assert!((ours - exact).abs() <= bound);
    // The same holds in f64 with a strided layout (gathered blocks).
    let a64 = Array2::from_shape_vec(
        (n / 1000, 1000),
        xs.iter().map(|&x| f64::from(x) * 1.000_000_1).collect(),
    )
    .unwrap();
    let exact64 = neumaier(a64.t().iter().copied());
    let abs64: f64 = a64.iter().map(|x| x.abs()).sum();
    let ours64 = a64.t().slice(s![.., ..]).par_sum();
    assert!((ours64 - exact64).abs() <= sum_tolerance(n, abs64, f64::EPSILON / 2.0));
}

/// Sums, products and scans of integers are exact: a result that fits
/// numpy's type comes back whatever the partial sums did, on any split,
/// and one that does not fit panics naming the method, never wrapped.
#[test]
fn integer_results_are_exact_or_panic_naming_the_method_on_any_split() {
    // Partial sums leave i64 in some splits; the total fits.
    let mut fits = vec![i64::MAX; 64];
    fits.extend(vec![-i64::MAX; 64]);
    fits.push(5);
    let fits = Array1::from(fits);
    for params in [
        Params::default(),
        Params::always_parallel().with_block_bytes(8),
    ] {
        for threads in [1, 2, 3] {
            assert_eq!(on(threads, params, || fits.par_sum()), 5);
        }
    }
    // 2^32 · 2^32 overflows u64 only after the last factor; a zero anywhere
    // makes the product zero however large the rest.
    let big = Array1::from(vec![1u64 << 32, 1, 1u64 << 32]);
    let with_zero = Array1::from(vec![u64::MAX, u64::MAX, 0, u64::MAX]);
    assert_eq!(with_zero.par_product(), 0);
    type Case<'a> = (&'a str, Box<dyn Fn() + Sync + 'a>);
    let cases: Vec<Case<'_>> = vec![
        (
            "par_sum",
            Box::new(|| {
                black_box(Array1::from(vec![i64::MAX, 1]).par_sum());
            }),
        ),
        (
            "par_sum",
            Box::new(|| {
                black_box(Array1::from(vec![u64::MAX, 1]).par_sum());
            }),
        ),
        (
            "par_product",
            Box::new(|| {
                black_box(big.par_product());
            }),
        ),
        (
            "par_sum_axis",
            Box::new(|| {
                black_box(Array2::from_elem((3, 2), i64::MAX).par_sum_axis(ndarray::Axis(0)));
            }),
        ),
        (
            "par_cumsum",
            Box::new(|| {
                black_box(Array1::from(vec![1, i64::MAX, -5]).par_cumsum(ndarray::Axis(0)));
            }),
        ),
        (
            "par_cumprod",
            Box::new(|| {
                black_box(big.par_cumprod(ndarray::Axis(0)));
            }),
        ),
    ];
    for (method, case) in &cases {
        for params in [
            Params::default(),
            Params::always_parallel().with_block_bytes(8),
        ] {
            for threads in [1, 2] {
                let err = catch_unwind(AssertUnwindSafe(|| on(threads, params, case)))
                    .expect_err("an integer result that does not fit panics");
                let msg = panic_message(err);
                assert!(
                    msg.contains(method) && msg.contains("does not fit"),
                    "{msg}"
                );
            }
        }
    }
}
