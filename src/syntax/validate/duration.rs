//! Go's duration syntax, which BuildKit's HEALTHCHECK flags use.

/// Nanoseconds per unit, as Go's `time.ParseDuration` knows them.
fn unit_nanos(unit: &str) -> Option<u128> {
    Some(match unit {
        "ns" => 1,
        "us" | "µs" | "μs" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        _ => return None,
    })
}

/// Go's `time.ParseDuration`, as nanoseconds (negative ones below 0), or
/// its error message: each piece is digits with an optional fraction,
/// then a unit; the total must fit Go's 64-bit duration.
pub(super) fn parse_duration(text: &str) -> Result<f64, String> {
    let invalid = || format!("time: invalid duration \"{text}\"");
    let (negative, mut rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if rest == "0" {
        return Ok(0.0);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let limit: u128 = 1 << 63;
    let mut total: u128 = 0;
    let mut fraction_total = 0.0;
    while !rest.is_empty() {
        if !rest.starts_with(|c: char| c == '.' || c.is_ascii_digit()) {
            return Err(invalid());
        }
        let int_len = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let int_digits = &rest[..int_len];
        rest = &rest[int_len..];
        let mut frac_digits = "";
        if let Some(after) = rest.strip_prefix('.') {
            let frac_len = after
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(after.len());
            frac_digits = &after[..frac_len];
            rest = &after[frac_len..];
        }
        if int_digits.is_empty() && frac_digits.is_empty() {
            return Err(invalid());
        }
        let unit_len = rest
            .find(|c: char| c == '.' || c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        if unit.is_empty() {
            return Err(format!("time: missing unit in duration \"{text}\""));
        }
        let Some(scale) = unit_nanos(unit) else {
            return Err(format!(
                "time: unknown unit \"{unit}\" in duration \"{text}\""
            ));
        };
        let int: u128 = if int_digits.is_empty() {
            0
        } else {
            match int_digits.parse::<u128>() {
                Ok(n) if n < limit => n,
                _ => return Err(invalid()),
            }
        };
        total = match int.checked_mul(scale) {
            Some(v) if v <= limit => total + v,
            _ => return Err(invalid()),
        };
        if !frac_digits.is_empty() {
            let fraction: f64 = format!("0.{frac_digits}").parse().unwrap_or(0.0);
            fraction_total += fraction * scale as f64;
        }
        if total > limit {
            return Err(invalid());
        }
    }
    let nanos = total + fraction_total.floor() as u128;
    let max = if negative { limit } else { limit - 1 };
    if nanos > max {
        return Err(invalid());
    }
    let nanos = nanos as f64;
    Ok(if negative { -nanos } else { nanos })
}

#[cfg(test)]
mod tests {
    use super::parse_duration;

    #[test]
    fn go_durations() {
        for good in [
            ".5s",
            "5.s",
            "1h2m",
            "0",
            "-0",
            "+5s",
            "0s",
            "300000000000000ns",
            "1.5h",
        ] {
            assert!(parse_duration(good).is_ok(), "{good}");
        }
        let cases = [
            ("9999999999h", "time: invalid duration \"9999999999h\""),
            ("1e3s", "time: unknown unit \"e\" in duration \"1e3s\""),
            ("00", "time: missing unit in duration \"00\""),
            ("1.5.5s", "time: missing unit in duration \"1.5.5s\""),
            ("5S", "time: unknown unit \"S\" in duration \"5S\""),
            (".s", "time: invalid duration \".s\""),
            ("abc", "time: invalid duration \"abc\""),
            (
                "2562047h47m16s854775808ns",
                "time: invalid duration \"2562047h47m16s854775808ns\"",
            ),
        ];
        for (text, message) in cases {
            assert_eq!(parse_duration(text), Err(message.to_string()), "{text}");
        }
        assert_eq!(parse_duration("1.5s"), Ok(1.5e9));
    }
}
