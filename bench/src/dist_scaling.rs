//! `dist-scaling`: strong and weak scaling of ndpar's distributed arrays
//! over MPI ranks on one machine, and the bytes each stencil step sends.
//!
//! Run without `mpirun`, it launches itself under `mpirun -n 1..=N` and
//! writes `report.md` and `results.csv` under `--out`:
//!
//! ```text
//! cargo run -p ndpar-bench --release --features mpi --bin dist-scaling -- --out target/dist-scaling
//! ```
//!
//! Cases, each timed as the slowest rank's wall time per call (median of
//! `--reps` calls, a barrier before each):
//!
//! * `sum`: `DistArray::par_sum` of f64 values (strong: `--elements` in
//!   all; weak: `--elements / N` per rank).
//! * `stencil`: one 5-point `par_correlate_2d_into` step with its halo exchange
//!   (strong: a `--grid`² field; weak: `--grid / N` rows per rank).

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::time::Instant;

use clap::Parser;
use ndarray::Array2;
use ndpar::dist::{DistArray, Split, World};
use ndpar::random::Uniform;
use ndpar::{Boundary, ParReduce, Params, Reproducibility};
use ndpar_bench::report::Machine;

const CHILD: &str = "NDPAR_DIST_SCALING_CHILD";

#[derive(Parser, Debug, Clone)]
#[command(version)]
struct Cli {
    /// Most ranks (runs 1, 2, …, this many; more ranks than cores
    /// oversubscribe them).
    #[arg(long, default_value_t = 4)]
    max_ranks: usize,
    /// rayon threads per rank.
    #[arg(long, default_value_t = 1)]
    threads_per_rank: usize,
    /// Elements of the strong-scaling sum (the weak one has this many at
    /// the most ranks).
    #[arg(long, default_value_t = 1 << 25)]
    elements: usize,
    /// Points per side of the strong-scaling stencil field.
    #[arg(long, default_value_t = 2048)]
    grid: usize,
    /// Timed calls per case (the median is reported).
    #[arg(long, default_value_t = 9)]
    reps: usize,
    /// Folder for report.md and results.csv.
    #[arg(long, default_value = "target/dist-scaling")]
    out: PathBuf,
}

/// One measured row.
struct Row {
    case: &'static str,
    scaling: &'static str,
    ranks: usize,
    elements: usize,
    ms: f64,
    /// Largest number of bytes one rank sent per call.
    bytes: u64,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if std::env::var_os(CHILD).is_some() {
        return child(&cli);
    }
    let (mut rows, mut plain_rows) = (Vec::new(), Vec::new());
    for ranks in 1..=cli.max_ranks.max(1) {
        let exe = std::env::current_exe().expect("own path");
        let out = Command::new("mpirun")
            .args(oversubscribe())
            .args(["-n", &ranks.to_string()])
            .arg(exe)
            .args(std::env::args().skip(1))
            .env(CHILD, "1")
            .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
            .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
            .output();
        let out = match out {
            Ok(o) if o.status.success() => o,
            Ok(o) => {
                eprintln!(
                    "{} ranks failed:\n{}",
                    ranks,
                    String::from_utf8_lossy(&o.stderr)
                );
                return ExitCode::FAILURE;
            }
            Err(e) => {
                eprintln!("mpirun: {e} (install Open MPI)");
                return ExitCode::FAILURE;
            }
        };
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            if let Some(row) = parse(line) {
                eprintln!("{line}");
                rows.push(row);
            } else if let Some(p) = line.strip_prefix("plain,") {
                eprintln!("{line}");
                plain_rows.push(p.to_string());
            }
        }
    }
    if let Err(e) = write_report(&cli, &rows, &plain_rows) {
        eprintln!("{}: {e}", cli.out.display());
        return ExitCode::FAILURE;
    }
    println!("wrote {}", cli.out.join("report.md").display());
    ExitCode::SUCCESS
}

/// Open MPI's flag that lets more ranks than cores run (MPICH's mpirun
/// allows that without one).
fn oversubscribe() -> &'static [&'static str] {
    let version = Command::new("mpirun").arg("--version").output();
    match version {
        Ok(v) if String::from_utf8_lossy(&v.stdout).contains("Open MPI") => &["--oversubscribe"],
        _ => &[],
    }
}

fn parse(line: &str) -> Option<Row> {
    let f: Vec<&str> = line.strip_prefix("row,")?.split(',').collect();
    let case = match f[0] {
        "sum" => "sum",
        "stencil" => "stencil",
        _ => return None,
    };
    let scaling = if f[1] == "strong" { "strong" } else { "weak" };
    Some(Row {
        case,
        scaling,
        ranks: f[2].parse().ok()?,
        elements: f[3].parse().ok()?,
        ms: f[4].parse().ok()?,
        bytes: f[5].parse().ok()?,
    })
}

