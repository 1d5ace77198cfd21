//! Two stencils built on [`par_map_overlap`](super::ParBlocks::par_map_overlap):
//! a small-kernel 2-D correlation (5-point Laplacian, Jacobi sweeps,
//! blurs…) and a 1-D convolution. Each output element is computed from its
//! own neighbourhood in a fixed order, so results are exact across thread
//! counts and blockings.

use ndarray::{Array1, Array2, ArrayBase, ArrayView, ArrayView2, Axis, Data, Ix1, Ix2};

use super::{Boundary, ParBlocks};
use crate::element::Scalar;
use crate::params::Params;
use crate::plan::contiguous;

/// Rows per block so that a block (with its padded copy) stays in L2.
fn rows_per_block(cols: usize, elem_size: usize) -> usize {
    let bytes = 4 * Params::current().block_bytes;
    (bytes / (cols.max(1) * elem_size.max(1))).max(1)
}

/// The 2-D correlation of `input` with a small odd-sized `weights` kernel:
/// `out[i, j] = Σ weights[di, dj] · input[i + di - h, j + dj - w]` with
/// `h, w` the kernel's half sizes, and `boundary` filling the input beyond
/// its edges in both directions (scipy.ndimage's `correlate` with the same
/// mode). The output has the input's shape. Zero weights are skipped, so a
/// 5-point stencil costs 5 multiply-adds per element.
///
/// Rows are cut into blocks that run in parallel; each block copies its rows
/// (with halo) into a column-padded buffer and accumulates one weighted
/// shifted row at a time, which vectorises.
///
/// # Panics
///
/// If `weights` has an even length on either axis, or (for `Reflect` and
/// `Periodic`) a half size longer than the input on that axis.
///
/// ```
/// use ndpar::blocks::{par_correlate_2d, Boundary};
/// use ndarray::array;
///
/// // One Jacobi sweep for Laplace's equation: the mean of the 4 neighbours.
/// let u = array![[0.0, 0.0, 0.0], [0.0, 4.0, 0.0], [0.0, 0.0, 0.0]];
/// let w = array![[0.0, 0.25, 0.0], [0.25, 0.0, 0.25], [0.0, 0.25, 0.0]];
/// let next = par_correlate_2d(&u, &w, Boundary::Constant(0.0));
/// assert_eq!(next, array![[0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]);
/// ```
#[track_caller]
pub fn par_correlate_2d<A, S1, S2>(
    input: &ArrayBase<S1, Ix2>,
    weights: &ArrayBase<S2, Ix2>,
    boundary: Boundary<A>,
) -> Array2<A>
where
    A: Scalar,
    S1: Data<Elem = A>,
    S2: Data<Elem = A>,
{
    let (kh, kw) = weights.dim();
    assert!(
        kh % 2 == 1 && kw % 2 == 1,
        "par_correlate_2d: weights must have odd lengths (a centre), got shape {:?}",
        weights.shape()
    );
    let (rows, cols) = input.dim();
    if rows == 0 || cols == 0 {
        return Array2::from_elem((rows, cols), A::scalar_zero());
    }
    let (hh, hw) = (kh / 2, kw / 2);
    if matches!(boundary, Boundary::Reflect | Boundary::Periodic) {
        assert!(
            hh <= rows && hw <= cols,
            "par_correlate_2d: a {kh}x{kw} kernel needs an input of at least {hh}x{hw} for {}",
            DebugMode(&boundary)
        );
    }
    // Non-zero weights in row-major order: the fixed order of every sum.
    let taps: Vec<(usize, usize, A)> = weights
        .indexed_iter()
        .filter(|&(_, &w)| w != A::scalar_zero())
        .map(|((di, dj), &w)| (di, dj, w))
        .collect();
    let block_rows = rows_per_block(cols + 2 * hw, size_of::<A>());
    input.par_map_overlap(
        Axis(0),
        block_rows,
        hh,
        boundary,
        |ext: ArrayView2<'_, A>| {
            let out_rows = ext.nrows() - 2 * hh;
            let padded = pad_columns(&ext, hw, &boundary);
            let width = cols + 2 * hw;
            let mut out = Array2::from_elem((out_rows, cols), A::scalar_zero());
            for (i, mut out_row) in out.rows_mut().into_iter().enumerate() {
                let o = out_row.as_slice_mut().expect("fresh C-order array");
                for &(di, dj, w) in &taps {
                    let src = &padded[(i + di) * width + dj..][..cols];
                    for (y, &x) in o.iter_mut().zip(src) {
                        *y = y.scalar_add(w.scalar_mul(x));
                    }
                }
            }
            out
        },
    )
}

