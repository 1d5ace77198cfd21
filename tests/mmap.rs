//! Memory-mapped npy files: views equal loaded arrays on every element
//! type and order, kernels run over a file bigger than the last-level
//! cache, writes through a read-write map reach the file, a sparse file
//! larger than this machine's memory is addressed without reading it, and
//! every bad file is a clear error.
#![cfg(feature = "mmap")]

use crate::common::Scratch;
use ndarray::{Array1, Array2, Axis, Ix1, Ix2, IxDyn, ShapeBuilder, array};
use ndpar::Error;
use ndpar::io::{NpyMap, NpyMapMut, load_npy, save_npy};
use ndpar::prelude::*;
use std::path::PathBuf;

/// Opens a map of a file this test alone uses.
fn open(path: &PathBuf) -> ndpar::Result<NpyMap> {
    // SAFETY: the test's scratch folder is its own; nothing else writes it.
    unsafe { NpyMap::open(path) }
}

fn format_message(r: ndpar::Result<impl std::fmt::Debug>) -> String {
    match r {
        Err(Error::Format { message, .. }) => message,
        other => panic!("expected a format error, got {other:?}"),
    }
}

#[test]
fn views_equal_loaded_arrays() {
    let dir = Scratch::new("mmap-views");
    let c = Array2::from_shape_fn((7, 5), |(i, j)| (i * 5 + j) as f64 - 3.5);
    let f = Array2::from_shape_vec((7, 5).f(), (0..35i32).map(|i| i - 9).collect()).unwrap();
    save_npy(dir.path("c.npy"), &c).unwrap();
    save_npy(dir.path("f.npy"), &f).unwrap();
    save_npy(dir.path("u8.npy"), &array![1u8, 2, 255]).unwrap();
    save_npy(dir.path("empty.npy"), &Array2::<f32>::zeros((0, 4))).unwrap();
    let mc = open(&dir.path("c.npy")).unwrap();
    assert_eq!(mc.shape(), &[7, 5]);
    assert_eq!(mc.view::<f64, Ix2>().unwrap(), c);
    assert_eq!(mc.view::<f64, IxDyn>().unwrap(), c.clone().into_dyn());
    let mf = open(&dir.path("f.npy")).unwrap();
    let vf = mf.view::<i32, Ix2>().unwrap();
    assert_eq!(vf, f);
    assert!(
        !vf.is_standard_layout(),
        "an F-order file gives an F-order view"
    );
    assert_eq!(
        vf.par_sum_axis(Axis(0)),
        f.sum_axis(Axis(0)).mapv(i64::from)
    );
    assert_eq!(
        open(&dir.path("u8.npy"))
            .unwrap()
            .view::<u8, Ix1>()
            .unwrap(),
        array![1u8, 2, 255]
    );
    let me = open(&dir.path("empty.npy")).unwrap();
    assert_eq!(me.view::<f32, Ix2>().unwrap().shape(), &[0, 4]);
}

/// 64 MiB of f64, more than the last-level cache of common machines: the
/// kernels read it through the map and agree with the loaded array.
#[test]
fn kernels_run_over_a_mapped_file() {
    let dir = Scratch::new("mmap-kernels");
    let (rows, cols) = (1 << 17, 64);
    let a = Array2::from_shape_fn((rows, cols), |(i, j)| {
        ((i * 31 + j * 7) % 1000) as f64 * 0.001
    });
    save_npy(dir.path("big.npy"), &a).unwrap();
    let map = open(&dir.path("big.npy")).unwrap();
    let v = map.view::<f64, Ix2>().unwrap();
    assert_eq!(v.par_sum().to_bits(), a.par_sum().to_bits());
    assert_eq!(v.par_sum_axis(Axis(0)), a.par_sum_axis(Axis(0)));
    assert_eq!(v.par_median(), a.par_median());
    let h = ndpar::par_histogram(&v, 50, Some((0.0, 1.0))).unwrap();
    assert_eq!(h.counts.iter().sum::<u64>(), (rows * cols) as u64);
    assert_eq!(
        h.counts,
        ndpar::par_histogram(&a, 50, Some((0.0, 1.0)))
            .unwrap()
            .counts
    );
}

