//! Sorting, partitions, quantiles, sums over several axes, counting and
//! exact sums: ndpar against the standard
//! library's and rayon's routes on a plain slice, side by side in each
//! group.
//!
//! `cargo bench -p ndpar-bench --bench sorting` (add `-- --quick` for a fast pass).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ndarray::{Array1, Axis};
use ndpar::prelude::*;
use rayon::prelude::*;
use std::hint::black_box;

const SIZES: [usize; 2] = [100_000, 4_000_000];

fn data(n: usize) -> Array1<f64> {
    Array1::from_iter((0..n).map(|i| ((i as f64) * 0.618_033_988_75).fract() - 0.5))
}

fn sort(c: &mut Criterion) {
    let mut g = c.benchmark_group("sort");
    g.sample_size(10);
    for n in SIZES {
        let a = data(n);
        let xs = a.as_slice().unwrap();
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("std_sort_unstable", n), xs, |b, xs| {
            b.iter(|| {
                let mut v = black_box(xs).to_vec();
                v.sort_unstable_by(f64::total_cmp);
                v
            })
        });
        g.bench_with_input(
            BenchmarkId::new("rayon_par_sort_unstable", n),
            xs,
            |b, xs| {
                b.iter(|| {
                    let mut v = black_box(xs).to_vec();
                    v.par_sort_unstable_by(f64::total_cmp);
                    v
                })
            },
        );
        g.bench_with_input(BenchmarkId::new("ndpar_sort_unstable", n), &a, |b, a| {
            b.iter(|| black_box(a).par_sort_unstable(Axis(0)))
        });
        g.bench_with_input(BenchmarkId::new("ndpar_argsort", n), &a, |b, a| {
            b.iter(|| black_box(a).par_argsort(Axis(0)))
        });
    }
    g.finish();
}

fn median(c: &mut Criterion) {
    let mut g = c.benchmark_group("median");
    g.sample_size(10);
    for n in SIZES {
        let a = data(n);
        let xs = a.as_slice().unwrap();
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("std_select_nth", n), xs, |b, xs| {
            b.iter(|| {
                let mut v = black_box(xs).to_vec();
                let mid = v.len() / 2;
                *v.select_nth_unstable_by(mid, f64::total_cmp).1
            })
        });
        g.bench_with_input(BenchmarkId::new("ndpar_median", n), &a, |b, a| {
            b.iter(|| black_box(a).par_median())
        });
    }
    g.finish();
}

fn partition(c: &mut Criterion) {
    let mut g = c.benchmark_group("partition");
    g.sample_size(10);
    for n in SIZES {
        let a = data(n);
        let xs = a.as_slice().unwrap();
        let kth = [(n / 2) as isize];
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("std_copy_select_nth", n), xs, |b, xs| {
            b.iter(|| {
                let mut v = black_box(xs).to_vec();
                v.select_nth_unstable_by(n / 2, f64::total_cmp);
                v
            })
        });
        g.bench_with_input(BenchmarkId::new("ndpar_partition", n), &a, |b, a| {
            b.iter(|| black_box(a).par_partition(&kth, Axis(0)))
        });
    }
    g.finish();
}

/// One lane of 2^20 values partitioned at 1, 16 and 1024 ranks, beside a
/// sort of the same lane: the ranks are found together, so many cost about
/// what one does, and never more than the sort.
fn partition_ranks(c: &mut Criterion) {
    let mut g = c.benchmark_group("partition_ranks");
    g.sample_size(10);
    let n = 1 << 20;
    let a = data(n);
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function(BenchmarkId::new("ndpar_sort", n), |b| {
        b.iter(|| black_box(&a).par_sort(Axis(0)))
    });
    for ranks in [1usize, 16, 1024] {
        let kth: Vec<isize> = (0..ranks).map(|r| ((r * n) / ranks + 7) as isize).collect();
        g.bench_function(
            BenchmarkId::new(format!("ndpar_partition_{ranks}_kth"), n),
            |b| b.iter(|| black_box(&a).par_partition(&kth, Axis(0))),
        );
    }
    let qs: Vec<f64> = (0..=100).map(|i| f64::from(i) / 100.0).collect();
    let big = data(1 << 24);
    for (name, q) in [("1", &qs[50..51]), ("101", &qs[..])] {
        g.bench_function(
            BenchmarkId::new(format!("ndpar_quantiles_{name}_q"), 1 << 24),
            |b| b.iter(|| black_box(&big).par_quantiles(q, ndpar::QuantileMethod::Linear)),
        );
    }
    g.finish();
}

/// Sums over two of three axes, the middle one kept: ndarray's chained
/// `sum_axis` against `par_sum_axes`.
fn several_axes(c: &mut Criterion) {
    let mut g = c.benchmark_group("sum_axes");
    g.sample_size(10);
    for n in [32usize, 128] {
        let a = ndarray::Array3::from_shape_fn((n, 2 * n, n), |(i, j, k)| {
            (i * 7 + j * 3 + k) as f64 * 0.5
        });
        g.throughput(Throughput::Elements(a.len() as u64));
        g.bench_with_input(BenchmarkId::new("ndarray_sum_axis_twice", n), &a, |b, a| {
            b.iter(|| black_box(a).sum_axis(Axis(2)).sum_axis(Axis(0)))
        });
        g.bench_with_input(BenchmarkId::new("ndpar_sum_axes", n), &a, |b, a| {
            b.iter(|| black_box(a).par_sum_axes(&[Axis(0), Axis(2)], false))
        });
    }
    g.finish();
}

fn counting(c: &mut Criterion) {
    let mut g = c.benchmark_group("counting");
    g.sample_size(10);
    let n = 4_000_000;
    let x = Array1::from_iter((0..n as u64).map(|i| (i * 2_654_435_761) % 1000));
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("loop_bincount", |b| {
        b.iter(|| {
            let mut counts = vec![0u64; 1000];
            for &v in black_box(&x) {
                counts[v as usize] += 1;
            }
            counts
        })
    });
    g.bench_function("ndpar_bincount", |b| {
        b.iter(|| ndpar::par_bincount(black_box(&x), 0).unwrap())
    });
    g.bench_function("ndpar_unique", |b| {
        b.iter(|| ndpar::par_unique(black_box(&x)))
    });
    g.finish();
}

fn exact(c: &mut Criterion) {
    let mut g = c.benchmark_group("sum_exact");
    for n in SIZES {
        let a = data(n);
        g.throughput(Throughput::Bytes((n * 8) as u64));
        g.bench_with_input(BenchmarkId::new("ndpar_par_sum", n), &a, |b, a| {
            b.iter(|| black_box(a).par_sum())
        });
        g.bench_with_input(BenchmarkId::new("ndpar_par_sum_exact", n), &a, |b, a| {
            b.iter(|| black_box(a).par_sum_exact())
        });
        g.bench_with_input(BenchmarkId::new("ndpar_par_dot_exact", n), &a, |b, a| {
            b.iter(|| black_box(a).par_dot_exact(a))
        });
    }
    g.finish();
}

criterion_group!(
    benches,
    sort,
    median,
    partition,
    partition_ranks,
    several_axes,
    counting,
    exact
);
criterion_main!(benches);
