//! [`DistArray`]: an array split over ranks along its first axis, its
//! constructors, gathering and saving, and the maps that need no
//! communication.

use std::ops::Range;
use std::path::Path;

use ndarray::{Array, ArrayRef, ArrayView, ArrayViewMut, Axis, Dimension, IntoDimension};

use super::World;
use super::message::Message;
use crate::error::{Error, Result};
use crate::io::NpyElement;
use crate::map::{ParMap, ParMapMut};
use crate::plan::Schedule;

/// How the first axis of a distributed array is split over ranks.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Split {
    /// Nearly equal runs of rows, the longer ones first (numpy's
    /// `array_split`): `n` rows over `p` ranks give the first `n % p`
    /// ranks `n / p + 1` rows and the others `n / p`.
    Balanced,
    /// Rows per rank, given explicitly (one count per rank, summing to the
    /// first axis's length; a rank may hold none).
    Rows(Vec<usize>),
}

impl Split {
    /// The run of `0..n` that `rank` of `size` holds in a balanced split
    /// (tasks, random streams: whatever is dealt out like rows).
    pub(crate) fn balanced_run(n: usize, rank: usize, size: usize) -> Range<usize> {
        let start = |r: usize| r * (n / size) + r.min(n % size);
        start(rank)..start(rank + 1)
    }

    /// The first row of every rank and the end: `size + 1` offsets.
    ///
    /// # Errors
    ///
    /// [`Error::Distributed`] when explicit rows do not match the ranks
    /// or the axis.
    pub(crate) fn offsets(&self, n: usize, size: usize) -> Result<Vec<usize>> {
        let counts: Vec<usize> = match self {
            Split::Balanced => (0..size)
                .map(|r| Split::balanced_run(n, r, size).len())
                .collect(),
            Split::Rows(rows) => {
                let total = rows.iter().try_fold(0usize, |t, &r| t.checked_add(r));
                if rows.len() != size || total != Some(n) {
                    return Err(Error::Distributed(format!(
                        "Split::Rows({rows:?}) must give one count per rank ({size}) summing to the first axis ({n})"
                    )));
                }
                rows.clone()
            }
        };
        let mut offsets = Vec::with_capacity(size + 1);
        offsets.push(0);
        for c in counts {
            offsets.push(offsets.last().expect("starts with 0") + c);
        }
        Ok(offsets)
    }
}

/// An array split over the ranks of a [`World`] along its first axis: each
/// rank holds a run of rows (its *local block*, in C order), and every rank
/// knows the global shape and where every other rank's rows are.
///
/// Maps work on each block alone; reductions combine every block's partial
/// results in ndpar's fixed order, so that they equal the single-machine
/// result on the gathered array (see the [module docs](super) for which
/// kernel promises which bits). Every method that communicates is
/// *collective*: all ranks must call it, in the same order, with the same
/// arguments; when they do not, every rank gets an [`Error::Distributed`]
/// instead of a deadlock.
///
/// ```no_run
/// use ndpar::dist::{DistArray, Split, World};
///
/// let world = World::init()?;
/// let a = DistArray::from_fn(&world, (1000, 50), Split::Balanced, |(i, j)| (i * 50 + j) as f64)?;
/// let total = a.par_sum()?; // the same on every rank
/// assert_eq!(total, (0..50_000).sum::<usize>() as f64);
/// # Ok::<(), ndpar::Error>(())
/// ```
pub struct DistArray<A, D: Dimension> {
    world: World,
    shape: D,
    /// `size + 1` offsets: rank `r` holds rows `offsets[r]..offsets[r + 1]`.
    offsets: Vec<usize>,
    /// This rank's rows, always in standard (C) layout.
    local: Array<A, D>,
}

impl<A: Clone, D: Dimension> Clone for DistArray<A, D> {
    /// A copy of this rank's block, on the same world and split (no
    /// communication).
    fn clone(&self) -> Self {
        self.with_local(self.local.clone())
    }
}

