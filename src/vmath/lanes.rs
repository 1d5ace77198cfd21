//! `F64x4`: four f64 lanes, and the lane masks and integer views the
//! math functions need. Every operation is written lane by lane on a plain
//! array, so the compiler turns it into the vector instructions of the
//! level it compiles for (two SSE2 registers, one AVX2 register) with the
//! same result in each lane as the scalar operation.

/// Four f64 lanes, the unit the kernels compute on: arithmetic is lane
/// by lane, IEEE double precision, exactly the scalar operation.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
#[repr(C, align(32))]
pub(crate) struct F64x4(pub(crate) [f64; 4]);

impl F64x4 {
    /// Every lane `x`.
    #[inline(always)]
    pub(crate) const fn splat(x: f64) -> Self {
        F64x4([x; 4])
    }

    /// The first four values of `s`.
    ///
    /// # Panics
    ///
    /// If `s` holds fewer than four values.
    #[inline(always)]
    #[track_caller]
    pub(crate) fn from_slice(s: &[f64]) -> Self {
        F64x4([s[0], s[1], s[2], s[3]])
    }

    /// Writes the lanes to the first four places of `s`.
    ///
    /// # Panics
    ///
    /// If `s` holds fewer than four places.
    #[inline(always)]
    #[track_caller]
    pub(crate) fn write_to(self, s: &mut [f64]) {
        s[..4].copy_from_slice(&self.0);
    }

    /// `f` of every lane.
    #[inline(always)]
    pub(crate) fn map(self, f: impl Fn(f64) -> f64) -> Self {
        F64x4(self.0.map(f))
    }

    /// The absolute value of every lane.
    #[inline(always)]
    pub(crate) fn abs(self) -> Self {
        self.map(f64::abs)
    }

    /// The correctly rounded square root of every lane (IEEE `sqrt`).
    #[inline(always)]
    pub(crate) fn sqrt(self) -> Self {
        self.map(f64::sqrt)
    }

    #[inline(always)]
    pub(crate) fn zip(self, o: Self, f: impl Fn(f64, f64) -> f64) -> Self {
        F64x4(std::array::from_fn(|i| f(self.0[i], o.0[i])))
    }

    #[inline(always)]
    pub(crate) fn bits(self) -> U64x4 {
        U64x4(self.0.map(f64::to_bits))
    }

    #[inline(always)]
    pub(crate) fn from_bits(b: U64x4) -> Self {
        F64x4(b.0.map(f64::from_bits))
    }

    /// Lanes where `f(lane)` holds.
    #[inline(always)]
    pub(crate) fn test(self, f: impl Fn(f64) -> bool) -> Mask {
        Mask(self.0.map(|x| if f(x) { u64::MAX } else { 0 }))
    }
}

/// Four u64 lanes: the bits of [`F64x4`] lanes, for exponent arithmetic.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct U64x4(pub(crate) [u64; 4]);

impl U64x4 {
    #[inline(always)]
    pub(crate) fn map(self, f: impl Fn(u64) -> u64) -> Self {
        U64x4(self.0.map(f))
    }

    #[inline(always)]
    pub(crate) fn zip(self, o: Self, f: impl Fn(u64, u64) -> u64) -> Self {
        U64x4(std::array::from_fn(|i| f(self.0[i], o.0[i])))
    }
}

/// A lane mask: all ones where a condition holds, zero elsewhere, so that
/// choosing between two vectors is a bitwise blend.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Mask(pub(crate) [u64; 4]);

impl Mask {
    /// `yes` where the mask holds, `no` elsewhere.
    #[inline(always)]
    pub(crate) fn select(self, yes: F64x4, no: F64x4) -> F64x4 {
        let (y, n) = (yes.bits(), no.bits());
        F64x4::from_bits(U64x4(std::array::from_fn(|i| {
            (y.0[i] & self.0[i]) | (n.0[i] & !self.0[i])
        })))
    }

