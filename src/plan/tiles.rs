//! Fixed rectangular tiles of a 2-D output, for kernels whose cost is far
//! above one pass over memory (pairwise distances, nearest neighbours,
//! matrix products) and for row-blocked stencils. Tile sizes derive from
//! [`Params::block_bytes`], so one knob moves every kernel's granularity;
//! none of these kernels' results depends on the tiling (each output
//! element is computed whole, in a fixed order).

use ndarray::{ArrayViewMut2, Axis};

use super::blocks::{cut_into, piece, piece_count, piece_lens};
use crate::params::Params;

/// Rows of `row_bytes` bytes each that fit a cache-resident tile: four
/// blocks (256 KiB with the default params).
pub(crate) fn cache_rows(row_bytes: usize, params: &Params) -> usize {
    (4 * params.block_bytes / row_bytes.max(1)).max(1)
}

/// Rows per output block when each row costs `row_work` multiply-adds:
/// about 64 blocks' worth of element operations (4·10⁶ with the default
/// params), enough to dwarf the cost of a task, with several blocks per
/// thread on large inputs. At most `n` (and at least 1).
pub(crate) fn work_rows(n: usize, row_work: usize, params: &Params) -> usize {
    (64 * params.block_bytes / row_work.max(1)).clamp(1, n.max(1))
}

/// Output tile of a matrix product, rows × columns: 256 × 1024 with the
/// default params (2 MiB of f64), one sequential `general_mat_mul` call
/// each.
pub(crate) fn matmul_tile(params: &Params) -> (usize, usize) {
    (
        (params.block_bytes / 256).max(1),
        (params.block_bytes / 64).max(1),
    )
}

/// An `n × m` output cut into nearly equal row blocks of at most `rows`
/// rows and column tiles of at most `cols` columns.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tiles {
    n: usize,
    m: usize,
    row_blocks: usize,
    col_tiles: usize,
}

impl Tiles {
    pub(crate) fn new(n: usize, m: usize, rows: usize, cols: usize) -> Tiles {
        Tiles {
            n,
            m,
            row_blocks: piece_count(n, rows.max(1)),
            col_tiles: piece_count(m, cols.max(1)),
        }
    }

    /// Number of tiles.
    pub(crate) fn count(&self) -> usize {
        self.row_blocks * self.col_tiles
    }

    /// Cuts `out` (`n × m`) into its tiles, row block by row block, each
    /// with the index of its first row and first column.
    pub(crate) fn carve<'a, A>(
        &self,
        out: ArrayViewMut2<'a, A>,
    ) -> Vec<(usize, usize, ArrayViewMut2<'a, A>)> {
        let mut tiles = Vec::with_capacity(self.count());
        let blocks = cut_into(out, Axis(0), piece_lens(self.n, self.row_blocks));
        for (r, block) in blocks.into_iter().enumerate() {
            let i0 = piece(self.n, self.row_blocks, r).start;
            let cols = cut_into(block, Axis(1), piece_lens(self.m, self.col_tiles));
            for (c, tile) in cols.into_iter().enumerate() {
                tiles.push((i0, piece(self.m, self.col_tiles, c).start, tile));
            }
        }
        tiles
    }
}
