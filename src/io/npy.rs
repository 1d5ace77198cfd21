//! The npy format (numpy's `NEP 1`), versions 1.0 to 3.0: the header
//! (magic string, version, header length, a Python dict literal with
//! `descr`, `fortran_order` and `shape`) and the raw elements after it.
//!
//! Files are untrusted: the header is read only up to a bounded length,
//! every size it implies is computed with checked arithmetic, and an
//! array's memory is reserved only once the bytes to fill it are known to
//! exist (a file's length is compared with what the header claims before
//! anything is allocated; a stream's elements are read as they arrive).

use std::io::{Read, Write};

use ndarray::{ArrayD, ArrayRef, Dimension, IxDyn, ShapeBuilder};

/// The longest header read (numpy's own limit for untrusted files is
/// 10 000 bytes; this leaves room for a few hundred axes).
pub(crate) const MAX_HEADER: usize = 1 << 16;

const MAGIC: &[u8; 6] = b"\x93NUMPY";

/// An element type that npy files can hold: `bool`, the primitive
/// integers of 1 to 8 bytes, `f32` and `f64`, in either byte order on
/// reading (ndpar writes little-endian, as numpy does by default).
///
/// The trait is sealed; its items are implementation details.
///
/// ```
/// use ndpar::io::{load_npy, save_npy, NpyElement};
/// use ndarray::{Array1, Ix1};
///
/// fn round_trip<A: NpyElement + PartialEq + std::fmt::Debug>(a: Array1<A>) {
///     let path = std::env::temp_dir().join(format!("ndpar-doc-elem-{}.npy", std::process::id()));
///     save_npy(&path, &a).unwrap();
///     assert_eq!(load_npy::<A, Ix1, _>(&path).unwrap(), a);
///     std::fs::remove_file(&path).unwrap();
/// }
/// round_trip(Array1::from(vec![1.5f32, -2.0]));
/// round_trip(Array1::from(vec![true, false]));
/// ```
pub trait NpyElement: Copy + Send + Sync + 'static + sealed::Sealed {
    /// numpy's type code: `b`, `i`, `u` or `f`.
    #[doc(hidden)]
    const KIND: char;
    /// Bytes per element.
    #[doc(hidden)]
    const SIZE: usize;
    /// Decodes one element from `SIZE` bytes.
    #[doc(hidden)]
    fn decode(bytes: &[u8], little: bool) -> Self;
    /// Appends the little-endian bytes of `self`.
    #[doc(hidden)]
    fn encode(self, out: &mut Vec<u8>);
    /// The elements stored in native byte order in `bytes`, or `None` if
    /// they are not aligned for `Self` (or `Self` is `bool`, whose bytes
    /// numpy does not limit to 0 and 1).
    #[cfg(feature = "mmap")]
    #[doc(hidden)]
    fn cast(bytes: &[u8]) -> Option<&[Self]>;
    /// See [`cast`](NpyElement::cast).
    #[cfg(feature = "mmap")]
    #[doc(hidden)]
    fn cast_mut(bytes: &mut [u8]) -> Option<&mut [Self]>;
}

mod sealed {
    pub trait Sealed {}
}

