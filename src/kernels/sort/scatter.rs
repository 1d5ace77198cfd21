//! The stable parallel scatter shared by the radix sort and the partition:
//! elements moved into groups by class, keeping their order within a group.
//!
//! The input is cut into chunks of a fixed length; each chunk counts its
//! classes, the counts give every (class, chunk) pair its own contiguous
//! run of the output, and each chunk then writes its runs on its own. The
//! output is the one stable grouping, so it does not depend on the chunk
//! length or on the number of threads.

use rayon::prelude::*;

/// Elements per chunk: one task counts and writes one chunk.
const CHUNK_LEN: usize = 1 << 16;

/// Moves `src` into `dst` grouped by `class_of` (each class below
/// `classes`): class 0 first, each class in the order of `src`. Returns
/// the number of elements in each class, or `None`, leaving `dst`
/// untouched, when every element has the same class (the grouping would be
/// a copy).
///
/// `src` and `dst` must have the same length.
pub(super) fn scatter<T, F>(
    src: &[T],
    dst: &mut [T],
    classes: usize,
    class_of: F,
) -> Option<Vec<usize>>
where
    T: Copy + Send + Sync,
    F: Fn(&T) -> usize + Sync,
{
    debug_assert_eq!(src.len(), dst.len());
    let chunks: Vec<&[T]> = src.chunks(CHUNK_LEN).collect();
    let count = |chunk: &&[T]| {
        let mut n = vec![0usize; classes];
        for x in *chunk {
            n[class_of(x)] += 1;
        }
        n
    };
    let counts: Vec<Vec<usize>> = if chunks.len() > 1 {
        chunks.par_iter().map(count).collect()
    } else {
        chunks.iter().map(count).collect()
    };
    let totals: Vec<usize> = (0..classes)
        .map(|k| counts.iter().map(|n| n[k]).sum())
        .collect();
    if totals.contains(&src.len()) {
        return None;
    }
    // The output runs in order: class-major, then chunk.
    let mut runs: Vec<Vec<&mut [T]>> = (0..chunks.len())
        .map(|_| Vec::with_capacity(classes))
        .collect();
    let mut rest = dst;
    for k in 0..classes {
        for (c, n) in counts.iter().enumerate() {
            let (run, tail) = rest.split_at_mut(n[k]);
            runs[c].push(run);
            rest = tail;
        }
    }
    let write = |(chunk, mut runs): (&&[T], Vec<&mut [T]>)| {
        let mut next = vec![0usize; classes];
        for x in *chunk {
            let k = class_of(x);
            runs[k][next[k]] = *x;
            next[k] += 1;
        }
    };
    if chunks.len() > 1 {
        chunks.par_iter().zip(runs).for_each(write);
    } else {
        chunks.iter().zip(runs).for_each(write);
    }
    Some(totals)
}

/// Copies `src` into `dst` (of the same length), in parallel when long.
pub(super) fn copy<T: Copy + Send + Sync>(src: &[T], dst: &mut [T]) {
    dst.par_chunks_mut(CHUNK_LEN)
        .zip(src.par_chunks(CHUNK_LEN))
        .for_each(|(d, s)| d.copy_from_slice(s));
}
