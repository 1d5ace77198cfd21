//! k nearest neighbours: matrix products screen the candidates, direct
//! distances rank them.

use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, ArrayRef, ArrayView2, ArrayViewMut2, Ix2};

use super::{check_samples, estimate, pair_sum, rows_of};
use crate::element::Float;
use crate::params::Params;
use crate::plan::{Schedule, piece, piece_count};

/// The `k` nearest rows of `y` to each row of `x`, by Euclidean distance.
///
/// ```
/// use ndpar::linalg::par_knn;
/// use ndarray::array;
///
/// let y = array![[0.0f64], [10.0], [1.0], [-1.0]];
/// let nn = par_knn(&array![[0.2]], &y, 3);
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
/// determined. NaN distances (from NaN coordinates) count as farther than
/// any number.
///
/// How: blocks of queries meet tiles of `y` in one matrix product each
/// (`|x|² + |y|² − 2x·y`, the fast route of scikit-learn and faiss). That
/// shortcut cancels badly for nearby points, so it only *screens*: a row
/// of `y` whose shortcut distance exceeds the query's current `k`-th best
/// by more than a rigorous bound on the shortcut's rounding error cannot be
/// among the nearest, and is skipped. Every row that passes is measured
/// directly (`Σ (x_k − y_k)²`, as in [`par_pairwise_distances`]) and ranked
/// by that exact value. So the answer (indices, distances, tie order) is
/// exactly that of a brute-force search with direct distances, on any
/// thread count and for any [`Params`]; the screen only decides how much
/// work it takes. Far-apart data screens out almost everything; many rows
/// at nearly the same distance from a query pass and cost a direct
/// distance each.
///
/// [`par_pairwise_distances`]: crate::linalg::par_pairwise_distances
///
/// # Panics
///
/// If the rows of `x` and `y` differ in length, or `k` is larger than the
/// number of rows of `y` (scikit-learn raises a `ValueError`): like an
/// index out of bounds, a `k` that cannot fit the data's shape is a
/// programmer error (see the crate's error policy).
///
/// ```
/// use ndpar::linalg::par_knn;
/// use ndarray::array;
///
/// let y = array![[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]];
/// let nn = par_knn(&array![[0.9, 0.1]], &y, 2);
/// assert_eq!(nn.indices, array![[1, 0]]);
/// ```
#[track_caller]
pub fn par_knn<A: Float>(x: &ArrayRef<A, Ix2>, y: &ArrayRef<A, Ix2>, k: usize) -> Knn<A> {
    check_samples("par_knn", x.shape(), y.shape());
    let ((n, d), m) = (x.dim(), y.nrows());
    assert!(
        k <= m,
        "par_knn: asked for the {k} nearest neighbours among only {m} rows of y"
    );
    let mut indices = Array2::<usize>::zeros((n, k));
    let mut distances = Array2::from_elem((n, k), A::zero());
    if n == 0 || k == 0 {
        return Knn { indices, distances };
    }
    let (xs, ys) = (rows_of(x), rows_of(y));
    let search = Search::new(&xs, &ys, (n, m, d), k, &Params::current());
    let (query_blocks, parts) = (search.query_blocks(), search.parts());
    let work = n * m * d;
    let found = Schedule::for_work(work, query_blocks * parts, estimate(work))
        .map_collect(query_blocks * parts, |item| {
            search.run(item / parts, item % parts)
        });
    // Merge each query block's parts in order; the merged lists are the
    // `k` best under the total order (distance, index), whatever the parts.
    for (b, block) in found.chunks(parts).enumerate() {
        let i0 = piece(n, query_blocks, b).start;
        for r in 0..block[0].len() {
            let mut best = block[0][r].clone();
            for part in &block[1..] {
                for &c in &part[r] {
                    offer(&mut best, k, c);
                }
            }
            for (c, (dd, j)) in best.into_iter().enumerate() {
                indices[[i0 + r, c]] = j;
                distances[[i0 + r, c]] = dd.sqrt();
            }
        }
    }
    Knn { indices, distances }
}