macro_rules! npy_numbers {
    ($($t:ty => $kind:literal),*) => {$(
        impl sealed::Sealed for $t {}
        impl NpyElement for $t {
            const KIND: char = $kind;
            const SIZE: usize = size_of::<$t>();
            #[inline]
            fn decode(bytes: &[u8], little: bool) -> Self {
                let b = bytes.try_into().expect("SIZE bytes");
                if little { <$t>::from_le_bytes(b) } else { <$t>::from_be_bytes(b) }
            }
            #[inline]
            fn encode(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            #[cfg(feature = "mmap")]
            fn cast(bytes: &[u8]) -> Option<&[Self]> {
                bytemuck::try_cast_slice(bytes).ok()
            }
            #[cfg(feature = "mmap")]
            fn cast_mut(bytes: &mut [u8]) -> Option<&mut [Self]> {
                bytemuck::try_cast_slice_mut(bytes).ok()
            }
        }
    )*};
}
// `usize` and `isize` (indices: what `par_argsort` and `par_knn` return)
// are numpy's `uintp` and `intp`: `uint64` and `int64` on 64-bit machines.
npy_numbers!(
    i8 => 'i', i16 => 'i', i32 => 'i', i64 => 'i', isize => 'i',
    u8 => 'u', u16 => 'u', u32 => 'u', u64 => 'u', usize => 'u',
    f32 => 'f', f64 => 'f'
);

impl sealed::Sealed for bool {}
impl NpyElement for bool {
    const KIND: char = 'b';
    const SIZE: usize = 1;
    #[inline]
    fn decode(bytes: &[u8], _: bool) -> Self {
        // numpy treats any non-zero byte of a bool array as true.
        bytes[0] != 0
    }
    #[inline]
    fn encode(self, out: &mut Vec<u8>) {
        out.push(u8::from(self));
    }
    #[cfg(feature = "mmap")]
    fn cast(_: &[u8]) -> Option<&[Self]> {
        None
    }
    #[cfg(feature = "mmap")]
    fn cast_mut(_: &mut [u8]) -> Option<&mut [Self]> {
        None
    }
}

/// What is wrong with a file (the caller adds the file's name).
pub(crate) type Problem = String;

/// A parsed header.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Header {
    pub(crate) kind: char,
    pub(crate) size: usize,
    pub(crate) little: bool,
    pub(crate) fortran: bool,
    pub(crate) shape: Vec<usize>,
}

impl Header {
    /// Number of elements, or a problem if it does not fit a `usize`.
    pub(crate) fn len(&self) -> Result<usize, Problem> {
        self.shape
            .iter()
            .try_fold(1usize, |n, &d| n.checked_mul(d))
            .ok_or_else(|| format!("the shape {:?} has too many elements", self.shape))
    }

    /// Bytes of data the header announces.
    pub(crate) fn data_bytes(&self) -> Result<usize, Problem> {
        self.len()?.checked_mul(self.size).ok_or_else(|| {
            format!(
                "the shape {:?} needs more bytes than fit in memory",
                self.shape
            )
        })
    }

    /// Checks that the file holds `A` in `D` dimensions.
    pub(crate) fn check<A: NpyElement, D: Dimension>(&self) -> Result<(), Problem> {
        if self.kind != A::KIND || self.size != A::SIZE {
            return Err(format!(
                "the file holds elements of numpy type {}{}, not the element type asked for ({})",
                self.kind,
                self.size,
                std::any::type_name::<A>()
            ));
        }
        if let Some(n) = D::NDIM.filter(|&n| n != self.shape.len()) {
            return Err(format!(
                "the file holds a {}-dimensional array, not the {n}-dimensional one asked for",
                self.shape.len()
            ));
        }
        Ok(())
    }
}

/// Reads and parses a header from the start of `r`. `limit`, when known,
/// is the number of bytes `r` holds: a header claiming more fails before
/// anything is allocated. Returns the header and its length in bytes.
pub(crate) fn read_header(r: &mut impl Read, limit: Option<u64>) -> Result<(Header, u64), Problem> {
    let truncated = || "the file is truncated (it ends inside the header)".to_string();
    let mut start = [0u8; 8];
    r.read_exact(&mut start).map_err(|_| truncated())?;
    if &start[..6] != MAGIC {
        return Err("not an npy file (no \\x93NUMPY magic string)".into());
    }
    let (major, minor) = (start[6], start[7]);
    let len_bytes = match major {
        1 => 2,
        2 | 3 => 4,
        _ => return Err(format!("unsupported npy format version {major}.{minor}")),
    };
    let mut len = [0u8; 4];
    r.read_exact(&mut len[..len_bytes])
        .map_err(|_| truncated())?;
    let header_len = u32::from_le_bytes(len) as usize;
    let prefix = 8 + len_bytes as u64;
    if header_len > MAX_HEADER {
        return Err(format!(
            "the header claims {header_len} bytes; npy headers longer than {MAX_HEADER} are refused"
        ));
    }
    if limit.is_some_and(|l| prefix + header_len as u64 > l) {
        return Err(truncated());
    }
    let mut text = vec![0u8; header_len];
    r.read_exact(&mut text).map_err(|_| truncated())?;
    let text = match major {
        3 => String::from_utf8(text).map_err(|_| "the header is not UTF-8")?,
        _ => text
            .iter()
            .map(|&b| b.is_ascii().then_some(b as char))
            .collect::<Option<String>>()
            .ok_or("the header is not ASCII")?,
    };
    Ok((parse_dict(&text)?, prefix + header_len as u64))
}

