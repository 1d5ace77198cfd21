//! Block kernels with halos (a 5-point stencil) and scans.

use std::hint::black_box;

use ndarray::{Array2, Axis, array};
use ndpar::blocks::{Boundary, par_correlate_2d_into};
use ndpar::prelude::*;

use super::{CaseDef, Spec, Work, golden};
use crate::baselines::{data, jacobi_rayon, jacobi_seq, running_sum};
use crate::measure::{Role, Variant, measure};

pub fn cases() -> Vec<CaseDef> {
    vec![
        CaseDef {
            id: "stencil",
            family: "block kernels",
            spec: |s| Spec(vec![("n", s.size.pick([1024, 4096, 8192]))]),
            describe: |s| {
                let n = s.get("n");
                (
                    format!("5-point Jacobi step, {n} × {n} f64, into a preallocated grid"),
                    Work::bytes(2 * n * n * 8, "16 bytes per cell: one read, one write"),
                )
            },
            run: |setup, spec| {
                let n = spec.get("n");
                let u = Array2::from_shape_fn((n, n), |(i, j)| golden(i * n + j));
                let w = array![[0.0, 0.25, 0.0], [0.25, 0.0, 0.25], [0.0, 0.25, 0.0]];
                let all = setup.all();
                let mut outs: Vec<Array2<f64>> = (0..setup.threads.len() + 2)
                    .map(|_| Array2::zeros((n, n)))
                    .collect();
                let (fixed, ours) = outs.split_at_mut(2);
                let [o1, o2] = fixed else { unreachable!() };
                let (u, w) = (&u, &w);
                let mut vs = vec![
                    Variant::new(
                        "hand-written sequential stencil",
                        Role::Sequential,
                        1,
                        move || jacobi_seq(u, o1),
                    ),
                    Variant::new(
                        "hand-written rayon row-parallel stencil",
                        Role::Limit,
                        all,
                        move || jacobi_rayon(u, o2),
                    ),
                ];
                for (&t, out) in setup.threads.iter().zip(ours.iter_mut()) {
                    vs.push(Variant::new(
                        "ndpar par_correlate_2d_into",
                        Role::Ndpar,
                        t,
                        move || par_correlate_2d_into(u, w, Boundary::Constant(0.0), out),
                    ));
                }
                measure(vs, setup.rounds)
            },
        },
        CaseDef {
            id: "cumsum",
            family: "scans",
            spec: |s| Spec(vec![("n", s.size.pick([1 << 20, 1 << 25, 1 << 27]))]),
            describe: |s| {
                let n = s.get("n");
                (
                    format!("par_cumsum into a new array, {n} f64"),
                    Work::bytes(2 * n * 8, "16 bytes per value: one read, one write"),
                )
            },
            run: |setup, spec| {
                let a = data(spec.get("n"));
                let a = &a;
                let mut vs = vec![Variant::new(
                    "sequential running sum into a new Vec",
                    Role::Sequential,
                    1,
                    move || {
                        black_box(running_sum(a.as_slice().unwrap()));
                    },
                )];
                vs.extend(Variant::per_thread_count(
                    &setup.threads,
                    "ndpar par_cumsum",
                    Role::Ndpar,
                    move || {
                        black_box(a.par_cumsum(Axis(0)));
                    },
                ));
                measure(vs, setup.rounds)
            },
        },
    ]
}
