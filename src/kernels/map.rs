//! Parallel elementwise maps: [`ParMap`] (new arrays), [`ParMapMut`] (in
//! place) and [`ParMapInto`] (consuming, reusing the buffer).
//!
//! Maps are exact whatever the split, so blocks may run in any order. The
//! output of a map walks memory in the order of its first input: a C-order
//! input gives a C-order result, an F-order input an F-order result,
//! exactly like ndarray's sequential `map` on contiguous arrays.
//!
//! Zipped maps broadcast like numpy (and like ndarray's arithmetic
//! operators): inputs of shapes `(n, m)` and `(m,)` give an `(n, m)`
//! result, so standardising columns is one call.
//!
//! ```
//! use ndpar::prelude::*;
//! use ndarray::{array, Array2, Axis};
//!
//! let x = Array2::from_shape_fn((500, 4), |(i, j)| (i * (j + 1)) as f64);
//! let mean = x.par_mean_axis(Axis(0)).unwrap();
//! let std = x.par_std_axis(Axis(0), 0.0).unwrap();
//! let z = x.par_zip3_map(&mean, &std, |&v, &m, &s| (v - m) / s); // (500, 4)
//! let z_mean = z.par_mean_axis(Axis(0)).unwrap();
//! assert!(z_mean.iter().all(|m| m.abs() < 1e-12));
//! ```

use ndarray::{Array, ArrayBase, ArrayRef, DataMut, DataOwned, DimMax, Dimension};

use crate::check;
use crate::engine::map::{slices0_into, slices1_into, zip0_into, zip1_into, zip2_into};
use crate::engine::uninit::{map_new1, map_new2, map_new3, zeroed_array};
use crate::plan::Layout;

/// Parallel maps that build a new array.
///
/// Implemented for every readable array: owned arrays, views, shared and
/// copy-on-write arrays of any dimension, and `ArrayRef`; bring it into
/// scope with `use ndpar::prelude::*;`. Small arrays (below
/// [`Params::min_parallel_len`](crate::Params::min_parallel_len)) are
/// mapped on the calling thread.
///
/// The result has the memory order of `self`: C order for a C-order input,
/// F order for an F-order one, and for a strided view the order in which
/// the view walks memory.
pub trait ParMap<A, D: Dimension> {
    /// Parallel version of `map`: a new array of `f(&x)` for every element.
    ///
    /// # Panics
    ///
    /// A panic in `f` propagates to the caller.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::Array2;
    ///
    /// let a = Array2::from_shape_fn((300, 400), |(i, j)| (i * 400 + j) as f64);
    /// let labels = a.par_map(|&x| if x < 1000.0 { "small" } else { "big" });
    /// assert_eq!(labels[[0, 5]], "small");
    /// assert_eq!(labels, a.map(|&x| if x < 1000.0 { "small" } else { "big" }));
    /// ```
    fn par_map<B, F>(&self, f: F) -> Array<B, D>
    where
        A: Sync,
        B: Send,
        F: Fn(&A) -> B + Sync;

    /// Parallel version of `mapv`: a new array of `f(x)` for every element,
    /// passed by value.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{Array1, ShapeBuilder, Array2};
    ///
    /// let a = Array1::<f64>::linspace(0.0, 1.0, 100_000);
    /// let b = a.par_mapv(|x| x.exp() * x.sin());
    /// assert_eq!(b, a.mapv(|x| x.exp() * x.sin()));
    ///
    /// let f = Array2::<f32>::ones((50, 60).f());
    /// assert!(f.par_mapv(|x| x * 2.0).t().is_standard_layout()); // F in, F out
    /// ```
    fn par_mapv<B, F>(&self, f: F) -> Array<B, D>
    where
        A: Clone + Sync,
        B: Send,
        F: Fn(A) -> B + Sync;

