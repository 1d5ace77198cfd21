//! Parallel histograms with numpy's conventions: [`par_histogram`] (uniform
//! bins), [`par_histogram_edges`] (explicit edges) and
//! [`par_histogram_2d`].
//!
//! Blocks count into private vectors of counts (one per worker, not one per
//! block, so a histogram of a million bins stays cheap), added at the end:
//! no atomics and no contention. Counts are integers, so the result is
//! exact and identical for any split and any thread count.
//!
//! ```
//! use ndpar::histogram::par_histogram;
//! use ndarray::array;
//!
//! let h = par_histogram(&array![0.5, 1.5, 1.5, 2.0, f64::NAN, 7.0], 2, Some((0.0, 2.0))).unwrap();
//! assert_eq!(h.counts, array![1, 3]);          // 2.0 falls in the last bin
//! assert_eq!(h.edges, array![0.0, 1.0, 2.0]);  // NaN and 7.0 are ignored
//! ```

use ndarray::{Array1, Array2, ArrayRef, ArrayView, Dimension, Ix1};

use crate::element::Float;
use crate::engine::counts::count_blocks;
use crate::engine::ops::Extreme;
use crate::engine::state::{StateKind, StateReader, StateWriter, eq_by_encoding};
use crate::engine::whole::{Part, reduce_kernel};
use crate::error::{Error, Result};

pub use crate::engine::counts::MAX_BINS;

/// Counts and bin edges of a 1-D histogram.
///
/// ```
/// let h = ndpar::par_histogram(&ndarray::array![1.0, 2.0, 3.0], 3, None).unwrap();
/// assert_eq!(h.counts.sum(), 3);
/// assert_eq!(h.edges.len(), 4);
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Histogram<A> {
    /// Number of values in each bin.
    pub counts: Array1<u64>,
    /// The `bins + 1` bin edges, non-decreasing (strictly increasing for
    /// equal bins; equal neighbours only where
    /// [`par_histogram_edges`] was given them).
    pub edges: Array1<A>,
}

impl<A: Float> Histogram<A> {
    /// Adds the counts of `other`, a histogram of more data over the same
    /// edges: the histogram of both parts, exactly, in any grouping and
    /// order (a mergeable [`state`](crate::state)).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] if the edges differ (in any bit).
    ///
    /// ```
    /// use ndpar::histogram::par_histogram_edges;
    /// use ndarray::array;
    ///
    /// let edges = array![0.0, 1.0, 2.0];
    /// let mut h = par_histogram_edges(&array![0.5, 1.5], &edges).unwrap();
    /// h.merge(&par_histogram_edges(&array![1.2, 9.0], &edges).unwrap()).unwrap();
    /// assert_eq!(h.counts, array![1, 2]);
    /// let back = ndpar::Histogram::<f64>::from_bytes(&h.to_bytes()).unwrap();
    /// assert_eq!(back, h);
    /// ```
    pub fn merge(&mut self, other: &Histogram<A>) -> Result<()> {
        let same = self.edges.len() == other.edges.len()
            && self
                .edges
                .iter()
                .zip(&other.edges)
                .all(|(a, b)| a.to_f64_exact().to_bits() == b.to_f64_exact().to_bits());
        if !same {
            return Err(Error::InvalidState(
                "cannot merge histograms with different edges".into(),
            ));
        }
        self.counts += &other.counts;
        Ok(())
    }

    /// A stable little-endian encoding (see [`state`](crate::state)): the
    /// number of bins, the counts, then the edges.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = StateWriter::new(StateKind::Histogram, size_of::<A>());
        w.u64(self.counts.len() as u64);
        self.counts.iter().for_each(|&c| w.u64(c));
        self.edges.iter().for_each(|&e| w.float(e));
        w.finish()
    }

    /// Decodes [`to_bytes`](Histogram::to_bytes). The length of `bytes` is
    /// checked against the number of bins before anything is allocated.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] when `bytes` is not a histogram of this
    /// element type, or its edges are not finite and non-decreasing.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = StateReader::new(bytes, StateKind::Histogram, size_of::<A>())?;
        let bins = r.u64()?;
        // Header, bin count, then 8 bytes per count and per edge.
        let expected = (bins.checked_mul(16))
            .and_then(|b| b.checked_add(7 + 8 + 8))
            .filter(|&n| n == bytes.len() as u64);
        if bins == 0 || expected.is_none() {
            return Err(r.bad("length does not match the number of bins"));
        }
        let bins = bins as usize;
        let counts = (0..bins).map(|_| r.u64()).collect::<Result<Vec<u64>>>()?;
        let edges = (0..=bins).map(|_| r.float()).collect::<Result<Vec<A>>>()?;
        r.end()?;
        // The edges every histogram function accepts, equal neighbours
        // (an empty bin) included, so every histogram survives its bytes.
        if let Err(e) = check_edges(&edges) {
            return Err(r.bad(&e.to_string()));
        }
        Ok(Histogram {
            counts: Array1::from(counts),
            edges: Array1::from(edges),
        })
    }
}

