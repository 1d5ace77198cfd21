//! Property tests of the maps, axis kernels, scans and linear algebra
//! against sequential oracles (see `suite.rs` for the rest); one binary,
//! compiled side by side with `suite`.

mod common;
mod prop_axis;
mod prop_linalg;
mod prop_map;
mod prop_scan;
