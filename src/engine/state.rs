//! Mergeable partial states of the standard reductions: [`Moments`]
//! (count, mean and squared deviations, merged with Chan's update) and
//! [`Best`] (a value and its index, for numpy's `argmin`/`argmax`: the
//! *first* extreme element in logical row-major order, whatever the memory
//! layout, and the first NaN if there is one).

use super::At;
use super::seq;
use crate::element::{Float, Scalar};

/// Elements scanned per step: the extreme of a chunk is found with the
/// vectorised loop, and the chunk is searched for its position only when it
/// can improve on the best so far.
const CHUNK: usize = 256;

/// A candidate: a value and its row-major flat index.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Best<A> {
    pub(crate) value: A,
    pub(crate) flat: usize,
}

/// The preferred of two candidates: a NaN beats any number, a `better` value
/// beats a worse one, and among equals the lower index wins. Symmetric, so
/// the combine order cannot change the answer.
pub(crate) fn prefer<A: Scalar>(a: Best<A>, b: Best<A>, better: impl Fn(A, A) -> bool) -> Best<A> {
    let (an, bn) = (a.value.scalar_is_nan(), b.value.scalar_is_nan());
    let b_wins = match (an, bn) {
        (true, true) => b.flat < a.flat,
        (true, false) => false,
        (false, true) => true,
        (false, false) => {
            better(b.value, a.value) || (!better(a.value, b.value) && b.flat < a.flat)
        }
    };
    if b_wins { b } else { a }
}

/// The best candidate in a non-empty run `xs` whose first element sits at
/// `at`.
pub(crate) fn best_in<A: Scalar>(
    xs: &[A],
    at: At<'_>,
    better: impl Fn(A, A) -> bool + Copy,
) -> Best<A> {
    let ordered = at.positions.is_row_major();
    let mut acc: Option<Best<A>> = None;
    for (ci, chunk) in xs.chunks(CHUNK).enumerate() {
        let cv = seq::extreme(chunk, |x| x, better);
        let worth = match acc {
            None => true,
            Some(b) => {
                let (cn, bn) = (cv.scalar_is_nan(), b.value.scalar_is_nan());
                if bn {
                    // Only another NaN can win, and only with a lower index,
                    // which an earlier position guarantees in logical order.
                    cn && !ordered
                } else if cn || better(cv, b.value) {
                    true
                } else if better(b.value, cv) {
                    false
                } else {
                    !ordered
                }
            }
        };
        if worth {
            let cand = locate(chunk, cv, at.start + ci * CHUNK, at);
            acc = Some(match acc {
                None => cand,
                Some(b) => prefer(b, cand, better),
            });
        }
    }
    acc.expect("best_in needs a non-empty run")
}

/// The lowest row-major index of an element equal to `target` (or of a NaN
/// when `target` is NaN) in `chunk`, which starts at traversal `base`.
fn locate<A: Scalar>(chunk: &[A], target: A, base: usize, at: At<'_>) -> Best<A> {
    let positions = at.positions;
    let nan = target.scalar_is_nan();
    let mut hits = chunk.iter().enumerate().filter(|&(_, &x)| {
        if nan {
            x.scalar_is_nan()
        } else {
            // Equality on purpose: -0.0 and 0.0 are tied, and ties go to the
            // lower index as in numpy.
            x.partial_cmp(&target) == Some(std::cmp::Ordering::Equal)
        }
    });
    let (flat, offset) = if positions.is_row_major() {
        hits.next().map(|(i, _)| (base + i, i))
    } else {
        hits.map(|(i, _)| (positions.flat(base + i), i)).min()
    }
    .expect("the chunk contains its own extreme");
    // Report the chosen element itself, so that signed zeros and NaN
    // payloads come from the element at the reported index.
    Best {
        value: chunk[offset],
        flat,
    }
}

/// Combine step of NaN-propagating min/max: the left NaN, else the right
/// NaN, else the better value (left on ties).
pub(crate) fn first_nan_or_better<A: Scalar>(a: A, b: A, better: impl Fn(A, A) -> bool) -> A {
    if a.scalar_is_nan() {
        a
    } else if b.scalar_is_nan() || better(b, a) {
        b
    } else {
        a
    }
}

/// Partial result of a variance: Chan et al.'s parallel merge state, with
/// the mean kept as an offset from a pilot value (one of the data). Data
/// far from zero (1e12 + N(0, 1)) then merge without the rounding of their
/// magnitude: means differ by the difference of pilots (exact when they
/// are within a factor of two) plus small offsets.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Moments<A> {
    pub(crate) count: usize,
    /// A value near the data (the mean is `pilot + offset`).
    pub(crate) pilot: A,
    /// The mean minus `pilot`.
    pub(crate) offset: A,
    /// Sum of squared deviations from the mean.
    pub(crate) m2: A,
}

impl<A: Float> Moments<A> {
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

    /// The mean.
    #[cfg(any(feature = "random", test))]
    pub(crate) fn mean(&self) -> A {
        self.pilot + self.offset
    }

    /// Merges two partial results (Chan, Golub & LeVeque 1979): exact in
    /// exact arithmetic and stable in floating point, unlike E[x²] − E[x]².
    pub(crate) fn merge(self, other: Self) -> Self {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_merge_equals_whole() {
        let xs: Vec<f64> = (0..100).map(|i| (i as f64).sin() * 10.0 + 1e6).collect();
        let whole = Moments::of(&xs);
        let merged = Moments::of(&xs[..33]).merge(Moments::of(&xs[33..]));
        assert_eq!(whole.count, merged.count);
        assert!((whole.mean() - merged.mean()).abs() < 1e-9);
        assert!((whole.m2 - merged.m2).abs() / whole.m2 < 1e-10);
    }
}
