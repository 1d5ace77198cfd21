//! The four Python models of parallel work, done with ndpar, each beside
//! the Python idiom it replaces (in comments): threads for waiting,
//! processes for computing, `concurrent.futures`, and joblib. See
//! `docs/from_python.md` for the full map of idioms.
//!
//! ```text
//! cargo run --release -p ndpar-examples --example from_python
//! ```

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use ndarray::{Array1, Ix1};
use ndpar::io::{load_npy, save_npy};
use ndpar::memory::Memory;
use ndpar::{Parallel, TaskError};
use ndpar_examples::{Common, Row, Table, check_memory, output_dir, time_ms};

/// Python's parallel idioms in ndpar, timed and checked.
#[derive(Parser, Debug)]
struct Cli {
    /// Number of tasks in each part.
    #[arg(long, default_value_t = 32)]
    tasks: usize,
    /// Milliseconds each waiting task sleeps.
    #[arg(long, default_value_t = 20)]
    wait_ms: u64,
    /// Folder for the npy file and the cache (default target/examples-output).
    #[arg(long)]
    out: Option<std::path::PathBuf>,
    #[command(flatten)]
    common: Common,
}

/// CPU-bound work: a few million steps of a linear congruential generator.
fn crunch(seed: u64) -> u64 {
    (0..3_000_000u64).fold(seed, |x, i| {
        x.wrapping_mul(6364136223846793005).wrapping_add(i | 1)
    })
}

ndpar::cached! {
    /// `crunch` of every seed below `n`, on all cores: the result is kept
    /// on disk, keyed by `n` and by this function's code.
    fn crunch_all(n: u64) -> Array1<u64> {
        let all = Parallel::new().n_jobs(-1).expect("all cores");
        Array1::from(all.map(0..n, crunch).expect("crunch never fails"))
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let c = &cli.common;
    let n = cli.tasks.max(1);
    // Results and inputs of every task, a few words each.
    if let Err(code) = check_memory(&format!("--tasks {}", cli.tasks), n, 8 * 8) {
        return code;
    }
    let mut table = Table::new("Python's parallel idioms in ndpar", c.threads());

    // 1. Threads for waiting (I/O, sleeps). Python:
    //      with ThreadPoolExecutor(max_workers=16) as ex:
    //          list(ex.map(fetch, urls))
    //    A pool may be larger than the core count: waiting threads cost
    //    little. ndpar:
    let fetch = |i: usize| {
        std::thread::sleep(Duration::from_millis(cli.wait_ms));
        i * 2
    };
    let waiting = Parallel::new().n_jobs(16).expect("16 threads");
    let (seq_ms, want) = time_ms(1, || (0..n).map(fetch).collect::<Vec<_>>());
    let (par_ms, got) = time_ms(1, || waiting.map(0..n, fetch).unwrap());
    table.compare(
        &format!("{n} waits of {} ms on 16 threads", cli.wait_ms),
        seq_ms,
        par_ms,
        want == got,
        "the same results, in order",
    );

    // 2. Processes for computing. Python (threads would hold the GIL):
    //      with multiprocessing.Pool() as pool:
    //          pool.map(crunch, range(n))
    //    Rust threads compute in parallel; nothing is pickled or copied.
    let cpus = Parallel::new()
        .n_jobs(c.threads() as isize)
        .expect("a valid thread count");
    let (seq_ms, want) = time_ms(c.reps, || (0..n as u64).map(crunch).collect::<Vec<_>>());
    let (par_ms, got) = time_ms(c.reps, || cpus.map(0..n as u64, crunch).unwrap());
    table.compare(
        &format!("{n} CPU-bound tasks"),
        seq_ms,
        par_ms,
        want == got,
        "the same results, in order",
    );

    // 3. concurrent.futures. Python:
    //      futures = {ex.submit(crunch, s): s for s in seeds}
    //      for f in as_completed(futures): ...
    //    ndpar: an unordered stream of (index, result) as tasks finish.
    let (par_ms, mut finished) = time_ms(c.reps, || {
        cpus.map_unordered(0..n as u64, crunch)
            .map(|(i, r)| (i, r.unwrap()))
            .collect::<Vec<_>>()
    });
    finished.sort();
    let in_order: Vec<u64> = finished.iter().map(|&(_, r)| r).collect();
    table.compare(
        "as_completed: map_unordered",
        seq_ms,
        par_ms,
        in_order == want,
        "every task once; sorted by index, the ordered results",
    );
    //    A future's exception: f.result() raises. ndpar: try_map returns
    //    the lowest-indexed task's own error.
    let (try_ms, checked) = time_ms(c.reps, || {
        cpus.try_map(0..n, |i| {
            if i % 7 == 3 {
                Err(format!("bad input {i}"))
            } else {
                Ok(i)
            }
        })
    });
    let lowest = matches!(&checked, Err(TaskError::Failed { index: 3, .. }));
    table.push(Row {
        name: "exceptions: try_map".into(),
        seq_ms: None,
        par_ms: try_ms,
        agrees: lowest,
        check: checked.err().map_or("no error".into(), |e| e.to_string()),
    });

    // 4. joblib. Python:
    //      Parallel(n_jobs=-1)(delayed(crunch)(s) for s in seeds)
    //      memory = Memory("cache"); crunch_all = memory.cache(crunch_all); crunch_all(n)
    //      np.save("x.npy", x); np.load("x.npy")
    let dir = match output_dir(cli.out.as_deref()) {
        Ok(dir) => dir,
        Err(code) => return code,
    };
    let memory = Memory::new(dir.join("from-python-cache")).expect("a cache folder");
    memory.clear_name("crunch_all").expect("a writable cache");
    let (miss_ms, first) = time_ms(1, || crunch_all(&memory, n as u64));
    let (hit_ms, again) = time_ms(c.reps, || crunch_all(&memory, n as u64));
    table.push(Row {
        name: "joblib Memory: first call".into(),
        seq_ms: None,
        par_ms: miss_ms,
        agrees: first.to_vec() == want,
        check: "computed in parallel and stored".into(),
    });
    table.push(Row {
        name: "joblib Memory: second call".into(),
        seq_ms: None,
        par_ms: hit_ms,
        agrees: again == first,
        check: "loaded from disk".into(),
    });
    let file = dir.join("crunch.npy");
    let (npy_ms, round_trip) = time_ms(c.reps, || {
        save_npy(&file, &first).and_then(|()| load_npy::<u64, Ix1, _>(&file))
    });
    table.push(Row {
        name: "np.save / np.load: save_npy / load_npy".into(),
        seq_ms: None,
        par_ms: npy_ms,
        agrees: round_trip.as_ref().is_ok_and(|back| *back == first),
        check: format!("{} (numpy opens it)", file.display()),
    });
    table.finish(c.json)
}
