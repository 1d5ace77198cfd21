//! The calls users make: methods on what users hold (`&ArrayRef` as well
//! as arrays and views), numpy's broadcasting in zipped maps, the one error
//! policy (programmer errors panic naming the method and the values;
//! empty input never panics), and every public type nameable and
//! printable.

use std::fmt::Debug;
use std::panic::{AssertUnwindSafe, catch_unwind};

use ndarray::{Array1, Array2, ArrayRef, Axis, Ix1, Ix2, array};
use ndpar::blocks::Boundary;
use ndpar::prelude::*;

fn panic_message(f: impl FnOnce()) -> String {
    let err = catch_unwind(AssertUnwindSafe(f)).expect_err("expected a panic");
    err.downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

// ---- methods on what users hold ---------------------------------------

/// A user function in ndarray 0.17 style, taking `&ArrayRef`.
fn column_summary(a: &ArrayRef<f64, Ix2>) -> (f64, Array1<f64>, Array2<f64>) {
    (
        a.par_sum(),
        a.par_mean_axis(Axis(0)).unwrap(),
        a.par_cumsum(Axis(1)),
    )
}

/// And one that mutates through `&mut ArrayRef`.
fn normalise_rows(a: &mut ArrayRef<f64, Ix2>, scale: &ArrayRef<f64, Ix1>) {
    a.par_mapv_inplace(|x| x * 2.0);
    a.par_map_inplace(|x| *x -= 1.0);
    a.par_zip_mut_with(scale, |x, &s| *x /= s);
    a.par_for_each_lane_mut(Axis(1), |mut row| {
        let n = row.dot(&row).sqrt();
        row /= n;
    });
}

#[test]
fn kernels_are_methods_of_array_ref() {
    let a = Array2::from_shape_fn((30, 4), |(i, j)| (i * 4 + j) as f64);
    let (sum, means, cums) = column_summary(&a);
    assert_eq!(sum, a.sum());
    assert_eq!(means, a.mean_axis(Axis(0)).unwrap());
    assert_eq!(cums.column(3), a.sum_axis(Axis(1)));
    let mut b = a.clone();
    normalise_rows(&mut b, &array![1.0, 2.0, 4.0, 8.0]);
    for row in b.rows() {
        assert!((row.dot(&row) - 1.0).abs() < 1e-12);
    }
    // Views and shared arrays reach the same methods.
    let shared = a.to_shared();
    assert_eq!(a.view().par_sum(), shared.par_sum());
}

// ---- broadcasting --------------------------------------------------------

#[test]
fn zipped_maps_broadcast_like_numpy() {
    let x = Array2::from_shape_fn((1000, 3), |(i, j)| (i * (j + 1)) as f64);
    let (mean, std) = (
        x.par_mean_axis(Axis(0)).unwrap(),
        x.par_std_axis(Axis(0), 0.0).unwrap(),
    );
    // (x - mean) / std: (1000, 3) with (3,) and (3,).
    let z = x.par_zip3_map(&mean, &std, |&v, &m, &s| (v - m) / s);
    assert_eq!(z.dim(), (1000, 3));
    let naive = (&x - &mean) / &std;
    assert_eq!(z, naive);
    // A column against a row: both broadcast, as numpy's (3, 1) * (2,).
    let col = array![[1], [2], [3]];
    let row = array![10, 20];
    assert_eq!(col.par_zip_map(&row, |&c, &r| c * r), &col * &row);
    assert_eq!(row.par_zip_map(&col, |&r, &c| r - c), &row - &col);
    // Shapes that do not broadcast name every shape.
    let msg = panic_message(|| drop(x.par_zip_map(&array![1.0, 2.0], |a, b| a + b)));
    assert!(
        msg.contains("par_zip_map") && msg.contains("[1000, 3]") && msg.contains("[2]"),
        "{msg}"
    );
}

// ---- one error policy ----------------------------------------------------

#[test]
fn every_axis_method_names_itself_the_axis_and_the_dimensions() {
    let a = Array2::<f64>::zeros((3, 4));
    let bad = Axis(5);
    type Call<'a> = Box<dyn Fn() + 'a>;
    let cases: Vec<(&str, Call<'_>)> = vec![
        ("par_sum_axis", Box::new(|| drop(a.par_sum_axis(bad)))),
        ("par_mean_axis", Box::new(|| drop(a.par_mean_axis(bad)))),
        ("par_var_axis", Box::new(|| drop(a.par_var_axis(bad, 1.0)))),
        ("par_std_axis", Box::new(|| drop(a.par_std_axis(bad, 1.0)))),
        ("par_min_axis", Box::new(|| drop(a.par_min_axis(bad)))),
        ("par_max_axis", Box::new(|| drop(a.par_max_axis(bad)))),
        ("par_argmin_axis", Box::new(|| drop(a.par_argmin_axis(bad)))),
        ("par_argmax_axis", Box::new(|| drop(a.par_argmax_axis(bad)))),
        ("par_nansum_axis", Box::new(|| drop(a.par_nansum_axis(bad)))),
        (
            "par_nanmean_axis",
            Box::new(|| drop(a.par_nanmean_axis(bad))),
        ),
        ("par_nanmin_axis", Box::new(|| drop(a.par_nanmin_axis(bad)))),
        ("par_nanmax_axis", Box::new(|| drop(a.par_nanmax_axis(bad)))),
        (
            "par_map_axis",
            Box::new(|| drop(a.par_map_axis(bad, |l| l.len()))),
        ),
        (
            "par_fold_axis",
            Box::new(|| drop(a.par_fold_axis(bad, 0.0, |s, x| s + x))),
        ),
        ("par_cumsum", Box::new(|| drop(a.par_cumsum(bad)))),
        ("par_cumprod", Box::new(|| drop(a.par_cumprod(bad)))),
        (
            "par_map_blocks",
            Box::new(|| drop(a.par_map_blocks(bad, 2, |b| b.to_owned()))),
        ),
        (
            "par_map_overlap",
            Box::new(|| drop(a.par_map_overlap(bad, 2, 1, Boundary::Nearest, |b| b.to_owned()))),
        ),
        (
            "par_map_axis_mut",
            Box::new(|| drop(a.clone().par_map_axis_mut(bad, |l| l.len()))),
        ),
        (
            "par_for_each_lane_mut",
            Box::new(|| a.clone().par_for_each_lane_mut(bad, |_| ())),
        ),
        (
            "par_for_each_block_mut",
            Box::new(|| a.clone().par_for_each_block_mut(bad, 2, |_, _| ())),
        ),
    ];
    for (method, call) in cases {
        let msg = panic_message(call);
        assert!(
            msg.contains(method) && msg.contains("axis 5") && msg.contains("2 dimensions"),
            "{method}: {msg}"
        );
    }
    // Even when the axis is checked before anything else reads it:
    let empty = Array2::<f64>::zeros((0, 3));
    let msg = panic_message(|| drop(empty.par_var_axis(Axis(2), -1.0)));
    assert!(
        msg.contains("par_var_axis") && msg.contains("axis 2"),
        "{msg}"
    );
}

#[test]
fn other_programmer_errors_name_the_method_and_the_values() {
    let a = array![1.0, 2.0, 3.0];
    let msg = panic_message(|| {
        let _ = a.par_std(-1.0);
    });
    assert!(msg.contains("par_std") && msg.contains("-1"), "{msg}");
    let msg = panic_message(|| drop(a.par_map_blocks(Axis(0), 0, |b| b.to_owned())));
    assert!(
        msg.contains("par_map_blocks") && msg.contains("block_len"),
        "{msg}"
    );
    // A block whose output has the wrong shape: the expected shape reads
    // like a shape, with `any` for the free axis length.
    let m = Array2::<f64>::zeros((4, 3));
    let msg =
        panic_message(|| drop(m.par_map_blocks(Axis(0), 2, |_| Array2::<f64>::zeros((1, 2)))));
    assert!(msg.contains("[1, 2]") && msg.contains("[any, 3]"), "{msg}");
    let msg = panic_message(|| {
        drop(m.par_map_overlap(Axis(0), 2, 1, Boundary::Nearest, |_| {
            Array2::<f64>::zeros((1, 3))
        }))
    });
    assert!(msg.contains("expected [2, 3]"), "{msg}");
    let msg = panic_message(|| {
        let _ = a.par_vdot(&array![1.0, 2.0]);
    });
    assert!(
        msg.contains("par_vdot") && msg.contains("[3]") && msg.contains("[2]"),
        "{msg}"
    );
    let msg = panic_message(|| drop(ndpar::Parallel::new().pre_dispatch(0)));
    assert!(msg.contains("pre_dispatch"), "{msg}");
}

#[test]
fn empty_input_never_panics() {
    // An empty axis with a halo mode that needs data: no blocks, no halo.
    let e = Array1::<f64>::zeros(0);
    for b in [Boundary::Reflect, Boundary::Periodic, Boundary::Nearest] {
        let out = e.par_map_overlap(Axis(0), 4, 3, b, |x| x.to_owned());
        assert_eq!(out.len(), 0);
    }
    let m = Array2::<f64>::zeros((0, 5));
    assert_eq!(m.par_cumsum(Axis(0)).dim(), (0, 5));
    assert_eq!(
        m.par_map_axis(Axis(0), |l| l.len()),
        Array1::from_elem(5, 0)
    );
    assert_eq!(m.par_map_axis(Axis(1), |l| l.len()).len(), 0);
    assert_eq!(m.par_sum_axis(Axis(0)), Array1::<f64>::zeros(5));
    assert_eq!(m.par_mean_axis(Axis(0)), None);
    assert_eq!(m.par_norm_max(), None);
    assert_eq!(m.par_norm_l2(), 0.0);
    assert_eq!(m.par_zip_map(&m, |a, b| a + b).dim(), (0, 5));
}

#[test]
fn nan_and_empty_follow_one_rule() {
    // None means "no element"; all-NaN input gives NaN, as numpy does,
    // for the whole array and along an axis alike.
    let all_nan = Array2::from_elem((2, 3), f64::NAN);
    assert!(all_nan.par_nanmin().unwrap().is_nan());
    assert!(all_nan.par_nanmax().unwrap().is_nan());
    assert!(all_nan.par_nanmean().unwrap().is_nan());
    assert_eq!(all_nan.par_nansum(), 0.0);
    for lane in [Axis(0), Axis(1)] {
        assert!(
            all_nan
                .par_nanmin_axis(lane)
                .unwrap()
                .iter()
                .all(|x| x.is_nan())
        );
        assert!(
            all_nan
                .par_nanmean_axis(lane)
                .unwrap()
                .iter()
                .all(|x| x.is_nan())
        );
    }
    let empty = Array1::<f64>::zeros(0);
    assert_eq!(
        (
            empty.par_nanmin(),
            empty.par_nanmean(),
            empty.par_max(),
            empty.par_norm_max()
        ),
        (None, None, None, None)
    );
}

#[test]
fn histograms_always_come_with_their_edges() {
    let h = ndpar::par_histogram_edges(&array![0.5, 1.5, 9.0], &array![0.0, 1.0, 10.0]).unwrap();
    assert_eq!(h.counts, array![1, 2]);
    assert_eq!(h.edges, array![0.0, 1.0, 10.0]);
}

// ---- everything a user is handed can be named and printed ---------------

fn printable<T: Debug>(_: &T) {}

#[test]
fn public_types_are_nameable_and_debug() {
    use ndpar::tasks::{Partial, ScopedTaskStream, TaskStream, UnorderedTaskStream};
    let p = ndpar::Parallel::new();
    printable(&p);
    let s: TaskStream<u8, u8> = p.map_iter(vec![1u8], |x| x);
    printable(&s);
    let u: UnorderedTaskStream<u8, u8> = p.map_unordered(vec![1u8], |x| x);
    printable(&u);
    p.map_iter_scoped([1u8], |x| x, |s: ScopedTaskStream<'_, u8>| printable(&s));
    let partial: Partial<u8> = p.map_partial([1u8], |x| x);
    printable(&partial);
    printable(&ndpar::Params::default());
    printable(&ndpar::BlockPlan::along(3, 2));
    printable(&ndpar::CancelToken::new());
    printable(&ndpar::BatchSize::Auto);
    printable(&ndpar::Metric::Euclidean);
    printable(&Boundary::Constant(1.0));
    printable(&ndpar::par_histogram(&array![1.0], 1, None).unwrap());
    printable(&ndpar::par_knn(&array![[1.0]], &array![[1.0]], 1));
    printable(&ndpar::Error::InvalidNJobs(0));
    #[cfg(feature = "random")]
    printable(&ndpar::random::par_monte_carlo(10, 1, |_| 1.0).unwrap());
    #[cfg(feature = "cache")]
    {
        let dir = std::env::temp_dir().join(format!("ndpar-api-debug-{}", std::process::id()));
        let memory = ndpar::memory::Memory::new(&dir).unwrap();
        printable(&memory);
        std::fs::remove_dir_all(&dir).ok();
    }
}
