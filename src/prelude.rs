//! `use ndpar::prelude::*;` brings in everything a port of a numpy program
//! calls: the extension traits (so that `a.par_sum()`, `a.par_map(..)` and
//! friends work on any ndarray array), the free functions (`par_histogram`,
//! `par_bincount`, `par_knn`, `par_cov`, …, all named `par_*`), the enums
//! their arguments take (`QuantileMethod`, `Boundary`, `Metric`,
//! `Variables`), the settings (`Params`, `Reproducibility`,
//! [`with_threads`]), the task runner `Parallel` (with `BatchSize`,
//! `CancelToken` and `TaskError`) and, with their features, the npy and
//! npz files (`save_npy`, `load_npy`, `NpyMap`, …), the disk cache
//! `Memory` and the random arrays with their common distributions
//! (`StandardNormal`, `Normal`, `Uniform`). Everything in
//! `docs/from_python.md` compiles with this one import.
//!
//! ```
//! use ndpar::prelude::*;
//! use ndarray::Array1;
//!
//! let a = Array1::from_iter((1..=100).map(f64::from));
//! assert_eq!(a.par_sum(), 5050.0);
//! assert_eq!(with_threads(2, || a.par_mapv(|x| x * 2.0).par_sum()).unwrap(), 10_100.0);
//! assert_eq!(a.par_quantile(0.5, QuantileMethod::Lower), Some(50.0));
//! assert_eq!(par_histogram(&a, 4, None).unwrap().counts.sum(), 100);
//! let squares = Parallel::new().map(1..=3, |x| x * x).unwrap();
//! assert_eq!(squares, [1, 4, 9]);
//! ```

pub use crate::axes::ParAxes;
pub use crate::axis::{ParAxis, ParAxisMut};
pub use crate::blocks::{
    Boundary, ParBlocks, ParBlocksMut, par_convolve_1d, par_correlate_2d, par_correlate_2d_into,
};
pub use crate::counting::{par_bincount, par_bincount_weighted, par_unique};
pub use crate::histogram::{par_histogram, par_histogram_2d, par_histogram_edges};
#[cfg(feature = "mmap")]
pub use crate::io::{NpyMap, NpyMapMut};
#[cfg(feature = "io")]
pub use crate::io::{load_npy, load_npz, npz_names, save_npy, save_npz};
pub use crate::linalg::{
    Metric, Variables, par_corrcoef, par_cov, par_knn, par_matmul, par_pairwise_distances,
};
pub use crate::map::{ParMap, ParMapInto, ParMapMut};
#[cfg(feature = "cache")]
pub use crate::memory::Memory;
pub use crate::params::{Params, Reproducibility};
pub use crate::quantile::{ParQuantile, QuantileMethod};
#[cfg(feature = "random")]
pub use crate::random::{
    Normal, StandardNormal, Uniform, par_fill_random, par_monte_carlo, par_random,
};
pub use crate::reduce::ParReduce;
pub use crate::scan::ParScan;
pub use crate::sort::ParSort;
pub use crate::tasks::{BatchSize, CancelToken, Parallel, TaskError};
pub use crate::threads::with_threads;
