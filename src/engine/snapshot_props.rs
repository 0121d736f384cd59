//! Property test: a state file round-trips without loss. Arbitrary states (transactions after
//! arbitrary event sequences, refunds with `externalID`s, transfers, tokens, saved cards,
//! 3-D Secure sessions, installment orders, bonus balances and spends) are loaded, dumped, loaded into a second sandbox and dumped again:
//! the two dumps are identical, and the first holds exactly what was loaded.

use super::Sandbox;
use crate::config::Config;
use crate::control::state::{Snapshot, StateFile, STATE_VERSION};
use crate::domain::bonus::{BonusAccount, BonusRecords, BonusSpend};
use crate::domain::installment::{InstallmentOrder, NewOrder};
use crate::domain::money::Amount;
use crate::domain::outcome::Outcome;
use crate::domain::saved_cards::{CardToSave, SavedCard};
use crate::domain::secure3d::Secure3dSession;
use crate::domain::state_machine_props::operation;
use crate::domain::tokens::{Grant, Token};
use crate::domain::transaction::{
    ApplyContext, CardSnapshot, Event, Links, NewIds, NewTransaction, OrderDetails, Transaction, TransactionKind,
};
use crate::domain::transfer::{TransferDetails, TransferKind, TransferParty, TransferSide, TransferType};
use crate::fixtures::Fixtures;
use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;
use uuid::Uuid;

const PAYMENT_TERMINAL: &str = "67e34d63-102f-4bd1-898e-370781d0074d";
const P2P_TERMINAL: &str = "c36b282f-6819-4d4f-85df-a4bdc8a8f703";

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z")
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_default()
}

/// One transaction to build: its number, amount, whether it is a transfer, its events (refunds
/// get an `externalID` when `external` says so).
#[derive(Debug, Clone)]
struct TxPlan {
    amount: i64,
    transfer: bool,
    text: String,
    events: Vec<(Event, bool)>,
}

fn tx_plan() -> impl Strategy<Value = TxPlan> {
    (
        1i64..1_000_000,
        any::<bool>(),
        "[a-zA-Zа-я0-9 ]{0,12}",
        prop::collection::vec((operation(), any::<bool>()), 0..8),
    )
        .prop_map(|(amount, transfer, text, events)| TxPlan {
            amount,
            transfer,
            text,
            events,
        })
}

fn party(mask: &str, card_id: &str) -> TransferParty {
    TransferParty {
        transfer_type: Some(TransferType::Pan),
        mask: mask.into(),
        brand: "VISA".into(),
        issuer: "Halyk Bank".into(),
        card_id: card_id.into(),
        limit_key: format!("hash-{mask}"),
    }
}

fn build(n: usize, plan: &TxPlan) -> Transaction {
    let at = start() + Duration::seconds(n as i64);
    let transfer = plan.transfer.then(|| TransferDetails {
        kind: TransferKind::P2p,
        fee: Amount::from_units(95),
        sender: Some(party("440563...5096", "")),
        receiver: Some(party("552204...6736", "")),
        to_save: vec![(
            TransferSide::Sender,
            CardToSave {
                pan: "4405639704015096".into(),
                expiry: "0125".into(),
                holder: plan.text.clone(),
            },
        )],
    });
    let new = NewTransaction {
        kind: if plan.transfer {
            TransactionKind::Transfer
        } else {
            TransactionKind::Payment
        },
        client_id: "test".into(),
        terminal_id: if plan.transfer { P2P_TERMINAL } else { PAYMENT_TERMINAL }.into(),
        terminal_number: "98120001".into(),
        order: OrderDetails {
            invoice_id: format!("{:06}", 100_000 + n),
            description: plan.text.clone(),
            currency: "KZT".into(),
            language: "rus".into(),
            ..Default::default()
        },
        amount: Amount::from_minor(plan.amount),
        card: CardSnapshot {
            mask: "440563...5096".into(),
            brand: "VISA".into(),
            holder: plan.text.clone(),
            ..Default::default()
        },
        links: Links {
            post_link: "https://merchant.example/ok".into(),
            ..Default::default()
        },
        ip: "127.0.0.1".into(),
        transfer,
    };
    let ids = NewIds {
        id: Uuid::from_u128(n as u128 + 1),
        status_id: Uuid::from_u128(1_000 + n as u128),
        reference: format!("{:012}", n),
        int_reference: format!("{:016X}", n),
    };
    let mut tx = Transaction::open(new, ids, at);
    for (i, (event, external)) in plan.events.iter().enumerate() {
        let event = match event.clone() {
            Event::Refund { amount, .. } if *external => Event::Refund {
                amount,
                external_id: Some(format!("r-{n}-{i}")),
            },
            other => other,
        };
        let ctx = ApplyContext {
            now: at + Duration::seconds(i as i64),
            new_status_id: Uuid::from_u128(10_000 + (n * 100 + i) as u128),
            auth_hold: Duration::days(7),
        };
        tx.apply(event, &ctx).ok();
    }
    tx
}

fn token(n: usize, bound: bool) -> Token {
    Token {
        access_token: format!("token-{n}"),
        refresh_token: if bound { String::new() } else { format!("refresh-{n}") },
        grant: if bound {
            Grant::ClientCredentials
        } else {
            Grant::Password {
                username: "epay@halykbank.kz".into(),
            }
        },
        client_id: "test".into(),
        scope: " webapi payment".into(),
        terminal: bound.then(|| PAYMENT_TERMINAL.to_string()),
        invoice_id: bound.then(|| format!("{:06}", 100_000 + n)),
        amount: bound.then(|| Amount::from_minor(1_234)),
        currency: bound.then(|| "KZT".to_string()),
        post_link: String::new(),
        failure_post_link: String::new(),
        secret_hash: "secret".into(),
        issued_at: Utc::now(),
        expires_at: Utc::now() + Duration::days(365),
    }
}

