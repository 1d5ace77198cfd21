//! Tuning knobs shared by every kernel.
//!
//! Users rarely touch these. They exist for two reasons: to let a benchmark or
//! an unusual machine move the block size and the sequential threshold, and to
//! let tests force many small blocks on small arrays so that the parallel code
//! paths are exercised.
//!
//! ```
//! use ndpar::Params;
//! let p = Params::default();
//! assert_eq!(p.block_bytes, 64 * 1024);
//! assert_eq!(p.install(Params::current), p);
//! ```

use std::cell::Cell;
use std::time::Duration;

/// Block size and sequential threshold used to plan every kernel.
///
/// The block size fixes where arrays are cut, so it is part of what a float
/// result depends on: the same input with the same `Params` gives the same
/// bits on any number of threads, but a different `block_bytes` may round
/// differently.
///
/// `Params` is `#[non_exhaustive]`: build it from [`Params::default`] and the
/// `with_*` methods, and make it current for a closure with
/// [`Params::install`].
///
/// ```
/// use ndpar::prelude::*;
/// use ndpar::Params;
/// use ndarray::Array1;
///
/// let a = Array1::from_iter((0..1000).map(f64::from));
/// let small_blocks = Params::always_parallel().with_block_bytes(64);
/// let s = small_blocks.install(|| a.par_sum());
/// assert_eq!(s, 499_500.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[must_use = "params do nothing until installed with `Params::install`"]
pub struct Params {
    /// Target size of one block in bytes (of the largest element type a
    /// kernel reads or writes). A block holds `max(1, block_bytes / size)`
    /// elements, rounded so that the blocks along the cut axis are of nearly
    /// equal length. Default: 64 KiB, which keeps a block and its gather buffer
    /// in L2 and makes per-block overhead negligible.
    pub block_bytes: usize,
    /// Arrays with fewer elements than this always run on the calling
    /// thread (with the same blocks, so with the same result). Default:
    /// 4096.
    pub min_parallel_len: usize,
    /// A kernel uses the thread pool only if running it on the calling
    /// thread would take at least this long. The kernel times its first
    /// block on the calling thread and extrapolates, so a cheap sum of
    /// 10^5 elements stays sequential (waking the pool would cost more than
    /// it saves) while an expensive map over the same array goes parallel.
    /// Only the speed depends on this decision, never the result. Default:
    /// 100 µs, several times the cost of waking rayon's workers (measured
    /// at 15–30 µs on a 2-vCPU cloud VM).
    pub min_parallel_time: Duration,
    /// What the bits of float reductions may depend on: see
    /// [`Reproducibility`]. Default: [`Reproducibility::Threads`].
    pub reproducibility: Reproducibility,
}

