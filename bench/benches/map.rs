//! Maps: ndpar against ndarray's sequential `mapv` / `Zip::for_each`,
//! ndarray's parallel `Zip::par_map_collect` / `Zip::par_for_each`, and a
//! hand-written rayon slice kernel, side by side in each group.
//!
//! `cargo bench -p ndpar-bench --bench map` (add `-- --quick` for a fast pass).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ndarray::{Array1, Zip};
use ndpar::prelude::*;
use ndpar_bench::baselines::{data, expsin};
use rayon::prelude::*;
use std::hint::black_box;

const SIZES: [usize; 3] = [1_000, 100_000, 10_000_000];

fn bytes(n: usize, arrays: usize) -> Throughput {
    Throughput::Bytes((n * arrays * size_of::<f64>()) as u64)
}

fn map_expsin(c: &mut Criterion) {
    let mut g = c.benchmark_group("mapv_exp_sin");
    for n in SIZES.into_iter().chain([1 << 22]) {
        let a = data(n);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("ndarray_mapv", n), &a, |b, a| {
            b.iter(|| black_box(a).mapv(expsin))
        });
        g.bench_with_input(
            BenchmarkId::new("ndarray_par_map_collect", n),
            &a,
            |b, a| b.iter(|| Zip::from(black_box(a)).par_map_collect(|&x| expsin(x))),
        );
        let mut out = vec![0.0; n];
        g.bench_with_input(
            BenchmarkId::new("rayon_slice_into_buffer", n),
            &a,
            |b, a| {
                b.iter(|| {
                    let xs = black_box(a).as_slice().unwrap();
                    out.par_chunks_mut(1 << 13)
                        .zip(xs.par_chunks(1 << 13))
                        .for_each(|(o, x)| o.iter_mut().zip(x).for_each(|(o, &x)| *o = expsin(x)));
                })
            },
        );
        g.bench_with_input(BenchmarkId::new("ndpar_1thread", n), &a, |b, a| {
            ndpar::with_threads(1, || b.iter(|| black_box(a).par_mapv(expsin))).unwrap()
        });
        g.bench_with_input(BenchmarkId::new("ndpar", n), &a, |b, a| {
            b.iter(|| black_box(a).par_mapv(expsin))
        });
        let mut inplace = a.clone();
        g.bench_with_input(BenchmarkId::new("ndpar_inplace", n), &a, |b, _| {
            b.iter(|| black_box(&mut inplace).par_mapv_inplace(expsin))
        });
    }
    g.finish();
}

fn zip_axpy(c: &mut Criterion) {
    let mut g = c.benchmark_group("zip_a_plus_3b");
    for n in SIZES.into_iter().chain([1 << 25]) {
        let (a, b) = (data(n), data(n).mapv(|x| 1.0 - x));
        let mut out = Array1::<f64>::zeros(n);
        g.throughput(bytes(n, 3));
        g.bench_function(BenchmarkId::new("ndarray_zip_for_each", n), |bch| {
            bch.iter(|| {
                Zip::from(&mut out)
                    .and(&a)
                    .and(&b)
                    .for_each(|c, &x, &y| *c = x + 3.0 * y)
            })
        });
        g.bench_function(BenchmarkId::new("ndarray_zip_par_for_each", n), |bch| {
            bch.iter(|| {
                Zip::from(&mut out)
                    .and(&a)
                    .and(&b)
                    .par_for_each(|c, &x, &y| *c = x + 3.0 * y)
            })
        });
        g.bench_function(BenchmarkId::new("ndpar_zip3_mut_with", n), |bch| {
            bch.iter(|| out.par_zip3_mut_with(&a, &b, |c, &x, &y| *c = x + 3.0 * y))
        });
        g.bench_function(BenchmarkId::new("ndarray_par_map_collect_new", n), |bch| {
            bch.iter(|| Zip::from(&a).and(&b).par_map_collect(|&x, &y| x + 3.0 * y))
        });
        g.bench_function(BenchmarkId::new("ndpar_zip_map_new", n), |bch| {
            bch.iter(|| a.par_zip_map(&b, |&x, &y| x + 3.0 * y))
        });
    }
    g.finish();
}

criterion_group!(benches, map_expsin, zip_axpy);
criterion_main!(benches);
