//! joblib for Rust: [`Parallel`] runs many independent tasks (simulations,
//! parameter grids, bootstrap replicates, cross-validation folds) across
//! cores, like joblib's `Parallel(n_jobs=…)(delayed(f)(x) for x in inputs)`.
//!
//! ```
//! use ndpar::Parallel;
//!
//! let squares = Parallel::new().n_jobs(4)?.map(0..10u64, |x| x * x)?;
//! assert_eq!(squares, vec![0, 1, 4, 9, 16, 25, 36, 49, 64, 81]);
//! # Ok::<(), ndpar::Error>(())
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
//! running any more. The pool stays usable. A batched run names the tasks
//! that did not run ([`NotRun::Listed`]); a stream stops without reading
//! the rest of its input, which may be endless (`0u64..`), and names the
//! first task that did not run ([`NotRun::From`]). A
//! [`timeout`](Parallel::timeout) too long to represent
//! ([`Duration::MAX`]) sets no deadline.
//!
//! # Threads
//!
//! `n_jobs` has joblib's meaning (see [`effective_n_jobs`](crate::effective_n_jobs));
//! one thread (`n_jobs(1)`, or a one-thread current pool) runs every task
//! on the calling thread with no pool at all. Without `n_jobs`, tasks run
//! in the current rayon pool. Inside a task of a pool (a nested
//! `Parallel`, or a `par_*` kernel), the current pool is always used,
//! whatever `n_jobs` says, so nesting never oversubscribes the machine; a
//! stream started there runs inline, since its consumer blocks waiting for
//! results. A stream made outside a pool may be consumed inside it, even
//! in every worker at once: a consumer on a worker runs the pool's pending
//! work while it waits, so its tasks are never stuck behind it.
//!
//! The [`Params`](crate::Params) current when a run starts travel with its
//! tasks: a kernel called inside a task plans its blocks exactly as it
//! would on the calling thread, so its bits do not depend on the thread
//! that ran the task.
//!
//! # When settings are checked
//!
//! [`n_jobs`](Parallel::n_jobs) checks its value (and builds the pool) when
//! it is called and returns an [`Error`] for 0 or more than
//! [`MAX_THREADS`](crate::MAX_THREADS), before any thread starts. A batch size or
//! `pre_dispatch` of 0 is a programmer error and panics at that call.

// The task layer runs arbitrary closures on rayon itself (scopes,
// spawned streams); kernels go through `plan::Schedule` (see clippy.toml).
#![allow(clippy::disallowed_methods)]

mod batch;
mod place;
mod progress;
mod stream;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

pub use stream::{ScopedTaskStream, TaskStream, UnorderedTaskStream};

use crate::error::{Error, NotRun, Result};
use batch::{Failure, Outcome};
use place::{Place, Stop, Threads};
use stream::{Core, Detached, Scoped};

/// How many tasks a worker takes at a time.
///
/// ```
/// use ndpar::{BatchSize, Parallel};
/// let v = Parallel::new().batch_size(BatchSize::Fixed(8)).map(0..100, |x| x + 1).unwrap();
/// assert_eq!(v[99], 100);
/// assert_eq!(BatchSize::default(), BatchSize::Auto);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum BatchSize {
    /// Adapt to measured task durations (the default; see the module docs).
    #[default]
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
/// let r = Parallel::new().n_jobs(2).unwrap().cancel_token(&token).map(0..1000, move |i| {
///     if i == 10 {
///         t.cancel();
///     }
///     std::thread::sleep(std::time::Duration::from_millis(1));
///     i
/// });
/// match r {
///     Err(Error::Cancelled { not_run }) => assert!(not_run.count().unwrap() > 0),
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
#[derive(Debug)]
#[non_exhaustive]
pub enum TaskError<E> {
    /// Task `index` returned `error` (the lowest-indexed failure among the
    /// tasks that ran).
    Failed {
        /// The task's index in the inputs.
        index: usize,
        /// Its error.
        error: E,
    },
    /// The run stopped for another reason: a panic, a cancellation, a
    /// timeout, or a thread pool that could not be built.
    Stopped(Error),
}

impl<E> From<Error> for TaskError<E> {
    fn from(e: Error) -> Self {
        TaskError::Stopped(e)
    }
}

impl<E: std::fmt::Display> std::fmt::Display for TaskError<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TaskError::Failed { index, error } => write!(f, "task {index} failed: {error}"),
            TaskError::Stopped(e) => e.fmt(f),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for TaskError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TaskError::Failed { error, .. } => Some(error),
            TaskError::Stopped(e) => e.source(),
        }
    }
}

