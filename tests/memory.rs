//! The Memory disk cache: hits and misses (layout-independent keys),
//! versions, corrupt entries, concurrent callers, clearing, the size cap
//! with LRU eviction, and a writer killed mid-write (a child process).
#![cfg(feature = "cache")]

use ndarray::{Array1, Array2, ShapeBuilder, array};
use ndpar::memory::Memory;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

struct Scratch(PathBuf);
impl Scratch {
    fn new(name: &str) -> Scratch {
        let p = std::env::temp_dir().join(format!("ndpar-memory-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        Scratch(p)
    }
}
impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// All files under `dir` with a given extension.
fn files(dir: &std::path::Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p, ext));
        } else if p.extension().is_some_and(|x| x == ext) {
            out.push(p);
        }
    }
    out
}

#[test]
fn hits_misses_and_layout_independent_keys() {
    let dir = Scratch::new("hits");
    let m = Memory::new(&dir.0).unwrap();
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    fn double<S: ndarray::Data<Elem = f64>>(
        x: &ndarray::ArrayBase<S, ndarray::Ix2>,
    ) -> Array2<f64> {
        CALLS.fetch_add(1, Ordering::SeqCst);
        x.mapv(|v| v * 2.0)
    }
    let c = Array2::from_shape_fn((30, 40), |(i, j)| (i * 40 + j) as f64);
    let mut fo = Array2::zeros((30, 40).f());
    fo.assign(&c);
    let a: Array2<f64> = m.cache("double", &c, double);
    let b: Array2<f64> = m.cache("double", &fo, double); // same logical contents
    let v: Array2<f64> = m.cache("double", &c.view(), double); // a view too
    assert_eq!((a.clone(), b.clone()), (v, c.mapv(|x| x * 2.0)));
    assert_eq!(CALLS.load(Ordering::SeqCst), 1);
    let mut changed = c.clone();
    changed[[29, 39]] += 1.0;
    let _: Array2<f64> = m.cache("double", &changed, double);
    assert_eq!(CALLS.load(Ordering::SeqCst), 2, "a changed element misses");
    let _: Array2<f64> = m.cache("triple", &c, double);
    assert_eq!(CALLS.load(Ordering::SeqCst), 3, "another name misses");
    let _: Array2<f64> = m.cache_version("double", "2", &c, double);
    assert_eq!(CALLS.load(Ordering::SeqCst), 4, "another version misses");
    // Stored arrays are plain npy files (numpy can open them).
    assert!(!files(&dir.0, "npy").is_empty());
    // Scalars, strings, tuples and vectors round-trip.
    let t: (f64, String, Vec<Array1<i64>>) = m.cache("mixed", &(1u8, "k"), |_| {
        (0.5, "hello".to_string(), vec![array![1, 2], array![3]])
    });
    let again: (f64, String, Vec<Array1<i64>>) = m.cache("mixed", &(1u8, "k"), |_| unreachable!());
    assert_eq!(t, again);
}

#[test]
fn a_corrupt_entry_is_recomputed_and_replaced() {
    let dir = Scratch::new("corrupt");
    let m = Memory::new(&dir.0).unwrap();
    let x = Array1::from_iter((0..1000).map(f64::from));
    let _: Array1<f64> = m.cache("f", &x, Array1::clone);
    for npy in files(&dir.0, "npy") {
        let bytes = std::fs::read(&npy).unwrap();
        std::fs::write(&npy, &bytes[..bytes.len() / 2]).unwrap(); // truncate
    }
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let y: Array1<f64> = m.cache("f", &x, |x| {
        CALLS.fetch_add(1, Ordering::SeqCst);
        x.clone()
    });
    assert_eq!(y, x);
    assert_eq!(
        CALLS.load(Ordering::SeqCst),
        1,
        "the corrupt entry was recomputed"
    );
    let z: Array1<f64> = m.cache("f", &x, |_| unreachable!("the entry was replaced"));
    assert_eq!(z, x);
}

