//! Elementwise work: a memory-bound zip map into a preallocated array, a
//! compute-bound map into a new array, and random fills.

use std::hint::black_box;

use ndarray::{Array1, Zip};
use ndpar::prelude::*;
use ndpar::vmath;
use rayon::prelude::*;

use super::{CaseDef, Spec, Work};
use crate::baselines::{data, expsin};
use crate::measure::{Role, Variant, measure};

pub fn cases() -> Vec<CaseDef> {
    vec![
        CaseDef {
            id: "zip",
            family: "maps",
            spec: |s| Spec(vec![("n", s.size.pick([1 << 20, 1 << 25, 1 << 27]))]),
            describe: |s| {
                let n = s.get("n");
                (
                    format!("c = a + 3b into a preallocated c, {n} f64"),
                    Work::bytes(3 * n * 8, "24 bytes per element: a and b read, c written"),
                )
            },
            run: |setup, spec| {
                let n = spec.get("n");
                let (a, b) = (data(n), data(n).mapv(|x| 1.0 - x));
                let all = setup.all();
                let mut outs: Vec<Array1<f64>> = (0..setup.threads.len() + 3)
                    .map(|_| Array1::zeros(n))
                    .collect();
                let (fixed, ours) = outs.split_at_mut(3);
                let [o1, o2, o3] = fixed else { unreachable!() };
                let (a, b) = (&a, &b);
                let mut vs = vec![
                    Variant::new("ndarray Zip::for_each", Role::Sequential, 1, move || {
                        Zip::from(&mut *o1)
                            .and(a)
                            .and(b)
                            .for_each(|c, &x, &y| *c = x + 3.0 * y)
                    }),
                    Variant::new(
                        "ndarray Zip::par_for_each",
                        Role::Parallel,
                        all,
                        move || {
                            Zip::from(&mut *o2)
                                .and(a)
                                .and(b)
                                .par_for_each(|c, &x, &y| *c = x + 3.0 * y)
                        },
                    ),
                    Variant::new("rayon par_chunks_mut", Role::Limit, all, move || {
                        let (xs, ys) = (a.as_slice().unwrap(), b.as_slice().unwrap());
                        o3.as_slice_mut()
                            .unwrap()
                            .par_chunks_mut(1 << 14)
                            .enumerate()
                            .for_each(|(k, c)| {
                                let s = k << 14;
                                for (i, c) in c.iter_mut().enumerate() {
                                    *c = xs[s + i] + 3.0 * ys[s + i];
                                }
                            })
                    }),
                ];
                for (&t, out) in setup.threads.iter().zip(ours.iter_mut()) {
                    vs.push(Variant::new(
                        "ndpar par_zip3_mut_with",
                        Role::Ndpar,
                        t,
                        move || out.par_zip3_mut_with(a, b, |c, &x, &y| *c = x + 3.0 * y),
                    ));
                }
                measure(vs, setup.rounds)
            },
        },
        CaseDef {
            id: "map",
            family: "maps",
            spec: |s| Spec(vec![("n", s.size.pick([1 << 18, 1 << 22, 1 << 24]))]),
            describe: |s| {
                let n = s.get("n");
                (
                    format!("compute-bound map exp(x)·sin(x) into a new array, {n} f64"),
                    Work::per_second(n as f64, "values/s", "values computed"),
                )
            },
            run: |setup, spec| {
                let a = data(spec.get("n"));
                let all = setup.all();
                let a = &a;
                let mut vs = vec![
                    Variant::new("ndarray mapv", Role::Sequential, 1, move || {
                        black_box(a.mapv(expsin));
                    }),
                    Variant::new(
                        "ndarray Zip::par_map_collect",
                        Role::Parallel,
                        all,
                        move || {
                            black_box(Zip::from(a).par_map_collect(|&x| expsin(x)));
                        },
                    ),
                    Variant::new("rayon par_iter collect", Role::Limit, all, move || {
                        let v: Vec<f64> = a
                            .as_slice()
                            .unwrap()
                            .par_iter()
                            .map(|&x| expsin(x))
                            .collect();
                        black_box(v);
                    }),
                ];
                vs.extend(Variant::per_thread_count(
                    &setup.threads,
                    "ndpar par_mapv",
                    Role::Ndpar,
                    move || {
                        black_box(a.par_mapv(expsin));
                    },
                ));
                vs.extend(Variant::per_thread_count(
                    &setup.threads,
                    "ndpar par_map_slices + vmath (opt-in, ≤ 1 ulp per function)",
                    Role::Ndpar,
                    move || {
                        black_box(a.par_map_slices(|x, out| {
                            vmath::map(x, out, |v| vmath::exp(v) * vmath::sin(v))
                        }));
                    },
                ));
                measure(vs, setup.rounds)
            },
        },
        random(),
    ]
}

fn random() -> CaseDef {
    CaseDef {
        id: "random",
        family: "random arrays",
        spec: |s| Spec(vec![("n", s.size.pick([1 << 20, 1 << 25, 1 << 27]))]),
        describe: |s| {
            let n = s.get("n");
            (
                format!("standard normal f64 into a new array, {n} values"),
                Work::per_second(n as f64, "values/s", "values computed"),
            )
        },
        run: |setup, spec| {
            use ndarray_rand::RandomExt;
            use ndpar::random::rand::SeedableRng;
            use ndpar::random::{ChaCha8Rng, StandardNormal, par_random};
            let n = spec.get("n");
            let mut vs = vec![Variant::new(
                "ndarray-rand random_using (ChaCha8)",
                Role::Sequential,
                1,
                move || {
                    let mut rng = ChaCha8Rng::seed_from_u64(1);
                    black_box(Array1::<f64>::random_using(n, StandardNormal, &mut rng));
                },
            )];
            vs.extend(Variant::per_thread_count(
                &setup.threads,
                "ndpar par_random (ChaCha8 streams)",
                Role::Ndpar,
                move || {
                    black_box(par_random::<f64, _, _>(n, &StandardNormal, 1));
                },
            ));
            measure(vs, setup.rounds)
        },
    }
}
