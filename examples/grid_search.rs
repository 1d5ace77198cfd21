//! joblib's classic: a model evaluated over a parameter grid in parallel,
//! and the whole search cached on disk so that running it again is
//! instant. The model is polynomial ridge regression scored by k-fold
//! cross-validation on noisy samples of a sine; the grid is polynomial
//! degree × ridge penalty. The search result is the caller's own struct,
//! stored by [`Memory`] field by field as npy files (keyed by the caller's
//! own settings struct).
//!
//! ```text
//! cargo run --release -p ndpar-examples --example grid_search
//! cargo run --release -p ndpar-examples --example grid_search   # again: served from the cache
//! ```

use std::process::ExitCode;

use clap::Parser;
use ndarray::{Array1, Array2};
use ndpar::Parallel;
use ndpar::memory::Memory;
use ndpar::random::{Normal, Uniform, par_random};
use ndpar_examples::{Common, Row, Table, check_memory, output_dir, time_ms};

/// A cross-validated grid search, parallel and cached.
#[derive(Parser, Debug)]
struct Cli {
    /// Number of samples.
    #[arg(long, default_value_t = 10_000)]
    samples: usize,
    /// Highest polynomial degree in the grid.
    #[arg(long, default_value_t = 10)]
    max_degree: u32,
    /// Cross-validation folds.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(2..))]
    folds: u32,
    /// Folder of the cache (default target/examples-output).
    #[arg(long)]
    out: Option<std::path::PathBuf>,
    #[command(flatten)]
    common: Common,
}

/// What identifies a search: the cache key.
struct Settings {
    samples: u64,
    max_degree: u32,
    folds: u32,
    seed: u64,
}
ndpar::cache_key!(Settings {
    samples,
    max_degree,
    folds,
    seed
});

/// The result of a search: the caller's own type, stored by `Memory`.
#[derive(Debug, PartialEq)]
struct Search {
    /// Mean squared validation error, degree × penalty.
    scores: Array2<f64>,
    /// The penalties of the grid's columns.
    penalties: Array1<f64>,
    best_degree: u32,
    best_penalty: f64,
    best_score: f64,
}
ndpar::cacheable!(Search {
    scores,
    penalties,
    best_degree,
    best_penalty,
    best_score
});

fn main() -> ExitCode {
    let cli = Cli::parse();
    let c = &cli.common;
    if cli.samples < 4 * cli.folds as usize {
        ndpar_examples::conflict::<Cli>(format!(
            "--samples {} is less than 4 per fold (--folds {})",
            cli.samples, cli.folds
        ));
    }
    if let Err(code) = check_memory(&format!("--samples {}", cli.samples), cli.samples, 4 * 8) {
        return code;
    }
    let settings = Settings {
        samples: cli.samples as u64,
        max_degree: cli.max_degree,
        folds: cli.folds,
        seed: 5,
    };
    let Problem {
        x,
        y,
        penalties,
        grid,
    } = problem(&settings);
    let score =
        |&(degree, penalty): &(u32, f64)| cross_validate(&x, &y, degree, penalty, cli.folds);

    let (seq_ms, want) = time_ms(c.reps, || grid.iter().map(score).collect::<Vec<_>>());
    let p = Parallel::new()
        .n_jobs(c.threads() as isize)
        .expect("a valid thread count");
    let (par_ms, got) = time_ms(c.reps, || p.map(&grid, score).unwrap());
    let mut table = Table::new("cross-validated grid search", c.threads());
    table.compare(
        &format!("{} models x {} folds", grid.len(), cli.folds),
        seq_ms,
        par_ms,
        want == got,
        "the same scores",
    );

    // The cached search: the first run computes and stores, later ones load.
    let dir = match output_dir(cli.out.as_deref()) {
        Ok(dir) => dir.join("grid-search-cache"),
        Err(code) => return code,
    };
    let memory = match Memory::new(&dir) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    // A search that grows the cache was computed; one that does not was
    // served from an earlier run.
    let stored = || memory.size_bytes().unwrap_or(0);
    let before = stored();
    let (first_ms, first) = time_ms(1, || c.parallel(|| search(&memory, &settings)));
    let was_computed = stored() > before;
    let before = stored();
    let (again_ms, again) = time_ms(c.reps, || c.parallel(|| search(&memory, &settings)));
    let recomputed = stored() > before;
    table.push(Row {
        name: format!(
            "cached search, {}",
            if was_computed {
                "computed"
            } else {
                "from an earlier run"
            }
        ),
        seq_ms: None,
        par_ms: first_ms,
        agrees: first == best_of(&grid, got, &penalties),
        check: "the search's result".into(),
    });
    table.push(Row {
        name: "cached search, again".into(),
        seq_ms: None,
        par_ms: again_ms,
        agrees: first == again && !recomputed,
        check: "served from disk, not recomputed".into(),
    });
    let code = table.finish(c.json);
    if !c.json {
        println!(
            "\nbest: degree {} with penalty {:.0e}, validation MSE {:.5} (noise variance 0.04)\ncache: {}",
            again.best_degree,
            again.best_penalty,
            again.best_score,
            dir.display()
        );
    }
    code
}