eq_by_encoding!(Histogram);

/// Counts and bin edges of a 2-D histogram.
///
/// ```
/// use ndarray::array;
/// let h = ndpar::par_histogram_2d(&array![0.1, 0.9], &array![0.9, 0.9], (2, 2), None).unwrap();
/// assert_eq!(h.counts, array![[0, 1], [0, 1]]);
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Histogram2d<A> {
    /// `counts[[i, j]]`: values with `x` in x-bin `i` and `y` in y-bin `j`.
    pub counts: Array2<u64>,
    /// Edges of the x bins.
    pub x_edges: Array1<A>,
    /// Edges of the y bins.
    pub y_edges: Array1<A>,
}

/// `bins` equal bins over `[low, high]`, placed exactly as numpy does.
struct Uniform<A> {
    low: A,
    high: A,
    /// How a value's bin is first estimated (then settled by the edges).
    estimate: Estimate<A>,
    bins: usize,
    /// The edges, as a plain vector for the hot loop.
    edges: Vec<A>,
}

/// The first guess at a value's bin: `(x - low) · bins / width`.
#[derive(Clone, Copy)]
enum Estimate<A> {
    /// Multiply by `bins / width` (the fast path, when that is finite).
    Scale(A),
    /// Divide by the width, then multiply by `bins`, as numpy does (for
    /// ranges so narrow that `bins / width` overflows).
    Divide { width: A, bins: A },
}

impl<A: Float> Uniform<A> {
    /// numpy's edges, `linspace(low, high, bins + 1)`: `low + i·step` with
    /// `step = (high - low) / bins` (or `low + (i / bins)·(high - low)`
    /// when the step underflows to zero), the last edge exactly `high`.
    /// An error when they are not finite and strictly increasing (numpy's
    /// "too many bins for data range"), or when they do not fit in memory.
    fn new(bins: usize, (low, high): (A, A)) -> Result<Uniform<A>> {
        let mut edges = Vec::new();
        let reserved = bins
            .checked_add(1)
            .is_some_and(|n| edges.try_reserve_exact(n).is_ok());
        if !reserved {
            return Err(Error::InvalidBins {
                bins,
                reason: "the bin edges do not fit in memory".into(),
            });
        }
        let n = A::from_count(bins);
        let width = high - low;
        let step = width / n;
        if step == A::zero() {
            edges.extend((0..=bins).map(|i| A::from_count(i) / n * width + low));
        } else {
            edges.extend((0..=bins).map(|i| A::from_count(i) * step + low));
        }
        edges[bins] = high;
        let finite = edges.iter().all(|e| e.is_finite());
        if !finite || edges.windows(2).any(|w| w[0] >= w[1]) {
            return Err(Error::InvalidBins {
                bins,
                reason: format!(
                    "too many bins for the data range [{low:?}, {high:?}]: \
                     cannot create {bins} finite-sized bins"
                ),
            });
        }
        let scale = n / width;
        let estimate = if scale.is_finite() {
            Estimate::Scale(scale)
        } else {
            Estimate::Divide { width, bins: n }
        };
        Ok(Uniform {
            low,
            high,
            estimate,
            bins,
            edges,
        })
    }

    /// The bin of `x`, or `None` outside `[low, high]` (and for NaN).
    #[inline]
    fn bin(&self, x: A) -> Option<usize> {
        if !(x >= self.low && x <= self.high) {
            return None;
        }
        let guess = self.guess(x);
        // The edges decide, as in numpy. The guess is the bin for all but
        // values within an ulp or so of an edge, where one comparison
        // with each neighbouring edge settles it.
        if x >= self.edges[guess] && (x < self.edges[guess + 1] || guess + 1 == self.bins) {
            Some(guess)
        } else {
            Some(self.walk(x, guess))
        }
    }

    /// The first guess at the bin of `x` (in `[low, high]`):
    /// `(x - low) · bins / width`, truncated, at most the last bin.
    #[inline(always)]
    fn guess(&self, x: A) -> usize {
        let scaled = match self.estimate {
            Estimate::Scale(scale) => (x - self.low) * scale,
            Estimate::Divide { width, bins } => (x - self.low) / width * bins,
        };
        scaled.to_index().min(self.bins - 1)
    }

