//! The vector instructions ndpar's hot loops use, chosen at run time.
//!
//! ndpar is compiled for the baseline of its target (SSE2 on x86-64) unless
//! the user sets `target-cpu`. Its compute-bound loops — the vectorised math
//! of [`vmath`](crate::vmath), the exact sums, the distance kernels and
//! the stencils — are also compiled for AVX2 and AVX-512, and
//! the widest level the CPU offers runs. The level never changes a result: those loops fix the
//! number of lanes and the order of every operation in the code, not by the
//! vector width, and no level fuses a multiply and an add. The output
//! digests of the test suite are checked with every level forced.
//!
//! ```
//! use ndpar::simd::{self, Level};
//!
//! let best = simd::detected();
//! assert!(best >= Level::Baseline);
//! // Force the baseline (for a test, or to compare timings), then go back.
//! simd::force(Some(Level::Baseline)).unwrap();
//! assert_eq!(simd::level(), Level::Baseline);
//! simd::force(None).unwrap();
//! assert_eq!(simd::level(), best);
//! ```
//!
//! The environment variable `NDPAR_SIMD` (`baseline`, `avx2` or `avx512`),
//! read once, sets the starting level of a whole program: a level the CPU
//! lacks, or an unknown name, is reported on stderr and ignored.

use std::sync::atomic::{AtomicU8, Ordering};

use crate::error::{Error, Result};

/// A level of vector instructions, from narrowest to widest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// The target's baseline (SSE2 on x86-64; whatever the build enables
    /// elsewhere).
    Baseline,
    /// x86-64 with AVX2 (256-bit vectors).
    Avx2,
    /// x86-64 with AVX-512 F, DQ, BW and VL (512-bit vectors).
    Avx512,
}

impl Level {
    /// Every level, narrowest first.
    pub const ALL: [Level; 3] = [Level::Baseline, Level::Avx2, Level::Avx512];

    /// The level's name, as `NDPAR_SIMD` spells it.
    ///
    /// ```
    /// assert_eq!(ndpar::simd::Level::Avx2.name(), "avx2");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Level::Baseline => "baseline",
            Level::Avx2 => "avx2",
            Level::Avx512 => "avx512",
        }
    }

    /// Whether this CPU can run the level.
    ///
    /// ```
    /// assert!(ndpar::simd::Level::Baseline.is_supported());
    /// ```
    pub fn is_supported(self) -> bool {
        self <= detected()
    }

    fn code(self) -> u8 {
        self as u8 + 1
    }

    fn from_code(code: u8) -> Option<Level> {
        Level::ALL.get(usize::from(code).checked_sub(1)?).copied()
    }
}

/// The widest level this CPU supports.
pub fn detected() -> Level {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512dq")
            && std::arch::is_x86_feature_detected!("avx512bw")
            && std::arch::is_x86_feature_detected!("avx512vl")
            && std::arch::is_x86_feature_detected!("avx2")
        {
            return Level::Avx512;
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            return Level::Avx2;
        }
    }
    Level::Baseline
}

/// The level in effect: 0 until first asked, then `Level::code`.
static CURRENT: AtomicU8 = AtomicU8::new(0);

/// The level the hot loops use now: the one [`force`]d, else the one
/// `NDPAR_SIMD` names, else [`detected`].
#[inline]
pub fn level() -> Level {
    match Level::from_code(CURRENT.load(Ordering::Relaxed)) {
        Some(level) => level,
        None => start(),
    }
}

/// The first call: the environment's level or the detected one.
#[cold]
fn start() -> Level {
    let level = match std::env::var("NDPAR_SIMD") {
        Ok(name) => match Level::ALL.iter().find(|l| l.name() == name.trim()) {
            Some(&l) if l.is_supported() => l,
            Some(&l) => {
                eprintln!(
                    "ndpar: NDPAR_SIMD={} asks for a level this CPU lacks; using {}",
                    l.name(),
                    detected().name()
                );
                detected()
            }
            None => {
                eprintln!(
                    "ndpar: NDPAR_SIMD={name:?} is not one of baseline, avx2, avx512; using {}",
                    detected().name()
                );
                detected()
            }
        },
        Err(_) => detected(),
    };
    CURRENT.store(level.code(), Ordering::Relaxed);
    level
}

/// Forces the hot loops to `level` for the whole process (`None`: back to
/// [`detected`]). Results do not change; only speed does. Returns an
/// [`Error::InvalidValue`] for a level this CPU cannot run.
pub fn force(level: Option<Level>) -> Result<()> {
    let level = level.unwrap_or_else(detected);
    if !level.is_supported() {
        return Err(Error::InvalidValue(format!(
            "this CPU cannot run the {} vector level (it has {})",
            level.name(),
            detected().name()
        )));
    }
    CURRENT.store(level.code(), Ordering::Relaxed);
    Ok(())
}

/// Runs `f` compiled for the current level. `f` and everything it calls
/// that is `#[inline(always)]` (or small enough to inline) are compiled
/// once per level; the loops in them then use that level's vectors.
#[inline(always)]
#[allow(unsafe_code)]
pub(crate) fn dispatch<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    {
        match level() {
            // SAFETY: `level()` returns a level only if the CPU supports
            // it (`force` and `start` check), and these functions need
            // nothing but that level's features.
            Level::Avx512 => unsafe { x86::avx512(f) },
            // SAFETY: as above.
            Level::Avx2 => unsafe { x86::avx2(f) },
            Level::Baseline => f(),
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        f()
    }
}

#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod x86 {
    //! One entry per level. Only the vector widths are enabled (no FMA):
    //! LLVM never fuses a multiply and an add unless asked, so every level
    //! computes the same operations in the same order.

    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn avx2<R>(f: impl FnOnce() -> R) -> R {
        f()
    }

    #[target_feature(enable = "avx2,avx512f,avx512dq,avx512bw,avx512vl")]
    pub(super) unsafe fn avx512<R>(f: impl FnOnce() -> R) -> R {
        f()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_round_trip_their_codes_and_names() {
        for l in Level::ALL {
            assert_eq!(Level::from_code(l.code()), Some(l));
        }
        assert_eq!(Level::from_code(0), None);
        assert_eq!(Level::from_code(4), None);
        assert!(Level::Baseline < Level::Avx2 && Level::Avx2 < Level::Avx512);
    }

    #[test]
    fn an_unsupported_level_is_an_error() {
        for l in Level::ALL {
            assert_eq!(force(Some(l)).is_ok(), l.is_supported());
        }
        force(None).unwrap();
        assert_eq!(level(), detected());
    }
}
