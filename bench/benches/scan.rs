//! Scans: cumulative sum of 2^25 f64 (and 10^3, 10^5), along the contiguous
//! axis of a vector and down the rows of a 4096 × 4096 matrix. Baselines in
//! the same group: a plain sequential running-sum loop into a new Vec, and
//! ndarray's sequential `accumulate_axis_inplace` on a copy.
//!
//! `cargo bench -p ndpar-bench --bench scan`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ndarray::{Array1, Array2, Axis};
use ndpar::prelude::*;
use ndpar_bench::baselines::running_sum;
use std::hint::black_box;

fn cumsum(c: &mut Criterion) {
    let mut g = c.benchmark_group("cumsum");
    for n in [1_000usize, 100_000, 1 << 25] {
        let a = Array1::from_iter((0..n).map(|i| ((i as f64) * 0.618_033_988_75).fract()));
        g.throughput(Throughput::Bytes((2 * n * 8) as u64));
        g.bench_with_input(BenchmarkId::new("sequential_loop", n), &a, |b, a| {
            b.iter(|| running_sum(black_box(a).as_slice().unwrap()))
        });
        g.bench_with_input(BenchmarkId::new("ndpar_1thread", n), &a, |b, a| {
            ndpar::with_threads(1, || b.iter(|| black_box(a).par_cumsum(Axis(0)))).unwrap()
        });
        g.bench_with_input(BenchmarkId::new("ndpar", n), &a, |b, a| {
            b.iter(|| black_box(a).par_cumsum(Axis(0)))
        });
    }
    let n = 4096;
    let m = Array2::from_shape_fn((n, n), |(i, j)| {
        ((i * n + j) as f64 * 0.618_033_988_75).fract()
    });
    g.throughput(Throughput::Bytes((2 * n * n * 8) as u64));
    g.bench_function("matrix_axis0/ndarray_accumulate_axis_inplace", |b| {
        b.iter(|| {
            let mut c = m.clone();
            c.accumulate_axis_inplace(Axis(0), |&prev, cur| *cur += prev);
            c
        })
    });
    g.bench_function("matrix_axis0/ndpar", |b| b.iter(|| m.par_cumsum(Axis(0))));
    g.bench_function("matrix_axis1/ndpar", |b| b.iter(|| m.par_cumsum(Axis(1))));
    g.finish();
}

criterion_group!(benches, cumsum);
criterion_main!(benches);
