//! Hand-written baselines, shared by the criterion benches and the report
//! tool: what a scientist would write without ndpar, sequential and with
//! plain rayon. The rayon kernels are the practical limit for memory-bound
//! kernels on a machine.

use std::hint::black_box;
use std::time::{Duration, Instant};

use ndarray::{Array1, Array2};
use rayon::prelude::*;

/// `n` values of the standard data recipe ([`crate::cases::golden`]).
pub fn data(n: usize) -> Array1<f64> {
    Array1::from_iter((0..n).map(crate::cases::golden))
}

/// A good single-core sum: 8 independent accumulators, so it vectorises.
pub fn sum8(xs: &[f64]) -> f64 {
    let mut acc = [0.0; 8];
    let mut chunks = xs.chunks_exact(8);
    for c in &mut chunks {
        for i in 0..8 {
            acc[i] += c[i];
        }
    }
    let tail: f64 = chunks.remainder().iter().sum();
    acc.iter().sum::<f64>() + tail
}

/// [`sum8`] over chunks of 2^16 values on the rayon pool.
pub fn rayon_sum(xs: &[f64]) -> f64 {
    xs.par_chunks(1 << 16).map(sum8).sum()
}

/// The compute-bound map of the benchmarks.
pub fn expsin(x: f64) -> f64 {
    x.exp() * x.sin()
}

/// A running sum into a new vector.
pub fn running_sum(xs: &[f64]) -> Vec<f64> {
    let mut acc = 0.0;
    xs.iter()
        .map(|&x| {
            acc += x;
            acc
        })
        .collect()
}

/// A good sequential histogram of `bins` uniform bins over `[lo, hi]`: one
/// multiply per value and numpy's edge correction, into one counts vector.
pub fn histogram(xs: impl IntoIterator<Item = f64>, bins: usize, lo: f64, hi: f64) -> Vec<u64> {
    let edges = linspace_edges(bins, lo, hi);
    let scale = bins as f64 / (hi - lo);
    let mut counts = vec![0u64; bins];
    for x in xs {
        if let Some(i) = bin_of(x, &edges, lo, scale) {
            counts[i] += 1;
        }
    }
    counts
}

/// A sequential 2-D histogram of `(x, y)` pairs, `bins × bins` over
/// `[lo, hi]²`.
pub fn histogram_2d(
    pairs: impl IntoIterator<Item = (f64, f64)>,
    bins: usize,
    lo: f64,
    hi: f64,
) -> Vec<u64> {
    let edges = linspace_edges(bins, lo, hi);
    let scale = bins as f64 / (hi - lo);
    let mut counts = vec![0u64; bins * bins];
    for (x, y) in pairs {
        if let (Some(i), Some(j)) = (bin_of(x, &edges, lo, scale), bin_of(y, &edges, lo, scale)) {
            counts[i * bins + j] += 1;
        }
    }
    counts
}

fn linspace_edges(bins: usize, lo: f64, hi: f64) -> Vec<f64> {
    let step = (hi - lo) / bins as f64;
    let mut edges: Vec<f64> = (0..=bins).map(|i| lo + i as f64 * step).collect();
    edges[bins] = hi;
    edges
}

#[inline]
fn bin_of(x: f64, edges: &[f64], lo: f64, scale: f64) -> Option<usize> {
    let bins = edges.len() - 1;
    if !(x >= lo && x <= edges[bins]) {
        return None;
    }
    let mut i = (((x - lo) * scale) as usize).min(bins - 1);
    if x < edges[i] {
        i -= 1;
    } else if i + 1 < bins && x >= edges[i + 1] {
        i += 1;
    }
    Some(i)
}

/// One output row of the 5-point Jacobi step; `up`/`down` are zero rows
/// at the grid's edges.
fn jacobi_row(up: &[f64], mid: &[f64], down: &[f64], out: &mut [f64]) {
    let m = mid.len();
    if m == 1 {
        out[0] = 0.25 * (up[0] + down[0]);
        return;
    }
    out[0] = 0.25 * (up[0] + down[0] + mid[1]);
    for j in 1..m - 1 {
        out[j] = 0.25 * (up[j] + down[j] + mid[j - 1] + mid[j + 1]);
    }
    out[m - 1] = 0.25 * (up[m - 1] + down[m - 1] + mid[m - 2]);
}

fn jacobi_rows<'a>(
    u: &'a [f64],
    zero: &'a [f64],
    m: usize,
    i: usize,
    n: usize,
) -> (&'a [f64], &'a [f64], &'a [f64]) {
    let up = if i > 0 { &u[(i - 1) * m..i * m] } else { zero };
    let down = if i + 1 < n {
        &u[(i + 1) * m..(i + 2) * m]
    } else {
        zero
    };
    (up, &u[i * m..(i + 1) * m], down)
}

/// One 5-point Jacobi step (zero boundary) of a C-order grid into `out`.
pub fn jacobi_seq(u: &Array2<f64>, out: &mut Array2<f64>) {
    let (n, m) = u.dim();
    let (us, zero) = (u.as_slice().expect("C order"), vec![0.0; m]);
    for (i, o) in out
        .as_slice_mut()
        .expect("C order")
        .chunks_mut(m)
        .enumerate()
    {
        let (a, b, c) = jacobi_rows(us, &zero, m, i, n);
        jacobi_row(a, b, c, o);
    }
}

/// [`jacobi_seq`] with one rayon task per row.
pub fn jacobi_rayon(u: &Array2<f64>, out: &mut Array2<f64>) {
    let (n, m) = u.dim();
    let (us, zero) = (u.as_slice().expect("C order"), vec![0.0; m]);
    out.as_slice_mut()
        .expect("C order")
        .par_chunks_mut(m)
        .enumerate()
        .for_each(|(i, o)| {
            let (a, b, c) = jacobi_rows(us, &zero, m, i, n);
            jacobi_row(a, b, c, o);
        });
}

/// Busy work for `d` (a task of known length).
pub fn busy(d: Duration) -> u64 {
    let start = Instant::now();
    let mut x = 0u64;
    while start.elapsed() < d {
        x = black_box(x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1));
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn baselines_compute_what_they_say() {
        let xs = [0.5, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0];
        assert_eq!(sum8(&xs), 46.0);
        assert_eq!(rayon_sum(&xs), 46.0);
        assert_eq!(running_sum(&[1.0, 2.0, 3.0]), vec![1.0, 3.0, 6.0]);
        // numpy.histogram([0, 0.25, 0.5, 1, 2], 4, (0, 1)) -> [1, 1, 1, 1]
        assert_eq!(
            histogram([0.0, 0.25, 0.5, 1.0, 2.0], 4, 0.0, 1.0),
            vec![1, 1, 1, 1]
        );
        assert_eq!(
            histogram_2d([(0.0, 0.9), (0.6, 0.1), (1.0, 1.0)], 2, 0.0, 1.0),
            vec![0, 1, 1, 1]
        );
        let u = Array2::from_shape_fn((3, 3), |(i, j)| (i * 3 + j) as f64);
        let (mut a, mut b) = (Array2::zeros((3, 3)), Array2::zeros((3, 3)));
        jacobi_seq(&u, &mut a);
        jacobi_rayon(&u, &mut b);
        assert_eq!(a, b);
        assert_eq!(a[[1, 1]], 0.25 * (1.0 + 7.0 + 3.0 + 5.0));
        assert_eq!(a[[0, 0]], 0.25 * (3.0 + 1.0));
    }
}
