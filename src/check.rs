//! The checks behind the error policy's panics (see the crate docs):
//! programmer errors panic at the caller's line, with one wording across
//! the crate that names the method and the offending values.

use ndarray::{ArrayRef, ArrayView, Axis, Dimension};

use crate::element::Float;

/// Panics unless `axis` is an axis of an array of `ndim` dimensions.
#[track_caller]
pub(crate) fn axis(method: &str, axis: Axis, ndim: usize) {
    assert!(
        axis.index() < ndim,
        "{method}: axis {} is out of bounds for an array of {ndim} dimension{}",
        axis.index(),
        if ndim == 1 { "" } else { "s" }
    );
}

/// The bytes of an array of `A` with these axis lengths, or `None` when it
/// cannot be addressed: more than `isize::MAX` bytes, or an overflow on
/// the way. A zero-length axis counts as 1 (ndarray's rule: the other axes
/// must still be addressable).
pub(crate) fn addressable_bytes<A>(lens: impl IntoIterator<Item = usize>) -> Option<usize> {
    lens.into_iter()
        .try_fold(size_of::<A>().max(1), |n, len| n.checked_mul(len.max(1)))
        .filter(|&bytes| bytes <= isize::MAX as usize)
}

/// Panics unless a block length is at least 1.
#[track_caller]
pub(crate) fn block_len(method: &str, block_len: usize) {
    assert!(
        block_len > 0,
        "{method}: block_len must be at least 1, got 0"
    );
}

/// Panics unless `ddof` is a non-negative number.
#[track_caller]
pub(crate) fn ddof<A: Float>(method: &str, ddof: A) {
    assert!(
        ddof >= A::zero(),
        "{method}: ddof must be a non-negative number, got {ddof:?}"
    );
}

/// Panics unless two arrays have the same shape.
#[track_caller]
pub(crate) fn same_shape(method: &str, (a, sa): (&str, &[usize]), (b, sb): (&str, &[usize])) {
    assert!(
        sa == sb,
        "{method}: shape mismatch: {a} has shape {sa:?}, {b} has shape {sb:?}"
    );
}

/// The shape numpy broadcasts the named `shapes` to; panics naming all of
/// them if they do not broadcast together.
#[track_caller]
pub(crate) fn broadcast_shape(method: &str, shapes: &[(&str, &[usize])]) -> Vec<usize> {
    let ndim = shapes.iter().map(|(_, s)| s.len()).max().unwrap_or(0);
    let mut out = vec![1; ndim];
    for (_, shape) in shapes {
        let k = ndim - shape.len();
        for (o, &n) in out[k..].iter_mut().zip(shape.iter()) {
            if *o == 1 {
                *o = n;
            } else if n != 1 && n != *o {
                let listed: Vec<String> = shapes
                    .iter()
                    .map(|(name, s)| format!("{name} has shape {s:?}"))
                    .collect();
                panic!(
                    "{method}: shapes cannot be broadcast together: {}",
                    listed.join(", ")
                );
            }
        }
    }
    out
}

/// `a` broadcast to `dim` (numpy's rules, as ndarray's `broadcast`);
/// panics naming both shapes if it cannot be.
#[track_caller]
pub(crate) fn broadcast_to<'a, A, E: Dimension, D: Dimension>(
    method: &str,
    name: &str,
    a: &'a ArrayRef<A, E>,
    dim: &D,
) -> ArrayView<'a, A, D> {
    match a.broadcast(dim.clone()) {
        Some(v) => v,
        None => panic!(
            "{method}: cannot broadcast {name} of shape {:?} to the shape {:?}",
            a.shape(),
            dim.slice()
        ),
    }
}

/// A dimension of type `D` holding `shape` (whose length fits `D`).
pub(crate) fn dim_of<D: Dimension>(shape: &[usize]) -> D {
    let mut dim = D::zeros(shape.len());
    dim.slice_mut().copy_from_slice(shape);
    dim
}
