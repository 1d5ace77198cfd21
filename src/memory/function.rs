//! [`cached!`](crate::cached): functions whose results a [`Memory`] keeps,
//! keyed by their arguments and their own code.

#[cfg(doc)]
use super::Memory;

/// What [`cached!`](crate::cached) records about a function, all of it
/// part of every entry's key.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub struct CachedFn {
    /// The function's name: entries live in a folder named after it.
    pub name: &'static str,
    /// The version string (`""` unless given).
    pub version: &'static str,
    /// The module that defines it.
    pub module: &'static str,
    /// The tokens of its signature and body.
    pub code: &'static str,
}

/// Defines a function whose results a [`Memory`] stores on disk, keyed by
/// its arguments, its name and module, its code and an optional version
/// (see the [rules](crate::memory#the-rule-a-result-depends-only-on-its-key)).
///
/// Write the function as usual; the macro adds a first argument, the
/// `&Memory` that holds its results. Every argument must be a
/// [`CacheKey`](crate::memory::CacheKey) (numbers, strings, arrays and
/// views, references, tuples, `Vec`s, your structs through
/// [`cache_key!`](crate::cache_key)) and the result
/// [`Cacheable`](crate::memory::Cacheable). A function returning
/// `Result<V, E>` stores only its `Ok` values. Arguments are plain names
/// (no patterns, no `mut`), and the function has no generic parameters.
///
/// The body is a `fn` item's, so it cannot see local variables: whatever
/// the result depends on is an argument, hence in the key. Editing the
/// body recomputes; editing what it calls (another function, a file)
/// does not, so give a version then: `version = "2";` before the `fn`.
///
/// A body that reads a local variable does not compile:
///
/// ```compile_fail
/// let seed = 7u64;
/// ndpar::cached! {
///     fn shifted(x: u64) -> u64 {
///         x + seed // error: a fn item cannot capture `seed`
///     }
/// }
/// ```
///
/// ```
/// use ndarray::Array1;
/// use ndpar::memory::Memory;
///
/// ndpar::cached! {
///     version = "1";
///     /// A noisy signal: seeded, so the same arguments give the same array.
///     pub fn signal(seed: u64, n: usize) -> Array1<f64> {
///         ndpar::random::par_random(n, &ndpar::random::StandardNormal, seed)
///     }
/// }
///
/// ndpar::cached! {
///     /// Parses a setting; errors are returned and not stored.
///     fn parsed(text: &str) -> Result<i64, std::num::ParseIntError> {
///         text.trim().parse()
///     }
/// }
///
/// let dir = std::env::temp_dir().join(format!("ndpar-doc-cached-{}", std::process::id()));
/// let memory = Memory::new(&dir).unwrap();
/// let a = signal(&memory, 7, 1000); // computed and stored
/// let b = signal(&memory, 7, 1000); // loaded
/// assert_eq!(a, b);
/// assert_ne!(signal(&memory, 8, 1000), a); // another seed, another entry
/// assert_eq!(parsed(&memory, " 42 "), Ok(42));
/// assert!(parsed(&memory, "x").is_err());
/// # std::fs::remove_dir_all(&dir).ok();
/// ```
#[macro_export]
macro_rules! cached {
    // A function returning `Result`: its `Ok` values are stored.
    (@fn $version:literal;
        $(#[$attr:meta])*
        $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> Result<$ok:ty, $err:ty> $body:block
    ) => {
        $crate::cached!(@emit $version; [$(#[$attr])*] $vis $name ($($arg: $ty),*)
            -> [::std::result::Result<$ok, $err>] __call $body);
    };
    // Any other function: every value is stored.
    (@fn $version:literal;
        $(#[$attr:meta])*
        $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty $body:block
    ) => {
        $crate::cached!(@emit $version; [$(#[$attr])*] $vis $name ($($arg: $ty),*)
            -> [$ret] __call_value $body);
    };
    // The function: its body as an inner `fn` (which cannot capture), its
    // identity and code, its arguments fed into the key, and the call
    // through `Memory` (`$call` tells the two return forms apart).
    (@emit $version:literal; [$(#[$attr:meta])*] $vis:vis $name:ident ($($arg:ident: $ty:ty),*)
        -> [$ret:ty] $call:ident $body:block
    ) => {
        $(#[$attr])*
        $vis fn $name(memory: &$crate::memory::Memory, $($arg: $ty),*) -> $ret {
            fn __ndpar_body($($arg: $ty),*) -> $ret $body
            const __NDPAR_FN: $crate::memory::CachedFn = $crate::memory::CachedFn {
                name: ::std::stringify!($name),
                version: $version,
                module: ::std::module_path!(),
                code: ::std::stringify!(($($arg: $ty),*) -> $ret $body),
            };
            let mut key = $crate::memory::Memory::__function_key(&__NDPAR_FN);
            $($crate::memory::CacheKey::feed(&$arg, &mut key);)*
            memory.$call(&__NDPAR_FN, key, move || __ndpar_body($($arg),*))
        }
    };
    (version = $version:literal; $($function:tt)*) => {
        $crate::cached!(@fn $version; $($function)*);
    };
    ($($function:tt)*) => {
        $crate::cached!(@fn ""; $($function)*);
    };
}
