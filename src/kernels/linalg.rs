//! Pairwise distances, nearest neighbours and matrix products in parallel:
//! [`par_pairwise_distances`], [`par_knn`], [`par_matmul`].
//!
//! All three cut the output into fixed rectangular tiles (independent of the
//! thread count) and compute each tile with a sequential kernel: results are
//! identical on any number of threads.
//!
//! ```
//! use ndpar::linalg::{par_pairwise_distances, Metric};
//! use ndarray::array;
//!
//! let x = array![[0.0, 0.0], [3.0, 4.0]];
//! let d = par_pairwise_distances(&x, &x, Metric::Euclidean);
//! assert_eq!(d, array![[0.0, 5.0], [5.0, 0.0]]);
//! ```

use std::borrow::Cow;
use std::time::Duration;

use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, ArrayRef, ArrayView2, Axis, Ix2, LinalgScalar, Slice};

use crate::element::Float;
use crate::error::{Error, Result};
use crate::params::Params;
use crate::plan::tiles::{Tiles, cache_rows, matmul_tile, work_rows};
use crate::plan::{Schedule, cut_into, piece, piece_count, piece_lens};

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

/// `f` folded over pairs of equal-length slices with 8 accumulators (so it
/// vectorises), combined pairwise.
#[inline(always)]
fn fold8<A: Float>(a: &[A], b: &[A], f: impl Fn(A, A) -> A) -> A {
    let mut acc = [A::zero(); 8];
    let (mut ca, mut cb) = (a.chunks_exact(8), b.chunks_exact(8));
    for (x, y) in (&mut ca).zip(&mut cb) {
        for i in 0..8 {
            acc[i] = acc[i] + f(x[i], y[i]);
        }
    }
    let mut r = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (&x, &y) in ca.remainder().iter().zip(cb.remainder()) {
        r = r + f(x, y);
    }
    r
}

/// One distance; `norms` are the two rows' Euclidean norms (cosine only).
#[inline]
fn distance<A: Float>(metric: Metric, a: &[A], b: &[A], norms: (A, A)) -> A {
    match metric {
        Metric::SqEuclidean => fold8(a, b, |x, y| (x - y) * (x - y)),
        Metric::Euclidean => fold8(a, b, |x, y| (x - y) * (x - y)).sqrt(),
        Metric::Manhattan => fold8(a, b, |x, y| (x - y).abs()),
        Metric::Cosine => A::one() - fold8(a, b, |x, y| x * y) / (norms.0 * norms.1),
    }
}

/// The estimated one-thread time of `work` multiply-adds (about 10 per
/// nanosecond), for [`Schedule::for_work`].
fn estimate(work: usize) -> Duration {
    Duration::from_nanos((work / 10) as u64)
}

/// Checks two sample matrices for a pairwise kernel.
#[track_caller]
fn check_samples(method: &str, x: &[usize], y: &[usize]) {
    assert!(
        x[1] == y[1],
        "{method}: x has shape {x:?} and y has shape {y:?}; rows must have the same length"
    );
}

