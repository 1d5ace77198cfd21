//! Heat diffusion on a plate, split over MPI ranks: the `heat_equation`
//! example's scheme (a 5-point stencil, edges held at 0) on a
//! [`DistArray`] whose rows are spread over the ranks. Each step exchanges
//! one halo row with each neighbouring rank and runs the single-machine
//! stencil kernel on the padded block. Rank 0 then runs the same steps on
//! one machine and checks that the two fields are the same, bit for bit;
//! the program exits non-zero if they are not. Writes the final field as
//! `heat-dist.npy`, gathered on rank 0.
//!
//! ```text
//! cargo build --release -p ndpar-examples --features mpi --example dist_heat
//! mpirun -n 4 target/release/examples/dist_heat --grid 800 --steps 1000
//! ```

use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use ndarray::Array2;
use ndpar::blocks::{Boundary, par_correlate_2d_into};
use ndpar::dist::{DistArray, Split, World};
use ndpar_examples::{output_dir, plate, rank_outcome, start_rank};

/// Explicit 2-D heat diffusion on a distributed grid.
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
    /// Threads per rank (default: the machine's CPUs over the ranks on it,
    /// at least 1).
    #[arg(long, value_parser = ndpar_examples::at_least_one)]
    threads: Option<usize>,
    /// Folder for heat-dist.npy (default target/examples-output).
    #[arg(long)]
    out: Option<std::path::PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (world, threads) = match start_rank(cli.threads) {
        Ok(started) => started,
        Err(code) => return code,
    };
    let dir = match output_dir(cli.out.as_deref()) {
        Ok(dir) => dir,
        Err(code) => return code,
    };
    rank_outcome(world.rank(), run(&cli, &world, threads, &dir))
}

fn run(cli: &Cli, world: &World, threads: usize, dir: &std::path::Path) -> ndpar::Result<ExitCode> {
    let (n, a) = (cli.grid, cli.alpha);
    let weights = ndarray::array![[0.0, a, 0.0], [a, 1.0 - 4.0 * a, a], [0.0, a, 0.0]];
    let start = DistArray::from_fn(world, (n, n), Split::Balanced, |(i, j)| plate(n, i, j))?;

    world.barrier()?;
    let (clock, sent) = (Instant::now(), world.traffic());
    let (mut u, mut next) = (start.clone(), start);
    for _ in 0..cli.steps {
        u.par_correlate_2d_into(&weights, Boundary::Constant(0.0), &mut next)?;
        std::mem::swap(&mut u, &mut next);
    }
    world.barrier()?;
    let dist_ms = clock.elapsed().as_secs_f64() * 1e3;
    let steps = cli.steps.max(1) as u64;
    // Per step: one halo exchange (the rows) and one agreement (a few
    // bytes to every rank).
    let per_step = (world.traffic().bytes - sent.bytes) / steps;
    let per_step_all: Vec<u64> = world.all_gather(&per_step)?;

    let field = u.gather(0)?;
    u.save_npy(0, dir.join("heat-dist.npy"))?;
    let Some(field) = field else {
        return Ok(ExitCode::SUCCESS);
    };

    // The same steps on one machine (rank 0, its threads).
    let whole = Array2::from_shape_fn((n, n), |(i, j)| plate(n, i, j));
    let clock = Instant::now();
    let (mut v, mut next) = (whole.clone(), whole);
    for _ in 0..cli.steps {
        par_correlate_2d_into(&v, &weights, Boundary::Constant(0.0), &mut next);
        std::mem::swap(&mut v, &mut next);
    }
    let one_ms = clock.elapsed().as_secs_f64() * 1e3;
    let same = field
        .iter()
        .zip(&v)
        .all(|(x, y)| x.to_bits() == y.to_bits());

    println!(
        "Distributed 2-D heat equation: {n}x{n} grid, {} steps, {} ranks x {threads} threads",
        cli.steps,
        world.size()
    );
    println!("  distributed          {dist_ms:10.1} ms");
    println!("  one machine (rank 0) {one_ms:10.1} ms");
    println!(
        "  same bits as one machine: {}",
        if same { "yes" } else { "NO" }
    );
    println!("  heat left {:.3}", field.sum());
    println!("  wrote {}", dir.join("heat-dist.npy").display());
    println!(
        "  bytes sent per step by each rank: {per_step_all:?} (a halo row is {} bytes)",
        n * 8
    );
    if !same {
        eprintln!("the distributed field differs from the single-machine field");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
