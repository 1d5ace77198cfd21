//! Streaming forms of [`Parallel`](super::Parallel): results as tasks
//! finish, in input order ([`TaskStream`]) or in any order
//! ([`UnorderedTaskStream`]), with at most `pre_dispatch` tasks ahead of
//! the consumer, and the scoped form whose tasks may borrow
//! ([`ScopedTaskStream`]).

use std::collections::BTreeMap;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, TryRecvError, channel};
use std::time::Duration;

use rayon::ThreadPool;

use super::panic_message;
use super::place::{Place, Stop};
use crate::error::{Error, NotRun, Result};
use crate::params::Params;

type Outcome<R> = (usize, std::result::Result<R, String>);

/// A task of a stream, boxed for the spawner.
pub(crate) type Task<'s> = Box<dyn FnOnce() + Send + 's>;

/// How a stream hands a task to the threads that run it.
pub(crate) trait Spawn<'s> {
    /// Starts `task` (on the calling thread, for an inline stream).
    fn spawn(&self, task: Task<'s>);
    /// Whether tasks run on the consuming thread, one per `next()`.
    fn inline(&self) -> bool;
}

/// Tasks that outlive the call that made the stream: a pool (`None`: the
/// current one), or the consuming thread.
pub(crate) struct Detached(Option<Option<Arc<ThreadPool>>>);

impl Detached {
    pub(crate) fn at(place: Place) -> Detached {
        match place {
            Place::Inline => Detached(None),
            Place::Pool(pool, _) => Detached(Some(pool)),
        }
    }
}

impl Spawn<'static> for Detached {
    fn spawn(&self, task: Task<'static>) {
        match &self.0 {
            None => task(),
            Some(Some(pool)) => pool.spawn(task),
            Some(None) => rayon::spawn(task),
        }
    }
    fn inline(&self) -> bool {
        self.0.is_none()
    }
}

/// Tasks of a scoped stream: spawned into a rayon scope (which waits for
/// them before the scoped call returns), or run on the consuming thread.
pub(crate) enum Scoped<'r, 's> {
    Inline,
    Scope(&'r rayon::Scope<'s>),
}

impl<'s> Spawn<'s> for Scoped<'_, 's> {
    fn spawn(&self, task: Task<'s>) {
        match self {
            Scoped::Inline => task(),
            Scoped::Scope(scope) => scope.spawn(move |_| task()),
        }
    }
    fn inline(&self) -> bool {
        matches!(self, Scoped::Inline)
    }
}

/// The machinery every stream shares.
pub(crate) struct Core<'s, T, R, S> {
    inputs: Box<dyn Iterator<Item = T> + Send + 's>,
    f: Arc<dyn Fn(T) -> R + Send + Sync + 's>,
    spawner: S,
    params: Params,
    pre_dispatch: usize,
    tx: Sender<Outcome<R>>,
    rx: Receiver<Outcome<R>>,
    /// Index of the next input to dispatch.
    next_index: usize,
    /// Index of the next result to yield (ordered streams).
    next_yield: usize,
    in_flight: usize,
    pending: BTreeMap<usize, Result<R>>,
    stop: Stop,
    /// An error to yield once, then end (the run was stopped).
    stopped: Option<Error>,
    finished: bool,
}

