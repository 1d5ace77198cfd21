//! Heat diffusion on a plate: the explicit finite-difference scheme for
//! `∂u/∂t = κ ∇²u` on a square grid, as a 5-point stencil applied for a
//! number of steps with [`par_correlate_2d_into`] (two buffers swapped each
//! step). The edges of the plate are held at 0; a hot disc and a warm bar
//! start the flow. The same kernel on one thread gives the sequential
//! time; the update written as plain loops is the oracle both must match. Writes the final field as `heat.png` (a heat
//! map) and `heat.npy` (numpy can open it).
//!
//! ```text
//! cargo run --release -p ndpar-examples --example heat_equation -- --grid 800 --steps 4000
//! ```

use std::process::ExitCode;

use clap::Parser;
use ndarray::Array2;
use ndpar::blocks::{Boundary, par_correlate_2d_into};
use ndpar::io::save_npy;
use ndpar_examples::{Common, Table, check_memory, output_dir, plate, time_ms, write_heat_map};

/// Explicit 2-D heat diffusion with the stencil kernels.
#[derive(Parser, Debug)]
struct Cli {
    /// Grid points per side.
    #[arg(long, default_value_t = 800, value_parser = ndpar_examples::at_least::<3>)]
    grid: usize,
    /// Time steps.
    #[arg(long, default_value_t = 1000)]
    steps: usize,
    /// κ·Δt/Δx²; the scheme is stable up to 0.25.
    #[arg(long, default_value_t = 0.2, value_parser = ndpar_examples::stable_alpha)]
    alpha: f64,
    /// Folder for heat.png and heat.npy (default target/examples-output).
    #[arg(long)]
    out: Option<std::path::PathBuf>,
    #[command(flatten)]
    common: Common,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let c = &cli.common;
    // The field, its next step and the saved copies: a few grids' worth.
    let points = cli.grid.saturating_mul(cli.grid);
    if let Err(code) = check_memory(&format!("--grid {}", cli.grid), points, 4 * 8) {
        return code;
    }
    let start = initial_field(cli.grid);
    let a = cli.alpha;
    let weights = ndarray::array![[0.0, a, 0.0], [a, 1.0 - 4.0 * a, a], [0.0, a, 0.0]];

    let simulate = || {
        let (mut u, mut next) = (start.clone(), start.clone());
        for _ in 0..cli.steps {
            par_correlate_2d_into(&u, &weights, Boundary::Constant(0.0), &mut next);
            std::mem::swap(&mut u, &mut next);
        }
        u
    };
    let (seq_ms, _) = time_ms(c.reps, || c.sequential(simulate));
    let (par_ms, got) = time_ms(c.reps, || c.parallel(simulate));
    let want = loops(&start, a, cli.steps);

    let diff = want
        .iter()
        .zip(&got)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max);
    let mut table = Table::new("2-D heat equation, explicit scheme", c.threads());
    table.compare(
        &format!("{} steps on {}x{}", cli.steps, cli.grid, cli.grid),
        seq_ms,
        par_ms,
        diff <= 1e-12,
        format!("max difference {diff:.1e}; heat left {:.1}", got.sum()),
    );

    let dir = match output_dir(cli.out.as_deref()) {
        Ok(dir) => dir,
        Err(code) => return code,
    };
    let (png, npy) = (dir.join("heat.png"), dir.join("heat.npy"));
    if let Err(e) = write_heat_map(&png, &got) {
        eprintln!("{}: {e}", png.display());
        return ExitCode::FAILURE;
    }
    if let Err(e) = save_npy(&npy, &got) {
        eprintln!("{e}");
        return ExitCode::FAILURE;
    }
    let code = table.finish(c.json);
    if !c.json {
        println!("\nwrote {} and {}", png.display(), npy.display());
    }
    code
}

/// The plate of [`plate`] on an `n`-point grid.
fn initial_field(n: usize) -> Array2<f64> {
    Array2::from_shape_fn((n, n), |(i, j)| plate(n, i, j))
}

/// The same scheme as loops: each point becomes a weighted sum of itself
/// and its four neighbours (0 beyond the edges), added up in the order
/// the stencil kernel uses (row by row through the weights).
fn loops(start: &Array2<f64>, a: f64, steps: usize) -> Array2<f64> {
    let (r, c) = start.dim();
    let centre = 1.0 - 4.0 * a;
    let (mut u, mut next) = (start.clone(), start.clone());
    for _ in 0..steps {
        for i in 0..r {
            for j in 0..c {
                let at = |di: isize, dj: isize| {
                    let (y, x) = (i as isize + di, j as isize + dj);
                    if y < 0 || x < 0 || y >= r as isize || x >= c as isize {
                        0.0
                    } else {
                        u[[y as usize, x as usize]]
                    }
                };
                next[[i, j]] =
                    a * at(-1, 0) + a * at(0, -1) + centre * at(0, 0) + a * at(0, 1) + a * at(1, 0);
            }
        }
        std::mem::swap(&mut u, &mut next);
    }
    u
}
