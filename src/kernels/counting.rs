//! Counting: [`par_bincount`] and [`par_unique`], with numpy's conventions.
//!
//! ```
//! use ndpar::counting::{par_bincount, par_unique};
//! use ndarray::array;
//!
//! let x = array![1u32, 3, 1, 0, 3, 3];
//! assert_eq!(par_bincount(&x, 0).unwrap(), array![1, 2, 0, 3]);
//! let u = par_unique(&array![2.0, 1.0, 2.0, f64::NAN]);
//! assert_eq!(u.counts, array![1, 2, 1]);
//! assert_eq!(u.first_index, array![1, 0, 3]);
//! ```

use std::fmt::Display;

use ndarray::{Array1, ArrayRef, Dimension};

use crate::check;
use crate::element::Scalar;
use crate::engine::counts::{MAX_BINS, add_counts, counts_too_big, zero_counts};
use crate::engine::order::argsort_lanes;
use crate::engine::whole::{Part, accumulate, reduce};
use crate::error::{Error, Result};
use crate::plan::Schedule;

/// The bin of a value: `None` for a negative (or too large) one.
fn bin<A: Copy + TryInto<u64>>(x: A) -> Option<u64> {
    x.try_into().ok()
}

/// The number of bins for the largest value `max` and `minlength`, checked
/// against [`MAX_BINS`].
fn bins_for(max: Option<u64>, minlength: usize) -> Result<usize> {
    let needed = max.map_or(0, |m| m.saturating_add(1));
    let bins = needed.max(minlength as u64);
    if bins > MAX_BINS as u64 {
        return Err(Error::InvalidBins {
            bins: usize::try_from(bins).unwrap_or(usize::MAX),
            reason: format!("bincount holds at most {MAX_BINS} bins"),
        });
    }
    Ok(bins as usize)
}

/// What a scan of the data for its bins finds: the largest value as a
/// bin, and the first negative value (with its row-major index).
#[derive(Clone, Copy)]
struct Scan<A> {
    max: Option<u64>,
    negative: Option<(usize, A)>,
}

impl<A: Copy> Scan<A> {
    /// Both parts' findings (the merge is order-free: a maximum, and the
    /// negative value of lowest index).
    fn merge(self, other: Scan<A>) -> Scan<A> {
        let max = match (self.max, other.max) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        let negative = match (self.negative, other.negative) {
            (Some(a), Some(b)) => Some(if b.0 < a.0 { b } else { a }),
            (a, b) => a.or(b),
        };
        Scan { max, negative }
    }
}

/// The largest value of `x` as a bin, or the error naming its first
/// negative value.
fn largest<A, D>(x: &ArrayRef<A, D>) -> Result<Option<u64>>
where
    A: Copy + Send + Sync + TryInto<u64> + Display,
    D: Dimension,
{
    // Positions are logical: memory that is one slice in another order
    // (F order) takes the general cut, whose blocks know their positions.
    let scan = reduce(
        (x.view(),),
        x.is_standard_layout(),
        |block| {
            let mut found = Scan {
                max: None,
                negative: None,
            };
            let mut buf = Vec::new();
            for (i, &v) in block.slice(&mut buf).iter().enumerate() {
                match bin(v) {
                    Some(b) => found.max = Some(found.max.map_or(b, |m| m.max(b))),
                    None => {
                        let flat = block.at.positions.flat(block.at.start + i);
                        found = found.merge(Scan {
                            max: None,
                            negative: Some((flat, v)),
                        });
                    }
                }
            }
            found
        },
        Scan::merge,
    );
    match scan {
        Some(Scan {
            negative: Some((index, value)),
            ..
        }) => Err(Error::InvalidValue(format!(
            "bincount takes non-negative integers (that fit in a u64); found {value} at index {index}"
        ))),
        Some(scan) => Ok(scan.max),
        None => Ok(None),
    }
}

