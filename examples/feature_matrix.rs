//! The numpy port people write first, on a feature matrix (rows are
//! samples, columns are features): standardise every column, the
//! correlation matrix, a 2-D histogram of two columns, and the nearest
//! neighbours of the first rows. Each step is timed against the
//! sequential ndarray (or ndpar on one thread, where ndarray has no such
//! function) and checked.
//!
//! ```text
//! cargo run --release -p ndpar-examples --example feature_matrix -- --rows 1000000
//! ```

use std::process::ExitCode;

use clap::Parser;
use ndarray::{Array2, Axis, s};
use ndpar::prelude::*;
use ndpar::random::{StandardNormal, par_random};
use ndpar::{Variables, par_corrcoef, par_histogram_2d, par_knn};
use ndpar_examples::{Common, Table, check_memory, time_ms};

/// Standardise, correlate, histogram and query a feature matrix.
#[derive(Parser, Debug)]
struct Cli {
    /// Rows (samples) of the matrix.
    #[arg(long, default_value_t = 100_000, value_parser = ndpar_examples::at_least::<2>)]
    rows: usize,
    /// Columns (features).
    #[arg(long, default_value_t = 20, value_parser = ndpar_examples::at_least::<2>)]
    cols: usize,
    /// Rows whose nearest neighbours are looked up.
    #[arg(long, default_value_t = 1000, value_parser = ndpar_examples::at_least_one)]
    queries: usize,
    #[command(flatten)]
    common: Common,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let c = &cli.common;
    if cli.queries > cli.rows {
        ndpar_examples::conflict::<Cli>(format!(
            "--queries {} is more than --rows {}: the queries are rows of the table",
            cli.queries, cli.rows
        ));
    }
    let values = cli.rows.saturating_mul(cli.cols);
    if let Err(code) = check_memory(
        &format!("--rows {} --cols {}", cli.rows, cli.cols),
        values,
        4 * 8,
    ) {
        return code;
    }
    // Correlated features: column j mixes its own noise with column 0's.
    let noise: Array2<f64> = par_random((cli.rows, cli.cols), &StandardNormal, 4);
    let mut x = noise.clone();
    for j in 1..cli.cols {
        let mix = j as f64 / cli.cols as f64;
        let col = &noise.column(0) * mix + &noise.column(j) * (1.0 - mix) + 10.0 * j as f64;
        x.column_mut(j).assign(&col);
    }
    let mut table = Table::new("feature matrix", c.threads());

    // Standardise: (x - mean) / std, per column (numpy: (x - x.mean(0)) / x.std(0)).
    let (seq_ms, want) = time_ms(c.reps, || {
        let (m, s) = (x.mean_axis(Axis(0)).unwrap(), x.std_axis(Axis(0), 0.0));
        (&x - &m) / &s
    });
    let (par_ms, z) = time_ms(c.reps, || {
        c.parallel(|| {
            let (m, s) = (
                x.par_mean_axis(Axis(0)).unwrap(),
                x.par_std_axis(Axis(0), 0.0).unwrap(),
            );
            x.par_zip3_map(&m, &s, |&v, &m, &s| (v - m) / s)
        })
    });
    let d = max_abs(&want, &z);
    table.compare(
        &format!("standardise {}x{}", cli.rows, cli.cols),
        seq_ms,
        par_ms,
        d < 1e-9,
        format!("max difference {d:.1e}"),
    );

    // Correlation matrix (numpy: np.corrcoef(x, rowvar=False)); by hand,
    // zᵀz / n of the standardised columns.
    let n = cli.rows as f64;
    let (seq_ms, want) = time_ms(c.reps, || z.t().dot(&z) / n);
    let (par_ms, corr) = time_ms(c.reps, || {
        c.parallel(|| par_corrcoef(&x, Variables::Columns).expect("at least two samples"))
    });
    let d = max_abs(&want, &corr);
    let diagonal_ok = corr.diag().iter().all(|&v| (v - 1.0).abs() < 1e-9);
    table.compare(
        &format!("correlation matrix {0}x{0}", cli.cols),
        seq_ms,
        par_ms,
        d < 1e-9 && diagonal_ok,
        format!(
            "max difference {d:.1e}; unit diagonal; corr(0, 1) = {:.3}",
            corr[[0, 1]]
        ),
    );

    // 2-D histogram of the first two columns (numpy: np.histogram2d).
    let (a, b) = (z.column(0).to_owned(), z.column(1).to_owned());
    let range = Some(((-4.0, 4.0), (-4.0, 4.0)));
    let hist = || par_histogram_2d(&a, &b, (64, 64), range).unwrap();
    let (seq_ms, want) = time_ms(c.reps, || c.sequential(hist));
    let (par_ms, got) = time_ms(c.reps, || c.parallel(hist));
    let inside = a
        .iter()
        .zip(&b)
        .filter(|&(&u, &v)| (-4.0..=4.0).contains(&u) && (-4.0..=4.0).contains(&v))
        .count();
    table.compare(
        "2-D histogram, 64x64 bins",
        seq_ms,
        par_ms,
        got == want && got.counts.sum() == inside as u64,
        "the same counts on 1 and N threads; every pair in range counted once",
    );

    // The 5 nearest neighbours of the first rows (scikit-learn's
    // NearestNeighbors(5).fit(z).kneighbors(z[:q])).
    let q = z.slice(s![..cli.queries, ..]);
    let knn = || par_knn(&q, &z, 5);
    let (seq_ms, want) = time_ms(1, || c.sequential(knn));
    let (par_ms, got) = time_ms(1, || c.parallel(knn));
    let own_row_first = got
        .indices
        .column(0)
        .iter()
        .enumerate()
        .all(|(i, &j)| i == j);
    table.compare(
        &format!("5 nearest neighbours of {} rows", cli.queries),
        seq_ms,
        par_ms,
        got.indices == want.indices && own_row_first,
        "the same neighbours on 1 and N threads; each row's nearest is itself",
    );
    table.finish(c.json)
}

fn max_abs(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}
