//! One cache entry on disk: a folder of value files and `entry.meta`,
//! which names the function and version and lists a blake3 hash of every
//! value file. The meta file is written last, so an entry counts only once
//! it exists; the hashes let a load refuse a file that was changed or
//! damaged after it was stored (a flipped byte, an edited text file) —
//! such an entry is recomputed, never served.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The name of the file that seals a complete entry; its modification
/// time is the entry's last use.
pub(crate) const META: &str = "entry.meta";

/// The blake3 hash of a file's contents, read in 1 MiB pieces.
fn hash_file(path: &Path) -> Result<String> {
    let mut file = std::fs::File::open(path).map_err(Error::io(path))?;
    let mut h = blake3::Hasher::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).map_err(Error::io(path))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().to_hex().to_string())
}

/// The value files of an entry folder (everything but the meta file),
/// sorted by name.
fn value_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(Error::io(dir))?
        .map(|e| e.map(|e| e.path()).map_err(Error::io(dir)))
        .collect::<Result<_>>()?;
    files.retain(|f| f.file_name().is_some_and(|n| n != META));
    files.sort();
    Ok(files)
}

/// Seals the entry in `dir`: writes its meta file, with a hash of every
/// value file in it.
pub(crate) fn seal(dir: &Path, name: &str, version: &str) -> Result<()> {
    let mut meta = format!("name: {name:?}\nversion: {version:?}\n");
    for f in value_files(dir)? {
        let file = f.file_name().map(|n| n.to_string_lossy().into_owned());
        let file = file.unwrap_or_default();
        meta.push_str(&format!("file: {} {file}\n", hash_file(&f)?));
    }
    let path = dir.join(META);
    std::fs::write(&path, meta).map_err(Error::io(&path))
}

/// Checks that every value file of the sealed entry in `dir` is present
/// and unchanged, and that no other file was added; `Err` says what is
/// wrong.
pub(crate) fn verify(dir: &Path) -> std::result::Result<(), String> {
    let meta = std::fs::read_to_string(dir.join(META)).map_err(|e| e.to_string())?;
    let mut listed: Vec<(String, String)> = meta
        .lines()
        .filter_map(|l| l.strip_prefix("file: "))
        .filter_map(|l| l.split_once(' '))
        .map(|(hash, file)| (file.to_string(), hash.to_string()))
        .collect();
    if listed.is_empty() {
        return Err("its meta file lists no content hashes".into());
    }
    listed.sort();
    let present = value_files(dir).map_err(|e| e.to_string())?;
    let names: Vec<String> = present
        .iter()
        .filter_map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    if names != listed.iter().map(|(f, _)| f.clone()).collect::<Vec<_>>() {
        return Err("its files are not the files it was stored with".into());
    }
    for (file, hash) in &listed {
        if hash_file(&dir.join(file)).map_err(|e| e.to_string())? != *hash {
            return Err(format!("{file} changed after it was stored"));
        }
    }
    Ok(())
}

/// `load()` of the sealed entry in `dir` if its files verify (see
/// [`verify`]). A large entry is checked on a helper thread while `load`
/// reads it, so that checking costs little wall time where there is a
/// second core.
pub(crate) fn verified<V>(
    dir: &Path,
    load: impl FnOnce() -> std::result::Result<V, String>,
) -> std::result::Result<V, String> {
    let bytes: u64 = value_files(dir)
        .map_err(|e| e.to_string())?
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    if bytes < 4 << 20 {
        verify(dir)?;
        return load();
    }
    std::thread::scope(|s| {
        let check = s.spawn(|| verify(dir));
        let value = load();
        let verdict = check
            .join()
            .unwrap_or_else(|_| Err("checking it panicked".into()));
        verdict.and(value)
    })
}

/// Whether `dir` is a sealed entry.
pub(crate) fn is_sealed(dir: &Path) -> bool {
    dir.join(META).exists()
}

/// Publishes the sealed entry folder `tmp` as `entry`, replacing a folder
/// there that is not a sealed entry (what a writer or an eviction killed
/// midway leaves behind). If another caller published the same key first,
/// theirs is kept.
pub(crate) fn publish(tmp: &Path, entry: &Path) -> Result<()> {
    for _ in 0..3 {
        match std::fs::rename(tmp, entry) {
            Ok(()) => return Ok(()),
            Err(_) if is_sealed(entry) => {
                let _ = std::fs::remove_dir_all(tmp);
                return Ok(());
            }
            Err(_) if entry.symlink_metadata().is_ok() => {
                // An incomplete folder, or something that is not a folder
                // at all (a file or a link put there): remove it and try
                // again.
                let _ = match entry.symlink_metadata() {
                    Ok(m) if m.is_dir() => std::fs::remove_dir_all(entry),
                    _ => std::fs::remove_file(entry),
                };
            }
            Err(source) => return Err(Error::io(entry)(source)),
        }
    }
    Err(Error::io(entry)(std::io::Error::other(
        "an incomplete entry folder could not be replaced",
    )))
}
