//! Sequential per-block loops. Each is written so that LLVM vectorises it
//! without fast-math: several independent accumulators per loop (an
//! explicit array), combined in a fixed order. This is the "as fast as good
//! single-core code" half of every reduction; the planner supplies the
//! parallel half.

use crate::element::{Float, Scalar};

/// Accumulators in the unrolled loops. Sixteen f64 lanes fill eight SSE2
/// registers, enough independent chains to hide the add latency.
const LANES: usize = 16;

/// Elements per piece of a cascade sum. Each of the [`LANES`] accumulators
/// adds at most `PIECE / LANES = 16` values, like numpy's pairwise sum
/// (8 accumulators over 128-element blocks); the lanes are combined
/// pairwise (4 levels) and a run's last partial piece adds its < 16
/// leftover values one by one, as numpy does. So an element's rounding path
/// is at most `16 + 4 + 15 + log2(n / PIECE)` additions: error growing like
/// `log n`, not like `n`.
pub(crate) const PIECE: usize = 256;

/// `op`-fold of `map(x)` over `xs` (at most [`PIECE`] elements) with
/// [`LANES`] accumulators, combined pairwise.
#[inline(always)]
fn unrolled<A: Copy, T: Copy>(xs: &[A], id: T, map: impl Fn(A) -> T, op: impl Fn(T, T) -> T) -> T {
    let mut acc = [id; LANES];
    let mut chunks = xs.chunks_exact(LANES);
    for c in &mut chunks {
        for i in 0..LANES {
            acc[i] = op(acc[i], map(c[i]));
        }
    }
    // The remainder (only in a run's last piece) is added after the lanes
    // are combined, as numpy does: touching `acc` with a variable index
    // would keep it out of registers and cost ~10% on long sums.
    let mut r = combine_lanes(acc, &op);
    for &x in chunks.remainder() {
        r = op(r, map(x));
    }
    r
}

/// Pairwise combine of the accumulators: lane i with lane i + w.
#[inline(always)]
fn combine_lanes<T: Copy>(mut acc: [T; LANES], op: impl Fn(T, T) -> T) -> T {
    let mut w = LANES;
    while w > 1 {
        w /= 2;
        for i in 0..w {
            acc[i] = op(acc[i], acc[i + w]);
        }
    }
    acc[0]
}

/// Cascade (pairwise) reduction over `len` elements: `piece(lo, hi)`
/// reduces each run of [`PIECE`] elements, and piece results are combined
/// like a binary counter, which is a pairwise tree over the pieces without
/// recursion. Rounding error grows like `log2(len)`.
#[inline(always)]
fn cascade<T: Copy>(
    len: usize,
    id: T,
    piece: impl Fn(usize, usize) -> T,
    op: impl Fn(T, T) -> T,
) -> T {
    // One piece needs no stack (and short sums should not pay for
    // initialising one): the same result as the loop below.
    if len <= PIECE {
        return piece(0, len);
    }
    // 64 levels cover any usize length.
    let mut stack = [id; 64];
    let mut depth = 0;
    let full = len / PIECE;
    for k in 0..full {
        let mut s = piece(k * PIECE, (k + 1) * PIECE);
        // Merge with the stack top once per trailing 1-bit of k: after
        // piece k, the stack holds the sums of the power-of-two groups in
        // the binary representation of k + 1.
        let mut done = k;
        while done & 1 == 1 {
            depth -= 1;
            s = op(stack[depth], s);
            done >>= 1;
        }
        stack[depth] = s;
        depth += 1;
    }
    let mut r = piece(full * PIECE, len);
    while depth > 0 {
        depth -= 1;
        r = op(stack[depth], r);
    }
    r
}

/// Pairwise `op`-reduction of `map(x)` over `xs`.
///
/// It stays at the build's baseline level. It is inlined into the loops
/// of the axis reductions, whose lanes may be a few values long, and
/// giving it a per-level path (even one taken only by long runs) made
/// those loops slower: an axis sum over 2^20 lanes of 4 values took 33 ms
/// instead of 27 ms, more than the 10–20 % the level saved on sums of
/// 10^3–10^4 values.
#[inline]
pub(crate) fn pairwise<A: Copy, T: Copy>(
    xs: &[A],
    id: T,
    map: impl Fn(A) -> T + Copy,
    op: impl Fn(T, T) -> T + Copy,
) -> T {
    cascade(
        xs.len(),
        id,
        |lo, hi| unrolled(&xs[lo..hi], id, map, op),
        op,
    )
}

/// Pairwise `op`-reduction of `f(x, y)` over the pairs of two slices of
/// the same length: pieces of [`PIECE`] pairs folded with [`LANES`]
/// accumulators, combined pairwise (the loop of every dot product and
/// pairwise distance).
#[inline(always)]
pub(crate) fn fold_pairs<A: Copy, T: Copy>(
    xs: &[A],
    ys: &[A],
    id: T,
    f: impl Fn(A, A) -> T + Copy,
    op: impl Fn(T, T) -> T + Copy,
) -> T {
    assert_eq!(xs.len(), ys.len());
    cascade(
        xs.len(),
        id,
        #[inline(always)]
        |lo, hi| {
            let (xs, ys) = (&xs[lo..hi], &ys[lo..hi]);
            let mut acc = [id; LANES];
            let (mut cx, mut cy) = (xs.chunks_exact(LANES), ys.chunks_exact(LANES));
            for (x, y) in (&mut cx).zip(&mut cy) {
                for i in 0..LANES {
                    acc[i] = op(acc[i], f(x[i], y[i]));
                }
            }
            let mut r = combine_lanes(acc, op);
            for (&x, &y) in cx.remainder().iter().zip(cy.remainder()) {
                r = op(r, f(x, y));
            }
            r
        },
        op,
    )
}

