//! Property tests for the block kernels: map_blocks and map_overlap against
//! sequential oracles written with plain index arithmetic, for random
//! shapes, every axis, every layout, block lengths 1, primes and longer than
//! the axis, halos 0..=3, every boundary mode, and thread counts 1, 2, 3, 7,
//! 16; plus the 2-D correlation and 1-D convolution against naive loops.

use crate::common::*;
use ndarray::ShapeBuilder;
use ndarray::{Array1, Array2, ArrayD, ArrayViewD, Axis, Dimension, IxDyn, concatenate};
use ndpar::blocks::{Boundary, par_convolve_1d, par_correlate_2d, par_correlate_2d_into};
use ndpar::prelude::*;
use ndpar::{BlockPlan, Params};
use proptest::prelude::*;
use std::panic::{AssertUnwindSafe, catch_unwind};

const BLOCK_THREADS: [isize; 5] = [1, 2, 3, 7, 16];

fn block_len() -> impl Strategy<Value = usize> {
    prop_oneof![Just(1usize), Just(2), Just(3), Just(7), Just(13), Just(100)]
}

fn boundary() -> impl Strategy<Value = Boundary<i64>> {
    prop_oneof![
        Just(Boundary::Reflect),
        (-5i64..5).prop_map(Boundary::Constant),
        Just(Boundary::Nearest),
        Just(Boundary::Periodic),
    ]
}

fn digest<'a>(xs: impl IntoIterator<Item = &'a i64>) -> i64 {
    xs.into_iter()
        .fold(17i64, |h, &x| h.wrapping_mul(1_000_003).wrapping_add(x))
}

/// Where position `i` (possibly outside `0..n`) reads from, written out
/// from the table in `Boundary`'s docs (`a b c d` with a halo of `k`):
/// independent of `Boundary::source`, which the kernels use.
fn expected_source(b: &Boundary<i64>, i: isize, n: usize) -> Option<usize> {
    let n = n as isize;
    if (0..n).contains(&i) {
        return Some(i as usize);
    }
    // k = how far outside: 1 for the first halo element.
    let (left, k) = if i < 0 {
        (true, -i)
    } else {
        (false, i - n + 1)
    };
    let src = match b {
        Boundary::Constant(_) => return None,
        Boundary::Nearest => {
            if left {
                0
            } else {
                n - 1
            }
        }
        Boundary::Reflect => {
            if left {
                k - 1
            } else {
                n - k
            }
        }
        Boundary::Periodic => {
            if left {
                n - k
            } else {
                k - 1
            }
        }
        _ => unreachable!(),
    };
    Some(src as usize)
}

/// The value at `index` with coordinate `i` (possibly outside) on `axis`.
fn at(v: &ArrayViewD<'_, i64>, index: &[usize], axis: usize, i: isize, b: &Boundary<i64>) -> i64 {
    match expected_source(b, i, v.shape()[axis]) {
        Some(src) => {
            let mut idx = index.to_vec();
            idx[axis] = src;
            v[IxDyn(&idx)]
        }
        None => match b {
            Boundary::Constant(c) => *c,
            _ => unreachable!(),
        },
    }
}