/// What [`Parallel::map_partial`] hands back: every result that was
/// computed, and why the run ended early if it did.
///
/// ```
/// use ndpar::{CancelToken, Error, Parallel};
///
/// let token = CancelToken::new();
/// let t = token.clone();
/// let p = Parallel::new().n_jobs(1).unwrap().cancel_token(&token);
/// let partial = p.map_partial(0..10, |i| {
///     if i == 3 {
///         t.cancel(); // tasks 0..=3 finish; 4.. never start
///     }
///     i * 10
/// });
/// assert_eq!(partial.results[..4], [Some(0), Some(10), Some(20), Some(30)]);
/// assert!(partial.results[4..].iter().all(Option::is_none));
/// assert!(matches!(partial.stopped, Some(Error::Cancelled { .. })));
/// assert!(partial.into_result().is_err());
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct Partial<R> {
    /// `results[i]` is task `i`'s result, or `None` if the task did not run
    /// (or panicked).
    pub results: Vec<Option<R>>,
    /// Why the run ended before every task returned a value: the
    /// lowest-indexed panic ([`Error::TaskPanicked`]), else a cancellation
    /// or a timeout (with the tasks that did not run); `None` if every
    /// task ran.
    pub stopped: Option<Error>,
}

impl<R> Partial<R> {
    /// All results in input order if every task ran, else why not (what
    /// [`Parallel::map`] returns).
    ///
    /// # Errors
    ///
    /// [`Partial::stopped`], if set.
    ///
    /// ```
    /// let p = ndpar::Parallel::new().map_partial(0..3, |x| x + 1);
    /// assert_eq!(p.into_result().unwrap(), vec![1, 2, 3]);
    /// ```
    pub fn into_result(self) -> Result<Vec<R>> {
        match self.stopped {
            Some(e) => Err(e),
            None => Ok(self
                .results
                .into_iter()
                .map(|r| r.expect("every task ran"))
                .collect()),
        }
    }
}

