//! All pairwise distances between two sets of samples.

use ndarray::{Array2, ArrayRef, Ix2};

use super::{Metric, check_samples, estimate, pair_sum, rows_of};
use crate::element::Float;
use crate::params::Params;
use crate::plan::Schedule;
use crate::plan::tiles::{Tiles, cache_rows, work_rows};
use crate::simd;

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
                    pair_sum(
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
        // At the CPU's vector level: the lanes of each distance's sum are
        // fixed in `fold_pairs`, so the level does not change its bits.
        simd::dispatch(
            #[inline(always)]
            || {
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
            },
        )
    });
    out
}

/// One distance; `norms` are the two rows' Euclidean norms (cosine only).
#[inline(always)]
fn distance<A: Float>(metric: Metric, a: &[A], b: &[A], norms: (A, A)) -> A {
    match metric {
        Metric::SqEuclidean => pair_sum(a, b, |x, y| (x - y) * (x - y)),
        Metric::Euclidean => pair_sum(a, b, |x, y| (x - y) * (x - y)).sqrt(),
        Metric::Manhattan => pair_sum(a, b, |x, y| (x - y).abs()),
        Metric::Cosine => A::one() - pair_sum(a, b, |x, y| x * y) / (norms.0 * norms.1),
    }
}
