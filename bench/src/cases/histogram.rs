//! Histograms: 1-D into 256 bins, and 2-D over two strided columns of a
//! C-order matrix (the everyday case of a table of samples).

use std::hint::black_box;

use ndarray::{Array1, Array2};
use ndpar::histogram::{par_histogram, par_histogram_2d};

use super::{CaseDef, Spec, Work, golden};
use crate::baselines::{data, histogram, histogram_2d};
use crate::measure::{Role, Variant, measure};

pub fn cases() -> Vec<CaseDef> {
    vec![
        CaseDef {
            id: "histogram",
            family: "histograms",
            spec: |s| {
                Spec(vec![
                    ("n", s.size.pick([1 << 20, 1 << 25, 1 << 27])),
                    ("bins", 256),
                ])
            },
            describe: |s| {
                let (n, bins) = (s.get("n"), s.get("bins"));
                (
                    format!("par_histogram, {n} f64 into {bins} bins over [0, 1]"),
                    Work::bytes(n * 8, "8 bytes read per value"),
                )
            },
            run: |setup, spec| {
                let (a, bins) = (data(spec.get("n")), spec.get("bins"));
                let a = &a;
                let mut vs = vec![Variant::new(
                    "sequential loop",
                    Role::Sequential,
                    1,
                    move || {
                        black_box(histogram(a.iter().copied(), bins, 0.0, 1.0));
                    },
                )];
                vs.extend(Variant::per_thread_count(
                    &setup.threads,
                    "ndpar par_histogram",
                    Role::Ndpar,
                    move || {
                        black_box(par_histogram(a, bins, Some((0.0, 1.0))).unwrap());
                    },
                ));
                measure(vs, setup.rounds)
            },
        },
        CaseDef {
            id: "histogram-2d",
            family: "histograms",
            spec: |s| {
                Spec(vec![
                    ("rows", s.size.pick([100_000, 1_000_000, 4_000_000])),
                    ("cols", 20),
                    ("bins", 64),
                ])
            },
            describe: |s| {
                let (rows, cols, bins) = (s.get("rows"), s.get("cols"), s.get("bins"));
                (
                    format!(
                        "par_histogram_2d of columns 0 and 1 of a C-order {rows} × {cols} f64 matrix, {bins} × {bins} bins"
                    ),
                    Work::per_second(rows as f64, "pairs/s", "value pairs counted"),
                )
            },
            run: |setup, spec| {
                let (rows, cols, bins) = (spec.get("rows"), spec.get("cols"), spec.get("bins"));
                let z = Array2::from_shape_fn((rows, cols), |(i, j)| golden(i * cols + j));
                let (x, y) = (z.column(0), z.column(1));
                let (xc, yc): (Array1<f64>, Array1<f64>) = (x.to_owned(), y.to_owned());
                let (xc, yc) = (&xc, &yc);
                let all = setup.all();
                let range = Some(((0.0, 1.0), (0.0, 1.0)));
                let mut vs = vec![
                    Variant::new(
                        "sequential loop over the columns",
                        Role::Sequential,
                        1,
                        move || {
                            black_box(histogram_2d(
                                x.iter().copied().zip(y.iter().copied()),
                                bins,
                                0.0,
                                1.0,
                            ));
                        },
                    ),
                    Variant::new(
                        "ndpar par_histogram_2d on contiguous copies",
                        Role::Limit,
                        all,
                        move || {
                            black_box(par_histogram_2d(xc, yc, (bins, bins), range).unwrap());
                        },
                    ),
                ];
                vs.extend(Variant::per_thread_count(
                    &setup.threads,
                    "ndpar par_histogram_2d on the strided columns",
                    Role::Ndpar,
                    move || {
                        black_box(par_histogram_2d(&x, &y, (bins, bins), range).unwrap());
                    },
                ));
                measure(vs, setup.rounds)
            },
        },
    ]
}
