//! Tables: a Markdown report (one table per case, with speedups, parallel
//! efficiency and the ratio to the best peer) and one CSV of every row.

use std::fmt::Write as _;

use crate::cases::Case;
use crate::measure::{Role, Row};

/// The machine a run measured.
#[derive(Clone, Debug)]
pub struct Machine {
    pub cpus: usize,
    pub cpu: String,
    pub memory_gib: Option<f64>,
}

impl Machine {
    /// This machine, from `/proc` where available.
    pub fn here() -> Machine {
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("model name"))
                    .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
            })
            .unwrap_or_else(|| "unknown CPU".into());
        let memory_gib = std::fs::read_to_string("/proc/meminfo").ok().and_then(|s| {
            let kb: f64 = s.lines().next()?.split_whitespace().nth(1)?.parse().ok()?;
            Some(kb / (1024.0 * 1024.0))
        });
        Machine {
            cpus: ndpar::cpu_count(),
            cpu,
            memory_gib,
        }
    }

    pub fn describe(&self) -> String {
        let memory = self
            .memory_gib
            .map(|g| format!(", {g:.0} GiB of memory"))
            .unwrap_or_default();
        format!("{} CPUs available ({}){memory}", self.cpus, self.cpu)
    }
}

/// The row speedups are measured against: the sequential baseline, else
/// ndpar on one thread.
pub fn baseline(case: &Case) -> Option<&Row> {
    case.rows
        .iter()
        .find(|r| r.role == Role::Sequential)
        .or_else(|| ndpar_on(case, 1))
}

/// ndpar's row on `threads` threads.
pub fn ndpar_on(case: &Case, threads: usize) -> Option<&Row> {
    case.rows
        .iter()
        .find(|r| r.role == Role::Ndpar && r.threads == threads)
}

/// ndpar's fastest row on the most threads measured (a case may time
/// several ndpar routes, such as a default and an opt-in).
pub fn ndpar_best_threads(case: &Case) -> Option<&Row> {
    let ndpar = || case.rows.iter().filter(|r| r.role == Role::Ndpar);
    let most = ndpar().map(|r| r.threads).max()?;
    ndpar()
        .filter(|r| r.threads == most)
        .min_by(|a, b| a.seconds.total_cmp(&b.seconds))
}

/// Whether the case times more than one ndpar route.
fn several_routes(case: &Case) -> bool {
    let mut names = case
        .rows
        .iter()
        .filter(|r| r.role == Role::Ndpar)
        .map(|r| &r.variant);
    names.next().is_some_and(|first| names.any(|n| n != first))
}

/// The fastest peer row (any thread count).
pub fn best_peer(case: &Case) -> Option<&Row> {
    case.rows
        .iter()
        .filter(|r| r.role == Role::Peer)
        .min_by(|a, b| a.seconds.total_cmp(&b.seconds))
}

fn time(seconds: f64) -> String {
    if seconds >= 1.0 {
        format!("{seconds:.2} s")
    } else if seconds >= 1e-3 {
        format!("{:.2} ms", seconds * 1e3)
    } else if seconds >= 1e-6 {
        format!("{:.2} µs", seconds * 1e6)
    } else {
        format!("{:.0} ns", seconds * 1e9)
    }
}

