//! Request extractors that answer bad input in ePay's error shape instead of axum's plain text.

use super::error::ApiError;
use super::json_node::Node;
use super::json_scan::{from_json_checked, node_checked, JsonRefusal};
use crate::domain::tokens::FieldMap;
use crate::domain::tokens::Token;
use crate::domain::validation::{check_field_length, FieldTooLong};
use crate::engine::Sandbox;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Multipart, Request};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use std::sync::Arc;

/// The live token of the request's `Authorization: Bearer …` header; 401 otherwise.
#[derive(Debug, Clone)]
pub struct Bearer(pub Token);

/// The raw bearer string of a request, if any (also used by `?Access=` callers).
pub fn bearer_of(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim())
}

impl FromRequestParts<Arc<Sandbox>> for Bearer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, sandbox: &Arc<Sandbox>) -> Result<Self, Self::Rejection> {
        sandbox
            .authenticate(bearer_of(parts))
            .map(Bearer)
            .map_err(ApiError::from)
    }
}

/// The live token of the request's bearer header when one is sent; `None` without a header, 401
/// for a token that is unknown or expired (`/payment/confirm`, key `confirm.token`).
#[derive(Debug, Clone)]
pub struct OptionalBearer(pub Option<Token>);

impl FromRequestParts<Arc<Sandbox>> for OptionalBearer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, sandbox: &Arc<Sandbox>) -> Result<Self, Self::Rejection> {
        match bearer_of(parts) {
            None => Ok(OptionalBearer(None)),
            Some(bearer) => sandbox
                .authenticate(Some(bearer))
                .map(|token| OptionalBearer(Some(token)))
                .map_err(ApiError::from),
        }
    }
}

/// A JSON body of type `T`. The content type is not checked (the bank's clients are sloppy
/// about it); a body that is not JSON of the right shape gets a 400 saying why.
#[derive(Debug, Clone)]
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let JsonText(bytes) = JsonText::from_request(req, state).await?;
        from_json_checked(&bytes).map(JsonBody).map_err(json_refusal)
    }
}

/// A body that is not blank, to be read as a JSON [`Node`] with [`JsonText::document`]: for the
/// bodies read leniently, borrowing from the body instead of building a `serde_json::Value`.
#[derive(Debug, Clone)]
pub struct JsonText(pub Bytes);

impl JsonText {
    /// The body as a JSON document, checked as [`JsonBody`] checks it.
    pub fn document(&self) -> Result<Node<'_>, ApiError> {
        node_checked(&self.0).map_err(json_refusal)
    }
}

impl<S: Send + Sync> FromRequest<S> for JsonText {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(body_error)?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::bad_request(
                "request body is empty; a JSON object is expected",
            ));
        }
        Ok(JsonText(bytes))
    }
}

fn json_refusal(refusal: JsonRefusal) -> ApiError {
    match refusal {
        JsonRefusal::Syntax(e) | JsonRefusal::Shape(e) => ApiError::bad_request(format!("invalid JSON body: {e}")),
        JsonRefusal::TooLong(e) => too_long(e),
    }
}

fn too_long(error: FieldTooLong) -> ApiError {
    ApiError::bad_request(error.to_string())
}

fn checked(fields: FieldMap) -> Result<FormFields, ApiError> {
    for (name, value) in &fields {
        check_field_length(name, value).map_err(too_long)?;
    }
    Ok(FormFields(fields))
}

/// The `name=value` pairs of a urlencoded form, decoded exactly as `form_urlencoded::parse`
/// decodes them. A pair with nothing to decode (no `+`, no `%`, valid UTF-8: what clients send)
/// is copied out as it is; running every pair through the decoder's plus, percent and lossy
/// UTF-8 passes was a tenth of the token endpoint's work.
fn form_pairs(body: &[u8]) -> impl Iterator<Item = (String, String)> + '_ {
    body.split(|&b| b == b'&')
        .filter(|pair| !pair.is_empty())
        .filter_map(|pair| match std::str::from_utf8(pair) {
            Ok(text) if !pair.iter().any(|&b| b == b'+' || b == b'%') => {
                let (name, value) = text.split_once('=').unwrap_or((text, ""));
                Some((name.to_owned(), value.to_owned()))
            }
            _ => form_urlencoded::parse(pair)
                .next()
                .map(|(name, value)| (name.into_owned(), value.into_owned())),
        })
}

