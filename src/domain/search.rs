//! The query language of `POST /operations` and `POST /p2p/operations` (spec §3.8): paging,
//! filters (`between`, `in`, `like`, `=`, `<`, `>`, `<=`, `>=`) and ordering, parsed from the
//! request JSON and matched against [`SearchRow`]s. Plain Rust: never panics on any input.

use super::money::Amount;
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde_json::Value;
use std::cmp::Ordering;

/// Page size when `paging.size` is absent.
pub const DEFAULT_PAGE_SIZE: usize = 20;
/// Largest page the sandbox returns.
pub const MAX_PAGE_SIZE: usize = 1000;
/// Astana's offset: a date or time without an offset is bank local time.
const BANK_OFFSET_SECONDS: i64 = 6 * 3600;

/// Why a search request was refused; the text says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SearchError(pub String);

fn error<T>(message: impl Into<String>) -> Result<T, SearchError> {
    Err(SearchError(message.into()))
}

/// A search method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Inclusive range: exactly two values.
    Between,
    /// Any of one or more values.
    In,
    /// One pattern with `%` (any run) and `_` (any one character).
    Like,
    /// Equal to one value.
    Eq,
    /// Less than one value.
    Lt,
    /// Greater than one value.
    Gt,
    /// At most one value.
    Le,
    /// At least one value.
    Ge,
}

impl Method {
    /// Reads a method name as the bank spells it (`between`, `in`, `like`, `=`, `<`, `>`, `<=`,
    /// `>=`), case-insensitively.
    pub fn parse(text: &str) -> Option<Method> {
        Some(match text.trim().to_ascii_lowercase().as_str() {
            "between" => Method::Between,
            "in" => Method::In,
            "like" => Method::Like,
            "=" | "==" => Method::Eq,
            "<" => Method::Lt,
            ">" => Method::Gt,
            "<=" => Method::Le,
            ">=" => Method::Ge,
            _ => return None,
        })
    }
}

/// What a field holds, which decides the methods it takes and how values are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// An instant (`2017-11-19T00:00:00Z`, `2017-11-19 00:00:00`, `2017-11-19`).
    Date,
    /// An amount (`100`, `"12.22"`).
    Number,
    /// Text, compared case-insensitively.
    Text,
}

/// A field that can be filtered and ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchField {
    /// `created_date` (`created_at` on the P2P page).
    CreatedDate,
    /// `invoice_id`: the order number.
    InvoiceId,
    /// `account_id`: the merchant's customer id.
    AccountId,
    /// `reference`: the RRN.
    Reference,
    /// `amount`.
    Amount,
    /// `card_mask`: any card of the operation (`440563...5096`).
    CardMask,
    /// `status`: the statusName (`CHARGE`, `REJECT` …).
    Status,
    /// `transaction_type` / `transaction_type_id`: `PAYMENT`, `P2P`, `AFT`, `OCT`.
    TransactionType,
    /// `shop_id` / `terminal_id`: the terminal UUID.
    ShopId,
    /// `payer_email`.
    PayerEmail,
    /// `payer_phone`.
    PayerPhone,
    /// `payout_amount`: what was refunded.
    PayoutAmount,
    /// `client`: the payer's name.
    Client,
}

impl SearchField {
    /// Every field, for messages.
    pub const ALL: [SearchField; 13] = [
        SearchField::CreatedDate,
        SearchField::InvoiceId,
        SearchField::AccountId,
        SearchField::Reference,
        SearchField::Amount,
        SearchField::CardMask,
        SearchField::Status,
        SearchField::TransactionType,
        SearchField::ShopId,
        SearchField::PayerEmail,
        SearchField::PayerPhone,
        SearchField::PayoutAmount,
        SearchField::Client,
    ];

    /// Reads a field name (snake_case as the docs list them, a few aliases, any case).
    pub fn parse(text: &str) -> Option<SearchField> {
        Some(match text.trim().to_ascii_lowercase().as_str() {
            "created_date" | "created_at" => SearchField::CreatedDate,
            "invoice_id" | "order_id" => SearchField::InvoiceId,
            "account_id" => SearchField::AccountId,
            "reference" => SearchField::Reference,
            "amount" => SearchField::Amount,
            "card_mask" => SearchField::CardMask,
            "status" | "status_name" => SearchField::Status,
            "transaction_type" | "transaction_type_id" => SearchField::TransactionType,
            "shop_id" | "terminal_id" => SearchField::ShopId,
            "payer_email" => SearchField::PayerEmail,
            "payer_phone" => SearchField::PayerPhone,
            "payout_amount" => SearchField::PayoutAmount,
            "client" => SearchField::Client,
            _ => return None,
        })
    }

