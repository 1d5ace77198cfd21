//! Parallel elementwise maps: [`ParMap`] (new arrays), [`ParMapMut`]
//! (in place) and [`ParMapInto`] (consuming, reusing the buffer).
//!
//! Maps are exact whatever the split, so blocks may run in any order. The
//! output of a map walks memory in the order of the input (the *leader*):
//! a C-order input gives a C-order result, an F-order input an F-order
//! result, exactly like ndarray's sequential `map` on contiguous arrays. Each
//! block writes one contiguous part of the output.
//!
//! ```
//! use ndpar::prelude::*;
//! use ndarray::Array2;
//!
//! let mut a = Array2::from_shape_fn((500, 400), |(i, j)| (i + j) as f64);
//! let b = a.par_mapv(f64::sqrt); // new array
//! a.par_zip_mut_with(&b, |x, &y| *x -= y * y); // in place, zipped
//! assert!(a.iter().all(|&x| x.abs() < 1e-9));
//! ```

use ndarray::{
    Array, ArrayBase, ArrayViewD, Data, DataMut, DataOwned, Dimension, ShapeBuilder, Zip,
};

use crate::plan::{Block, Flat, Plan, for_each, lanes};
use crate::uninit::{Writer, build_vec};

/// Parallel maps that build a new array.
///
/// Implemented for every readable [`ArrayBase`] of any dimension; bring it
/// into scope with `use ndpar::prelude::*;`. Small arrays (below
/// [`Params::min_parallel_len`](crate::Params::min_parallel_len)) are mapped
/// on the calling thread.
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

    /// A new array of `f(&a, &b)` over the elements of `self` and `other`,
    /// which must have the same shape (their layouts may differ).
    ///
    /// # Panics
    ///
    /// If the shapes differ (the message names both), or if `f` panics.
    ///
    /// ```
    /// use ndpar::prelude::*;
    /// use ndarray::Array1;
    ///
    /// let a = Array1::from_iter((0..1000).map(f64::from));
    /// let b = Array1::from_elem(1000, 2.0);
    /// let c = a.par_zip_map(&b, |&x, &y| x + 3.0 * y);
    /// assert_eq!(c[10], 16.0);
    /// ```
    #[track_caller]
    fn par_zip_map<B, C, S2, F>(&self, other: &ArrayBase<S2, D>, f: F) -> Array<C, D>
    where
        S2: Data<Elem = B>,
        A: Sync,
        B: Sync,
        C: Send,
        F: Fn(&A, &B) -> C + Sync;

    /// A new array of `f(&a, &b, &c)` over three arrays of the same shape.
    ///
    /// # Panics
    ///
    /// If the shapes differ (the message names them), or if `f` panics.
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
    fn par_zip3_map<B, C, E, S2, S3, F>(
        &self,
        b: &ArrayBase<S2, D>,
        c: &ArrayBase<S3, D>,
        f: F,
    ) -> Array<E, D>
    where
        S2: Data<Elem = B>,
        S3: Data<Elem = C>,
        A: Sync,
        B: Sync,
        C: Sync,
        E: Send,
        F: Fn(&A, &B, &C) -> E + Sync;
}

/// Parallel maps that modify an array in place.
///
/// Implemented for every mutable [`ArrayBase`] (owned arrays, mutable views,
/// `ArcArray` after un-sharing).
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

    /// Parallel version of `zip_mut_with`: calls `f(&mut a, &b)` for every
    /// element of `self` and the matching element of `rhs`. Like its
    /// sequential twin, `rhs` is broadcast to the shape of `self`.
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
    fn par_zip_mut_with<B, S2, E, F>(&mut self, rhs: &ArrayBase<S2, E>, f: F)
    where
        S2: Data<Elem = B>,
        E: Dimension,
        A: Send,
        B: Sync,
        F: Fn(&mut A, &B) + Sync;

    /// Calls `f(&mut a, &b, &c)` for every element of `self` and the matching
    /// elements of `b` and `c`, both broadcast to the shape of `self`: the
    /// in-place form of [`par_zip3_map`](ParMap::par_zip3_map), for writing
    /// into a preallocated output.
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
    fn par_zip3_mut_with<B, C, S2, S3, E2, E3, F>(
        &mut self,
        b: &ArrayBase<S2, E2>,
        c: &ArrayBase<S3, E3>,
        f: F,
    ) where
        S2: Data<Elem = B>,
        S3: Data<Elem = C>,
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
    fn par_mapv_into<F>(self, f: F) -> Self
    where
        A: Clone + Send,
        F: Fn(A) -> A + Sync;
}

