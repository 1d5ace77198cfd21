//! [`World`]: the ranks of an MPI job, and the calls every distributed
//! kernel makes through it.

use std::cell::Cell;
use std::rc::Rc;

use mpi::Threading;
use mpi::environment::Universe;

use super::message::{Message, malformed};
use super::transport::{Mpi, Transport};
use crate::error::{Error, Result};

/// The ranks of an MPI job: what every distributed array and task map runs
/// on. A cheap handle; clones share one connection.
///
/// Create it once, at the top of `main`, with [`World::init`]. When the
/// last handle is dropped MPI is finalised. When it is dropped while the
/// thread unwinds from a panic, the whole job is aborted (`MPI_Abort`), so
/// that one rank's panic never leaves the others waiting for it.
///
/// ```no_run
/// use ndpar::dist::World;
///
/// let world = World::init().expect("MPI starts");
/// println!("rank {} of {}", world.rank(), world.size());
/// ```
#[derive(Clone)]
pub struct World {
    inner: Rc<Inner>,
}

/// Bytes and messages this rank has sent to other ranks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Traffic {
    /// Messages sent to other ranks (a collective call counts as one).
    pub messages: u64,
    /// Bytes sent to other ranks: what ndpar asked the transport to send
    /// (a collective's bytes once per receiving rank).
    pub bytes: u64,
}

struct Inner {
    transport: Box<dyn Transport>,
    traffic: Cell<Traffic>,
    /// Finalises MPI when dropped, after `transport` (fields drop in
    /// order).
    _universe: Universe,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "ndpar::dist: rank {} panicked; aborting every rank of the job",
                self.transport.rank()
            );
            self.transport.abort(101);
        }
    }
}

impl std::fmt::Debug for World {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("World")
            .field("rank", &self.rank())
            .field("size", &self.size())
            .finish()
    }
}

impl World {
    /// Starts MPI (threads may compute; only this thread calls MPI) and
    /// returns the world of all ranks. A program run without `mpirun` is a
    /// world of one rank.
    ///
    /// # Errors
    ///
    /// [`Error::Distributed`] if MPI was started before (by this function
    /// or by other code in the process).
    pub fn init() -> Result<World> {
        let (universe, _) = mpi::initialize_with_threading(Threading::Funneled)
            .ok_or_else(|| Error::Distributed("MPI was already started in this process".into()))?;
        let transport = Box::new(Mpi::new(&universe.world()));
        Ok(World {
            inner: Rc::new(Inner {
                transport,
                traffic: Cell::new(Traffic::default()),
                _universe: universe,
            }),
        })
    }

    /// This process's rank, `0..size()`.
    pub fn rank(&self) -> usize {
        self.inner.transport.rank()
    }

    /// The number of ranks.
    pub fn size(&self) -> usize {
        self.inner.transport.size()
    }

    /// What this rank has sent so far: messages and bytes (for measuring
    /// halo exchanges and reductions).
    pub fn traffic(&self) -> Traffic {
        self.inner.traffic.get()
    }

    fn count(&self, messages: u64, bytes: usize) {
        let mut t = self.inner.traffic.get();
        t.messages += messages;
        t.bytes += bytes as u64;
        self.inner.traffic.set(t);
    }

    /// Waits until every rank has called it.
    ///
    /// # Errors
    ///
    /// Never in practice (kept fallible like every collective call).
    pub fn barrier(&self) -> Result<()> {
        self.all_gather_bytes(&[]).map(|_| ())
    }

    /// Ends every rank of the job at once with `code` (`MPI_Abort`).
    pub fn abort(&self, code: i32) -> ! {
        self.inner.transport.abort(code)
    }

