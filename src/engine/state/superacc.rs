//! Superaccumulators: fixed-point integers wide enough to hold any sum of
//! f64 values (or of their products) exactly, after Neal's "small
//! superaccumulator" (Fast exact summation using small and large
//! superaccumulators, 2015).
//!
//! A value is an integer `B` times `2^-scale`, stored as 32-bit digits in
//! i64 slots: slot `i` weighs `2^(32 i)`. An f64 with biased exponent `e`
//! and significand `m` is `m · 2^(e - 1075)`, so with `scale = 1075` it is
//! the integer `m · 2^e`: its low part goes into slot `e / 32`, its high
//! part into the next. Slots are signed and may exceed 32 bits between
//! carry propagations: each add puts less than 2^53 into a slot, so 1024
//! adds can never overflow an i64. Carrying brings every slot but the top
//! one back to `[0, 2^32)`; the top slot holds the sign.
//!
//! Sums need `scale = 1075` and 67 slots (2046 + 53 bits, plus room for
//! 2^60 terms); products of two f64 need `scale = 2150` and 135 slots.

/// Slots of a sum accumulator.
pub(crate) const SUM_SLOTS: usize = 67;
/// Slots of a dot-product accumulator.
pub(crate) const DOT_SLOTS: usize = 135;
/// `B · 2^-SUM_SCALE` is the value of a sum accumulator.
pub(crate) const SUM_SCALE: u32 = 1075;
/// `B · 2^-DOT_SCALE` is the value of a dot-product accumulator.
pub(crate) const DOT_SCALE: u32 = 2150;

const MANT_BITS: u32 = 52;
const MANT_MASK: u64 = (1 << MANT_BITS) - 1;
const EXP_MASK: u64 = 0x7ff;
const LOW32: i64 = 0xffff_ffff;

/// Adds between carry propagations of a sum accumulator: each add puts
/// less than 2^53 into a slot, so 1024 of them (and a carried slot below
/// 2^32) stay far below 2^63.
pub(crate) const SUM_CARRY_EVERY: u32 = 1024;
/// Adds between carry propagations of a dot accumulator: each product puts
/// less than 2^33 into a slot.
pub(crate) const DOT_CARRY_EVERY: u32 = 1 << 20;

/// What an f64 is, for an accumulator.
pub(crate) enum Class {
    /// Finite: significand (with the hidden bit) and exponent, at least 1.
    Finite { mant: u64, exp: u32, neg: bool },
    /// ±infinity.
    Inf { neg: bool },
    /// Not a number.
    Nan,
}

/// Splits `x` into its significand and exponent (subnormals get exponent
/// 1 and no hidden bit, so `mant · 2^(exp - 1075) = x` in every case).
#[inline(always)]
pub(crate) fn classify(x: f64) -> Class {
    let bits = x.to_bits();
    let neg = bits >> 63 != 0;
    let exp = ((bits >> MANT_BITS) & EXP_MASK) as u32;
    let frac = bits & MANT_MASK;
    match exp {
        0x7ff if frac == 0 => Class::Inf { neg },
        0x7ff => Class::Nan,
        0 => Class::Finite {
            mant: frac,
            exp: 1,
            neg,
        },
        _ => Class::Finite {
            mant: frac | (1 << MANT_BITS),
            exp,
            neg,
        },
    }
}

/// `v` or `-v`, without a branch.
#[inline(always)]
fn signed(v: i64, neg_mask: i64) -> i64 {
    (v ^ neg_mask) - neg_mask
}

/// Adds a finite f64, given by its bits, to a sum accumulator; returns
/// `false` (and adds nothing) for infinities and NaN.
#[inline(always)]
pub(crate) fn add_sum_bits(slots: &mut [i64; SUM_SLOTS], bits: u64) -> bool {
    let exp = ((bits >> MANT_BITS) & EXP_MASK) as u32;
    if exp == 0x7ff {
        return false;
    }
    let frac = bits & MANT_MASK;
    // Subnormals: exponent 1, no hidden bit.
    let (mant, e) = if exp == 0 {
        (frac, 1)
    } else {
        (frac | (1 << MANT_BITS), exp)
    };
    let shift = e & 31;
    // e ≤ 2046, so the slot is at most 63 and its neighbour 64.
    let slot = ((e >> 5) & 63) as usize;
    let low = ((mant << shift) as i64) & LOW32;
    let high = (mant >> (32 - shift)) as i64;
    let neg_mask = (bits as i64) >> 63;
    slots[slot] += signed(low, neg_mask);
    slots[slot + 1] += signed(high, neg_mask);
    true
}

