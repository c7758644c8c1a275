//! A hash map with a cheap hasher (rustc's "Fx", from the rustc-hash crate), for the lookup tables
//! of a build: keys are paths and resource ids from the repository itself, so there is no
//! adversary to defend against, and SipHash was a tenth of a render. Only for maps that are looked
//! up, never iterated in an order that reaches the output.

pub type FastMap<K, V> = rustc_hash::FxHashMap<K, V>;

/// A new, empty [`FastMap`] with room for `n` entries.
pub fn with_capacity<K, V>(n: usize) -> FastMap<K, V> {
    FastMap::with_capacity_and_hasher(n, Default::default())
}
