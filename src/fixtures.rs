//! Data about the bank, loaded from `fixtures/`: merchants and terminals, test cards, reason
//! and result codes.
//!
//! The files are compiled into the binary so it runs from any directory; `--fixtures DIR`
//! reads a directory instead, which must hold all four JSON files (a copy of `fixtures/`); the
//! RSA key in it is optional, and so are the files of the iOS SDK's areas (`shops.json`,
//! `bonuses.json`, `homebank.json`): a directory without them gets the embedded ones.

use crate::domain::bonus::BonusAccount;
use crate::domain::cards::TestCard;
use crate::domain::homebank::HomebankUser;
use crate::domain::merchants::Merchant;
use crate::domain::reasons::{Catalogue, ReasonCode, ResultCode};
use crate::domain::shops::Shop;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::path::{Path, PathBuf};

const MERCHANTS: &str = include_str!("../fixtures/merchants.json");
const CARDS: &str = include_str!("../fixtures/cards.json");
const REASON_CODES: &str = include_str!("../fixtures/reason_codes.json");
const RESULT_CODES: &str = include_str!("../fixtures/result_codes.json");
const SHOPS: &str = include_str!("../fixtures/shops.json");
const BONUSES: &str = include_str!("../fixtures/bonuses.json");
const HOMEBANK: &str = include_str!("../fixtures/homebank.json");

/// The JSON files a fixtures directory must hold.
pub const FILES: [&str; 4] = ["merchants.json", "cards.json", "reason_codes.json", "result_codes.json"];

/// Why fixtures could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    /// The fixtures directory does not exist or is not a directory.
    #[error("fixtures directory {0} does not exist or is not a directory")]
    NoDirectory(PathBuf),
    /// The fixtures directory lacks some of [`FILES`].
    #[error("fixtures directory {dir} lacks {}: copy them from the project's fixtures/ folder", missing.join(", "))]
    Incomplete {
        /// The directory.
        dir: PathBuf,
        /// The missing file names.
        missing: Vec<&'static str>,
    },
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A file is not valid JSON of the expected shape.
    #[error("{file} is malformed: {source}")]
    Parse {
        /// The file name.
        file: String,
        /// The cause.
        source: serde_json::Error,
    },
}

#[derive(Deserialize)]
struct MerchantsFile {
    merchants: Vec<Merchant>,
}

