//! Block boundaries on a traversal view.
//!
//! A traversal view of shape `(d0, d1, …, dk)` is cut along one *split axis*
//! `j`: the outermost axis whose single index holds at most `block_len`
//! elements. Each combination of the axes before `j` (the *prefix*) is cut
//! into `chunks` nearly equal ranges of axis `j`; every block keeps all axes
//! after `j` whole. So a block is a rectangular sub-view, and in traversal
//! order it is one contiguous run of positions `start .. start + len`.
//!
//! For a contiguous array (a 1-D traversal view) this is simply `chunks`
//! nearly equal slices of about `block_len` elements.
//!
//! The boundaries depend on the merged shape and `block_len` only, so the
//! blocks, and every result combined from them in block order, are the same
//! on any number of threads.

use std::ops::Range;

/// Number of nearly equal pieces that cut `n` items into pieces of at most
/// `per_piece` (≥ 1).
pub(crate) fn piece_count(n: usize, per_piece: usize) -> usize {
    n.div_ceil(per_piece)
}

/// Piece `c` of `n` items cut into `pieces` nearly equal pieces:
/// `[c·n/pieces, (c+1)·n/pieces)`. Lengths differ by at most one.
pub(crate) fn piece(n: usize, pieces: usize, c: usize) -> Range<usize> {
    // `c · n` fits a usize for any realistic array; the u128 fallback (a
    // slow library division) only runs for astronomically long axes.
    let bound = |c: usize| match c.checked_mul(n) {
        Some(p) => p / pieces,
        None => ((c as u128 * n as u128) / pieces as u128) as usize,
    };
    bound(c)..bound(c + 1)
}

use ndarray::{ArrayView, ArrayViewD, ArrayViewMut, Axis, Dimension, IxDyn, Slice};

/// A view that can be cut in two along an axis: shared and mutable views
/// alike, so that one cutting routine serves readers and writers.
pub(crate) trait Cut: Sized {
    /// Length of `axis`.
    fn axis_len(&self, axis: Axis) -> usize;
    /// The first `index` positions of `axis`, and the rest.
    fn cut_at(self, axis: Axis, index: usize) -> (Self, Self);
}

/// A dynamic-dimensional view that can also drop an axis at an index.
pub(crate) trait CutD: Cut {
    /// The sub-view at `index` of `axis`, without that axis.
    fn at(self, axis: Axis, index: usize) -> Self;
}

impl<A, D: Dimension> Cut for ArrayView<'_, A, D> {
    fn axis_len(&self, axis: Axis) -> usize {
        self.len_of(axis)
    }
    fn cut_at(self, axis: Axis, index: usize) -> (Self, Self) {
        self.split_at(axis, index)
    }
}

impl<A, D: Dimension> Cut for ArrayViewMut<'_, A, D> {
    fn axis_len(&self, axis: Axis) -> usize {
        self.len_of(axis)
    }
    fn cut_at(self, axis: Axis, index: usize) -> (Self, Self) {
        self.split_at(axis, index)
    }
}

impl<A> CutD for ArrayView<'_, A, IxDyn> {
    fn at(self, axis: Axis, index: usize) -> Self {
        self.index_axis_move(axis, index)
    }
}

impl<A> CutD for ArrayViewMut<'_, A, IxDyn> {
    fn at(self, axis: Axis, index: usize) -> Self {
        self.index_axis_move(axis, index)
    }
}

/// Cuts `v` along `axis` into consecutive pieces of the given lengths (which
/// must add up to the axis length).
pub(crate) fn cut_into<V: Cut>(v: V, axis: Axis, lens: impl IntoIterator<Item = usize>) -> Vec<V> {
    let mut out = Vec::new();
    let mut rest = Some(v);
    for len in lens {
        let (head, tail) = rest.take().expect("lengths add up").cut_at(axis, len);
        out.push(head);
        rest = Some(tail);
    }
    debug_assert_eq!(rest.map_or(0, |r| r.axis_len(axis)), 0, "lengths add up");
    out
}

