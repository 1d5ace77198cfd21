//! [`BlockPlan`]: how ndpar cuts an array, for users who want to reason
//! about or reproduce results.

use std::ops::Range;

use ndarray::{ArrayRef, Dimension};

use crate::params::Params;
use crate::plan::{WholePlan, reduce_block_len};

/// How an array is, or would be, cut into blocks: a list of index ranges,
/// in block order.
///
/// * [`BlockPlan::along`]: the blocks of the block kernels
///   ([`par_map_blocks`](crate::blocks::ParBlocks::par_map_blocks) and
///   friends), as index ranges along the blocked axis.
/// * [`BlockPlan::of`]: the blocks every whole-array reduction uses for an
///   array under the current [`Params`](crate::Params), as ranges of
///   positions in the array's memory-order traversal (the order the
///   array's memory is walked front to back). Float results depend on
///   these boundaries and on nothing else, so the same plan means the same
///   bits.
///
/// ```
/// use ndpar::BlockPlan;
/// let p = BlockPlan::along(10, 4);
/// assert_eq!(p.len(), 3);
/// assert_eq!(p.iter().collect::<Vec<_>>(), vec![0..4, 4..8, 8..10]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockPlan {
    ranges: Vec<Range<usize>>,
}

impl BlockPlan {
    /// Blocks of `block_len` along an axis of length `len`: `[0, block_len)`,
    /// `[block_len, 2·block_len)`, …, the last one shorter if `block_len`
    /// does not divide `len`.
    ///
    /// # Panics
    ///
    /// If `block_len` is 0.
    ///
    /// ```
    /// use ndpar::BlockPlan;
    /// assert_eq!(BlockPlan::along(8, 4).block(1), 4..8);
    /// assert!(BlockPlan::along(0, 4).is_empty());
    /// ```
    #[track_caller]
    pub fn along(len: usize, block_len: usize) -> BlockPlan {
        crate::check::block_len("BlockPlan::along", block_len);
        let ranges = (0..len.div_ceil(block_len))
            .map(|b| b * block_len..(b + 1).saturating_mul(block_len).min(len))
            .collect();
        BlockPlan { ranges }
    }

    /// The blocks whole-array reductions (`par_sum`, `par_var`, …) use for
    /// `a` under the current params, as ranges of memory-order positions.
    ///
    /// ```
    /// use ndpar::{BlockPlan, Params};
    /// use ndarray::Array1;
    ///
    /// let a = Array1::<f64>::zeros(100);
    /// let p = Params::default().with_block_bytes(8 * 30).install(|| BlockPlan::of(&a));
    /// assert_eq!(p.len(), 4); // nearly equal blocks of at most 30 elements
    /// assert_eq!(p.iter().map(|r| r.len()).sum::<usize>(), 100);
    /// ```
    pub fn of<A, D: Dimension>(a: &ArrayRef<A, D>) -> BlockPlan {
        let params = Params::current();
        let plan = WholePlan::new(
            a.shape(),
            &[a.strides()],
            a.as_slice_memory_order().is_some(),
            reduce_block_len(&params, size_of::<A>()),
            params,
        );
        BlockPlan {
            ranges: (0..plan.count()).map(|b| plan.range(b)).collect(),
        }
    }

    /// Number of blocks.
    ///
    /// ```
    /// assert_eq!(ndpar::BlockPlan::along(5, 2).len(), 3);
    /// ```
    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    /// Whether there are no blocks (an empty array or axis).
    ///
    /// ```
    /// assert!(!ndpar::BlockPlan::along(5, 2).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// The range of block `i`.
    ///
    /// # Panics
    ///
    /// If `i >= self.len()`.
    ///
    /// ```
    /// assert_eq!(ndpar::BlockPlan::along(5, 2).block(2), 4..5);
    /// ```
    #[track_caller]
    pub fn block(&self, i: usize) -> Range<usize> {
        self.ranges[i].clone()
    }

    /// The ranges of all blocks, in order.
    ///
    /// ```
    /// let total: usize = ndpar::BlockPlan::along(7, 3).iter().map(|r| r.len()).sum();
    /// assert_eq!(total, 7);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = Range<usize>> + '_ {
        self.ranges.iter().cloned()
    }
}