impl<'s, T: Send + 's, R: Send + 's, S: Spawn<'s>> Core<'s, T, R, S> {
    pub(crate) fn new(
        inputs: Box<dyn Iterator<Item = T> + Send + 's>,
        f: Arc<dyn Fn(T) -> R + Send + Sync + 's>,
        spawner: S,
        threads: usize,
        pre_dispatch: Option<usize>,
        stop: Stop,
    ) -> Self {
        let (tx, rx) = channel();
        Core {
            inputs,
            f,
            spawner,
            params: Params::current(),
            pre_dispatch: pre_dispatch.unwrap_or(2 * threads).max(1),
            tx,
            rx,
            next_index: 0,
            next_yield: 0,
            in_flight: 0,
            pending: BTreeMap::new(),
            stop,
            stopped: None,
            finished: false,
        }
    }

    /// The error of a stopped run, naming the first input that will not
    /// run, or `None` to go on (or when no input is left). It reads at
    /// most one more input, never the rest: an input may be endless.
    fn halted(&mut self) -> Option<Error> {
        if !self.stop.halted() {
            return None;
        }
        let mut rest = std::mem::replace(&mut self.inputs, Box::new(std::iter::empty()));
        rest.next()
            .map(|_| self.stop.error(NotRun::From(self.next_index)))
    }

    /// Dispatches inputs until `limit` tasks are ahead of the consumer:
    /// running, or finished and buffered for in-order delivery. (The next
    /// result to yield is always dispatched already, so waiting for it
    /// cannot deadlock.)
    fn top_up(&mut self, limit: usize) {
        while self.stopped.is_none() && self.in_flight + self.pending.len() < limit {
            if let Some(e) = self.halted() {
                self.stopped = Some(e);
                return;
            }
            let Some(input) = self.inputs.next() else {
                return;
            };
            let (index, f, tx) = (self.next_index, Arc::clone(&self.f), self.tx.clone());
            let params = self.params;
            self.next_index += 1;
            self.in_flight += 1;
            self.spawner.spawn(Box::new(move || {
                let r = params.install(|| catch_unwind(AssertUnwindSafe(|| f(input))));
                let _ = tx.send((index, r.map_err(|p| panic_message(&*p))));
            }));
        }
    }

    /// The next finished task, in whatever order tasks finish.
    fn next_done(&mut self) -> Option<(usize, Result<R>)> {
        // Inline streams run one task per call, so nothing runs ahead.
        let limit = if self.spawner.inline() {
            1
        } else {
            self.pre_dispatch
        };
        self.top_up(limit);
        if self.in_flight == 0 {
            return None;
        }
        let (index, r) = receive(&self.rx).expect("the stream holds a sender");
        self.in_flight -= 1;
        Some((
            index,
            r.map_err(|message| Error::TaskPanicked { index, message }),
        ))
    }

    /// After an error (a panicked task) nothing more is dispatched or
    /// yielded; tasks in flight finish when the stream is dropped.
    fn end_after_error(&mut self) {
        self.inputs = Box::new(std::iter::empty());
        self.finished = true;
    }

    /// The stop error to yield once at the end, if any.
    fn final_error(&mut self) -> Option<Error> {
        self.finished = true;
        self.stopped.take()
    }

    /// The next result in input order.
    fn next_ordered(&mut self) -> Option<Result<R>> {
        if self.finished {
            return None;
        }
        loop {
            if let Some(r) = self.pending.remove(&self.next_yield) {
                self.next_yield += 1;
                if r.is_err() {
                    self.end_after_error();
                }
                return Some(r);
            }
            match self.next_done() {
                Some((index, r)) => {
                    self.pending.insert(index, r);
                }
                None => return self.final_error().map(Err),
            }
        }
    }

    /// The next result as tasks finish, with its input index.
    fn next_unordered(&mut self) -> Option<(usize, Result<R>)> {
        if self.finished {
            return None;
        }
        match self.next_done() {
            Some((i, r)) => {
                if r.is_err() {
                    self.end_after_error();
                }
                Some((i, r))
            }
            None => {
                let index = self.next_index;
                self.final_error().map(|e| (index, Err(e)))
            }
        }
    }
}

/// The next message of `rx`, waiting as long as it takes (`None` once every
/// sender is gone). On a worker thread of a rayon pool the wait runs that
/// pool's pending work meanwhile: the tasks being waited for may be queued
/// on this very pool, behind consumers that all block (two streams
/// consumed in both workers of a two-thread pool), and blocking the worker
/// would deadlock.
fn receive<M>(rx: &Receiver<M>) -> Option<M> {
    if rayon::current_thread_index().is_none() {
        return rx.recv().ok();
    }
    loop {
        match rx.try_recv() {
            Ok(m) => return Some(m),
            Err(TryRecvError::Disconnected) => return None,
            Err(TryRecvError::Empty) => {}
        }
        if rayon::yield_now() != Some(rayon::Yield::Executed) {
            // Nothing to help with: the awaited tasks run elsewhere.
            match rx.recv_timeout(IDLE_WAIT) {
                Ok(m) => return Some(m),
                Err(RecvTimeoutError::Disconnected) => return None,
                Err(RecvTimeoutError::Timeout) => {}
            }
        }
    }
}