/// One nearest-neighbour search, cut into items: query blocks × parts of
/// `y`. The cut depends on shapes and params only, and the answer on
/// neither.
///
/// The screen. With `t = |x|² + |y|²` and `s` the relative error bound,
/// a row of `y` is skipped when
/// `(1 − s)|y|² − 2x·y > tau + floor − (1 − s)|x|²`, i.e. when its
/// shortcut distance exceeds the query's current `k`-th best direct
/// distance `tau` by more than `s·t + floor`. The `−2x·y` come from one
/// matrix product per block and tile, so screening a pair is one addition
/// and one comparison. The norms, the dot
/// product and the direct distance each err by at most about `d·ε·t`
/// (plus underflow, covered by `floor`); `s = (4d + 32)ε` bounds their sum
/// with room for the few roundings of the comparison itself. Norms above
/// `MAX / 16` (where those terms could overflow) and NaN norms opt out of
/// the screen: such pairs always get a direct distance.
struct Search<'a, A> {
    xs: &'a [A],
    ys: &'a [A],
    d: usize,
    k: usize,
    /// `(1 − s)|x|²` per query, NaN where the query opts out of the screen.
    x_terms: Vec<A>,
    /// `(1 − s)|y|²` per point, −∞ where the point opts out.
    y_terms: Vec<A>,
    /// Queries per block (one matrix product's rows).
    block_rows: usize,
    /// Rows of `y` per tile (one matrix product's columns).
    tile_rows: usize,
    /// The absolute part of the error bound (underflow).
    floor: A,
}

/// A list of candidates, sorted by (distance, index), at most `k` long.
type Best<A> = Vec<(A, usize)>;

impl<'a, A: Float> Search<'a, A> {
    fn new(
        xs: &'a [A],
        ys: &'a [A],
        (n, m, d): (usize, usize, usize),
        k: usize,
        params: &Params,
    ) -> Self {
        let ops = A::from_count(4 * d + 32);
        let keep = A::one() - ops * A::epsilon();
        let big = A::max_value() / A::from_count(16);
        let terms = |rows: &[A], count: usize, opt_out: A| -> Vec<A> {
            if d == 0 {
                return vec![A::zero(); count];
            }
            rows.chunks_exact(d)
                .map(|r| {
                    let norm = pair_sum(r, r, |a, b| a * b);
                    if norm <= big { keep * norm } else { opt_out }
                })
                .collect()
        };
        let elem = size_of::<A>();
        // 256 queries × 128 points per product with the default params: the
        // narrow inner dimension (d) gives each product little work per
        // output, so large blocks amortise the packing; the block of
        // products (256 KiB) is screened while still in cache.
        let block_rows = (params.block_bytes / 256).clamp(1, 256);
        let tile_rows = (4 * params.block_bytes / (elem * block_rows)).max(1);
        Search {
            xs,
            ys,
            d,
            k,
            x_terms: terms(xs, n, A::nan()),
            y_terms: terms(ys, m, A::neg_infinity()),
            block_rows,
            tile_rows,
            floor: ops * A::min_positive_value(),
        }
    }

    fn queries(&self) -> usize {
        self.x_terms.len()
    }

    fn points(&self) -> usize {
        self.y_terms.len()
    }

    fn query_blocks(&self) -> usize {
        piece_count(self.queries(), self.block_rows)
    }

    /// Parts of `y` per query block: enough for about 64 items in all
    /// (so few queries against many points still spread), each part at
    /// least four tiles.
    fn parts(&self) -> usize {
        let max_parts = (self.points() / (4 * self.tile_rows)).max(1);
        (64 / self.query_blocks()).clamp(1, max_parts)
    }

