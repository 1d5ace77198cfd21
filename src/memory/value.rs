//! [`Cacheable`]: values the [`Memory`](super::Memory) cache can store.
//! Arrays and numbers are stored as `.npy` files that numpy can open.

use std::path::Path;

use ndarray::{Array, Dimension, arr0};

use crate::error::{Error, Result};
use crate::io::{NpyElement, load_npy, save_npy};

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
    A: NpyElement,
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
        std::fs::write(&path, self).map_err(Error::io(&path))
    }
    fn load(dir: &Path, part: &str) -> Result<Self> {
        let path = dir.join(format!("{part}.txt"));
        std::fs::read_to_string(&path).map_err(Error::io(&path))
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

/// Implements [`Cacheable`] for a struct whose fields are all cacheable,
/// so that [`Memory`](super::Memory) can store your own result type: each
/// field is stored under its name in the entry folder (arrays and numbers
/// as `.npy` files that numpy can open).
///
/// List the struct's fields; for a generic struct, implement [`Cacheable`]
/// by hand the same way (save and load each field under
/// `format!("{part}.{field}")`). With the `serde` feature,
/// [`Json`](super::Json) stores any serde type instead.
///
/// ```
/// use ndarray::Array1;
/// use ndpar::memory::Memory;
///
/// #[derive(Debug, PartialEq)]
/// struct Fit {
///     coefficients: Array1<f64>,
///     residual: f64,
///     iterations: u32,
/// }
/// ndpar::cacheable!(Fit { coefficients, residual, iterations });
///
/// let dir = std::env::temp_dir().join(format!("ndpar-doc-fit-{}", std::process::id()));
/// let memory = Memory::new(&dir).unwrap();
/// let fit = |&n: &u32| Fit { coefficients: Array1::linspace(0.0, 1.0, 5), residual: 0.25, iterations: n };
/// let first: Fit = memory.cache("fit", &12u32, fit);
/// let again: Fit = memory.cache("fit", &12u32, |_| unreachable!("stored"));
/// assert_eq!(first, again);
/// # std::fs::remove_dir_all(&dir).ok();
/// ```
#[macro_export]
macro_rules! cacheable {
    ($ty:ident { $($field:ident),+ $(,)? }) => {
        impl $crate::memory::Cacheable for $ty {
            fn save(&self, dir: &::std::path::Path, part: &str) -> $crate::Result<()> {
                $(
                    $crate::memory::Cacheable::save(
                        &self.$field,
                        dir,
                        &::std::format!("{}.{}", part, ::std::stringify!($field)),
                    )?;
                )+
                ::std::result::Result::Ok(())
            }

            fn load(dir: &::std::path::Path, part: &str) -> $crate::Result<Self> {
                ::std::result::Result::Ok($ty {
                    $(
                        $field: $crate::memory::Cacheable::load(
                            dir,
                            &::std::format!("{}.{}", part, ::std::stringify!($field)),
                        )?,
                    )+
                })
            }
        }
    };
}