/// Runs on every rank under mpirun; rank 0 prints the rows.
fn child(cli: &Cli) -> ExitCode {
    let world = World::init().expect("MPI starts");
    ndpar::rayon::ThreadPoolBuilder::new()
        .num_threads(cli.threads_per_rank.max(1))
        .build_global()
        .expect("the global pool is not built yet");
    let n = world.size();
    let max = cli.max_ranks.max(1);
    let cases = [
        ("sum", "strong", cli.elements),
        ("sum", "weak", cli.elements / max * n),
        ("stencil", "strong", cli.grid),
        ("stencil", "weak", (cli.grid / max).max(1) * n),
    ];
    for (case, scaling, size) in cases {
        let (ms, bytes, elements) = match case {
            "sum" => {
                let u = Uniform::new(0.0, 1.0).expect("a range");
                let a = DistArray::<f64, _>::random(&world, size, Split::Balanced, &u, 1)
                    .expect("agreed");
                let (ms, bytes) = time(&world, cli.reps, || {
                    std::hint::black_box(a.par_sum().expect("agreed"));
                });
                (ms, bytes, size)
            }
            _ => {
                let cols = cli.grid;
                let a = DistArray::from_fn(&world, (size, cols), Split::Balanced, |(i, j)| {
                    ((i * 31 + j) % 17) as f64
                })
                .expect("agreed");
                let w = ndarray::array![[0.0, 0.2, 0.0], [0.2, 0.2, 0.2], [0.0, 0.2, 0.0]];
                let mut out = a.clone();
                let (ms, bytes) = time(&world, cli.reps, || {
                    a.par_correlate_2d_into(&w, Boundary::Constant(0.0), &mut out)
                        .expect("agreed");
                    std::hint::black_box(&out);
                });
                (ms, bytes, size * cols)
            }
        };
        if world.rank() == 0 {
            println!("row,{case},{scaling},{n},{elements},{ms:.4},{bytes}");
        }
    }
    if n == 1 {
        plain(cli);
    }
    ExitCode::SUCCESS
}

/// The strong cases' single-machine kernels, no MPI: what one rank's
/// distributed call adds to them.
fn plain(cli: &Cli) {
    let u = Uniform::new(0.0, 1.0).expect("a range");
    let a = ndpar::random::par_random::<f64, _, _>(cli.elements, &u, 1);
    let layout = Params::current().with_reproducibility(Reproducibility::Layout);
    let sum = median(cli.reps, || {
        std::hint::black_box(layout.install(|| a.par_sum()));
    });
    println!(
        "plain,sum,par_sum at the layout level,{},{sum:.4}",
        cli.elements
    );
    let g = cli.grid;
    let f = Array2::from_shape_fn((g, g), |(i, j)| ((i * 31 + j) % 17) as f64);
    let w = ndarray::array![[0.0, 0.2, 0.0], [0.2, 0.2, 0.2], [0.0, 0.2, 0.0]];
    let mut out = f.clone();
    let step = median(cli.reps, || {
        ndpar::par_correlate_2d_into(&f, &w, Boundary::Constant(0.0), &mut out);
        std::hint::black_box(&out);
    });
    println!("plain,stencil,par_correlate_2d_into,{},{step:.4}", g * g);
}

