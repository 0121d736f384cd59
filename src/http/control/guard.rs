//! Who may use the control plane (every path under `/_sandbox`): see docs/hardening.md.
//!
//! - **Host allow-list** (against DNS rebinding): the `Host` must be an IP literal (which a
//!   rebinding page cannot put in its own origin), `localhost` or a `*.localhost` name, the
//!   `--public-url` host, or one of `--allowed-hosts` (`.example.com` also admits its
//!   subdomains, `*` admits any host).
//! - **Same origin for state changes**: a non-GET/HEAD/OPTIONS request that carries `Origin` (or,
//!   failing that, `Referer`) must come from the sandbox's own origin; `Sec-Fetch-Site` other than
//!   `same-origin`/`none` is refused too. Requests with neither header (curl, CI, test clients)
//!   are allowed.
//! - **Optional token** (`--control-token`): every request needs it as `Authorization: Bearer`,
//!   `X-Sandbox-Token`, the `epay_sandbox_token` cookie, or `?token=` (which also sets the cookie,
//!   so a dashboard opened as `/_sandbox/?token=…` keeps working). `/_sandbox/health` and the
//!   demo's postLink receiver are exempt.

use crate::engine::Sandbox;
use crate::http::error::ApiError;
use axum::extract::Request;
use axum::http::header::{AUTHORIZATION, COOKIE, HOST, ORIGIN, REFERER, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::IpAddr;

/// Name of the cookie carrying the control token.
pub const TOKEN_COOKIE: &str = "epay_sandbox_token";

/// Paths that answer without the control token.
const TOKEN_EXEMPT: [&str; 2] = ["/_sandbox/health", "/_sandbox/demo/postlink"];

/// Applies the control-plane checks to a request under `/_sandbox` (the edge layer sends only
/// those here).
pub async fn guard(sandbox: &Sandbox, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let config = sandbox.config();
    let public_url = sandbox.public_url();
    let headers = request.headers();
    let host = request_host(&request);
    if let Some(host) = host.as_deref() {
        if !host_allowed(host, &public_url, &config.allowed_hosts) {
            return ApiError::new(
                StatusCode::FORBIDDEN,
                403,
                format!(
                    "host '{}' may not use the control plane; allow it with --allowed-hosts",
                    printable(host_name(host))
                ),
            )
            .into_response();
        }
    }
    if is_state_changing(request.method()) {
        if let Err(reason) = same_origin(headers, host.as_deref(), &public_url) {
            return ApiError::new(StatusCode::FORBIDDEN, 403, reason).into_response();
        }
    }
    let Some(expected) = config.control_token.as_deref().filter(|t| !t.is_empty()) else {
        return next.run(request).await;
    };
    if TOKEN_EXEMPT.contains(&path) {
        return next.run(request).await;
    }
    let from_query = query_token(request.uri().query());
    let presented = header_token(headers).or_else(|| from_query.clone());
    if !presented
        .as_deref()
        .is_some_and(|t| constant_time_eq(t.as_bytes(), expected.as_bytes()))
    {
        return ApiError::new(
            StatusCode::UNAUTHORIZED,
            401,
            "the control plane needs the control token (Authorization: Bearer, X-Sandbox-Token, or ?token= once in a browser)",
        )
        .into_response();
    }
    let mut response = next.run(request).await;
    if from_query.is_some() {
        let cookie = format!("{TOKEN_COOKIE}={expected}; Path=/_sandbox; HttpOnly; SameSite=Strict");
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
    response
}

fn is_state_changing(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// `host[:port]` of the request: the `Host` header, or the authority of an absolute-form target.
fn request_host(request: &Request) -> Option<String> {
    request
        .headers()
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| request.uri().authority().map(|a| a.as_str().to_string()))
}

/// The host part of `host[:port]` (IPv6 literals keep their brackets off).
fn host_name(authority: &str) -> &str {
    if let Some(rest) = authority.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    authority.rsplit_once(':').map_or(authority, |(host, _)| host)
}

/// The authority (`host[:port]`, lower case, default port dropped) of an absolute URL.
fn url_authority(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?.rsplit('@').next()?;
    let authority = authority.to_ascii_lowercase();
    let default = match scheme.to_ascii_lowercase().as_str() {
        "http" => ":80",
        "https" => ":443",
        _ => return None,
    };
    Some(authority.strip_suffix(default).unwrap_or(&authority).to_string())
}

/// Whether `authority` (`host[:port]`) may reach the control plane.
pub fn host_allowed(authority: &str, public_url: &str, allowed: &[String]) -> bool {
    let host = host_name(authority).trim_end_matches('.').to_ascii_lowercase();
    if host.parse::<IpAddr>().is_ok() || host == "localhost" || host.ends_with(".localhost") {
        return true;
    }
    if url_authority(public_url).is_some_and(|a| host_name(&a).eq_ignore_ascii_case(&host)) {
        return true;
    }
    allowed.iter().any(|entry| {
        let entry = entry.trim().trim_end_matches('.').to_ascii_lowercase();
        match entry.strip_prefix('.') {
            _ if entry == "*" => true,
            Some(domain) => host == domain || host.ends_with(&format!(".{domain}")),
            None => host == entry,
        }
    })
}

/// `Ok` when a state-changing request comes from the sandbox's own pages or from no page at all.
fn same_origin(headers: &HeaderMap, host: Option<&str>, public_url: &str) -> Result<(), String> {
    let header = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site") {
        if !matches!(site, "same-origin" | "none") {
            return Err(format!(
                "cross-site requests may not change the sandbox (Sec-Fetch-Site: {site})"
            ));
        }
    }
    let (name, source) = match (header(ORIGIN.as_str()), header(REFERER.as_str())) {
        (Some(origin), _) => ("Origin", origin),
        (None, Some(referer)) => ("Referer", referer),
        (None, None) if headers.contains_key(ORIGIN) || headers.contains_key(REFERER) => {
            return Err("unreadable Origin or Referer".into());
        }
        (None, None) => return Ok(()),
    };
    let own = [host.map(|h| h.to_ascii_lowercase()), url_authority(public_url)];
    match url_authority(source) {
        Some(from) if own.iter().flatten().any(|o| strip_default_port(o) == from) => Ok(()),
        _ => Err(format!(
            "requests from other origins may not change the sandbox ({name}: {})",
            printable(source)
        )),
    }
}

fn strip_default_port(authority: &str) -> &str {
    authority.strip_suffix(":80").unwrap_or(authority)
}

/// A token from `Authorization: Bearer`, `X-Sandbox-Token` or the cookie.
fn header_token(headers: &HeaderMap) -> Option<String> {
    let bearer = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim);
    let header = headers
        .get("x-sandbox-token")
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    let cookie = headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == TOKEN_COOKIE)
        .map(|(_, value)| value);
    bearer
        .or(header)
        .or(cookie)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

