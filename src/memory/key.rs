//! [`CacheKey`]: what a cached function's inputs contribute to its key.
//!
//! The key is a blake3 hash of a typed, length-prefixed encoding of the
//! inputs, so different values (or the same bytes as another type) never
//! share a key. Arrays contribute their element type, shape and elements in
//! logical row-major order, not their memory layout: equal arrays in C or F
//! order, or a transposed view of the same data, give the same key.

use ndarray::{ArrayBase, Data, Dimension};

/// Feeds typed values into a key. Implement [`CacheKey`] for your own types
/// by feeding their parts.
///
/// ```
/// use ndpar::memory::{CacheKey, KeyHasher};
///
/// struct Config { alpha: f64, steps: u32 }
/// impl CacheKey for Config {
///     fn feed(&self, h: &mut KeyHasher) {
///         h.tag("Config");
///         self.alpha.feed(h);
///         self.steps.feed(h);
///     }
/// }
/// let k1 = KeyHasher::digest(&Config { alpha: 0.5, steps: 10 });
/// let k2 = KeyHasher::digest(&Config { alpha: 0.5, steps: 11 });
/// assert_ne!(k1, k2);
/// ```
#[derive(Debug)]
pub struct KeyHasher(blake3::Hasher);

impl KeyHasher {
    pub(crate) fn new() -> KeyHasher {
        KeyHasher(blake3::Hasher::new())
    }

    /// The hex digest of `value`'s key alone.
    ///
    /// ```
    /// use ndpar::memory::KeyHasher;
    /// assert_eq!(KeyHasher::digest(&1u8), KeyHasher::digest(&1u8));
    /// assert_ne!(KeyHasher::digest(&1u8), KeyHasher::digest(&1u16));
    /// ```
    pub fn digest<K: CacheKey + ?Sized>(value: &K) -> String {
        let mut h = KeyHasher::new();
        value.feed(&mut h);
        h.finish()
    }

    /// Feeds a type or structure tag (length-prefixed).
    ///
    /// ```
    /// use ndpar::memory::{CacheKey, KeyHasher};
    /// struct Marker;
    /// impl CacheKey for Marker {
    ///     fn feed(&self, h: &mut KeyHasher) {
    ///         h.tag("Marker");
    ///     }
    /// }
    /// assert_eq!(KeyHasher::digest(&Marker).len(), 64); // 256 bits, hex
    /// ```
    pub fn tag(&mut self, tag: &str) {
        self.bytes(tag.as_bytes());
    }

    /// Feeds a byte string (length-prefixed).
    ///
    /// ```
    /// use ndpar::memory::{CacheKey, KeyHasher};
    /// // "ab" + "c" and "a" + "bc" differ, thanks to the length prefixes.
    /// assert_ne!(KeyHasher::digest(&("ab", "c")), KeyHasher::digest(&("a", "bc")));
    /// ```
    pub fn bytes(&mut self, b: &[u8]) {
        self.0.update(&(b.len() as u64).to_le_bytes());
        self.0.update(b);
    }

    fn raw(&mut self, b: &[u8]) {
        self.0.update(b);
    }

    pub(crate) fn finish(&self) -> String {
        self.0.finalize().to_hex().to_string()
    }
}

/// A value that can be part of a cache key.
///
/// Implemented for primitive numbers, `bool`, `str`/`String`, ndarray
/// arrays of primitive numbers or `bool` (any dimension, storage and
/// layout), tuples of up to four keys, slices/`Vec`s and `Option`s of keys,
/// references, and (feature `serde`) `memory::Json`.
///
/// ```
/// use ndpar::memory::KeyHasher;
/// use ndarray::{array, Array2, ShapeBuilder};
///
/// let c = array![[1.0, 2.0], [3.0, 4.0]];
/// let mut f = Array2::zeros((2, 2).f());
/// f.assign(&c);
/// assert_eq!(KeyHasher::digest(&c), KeyHasher::digest(&f)); // layout does not matter
/// assert_ne!(KeyHasher::digest(&c), KeyHasher::digest(&c.t())); // contents do
/// ```
pub trait CacheKey {
    /// Feeds this value into `h`.
    fn feed(&self, h: &mut KeyHasher);
}

/// Element types whose arrays can be keys.
pub trait KeyElement: Copy {
    /// The type's name in the key.
    const NAME: &'static str;
    /// Appends the little-endian bytes.
    fn put(self, out: &mut Vec<u8>);
}