/// Adds the exact product of two finite values (significands and
/// exponents from [`classify`]) to a dot-product accumulator.
#[inline(always)]
pub(crate) fn add_product(
    slots: &mut [i64; DOT_SLOTS],
    (ma, ea): (u64, u32),
    (mb, eb): (u64, u32),
    neg: bool,
) {
    let p = u128::from(ma) * u128::from(mb); // < 2^106
    if p == 0 {
        return;
    }
    // Exponents are 1..=2046, so the position is 2..=4092 and the slot at
    // most 127; the product spans at most five slots above it.
    let pos = ea + eb;
    let shift = pos & 31;
    let slot = ((pos >> 5) & 127) as usize;
    let neg_mask = -i64::from(neg);
    let low = u128::from(p as u64) << shift; // < 2^95
    let high = (p >> 64) << shift; // < 2^73
    let digit = |v: u128, k: u32| ((v >> (32 * k)) as i64) & LOW32;
    slots[slot] += signed(digit(low, 0), neg_mask);
    slots[slot + 1] += signed(digit(low, 1), neg_mask);
    slots[slot + 2] += signed(digit(low, 2) + digit(high, 0), neg_mask);
    slots[slot + 3] += signed(digit(high, 1), neg_mask);
    slots[slot + 4] += signed(digit(high, 2), neg_mask);
}

/// Propagates carries: every slot but the top one into `[0, 2^32)`.
#[inline]
pub(crate) fn carry<const N: usize>(slots: &mut [i64; N]) {
    for i in 0..N - 1 {
        let c = slots[i] >> 32;
        slots[i] &= LOW32;
        slots[i + 1] += c;
    }
}

/// Adds `other` into `slots`; both carried, so no slot can overflow, and
/// the result is carried again.
pub(crate) fn add_slots<const N: usize>(slots: &mut [i64; N], other: &[i64; N]) {
    for (s, o) in slots.iter_mut().zip(other) {
        *s += o;
    }
    carry(slots);
}

/// The sign and the magnitude of a carried accumulator, as 32-bit digits
/// (least significant first).
pub(crate) fn magnitude<const N: usize>(slots: &[i64; N]) -> (bool, Vec<u32>) {
    let mut s = *slots;
    carry(&mut s);
    let neg = s[N - 1] < 0;
    if neg {
        for x in &mut s {
            *x = -*x;
        }
        carry(&mut s);
    }
    let mut digits: Vec<u32> = s[..N - 1].iter().map(|&x| x as u32).collect();
    let top = s[N - 1] as u64;
    digits.push(top as u32);
    digits.push((top >> 32) as u32);
    (neg, digits)
}

/// Divides `digits` by `n` (≥ 1) in place; returns whether a remainder
/// was left.
pub(crate) fn divide(digits: &mut [u32], n: u64) -> bool {
    let n = u128::from(n);
    let mut rem: u128 = 0;
    for d in digits.iter_mut().rev() {
        let cur = (rem << 32) | u128::from(*d);
        *d = (cur / n) as u32;
        rem = cur % n;
    }
    rem != 0
}

/// Bits `pos..pos + width` (width ≤ 64) of `digits`.
fn bits_at(digits: &[u32], pos: u32, width: u32) -> u64 {
    let j = (pos / 32) as usize;
    let get = |k: usize| u128::from(digits.get(k).copied().unwrap_or(0));
    let window = get(j) | (get(j + 1) << 32) | (get(j + 2) << 64);
    ((window >> (pos % 32)) as u64) & (u64::MAX >> (64 - width))
}

/// Whether any bit of `digits` below `pos` is set.
fn any_below(digits: &[u32], pos: u32) -> bool {
    let j = ((pos / 32) as usize).min(digits.len());
    digits[..j].iter().any(|&d| d != 0)
        || (j < digits.len() && digits[j] & ((1u32 << (pos % 32)) - 1) != 0)
}

/// How to round the last bit.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rounding {
    /// To nearest, ties to even (IEEE's default).
    NearestEven,
    /// To odd: truncate, then set the last bit if anything was cut off.
    /// Rounding to odd at 53 bits and then to nearest at 24 bits is the
    /// correct rounding to 24 bits (Boldo & Melquiond 2008): how exact
    /// results reach f32.
    Odd,
}