/// Parses the header's dict literal.
fn parse_dict(text: &str) -> Result<Header, Problem> {
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    let (mut descr, mut fortran, mut shape) = (None, None, None);
    p.expect(b'{')?;
    loop {
        if p.eat(b'}') {
            break;
        }
        let key = p.string()?;
        p.expect(b':')?;
        match key.as_str() {
            "descr" => descr = Some(p.string()?),
            "fortran_order" => fortran = Some(p.boolean()?),
            "shape" => shape = Some(p.tuple()?),
            other => return Err(format!("unexpected key {other:?} in the header")),
        }
        if !p.eat(b',') {
            p.expect(b'}')?;
            break;
        }
    }
    p.skip_space();
    if p.i != p.s.len() {
        return Err("unexpected text after the header's dict".into());
    }
    let descr = descr.ok_or("the header has no 'descr'")?;
    let (kind, size, little) = parse_descr(&descr)?;
    Ok(Header {
        kind,
        size,
        little,
        fortran: fortran.ok_or("the header has no 'fortran_order'")?,
        shape: shape.ok_or("the header has no 'shape'")?,
    })
}

/// `'<f8'` → (`f`, 8, little-endian).
fn parse_descr(descr: &str) -> Result<(char, usize, bool), Problem> {
    let unsupported = || format!("unsupported element type {descr:?}");
    // Every type ndpar reads is spelled in ASCII; a version-3 header may
    // hold any UTF-8, which the byte slicing below must never see.
    if !descr.is_ascii() {
        return Err(unsupported());
    }
    let mut chars = descr.chars();
    let (order, kind) = match (chars.next(), chars.next()) {
        (Some(o @ ('<' | '>' | '|' | '=')), Some(k)) => (o, k),
        (Some(k), _) if k.is_ascii_alphabetic() => ('|', k),
        _ => return Err(unsupported()),
    };
    let rest = if order == '|' && !descr.starts_with('|') {
        &descr[1..]
    } else {
        &descr[2..]
    };
    let size: usize = rest.parse().map_err(|_| unsupported())?;
    let ok = match kind {
        'b' => size == 1,
        'i' | 'u' => matches!(size, 1 | 2 | 4 | 8),
        'f' => matches!(size, 4 | 8),
        _ => false,
    };
    if !ok || (order == '|' && size != 1) {
        return Err(unsupported());
    }
    let little = match order {
        '>' => false,
        '<' | '|' => true,
        _ => cfg!(target_endian = "little"),
    };
    Ok((kind, size, little))
}

