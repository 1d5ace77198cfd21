//! Distributed arrays against one machine, under `mpirun` with 1 to 4
//! ranks (feature `mpi`).
//!
//! Run by `cargo test --features mpi`, this program is the launcher: it
//! runs itself under `mpirun -n 1..=4` (oversubscribed, so 4 ranks run on
//! 2 cores) and checks how each job ends, with a time limit, so that a
//! deadlock fails the test instead of hanging it. Under `mpirun`, each
//! rank runs the checks of the scenario named by `NDPAR_MPI_SCENARIO`.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ndarray::{Array1, Array2, ArrayD, Axis, Dimension, IxDyn, array, s};
use ndpar::dist::{DistArray, Split, World, par_monte_carlo};
use ndpar::prelude::*;
use ndpar::random::{StandardNormal, Uniform, par_random};
use ndpar::{Boundary, Params, Reproducibility};

const SCENARIO: &str = "NDPAR_MPI_SCENARIO";
const LIMIT: Duration = Duration::from_secs(300);

fn main() {
    match std::env::var(SCENARIO) {
        Ok(scenario) => rank(&scenario),
        Err(_) => launch(),
    }
}

/// Open MPI's flag that lets more ranks than cores run (MPICH's mpirun
/// allows that without one).
fn oversubscribe() -> &'static [&'static str] {
    let version = Command::new("mpirun").arg("--version").output();
    match version {
        Ok(v) if String::from_utf8_lossy(&v.stdout).contains("Open MPI") => &["--oversubscribe"],
        _ => &[],
    }
}

