//! The task layer: 10 000 trivial tasks end to end (per-task overhead), and
//! tasks of 1 ms of busy work on all threads against the ideal time.
//! Baselines in the same groups: a sequential loop, rayon's `par_iter`
//! collect, and joblib's own figure is quoted in the docs (≈ 33 µs per
//! task with its threading backend on a 16-core machine).
//!
//! `cargo bench -p ndpar-bench --bench tasks`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ndpar::Parallel;
use ndpar_bench::baselines::busy;
use rayon::prelude::*;
use std::hint::black_box;
use std::time::Duration;

fn trivial(c: &mut Criterion) {
    let mut g = c.benchmark_group("tasks_trivial_10000");
    g.throughput(Throughput::Elements(10_000));
    g.bench_function("sequential_loop", |b| {
        b.iter(|| (0..10_000u64).map(|x| black_box(x) * 3).collect::<Vec<_>>())
    });
    g.bench_function("rayon_par_iter", |b| {
        b.iter(|| {
            (0..10_000u64)
                .into_par_iter()
                .map(|x| black_box(x) * 3)
                .collect::<Vec<_>>()
        })
    });
    g.bench_function("ndpar_parallel_map", |b| {
        b.iter(|| {
            Parallel::new()
                .map(0..10_000u64, |x| black_box(x) * 3)
                .unwrap()
        })
    });
    g.bench_function("ndpar_map_iter", |b| {
        b.iter(|| {
            Parallel::new()
                .map_iter(0..10_000u64, |x| black_box(x) * 3)
                .count()
        })
    });
    g.finish();
}

fn one_ms_tasks(c: &mut Criterion) {
    let threads = rayon::current_num_threads();
    let n = 100 * threads; // ideal: 100 ms on every machine
    let mut g = c.benchmark_group("tasks_1ms");
    g.sample_size(10);
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function(BenchmarkId::new("rayon_par_iter", n), |b| {
        b.iter(|| {
            (0..n)
                .into_par_iter()
                .map(|_| busy(Duration::from_millis(1)))
                .collect::<Vec<_>>()
        })
    });
    g.bench_function(BenchmarkId::new("ndpar_parallel_map", n), |b| {
        b.iter(|| {
            Parallel::new()
                .map(0..n, |_| busy(Duration::from_millis(1)))
                .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, trivial, one_ms_tasks);
criterion_main!(benches);
