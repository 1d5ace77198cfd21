//! npy/npz round trips on every layout and element type, the documented
//! errors (missing, truncated, corrupt, wrong type, wrong dimension), and,
//! where python3 with numpy is available, interoperability with numpy in
//! both directions.
#![cfg(feature = "io")]

use crate::common::Scratch;
use ndarray::{Array, Array1, Array2, ArrayD, Ix1, Ix2, Ix3, IxDyn, ShapeBuilder, array, s};
use ndpar::Error;
use ndpar::io::{load_npy, load_npz, npz_names, save_npy, save_npz};
use std::process::Command;

#[test]
fn round_trips_every_layout_and_type() {
    let dir = Scratch::new("io-roundtrip");
    let a = Array::from_shape_fn((4, 5, 6), |(i, j, k)| (i * 100 + j * 10 + k) as f64 - 50.5);
    let views = [
        a.view(),
        a.view().reversed_axes(),
        a.slice(s![..;2, 1.., ..;-3]),
    ];
    for (n, v) in views.iter().enumerate() {
        let p = dir.path(&format!("v{n}.npy"));
        save_npy(&p, v).unwrap();
        assert_eq!(load_npy::<f64, Ix3, _>(&p).unwrap(), v);
        assert_eq!(load_npy::<f64, IxDyn, _>(&p).unwrap(), (*v).into_dyn());
    }
    let f = Array2::from_shape_fn((3, 7).f(), |(i, j)| (i * 7 + j) as f32);
    save_npy(dir.path("f.npy"), &f).unwrap();
    assert_eq!(load_npy::<f32, Ix2, _>(dir.path("f.npy")).unwrap(), f);
    let ints = Array1::from(vec![i64::MIN, -1, 0, 1, i64::MAX]);
    save_npy(dir.path("i.npy"), &ints).unwrap();
    assert_eq!(load_npy::<i64, Ix1, _>(dir.path("i.npy")).unwrap(), ints);
    let bools = array![true, false, true];
    save_npy(dir.path("b.npy"), &bools).unwrap();
    assert_eq!(load_npy::<bool, Ix1, _>(dir.path("b.npy")).unwrap(), bools);
    let scalar = ndarray::arr0(3u8);
    save_npy(dir.path("s.npy"), &scalar).unwrap();
    assert_eq!(
        load_npy::<u8, ndarray::Ix0, _>(dir.path("s.npy")).unwrap(),
        scalar
    );
    let empty = ArrayD::<f64>::zeros(IxDyn(&[0, 3]));
    save_npy(dir.path("e.npy"), &empty).unwrap();
    assert_eq!(load_npy::<f64, IxDyn, _>(dir.path("e.npy")).unwrap(), empty);
    // npz
    let (x, y) = (array![1.0, 2.0, 3.0], array![4.0]);
    save_npz(dir.path("z.npz"), &[("x", x.view()), ("y", y.view())]).unwrap();
    assert_eq!(npz_names(dir.path("z.npz")).unwrap(), vec!["x", "y"]);
    assert_eq!(load_npz::<f64, Ix1, _>(dir.path("z.npz"), "x").unwrap(), x);
    // No temporary files are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&dir.0)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn errors_name_the_file_and_the_problem() {
    let dir = Scratch::new("io-errors");
    let missing = dir.path("missing.npy");
    match load_npy::<f64, Ix1, _>(&missing) {
        Err(Error::Io { path, source }) => {
            assert_eq!(path, missing);
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
        }
        other => panic!("expected Io, got {other:?}"),
    }
    let p = dir.path("a.npy");
    save_npy(&p, &Array2::<f64>::zeros((10, 10))).unwrap();
    let msg = |r: ndpar::Result<_>| match r {
        Err(e @ Error::Format { .. }) => e.to_string(),
        other => panic!("expected Format, got {:?}", other.map(|_: ()| ())),
    };
    let m = msg(load_npy::<i32, Ix2, _>(&p).map(|_| ()));
    assert!(m.contains("a.npy") && m.contains("type"), "{m}");
    let m = msg(load_npy::<f64, Ix1, _>(&p).map(|_| ()));
    assert!(m.contains("2-dimensional"), "{m}");
    // Truncated in the data, then in the header.
    let bytes = std::fs::read(&p).unwrap();
    std::fs::write(&p, &bytes[..bytes.len() - 8]).unwrap();
    let m = msg(load_npy::<f64, Ix2, _>(&p).map(|_| ()));
    assert!(m.contains("truncated"), "{m}");
    std::fs::write(&p, &bytes[..20]).unwrap();
    let m = msg(load_npy::<f64, Ix2, _>(&p).map(|_| ()));
    assert!(m.contains("truncated") || m.contains("header"), "{m}");
    std::fs::write(&p, b"this is not an npy file at all, just some text").unwrap();
    msg(load_npy::<f64, Ix2, _>(&p).map(|_| ()));
    // npz: not an archive, and a missing name.
    msg(load_npz::<f64, Ix2, _>(&p, "x").map(|_| ()));
    let z = dir.path("z.npz");
    save_npz(&z, &[("x", array![1.0].view())]).unwrap();
    let m = msg(load_npz::<f64, Ix1, _>(&z, "nope").map(|_| ()));
    assert!(m.contains("nope"), "{m}");
    // Writing into a folder that does not exist: Io, and nothing left over.
    let bad = dir.path("no/such/dir/a.npy");
    assert!(matches!(
        save_npy(&bad, &array![1.0]),
        Err(Error::Io { .. })
    ));
}