/// Form fields from `multipart/form-data`, `application/x-www-form-urlencoded` or, leniently,
/// a flat JSON object. Real clients of the token endpoint send all three.
#[derive(Debug, Clone, Default)]
pub struct FormFields(pub FieldMap);

impl<S: Send + Sync> FromRequest<S> for FormFields {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        if content_type.starts_with("multipart/form-data") {
            let mut multipart = Multipart::from_request(req, state)
                .await
                .map_err(|e| ApiError::bad_request(format!("invalid multipart body: {e}")))?;
            let mut fields = FieldMap::default();
            while let Some(field) = multipart
                .next_field()
                .await
                .map_err(|e| ApiError::bad_request(format!("invalid multipart body: {e}")))?
            {
                let name = field.name().unwrap_or("").to_string();
                let value = field
                    .text()
                    .await
                    .map_err(|e| ApiError::bad_request(format!("invalid multipart field {name}: {e}")))?;
                fields.insert(name, value);
            }
            return checked(fields);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(body_error)?;
        if content_type.starts_with("application/json") {
            let object: serde_json::Map<String, serde_json::Value> =
                serde_json::from_slice(&bytes).map_err(|e| ApiError::bad_request(format!("invalid JSON body: {e}")))?;
            let fields = object
                .into_iter()
                .map(|(k, v)| {
                    let text = match v {
                        serde_json::Value::String(s) => s,
                        serde_json::Value::Null => String::new(),
                        other => other.to_string(),
                    };
                    (k, text)
                })
                .collect();
            return checked(fields);
        }
        checked(form_pairs(&bytes).collect())
    }
}

/// Reads `T` from a body that is a JSON object or an `application/x-www-form-urlencoded` form
/// (`amount=100&externalID=r-1`), whatever the `Content-Type` says (the bank's clients are sloppy
/// about it: a body starting with `{` is JSON, anything else a form). An empty body, or JSON
/// `null`, gives `T::default()`. Anything else (multipart, a JSON array or number, text that is
/// not `name=value` pairs, a field over its byte limit) is refused with a message saying what is
/// accepted; the caller wraps it in its endpoint's error shape. A form needs at least one
/// `name=value` pair and names without spaces, so plain text is not taken for one.
pub fn json_or_form<T: DeserializeOwned + Default>(content_type: Option<&str>, body: &[u8]) -> Result<T, String> {
    const ACCEPTED: &str = "the body must be a JSON object or a form (application/x-www-form-urlencoded)";
    let text = std::str::from_utf8(body).map_err(|_| format!("{ACCEPTED}; it is not UTF-8 text"))?;
    let text = text.trim();
    if text.is_empty() || text == "null" {
        return Ok(T::default());
    }
    let multipart = content_type.is_some_and(|c| c.trim().to_ascii_lowercase().starts_with("multipart/"));
    if multipart {
        return Err(format!("{ACCEPTED}, not multipart"));
    }
    if text.starts_with('{') {
        return from_json_checked(text.as_bytes()).map_err(|refusal| match refusal {
            JsonRefusal::Syntax(e) => format!("{ACCEPTED}; invalid JSON body: {e}"),
            JsonRefusal::Shape(e) => format!("invalid JSON body: {e}"),
            JsonRefusal::TooLong(e) => e.to_string(),
        });
    }
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(text).map_err(|e| format!("{ACCEPTED}; invalid form body: {e}"))?;
    let pairs_of_text: Vec<&str> = text.split('&').filter(|pair| !pair.is_empty()).collect();
    let is_form = pairs_of_text.iter().any(|pair| pair.contains('='))
        && pairs_of_text
            .iter()
            .map(|pair| pair.split_once('=').map_or(*pair, |(name, _)| name))
            .all(|name| !name.is_empty() && !name.contains(char::is_whitespace));
    if !is_form {
        let start: String = text.chars().take(24).collect();
        return Err(format!("{ACCEPTED}; got '{start}'"));
    }
    for (name, value) in &pairs {
        check_field_length(name, value).map_err(|e| e.to_string())?;
    }
    serde_urlencoded::from_str(text).map_err(|e| format!("invalid form body: {e}"))
}

