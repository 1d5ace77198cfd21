//! Params travel with the work: a kernel nested in another kernel's
//! closure, in a `Parallel` task or in a stream plans its blocks with the
//! params of the call that started the work, on whichever worker runs it.
//! So under non-default params, nested results have the same bits on any
//! thread count and on every repetition.

use crate::common::on;
use ndarray::{Array1, Array2, Axis};
use ndpar::prelude::*;
use ndpar::{Parallel, Params};

/// Values spread over 16 decades, so that where blocks are cut changes
/// how sums round.
fn data(rows: usize, cols: usize) -> Array2<f64> {
    Array2::from_shape_fn((rows, cols), |(r, i)| {
        let mantissa = ((i * 7919 + r * 104_729) % 1000) as f64 * 1e-3 + 1.0;
        let sign = if (i + r) % 3 == 0 { -1.0 } else { 1.0 };
        sign * mantissa * 10f64.powi((i % 17) as i32 - 8)
    })
}

/// Small blocks: every lane of the data is cut into hundreds of them.
fn params() -> Params {
    Params::always_parallel().with_block_bytes(256)
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// `f` gives the same bits on 1, 2, 3, 4 and 7 threads, three times each,
/// under [`params`] — and different bits under the default params, so
/// that a worker planning with the defaults would be caught.
fn travels(what: &str, f: impl Fn() -> Vec<f64> + Sync) {
    let want = bits(&on(1, params(), &f));
    let default = bits(&Params::default().install(&f));
    assert_ne!(
        want, default,
        "{what}: the data does not tell the params apart"
    );
    for threads in [1, 2, 3, 4, 7] {
        for round in 0..3 {
            assert_eq!(
                bits(&on(threads, params(), &f)),
                want,
                "{what}: different bits on {threads} threads (round {round})"
            );
        }
    }
}

#[test]
fn kernels_nested_in_lanes_blocks_and_folds() {
    let a = data(64, 20_000);
    travels("par_map_axis", || {
        a.par_map_axis(Axis(1), |lane| lane.par_sum()).to_vec()
    });
    travels("par_map_axis_mut", || {
        let mut b = a.clone();
        b.par_map_axis_mut(Axis(1), |lane| lane.par_sum()).to_vec()
    });
    travels("par_map_blocks", || {
        a.par_map_blocks(Axis(0), 4, |block| block.par_cumsum(Axis(1)))
            .column(19_999)
            .to_vec()
    });
    travels("par_map_reduce", || {
        let rows: Array1<usize> = Array1::from_iter(0..64);
        rows.par_map_reduce(
            |&r| vec![a.row(r).par_sum()],
            Vec::new,
            |mut l, r| {
                l.extend(r);
                l
            },
        )
    });
}

#[test]
fn kernels_in_parallel_tasks() {
    let a = data(64, 20_000);
    let rows: Vec<Array1<f64>> = a.outer_iter().map(|r| r.to_owned()).collect();
    travels("Parallel::map", || {
        Parallel::new()
            .map(a.outer_iter(), |r| r.par_sum())
            .unwrap()
    });
    travels("Parallel::map_partial", || {
        let p = Parallel::new().map_partial(a.outer_iter(), |r| r.par_sum());
        p.results.into_iter().map(Option::unwrap).collect()
    });
    travels("Parallel::try_map", || {
        Parallel::new()
            .try_map(a.outer_iter(), |r| Ok::<_, ()>(r.par_sum()))
            .unwrap()
    });
    travels("Parallel::map_iter", || {
        Parallel::new()
            .map_iter(rows.clone(), |r| r.par_sum())
            .map(Result::unwrap)
            .collect()
    });
    travels("Parallel::map_unordered", || {
        let mut got: Vec<(usize, f64)> = Parallel::new()
            .map_unordered(rows.clone(), |r| r.par_sum())
            .map(|(i, r)| (i, r.unwrap()))
            .collect();
        got.sort_by_key(|&(i, _)| i);
        got.into_iter().map(|(_, s)| s).collect()
    });
    travels("Parallel::map_iter_scoped", || {
        Parallel::new().map_iter_scoped(
            a.outer_iter(),
            |r| r.par_sum(),
            |stream| stream.map(Result::unwrap).collect(),
        )
    });
}

#[test]
fn counting_sorts_and_quantiles_nested_in_tasks_and_lanes() {
    let a = data(64, 20_000);
    // A weighted bincount sums block by block, merged along the tree: its
    // bits depend on where the blocks are cut.
    let bins = Array1::from_iter((0..20_000).map(|i| (i % 3) as u8));
    travels("par_bincount_weighted in Parallel::map", || {
        Parallel::new()
            .map(a.outer_iter(), |r| {
                ndpar::par_bincount_weighted(&bins, &r, 0).unwrap()[1]
            })
            .unwrap()
    });
    travels("par_bincount_weighted in par_map_axis", || {
        a.par_map_axis(Axis(1), |r| {
            ndpar::par_bincount_weighted(&bins, &r, 0).unwrap()[2]
        })
        .to_vec()
    });
    // Sorts, partitions and quantiles hand their work to the pool through
    // the same gate; the sums after them plan with the task's params.
    travels("par_sort then par_sum in Parallel::map", || {
        Parallel::new()
            .map(a.outer_iter(), |r| r.par_sort(Axis(0)).par_sum())
            .unwrap()
    });
    travels("par_partition then par_sum in par_map_axis", || {
        a.par_map_axis(Axis(1), |r| {
            r.par_partition(&[0, 9_999, -1], Axis(0)).par_sum()
        })
        .to_vec()
    });
    travels("par_median then par_sum in Parallel::map", || {
        Parallel::new()
            .map(a.outer_iter(), |r| {
                let m = r.par_median().unwrap();
                r.par_mapv(|x| x - m).par_sum()
            })
            .unwrap()
    });
}