/// Runs this program under mpirun; the exit status and output.
fn mpirun(ranks: usize, scenario: &str) -> (bool, String) {
    let exe = std::env::current_exe().expect("the test's own path");
    let mut child = Command::new("mpirun")
        .args(oversubscribe())
        .args(["-n", &ranks.to_string()])
        .arg(exe)
        .env(SCENARIO, scenario)
        .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        // Ranks waiting for others give up their core: 4 ranks share 2.
        .env("OMPI_MCA_mpi_yield_when_idle", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mpirun starts (install Open MPI: openmpi-bin)");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("the job's status").is_some() {
            break;
        }
        if start.elapsed() > LIMIT {
            child.kill().ok();
            let out = child.wait_with_output().expect("output");
            panic!(
                "{scenario} on {ranks} ranks did not finish in {LIMIT:?} (a deadlock?)\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().expect("output");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn launch() {
    for ranks in 1..=4 {
        let start = Instant::now();
        let (ok, out) = mpirun(ranks, "all");
        assert!(ok, "the checks failed on {ranks} ranks:\n{out}");
        assert_eq!(
            out.matches("checks passed").count(),
            ranks,
            "every rank reports:\n{out}"
        );
        println!("mpi: {ranks} ranks passed in {:.1?}", start.elapsed());
    }
    // A rank that panics while the others wait in a collective call ends
    // the whole job instead of leaving it hanging.
    let (ok, out) = mpirun(3, "panic");
    assert!(!ok, "a panicking rank must fail the job:\n{out}");
    assert!(out.contains("aborting every rank"), "{out}");
    assert!(out.contains("rank 2 gives up"), "{out}");
    println!("mpi: a panicking rank aborts the job");
    // A shape whose elements cannot be counted is a clear panic on every
    // rank (and so the end of the job), before anything is allocated.
    let (ok, out) = mpirun(2, "huge-shape");
    assert!(!ok, "{out}");
    assert!(
        out.contains("more elements than an index can count"),
        "{out}"
    );
    println!("mpi: an uncountable shape ends the job with its message");
}

fn rank(scenario: &str) {
    let world = World::init().expect("MPI starts");
    match scenario {
        "all" => {
            construction(&world);
            whole_reductions(&world);
            axis_reductions(&world);
            other_types(&world);
            random_cases(&world);
            stencils(&world);
            tasks_and_monte_carlo(&world);
            disagreements(&world);
            println!("rank {}: checks passed", world.rank());
        }
        "panic" => {
            let a = DistArray::from_fn(&world, 100, Split::Balanced, |i| i as f64).unwrap();
            if world.rank() == world.size() - 1 {
                panic!("rank {} gives up", world.rank());
            }
            // The others wait here for the rank that panicked.
            let _ = a.par_sum();
            std::thread::sleep(Duration::from_secs(600));
        }
        "huge-shape" => {
            let _ = DistArray::from_fn(&world, (usize::MAX / 2, 4), Split::Balanced, |_| 0u8);
            unreachable!("the shape is refused");
        }
        other => panic!("unknown scenario {other}"),
    }
}

/// Splits to try: balanced, uneven with empty ranks, and all on one rank.
fn splits(world: &World, n: usize) -> Vec<Split> {
    let p = world.size();
    let mut uneven = vec![0; p];
    // Rank 0 gets a third, the last rank the rest, the middle ranks 1 row
    // each where there are rows left (some ranks hold none).
    let mut left = n;
    uneven[0] = n / 3;
    left -= uneven[0];
    let middle = p.saturating_sub(1).max(1);
    for (r, rows) in uneven.iter_mut().enumerate().take(middle).skip(1) {
        let take = usize::from(left > 0 && r % 2 == 1);
        *rows = take;
        left -= take;
    }
    if p > 1 {
        uneven[p - 1] = left;
    } else {
        uneven[0] = n;
    }
    let mut last = vec![0; p];
    last[p - 1] = n;
    vec![Split::Balanced, Split::Rows(uneven), Split::Rows(last)]
}

/// Data with ties, NaN-free, of mixed magnitude (so that sums depend on
/// their order).
fn value(flat: usize) -> f64 {
    let x = ((flat * 7919) % 1009) as f64;
    if flat.is_multiple_of(5) {
        x * 1e6 + 0.1
    } else {
        x * 1e-3 - 0.37
    }
}

fn dyn_from(shape: &[usize]) -> ArrayD<f64> {
    ArrayD::from_shape_fn(IxDyn(shape), |ix| {
        let flat = ix
            .slice()
            .iter()
            .zip(shape)
            .fold(0, |acc, (&i, &n)| acc * n + i);
        value(flat)
    })
}

fn dist_from(world: &World, shape: &[usize], split: Split) -> DistArray<f64, IxDyn> {
    let dims = shape.to_vec();
    DistArray::from_fn(world, IxDyn(shape), split, move |ix: IxDyn| {
        let flat = ix
            .slice()
            .iter()
            .zip(&dims)
            .fold(0, |acc, (&i, &n)| acc * n + i);
        value(flat)
    })
    .unwrap()
}

fn construction(world: &World) {
    let whole = Array2::from_shape_fn((37, 5), |(i, j)| (i * 5 + j) as i64);
    for split in splits(world, 37) {
        let d =
            DistArray::from_fn(world, (37, 5), split.clone(), |(i, j)| (i * 5 + j) as i64).unwrap();
        assert_eq!(d.local(), whole.slice(s![d.rows(), ..]));
        assert_eq!(d.gather_all().unwrap(), whole);
        let g = d.gather(world.size() - 1).unwrap();
        assert_eq!(g.is_some(), world.rank() == world.size() - 1);
        let root_has = (world.rank() == 0).then_some(&whole);
        let sc = DistArray::scatter(world, 0, root_has.map(|a| &**a), split.clone()).unwrap();
        assert_eq!(sc.local(), d.local());
        let again = DistArray::from_local(world, d.local().to_owned()).unwrap();
        assert_eq!(again.gather_all().unwrap(), whole);
        let r = DistArray::<f64, _>::random(world, (37, 3000), split, &StandardNormal, 11).unwrap();
        assert_eq!(
            r.gather_all().unwrap(),
            par_random::<f64, _, _>((37, 3000), &StandardNormal, 11)
        );
    }
    // Maps need no communication and equal the single-machine maps.
    let x = Array2::from_shape_fn((37, 5), |(i, j)| value(i * 5 + j));
    for split in splits(world, 37) {
        let d = DistArray::from_fn(world, (37, 5), split, |(i, j)| value(i * 5 + j)).unwrap();
        let before = world.traffic();
        let m = d.par_map(|v| v.exp());
        let z = d.par_zip_map(&m, |a, b| a * b - 1.0);
        let mut inplace = z.clone();
        inplace.par_mapv_inplace(f64::sqrt);
        assert_eq!(world.traffic(), before, "maps send nothing");
        let (m1, z1) = (
            x.par_map(|v| v.exp()),
            x.par_zip_map(&x.par_map(|v| v.exp()), |a, b| a * b - 1.0),
        );
        same(m.gather_all(), m1, "par_map");
        same(z.gather_all(), z1.clone(), "par_zip_map");
        same(inplace.gather_all(), z1.mapv(f64::sqrt), "par_mapv_inplace");
    }
    // A kernel nested in from_fn's closure plans with the caller's params
    // on whichever worker runs its row.
    let spread = Array1::from_shape_fn(20_000, |i| {
        let sign = if i % 3 == 0 { -1.0 } else { 1.0 };
        sign * (1.0 + (i * 7919 % 1000) as f64 * 1e-3) * 10f64.powi((i % 17) as i32 - 8)
    });
    let nested = |(i, j): (usize, usize)| spread.slice(s![i * 7..]).par_sum() + j as f64;
    let p = ndpar::Params::always_parallel().with_block_bytes(256);
    let want = p.install(|| Array2::from_shape_fn((9, 3), nested));
    let default = Array2::from_shape_fn((9, 3), nested);
    assert_ne!(want.mapv(f64::to_bits), default.mapv(f64::to_bits));
    for split in splits(world, 9) {
        let d = p.install(|| DistArray::from_fn(world, (9, 3), split, nested));
        same(
            d.and_then(|d| d.gather_all()),
            want.clone(),
            "from_fn under params",
        );
    }
    let ranks: Vec<usize> = world.all_gather(&world.rank()).unwrap();
    assert_eq!(ranks, (0..world.size()).collect::<Vec<_>>());
    // A split of rows over streams: rows start in the middle of streams.
    let u = Uniform::new(0.0f32, 1.0).unwrap();
    let r = DistArray::<f32, _>::random(world, 200_003, Split::Balanced, &u, 3).unwrap();
    assert_eq!(
        r.gather_all().unwrap(),
        par_random::<f32, _, _>(200_003, &u, 3)
    );
    // Saving: the gathered array and each rank's part.
    let dir = std::env::temp_dir().join(format!("ndpar-mpi-{}", std::process::id()));
    let d =
        DistArray::from_fn(world, (37, 5), Split::Balanced, |(i, j)| (i * 5 + j) as i64).unwrap();
    let shared = std::env::temp_dir().join(format!("ndpar-mpi-gathered-{}.npy", world.size()));
    d.save_npy(0, &shared).unwrap();
    world.barrier().unwrap();
    let back: Array2<i64> = ndpar::io::load_npy(&shared).unwrap();
    assert_eq!(back, whole);
    std::fs::create_dir_all(&dir).unwrap();
    let part = dir.join(format!("part-{}.npy", world.rank()));
    d.save_local_npy(&part).unwrap();
    let back: Array2<i64> = ndpar::io::load_npy(&part).unwrap();
    assert_eq!(back, d.local());
    std::fs::remove_dir_all(&dir).ok();
    world.barrier().unwrap();
}

/// Values compared by their bits (so that NaN equals NaN and -0.0 is not
/// 0.0).
trait Bits {
    fn bits(&self) -> Vec<u64>;
}

impl Bits for f64 {
    fn bits(&self) -> Vec<u64> {
        vec![self.to_bits()]
    }
}

/// `None` and `Some` of an empty array differ.
impl<T: Bits> Bits for Option<T> {
    fn bits(&self) -> Vec<u64> {
        match self {
            None => vec![0],
            Some(x) => std::iter::once(1).chain(x.bits()).collect(),
        }
    }
}

impl<D: ndarray::Dimension> Bits for ndarray::Array<f64, D> {
    fn bits(&self) -> Vec<u64> {
        self.iter().map(|x| x.to_bits()).collect()
    }
}

/// Panics unless the distributed result (which must be `Ok`) has the
/// single-machine result's bits.
#[track_caller]
fn same<T: Bits>(dist: ndpar::Result<T>, one: T, what: &str) {
    assert_eq!(dist.unwrap().bits(), one.bits(), "{what}");
}

fn whole_reductions(world: &World) {
    let layout = Params::current().with_reproducibility(Reproducibility::Layout);
    let shapes: [&[usize]; 7] = [
        &[1],
        &[8191],
        &[50_001],
        &[300, 517],
        &[7, 40_000],
        &[5, 64, 129],
        &[0, 4],
    ];
    for shape in shapes {
        let whole = dyn_from(shape);
        let mut with_nan = whole.clone();
        if let Some(x) = with_nan.iter_mut().nth(whole.len() / 2) {
            *x = f64::NAN;
        }
        for split in splits(world, shape[0]) {
            let d = dist_from(world, shape, split.clone());
            let other = d.par_mapv(|x| x.sin());
            let o = whole.mapv(|x| x.sin());
            let c = format!("shape {shape:?}, {split:?}, {} ranks", world.size());
            let c = c.as_str();
            layout.install(|| {
                same(d.par_sum(), whole.par_sum(), c);
                same(d.par_product(), whole.par_product(), c);
                same(d.par_mean(), whole.par_mean(), c);
                same(d.par_var(1.0), whole.par_var(1.0), c);
                same(d.par_std(0.0), whole.par_std(0.0), c);
                same(d.par_norm_l1(), whole.par_norm_l1(), c);
                same(d.par_norm_l2(), whole.par_norm_l2(), c);
                same(d.par_norm_max(), whole.par_norm_max(), c);
                same(d.par_vdot(&other), whole.par_vdot(&o), c);
                same(d.par_min(), whole.par_min(), c);
                same(d.par_max(), whole.par_max(), c);
                assert_eq!(d.par_argmin().unwrap(), whole.par_argmin(), "{c}");
                assert_eq!(d.par_argmax().unwrap(), whole.par_argmax(), "{c}");
            });
            // Exact results are the same at any level.
            same(d.par_sum_exact(), whole.par_sum_exact(), c);
            same(d.par_mean_exact(), whole.par_mean_exact(), c);
            same(d.par_dot_exact(&other), whole.par_dot_exact(&o), c);
            let h = d.par_histogram(17, None).unwrap();
            let want = ndpar::par_histogram(&whole, 17, None).unwrap();
            assert_eq!((h.counts, h.edges), (want.counts, want.edges), "{c}");
            // NaN: propagated, skipped, first position.
            let rows = with_nan.slice_axis(Axis(0), ndarray::Slice::from(d.rows()));
            let n = DistArray::from_local(world, rows.to_owned()).unwrap();
            layout.install(|| {
                same(n.par_nanmean(), with_nan.par_nanmean(), c);
                same(n.par_nansum(), with_nan.par_nansum(), c);
                same(n.par_nanmin(), with_nan.par_nanmin(), c);
                same(n.par_nanmax(), with_nan.par_nanmax(), c);
                assert_eq!(n.par_argmax().unwrap(), with_nan.par_argmax(), "{c}");
                assert_eq!(n.par_sum().unwrap().is_nan(), !whole.is_empty());
            });
            if !whole.is_empty() {
                let e = n.par_histogram(4, None);
                assert!(e.is_err(), "a NaN range is an error on every rank");
            }
        }
    }
}

/// Other element types: integer sums (numpy's i64), means and variances (f64), and f32 statistics.
fn other_types(world: &World) {
    let ints = Array2::from_shape_fn((57, 301), |(i, j)| {
        (i as i64 - 20) * 1_000_000_007 + j as i64
    });
    let u = Uniform::new(-1.0f32, 1.0).unwrap();
    let floats = par_random::<f32, _, _>((57, 301), &u, 5);
    let layout = Params::current().with_reproducibility(Reproducibility::Layout);
    for split in splits(world, 57) {
        let d = DistArray::from_fn(world, (57, 301), split.clone(), |(i, j)| ints[[i, j]]).unwrap();
        assert_eq!(d.par_sum().unwrap(), ints.par_sum(), "{split:?}");
        assert_eq!(d.par_max().unwrap(), ints.par_max());
        assert_eq!(d.par_sum_axis(Axis(0)).unwrap(), ints.par_sum_axis(Axis(0)));
        // Means and variances of integers are f64s, as on one machine.
        layout.install(|| {
            let mean: Option<f64> = d.par_mean().unwrap();
            assert_eq!(mean.map(f64::to_bits), ints.par_mean().map(f64::to_bits));
            assert_eq!(
                d.par_var(1.0).unwrap().map(f64::to_bits),
                ints.par_var(1.0).map(f64::to_bits)
            );
        });
        let f = DistArray::<f32, _>::random(world, (57, 301), split, &u, 5).unwrap();
        layout.install(|| {
            assert_eq!(
                f.par_var(1.0).unwrap().map(f32::to_bits),
                floats.par_var(1.0).map(f32::to_bits)
            );
            assert_eq!(
                f.par_norm_l2().unwrap().to_bits(),
                floats.par_norm_l2().to_bits()
            );
        });
        assert_eq!(
            f.par_sum_exact().unwrap().to_bits(),
            floats.par_sum_exact().to_bits()
        );
        let (a, b) = (
            f.par_mean_axis(Axis(1)).unwrap().unwrap(),
            floats.par_mean_axis(Axis(1)).unwrap(),
        );
        assert_eq!(a.mapv(f32::to_bits), b.mapv(f32::to_bits));
    }
}

fn axis_reductions(world: &World) {
    // Small blocks: many row blocks, so that pieces straddle ranks.
    let small = Params::current().with_block_bytes(4096);
    let shapes: [&[usize]; 5] = [&[1000], &[301, 7], &[97, 130], &[9, 11, 13], &[3, 0]];
    for params in [Params::current(), small] {
        for shape in shapes {
            let whole = dyn_from(shape);
            for split in splits(world, shape[0]) {
                let d = dist_from(world, shape, split.clone());
                params.install(|| {
                    for k in 0..shape.len() {
                        let (ax, w) = (Axis(k), &whole);
                        let c = format!(
                            "along {k}, shape {shape:?}, {split:?}, {} ranks",
                            world.size()
                        );
                        let c = c.as_str();
                        same(d.par_sum_axis(ax), w.par_sum_axis(ax), c);
                        same(d.par_sum_axis_exact(ax), w.par_sum_axis_exact(ax), c);
                        same(d.par_mean_axis(ax), w.par_mean_axis(ax), c);
                        same(d.par_var_axis(ax, 1.0), w.par_var_axis(ax, 1.0), c);
                        same(d.par_std_axis(ax, 0.0), w.par_std_axis(ax, 0.0), c);
                        same(d.par_min_axis(ax), w.par_min_axis(ax), c);
                        same(d.par_max_axis(ax), w.par_max_axis(ax), c);
                        assert_eq!(d.par_argmin_axis(ax).unwrap(), w.par_argmin_axis(ax), "{c}");
                        assert_eq!(d.par_argmax_axis(ax).unwrap(), w.par_argmax_axis(ax), "{c}");
                    }
                });
            }
        }
    }
}

fn stencils(world: &World) {
    let w = array![[0.0, 0.25, 0.0], [0.25, -1.0, 0.25], [0.0, 0.25, 0.0]];
    let wide = Array2::from_shape_fn((5, 3), |(i, j)| (i * 3 + j) as f64 * 0.01 - 0.05);
    let modes = [
        Boundary::Reflect,
        Boundary::Constant(1.5),
        Boundary::Nearest,
        Boundary::Periodic,
    ];
    for n in [1usize, 2, 5, 23] {
        let whole = Array2::from_shape_fn((n, 9), |(i, j)| value(i * 9 + j));
        for split in splits(world, n) {
            let d = DistArray::from_fn(world, (n, 9), split.clone(), |(i, j)| value(i * 9 + j))
                .unwrap();
            for mode in modes {
                let ctx = format!("n {n}, {split:?}, {mode:?}, {} ranks", world.size());
                for weights in [&w, &wide] {
                    if weights.nrows() / 2 > n
                        && !matches!(mode, Boundary::Constant(_) | Boundary::Nearest)
                    {
                        continue;
                    }
                    let got = d
                        .par_correlate_2d(weights, mode)
                        .and_then(|x| x.gather_all());
                    same(got, ndpar::par_correlate_2d(&whole, weights, mode), &ctx);
                }
                if n >= 2 || matches!(mode, Boundary::Constant(_) | Boundary::Nearest) {
                    // A 3-row moving sum along the split axis.
                    let f = |v: ndarray::ArrayView2<'_, f64>| {
                        let rows = v.nrows() - 2;
                        Array2::from_shape_fn((rows, v.ncols()), |(i, j)| {
                            v[[i, j]] + v[[i + 1, j]] * 2.0 + v[[i + 2, j]]
                        })
                    };
                    let got = d.par_map_overlap(1, mode, f).unwrap().gather_all().unwrap();
                    let want = whole.par_map_overlap(Axis(0), 4, 1, mode, f);
                    assert_eq!(got, want, "map_overlap {ctx}");
                }
            }
        }
    }
    // Heat steps with two swapped buffers equal the single-machine steps.
    let a = 0.2;
    let heat = array![[0.0, a, 0.0], [a, 1.0 - 4.0 * a, a], [0.0, a, 0.0]];
    for split in splits(world, 31) {
        let start = |(i, j): (usize, usize)| if (i + 2 * j) % 7 == 0 { 100.0 } else { 0.0 };
        let mut u = DistArray::from_fn(world, (31, 17), split.clone(), start).unwrap();
        let mut next = u.clone();
        let (mut v, mut v_next) = (
            Array2::from_shape_fn((31, 17), start),
            Array2::zeros((31, 17)),
        );
        for _ in 0..25 {
            u.par_correlate_2d_into(&heat, Boundary::Constant(0.0), &mut next)
                .unwrap();
            std::mem::swap(&mut u, &mut next);
            ndpar::par_correlate_2d_into(&v, &heat, Boundary::Constant(0.0), &mut v_next);
            std::mem::swap(&mut v, &mut v_next);
        }
        assert_eq!(u.gather_all().unwrap(), v, "{split:?}");
    }
    // The bytes of one halo exchange: two rows to each inner neighbour.
    let d = DistArray::from_fn(world, (64, 100), Split::Balanced, |(i, j)| (i + j) as f64).unwrap();
    let before = world.traffic();
    let _ = d.with_halo(1, Boundary::Constant(0.0)).unwrap();
    let sent = world.traffic().bytes - before.bytes;
    let neighbours = usize::from(world.rank() > 0) + usize::from(world.rank() + 1 < world.size());
    // Each message: a length and 100 values of 8 bytes; the agreement
    // gather sends its signature to every other rank.
    let signature = sent as usize - neighbours * (8 + 100 * 8);
    assert!(signature < 200 * world.size(), "sent {sent} bytes");
}

fn tasks_and_monte_carlo(world: &World) {
    let inputs: Vec<u64> = (0..37).collect();
    let got = world
        .par_map(&inputs, |&x| (x, x * x, format!("t{x}")))
        .unwrap();
    let want: Vec<_> = inputs
        .iter()
        .map(|&x| (x, x * x, format!("t{x}")))
        .collect();
    assert_eq!(got, want);
    let none: Vec<u64> = world.par_map(&[] as &[u64], |&x| x).unwrap();
    assert!(none.is_empty());
    let err = world
        .par_map(&inputs, |&x| {
            if x == 30 {
                panic!("task input {x} is bad")
            } else {
                x
            }
        })
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("task 30") && err.contains("task input 30 is bad"),
        "{err}"
    );
    let f = |rng: &mut ndpar::random::ChaCha8Rng| {
        use ndpar::random::rand::Rng;
        let (x, y): (f64, f64) = (rng.random(), rng.random());
        if x * x + y * y <= 1.0 { 4.0 } else { 0.0 }
    };
    for samples in [0, 1, 2, 65_536, 300_001] {
        let d = par_monte_carlo(world, samples, 9, f).unwrap();
        assert_eq!(
            d,
            ndpar::random::par_monte_carlo(samples, 9, f),
            "{samples} samples"
        );
    }
}