/// The median time of `f` over `reps` calls (after one warm-up), in ms.
fn median(reps: usize, mut f: impl FnMut()) -> f64 {
    f();
    let mut times: Vec<f64> = (0..reps.max(1))
        .map(|_| {
            let clock = Instant::now();
            f();
            clock.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// The median over `reps` calls of the slowest rank's time, in ms, and the
/// most bytes one rank sent per call.
fn time(world: &World, reps: usize, mut f: impl FnMut()) -> (f64, u64) {
    f(); // warm-up
    let mut times = Vec::new();
    let mut bytes = 0;
    for _ in 0..reps.max(1) {
        world.barrier().expect("barrier");
        let (clock, before) = (Instant::now(), world.traffic().bytes);
        f();
        let ms = clock.elapsed().as_secs_f64() * 1e3;
        let sent = world.traffic().bytes - before;
        let all: Vec<(f64, u64)> = world.all_gather(&(ms, sent)).expect("gather");
        times.push(all.iter().map(|t| t.0).fold(0.0, f64::max));
        bytes = all.iter().map(|t| t.1).max().unwrap_or(0);
    }
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], bytes)
}

fn write_report(cli: &Cli, rows: &[Row], plain: &[String]) -> std::io::Result<()> {
    std::fs::create_dir_all(&cli.out)?;
    let machine = Machine::here();
    let mut csv = String::from(
        "case,scaling,ranks,threads_per_rank,elements,median_ms,max_bytes_sent_per_rank\n",
    );
    for r in rows {
        let _ = writeln!(
            csv,
            "{},{},{},{},{},{:.4},{}",
            r.case, r.scaling, r.ranks, cli.threads_per_rank, r.elements, r.ms, r.bytes
        );
    }
    std::fs::write(cli.out.join("results.csv"), csv)?;
    let mut md = String::new();
    let _ = writeln!(
        md,
        "# Distributed arrays: scaling over MPI ranks on one machine\n"
    );
    let _ = writeln!(
        md,
        "Machine: {}. Open MPI, ranks on one machine, {} rayon thread(s) per rank; \
        more ranks than cores run oversubscribed, so gains stop at the core count. Times are the \
        slowest rank's, median of {} calls.\n",
        machine.describe(),
        cli.threads_per_rank,
        cli.reps
    );
    let _ = writeln!(
        md,
        "```text\ncargo run -p ndpar-bench --release --features mpi --bin dist-scaling -- {}\n```\n",
        std::env::args().skip(1).collect::<Vec<_>>().join(" ")
    );
    let _ = writeln!(
        md,
        "## One rank against the single-machine kernel (no MPI, the same thread count)\n"
    );
    let _ = writeln!(
        md,
        "| case | single-machine kernel | elements | its median ms | distributed, 1 rank, ms |"
    );
    let _ = writeln!(md, "|---|---|---:|---:|---:|");
    for p in plain {
        let f: Vec<&str> = p.split(',').collect();
        if f.len() != 4 {
            continue;
        }
        let dist = rows
            .iter()
            .find(|r| r.case == f[0] && r.scaling == "strong" && r.ranks == 1)
            .map_or(String::from("-"), |r| format!("{:.3}", r.ms));
        let ms: f64 = f[3].parse().unwrap_or(f64::NAN);
        let _ = writeln!(
            md,
            "| {} | `{}` | {} | {ms:.3} | {dist} |",
            f[0], f[1], f[2]
        );
    }
    let _ = writeln!(md);
    for (case, scaling, what) in [
        (
            "sum",
            "strong",
            "`par_sum`, the same array on every rank count",
        ),
        ("sum", "weak", "`par_sum`, the same elements per rank"),
        (
            "stencil",
            "strong",
            "one 5-point `par_correlate_2d_into` step with its halo exchange, the same field",
        ),
        (
            "stencil",
            "weak",
            "one stencil step, the same rows per rank",
        ),
    ] {
        let mine: Vec<&Row> = rows
            .iter()
            .filter(|r| r.case == case && r.scaling == scaling)
            .collect();
        let Some(one) = mine.iter().find(|r| r.ranks == 1) else {
            continue;
        };
        let _ = writeln!(md, "## {case}, {scaling} scaling: {what}\n");
        let _ = writeln!(
            md,
            "| ranks | elements | median ms | speedup vs 1 rank | efficiency | most bytes a rank sent |"
        );
        let _ = writeln!(md, "|---:|---:|---:|---:|---:|---:|");
        for r in &mine {
            // Strong: time ratio; weak: work ratio over time ratio.
            let speedup = if scaling == "strong" {
                one.ms / r.ms
            } else {
                (r.elements as f64 / one.elements as f64) * one.ms / r.ms
            };
            let _ = writeln!(
                md,
                "| {} | {} | {:.3} | {:.2} | {:.0}% | {} |",
                r.ranks,
                r.elements,
                r.ms,
                speedup,
                100.0 * speedup / r.ranks as f64,
                r.bytes
            );
        }
        let _ = writeln!(md);
    }
    let _ = writeln!(md, "## Bytes per stencil step against the halo\n");
    let _ = writeln!(
        md,
        "A rank with neighbours on both sides sends one halo row ({} columns × 8 bytes = {} bytes) \
        to each, plus a length header per message, plus the call's agreement check (its shape, split and \
        name, to every rank).\n",
        cli.grid,
        cli.grid * 8
    );
    let _ = writeln!(
        md,
        "| ranks | halo rows sent by an inner rank (bytes) | most bytes a rank sent | overhead |"
    );
    let _ = writeln!(md, "|---:|---:|---:|---:|");
    for r in rows
        .iter()
        .filter(|r| r.case == "stencil" && r.scaling == "strong")
    {
        let halo = if r.ranks == 1 {
            0
        } else if r.ranks == 2 {
            cli.grid * 8
        } else {
            2 * cli.grid * 8
        };
        let over = r.bytes as i64 - halo as i64;
        let _ = writeln!(md, "| {} | {} | {} | {} |", r.ranks, halo, r.bytes, over);
    }
    std::fs::write(cli.out.join("report.md"), md)
}
