//! Just enough HTML reading for the probe to walk a 3-D Secure ACS page: the first form's
//! `action` and the values of named inputs. Not a parser: it reads the sandbox ACS's markup and
//! anything shaped like it, and says "not found" otherwise.

/// The `action` of the first `<form>`, unescaped.
pub fn form_action(html: &str) -> Option<String> {
    let start = html.find("<form")?;
    let tag_end = html[start..].find('>')? + start;
    attribute(&html[start..tag_end], "action")
}

/// The `value` of the first `<input>` whose `name` is `name`, unescaped.
pub fn input_value(html: &str, name: &str) -> Option<String> {
    let mut rest = html;
    while let Some(start) = rest.find("<input") {
        let tag_end = rest[start..].find('>').map(|e| e + start)?;
        let tag = &rest[start..tag_end];
        if attribute(tag, "name").as_deref() == Some(name) {
            return attribute(tag, "value");
        }
        rest = &rest[tag_end..];
    }
    None
}

/// The double-quoted attribute `name` of a tag.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let end = tag[start..].find('"')? + start;
    Some(unescape(&tag[start..end]))
}

/// Undoes the escaping of HTML attribute values.
fn unescape(text: &str) -> String {
    [
        ("&quot;", "\""),
        ("&#34;", "\""),
        ("&#39;", "'"),
        ("&#x27;", "'"),
        ("&#x2F;", "/"),
        ("&#47;", "/"),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&amp;", "&"),
    ]
    .iter()
    .fold(text.to_string(), |acc, (from, to)| acc.replace(from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_acs_forms() {
        let page = r#"<body><form method="post" action="/acs/submit?x=1&amp;y=2">
            <input type="hidden" name="MD" value="m&#x2F;d">
            <input type="hidden" name="PaRes" value="a+b=="></form>"#;
        assert_eq!(form_action(page).as_deref(), Some("/acs/submit?x=1&y=2"));
        assert_eq!(input_value(page, "MD").as_deref(), Some("m/d"));
        assert_eq!(input_value(page, "PaRes").as_deref(), Some("a+b=="));
        assert_eq!(input_value(page, "code"), None);
        assert_eq!(form_action("<p>no form</p>"), None);
    }
}
