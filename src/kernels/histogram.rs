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
use crate::engine::ops::Extreme;
use crate::engine::whole::{Part, accumulate, reduce_kernel};
use crate::error::{Error, Result};
use crate::plan::contiguous;

/// Counts and bin edges of a 1-D histogram.
///
/// ```
/// let h = ndpar::par_histogram(&ndarray::array![1.0, 2.0, 3.0], 3, None).unwrap();
/// assert_eq!(h.counts.sum(), 3);
/// assert_eq!(h.edges.len(), 4);
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Histogram<A> {
    /// Number of values in each bin.
    pub counts: Array1<u64>,
    /// The `bins + 1` bin edges, increasing.
    pub edges: Array1<A>,
}

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
    /// `bins / (high - low)`.
    scale: A,
    bins: usize,
    /// The edges, as a plain vector for the hot loop.
    edges: Vec<A>,
}

impl<A: Float> Uniform<A> {
    fn new(bins: usize, (low, high): (A, A)) -> Uniform<A> {
        // numpy's linspace: low + i·step, the last edge exactly `high`.
        let step = (high - low) / A::from_count(bins);
        let mut edges: Vec<A> = (0..=bins).map(|i| low + A::from_count(i) * step).collect();
        edges[bins] = high;
        Uniform {
            low,
            high,
            scale: A::from_count(bins) / (high - low),
            bins,
            edges,
        }
    }

    /// The bin of `x`, or `None` outside `[low, high]` (and for NaN).
    #[inline]
    fn bin(&self, x: A) -> Option<usize> {
        if !(x >= self.low && x <= self.high) {
            return None;
        }
        // Scale, then correct by comparing with the edges, as numpy does:
        // the estimate is within one bin, and the edges decide. (numpy
        // divides where we multiply by the reciprocal; after the correction
        // both give the bin the edges define.)
        let mut i = ((x - self.low) * self.scale).to_index().min(self.bins - 1);
        if x < self.edges[i] {
            i -= 1;
        } else if i + 1 < self.bins && x >= self.edges[i + 1] {
            i += 1;
        }
        Some(i)
    }

    /// Counts the values of `xs` that fall in a bin into `counts`.
    #[inline]
    fn count_into(&self, counts: &mut [u64], xs: &[A]) {
        for &x in xs {
            if let Some(i) = self.bin(x) {
                counts[i] += 1;
            }
        }
    }

    fn edges(&self) -> Array1<A> {
        Array1::from(self.edges.clone())
    }
}

#[track_caller]
fn check_range<A: Float>(low: A, high: A) -> Result<()> {
    if low.is_finite() && high.is_finite() && low < high {
        Ok(())
    } else {
        Err(Error::InvalidRange {
            low: low.to_f64().unwrap_or(f64::NAN),
            high: high.to_f64().unwrap_or(f64::NAN),
        })
    }
}

/// The range numpy picks: the data's min and max, widened by 0.5 on each
/// side when they are equal, `[0, 1]` for empty data. Like numpy, data
/// holding a NaN or an infinity has no automatic range (an error).
fn auto_range<A: Float, D: Dimension>(data: ArrayView<'_, A, D>) -> Result<(A, A)> {
    let min = Extreme {
        map: |x| x,
        better: |a: A, b: A| a < b,
    };
    let max = Extreme {
        map: |x| x,
        better: |a: A, b: A| a > b,
    };
    let (Some(low), Some(high)) = (reduce_kernel(data.view(), &min), reduce_kernel(data, &max))
    else {
        return Ok((A::zero(), A::one()));
    };
    let half = A::from_count(1) / A::from_count(2);
    let (low, high) = if low == high {
        (low - half, high + half)
    } else {
        (low, high)
    };
    check_range(low, high)?;
    Ok((low, high))
}

/// Adds count vectors.
fn add(mut a: Vec<u64>, b: Vec<u64>) -> Vec<u64> {
    a.iter_mut().zip(b).for_each(|(a, b)| *a += b);
    a
}

