//! Monte Carlo over MPI ranks: π from random points in the unit square,
//! the `monte_carlo_pi` example spread over ranks. The random streams are
//! split over the ranks and merged along ndpar's fixed tree, so the
//! estimate has the same bits on any number of ranks as on one machine;
//! rank 0 checks that, and the program exits non-zero if it does not hold.
//! A distributed random array's moments are checked the same way.
//!
//! ```text
//! cargo build --release -p ndpar-examples --features mpi --example dist_monte_carlo
//! mpirun -n 4 target/release/examples/dist_monte_carlo --samples 100000000
//! ```

use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use ndpar::dist::{DistArray, Split, World, par_monte_carlo};
use ndpar::random::rand::Rng;
use ndpar::random::{ChaCha8Rng, StandardNormal, par_random};
use ndpar::{ParReduce, Params, Reproducibility};
use ndpar_examples::{rank_outcome, start_rank};

/// Estimates π over MPI ranks and checks the bits against one machine.
#[derive(Parser, Debug)]
struct Cli {
    /// Number of random points.
    #[arg(long, default_value_t = 40_000_000, value_parser = ndpar_examples::at_least::<2>)]
    samples: usize,
    /// Seed of the random streams.
    #[arg(long, default_value_t = 2024)]
    seed: u64,
    /// Threads per rank (default: the machine's CPUs over the ranks on it,
    /// at least 1).
    #[arg(long, value_parser = ndpar_examples::at_least_one)]
    threads: Option<usize>,
}

/// 4 · P(x² + y² ≤ 1) for a uniform point in the unit square.
fn inside(rng: &mut ChaCha8Rng) -> f64 {
    let (x, y): (f64, f64) = (rng.random(), rng.random());
    if x * x + y * y <= 1.0 { 4.0 } else { 0.0 }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (world, threads) = match start_rank(cli.threads) {
        Ok(started) => started,
        Err(code) => return code,
    };
    rank_outcome(world.rank(), run(&cli, &world, threads))
}

fn run(cli: &Cli, world: &World, threads: usize) -> ndpar::Result<ExitCode> {
    world.barrier()?;
    let clock = Instant::now();
    let pi = par_monte_carlo(world, cli.samples, cli.seed, inside)?.expect("at least 2 samples");
    let dist_ms = clock.elapsed().as_secs_f64() * 1e3;

    // A distributed standard normal sample, reduced at the layout level.
    let rows = (cli.samples / 1000).clamp(1, 100_000);
    let x = DistArray::<f64, _>::random(
        world,
        (rows, 1000),
        Split::Balanced,
        &StandardNormal,
        cli.seed,
    )?;
    let layout = Params::current().with_reproducibility(Reproducibility::Layout);
    let (mean, var) = layout.install(|| Ok::<_, ndpar::Error>((x.par_mean()?, x.par_var(1.0)?)))?;

    if world.rank() != 0 {
        return Ok(ExitCode::SUCCESS);
    }
    let clock = Instant::now();
    let one = ndpar::random::par_monte_carlo(cli.samples, cli.seed, inside).expect("2 samples");
    let one_ms = clock.elapsed().as_secs_f64() * 1e3;
    let whole = par_random::<f64, _, _>((rows, 1000), &StandardNormal, cli.seed);
    let (mean1, var1) = layout.install(|| (whole.par_mean(), whole.par_var(1.0)));
    let same_pi = pi.mean.to_bits() == one.mean.to_bits()
        && pi.std_error.to_bits() == one.std_error.to_bits();
    let same_moments = mean.map(f64::to_bits) == mean1.map(f64::to_bits)
        && var.map(f64::to_bits) == var1.map(f64::to_bits);
    let error = (pi.mean - std::f64::consts::PI).abs();
    let yes = |b: bool| if b { "yes" } else { "NO" };
    println!(
        "Monte Carlo over {} ranks x {threads} threads: {} points",
        world.size(),
        cli.samples
    );
    println!("  distributed          {dist_ms:10.1} ms");
    println!("  one machine (rank 0) {one_ms:10.1} ms");
    println!(
        "  pi = {:.6} ± {:.6} (true error {error:.1e}); same bits as one machine: {}",
        pi.mean,
        pi.std_error,
        yes(same_pi)
    );
    println!(
        "  {rows}x1000 normal sample: mean {:.2e}, variance {:.4}; same bits as one machine: {}",
        mean.unwrap_or(f64::NAN),
        var.unwrap_or(f64::NAN),
        yes(same_moments)
    );
    // Five standard errors: wrong with probability about 6e-7.
    let plausible = error <= 5.0 * pi.std_error;
    Ok(if same_pi && same_moments && plausible {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
