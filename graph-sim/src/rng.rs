//! A tiny counter-based random source.
//!
//! Every random decision in the simulator is keyed by *what* it is about (seed, stream, user,
//! day, ...) rather than by how many draws came before it. That makes any single user-day
//! reproducible on its own, which is what lets a report window be computed lazily, in any
//! order, and still add up exactly with the reports of its parts.
//!
//! SplitMix64 is used because it is tiny, fast (a user-day that makes no call costs one hash)
//! and fully specified: the output for a seed can never change with a dependency upgrade.
//! Only integer arithmetic is used, so the data is identical on every platform.

/// Streams separate the independent uses of one seed.
#[derive(Debug, Clone, Copy)]
#[repr(u64)]
pub enum Stream {
    Profile = 1,
    Identity = 2,
    Day = 3,
    Fault = 4,
    Directory = 5,
}

/// SplitMix64's output function: a strong 64-bit mixer.
const fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

const GOLDEN_GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// A SplitMix64 generator.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator for one keyed purpose, e.g. `keyed(seed, Stream::Day, &[user, day])`.
    pub fn keyed(seed: u64, stream: Stream, key: &[u64]) -> Self {
        let mut state = mix(seed ^ (stream as u64).wrapping_mul(GOLDEN_GAMMA));
        for part in key {
            state = mix(state.wrapping_add(GOLDEN_GAMMA) ^ *part);
        }
        Self { state }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN_GAMMA);
        mix(self.state)
    }

    /// A uniform integer in `0..bound` (`bound > 0`), by Lemire's multiply-shift.
    /// The bias is below 2^-32 for every bound used here, which is irrelevant for made-up data.
    pub fn below(&mut self, bound: u32) -> u32 {
        debug_assert!(bound > 0);
        ((u64::from(self.next_u64() as u32) * u64::from(bound)) >> 32) as u32
    }

    /// True with probability `percent`/100.
    pub fn percent(&mut self, percent: u32) -> bool {
        self.below(100) < percent
    }

    /// A uniform fraction in `[0, 1)`, used only to compare with configured fault rates.
    pub fn unit_fraction(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Picks an element of a non-empty slice uniformly.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u32) as usize]
    }

    /// Sixteen random bytes (for GUIDs).
    pub fn bytes16(&mut self) -> [u8; 16] {
        let mut out = [0u8; 16];
        out[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        out[8..].copy_from_slice(&self.next_u64().to_le_bytes());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_key_same_sequence_and_different_keys_differ() {
        let mut a = SplitMix64::keyed(7, Stream::Day, &[1, 2]);
        let mut b = SplitMix64::keyed(7, Stream::Day, &[1, 2]);
        let mut c = SplitMix64::keyed(7, Stream::Day, &[2, 1]);
        let (x, y, z) = (a.next_u64(), b.next_u64(), c.next_u64());
        assert_eq!(x, y);
        assert_ne!(x, z);
    }

    #[test]
    fn below_stays_in_range() {
        let mut rng = SplitMix64::keyed(1, Stream::Profile, &[]);
        for bound in [1u32, 2, 3, 7, 100, 86_400] {
            for _ in 0..1000 {
                assert!(rng.below(bound) < bound);
            }
        }
        let f = rng.unit_fraction();
        assert!((0.0..1.0).contains(&f));
    }
}
