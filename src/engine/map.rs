//! The map driver: writes `f` of every element of zero to three inputs
//! into an output (a new array, or an array updated in place), block by
//! block.
//!
//! The output leads: its memory order fixes the traversal, and the inputs
//! (broadcast to its shape beforehand, if need be) are walked along. When
//! the output and every input are contiguous with the same strides, blocks
//! are plain slices; otherwise the group is planned in full, and blocks
//! whose parts are contiguous still run the slice loop, the rest lane by
//! lane. Maps are exact whatever the split, so blocks run in any order.

use ndarray::{ArrayView, ArrayViewD, ArrayViewMut, ArrayViewMutD, Axis, Dimension};

use super::group::Group;
use super::whole::{Lead, Part, Walk};
use crate::params::Params;
use crate::plan::{WholeCut, map_block_len};

/// One block of the output.
enum OutPart<'o, O> {
    Slice(&'o mut [O]),
    View(ArrayViewMutD<'o, O>),
}

/// Runs a map over `out` and `inputs`: `run` handles a block whose output
/// and inputs are all contiguous slices, `lanes` any other block (traversal
/// sub-views, innermost axis last). Returns the number of output elements
/// handed to either.
fn drive<'v, O, D, G, R, L>(out: ArrayViewMut<'_, O, D>, inputs: G, run: R, lanes: L) -> usize
where
    O: Send,
    D: Dimension,
    G: Group<'v>,
    R: Fn(&mut [O], G::Slices) + Sync,
    L: Fn(ArrayViewMutD<'_, O>, G::Dyn) + Sync,
{
    let len = out.len();
    if len == 0 {
        return 0;
    }
    let params = Params::current();
    let block_len = map_block_len(len, &params, size_of::<O>().max(G::elem_size()));
    let lead = Lead::Output {
        shape: out.shape(),
        strides: out.strides(),
        contiguous: out.as_slice_memory_order().is_some(),
    };
    let walk = Walk::new(inputs, lead, true, block_len, params);
    if let (WholeCut::Flat { count: 1 }, Part::Run(s)) = (&walk.plan.cut, walk.block(0).part) {
        // One block (a small array): no parts to cut or schedule.
        run(
            out.into_slice_memory_order()
                .expect("a flat cut has a contiguous output"),
            s,
        );
        return len;
    }
    let outs: Vec<OutPart<'_, O>> = match &walk.plan.cut {
        WholeCut::Flat { count } => {
            let mut rest = out
                .into_slice_memory_order()
                .expect("a flat cut has a contiguous output");
            let mut parts = Vec::with_capacity(*count);
            for b in 0..*count {
                let (head, tail) = rest.split_at_mut(walk.plan.range(b).len());
                parts.push(OutPart::Slice(head));
                rest = tail;
            }
            parts
        }
        WholeCut::Blocks(g) => g
            .blocks
            .carve(g.layout.apply(out.into_dyn()))
            .into_iter()
            .map(OutPart::View)
            .collect(),
    };
    let items: Vec<_> = outs.into_iter().enumerate().collect();
    walk.plan.schedule.for_each(items, |(b, o)| {
        let block = walk.block(b);
        match (o, block.part) {
            (OutPart::Slice(o), Part::Run(s)) => run(o, s),
            (OutPart::View(mut o), Part::Views(g)) => match g.standard() {
                Some(s) if o.is_standard_layout() => {
                    run(o.as_slice_mut().expect("standard layout"), s)
                }
                _ => lanes(o, g),
            },
            _ => unreachable!("the output and the inputs share the plan's cut"),
        }
    });
    len
}