    /// The bin of `x` (in `[low, high]`), walking from bin `i`: numpy
    /// corrects its guess by one step; walking on makes the bin agree
    /// with the returned edges whatever the guess (extreme ranges).
    #[cold]
    fn walk(&self, x: A, mut i: usize) -> usize {
        while x < self.edges[i] {
            i -= 1;
        }
        while i + 1 < self.bins && x >= self.edges[i + 1] {
            i += 1;
        }
        i
    }

    /// Counts the values of `xs` that fall in a bin into `counts`.
    ///
    /// Four sub-histograms take turns, so that a run of values in one bin
    /// does not wait on the same counter's previous increment; they are
    /// added into `counts` at the end (when the bins are few enough to
    /// stay in cache four times over).
    #[inline]
    fn count_into(&self, counts: &mut [u64], xs: &[A]) {
        const WAYS: usize = 4;
        if self.bins > SPLIT_COUNTS_MAX_BINS || xs.len() < WAYS * self.bins {
            for &x in xs {
                if let Some(i) = self.bin(x) {
                    counts[i] += 1;
                }
            }
            return;
        }
        let bins = self.bins;
        let mut ways = vec![0u64; WAYS * bins];
        let (own, rest) = ways.split_at_mut(bins);
        let (second, rest) = rest.split_at_mut(bins);
        let (third, fourth) = rest.split_at_mut(bins);
        let mut quads = xs.chunks_exact(WAYS);
        for q in &mut quads {
            if let Some(i) = self.bin(q[0]) {
                own[i] += 1;
            }
            if let Some(i) = self.bin(q[1]) {
                second[i] += 1;
            }
            if let Some(i) = self.bin(q[2]) {
                third[i] += 1;
            }
            if let Some(i) = self.bin(q[3]) {
                fourth[i] += 1;
            }
        }
        for &x in quads.remainder() {
            if let Some(i) = self.bin(x) {
                own[i] += 1;
            }
        }
        for (k, c) in counts.iter_mut().enumerate() {
            *c += own[k] + second[k] + third[k] + fourth[k];
        }
    }

    fn edges(self) -> Array1<A> {
        Array1::from(self.edges)
    }
}

/// Histograms of at most this many bins count into four sub-histograms
/// (32 KiB of counts for f64 data: they stay in the first-level cache).
const SPLIT_COUNTS_MAX_BINS: usize = 1024;

/// numpy's checks on a range: finite, and not inverted. `autodetected`:
/// the range is the data's minimum and maximum (the error says so).
#[track_caller]
fn check_range<A: Float>(low: A, high: A, autodetected: bool) -> Result<()> {
    if low.is_finite() && high.is_finite() && low <= high {
        Ok(())
    } else {
        Err(Error::InvalidRange {
            low: low.to_f64().unwrap_or(f64::NAN),
            high: high.to_f64().unwrap_or(f64::NAN),
            autodetected,
        })
    }
}

/// numpy's outer edges: the explicit range, or the data's min and max
/// (`[0, 1]` for empty data; an error for data holding a NaN or an
/// infinity); widened by 0.5 on each side when they are equal.
fn outer_edges<A: Float, D: Dimension>(
    data: ArrayView<'_, A, D>,
    range: Option<(A, A)>,
) -> Result<(A, A)> {
    let (low, high) = match range {
        Some(range) => range,
        None => {
            let min = Extreme {
                map: |x| x,
                better: |a: A, b: A| a < b,
            };
            let max = Extreme {
                map: |x| x,
                better: |a: A, b: A| a > b,
            };
            match (reduce_kernel(data.view(), &min), reduce_kernel(data, &max)) {
                (Some(low), Some(high)) => (low, high),
                _ => (A::zero(), A::one()),
            }
        }
    };
    check_range(low, high, range.is_none())?;
    let half = A::one() / (A::one() + A::one());
    Ok(if low == high {
        (low - half, high + half)
    } else {
        (low, high)
    })
}

/// Counts every element of `data` into a fresh vector of `bins` counts with
/// `count_run(counts, run)`, block by block (one vector per worker).
fn count<A: Float, D: Dimension>(
    data: ArrayView<'_, A, D>,
    bins: usize,
    count_run: impl Fn(&mut [u64], &[A]) + Sync,
) -> Result<Vec<u64>> {
    count_blocks((data,), bins, |counts, block| {
        let mut buf = Vec::new();
        count_run(counts, block.slice(&mut buf));
    })
}