    /// The documented name.
    pub fn name(self) -> &'static str {
        match self {
            SearchField::CreatedDate => "created_date",
            SearchField::InvoiceId => "invoice_id",
            SearchField::AccountId => "account_id",
            SearchField::Reference => "reference",
            SearchField::Amount => "amount",
            SearchField::CardMask => "card_mask",
            SearchField::Status => "status",
            SearchField::TransactionType => "transaction_type",
            SearchField::ShopId => "shop_id",
            SearchField::PayerEmail => "payer_email",
            SearchField::PayerPhone => "payer_phone",
            SearchField::PayoutAmount => "payout_amount",
            SearchField::Client => "client",
        }
    }

    /// What the field holds.
    pub fn field_type(self) -> FieldType {
        match self {
            SearchField::CreatedDate => FieldType::Date,
            SearchField::Amount | SearchField::PayoutAmount => FieldType::Number,
            _ => FieldType::Text,
        }
    }
}

/// One operation as the search sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchRow {
    /// Transaction id (the final tie-breaker of every ordering).
    pub id: String,
    /// Creation instant.
    pub created_at: DateTime<Utc>,
    /// Order number.
    pub invoice_id: String,
    /// Merchant's customer id.
    pub account_id: String,
    /// RRN.
    pub reference: String,
    /// Amount.
    pub amount: Amount,
    /// Every card mask of the operation (a transfer has two).
    pub card_masks: Vec<String>,
    /// statusName.
    pub status: String,
    /// `PAYMENT`, `P2P`, `AFT`, `OCT`.
    pub transaction_type: String,
    /// Terminal UUID.
    pub shop_id: String,
    /// Payer e-mail.
    pub payer_email: String,
    /// Payer phone.
    pub payer_phone: String,
    /// Refunded amount.
    pub payout_amount: Amount,
    /// Payer name.
    pub client: String,
}

impl SearchRow {
    fn texts(&self, field: SearchField) -> Vec<&str> {
        match field {
            SearchField::InvoiceId => vec![&self.invoice_id],
            SearchField::AccountId => vec![&self.account_id],
            SearchField::Reference => vec![&self.reference],
            SearchField::CardMask => self.card_masks.iter().map(String::as_str).collect(),
            SearchField::Status => vec![&self.status],
            SearchField::TransactionType => vec![&self.transaction_type],
            SearchField::ShopId => vec![&self.shop_id],
            SearchField::PayerEmail => vec![&self.payer_email],
            SearchField::PayerPhone => vec![&self.payer_phone],
            SearchField::Client => vec![&self.client],
            SearchField::CreatedDate | SearchField::Amount | SearchField::PayoutAmount => Vec::new(),
        }
    }

    /// Dates as microseconds, amounts as minor units.
    fn number(&self, field: SearchField) -> i64 {
        match field {
            SearchField::CreatedDate => self.created_at.timestamp_micros(),
            SearchField::Amount => self.amount.minor(),
            SearchField::PayoutAmount => self.payout_amount.minor(),
            _ => 0,
        }
    }

    fn compare(&self, other: &SearchRow, field: SearchField) -> Ordering {
        match field.field_type() {
            FieldType::Date | FieldType::Number => self.number(field).cmp(&other.number(field)),
            FieldType::Text => {
                let first = |row: &SearchRow| row.texts(field).first().map(|t| t.to_lowercase()).unwrap_or_default();
                first(self).cmp(&first(other))
            }
        }
    }
}

/// A value of a condition: a half-open range `[start, end)` for dates and amounts (an exact
/// timestamp or amount is one unit wide, a bare date a whole day), or text.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Operand {
    Range(i64, i64),
    Text(String),
}

/// One parsed filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// The field.
    pub field: SearchField,
    /// The method.
    pub method: Method,
    operands: Vec<Operand>,
}

impl Condition {
    /// Whether a row satisfies the condition.
    pub fn matches(&self, row: &SearchRow) -> bool {
        match self.field.field_type() {
            FieldType::Date | FieldType::Number => self.matches_number(row.number(self.field)),
            FieldType::Text => row.texts(self.field).iter().any(|t| self.matches_text(t)),
        }
    }

