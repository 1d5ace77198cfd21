//! # ndpar: deterministic parallel kernels for ndarray
//!
//! ndpar splits [`ndarray`] data across cores with [`rayon`]. Add one
//! dependency and one import, replace `.sum()` by `.par_sum()`, and get the
//! same answer faster, on 2 cores or 64.
//!
//! ```
//! use ndpar::prelude::*;
//! use ndarray::Array2;
//!
//! let a = Array2::from_shape_fn((1000, 1000), |(i, j)| ((i * 7 + j) % 13) as f64);
//! let total = a.par_sum();
//! let mean = a.par_mean().unwrap();
//! let spread = a.par_std(1.0).unwrap();
//! let scaled = a.par_mapv(|x| (x - mean) / spread);
//! assert_eq!(total, a.sum());
//! assert!(scaled.par_mean().unwrap().abs() < 1e-12);
//! // Same bits on any number of threads:
//! let on_3 = ndpar::with_threads(3, || a.par_var(0.0)).unwrap();
//! let on_8 = ndpar::with_threads(8, || a.par_var(0.0)).unwrap();
//! assert_eq!(on_3, on_8);
//! ```
//!
//! ## Guarantees
//!
//! * **Deterministic.** Arrays are cut into blocks whose boundaries depend on
//!   shape, memory layout, element size and [`Params`] only, and block
//!   results are combined in a fixed pairwise tree. Float reductions, scans
//!   and random arrays give identical bits on any number of threads and in
//!   any pool. The [`Params`] in effect when a kernel or a [`Parallel`] run
//!   starts travel with its work: a kernel nested in another kernel's
//!   closure or in a task plans with them on whichever worker runs it.
//! * **Reproducible at three levels.** Same bits on any thread count
//!   (always); also for any memory layout and `block_bytes`
//!   ([`Reproducibility::Layout`], for the whole-array float reductions);
//!   and for any order, machine or library (the correctly rounded `*_exact`
//!   reductions). [`Reproducibility`] has the table of kernel × level, and
//!   [`state`] the public mergeable states behind the reductions.
//! * **The same bits on any number of machines.** With the `mpi` feature,
//!   `dist::DistArray` splits an array over MPI ranks and combines the
//!   ranks' partial results along the single-machine tree, so its
//!   reductions, stencils and random arrays equal one machine's, bit for
//!   bit, on any number of ranks (the `dist` module docs have the table).
//! * **Every layout.** Any dimension (`Ix0`…`Ix6`, `IxDyn`), owned arrays,
//!   views and `&ArrayRef`, C or F order, sliced with steps, reversed,
//!   transposed, broadcast, empty.
//! * **Small inputs stay cheap.** Below
//!   [`Params::min_parallel_len`] elements, or when the work would take less
//!   than [`Params::min_parallel_time`], a kernel runs on the calling thread
//!   (with the same blocks, hence the same result).
//! * **The caller owns the threads.** Kernels run in the current rayon pool;
//!   ndpar never configures the global pool. [`with_threads`] runs a closure
//!   on `n` threads with joblib's `n_jobs` conventions.
//!
//! ## Errors: one policy
//!
//! * **Programmer errors panic**, at the caller's line (`#[track_caller]`),
//!   with a message that names the method and the offending values: shapes
//!   that cannot match or broadcast, an axis out of range, a block length,
//!   batch size or `pre_dispatch` of 0, an even or empty stencil kernel, a
//!   negative `ddof`, a `q` outside `[0, 1]`. Numbers that must fit the
//!   *shape* of the data are checked like indices, so they panic too: a
//!   `kth` outside the axis of `par_partition`, a `k` above the rows of
//!   `par_knn` (numpy and scikit-learn raise a `ValueError` for both). Each
//!   method's `# Panics` section lists its cases.
//! * **Data and configuration conditions return `Option` or [`Error`]**:
//!   conditions of the data's *values*, which a caller cannot see without
//!   reading them. `None` when there is nothing to reduce (the mean,
//!   minimum or arg-minimum of an empty array — where numpy raises or
//!   warns); an [`Error`] for a value a function cannot take (a negative
//!   count for `par_bincount`, naming it and its index), bad bins or
//!   ranges (also ranges taken from data holding NaN), `n_jobs = 0`, a
//!   failed or panicking task, an unreadable file. Settings are checked at
//!   the call that receives them ([`Parallel::n_jobs`] returns the error
//!   itself).
//! * **Empty input never panics**, and where numpy returns a value for it (a
//!   sum of 0, a product of 1), so does ndpar.
//! * **NaN follows numpy**: it propagates through `par_min`, `par_sum` and
//!   the like; the NaN-skipping reductions of nothing but NaN give NaN.
//!   Overflow stays: a scan that reaches infinity stays there.
//! * **No value a caller passes or file it reads aborts or hangs the
//!   process.** Sizes from callers and from file headers are checked before
//!   anything is allocated: a histogram's bins (at most
//!   [`histogram::MAX_BINS`]), a thread count (at most [`MAX_THREADS`]), a
//!   random array's shape, a block halo, an npy header (compared with the
//!   file's length). Streams stop on cancel or timeout without reading the
//!   rest of their input ([`NotRun`]). The one exception is a result that
//!   truly does not fit in memory: an output the allocator refuses is a
//!   panic, and where the operating system overcommits memory, it may end
//!   the process later instead, as for any `Vec`.
//!
//! ## Map of the crate
//!
//! The source is layered; each layer uses only the ones below it.
//!
//! | layer | where | what lives there |
//! |---|---|---|
//! | planner | `plan/` (private) | `layout.rs`: traversal order from strides; `blocks.rs`: rectangular blocks, cutting views; `whole.rs`: `WholePlan`, the blocks of a whole-array kernel; `axis.rs`: `AxisPlan`, lanes or streamed rows along an axis; `tiles.rs`: 2-D output tiles; `tree.rs`: `Tree`, the fixed combine tree (one machine and MPI ranks alike); `schedule.rs`: `Schedule`, the only code that hands kernel work to rayon (`clippy.toml` rejects any other call), params carried to workers |
//! | engine | `engine/` (private) | `ReduceKernel` (`mod.rs`) and the standard kernels (`ops.rs`); drivers: `whole.rs` (whole array), `axis.rs` (along an axis), `scan.rs` (scan totals and carries), `map.rs` (maps of 0–3 inputs, `group.rs`), `lanes.rs` (a function per lane); `order/` sorts, argsorts and partitions of lanes (`radix.rs` the radix sort, `select.rs` the radix selection of any number of ranks, `scatter.rs` the stable parallel grouping); `counts.rs` counting into bins (histograms, bincounts, digit counts); `num.rs` numpy's result types of sums, products, scans and means, exact integer accumulators (`Arith`, public through [`element`]); `seq.rs` vectorised loops; `state/` the mergeable states, public as [`state`] (`superacc.rs` the exact superaccumulator, `exact.rs`, `moments.rs`, `extremes.rs`, `codec.rs` their byte encoding); `uninit.rs` unsafe code (with `io/mmap.rs` and `simd.rs`, the only) |
//! | kernels | `kernels/` (`quantile/method.rs`: numpy's quantile methods), re-exported as [`map`], [`reduce`], [`axis`], [`axes`], [`blocks`], [`scan`], [`sort`], [`quantile`], [`counting`], [`histogram`], [`linalg`], `random` | [`ParMap`], [`ParMapMut`], [`ParMapInto`]; [`ParReduce`] (with the `*_exact` reductions); [`ParAxis`], [`ParAxisMut`]; [`ParAxes`] (several axes at once); [`ParBlocks`], [`ParBlocksMut`], [`BlockPlan`], stencils; [`ParScan`]; [`ParSort`] (sorts, radix sorts, partitions); [`ParQuantile`]; [`par_bincount`], [`par_unique`]; [`par_histogram`] and friends; [`par_pairwise_distances`], [`par_knn`], [`par_matmul`], [`par_cov`], [`par_corrcoef`]; `par_random` (feature `random`) |
//! | vectorised math | [`vmath`] | [`vmath::F64x64`] (`block.rs`, with the loop that runs a kernel at the current vector level), the four-lane kernels (`lanes.rs` with the error-free sums and products; `exp.rs` exp and tanh, `log.rs` ln, `pow.rs` powf, `trig.rs` sin and cos), `map`/`zip_map` over slices; used through [`ParMap::par_map_slices`] |
//! | tasks | [`tasks`] | [`Parallel`] (`mod.rs`), where tasks run and when runs stop (`place.rs`), batched runs (`batch.rs`), streams (`stream.rs`), the progress bar (`progress.rs`) |
//! | distributed | `dist` (feature `mpi`) | `array.rs`: `DistArray`, its constructors, gathering, saving and maps; `reduce/`: reductions over the ranks with the single-machine cuts (`cuts.rs`; `whole.rs`, `axis.rs`, `histogram.rs`); `halo.rs`: halo exchange and stencils; `tree.rs`: the fixed combine tree spread over ranks; `message.rs`: `Message`, values as bytes; `world.rs`: `World`, agreement checks, the task map; `transport.rs`: every MPI call, behind one small trait |
//! | files | `io` (feature `io`), `memory` (feature `cache`) | npy/npz save and load (`npy.rs`, `npz.rs`), memory-mapped npy files (`mmap.rs`, feature `mmap`); the `Memory` disk cache (keys, values, entries, `cached!` functions) |
//! | support | [`params`], [`threads`], [`simd`], [`element`], [`error`], `check.rs` | [`Params`] and [`Reproducibility`]; [`with_threads`], [`cpu_count`], [`effective_n_jobs`]; the vector level of the hot loops, chosen at run time ([`simd::level`], [`simd::force`]); the element traits; [`Error`]; the error policy's panic messages |
//!
//! A reduction flows: public method (`kernels/reduce.rs`) → a kernel from
//! `engine/ops.rs` → a driver (`engine/whole.rs`) → the planner's blocks and
//! `Schedule::tree_reduce` → the per-block loop in `engine/seq.rs`.
//!
//! Around the crate, in the repository: `tests/` (two test binaries,
//! `suite.rs` and `props.rs`; `digests.txt`, the output digests that
//! `digest.rs` checks), `bench/` (package `ndpar-bench`: the
//! benchmark report tool with its Python peers, and criterion benches), `examples/` (package `ndpar-examples`:
//! the tour and the example workloads), `notebooks/` (Jupyter, evcxr
//! kernel) and `docs/from_python.md` (Python idioms mapped to ndpar).

