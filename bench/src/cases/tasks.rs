//! The task runner: per-task overhead (trivial tasks) and load balance
//! (tasks of 1 ms of busy work).

use std::hint::black_box;
use std::time::Duration;

use ndpar::Parallel;
use rayon::prelude::*;

use super::{CaseDef, Spec, Work};
use crate::baselines::busy;
use crate::measure::{Role, Variant, measure};

pub fn cases() -> Vec<CaseDef> {
    vec![
        CaseDef {
            id: "tasks-trivial",
            family: "tasks",
            spec: |_| Spec(vec![("tasks", 10_000)]),
            describe: |s| {
                let n = s.get("tasks");
                (
                    format!("{n} trivial tasks (x → 3x), results in order"),
                    Work::per_second(n as f64, "tasks/s", "tasks completed"),
                )
            },
            run: |setup, spec| {
                let n = spec.get("tasks") as u64;
                let all = setup.all();
                let mut vs = vec![
                    Variant::new("sequential loop", Role::Sequential, 1, move || {
                        black_box((0..n).map(|x| black_box(x) * 3).collect::<Vec<_>>());
                    }),
                    Variant::new("rayon par_iter collect", Role::Limit, all, move || {
                        black_box(
                            (0..n)
                                .into_par_iter()
                                .map(|x| black_box(x) * 3)
                                .collect::<Vec<_>>(),
                        );
                    }),
                ];
                vs.extend(Variant::per_thread_count(
                    &setup.threads,
                    "ndpar Parallel::map",
                    Role::Ndpar,
                    move || {
                        black_box(Parallel::new().map(0..n, |x| black_box(x) * 3).unwrap());
                    },
                ));
                measure(vs, setup.rounds)
            },
        },
        CaseDef {
            id: "tasks-1ms",
            family: "tasks",
            spec: |s| Spec(vec![("tasks", 16 * s.all())]),
            describe: |s| {
                let n = s.get("tasks");
                (
                    format!("{n} tasks of 1 ms of busy work each"),
                    Work::per_second(n as f64, "tasks/s", "tasks completed"),
                )
            },
            run: |setup, spec| {
                let n = spec.get("tasks");
                let ms = Duration::from_millis(1);
                let mut vs = vec![Variant::new(
                    "sequential loop",
                    Role::Sequential,
                    1,
                    move || {
                        black_box((0..n).map(|_| busy(ms)).collect::<Vec<_>>());
                    },
                )];
                vs.extend(Variant::per_thread_count(
                    &setup.threads,
                    "ndpar Parallel::map",
                    Role::Ndpar,
                    move || {
                        black_box(Parallel::new().map(0..n, |_| busy(ms)).unwrap());
                    },
                ));
                measure(vs, setup.rounds)
            },
        },
    ]
}
