//! ndpar's fixed combine tree, spread over ranks.
//!
//! One machine merges leaf results `0..count` along a fixed tree (see
//! `plan/tree.rs`): leaves grouped in bands,
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
use crate::plan::{Schedule, Tree};

/// The single-machine [`Tree`], evaluated across ranks.
pub(crate) trait OverRanks {
    /// Reduces the leaves `owned` (this rank's run) locally, then merges
    /// every rank's subtrees into the root on every rank. `None` when the
    /// tree has no leaves.
    fn reduce<T, L, C>(
        &self,
        world: &World,
        owned: Range<usize>,
        leaf: L,
        combine: C,
    ) -> Result<Option<T>>
    where
        T: Message + Send,
        L: Fn(usize) -> T + Sync,
        C: Fn(T, T) -> T + Sync;
}

impl OverRanks for Tree {
    fn reduce<T, L, C>(
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
        if self.count() > 0 {
            subtrees(self, 0, self.count(), &owned, &leaf, &combine, &mut mine);
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
        if self.count() == 0 {
            return Ok(None);
        }
        finish(self, 0, self.count(), &mut nodes, &combine).map(Some)
    }
}

/// Appends the maximal subtrees of `lo..hi` that lie inside `owned`,
/// each evaluated here (its halves side by side on this rank's pool).
fn subtrees<T, L, C>(
    tree: &Tree,
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
        let value = Schedule::for_large_leaves(hi - lo).reduce_tree(tree, lo..hi, leaf, combine);
        out.push((lo, hi, value));
        return;
    }
    let mid = tree.split(lo, hi);
    subtrees(tree, lo, mid, owned, leaf, combine, out);
    subtrees(tree, mid, hi, owned, leaf, combine, out);
}

/// The root from the gathered subtrees, merged in the tree's order.
fn finish<T, C>(
    tree: &Tree,
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
    let mid = tree.split(lo, hi);
    let l = finish(tree, lo, mid, nodes, combine)?;
    Ok(combine(l, finish(tree, mid, hi, nodes, combine)?))
}