#[test]
fn writes_through_a_read_write_map_reach_the_file() {
    let dir = Scratch::new("mmap-write");
    let path = dir.path("out.npy");
    for fortran in [false, true] {
        // SAFETY: the test's own file.
        let mut m = unsafe { NpyMapMut::create::<f32, _>(&path, &[300, 7], fortran) }.unwrap();
        {
            let mut v = m.view_mut::<f32, Ix2>().unwrap();
            assert!(v.iter().all(|&x| x == 0.0), "a new map is zero-filled");
            v.par_map_inplace(|x| *x = 1.5);
            v[[299, 6]] = -2.0;
        }
        assert_eq!(m.view::<f32, Ix2>().unwrap()[[0, 0]], 1.5);
        m.flush().unwrap();
        drop(m);
        let back: Array2<f32> = load_npy(&path).unwrap();
        assert_eq!(back.sum(), 1.5 * 2099.0 - 2.0);
        assert_eq!(back[[299, 6]], -2.0);
        assert_eq!(back.is_standard_layout(), !fortran);
        // Reopened read-write: in-place kernels on an existing file.
        // SAFETY: as above.
        let mut m = unsafe { NpyMapMut::open(&path) }.unwrap();
        m.view_mut::<f32, Ix2>().unwrap().par_sort_inplace(Axis(0));
        drop(m);
        let sorted: Array2<f32> = load_npy(&path).unwrap();
        assert_eq!(sorted[[0, 6]], -2.0);
    }
}

/// A 32 GiB sparse file (more than the memory of the machines ndpar's tests
/// run on) is created, written at both ends and read back through a map,
/// touching only the pages used. Skipped where the file system has no
/// sparse files.
#[test]
fn a_file_larger_than_memory_is_addressed_in_place() {
    let dir = Scratch::new("mmap-huge");
    let path = dir.path("huge.npy");
    let n = 1usize << 32; // 32 GiB of f64
    // SAFETY: the test's own file.
    let mut m = match unsafe { NpyMapMut::create::<f64, _>(&path, &[n], false) } {
        Ok(m) => m,
        Err(e) => {
            eprintln!("mmap: no 32 GiB sparse file here ({e}); skipped");
            return;
        }
    };
    {
        let mut v = m.view_mut::<f64, Ix1>().unwrap();
        v[0] = 1.0;
        v[n - 1] = 2.0;
        // A kernel over the last 4096 elements.
        let mut tail = v.slice_mut(ndarray::s![n - 4096..]);
        tail.par_map_inplace(|x| *x += 0.5);
    }
    m.flush().unwrap();
    drop(m);
    let map = open(&path).unwrap();
    let v = map.view::<f64, Ix1>().unwrap();
    assert_eq!(v.len(), n);
    assert_eq!((v[0], v[n - 1], v[n - 2]), (1.0, 2.5, 0.5));
    assert_eq!(
        v.slice(ndarray::s![n - 4096..]).par_sum(),
        0.5 * 4095.0 + 2.5
    );
}

/// An npy 1.0 file with this header dict, padded so that the data starts
/// `misalign` bytes past a multiple of 8, followed by `n` f64 values.
fn npy_file(dict: &str, misalign: usize, n: usize) -> Vec<u8> {
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    let pad = (8 + misalign - (10 + dict.len() + 1) % 8) % 8;
    let head_len = dict.len() + pad + 1;
    assert_eq!((10 + head_len) % 8, misalign);
    out.extend_from_slice(&(head_len as u16).to_le_bytes());
    out.extend_from_slice(dict.as_bytes());
    out.extend(std::iter::repeat_n(b' ', pad));
    out.push(b'\n');
    out.extend((0..n).flat_map(|i| (i as f64).to_le_bytes()));
    out
}