    /// A new array from a closure that maps whole runs of values at once:
    /// `f(values, outputs)` must write `outputs[i]` from `values[i]` (the
    /// two slices have the same length), so that it can load several
    /// values at a time, as the [`vmath`](crate::vmath) functions do.
    /// Contiguous parts of `self` reach `f` as they lie in memory; other
    /// lanes are copied through short buffers. The runs' lengths and
    /// starts depend on the layout and the split, so `f` must treat every
    /// element alike, independently of its place in the run: then the
    /// result is the same on any number of threads.
    ///
    /// The result has the memory order of `self`, like [`par_map`](Self::par_map).
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndpar::vmath;
    /// use ndarray::{Array2, s};
    ///
    /// let a = Array2::from_shape_fn((300, 500), |(i, j)| (i as f64 - j as f64) / 100.0);
    /// let t = a.par_map_slices(|x, out| vmath::map(x, out, vmath::tanh));
    /// let libm = a.par_mapv(f64::tanh);
    /// assert!(t.iter().zip(&libm).all(|(a, b)| (a - b).abs() <= 4.0 * f64::EPSILON));
    /// // Any layout: a reversed, stepped view.
    /// let v = a.slice(s![..;-3, 1..;2]);
    /// let doubled = v.par_map_slices(|x, out| {
    ///     for (o, &x) in out.iter_mut().zip(x) {
    ///         *o = 2.0 * x;
    ///     }
    /// });
    /// assert_eq!(doubled, v.mapv(|x| 2.0 * x));
    /// ```
    fn par_map_slices<B, F>(&self, f: F) -> Array<B, D>
    where
        A: Copy + Default + Sync,
        B: Copy + Default + Send,
        F: Fn(&[A], &mut [B]) + Sync;

    /// A new array of `f(&a, &b)` over the elements of `self` and `other`,
    /// broadcast together with numpy's rules (as ndarray's `&a + &b`): the
    /// result has their common shape.
    ///
    /// # Panics
    ///
    /// If the shapes cannot be broadcast together (the message names
    /// both), or if `f` panics.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Array1};
    ///
    /// let a = Array1::from_iter((0..1000).map(f64::from));
    /// let b = Array1::from_elem(1000, 2.0);
    /// let c = a.par_zip_map(&b, |&x, &y| x + 3.0 * y);
    /// assert_eq!(c[10], 16.0);
    ///
    /// // Broadcasting: a column against a row gives a table.
    /// let col = array![[1], [2], [3]];
    /// let row = array![10, 20];
    /// assert_eq!(col.par_zip_map(&row, |&c, &r| c * r), array![[10, 20], [20, 40], [30, 60]]);
    /// ```
    #[track_caller]
    fn par_zip_map<B, C, E, F>(
        &self,
        other: &ArrayRef<B, E>,
        f: F,
    ) -> Array<C, <D as DimMax<E>>::Output>
    where
        D: DimMax<E>,
        E: Dimension,
        A: Sync,
        B: Sync,
        C: Send,
        F: Fn(&A, &B) -> C + Sync;

    /// A new array of `f(&a, &b, &c)` over three arrays broadcast together
    /// (numpy's rules).
    ///
    /// # Panics
    ///
    /// If the shapes cannot be broadcast together (the message names
    /// them), or if `f` panics.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::array;
    ///
    /// let x = array![[1.0f64, 2.0], [3.0, 4.0]];
    /// let lo = array![[0.0, 2.5], [0.0, 5.0]];
    /// let hi = array![[0.5, 3.0], [9.0, 6.0]];
    /// let clipped = x.par_zip3_map(&lo, &hi, |&v, &l, &h| v.clamp(l, h));
    /// assert_eq!(clipped, array![[0.5, 2.5], [3.0, 5.0]]);
    /// ```
    #[track_caller]
    #[allow(clippy::type_complexity)]
    fn par_zip3_map<B, C, E, E2, E3, F>(
        &self,
        b: &ArrayRef<B, E2>,
        c: &ArrayRef<C, E3>,
        f: F,
    ) -> Array<E, <<D as DimMax<E2>>::Output as DimMax<E3>>::Output>
    where
        D: DimMax<E2>,
        <D as DimMax<E2>>::Output: DimMax<E3>,
        E2: Dimension,
        E3: Dimension,
        A: Sync,
        B: Sync,
        C: Sync,
        E: Send,
        F: Fn(&A, &B, &C) -> E + Sync;
}

/// Parallel maps that modify an array in place.
///
/// Implemented for every mutable array (owned arrays, mutable views,
/// `ArcArray` after un-sharing) and for `ArrayRef`.
///
/// If your crate enables ndarray's own `rayon` feature, `ArrayRef` has
/// inherent methods called `par_map_inplace` and `par_mapv_inplace`, which
/// Rust prefers over these for a `&mut ArrayRef` receiver; they do the same
/// thing (an order-free parallel map). On arrays and views ndpar's methods
/// are the ones called.
pub trait ParMapMut<A, D: Dimension> {
    /// Parallel version of `map_inplace`: calls `f` on a mutable reference
    /// to every element.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{Array2, s};
    ///
    /// let mut a = Array2::<i64>::zeros((100, 100));
    /// a.slice_mut(s![.., ..;2]).par_map_inplace(|x| *x += 5);
    /// assert_eq!(a.sum(), 5 * 100 * 50);
    /// ```
    fn par_map_inplace<F>(&mut self, f: F)
    where
        A: Send,
        F: Fn(&mut A) + Sync;