/// The lengths of `n` items cut into `pieces` nearly equal pieces.
pub(crate) fn piece_lens(n: usize, pieces: usize) -> impl Iterator<Item = usize> {
    (0..pieces).map(move |c| piece(n, pieces, c).len())
}

/// The blocks of one traversal view.
#[derive(Clone, Debug)]
pub(crate) struct Blocks {
    dims: Vec<usize>,
    split: usize,
    /// Elements per index of the split axis.
    inner: usize,
    /// Ranges of the split axis per prefix.
    chunks: usize,
    count: usize,
}

/// One block: its place in block order and in traversal order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Block {
    /// Traversal position of the block's first element.
    pub(crate) start: usize,
    /// Number of elements.
    pub(crate) len: usize,
    /// Row-major index into the axes before the split axis.
    prefix: usize,
    /// Range of the split axis.
    range: Range<usize>,
}

impl Blocks {
    /// Cuts a traversal view of shape `dims` into blocks of at most about
    /// `block_len` elements (`block_len ≥ 1`).
    pub(crate) fn new(dims: &[usize], block_len: usize) -> Blocks {
        debug_assert!(block_len >= 1 && !dims.is_empty());
        let len: usize = dims.iter().product();
        if len == 0 {
            return Blocks {
                dims: dims.to_vec(),
                split: 0,
                inner: 1,
                chunks: 1,
                count: 0,
            };
        }
        // inner_of[j] = number of elements per index of axis j.
        let mut inner_of = vec![1; dims.len()];
        for j in (0..dims.len() - 1).rev() {
            inner_of[j] = inner_of[j + 1] * dims[j + 1];
        }
        let split = inner_of
            .iter()
            .position(|&inner| inner <= block_len)
            .unwrap_or(dims.len() - 1);
        let inner = inner_of[split];
        let per_block = (block_len / inner).max(1);
        let chunks = piece_count(dims[split], per_block);
        let prefixes: usize = dims[..split].iter().product();
        let count = prefixes * chunks;
        Blocks {
            dims: dims.to_vec(),
            split,
            inner,
            chunks,
            count,
        }
    }

    /// Number of blocks (0 for an empty array).
    pub(crate) fn count(&self) -> usize {
        self.count
    }

    /// Block number `b` (`b < count()`).
    pub(crate) fn block(&self, b: usize) -> Block {
        debug_assert!(b < self.count);
        let (prefix, chunk) = (b / self.chunks, b % self.chunks);
        let d = self.dims[self.split];
        let range = piece(d, self.chunks, chunk);
        Block {
            start: (prefix * d + range.start) * self.inner,
            len: range.len() * self.inner,
            prefix,
            range,
        }
    }

    /// Every block with its length, in block order: the parts of an
    /// output written block by block.
    pub(crate) fn parts(&self) -> Vec<(Block, usize)> {
        (0..self.count)
            .map(|b| {
                let block = self.block(b);
                let len = block.len;
                (block, len)
            })
            .collect()
    }

