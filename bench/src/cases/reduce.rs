//! Reductions: the whole-array sum (large and small), and sums along each
//! axis of C- and F-order matrices.

use std::hint::black_box;

use ndarray::parallel::prelude::*;
use ndarray::{Array2, Axis, ShapeBuilder};
use ndpar::prelude::*;

use super::{CaseDef, Setup, Spec, Work, golden};
use crate::baselines::{data, rayon_sum};
use crate::measure::{Role, Row, Variant, measure};

pub fn cases() -> Vec<CaseDef> {
    let mut cases = vec![CaseDef {
        id: "sum",
        family: "reductions",
        spec: |s| Spec(vec![("n", s.size.pick([1 << 20, 1 << 25, 1 << 27]))]),
        describe: |s| {
            let n = s.get("n");
            (
                format!("par_sum, {n} f64"),
                Work::bytes(n * 8, "8 bytes read per value"),
            )
        },
        run: run_sum,
    }];
    cases.push(CaseDef {
        id: "sum-exact",
        family: "reductions",
        spec: |s| Spec(vec![("n", s.size.pick([1 << 20, 1 << 25, 1 << 27]))]),
        describe: |s| {
            let n = s.get("n");
            (
                format!("par_sum_exact (correctly rounded), {n} f64"),
                Work::bytes(n * 8, "8 bytes read per value"),
            )
        },
        run: run_sum_exact,
    });
    cases.push(CaseDef {
        id: "sum-layout",
        family: "reductions",
        spec: |s| Spec(vec![("n", s.size.pick([1024, 4096, 8192]))]),
        describe: |s| {
            let n = s.get("n");
            (
                format!("par_sum of an F-order {n} × {n} f64 at the Layout level"),
                Work::bytes(n * n * 8, "8 bytes read per value"),
            )
        },
        run: run_sum_layout,
    });
    cases.extend(small_sums());
    cases.extend(axis_sums());
    cases.push(axes_sum());
    cases
}

fn run_sum(setup: &Setup, spec: &Spec) -> Vec<Row> {
    let a = data(spec.get("n"));
    let all = setup.all();
    let mut vs = vec![
        Variant::new("ndarray sum()", Role::Sequential, 1, || {
            black_box(black_box(&a).sum());
        }),
        Variant::new("ndarray par_iter().sum()", Role::Parallel, all, || {
            black_box(black_box(&a).par_iter().sum::<f64>());
        }),
        Variant::new(
            "rayon par_chunks + 8 accumulators",
            Role::Limit,
            all,
            || {
                black_box(rayon_sum(black_box(&a).as_slice().unwrap()));
            },
        ),
    ];
    vs.extend(Variant::per_thread_count(
        &setup.threads,
        "ndpar par_sum",
        Role::Ndpar,
        || {
            black_box(black_box(&a).par_sum());
        },
    ));
    measure(vs, setup.rounds)
}

/// The exact sum against the ordinary one: the price of a result that
/// depends on the values alone.
fn run_sum_exact(setup: &Setup, spec: &Spec) -> Vec<Row> {
    let a = data(spec.get("n"));
    let all = setup.all();
    let mut vs = vec![
        Variant::new("ndarray sum()", Role::Sequential, 1, || {
            black_box(black_box(&a).sum());
        }),
        Variant::new("ndpar par_sum (not exact)", Role::Limit, all, || {
            black_box(black_box(&a).par_sum());
        }),
        Variant::new(
            "ndpar par_sum (not exact), 1 thread",
            Role::Parallel,
            1,
            || {
                black_box(black_box(&a).par_sum());
            },
        ),
    ];
    vs.extend(Variant::per_thread_count(
        &setup.threads,
        "ndpar par_sum_exact",
        Role::Ndpar,
        || {
            black_box(black_box(&a).par_sum_exact());
        },
    ));
    measure(vs, setup.rounds)
}

/// The price of layout-independent bits: an F-order matrix summed at the
/// Layout level (gathered in logical order) against the default level and
/// against the C-order copy, whose path the Layout level keeps.
fn run_sum_layout(setup: &Setup, spec: &Spec) -> Vec<Row> {
    let n = spec.get("n");
    let c = Array2::from_shape_fn((n, n), |(i, j)| golden(i * n + j));
    let mut f = Array2::zeros((n, n).f());
    f.assign(&c);
    let layout = ndpar::Params::default().with_reproducibility(ndpar::Reproducibility::Layout);
    let all = setup.all();
    let mut vs = vec![
        Variant::new("ndarray sum() (F order)", Role::Sequential, 1, || {
            black_box(black_box(&f).sum());
        }),
        Variant::new(
            "ndpar par_sum, C order (same bits)",
            Role::Limit,
            all,
            || {
                black_box(layout.install(|| black_box(&c).par_sum()));
            },
        ),
        Variant::new(
            "ndpar par_sum, F order, Threads level",
            Role::Parallel,
            all,
            || {
                black_box(black_box(&f).par_sum());
            },
        ),
    ];
    vs.extend(Variant::per_thread_count(
        &setup.threads,
        "ndpar par_sum, F order, Layout level",
        Role::Ndpar,
        || {
            black_box(layout.install(|| black_box(&f).par_sum()));
        },
    ));
    measure(vs, setup.rounds)
}

