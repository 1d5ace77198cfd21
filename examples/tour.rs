//! A tour of ndpar: one representative kernel from every family — reduce,
//! axis, map, stencil, scan, histogram, nearest neighbours, matrix product,
//! random arrays, tasks, the disk cache and npy files — each timed against
//! its sequential counterpart and checked against an oracle. The
//! sequential time is ndarray's own method where ndarray has one (sum,
//! mean along an axis, map, matrix product), a plain loop where that is
//! the usual way (tasks), and ndpar on one thread otherwise; the oracles
//! are plain, independent loops. Prints one table (or JSON with `--json`)
//! and exits with an error if any parallel result disagrees.
//!
//! ```text
//! cargo run --release -p ndpar-examples --example tour
//! cargo run --release -p ndpar-examples --example tour -- --size 0.05 --threads 2 --json
//! ```

use std::process::ExitCode;

use clap::Parser;
use ndarray::{Array1, Array2, Axis, s};
use ndpar::blocks::{Boundary, par_correlate_2d};
use ndpar::io::{load_npy, save_npy};
use ndpar::linalg::par_knn;
use ndpar::memory::Memory;
use ndpar::prelude::*;
use ndpar::random::{StandardNormal, Uniform, par_random};
use ndpar::{Parallel, par_histogram, par_matmul};
use ndpar_examples::{
    Common, Row, Table, check_memory, compensated_sum, max_rel_diff, output_dir, scale_factor,
    time_ms,
};

/// A tour of every ndpar kernel family, timed and checked.
#[derive(Parser, Debug)]
struct Cli {
    /// Scale every problem size by this factor, above 0 and at most 8 (1
    /// takes a few seconds on two cores; 0.05 is a smoke test).
    #[arg(long, default_value_t = 1.0, value_parser = scale_factor)]
    size: f64,
    /// Folder for the npy and cache files (default target/examples-output).
    #[arg(long)]
    out: Option<std::path::PathBuf>,
    #[command(flatten)]
    common: Common,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let c = &cli.common;
    let scaled = |n: f64| ((n * cli.size) as usize).max(16);
    let side = |n: f64| ((n * cli.size.sqrt()) as usize).max(16);
    let mut table = Table::new("ndpar tour", c.threads());

    // Data: irregular values of mixed magnitude, reproducible.
    let n = scaled(1.6e7);
    // The largest arrays: the data, its copies and the sorted results.
    if let Err(code) = check_memory(&format!("--size {}", cli.size), n, 8 * 8) {
        return code;
    }
    let x: Array1<f64> = par_random(n, &Uniform::new(-1.0, 1.0).unwrap(), 1);
    let (rows, cols) = (side(2000.0), side(2000.0));
    let m: Array2<f64> = par_random((rows, cols), &StandardNormal, 2);

    // Reduce: a pairwise sum, checked against a compensated sum.
    let (seq_ms, _) = time_ms(c.reps, || x.sum());
    let (par_ms, total) = time_ms(c.reps, || c.parallel(|| x.par_sum()));
    let exact = compensated_sum(x.iter().copied());
    let err = (total - exact).abs() / x.iter().map(|v| v.abs()).sum::<f64>();
    table.compare(
        &format!("par_sum ({n} f64)"),
        seq_ms,
        par_ms,
        err < 1e-14,
        format!("|sum - compensated| / sum|x| = {err:.1e}"),
    );

    // Axis: column means.
    let (seq_ms, want) = time_ms(c.reps, || m.mean_axis(Axis(0)).unwrap());
    let (par_ms, got) = time_ms(c.reps, || c.parallel(|| m.par_mean_axis(Axis(0)).unwrap()));
    let d = max_rel_diff(&want, &got);
    table.compare(
        &format!("par_mean_axis(0) ({rows}x{cols})"),
        seq_ms,
        par_ms,
        d < 1e-9 || max_abs_diff(&want, &got) < 1e-12,
        format!("max difference {:.1e}", max_abs_diff(&want, &got)),
    );

    // Map: a compute-bound elementwise function (exact: same function).
    let f = |v: f64| (v * 3.0).sin().exp() / (1.0 + v * v);
    let (seq_ms, want) = time_ms(c.reps, || x.mapv(f));
    let (par_ms, got) = time_ms(c.reps, || c.parallel(|| x.par_mapv(f)));
    table.compare(
        "par_mapv (sin, exp, div)",
        seq_ms,
        par_ms,
        want == got,
        "bit for bit",
    );

