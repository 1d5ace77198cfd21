//! Saving and loading arrays in numpy's `.npy` and `.npz` formats (feature
//! `io`, on by default).
//!
//! Saves are atomic: the file is written under a temporary name in the same
//! folder and renamed into place, so a crash or a kill mid-write never
//! leaves a half-written file at the target path, and the temporary file is
//! removed on every other way out (an error or a panic). Errors say which
//! file and what is wrong with it: [`Error::Io`] for a missing or
//! unwritable file, [`Error::Format`] for a file that is not npy/npz, is
//! truncated, or holds another element type or number of dimensions.
//!
//! Files are untrusted input. A header is read only up to 64 KiB, the
//! sizes it implies are checked for overflow and against the length of the
//! file (or of the archive member) before any memory is reserved, and a
//! stream's elements are read as they arrive. A corrupt or hostile file is
//! an error, never an abort or a hang; only an array that is really in
//! the file and really does not fit in memory fails to load (with an
//! error, too).
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
//!
//! # Memory-mapped files
//!
//! With the feature `mmap` (on by default), arrays as large as the disk
//! are read and written in place by every ndpar kernel:
//! [`NpyMap`] maps a file read-only and [`NpyMapMut`] read-write (an
//! existing file, or a new zero-filled one from
//! [`NpyMapMut::create`]); both hand out ordinary ndarray views, so
//! `par_sum`, axis reductions, histograms, quantiles and in-place maps run
//! over them unchanged. The operating system pages the data in as the
//! kernels read it and drops it again under memory pressure.
//!
//! The file's header is checked before the data is touched: the element
//! type and number of dimensions asked for, the length the header implies
//! (a truncated file is an error, not a crash on first access), the byte
//! order (mapped data must be little-endian, as numpy writes it on every
//! common machine; [`load_npy`] converts other files) and
//! the data's alignment (numpy pads headers to 64 bytes; a file whose data
//! is not aligned for its elements is refused). numpy's `.npy` files are
//! always C or F order; an F-order file gives an F-order view.
//!
//! # Safety
//!
//! Opening a map is `unsafe` for the reason memmap2 gives: the views are
//! shared with the file, so another process (or another map) that
//! truncates or writes it while a view lives breaks Rust's aliasing rules
//! and can crash the program. Map only files that nothing else changes
//! meanwhile.
//!
//! ```
//! # #[cfg(feature = "mmap")] {
//! use ndpar::io::{NpyMap, NpyMapMut};
//! use ndpar::prelude::*;
//! use ndarray::{Array2, Ix2};
//!
//! let dir = std::env::temp_dir().join(format!("ndpar-doc-mmap-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let path = dir.join("big.npy");
//! // A new file, filled in place.
//! // SAFETY: nothing else opens the file while the map lives.
//! let mut out = unsafe { NpyMapMut::create::<f64, _>(&path, &[1000, 3], false) }.unwrap();
//! out.view_mut::<f64, Ix2>().unwrap().par_map_inplace(|x| *x = 0.5);
//! out.flush().unwrap();
//! drop(out);
//!
//! // SAFETY: as above.
//! let map = unsafe { NpyMap::open(&path) }.unwrap();
//! let a = map.view::<f64, Ix2>().unwrap();
//! assert_eq!(a.par_sum(), 1500.0);
//! assert!(map.view::<f32, Ix2>().is_err()); // wrong element type
//! std::fs::remove_dir_all(&dir).unwrap();
//! # }
//! ```

#[cfg(feature = "mmap")]
mod mmap;
mod npy;
mod npz;

use std::fs::File;
use std::io::{BufReader, BufWriter, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use ndarray::{Array, ArrayRef, Dimension};

#[cfg(feature = "mmap")]
pub use mmap::{NpyMap, NpyMapMut};
pub use npy::NpyElement;
pub use npz::{load_npz, npz_names, save_npz};

use crate::error::{Error, Result};

/// A temporary file that is removed when dropped, unless it was renamed
/// into place: the way out of a failed or panicking write.
struct Temporary {
    path: PathBuf,
    published: bool,
}

impl Drop for Temporary {
    fn drop(&mut self) {
        if !self.published {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Writes `path` atomically: `write` fills a temporary file in the same
/// folder, which is flushed, synced and renamed over `path` only if `write`
/// succeeded; otherwise (an error or a panic) it is removed.
pub(crate) fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let io = Error::io(path);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut tmp = Temporary {
        path: path.with_file_name(format!(
            ".{name}.tmp-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        )),
        published: false,
    };
    let mut out = BufWriter::new(File::create(&tmp.path).map_err(io)?);
    write(&mut out).map_err(io)?;
    let file = out.into_inner().map_err(|e| io(e.into_error()))?;
    file.sync_all().map_err(io)?;
    std::fs::rename(&tmp.path, path).map_err(io)?;
    tmp.published = true;
    Ok(())
}

/// The [`Error::Format`] of `path`.
fn format_error(path: &Path, message: impl Into<String>) -> Error {
    Error::Format {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Reads one npy array from `r`, which holds at most `limit` bytes when
/// known (exactly, if `exact`: the length of a file, not an archive
/// member's declared size).
fn read_npy_from<A: NpyElement, D: Dimension>(
    path: &Path,
    r: &mut impl Read,
    limit: Option<u64>,
    exact: bool,
) -> Result<Array<A, D>> {
    let (header, header_len) = npy::read_header(r, limit).map_err(|m| format_error(path, m))?;
    header.check::<A, D>().map_err(|m| format_error(path, m))?;
    let bytes = header.data_bytes().map_err(|m| format_error(path, m))?;
    if limit.is_some_and(|l| header_len.saturating_add(bytes as u64) > l) {
        return Err(format_error(
            path,
            "the file is truncated (it holds fewer elements than its header says)",
        ));
    }
    // With an exact length, the data was just checked to be there.
    let present = exact && limit.is_some();
    let array = npy::read_data::<A>(r, &header, present).map_err(|m| format_error(path, m))?;
    array
        .into_dimensionality::<D>()
        .map_err(|e| format_error(path, e.to_string()))
}

/// Saves `array` (any layout, empty arrays included) as an `.npy` file
/// numpy can open, atomically.
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
pub fn save_npy<P, A, D>(path: P, array: &ArrayRef<A, D>) -> Result<()>
where
    P: AsRef<Path>,
    A: NpyElement,
    D: Dimension,
{
    write_atomically(path.as_ref(), |out| npy::write(out, array))
}

/// Loads an `.npy` file into an array of element type `A` and dimension
/// `D` (use `IxDyn` to accept any number of dimensions). Little- and
/// big-endian files, C and F order, and npy versions 1.0 to 3.0 are read.
///
/// # Errors
///
/// [`Error::Io`] for a missing or unreadable file; [`Error::Format`] for a
/// file that is not npy, is truncated or corrupt, or holds another element
/// type or number of dimensions.
///
/// ```
/// use ndpar::{io::load_npy, Error};
/// let missing = load_npy::<f64, ndarray::Ix1, _>("/no/such/file.npy");
/// assert!(matches!(missing, Err(Error::Io { .. })));
/// ```
pub fn load_npy<A, D, P>(path: P) -> Result<Array<A, D>>
where
    A: NpyElement,
    D: Dimension,
    P: AsRef<Path>,
{
    let path = path.as_ref();
    let io = Error::io(path);
    let file = File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    read_npy_from(path, &mut BufReader::new(file), Some(len), true)
}