#[track_caller]
fn assert_same_shape(what: &str, a: &[usize], b: &[usize]) {
    assert!(
        a == b,
        "{what}: shape mismatch: self has shape {a:?}, the other array has shape {b:?}"
    );
}

#[track_caller]
fn broadcast_to<'a, B, S: Data<Elem = B>, E: Dimension, D: Dimension>(
    what: &str,
    rhs: &'a ArrayBase<S, E>,
    dim: &D,
) -> ArrayViewD<'a, B> {
    match rhs.broadcast(dim.clone()) {
        Some(v) => v.into_dyn(),
        None => panic!(
            "{what}: cannot broadcast an array of shape {:?} to self's shape {:?}",
            rhs.shape(),
            dim.slice()
        ),
    }
}

/// Builds a new array of the group's logical shape whose traversal order is
/// the plan's: `make(block)` prepares a block's inputs, `fill` writes the
/// block's elements in traversal order.
fn collect<B, D, I, M, F>(plan: &Plan, make: M, fill: F) -> Array<B, D>
where
    B: Send,
    D: Dimension,
    I: Send,
    M: Fn(&Block) -> I,
    F: Fn(I, &mut Writer<'_, B>) + Sync,
{
    let parts = plan
        .parts()
        .into_iter()
        .map(|(block, len)| (make(&block), len))
        .collect();
    let data = build_vec(plan.len(), parts, plan.schedule, fill);
    plan.layout
        .array_from_traversal(data)
        .into_dimensionality::<D>()
        .expect("same number of axes")
}

/// Whether an array of `shape` and `strides` is contiguous in row-major
/// (`fortran = false`) or column-major order. Length-1 axes may have any
/// stride, and an empty array is contiguous.
fn contiguous_in(shape: &[usize], strides: &[isize], fortran: bool) -> bool {
    if shape.contains(&0) {
        return true;
    }
    let mut expected = 1isize;
    let mut check = |ax: usize| {
        if shape[ax] == 1 {
            return true;
        }
        let ok = strides[ax] == expected;
        expected *= shape[ax] as isize;
        ok
    };
    if fortran {
        (0..shape.len()).all(&mut check)
    } else {
        (0..shape.len()).rev().all(&mut check)
    }
}

/// The memory order that arrays of `shape` with the given strides all share
/// when each is contiguous: `Some(false)` for row-major, `Some(true)` for
/// column-major, `None` otherwise.
fn shared_order(shape: &[usize], strides: &[&[isize]]) -> Option<bool> {
    [false, true]
        .into_iter()
        .find(|&fortran| strides.iter().all(|s| contiguous_in(shape, s, fortran)))
}

/// Builds a new array from contiguous inputs that share a memory order:
/// `make(range)` slices the inputs, `fill` writes the part.
fn flat_collect<B, D, I, M, F>(
    dim: D,
    fortran: bool,
    elem_size: usize,
    make: M,
    fill: F,
) -> Array<B, D>
where
    B: Send,
    D: Dimension,
    I: Send,
    M: Fn(std::ops::Range<usize>) -> I,
    F: Fn(I, &mut Writer<'_, B>) + Sync,
{
    let len = dim.size();
    let flat = Flat::for_map(len, elem_size);
    let parts = (0..flat.count())
        .map(|b| {
            let r = flat.range(b);
            let n = r.len();
            (make(r), n)
        })
        .collect();
    let data = build_vec(len, parts, flat.schedule, fill);
    let out = if fortran {
        Array::from_shape_vec(dim.f(), data)
    } else {
        Array::from_shape_vec(dim, data)
    };
    out.expect("buffer length equals the number of elements")
}

/// The traversal view of one member of a group, or `None` for an empty
/// group (which has no blocks, so the view is never needed).
fn traversal<'a, A>(plan: &Plan, a: ArrayViewD<'a, A>) -> Option<ArrayViewD<'a, A>> {
    (plan.len() > 0).then(|| plan.traversal(a))
}

