//! The single-machine cuts as one rank sees them: its leaves of the fixed
//! combine tree (with the tails it receives from later ranks), the row
//! pieces of an axis plan, and the merges of partial states.

use std::borrow::Cow;
use std::ops::Range;

use ndarray::{Array, ArrayD, Axis, Dimension, IxDyn, RemoveAxis};

use super::super::World;
use super::super::array::DistArray;
use super::super::message::{Message, malformed};
use super::super::tree::OverRanks;
use crate::check;
use crate::engine::whole::{LOGICAL_BLOCK_LEN, band_blocks};
use crate::engine::{At, ReduceKernel};
use crate::error::{Error, Result};
use crate::plan::Tree;
use crate::plan::axis::AxisPlan;
use crate::plan::{piece, piece_count};

/// The leaves of a fixed cut of units `0..len` (elements, or rows of
/// `width` elements) into `count` pieces, as this rank sees them: the
/// pieces that start in its units, completed with the units of later
/// ranks that they reach into.
pub(super) struct Leaves<'a, A, const N: usize> {
    len: usize,
    count: usize,
    width: usize,
    units: Range<usize>,
    owned: Range<usize>,
    local: [&'a [A]; N],
    tail: [Vec<A>; N],
}

impl<'a, A: Message + Clone, const N: usize> Leaves<'a, A, N> {
    /// Cuts `len` units into `count` pieces; rank `r` holds units
    /// `bounds[r]..bounds[r + 1]`, this rank's data being `local`.
    fn new(
        world: &World,
        bounds: &[usize],
        width: usize,
        len: usize,
        count: usize,
        local: [&'a [A]; N],
    ) -> Result<Self> {
        let me = world.rank();
        let units = bounds[me]..bounds[me + 1];
        // Pieces starting before `u`.
        let before = |u: usize| partition(count, |b| piece(len, count, b).start < u);
        let owned = if units.is_empty() {
            0..0
        } else {
            before(units.start)..before(units.end)
        };
        // The head of this rank's units that belongs to a piece started by
        // an earlier rank goes to that rank.
        let mut sends = Vec::new();
        if !units.is_empty() {
            let b = before(units.start + 1) - 1;
            let p = piece(len, count, b);
            if p.start != units.start {
                let owner = bounds.partition_point(|&o| o <= p.start) - 1;
                let end = p.end.min(units.end) - units.start;
                let mut bytes = Vec::new();
                for xs in &local {
                    xs[..end * width].to_vec().encode(&mut bytes);
                }
                sends.push((owner, bytes));
            }
        }
        // The last piece this rank starts may reach into later ranks.
        let reach = if owned.is_empty() {
            units.end
        } else {
            piece(len, count, owned.end - 1).end.max(units.end)
        };
        let from: Vec<usize> = (me + 1..world.size())
            .filter(|&s| bounds[s] < bounds[s + 1] && bounds[s] < reach)
            .collect();
        let got = world.exchange(&sends, &from);
        let mut tail: [Vec<A>; N] = std::array::from_fn(|_| Vec::new());
        for bytes in &got {
            let mut input = &bytes[..];
            for t in &mut tail {
                t.extend(Vec::<A>::decode(&mut input)?);
            }
        }
        if tail.iter().any(|t| t.len() != (reach - units.end) * width) {
            return Err(malformed(
                "the rows reaching into the next ranks did not arrive whole",
            ));
        }
        Ok(Leaves {
            len,
            count,
            width,
            units,
            owned,
            local,
            tail,
        })
    }

    /// The units piece `b` covers.
    fn piece(&self, b: usize) -> Range<usize> {
        piece(self.len, self.count, b)
    }

    /// The elements of piece `b` (owned by this rank), one run per array.
    fn data(&self, b: usize) -> [Cow<'_, [A]>; N] {
        let r = self.piece(b);
        let (w, u0, u1) = (self.width, self.units.start, self.units.end);
        std::array::from_fn(|i| {
            let xs = self.local[i];
            if r.end <= u1 {
                Cow::Borrowed(&xs[(r.start - u0) * w..(r.end - u0) * w])
            } else {
                let mut v = xs[(r.start - u0) * w..].to_vec();
                v.extend_from_slice(&self.tail[i][..(r.end - u1) * w]);
                Cow::Owned(v)
            }
        })
    }
}

/// The number of `b` in `0..count` with `pred(b)`, for a `pred` true on
/// a prefix.
pub(super) fn partition(count: usize, pred: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, count);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if pred(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

impl<A, D: Dimension> DistArray<A, D>
where
    A: Message + Clone + Send + Sync,
{
    /// Every rank's first element (row-major): the rows times the row
    /// length.
    pub(super) fn element_bounds(&self) -> Vec<usize> {
        let row = self.row_len();
        self.offsets().iter().map(|&o| o * row).collect()
    }

    /// `leaf` over the logical blocks of the whole group, merged as
    /// `reduce_logical` merges them on one machine.
    pub(super) fn logical<T, L, C, const N: usize>(
        arrays: [&DistArray<A, D>; N],
        what: &str,
        leaf: L,
        combine: C,
    ) -> Result<Option<T>>
    where
        T: Message + Send,
        L: Fn([&[A]; N], usize) -> T + Sync,
        C: Fn(T, T) -> T + Sync,
    {
        let a = arrays[0];
        let world = a.world();
        world.agree(what, &a.signature(&[N as u8]))?;
        let len = a.len();
        let count = piece_count(len, LOGICAL_BLOCK_LEN);
        let tree = Tree::banded(count, band_blocks(a.shape()));
        let leaves = Leaves::new(
            world,
            &a.element_bounds(),
            1,
            len,
            count,
            arrays.map(|x| x.local_slice()),
        )?;
        tree.reduce(
            world,
            leaves.owned.clone(),
            |b| {
                let data = leaves.data(b);
                leaf(std::array::from_fn(|i| &*data[i]), leaves.piece(b).start)
            },
            combine,
        )
    }

    /// A whole-array kernel over the logical blocks.
    pub(super) fn kernel<K>(&self, what: &str, kernel: &K) -> Result<Option<K::Out>>
    where
        K: ReduceKernel<A>,
        K::Acc: Message,
    {
        let acc = Self::logical(
            [self],
            what,
            |[xs], start| kernel.run(xs, At::logical(start)),
            |l, r| kernel.merge(l, r),
        )?;
        Ok(acc.map(|acc| kernel.finish(acc)))
    }

    /// Every rank's value of a local exact state, merged.
    pub(super) fn merged<S: Message>(
        &self,
        what: &str,
        mine: S,
        merge: impl Fn(&mut S, &S),
    ) -> Result<S> {
        self.world().agree(what, &self.signature(&[]))?;
        self.merge_all(mine, merge)
    }

    /// Every rank's `mine`, merged in rank order (the ranks agreed on the
    /// call already).
    pub(super) fn merge_all<S: Message>(&self, mine: S, merge: impl Fn(&mut S, &S)) -> Result<S> {
        let mut all = self.world().all_gather(&mine)?.into_iter();
        let mut total = all.next().expect("at least one rank");
        for s in all {
            merge(&mut total, &s);
        }
        Ok(total)
    }

    /// `kernel` along `axis`, the whole result on every rank; `None` for an
    /// empty axis.
    pub(super) fn along<K>(
        &self,
        what: &str,
        axis: Axis,
        kernel: K,
    ) -> Result<Option<Array<K::Out, D::Smaller>>>
    where
        D: RemoveAxis,
        K: ReduceKernel<A>,
        K::Acc: Message,
        K::Out: Message + Clone,
    {
        check::axis(what, axis, self.shape().len());
        let world = self.world();
        // Along the split axis the pieces come from each rank's params,
        // which must agree too.
        let pieces = if axis.index() == 0 {
            self.row_pieces::<K>()?
        } else {
            0
        };
        let mut extra = (axis.index() as u64).to_le_bytes().to_vec();
        extra.extend_from_slice(&(pieces as u64).to_le_bytes());
        world.agree(what, &self.signature(&extra))?;
        if self.shape()[axis.index()] == 0 {
            return Ok(None);
        }
        let out_dim = self.raw_dim().remove_axis(axis);
        if axis.index() > 0 {
            // Each rank reduces its own rows; the rows of the result are
            // gathered in rank order.
            let mine = crate::axis::run(&self.local(), axis, kernel)
                .map(|a| a.into_dyn())
                .unwrap_or_else(|| ArrayD::from_shape_vec(IxDyn(&[0]), Vec::new()).expect("empty"));
            let all = world.all_gather(&mine)?;
            let views: Vec<_> = all
                .iter()
                .filter(|b| !b.is_empty())
                .map(|b| b.view())
                .collect();
            let data: Vec<K::Out> = views.iter().flat_map(|v| v.iter().cloned()).collect();
            return Array::from_shape_vec(out_dim, data)
                .map(Some)
                .map_err(|_| malformed("the rows of an axis reduction do not fill its shape"));
        }
        self.along_rows(kernel, pieces, out_dim).map(Some)
    }

    /// `kernel` along the split axis: the fixed pieces of the single-machine
    /// axis plan for the C-order array, spread over ranks.
    pub(super) fn along_rows<K>(
        &self,
        kernel: K,
        pieces: usize,
        out_dim: D::Smaller,
    ) -> Result<Array<K::Out, D::Smaller>>
    where
        D: RemoveAxis,
        K: ReduceKernel<A>,
        K::Acc: Message,
    {
        let (n, m) = (self.shape()[0], self.row_len());
        if m == 0 {
            return Ok(Array::from_shape_vec(out_dim, Vec::new()).expect("no outputs"));
        }
        let tree = Tree::midpoint(pieces);
        let world = self.world();
        let bounds = self.offsets();
        let leaves = Leaves::new(world, bounds, m, n, pieces, [self.local_slice()])?;
        let accs: Vec<K::Acc> = if m <= 1 {
            // One lane: runs of it, as a whole-array reduction of the lane.
            let acc = tree.reduce(
                world,
                leaves.owned.clone(),
                |b| vec![kernel.run(&leaves.data(b)[0], At::logical(leaves.piece(b).start))],
                |l, r| vec![kernel.merge(l[0].clone(), r[0].clone())],
            )?;
            acc.ok_or_else(|| malformed("an axis reduction with no pieces"))?
        } else {
            let acc = tree.reduce(
                world,
                leaves.owned.clone(),
                |b| {
                    let data = leaves.data(b);
                    let rows: Vec<&[A]> = data[0].chunks(m).collect();
                    let mut out = Vec::with_capacity(m);
                    kernel.rows(&rows, leaves.piece(b).start, &mut out);
                    out
                },
                |mut l: Vec<K::Acc>, r: Vec<K::Acc>| {
                    for (x, y) in l.iter_mut().zip(r) {
                        *x = kernel.merge(x.clone(), y);
                    }
                    l
                },
            )?;
            acc.ok_or_else(|| malformed("an axis reduction with no pieces"))?
        };
        let out: Vec<K::Out> = accs.into_iter().map(|a| kernel.finish(a)).collect();
        Array::from_shape_vec(out_dim, out)
            .map_err(|_| malformed("an axis reduction of the wrong length"))
    }
}

impl<A, D: Dimension> DistArray<A, D>
where
    A: Message + Clone + Send + Sync,
{
    /// The number of pieces the single-machine axis plan cuts the split
    /// axis of the C-order array into, for a kernel like `K` (0 for an
    /// empty array).
    pub(super) fn row_pieces<K: ReduceKernel<A>>(&self) -> Result<usize> {
        if self.is_empty() {
            return Ok(0);
        }
        let strides = c_strides(self.shape())?;
        let size = size_of::<A>().max(size_of::<K::Acc>());
        Ok(AxisPlan::new(self.shape(), &[&strides], size, K::SPLITTABLE).pieces())
    }
}

/// C-order strides of `shape`, as the planner takes them.
pub(super) fn c_strides(shape: &[usize]) -> Result<Vec<isize>> {
    let mut strides = vec![0isize; shape.len()];
    let mut s = 1usize;
    for (st, &d) in strides.iter_mut().zip(shape).rev() {
        *st = isize::try_from(s)
            .map_err(|_| Error::Distributed("an array too large to address".into()))?;
        s = s.saturating_mul(d.max(1));
    }
    Ok(strides)
}
