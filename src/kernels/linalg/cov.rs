//! Covariance and correlation matrices (numpy's `cov` and `corrcoef`):
//! centre each variable, then one Gram matrix through [`par_matmul`], whose
//! inner dimension (the observations) is split at fixed points when the
//! variables are few.

use ndarray::{Array2, ArrayRef, Axis, Ix2};

use super::par_matmul;
use crate::element::Float;
use crate::kernels::axis::ParAxis;
use crate::kernels::map::ParMapMut;

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
/// Memory: a centred copy of `m`, plus the `p × p` result.
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
    let means = x.par_mean_axis(Axis(1)).expect("n > ddof ≥ 0 observations");
    let mut centred = x.to_owned();
    centred.par_zip_mut_with(&means.insert_axis(Axis(1)), |v, &mean| *v = *v - mean);
    let mut c = par_matmul(&centred, &centred.t());
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