fn saved_card(n: usize, tx: &Transaction) -> SavedCard {
    SavedCard {
        id: Uuid::from_u128(50_000 + n as u128),
        client_id: "test".into(),
        account_id: format!("account-{n}"),
        transaction_id: tx.id(),
        terminal_id: tx.terminal_id().to_string(),
        terminal_number: tx.terminal_number().to_string(),
        pan: "4405639704015096".into(),
        mask: "440563...5096".into(),
        brand: "VISA".into(),
        issuer: "Halyk Bank".into(),
        expiry: "0125".into(),
        holder: "ARMAN ALI".into(),
        card_hash: SavedCard::hash_pan("4405639704015096"),
        reference: tx.reference().to_string(),
        int_reference: tx.int_reference().to_string(),
        token: format!("{n:032x}"),
        created_at: start() + Duration::seconds(n as i64),
        active: n.is_multiple_of(2),
    }
}

fn session(n: usize, tx: &Transaction) -> Secure3dSession {
    Secure3dSession {
        md: format!("md-{n}"),
        pa_req: format!("pareq-{n}"),
        transaction_id: tx.id(),
        then: Outcome::Approve,
        card_to_save: None,
        created_at: Utc::now() + Duration::seconds(n as i64),
        failed_attempts: (n % 3) as u32,
        term_url: n.is_multiple_of(2).then(|| "https://merchant.example/3ds".to_string()),
        answer: None,
    }
}

fn order(n: usize, grantable: bool) -> InstallmentOrder {
    let new = NewOrder {
        shop_id: "3f0b1c2a-5d4e-4f6a-9b8c-7d6e5f4a3b21".into(),
        client_id: "test".into(),
        order_id: format!("{:06}", 200_000 + n),
        amount: Amount::from_units(50_000 + n as i64),
        credit_condition_id: format!("condition-{n}"),
        month_count: 3 + n as u32,
        interest_rate: n as f64 * 0.5,
        grantable,
    };
    InstallmentOrder::open(
        Uuid::from_u128(70_000 + n as u128),
        new,
        start() + Duration::seconds(n as i64),
    )
}

/// The fixtures' balances with `changed` of them set to new amounts, and a spend on each of
/// the first `spends` transactions.
fn bonuses(base: BonusRecords, changed: &[i64], spends: usize, transactions: &[Transaction]) -> BonusRecords {
    let mut balances = base.balances;
    for (account, minor) in balances.iter_mut().zip(changed) {
        account.go_bonus = Amount::from_minor(*minor);
    }
    balances.push(BonusAccount {
        pan: "4000000000000002".into(),
        go_bonus: Amount::from_minor(changed.first().copied().unwrap_or(7)),
    });
    balances.sort_by(|a, b| a.pan.cmp(&b.pan));
    let spends = transactions
        .iter()
        .take(spends)
        .enumerate()
        .map(|(n, tx)| {
            let spend = BonusSpend {
                transaction_id: tx.id(),
                card_mask: tx.card().mask.to_string(),
                amount: Amount::from_minor(100 + n as i64),
                at: start() + Duration::seconds(n as i64),
                returned: n.is_multiple_of(2),
            };
            ("4405639704015096".to_string(), spend)
        })
        .collect();
    BonusRecords { balances, spends }
}

fn sandbox() -> Option<Sandbox> {
    let fixtures = Fixtures::embedded().ok()?;
    Some(Sandbox::new(Config::default(), fixtures))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn dump_load_dump_is_identical(
        plans in prop::collection::vec(tx_plan(), 0..6),
        tokens in prop::collection::vec(any::<bool>(), 0..4),
        cards in 0usize..3,
        sessions in 0usize..3,
        orders in prop::collection::vec(any::<bool>(), 0..3),
        balances in prop::collection::vec(0i64..10_000_000, 0..3),
        spends in 0usize..3,
    ) {
        let (Some(first), Some(second)) = (sandbox(), sandbox()) else {
            return Err(TestCaseError::fail("the embedded fixtures load"));
        };
        let transactions: Vec<Transaction> = plans.iter().enumerate().map(|(n, p)| build(n, p)).collect();
        let bonuses = bonuses(first.store.bonuses().records(), &balances, spends, &transactions);
        let snapshot = Snapshot {
            version: STATE_VERSION,
            saved_cards: transactions.iter().take(cards).enumerate().map(|(n, tx)| saved_card(n, tx)).collect(),
            secure3d_sessions: transactions.iter().take(sessions).enumerate().map(|(n, tx)| session(n, tx)).collect(),
            tokens: tokens.iter().enumerate().map(|(n, bound)| token(n, *bound)).collect(),
            transactions,
            merchants: Vec::new(),
            invoice_links: Vec::new(),
            subscriptions: Vec::new(),
            qr_bills: Vec::new(),
            installment_orders: orders.iter().enumerate().map(|(n, grantable)| order(n, *grantable)).collect(),
            bonuses: Box::new(bonuses),
            fidelity: Default::default(),
        };
        let loaded = first.load_state(&StateFile::Snapshot(snapshot.clone()));
        prop_assert_eq!(loaded, Ok(snapshot.transactions.len()));
        let dump = first.dump_state();
        prop_assert_eq!(&dump, &snapshot);
        let text = serde_json::to_string(&dump).unwrap_or_default();
        let reread = StateFile::parse(&text);
        prop_assert!(reread.is_ok(), "{:?}", reread);
        if let Ok(file) = reread {
            prop_assert_eq!(second.load_state(&file), Ok(snapshot.transactions.len()));
        }
        prop_assert_eq!(second.dump_state(), dump);
    }
}