/// Writes `f` of each element of a non-contiguous block, lane by lane in
/// row-major order.
fn fill_lanes<A, B>(x: &ArrayViewD<'_, A>, w: &mut Writer<'_, B>, f: impl Fn(&A) -> B) {
    for lane in lanes(x) {
        match lane.to_slice() {
            Some(xs) => w.write_map(xs, &f),
            None => lane.iter().for_each(|x| w.push(f(x))),
        }
    }
}

impl<A, S, D> ParMap<A, D> for ArrayBase<S, D>
where
    S: Data<Elem = A>,
    D: Dimension,
{
    fn par_map<B, F>(&self, f: F) -> Array<B, D>
    where
        A: Sync,
        B: Send,
        F: Fn(&A) -> B + Sync,
    {
        let size = size_of::<A>().max(size_of::<B>());
        if let Some(fortran) = shared_order(self.shape(), &[self.strides()])
            && let Some(xs) = self.as_slice_memory_order()
        {
            return flat_collect(
                self.raw_dim(),
                fortran,
                size,
                |r| &xs[r],
                |xs, w| w.write_map(xs, &f),
            );
        }
        let a = self.view().into_dyn();
        let plan = Plan::for_map(a.shape(), a.strides(), &[], size);
        let ta = traversal(&plan, a);
        collect(
            &plan,
            |block| plan.blocks.view(ta.as_ref().expect("non-empty"), block),
            |x, w| match x.as_slice() {
                Some(xs) => w.write_map(xs, &f),
                None => fill_lanes(&x, w, &f),
            },
        )
    }

    fn par_mapv<B, F>(&self, f: F) -> Array<B, D>
    where
        A: Clone + Sync,
        B: Send,
        F: Fn(A) -> B + Sync,
    {
        self.par_map(|x| f(x.clone()))
    }

    fn par_zip_map<B, C, S2, F>(&self, other: &ArrayBase<S2, D>, f: F) -> Array<C, D>
    where
        S2: Data<Elem = B>,
        A: Sync,
        B: Sync,
        C: Send,
        F: Fn(&A, &B) -> C + Sync,
    {
        assert_same_shape("par_zip_map", self.shape(), other.shape());
        let size = size_of::<A>().max(size_of::<B>()).max(size_of::<C>());
        if let Some(fortran) = shared_order(self.shape(), &[self.strides(), other.strides()])
            && let (Some(xs), Some(ys)) =
                (self.as_slice_memory_order(), other.as_slice_memory_order())
        {
            return flat_collect(
                self.raw_dim(),
                fortran,
                size,
                |r| (&xs[r.clone()], &ys[r]),
                |(xs, ys), w| w.write_zip(xs, ys, &f),
            );
        }
        let (a, b) = (self.view().into_dyn(), other.view().into_dyn());
        let plan = Plan::for_map(a.shape(), a.strides(), &[b.strides()], size);
        let (ta, tb) = (traversal(&plan, a), traversal(&plan, b));
        collect(
            &plan,
            |block| {
                let (ta, tb) = (
                    ta.as_ref().expect("non-empty"),
                    tb.as_ref().expect("non-empty"),
                );
                (plan.blocks.view(ta, block), plan.blocks.view(tb, block))
            },
            |(x, y), w| match (x.as_slice(), y.as_slice()) {
                (Some(xs), Some(ys)) => w.write_zip(xs, ys, &f),
                _ => {
                    for (lx, ly) in lanes(&x).zip(lanes(&y)) {
                        match (lx.to_slice(), ly.to_slice()) {
                            (Some(xs), Some(ys)) => w.write_zip(xs, ys, &f),
                            _ => lx.iter().zip(ly.iter()).for_each(|(x, y)| w.push(f(x, y))),
                        }
                    }
                }
            },
        )
    }

    fn par_zip3_map<B, C, E, S2, S3, F>(
        &self,
        b: &ArrayBase<S2, D>,
        c: &ArrayBase<S3, D>,
        f: F,
    ) -> Array<E, D>
    where
        S2: Data<Elem = B>,
        S3: Data<Elem = C>,
        A: Sync,
        B: Sync,
        C: Sync,
        E: Send,
        F: Fn(&A, &B, &C) -> E + Sync,
    {
        assert_same_shape("par_zip3_map", self.shape(), b.shape());
        assert_same_shape("par_zip3_map", self.shape(), c.shape());
        let size = [
            size_of::<A>(),
            size_of::<B>(),
            size_of::<C>(),
            size_of::<E>(),
        ]
        .into_iter()
        .max()
        .unwrap_or(1);
        if let Some(fortran) =
            shared_order(self.shape(), &[self.strides(), b.strides(), c.strides()])
            && let (Some(xs), Some(ys), Some(zs)) = (
                self.as_slice_memory_order(),
                b.as_slice_memory_order(),
                c.as_slice_memory_order(),
            )
        {
            return flat_collect(
                self.raw_dim(),
                fortran,
                size,
                |r| (&xs[r.clone()], &ys[r.clone()], &zs[r]),
                |(xs, ys, zs), w| w.write_zip3(xs, ys, zs, &f),
            );
        }
        let (va, vb, vc) = (
            self.view().into_dyn(),
            b.view().into_dyn(),
            c.view().into_dyn(),
        );
        let plan = Plan::for_map(
            va.shape(),
            va.strides(),
            &[vb.strides(), vc.strides()],
            size,
        );
        let (ta, tb, tc) = (
            traversal(&plan, va),
            traversal(&plan, vb),
            traversal(&plan, vc),
        );
        collect(
            &plan,
            |block| {
                let (ta, tb, tc) = (
                    ta.as_ref().expect("non-empty"),
                    tb.as_ref().expect("non-empty"),
                    tc.as_ref().expect("non-empty"),
                );
                (
                    plan.blocks.view(ta, block),
                    plan.blocks.view(tb, block),
                    plan.blocks.view(tc, block),
                )
            },
            |(x, y, z), w| match (x.as_slice(), y.as_slice(), z.as_slice()) {
                (Some(xs), Some(ys), Some(zs)) => w.write_zip3(xs, ys, zs, &f),
                _ => {
                    for ((lx, ly), lz) in lanes(&x).zip(lanes(&y)).zip(lanes(&z)) {
                        lx.iter()
                            .zip(ly.iter())
                            .zip(lz.iter())
                            .for_each(|((x, y), z)| w.push(f(x, y, z)));
                    }
                }
            },
        )
    }
}

