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
//!   shape, memory layout and element size only, and block results are
//!   combined in a fixed pairwise tree. Float reductions give identical bits
//!   on any number of threads.
//! * **Every layout.** Any dimension (`Ix0`…`Ix6`, `IxDyn`), owned arrays and
//!   views, C or F order, sliced with steps, reversed, transposed, broadcast,
//!   empty.
//! * **Small inputs stay cheap.** Below
//!   [`Params::min_parallel_len`] elements a kernel runs on the calling
//!   thread (with the same blocks, hence the same result).
//! * **The caller owns the threads.** Kernels run in the current rayon pool;
//!   ndpar never configures the global pool. [`with_threads`] runs a closure
//!   on `n` threads with joblib's `n_jobs` conventions.
//! * **Clear failure.** Mismatched shapes panic with both shapes in the
//!   message; empty inputs give `None` (or 0 for sums), never a panic;
//!   configuration errors are an [`Error`].
//!
//! ## Map of the crate
//!
//! | module | what lives there |
//! |---|---|
//! | `plan` (private) | the block planner every kernel uses: `layout.rs` (traversal order from strides), `blocks.rs` (block boundaries), `mod.rs` (`Plan`: the fixed reduction tree and the map driver) |
//! | [`map`] | [`ParMap`], [`ParMapMut`], [`ParMapInto`]: elementwise maps, zips, in place and consuming |
//! | [`axis`] | [`ParAxis`]: reductions along one axis (`par_sum_axis`, `par_var_axis`, `par_argmin_axis`, `par_fold_axis`, …); `axis/engine.rs` picks lanes or streamed rows from the strides, `axis/kernels.rs` holds what each reduction folds |
//! | [`blocks`] | [`ParBlocks`], [`ParBlocksMut`]: `par_map_blocks`, `par_map_overlap` (halos, [`Boundary`]), `par_for_each_block_mut`; [`BlockPlan`]; the stencils [`par_correlate_2d`] and [`par_convolve_1d`] (`blocks/stencil.rs`) |
//! | [`scan`] | [`ParScan`]: `par_cumsum`, `par_cumprod` along any axis (block totals, carries, block scans) |
//! | [`histogram`] | [`par_histogram`], [`par_histogram_edges`], [`par_histogram_2d`] (numpy's conventions; private counts per split) |
//! | [`linalg`] | [`par_pairwise_distances`] ([`Metric`]), [`par_knn`], [`par_matmul`]: tiled over fixed output blocks |
//! | `random` (feature `random`, default) | `par_random`, `par_fill_random`, `par_monte_carlo`: one generator stream per fixed block of 65 536 elements |
//! | `io` (feature `io`, default) | `save_npy`, `load_npy`, `save_npz`, `load_npz`, `npz_names`: numpy's formats, atomic saves, clear errors |
//! | [`reduce`] | [`ParReduce`]: `par_fold`, sums, means, variances, min/max/arg*, NaN-skipping variants, norms, dot; `reduce/seq.rs` holds the vectorised per-block loops |
//! | [`element`] | [`Scalar`](element::Scalar) and [`Float`](element::Float): the element types the named kernels accept |
//! | `memory` (feature `cache`, default) | `Memory`: joblib.Memory (blake3 content keys, npy entries, atomic writes, LRU size cap) |
//! | [`tasks`] | [`Parallel`]: joblib's Parallel/delayed (adaptive batches, try_map, ordered/unordered streams with pre_dispatch, cancel, timeout, progress) |
//! | [`threads`] | [`with_threads`], [`cpu_count`], [`effective_n_jobs`] |
//! | [`params`] | [`Params`]: block size and sequential threshold |
//! | [`error`] | [`Error`] and [`Result`] |
//! | `uninit` (private) | the crate's only `unsafe`: writing new arrays block by block |
//!
//! A kernel call flows: public trait method → `Plan::new` (reads the current
//! [`Params`], normalises the layout, cuts blocks) → `Plan::reduce` (fixed
//! pairwise tree over blocks, `rayon::join` at each node) or `Plan::for_each`
//! (maps) → the per-block sequential loop.

#![deny(missing_docs)]
#![deny(unsafe_code)]
#![warn(clippy::undocumented_unsafe_blocks)]

mod check;
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
pub mod tasks;
pub mod threads;

#[cfg(feature = "random")]
pub use kernels::random;
pub use kernels::{axis, blocks, histogram, linalg, map, reduce, scan};

pub use axis::{ParAxis, ParAxisMut};
pub use blocks::{
    BlockPlan, Boundary, ParBlocks, ParBlocksMut, par_convolve_1d, par_correlate_2d,
    par_correlate_2d_into,
};
pub use error::{Error, Result};
pub use histogram::{Histogram, Histogram2d, par_histogram, par_histogram_2d, par_histogram_edges};
pub use linalg::{Knn, Metric, par_knn, par_matmul, par_pairwise_distances};
pub use map::{ParMap, ParMapInto, ParMapMut};
pub use params::Params;
pub use reduce::ParReduce;
pub use scan::ParScan;
pub use tasks::{
    BatchSize, CancelToken, Parallel, Partial, ScopedTaskStream, TaskError, TaskStream,
    UnorderedTaskStream,
};
pub use threads::{cpu_count, effective_n_jobs, with_threads};

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
