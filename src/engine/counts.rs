//! Counting into vectors of bins: histograms, bincounts and the radix
//! selection's digit counts. Blocks count into private vectors (one per
//! worker, not one per block, so a million bins stay cheap), added at the
//! end: no atomics, no contention, and exact integer results whatever the
//! split. Every vector is allocated fallibly, so bins that do not fit in
//! memory are an error, never an abort.

use super::group::Group;
use super::whole::{BlockOf, accumulate};
use crate::error::{Error, Result};

/// The most bins a histogram may have (on each axis, and in all for a 2-D
/// histogram): 2³², whose edges and counts take 64 GiB. More is an
/// [`Error::InvalidBins`](crate::Error::InvalidBins), and so are fewer whose counts cannot be
/// allocated.
///
/// ```
/// use ndpar::histogram::{par_histogram, MAX_BINS};
/// assert!(par_histogram(&ndarray::array![1.0], MAX_BINS + 1, None).is_err());
/// ```
pub const MAX_BINS: usize = 1 << 32;

/// A vector of `bins` zero counts (or sums), or `None` when it does not fit
/// in memory.
pub(crate) fn zero_counts<T: Copy + Default>(bins: usize) -> Option<Vec<T>> {
    let mut counts = Vec::new();
    counts.try_reserve_exact(bins).ok()?;
    counts.resize(bins, T::default());
    Some(counts)
}

/// Adds count (or sum) vectors (`None`, a vector that could not be
/// allocated, wins).
pub(crate) fn add_counts<T: std::ops::AddAssign>(
    a: Option<Vec<T>>,
    b: Option<Vec<T>>,
) -> Option<Vec<T>> {
    let (mut a, b) = (a?, b?);
    a.iter_mut().zip(b).for_each(|(a, b)| *a += b);
    Some(a)
}

/// The error for `bins` counts that could not be allocated.
pub(crate) fn counts_too_big(bins: usize) -> Error {
    Error::InvalidBins {
        bins,
        reason: "the counts (8 bytes a bin, one vector per worker thread) do not fit in memory"
            .into(),
    }
}

/// Counts every block of `group` into a fresh vector of `bins` counts with
/// `fold(counts, block)`: one vector per worker, each allocated fallibly
/// ([`Error::InvalidBins`] when they do not fit in memory).
pub(crate) fn count_blocks<'v, G: Group<'v>>(
    group: G,
    bins: usize,
    fold: impl Fn(&mut [u64], BlockOf<'_, G::Slices, G::Dyn>) + Sync,
) -> Result<Vec<u64>> {
    accumulate(
        group,
        || zero_counts(bins),
        |counts, block| {
            if let Some(counts) = counts {
                fold(counts, block);
            }
        },
        add_counts,
    )
    .ok_or_else(|| counts_too_big(bins))
}
