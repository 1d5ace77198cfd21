//! Parallel reductions: [`ParReduce`].
//!
//! Every reduction here is a per-block sequential loop (`seq.rs`, vectorised)
//! plus a combine of block results along the planner's fixed tree, so results
//! are bitwise identical for any number of threads. Non-contiguous blocks are
//! first gathered into a contiguous buffer of one block, so every layout gets
//! the same fast loop and the same pairwise accuracy.
//!
//! ```
//! use ndpar::prelude::*;
//! use ndarray::{Array2, s};
//!
//! let a = Array2::from_shape_fn((300, 300), |(i, j)| (i * 300 + j) as f64);
//! let v = a.slice(s![..;2, ..;-3]); // any layout
//! assert_eq!(v.par_sum(), v.sum());
//! assert_eq!(v.par_max(), Some(89_699.0)); // row 298, column 299
//! ```

pub(crate) mod arg;
pub(crate) mod seq;

use ndarray::{ArrayBase, Data, Dimension};

use crate::element::{Float, Scalar};
use crate::plan::{Flat, Plan, Positions, contiguous};
use arg::Best;
use seq::Moments;

/// Parallel reductions over an array of any dimension and layout.
///
/// Implemented for every [`ArrayBase`] whose elements can be read: owned
/// arrays, views, shared and copy-on-write arrays, of any dimension
/// (including `IxDyn`). Bring it into scope with `use ndpar::prelude::*;`.
///
/// # Determinism
///
/// The array is cut into blocks whose boundaries depend only on its shape,
/// memory layout and element size (and [`Params`](crate::Params)), and block
/// results are combined in a fixed pairwise tree. So every method returns
/// the same bits on 1, 2, 7 or 64 threads, and on the calling thread for
/// small inputs.
///
/// # Accuracy of float sums
///
/// Sums (and the sums inside means, variances, norms and dot products) are
/// pairwise: numpy's 8-accumulator cascade inside each block, and a pairwise
/// tree across blocks. The rounding error grows like `O(ε log n)` rather
/// than the `O(ε n)` of a running sum, on every layout.
///
/// # Empty arrays
///
/// `par_sum` and `par_nansum` give 0, `par_product` gives 1, the norms give
/// 0; `par_mean`, `par_var`, `par_min`, `par_argmin` and friends give `None`.
/// None of them panics.
pub trait ParReduce<A, D: Dimension> {
    /// Parallel version of `fold`: folds each block with `fold`, starting
    /// from `identity()`, and merges block results with `combine`.
    ///
    /// Within a block, elements are visited in memory order; blocks are
    /// combined left to right in a fixed pairwise tree. If `combine` is
    /// associative and `identity()` is its neutral element, the result equals
    /// a sequential fold over the elements in memory order; even if not, it
    /// is the same on every thread count, because the blocks and the tree do
    /// not depend on it. An empty array gives `identity()`.
    ///
    /// # Panics
    ///
    /// A panic in any closure propagates to the caller.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::Array2;
    ///
    /// let a = Array2::from_shape_fn((300, 200), |(i, j)| (i * 200 + j) as u64);
    /// // Count the multiples of 7 and add them up, in one pass.
    /// let (count, sum) = a.par_fold(
    ///     || (0usize, 0u64),
    ///     |(c, s), &x| if x % 7 == 0 { (c + 1, s + x) } else { (c, s) },
    ///     |(c1, s1), (c2, s2)| (c1 + c2, s1 + s2),
    /// );
    /// assert_eq!(count, 8572);
    /// assert_eq!(sum, (0..60_000u64).filter(|x| x % 7 == 0).sum::<u64>());
    /// ```
    fn par_fold<T, I, F, C>(&self, identity: I, fold: F, combine: C) -> T
    where
        A: Sync,
        T: Send,
        I: Fn() -> T + Sync,
        F: Fn(T, &A) -> T + Sync,
        C: Fn(T, T) -> T + Sync;

