//! The fixed combine tree: which partial results merge with which.
//!
//! Leaves `0..count` (block results, in index order) are grouped into
//! bands of `band` leaves; a node spanning several bands splits at the
//! band boundary nearest its middle (a midpoint tree over the bands), and
//! a node inside one band at its midpoint. With one band this is the plain
//! midpoint tree. The shape depends on `count` and `band` only, never on
//! the thread count, so merging along it gives the same bits on any pool;
//! [`Schedule`](super::Schedule) evaluates it on one machine, and the
//! distributed reductions evaluate the same tree across ranks.

/// The shape of a tree over `count` leaves grouped into bands of `band`
/// leaves.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tree {
    count: usize,
    band: usize,
}

impl Tree {
    /// The plain midpoint tree over `count` leaves.
    pub(crate) fn midpoint(count: usize) -> Tree {
        Tree {
            count,
            band: usize::MAX,
        }
    }

    /// The tree over `count` leaves in bands of `band` (at least 1).
    pub(crate) fn banded(count: usize, band: usize) -> Tree {
        debug_assert!(band >= 1);
        Tree { count, band }
    }

    /// The number of leaves.
    #[cfg(feature = "mpi")]
    pub(crate) fn count(&self) -> usize {
        self.count
    }

    /// Where node `lo..hi` (at least two leaves) splits: at a band
    /// boundary while it spans several bands, else at its midpoint.
    pub(crate) fn split(&self, lo: usize, hi: usize) -> usize {
        debug_assert!(hi - lo >= 2 && hi <= self.count);
        let (first, last) = (lo / self.band, (hi - 1) / self.band);
        if first < last {
            let bands = last + 1 - first;
            (first + bands / 2) * self.band
        } else {
            lo + (hi - lo) / 2
        }
    }

    /// Node `lo..hi` (at least one leaf) evaluated on the calling thread.
    pub(crate) fn fold<T>(
        &self,
        lo: usize,
        hi: usize,
        leaf: &impl Fn(usize) -> T,
        combine: &impl Fn(T, T) -> T,
    ) -> T {
        if hi - lo == 1 {
            return leaf(lo);
        }
        let mid = self.split(lo, hi);
        let left = self.fold(lo, mid, leaf, combine);
        combine(left, self.fold(mid, hi, leaf, combine))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tree's shape written out, e.g. `((0 1) 2)`.
    fn shape(t: &Tree, lo: usize, hi: usize) -> String {
        t.fold(lo, hi, &|i| i.to_string(), &|l, r| format!("({l} {r})"))
    }

    /// A banded tree is a midpoint tree over the bands, each band a
    /// midpoint tree over its leaves.
    #[test]
    fn a_banded_tree_is_a_midpoint_tree_of_midpoint_trees() {
        for count in 1..40usize {
            for band in [1, 2, 3, 5, 8, 32, usize::MAX] {
                let bands = count.div_ceil(band.min(count));
                let b = band.min(count);
                let over = Tree::midpoint(bands);
                let want = over.fold(
                    0,
                    bands,
                    &|k| {
                        let (lo, hi) = (k * b, ((k + 1) * b).min(count));
                        shape(&Tree::midpoint(count), lo, hi)
                    },
                    &|l, r| format!("({l} {r})"),
                );
                let t = Tree::banded(count, band);
                assert_eq!(shape(&t, 0, count), want, "count {count} band {band}");
            }
        }
    }

    #[test]
    fn the_midpoint_tree_halves_at_the_middle() {
        assert_eq!(shape(&Tree::midpoint(5), 0, 5), "((0 1) (2 (3 4)))");
        assert_eq!(shape(&Tree::midpoint(1), 0, 1), "0");
    }
}
