//! The byte encoding of partial states: a 7-byte header (magic `NDPS`,
//! format version, kind, element size in bytes), then the state's fields in
//! little-endian order. Decoding checks every length and value, so bytes
//! from a file or another process either decode to a valid state or give
//! [`Error::InvalidState`].

use crate::error::{Error, Result};

const MAGIC: &[u8; 4] = b"NDPS";
const VERSION: u8 = 1;

/// Which state an encoding holds: its kind byte. The numbers are part of
/// the format, so a state keeps its number for good.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    ExactSum = 1,
    ExactDot = 2,
    Moments = 3,
    MinMax = 4,
    ArgMin = 5,
    ArgMax = 6,
    Histogram = 7,
}

impl Kind {
    /// The state's type name, for error messages.
    fn name(self) -> &'static str {
        match self {
            Kind::ExactSum => "ExactSum",
            Kind::ExactDot => "ExactDot",
            Kind::Moments => "Moments",
            Kind::MinMax => "MinMax",
            Kind::ArgMin => "ArgMin",
            Kind::ArgMax => "ArgMax",
            Kind::Histogram => "Histogram",
        }
    }
}

/// Equality of states is equality of their encodings: two states are
/// equal when they would merge into everything alike, NaN payloads and
/// signed zeros included, so a state always equals its own round trip.
macro_rules! eq_by_encoding {
    ($($state:ident),*) => {$(
        impl<A: crate::element::Float> PartialEq for $state<A> {
            fn eq(&self, other: &Self) -> bool {
                self.to_bytes() == other.to_bytes()
            }
        }
        impl<A: crate::element::Float> Eq for $state<A> {}
    )*};
}
pub(crate) use eq_by_encoding;

/// Builds an encoding.
pub(crate) struct Writer(Vec<u8>);

impl Writer {
    pub(crate) fn new(kind: Kind, elem_size: usize) -> Writer {
        let mut v = Vec::with_capacity(64);
        v.extend_from_slice(MAGIC);
        v.push(VERSION);
        v.push(kind as u8);
        v.push(elem_size as u8);
        Writer(v)
    }
    pub(crate) fn u8(&mut self, x: u8) {
        self.0.push(x);
    }
    pub(crate) fn u64(&mut self, x: u64) {
        self.0.extend_from_slice(&x.to_le_bytes());
    }
    pub(crate) fn i64(&mut self, x: i64) {
        self.0.extend_from_slice(&x.to_le_bytes());
    }
    /// An f32 or f64, by its bits (NaN payloads and signed zeros kept).
    pub(crate) fn float<A: crate::element::Float>(&mut self, x: A) {
        let x = x.to_f64_exact();
        self.u64(x.to_bits());
    }
    pub(crate) fn finish(self) -> Vec<u8> {
        self.0
    }
}

/// Reads an encoding back.
pub(crate) struct Reader<'b> {
    rest: &'b [u8],
    what: &'static str,
}

impl<'b> Reader<'b> {
    /// Checks the header: magic, version, `kind` and `elem_size`.
    pub(crate) fn new(bytes: &'b [u8], kind: Kind, elem_size: usize) -> Result<Reader<'b>> {
        let mut r = Reader {
            rest: bytes,
            what: kind.name(),
        };
        if r.take(4)? != MAGIC {
            return Err(r.bad("not an ndpar partial state (no NDPS header)"));
        }
        let version = r.u8()?;
        if version != VERSION {
            return Err(r.bad(&format!("format version {version}, expected {VERSION}")));
        }
        let found = r.u8()?;
        if found != kind as u8 {
            let expected = kind as u8;
            return Err(r.bad(&format!("holds state kind {found}, expected {expected}")));
        }
        let size = r.u8()?;
        if usize::from(size) != elem_size {
            return Err(r.bad(&format!("element size {size} bytes, expected {elem_size}")));
        }
        Ok(r)
    }

    /// The error for this state.
    pub(crate) fn bad(&self, why: &str) -> Error {
        Error::InvalidState(format!("{}: {why}", self.what))
    }

    fn take(&mut self, n: usize) -> Result<&'b [u8]> {
        if self.rest.len() < n {
            return Err(self.bad("truncated"));
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }
    pub(crate) fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    pub(crate) fn u64(&mut self) -> Result<u64> {
        let b = self.take(8)?;
        Ok(u64::from_le_bytes(b.try_into().expect("8 bytes")))
    }
    pub(crate) fn i64(&mut self) -> Result<i64> {
        let b = self.take(8)?;
        Ok(i64::from_le_bytes(b.try_into().expect("8 bytes")))
    }
    /// A float written by [`Writer::float`]; an f64 that the element type
    /// cannot hold exactly is an error.
    pub(crate) fn float<A: crate::element::Float>(&mut self) -> Result<A> {
        let x = f64::from_bits(self.u64()?);
        let back = A::from_f64_nearest(x);
        if back.to_f64_exact().to_bits() == x.to_bits() || x.is_nan() {
            Ok(back)
        } else {
            Err(self.bad("a value the element type cannot hold"))
        }
    }
    /// Every byte was read.
    pub(crate) fn end(&self) -> Result<()> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(self.bad("trailing bytes"))
        }
    }
}
