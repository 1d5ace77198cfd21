//! Covariance and correlation matrices (numpy's `cov` and `corrcoef`):
//! the means of the variables in one pass; then, per fixed block of
//! observations, the block is centred in a small buffer and its Gram
//! matrix computed by one sequential matrix product; the blocks' matrices
//! are added with a fixed pairwise tree. No centred copy of the data is
//! made, and the bits do not depend on the thread count.

use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, ArrayRef, ArrayView1, ArrayView2, Axis, Ix1, Ix2, Slice, Zip};

use super::{add_into, estimate};
use crate::element::Float;
use crate::engine::axis::reduce_axis;
use crate::engine::ops::mean;
use crate::params::Params;
use crate::plan::{Schedule, piece, piece_count};

/// Which axis of the matrix holds the variables (numpy's `rowvar`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variables {
    /// Each row is a variable, each column an observation (numpy's
    /// default, `rowvar=True`).
    Rows,
    /// Each column is a variable, each row an observation (a table of
    /// samples; `rowvar=False`).
    Columns,
}

/// The covariance matrix of the variables of `m` (numpy's
/// `cov(m, rowvar, ddof=ddof)`): `p × p` for `p` variables of `n`
/// observations, `Σ (x_i − x̄_i)(x_j − x̄_j) / (n − ddof)`. Each variable
/// is centred on its mean first (so large offsets do not cancel), and the
/// result is exactly symmetric. `ddof = 1` is numpy's default (the
/// unbiased estimate), `ddof = 0` its `bias=True`.
///
/// `None` when `n ≤ ddof` (numpy warns and returns infinities or NaN).
/// NaN in a variable makes its row and column NaN. The same bits on any
/// thread count.
///
/// Memory: one `p × p` matrix and one block-sized buffer per worker.
///
/// # Panics
///
/// If `ddof` is negative or NaN.
///
/// ```
/// use ndpar::linalg::{par_cov, Variables};
/// use ndarray::array;
///
/// // Two variables (rows), three observations.
/// let m = array![[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]];
/// let c = par_cov(&m, Variables::Rows, 1.0).unwrap();
/// assert_eq!(c, array![[1.0, -1.0], [-1.0, 1.0]]);
/// // The same table with observations in rows.
/// assert_eq!(par_cov(&m.t(), Variables::Columns, 1.0).unwrap(), c);
/// assert!(par_cov(&m, Variables::Rows, 3.0).is_none());
/// ```
#[track_caller]
pub fn par_cov<A: Float>(m: &ArrayRef<A, Ix2>, vars: Variables, ddof: A) -> Option<Array2<A>> {
    crate::check::ddof("par_cov", ddof);
    // Variables × observations.
    let x = match vars {
        Variables::Rows => m.view(),
        Variables::Columns => m.t(),
    };
    let (p, n) = x.dim();
    let fact = A::from_count(n) - ddof;
    if fact <= A::zero() {
        return None;
    }
    if p == 0 {
        return Some(Array2::zeros((0, 0)));
    }
    let means = reduce_axis(x.into_dyn(), Axis(1), &mean(n))
        .into_dimensionality::<Ix1>()
        .expect("one mean per variable");
    let mut c = centred_gram(x, means.view());
    // numpy multiplies by the reciprocal.
    let scale = A::one() / fact;
    for i in 0..p {
        for j in i..p {
            let v = c[[i, j]] * scale;
            c[[i, j]] = v;
            c[[j, i]] = v;
        }
    }
    Some(c)
}

/// The correlation matrix of the variables of `m` (numpy's
/// `corrcoef(m, rowvar)`): the covariance matrix with each entry divided
/// by the two standard deviations, `c_ij / s_i / s_j`, clipped to
/// `[-1, 1]`. It does not depend on `ddof`. A constant variable (zero
/// variance) gives NaN in its row and column, as in numpy.
///
/// `None` when there are fewer than two observations.
///
/// ```
/// use ndpar::linalg::{par_corrcoef, Variables};
/// use ndarray::array;
///
/// let table = array![[1.0, 10.0, 3.0], [2.0, 20.0, 1.0], [3.0, 30.0, 2.0]];
/// let r = par_corrcoef(&table, Variables::Columns).unwrap();
/// assert_eq!(r[[0, 1]], 1.0);
/// assert_eq!(r[[0, 2]], -0.5);
/// assert!(par_corrcoef(&table.slice(ndarray::s![..1, ..]), Variables::Columns).is_none());
/// ```
pub fn par_corrcoef<A: Float>(m: &ArrayRef<A, Ix2>, vars: Variables) -> Option<Array2<A>> {
    let mut c = par_cov(m, vars, A::one())?;
    let sd: Vec<A> = c.diag().iter().map(|v| v.sqrt()).collect();
    for ((i, j), v) in c.indexed_iter_mut() {
        // numpy divides by the row's deviation, then the column's, then
        // clips (NaN stays NaN).
        let r = *v / sd[i] / sd[j];
        *v = if r > A::one() {
            A::one()
        } else if r < -A::one() {
            -A::one()
        } else {
            r
        };
    }
    Some(c)
}

/// `Σ_k (x_ik − mean_i)(x_jk − mean_j)` for the variables (rows) of `x`.
fn centred_gram<A: Float>(x: ArrayView2<'_, A>, means: ArrayView1<'_, A>) -> Array2<A> {
    let (p, n) = x.dim();
    let params = Params::current();
    // Observations per piece: a block's worth of values (64 KiB with the
    // default params), at least one observation.
    let per_piece = (params.block_len(size_of::<A>()) / p.max(1)).max(1);
    let pieces = piece_count(n, per_piece).max(1);
    let work = n.saturating_mul(p).saturating_mul(p);
    Schedule::for_work(n * p, pieces, estimate(work)).tree_reduce(
        pieces,
        |k| {
            let obs = piece(n, pieces, k);
            // The block as observations × variables, centred.
            let block = x.slice_axis(Axis(1), Slice::from(obs)).reversed_axes();
            let mut centred = Array2::from_elem(block.raw_dim(), A::zero());
            Zip::from(&mut centred)
                .and(&block)
                .and_broadcast(&means)
                .for_each(|o, &v, &m| *o = v - m);
            let mut g = Array2::from_elem((p, p), A::zero());
            general_mat_mul(A::one(), &centred.t(), &centred, A::zero(), &mut g);
            g
        },
        add_into,
    )
}