/// Generates one entry point of the map driver per number of inputs:
/// `f(&mut out, &a, &b, …)` for every element.
macro_rules! zip_into {
    ($name:ident; $($A:ident $a:ident $i:tt),*) => {
        /// Calls `f` on every element of `out` and the matching elements of
        /// the inputs (same shape as `out`); returns the number of
        /// elements.
        #[allow(
            unused_variables,
            unused_mut,
            clippy::extra_unused_lifetimes,
            clippy::redundant_closure_call
        )]
        pub(crate) fn $name<'v, O, D, $($A,)* F>(
            out: ArrayViewMut<'_, O, D>,
            inputs: ($(ArrayView<'v, $A, D>,)*),
            f: F,
        ) -> usize
        where
            O: Send,
            D: Dimension,
            $($A: Sync,)*
            F: Fn(&mut O, $(&$A),*) + Sync,
        {
            /// The slice loop: equal lengths up front, so there are no
            /// bounds checks and it vectorises.
            #[inline(always)]
            fn run<O, $($A,)* F: Fn(&mut O, $(&$A),*)>(o: &mut [O], $($a: &[$A],)* f: &F) {
                let n = o.len();
                $(let $a = &$a[..n];)*
                for k in 0..n {
                    f(&mut o[k], $(&$a[k]),*);
                }
            }
            drive(
                out,
                inputs,
                |o, s| run(o, $(s.$i,)* &f),
                |mut o, g: ($(ArrayViewD<'v, $A>,)*)| {
                    let last = Axis(o.ndim() - 1);
                    $(let mut $a = g.$i.lanes(last).into_iter();)*
                    for mut lane in o.lanes_mut(last) {
                        $(let $a = $a.next().expect("the same lanes");)*
                        let slices = (|| Some(($($a.to_slice()?,)*)))();
                        match (lane.as_slice_mut(), slices) {
                            (Some(o), Some(s)) => run(o, $(s.$i,)* &f),
                            _ => {
                                $(let mut $a = $a.iter();)*
                                for o in lane.iter_mut() {
                                    f(o, $($a.next().expect("the same length")),*);
                                }
                            }
                        }
                    }
                },
            )
        }
    };
}

zip_into!(zip0_into;);
zip_into!(zip1_into; A a 0);
zip_into!(zip2_into; A a 0, B b 1);
zip_into!(zip3_into; A a 0, B b 1, C c 2);

/// Values per call of a slice map's closure on a lane that is not
/// contiguous: the lane is copied through buffers of this many values.
const GATHER: usize = 256;

/// Calls `f(values, outputs)` on runs of `out` and the matching runs of
/// `input` (same shape): contiguous runs as they lie in memory, other
/// lanes through [`GATHER`]-value buffers. Returns the number of elements.
pub(crate) fn slices1_into<'v, O, A, D, F>(
    out: ArrayViewMut<'_, O, D>,
    input: ArrayView<'v, A, D>,
    f: F,
) -> usize
where
    O: Copy + Default + Send,
    A: Copy + Default + Sync,
    D: Dimension,
    F: Fn(&[A], &mut [O]) + Sync,
{
    drive(
        out,
        (input,),
        |o, (a,)| f(&a[..o.len()], o),
        |mut o, (a,): (ArrayViewD<'v, A>,)| {
            let last = Axis(o.ndim() - 1);
            let mut inputs = a.lanes(last).into_iter();
            // On the heap: elements may be large.
            let (mut ins, mut outs) = (Vec::new(), Vec::new());
            for mut lane in o.lanes_mut(last) {
                let a = inputs.next().expect("the same lanes");
                if let (Some(o), Some(a)) = (lane.as_slice_mut(), a.to_slice()) {
                    f(a, o);
                    continue;
                }
                ins.resize(GATHER.min(a.len()), A::default());
                outs.resize(GATHER.min(a.len()), O::default());
                for start in (0..a.len()).step_by(GATHER) {
                    let m = (a.len() - start).min(GATHER);
                    for k in 0..m {
                        ins[k] = a[start + k];
                    }
                    f(&ins[..m], &mut outs[..m]);
                    for k in 0..m {
                        lane[start + k] = outs[k];
                    }
                }
            }
        },
    )
}

/// Calls `f(values)` on runs of `out`, to be updated in place: contiguous
/// runs as they lie in memory, other lanes through [`GATHER`]-value
/// buffers. Returns the number of elements.
pub(crate) fn slices0_into<O, D, F>(out: ArrayViewMut<'_, O, D>, f: F) -> usize
where
    O: Copy + Default + Send,
    D: Dimension,
    F: Fn(&mut [O]) + Sync,
{
    drive(
        out,
        (),
        |o, ()| f(o),
        |mut o, (): ()| {
            let last = Axis(o.ndim() - 1);
            // On the heap: elements may be large.
            let mut buf = Vec::new();
            for mut lane in o.lanes_mut(last) {
                if let Some(o) = lane.as_slice_mut() {
                    f(o);
                    continue;
                }
                buf.resize(GATHER.min(lane.len()), O::default());
                for start in (0..lane.len()).step_by(GATHER) {
                    let m = (lane.len() - start).min(GATHER);
                    for k in 0..m {
                        buf[k] = lane[start + k];
                    }
                    f(&mut buf[..m]);
                    for k in 0..m {
                        lane[start + k] = buf[k];
                    }
                }
            }
        },
    )
}
