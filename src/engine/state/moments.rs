//! [`Moments`]: count, mean and squared deviations.

use super::codec::{Kind, Reader, Writer, eq_by_encoding};
use super::seq;
use crate::element::Float;
use crate::error::Result;

/// Count, mean and sum of squared deviations of a stream of floats: the
/// state behind [`par_mean`](crate::ParReduce::par_mean)-style means and
/// [`par_var`](crate::ParReduce::par_var).
///
/// Merging uses Chan, Golub & LeVeque's update, which is exact in exact
/// arithmetic and stable in floating point (never `E[x²] − E[x]²`). The mean
/// is kept as an offset from a *pilot* value (one of the data), so data far
/// from zero (1e12 + N(0, 1)) merge without losing their small spread to
/// the rounding of their magnitude. Unlike [`ExactSum`](super::ExactSum),
/// different groupings of the same data can round differently in the last
/// bits; the same grouping always gives the same bits. NaN propagates to
/// the mean and the variance.
///
/// ```
/// use ndpar::state::Moments;
///
/// let mut m = Moments::new();
/// m.extend(&[1e9 + 1.0, 1e9 + 2.0]);
/// let mut rest = Moments::new();
/// rest.add(1e9 + 3.0);
/// rest.add(1e9 + 4.0);
/// m.merge(&rest);
/// assert_eq!(m.count(), 4);
/// assert_eq!(m.mean(), Some(1e9 + 2.5));
/// assert_eq!(m.var(0.0), Some(1.25));
/// assert_eq!(m.var(4.0), None); // n ≤ ddof
/// let back = Moments::<f64>::from_bytes(&m.to_bytes()).unwrap();
/// assert_eq!(back, m);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Moments<A> {
    pub(crate) count: usize,
    /// A value near the data (the mean is `pilot + offset`).
    pub(crate) pilot: A,
    /// The mean minus `pilot`.
    pub(crate) offset: A,
    /// Sum of squared deviations from the mean.
    pub(crate) m2: A,
}

impl<A: Float> Default for Moments<A> {
    fn default() -> Self {
        Moments::new()
    }
}

impl<A: Float> Moments<A> {
    /// The state of no values.
    pub fn new() -> Self {
        Moments {
            count: 0,
            pilot: A::zero(),
            offset: A::zero(),
            m2: A::zero(),
        }
    }

    /// Count, mean and squared deviations of non-empty `xs`, by two passes
    /// over the (cache-resident) block on values shifted by its first:
    /// mean first, then deviations.
    pub(crate) fn of(xs: &[A]) -> Moments<A> {
        let n = A::from_count(xs.len());
        let pilot = xs[0];
        let offset = seq::pairwise(xs, A::zero(), |x: A| x - pilot, A::scalar_add) / n;
        let m2 = seq::pairwise(
            xs,
            A::zero(),
            |x: A| {
                let d = (x - pilot) - offset;
                d * d
            },
            A::scalar_add,
        );
        Moments {
            count: xs.len(),
            pilot,
            offset,
            m2,
        }
    }

    /// Adds one value.
    pub fn add(&mut self, x: A) {
        *self = self.combined(Moments {
            count: 1,
            pilot: x,
            offset: A::zero(),
            m2: A::zero(),
        });
    }

    /// Adds the values of `xs` (two passes over the slice, then one merge).
    pub fn extend(&mut self, xs: &[A]) {
        if !xs.is_empty() {
            *self = self.combined(Moments::of(xs));
        }
    }

    /// Merges `other`, the state of another part of the data.
    pub fn merge(&mut self, other: &Moments<A>) {
        *self = self.combined(*other);
    }

    /// Number of values.
    pub fn count(&self) -> u64 {
        self.count as u64
    }

    /// The mean; `None` for no values.
    pub fn mean(&self) -> Option<A> {
        (self.count > 0).then(|| self.pilot + self.offset)
    }

    /// The sum of squared deviations from the mean (0 for no values).
    pub fn m2(&self) -> A {
        self.m2
    }

    /// The variance with `ddof` delta degrees of freedom,
    /// `m2 / (count - ddof)`; `None` when `count ≤ ddof`.
    pub fn var(&self, ddof: A) -> Option<A> {
        let n = A::from_count(self.count);
        (n > ddof).then(|| self.m2 / (n - ddof))
    }

    /// Merges two partial results (Chan, Golub & LeVeque 1979): exact in
    /// exact arithmetic and stable in floating point, unlike E[x²] − E[x]².
    pub(crate) fn combined(self, other: Self) -> Self {
        if self.count == 0 {
            return other;
        }
        if other.count == 0 {
            return self;
        }
        let count = self.count + other.count;
        let (na, nb, n) = (
            A::from_count(self.count),
            A::from_count(other.count),
            A::from_count(count),
        );
        let delta = (other.pilot - self.pilot) + (other.offset - self.offset);
        Moments {
            count,
            pilot: self.pilot,
            offset: self.offset + delta * (nb / n),
            m2: self.m2 + other.m2 + delta * delta * (na * nb / n),
        }
    }

    /// A stable little-endian encoding (see [`state`](crate::state)).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(Kind::Moments, size_of::<A>());
        w.u64(self.count as u64);
        w.float(self.pilot);
        w.float(self.offset);
        w.float(self.m2);
        w.finish()
    }

    /// Decodes [`to_bytes`](Moments::to_bytes).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`](crate::Error::InvalidState) when `bytes` is
    /// not a `Moments` of this element type, or holds a count that does not
    /// fit in `usize` or a negative sum of squares.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes, Kind::Moments, size_of::<A>())?;
        let count = usize::try_from(r.u64()?).map_err(|_| r.bad("count too large"))?;
        let (pilot, offset, m2) = (r.float()?, r.float()?, r.float()?);
        r.end()?;
        if m2 < A::zero() {
            return Err(r.bad("negative sum of squared deviations"));
        }
        Ok(Moments {
            count,
            pilot,
            offset,
            m2,
        })
    }
}

eq_by_encoding!(Moments);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_merge_equals_whole() {
        let xs: Vec<f64> = (0..100).map(|i| (i as f64).sin() * 10.0 + 1e6).collect();
        let whole = Moments::of(&xs);
        let merged = Moments::of(&xs[..33]).combined(Moments::of(&xs[33..]));
        assert_eq!(whole.count, merged.count);
        assert!((whole.mean().unwrap() - merged.mean().unwrap()).abs() < 1e-9);
        assert!((whole.m2 - merged.m2).abs() / whole.m2 < 1e-10);
    }
}
