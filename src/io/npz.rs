//! npz archives: zip files of npy members, as numpy's `savez` writes them
//! (uncompressed) and `savez_compressed` writes them (deflate).

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use ndarray::{Array, ArrayView, Dimension};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use super::{NpyElement, format_error, npy, read_npy_from, write_atomically};
use crate::error::{Error, Result};

/// Saves named arrays of one element type as an uncompressed `.npz` archive
/// (numpy's `savez`), atomically. Each array becomes the member
/// `name.npy`.
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
    A: NpyElement,
    D: Dimension,
{
    write_atomically(path.as_ref(), |out| {
        let mut zip = ZipWriter::new(out);
        for (name, a) in arrays {
            // Zip64 records only when a member may pass 4 GiB.
            let large = a.len().saturating_mul(A::SIZE) >= u32::MAX as usize - npy::MAX_HEADER;
            let options = SimpleFileOptions::default()
                .compression_method(CompressionMethod::Stored)
                .large_file(large);
            zip.start_file(format!("{name}.npy"), options)
                .map_err(std::io::Error::other)?;
            npy::write(&mut zip, a)?;
        }
        zip.finish().map_err(std::io::Error::other)?;
        Ok(())
    })
}

/// Opens an npz archive.
fn open(path: &Path) -> Result<ZipArchive<BufReader<File>>> {
    let file = File::open(path).map_err(Error::io(path))?;
    ZipArchive::new(BufReader::new(file))
        .map_err(|e| format_error(path, format!("not a readable npz archive: {e}")))
}

/// Loads the array called `name` from an `.npz` archive (compressed or
/// not, as numpy's `savez` / `savez_compressed` write them). A member's
/// header is checked against the member's size before anything is
/// allocated, as for [`load_npy`](super::load_npy).
///
/// # Errors
///
/// As [`load_npy`](super::load_npy), and [`Error::Format`] if the archive
/// has no array of that name.
///
/// ```
/// let r = ndpar::io::load_npz::<f64, ndarray::Ix1, _>("/no/such.npz", "x");
/// assert!(r.is_err());
/// ```
pub fn load_npz<A, D, P>(path: P, name: &str) -> Result<Array<A, D>>
where
    A: NpyElement,
    D: Dimension,
    P: AsRef<Path>,
{
    let path = path.as_ref();
    let mut archive = open(path)?;
    let member = [format!("{name}.npy"), name.to_string()]
        .into_iter()
        .find(|m| archive.index_for_name(m).is_some())
        .ok_or_else(|| format_error(path, format!("the archive has no array named {name:?}")))?;
    let mut file = archive
        .by_name(&member)
        .map_err(|e| format_error(path, format!("member {member:?} is unreadable: {e}")))?;
    // The declared size bounds the header's claims; the data is read as
    // it inflates, so a member that lies about its size costs no more
    // than what it holds.
    let size = file.size();
    read_npy_from(path, &mut file, Some(size), false)
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
    let archive = open(path.as_ref())?;
    Ok((0..archive.len())
        .filter_map(|i| archive.name_for_index(i))
        .map(|n| n.strip_suffix(".npy").unwrap_or(n).to_string())
        .collect())
}
