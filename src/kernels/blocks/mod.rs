//! Chunked block kernels, dask.array's niche: a function on every block of
//! an array cut along one axis ([`ParBlocks::par_map_blocks`]), the same
//! with a halo of neighbouring elements and a [`Boundary`] rule at the
//! array's edges ([`ParBlocks::par_map_overlap`]), in-place block work
//! ([`ParBlocksMut::par_for_each_block_mut`]), and two stencils built on
//! them ([`par_correlate_2d`], [`par_convolve_1d`]). [`BlockPlan`] tells how
//! an array is or would be cut.
//!
//! ```
//! use ndpar::prelude::*;
//! use ndpar::blocks::Boundary;
//! use ndarray::{array, Axis};
//!
//! // A 3-point moving average along a signal, 4 elements per block.
//! let x = array![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0];
//! let avg = x.par_map_overlap(Axis(0), 4, 1, Boundary::Nearest, |b| {
//!     let n = b.len() - 2;
//!     ndarray::Array1::from_shape_fn(n, |i| (b[i] + b[i + 1] + b[i + 2]) / 3.0)
//! });
//! assert_eq!(avg[0], (1.0 + 1.0 + 2.0) / 3.0);
//! assert_eq!(avg[3], 4.0);
//! ```

mod plan;
mod stencil;

pub use plan::BlockPlan;
#[cfg(feature = "mpi")]
pub(crate) use stencil::correlate_extended_rows;
pub use stencil::{par_convolve_1d, par_correlate_2d, par_correlate_2d_into};

use ndarray::{
    Array, ArrayD, ArrayRef, ArrayView, ArrayViewD, ArrayViewMut, Axis, CowArray, Dimension, IxDyn,
    Slice,
};

use crate::check;
use crate::engine::uninit::build_vec;
use crate::plan::{Schedule, cut_into};

/// How a halo is filled beyond the array's edges along the blocked axis
/// (the names and meanings of scipy.ndimage's modes). For an axis
/// `a b c d`, a halo of 2 on each side sees:
///
/// | mode | left halo | right halo |
/// |---|---|---|
/// | `Reflect` (half-sample symmetric; numpy `pad(mode="symmetric")`) | `b a` | `d c` |
/// | `Constant(v)` | `v v` | `v v` |
/// | `Nearest` (edge value repeated) | `a a` | `d d` |
/// | `Periodic` (wrap around) | `c d` | `a b` |
///
/// `Reflect` and `Periodic` need the halo to be at most the axis length.
///
/// ```
/// use ndpar::blocks::Boundary;
/// assert_eq!(Boundary::<f64>::Reflect.source(-1, 4), Some(0));
/// assert_eq!(Boundary::<f64>::Periodic.source(5, 4), Some(1));
/// assert_eq!(Boundary::Constant(0.0).source(-1, 4), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Boundary<A> {
    /// Mirror at the edge, repeating the edge element.
    Reflect,
    /// A constant value.
    Constant(A),
    /// The nearest edge element.
    Nearest,
    /// Wrap around to the other end.
    Periodic,
}

