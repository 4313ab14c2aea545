//! Paths inside an image: an instruction's path made absolute against the
//! working directory in effect, with `.` and `..` resolved.

/// `path` resolved against the directory `dir` (ignored when `path` is
/// absolute), cleaned: no `.` parts, `..` resolved (never above `/`), no
/// empty parts, no trailing `/`.
pub fn absolute(dir: &str, path: &str) -> String {
    let joined = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{dir}/{path}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::absolute;

    #[test]
    fn paths_are_resolved_and_cleaned() {
        assert_eq!(absolute("/app", "dist"), "/app/dist");
        assert_eq!(absolute("/app/", "./dist/"), "/app/dist");
        assert_eq!(absolute("/app", "/srv//x/."), "/srv/x");
        assert_eq!(absolute("/app/a", "../b"), "/app/b");
        assert_eq!(absolute("/", "../../x"), "/x");
        assert_eq!(absolute("/app", "."), "/app");
    }
}