    fn matches_number(&self, x: i64) -> bool {
        let range = |i: usize| match self.operands.get(i) {
            Some(Operand::Range(s, e)) => Some((*s, *e)),
            _ => None,
        };
        let Some((s, e)) = range(0) else { return false };
        match self.method {
            Method::Eq => s <= x && x < e,
            Method::Lt => x < s,
            Method::Le => x < e,
            Method::Gt => x >= e,
            Method::Ge => x >= s,
            Method::Between => range(1).is_some_and(|(_, upper)| s <= x && x < upper),
            Method::In => self
                .operands
                .iter()
                .any(|o| matches!(o, Operand::Range(s, e) if *s <= x && x < *e)),
            Method::Like => false,
        }
    }

    fn matches_text(&self, value: &str) -> bool {
        let value = value.to_lowercase();
        self.operands.iter().any(|o| match o {
            Operand::Text(t) if self.method == Method::Like => like(&value, &t.to_lowercase()),
            Operand::Text(t) => value == t.to_lowercase(),
            Operand::Range(..) => false,
        })
    }
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Smallest first.
    Asc,
    /// Largest first.
    Desc,
}

/// A parsed search request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    /// How many matching rows to skip (`paging.page`, a skip count per the docs).
    pub skip: usize,
    /// Page size (`paging.size`).
    pub size: usize,
    /// Every filter; a row must satisfy all.
    pub conditions: Vec<Condition>,
    /// Ordering; created date descending when empty, the id breaking ties.
    pub order: Vec<(SearchField, Direction)>,
}

/// One page of results.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchPage<T> {
    /// How many rows match in all.
    pub total: usize,
    /// The rows of this page, in order.
    pub items: Vec<T>,
}

impl SearchQuery {
    /// Parses a request body. `date_name` is the name the endpoint documents for its mandatory
    /// date range (`created_date` or `created_at`; either is accepted).
    pub fn parse(body: &Value, date_name: &str) -> Result<SearchQuery, SearchError> {
        let Some(body) = body.as_object() else {
            return error("request body must be a JSON object with paging, searchParameters, orderParameters");
        };
        let (skip, size) = paging(body.get("paging"))?;
        let conditions = match body.get("searchParameters") {
            Some(Value::Array(list)) => list
                .iter()
                .enumerate()
                .map(|(i, item)| condition(i, item))
                .collect::<Result<Vec<_>, _>>()?,
            Some(Value::Null) | None => Vec::new(),
            Some(_) => return error("searchParameters must be an array"),
        };
        let has_range = conditions
            .iter()
            .any(|c| c.field == SearchField::CreatedDate && c.method == Method::Between);
        if !has_range {
            return error(format!(
                "a {date_name} filter with method \"between\" and two dates is required (the transaction period)"
            ));
        }
        let order = match body.get("orderParameters") {
            Some(Value::Array(list)) => list
                .iter()
                .enumerate()
                .map(|(i, item)| ordering(i, item))
                .collect::<Result<Vec<_>, _>>()?,
            Some(Value::Null) | None => Vec::new(),
            Some(_) => return error("orderParameters must be an array"),
        };
        Ok(SearchQuery {
            skip,
            size,
            conditions,
            order,
        })
    }

    /// Filters, orders and pages `rows`.
    pub fn run<T>(&self, rows: Vec<(SearchRow, T)>) -> SearchPage<T> {
        let mut matching: Vec<(SearchRow, T)> = rows
            .into_iter()
            .filter(|(row, _)| self.conditions.iter().all(|c| c.matches(row)))
            .collect();
        let default = [(SearchField::CreatedDate, Direction::Desc)];
        let order: &[(SearchField, Direction)] = if self.order.is_empty() { &default } else { &self.order };
        matching.sort_by(|(a, _), (b, _)| {
            order
                .iter()
                .map(|(field, direction)| match direction {
                    Direction::Asc => a.compare(b, *field),
                    Direction::Desc => b.compare(a, *field),
                })
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal)
                .then_with(|| a.id.cmp(&b.id))
        });
        let total = matching.len();
        let items = matching
            .into_iter()
            .skip(self.skip)
            .take(self.size)
            .map(|(_, item)| item)
            .collect();
        SearchPage { total, items }
    }
}

/// A non-negative integer given as a number or a numeric string.
fn count(value: &Value, what: &str) -> Result<Option<usize>, SearchError> {
    let parsed = match value {
        Value::Null => return Ok(None),
        Value::Number(n) => n.as_u64().and_then(|n| usize::try_from(n).ok()),
        Value::String(s) if s.trim().is_empty() => return Ok(None),
        Value::String(s) => s.trim().parse::<usize>().ok(),
        _ => None,
    };
    parsed
        .map(Some)
        .ok_or_else(|| SearchError(format!("{what} must be a non-negative integer, got {value}")))
}