    /// Parallel version of `mapv_inplace`: replaces every element `x` by
    /// `f(x)`.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::Array1;
    ///
    /// let mut a = Array1::from(vec![1.0, 4.0, 9.0]);
    /// a.par_mapv_inplace(f64::sqrt);
    /// assert_eq!(a, Array1::from(vec![1.0, 2.0, 3.0]));
    /// ```
    fn par_mapv_inplace<F>(&mut self, f: F)
    where
        A: Clone + Send,
        F: Fn(A) -> A + Sync;

    /// Updates the array in place, whole runs of values at a time: `f`
    /// must replace every value of its slice by a function of that value
    /// alone (the in-place form of
    /// [`par_map_slices`](ParMap::par_map_slices)).
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndpar::vmath;
    /// use ndarray::Array1;
    ///
    /// let mut a = Array1::from_elem(10_001, 0.0);
    /// a.par_map_slices_inplace(|x| vmath::map_inplace(x, |v| vmath::cos(v) * 2.0));
    /// assert!(a.iter().all(|&v| v == 2.0));
    /// ```
    fn par_map_slices_inplace<F>(&mut self, f: F)
    where
        A: Copy + Default + Send,
        F: Fn(&mut [A]) + Sync;

    /// Parallel version of `zip_mut_with`: calls `f(&mut a, &b)` for every
    /// element of `self` and the matching element of `rhs`, which is
    /// broadcast to the shape of `self`.
    ///
    /// # Panics
    ///
    /// If `rhs` cannot be broadcast to the shape of `self` (the message names
    /// both shapes), or if `f` panics.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::{array, Array2};
    ///
    /// let mut c = Array2::<f64>::zeros((2, 3));
    /// let row = array![1.0, 2.0, 3.0];
    /// c.par_zip_mut_with(&row, |c, &r| *c += 2.0 * r); // broadcasts the row
    /// assert_eq!(c, array![[2.0, 4.0, 6.0], [2.0, 4.0, 6.0]]);
    /// ```
    #[track_caller]
    fn par_zip_mut_with<B, E, F>(&mut self, rhs: &ArrayRef<B, E>, f: F)
    where
        E: Dimension,
        A: Send,
        B: Sync,
        F: Fn(&mut A, &B) + Sync;

    /// Calls `f(&mut a, &b, &c)` for every element of `self` and the
    /// matching elements of `b` and `c`, both broadcast to the shape of
    /// `self`: the in-place form of [`par_zip3_map`](ParMap::par_zip3_map),
    /// for writing into a preallocated output.
    ///
    /// # Panics
    ///
    /// If `b` or `c` cannot be broadcast to the shape of `self` (the message
    /// names the shapes), or if `f` panics.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::Array1;
    ///
    /// let a = Array1::from_elem(10_000, 1.0);
    /// let b = Array1::from_elem(10_000, 2.0);
    /// let mut out = Array1::zeros(10_000);
    /// out.par_zip3_mut_with(&a, &b, |o, &x, &y| *o = x + 3.0 * y);
    /// assert!(out.iter().all(|&v| v == 7.0));
    /// ```
    #[track_caller]
    fn par_zip3_mut_with<B, C, E2, E3, F>(
        &mut self,
        b: &ArrayRef<B, E2>,
        c: &ArrayRef<C, E3>,
        f: F,
    ) where
        E2: Dimension,
        E3: Dimension,
        A: Send,
        B: Sync,
        C: Sync,
        F: Fn(&mut A, &B, &C) + Sync;
}

