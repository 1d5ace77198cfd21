//! joblib's `Memory` for Rust: a disk cache of function results keyed by a
//! content hash of the inputs (feature `cache`, on by default).
//!
//! ```
//! use ndpar::memory::Memory;
//! use ndarray::Array1;
//!
//! let dir = std::env::temp_dir().join(format!("ndpar-doc-memory-{}", std::process::id()));
//! let memory = Memory::new(&dir).unwrap();
//! let x = Array1::linspace(0.0, 1.0, 1000);
//! let calls = std::cell::Cell::new(0);
//! let expensive = |x: &Array1<f64>| {
//!     calls.set(calls.get() + 1);
//!     x.mapv(f64::sqrt)
//! };
//! let a: Array1<f64> = memory.cache("sqrt", &x, || expensive(&x));
//! let b: Array1<f64> = memory.cache("sqrt", &x, || expensive(&x)); // from disk
//! assert_eq!(a, b);
//! assert_eq!(calls.get(), 1);
//! memory.clear().unwrap();
//! # std::fs::remove_dir_all(&dir).ok();
//! ```
//!
//! # Layout on disk and guarantees
//!
//! An entry lives in `dir/<name>-<hash of name>/<key>/`, where `key` is a
//! blake3 hash of the function name, its version string and the inputs
//! ([`CacheKey`]). Arrays are `.npy` files numpy can open. An entry is
//! written into a temporary folder, sealed with a meta file that lists a
//! blake3 hash of every value file, and renamed into place, so a crash or
//! a kill mid-write never leaves an entry that loads as valid, and
//! concurrent callers computing the same key cannot corrupt each other (the
//! first rename wins; the other result is discarded). Every load checks
//! the hashes first: an entry whose files were damaged or changed after
//! they were stored — even a single flipped byte that still decodes — is
//! recomputed and replaced with a warning on stderr, never served and never
//! a panic; so is an entry folder left incomplete by a killed writer or
//! eviction. A failed write warns and returns the computed value. With
//! [`Memory::max_bytes`], the least recently used entries are evicted after
//! each store.

mod entry;
mod key;
mod value;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

pub use key::{CacheKey, KeyElement, KeyHasher};
pub use value::Cacheable;

use crate::error::{Error, Result};

/// A disk cache of function results; see the [module docs](self).
///
/// ```
/// let dir = std::env::temp_dir().join(format!("ndpar-doc-mem2-{}", std::process::id()));
/// let memory = ndpar::memory::Memory::new(&dir).unwrap().max_bytes(1 << 20);
/// let v: f64 = memory.cache_version("mean", "v2", &vec![1.0, 2.0, 3.0], || 2.0);
/// assert_eq!(v, 2.0);
/// # std::fs::remove_dir_all(&dir).ok();
/// ```
#[derive(Clone, Debug)]
pub struct Memory {
    dir: PathBuf,
    max_bytes: Option<u64>,
}

use entry::META;

impl Memory {
    /// A cache in folder `dir` (created if needed). Temporary folders left
    /// by writers killed more than an hour ago are removed.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the folder cannot be created.
    ///
    /// ```
    /// assert!(ndpar::memory::Memory::new("/proc/no/such/place").is_err());
    /// ```
    pub fn new(dir: impl AsRef<Path>) -> Result<Memory> {
        let dir = dir.as_ref().to_path_buf();
        std::fs::create_dir_all(&dir).map_err(Error::io(&dir))?;
        let memory = Memory {
            dir,
            max_bytes: None,
        };
        memory.remove_stale_temporaries(Duration::from_secs(3600));
        Ok(memory)
    }

