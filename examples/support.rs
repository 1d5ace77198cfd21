//! What every ndpar example shares: the command-line flags, a median timer
//! and the table each example prints (threads, sequential ms, parallel ms,
//! speedup, agreement), as text or as JSON.
//!
//! Run an example with `cargo run --release -p ndpar-examples --example
//! NAME -- --help`.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, CommandFactory, error::ErrorKind};

/// The flags every example takes.
#[derive(Args, Debug, Clone)]
pub struct Common {
    /// Threads for the parallel version (default: every CPU).
    #[arg(long, value_name = "N", value_parser = at_least_one)]
    pub threads: Option<usize>,
    /// Timed repetitions of each version (the median is reported).
    #[arg(long, default_value_t = 5, value_name = "N", value_parser = at_least_one)]
    pub reps: usize,
    /// Print the table as JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

impl Common {
    /// The thread count the parallel versions run on.
    pub fn threads(&self) -> usize {
        self.threads.unwrap_or_else(ndpar::cpu_count).max(1)
    }

    /// Runs `f` on the parallel thread count.
    pub fn parallel<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        ndpar::with_threads(self.threads() as isize, f).expect("a valid thread count")
    }

    /// Runs `f` on one thread.
    pub fn sequential<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        ndpar::with_threads(1, f).expect("one thread")
    }
}

/// A count of at least one (clap names the flag when it is not).
pub fn at_least_one(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(format!("{e} (a whole number of at least 1 is expected)")),
    }
}

/// A count of at least `MIN` (clap names the flag when it is not).
pub fn at_least<const MIN: usize>(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if n >= MIN => Ok(n),
        Ok(n) => Err(format!("{n} is less than {MIN}")),
        Err(e) => Err(format!(
            "{e} (a whole number of at least {MIN} is expected)"
        )),
    }
}

/// A diffusion number for the explicit five-point scheme: above 0 and at
/// most 1/4, where the scheme is stable (clap names the flag when it is
/// not).
pub fn stable_alpha(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(a) if a > 0.0 && a <= 0.25 => Ok(a),
        Ok(a) => Err(format!(
            "{a} is not above 0 and at most 0.25 (where the scheme is stable)"
        )),
        Err(e) => Err(format!(
            "{e} (a number above 0 and at most 0.25 is expected)"
        )),
    }
}

/// Ends the program with clap's usage error for flags whose values do
/// not fit together (clap checks each flag alone).
pub fn conflict<C: CommandFactory>(message: impl std::fmt::Display) -> ! {
    // The usage line names the program as it was run, as clap's own
    // errors do.
    let name = std::env::args_os().next().and_then(|p| {
        Some(
            std::path::Path::new(&p)
                .file_name()?
                .to_string_lossy()
                .into_owned(),
        )
    });
    let mut command = C::command();
    if let Some(name) = name {
        command = command.bin_name(name);
    }
    command.error(ErrorKind::ArgumentConflict, message).exit()
}

/// A finite scale factor above zero, at most 8 (clap names the flag when
/// it is not).
pub fn scale_factor(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if x > 0.0 && x <= 8.0 => Ok(x),
        Ok(x) => Err(format!("{x} is not a factor above 0 and at most 8")),
        Err(e) => Err(format!("{e} (a number above 0 and at most 8 is expected)")),
    }
}

/// Checks that `count` values of `bytes_each` bytes can be allocated,
/// before an example allocates them: a size the machine cannot hold is a
/// message naming `what`, not an abort. The memory is reserved and
/// released at once (never touched).
pub fn check_memory(what: &str, count: usize, bytes_each: usize) -> Result<(), ExitCode> {
    let total = count.checked_mul(bytes_each);
    let fits = total.is_some_and(|b| Vec::<u8>::new().try_reserve_exact(b).is_ok());
    if fits {
        return Ok(());
    }
    eprintln!(
        "{what} needs {} bytes, which this machine cannot allocate",
        total.map_or_else(|| "more than 2^64".to_string(), |b| b.to_string())
    );
    Err(ExitCode::FAILURE)
}

/// Median wall time of `f` over `reps` runs (at least one), in
/// milliseconds, and the last result.
pub fn time_ms<R>(reps: usize, mut f: impl FnMut() -> R) -> (f64, R) {
    let mut last = None;
    let mut times: Vec<f64> = (0..reps.max(1))
        .map(|_| {
            let start = Instant::now();
            let r = black_box(f());
            let t = start.elapsed().as_secs_f64() * 1e3;
            last = Some(r);
            t
        })
        .collect();
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], last.expect("at least one run"))
}