    /// joblib's `Parallel` over the ranks: task `i` is `f(&inputs[i])`;
    /// each rank runs a balanced run of the tasks on its threads (with
    /// [`Parallel`](crate::Parallel)), and every rank gets all the results,
    /// in input order. Every rank passes the same inputs.
    ///
    /// # Errors
    ///
    /// On every rank: [`Error::Distributed`] when a task panicked on any
    /// rank (naming the rank, the task and the message), or when the ranks
    /// pass different numbers of inputs.
    ///
    /// ```no_run
    /// use ndpar::dist::World;
    ///
    /// let world = World::init()?;
    /// let squares = world.par_map(&[1u64, 2, 3, 4, 5], |&x| x * x)?;
    /// assert_eq!(squares, [1, 4, 9, 16, 25]); // on every rank
    /// # Ok::<(), ndpar::Error>(())
    /// ```
    pub fn par_map<T, R, F>(&self, inputs: &[T], f: F) -> Result<Vec<R>>
    where
        T: Sync,
        R: Message + Send,
        F: Fn(&T) -> R + Sync,
    {
        self.agree("World::par_map", &(inputs.len() as u64).to_le_bytes())?;
        let (me, size) = (self.rank(), self.size());
        let n = inputs.len();
        let mine = super::Split::balanced_run(n, me, size);
        let outcome: std::result::Result<Vec<R>, String> = crate::Parallel::new()
            .map(&inputs[mine.clone()], &f)
            .map_err(|e| match e {
                Error::TaskPanicked { index, message } => {
                    format!(
                        "task {} panicked on rank {me}: {message}",
                        mine.start + index
                    )
                }
                other => format!("rank {me}: {other}"),
            });
        let (results, failure) = match outcome {
            Ok(r) => (Some(r), None),
            Err(why) => (None, Some(why)),
        };
        let all = self.all_gather(&(results, failure))?;
        let mut out = Vec::with_capacity(n);
        for (results, failure) in all {
            match (results, failure) {
                (Some(r), None) => out.extend(r),
                (_, Some(why)) => return Err(Error::Distributed(why)),
                (None, None) => return Err(malformed("a rank sent neither results nor an error")),
            }
        }
        if out.len() != n {
            return Err(malformed("the ranks returned the wrong number of results"));
        }
        Ok(out)
    }

    pub(crate) fn all_gather_bytes(&self, mine: &[u8]) -> Result<Vec<Vec<u8>>> {
        let others = self.size() - 1;
        self.count(u64::from(others > 0), mine.len() * others);
        self.inner.transport.all_gather(mine)
    }

    pub(crate) fn exchange(&self, sends: &[(usize, Vec<u8>)], from: &[usize]) -> Vec<Vec<u8>> {
        let me = self.rank();
        for (to, bytes) in sends {
            if *to != me {
                self.count(1, bytes.len());
            }
        }
        self.inner.transport.exchange(sends, from)
    }

    /// Every rank's value of `mine`, in rank order, on every rank
    /// (`MPI_Allgather` of any [`Message`]).
    ///
    /// # Errors
    ///
    /// [`Error::Distributed`] when a value cannot be decoded, or the values
    /// together exceed MPI's 2 GiB message limit.
    ///
    /// ```no_run
    /// use ndpar::dist::World;
    ///
    /// let world = World::init()?;
    /// let ranks: Vec<usize> = world.all_gather(&world.rank())?;
    /// assert_eq!(ranks, (0..world.size()).collect::<Vec<_>>());
    /// # Ok::<(), ndpar::Error>(())
    /// ```
    pub fn all_gather<T: Message>(&self, mine: &T) -> Result<Vec<T>> {
        let mut bytes = Vec::new();
        mine.encode(&mut bytes);
        self.all_gather_bytes(&bytes)?
            .iter()
            .map(|b| {
                let mut input = &b[..];
                let v = T::decode(&mut input)?;
                if input.is_empty() {
                    Ok(v)
                } else {
                    Err(malformed("bytes after the value"))
                }
            })
            .collect()
    }

    /// Checks that every rank is making the same call with the same
    /// arguments (`what` names the call, `signature` the arguments every
    /// rank must share): an error on every rank when they differ, before
    /// any data moves, so that a mismatch never deadlocks.
    pub(crate) fn agree(&self, what: &str, signature: &[u8]) -> Result<()> {
        let mut mine = what.as_bytes().to_vec();
        mine.extend_from_slice(signature);
        let all = self.all_gather_bytes(&mine)?;
        match all.iter().position(|s| *s != all[0]) {
            None => Ok(()),
            Some(r) => Err(Error::Distributed(format!(
                "{what}: the ranks disagree (rank {r} differs from rank 0 in {})",
                describe(&all[0], &all[r], what.len())
            ))),
        }
    }
}

/// Names what differs between two signatures, for the error message.
fn describe(a: &[u8], b: &[u8], name_len: usize) -> &'static str {
    if a.len() < name_len || b.len() < name_len || a[..name_len] != b[..name_len] {
        "the operation called"
    } else {
        "the shape, split or arguments"
    }
}