    /// Caps the cache at `bytes` in total: after each store, least recently
    /// used entries are removed until the cache fits.
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("ndpar-doc-cap-{}", std::process::id()));
    /// let m = ndpar::memory::Memory::new(&dir).unwrap().max_bytes(10_000);
    /// assert!(m.size_bytes().unwrap() <= 10_000);
    /// # std::fs::remove_dir_all(&dir).ok();
    /// ```
    #[must_use = "max_bytes returns the capped cache; the original is unchanged"]
    pub fn max_bytes(mut self, bytes: u64) -> Memory {
        self.max_bytes = Some(bytes);
        self
    }

    /// The folder of the cache.
    ///
    /// ```
    /// let m = ndpar::memory::Memory::new(std::env::temp_dir().join("ndpar-doc-dir")).unwrap();
    /// assert!(m.dir().ends_with("ndpar-doc-dir"));
    /// ```
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The stored result of `name` for these `inputs`, or `compute()`'s
    /// result, stored for next time. Same as
    /// [`cache_version`](Memory::cache_version) with version `""`.
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("ndpar-doc-cache-{}", std::process::id()));
    /// let m = ndpar::memory::Memory::new(&dir).unwrap();
    /// let n: u64 = m.cache("count", &(3u32, "abc"), || 42);
    /// assert_eq!(n, 42);
    /// let again: u64 = m.cache("count", &(3u32, "abc"), || unreachable!());
    /// assert_eq!(again, 42);
    /// # std::fs::remove_dir_all(&dir).ok();
    /// ```
    pub fn cache<K, V>(&self, name: &str, inputs: &K, compute: impl FnOnce() -> V) -> V
    where
        K: CacheKey + ?Sized,
        V: Cacheable,
    {
        self.cache_version(name, "", inputs, compute)
    }

    /// Like [`cache`](Memory::cache), with a version string that is part of
    /// the key: change it when the function's code changes, to stop using
    /// results of the old code.
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("ndpar-doc-ver-{}", std::process::id()));
    /// let m = ndpar::memory::Memory::new(&dir).unwrap();
    /// let a: i64 = m.cache_version("f", "1", &5i64, || 10);
    /// let b: i64 = m.cache_version("f", "2", &5i64, || 11); // new version: recomputed
    /// assert_eq!((a, b), (10, 11));
    /// # std::fs::remove_dir_all(&dir).ok();
    /// ```
    pub fn cache_version<K, V>(
        &self,
        name: &str,
        version: &str,
        inputs: &K,
        compute: impl FnOnce() -> V,
    ) -> V
    where
        K: CacheKey + ?Sized,
        V: Cacheable,
    {
        let computed: std::result::Result<V, std::convert::Infallible> =
            self.try_cache_version(name, version, inputs, || Ok(compute()));
        match computed {
            Ok(v) => v,
            Err(never) => match never {},
        }
    }

    /// Like [`cache`](Memory::cache) for a computation that can fail: an
    /// `Ok` result is stored and returned, an `Err` is returned and not
    /// stored (the next call computes again). Same as
    /// [`try_cache_version`](Memory::try_cache_version) with version `""`.
    ///
    /// # Errors
    ///
    /// `compute`'s error, when it fails.
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("ndpar-doc-try-{}", std::process::id()));
    /// let m = ndpar::memory::Memory::new(&dir).unwrap();
    /// let parse = |s: &str| m.try_cache("parse", s, || s.parse::<i64>());
    /// assert!(parse("x").is_err()); // not cached
    /// assert_eq!(parse("42"), Ok(42));
    /// let again: Result<i64, std::num::ParseIntError> = m.try_cache("parse", "42", || unreachable!());
    /// assert_eq!(again, Ok(42)); // from disk
    /// # std::fs::remove_dir_all(&dir).ok();
    /// ```
    pub fn try_cache<K, V, E>(
        &self,
        name: &str,
        inputs: &K,
        compute: impl FnOnce() -> std::result::Result<V, E>,
    ) -> std::result::Result<V, E>
    where
        K: CacheKey + ?Sized,
        V: Cacheable,
    {
        self.try_cache_version(name, "", inputs, compute)
    }

    /// [`try_cache`](Memory::try_cache) with a version string (see
    /// [`cache_version`](Memory::cache_version)).
    ///
    /// # Errors
    ///
    /// `compute`'s error, when it fails.
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("ndpar-doc-tryv-{}", std::process::id()));
    /// let m = ndpar::memory::Memory::new(&dir).unwrap();
    /// let v: Result<u8, ()> = m.try_cache_version("f", "2", &1u8, || Ok(7));
    /// assert_eq!(v, Ok(7));
    /// # std::fs::remove_dir_all(&dir).ok();
    /// ```
    pub fn try_cache_version<K, V, E>(
        &self,
        name: &str,
        version: &str,
        inputs: &K,
        compute: impl FnOnce() -> std::result::Result<V, E>,
    ) -> std::result::Result<V, E>
    where
        K: CacheKey + ?Sized,
        V: Cacheable,
    {
        let mut h = KeyHasher::new();
        h.tag("ndpar::Memory");
        name.feed(&mut h);
        version.feed(&mut h);
        inputs.feed(&mut h);
        let key = h.finish();
        let folder = self.name_folder(name);
        let entry = folder.join(&key[..32]);
        if entry::is_sealed(&entry) {
            let loaded = entry::verified(&entry, || {
                V::load(&entry, "value").map_err(|e| e.to_string())
            });
            match loaded {
                Ok(v) => {
                    touch(&entry.join(META));
                    return Ok(v);
                }
                Err(problem) => {
                    warn(&format!(
                        "entry {} is corrupt ({problem}); recomputing it",
                        entry.display()
                    ));
                    let _ = std::fs::remove_dir_all(&entry);
                }
            }
        }
        let value = compute()?;
        if let Err(e) = self.store(&folder, &entry, name, version, &value) {
            warn(&format!(
                "could not store entry {} ({e}); the result is returned uncached",
                entry.display()
            ));
        }
        if let Some(cap) = self.max_bytes {
            if let Err(e) = self.evict_to(cap) {
                warn(&format!("could not evict old entries ({e})"));
            }
        }
        Ok(value)
    }

    /// Removes every entry (and stray temporary folders).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if something cannot be removed.
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("ndpar-doc-clear-{}", std::process::id()));
    /// let m = ndpar::memory::Memory::new(&dir).unwrap();
    /// let _: u8 = m.cache("f", &1u8, || 1);
    /// m.clear().unwrap();
    /// assert_eq!(m.size_bytes().unwrap(), 0);
    /// # std::fs::remove_dir_all(&dir).ok();
    /// ```
    pub fn clear(&self) -> Result<()> {
        for e in read_dir(&self.dir)? {
            remove(&e)?;
        }
        Ok(())
    }

    /// Removes every entry of function `name` (all versions).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if something cannot be removed.
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("ndpar-doc-clearname-{}", std::process::id()));
    /// let m = ndpar::memory::Memory::new(&dir).unwrap();
    /// let _: u8 = m.cache("f", &1u8, || 1);
    /// let _: u8 = m.cache("g", &1u8, || 2);
    /// m.clear_name("f").unwrap();
    /// let g: u8 = m.cache("g", &1u8, || unreachable!());
    /// assert_eq!(g, 2);
    /// # std::fs::remove_dir_all(&dir).ok();
    /// ```
    pub fn clear_name(&self, name: &str) -> Result<()> {
        let folder = self.name_folder(name);
        if folder.exists() {
            remove(&folder)
        } else {
            Ok(())
        }
    }

    /// Total size of the stored entries, in bytes.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the folder cannot be read.
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("ndpar-doc-size-{}", std::process::id()));
    /// let m = ndpar::memory::Memory::new(&dir).unwrap();
    /// let _: ndarray::Array1<f64> = m.cache("z", &0u8, || ndarray::Array1::zeros(1000));
    /// assert!(m.size_bytes().unwrap() >= 8000);
    /// # std::fs::remove_dir_all(&dir).ok();
    /// ```
    pub fn size_bytes(&self) -> Result<u64> {
        Ok(self.entries()?.iter().map(|e| e.bytes).sum())
    }

    /// The folder of function `name`: readable, and unique per name.
    fn name_folder(&self, name: &str) -> PathBuf {
        let clean: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .take(64)
            .collect();
        let id = KeyHasher::digest(name);
        self.dir.join(format!("{clean}-{}", &id[..12]))
    }

    /// Writes `value` as a complete entry at `entry`, atomically.
    fn store<V: Cacheable>(
        &self,
        folder: &Path,
        entry: &Path,
        name: &str,
        version: &str,
        value: &V,
    ) -> Result<()> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        std::fs::create_dir_all(folder).map_err(Error::io(folder))?;
        let tmp = folder.join(format!(
            ".tmp-{}-{}-{}",
            entry
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default(),
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let result = (|| {
            std::fs::create_dir_all(&tmp).map_err(Error::io(&tmp))?;
            value.save(&tmp, "value")?;
            entry::seal(&tmp, name, version)?;
            // Make the files durable before the rename publishes them.
            for f in read_dir(&tmp)? {
                if let Ok(file) = std::fs::File::open(&f) {
                    let _ = file.sync_all();
                }
            }
            entry::publish(&tmp, entry)
        })();
        if result.is_err() {
            let _ = std::fs::remove_dir_all(&tmp);
        }
        result
    }

    /// Every complete entry with its size and last use.
    fn entries(&self) -> Result<Vec<Entry>> {
        let mut out = Vec::new();
        for folder in read_dir(&self.dir)? {
            if !folder.is_dir() || is_temporary(&folder) {
                continue;
            }
            for entry in read_dir(&folder)? {
                let meta = entry.join(META);
                if is_temporary(&entry) || !meta.exists() {
                    continue;
                }
                let used = std::fs::metadata(&meta)
                    .and_then(|m| m.modified())
                    .unwrap_or(SystemTime::UNIX_EPOCH);
                let bytes = read_dir(&entry)?
                    .iter()
                    .filter_map(|f| std::fs::metadata(f).ok())
                    .map(|m| m.len())
                    .sum();
                out.push(Entry {
                    path: entry,
                    bytes,
                    used,
                });
            }
        }
        Ok(out)
    }

    /// Removes least recently used entries until the cache holds at most
    /// `cap` bytes.
    fn evict_to(&self, cap: u64) -> Result<()> {
        let mut entries = self.entries()?;
        let mut total: u64 = entries.iter().map(|e| e.bytes).sum();
        entries.sort_by_key(|e| e.used);
        for e in entries {
            if total <= cap {
                break;
            }
            // Unseal first: an eviction killed midway leaves a folder that
            // no load trusts and the next store replaces.
            let _ = std::fs::remove_file(e.path.join(META));
            remove(&e.path)?;
            total -= e.bytes;
        }
        Ok(())
    }

    fn remove_stale_temporaries(&self, age: Duration) {
        let now = SystemTime::now();
        let Ok(folders) = read_dir(&self.dir) else {
            return;
        };
        for folder in folders.into_iter().filter(|f| f.is_dir()) {
            let Ok(items) = read_dir(&folder) else {
                continue;
            };
            for t in items.into_iter().filter(|t| is_temporary(t)) {
                let old = std::fs::metadata(&t)
                    .and_then(|m| m.modified())
                    .is_ok_and(|m| now.duration_since(m).unwrap_or_default() > age);
                if old {
                    let _ = std::fs::remove_dir_all(&t);
                }
            }
        }
    }
}

