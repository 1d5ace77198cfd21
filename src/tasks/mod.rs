//! joblib for Rust: [`Parallel`] runs many independent tasks (simulations,
//! parameter grids, bootstrap replicates, cross-validation folds) across
//! cores, like joblib's `Parallel(n_jobs=…)(delayed(f)(x) for x in inputs)`.
//!
//! ```
//! use ndpar::Parallel;
//!
//! let squares = Parallel::new().n_jobs(4).map(0..10u64, |x| x * x).unwrap();
//! assert_eq!(squares, vec![0, 1, 4, 9, 16, 25, 36, 49, 64, 81]);
//! ```
//!
//! # How tasks are run
//!
//! Worker loops on the pool claim *batches* of consecutive tasks from a
//! shared counter. With [`BatchSize::Auto`] every worker adapts its batch
//! size to the time its last batch took, joblib's rule scaled to threads:
//! batches shorter than 50 µs double (so a million trivial tasks cost a few
//! atomic operations per thousand tasks), batches longer than 1 ms halve
//! (so slow tasks go out one by one), and no batch takes more than a
//! fraction of what remains (so the end of the run stays balanced).
//!
//! A panicking task, a failing task (`try_map`), a cancelled
//! [`CancelToken`] or an expired [`timeout`](Parallel::timeout) stops the
//! dispatch of further tasks; tasks already running finish (Rust cannot
//! interrupt a closure), and the call returns only when no task of it is
//! running any more. The pool stays usable.
//!
//! # Threads
//!
//! `n_jobs` has joblib's meaning (see [`effective_n_jobs`]);
//! `n_jobs(1)` runs every task on the calling thread with no pool at all.
//! Without `n_jobs`, tasks run in the current rayon pool. Inside a task of a
//! pool (a nested `Parallel`, or a `par_*` kernel), the current pool is
//! always used, whatever `n_jobs` says, so nesting never oversubscribes the
//! machine.

mod progress;
mod stream;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use stream::TaskStream;

use crate::error::{Error, Result};
use crate::threads::{cached_pool, effective_n_jobs};

/// How many tasks a worker takes at a time.
///
/// ```
/// use ndpar::{BatchSize, Parallel};
/// let v = Parallel::new().batch_size(BatchSize::Fixed(8)).map(0..100, |x| x + 1).unwrap();
/// assert_eq!(v[99], 100);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BatchSize {
    /// Adapt to measured task durations (the default; see the module docs).
    Auto,
    /// Always this many tasks per batch (at least 1).
    Fixed(usize),
}

/// A handle that stops a [`Parallel`] run from another thread: tasks not yet
/// started are not started, and the run returns [`Error::Cancelled`] with
/// their indices.
///
/// ```
/// use ndpar::{CancelToken, Error, Parallel};
///
/// let token = CancelToken::new();
/// let t = token.clone();
/// let r = Parallel::new().n_jobs(2).cancel_token(&token).map(0..1000, move |i| {
///     if i == 10 {
///         t.cancel();
///     }
///     std::thread::sleep(std::time::Duration::from_millis(1));
///     i
/// });
/// match r {
///     Err(Error::Cancelled { not_run }) => assert!(!not_run.is_empty()),
///     other => panic!("expected a cancellation, got {other:?}"),
/// }
/// ```
#[derive(Clone, Debug, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A token that is not cancelled.
    ///
    /// ```
    /// assert!(!ndpar::CancelToken::new().is_cancelled());
    /// ```
    pub fn new() -> CancelToken {
        CancelToken::default()
    }

    /// Cancels every run this token was given to.
    ///
    /// ```
    /// let t = ndpar::CancelToken::new();
    /// t.cancel();
    /// assert!(t.is_cancelled());
    /// ```
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether [`cancel`](CancelToken::cancel) was called.
    ///
    /// ```
    /// assert!(!ndpar::CancelToken::default().is_cancelled());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// The error of [`Parallel::try_map`]: a task's own error, or why the run
