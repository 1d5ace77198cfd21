//! Block kernels: one 5-point Jacobi step on a 4096 × 4096 f64 grid (zero
//! boundary). Baselines in the same group: a hand-written sequential
//! stencil and a hand-written rayon row-parallel stencil, both writing into
//! a preallocated grid, as a scientist would write them; ndpar's
//! `par_correlate_2d_into` (preallocated) and `par_correlate_2d` (new
//! array). Also a 1-D convolution.
//!
//! `cargo bench -p ndpar-bench --bench blocks`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ndarray::{Array1, Array2, array};
use ndpar::blocks::{Boundary, par_convolve_1d, par_correlate_2d, par_correlate_2d_into};
use ndpar_bench::baselines::{jacobi_rayon, jacobi_seq};
use std::hint::black_box;

fn jacobi(c: &mut Criterion) {
    let n = 4096;
    let u = Array2::from_shape_fn((n, n), |(i, j)| {
        ((i * n + j) as f64 * 0.618_033_988_75).fract()
    });
    let w = array![[0.0, 0.25, 0.0], [0.25, 0.0, 0.25], [0.0, 0.25, 0.0]];
    let mut out = Array2::<f64>::zeros((n, n));
    let mut g = c.benchmark_group("jacobi_4096");
    g.throughput(Throughput::Bytes((2 * n * n * 8) as u64));
    g.bench_function("hand_sequential", |b| {
        b.iter(|| jacobi_seq(black_box(&u), &mut out))
    });
    g.bench_function("hand_rayon_rows", |b| {
        b.iter(|| jacobi_rayon(black_box(&u), &mut out))
    });
    g.bench_function("ndpar_correlate_2d_into", |b| {
        b.iter(|| par_correlate_2d_into(black_box(&u), &w, Boundary::Constant(0.0), &mut out))
    });
    g.bench_function("ndpar_correlate_2d_into_1thread", |b| {
        ndpar::with_threads(1, || {
            b.iter(|| par_correlate_2d_into(black_box(&u), &w, Boundary::Constant(0.0), &mut out))
        })
        .unwrap()
    });
    g.bench_function("ndpar_correlate_2d_new_array", |b| {
        b.iter(|| par_correlate_2d(black_box(&u), &w, Boundary::Constant(0.0)))
    });
    g.finish();
}

fn convolve(c: &mut Criterion) {
    let mut g = c.benchmark_group("convolve_1d");
    let k = Array1::from_iter((0..15).map(|i| 1.0 / (1.0 + i as f64)));
    for n in [100_000usize, 10_000_000] {
        let x = Array1::from_iter((0..n).map(|i| ((i as f64) * 0.618_033_988_75).fract()));
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("naive_sequential", n), &x, |b, x| {
            let xs = x.as_slice().unwrap();
            b.iter(|| {
                let h = k.len() / 2;
                let mut out = vec![0.0; n];
                for (i, o) in out
                    .iter_mut()
                    .enumerate()
                    .skip(h)
                    .take(n.saturating_sub(2 * h))
                {
                    *o = (0..k.len()).map(|j| k[j] * xs[i + h - j]).sum();
                }
                out
            })
        });
        g.bench_with_input(BenchmarkId::new("ndpar_convolve_1d", n), &x, |b, x| {
            b.iter(|| par_convolve_1d(black_box(x), &k, Boundary::Constant(0.0)))
        });
    }
    g.finish();
}

criterion_group!(benches, jacobi, convolve);
criterion_main!(benches);