impl<A> Boundary<A> {
    /// The mode's name, for messages (needs no `A: Debug`).
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Boundary::Reflect => "Reflect",
            Boundary::Constant(_) => "Constant",
            Boundary::Nearest => "Nearest",
            Boundary::Periodic => "Periodic",
        }
    }

    /// Panics (naming `what`) if this mode cannot make a halo of `halo`
    /// along an axis of length `n`: `Reflect` and `Periodic` reach at most
    /// one axis length beyond each end.
    #[track_caller]
    pub(crate) fn check_halo(&self, what: &str, halo: usize, n: usize) {
        if matches!(self, Boundary::Reflect | Boundary::Periodic) {
            assert!(
                halo <= n,
                "{what}: a halo of {halo} is longer than the axis ({n}); {} allows at most the axis length",
                self.name()
            );
        }
    }

    /// The in-bounds index whose value position `i` takes on an axis of
    /// length `n`, or `None` for a constant. In-range `i` map to
    /// themselves.
    ///
    /// # Panics
    ///
    /// For `Reflect` and `Periodic` when `i` lies more than `n` outside the
    /// axis, and for any mode other than `Constant` when `n = 0`.
    ///
    /// ```
    /// use ndpar::blocks::Boundary;
    /// assert_eq!(Boundary::<u8>::Nearest.source(-3, 4), Some(0));
    /// assert_eq!(Boundary::<u8>::Reflect.source(5, 4), Some(2));
    /// assert_eq!(Boundary::<u8>::Nearest.source(2, 4), Some(2));
    /// ```
    #[track_caller]
    pub fn source(&self, i: isize, n: usize) -> Option<usize> {
        let n_i = n as isize;
        if (0..n_i).contains(&i) {
            return Some(i as usize);
        }
        assert!(
            matches!(self, Boundary::Constant(_)) || n > 0,
            "a halo needs a non-empty axis"
        );
        match self {
            Boundary::Constant(_) => None,
            Boundary::Nearest => Some(i.clamp(0, n_i - 1) as usize),
            Boundary::Periodic => {
                assert!(
                    i >= -n_i && i < 2 * n_i,
                    "Periodic halo longer than the axis ({n})"
                );
                Some(i.rem_euclid(n_i) as usize)
            }
            Boundary::Reflect => {
                assert!(
                    i >= -n_i && i < 2 * n_i,
                    "Reflect halo longer than the axis ({n})"
                );
                Some(if i < 0 { -i - 1 } else { 2 * n_i - i - 1 } as usize)
            }
        }
    }
}

