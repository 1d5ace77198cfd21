//! The Memory cache: a hit on a 100 MB array (which verifies the stored
//! file's content hash, then loads it) against loading the same npy file
//! with `load_npy` alone, and against storing it.
//!
//! `cargo bench -p ndpar-bench --bench cache`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ndarray::{Array1, Ix1};
use ndpar::io::{load_npy, save_npy};
use ndpar::memory::Memory;
use std::hint::black_box;

/// `n` values spread evenly over [0, 1).
fn golden(n: usize) -> Array1<f64> {
    Array1::from_iter((0..n).map(|i| (i as f64 * 0.618_033_988_75).fract()))
}

fn cache(c: &mut Criterion) {
    let n = 100 * 1024 * 1024 / 8;
    let a = golden(n);
    let dir = std::env::temp_dir().join(format!("ndpar-bench-cache-{}", std::process::id()));
    let memory = Memory::new(&dir).unwrap();
    let _: Array1<f64> = memory.cache("big", &n, |&n| golden(n));
    let file = dir.join("plain.npy");
    save_npy(&file, &a).unwrap();

    let mut g = c.benchmark_group("cache_100MB");
    g.sample_size(10);
    g.throughput(Throughput::Bytes((n * 8) as u64));
    g.bench_function("load_npy", |b| {
        b.iter(|| black_box(load_npy::<f64, Ix1, _>(&file).unwrap()))
    });
    g.bench_function("memory_hit_verified", |b| {
        b.iter(|| {
            let v: Array1<f64> = memory.cache("big", &n, |_| unreachable!("stored"));
            black_box(v)
        })
    });
    g.bench_function("save_npy", |b| {
        b.iter(|| save_npy(dir.join("again.npy"), black_box(&a)).unwrap())
    });
    g.finish();
    std::fs::remove_dir_all(&dir).ok();
}

criterion_group!(benches, cache);
criterion_main!(benches);
