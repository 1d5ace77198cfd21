//! Saving and loading arrays in numpy's `.npy` and `.npz` formats (feature
//! `io`, on by default), through [`ndarray_npy`].
//!
//! Saves are atomic: the file is written under a temporary name in the same
//! folder and renamed into place, so a crash or a kill mid-write never
//! leaves a half-written file at the target path. Errors say which file and
//! what is wrong with it: [`Error::Io`] for a missing or unwritable file,
//! [`Error::Format`] for a file that is not npy/npz, is truncated, or holds
//! another element type or number of dimensions.
//!
//! ```
//! use ndpar::io::{load_npy, save_npy};
//! use ndarray::{array, Array2};
//!
//! let dir = std::env::temp_dir().join(format!("ndpar-doc-io-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let path = dir.join("a.npy");
//! save_npy(&path, &array![[1.0, 2.0], [3.0, 4.0]]).unwrap();
//! let back: Array2<f64> = load_npy(&path).unwrap();
//! assert_eq!(back, array![[1.0, 2.0], [3.0, 4.0]]);
//! assert!(load_npy::<f32, ndarray::Ix2, _>(&path).is_err()); // wrong element type
//! std::fs::remove_dir_all(&dir).unwrap();
//! ```

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use ndarray::{Array, ArrayBase, ArrayView, Data, Dimension};
pub use ndarray_npy::{self, ReadableElement, WritableElement};
use ndarray_npy::{
    NpzReader, NpzWriter, ReadNpyError, ReadNpyExt, ReadNpzError, WriteNpyError, WriteNpyExt,
    WriteNpzError,
};

use crate::error::{Error, Result};

