//! `par_argmin` / `par_argmax`: numpy's `argmin`/`argmax` semantics in
//! parallel. The answer is the *first* extreme element in logical row-major
//! order (whatever the memory layout), and the first NaN if there is one.

use crate::element::Scalar;
use crate::plan::Positions;
use crate::reduce::seq;

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
/// traversal position `start`.
pub(crate) fn best_in<A: Scalar>(
    xs: &[A],
    start: usize,
    positions: Positions<'_>,
    better: impl Fn(A, A) -> bool + Copy,
) -> Best<A> {
    let ordered = positions.is_row_major();
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
            let cand = locate(chunk, cv, start + ci * CHUNK, positions);
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
fn locate<A: Scalar>(chunk: &[A], target: A, base: usize, positions: Positions<'_>) -> Best<A> {
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
