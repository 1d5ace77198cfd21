//! The whole-array driver: a group of arrays cut into the blocks of a
//! [`WholePlan`], each block handed to a kernel as memory slices (flat
//! plans) or as traversal sub-views (general plans). Reductions combine
//! block results along the fixed tree; maps write each block's part of an
//! output (see `map.rs`).

use ndarray::{ArrayView, ArrayViewD, Dimension};

use super::ReduceKernel;
use super::group::Group;
use crate::params::Params;
use crate::plan::{Positions, WholeCut, WholePlan, contiguous, reduce_block_len};

/// Where a run of elements starts: the traversal position of its first
/// element, and how traversal positions map to logical row-major indices.
#[derive(Clone, Copy, Debug)]
pub(crate) struct At<'a> {
    pub(crate) start: usize,
    pub(crate) positions: Positions<'a>,
}

impl At<'_> {
    /// The start of a run already in logical order (a lane along an axis).
    pub(crate) fn logical(start: usize) -> At<'static> {
        At {
            start,
            positions: Positions::RowMajor,
        }
    }
}

/// One block of a group: every member's memory slice, or every member's
/// traversal sub-view.
pub(crate) enum Part<S, G> {
    Run(S),
    Views(G),
}

/// One block as a kernel sees it.
pub(crate) struct BlockOf<'p, S, G> {
    pub(crate) part: Part<S, G>,
    pub(crate) at: At<'p>,
}

impl<'v, A: Clone + Sync> BlockOf<'_, (&'v [A],), (ArrayViewD<'v, A>,)> {
    /// The block's elements in traversal order as one slice: its own
    /// memory, or a copy gathered into `buf`.
    pub(crate) fn slice<'b>(&'b self, buf: &'b mut Vec<A>) -> &'b [A] {
        match &self.part {
            Part::Run((xs,)) => xs,
            Part::Views((v,)) => contiguous(v, buf),
        }
    }
}

/// A group cut into blocks, ready to hand each block to a kernel.
pub(crate) struct Walk<'v, G: Group<'v>> {
    pub(crate) plan: WholePlan,
    /// `None` when the group is empty (no block will be asked for).
    source: Option<Part<G::Slices, G::Dyn>>,
}

/// What fixes a walk's traversal order.
#[derive(Clone, Copy)]
pub(crate) enum Lead<'s> {
    /// The first member of the group (a reduction).
    First,
    /// An output of this shape and these strides, walked with the group
    /// (a map); `contiguous` says whether its memory is one slice.
    Output {
        shape: &'s [usize],
        strides: &'s [isize],
        contiguous: bool,
    },
}

impl<'v, G: Group<'v>> Walk<'v, G> {
    /// Plans `group` behind `lead`. The flat cut is taken when `flat_ok`
    /// and every member's memory lines up with the lead's as one slice
    /// (and the lead's memory is one slice).
    #[inline]
    pub(crate) fn new(
        group: G,
        lead: Lead<'_>,
        flat_ok: bool,
        block_len: usize,
        params: Params,
    ) -> Self {
        let (shape, order, lead_flat) = match lead {
            Lead::First => {
                let (shape, strides) = group.first().expect("a reduction has an input");
                (shape, strides, true)
            }
            Lead::Output {
                shape,
                strides,
                contiguous,
            } => (shape, strides, contiguous),
        };
        let memory = if flat_ok && lead_flat {
            group.memory(order)
        } else {
            None
        };
        let plan = match memory {
            Some(_) => WholePlan::new(shape, &[order], true, block_len, params),
            None => {
                let mut strides = group.strides();
                if let Lead::Output { strides: out, .. } = lead {
                    strides.insert(0, out);
                }
                WholePlan::new(shape, &strides, false, block_len, params)
            }
        };
        let source = match (memory, &plan.cut) {
            (Some(slices), _) => Some(Part::Run(slices)),
            (None, WholeCut::Blocks(g)) if plan.len() > 0 => {
                Some(Part::Views(group.traversal(&g.layout)))
            }
            (None, _) => None,
        };
        Walk { plan, source }
    }

    /// Block `b`.
    #[inline]
    pub(crate) fn block(&self, b: usize) -> BlockOf<'_, G::Slices, G::Dyn> {
        let source = self.source.as_ref().expect("an empty group has no blocks");
        match (&self.plan.cut, source) {
            (WholeCut::Blocks(g), Part::Views(t)) => {
                let block = g.blocks.block(b);
                BlockOf {
                    at: At {
                        start: block.start,
                        positions: Positions::Layout(&g.layout),
                    },
                    part: Part::Views(t.block(&g.blocks, &block)),
                }
            }
            (_, Part::Run(s)) => {
                let r = self.plan.range(b);
                BlockOf {
                    // A flat cut of a positional kernel is only taken for
                    // row-major memory (see `reduce_kernel`).
                    at: At::logical(r.start),
                    part: Part::Run(G::sub(*s, r)),
                }
            }
            (WholeCut::Flat { .. }, Part::Views(_)) => {
                unreachable!("a flat cut always has memory slices")
            }
        }
    }
}

