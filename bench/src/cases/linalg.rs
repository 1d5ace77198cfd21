//! Pairwise distances, nearest neighbours and matrix products.

use std::hint::black_box;

use ndarray::Array2;
use ndarray::Axis;
use ndpar::linalg::{Metric, Variables, par_cov, par_knn, par_matmul, par_pairwise_distances};

use super::{CaseDef, Setup, Spec, Work, golden};
use crate::measure::{Role, Variant, measure};

/// An `n × d` matrix of the data recipe, offset by `seed` rows.
fn sample(n: usize, d: usize, seed: usize) -> Array2<f64> {
    Array2::from_shape_fn((n, d), |(i, j)| golden((i + seed * n) * d + j))
}

/// A tall, narrow table: 10⁵ to 4·10⁶ rows of 20 columns.
fn tall_table(s: &Setup) -> Spec {
    Spec(vec![
        ("rows", s.size.pick([100_000, 1_000_000, 4_000_000])),
        ("cols", 20),
    ])
}

pub fn cases() -> Vec<CaseDef> {
    vec![
        CaseDef {
            id: "pairwise",
            family: "distances",
            spec: |s| Spec(vec![("n", s.size.pick([512, 2048, 4096])), ("d", 64)]),
            describe: |s| {
                let (n, d) = (s.get("n"), s.get("d"));
                (
                    format!("Euclidean pairwise distances, {n} × {n} samples of {d} f64"),
                    Work::per_second((n * n) as f64, "dist/s", "distances computed"),
                )
            },
            run: |setup, spec| {
                let (n, d) = (spec.get("n"), spec.get("d"));
                let (x, y) = (sample(n, d, 0), sample(n, d, 1));
                let (x, y) = (&x, &y);
                let vs = Variant::per_thread_count(
                    &setup.threads,
                    "ndpar par_pairwise_distances",
                    Role::Ndpar,
                    move || {
                        black_box(par_pairwise_distances(x, y, Metric::Euclidean));
                    },
                );
                measure(vs, setup.rounds)
            },
        },
        CaseDef {
            id: "knn",
            family: "distances",
            spec: |s| {
                Spec(vec![
                    ("queries", s.size.pick([200, 1000, 1000])),
                    ("points", s.size.pick([1 << 16, 1_000_000, 4_000_000])),
                    ("d", 20),
                    ("k", 10),
                ])
            },
            describe: |s| {
                let (q, p, d, k) = (s.get("queries"), s.get("points"), s.get("d"), s.get("k"));
                (
                    format!("{k} nearest neighbours of {q} queries among {p} points of {d} f64"),
                    Work::per_second((q * p) as f64, "pairs/s", "query-point pairs searched"),
                )
            },
            run: |setup, spec| {
                let (q, p, d, k) = (
                    spec.get("queries"),
                    spec.get("points"),
                    spec.get("d"),
                    spec.get("k"),
                );
                let (x, y) = (sample(q, d, 7), sample(p, d, 0));
                let (x, y) = (&x, &y);
                let vs = Variant::per_thread_count(
                    &setup.threads,
                    "ndpar par_knn",
                    Role::Ndpar,
                    move || {
                        black_box(par_knn(x, y, k));
                    },
                );
                measure(vs, setup.rounds)
            },
        },
        CaseDef {
            id: "matmul",
            family: "matrix products",
            spec: |s| Spec(vec![("n", s.size.pick([256, 1024, 2048]))]),
            describe: |s| {
                let n = s.get("n");
                (
                    format!("square matrix product, {n} × {n} f64"),
                    Work::per_second(
                        2.0 * (n * n * n) as f64,
                        "FLOP/s",
                        "2n³ floating-point operations",
                    ),
                )
            },
            run: |setup, spec| {
                let n = spec.get("n");
                let (a, b) = (sample(n, n, 0), sample(n, n, 1));
                let (a, b) = (&a, &b);
                let mut vs = vec![Variant::new(
                    "ndarray dot (matrixmultiply)",
                    Role::Sequential,
                    1,
                    move || {
                        black_box(a.dot(b));
                    },
                )];
                vs.extend(Variant::per_thread_count(
                    &setup.threads,
                    "ndpar par_matmul",
                    Role::Ndpar,
                    move || {
                        black_box(par_matmul(a, b));
                    },
                ));
                measure(vs, setup.rounds)
            },
        },
        CaseDef {
            id: "matmul-tall",
            family: "matrix products",
            spec: tall_table,
            describe: |s| {
                let (rows, cols) = (s.get("rows"), s.get("cols"));
                (
                    format!("Gram matrix zᵀz of a tall-skinny z, {rows} × {cols} f64"),
                    Work::bytes(rows * cols * 8, "8 bytes of z read per element"),
                )
            },
            run: |setup, spec| {
                let z = sample(spec.get("rows"), spec.get("cols"), 0);
                let z = &z;
                let mut vs = vec![Variant::new(
                    "ndarray z.t().dot(&z) (matrixmultiply)",
                    Role::Sequential,
                    1,
                    move || {
                        black_box(z.t().dot(z));
                    },
                )];
                vs.extend(Variant::per_thread_count(
                    &setup.threads,
                    "ndpar par_matmul",
                    Role::Ndpar,
                    move || {
                        black_box(par_matmul(&z.t(), z));
                    },
                ));
                measure(vs, setup.rounds)
            },
        },
        CaseDef {
            id: "cov",
            family: "matrix products",
            spec: tall_table,
            describe: |s| {
                let (rows, cols) = (s.get("rows"), s.get("cols"));
                (
                    format!(
                        "covariance matrix of a {rows} × {cols} f64 table (variables in columns)"
                    ),
                    Work::bytes(rows * cols * 8, "8 bytes of the table read per element"),
                )
            },
            run: |setup, spec| {
                let x = sample(spec.get("rows"), spec.get("cols"), 0);
                let x = &x;
                let n = x.nrows() as f64;
                let mut vs = vec![Variant::new(
                    "ndarray: centre, then xcᵀxc / (n − 1)",
                    Role::Sequential,
                    1,
                    move || {
                        let xc = x - &x.mean_axis(Axis(0)).unwrap();
                        black_box(xc.t().dot(&xc) / (n - 1.0));
                    },
                )];
                vs.extend(Variant::per_thread_count(
                    &setup.threads,
                    "ndpar par_cov",
                    Role::Ndpar,
                    move || {
                        black_box(par_cov(x, Variables::Columns, 1.0));
                    },
                ));
                measure(vs, setup.rounds)
            },
        },
    ]
}