/// A tiny reader of the Python literals npy headers use.
struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn skip_space(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.skip_space();
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: u8) -> Result<(), Problem> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(format!(
                "malformed header: expected {:?} at byte {}",
                c as char, self.i
            ))
        }
    }

    fn string(&mut self) -> Result<String, Problem> {
        self.skip_space();
        let quote = match self.s.get(self.i) {
            Some(&q @ (b'\'' | b'"')) => q,
            _ => {
                return Err(format!(
                    "malformed header: expected a string at byte {}",
                    self.i
                ));
            }
        };
        let start = self.i + 1;
        let end = self.s[start..]
            .iter()
            .position(|&c| c == quote)
            .map(|k| start + k)
            .ok_or("malformed header: unterminated string")?;
        self.i = end + 1;
        Ok(String::from_utf8_lossy(&self.s[start..end]).into_owned())
    }

    fn boolean(&mut self) -> Result<bool, Problem> {
        self.skip_space();
        for (word, value) in [(&b"True"[..], true), (b"False", false)] {
            if self.s[self.i..].starts_with(word) {
                self.i += word.len();
                return Ok(value);
            }
        }
        Err("malformed header: fortran_order is not True or False".into())
    }

    fn tuple(&mut self) -> Result<Vec<usize>, Problem> {
        self.expect(b'(')?;
        let mut out = Vec::new();
        loop {
            if self.eat(b')') {
                return Ok(out);
            }
            self.skip_space();
            let start = self.i;
            while self.i < self.s.len() && self.s[self.i].is_ascii_digit() {
                self.i += 1;
            }
            let digits = std::str::from_utf8(&self.s[start..self.i]).unwrap_or("");
            let n: usize = digits
                .parse()
                .map_err(|_| "malformed header: a shape entry is not a non-negative integer")?;
            // Python 2 wrote long integers with an L.
            if self.s.get(self.i) == Some(&b'L') {
                self.i += 1;
            }
            if out.len() >= 64 {
                return Err("the shape has more than 64 axes".into());
            }
            out.push(n);
            if !self.eat(b',') {
                self.expect(b')')?;
                return Ok(out);
            }
        }
    }
}

/// Reads the elements after a checked header: exactly `header.len()` of
/// them. With `present` (the caller checked that the bytes are there, as
/// for a file of known length) the array's memory is reserved at once;
/// otherwise it grows with the bytes that actually arrive, so a stream
/// that ends early costs no more than what it held. The caller has checked
/// the element type.
pub(crate) fn read_data<A: NpyElement>(
    r: &mut impl Read,
    header: &Header,
    present: bool,
) -> Result<ArrayD<A>, Problem> {
    let n = header.len()?;
    header.data_bytes()?;
    let mut data: Vec<A> = Vec::new();
    if present {
        data.try_reserve_exact(n)
            .map_err(|_| format!("could not allocate memory for {n} elements"))?;
    }
    let mut buf = vec![0u8; (64 * 1024 / A::SIZE).max(1) * A::SIZE];
    let mut left = n;
    while left > 0 {
        let want = (left * A::SIZE).min(buf.len());
        let chunk = &mut buf[..want];
        r.read_exact(chunk).map_err(|_| {
            "the file is truncated (it holds fewer elements than its header says)".to_string()
        })?;
        data.try_reserve(want / A::SIZE)
            .map_err(|_| format!("could not allocate memory for {n} elements"))?;
        data.extend(
            chunk
                .chunks_exact(A::SIZE)
                .map(|b| A::decode(b, header.little)),
        );
        left -= want / A::SIZE;
    }
    let shape = IxDyn(&header.shape);
    let array = if header.fortran {
        ArrayD::from_shape_vec(shape.f(), data)
    } else {
        ArrayD::from_shape_vec(shape, data)
    };
    array.map_err(|e| format!("the elements do not fill the shape: {e}"))
}

/// The header of an npy file holding `A` in this shape and order: version
/// 1.0 unless the header needs 2.0, padded with spaces so that the data
/// starts at a multiple of 64 bytes (numpy's rule, which also aligns the
/// data of a memory-mapped file).
pub(crate) fn header_bytes<A: NpyElement>(shape: &[usize], fortran: bool) -> Vec<u8> {
    let shape: Vec<String> = shape.iter().map(|n| n.to_string()).collect();
    let shape = match shape.len() {
        1 => format!("({},)", shape[0]),
        _ => format!("({})", shape.join(", ")),
    };
    let descr = match A::SIZE {
        1 => format!("|{}1", A::KIND),
        s => format!("<{}{s}", A::KIND),
    };
    let dict = format!(
        "{{'descr': '{descr}', 'fortran_order': {}, 'shape': {shape}, }}",
        if fortran { "True" } else { "False" }
    );
    let unpadded = |prefix: usize| prefix + dict.len() + 1;
    let (version, prefix) = if unpadded(10) <= u16::MAX as usize {
        (1u8, 10)
    } else {
        (2, 12)
    };
    let total = unpadded(prefix).div_ceil(64) * 64;
    let header_len = total - prefix;
    let mut head = Vec::with_capacity(total);
    head.extend_from_slice(MAGIC);
    head.extend_from_slice(&[version, 0]);
    if version == 1 {
        head.extend_from_slice(&(header_len as u16).to_le_bytes());
    } else {
        head.extend_from_slice(&(header_len as u32).to_le_bytes());
    }
    head.extend_from_slice(dict.as_bytes());
    head.resize(total - 1, b' ');
    head.push(b'\n');
    head
}