/// The joblib-style task runner; see the [module docs](self).
///
/// ```
/// use ndpar::Parallel;
/// use std::time::Duration;
///
/// let fits = Parallel::new()
///     .n_jobs(-1)?
///     .timeout(Duration::from_secs(60))
///     .map(vec![0.1, 0.2, 0.3], |lambda: f64| lambda * 2.0)?;
/// assert_eq!(fits, vec![0.2, 0.4, 0.6]);
/// # Ok::<(), ndpar::Error>(())
/// ```
#[derive(Clone, Debug)]
#[must_use = "a Parallel runs nothing until one of its map methods is called"]
pub struct Parallel {
    threads: Threads,
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

/// Why a run without failures did not run every task (cancelled or timed
/// out, with the tasks that did not run), or `None` if it did.
fn stopped_early<R>(results: &[Option<R>], stop: &Stop) -> Option<Error> {
    let not_run: Vec<usize> = results
        .iter()
        .enumerate()
        .filter(|(_, r)| r.is_none())
        .map(|(i, _)| i)
        .collect();
    (!not_run.is_empty()).then(|| stop.error(NotRun::Listed(not_run)))
}

/// The message of a panic payload.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(a panic with a non-string payload)".to_string())
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
            threads: Threads::Current,
            batch: BatchSize::Auto,
            progress: false,
            pre_dispatch: None,
            cancel: None,
            timeout: None,
        }
    }

    /// Runs on [`effective_n_jobs(n_jobs)`](crate::effective_n_jobs)
    /// threads (joblib's `n_jobs`): the pool is made (or reused) now.
    /// Ignored inside a task of a pool, where the current pool is used.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidNJobs`] for `n_jobs = 0`; [`Error::ThreadPool`] if
    /// the pool cannot be built.
    ///
    /// ```
    /// let p = ndpar::Parallel::new().n_jobs(1).unwrap();
    /// let v = p.map(0..3, |_| rayon::current_thread_index()).unwrap();
    /// assert!(v.iter().all(Option::is_none)); // n_jobs(1): the calling thread, no pool
    /// assert!(ndpar::Parallel::new().n_jobs(0).is_err());
    /// ```
    pub fn n_jobs(mut self, n_jobs: isize) -> Result<Parallel> {
        self.threads = Threads::from_n_jobs(n_jobs)?;
        Ok(self)
    }

    /// Sets how tasks are grouped into batches (a batch larger than what
    /// is left of the input is the rest of the input).
    ///
    /// # Panics
    ///
    /// For `BatchSize::Fixed(0)`.
    ///
    /// ```
    /// use ndpar::{BatchSize, Parallel};
    /// let p = Parallel::new().batch_size(BatchSize::Fixed(1));
    /// assert_eq!(p.map(0..4, |x| x).unwrap(), vec![0, 1, 2, 3]);
    /// ```
    #[track_caller]
    pub fn batch_size(mut self, batch: BatchSize) -> Parallel {
        assert!(
            batch != BatchSize::Fixed(0),
            "Parallel::batch_size: a batch holds at least one task, got BatchSize::Fixed(0)"
        );
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
    /// # Panics
    ///
    /// For 0 (a stream could never start).
    ///
    /// ```
    /// let mut it = ndpar::Parallel::new().pre_dispatch(4).map_iter(0..100u32, |x| x);
    /// assert_eq!(it.next().unwrap().unwrap(), 0);
    /// ```
    #[track_caller]
    pub fn pre_dispatch(mut self, tasks: usize) -> Parallel {
        assert!(
            tasks > 0,
            "Parallel::pre_dispatch: at least one task must be dispatched ahead, got 0"
        );
        self.pre_dispatch = Some(tasks);
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
    /// run then returns [`Error::TimedOut`] with the tasks that did not run
    /// ([`map_partial`](Parallel::map_partial) also hands back the results
    /// of the tasks that did). A limit too long to represent, such as
    /// [`Duration::MAX`], means no deadline.
    ///
    /// ```
    /// use std::time::Duration;
    /// let p = ndpar::Parallel::new().n_jobs(2).unwrap().timeout(Duration::from_millis(20));
    /// let r = p.map(0..1000, |i| {
    ///     std::thread::sleep(Duration::from_millis(2));
    ///     i
    /// });
    /// assert!(matches!(r, Err(ndpar::Error::TimedOut { .. })));
    /// ```
    pub fn timeout(mut self, limit: Duration) -> Parallel {
        self.timeout = Some(limit);
        self
    }

    /// The stop conditions of a run starting now.
    fn stop(&self) -> Stop {
        Stop::starting_now(self.cancel.clone(), self.timeout)
    }

    /// Runs every task (batched) and collects what came back.
    fn run<T, R, E, F>(&self, inputs: Vec<T>, f: F) -> (Outcome<R, E>, Stop)
    where
        T: Send,
        R: Send,
        E: Send,
        F: Fn(T) -> std::result::Result<R, E> + Sync,
    {
        let stop = self.stop();
        let place = Place::of(&self.threads, false);
        let outcome = batch::run(inputs, f, place, stop.clone(), self.batch, self.progress);
        (outcome, stop)
    }

    /// `f` of every input, in input order (joblib's `Parallel(...)(delayed(f)(x) for x in inputs)`).
    ///
    /// # Errors
    ///
    /// [`Error::TaskPanicked`] if a task panics (the lowest-indexed panic
    /// among the tasks that ran), [`Error::Cancelled`] or
    /// [`Error::TimedOut`] if the run was stopped before every task ran.
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
        self.map_partial(inputs, f).into_result()
    }

    /// Like [`map`](Parallel::map), but a run stopped early (a panic, a
    /// cancellation, a timeout) still hands back the results of every task
    /// that finished, with why it stopped.
    ///
    /// ```
    /// use std::time::Duration;
    /// let p = ndpar::Parallel::new().n_jobs(2).unwrap().timeout(Duration::from_millis(30));
    /// let partial = p.map_partial(0..1000, |i| {
    ///     std::thread::sleep(Duration::from_millis(1));
    ///     i
    /// });
    /// let done = partial.results.iter().flatten().count();
    /// assert!(done > 0 && done < 1000);
    /// assert!(matches!(partial.stopped, Some(ndpar::Error::TimedOut { .. })));
    /// ```
    pub fn map_partial<T, R, F>(&self, inputs: impl IntoIterator<Item = T>, f: F) -> Partial<R>
    where
        T: Send,
        R: Send,
        F: Fn(T) -> R + Sync,
    {
        let (outcome, stop) = self.run(inputs.into_iter().collect(), |x| {
            Ok::<R, std::convert::Infallible>(f(x))
        });
        let Outcome { results, failures } = outcome;
        let stopped = match failures.into_iter().next() {
            Some((index, Failure::Panic(message))) => Some(Error::TaskPanicked { index, message }),
            Some((_, Failure::Error(never))) => match never {},
            None => stopped_early(&results, &stop),
        };
        Partial { results, stopped }
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
        let (Outcome { results, failures }, stop) = self.run(inputs.into_iter().collect(), f);
        match failures.into_iter().next() {
            Some((index, Failure::Error(error))) => Err(TaskError::Failed { index, error }),
            Some((index, Failure::Panic(message))) => {
                Err(TaskError::Stopped(Error::TaskPanicked { index, message }))
            }
            None => Partial {
                stopped: stopped_early(&results, &stop),
                results,
            }
            .into_result()
            .map_err(TaskError::Stopped),
        }
    }

    /// The core of a detached stream.
    fn detached<T, R, F, I>(&self, inputs: I, f: F) -> Core<'static, T, R, Detached>
    where
        I: IntoIterator<Item = T>,
        I::IntoIter: Send + 'static,
        T: Send + 'static,
        R: Send + 'static,
        F: Fn(T) -> R + Send + Sync + 'static,
    {
        let place = Place::of(&self.threads, true);
        let threads = place.threads();
        Core::new(
            Box::new(inputs.into_iter()),
            Arc::new(f),
            Detached::at(place),
            threads,
            self.pre_dispatch,
            self.stop(),
        )
    }

    /// `f` of every input as an iterator in input order, while later tasks
    /// still run (joblib's `return_as="generator"`). At most
    /// [`pre_dispatch`](Parallel::pre_dispatch) tasks are in flight ahead
    /// of the consumer. Dropping the iterator stops dispatch and waits for
    /// the tasks in flight. Inputs and `f` must be `'static` (they outlive
    /// this call); [`map_iter_scoped`](Parallel::map_iter_scoped) lends
    /// them instead.
    ///
    /// ```
    /// let mut seen = Vec::new();
    /// for r in ndpar::Parallel::new().n_jobs(2).unwrap().map_iter(0..20u64, |x| x * 10) {
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
        TaskStream(self.detached(inputs, f))
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
    pub fn map_unordered<I, T, R, F>(&self, inputs: I, f: F) -> UnorderedTaskStream<T, R>
    where
        I: IntoIterator<Item = T>,
        I::IntoIter: Send + 'static,
        T: Send + 'static,
        R: Send + 'static,
        F: Fn(T) -> R + Send + Sync + 'static,
    {
        UnorderedTaskStream(self.detached(inputs, f))
    }

    /// Like [`map_iter`](Parallel::map_iter) for inputs and an `f` that
    /// borrow from the caller: the stream is handed to `consume`, and every
    /// task has finished when this returns (what `consume` returns is
    /// returned).
    ///
    /// ```
    /// use ndpar::Parallel;
    ///
    /// let data: Vec<Vec<f64>> = (0..8).map(|i| vec![i as f64; 1000]).collect();
    /// let scale = 0.5;
    /// let total = Parallel::new().map_iter_scoped(
    ///     &data,
    ///     |row| row.iter().sum::<f64>() * scale, // borrows `scale`
    ///     |stream| stream.map(|r| r.unwrap()).sum::<f64>(),
    /// );
    /// assert_eq!(total, 0.5 * 1000.0 * 28.0);
    /// ```
    pub fn map_iter_scoped<'env, I, T, R, F, C, Out>(&self, inputs: I, f: F, consume: C) -> Out
    where
        I: IntoIterator<Item = T>,
        I::IntoIter: Send + 'env,
        T: Send + 'env,
        R: Send + 'env,
        F: Fn(T) -> R + Send + Sync + 'env,
        C: FnOnce(ScopedTaskStream<'_, R>) -> Out,
    {
        let place = Place::of(&self.threads, true);
        let threads = place.threads();
        let stop = self.stop();
        let inputs: Box<dyn Iterator<Item = T> + Send + 'env> = Box::new(inputs.into_iter());
        let f: Arc<dyn Fn(T) -> R + Send + Sync + 'env> = Arc::new(f);
        let pre_dispatch = self.pre_dispatch;
        match place {
            Place::Inline => {
                let mut core = Core::new(inputs, f, Scoped::Inline, threads, pre_dispatch, stop);
                consume(ScopedTaskStream::over(&mut core))
            }
            Place::Pool(pool, _) => {
                let body = |scope: &rayon::Scope<'env>| {
                    let spawner = Scoped::Scope(scope);
                    let mut core = Core::new(inputs, f, spawner, threads, pre_dispatch, stop);
                    consume(ScopedTaskStream::over(&mut core))
                };
                match pool {
                    Some(pool) => pool.in_place_scope(body),
                    None => rayon::in_place_scope(body),
                }
            }
        }
    }
}