    /// Maps every element with `map` and reduces the results with `reduce`,
    /// in parallel: rayon's `map(..).reduce(identity, reduce)` with ndpar's
    /// fixed blocks and tree (see [`par_fold`](ParReduce::par_fold) for the
    /// ordering guarantee).
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::Array1;
    ///
    /// let words = Array1::from(vec!["a", "bb", "ccc"]);
    /// let longest = words.par_map_reduce(|w| w.len(), || 0, usize::max);
    /// assert_eq!(longest, 3);
    /// ```
    fn par_map_reduce<T, M, I, R>(&self, map: M, identity: I, reduce: R) -> T
    where
        A: Sync,
        T: Send,
        M: Fn(&A) -> T + Sync,
        I: Fn() -> T + Sync,
        R: Fn(T, T) -> T + Sync;

    /// Parallel version of `sum`: the sum of all elements (0 if empty).
    ///
    /// Floats are summed pairwise (see the trait docs); integers wrap on
    /// overflow, in debug and release builds alike (see
    /// [`element`](crate::element)).
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{Array1, Array2};
    ///
    /// let a = Array2::from_shape_fn((1000, 1000), |(i, j)| (i + j) as f64);
    /// assert_eq!(a.par_sum(), a.sum());
    /// assert_eq!(Array1::<i32>::zeros(0).par_sum(), 0);
    /// assert_eq!(Array1::from(vec![u8::MAX, 2]).par_sum(), 1); // wraps
    /// ```
    fn par_sum(&self) -> A
    where
        A: Scalar;

    /// Parallel version of `product`: the product of all elements (1 if
    /// empty). Integers wrap on overflow; floats are multiplied pairwise.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::Array1;
    ///
    /// let a = Array1::from_iter(1..=10u64);
    /// assert_eq!(a.par_product(), 3_628_800);
    /// assert_eq!(Array1::<f32>::zeros(0).par_product(), 1.0);
    /// ```
    fn par_product(&self) -> A
    where
        A: Scalar;

    /// Parallel version of `mean`: the arithmetic mean, or `None` if the
    /// array is empty. The sum is pairwise.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::Array1;
    ///
    /// assert_eq!(Array1::from(vec![1.0, 2.0, 6.0]).par_mean(), Some(3.0));
    /// assert_eq!(Array1::<f64>::zeros(0).par_mean(), None);
    /// ```
    fn par_mean(&self) -> Option<A>
    where
        A: Float;

    /// Parallel version of `var`: the variance with `ddof` delta degrees of
    /// freedom, `Σ(x - mean)² / (n - ddof)`. `ddof = 0` gives the population
    /// variance, `ddof = 1` the unbiased sample variance.
    ///
    /// Each block computes its mean and squared deviations in two passes;
    /// blocks are merged with Chan et al.'s update, which stays accurate for
    /// data with a large mean (never `E[x²] - E[x]²`). Returns `None` if
    /// `n ≤ ddof` (including the empty array).
    ///
    /// # Panics
    ///
    /// If `ddof` is negative or NaN.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::Array1;
    ///
    /// let a = Array1::from(vec![1e9 + 1.0, 1e9 + 2.0, 1e9 + 3.0, 1e9 + 4.0]);
    /// assert_eq!(a.par_var(0.0), Some(1.25));
    /// assert_eq!(a.par_var(1.0), Some(5.0 / 3.0));
    /// assert_eq!(Array1::from(vec![1.0]).par_var(1.0), None);
    /// ```
    #[track_caller]
    fn par_var(&self, ddof: A) -> Option<A>
    where
        A: Float;

    /// Parallel version of `std`: the square root of
    /// [`par_var`](ParReduce::par_var), `None` if `n ≤ ddof`.
    ///
    /// # Panics
    ///
    /// If `ddof` is negative or NaN.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::Array1;
    ///
    /// let a = Array1::from(vec![2.0f32, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
    /// assert_eq!(a.par_std(0.0), Some(2.0));
    /// ```
    #[track_caller]
    fn par_std(&self, ddof: A) -> Option<A>
    where
        A: Float;

