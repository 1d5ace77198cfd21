//! ndpar's integration tests, in one test binary (one link, and the
//! generic kernels compiled once for all of them). Each module is one
//! topic; `cargo test --test suite prop_axis` runs one.

mod api;
mod behaviour;
mod common;
mod io;
mod memory;
mod numpy_diff;
mod params_travel;
mod prop_axis;
mod prop_blocks;
mod prop_histogram;
mod prop_linalg;
mod prop_map;
mod prop_reduce;
mod prop_scan;
mod random;
mod tasks;