#[test]
fn concurrent_callers_with_the_same_key_agree() {
    let dir = Scratch::new("concurrent");
    let m = Memory::new(&dir.0).unwrap();
    let results: Vec<Array1<f64>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let m = &m;
                s.spawn(move || {
                    m.cache("slow", &7u64, |&v| {
                        std::thread::sleep(Duration::from_millis(20));
                        Array1::from_elem(100_000, v as f64)
                    })
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(
        results
            .iter()
            .all(|r| *r == Array1::from_elem(100_000, 7.0))
    );
    let stored: Array1<f64> = m.cache("slow", &7u64, |_| unreachable!());
    assert_eq!(stored, Array1::from_elem(100_000, 7.0));
}

#[test]
fn clear_and_clear_name() {
    let dir = Scratch::new("clear");
    let m = Memory::new(&dir.0).unwrap();
    let _: u32 = m.cache("a", &1u8, |_| 1);
    let _: u32 = m.cache("b", &1u8, |_| 2);
    m.clear_name("a").unwrap();
    let a: u32 = m.cache("a", &1u8, |_| 10);
    let b: u32 = m.cache("b", &1u8, |_| unreachable!());
    assert_eq!((a, b), (10, 2));
    m.clear().unwrap();
    assert_eq!(m.size_bytes().unwrap(), 0);
    let b: u32 = m.cache("b", &1u8, |_| 20);
    assert_eq!(b, 20);
}

#[test]
fn the_size_cap_evicts_the_least_recently_used() {
    let dir = Scratch::new("lru");
    let one = 8 * 10_000 + 400; // an entry: 80 kB of data, an npy header, a meta file
    let m = Memory::new(&dir.0).unwrap().max_bytes(3 * one as u64);
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let make = |&i: &u64| {
        CALLS.fetch_add(1, Ordering::SeqCst);
        Array1::from_elem(10_000, i as f64)
    };
    for i in 0..3u64 {
        let _: Array1<f64> = m.cache("e", &i, make);
        std::thread::sleep(Duration::from_millis(20)); // distinct use times
    }
    // Use entry 0 again, then add a fourth: entry 1 (least recent) goes.
    let _: Array1<f64> = m.cache("e", &0u64, |_| unreachable!());
    std::thread::sleep(Duration::from_millis(20));
    let _: Array1<f64> = m.cache("e", &3u64, make);
    assert!(m.size_bytes().unwrap() <= 3 * one as u64);
    let before = CALLS.load(Ordering::SeqCst);
    for i in [0u64, 2, 3] {
        let _: Array1<f64> = m.cache("e", &i, make);
    }
    assert_eq!(
        CALLS.load(Ordering::SeqCst) - before,
        0,
        "0, 2 and 3 should still be cached"
    );
    let _: Array1<f64> = m.cache("e", &1u64, make);
    assert_eq!(CALLS.load(Ordering::SeqCst) - before, 1, "1 was evicted");
}

/// Run by `a_writer_killed_mid_write_leaves_no_invalid_entry` in a child
/// process: writes big entries until it is killed.
#[test]
fn child_writer_mode() {
    let Ok(dir) = std::env::var("NDPAR_MEMORY_CHILD") else {
        return;
    };
    let m = Memory::new(&dir).unwrap();
    for i in 0u64.. {
        let _: Array1<f64> = m.cache("big", &i, |&i| Array1::from_elem(2_000_000, i as f64));
    }
}

#[test]
fn a_writer_killed_mid_write_leaves_no_invalid_entry() {
    let dir = Scratch::new("kill");
    let exe = std::env::current_exe().unwrap();
    for delay_ms in [150, 400, 700] {
        let mut child = std::process::Command::new(&exe)
            .args(["memory::child_writer_mode", "--exact", "--nocapture"])
            .env("NDPAR_MEMORY_CHILD", &dir.0)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().unwrap();
        child.wait().unwrap();
    }
    // Every entry that loads must be complete and right; the others are
    // recomputed.
    let m = Memory::new(&dir.0).unwrap();
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    for i in 0..40u64 {
        let v: Array1<f64> = m.cache("big", &i, |&i| {
            CALLS.fetch_add(1, Ordering::SeqCst);
            Array1::from_elem(2_000_000, i as f64)
        });
        assert_eq!(v.len(), 2_000_000);
        assert!(v.iter().all(|&x| x == i as f64), "entry {i} is corrupt");
    }
    let hits = 40 - CALLS.load(Ordering::SeqCst);
    println!("{hits} entries written before the kills were intact");
}

#[test]
fn failed_computations_are_returned_and_never_cached() {
    let dir = Scratch::new("try");
    let m = Memory::new(&dir.0).unwrap();
    // The computation fails until FAIL is cleared (a stand-in for a
    // resource that is not ready yet).
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    static FAIL: AtomicBool = AtomicBool::new(true);
    let flaky = || {
        m.try_cache("flaky", &7u8, |_| {
            CALLS.fetch_add(1, Ordering::SeqCst);
            if FAIL.load(Ordering::SeqCst) {
                Err("not now")
            } else {
                Ok(array![1.0, 2.0])
            }
        })
    };
    assert_eq!(flaky(), Err("not now"));
    assert_eq!(flaky(), Err("not now"));
    assert_eq!(
        CALLS.load(Ordering::SeqCst),
        2,
        "an error must not be cached"
    );
    FAIL.store(false, Ordering::SeqCst);
    assert_eq!(flaky(), Ok(array![1.0, 2.0]));
    FAIL.store(true, Ordering::SeqCst);
    assert_eq!(flaky(), Ok(array![1.0, 2.0]), "the success is cached");
    assert_eq!(CALLS.load(Ordering::SeqCst), 3);
}

/// A user's own result and parameter types.
#[derive(Debug, PartialEq)]
struct Fit {
    weights: Array2<f64>,
    loss: f64,
    converged: bool,
    log: Vec<String>,
}
ndpar::cacheable!(Fit {
    weights,
    loss,
    converged,
    log
});

struct Settings {
    rate: f64,
    epochs: u32,
    data: Array1<f32>,
}
ndpar::cache_key!(Settings { rate, epochs, data });

#[test]
fn user_types_are_stored_and_keyed_field_by_field() {
    let dir = Scratch::new("user-types");
    let m = Memory::new(&dir.0).unwrap();
    let settings = Settings {
        rate: 0.1,
        epochs: 3,
        data: array![1.0, 2.0],
    };
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let train = |s: &Settings| {
        CALLS.fetch_add(1, Ordering::SeqCst);
        Fit {
            weights: Array2::from_elem((2, 3), s.rate),
            loss: 0.5 / s.epochs as f64,
            converged: true,
            log: vec!["epoch 1".into(), "epoch 2".into()],
        }
    };
    let first: Fit = m.cache("train", &settings, train);
    let again: Fit = m.cache("train", &settings, |_| unreachable!("stored"));
    assert_eq!(first, again);
    // Arrays are stored as npy files numpy can read.
    assert!(!files(&dir.0, "npy").is_empty());
    // Another field value is another key.
    let other = Settings {
        epochs: 4,
        ..settings
    };
    let _: Fit = m.cache("train", &other, train);
    assert_eq!(CALLS.load(Ordering::SeqCst), 2);
}

/// serde values and keys (feature `serde`) round-trip exactly.
#[cfg(feature = "serde")]
#[test]
fn serde_values_and_keys_round_trip_exactly() {
    use ndpar::memory::Json;
    let dir = Scratch::new("serde");
    let m = Memory::new(&dir.0).unwrap();
    let key = Json(("model", vec![0.1f64, 1e-300, -2.5]));
    let tricky = vec![0.1f64 + 0.2, std::f64::consts::PI, 1e-310, -0.0, f64::MAX];
    let Json(first): Json<(Vec<f64>, String)> = m.cache("json", &key, |_| {
        let tricky = vec![0.1f64 + 0.2, std::f64::consts::PI, 1e-310, -0.0, f64::MAX];
        Json((tricky, "done".to_string()))
    });
    let Json(again): Json<(Vec<f64>, String)> = m.cache("json", &key, |_| unreachable!("stored"));
    assert_eq!(first, again);
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&again.0), bits(&tricky), "floats survive JSON exactly");
}

