//! Histograms of a whole [`DistArray`], the counts on every rank.

use ndarray::Dimension;

use super::super::array::DistArray;
use super::super::message::Message;
use crate::element::Float;
use crate::error::Result;
use crate::histogram::Histogram;

/// Histograms. Collective, the same on every rank.
impl<A, D: Dimension> DistArray<A, D>
where
    A: Float + Message,
{
    /// numpy's `histogram(a, bins, range)` of the whole array: the same
    /// edges and counts as [`par_histogram`](crate::par_histogram) on one
    /// machine (counts are exact in any order). Without a range, the
    /// range is the global minimum and maximum.
    ///
    /// # Errors
    ///
    /// As [`par_histogram`](crate::par_histogram) (on every rank), and as
    /// [`par_sum`](Self::par_sum).
    pub fn par_histogram(&self, bins: usize, range: Option<(A, A)>) -> Result<Histogram<A>> {
        // The bins and range are checked after every rank agreed on them,
        // so that all reach the same verdict and none is left waiting.
        let mut args = (bins as u64).to_le_bytes().to_vec();
        range.encode(&mut args);
        self.world()
            .agree("par_histogram", &self.signature(&args))?;
        let range = match range {
            Some(r) => Some(r),
            None => match (self.par_min()?, self.par_max()?) {
                (Some(lo), Some(hi)) => Some((lo, hi)),
                _ => None,
            },
        };
        let mine = crate::par_histogram(&self.local(), bins, range)?;
        self.merge_all(mine, |t, s| {
            t.counts += &s.counts;
        })
    }
}
