//! `epay-sandbox healthcheck`: asks a running sandbox whether it is up, so that a container image
//! can have a HEALTHCHECK without shipping curl. A plain blocking HTTP/1.1 GET over a
//! [`TcpStream`] with short timeouts: no TLS, no runtime, no dependencies.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// How long connecting, writing and reading may each take.
const TIMEOUT: Duration = Duration::from_secs(3);

/// The health URL of a server listening on `addr` (`HOST:PORT`, as given to `--addr`), asked from
/// the same machine: a wildcard host (`0.0.0.0`, `[::]`) is reached through loopback.
pub fn url_for_addr(addr: &str) -> String {
    let (host, port) = addr.rsplit_once(':').unwrap_or((addr, "8080"));
    let host = match host {
        "" | "0.0.0.0" => "127.0.0.1",
        "[::]" => "[::1]",
        other => other,
    };
    format!("http://{host}:{port}/_sandbox/health")
}

/// GETs `url` (`http://HOST[:PORT][/PATH]`): 0 when it answers 2xx, else 1 after printing why.
/// The exit code of `epay-sandbox healthcheck`.
pub fn run(url: &str) -> i32 {
    match check(url) {
        Ok(status) if (200..300).contains(&status) => 0,
        Ok(status) => {
            eprintln!("healthcheck: {url} answered HTTP {status}");
            1
        }
        Err(error) => {
            eprintln!("healthcheck: {url}: {error}");
            1
        }
    }
}

/// The HTTP status `url` answers a GET with.
pub fn check(url: &str) -> Result<u16, String> {
    let rest = url.strip_prefix("http://").ok_or("only http:// URLs are supported")?;
    let (authority, path) = match rest.find('/') {
        Some(slash) => (&rest[..slash], &rest[slash..]),
        None => (rest, "/"),
    };
    if authority.is_empty() {
        return Err("the URL has no host".into());
    }
    let target = if authority.rsplit_once(':').is_some_and(|(_, port)| !port.contains(']')) {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    let addr = target
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {target}: {e}"))?
        .next()
        .ok_or_else(|| format!("{target} resolves to no address"))?;
    let mut stream =
        TcpStream::connect_timeout(&addr, TIMEOUT).map_err(|e| format!("cannot connect to {addr}: {e}"))?;
    stream.set_read_timeout(Some(TIMEOUT)).map_err(|e| e.to_string())?;
    stream.set_write_timeout(Some(TIMEOUT)).map_err(|e| e.to_string())?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\nUser-Agent: epay-sandbox-healthcheck\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("cannot send the request: {e}"))?;
    let mut head = Vec::new();
    let mut buf = [0u8; 256];
    while !head.windows(2).any(|w| w == b"\r\n") && head.len() < 4096 {
        let n = stream.read(&mut buf).map_err(|e| format!("no answer: {e}"))?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let status_line = String::from_utf8_lossy(&head);
    let status_line = status_line.lines().next().unwrap_or_default();
    status_line
        .strip_prefix("HTTP/1.")
        .and_then(|line| line.get(2..5))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("not an HTTP answer: {status_line:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::thread;

    fn serve_once(answer: &'static str) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        thread::spawn(move || {
            let (mut conn, _) = listener.accept().unwrap();
            let mut request = [0u8; 1024];
            let _ = conn.read(&mut request);
            conn.write_all(answer.as_bytes()).unwrap();
        });
        format!("http://{addr}/_sandbox/health")
    }

    #[test]
    fn a_2xx_answer_is_healthy() {
        let url = serve_once("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        assert_eq!(check(&url), Ok(200));
        assert_eq!(run(&serve_once("HTTP/1.1 204 No Content\r\n\r\n")), 0);
    }

    #[test]
    fn other_answers_and_no_server_are_unhealthy() {
        assert_eq!(run(&serve_once("HTTP/1.1 503 Service Unavailable\r\n\r\n")), 1);
        assert!(check(&serve_once("garbage\r\n")).is_err());
        let free = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        assert!(check(&format!("http://{free}/")).is_err());
        assert!(check("https://example.invalid/").is_err());
    }

    #[test]
    fn the_default_url_follows_the_listen_address() {
        assert_eq!(url_for_addr("0.0.0.0:8080"), "http://127.0.0.1:8080/_sandbox/health");
        assert_eq!(url_for_addr("[::]:9000"), "http://[::1]:9000/_sandbox/health");
        assert_eq!(
            url_for_addr("localhost:18080"),
            "http://localhost:18080/_sandbox/health"
        );
    }
}
