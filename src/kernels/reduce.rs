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

use ndarray::{ArrayRef, Dimension};

use crate::check;
use crate::element::{Float, Scalar};
use crate::engine::num::{empty_product, empty_sum};
use crate::engine::ops::{
    Arg, AsMeans, Extreme, NanExtreme, NanSumCount, ProductOf, SumOf, Var, exact_dot, exact_sum,
    map_sum, mean,
};
use crate::engine::seq;
use crate::engine::whole::{Part, layout_level, reduce, reduce_kernel, reduce_logical};
use crate::plan::contiguous;

/// Parallel reductions over an array of any dimension and layout.
///
/// Implemented for `ArrayRef`, so every readable array reaches it: owned
/// arrays, views, shared and copy-on-write arrays, of any dimension
/// (including `IxDyn`), and a `&ArrayRef` your function was handed. Bring
/// it into scope with `use ndpar::prelude::*;`.
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
/// # Empty arrays and NaN
///
/// Where numpy returns a value for an empty array, so does ndpar:
/// `par_sum` and `par_nansum` give 0, `par_product` 1, the L1 and L2 norms
/// 0. Where numpy raises or warns (`mean`, `var`, `min`, `argmin`, the max
/// norm, …), ndpar returns `None`. `None` means exactly that: no element to
/// reduce (or, for `par_var`, no more than `ddof`). NaN values follow
/// numpy: they propagate through `par_min`, `par_sum` and the like, and the
/// NaN-skipping reductions of an array holding nothing but NaN give NaN.
/// No method panics on empty input.
pub trait ParReduce<A, D: Dimension> {
    /// Parallel version of `fold`: folds each block with `fold`, starting
    /// from `identity()`, and merges block results with `combine`.
    ///
    /// Within a block, elements are visited in memory order (the order in
    /// which the array's memory is walked front to back, as
    /// [`BlockPlan::of`](crate::BlockPlan::of) describes); blocks are
    /// combined left to right in a fixed pairwise tree. If `combine` is
    /// associative and `identity()` is its neutral element, the result
    /// equals a sequential fold over the elements in memory order; even if
    /// not, it is the same on every thread count, because the blocks and
    /// the tree do not depend on it. An empty array gives `identity()`.
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

    /// Parallel version of `sum`: the sum of all elements (0 if empty), in
    /// numpy's result type: the element type for floats, `i64` or `u64`
    /// for integers of up to 64 bits (see [`element`](crate::element)).
    ///
    /// Floats are summed pairwise (see the trait docs); integers exactly.
    ///
    /// # Panics
    ///
    /// If the exact sum of integers does not fit the result type (numpy
    /// would return it wrapped around).
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{Array1, Array2};
    ///
    /// let a = Array2::from_shape_fn((1000, 1000), |(i, j)| (i + j) as f64);
    /// assert_eq!(a.par_sum(), a.sum());
    /// assert_eq!(Array1::<i32>::zeros(0).par_sum(), 0i64);
    /// assert_eq!(Array1::from(vec![u8::MAX, 2]).par_sum(), 257u64); // numpy: uint64
    /// ```
    fn par_sum(&self) -> A::Sum
    where
        A: Scalar;

    /// Parallel version of `product`: the product of all elements (1 if
    /// empty), in numpy's result type (as [`par_sum`](ParReduce::par_sum)).
    /// Floats are multiplied pairwise; integers exactly.
    ///
    /// # Panics
    ///
    /// If the exact product of integers does not fit the result type.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::Array1;
    ///
    /// let a = Array1::from_iter(1..=10u8);
    /// assert_eq!(a.par_product(), 3_628_800u64);
    /// assert_eq!(Array1::<f32>::zeros(0).par_product(), 1.0);
    /// ```
    fn par_product(&self) -> A::Sum
    where
        A: Scalar;

    /// Parallel version of `mean`: the arithmetic mean, or `None` if the
    /// array is empty. The sum is pairwise; integers give the `f64` mean
    /// of their values as `f64` (numpy's).
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::Array1;
    ///
    /// assert_eq!(Array1::from(vec![1.0, 2.0, 6.0]).par_mean(), Some(3.0));
    /// assert_eq!(Array1::<f64>::zeros(0).par_mean(), None);
    /// assert_eq!(Array1::from(vec![1u8, 2]).par_mean(), Some(1.5f64));
    /// ```
    fn par_mean(&self) -> Option<A::Mean>
    where
        A: Scalar;

