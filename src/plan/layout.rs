//! Layout normalisation: the order in which a group of same-shape arrays is
//! walked.
//!
//! The *leader* (the first input, or the output of an in-place kernel)
//! decides the order, so that it is read or written front to back in memory:
//!
//! 1. axes are sorted outermost-first: length-1 axes, then broadcast
//!    (stride 0) axes, then the others by decreasing `|stride|`
//!    (a stable sort, so ties keep their logical order);
//! 2. axes the leader walks backwards (negative stride) are inverted;
//! 3. adjacent axes that are contiguous with each other in *every* array of
//!    the group are merged, and length-1 axes are dropped.
//!
//! The result is the *traversal view*: for a contiguous array (C, F, or any
//! permutation or reversal of them) a 1-D view of stride 1. The same
//! transformation is applied to every array in the group, so element `i` of
//! one traversal view pairs with element `i` of the others.
//!
//! All of this depends only on shapes and strides, never on threads.

use ndarray::{ArrayBase, ArrayD, Axis, IxDyn, RawData};

/// How a group of same-shape arrays is walked (see the module docs).
#[derive(Clone, Debug)]
pub(crate) struct Layout {
    /// The logical shape.
    shape: Vec<usize>,
    /// Traversal axis `t` is logical axis `perm[t]`.
    perm: Vec<usize>,
    /// Whether traversal axis `t` is walked backwards.
    flip: Vec<bool>,
    /// Merged axes, outermost first: inclusive ranges of traversal axes.
    groups: Vec<(usize, usize)>,
    /// Number of elements.
    len: usize,
    /// Traversal order is the logical row-major order.
    logical_order: bool,
    /// Traversal order is the logical column-major order.
    column_order: bool,
}

impl Layout {
    /// The layout of a group of arrays of logical `shape`, ordered by the
    /// leader's strides; `others` are the strides of the other members.
    pub(crate) fn new(shape: &[usize], leader: &[isize], others: &[&[isize]]) -> Layout {
        let ndim = shape.len();
        let mut perm: Vec<usize> = (0..ndim).collect();
        // Outermost first: length-1 axes (0), broadcast axes (1), then by
        // decreasing |stride| (2). The sort is stable.
        perm.sort_by_key(|&a| {
            let class = if shape[a] <= 1 {
                0
            } else if leader[a] == 0 {
                1
            } else {
                2
            };
            (class, std::cmp::Reverse(leader[a].unsigned_abs()))
        });
        let flip: Vec<bool> = perm
            .iter()
            .map(|&a| shape[a] > 1 && leader[a] < 0)
            .collect();

        // Strides of each array in traversal order, after the flips.
        let traversal_strides = |strides: &[isize]| -> Vec<isize> {
            perm.iter()
                .zip(&flip)
                .map(|(&a, &f)| if f { -strides[a] } else { strides[a] })
                .collect()
        };
        let mut all = vec![traversal_strides(leader)];
        all.extend(others.iter().map(|s| traversal_strides(s)));

        // Length-1 axes sort first, so the axes that matter are a suffix.
        let first = perm.iter().position(|&a| shape[a] > 1).unwrap_or(ndim);
        let mut groups = Vec::new();
        if first < ndim {
            // Grow groups from the innermost axis outwards.
            let mut inner = ndim - 1;
            let mut glen = shape[perm[inner]];
            let mut lo = inner;
            for t in (first..ndim - 1).rev() {
                let mergeable = all
                    .iter()
                    .all(|s| s[t] == (glen as isize).wrapping_mul(s[inner]));
                if mergeable {
                    glen *= shape[perm[t]];
                    lo = t;
                } else {
                    groups.push((lo, inner));
                    inner = t;
                    lo = t;
                    glen = shape[perm[t]];
                }
            }
            groups.push((lo, inner));
            groups.reverse();
        }

        let nontrivial: Vec<usize> = perm[first..].to_vec();
        let flipped = flip.contains(&true);
        let logical_order = nontrivial.windows(2).all(|w| w[0] < w[1]) && !flipped;
        let column_order = nontrivial.windows(2).all(|w| w[0] > w[1]) && !flipped;
        Layout {
            shape: shape.to_vec(),
            perm,
            flip,
            groups,
            len: shape.iter().product(),
            logical_order,
            column_order,
        }
    }

