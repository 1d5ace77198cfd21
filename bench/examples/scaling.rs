//! Scaling runner: ndpar's core kernels against ndarray and hand-written
//! rayon kernels on every thread count, measured with
//! *interleaved* rounds so that machine drift (shared, noisy machines) hits
//! every variant alike. Each round runs every variant once; the table shows
//! medians over rounds, and the ratio lines compare variants of one case.
//!
//! ```text
//! cargo run -p ndpar-bench --release --example scaling                 # all cases
//! cargo run -p ndpar-bench --release --example scaling -- --rounds 21 --threads 1,2,4,8,16
//! cargo run -p ndpar-bench --release --example scaling -- --only sum
//! cargo run -p ndpar-bench --release --example scaling -- --big     # larger pairwise/matmul problems
//! ```
//!
//! Prints Markdown tables and ratio lines.

use std::hint::black_box;
use std::time::Instant;

use ndarray::parallel::prelude::*;
use ndarray::{Array1, Zip};
use ndpar::prelude::*;
use rayon::prelude::*;

/// One measured variant: a name, the thread count it runs on, and the work.
struct Variant<'a> {
    name: String,
    threads: usize,
    run: Box<dyn FnMut() + Send + 'a>,
}

fn variant<'a>(
    name: impl Into<String>,
    threads: usize,
    run: impl FnMut() + Send + 'a,
) -> Variant<'a> {
    Variant {
        name: name.into(),
        threads,
        run: Box::new(run),
    }
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// Runs every variant once per round (after one warm-up round) and returns
/// the median seconds of each.
fn measure(variants: &mut [Variant<'_>], rounds: usize) -> Vec<f64> {
    let mut times = vec![Vec::new(); variants.len()];
    for round in 0..=rounds {
        for (v, t) in variants.iter_mut().zip(&mut times) {
            let run = &mut v.run;
            let secs = ndpar::with_threads(v.threads as isize, || {
                let start = Instant::now();
                run();
                start.elapsed().as_secs_f64()
            })
            .expect("thread count is valid");
            if round > 0 {
                t.push(secs);
            }
        }
    }
    times.into_iter().map(median).collect()
}

struct Report {
    title: String,
    unit_bytes: f64,
    rows: Vec<(String, usize, f64)>,
}

impl Report {
    fn time_of(&self, name: &str, threads: usize) -> Option<f64> {
        self.rows
            .iter()
            .find(|(n, t, _)| n == name && *t == threads)
            .map(|r| r.2)
    }

    fn print(&self) {
        println!("\n### {}\n", self.title);
        println!("| variant | threads | median | throughput |");
        println!("|---|---:|---:|---:|");
        for (name, threads, secs) in &self.rows {
            println!(
                "| {name} | {threads} | {:.2} ms | {:.1} GB/s |",
                secs * 1e3,
                self.unit_bytes / secs / 1e9
            );
        }
    }

    /// Prints `a / b` as a speed ratio (time of b over time of a).
    fn ratio(&self, label: &str, a: (&str, usize), b: (&str, usize)) {
        if let (Some(ta), Some(tb)) = (self.time_of(a.0, a.1), self.time_of(b.0, b.1)) {
            println!("- {label}: **{:.2}×**", tb / ta);
        }
    }
}

fn data(n: usize) -> Array1<f64> {
    Array1::from_iter((0..n).map(|i| ((i as f64) * 0.618_033_988_75).fract()))
}

fn sum8(xs: &[f64]) -> f64 {
    let mut acc = [0.0; 8];
    let mut chunks = xs.chunks_exact(8);
    for c in &mut chunks {
        for i in 0..8 {
            acc[i] += c[i];
        }
    }
    acc.iter().sum::<f64>() + chunks.remainder().iter().sum::<f64>()
}

fn case_sum(threads: &[usize], rounds: usize) -> Report {
    let n = 1 << 25;
    let a = data(n);
    let all = *threads.last().unwrap();
    let mut vs = vec![
        variant("ndarray sum()", 1, || {
            black_box(black_box(&a).sum());
        }),
        variant("ndarray par_iter().sum()", all, || {
            black_box(black_box(&a).par_iter().sum::<f64>());
        }),
        variant("rayon par_chunks(1<<16) + 8 accumulators", all, || {
            black_box(
                black_box(&a)
                    .as_slice()
                    .unwrap()
                    .par_chunks(1 << 16)
                    .map(sum8)
                    .sum::<f64>(),
            );
        }),
    ];
    for &t in threads {
        vs.push(variant("ndpar par_sum", t, || {
            black_box(black_box(&a).par_sum());
        }));
    }
    let times = measure(&mut vs, rounds);
    let report = Report {
        title: format!("par_sum, 2^25 f64 (contiguous), {rounds} interleaved rounds"),
        unit_bytes: (n * 8) as f64,
        rows: vs
            .iter()
            .zip(times)
            .map(|(v, t)| (v.name.clone(), v.threads, t))
            .collect(),
    };
    report.print();
    println!();
    report.ratio(
        "ndpar par_sum vs hand-written rayon kernel, all threads",
        ("ndpar par_sum", all),
        ("rayon par_chunks(1<<16) + 8 accumulators", all),
    );
    report.ratio(
        "ndpar par_sum on 1 thread vs ndarray sum()",
        ("ndpar par_sum", 1),
        ("ndarray sum()", 1),
    );
    report.ratio(
        "ndpar par_sum speedup, all threads vs 1",
        ("ndpar par_sum", all),
        ("ndpar par_sum", 1),
    );
    report
}

fn case_zip(threads: &[usize], rounds: usize) -> Report {
    let n = 1 << 25;
    let (a, b) = (data(n), data(n).mapv(|x| 1.0 - x));
    let all = *threads.last().unwrap();
    let mut out1 = Array1::<f64>::zeros(n);
    let mut out2 = Array1::<f64>::zeros(n);
    let mut out3 = Array1::<f64>::zeros(n);
    let mut vs = vec![
        variant("ndarray Zip::for_each", 1, || {
            Zip::from(&mut out1)
                .and(&a)
                .and(&b)
                .for_each(|c, &x, &y| *c = x + 3.0 * y)
        }),
        variant("ndarray Zip::par_for_each", all, || {
            Zip::from(&mut out2)
                .and(&a)
                .and(&b)
                .par_for_each(|c, &x, &y| *c = x + 3.0 * y)
        }),
        variant("ndpar par_zip3_mut_with", all, || {
            out3.par_zip3_mut_with(&a, &b, |c, &x, &y| *c = x + 3.0 * y)
        }),
    ];
    let times = measure(&mut vs, rounds);
    let report = Report {
        title: format!(
            "zip map c = a + 3b into a preallocated c, 2^25 f64, {rounds} interleaved rounds"
        ),
        unit_bytes: (3 * n * 8) as f64,
        rows: vs
            .iter()
            .zip(times)
            .map(|(v, t)| (v.name.clone(), v.threads, t))
            .collect(),
    };
    report.print();
    println!();
    report.ratio(
        "ndpar vs Zip::par_for_each, all threads",
        ("ndpar par_zip3_mut_with", all),
        ("ndarray Zip::par_for_each", all),
    );
    report
}

fn case_axis(threads: &[usize], rounds: usize) -> Report {
    use ndarray::{Array2, Axis, ShapeBuilder};
    let n = 4096;
    let all = *threads.last().unwrap();
    let f = |(i, j): (usize, usize)| ((i * n + j) as f64 * 0.618_033_988_75).fract();
    let c = Array2::from_shape_fn((n, n), f);
    let fo = Array2::from_shape_fn((n, n).f(), f);
    let mut vs = Vec::new();
    for (order, m) in [("C", &c), ("F", &fo)] {
        vs.push(variant(
            format!("{order}: ndpar par_sum (whole array)"),
            all,
            move || {
                black_box(m.par_sum());
            },
        ));
        for ax in [0, 1] {
            vs.push(variant(
                format!("{order}: ndarray sum_axis(Axis({ax}))"),
                1,
                move || {
                    black_box(m.sum_axis(Axis(ax)));
                },
            ));
            vs.push(variant(
                format!("{order}: rayon, one task per output element, Axis({ax})"),
                all,
                move || {
                    let other = 1 - ax;
                    black_box(
                        (0..m.len_of(Axis(other)))
                            .into_par_iter()
                            .map(|i| m.index_axis(Axis(other), i).sum())
                            .collect::<Vec<f64>>(),
                    );
                },
            ));
            vs.push(variant(
                format!("{order}: ndpar par_sum_axis(Axis({ax}))"),
                all,
                move || {
                    black_box(m.par_sum_axis(Axis(ax)));
                },
            ));
        }
    }
    let times = measure(&mut vs, rounds);
    let report = Report {
        title: format!(
            "par_sum_axis, 4096 × 4096 f64 in C and F order, {rounds} interleaved rounds"
        ),
        unit_bytes: (n * n * 8) as f64,
        rows: vs
            .iter()
            .zip(times)
            .map(|(v, t)| (v.name.clone(), v.threads, t))
            .collect(),
    };
    report.print();
    println!();
    for order in ["C", "F"] {
        for ax in [0, 1] {
            report.ratio(
                &format!(
                    "{order} order, par_sum_axis(Axis({ax})) vs whole-array par_sum, all threads"
                ),
                (&format!("{order}: ndpar par_sum_axis(Axis({ax}))"), all),
                (&format!("{order}: ndpar par_sum (whole array)"), all),
            );
        }
    }
    report
}

/// One output row of the 5-point Jacobi step (hand-written baseline);
/// `up`/`down` are zero rows at the grid's edges.
fn jacobi_row(up: &[f64], mid: &[f64], down: &[f64], out: &mut [f64]) {
    let m = mid.len();
    out[0] = 0.25 * (up[0] + down[0] + mid[1]);
    for j in 1..m - 1 {
        out[j] = 0.25 * (up[j] + down[j] + mid[j - 1] + mid[j + 1]);
    }
    out[m - 1] = 0.25 * (up[m - 1] + down[m - 1] + mid[m - 2]);
}

fn jacobi_hand(u: &ndarray::Array2<f64>, out: &mut ndarray::Array2<f64>, parallel: bool) {
    let (n, m) = u.dim();
    let (us, zero) = (u.as_slice().unwrap(), vec![0.0; m]);
    let row = |(i, o): (usize, &mut [f64])| {
        let up = if i > 0 {
            &us[(i - 1) * m..i * m]
        } else {
            &zero[..]
        };
        let down = if i + 1 < n {
            &us[(i + 1) * m..(i + 2) * m]
        } else {
            &zero[..]
        };
        jacobi_row(up, &us[i * m..(i + 1) * m], down, o);
    };
    let o = out.as_slice_mut().unwrap();
    if parallel {
        o.par_chunks_mut(m).enumerate().for_each(row);
    } else {
        o.chunks_mut(m).enumerate().for_each(row);
    }
}

fn case_stencil(threads: &[usize], rounds: usize) -> Report {
    use ndarray::{Array2, array};
    use ndpar::blocks::{Boundary, par_correlate_2d_into};
    let n = 4096;
    let all = *threads.last().unwrap();
    let u = Array2::from_shape_fn((n, n), |(i, j)| {
        ((i * n + j) as f64 * 0.618_033_988_75).fract()
    });
    let w = array![[0.0, 0.25, 0.0], [0.25, 0.0, 0.25], [0.0, 0.25, 0.0]];
    let mut outs: Vec<Array2<f64>> = (0..threads.len() + 2)
        .map(|_| Array2::zeros((n, n)))
        .collect();
    let (hand, ours) = outs.split_at_mut(2);
    let (seq_out, par_out) = hand.split_at_mut(1);
    let mut vs = vec![
        variant("hand-written sequential stencil", 1, || {
            jacobi_hand(&u, &mut seq_out[0], false)
        }),
        variant("hand-written rayon row-parallel stencil", all, || {
            jacobi_hand(&u, &mut par_out[0], true)
        }),
    ];
    for (&t, out) in threads.iter().zip(ours.iter_mut()) {
        let (u, w) = (&u, &w);
        vs.push(variant("ndpar par_correlate_2d_into", t, move || {
            par_correlate_2d_into(u, w, Boundary::Constant(0.0), out)
        }));
    }
    let times = measure(&mut vs, rounds);
    let report = Report {
        title: format!(
            "5-point Jacobi step, 4096 × 4096 f64, into a preallocated grid, {rounds} interleaved rounds"
        ),
        unit_bytes: (2 * n * n * 8) as f64,
        rows: vs
            .iter()
            .zip(times)
            .map(|(v, t)| (v.name.clone(), v.threads, t))
            .collect(),
    };
    report.print();
    println!();
    report.ratio(
        "ndpar vs hand-written rayon row-parallel stencil, all threads ",
        ("ndpar par_correlate_2d_into", all),
        ("hand-written rayon row-parallel stencil", all),
    );
    report.ratio(
        &format!("ndpar speedup, {all} threads vs 1"),
        ("ndpar par_correlate_2d_into", all),
        ("ndpar par_correlate_2d_into", 1),
    );
    report
}

fn case_scan(threads: &[usize], rounds: usize) -> Report {
    let n = 1 << 25;
    let a = data(n);
    let all = *threads.last().unwrap();
    let mut vs = vec![variant(
        "sequential running-sum loop into a new Vec",
        1,
        || {
            let mut acc = 0.0;
            let out: Vec<f64> = a
                .iter()
                .map(|&x| {
                    acc += x;
                    acc
                })
                .collect();
            black_box(out);
        },
    )];
    for &t in threads {
        vs.push(variant("ndpar par_cumsum", t, || {
            black_box(a.par_cumsum(ndarray::Axis(0)));
        }));
    }
    let times = measure(&mut vs, rounds);
    let report = Report {
        title: format!("par_cumsum, 2^25 f64 (new array), {rounds} interleaved rounds"),
        unit_bytes: (2 * n * 8) as f64,
        rows: vs
            .iter()
            .zip(times)
            .map(|(v, t)| (v.name.clone(), v.threads, t))
            .collect(),
    };
    report.print();
    println!();
    report.ratio(
        &format!("ndpar par_cumsum speedup, {all} threads vs 1"),
        ("ndpar par_cumsum", all),
        ("ndpar par_cumsum", 1),
    );
    report.ratio(
        "ndpar par_cumsum on 1 thread vs the sequential loop",
        ("ndpar par_cumsum", 1),
        ("sequential running-sum loop into a new Vec", 1),
    );
    report
}

/// A good sequential histogram loop: one multiply per value and the edge
/// correction, into one counts vector.
fn histogram_seq(xs: &[f64], bins: usize) -> Vec<u64> {
    let step = 1.0 / bins as f64;
    let mut edges: Vec<f64> = (0..=bins).map(|i| i as f64 * step).collect();
    edges[bins] = 1.0;
    let mut counts = vec![0u64; bins];
    for &x in xs {
        if (0.0..=1.0).contains(&x) {
            let mut i = ((x * bins as f64) as usize).min(bins - 1);
            if x < edges[i] {
                i -= 1;
            } else if i + 1 < bins && x >= edges[i + 1] {
                i += 1;
            }
            counts[i] += 1;
        }
    }
    counts
}

fn case_histogram(threads: &[usize], rounds: usize) -> Report {
    let n = 1 << 25;
    let a = data(n);
    let all = *threads.last().unwrap();
    let mut vs = vec![variant("sequential loop", 1, || {
        black_box(histogram_seq(a.as_slice().unwrap(), 256));
    })];
    for &t in threads {
        vs.push(variant("ndpar par_histogram", t, || {
            black_box(ndpar::par_histogram(&a, 256, Some((0.0, 1.0))).unwrap());
        }));
    }
    let times = measure(&mut vs, rounds);
    let report = Report {
        title: format!("par_histogram, 2^25 f64 into 256 bins, {rounds} interleaved rounds"),
        unit_bytes: (n * 8) as f64,
        rows: vs
            .iter()
            .zip(times)
            .map(|(v, t)| (v.name.clone(), v.threads, t))
            .collect(),
    };
    report.print();
    println!();
    report.ratio(
        &format!("ndpar par_histogram speedup, {all} threads vs 1"),
        ("ndpar par_histogram", all),
        ("ndpar par_histogram", 1),
    );
    report.ratio(
        "ndpar par_histogram on 1 thread vs the sequential loop",
        ("ndpar par_histogram", 1),
        ("sequential loop", 1),
    );
    report
}

fn case_pairwise(threads: &[usize], rounds: usize, big: bool) -> Report {
    use ndpar::linalg::{Metric, par_pairwise_distances};
    let (n, d) = (if big { 8192 } else { 2048 }, 64);
    let all = *threads.last().unwrap();
    let sample = |seed: usize| {
        ndarray::Array2::from_shape_fn((n, d), |(i, j)| {
            (((i * d + j) * 7 + seed) as f64 * 0.618_033_988_75).fract()
        })
    };
    let (x, y) = (sample(1), sample(2));
    let mut vs = Vec::new();
    for &t in threads {
        vs.push(variant(
            "ndpar par_pairwise_distances (Euclidean)",
            t,
            || {
                black_box(par_pairwise_distances(&x, &y, Metric::Euclidean));
            },
        ));
    }
    let times = measure(&mut vs, rounds);
    let report = Report {
        title: format!(
            "pairwise Euclidean distances, {n} × {n} × {d} f64, {rounds} interleaved rounds"
        ),
        unit_bytes: (n * n * 8) as f64,
        rows: vs
            .iter()
            .zip(times)
            .map(|(v, t)| (v.name.clone(), v.threads, t))
            .collect(),
    };
    report.print();
    println!();
    report.ratio(
        &format!("speedup, {all} threads vs 1"),
        ("ndpar par_pairwise_distances (Euclidean)", all),
        ("ndpar par_pairwise_distances (Euclidean)", 1),
    );
    report
}

fn case_matmul(threads: &[usize], rounds: usize, big: bool) -> Report {
    use ndpar::linalg::par_matmul;
    let n = if big { 4096 } else { 1024 };
    let all = *threads.last().unwrap();
    let sample = |seed: usize| {
        ndarray::Array2::from_shape_fn((n, n), |(i, j)| {
            (((i * n + j) * 7 + seed) as f64 * 0.618_033_988_75).fract()
        })
    };
    let (a, b) = (sample(1), sample(2));
    let mut vs = vec![variant(
        "ndarray dot (single-threaded matrixmultiply)",
        1,
        || {
            black_box(a.dot(&b));
        },
    )];
    vs.push(variant("ndpar par_matmul", all, || {
        black_box(par_matmul(&a, &b));
    }));
    let times = measure(&mut vs, rounds);
    let report = Report {
        title: format!(
            "matrix product, {n} × {n} f64, {rounds} interleaved rounds (throughput column: GB/s of C)"
        ),
        unit_bytes: (n * n * 8) as f64,
        rows: vs
            .iter()
            .zip(times)
            .map(|(v, t)| (v.name.clone(), v.threads, t))
            .collect(),
    };
    report.print();
    println!();
    report.ratio(
        &format!("par_matmul on {all} threads vs ndarray dot"),
        ("ndpar par_matmul", all),
        ("ndarray dot (single-threaded matrixmultiply)", 1),
    );
    report
}

fn case_random(threads: &[usize], rounds: usize) -> Report {
    use ndarray_rand::RandomExt;
    use ndpar::random::rand::SeedableRng;
    use ndpar::random::{ChaCha8Rng, StandardNormal, par_random};
    let n = 1 << 25;
    let all = *threads.last().unwrap();
    let mut vs = vec![variant(
        "ndarray-rand Array::random_using (ChaCha8)",
        1,
        || {
            let mut rng = ChaCha8Rng::seed_from_u64(1);
            black_box(Array1::<f64>::random_using(n, StandardNormal, &mut rng));
        },
    )];
    for &t in threads {
        vs.push(variant(
            "ndpar par_random (ChaCha8 streams)",
            t,
            move || {
                black_box(par_random::<f64, _, _>(n, &StandardNormal, 1));
            },
        ));
    }
    let times = measure(&mut vs, rounds);
    let report = Report {
        title: format!("StandardNormal f64, 2^25 values (new array), {rounds} interleaved rounds"),
        unit_bytes: (n * 8) as f64,
        rows: vs
            .iter()
            .zip(times)
            .map(|(v, t)| (v.name.clone(), v.threads, t))
            .collect(),
    };
    report.print();
    println!();
    report.ratio(
        &format!("ndpar par_random on {all} threads vs ndarray-rand on one"),
        ("ndpar par_random (ChaCha8 streams)", all),
        ("ndarray-rand Array::random_using (ChaCha8)", 1),
    );
    report.ratio(
        "ndpar par_random on 1 thread vs ndarray-rand",
        ("ndpar par_random (ChaCha8 streams)", 1),
        ("ndarray-rand Array::random_using (ChaCha8)", 1),
    );
    report
}

fn expsin(x: f64) -> f64 {
    x.exp() * x.sin()
}

fn case_map(threads: &[usize], rounds: usize) -> Report {
    let n = 1 << 22;
    let a = data(n);
    let all = *threads.last().unwrap();
    let mut buffers = [vec![0.0; n], vec![0.0; n]];
    let mut outs = [Array1::<f64>::zeros(n), Array1::zeros(n)];
    let mut vs = vec![
        variant("ndarray mapv", 1, || {
            drop(black_box(black_box(&a).mapv(expsin)))
        }),
        variant("ndarray Zip::par_map_collect", all, || {
            drop(black_box(
                Zip::from(black_box(&a)).par_map_collect(|&x| expsin(x)),
            ))
        }),
    ];
    for (&t, buffer) in [1, all].iter().zip(buffers.iter_mut()) {
        let a = &a;
        vs.push(variant(
            "rayon slices into a preallocated buffer",
            t,
            move || {
                let xs = a.as_slice().unwrap();
                buffer
                    .par_chunks_mut(1 << 13)
                    .zip(xs.par_chunks(1 << 13))
                    .for_each(|(o, x)| o.iter_mut().zip(x).for_each(|(o, &x)| *o = expsin(x)));
            },
        ));
    }
    // The fairest baseline for a map that returns a new array: the same
    // rayon kernel writing into a freshly allocated (uninitialised) Vec, so
    // that both pay the page faults of new memory.
    for &t in &[1, all] {
        vs.push(variant("rayon slices into a fresh Vec", t, || {
            let xs = a.as_slice().unwrap();
            let mut out: Vec<f64> = Vec::with_capacity(xs.len());
            out.spare_capacity_mut()
                .par_chunks_mut(1 << 13)
                .zip(xs.par_chunks(1 << 13))
                .for_each(|(o, x)| {
                    o.iter_mut().zip(x).for_each(|(o, &x)| {
                        o.write(expsin(x));
                    })
                });
            black_box(&out);
        }));
    }
    for &t in threads {
        vs.push(variant("ndpar par_mapv", t, || {
            drop(black_box(black_box(&a).par_mapv(expsin)))
        }));
    }
    // The same map into a preallocated output, to compare with the rayon
    // kernel that writes into a preallocated buffer.
    for (&t, out) in [1, all].iter().zip(outs.iter_mut()) {
        let a = &a;
        vs.push(variant(
            "ndpar par_zip_mut_with into a preallocated array",
            t,
            move || out.par_zip_mut_with(a, |o, &x| *o = expsin(x)),
        ));
    }
    let times = measure(&mut vs, rounds);
    let report = Report {
        title: format!(
            "par_mapv(|x| x.exp() * x.sin()), 2^22 f64, new array, {rounds} interleaved rounds"
        ),
        unit_bytes: (2 * n * 8) as f64,
        rows: vs
            .iter()
            .zip(times)
            .map(|(v, t)| (v.name.clone(), v.threads, t))
            .collect(),
    };
    report.print();
    println!();
    report.ratio(
        &format!("ndpar par_mapv speedup, {all} threads vs 1"),
        ("ndpar par_mapv", all),
        ("ndpar par_mapv", 1),
    );
    report.ratio(
        "ndpar par_mapv vs rayon into a preallocated buffer, all threads",
        ("ndpar par_mapv", all),
        ("rayon slices into a preallocated buffer", all),
    );
    report.ratio(
        "ndpar into a preallocated array vs rayon into a preallocated buffer, all threads",
        ("ndpar par_zip_mut_with into a preallocated array", all),
        ("rayon slices into a preallocated buffer", all),
    );
    report.ratio(
        "rayon into a preallocated buffer speedup, all threads vs 1 (what this machine allows)",
        ("rayon slices into a preallocated buffer", all),
        ("rayon slices into a preallocated buffer", 1),
    );
    report.ratio(
        "ndpar into a preallocated array speedup, all threads vs 1",
        ("ndpar par_zip_mut_with into a preallocated array", all),
        ("ndpar par_zip_mut_with into a preallocated array", 1),
    );
    report.ratio(
        "ndpar par_mapv vs rayon into a fresh Vec (same page faults), all threads",
        ("ndpar par_mapv", all),
        ("rayon slices into a fresh Vec", all),
    );
    report.ratio(
        "rayon into a fresh Vec speedup, all threads vs 1",
        ("rayon slices into a fresh Vec", all),
        ("rayon slices into a fresh Vec", 1),
    );
    report.ratio(
        "ndarray Zip::par_map_collect speedup vs ndarray mapv",
        ("ndarray Zip::par_map_collect", all),
        ("ndarray mapv", 1),
    );
    report
}

/// Scaling runner: ndpar's kernels against ndarray and hand-written rayon
/// kernels on every thread count, in interleaved rounds; prints Markdown
/// tables with the machine and the command.
#[derive(clap::Parser, Debug)]
struct Cli {
    /// Thread counts, comma-separated (default: the powers of two below the
    /// CPU count, and the CPU count).
    #[arg(long, value_delimiter = ',', value_name = "LIST", value_parser = thread_count)]
    threads: Vec<usize>,
    /// Interleaved rounds per case (medians over rounds are reported).
    #[arg(long, default_value_t = 11, value_parser = at_least_one)]
    rounds: usize,
    /// Run only the cases whose name contains this text (sum, zip, map,
    /// axis, stencil, scan, histogram, pairwise, matmul, random).
    #[arg(long, value_name = "TEXT")]
    only: Option<String>,
    /// Larger pairwise-distance and matmul problems (for many-core
    /// machines; the defaults finish quickly on 2 cores).
    #[arg(long)]
    big: bool,
    /// Folder for scaling.csv (one row per case, variant and thread count).
    #[arg(long, value_name = "DIR", default_value = "target/scaling")]
    out: std::path::PathBuf,
}

/// Writes every measured row to `out/scaling.csv`.
fn write_csv(
    out: &std::path::Path,
    reports: &[Report],
    cpu: &str,
) -> std::io::Result<std::path::PathBuf> {
    use std::io::Write;
    std::fs::create_dir_all(out)?;
    let path = out.join("scaling.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path)?);
    writeln!(f, "case,variant,threads,median_ms,gb_per_s,cpus,cpu")?;
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    for r in reports {
        for (name, threads, secs) in &r.rows {
            writeln!(
                f,
                "{},{},{threads},{:.4},{:.3},{},{}",
                quote(&r.title),
                quote(name),
                secs * 1e3,
                r.unit_bytes / secs / 1e9,
                ndpar::cpu_count(),
                quote(cpu)
            )?;
        }
    }
    f.flush()?;
    Ok(path)
}

fn thread_count(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (1..=ndpar::MAX_THREADS).contains(&n) => Ok(n),
        _ => Err(format!("a thread count from 1 to {}", ndpar::MAX_THREADS)),
    }
}

fn at_least_one(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err("a number of at least 1".into()),
    }
}