/// Prints a boundary mode without needing `A: Debug` for the value.
struct DebugMode<'a, A>(&'a Boundary<A>);

impl<A> std::fmt::Display for DebugMode<'_, A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.0 {
            Boundary::Reflect => "Reflect",
            Boundary::Constant(_) => "Constant",
            Boundary::Nearest => "Nearest",
            Boundary::Periodic => "Periodic",
        })
    }
}

/// `ext` copied into a row-major buffer with `hw` columns of boundary on
/// each side.
fn pad_columns<A: Scalar>(ext: &ArrayView2<'_, A>, hw: usize, boundary: &Boundary<A>) -> Vec<A> {
    let (rows, cols) = ext.dim();
    let width = cols + 2 * hw;
    let mut buf = Vec::with_capacity(rows * width);
    let mut row_buf = Vec::new();
    for row in ext.rows() {
        let xs = contiguous(&row, &mut row_buf);
        let edge = |j: isize| match boundary.source(j, cols) {
            Some(src) => xs[src],
            None => match boundary {
                Boundary::Constant(c) => *c,
                _ => unreachable!("only Constant has no source"),
            },
        };
        buf.extend((-(hw as isize)..0).map(edge));
        buf.extend_from_slice(xs);
        buf.extend((cols as isize..(cols + hw) as isize).map(edge));
    }
    buf
}

/// The 1-D convolution of `signal` with an odd-length `kernel`, same length
/// as the signal (numpy's `convolve(…, mode="same")` when the boundary is
/// `Constant(0)`): `out[i] = Σ_j kernel[j] · signal[i + h - j]`, `h` the
/// kernel's half length, `boundary` filling beyond the ends.
///
/// # Panics
///
/// If `kernel` has an even length, or (for `Reflect` and `Periodic`) a half
/// length longer than the signal.
///
/// ```
/// use ndpar::blocks::{par_convolve_1d, Boundary};
/// use ndarray::array;
///
/// let x = array![1.0, 2.0, 3.0, 4.0];
/// let k = array![1.0, 0.0, -1.0]; // central difference (convolution flips it)
/// let d = par_convolve_1d(&x, &k, Boundary::Nearest);
/// assert_eq!(d, array![1.0, 2.0, 2.0, 1.0]);
/// ```
#[track_caller]
pub fn par_convolve_1d<A, S1, S2>(
    signal: &ArrayBase<S1, Ix1>,
    kernel: &ArrayBase<S2, Ix1>,
    boundary: Boundary<A>,
) -> Array1<A>
where
    A: Scalar,
    S1: Data<Elem = A>,
    S2: Data<Elem = A>,
{
    let k = kernel.len();
    assert!(
        k % 2 == 1,
        "par_convolve_1d: the kernel must have an odd length (a centre), got {k}"
    );
    let n = signal.len();
    if n == 0 {
        return Array1::from_elem(0, A::scalar_zero());
    }
    let h = k / 2;
    if matches!(boundary, Boundary::Reflect | Boundary::Periodic) {
        assert!(
            h <= n,
            "par_convolve_1d: a kernel of length {k} needs a signal of at least {h} for {}",
            DebugMode(&boundary)
        );
    }
    let taps: Vec<A> = kernel.iter().copied().collect();
    let block = Params::current().block_len(size_of::<A>());
    signal.par_map_overlap(Axis(0), block, h, boundary, |ext: ArrayView<'_, A, Ix1>| {
        let len = ext.len() - 2 * h;
        let mut buf = Vec::new();
        let xs = contiguous(&ext, &mut buf);
        let mut out = vec![A::scalar_zero(); len];
        for (j, &w) in taps.iter().enumerate() {
            if w == A::scalar_zero() {
                continue;
            }
            let src = &xs[k - 1 - j..][..len];
            for (y, &x) in out.iter_mut().zip(src) {
                *y = y.scalar_add(w.scalar_mul(x));
            }
        }
        Array1::from(out)
    })
}
