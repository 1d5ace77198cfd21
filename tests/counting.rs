//! bincount and unique against sequential oracles and numpy's rules:
//! negative values and absurd sizes are errors, weights sum per bin with
//! the same bits on every thread count, unique's parts fit together.

use ndarray::{Array1, Array2, ShapeBuilder, array};
use ndpar::Params;
use ndpar::counting::{par_bincount, par_bincount_weighted, par_unique};

#[test]
fn bincount_matches_a_loop_on_every_layout_and_thread_count() {
    let c = Array2::from_shape_fn((300, 170), |(i, j)| ((i * 31 + j * 7) % 97) as u32);
    let mut f = Array2::zeros((300, 170).f());
    f.assign(&c);
    let mut want = vec![0u64; 120];
    for &v in &c {
        want[v as usize] += 1;
    }
    let weights = c.mapv(|v| (v as f64).sqrt());
    let mut want_w = vec![0f64; 97];
    for (&v, &w) in c.iter().zip(&weights) {
        want_w[v as usize] += w;
    }
    let p = Params::always_parallel().with_block_bytes(512);
    let mut first_w: Option<Array1<f64>> = None;
    for t in [1, 2, 3, 7] {
        let (a, b, w) = p
            .install(|| {
                ndpar::with_threads(t, || {
                    (
                        par_bincount(&c, 120).unwrap(),
                        par_bincount(&f.t(), 0).unwrap(),
                        par_bincount_weighted(&c, &weights, 0).unwrap(),
                    )
                })
            })
            .unwrap();
        assert_eq!(a.to_vec(), want);
        assert_eq!(b.to_vec(), want[..97].to_vec());
        for (x, y) in w.iter().zip(&want_w) {
            assert!((x - y).abs() <= 1e-9 * y.abs());
        }
        let w_bits = w.mapv(f64::to_bits);
        if let Some(first) = &first_w {
            assert_eq!(first.mapv(f64::to_bits), w_bits, "{t} threads");
        } else {
            first_w = Some(w);
        }
    }
}

#[test]
fn bincount_rejects_what_numpy_rejects() {
    // A negative value names itself and its (first, row-major) index.
    let err = par_bincount(&array![3i32, -1], 0).unwrap_err();
    assert!(matches!(err, ndpar::Error::InvalidValue(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        "bincount takes non-negative integers (that fit in a u64); found -1 at index 1"
    );
    // In any layout: the first negative in logical order, not in memory.
    let m = array![[0i64, 5, -7], [-3, 2, -9]];
    for v in [m.view(), m.t().t(), m.slice(ndarray::s![.., ..])] {
        let err = par_bincount(&v, 0).unwrap_err().to_string();
        assert!(err.ends_with("found -7 at index 2"), "{err}");
    }
    let t = m.t();
    let err = par_bincount(&t, 0).unwrap_err().to_string();
    assert!(err.ends_with("found -3 at index 1"), "{err}");
    let big = Array1::from_iter((0..100_000i64).map(|i| if i == 77_777 { -2 } else { i % 5 }));
    let p = ndpar::Params::always_parallel().with_block_bytes(512);
    let err = p.install(|| par_bincount(&big, 0)).unwrap_err().to_string();
    assert!(err.ends_with("found -2 at index 77777"), "{err}");
    // A single huge value would need more bins than allowed: an error, not
    // an allocation.
    assert!(par_bincount(&array![u64::MAX], 0).is_err());
    assert!(par_bincount(&array![1u64 << 40], 0).is_err());
    // A negative value is the error even next to a huge one (numpy checks
    // the minimum first).
    let err = par_bincount(&array![1i64 << 40, 2, -4], 0).unwrap_err();
    assert!(matches!(err, ndpar::Error::InvalidValue(_)), "{err:?}");
    let err = par_bincount(&array![1i64 << 40, 2], 0).unwrap_err();
    assert!(matches!(err, ndpar::Error::InvalidBins { .. }), "{err:?}");
    assert!(par_bincount(&Array1::<u8>::zeros(0), usize::MAX).is_err());
    assert_eq!(
        par_bincount(&Array1::<u8>::zeros(0), 3).unwrap(),
        array![0, 0, 0]
    );
}

#[test]
#[should_panic(expected = "par_bincount_weighted")]
fn mismatched_weights_panic() {
    let _ = par_bincount_weighted(&array![1u8, 2], &array![1.0], 0);
}

#[test]
fn unique_parts_fit_together() {
    let a = Array2::from_shape_fn((40, 37), |(i, j)| match (i * 37 + j) % 11 {
        0 => f64::NAN,
        1 => -0.0,
        2 => 0.0,
        k => ((k * 13) % 7) as f64 - 3.0,
    });
    let flat: Vec<f64> = a.iter().copied().collect();
    let u = ndpar::with_threads(3, || par_unique(&a)).unwrap();
    let key = |x: f64| {
        if x.is_nan() {
            u64::MAX
        } else if x == 0.0 {
            0
        } else {
            x.to_bits()
        }
    };
    // Sorted and distinct, NaN last, one zero, one NaN.
    for w in u.values.windows(2) {
        assert!(w[0] < w[1] || (w[1].is_nan() && !w[0].is_nan()));
    }
    assert_eq!(u.values.iter().filter(|x| x.is_nan()).count(), 1);
    assert_eq!(u.values.iter().filter(|&&x| x == 0.0).count(), 1);
    assert_eq!(u.counts.sum(), flat.len());
    for (g, (&v, &first)) in u.values.iter().zip(&u.first_index).enumerate() {
        assert_eq!(key(flat[first]), key(v));
        assert_eq!(
            flat[first].to_bits(),
            v.to_bits(),
            "the reported value is the first occurrence"
        );
        assert!(
            flat[..first].iter().all(|&x| key(x) != key(v)),
            "first index"
        );
        assert_eq!(
            flat.iter().filter(|&&x| key(x) == key(v)).count(),
            u.counts[g]
        );
    }
    for (i, &g) in u.inverse.iter().enumerate() {
        assert_eq!(key(u.values[g]), key(flat[i]));
    }
    assert_eq!(
        ndpar::with_threads(1, || par_unique(&a)).unwrap().inverse,
        u.inverse
    );
    let e = par_unique(&Array1::<i32>::zeros(0));
    assert_eq!(e.values.len(), 0);
}
