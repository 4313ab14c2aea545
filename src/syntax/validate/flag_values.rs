//! Flag values as BuildKit's libraries read them: Go's 32-bit `ParseInt`,
//! `--chmod` (octal or symbolic, BSD `setmode`), go-digest's checksums and
//! the frontend a `# syntax=` directive names. (`FROM --platform` is
//! checked with the stages, where its ARGs are expanded.)

/// Go's `strconv.ParseInt(text, 10, 32)`: the number or the reason.
pub(super) fn parse_int32(text: &str) -> Result<i64, &'static str> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("invalid syntax");
    }
    match text.parse::<i64>() {
        Ok(n) if i32::try_from(n).is_ok() => Ok(n),
        _ => Err("value out of range"),
    }
}

/// `--chmod`: an octal mode up to 07777, or a symbolic one (`u+x,go-w`).
pub(super) fn chmod(text: &str) -> Result<(), String> {
    let non_octal = || {
        format!(
            "invalid chmod parameter: '{text}'. it should be octal string and between 0 and 07777"
        )
    };
    if text.starts_with(|c: char| c.is_ascii_digit()) {
        // Numeric: octal digits only, at most 07777.
        let octal = text.bytes().all(|b| (b'0'..=b'7').contains(&b));
        return match u32::from_str_radix(text, 8) {
            Ok(mode) if octal && mode <= 0o7777 => Ok(()),
            _ => Err(non_octal()),
        };
    }
    if symbolic_mode(text) {
        Ok(())
    } else {
        Err(
            "invalid syntax (--chmod takes an octal mode or a symbolic one such as u+x,go-w)"
                .into(),
        )
    }
}

/// A symbolic mode: clauses `[ugoa]*([+-=][rwxXstugo]*)+` joined by commas.
fn symbolic_mode(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    loop {
        while i < bytes.len() && b"augo".contains(&bytes[i]) {
            i += 1;
        }
        loop {
            if i >= bytes.len() || !b"+-=".contains(&bytes[i]) {
                return false;
            }
            i += 1;
            while i < bytes.len() && b"rstwXxugo".contains(&bytes[i]) {
                i += 1;
            }
            if i == bytes.len() {
                return true;
            }
            if bytes[i] == b',' {
                i += 1;
                break;
            }
        }
    }
}

/// Whether a `# syntax=` value names a stable release of Docker's own
/// frontend (`docker/dockerfile`, `docker/dockerfile:1.7`), which has no
/// labs features.
pub(super) fn stable_dockerfile_frontend(value: &str) -> bool {
    let name = value.strip_prefix("docker.io/").unwrap_or(value);
    let (repo, tag) = match name.split_once(':') {
        Some((repo, tag)) => (repo, tag),
        None => (name, ""),
    };
    repo == "docker/dockerfile"
        && !tag.contains("labs")
        && !tag.contains('@')
        && !repo.contains('@')
        && tag.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

/// go-digest's `Validate`, as BuildKit reports it for an HTTP source's
/// `--checksum`.
pub(super) fn digest(text: &str) -> Result<(), &'static str> {
    const FORMAT: &str = "invalid checksum digest format";
    let Some(i) = text.find(':') else {
        return Err(FORMAT);
    };
    if i == 0 || i + 1 == text.len() {
        return Err(FORMAT);
    }
    let (algorithm, encoded) = (&text[..i], &text[i + 1..]);
    let size = match algorithm {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => {
            return Err(if digest_shape(text) {
                "unsupported digest algorithm"
            } else {
                FORMAT
            })
        }
    };
    if encoded.len() != size {
        return Err("invalid checksum digest length");
    }
    if !encoded
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(FORMAT);
    }
    Ok(())
}

/// `[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+`, anchored.
fn digest_shape(text: &str) -> bool {
    let Some((algorithm, encoded)) = text.split_once(':') else {
        return false;
    };
    let lower = |p: &str| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    };
    let algorithm_ok = algorithm.split(['.', '+', '_', '-']).all(lower);
    let encoded_ok = !encoded.is_empty()
        && encoded
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"=_-".contains(&b));
    algorithm_ok && encoded_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbolic_modes() {
        for good in [
            "u+x",
            "u+x,g-w",
            "+x",
            "a=rwx",
            "u=rwx,go=rx",
            "u+x-w",
            "--x",
            "g=u",
            "=",
            "u+s,o+t",
        ] {
            assert!(chmod(good).is_ok(), "{good}");
        }
        for bad in ["abc", "u+q", "ux", "u", "u+x,", "u+x,,g+x", "-1"] {
            assert!(
                chmod(bad).unwrap_err().starts_with("invalid syntax"),
                "{bad}"
            );
        }
        for bad in ["8", "7a", "0x7", "10000"] {
            assert!(
                chmod(bad)
                    .unwrap_err()
                    .starts_with("invalid chmod parameter"),
                "{bad}"
            );
        }
        assert!(chmod("0755").is_ok());
    }

    #[test]
    fn int32() {
        assert_eq!(parse_int32("+3"), Ok(3));
        assert_eq!(parse_int32("2147483648"), Err("value out of range"));
        assert_eq!(parse_int32("0x3"), Err("invalid syntax"));
    }

    #[test]
    fn digests() {
        let hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert!(digest(&format!("sha256:{hex}")).is_ok());
        assert_eq!(digest("sha256:abc"), Err("invalid checksum digest length"));
        assert_eq!(digest("abc"), Err("invalid checksum digest format"));
        assert_eq!(
            digest("md5:d41d8cd98f00b204e9800998ecf8427e"),
            Err("unsupported digest algorithm")
        );
        assert_eq!(
            digest(&format!("sha256:{}", hex.to_ascii_uppercase())),
            Err("invalid checksum digest format")
        );
    }
}