/// Counts of each non-negative integer in `x` (flattened), numpy's
/// `np.bincount(x, minlength=minlength)`: `max(x) + 1` bins, or
/// `minlength` if more. Counts are integers, so the result is exact and
/// the same for any split.
///
/// # Errors
///
/// [`Error::InvalidValue`] if a value is negative (numpy raises too),
/// naming the first (in row-major order) and its index;
/// [`Error::InvalidBins`] if more than [`MAX_BINS`] bins would be needed,
/// or the counts do not fit in memory.
///
/// ```
/// use ndpar::counting::par_bincount;
/// use ndarray::array;
///
/// assert_eq!(par_bincount(&array![0i64, 2, 2], 5).unwrap(), array![1, 0, 2, 0, 0]);
/// assert!(par_bincount(&array![-1i64], 0).is_err());
/// assert_eq!(par_bincount(&ndarray::Array1::<u8>::zeros(0), 0).unwrap().len(), 0);
/// ```
pub fn par_bincount<A, D>(x: &ArrayRef<A, D>, minlength: usize) -> Result<Array1<u64>>
where
    A: Copy + Send + Sync + TryInto<u64> + Display,
    D: Dimension,
{
    // One pass: each worker's counts grow to the largest value it meets.
    let tally = accumulate(
        (x.view(),),
        Tally::default,
        |tally, block| {
            let mut buf = Vec::new();
            tally.count(block.slice(&mut buf));
        },
        Tally::merge,
    );
    if tally.negative {
        // Rare: a second pass finds the first negative value for the error.
        largest(x)?;
    }
    if let Some(value) = tally.too_big {
        bins_for(Some(value), minlength)?;
        return Err(counts_too_big(value.saturating_add(1) as usize));
    }
    let mut counts = tally.counts;
    let largest = (counts.len() as u64).checked_sub(1);
    let bins = bins_for(largest, minlength)?;
    if counts.try_reserve_exact(bins - counts.len()).is_err() {
        return Err(counts_too_big(bins));
    }
    counts.resize(bins, 0);
    Ok(Array1::from(counts))
}

/// A worker's counts in [`par_bincount`]'s one pass, grown to the largest
/// value seen; and what must turn the result into an error.
#[derive(Default)]
struct Tally {
    counts: Vec<u64>,
    /// A negative value was met (numpy's error takes precedence).
    negative: bool,
    /// A value whose bins exceed [`MAX_BINS`] or memory (not counted).
    too_big: Option<u64>,
}

impl Tally {
    #[inline]
    fn count<A: Copy + TryInto<u64>>(&mut self, xs: &[A]) {
        let mut rest = xs;
        loop {
            // Count through a local slice (its pointer and length stay in
            // registers) until a value does not fit it.
            let counts = self.counts.as_mut_slice();
            let len = counts.len() as u64;
            let fits = rest.iter().position(|&v| match bin(v) {
                Some(b) if b < len => {
                    counts[b as usize] += 1;
                    false
                }
                _ => true,
            });
            let Some(at) = fits else {
                return;
            };
            match bin(rest[at]) {
                Some(b) if self.grow(b) => self.counts[b as usize] += 1,
                Some(b) => self.too_big = Some(self.too_big.map_or(b, |t| t.max(b))),
                None => self.negative = true,
            }
            rest = &rest[at + 1..];
        }
    }

    /// Makes room for value `b` (at least doubling, so growth costs
    /// amortised constant time a value); `false` when it does not fit.
    #[cold]
    fn grow(&mut self, b: u64) -> bool {
        if b >= MAX_BINS as u64 {
            return false;
        }
        let len = b as usize + 1;
        let room = len.max(2 * self.counts.len()).min(MAX_BINS) - self.counts.len();
        if self.counts.try_reserve(room).is_err() {
            return false;
        }
        self.counts.resize(len, 0);
        true
    }

    /// Both workers' counts (the shorter added into the longer).
    fn merge(a: Tally, b: Tally) -> Tally {
        let (mut long, short) = if a.counts.len() >= b.counts.len() {
            (a.counts, b.counts)
        } else {
            (b.counts, a.counts)
        };
        long.iter_mut().zip(short).for_each(|(l, s)| *l += s);
        let too_big = match (a.too_big, b.too_big) {
            (Some(x), Some(y)) => Some(x.max(y)),
            (x, y) => x.or(y),
        };
        Tally {
            counts: long,
            negative: a.negative || b.negative,
            too_big,
        }
    }
}

