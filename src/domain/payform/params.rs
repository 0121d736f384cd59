//! `?params=` of the payment page: LZString (`compressToEncodedURIComponent`) of the payment
//! object flattened by the bank script's `encodeParams`: `key=encodeURIComponent(value)` joined
//! with `&`, where a nested object (notably `auth`, the whole token response) is itself
//! flattened first, so it arrives as an encoded query string inside a value (spec §7.1).

/// Longest `params` value accepted (characters), far above any real payment object.
pub const MAX_PARAMS_LEN: usize = 64 * 1024;

/// Why `params` could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamsError {
    /// No `params` in the page URL.
    #[error("the page was opened without ?params= (open it with halyk.pay() from /payform/payment-api.js)")]
    Missing,
    /// Longer than [`MAX_PARAMS_LEN`].
    #[error("params is too long")]
    TooLong,
    /// Not LZString `compressToEncodedURIComponent` output.
    #[error("params is not a compressed payment object (LZString compressToEncodedURIComponent)")]
    NotCompressed,
    /// No `auth` object (the token response) in the payment object.
    #[error("the payment object has no auth (set paymentObject.auth to the token response)")]
    MissingAuth,
    /// `auth` has no `access_token`.
    #[error("auth has no access_token")]
    MissingAccessToken,
    /// A field of the payment object is longer than its bound.
    #[error(transparent)]
    FieldTooLong(#[from] crate::domain::validation::FieldTooLong),
}

/// The payment object (spec §7.2), every value as the text the script sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaymentObject {
    /// All top-level fields in order, `auth` included (as its flattened text).
    pub fields: Vec<(String, String)>,
    /// The fields of the nested `auth` (the token response).
    pub auth: Vec<(String, String)>,
}

impl PaymentObject {
    /// The first non-empty value of any of `names`, trimmed.
    pub fn get(&self, names: &[&str]) -> Option<&str> {
        lookup(&self.fields, names)
    }

    /// Like [`PaymentObject::get`], or "".
    pub fn text(&self, names: &[&str]) -> String {
        self.get(names).unwrap_or("").to_string()
    }

    /// A boolean field (`true`, `1`, `on`, case-insensitive).
    pub fn flag(&self, name: &str) -> bool {
        self.get(&[name])
            .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "1" | "on" | "yes"))
    }

    /// The bearer token of `auth`.
    pub fn access_token(&self) -> Option<&str> {
        lookup(&self.auth, &["access_token", "accessToken"])
    }
}

fn lookup<'a>(pairs: &'a [(String, String)], names: &[&str]) -> Option<&'a str> {
    names.iter().find_map(|name| {
        pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .find(|v| !v.is_empty())
    })
}

/// Reads `params`: decompresses, splits the query string, then splits `auth` again. `auth`
/// may also be the bare access token (a value without `=`).
pub fn decode_params(params: &str) -> Result<PaymentObject, ParamsError> {
    let params = params.trim();
    if params.is_empty() {
        return Err(ParamsError::Missing);
    }
    if params.len() > MAX_PARAMS_LEN {
        return Err(ParamsError::TooLong);
    }
    let wide = lz_str::decompress_from_encoded_uri_component(params).ok_or(ParamsError::NotCompressed)?;
    if wide.len() > MAX_PARAMS_LEN {
        return Err(ParamsError::TooLong);
    }
    let text = String::from_utf16_lossy(&wide);
    if text.is_empty() {
        return Err(ParamsError::NotCompressed);
    }
    let fields = parse_query(&text);
    let auth_text = lookup(&fields, &["auth"]).ok_or(ParamsError::MissingAuth)?;
    let auth = if auth_text.contains('=') {
        parse_query(auth_text)
    } else {
        vec![("access_token".to_string(), auth_text.to_string())]
    };
    for (name, value) in fields.iter().chain(&auth) {
        crate::domain::validation::check_field_length(name, value)?;
    }
    let object = PaymentObject { fields, auth };
    object.access_token().ok_or(ParamsError::MissingAccessToken)?;
    Ok(object)
}

