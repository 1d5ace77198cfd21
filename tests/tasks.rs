//! The Parallel task layer: order, batching modes, n_jobs, errors and
//! panics, cancellation and timeouts (with nothing left running after the
//! call returns), streams with their dispatch bound, and nesting.

use ndpar::{BatchSize, CancelToken, Error, NotRun, Parallel, TaskError};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::{current, sleep};
use std::time::{Duration, Instant};

/// Counts tasks running right now and the most ever running at once.
#[derive(Default)]
struct Gauge {
    now: AtomicUsize,
    max: AtomicUsize,
    started: AtomicUsize,
}
impl Gauge {
    fn enter(&self) {
        self.started.fetch_add(1, Ordering::SeqCst);
        let n = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.max.fetch_max(n, Ordering::SeqCst);
    }
    fn leave(&self) {
        self.now.fetch_sub(1, Ordering::SeqCst);
    }
}

#[test]
fn results_come_back_in_input_order_in_every_mode() {
    let want: Vec<u64> = (0..10_000u64).map(|x| x * x % 97).collect();
    for n_jobs in [1, 2, 3, -1] {
        for batch in [BatchSize::Auto, BatchSize::Fixed(1), BatchSize::Fixed(7)] {
            let got = Parallel::new()
                .n_jobs(n_jobs)
                .unwrap()
                .batch_size(batch)
                .map(0..10_000u64, |x| x * x % 97)
                .unwrap();
            assert_eq!(got, want, "n_jobs {n_jobs}, {batch:?}");
        }
    }
    assert_eq!(
        Parallel::new().map(Vec::<u8>::new(), |x| x).unwrap(),
        Vec::<u8>::new()
    );
    // Inputs are moved into tasks (no Clone needed).
    let strings: Vec<String> = (0..50).map(|i| i.to_string()).collect();
    let lens = Parallel::new().map(strings, |s: String| s.len()).unwrap();
    assert_eq!(lens.iter().sum::<usize>(), 10 + 40 * 2);
}

#[test]
fn n_jobs_one_runs_on_the_calling_thread_and_zero_is_an_error() {
    let me = current().id();
    let ids = Parallel::new()
        .n_jobs(1)
        .unwrap()
        .map(0..100, |_| current().id())
        .unwrap();
    assert!(ids.iter().all(|&id| id == me));
    assert!(matches!(
        Parallel::new().n_jobs(0).map(|_| ()),
        Err(Error::InvalidNJobs(0))
    ));
    let threads = Parallel::new()
        .n_jobs(3)
        .unwrap()
        .map(0..3, |_| rayon::current_num_threads())
        .unwrap();
    assert!(threads.iter().all(|&t| t == 3));
}

#[test]
fn a_failing_task_stops_the_dispatch_and_the_lowest_failure_is_reported() {
    let g = Gauge::default();
    let r = Parallel::new()
        .n_jobs(2)
        .unwrap()
        .batch_size(BatchSize::Fixed(1))
        .try_map(0..400, |i| {
            g.enter();
            sleep(Duration::from_millis(1));
            g.leave();
            if i == 5 || i == 7 {
                Err(format!("bad {i}"))
            } else {
                Ok(i)
            }
        });
    match r {
        Err(TaskError::Failed { index, error }) => {
            assert!(index == 5 || index == 7, "{index}");
            assert_eq!(error, format!("bad {index}"));
        }
        other => panic!("expected a failure, got {other:?}"),
    }
    assert!(
        g.started.load(Ordering::SeqCst) < 100,
        "dispatch went on: {}",
        g.started.load(Ordering::SeqCst)
    );
    assert_eq!(
        g.now.load(Ordering::SeqCst),
        0,
        "a task is still running after the call returned"
    );
}

#[test]
fn a_panicking_task_becomes_an_error_and_the_pool_survives() {
    for n_jobs in [1, 4] {
        let r = Parallel::new().n_jobs(n_jobs).unwrap().map(0..1000, |i| {
            if i == 321 {
                panic!("cannot handle {i}");
            }
            i
        });
        match r {
            Err(Error::TaskPanicked {
                index: 321,
                message,
            }) => assert!(message.contains("cannot handle 321")),
            other => panic!("expected a panic error, got {other:?}"),
        }
        assert_eq!(
            Parallel::new()
                .n_jobs(n_jobs)
                .unwrap()
                .map(0..10, |i| i + 1)
                .unwrap()[9],
            10
        );
    }
}

