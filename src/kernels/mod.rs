//! The kernel families. Each is a kernel for the engine (or a map through
//! the engine's map driver) and a public trait or function; none reaches
//! into another family (the reductions over several axes are the axis
//! family's, in `axis/axes.rs`).

pub mod axis;
pub use axis::axes;
pub mod blocks;
pub mod counting;
pub mod histogram;
pub mod linalg;
pub mod map;
pub mod quantile;
#[cfg(feature = "random")]
pub mod random;
pub mod reduce;
pub mod scan;
pub mod sort;