/// Sums of `weights` per value of `x` (numpy's `np.bincount(x, weights,
/// minlength)`), in f64. Each block sums its weights in order, and blocks
/// are merged along the fixed tree, so the bits are the same on any number
/// of threads.
///
/// # Errors
///
/// As [`par_bincount`].
///
/// # Panics
///
/// If `weights` does not have the shape of `x`.
///
/// ```
/// use ndpar::counting::par_bincount_weighted;
/// use ndarray::array;
///
/// let w = par_bincount_weighted(&array![0u8, 1, 1], &array![0.5, 1.0, 2.0], 0).unwrap();
/// assert_eq!(w, array![0.5, 3.0]);
/// ```
#[track_caller]
pub fn par_bincount_weighted<A, D>(
    x: &ArrayRef<A, D>,
    weights: &ArrayRef<f64, D>,
    minlength: usize,
) -> Result<Array1<f64>>
where
    A: Copy + Send + Sync + TryInto<u64> + Display,
    D: Dimension,
{
    check::same_shape(
        "par_bincount_weighted",
        ("x", x.shape()),
        ("weights", weights.shape()),
    );
    let bins = bins_for(largest(x)?, minlength)?;
    let add = |sums: &mut [f64], xs: &[A], ws: &[f64]| {
        for (&v, &w) in xs.iter().zip(ws) {
            sums[bin(v).expect("checked non-negative") as usize] += w;
        }
    };
    let sums = reduce(
        (x.view(), weights.view()),
        true,
        |block| {
            // Allocated fallibly, as histograms' counts are: a vector that
            // does not fit is an error, not an abort.
            let mut sums = zero_counts::<f64>(bins)?;
            match block.part {
                Part::Run((xs, ws)) => add(&mut sums, xs, ws),
                Part::Views((vx, vw)) => {
                    let (xs, ws): (Vec<A>, Vec<f64>) = vx.iter().zip(vw.iter()).unzip();
                    add(&mut sums, &xs, &ws);
                }
            }
            Some(sums)
        },
        add_counts,
    )
    .unwrap_or_else(|| zero_counts(bins));
    sums.map(Array1::from).ok_or_else(|| counts_too_big(bins))
}

/// The unique values of an array and where they are: numpy's
/// `np.unique(a, return_index=True, return_inverse=True,
/// return_counts=True)` on the flattened array.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Unique<A> {
    /// The distinct values, sorted (numpy's order: NaN last; `-0.0` and
    /// `0.0` are one value, reported as the one that occurs first; all NaNs
    /// are one value, as numpy's `equal_nan=True`).
    pub values: Array1<A>,
    /// For each distinct value, the flat (row-major) index of its first
    /// occurrence.
    pub first_index: Array1<usize>,
    /// For each element, in row-major order, the position of its value in
    /// `values`.
    pub inverse: Array1<usize>,
    /// How often each distinct value occurs.
    pub counts: Array1<usize>,
}

/// The sorted distinct values of `a` with their first indices, the inverse
/// map and the counts (see [`Unique`]); built on the stable parallel
/// argsort, so the same on any number of threads.
///
/// ```
/// use ndpar::counting::par_unique;
/// use ndarray::array;
///
/// let u = par_unique(&array![[3, 1], [3, 2]]);
/// assert_eq!(u.values, array![1, 2, 3]);
/// assert_eq!(u.first_index, array![1, 3, 0]);
/// assert_eq!(u.inverse, array![2, 0, 2, 1]);
/// assert_eq!(u.counts, array![1, 1, 2]);
/// ```
pub fn par_unique<A: Scalar, D: Dimension>(a: &ArrayRef<A, D>) -> Unique<A> {
    let flat: Vec<A> = match a.as_slice() {
        Some(xs) => xs.to_vec(),
        None => a.iter().copied().collect(),
    };
    let n = flat.len();
    let mut order = vec![0usize; n];
    argsort_lanes(&flat, n, &mut order);
    // Group starts: positions in sorted order where the key changes.
    let is_start = |k: usize| k == 0 || flat[order[k]].sort_key() != flat[order[k - 1]].sort_key();
    let chunk = 1 << 16;
    let chunks = n.div_ceil(chunk);
    let starts: Vec<usize> = Schedule::for_len(n, chunks)
        .map_collect(chunks, |c| {
            (c * chunk..((c + 1) * chunk).min(n))
                .filter(|&k| is_start(k))
                .collect::<Vec<usize>>()
        })
        .concat();
    let groups = starts.len();
    let mut inverse = vec![0usize; n];
    let mut counts = Vec::with_capacity(groups);
    for (g, &s) in starts.iter().enumerate() {
        let end = starts.get(g + 1).copied().unwrap_or(n);
        counts.push(end - s);
        for &i in &order[s..end] {
            inverse[i] = g;
        }
    }
    let first_index: Array1<usize> = starts.iter().map(|&s| order[s]).collect();
    let values = first_index.mapv(|i| flat[i]);
    Unique {
        values,
        first_index,
        inverse: Array1::from(inverse),
        counts: Array1::from(counts),
    }
}