/// The f64 nearest to `±digits · 2^-scale` (plus a fraction below the last
/// digit when `sticky`): the exact value rounded once. Overflows to ±inf
/// when the rounded value is 2^1024 or more; an exact zero is +0.
pub(crate) fn round_to_f64(
    neg: bool,
    digits: &[u32],
    mut sticky: bool,
    scale: u32,
    rounding: Rounding,
) -> f64 {
    let Some(top_digit) = digits.iter().rposition(|&d| d != 0) else {
        return match (sticky, rounding) {
            // Below the smallest subnormal: to odd it is the smallest
            // subnormal (then 0 in the narrower type), to nearest 0.
            (true, Rounding::Odd) => apply_sign(neg, f64::from_bits(1)),
            _ => apply_sign(neg && sticky, 0.0),
        };
    };
    let top = 32 * top_digit as u32 + 31 - digits[top_digit].leading_zeros();
    // The last kept bit: 53 bits below the top, but never below the
    // subnormal unit 2^-1074.
    let min_lsb = scale - 1074;
    let mut lsb = top.saturating_sub(MANT_BITS).max(min_lsb);
    let mut mant = bits_at(digits, lsb, 53);
    let round = bits_at(digits, lsb - 1, 1) == 1;
    sticky |= any_below(digits, lsb - 1);
    match rounding {
        Rounding::NearestEven => {
            if round && (sticky || mant & 1 == 1) {
                mant += 1;
                if mant == 1 << 53 {
                    mant >>= 1;
                    lsb += 1;
                }
            }
        }
        Rounding::Odd => mant |= u64::from(round || sticky),
    }
    // Biased exponent of the result: 1 at the subnormal unit.
    let biased = u64::from(lsb - min_lsb + 1);
    let bits = if mant < 1 << MANT_BITS {
        mant // subnormal (lsb is min_lsb here)
    } else if biased >= 0x7ff {
        f64::INFINITY.to_bits()
    } else {
        (biased << MANT_BITS) | (mant & MANT_MASK)
    };
    apply_sign(neg, f64::from_bits(bits))
}

fn apply_sign(neg: bool, x: f64) -> f64 {
    if neg { -x } else { x }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum_of(xs: &[f64]) -> f64 {
        let mut s = [0i64; SUM_SLOTS];
        for &x in xs {
            assert!(add_sum_bits(&mut s, x.to_bits()));
        }
        carry(&mut s);
        let (neg, d) = magnitude(&s);
        round_to_f64(neg, &d, false, SUM_SCALE, Rounding::NearestEven)
    }

    #[test]
    fn single_values_round_trip() {
        for x in [
            1.0,
            -1.0,
            0.1,
            f64::MAX,
            -f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            -5e-324,
            2.225e-308,
            1e300,
            123456.789,
        ] {
            assert_eq!(sum_of(&[x]).to_bits(), x.to_bits(), "{x:e}");
        }
    }

    #[test]
    fn cancellation_and_ties() {
        assert_eq!(sum_of(&[1e308, 1.0, -1e308]), 1.0);
        assert_eq!(sum_of(&[1.0, 1e-300, -1.0]), 1e-300);
        // 1 + 2^-53 is a tie: to even gives 1; plus a tiny bit gives up.
        let h = 2f64.powi(-53);
        assert_eq!(sum_of(&[1.0, h]), 1.0);
        assert_eq!(sum_of(&[1.0, h, 1e-300]), 1.0 + 2.0 * h);
        assert_eq!(sum_of(&[f64::MAX, f64::MAX]), f64::INFINITY);
        assert_eq!(sum_of(&[f64::MAX, f64::MAX, -f64::MAX]), f64::MAX);
        assert_eq!(sum_of(&[0.5, -0.5]).to_bits(), 0);
    }

    #[test]
    fn products_are_exact() {
        let mut s = [0i64; DOT_SLOTS];
        let fin = |x: f64| match classify(x) {
            Class::Finite { mant, exp, neg } => (mant, exp, neg),
            _ => unreachable!(),
        };
        let (a, b) = (fin(3.0), fin(1e-300));
        add_product(&mut s, (a.0, a.1), (b.0, b.1), false);
        let (c, d) = (fin(1e-300), fin(1e-300));
        add_product(&mut s, (c.0, c.1), (d.0, d.1), true);
        carry(&mut s);
        let (neg, dg) = magnitude(&s);
        // 3e-300 - 1e-600: the second term is far below 3e-300's last bit.
        assert_eq!(
            round_to_f64(neg, &dg, false, DOT_SCALE, Rounding::NearestEven),
            3.0 * 1e-300
        );
    }
}
