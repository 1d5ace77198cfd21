//! joblib's `Memory` for Rust: a disk cache of function results keyed by a
//! content hash of the inputs (feature `cache`, on by default).
//!
//! # The rule: a result depends only on its key
//!
//! A stored result is served again only for the same key, so everything
//! the result depends on must be in the key. ndpar makes that hold by
//! construction:
//!
//! - A cached computation cannot capture. [`cached!`](crate::cached)
//!   defines a named function (a `fn` item sees only its arguments), and
//!   the [`Memory::cache`] methods take a `fn` pointer that receives the
//!   inputs (a closure that captures a variable does not compile). A seed
//!   or a setting that changes the result is an argument, and so part of
//!   the key.
//! - The function's own code is part of the key with [`cached!`](crate::cached):
//!   its module path, name, signature and the tokens of its body (joblib
//!   hashes the function's source the same way). Change the body — or
//!   only a constant in it — and the next call computes again. Comments
//!   and formatting are not tokens and do not count; a new compiler that
//!   spells the tokens differently makes every entry compute once more.
//! - What the key cannot see — the functions the body calls, files it
//!   reads, statics — is covered by the version string (`version = "2";`
//!   in [`cached!`](crate::cached), [`Memory::cache_version`]): bump it
//!   when those change. The `Memory::cache` methods key on a name, the
//!   version and the inputs only, not on the code: prefer
//!   [`cached!`](crate::cached) for anything that will be edited.
//!
//! ```
//! use ndarray::Array1;
//! use ndpar::memory::Memory;
//!
//! ndpar::cached! {
//!     /// Square roots of `x`, scaled: stored on disk, computed once per input.
//!     fn scaled_roots(x: &Array1<f64>, scale: f64) -> Array1<f64> {
//!         x.mapv(|v| scale * v.sqrt())
//!     }
//! }
//!
//! let dir = std::env::temp_dir().join(format!("ndpar-doc-memory-{}", std::process::id()));
//! let memory = Memory::new(&dir).unwrap();
//! let x = Array1::linspace(0.0, 1.0, 1000);
//! let a = scaled_roots(&memory, &x, 2.0); // computed and stored
//! let b = scaled_roots(&memory, &x, 2.0); // from disk
//! let c = scaled_roots(&memory, &x, 3.0); // another input: computed
//! assert_eq!(a, b);
//! assert_eq!(c[4], 3.0 * x[4].sqrt());
//! memory.clear().unwrap();
//! # std::fs::remove_dir_all(&dir).ok();
//! ```
//!
//! # Layout on disk and guarantees
//!
//! An entry lives in `dir/<name>-<hash of name>/<key>/`, where `key` is a
//! blake3 hash of the function name, its version string, its code (with
//! [`cached!`](crate::cached)) and the inputs ([`CacheKey`]). Arrays are
//! `.npy` files numpy can open. An entry is
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
mod function;
mod key;
mod value;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

#[doc(hidden)]
pub use function::CachedFn;
pub use key::{CacheKey, KeyElement, KeyHasher};
pub use value::Cacheable;

use crate::error::{Error, Result};