/// Writes `path` atomically: `write` fills a temporary file in the same
/// folder, which is flushed, synced and renamed over `path` only if `write`
/// succeeded; otherwise it is removed.
pub(crate) fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> Result<()>,
) -> Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(
        ".{name}.tmp-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut out = BufWriter::new(File::create(&tmp).map_err(io)?);
        write(&mut out)?;
        let file = out.into_inner().map_err(|e| io(e.into_error()))?;
        file.sync_all().map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn from_write_npy(path: &Path, e: WriteNpyError) -> Error {
    match e {
        WriteNpyError::Io(source) => Error::Io {
            path: path.to_path_buf(),
            source,
        },
        other => Error::Format {
            path: path.to_path_buf(),
            message: other.to_string(),
        },
    }
}

fn from_read_npy(path: &Path, e: ReadNpyError) -> Error {
    let path = path.to_path_buf();
    match e {
        ReadNpyError::Io(source) if source.kind() == std::io::ErrorKind::UnexpectedEof => {
            Error::Format {
                path,
                message: "the file is truncated (it ends inside the header)".into(),
            }
        }
        ReadNpyError::Io(source) => Error::Io { path, source },
        ReadNpyError::MissingData => Error::Format {
            path,
            message: "the file is truncated (it holds fewer elements than its header says)".into(),
        },
        ReadNpyError::WrongNdim(want, got) => Error::Format {
            path,
            message: format!(
                "the file holds a {got}-dimensional array, not the {} asked for",
                want.map_or("dynamic number of dimensions".to_string(), |w| format!(
                    "{w}-dimensional one"
                ))
            ),
        },
        ReadNpyError::WrongDescriptor(descr) => Error::Format {
            path,
            message: format!(
                "the file holds elements of numpy type {descr}, not the element type asked for"
            ),
        },
        other => Error::Format {
            path,
            message: other.to_string(),
        },
    }
}

fn from_npz(path: &Path, e: ReadNpzError) -> Error {
    match e {
        ReadNpzError::Npy(e) => from_read_npy(path, e),
        ReadNpzError::Zip(z) => Error::Format {
            path: path.to_path_buf(),
            message: format!("not a readable npz archive: {z}"),
        },
    }
}

/// Saves `array` (any layout) as an `.npy` file numpy can open, atomically.
///
/// # Errors
///
/// [`Error::Io`] if the file cannot be written.
///
/// ```
/// use ndpar::io::{load_npy, save_npy};
/// let path = std::env::temp_dir().join(format!("ndpar-doc-save-{}.npy", std::process::id()));
/// save_npy(&path, &ndarray::array![1u8, 2, 3]).unwrap();
/// assert_eq!(load_npy::<u8, ndarray::Ix1, _>(&path).unwrap(), ndarray::array![1, 2, 3]);
/// std::fs::remove_file(&path).unwrap();
/// ```
pub fn save_npy<P, A, S, D>(path: P, array: &ArrayBase<S, D>) -> Result<()>
where
    P: AsRef<Path>,
    A: WritableElement,
    S: Data<Elem = A>,
    D: Dimension,
{
    let path = path.as_ref();
    write_atomically(path, |out| {
        array.write_npy(out).map_err(|e| from_write_npy(path, e))
    })
}

/// Loads an `.npy` file into an array of element type `A` and dimension
/// `D` (use `IxDyn` to accept any number of dimensions).
///
/// # Errors
///
/// [`Error::Io`] for a missing or unreadable file; [`Error::Format`] for a
/// file that is not npy, is truncated, or holds another element type or
/// number of dimensions.
///
/// ```
/// use ndpar::{io::load_npy, Error};
/// let missing = load_npy::<f64, ndarray::Ix1, _>("/no/such/file.npy");
/// assert!(matches!(missing, Err(Error::Io { .. })));
/// ```
pub fn load_npy<A, D, P>(path: P) -> Result<Array<A, D>>
where
    A: ReadableElement,
    D: Dimension,
    P: AsRef<Path>,
{
    let path = path.as_ref();
    let file = File::open(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Array::<A, D>::read_npy(std::io::BufReader::new(file)).map_err(|e| from_read_npy(path, e))
}

/// Saves named arrays of one element type as an uncompressed `.npz` archive
/// (numpy's `savez`), atomically. For arrays of mixed types, use
/// [`ndarray_npy::NpzWriter`] directly.
///
/// # Errors
///
/// [`Error::Io`] if the file cannot be written.
///
/// ```
/// use ndpar::io::{load_npz, npz_names, save_npz};
/// use ndarray::array;
///
/// let path = std::env::temp_dir().join(format!("ndpar-doc-{}.npz", std::process::id()));
/// let (x, y) = (array![1.0, 2.0], array![3.0]);
/// save_npz(&path, &[("x", x.view()), ("y", y.view())]).unwrap();
/// assert_eq!(npz_names(&path).unwrap(), vec!["x", "y"]);
/// assert_eq!(load_npz::<f64, ndarray::Ix1, _>(&path, "y").unwrap(), y);
/// std::fs::remove_file(&path).unwrap();
/// ```
pub fn save_npz<P, A, D>(path: P, arrays: &[(&str, ArrayView<'_, A, D>)]) -> Result<()>
where
    P: AsRef<Path>,
    A: WritableElement,
    D: Dimension,
{
    let path = path.as_ref();
    let zip_err = |e: WriteNpzError| match e {
        WriteNpzError::Npy(e) => from_write_npy(path, e),
        WriteNpzError::Zip(z) => Error::Format {
            path: path.to_path_buf(),
            message: z.to_string(),
        },
    };
    write_atomically(path, |out| {
        let mut npz = NpzWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, a) in arrays {
            npz.add_array(*name, a).map_err(zip_err)?;
        }
        let bytes = npz.finish().map_err(zip_err)?.into_inner();
        out.write_all(&bytes).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })
    })
}

fn open_npz(path: &Path) -> Result<NpzReader<File>> {
    let file = File::open(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    NpzReader::new(file).map_err(|e| from_npz(path, e))
}

/// Loads the array called `name` from an `.npz` archive (compressed or
/// not, as numpy's `savez` / `savez_compressed` write them).
///
/// # Errors
///
/// As [`load_npy`], and [`Error::Format`] if the archive has no array of
/// that name.
///
/// ```
/// let r = ndpar::io::load_npz::<f64, ndarray::Ix1, _>("/no/such.npz", "x");
/// assert!(r.is_err());
/// ```
pub fn load_npz<A, D, P>(path: P, name: &str) -> Result<Array<A, D>>
where
    A: ReadableElement,
    D: Dimension,
    P: AsRef<Path>,
{
    let path = path.as_ref();
    let mut npz = open_npz(path)?;
    npz.by_name(name).map_err(|e| match e {
        ReadNpzError::Zip(_) => Error::Format {
            path: PathBuf::from(path),
            message: format!("the archive has no array named {name:?}"),
        },
        other => from_npz(path, other),
    })
}

/// The names of the arrays in an `.npz` archive, in archive order (without
/// the `.npy` suffix numpy adds).
///
/// # Errors
///
/// As [`load_npz`].
///
/// ```
/// assert!(ndpar::io::npz_names("/no/such.npz").is_err());
/// ```
pub fn npz_names<P: AsRef<Path>>(path: P) -> Result<Vec<String>> {
    let path = path.as_ref();
    let names = open_npz(path)?.names().map_err(|e| from_npz(path, e))?;
    Ok(names
        .into_iter()
        .map(|n| n.strip_suffix(".npy").map(str::to_string).unwrap_or(n))
        .collect())
}
