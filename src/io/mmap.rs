//! Memory-mapped `.npy` files: [`NpyMap`] and [`NpyMapMut`], documented
//! in the [`io` module docs](crate::io#memory-mapped-files).

// memmap2's maps are `unsafe` to create; this module is the one place
// ndpar creates them, behind `unsafe fn`s whose contract is the same.
#![allow(unsafe_code)]

use std::fs::{File, OpenOptions};
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};

use memmap2::{Mmap, MmapMut};
use ndarray::{ArrayView, ArrayViewMut, Dimension, IxDyn, ShapeBuilder};

use super::format_error;
use super::npy::{self, Header, NpyElement};
use crate::error::{Error, Result};

/// What a map knows of its file: the header and where the data lies.
struct Layout {
    path: PathBuf,
    header: Header,
    /// Bytes before the data.
    offset: usize,
    /// Bytes of data.
    bytes: usize,
}

impl Layout {
    /// Reads and checks the header of `file`, `len` bytes long.
    fn read(path: &Path, file: &File, len: u64) -> Result<Layout> {
        let (header, offset) = npy::read_header(&mut BufReader::new(file), Some(len))
            .map_err(|m| format_error(path, m))?;
        let bytes = header.data_bytes().map_err(|m| format_error(path, m))?;
        let end = offset.checked_add(bytes as u64);
        if end.is_none_or(|end| end > len) {
            return Err(format_error(
                path,
                "the file is truncated (it holds fewer elements than its header says)",
            ));
        }
        let offset =
            usize::try_from(offset).map_err(|_| format_error(path, "the header is too long"))?;
        Ok(Layout {
            path: path.to_path_buf(),
            header,
            offset,
            bytes,
        })
    }

    /// Checks that the data can be seen as `A` in `D` dimensions, in place.
    fn check<A: NpyElement, D: Dimension>(&self) -> Result<()> {
        let error = |m: String| format_error(&self.path, m);
        self.header.check::<A, D>().map_err(error)?;
        if A::SIZE > 1 && self.header.little != cfg!(target_endian = "little") {
            return Err(error(
                "the file's byte order is not this machine's, so it cannot be mapped; load_npy converts it"
                    .into(),
            ));
        }
        Ok(())
    }

    /// The view's shape: C or F order, as the file says.
    fn shape(&self) -> ndarray::Shape<IxDyn> {
        IxDyn(&self.header.shape).set_f(self.header.fortran)
    }

    /// The file, its element type and shape.
    fn debug(&self, name: &str, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let h = &self.header;
        f.debug_struct(name)
            .field("path", &self.path)
            .field("dtype", &format_args!("{}{}", h.kind, h.size))
            .field("shape", &h.shape)
            .field("fortran_order", &h.fortran)
            .finish()
    }

    /// The error for data that cannot be reinterpreted in place.
    fn uncastable<A: NpyElement>(&self) -> Error {
        let message = if A::KIND == 'b' {
            "bool arrays cannot be mapped (numpy stores any non-zero byte as true); load_npy reads them".to_string()
        } else {
            format!(
                "the data starts at byte {}, which is not aligned for {}; load_npy reads it",
                self.offset,
                std::any::type_name::<A>()
            )
        };
        format_error(&self.path, message)
    }
}

/// Sees `bytes` as the array `layout` describes.
fn view<'a, A: NpyElement, D: Dimension>(
    layout: &Layout,
    bytes: &'a [u8],
) -> Result<ArrayView<'a, A, D>> {
    layout.check::<A, D>()?;
    let data: &[A] = if layout.bytes == 0 {
        &[]
    } else {
        A::cast(&bytes[layout.offset..layout.offset + layout.bytes])
            .ok_or_else(|| layout.uncastable::<A>())?
    };
    ArrayView::from_shape(layout.shape(), data)
        .and_then(|v| v.into_dimensionality::<D>())
        .map_err(|e| format_error(&layout.path, e.to_string()))
}

/// A read-only memory map of an `.npy` file; see the [`io`
/// module docs](crate::io#memory-mapped-files).
pub struct NpyMap {
    layout: Layout,
    map: Option<Mmap>,
}

impl NpyMap {
    /// Maps the `.npy` file at `path` read-only, after checking its header
    /// and length.
    ///
    /// # Safety
    ///
    /// Nothing may truncate or write the file while the map or a view of
    /// it lives (memmap2's contract; see the [`io` module docs](crate::io#memory-mapped-files)).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the file cannot be opened or mapped;
    /// [`Error::Format`] if it is not an npy file or is truncated.
    pub unsafe fn open(path: impl AsRef<Path>) -> Result<NpyMap> {
        let path = path.as_ref();
        let io = Error::io(path);
        let file = File::open(path).map_err(io)?;
        let len = file.metadata().map_err(io)?.len();
        let layout = Layout::read(path, &file, len)?;
        // An empty array needs no map (and an empty map is an error on
        // some systems).
        let map = if layout.bytes == 0 {
            None
        } else {
            // SAFETY: the caller promises that nothing changes the file
            // while the map lives.
            Some(unsafe { Mmap::map(&file) }.map_err(io)?)
        };
        Ok(NpyMap { layout, map })
    }

    /// The array's shape, as the header gives it.
    pub fn shape(&self) -> &[usize] {
        &self.layout.header.shape
    }

