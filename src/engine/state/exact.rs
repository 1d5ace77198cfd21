//! Exact sums and dot products: [`ExactSum`] and [`ExactDot`].

use std::fmt;
use std::marker::PhantomData;

use super::codec::{Kind, Reader, Writer, eq_by_encoding};
use super::superacc::{
    Class, DOT_CARRY_EVERY, DOT_SCALE, DOT_SLOTS, Rounding, SUM_CARRY_EVERY, SUM_SCALE, SUM_SLOTS,
    add_product, add_slots, add_sum_bits, carry, classify, divide, magnitude, round_to_f64,
};
use crate::element::Float;
use crate::error::Result;
use crate::simd;

/// Values per batch of the fast path: the split sums below are exact for
/// up to 2^11 values, and a batch must fit the accumulator's carry budget.
const SPLIT_BATCH: usize = 1024;
/// Independent partial sums per split level: enough to fill two AVX-512
/// registers (or eight SSE2 ones) and hide the additions' latency. The
/// partial sums are exact, so their number does not change the result.
const SPLIT_LANES: usize = 16;

/// Adds a batch of at most [`SPLIT_BATCH`] values to a carried sum
/// accumulator by error-free splitting (Rump, Ogita & Oishi's
/// ExtractVector), or returns `false` (having added nothing) when the
/// batch is not suitable.
///
/// With `M` the largest magnitude and `σ = 2^k ≥ 2^11 · M`, the values
/// `q = fl(fl(σ + x) − σ)` are multiples of `2^-53 σ` with `|q| ≤ 2^-11 σ`,
/// and `r = x − q` is exact with `|r| ≤ 2^-53 σ`. Any sum of at most 2^11
/// such `q` stays a multiple of `2^-53 σ` below `σ`, so floating-point
/// addition computes it exactly. A second level splits the `r` the same
/// way with `σ' = 2^-42 σ`. What is left (bits more than 84 below `M`) is
/// usually zero and is added value by value when it is not. The batch is
/// refused (`None`) when `M` is subnormal, too close to overflow for `σ`,
/// or so small that `σ'`'s unit would leave the normal range, and when it
/// holds an infinity or NaN (the partial sums are then not finite).
/// Otherwise it returns how many values it added to `slots`.
///
/// `σ` comes from `guess`, the exponent of the previous batch's largest
/// magnitude, so that one pass both splits and finds `M`; only a batch
/// whose `M` exceeds the guess is split again with its own `σ` (a second
/// pass). Either way `guess` becomes this batch's exponent.
fn split_batch<A: Float>(slots: &mut [i64; SUM_SLOTS], xs: &[A], guess: &mut u64) -> Option<usize> {
    debug_assert!(xs.len() <= SPLIT_BATCH);
    if usable(*guess) {
        let split = Split::of(xs, *guess);
        let exp = split.max.to_bits() >> 52;
        if exp <= *guess && split.finite() {
            let adds = split.commit(slots, xs, *guess);
            if usable(exp) {
                *guess = exp;
            }
            return Some(adds);
        }
    }
    let m = xs
        .iter()
        .map(|x| x.to_f64_exact().abs())
        .fold(0f64, |m, a| if a > m { a } else { m });
    if m == 0.0 {
        // All zeros (or NaN hidden from the comparisons): zeros add
        // nothing; a NaN needs the slow path.
        return xs.iter().all(|x| x.to_f64_exact() == 0.0).then_some(0);
    }
    let exp = m.to_bits() >> 52;
    if !usable(exp) {
        return None;
    }
    *guess = exp;
    let split = Split::of(xs, exp);
    split.finite().then(|| split.commit(slots, xs, exp))
}

/// A first guess at the largest exponent of `xs`: one above that of 16
/// evenly spaced samples (a guess too low costs one more pass over a
/// batch, never a wrong sum).
fn first_guess<A: Float>(xs: &[A]) -> u64 {
    let step = (xs.len() / 16).max(1);
    let m = xs
        .iter()
        .step_by(step)
        .map(|x| x.to_f64_exact().abs())
        .fold(0f64, |m, a| if a > m { a } else { m });
    ((m.to_bits() >> 52) + 1).min(2034)
}

