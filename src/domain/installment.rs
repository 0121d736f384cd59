//! Installment orders of the bank's iOS SDK (`POST /order`, `GET /order/status`): a purchase on
//! credit that the customer confirms in the Homebank app and the bank then accepts or rejects.
//! The statuses and their order come from halyk/EpaySDK `OrderStatus` (the only source); the
//! transition table below is the single source of truth for how an order moves.

use super::money::Amount;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Sandbox seconds from one automatic step to the next: the customer scans the QR, fills the
/// application, the bank decides (SDK-06).
pub const STEP_SECONDS: [i64; 3] = [15, 15, 30];

/// `seconds` after `now`, or the end of time (a clock set near it must not overflow).
fn after(now: DateTime<Utc>, seconds: i64) -> DateTime<Utc> {
    now.checked_add_signed(Duration::seconds(seconds))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// An order's status, as `GET /order/status` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrderStatus {
    /// Created; the customer has not opened it in Homebank yet.
    New,
    /// The customer scanned the QR code.
    Scan,
    /// The application is being filled in and decided.
    InProgress,
    /// Credit granted: the order is paid.
    Accept,
    /// Credit refused.
    Reject,
}

impl OrderStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::New => "NEW",
            OrderStatus::Scan => "SCAN",
            OrderStatus::InProgress => "IN_PROGRESS",
            OrderStatus::Accept => "ACCEPT",
            OrderStatus::Reject => "REJECT",
        }
    }

    /// Whether the bank has decided.
    pub fn is_final(self) -> bool {
        matches!(self, OrderStatus::Accept | OrderStatus::Reject)
    }
}

/// Something that happens to an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderStep {
    /// The customer scanned the QR code.
    Scan,
    /// The customer started the application.
    Progress,
    /// The bank granted the credit.
    Accept,
    /// The bank refused it.
    Reject,
}

impl OrderStep {
    /// Parses a control-plane name (`scan`, `progress`, `accept`, `reject`).
    pub fn parse(name: &str) -> Option<OrderStep> {
        match name.trim().to_ascii_lowercase().as_str() {
            "scan" => Some(OrderStep::Scan),
            "progress" | "in_progress" => Some(OrderStep::Progress),
            "accept" => Some(OrderStep::Accept),
            "reject" => Some(OrderStep::Reject),
            _ => None,
        }
    }
}

/// The allowed moves: the customer's steps in order, and the bank's decision from any status
/// that is not final (a control endpoint may decide early).
pub const ORDER_TRANSITIONS: &[(OrderStatus, OrderStep, OrderStatus)] = &[
    (OrderStatus::New, OrderStep::Scan, OrderStatus::Scan),
    (OrderStatus::Scan, OrderStep::Progress, OrderStatus::InProgress),
    (OrderStatus::New, OrderStep::Accept, OrderStatus::Accept),
    (OrderStatus::Scan, OrderStep::Accept, OrderStatus::Accept),
    (OrderStatus::InProgress, OrderStep::Accept, OrderStatus::Accept),
    (OrderStatus::New, OrderStep::Reject, OrderStatus::Reject),
    (OrderStatus::Scan, OrderStep::Reject, OrderStatus::Reject),
    (OrderStatus::InProgress, OrderStep::Reject, OrderStatus::Reject),
];

/// Where `step` leads from `from`, if the table allows it.
pub fn next_order_status(from: OrderStatus, step: OrderStep) -> Option<OrderStatus> {
    ORDER_TRANSITIONS
        .iter()
        .find(|(f, s, _)| *f == from && *s == step)
        .map(|(_, _, to)| *to)
}

/// Why a step was refused; the order is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an order in status {} cannot {step:?}", from.as_str())]
pub struct StepRefused {
    /// Status of the order.
    pub from: OrderStatus,
    /// The refused step.
    pub step: OrderStep,
}

