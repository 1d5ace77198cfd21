//! The Mandelbrot set: a compute-bound map over a 2-D grid whose cost per
//! pixel varies by orders of magnitude (points inside the set run every
//! iteration, points far outside escape at once). `par_map` splits the
//! grid into many small blocks, so the uneven cost still spreads over the
//! cores. Writes `mandelbrot.png`.
//!
//! ```text
//! cargo run --release -p ndpar-examples --example mandelbrot -- --width 1600 --iterations 500
//! ```

use std::process::ExitCode;

use clap::Parser;
use ndarray::Array2;
use ndpar::prelude::*;
use ndpar_examples::{Common, Table, check_memory, output_dir, time_ms, write_rgb_png};

/// Escape-time Mandelbrot set, sequential and parallel.
#[derive(Parser, Debug)]
struct Cli {
    /// Image width in pixels (the height is 2/3 of it).
    #[arg(long, default_value_t = 1200)]
    width: usize,
    /// Iterations before a point counts as inside the set.
    #[arg(long, default_value_t = 400)]
    iterations: u32,
    /// Folder for mandelbrot.png (default target/examples-output).
    #[arg(long)]
    out: Option<std::path::PathBuf>,
    #[command(flatten)]
    common: Common,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let c = &cli.common;
    let (w, h) = (cli.width.max(3), (cli.width.saturating_mul(2) / 3).max(2));
    // The plane (two f64 a pixel), the counts and the image.
    if let Err(code) = check_memory(&format!("--width {}", cli.width), w.saturating_mul(h), 40) {
        return code;
    }
    // The point of every pixel in [-2.2, 0.8] × [-1, 1].
    let plane = Array2::from_shape_fn((h, w), |(i, j)| {
        (
            -2.2 + 3.0 * j as f64 / (w - 1) as f64,
            -1.0 + 2.0 * i as f64 / (h - 1) as f64,
        )
    });
    let limit = cli.iterations;
    let escape = move |&(cx, cy): &(f64, f64)| escape_time(cx, cy, limit);

    let (seq_ms, want) = time_ms(c.reps, || plane.map(escape));
    let (par_ms, got) = time_ms(c.reps, || c.parallel(|| plane.par_map(escape)));
    let inside = got.iter().filter(|&&n| n == limit).count();
    let mut table = Table::new("Mandelbrot set", c.threads());
    table.compare(
        &format!("{w}x{h} pixels, {limit} iterations"),
        seq_ms,
        par_ms,
        want == got,
        format!("same escape times; {inside} pixels inside"),
    );

    let path = match output_dir(cli.out.as_deref()) {
        Ok(dir) => dir.join("mandelbrot.png"),
        Err(code) => return code,
    };
    let rgb: Vec<u8> = got.iter().flat_map(|&n| colour(n, limit)).collect();
    if let Err(e) = write_rgb_png(&path, w, h, &rgb) {
        eprintln!("{}: {e}", path.display());
        return ExitCode::FAILURE;
    }
    let code = table.finish(c.json);
    if !c.json {
        println!("\nwrote {}", path.display());
    }
    code
}

/// Iterations of `z → z² + c` before `|z| > 2`, or `limit`.
fn escape_time(cx: f64, cy: f64, limit: u32) -> u32 {
    let (mut x, mut y) = (0.0f64, 0.0f64);
    for n in 0..limit {
        if x * x + y * y > 4.0 {
            return n;
        }
        (x, y) = (x * x - y * y + cx, 2.0 * x * y + cy);
    }
    limit
}

/// Black inside the set; outside, dark blue through orange to white by the
/// logarithm of the escape time.
fn colour(n: u32, limit: u32) -> [u8; 3] {
    if n == limit {
        return [0, 0, 0];
    }
    let t = ((n + 1) as f64).ln() / ((limit + 1) as f64).ln();
    let r = (255.0 * (3.0 * t).min(1.0)) as u8;
    let g = (255.0 * (3.0 * t - 1.0).clamp(0.0, 1.0)) as u8;
    let b = (255.0 * (0.3 + 0.7 * (3.0 * t - 2.0).clamp(0.0, 1.0)).min(1.0) * t.sqrt()) as u8;
    [r, g, b]
}