fn paging(value: Option<&Value>) -> Result<(usize, usize), SearchError> {
    let paging = match value {
        None | Some(Value::Null) => return Ok((0, DEFAULT_PAGE_SIZE)),
        Some(Value::Object(p)) => p,
        Some(_) => return error("paging must be an object {\"page\": <rows to skip>, \"size\": <page size>}"),
    };
    let skip = paging
        .get("page")
        .map(|v| count(v, "paging.page"))
        .transpose()?
        .flatten()
        .unwrap_or(0);
    let size = paging
        .get("size")
        .map(|v| count(v, "paging.size"))
        .transpose()?
        .flatten()
        .unwrap_or(DEFAULT_PAGE_SIZE);
    if !(1..=MAX_PAGE_SIZE).contains(&size) {
        return error(format!("paging.size must be between 1 and {MAX_PAGE_SIZE}, got {size}"));
    }
    Ok((skip, size))
}

fn text_of<'a>(item: &'a serde_json::Map<String, Value>, key: &str) -> Option<&'a str> {
    item.get(key).and_then(Value::as_str)
}

fn condition(index: usize, item: &Value) -> Result<Condition, SearchError> {
    let at = format!("searchParameters[{index}]");
    let Some(item) = item.as_object() else {
        return error(format!("{at} must be an object {{name, method, searchParameter}}"));
    };
    let name = text_of(item, "name").unwrap_or_default();
    let field = SearchField::parse(name).ok_or_else(|| {
        let known: Vec<&str> = SearchField::ALL.iter().map(|f| f.name()).collect();
        SearchError(format!("{at}: unknown filter '{name}' (known: {})", known.join(", ")))
    })?;
    let method_text = text_of(item, "method").unwrap_or_default();
    let method = Method::parse(method_text).ok_or_else(|| {
        SearchError(format!(
            "{at}: unknown method '{method_text}' (use between, in, like, =, <, >, <=, >=)"
        ))
    })?;
    let values: Vec<String> = match item.get("searchParameter") {
        Some(Value::Array(values)) => values
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.trim().to_string()),
                Value::Number(n) => Ok(n.to_string()),
                Value::Bool(b) => Ok(b.to_string()),
                other => error(format!(
                    "{at}: searchParameter values must be strings or numbers, got {other}"
                )),
            })
            .collect::<Result<_, _>>()?,
        Some(Value::String(s)) => vec![s.trim().to_string()],
        Some(Value::Number(n)) => vec![n.to_string()],
        _ => return error(format!("{at}: searchParameter must be an array of values")),
    };
    let arity_ok = match method {
        Method::Between => values.len() == 2,
        Method::In => !values.is_empty(),
        _ => values.len() == 1,
    };
    if !arity_ok {
        let wanted = match method {
            Method::Between => "exactly 2 values",
            Method::In => "at least 1 value",
            _ => "exactly 1 value",
        };
        return error(format!(
            "{at}: method '{method_text}' takes {wanted}, got {}",
            values.len()
        ));
    }
    let kind = field.field_type();
    if method == Method::Like && (kind != FieldType::Text || !values.iter().all(|v| v.contains('%'))) {
        return error(format!(
            "{at}: 'like' takes one text pattern containing '%' on a text field ({} is not one, or the pattern has no '%')",
            field.name()
        ));
    }
    if kind == FieldType::Text && !matches!(method, Method::Eq | Method::In | Method::Like) {
        return error(format!("{at}: {} is a text field; use =, in or like", field.name()));
    }
    let operands = values
        .iter()
        .map(|v| operand(kind, v).map_err(|e| SearchError(format!("{at} ({}): {e}", field.name()))))
        .collect::<Result<Vec<_>, _>>()?;
    if let (Method::Between, [Operand::Range(low, _), Operand::Range(_, high)]) = (method, operands.as_slice()) {
        if low >= high {
            return error(format!("{at}: 'between' needs the lower value first"));
        }
    }
    Ok(Condition {
        field,
        method,
        operands,
    })
}

