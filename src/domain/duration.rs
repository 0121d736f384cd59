//! Durations as the control plane accepts them: ISO-8601 (`PT1H30M`, `P7D`, `P1DT2H`) or the
//! short form (`90s`, `15m`, `2h`, `7d`, `1h30m`), optionally negative (`-PT1H`, `-2h`).

use chrono::Duration;

/// Why a duration could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot read duration '{0}': use ISO-8601 (PT1H30M, P7D) or a short form (90s, 15m, 2h, 7d, 1h30m)")]
pub struct DurationError(pub String);

/// Longest duration accepted (100 years), so arithmetic on instants can never overflow.
pub const MAX_SECONDS: i64 = 100 * 366 * 24 * 3600;

/// Parses a duration in either accepted form.
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let error = || DurationError(text.to_string());
    let trimmed = text.trim();
    let (negative, body) = match trimmed.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, trimmed.strip_prefix('+').unwrap_or(trimmed)),
    };
    let seconds = if body.starts_with(['P', 'p']) {
        iso_seconds(&body[1..]).ok_or_else(error)?
    } else {
        units_seconds(body, "dhms").ok_or_else(error)?
    };
    if seconds > MAX_SECONDS {
        return Err(error());
    }
    Ok(Duration::seconds(if negative { -seconds } else { seconds }))
}

/// Checks a plain number of seconds against [`MAX_SECONDS`].
pub fn seconds(value: i64) -> Result<Duration, DurationError> {
    if value.unsigned_abs() > MAX_SECONDS as u64 {
        return Err(DurationError(value.to_string()));
    }
    Ok(Duration::seconds(value))
}

/// `7DT1H30M` (after the `P`): days before `T`, hours/minutes/seconds after.
fn iso_seconds(body: &str) -> Option<i64> {
    let (date, time) = match body.split_once(['T', 't']) {
        Some((d, t)) if !t.is_empty() => (d, Some(t)),
        Some(_) => return None,
        None => (body, None),
    };
    let days = if date.is_empty() { 0 } else { units_seconds(date, "wd")? };
    let rest = match time {
        Some(t) => units_seconds(t, "hms")?,
        None if date.is_empty() => return None,
        None => 0,
    };
    days.checked_add(rest)
}

/// A sequence of `<digits><unit>` with units from `allowed` (w, d, h, m, s; case-insensitive).
fn units_seconds(text: &str, allowed: &str) -> Option<i64> {
    if text.is_empty() {
        return None;
    }
    let mut total: i64 = 0;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let value: i64 = number.parse().ok()?;
        number.clear();
        let c = c.to_ascii_lowercase();
        if !allowed.contains(c) {
            return None;
        }
        let unit = match c {
            'w' => 7 * 86_400,
            'd' => 86_400,
            'h' => 3_600,
            'm' => 60,
            's' => 1,
            _ => return None,
        };
        total = total.checked_add(value.checked_mul(unit)?)?;
    }
    if !number.is_empty() {
        return None;
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn both_forms_are_read() {
        let s = |t: &str| parse_duration(t).map(|d| d.num_seconds());
        assert_eq!(s("PT1H"), Ok(3600));
        assert_eq!(s("P7D"), Ok(7 * 86_400));
        assert_eq!(s("P1DT2H3M4S"), Ok(86_400 + 7_384));
        assert_eq!(s("P1W"), Ok(7 * 86_400));
        assert_eq!(s("90s"), Ok(90));
        assert_eq!(s("2h"), Ok(7_200));
        assert_eq!(s("1h30m"), Ok(5_400));
        assert_eq!(s("7d"), Ok(7 * 86_400));
        assert_eq!(s("-PT30M"), Ok(-1_800));
        assert_eq!(s("-2h"), Ok(-7_200));
    }

    #[test]
    fn nonsense_is_refused() {
        for bad in [
            "",
            "P",
            "PT",
            "1",
            "h",
            "1x",
            "PT1D",
            "P1H",
            "1.5h",
            "--1h",
            "99999999999999999999s",
            "5000000d",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad} should be refused");
        }
    }

    proptest! {
        #[test]
        fn short_and_iso_forms_agree(d in 0i64..400, h in 0i64..48, m in 0i64..120, s in 0i64..120) {
            let short = format!("{d}d{h}h{m}m{s}s");
            let iso = format!("P{d}DT{h}H{m}M{s}S");
            let expected = d * 86_400 + h * 3_600 + m * 60 + s;
            prop_assert_eq!(parse_duration(&short).map(|x| x.num_seconds()), Ok(expected));
            prop_assert_eq!(parse_duration(&iso).map(|x| x.num_seconds()), Ok(expected));
        }

        #[test]
        fn never_panics(text in ".{0,24}") {
            let _ = parse_duration(&text);
        }
    }
}