impl<A: std::fmt::Debug, D: Dimension> std::fmt::Debug for DistArray<A, D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DistArray")
            .field("shape", &self.shape.slice())
            .field("rows", &self.rows())
            .field("rank", &self.world.rank())
            .field("local", &self.local)
            .finish()
    }
}

/// Panics unless the array has an axis to split.
#[track_caller]
fn check_ndim(method: &str, ndim: usize) {
    assert!(
        ndim >= 1,
        "{method}: a distributed array needs at least one axis to split over ranks"
    );
}

/// Panics unless the whole array's elements can be counted (flat indices
/// fit a `usize`) and this rank's block of `rows` rows can be addressed
/// (the whole array may be larger than one machine's memory).
#[track_caller]
fn check_size<A>(method: &str, shape: &[usize], rows: usize) {
    // Zero-length axes count as 1, so that strides fit as well.
    let count = shape
        .iter()
        .try_fold(1usize, |n, &d| n.checked_mul(d.max(1)))
        .filter(|&n| isize::try_from(n).is_ok());
    assert!(
        count.is_some(),
        "{method}: shape {shape:?} has more elements than an index can count"
    );
    let block = std::iter::once(rows).chain(shape[1..].iter().copied());
    assert!(
        crate::check::addressable_bytes::<A>(block).is_some(),
        "{method}: this rank's block of {rows} rows of shape {shape:?} holds more elements than memory can address"
    );
}

impl<A, D: Dimension> DistArray<A, D> {
    /// The array of `shape` and `split` from this rank's block of it.
    fn assemble(world: &World, shape: D, offsets: Vec<usize>, local: Array<A, D>) -> Self {
        DistArray {
            world: world.clone(),
            shape,
            offsets,
            local,
        }
    }

    /// The global shape.
    pub fn shape(&self) -> &[usize] {
        self.shape.slice()
    }

    /// The global shape as a dimension.
    pub fn raw_dim(&self) -> D {
        self.shape.clone()
    }

    /// The number of elements of the whole array.
    pub fn len(&self) -> usize {
        self.shape.size()
    }

    /// Whether the whole array has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The global rows this rank holds.
    pub fn rows(&self) -> Range<usize> {
        self.rows_of(self.world.rank())
    }

    /// The global rows rank `rank` holds.
    ///
    /// # Panics
    ///
    /// If `rank` is not a rank of the world.
    #[track_caller]
    pub fn rows_of(&self, rank: usize) -> Range<usize> {
        assert!(
            rank < self.world.size(),
            "rows_of: rank {rank} is not below the world size {}",
            self.world.size()
        );
        self.offsets[rank]..self.offsets[rank + 1]
    }

    /// The world the array lives on.
    pub fn world(&self) -> &World {
        &self.world
    }

    /// This rank's block (C order).
    pub fn local(&self) -> ArrayView<'_, A, D> {
        self.local.view()
    }

    /// This rank's block, to change in place (its shape is fixed).
    pub fn local_mut(&mut self) -> ArrayViewMut<'_, A, D> {
        self.local.view_mut()
    }

    /// This rank's block.
    pub fn into_local(self) -> Array<A, D> {
        self.local
    }

    pub(crate) fn offsets(&self) -> &[usize] {
        &self.offsets
    }

    /// The local block as its memory: C order, always.
    pub(crate) fn local_slice(&self) -> &[A] {
        self.local
            .as_slice()
            .expect("local blocks are kept in C order")
    }

    /// Elements per row (the product of every axis but the first).
    pub(crate) fn row_len(&self) -> usize {
        self.shape.slice()[1..].iter().product()
    }

    /// The agreed description of this array, for [`World::agree`].
    pub(crate) fn signature(&self, extra: &[u8]) -> Vec<u8> {
        signature(self.shape.slice(), &self.offsets, extra)
    }

    /// A new array of the same split from a local block of the new
    /// element type (no communication: the split is already agreed).
    pub(crate) fn with_local<B>(&self, local: Array<B, D>) -> DistArray<B, D> {
        debug_assert_eq!(local.shape(), self.local.shape());
        DistArray {
            world: self.world.clone(),
            shape: self.shape.clone(),
            offsets: self.offsets.clone(),
            local,
        }
    }

    /// Panics unless `other` has the same shape and split.
    #[track_caller]
    pub(crate) fn check_same<B>(&self, method: &str, other: &DistArray<B, D>) {
        assert!(
            self.shape.slice() == other.shape.slice() && self.offsets == other.offsets,
            "{method}: the arrays differ in shape ({:?} and {:?}) or split ({:?} and {:?})",
            self.shape.slice(),
            other.shape.slice(),
            self.offsets,
            other.offsets
        );
    }
}

