//! Differential tests against numpy itself, on edge values: histogram
//! edges (bit for bit) and counts, the automatic range and its errors,
//! min/max/argmin/argmax with NaN, ±0 and ±inf, the NaN-skipping
//! reductions of all-NaN lanes, variances, cumulative sums and `vdot`.
//! Skipped (saying so) when python3 with numpy is not installed, unless
//! `NDPAR_REQUIRE_NUMPY` is set: CI installs numpy and sets it, so there a
//! missing numpy fails.
#![cfg(feature = "io")]

use std::path::Path;
use std::process::Command;

use crate::common::Scratch;
use ndarray::{Array1, Array2, ArrayD, Axis, Ix2, IxDyn, ShapeBuilder, array, s};
use ndpar::io::{load_npy, save_npy};
use ndpar::prelude::*;

/// Runs `script` with numpy on the files in `dir`, or returns `false`
/// (with a message) when numpy is not available.
fn numpy(dir: &Path, script: &str) -> bool {
    if !crate::common::numpy_available("numpy_diff") {
        return false;
    }
    let out = Command::new("python3")
        .args(["-c", script, dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the numpy script failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    true
}

/// The float `steps` ulps above `x` (below for negative `steps`), for
/// finite `x`.
fn ulp_step(x: f64, steps: i64) -> f64 {
    // The bit patterns of floats are ordered like the floats on a line
    // when mapped to a signed integer this way.
    let ordered = |f: f64| {
        let b = f.to_bits() as i64;
        if b < 0 { i64::MIN - b } else { b }
    };
    let o = ordered(x) + steps;
    f64::from_bits(if o < 0 {
        (i64::MIN - o) as u64
    } else {
        o as u64
    })
}

/// Values that land exactly on, or an ulp beside, the bin edges of many
/// ranges and bin counts, plus repeats and both ends of each range.
fn edge_values() -> Array1<f64> {
    let mut v = Vec::new();
    for bins in [3usize, 7, 10, 13, 100] {
        for (lo, hi) in [(0.0, 1.0), (-1.0, 2.3), (0.1, 0.7)] {
            let m = 8 * bins;
            for k in 0..=m {
                let x: f64 = lo + (hi - lo) * (k as f64 / m as f64);
                v.extend([x, ulp_step(x, 1), ulp_step(x, -1)]);
            }
        }
    }
    Array1::from(v)
}

const HISTOGRAMS: &str = r#"
import sys, numpy as np
d = sys.argv[1]
x = np.load(f"{d}/x.npy")
for bins in [1, 3, 7, 10, 13, 100]:
    for name, rng in [("auto", None), ("a", (0.0, 1.0)), ("b", (-1.0, 2.3)), ("c", (0.1, 0.7))]:
        counts, edges = np.histogram(x, bins=bins, range=rng)
        np.save(f"{d}/counts_{bins}_{name}.npy", counts.astype(np.uint64))
        np.save(f"{d}/edges_{bins}_{name}.npy", edges)
for name, data in [("nan", np.array([1.0, np.nan])), ("inf", np.array([1.0, np.inf]))]:
    try:
        np.histogram(data, bins=3)
        raise SystemExit(f"numpy accepted an automatic range for {name}")
    except ValueError:
        pass
"#;

#[test]
fn histograms_match_numpy_bit_for_bit() {
    let dir = Scratch::new("numpy-hist");
    let x = edge_values();
    save_npy(dir.0.join("x.npy"), &x).unwrap();
    if !numpy(&dir.0, HISTOGRAMS) {
        return;
    }
    for bins in [1usize, 3, 7, 10, 13, 100] {
        for (name, range) in [
            ("auto", None),
            ("a", Some((0.0, 1.0))),
            ("b", Some((-1.0, 2.3))),
            ("c", Some((0.1, 0.7))),
        ] {
            let h = ndpar::par_histogram(&x, bins, range).unwrap();
            let counts: Array1<u64> =
                load_npy(dir.0.join(format!("counts_{bins}_{name}.npy"))).unwrap();
            let edges: Array1<f64> =
                load_npy(dir.0.join(format!("edges_{bins}_{name}.npy"))).unwrap();
            let bits = |a: &Array1<f64>| a.mapv(f64::to_bits);
            assert_eq!(
                bits(&h.edges),
                bits(&edges),
                "edges, {bins} bins, range {name}"
            );
            assert_eq!(h.counts, counts, "counts, {bins} bins, range {name}");
        }
    }
    // numpy raises ValueError for these automatic ranges (checked by the
    // script); ndpar returns an error.
    for data in [array![1.0, f64::NAN], array![1.0, f64::INFINITY]] {
        assert!(ndpar::par_histogram(&data, 3, None).is_err());
    }
}

const REDUCTIONS: &str = r#"
import sys, warnings, numpy as np
warnings.simplefilter("ignore")
d = sys.argv[1]
a = np.load(f"{d}/a.npy")
out = {}
for ax in [None, 0, 1]:
    k = "all" if ax is None else str(ax)
    out[f"min_{k}"] = np.min(a, axis=ax)
    out[f"max_{k}"] = np.max(a, axis=ax)
    out[f"argmin_{k}"] = np.asarray(np.argmin(a, axis=ax)).astype(np.uint64)
    out[f"argmax_{k}"] = np.asarray(np.argmax(a, axis=ax)).astype(np.uint64)
    out[f"nanmin_{k}"] = np.nanmin(a, axis=ax)
    out[f"nanmax_{k}"] = np.nanmax(a, axis=ax)
    out[f"nanmean_{k}"] = np.nanmean(a, axis=ax)
    out[f"nansum_{k}"] = np.nansum(a, axis=ax)
for name, v in out.items():
    np.save(f"{d}/{name}.npy", np.asarray(v))
b = np.load(f"{d}/b.npy")
for ddof in [0, 1]:
    np.save(f"{d}/var_{ddof}.npy", np.asarray(np.var(b, ddof=ddof)))
    np.save(f"{d}/var0_{ddof}.npy", np.var(b, axis=0, ddof=ddof))
    np.save(f"{d}/std1_{ddof}.npy", np.std(b, axis=1, ddof=ddof))
np.save(f"{d}/cumsum0.npy", np.cumsum(b, axis=0))
np.save(f"{d}/cumsum1.npy", np.cumsum(b, axis=1))
i = np.load(f"{d}/i.npy")
np.save(f"{d}/icumsum.npy", np.cumsum(i, axis=1))
np.save(f"{d}/vdot.npy", np.asarray(np.vdot(b, b[::-1, :])))
"#;

/// Equal as numpy prints them: NaN equals NaN; the sign of a zero is
/// ignored (which zero wins a tie is unspecified).
fn same_value(x: f64, y: f64) -> bool {
    (x.is_nan() && y.is_nan()) || x == y
}

#[test]
fn reductions_on_edge_values_match_numpy() {
    let dir = Scratch::new("numpy-reduce");
    let nan = f64::NAN;
    let inf = f64::INFINITY;
    // Rows: ordinary, with NaN, all NaN, ±0 ties, infinities, repeats.
    let a: Array2<f64> = array![
        [3.0, -1.0, 2.0, -1.0, 5.0],
        [nan, 4.0, -2.0, nan, 1.0],
        [nan, nan, nan, nan, nan],
        [0.0, -0.0, 0.0, -0.0, 0.0],
        [inf, -inf, 1.0, inf, -inf],
        [7.0, 7.0, 7.0, 7.0, 7.0],
    ];
    let b = Array2::from_shape_fn((40, 7), |(i, j)| {
        ((i * 7 + j) as f64 * 0.618_033_988_75).fract() * 10f64.powi((j % 4) as i32) - 3.0
    });
    let int = Array2::from_shape_fn((5, 9), |(i, j)| (i as i64 - 2) * 1_000_000_007 * j as i64);
    save_npy(dir.0.join("a.npy"), &a).unwrap();
    save_npy(dir.0.join("b.npy"), &b).unwrap();
    save_npy(dir.0.join("i.npy"), &int).unwrap();
    if !numpy(&dir.0, REDUCTIONS) {
        return;
    }
    let load = |name: &str| -> ArrayD<f64> { load_npy(dir.0.join(format!("{name}.npy"))).unwrap() };
    let load_idx =
        |name: &str| -> ArrayD<u64> { load_npy(dir.0.join(format!("{name}.npy"))).unwrap() };
    let check = |name: &str, got: ArrayD<f64>| {
        let want = load(name);
        assert_eq!(got.shape(), want.shape(), "{name}");
        for (g, w) in got.iter().zip(want.iter()) {
            assert!(same_value(*g, *w), "{name}: ndpar {got} numpy {want}");
        }
    };
    let scalar = |x: f64| ArrayD::from_elem(IxDyn(&[]), x);
    check("min_all", scalar(a.par_min().unwrap()));
    check("max_all", scalar(a.par_max().unwrap()));
    check("nanmin_all", scalar(a.par_nanmin().unwrap()));
    check("nanmax_all", scalar(a.par_nanmax().unwrap()));
    check("nanmean_all", scalar(a.par_nanmean().unwrap()));
    check("nansum_all", scalar(a.par_nansum()));
    let flat = |(i, j): (usize, usize)| (i * a.ncols() + j) as u64;
    assert_eq!(
        load_idx("argmin_all")
            .into_dimensionality::<ndarray::Ix0>()
            .unwrap()[()],
        flat(a.par_argmin().unwrap())
    );
    assert_eq!(
        load_idx("argmax_all")
            .into_dimensionality::<ndarray::Ix0>()
            .unwrap()[()],
        flat(a.par_argmax().unwrap())
    );
    // The flat forms are numpy's own, in every layout.
    let mut af = Array2::zeros(a.raw_dim().f());
    af.assign(&a);
    for v in [a.view(), af.view()] {
        let numpy = |name: &str| {
            load_idx(name)
                .into_dimensionality::<ndarray::Ix0>()
                .unwrap()[()]
        };
        assert_eq!(
            v.par_argmin_flat().map(|i| i as u64),
            Some(numpy("argmin_all"))
        );
        assert_eq!(
            v.par_argmax_flat().map(|i| i as u64),
            Some(numpy("argmax_all"))
        );
    }
    for ax in [0, 1] {
        let axis = Axis(ax);
        check(
            &format!("min_{ax}"),
            a.par_min_axis(axis).unwrap().into_dyn(),
        );
        check(
            &format!("max_{ax}"),
            a.par_max_axis(axis).unwrap().into_dyn(),
        );
        check(
            &format!("nanmin_{ax}"),
            a.par_nanmin_axis(axis).unwrap().into_dyn(),
        );
        check(
            &format!("nanmax_{ax}"),
            a.par_nanmax_axis(axis).unwrap().into_dyn(),
        );
        check(
            &format!("nanmean_{ax}"),
            a.par_nanmean_axis(axis).unwrap().into_dyn(),
        );
        check(&format!("nansum_{ax}"), a.par_nansum_axis(axis).into_dyn());
        let idx = |v: Array1<usize>| v.mapv(|i| i as u64).into_dyn();
        assert_eq!(
            idx(a.par_argmin_axis(axis).unwrap()),
            load_idx(&format!("argmin_{ax}")),
            "argmin_{ax}"
        );
        assert_eq!(
            idx(a.par_argmax_axis(axis).unwrap()),
            load_idx(&format!("argmax_{ax}")),
            "argmax_{ax}"
        );
    }
    // Rounding-level comparisons.
    let close = |name: &str, got: ArrayD<f64>, tol: f64| {
        let want = load(name);
        assert_eq!(got.shape(), want.shape(), "{name}");
        for (g, w) in got.iter().zip(want.iter()) {
            assert!((g - w).abs() <= tol * (1.0 + w.abs()), "{name}: {g} vs {w}");
        }
    };
    for ddof in [0.0, 1.0] {
        let d = ddof as u8;
        close(&format!("var_{d}"), scalar(b.par_var(ddof).unwrap()), 1e-13);
        close(
            &format!("var0_{d}"),
            b.par_var_axis(Axis(0), ddof).unwrap().into_dyn(),
            1e-13,
        );
        close(
            &format!("std1_{d}"),
            b.par_std_axis(Axis(1), ddof).unwrap().into_dyn(),
            1e-13,
        );
    }
    close("cumsum0", b.par_cumsum(Axis(0)).into_dyn(), 1e-13);
    close("cumsum1", b.par_cumsum(Axis(1)).into_dyn(), 1e-13);
    close(
        "vdot",
        scalar(b.par_vdot(&b.slice(ndarray::s![..;-1, ..]))),
        1e-13,
    );
    let icum: Array2<i64> = load_npy::<i64, Ix2, _>(dir.0.join("icumsum.npy")).unwrap();
    assert_eq!(int.par_cumsum(Axis(1)), icum, "integer cumsum is exact");
}

const QUANTILES: &str = r#"
import sys, warnings, numpy as np
warnings.simplefilter("ignore")
d = sys.argv[1]
qs = np.load(f"{d}/qs.npy")
methods = ["linear", "lower", "higher", "nearest", "midpoint"]
for name in ["a", "b", "c", "d"]:
    x = np.load(f"{d}/{name}.npy")
    out = np.array([[np.quantile(x, q, method=m) for q in qs] for m in methods])
    np.save(f"{d}/q_{name}.npy", out)
    np.save(f"{d}/nanq_{name}.npy", np.array([np.nanquantile(x, q) for q in qs]))
    np.save(f"{d}/sort_{name}.npy", np.sort(x, kind="stable"))
    np.save(f"{d}/argsort_{name}.npy", np.argsort(x, kind="stable").astype(np.uint64))
    np.save(f"{d}/median_{name}.npy", np.array([np.median(x), np.nanmedian(x)]))
    u, idx, inv, cnt = np.unique(x, return_index=True, return_inverse=True, return_counts=True)
    np.save(f"{d}/unique_{name}.npy", u)
    np.save(f"{d}/unique_parts_{name}.npy", np.stack([idx, cnt]).astype(np.uint64))
    np.save(f"{d}/unique_inverse_{name}.npy", inv.reshape(-1).astype(np.uint64))
ints = np.load(f"{d}/ints.npy")
np.save(f"{d}/bincount.npy", np.bincount(ints, minlength=3).astype(np.uint64))
np.save(f"{d}/bincount_w.npy", np.bincount(ints, weights=np.sqrt(ints.astype(np.float64))))
m = np.load(f"{d}/m.npy")
np.save(f"{d}/median_m0.npy", np.median(m, axis=0))
np.save(f"{d}/median_m1.npy", np.median(m, axis=1))
np.save(f"{d}/nanmedian_m1.npy", np.nanmedian(m, axis=1))
np.save(f"{d}/argsort_m0.npy", np.argsort(m, axis=0, kind="stable").astype(np.uint64))
"#;

#[test]
fn quantiles_and_sorts_match_numpy() {
    use ndpar::QuantileMethod::*;
    let dir = Scratch::new("numpy-quantile");
    let inf = f64::INFINITY;
    let data = [
        (
            "a",
            array![3.0, 1.0, 2.0, 10.0, -4.5, 0.0, -0.0, 7.25, 1.0, 1.0],
        ),
        ("b", array![1.0, inf, 2.0, -inf, 5.0]),
        ("c", array![2.5, f64::NAN, -1.0, 4.0]),
        (
            "d",
            Array1::from_iter((0..37).map(|i| ((i * 17 % 23) as f64) * 0.37 - 3.0)),
        ),
    ];
    let qs = array![
        0.0,
        0.1,
        0.25,
        1.0 / 3.0,
        0.4,
        0.5,
        0.625,
        0.75,
        0.9,
        0.99,
        1.0
    ];
    save_npy(dir.0.join("qs.npy"), &qs).unwrap();
    for (name, x) in &data {
        save_npy(dir.0.join(format!("{name}.npy")), x).unwrap();
    }
    let m = Array2::from_shape_fn((9, 6), |(i, j)| match (i * 6 + j) % 13 {
        0 => f64::NAN,
        k => (k as f64 * 1.7).sin() * 10.0,
    });
    save_npy(dir.0.join("m.npy"), &m).unwrap();
    let ints = Array1::from_iter((0..500i64).map(|i| (i * i * 7 + 3) % 41));
    save_npy(dir.0.join("ints.npy"), &ints).unwrap();
    if !numpy(&dir.0, QUANTILES) {
        return;
    }
    let bits = |x: f64| if x.is_nan() { u64::MAX } else { x.to_bits() };
    // Of -0.0 and 0.0, which one numpy's partition leaves at a rank is an
    // accident of its algorithm (ndpar documents its own choice): compare
    // quantiles with zeros of either sign as equal.
    let value = |x: f64| if x == 0.0 { 0 } else { bits(x) };
    for (name, x) in &data {
        let want: Array2<f64> = load_npy(dir.0.join(format!("q_{name}.npy"))).unwrap();
        for (mi, method) in [Linear, Lower, Higher, Nearest, Midpoint]
            .into_iter()
            .enumerate()
        {
            for (qi, &q) in qs.iter().enumerate() {
                let got = x.par_quantile(q, method).unwrap();
                assert_eq!(
                    value(got),
                    value(want[[mi, qi]]),
                    "{name}: quantile {q} {method:?}: {got} against numpy's {}",
                    want[[mi, qi]]
                );
            }
        }
        let nanq: Array1<f64> = load_npy(dir.0.join(format!("nanq_{name}.npy"))).unwrap();
        for (qi, &q) in qs.iter().enumerate() {
            assert_eq!(
                bits(x.par_nanquantile(q, Linear).unwrap()),
                bits(nanq[qi]),
                "{name} nanquantile {q}"
            );
        }
        let sorted: Array1<f64> = load_npy(dir.0.join(format!("sort_{name}.npy"))).unwrap();
        assert_eq!(
            x.par_sort(Axis(0)).mapv(bits),
            sorted.mapv(bits),
            "{name} sort"
        );
        let idx: Array1<u64> = load_npy(dir.0.join(format!("argsort_{name}.npy"))).unwrap();
        assert_eq!(
            x.par_argsort(Axis(0)).mapv(|i| i as u64),
            idx,
            "{name} argsort"
        );
    }
    for (file, got) in [
        ("median_m0", m.par_median_axis(Axis(0)).unwrap()),
        ("median_m1", m.par_median_axis(Axis(1)).unwrap()),
        ("nanmedian_m1", m.par_nanmedian_axis(Axis(1)).unwrap()),
    ] {
        let want: Array1<f64> = load_npy(dir.0.join(format!("{file}.npy"))).unwrap();
        assert_eq!(got.mapv(bits), want.mapv(bits), "{file}");
    }
    let idx: Array2<u64> = load_npy(dir.0.join("argsort_m0.npy")).unwrap();
    assert_eq!(m.par_argsort(Axis(0)).mapv(|i| i as u64), idx);
    let counts: Array1<u64> = load_npy(dir.0.join("bincount.npy")).unwrap();
    assert_eq!(ndpar::par_bincount(&ints, 3).unwrap(), counts);
    let sums: Array1<f64> = load_npy(dir.0.join("bincount_w.npy")).unwrap();
    let w = ints.mapv(|i| (i as f64).sqrt());
    let got = ndpar::par_bincount_weighted(&ints, &w, 0).unwrap();
    assert_eq!(
        got.mapv(f64::to_bits),
        sums.mapv(f64::to_bits),
        "weighted bincount"
    );
}

const AXES_AND_PARTITIONS: &str = r#"
import sys, numpy as np
d = sys.argv[1]
t = np.load(d + "/t.npy")
with np.errstate(all="ignore"):
    for name, axes in [("02", (0, 2)), ("12", (1, 2)), ("01", (0, 1)), ("all", (0, 1, 2))]:
        for f in ["sum", "nansum", "mean", "nanmean", "min", "max", "nanmin", "nanmax"]:
            np.save(f"{d}/{f}_{name}.npy", getattr(np, f)(t, axis=axes, keepdims=True))
        np.save(f"{d}/var_{name}.npy", np.var(t, axis=axes, ddof=1, keepdims=True))
long = np.load(d + "/long.npy")
np.save(d + "/sort_long.npy", np.sort(long, kind="stable"))
np.save(d + "/argsort_long.npy", np.argsort(long, kind="stable").astype(np.uint64))
kth = [0, 5, len(long) // 2, -1]
np.save(d + "/part_long.npy", np.partition(long, kth)[kth])
np.save(d + "/argpart_long.npy", long[np.argpartition(long, kth)][kth])
"#;

/// Reductions over several axes (with keepdims) against numpy's tuple
/// axes, and long radix-sorted and partitioned arrays holding NaN, ±0 and
/// ties against numpy's stable sort and partition.
#[test]
fn several_axes_and_long_sorts_match_numpy() {
    let dir = Scratch::new("numpy-axes");
    let t =
        ndarray::Array3::from_shape_fn((5, 4, 6), |(i, j, k)| match (i * 24 + j * 6 + k) % 11 {
            0 => f64::NAN,
            1 => -0.0,
            n => ((n * 37 + i) as f64).sin() * 100.0,
        });
    // A transposed view: ndpar reads it in place or through a copy.
    let tv = t.view().reversed_axes();
    save_npy(dir.0.join("t.npy"), &tv.as_standard_layout()).unwrap();
    let n = 3 * ndpar::sort::PAR_LANE_LEN + 11;
    let long = Array1::from_iter((0..n).map(|i| match i % 17 {
        0 => f64::NAN,
        1 => -0.0,
        2 => 0.0,
        _ => ((i * 7919) % 4001) as f64 * 0.25 - 500.0,
    }));
    save_npy(dir.0.join("long.npy"), &long).unwrap();
    if !numpy(&dir.0, AXES_AND_PARTITIONS) {
        return;
    }
    let close =
        |a: f64, b: f64| (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-12 * b.abs().max(1.0);
    for (name, axes) in [
        ("02", vec![Axis(0), Axis(2)]),
        ("12", vec![Axis(1), Axis(2)]),
        ("01", vec![Axis(0), Axis(1)]),
        ("all", vec![Axis(0), Axis(1), Axis(2)]),
    ] {
        let results: [(&str, ArrayD<f64>); 9] = [
            ("sum", tv.par_sum_axes(&axes, true)),
            ("nansum", tv.par_nansum_axes(&axes, true)),
            ("mean", tv.par_mean_axes(&axes, true).unwrap()),
            ("nanmean", tv.par_nanmean_axes(&axes, true).unwrap()),
            ("min", tv.par_min_axes(&axes, true).unwrap()),
            ("max", tv.par_max_axes(&axes, true).unwrap()),
            ("nanmin", tv.par_nanmin_axes(&axes, true).unwrap()),
            ("nanmax", tv.par_nanmax_axes(&axes, true).unwrap()),
            ("var", tv.par_var_axes(&axes, 1.0, true).unwrap()),
        ];
        for (f, got) in results {
            let want: ArrayD<f64> = load_npy(dir.0.join(format!("{f}_{name}.npy"))).unwrap();
            assert_eq!(got.shape(), want.shape(), "{f} over {name}");
            for (g, w) in got.iter().zip(want.iter()) {
                assert!(close(*g, *w), "{f} over {name}: {g} against numpy's {w}");
            }
        }
    }
    let bits = |x: f64| if x.is_nan() { u64::MAX } else { x.to_bits() };
    let sorted: Array1<f64> = load_npy(dir.0.join("sort_long.npy")).unwrap();
    assert_eq!(long.par_sort(Axis(0)).mapv(bits), sorted.mapv(bits));
    let idx: Array1<u64> = load_npy(dir.0.join("argsort_long.npy")).unwrap();
    assert_eq!(long.par_argsort(Axis(0)).mapv(|i| i as u64), idx);
    let kth = [0, 5, (n / 2) as isize, -1];
    let at = |a: &Array1<f64>| {
        [a[0], a[5], a[n / 2], a[n - 1]].map(|x| if x == 0.0 { 0 } else { bits(x) })
    };
    let want: Array1<f64> = load_npy(dir.0.join("part_long.npy")).unwrap();
    let want = [want[0], want[1], want[2], want[3]].map(|x| if x == 0.0 { 0 } else { bits(x) });
    assert_eq!(at(&long.par_partition(&kth, Axis(0))), want);
    let through = long.par_argpartition(&kth, Axis(0)).mapv(|i| long[i]);
    assert_eq!(at(&through), want);
}

const AXES_NAN_INF: &str = r#"
import sys, itertools, numpy as np
d = sys.argv[1]
with np.errstate(all="ignore"):
    for name in ["t", "b"]:
        t = np.load(f"{d}/{name}.npy")
        for r in range(4):
            for axes in itertools.combinations(range(3), r):
                tag = "".join(map(str, axes))
                for f in ["sum", "nansum", "mean", "nanmean", "min", "max", "nanmin", "nanmax"]:
                    np.save(f"{d}/{name}_{f}_{tag}.npy", getattr(np, f)(t, axis=axes, keepdims=True))
                np.save(f"{d}/{name}_var_{tag}.npy", np.var(t, axis=axes, keepdims=True))
"#;

/// Several-axes reductions of data mixing NaN, +inf and -inf, over every
/// subset of axes and in every layout, against numpy. Layouts whose axes do
/// not merge reduce one axis at a time: a NaN that a first stage makes from
/// `inf + (-inf)` must survive the stages after it (numpy's `nansum` skips
/// only the data's own NaNs).
#[test]
fn several_axes_with_nan_and_inf_match_numpy_in_every_layout() {
    use crate::common::{Case, KINDS, Kind};
    let dir = Scratch::new("numpy-axes-nan-inf");
    let (nan, inf) = (f64::NAN, f64::INFINITY);
    let pool = [1.0, inf, -inf, nan, 2.5, -0.0, inf, 1.0, -inf, 3.0, 1.0];
    let shape = [3usize, 2, 4];
    let logical = ArrayD::from_shape_fn(IxDyn(&shape), |ix| {
        pool[(ix[0] * 7 + ix[1] * 5 + ix[2] * 3) % pool.len()]
    });
    // A broadcast view repeats its first plane along axis 0.
    let plane = logical
        .slice(ndarray::s![0..1, .., ..])
        .to_owned()
        .into_dyn();
    let broadcast = plane.broadcast(IxDyn(&shape)).unwrap().to_owned();
    save_npy(dir.0.join("t.npy"), &logical).unwrap();
    save_npy(dir.0.join("b.npy"), &broadcast).unwrap();
    if !numpy(&dir.0, AXES_NAN_INF) {
        return;
    }
    let same = |g: &ArrayD<f64>, w: &ArrayD<f64>| {
        g.shape() == w.shape()
            && g.iter().zip(w.iter()).all(|(&x, &y)| {
                (x.is_nan() && y.is_nan()) || x == y || (x - y).abs() <= 1e-12 * y.abs()
            })
    };
    for kind in KINDS {
        let (name, case) = if kind == Kind::Broadcast {
            let base = plane.clone();
            (
                "b",
                Case {
                    base,
                    kind,
                    shape: shape.to_vec(),
                },
            )
        } else {
            let n: usize = crate::common::base_shape(kind, &shape).iter().product();
            let mut c = Case::new(kind, shape.to_vec(), vec![0.0; n]);
            c.view_mut().assign(&logical);
            ("t", c)
        };
        let v = case.view();
        for r in 0..=3 {
            for axes in subsets(3, r) {
                let tag: String = axes.iter().map(|a| a.index().to_string()).collect();
                let got: [(&str, ArrayD<f64>); 9] = [
                    ("sum", v.par_sum_axes(&axes, true)),
                    ("nansum", v.par_nansum_axes(&axes, true)),
                    ("mean", v.par_mean_axes(&axes, true).unwrap()),
                    ("nanmean", v.par_nanmean_axes(&axes, true).unwrap()),
                    ("min", v.par_min_axes(&axes, true).unwrap()),
                    ("max", v.par_max_axes(&axes, true).unwrap()),
                    ("nanmin", v.par_nanmin_axes(&axes, true).unwrap()),
                    ("nanmax", v.par_nanmax_axes(&axes, true).unwrap()),
                    ("var", v.par_var_axes(&axes, 0.0, true).unwrap()),
                ];
                for (f, g) in got {
                    let w: ArrayD<f64> =
                        load_npy(dir.0.join(format!("{name}_{f}_{tag}.npy"))).unwrap();
                    assert!(
                        same(&g, &w),
                        "{f} over axes ({tag}) of a {kind:?} array: ndpar {g} numpy {w}"
                    );
                }
            }
        }
    }
}

/// The subsets of `0..n` with `r` elements, as axes, in increasing order.
fn subsets(n: usize, r: usize) -> Vec<Vec<Axis>> {
    (0..1usize << n)
        .filter(|m| m.count_ones() as usize == r)
        .map(|m| (0..n).filter(|i| m >> i & 1 == 1).map(Axis).collect())
        .collect()
}

const INTEGER_RESULTS: &str = r#"
import sys, numpy as np
d = sys.argv[1]
for t in ["i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8"]:
    x = np.load(f"{d}/x_{t}.npy")
    p = np.load(f"{d}/p_{t}.npy")
    out = {
        "sum": x.sum(), "sum0": x.sum(axis=0), "sum1": x.sum(axis=1),
        "cumsum0": x.cumsum(axis=0), "cumsum1": x.cumsum(axis=1),
        "prod": p.prod(), "cumprod1": p.cumprod(axis=1),
        "mean": x.mean(), "mean0": x.mean(axis=0), "var1": x.var(axis=1, ddof=1),
        "sum01": x.sum(axis=(0, 1)),
    }
    for name, v in out.items():
        np.save(f"{d}/{name}_{t}.npy", np.asarray(v))
"#;

/// numpy's result types and values for the sums, products, scans, means
/// and variances of every integer type, on values that wrap in the element
/// type (and, for 64-bit types, near the type's limits), in three layouts.
#[test]
fn integer_results_have_numpys_types_and_values() {
    let dir = Scratch::new("numpy-int");
    let (rows, cols) = (37, 29);
    // Values from the top of each type's range (sums wrap in the element
    // type); for the products, ±1 with a few 2s (the products fit).
    fn data<A: Copy>(rows: usize, cols: usize, f: impl Fn(usize) -> A) -> Array2<A> {
        Array2::from_shape_fn((rows, cols), |(i, j)| f(i * cols + j))
    }
    let factor = |k: usize| {
        if k.is_multiple_of(23) {
            2i8
        } else if k.is_multiple_of(3) {
            -1
        } else {
            1
        }
    };
    macro_rules! save_all {
        ($($t:ty, $name:literal, $x:expr, $p:expr);*) => {$(
            save_npy(dir.0.join(concat!("x_", $name, ".npy")), &data::<$t>(rows, cols, $x)).unwrap();
            save_npy(dir.0.join(concat!("p_", $name, ".npy")), &data::<$t>(rows, cols, $p)).unwrap();
        )*};
    }
    let unsigned_factor = |k: usize| if k.is_multiple_of(23) { 2 } else { 1 };
    save_all!(
        i8, "i1", |k| (i8::MAX - (k % 7) as i8) * if k % 5 == 0 { -1 } else { 1 }, factor;
        i16, "i2", |k| i16::MAX - (k % 11) as i16, |k| i16::from(factor(k));
        i32, "i4", |k| i32::MIN + (k % 13) as i32, |k| i32::from(factor(k));
        i64, "i8", |k| (1i64 << 52) * if k % 2 == 0 { 1 } else { -1 } + k as i64, |k| i64::from(factor(k));
        u8, "u1", |k| u8::MAX - (k % 17) as u8, |k| unsigned_factor(k) as u8;
        u16, "u2", |k| u16::MAX - k as u16, |k| unsigned_factor(k) as u16;
        u32, "u4", |k| u32::MAX - k as u32, |k| unsigned_factor(k) as u32;
        u64, "u8", |k| (1u64 << 53) + k as u64, |k| unsigned_factor(k) as u64
    );
    if !numpy(&dir.0, INTEGER_RESULTS) {
        return;
    }
    let load_i = |name: &str| load_npy::<i64, IxDyn, _>(dir.0.join(format!("{name}.npy"))).unwrap();
    let load_u = |name: &str| load_npy::<u64, IxDyn, _>(dir.0.join(format!("{name}.npy"))).unwrap();
    let load_f = |name: &str| load_npy::<f64, IxDyn, _>(dir.0.join(format!("{name}.npy"))).unwrap();
    macro_rules! check {
        ($load:ident: $($t:ty, $name:literal);*) => {$({
            let x = load_npy::<$t, Ix2, _>(dir.0.join(concat!("x_", $name, ".npy"))).unwrap();
            let p = load_npy::<$t, Ix2, _>(dir.0.join(concat!("p_", $name, ".npy"))).unwrap();
            let expect = |what: &str| $load(&format!("{what}_{}", $name));
            let mean = |what: &str| load_f(&format!("{what}_{}", $name));
            let f_order = |a: &Array2<$t>| {
                let mut f = Array2::zeros(a.raw_dim().f());
                f.assign(a);
                f
            };
            let (xf, pf) = (f_order(&x), f_order(&p));
            // Rows reversed by a negative stride leave the whole-array and
            // the axis-0 results as they are.
            // The rounding of a float sum is relative to the magnitudes.
            let scale = x.iter().map(|&v| (v as f64).abs()).fold(0.0, f64::max);
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-13 * scale;
            let flipped = x.slice(s![..;-1, ..]);
            assert_eq!(flipped.par_sum(), expect("sum").into_iter().next().unwrap());
            assert_eq!(flipped.par_sum_axis(Axis(0)).into_dyn(), expect("sum0"));
            let m0 = flipped.par_mean_axis(Axis(0)).unwrap();
            assert!(m0.iter().zip(&mean("mean0")).all(|(&a, &b)| close(a, b)), "{m0} vs numpy");
            // C and F order. Means and variances are float sums, in
            // ndpar's blocks: equal to numpy's to rounding.
            for (x, p) in [(x.view(), p.view()), (xf.view(), pf.view())] {
                let what = format!("{} in {:?}", $name, x.strides());
                assert_eq!(x.par_sum(), expect("sum").into_iter().next().unwrap(), "{what}");
                assert_eq!(x.par_sum_axis(Axis(0)).into_dyn(), expect("sum0"), "{what}");
                assert_eq!(x.par_sum_axis(Axis(1)).into_dyn(), expect("sum1"), "{what}");
                assert_eq!(x.par_sum_axes(&[Axis(0), Axis(1)], false), expect("sum01"), "{what}");
                assert_eq!(x.par_cumsum(Axis(0)).into_dyn(), expect("cumsum0"), "{what}");
                assert_eq!(x.par_cumsum(Axis(1)).into_dyn(), expect("cumsum1"), "{what}");
                assert_eq!(p.par_product(), expect("prod").into_iter().next().unwrap(), "{what}");
                assert_eq!(p.par_cumprod(Axis(1)).into_dyn(), expect("cumprod1"), "{what}");
                let m = x.par_mean().unwrap();
                let numpy_mean = mean("mean").into_iter().next().unwrap();
                assert!(close(m, numpy_mean), "{what}: mean {m} vs numpy {numpy_mean}");
                let m0 = x.par_mean_axis(Axis(0)).unwrap();
                assert!(m0.iter().zip(&mean("mean0")).all(|(&a, &b)| close(a, b)), "{what}: {m0} vs numpy");
                // Near 2^53 numpy's two-pass variance loses the digits
                // its rounded mean drops (ndpar's shifted one keeps them):
                // compared where the mean is accurate.
                let var = x.par_var_axis(Axis(1), 1.0).unwrap().into_dyn();
                let numpy_var = mean("var1");
                for (a, b) in var.iter().zip(&numpy_var).filter(|_| scale < 2f64.powi(40)) {
                    assert!((a - b).abs() <= 1e-12 * b.abs(), "{what}: variance {a} vs numpy {b}");
                }
            }
        })*};
    }
    check!(load_i: i8, "i1"; i16, "i2"; i32, "i4"; i64, "i8");
    check!(load_u: u8, "u1"; u16, "u2"; u32, "u4"; u64, "u8");
}
