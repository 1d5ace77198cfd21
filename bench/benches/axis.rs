//! Axis reductions on a 4096 × 4096 f64 matrix in C and F order, along both
//! axes: ndarray's sequential `sum_axis`, the naive parallel route (one
//! rayon task per output element), ndpar, and ndpar's whole-array `par_sum`
//! of the same matrix for reference, side by side.
//!
//! `cargo bench -p ndpar-bench --bench axis`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ndarray::{Array2, Axis, ShapeBuilder};
use ndpar::prelude::*;
use rayon::prelude::*;
use std::hint::black_box;

fn matrix(n: usize, fortran: bool) -> Array2<f64> {
    let f = |(i, j): (usize, usize)| ((i * n + j) as f64 * 0.618_033_988_75).fract();
    if fortran {
        Array2::from_shape_fn((n, n).f(), f)
    } else {
        Array2::from_shape_fn((n, n), f)
    }
}

fn sum_axis(c: &mut Criterion) {
    let n = 4096;
    let mut g = c.benchmark_group("sum_axis_4096");
    g.throughput(Throughput::Bytes((n * n * 8) as u64));
    for (order, fortran) in [("C", false), ("F", true)] {
        let a = matrix(n, fortran);
        g.bench_function(BenchmarkId::new("ndpar_par_sum_whole", order), |b| {
            b.iter(|| black_box(&a).par_sum())
        });
        for ax in [0, 1] {
            let id = format!("{order}/axis{ax}");
            g.bench_function(BenchmarkId::new("ndarray_sum_axis", &id), |b| {
                b.iter(|| black_box(&a).sum_axis(Axis(ax)))
            });
            g.bench_function(BenchmarkId::new("rayon_task_per_lane", &id), |b| {
                b.iter(|| {
                    let other = 1 - ax;
                    (0..a.len_of(Axis(other)))
                        .into_par_iter()
                        .map(|i| a.index_axis(Axis(other), i).sum())
                        .collect::<Vec<f64>>()
                })
            });
            g.bench_function(BenchmarkId::new("ndpar_par_sum_axis", &id), |b| {
                b.iter(|| black_box(&a).par_sum_axis(Axis(ax)))
            });
        }
    }
    g.finish();
}

fn other_axis_kernels(c: &mut Criterion) {
    let n = 2048;
    let a = matrix(n, false);
    let mut g = c.benchmark_group("axis_kernels_2048_C");
    g.throughput(Throughput::Bytes((n * n * 8) as u64));
    for ax in [0, 1] {
        let id = format!("axis{ax}");
        g.bench_function(BenchmarkId::new("ndarray_mean_axis", &id), |b| {
            b.iter(|| black_box(&a).mean_axis(Axis(ax)))
        });
        g.bench_function(BenchmarkId::new("ndpar_par_mean_axis", &id), |b| {
            b.iter(|| black_box(&a).par_mean_axis(Axis(ax)))
        });
        g.bench_function(BenchmarkId::new("ndarray_var_axis", &id), |b| {
            b.iter(|| black_box(&a).var_axis(Axis(ax), 1.0))
        });
        g.bench_function(BenchmarkId::new("ndpar_par_var_axis", &id), |b| {
            b.iter(|| black_box(&a).par_var_axis(Axis(ax), 1.0))
        });
        g.bench_function(BenchmarkId::new("ndarray_fold_axis_max", &id), |b| {
            b.iter(|| black_box(&a).fold_axis(Axis(ax), f64::NEG_INFINITY, |&m, &x| m.max(x)))
        });
        g.bench_function(BenchmarkId::new("ndpar_par_max_axis", &id), |b| {
            b.iter(|| black_box(&a).par_max_axis(Axis(ax)))
        });
        g.bench_function(BenchmarkId::new("ndpar_par_argmax_axis", &id), |b| {
            b.iter(|| black_box(&a).par_argmax_axis(Axis(ax)))
        });
    }
    g.finish();
}

criterion_group!(benches, sum_axis, other_axis_kernels);
criterion_main!(benches);
