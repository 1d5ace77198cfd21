//! Exact quantiles and medians with numpy's methods: [`ParQuantile`].
//!
//! Quantiles are found by selection (not by sketches and not by a full
//! sort): the order statistics a method needs are selected, and
//! interpolated exactly as numpy does. Large whole arrays are read in place
//! by a parallel radix selection that finds the order statistics of every
//! asked-for quantile in the same passes; smaller ones are copied and
//! selected in; the `_axis` forms select in every lane, lanes in parallel.
//! The result does not depend on the thread count: selection finds values,
//! not positions, and the interpolation is one fixed formula.
//!
//! Of equal values, `-0.0` counts as below `0.0`, so the sign of a zero
//! result depends only on the values.
//!
//! NaN follows numpy: `par_quantile` and `par_median` of data holding a NaN
//! give NaN; the `nan` forms ignore NaNs and give NaN when nothing but NaN
//! is left. An empty input (or an empty axis) gives `None`, where numpy
//! warns and returns NaN.
//!
//! ```
//! use ndpar::prelude::*;
//! use ndpar::QuantileMethod;
//! use ndarray::{array, Axis};
//!
//! let a = array![[10.0, 7.0, 4.0], [3.0, 2.0, 1.0]];
//! assert_eq!(a.par_median(), Some(3.5));
//! assert_eq!(a.par_quantile(0.5, QuantileMethod::Lower), Some(3.0));
//! assert_eq!(a.par_median_axis(Axis(0)), Some(array![6.5, 4.5, 2.5]));
//! assert_eq!(a.par_percentile(25.0, QuantileMethod::Linear), Some(2.25));
//! ```

use std::cmp::Ordering;

use ndarray::{Array, Array1, ArrayD, ArrayRef, ArrayViewD, Axis, RemoveAxis};

mod method;
pub use method::QuantileMethod;
use method::{lerp, plan};

use crate::check;
use crate::element::{Float, OrderKey};
use crate::engine::lanes::map_lanes;
use crate::engine::order::{ArrayKeys, keys_at, schedule_for};
use crate::params::Params;

/// Quantiles, percentiles and medians of arrays of any dimension and
/// layout, whole or along an axis, with numpy's methods and NaN rules.
/// Bring it into scope with `use ndpar::prelude::*;`.
///
/// # Panics
///
/// If `q` is not in `[0, 1]` (or a percentile not in `[0, 100]`), as
/// numpy raises; if `axis` is out of range.
pub trait ParQuantile<A, D: RemoveAxis> {
    /// The `q`-th quantile of all elements (numpy's `np.quantile(a, q,
    /// method=...)`); NaN if any element is NaN; `None` if empty.
    #[track_caller]
    fn par_quantile(&self, q: f64, method: QuantileMethod) -> Option<A>
    where
        A: Float;

    /// Several quantiles of all elements, in the order of `qs`, from one
    /// copy of the data.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndpar::QuantileMethod;
    /// use ndarray::{array, Array1};
    ///
    /// let a = Array1::from_iter((0..101).map(f64::from));
    /// let q = a.par_quantiles(&[0.9, 0.1, 0.5], QuantileMethod::Linear).unwrap();
    /// assert_eq!(q, array![90.0, 10.0, 50.0]);
    /// ```
    #[track_caller]
    fn par_quantiles(&self, qs: &[f64], method: QuantileMethod) -> Option<Array1<A>>
    where
        A: Float;

    /// The `p`-th percentile (`p` in `[0, 100]`), numpy's `np.percentile`.
    #[track_caller]
    fn par_percentile(&self, p: f64, method: QuantileMethod) -> Option<A>
    where
        A: Float;

    /// The median (numpy's `np.median`: the middle value, or `(a + b) / 2`
    /// of the two middle values for an even count, which can differ in the
    /// last bit from the 0.5 quantile); NaN if any element is NaN; `None`
    /// if empty.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::array;
    ///
    /// assert_eq!(array![5.0, 1.0, 3.0].par_median(), Some(3.0));
    /// assert!(array![1.0, f64::NAN].par_median().unwrap().is_nan());
    /// ```
    fn par_median(&self) -> Option<A>
    where
        A: Float;

    /// The `q`-th quantile of the elements that are not NaN
    /// (`np.nanquantile`): NaN if all are NaN; `None` if empty.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndpar::QuantileMethod;
    /// use ndarray::array;
    ///
    /// let a = array![f64::NAN, 1.0, 3.0];
    /// assert_eq!(a.par_nanquantile(0.5, QuantileMethod::Linear), Some(2.0));
    /// assert_eq!(a.par_nanmedian(), Some(2.0));
    /// ```
    #[track_caller]
    fn par_nanquantile(&self, q: f64, method: QuantileMethod) -> Option<A>
    where
        A: Float;