/// Sums of 100 to 10⁶ values: where waking the pool would cost more than it
/// saves, ndpar must stay close to the sequential method.
fn small_sums() -> Vec<CaseDef> {
    fn def(id: &'static str, spec: fn(&Setup) -> Spec) -> CaseDef {
        CaseDef {
            id,
            family: "reductions",
            spec,
            describe: |s| {
                let n = s.get("n");
                (
                    format!("par_sum of a small array, {n} f64"),
                    Work::bytes(n * 8, "8 bytes read per value"),
                )
            },
            run: run_small_sum,
        }
    }
    vec![
        def("sum-100", |_| Spec(vec![("n", 100)])),
        def("sum-1k", |_| Spec(vec![("n", 1000)])),
        def("sum-10k", |_| Spec(vec![("n", 10_000)])),
        def("sum-1M", |_| Spec(vec![("n", 1_000_000)])),
    ]
}

fn run_small_sum(setup: &Setup, spec: &Spec) -> Vec<Row> {
    let n = spec.get("n");
    let a = data(n);
    // Enough calls per timing to cover about a millisecond.
    let calls = (4_000_000 / n.max(1)).clamp(1, 100_000);
    let mut vs = vec![
        Variant::new("ndarray sum()", Role::Sequential, 1, || {
            black_box(black_box(&a).sum());
        })
        .calls(calls),
    ];
    let ndpar = Variant::per_thread_count(&setup.threads, "ndpar par_sum", Role::Ndpar, || {
        black_box(black_box(&a).par_sum());
    });
    vs.extend(ndpar.into_iter().map(|v| v.calls(calls)));
    measure(vs, setup.rounds)
}

/// Sums over two of the three axes of an n × m × n array (numpy's
/// `axis=(0, 2)`): the reduced axes are neither innermost nor outermost,
/// so ndpar copies once; against two chained `sum_axis` calls.
fn axes_sum() -> CaseDef {
    CaseDef {
        id: "axes",
        family: "axis reductions",
        spec: |s| {
            Spec(vec![
                ("n", s.size.pick([64, 256, 512])),
                ("m", s.size.pick([256, 512, 512])),
            ])
        },
        describe: |s| {
            let (n, m) = (s.get("n"), s.get("m"));
            (
                format!("par_sum_axes over axes (0, 2), {n} × {m} × {n} f64"),
                Work::bytes(n * m * n * 8, "8 bytes read per value"),
            )
        },
        run: run_axes,
    }
}

fn run_axes(setup: &Setup, spec: &Spec) -> Vec<Row> {
    let (n, m) = (spec.get("n"), spec.get("m"));
    let a = ndarray::Array3::from_shape_fn((n, m, n), |(i, j, k)| golden((i * m + j) * n + k));
    let axes = [Axis(0), Axis(2)];
    let mut vs = vec![Variant::new(
        "ndarray sum_axis(Axis(2)).sum_axis(Axis(0))",
        Role::Sequential,
        1,
        || {
            black_box(a.sum_axis(Axis(2)).sum_axis(Axis(0)));
        },
    )];
    vs.extend(Variant::per_thread_count(
        &setup.threads,
        "ndpar par_sum_axes",
        Role::Ndpar,
        || {
            black_box(black_box(&a).par_sum_axes(&axes, false));
        },
    ));
    measure(vs, setup.rounds)
}

/// Sums along each axis of an n × n matrix in each memory order.
fn axis_sums() -> Vec<CaseDef> {
    fn def(id: &'static str, run: fn(&Setup, &Spec) -> Vec<Row>) -> CaseDef {
        CaseDef {
            id,
            family: "axis reductions",
            spec: |s| Spec(vec![("n", s.size.pick([1024, 4096, 8192]))]),
            describe: |s| {
                let n = s.get("n");
                (
                    format!("par_sum_axis, {n} × {n} f64"),
                    Work::bytes(n * n * 8, "8 bytes read per value"),
                )
            },
            run,
        }
    }
    vec![
        def("axis-C-0", |s, p| run_axis(s, p, false, 0)),
        def("axis-C-1", |s, p| run_axis(s, p, false, 1)),
        def("axis-F-0", |s, p| run_axis(s, p, true, 0)),
        def("axis-F-1", |s, p| run_axis(s, p, true, 1)),
    ]
}

fn run_axis(setup: &Setup, spec: &Spec, fortran: bool, axis: usize) -> Vec<Row> {
    let n = spec.get("n");
    let m = Array2::from_shape_fn((n, n).set_f(fortran), |(i, j)| golden(i * n + j));
    let all = setup.all();
    let other = 1 - axis;
    let mut vs = vec![
        Variant::new(
            format!("ndarray sum_axis(Axis({axis}))"),
            Role::Sequential,
            1,
            || {
                black_box(m.sum_axis(Axis(axis)));
            },
        ),
        Variant::new(
            "rayon, one task per output element",
            Role::Parallel,
            all,
            || {
                black_box(
                    (0..n)
                        .into_par_iter()
                        .map(|i| m.index_axis(Axis(other), i).sum())
                        .collect::<Vec<f64>>(),
                );
            },
        ),
        Variant::new(
            "ndpar par_sum of the whole matrix",
            Role::Limit,
            all,
            || {
                black_box(m.par_sum());
            },
        ),
    ];
    vs.extend(Variant::per_thread_count(
        &setup.threads,
        format!("ndpar par_sum_axis(Axis({axis}))"),
        Role::Ndpar,
        || {
            black_box(m.par_sum_axis(Axis(axis)));
        },
    ));
    measure(vs, setup.rounds)
}
