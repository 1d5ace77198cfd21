//! Property tests of the kernel families against sequential oracles:
//! reductions, axis kernels, maps, block kernels, scans and linear algebra
//! (see `suite.rs` for the rest); one binary, compiled side by side with
//! `suite`.

// Tests drive rayon directly (their own pools, concurrent callers);
// the one-gate rule of clippy.toml is the library's.
#![allow(clippy::disallowed_methods)]

mod common;
mod prop_axes;
mod prop_axis;
mod prop_blocks;
mod prop_exact;
mod prop_layout;
mod prop_linalg;
mod prop_map;
mod prop_reduce;
mod prop_scan;
mod prop_sort;
