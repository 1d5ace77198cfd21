//! [`Group`]: the inputs of a kernel (none, one, two or three views of one
//! logical shape), so that each driver is written once for any number of
//! inputs.

use std::ops::Range;

use ndarray::{ArrayView, ArrayViewD, Dimension};

use crate::plan::{Block, Blocks, Layout};

/// Same-shape views walked together. Implemented for `()` and for tuples
/// of one to three `ArrayView`s of one dimension type. The flat path uses
/// the views as they are (cheap for fixed dimensions); the general path
/// turns them into their dynamic-dimensional traversal views.
pub(crate) trait Group<'v>: Sync + Sized {
    /// One memory slice per member.
    type Slices: Copy + Send + Sync;
    /// The same views with dynamic dimensions.
    type Dyn: Group<'v, Slices = Self::Slices, Dyn = Self::Dyn>;

    /// The members' strides, in order.
    fn strides(&self) -> Vec<&[isize]>;

    /// The first member's shape and strides (`None` for no member).
    fn first(&self) -> Option<(&[usize], &[isize])>;

    /// Every member's memory as one slice, if each member is contiguous
    /// with exactly the strides `order`: then element `i` of every slice
    /// is the same logical element.
    fn memory(&self, order: &[isize]) -> Option<Self::Slices>;

    /// Every member's elements as one row-major slice, if each member is
    /// in standard (row-major contiguous) layout.
    fn standard(&self) -> Option<Self::Slices>;

    /// Positions `r` of every slice.
    fn sub(s: Self::Slices, r: Range<usize>) -> Self::Slices;

    /// Every member's traversal view under `layout`.
    fn traversal(&self, layout: &Layout) -> Self::Dyn;

    /// Every member's part of block `block` (of traversal views).
    fn block(&self, blocks: &Blocks, block: &Block) -> Self::Dyn;

    /// The largest element size among the members.
    fn elem_size() -> usize;
}

impl Group<'_> for () {
    type Slices = ();
    type Dyn = ();

    fn strides(&self) -> Vec<&[isize]> {
        Vec::new()
    }
    fn first(&self) -> Option<(&[usize], &[isize])> {
        None
    }
    fn memory(&self, _: &[isize]) -> Option<()> {
        Some(())
    }
    fn standard(&self) -> Option<()> {
        Some(())
    }
    fn sub((): (), _: Range<usize>) {}
    fn traversal(&self, _: &Layout) {}
    fn block(&self, _: &Blocks, _: &Block) {}
    fn elem_size() -> usize {
        0
    }
}

macro_rules! group_of_views {
    ($($A:ident $i:tt),+) => {
        impl<'v, D: Dimension, $($A: Sync),+> Group<'v> for ($(ArrayView<'v, $A, D>,)+) {
            type Slices = ($(&'v [$A],)+);
            type Dyn = ($(ArrayViewD<'v, $A>,)+);

            fn strides(&self) -> Vec<&[isize]> {
                vec![$(self.$i.strides()),+]
            }

            fn first(&self) -> Option<(&[usize], &[isize])> {
                Some((self.0.shape(), self.0.strides()))
            }

            fn memory(&self, order: &[isize]) -> Option<Self::Slices> {
                Some(($(
                    if self.$i.strides() == order {
                        self.$i.to_slice_memory_order()?
                    } else {
                        return None;
                    },
                )+))
            }

            fn standard(&self) -> Option<Self::Slices> {
                Some(($(self.$i.to_slice()?,)+))
            }

            fn sub(s: Self::Slices, r: Range<usize>) -> Self::Slices {
                ($(&s.$i[r.clone()],)+)
            }

            fn traversal(&self, layout: &Layout) -> Self::Dyn {
                ($(layout.apply(self.$i.clone().into_dyn()),)+)
            }

            fn block(&self, blocks: &Blocks, block: &Block) -> Self::Dyn {
                ($(blocks.view(&self.$i.clone().into_dyn(), block),)+)
            }

            fn elem_size() -> usize {
                [$(size_of::<$A>()),+].into_iter().max().unwrap_or(0)
            }
        }
    };
}

group_of_views!(A 0);
group_of_views!(A 0, B 1);
group_of_views!(A 0, B 1, C 2);