/// stopped otherwise.
///
/// ```
/// use ndpar::{Parallel, TaskError};
/// let r = Parallel::new().try_map(0..5, |i| if i == 3 { Err("three") } else { Ok(i) });
/// assert!(matches!(r, Err(TaskError::Failed { index: 3, error: "three" })));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TaskError<E> {
    /// Task `index` returned `error` (the lowest-indexed failure among the
    /// tasks that ran).
    #[error("task {index} failed: {error}")]
    Failed {
        /// The task's index in the inputs.
        index: usize,
        /// Its error.
        error: E,
    },
    /// The run stopped for another reason: a panic, a cancellation, a
    /// timeout, or a thread pool that could not be built.
    #[error(transparent)]
    Stopped(#[from] Error),
}

/// The joblib-style task runner; see the [module docs](self).
///
/// ```
/// use ndpar::Parallel;
/// use std::time::Duration;
///
/// let fits = Parallel::new()
///     .n_jobs(-1)
///     .timeout(Duration::from_secs(60))
///     .map(vec![0.1, 0.2, 0.3], |lambda: f64| lambda * 2.0)
///     .unwrap();
/// assert_eq!(fits, vec![0.2, 0.4, 0.6]);
/// ```
#[derive(Clone, Debug)]
pub struct Parallel {
    n_jobs: Option<isize>,
    batch: BatchSize,
    progress: bool,
    pre_dispatch: Option<usize>,
    cancel: Option<CancelToken>,
    timeout: Option<Duration>,
}

impl Default for Parallel {
    fn default() -> Self {
        Parallel::new()
    }
}

/// Where a run's tasks execute.
enum Runner {
    /// On the calling thread, one after the other.
    Inline,
    /// On this pool with this many workers.
    Pool(Option<Arc<rayon::ThreadPool>>, usize),
}

impl Parallel {
    /// A runner with the defaults: the current pool, automatic batches, no
    /// progress bar, no timeout.
    ///
    /// ```
    /// assert_eq!(ndpar::Parallel::new().map([1, 2], |x| x * 3).unwrap(), vec![3, 6]);
    /// ```
    pub fn new() -> Parallel {
        Parallel {
            n_jobs: None,
            batch: BatchSize::Auto,
            progress: false,
            pre_dispatch: None,
            cancel: None,
            timeout: None,
        }
    }

    /// Runs on [`effective_n_jobs(n_jobs)`](crate::effective_n_jobs)
    /// threads (joblib's `n_jobs`; 0 is an error when the run starts).
    /// Ignored inside a task of a pool, where the current pool is used.
    ///
    /// ```
    /// let v = ndpar::Parallel::new().n_jobs(1).map(0..3, |_| rayon::current_thread_index()).unwrap();
    /// assert!(v.iter().all(Option::is_none)); // n_jobs(1): the calling thread, no pool
    /// assert!(ndpar::Parallel::new().n_jobs(0).map(0..3, |x| x).is_err());
    /// ```
    pub fn n_jobs(mut self, n_jobs: isize) -> Parallel {
        self.n_jobs = Some(n_jobs);
        self
    }

    /// Sets how tasks are grouped into batches.
    ///
    /// ```
    /// use ndpar::{BatchSize, Parallel};
    /// let p = Parallel::new().batch_size(BatchSize::Fixed(1));
    /// assert_eq!(p.map(0..4, |x| x).unwrap(), vec![0, 1, 2, 3]);
    /// ```
    pub fn batch_size(mut self, batch: BatchSize) -> Parallel {
        self.batch = batch;
        self
    }

    /// Draws a progress bar on stderr (count, rate, time left) while the
    /// run goes, if stderr is a terminal and the `progress` feature is on;
    /// nothing is printed otherwise.
    ///
    /// ```
    /// let v = ndpar::Parallel::new().progress(true).map(0..3, |x| x).unwrap();
    /// assert_eq!(v, vec![0, 1, 2]);
    /// ```
    pub fn progress(mut self, on: bool) -> Parallel {
        self.progress = on;
        self
    }