/// Parallel block kernels over an array cut along one axis.
///
/// Blocks are `[0, block_len)`, `[block_len, 2·block_len)`, … along `axis`
/// (the last may be shorter; see [`BlockPlan::along`]); every other axis is
/// whole. Blocks run in parallel and their outputs are joined along `axis`
/// in block order, so the result does not depend on the thread count.
pub trait ParBlocks<A, D: Dimension> {
    /// `f` of every block along `axis`, joined along `axis` (dask's
    /// `map_blocks`). Each output must have the block's length on every
    /// other axis; along `axis` it may have any length (a block of 100 rows
    /// may become 10 rows, say).
    ///
    /// # Panics
    ///
    /// If `axis` is out of bounds, `block_len` is 0, or an output has the
    /// wrong shape (the message names the block and both shapes).
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{Array1, Axis};
    ///
    /// // Sum every 4 samples (decimate by 4).
    /// let x = Array1::from_iter(0..16);
    /// let sums = x.par_map_blocks(Axis(0), 4, |b| Array1::from_elem(1, b.sum()));
    /// assert_eq!(sums, Array1::from(vec![6, 22, 38, 54]));
    /// ```
    #[track_caller]
    fn par_map_blocks<B, F>(&self, axis: Axis, block_len: usize, f: F) -> Array<B, D>
    where
        A: Sync,
        B: Send,
        F: Fn(ArrayView<'_, A, D>) -> Array<B, D> + Sync;

    /// Like [`par_map_blocks`](ParBlocks::par_map_blocks), but each block
    /// is handed with `halo` extra elements on each side along `axis`
    /// (filled by `boundary` beyond the array's edges), and `f` returns the
    /// output for the block without its halo: exactly the block's shape
    /// (dask's `map_overlap`, with `trim=True`). Blocks away from the edges
    /// see a view of the array itself; edge blocks see a padded copy.
    ///
    /// An empty axis gives an empty result (`f` is not called).
    ///
    /// # Panics
    ///
    /// If `axis` is out of bounds, `block_len` is 0, the halo is longer
    /// than a non-empty axis for `Reflect` or `Periodic`, a block with its
    /// halo would be larger than memory can address, or an output does
    /// not have its block's shape (the message names the block).
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndpar::blocks::Boundary;
    /// use ndarray::{array, Array1, Axis};
    ///
    /// // Discrete second derivative with periodic ends.
    /// let x = array![0.0, 1.0, 4.0, 9.0, 16.0];
    /// let d2 = x.par_map_overlap(Axis(0), 2, 1, Boundary::Periodic, |b| {
    ///     Array1::from_shape_fn(b.len() - 2, |i| b[i] - 2.0 * b[i + 1] + b[i + 2])
    /// });
    /// assert_eq!(d2, array![17.0, 2.0, 2.0, 2.0, -23.0]);
    /// ```
    #[track_caller]
    fn par_map_overlap<B, F>(
        &self,
        axis: Axis,
        block_len: usize,
        halo: usize,
        boundary: Boundary<A>,
        f: F,
    ) -> Array<B, D>
    where
        A: Clone + Sync,
        B: Send,
        F: Fn(ArrayView<'_, A, D>) -> Array<B, D> + Sync;
}

/// Parallel in-place block work.
pub trait ParBlocksMut<A, D: Dimension> {
    /// Calls `f(index, block)` on every block along `axis` (see
    /// [`BlockPlan::along`]) in parallel, with mutable access.
    ///
    /// # Panics
    ///
    /// If `axis` is out of bounds or `block_len` is 0.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{Array2, Axis};
    ///
    /// let mut a = Array2::<usize>::zeros((10, 3));
    /// a.par_for_each_block_mut(Axis(0), 4, |i, mut b| b.fill(i));
    /// assert_eq!(a.column(0).to_vec(), vec![0, 0, 0, 0, 1, 1, 1, 1, 2, 2]);
    /// ```
    #[track_caller]
    fn par_for_each_block_mut<F>(&mut self, axis: Axis, block_len: usize, f: F)
    where
        A: Send,
        F: Fn(usize, ArrayViewMut<'_, A, D>) + Sync;
}

/// Checks the arguments every block kernel takes.
#[track_caller]
fn check_blocks(method: &str, axis: Axis, ndim: usize, block_len: usize) {
    check::axis(method, axis, ndim);
    check::block_len(method, block_len);
}

/// A shape for messages: `[3, any]`, with `usize::MAX` meaning any length.
fn shape_pattern(shape: &[usize]) -> String {
    let parts: Vec<String> = shape
        .iter()
        .map(|&n| {
            if n == usize::MAX {
                "any".to_string()
            } else {
                n.to_string()
            }
        })
        .collect();
    format!("[{}]", parts.join(", "))
}

/// Joins block outputs along `axis` in order, moving their elements.
/// `expected(i)` gives block `i`'s required shape, with `usize::MAX` along
/// `axis` meaning any length there.
#[track_caller]
fn join<B: Send, D: Dimension>(
    what: &str,
    axis: Axis,
    outputs: Vec<Array<B, D>>,
    input_shape: &[usize],
    expected: impl Fn(usize) -> Vec<usize>,
) -> Array<B, D> {
    let ax = axis.index();
    for (i, out) in outputs.iter().enumerate() {
        let want = expected(i);
        let ok = out.ndim() == want.len()
            && out
                .shape()
                .iter()
                .zip(&want)
                .all(|(&g, &w)| w == usize::MAX || g == w);
        assert!(
            ok,
            "{what}: block {i} returned an array of shape {:?}, expected {}",
            out.shape(),
            shape_pattern(&want)
        );
    }
    let total_axis: usize = outputs.iter().map(|o| o.len_of(axis)).sum();
    let mut shape = input_shape.to_vec();
    shape[ax] = total_axis;
    // Axis-first order makes every block's output one contiguous run.
    let mut order = vec![ax];
    order.extend((0..shape.len()).filter(|&a| a != ax));
    let front_shape: Vec<usize> = order.iter().map(|&a| shape[a]).collect();
    let parts: Vec<_> = outputs
        .into_iter()
        .map(|o| {
            let len = o.len();
            (o, len)
        })
        .collect();
    let total = parts.iter().map(|p| p.1).sum();
    let schedule = Schedule::for_len(total, parts.len());
    let data = build_vec(total, parts, schedule, |o: Array<B, D>, w| {
        let o = o.into_dyn().permuted_axes(IxDyn(&order));
        if o.is_standard_layout() {
            // Already in the order we need: move the buffer's elements.
            let len = o.len();
            let (vec, offset) = o.into_raw_vec_and_offset();
            vec.into_iter()
                .skip(offset.unwrap_or(0))
                .take(len)
                .for_each(|x| w.push(x));
        } else {
            o.into_iter().for_each(|x| w.push(x));
        }
    });
    let mut inverse = vec![0; order.len()];
    for (t, &a) in order.iter().enumerate() {
        inverse[a] = t;
    }
    ArrayD::from_shape_vec(IxDyn(&front_shape), data)
        .expect("lengths add up")
        .permuted_axes(IxDyn(&inverse))
        .into_dimensionality::<D>()
        .expect("same number of axes")
}

/// Panics unless a block of `block_len` planes with `halo` planes on each
/// side is addressable (at most `isize::MAX` bytes): the arithmetic on a
/// caller's halo is checked before any block is built.
#[track_caller]
fn check_padded_block<A>(shape: &[usize], axis: Axis, block_len: usize, halo: usize) {
    let planes = halo.checked_mul(2).and_then(|h| h.checked_add(block_len));
    let lens = |planes: usize| {
        let mut lens = shape.to_vec();
        lens[axis.index()] = planes;
        lens
    };
    assert!(
        planes
            .and_then(|p| check::addressable_bytes::<A>(lens(p)))
            .is_some(),
        "par_map_overlap: a halo of {halo} makes blocks of {block_len} planes along axis {} larger than memory can address",
        axis.index()
    );
}

/// Block `i`'s input for an overlap kernel: the block with `halo` elements
/// on each side along `axis`, a view when it lies inside the array, else a
/// copy padded by `boundary` (built from at most five pieces, whatever the
/// halo).
fn extended<'a, A: Clone>(
    v: &ArrayViewD<'a, A>,
    axis: Axis,
    range: std::ops::Range<usize>,
    halo: usize,
    boundary: &Boundary<A>,
) -> Result<ArrayViewD<'a, A>, ArrayD<A>> {
    let n = v.len_of(axis);
    // Planes of the halo that lie beyond each end of the axis. (The halo
    // fits in memory, checked by the caller, so these sums do not
    // overflow.)
    let left = halo.saturating_sub(range.start);
    let right = (range.end + halo).saturating_sub(n);
    let inner = range.start - (halo - left)..range.end + (halo - right);
    let inside = v.clone().slice_axis_move(axis, Slice::from(inner));
    if left == 0 && right == 0 {
        return Ok(inside);
    }
    let before = beyond(v, axis, End::Start, left, boundary);
    let after = beyond(v, axis, End::Stop, right, boundary);
    let pieces: Vec<ArrayViewD<'_, A>> = before
        .iter()
        .map(|c| c.view())
        .chain([inside])
        .chain(after.iter().map(|c| c.view()))
        .collect();
    Err(ndarray::concatenate(axis, &pieces).expect("pieces share every other axis"))
}

/// One end of an axis.
#[derive(Clone, Copy)]
enum End {
    Start,
    Stop,
}

/// The `k` planes `boundary` puts beyond one end of `v` along `axis`, in
/// axis order: a slice of `v` for `Reflect` and `Periodic` (which need
/// `k ≤ n`, checked by the caller), a broadcast copy of the constant or
/// the edge plane otherwise; nothing for `k = 0`.
fn beyond<'v, A: Clone>(
    v: &ArrayViewD<'v, A>,
    axis: Axis,
    end: End,
    k: usize,
    boundary: &Boundary<A>,
) -> Option<CowArray<'v, A, IxDyn>> {
    if k == 0 {
        return None;
    }
    let n = v.len_of(axis);
    let mut shape = v.shape().to_vec();
    shape[axis.index()] = k;
    let stretch = |plane: ArrayViewD<'_, A>| {
        let planes = plane.broadcast(IxDyn(&shape));
        CowArray::from(
            planes
                .expect("a plane broadcasts along its axis")
                .to_owned(),
        )
    };
    let slice = |s: Slice| CowArray::from(v.clone().slice_axis_move(axis, s));
    Some(match (boundary, end) {
        (Boundary::Constant(c), _) => stretch(ndarray::arr0(c.clone()).into_dyn().view()),
        (Boundary::Nearest, End::Start) => stretch(v.slice_axis(axis, Slice::from(..1))),
        (Boundary::Nearest, End::Stop) => stretch(v.slice_axis(axis, Slice::from(n - 1..))),
        // Positions -k..-1 read k-1, …, 0; n..n+k-1 read n-1, …, n-k.
        (Boundary::Reflect, End::Start) => slice(Slice::new(0, Some(k as isize), -1)),
        (Boundary::Reflect, End::Stop) => slice(Slice::new((n - k) as isize, None, -1)),
        // Positions -k..-1 read n-k..n-1; n..n+k-1 read 0..k-1.
        (Boundary::Periodic, End::Start) => slice(Slice::from(n - k..)),
        (Boundary::Periodic, End::Stop) => slice(Slice::from(..k)),
    })
}

