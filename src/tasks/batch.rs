//! Batched runs (`map`, `try_map`, `map_partial`): worker loops claim
//! batches of consecutive tasks from a shared counter until the inputs run
//! out or the run stops.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::place::{Place, Stop};
use super::{BatchSize, panic_message, progress};
use crate::params::Params;

/// Shortest and longest wanted batch durations for [`BatchSize::Auto`].
const BATCH_MIN: Duration = Duration::from_micros(50);
const BATCH_MAX: Duration = Duration::from_millis(1);

/// Why a task did not return a value.
pub(crate) enum Failure<E> {
    Error(E),
    Panic(String),
}

/// What a finished run hands back: every task's result (`None` for tasks
/// that did not run or did not return a value), and the failures, lowest
/// index first.
pub(crate) struct Outcome<R, E> {
    pub(crate) results: Vec<Option<R>>,
    pub(crate) failures: Vec<(usize, Failure<E>)>,
}

/// The shared state of one batched run.
struct Run<T, R, E> {
    inputs: Vec<Mutex<Option<T>>>,
    /// The first task not yet claimed.
    next: AtomicUsize,
    /// Set when a task fails or panics: nothing more is dispatched.
    failed: AtomicBool,
    failures: Mutex<Vec<(usize, Failure<E>)>>,
    results: Mutex<Vec<(usize, Vec<R>)>>,
    stop: Stop,
    batch: BatchSize,
    bar: progress::Bar,
}

/// Runs `f` on every input at `place` and collects what came back.
pub(crate) fn run<T, R, E, F>(
    inputs: Vec<T>,
    f: F,
    place: Place,
    stop: Stop,
    batch: BatchSize,
    progress: bool,
) -> Outcome<R, E>
where
    T: Send,
    R: Send,
    E: Send,
    F: Fn(T) -> std::result::Result<R, E> + Sync,
{
    let n = inputs.len();
    let run = Run {
        bar: progress::Bar::new(progress, n as u64),
        inputs: inputs.into_iter().map(|x| Mutex::new(Some(x))).collect(),
        next: AtomicUsize::new(0),
        failed: AtomicBool::new(false),
        failures: Mutex::new(Vec::new()),
        results: Mutex::new(Vec::new()),
        stop,
        batch,
    };
    // Tasks may call kernels: they plan with the caller's params on
    // whichever worker runs them.
    let params = Params::current();
    let workers = place.threads().min(n).max(1);
    let (run_ref, f) = (&run, &f);
    let worker = move || params.install(|| run_ref.worker(f, workers));
    match place {
        Place::Inline => worker(),
        Place::Pool(Some(pool), _) => pool.scope(|s| {
            for _ in 0..workers {
                s.spawn(move |_| worker());
            }
        }),
        Place::Pool(None, _) => rayon::scope(|s| {
            for _ in 0..workers {
                s.spawn(move |_| worker());
            }
        }),
    }
    run.bar.finish();
    run.finish(n)
}

impl<T, R, E> Run<T, R, E> {
    fn halted(&self) -> bool {
        self.failed.load(Ordering::Relaxed) || self.stop.halted()
    }

    /// One worker: claim batches until the inputs run out or the run stops.
    fn worker(&self, f: &(impl Fn(T) -> std::result::Result<R, E> + Sync), workers: usize) {
        let n = self.inputs.len();
        let mut size = match self.batch {
            BatchSize::Auto => 1,
            BatchSize::Fixed(k) => k,
        };
        while !self.halted() {
            // Never more than half of a worker's fair share of what is left.
            let remaining = n.saturating_sub(self.next.load(Ordering::Relaxed));
            let cap = remaining.div_ceil(2 * workers).max(1);
            let take = if self.batch == BatchSize::Auto {
                size.min(cap)
            } else {
                size
            };
            let Some((start, end)) = self.claim(take) else {
                break;
            };
            let began = Instant::now();
            let mut out = Vec::with_capacity(end - start);
            for i in start..end {
                if i > start && self.halted() {
                    // The rest of the batch stays unclaimed in effect: it
                    // is reported as not run.
                    break;
                }
                let input = self.inputs[i]
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .take()
                    .expect("each task is claimed once");
                match catch_unwind(AssertUnwindSafe(|| f(input))) {
                    Ok(Ok(r)) => out.push(r),
                    Ok(Err(e)) => {
                        self.fail(i, Failure::Error(e));
                        break;
                    }
                    Err(payload) => {
                        self.fail(i, Failure::Panic(panic_message(&*payload)));
                        break;
                    }
                }
            }
            self.bar.inc(out.len() as u64);
            if !out.is_empty() {
                self.results
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((start, out));
            }
            if self.batch == BatchSize::Auto {
                let took = began.elapsed();
                if took < BATCH_MIN {
                    size = size.saturating_mul(2);
                } else if took > BATCH_MAX {
                    size = (size / 2).max(1);
                }
            }
        }
    }

    /// Claims the next `take` tasks (fewer at the end of the input): their
    /// index range, or `None` when every task is claimed. The counter never
    /// passes the number of tasks, however large `take` is.
    fn claim(&self, take: usize) -> Option<(usize, usize)> {
        let n = self.inputs.len();
        let start = self
            .next
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |s| {
                (s < n).then(|| s + take.min(n - s))
            })
            .ok()?;
        Some((start, start + take.min(n - start)))
    }

    fn fail(&self, index: usize, failure: Failure<E>) {
        self.failed.store(true, Ordering::Relaxed);
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((index, failure));
    }

    /// Every task's result in input order, and the failures.
    fn finish(self, n: usize) -> Outcome<R, E> {
        let mut failures = self
            .failures
            .into_inner()
            .unwrap_or_else(|e| e.into_inner());
        failures.sort_by_key(|(i, _)| *i);
        let mut results: Vec<Option<R>> = (0..n).map(|_| None).collect();
        for (start, rs) in self.results.into_inner().unwrap_or_else(|e| e.into_inner()) {
            for (k, r) in rs.into_iter().enumerate() {
                results[start + k] = Some(r);
            }
        }
        Outcome { results, failures }
    }
}