/// numpy's `histogram(data, bins, range)`: `bins` equal bins over `range`
/// (default: the data's min and max; `[0, 1]` for empty data; a range
/// whose ends are equal is widened by 0.5 on each side). Bins are
/// half-open `[e_i, e_i+1)` except the last, which includes its right
/// edge; a value's bin is the one the returned edges define. Values
/// outside the range and NaNs are ignored. Data may have any shape and
/// layout.
///
/// # Errors
///
/// [`Error::InvalidBins`] for `bins = 0` or above [`MAX_BINS`], for more
/// bins than the range can
/// hold as finite, strictly increasing edges (numpy's "too many bins for
/// data range", for example a range as narrow as a few ulps, or as wide as
/// `[-1e308, 1e308]`, whose width overflows), and for counts that cannot
/// be allocated (a result that does not fit in memory).
/// [`Error::InvalidRange`] for an explicit range that is inverted or not
/// finite, and (as numpy) for an automatic range of data holding a NaN or
/// an infinity.
///
/// Memory: the edges, plus 8 bytes a bin for each worker thread.
///
/// ```
/// use ndpar::histogram::par_histogram;
/// use ndarray::{array, Array1};
///
/// let data = Array1::from_iter((0..1000).map(|i| i as f64 / 1000.0));
/// let h = par_histogram(&data, 4, None).unwrap();
/// assert_eq!(h.counts.to_vec(), vec![250, 250, 250, 250]);
/// assert!(par_histogram(&data, 0, None).is_err());
/// assert!(par_histogram(&data, 4, Some((1.0, 0.0))).is_err());
/// assert!(par_histogram(&data, 4, Some((1.0, 1.0 + f64::EPSILON))).is_err());
/// assert!(par_histogram(&data, 1 << 60, None).is_err());
/// // An empty range is widened, as numpy does.
/// let h = par_histogram(&array![1.0], 2, Some((1.0, 1.0))).unwrap();
/// assert_eq!(h.edges, array![0.5, 1.0, 1.5]);
/// ```
pub fn par_histogram<A: Float, D: Dimension>(
    data: &ArrayRef<A, D>,
    bins: usize,
    range: Option<(A, A)>,
) -> Result<Histogram<A>> {
    check_bins(bins)?;
    let u = Uniform::new(bins, outer_edges(data.view(), range)?)?;
    let counts = count(data.view(), bins, |counts, xs| u.count_into(counts, xs))?;
    Ok(Histogram {
        counts: Array1::from(counts),
        edges: u.edges(),
    })
}

fn check_bins(bins: usize) -> Result<()> {
    let reason = match bins {
        0 => "a histogram needs at least one bin".to_string(),
        b if b > MAX_BINS => format!("more than MAX_BINS = {MAX_BINS}"),
        _ => return Ok(()),
    };
    Err(Error::InvalidBins { bins, reason })
}

/// numpy's `histogram(data, bins=edges)`: counts per bin for explicit,
/// non-decreasing edges (`edges.len() - 1` bins; equal neighbours make an
/// empty bin), returned with a copy of the edges. Bins are half-open
/// except the last; values outside `[edges[0], edges[last]]` and NaNs are
/// ignored. Each value finds its bin by binary search.
///
/// # Errors
///
/// [`Error::InvalidEdges`] for fewer than two edges, a non-finite edge, or
/// decreasing edges.
///
/// ```
/// use ndpar::histogram::par_histogram_edges;
/// use ndarray::array;
///
/// let h = par_histogram_edges(&array![0.5, 1.0, 2.5, 10.0, 99.0], &array![0.0, 1.0, 10.0]).unwrap();
/// assert_eq!(h.counts, array![1, 3]); // 10.0 is in the last (closed) bin
/// assert_eq!(h.edges, array![0.0, 1.0, 10.0]);
/// assert!(par_histogram_edges(&array![1.0], &array![1.0, 0.0]).is_err());
/// ```
pub fn par_histogram_edges<A: Float, D: Dimension>(
    data: &ArrayRef<A, D>,
    edges: &ArrayRef<A, Ix1>,
) -> Result<Histogram<A>> {
    let edges: Vec<A> = edges.iter().copied().collect();
    check_edges(&edges)?;
    let bins = edges.len() - 1;
    let (first, last) = (edges[0], edges[bins]);
    let counts = count(data.view(), bins, |counts, xs| {
        for &x in xs {
            if x >= first && x <= last {
                // The last edge `<= x` starts x's bin; x == last goes to
                // the last bin.
                let i = edges.partition_point(|&e| e <= x);
                counts[(i - 1).min(bins - 1)] += 1;
            }
        }
    })?;
    Ok(Histogram {
        counts: Array1::from(counts),
        edges: Array1::from(edges),
    })
}

