//! Identifiers the bank hands out: transaction UUIDs, 12-digit references (RRN), 16-hex
//! intReferences, approval codes and access tokens.
//!
//! All of them come from one random generator so that `--seed N` makes a whole run
//! reproducible; without a seed the generator is seeded from the OS and tokens are unguessable.

use rand::{rngs::StdRng, Rng, SeedableRng};
use std::sync::Mutex;
use uuid::Uuid;

/// Alphabet of client-credentials access tokens, as in the bank's samples (`DCEB8O_ZM5U7SO_T_U5EJQ`).
const TOKEN_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
/// Length of a client-credentials access token.
const TOKEN_LEN: usize = 22;

/// The one source of every generated identifier.
#[derive(Debug)]
pub struct IdGenerator {
    rng: Mutex<StdRng>,
}

impl IdGenerator {
    /// A generator seeded with `seed` (reproducible) or from the OS (unguessable).
    pub fn new(seed: Option<u64>) -> Self {
        Self {
            rng: Mutex::new(Self::rng_for(seed)),
        }
    }

    /// Restarts the sequence, e.g. after a reset in deterministic mode.
    pub fn reseed(&self, seed: Option<u64>) {
        *self.lock() = Self::rng_for(seed);
    }

    /// A random (v4) UUID.
    pub fn uuid(&self) -> Uuid {
        let bytes: [u8; 16] = self.lock().gen();
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }

    /// A 12-digit retrieval reference number (`"231951411351"`).
    pub fn reference(&self) -> String {
        self.digits(12)
    }

    /// A 6-digit approval code (`"170243"`).
    pub fn approval_code(&self) -> String {
        self.digits(6)
    }

    /// A 16-character upper-case hex internal reference (`"67140D7DE97139A7"`).
    pub fn int_reference(&self) -> String {
        let value: u64 = self.lock().gen();
        format!("{value:016X}")
    }

    /// A client-credentials access token.
    pub fn access_token(&self) -> String {
        let mut rng = self.lock();
        (0..TOKEN_LEN)
            .map(|_| TOKEN_ALPHABET[rng.gen_range(0..TOKEN_ALPHABET.len())] as char)
            .collect()
    }

    /// Random bytes, for keys that need no particular format.
    pub fn bytes<const N: usize>(&self) -> [u8; N] {
        let mut out = [0u8; N];
        self.lock().fill(&mut out[..]);
        out
    }

    fn digits(&self, n: usize) -> String {
        let mut rng = self.lock();
        (0..n).map(|_| char::from(b'0' + rng.gen_range(0..10u8))).collect()
    }

    fn rng_for(seed: Option<u64>) -> StdRng {
        match seed {
            Some(seed) => StdRng::seed_from_u64(seed),
            None => StdRng::from_entropy(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, StdRng> {
        self.rng.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence() {
        let a = IdGenerator::new(Some(7));
        let b = IdGenerator::new(Some(7));
        assert_eq!(a.uuid(), b.uuid());
        assert_eq!(a.access_token(), b.access_token());
        assert_eq!(a.reference(), b.reference());
    }

    #[test]
    fn formats_match_the_bank() {
        let ids = IdGenerator::new(None);
        let reference = ids.reference();
        assert_eq!(reference.len(), 12);
        assert!(reference.chars().all(|c| c.is_ascii_digit()));
        let int_ref = ids.int_reference();
        assert_eq!(int_ref.len(), 16);
        assert!(int_ref
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase()));
        assert_eq!(ids.access_token().len(), 22);
        assert_eq!(ids.approval_code().len(), 6);
    }
}
