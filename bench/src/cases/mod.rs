//! The benchmark cases, one or more per kernel family. Each case states its
//! problem size once ([`Spec`]): the Rust variants read it here, and the
//! Python peers (`bench/peers/peers.py`) receive the same numbers, so both
//! sides time the same problem on the same data recipe.

mod blocks;
mod counting;
mod histogram;
mod linalg;
mod map;
mod reduce;
mod sort;
mod tasks;

use crate::measure::Row;

/// Problem sizes: `small` for a quick check (CI), `medium` (the default)
/// with inputs far larger than the caches, `large` for many-core machines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Size {
    Small,
    Medium,
    Large,
}

impl Size {
    /// `[small, medium, large][self]`.
    pub fn pick(self, values: [usize; 3]) -> usize {
        values[self as usize]
    }
}

/// How a run is set up: thread counts (ascending), rounds and size.
#[derive(Clone, Debug)]
pub struct Setup {
    pub threads: Vec<usize>,
    pub rounds: usize,
    pub size: Size,
}

impl Setup {
    /// The largest thread count.
    pub fn all(&self) -> usize {
        *self.threads.last().expect("at least one thread count")
    }
}

/// A case's problem size as named numbers, shared with the Python peers.
#[derive(Clone, Debug)]
pub struct Spec(pub Vec<(&'static str, usize)>);

impl Spec {
    pub fn get(&self, key: &str) -> usize {
        self.0
            .iter()
            .find(|(k, _)| *k == key)
            .map(|p| p.1)
            .unwrap_or_else(|| panic!("spec has no {key}"))
    }

    /// `{"key": value, ...}`.
    pub fn to_json(&self) -> String {
        let fields: Vec<String> = self
            .0
            .iter()
            .map(|(k, v)| format!("\"{k}\": {v}"))
            .collect();
        format!("{{{}}}", fields.join(", "))
    }
}

/// How a case's throughput is counted: `amount` units of work per call,
/// shown per second with an SI prefix (`23.4 GB/s`, `1.2 Mtasks/s`), and
/// the convention in words.
#[derive(Clone, Copy, Debug)]
pub struct Work {
    pub amount: f64,
    /// The unit of `amount` per second, without prefix: `B/s`, `FLOP/s`.
    pub unit: &'static str,
    pub convention: &'static str,
}

impl Work {
    /// Bytes read and written per call.
    pub fn bytes(bytes: usize, convention: &'static str) -> Work {
        Work::per_second(bytes as f64, "B/s", convention)
    }

    /// `amount` of `unit` per call.
    pub fn per_second(amount: f64, unit: &'static str, convention: &'static str) -> Work {
        Work {
            amount,
            unit,
            convention,
        }
    }

    /// The rate of one call taking `seconds`, with an SI prefix.
    pub fn rate(&self, seconds: f64) -> String {
        let r = self.amount / seconds;
        let (scale, prefix) = [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")]
            .into_iter()
            .find(|(s, _)| r >= *s)
            .unwrap_or((1.0, ""));
        format!("{:.2} {prefix}{}", r / scale, self.unit)
    }
}

/// A measured case.
#[derive(Clone, Debug)]
pub struct Case {
    pub id: &'static str,
    pub title: String,
    pub work: Work,
    pub rows: Vec<Row>,
    /// How busy the machine was while the Rust variants ran (`None`
    /// where the counters cannot be read).
    pub load: Option<crate::load::Load>,
}

impl Case {
    /// Whether the peers' time here is mostly the cost of calling them
    /// (Python's call and dispatch overhead), not of the work: tiny sums
    /// and trivial tasks. Their ratios are real, but not a claim about the
    /// kernels; the summary says so and the headline chart leaves them out.
    pub fn peer_time_is_call_overhead(&self) -> bool {
        matches!(self.id, "sum-100" | "sum-1k" | "tasks-trivial")
    }
}

/// A case the tool can run.
pub struct CaseDef {
    /// Short name (`--only` matches it; the CSV and the peers use it).
    pub id: &'static str,
    /// The kernel family, for the summary.
    pub family: &'static str,
    /// The problem size for a setup.
    pub spec: fn(&Setup) -> Spec,
    /// Title and throughput convention for a spec.
    pub describe: fn(&Spec) -> (String, Work),
    /// Measures the Rust variants.
    pub run: fn(&Setup, &Spec) -> Vec<Row>,
}

/// Every case, in report order.
pub fn all() -> Vec<CaseDef> {
    [
        reduce::cases(),
        map::cases(),
        blocks::cases(),
        histogram::cases(),
        linalg::cases(),
        sort::cases(),
        counting::cases(),
        tasks::cases(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The standard data recipe, also used by the peers: `x[i] = frac(i·φ⁻¹)`,
/// spread evenly over [0, 1) with no pattern a branch predictor can learn.
pub fn golden(i: usize) -> f64 {
    (i as f64 * 0.618_033_988_749_895).fract()
}