fn runs_everywhere<R: Send + std::fmt::Debug>(params: Params, f: impl Fn() -> R + Sync) -> R {
    same_on_threads(&BLOCK_THREADS, params, f)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn map_blocks_equals_sequential_concatenation(
        (c, ax) in case(i64_any()).prop_flat_map(|c| { let nd = c.shape.len(); (Just(c), 0..nd) }),
        bl in block_len(),
        p in params(),
    ) {
        let v = c.view();
        let axis = Axis(ax);
        // Same-shape output, and a decimating one (the block's sum along the
        // axis, kept as a length-1 axis).
        let double = |b: ArrayViewD<'_, i64>| b.mapv(|x| x.wrapping_mul(2) ^ 5);
        let squash = |b: ArrayViewD<'_, i64>| b.fold_axis(axis, 0i64, |&s, &x| s.wrapping_add(x)).insert_axis(axis);
        let plan = BlockPlan::along(v.len_of(axis), bl);
        let blocks: Vec<ArrayViewD<'_, i64>> = plan.iter().map(|r| v.slice_axis(axis, ndarray::Slice::from(r))).collect();
        let got = runs_everywhere(p, || v.par_map_blocks(axis, bl, double));
        prop_assert_eq!(got, v.mapv(|x| x.wrapping_mul(2) ^ 5));
        let got = runs_everywhere(p, || v.par_map_blocks(axis, bl, squash));
        let want = if blocks.is_empty() {
            let mut s = c.shape.clone();
            s[ax] = 0;
            ArrayD::zeros(IxDyn(&s))
        } else {
            let parts: Vec<_> = blocks.iter().map(|b| squash(b.clone())).collect();
            concatenate(axis, &parts.iter().map(|a| a.view()).collect::<Vec<_>>()).unwrap()
        };
        prop_assert_eq!(got, want);
    }

    #[test]
    fn map_overlap_equals_naive_windows(
        (c, ax) in case(i64_any()).prop_flat_map(|c| { let nd = c.shape.len(); (Just(c), 0..nd) }),
        bl in block_len(),
        halo in 0usize..=3,
        b in boundary(),
        p in params(),
    ) {
        map_overlap_equals_naive_windows_case(c, ax, bl, halo, b, p)?;
    }

    #[test]
    fn for_each_block_mut_visits_each_block_once(
        (c, ax) in shape().prop_flat_map(|s| { let nd = s.len(); (case_with(s, writable_kind(), i64_any()), 0..nd) }),
        bl in block_len(),
        p in params(),
    ) {
        let axis = Axis(ax);
        let mut got = c.clone();
        on(3, p, || got.view_mut().par_for_each_block_mut(axis, bl, |i, mut b| b.map_inplace(|x| *x = x.wrapping_mul(10).wrapping_add(i as i64))));
        let mut want = c.clone();
        let plan = BlockPlan::along(c.shape[ax], bl);
        {
            let mut w = want.view_mut();
            for (i, r) in plan.iter().enumerate() {
                w.slice_axis_mut(axis, ndarray::Slice::from(r)).map_inplace(|x| *x = x.wrapping_mul(10).wrapping_add(i as i64));
            }
        }
        prop_assert_eq!(got.base, want.base);
    }

    #[test]
    fn correlate_2d_equals_naive(
        (c, kh, kw, weights) in (prop::collection::vec(dim(), 2), 0usize..3, 0usize..3).prop_flat_map(|(s, a, b)| {
            let (kh, kw) = (2 * a + 1, 2 * b + 1);
            (case_with(s, kind(), -20i64..20), Just(kh), Just(kw), prop::collection::vec(prop_oneof![Just(0i64), -3i64..4], kh * kw))
        }),
        b in boundary(),
        p in params(),
    ) {
        correlate_2d_equals_naive_case(c, kh, kw, weights, b, p)?;
    }

    #[test]
    fn convolve_1d_equals_naive(
        xs in prop::collection::vec(-50i64..50, 0..40),
        k in (0usize..4).prop_flat_map(|h| prop::collection::vec(-3i64..4, 2 * h + 1)),
        b in boundary(),
        p in params(),
    ) {
        let x = Array1::from(xs.clone());
        let kern = Array1::from(k.clone());
        let (n, h) = (xs.len(), k.len() / 2);
        if n > 0 && h > n && matches!(b, Boundary::Reflect | Boundary::Periodic) {
            prop_assert!(catch_unwind(AssertUnwindSafe(|| par_convolve_1d(&x, &kern, b))).is_err());
            return Ok(());
        }
        let got = runs_everywhere(p, || par_convolve_1d(&x, &kern, b));
        let xd = x.view().into_dyn();
        let want = Array1::from_shape_fn(n, |i| {
            (0..k.len()).fold(0i64, |s, j| {
                let src = i as isize + h as isize - j as isize;
                s.wrapping_add(k[j].wrapping_mul(at(&xd, &[0], 0, src, &b)))
            })
        });
        prop_assert_eq!(got, want);
    }
}

