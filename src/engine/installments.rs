//! Installment orders (`POST /order`, `GET /order/status`): opened on a shop's credit
//! condition, then moved NEW → SCAN → IN_PROGRESS → ACCEPT or REJECT by the deadline queue on
//! sandbox time, or at once by the control plane (`POST /_sandbox/orders/{id}/{step}`).

use super::sdk::SdkError;
use super::Sandbox;
use crate::deadlines::Job;
use crate::domain::installment::{InstallmentOrder, NewOrder, OrderStep};
use crate::domain::money::Amount;
use crate::domain::tokens::Token;
use crate::domain::validation::check_invoice_id;
use crate::store::StepError;
use uuid::Uuid;

/// `POST /order` as the SDK sends it, already read from JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRequest {
    /// `shopId` (`shop.id` of `GET /terminals/{id}`).
    pub shop_id: String,
    /// Amount to pay in installments.
    pub amount: Amount,
    /// The merchant's order number (the SDK sends the invoiceId).
    pub order_id: String,
    /// One of the shop's credit conditions.
    pub credit_condition_id: String,
}

impl Sandbox {
    /// Opens an installment order, or answers the same order again when the SDK repeats the
    /// identical request (it sends one on every launch).
    pub fn create_order(&self, token: &Token, request: &OrderRequest) -> Result<InstallmentOrder, SdkError> {
        check_invoice_id(&request.order_id).map_err(|e| SdkError::Invalid(format!("orderId: {e}")))?;
        if request.amount.is_zero() {
            return Err(SdkError::Invalid("amount must be greater than 0".into()));
        }
        if let Some(mismatch) = token.binding_mismatch(&request.order_id, request.amount, "KZT") {
            return Err(SdkError::TokenMismatch(mismatch.explain("order")));
        }
        let shop = self.client_shop(token, &request.shop_id)?;
        let condition = shop.condition(&request.credit_condition_id).ok_or_else(|| {
            SdkError::Invalid(format!(
                "creditConditionId '{}' is not a credit condition of shop {} (see GET /credit-condition?shopId={})",
                request.credit_condition_id, shop.id, shop.id
            ))
        })?;
        let new = NewOrder {
            shop_id: shop.id.clone(),
            client_id: shop.client_id.clone(),
            order_id: request.order_id.clone(),
            amount: request.amount,
            credit_condition_id: condition.id.clone(),
            month_count: condition.month_count,
            interest_rate: condition.interest_rate,
            grantable: condition.grants(request.amount),
        };
        let order = InstallmentOrder::open(self.ids.uuid(), new, self.clock.now());
        match self.store.installments().insert(order.clone()) {
            Ok(()) => {
                self.schedule_order_step(&order);
                tracing::info!(id = %order.id(), order = %order.order_id(), shop = %order.shop_id(), "installment order");
                Ok(order)
            }
            Err(duplicate) => match self.store.installments().by_order_id(&shop.id, &request.order_id) {
                Some(existing)
                    if existing.amount() == request.amount && existing.credit_condition_id() == condition.id =>
                {
                    Ok(existing)
                }
                _ => Err(SdkError::Invalid(duplicate.to_string())),
            },
        }
    }

    /// `GET /order/status?orderId=`: the order on the token's terminal's shop, or on any shop of
    /// the token's client when the token names no terminal.
    pub fn order_status(&self, token: &Token, order_id: &str) -> Result<InstallmentOrder, SdkError> {
        let order_id = order_id.trim();
        let shops: Vec<String> = match token.terminal.as_deref().and_then(|t| self.shop_of_terminal(t)) {
            Some(shop) => vec![shop.id],
            None => self
                .fixtures
                .shops
                .iter()
                .filter(|s| s.client_id == token.client_id)
                .map(|s| s.id.clone())
                .collect(),
        };
        shops
            .iter()
            .find_map(|shop| self.store.installments().by_order_id(shop, order_id))
            .filter(|o| o.client_id() == token.client_id)
            .ok_or_else(|| SdkError::NotFound(format!("order {order_id} not found")))
    }

    /// Moves an order one step at once (control plane, dashboard); the automatic timeline goes
    /// on from the new status.
    pub fn step_order(&self, id: Uuid, step: OrderStep) -> Result<InstallmentOrder, StepError> {
        let order = self.store.installments().apply(id, step, self.clock.now())?;
        self.schedule_order_step(&order);
        Ok(order)
    }

    /// Takes the step the timeline would take next, at once.
    pub fn advance_order(&self, id: Uuid) -> Result<InstallmentOrder, StepError> {
        let order = self.store.installments().get(id).ok_or(StepError::NotFound(id))?;
        match order.automatic_step() {
            Some(step) => self.step_order(id, step),
            None => Ok(order),
        }
    }

    /// An order by its UUID, or by its orderId (the newest of that number).
    pub fn find_order(&self, key: &str) -> Option<InstallmentOrder> {
        let key = key.trim();
        match Uuid::parse_str(key) {
            Ok(id) => self.store.installments().get(id),
            Err(_) => self
                .store
                .installments()
                .all()
                .into_iter()
                .find(|o| o.order_id() == key),
        }
    }

    /// Every installment order, newest first.
    pub fn installment_orders(&self) -> Vec<InstallmentOrder> {
        self.store.installments().all()
    }

    /// Removes the orders of a partition reset: the client's, and only those of the terminal's
    /// shop when a terminal is named; how many.
    pub(super) fn remove_orders(&self, client_id: Option<&str>, terminal: Option<&str>) -> usize {
        let shop = terminal.and_then(|t| self.shop_of_terminal(t)).map(|s| s.id);
        let doomed = self.store.installments().all().into_iter().filter(|o| {
            client_id.is_none_or(|c| o.client_id() == c)
                && terminal.is_none_or(|_| shop.as_deref() == Some(o.shop_id()))
        });
        doomed.filter(|o| self.store.installments().remove(&o.id())).count()
    }

    /// The deadline job of an order: takes every automatic step that is due, each at the time
    /// it fell due (so a clock moved past several steps replays them in order), then schedules
    /// the next one.
    pub(super) fn run_order_step(&self, id: Uuid) {
        let now = self.clock.now();
        let mut last = None;
        while let Some(order) = self.store.installments().get(id) {
            let (Some(step), Some(at)) = (order.due_step(now), order.next_step_at()) else {
                break;
            };
            match self.store.installments().apply(id, step, at) {
                Ok(moved) => last = Some(moved),
                Err(error) => {
                    tracing::debug!(%id, %error, "order timer found the order already moved");
                    break;
                }
            }
        }
        if let Some(order) = last {
            self.schedule_order_step(&order);
        }
    }

    /// Puts an order from a state file back, with its next automatic step scheduled.
    pub(super) fn restore_order(&self, order: InstallmentOrder) {
        self.schedule_order_step(&order);
        if let Err(error) = self.store.installments().insert(order) {
            tracing::warn!(%error, "installment order of the state file not restored");
        }
    }

    fn schedule_order_step(&self, order: &InstallmentOrder) {
        if let Some(at) = order.next_step_at() {
            self.deadlines.schedule(at, Job::AdvanceOrder(order.id()));
        }
    }
}