impl<A, D: Dimension> ParBlocks<A, D> for ArrayRef<A, D> {
    fn par_map_blocks<B, F>(&self, axis: Axis, block_len: usize, f: F) -> Array<B, D>
    where
        A: Sync,
        B: Send,
        F: Fn(ArrayView<'_, A, D>) -> Array<B, D> + Sync,
    {
        check_blocks("par_map_blocks", axis, self.ndim(), block_len);
        let plan = BlockPlan::along(self.len_of(axis), block_len);
        let schedule = Schedule::for_len(self.len(), plan.len());
        let v = self.view();
        let outputs = schedule.map_collect(plan.len(), |i| {
            f(v.slice_axis(axis, Slice::from(plan.block(i))))
        });
        let shape = self.shape().to_vec();
        let mut any_length = shape.clone();
        any_length[axis.index()] = usize::MAX;
        join("par_map_blocks", axis, outputs, &shape, |_| {
            any_length.clone()
        })
    }

    fn par_map_overlap<B, F>(
        &self,
        axis: Axis,
        block_len: usize,
        halo: usize,
        boundary: Boundary<A>,
        f: F,
    ) -> Array<B, D>
    where
        A: Clone + Sync,
        B: Send,
        F: Fn(ArrayView<'_, A, D>) -> Array<B, D> + Sync,
    {
        check_blocks("par_map_overlap", axis, self.ndim(), block_len);
        let n = self.len_of(axis);
        if n > 0 {
            // An empty axis has no blocks, so no halo to build.
            boundary.check_halo("par_map_overlap", halo, n);
            check_padded_block::<A>(self.shape(), axis, block_len.min(n), halo);
        }
        let plan = BlockPlan::along(n, block_len);
        let v = self.view().into_dyn();
        let schedule = Schedule::for_len(self.len(), plan.len());
        let outputs = schedule.map_collect(plan.len(), |i| {
            let ext = extended(&v, axis, plan.block(i), halo, &boundary);
            let block = match &ext {
                Ok(view) => view.view(),
                Err(owned) => owned.view(),
            };
            f(block
                .into_dimensionality::<D>()
                .expect("same number of axes"))
        });
        let shape = self.shape().to_vec();
        join("par_map_overlap", axis, outputs, &shape, |i| {
            let mut s = shape.clone();
            s[axis.index()] = plan.block(i).len();
            s
        })
    }
}

impl<A, D: Dimension> ParBlocksMut<A, D> for ArrayRef<A, D> {
    fn par_for_each_block_mut<F>(&mut self, axis: Axis, block_len: usize, f: F)
    where
        A: Send,
        F: Fn(usize, ArrayViewMut<'_, A, D>) + Sync,
    {
        check_blocks("par_for_each_block_mut", axis, self.ndim(), block_len);
        let plan = BlockPlan::along(self.len_of(axis), block_len);
        let schedule = Schedule::for_len(self.len(), plan.len());
        let blocks = cut_into(self.view_mut(), axis, plan.iter().map(|r| r.len()));
        schedule.for_each(blocks.into_iter().enumerate().collect(), |(i, b)| f(i, b));
    }
}
