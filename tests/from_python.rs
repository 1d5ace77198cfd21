//! docs/from_python.md, row by row: every call of its tables written as
//! the page writes it, with the page's one import (`ndpar::prelude::*`)
//! and ndarray's types, so that the page cannot drift from the API. Each
//! call's answer is checked against a value worked out by hand (numpy's).
#![cfg(all(feature = "cache", feature = "mmap", feature = "random"))]

use ndarray::{Array1, Array2, Axis, Ix1, Ix2, array};
use ndpar::prelude::*;
use std::time::Duration;

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("ndpar-from-python-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn threads_futures_and_joblib_rows() -> ndpar::Result<()> {
    let f = |x: u64| x * x;
    let xs = vec![1u64, 2, 3, 4];
    assert_eq!(
        Parallel::new().n_jobs(16)?.map(xs.clone(), f)?,
        [1, 4, 9, 16]
    );
    assert_eq!(Parallel::new().map(xs.clone(), f)?, [1, 4, 9, 16]);
    assert!(ndpar::cpu_count() >= 1 && ndpar::MAX_THREADS >= ndpar::cpu_count());
    assert_eq!(ndpar::with_threads(-1, || 7)?, 7);
    let mut done: Vec<(usize, u64)> = Parallel::new()
        .map_unordered(xs.clone(), f)
        .map(|(i, r)| (i, r.unwrap()))
        .collect();
    done.sort_unstable();
    assert_eq!(done, [(0, 1), (1, 4), (2, 9), (3, 16)]);
    let in_order: Vec<u64> = Parallel::new()
        .map_iter(xs.clone(), f)
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(in_order, [1, 4, 9, 16]);
    let failed = Parallel::new().try_map(xs.clone(), |x| if x >= 3 { Err(x) } else { Ok(x) });
    assert!(matches!(failed, Err(TaskError::Failed { index: 2, .. })));
    let token = CancelToken::new();
    token.cancel();
    let cancelled = Parallel::new()
        .cancel_token(&token)
        .timeout(Duration::from_secs(60))
        .map(xs.clone(), f);
    assert!(cancelled.is_err(), "a cancelled run starts no task");
    let tuned = Parallel::new()
        .n_jobs(4)?
        .batch_size(BatchSize::Auto)
        .pre_dispatch(8)
        .progress(false);
    assert_eq!(tuned.map(xs, f)?, [1, 4, 9, 16]);
    Ok(())
}

ndpar::cached! {
    fn f(x: &Array1<f64>) -> Array1<f64> {
        x.mapv(|v| v + 1.0)
    }
}

#[test]
fn joblib_memory_and_file_rows() -> ndpar::Result<()> {
    let dir = scratch("files");
    let x = array![1.0, 2.0, 3.0];
    assert_eq!(
        f(&Memory::new(dir.join("cache"))?, &x),
        array![2.0, 3.0, 4.0]
    );
    let memory = Memory::new(dir.join("cache"))?;
    let doubled: Array1<f64> = memory.cache("f", &x, |x| x * 2.0);
    assert_eq!(doubled, array![2.0, 4.0, 6.0]);
    memory.clear_name("f")?;

    let a = array![[1.0, 2.0], [3.0, 4.0]];
    let path = dir.join("a.npy");
    ndpar::io::save_npy(&path, &a)?;
    assert_eq!(load_npy::<f64, Ix2, _>(&path)?, a);
    let mapped = unsafe { NpyMap::open(&path) }?;
    assert_eq!(mapped.view::<f64, Ix2>()?, a);
    let shape = [2usize, 3];
    let out = dir.join("out.npy");
    let mut writable = unsafe { NpyMapMut::create::<f64, _>(&out, &shape, false) }?;
    writable.view_mut::<f64, Ix2>()?.fill(5.0);
    drop(writable);
    assert_eq!(
        load_npy::<f64, Ix2, _>(&out)?,
        Array2::from_elem((2, 3), 5.0)
    );
    let npz = dir.join("a.npz");
    save_npz(&npz, &[("x", x.view())])?;
    assert_eq!(npz_names(&npz)?, ["x"]);
    assert_eq!(load_npz::<f64, Ix1, _>(&npz, "x")?, x);
    std::fs::remove_dir_all(&dir).ok();
    Ok(())
}