/// Checks that every rank is in the call `what` with the same `split`
/// (as passed, before it is checked) and the same `extra` arguments.
fn agree_split(world: &World, what: &str, split: &Split, extra: &[u8]) -> Result<()> {
    let mut passed = extra.to_vec();
    match split {
        Split::Balanced => 0u8.encode(&mut passed),
        Split::Rows(rows) => {
            1u8.encode(&mut passed);
            rows.encode(&mut passed);
        }
    }
    world.agree(what, &passed)
}

/// The offsets of `split` over the first axis of `shape`, after every
/// rank agreed on the call, the shape and the split as passed: the split
/// is checked only then, so that every rank reaches the same verdict on
/// it and none is left waiting.
fn agreed_offsets(world: &World, what: &str, shape: &[usize], split: &Split) -> Result<Vec<usize>> {
    agree_split(world, what, split, &signature(shape, &[], &[]))?;
    split.offsets(shape[0], world.size())
}

/// Shape, offsets and extra arguments as bytes.
pub(crate) fn signature(shape: &[usize], offsets: &[usize], extra: &[u8]) -> Vec<u8> {
    let mut s = Vec::new();
    shape.to_vec().encode(&mut s);
    offsets.to_vec().encode(&mut s);
    s.extend_from_slice(extra);
    s
}

/// The shape of rows `rows` of an array of shape `shape`.
fn block_dim<D: Dimension>(shape: &D, rows: usize) -> D {
    let mut d = shape.clone();
    d.slice_mut()[0] = rows;
    d
}

impl<A: Send + Sync, D: Dimension> DistArray<A, D> {
    /// Each rank builds its rows from `f` of the global index (in
    /// parallel on its threads): the array `Array::from_shape_fn(shape, f)`
    /// split over the ranks.
    ///
    /// # Errors
    ///
    /// [`Error::Distributed`] on every rank when the ranks pass different
    /// shapes or splits, or explicit rows that do not fit.
    ///
    /// # Panics
    ///
    /// If the shape has no axis (a 0-d array cannot be split), has more
    /// elements than an index can count, or gives this rank a block larger
    /// than memory can address.
    #[track_caller]
    pub fn from_fn<Sh, F>(world: &World, shape: Sh, split: Split, f: F) -> Result<Self>
    where
        Sh: IntoDimension<Dim = D>,
        F: Fn(D::Pattern) -> A + Sync,
    {
        let shape = shape.into_dimension();
        check_ndim("DistArray::from_fn", shape.ndim());
        let offsets = agreed_offsets(world, "DistArray::from_fn", shape.slice(), &split)?;
        let rows = offsets[world.rank()]..offsets[world.rank() + 1];
        check_size::<A>("DistArray::from_fn", shape.slice(), rows.len());
        let row_shape: Vec<usize> = shape.slice()[1..].to_vec();
        let row_len: usize = row_shape.iter().product();
        // Rows side by side; a kernel that `f` calls plans with the
        // caller's params on whichever worker runs it.
        let schedule = Schedule::for_len(rows.len().saturating_mul(row_len), rows.len());
        let per_row: Vec<Vec<A>> = schedule.map_collect(rows.len(), |r| {
            let i = rows.start + r;
            let mut index = shape.clone();
            ndarray::indices(row_shape.clone())
                .into_iter()
                .map(|rest| {
                    index.slice_mut()[0] = i;
                    index.slice_mut()[1..].copy_from_slice(rest.slice());
                    f(index.clone().into_pattern())
                })
                .collect()
        });
        let data: Vec<A> = per_row.into_iter().flatten().collect();
        let local = Array::from_shape_vec(block_dim(&shape, rows.len()), data)
            .expect("one value per index");
        Ok(Self::assemble(world, shape, offsets, local))
    }