/// What an order was opened with (already validated).
#[derive(Debug, Clone, PartialEq)]
pub struct NewOrder {
    /// The shop's UUID.
    pub shop_id: String,
    /// The owning client.
    pub client_id: String,
    /// The merchant's order number (the SDK sends the invoiceId).
    pub order_id: String,
    /// Amount asked for.
    pub amount: Amount,
    /// The chosen condition.
    pub credit_condition_id: String,
    /// Its number of months.
    pub month_count: u32,
    /// Its yearly interest, percent.
    pub interest_rate: f64,
    /// Whether the condition grants this amount: the automatic decision.
    pub grantable: bool,
}

/// One line of an order's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OrderHistoryEntry {
    /// When (sandbox time).
    #[schema(value_type = String, format = DateTime)]
    pub at: DateTime<Utc>,
    /// What happened.
    pub step: OrderStep,
    /// Status after.
    pub to: OrderStatus,
}

/// An installment order. It changes only through [`InstallmentOrder::apply`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InstallmentOrder {
    #[schema(value_type = String)]
    id: Uuid,
    #[serde(flatten)]
    request: OrderRequestRecord,
    status: OrderStatus,
    #[schema(value_type = String, format = DateTime)]
    created_at: DateTime<Utc>,
    /// When the next automatic step is due (`None` once final).
    #[schema(value_type = Option<String>, format = DateTime)]
    next_step_at: Option<DateTime<Utc>>,
    history: Vec<OrderHistoryEntry>,
}

/// The stored request part of an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
struct OrderRequestRecord {
    shop_id: String,
    client_id: String,
    order_id: String,
    amount: Amount,
    credit_condition_id: String,
    month_count: u32,
    interest_rate: f64,
    grantable: bool,
}

impl InstallmentOrder {
    /// A NEW order whose first automatic step is due [`STEP_SECONDS`]`[0]` from `now`.
    pub fn open(id: Uuid, new: NewOrder, now: DateTime<Utc>) -> Self {
        InstallmentOrder {
            id,
            request: OrderRequestRecord {
                shop_id: new.shop_id,
                client_id: new.client_id,
                order_id: new.order_id,
                amount: new.amount,
                credit_condition_id: new.credit_condition_id,
                month_count: new.month_count,
                interest_rate: new.interest_rate,
                grantable: new.grantable,
            },
            status: OrderStatus::New,
            created_at: now,
            next_step_at: Some(after(now, STEP_SECONDS[0])),
            history: Vec::new(),
        }
    }

    /// Applies `step` at `now` when the table allows it, and plans the next automatic step.
    pub fn apply(&mut self, step: OrderStep, now: DateTime<Utc>) -> Result<(), StepRefused> {
        let to = next_order_status(self.status, step).ok_or(StepRefused {
            from: self.status,
            step,
        })?;
        self.status = to;
        self.next_step_at = match to {
            OrderStatus::Scan => Some(after(now, STEP_SECONDS[1])),
            OrderStatus::InProgress => Some(after(now, STEP_SECONDS[2])),
            _ => None,
        };
        self.history.push(OrderHistoryEntry { at: now, step, to });
        Ok(())
    }

    /// The step the customer or the bank takes next on their own: scan, start the application,
    /// then accept when the condition grants the amount, reject otherwise.
    pub fn automatic_step(&self) -> Option<OrderStep> {
        match self.status {
            OrderStatus::New => Some(OrderStep::Scan),
            OrderStatus::Scan => Some(OrderStep::Progress),
            OrderStatus::InProgress if self.request.grantable => Some(OrderStep::Accept),
            OrderStatus::InProgress => Some(OrderStep::Reject),
            OrderStatus::Accept | OrderStatus::Reject => None,
        }
    }

    /// The automatic step, when it is due at `now`.
    pub fn due_step(&self, now: DateTime<Utc>) -> Option<OrderStep> {
        self.next_step_at.filter(|at| *at <= now).and(self.automatic_step())
    }