fn query_token(query: Option<&str>) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query?)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `text` with anything but visible ASCII replaced, at most 100 characters (for messages).
fn printable(text: &str) -> String {
    text.chars()
        .take(100)
        .map(|c| if c.is_ascii_graphic() { c } else { '?' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        let none: Vec<String> = Vec::new();
        for ok in [
            "localhost:8080",
            "127.0.0.1:1",
            "[::1]:8080",
            "10.0.0.5",
            "app.localhost",
            "LOCALHOST.",
        ] {
            assert!(host_allowed(ok, "", &none), "{ok}");
        }
        assert!(!host_allowed("evil.example:8080", "http://127.0.0.1:8080", &none));
        assert!(host_allowed("sandbox.test:80", "https://sandbox.test", &none));
        let allowed = vec!["epay".to_string(), ".corp.example".to_string()];
        assert!(host_allowed("epay:8080", "", &allowed));
        assert!(host_allowed("a.corp.example", "", &allowed));
        assert!(host_allowed("corp.example", "", &allowed));
        assert!(!host_allowed("evilcorp.example", "", &allowed));
        assert!(host_allowed("anything", "", &["*".to_string()]));
    }

    #[test]
    fn origins() {
        let mut headers = HeaderMap::new();
        assert!(same_origin(&headers, Some("127.0.0.1:8080"), "").is_ok());
        headers.insert(ORIGIN, HeaderValue::from_static("http://127.0.0.1:8080"));
        assert!(same_origin(&headers, Some("127.0.0.1:8080"), "").is_ok());
        headers.insert(ORIGIN, HeaderValue::from_static("http://127.0.0.1:9999"));
        assert!(same_origin(&headers, Some("127.0.0.1:8080"), "").is_err());
        headers.insert(ORIGIN, HeaderValue::from_static("null"));
        assert!(same_origin(&headers, Some("127.0.0.1:8080"), "").is_err());
        headers.insert(ORIGIN, HeaderValue::from_static("https://sandbox.test"));
        assert!(same_origin(&headers, Some("127.0.0.1:8080"), "https://sandbox.test/").is_ok());
        headers.remove(ORIGIN);
        headers.insert(REFERER, HeaderValue::from_static("http://localhost:8080/_sandbox/"));
        assert!(same_origin(&headers, Some("localhost:8080"), "").is_ok());
        headers.insert(REFERER, HeaderValue::from_static("http://evil.example/page"));
        assert!(same_origin(&headers, Some("localhost:8080"), "").is_err());
    }

    #[test]
    fn tokens_come_from_headers_or_the_cookie() {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_static("a=b; epay_sandbox_token=s3cret"));
        assert_eq!(header_token(&headers).as_deref(), Some("s3cret"));
        headers.insert("x-sandbox-token", HeaderValue::from_static("h"));
        assert_eq!(header_token(&headers).as_deref(), Some("h"));
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer b"));
        assert_eq!(header_token(&headers).as_deref(), Some("b"));
        assert_eq!(query_token(Some("x=1&token=t%20u")).as_deref(), Some("t u"));
        assert!(constant_time_eq(b"abc", b"abc") && !constant_time_eq(b"abc", b"abd"));
    }
}