    /// Number of elements.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Shape of the traversal view (at least one axis).
    pub(crate) fn merged_shape(&self) -> Vec<usize> {
        if self.len == 0 {
            return vec![0];
        }
        let merged: Vec<usize> = self
            .groups
            .iter()
            .map(|&(lo, hi)| (lo..=hi).map(|t| self.shape[self.perm[t]]).product())
            .collect();
        if merged.is_empty() { vec![1] } else { merged }
    }

    /// The stride (in elements) that the innermost axis of the traversal
    /// view has for an array of this group with logical `strides`; 0 when
    /// every axis has length 1.
    pub(crate) fn innermost_stride(&self, strides: &[isize]) -> isize {
        self.groups
            .last()
            .map_or(0, |&(_, hi)| strides[self.perm[hi]])
    }

    /// Logical shape permuted into traversal order (no merging, length-1
    /// axes kept). A C-order buffer of this shape, walked front to back,
    /// visits elements in traversal order.
    pub(crate) fn traversal_shape(&self) -> Vec<usize> {
        self.perm.iter().map(|&a| self.shape[a]).collect()
    }

    /// `true` if traversal order equals logical row-major order, so that an
    /// earlier traversal position is always an earlier logical index.
    pub(crate) fn is_logical_order(&self) -> bool {
        self.logical_order
    }

    /// `true` if traversal order equals logical column-major (F) order.
    pub(crate) fn is_column_major_order(&self) -> bool {
        self.column_order
    }

    /// Turns a view of the group (any member) into its traversal view.
    ///
    /// Must not be called for empty arrays (there is nothing to walk).
    pub(crate) fn apply<S: RawData>(&self, a: ArrayBase<S, IxDyn>) -> ArrayBase<S, IxDyn> {
        self.apply_after(a, 0)
    }

    /// Like [`apply`](Layout::apply) on the axes after the first `lead` axes
    /// of `a`, which stay as they are in front: the layout describes
    /// `a.shape()[lead..]`. Axis kernels use this to keep the reduced axis
    /// apart while the other axes are normalised (`lead = 1`).
    pub(crate) fn apply_after<S: RawData>(
        &self,
        a: ArrayBase<S, IxDyn>,
        lead: usize,
    ) -> ArrayBase<S, IxDyn> {
        debug_assert_eq!(&a.shape()[lead..], &self.shape[..]);
        debug_assert!(self.len > 0);
        let perm: Vec<usize> = (0..lead)
            .chain(self.perm.iter().map(|&p| p + lead))
            .collect();
        let mut v = a.permuted_axes(IxDyn(&perm));
        for (t, &f) in self.flip.iter().enumerate() {
            if f {
                v.invert_axis(Axis(lead + t));
            }
        }
        for &(lo, hi) in &self.groups {
            for t in (lo..hi).rev() {
                let merged = v.merge_axes(Axis(lead + t), Axis(lead + hi));
                debug_assert!(merged, "layout planned a merge the strides do not allow");
            }
        }
        for t in (lead..v.ndim()).rev() {
            if v.len_of(Axis(t)) == 1 {
                v = v.index_axis_move(Axis(t), 0);
            }
        }
        if v.ndim() == lead {
            v = v.insert_axis(Axis(lead));
        }
        debug_assert_eq!(&v.shape()[lead..], &self.merged_shape()[..]);
        v
    }

    /// The array of logical shape whose elements, in traversal order, are
    /// `data`: the inverse of walking it. Kernels that build a new array
    /// write it in traversal order (one contiguous part per block) and call
    /// this at the end.
    pub(crate) fn array_from_traversal<B>(&self, data: Vec<B>) -> ArrayD<B> {
        let mut out = ArrayD::from_shape_vec(IxDyn(&self.traversal_shape()), data)
            .expect("buffer length equals the number of elements");
        for (t, &f) in self.flip.iter().enumerate() {
            if f {
                out.invert_axis(Axis(t));
            }
        }
        let mut inverse = vec![0; self.perm.len()];
        for (t, &axis) in self.perm.iter().enumerate() {
            inverse[axis] = t;
        }
        out.permuted_axes(IxDyn(&inverse))
    }

