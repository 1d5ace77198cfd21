//! The lanes driver: a function of every lane along an axis (numpy's
//! `apply_along_axis`, ndarray's `map_axis` and `map_axis_mut`), for shared
//! and mutable lanes alike.
//!
//! Lanes are grouped into parts of neighbouring output positions (the
//! planner's lanes cut, never split along the axis), so a part visits
//! neighbouring lanes, and the lanes may have any stride.

use ndarray::{ArrayBase, ArrayD, Axis, IxDyn, RawData};

use super::uninit::{Writer, build_vec};
use crate::plan::CutD;
use crate::plan::axis::{AxisCut, AxisPlan, to_front};

/// `visit(part, writer)` for every part of the lanes of `a` along `axis`:
/// `visit` must write one value per lane of its part, in order. Returns
/// the values in the logical shape of `a` without `axis`.
pub(crate) fn map_lanes<S, B, F>(a: ArrayBase<S, IxDyn>, axis: Axis, visit: F) -> ArrayD<B>
where
    S: RawData,
    ArrayBase<S, IxDyn>: CutD + Send,
    B: Send,
    F: Fn(ArrayBase<S, IxDyn>, &mut Writer<'_, B>) + Sync,
{
    let front = to_front(a, axis);
    let plan = AxisPlan::for_lanes(front.shape(), &[front.strides()], size_of::<S::Elem>());
    if plan.m == 0 {
        return plan.layout.array_from_traversal(Vec::new());
    }
    let AxisCut::Lanes { parts, .. } = &plan.cut else {
        unreachable!("lanes are never cut into rows")
    };
    let items = parts
        .carve_after(plan.traversal(front), 1)
        .into_iter()
        .map(|part| {
            let lanes = part.shape()[1..].iter().product();
            (part, lanes)
        })
        .collect();
    let data = build_vec(plan.m, items, plan.schedule(parts.count()), visit);
    plan.layout.array_from_traversal(data)
}
