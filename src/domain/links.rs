//! Merchant URLs: `backLink`, `failureBackLink`, `postLink`, `failurePostLink` and the 3-D
//! Secure `TermUrl`. One rule for all of them, checked where requests are parsed, so nothing
//! stored and nothing rendered or redirected to can be a `javascript:` URL or carry CR/LF.

use std::fmt;

/// Longest link accepted, in bytes.
pub const MAX_LINK_BYTES: usize = 2048;

/// An absolute `http`/`https` URL (scheme in any case) with a host and no whitespace or
/// control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link(String);

/// Why a link is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    /// Not `http://…` or `https://…`.
    #[error("{0} must be an absolute http(s) URL")]
    Scheme(&'static str),
    /// `http://` with nothing after it.
    #[error("{0} has no host")]
    NoHost(&'static str),
    /// CR, LF, TAB, other control characters or spaces.
    #[error("{0} must not contain whitespace or control characters")]
    ControlCharacter(&'static str),
    /// Over [`MAX_LINK_BYTES`].
    #[error("{0} is longer than {MAX_LINK_BYTES} bytes")]
    TooLong(&'static str),
}

impl Link {
    /// Checks `text` as the value of the request field `field` (named in the error).
    pub fn parse(field: &'static str, text: &str) -> Result<Link, LinkError> {
        if text.len() > MAX_LINK_BYTES {
            return Err(LinkError::TooLong(field));
        }
        if text.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(LinkError::ControlCharacter(field));
        }
        let rest = strip_prefix_ignore_case(text, "https://")
            .or_else(|| strip_prefix_ignore_case(text, "http://"))
            .ok_or(LinkError::Scheme(field))?;
        let authority = rest.split(['/', '?', '#', '\\']).next().unwrap_or_default();
        let host = authority.rsplit('@').next().unwrap_or_default();
        if host.is_empty() || host.starts_with(':') {
            return Err(LinkError::NoHost(field));
        }
        Ok(Link(text.to_string()))
    }

    /// An optional link: empty (after trimming) means "not given" and is kept as `""`; anything
    /// else must [`Link::parse`]. Returns the trimmed text to store.
    pub fn optional(field: &'static str, text: &str) -> Result<String, LinkError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(String::new());
        }
        Link::parse(field, text).map(Link::into_string)
    }

    /// Whether a stored or received `text` is safe to render or redirect to (for values that
    /// predate the check, e.g. from a state file).
    pub fn is_safe(text: &str) -> bool {
        Link::parse("link", text).is_ok()
    }

    /// The URL.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The URL, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &text[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_http_links_pass_in_any_case() {
        for ok in [
            "https://shop.example/ok",
            "HTTP://shop.example",
            "HtTpS://127.0.0.1:8080/back?x=1#y",
            "http://user@host/p",
        ] {
            assert!(Link::parse("backLink", ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn anything_else_is_refused() {
        let cases = [
            ("javascript:alert(1)", LinkError::Scheme("backLink")),
            ("JavaScript://%0aalert(1)", LinkError::Scheme("backLink")),
            ("data:text/html,x", LinkError::Scheme("backLink")),
            ("/relative", LinkError::Scheme("backLink")),
            ("//shop.example", LinkError::Scheme("backLink")),
            ("ftp://shop.example", LinkError::Scheme("backLink")),
            ("http://", LinkError::NoHost("backLink")),
            ("http:///path", LinkError::NoHost("backLink")),
            (
                "https://shop.example/\r\nSet-Cookie: x=1",
                LinkError::ControlCharacter("backLink"),
            ),
            ("https://shop.example/a b", LinkError::ControlCharacter("backLink")),
            ("https://shop.example/\u{0}", LinkError::ControlCharacter("backLink")),
            ("https://shop.example/\u{85}", LinkError::ControlCharacter("backLink")),
        ];
        for (text, error) in cases {
            assert_eq!(Link::parse("backLink", text), Err(error), "{text:?}");
        }
        assert_eq!(
            Link::parse("backLink", &format!("https://a/{}", "x".repeat(MAX_LINK_BYTES))),
            Err(LinkError::TooLong("backLink"))
        );
    }

    #[test]
    fn empty_optional_links_are_not_given() {
        assert_eq!(Link::optional("postLink", "  "), Ok(String::new()));
        assert_eq!(Link::optional("postLink", " https://a/b "), Ok("https://a/b".into()));
        assert!(Link::optional("postLink", "javascript:x").is_err());
    }
}
