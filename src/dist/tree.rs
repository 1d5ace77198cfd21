//! ndpar's fixed combine tree, spread over ranks.
//!
//! One machine merges leaf results `0..count` along a fixed tree (see
//! `plan/schedule.rs` and `engine/whole.rs`): leaves grouped in bands,
//! a midpoint tree over bands, a midpoint tree inside each band. Here each
//! rank owns a run of leaves; it evaluates every subtree that lies wholly
//! in its run (at most about two per tree level) and every rank receives
//! all of them. Each rank then finishes the few nodes above, in the same
//! order as one machine would, so the result has the same bits as the
//! single-machine tree for any number of ranks.

use std::collections::HashMap;
use std::ops::Range;

use super::World;
use super::message::{Message, malformed};
use crate::error::Result;

/// The shape of a tree over `count` leaves grouped into bands of `band`
/// leaves (`usize::MAX`: one band, a plain midpoint tree).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tree {
    pub(crate) count: usize,
    pub(crate) band: usize,
}

impl Tree {
    /// A plain midpoint tree (`Schedule::tree_reduce`).
    pub(crate) fn midpoint(count: usize) -> Tree {
        Tree {
            count,
            band: usize::MAX,
        }
    }

    /// Where node `lo..hi` (at least two leaves) splits: at a band
    /// boundary while it spans several bands, else at its midpoint.
    fn split(&self, lo: usize, hi: usize) -> usize {
        let (first, last) = (lo / self.band, (hi - 1) / self.band);
        if first < last {
            let bands = last + 1 - first;
            (first + bands / 2) * self.band
        } else {
            lo + (hi - lo) / 2
        }
    }

    /// Reduces the leaves `owned` (this rank's run) locally, then merges
    /// every rank's subtrees into the root on every rank. `None` when the
    /// tree has no leaves.
    pub(crate) fn reduce<T, L, C>(
        &self,
        world: &World,
        owned: Range<usize>,
        leaf: L,
        combine: C,
    ) -> Result<Option<T>>
    where
        T: Message + Send,
        L: Fn(usize) -> T + Sync,
        C: Fn(T, T) -> T + Sync,
    {
        let mut mine = Vec::new();
        if self.count > 0 {
            self.subtrees(0, self.count, &owned, &leaf, &combine, &mut mine);
        }
        let mut bytes = Vec::new();
        mine.encode(&mut bytes);
        let mut nodes = HashMap::new();
        for part in world.all_gather_bytes(&bytes)? {
            let theirs = Vec::<(usize, usize, T)>::decode(&mut &part[..])?;
            for (lo, hi, value) in theirs {
                nodes.insert((lo, hi), value);
            }
        }
        if self.count == 0 {
            return Ok(None);
        }
        self.finish(0, self.count, &mut nodes, &combine).map(Some)
    }

    /// Appends the maximal subtrees of `lo..hi` that lie inside `owned`.
    fn subtrees<T, L, C>(
        &self,
        lo: usize,
        hi: usize,
        owned: &Range<usize>,
        leaf: &L,
        combine: &C,
        out: &mut Vec<(usize, usize, T)>,
    ) where
        T: Send,
        L: Fn(usize) -> T + Sync,
        C: Fn(T, T) -> T + Sync,
    {
        if hi <= owned.start || owned.end <= lo {
            return;
        }
        if owned.start <= lo && hi <= owned.end {
            out.push((lo, hi, self.local(lo, hi, leaf, combine)));
            return;
        }
        let mid = self.split(lo, hi);
        self.subtrees(lo, mid, owned, leaf, combine, out);
        self.subtrees(mid, hi, owned, leaf, combine, out);
    }

    /// Node `lo..hi` evaluated here, its halves in parallel. The leaves
    /// fold slices with the engine's loops, which read no `Params`, so
    /// plain `rayon::join` is enough.
    fn local<T, L, C>(&self, lo: usize, hi: usize, leaf: &L, combine: &C) -> T
    where
        T: Send,
        L: Fn(usize) -> T + Sync,
        C: Fn(T, T) -> T + Sync,
    {
        if hi - lo == 1 {
            return leaf(lo);
        }
        let mid = self.split(lo, hi);
        let (l, r) = rayon::join(
            || self.local(lo, mid, leaf, combine),
            || self.local(mid, hi, leaf, combine),
        );
        combine(l, r)
    }

    /// The root from the gathered subtrees, merged in the tree's order.
    fn finish<T, C>(
        &self,
        lo: usize,
        hi: usize,
        nodes: &mut HashMap<(usize, usize), T>,
        combine: &C,
    ) -> Result<T>
    where
        C: Fn(T, T) -> T,
    {
        if let Some(v) = nodes.remove(&(lo, hi)) {
            return Ok(v);
        }
        if hi - lo <= 1 {
            return Err(malformed("no rank reduced one of the leaves"));
        }
        let mid = self.split(lo, hi);
        let l = self.finish(lo, mid, nodes, combine)?;
        Ok(combine(l, self.finish(mid, hi, nodes, combine)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The single-machine shape: bands by a midpoint tree, then a midpoint
    /// tree inside each band, written as `engine/whole.rs` does.
    fn reference(count: usize, band: usize) -> String {
        fn mid(lo: usize, hi: usize, leaf: &dyn Fn(usize) -> String) -> String {
            if hi - lo == 1 {
                return leaf(lo);
            }
            let m = lo + (hi - lo) / 2;
            format!("({} {})", mid(lo, m, leaf), mid(m, hi, leaf))
        }
        let bands = count.div_ceil(band);
        mid(0, bands, &|b| {
            mid(b * band, ((b + 1) * band).min(count), &|i| i.to_string())
        })
    }

    fn shape(t: &Tree, lo: usize, hi: usize) -> String {
        if hi - lo == 1 {
            return lo.to_string();
        }
        let m = t.split(lo, hi);
        format!("({} {})", shape(t, lo, m), shape(t, m, hi))
    }

    #[test]
    fn the_split_rule_is_the_single_machine_tree() {
        for count in 1..40 {
            for band in [1, 2, 3, 5, 8, 32, usize::MAX] {
                let t = Tree { count, band };
                let want = reference(count, band.min(count));
                assert_eq!(shape(&t, 0, count), want, "count {count} band {band}");
            }
        }
    }
}