#[test]
fn cancellation_stops_dispatch_and_lists_what_did_not_run() {
    let token = CancelToken::new();
    let g = Gauge::default();
    let canceller = {
        let t = token.clone();
        std::thread::spawn(move || {
            sleep(Duration::from_millis(30));
            t.cancel();
        })
    };
    let r = Parallel::new()
        .n_jobs(2)
        .unwrap()
        .cancel_token(&token)
        .map(0..2000, |i| {
            g.enter();
            sleep(Duration::from_millis(1));
            g.leave();
            i
        });
    canceller.join().unwrap();
    assert_eq!(
        g.now.load(Ordering::SeqCst),
        0,
        "tasks still running after return"
    );
    match r {
        Err(Error::Cancelled {
            not_run: NotRun::Listed(not_run),
        }) => {
            let ran = g.started.load(Ordering::SeqCst);
            assert_eq!(ran + not_run.len(), 2000);
            assert!(not_run.windows(2).all(|w| w[0] < w[1]));
        }
        other => panic!("expected a cancellation, got {:?}", other.map(|v| v.len())),
    }
}

#[test]
fn timeouts_stop_dispatch_near_the_deadline() {
    let g = Gauge::default();
    let start = Instant::now();
    let r = Parallel::new()
        .n_jobs(2)
        .unwrap()
        .timeout(Duration::from_millis(50))
        .map(0..5000, |i| {
            g.enter();
            sleep(Duration::from_millis(2));
            g.leave();
            i
        });
    let took = start.elapsed();
    assert_eq!(g.now.load(Ordering::SeqCst), 0);
    assert!(took < Duration::from_secs(2), "took {took:?}");
    match r {
        Err(Error::TimedOut {
            not_run: NotRun::Listed(not_run),
        }) => {
            assert_eq!(not_run.len() + g.started.load(Ordering::SeqCst), 5000)
        }
        other => panic!("expected a timeout, got {:?}", other.map(|v| v.len())),
    }
}

#[test]
fn streams_yield_in_order_or_as_they_finish_within_the_dispatch_bound() {
    let got: Vec<u64> = Parallel::new()
        .n_jobs(3)
        .unwrap()
        .map_iter(0..500u64, |x| x * 2)
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(got, (0..500).map(|x| x * 2).collect::<Vec<_>>());
    let mut un: Vec<(usize, u64)> = Parallel::new()
        .n_jobs(3)
        .unwrap()
        .map_unordered(0..500u64, |x| x + 1)
        .map(|(i, r)| (i, r.unwrap()))
        .collect();
    un.sort();
    assert_eq!(un, (0..500).map(|i| (i, i as u64 + 1)).collect::<Vec<_>>());

    // A slow consumer: never more than pre_dispatch tasks started ahead.
    static G: Gauge = Gauge {
        now: AtomicUsize::new(0),
        max: AtomicUsize::new(0),
        started: AtomicUsize::new(0),
    };
    let consumed = AtomicUsize::new(0);
    let mut it = Parallel::new()
        .n_jobs(4)
        .unwrap()
        .pre_dispatch(3)
        .map_iter(0..60u32, |x| {
            G.enter();
            sleep(Duration::from_millis(1));
            G.leave();
            x
        });
    for k in 0..30 {
        assert_eq!(it.next().unwrap().unwrap(), k);
        consumed.fetch_add(1, Ordering::SeqCst);
        sleep(Duration::from_millis(2));
        let ahead = G.started.load(Ordering::SeqCst) - consumed.load(Ordering::SeqCst);
        assert!(ahead <= 3, "{ahead} tasks dispatched ahead of the consumer");
    }
    drop(it); // stops dispatch, waits for in-flight tasks
    assert_eq!(G.now.load(Ordering::SeqCst), 0);
    assert!(G.started.load(Ordering::SeqCst) <= 33);
}

#[test]
fn streams_report_panics_and_stop() {
    let items: Vec<_> = Parallel::new()
        .n_jobs(2)
        .unwrap()
        .map_iter(0..100, |i| if i == 10 { panic!("ten") } else { i })
        .collect();
    let err_at = items.iter().position(|r| r.is_err()).unwrap();
    assert_eq!(err_at, 10);
    assert!(matches!(
        &items[10],
        Err(Error::TaskPanicked { index: 10, .. })
    ));
    assert_eq!(items.len(), 11, "the stream ends after the panic");
}

#[test]
fn nested_parallel_shares_the_outer_pool() {
    let seen = Mutex::new(Vec::new());
    Parallel::new()
        .n_jobs(2)
        .unwrap()
        .map(0..4, |i| {
            let inner = Parallel::new()
                .n_jobs(8)
                .unwrap()
                .map(0..4, |_| rayon::current_num_threads())
                .unwrap();
            seen.lock().unwrap().extend(inner);
            i
        })
        .unwrap();
    assert!(
        seen.into_inner().unwrap().iter().all(|&t| t == 2),
        "nested runs must not build an 8-thread pool"
    );
}