#[test]
fn numpy_reads_what_ndpar_writes_and_vice_versa() {
    if !crate::common::numpy_available("io") {
        println!(
            "skipped: python3 with numpy is not available (pip install numpy to run this test)"
        );
        return;
    }
    let dir = Scratch::new("io-numpy");
    let a = Array2::from_shape_fn((3, 4), |(i, j)| i as f64 * 10.0 + j as f64 + 0.25);
    save_npy(dir.path("from_rust.npy"), &a.t()).unwrap();
    save_npz(dir.path("from_rust.npz"), &[("a", a.view())]).unwrap();
    let script = format!(
        r#"
import numpy as np
d = {dir:?}
a = np.load(d + "/from_rust.npy")
assert a.shape == (4, 3), a.shape
assert a[1, 2] == 21.25, a
z = np.load(d + "/from_rust.npz")
assert (z["a"] == a.T).all()
np.save(d + "/from_numpy.npy", np.arange(12, dtype=np.int32).reshape(3, 4))
np.savez_compressed(d + "/from_numpy.npz", b=np.linspace(0, 1, 5))
print("numpy ok")
"#,
        dir = dir.0.to_string_lossy()
    );
    let out = Command::new("python3")
        .args(["-c", &script])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "numpy failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let back: Array2<i32> = load_npy(dir.path("from_numpy.npy")).unwrap();
    assert_eq!(
        back,
        Array2::from_shape_fn((3, 4), |(i, j)| (i * 4 + j) as i32)
    );
    let b: Array1<f64> = load_npz(dir.path("from_numpy.npz"), "b").unwrap();
    assert_eq!(b, array![0.0, 0.25, 0.5, 0.75, 1.0]);
}

/// An npy file made by hand: `dict` as the header (version `major`), then
/// `data`.
fn handmade(major: u8, dict: &str, data: &[u8]) -> Vec<u8> {
    let mut out = b"\x93NUMPY".to_vec();
    out.extend_from_slice(&[major, 0]);
    if major == 1 {
        out.extend_from_slice(&(dict.len() as u16).to_le_bytes());
    } else {
        out.extend_from_slice(&(dict.len() as u32).to_le_bytes());
    }
    out.extend_from_slice(dict.as_bytes());
    out.extend_from_slice(data);
    out
}