    // Stencil: a 3x3 blur with reflecting edges against a naive loop.
    let w = Array2::from_elem((3, 3), 1.0 / 9.0);
    let blur = || par_correlate_2d(&m, &w, Boundary::Reflect);
    let (seq_ms, _) = time_ms(c.reps, || c.sequential(blur));
    let (par_ms, got) = time_ms(c.reps, || c.parallel(blur));
    let d = max_abs_diff(&naive_blur(&m), &got);
    table.compare(
        "par_correlate_2d (3x3, Reflect)",
        seq_ms,
        par_ms,
        d < 1e-12,
        format!("max difference {d:.1e}"),
    );

    // Scan: a running sum against the sequential one.
    let pos = x.mapv(f64::abs);
    let (seq_ms, _) = time_ms(c.reps, || c.sequential(|| pos.par_cumsum(Axis(0))));
    let (par_ms, got) = time_ms(c.reps, || c.parallel(|| pos.par_cumsum(Axis(0))));
    let d = max_rel_diff(&running_sum(&pos), &got);
    table.compare(
        "par_cumsum",
        seq_ms,
        par_ms,
        d < 1e-10,
        format!("max relative difference {d:.1e}"),
    );

    // Histogram: 256 bins; counts are exact.
    let hist = || par_histogram(&x, 256, Some((-1.0, 1.0))).unwrap();
    let (seq_ms, _) = time_ms(c.reps, || c.sequential(hist));
    let (par_ms, got) = time_ms(c.reps, || c.parallel(hist));
    table.compare(
        "par_histogram (256 bins)",
        seq_ms,
        par_ms,
        got.counts == naive_histogram(&x, 256, -1.0, 1.0),
        "same counts",
    );

    // Nearest neighbours: 5 of each query among the points.
    let points: Array2<f64> = par_random((scaled(20_000.0), 16), &StandardNormal, 3);
    let queries = points
        .slice(s![..scaled(500.0).min(points.nrows()), ..])
        .to_owned();
    let knn = || par_knn(&queries, &points, 5);
    let (seq_ms, _) = time_ms(c.reps, || c.sequential(knn));
    let (par_ms, got) = time_ms(c.reps, || c.parallel(knn));
    table.compare(
        &format!(
            "par_knn (k=5, {}x16 among {})",
            queries.nrows(),
            points.nrows()
        ),
        seq_ms,
        par_ms,
        got.indices == brute_knn(&queries, &points, 5),
        "same neighbours",
    );

    // Matrix product against ndarray's (matrixmultiply, one thread).
    let k = side(600.0);
    let (a, b) = (
        m.slice(s![..k.min(rows), ..k.min(cols)]).to_owned(),
        m.slice(s![..k.min(rows), ..k.min(cols)]).t().to_owned(),
    );
    let (seq_ms, want) = time_ms(c.reps, || a.dot(&b));
    let (par_ms, got) = time_ms(c.reps, || c.parallel(|| par_matmul(&a, &b)));
    let d = max_rel_diff(&want, &got);
    table.compare(
        &format!("par_matmul ({0}x{0})", a.nrows()),
        seq_ms,
        par_ms,
        d < 1e-10 || max_abs_diff(&want, &got) < 1e-10,
        format!("max difference {:.1e}", max_abs_diff(&want, &got)),
    );

    // Random arrays: the same bits on one thread and on many.
    let (seq_ms, want) = time_ms(c.reps, || {
        c.sequential(|| par_random::<f64, _, _>(n, &StandardNormal, 9))
    });
    let (par_ms, got) = time_ms(c.reps, || {
        c.parallel(|| par_random::<f64, _, _>(n, &StandardNormal, 9))
    });
    table.compare(
        "par_random (normal)",
        seq_ms,
        par_ms,
        want == got,
        "same bits on 1 and N threads",
    );

    // Tasks: 64 independent CPU-bound tasks through Parallel::map.
    let task = |i: u64| {
        (0..scaled(200_000.0) as u64).fold(i, |acc, j| {
            acc.wrapping_mul(6364136223846793005).wrapping_add(j)
        })
    };
    let (seq_ms, want) = time_ms(c.reps, || (0..64).map(task).collect::<Vec<_>>());
    let p = Parallel::new()
        .n_jobs(c.threads() as isize)
        .expect("a valid thread count");
    let (par_ms, got) = time_ms(c.reps, || p.map(0..64, task).unwrap());
    table.compare(
        "Parallel::map (64 tasks)",
        seq_ms,
        par_ms,
        want == got,
        "same results, in order",
    );