macro_rules! key_numbers {
    ($($t:ty => $conv:expr),* $(,)?) => {$(
        impl KeyElement for $t {
            const NAME: &'static str = stringify!($t);
            #[inline]
            fn put(self, out: &mut Vec<u8>) {
                let f: fn($t) -> _ = $conv;
                out.extend_from_slice(&f(self).to_le_bytes());
            }
        }
        impl CacheKey for $t {
            fn feed(&self, h: &mut KeyHasher) {
                h.tag(<$t as KeyElement>::NAME);
                let mut b = Vec::with_capacity(16);
                self.put(&mut b);
                h.raw(&b);
            }
        }
    )*};
}
key_numbers!(
    i8 => |x| x, i16 => |x| x, i32 => |x| x, i64 => |x| x, i128 => |x| x, isize => |x| x as i64,
    u8 => |x| x, u16 => |x| x, u32 => |x| x, u64 => |x| x, u128 => |x| x, usize => |x| x as u64,
    f32 => f32::to_bits, f64 => f64::to_bits, bool => u8::from,
);

impl CacheKey for str {
    fn feed(&self, h: &mut KeyHasher) {
        h.tag("str");
        h.bytes(self.as_bytes());
    }
}

impl CacheKey for String {
    fn feed(&self, h: &mut KeyHasher) {
        self.as_str().feed(h);
    }
}

impl<K: CacheKey + ?Sized> CacheKey for &K {
    fn feed(&self, h: &mut KeyHasher) {
        (**self).feed(h);
    }
}

impl<K: CacheKey> CacheKey for [K] {
    fn feed(&self, h: &mut KeyHasher) {
        h.tag("seq");
        h.raw(&(self.len() as u64).to_le_bytes());
        self.iter().for_each(|k| k.feed(h));
    }
}

impl<K: CacheKey> CacheKey for Vec<K> {
    fn feed(&self, h: &mut KeyHasher) {
        self.as_slice().feed(h);
    }
}

impl<K: CacheKey> CacheKey for Option<K> {
    fn feed(&self, h: &mut KeyHasher) {
        match self {
            None => h.tag("None"),
            Some(k) => {
                h.tag("Some");
                k.feed(h);
            }
        }
    }
}

macro_rules! key_tuples {
    ($($n:literal: $($name:ident)+;)*) => {$(
        impl<$($name: CacheKey),+> CacheKey for ($($name,)+) {
            #[allow(non_snake_case)]
            fn feed(&self, h: &mut KeyHasher) {
                h.tag(concat!("tuple", $n));
                let ($($name,)+) = self;
                $($name.feed(h);)+
            }
        }
    )*};
}
key_tuples! {
    1: A;
    2: A B;
    3: A B C;
    4: A B C D;
}

impl<A, S, D> CacheKey for ArrayBase<S, D>
where
    A: KeyElement,
    S: Data<Elem = A>,
    D: Dimension,
{
    fn feed(&self, h: &mut KeyHasher) {
        h.tag("array");
        h.tag(A::NAME);
        h.raw(&(self.ndim() as u64).to_le_bytes());
        for &d in self.shape() {
            h.raw(&(d as u64).to_le_bytes());
        }
        // Elements in row-major order, in buffered chunks.
        let mut buf = Vec::with_capacity(64 * 1024);
        for &x in self.iter() {
            x.put(&mut buf);
            if buf.len() >= 64 * 1024 - 16 {
                h.raw(&buf);
                buf.clear();
            }
        }
        h.raw(&buf);
    }
}

/// Implements [`CacheKey`] for a struct whose fields are all keys, so that
/// your own parameter type can key a [`Memory`](super::Memory) entry: the
/// key is the struct's name and its fields, in the order listed.
///
/// ```
/// use ndpar::memory::KeyHasher;
///
/// struct Config {
///     alpha: f64,
///     steps: u32,
///     label: String,
/// }
/// ndpar::cache_key!(Config { alpha, steps, label });
///
/// let a = Config { alpha: 0.5, steps: 10, label: "run".into() };
/// let b = Config { alpha: 0.5, steps: 11, label: "run".into() };
/// assert_ne!(KeyHasher::digest(&a), KeyHasher::digest(&b));
/// ```
#[macro_export]
macro_rules! cache_key {
    ($ty:ident { $($field:ident),+ $(,)? }) => {
        impl $crate::memory::CacheKey for $ty {
            fn feed(&self, h: &mut $crate::memory::KeyHasher) {
                h.tag(::std::stringify!($ty));
                $(
                    h.tag(::std::stringify!($field));
                    $crate::memory::CacheKey::feed(&self.$field, h);
                )+
            }
        }
    };
}