#[test]
fn bad_block_arguments_panic_clearly() {
    let a = Array2::<i64>::zeros((4, 5));
    let msg = |r: Result<(), Box<dyn std::any::Any + Send>>| {
        r.unwrap_err()
            .downcast::<String>()
            .map(|s| *s)
            .unwrap_or_default()
    };
    let m = msg(catch_unwind(|| {
        drop(a.par_map_blocks(Axis(0), 0, |b| b.to_owned()))
    }));
    assert!(m.contains("block_len"), "{m}");
    let m = msg(catch_unwind(|| {
        drop(a.par_map_blocks(Axis(3), 2, |b| b.to_owned()))
    }));
    assert!(m.contains("axis 3"), "{m}");
    let m = msg(catch_unwind(|| {
        drop(a.par_map_blocks(Axis(1), 2, |b| b.t().to_owned()))
    }));
    assert!(m.contains("block 0") && m.contains("shape"), "{m}");
    let m = msg(catch_unwind(|| {
        drop(a.par_map_overlap(Axis(0), 2, 5, Boundary::Reflect, |b| b.to_owned()))
    }));
    assert!(m.contains("halo"), "{m}");
    let m = msg(catch_unwind(|| {
        drop(par_correlate_2d(
            &a,
            &Array2::zeros((2, 3)),
            Boundary::Nearest,
        ))
    }));
    assert!(m.contains("odd"), "{m}");
    let m = msg(catch_unwind(|| {
        drop(par_convolve_1d(
            &Array1::<i64>::zeros(5),
            &Array1::zeros(4),
            Boundary::Nearest,
        ))
    }));
    assert!(m.contains("odd"), "{m}");
}

#[test]
fn block_plan_of_tiles_the_array_in_memory_order() {
    let a = Array2::<f64>::zeros((37, 11));
    for view in [a.view(), a.t(), a.slice(ndarray::s![..;2, 1..])] {
        for bytes in [8, 64, 1000] {
            let p = Params::default()
                .with_block_bytes(bytes)
                .install(|| BlockPlan::of(&view));
            let mut next = 0;
            for r in p.iter() {
                assert_eq!(r.start, next);
                assert!(!r.is_empty() && r.len() <= (bytes / 8).max(1));
                next = r.end;
            }
            assert_eq!(next, view.len());
        }
    }
}

/// `par_map_overlap` against windows cut by hand.
fn map_overlap_equals_naive_windows_case(
    c: Case<i64>,
    ax: usize,
    bl: usize,
    halo: usize,
    b: Boundary<i64>,
    p: Params,
) -> Result<(), TestCaseError> {
    let v = c.view();
    let axis = Axis(ax);
    let n = v.len_of(axis);
    // The kernel: each output is the digest of its window along the axis.
    let kernel = |e: ArrayViewD<'_, i64>| {
        let mut out_shape = e.shape().to_vec();
        out_shape[ax] -= 2 * halo;
        ArrayD::from_shape_fn(IxDyn(&out_shape), |idx| {
            let mut idx = idx.slice().to_vec();
            let base = idx[ax];
            digest(
                &(0..=2 * halo)
                    .map(|d| {
                        idx[ax] = base + d;
                        e[IxDyn(&idx)]
                    })
                    .collect::<Vec<_>>(),
            )
        })
    };
    // An empty axis has no blocks, hence no halo to build: never a panic.
    let too_long = n > 0 && halo > n && matches!(b, Boundary::Reflect | Boundary::Periodic);
    if too_long {
        let r = catch_unwind(AssertUnwindSafe(|| {
            v.par_map_overlap(axis, bl, halo, b, kernel)
        }));
        prop_assert!(r.is_err());
        return Ok(());
    }
    let got = runs_everywhere(p, || v.par_map_overlap(axis, bl, halo, b, kernel));
    let want = ArrayD::from_shape_fn(IxDyn(&c.shape), |idx| {
        let idx = idx.slice().to_vec();
        let i = idx[ax] as isize;
        digest(
            &(-(halo as isize)..=halo as isize)
                .map(|d| at(&v, &idx, ax, i + d, &b))
                .collect::<Vec<_>>(),
        )
    });
    prop_assert_eq!(got, want);
    Ok(())
}