    /// The array whose rank `r` block is the block each rank passes: the
    /// global shape is the blocks stacked along the first axis.
    ///
    /// # Errors
    ///
    /// [`Error::Distributed`] on every rank when the blocks differ in their
    /// other axes.
    ///
    /// # Panics
    ///
    /// If the block has no axis.
    #[track_caller]
    pub fn from_local(world: &World, local: Array<A, D>) -> Result<Self>
    where
        A: Clone,
    {
        check_ndim("DistArray::from_local", local.ndim());
        // Every rank is in this call before the blocks' shapes are read;
        // the shape and split then come from the same gathered shapes on
        // every rank, so they need no second agreement.
        world.agree("DistArray::from_local", &[])?;
        let shapes = world.all_gather(&local.shape().to_vec())?;
        if let Some(r) = shapes
            .iter()
            .position(|s| s.len() != shapes[0].len() || s[1..] != shapes[0][1..])
        {
            return Err(Error::Distributed(format!(
                "DistArray::from_local: rank {r}'s block has shape {:?}, rank 0's {:?}: they differ beyond the first axis",
                shapes[r], shapes[0]
            )));
        }
        let rows: Vec<usize> = shapes.iter().map(|s| s[0]).collect();
        let n = rows
            .iter()
            .try_fold(0usize, |t, &r| t.checked_add(r))
            .ok_or_else(|| {
                Error::Distributed("DistArray::from_local: the blocks' rows overflow".into())
            })?;
        let mut shape = local.raw_dim();
        shape.slice_mut()[0] = n;
        let offsets = Split::Rows(rows).offsets(n, world.size())?;
        let local = if local.is_standard_layout() {
            local
        } else {
            local.as_standard_layout().into_owned()
        };
        Ok(Self::assemble(world, shape, offsets, local))
    }

    /// Sends the array `root` holds to every rank, split by `split`.
    /// Only `root` passes the array (`Some`); the others pass `None` and
    /// learn the shape from `root`.
    ///
    /// # Errors
    ///
    /// [`Error::Distributed`] on every rank when `root` passes no array,
    /// or another rank passes one, or the split does not fit.
    ///
    /// # Panics
    ///
    /// If `root` is not a rank of the world, or the array has no axis.
    #[track_caller]
    pub fn scatter(
        world: &World,
        root: usize,
        global: Option<&ArrayRef<A, D>>,
        split: Split,
    ) -> Result<Self>
    where
        A: Message + Clone,
    {
        assert!(
            root < world.size(),
            "DistArray::scatter: root {root} is not below the world size {}",
            world.size()
        );
        if let Some(g) = global {
            check_ndim("DistArray::scatter", g.ndim());
        }
        // Every rank is in this call with the same root and split, then
        // learns the shape, and whether exactly the root holds the array,
        // before any data moves.
        agree_split(world, "DistArray::scatter", &split, &root.to_le_bytes())?;
        let shape: Option<Vec<usize>> = global.map(|g| g.shape().to_vec());
        let held = world.all_gather(&shape)?;
        let holders: Vec<usize> = (0..held.len()).filter(|&r| held[r].is_some()).collect();
        if holders != [root] {
            return Err(Error::Distributed(format!(
                "DistArray::scatter: only the root (rank {root}) passes the array, but ranks {holders:?} did"
            )));
        }
        let dims = held[root].clone().expect("the root holds it");
        let shape = D::from_dimension(&ndarray::IxDyn(&dims)).ok_or_else(|| {
            Error::Distributed("DistArray::scatter: the root's array has another dimension".into())
        })?;
        let offsets = split.offsets(dims[0], world.size())?;
        let sends: Vec<(usize, Vec<u8>)> = match global {
            Some(g) => (0..world.size())
                .map(|r| {
                    let block =
                        g.slice_axis(Axis(0), ndarray::Slice::from(offsets[r]..offsets[r + 1]));
                    let mut bytes = Vec::new();
                    block.to_owned().encode(&mut bytes);
                    (r, bytes)
                })
                .collect(),
            None => Vec::new(),
        };
        let got = world.exchange(&sends, &[root]);
        let local = Array::<A, D>::decode(&mut &got[0][..])?;
        let want = block_dim(&shape, offsets[world.rank() + 1] - offsets[world.rank()]);
        if local.shape() != want.slice() {
            return Err(Error::Distributed(
                "DistArray::scatter: a block of the wrong shape arrived".into(),
            ));
        }
        Ok(DistArray {
            world: world.clone(),
            shape,
            offsets,
            local,
        })
    }

