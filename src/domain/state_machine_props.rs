//! Property tests: random operation sequences against a hand-written reference model.

use super::money::Amount;
use super::status::{Status, TRANSITIONS};
use super::transaction::tests::{ctx, sample};
use super::transaction::{Event, PendingOutcome, MIN_REFUND_KZT};
use chrono::Utc;
use proptest::prelude::*;

/// The reference model: a deliberately naive re-statement of the rules, written without the table.
#[derive(Debug, Clone, Copy)]
struct Model {
    status: Status,
    org: i64,
    charged: i64,
    refunded: i64,
    /// Polls a pending outcome still waits for.
    polls: Option<u32>,
}

impl Model {
    fn apply(&mut self, op: &Event) -> bool {
        use Status::*;
        match (self.status, op) {
            (New, Event::Approve { two_step, .. }) => {
                if *two_step {
                    self.status = Auth;
                } else {
                    self.status = Charge;
                    self.charged = self.org;
                }
                true
            }
            (New, Event::Verify { .. }) => {
                self.status = Verified;
                true
            }
            (New, Event::Decline { .. }) => {
                self.status = Reject;
                true
            }
            (New, Event::Fail { .. }) => {
                self.status = Failed;
                true
            }
            (New, Event::Fail3ds { .. }) => {
                self.status = ThreeD;
                true
            }
            (Auth, Event::Charge(amount)) => {
                let a = amount.map(Amount::minor).unwrap_or(self.org);
                if a == 0 || a > self.org {
                    return false;
                }
                self.charged = a;
                self.status = Charge;
                true
            }
            (Auth, Event::Cancel) => {
                self.status = Cancel;
                true
            }
            (Auth, Event::ExpireHold) => {
                self.status = CancelOld;
                true
            }
            (Charge | Refund, Event::Refund { amount, .. }) => {
                let left = self.charged - self.refunded;
                let a = amount.map(Amount::minor).unwrap_or(left);
                if a == 0 || a > left || (a < MIN_REFUND_KZT.minor() && a != left) {
                    return false;
                }
                self.refunded += a;
                self.status = Refund;
                true
            }
            (New, Event::Defer { pending, .. }) => {
                self.polls = pending.polls_left;
                true
            }
            (New, Event::MarkSecure | Event::CardSaved { .. }) => true,
            (New, Event::CountPoll) => match self.polls {
                Some(n) if n > 0 => {
                    self.polls = Some(n - 1);
                    true
                }
                _ => false,
            },
            _ => false,
        }
    }
}

fn amount() -> impl Strategy<Value = Option<Amount>> {
    prop_oneof![Just(None), (0i64..200_000).prop_map(|m| Some(Amount::from_minor(m)))]
}

pub(crate) fn operation() -> impl Strategy<Value = Event> {
    prop_oneof![
        any::<bool>().prop_map(|two_step| Event::Approve {
            two_step,
            approval_code: "000000".into()
        }),
        Just(Event::Verify {
            approval_code: "000000".into()
        }),
        Just(Event::Decline {
            code: 484,
            reason: "Insufficient funds".into()
        }),
        Just(Event::Fail {
            code: 461,
            reason: "System error".into()
        }),
        Just(Event::Fail3ds {
            code: 473,
            reason: "3DS failed".into()
        }),
        amount().prop_map(Event::Charge),
        Just(Event::Cancel),
        Just(Event::ExpireHold),
        amount().prop_map(|amount| Event::Refund {
            amount,
            external_id: None
        }),
        proptest::option::of(0u32..3).prop_map(|polls| Event::Defer {
            pending: PendingOutcome::after(Utc::now(), 60, None, polls),
            code: 454,
            reason: "pending".into()
        }),
        Just(Event::CountPoll),
        Just(Event::MarkSecure),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn transactions_follow_the_reference_model(org in 1i64..100_000, ops in prop::collection::vec(operation(), 0..24)) {
        let mut tx = sample(Amount::from_minor(org));
        let mut model = Model { status: Status::New, org, charged: 0, refunded: 0, polls: None };
        for op in &ops {
            let before = tx.status();
            let accepted_by_model = model.apply(op);
            let result = tx.apply(op.clone(), &ctx());
            prop_assert_eq!(result.is_ok(), accepted_by_model, "op {:?} from {}", op, before);
            prop_assert_eq!(tx.status(), model.status);
            prop_assert_eq!(tx.charged().minor(), model.charged);
            prop_assert_eq!(tx.refunded().minor(), model.refunded);
            if result.is_ok() {
                let event = op.kind();
                prop_assert!(TRANSITIONS.iter().any(|row| row.from == before && row.event == event && row.to == tx.status()));
            }
            prop_assert!(tx.refunded() <= tx.charged(), "refunded {} > charged {}", tx.refunded(), tx.charged());
            prop_assert!(tx.charged() <= tx.org_amount());
            prop_assert!(tx.amount().minor() >= 0);
        }
        prop_assert_eq!(tx.history().len(), tx.history().iter().filter(|h| TRANSITIONS.iter().any(|r| r.from == h.from && r.event == h.event && r.to == h.to)).count());
    }
}
