//! Pairwise distances, k-NN and matrix products. Baselines in the same
//! group: a good sequential distance loop (the same 8-accumulator kernel
//! over all pairs) and ndarray's single-threaded `dot` (matrixmultiply).
//!
//! `cargo bench -p ndpar-bench --bench linalg`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ndarray::Array2;
use ndpar::linalg::{Metric, par_knn, par_matmul, par_pairwise_distances};
use std::hint::black_box;

fn sample(n: usize, d: usize, seed: usize) -> Array2<f64> {
    Array2::from_shape_fn((n, d), |(i, j)| {
        (((i * d + j) * 7 + seed) as f64 * 0.618_033_988_75).fract()
    })
}

fn pairwise(c: &mut Criterion) {
    let mut g = c.benchmark_group("pairwise_euclidean_d64");
    g.sample_size(10);
    for n in [256usize, 2048] {
        let (x, y) = (sample(n, 64, 1), sample(n, 64, 2));
        g.throughput(Throughput::Elements((n * n) as u64));
        g.bench_with_input(BenchmarkId::new("sequential_loop", n), &n, |b, _| {
            b.iter(|| {
                Array2::from_shape_fn((n, n), |(i, j)| {
                    let (xi, yj) = (x.row(i), y.row(j));
                    let (xi, yj) = (xi.as_slice().unwrap(), yj.as_slice().unwrap());
                    let mut acc = [0.0; 8];
                    for (a, b) in xi.chunks_exact(8).zip(yj.chunks_exact(8)) {
                        for k in 0..8 {
                            acc[k] += (a[k] - b[k]) * (a[k] - b[k]);
                        }
                    }
                    acc.iter().sum::<f64>().sqrt()
                })
            })
        });
        g.bench_with_input(BenchmarkId::new("ndpar", n), &n, |b, _| {
            b.iter(|| par_pairwise_distances(black_box(&x), &y, Metric::Euclidean))
        });
        g.bench_with_input(BenchmarkId::new("ndpar_knn_k10", n), &n, |b, _| {
            b.iter(|| par_knn(black_box(&x), &y, 10))
        });
    }
    g.finish();
}

fn matmul(c: &mut Criterion) {
    let mut g = c.benchmark_group("matmul_f64");
    g.sample_size(10);
    for n in [256usize, 1024, 2048] {
        let (a, b) = (sample(n, n, 1), sample(n, n, 2));
        g.throughput(Throughput::Elements((2 * n * n * n) as u64));
        g.bench_with_input(BenchmarkId::new("ndarray_dot", n), &n, |bch, _| {
            bch.iter(|| black_box(&a).dot(&b))
        });
        g.bench_with_input(BenchmarkId::new("ndpar_par_matmul", n), &n, |bch, _| {
            bch.iter(|| par_matmul(black_box(&a), &b))
        });
    }
    g.finish();
}

criterion_group!(benches, pairwise, matmul);
criterion_main!(benches);