    /// The whole array on rank `root` (`Some` there, `None` elsewhere).
    ///
    /// # Errors
    ///
    /// [`Error::Distributed`] on every rank when the ranks disagree.
    ///
    /// # Panics
    ///
    /// If `root` is not a rank of the world.
    #[track_caller]
    pub fn gather(&self, root: usize) -> Result<Option<Array<A, D>>>
    where
        A: Message + Clone,
    {
        let size = self.world.size();
        assert!(
            root < size,
            "gather: root {root} is not below the world size {size}"
        );
        self.world
            .agree("DistArray::gather", &self.signature(&root.to_le_bytes()))?;
        let mut mine = Vec::new();
        self.local.encode(&mut mine);
        let from: Vec<usize> = if self.world.rank() == root {
            (0..size).collect()
        } else {
            Vec::new()
        };
        let got = self.world.exchange(&[(root, mine)], &from);
        if got.is_empty() {
            return Ok(None);
        }
        self.assemble_blocks(&got).map(Some)
    }

    /// The whole array on every rank.
    ///
    /// # Errors
    ///
    /// [`Error::Distributed`] on every rank when the ranks disagree.
    pub fn gather_all(&self) -> Result<Array<A, D>>
    where
        A: Message + Clone,
    {
        let size = self.world.size();
        self.world
            .agree("DistArray::gather_all", &self.signature(&[]))?;
        let mut mine = Vec::new();
        self.local.encode(&mut mine);
        let sends: Vec<(usize, Vec<u8>)> = (0..size).map(|r| (r, mine.clone())).collect();
        let from: Vec<usize> = (0..size).collect();
        let got = self.world.exchange(&sends, &from);
        self.assemble_blocks(&got)
    }

    /// Stacks every rank's encoded block, checking each one's shape.
    fn assemble_blocks(&self, blocks: &[Vec<u8>]) -> Result<Array<A, D>>
    where
        A: Message + Clone,
    {
        let mut data = Vec::with_capacity(self.len());
        for (r, bytes) in blocks.iter().enumerate() {
            let block = Array::<A, D>::decode(&mut &bytes[..])?;
            if block.shape() != block_dim(&self.shape, self.rows_of(r).len()).slice() {
                return Err(Error::Distributed(format!(
                    "rank {r} sent a block of the wrong shape"
                )));
            }
            data.extend(block.iter().cloned());
        }
        Ok(Array::from_shape_vec(self.shape.clone(), data).expect("the blocks fill the shape"))
    }