/// The contiguous memory of `other` if it lines up element for element with
/// a contiguous array of strides `strides` (same shape assumed).
fn aligned_slice<'a, B>(other: &ArrayViewD<'a, B>, strides: &[isize]) -> Option<&'a [B]> {
    if other.strides() == strides {
        other.clone().to_slice_memory_order()
    } else {
        None
    }
}

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
        if let Some(xs) = self.as_slice_memory_order_mut() {
            let flat = Flat::for_map(xs.len(), size_of::<A>());
            for_each(flat.split_mut(xs), flat.schedule, |xs| {
                xs.iter_mut().for_each(&f)
            });
            return;
        }
        let v = self.view_mut().into_dyn();
        if v.is_empty() {
            return;
        }
        let plan = Plan::for_map(v.shape(), v.strides(), &[], size_of::<A>());
        let blocks = plan.blocks.carve_mut(plan.traversal(v));
        for_each(blocks, plan.schedule, |mut block| {
            match block.as_slice_mut() {
                Some(xs) => xs.iter_mut().for_each(&f),
                None => block.map_inplace(&f),
            }
        });
    }

    fn par_mapv_inplace<F>(&mut self, f: F)
    where
        A: Clone + Send,
        F: Fn(A) -> A + Sync,
    {
        self.par_map_inplace(|x| *x = f(x.clone()));
    }

    fn par_zip_mut_with<B, S2, E, F>(&mut self, rhs: &ArrayBase<S2, E>, f: F)
    where
        S2: Data<Elem = B>,
        E: Dimension,
        A: Send,
        B: Sync,
        F: Fn(&mut A, &B) + Sync,
    {
        let rhs = broadcast_to("par_zip_mut_with", rhs, &self.raw_dim());
        let size = size_of::<A>().max(size_of::<B>());
        let strides = self.strides().to_vec();
        if let Some(rs) = aligned_slice(&rhs, &strides)
            && let Some(xs) = self.as_slice_memory_order_mut()
        {
            let flat = Flat::for_map(xs.len(), size);
            let items = flat
                .split_mut(xs)
                .into_iter()
                .enumerate()
                .map(|(b, xs)| (xs, &rs[flat.range(b)]))
                .collect();
            for_each(items, flat.schedule, |(xs, rs)| {
                xs.iter_mut().zip(rs).for_each(|(x, r)| f(x, r))
            });
            return;
        }
        let v = self.view_mut().into_dyn();
        if v.is_empty() {
            return;
        }
        let plan = Plan::for_map(v.shape(), v.strides(), &[rhs.strides()], size);
        let tr = plan.traversal(rhs);
        let items: Vec<_> = plan
            .blocks
            .carve_mut(plan.traversal(v))
            .into_iter()
            .enumerate()
            .map(|(b, mv)| (mv, plan.blocks.view(&tr, &plan.blocks.block(b))))
            .collect();
        for_each(items, plan.schedule, |(mut mv, rv)| {
            if mv.is_standard_layout() && rv.is_standard_layout() {
                let (ms, rs) = (
                    mv.as_slice_mut().expect("standard"),
                    rv.as_slice().expect("standard"),
                );
                ms.iter_mut().zip(rs).for_each(|(m, r)| f(m, r));
            } else {
                Zip::from(&mut mv).and(&rv).for_each(&f);
            }
        });
    }

    fn par_zip3_mut_with<B, C, S2, S3, E2, E3, F>(
        &mut self,
        b: &ArrayBase<S2, E2>,
        c: &ArrayBase<S3, E3>,
        f: F,
    ) where
        S2: Data<Elem = B>,
        S3: Data<Elem = C>,
        E2: Dimension,
        E3: Dimension,
        A: Send,
        B: Sync,
        C: Sync,
        F: Fn(&mut A, &B, &C) + Sync,
    {
        let dim = self.raw_dim();
        let b = broadcast_to("par_zip3_mut_with", b, &dim);
        let c = broadcast_to("par_zip3_mut_with", c, &dim);
        let size = [size_of::<A>(), size_of::<B>(), size_of::<C>()]
            .into_iter()
            .max()
            .unwrap_or(1);
        let strides = self.strides().to_vec();
        if let (Some(bs), Some(cs)) = (aligned_slice(&b, &strides), aligned_slice(&c, &strides))
            && let Some(xs) = self.as_slice_memory_order_mut()
        {
            let flat = Flat::for_map(xs.len(), size);
            let items = flat
                .split_mut(xs)
                .into_iter()
                .enumerate()
                .map(|(i, xs)| (xs, &bs[flat.range(i)], &cs[flat.range(i)]))
                .collect();
            for_each(items, flat.schedule, |(xs, bs, cs)| {
                xs.iter_mut()
                    .zip(bs)
                    .zip(cs)
                    .for_each(|((x, y), z)| f(x, y, z))
            });
            return;
        }
        let v = self.view_mut().into_dyn();
        if v.is_empty() {
            return;
        }
        let plan = Plan::for_map(v.shape(), v.strides(), &[b.strides(), c.strides()], size);
        let (tb, tc) = (plan.traversal(b), plan.traversal(c));
        let items: Vec<_> = plan
            .blocks
            .carve_mut(plan.traversal(v))
            .into_iter()
            .enumerate()
            .map(|(i, mv)| {
                let block = plan.blocks.block(i);
                (
                    mv,
                    plan.blocks.view(&tb, &block),
                    plan.blocks.view(&tc, &block),
                )
            })
            .collect();
        for_each(items, plan.schedule, |(mut mv, bv, cv)| {
            if mv.is_standard_layout() && bv.is_standard_layout() && cv.is_standard_layout() {
                let ms = mv.as_slice_mut().expect("standard");
                let (bs, cs) = (
                    bv.as_slice().expect("standard"),
                    cv.as_slice().expect("standard"),
                );
                ms.iter_mut()
                    .zip(bs)
                    .zip(cs)
                    .for_each(|((m, x), y)| f(m, x, y));
            } else {
                Zip::from(&mut mv).and(&bv).and(&cv).for_each(&f);
            }
        });
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
        self.par_mapv_inplace(f);
        self
    }
}
