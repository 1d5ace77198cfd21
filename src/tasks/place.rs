//! Where a run's tasks execute and when a run stops: one rule for batched
//! runs (`map`, `try_map`, `map_partial`) and streams alike.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::ThreadPool;

use super::CancelToken;
use crate::error::{Error, NotRun, Result};
use crate::threads::{cached_pool, effective_n_jobs};

/// The threads a [`Parallel`](super::Parallel) was configured with.
#[derive(Clone, Debug)]
pub(crate) enum Threads {
    /// No `n_jobs`: the current rayon pool.
    Current,
    /// `n_jobs` resolved to one thread: the calling thread, no pool.
    Calling,
    /// `n_jobs` resolved to this pool.
    Pool(Arc<ThreadPool>),
}

impl Threads {
    /// Resolves joblib's `n_jobs` (building or reusing the pool now, so a
    /// bad value fails at the call that gives it).
    pub(crate) fn from_n_jobs(n_jobs: isize) -> Result<Threads> {
        Ok(match effective_n_jobs(n_jobs)? {
            1 => Threads::Calling,
            n => Threads::Pool(cached_pool(n)?),
        })
    }
}

/// Where the tasks of one run execute.
pub(crate) enum Place {
    /// On the consuming thread, one after the other.
    Inline,
    /// On this pool (`None`: the current one) with this many threads.
    Pool(Option<Arc<ThreadPool>>, usize),
}

impl Place {
    /// Where a run configured with `threads` executes, decided when it
    /// starts:
    ///
    /// * inside a task of a pool, the run shares that pool whatever
    ///   `n_jobs` said, so nesting never oversubscribes the machine; a
    ///   stream (whose consumer blocks waiting for results, which could
    ///   starve the pool) runs inline there instead;
    /// * otherwise the configured pool, or the current one;
    /// * in every case, one thread means inline: no pool, no spawning.
    pub(crate) fn of(threads: &Threads, consumer_blocks: bool) -> Place {
        let current = || match rayon::current_num_threads() {
            1 => Place::Inline,
            n => Place::Pool(None, n),
        };
        if rayon::current_thread_index().is_some() {
            return if consumer_blocks {
                Place::Inline
            } else {
                current()
            };
        }
        match threads {
            Threads::Current => current(),
            Threads::Calling => Place::Inline,
            Threads::Pool(pool) => Place::Pool(Some(Arc::clone(pool)), pool.current_num_threads()),
        }
    }

    /// The number of threads tasks run on.
    pub(crate) fn threads(&self) -> usize {
        match self {
            Place::Inline => 1,
            Place::Pool(_, n) => *n,
        }
    }
}

/// When a run stops dispatching: a cancelled token or a passed deadline.
#[derive(Clone, Debug)]
pub(crate) struct Stop {
    cancel: Option<CancelToken>,
    deadline: Option<Instant>,
}

impl Stop {
    /// The stop conditions of a run starting now.
    pub(crate) fn starting_now(cancel: Option<CancelToken>, timeout: Option<Duration>) -> Stop {
        Stop {
            cancel,
            // A timeout too long to represent never expires.
            deadline: timeout.and_then(|t| Instant::now().checked_add(t)),
        }
    }

    /// Whether the run must stop dispatching.
    pub(crate) fn halted(&self) -> bool {
        self.cancelled() || self.deadline.is_some_and(|d| Instant::now() >= d)
    }

    fn cancelled(&self) -> bool {
        self.cancel.as_ref().is_some_and(CancelToken::is_cancelled)
    }

    /// The error of a run stopped with the tasks `not_run` left:
    /// [`Error::Cancelled`] if the token was cancelled, else
    /// [`Error::TimedOut`].
    pub(crate) fn error(&self, not_run: NotRun) -> Error {
        if self.cancelled() {
            Error::Cancelled { not_run }
        } else {
            Error::TimedOut { not_run }
        }
    }
}