    /// The smallest element, or `None` if the array is empty. For floats a
    /// NaN anywhere makes the result NaN (numpy's `min`); see
    /// [`par_nanmin`](ParReduce::par_nanmin) to skip NaNs. When 0.0 and
    /// -0.0 tie for the minimum, which of the two is returned is
    /// unspecified (but, like everything here, the same on every thread
    /// count).
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::Array1;
    ///
    /// assert_eq!(Array1::from(vec![3, -7, 5]).par_min(), Some(-7));
    /// assert!(Array1::from(vec![1.0, f64::NAN]).par_min().unwrap().is_nan());
    /// assert_eq!(Array1::<u8>::zeros(0).par_min(), None);
    /// ```
    fn par_min(&self) -> Option<A>
    where
        A: Scalar;

    /// The largest element, or `None` if the array is empty. NaN propagates
    /// as in [`par_min`](ParReduce::par_min).
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::Array1;
    ///
    /// assert_eq!(Array1::from(vec![3.5, -7.0, 5.25]).par_max(), Some(5.25));
    /// ```
    fn par_max(&self) -> Option<A>
    where
        A: Scalar;

    /// The index of the smallest element, as the array's index pattern
    /// (`usize` for 1-D, `(usize, usize)` for 2-D, `IxDyn` for dynamic), or
    /// `None` if the array is empty.
    ///
    /// Ties go to the first element in logical row-major order, whatever the
    /// memory layout; if there is a NaN, the index of the first NaN (numpy's
    /// `argmin`, with `unravel_index` applied).
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Array2};
    ///
    /// let a = array![[4.0, 1.0, 7.0], [1.0, 9.0, 2.0]];
    /// assert_eq!(a.par_argmin(), Some((0, 1)));
    /// assert_eq!(a.t().par_argmin(), Some((0, 1))); // first in the transpose
    /// assert_eq!(Array2::<f64>::zeros((0, 3)).par_argmin(), None);
    /// ```
    fn par_argmin(&self) -> Option<D::Pattern>
    where
        A: Scalar;

    /// The index of the largest element; conventions as
    /// [`par_argmin`](ParReduce::par_argmin).
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::array;
    ///
    /// let a = array![3u8, 9, 2, 9];
    /// assert_eq!(a.par_argmax(), Some(1));
    /// ```
    fn par_argmax(&self) -> Option<D::Pattern>
    where
        A: Scalar;

    /// The sum with NaNs treated as zero (numpy's `nansum`); 0 if empty.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::array;
    ///
    /// assert_eq!(array![1.0, f64::NAN, 2.5].par_nansum(), 3.5);
    /// ```
    fn par_nansum(&self) -> A
    where
        A: Float;

    /// The mean of the non-NaN elements, or `None` if there are none
    /// (numpy's `nanmean` returns NaN with a warning there).
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::array;
    ///
    /// assert_eq!(array![1.0, f64::NAN, 3.0].par_nanmean(), Some(2.0));
    /// assert_eq!(array![f64::NAN].par_nanmean(), None);
    /// ```
    fn par_nanmean(&self) -> Option<A>
    where
        A: Float;

    /// The smallest non-NaN element, or `None` if there is none.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::array;
    ///
    /// assert_eq!(array![f32::NAN, 2.0, -1.0].par_nanmin(), Some(-1.0));
    /// ```
    fn par_nanmin(&self) -> Option<A>
    where
        A: Float;

    /// The largest non-NaN element, or `None` if there is none.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::array;
    ///
    /// assert_eq!(array![f32::NAN, 2.0, -1.0].par_nanmax(), Some(2.0));
    /// ```
    fn par_nanmax(&self) -> Option<A>
    where
        A: Float;

    /// The L1 norm `Σ|x|` (pairwise sum); 0 if empty.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::array;
    ///
    /// assert_eq!(array![3.0, -4.0].par_norm_l1(), 7.0);
    /// ```
    fn par_norm_l1(&self) -> A
    where
        A: Float;

    /// The Euclidean norm `sqrt(Σx²)` (pairwise sum of squares, not
    /// rescaled: squares overflow for `|x|` above about 1e154 in f64); 0 if
    /// empty.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::array;
    ///
    /// assert_eq!(array![[3.0, 0.0], [0.0, -4.0]].par_norm_l2(), 5.0);
    /// ```
    fn par_norm_l2(&self) -> A
    where
        A: Float;

    /// The max norm `max|x|`; NaN if any element is NaN; 0 if empty.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::array;
    ///
    /// assert_eq!(array![3.0, -4.0, 1.0].par_norm_max(), 4.0);
    /// ```
    fn par_norm_max(&self) -> A
    where
        A: Float;

    /// The dot product `Σ self[i] * other[i]` of two arrays of the same shape
    /// and any dimension (pairwise sum for floats; wrapping for integers).
    /// The layouts may differ.
    ///
    /// # Panics
    ///
    /// If the shapes differ (the message names both).
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::Array2;
    ///
    /// let a = Array2::from_shape_fn((100, 100), |(i, j)| (i as f64) - (j as f64));
    /// let b = Array2::<f64>::ones((100, 100));
    /// assert_eq!(a.par_dot(&b), 0.0);
    /// assert_eq!(a.par_dot(&a.t()), -a.par_dot(&a)); // layouts may differ
    /// ```
    #[track_caller]
    fn par_dot<S2>(&self, other: &ArrayBase<S2, D>) -> A
    where
        A: Scalar,
        S2: Data<Elem = A>;
}