#[test]
fn numpy_rows() -> ndpar::Result<()> {
    let a: Array2<f64> = array![[3.0, 1.0, 2.0], [6.0, 5.0, 4.0]];
    assert_eq!(a.par_sum(), 21.0);
    assert_eq!(a.par_mean(), Some(3.5));
    assert_eq!(a.par_var(1.0), Some(3.5));
    assert!((a.par_std(0.0).unwrap() - (35.0f64 / 12.0).sqrt()).abs() < 1e-15);
    let u8_image = array![[200u8, 100], [255, 1]];
    assert_eq!(u8_image.par_sum(), 556u64);
    let i32_counts = array![i32::MAX, 1];
    assert_eq!(
        i32_counts.par_cumsum(Axis(0)),
        array![i32::MAX as i64, 1 << 31]
    );
    let ints = array![1i32, 2];
    assert_eq!(ints.par_mean(), Some(1.5));
    assert_eq!(a.par_min(), Some(1.0));
    assert_eq!(a.par_argmax_flat(), Some(3));
    assert_eq!(a.par_argmax(), Some((1, 0)));
    assert_eq!(array![f64::NAN, 2.0].par_nanmax(), Some(2.0));
    assert_eq!(a.par_sum_axis(Axis(0)), array![9.0, 6.0, 6.0]);
    assert_eq!(a.par_mean_axis(Axis(1)), Some(array![2.0, 5.0]));
    let cube = ndarray::Array3::from_shape_fn((2, 3, 4), |(i, j, k)| (i * 12 + j * 4 + k) as f64);
    assert_eq!(
        cube.par_sum_axes(&[Axis(0), Axis(2)], false),
        array![60.0, 92.0, 124.0].into_dyn()
    );
    assert_eq!(
        cube.par_var_axes(&[Axis(1), Axis(2)], 1.0, true)
            .unwrap()
            .shape(),
        [2, 1, 1]
    );
    assert_eq!(
        a.par_sort(Axis(a.ndim() - 1)),
        array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    );
    assert_eq!(a.par_argsort(Axis(0)), array![[0, 0, 0], [1, 1, 1]]);
    let v = array![5.0, 1.0, 4.0, 2.0, 3.0];
    let k = 1;
    let p = v.par_partition(&[k, -1], Axis(0));
    assert_eq!((p[1], p[4]), (2.0, 5.0));
    assert_eq!(v[v.par_argpartition(&[k], Axis(0))[1]], 2.0);
    assert_eq!(v.par_median(), Some(3.0));
    assert_eq!(v.par_percentile(90.0, QuantileMethod::Linear), Some(4.6));
    let q = 0.5;
    let by_column = a.par_nanquantile_axis(q, Axis(0), QuantileMethod::Linear);
    assert_eq!(by_column, Some(array![4.5, 3.0, 3.0]));
    let (x, w, minlength) = (array![0u32, 2, 2], array![0.5, 1.0, 2.0], 4);
    assert_eq!(par_bincount(&x, minlength)?, array![1, 0, 2, 0]);
    assert_eq!(
        par_bincount_weighted(&x, &w, minlength)?,
        array![0.5, 0.0, 3.0, 0.0]
    );
    let u = par_unique(&x);
    assert_eq!((u.values, u.counts), (array![0, 2], array![1, 2]));
    let f = |lane: ndarray::ArrayView1<f64>| lane.sum();
    assert_eq!(a.par_map_axis(Axis(1), |lane| f(lane)), array![6.0, 15.0]);
    assert_eq!(
        a.par_cumsum(Axis(0)),
        array![[3.0, 1.0, 2.0], [9.0, 6.0, 6.0]]
    );
    let b = array![1.0, 2.0];
    assert_eq!(b.par_vdot(&b), 5.0);
    assert_eq!(array![3.0, 4.0].par_norm_l2(), 5.0);
    let range = (0.0, 8.0);
    let h = par_histogram(&v, 256, Some(range))?;
    assert_eq!(h.counts.sum(), 5);
    assert_eq!(par_histogram_2d(&v, &v, (2, 2), None)?.counts.sum(), 5);
    let (b3, c3) = (a.clone(), a.clone());
    assert_eq!(
        a.par_zip3_map(&b3, &c3, |&a, &b, &c| a * b + c)[[0, 0]],
        12.0
    );
    let mut e = array![0.0, 1.0];
    e.par_mapv_inplace(f64::exp);
    assert_eq!(e, array![1.0, std::f64::consts::E]);
    let ev = array![0.0, std::f64::consts::FRAC_PI_2];
    let fast = ev.par_map_slices(|x, out| {
        ndpar::vmath::map(x, out, |v| ndpar::vmath::exp(v) * ndpar::vmath::sin(v))
    });
    assert_eq!(fast[0], 0.0);
    assert!((fast[1] - std::f64::consts::FRAC_PI_2.exp()).abs() < 1e-15 * fast[1]);
    let (px, py) = (array![[0.0, 0.0], [3.0, 4.0]], array![[0.0, 0.0]]);
    assert_eq!(
        par_pairwise_distances(&px, &py, Metric::Euclidean),
        array![[0.0], [5.0]]
    );
    assert_eq!(par_knn(&px, &py, 1).indices, array![[0], [0]]);
    assert_eq!(par_matmul(&a, &a.t()), array![[14.0, 31.0], [31.0, 77.0]]);
    let m = a.clone();
    assert_eq!(
        par_cov(&m, Variables::Rows, 1.0),
        Some(array![[1.0, 0.5], [0.5, 1.0]])
    );
    assert_eq!(par_cov(&a, Variables::Columns, 0.0).unwrap().dim(), (3, 3));
    assert_eq!(par_corrcoef(&a, Variables::Columns).unwrap()[[0, 1]], 1.0);
    let (n, seed) = (3, 42);
    let r: Array2<f64> = par_random((n, 2), &StandardNormal, seed);
    assert_eq!(
        r,
        ndpar::with_threads(1, || par_random::<f64, _, _>((n, 2), &StandardNormal, seed))?
    );
    Ok(())
}

#[test]
fn dask_rows() {
    let x = Array1::from_iter((0..10).map(f64::from));
    let block_len = 4;
    let f = |block: ndarray::ArrayView1<f64>| block.mapv(|v| v * 2.0);
    assert_eq!(x.par_map_blocks(Axis(0), block_len, f), &x * 2.0);
    let h = 1;
    let smooth = |block: ndarray::ArrayView1<f64>| {
        Array1::from_iter((1..block.len() - 1).map(|i| block[i - 1] + block[i] + block[i + 1]))
    };
    let s = x.par_map_overlap(Axis(0), block_len, h, Boundary::Reflect, smooth);
    assert_eq!((s[0], s[5]), (1.0, 15.0));
    let u = Array2::from_elem((3, 3), 1.0);
    let w = array![[0.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.0, 1.0, 0.0]];
    assert_eq!(
        par_correlate_2d(&u, &w, Boundary::Constant(0.0))[[1, 1]],
        5.0
    );
}
