//! `ndpar-bench`: ndpar's kernels against ndarray's sequential and parallel
//! routes, hand-written rayon kernels and the Python stack (numpy, numexpr,
//! numba, scipy, joblib), on every thread count, in interleaved rounds.
//! Writes `report.md`, `results.csv` and one SVG chart per case under
//! `--out`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use ndpar_bench::cases::{self, Case, Setup, Size};
use ndpar_bench::report::{self, Machine};
use ndpar_bench::{chart, load, peers};

/// ndpar's benchmark report: every kernel family against ndarray,
/// hand-written rayon kernels and the Python stack, with tables and charts.
#[derive(Parser, Debug)]
#[command(version)]
struct Cli {
    /// Thread counts, comma-separated (default: the powers of two below the
    /// CPU count, and the CPU count).
    #[arg(long, value_delimiter = ',', value_name = "LIST", value_parser = thread_count)]
    threads: Vec<usize>,
    /// Interleaved rounds per case; medians over rounds are reported
    /// [default: 11, or 3 with --quick].
    #[arg(long, value_parser = at_least_one)]
    rounds: Option<usize>,
    /// Problem sizes [default: medium, or small with --quick].
    #[arg(long, value_enum)]
    size: Option<Size>,
    /// Small sizes and 3 rounds: a check that everything runs.
    #[arg(long)]
    quick: bool,
    /// Run only the cases whose id contains one of these (comma-separated;
    /// see --list).
    #[arg(long, value_delimiter = ',', value_name = "TEXT")]
    only: Vec<String>,
    /// Leave out the Python peers.
    #[arg(long)]
    no_peers: bool,
    /// Fail (exit status 1) when the Python peers cannot run, instead of
    /// reporting without them.
    #[arg(long, conflicts_with = "no_peers")]
    require_peers: bool,
    /// List the cases and exit.
    #[arg(long)]
    list: bool,
    /// Folder for report.md, results.csv and charts/.
    #[arg(long, value_name = "DIR", default_value = "target/bench-report")]
    out: PathBuf,
}

fn thread_count(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (1..=ndpar::MAX_THREADS).contains(&n) => Ok(n),
        _ => Err(format!("a thread count from 1 to {}", ndpar::MAX_THREADS)),
    }
}

fn at_least_one(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err("a number of at least 1".into()),
    }
}

fn default_threads() -> Vec<usize> {
    let cpus = ndpar::cpu_count();
    let mut t: Vec<usize> = (0..)
        .map(|k| 1usize << k)
        .take_while(|&t| t < cpus)
        .collect();
    t.push(cpus);
    t
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let defs = cases::all();
    if cli.list {
        for d in &defs {
            println!("{:<14} {}", d.id, d.family);
        }
        return ExitCode::SUCCESS;
    }
    let mut threads = if cli.threads.is_empty() {
        default_threads()
    } else {
        cli.threads.clone()
    };
    threads.sort_unstable();
    threads.dedup();
    let setup = Setup {
        threads,
        rounds: cli.rounds.unwrap_or(if cli.quick { 3 } else { 11 }),
        size: cli
            .size
            .unwrap_or(if cli.quick { Size::Small } else { Size::Medium }),
    };
    let chosen: Vec<_> = defs
        .iter()
        .filter(|d| cli.only.is_empty() || cli.only.iter().any(|o| d.id.contains(o.as_str())))
        .collect();
    if chosen.is_empty() {
        eprintln!("no case matches --only {:?}; see --list", cli.only);
        return ExitCode::FAILURE;
    }
    if let Err(e) = std::fs::create_dir_all(cli.out.join("charts")) {
        eprintln!("cannot create {}: {e}", cli.out.display());
        return ExitCode::FAILURE;
    }
    let machine = Machine::here();
    let command = command_line();
    eprintln!(
        "{}; threads {:?}; {:?} sizes, {} rounds",
        machine.describe(),
        setup.threads,
        setup.size,
        setup.rounds
    );

    let specs: Vec<_> = chosen.iter().map(|d| (d.id, (d.spec)(&setup))).collect();
    let mut results: Vec<Case> = Vec::new();
    for (d, (_, spec)) in chosen.iter().zip(&specs) {
        eprintln!("ndpar: {}", d.id);
        let (title, work) = (d.describe)(spec);
        let (rows, load) = load::during(&format!("ndpar: {}", d.id), || (d.run)(&setup, spec));
        results.push(Case {
            id: d.id,
            title,
            work,
            rows,
            load,
        });
    }
    if !cli.no_peers {
        let (peers, _) = load::during("peers", || peers::run(&setup, &specs, &cli.out));
        match peers {
            Ok(rows) => {
                for (id, row) in rows {
                    if let Some(c) = results.iter_mut().find(|c| c.id == id) {
                        c.rows.push(row);
                    }
                }
            }
            Err(e) if cli.require_peers => {
                eprintln!("peers: {e}");
                return ExitCode::FAILURE;
            }
            Err(e) => eprintln!("peers: left out: {e}"),
        }
    }
    match write_outputs(&cli.out, &results, &machine, &setup, &command) {
        Ok(md) => {
            println!("{md}");
            eprintln!("report: {}", cli.out.join("report.md").display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cannot write the report under {}: {e}", cli.out.display());
            ExitCode::FAILURE
        }
    }
}

/// The command that reproduces this run.
fn command_line() -> String {
    let args: Vec<String> = std::env::args().skip(1).collect();
    format!(
        "cargo run -p ndpar-bench --release{}{}",
        if args.is_empty() { "" } else { " -- " },
        args.join(" ")
    )
}

fn write_outputs(
    out: &Path,
    cases: &[Case],
    machine: &Machine,
    setup: &Setup,
    command: &str,
) -> Result<String, Box<dyn std::error::Error>> {
    let mut md = format!(
        "## ndpar benchmark report\n\nMachine: {}.  \nThreads: {:?}; {:?} sizes; medians of {} interleaved rounds.  \nCommand: `{command}`\n\n",
        machine.describe(),
        setup.threads,
        setup.size,
        setup.rounds
    );
    md.push_str(&report::summary_markdown(cases));
    md.push_str("\n![summary](charts/summary.svg)\n");
    for c in cases {
        md.push('\n');
        md.push_str(&report::case_markdown(c));
        chart::case_chart(c, &out.join(format!("charts/{}.svg", c.id)))?;
        md.push_str(&format!("\n![{}](charts/{}.svg)\n", c.id, c.id));
    }
    let subtitle = format!("{} CPUs, {}", machine.cpus, machine.cpu);
    chart::summary_chart(cases, &out.join("charts/summary.svg"), &subtitle)?;
    std::fs::write(out.join("report.md"), &md)?;
    std::fs::write(out.join("results.csv"), report::csv(cases, machine))?;
    Ok(md)
}