/// Whether a largest magnitude with this biased exponent can be split:
/// `σ = 2^(exp + 12)` must be finite and `σ'`'s unit `2^(exp − 83)` normal.
fn usable(exp: u64) -> bool {
    (84..=2034).contains(&exp)
}

/// One pass of the two-level splitting of a batch, for the largest
/// exponent `exp`.
struct Split {
    high: [f64; SPLIT_LANES],
    low: [f64; SPLIT_LANES],
    /// Whether the two levels left anything over.
    left: bool,
    /// The largest magnitude seen (the comparisons skip NaN).
    max: f64,
}

impl Split {
    /// The pass, at the CPU's vector level: the partial sums are exact in
    /// any order, so neither the level nor the number of lanes changes
    /// them.
    fn of<A: Float>(xs: &[A], exp: u64) -> Split {
        simd::dispatch(
            #[inline(always)]
            || Split::of_at_level(xs, exp),
        )
    }

    #[inline(always)]
    fn of_at_level<A: Float>(xs: &[A], exp: u64) -> Split {
        let mut lanes = SplitLanes {
            sigma1: f64::from_bits((exp + 12) << 52),
            sigma2: f64::from_bits((exp - 30) << 52),
            high: [0.0; SPLIT_LANES],
            low: [0.0; SPLIT_LANES],
            left: [0; SPLIT_LANES],
            maxes: [0.0; SPLIT_LANES],
        };
        let mut chunks = xs.chunks_exact(SPLIT_LANES);
        for c in &mut chunks {
            lanes.add(std::array::from_fn(|i| c[i].to_f64_exact()));
        }
        // The tail, padded with zeros (which add nothing).
        let tail = chunks.remainder();
        lanes.add(std::array::from_fn(|i| {
            tail.get(i).map_or(0.0, |x| x.to_f64_exact())
        }));
        Split {
            high: lanes.high,
            low: lanes.low,
            left: lanes.left.iter().any(|&b| b != 0),
            max: lanes
                .maxes
                .iter()
                .fold(0f64, |m, &a| if a > m { a } else { m }),
        }
    }

    fn finite(&self) -> bool {
        self.high.iter().chain(&self.low).all(|v| v.is_finite())
    }

    /// Adds the exact partial sums, and what the two levels left over;
    /// returns how many values that was, at most.
    fn commit<A: Float>(&self, slots: &mut [i64; SUM_SLOTS], xs: &[A], exp: u64) -> usize {
        for v in self.high.iter().chain(&self.low) {
            add_sum_bits(slots, v.to_bits());
        }
        if !self.left {
            return 2 * SPLIT_LANES;
        }
        let sigma1 = f64::from_bits((exp + 12) << 52);
        let sigma2 = f64::from_bits((exp - 30) << 52);
        for &x in xs {
            let x = x.to_f64_exact();
            let q1 = (sigma1 + x) - sigma1;
            let r1 = x - q1;
            let q2 = (sigma2 + r1) - sigma2;
            let r2 = r1 - q2;
            if r2 != 0.0 {
                add_sum_bits(slots, r2.to_bits());
            }
        }
        2 * SPLIT_LANES + xs.len()
    }
}

/// The running state of [`Split::of`], one lane per value of a group.
struct SplitLanes {
    sigma1: f64,
    sigma2: f64,
    high: [f64; SPLIT_LANES],
    low: [f64; SPLIT_LANES],
    /// The remainders' bits, sign dropped, or-ed: zero when nothing is
    /// left.
    left: [u64; SPLIT_LANES],
    maxes: [f64; SPLIT_LANES],
}

