//! Invoice links (spec §3.12): created by `POST /invoice`, paid on the hosted payment page. The
//! link's page issues a payment token bound to the link's order and hands the payer to
//! `/payform/` with a payment object made of the link's fields, so every rule of the page
//! (attempts, 3-D Secure, test cards, callbacks) applies unchanged. Expiry runs from the
//! deadline queue (`Job::ExpireInvoiceLink`).

use super::Sandbox;
use crate::deadlines::Job;
use crate::domain::duration::parse_duration;
use crate::domain::invoice_links::{
    InvoiceLink, InvoiceLinkError, LinkDetails, LinkState, LinkStatus, MAX_EXPIRE_DAYS,
};
use crate::domain::links::Link;
use crate::domain::merchants::TerminalKind;
use crate::domain::money::Amount;
use crate::domain::payform::params::encode_params;
use crate::domain::tokens::{Grant, Token};
use crate::domain::transaction::Transaction;
use crate::domain::validation::{check_description, check_invoice_id};
use uuid::Uuid;

/// `expire_period` of a link created without one (the doc's sample value).
pub const DEFAULT_EXPIRE_PERIOD: &str = "1d";

/// Scope of the payment token a link's page is opened with.
const LINK_TOKEN_SCOPE: &str = "payment";

/// The fields of `POST /invoice`, already read from JSON (spec §3.12, snake_case).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvoiceLinkRequest {
    /// `shop_id` (a UUID).
    pub shop_id: String,
    /// `amount`.
    pub amount: Amount,
    /// `currency` (KZT when absent).
    pub currency: String,
    /// `expire_period` (`1d`, `12h`, ISO-8601).
    pub expire_period: String,
    /// The order, payer and callback fields, as sent.
    pub details: LinkDetails,
}

/// A link with its status and its payment, as every view of it shows.
#[derive(Debug, Clone, PartialEq)]
pub struct InvoiceLinkView {
    /// The link.
    pub link: InvoiceLink,
    /// Its status now.
    pub status: LinkStatus,
    /// The payment with its invoice_id, if one was made.
    pub transaction: Option<Transaction>,
}

impl Sandbox {
    /// `POST /invoice`: checks and stores a new link of the token's client.
    pub fn create_invoice_link(
        &self,
        token: &Token,
        request: &InvoiceLinkRequest,
    ) -> Result<InvoiceLinkView, InvoiceLinkError> {
        let invalid = InvoiceLinkError::Invalid;
        Uuid::parse_str(request.shop_id.trim())
            .map_err(|_| invalid(format!("shop_id must be a UUID, got '{}'", request.shop_id)))?;
        let details = &request.details;
        check_invoice_id(&details.invoice_id)
            .map_err(|e| invalid(format!("invoice_id: {e}").replace("invoiceId ", "")))?;
        check_description(&details.description).map_err(invalid)?;
        if request.amount.is_zero() {
            return Err(invalid("amount must be greater than 0".into()));
        }
        let currency = match request.currency.trim() {
            "" => "KZT".to_string(),
            c if c.len() == 3 && c.chars().all(|ch| ch.is_ascii_alphabetic()) => c.to_ascii_uppercase(),
            other => {
                return Err(invalid(format!(
                    "currency must be a three-letter ISO code, got '{other}'"
                )))
            }
        };
        let period_text = match request.expire_period.trim() {
            "" => DEFAULT_EXPIRE_PERIOD,
            text => text,
        };
        let period = parse_duration(period_text)
            .ok()
            .filter(|p| *p > chrono::Duration::zero() && *p <= chrono::Duration::days(MAX_EXPIRE_DAYS))
            .ok_or_else(|| {
                invalid(format!(
                    "expire_period must be a positive period of at most {MAX_EXPIRE_DAYS} days (1d, 12h, 30m), got '{period_text}'"
                ))
            })?;
        let link = |name: &'static str, text: &str| Link::optional(name, text).map_err(|e| invalid(e.to_string()));
        let terminal_id = self.link_terminal(token, &request.shop_id, &currency)?;
        let now = self.clock.now();
        let new = InvoiceLink {
            id: self.ids.uuid(),
            client_id: token.client_id.clone(),
            shop_id: request.shop_id.trim().to_string(),
            terminal_id: terminal_id.clone(),
            amount: request.amount,
            currency,
            expire_period: period_text.to_string(),
            created_at: now,
            expires_at: now + period,
            state: LinkState::Active,
            details: LinkDetails {
                post_link: link("post_link", &details.post_link)?,
                failure_post_link: link("failure_post_link", &details.failure_post_link)?,
                back_link: link("back_link", &details.back_link)?,
                failure_back_link: link("failure_back_link", &details.failure_back_link)?,
                ..details.clone()
            },
        };
        if self
            .store
            .transactions()
            .id_by_invoice(&terminal_id, &details.invoice_id)
            .is_some()
        {
            return Err(InvoiceLinkError::Duplicate(details.invoice_id.clone()));
        }
        self.store
            .invoice_links()
            .insert(new.clone())
            .map_err(|_| InvoiceLinkError::Duplicate(details.invoice_id.clone()))?;
        self.deadlines.schedule(new.expires_at, Job::ExpireInvoiceLink(new.id));
        Ok(self.link_view(new))
    }

