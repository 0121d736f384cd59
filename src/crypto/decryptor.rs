//! RSA PKCS#1 v1.5 decryption of cryptograms, on AWS-LC.
//!
//! Every cryptopay, go/bonus and card transfer costs one RSA-4096 private-key operation, which is
//! most of the request's CPU. The pure-Rust `rsa` 0.9 crate does about 50 of them a second per
//! core; AWS-LC (`aws-lc-rs`, built from its bundled C and assembly by `cc`: no cmake, no system
//! OpenSSL) does about 330, blinded and constant-time (the `rsa` path, called without an RNG, was
//! neither). Keys AWS-LC refuses (outside 2048–8192 bits, e.g. a small `--rsa-key` for tests)
//! stay on the `rsa` crate, so every key that loaded before still decrypts.

use aws_lc_rs::rsa::{Pkcs1PrivateDecryptingKey, PrivateDecryptingKey};
use rsa::pkcs8::EncodePrivateKey;
use rsa::{Pkcs1v15Encrypt, RsaPrivateKey};
use std::sync::Arc;

/// A private key ready to open cryptograms.
#[derive(Clone)]
pub(super) enum Decryptor {
    /// The fast path: AWS-LC.
    AwsLc(Arc<Pkcs1PrivateDecryptingKey>),
    /// Keys AWS-LC does not take.
    Rsa(Arc<RsaPrivateKey>),
}

impl Decryptor {
    /// AWS-LC for the key when it accepts it, else the `rsa` crate.
    pub(super) fn new(key: &RsaPrivateKey) -> Self {
        key.to_pkcs8_der()
            .ok()
            .and_then(|der| PrivateDecryptingKey::from_pkcs8(der.as_bytes()).ok())
            .and_then(|key| Pkcs1PrivateDecryptingKey::new(key).ok())
            .map_or_else(
                || Decryptor::Rsa(Arc::new(key.clone())),
                |key| Decryptor::AwsLc(Arc::new(key)),
            )
    }

    /// The plaintext, or `None` when the ciphertext does not decrypt (bad length, not below the
    /// modulus, bad padding). As with the `rsa` crate, the ciphertext is read as a number: leading
    /// zero bytes may be missing or extra.
    pub(super) fn decrypt(&self, cipher: &[u8]) -> Option<Vec<u8>> {
        match self {
            Decryptor::AwsLc(key) => {
                let size = key.key_size_bytes();
                let significant = &cipher[cipher.iter().take_while(|&&b| b == 0).count()..];
                let padding = size.checked_sub(significant.len())?;
                let mut full = vec![0u8; size];
                full[padding..].copy_from_slice(significant);
                let mut plain = vec![0u8; key.min_output_size()];
                key.decrypt(&full, &mut plain).ok().map(|p| p.to_vec())
            }
            Decryptor::Rsa(key) => key.decrypt(Pkcs1v15Encrypt, cipher).ok(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::SANDBOX_PRIVATE_KEY_PEM;
    use proptest::prelude::*;
    use rand::{rngs::StdRng, SeedableRng};
    use rsa::pkcs8::DecodePrivateKey;
    use rsa::RsaPublicKey;
    use std::sync::OnceLock;

    /// The sandbox key on both paths.
    fn both() -> &'static (Decryptor, Decryptor) {
        static BOTH: OnceLock<(Decryptor, Decryptor)> = OnceLock::new();
        BOTH.get_or_init(|| {
            let key = RsaPrivateKey::from_pkcs8_pem(SANDBOX_PRIVATE_KEY_PEM).expect("embedded key parses");
            let fast = Decryptor::new(&key);
            assert!(matches!(fast, Decryptor::AwsLc(_)), "a 4096-bit key goes to AWS-LC");
            (fast, Decryptor::Rsa(Arc::new(key)))
        })
    }

    fn agree(cipher: &[u8]) -> Option<Vec<u8>> {
        let (fast, portable) = both();
        let plain = fast.decrypt(cipher);
        assert_eq!(plain, portable.decrypt(cipher), "AWS-LC and the rsa crate disagree");
        plain
    }

    fn public() -> RsaPublicKey {
        let key = RsaPrivateKey::from_pkcs8_pem(SANDBOX_PRIVATE_KEY_PEM).expect("embedded key parses");
        RsaPublicKey::from(&key)
    }

    #[test]
    fn both_paths_read_the_ciphertext_as_a_number() {
        let mut rng = StdRng::seed_from_u64(7);
        let public = public();
        let message = b"{\"hpan\":\"4405639704015096\"}";
        // A ciphertext whose first byte is zero, so that it can also be sent one byte short.
        let cipher = (0..20_000)
            .map(|_| public.encrypt(&mut rng, Pkcs1v15Encrypt, message).expect("encrypts"))
            .find(|c| c[0] == 0)
            .expect("about one in 256 starts with a zero byte");
        assert_eq!(agree(&cipher).as_deref(), Some(&message[..]));
        assert_eq!(agree(&cipher[1..]).as_deref(), Some(&message[..]));
        let longer = [&[0u8, 0][..], &cipher].concat();
        assert_eq!(agree(&longer).as_deref(), Some(&message[..]));
    }

    #[test]
    fn both_paths_refuse_the_same_ciphertexts() {
        let mut rng = StdRng::seed_from_u64(8);
        let good = public().encrypt(&mut rng, Pkcs1v15Encrypt, b"x").expect("encrypts");
        let mut flipped = good.clone();
        flipped[3] ^= 0x40;
        let over = [&[1u8][..], &good].concat();
        for cipher in [
            &[][..],
            &[0u8; 512][..],
            &[0xff; 512][..],
            &[1u8][..],
            &flipped[..],
            &over[..],
        ] {
            assert_eq!(agree(cipher), None);
        }
    }

    #[test]
    fn keys_aws_lc_refuses_stay_on_the_rsa_crate() {
        let mut rng = StdRng::seed_from_u64(9);
        let small = RsaPrivateKey::new(&mut rng, 1024).expect("generates");
        let cipher = RsaPublicKey::from(&small)
            .encrypt(&mut rng, Pkcs1v15Encrypt, b"ok")
            .expect("encrypts");
        let decryptor = Decryptor::new(&small);
        assert!(matches!(decryptor, Decryptor::Rsa(_)));
        assert_eq!(decryptor.decrypt(&cipher).as_deref(), Some(&b"ok"[..]));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        #[test]
        fn both_paths_agree_on_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 500..=514)) {
            agree(&bytes);
        }
    }
}