/// One line of an example's table.
#[derive(Debug, Clone)]
pub struct Row {
    /// What was computed.
    pub name: String,
    /// Median milliseconds of the sequential version (`None`: no
    /// sequential version to compare).
    pub seq_ms: Option<f64>,
    /// Median milliseconds of the parallel version.
    pub par_ms: f64,
    /// Whether the parallel result agrees with its oracle.
    pub agrees: bool,
    /// How it was checked, and by how much they differ.
    pub check: String,
}

/// The table an example prints.
#[derive(Debug)]
pub struct Table {
    title: String,
    threads: usize,
    rows: Vec<Row>,
}

impl Table {
    /// An empty table for an example run on `threads` threads.
    pub fn new(title: &str, threads: usize) -> Table {
        Table {
            title: title.to_string(),
            threads,
            rows: Vec::new(),
        }
    }

    /// Adds a row comparing a sequential and a parallel version.
    pub fn compare(
        &mut self,
        name: &str,
        seq_ms: f64,
        par_ms: f64,
        agrees: bool,
        check: impl Into<String>,
    ) {
        self.push(Row {
            name: name.to_string(),
            seq_ms: Some(seq_ms),
            par_ms,
            agrees,
            check: check.into(),
        });
    }

    /// Adds a row.
    pub fn push(&mut self, row: Row) {
        self.rows.push(row);
    }

    /// Whether every row agrees.
    pub fn all_agree(&self) -> bool {
        self.rows.iter().all(|r| r.agrees)
    }

    /// Prints the table (text or JSON) and returns the exit code: failure
    /// if any row disagrees.
    pub fn finish(&self, json: bool) -> ExitCode {
        if json {
            println!("{}", self.to_json());
        } else {
            self.print();
        }
        if self.all_agree() {
            ExitCode::SUCCESS
        } else {
            eprintln!("some parallel results disagree with their oracle");
            ExitCode::FAILURE
        }
    }

    fn print(&self) {
        println!(
            "{} ({} threads; {} CPUs on this machine)\n",
            self.title,
            self.threads,
            ndpar::cpu_count()
        );
        let width = self
            .rows
            .iter()
            .map(|r| r.name.len())
            .max()
            .unwrap_or(4)
            .max(6);
        println!(
            "{:<width$} {:>10} {:>10} {:>8}  check",
            "kernel", "seq ms", "par ms", "speedup"
        );
        for r in &self.rows {
            let (seq, speedup) = match r.seq_ms {
                Some(s) => (format!("{s:.2}"), format!("{:.2}x", s / r.par_ms)),
                None => ("-".to_string(), "-".to_string()),
            };
            let mark = if r.agrees { "ok" } else { "DIFFERS" };
            println!(
                "{:<width$} {seq:>10} {:>10.2} {speedup:>8}  {mark}: {}",
                r.name, r.par_ms, r.check
            );
        }
    }

    fn to_json(&self) -> serde_json::Value {
        let rows: Vec<serde_json::Value> = self
            .rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "kernel": r.name,
                    "seq_ms": r.seq_ms,
                    "par_ms": r.par_ms,
                    "speedup": r.seq_ms.map(|s| s / r.par_ms),
                    "agrees": r.agrees,
                    "check": r.check,
                })
            })
            .collect();
        serde_json::json!({
            "example": self.title,
            "threads": self.threads,
            "cpus": ndpar::cpu_count(),
            "rows": rows,
        })
    }
}

/// The largest relative difference between two slices of floats (0 for
/// equal values, NaN equal to NaN).
pub fn max_rel_diff<'a>(
    a: impl IntoIterator<Item = &'a f64>,
    b: impl IntoIterator<Item = &'a f64>,
) -> f64 {
    a.into_iter()
        .zip(b)
        .map(|(&x, &y)| {
            if x == y || (x.is_nan() && y.is_nan()) {
                0.0
            } else {
                (x - y).abs() / x.abs().max(y.abs())
            }
        })
        .fold(0.0, f64::max)
}

