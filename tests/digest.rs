//! The same bits on any machine, checked: SHA-256 digests of the output
//! bits of a fixed set of calls on fixed data, one per kernel family and
//! reproducibility level, compared with the digests committed in
//! `tests/digests.txt`. A difference names the call that changed.
//!
//! Every call here promises bits that depend on the shape, the layout and
//! [`Params`] only (see [`Reproducibility`]), so the digests hold on any
//! CPU and thread count. Left out, because their bits may depend on the
//! CPU: the matrix products (`par_matmul`, `par_cov`, `par_corrcoef`,
//! `par_pairwise_distances`, `par_knn` call matrixmultiply, which picks
//! FMA kernels at run time) and maps of closures that call libm (`exp`,
//! `sin`, …: the system library may pick its own code per CPU). They are
//! the "CPU (machine)" column of the [`Reproducibility`] table. The
//! vectorised math of `ndpar::vmath` is in: its bits are fixed.
//!
//! Every digest is also checked with each vector level the CPU has forced
//! (`ndpar::simd`): the level changes speed, never bits.
//!
//! After a deliberate change of results, rewrite the file with
//! `NDPAR_WRITE_DIGESTS=1 cargo test --test suite digest` and say why in
//! the commit.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use ndarray::{Array1, Array2, Array3, Axis, ShapeBuilder, array, s};
use ndpar::prelude::*;
use ndpar::simd::{self, Level};
use ndpar::vmath::{self, F64x64};
use sha2::{Digest, Sha256};

/// Elements whose bits go into a digest (NaNs as one pattern: their
/// payloads are not promised).
trait Bits {
    fn feed(&self, h: &mut Sha256);
}

macro_rules! int_bits {
    ($($t:ty),*) => {$(
        impl Bits for $t {
            fn feed(&self, h: &mut Sha256) {
                h.update(self.to_le_bytes());
            }
        }
    )*};
}
int_bits!(i32, i64, u64);

impl Bits for usize {
    fn feed(&self, h: &mut Sha256) {
        h.update((*self as u64).to_le_bytes());
    }
}

impl Bits for f64 {
    fn feed(&self, h: &mut Sha256) {
        let x = if self.is_nan() { f64::NAN } else { *self };
        h.update(x.to_bits().to_le_bytes());
    }
}

impl Bits for f32 {
    fn feed(&self, h: &mut Sha256) {
        let x = if self.is_nan() { f32::NAN } else { *self };
        h.update(x.to_bits().to_le_bytes());
    }
}

impl<T: Bits> Bits for Option<T> {
    fn feed(&self, h: &mut Sha256) {
        match self {
            None => h.update([0]),
            Some(x) => {
                h.update([1]);
                x.feed(h);
            }
        }
    }
}

impl<T: Bits, D: ndarray::Dimension> Bits for ndarray::Array<T, D> {
    fn feed(&self, h: &mut Sha256) {
        for &n in self.shape() {
            h.update((n as u64).to_le_bytes());
        }
        // Logical (row-major) order, whatever the memory order.
        self.iter().for_each(|x| x.feed(h));
    }
}

