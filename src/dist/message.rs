//! [`Message`]: values that travel between ranks as bytes.

use ndarray::{Array, Dimension, IxDyn};

use crate::element::Scalar;
use crate::engine::num::{Carried, IntProd};
use crate::engine::state::{ArgMax, ArgMin, Best, ExactDot, ExactSum, MinMax, Moments};
use crate::error::{Error, Result};
use crate::kernels::histogram::Histogram;

/// A value that can travel between ranks: task results of
/// [`World::par_map`](super::World::par_map), and the partial results of
/// every distributed kernel.
///
/// Implemented for the numeric types and `bool`, `String`, `Vec`, `Option`,
/// pairs and triples, ndarray arrays, and ndpar's mergeable
/// [`state`](crate::state)s; implement it for your own types from these.
/// Encodings are little-endian and checked when decoded: malformed bytes
/// are an [`Error::Distributed`], never a panic.
///
/// ```
/// use ndpar::dist::Message;
///
/// let v = (3u32, vec![1.5f64, -0.0], Some(String::from("rank")));
/// let mut bytes = Vec::new();
/// v.encode(&mut bytes);
/// let back = <(u32, Vec<f64>, Option<String>)>::decode(&mut &bytes[..]).unwrap();
/// assert_eq!(back, v);
/// assert!(<(u32, Vec<f64>)>::decode(&mut &bytes[..3]).is_err());
/// ```
pub trait Message: Sized {
    /// Appends the encoding of `self` to `out`.
    fn encode(&self, out: &mut Vec<u8>);
    /// Decodes one value from the front of `input`, advancing it.
    ///
    /// # Errors
    ///
    /// [`Error::Distributed`] when the bytes do not encode a value.
    fn decode(input: &mut &[u8]) -> Result<Self>;
}

/// The error of a malformed message.
pub(crate) fn malformed(what: &str) -> Error {
    Error::Distributed(format!("a malformed message between ranks ({what})"))
}

/// The first `n` bytes of `input`, advancing it.
pub(crate) fn take<'a>(input: &mut &'a [u8], n: usize) -> Result<&'a [u8]> {
    if input.len() < n {
        return Err(malformed("it ends early"));
    }
    let (head, rest) = input.split_at(n);
    *input = rest;
    Ok(head)
}

/// A length prefix, checked against the bytes left (each item takes at
/// least `min_item` bytes), so that no bogus length allocates.
fn length(input: &mut &[u8], min_item: usize) -> Result<usize> {
    let n = u64::decode(input)?;
    match usize::try_from(n) {
        Ok(n) if n.saturating_mul(min_item) <= input.len() => Ok(n),
        _ => Err(malformed("a length longer than the message")),
    }
}

macro_rules! numbers {
    ($($t:ty),*) => {$(
        impl Message for $t {
            fn encode(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            fn decode(input: &mut &[u8]) -> Result<Self> {
                let bytes = take(input, size_of::<$t>())?;
                Ok(<$t>::from_le_bytes(bytes.try_into().expect("the size of the type")))
            }
        }
    )*};
}
numbers!(u8, u16, u32, u64, u128, i8, i16, i32, i64, i128, f32, f64);

impl Message for usize {
    fn encode(&self, out: &mut Vec<u8>) {
        (*self as u64).encode(out);
    }
    fn decode(input: &mut &[u8]) -> Result<Self> {
        usize::try_from(u64::decode(input)?).map_err(|_| malformed("an index beyond usize"))
    }
}

impl Message for isize {
    fn encode(&self, out: &mut Vec<u8>) {
        (*self as i64).encode(out);
    }
    fn decode(input: &mut &[u8]) -> Result<Self> {
        isize::try_from(i64::decode(input)?).map_err(|_| malformed("an index beyond isize"))
    }
}

impl Message for bool {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(u8::from(*self));
    }
    fn decode(input: &mut &[u8]) -> Result<Self> {
        match u8::decode(input)? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(malformed("a bool that is neither 0 nor 1")),
        }
    }
}

impl Message for String {
    fn encode(&self, out: &mut Vec<u8>) {
        (self.len() as u64).encode(out);
        out.extend_from_slice(self.as_bytes());
    }
    fn decode(input: &mut &[u8]) -> Result<Self> {
        let n = length(input, 1)?;
        String::from_utf8(take(input, n)?.to_vec()).map_err(|_| malformed("a string not UTF-8"))
    }
}

impl<T: Message> Message for Vec<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        (self.len() as u64).encode(out);
        for x in self {
            x.encode(out);
        }
    }
    fn decode(input: &mut &[u8]) -> Result<Self> {
        let n = length(input, 0)?;
        // Items may be empty, so the capacity is bounded by the bytes left.
        let mut v = Vec::with_capacity(n.min(input.len()));
        for _ in 0..n {
            v.push(T::decode(input)?);
        }
        Ok(v)
    }
}

impl<T: Message> Message for Option<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.is_some().encode(out);
        if let Some(x) = self {
            x.encode(out);
        }
    }
    fn decode(input: &mut &[u8]) -> Result<Self> {
        Ok(if bool::decode(input)? {
            Some(T::decode(input)?)
        } else {
            None
        })
    }
}

impl<T: Message, U: Message> Message for (T, U) {
    fn encode(&self, out: &mut Vec<u8>) {
        self.0.encode(out);
        self.1.encode(out);
    }
    fn decode(input: &mut &[u8]) -> Result<Self> {
        Ok((T::decode(input)?, U::decode(input)?))
    }
}

