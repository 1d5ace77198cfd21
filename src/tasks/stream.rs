//! Streaming forms of [`Parallel`](super::Parallel): results as tasks
//! finish, in input order ([`TaskStream`]) or in any order
//! ([`Unordered`]), with at most `pre_dispatch` tasks in flight.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Instant;

use super::{CancelToken, Parallel, panic_message};
use crate::error::{Error, Result};
use crate::threads::{cached_pool, effective_n_jobs};

type Outcome<R> = (usize, std::result::Result<R, String>);

/// Where a stream's tasks run.
enum Place {
    /// Computed in `next()`, on the consuming thread: `n_jobs(1)`, a
    /// one-thread pool, or a stream consumed inside a pool's task (where
    /// blocking on results could starve the pool).
    Inline,
    /// Spawned into this pool (`None`: the current or global pool).
    Pool(Option<Arc<rayon::ThreadPool>>),
}

/// An iterator over task results in input order; see
/// [`Parallel::map_iter`]. Dropping it stops dispatch and waits for the
/// tasks in flight.
///
/// ```
/// let it = ndpar::Parallel::new().map_iter(vec![3u8, 1, 2], |x| x * 2);
/// let v: ndpar::Result<Vec<u8>> = it.collect();
/// assert_eq!(v.unwrap(), vec![6, 2, 4]);
/// ```
pub struct TaskStream<T, R> {
    inputs: Box<dyn Iterator<Item = T> + Send>,
    f: Arc<dyn Fn(T) -> R + Send + Sync>,
    ordered: bool,
    place: Place,
    pre_dispatch: usize,
    tx: Sender<Outcome<R>>,
    rx: Receiver<Outcome<R>>,
    /// Index of the next input to dispatch.
    next_index: usize,
    /// Index of the next result to yield (ordered streams).
    next_yield: usize,
    in_flight: usize,
    pending: BTreeMap<usize, Result<R>>,
    cancel: Option<CancelToken>,
    deadline: Option<Instant>,
    /// An error to yield once, then end (bad `n_jobs`, or the run stopped).
    stopped: Option<Error>,
    finished: bool,
}

impl<T: Send + 'static, R: Send + 'static> TaskStream<T, R> {
    pub(super) fn new(
        p: &Parallel,
        inputs: Box<dyn Iterator<Item = T> + Send>,
        f: Arc<dyn Fn(T) -> R + Send + Sync>,
        ordered: bool,
    ) -> TaskStream<T, R> {
        let (tx, rx) = channel();
        let mut stopped = None;
        let place = if rayon::current_thread_index().is_some() {
            Place::Inline
        } else {
            match p.n_jobs.map(effective_n_jobs) {
                None if rayon::current_num_threads() > 1 => Place::Pool(None),
                None | Some(Ok(1)) => Place::Inline,
                Some(Ok(threads)) => match cached_pool(threads) {
                    Ok(pool) => Place::Pool(Some(pool)),
                    Err(e) => {
                        stopped = Some(e);
                        Place::Inline
                    }
                },
                Some(Err(e)) => {
                    stopped = Some(e);
                    Place::Inline
                }
            }
        };
        let threads = match &place {
            Place::Pool(Some(pool)) => pool.current_num_threads(),
            _ => rayon::current_num_threads(),
        };
        TaskStream {
            inputs,
            f,
            ordered,
            place,
            pre_dispatch: p.pre_dispatch.unwrap_or(2 * threads).max(1),
            tx,
            rx,
            next_index: 0,
            next_yield: 0,
            in_flight: 0,
            pending: BTreeMap::new(),
            cancel: p.cancel.clone(),
            deadline: p.timeout.map(|t| Instant::now() + t),
            stopped,
            finished: false,
        }
    }

    fn halted(&mut self) -> Option<Error> {
        let cancelled = self.cancel.as_ref().is_some_and(CancelToken::is_cancelled);
        let late = self.deadline.is_some_and(|d| Instant::now() >= d);
        if !cancelled && !late {
            return None;
        }
        // Report the inputs that will not run (consuming the rest of them).
        let rest = std::mem::replace(&mut self.inputs, Box::new(std::iter::empty()));
        let not_run: Vec<usize> = (self.next_index..).take(rest.count()).collect();
        if not_run.is_empty() {
            return None;
        }
        Some(if cancelled {
            Error::Cancelled { not_run }
        } else {
            Error::TimedOut { not_run }
        })
    }

