//! ndpar's benchmarks: the report tool (`src/main.rs`, binary
//! `ndpar-bench`) and the criterion benches (`benches/`, one file per
//! kernel family), sharing one set of hand-written baselines.
//!
//! ```text
//! cargo run -p ndpar-bench --release                   # the report, with Python peers
//! cargo run -p ndpar-bench --release -- --quick        # small sizes, 3 rounds
//! cargo run -p ndpar-bench --release -- --only knn --threads 1,2,4
//! cargo bench -p ndpar-bench --bench reduce            # criterion, one family
//! ```
//!
//! | module | holds |
//! |---|---|
//! | [`cases`] | the cases, one file per family, each with its problem size ([`cases::Spec`]) |
//! | [`baselines`] | hand-written sequential and rayon kernels (also used by `benches/`) |
//! | [`measure`] | interleaved rounds, medians and spreads |
//! | [`load`] | how busy the machine was during a case |
//! | [`peers`] | the Python peers: virtual environment and `peers/peers.py` |
//! | [`report`] | Markdown tables and the CSV |
//! | [`chart`] | SVG charts (plotters) |

pub mod baselines;
pub mod cases;
pub mod chart;
pub mod load;
pub mod measure;
pub mod peers;
pub mod report;