#[test]
fn bad_files_are_clear_errors() {
    let dir = Scratch::new("mmap-bad");
    let a = Array1::from_iter((0..100).map(f64::from));
    let good = dir.path("a.npy");
    save_npy(&good, &a).unwrap();
    let bytes = std::fs::read(&good).unwrap();
    let map = open(&good).unwrap();
    assert!(format_message(map.view::<f32, Ix1>()).contains("numpy type f8"));
    assert!(format_message(map.view::<f64, Ix2>()).contains("1-dimensional"));
    // Truncated: the header promises more than the file holds.
    std::fs::write(dir.path("cut.npy"), &bytes[..bytes.len() - 8]).unwrap();
    assert!(format_message(open(&dir.path("cut.npy"))).contains("truncated"));
    std::fs::write(dir.path("head.npy"), &bytes[..20]).unwrap();
    assert!(format_message(open(&dir.path("head.npy"))).contains("truncated"));
    // Not npy at all, and an empty file.
    std::fs::write(dir.path("text.npy"), b"hello, world").unwrap();
    assert!(format_message(open(&dir.path("text.npy"))).contains("not an npy file"));
    std::fs::write(dir.path("zero.npy"), b"").unwrap();
    assert!(matches!(
        open(&dir.path("zero.npy")),
        Err(Error::Format { .. })
    ));
    assert!(matches!(
        open(&dir.path("missing.npy")),
        Err(Error::Io { .. })
    ));
    // Big-endian data cannot be seen in place (load_npy converts it).
    let at = bytes.windows(4).position(|w| w == b"'<f8").unwrap();
    let mut big = bytes.clone();
    big[at + 1] = b'>';
    std::fs::write(dir.path("be.npy"), &big).unwrap();
    let be = open(&dir.path("be.npy")).unwrap();
    assert!(format_message(be.view::<f64, Ix1>()).contains("byte order"));
    assert_eq!(
        load_npy::<f64, Ix1, _>(dir.path("be.npy")).unwrap().len(),
        100
    );
    // Data not aligned for f64: a header of 8 * k + 4 bytes.
    let odd = npy_file(
        "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }",
        4,
        3,
    );
    std::fs::write(dir.path("odd.npy"), &odd).unwrap();
    assert_eq!(
        load_npy::<f64, Ix1, _>(dir.path("odd.npy")).unwrap(),
        array![0.0, 1.0, 2.0]
    );
    assert!(
        format_message(open(&dir.path("odd.npy")).unwrap().view::<f64, Ix1>())
            .contains("not aligned")
    );
    // bool arrays are read with load_npy only.
    save_npy(dir.path("b.npy"), &array![true, false]).unwrap();
    assert!(format_message(open(&dir.path("b.npy")).unwrap().view::<bool, Ix1>()).contains("bool"));
    // A shape whose bytes overflow is refused before anything is created.
    // SAFETY: the test's own file.
    let huge =
        unsafe { NpyMapMut::create::<f64, _>(dir.path("no.npy"), &[usize::MAX / 4, 3], false) };
    assert!(matches!(huge, Err(Error::Format { .. })));
    // A header claiming an enormous shape over a small file: truncated.
    let claim = npy_file(
        "{'descr': '<f8', 'fortran_order': False, 'shape': (1099511627776,), }",
        0,
        100,
    );
    std::fs::write(dir.path("claim.npy"), &claim).unwrap();
    assert!(format_message(open(&dir.path("claim.npy"))).contains("truncated"));
    let overflow = npy_file(
        "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }",
        0,
        1,
    );
    std::fs::write(dir.path("overflow.npy"), &overflow).unwrap();
    assert!(matches!(
        open(&dir.path("overflow.npy")),
        Err(Error::Format { .. })
    ));
}
