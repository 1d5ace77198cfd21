//! `use ndpar::prelude::*;` brings the extension traits into scope, so that
//! `a.par_sum()`, `a.par_map(..)` and friends work on any ndarray array, plus
//! [`with_threads`] to run code on a given number of threads.
//!
//! ```
//! use ndpar::prelude::*;
//! use ndarray::Array1;
//!
//! let a = Array1::from_iter((1..=100).map(f64::from));
//! assert_eq!(a.par_sum(), 5050.0);
//! assert_eq!(with_threads(2, || a.par_mapv(|x| x * 2.0).par_sum()).unwrap(), 10_100.0);
//! ```

pub use crate::axes::ParAxes;
pub use crate::axis::{ParAxis, ParAxisMut};
pub use crate::blocks::{ParBlocks, ParBlocksMut};
pub use crate::map::{ParMap, ParMapInto, ParMapMut};
pub use crate::quantile::ParQuantile;
pub use crate::reduce::ParReduce;
pub use crate::scan::ParScan;
pub use crate::sort::ParSort;
pub use crate::threads::with_threads;