    /// `yes` where the mask holds, `no` elsewhere, for integer lanes.
    #[inline(always)]
    pub(crate) fn select_bits(self, yes: U64x4, no: U64x4) -> U64x4 {
        U64x4(std::array::from_fn(|i| {
            (yes.0[i] & self.0[i]) | (no.0[i] & !self.0[i])
        }))
    }

    /// Lanes where both masks hold.
    #[inline(always)]
    pub(crate) fn and(self, o: Mask) -> Mask {
        Mask(std::array::from_fn(|i| self.0[i] & o.0[i]))
    }

    /// Whether any lane holds.
    #[inline(always)]
    pub(crate) fn any(self) -> bool {
        (self.0[0] | self.0[1] | self.0[2] | self.0[3]) != 0
    }
}

/// The arithmetic of a lane type `$T` of `$n` f64 lanes (it has `map`
/// and `zip`): `+ - * /` with itself and with f64 on either side, their
/// assigning forms, negation and `From<[f64; $n]>`, each lane by lane.
macro_rules! lane_arithmetic {
    ($T:ident, $n:literal) => {
        lane_arithmetic!(@ops $T;
            Add add AddAssign add_assign +,
            Sub sub SubAssign sub_assign -,
            Mul mul MulAssign mul_assign *,
            Div div DivAssign div_assign /
        );
        impl std::ops::Neg for $T {
            type Output = $T;
            #[inline(always)]
            fn neg(self) -> $T {
                self.map(|a| -a)
            }
        }
        impl From<[f64; $n]> for $T {
            #[inline(always)]
            fn from(a: [f64; $n]) -> Self {
                $T(a)
            }
        }
    };
    (@ops $T:ident; $($Op:ident $op:ident $OpAssign:ident $op_assign:ident $sym:tt),*) => {$(
        impl std::ops::$Op for $T {
            type Output = $T;
            #[inline(always)]
            fn $op(self, o: $T) -> $T {
                self.zip(o, |a, b| a $sym b)
            }
        }
        impl std::ops::$Op<f64> for $T {
            type Output = $T;
            #[inline(always)]
            fn $op(self, o: f64) -> $T {
                self.map(|a| a $sym o)
            }
        }
        impl std::ops::$Op<$T> for f64 {
            type Output = $T;
            #[inline(always)]
            fn $op(self, o: $T) -> $T {
                o.map(|b| self $sym b)
            }
        }
        impl std::ops::$OpAssign for $T {
            #[inline(always)]
            fn $op_assign(&mut self, o: $T) {
                *self = *self $sym o;
            }
        }
        impl std::ops::$OpAssign<f64> for $T {
            #[inline(always)]
            fn $op_assign(&mut self, o: f64) {
                *self = *self $sym o;
            }
        }
    )*};
}
pub(crate) use lane_arithmetic;

lane_arithmetic!(F64x4, 4);

/// `a + b` and its rounding error (Knuth's TwoSum: exact for any order
/// of magnitude).
#[inline(always)]
pub(crate) fn two_sum(a: F64x4, b: F64x4) -> (F64x4, F64x4) {
    let s = a + b;
    let bb = s - a;
    let e = (a - (s - bb)) + (b - bb);
    (s, e)
}

/// `a · b` and its rounding error (Dekker's product, without a fused
/// multiply-add, so every vector level computes the same bits). Exact
/// for operands below 2^995 in magnitude whose product's error is not
/// subnormal.
#[inline(always)]
pub(crate) fn two_product(a: F64x4, b: F64x4) -> (F64x4, F64x4) {
    let p = a * b;
    let (ah, al) = split(a);
    let (bh, bl) = split(b);
    let e = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
    (p, e)
}

/// Veltkamp's split: `a = hi + lo`, each with at most 26 significant bits.
#[inline(always)]
fn split(a: F64x4) -> (F64x4, F64x4) {
    let c = a * 134_217_729.0; // 2^27 + 1
    let hi = c - (c - a);
    (hi, a - hi)
}