#[test]
fn headers_that_claim_more_than_the_file_holds_are_errors_not_allocations() {
    let dir = Scratch::new("io-hostile");
    let p = dir.path("huge.npy");
    // 2^40 f64 claimed (8 TiB) in a 128-byte file: an error, at once.
    for shape in ["(1099511627776,)", "(4294967296,)", "(65536, 65536, 65536)"] {
        let dict = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}");
        std::fs::write(&p, handmade(1, &dict, &[0u8; 40])).unwrap();
        let r = load_npy::<f64, IxDyn, _>(&p);
        assert!(matches!(r, Err(Error::Format { .. })), "{shape}: {r:?}");
    }
    // A shape whose size overflows.
    let dict =
        "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }";
    std::fs::write(&p, handmade(1, dict, &[])).unwrap();
    assert!(load_npy::<f64, IxDyn, _>(&p).is_err());
    // A version-2 header claiming 4 GiB, in a 70-byte file.
    let mut bytes = b"\x93NUMPY\x02\x00\xff\xff\xff\xff".to_vec();
    bytes.resize(70, b' ');
    std::fs::write(&p, &bytes).unwrap();
    assert!(matches!(
        load_npy::<f64, Ix1, _>(&p),
        Err(Error::Format { .. })
    ));
    // The same lies inside an npz member.
    let z = dir.path("huge.npz");
    {
        let dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (1099511627776,), }";
        let member = handmade(1, dict, &[0u8; 64]);
        let file = std::fs::File::create(&z).unwrap();
        let mut zip = zip::ZipWriter::new(file);
        zip.start_file("x.npy", zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut zip, &member).unwrap();
        zip.finish().unwrap();
    }
    assert!(matches!(
        load_npz::<f64, Ix1, _>(&z, "x"),
        Err(Error::Format { .. })
    ));
}

#[test]
fn empty_views_of_every_shape_save_and_load() {
    let dir = Scratch::new("io-empty-views");
    let base = Array::from_shape_fn((3, 5, 4), |(i, j, k)| (i * 20 + j * 4 + k) as f64);
    let views = [
        base.slice(s![.., 2..2, ..]),
        base.slice(s![1..1, .., ..]),
        base.slice(s![.., .., 3..3]),
        base.slice(s![..;-1, 2..2, ..;2]),
        base.slice(s![.., 4..4, ..]).reversed_axes(),
        base.slice(s![..0;2, .., ..]),
    ];
    for (n, v) in views.iter().enumerate() {
        let p = dir.path(&format!("e{n}.npy"));
        save_npy(&p, v).unwrap();
        let back: ArrayD<f64> = load_npy(&p).unwrap();
        assert_eq!(back.shape(), v.shape(), "view {n}");
    }
    let leftovers = std::fs::read_dir(&dir.0)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
        .count();
    assert_eq!(leftovers, 0);
}

/// Deterministic xorshift, so the fuzzing below needs no extra crate.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[test]
fn mutated_files_give_errors_or_arrays_never_panics() {
    // Valid files of several types, shapes and orders, then thousands of
    // mutations: flipped bytes, truncations, extensions, rewritten header
    // lengths and shapes. Every load must return (an array or an error).
    let dir = Scratch::new("io-fuzz");
    let mut seeds: Vec<Vec<u8>> = Vec::new();
    let mut push = |f: &dyn Fn(&std::path::Path)| {
        let p = dir.path("seed.npy");
        f(&p);
        seeds.push(std::fs::read(&p).unwrap());
    };
    push(&|p| {
        save_npy(
            p,
            &Array2::from_shape_fn((7, 3), |(i, j)| (i * 3 + j) as f64),
        )
        .unwrap()
    });
    push(&|p| {
        save_npy(
            p,
            &Array2::from_shape_fn((4, 5).f(), |(i, j)| (i + j) as i32),
        )
        .unwrap()
    });
    push(&|p| save_npy(p, &array![true, false, true]).unwrap());
    push(&|p| save_npy(p, &ndarray::arr0(7u16)).unwrap());
    push(&|p| save_npy(p, &ArrayD::<f32>::zeros(IxDyn(&[2, 0, 3]))).unwrap());
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let p = dir.path("fuzzed.npy");
    for round in 0..3000 {
        let mut bytes = seeds[round % seeds.len()].clone();
        match rng.below(6) {
            0 => {
                for _ in 0..=rng.below(4) {
                    let i = rng.below(bytes.len());
                    bytes[i] ^= 1 << rng.below(8);
                }
            }
            1 => bytes.truncate(rng.below(bytes.len())),
            2 => bytes.extend((0..rng.below(200)).map(|_| rng.next() as u8)),
            3 => {
                // Rewrite the header length.
                let v = rng.next();
                bytes[8] = v as u8;
                bytes[9] = (v >> 8) as u8;
            }
            4 => {
                // Rewrite digits in the header (the shape).
                for i in 10..bytes.len().min(128) {
                    if bytes[i].is_ascii_digit() && rng.below(3) == 0 {
                        bytes[i] = b'0' + rng.below(10) as u8;
                    }
                }
            }
            _ => {
                let i = rng.below(bytes.len());
                bytes.insert(i, rng.next() as u8);
            }
        }
        std::fs::write(&p, &bytes).unwrap();
        // The point: these calls return.
        every_reader_returns(&p);
    }
}

