//! Reductions of a [`DistArray`]: whole-array reductions over the logical
//! blocks of [`Reproducibility::Layout`](crate::Reproducibility), the exact
//! reductions, histograms, and reductions along an axis. Every result is
//! returned on every rank.
//!
//! ```text
//! cuts.rs       the single-machine cuts seen from a rank: its leaves of the
//!               fixed tree, the rows of an axis plan, and the exchanges
//!               that complete them
//! whole.rs      whole-array reductions (sums, extremes, moments, norms,
//!               the exact reductions)
//! histogram.rs  histograms of the whole array
//! axis.rs       reductions along one axis
//! ```

mod axis;
mod cuts;
mod histogram;
mod whole;