/// A body that could not be read: keeps the framework's status (413 when over the limit).
fn body_error(error: axum::extract::rejection::BytesRejection) -> ApiError {
    let status = error.status();
    ApiError::new(
        status,
        i64::from(status.as_u16()),
        format!("cannot read body: {}", error.body_text()),
    )
}

/// The payer's IP as the sandbox sees it: the first `X-Forwarded-For` address, else the peer
/// address, else empty. Never rejects.
#[derive(Debug, Clone, Default)]
pub struct PayerIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for PayerIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty());
        let peer = || {
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|info| info.0.ip().to_string())
        };
        Ok(PayerIp(forwarded.or_else(peer).unwrap_or_default()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::Deserialize;

    #[derive(Debug, Default, Deserialize, PartialEq)]
    struct Fields {
        amount: Option<String>,
    }

    fn read(content_type: Option<&str>, body: &str) -> Result<Fields, String> {
        json_or_form(content_type, body.as_bytes())
    }

    #[test]
    fn json_objects_and_forms_are_read_whatever_the_content_type() {
        let sixty = Ok(Fields {
            amount: Some("60".into()),
        });
        assert_eq!(read(Some("application/json"), r#"{"amount": "60"}"#), sixty);
        assert_eq!(read(None, r#" {"amount": "60", "other": 1} "#), sixty);
        assert_eq!(read(Some("application/x-www-form-urlencoded"), "amount=60"), sixty);
        assert_eq!(read(Some("application/json"), "amount=60&note=a+b&flag"), sixty);
        assert_eq!(read(None, ""), Ok(Fields::default()));
        assert_eq!(read(None, " null "), Ok(Fields::default()));
    }

    #[test]
    fn anything_else_is_refused_saying_what_is_accepted() {
        for (content_type, body) in [
            (None, "sixty"),
            (None, "[60]"),
            (None, "60"),
            (Some("application/json"), r#"{"amount": "#),
            (Some("multipart/form-data; boundary=x"), "--x--"),
            (None, "amount=60&two words"),
        ] {
            let error = read(content_type, body).expect_err(body);
            assert!(error.contains("JSON object or a form"), "{body}: {error}");
        }
        assert!(json_or_form::<Fields>(None, &[0xff, 0xfe]).is_err());
    }

    #[test]
    fn form_pairs_decode_plus_percent_and_bad_utf8_as_the_decoder_does() {
        let pairs: Vec<_> = form_pairs(b"a=1&&b=x+y%21&c&=v&d=%ff&e=\xfe&f=1=2&g=a+b").collect();
        let expected = [
            ("a", "1"),
            ("b", "x y!"),
            ("c", ""),
            ("", "v"),
            ("d", "\u{fffd}"),
            ("e", "\u{fffd}"),
            ("f", "1=2"),
            ("g", "a b"),
        ];
        let expected: Vec<_> = expected.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
        assert_eq!(pairs, expected);
    }

    proptest! {
        #[test]
        fn form_pairs_read_as_form_urlencoded_does(body in proptest::collection::vec(
            prop_oneof![Just(b'&'), Just(b'='), Just(b'+'), Just(b'%'), Just(b'a'), Just(b'F'), Just(b'2'), any::<u8>()],
            0..48,
        )) {
            let decoded: Vec<_> = form_urlencoded::parse(&body)
                .map(|(name, value)| (name.into_owned(), value.into_owned()))
                .collect();
            prop_assert_eq!(form_pairs(&body).collect::<Vec<_>>(), decoded);
        }

        #[test]
        fn reading_never_panics(body in proptest::collection::vec(any::<u8>(), 0..64), json in any::<bool>()) {
            let content_type = json.then_some("application/json");
            let _ = json_or_form::<Fields>(content_type, &body);
        }
    }
}