    /// For the streaming forms: at most this many tasks dispatched ahead of
    /// the consumer (joblib's `pre_dispatch`; default twice the threads), so
    /// a slow consumer does not make memory grow without limit.
    ///
    /// ```
    /// let mut it = ndpar::Parallel::new().pre_dispatch(4).map_iter(0..100u32, |x| x);
    /// assert_eq!(it.next().unwrap().unwrap(), 0);
    /// ```
    pub fn pre_dispatch(mut self, tasks: usize) -> Parallel {
        self.pre_dispatch = Some(tasks.max(1));
        self
    }

    /// Stops dispatching when `token` is cancelled (see [`CancelToken`]).
    ///
    /// ```
    /// let t = ndpar::CancelToken::new();
    /// t.cancel();
    /// assert!(ndpar::Parallel::new().cancel_token(&t).map(0..3, |x| x).is_err());
    /// ```
    pub fn cancel_token(mut self, token: &CancelToken) -> Parallel {
        self.cancel = Some(token.clone());
        self
    }

    /// Stops dispatching once `limit` has passed since the run started; the
    /// run then returns [`Error::TimedOut`] with the tasks that did not run.
    ///
    /// ```
    /// use std::time::Duration;
    /// let r = ndpar::Parallel::new().n_jobs(2).timeout(Duration::from_millis(20)).map(0..1000, |i| {
    ///     std::thread::sleep(Duration::from_millis(2));
    ///     i
    /// });
    /// assert!(matches!(r, Err(ndpar::Error::TimedOut { .. })));
    /// ```
    pub fn timeout(mut self, limit: Duration) -> Parallel {
        self.timeout = Some(limit);
        self
    }

    /// Where the tasks of a run go: inline for `n_jobs(1)`, else a pool.
    fn runner(&self) -> Result<Runner> {
        if rayon::current_thread_index().is_some() {
            // Nested: share the pool we are in.
            return Ok(Runner::Pool(None, rayon::current_num_threads()));
        }
        match self.n_jobs {
            None => Ok(Runner::Pool(None, rayon::current_num_threads())),
            Some(n) => match effective_n_jobs(n)? {
                1 => Ok(Runner::Inline),
                threads => Ok(Runner::Pool(Some(cached_pool(threads)?), threads)),
            },
        }
    }

    /// `f` of every input, in input order (joblib's `Parallel(...)(delayed(f)(x) for x in inputs)`).
    ///
    /// # Errors
    ///
    /// [`Error::TaskPanicked`] if a task panics (the lowest-indexed panic
    /// among the tasks that ran), [`Error::Cancelled`] or
    /// [`Error::TimedOut`] if the run was stopped before every task ran,
    /// [`Error::InvalidNJobs`] for `n_jobs(0)`.
    ///
    /// ```
    /// let r = ndpar::Parallel::new().map(0..100, |i| if i == 42 { panic!("bad input {i}") } else { i });
    /// let msg = r.unwrap_err().to_string();
    /// assert!(msg.contains("task 42") && msg.contains("bad input 42"));
    /// ```
    pub fn map<T, R, F>(&self, inputs: impl IntoIterator<Item = T>, f: F) -> Result<Vec<R>>
    where
        T: Send,
        R: Send,
        F: Fn(T) -> R + Sync,
    {
        self.run(inputs.into_iter().collect(), |x| {
            Ok::<R, std::convert::Infallible>(f(x))
        })
        .map_err(|e| match e {
            TaskError::Stopped(e) => e,
            TaskError::Failed { error, .. } => match error {},
        })
    }

