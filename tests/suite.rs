//! ndpar's integration tests (with `props.rs`, the property tests of the
//! kernel families): two test binaries, so that a cold build links twice
//! and compiles each generic kernel twice, not once per topic. Each module
//! is one topic; `cargo test --test suite tasks` runs one.

// Tests drive rayon directly (their own pools, concurrent callers);
// the one-gate rule of clippy.toml is the library's.
#![allow(clippy::disallowed_methods)]

mod api;
mod behaviour;
mod common;
mod counting;
mod digest;
mod from_python;
mod hostile;
mod io;
mod memory;
mod mmap;
mod numpy_diff;
mod params_travel;
mod prop_histogram;
mod random;
mod tasks;
mod vmath;
