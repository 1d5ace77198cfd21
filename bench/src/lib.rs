//! ndpar's benchmarks: criterion benches (`benches/`, one file per kernel
//! family) and the interleaved scaling runner (`examples/scaling.rs`).
//!
//! ```text
//! cargo bench -p ndpar-bench --bench reduce
//! cargo run -p ndpar-bench --release --example scaling -- --only sum
//! ```