    /// Like [`map`](Parallel::map) for tasks that can fail: the first error
    /// stops the dispatch of further tasks, and the lowest-indexed error
    /// among the tasks that ran is returned.
    ///
    /// # Errors
    ///
    /// [`TaskError::Failed`] with the task's error, or
    /// [`TaskError::Stopped`] as for `map`.
    ///
    /// ```
    /// use ndpar::{Parallel, TaskError};
    /// let parsed = Parallel::new().try_map(["1", "2", "x"], |s: &str| s.parse::<i32>());
    /// assert!(matches!(parsed, Err(TaskError::Failed { index: 2, .. })));
    /// ```
    pub fn try_map<T, R, E, F>(
        &self,
        inputs: impl IntoIterator<Item = T>,
        f: F,
    ) -> std::result::Result<Vec<R>, TaskError<E>>
    where
        T: Send,
        R: Send,
        E: Send,
        F: Fn(T) -> std::result::Result<R, E> + Sync,
    {
        self.run(inputs.into_iter().collect(), f)
    }

    fn run<T, R, E, F>(&self, inputs: Vec<T>, f: F) -> std::result::Result<Vec<R>, TaskError<E>>
    where
        T: Send,
        R: Send,
        E: Send,
        F: Fn(T) -> std::result::Result<R, E> + Sync,
    {
        let n = inputs.len();
        let runner = self.runner()?;
        let deadline = self.timeout.map(|t| Instant::now() + t);
        let run = Run {
            inputs: inputs.into_iter().map(|x| Mutex::new(Some(x))).collect(),
            next: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
            failures: Mutex::new(Vec::new()),
            results: Mutex::new(Vec::new()),
            cancel: self.cancel.clone(),
            deadline,
            batch: self.batch,
            bar: progress::Bar::new(self.progress, n as u64),
        };
        match runner {
            Runner::Inline => run.worker(&f, 1),
            Runner::Pool(pool, threads) => {
                let workers = threads.min(n).max(1);
                let (run, f) = (&run, &f);
                match pool {
                    Some(pool) => pool.scope(|s| {
                        for _ in 0..workers {
                            s.spawn(move |_| run.worker(f, workers));
                        }
                    }),
                    None => rayon::scope(|s| {
                        for _ in 0..workers {
                            s.spawn(move |_| run.worker(f, workers));
                        }
                    }),
                }
            }
        }
        run.bar.finish();
        run.finish(n)
    }

    /// `f` of every input as an iterator in input order, while later tasks
    /// still run (joblib's `return_as="generator"`). At most
    /// [`pre_dispatch`](Parallel::pre_dispatch) tasks are in flight ahead
    /// of the consumer. Dropping the iterator stops dispatch and waits for
    /// the tasks in flight. Inputs and `f` must be `'static` (they outlive
    /// this call).
    ///
    /// ```
    /// let mut seen = Vec::new();
    /// for r in ndpar::Parallel::new().n_jobs(2).map_iter(0..20u64, |x| x * 10) {
    ///     seen.push(r.unwrap());
    /// }
    /// assert_eq!(seen, (0..20).map(|x| x * 10).collect::<Vec<_>>());
    /// ```
    pub fn map_iter<I, T, R, F>(&self, inputs: I, f: F) -> TaskStream<T, R>
    where
        I: IntoIterator<Item = T>,
        I::IntoIter: Send + 'static,
        T: Send + 'static,
        R: Send + 'static,
        F: Fn(T) -> R + Send + Sync + 'static,
    {
        TaskStream::new(self, Box::new(inputs.into_iter()), Arc::new(f), true)
    }

    /// Like [`map_iter`](Parallel::map_iter), but yields `(index, result)`
    /// as tasks finish, in any order (joblib's
    /// `return_as="generator_unordered"`).
    ///
    /// ```
    /// let mut got: Vec<(usize, u64)> = ndpar::Parallel::new()
    ///     .map_unordered(0..10u64, |x| x + 1)
    ///     .map(|(i, r)| (i, r.unwrap()))
    ///     .collect();
    /// got.sort();
    /// assert_eq!(got, (0..10).map(|i| (i, i as u64 + 1)).collect::<Vec<_>>());
    /// ```
    pub fn map_unordered<I, T, R, F>(&self, inputs: I, f: F) -> stream::Unordered<T, R>
    where
        I: IntoIterator<Item = T>,
        I::IntoIter: Send + 'static,
        T: Send + 'static,
        R: Send + 'static,
        F: Fn(T) -> R + Send + Sync + 'static,
    {
        stream::Unordered(TaskStream::new(
            self,
            Box::new(inputs.into_iter()),
            Arc::new(f),
            false,
        ))
    }
}

