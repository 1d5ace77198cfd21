//! Sorting: a whole 1-D array, against the standard library's and rayon's
//! sorts on a plain slice and numpy's `np.sort`.

use std::hint::black_box;

use ndarray::Axis;
use ndpar::prelude::*;
use rayon::prelude::*;

use super::{CaseDef, Setup, Spec, Work};
use crate::baselines::data;
use crate::measure::{Role, Row, Variant, measure};

pub fn cases() -> Vec<CaseDef> {
    vec![
        CaseDef {
            id: "median",
            family: "sorting",
            spec: |s| Spec(vec![("n", s.size.pick([1 << 20, 1 << 25, 1 << 25]))]),
            describe: |s| {
                let n = s.get("n");
                (
                    format!("par_median of a 1-D array, {n} f64"),
                    Work::bytes(n * 8, "8 bytes read per value"),
                )
            },
            run: run_median,
        },
        CaseDef {
            id: "sort",
            family: "sorting",
            spec: |s| Spec(vec![("n", s.size.pick([1 << 20, 1 << 25, 1 << 25]))]),
            describe: |s| {
                let n = s.get("n");
                (
                    format!("par_sort_unstable of a 1-D array, {n} f64 (a new array)"),
                    Work::per_second(n as f64, "values/s", "values sorted per second"),
                )
            },
            run: run_sort,
        },
        CaseDef {
            id: "argsort",
            family: "sorting",
            spec: |s| Spec(vec![("n", s.size.pick([1 << 20, 1 << 24, 1 << 25]))]),
            describe: |s| {
                let n = s.get("n");
                (
                    format!("par_argsort (stable) of a 1-D array, {n} f64"),
                    Work::per_second(n as f64, "values/s", "values ordered per second"),
                )
            },
            run: run_argsort,
        },
        CaseDef {
            id: "partition",
            family: "sorting",
            spec: |s| Spec(vec![("n", s.size.pick([1 << 20, 1 << 25, 1 << 25]))]),
            describe: |s| {
                let n = s.get("n");
                (
                    format!(
                        "par_partition at the middle rank of a 1-D array, {n} f64 (a new array)"
                    ),
                    Work::bytes(n * 8, "8 bytes read per value"),
                )
            },
            run: run_partition,
        },
    ]
}

fn run_argsort(setup: &Setup, spec: &Spec) -> Vec<Row> {
    let a = data(spec.get("n"));
    let xs = a.as_slice().expect("contiguous");
    let mut vs = vec![Variant::new(
        "indices sort_by(total_cmp) (stable)",
        Role::Sequential,
        1,
        || {
            let mut idx: Vec<usize> = (0..xs.len()).collect();
            idx.sort_by(|&i, &j| xs[i].total_cmp(&xs[j]));
            black_box(idx);
        },
    )];
    vs.extend(Variant::per_thread_count(
        &setup.threads,
        "ndpar par_argsort",
        Role::Ndpar,
        || {
            black_box(black_box(&a).par_argsort(Axis(0)));
        },
    ));
    measure(vs, setup.rounds)
}

fn run_partition(setup: &Setup, spec: &Spec) -> Vec<Row> {
    let n = spec.get("n");
    let a = data(n);
    let xs = a.as_slice().expect("contiguous");
    let kth = [(n / 2) as isize];
    let mut vs = vec![Variant::new(
        "copy + slice select_nth_unstable_by(total_cmp)",
        Role::Sequential,
        1,
        || {
            let mut v = black_box(xs).to_vec();
            v.select_nth_unstable_by(n / 2, f64::total_cmp);
            black_box(v);
        },
    )];
    vs.extend(Variant::per_thread_count(
        &setup.threads,
        "ndpar par_partition",
        Role::Ndpar,
        || {
            black_box(black_box(&a).par_partition(&kth, Axis(0)));
        },
    ));
    measure(vs, setup.rounds)
}

fn run_median(setup: &Setup, spec: &Spec) -> Vec<Row> {
    let a = data(spec.get("n"));
    let xs = a.as_slice().expect("contiguous");
    let mut vs = vec![Variant::new(
        "copy + slice select_nth_unstable_by(total_cmp)",
        Role::Sequential,
        1,
        || {
            let mut v = black_box(xs).to_vec();
            let mid = v.len() / 2;
            v.select_nth_unstable_by(mid, f64::total_cmp);
            black_box(v[mid]);
        },
    )];
    vs.extend(Variant::per_thread_count(
        &setup.threads,
        "ndpar par_median",
        Role::Ndpar,
        || {
            black_box(black_box(&a).par_median());
        },
    ));
    measure(vs, setup.rounds)
}

fn run_sort(setup: &Setup, spec: &Spec) -> Vec<Row> {
    let a = data(spec.get("n"));
    let xs = a.as_slice().expect("contiguous");
    let all = setup.all();
    // Every variant copies the input first, as ndpar's sort returns a new
    // array.
    let mut vs = vec![
        Variant::new(
            "slice sort_unstable_by(total_cmp)",
            Role::Sequential,
            1,
            || {
                let mut v = black_box(xs).to_vec();
                v.sort_unstable_by(f64::total_cmp);
                black_box(v);
            },
        ),
        Variant::new(
            "rayon par_sort_unstable_by(total_cmp)",
            Role::Limit,
            all,
            || {
                let mut v = black_box(xs).to_vec();
                v.par_sort_unstable_by(f64::total_cmp);
                black_box(v);
            },
        ),
        Variant::new("ndpar par_sort (stable)", Role::Parallel, all, || {
            black_box(black_box(&a).par_sort(Axis(0)));
        }),
    ];
    vs.extend(Variant::per_thread_count(
        &setup.threads,
        "ndpar par_sort_unstable",
        Role::Ndpar,
        || {
            black_box(black_box(&a).par_sort_unstable(Axis(0)));
        },
    ));
    measure(vs, setup.rounds)
}
