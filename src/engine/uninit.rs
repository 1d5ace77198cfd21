//! The crate's `unsafe` code for memory (with `io/mmap.rs`; `simd.rs`
//! holds the rest, the calls into per-CPU code): building new arrays
//! whose elements are written by parallel blocks, without first filling
//! them with dummy values (which would need `B: Default` or `B: Clone`
//! and cost a pass over memory).
//!
//! Two builders, one argument each:
//!
//! * [`build_vec`]: a `Vec<B>` from consecutive parts. Each part's slot is
//!   handed to its block through a [`Writer`], which can only write the
//!   next unwritten element and counts what it wrote; after the block
//!   returns, the count must equal the slot's length (checked). So when
//!   every block has returned, every element was written exactly once.
//! * [`new_array`]: an array of any memory order whose elements are written
//!   in place through a view of `MaybeUninit<B>`. It is an `unsafe fn`: the
//!   count of writes its closure reports catches a short fill, but only the
//!   caller can promise that every element was written exactly once. Its
//!   callers are the map builders here (`map_new1` … `map_new3`), whose
//!   writes are made by the map driver, which hands every element of the
//!   disjoint blocks that tile the view (blocks come from `split_at`, so
//!   they cannot overlap) to the closure exactly once.
//!
//! In both, the buffer is reinterpreted as initialised only after the
//! checks pass. If a block panics, the buffer is dropped as `MaybeUninit`
//! values: elements already written leak (their destructors do not run),
//! which is safe.

#![allow(unsafe_code)]

use std::mem::{ManuallyDrop, MaybeUninit};

use ndarray::{Array, ArrayView, ArrayViewMut, Dimension, ShapeBuilder};

use super::map::{zip1_into, zip2_into, zip3_into};
use crate::plan::{Layout, Schedule};

/// Sequential writer for one block's slot of the output.
pub(crate) struct Writer<'s, B> {
    slot: &'s mut [MaybeUninit<B>],
    written: usize,
}

impl<B> Writer<'_, B> {
    /// Writes the next element. Panics if the slot is already full.
    #[inline]
    pub(crate) fn push(&mut self, value: B) {
        self.slot[self.written].write(value);
        self.written += 1;
    }
}

