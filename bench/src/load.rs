//! How busy the machine was while a case ran: the CPU time that other
//! processes took (Linux's `/proc/stat` less this process and its
//! children), and the time the hypervisor took back (steal). A benchmark
//! is only as good as an idle machine; the report says when it was not.

use std::time::Instant;

/// Clock ticks per second of `/proc` figures (Linux's USER_HZ, 100 on
/// every architecture the tool runs on).
const TICKS_PER_SECOND: f64 = 100.0;

/// Other processes using at least this many cores on average make the
/// report warn...
pub const BUSY_CORES: f64 = 0.1;
/// ...when they also used at least this much CPU time in all: the
/// counters tick every 10 ms, so a short case's average is too coarse to
/// judge on its own.
pub const BUSY_SECONDS: f64 = 0.2;

/// A reading of the CPU counters.
#[derive(Clone, Copy, Debug)]
pub struct Sample {
    at: Instant,
    /// Busy ticks of the whole machine (steal excluded), if readable.
    busy: Option<u64>,
    /// Steal ticks of the whole machine.
    steal: Option<u64>,
    /// Ticks of this process and its waited-for children.
    own: Option<u64>,
}

/// What a stretch of time between two samples saw.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Load {
    /// Cores used by other processes, on average.
    pub other_cores: f64,
    /// CPU seconds used by other processes in all.
    pub other_seconds: f64,
    /// Cores taken back by the hypervisor, on average.
    pub steal_cores: f64,
}

impl Load {
    /// Whether other processes took enough CPU to distort timings.
    pub fn busy(&self) -> bool {
        self.other_cores >= BUSY_CORES && self.other_seconds >= BUSY_SECONDS
    }

    /// One line for the report.
    pub fn describe(&self) -> String {
        format!(
            "other processes used {:.2} cores on average, the hypervisor took {:.2}{}",
            self.other_cores,
            self.steal_cores,
            if self.busy() {
                " — the machine was busy: these timings may be slow"
            } else {
                ""
            }
        )
    }
}

/// Runs `f` and returns its result with the load while it ran; warns on
/// stderr, naming `what`, when the machine was busy.
pub fn during<T>(what: &str, f: impl FnOnce() -> T) -> (T, Option<Load>) {
    let before = Sample::now();
    let value = f();
    let load = before.until(&Sample::now());
    if let Some(l) = load.filter(Load::busy) {
        eprintln!("{what}: {}", l.describe());
    }
    (value, load)
}

impl Sample {
    /// The counters now (`None` parts where `/proc` is not there).
    pub fn now() -> Sample {
        let stat = std::fs::read_to_string("/proc/stat").ok();
        let cpu = stat.as_deref().and_then(machine_ticks);
        let own = std::fs::read_to_string("/proc/self/stat")
            .ok()
            .as_deref()
            .and_then(own_ticks);
        Sample {
            at: Instant::now(),
            busy: cpu.map(|c| c.0),
            steal: cpu.map(|c| c.1),
            own,
        }
    }

    /// The load between `self` and a later sample; `None` without `/proc`.
    pub fn until(&self, later: &Sample) -> Option<Load> {
        let seconds = later.at.duration_since(self.at).as_secs_f64().max(1e-9);
        let busy = later.busy?.saturating_sub(self.busy?);
        let own = later.own?.saturating_sub(self.own?);
        let steal = later.steal?.saturating_sub(self.steal?);
        let other = busy.saturating_sub(own) as f64 / TICKS_PER_SECOND;
        Some(Load {
            other_cores: other / seconds,
            other_seconds: other,
            steal_cores: steal as f64 / TICKS_PER_SECOND / seconds,
        })
    }
}

/// Busy and steal ticks from the first line of `/proc/stat`: `cpu user
/// nice system idle iowait irq softirq steal …`.
fn machine_ticks(stat: &str) -> Option<(u64, u64)> {
    let line = stat.lines().next()?;
    let f: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .map(|v| v.parse().ok())
        .collect::<Option<_>>()?;
    let at = |i: usize| f.get(i).copied().unwrap_or(0);
    Some((at(0) + at(1) + at(2) + at(5) + at(6), at(7)))
}

/// utime + stime + cutime + cstime from `/proc/self/stat` (fields 14 to
/// 17; the command name in field 2 may hold spaces, so count from its
/// closing parenthesis).
fn own_ticks(stat: &str) -> Option<u64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3.
    (11..15).map(|i| f.get(i)?.parse::<u64>().ok()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_counters() {
        let stat = "cpu  100 5 50 1000 7 3 2 9 0 0\ncpu0 1 2 3\n";
        assert_eq!(machine_ticks(stat), Some((160, 9)));
        let own = "42 (a b) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16";
        // utime 11, stime 12, cutime 13, cstime 14.
        assert_eq!(own_ticks(own), Some(50));
        let before = Sample {
            at: Instant::now(),
            busy: Some(1000),
            steal: Some(0),
            own: Some(100),
        };
        let after = Sample {
            at: before.at + std::time::Duration::from_secs(2),
            busy: Some(1300),
            steal: Some(20),
            own: Some(300),
        };
        let load = before.until(&after).unwrap();
        assert!((load.other_cores - 0.5).abs() < 1e-12);
        assert!((load.other_seconds - 1.0).abs() < 1e-12);
        assert!((load.steal_cores - 0.1).abs() < 1e-12);
        assert!(load.busy());
        // Half a core for 0.1 s: three ticks, too few to call it busy.
        let short = Sample {
            at: before.at + std::time::Duration::from_millis(100),
            busy: Some(1000 + 5 + 3),
            steal: Some(0),
            own: Some(100 + 5),
        };
        let load = before.until(&short).unwrap();
        assert!(load.other_cores > BUSY_CORES && !load.busy());
    }
}
