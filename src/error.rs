//! The crate's error type.
//!
//! ```
//! match ndpar::effective_n_jobs(0) {
//!     Err(ndpar::Error::InvalidNJobs(n)) => assert_eq!(n, 0),
//!     other => panic!("unexpected {other:?}"),
//! }
//! ```

use std::fmt;
use std::path::PathBuf;

/// Everything that can go wrong in ndpar because of data or configuration
/// (programmer errors such as mismatched shapes panic instead; see each
/// method's `# Panics` section).
///
/// ```
/// let err = ndpar::with_threads(0, || ()).unwrap_err();
/// assert!(matches!(err, ndpar::Error::InvalidNJobs(0)));
/// assert!(err.to_string().contains("n_jobs = 0"));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// `n_jobs` was 0, which joblib (and ndpar) reject, or asked for more
    /// than [`MAX_THREADS`](crate::MAX_THREADS) threads.
    InvalidNJobs(isize),
    /// A histogram cannot have this many bins: none, more than its range
    /// can hold as finite, strictly increasing edges, or more than fit in
    /// memory.
    InvalidBins {
        /// The number of bins asked for.
        bins: usize,
        /// Why it cannot.
        reason: String,
    },
    /// A histogram range that is inverted or not finite (also an automatic
    /// range from data holding NaNs or infinities).
    InvalidRange {
        /// The lower end (as f64).
        low: f64,
        /// The upper end (as f64).
        high: f64,
        /// Whether the range was taken from the data (no range was given).
        autodetected: bool,
    },
    /// Histogram bin edges that are too few, not finite, or decreasing.
    InvalidEdges(String),
    /// A value in the data that the function cannot take (a negative
    /// value for `par_bincount`); the message names it and its index.
    InvalidValue(String),
    /// A file could not be read or written (missing, no permission, disk
    /// full…).
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// A file is not what was asked for: not an npy/npz file, truncated,
    /// corrupt, or holding another element type or number of dimensions.
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// A task of a [`Parallel`](crate::Parallel) run panicked; no further
    /// tasks were started.
    TaskPanicked {
        /// The task's index in the inputs.
        index: usize,
        /// The panic message.
        message: String,
    },
    /// A [`Parallel`](crate::Parallel) run was cancelled through its
    /// [`CancelToken`](crate::CancelToken) before every task had run.
    Cancelled {
        /// The tasks that did not run.
        not_run: NotRun,
    },
    /// A [`Parallel`](crate::Parallel) run reached its timeout before every
    /// task had run.
    TimedOut {
        /// The tasks that did not run.
        not_run: NotRun,
    },
    /// rayon could not build a thread pool (for example, the OS refused to
    /// spawn threads).
    ThreadPool {
        /// The number of threads asked for.
        threads: usize,
        /// rayon's explanation.
        message: String,
    },
    /// Bytes that do not encode a partial state of the asked-for kind and
    /// element type (see [`state`](crate::state)): wrong header, wrong
    /// length, or values no state can hold; or two states that cannot be
    /// merged (histograms with different edges).
    InvalidState(String),
    /// The ranks of a distributed computation disagree (different shapes,
    /// splits or operations), a rank's task failed, or a message between
    /// ranks was malformed or too large (see `ndpar::dist`, feature
    /// `mpi`). Every rank returns this error for the same call.
    Distributed(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidNJobs(n) => write!(
                f,
                "n_jobs = {n} is invalid: use 1 <= n <= {} for exactly n threads, -1 for all \
                 cores, -2 for all cores but one (-k: all but k-1)",
                crate::MAX_THREADS
            ),
            Error::InvalidBins { bins, reason } => {
                write!(f, "a histogram cannot have bins = {bins}: {reason}")
            }
            Error::InvalidRange {
                low,
                high,
                autodetected: true,
            } => write!(
                f,
                "autodetected range of [{low}, {high}] is not finite: the data hold NaN or \
                 infinite values (give a range, or leave them out)"
            ),
            Error::InvalidRange { low, high, .. } => write!(
                f,
                "invalid histogram range [{low}, {high}]: it must be finite with low <= high"
            ),
            Error::InvalidEdges(why) => write!(f, "invalid histogram edges: {why}"),
            Error::InvalidValue(why) => f.write_str(why),
            Error::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Error::Format { path, message } => write!(f, "{}: {message}", path.display()),
            Error::TaskPanicked { index, message } => {
                write!(f, "task {index} panicked: {message}")
            }
            Error::Cancelled { not_run } => write!(f, "cancelled: {not_run}"),
            Error::TimedOut { not_run } => write!(f, "timed out: {not_run}"),
            Error::ThreadPool { threads, message } => write!(
                f,
                "could not build a thread pool with {threads} threads: {message}"
            ),
            Error::InvalidState(why) => write!(f, "invalid partial state: {why}"),
            Error::Distributed(why) => write!(f, "distributed computation: {why}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl Error {
    /// The [`Error::Io`] of an operation on `path`, for `map_err`.
    #[cfg(feature = "io")]
    pub(crate) fn io(path: &std::path::Path) -> impl Fn(std::io::Error) -> Error + Copy + '_ {
        move |source| Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// The tasks of a cancelled or timed-out [`Parallel`](crate::Parallel) run
/// that did not run.
///
/// A batched run (`map`, `try_map`, `map_partial`) holds its whole input
/// and lists the tasks; a stream (`map_iter`, `map_unordered`,
/// `map_iter_scoped`) dispatches in input order and stops without reading
/// the rest of its input, which may be endless, so it names the first task
/// that did not run.
///
/// ```
/// use ndpar::NotRun;
///
/// let listed = NotRun::Listed(vec![2, 5]);
/// assert!(listed.contains(5) && !listed.contains(3));
/// assert_eq!(listed.count(), Some(2));
///
/// let tail = NotRun::From(7);
/// assert!(tail.contains(7) && tail.contains(1 << 40) && !tail.contains(6));
/// assert_eq!(tail.count(), None);
/// assert_eq!(tail.to_string(), "the tasks from index 7 on did not run");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotRun {
    /// These tasks, by ascending index.
    Listed(Vec<usize>),
    /// The task with this index and every task after it, to the end of the
    /// input.
    From(usize),
}

impl NotRun {
    /// Whether the task with this index did not run.
    pub fn contains(&self, index: usize) -> bool {
        match self {
            NotRun::Listed(tasks) => tasks.binary_search(&index).is_ok(),
            NotRun::From(first) => index >= *first,
        }
    }

    /// How many tasks did not run, when that is known (`None` for a
    /// stream's open-ended rest).
    pub fn count(&self) -> Option<usize> {
        match self {
            NotRun::Listed(tasks) => Some(tasks.len()),
            NotRun::From(_) => None,
        }
    }
}

impl fmt::Display for NotRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotRun::Listed(tasks) => write!(f, "{} task(s) did not run", tasks.len()),
            NotRun::From(first) => write!(f, "the tasks from index {first} on did not run"),
        }
    }
}

/// `Result` with the crate's [`Error`](enum@Error).
///
/// ```
/// fn threads() -> ndpar::Result<usize> {
///     ndpar::effective_n_jobs(-1)
/// }
/// assert!(threads().unwrap() >= 1);
/// ```
pub type Result<T> = std::result::Result<T, Error>;
