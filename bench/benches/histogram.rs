//! Histograms: 2^25 f64 values (and 10^3, 10^5) into 256 uniform bins.
//! Baseline in the same group: a good sequential loop (one multiply per
//! value, the same edge correction, one counts vector).
//!
//! `cargo bench -p ndpar-bench --bench histogram`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ndarray::Array1;
use ndpar::histogram::par_histogram;
use ndpar_bench::baselines::histogram as sequential;
use std::hint::black_box;

fn histogram(c: &mut Criterion) {
    let mut g = c.benchmark_group("histogram_256");
    for n in [1_000usize, 100_000, 1 << 25] {
        let a = Array1::from_iter((0..n).map(|i| ((i as f64) * 0.618_033_988_75).fract()));
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("sequential_loop", n), &a, |b, a| {
            b.iter(|| sequential(black_box(a).iter().copied(), 256, 0.0, 1.0))
        });
        g.bench_with_input(BenchmarkId::new("ndpar_1thread", n), &a, |b, a| {
            ndpar::with_threads(1, || {
                b.iter(|| par_histogram(black_box(a), 256, Some((0.0, 1.0))))
            })
            .unwrap()
        });
        g.bench_with_input(BenchmarkId::new("ndpar", n), &a, |b, a| {
            b.iter(|| par_histogram(black_box(a), 256, Some((0.0, 1.0))))
        });
    }
    g.finish();
}

criterion_group!(benches, histogram);
criterion_main!(benches);