/// How long a consumer on a pool worker waits for a result before it looks
/// for pool work again.
const IDLE_WAIT: Duration = Duration::from_micros(200);

impl<T, R, S> Drop for Core<'_, T, R, S> {
    fn drop(&mut self) {
        // Nothing new starts; wait for the tasks in flight, so that none is
        // left running once the stream is gone.
        while self.in_flight > 0 {
            if receive(&self.rx).is_none() {
                break;
            }
            self.in_flight -= 1;
        }
    }
}

impl<T, R, S> fmt::Debug for Core<'_, T, R, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskStream")
            .field("dispatched", &self.next_index)
            .field("in_flight", &self.in_flight)
            .field("buffered", &self.pending.len())
            .field("pre_dispatch", &self.pre_dispatch)
            .field("finished", &self.finished)
            .finish()
    }
}

/// An iterator over task results in input order; see
/// [`Parallel::map_iter`](super::Parallel::map_iter). Dropping it stops
/// dispatch and waits for the tasks in flight. A stream does nothing until
/// it is iterated.
///
/// ```
/// let it = ndpar::Parallel::new().map_iter(vec![3u8, 1, 2], |x| x * 2);
/// let v: ndpar::Result<Vec<u8>> = it.collect();
/// assert_eq!(v.unwrap(), vec![6, 2, 4]);
/// ```
#[must_use = "a stream runs no task until it is iterated"]
#[derive(Debug)]
pub struct TaskStream<T, R>(pub(crate) Core<'static, T, R, Detached>);

impl<T: Send + 'static, R: Send + 'static> Iterator for TaskStream<T, R> {
    type Item = Result<R>;

    fn next(&mut self) -> Option<Result<R>> {
        self.0.next_ordered()
    }
}

/// An iterator over `(index, result)` as tasks finish; see
/// [`Parallel::map_unordered`](super::Parallel::map_unordered).
///
/// ```
/// let n = ndpar::Parallel::new().map_unordered(0..5, |x| x).count();
/// assert_eq!(n, 5);
/// ```
#[must_use = "a stream runs no task until it is iterated"]
#[derive(Debug)]
pub struct UnorderedTaskStream<T, R>(pub(crate) Core<'static, T, R, Detached>);

impl<T: Send + 'static, R: Send + 'static> Iterator for UnorderedTaskStream<T, R> {
    type Item = (usize, Result<R>);

    fn next(&mut self) -> Option<(usize, Result<R>)> {
        self.0.next_unordered()
    }
}

/// The stream of [`Parallel::map_iter_scoped`](super::Parallel::map_iter_scoped):
/// results in input order, from tasks that may borrow from the caller.
///
/// ```
/// let words = vec!["a".to_string(), "bb".to_string()];
/// let lens: Vec<usize> = ndpar::Parallel::new()
///     .map_iter_scoped(&words, |w| w.len(), |stream| stream.map(Result::unwrap).collect());
/// assert_eq!(lens, vec![1, 2]);
/// ```
pub struct ScopedTaskStream<'a, R> {
    core: &'a mut (dyn Ordered<R> + 'a),
}

/// A stream that yields results in input order (erases the spawner and
/// the input type of a scoped stream).
trait Ordered<R> {
    fn next_ordered(&mut self) -> Option<Result<R>>;
}

impl<'s, T: Send + 's, R: Send + 's, S: Spawn<'s>> Ordered<R> for Core<'s, T, R, S> {
    fn next_ordered(&mut self) -> Option<Result<R>> {
        Core::next_ordered(self)
    }
}

impl<'a, R> ScopedTaskStream<'a, R> {
    pub(crate) fn over<'s: 'a, T, S>(core: &'a mut Core<'s, T, R, S>) -> ScopedTaskStream<'a, R>
    where
        T: Send + 's,
        R: Send + 's,
        S: Spawn<'s> + 'a,
    {
        ScopedTaskStream { core }
    }
}

impl<R> Iterator for ScopedTaskStream<'_, R> {
    type Item = Result<R>;

    fn next(&mut self) -> Option<Result<R>> {
        self.core.next_ordered()
    }
}

impl<R> fmt::Debug for ScopedTaskStream<'_, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ScopedTaskStream")
    }
}