impl SplitLanes {
    /// One group of values: each step is one uniform operation on all
    /// lanes, so the loop stays in vector registers.
    #[inline(always)]
    fn add(&mut self, x: [f64; SPLIT_LANES]) {
        let (s1, s2) = (self.sigma1, self.sigma2);
        let q1 = x.map(|x| (s1 + x) - s1);
        let r1: [f64; SPLIT_LANES] = std::array::from_fn(|i| x[i] - q1[i]);
        let q2 = r1.map(|r| (s2 + r) - s2);
        for i in 0..SPLIT_LANES {
            self.high[i] += q1[i];
            self.low[i] += q2[i];
            self.left[i] |= (r1[i] - q2[i]).to_bits() << 1;
            let a = x[i].abs();
            self.maxes[i] = if a > self.maxes[i] { a } else { self.maxes[i] };
        }
    }
}

/// Infinities and NaN seen so far: they follow IEEE rules, apart from the
/// finite part.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Specials {
    pos_inf: bool,
    neg_inf: bool,
    nan: bool,
}

impl Specials {
    fn see_inf(&mut self, neg: bool) {
        if neg {
            self.neg_inf = true;
        } else {
            self.pos_inf = true;
        }
    }

    fn merge(&mut self, other: Specials) {
        self.pos_inf |= other.pos_inf;
        self.neg_inf |= other.neg_inf;
        self.nan |= other.nan;
    }

    /// The IEEE result when anything special was seen: NaN for a NaN or
    /// for +inf and -inf together, else the infinity.
    fn value(self) -> Option<f64> {
        match (
            self.nan || (self.pos_inf && self.neg_inf),
            self.pos_inf,
            self.neg_inf,
        ) {
            (true, _, _) => Some(f64::NAN),
            (false, true, _) => Some(f64::INFINITY),
            (false, _, true) => Some(f64::NEG_INFINITY),
            _ => None,
        }
    }

    fn encode(self) -> u8 {
        u8::from(self.pos_inf) | (u8::from(self.neg_inf) << 1) | (u8::from(self.nan) << 2)
    }

    fn decode(flags: u8) -> Option<Specials> {
        (flags < 8).then_some(Specials {
            pos_inf: flags & 1 != 0,
            neg_inf: flags & 2 != 0,
            nan: flags & 4 != 0,
        })
    }
}

/// The rounding that makes `A` correct after the rounding to f64.
fn rounding_for<A: Float>() -> Rounding {
    if A::NARROWER_THAN_F64 {
        Rounding::Odd
    } else {
        Rounding::NearestEven
    }
}

/// What both exact accumulators hold: the slots (carried lazily), the adds
/// since the last carry, the count and the infinities and NaN seen.
#[derive(Clone)]
struct Acc<const N: usize> {
    slots: [i64; N],
    pending: u32,
    count: u64,
    specials: Specials,
}

impl<const N: usize> Acc<N> {
    fn new() -> Self {
        Acc {
            slots: [0; N],
            pending: 0,
            count: 0,
            specials: Specials::default(),
        }
    }

    /// Counts one more add, carrying first when `every` adds are pending.
    #[inline(always)]
    fn before_add(&mut self, every: u32) {
        self.count += 1;
        if self.pending == every {
            carry(&mut self.slots);
            self.pending = 0;
        }
        self.pending += 1;
    }

    fn merge(&mut self, other: &Self) {
        carry(&mut self.slots);
        let mut theirs = other.slots;
        carry(&mut theirs);
        add_slots(&mut self.slots, &theirs);
        self.pending = 0;
        self.count += other.count;
        self.specials.merge(other.specials);
    }

    /// The exact value (`digits · 2^-scale`) divided by `n`, rounded once to
    /// `A`; the IEEE special value when infinities or NaN were seen.
    fn rounded<A: Float>(&self, n: u64, scale: u32) -> A {
        if let Some(special) = self.specials.value() {
            return A::from_f64_nearest(special);
        }
        let (neg, mut digits) = magnitude(&self.slots);
        let sticky = n > 1 && divide(&mut digits, n);
        A::from_f64_nearest(round_to_f64(
            neg,
            &digits,
            sticky,
            scale,
            rounding_for::<A>(),
        ))
    }

