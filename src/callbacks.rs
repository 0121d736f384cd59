//! postLink / failurePostLink callbacks. (The callbacks issue fills this in: delivery on a
//! background task with retries and a delivery log; until then nothing is sent.)

use crate::domain::transaction::Transaction;

/// The outgoing-callback machinery of one sandbox.
#[derive(Debug, Default)]
pub struct Callbacks {}

impl Callbacks {
    /// A callback sender with nothing queued.
    pub fn new() -> Self {
        Self::default()
    }

    /// Queues the callback for a transaction that just reached a final outcome. Never blocks.
    pub fn notify_final(&self, _tx: &Transaction) {}
}
