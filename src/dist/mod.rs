//! Distributed arrays over MPI (feature `mpi`): the same kernels on every
//! rank, and the same bits as one machine for any number of ranks.
//!
//! When data outgrows one machine, the program runs as several processes
//! (*ranks*) under `mpirun` or `srun`. A [`DistArray`] is split over the
//! ranks along its first axis; each rank holds a run of rows and works on
//! it with ndpar's kernels on its own cores, and the ranks exchange only
//! partial results and halo rows. MPI is reached through the maintained
//! [`mpi`](https://docs.rs/mpi) crate (rsmpi) over the system's MPI
//! library, behind a five-method internal trait (`transport.rs`) that
//! another binding could implement.
//!
//! ```no_run
//! use ndpar::dist::{DistArray, Split, World};
//! use ndpar::random::StandardNormal;
//!
//! let world = World::init()?;
//! // The array par_random((4096, 512), …, 7) would give, split over ranks.
//! let x = DistArray::<f64, _>::random(&world, (4096, 512), Split::Balanced, &StandardNormal, 7)?;
//! let mean = x.par_mean()?.unwrap();
//! let spread = x.par_std(1.0)?.unwrap();
//! let z = x.par_mapv(|v| (v - mean) / spread); // no communication
//! let col_means = z.par_mean_axis(ndarray::Axis(0))?.unwrap(); // on every rank
//! if world.rank() == 0 {
//!     println!("{} ranks, first column mean {}", world.size(), col_means[0]);
//! }
//! z.save_npy(0, "z.npy")?; // gathered on rank 0
//! # Ok::<(), ndpar::Error>(())
//! ```
//!
//! Build with `--features mpi` (it needs an MPI library and libclang:
//! `apt-get install libopenmpi-dev openmpi-bin libclang-dev` on Debian),
//! and run with `mpirun -n 4 target/release/your_program`. A program run
//! without `mpirun` is a world of one rank.
//!
//! # Same bits as one machine
//!
//! MPI's own reductions may regroup terms, so their float results can
//! change with the number of ranks. ndpar does not use them. Each kernel
//! cuts the *global* array exactly as the single-machine kernel cuts it,
//! each rank computes the pieces that start in its rows (receiving the
//! few elements a piece reaches into the next rank), and the pieces are
//! merged along the single-machine tree. So:
//!
//! | distributed kernel | equals, bit for bit, for any number of ranks and threads per rank |
//! |---|---|
//! | `par_sum`, `par_product`, `par_mean`, `par_var`, `par_std`, `par_nansum`, `par_nanmean`, `par_norm_l1`, `par_norm_l2`, `par_vdot` | the same method on the gathered array with [`Reproducibility::Layout`](crate::Reproducibility::Layout) (fixed 8192-element logical blocks). At the default `Threads` level one machine cuts by memory blocks instead, so its float results may differ in the last bits |
//! | `par_min`, `par_max`, `par_argmin`, `par_argmax`, `par_nanmin`, `par_nanmax`, `par_norm_max` | the single-machine result at `Layout` level; also at the default level, except which of several equal values (`-0.0` and `0.0`, or NaNs with different payloads) a minimum or maximum returns. Arg-extremes are global row-major indices, the same at every level |
//! | `par_sum_exact`, `par_mean_exact`, `par_dot_exact`, `par_sum_axis_exact` | the single-machine result at any level: correctly rounded, hence independent of every split |
//! | `par_histogram` | the single-machine edges and counts (counts are integers; the automatic range is the global minimum and maximum) |
//! | `par_sum_axis`, `par_mean_axis`, `par_var_axis`, `par_std_axis`, `par_min_axis`, `par_max_axis`, `par_argmin_axis`, `par_argmax_axis` along axis 0 (the split axis) | the same method on the gathered C-order array at the default level: the single-machine plan's row blocks, spread over ranks |
//! | the same along another axis | the same method on the gathered array: each rank reduces its own rows, whose lanes never cross ranks |
//! | `par_map`, `par_mapv`, `par_zip_map`, `par_mapv_inplace` | the single-machine map (elementwise; no communication) |
//! | `par_correlate_2d`, `par_correlate_2d_into`, `with_halo`, `par_map_overlap` with every [`Boundary`](crate::Boundary) mode | the single-machine kernel on the gathered array (halo rows are exchanged first; for `par_map_overlap`, when `f` reads only rows within the halo). `with_halo` is the block with the rows around it that `par_map_overlap` on one machine would see |
//! | [`DistArray::random`] | [`par_random`](crate::random::par_random) with the same shape, distribution and seed |
//! | [`World::par_map`] | the task results in input order, as [`Parallel::map`](crate::Parallel::map) |
//! | [`par_monte_carlo`] | [`par_monte_carlo`](crate::random::par_monte_carlo) on one machine |
//!
//! The params in effect on each rank (block sizes, reproducibility level)
//! must be the same on every rank; the axis reductions read them.
//!
//! Whole-array reductions ship, at each boundary between two ranks, at
//! most one logical block (8192 elements) to the rank where that block
//! starts, and then a few partial states per rank; reductions along the
//! split axis ship at most one row block per boundary. The
//! `dist-scaling` benchmark (package `ndpar-bench`) measures the bytes.
//!
//! # Threads on each rank
//!
//! MPI is started for calls from the main thread only ([`World`] is
//! neither `Send` nor `Sync`, so the compiler keeps it there). Kernels run
//! on the rayon pool, as on one machine: set each rank's thread count with
//! `ndpar::rayon::ThreadPoolBuilder::new().num_threads(t).build_global()`
//! at the start of `main`, not with [`with_threads`](crate::with_threads)
//! around distributed calls (which would run them on a pool thread). With
//! several ranks per machine, give each rank its share of the cores.
//!
//! # Collective calls and errors
//!
//! Every method that communicates is collective: every rank calls it, in
//! the same order. Each call first checks that all ranks are making the
//! same call on arrays of the same shape and split; when they are not,
//! every rank returns [`Error::Distributed`](crate::Error::Distributed)
//! instead of waiting forever. A programmer error (an axis out of range,
//! mismatched arrays on one rank) panics as on one machine, and a panic
//! that unwinds past the last [`World`] handle aborts the whole job
//! (`MPI_Abort`), so that the other ranks never wait for a rank that is
//! gone. An error only one rank sees (a file it cannot read) is yours to
//! share before the next collective call: pass it through
//! [`World::all_gather`], or end the job with [`World::abort`].

