//! The sandbox's RSA key and the card cryptogram (spec §8).
//!
//! A merchant fetches the public key from `/public.rsa` (PEM SPKI), encrypts the compact JSON
//! `{"hpan","expDate","cvc","terminalId"}` with RSA PKCS#1 v1.5 and sends it as standard base64.
//! The sandbox ships one fixed 4096-bit **test** key (`fixtures/sandbox-rsa-private.pem`, public
//! on purpose) so that cryptograms built once keep working; `--rsa-key PEM` replaces it.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::{Pkcs1v15Encrypt, RsaPrivateKey, RsaPublicKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::Path;

mod decryptor;
use decryptor::Decryptor;

/// The sandbox's public test key pair (PKCS#8 PEM). NOT a secret: it is published with the code.
pub const SANDBOX_PRIVATE_KEY_PEM: &str = include_str!("../fixtures/sandbox-rsa-private.pem");

/// File name of the key looked up in a `--fixtures DIR`.
pub const KEY_FILE_NAME: &str = "sandbox-rsa-private.pem";

/// Longest base64 cryptogram accepted (a 4096-bit ciphertext is 684 characters; 8192-bit keys fit).
const MAX_CRYPTOGRAM_CHARS: usize = 2048;

/// Why a key could not be loaded or used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The PEM is neither a PKCS#8 nor a PKCS#1 RSA private key.
    #[error("not an RSA private key in PEM (PKCS#8 or PKCS#1): {0}")]
    BadPrivateKey(String),
    /// The PEM is not a public key (SPKI `BEGIN PUBLIC KEY`).
    #[error("not an RSA public key in PEM (SPKI): {0}")]
    BadPublicKey(String),
    /// The key file could not be read.
    #[error("cannot read RSA key {path}: {reason}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        reason: String,
    },
    /// Encryption or key generation failed.
    #[error("RSA operation failed: {0}")]
    Rsa(String),
}

/// Why a cryptogram was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptogramError {
    /// Empty, too long, or not standard base64.
    #[error("cryptogram is not standard base64")]
    NotBase64,
    /// Not decryptable with the sandbox key (wrong key, wrong padding, damaged).
    #[error("cryptogram cannot be decrypted with the sandbox key (fetch it from /public.rsa; RSA PKCS#1 v1.5)")]
    Undecryptable,
    /// Decrypted, but not the expected JSON object.
    #[error("decrypted cryptogram is not a JSON object {{hpan, expDate, cvc, terminalId}}: {0}")]
    BadJson(String),
}

/// The plaintext of a cryptogram. Field names as on the wire.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardData {
    /// Card number (or `"AppleToken"` for Apple Pay).
    pub hpan: String,
    /// Expiry as `MMYY` (or `"expToken"`).
    #[serde(rename = "expDate")]
    pub exp_date: String,
    /// CVC/CVV (may have lost a leading zero).
    pub cvc: String,
    /// Terminal UUID the cryptogram was made for.
    #[serde(rename = "terminalId")]
    pub terminal_id: String,
}

impl CardData {
    /// Reads the decrypted JSON leniently: each field may be a string or a number (the iOS SDK
    /// writes the CVC from an integer), missing fields are empty.
    pub fn from_json(bytes: &[u8]) -> Result<Self, CryptogramError> {
        let value: Value = serde_json::from_slice(bytes).map_err(|e| CryptogramError::BadJson(e.to_string()))?;
        let object = value
            .as_object()
            .ok_or_else(|| CryptogramError::BadJson("not an object".into()))?;
        let field = |name: &str| match object.get(name) {
            Some(Value::String(s)) => s.trim().to_string(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        Ok(CardData {
            hpan: field("hpan").chars().filter(|c| !c.is_whitespace()).collect(),
            exp_date: field("expDate"),
            cvc: field("cvc"),
            terminal_id: field("terminalId"),
        })
    }
}

/// Why card details were refused before encryption (the `cryptogram` subcommand and
/// `POST /_sandbox/cryptogram`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardInputError {
    /// The card number is not 12–19 digits.
    #[error("hpan must be 12 to 19 digits (spaces allowed)")]
    PanDigits,
    /// The card number fails the Luhn checksum.
    #[error("hpan {0} fails the Luhn check (allow it explicitly to test reason 472)")]
    PanLuhn(String),
    /// The expiry is not `MMYY` (or `MM/YY`) with a month from 01 to 12.
    #[error("expDate must be MMYY (or MM/YY) with a month from 01 to 12")]
    Expiry,
    /// The CVC is not 3 or 4 digits.
    #[error("cvc must be 3 or 4 digits")]
    Cvc,
    /// The terminal is not a UUID in its hyphenated form.
    #[error("terminalId must be a terminal UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)")]
    Terminal,
}

impl CardData {
    /// Checked card details for a cryptogram: the PAN 12–19 digits (spaces removed) passing
    /// Luhn unless `allow_bad_luhn`, the expiry `MMYY` or `MM/YY` (stored as `MMYY`), the CVC 3–4
    /// digits and the terminal a UUID. Error messages never repeat a full PAN or the CVC.
    pub fn checked(
        hpan: &str,
        exp_date: &str,
        cvc: &str,
        terminal_id: &str,
        allow_bad_luhn: bool,
    ) -> Result<Self, CardInputError> {
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let pan: String = hpan.chars().filter(|c| !c.is_whitespace()).collect();
        if !digits(&pan) || !(12..=19).contains(&pan.len()) {
            return Err(CardInputError::PanDigits);
        }
        if !allow_bad_luhn && !crate::domain::cards::luhn_valid(&pan) {
            return Err(CardInputError::PanLuhn(crate::domain::cards::mask_pan(&pan)));
        }
        let exp: String = exp_date.trim().replacen('/', "", 1);
        let month = exp.get(..2).and_then(|m| m.parse::<u8>().ok());
        if !digits(&exp) || exp.len() != 4 || !month.is_some_and(|m| (1..=12).contains(&m)) {
            return Err(CardInputError::Expiry);
        }
        let cvc = cvc.trim();
        if !digits(cvc) || !(3..=4).contains(&cvc.len()) {
            return Err(CardInputError::Cvc);
        }
        let terminal = terminal_id.trim();
        if terminal.len() != 36 || uuid::Uuid::parse_str(terminal).is_err() {
            return Err(CardInputError::Terminal);
        }
        Ok(CardData {
            hpan: pan,
            exp_date: exp,
            cvc: cvc.to_string(),
            terminal_id: terminal.to_string(),
        })
    }
}

/// The key pair a sandbox decrypts cryptograms with.
#[derive(Clone)]
pub struct SandboxCrypto {
    private: Decryptor,
    public_pem: String,
}

impl std::fmt::Debug for SandboxCrypto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxCrypto").finish_non_exhaustive()
    }
}