struct Entry {
    path: PathBuf,
    bytes: u64,
    used: SystemTime,
}

fn is_temporary(p: &Path) -> bool {
    p.file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with(".tmp-"))
}

fn read_dir(dir: &Path) -> Result<Vec<PathBuf>> {
    let io = Error::io(dir);
    std::fs::read_dir(dir)
        .map_err(io)?
        .map(|e| e.map(|e| e.path()).map_err(io))
        .collect()
}

fn remove(p: &Path) -> Result<()> {
    let r = if p.is_dir() {
        std::fs::remove_dir_all(p)
    } else {
        std::fs::remove_file(p)
    };
    r.map_err(Error::io(p))
}

/// Marks an entry as just used (its meta file's modification time).
fn touch(meta: &Path) {
    if let Ok(f) = std::fs::OpenOptions::new().append(true).open(meta) {
        let _ = f.set_modified(SystemTime::now());
    }
}

fn warn(message: &str) {
    eprintln!("ndpar::memory::Memory warning: {message}");
}

/// A serde value stored (and keyed) as JSON (feature `serde`).
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use ndpar::memory::{Json, Memory};
/// let dir = std::env::temp_dir().join(format!("ndpar-doc-json-{}", std::process::id()));
/// let m = Memory::new(&dir).unwrap();
/// let Json(v): Json<Vec<String>> = m.cache("words", &Json(("a", 2)), || Json(vec!["x".to_string()]));
/// assert_eq!(v, vec!["x"]);
/// # std::fs::remove_dir_all(&dir).ok();
/// # }
/// ```
#[cfg(feature = "serde")]
#[derive(Clone, Debug, PartialEq)]
pub struct Json<T>(pub T);

#[cfg(feature = "serde")]
impl<T: serde::Serialize> CacheKey for Json<T> {
    fn feed(&self, h: &mut KeyHasher) {
        h.tag("json");
        let bytes = serde_json::to_vec(&self.0).expect("serialisable keys");
        h.bytes(&bytes);
    }
}

#[cfg(feature = "serde")]
impl<T: serde::Serialize + serde::de::DeserializeOwned> Cacheable for Json<T> {
    fn save(&self, dir: &Path, part: &str) -> Result<()> {
        let path = dir.join(format!("{part}.json"));
        let bytes = serde_json::to_vec(&self.0).map_err(|e| Error::Format {
            path: path.clone(),
            message: e.to_string(),
        })?;
        std::fs::write(&path, bytes).map_err(Error::io(&path))
    }
    fn load(dir: &Path, part: &str) -> Result<Self> {
        let path = dir.join(format!("{part}.json"));
        let bytes = std::fs::read(&path).map_err(Error::io(&path))?;
        serde_json::from_slice(&bytes)
            .map(Json)
            .map_err(|e| Error::Format {
                path,
                message: e.to_string(),
            })
    }
}
