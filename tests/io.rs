//! npy/npz round trips on every layout and element type, the documented
//! errors (missing, truncated, corrupt, wrong type, wrong dimension), and,
//! where python3 with numpy is available, interoperability with numpy in
//! both directions.
#![cfg(feature = "io")]

use ndarray::{Array, Array1, Array2, ArrayD, Ix1, Ix2, Ix3, IxDyn, ShapeBuilder, array, s};
use ndpar::Error;
use ndpar::io::{load_npy, load_npz, npz_names, save_npy, save_npz};
use std::path::PathBuf;
use std::process::Command;

/// A fresh folder for one test, removed at the end.
struct Scratch(PathBuf);
impl Scratch {
    fn new(name: &str) -> Scratch {
        let p = std::env::temp_dir().join(format!("ndpar-io-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        Scratch(p)
    }
    fn path(&self, f: &str) -> PathBuf {
        self.0.join(f)
    }
}
impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn round_trips_every_layout_and_type() {
    let dir = Scratch::new("roundtrip");
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
    let dir = Scratch::new("errors");
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

fn numpy_available() -> bool {
    Command::new("python3")
        .args(["-c", "import numpy"])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn numpy_reads_what_ndpar_writes_and_vice_versa() {
    if !numpy_available() {
        println!(
            "skipped: python3 with numpy is not available (pip install numpy to run this test)"
        );
        return;
    }
    let dir = Scratch::new("numpy");
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