/// Parallel consuming map that reuses the array's buffer.
pub trait ParMapInto<A, D: Dimension>: Sized {
    /// Parallel version of `mapv_into`: maps every element in place and
    /// returns the array, reusing its allocation.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::Array1;
    ///
    /// let a = Array1::from(vec![1, 2, 3]);
    /// let ptr = a.as_ptr();
    /// let b = a.par_mapv_into(|x| x * 10);
    /// assert_eq!(b, Array1::from(vec![10, 20, 30]));
    /// assert_eq!(b.as_ptr(), ptr); // same buffer
    /// ```
    #[must_use = "the mapped array is returned, not written into a variable"]
    fn par_mapv_into<F>(self, f: F) -> Self
    where
        A: Clone + Send,
        F: Fn(A) -> A + Sync;
}

/// The memory order a map's new output takes: the order of `leader`
/// (the first input) when it has the output's shape and no broadcast
/// axis, else row-major. C and F order need no layout (the common, cheap
/// case); other layouts are planned.
fn output_order<A, D: Dimension>(shape: &[usize], leader: &ArrayRef<A, D>) -> Option<Layout> {
    let (lshape, strides) = (leader.shape(), leader.strides());
    let broadcast = strides.iter().zip(lshape).any(|(&s, &n)| s == 0 && n > 1);
    if lshape != shape || broadcast || leader.is_standard_layout() {
        return None;
    }
    Some(Layout::new(shape, strides, &[]))
}

impl<A, D: Dimension> ParMap<A, D> for ArrayRef<A, D> {
    fn par_map<B, F>(&self, f: F) -> Array<B, D>
    where
        A: Sync,
        B: Send,
        F: Fn(&A) -> B + Sync,
    {
        let layout = output_order(self.shape(), self);
        map_new1(self.raw_dim(), layout.as_ref(), (self.view(),), f)
    }

    fn par_mapv<B, F>(&self, f: F) -> Array<B, D>
    where
        A: Clone + Sync,
        B: Send,
        F: Fn(A) -> B + Sync,
    {
        self.par_map(|x| f(x.clone()))
    }

    fn par_map_slices<B, F>(&self, f: F) -> Array<B, D>
    where
        A: Copy + Default + Sync,
        B: Copy + Default + Send,
        F: Fn(&[A], &mut [B]) + Sync,
    {
        let layout = output_order(self.shape(), self);
        let mut out = zeroed_array(self.raw_dim(), layout.as_ref());
        slices1_into(out.view_mut(), self.view(), f);
        out
    }

    fn par_zip_map<B, C, E, F>(
        &self,
        other: &ArrayRef<B, E>,
        f: F,
    ) -> Array<C, <D as DimMax<E>>::Output>
    where
        D: DimMax<E>,
        E: Dimension,
        A: Sync,
        B: Sync,
        C: Send,
        F: Fn(&A, &B) -> C + Sync,
    {
        const WHAT: &str = "par_zip_map";
        let shape =
            check::broadcast_shape(WHAT, &[("self", self.shape()), ("other", other.shape())]);
        let dim: <D as DimMax<E>>::Output = check::dim_of(&shape);
        let a = check::broadcast_to(WHAT, "self", self, &dim);
        let b = check::broadcast_to(WHAT, "other", other, &dim);
        let layout = output_order(&shape, self);
        map_new2(dim, layout.as_ref(), (a, b), f)
    }

    fn par_zip3_map<B, C, E, E2, E3, F>(
        &self,
        b: &ArrayRef<B, E2>,
        c: &ArrayRef<C, E3>,
        f: F,
    ) -> Array<E, <<D as DimMax<E2>>::Output as DimMax<E3>>::Output>
    where
        D: DimMax<E2>,
        <D as DimMax<E2>>::Output: DimMax<E3>,
        E2: Dimension,
        E3: Dimension,
        A: Sync,
        B: Sync,
        C: Sync,
        E: Send,
        F: Fn(&A, &B, &C) -> E + Sync,
    {
        const WHAT: &str = "par_zip3_map";
        let shape = check::broadcast_shape(
            WHAT,
            &[("self", self.shape()), ("b", b.shape()), ("c", c.shape())],
        );
        let dim: <<D as DimMax<E2>>::Output as DimMax<E3>>::Output = check::dim_of(&shape);
        let va = check::broadcast_to(WHAT, "self", self, &dim);
        let vb = check::broadcast_to(WHAT, "b", b, &dim);
        let vc = check::broadcast_to(WHAT, "c", c, &dim);
        let layout = output_order(&shape, self);
        map_new3(dim, layout.as_ref(), (va, vb, vc), f)
    }
}

