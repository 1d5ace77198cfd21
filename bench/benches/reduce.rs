//! Reductions: ndpar against ndarray's sequential methods, ndarray's own
//! parallel route where it has one (`par_iter().sum()`), and a hand-written
//! rayon kernel, side by side in each group.
//!
//! `cargo bench -p ndpar-bench --bench reduce` (add `-- --quick` for a fast pass).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ndarray::parallel::prelude::*;
use ndarray::{Array1, Array2, Axis};
use ndpar::prelude::*;
use ndpar_bench::baselines::rayon_sum;
use std::hint::black_box;

const SIZES: [usize; 3] = [1_000, 100_000, 10_000_000];

fn data(n: usize) -> Array1<f64> {
    // Deterministic, irregular values (no RNG needed for throughput).
    Array1::from_iter((0..n).map(|i| ((i as f64) * 0.618_033_988_75).fract() - 0.5))
}

fn bytes(n: usize) -> Throughput {
    Throughput::Bytes((n * size_of::<f64>()) as u64)
}

fn sum(c: &mut Criterion) {
    let mut g = c.benchmark_group("sum");
    for n in SIZES.into_iter().chain([1 << 25]) {
        let a = data(n);
        g.throughput(bytes(n));
        g.bench_with_input(BenchmarkId::new("ndarray_sum", n), &a, |b, a| {
            b.iter(|| black_box(a).sum())
        });
        g.bench_with_input(BenchmarkId::new("ndarray_par_iter_sum", n), &a, |b, a| {
            b.iter(|| black_box(a).par_iter().sum::<f64>())
        });
        g.bench_with_input(BenchmarkId::new("rayon_chunks_8acc", n), &a, |b, a| {
            b.iter(|| rayon_sum(black_box(a).as_slice().unwrap()))
        });
        g.bench_with_input(BenchmarkId::new("ndpar_1thread", n), &a, |b, a| {
            ndpar::with_threads(1, || b.iter(|| black_box(a).par_sum())).unwrap()
        });
        g.bench_with_input(BenchmarkId::new("ndpar", n), &a, |b, a| {
            b.iter(|| black_box(a).par_sum())
        });
    }
    g.finish();
}

fn strided_sum(c: &mut Criterion) {
    // Column-sliced C-order matrix: inner lanes contiguous but not mergeable.
    let mut g = c.benchmark_group("sum_strided");
    let n = 4096;
    let a = Array2::from_shape_fn((n, n), |(i, j)| ((i * n + j) as f64 * 0.618).fract());
    let v = a.slice(ndarray::s![.., ..n - 1]);
    g.throughput(bytes(n * (n - 1)));
    g.bench_function("ndarray_sum", |b| b.iter(|| black_box(&v).sum()));
    g.bench_function("ndpar", |b| b.iter(|| black_box(&v).par_sum()));
    let t = a.t();
    g.bench_function("transposed/ndarray_sum", |b| b.iter(|| black_box(&t).sum()));
    g.bench_function("transposed/ndpar", |b| b.iter(|| black_box(&t).par_sum()));
    let every_other = a.slice(ndarray::s![.., ..;2]);
    g.bench_function("step2/ndarray_sum", |b| {
        b.iter(|| black_box(&every_other).sum())
    });
    g.bench_function("step2/ndpar", |b| {
        b.iter(|| black_box(&every_other).par_sum())
    });
    g.finish();
}

fn stats(c: &mut Criterion) {
    let mut g = c.benchmark_group("stats");
    for n in SIZES {
        let a = data(n);
        g.throughput(bytes(n));
        g.bench_with_input(BenchmarkId::new("mean/ndarray", n), &a, |b, a| {
            b.iter(|| black_box(a).mean())
        });
        g.bench_with_input(BenchmarkId::new("mean/ndpar", n), &a, |b, a| {
            b.iter(|| black_box(a).par_mean())
        });
        g.bench_with_input(BenchmarkId::new("var/ndarray", n), &a, |b, a| {
            b.iter(|| black_box(a).var(1.0))
        });
        g.bench_with_input(BenchmarkId::new("var/ndpar", n), &a, |b, a| {
            b.iter(|| black_box(a).par_var(1.0))
        });
        g.bench_with_input(BenchmarkId::new("dot/ndarray", n), &a, |b, a| {
            b.iter(|| black_box(a).dot(a))
        });
        g.bench_with_input(BenchmarkId::new("dot/ndpar", n), &a, |b, a| {
            b.iter(|| black_box(a).par_vdot(a))
        });
        g.bench_with_input(BenchmarkId::new("norm_l2/ndarray", n), &a, |b, a| {
            b.iter(|| black_box(a).dot(a).sqrt())
        });
        g.bench_with_input(BenchmarkId::new("norm_l2/ndpar", n), &a, |b, a| {
            b.iter(|| black_box(a).par_norm_l2())
        });
    }
    g.finish();
}

fn extremes(c: &mut Criterion) {
    // ndarray has no min/argmin; the sequential baseline is the fold people
    // write, and ndpar on one thread shows the per-block loop alone.
    let mut g = c.benchmark_group("extremes");
    for n in SIZES {
        let a = data(n);
        g.throughput(bytes(n));
        g.bench_with_input(BenchmarkId::new("min/iter_fold", n), &a, |b, a| {
            b.iter(|| black_box(a).iter().copied().fold(f64::INFINITY, f64::min))
        });
        g.bench_with_input(BenchmarkId::new("min/ndarray_par_iter", n), &a, |b, a| {
            b.iter(|| {
                black_box(a)
                    .par_iter()
                    .copied()
                    .reduce(|| f64::INFINITY, f64::min)
            })
        });
        g.bench_with_input(BenchmarkId::new("min/ndpar_1thread", n), &a, |b, a| {
            ndpar::with_threads(1, || b.iter(|| black_box(a).par_min())).unwrap()
        });
        g.bench_with_input(BenchmarkId::new("min/ndpar", n), &a, |b, a| {
            b.iter(|| black_box(a).par_min())
        });
        g.bench_with_input(BenchmarkId::new("argmin/iter_fold", n), &a, |b, a| {
            b.iter(|| {
                black_box(a)
                    .iter()
                    .enumerate()
                    .fold(
                        (0, f64::INFINITY),
                        |(bi, bv), (i, &x)| if x < bv { (i, x) } else { (bi, bv) },
                    )
            })
        });
        g.bench_with_input(BenchmarkId::new("argmin/ndpar", n), &a, |b, a| {
            b.iter(|| black_box(a).par_argmin())
        });
    }
    g.finish();
}

fn axis_free_fold(c: &mut Criterion) {
    // The general fold, with a closure per element.
    let mut g = c.benchmark_group("fold");
    let n = 10_000_000;
    let a = data(n);
    g.throughput(bytes(n));
    g.bench_function("count_positive/iter", |b| {
        b.iter(|| black_box(&a).iter().filter(|&&x| x > 0.0).count())
    });
    g.bench_function("count_positive/ndarray_par_iter", |b| {
        b.iter(|| black_box(&a).par_iter().filter(|&&x| x > 0.0).count())
    });
    g.bench_function("count_positive/ndpar_fold", |b| {
        b.iter(|| black_box(&a).par_fold(|| 0usize, |n, &x| n + usize::from(x > 0.0), |x, y| x + y))
    });
    let _ = Axis(0);
    g.finish();
}

criterion_group!(benches, sum, strided_sum, stats, extremes, axis_free_fold);
criterion_main!(benches);