    /// The median of the elements that are not NaN (`np.nanmedian`).
    fn par_nanmedian(&self) -> Option<A>
    where
        A: Float;

    /// The `q`-th quantile of every lane along `axis`; `None` if the axis
    /// is empty.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndpar::QuantileMethod;
    /// use ndarray::{array, Axis};
    ///
    /// let a = array![[1.0, 2.0, 3.0, 4.0], [8.0, 6.0, 4.0, f64::NAN]];
    /// let q = a.par_quantile_axis(0.5, Axis(1), QuantileMethod::Linear).unwrap();
    /// assert_eq!(q[0], 2.5);
    /// assert!(q[1].is_nan());
    /// ```
    #[track_caller]
    fn par_quantile_axis(
        &self,
        q: f64,
        axis: Axis,
        method: QuantileMethod,
    ) -> Option<Array<A, D::Smaller>>
    where
        A: Float;

    /// The median of every lane along `axis`; `None` if the axis is empty.
    #[track_caller]
    fn par_median_axis(&self, axis: Axis) -> Option<Array<A, D::Smaller>>
    where
        A: Float;

    /// The `q`-th quantile of the non-NaN elements of every lane along
    /// `axis`; NaN for a lane of NaNs; `None` if the axis is empty.
    #[track_caller]
    fn par_nanquantile_axis(
        &self,
        q: f64,
        axis: Axis,
        method: QuantileMethod,
    ) -> Option<Array<A, D::Smaller>>
    where
        A: Float;

    /// The median of the non-NaN elements of every lane along `axis`.
    #[track_caller]
    fn par_nanmedian_axis(&self, axis: Axis) -> Option<Array<A, D::Smaller>>
    where
        A: Float;

    /// Several quantiles of every lane along `axis`, from one copy of each
    /// lane: numpy's `np.quantile(a, qs, axis)`, whose result puts the
    /// quantiles first: `out[i]` holds the `qs[i]` quantile of every lane
    /// (the shape is `a`'s with `axis` removed and `qs.len()` in front).
    /// `None` if the axis is empty.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Axis};
    ///
    /// let a = array![[1.0, 2.0, 3.0, 4.0], [10.0, 20.0, 30.0, 40.0]];
    /// let q = a.par_quantiles_axis(&[0.0, 0.5, 1.0], Axis(1), QuantileMethod::Linear).unwrap();
    /// assert_eq!(q, array![[1.0, 10.0], [2.5, 25.0], [4.0, 40.0]]);
    /// ```
    #[track_caller]
    fn par_quantiles_axis(
        &self,
        qs: &[f64],
        axis: Axis,
        method: QuantileMethod,
    ) -> Option<Array<A, D>>
    where
        A: Float;

    /// [`par_quantiles_axis`](ParQuantile::par_quantiles_axis) of the
    /// non-NaN elements (`np.nanquantile(a, qs, axis)`): NaN for a lane
    /// of NaNs.
    #[track_caller]
    fn par_nanquantiles_axis(
        &self,
        qs: &[f64],
        axis: Axis,
        method: QuantileMethod,
    ) -> Option<Array<A, D>>
    where
        A: Float;

    /// The `p`-th percentile (`p` in `[0, 100]`) of every lane along
    /// `axis` (`np.percentile(a, p, axis)`); `None` if the axis is empty.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Axis};
    ///
    /// let a = array![[0.0, 10.0], [4.0, 8.0]];
    /// let p = a.par_percentile_axis(25.0, Axis(0), QuantileMethod::Linear).unwrap();
    /// assert_eq!(p, array![1.0, 8.5]);
    /// ```
    #[track_caller]
    fn par_percentile_axis(
        &self,
        p: f64,
        axis: Axis,
        method: QuantileMethod,
    ) -> Option<Array<A, D::Smaller>>
    where
        A: Float;
}

#[track_caller]
fn check_q(method: &str, q: f64) {
    assert!(
        (0.0..=1.0).contains(&q),
        "{method}: quantiles must be in the range [0, 1], got {q}"
    );
}

