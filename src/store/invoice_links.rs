//! Invoice links by id and by (terminal, invoice_id).

use super::records::Records;
use super::StoreMap;
use crate::domain::invoice_links::InvoiceLink;
use uuid::Uuid;

fn invoice_key(terminal_id: &str, invoice_id: &str) -> String {
    format!("{terminal_id}\0{invoice_id}")
}

/// Invoice links.
#[derive(Debug, Default)]
pub struct InvoiceLinkStore {
    links: Records<Uuid, InvoiceLink>,
    by_invoice: StoreMap<String, Uuid>,
}

impl InvoiceLinkStore {
    /// Stores a new link; `Err(existing id)` when the terminal already has one for its invoice_id.
    pub fn insert(&self, link: InvoiceLink) -> Result<(), Uuid> {
        let key = invoice_key(&link.terminal_id, &link.details.invoice_id);
        match self.by_invoice.entry(key) {
            dashmap::Entry::Occupied(taken) => return Err(*taken.get()),
            dashmap::Entry::Vacant(slot) => {
                slot.insert(link.id);
            }
        }
        self.links.put(link.id, link, |gone| self.forget(gone));
        Ok(())
    }

    fn forget(&self, link: &InvoiceLink) {
        self.by_invoice
            .remove_if(&invoice_key(&link.terminal_id, &link.details.invoice_id), |_, id| {
                *id == link.id
            });
    }

    /// A link by id.
    pub fn get(&self, id: Uuid) -> Option<InvoiceLink> {
        self.links.get(&id)
    }

    /// The link for an invoice_id on a terminal.
    pub fn by_invoice(&self, terminal_id: &str, invoice_id: &str) -> Option<InvoiceLink> {
        let id = *self.by_invoice.get(&invoice_key(terminal_id, invoice_id))?;
        self.get(id)
    }

    /// Changes a link in place.
    pub fn update<R>(&self, id: Uuid, change: impl FnOnce(&mut InvoiceLink) -> R) -> Option<R> {
        self.links.update(&id, change)
    }

    /// Removes the links for which `matches` holds (a partial reset).
    pub fn remove_where(&self, matches: impl Fn(&InvoiceLink) -> bool) -> usize {
        self.links.remove_where(matches, |gone| self.forget(gone))
    }

    /// Every link, oldest first.
    pub fn all(&self) -> Vec<InvoiceLink> {
        self.links.all_by(|l| (l.created_at, l.id))
    }

    /// Forgets every link.
    pub fn clear(&self) {
        self.links.clear();
        self.by_invoice.clear();
    }
}