/// Every entry folder of a cache.
fn entry_folders(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for f in std::fs::read_dir(dir).unwrap().flatten() {
        if f.path().is_dir() {
            for e in std::fs::read_dir(f.path()).unwrap().flatten() {
                out.push(e.path());
            }
        }
    }
    out
}

#[test]
fn damaged_values_that_still_decode_are_recomputed_not_served() {
    let dir = Scratch::new("flip");
    let m = Memory::new(&dir.0).unwrap();
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let get = || -> Array1<f64> {
        m.cache("ones", &1u8, |_| {
            CALLS.fetch_add(1, Ordering::SeqCst);
            Array1::<f64>::ones(4)
        })
    };
    assert_eq!(get(), Array1::<f64>::ones(4));
    // Flip a payload byte: the header is intact and the file still decodes
    // (to [1, 1, 1, 0.0625] or the like).
    let npy = files(&dir.0, "npy").pop().unwrap();
    let mut bytes = std::fs::read(&npy).unwrap();
    let last = bytes.len() - 2;
    bytes[last] ^= 0x40;
    std::fs::write(&npy, &bytes).unwrap();
    assert_eq!(
        get(),
        Array1::<f64>::ones(4),
        "the damaged value was served"
    );
    assert_eq!(CALLS.load(Ordering::SeqCst), 2);
    assert_eq!(get(), Array1::<f64>::ones(4));
    assert_eq!(CALLS.load(Ordering::SeqCst), 2, "the healed entry is a hit");

    // A text value edited into other valid UTF-8.
    let s: String = m.cache("greeting", &0u8, |_| "hello".to_string());
    assert_eq!(s, "hello");
    let txt = files(&dir.0, "txt").pop().unwrap();
    std::fs::write(&txt, "jello").unwrap();
    let s: String = m.cache("greeting", &0u8, |_| "hello".to_string());
    assert_eq!(s, "hello");

    // A header rewritten to claim 2^40 elements: recomputed, not loaded.
    let _: Array1<f64> = m.cache("big-claim", &2u8, |_| Array1::zeros(8));
    let npy = files(&dir.0, "npy")
        .into_iter()
        .find(|p| std::fs::read(p).unwrap().windows(3).any(|w| w == b"(8,"))
        .unwrap();
    let text = std::fs::read(&npy).unwrap();
    let patched: Vec<u8> = String::from_utf8_lossy(&text)
        .replacen("(8,)", "(1099511627776,)", 1)
        .into_bytes();
    std::fs::write(&npy, patched).unwrap();
    let again: Array1<f64> = m.cache("big-claim", &2u8, |_| Array1::zeros(8));
    assert_eq!(again.len(), 8);
}