/// Counts every element of `data` into a fresh vector of `bins` counts with
/// `count_run(counts, run)`, block by block.
fn count<A: Float, D: Dimension>(
    data: ArrayView<'_, A, D>,
    bins: usize,
    count_run: impl Fn(&mut [u64], &[A]) + Sync,
) -> Vec<u64> {
    accumulate(
        (data,),
        || vec![0u64; bins],
        |counts, block| {
            let mut buf = Vec::new();
            count_run(counts, block.slice(&mut buf));
        },
        add,
    )
}

/// numpy's `histogram(data, bins, range)`: `bins` equal bins over `range`
/// (default: the data's min and max, widened by 0.5 when they are equal;
/// `[0, 1]` for empty data). Bins are half-open `[e_i, e_i+1)` except the
/// last, which includes its right edge. With an explicit range, values
/// outside it and NaNs are ignored. Data may have any shape and layout.
///
/// # Errors
///
/// [`Error::InvalidBins`] for `bins = 0`; [`Error::InvalidRange`] for an
/// explicit range that is empty, inverted or not finite, and (as numpy)
/// for an automatic range of data holding a NaN or an infinity.
///
/// ```
/// use ndpar::histogram::par_histogram;
/// use ndarray::Array1;
///
/// let data = Array1::from_iter((0..1000).map(|i| i as f64 / 1000.0));
/// let h = par_histogram(&data, 4, None).unwrap();
/// assert_eq!(h.counts.to_vec(), vec![250, 250, 250, 250]);
/// assert!(par_histogram(&data, 0, None).is_err());
/// assert!(par_histogram(&data, 4, Some((1.0, 0.0))).is_err());
/// ```
pub fn par_histogram<A: Float, D: Dimension>(
    data: &ArrayRef<A, D>,
    bins: usize,
    range: Option<(A, A)>,
) -> Result<Histogram<A>> {
    if bins == 0 {
        return Err(Error::InvalidBins { bins });
    }
    let (low, high) = match range {
        Some((low, high)) => {
            check_range(low, high)?;
            (low, high)
        }
        None => auto_range(data.view())?,
    };
    let u = Uniform::new(bins, (low, high));
    let counts = count(data.view(), bins, |counts, xs| u.count_into(counts, xs));
    Ok(Histogram {
        counts: Array1::from(counts),
        edges: u.edges(),
    })
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
    });
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
/// As [`par_histogram`], for either axis.
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
    if bins.0 == 0 || bins.1 == 0 {
        return Err(Error::InvalidBins {
            bins: bins.0.min(bins.1),
        });
    }
    let (rx, ry) = match range {
        Some((rx, ry)) => {
            check_range(rx.0, rx.1)?;
            check_range(ry.0, ry.1)?;
            (rx, ry)
        }
        None => (auto_range(x.view())?, auto_range(y.view())?),
    };
    let (ux, uy) = (Uniform::new(bins.0, rx), Uniform::new(bins.1, ry));
    let (nx, ny) = bins;
    // Count over pairs: a zipped pass over blocks of the two vectors.
    let count_pairs = |counts: &mut Vec<u64>, xs: &[A], ys: &[A]| {
        for (&a, &b) in xs.iter().zip(ys) {
            if let (Some(i), Some(j)) = (ux.bin(a), uy.bin(b)) {
                counts[i * ny + j] += 1;
            }
        }
    };
    let counts = accumulate(
        (x.view(), y.view()),
        || vec![0u64; nx * ny],
        |counts, block| match block.part {
            Part::Run((xs, ys)) => count_pairs(counts, xs, ys),
            Part::Views((vx, vy)) => {
                let (mut bx, mut by) = (Vec::new(), Vec::new());
                count_pairs(counts, contiguous(&vx, &mut bx), contiguous(&vy, &mut by));
            }
        },
        add,
    );
    Ok(Histogram2d {
        counts: Array2::from_shape_vec((nx, ny), counts).expect("nx·ny counts"),
        x_edges: ux.edges(),
        y_edges: uy.edges(),
    })
}
