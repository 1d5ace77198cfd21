//! Random arrays: 2^25 (and 10^5) StandardNormal f64. Baseline in the same
//! group: ndarray-rand's `Array::random_using` on one thread with the same
//! generator (ChaCha8).
//!
//! `cargo bench -p ndpar-bench --bench random`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ndarray::Array1;
use ndarray_rand::RandomExt;
use ndpar::random::rand::SeedableRng;
use ndpar::random::{ChaCha8Rng, StandardNormal, par_random};

fn random(c: &mut Criterion) {
    let mut g = c.benchmark_group("random_standard_normal");
    g.sample_size(10);
    for n in [100_000usize, 1 << 25] {
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(
            BenchmarkId::new("ndarray_rand_random_using", n),
            &n,
            |b, &n| {
                b.iter(|| {
                    let mut rng = ChaCha8Rng::seed_from_u64(1);
                    Array1::<f64>::random_using(n, StandardNormal, &mut rng)
                })
            },
        );
        g.bench_with_input(BenchmarkId::new("ndpar_par_random", n), &n, |b, &n| {
            b.iter(|| par_random::<f64, _, _>(n, &StandardNormal, 1))
        });
    }
    g.finish();
}

criterion_group!(benches, random);
criterion_main!(benches);