#[derive(Deserialize)]
struct CardsFile {
    cards: Vec<TestCard>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReasonCodesFile {
    reason_codes: Vec<ReasonCode>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResultCodesFile {
    result_codes: Vec<ResultCode>,
}

#[derive(Deserialize)]
struct ShopsFile {
    shops: Vec<Shop>,
}

#[derive(Deserialize)]
struct BonusesFile {
    bonuses: Vec<BonusAccount>,
}

#[derive(Deserialize)]
struct HomebankFile {
    users: Vec<HomebankUser>,
}

/// Everything the sandbox knows about the bank before any request arrives.
#[derive(Debug, Clone)]
pub struct Fixtures {
    /// Merchants with their terminals (the initial directory; more can be added at run time).
    pub merchants: Vec<Merchant>,
    /// Test cards.
    pub cards: Vec<TestCard>,
    /// Reason and result codes.
    pub catalogue: Catalogue,
    /// Shops of the merchants: the iOS SDK's terminal info, public profile and credit conditions.
    pub shops: Vec<Shop>,
    /// Halyk bonus balances of test cards (what a reset restores).
    pub bonuses: Vec<BonusAccount>,
    /// Test Homebank users of the Halyk ID flow, with their cards.
    pub homebank_users: Vec<HomebankUser>,
    /// The directory they came from, if not embedded (other files, such as the RSA key, live there too).
    pub dir: Option<PathBuf>,
}

impl Fixtures {
    /// The fixtures compiled into the binary.
    pub fn embedded() -> Result<Self, FixtureError> {
        Self::load(None)
    }

    /// Fixtures from `dir`, which must exist and hold every one of [`FILES`].
    pub fn from_dir(dir: &Path) -> Result<Self, FixtureError> {
        if !dir.is_dir() {
            return Err(FixtureError::NoDirectory(dir.to_path_buf()));
        }
        let missing: Vec<&'static str> = FILES.into_iter().filter(|f| !dir.join(f).is_file()).collect();
        if !missing.is_empty() {
            return Err(FixtureError::Incomplete {
                dir: dir.to_path_buf(),
                missing,
            });
        }
        Self::load(Some(dir))
    }

    fn load(dir: Option<&Path>) -> Result<Self, FixtureError> {
        let merchants: MerchantsFile = read(dir, "merchants.json", MERCHANTS)?;
        let cards: CardsFile = read(dir, "cards.json", CARDS)?;
        let reasons: ReasonCodesFile = read(dir, "reason_codes.json", REASON_CODES)?;
        let results: ResultCodesFile = read(dir, "result_codes.json", RESULT_CODES)?;
        let shops: ShopsFile = read(dir, "shops.json", SHOPS)?;
        let bonuses: BonusesFile = read(dir, "bonuses.json", BONUSES)?;
        let homebank: HomebankFile = read(dir, "homebank.json", HOMEBANK)?;
        Ok(Fixtures {
            shops: shops.shops,
            bonuses: bonuses.bonuses,
            homebank_users: homebank.users,
            merchants: merchants.merchants,
            cards: cards.cards,
            catalogue: Catalogue::new(reasons.reason_codes, results.result_codes),
            dir: dir.map(Path::to_path_buf),
        })
    }

    /// The Homebank user whose token this is.
    pub fn homebank_user(&self, token: &str) -> Option<&HomebankUser> {
        self.homebank_users.iter().find(|u| u.token == token)
    }

    /// The test card with this PAN.
    pub fn card(&self, pan: &str) -> Option<&TestCard> {
        self.cards.iter().find(|c| c.pan == pan)
    }
}

fn read<T: DeserializeOwned>(dir: Option<&Path>, file: &str, embedded: &str) -> Result<T, FixtureError> {
    let text = match dir.map(|d| d.join(file)) {
        Some(path) if path.exists() => {
            std::fs::read_to_string(&path).map_err(|source| FixtureError::Io { path, source })?
        }
        _ => embedded.to_string(),
    };
    serde_json::from_str(&text).map_err(|source| FixtureError::Parse {
        file: file.to_string(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_fixtures_load_and_hold_the_documented_data() {
        let fx = Fixtures::embedded().expect("embedded fixtures parse");
        let test = fx
            .merchants
            .iter()
            .find(|m| m.client_id == "test")
            .expect("test client");
        assert_eq!(test.client_secret, "yF587AV9Ms94qN2QShFzVR3vFnWkhjbAK3sG");
        assert!(test.terminal("67e34d63-102f-4bd1-898e-370781d0074d").is_some());
        assert!(fx.card("4405639704015096").is_some());
        assert!(fx.card("377514500004820").is_some());
        assert_eq!(
            fx.catalogue.reason(484).map(|r| r.message_en.as_str()),
            Some("Insufficient funds")
        );
        assert_eq!(fx.catalogue.reason(454).map(|r| r.r#final), Some(false));
        assert_eq!(
            fx.catalogue.result_message("102"),
            "Invoice not found, try again later or check transaction type (payment/p2p)"
        );
    }

    #[test]
    fn a_missing_or_incomplete_directory_is_named() {
        let nowhere = std::env::temp_dir().join("epay-sandbox-no-such-fixtures");
        let error = Fixtures::from_dir(&nowhere).map(|_| ()).map_err(|e| e.to_string());
        assert!(error.as_ref().is_err_and(|e| e.contains("does not exist")), "{error:?}");

        let partial = std::env::temp_dir().join(format!("epay-sandbox-partial-{}", std::process::id()));
        std::fs::create_dir_all(&partial).expect("temp dir");
        std::fs::write(partial.join("merchants.json"), MERCHANTS).expect("write");
        let error = Fixtures::from_dir(&partial).map(|_| ()).map_err(|e| e.to_string());
        let _ = std::fs::remove_dir_all(&partial);
        assert!(
            error
                .as_ref()
                .is_err_and(|e| e.contains("cards.json, reason_codes.json, result_codes.json")),
            "{error:?}"
        );

        let full = Fixtures::from_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"));
        assert!(full.is_ok());
    }

    #[test]
    fn ios_sdk_fixtures_point_at_known_merchants_terminals_and_cards() {
        let fx = Fixtures::embedded().expect("embedded fixtures parse");
        assert!(!fx.shops.is_empty() && !fx.bonuses.is_empty() && !fx.homebank_users.is_empty());
        for shop in &fx.shops {
            let merchant = fx.merchants.iter().find(|m| m.client_id == shop.client_id);
            let merchant = merchant.unwrap_or_else(|| panic!("shop {} names an unknown client", shop.id));
            for terminal in &shop.terminals {
                assert!(
                    merchant.terminal(terminal).is_some(),
                    "shop {} sells an unknown terminal {terminal}",
                    shop.id
                );
            }
            let mut ids: Vec<&str> = shop.credit_conditions.iter().map(|c| c.id.as_str()).collect();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(
                ids.len(),
                shop.credit_conditions.len(),
                "condition ids of shop {} repeat",
                shop.id
            );
        }
        for account in &fx.bonuses {
            assert!(
                fx.card(&account.pan).is_some(),
                "bonus for an unknown card {}",
                account.pan
            );
        }
        assert!(
            fx.homebank_user("hb-test-token-0001").is_some(),
            "the documented test Homebank token"
        );
    }

    #[test]
    fn sandbox_cards_are_luhn_valid() {
        let fx = Fixtures::embedded().expect("embedded fixtures parse");
        for card in fx.cards.iter().filter(|c| !c.documented) {
            assert!(crate::domain::cards::luhn_valid(&card.pan), "{} fails Luhn", card.pan);
        }
    }
}