    /// Writes into `index` the logical index of the element at traversal
    /// position `pos`.
    pub(crate) fn logical_index(&self, mut pos: usize, index: &mut [usize]) {
        for t in (0..self.perm.len()).rev() {
            let n = self.shape[self.perm[t]];
            let i = pos % n;
            pos /= n;
            index[self.perm[t]] = if self.flip[t] { n - 1 - i } else { i };
        }
    }

    /// Row-major flat index (in the logical shape) of the element at
    /// traversal position `pos`.
    pub(crate) fn logical_flat(&self, pos: usize) -> usize {
        if self.logical_order {
            return pos;
        }
        let mut index = vec![0; self.shape.len()];
        self.logical_index(pos, &mut index);
        index
            .iter()
            .zip(&self.shape)
            .fold(0, |flat, (&i, &n)| flat * n + i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array3, ShapeBuilder, s};

    fn layout_of(a: &ndarray::ArrayViewD<'_, f64>) -> Layout {
        Layout::new(a.shape(), a.strides(), &[])
    }

    #[test]
    fn contiguous_layouts_merge_to_one_axis() {
        let c = Array3::<f64>::zeros((3, 4, 5)).into_dyn();
        let f = Array3::<f64>::zeros((3, 4, 5).f()).into_dyn();
        let r = c.slice(s![..;-1, .., ..;-1]).into_dyn();
        let t = c.view().reversed_axes();
        for v in [c.view(), f.view(), r, t] {
            let l = layout_of(&v);
            assert_eq!(l.merged_shape(), vec![60]);
            let tv = l.apply(v.clone());
            assert_eq!(tv.strides(), &[1]);
        }
    }

    #[test]
    fn strided_layout_keeps_axes_and_maps_positions_back() {
        let a = Array3::from_shape_fn((4, 3, 6), |(i, j, k)| (i * 100 + j * 10 + k) as f64);
        // Every other element, reversed on one axis: one uniform stride.
        let v = a.slice(s![.., ..;-1, ..;2]).into_dyn();
        let l = layout_of(&v);
        assert_eq!(l.apply(v.clone()).strides(), &[2]);
        // Dropping a row breaks the uniform stride between the outer axes.
        let v = a.slice(s![.., 1.., ..;-2]).into_dyn();
        let l = layout_of(&v);
        let tv = l.apply(v.clone());
        assert_eq!(tv.shape(), &[4, 6]);
        assert_eq!(tv.strides(), &[18, 2]);
        assert!(!l.is_logical_order());
        let mut index = vec![0; 3];
        for (pos, x) in tv.iter().enumerate() {
            l.logical_index(pos, &mut index);
            assert_eq!(*x, v[&index[..]]);
        }
    }

    #[test]
    fn logical_flat_matches_row_major_order() {
        let a = Array3::from_shape_fn((2, 3, 4).f(), |(i, j, k)| (i * 12 + j * 4 + k) as f64);
        let v = a.view().into_dyn();
        let l = layout_of(&v);
        let tv = l.apply(v);
        for (pos, x) in tv.iter().enumerate() {
            assert_eq!(l.logical_flat(pos), *x as usize);
        }
    }

    #[test]
    fn broadcast_axes_go_outermost() {
        let row = ndarray::Array1::from_vec(vec![1.0f64, 2.0, 3.0]);
        let b = row.broadcast((5, 3)).unwrap().into_dyn();
        let l = layout_of(&b);
        assert_eq!(l.merged_shape(), vec![5, 3]);
        let tv = l.apply(b);
        assert_eq!(tv.strides(), &[0, 1]);
    }

    #[test]
    fn merging_requires_every_member_to_allow_it() {
        let c = Array3::<f64>::zeros((3, 4, 5)).into_dyn();
        let f = Array3::<f64>::zeros((3, 4, 5).f()).into_dyn();
        let l = Layout::new(c.shape(), c.strides(), &[f.strides()]);
        assert_eq!(l.merged_shape(), vec![3, 4, 5]);
        let l = Layout::new(c.shape(), c.strides(), &[c.strides()]);
        assert_eq!(l.merged_shape(), vec![60]);
    }
}