/// The order of selection: numpy's for numbers, with `-0.0` before `0.0`
/// (NaNs never reach it). numpy treats the two zeros as equal and returns
/// whichever its partition left at a rank; ndpar picks as if `-0.0` sorted
/// first, so the sign of a zero result depends on the values only, not on
/// their order or layout.
fn cmp<A: Float>(a: &A, b: &A) -> Ordering {
    a.order_key().cmp(&b.order_key())
}

/// What to compute from the sorted data.
#[derive(Clone, Copy)]
enum Want<'q> {
    /// Quantiles by a method.
    Quantiles(&'q [f64], QuantileMethod),
    /// numpy's median: the middle value, or the mean `(a + b) / 2` of the
    /// two middle values (not the quantile's interpolation, which rounds
    /// differently).
    Median,
}

impl Want<'_> {
    fn len(&self) -> usize {
        match self {
            Want::Quantiles(qs, _) => qs.len(),
            Want::Median => 1,
        }
    }
}

/// The smallest value of `values` after position `k` once `values` was
/// partitioned at `k`, i.e. the order statistic `k + 1`.
fn next_after<A: Float>(above: &[A]) -> A {
    *above
        .iter()
        .min_by(|x, y| cmp(*x, *y))
        .expect("a value above")
}

/// What `want` asks of `values` (no NaN, not empty), which it reorders.
fn select<A: Float>(values: &mut [A], want: Want<'_>) -> Vec<A> {
    match want {
        Want::Quantiles(qs, method) => quantiles_of(values, qs, method),
        Want::Median => {
            let n = values.len();
            let (_, &mut a, above) = values.select_nth_unstable_by((n - 1) / 2, cmp);
            if n % 2 == 1 {
                vec![a]
            } else {
                let two = A::one() + A::one();
                vec![(a + next_after(above)) / two]
            }
        }
    }
}

/// The quantiles `qs` of `values` (no NaN, not empty), which it reorders.
fn quantiles_of<A: Float>(values: &mut [A], qs: &[f64], method: QuantileMethod) -> Vec<A> {
    let n = values.len();
    qs.iter()
        .map(|&q| {
            let (lo, hi, weight) = plan(n, q, method);
            let (_, &mut a, above) = values.select_nth_unstable_by(lo, cmp);
            let b = if hi == lo { a } else { next_after(above) };
            match weight {
                None => a,
                Some(t) => lerp(a, b, A::from(t).expect("a finite weight")),
            }
        })
        .collect()
}

/// The quantiles of one lane or of all the data, copied into `buf`: NaN
/// when a NaN is kept (`skip_nan` false), `None` when empty.
fn quantiles_with_nan<A: Float>(
    buf: &mut Vec<A>,
    want: Want<'_>,
    skip_nan: bool,
) -> Option<Vec<A>> {
    if buf.is_empty() {
        return None;
    }
    if skip_nan {
        buf.retain(|x| !x.is_nan());
        if buf.is_empty() {
            return Some(vec![A::nan(); want.len()]);
        }
    } else if buf.iter().any(|x| x.is_nan()) {
        return Some(vec![A::nan(); want.len()]);
    }
    Some(select(buf, want))
}

/// All elements of `a`, copied in parallel (blocks in memory order: the
/// order does not matter to a quantile).
fn copy_all<A: Float, D: RemoveAxis>(a: &ArrayRef<A, D>) -> Vec<A> {
    match a.as_slice_memory_order() {
        Some(xs) => xs.to_vec(),
        None => a.iter().copied().collect(),
    }
}

fn whole<A: Float, D: RemoveAxis>(
    a: &ArrayRef<A, D>,
    want: Want<'_>,
    skip_nan: bool,
) -> Option<Vec<A>> {
    if a.is_empty() {
        return None;
    }
    let long = NARROW_PER_PARALLEL_LEN.saturating_mul(Params::current().min_parallel_len);
    if a.len() >= long.max(NARROW_MIN_LEN) {
        return Some(narrowed(a, want, skip_nan));
    }
    let mut buf = copy_all(a);
    quantiles_with_nan(&mut buf, want, skip_nan)
}

/// Whole arrays of at least this many times
/// [`Params::min_parallel_len`] elements (8 Mi with the default params), and
/// never fewer than [`NARROW_MIN_LEN`], find their order statistics by
/// radix selection (parallel passes over the data in place) rather than by
/// selecting in a full copy: below that, the passes and their 64 Ki-bucket
/// counts cost more than the copy saves (measured with `cargo bench -p
/// ndpar-bench --bench sorting`).
const NARROW_PER_PARALLEL_LEN: usize = 2048;
/// The fewest elements narrowing is ever used for.
const NARROW_MIN_LEN: usize = 1 << 16;

