//! A bootstrap confidence interval: the median of a skewed sample,
//! resampled with replacement thousands of times through
//! [`Parallel::map`] with a progress bar. Resample `b` draws from its own
//! random stream (the seed and `b`), so the interval is the same on any
//! number of threads.
//!
//! ```text
//! cargo run --release -p ndpar-examples --example bootstrap -- --resamples 4000 --progress
//! ```

use std::process::ExitCode;

use clap::Parser;
use ndarray::Array1;
use ndpar::Parallel;
use ndpar::random::rand::{Rng, SeedableRng};
use ndpar::random::{ChaCha8Rng, Exp, par_random};
use ndpar_examples::{Common, Table, check_memory, time_ms};

/// Bootstrap percentile interval of a median.
#[derive(Parser, Debug)]
struct Cli {
    /// Size of the sample.
    #[arg(long, default_value_t = 20_000, value_parser = ndpar_examples::at_least_one)]
    samples: usize,
    /// Number of bootstrap resamples.
    #[arg(long, default_value_t = 2000, value_parser = ndpar_examples::at_least::<40>)]
    resamples: usize,
    /// Show a progress bar while the parallel resamples run.
    #[arg(long)]
    progress: bool,
    #[command(flatten)]
    common: Common,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let c = &cli.common;
    if let Err(code) = check_memory(&format!("--samples {}", cli.samples), cli.samples, 3 * 8) {
        return code;
    }
    // Exponential data: the median is ln 2 / λ = ln 2 for λ = 1.
    let data: Array1<f64> = par_random(cli.samples, &Exp::new(1.0).unwrap(), 3);
    let data = data.as_slice().expect("a fresh array is contiguous");
    let seed = 77u64;
    let resample = |b: usize| {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(b as u64);
        let mut draw: Vec<f64> = (0..data.len())
            .map(|_| data[rng.random_range(0..data.len())])
            .collect();
        median(&mut draw)
    };

    let (seq_ms, want) = time_ms(c.reps, || {
        (0..cli.resamples).map(resample).collect::<Vec<_>>()
    });
    let p = Parallel::new()
        .n_jobs(c.threads() as isize)
        .expect("a valid thread count");
    let (par_ms, got) = time_ms(c.reps, || p.map(0..cli.resamples, resample).unwrap());
    if cli.progress {
        // Once more with the bar on (it draws on stderr).
        p.clone()
            .progress(true)
            .map(0..cli.resamples, resample)
            .unwrap();
    }

    let mut sorted = got.clone();
    sorted.sort_by(f64::total_cmp);
    let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
    let (lo, hi) = (at(0.025), at(0.975));
    let mut whole = data.to_vec();
    let estimate = median(&mut whole);
    let mut table = Table::new("bootstrap interval of a median", c.threads());
    table.compare(
        &format!("{} resamples of {} values", cli.resamples, cli.samples),
        seq_ms,
        par_ms,
        want == got,
        "the same medians on 1 and N threads",
    );
    table.compare(
        "95% interval holds the sample median",
        seq_ms,
        par_ms,
        lo <= estimate && estimate <= hi,
        format!("median {estimate:.4} in [{lo:.4}, {hi:.4}] (true median ln 2 = 0.6931)"),
    );
    table.finish(c.json)
}

/// The median (the mean of the two middle values for an even count).
fn median(xs: &mut [f64]) -> f64 {
    let n = xs.len();
    let (_, &mut upper, _) = xs.select_nth_unstable_by(n / 2, f64::total_cmp);
    if n % 2 == 1 {
        upper
    } else {
        let lower = xs[..n / 2]
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        (lower + upper) / 2.0
    }
}