    /// The encoding: count, specials, carried slots.
    fn to_bytes(&self, kind: Kind, elem_size: usize) -> Vec<u8> {
        let mut slots = self.slots;
        carry(&mut slots);
        let mut w = Writer::new(kind, elem_size);
        w.u64(self.count);
        w.u8(self.specials.encode());
        for s in slots {
            w.i64(s);
        }
        w.finish()
    }

    /// Decodes [`Acc::to_bytes`] into `self` (a fresh accumulator).
    fn read(&mut self, bytes: &[u8], kind: Kind, elem_size: usize) -> Result<()> {
        let mut r = Reader::new(bytes, kind, elem_size)?;
        self.count = r.u64()?;
        self.specials = Specials::decode(r.u8()?).ok_or_else(|| r.bad("unknown flags"))?;
        for s in self.slots.iter_mut() {
            *s = r.i64()?;
        }
        r.end()?;
        carried_or_err(&self.slots, &r)
    }
}

/// The exact sum of a stream of floats, rounded once at the end.
///
/// An `ExactSum` holds the sum of everything added to it *exactly*, in a
/// fixed-point integer of 67 × 32 bits that covers every f64 (Neal's small
/// superaccumulator), so its [`sum`](ExactSum::sum) is the correctly
/// rounded value of the real sum: the same whatever the order, grouping,
/// blocking, memory layout, thread count or machine. `merge` is exact,
/// associative and commutative, so partial sums of chunks, of saved runs or
/// of other processes combine into the one-pass result.
///
/// * Infinities and NaN follow IEEE rules: any NaN, or both `+inf` and
///   `-inf`, gives NaN; otherwise an infinity wins.
/// * A finite sum whose correctly rounded value is beyond the type's
///   largest finite value overflows to `±inf` at the final rounding (and
///   only then: `MAX + MAX - MAX` is `MAX`).
/// * An exact zero is `+0.0`, as numpy's and Python's `math.fsum` give for
///   sums of zeros of either sign.
/// * f32 values are summed exactly too, and rounded once to f32.
///
/// ```
/// use ndpar::state::ExactSum;
///
/// let mut s = ExactSum::<f64>::new();
/// s.extend(&[1e100, 1.0, -1e100]);
/// assert_eq!(s.sum(), 1.0); // a plain sum gives 0
/// let mut t = ExactSum::new();
/// t.add(0.5);
/// s.merge(&t);
/// assert_eq!(s.sum(), 1.5);
/// assert_eq!(s.count(), 4);
/// assert_eq!(s.mean(), Some(0.375));
/// // A stable encoding, to save or send a partial sum:
/// let back = ExactSum::<f64>::from_bytes(&s.to_bytes()).unwrap();
/// assert_eq!(back, s);
/// ```
#[derive(Clone)]
pub struct ExactSum<A> {
    acc: Acc<SUM_SLOTS>,
    _type: PhantomData<A>,
}

impl<A: Float> Default for ExactSum<A> {
    fn default() -> Self {
        ExactSum::new()
    }
}

impl<A: Float> ExactSum<A> {
    /// The empty sum (0).
    pub fn new() -> Self {
        ExactSum {
            acc: Acc::new(),
            _type: PhantomData,
        }
    }

    /// Adds one value.
    #[inline]
    pub fn add(&mut self, x: A) {
        self.acc.before_add(SUM_CARRY_EVERY);
        let bits = x.to_f64_exact().to_bits();
        if !add_sum_bits(&mut self.acc.slots, bits) {
            self.see_special(bits);
        }
    }

