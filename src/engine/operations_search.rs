//! `POST /operations` and `POST /p2p/operations`: the merchant cabinet's paged search over what
//! the sandbox holds for the token's client (spec §3.8). The query language is
//! [`crate::domain::search`].

use super::Sandbox;
use crate::domain::search::{SearchError, SearchPage, SearchQuery, SearchRow};
use crate::domain::tokens::{Grant, Token};
use crate::domain::transaction::{Transaction, TransactionKind};

/// Why a search was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchRefusal {
    /// The token is not a password-grant (cabinet user) token.
    #[error("operation searches need a password-grant token (grant_type=password with a cabinet user's username and password)")]
    NeedsPasswordToken,
    /// The query is malformed.
    #[error(transparent)]
    BadQuery(#[from] SearchError),
}

impl Sandbox {
    /// Searches the token client's payments (`kind` Payment) or transfers (`kind` Transfer).
    pub fn search_operations(
        &self,
        token: &Token,
        kind: TransactionKind,
        body: &serde_json::Value,
    ) -> Result<(SearchQuery, SearchPage<Transaction>), SearchRefusal> {
        if !matches!(token.grant, Grant::Password { .. }) {
            return Err(SearchRefusal::NeedsPasswordToken);
        }
        let date_name = match kind {
            TransactionKind::Payment => "created_date",
            TransactionKind::Transfer => "created_at",
        };
        let query = SearchQuery::parse(body, date_name)?;
        self.run_due_timers();
        let rows = self
            .store
            .transactions()
            .all()
            .into_iter()
            .filter(|t| t.kind() == kind && t.client_id() == token.client_id)
            .map(|t| (search_row(&t), t))
            .collect();
        let page = query.run(rows);
        Ok((query, page))
    }
}

/// A transaction as the search sees it.
fn search_row(tx: &Transaction) -> SearchRow {
    let (transaction_type, card_masks) = match tx.transfer() {
        Some(details) => (
            details.kind.as_str().to_string(),
            [&details.sender, &details.receiver]
                .into_iter()
                .flatten()
                .map(|p| p.mask.clone())
                .collect(),
        ),
        None => ("PAYMENT".to_string(), vec![tx.card().mask.to_string()]),
    };
    SearchRow {
        id: tx.id().to_string(),
        created_at: tx.created_at(),
        invoice_id: tx.order().invoice_id.to_string(),
        account_id: tx.order().account_id.to_string(),
        reference: tx.reference().to_string(),
        amount: tx.amount(),
        card_masks,
        status: tx.status().as_str().to_string(),
        transaction_type,
        shop_id: tx.terminal_id().to_string(),
        payer_email: tx.order().email.to_string(),
        payer_phone: tx.order().phone.to_string(),
        payout_amount: tx.refunded(),
        client: tx.order().name.to_string(),
    }
}
