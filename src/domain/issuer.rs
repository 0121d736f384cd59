//! The sandbox issuer: which [`Outcome`] an authorisation attempt gets from its amount and its
//! card. Pure functions over the fixtures, so every rule is unit- and property-tested.
//!
//! Order (see [`resolve`]): a forced outcome from the control plane, then a magic amount, then
//! the test card.

use super::cards::{luhn_valid, LockStatus, TestCard, ThreeDsBehavior};
use super::money::Amount;
use super::outcome::Outcome;
use super::reasons::Catalogue;
use crate::fidelity;

/// The card data of an attempt as the payer entered it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PresentedCard<'a> {
    /// Card number (digits).
    pub pan: &'a str,
    /// Expiry as `MMYY` (`MM/YY` is tolerated).
    pub expiry: &'a str,
    /// CVC/CVV.
    pub cvc: &'a str,
}

/// A calendar month, for expiry checks ("today" is the sandbox clock in bank time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct YearMonth {
    /// Four-digit year.
    pub year: i32,
    /// 1–12.
    pub month: u32,
}

/// The outcome of an attempt: `forced` if any, else the magic amount's, else `card()`.
pub fn resolve(
    forced: Option<Outcome>,
    amount: Amount,
    catalogue: &Catalogue,
    card: impl FnOnce() -> Outcome,
) -> Outcome {
    forced
        .or_else(|| magic_amount_outcome(amount, catalogue))
        .unwrap_or_else(card)
}

/// Magic amounts (P-02): `N.99` where `N` is a catalogued reason code forces that code: a final
/// code refuses (REJECT, or FAILED when technical), a not-final one (454) stays pending for
/// [`fidelity::MAGIC_PENDING_SECONDS`] and is then approved. Any other amount is `None`.
pub fn magic_amount_outcome(amount: Amount, catalogue: &Catalogue) -> Option<Outcome> {
    let minor = amount.minor();
    if minor % 100 != fidelity::MAGIC_AMOUNT_CENTS {
        return None;
    }
    let code = i32::try_from(minor / 100).ok().filter(|code| *code != 0)?;
    let reason = catalogue.reason(code)?;
    if reason.r#final {
        Some(catalogue.refusal(code))
    } else {
        Some(Outcome::Pending {
            settle_after_seconds: fidelity::MAGIC_PENDING_SECONDS,
            then_decline: None,
            settle_after_polls: None,
        })
    }
}

/// The outcome for a card entered by the payer (cryptopay): number, expiry and CVC checked
/// against the test cards, then the card's behaviour, 3-D Secure included.
pub fn card_outcome(
    cards: &[TestCard],
    presented: &PresentedCard<'_>,
    today: YearMonth,
    catalogue: &Catalogue,
) -> Outcome {
    let pan = presented.pan;
    if !(12..=19).contains(&pan.len()) || !luhn_valid(pan) {
        return catalogue.refusal(fidelity::INVALID_PAN_REASON);
    }
    let Some(card) = cards.iter().find(|c| c.pan == pan) else {
        return catalogue.refusal(fidelity::UNKNOWN_CARD_REASON);
    };
    match check_credentials(card, presented, today) {
        Err(code) => catalogue.refusal(code),
        Ok(LockStatus::Lock) => catalogue.refusal(locked_reason(card)),
        Ok(LockStatus::Unlock) => behavior_outcome(card, catalogue, false),
    }
}

/// The outcome for a saved card (`/payments/cards/auth`): no credentials to check and no
/// 3-D Secure (spec §11.11), but locks, declines and pending behaviours still apply. A PAN that
/// is no longer among the test cards is treated as an ordinary approving card.
pub fn saved_card_outcome(card: Option<&TestCard>, catalogue: &Catalogue) -> Outcome {
    match card {
        Some(card) if card.status == LockStatus::Lock => catalogue.refusal(locked_reason(card)),
        Some(card) => behavior_outcome(card, catalogue, true),
        None => Outcome::Approve,
    }
}

/// What a card's `behavior` does once its credentials are accepted.
pub fn behavior_outcome(card: &TestCard, catalogue: &Catalogue, skip_3ds: bool) -> Outcome {
    let behavior = &card.behavior;
    let after = if let Some(code) = behavior.decline_reason_code {
        catalogue.refusal(code)
    } else if let Some(pending) = behavior.pending {
        Outcome::Pending {
            settle_after_seconds: pending.settle_after_seconds,
            then_decline: None,
            settle_after_polls: None,
        }
    } else {
        Outcome::Approve
    };
    if skip_3ds {
        return after;
    }
    match behavior.three_ds {
        ThreeDsBehavior::Frictionless => after,
        ThreeDsBehavior::Challenge => Outcome::Challenge { then: Box::new(after) },
        ThreeDsBehavior::Unavailable => catalogue.refusal(fidelity::THREE_DS_UNAVAILABLE_REASON),
        ThreeDsBehavior::Fails => Outcome::Challenge {
            then: Box::new(Outcome::AuthenticationFailed {
                code: fidelity::THREE_DS_FAILED_REASON,
            }),
        },
    }
}

