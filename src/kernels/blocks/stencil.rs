//! Two stencils built on [`par_map_overlap`](super::ParBlocks::par_map_overlap):
//! a small-kernel 2-D correlation (5-point Laplacian, Jacobi sweeps,
//! blurs…) and a 1-D convolution. Each output element is computed from its
//! own neighbourhood in a fixed order, so results are exact across thread
//! counts and blockings.

use ndarray::{Array1, Array2, ArrayRef, ArrayView, ArrayViewMut2, Axis, Ix1, Ix2};

use super::{BlockPlan, Boundary, ParBlocks, ParBlocksMut, extended};
use crate::element::Scalar;
use crate::params::Params;
use crate::plan::tiles::cache_rows;
use crate::plan::{contiguous, reduce_block_len};
use crate::simd;

/// The 2-D correlation of `input` with a small odd-sized `weights` kernel:
/// `out[i, j] = Σ weights[di, dj] · input[i + di - h, j + dj - w]` with
/// `h, w` the kernel's half sizes, and `boundary` filling the input beyond
/// its edges in both directions (scipy.ndimage's `correlate` with the same
/// mode). The output has the input's shape. Zero weights are skipped, so a
/// 5-point stencil costs 5 multiply-adds per element.
///
/// Rows are cut into blocks that run in parallel. Each output row reads its
/// input rows in place (a halo of rows beyond the edges is built by the
/// boundary rule) and accumulates one weighted, shifted segment at a time,
/// which vectorises; only the few edge columns go element by element.
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
pub fn par_correlate_2d<A: Scalar>(
    input: &ArrayRef<A, Ix2>,
    weights: &ArrayRef<A, Ix2>,
    boundary: Boundary<A>,
) -> Array2<A> {
    // Zeroed memory comes from the allocator's zero pages (no pass over
    // it); the kernel overwrites every element.
    let mut out = Array2::from_elem(input.dim(), A::scalar_zero());
    correlate_2d_into(input, weights, boundary, &mut out.view_mut());
    out
}

/// [`par_correlate_2d`] writing into a preallocated `out` of the input's
/// shape (overwriting it), for iterations that swap two buffers.
///
/// # Panics
///
/// As [`par_correlate_2d`], and if `out`'s shape differs from `input`'s.
///
/// ```
/// use ndpar::blocks::{par_correlate_2d_into, Boundary};
/// use ndarray::{array, Array2};
///
/// let mut u = Array2::<f64>::zeros((64, 64));
/// u[[32, 32]] = 1.0;
/// let w = array![[0.0, 0.25, 0.0], [0.25, 0.0, 0.25], [0.0, 0.25, 0.0]];
/// let mut next = Array2::zeros((64, 64));
/// for _ in 0..10 {
///     par_correlate_2d_into(&u, &w, Boundary::Constant(0.0), &mut next);
///     std::mem::swap(&mut u, &mut next);
/// }
/// assert!((u.sum() - 1.0).abs() < 1e-12); // heat spreads, none lost yet
/// ```
#[track_caller]
pub fn par_correlate_2d_into<A: Scalar>(
    input: &ArrayRef<A, Ix2>,
    weights: &ArrayRef<A, Ix2>,
    boundary: Boundary<A>,
    out: &mut ArrayRef<A, Ix2>,
) {
    crate::check::same_shape(
        "par_correlate_2d_into",
        ("out", out.shape()),
        ("input", input.shape()),
    );
    correlate_2d_into(input, weights, boundary, &mut out.view_mut());
}

