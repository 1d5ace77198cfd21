//! [`MinMax`], [`ArgMin`] and [`ArgMax`].

use super::codec::{Kind, Reader, Writer, eq_by_encoding};
use super::{Best, first_nan_or_better, prefer};
use crate::element::Float;
use crate::error::Result;

/// The minimum and maximum of a stream of floats, NaN-propagating like
/// numpy's `min` and `max`: once a NaN is seen, both are NaN.
///
/// Values compare with `<`, and of equal values (`-0.0` and `0.0`) the
/// earlier one is kept, as numpy does. So [`merge`](MinMax::merge) takes
/// `other` to be the *later* part of the data; merging the parts of a
/// sequence in any grouping, in order, gives the one-pass result bit for
/// bit.
///
/// ```
/// use ndpar::state::MinMax;
///
/// let mut m = MinMax::new();
/// m.extend(&[3.0, -1.0, 7.5]);
/// assert_eq!((m.min(), m.max()), (Some(-1.0), Some(7.5)));
/// m.add(f64::NAN);
/// assert!(m.min().unwrap().is_nan());
/// assert_eq!(MinMax::<f32>::new().min(), None);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct MinMax<A> {
    extremes: Option<(A, A)>,
}

impl<A: Float> Default for MinMax<A> {
    fn default() -> Self {
        MinMax::new()
    }
}

fn lt<A: PartialOrd>(a: A, b: A) -> bool {
    a < b
}

fn gt<A: PartialOrd>(a: A, b: A) -> bool {
    a > b
}

impl<A: Float> MinMax<A> {
    /// The state of no values.
    pub fn new() -> Self {
        MinMax { extremes: None }
    }

    /// Adds one value (after all earlier ones).
    pub fn add(&mut self, x: A) {
        self.merge(&MinMax {
            extremes: Some((x, x)),
        });
    }

    /// Adds the values of `xs`, in order.
    pub fn extend(&mut self, xs: &[A]) {
        for &x in xs {
            self.add(x);
        }
    }

    /// Merges `other`, the state of the data that follows.
    pub fn merge(&mut self, other: &MinMax<A>) {
        self.extremes = match (self.extremes, other.extremes) {
            (None, e) | (e, None) => e,
            (Some((lo1, hi1)), Some((lo2, hi2))) => Some((
                first_nan_or_better(lo1, lo2, lt),
                first_nan_or_better(hi1, hi2, gt),
            )),
        };
    }

    /// The minimum (NaN if a NaN was seen); `None` for no values.
    pub fn min(&self) -> Option<A> {
        self.extremes.map(|e| e.0)
    }

    /// The maximum (NaN if a NaN was seen); `None` for no values.
    pub fn max(&self) -> Option<A> {
        self.extremes.map(|e| e.1)
    }

    /// A stable little-endian encoding (see [`state`](crate::state)).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(Kind::MinMax, size_of::<A>());
        match self.extremes {
            None => w.u8(0),
            Some((lo, hi)) => {
                w.u8(1);
                w.float(lo);
                w.float(hi);
            }
        }
        w.finish()
    }

    /// Decodes [`to_bytes`](MinMax::to_bytes).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`](crate::Error::InvalidState) when `bytes` is
    /// not a `MinMax` of this element type.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes, Kind::MinMax, size_of::<A>())?;
        let extremes = match r.u8()? {
            0 => None,
            1 => Some((r.float()?, r.float()?)),
            _ => return Err(r.bad("unknown tag")),
        };
        r.end()?;
        Ok(MinMax { extremes })
    }
}

/// Arg-extreme state: the preferred candidate so far.
macro_rules! arg_state {
    ($name:ident, $better:ident, $kind:expr, $doc:literal, $example:literal) => {
        #[doc = $doc]
        ///
        /// Candidates are values with their index (any `u64` numbering of
        /// the data, usually the flat row-major index). A NaN beats every
        /// number, and among equal values (`-0.0` and `0.0` included) the
        /// lower index wins, so [`merge`](Self::merge) is associative and
        /// commutative: parts merged in any grouping and order give the
        /// one-pass result.
        ///
        /// ```
        #[doc = $example]
        /// ```
        #[derive(Clone, Copy, Debug)]
        pub struct $name<A> {
            best: Option<Best<A, u64>>,
        }

        impl<A: Float> Default for $name<A> {
            fn default() -> Self {
                Self::new()
            }
        }

        impl<A: Float> $name<A> {
            /// The state of no values.
            pub fn new() -> Self {
                $name { best: None }
            }

            /// Adds the value `x` at `index`.
            pub fn add(&mut self, index: u64, x: A) {
                self.merge(&$name {
                    best: Some(Best {
                        value: x,
                        flat: index,
                    }),
                });
            }

            /// Adds `xs[i]` at index `start + i` for every `i`.
            pub fn extend(&mut self, start: u64, xs: &[A]) {
                for (i, &x) in xs.iter().enumerate() {
                    self.add(start + i as u64, x);
                }
            }

            /// Merges `other`.
            pub fn merge(&mut self, other: &$name<A>) {
                self.best = match (self.best, other.best) {
                    (None, b) | (b, None) => b,
                    (Some(a), Some(b)) => Some(prefer(a, b, $better)),
                };
            }

            /// The index and value of the preferred candidate; `None` for
            /// no values.
            pub fn get(&self) -> Option<(u64, A)> {
                self.best.map(|b| (b.flat, b.value))
            }

            /// A stable little-endian encoding (see
            /// [`state`](crate::state)).
            pub fn to_bytes(&self) -> Vec<u8> {
                let mut w = Writer::new($kind, size_of::<A>());
                match self.best {
                    None => w.u8(0),
                    Some(b) => {
                        w.u8(1);
                        w.u64(b.flat);
                        w.float(b.value);
                    }
                }
                w.finish()
            }

            /// Decodes [`to_bytes`](Self::to_bytes).
            ///
            /// # Errors
            ///
            /// [`Error::InvalidState`](crate::Error::InvalidState) when
            /// `bytes` is not this state of this element type.
            pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
                let mut r = Reader::new(bytes, $kind, size_of::<A>())?;
                let best = match r.u8()? {
                    0 => None,
                    1 => {
                        let flat = r.u64()?;
                        Some(Best {
                            flat,
                            value: r.float()?,
                        })
                    }
                    _ => return Err(r.bad("unknown tag")),
                };
                r.end()?;
                Ok($name { best })
            }
        }
    };
}

arg_state!(
    ArgMin,
    lt,
    Kind::ArgMin,
    "The first minimum of a stream of indexed floats (numpy's `argmin`).",
    "use ndpar::state::ArgMin;\n\nlet mut a = ArgMin::new();\na.extend(0, &[3.0, 1.0, 2.0]);\nlet mut b = ArgMin::new();\nb.extend(3, &[1.0, 5.0]);\nb.merge(&a); // any order\nassert_eq!(b.get(), Some((1, 1.0))); // the first of the two 1.0\nassert_eq!(ArgMin::<f64>::from_bytes(&b.to_bytes()).unwrap(), b);"
);
arg_state!(
    ArgMax,
    gt,
    Kind::ArgMax,
    "The first maximum of a stream of indexed floats (numpy's `argmax`).",
    "use ndpar::state::ArgMax;\n\nlet mut a = ArgMax::new();\na.extend(10, &[3.0, f64::NAN, 9.0]);\nassert_eq!(a.get().map(|(i, _)| i), Some(11)); // NaN wins, like numpy\nassert_eq!(ArgMax::<f32>::new().get(), None);"
);

eq_by_encoding!(MinMax, ArgMin, ArgMax);