    /// The mapped array as a view of element type `A` and dimension `D`
    /// (`IxDyn` accepts any number of dimensions).
    ///
    /// # Errors
    ///
    /// [`Error::Format`] if the file holds another element type, number of
    /// dimensions or byte order, or data not aligned for `A` (and for
    /// `bool`, which cannot be mapped).
    pub fn view<A: NpyElement, D: Dimension>(&self) -> Result<ArrayView<'_, A, D>> {
        view(&self.layout, self.map.as_deref().unwrap_or(&[]))
    }
}

impl std::fmt::Debug for NpyMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.layout.debug("NpyMap", f)
    }
}

impl std::fmt::Debug for NpyMapMut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.layout.debug("NpyMapMut", f)
    }
}

/// A read-write memory map of an `.npy` file; see the [`io`
/// module docs](crate::io#memory-mapped-files). Writes reach the file when the operating system writes
/// the pages back, at the latest when the map is dropped;
/// [`flush`](NpyMapMut::flush) forces them.
pub struct NpyMapMut {
    layout: Layout,
    map: Option<MmapMut>,
}

impl NpyMapMut {
    /// Maps the existing `.npy` file at `path` read-write, after checking
    /// its header and length.
    ///
    /// # Safety
    ///
    /// Nothing else may truncate, read-write map or write the file while
    /// the map or a view of it lives (see the [`io` module docs](crate::io#memory-mapped-files)).
    ///
    /// # Errors
    ///
    /// As for [`NpyMap::open`], and [`Error::Io`] for a file that cannot be
    /// written.
    pub unsafe fn open(path: impl AsRef<Path>) -> Result<NpyMapMut> {
        let path = path.as_ref();
        let io = Error::io(path);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(io)?;
        let len = file.metadata().map_err(io)?.len();
        let layout = Layout::read(path, &file, len)?;
        // SAFETY: as for `NpyMap::open`; the caller promises that nothing
        // else changes the file while the map lives.
        unsafe { NpyMapMut::map(layout, &file) }
    }

    /// Creates (or replaces) the file at `path` as an `.npy` file of
    /// element type `A`, shape `shape` and C order (F order if `fortran`),
    /// filled with zeros, and maps it read-write — numpy's
    /// `open_memmap(path, mode='w+')`. On file systems with sparse files
    /// the zeros take no disk space until written.
    ///
    /// # Safety
    ///
    /// As for [`NpyMapMut::open`].
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the file cannot be created, sized or mapped (a
    /// disk too small included); [`Error::Format`] for a shape whose bytes
    /// overflow.
    pub unsafe fn create<A: NpyElement, P: AsRef<Path>>(
        path: P,
        shape: &[usize],
        fortran: bool,
    ) -> Result<NpyMapMut> {
        let path = path.as_ref();
        let header = Header {
            kind: A::KIND,
            size: A::SIZE,
            little: true,
            fortran,
            shape: shape.to_vec(),
        };
        let bytes = header
            .data_bytes()
            .ok()
            .filter(|&n| n <= isize::MAX as usize)
            .ok_or_else(|| {
                format_error(
                    path,
                    format!("the shape {shape:?} needs more bytes than can be addressed"),
                )
            })?;
        let head = npy::header_bytes::<A>(shape, fortran);
        let io = Error::io(path);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .map_err(io)?;
        file.write_all(&head).map_err(io)?;
        file.set_len(head.len() as u64 + bytes as u64).map_err(io)?;
        let layout = Layout {
            path: path.to_path_buf(),
            header,
            offset: head.len(),
            bytes,
        };
        // SAFETY: as for `open`.
        unsafe { NpyMapMut::map(layout, &file) }
    }

    /// # Safety
    ///
    /// As for [`NpyMapMut::open`].
    unsafe fn map(layout: Layout, file: &File) -> Result<NpyMapMut> {
        let map = if layout.bytes == 0 {
            None
        } else {
            // SAFETY: the caller's promise, passed on.
            Some(unsafe { MmapMut::map_mut(file) }.map_err(Error::io(&layout.path))?)
        };
        Ok(NpyMapMut { layout, map })
    }

    /// The array's shape, as the header gives it.
    pub fn shape(&self) -> &[usize] {
        &self.layout.header.shape
    }

    /// The mapped array as a read-only view (see [`NpyMap::view`]).
    ///
    /// # Errors
    ///
    /// As for [`NpyMap::view`].
    pub fn view<A: NpyElement, D: Dimension>(&self) -> Result<ArrayView<'_, A, D>> {
        view(&self.layout, self.map.as_deref().unwrap_or(&[]))
    }

    /// The mapped array as a mutable view: what is written through it is
    /// written to the file.
    ///
    /// # Errors
    ///
    /// As for [`NpyMap::view`].
    pub fn view_mut<A: NpyElement, D: Dimension>(&mut self) -> Result<ArrayViewMut<'_, A, D>> {
        let layout = &self.layout;
        layout.check::<A, D>()?;
        let data: &mut [A] = match self.map.as_deref_mut() {
            None => &mut [],
            Some(bytes) => A::cast_mut(&mut bytes[layout.offset..layout.offset + layout.bytes])
                .ok_or_else(|| layout.uncastable::<A>())?,
        };
        ArrayViewMut::from_shape(layout.shape(), data)
            .and_then(|v| v.into_dimensionality::<D>())
            .map_err(|e| format_error(&layout.path, e.to_string()))
    }

    /// Writes the changed pages to the file and waits until they are
    /// written.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the system reports a failed write.
    pub fn flush(&self) -> Result<()> {
        match &self.map {
            Some(map) => map.flush().map_err(Error::io(&self.layout.path)),
            None => Ok(()),
        }
    }
}