    /// The sub-view of traversal view `v` that block `block` covers.
    pub(crate) fn view<'a, A>(&self, v: &ArrayViewD<'a, A>, block: &Block) -> ArrayViewD<'a, A> {
        self.view_after(v, block, 0)
    }

    /// Like [`view`](Blocks::view) for a view whose first `lead` axes stay
    /// whole in front of the axes these blocks cut.
    pub(crate) fn view_after<'a, A>(
        &self,
        v: &ArrayViewD<'a, A>,
        block: &Block,
        lead: usize,
    ) -> ArrayViewD<'a, A> {
        let mut w = v.clone();
        let mut prefix = block.prefix;
        let mut index = vec![0; self.split];
        for j in (0..self.split).rev() {
            index[j] = prefix % self.dims[j];
            prefix /= self.dims[j];
        }
        for &i in &index {
            w = w.index_axis_move(Axis(lead), i);
        }
        w.slice_axis_inplace(Axis(lead), Slice::from(block.range.clone()));
        w
    }

    /// Cuts a traversal view (shared or mutable) into its blocks, in block
    /// order.
    pub(crate) fn carve<V: CutD>(&self, v: V) -> Vec<V> {
        self.carve_after(v, 0)
    }

    /// Like [`carve`](Blocks::carve) for a view whose first `lead` axes
    /// stay whole in front (as [`view_after`](Blocks::view_after)).
    pub(crate) fn carve_after<V: CutD>(&self, v: V, lead: usize) -> Vec<V> {
        let mut out = Vec::with_capacity(self.count);
        if self.count > 0 {
            self.carve_into(v, lead, 0, &mut out);
        }
        out
    }

    fn carve_into<V: CutD>(&self, v: V, lead: usize, depth: usize, out: &mut Vec<V>) {
        let ax = Axis(lead);
        if depth == self.split {
            out.extend(cut_into(
                v,
                ax,
                piece_lens(self.dims[self.split], self.chunks),
            ));
            return;
        }
        for head in cut_into(v, ax, std::iter::repeat_n(1, self.dims[depth])) {
            self.carve_into(head.at(ax, 0), lead, depth + 1, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{ArrayD, IxDyn};

    /// Every block is where the plan says, and together they tile the view.
    fn check_tiling(dims: &[usize], block_len: usize) {
        let len: usize = dims.iter().product();
        let a = ArrayD::from_shape_fn(IxDyn(dims), |_| 0usize);
        let mut numbered = a.clone();
        numbered
            .as_slice_mut()
            .unwrap()
            .iter_mut()
            .enumerate()
            .for_each(|(i, x)| *x = i);
        let blocks = Blocks::new(dims, block_len);
        let mut next = 0;
        let mut carved_copy = a.clone();
        let carved = blocks.carve(carved_copy.view_mut());
        assert_eq!(carved.len(), blocks.count());
        for (b, mut cv) in carved.into_iter().enumerate() {
            let block = blocks.block(b);
            assert_eq!(block.start, next, "blocks must be consecutive");
            assert!(block.len >= 1);
            let v = blocks.view(&numbered.view(), &block);
            assert_eq!(v.len(), block.len);
            let positions: Vec<usize> = v.iter().copied().collect();
            assert_eq!(
                positions,
                (block.start..block.start + block.len).collect::<Vec<_>>()
            );
            assert_eq!(cv.shape(), v.shape());
            cv.fill(b + 1);
            next += block.len;
        }
        assert_eq!(next, len);
        assert!(
            carved_copy.iter().all(|&x| x >= 1),
            "carved blocks cover everything"
        );
    }

    #[test]
    fn blocks_tile_every_shape() {
        for dims in [
            &[1][..],
            &[17],
            &[1000],
            &[3, 7],
            &[7, 3],
            &[4, 5, 6],
            &[2, 3, 5, 7],
            &[5, 1000],
        ] {
            for block_len in [1, 2, 3, 7, 64, 10_000] {
                check_tiling(dims, block_len);
            }
        }
    }

    #[test]
    fn blocks_are_balanced_and_bounded() {
        let b = Blocks::new(&[1_000_003], 1024);
        let lens: Vec<usize> = (0..b.count()).map(|i| b.block(i).len).collect();
        assert_eq!(b.count(), 1_000_003usize.div_ceil(1024));
        let (lo, hi) = (lens.iter().min().unwrap(), lens.iter().max().unwrap());
        assert!(hi - lo <= 1 && *hi <= 1024);
    }

    #[test]
    fn pieces_of_huge_lengths_do_not_overflow() {
        let n = usize::MAX / 3;
        let pieces = 1000;
        assert_eq!(piece(n, pieces, 0).start, 0);
        assert_eq!(piece(n, pieces, pieces - 1).end, n);
        let total: usize = (0..pieces).map(|c| piece(n, pieces, c).len()).sum();
        assert_eq!(total, n);
    }

    #[test]
    fn empty_has_no_blocks() {
        assert_eq!(Blocks::new(&[0], 8).count(), 0);
        assert_eq!(Blocks::new(&[3, 0], 8).count(), 0);
    }
}
