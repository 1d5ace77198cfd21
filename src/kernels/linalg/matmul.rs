//! Matrix products: output tiles, and for small outputs with a long inner
//! dimension (tall-skinny products such as `zᵀz`), fixed inner pieces.

use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, ArrayRef, ArrayView2, Axis, Ix2, LinalgScalar, Slice};

use super::{add_into, estimate};
use crate::params::Params;
use crate::plan::tiles::{Tiles, matmul_tile};
use crate::plan::{Schedule, piece, piece_count};

/// Output elements (all pieces together) the partial products of a split
/// inner dimension may hold: 32 MiB of f64.
const MAX_PARTIAL_ELEMS: usize = 1 << 22;

/// The matrix product `a · b` of 2-D matrices, in parallel.
///
/// The output is cut into fixed tiles (256 rows × 1024 columns with the
/// default [`Params`]), each one call of ndarray's single-threaded
/// `general_mat_mul` (matrixmultiply for f32 and f64). Every element is
/// then summed in the same order as in `a.dot(&b)`, so the result equals
/// `a.dot(&b)` up to that kernel's rounding (in practice bit for bit).
///
/// An output with few tiles and a long inner dimension (the Gram matrix
/// `zᵀz` of a tall, narrow `z`, say) would leave most threads idle that
/// way, so there the inner dimension is cut into pieces at fixed points
/// (a function of the shapes and [`Params::block_bytes`]); each piece's
/// product is computed whole and the pieces are added with a fixed
/// pairwise tree. That result may differ from `a.dot(&b)` in the last
/// bits (pairwise addition is, if anything, more accurate), and it is
/// still the same on any thread count.
///
/// # Panics
///
/// If `a.ncols() != b.nrows()` (the message names both shapes).
///
/// ```
/// use ndpar::linalg::par_matmul;
/// use ndarray::{array, Array2};
///
/// let a = array![[1.0, 2.0], [3.0, 4.0]];
/// let b = array![[5.0, 6.0], [7.0, 8.0]];
/// assert_eq!(par_matmul(&a, &b), a.dot(&b));
///
/// // A tall-skinny Gram matrix: the inner dimension is split.
/// let z = Array2::from_shape_fn((100_000, 3), |(i, j)| ((i + j) % 7) as f64);
/// let g = par_matmul(&z.t(), &z);
/// assert_eq!(g, z.t().dot(&z)); // small integers: exact in any order
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
    if n == 0 || m == 0 {
        return Array2::from_elem((n, m), A::zero());
    }
    let (av, bv): (ArrayView2<'_, A>, ArrayView2<'_, A>) = (a.view(), b.view());
    let params = Params::current();
    let (rows, cols) = matmul_tile(&params);
    let tiles = Tiles::new(n, m, rows, cols);
    let pieces = inner_pieces(n, k, m, tiles.count(), size_of::<A>(), &params);
    let work = n * m * k.max(1);
    if pieces > 1 {
        return split_inner(
            av,
            bv,
            pieces,
            Schedule::for_work(work, pieces, estimate(work)),
        );
    }
    let mut c = Array2::from_elem((n, m), A::zero());
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

/// How many pieces the inner dimension is cut into: 1 unless the output
/// has fewer tiles than a pool of 16 threads could use, and then enough
/// pieces for about 64 items of work, each piece at least one block
/// long, with all partial products together at most
/// [`MAX_PARTIAL_ELEMS`] elements. A function of shapes and params only.
fn inner_pieces(n: usize, k: usize, m: usize, tiles: usize, elem: usize, params: &Params) -> usize {
    if tiles >= 16 {
        return 1;
    }
    let outputs = n.saturating_mul(m);
    let block_len = (params.block_bytes / elem.max(1)).max(1);
    let item_work = 64 * params.block_bytes;
    let piece_len = (item_work / outputs.max(1)).max(block_len);
    piece_count(k, piece_len)
        .min(MAX_PARTIAL_ELEMS / outputs.max(1))
        .max(1)
}

/// `a · b` as the pairwise-tree sum of `pieces` partial products over fixed
/// ranges of the inner dimension.
fn split_inner<A>(
    a: ArrayView2<'_, A>,
    b: ArrayView2<'_, A>,
    pieces: usize,
    schedule: Schedule,
) -> Array2<A>
where
    A: LinalgScalar + Send + Sync,
{
    let (n, k, m) = (a.nrows(), a.ncols(), b.ncols());
    schedule.tree_reduce(
        pieces,
        |p| {
            let r = piece(k, pieces, p);
            let mut c = Array2::from_elem((n, m), A::zero());
            general_mat_mul(
                A::one(),
                &a.slice_axis(Axis(1), Slice::from(r.clone())),
                &b.slice_axis(Axis(0), Slice::from(r)),
                A::zero(),
                &mut c,
            );
            c
        },
        add_into,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_small_outputs_with_long_inner_dimensions_are_split() {
        let p = Params::default();
        // zᵀz for z of 10⁶ × 20: one tile, so the inner dimension splits.
        let pieces = inner_pieces(20, 1_000_000, 20, 1, 8, &p);
        assert!((16..=1024).contains(&pieces), "{pieces}");
        // A square product with many tiles is never split.
        assert_eq!(inner_pieces(4096, 4096, 4096, 64, 8, &p), 1);
        // A short inner dimension is one piece.
        assert_eq!(inner_pieces(20, 5000, 20, 1, 8, &p), 1);
        // Partial products stay bounded for a one-tile output of 256 × 1024.
        let pieces = inner_pieces(256, 1 << 30, 1024, 1, 8, &p);
        assert!(pieces * 256 * 1024 <= MAX_PARTIAL_ELEMS, "{pieces}");
    }
}
