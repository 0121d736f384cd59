//! JSON bodies for the answers hyper writes itself when it cannot parse a request.
//!
//! hyper answers a malformed request line or header (400), a too-long URI (414) and too many or
//! too large headers (431) before any service sees the request, with an empty body, and offers
//! no hook to change that. [`JsonParseErrors`] wraps a connection's socket and recognises that
//! one response by its exact shape: a 400/414/431 head with `connection: close` and
//! `content-length: 0` as its first headers and nothing after it. The application never writes
//! such a head (every error it sends carries a JSON body), so the rewrite touches nothing else.
//! The head is replaced by the same status with `{"code": <status>, "message": ...}`.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A socket whose hyper-generated parse-error answers carry JSON bodies.
#[derive(Debug)]
pub struct JsonParseErrors<S> {
    inner: S,
    /// A rewritten answer being written, and how much of it is out.
    pending: Option<(Vec<u8>, usize)>,
}

impl<S> JsonParseErrors<S> {
    /// Wraps `inner`.
    pub fn new(inner: S) -> Self {
        JsonParseErrors { inner, pending: None }
    }
}

/// hyper's parse-error answers (a 4xx status line and three short headers) are at most ~125
/// bytes; anything longer, or not a 4xx, is let through without looking at the rest of it.
const LONGEST_PARSE_ERROR_HEAD: usize = 160;

/// The JSON answer replacing `head`, if `head` is exactly hyper's answer to a parse error.
fn rewrite(head: &[u8]) -> Option<Vec<u8>> {
    if head.len() > LONGEST_PARSE_ERROR_HEAD || !head.starts_with(b"HTTP/1.1 4") {
        return None;
    }
    let text = std::str::from_utf8(head).ok()?;
    let rest = text.strip_prefix("HTTP/1.1 ")?;
    let (status_line, headers) = rest.split_once("\r\n")?;
    let headers = headers.strip_prefix("connection: close\r\ncontent-length: 0\r\n")?;
    let date = headers.strip_prefix("date: ")?.strip_suffix("\r\n\r\n")?;
    if date.contains("\r\n") {
        return None;
    }
    let (code, message) = match status_line.split_once(' ')?.0 {
        "400" => (400, "the request line or a header is malformed"),
        "414" => (414, "the request URI is too long"),
        "431" => (431, "the request has too many or too large headers"),
        _ => return None,
    };
    let body = serde_json::json!({"code": code, "message": message}).to_string();
    Some(
        format!(
            "HTTP/1.1 {status_line}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\ndate: {date}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    )
}

impl<S: AsyncWrite + Unpin> JsonParseErrors<S> {
    /// Writes out the rewritten answer, if any.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((bytes, written)) = self.pending.as_mut() {
            if *written >= bytes.len() {
                self.pending = None;
                break;
            }
            let n = std::task::ready!(Pin::new(&mut self.inner).poll_write(cx, &bytes[*written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *written += n;
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for JsonParseErrors<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for JsonParseErrors<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if self.pending.is_none() {
            match rewrite(buf) {
                Some(answer) => self.pending = Some((answer, 0)),
                None => return Pin::new(&mut self.inner).poll_write(cx, buf),
            }
        }
        std::task::ready!(self.poll_pending(cx))?;
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        std::task::ready!(self.poll_pending(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        std::task::ready!(self.poll_pending(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    /// Not vectored, so hyper hands over each response head as one contiguous buffer.
    fn is_write_vectored(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::rewrite;

    const DATE: &str = "Tue, 01 Dec 2026 21:54:37 GMT";

    #[test]
    fn hypers_parse_error_answers_get_json_bodies() {
        for (status, code) in [
            ("400 Bad Request", 400),
            ("414 URI Too Long", 414),
            ("431 Request Header Fields Too Large", 431),
        ] {
            let head = format!("HTTP/1.1 {status}\r\nconnection: close\r\ncontent-length: 0\r\ndate: {DATE}\r\n\r\n");
            let answer = rewrite(head.as_bytes()).map(|a| String::from_utf8_lossy(&a).to_string());
            let answer = answer.unwrap_or_default();
            assert!(
                answer.starts_with(&format!("HTTP/1.1 {status}\r\ncontent-type: application/json\r\n")),
                "{answer}"
            );
            let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
            let json: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
            assert_eq!(json["code"], code);
            assert!(answer.contains(&format!("content-length: {}\r\n", body.len())));
        }
    }

    #[test]
    fn anything_else_is_left_alone() {
        let others = [
            format!("HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 0\r\ndate: {DATE}\r\n\r\n"),
            format!("HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 2\r\ndate: {DATE}\r\n\r\n{{}}"),
            format!("HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\ndate: {DATE}\r\n\r\nbody"),
            "HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n".to_string(),
            "{\"code\":400}".to_string(),
        ];
        for other in others {
            assert!(rewrite(other.as_bytes()).is_none(), "{other}");
        }
    }
}
