//! Sorting against a sequential oracle written here: numpy's order (NaN
//! last, `-0.0` equal to `0.0`), stable sorts keep the order of equal
//! keys, every layout and axis, the same on every thread count.

use crate::common::*;
use ndarray::{Array1, ArrayD, Axis, IxDyn};
use ndpar::prelude::*;
use proptest::prelude::*;
use std::cmp::Ordering;

/// numpy's order, written independently of ndpar.
fn np_order(a: f64, b: f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => {
            if a < b {
                Ordering::Less
            } else if a > b {
                Ordering::Greater
            } else {
                Ordering::Equal
            }
        }
    }
}

/// The oracle: each lane along `axis`, stably sorted with an insertion
/// sort (obviously stable), and its argsort.
fn oracle(a: &ArrayD<f64>, axis: usize) -> (ArrayD<f64>, ArrayD<usize>) {
    let mut sorted = a.clone();
    let mut idx = ArrayD::<usize>::zeros(a.raw_dim());
    for ((lane, mut out), mut out_idx) in a
        .lanes(Axis(axis))
        .into_iter()
        .zip(sorted.lanes_mut(Axis(axis)))
        .zip(idx.lanes_mut(Axis(axis)))
    {
        let mut order: Vec<usize> = (0..lane.len()).collect();
        for i in 1..order.len() {
            let mut j = i;
            while j > 0 && np_order(lane[order[j - 1]], lane[order[j]]) == Ordering::Greater {
                order.swap(j - 1, j);
                j -= 1;
            }
        }
        for (k, &o) in order.iter().enumerate() {
            out[k] = lane[o];
            out_idx[k] = o;
        }
    }
    (sorted, idx)
}

fn bits(a: &ArrayD<f64>) -> Vec<u64> {
    a.iter()
        .map(|x| if x.is_nan() { u64::MAX } else { x.to_bits() })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn sorts_match_the_oracle(c in case(f64_with_nan()), ax in 0usize..4) {
        let v = c.view();
        let axis = ax % v.ndim();
        let owned = v.to_owned();
        let (want, want_idx) = oracle(&owned, axis);
        let got = same_on_threads(&[1, 2, 3], ndpar::Params::always_parallel(), || v.par_sort(Axis(axis)));
        prop_assert_eq!(bits(&got), bits(&want), "stable sort keeps -0.0 and 0.0 in order");
        prop_assert!(got.is_standard_layout());
        let idx = same_on_threads(&[1, 2, 3], ndpar::Params::always_parallel(), || v.par_argsort(Axis(axis)));
        prop_assert_eq!(&idx, &want_idx);
        // Unstable: the same values up to the order of equal keys.
        let un = same_on_threads(&[1, 2, 3], ndpar::Params::always_parallel(), || v.par_sort_unstable(Axis(axis)));
        let canon = |a: &ArrayD<f64>| a.iter().map(|x| if x.is_nan() { f64::NAN.to_bits() } else if *x == 0.0 { 0 } else { x.to_bits() }).collect::<Vec<_>>();
        prop_assert_eq!(canon(&un), canon(&want));
        // In place, through a view of the same layout.
        if c.kind != Kind::Broadcast {
            let mut c2 = c.clone();
            c2.view_mut().par_sort_inplace(Axis(axis));
            prop_assert_eq!(bits(&c2.view().to_owned()), bits(&want));
            let mut c3 = c.clone();
            c3.view_mut().par_sort_unstable_inplace(Axis(axis));
            prop_assert_eq!(canon(&c3.view().to_owned()), canon(&want));
        }
    }

    #[test]
    fn integer_sorts(c in case(i64_any()), ax in 0usize..4) {
        let v = c.view();
        let axis = ax % v.ndim();
        let want = oracle(&v.mapv(|x| x as f64), axis).1;
        prop_assert_eq!(v.par_argsort(Axis(axis)), want.clone());
        let sorted = v.par_sort_unstable(Axis(axis));
        let lanes = sorted.lanes(Axis(axis)).into_iter().zip(want.lanes(Axis(axis))).zip(v.lanes(Axis(axis)));
        for ((lane, idx), original) in lanes {
            // Integers have no equal-but-different keys: unstable = stable.
            for (x, &i) in lane.iter().zip(idx.iter()) {
                prop_assert_eq!(*x, original[i]);
            }
        }
    }
}