    /// Order UUID (`id` of the answers).
    pub fn id(&self) -> Uuid {
        self.id
    }
    /// The shop's UUID.
    pub fn shop_id(&self) -> &str {
        &self.request.shop_id
    }
    /// The owning client.
    pub fn client_id(&self) -> &str {
        &self.request.client_id
    }
    /// The merchant's order number.
    pub fn order_id(&self) -> &str {
        &self.request.order_id
    }
    /// Amount asked for.
    pub fn amount(&self) -> Amount {
        self.request.amount
    }
    /// The chosen condition's id.
    pub fn credit_condition_id(&self) -> &str {
        &self.request.credit_condition_id
    }
    /// Months of the condition.
    pub fn month_count(&self) -> u32 {
        self.request.month_count
    }
    /// Interest of the condition, percent.
    pub fn interest_rate(&self) -> f64 {
        self.request.interest_rate
    }
    /// Current status.
    pub fn status(&self) -> OrderStatus {
        self.status
    }
    /// Creation time.
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }
    /// When the next automatic step is due.
    pub fn next_step_at(&self) -> Option<DateTime<Utc>> {
        self.next_step_at
    }
    /// Every step so far.
    pub fn history(&self) -> &[OrderHistoryEntry] {
        &self.history
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn any_step() -> impl Strategy<Value = OrderStep> {
        prop_oneof![
            Just(OrderStep::Scan),
            Just(OrderStep::Progress),
            Just(OrderStep::Accept),
            Just(OrderStep::Reject)
        ]
    }

    proptest! {
        /// Whatever steps arrive, an order moves only along the table, records exactly the moves
        /// it made, never leaves a decision, and has an automatic step due exactly while open.
        #[test]
        fn orders_move_only_along_the_table(steps in proptest::collection::vec(any_step(), 0..12)) {
            let mut o = order(true);
            let now = o.created_at();
            let mut moves = 0;
            for step in steps {
                let before = o.status();
                match o.apply(step, now) {
                    Ok(()) => {
                        moves += 1;
                        prop_assert_eq!(Some(o.status()), next_order_status(before, step));
                        prop_assert!(!before.is_final());
                    }
                    Err(_) => prop_assert_eq!(o.status(), before),
                }
                prop_assert_eq!(o.history().len(), moves);
                prop_assert_eq!(o.next_step_at().is_some(), !o.status().is_final());
            }
        }
    }

    fn order(grantable: bool) -> InstallmentOrder {
        let new = NewOrder {
            shop_id: "shop".into(),
            client_id: "test".into(),
            order_id: "000000001".into(),
            amount: Amount::from_units(10_000),
            credit_condition_id: "cc".into(),
            month_count: 3,
            interest_rate: 0.0,
            grantable,
        };
        InstallmentOrder::open(Uuid::nil(), new, DateTime::<Utc>::UNIX_EPOCH)
    }

    #[test]
    fn the_automatic_steps_end_in_the_decision() {
        for (grantable, last) in [(true, OrderStatus::Accept), (false, OrderStatus::Reject)] {
            let mut o = order(grantable);
            let mut now = o.created_at();
            assert_eq!(o.due_step(now), None, "nothing is due at once");
            let mut seen = vec![o.status()];
            while let Some(at) = o.next_step_at() {
                now = at;
                let step = o.due_step(now).expect("due");
                o.apply(step, now).expect("allowed");
                seen.push(o.status());
            }
            assert_eq!(
                seen,
                [OrderStatus::New, OrderStatus::Scan, OrderStatus::InProgress, last]
            );
            assert_eq!((now - o.created_at()).num_seconds(), STEP_SECONDS.iter().sum::<i64>());
        }
    }

    #[test]
    fn final_orders_do_not_move_and_steps_cannot_be_skipped_backwards() {
        let mut o = order(true);
        let now = o.created_at();
        assert!(
            o.apply(OrderStep::Progress, now).is_err(),
            "progress needs a scan first"
        );
        o.apply(OrderStep::Reject, now).expect("the bank may decide early");
        for step in [
            OrderStep::Scan,
            OrderStep::Progress,
            OrderStep::Accept,
            OrderStep::Reject,
        ] {
            assert_eq!(
                o.apply(step, now),
                Err(StepRefused {
                    from: OrderStatus::Reject,
                    step
                })
            );
        }
        assert_eq!(o.history().len(), 1);
        assert_eq!(o.due_step(now + Duration::days(1)), None);
    }
}