fn main() {
    let Cli {
        mut threads,
        rounds,
        only,
        big,
        out,
    } = clap::Parser::parse();
    if threads.is_empty() {
        let cpus = ndpar::cpu_count();
        threads = (0..)
            .map(|k| 1usize << k)
            .take_while(|&t| t < cpus)
            .collect();
        threads.push(cpus);
    }
    threads.sort_unstable();
    threads.dedup();
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            let kb: f64 = s.lines().next()?.split_whitespace().nth(1)?.parse().ok()?;
            Some(format!(", {:.0} GiB", kb / (1024.0 * 1024.0)))
        })
        .unwrap_or_default();
    let command: Vec<String> = std::env::args().skip(1).collect();
    println!(
        "## ndpar scaling run\n\nMachine: {} CPUs available ({cpu}{memory}); thread counts {threads:?}.  \n\
         Command: `cargo run -p ndpar-bench --release --example scaling{}{}`",
        ndpar::cpu_count(),
        if command.is_empty() { "" } else { " -- " },
        command.join(" ")
    );
    let wants = |name: &str| only.as_deref().is_none_or(|o| name.contains(o));
    let mut reports = Vec::new();
    if wants("sum") {
        reports.push(case_sum(&threads, rounds));
    }
    if wants("zip") {
        reports.push(case_zip(&threads, rounds));
    }
    if wants("map") {
        reports.push(case_map(&threads, rounds));
    }
    if wants("axis") {
        reports.push(case_axis(&threads, rounds));
    }
    if wants("stencil") {
        reports.push(case_stencil(&threads, rounds));
    }
    if wants("scan") {
        reports.push(case_scan(&threads, rounds));
    }
    if wants("histogram") {
        reports.push(case_histogram(&threads, rounds));
    }
    if wants("pairwise") {
        reports.push(case_pairwise(&threads, rounds, big));
    }
    if wants("matmul") {
        reports.push(case_matmul(&threads, rounds, big));
    }
    if wants("random") {
        reports.push(case_random(&threads, rounds));
    }
    match write_csv(&out, &reports, &cpu) {
        Ok(path) => println!("\nCSV: {}", path.display()),
        Err(e) => {
            eprintln!("cannot write the CSV under {}: {e}", out.display());
            std::process::exit(1);
        }
    }
}