/// Pairwise sum of `xs[i] * ys[i]` (same lengths).
pub(crate) fn dot<A: Scalar>(xs: &[A], ys: &[A]) -> A {
    fold_pairs(xs, ys, A::scalar_zero(), A::scalar_mul, A::scalar_add)
}

/// NaN-propagating extreme of `map(x)` over non-empty `xs`: the value that
/// `better` prefers over all others (first one on ties), or the first NaN if
/// there is one.
#[inline]
pub(crate) fn extreme<A: Copy, T: Scalar>(
    xs: &[A],
    map: impl Fn(A) -> T,
    better: impl Fn(T, T) -> bool,
) -> T {
    debug_assert!(!xs.is_empty());
    let first = map(xs[0]);
    let mut best = [first; 8];
    let mut nan = [false; 8];
    let mut chunks = xs.chunks_exact(8);
    for c in &mut chunks {
        for i in 0..8 {
            let x = map(c[i]);
            nan[i] |= x.scalar_is_nan();
            best[i] = if better(x, best[i]) { x } else { best[i] };
        }
    }
    let mut r = first;
    for &b in &best {
        if better(b, r) {
            r = b;
        }
    }
    let mut any_nan = nan.contains(&true) || first.scalar_is_nan();
    for &x in chunks.remainder() {
        let x = map(x);
        any_nan |= x.scalar_is_nan();
        if better(x, r) {
            r = x;
        }
    }
    if any_nan {
        // Rare path: return the first NaN itself so the bits are fixed.
        return xs
            .iter()
            .map(|&x| map(x))
            .find(|x| x.scalar_is_nan())
            .unwrap_or(r);
    }
    r
}

/// Sum and count of the non-NaN values of `xs` (pairwise sum).
#[inline]
pub(crate) fn nan_sum_count<A: Float>(xs: &[A]) -> (A, usize) {
    let s = pairwise(
        xs,
        A::zero(),
        |x: A| if x.is_nan() { A::zero() } else { x },
        A::scalar_add,
    );
    let count = xs.iter().filter(|x| !x.is_nan()).count();
    (s, count)
}

/// `out = f(rows[0])`, then `out[c] = op(out[c], f(row[c]))` for the other
/// rows, in order: the per-column fold of a block of rows (non-empty).
///
/// Four rows go into one vectorisable pass over the columns (the same
/// operations in the same order as four passes): a quarter of the loads and
/// stores of `out`, whose stores can otherwise stall the row loads when
/// the two sit at the same offset modulo 4 KiB.
#[inline]
pub(crate) fn fold_rows<A: Copy, T: Copy>(
    rows: &[&[A]],
    out: &mut Vec<T>,
    f: impl Fn(A) -> T,
    op: impl Fn(T, T) -> T,
) {
    out.clear();
    out.extend(rows[0].iter().map(|&x| f(x)));
    let mut quads = rows[1..].chunks_exact(4);
    for q in &mut quads {
        let columns = out.iter_mut().zip(q[0]).zip(q[1]).zip(q[2]).zip(q[3]);
        for ((((o, &a), &b), &c), &d) in columns {
            *o = op(op(op(op(*o, f(a)), f(b)), f(c)), f(d));
        }
    }
    for row in quads.remainder() {
        for (o, &x) in out.iter_mut().zip(row.iter()) {
            *o = op(*o, f(x));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairwise_matches_naive_on_integers() {
        let xs: Vec<i64> = (0..1000).map(|i| i * 7 - 300).collect();
        for n in [0, 1, 7, 8, 9, 15, 16, 17, 255, 256, 257, 513, 1000] {
            assert_eq!(
                pairwise(&xs[..n], 0, |x| x, i64::wrapping_add),
                xs[..n].iter().sum::<i64>()
            );
            assert_eq!(
                dot(&xs[..n], &xs[..n]),
                xs[..n].iter().map(|x| x * x).sum::<i64>()
            );
        }
    }

    #[test]
    fn extreme_propagates_first_nan_and_picks_first_of_ties() {
        let mut xs = vec![3.0f64; 37];
        xs[20] = 1.0;
        assert_eq!(extreme(&xs, |x| x, |a, b| a < b), 1.0);
        xs[30] = f64::NAN;
        assert!(extreme(&xs, |x| x, |a, b| a < b).is_nan());
        let ints = [5, 2, 9, 2];
        assert_eq!(extreme(&ints, |x| x, |a, b| a > b), 9);
    }

    #[test]
    fn nan_sum_skips_nans() {
        let xs = [f64::NAN, 2.0, -1.0, f64::NAN];
        assert_eq!(nan_sum_count(&xs), (1.0, 2));
    }

    #[test]
    fn rows_fold_per_column_in_order() {
        let (a, b, c) = ([1, 2], [10, 20], [100, 200]);
        let mut out = Vec::new();
        fold_rows(&[&a[..], &b, &c], &mut out, |x| x, |acc, x| acc * 2 + x);
        // ((1·2 + 10)·2 + 100, (2·2 + 20)·2 + 200)
        assert_eq!(out, vec![124, 248]);
    }
}