    /// The best `k` candidates of each query of block `b` among part `p`
    /// of `y`.
    fn run(&self, b: usize, p: usize) -> Vec<Best<A>> {
        let (d, k) = (self.d, self.k);
        let queries = piece(self.queries(), self.query_blocks(), b);
        let points = piece(self.points(), self.parts(), p);
        let rows = queries.len();
        let xb = ArrayView2::from_shape((rows, d), &self.xs[queries.start * d..queries.end * d])
            .expect("query block shape");
        let mut best: Vec<Best<A>> = vec![Vec::with_capacity(k + 1); rows];
        let mut dots = vec![A::zero(); rows * self.tile_rows.min(points.len())];
        let two = A::one() + A::one();
        let mut j0 = points.start;
        while j0 < points.end {
            let j1 = (j0 + self.tile_rows).min(points.end);
            let w = j1 - j0;
            let yt = ArrayView2::from_shape((w, d), &self.ys[j0 * d..j1 * d])
                .expect("tile shape")
                .reversed_axes();
            let mut sv = ArrayViewMut2::from_shape((rows, w), &mut dots[..rows * w])
                .expect("dot block shape");
            general_mat_mul(-two, &xb, &yt, A::zero(), &mut sv);
            for (r, cands) in best.iter_mut().enumerate() {
                let dots = &dots[r * w..(r + 1) * w];
                self.screen(cands, queries.start + r, j0, dots);
            }
            j0 = j1;
        }
        best
    }

    /// The bound a point's shortcut term must exceed to be skipped, for
    /// query `i` with `k`-th best `tau` (NaN: nothing is skipped).
    #[inline]
    fn bound(&self, i: usize, tau: A) -> A {
        tau + self.floor - self.x_terms[i]
    }

    /// Offers query `i` the rows `j0..` of `y` whose shortcut term
    /// `(1 − s)|y|² − 2x·y` does not rule them out, each with its direct
    /// distance; `minus_two_dots` holds the `−2x·y`.
    #[inline]
    fn screen(&self, cands: &mut Best<A>, i: usize, j0: usize, minus_two_dots: &[A]) {
        let y_terms = &self.y_terms[j0..j0 + minus_two_dots.len()];
        let mut bound = self.bound(i, kth(cands, self.k));
        let mut chunks = y_terms.chunks_exact(8).zip(minus_two_dots.chunks_exact(8));
        for (c, (ys, ds)) in (&mut chunks).enumerate() {
            // Most chunks hold no candidate once `tau` settles: test all
            // eight without branches (so the loop vectorises) first.
            let mut any = false;
            for o in 0..8 {
                any |= passes(ys[o] + ds[o], bound);
            }
            if any {
                self.offer_passing(cands, i, j0 + 8 * c, (ys, ds), &mut bound);
            }
        }
        let tail = y_terms.len() - y_terms.len() % 8;
        let rest = (&y_terms[tail..], &minus_two_dots[tail..]);
        self.offer_passing(cands, i, j0 + tail, rest, &mut bound);
    }

    /// Offers query `i` the rows `j0..` that pass, one at a time (each
    /// offer may lower the bound).
    #[inline(never)]
    fn offer_passing(
        &self,
        cands: &mut Best<A>,
        i: usize,
        j0: usize,
        (y_terms, minus_two_dots): (&[A], &[A]),
        bound: &mut A,
    ) {
        let (d, k) = (self.d, self.k);
        let xi = &self.xs[i * d..(i + 1) * d];
        for (o, (&y, &m2d)) in y_terms.iter().zip(minus_two_dots).enumerate() {
            if passes(y + m2d, *bound) {
                let j = j0 + o;
                let direct = pair_sum(xi, &self.ys[j * d..(j + 1) * d], |a, b| (a - b) * (a - b));
                offer(cands, k, (direct, j));
                *bound = self.bound(i, kth(cands, k));
            }
        }
    }
}

/// Whether a point may be among the nearest: false only when its shortcut
/// term is definitely greater than the bound. Written as a negated
/// comparison so that NaN on either side lets the point through.
#[inline(always)]
#[allow(clippy::neg_cmp_op_on_partial_ord)]
fn passes<A: Float>(shortcut: A, bound: A) -> bool {
    !(shortcut > bound)
}

/// The distance a candidate must beat: the `k`-th best so far, or +∞.
#[inline]
fn kth<A: Float>(cands: &Best<A>, k: usize) -> A {
    if cands.len() == k {
        cands[k - 1].0
    } else {
        A::infinity()
    }
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
