//! The stable parallel scatter shared by the radix sort, the selection and
//! the partitions: elements moved into groups by class, keeping their
//! order within a group.
//!
//! The input is cut into chunks of a fixed length; each chunk counts its
//! classes, the counts give every (class, chunk) pair its own contiguous
//! run of the output, and each chunk then writes its runs on its own. The
//! output is the one stable grouping, so it does not depend on the chunk
//! length or on the number of threads.

use crate::plan::Schedule;

/// Elements per chunk of a pass over `len` elements: one task handles one
/// chunk. About 64 chunks, so that the schedule's timed first chunk is a
/// small part of the pass, but never fewer than 4 Ki elements (a task's
/// fixed cost) nor more than 64 Ki (a chunk stays in cache). The length
/// depends on `len` only, and no result depends on it.
pub(super) fn chunk_len(len: usize) -> usize {
    (len / 64).clamp(1 << 12, 1 << 16)
}

/// Moves `src` into `dst` grouped by `class_of`, its passes run as
/// `schedule` says (each class below
/// `classes`): class 0 first, each class in the order of `src`. Returns
/// the number of elements in each class, or `None`, leaving `dst`
/// untouched, when every element has the same class (the grouping would be
/// a copy).
///
/// `src` and `dst` must have the same length.
pub(crate) fn scatter<T, F>(
    schedule: &Schedule,
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
    // A chunk keeps a count per class: at least four elements a count.
    let chunk = chunk_len(src.len()).max(classes.saturating_mul(4));
    let chunks: Vec<&[T]> = src.chunks(chunk).collect();
    let counts: Vec<Vec<usize>> = schedule.map_collect(chunks.len(), |c| {
        let mut n = vec![0usize; classes];
        for x in chunks[c] {
            n[class_of(x)] += 1;
        }
        n
    });
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
    let items: Vec<(&[T], Vec<&mut [T]>)> = chunks.into_iter().zip(runs).collect();
    schedule.for_each(items, |(chunk, mut runs)| {
        let mut next = vec![0usize; classes];
        for x in chunk {
            let k = class_of(x);
            runs[k][next[k]] = *x;
            next[k] += 1;
        }
    });
    Some(totals)
}

/// Copies `src` into `dst` (of the same length), in chunks as `schedule`
/// says.
pub(crate) fn copy<T: Copy + Send + Sync>(schedule: &Schedule, src: &[T], dst: &mut [T]) {
    let chunk = chunk_len(src.len());
    let items: Vec<(&mut [T], &[T])> = dst.chunks_mut(chunk).zip(src.chunks(chunk)).collect();
    schedule.for_each(items, |(d, s)| d.copy_from_slice(s));
}
