//! Interleaved timing: every variant of a case runs once per round, so a
//! machine's drift (shared or throttled machines) hits every variant alike;
//! each variant's figure is its median over the rounds.

use std::time::Instant;

/// What a variant is, for the tables and charts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The ndpar kernel under test.
    Ndpar,
    /// The one-thread baseline that speedups are measured against: the
    /// sequential method a user would otherwise call.
    Sequential,
    /// Another parallel route in Rust (ndarray's own `par_*` methods).
    Parallel,
    /// A hand-written rayon kernel: the practical limit for memory-bound
    /// kernels.
    Limit,
    /// A Python library (numpy, numba, scipy, numexpr, joblib).
    Peer,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Ndpar => "ndpar",
            Role::Sequential => "sequential",
            Role::Parallel => "parallel",
            Role::Limit => "limit",
            Role::Peer => "peer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        [
            Role::Ndpar,
            Role::Sequential,
            Role::Parallel,
            Role::Limit,
            Role::Peer,
        ]
        .into_iter()
        .find(|r| r.name() == s)
    }
}

/// One measured variant: a name, its role, the thread count it runs on,
/// how many calls one timing covers (for calls too short to time alone),
/// and the work.
pub struct Variant<'a> {
    pub name: String,
    pub role: Role,
    pub threads: usize,
    pub calls: usize,
    run: Box<dyn FnMut() + Send + 'a>,
}

impl<'a> Variant<'a> {
    pub fn new(
        name: impl Into<String>,
        role: Role,
        threads: usize,
        run: impl FnMut() + Send + 'a,
    ) -> Self {
        Variant {
            name: name.into(),
            role,
            threads,
            calls: 1,
            run: Box::new(run),
        }
    }

    /// The same work as one variant per thread count (typically ndpar's
    /// kernel on every thread count of a run).
    pub fn per_thread_count(
        threads: &[usize],
        name: impl Into<String>,
        role: Role,
        run: impl FnMut() + Send + Clone + 'a,
    ) -> Vec<Variant<'a>> {
        let name = name.into();
        threads
            .iter()
            .map(|&t| Variant::new(name.clone(), role, t, run.clone()))
            .collect()
    }

    /// Times `calls` calls together and reports the time of one.
    pub fn calls(mut self, calls: usize) -> Self {
        self.calls = calls.max(1);
        self
    }
}

/// One row of a report: a variant's median seconds per call.
#[derive(Clone, Debug)]
pub struct Row {
    pub variant: String,
    pub role: Role,
    pub threads: usize,
    /// Median seconds per call over the rounds.
    pub seconds: f64,
    /// The fastest and the slowest round, seconds per call: the spread.
    pub low: f64,
    pub high: f64,
}

pub fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// Runs every variant once per round (after one warm-up round) on its own
/// thread count and returns each one's median seconds per call.
pub fn measure(variants: Vec<Variant<'_>>, rounds: usize) -> Vec<Row> {
    let mut variants = variants;
    let mut times = vec![Vec::with_capacity(rounds); variants.len()];
    for round in 0..=rounds {
        for (v, t) in variants.iter_mut().zip(&mut times) {
            let (run, calls) = (&mut v.run, v.calls);
            let secs = ndpar::with_threads(v.threads as isize, || {
                let start = Instant::now();
                for _ in 0..calls {
                    run();
                }
                start.elapsed().as_secs_f64() / calls as f64
            })
            .expect("thread counts are checked on the command line");
            if round > 0 {
                t.push(secs);
            }
        }
    }
    variants
        .iter()
        .zip(times)
        .map(|(v, t)| Row {
            variant: v.name.clone(),
            role: v.role,
            threads: v.threads,
            low: t.iter().copied().fold(f64::INFINITY, f64::min),
            high: t.iter().copied().fold(0.0, f64::max),
            seconds: median(t),
        })
        .collect()
}