/// Shortest and longest wanted batch durations for [`BatchSize::Auto`].
const BATCH_MIN: Duration = Duration::from_micros(50);
const BATCH_MAX: Duration = Duration::from_millis(1);

/// The shared state of one `map` / `try_map` run.
struct Run<T, R, E> {
    inputs: Vec<Mutex<Option<T>>>,
    /// The first task not yet claimed.
    next: AtomicUsize,
    /// Set when a task fails or panics: nothing more is dispatched.
    stop: AtomicBool,
    failures: Mutex<Vec<(usize, Failure<E>)>>,
    results: Mutex<Vec<(usize, Vec<R>)>>,
    cancel: Option<CancelToken>,
    deadline: Option<Instant>,
    batch: BatchSize,
    bar: progress::Bar,
}

enum Failure<E> {
    Error(E),
    Panic(String),
}

/// The message of a panic payload.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(a panic with a non-string payload)".to_string())
}

impl<T, R, E> Run<T, R, E> {
    fn halted(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
            || self.cancel.as_ref().is_some_and(CancelToken::is_cancelled)
            || self.deadline.is_some_and(|d| Instant::now() >= d)
    }

    /// One worker: claim batches until the inputs run out or the run stops.
    fn worker(&self, f: &(impl Fn(T) -> std::result::Result<R, E> + Sync), workers: usize) {
        let n = self.inputs.len();
        let mut size = match self.batch {
            BatchSize::Auto => 1,
            BatchSize::Fixed(k) => k.max(1),
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
            let start = self.next.fetch_add(take, Ordering::Relaxed);
            if start >= n {
                break;
            }
            let end = (start + take).min(n);
            let began = Instant::now();
            let mut out = Vec::with_capacity(end - start);
            let mut done = 0;
            for i in start..end {
                if done > 0 && self.halted() {
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
                done += 1;
            }
            self.bar.inc(done as u64);
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

    fn fail(&self, index: usize, failure: Failure<E>) {
        self.stop.store(true, Ordering::Relaxed);
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((index, failure));
    }

    /// The results in input order, or why the run stopped.
    fn finish(self, n: usize) -> std::result::Result<Vec<R>, TaskError<E>> {
        let mut failures = self
            .failures
            .into_inner()
            .unwrap_or_else(|e| e.into_inner());
        failures.sort_by_key(|(i, _)| *i);
        if let Some((index, failure)) = failures.into_iter().next() {
            return Err(match failure {
                Failure::Error(error) => TaskError::Failed { index, error },
                Failure::Panic(message) => {
                    TaskError::Stopped(Error::TaskPanicked { index, message })
                }
            });
        }
        let mut slots: Vec<Option<R>> = (0..n).map(|_| None).collect();
        for (start, rs) in self.results.into_inner().unwrap_or_else(|e| e.into_inner()) {
            for (k, r) in rs.into_iter().enumerate() {
                slots[start + k] = Some(r);
            }
        }
        let not_run: Vec<usize> = slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.is_none())
            .map(|(i, _)| i)
            .collect();
        if !not_run.is_empty() {
            let cancelled = self.cancel.as_ref().is_some_and(CancelToken::is_cancelled);
            return Err(TaskError::Stopped(if cancelled {
                Error::Cancelled { not_run }
            } else {
                Error::TimedOut { not_run }
            }));
        }
        Ok(slots
            .into_iter()
            .map(|s| s.expect("every task ran"))
            .collect())
    }
}