impl<T: Message, U: Message, V: Message> Message for (T, U, V) {
    fn encode(&self, out: &mut Vec<u8>) {
        self.0.encode(out);
        self.1.encode(out);
        self.2.encode(out);
    }
    fn decode(input: &mut &[u8]) -> Result<Self> {
        Ok((T::decode(input)?, U::decode(input)?, V::decode(input)?))
    }
}

/// Arrays travel as their shape and their elements in logical
/// (row-major) order, whatever their memory layout.
impl<A: Message + Clone, D: Dimension> Message for Array<A, D> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.shape().to_vec().encode(out);
        for x in self.iter() {
            x.encode(out);
        }
    }
    fn decode(input: &mut &[u8]) -> Result<Self> {
        let shape = Vec::<usize>::decode(input)?;
        let len = shape
            .iter()
            .try_fold(1usize, |n, &d| n.checked_mul(d))
            .filter(|&n| n <= input.len())
            .ok_or_else(|| malformed("an array shape larger than the message"))?;
        let mut items = Vec::with_capacity(len.min(input.len()));
        for _ in 0..len {
            items.push(A::decode(input)?);
        }
        Array::from_shape_vec(IxDyn(&shape), items)
            .map_err(|_| malformed("an array whose shape does not hold its elements"))?
            .into_dimensionality::<D>()
            .map_err(|_| malformed("an array of another dimension"))
    }
}

/// The states travel in their own stable encodings, length-prefixed.
macro_rules! states {
    ($($t:ident),*) => {$(
        impl<A: crate::element::Float> Message for $t<A> {
            fn encode(&self, out: &mut Vec<u8>) {
                self.to_bytes().encode(out);
            }
            fn decode(input: &mut &[u8]) -> Result<Self> {
                let bytes = Vec::<u8>::decode(input)?;
                $t::from_bytes(&bytes).map_err(|e| malformed(&e.to_string()))
            }
        }
    )*};
}
states!(ExactSum, ExactDot, Moments, MinMax, ArgMin, ArgMax);

/// Exact partial sums and products of integers (see `engine::num`).
impl<W: Message> Message for Carried<W> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.value.encode(out);
        self.carry.encode(out);
    }
    fn decode(input: &mut &[u8]) -> Result<Self> {
        Ok(Carried {
            value: W::decode(input)?,
            carry: i64::decode(input)?,
        })
    }
}

impl<W: Message> Message for IntProd<W> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.zero.encode(out);
        self.over.encode(out);
        self.value.encode(out);
    }
    fn decode(input: &mut &[u8]) -> Result<Self> {
        Ok(IntProd {
            zero: bool::decode(input)?,
            over: bool::decode(input)?,
            value: W::decode(input)?,
        })
    }
}

impl<A: Scalar + Message> Message for Best<A> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.value.encode(out);
        self.flat.encode(out);
    }
    fn decode(input: &mut &[u8]) -> Result<Self> {
        Ok(Best {
            value: A::decode(input)?,
            flat: usize::decode(input)?,
        })
    }
}

impl<A: crate::element::Float + Message> Message for Histogram<A> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.counts.encode(out);
        self.edges.encode(out);
    }
    fn decode(input: &mut &[u8]) -> Result<Self> {
        Ok(Histogram {
            counts: Message::decode(input)?,
            edges: Message::decode(input)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T: Message + PartialEq + std::fmt::Debug>(v: T) {
        let mut bytes = Vec::new();
        v.encode(&mut bytes);
        let mut input = &bytes[..];
        assert_eq!(T::decode(&mut input).unwrap(), v);
        assert!(input.is_empty());
        for cut in 0..bytes.len() {
            assert!(T::decode(&mut &bytes[..cut]).is_err(), "cut at {cut}");
        }
    }

    #[test]
    fn values_round_trip_and_truncations_are_errors() {
        round_trip(-3i16);
        round_trip(f64::NAN.to_bits());
        round_trip(vec![Some(1.5f32), None]);
        round_trip(String::from("ndpar"));
        round_trip(ndarray::array![[1u8, 2], [3, 4]].reversed_axes());
        round_trip((true, usize::MAX, -7isize));
    }

    #[test]
    fn states_travel_whole() {
        let xs = [1.5f64, -2.0, 1e300, -1e300, 0.25];
        let mut sum = ExactSum::new();
        sum.extend(&xs);
        let mut arg = ArgMax::new();
        arg.extend(10, &xs);
        let mut bytes = Vec::new();
        (sum.clone(), arg).encode(&mut bytes);
        let (s2, a2) = <(ExactSum<f64>, ArgMax<f64>)>::decode(&mut &bytes[..]).unwrap();
        assert_eq!((s2.sum(), a2.get()), (sum.sum(), arg.get()));
        assert_eq!(a2.get(), Some((12, 1e300)));
        let mut flipped = bytes.clone();
        flipped[12] ^= 0xFF;
        let _ = <(ExactSum<f64>, ArgMax<f64>)>::decode(&mut &flipped[..]);
    }

    #[test]
    fn hostile_lengths_are_errors_before_allocating() {
        let mut bytes = Vec::new();
        u64::MAX.encode(&mut bytes);
        assert!(Vec::<u8>::decode(&mut &bytes[..]).is_err());
        assert!(String::decode(&mut &bytes[..]).is_err());
        let mut shape = Vec::new();
        vec![usize::MAX, 2].encode(&mut shape);
        assert!(ndarray::Array2::<f64>::decode(&mut &shape[..]).is_err());
        assert!(bool::decode(&mut &[2u8][..]).is_err());
    }
}
