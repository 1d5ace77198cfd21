//! [`Cacheable`]: values the [`Memory`](super::Memory) cache can store.
//! Arrays and numbers are stored as `.npy` files that numpy can open.

use std::path::Path;

use ndarray::{Array, Dimension, arr0};

use crate::error::{Error, Result};
use crate::io::{ReadableElement, WritableElement, load_npy, save_npy};

/// A value the cache can store in an entry folder and load back. `part`
/// names the value's file(s) inside the folder, so values can nest (tuples
/// store their members as `part.0`, `part.1`, …).
///
/// Implemented for ndarray `Array`s of numpy element types (any dimension),
/// for primitive numbers and `bool` (as 0-d `.npy` files), `String`, tuples
/// of up to four cacheable values, `Vec`s of them, and (feature `serde`)
/// `memory::Json`.
///
/// ```
/// use ndpar::memory::Cacheable;
/// let dir = std::env::temp_dir().join(format!("ndpar-doc-value-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// (ndarray::array![1.0, 2.0], 7u32).save(&dir, "v").unwrap();
/// let (a, n) = <(ndarray::Array1<f64>, u32)>::load(&dir, "v").unwrap();
/// assert_eq!((a[1], n), (2.0, 7));
/// std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub trait Cacheable: Sized {
    /// Writes the value into folder `dir` under the name `part`.
    fn save(&self, dir: &Path, part: &str) -> Result<()>;
    /// Reads it back.
    fn load(dir: &Path, part: &str) -> Result<Self>;
}

impl<A, D> Cacheable for Array<A, D>
where
    A: WritableElement + ReadableElement,
    D: Dimension,
{
    fn save(&self, dir: &Path, part: &str) -> Result<()> {
        save_npy(dir.join(format!("{part}.npy")), self)
    }
    fn load(dir: &Path, part: &str) -> Result<Self> {
        load_npy(dir.join(format!("{part}.npy")))
    }
}

macro_rules! cacheable_scalars {
    ($($t:ty)*) => {$(
        impl Cacheable for $t {
            fn save(&self, dir: &Path, part: &str) -> Result<()> {
                save_npy(dir.join(format!("{part}.npy")), &arr0(*self))
            }
            fn load(dir: &Path, part: &str) -> Result<Self> {
                let a: Array<$t, ndarray::Ix0> = load_npy(dir.join(format!("{part}.npy")))?;
                Ok(a.into_scalar())
            }
        }
    )*};
}
cacheable_scalars!(f32 f64 i8 i16 i32 i64 u8 u16 u32 u64 bool);

impl Cacheable for String {
    fn save(&self, dir: &Path, part: &str) -> Result<()> {
        let path = dir.join(format!("{part}.txt"));
        std::fs::write(&path, self).map_err(|source| Error::Io { path, source })
    }
    fn load(dir: &Path, part: &str) -> Result<Self> {
        let path = dir.join(format!("{part}.txt"));
        std::fs::read_to_string(&path).map_err(|source| Error::Io { path, source })
    }
}

impl<V: Cacheable> Cacheable for Vec<V> {
    fn save(&self, dir: &Path, part: &str) -> Result<()> {
        (self.len() as u64).save(dir, &format!("{part}.len"))?;
        self.iter()
            .enumerate()
            .try_for_each(|(i, v)| v.save(dir, &format!("{part}.{i}")))
    }
    fn load(dir: &Path, part: &str) -> Result<Self> {
        let n = u64::load(dir, &format!("{part}.len"))?;
        (0..n)
            .map(|i| V::load(dir, &format!("{part}.{i}")))
            .collect()
    }
}

macro_rules! cacheable_tuples {
    ($($($name:ident $idx:tt)+;)*) => {$(
        impl<$($name: Cacheable),+> Cacheable for ($($name,)+) {
            fn save(&self, dir: &Path, part: &str) -> Result<()> {
                $(self.$idx.save(dir, &format!("{part}.{}", $idx))?;)+
                Ok(())
            }
            fn load(dir: &Path, part: &str) -> Result<Self> {
                Ok(($($name::load(dir, &format!("{part}.{}", $idx))?,)+))
            }
        }
    )*};
}
cacheable_tuples! {
    A 0 B 1;
    A 0 B 1 C 2;
    A 0 B 1 C 2 D 3;
}
