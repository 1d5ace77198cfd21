//! Counting: bincount of small integers and unique with every output,
//! against plain loops and numpy.

use std::hint::black_box;

use ndarray::Array1;

use super::{CaseDef, Setup, Spec, Work, golden};
use crate::measure::{Role, Row, Variant, measure};

pub fn cases() -> Vec<CaseDef> {
    vec![
        CaseDef {
            id: "bincount",
            family: "counting",
            spec: |s| {
                Spec(vec![
                    ("n", s.size.pick([1 << 20, 1 << 25, 1 << 27])),
                    ("bins", 1000),
                ])
            },
            describe: |s| {
                let n = s.get("n");
                (
                    format!("par_bincount of {n} i64 in [0, {})", s.get("bins")),
                    Work::bytes(n * 8, "8 bytes read per value"),
                )
            },
            run: run_bincount,
        },
        CaseDef {
            id: "unique",
            family: "counting",
            spec: |s| {
                Spec(vec![
                    ("n", s.size.pick([1 << 18, 1 << 22, 1 << 24])),
                    ("bins", 1000),
                ])
            },
            describe: |s| {
                let n = s.get("n");
                (
                    format!(
                        "par_unique of {n} i64 in [0, {}) (values, first indices, inverse, counts)",
                        s.get("bins")
                    ),
                    Work::per_second(n as f64, "values/s", "values per second"),
                )
            },
            run: run_unique,
        },
    ]
}

/// The integer data recipe, also the peers': `floor(golden(i) * bins)`.
fn ints(n: usize, bins: usize) -> Array1<i64> {
    Array1::from_iter((0..n).map(|i| (golden(i) * bins as f64) as i64))
}

fn run_bincount(setup: &Setup, spec: &Spec) -> Vec<Row> {
    let bins = spec.get("bins");
    let x = ints(spec.get("n"), bins);
    let xs = x.as_slice().expect("contiguous");
    let mut vs = vec![Variant::new(
        "loop over a count vector",
        Role::Sequential,
        1,
        || {
            let mut counts = vec![0u64; bins];
            for &v in black_box(xs) {
                counts[v as usize] += 1;
            }
            black_box(counts);
        },
    )];
    vs.extend(Variant::per_thread_count(
        &setup.threads,
        "ndpar par_bincount",
        Role::Ndpar,
        || {
            black_box(ndpar::par_bincount(black_box(&x), 0).expect("valid input"));
        },
    ));
    measure(vs, setup.rounds)
}

fn run_unique(setup: &Setup, spec: &Spec) -> Vec<Row> {
    let bins = spec.get("bins");
    let x = ints(spec.get("n"), bins);
    let xs = x.as_slice().expect("contiguous");
    let mut vs = vec![Variant::new(
        "stable index sort, then one pass",
        Role::Sequential,
        1,
        || {
            let mut order: Vec<usize> = (0..xs.len()).collect();
            order.sort_by_key(|&i| xs[i]);
            let (mut values, mut first, mut counts) = (Vec::new(), Vec::new(), Vec::new());
            let mut inverse = vec![0usize; xs.len()];
            for &i in &order {
                if values.last() != Some(&xs[i]) {
                    values.push(xs[i]);
                    first.push(i);
                    counts.push(0usize);
                }
                *counts.last_mut().expect("pushed") += 1;
                inverse[i] = values.len() - 1;
            }
            black_box((values, first, counts, inverse));
        },
    )];
    vs.extend(Variant::per_thread_count(
        &setup.threads,
        "ndpar par_unique",
        Role::Ndpar,
        || {
            black_box(ndpar::par_unique(black_box(&x)));
        },
    ));
    measure(vs, setup.rounds)
}