    /// Adds every value of `xs`.
    ///
    /// Batches of up to 1024 values take a fast path when their magnitudes
    /// allow it (Rump, Ogita & Oishi's error-free splitting): two splittings turn the
    /// batch into a few floating-point partial sums that are exact by
    /// construction, so only those (and the rare values with bits beyond
    /// 84 bits below the batch's largest) reach the superaccumulator.
    /// Other batches, and any batch holding an infinity or NaN, are added
    /// value by value.
    pub fn extend(&mut self, xs: &[A]) {
        self.acc.count += xs.len() as u64;
        carry(&mut self.acc.slots);
        let mut guess = first_guess(xs);
        // Adds since the last carry (each below 2^53 per slot).
        let mut adds = 0;
        for batch in xs.chunks(SPLIT_BATCH) {
            adds += match split_batch(&mut self.acc.slots, batch, &mut guess) {
                Some(n) => n,
                None => {
                    self.add_each(batch);
                    batch.len()
                }
            };
            if adds > SUM_CARRY_EVERY as usize - SPLIT_BATCH {
                carry(&mut self.acc.slots);
                adds = 0;
            }
        }
        self.acc.pending = adds as u32;
    }

    /// Adds `xs` (at most [`SPLIT_BATCH`] values) one by one, without
    /// counting them; the caller carries in time.
    fn add_each(&mut self, xs: &[A]) {
        for &x in xs {
            let bits = x.to_f64_exact().to_bits();
            if !add_sum_bits(&mut self.acc.slots, bits) {
                self.see_special(bits);
            }
        }
    }

    #[cold]
    fn see_special(&mut self, bits: u64) {
        match classify(f64::from_bits(bits)) {
            Class::Inf { neg } => self.acc.specials.see_inf(neg),
            Class::Nan => self.acc.specials.nan = true,
            Class::Finite { .. } => unreachable!("finite values are added"),
        }
    }

    /// Adds everything `other` holds: the state of the two inputs added
    /// one after the other, in either order.
    pub fn merge(&mut self, other: &ExactSum<A>) {
        self.acc.merge(&other.acc);
    }

    /// Number of values added.
    pub fn count(&self) -> u64 {
        self.acc.count
    }

    /// The sum, correctly rounded (0 for no values).
    pub fn sum(&self) -> A {
        self.acc.rounded(1, SUM_SCALE)
    }

    /// The mean, correctly rounded: the exact sum divided by the count with
    /// one rounding; `None` for no values.
    pub fn mean(&self) -> Option<A> {
        (self.acc.count > 0).then(|| self.acc.rounded(self.acc.count, SUM_SCALE))
    }

    /// A stable little-endian encoding (see the [`state`](crate::state)
    /// module for the format), independent of the machine.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.acc.to_bytes(Kind::ExactSum, size_of::<A>())
    }

    /// Decodes [`to_bytes`](ExactSum::to_bytes).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`](crate::Error::InvalidState) when `bytes` is
    /// not an `ExactSum` of this element type.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut s = ExactSum::new();
        s.acc.read(bytes, Kind::ExactSum, size_of::<A>())?;
        Ok(s)
    }
}

/// Only carried slots are a valid encoding: every slot but the top one in
/// `[0, 2^32)`, and the top one small enough to take carries.
fn carried_or_err<const N: usize>(slots: &[i64; N], r: &Reader<'_>) -> Result<()> {
    let low_ok = slots[..N - 1].iter().all(|&s| (0..1 << 32).contains(&s));
    let top_ok = slots[N - 1].unsigned_abs() < 1 << 60;
    if low_ok && top_ok {
        Ok(())
    } else {
        Err(r.bad("slots out of range"))
    }
}

impl<A: Float> fmt::Debug for ExactSum<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExactSum")
            .field("sum", &self.sum())
            .field("count", &self.acc.count)
            .finish_non_exhaustive()
    }
}

