//! `?limit=&offset=` on every `/_sandbox` listing: at most [`MAX_LIMIT`] items per answer,
//! [`DEFAULT_LIMIT`] when `limit` is absent; the answer says `total`, `limit` and `offset`.

use crate::http::error::ApiError;
use axum::extract::rejection::QueryRejection;
use axum::extract::Query;
use serde::Deserialize;
use serde_json::{Map, Value};

/// Items per answer when the query has no `limit`.
pub const DEFAULT_LIMIT: usize = 100;
/// Most items per answer.
pub const MAX_LIMIT: usize = 1000;

/// A requested page.
#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// Items per page (1 to 1000, default 100).
    limit: Option<usize>,
    /// Items to skip.
    offset: Option<usize>,
}

impl Paging {
    /// The paging of a query, checked: `limit` 1..=[`MAX_LIMIT`], `offset` any.
    pub fn from_query(query: Result<Query<Paging>, QueryRejection>) -> Result<Paging, ApiError> {
        let Query(paging) = query.map_err(|_| {
            ApiError::bad_request(format!(
                "limit and offset must be non-negative integers (limit at most {MAX_LIMIT})"
            ))
        })?;
        if paging.limit.is_some_and(|l| l == 0 || l > MAX_LIMIT) {
            return Err(ApiError::bad_request(format!("limit must be 1 to {MAX_LIMIT}")));
        }
        Ok(paging)
    }

    /// Whether the query asked for a page at all.
    pub fn is_requested(&self) -> bool {
        self.limit.is_some() || self.offset.is_some()
    }

    /// The limit in force.
    pub fn limit(&self) -> usize {
        self.limit.unwrap_or(DEFAULT_LIMIT)
    }

    /// The offset in force.
    pub fn offset(&self) -> usize {
        self.offset.unwrap_or(0)
    }

    /// The page of `items`.
    pub fn slice<T>(&self, items: Vec<T>) -> Vec<T> {
        items.into_iter().skip(self.offset()).take(self.limit()).collect()
    }

    /// `{key: <page>, "count": <on this page>, "total", "limit", "offset"}` plus `extra`.
    pub fn answer<T: serde::Serialize>(&self, key: &str, items: Vec<T>, extra: Map<String, Value>) -> Value {
        let total = items.len();
        let page = self.slice(items);
        let mut body = extra;
        body.insert("count".into(), Value::from(page.len()));
        body.insert("total".into(), Value::from(total));
        body.insert("limit".into(), Value::from(self.limit()));
        body.insert("offset".into(), Value::from(self.offset()));
        body.insert(key.into(), serde_json::to_value(page).unwrap_or(Value::Null));
        Value::Object(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_bounded() {
        let paging = Paging {
            limit: Some(2),
            offset: Some(3),
        };
        assert_eq!(paging.slice((0..10).collect()), vec![3, 4]);
        let body = paging.answer("items", (0..10).collect::<Vec<_>>(), Map::new());
        assert_eq!(body["total"], 10);
        assert_eq!(body["count"], 2);
        assert_eq!(
            Paging::default().slice((0..500).collect::<Vec<_>>()).len(),
            DEFAULT_LIMIT
        );
        assert!(Paging::default().offset() == 0 && !Paging::default().is_requested());
    }
}
