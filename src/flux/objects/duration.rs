//! Go durations (`30s`, `1m`, `1m30s`, `1.5h`, `300ms`), the format of every Flux `interval`.

/// Seconds in a Go duration; `None` when the text is not one. A sign is refused: Flux intervals are
/// never negative.
pub fn parse_duration(text: &str) -> Option<f64> {
    let s = text.trim();
    if s == "0" {
        return Some(0.0);
    }
    if s.is_empty() {
        return None;
    }
    let mut rest = s;
    let mut total = 0.0;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let num = &rest[..num_len];
        if num.is_empty() || num == "." || num.matches('.').count() > 1 {
            return None;
        }
        let value: f64 = if let Some(stripped) = num.strip_suffix('.') {
            stripped.parse().ok()?
        } else if num.starts_with('.') {
            format!("0{num}").parse().ok()?
        } else {
            num.parse().ok()?
        };
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        total += value * scale;
        rest = &rest[unit_len..];
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::parse_duration;

    #[test]
    fn go_durations() {
        assert_eq!(parse_duration("30s"), Some(30.0));
        assert_eq!(parse_duration("1m"), Some(60.0));
        assert_eq!(parse_duration("1m30s"), Some(90.0));
        assert_eq!(parse_duration("1h"), Some(3600.0));
        assert_eq!(parse_duration("1.5m"), Some(90.0));
        assert_eq!(parse_duration("500ms"), Some(0.5));
        assert_eq!(parse_duration("0"), Some(0.0));
        assert_eq!(parse_duration(".5m"), Some(30.0));
        for bad in [
            "", "1", "1 minute", "m", "-1m", "1d", "1m 30s", "1..5s", "60sec",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }
}