/// The two ranks (`lo ≤ hi`) among `m` sorted numbers that one quantile or
/// the median reads.
fn ranks_of(want: Want<'_>, m: u64) -> Vec<(u64, u64)> {
    match want {
        Want::Median => vec![((m - 1) / 2, m / 2)],
        Want::Quantiles(qs, method) => qs
            .iter()
            .map(|&q| {
                let (lo, hi, _) = plan(m as usize, q, method);
                (lo as u64, hi as u64)
            })
            .collect(),
    }
}

/// What `want` asks of all of `a` (not empty), from the order statistics a
/// radix selection finds in place, every quantile's at once. Without
/// `skip_nan` the largest key is selected too: a NaN there (NaN sorts
/// last) makes every result NaN, as in numpy.
fn narrowed<A: Float, D: RemoveAxis>(a: &ArrayRef<A, D>, want: Want<'_>, skip_nan: bool) -> Vec<A> {
    let source = ArrayKeys {
        array: a.view(),
        skip_nan,
    };
    let mut m = 0;
    // About 5 ns an element for the counting and gathering passes.
    let schedule = schedule_for(a.len(), 5);
    let keys = keys_at(&schedule, &source, |n| {
        m = n;
        if n == 0 {
            return Vec::new();
        }
        let mut ranks: Vec<u64> = ranks_of(want, n)
            .into_iter()
            .flat_map(|(lo, hi)| [lo, hi])
            .collect();
        if !skip_nan {
            ranks.push(n - 1);
        }
        ranks
    });
    if m == 0 || (!skip_nan && keys.last() == Some(&<A::Key as OrderKey>::MAX)) {
        // Nothing but NaN, or a NaN that is not skipped.
        return vec![A::nan(); want.len()];
    }
    let value = |i: usize| A::from_order_key(keys[i]);
    (0..want.len())
        .map(|i| finish(want, i, m as usize, value(2 * i), value(2 * i + 1)))
        .collect()
}

/// The `i`-th value of `want` (a quantile, or the median) of `m` numbers
/// from its two order statistics.
fn finish<A: Float>(want: Want<'_>, i: usize, m: usize, x0: A, x1: A) -> A {
    match want {
        Want::Median if m % 2 == 1 => x0,
        Want::Median => (x0 + x1) / (A::one() + A::one()),
        Want::Quantiles(qs, method) => match plan(m, qs[i], method).2 {
            None => x0,
            Some(t) => lerp(x0, x1, A::from(t).expect("a finite weight")),
        },
    }
}

/// Every value `want` asks of every lane along `axis` (a non-empty axis),
/// one vector per lane, in the lanes' shape.
fn per_lane<A: Float>(
    a: ArrayViewD<'_, A>,
    axis: Axis,
    want: Want<'_>,
    skip_nan: bool,
) -> ArrayD<Vec<A>> {
    map_lanes(a, axis, |part, w| {
        let mut buf = Vec::new();
        for lane in part.lanes(Axis(0)) {
            buf.clear();
            buf.extend(lane.iter().copied());
            w.push(quantiles_with_nan(&mut buf, want, skip_nan).expect("a non-empty lane"));
        }
    })
}

/// The one value `want` asks of every lane along `axis`.
fn along<A: Float, D: RemoveAxis>(
    a: &ArrayRef<A, D>,
    axis: Axis,
    want: Want<'_>,
    skip_nan: bool,
) -> Option<Array<A, D::Smaller>> {
    if a.len_of(axis) == 0 {
        return None;
    }
    let values = per_lane(a.view().into_dyn(), axis, want, skip_nan).map(|v| v[0]);
    Some(
        values
            .into_dimensionality::<D::Smaller>()
            .expect("one axis fewer"),
    )
}

/// Every value `want` asks of every lane along `axis`, the values in front:
/// `out[i]` holds value `i` of every lane.
fn along_many<A: Float, D: RemoveAxis>(
    a: &ArrayRef<A, D>,
    axis: Axis,
    want: Want<'_>,
    skip_nan: bool,
) -> Option<Array<A, D>> {
    if a.len_of(axis) == 0 {
        return None;
    }
    let k = want.len();
    let per_lane = per_lane(a.view().into_dyn(), axis, want, skip_nan);
    let mut shape = vec![k];
    shape.extend_from_slice(per_lane.shape());
    let lanes: Vec<Vec<A>> = per_lane.into_iter().collect();
    let m = lanes.len();
    let values: Vec<A> = (0..k * m).map(|f| lanes[f % m][f / m]).collect();
    Some(
        Array::from_shape_vec(ndarray::IxDyn(&shape), values)
            .expect("one value per quantile and lane")
            .into_dimensionality::<D>()
            .expect("the quantiles take the reduced axis's place"),
    )
}