fn operand(kind: FieldType, value: &str) -> Result<Operand, String> {
    match kind {
        FieldType::Text => Ok(Operand::Text(value.to_string())),
        FieldType::Number => {
            let minor = Amount::parse(value).map_err(|e| format!("'{value}': {e}"))?.minor();
            Ok(Operand::Range(minor, minor.saturating_add(1)))
        }
        FieldType::Date => parse_date(value).map(|(s, e)| Operand::Range(s, e)).ok_or_else(|| {
            format!("'{value}' is not a date (use 2024-01-31T00:00:00Z, 2024-01-31 00:00:00 or 2024-01-31)")
        }),
    }
}

/// A date or instant as a half-open microsecond range: an instant is 1 µs wide, a bare date
/// the whole day in Astana time.
fn parse_date(text: &str) -> Option<(i64, i64)> {
    let text = text.trim();
    let local = |naive: NaiveDateTime| Utc.from_utc_datetime(&(naive - Duration::seconds(BANK_OFFSET_SECONDS)));
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        let micros = at.with_timezone(&Utc).timestamp_micros();
        return Some((micros, micros.checked_add(1)?));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            let micros = local(naive).timestamp_micros();
            return Some((micros, micros.checked_add(1)?));
        }
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    let start = local(day.and_hms_opt(0, 0, 0)?).timestamp_micros();
    let end = local(day.succ_opt()?.and_hms_opt(0, 0, 0)?).timestamp_micros();
    Some((start, end))
}

fn ordering(index: usize, item: &Value) -> Result<(SearchField, Direction), SearchError> {
    let at = format!("orderParameters[{index}]");
    let Some(item) = item.as_object() else {
        return error(format!("{at} must be an object {{field, typeOrder}}"));
    };
    let name = text_of(item, "field").unwrap_or_default();
    let field = SearchField::parse(name).ok_or_else(|| SearchError(format!("{at}: unknown field '{name}'")))?;
    let direction = match text_of(item, "typeOrder").map(|t| t.trim().to_ascii_uppercase()) {
        None => Direction::Asc,
        Some(t) if t.is_empty() || t == "ASC" => Direction::Asc,
        Some(t) if t == "DESC" => Direction::Desc,
        Some(t) => return error(format!("{at}: typeOrder must be ASC or DESC, got '{t}'")),
    };
    Ok((field, direction))
}