    /// Dispatches inputs until `pre_dispatch` tasks are ahead of the
    /// consumer: running, or finished and buffered for in-order delivery.
    /// (The next result to yield is always dispatched already, so waiting
    /// for it cannot deadlock.)
    fn top_up(&mut self) {
        while self.stopped.is_none() && self.in_flight + self.pending.len() < self.pre_dispatch {
            if let Some(e) = self.halted() {
                self.stopped = Some(e);
                return;
            }
            let Some(input) = self.inputs.next() else {
                return;
            };
            let (index, f, tx) = (self.next_index, Arc::clone(&self.f), self.tx.clone());
            self.next_index += 1;
            let task = move || {
                let r = catch_unwind(AssertUnwindSafe(|| f(input))).map_err(|p| panic_message(&*p));
                let _ = tx.send((index, r));
            };
            match &self.place {
                Place::Inline => task(),
                Place::Pool(Some(pool)) => pool.spawn(task),
                Place::Pool(None) => rayon::spawn(task),
            }
            self.in_flight += 1;
        }
    }

    /// The next finished task, in whatever order tasks finish.
    fn next_done(&mut self) -> Option<(usize, Result<R>)> {
        // Inline streams run one task per call, so nothing runs ahead.
        if matches!(self.place, Place::Inline) && self.in_flight == 0 {
            let keep = self.pre_dispatch;
            self.pre_dispatch = 1;
            self.top_up();
            self.pre_dispatch = keep;
        } else {
            self.top_up();
        }
        if self.in_flight == 0 {
            return None;
        }
        let (index, r) = self.rx.recv().expect("the stream holds a sender");
        self.in_flight -= 1;
        Some((
            index,
            r.map_err(|message| Error::TaskPanicked { index, message }),
        ))
    }

    /// Yields `r`; an error (a panicked task) ends the stream: nothing more
    /// is dispatched or yielded (tasks in flight finish when it is dropped).
    fn end_with(&mut self, r: Result<R>) -> Option<Result<R>> {
        if r.is_err() {
            self.finished_after_error();
        }
        Some(r)
    }

    fn finished_after_error(&mut self) {
        self.inputs = Box::new(std::iter::empty());
        self.finished = true;
    }
}

impl<T: Send + 'static, R: Send + 'static> Iterator for TaskStream<T, R> {
    type Item = Result<R>;

    fn next(&mut self) -> Option<Result<R>> {
        if self.finished {
            return None;
        }
        if !self.ordered {
            // Unordered streams go through `Unordered`, which uses
            // `next_done`; this path serves ordered ones.
            return self.next_done().map(|(_, r)| r);
        }
        loop {
            if let Some(r) = self.pending.remove(&self.next_yield) {
                self.next_yield += 1;
                return self.end_with(r);
            }
            match self.next_done() {
                Some((index, r)) => {
                    self.pending.insert(index, r);
                }
                None => {
                    self.finished = true;
                    return match self.stopped.take() {
                        Some(Error::Cancelled { not_run }) if not_run.is_empty() => None,
                        Some(e) => Some(Err(e)),
                        None => None,
                    };
                }
            }
        }
    }
}

impl<T, R> Drop for TaskStream<T, R> {
    fn drop(&mut self) {
        // Nothing new starts; wait for the tasks in flight, so that none is
        // left running once the stream is gone.
        while self.in_flight > 0 {
            if self.rx.recv().is_err() {
                break;
            }
            self.in_flight -= 1;
        }
    }
}

/// An iterator over `(index, result)` as tasks finish; see
/// [`Parallel::map_unordered`].
///
/// ```
/// let n = ndpar::Parallel::new().map_unordered(0..5, |x| x).count();
/// assert_eq!(n, 5);
/// ```
pub struct Unordered<T, R>(pub(super) TaskStream<T, R>);

impl<T: Send + 'static, R: Send + 'static> Iterator for Unordered<T, R> {
    type Item = (usize, Result<R>);

    fn next(&mut self) -> Option<(usize, Result<R>)> {
        let s = &mut self.0;
        if s.finished {
            return None;
        }
        match s.next_done() {
            Some((i, r)) => {
                if r.is_err() {
                    s.finished_after_error();
                }
                Some((i, r))
            }
            None => {
                s.finished = true;
                match s.stopped.take() {
                    Some(Error::Cancelled { not_run }) if not_run.is_empty() => None,
                    Some(e) => Some((s.next_index, Err(e))),
                    None => None,
                }
            }
        }
    }
}