/// Lanes long enough for the parallel sorts, with many ties, NaNs and
/// signed zeros: the stable results equal the standard library's stable
/// sort, and all results are the same on every thread count.
#[test]
fn long_lanes_use_the_parallel_sorts() {
    let n = 3 * ndpar::sort::PAR_LANE_LEN + 17;
    let xs: Vec<f64> = (0..n)
        .map(|i| match i % 11 {
            0 => f64::NAN,
            1 => -0.0,
            2 => 0.0,
            _ => ((i * 7919) % 1009) as f64 - 500.0,
        })
        .collect();
    let a = Array1::from(xs.clone());
    let mut want_idx: Vec<usize> = (0..n).collect();
    want_idx.sort_by(|&i, &j| np_order(xs[i], xs[j]));
    let want: Vec<f64> = want_idx.iter().map(|&i| xs[i]).collect();
    for t in [1, 2, 3, 4] {
        let (s, idx, un) = ndpar::with_threads(t, || {
            (
                a.par_sort(Axis(0)),
                a.par_argsort(Axis(0)),
                a.par_sort_unstable(Axis(0)),
            )
        })
        .unwrap();
        assert_eq!(
            bits(&s.into_dyn()),
            bits(&Array1::from(want.clone()).into_dyn())
        );
        assert_eq!(idx.to_vec(), want_idx);
        let first = ndpar::with_threads(1, || a.par_sort_unstable(Axis(0))).unwrap();
        assert_eq!(bits(&un.into_dyn()), bits(&first.into_dyn()), "{t} threads");
    }
    // 2-D with long rows, sorted along both axes.
    let m = ArrayD::from_shape_vec(IxDyn(&[3, n]), [xs.clone(), xs.clone(), xs].concat()).unwrap();
    let head = m.slice_axis(Axis(1), ndarray::Slice::from(..2000));
    let (want2, idx2) = oracle(&head.to_owned(), 1);
    assert_eq!(bits(&head.par_sort(Axis(1))), bits(&want2));
    assert_eq!(head.par_argsort(Axis(1)), idx2);
    let rows = m.par_sort(Axis(1));
    let row = |i: usize| bits(&rows.index_axis(Axis(0), i).to_owned());
    assert_eq!(row(0), row(2));
    assert_eq!(row(0), bits(&Array1::from(want).into_dyn()));
}