/// The digests of every call, by name.
struct Digests(BTreeMap<&'static str, String>);

impl Digests {
    fn add(&mut self, name: &'static str, value: impl Bits) {
        let mut h = Sha256::new();
        value.feed(&mut h);
        let hex = h.finalize().iter().fold(String::new(), |mut s, b| {
            write!(s, "{b:02x}").unwrap();
            s
        });
        assert!(self.0.insert(name, hex).is_none(), "{name} twice");
    }
}

/// splitmix64: fixed data without depending on ndpar's own generators.
fn stream(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed;
    move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Values over many magnitudes, with repeats, zeros of both signs, and
/// (in `with_nan`) NaNs and infinities.
fn data(rows: usize, cols: usize, seed: u64, with_nan: bool) -> Array2<f64> {
    let mut next = stream(seed);
    Array2::from_shape_simple_fn((rows, cols), || {
        let r = next();
        match r % 64 {
            0 => -0.0,
            1 => 0.0,
            2 if with_nan => f64::NAN,
            3 if with_nan => f64::INFINITY,
            4..=9 => (r >> 40) as f64, // repeated integers
            _ => {
                let mantissa = (r >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
                mantissa * 2f64.powi((r % 41) as i32 - 20)
            }
        }
    })
}

fn compute() -> Digests {
    let mut d = Digests(BTreeMap::new());
    let x = data(601, 347, 1, false);
    let mut xf = Array2::zeros(x.raw_dim().f());
    xf.assign(&x);
    let stepped = x.slice(s![..;3, ..;-2]);
    let nan = data(257, 129, 2, true);
    let ints = x.mapv(|v| (v * 1e3) as i32);
    let cube = Array3::from_shape_vec(
        (37, 41, 43),
        data(37 * 41, 43, 3, false).into_raw_vec_and_offset().0,
    )
    .unwrap();

    // Whole-array reductions at the default level, per layout.
    d.add("par_sum C", x.par_sum());
    d.add("par_sum F", xf.par_sum());
    d.add("par_sum stepped", stepped.par_sum());
    d.add(
        "par_product",
        stepped.mapv(|v| 1.0 + v * 1e-3).par_product(),
    );
    d.add("par_mean", x.par_mean());
    d.add("par_var ddof 1", x.par_var(1.0));
    d.add("par_std F", xf.par_std(0.0));
    d.add(
        "par_nansum",
        nan.mapv(|v| if v.is_infinite() { 1.0 } else { v })
            .par_nansum(),
    );
    d.add("par_nanmean", nan.par_nanmean());
    d.add("par_min with NaN", nan.par_min());
    d.add("par_nanmax", nan.par_nanmax());
    d.add(
        "par_argmin",
        Some(x.par_argmin().map(|(i, j)| i * 347 + j).unwrap()),
    );
    d.add("par_norm_l2", x.par_norm_l2());
    d.add("par_vdot", x.par_vdot(&xf));
    // The Layout level: one answer for every layout.
    let layout = Params::default().with_reproducibility(Reproducibility::Layout);
    d.add("par_sum Layout", layout.install(|| x.par_sum()));
    d.add("par_sum Layout F", layout.install(|| xf.par_sum()));
    d.add(
        "par_var Layout stepped",
        layout.install(|| stepped.par_var(0.0)),
    );
    // Exact: one answer for any order.
    d.add("par_sum_exact", x.par_sum_exact());
    d.add("par_dot_exact", x.par_dot_exact(&xf));
    d.add("par_sum_axis_exact", xf.par_sum_axis_exact(Axis(1)));
    // Integers: numpy's result types.
    d.add("par_sum i32", ints.par_sum());
    d.add("par_mean i32", ints.par_mean());
    d.add("par_var i32", ints.par_var(1.0));
    d.add("par_cumsum i32", ints.par_cumsum(Axis(0)));

    // Along axes.
    d.add("par_sum_axis 0", x.par_sum_axis(Axis(0)));
    d.add("par_sum_axis 1 F", xf.par_sum_axis(Axis(1)));
    d.add("par_mean_axis stepped", stepped.par_mean_axis(Axis(0)));
    d.add("par_var_axis", x.par_var_axis(Axis(1), 1.0));
    d.add("par_nansum_axis", nan.par_nansum_axis(Axis(0)));
    d.add("par_argmax_axis", x.par_argmax_axis(Axis(1)));
    d.add(
        "par_sum_axes (0, 2)",
        cube.par_sum_axes(&[Axis(0), Axis(2)], false),
    );
    let cube_f = cube.t().to_owned();
    d.add(
        "par_sum_axes (0, 2) F",
        cube_f.par_sum_axes(&[Axis(0), Axis(2)], true),
    );
    d.add(
        "par_var_axes (1, 2)",
        cube.par_var_axes(&[Axis(1), Axis(2)], 1.0, false),
    );

    // Scans.
    d.add("par_cumsum 0", x.par_cumsum(Axis(0)));
    d.add("par_cumsum 1 F", xf.par_cumsum(Axis(1)));
    d.add(
        "par_cumprod",
        stepped.mapv(|v| 1.0 + v * 1e-3).par_cumprod(Axis(1)),
    );

    // Histograms and counting.
    let h = par_histogram(&x, 97, None).unwrap();
    d.add("par_histogram counts", h.counts.clone());
    d.add("par_histogram edges", h.edges.clone());
    let col = |j: usize| x.column(j).to_owned();
    let h2 = par_histogram_2d(&col(0), &col(1), (13, 17), None).unwrap();
    d.add("par_histogram_2d", h2.counts.clone());
    let small = ints.mapv(|v| (v.unsigned_abs() % 1000) as u64);
    d.add("par_bincount", par_bincount(&small, 0).unwrap());
    let u = par_unique(&nan);
    d.add("par_unique values", u.values.clone());
    d.add("par_unique counts", u.counts.clone());

    // Sorts, partitions and quantiles.
    let long: Array1<f64> = nan.iter().copied().collect();
    d.add("par_sort", long.par_sort(Axis(0)));
    d.add("par_sort axis 0 F", xf.par_sort(Axis(0)));
    d.add("par_argsort", long.par_argsort(Axis(0)));
    d.add("par_sort_unstable", x.par_sort_unstable(Axis(1)));
    d.add("par_partition", long.par_partition(&[7, 1000, -3], Axis(0)));
    d.add(
        "par_quantiles",
        long.par_quantiles(&[0.0, 0.1, 0.5, 0.99, 1.0], QuantileMethod::Linear),
    );
    d.add(
        "par_nanquantile",
        long.par_nanquantile(0.3, QuantileMethod::Midpoint),
    );
    d.add("par_median_axis", x.par_median_axis(Axis(1)));

    // Random arrays (uniform: no libm in the generator).
    #[cfg(feature = "random")]
    {
        let uniform = rand::distr::Uniform::new(-1.0f64, 1.0).unwrap();
        d.add(
            "par_random uniform",
            par_random::<f64, _, _>((301, 203), &uniform, 7),
        );
        let ints = rand::distr::Uniform::new(0u64, 1 << 40).unwrap();
        d.add("par_random u64", par_random::<u64, _, _>(10_007, &ints, 8));
    }

    // Stencils and block kernels.
    let w = array![
        [0.0625, 0.125, 0.0625],
        [0.125, 0.25, 0.125],
        [0.0625, 0.125, 0.0625]
    ];
    d.add(
        "par_correlate_2d Reflect",
        par_correlate_2d(&x, &w, Boundary::Reflect),
    );
    d.add(
        "par_correlate_2d Constant F",
        par_correlate_2d(&xf, &w, Boundary::Constant(1.5)),
    );
    let k = array![0.25, -0.5, 1.0, 0.125, 0.0625];
    d.add(
        "par_convolve_1d Periodic",
        par_convolve_1d(
            &long.mapv(|v| if v.is_finite() { v } else { 0.0 }),
            &k,
            Boundary::Periodic,
        ),
    );
    let average = x.par_map_overlap(Axis(0), 37, 1, Boundary::Nearest, |b| {
        Array2::from_shape_fn((b.nrows() - 2, b.ncols()), |(i, j)| {
            (b[[i, j]] + b[[i + 1, j]] + b[[i + 2, j]]) / 3.0
        })
    });
    d.add("par_map_overlap", average);
    // Inside sin's and cos's own reduction range (|x| < 2^20·π/2), where
    // vmath promises the same bits on every CPU.
    let vm = x.par_map_slices(|x, out| {
        vmath::map(x, out, |v| {
            let v = v * 1e-3;
            vmath::exp(v) * vmath::sin(v) + vmath::cos(v) * vmath::tanh(v) - vmath::ln(v.abs())
                + vmath::powf(v.abs(), F64x64::splat(0.3))
                + vmath::sqrt(v.abs())
        })
    });
    d.add("vmath", vm);
    d
}

fn digest_file() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/digests.txt")
}

#[test]
fn output_bits_match_the_committed_digests_on_any_thread_count_and_vector_level() {
    let one = ndpar::with_threads(1, compute).unwrap().0;
    let three = ndpar::with_threads(3, compute).unwrap().0;
    for (name, digest) in &one {
        assert_eq!(
            &three[name], digest,
            "{name}: the bits differ between 1 and 3 threads"
        );
    }
    // Every vector level the CPU has: the hot loops' results do not
    // depend on it.
    for level in Level::ALL.into_iter().filter(|l| l.is_supported()) {
        simd::force(Some(level)).unwrap();
        let at_level = ndpar::with_threads(2, compute).unwrap().0;
        simd::force(None).unwrap();
        for (name, digest) in &one {
            assert_eq!(
                &at_level[name],
                digest,
                "{name}: the bits differ at the {} vector level",
                level.name()
            );
        }
    }
    let text: String = one
        .iter()
        .map(|(name, digest)| format!("{digest}  {name}\n"))
        .collect();
    if std::env::var_os("NDPAR_WRITE_DIGESTS").is_some() {
        std::fs::write(digest_file(), &text).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(digest_file()).expect("tests/digests.txt");
    let committed: BTreeMap<&str, &str> = committed
        .lines()
        .map(|line| {
            let (digest, name) = line.split_once("  ").expect("`digest  name` lines");
            (name, digest)
        })
        .collect();
    let mut changed = Vec::new();
    for (name, digest) in &one {
        match committed.get(name) {
            Some(&d) if d == digest => {}
            Some(_) => changed.push(format!("{name}: its output bits changed")),
            None => changed.push(format!("{name}: no committed digest")),
        }
    }
    for name in committed.keys().filter(|n| !one.contains_key(*n)) {
        changed.push(format!("{name}: committed but no longer computed"));
    }
    assert!(
        changed.is_empty(),
        "output digests differ from tests/digests.txt:\n{}",
        changed.join("\n")
    );
}