/// The shared core: `out` is overwritten with the correlation.
#[track_caller]
fn correlate_2d_into<A: Scalar>(
    input: &ArrayRef<A, Ix2>,
    weights: &ArrayRef<A, Ix2>,
    boundary: Boundary<A>,
    out: &mut ArrayViewMut2<'_, A>,
) {
    let (kh, kw) = check_weights(weights);
    let (rows, cols) = input.dim();
    if rows == 0 || cols == 0 {
        return;
    }
    let (hh, hw) = (kh / 2, kw / 2);
    boundary.check_halo("par_correlate_2d (rows)", hh, rows);
    boundary.check_halo("par_correlate_2d (columns)", hw, cols);
    let taps = taps_of(weights);
    // Rows per block so that a block (with its padded copy) stays in cache.
    let block_rows = cache_rows(cols * size_of::<A>(), &Params::current());
    let v = input.view().into_dyn();
    let plan = BlockPlan::along(rows, block_rows);
    out.par_for_each_block_mut(Axis(0), block_rows, |b, mut out_block| {
        let ext = extended(&v, Axis(0), plan.block(b), hh, &boundary);
        let ext = match &ext {
            Ok(view) => view.view(),
            Err(owned) => owned.view(),
        };
        let ext = ext.into_dimensionality::<Ix2>().expect("two axes");
        // The block's input rows (with halo) as slices: the input's own
        // memory when its rows are contiguous, else gathered copies.
        let gathered: Vec<Vec<A>> = if ext.row(0).as_slice().is_some() {
            Vec::new()
        } else {
            ext.rows().into_iter().map(|r| r.to_vec()).collect()
        };
        let src_rows: Vec<&[A]> = if gathered.is_empty() {
            ext.rows()
                .into_iter()
                .map(|r| r.to_slice().expect("contiguous row"))
                .collect()
        } else {
            gathered.iter().map(Vec::as_slice).collect()
        };
        // At the CPU's vector level: each output element's sum keeps its
        // tap order, so the level changes no bits.
        simd::dispatch(
            #[inline(always)]
            || rows_into(&mut out_block, &src_rows, &taps, kh, hw, &boundary),
        );
    });
}

/// Panics unless both lengths of `weights` are odd; the lengths.
#[track_caller]
fn check_weights<A>(weights: &ArrayRef<A, Ix2>) -> (usize, usize) {
    let (kh, kw) = weights.dim();
    assert!(
        kh % 2 == 1 && kw % 2 == 1,
        "par_correlate_2d: weights must have odd lengths (a centre), got shape {:?}",
        weights.shape()
    );
    (kh, kw)
}

/// The non-zero weights in row-major order: the fixed order of every sum.
fn taps_of<A: Scalar>(weights: &ArrayRef<A, Ix2>) -> Vec<(usize, usize, A)> {
    weights
        .indexed_iter()
        .filter(|&(_, &w)| w != A::scalar_zero())
        .map(|((di, dj), &w)| (di, dj, w))
        .collect()
}

/// Output row `i` of `out` from input rows `src_rows[i..i + kh]`.
#[inline(always)]
fn rows_into<A: Scalar>(
    out: &mut ArrayViewMut2<'_, A>,
    src_rows: &[&[A]],
    taps: &[(usize, usize, A)],
    kh: usize,
    hw: usize,
    boundary: &Boundary<A>,
) {
    let cols = out.ncols();
    let mut row_buf = Vec::new();
    for (i, mut out_row) in out.rows_mut().into_iter().enumerate() {
        // Accumulate in a contiguous row, then store (out may be strided).
        let o: &mut [A] = match out_row.as_slice_mut() {
            Some(o) => o,
            None => {
                row_buf.clear();
                row_buf.resize(cols, A::scalar_zero());
                &mut row_buf
            }
        };
        correlate_row(o, &src_rows[i..i + kh], taps, hw, boundary);
        if out_row.as_slice().is_none() {
            out_row.iter_mut().zip(&row_buf).for_each(|(y, &x)| *y = x);
        }
    }
}

/// The correlation of rows already extended along the first axis: output
/// row `i` of `out` is computed from `src_rows[i..i + weights.nrows()]`
/// (each of `out.ncols()` elements; columns beyond the edges follow
/// `boundary`), with the same sums, in the same order, as
/// [`par_correlate_2d`]. Rows are cut into blocks run in parallel.
#[cfg(feature = "mpi")]
#[track_caller]
pub(crate) fn correlate_extended_rows<A: Scalar>(
    src_rows: &[&[A]],
    weights: &ArrayRef<A, Ix2>,
    boundary: Boundary<A>,
    out: &mut ArrayViewMut2<'_, A>,
) {
    let (kh, kw) = check_weights(weights);
    let (rows, cols) = out.dim();
    debug_assert_eq!(src_rows.len(), rows + kh - 1);
    if rows == 0 || cols == 0 {
        return;
    }
    boundary.check_halo("par_correlate_2d (columns)", kw / 2, cols);
    let taps = taps_of(weights);
    let block_rows = cache_rows(cols * size_of::<A>(), &Params::current());
    let plan = BlockPlan::along(rows, block_rows);
    out.par_for_each_block_mut(Axis(0), block_rows, |b, mut out_block| {
        let r = plan.block(b);
        simd::dispatch(
            #[inline(always)]
            || {
                rows_into(
                    &mut out_block,
                    &src_rows[r.start..r.end + kh - 1],
                    &taps,
                    kh,
                    kw / 2,
                    &boundary,
                )
            },
        );
    });
}