fn disagreements(world: &World) {
    // Every rank asks for a different shape: an error everywhere, no hang.
    let n = 10 + world.rank();
    let r = DistArray::from_fn(world, n, Split::Balanced, |i| i as f64);
    if world.size() > 1 {
        let e = r.unwrap_err().to_string();
        assert!(e.contains("disagree"), "{e}");
    } else {
        assert!(r.is_ok());
    }
    // Explicit rows that do not fit the axis or the ranks.
    let bad = DistArray::from_fn(world, 10, Split::Rows(vec![5; world.size() + 1]), |i| {
        i as f64
    });
    assert!(bad.is_err());
    // Explicit rows that fit on one rank only: still an error everywhere.
    let split = if world.rank() == 0 {
        Split::Rows(vec![5; world.size() + 1])
    } else {
        Split::Balanced
    };
    let r = DistArray::from_fn(world, 10, split.clone(), |i| i as f64);
    assert!(r.is_err());
    let held = Array1::<f64>::zeros(10);
    let root_has = (world.rank() == 0).then_some(&*held);
    let r = DistArray::scatter(world, 0, root_has, split);
    assert!(r.is_err());
    // Histogram bins valid on one rank only.
    let h = DistArray::from_fn(world, 10, Split::Balanced, |i| i as f64).unwrap();
    let bins = if world.rank() == 0 { 0 } else { 4 };
    assert!(h.par_histogram(bins, None).is_err());
    // Blocks that differ beyond the first axis.
    let local = Array2::<f64>::zeros((2, 3 + world.rank()));
    let r = DistArray::from_local(world, local);
    assert_eq!(r.is_err(), world.size() > 1);
    // Different operations on different ranks.
    let a = DistArray::from_fn(world, (8, 8), Split::Balanced, |(i, j)| (i + j) as f64).unwrap();
    if world.size() > 1 {
        let e = if world.rank() == 0 {
            a.par_sum().map(|_| ()).unwrap_err()
        } else {
            a.par_max().map(|_| ()).unwrap_err()
        };
        assert!(e.to_string().contains("operation"), "{e}");
    }
    // Params that cut the split axis differently on one rank.
    let b = DistArray::from_fn(world, (301, 7), Split::Balanced, |(i, j)| (i * j) as f64).unwrap();
    let mine = if world.rank() == 0 {
        Params::current().with_block_bytes(64)
    } else {
        Params::current()
    };
    let r = mine.install(|| b.par_sum_axis(Axis(0)));
    assert_eq!(r.is_err(), world.size() > 1);
    // Scatter from a rank that is not the one holding the array.
    let held = Array1::<f64>::zeros(4);
    let r = DistArray::scatter(
        world,
        0,
        (world.rank() == world.size() - 1).then_some(&*held),
        Split::Balanced,
    );
    assert_eq!(r.is_err(), world.size() > 1);
    // The world still works after every error.
    assert_eq!(a.par_sum().unwrap(), a.gather_all().unwrap().sum());
}