/// The exact dot product `Σ xᵢ·yᵢ` of two streams of floats, rounded once
/// at the end.
///
/// Every product is formed exactly (106-bit integer significands) and
/// added to a fixed-point integer that covers every product of two f64, so
/// [`value`](ExactDot::value) is the correctly rounded real dot product:
/// the same for any order, grouping, layout, thread count or machine, with
/// no overflow or underflow in between. Infinities and NaN follow IEEE
/// rules (`inf · 0` is NaN); a result beyond the largest finite value
/// overflows to `±inf` at the final rounding; an exact zero is `+0.0`.
///
/// ```
/// use ndpar::state::ExactDot;
///
/// let mut d = ExactDot::<f64>::new();
/// d.extend(&[1e200, 1.0, 1e200], &[1e200, 1.0, -1e200]);
/// assert_eq!(d.value(), 1.0); // the products 1e400 cancel exactly
/// let back = ExactDot::<f64>::from_bytes(&d.to_bytes()).unwrap();
/// assert_eq!(back.value(), 1.0);
/// ```
#[derive(Clone)]
pub struct ExactDot<A> {
    /// Boxed: 135 slots are over a kilobyte.
    acc: Box<Acc<DOT_SLOTS>>,
    _type: PhantomData<A>,
}

impl<A: Float> Default for ExactDot<A> {
    fn default() -> Self {
        ExactDot::new()
    }
}

impl<A: Float> ExactDot<A> {
    /// The empty dot product (0).
    pub fn new() -> Self {
        ExactDot {
            acc: Box::new(Acc::new()),
            _type: PhantomData,
        }
    }

    /// Adds the product `x · y`.
    #[inline]
    pub fn add(&mut self, x: A, y: A) {
        self.acc.before_add(DOT_CARRY_EVERY);
        let (x, y) = (x.to_f64_exact(), y.to_f64_exact());
        match (classify(x), classify(y)) {
            (
                Class::Finite {
                    mant: ma,
                    exp: ea,
                    neg: na,
                },
                Class::Finite {
                    mant: mb,
                    exp: eb,
                    neg: nb,
                },
            ) => add_product(&mut self.acc.slots, (ma, ea), (mb, eb), na != nb),
            _ => self.see_special(x * y),
        }
    }

    /// Adds `xs[i] · ys[i]` for every `i`.
    ///
    /// # Panics
    ///
    /// If the lengths differ.
    #[track_caller]
    pub fn extend(&mut self, xs: &[A], ys: &[A]) {
        assert_eq!(
            xs.len(),
            ys.len(),
            "ExactDot::extend: xs has {} values, ys {}",
            xs.len(),
            ys.len()
        );
        for (&x, &y) in xs.iter().zip(ys) {
            self.add(x, y);
        }
    }

    #[cold]
    fn see_special(&mut self, product: f64) {
        // A special operand: the float product is the IEEE one (inf · 0
        // is NaN, inf · finite an infinity).
        match classify(product) {
            Class::Inf { neg } => self.acc.specials.see_inf(neg),
            _ => self.acc.specials.nan = true,
        }
    }

    /// Adds everything `other` holds.
    pub fn merge(&mut self, other: &ExactDot<A>) {
        self.acc.merge(&other.acc);
    }

    /// Number of products added.
    pub fn count(&self) -> u64 {
        self.acc.count
    }

    /// The dot product, correctly rounded (0 for no products).
    pub fn value(&self) -> A {
        self.acc.rounded(1, DOT_SCALE)
    }

    /// A stable little-endian encoding (see [`state`](crate::state)).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.acc.to_bytes(Kind::ExactDot, size_of::<A>())
    }

    /// Decodes [`to_bytes`](ExactDot::to_bytes).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`](crate::Error::InvalidState) when `bytes` is
    /// not an `ExactDot` of this element type.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut d = ExactDot::new();
        d.acc.read(bytes, Kind::ExactDot, size_of::<A>())?;
        Ok(d)
    }
}

impl<A: Float> fmt::Debug for ExactDot<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExactDot")
            .field("value", &self.value())
            .field("count", &self.acc.count)
            .finish_non_exhaustive()
    }
}

eq_by_encoding!(ExactSum, ExactDot);