    /// The terminal a link is paid on: the token's, else the client's terminal whose id is the
    /// `shop_id`, else the client's first payment terminal taking the currency. (I-03)
    fn link_terminal(&self, token: &Token, shop_id: &str, currency: &str) -> Result<String, InvoiceLinkError> {
        if let Some(bound) = &token.terminal {
            return Ok(bound.clone());
        }
        let merchant = self
            .store
            .merchants()
            .get(&token.client_id)
            .ok_or_else(|| InvoiceLinkError::Invalid(format!("client {} is gone", token.client_id)))?;
        if let Some(terminal) = merchant.terminal(shop_id.trim()) {
            return Ok(terminal.id.clone());
        }
        merchant
            .terminals
            .iter()
            .find(|t| t.kind == TerminalKind::Payment && t.accepts_currency(currency))
            .map(|t| t.id.clone())
            .ok_or_else(|| {
                InvoiceLinkError::Invalid(format!(
                    "client {} has no payment terminal taking {currency}",
                    token.client_id
                ))
            })
    }

    fn link_view(&self, link: InvoiceLink) -> InvoiceLinkView {
        let transaction = self
            .store
            .transactions()
            .by_invoice(&link.terminal_id, &link.details.invoice_id);
        let status = link.status(transaction.as_ref().map(Transaction::status), self.clock.now());
        InvoiceLinkView {
            link,
            status,
            transaction,
        }
    }

    /// Every link, newest first (control plane, dashboard).
    pub fn invoice_links(&self) -> Vec<InvoiceLinkView> {
        let mut all = self.store.invoice_links().all();
        all.reverse();
        all.into_iter().map(|link| self.link_view(link)).collect()
    }

    /// One link by its id (the path of its URL).
    pub fn invoice_link(&self, id: &str) -> Result<InvoiceLinkView, InvoiceLinkError> {
        let not_found = || InvoiceLinkError::NotFound(id.to_string());
        let id = Uuid::parse_str(id.trim()).map_err(|_| not_found())?;
        let link = self.store.invoice_links().get(id).ok_or_else(not_found)?;
        Ok(self.link_view(link))
    }

    /// Cancels an unpaid link: its page no longer takes payments.
    pub fn cancel_invoice_link(&self, id: &str) -> Result<InvoiceLinkView, InvoiceLinkError> {
        let view = self.invoice_link(id)?;
        if view.status != LinkStatus::New {
            return Err(InvoiceLinkError::NotPayable {
                id: view.link.id,
                status: view.status,
            });
        }
        self.store
            .invoice_links()
            .update(view.link.id, |l| l.state = LinkState::Cancelled);
        self.invoice_link(&view.link.id.to_string())
    }

    /// The payer opens the link: a payment token bound to the link's order, and the hosted
    /// page's `params` (the payment object) made with it.
    pub fn open_invoice_link(&self, id: &str) -> Result<(InvoiceLinkView, String), InvoiceLinkError> {
        let view = self.invoice_link(id)?;
        if view.status != LinkStatus::New {
            return Err(InvoiceLinkError::NotPayable {
                id: view.link.id,
                status: view.status,
            });
        }
        let link = &view.link;
        let details = &link.details;
        if let Some(failed) = view.transaction.as_ref().filter(|tx| tx.status().is_failure()) {
            self.store.transactions().release_invoice(failed.id());
        }
        let now = self.clock.now();
        let token = Token {
            access_token: self.ids.access_token(),
            refresh_token: String::new(),
            grant: Grant::ClientCredentials,
            client_id: link.client_id.clone(),
            scope: LINK_TOKEN_SCOPE.to_string(),
            terminal: Some(link.terminal_id.clone()),
            invoice_id: Some(details.invoice_id.clone()),
            amount: Some(link.amount),
            currency: Some(link.currency.clone()),
            post_link: details.post_link.clone(),
            failure_post_link: details.failure_post_link.clone(),
            secret_hash: String::new(),
            issued_at: now,
            expires_at: now + self.config.token_ttl,
        };
        self.insert_token(token.clone());
        let amount = link.amount.to_string();
        let fields = [
            ("invoiceId", details.invoice_id.as_str()),
            ("amount", amount.as_str()),
            ("currency", link.currency.as_str()),
            ("terminal", link.terminal_id.as_str()),
            ("description", details.description.as_str()),
            ("accountId", details.account_id.as_str()),
            ("language", details.language.as_str()),
            ("email", details.recipient_contact.as_str()),
            ("phone", details.recipient_contact_sms.as_str()),
            ("backLink", details.back_link.as_str()),
            ("failureBackLink", details.failure_back_link.as_str()),
            ("postLink", details.post_link.as_str()),
            ("failurePostLink", details.failure_post_link.as_str()),
        ];
        let fields: Vec<(&str, &str)> = fields.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        let params = encode_params(
            &fields,
            &[("access_token", token.access_token.as_str()), ("token_type", "Bearer")],
        );
        Ok((view, params))
    }

    /// The deadline job: an unpaid active link past its expiry becomes expired.
    pub(super) fn expire_invoice_link(&self, id: Uuid) {
        let now = self.clock.now();
        let Some(link) = self.store.invoice_links().get(id) else {
            return;
        };
        let paid = self
            .store
            .transactions()
            .by_invoice(&link.terminal_id, &link.details.invoice_id)
            .is_some_and(|tx| crate::domain::invoice_links::was_approved(tx.status()));
        if link.state == LinkState::Active && now >= link.expires_at && !paid {
            self.store.invoice_links().update(id, |l| l.state = LinkState::Expired);
        }
    }

    /// Puts a link from a state file back, with its expiry scheduled.
    pub(super) fn restore_invoice_link(&self, link: InvoiceLink) {
        self.deadlines
            .schedule(link.expires_at, Job::ExpireInvoiceLink(link.id));
        if self.store.invoice_links().insert(link.clone()).is_err() {
            tracing::warn!(id = %link.id, "invoice link not restored: its invoice_id is taken");
        }
    }
}
