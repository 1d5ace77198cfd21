//! Reproducible parallel sampling: π from random points in the unit
//! square. Every block of samples draws from its own ChaCha stream, fixed
//! by the seed and the block's position, so the estimate is the same bits
//! on one thread and on any number.
//!
//! ```text
//! cargo run --release -p ndpar-examples --example monte_carlo_pi -- --samples 100000000
//! ```

use std::process::ExitCode;

use clap::Parser;
use ndpar::random::par_monte_carlo;
use ndpar::random::rand::Rng;
use ndpar_examples::{Common, Table, time_ms};

/// Estimates π by Monte Carlo, on one thread and on many, and checks that
/// both give the same bits.
#[derive(Parser, Debug)]
struct Cli {
    /// Number of random points.
    #[arg(long, default_value_t = 40_000_000)]
    samples: usize,
    /// Seed of the random streams.
    #[arg(long, default_value_t = 2024)]
    seed: u64,
    #[command(flatten)]
    common: Common,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let c = &cli.common;
    // 4 · P(x² + y² ≤ 1) for a uniform point in the unit square.
    let inside = |rng: &mut ndpar::random::ChaCha8Rng| {
        let (x, y): (f64, f64) = (rng.random(), rng.random());
        if x * x + y * y <= 1.0 { 4.0 } else { 0.0 }
    };
    let run = || par_monte_carlo(cli.samples, cli.seed, inside).expect("at least two samples");
    let (seq_ms, one) = time_ms(c.reps, || c.sequential(run));
    let (par_ms, many) = time_ms(c.reps, || c.parallel(run));

    let mut table = Table::new("Monte Carlo estimate of pi", c.threads());
    table.compare(
        &format!("pi from {} points", cli.samples),
        seq_ms,
        par_ms,
        one.mean.to_bits() == many.mean.to_bits(),
        "same bits on 1 and N threads",
    );
    // Five standard errors: wrong with probability about 6e-7.
    let error = (many.mean - std::f64::consts::PI).abs();
    table.compare(
        "estimate within 5 standard errors",
        seq_ms,
        par_ms,
        error <= 5.0 * many.std_error,
        format!(
            "pi = {:.6} ± {:.6} (true error {error:.1e})",
            many.mean, many.std_error
        ),
    );
    table.finish(c.json)
}