impl SandboxCrypto {
    /// The embedded sandbox test key.
    pub fn embedded() -> Result<Self, KeyError> {
        Self::from_private_pem(SANDBOX_PRIVATE_KEY_PEM)
    }

    /// A key from PEM text: PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`).
    pub fn from_private_pem(pem: &str) -> Result<Self, KeyError> {
        let private = RsaPrivateKey::from_pkcs8_pem(pem).or_else(|pkcs8| {
            RsaPrivateKey::from_pkcs1_pem(pem).map_err(|_| KeyError::BadPrivateKey(pkcs8.to_string()))
        })?;
        let public_pem = RsaPublicKey::from(&private)
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| KeyError::Rsa(e.to_string()))?;
        Ok(SandboxCrypto {
            private: Decryptor::new(&private),
            public_pem,
        })
    }

    /// The key a sandbox starts with: `--rsa-key FILE` if given, else `sandbox-rsa-private.pem`
    /// in the fixtures directory if present, else the embedded test key.
    pub fn load(key_file: Option<&Path>, fixtures_dir: Option<&Path>) -> Result<Self, KeyError> {
        let from_dir = fixtures_dir.map(|d| d.join(KEY_FILE_NAME)).filter(|p| p.exists());
        match key_file.map(Path::to_path_buf).or(from_dir) {
            Some(path) => {
                let pem = std::fs::read_to_string(&path).map_err(|e| KeyError::Io {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                })?;
                Self::from_private_pem(&pem)
            }
            None => Self::embedded(),
        }
    }

    /// The public key as PEM SPKI (`-----BEGIN PUBLIC KEY-----`), as `/public.rsa` serves it.
    pub fn public_pem(&self) -> &str {
        &self.public_pem
    }

    /// Decrypts a base64 cryptogram into its card data. Never panics, whatever the input.
    pub fn decrypt_cryptogram(&self, cryptogram: &str) -> Result<CardData, CryptogramError> {
        let compact: String = cryptogram.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.is_empty() || compact.len() > MAX_CRYPTOGRAM_CHARS {
            return Err(CryptogramError::NotBase64);
        }
        let cipher = STANDARD.decode(compact).map_err(|_| CryptogramError::NotBase64)?;
        let plain = self.private.decrypt(&cipher).ok_or(CryptogramError::Undecryptable)?;
        CardData::from_json(&plain)
    }
}

/// Encrypts card data the way a merchant does: compact JSON, RSA PKCS#1 v1.5 with the public
/// key (PEM SPKI), standard base64. Used by the `cryptogram` subcommand and by tests.
pub fn encrypt_cryptogram(public_pem: &str, card: &CardData) -> Result<String, KeyError> {
    let public = RsaPublicKey::from_public_key_pem(public_pem).map_err(|e| KeyError::BadPublicKey(e.to_string()))?;
    let plain = serde_json::to_vec(card).map_err(|e| KeyError::Rsa(e.to_string()))?;
    let cipher = public
        .encrypt(&mut rand::thread_rng(), Pkcs1v15Encrypt, &plain)
        .map_err(|e| KeyError::Rsa(e.to_string()))?;
    Ok(STANDARD.encode(cipher))
}

