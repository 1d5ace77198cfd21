//! numpy's quantile methods: which order statistics a quantile of sorted
//! data reads, and how it interpolates between them (`np.quantile`'s
//! `method=`, term for term).

use crate::element::Float;

/// How a quantile between two data points is chosen (numpy's `method`).
///
/// With the data sorted as `x[0] ≤ … ≤ x[n-1]` and the virtual index
/// `h = (n − 1) · q`:
///
/// | method | value |
/// |---|---|
/// | `Linear` (numpy's default) | `x[⌊h⌋] + (h − ⌊h⌋) · (x[⌊h⌋ + 1] − x[⌊h⌋])` |
/// | `Lower` | `x[⌊h⌋]` |
/// | `Higher` | `x[⌈h⌉]` |
/// | `Nearest` | `x[round(h)]`, ties to even as `np.around` |
/// | `Midpoint` | `(x[⌊h⌋] + x[⌈h⌉]) / 2` |
///
/// The interpolation is numpy's `_lerp`, term for term, so the `f64`
/// results equal numpy's bit for bit.
///
/// ```
/// use ndpar::prelude::*;
/// use ndpar::QuantileMethod::*;
/// use ndarray::array;
///
/// let a = array![1.0, 2.0, 3.0, 4.0];
/// let at = |m| a.par_quantile(0.4, m).unwrap();
/// assert_eq!([at(Linear), at(Lower), at(Higher), at(Nearest), at(Midpoint)],
///            [2.2, 2.0, 3.0, 2.0, 2.5]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum QuantileMethod {
    /// Linear interpolation between the neighbours (numpy's default).
    #[default]
    Linear,
    /// The lower neighbour.
    Lower,
    /// The higher neighbour.
    Higher,
    /// The nearer neighbour (halves go to the even index).
    Nearest,
    /// The mean of the two neighbours.
    Midpoint,
}

/// numpy's `_lerp(a, b, t)`.
pub(super) fn lerp<A: Float>(a: A, b: A, t: A) -> A {
    let diff = b - a;
    if t >= A::from(0.5).expect("0.5") {
        b - diff * (A::one() - t)
    } else {
        a + diff * t
    }
}

/// What a method needs from the sorted data: the ranks `lo ≤ hi` and,
/// for the interpolating methods, numpy's weight of `hi` (including its
/// quirks: past the last index the weight is `h + 1`, and an integer
/// virtual index still interpolates with weight 0, so that infinities
/// give NaN exactly where numpy's do).
pub(super) fn plan(n: usize, q: f64, method: QuantileMethod) -> (usize, usize, Option<f64>) {
    let last = n - 1;
    let h = last as f64 * q;
    let neighbours = |v: f64, weight: f64| {
        if v >= last as f64 {
            (last, last, Some(weight))
        } else {
            let lo = v.floor() as usize;
            (lo, lo + 1, Some(weight))
        }
    };
    match method {
        QuantileMethod::Linear => {
            let weight = if h >= last as f64 {
                h + 1.0
            } else {
                h - h.floor()
            };
            neighbours(h, weight)
        }
        QuantileMethod::Midpoint => {
            let v = 0.5 * (h.floor() + h.ceil());
            neighbours(v, if v % 1.0 == 0.0 { 0.0 } else { 0.5 })
        }
        QuantileMethod::Lower => (h.floor() as usize, h.floor() as usize, None),
        QuantileMethod::Higher => (h.ceil() as usize, h.ceil() as usize, None),
        QuantileMethod::Nearest => {
            let r = round_half_even(h) as usize;
            (r, r, None)
        }
    }
}

/// `np.around`: halves to even.
fn round_half_even(h: f64) -> f64 {
    let r = h.round();
    if (r - h).abs() == 0.5 && r % 2.0 != 0.0 {
        r - h.signum()
    } else {
        r
    }
}