/// A small deterministic generator: the same on every rank.
struct Mix(u64);

impl Mix {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) % n.max(1) as u64) as usize
    }
}

/// Random shapes, splits (rows dealt at random, empty ranks included),
/// block sizes and reproducibility levels: every reduction against one
/// machine.
fn random_cases(world: &World) {
    let mut mix = Mix(2026);
    for case in 0..40 {
        let ndim = 1 + mix.below(3);
        let shape: Vec<usize> = (0..ndim)
            .map(|ax| {
                if ax == 0 {
                    mix.below(60)
                } else {
                    1 + mix.below(if ndim == 2 { 3000 } else { 40 })
                }
            })
            .collect();
        let mut rows = vec![0; world.size()];
        for _ in 0..shape[0] {
            rows[mix.below(world.size())] += 1;
        }
        let block_bytes = 64 << mix.below(14);
        let params = Params::current().with_block_bytes(block_bytes);
        let whole = dyn_from(&shape);
        let d = dist_from(world, &shape, Split::Rows(rows.clone()));
        let ctx = format!("case {case}: shape {shape:?}, rows {rows:?}, block_bytes {block_bytes}");
        let c = ctx.as_str();
        let layout = params.with_reproducibility(Reproducibility::Layout);
        layout.install(|| {
            same(d.par_sum(), whole.par_sum(), c);
            same(d.par_var(0.0), whole.par_var(0.0), c);
            assert_eq!(d.par_argmax().unwrap(), whole.par_argmax(), "{c}");
        });
        params.install(|| {
            let axis = Axis(mix.below(ndim));
            same(d.par_sum_axis(axis), whole.par_sum_axis(axis), c);
            same(d.par_var_axis(axis, 0.0), whole.par_var_axis(axis, 0.0), c);
        });
        if ndim == 2 && shape[0] > 0 {
            let h = mix.below(3);
            let weights =
                Array2::from_shape_fn((2 * h + 1, 3), |(i, j)| (i * 3 + j) as f64 * 0.1 - 0.3);
            let modes = [
                Boundary::Reflect,
                Boundary::Constant(-2.0),
                Boundary::Nearest,
                Boundary::Periodic,
            ];
            let mode = modes[mix.below(4)];
            if h <= shape[0] || matches!(mode, Boundary::Constant(_) | Boundary::Nearest) {
                let w2 = whole.clone().into_dimensionality::<ndarray::Ix2>().unwrap();
                let block = d.local().to_owned().into_dimensionality::<ndarray::Ix2>();
                let d2 = DistArray::from_local(world, block.unwrap()).unwrap();
                let got = d2
                    .par_correlate_2d(&weights, mode)
                    .and_then(|x| x.gather_all());
                same(got, ndpar::par_correlate_2d(&w2, &weights, mode), c);
            }
        }
    }
}