    /// Parallel version of `var`: the variance with `ddof` delta degrees of
    /// freedom, `Σ(x - mean)² / (n - ddof)`. `ddof = 0` gives the population
    /// variance, `ddof = 1` the unbiased sample variance.
    ///
    /// Each block computes its mean and squared deviations in two passes;
    /// blocks are merged with Chan et al.'s update, which stays accurate for
    /// data with a large mean (never `E[x²] - E[x]²`). Returns `None` if
    /// `n ≤ ddof` (including the empty array).
    ///
    /// Integers give an `f64`: the variance of their `f64` values, as
    /// numpy's.
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
    /// assert_eq!(Array1::from(vec![1i32, 2, 3, 4]).par_var(0.0), Some(1.25f64));
    /// ```
    #[track_caller]
    fn par_var(&self, ddof: A::Mean) -> Option<A::Mean>
    where
        A: Scalar;

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
    fn par_std(&self, ddof: A::Mean) -> Option<A::Mean>
    where
        A: Scalar;

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

    /// numpy's `argmin` without `axis`: the flat index of the smallest
    /// element in logical row-major order (what
    /// [`par_argmin`](ParReduce::par_argmin) unravels), or `None` if the
    /// array is empty. Ties and NaN as there.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::array;
    ///
    /// let a = array![[4.0, 1.0, 7.0], [0.5, 9.0, 2.0]];
    /// assert_eq!(a.par_argmin_flat(), Some(3));
    /// assert_eq!(a.t().par_argmin_flat(), Some(1)); // row-major in the transpose
    /// ```
    fn par_argmin_flat(&self) -> Option<usize>
    where
        A: Scalar;

    /// numpy's `argmax` without `axis`: the flat index of the largest
    /// element; conventions as [`par_argmin_flat`](ParReduce::par_argmin_flat).
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::array;
    ///
    /// let a = array![[4.0, 1.0], [9.0, f64::NAN]];
    /// assert_eq!(a.par_argmax_flat(), Some(3)); // the first NaN, as numpy
    /// ```
    fn par_argmax_flat(&self) -> Option<usize>
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

    /// The mean of the non-NaN elements (numpy's `nanmean`): NaN if every
    /// element is NaN, `None` if the array is empty.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Array1};
    ///
    /// assert_eq!(array![1.0, f64::NAN, 3.0].par_nanmean(), Some(2.0));
    /// assert!(array![f64::NAN].par_nanmean().unwrap().is_nan());
    /// assert_eq!(Array1::<f64>::zeros(0).par_nanmean(), None);
    /// ```
    fn par_nanmean(&self) -> Option<A>
    where
        A: Float;

    /// The smallest non-NaN element (numpy's `nanmin`): NaN if every
    /// element is NaN, `None` if the array is empty.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::array;
    ///
    /// assert_eq!(array![f32::NAN, 2.0, -1.0].par_nanmin(), Some(-1.0));
    /// assert!(array![f32::NAN].par_nanmin().unwrap().is_nan());
    /// ```
    fn par_nanmin(&self) -> Option<A>
    where
        A: Float;

    /// The largest non-NaN element (numpy's `nanmax`): NaN if every element
    /// is NaN, `None` if the array is empty.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Array1};
    ///
    /// assert_eq!(array![f32::NAN, 2.0, -1.0].par_nanmax(), Some(2.0));
    /// assert_eq!(Array1::<f32>::zeros(0).par_nanmax(), None);
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