/// `par_correlate_2d` against a naive correlation.
fn correlate_2d_equals_naive_case(
    c: Case<i64>,
    kh: usize,
    kw: usize,
    weights: Vec<i64>,
    b: Boundary<i64>,
    p: Params,
) -> Result<(), TestCaseError> {
    let v = c.view().into_dimensionality::<ndarray::Ix2>().unwrap();
    let w = Array2::from_shape_vec((kh, kw), weights).unwrap();
    let (rows, cols) = v.dim();
    let (hh, hw) = (kh / 2, kw / 2);
    let bad = matches!(b, Boundary::Reflect | Boundary::Periodic)
        && rows > 0
        && cols > 0
        && (hh > rows || hw > cols);
    if bad {
        prop_assert!(catch_unwind(AssertUnwindSafe(|| par_correlate_2d(&v, &w, b))).is_err());
        return Ok(());
    }
    let got = runs_everywhere(p, || par_correlate_2d(&v, &w, b));
    // The same into a preallocated output full of garbage, in F order
    // (rows of the output are then strided).
    let mut into = Array2::from_elem((rows, cols).f(), 99i64);
    on(3, p, || par_correlate_2d_into(&v, &w, b, &mut into));
    prop_assert_eq!(&into, &got);
    let vd = v.view().into_dyn();
    let want = Array2::from_shape_fn((rows, cols), |(i, j)| {
        let mut s = 0i64;
        for di in 0..kh {
            for dj in 0..kw {
                let r = i as isize + di as isize - hh as isize;
                let q = j as isize + dj as isize - hw as isize;
                // Rows first, then columns, as scipy.ndimage does per axis.
                let x = match expected_source(&b, r, rows) {
                    Some(rr) => at(&vd, &[rr, 0], 1, q, &b),
                    None => match b {
                        Boundary::Constant(c) => c,
                        _ => unreachable!(),
                    },
                };
                s = s.wrapping_add(w[[di, dj]].wrapping_mul(x));
            }
        }
        s
    });
    prop_assert_eq!(got, want);
    Ok(())
}

// Inputs that once failed, written out.

#[test]
fn regression_correlate_a_stepped_row_with_reflected_edges() {
    #[rustfmt::skip]
    let base = vec![
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 2, 18, -2, -19, -20, -5, 2,
    ];
    let c = Case::new(Kind::Stepped, vec![1, 5], base);
    let weights = vec![0, -2, 0, -2, 2, 3, 1, 0, -2];
    let p = Params::always_parallel().with_block_bytes(24);
    correlate_2d_equals_naive_case(c, 3, 3, weights, Boundary::Reflect, p).unwrap();
}

#[test]
fn regression_overlap_along_a_length_one_axis_of_a_mixed_layout() {
    let base = vec![
        1,
        -3,
        8,
        13,
        12,
        12,
        -14,
        2,
        -10,
        -8,
        -4,
        7_827_725_459_454_339_068,
    ];
    let c = Case::new(Kind::Mixed, vec![6, 1], base);
    let p = Params::always_parallel();
    map_overlap_equals_naive_windows_case(c, 1, 100, 1, Boundary::Reflect, p).unwrap();
}

#[test]
fn regression_overlap_of_an_empty_vector() {
    let c = Case::new(Kind::C, vec![0], Vec::<i64>::new());
    let p = Params::always_parallel().with_block_bytes(8);
    map_overlap_equals_naive_windows_case(c, 0, 1, 1, Boundary::Reflect, p).unwrap();
}