/// How far the bits of a float reduction are reproducible, beyond the
/// values themselves.
///
/// Every level gives the same bits on any number of threads. The levels
/// differ in what else may change without changing a bit:
///
/// | level | same bits for any | price |
/// |---|---|---|
/// | [`Threads`](Reproducibility::Threads) (default) | thread count and pool, for the same memory layout and [`Params::block_bytes`] | none: blocks follow memory, the fastest order |
/// | [`Layout`](Reproducibility::Layout) | also memory order (C, F, transposed, stepped, reversed, broadcast views) and `block_bytes` | none for C-order arrays; other layouts are read in logical order (see below) |
/// | exact (the `*_exact` methods) | also order, grouping, machine and library: the correctly rounded value | 2–4 times a plain sum on one thread |
///
/// Which kernel gives which level (✓: always; *opt-in*: with
/// `Reproducibility::Layout` in the current params). The CPU column is
/// checked by a test that compares digests of the output bits of every
/// family with digests committed in the repository (`tests/digest.rs`):
///
/// | kernels | thread count | memory layout, `block_bytes` | CPU (machine) | order, library |
/// |---|---|---|---|---|
/// | `par_sum`, `par_product`, `par_mean`, `par_var`, `par_std`, `par_nansum`, `par_nanmean`, `par_norm_l1`, `par_norm_l2`, `par_vdot` | ✓ | opt-in | ✓ | — |
/// | `par_sum_exact`, `par_mean_exact`, `par_dot_exact`, `par_sum_axis_exact` | ✓ | ✓ | ✓ | ✓ (correctly rounded) |
/// | `par_argmin`, `par_argmax` and their `_axis` forms | ✓ | ✓ | ✓ | ✓ (the first extreme in logical order) |
/// | `par_min`, `par_max`, `par_nanmin`, `par_nanmax`, `par_norm_max` and their `_axis` forms | ✓ | ✓ up to which of `-0.0` and `0.0`, or which NaN, is returned | ✓ | as for layouts (nothing is rounded) |
/// | other axis reductions (`par_sum_axis`, `par_mean_axis`, `par_var_axis`, …), the several-axes reductions (`par_sum_axes`, `par_mean_axes`, …; their minima and maxima as above), `par_fold`, `par_map_reduce`, `par_cumsum`, `par_cumprod` | ✓ | — | ✓ | — |
/// | `par_sort`, `par_argsort`, `par_sort_inplace` (stable: numpy's one sorted order) | ✓ | ✓ | ✓ | ✓ |
/// | `par_sort_unstable`, `par_sort_unstable_inplace`, `par_partition`, `par_argpartition` | ✓ | ✓ | ✓ | the values at each rank ✓; the order of equal keys and within groups may change with the library's version |
/// | `par_quantile`, `par_quantiles`, `par_percentile`, `par_median` and their `nan` and `_axis` forms (values selected, one interpolation formula) | ✓ | ✓ | ✓ | ✓ |
/// | `par_bincount`, `par_unique` (integers, indices) | ✓ | ✓ | ✓ | ✓ |
/// | `par_bincount_weighted` (float sums per bin) | ✓ | — | ✓ | — |
/// | maps, block kernels, stencils, `par_correlate_2d`, `par_convolve_1d` | ✓ | ✓ | ✓ for ndpar's own arithmetic; a closure that calls libm (`exp`, `sin`, …) may round differently on another CPU | ✓ (each output is computed alone, in a fixed order) |
/// | histograms | ✓ | ✓ | ✓ | ✓ (integer counts) |
/// | random arrays | ✓ | ✓ (values keyed by logical index) | ✓ (a distribution that calls libm: as for maps) | ✓ for the same generator and `rand` version |
/// | `par_matmul`, `par_cov`, `par_corrcoef`, `par_pairwise_distances`, `par_knn` | ✓ | — | — (matrixmultiply picks FMA kernels for the CPU at run time) | — |
/// | the [`state`](crate::state) types | merges in a fixed order: ✓ | ✓ | ✓ | `ExactSum`, `ExactDot`, counts, extremes: ✓ |
///
/// At the `Layout` level the whole-array float reductions
/// ([`par_sum`](crate::ParReduce::par_sum), `par_product`, `par_mean`,
/// `par_var`, `par_std`, `par_nansum`, `par_nanmean`, the norms and
/// [`par_vdot`](crate::ParReduce::par_vdot)) cut the array's *logical*
/// row-major sequence into blocks of a fixed 8192 elements, whatever the
/// memory layout and `block_bytes`, and combine them along the fixed tree.
/// A C-order array is read as before; any other layout is gathered block
/// by block in logical order, which costs extra memory traffic (measured
/// in `BENCHMARKS.md`). Minima, maxima and the arg-extremes are the same
/// bits at every level (they do not round). Axis reductions, folds and
/// scans stay at the `Threads` level; for layout-free sums along an axis
/// use [`par_sum_axis_exact`](crate::ParAxis::par_sum_axis_exact).
///
/// ```
/// use ndpar::prelude::*;
/// use ndpar::{Params, Reproducibility};
/// use ndarray::{Array2, ShapeBuilder};
///
/// let c = Array2::from_shape_fn((500, 300), |(i, j)| 1.0 / (1.0 + (i * 300 + j) as f64));
/// let mut f = Array2::zeros((500, 300).f());
/// f.assign(&c); // the same matrix, column-major
/// let layout = Params::default().with_reproducibility(Reproducibility::Layout);
/// let (sc, sf) = layout.install(|| (c.par_sum(), f.par_sum()));
/// assert_eq!(sc.to_bits(), sf.to_bits());
/// let small_blocks = layout.with_block_bytes(512);
/// assert_eq!(small_blocks.install(|| f.t().t().par_sum()).to_bits(), sc.to_bits());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reproducibility {
    /// The same bits on any number of threads, for the same memory layout
    /// and `Params`.
    #[default]
    Threads,
    /// Also the same bits for any memory layout and any `block_bytes`.
    Layout,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            block_bytes: 64 * 1024,
            min_parallel_len: 4096,
            min_parallel_time: Duration::from_micros(100),
            reproducibility: Reproducibility::Threads,
        }
    }
}