impl<A, D: Dimension> ParMapMut<A, D> for ArrayRef<A, D> {
    fn par_map_inplace<F>(&mut self, f: F)
    where
        A: Send,
        F: Fn(&mut A) + Sync,
    {
        zip0_into(self.view_mut(), (), f);
    }

    fn par_mapv_inplace<F>(&mut self, f: F)
    where
        A: Clone + Send,
        F: Fn(A) -> A + Sync,
    {
        zip0_into(self.view_mut(), (), |x: &mut A| *x = f(x.clone()));
    }

    fn par_map_slices_inplace<F>(&mut self, f: F)
    where
        A: Copy + Default + Send,
        F: Fn(&mut [A]) + Sync,
    {
        slices0_into(self.view_mut(), f);
    }

    fn par_zip_mut_with<B, E, F>(&mut self, rhs: &ArrayRef<B, E>, f: F)
    where
        E: Dimension,
        A: Send,
        B: Sync,
        F: Fn(&mut A, &B) + Sync,
    {
        let dim = self.raw_dim();
        let rhs = check::broadcast_to("par_zip_mut_with", "rhs", rhs, &dim);
        zip1_into(self.view_mut(), (rhs,), f);
    }

    fn par_zip3_mut_with<B, C, E2, E3, F>(&mut self, b: &ArrayRef<B, E2>, c: &ArrayRef<C, E3>, f: F)
    where
        E2: Dimension,
        E3: Dimension,
        A: Send,
        B: Sync,
        C: Sync,
        F: Fn(&mut A, &B, &C) + Sync,
    {
        let dim = self.raw_dim();
        let b = check::broadcast_to("par_zip3_mut_with", "b", b, &dim);
        let c = check::broadcast_to("par_zip3_mut_with", "c", c, &dim);
        zip2_into(self.view_mut(), (b, c), f);
    }
}

/// Arrays and views resolve to these methods before reaching `ArrayRef`'s
/// (see the trait docs), whatever features of ndarray are on.
impl<A, S, D> ParMapMut<A, D> for ArrayBase<S, D>
where
    S: DataMut<Elem = A>,
    D: Dimension,
{
    fn par_map_inplace<F>(&mut self, f: F)
    where
        A: Send,
        F: Fn(&mut A) + Sync,
    {
        ParMapMut::par_map_inplace(&mut **self, f)
    }

    fn par_mapv_inplace<F>(&mut self, f: F)
    where
        A: Clone + Send,
        F: Fn(A) -> A + Sync,
    {
        ParMapMut::par_mapv_inplace(&mut **self, f)
    }

    fn par_map_slices_inplace<F>(&mut self, f: F)
    where
        A: Copy + Default + Send,
        F: Fn(&mut [A]) + Sync,
    {
        ParMapMut::par_map_slices_inplace(&mut **self, f)
    }

    fn par_zip_mut_with<B, E, F>(&mut self, rhs: &ArrayRef<B, E>, f: F)
    where
        E: Dimension,
        A: Send,
        B: Sync,
        F: Fn(&mut A, &B) + Sync,
    {
        ParMapMut::par_zip_mut_with(&mut **self, rhs, f)
    }

    fn par_zip3_mut_with<B, C, E2, E3, F>(&mut self, b: &ArrayRef<B, E2>, c: &ArrayRef<C, E3>, f: F)
    where
        E2: Dimension,
        E3: Dimension,
        A: Send,
        B: Sync,
        C: Sync,
        F: Fn(&mut A, &B, &C) + Sync,
    {
        ParMapMut::par_zip3_mut_with(&mut **self, b, c, f)
    }
}

impl<A, S, D> ParMapInto<A, D> for ArrayBase<S, D>
where
    S: DataOwned<Elem = A> + DataMut,
    D: Dimension,
{
    fn par_mapv_into<F>(mut self, f: F) -> Self
    where
        A: Clone + Send,
        F: Fn(A) -> A + Sync,
    {
        ParMapMut::par_mapv_inplace(&mut self, f);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, ShapeBuilder};

    #[test]
    fn outputs_take_the_leaders_memory_order() {
        let c = Array2::<f64>::zeros((3, 4));
        let f = Array2::<f64>::zeros((3, 4).f());
        assert!(output_order(c.shape(), &c).is_none());
        assert!(output_order(&[3, 4], &f).unwrap().is_column_major_order());
        let row = ndarray::Array1::<f64>::zeros(4);
        assert!(
            output_order(&[3, 4], &row).is_none(),
            "broadcast: row-major"
        );
    }
}