#[test]
fn an_entry_folder_left_incomplete_is_replaced_by_the_next_store() {
    let dir = Scratch::new("incomplete");
    let m = Memory::new(&dir.0).unwrap();
    let _: Array1<f64> = m.cache("f", &5u32, |_| Array1::zeros(3));
    // What an eviction killed midway leaves: the folder without its meta
    // file, some value files still there.
    let entry = entry_folders(&dir.0).pop().unwrap();
    std::fs::remove_file(entry.join("entry.meta")).unwrap();
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let compute = |_: &u32| {
        CALLS.fetch_add(1, Ordering::SeqCst);
        Array1::from_elem(3, 1.0)
    };
    let v: Array1<f64> = m.cache("f", &5u32, compute);
    assert_eq!(v, Array1::from_elem(3, 1.0));
    // The store replaced the folder: the next call is a hit.
    let v: Array1<f64> = m.cache("f", &5u32, compute);
    assert_eq!(v, Array1::from_elem(3, 1.0));
    assert_eq!(CALLS.load(Ordering::SeqCst), 1, "the key is cached again");
    assert!(entry.join("entry.meta").exists());
}

#[test]
fn an_entry_folder_replaced_by_a_file_is_stored_again() {
    let dir = Scratch::new("entry-file");
    let m = Memory::new(&dir.0).unwrap();
    let _: Array1<f64> = m.cache("f", &7u32, |_| Array1::zeros(3));
    let entry = entry_folders(&dir.0).pop().unwrap();
    std::fs::remove_dir_all(&entry).unwrap();
    std::fs::write(&entry, b"not a cache entry").unwrap();
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let compute = |_: &u32| {
        CALLS.fetch_add(1, Ordering::SeqCst);
        Array1::from_elem(3, 2.0)
    };
    let v: Array1<f64> = m.cache("f", &7u32, compute);
    assert_eq!(v, Array1::from_elem(3, 2.0));
    let v: Array1<f64> = m.cache("f", &7u32, compute);
    assert_eq!(v, Array1::from_elem(3, 2.0));
    assert_eq!(CALLS.load(Ordering::SeqCst), 1, "the key is cached again");
    assert!(entry.is_dir() && entry.join("entry.meta").exists());
}