/// Checks that `p` partitions `lane` at the ranks `ks`: a permutation of
/// it, each rank holding its sorted value, nothing greater before and
/// nothing smaller after.
fn assert_partitioned(lane: &[f64], p: &[f64], ks: &[usize]) {
    let mut sorted = lane.to_vec();
    sorted.sort_by(|a, b| np_order(*a, *b));
    let mut got = p.to_vec();
    got.sort_by(|a, b| np_order(*a, *b));
    let canon = |xs: &[f64]| {
        xs.iter()
            .map(|x| {
                if x.is_nan() {
                    u64::MAX
                } else {
                    (x + 0.0).to_bits()
                }
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(canon(&got), canon(&sorted), "a permutation");
    for &k in ks {
        assert_eq!(np_order(p[k], sorted[k]), Ordering::Equal, "rank {k}");
        assert!(
            p[..k]
                .iter()
                .all(|&x| np_order(x, p[k]) != Ordering::Greater),
            "before rank {k}"
        );
        assert!(
            p[k + 1..]
                .iter()
                .all(|&x| np_order(x, p[k]) != Ordering::Less),
            "after rank {k}"
        );
    }
}

/// numpy's ranks for `kth` (negative from the end), sorted.
fn np_ranks(kth: &[isize], n: usize) -> Vec<usize> {
    let mut ks: Vec<usize> = kth
        .iter()
        .map(|&k| {
            if k < 0 {
                (n as isize + k) as usize
            } else {
                k as usize
            }
        })
        .collect();
    ks.sort();
    ks
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn partitions_hold_every_rank(
        c in case(f64_with_nan()),
        ax in 0usize..4,
        picks in prop::collection::vec(any::<u32>(), 0..4),
    ) {
        let v = c.view();
        let axis = ax % v.ndim();
        let n = v.len_of(Axis(axis));
        prop_assume!(n > 0);
        // Ranks in -n..n, half of them negative.
        let kth: Vec<isize> = picks.iter().map(|&r| (r as usize % (2 * n)) as isize - n as isize).collect();
        let ks = np_ranks(&kth, n);
        let p = same_on_threads(&[1, 2, 3], ndpar::Params::always_parallel(), || v.par_partition(&kth, Axis(axis)));
        let idx = same_on_threads(&[1, 2, 3], ndpar::Params::always_parallel(), || v.par_argpartition(&kth, Axis(axis)));
        prop_assert_eq!(p.shape(), v.shape());
        for ((lane, pl), il) in v.lanes(Axis(axis)).into_iter().zip(p.lanes(Axis(axis))).zip(idx.lanes(Axis(axis))) {
            let lane = lane.to_vec();
            assert_partitioned(&lane, &pl.to_vec(), &ks);
            let mut seen = vec![false; n];
            for &i in il.iter() {
                prop_assert!(!seen[i], "argpartition repeats an index");
                seen[i] = true;
            }
            let through: Vec<f64> = il.iter().map(|&i| lane[i]).collect();
            assert_partitioned(&lane, &through, &ks);
        }
    }
}

/// Long lanes go through the parallel split; sorted, reversed, constant
/// and tie-heavy data, and the same result on every thread count.
#[test]
fn long_lanes_partition_in_parallel() {
    let n = ndpar::sort::PAR_SELECT_LEN + 3;
    type Recipe = (&'static str, fn(usize) -> f64);
    let recipes: [Recipe; 6] = [
        ("spread", |i| ((i * 7919) % 100_003) as f64 - 5e4),
        ("ties", |i| match i % 13 {
            0 => f64::NAN,
            1 => -0.0,
            2 => 0.0,
            _ => (i % 5) as f64,
        }),
        ("sorted", |i| i as f64),
        ("reversed", |i| -(i as f64)),
        ("constant", |_| 2.5),
        // Keys that share their top 16 bits and more: the rank is found
        // only a few digits down.
        ("narrow", |i| {
            1.0 + ((i * 7919) % 100_003) as f64 * 2f64.powi(-40)
        }),
    ];
    let kth = [0, 1, (n / 3) as isize, (n / 2) as isize, -2, -1];
    let ks = np_ranks(&kth, n);
    for (name, f) in recipes {
        let a = Array1::from_iter((0..n).map(f));
        let first = ndpar::with_threads(1, || a.par_partition(&kth, Axis(0))).unwrap();
        assert_partitioned(a.as_slice().unwrap(), first.as_slice().unwrap(), &ks);
        // A reversed view: not contiguous, so partitioned through a copy.
        let rev = a.slice(ndarray::s![..;-1]);
        let pr = rev.par_partition(&kth, Axis(0));
        assert_partitioned(&rev.to_vec(), pr.as_slice().unwrap(), &ks);
        let idx =
            ndpar::with_threads(1, || a.par_argpartition(&[(n / 2) as isize], Axis(0))).unwrap();
        let through: Vec<f64> = idx.iter().map(|&i| a[i]).collect();
        assert_partitioned(a.as_slice().unwrap(), &through, &[n / 2]);
        for t in [2, 3] {
            let again = ndpar::with_threads(t, || a.par_partition(&kth, Axis(0))).unwrap();
            assert_eq!(
                bits(&again.into_dyn()),
                bits(&first.clone().into_dyn()),
                "{name}, {t} threads"
            );
            let idx_t = ndpar::with_threads(t, || a.par_argpartition(&[(n / 2) as isize], Axis(0)))
                .unwrap();
            assert_eq!(idx_t, idx, "{name}, {t} threads");
        }
    }
}

/// Many ranks on long lanes: the selection finds them together (up to
/// `SORT_RANKS`), or the lane is sorted (more); either way every rank
/// holds its sorted value, on every thread count.
#[test]
fn long_lanes_partition_at_many_ranks() {
    let n = ndpar::sort::PAR_SELECT_LEN + 77;
    let recipes: [fn(usize) -> f64; 3] = [
        |i| ((i * 7919) % 100_003) as f64 - 5e4,
        |i| match i % 13 {
            0 => f64::NAN,
            1 => -0.0,
            2 => 0.0,
            _ => (i % 5) as f64,
        },
        |i| 1.0 + ((i * 7919) % 100_003) as f64 * 2f64.powi(-40),
    ];
    let rank_sets: Vec<Vec<isize>> = vec![
        (0..16).map(|r| (r * n / 16) as isize).collect(),
        (0..32).map(|r| (r * n / 32 + 5) as isize).collect(),
        (0..33).map(|r| (r * n / 33) as isize).collect(),
        (0..300)
            .map(|r| ((r * 7919) % n) as isize - (n / 2) as isize)
            .collect(),
    ];
    for f in recipes {
        let a = Array1::from_iter((0..n).map(f));
        for kth in &rank_sets {
            let ks = np_ranks(kth, n);
            let first = ndpar::with_threads(1, || a.par_partition(kth, Axis(0))).unwrap();
            assert_partitioned(a.as_slice().unwrap(), first.as_slice().unwrap(), &ks);
            let again = ndpar::with_threads(3, || a.par_partition(kth, Axis(0))).unwrap();
            assert_eq!(bits(&again.into_dyn()), bits(&first.into_dyn()));
            let idx = a.par_argpartition(kth, Axis(0));
            let through: Vec<f64> = idx.iter().map(|&i| a[i]).collect();
            assert_partitioned(a.as_slice().unwrap(), &through, &ks);
        }
    }
}

/// Quantiles of arrays long enough for the radix selection (under params
/// that lower its threshold), many at once, with NaN, ±0 and ties, against
/// a full sort: every method, the NaN-skipping forms and the median.
#[test]
fn many_quantiles_of_long_arrays_match_a_full_sort() {
    use ndpar::QuantileMethod::*;
    let recipes: [fn(usize) -> f64; 4] = [
        |i| ((i * 7919) % 100_003) as f64 * 0.37 - 1.5e4,
        |i| match i % 11 {
            0 => -0.0,
            1 => 0.0,
            _ => (i % 7) as f64 - 3.0,
        },
        |i| 1.0 + ((i * 7919) % 100_003) as f64 * 2f64.powi(-45),
        |i| {
            if i % 1000 == 3 {
                f64::NAN
            } else {
                ((i * 31) % 977) as f64
            }
        },
    ];
    let qs: Vec<f64> = (0..=40)
        .map(|i| f64::from(i) / 40.0)
        .chain([0.123, 0.999])
        .collect();
    let p = ndpar::Params::always_parallel();
    for n in [65_536usize, 70_001, 200_003] {
        for f in recipes {
            let a = Array1::from_iter((0..n).map(f));
            let has_nan = a.iter().any(|x| x.is_nan());
            let mut xs: Vec<f64> = a.iter().copied().filter(|x| !x.is_nan()).collect();
            xs.sort_by(f64::total_cmp);
            for method in [Linear, Lower, Higher, Nearest, Midpoint] {
                let got = same_on_threads(&[1, 2, 3], p, || a.par_quantiles(&qs, method)).unwrap();
                let skip = same_on_threads(&[1, 2], p, || {
                    qs.iter()
                        .map(|&q| a.par_nanquantile(q, method).unwrap())
                        .collect::<Vec<f64>>()
                });
                for (i, &q) in qs.iter().enumerate() {
                    let want = sorted_quantile(&xs, q, method);
                    if has_nan {
                        assert!(got[i].is_nan(), "{method:?} q {q}: a NaN is not skipped");
                    } else {
                        assert_eq!(got[i].to_bits(), want.to_bits(), "{method:?} q {q}, n {n}");
                    }
                    assert_eq!(
                        skip[i].to_bits(),
                        want.to_bits(),
                        "nan{method:?} q {q}, n {n}"
                    );
                }
            }
            let m = xs.len();
            let med = if m % 2 == 1 {
                xs[m / 2]
            } else {
                (xs[m / 2 - 1] + xs[m / 2]) / 2.0
            };
            assert_eq!(
                p.install(|| a.par_nanmedian()).unwrap().to_bits(),
                med.to_bits()
            );
            let plain = p.install(|| a.par_median()).unwrap();
            assert!(if has_nan {
                plain.is_nan()
            } else {
                plain.to_bits() == med.to_bits()
            });
        }
    }
}

/// Lanes of more than a million values whose keys share many top bits:
/// the ranks are found several 16-bit digits down, in parallel passes.
#[test]
fn deep_narrowing_finds_the_ranks() {
    let n = (1 << 20) + 12_345;
    let kth = [0, 7, (n / 2) as isize, -1];
    let ks = np_ranks(&kth, n);
    for scale in [2f64.powi(-40), 2f64.powi(-20)] {
        let a = Array1::from_iter((0..n).map(|i| 1.0 + ((i * 7919) % 1_000_003) as f64 * scale));
        let first = ndpar::with_threads(1, || a.par_partition(&kth, Axis(0))).unwrap();
        assert_partitioned(a.as_slice().unwrap(), first.as_slice().unwrap(), &ks);
        let again = ndpar::with_threads(2, || a.par_partition(&kth, Axis(0))).unwrap();
        assert_eq!(bits(&again.into_dyn()), bits(&first.into_dyn()));
        let idx = a.par_argpartition(&kth, Axis(0));
        let through: Vec<f64> = idx.iter().map(|&i| a[i]).collect();
        assert_partitioned(a.as_slice().unwrap(), &through, &ks);
    }
}

/// Long lanes of integers of every width, against the standard library's
/// sort.
#[test]
fn long_integer_lanes_sort_like_std() {
    fn check<T: ndpar::element::Scalar + Ord + std::fmt::Debug>(f: impl Fn(usize) -> T) {
        let n = 2 * ndpar::sort::PAR_LANE_LEN + 5;
        let xs: Vec<T> = (0..n).map(f).collect();
        let mut want = xs.clone();
        want.sort();
        let mut want_idx: Vec<usize> = (0..n).collect();
        want_idx.sort_by_key(|&i| xs[i]);
        let a = Array1::from(xs);
        for t in [1, 3] {
            let (s, u, idx) = ndpar::with_threads(t, || {
                (
                    a.par_sort(Axis(0)),
                    a.par_sort_unstable(Axis(0)),
                    a.par_argsort(Axis(0)),
                )
            })
            .unwrap();
            assert_eq!(s.to_vec(), want);
            assert_eq!(u.to_vec(), want);
            assert_eq!(idx.to_vec(), want_idx);
        }
    }
    let mix = |i: usize| (i.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 7) as u64;
    check(|i| mix(i) as i8);
    check(|i| mix(i) as u8);
    check(|i| mix(i) as i16);
    check(|i| mix(i) as i32);
    check(|i| (mix(i) % 7) as u32); // many ties
    check(|i| mix(i) as i64);
    check(mix);
    check(|i| mix(i) as isize);
    check(|i| (mix(i) as i128) << 60);
    check(|i| mix(i) as u128);
}

/// Long f32 lanes through the radix sort: stable, numpy's order, signed
/// zeros and NaNs kept in their input order.
#[test]
fn long_f32_lanes_sort_stably() {
    let n = 2 * ndpar::sort::PAR_LANE_LEN + 9;
    let xs: Vec<f32> = (0..n)
        .map(|i| match i % 9 {
            0 => f32::NAN,
            1 => -0.0,
            2 => 0.0,
            3 => f32::NEG_INFINITY,
            _ => ((i * 7919) % 2003) as f32 * 0.5 - 500.0,
        })
        .collect();
    let mut want_idx: Vec<usize> = (0..n).collect();
    want_idx.sort_by(|&i, &j| np_order(f64::from(xs[i]), f64::from(xs[j])));
    let a = Array1::from(xs.clone());
    for t in [1, 2] {
        let (s, idx) =
            ndpar::with_threads(t, || (a.par_sort(Axis(0)), a.par_argsort(Axis(0)))).unwrap();
        assert_eq!(idx.to_vec(), want_idx);
        let want_bits: Vec<u32> = want_idx.iter().map(|&i| xs[i].to_bits()).collect();
        let got_bits: Vec<u32> = s.iter().map(|x| x.to_bits()).collect();
        assert_eq!(got_bits, want_bits, "{t} threads");
    }
}

#[test]
#[should_panic(expected = "par_partition: kth 3 is out of bounds for an axis of length 3")]
fn kth_out_of_range_panics() {
    let _ = ndarray::array![1.0, 2.0, 3.0].par_partition(&[3], Axis(0));
}

#[test]
#[should_panic(expected = "par_argpartition: kth -4 is out of bounds")]
fn negative_kth_out_of_range_panics() {
    let _ = ndarray::array![1, 2, 3].par_argpartition(&[-4], Axis(0));
}

#[test]
#[should_panic(expected = "par_sort: axis 2 is out of bounds")]
fn axis_out_of_range_panics() {
    let _ = ndarray::Array2::<f64>::zeros((2, 2)).par_sort(Axis(2));
}

#[test]
fn empty_and_tiny() {
    let e = ndarray::Array2::<f64>::zeros((0, 3));
    assert_eq!(e.par_sort(Axis(0)).shape(), &[0, 3]);
    assert_eq!(e.par_argsort(Axis(1)).shape(), &[0, 3]);
    let one = ndarray::array![[f64::NAN]];
    assert!(one.par_sort(Axis(1))[[0, 0]].is_nan());
    // numpy: kth must index the axis, even when there are no lanes.
    assert_eq!(e.par_partition(&[2], Axis(1)).shape(), &[0, 3]);
    assert_eq!(e.par_argpartition(&[], Axis(0)).shape(), &[0, 3]);
    assert_eq!(
        ndarray::array![3, 1, 2].par_partition(&[], Axis(0)),
        ndarray::array![3, 1, 2]
    );
}

/// numpy's quantile of sorted, non-empty `xs` by `method`, restated from
/// its definition.
fn sorted_quantile(xs: &[f64], q: f64, method: ndpar::QuantileMethod) -> f64 {
    use ndpar::QuantileMethod::*;
    let n = xs.len();
    let h = (n - 1) as f64 * q;
    match method {
        Linear if h >= (n - 1) as f64 => np_lerp(xs[n - 1], xs[n - 1], h + 1.0),
        Linear => np_lerp(
            xs[h.floor() as usize],
            xs[h.floor() as usize + 1],
            h - h.floor(),
        ),
        Lower => xs[h.floor() as usize],
        Higher => xs[h.ceil() as usize],
        Nearest => {
            let r = h.round();
            let r = if (r - h).abs() == 0.5 && r % 2.0 != 0.0 {
                r - 1.0
            } else {
                r
            };
            xs[r as usize]
        }
        _ => {
            let mid = 0.5 * (h.floor() + h.ceil());
            let t = if mid % 1.0 == 0.0 { 0.0 } else { 0.5 };
            if mid >= (n - 1) as f64 {
                np_lerp(xs[n - 1], xs[n - 1], t)
            } else {
                np_lerp(xs[mid.floor() as usize], xs[mid.floor() as usize + 1], t)
            }
        }
    }
}

/// numpy's `_lerp`, restated from its definition.
fn np_lerp(a: f64, b: f64, t: f64) -> f64 {
    let d = b - a;
    if t >= 0.5 {
        b - d * (1.0 - t)
    } else {
        a + d * t
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Quantiles equal the order statistics of a full sort, interpolated
    /// by numpy's rule, on every layout and thread count.
    #[test]
    fn quantiles_match_a_full_sort(c in case(f64_finite()), q in 0.0f64..=1.0, m in 0usize..5) {
        use ndpar::QuantileMethod::*;
        let method = [Linear, Lower, Higher, Nearest, Midpoint][m];
        let v = c.view();
        let mut xs: Vec<f64> = v.iter().copied().collect();
        // -0.0 before 0.0: ndpar's documented choice among equal zeros.
        xs.sort_by(f64::total_cmp);
        let got = same_on_threads(&[1, 2, 3], ndpar::Params::always_parallel(), || v.par_quantile(q, method));
        if xs.is_empty() {
            prop_assert!(got.is_none());
            return Ok(());
        }
        let want = sorted_quantile(&xs, q, method);
        prop_assert_eq!(got.unwrap().to_bits(), want.to_bits());
        let n = xs.len();
        // The median: the middle value, or the mean of the two.
        let med = if n % 2 == 1 { xs[n / 2] } else { (xs[n / 2 - 1] + xs[n / 2]) / 2.0 };
        prop_assert_eq!(v.par_median().unwrap().to_bits(), med.to_bits());
    }
}

#[test]
#[should_panic(expected = "par_quantile: quantiles must be in the range [0, 1], got 1.5")]
fn quantile_out_of_range_panics() {
    let _ = ndarray::array![1.0].par_quantile(1.5, ndpar::QuantileMethod::Linear);
}

#[test]
fn quantile_edge_cases() {
    use ndarray::array;
    let e = ndarray::Array1::<f64>::zeros(0);
    assert_eq!(e.par_median(), None);
    assert_eq!(e.par_nanmedian(), None);
    assert!(array![f64::NAN, f64::NAN].par_nanmedian().unwrap().is_nan());
    assert!(array![1.0, f64::NAN].par_median().unwrap().is_nan());
    let m = ndarray::Array2::<f64>::zeros((0, 3));
    assert_eq!(m.par_median_axis(Axis(0)), None);
    assert_eq!(m.par_median_axis(Axis(1)).unwrap().len(), 0);
}

/// Long arrays take the narrowing path (parallel passes over key digits):
/// the same values as a full sort, for data that is spread, clustered,
/// symmetric around zero (middle ranks in different buckets), full of
/// ties, or holding NaNs; on 1, 2 and 3 threads.
#[test]
fn long_arrays_narrow_to_the_same_quantiles() {
    use ndpar::QuantileMethod::*;
    let n = 200_001;
    let datasets: Vec<(&str, Vec<f64>)> = vec![
        (
            "spread",
            (0..n)
                .map(|i| ((i as f64) * 0.618_033_988_749_895).fract())
                .collect(),
        ),
        (
            "symmetric",
            (0..n)
                .map(|i| {
                    if i % 2 == 0 {
                        1.0 + i as f64
                    } else {
                        -1.0 - i as f64
                    }
                })
                .collect(),
        ),
        (
            "ties",
            (0..n).map(|i| ((i * 7919) % 5) as f64 - 2.0).collect(),
        ),
        (
            "zeros",
            (0..n)
                .map(|i| match i % 3 {
                    0 => -0.0,
                    1 => 0.0,
                    _ => (i as f64).sqrt(),
                })
                .collect(),
        ),
        (
            "tiny",
            (0..n)
                .map(|i| f64::from_bits(1 + (i as u64 * 2654435761) % 1_000_000))
                .collect(),
        ),
        (
            "nan",
            (0..n)
                .map(|i| {
                    if i % 1000 == 7 {
                        f64::NAN
                    } else {
                        (i as f64).sin()
                    }
                })
                .collect(),
        ),
    ];
    for (name, xs) in datasets {
        for len in [n, n - 1] {
            let a = Array1::from(xs[..len].to_vec());
            let mut finite: Vec<f64> = a.iter().copied().filter(|x| !x.is_nan()).collect();
            finite.sort_by(f64::total_cmp);
            let m = finite.len();
            let has_nan = m < len;
            let median = if m % 2 == 1 {
                finite[m / 2]
            } else {
                (finite[m / 2 - 1] + finite[m / 2]) / 2.0
            };
            let bits = |x: f64| if x.is_nan() { u64::MAX } else { x.to_bits() };
            // Params::always_parallel() lowers the length from which the
            // narrowing path is taken to 65 536 elements.
            for t in [1, 2, 3] {
                let (med, nanmed, lower, higher, linear) =
                    on(t, ndpar::Params::always_parallel(), || {
                        (
                            a.par_median().unwrap(),
                            a.par_nanmedian().unwrap(),
                            a.par_quantile(0.3, Lower).unwrap(),
                            a.par_nanquantile(0.9, Higher).unwrap(),
                            a.par_nanquantile(0.25, Linear).unwrap(),
                        )
                    });
                let want_med = if has_nan { f64::NAN } else { median };
                assert_eq!(bits(med), bits(want_med), "{name} {len}: median");
                assert_eq!(bits(nanmed), bits(median), "{name} {len}: nanmedian");
                let h = (m - 1) as f64 * 0.9;
                assert_eq!(
                    bits(higher),
                    bits(finite[h.ceil() as usize]),
                    "{name} {len}: 0.9 higher"
                );
                if !has_nan {
                    let h = (len - 1) as f64 * 0.3;
                    assert_eq!(
                        bits(lower),
                        bits(finite[h.floor() as usize]),
                        "{name} {len}: 0.3 lower"
                    );
                }
                let h = (m - 1) as f64 * 0.25;
                let want = np_lerp(
                    finite[h.floor() as usize],
                    finite[h.floor() as usize + 1],
                    h - h.floor(),
                );
                assert_eq!(bits(linear), bits(want), "{name} {len}: 0.25 linear");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Several quantiles along an axis, against a sort of every lane: the
    /// quantiles come first (numpy's layout), NaN lanes follow numpy's
    /// rules in the plain and the NaN-skipping forms, on any layout.
    #[test]
    fn quantiles_along_an_axis_match_a_sort_of_each_lane(
        c in case(f64_with_nan()),
        ax in 0usize..4,
        qs in prop::collection::vec(0.0f64..=1.0, 1..5),
        m in 0usize..5,
    ) {
        use ndpar::QuantileMethod::*;
        let method = [Linear, Lower, Higher, Nearest, Midpoint][m];
        let v = c.view();
        let axis = Axis(ax % v.ndim());
        let p = ndpar::Params::always_parallel();
        let plain = same_on_threads(&[1, 3], p, || v.par_quantiles_axis(&qs, axis, method));
        let skip = same_on_threads(&[1, 3], p, || v.par_nanquantiles_axis(&qs, axis, method));
        if v.len_of(axis) == 0 {
            prop_assert!(plain.is_none() && skip.is_none());
            return Ok(());
        }
        let (plain, skip) = (plain.unwrap(), skip.unwrap());
        let mut want_shape = vec![qs.len()];
        want_shape.extend(v.shape().iter().enumerate().filter(|&(i, _)| i != axis.index()).map(|(_, &n)| n));
        prop_assert_eq!(plain.shape(), &want_shape[..]);
        prop_assert_eq!(skip.shape(), &want_shape[..]);
        let lanes: Vec<Vec<f64>> = v.lanes(axis).into_iter().map(|l| l.to_vec()).collect();
        for (i, &q) in qs.iter().enumerate() {
            let got: Vec<f64> = plain.index_axis(Axis(0), i).iter().copied().collect();
            let got_skip: Vec<f64> = skip.index_axis(Axis(0), i).iter().copied().collect();
            for (j, lane) in lanes.iter().enumerate() {
                let mut ok: Vec<f64> = lane.iter().copied().filter(|x| !x.is_nan()).collect();
                ok.sort_by(f64::total_cmp);
                let want_skip = if ok.is_empty() { f64::NAN } else { sorted_quantile(&ok, q, method) };
                let want = if ok.len() < lane.len() { f64::NAN } else { want_skip };
                let same = |a: f64, b: f64| (a.is_nan() && b.is_nan()) || a.to_bits() == b.to_bits();
                prop_assert!(same(got[j], want), "q {} lane {}: {} against {}", q, j, got[j], want);
                prop_assert!(same(got_skip[j], want_skip), "nan q {} lane {}: {} against {}", q, j, got_skip[j], want_skip);
            }
        }
    }
}