/// A disk cache of function results; see the [module docs](self).
///
/// ```
/// let dir = std::env::temp_dir().join(format!("ndpar-doc-mem2-{}", std::process::id()));
/// let memory = ndpar::memory::Memory::new(&dir).unwrap().max_bytes(1 << 20);
/// let v: f64 = memory.cache_version("mean", "v2", &vec![1.0, 2.0, 3.0], |v| v.iter().sum::<f64>() / v.len() as f64);
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

    /// The stored result of `name` for these `inputs`, or
    /// `compute(inputs)`, stored for next time. Same as
    /// [`cache_version`](Memory::cache_version) with version `""`.
    ///
    /// `compute` is a `fn` (a function, or a closure that captures
    /// nothing), so its result depends on `inputs` alone. Its code is not
    /// part of the key: bump the version with
    /// [`cache_version`](Memory::cache_version) when you change it, or
    /// define it with [`cached!`](crate::cached), which keys on its code.
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("ndpar-doc-cache-{}", std::process::id()));
    /// let m = ndpar::memory::Memory::new(&dir).unwrap();
    /// let n: u64 = m.cache("count", &(3u32, "abc"), |(a, s)| *a as u64 + s.len() as u64);
    /// assert_eq!(n, 6);
    /// let again: u64 = m.cache("count", &(3u32, "abc"), |_| unreachable!());
    /// assert_eq!(again, 6);
    /// # std::fs::remove_dir_all(&dir).ok();
    /// ```
    ///
    /// A closure that captures a variable does not compile: the variable
    /// would change the result without being in the key.
    ///
    /// ```compile_fail
    /// let m = ndpar::memory::Memory::new(std::env::temp_dir().join("ndpar-doc-capture")).unwrap();
    /// let seed = 7u64;
    /// let v: u64 = m.cache("shifted", &1u64, |x| x + seed); // error: captures `seed`
    /// ```
    pub fn cache<K, V>(&self, name: &str, inputs: &K, compute: fn(&K) -> V) -> V
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
    /// let a: i64 = m.cache_version("f", "1", &5i64, |x| x * 2);
    /// let b: i64 = m.cache_version("f", "2", &5i64, |x| x * 2 + 1); // new version: recomputed
    /// assert_eq!((a, b), (10, 11));
    /// # std::fs::remove_dir_all(&dir).ok();
    /// ```
    pub fn cache_version<K, V>(
        &self,
        name: &str,
        version: &str,
        inputs: &K,
        compute: fn(&K) -> V,
    ) -> V
    where
        K: CacheKey + ?Sized,
        V: Cacheable,
    {
        let key = method_key(name, version, inputs);
        infallible(self.lookup_or_compute(name, version, &key, || Ok(compute(inputs))))
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
    /// let parse = |s: &str| m.try_cache("parse", s, |s| s.parse::<i64>());
    /// assert!(parse("x").is_err()); // not cached
    /// assert_eq!(parse("42"), Ok(42));
    /// let again: Result<i64, std::num::ParseIntError> = m.try_cache("parse", "42", |_| unreachable!());
    /// assert_eq!(again, Ok(42)); // from disk
    /// # std::fs::remove_dir_all(&dir).ok();
    /// ```
    pub fn try_cache<K, V, E>(
        &self,
        name: &str,
        inputs: &K,
        compute: fn(&K) -> std::result::Result<V, E>,
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
    /// let v: Result<u8, ()> = m.try_cache_version("f", "2", &1u8, |x| Ok(x + 6));
    /// assert_eq!(v, Ok(7));
    /// # std::fs::remove_dir_all(&dir).ok();
    /// ```
    pub fn try_cache_version<K, V, E>(
        &self,
        name: &str,
        version: &str,
        inputs: &K,
        compute: fn(&K) -> std::result::Result<V, E>,
    ) -> std::result::Result<V, E>
    where
        K: CacheKey + ?Sized,
        V: Cacheable,
    {
        let key = method_key(name, version, inputs);
        self.lookup_or_compute(name, version, &key, || compute(inputs))
    }

    /// The start of the key of a function defined with
    /// [`cached!`](crate::cached): its identity and code. The macro feeds
    /// the arguments next.
    #[doc(hidden)]
    pub fn __function_key(f: &CachedFn) -> KeyHasher {
        let mut h = KeyHasher::new();
        h.tag("ndpar::cached");
        f.name.feed(&mut h);
        f.version.feed(&mut h);
        f.module.feed(&mut h);
        f.code.feed(&mut h);
        h
    }

    /// The call of a function defined with [`cached!`](crate::cached):
    /// the stored result for `key`, or `compute()`'s, stored.
    #[doc(hidden)]
    pub fn __call<V, E>(
        &self,
        f: &CachedFn,
        key: KeyHasher,
        compute: impl FnOnce() -> std::result::Result<V, E>,
    ) -> std::result::Result<V, E>
    where
        V: Cacheable,
    {
        self.lookup_or_compute(f.name, f.version, &key.finish(), compute)
    }

    /// [`__call`](Memory::__call) for a function that cannot fail: every
    /// value is stored.
    #[doc(hidden)]
    pub fn __call_value<V>(&self, f: &CachedFn, key: KeyHasher, compute: impl FnOnce() -> V) -> V
    where
        V: Cacheable,
    {
        infallible(self.__call(f, key, || Ok(compute())))
    }

    /// The stored result of entry `key` of function `name`, or
    /// `compute()`'s result, stored when it is `Ok`.
    fn lookup_or_compute<V, E>(
        &self,
        name: &str,
        version: &str,
        key: &str,
        compute: impl FnOnce() -> std::result::Result<V, E>,
    ) -> std::result::Result<V, E>
    where
        V: Cacheable,
    {
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
        if let Some(cap) = self.max_bytes
            && let Err(e) = self.evict_to(cap)
        {
            warn(&format!("could not evict old entries ({e})"));
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
    /// let _: u8 = m.cache("f", &1u8, |_| 1);
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
    /// let _: u8 = m.cache("f", &1u8, |_| 1);
    /// let _: u8 = m.cache("g", &1u8, |_| 2);
    /// m.clear_name("f").unwrap();
    /// let g: u8 = m.cache("g", &1u8, |_| unreachable!());
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
    /// let _: ndarray::Array1<f64> = m.cache("z", &0u8, |_| ndarray::Array1::zeros(1000));
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

/// The key of an entry stored through the `Memory::cache` methods: the
/// name, the version and the inputs.
fn method_key<K: CacheKey + ?Sized>(name: &str, version: &str, inputs: &K) -> String {
    let mut h = KeyHasher::new();
    h.tag("ndpar::Memory");
    name.feed(&mut h);
    version.feed(&mut h);
    inputs.feed(&mut h);
    h.finish()
}

/// The value of a computation that cannot fail.
fn infallible<V>(r: std::result::Result<V, std::convert::Infallible>) -> V {
    match r {
        Ok(v) => v,
        Err(never) => match never {},
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
/// let Json(v): Json<Vec<String>> = m.cache("words", &Json(("a", 2)), |_| Json(vec!["x".to_string()]));
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
