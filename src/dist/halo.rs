//! Halo exchange along the split axis, and the stencils built on it.
//!
//! A rank's block with `h` rows more on each side: rows of neighbouring
//! ranks (of any rank, when blocks are thinner than the halo), or rows
//! made by the [`Boundary`] rule beyond the array's edges. Every rank
//! works out from the agreed split who needs which of its rows, so one
//! round of point-to-point messages fills every halo.

use std::ops::Range;

use ndarray::{Array, Array2, ArrayRef, ArrayView, Dimension, Ix2};

use super::array::DistArray;
use super::message::{Message, malformed};
use crate::blocks::{Boundary, correlate_extended_rows};
use crate::element::Scalar;
use crate::error::Result;

/// Where each row of a rank's padded block comes from.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Source {
    /// A global row.
    Row(usize),
    /// The boundary's constant.
    Constant,
}

/// The sources of the `h` halo rows before and the `h` after a block
/// holding rows `rows` of `n`.
fn halo_sources<A>(
    rows: Range<usize>,
    h: usize,
    n: usize,
    boundary: &Boundary<A>,
) -> (Vec<Source>, Vec<Source>) {
    let source = |i: isize| match boundary.source(i, n) {
        Some(g) => Source::Row(g),
        None => Source::Constant,
    };
    let (start, end) = (rows.start as isize, rows.end as isize);
    let before = (start - h as isize..start).map(source).collect();
    let after = (end..end + h as isize).map(source).collect();
    (before, after)
}