thread_local! {
    static CURRENT: Cell<Option<Params>> = const { Cell::new(None) };
}

/// Restores the previous thread-local params when dropped, also on panic.
struct Restore(Option<Params>);

impl Drop for Restore {
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.0));
    }
}

impl Params {
    /// The params in effect on this thread: those of the innermost
    /// [`Params::install`] around the caller, else [`Params::default`].
    ///
    /// ```
    /// use ndpar::Params;
    /// assert_eq!(Params::current(), Params::default());
    /// let p = Params::default().with_block_bytes(1024);
    /// p.install(|| assert_eq!(Params::current(), p));
    /// ```
    pub fn current() -> Params {
        CURRENT.with(|c| c.get()).unwrap_or_default()
    }

    /// Sets [`block_bytes`](Params::block_bytes). A value below one element
    /// means one element per block.
    ///
    /// ```
    /// let p = ndpar::Params::default().with_block_bytes(4096);
    /// assert_eq!(p.block_bytes, 4096);
    /// ```
    pub fn with_block_bytes(mut self, block_bytes: usize) -> Self {
        self.block_bytes = block_bytes;
        self
    }

    /// Sets [`min_parallel_len`](Params::min_parallel_len); 0 makes every
    /// non-empty input eligible for parallel execution.
    ///
    /// ```
    /// let p = ndpar::Params::default().with_min_parallel_len(0);
    /// assert_eq!(p.min_parallel_len, 0);
    /// ```
    pub fn with_min_parallel_len(mut self, min_parallel_len: usize) -> Self {
        self.min_parallel_len = min_parallel_len;
        self
    }

    /// Sets [`min_parallel_time`](Params::min_parallel_time);
    /// `Duration::ZERO` makes every eligible input run on the pool.
    ///
    /// ```
    /// use std::time::Duration;
    /// let p = ndpar::Params::default().with_min_parallel_time(Duration::ZERO);
    /// assert_eq!(p.min_parallel_time, Duration::ZERO);
    /// ```
    pub fn with_min_parallel_time(mut self, min_parallel_time: Duration) -> Self {
        self.min_parallel_time = min_parallel_time;
        self
    }

    /// Sets [`reproducibility`](Params::reproducibility).
    ///
    /// ```
    /// use ndpar::{Params, Reproducibility};
    /// let p = Params::default().with_reproducibility(Reproducibility::Layout);
    /// assert_eq!(p.reproducibility, Reproducibility::Layout);
    /// ```
    pub fn with_reproducibility(mut self, reproducibility: Reproducibility) -> Self {
        self.reproducibility = reproducibility;
        self
    }

    /// Params that put every non-empty input with more than one block on
    /// the pool: no length or time threshold. For tests and experiments.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndpar::Params;
    /// use ndarray::Array1;
    ///
    /// let a = Array1::from_iter((0..100).map(f64::from));
    /// let p = Params::always_parallel().with_block_bytes(64);
    /// assert_eq!(ndpar::with_threads(4, || p.install(|| a.par_sum())).unwrap(), 4950.0);
    /// ```
    pub fn always_parallel() -> Self {
        Params::default()
            .with_min_parallel_len(0)
            .with_min_parallel_time(Duration::ZERO)
    }

    /// Runs `f` with these params current on the calling thread, then
    /// restores the previous ones (also if `f` panics).
    ///
    /// A kernel reads the params on the thread that calls it, when it plans
    /// the work, and carries them to every worker that runs one of its
    /// blocks, so kernels nested in its closures plan with them too; a
    /// [`Parallel`](crate::Parallel) run carries them to its tasks. And
    /// [`with_threads`](crate::with_threads) carries the current params
    /// into its pool, so `params.install(|| with_threads(4, ..))` and
    /// `with_threads(4, || params.install(..))` are equivalent.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndpar::Params;
    /// use ndarray::Array1;
    ///
    /// let a = Array1::<f32>::ones(10_000);
    /// let p = Params::always_parallel().with_block_bytes(256);
    /// assert_eq!(p.install(|| a.par_sum()), 10_000.0);
    /// ```
    pub fn install<R>(self, f: impl FnOnce() -> R) -> R {
        let previous = CURRENT.with(|c| c.replace(Some(self)));
        let _restore = Restore(previous);
        f()
    }

    /// Elements per block for elements of `elem_size` bytes.
    #[inline]
    pub(crate) fn block_len(&self, elem_size: usize) -> usize {
        (self.block_bytes / elem_size.max(1)).max(1)
    }
}