/// Reduces `a` block by block: `leaf(run, start, positions)` sees each
/// block as one contiguous run of elements in traversal order, starting at
/// traversal position `start`; `combine` merges neighbouring results along
/// the fixed tree. `None` if `a` is empty.
///
/// Contiguous arrays take the flat path (their memory slice, cut into
/// pieces); `row_major` restricts it to row-major arrays, for kernels whose
/// answer depends on logical positions. Other layouts are planned in full,
/// and non-contiguous blocks are gathered into a buffer first.
fn reduce_runs<A, S, D, T, L, C>(
    a: &ArrayBase<S, D>,
    row_major: bool,
    leaf: L,
    combine: C,
) -> Option<T>
where
    A: Copy + Sync,
    S: Data<Elem = A>,
    D: Dimension,
    T: Send,
    L: Fn(&[A], usize, Positions<'_>) -> T + Sync,
    C: Fn(T, T) -> T + Sync,
{
    let slice = if row_major {
        a.as_slice()
    } else {
        a.as_slice_memory_order()
    };
    if let Some(xs) = slice {
        let flat = Flat::new(xs.len(), size_of::<A>());
        return flat.reduce(
            |r| leaf(&xs[r.clone()], r.start, Positions::RowMajor),
            combine,
        );
    }
    let v = a.view().into_dyn();
    if v.is_empty() {
        return None;
    }
    let plan = Plan::new(v.shape(), v.strides(), &[], size_of::<A>());
    let tv = plan.traversal(v);
    plan.reduce(
        |block| {
            let bv = plan.blocks.view(&tv, block);
            let mut buf = Vec::new();
            leaf(
                contiguous(&bv, &mut buf),
                block.start,
                Positions::Layout(&plan.layout),
            )
        },
        combine,
    )
}

/// Row-major flat index → index pattern of `dim`'s shape.
fn unravel<D: Dimension>(mut flat: usize, dim: &D) -> D::Pattern {
    let mut index = dim.clone();
    for ax in (0..dim.ndim()).rev() {
        index[ax] = flat % dim[ax];
        flat /= dim[ax];
    }
    index.into_pattern()
}

impl<A, S, D> ParReduce<A, D> for ArrayBase<S, D>
where
    S: Data<Elem = A>,
    D: Dimension,
{
    fn par_fold<T, I, F, C>(&self, identity: I, fold: F, combine: C) -> T
    where
        A: Sync,
        T: Send,
        I: Fn() -> T + Sync,
        F: Fn(T, &A) -> T + Sync,
        C: Fn(T, T) -> T + Sync,
    {
        if let Some(xs) = self.as_slice_memory_order() {
            let flat = Flat::new(xs.len(), size_of::<A>());
            return flat
                .reduce(|r| xs[r].iter().fold(identity(), &fold), combine)
                .unwrap_or_else(identity);
        }
        let v = self.view().into_dyn();
        if v.is_empty() {
            return identity();
        }
        let plan = Plan::new(v.shape(), v.strides(), &[], size_of::<A>());
        let tv = plan.traversal(v);
        plan.reduce(
            |block| plan.blocks.view(&tv, block).iter().fold(identity(), &fold),
            combine,
        )
        .unwrap_or_else(identity)
    }

    fn par_map_reduce<T, M, I, R>(&self, map: M, identity: I, reduce: R) -> T
    where
        A: Sync,
        T: Send,
        M: Fn(&A) -> T + Sync,
        I: Fn() -> T + Sync,
        R: Fn(T, T) -> T + Sync,
    {
        self.par_fold(&identity, |acc, x| reduce(acc, map(x)), &reduce)
    }

    fn par_sum(&self) -> A
    where
        A: Scalar,
    {
        reduce_runs(self, false, |xs, _, _| seq::sum(xs), A::scalar_add)
            .unwrap_or_else(A::scalar_zero)
    }

    fn par_product(&self) -> A
    where
        A: Scalar,
    {
        reduce_runs(self, false, |xs, _, _| seq::product(xs), A::scalar_mul)
            .unwrap_or_else(A::scalar_one)
    }

    fn par_mean(&self) -> Option<A>
    where
        A: Float,
    {
        let n = self.len();
        (n > 0).then(|| self.par_sum() / A::from_count(n))
    }

    fn par_var(&self, ddof: A) -> Option<A>
    where
        A: Float,
    {
        assert!(
            ddof >= A::zero(),
            "par_var: ddof must be a non-negative number, got {ddof:?}"
        );
        let m = reduce_runs(self, false, |xs, _, _| seq::moments(xs), Moments::merge)?;
        let dof = A::from_count(m.count) - ddof;
        (dof > A::zero()).then(|| m.m2 / dof)
    }

    fn par_std(&self, ddof: A) -> Option<A>
    where
        A: Float,
    {
        self.par_var(ddof).map(A::sqrt)
    }

    fn par_min(&self) -> Option<A>
    where
        A: Scalar,
    {
        let lt = |a: A, b: A| a < b;
        reduce_runs(
            self,
            false,
            |xs, _, _| seq::extreme(xs, |x| x, lt),
            |a, b| first_nan_or_better(a, b, lt),
        )
    }

    fn par_max(&self) -> Option<A>
    where
        A: Scalar,
    {
        let gt = |a: A, b: A| a > b;
        reduce_runs(
            self,
            false,
            |xs, _, _| seq::extreme(xs, |x| x, gt),
            |a, b| first_nan_or_better(a, b, gt),
        )
    }

    fn par_argmin(&self) -> Option<D::Pattern>
    where
        A: Scalar,
    {
        arg_extreme(self, |a: A, b: A| a < b)
    }

    fn par_argmax(&self) -> Option<D::Pattern>
    where
        A: Scalar,
    {
        arg_extreme(self, |a: A, b: A| a > b)
    }

    fn par_nansum(&self) -> A
    where
        A: Float,
    {
        reduce_runs(
            self,
            false,
            |xs, _, _| seq::nan_sum_count(xs).0,
            A::scalar_add,
        )
        .unwrap_or_else(A::zero)
    }

    fn par_nanmean(&self) -> Option<A>
    where
        A: Float,
    {
        let (sum, count) = reduce_runs(
            self,
            false,
            |xs, _, _| seq::nan_sum_count(xs),
            |(s1, c1), (s2, c2)| (s1 + s2, c1 + c2),
        )?;
        (count > 0).then(|| sum / A::from_count(count))
    }

    fn par_nanmin(&self) -> Option<A>
    where
        A: Float,
    {
        reduce_runs(
            self,
            false,
            |xs, _, _| seq::nan_min(xs),
            |a, b| match (a, b) {
                (Some(a), Some(b)) => Some(if b < a { b } else { a }),
                (a, b) => a.or(b),
            },
        )?
    }

    fn par_nanmax(&self) -> Option<A>
    where
        A: Float,
    {
        reduce_runs(
            self,
            false,
            |xs, _, _| seq::nan_max(xs),
            |a, b| match (a, b) {
                (Some(a), Some(b)) => Some(if b > a { b } else { a }),
                (a, b) => a.or(b),
            },
        )?
    }

    fn par_norm_l1(&self) -> A
    where
        A: Float,
    {
        reduce_runs(
            self,
            false,
            |xs, _, _| seq::pairwise(xs, A::zero(), A::abs, A::scalar_add),
            A::scalar_add,
        )
        .unwrap_or_else(A::zero)
    }

    fn par_norm_l2(&self) -> A
    where
        A: Float,
    {
        reduce_runs(
            self,
            false,
            |xs, _, _| seq::pairwise(xs, A::zero(), |x: A| x * x, A::scalar_add),
            A::scalar_add,
        )
        .unwrap_or_else(A::zero)
        .sqrt()
    }

    fn par_norm_max(&self) -> A
    where
        A: Float,
    {
        let gt = |a: A, b: A| a > b;
        reduce_runs(
            self,
            false,
            |xs, _, _| seq::extreme(xs, A::abs, gt),
            |a, b| first_nan_or_better(a, b, gt),
        )
        .unwrap_or_else(A::zero)
    }

    fn par_dot<S2>(&self, other: &ArrayBase<S2, D>) -> A
    where
        A: Scalar,
        S2: Data<Elem = A>,
    {
        assert!(
            self.shape() == other.shape(),
            "par_dot: shape mismatch: self has shape {:?}, other has shape {:?}",
            self.shape(),
            other.shape()
        );
        if let (Some(xs), Some(ys)) = (self.as_slice_memory_order(), other.as_slice_memory_order())
            && self.strides() == other.strides()
        {
            let flat = Flat::new(xs.len(), size_of::<A>());
            return flat
                .reduce(|r| seq::dot(&xs[r.clone()], &ys[r]), A::scalar_add)
                .unwrap_or_else(A::scalar_zero);
        }
        if self.is_empty() {
            return A::scalar_zero();
        }
        let (a, b) = (self.view().into_dyn(), other.view().into_dyn());
        let plan = Plan::new(a.shape(), a.strides(), &[b.strides()], size_of::<A>());
        let (ta, tb) = (plan.traversal(a), plan.traversal(b));
        plan.reduce(
            |block| {
                let (va, vb) = (plan.blocks.view(&ta, block), plan.blocks.view(&tb, block));
                let (mut buf_a, mut buf_b) = (Vec::new(), Vec::new());
                seq::dot(contiguous(&va, &mut buf_a), contiguous(&vb, &mut buf_b))
            },
            A::scalar_add,
        )
        .unwrap_or_else(A::scalar_zero)
    }
}

/// Combine step of NaN-propagating min/max: the left NaN, else the right
/// NaN, else the better value (left on ties).
pub(crate) fn first_nan_or_better<A: Scalar>(a: A, b: A, better: impl Fn(A, A) -> bool) -> A {
    if a.scalar_is_nan() {
        a
    } else if b.scalar_is_nan() || better(b, a) {
        b
    } else {
        a
    }
}

fn arg_extreme<A, S, D>(
    a: &ArrayBase<S, D>,
    better: impl Fn(A, A) -> bool + Copy + Sync,
) -> Option<D::Pattern>
where
    A: Scalar,
    S: Data<Elem = A>,
    D: Dimension,
{
    let best: Best<A> = reduce_runs(
        a,
        true,
        |xs, start, positions| arg::best_in(xs, start, positions, better),
        |x, y| arg::prefer(x, y, better),
    )?;
    Some(unravel(best.flat, &a.raw_dim()))
}