    /// The max norm `max|x|` (numpy's `norm(x, inf)` of the flattened
    /// array); NaN if any element is NaN; `None` if the array is empty
    /// (numpy raises there).
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Array1};
    ///
    /// assert_eq!(array![3.0, -4.0, 1.0].par_norm_max(), Some(4.0));
    /// assert_eq!(Array1::<f64>::zeros(0).par_norm_max(), None);
    /// ```
    fn par_norm_max(&self) -> Option<A>
    where
        A: Float;

    /// The sum of elementwise products `Σ self[i] * other[i]` of two arrays
    /// of the same shape, whatever their dimension: numpy's `vdot` (for
    /// real numbers), which flattens both arrays. For 2-D arrays this is
    /// *not* the matrix product (`a.dot(&b)`, or
    /// [`par_matmul`](crate::par_matmul)). Floats are summed pairwise;
    /// integers wrap. The layouts may differ.
    ///
    /// # Panics
    ///
    /// If the shapes differ (the message names both).
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Array2};
    ///
    /// let a = Array2::from_shape_fn((100, 100), |(i, j)| (i as f64) - (j as f64));
    /// let b = Array2::<f64>::ones((100, 100));
    /// assert_eq!(a.par_vdot(&b), 0.0);
    /// assert_eq!(a.par_vdot(&a.t()), -a.par_vdot(&a)); // layouts may differ
    /// assert_eq!(array![[1, 2], [3, 4]].par_vdot(&array![[1, 1], [1, 1]]), 10);
    /// ```
    #[track_caller]
    fn par_vdot(&self, other: &ArrayRef<A, D>) -> A
    where
        A: Scalar;

    /// The exact sum: the correctly rounded value of the real sum of all
    /// elements (0 if empty).
    ///
    /// The result does not depend on anything but the values: not on the
    /// order, the memory layout, the block size, the thread count or the
    /// machine, so it is the level of reproducibility to use when a result
    /// must be reproduced from another file, cluster or library (see
    /// [`state::ExactSum`](crate::state::ExactSum) for the rules on
    /// infinities, NaN, overflow and zeros). It costs about two to three
    /// times [`par_sum`](ParReduce::par_sum) on one thread and far less
    /// once the sum is limited by memory bandwidth.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{Array1, Array2};
    ///
    /// let a = Array1::from(vec![1e16, 1.0, 1.0, -1e16]);
    /// assert_eq!(a.par_sum(), 0.0); // rounding ate both ones
    /// assert_eq!(a.par_sum_exact(), 2.0);
    /// // Same bits for any layout, block size and thread count:
    /// let m = Array2::from_shape_fn((300, 70), |(i, j)| 1.0 / (1.0 + (i * 70 + j) as f64));
    /// let f = m.t().to_owned().reversed_axes(); // the same matrix in F order
    /// assert_eq!(m.par_sum_exact(), f.par_sum_exact());
    /// ```
    fn par_sum_exact(&self) -> A
    where
        A: Float;

    /// The exact mean: the real sum divided by the number of elements,
    /// rounded once (see [`par_sum_exact`](ParReduce::par_sum_exact));
    /// `None` if empty.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::Array1;
    ///
    /// let a = Array1::from(vec![1e16, 1.0, -1e16, 2.0]);
    /// assert_eq!(a.par_mean_exact(), Some(0.75));
    /// assert_eq!(Array1::<f32>::zeros(0).par_mean_exact(), None);
    /// ```
    fn par_mean_exact(&self) -> Option<A>
    where
        A: Float;

    /// The exact dot product of two arrays of the same shape (numpy's
    /// `vdot` for real numbers, like [`par_vdot`](ParReduce::par_vdot)):
    /// every product formed exactly, the real sum rounded once, so the
    /// result depends on nothing but the values (see
    /// [`state::ExactDot`](crate::state::ExactDot)). The layouts may
    /// differ.
    ///
    /// # Panics
    ///
    /// If the shapes differ (the message names both).
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::array;
    ///
    /// let x = array![1e20, 3.0, -1e20];
    /// let y = array![1.0, 1.0, 1.0];
    /// assert_eq!(x.par_vdot(&y), 0.0);
    /// assert_eq!(x.par_dot_exact(&y), 3.0);
    /// ```
    #[track_caller]
    fn par_dot_exact(&self, other: &ArrayRef<A, D>) -> A
    where
        A: Float;
}

/// Row-major flat index → index pattern of `dim`'s shape.
pub(crate) fn unravel<D: Dimension>(mut flat: usize, dim: &D) -> D::Pattern {
    let mut index = dim.clone();
    for ax in (0..dim.ndim()).rev() {
        index[ax] = flat % dim[ax];
        flat /= dim[ax];
    }
    index.into_pattern()
}

/// `kernel` over the whole of `a`; `None` when `a` is empty.
fn whole<A: Clone + Sync, D: Dimension, K: crate::engine::ReduceKernel<A>>(
    a: &ArrayRef<A, D>,
    kernel: K,
) -> Option<K::Out> {
    reduce_kernel(a.view(), &kernel)
}

/// The variance with `ddof` in numpy's result type; `None` when `n ≤ ddof`.
#[track_caller]
fn var<A: Scalar, D: Dimension>(
    a: &ArrayRef<A, D>,
    method: &str,
    ddof: A::Mean,
) -> Option<A::Mean> {
    check::ddof(method, ddof);
    if <A::Mean as Float>::from_count(a.len()) <= ddof {
        return None;
    }
    whole(a, AsMeans(Var { ddof }))
}

fn lt<A: PartialOrd>(a: A, b: A) -> bool {
    a < b
}

fn gt<A: PartialOrd>(a: A, b: A) -> bool {
    a > b
}