    /// Saves this rank's block as an npy file at `path` (not collective:
    /// give each rank its own path, e.g. with the rank in the name).
    ///
    /// # Errors
    ///
    /// As [`save_npy`](crate::io::save_npy).
    pub fn save_local_npy(&self, path: impl AsRef<Path>) -> Result<()>
    where
        A: NpyElement,
    {
        crate::io::save_npy(path, &self.local)
    }

    /// Gathers the array on `root`, which saves it as an npy file at
    /// `path` (numpy's `np.load` reads it).
    ///
    /// # Errors
    ///
    /// As [`gather`](DistArray::gather), and on `root` as
    /// [`save_npy`](crate::io::save_npy).
    ///
    /// # Panics
    ///
    /// If `root` is not a rank of the world.
    #[track_caller]
    pub fn save_npy(&self, root: usize, path: impl AsRef<Path>) -> Result<()>
    where
        A: NpyElement + Message + Clone,
    {
        match self.gather(root)? {
            Some(whole) => crate::io::save_npy(path, &whole),
            None => Ok(()),
        }
    }

    /// `f` of every element, in parallel on each rank's threads (no
    /// communication).
    pub fn par_map<B, F>(&self, f: F) -> DistArray<B, D>
    where
        B: Send,
        F: Fn(&A) -> B + Sync,
    {
        self.with_local(self.local.par_map(f))
    }

    /// `f` of every element, by value.
    pub fn par_mapv<B, F>(&self, f: F) -> DistArray<B, D>
    where
        A: Clone,
        B: Send,
        F: Fn(A) -> B + Sync,
    {
        self.with_local(self.local.par_mapv(f))
    }

    /// `f` of the elements of `self` and `other` at each index (no
    /// communication).
    ///
    /// # Panics
    ///
    /// If the arrays differ in shape or split.
    #[track_caller]
    pub fn par_zip_map<B, C, F>(&self, other: &DistArray<B, D>, f: F) -> DistArray<C, D>
    where
        B: Send + Sync,
        C: Send,
        F: Fn(&A, &B) -> C + Sync,
    {
        self.check_same("par_zip_map", other);
        self.with_local(self.local.par_zip_map(&other.local, f))
    }

    /// Replaces every element by `f` of it, in place.
    pub fn par_mapv_inplace<F>(&mut self, f: F)
    where
        A: Clone,
        F: Fn(A) -> A + Sync,
    {
        self.local.par_mapv_inplace(f);
    }
}

#[cfg(feature = "random")]
impl<A: Send + Sync, D: Dimension> DistArray<A, D> {
    /// Random values from `dist` with `seed`: the array that
    /// [`par_random`](crate::random::par_random) gives for the same shape,
    /// distribution and seed on one machine, split over the ranks. Each
    /// rank draws only its own rows.
    ///
    /// # Errors
    ///
    /// [`Error::Distributed`] on every rank when the ranks disagree.
    ///
    /// # Panics
    ///
    /// If the shape has no axis, has more elements than an index can
    /// count, or gives this rank a block larger than memory can address.
    #[track_caller]
    pub fn random<Sh, Dist>(
        world: &World,
        shape: Sh,
        split: Split,
        dist: &Dist,
        seed: u64,
    ) -> Result<Self>
    where
        Sh: IntoDimension<Dim = D>,
        Dist: crate::random::Distribution<A> + Sync,
    {
        let shape = shape.into_dimension();
        check_ndim("DistArray::random", shape.ndim());
        let offsets = agreed_offsets(world, "DistArray::random", shape.slice(), &split)?;
        let rows = offsets[world.rank()]..offsets[world.rank() + 1];
        check_size::<A>("DistArray::random", shape.slice(), rows.len());
        let row: usize = shape.slice()[1..].iter().product();
        let data = crate::random::random_range(rows.start * row..rows.end * row, dist, seed);
        let local = Array::from_shape_vec(block_dim(&shape, rows.len()), data)
            .expect("one value per element");
        Ok(Self::assemble(world, shape, offsets, local))
    }
}
