//! Mergeable partial states: what a reduction holds between blocks, and what
//! it takes to combine two parts of the input.
//!
//! Every reduction in ndpar is a state folded over blocks and merged along a
//! tree. The states below are public, so that a program can reduce a stream
//! of chunks, save a partial result and resume from it, or combine results
//! computed in other processes (or on other machines), and get what one pass
//! over all the data gives:
//!
//! | state | holds | merge | one-pass result |
//! |---|---|---|---|
//! | [`ExactSum`] | the exact sum (and count) | exact, associative, commutative | bit for bit, in any grouping and order |
//! | [`ExactDot`] | the exact dot product | exact, associative, commutative | bit for bit, in any grouping and order |
//! | [`MinMax`] | minimum and maximum, NaN-propagating | associative; `other` is the later part | bit for bit, in any grouping |
//! | [`ArgMin`], [`ArgMax`] | the first extreme and its index | associative, commutative | bit for bit, in any grouping and order |
//! | [`Moments`] | count, mean and squared deviations | Chan's update: associative in exact arithmetic | to rounding; the same bits for the same grouping |
//! | [`Histogram`](crate::Histogram) counts | counts per bin | exact, associative, commutative | bit for bit, in any grouping and order |
//!
//! Each state has `new`, `add` (one value), `extend` (a slice), `merge`, a
//! finishing accessor, and `to_bytes` / `from_bytes`: a stable,
//! machine-independent little-endian encoding (a 7-byte header — `NDPS`, a
//! format version, the state's kind and the element size — then the
//! fields). `from_bytes` checks everything it reads and returns
//! [`Error::InvalidState`](crate::Error::InvalidState) for bytes that are not
//! a valid state of that type.
//!
//! ```
//! use ndpar::state::{ArgMax, ExactSum, Moments};
//!
//! // Three chunks, reduced separately (by threads, processes, days)...
//! let chunks: [&[f64]; 3] = [&[1.0, 5.0], &[2.5], &[-1.0, 4.0, 5.0]];
//! let parts: Vec<(ExactSum<f64>, Moments<f64>, ArgMax<f64>)> = chunks
//!     .iter()
//!     .scan(0u64, |start, xs| {
//!         let (mut s, mut m, mut a) = (ExactSum::new(), Moments::new(), ArgMax::new());
//!         s.extend(xs);
//!         m.extend(xs);
//!         a.extend(*start, xs);
//!         *start += xs.len() as u64;
//!         Some((s, m, a))
//!     })
//!     .collect();
//! // ...then merged: the results of one pass over all six values.
//! let (mut s, mut m, mut a) = parts[0].clone();
//! for (s2, m2, a2) in &parts[1..] {
//!     s.merge(s2);
//!     m.merge(m2);
//!     a.merge(a2);
//! }
//! assert_eq!(s.sum(), 16.5);
//! assert_eq!(m.count(), 6);
//! assert_eq!(m.mean(), Some(2.75));
//! assert_eq!(a.get(), Some((1, 5.0))); // the first of the two 5.0
//! ```
//!
//! Internally the engine also keeps `Best`, the candidate of numpy's
//! `argmin`/`argmax` over blocks in any memory layout: the *first* extreme
//! element in logical row-major order, and the first NaN if there is one.

mod codec;
mod exact;
mod extremes;
mod moments;
pub(crate) mod superacc;

pub(crate) use codec::{
    Kind as StateKind, Reader as StateReader, Writer as StateWriter, eq_by_encoding,
};
pub use exact::{ExactDot, ExactSum};
pub use extremes::{ArgMax, ArgMin, MinMax};
pub use moments::Moments;

use super::At;
use super::seq;
use crate::element::Scalar;

/// Elements scanned per step: the extreme of a chunk is found with the
/// vectorised loop, and the chunk is searched for its position only when it
/// can improve on the best so far.
const CHUNK: usize = 256;

/// A candidate: a value and its row-major flat index.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Best<A, I = usize> {
    pub(crate) value: A,
    pub(crate) flat: I,
}

/// The preferred of two candidates: a NaN beats any number, a `better` value
/// beats a worse one, and among equals the lower index wins. Symmetric, so
/// the combine order cannot change the answer.
pub(crate) fn prefer<A: Scalar, I: Ord + Copy>(
    a: Best<A, I>,
    b: Best<A, I>,
    better: impl Fn(A, A) -> bool,
) -> Best<A, I> {
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