/// One case as a Markdown section.
pub fn case_markdown(case: &Case) -> String {
    let mut s = String::new();
    let base = baseline(case);
    let _ = writeln!(s, "### {} (`{}`)\n", case.title, case.id);
    let _ = writeln!(
        s,
        "Throughput: {} ({}). Speedup: against {}.\n",
        case.work.unit,
        case.work.convention,
        base.map_or("—".to_string(), |b| format!(
            "{} on {} thread{}",
            b.variant,
            b.threads,
            if b.threads == 1 { "" } else { "s" }
        ))
    );
    if let Some(load) = case.load {
        let _ = writeln!(s, "While the Rust variants ran, {}.\n", load.describe());
    }
    let _ = writeln!(
        s,
        "| variant | kind | threads | median | fastest – slowest round | throughput | speedup | parallel efficiency |"
    );
    let _ = writeln!(s, "|---|---|---:|---:|---:|---:|---:|---:|");
    for r in &case.rows {
        let speedup = base.map_or("".into(), |b| format!("{:.2}×", b.seconds / r.seconds));
        // Each ndpar variant against its own one-thread row.
        let own_one = case
            .rows
            .iter()
            .find(|o| o.role == Role::Ndpar && o.variant == r.variant && o.threads == 1);
        let efficiency = match (r.role, own_one) {
            (Role::Ndpar, Some(o)) => {
                format!("{:.0}%", 100.0 * o.seconds / r.seconds / r.threads as f64)
            }
            _ => String::new(),
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} – {} | {} | {speedup} | {efficiency} |",
            r.variant,
            r.role.name(),
            r.threads,
            time(r.seconds),
            time(r.low),
            time(r.high),
            case.work.rate(r.seconds)
        );
    }
    if let Some(top) = ndpar_best_threads(case) {
        let mut facts = Vec::new();
        if let Some(p) = best_peer(case) {
            facts.push(format!(
                "{:.2}× the speed of the best peer ({}, {} thread{})",
                p.seconds / top.seconds,
                p.variant,
                p.threads,
                if p.threads == 1 { "" } else { "s" }
            ));
        }
        if let Some(l) = case.rows.iter().find(|r| r.role == Role::Limit) {
            facts.push(format!(
                "{:.2}× the speed of {}",
                l.seconds / top.seconds,
                l.variant
            ));
        }
        if !facts.is_empty() {
            let route = if several_routes(case) {
                format!(" ({})", top.variant)
            } else {
                String::new()
            };
            let _ = writeln!(
                s,
                "\nndpar on {} threads{route}: {}.",
                top.threads,
                facts.join("; ")
            );
        }
    }
    s
}

/// Every row as CSV.
pub fn csv(cases: &[Case], machine: &Machine) -> String {
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut s = String::from(
        "case,title,variant,kind,threads,median_ms,throughput,unit,cpus,cpu,min_ms,max_ms\n",
    );
    for c in cases {
        for r in &c.rows {
            let _ = writeln!(
                s,
                "{},{},{},{},{},{:.6},{:.4},{},{},{},{:.6},{:.6}",
                c.id,
                quote(&c.title),
                quote(&r.variant),
                r.role.name(),
                r.threads,
                r.seconds * 1e3,
                c.work.amount / r.seconds,
                c.work.unit,
                machine.cpus,
                quote(&machine.cpu),
                r.low * 1e3,
                r.high * 1e3
            );
        }
    }
    s
}

/// The summary table: per case, ndpar's speedup on all threads and its
/// speed against the best peer. Cases whose peer time is mostly call
/// overhead, and cases run while the machine was busy, say so.
pub fn summary_markdown(cases: &[Case]) -> String {
    let mut s = String::from(
        "| case | ndpar, all threads | speedup over sequential | best peer | ndpar vs best peer |\n|---|---:|---:|---|---:|\n",
    );
    for c in cases {
        let Some(top) = ndpar_best_threads(c) else {
            continue;
        };
        let speedup = baseline(c).map_or("".into(), |b| format!("{:.2}×", b.seconds / top.seconds));
        let (peer, mut ratio) = best_peer(c).map_or(("—".to_string(), String::new()), |p| {
            (
                format!("{} ({} thr., {})", p.variant, p.threads, time(p.seconds)),
                format!("{:.2}×", p.seconds / top.seconds),
            )
        });
        if c.peer_time_is_call_overhead() && !ratio.is_empty() {
            ratio.push_str(" (the peer's time is mostly call overhead)");
        }
        let busy = if c.load.is_some_and(|l| l.busy()) {
            " (machine busy)"
        } else {
            ""
        };
        let route = if several_routes(c) {
            format!(" ({})", top.variant)
        } else {
            String::new()
        };
        let _ = writeln!(
            s,
            "| `{}` | {}{route}{busy} | {speedup} | {peer} | {ratio} |",
            c.id,
            time(top.seconds)
        );
    }
    s
}