/// All pairwise distances between the rows of `x` (n × d) and the rows of
/// `y` (m × d): an n × m matrix (scipy's `cdist`). Each distance is computed
/// directly (no `|x|² + |y|² - 2x·y` shortcut, which cancels badly for
/// nearby points) with a vectorised 8-accumulator loop. The output is cut
/// into blocks of `x` rows × tiles of `y` rows that stay in cache.
///
/// # Panics
///
/// If the rows of `x` and `y` differ in length (the message names both
/// shapes).
///
/// ```
/// use ndpar::linalg::{par_pairwise_distances, Metric};
/// use ndarray::array;
///
/// let x = array![[1.0, 0.0], [0.0, 2.0]];
/// let y = array![[0.0, 3.0]];
/// let cos = par_pairwise_distances(&x, &y, Metric::Cosine);
/// assert_eq!(cos, array![[1.0], [0.0]]);
/// ```
#[track_caller]
pub fn par_pairwise_distances<A: Float>(
    x: &ArrayRef<A, Ix2>,
    y: &ArrayRef<A, Ix2>,
    metric: Metric,
) -> Array2<A> {
    check_samples("par_pairwise_distances", x.shape(), y.shape());
    let ((n, d), m) = (x.dim(), y.nrows());
    let mut out = Array2::from_elem((n, m), A::zero());
    if n == 0 || m == 0 {
        return out;
    }
    let (xs, ys) = (rows_of(x), rows_of(y));
    let norms = |rows: &[A], count: usize| -> Vec<A> {
        if metric == Metric::Cosine {
            (0..count)
                .map(|i| {
                    fold8(
                        &rows[i * d..(i + 1) * d],
                        &rows[i * d..(i + 1) * d],
                        |a, b| a * b,
                    )
                    .sqrt()
                })
                .collect()
        } else {
            Vec::new()
        }
    };
    let (nx, ny) = (norms(&xs, n), norms(&ys, m));
    let params = Params::current();
    let tiles = Tiles::new(
        n,
        m,
        work_rows(n, m * d, &params),
        cache_rows(d * size_of::<A>(), &params),
    );
    let work = n * m * d;
    let schedule = Schedule::for_work(work, tiles.count(), estimate(work));
    schedule.for_each(tiles.carve(out.view_mut()), |(i0, j0, mut tile)| {
        for (r, mut orow) in tile.rows_mut().into_iter().enumerate() {
            let i = i0 + r;
            let xi = &xs[i * d..(i + 1) * d];
            for (c, o) in orow.iter_mut().enumerate() {
                let j = j0 + c;
                let pair_norms = if metric == Metric::Cosine {
                    (nx[i], ny[j])
                } else {
                    (A::one(), A::one())
                };
                *o = distance(metric, xi, &ys[j * d..(j + 1) * d], pair_norms);
            }
        }
    });
    out
}

/// The `k` nearest rows of `y` to each row of `x`, by Euclidean distance.
///
/// ```
/// use ndpar::linalg::par_knn;
/// use ndarray::array;
///
/// let y = array![[0.0f64], [10.0], [1.0], [-1.0]];
/// let nn = par_knn(&array![[0.2]], &y, 3).unwrap();
/// assert_eq!(nn.indices, array![[0, 2, 3]]); // distances 0.2, 0.8, 1.2
/// assert!((nn.distances[[0, 1]] - 0.8).abs() < 1e-12);
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Knn<A> {
    /// `indices[[i, r]]`: the row of `y` that is the `r`-th nearest to row
    /// `i` of `x` (ties go to the lower index).
    pub indices: Array2<usize>,
    /// The matching Euclidean distances, ascending along each row.
    pub distances: Array2<A>,
}

/// For each row of `x` (n × d), the `k` nearest rows of `y` (m × d) by
/// Euclidean distance: their indices and distances, nearest first. Ties
/// (equal distances) go to the lower index, so the answer is fully
/// determined. Each row keeps a sorted list of its best `k` candidates while
/// it walks the tiles of `y`; NaN distances (from NaN coordinates) count as
/// farther than any number.
///
/// # Errors
///
/// [`Error::InvalidK`] if `k` is larger than the number of rows of `y`.
///
/// # Panics
///
/// If the rows of `x` and `y` differ in length.
///
/// ```
/// use ndpar::linalg::par_knn;
/// use ndarray::array;
///
/// let y = array![[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]];
/// let nn = par_knn(&array![[0.9, 0.1]], &y, 2).unwrap();
/// assert_eq!(nn.indices, array![[1, 0]]);
/// assert!(par_knn(&array![[0.0, 0.0]], &y, 4).is_err());
/// ```
#[track_caller]
pub fn par_knn<A: Float>(x: &ArrayRef<A, Ix2>, y: &ArrayRef<A, Ix2>, k: usize) -> Result<Knn<A>> {
    check_samples("par_knn", x.shape(), y.shape());
    let ((n, d), m) = (x.dim(), y.nrows());
    if k > m {
        return Err(Error::InvalidK { k, available: m });
    }
    let mut indices = Array2::<usize>::zeros((n, k));
    let mut distances = Array2::from_elem((n, k), A::zero());
    if n == 0 || k == 0 {
        return Ok(Knn { indices, distances });
    }
    let (xs, ys) = (rows_of(x), rows_of(y));
    let params = Params::current();
    let blocks = piece_count(n, work_rows(n, m * d, &params));
    let starts = (0..blocks).map(|b| piece(n, blocks, b).start);
    let idx_parts = cut_into(indices.view_mut(), Axis(0), piece_lens(n, blocks));
    let dist_parts = cut_into(distances.view_mut(), Axis(0), piece_lens(n, blocks));
    let items: Vec<_> = starts.zip(idx_parts).zip(dist_parts).collect();
    let tb = cache_rows(d * size_of::<A>(), &params).min(m);
    let work = n * m * d;
    Schedule::for_work(work, blocks, estimate(work)).for_each(
        items,
        |((i0, mut idx), mut dist)| {
            let rows = idx.nrows();
            // Best candidates per row, sorted by (distance, index).
            let mut best: Vec<Vec<(A, usize)>> = vec![Vec::with_capacity(k + 1); rows];
            let mut j0 = 0;
            while j0 < m {
                let j1 = (j0 + tb).min(m);
                for (r, cands) in best.iter_mut().enumerate() {
                    let xi = &xs[(i0 + r) * d..(i0 + r + 1) * d];
                    for j in j0..j1 {
                        let dd = fold8(xi, &ys[j * d..(j + 1) * d], |a, b| (a - b) * (a - b));
                        offer(cands, k, (dd, j));
                    }
                }
                j0 = j1;
            }
            for (r, cands) in best.into_iter().enumerate() {
                for (c, (dd, j)) in cands.into_iter().enumerate() {
                    idx[[r, c]] = j;
                    dist[[r, c]] = dd.sqrt();
                }
            }
        },
    );
    Ok(Knn { indices, distances })
}