/// The data and the grid of a search, made from its settings alone.
struct Problem {
    x: Array1<f64>,
    y: Array1<f64>,
    penalties: Array1<f64>,
    grid: Vec<(u32, f64)>,
}

fn problem(settings: &Settings) -> Problem {
    let n = settings.samples as usize;
    let x: Array1<f64> = par_random(n, &Uniform::new(0.0, 1.0).unwrap(), settings.seed);
    let noise: Array1<f64> = par_random(n, &Normal::new(0.0, 0.2).unwrap(), settings.seed + 1);
    let y = x.mapv(|v| (2.0 * std::f64::consts::PI * v).sin()) + noise;
    let penalties = Array1::from_iter((0..9).map(|i| 10f64.powi(i - 8)));
    let grid = (1..=settings.max_degree)
        .flat_map(|d| penalties.iter().map(move |&p| (d, p)))
        .collect();
    Problem {
        x,
        y,
        penalties,
        grid,
    }
}

ndpar::cached! {
    // The version covers the helpers this body calls (problem,
    // cross_validate, best_of): bump it when one of them changes.
    version = "1";
    /// The whole search, in parallel on the current pool, stored on disk:
    /// everything it depends on is in `settings`, the cache key.
    fn search(settings: &Settings) -> Search {
        let Problem { x, y, penalties, grid } = problem(settings);
        let folds = settings.folds;
        let scores = Parallel::new()
            .map(&grid, |&(degree, penalty)| cross_validate(&x, &y, degree, penalty, folds))
            .expect("scoring never fails");
        best_of(&grid, scores, &penalties)
    }
}

fn best_of(grid: &[(u32, f64)], scores: Vec<f64>, penalties: &Array1<f64>) -> Search {
    let best = (0..grid.len())
        .min_by(|&a, &b| scores[a].total_cmp(&scores[b]))
        .expect("a non-empty grid");
    Search {
        scores: Array2::from_shape_vec(
            (grid.len() / penalties.len(), penalties.len()),
            scores.clone(),
        )
        .expect("degree × penalty"),
        penalties: penalties.clone(),
        best_degree: grid[best].0,
        best_penalty: grid[best].1,
        best_score: scores[best],
    }
}

/// Mean squared validation error of ridge regression on the polynomial
/// features `1, x, …, x^degree` (x mapped to [-1, 1]), over `folds`
/// interleaved folds.
fn cross_validate(x: &Array1<f64>, y: &Array1<f64>, degree: u32, penalty: f64, folds: u32) -> f64 {
    let features = |v: f64| {
        let t = 2.0 * v - 1.0;
        (0..=degree).scan(1.0, move |p, _| {
            let out = *p;
            *p *= t;
            Some(out)
        })
    };
    let d = degree as usize + 1;
    let mut error = 0.0;
    for fold in 0..folds as usize {
        // Normal equations (XᵀX + λI) w = Xᵀy on the training points.
        let mut a = Array2::<f64>::zeros((d, d));
        let mut b = Array1::<f64>::zeros(d);
        for (i, (&xi, &yi)) in x.iter().zip(y).enumerate() {
            if i % folds as usize == fold {
                continue;
            }
            let f: Vec<f64> = features(xi).collect();
            for r in 0..d {
                b[r] += f[r] * yi;
                for s in 0..d {
                    a[[r, s]] += f[r] * f[s];
                }
            }
        }
        for r in 0..d {
            a[[r, r]] += penalty;
        }
        let w = solve(a, b);
        for (i, (&xi, &yi)) in x.iter().zip(y).enumerate() {
            if i % folds as usize == fold {
                let fit: f64 = features(xi).zip(&w).map(|(f, w)| f * w).sum();
                error += (fit - yi) * (fit - yi);
            }
        }
    }
    error / x.len() as f64
}

/// Solves `a w = b` by Gaussian elimination with partial pivoting.
fn solve(mut a: Array2<f64>, mut b: Array1<f64>) -> Vec<f64> {
    let n = b.len();
    for col in 0..n {
        let pivot = (col..n)
            .max_by(|&i, &j| a[[i, col]].abs().total_cmp(&a[[j, col]].abs()))
            .expect("a non-empty column");
        for k in 0..n {
            a.swap([col, k], [pivot, k]);
        }
        b.swap(col, pivot);
        for row in col + 1..n {
            let factor = a[[row, col]] / a[[col, col]];
            for k in col..n {
                a[[row, k]] -= factor * a[[col, k]];
            }
            b[row] -= factor * b[col];
        }
    }
    let mut w = vec![0.0; n];
    for row in (0..n).rev() {
        let rest: f64 = (row + 1..n).map(|k| a[[row, k]] * w[k]).sum();
        w[row] = (b[row] - rest) / a[[row, row]];
    }
    w
}
