//! The crate's only `unsafe` code: building a `Vec<B>` whose parts are
//! written by parallel blocks, without first filling it with dummy values
//! (which would need `B: Default` and cost a pass over memory).
//!
//! Soundness rests on one local argument. The buffer is cut into disjoint
//! slots that together cover it (checked). Each slot is handed to its block
//! through a [`Writer`], which can only write the next unwritten element and
//! counts what it wrote; after the block returns, the count must equal the
//! slot's length (checked, panicking otherwise). So when every block has
//! returned, every element has been written exactly once, and only then is
//! the buffer reinterpreted as initialised. If a block panics, the buffer is
//! dropped as `MaybeUninit` values: already written elements leak (their
//! destructors do not run), which is safe.

use std::mem::{ManuallyDrop, MaybeUninit};

use crate::plan::{Schedule, for_each};

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

    /// Writes `f(x)` for each element of `xs`, in order.
    /// Panics if the slot has less room left than `xs.len()`.
    #[inline]
    pub(crate) fn write_map<A>(&mut self, xs: &[A], f: impl Fn(&A) -> B) {
        let out = &mut self.slot[self.written..self.written + xs.len()];
        for (o, x) in out.iter_mut().zip(xs) {
            o.write(f(x));
        }
        self.written += xs.len();
    }

    /// Writes `f(x, y)` for pairs of equally long `xs` and `ys`, in order.
    #[inline]
    pub(crate) fn write_zip<A, C>(&mut self, xs: &[A], ys: &[C], f: impl Fn(&A, &C) -> B) {
        assert_eq!(xs.len(), ys.len(), "runs of different lengths");
        let out = &mut self.slot[self.written..self.written + xs.len()];
        for ((o, x), y) in out.iter_mut().zip(xs).zip(ys) {
            o.write(f(x, y));
        }
        self.written += xs.len();
    }

    /// Writes `f(x, y, z)` for triples of equally long runs, in order.
    #[inline]
    pub(crate) fn write_zip3<A, C, E>(
        &mut self,
        xs: &[A],
        ys: &[C],
        zs: &[E],
        f: impl Fn(&A, &C, &E) -> B,
    ) {
        let n = xs.len();
        assert!(n == ys.len() && n == zs.len(), "runs of different lengths");
        let out = &mut self.slot[self.written..self.written + n];
        for (((o, x), y), z) in out.iter_mut().zip(xs).zip(ys).zip(zs) {
            o.write(f(x, y, z));
        }
        self.written += n;
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
    let mut buf: Vec<MaybeUninit<B>> = Vec::with_capacity(len);
    buf.resize_with(len, MaybeUninit::uninit);

    let mut jobs = Vec::with_capacity(parts.len());
    let mut rest = &mut buf[..];
    for (item, part_len) in parts {
        let (slot, tail) = rest.split_at_mut(part_len);
        jobs.push((item, slot));
        rest = tail;
    }
    assert!(rest.is_empty(), "parts do not cover the output");

    for_each(
        jobs,
        schedule,
        |(item, slot): (I, &mut [MaybeUninit<B>])| {
            let mut w = Writer { slot, written: 0 };
            fill(item, &mut w);
            assert_eq!(
                w.written,
                w.slot.len(),
                "a block did not write its whole part"
            );
        },
    );

    let mut buf = ManuallyDrop::new(buf);
    let (ptr, len, cap) = (buf.as_mut_ptr(), buf.len(), buf.capacity());
    // SAFETY: the slots partition `buf` (split_at_mut, and `rest` was empty),
    // and every slot's writer wrote each of its elements exactly once, in
    // order (the assertion above checks the count; `Writer` cannot skip or
    // revisit an element). We only get here if no block panicked. So all
    // `len` elements are initialised; `MaybeUninit<B>` has the layout of `B`,
    // and `ptr`, `len`, `cap` come from a `Vec` that we no longer drop.
    #[allow(unsafe_code)]
    unsafe {
        Vec::from_raw_parts(ptr.cast::<B>(), len, cap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_in_order() {
        let parts = vec![(0usize, 3usize), (3, 0), (3, 4)];
        for params in [crate::Params::default(), crate::Params::always_parallel()] {
            let schedule = params.install(|| Schedule::for_len(7, parts.len()));
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
            w.write_map(&[1, 2], |&x| x)
        });
    }
}