/// Elements of an output row accumulated together: all taps run over one
/// segment while it sits in L1.
const SEGMENT: usize = 512;

/// One output row: `o[j] = Σ w · rows[di][j + dj - hw]`. Interior columns
/// read the rows directly, segment by segment; the `hw` columns at each end
/// go through the boundary rule.
#[inline(always)]
fn correlate_row<A: Scalar>(
    o: &mut [A],
    rows: &[&[A]],
    taps: &[(usize, usize, A)],
    hw: usize,
    boundary: &Boundary<A>,
) {
    let cols = o.len();
    let value = |row: &[A], j: isize| match boundary.source(j, cols) {
        Some(src) => row[src],
        None => match boundary {
            Boundary::Constant(c) => *c,
            _ => unreachable!("only Constant has no source"),
        },
    };
    let inner = hw.min(cols)..cols.saturating_sub(hw).max(hw.min(cols));
    // Edge columns, element by element.
    for j in (0..inner.start).chain(inner.end..cols) {
        let mut acc = A::scalar_zero();
        for &(di, dj, w) in taps {
            acc = acc
                .scalar_add(w.scalar_mul(value(rows[di], j as isize + dj as isize - hw as isize)));
        }
        o[j] = acc;
    }
    // Interior columns, one segment at a time.
    let mut start = inner.start;
    while start < inner.end {
        let end = (start + SEGMENT).min(inner.end);
        let seg = &mut o[start..end];
        let n = seg.len();
        // Up to four taps per pass over the segment. The first pass starts
        // from zero instead of reading the segment (the output needs no
        // clearing); either way each element is `((0 + w0·a) + w1·b) + …`
        // in tap order, so fusing changes no bits.
        let src = |&(di, dj, _): &(usize, usize, A)| &rows[di][start + dj - hw..end + dj - hw];
        for (g, group) in taps.chunks(4).enumerate() {
            let base = |y: &A| if g == 0 { A::scalar_zero() } else { *y };
            match group {
                [t0, t1, t2, t3] => {
                    // Equal lengths up front: no bounds checks, so it vectorises.
                    let (a, b, c, d) = (&src(t0)[..n], &src(t1)[..n], &src(t2)[..n], &src(t3)[..n]);
                    let (w0, w1, w2, w3) = (t0.2, t1.2, t2.2, t3.2);
                    for j in 0..n {
                        seg[j] = base(&seg[j])
                            .scalar_add(w0.scalar_mul(a[j]))
                            .scalar_add(w1.scalar_mul(b[j]))
                            .scalar_add(w2.scalar_mul(c[j]))
                            .scalar_add(w3.scalar_mul(d[j]));
                    }
                }
                _ => {
                    for (k, t) in group.iter().enumerate() {
                        let first = g == 0 && k == 0;
                        for (y, &x) in seg.iter_mut().zip(&src(t)[..n]) {
                            let acc = if first { A::scalar_zero() } else { *y };
                            *y = acc.scalar_add(t.2.scalar_mul(x));
                        }
                    }
                }
            }
        }
        if taps.is_empty() {
            seg.fill(A::scalar_zero());
        }
        start = end;
    }
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
pub fn par_convolve_1d<A: Scalar>(
    signal: &ArrayRef<A, Ix1>,
    kernel: &ArrayRef<A, Ix1>,
    boundary: Boundary<A>,
) -> Array1<A> {
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
    boundary.check_halo("par_convolve_1d", h, n);
    let taps: Vec<A> = kernel.iter().copied().collect();
    let block = reduce_block_len(&Params::current(), size_of::<A>());
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
