//! Quickstart: sequential ndarray against ndpar on a few everyday kernels.
//! Times both, checks that they agree, and checks that ndpar gives the same
//! bits on every thread count. Exits with an error if anything disagrees.
//!
//! ```text
//! cargo run --release -p ndpar-examples --example quickstart
//! ```

use std::hint::black_box;
use std::time::Instant;

use ndarray::{Array1, Array2, Axis};
use ndpar::prelude::*;
use ndpar_examples::compensated_sum;

/// Median wall time of `f` over `reps` runs, in milliseconds.
fn time_ms<R>(reps: usize, mut f: impl FnMut() -> R) -> f64 {
    let mut times: Vec<f64> = (0..reps)
        .map(|_| {
            let start = Instant::now();
            black_box(f());
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[reps / 2]
}

fn row(name: &str, seq_ms: f64, par_ms: f64, agree: &str) {
    println!(
        "{name:<34} {seq_ms:>9.2} {par_ms:>9.2} {:>8.2}x   {agree}",
        seq_ms / par_ms
    );
}

fn main() -> Result<(), String> {
    let n: usize = 10_000_000;
    // Deterministic irregular data, mixing magnitudes.
    let a = Array1::from_iter((0..n).map(|i| {
        let x = ((i as f64) * 0.618_033_988_75).fract();
        (x - 0.5) * 10f64.powi((i % 7) as i32 - 3)
    }));
    let m = Array2::from_shape_fn((2000, 3000), |(i, j)| ((i * 3000 + j) as f64).sin());
    let reps = 7;

    println!(
        "ndpar quickstart: {} CPUs, rayon pool of {} threads\n",
        ndpar::cpu_count(),
        rayon::current_num_threads()
    );
    println!(
        "{:<34} {:>9} {:>9} {:>9}   check",
        "kernel (10^7 f64)", "seq ms", "ndpar ms", "speedup"
    );

    // Sum: ndpar is pairwise, ndarray's is a running sum of 8 lanes, so they
    // differ by rounding; compare against a compensated reference.
    let (s_seq, s_par) = (a.sum(), a.par_sum());
    let exact = compensated_sum(a.iter().copied());
    let tol = 1e-12 * a.iter().map(|x| x.abs()).sum::<f64>();
    check(
        (s_par - exact).abs() <= tol,
        "par_sum is within 1e-12·Σ|x| of a compensated sum",
    )?;
    row(
        "sum",
        time_ms(reps, || a.sum()),
        time_ms(reps, || a.par_sum()),
        &format!(
            "|ndpar-exact| = {:.1e}, |ndarray-exact| = {:.1e}",
            (s_par - exact).abs(),
            (s_seq - exact).abs()
        ),
    );

    let (v_seq, v_par) = (a.var(1.0), a.par_var(1.0).unwrap());
    check(
        ((v_seq - v_par) / v_seq).abs() < 1e-10,
        "par_var agrees with var",
    )?;
    row(
        "var (ddof = 1)",
        time_ms(reps, || a.var(1.0)),
        time_ms(reps, || a.par_var(1.0)),
        "agree to 1e-10",
    );

    // Dot: same story as the sum; ndpar is pairwise, ndarray's dot is an
    // 8-lane running sum.
    let (d_seq, d_par) = (a.dot(&a), a.par_vdot(&a));
    let d_exact = compensated_sum(a.iter().map(|x| x * x));
    check(
        ((d_par - d_exact) / d_exact).abs() < 1e-13,
        "par_dot is within 1e-13 (relative) of a compensated dot",
    )?;
    row(
        "dot",
        time_ms(reps, || a.dot(&a)),
        time_ms(reps, || a.par_vdot(&a)),
        &format!(
            "rel. error ndpar {:.1e}, ndarray {:.1e}",
            ((d_par - d_exact) / d_exact).abs(),
            ((d_seq - d_exact) / d_exact).abs()
        ),
    );

    let argmax_seq = a
        .iter()
        .enumerate()
        .fold((0, f64::NEG_INFINITY), |(bi, bv), (i, &x)| {
            if x > bv { (i, x) } else { (bi, bv) }
        })
        .0;
    check(
        a.par_argmax() == Some(argmax_seq),
        "par_argmax finds the first maximum",
    )?;
    row(
        "argmax",
        time_ms(reps, || {
            a.iter()
                .enumerate()
                .fold((0, f64::NEG_INFINITY), |(bi, bv), (i, &x)| {
                    if x > bv { (i, x) } else { (bi, bv) }
                })
        }),
        time_ms(reps, || a.par_argmax()),
        "identical index",
    );

    let f = |x: f64| x.exp() * x.sin();
    check(a.mapv(f) == a.par_mapv(f), "par_mapv equals mapv")?;
    row(
        "mapv exp(x)·sin(x)",
        time_ms(reps, || a.mapv(f)),
        time_ms(reps, || a.par_mapv(f)),
        "bitwise equal",
    );

    let mt = m.t();
    let (ms_seq, ms_par) = (mt.sum(), mt.par_sum());
    check(
        ((ms_seq - ms_par) / ms_seq.abs().max(1.0)).abs() < 1e-9,
        "transposed par_sum agrees",
    )?;
    row(
        "sum of a transposed 2000x3000",
        time_ms(reps, || mt.sum()),
        time_ms(reps, || mt.par_sum()),
        "agree to 1e-9",
    );

    // Column sums of a C-order matrix: ndarray walks rows; ndpar streams row
    // blocks into per-column partial sums.
    let (cs_seq, cs_par) = (m.sum_axis(Axis(0)), m.par_sum_axis(Axis(0)));
    let worst = (&cs_seq - &cs_par)
        .mapv(f64::abs)
        .fold(0.0f64, |a, &b| a.max(b));
    check(worst < 1e-9, "par_sum_axis(Axis(0)) agrees with sum_axis")?;
    row(
        "column sums of a 2000x3000",
        time_ms(reps, || m.sum_axis(Axis(0))),
        time_ms(reps, || m.par_sum_axis(Axis(0))),
        "agree to 1e-9",
    );

    // One Jacobi step for Laplace's equation on a 2000x3000 grid.
    let w = ndarray::array![[0.0, 0.25, 0.0], [0.25, 0.0, 0.25], [0.0, 0.25, 0.0]];
    let jacobi_seq = |u: &Array2<f64>| {
        Array2::from_shape_fn(u.dim(), |(i, j)| {
            let get = |di: isize, dj: isize| {
                let (r, c) = (i as isize + di, j as isize + dj);
                if r < 0 || c < 0 || r >= u.nrows() as isize || c >= u.ncols() as isize {
                    0.0
                } else {
                    u[[r as usize, c as usize]]
                }
            };
            0.25 * get(-1, 0) + 0.25 * get(0, -1) + 0.25 * get(0, 1) + 0.25 * get(1, 0)
        })
    };
    let zero = ndpar::Boundary::Constant(0.0);
    check(
        jacobi_seq(&m) == ndpar::par_correlate_2d(&m, &w, zero),
        "par_correlate_2d equals a naive stencil, bit for bit",
    )?;
    row(
        "Jacobi step, 2000x3000 (naive loop)",
        time_ms(reps, || jacobi_seq(&m)),
        time_ms(reps, || ndpar::par_correlate_2d(&m, &w, zero)),
        "bitwise equal",
    );

    // Determinism: the same bits on every thread count.
    let bits = |t: isize| {
        ndpar::with_threads(t, || {
            (
                a.par_sum().to_bits(),
                a.par_var(0.0).map(f64::to_bits),
                mt.par_sum().to_bits(),
            )
        })
        .unwrap()
    };
    let one = bits(1);
    for t in [2, 3, 4, 7, 16] {
        check(
            bits(t) == one,
            &format!("results on {t} threads equal those on 1 thread, bit for bit"),
        )?;
    }
    println!("\nsame bits on 1, 2, 3, 4, 7 and 16 threads: yes");
    Ok(())
}

fn check(ok: bool, what: &str) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(format!("check failed: {what}"))
    }
}