/// Loads `path` as every reader does (the memory maps too, where built):
/// each must return, an array or an error.
fn every_reader_returns(path: &std::path::Path) {
    let _ = load_npy::<f64, IxDyn, _>(path);
    let _ = load_npy::<i32, Ix2, _>(path);
    let _ = load_npy::<bool, Ix1, _>(path);
    let _ = load_npy::<u16, ndarray::Ix0, _>(path);
    #[cfg(feature = "mmap")]
    {
        use ndpar::io::{NpyMap, NpyMapMut};
        // SAFETY: the test's scratch folder is its own; nothing else
        // changes the file while it is mapped.
        if let Ok(m) = unsafe { NpyMap::open(path) } {
            let _ = m.view::<f64, IxDyn>();
        }
        // SAFETY: as above.
        if let Ok(mut m) = unsafe { NpyMapMut::open(path) } {
            let _ = m.view_mut::<f64, IxDyn>();
        }
    }
}

/// Version-3 headers are UTF-8: element types spelled with multi-byte
/// characters, and such characters anywhere in the header, are errors.
#[test]
fn utf8_headers_with_multibyte_characters_are_errors_never_panics() {
    let dir = Scratch::new("io-utf8");
    let p = dir.path("utf8.npy");
    for descr in [
        "‹é8",
        "|é",
        "é",
        "<é",
        "<f\u{e9}",
        "<\u{1F600}8",
        "\u{2039}f8",
        "<f8\u{e9}",
    ] {
        let dict = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': (2,), }}");
        std::fs::write(&p, handmade(3, &dict, &[0u8; 16])).unwrap();
        let r = load_npy::<f64, IxDyn, _>(&p);
        assert!(matches!(r, Err(Error::Format { .. })), "{descr}: {r:?}");
        every_reader_returns(&p);
    }
    // Multi-byte characters put at random places of valid version-3 headers.
    let good = "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }";
    let chars = ['é', '‹', '\u{1F600}', 'ß', '\u{2028}'];
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    for _ in 0..2000 {
        let mut dict: Vec<char> = good.chars().collect();
        for _ in 0..=rng.below(3) {
            let at = rng.below(dict.len() + 1);
            let c = chars[rng.below(chars.len())];
            if rng.below(2) == 0 && at < dict.len() {
                dict[at] = c;
            } else {
                dict.insert(at, c);
            }
        }
        let dict: String = dict.into_iter().collect();
        std::fs::write(&p, handmade(3, &dict, &[0u8; 48])).unwrap();
        every_reader_returns(&p);
    }
}

/// Index arrays (`usize`, as `par_argsort` and `par_knn` return them) are
/// written as numpy's `uint64` and read back as `usize` or `u64`.
#[test]
fn index_arrays_are_written_as_numpys_uint64() {
    use ndpar::prelude::*;
    let dir = Scratch::new("npy-index");
    let points = Array2::from_shape_fn((40, 3), |(i, j)| ((i * 7 + j * 3) % 11) as f64);
    let knn = par_knn(&points, &points, 4);
    let path = dir.path("knn.npy");
    save_npy(&path, &knn.indices).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert!(String::from_utf8_lossy(&bytes[..128]).contains("'descr': '<u8'"));
    assert_eq!(load_npy::<usize, Ix2, _>(&path).unwrap(), knn.indices);
    let as_u64 = load_npy::<u64, Ix2, _>(&path).unwrap();
    assert_eq!(as_u64, knn.indices.mapv(|i| i as u64));
    let signed = array![-3isize, 0, 7];
    save_npy(dir.path("signed.npy"), &signed).unwrap();
    assert_eq!(
        load_npy::<i64, Ix1, _>(dir.path("signed.npy")).unwrap(),
        array![-3i64, 0, 7]
    );
}
