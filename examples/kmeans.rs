//! k-means clustering (Lloyd's algorithm) of a few hundred thousand points.
//! Each iteration assigns every point to its nearest centroid and moves
//! each centroid to the mean of its points. The parallel version does both
//! in one pass over fixed blocks of points, one [`Parallel`] task per
//! block: each block returns its per-cluster sums and counts, and the
//! blocks' sums are added in block order, so the clustering is the same
//! bits on any number of threads. Prints the inertia (sum of squared
//! distances to the nearest centroid) of every iteration.
//!
//! ```text
//! cargo run --release -p ndpar-examples --example kmeans -- --points 400000 --k 8
//! ```

use std::process::ExitCode;

use clap::Parser;
use ndarray::{Array2, ArrayView2, Axis, s};
use ndpar::Parallel;
use ndpar::random::{StandardNormal, Uniform, par_random};
use ndpar_examples::{Common, Table, check_memory, time_ms};

/// Lloyd's k-means, sequential and parallel.
#[derive(Parser, Debug)]
struct Cli {
    /// Number of points.
    #[arg(long, default_value_t = 300_000, value_parser = ndpar_examples::at_least_one)]
    points: usize,
    /// Dimensions of each point.
    #[arg(long, default_value_t = 8, value_parser = ndpar_examples::at_least_one)]
    dims: usize,
    /// Number of clusters.
    #[arg(long, default_value_t = 8, value_parser = ndpar_examples::at_least_one)]
    k: usize,
    /// Iterations of Lloyd's algorithm.
    #[arg(long, default_value_t = 15)]
    iterations: usize,
    #[command(flatten)]
    common: Common,
}

/// Points per block: fixed, so the sums (and the result) do not depend on
/// the thread count.
const BLOCK: usize = 4096;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let c = &cli.common;
    if cli.points < cli.k {
        ndpar_examples::conflict::<Cli>(format!(
            "--k {} is more than --points {}: the first k points start as centroids",
            cli.k, cli.points
        ));
    }
    let values = cli.points.saturating_mul(cli.dims);
    if let Err(code) = check_memory(
        &format!("--points {} --dims {}", cli.points, cli.dims),
        values,
        3 * 8,
    ) {
        return code;
    }
    let x = blobs(cli.points, cli.dims, cli.k);
    // The first k points start as centroids.
    let start = x.slice(s![..cli.k, ..]).to_owned();

    let (seq_ms, (seq_c, seq_inertia)) = time_ms(c.reps, || {
        let mut cent = start.clone();
        let mut inertia = Vec::new();
        for _ in 0..cli.iterations {
            let (next, i) = step_sequential(x.view(), cent.view());
            cent = next;
            inertia.push(i);
        }
        (cent, inertia)
    });
    let run_parallel = || {
        let mut cent = start.clone();
        let mut inertia = Vec::new();
        for _ in 0..cli.iterations {
            let (next, i) = step_parallel(&x, cent.view());
            cent = next;
            inertia.push(i);
        }
        (cent, inertia)
    };
    let (par_ms, (par_c, par_inertia)) = time_ms(c.reps, || c.parallel(run_parallel));
    let (one_c, _) = c.sequential(run_parallel);

    if !c.json {
        println!("iteration  inertia");
        for (it, i) in par_inertia.iter().enumerate() {
            println!("{:>9}  {i:.6e}", it + 1);
        }
        println!();
    }
    let diff = seq_c
        .iter()
        .zip(&par_c)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    let last_gap = (seq_inertia.last().unwrap() - par_inertia.last().unwrap()).abs()
        / par_inertia.last().unwrap();
    let mut table = Table::new("k-means (Lloyd)", c.threads());
    table.compare(
        &format!(
            "{} iterations, {} points x {} dims, k = {}",
            cli.iterations, cli.points, cli.dims, cli.k
        ),
        seq_ms,
        par_ms,
        diff < 1e-9 && last_gap < 1e-12,
        format!(
            "centroids within {diff:.1e} of the sequential loop; inertia within {last_gap:.1e}"
        ),
    );
    table.compare(
        "the same clustering on 1 thread",
        seq_ms,
        par_ms,
        one_c == par_c,
        "same bits on 1 and N threads",
    );
    table.finish(c.json)
}

/// `k` Gaussian blobs with centres spread over a cube of side 20.
fn blobs(n: usize, d: usize, k: usize) -> Array2<f64> {
    let centres: Array2<f64> = par_random((k, d), &Uniform::new(-10.0, 10.0).unwrap(), 11);
    let noise: Array2<f64> = par_random((n, d), &StandardNormal, 12);
    let mut x = noise;
    for (i, mut row) in x.axis_iter_mut(Axis(0)).enumerate() {
        row += &centres.row(i % k);
    }
    x
}

/// The nearest centroid of `p` and the squared distance to it (the lower
/// index among ties).
fn nearest(p: &[f64], centroids: ArrayView2<'_, f64>) -> (usize, f64) {
    let mut best = (0, f64::INFINITY);
    for (j, c) in centroids.rows().into_iter().enumerate() {
        let d: f64 = p.iter().zip(c).map(|(a, b)| (a - b) * (a - b)).sum();
        if d < best.1 {
            best = (j, d);
        }
    }
    best
}

/// Per-cluster sums of the points of `block` (columns 0..d), their count
/// (column d) and their squared distances (column d + 1).
fn block_sums(block: ArrayView2<'_, f64>, centroids: ArrayView2<'_, f64>) -> Array2<f64> {
    let (k, d) = centroids.dim();
    let mut sums = Array2::zeros((k, d + 2));
    for p in block.rows() {
        let p = p.as_slice().expect("rows of a C-order array");
        let (j, dist) = nearest(p, centroids);
        let mut row = sums.row_mut(j);
        for (s, &v) in row.iter_mut().zip(p) {
            *s += v;
        }
        row[d] += 1.0;
        row[d + 1] += dist;
    }
    sums
}

/// New centroids from summed blocks (a centroid without points stays) and
/// the inertia.
fn update(sums: &Array2<f64>, old: ArrayView2<'_, f64>) -> (Array2<f64>, f64) {
    let d = old.ncols();
    let mut next = old.to_owned();
    for (j, s) in sums.rows().into_iter().enumerate() {
        if s[d] > 0.0 {
            next.row_mut(j).assign(&(&s.slice(s![..d]) / s[d]));
        }
    }
    (next, sums.column(d + 1).sum())
}

/// One iteration: every block summed in parallel, blocks added in order.
fn step_parallel(x: &Array2<f64>, centroids: ArrayView2<'_, f64>) -> (Array2<f64>, f64) {
    let blocks = x.nrows().div_ceil(BLOCK);
    let per_block = Parallel::new()
        .map(0..blocks, |b| {
            let rows = b * BLOCK..((b + 1) * BLOCK).min(x.nrows());
            block_sums(x.slice(s![rows, ..]), centroids)
        })
        .expect("no task panics");
    let mut sums = Array2::zeros((centroids.nrows(), centroids.ncols() + 2));
    for block in &per_block {
        sums += block;
    }
    update(&sums, centroids)
}

/// One iteration as plain loops over the same blocks, one after another.
fn step_sequential(x: ArrayView2<'_, f64>, centroids: ArrayView2<'_, f64>) -> (Array2<f64>, f64) {
    let mut sums = Array2::zeros((centroids.nrows(), centroids.ncols() + 2));
    for block in x.axis_chunks_iter(Axis(0), BLOCK) {
        sums += &block_sums(block, centroids);
    }
    update(&sums, centroids)
}