#[test]
fn many_trivial_tasks_finish() {
    // 10^6 tiny tasks: adaptive batches keep this quick (the speed itself is
    // measured in benches/tasks.rs, not here).
    let v = Parallel::new().map(0..1_000_000u64, |x| x ^ 0x55).unwrap();
    assert_eq!(v[999_999], 999_999 ^ 0x55);
}

#[test]
fn settings_are_checked_at_the_call_that_gives_them() {
    assert!(matches!(
        Parallel::new().n_jobs(0),
        Err(Error::InvalidNJobs(0))
    ));
    let msg = std::panic::catch_unwind(|| Parallel::new().batch_size(BatchSize::Fixed(0)))
        .expect_err("a batch of zero tasks")
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .unwrap_or_default();
    assert!(msg.contains("Fixed(0)"), "{msg}");
    assert!(std::panic::catch_unwind(|| Parallel::new().pre_dispatch(0)).is_err());
}

#[test]
fn batched_runs_and_streams_agree_on_where_tasks_run() {
    // One rule for both: a one-thread pool (or n_jobs(1)) runs every task
    // on the calling thread, without spawning.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let outside = std::thread::spawn(move || {
        pool.install(|| {
            let me = current().id();
            let batched = Parallel::new().map(0..50, |_| current().id()).unwrap();
            let streamed: Vec<_> = Parallel::new()
                .map_iter(0..50, |_| current().id())
                .map(Result::unwrap)
                .collect();
            (me, batched, streamed)
        })
    });
    let (me, batched, streamed) = outside.join().unwrap();
    assert!(batched.iter().all(|&id| id == me));
    assert!(streamed.iter().all(|&id| id == me));
    let me = current().id();
    let p = Parallel::new().n_jobs(1).unwrap();
    assert!(
        p.map(0..20, |_| current().id())
            .unwrap()
            .iter()
            .all(|&id| id == me)
    );
    assert!(
        p.map_iter(0..20, move |_| current().id())
            .all(|id| id.unwrap() == me)
    );
}

#[test]
fn a_stopped_run_hands_back_what_finished() {
    let p = Parallel::new()
        .n_jobs(2)
        .unwrap()
        .timeout(Duration::from_millis(40));
    let partial = p.map_partial(0..3000u64, |i| {
        sleep(Duration::from_millis(1));
        i * 3
    });
    let Some(Error::TimedOut {
        not_run: NotRun::Listed(not_run),
    }) = &partial.stopped
    else {
        panic!("expected a timeout, got {:?}", partial.stopped);
    };
    let done: Vec<usize> = (0..3000)
        .filter(|&i| partial.results[i].is_some())
        .collect();
    assert!(!done.is_empty(), "some tasks finished before the deadline");
    assert_eq!(done.len() + not_run.len(), 3000);
    for &i in &done {
        assert_eq!(partial.results[i], Some(i as u64 * 3));
    }
    assert!(not_run.iter().all(|&i| partial.results[i].is_none()));

    // A panic: the results of the other tasks are still handed back.
    let partial = Parallel::new()
        .n_jobs(1)
        .unwrap()
        .map_partial(0..10, |i| if i == 6 { panic!("six") } else { i });
    assert!(matches!(
        partial.stopped,
        Some(Error::TaskPanicked { index: 6, .. })
    ));
    assert_eq!(
        partial.results[..6],
        [Some(0), Some(1), Some(2), Some(3), Some(4), Some(5)]
    );
}

#[test]
fn scoped_streams_borrow_their_inputs_and_finish_before_returning() {
    let data: Vec<Vec<u64>> = (0..40).map(|i| vec![i; 1000]).collect();
    let g = Gauge::default();
    for n_jobs in [1, 3] {
        let p = Parallel::new().n_jobs(n_jobs).unwrap().pre_dispatch(4);
        let sums: Vec<u64> = p.map_iter_scoped(
            &data,
            |row| {
                g.enter();
                sleep(Duration::from_micros(200));
                g.leave();
                row.iter().sum::<u64>()
            },
            // Consume only part of the stream: the rest stops, and the
            // call still waits for every task in flight.
            |stream| stream.take(10).map(Result::unwrap).collect(),
        );
        assert_eq!(sums, (0..10).map(|i| i * 1000).collect::<Vec<_>>());
        assert_eq!(g.now.load(Ordering::SeqCst), 0, "a task outlived the call");
        assert!(g.started.load(Ordering::SeqCst) < 40, "dispatch went on");
        g.started.store(0, Ordering::SeqCst);
    }
}