/// Plans `group` for a reduction (the first member leads).
fn reduction<'v, G: Group<'v>>(group: G, flat_ok: bool) -> Walk<'v, G> {
    let params = Params::current();
    let block_len = reduce_block_len(&params, G::elem_size());
    Walk::new(group, Lead::First, flat_ok, block_len, params)
}

/// Reduces a group block by block: `leaf` computes each block's partial
/// result and `combine` merges neighbours along the fixed tree. `None`
/// when the group is empty. `flat_ok = false` keeps contiguous arrays on
/// the general path (for kernels that need logical positions of
/// non-row-major memory).
pub(crate) fn reduce<'v, G, T, L, C>(group: G, flat_ok: bool, leaf: L, combine: C) -> Option<T>
where
    G: Group<'v>,
    T: Send,
    L: Fn(BlockOf<'_, G::Slices, G::Dyn>) -> T + Sync,
    C: Fn(T, T) -> T + Sync,
{
    let walk = reduction(group, flat_ok);
    let count = walk.plan.count();
    (count > 0).then(|| {
        walk.plan
            .schedule
            .tree_reduce(count, |b| leaf(walk.block(b)), combine)
    })
}

/// Folds every block of a group into accumulators made by `init`, merged
/// with `merge` (see [`Schedule::accumulate`](crate::plan::Schedule): for
/// exact, order-free accumulators such as counts).
pub(crate) fn accumulate<'v, G, T, I, F, M>(group: G, init: I, fold: F, merge: M) -> T
where
    G: Group<'v>,
    T: Send,
    I: Fn() -> T + Sync,
    F: Fn(&mut T, BlockOf<'_, G::Slices, G::Dyn>) + Sync,
    M: Fn(T, T) -> T + Sync,
{
    let walk = reduction(group, true);
    let count = walk.plan.count();
    walk.plan
        .schedule
        .accumulate(count, init, |acc, b| fold(acc, walk.block(b)), merge)
}

/// Reduces a whole array with a kernel; `None` when it is empty.
pub(crate) fn reduce_kernel<A, D, K>(a: ArrayView<'_, A, D>, kernel: &K) -> Option<K::Out>
where
    A: Clone + Sync,
    D: Dimension,
    K: ReduceKernel<A>,
{
    let flat_ok = !K::POSITIONAL || a.is_standard_layout();
    // An array that fits one block is that block: reduce it directly,
    // exactly as the plan would, without planning (small inputs stay as
    // cheap as the sequential loop).
    let memory = if K::POSITIONAL {
        a.to_slice()
    } else {
        a.to_slice_memory_order()
    };
    if let Some(xs) = memory {
        let block_len = reduce_block_len(&Params::current(), size_of::<A>());
        if xs.len() <= block_len {
            return (!xs.is_empty()).then(|| kernel.finish(kernel.run(xs, At::logical(0))));
        }
    }
    reduce(
        (a,),
        flat_ok,
        |block| {
            let mut buf = Vec::new();
            kernel.run(block.slice(&mut buf), block.at)
        },
        |l, r| kernel.merge(l, r),
    )
    .map(|acc| kernel.finish(acc))
}
