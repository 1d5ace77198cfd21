//! Every MPI call of `dist`, behind one small trait, so that another
//! binding (or another transport) can replace rsmpi by implementing five
//! methods. Everything above this file speaks in bytes.

use mpi::Tag;
use mpi::datatype::PartitionMut;
use mpi::point_to_point::{Destination, Source};
use mpi::topology::{Communicator, SimpleCommunicator};
use mpi::traits::CommunicatorCollectives;

use crate::error::{Error, Result};

/// What `dist` needs from a message-passing library.
pub(crate) trait Transport {
    /// This process's rank, `0..size`.
    fn rank(&self) -> usize;
    /// The number of ranks.
    fn size(&self) -> usize;
    /// Every rank's bytes, in rank order, on every rank (a collective:
    /// every rank calls it). An error on every rank when the total does not
    /// fit one message.
    fn all_gather(&self, mine: &[u8]) -> Result<Vec<Vec<u8>>>;
    /// Sends each `(rank, bytes)` and receives one message from each rank
    /// in `from`, in that order. Every send must be matched by the
    /// receiver's `from`; a rank may send to itself.
    fn exchange(&self, sends: &[(usize, Vec<u8>)], from: &[usize]) -> Vec<Vec<u8>>;
    /// Ends every rank of the job.
    fn abort(&self, code: i32) -> !;
}

/// rsmpi over a private duplicate of a communicator, so that ndpar's
/// messages never meet the program's own.
pub(crate) struct Mpi {
    comm: SimpleCommunicator,
}

/// The tag of every point-to-point message (the private communicator
/// keeps them apart from everything else).
const TAG: Tag = 7;

/// Largest piece of one point-to-point message: MPI counts are `i32`.
const CHUNK: usize = 1 << 30;

impl Mpi {
    pub(crate) fn new(comm: &SimpleCommunicator) -> Mpi {
        Mpi {
            comm: comm.duplicate(),
        }
    }
}

impl Transport for Mpi {
    fn rank(&self) -> usize {
        self.comm.rank() as usize
    }

    fn size(&self) -> usize {
        self.comm.size() as usize
    }

    fn all_gather(&self, mine: &[u8]) -> Result<Vec<Vec<u8>>> {
        // Open MPI rejects an all-gather of nothing at all: every
        // contribution carries one leading byte, dropped on arrival.
        let mine = &[&[0u8][..], mine].concat()[..];
        let size = self.size();
        let mut lens = vec![0u64; size];
        self.comm
            .all_gather_into(&(mine.len() as u64), &mut lens[..]);
        let total = lens.iter().try_fold(0u64, |t, &l| t.checked_add(l));
        let total = match total {
            Some(t) if t <= i32::MAX as u64 => t as usize,
            _ => {
                return Err(Error::Distributed(format!(
                    "an all-gather of {lens:?} bytes per rank exceeds MPI's limit of {} bytes",
                    i32::MAX
                )));
            }
        };
        let counts: Vec<i32> = lens.iter().map(|&l| l as i32).collect();
        let displs: Vec<i32> = counts
            .iter()
            .scan(0i32, |at, &c| {
                let d = *at;
                *at += c;
                Some(d)
            })
            .collect();
        let mut all = vec![0u8; total];
        {
            let mut parts = PartitionMut::new(&mut all[..], &counts[..], &displs[..]);
            self.comm.all_gather_varcount_into(mine, &mut parts);
        }
        let mut out = Vec::with_capacity(size);
        let mut at = 0;
        for &l in &lens {
            out.push(all[at + 1..at + l as usize].to_vec());
            at += l as usize;
        }
        Ok(out)
    }

    fn exchange(&self, sends: &[(usize, Vec<u8>)], from: &[usize]) -> Vec<Vec<u8>> {
        let me = self.rank();
        let mut to_self = sends
            .iter()
            .filter(|(to, _)| *to == me)
            .map(|(_, b)| b.clone());
        let remote: Vec<&(usize, Vec<u8>)> = sends.iter().filter(|(to, _)| *to != me).collect();
        // A length header, then the bytes in pieces MPI can count.
        let headers: Vec<[u8; 8]> = remote
            .iter()
            .map(|(_, b)| (b.len() as u64).to_le_bytes())
            .collect();
        mpi::request::scope(|scope| {
            let mut pending = Vec::new();
            for ((to, bytes), header) in remote.iter().zip(&headers) {
                let p = self.comm.process_at_rank(*to as i32);
                pending.push(p.immediate_send_with_tag(scope, &header[..], TAG));
                for piece in bytes.chunks(CHUNK) {
                    pending.push(p.immediate_send_with_tag(scope, piece, TAG));
                }
            }
            let mut received = Vec::with_capacity(from.len());
            for &src in from {
                if src == me {
                    received.push(to_self.next().expect("a message to itself was sent"));
                    continue;
                }
                let p = self.comm.process_at_rank(src as i32);
                let (header, _) = p.receive_vec_with_tag::<u8>(TAG);
                let len = u64::from_le_bytes(header.try_into().expect("an 8-byte header"));
                let mut bytes = Vec::new();
                while (bytes.len() as u64) < len {
                    let (piece, _) = p.receive_vec_with_tag::<u8>(TAG);
                    bytes.extend_from_slice(&piece);
                }
                received.push(bytes);
            }
            for request in pending {
                request.wait();
            }
            received
        })
    }

    fn abort(&self, code: i32) -> ! {
        self.comm.abort(code)
    }
}
