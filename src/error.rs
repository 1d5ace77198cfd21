//! The crate's error type.
//!
//! ```
//! match ndpar::effective_n_jobs(0) {
//!     Err(ndpar::Error::InvalidNJobs(n)) => assert_eq!(n, 0),
//!     other => panic!("unexpected {other:?}"),
//! }
//! ```

use thiserror::Error;

/// Everything that can go wrong in ndpar because of data or configuration
/// (programmer errors such as mismatched shapes panic instead; see each
/// method's `# Panics` section).
///
/// ```
/// let err = ndpar::with_threads(0, || ()).unwrap_err();
/// assert!(matches!(err, ndpar::Error::InvalidNJobs(0)));
/// assert!(err.to_string().contains("n_jobs = 0"));
/// ```
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// `n_jobs` was 0, which joblib (and ndpar) reject.
    #[error(
        "n_jobs = {0} is invalid: use n >= 1 for exactly n threads, -1 for all cores, \
         -2 for all cores but one (-k: all but k-1)"
    )]
    InvalidNJobs(isize),
    /// A histogram was asked for with no bins.
    #[error("a histogram needs at least one bin, got bins = {bins}")]
    InvalidBins {
        /// The number of bins asked for.
        bins: usize,
    },
    /// A histogram range that is empty, inverted or not finite (also an
    /// automatic range from data holding infinities).
    #[error("invalid histogram range [{low}, {high}]: it must be finite with low < high")]
    InvalidRange {
        /// The lower end (as f64).
        low: f64,
        /// The upper end (as f64).
        high: f64,
    },
    /// Histogram bin edges that are too few, not finite, or decreasing.
    #[error("invalid histogram edges: {0}")]
    InvalidEdges(String),
    /// More nearest neighbours were asked for than there are candidates.
    #[error("asked for the {k} nearest neighbours among only {available} rows")]
    InvalidK {
        /// Neighbours asked for.
        k: usize,
        /// Rows available.
        available: usize,
    },
    /// A file could not be read or written (missing, no permission, disk
    /// full…).
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// A file is not what was asked for: not an npy/npz file, truncated,
    /// corrupt, or holding another element type or number of dimensions.
    #[error("{}: {message}", path.display())]
    Format {
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// A task of a [`Parallel`](crate::Parallel) run panicked; no further
    /// tasks were started.
    #[error("task {index} panicked: {message}")]
    TaskPanicked {
        /// The task's index in the inputs.
        index: usize,
        /// The panic message.
        message: String,
    },
    /// A [`Parallel`](crate::Parallel) run was cancelled through its
    /// [`CancelToken`](crate::CancelToken) before every task had run.
    #[error("cancelled: {} task(s) did not run", not_run.len())]
    Cancelled {
        /// Indices of the tasks that did not run, ascending.
        not_run: Vec<usize>,
    },
    /// A [`Parallel`](crate::Parallel) run reached its timeout before every
    /// task had run.
    #[error("timed out: {} task(s) did not run", not_run.len())]
    TimedOut {
        /// Indices of the tasks that did not run, ascending.
        not_run: Vec<usize>,
    },
    /// rayon could not build a thread pool (for example, the OS refused to
    /// spawn threads).
    #[error("could not build a thread pool with {threads} threads: {message}")]
    ThreadPool {
        /// The number of threads asked for.
        threads: usize,
        /// rayon's explanation.
        message: String,
    },
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