/// A new RSA private key as PKCS#8 PEM (for `epay-sandbox gen-key`).
pub fn generate_private_pem(bits: usize) -> Result<String, KeyError> {
    let key = RsaPrivateKey::new(&mut rand::thread_rng(), bits).map_err(|e| KeyError::Rsa(e.to_string()))?;
    key.to_pkcs8_pem(LineEnding::LF)
        .map(|pem| pem.to_string())
        .map_err(|e| KeyError::Rsa(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::sync::OnceLock;

    fn sandbox_key() -> &'static SandboxCrypto {
        static KEY: OnceLock<SandboxCrypto> = OnceLock::new();
        KEY.get_or_init(|| SandboxCrypto::embedded().expect("embedded key parses"))
    }

    #[test]
    fn embedded_key_is_4096_bit_spki() {
        let key = sandbox_key();
        assert!(key.public_pem().starts_with("-----BEGIN PUBLIC KEY-----"));
        let der_b64: String = key.public_pem().lines().filter(|l| !l.starts_with("-----")).collect();
        assert!(
            der_b64.starts_with("MIICIjANBgkqhkiG9w0BAQEFAAOCAg8A"),
            "4096-bit SPKI prefix"
        );
    }

    #[test]
    fn round_trip_and_length() {
        let key = sandbox_key();
        let card = CardData {
            hpan: "4405639704015096".into(),
            exp_date: "0125".into(),
            cvc: "815".into(),
            terminal_id: "67e34d63-102f-4bd1-898e-370781d0074d".into(),
        };
        let cryptogram = encrypt_cryptogram(key.public_pem(), &card).expect("encrypts");
        assert_eq!(cryptogram.len(), 684);
        assert_eq!(key.decrypt_cryptogram(&cryptogram), Ok(card));
    }

    #[test]
    fn lenient_plaintext() {
        let card =
            CardData::from_json(br#"{"hpan":" 4405 6397 0401 5096","expDate":"0125","cvc":198,"terminalId":"t"}"#);
        assert_eq!(
            card.map(|c| (c.hpan, c.cvc)),
            Ok(("4405639704015096".into(), "198".into()))
        );
        assert!(CardData::from_json(b"[1]").is_err());
        assert!(CardData::from_json(b"").is_err());
    }

    #[test]
    fn pkcs1_private_keys_load_too() {
        use rsa::pkcs1::EncodeRsaPrivateKey;
        let pkcs1 = RsaPrivateKey::from_pkcs8_pem(SANDBOX_PRIVATE_KEY_PEM)
            .and_then(|key| Ok(key.to_pkcs1_pem(LineEnding::LF)?))
            .expect("pkcs1");
        let key = SandboxCrypto::from_private_pem(&pkcs1).expect("loads");
        assert_eq!(key.public_pem(), sandbox_key().public_pem());
        assert!(SandboxCrypto::from_private_pem("nonsense").is_err());
    }

    #[test]
    fn card_input_is_checked() {
        let t = "67e34d63-102f-4bd1-898e-370781d0074d";
        let ok = CardData::checked("4405 6397 0401 5096", "01/25", "815", t, false);
        assert_eq!(
            ok.map(|c| (c.hpan, c.exp_date)),
            Ok(("4405639704015096".into(), "0125".into()))
        );
        assert_eq!(
            CardData::checked("4405639704015096", "13/25", "815", t, false),
            Err(CardInputError::Expiry)
        );
        assert_eq!(
            CardData::checked("4405639704015096", "0025", "815", t, false),
            Err(CardInputError::Expiry)
        );
        assert_eq!(
            CardData::checked("4405639704015096", "012", "815", t, false),
            Err(CardInputError::Expiry)
        );
        assert_eq!(
            CardData::checked("4405-6397", "0125", "815", t, false),
            Err(CardInputError::PanDigits)
        );
        assert_eq!(
            CardData::checked("4405639704015097", "0125", "815", t, false),
            Err(CardInputError::PanLuhn("440563...5097".into()))
        );
        assert!(CardData::checked("4405639704015097", "0125", "815", t, true).is_ok());
        assert_eq!(
            CardData::checked("4405639704015096", "0125", "81", t, false),
            Err(CardInputError::Cvc)
        );
        assert_eq!(
            CardData::checked("4405639704015096", "0125", "81a5", t, false),
            Err(CardInputError::Cvc)
        );
        assert_eq!(
            CardData::checked("4405639704015096", "0125", "815", "t-1", false),
            Err(CardInputError::Terminal)
        );
    }

    #[test]
    fn bad_cryptograms_are_refused() {
        let key = sandbox_key();
        assert_eq!(key.decrypt_cryptogram(""), Err(CryptogramError::NotBase64));
        assert_eq!(key.decrypt_cryptogram("%%%"), Err(CryptogramError::NotBase64));
        assert_eq!(key.decrypt_cryptogram("AAAA"), Err(CryptogramError::Undecryptable));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn decrypt_never_panics(text in ".{0,800}") {
            let _ = sandbox_key().decrypt_cryptogram(&text);
        }

        #[test]
        fn decrypt_of_random_base64_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = sandbox_key().decrypt_cryptogram(&STANDARD.encode(bytes));
        }

        #[test]
        fn plaintext_parse_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = CardData::from_json(&bytes);
        }
    }
}