impl<A, D: Dimension> ParReduce<A, D> for ArrayRef<A, D> {
    fn par_fold<T, I, F, C>(&self, identity: I, fold: F, combine: C) -> T
    where
        A: Sync,
        T: Send,
        I: Fn() -> T + Sync,
        F: Fn(T, &A) -> T + Sync,
        C: Fn(T, T) -> T + Sync,
    {
        reduce(
            (self.view(),),
            true,
            |block| match block.part {
                Part::Run((xs,)) => xs.iter().fold(identity(), &fold),
                Part::Views((v,)) => v.iter().fold(identity(), &fold),
            },
            &combine,
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

    fn par_sum(&self) -> A::Sum
    where
        A: Scalar,
    {
        whole(self, SumOf { method: "par_sum" }).unwrap_or_else(empty_sum::<A>)
    }

    fn par_product(&self) -> A::Sum
    where
        A: Scalar,
    {
        whole(
            self,
            ProductOf {
                method: "par_product",
            },
        )
        .unwrap_or_else(empty_product::<A>)
    }

    fn par_mean(&self) -> Option<A::Mean>
    where
        A: Scalar,
    {
        whole(self, AsMeans(mean(self.len())))
    }

    fn par_var(&self, ddof: A::Mean) -> Option<A::Mean>
    where
        A: Scalar,
    {
        var(self, "par_var", ddof)
    }

    fn par_std(&self, ddof: A::Mean) -> Option<A::Mean>
    where
        A: Scalar,
    {
        var(self, "par_std", ddof).map(num_traits::Float::sqrt)
    }

    fn par_min(&self) -> Option<A>
    where
        A: Scalar,
    {
        whole(
            self,
            Extreme {
                map: |x| x,
                better: lt,
            },
        )
    }

    fn par_max(&self) -> Option<A>
    where
        A: Scalar,
    {
        whole(
            self,
            Extreme {
                map: |x| x,
                better: gt,
            },
        )
    }

    fn par_argmin(&self) -> Option<D::Pattern>
    where
        A: Scalar,
    {
        let flat = whole(self, Arg { better: lt })?;
        Some(unravel(flat, &self.raw_dim()))
    }

    fn par_argmin_flat(&self) -> Option<usize>
    where
        A: Scalar,
    {
        whole(self, Arg { better: lt })
    }

    fn par_argmax_flat(&self) -> Option<usize>
    where
        A: Scalar,
    {
        whole(self, Arg { better: gt })
    }

    fn par_argmax(&self) -> Option<D::Pattern>
    where
        A: Scalar,
    {
        let flat = whole(self, Arg { better: gt })?;
        Some(unravel(flat, &self.raw_dim()))
    }

    fn par_nansum(&self) -> A
    where
        A: Float,
    {
        whole(self, NanSumCount).map_or_else(A::zero, |(s, _)| s)
    }

    fn par_nanmean(&self) -> Option<A>
    where
        A: Float,
    {
        // 0/0 is NaN: numpy's value when every element is NaN.
        whole(self, NanSumCount).map(|(s, c)| s / A::from_count(c))
    }

    fn par_nanmin(&self) -> Option<A>
    where
        A: Float,
    {
        whole(self, NanExtreme { op: A::min })
    }

    fn par_nanmax(&self) -> Option<A>
    where
        A: Float,
    {
        whole(self, NanExtreme { op: A::max })
    }

    fn par_norm_l1(&self) -> A
    where
        A: Float,
    {
        whole(self, map_sum(A::abs)).unwrap_or_else(A::zero)
    }

    fn par_norm_l2(&self) -> A
    where
        A: Float,
    {
        whole(self, map_sum(|x: A| x * x))
            .unwrap_or_else(A::zero)
            .sqrt()
    }

    fn par_norm_max(&self) -> Option<A>
    where
        A: Float,
    {
        whole(
            self,
            Extreme {
                map: A::abs,
                better: gt,
            },
        )
    }

    fn par_vdot(&self, other: &ArrayRef<A, D>) -> A
    where
        A: Scalar,
    {
        check::same_shape("par_vdot", ("self", self.shape()), ("other", other.shape()));
        let (a, b) = (self.view(), other.view());
        if layout_level() {
            return reduce_logical(
                [a.into_dyn(), b.into_dyn()],
                |[xs, ys], _| seq::dot(xs, ys),
                A::scalar_add,
            )
            .unwrap_or_else(A::scalar_zero);
        }
        reduce(
            (a, b),
            true,
            |block| match block.part {
                Part::Run((xs, ys)) => seq::dot(xs, ys),
                Part::Views((va, vb)) => {
                    let (mut buf_a, mut buf_b) = (Vec::new(), Vec::new());
                    seq::dot(contiguous(&va, &mut buf_a), contiguous(&vb, &mut buf_b))
                }
            },
            A::scalar_add,
        )
        .unwrap_or_else(A::scalar_zero)
    }

    fn par_sum_exact(&self) -> A
    where
        A: Float,
    {
        exact_sum(self).sum()
    }

    fn par_mean_exact(&self) -> Option<A>
    where
        A: Float,
    {
        exact_sum(self).mean()
    }

    fn par_dot_exact(&self, other: &ArrayRef<A, D>) -> A
    where
        A: Float,
    {
        check::same_shape(
            "par_dot_exact",
            ("self", self.shape()),
            ("other", other.shape()),
        );
        exact_dot(self, other).value()
    }
}