fn check_edges<A: Float>(edges: &[A]) -> Result<()> {
    if edges.len() < 2 {
        return Err(Error::InvalidEdges(format!(
            "need at least 2 edges, got {}",
            edges.len()
        )));
    }
    if let Some(i) = edges.iter().position(|e| !e.is_finite()) {
        return Err(Error::InvalidEdges(format!("edge {i} is not finite")));
    }
    if let Some(i) = edges.windows(2).position(|w| w[1] < w[0]) {
        return Err(Error::InvalidEdges(format!(
            "edges decrease between positions {i} and {}",
            i + 1
        )));
    }
    Ok(())
}

/// numpy's `histogram2d(x, y, bins, range)`: a 2-D histogram of the pairs
/// `(x[i], y[i])` of two 1-D arrays of equal length, with `bins.0` equal
/// bins in x and `bins.1` in y (ranges default to each array's min and
/// max). A pair counts only if both coordinates are in range (NaN never
/// is).
///
/// # Errors
///
/// As [`par_histogram`], for either axis, and [`Error::InvalidBins`] when
/// the `bins.0 × bins.1` counts do not fit in memory. (Where numpy's
/// `histogram2d` returns repeated or NaN edges for a range too narrow or
/// too wide for its bins, ndpar returns the error.)
///
/// # Panics
///
/// If `x` and `y` differ in length (the message names both).
///
/// ```
/// use ndpar::histogram::par_histogram_2d;
/// use ndarray::array;
///
/// let x = array![0.0, 0.0, 1.0, 1.0];
/// let y = array![0.0, 1.0, 1.0, 1.0];
/// let h = par_histogram_2d(&x, &y, (2, 2), None).unwrap();
/// assert_eq!(h.counts, array![[1, 1], [0, 2]]);
/// ```
#[track_caller]
pub fn par_histogram_2d<A: Float>(
    x: &ArrayRef<A, Ix1>,
    y: &ArrayRef<A, Ix1>,
    bins: (usize, usize),
    range: Option<((A, A), (A, A))>,
) -> Result<Histogram2d<A>> {
    crate::check::same_shape("par_histogram_2d", ("x", x.shape()), ("y", y.shape()));
    check_bins(bins.0)?;
    check_bins(bins.1)?;
    let (rx, ry) = match range {
        Some((rx, ry)) => (Some(rx), Some(ry)),
        None => (None, None),
    };
    let ux = Uniform::new(bins.0, outer_edges(x.view(), rx)?)?;
    let uy = Uniform::new(bins.1, outer_edges(y.view(), ry)?)?;
    let (nx, ny) = bins;
    let cells = nx.saturating_mul(ny);
    if cells > MAX_BINS {
        return Err(Error::InvalidBins {
            bins: cells,
            reason: format!("{nx} × {ny} bins in all, more than MAX_BINS = {MAX_BINS}"),
        });
    }
    // Count over pairs: a zipped pass over blocks of the two vectors,
    // straight from memory whatever the strides (columns of a C-order
    // table are the common case; copying them first would double the
    // traffic).
    let counts = count_blocks((x.view(), y.view()), cells, |counts, block| {
        match block.part {
            Part::Run((xs, ys)) => count_pairs(&ux, &uy, counts, xs.iter().zip(ys)),
            Part::Views((vx, vy)) => {
                // Blocks of two vectors are 1-D: iterate them as such (a
                // dynamic-dimension iterator costs an index walk per value).
                let (vx, vy) = (
                    vx.into_dimensionality::<Ix1>(),
                    vy.into_dimensionality::<Ix1>(),
                );
                let (vx, vy) = (vx.expect("1-D block"), vy.expect("1-D block"));
                count_pairs(&ux, &uy, counts, vx.iter().zip(&vy))
            }
        }
    })?;
    Ok(Histogram2d {
        counts: Array2::from_shape_vec((nx, ny), counts).expect("nx·ny counts"),
        x_edges: ux.edges(),
        y_edges: uy.edges(),
    })
}

/// Counts `(x, y)` pairs into the row-major `counts` of the bins of `ux` ×
/// `uy`.
#[inline]
fn count_pairs<'a, A: Float>(
    ux: &Uniform<A>,
    uy: &Uniform<A>,
    counts: &mut [u64],
    pairs: impl Iterator<Item = (&'a A, &'a A)>,
) {
    let ny = uy.bins;
    for (&a, &b) in pairs {
        if let (Some(i), Some(j)) = (ux.bin(a), uy.bin(b)) {
            counts[i * ny + j] += 1;
        }
    }
}
