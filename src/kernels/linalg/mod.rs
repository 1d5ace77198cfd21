//! Pairwise distances, nearest neighbours, matrix products and covariance
//! in parallel: [`par_pairwise_distances`], [`par_knn`], [`par_matmul`],
//! [`par_cov`], [`par_corrcoef`].
//!
//! All three cut their work into fixed pieces (independent of the thread
//! count) and compute each piece with a sequential kernel: results are
//! identical on any number of threads.
//!
//! | module | holds |
//! |---|---|
//! | `distances` | [`par_pairwise_distances`] (scipy's `cdist`) |
//! | `knn` | [`par_knn`]: blocked matrix products screen the candidates, exact distances rank them |
//! | `matmul` | [`par_matmul`]: output tiles, and a split inner dimension for tall-skinny products |
//! | `cov` | [`par_cov`], [`par_corrcoef`] (numpy's `cov` and `corrcoef`) on top of `par_matmul` |
//!
//! ```
//! use ndpar::linalg::{par_pairwise_distances, Metric};
//! use ndarray::array;
//!
//! let x = array![[0.0, 0.0], [3.0, 4.0]];
//! let d = par_pairwise_distances(&x, &x, Metric::Euclidean);
//! assert_eq!(d, array![[0.0, 5.0], [5.0, 0.0]]);
//! ```

mod cov;
mod distances;
mod knn;
mod matmul;

pub use cov::{Variables, par_corrcoef, par_cov};
pub use distances::par_pairwise_distances;
pub use knn::{Knn, par_knn};
pub use matmul::par_matmul;

use std::borrow::Cow;
use std::time::Duration;

use ndarray::{Array2, ArrayRef, Ix2, LinalgScalar, Zip};

use crate::element::Float;
use crate::engine::seq;

/// A distance between two rows (samples) of equal length.
///
/// ```
/// use ndpar::linalg::{par_pairwise_distances, Metric};
/// use ndarray::array;
///
/// let (x, y) = (array![[1.0, 2.0]], array![[4.0, 6.0]]);
/// assert_eq!(par_pairwise_distances(&x, &y, Metric::Manhattan)[[0, 0]], 7.0);
/// assert_eq!(par_pairwise_distances(&x, &y, Metric::SqEuclidean)[[0, 0]], 25.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Metric {
    /// `sqrt(Σ (a_k - b_k)²)`.
    Euclidean,
    /// `Σ (a_k - b_k)²`.
    SqEuclidean,
    /// `Σ |a_k - b_k|`.
    Manhattan,
    /// `1 - a·b / (|a| |b|)` (scipy's `cdist(metric="cosine")`); NaN when
    /// either row is all zeros.
    Cosine,
}

/// The rows of `x` as one row-major buffer (a view of `x` when it already
/// is one).
fn rows_of<A: Float>(x: &ArrayRef<A, Ix2>) -> Cow<'_, [A]> {
    match x.as_slice() {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(x.iter().copied().collect()),
    }
}

/// `f` summed over the pairs of two rows of equal length (the engine's
/// unrolled, pairwise loop).
#[inline(always)]
fn pair_sum<A: Float>(a: &[A], b: &[A], f: impl Fn(A, A) -> A + Copy) -> A {
    seq::fold_pairs(a, b, A::zero(), f, |x, y| x + y)
}

/// The estimated one-thread time of `work` multiply-adds (about 10 per
/// nanosecond), for [`Schedule::for_work`].
fn estimate(work: usize) -> Duration {
    Duration::from_nanos((work / 10) as u64)
}

/// `left + right`, elementwise, in `left`: the combine of the pairwise
/// trees that add partial products.
fn add_into<A: LinalgScalar>(mut left: Array2<A>, right: Array2<A>) -> Array2<A> {
    Zip::from(&mut left)
        .and(&right)
        .for_each(|l, &r| *l = *l + r);
    left
}

/// Checks two sample matrices for a pairwise kernel.
#[track_caller]
fn check_samples(method: &str, x: &[usize], y: &[usize]) {
    assert!(
        x[1] == y[1],
        "{method}: x has shape {x:?} and y has shape {y:?}; rows must have the same length"
    );
}