/// Whether a presented CVC matches a documented one, leniently: an integer CVC loses its
/// leading zeros in the iOS SDK, so `198` matches `0198` (spec §8).
pub fn cvc_matches(documented: &str, presented: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    digits(documented)
        && digits(presented)
        && presented.len() <= documented.len()
        && documented.trim_start_matches('0') == presented.trim_start_matches('0')
}

/// `MMYY` (or `MM/YY`) as `(month, two-digit year)`; `None` when malformed.
pub fn parse_expiry(expiry: &str) -> Option<(u32, u32)> {
    let digits: String = expiry.trim().chars().filter(|c| *c != '/').collect();
    if digits.len() != 4 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let month: u32 = digits.get(..2)?.parse().ok()?;
    let year: u32 = digits.get(2..)?.parse().ok()?;
    (1..=12).contains(&month).then_some((month, year))
}

fn locked_reason(card: &TestCard) -> i32 {
    card.behavior
        .locked_reason_code
        .unwrap_or(fidelity::LOCKED_CARD_DEFAULT_REASON)
}

/// Checks expiry and CVC. Documented cards accept only their documented pairs, whatever today's
/// date (their lock status may come from the pair); other cards any well-formed, non-past expiry
/// and any 3–4 digit CVC. `Err` carries the decline reason.
fn check_credentials(card: &TestCard, presented: &PresentedCard<'_>, today: YearMonth) -> Result<LockStatus, i32> {
    let (month, year) = parse_expiry(presented.expiry).ok_or(fidelity::WRONG_EXPIRY_REASON)?;
    if card.documented || !card.credentials.is_empty() {
        let mut same_expiry = card
            .credentials
            .iter()
            .filter(|c| c.month.parse::<u32>().ok() == Some(month) && c.year.parse::<u32>().ok() == Some(year))
            .peekable();
        if same_expiry.peek().is_none() {
            return Err(fidelity::WRONG_EXPIRY_REASON);
        }
        let credentials = same_expiry
            .find(|c| cvc_matches(&c.cvc, presented.cvc))
            .ok_or(fidelity::WRONG_CVC_REASON)?;
        return Ok(credentials.status.unwrap_or(card.status));
    }
    let expires = YearMonth {
        year: 2000 + i32::try_from(year).unwrap_or(0),
        month,
    };
    if expires < today {
        return Err(fidelity::EXPIRED_CARD_REASON);
    }
    let cvc_ok = (3..=4).contains(&presented.cvc.len()) && presented.cvc.chars().all(|c| c.is_ascii_digit());
    if !cvc_ok {
        return Err(fidelity::WRONG_CVC_REASON);
    }
    Ok(card.status)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::Fixtures;
    use proptest::prelude::*;

    const TODAY: YearMonth = YearMonth { year: 2026, month: 6 };

    fn fx() -> Fixtures {
        Fixtures::embedded().expect("fixtures")
    }

    fn outcome(pan: &str, expiry: &str, cvc: &str) -> Outcome {
        let fx = fx();
        card_outcome(&fx.cards, &PresentedCard { pan, expiry, cvc }, TODAY, &fx.catalogue)
    }

    fn challenge(then: Outcome) -> Outcome {
        Outcome::Challenge { then: Box::new(then) }
    }

    #[test]
    fn documented_cards_accept_only_their_pairs() {
        assert_eq!(outcome("4405639704015096", "0125", "815"), Outcome::Approve);
        assert_eq!(outcome("4405639704015096", "0127", "321"), Outcome::Approve);
        assert_eq!(
            outcome("4405639704015096", "0127", "815"),
            Outcome::Decline { code: 469 }
        );
        assert_eq!(
            outcome("4405639704015096", "1230", "815"),
            Outcome::Decline { code: 457 }
        );
        assert_eq!(outcome("5522042705066736", "0127", "775"), challenge(Outcome::Approve));
        assert_eq!(outcome("377514500004820", "0128", "0198"), Outcome::Approve);
        assert_eq!(outcome("377514500004820", "0128", "198"), Outcome::Approve);
        assert_eq!(
            outcome("377514500004820", "0125", "4169"),
            Outcome::Decline { code: 465 }
        );
        assert_eq!(outcome("377514500000794", "0923", "1687"), Outcome::Approve);
        assert_eq!(
            outcome("4003032704547597", "0920", "170"),
            Outcome::Decline { code: 465 }
        );
        assert_eq!(
            outcome("5578342710750560", "0920", "254"),
            Outcome::Decline { code: 467 }
        );
    }

    #[test]
    fn sandbox_cards_follow_their_behaviour() {
        assert_eq!(
            outcome("4000000000004848", "1230", "123"),
            Outcome::Decline { code: 484 }
        );
        assert_eq!(outcome("4000000000004947", "1230", "123"), Outcome::Fail { code: 494 });
        assert_eq!(
            outcome("4000000000004541", "1230", "123"),
            Outcome::Pending {
                settle_after_seconds: 60,
                then_decline: None,
                settle_after_polls: None
            }
        );
        assert_eq!(outcome("4000000000003014", "1230", "1234"), challenge(Outcome::Approve));
        assert_eq!(
            outcome("5100000000004844", "1230", "123"),
            challenge(Outcome::Decline { code: 484 })
        );
        assert_eq!(
            outcome("4000000000004558", "1230", "123"),
            Outcome::Decline { code: 455 }
        );
        assert_eq!(
            outcome("4000000000004731", "1230", "123"),
            challenge(Outcome::AuthenticationFailed { code: 473 })
        );
        assert_eq!(
            outcome("4000000000004848", "0526", "123"),
            Outcome::Decline { code: 478 }
        );
        assert_eq!(
            outcome("4000000000004848", "0626", "123"),
            Outcome::Decline { code: 484 }
        );
        assert_eq!(
            outcome("4000000000004848", "1330", "123"),
            Outcome::Decline { code: 457 }
        );
        assert_eq!(
            outcome("4000000000004848", "1230", "12"),
            Outcome::Decline { code: 469 }
        );
    }

    #[test]
    fn unknown_and_invalid_numbers() {
        assert_eq!(
            outcome("4111111111111111", "1230", "123"),
            Outcome::Decline { code: 471 }
        );
        assert_eq!(
            outcome("4111111111111112", "1230", "123"),
            Outcome::Decline { code: 472 }
        );
        assert_eq!(outcome("", "1230", "123"), Outcome::Decline { code: 472 });
    }

    #[test]
    fn magic_amounts() {
        let fx = fx();
        let magic = |minor| magic_amount_outcome(Amount::from_minor(minor), &fx.catalogue);
        assert_eq!(magic(48499), Some(Outcome::Decline { code: 484 }));
        assert_eq!(magic(46199), Some(Outcome::Fail { code: 461 }));
        assert_eq!(
            magic(45499),
            Some(Outcome::Pending {
                settle_after_seconds: 60,
                then_decline: None,
                settle_after_polls: None
            })
        );
        assert_eq!(magic(48400), None);
        assert_eq!(magic(48498), None);
        assert_eq!(magic(99), None);
        assert_eq!(magic(99999), None);
    }

    #[test]
    fn resolution_order_is_forced_magic_card() {
        let fx = fx();
        let forced = Some(Outcome::Fail { code: 461 });
        let card = || Outcome::Approve;
        assert_eq!(
            resolve(forced.clone(), Amount::from_minor(48499), &fx.catalogue, card),
            Outcome::Fail { code: 461 }
        );
        assert_eq!(
            resolve(None, Amount::from_minor(48499), &fx.catalogue, card),
            Outcome::Decline { code: 484 }
        );
        assert_eq!(
            resolve(None, Amount::from_units(100), &fx.catalogue, card),
            Outcome::Approve
        );
    }

    #[test]
    fn saved_cards_skip_3ds_but_keep_declines_and_locks() {
        let fx = fx();
        let saved = |pan| saved_card_outcome(fx.card(pan), &fx.catalogue);
        assert_eq!(saved("5522042705066736"), Outcome::Approve);
        assert_eq!(saved("5100000000004844"), Outcome::Decline { code: 484 });
        assert_eq!(saved("4003032704547597"), Outcome::Decline { code: 465 });
        assert_eq!(saved("4000000000004731"), Outcome::Approve);
        assert_eq!(saved("4111111111111111"), Outcome::Approve);
    }

    #[test]
    fn cvc_leniency() {
        assert!(cvc_matches("0198", "198"));
        assert!(cvc_matches("0198", "0198"));
        assert!(!cvc_matches("198", "0198"));
        assert!(!cvc_matches("0198", "98"));
        assert!(!cvc_matches("815", ""));
        assert!(!cvc_matches("815", "8a5"));
    }

    proptest! {
        #[test]
        fn card_outcome_never_panics(pan in ".{0,24}", expiry in ".{0,6}", cvc in ".{0,6}") {
            let _ = outcome(&pan, &expiry, &cvc);
        }

        #[test]
        fn unknown_valid_pans_decline_with_471(body in "[0-9]{15}") {
            let fx = fx();
            let check = (0..10).map(|d| format!("{body}{d}")).find(|p| luhn_valid(p)).unwrap_or_default();
            prop_assume!(fx.card(&check).is_none());
            prop_assert_eq!(outcome(&check, "1230", "123"), Outcome::Decline { code: 471 });
        }

        #[test]
        fn non_magic_amounts_are_normal(minor in 0i64..100_000_000) {
            let fx = fx();
            prop_assume!(minor % 100 != 99);
            prop_assert_eq!(magic_amount_outcome(Amount::from_minor(minor), &fx.catalogue), None);
        }

        #[test]
        fn magic_amounts_never_approve(units in 0i64..10_000) {
            let fx = fx();
            let outcome = magic_amount_outcome(Amount::from_minor(units * 100 + 99), &fx.catalogue);
            prop_assert!(outcome != Some(Outcome::Approve));
        }
    }
}