mod array;
mod halo;
mod message;
mod reduce;
mod transport;
mod tree;
mod world;

pub use array::{DistArray, Split};
pub use message::Message;
pub use world::{Traffic, World};

use crate::engine::state::Moments;
use crate::plan::Tree;
use crate::random::{ChaCha8Rng, MonteCarlo, STREAM_LEN};
use tree::OverRanks;

/// [`par_monte_carlo`](crate::random::par_monte_carlo) over the ranks:
/// the same streams, merged along the same tree, so the result has the
/// same bits as on one machine for any number of ranks. Each rank draws a
/// balanced run of the streams. `None` for fewer than 2 samples.
///
/// # Errors
///
/// [`Error::Distributed`](crate::Error::Distributed) on every rank when the
/// ranks pass different sample counts or seeds.
///
/// ```no_run
/// use ndpar::dist::{World, par_monte_carlo};
/// use ndpar::random::rand::Rng;
///
/// let world = World::init()?;
/// let pi = par_monte_carlo(&world, 10_000_000, 42, |rng| {
///     let (x, y): (f64, f64) = (rng.random(), rng.random());
///     if x * x + y * y <= 1.0 { 4.0 } else { 0.0 }
/// })?
/// .unwrap();
/// assert_eq!(Some(pi), ndpar::random::par_monte_carlo(10_000_000, 42, |rng| {
///     let (x, y): (f64, f64) = (rng.random(), rng.random());
///     if x * x + y * y <= 1.0 { 4.0 } else { 0.0 }
/// }));
/// # Ok::<(), ndpar::Error>(())
/// ```
pub fn par_monte_carlo<F>(
    world: &World,
    samples: usize,
    seed: u64,
    f: F,
) -> crate::Result<Option<MonteCarlo>>
where
    F: Fn(&mut ChaCha8Rng) -> f64 + Sync,
{
    let mut signature = (samples as u64).to_le_bytes().to_vec();
    signature.extend_from_slice(&seed.to_le_bytes());
    world.agree("par_monte_carlo", &signature)?;
    if samples < 2 {
        return Ok(None);
    }
    let streams = samples.div_ceil(STREAM_LEN);
    let (me, size) = (world.rank(), world.size());
    let m: Option<Moments<f64>> = Tree::midpoint(streams).reduce(
        world,
        Split::balanced_run(streams, me, size),
        |s| crate::random::stream_moments(samples, seed, s, &f),
        Moments::combined,
    )?;
    Ok(m.map(|m| crate::random::monte_carlo_of(&m)))
}