/// Checks percentile `p` (in `[0, 100]`) for `method`.
#[track_caller]
fn check_p(method: &str, p: f64) {
    assert!(
        (0.0..=100.0).contains(&p),
        "{method}: percentiles must be in the range [0, 100], got {p}"
    );
}

impl<A, D: RemoveAxis> ParQuantile<A, D> for ArrayRef<A, D> {
    fn par_quantile(&self, q: f64, method: QuantileMethod) -> Option<A>
    where
        A: Float,
    {
        check_q("par_quantile", q);
        whole(self, Want::Quantiles(&[q], method), false).map(|v| v[0])
    }

    fn par_quantiles(&self, qs: &[f64], method: QuantileMethod) -> Option<Array1<A>>
    where
        A: Float,
    {
        qs.iter().for_each(|&q| check_q("par_quantiles", q));
        whole(self, Want::Quantiles(qs, method), false).map(Array1::from)
    }

    fn par_percentile(&self, p: f64, method: QuantileMethod) -> Option<A>
    where
        A: Float,
    {
        check_p("par_percentile", p);
        whole(self, Want::Quantiles(&[p / 100.0], method), false).map(|v| v[0])
    }

    fn par_median(&self) -> Option<A>
    where
        A: Float,
    {
        whole(self, Want::Median, false).map(|v| v[0])
    }

    fn par_nanquantile(&self, q: f64, method: QuantileMethod) -> Option<A>
    where
        A: Float,
    {
        check_q("par_nanquantile", q);
        whole(self, Want::Quantiles(&[q], method), true).map(|v| v[0])
    }

    fn par_nanmedian(&self) -> Option<A>
    where
        A: Float,
    {
        whole(self, Want::Median, true).map(|v| v[0])
    }

    fn par_quantile_axis(
        &self,
        q: f64,
        axis: Axis,
        method: QuantileMethod,
    ) -> Option<Array<A, D::Smaller>>
    where
        A: Float,
    {
        check_q("par_quantile_axis", q);
        check::axis("par_quantile_axis", axis, self.ndim());
        along(self, axis, Want::Quantiles(&[q], method), false)
    }

    fn par_median_axis(&self, axis: Axis) -> Option<Array<A, D::Smaller>>
    where
        A: Float,
    {
        check::axis("par_median_axis", axis, self.ndim());
        along(self, axis, Want::Median, false)
    }

    fn par_nanquantile_axis(
        &self,
        q: f64,
        axis: Axis,
        method: QuantileMethod,
    ) -> Option<Array<A, D::Smaller>>
    where
        A: Float,
    {
        check_q("par_nanquantile_axis", q);
        check::axis("par_nanquantile_axis", axis, self.ndim());
        along(self, axis, Want::Quantiles(&[q], method), true)
    }

    fn par_nanmedian_axis(&self, axis: Axis) -> Option<Array<A, D::Smaller>>
    where
        A: Float,
    {
        check::axis("par_nanmedian_axis", axis, self.ndim());
        along(self, axis, Want::Median, true)
    }

    fn par_quantiles_axis(
        &self,
        qs: &[f64],
        axis: Axis,
        method: QuantileMethod,
    ) -> Option<Array<A, D>>
    where
        A: Float,
    {
        qs.iter().for_each(|&q| check_q("par_quantiles_axis", q));
        check::axis("par_quantiles_axis", axis, self.ndim());
        along_many(self, axis, Want::Quantiles(qs, method), false)
    }

    fn par_nanquantiles_axis(
        &self,
        qs: &[f64],
        axis: Axis,
        method: QuantileMethod,
    ) -> Option<Array<A, D>>
    where
        A: Float,
    {
        qs.iter().for_each(|&q| check_q("par_nanquantiles_axis", q));
        check::axis("par_nanquantiles_axis", axis, self.ndim());
        along_many(self, axis, Want::Quantiles(qs, method), true)
    }

    fn par_percentile_axis(
        &self,
        p: f64,
        axis: Axis,
        method: QuantileMethod,
    ) -> Option<Array<A, D::Smaller>>
    where
        A: Float,
    {
        check_p("par_percentile_axis", p);
        check::axis("par_percentile_axis", axis, self.ndim());
        along(self, axis, Want::Quantiles(&[p / 100.0], method), false)
    }
}
