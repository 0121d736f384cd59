//! Property tests: random operation sequences against a hand-written reference model.

use super::money::Amount;
use super::status::{Status, TRANSITIONS};
use super::transaction::tests::sample;
use super::transaction::{Operation, MIN_REFUND_KZT};
use chrono::Utc;
use proptest::prelude::*;
use uuid::Uuid;

/// The reference model: a deliberately naive re-statement of the rules, written without the table.
#[derive(Debug, Clone, Copy)]
struct Model {
    status: Status,
    org: i64,
    charged: i64,
    refunded: i64,
}

impl Model {
    fn apply(&mut self, op: &Operation) -> bool {
        use Status::*;
        match (self.status, op) {
            (New, Operation::Approve { two_step, .. }) => {
                if *two_step {
                    self.status = Auth;
                } else {
                    self.status = Charge;
                    self.charged = self.org;
                }
                true
            }
            (New, Operation::Verify { .. }) => {
                self.status = Verified;
                true
            }
            (New, Operation::Decline { .. }) => {
                self.status = Reject;
                true
            }
            (New, Operation::Fail { .. }) => {
                self.status = Failed;
                true
            }
            (New, Operation::Fail3ds { .. }) => {
                self.status = ThreeD;
                true
            }
            (Auth, Operation::Charge(amount)) => {
                let a = amount.map(Amount::minor).unwrap_or(self.org);
                if a == 0 || a > self.org {
                    return false;
                }
                self.charged = a;
                self.status = Charge;
                true
            }
            (Auth, Operation::Cancel) => {
                self.status = Cancel;
                true
            }
            (Auth, Operation::ExpireHold) => {
                self.status = CancelOld;
                true
            }
            (Charge | Refund, Operation::Refund(amount)) => {
                let left = self.charged - self.refunded;
                let a = amount.map(Amount::minor).unwrap_or(left);
                if a == 0 || a > left || (a < MIN_REFUND_KZT.minor() && a != left) {
                    return false;
                }
                self.refunded += a;
                self.status = Refund;
                true
            }
            _ => false,
        }
    }
}

fn amount() -> impl Strategy<Value = Option<Amount>> {
    prop_oneof![Just(None), (0i64..200_000).prop_map(|m| Some(Amount::from_minor(m)))]
}

fn operation() -> impl Strategy<Value = Operation> {
    prop_oneof![
        any::<bool>().prop_map(|two_step| Operation::Approve {
            two_step,
            approval_code: "000000".into()
        }),
        Just(Operation::Verify {
            approval_code: "000000".into()
        }),
        Just(Operation::Decline {
            code: 484,
            reason: "Insufficient funds".into()
        }),
        Just(Operation::Fail {
            code: 461,
            reason: "System error".into()
        }),
        Just(Operation::Fail3ds {
            code: 473,
            reason: "3DS failed".into()
        }),
        amount().prop_map(Operation::Charge),
        Just(Operation::Cancel),
        Just(Operation::ExpireHold),
        amount().prop_map(Operation::Refund),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn transactions_follow_the_reference_model(org in 1i64..100_000, ops in prop::collection::vec(operation(), 0..24)) {
        let mut tx = sample(Amount::from_minor(org));
        let mut model = Model { status: Status::New, org, charged: 0, refunded: 0 };
        for op in &ops {
            let before = tx.status;
            let accepted_by_model = model.apply(op);
            let result = tx.apply(op, Utc::now(), Uuid::nil());
            prop_assert_eq!(result.is_ok(), accepted_by_model, "op {:?} from {}", op, before);
            prop_assert_eq!(tx.status, model.status);
            prop_assert_eq!(tx.charged.minor(), model.charged);
            prop_assert_eq!(tx.refunded.minor(), model.refunded);
            if result.is_ok() {
                let event = op.event();
                prop_assert!(TRANSITIONS.iter().any(|row| row.from == before && row.event == event && row.to == tx.status));
            }
            prop_assert!(tx.refunded <= tx.charged, "refunded {} > charged {}", tx.refunded, tx.charged);
            prop_assert!(tx.charged <= tx.org_amount);
            prop_assert!(tx.amount().minor() >= 0);
        }
        prop_assert_eq!(tx.history.len(), tx.history.iter().filter(|h| TRANSITIONS.iter().any(|r| r.from == h.from && r.event == h.event && r.to == h.to)).count());
    }
}