/// Each `cached!` below defines `offset` in its own block, in this module:
/// the same name and module path, as when a user edits the function
/// between two runs. Only the tokens of the body (and the version) differ.
#[test]
fn cached_functions_key_on_their_code_and_arguments() {
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let calls = || CALLS.load(Ordering::SeqCst);
    let dir = Scratch::new("cached-fn");
    let m = Memory::new(&dir.0).unwrap();
    let first = {
        ndpar::cached! {
            fn offset(x: u64) -> u64 {
                CALLS.fetch_add(1, Ordering::SeqCst);
                x + 1
            }
        }
        (offset(&m, 10), offset(&m, 10), offset(&m, 20))
    };
    assert_eq!(first, (11, 11, 21));
    assert_eq!(calls(), 2, "one computation per argument");
    let edited = {
        ndpar::cached! {
            fn offset(x: u64) -> u64 {
                CALLS.fetch_add(1, Ordering::SeqCst);
                x + 2
            }
        }
        offset(&m, 10)
    };
    assert_eq!(
        edited, 12,
        "an edited body must not be served the old result"
    );
    assert_eq!(calls(), 3);
    let reformatted = {
        ndpar::cached! {
            // The first body again, laid out differently and commented:
            // the same tokens, so the same entry.
            fn offset(x: u64) -> u64 { CALLS.fetch_add(1, Ordering::SeqCst); x
                + 1 }
        }
        offset(&m, 10)
    };
    assert_eq!(reformatted, 11);
    assert_eq!(calls(), 3, "formatting and comments are not code");
    let versioned = {
        ndpar::cached! {
            version = "2";
            fn offset(x: u64) -> u64 {
                CALLS.fetch_add(1, Ordering::SeqCst);
                x + 1
            }
        }
        offset(&m, 10)
    };
    assert_eq!(versioned, 11);
    assert_eq!(calls(), 4, "a new version computes again");
}

ndpar::cached! {
    /// Row sums of `a` scaled by `by`: arrays and views as arguments.
    fn scaled_row_sums(a: &ndarray::ArrayView2<f64>, by: f64) -> Array1<f64> {
        a.sum_axis(ndarray::Axis(1)) * by
    }
}

ndpar::cached! {
    fn parse_count(text: &str, base: u32) -> Result<u64, std::num::ParseIntError> {
        u64::from_str_radix(text, base)
    }
}

#[test]
fn cached_functions_take_arrays_and_store_only_ok_results() {
    let dir = Scratch::new("cached-fn-arrays");
    let m = Memory::new(&dir.0).unwrap();
    let a = Array2::from_shape_fn((4, 3), |(i, j)| (i * 3 + j) as f64);
    let want = array![3.0, 12.0, 21.0, 30.0] * 0.5;
    assert_eq!(scaled_row_sums(&m, &a.view(), 0.5), want);
    // The F-order copy has the same contents: the same key, a hit.
    let mut f = Array2::zeros((4, 3).f());
    f.assign(&a);
    assert_eq!(scaled_row_sums(&m, &f.view(), 0.5), want);
    assert_eq!(scaled_row_sums(&m, &a.view(), 2.0), want.clone() * 4.0);
    assert_eq!(entry_folders(&dir.0).len(), 2);
    assert_eq!(parse_count(&m, "ff", 16), Ok(255));
    assert!(parse_count(&m, "zz", 16).is_err());
    assert_eq!(parse_count(&m, "ff", 16), Ok(255));
    assert_eq!(entry_folders(&dir.0).len(), 3, "errors are not stored");
}