/// SQL `LIKE`: `%` matches any run of characters, `_` any one; everything else itself.
pub fn like(value: &str, pattern: &str) -> bool {
    let value: Vec<char> = value.chars().collect();
    let pattern: Vec<char> = pattern.chars().collect();
    let (mut v, mut p) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while v < value.len() {
        match pattern.get(p) {
            Some('%') => {
                star = Some((p, v));
                p += 1;
            }
            Some(c) if *c == '_' || *c == value[v] => {
                v += 1;
                p += 1;
            }
            _ => match star {
                Some((sp, sv)) => {
                    p = sp + 1;
                    v = sv + 1;
                    star = Some((sp, sv + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p.min(pattern.len())..].iter().all(|c| *c == '%')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn row(id: &str, created: &str, amount: i64, status: &str) -> SearchRow {
        SearchRow {
            id: id.into(),
            created_at: at(created),
            invoice_id: format!("00000{id}"),
            amount: Amount::from_units(amount),
            card_masks: vec!["440563...5096".into()],
            status: status.into(),
            transaction_type: "PAYMENT".into(),
            ..Default::default()
        }
    }

    fn rows() -> Vec<(SearchRow, String)> {
        [
            row("1", "2024-01-10T10:00:00Z", 100, "CHARGE"),
            row("2", "2024-01-11T10:00:00Z", 200, "REJECT"),
            row("3", "2024-01-12T10:00:00Z", 300, "CHARGE"),
        ]
        .into_iter()
        .map(|r| {
            let id = r.id.clone();
            (r, id)
        })
        .collect()
    }

    fn query(filters: Value, order: Value) -> Result<SearchQuery, SearchError> {
        let mut params = vec![json!({"name": "created_date", "method": "between",
            "searchParameter": ["2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"]})];
        if let Value::Array(more) = filters {
            params.extend(more);
        }
        SearchQuery::parse(
            &json!({"paging": {"page": 0, "size": 10}, "searchParameters": params, "orderParameters": order}),
            "created_date",
        )
    }

    fn ids(q: &SearchQuery) -> Vec<String> {
        q.run(rows()).items
    }

    #[test]
    fn filters_by_each_method() {
        let q = |f: Value| query(f, json!([])).map(|q| ids(&q)).unwrap_or_default();
        assert_eq!(q(json!([])), ["3", "2", "1"]);
        assert_eq!(
            q(json!([{"name": "amount", "method": ">=", "searchParameter": ["200"]}])),
            ["3", "2"]
        );
        assert_eq!(
            q(json!([{"name": "amount", "method": "<", "searchParameter": [200]}])),
            ["1"]
        );
        assert_eq!(
            q(json!([{"name": "amount", "method": "between", "searchParameter": [150, 300]}])),
            ["3", "2"]
        );
        assert_eq!(
            q(json!([{"name": "status", "method": "in", "searchParameter": ["charge"]}])),
            ["3", "1"]
        );
        assert_eq!(
            q(json!([{"name": "invoice_id", "method": "like", "searchParameter": ["%2"]}])),
            ["2"]
        );
        assert_eq!(
            q(json!([{"name": "card_mask", "method": "like", "searchParameter": ["440563%"]}])).len(),
            3
        );
        assert_eq!(
            q(json!([{"name": "created_date", "method": "=", "searchParameter": ["2024-01-11"]}])),
            ["2"]
        );
        assert_eq!(
            q(json!([{"name": "created_date", "method": "<=", "searchParameter": ["2024-01-11"]}])),
            ["2", "1"]
        );
        assert_eq!(
            q(json!([{"name": "created_date", "method": ">", "searchParameter": ["2024-01-11"]}])),
            ["3"]
        );
    }

    #[test]
    fn orders_and_pages() {
        let q = query(json!([]), json!([{"field": "amount", "typeOrder": "ASC"}])).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ids(&q), ["1", "2", "3"]);
        let q = SearchQuery { skip: 1, size: 1, ..q };
        let page = q.run(rows());
        assert_eq!((page.total, page.items), (3, vec!["2".to_string()]));
    }

    #[test]
    fn bad_parameters_are_refused() {
        let bad = |f: Value| query(f, json!([])).is_err();
        assert!(bad(
            json!([{"name": "amount", "method": "between", "searchParameter": [1]}])
        ));
        assert!(bad(
            json!([{"name": "reference", "method": "like", "searchParameter": ["12"]}])
        ));
        assert!(bad(
            json!([{"name": "reference", "method": "in", "searchParameter": []}])
        ));
        assert!(bad(json!([{"name": "nope", "method": "=", "searchParameter": ["1"]}])));
        assert!(bad(
            json!([{"name": "amount", "method": "~", "searchParameter": ["1"]}])
        ));
        assert!(bad(
            json!([{"name": "amount", "method": "=", "searchParameter": ["x"]}])
        ));
        assert!(bad(
            json!([{"name": "reference", "method": ">", "searchParameter": ["1"]}])
        ));
        assert!(query(json!([]), json!([{"field": "amount", "typeOrder": "UP"}])).is_err());
        assert!(SearchQuery::parse(&json!({"searchParameters": []}), "created_at").is_err());
        assert!(SearchQuery::parse(&json!({"paging": {"page": -1, "size": 1}}), "created_at").is_err());
    }

    #[test]
    fn like_patterns() {
        assert!(like("440563...5096", "4405%"));
        assert!(like("440563...5096", "%5096"));
        assert!(like("abc", "a_c"));
        assert!(like("abc", "%%"));
        assert!(!like("abc", "a%d"));
        assert!(like("", "%"));
        assert!(!like("", "_"));
    }

    proptest! {
        #[test]
        fn parsing_never_panics(name in ".{0,12}", method in ".{0,8}", values in proptest::collection::vec(".{0,25}", 0..4),
                                page in any::<i64>(), size in any::<i64>(), field in ".{0,12}", dir in ".{0,5}") {
            let body = json!({
                "paging": {"page": page, "size": size},
                "searchParameters": [{"name": name, "method": method, "searchParameter": values},
                    {"name": "created_date", "method": "between", "searchParameter": ["2024-01-01", "2024-01-02"]}],
                "orderParameters": [{"field": field, "typeOrder": dir}],
            });
            if let Ok(q) = SearchQuery::parse(&body, "created_date") {
                let _ = q.run(rows());
            }
        }

        #[test]
        fn like_never_panics_and_percent_matches_all(value in ".{0,20}", pattern in ".{0,10}") {
            let _ = like(&value, &pattern);
            prop_assert!(like(&value, "%"));
            let suffix = format!("%{}", value);
            prop_assert!(like(&value, &suffix));
        }

        #[test]
        fn arbitrary_json_never_panics(text in ".{0,200}") {
            if let Ok(value) = serde_json::from_str::<Value>(&text) {
                let _ = SearchQuery::parse(&value, "created_at");
            }
        }
    }
}
