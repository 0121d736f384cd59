//! The start of a 3-D Secure round-trip: the session a challenge needs and the
//! `secure3D {paReq, md, action}` the merchant redirects the cardholder with (seed 003).
//! The ACS page and the confirm step build on [`Sandbox::begin_challenge`] and the session it
//! stores (`Store::secure3d_session`, keyed by MD).

use super::Sandbox;
use crate::domain::outcome::Outcome;
use crate::domain::saved_cards::CardToSave;
use crate::domain::secure3d::Secure3dSession;
use crate::domain::transaction::Transaction;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Serialize;
use serde_json::json;

/// What cryptopay answers in `secure3D` when a challenge is needed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Secure3dChallenge {
    /// Opaque request for the ACS (base64 JSON, as the seed's sample looks).
    pub pa_req: String,
    /// Session key the ACS posts back.
    pub md: String,
    /// The ACS URL the cardholder's browser posts `PaReq`, `MD`, `TermUrl` to.
    pub action: String,
}

impl Sandbox {
    /// Opens a 3-D Secure session for a NEW transaction; `then` is what happens once the
    /// cardholder passes the challenge, `card_to_save` the card to save if it then succeeds.
    pub fn begin_challenge(
        &self,
        tx: &Transaction,
        then: Outcome,
        card_to_save: Option<CardToSave>,
    ) -> Secure3dChallenge {
        let md = STANDARD.encode(self.ids.uuid().simple().to_string());
        let pa_req = STANDARD.encode(
            json!({
                "messageType": "PaReq",
                "messageVersion": "1.0.2",
                "transactionId": tx.id,
                "md": md,
                "purchaseAmount": tx.org_amount,
                "currency": tx.order.currency,
                "cardMask": tx.card.mask,
                "terminal": tx.terminal_number,
            })
            .to_string(),
        );
        self.store.put_secure3d_session(Secure3dSession {
            md: md.clone(),
            pa_req: pa_req.clone(),
            transaction_id: tx.id,
            then,
            card_to_save,
            created_at: self.clock.now(),
        });
        Secure3dChallenge {
            pa_req,
            md,
            action: format!("{}/acs", self.public_url()),
        }
    }
}