/// Writes `a` as an npy file to `w`: C order, or F order for an array
/// whose memory is column-major (as numpy saves it), version 1.0 unless
/// the header needs 2.0.
pub(crate) fn write<A: NpyElement, D: Dimension>(
    w: &mut impl Write,
    a: &ArrayRef<A, D>,
) -> std::io::Result<()> {
    let fortran = !a.is_standard_layout() && a.t().is_standard_layout() && a.ndim() > 1;
    let head = header_bytes::<A>(a.shape(), fortran);
    w.write_all(&head)?;
    // Elements in the file's order, in 64 KiB chunks.
    let mut out = Vec::with_capacity(64 * 1024);
    let flush = |out: &mut Vec<u8>, w: &mut dyn Write| -> std::io::Result<()> {
        w.write_all(out)?;
        out.clear();
        Ok(())
    };
    let elements: Box<dyn Iterator<Item = &A>> = if fortran {
        Box::new(a.t().into_iter())
    } else {
        Box::new(a.iter())
    };
    for &x in elements {
        x.encode(&mut out);
        if out.len() >= 64 * 1024 - 16 {
            flush(&mut out, w)?;
        }
    }
    flush(&mut out, w)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(dict: &str) -> Result<Header, Problem> {
        parse_dict(dict)
    }

    #[test]
    fn headers_numpy_writes_parse() {
        let h = header("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }").unwrap();
        assert_eq!(
            h,
            Header {
                kind: 'f',
                size: 8,
                little: true,
                fortran: false,
                shape: vec![3, 4]
            }
        );
        let h = header("{'descr': '|b1', 'fortran_order': True, 'shape': (5,)}").unwrap();
        assert_eq!((h.kind, h.fortran, h.shape), ('b', true, vec![5]));
        let h = header(r#"{"shape": (), "fortran_order": False, "descr": ">i4"}"#).unwrap();
        assert_eq!((h.kind, h.size, h.little, h.shape), ('i', 4, false, vec![]));
        assert_eq!(
            header("{'descr': '<i8', 'fortran_order': False, 'shape': (2L, 3L), }")
                .unwrap()
                .shape,
            vec![2, 3]
        );
    }

    #[test]
    fn hostile_headers_are_errors() {
        for bad in [
            "",
            "{",
            "{'descr': '<f8', 'fortran_order': False}",
            "{'descr': '<c16', 'fortran_order': False, 'shape': (1,)}",
            "{'descr': 'O', 'fortran_order': False, 'shape': (1,)}",
            "{'descr': '<f8', 'fortran_order': maybe, 'shape': (1,)}",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (-1,)}",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999999,)}",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'extra': 1}",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (1,)} trailing",
            "{'descr': '|f8', 'fortran_order': False, 'shape': (1,)}",
        ] {
            assert!(header(bad).is_err(), "{bad:?}");
        }
        let huge = header("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296)}").unwrap();
        assert!(huge.len().is_err() && huge.data_bytes().is_err());
    }

    #[test]
    fn written_headers_are_aligned_and_read_back() {
        let a = ndarray::Array2::<u16>::zeros((3, 0));
        let mut bytes = Vec::new();
        write(&mut bytes, &a).unwrap();
        assert_eq!(bytes.len() % 64, 0);
        let (h, len) = read_header(&mut &bytes[..], Some(bytes.len() as u64)).unwrap();
        assert_eq!((h.shape, len as usize), (vec![3, 0], bytes.len()));
    }
}
