//! Thread control: joblib's `n_jobs` on top of rayon pools.
//!
//! Every kernel runs in the *current* rayon pool: the global pool by default,
//! or whatever pool the caller entered with [`rayon::ThreadPool::install`].
//! ndpar never builds or configures the global pool. [`with_threads`] is a
//! convenience that runs a closure in a cached pool of a given size.
//!
//! ```
//! use ndpar::prelude::*;
//! use ndarray::Array1;
//!
//! let a = Array1::<f64>::ones(1_000_000);
//! // Your own pool works too: kernels use whatever pool they run in.
//! let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
//! assert_eq!(pool.install(|| a.par_sum()), 1e6);
//! assert_eq!(ndpar::with_threads(-1, || a.par_sum()).unwrap(), 1e6);
//! ```

// Runs closures in pools the caller asked for; kernels go through
// `plan::Schedule` (see clippy.toml).
#![allow(clippy::disallowed_methods)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use rayon::{ThreadPool, ThreadPoolBuilder};

use crate::error::{Error, Result};
use crate::params::Params;

/// The number of CPUs this process may use.
///
/// This is [`std::thread::available_parallelism`], which on Linux honours the
/// scheduler affinity mask and cgroup CPU quotas (so a container limited to
/// two CPUs reports 2). Falls back to 1 if the number cannot be determined.
///
/// ```
/// assert!(ndpar::cpu_count() >= 1);
/// ```
pub fn cpu_count() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The most threads a pool of ndpar may have: `n_jobs` above it is an
/// error, caught before any thread starts (no machine gains from more
/// threads than this, and each costs a stack).
///
/// ```
/// assert!(ndpar::effective_n_jobs(ndpar::MAX_THREADS as isize).is_ok());
/// assert!(ndpar::effective_n_jobs(ndpar::MAX_THREADS as isize + 1).is_err());
/// ```
pub const MAX_THREADS: usize = 1024;

/// Resolves joblib's `n_jobs` to a thread count.
///
/// * `1 ≤ n ≤` [`MAX_THREADS`]: exactly `n` threads (even more than
///   [`cpu_count`]);
/// * `n = -1`: all CPUs; `n = -2`: all but one; in general `-k` means
///   `cpu_count() + 1 - k`, but never less than 1;
/// * `n = 0` or `n > MAX_THREADS`: [`Error::InvalidNJobs`].
///
/// ```
/// use ndpar::{cpu_count, effective_n_jobs};
/// assert_eq!(effective_n_jobs(3).unwrap(), 3);
/// assert_eq!(effective_n_jobs(-1).unwrap(), cpu_count());
/// assert_eq!(effective_n_jobs(-2).unwrap(), (cpu_count() - 1).max(1));
/// assert_eq!(effective_n_jobs(-1000).unwrap(), 1);
/// assert_eq!(effective_n_jobs(isize::MIN).unwrap(), 1);
/// assert!(effective_n_jobs(0).is_err());
/// assert!(effective_n_jobs(1_000_000).is_err());
/// ```
pub fn effective_n_jobs(n_jobs: isize) -> Result<usize> {
    match n_jobs {
        0 => Err(Error::InvalidNJobs(0)),
        n if n > 0 => match usize::try_from(n) {
            Ok(n) if n <= MAX_THREADS => Ok(n),
            _ => Err(Error::InvalidNJobs(n)),
        },
        n => {
            // -k: all CPUs but k - 1, at least one, at most MAX_THREADS.
            let all_but = cpu_count().saturating_sub(n.unsigned_abs() - 1);
            Ok(all_but.clamp(1, MAX_THREADS))
        }
    }
}

/// Runs `f` in a rayon pool of [`effective_n_jobs(n_jobs)`](effective_n_jobs)
/// threads and returns its result.
///
/// Pools are built once per size and cached for the life of the process, so
/// calling this in a loop is cheap. Kernels called inside `f` (directly or
/// from rayon tasks) use that pool; the [`Params`] current on the calling
/// thread are carried into it.
///
/// # Errors
///
/// [`Error::InvalidNJobs`] for `n_jobs = 0` or above [`MAX_THREADS`]
/// (nothing is started); [`Error::ThreadPool`] if the pool cannot be built.
///
/// # Panics
///
/// A panic in `f` propagates to the caller; the pool stays usable.
///
/// ```
/// use ndpar::prelude::*;
/// use ndarray::Array1;
///
/// let a = Array1::<f64>::linspace(0.0, 1.0, 100_001);
/// let s2 = ndpar::with_threads(2, || a.par_sum()).unwrap();
/// let s7 = ndpar::with_threads(7, || a.par_sum()).unwrap();
/// assert_eq!(s2.to_bits(), s7.to_bits()); // same bits on any thread count
/// assert_eq!(ndpar::with_threads(3, rayon::current_num_threads).unwrap(), 3);
/// ```
pub fn with_threads<R, F>(n_jobs: isize, f: F) -> Result<R>
where
    F: FnOnce() -> R + Send,
    R: Send,
{
    let threads = effective_n_jobs(n_jobs)?;
    let pool = cached_pool(threads)?;
    let params = Params::current();
    Ok(pool.install(|| params.install(f)))
}

/// The process-wide pool of `threads` threads, built on first use.
pub(crate) fn cached_pool(threads: usize) -> Result<Arc<ThreadPool>> {
    static POOLS: OnceLock<Mutex<HashMap<usize, Arc<ThreadPool>>>> = OnceLock::new();
    let pools = POOLS.get_or_init(Default::default);
    // A panic while holding the lock cannot leave the map half-updated, so a
    // poisoned lock is still safe to use.
    let mut pools = pools.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(pool) = pools.get(&threads) {
        return Ok(Arc::clone(pool));
    }
    // Pools of many sizes must not pile up threads: past a few full-size
    // pools' worth, the cache lets go of the others (each shuts down once
    // the runs using it end).
    let cached: usize = pools.keys().sum();
    if cached + threads > 4 * MAX_THREADS {
        pools.clear();
    }
    let pool = ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(move |i| format!("ndpar-{threads}-{i}"))
        .build()
        .map_err(|e| Error::ThreadPool {
            threads,
            message: e.to_string(),
        })?;
    let pool = Arc::new(pool);
    pools.insert(threads, Arc::clone(&pool));
    Ok(pool)
}
