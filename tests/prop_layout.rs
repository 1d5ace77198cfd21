//! The layout level of reproducibility: the same logical array gives the
//! same bits in every memory layout, with every `block_bytes` and on every
//! thread count.

use crate::common::*;
use ndarray::{Array1, ArrayD, IxDyn};
use ndpar::prelude::*;
use ndpar::{Params, Reproducibility};
use proptest::prelude::*;

/// Everything the layout level covers, as bits.
fn reductions(v: &ndarray::ArrayViewD<'_, f64>, w: &ndarray::ArrayViewD<'_, f64>) -> Vec<u64> {
    let bits = |x: Option<f64>| x.map_or(u64::MAX, f64::to_bits);
    vec![
        v.par_sum().to_bits(),
        v.par_product().to_bits(),
        bits(v.par_mean()),
        bits(v.par_var(0.0)),
        bits(v.par_std(1.0)),
        v.par_nansum().to_bits(),
        bits(v.par_nanmean()),
        v.par_norm_l1().to_bits(),
        v.par_norm_l2().to_bits(),
        v.par_vdot(w).to_bits(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn same_bits_in_every_layout(
        shape in prop::collection::vec(prop_oneof![Just(1usize), 2usize..=9, Just(13), Just(97)], 1..=3)
            .prop_filter("size", |s| s.iter().product::<usize>() <= 20_000),
        seed in any::<u64>(),
    ) {
        same_bits_in_every_layout_case(shape, seed)?;
    }
}

/// A case of layout `kind` whose logical elements are `logical`.
fn case_showing(kind: Kind, logical: &ArrayD<f64>) -> Case<f64> {
    let shape = logical.shape().to_vec();
    let len: usize = base_shape(kind, &shape).iter().product();
    let mut case = Case::new(kind, shape, vec![0.0; len]);
    case.view_mut().assign(logical);
    case
}

#[test]
fn broadcast_views_match_their_copies() {
    let row = Array1::from_iter((0..1000).map(|i| (i as f64 * 0.37).sin() * 1e3));
    let view = row.broadcast((300, 1000)).unwrap();
    let copy = view.to_owned();
    let layout = Params::always_parallel().with_reproducibility(Reproducibility::Layout);
    for block_bytes in [64usize, 65536] {
        let p = layout.with_block_bytes(block_bytes);
        let (a, b) = p.install(|| (view.par_sum(), copy.par_sum()));
        assert_eq!(a.to_bits(), b.to_bits());
        let (a, b) = p.install(|| (view.par_var(1.0), copy.t().t().par_var(1.0)));
        assert_eq!(a.map(f64::to_bits), b.map(f64::to_bits));
    }
}

/// Long rows: bands of several blocks whose edges fall inside rows, in two
/// and three dimensions.
#[test]
fn bands_of_blocks_give_the_same_bits() {
    let layout = Params::always_parallel().with_reproducibility(Reproducibility::Layout);
    for shape in [vec![300usize, 1000], vec![7, 50, 999], vec![3, 70_001]] {
        let n: usize = shape.iter().product();
        let data: Vec<f64> = (0..n)
            .map(|i| ((i as f64) * 0.618_033_988_749_895).fract() * 10f64.powi((i % 9) as i32 - 4))
            .collect();
        let c = ArrayD::from_shape_vec(IxDyn(&shape), data).unwrap();
        let w = c.mapv(f64::cos);
        let want = layout.install(|| reductions(&c.view(), &w.view()));
        for kind in KINDS.into_iter().filter(|&k| k != Kind::Broadcast) {
            let case = case_showing(kind, &c);
            for block_bytes in [512usize, 1 << 16] {
                let p = layout.with_block_bytes(block_bytes);
                let got = same_on_threads(&[1, 3], p, || reductions(&case.view(), &w.view()));
                assert_eq!(got, want, "{kind:?} {shape:?}");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// The Layout level is accurate, not only reproducible: its sums, means
    /// and dot products lie within the pairwise-summation bound of the
    /// correctly rounded values (the exact reductions), in every layout.
    /// The bound, `(log2 n + 22) · ε · Σ|x|`, covers the 16 lanes, the
    /// pieces of 256 and the tree over blocks.
    #[test]
    fn layout_sums_are_within_the_pairwise_bound_of_the_exact_sum(
        shape in prop::collection::vec(prop_oneof![Just(1usize), 2usize..=9, Just(97), Just(300)], 1..=3)
            .prop_filter("size", |s| s.iter().product::<usize>() <= 40_000),
        seed in any::<u64>(),
    ) {
        let n: usize = shape.iter().product();
        let mut state = seed | 1;
        // Wide magnitudes and cancellation: an accuracy test with teeth.
        let data: Vec<f64> = (0..n).map(|_| {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            ((state >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 10f64.powi((state % 13) as i32 - 6)
        }).collect();
        let other: Vec<f64> = data.iter().map(|x| (x * 3.0).cos()).collect();
        let c = ArrayD::from_shape_vec(IxDyn(&shape), data.clone()).unwrap();
        let w = ArrayD::from_shape_vec(IxDyn(&shape), other.clone()).unwrap();
        let exact_sum = c.par_sum_exact();
        let exact_dot = c.par_dot_exact(&w);
        let abs_sum: f64 = data.iter().map(|x| x.abs()).sum();
        let abs_dot: f64 = data.iter().zip(&other).map(|(x, y)| (x * y).abs()).sum();
        let bound = |scale: f64| ((n as f64).log2() + 22.0) * f64::EPSILON * scale;
        let layout = Params::always_parallel().with_reproducibility(Reproducibility::Layout);
        for kind in KINDS.into_iter().filter(|&k| k != Kind::Broadcast) {
            let case = case_showing(kind, &c);
            let v = case.view();
            for block_bytes in [64usize, 4096] {
                let p = layout.with_block_bytes(block_bytes);
                let (sum, mean, dot) = same_on_threads(&[1, 3], p, || {
                    (v.par_sum(), v.par_mean().unwrap(), v.par_vdot(&w.view()))
                });
                prop_assert!((sum - exact_sum).abs() <= bound(abs_sum),
                    "{:?}: sum {} against the exact {}", kind, sum, exact_sum);
                let exact_mean = c.par_mean_exact().unwrap();
                prop_assert!((mean - exact_mean).abs() <= bound(abs_sum) / n as f64 + f64::EPSILON * exact_mean.abs(),
                    "{:?}: mean {} against the exact {}", kind, mean, exact_mean);
                prop_assert!((dot - exact_dot).abs() <= bound(abs_dot) + 2.0 * f64::EPSILON * abs_dot,
                    "{:?}: dot {} against the exact {}", kind, dot, exact_dot);
            }
        }
    }
}

/// Layout-level reductions of seeded data give one answer in every layout.
fn same_bits_in_every_layout_case(shape: Vec<usize>, seed: u64) -> Result<(), TestCaseError> {
    let n: usize = shape.iter().product();
    let mut state = seed | 1;
    let data: Vec<f64> = (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            ((state >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 10f64.powi((state % 7) as i32)
        })
        .collect();
    let other: Vec<f64> = data.iter().map(|x| x.sin()).collect();
    let layout = Params::always_parallel().with_reproducibility(Reproducibility::Layout);
    let c = ArrayD::from_shape_vec(IxDyn(&shape), data.clone()).unwrap();
    let w = ArrayD::from_shape_vec(IxDyn(&shape), other.clone()).unwrap();
    let want = layout.install(|| reductions(&c.view(), &w.view()));
    for kind in KINDS.into_iter().filter(|&k| k != Kind::Broadcast) {
        let case = case_showing(kind, &c);
        let v = case.view();
        prop_assert_eq!(
            v.iter().copied().map(f64::to_bits).collect::<Vec<_>>(),
            data.iter().copied().map(f64::to_bits).collect::<Vec<_>>(),
            "{:?} is the same logical array",
            kind
        );
        for block_bytes in [8usize, 200, 4096, 1 << 20] {
            let p = layout.with_block_bytes(block_bytes);
            let got = same_on_threads(&[1, 2, 3], p, || reductions(&v, &w.t().t().view()));
            prop_assert_eq!(&got, &want, "{:?}, block_bytes {}", kind, block_bytes);
        }
    }
    Ok(())
}

// An input that once failed, written out.

#[test]
fn regression_three_elements_in_every_layout() {
    same_bits_in_every_layout_case(vec![3], 5_443_654_713_474_332_620).unwrap();
}