/// Writes a heat map of `values` (row-major, `height × width`) as an 8-bit
/// RGB PNG, from black (the smallest value) through red and yellow to
/// white (the largest).
pub fn write_heat_map(
    path: &std::path::Path,
    values: &ndarray::ArrayRef<f64, ndarray::Ix2>,
) -> std::io::Result<()> {
    let (lo, hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    let span = if hi > lo { hi - lo } else { 1.0 };
    let pixels: Vec<u8> = values
        .iter()
        .flat_map(|&v| heat_colour((v - lo) / span))
        .collect();
    write_rgb_png(path, values.ncols(), values.nrows(), &pixels)
}

/// A black–red–yellow–white colour for `t` in `[0, 1]`.
pub fn heat_colour(t: f64) -> [u8; 3] {
    let t = t.clamp(0.0, 1.0) * 3.0;
    let channel = |x: f64| (x.clamp(0.0, 1.0) * 255.0) as u8;
    [channel(t), channel(t - 1.0), channel(t - 2.0)]
}

/// Writes 8-bit RGB pixels (row-major, 3 bytes each) as a PNG file.
pub fn write_rgb_png(
    path: &std::path::Path,
    width: usize,
    height: usize,
    rgb: &[u8],
) -> std::io::Result<()> {
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut encoder = png::Encoder::new(file, width as u32, height as u32);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(std::io::Error::other)?;
    writer
        .write_image_data(rgb)
        .map_err(std::io::Error::other)?;
    writer.finish().map_err(std::io::Error::other)
}

/// Neumaier's compensated sum (Kahan–Babuška): the accuracy reference the
/// examples check parallel sums against.
pub fn compensated_sum(xs: impl IntoIterator<Item = f64>) -> f64 {
    let (mut sum, mut comp) = (0.0f64, 0.0f64);
    for x in xs {
        let t = sum + x;
        comp += if sum.abs() >= x.abs() {
            (sum - t) + x
        } else {
            (x - t) + sum
        };
        sum = t;
    }
    sum + comp
}

/// Where examples write their files: `target/examples-output/` under the
/// current directory unless `--out` says otherwise.
/// A folder that cannot be created is reported on stderr, and the error is
/// the exit code to return.
pub fn output_dir(out: Option<&std::path::Path>) -> Result<std::path::PathBuf, ExitCode> {
    let dir = out.map_or_else(
        || std::path::PathBuf::from("target/examples-output"),
        |p| p.to_path_buf(),
    );
    match std::fs::create_dir_all(&dir) {
        Ok(()) => Ok(dir),
        Err(e) => {
            eprintln!("cannot create the output folder {}: {e}", dir.display());
            Err(ExitCode::FAILURE)
        }
    }
}

/// The heat examples' starting plate at point `(i, j)` of an `n`-point
/// grid: a hot disc (100) and a warm bar (50) on a cold plate (0).
pub fn plate(n: usize, i: usize, j: usize) -> f64 {
    let centre = n as f64 * 0.35;
    let radius = n as f64 * 0.15;
    let (y, x) = (i as f64, j as f64);
    if (x - centre).powi(2) + (y - centre).powi(2) <= radius * radius {
        100.0
    } else if (n * 3 / 5..n * 3 / 5 + n / 20).contains(&i) && (n / 2..n * 9 / 10).contains(&j) {
        50.0
    } else {
        0.0
    }
}

/// Starts MPI and gives this rank's kernels `threads` threads (default:
/// the CPUs this process may use over the ranks, at least 1) on the global
/// rayon pool, so that MPI calls stay on the main thread. The world and
/// the thread count, or the exit code after saying why not.
#[cfg(feature = "mpi")]
pub fn start_rank(threads: Option<usize>) -> Result<(ndpar::dist::World, usize), ExitCode> {
    let world = ndpar::dist::World::init().map_err(|e| {
        eprintln!("{e}");
        ExitCode::FAILURE
    })?;
    let threads = threads.unwrap_or_else(|| (ndpar::cpu_count() / world.size()).max(1));
    ndpar::rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .map_err(|e| {
            eprintln!("{e}");
            ExitCode::FAILURE
        })?;
    Ok((world, threads))
}

/// The exit code of a rank's run: its own, or failure after printing the
/// error with the rank.
#[cfg(feature = "mpi")]
pub fn rank_outcome(rank: usize, outcome: ndpar::Result<ExitCode>) -> ExitCode {
    outcome.unwrap_or_else(|e| {
        eprintln!("rank {rank}: {e}");
        ExitCode::FAILURE
    })
}