#![deny(missing_docs)]
#![deny(unsafe_code)]
#![warn(clippy::undocumented_unsafe_blocks)]

mod check;
#[cfg(feature = "mpi")]
pub mod dist;
pub mod element;
mod engine;
pub mod error;
#[cfg(feature = "io")]
pub mod io;
mod kernels;
#[cfg(feature = "cache")]
pub mod memory;
pub mod params;
mod plan;
pub mod prelude;
pub mod simd;
pub mod tasks;
pub mod threads;
pub mod vmath;

#[cfg(feature = "random")]
pub use kernels::random;
pub use kernels::{
    axes, axis, blocks, counting, histogram, linalg, map, quantile, reduce, scan, sort,
};

pub use axes::ParAxes;
pub use axis::{ParAxis, ParAxisMut};
pub use blocks::{
    BlockPlan, Boundary, ParBlocks, ParBlocksMut, par_convolve_1d, par_correlate_2d,
    par_correlate_2d_into,
};
pub use counting::{Unique, par_bincount, par_bincount_weighted, par_unique};
pub use engine::state;
pub use error::{Error, NotRun, Result};
pub use histogram::{Histogram, Histogram2d, par_histogram, par_histogram_2d, par_histogram_edges};
pub use linalg::{
    Knn, Metric, Variables, par_corrcoef, par_cov, par_knn, par_matmul, par_pairwise_distances,
};
pub use map::{ParMap, ParMapInto, ParMapMut};
pub use params::{Params, Reproducibility};
pub use quantile::{ParQuantile, QuantileMethod};
pub use reduce::ParReduce;
pub use scan::ParScan;
pub use sort::ParSort;
pub use tasks::{
    BatchSize, CancelToken, Parallel, Partial, ScopedTaskStream, TaskError, TaskStream,
    UnorderedTaskStream,
};
pub use threads::{MAX_THREADS, cpu_count, effective_n_jobs, with_threads};

/// The README's examples, compiled and run as doc tests so it cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

/// The ndarray version ndpar is built against, re-exported so that users
/// can name the same types.
pub use ndarray;
/// The rayon version ndpar runs on, re-exported for pool control
/// (`ndpar::rayon::ThreadPoolBuilder`).
pub use rayon;