/// Splits `a=1&b=2` into pairs, percent-decoding values as `decodeURIComponent` does (`+` is
/// a plus sign, not a space). Never fails: broken escapes are kept as typed.
pub fn parse_query(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            (percent_decode(key), percent_decode(value))
        })
        .collect()
}

/// `decodeURIComponent`, leniently: a `%` not followed by two hex digits stays as it is, and
/// invalid UTF-8 becomes U+FFFD.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `encodeURIComponent`: everything but `A-Z a-z 0-9 - _ . ! ~ * ' ( )` percent-encoded as UTF-8.
pub fn encode_uri_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// What the bank script sends for a payment object with these top-level `fields` and this
/// `auth` (the token response): the Rust twin of `encodeParams` + `compressToEncodedURIComponent`,
/// for tests and tools.
pub fn encode_params(fields: &[(&str, &str)], auth: &[(&str, &str)]) -> String {
    let flatten = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| format!("{}={}", encode_uri_component(k), encode_uri_component(v)))
            .collect::<Vec<_>>()
            .join("&")
    };
    let mut all: Vec<(&str, String)> = fields.iter().map(|(k, v)| (*k, v.to_string())).collect();
    all.push(("auth", flatten(auth)));
    let text = all
        .iter()
        .map(|(k, v)| format!("{}={}", encode_uri_component(k), encode_uri_component(v)))
        .collect::<Vec<_>>()
        .join("&");
    lz_str::compress_to_encoded_uri_component(text.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const AUTH: &[(&str, &str)] = &[
        ("access_token", "DCEB8O_ZM5U7SO_T_U5EJQ"),
        ("expires_in", "7200"),
        ("refresh_token", ""),
        ("scope", "payment"),
        ("token_type", "Bearer"),
    ];

    #[test]
    fn decodes_the_seed_payment_object() {
        let data = "{\"statement\":{\"name\":\"Arman      Ali\",\"invoiceID\":\"80000016\"}}";
        let params = encode_params(
            &[
                ("invoiceId", "000000001"),
                ("backLink", "https://example.kz/success.html?a=1&b=2"),
                ("description", "Оплата в интернет магазине"),
                ("amount", "100"),
                ("data", data),
                ("email", "a+b@example.com"),
            ],
            AUTH,
        );
        let object = decode_params(&params).expect("decodes");
        assert_eq!(object.get(&["invoiceId"]), Some("000000001"));
        assert_eq!(
            object.get(&["backLink"]),
            Some("https://example.kz/success.html?a=1&b=2")
        );
        assert_eq!(object.get(&["description"]), Some("Оплата в интернет магазине"));
        assert_eq!(object.get(&["data"]), Some(data));
        assert_eq!(object.get(&["email"]), Some("a+b@example.com"));
        assert_eq!(object.access_token(), Some("DCEB8O_ZM5U7SO_T_U5EJQ"));
        assert_eq!(lookup(&object.auth, &["scope"]), Some("payment"));
    }

    #[test]
    fn a_value_compressed_by_the_javascript_library_decodes() {
        let js = lz_str::compress_to_encoded_uri_component("invoiceId=123456&auth=access_token%3DTOK");
        let object = decode_params(&js).expect("decodes");
        assert_eq!(object.access_token(), Some("TOK"));
    }

    /// What `static/payment-api.js` produced (under node) for
    /// `halyk.pay({invoiceId: '000000001', description: 'Оплата в интернет магазине ' + 'ab'.repeat(50),
    /// amount: 100, auth: {access_token: 'TOK', expires_in: 7200}})`.
    const FROM_OUR_SCRIPT: &str = "JYOwbg9sDGCmCSATAvABnR9BGAZI2AztAE7AAOALsBCMgKQAiqdAnAKKPMBCAYp3Vy78uzBljoAOAEzDmU0dxnzhE4Q0bjpwgKwbJCgeqYDdYyUoNcAwrOEBmW8a4B2FWp115AQwBGv-36BAcFBoSHhYZER0VGxMTheALYQAK4gFMhY6AkpFAAWyF7QcAQEAPoUEADWsCB0dgwAKgDyANKeAGywAB5kwMSEZaD1DM7yqEA";

    #[test]
    fn our_script_compresses_exactly_like_lz_string() {
        let object = decode_params(FROM_OUR_SCRIPT).expect("decodes");
        let description = format!("Оплата в интернет магазине {}", "ab".repeat(50));
        assert_eq!(object.get(&["description"]), Some(description.as_str()));
        assert_eq!(object.get(&["amount"]), Some("100"));
        assert_eq!(object.access_token(), Some("TOK"));
        let text = format!(
            "invoiceId=000000001&description={}&amount=100&auth={}",
            encode_uri_component(&description),
            encode_uri_component("access_token=TOK&expires_in=7200")
        );
        assert_eq!(
            lz_str::compress_to_encoded_uri_component(text.as_str()),
            FROM_OUR_SCRIPT
        );
    }

    #[test]
    fn bare_auth_is_the_token() {
        let params = lz_str::compress_to_encoded_uri_component("auth=TOKEN1&amount=5");
        assert_eq!(decode_params(&params).expect("decodes").access_token(), Some("TOKEN1"));
    }

    #[test]
    fn refusals() {
        assert_eq!(decode_params(""), Err(ParamsError::Missing));
        assert_eq!(decode_params("@@@"), Err(ParamsError::NotCompressed));
        let no_auth = lz_str::compress_to_encoded_uri_component("amount=5");
        assert_eq!(decode_params(&no_auth), Err(ParamsError::MissingAuth));
        let empty_token = encode_params(&[("amount", "5")], &[("access_token", "")]);
        assert_eq!(decode_params(&empty_token), Err(ParamsError::MissingAccessToken));
        assert_eq!(
            decode_params(&"A".repeat(MAX_PARAMS_LEN + 1)),
            Err(ParamsError::TooLong)
        );
    }

    #[test]
    fn percent_decoding_is_lenient() {
        assert_eq!(percent_decode("a%20b+c"), "a b+c");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%D0%9E"), "О");
        assert_eq!(percent_decode("%FF"), "\u{FFFD}");
    }

    proptest! {
        #[test]
        fn never_panics_on_any_params(input in ".{0,300}") {
            let _ = decode_params(&input);
        }

        #[test]
        fn never_panics_on_uri_alphabet(input in "[A-Za-z0-9+$-]{0,400}") {
            let _ = decode_params(&input);
        }

        #[test]
        fn never_panics_on_any_decompressed_text(text in ".{0,200}") {
            let params = lz_str::compress_to_encoded_uri_component(text.as_str());
            let _ = decode_params(&params);
        }

        #[test]
        fn round_trips(
            fields in proptest::collection::vec(("[a-zA-Z][a-zA-Z0-9]{0,10}", ".{0,40}"), 0..8),
            token in "[A-Za-z0-9_]{1,30}",
            scope in ".{0,20}",
        ) {
            let fields: Vec<(String, String)> = fields.into_iter().filter(|(k, _)| k != "auth").collect();
            let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let params = encode_params(&borrowed, &[("access_token", &token), ("scope", &scope)]);
            let object = decode_params(&params).expect("own encoding decodes");
            prop_assert_eq!(object.access_token(), Some(token.as_str()));
            let decoded: Vec<(String, String)> = object.fields.iter().filter(|(k, _)| k != "auth").cloned().collect();
            prop_assert_eq!(decoded, fields);
            prop_assert_eq!(lookup(&object.auth, &["scope"]), Some(scope.trim()).filter(|s| !s.is_empty()));
        }
    }
}
