//! The engine: one reduction-kernel abstraction and the drivers that run
//! kernels over the planner's blocks.
//!
//! A reduction is a [`ReduceKernel`]: how to fold a run of elements, how to
//! fold a block of rows into per-column accumulators, how to merge two
//! partial results, and how to finish one. The same kernel is driven three
//! ways:
//!
//! ```text
//! whole.rs   the whole array: blocks folded with `run`, merged along the
//!            fixed tree (par_sum, par_var, par_argmin, …)
//! axis.rs    along an axis: lanes folded with `run`, row blocks with
//!            `rows`, pieces merged along the fixed tree (par_sum_axis, …)
//! scan.rs    as scan totals: each block's total by the kernel, carried
//!            from block to block, then every block scanned from its carry
//! ```
//!
//! Adding a reduction means writing its kernel (see `ops.rs` for the
//! standard ones) and nothing else.
//!
//! Maps have one driver too (`map.rs`), generic over the number of inputs
//! (`group.rs`): a new array, or an array updated in place, from zero to
//! three inputs of any layouts. `lanes.rs` runs a function on every lane
//! along an axis. `order/` sorts, argsorts and partitions lanes (radix
//! sort, radix selection of any number of ranks, stable scatter), for the
//! sort kernels, the quantiles and the unique values alike; `counts.rs`
//! counts into bins (histograms, bincounts). `seq.rs` holds the vectorised
//! sequential loops, `state/` the mergeable partial states (public as
//! `ndpar::state`), `uninit.rs` the crate's only unsafe code (with
//! `io/mmap.rs`).

pub(crate) mod axis;
pub(crate) mod counts;
pub(crate) mod group;
pub(crate) mod lanes;
pub(crate) mod map;
pub(crate) mod num;
pub(crate) mod ops;
pub(crate) mod order;
pub(crate) mod scan;
pub(crate) mod seq;
pub mod state;
pub(crate) mod uninit;
pub(crate) mod whole;

pub(crate) use whole::At;

/// One reduction: how to fold runs of a lane and blocks of rows into
/// accumulators, how to merge accumulators, and how to finish them.
///
/// Partial results are merged left (earlier elements) to right, along a
/// tree fixed by the plan, so a kernel whose `merge` is not associative in
/// floating point still gives the same bits on any number of threads.
pub(crate) trait ReduceKernel<A>: Sync {
    /// Partial result.
    type Acc: Send + Sync + Clone;
    /// Final value.
    type Out: Send;
    /// Whether runs may be folded separately and merged. `false` for a
    /// plain fold, which must see each lane front to back in one go.
    const SPLITTABLE: bool = true;
    /// Whether `run` needs the logical position of each element (argmin
    /// and argmax).
    const POSITIONAL: bool = false;

    /// Folds `xs`, a non-empty run whose first element sits at `at`.
    fn run(&self, xs: &[A], at: At<'_>) -> Self::Acc;

    /// Folds rows `r0, r0 + 1, …` along the axis (each a slice over the
    /// same columns) into one accumulator per column, replacing the
    /// contents of `out`.
    fn rows(&self, rows: &[&[A]], r0: usize, out: &mut Vec<Self::Acc>);

    /// Merges the partial results of neighbouring runs, `left` first.
    fn merge(&self, left: Self::Acc, right: Self::Acc) -> Self::Acc;

    /// The output value.
    fn finish(&self, acc: Self::Acc) -> Self::Out;
}