/// Orders candidates by distance (NaN last), then index.
fn closer<A: Float>(a: (A, usize), b: (A, usize)) -> bool {
    match (a.0.is_nan(), b.0.is_nan()) {
        (false, true) => true,
        (true, false) => false,
        (true, true) => a.1 < b.1,
        (false, false) => a.0 < b.0 || (a.0 == b.0 && a.1 < b.1),
    }
}

/// Keeps `cands` as the best `k` (sorted) after offering `c`.
#[inline]
fn offer<A: Float>(cands: &mut Vec<(A, usize)>, k: usize, c: (A, usize)) {
    if cands.len() == k && !closer(c, *cands.last().expect("k > 0")) {
        return;
    }
    let pos = cands.partition_point(|&e| closer(e, c));
    cands.insert(pos, c);
    cands.truncate(k);
}

/// The matrix product `a · b` of 2-D matrices, in parallel: the output is
/// cut into fixed tiles (256 rows × 1024 columns with the default
/// [`Params`]) and each tile is one call of ndarray's single-threaded
/// `general_mat_mul` (matrixmultiply for f32 and f64). The inner dimension is never split, so every element is
/// summed in the same order as in `a.dot(&b)`; the result equals `a.dot(&b)`
/// up to that kernel's rounding (in practice bit for bit) and is the same on
/// any thread count.
///
/// # Panics
///
/// If `a.ncols() != b.nrows()` (the message names both shapes).
///
/// ```
/// use ndpar::linalg::par_matmul;
/// use ndarray::array;
///
/// let a = array![[1.0, 2.0], [3.0, 4.0]];
/// let b = array![[5.0, 6.0], [7.0, 8.0]];
/// assert_eq!(par_matmul(&a, &b), a.dot(&b));
/// ```
#[track_caller]
pub fn par_matmul<A>(a: &ArrayRef<A, Ix2>, b: &ArrayRef<A, Ix2>) -> Array2<A>
where
    A: LinalgScalar + Send + Sync,
{
    assert!(
        a.ncols() == b.nrows(),
        "par_matmul: shapes {:?} and {:?} do not multiply (inner lengths {} and {})",
        a.shape(),
        b.shape(),
        a.ncols(),
        b.nrows()
    );
    let (n, k, m) = (a.nrows(), a.ncols(), b.ncols());
    let mut c = Array2::from_elem((n, m), A::zero());
    if n == 0 || m == 0 {
        return c;
    }
    let (av, bv): (ArrayView2<'_, A>, ArrayView2<'_, A>) = (a.view(), b.view());
    let (rows, cols) = matmul_tile(&Params::current());
    let tiles = Tiles::new(n, m, rows, cols);
    let work = n * m * k.max(1);
    Schedule::for_work(work, tiles.count(), estimate(work)).for_each(
        tiles.carve(c.view_mut()),
        |(i0, j0, mut tile)| {
            let (rows, cols) = tile.dim();
            let ablock = av.slice_axis(Axis(0), Slice::from(i0..i0 + rows));
            let bblock = bv.slice_axis(Axis(1), Slice::from(j0..j0 + cols));
            general_mat_mul(A::one(), &ablock, &bblock, A::zero(), &mut tile);
        },
    );
    c
}