impl<A, D> DistArray<A, D>
where
    A: Message + Clone + Send + Sync,
    D: Dimension,
{
    /// This rank's block with `halo` more rows on each side along the split
    /// axis: the rows of the ranks around it, and beyond the array's edges
    /// rows made by `boundary` (scipy.ndimage's modes, as in
    /// [`par_map_overlap`](crate::ParBlocks::par_map_overlap)).
    /// [`World::traffic`](super::World::traffic) counts what it sends: the
    /// halo rows, no more.
    ///
    /// # Errors
    ///
    /// [`Error::Distributed`](crate::Error::Distributed) on every rank when
    /// the ranks disagree.
    ///
    /// # Panics
    ///
    /// For `Reflect` and `Periodic`, if `halo` is longer than the split
    /// axis.
    #[track_caller]
    pub fn with_halo(&self, halo: usize, boundary: Boundary<A>) -> Result<Array<A, D>> {
        let (top, bottom) = self.halo_rows("DistArray::with_halo", halo, &boundary)?;
        let mut dim = self.local().raw_dim();
        dim.slice_mut()[0] += 2 * halo;
        let mut data = top;
        data.extend_from_slice(self.local_slice());
        data.extend(bottom);
        Array::from_shape_vec(dim, data).map_err(|_| malformed("a halo of the wrong size"))
    }

    /// The `halo` rows before this rank's block and the `halo` rows after
    /// it (each `halo × row` elements, row-major): the one collective step
    /// of every halo kernel (`what` names it for the agreement check).
    #[track_caller]
    fn halo_rows(
        &self,
        what: &str,
        halo: usize,
        boundary: &Boundary<A>,
    ) -> Result<(Vec<A>, Vec<A>)> {
        let n = self.shape()[0];
        boundary.check_halo(what, halo, n);
        let mut extra = (halo as u64).to_le_bytes().to_vec();
        extra.extend_from_slice(boundary.name().as_bytes());
        if let Boundary::Constant(c) = boundary {
            c.encode(&mut extra);
        }
        self.world().agree(what, &self.signature(&extra))?;
        let world = self.world();
        let (me, size) = (world.rank(), world.size());
        let row = self.row_len();
        let mine = self.rows();
        let local = self.local_slice();
        let owner = |g: usize| self.offsets().partition_point(|&o| o <= g) - 1;
        // The halo positions of a block: `halo` before it and `halo` after.
        let halo_of = |rows: Range<usize>| halo_sources(rows, halo, n, boundary);
        // What every other rank needs from this one, in its own order.
        let mut sends = Vec::new();
        for q in (0..size).filter(|&q| q != me) {
            let (top, bottom) = halo_of(self.rows_of(q));
            let mut rows = Vec::new();
            for s in top.iter().chain(&bottom) {
                if let Source::Row(g) = *s
                    && mine.contains(&g)
                {
                    let at = (g - mine.start) * row;
                    rows.extend_from_slice(&local[at..at + row]);
                }
            }
            if !rows.is_empty() {
                let mut bytes = Vec::new();
                rows.encode(&mut bytes);
                sends.push((q, bytes));
            }
        }
        let (top, bottom) = halo_of(mine.clone());
        // The rank a halo row comes from, when not from this one.
        let remote = |s: &Source| match *s {
            Source::Row(g) if !mine.contains(&g) => Some(owner(g)),
            _ => None,
        };
        let from: Vec<usize> = (0..size)
            .filter(|&s| top.iter().chain(&bottom).any(|w| remote(w) == Some(s)))
            .collect();
        let got = world.exchange(&sends, &from);
        let mut arrived = Vec::with_capacity(got.len());
        for bytes in &got {
            arrived.push(Vec::<A>::decode(&mut &bytes[..])?.into_iter());
        }
        let mut fill = |wanted: &[Source]| -> Result<Vec<A>> {
            let mut data = Vec::with_capacity(wanted.len() * row);
            for w in wanted {
                match (*w, remote(w)) {
                    (Source::Constant, _) => {
                        let Boundary::Constant(c) = boundary else {
                            unreachable!("only a constant boundary has constant rows")
                        };
                        data.extend(std::iter::repeat_n(c.clone(), row));
                    }
                    (Source::Row(g), None) => {
                        let at = (g - mine.start) * row;
                        data.extend_from_slice(&local[at..at + row]);
                    }
                    (Source::Row(_), Some(s)) => {
                        let k = from.iter().position(|&f| f == s).expect("a rank sends it");
                        for _ in 0..row {
                            let x = arrived[k].next();
                            data.push(
                                x.ok_or_else(|| malformed("a halo row did not arrive whole"))?,
                            );
                        }
                    }
                }
            }
            Ok(data)
        };
        let top = fill(&top)?;
        let bottom = fill(&bottom)?;
        Ok((top, bottom))
    }

    /// dask's `map_overlap` along the split axis: `f` gets this rank's
    /// block with `halo` rows more on each side (see
    /// [`with_halo`](Self::with_halo)) and returns the output for the
    /// block without its halo. Equals
    /// [`par_map_overlap`](crate::ParBlocks::par_map_overlap) along axis 0
    /// on the gathered array, for any split, when `f` computes each output
    /// row from the rows within `halo` of it.
    ///
    /// # Errors
    ///
    /// As [`with_halo`](Self::with_halo).
    ///
    /// # Panics
    ///
    /// As [`with_halo`](Self::with_halo), and if `f` returns an array of
    /// another shape than the block.
    #[track_caller]
    pub fn par_map_overlap<B, F>(
        &self,
        halo: usize,
        boundary: Boundary<A>,
        f: F,
    ) -> Result<DistArray<B, D>>
    where
        B: Clone + Send,
        F: Fn(ArrayView<'_, A, D>) -> Array<B, D>,
    {
        let padded = self.with_halo(halo, boundary)?;
        let out = f(padded.view());
        assert_eq!(
            out.shape(),
            self.local().shape(),
            "par_map_overlap: f must return the block's shape without its halo"
        );
        // Local blocks are kept in C order.
        let out = if out.is_standard_layout() {
            out
        } else {
            out.as_standard_layout().into_owned()
        };
        Ok(self.with_local(out))
    }
}

impl<A> DistArray<A, Ix2>
where
    A: Scalar + Message,
{
    /// scipy's `ndimage.correlate(input, weights, mode)` of the whole
    /// 2-D array, split as `self`: each rank exchanges `weights.nrows() / 2`
    /// halo rows, then runs the kernel of
    /// [`par_correlate_2d`](crate::par_correlate_2d) on its rows and the
    /// halo rows around them (in place: the block is not copied). The bits
    /// equal `par_correlate_2d` of the gathered array for every
    /// [`Boundary`] mode and any split.
    ///
    /// # Errors
    ///
    /// As [`with_halo`](Self::with_halo).
    ///
    /// # Panics
    ///
    /// As [`par_correlate_2d`](crate::par_correlate_2d).
    #[track_caller]
    pub fn par_correlate_2d(
        &self,
        weights: &ArrayRef<A, Ix2>,
        boundary: Boundary<A>,
    ) -> Result<DistArray<A, Ix2>> {
        let zeros = Array2::from_elem(self.local().raw_dim(), A::scalar_zero());
        let mut out = self.with_local(zeros);
        self.correlate_into("DistArray::par_correlate_2d", weights, boundary, &mut out)?;
        Ok(out)
    }

    /// [`par_correlate_2d`](Self::par_correlate_2d) writing into `out`, an
    /// array of the same shape and split (overwritten), for iterations
    /// that swap two buffers: nothing is allocated but the halo rows.
    ///
    /// # Errors
    ///
    /// As [`with_halo`](Self::with_halo).
    ///
    /// # Panics
    ///
    /// As [`par_correlate_2d`](crate::par_correlate_2d), and if `out`
    /// differs in shape or split.
    #[track_caller]
    pub fn par_correlate_2d_into(
        &self,
        weights: &ArrayRef<A, Ix2>,
        boundary: Boundary<A>,
        out: &mut DistArray<A, Ix2>,
    ) -> Result<()> {
        self.check_same("par_correlate_2d_into", out);
        self.correlate_into("DistArray::par_correlate_2d_into", weights, boundary, out)
    }

    #[track_caller]
    fn correlate_into(
        &self,
        what: &str,
        weights: &ArrayRef<A, Ix2>,
        boundary: Boundary<A>,
        out: &mut DistArray<A, Ix2>,
    ) -> Result<()> {
        assert!(
            weights.nrows() % 2 == 1 && weights.ncols() % 2 == 1,
            "par_correlate_2d: weights must have odd lengths (a centre), got shape {:?}",
            weights.shape()
        );
        let (top, bottom) = self.halo_rows(what, weights.nrows() / 2, &boundary)?;
        let cols = self.shape()[1];
        if cols == 0 || self.rows().is_empty() {
            return Ok(());
        }
        // The halo rows, the block's own rows in place, the halo rows
        // after: the block is not copied.
        let src: Vec<&[A]> = top
            .chunks(cols)
            .chain(self.local_slice().chunks(cols))
            .chain(bottom.chunks(cols))
            .collect();
        correlate_extended_rows(&src, weights, boundary, &mut out.local_mut());
        Ok(())
    }
}