    // npy files and the disk cache.
    let dir = match output_dir(cli.out.as_deref()) {
        Ok(dir) => dir,
        Err(code) => return code,
    };
    let file = dir.join("tour-x.npy");
    let (write_ms, _) = time_ms(c.reps, || save_npy(&file, &x).unwrap());
    let (read_ms, back) = time_ms(c.reps, || load_npy::<f64, ndarray::Ix1, _>(&file).unwrap());
    table.push(Row {
        name: "save_npy".into(),
        seq_ms: None,
        par_ms: write_ms,
        agrees: true,
        check: format!("{:.0} MB written", (n * 8) as f64 / 1e6),
    });
    table.push(Row {
        name: "load_npy".into(),
        seq_ms: None,
        par_ms: read_ms,
        agrees: back == x,
        check: "round trip bit for bit".into(),
    });

    let cache_dir = dir.join("tour-cache");
    let memory = Memory::new(&cache_dir).unwrap();
    memory.clear().unwrap();
    let (miss_ms, first) = time_ms(1, || c.parallel(|| tanh_std(&memory, &m)));
    let (hit_ms, second) = time_ms(c.reps, || c.parallel(|| tanh_std(&memory, &m)));
    // The tour leaves nothing behind: its file and its cache were only to
    // be timed.
    let _ = std::fs::remove_file(&file);
    let _ = std::fs::remove_dir_all(&cache_dir);
    table.push(Row {
        name: "cached! function, miss".into(),
        seq_ms: None,
        par_ms: miss_ms,
        agrees: true,
        check: "computed and stored".into(),
    });
    table.push(Row {
        name: "cached! function, hit".into(),
        seq_ms: None,
        par_ms: hit_ms,
        agrees: first == second,
        check: "a hit returns what was stored".into(),
    });

    table.finish(c.json)
}

ndpar::cached! {
    /// The standard deviation of `tanh` along each row of `m`: computed on
    /// the first call, loaded from the cache after that.
    fn tanh_std(m: &Array2<f64>) -> Array1<f64> {
        m.par_mapv(f64::tanh).par_std_axis(Axis(1), 1.0).unwrap()
    }
}

fn max_abs_diff<D: ndarray::Dimension>(
    a: &ndarray::Array<f64, D>,
    b: &ndarray::Array<f64, D>,
) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// A 3x3 mean filter with reflecting edges (numpy's `symmetric`), by loops.
fn naive_blur(m: &Array2<f64>) -> Array2<f64> {
    let (r, c) = m.dim();
    let reflect = |i: isize, n: usize| -> usize {
        if i < 0 {
            (-i - 1) as usize
        } else if i as usize >= n {
            2 * n - i as usize - 1
        } else {
            i as usize
        }
    };
    Array2::from_shape_fn((r, c), |(i, j)| {
        let mut acc = 0.0;
        for di in -1..=1isize {
            for dj in -1..=1isize {
                acc += m[[reflect(i as isize + di, r), reflect(j as isize + dj, c)]] / 9.0;
            }
        }
        acc
    })
}

fn running_sum(x: &Array1<f64>) -> Array1<f64> {
    let mut acc = 0.0;
    x.mapv(|v| {
        acc += v;
        acc
    })
}

/// Counts by the edges numpy would use, one value at a time.
fn naive_histogram(x: &Array1<f64>, bins: usize, lo: f64, hi: f64) -> Array1<u64> {
    let edges: Vec<f64> = (0..=bins)
        .map(|i| {
            if i == bins {
                hi
            } else {
                lo + i as f64 * ((hi - lo) / bins as f64)
            }
        })
        .collect();
    let mut counts = Array1::zeros(bins);
    for &v in x {
        if v >= lo && v <= hi {
            let i = edges.partition_point(|&e| e <= v).clamp(1, bins) - 1;
            counts[i] += 1;
        }
    }
    counts
}

/// The `k` nearest points of every query, by sorting all distances.
fn brute_knn(queries: &Array2<f64>, points: &Array2<f64>, k: usize) -> Array2<usize> {
    let mut out = Array2::zeros((queries.nrows(), k));
    for (q, mut row) in queries.rows().into_iter().zip(out.rows_mut()) {
        let mut d: Vec<(f64, usize)> = points
            .rows()
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                (
                    q.iter().zip(p).map(|(a, b)| (a - b) * (a - b)).sum::<f64>(),
                    i,
                )
            })
            .collect();
        d.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        for (slot, &(_, i)) in row.iter_mut().zip(&d[..k]) {
            *slot = i;
        }
    }
    out
}