/// Builds a `Vec<B>` of `len` elements from consecutive parts.
///
/// `parts` are `(item, part_len)` in output order, with lengths summing to
/// `len`; `fill(item, writer)` must write exactly `part_len` elements
/// through the writer (else it panics). Parts run as `schedule` decides.
pub(crate) fn build_vec<B, I, F>(
    len: usize,
    parts: Vec<(I, usize)>,
    schedule: Schedule,
    fill: F,
) -> Vec<B>
where
    B: Send,
    I: Send,
    F: Fn(I, &mut Writer<'_, B>) + Sync,
{
    let mut buf = uninit_buffer::<B>(len);

    let mut jobs = Vec::with_capacity(parts.len());
    let mut rest = &mut buf[..];
    for (item, part_len) in parts {
        let (slot, tail) = rest.split_at_mut(part_len);
        jobs.push((item, slot));
        rest = tail;
    }
    assert!(rest.is_empty(), "parts do not cover the output");

    schedule.for_each(jobs, |(item, slot): (I, &mut [MaybeUninit<B>])| {
        let mut w = Writer { slot, written: 0 };
        fill(item, &mut w);
        assert_eq!(
            w.written,
            w.slot.len(),
            "a block did not write its whole part"
        );
    });

    // SAFETY: the slots partition `buf` (split_at_mut, and `rest` was
    // empty), and every slot's writer wrote each of its elements exactly
    // once, in order (the assertion above checks the count; `Writer`
    // cannot skip or revisit an element). We only get here if no block
    // panicked. So all `len` elements are initialised.
    unsafe { assume_init_vec(buf) }
}

/// The memory order of a new array.
enum Order<'l> {
    /// Row-major (C order).
    Rows,
    /// Column-major (F order).
    Columns,
    /// The traversal order of a layout (any permutation and flips).
    Like(&'l Layout),
}

/// A new array of shape `dim` in memory order `order` (so a map's output
/// has its input's memory order), filled by `fill`, which returns how many
/// elements it wrote (checked against the length).
///
/// # Safety
///
/// `fill` must write every element of the view it is given, exactly once,
/// with `MaybeUninit::write`. The count it returns cannot prove that (an
/// element written twice and another not at all give the right count), so
/// the caller must: the count only catches a fill that stopped short.
unsafe fn new_array<B, D: Dimension>(
    dim: D,
    order: Order<'_>,
    fill: impl FnOnce(ArrayViewMut<'_, MaybeUninit<B>, D>) -> usize,
) -> Array<B, D> {
    let len = dim.size();
    let mut out = shaped(dim, order, uninit_buffer::<B>(len));
    let written = fill(out.view_mut());
    assert_eq!(written, len, "a map did not write every element");
    // SAFETY: the caller guarantees that `fill` wrote every element exactly
    // once, and it returned, so no block panicked.
    unsafe { out.assume_init() }
}

/// `buf` (one element per place of `dim`) as an array of shape `dim` in
/// memory order `order`.
fn shaped<T, D: Dimension>(dim: D, order: Order<'_>, buf: Vec<T>) -> Array<T, D> {
    match order {
        Order::Rows => Array::from_shape_vec(dim, buf).expect("one slot per element"),
        Order::Columns => Array::from_shape_vec(dim.f(), buf).expect("one slot per element"),
        Order::Like(layout) => {
            let out = layout
                .array_from_traversal(buf)
                .into_dimensionality::<D>()
                .expect("the layout has the shape's number of axes");
            debug_assert_eq!(out.shape(), dim.slice());
            out
        }
    }
}

/// A new array of zeros (default values) of shape `dim`, in the memory
/// order of `layout` (row-major for `None`), for a kernel that overwrites
/// it: a large one is fresh, untouched memory (see [`scratch`]).
pub(crate) fn zeroed_array<B: Copy + Default, D: Dimension>(
    dim: D,
    layout: Option<&Layout>,
) -> Array<B, D> {
    let len = dim.size();
    shaped(dim, order_of(layout), scratch(len))
}

/// The memory order of a new output: `layout`'s traversal order, or row
/// major for `None`.
fn order_of(layout: Option<&Layout>) -> Order<'_> {
    match layout {
        None => Order::Rows,
        Some(l) if l.is_column_major_order() => Order::Columns,
        Some(l) => Order::Like(l),
    }
}

/// Generates the builders of new arrays from one to three inputs: the map
/// driver visits every element of the output once, and the closure here
/// writes it, so `new_array`'s contract holds by construction.
macro_rules! map_new {
    ($name:ident, $zip:ident; $($A:ident $a:ident),*) => {
        /// A new array of shape `dim`, in the memory order of `layout`
        /// (row-major for `None`), holding `f` of the matching elements of
        /// the inputs (each of shape `dim`).
        #[allow(clippy::extra_unused_lifetimes)]
        pub(crate) fn $name<'v, B, D, $($A,)* F>(
            dim: D,
            layout: Option<&Layout>,
            inputs: ($(ArrayView<'v, $A, D>,)*),
            f: F,
        ) -> Array<B, D>
        where
            B: Send,
            D: Dimension,
            $($A: Sync,)*
            F: Fn($(&$A),*) -> B + Sync,
        {
            let fill = |out: ArrayViewMut<'_, MaybeUninit<B>, D>| {
                $zip(out, inputs, |o: &mut MaybeUninit<B>, $($a: &$A),*| {
                    o.write(f($($a),*));
                })
            };
            // SAFETY: the map driver hands every element of the view to
            // the closure exactly once (its blocks come from `split_at`
            // and tile the view), and the closure writes each of them.
            unsafe { new_array(dim, order_of(layout), fill) }
        }
    };
}

map_new!(map_new1, zip1_into; A a);
map_new!(map_new2, zip2_into; A a, C c);
map_new!(map_new3, zip3_into; A a, C c, E e);

/// `len` uninitialised slots for a new output: a panic (which a caller can
/// catch), not an abort, when they cannot be allocated.
fn uninit_buffer<B>(len: usize) -> Vec<MaybeUninit<B>> {
    let mut buf: Vec<MaybeUninit<B>> = Vec::new();
    if buf.try_reserve_exact(len).is_err() {
        panic!(
            "cannot allocate an output of {len} elements of {} bytes",
            size_of::<B>()
        );
    }
    buf.resize_with(len, MaybeUninit::uninit);
    advise_huge_pages(&mut buf);
    buf
}

/// Outputs of at least this many bytes ask for transparent huge pages.
const HUGE_MIN_BYTES: usize = 4 << 20;
/// The size of a transparent huge page on x86-64 and most aarch64 Linux.
const HUGE_PAGE: usize = 2 << 20;

/// Asks Linux to back the 2 MiB-aligned interior of a large new buffer
/// with transparent huge pages, as numpy does for large arrays: where the
/// system grants them only on request (`madvise` mode), a fresh output
/// then costs one page fault per 2 MiB instead of one per 4 KiB. Its first
/// touch is the kernel's own parallel writes, so the pages are spread over
/// the threads that write them. Elsewhere, and where the advice is refused,
/// nothing changes.
fn advise_huge_pages<B>(buf: &mut Vec<B>) {
    let bytes = buf.capacity().saturating_mul(size_of::<B>());
    if bytes < HUGE_MIN_BYTES {
        return;
    }
    #[cfg(target_os = "linux")]
    {
        let start = buf.as_mut_ptr() as usize;
        let lo = start.next_multiple_of(HUGE_PAGE);
        let hi = (start + bytes) / HUGE_PAGE * HUGE_PAGE;
        if lo < hi {
            // SAFETY: `lo..hi` lies inside the allocation that `buf` owns
            // (and is page aligned). MADV_HUGEPAGE changes only how the
            // kernel backs those pages, never their contents or the
            // mapping; an error (EINVAL where huge pages are off, or for
            // memory a custom allocator took from a file) changes nothing,
            // so it is ignored.
            unsafe {
                libc::madvise(lo as *mut libc::c_void, hi - lo, libc::MADV_HUGEPAGE);
            }
        }
    }
}

/// A buffer of `len` default values (zeros) that a kernel overwrites
/// completely before reading it: the scratch of a radix sort, the output
/// of a partition's scatter. Zeros of a primitive type come from the
/// allocator's zeroed memory, which a large buffer gets as fresh pages
/// not yet touched (asked to be huge pages): the kernel's own parallel
/// writes map them, and no pass fills the buffer first.
pub(crate) fn scratch<T: Copy + Default>(len: usize) -> Vec<T> {
    // `vec!` aborts the process when memory runs out, and there is no
    // stable fallible zeroed allocation: a reservation (never touched,
    // released at once) turns that case into a panic first.
    let mut buf: Vec<T> = Vec::new();
    if buf.try_reserve_exact(len).is_err() {
        panic!(
            "cannot allocate a buffer of {len} elements of {} bytes",
            size_of::<T>()
        );
    }
    drop(buf);
    // `vec!` of a zero primitive allocates zeroed memory (no writes).
    let mut buf = vec![T::default(); len];
    advise_huge_pages(&mut buf);
    buf
}

/// # Safety
///
/// Every element of `buf` must be initialised.
unsafe fn assume_init_vec<B>(buf: Vec<MaybeUninit<B>>) -> Vec<B> {
    let mut buf = ManuallyDrop::new(buf);
    let (ptr, len, cap) = (buf.as_mut_ptr(), buf.len(), buf.capacity());
    // SAFETY: the caller guarantees every element is initialised;
    // `MaybeUninit<B>` has the layout of `B`, and `ptr`, `len`, `cap` come
    // from a `Vec` that we no longer drop.
    unsafe { Vec::from_raw_parts(ptr.cast::<B>(), len, cap) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_in_order() {
        let parts = vec![(0usize, 3usize), (3, 0), (3, 4)];
        for params in [crate::Params::default(), crate::Params::always_parallel()] {
            let schedule = Schedule::new(params, 7, parts.len());
            let v: Vec<String> = build_vec(7, parts.clone(), schedule, |start, w| {
                for i in 0..w.slot.len() {
                    w.push((start + i).to_string());
                }
            });
            assert_eq!(v, ["0", "1", "2", "3", "4", "5", "6"]);
        }
    }

    #[test]
    #[should_panic(expected = "did not write its whole part")]
    fn short_part_panics_instead_of_exposing_uninit_memory() {
        let _: Vec<u32> = build_vec(2, vec![((), 2)], Schedule::for_len(2, 1), |(), w| w.push(1));
    }

    #[test]
    #[should_panic]
    fn overlong_part_panics() {
        let _: Vec<u32> = build_vec(1, vec![((), 1)], Schedule::for_len(1, 1), |(), w| {
            w.push(1);
            w.push(2);
        });
    }

    #[test]
    #[should_panic(expected = "parts do not cover")]
    fn uncovered_output_panics() {
        let _: Vec<u32> = build_vec(3, vec![((), 2)], Schedule::for_len(3, 1), |(), w| {
            w.push(1);
            w.push(2);
        });
    }

    #[test]
    #[should_panic(expected = "did not write every element")]
    fn a_short_array_fill_panics() {
        let fill = |mut v: ArrayViewMut<'_, MaybeUninit<String>, ndarray::Ix2>| {
            v[[0, 0]].write("only one".to_string());
            1
        };
        // SAFETY: not upheld on purpose; the count check panics first.
        let _: Array<String, ndarray::Ix2> =
            unsafe { new_array(ndarray::Ix2(2, 2), Order::Rows, fill) };
    }
}
