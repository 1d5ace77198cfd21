//! Shared test support: arrays in every layout, thread counts, oracles.
#![allow(dead_code)]

use ndarray::{ArrayD, ArrayViewD, ArrayViewMutD, Axis, IxDyn, ShapeBuilder, Slice};
use ndpar::Params;
use proptest::prelude::*;

/// Thread counts every property is checked on.
pub const THREADS: [isize; 6] = [1, 2, 3, 4, 7, 16];

/// How a test array is laid out in memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Row-major.
    C,
    /// Column-major.
    F,
    /// Every second element of a larger array, on every axis.
    Stepped,
    /// Every axis reversed (negative strides).
    Reversed,
    /// Transpose of a row-major array of the reversed shape.
    Transposed,
    /// A length-1 axis broadcast (zero stride); read-only.
    Broadcast,
    /// Transposed, then every second element backwards along axis 0.
    Mixed,
}

pub const KINDS: [Kind; 7] = [
    Kind::C,
    Kind::F,
    Kind::Stepped,
    Kind::Reversed,
    Kind::Transposed,
    Kind::Broadcast,
    Kind::Mixed,
];

/// An array of logical `shape` in layout `kind`, backed by `base`.
#[derive(Clone, Debug)]
pub struct Case<T> {
    pub base: ArrayD<T>,
    pub kind: Kind,
    pub shape: Vec<usize>,
}

/// The shape of the backing array for a logical shape in a layout.
pub fn base_shape(kind: Kind, shape: &[usize]) -> Vec<usize> {
    match kind {
        Kind::C | Kind::F | Kind::Reversed => shape.to_vec(),
        Kind::Stepped => shape.iter().map(|&n| 2 * n).collect(),
        Kind::Transposed => shape.iter().rev().copied().collect(),
        Kind::Broadcast => {
            let mut s = shape.to_vec();
            if let Some(ax) = s.iter().position(|&n| n > 1) {
                s[ax] = 1;
            }
            s
        }
        Kind::Mixed => {
            let mut s: Vec<usize> = shape.iter().rev().copied().collect();
            let last = s.len() - 1;
            s[last] *= 2;
            s
        }
    }
}

impl<T: Clone> Case<T> {
    pub fn new(kind: Kind, shape: Vec<usize>, data: Vec<T>) -> Self {
        let bs = base_shape(kind, &shape);
        let base = if kind == Kind::F {
            ArrayD::from_shape_vec(IxDyn(&bs).f(), data).unwrap()
        } else {
            ArrayD::from_shape_vec(IxDyn(&bs), data).unwrap()
        };
        Case { base, kind, shape }
    }

    pub fn view(&self) -> ArrayViewD<'_, T> {
        let v = match self.kind {
            Kind::Broadcast => self.base.broadcast(IxDyn(&self.shape)).unwrap(),
            _ => shape_view(self.kind, self.base.view()),
        };
        assert_eq!(v.shape(), &self.shape[..]);
        v
    }

    /// A mutable view; broadcast cases are not writable, so they are
    /// viewed as C order.
    pub fn view_mut(&mut self) -> ArrayViewMutD<'_, T> {
        assert_ne!(self.kind, Kind::Broadcast, "broadcast views are read-only");
        let v = shape_view(self.kind, self.base.view_mut());
        assert_eq!(v.shape(), &self.shape[..]);
        v
    }

    /// The elements in logical row-major order.
    pub fn logical(&self) -> Vec<T> {
        self.view().iter().cloned().collect()
    }
}

fn shape_view<S: ndarray::RawData>(
    kind: Kind,
    mut v: ndarray::ArrayBase<S, IxDyn>,
) -> ndarray::ArrayBase<S, IxDyn> {
    match kind {
        Kind::C | Kind::F | Kind::Broadcast => v,
        Kind::Stepped => {
            v.slice_each_axis_inplace(|_| Slice::new(0, None, 2));
            v
        }
        Kind::Reversed => {
            for ax in 0..v.ndim() {
                v.invert_axis(Axis(ax));
            }
            v
        }
        Kind::Transposed => v.reversed_axes(),
        Kind::Mixed => {
            let mut v = v.reversed_axes();
            v.slice_axis_inplace(Axis(0), Slice::new(0, None, -2));
            v
        }
    }
}

/// Axis lengths: small, with 0, 1 and primes.
pub fn dim() -> impl Strategy<Value = usize> {
    prop_oneof![
        1 => Just(0usize),
        3 => Just(1usize),
        8 => 2usize..=9,
        2 => Just(13usize),
        1 => Just(31usize),
    ]
}

/// Shapes of 1 to 4 axes with at most 4000 elements.
pub fn shape() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(dim(), 1..=4)
        .prop_filter("small", |s| s.iter().product::<usize>() <= 4000)
}

pub fn kind() -> impl Strategy<Value = Kind> {
    prop::sample::select(KINDS.to_vec())
}

/// Layouts that can be written through (no broadcast).
pub fn writable_kind() -> impl Strategy<Value = Kind> {
    prop::sample::select(
        KINDS
            .iter()
            .copied()
            .filter(|&k| k != Kind::Broadcast)
            .collect::<Vec<_>>(),
    )
}

pub fn case_with<T: Clone + std::fmt::Debug>(
    shape: Vec<usize>,
    kind: impl Strategy<Value = Kind>,
    elem: impl Strategy<Value = T> + Clone,
) -> impl Strategy<Value = Case<T>> {
    kind.prop_flat_map(move |k| {
        let n = base_shape(k, &shape).iter().product::<usize>();
        let shape = shape.clone();
        prop::collection::vec(elem.clone(), n)
            .prop_map(move |data| Case::new(k, shape.clone(), data))
    })
}

pub fn case<T: Clone + std::fmt::Debug>(
    elem: impl Strategy<Value = T> + Clone,
) -> impl Strategy<Value = Case<T>> {
    shape().prop_flat_map(move |s| case_with(s, kind(), elem.clone()))
}

/// Finite f64 values with many ties: small integers, signed zeros, and
/// values of wide magnitude.
pub fn f64_finite() -> impl Strategy<Value = f64> + Clone {
    prop_oneof![
        6 => (-5i32..=5).prop_map(f64::from),
        1 => Just(-0.0f64),
        4 => -1e3f64..1e3,
        1 => (-1e6f64..1e6).prop_map(|x| x * 1e-4),
    ]
}

/// Like [`f64_finite`], with NaNs.
pub fn f64_with_nan() -> impl Strategy<Value = f64> + Clone {
    prop_oneof![6 => f64_finite(), 1 => Just(f64::NAN)]
}

pub fn f32_finite() -> impl Strategy<Value = f32> + Clone {
    prop_oneof![
        6 => (-5i32..=5).prop_map(|x| x as f32),
        1 => Just(-0.0f32),
        4 => -1e3f32..1e3,
    ]
}

pub fn f32_with_nan() -> impl Strategy<Value = f32> + Clone {
    prop_oneof![6 => f32_finite(), 1 => Just(f32::NAN)]
}

/// i64 values with ties, and occasionally huge ones (to wrap).
pub fn i64_any() -> impl Strategy<Value = i64> + Clone {
    prop_oneof![8 => -20i64..20, 1 => any::<i64>()]
}

/// Block sizes that force many blocks on small arrays, and the default.
pub fn params() -> impl Strategy<Value = Params> {
    prop_oneof![Just(8usize), Just(24), Just(40), Just(200), Just(64 * 1024)]
        .prop_map(|b| Params::always_parallel().with_block_bytes(b))
}

/// Runs `f` under `params` on each of `threads`; asserts that all results
/// print identically (`Debug` of floats round-trips, so this compares bits,
/// up to NaN payloads) and returns the first.
pub fn same_on_threads<R: Send + std::fmt::Debug>(
    threads: &[isize],
    params: Params,
    f: impl Fn() -> R + Sync,
) -> R {
    let results: Vec<R> = threads.iter().map(|&t| on(t, params, &f)).collect();
    let first = format!("{:?}", results[0]);
    for (t, r) in threads.iter().zip(&results) {
        assert_eq!(format!("{r:?}"), first, "result differs on {t} threads");
    }
    results.into_iter().next().unwrap()
}

/// Runs `f` under `params` on `threads` threads.
pub fn on<R: Send>(threads: isize, params: Params, f: impl FnOnce() -> R + Send) -> R {
    params.install(|| ndpar::with_threads(threads, f).unwrap())
}

/// Compensated (Neumaier) sum: the reference for float sums.
pub fn neumaier(xs: impl IntoIterator<Item = f64>) -> f64 {
    let (mut s, mut c) = (0.0f64, 0.0f64);
    for x in xs {
        let t = s + x;
        if s.abs() >= x.abs() {
            c += (s - t) + x;
        } else {
            c += (x - t) + s;
        }
        s = t;
    }
    s + c
}

/// Bound on the error of ndpar's pairwise sum of `n` values whose absolute
/// values sum to `abs_sum`, with unit roundoff `eps`: each value passes
/// through at most 16 adds in its accumulator lane, 4 levels of lane
/// combining, 15 leftover adds at the end of a run, and one per level of
/// the pairwise trees inside and across blocks (each at most log2 n deep):
/// the classic `γ_k · Σ|x|` bound with `k = 36 + 2 log2 n`.
pub fn sum_tolerance(n: usize, abs_sum: f64, eps: f64) -> f64 {
    let k = 36.0 + 2.0 * ((n + 1) as f64).log2().ceil();
    k * eps * abs_sum + f64::MIN_POSITIVE
}

/// A fresh folder for one test (`ndpar-<name>-<pid>` in the temporary
/// folder), removed when dropped.
pub struct Scratch(pub std::path::PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        let p = std::env::temp_dir().join(format!("ndpar-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        Scratch(p)
    }

    pub fn path(&self, file: &str) -> std::path::PathBuf {
        self.0.join(file)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Whether python3 with numpy can run the differential tests. Where it
/// cannot, a local run skips them (saying so, naming `test`); with
/// `NDPAR_REQUIRE_NUMPY` set (as CI sets it), a missing numpy fails the
/// test instead, so a broken install cannot pass silently.
pub fn numpy_available(test: &str) -> bool {
    let ok = std::process::Command::new("python3")
        .args(["-c", "import numpy"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("NDPAR_REQUIRE_NUMPY").is_none(),
            "{test}: python3 with numpy is required (NDPAR_REQUIRE_NUMPY is set) but was not found"
        );
        eprintln!("{test}: python3 with numpy not found; skipping the comparison with numpy");
    }
    ok
}

/// `f()`, or `None` if it panicked: for integer results that must either
/// be exact or panic (never wrap).
pub fn unless_it_panics<R>(f: impl FnOnce() -> R) -> Option<R> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok()
}

/// The exact value as i64, `None` where it does not fit: what an integer
/// sum, product or scan must return (or, for `None`, panic).
pub fn as_i64(exact: i128) -> Option<i64> {
    i64::try_from(exact).ok()
}
