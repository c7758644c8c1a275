//! Scalar resolution, as kustomize ends up carrying a value: go-yaml v3 decodes the node into
//! `interface{}`, `encoding/json` marshals it, and sigs.k8s.io/yaml (go-yaml v2) reads that JSON back.
//!
//! So: YAML 1.2 booleans and nulls, go-yaml's integer forms (`0x`, `0o`, `0b`, legacy `0755` octal,
//! `_` separators), go-yaml's four timestamp layouts turned into RFC 3339 strings, explicit tags
//! checked the way go-yaml checks them, and floats that JSON prints as an integer turned into one.

use base64::Engine;

use super::node::Value;

/// Resolves a scalar with its style (`quoted` = any non-plain style) and tag, or says why go-yaml
/// refuses it.
pub fn resolve_scalar(text: &str, quoted: bool, tag: Option<&str>) -> Result<Value, String> {
    let Some(tag) = tag else {
        return Ok(if quoted {
            Value::Str(text.to_string())
        } else {
            resolve_plain(text)
        });
    };
    let short = short_tag(tag);
    match short.as_deref() {
        Some("!!str") => Ok(Value::Str(text.to_string())),
        Some("!!binary") => decode_binary(text),
        // explicit standard tags resolve the text as if it were plain, then must agree
        Some(t @ ("!!bool" | "!!int" | "!!float" | "!!null" | "!!timestamp")) => {
            let v = resolve_plain(text);
            let (got, ok) = match (&v, t) {
                (Value::Null, "!!null") => ("!!null", true),
                (Value::Bool(_), "!!bool") => ("!!bool", true),
                (Value::Int(_) | Value::Float(_), "!!int") => {
                    let plain: String = text.chars().filter(|c| *c != '_').collect();
                    let int = !plain.is_empty() && go_parse_int(&plain).is_some();
                    (if int { "!!int" } else { "!!float" }, int)
                }
                (Value::Int(_), "!!float") => ("!!int", true),
                (Value::Float(_), "!!float") => ("!!float", true),
                (Value::Str(_), "!!timestamp") => ("!!timestamp", parse_timestamp(text).is_some()),
                (Value::Null, _) => ("!!null", false),
                (Value::Bool(_), _) => ("!!bool", false),
                (Value::Int(_), _) => ("!!int", false),
                (Value::Float(_), _) => ("!!float", false),
                (Value::Str(_), _) => (
                    if parse_timestamp(text).is_some() {
                        "!!timestamp"
                    } else {
                        "!!str"
                    },
                    false,
                ),
                _ => ("!!str", false),
            };
            if ok {
                Ok(v)
            } else {
                Err(format!("cannot decode {got} `{text}` as a {t}"))
            }
        }
        // a non-standard tag (`!foo`, `!`) leaves the text a string
        _ => Ok(Value::Str(text.to_string())),
    }
}

/// `!!int`, `tag:yaml.org,2002:int` and `!<tag:yaml.org,2002:int>` all name the same tag.
fn short_tag(tag: &str) -> Option<String> {
    let t = tag.trim_start_matches("!<").trim_end_matches('>');
    if let Some(rest) = t.strip_prefix("tag:yaml.org,2002:") {
        return Some(format!("!!{rest}"));
    }
    if t.starts_with("!!") {
        return Some(t.to_string());
    }
    None
}

/// `!!binary`: base64 (line breaks ignored), decoded into a string as Go's JSON encoder would carry
/// it — every byte that is not valid UTF-8 becomes U+FFFD.
fn decode_binary(text: &str) -> Result<Value, String> {
    let clean: String = text.chars().filter(|c| *c != '\n' && *c != '\r').collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(clean.as_bytes())
        .map_err(|_| "!!binary value contains invalid base64 data".to_string())?;
    let mut out = String::with_capacity(bytes.len());
    let mut rest = &bytes[..];
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.push_str(s);
                break;
            }
            Err(e) => {
                let good = e.valid_up_to();
                out.push_str(std::str::from_utf8(&rest[..good]).unwrap_or_default());
                out.push('\u{fffd}');
                rest = &rest[good + 1..];
            }
        }
    }
    Ok(Value::Str(out))
}

fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// Resolution of a plain scalar.
pub fn resolve_plain(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    if let Some(b) = parse_bool(s) {
        return Value::Bool(b);
    }
    match s.as_bytes()[0] {
        b'.' => match s.parse::<f64>() {
            Ok(f) if !s.contains(['i', 'I', 'n', 'N']) => normalize_float(f),
            _ => Value::Str(s.to_string()),
        },
        b'0'..=b'9' | b'+' | b'-' => {
            if let Some(t) = parse_timestamp(s) {
                return Value::Str(t);
            }
            parse_number(s).unwrap_or_else(|| Value::Str(s.to_string()))
        }
        _ => Value::Str(s.to_string()),
    }
}

/// An integer or float the way go-yaml v3 reads it (after a leading digit or sign).
fn parse_number(s: &str) -> Option<Value> {
    let plain: String = s.chars().filter(|c| *c != '_').collect();
    if plain.is_empty() {
        return None;
    }
    if let Some(v) = go_parse_int(&plain) {
        return Some(v);
    }
    if is_yaml_float(&plain) {
        let f: f64 = plain.parse().ok()?;
        return Some(normalize_float(f));
    }
    None
}

/// A float comes back from JSON as an integer when Go prints it as one that fits in an int64.
pub fn normalize_float(f: f64) -> Value {
    if f.is_finite()
        && f.fract() == 0.0
        && f.abs() < 1e21
        && let Ok(i) = go_json_float(f).parse::<i64>()
    {
        return Value::Int(i);
    }
    Value::Float(f)
}

/// `strconv.ParseInt(s, 0, 64)`, then `ParseUint` (a uint64 is carried as a float: JSON readers
/// here have no wider integer), for go-yaml's prefixes and legacy octal.
fn go_parse_int(s: &str) -> Option<Value> {
    let (neg, body) = match s.as_bytes()[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if body.is_empty() {
        return None;
    }
    let (radix, digits) = if let Some(r) = body.strip_prefix("0x").or(body.strip_prefix("0X")) {
        (16, r)
    } else if let Some(r) = body.strip_prefix("0o").or(body.strip_prefix("0O")) {
        (8, r)
    } else if let Some(r) = body.strip_prefix("0b").or(body.strip_prefix("0B")) {
        (2, r)
    } else if body.len() > 1 && body.starts_with('0') {
        (8, &body[1..])
    } else {
        (10, body)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let v = u128::from_str_radix(digits, radix).ok()?;
    if neg {
        if v <= i64::MAX as u128 + 1 {
            return Some(Value::Int((-(v as i128)) as i64));
        }
        return None;
    }
    if v <= i64::MAX as u128 {
        return Some(Value::Int(v as i64));
    }
    if v <= u64::MAX as u128 {
        return Some(Value::Float(v as f64));
    }
    None
}

/// go-yaml's `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let s = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - s
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Go's `encoding/json` text of a float: shortest digits, plain notation for 1e-6 ≤ |f| < 1e21.
pub fn go_json_float(f: f64) -> String {
    let a = f.abs();
    if a != 0.0 && !(1e-6..1e21).contains(&a) {
        // Rust: 1e-7, 1.5e21; Go: 1e-07, 1.5e+21
        let s = format!("{f:e}");
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        let (sign, digits) = match e.strip_prefix('-') {
            Some(d) => ("-", d),
            None => ("+", e),
        };
        format!("{m}e{sign}{digits:0>2}")
    } else {
        format!("{f}")
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)`, as go-yaml v2 prints a float.
pub fn go_g_float(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.into();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.into();
    }
    let s = format!("{f:e}");
    let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = e.parse().unwrap_or(0);
    // with shortest digits Go switches to %e below 1e-4 and from 1e6 up
    if !(-4..6).contains(&exp) {
        let (sign, digits) = if exp < 0 {
            ("-", (-exp).to_string())
        } else {
            ("+", exp.to_string())
        };
        return format!("{m}e{sign}{digits:0>2}");
    }
    format!("{f}")
}

/// Days in a month of the proleptic Gregorian calendar.
fn days_in(year: u32, month: u32) -> u32 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn num(s: &str, min_len: usize, max_len: usize) -> Option<u32> {
    if s.len() < min_len || s.len() > max_len || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// go-yaml's timestamps — Go `time.Parse` with `2006-1-2T15:4:5.999999999Z07:00` (also lower-case
/// `t`), `2006-1-2 15:4:5.999999999` and `2006-1-2` — printed as JSON prints a `time.Time`.
pub fn parse_timestamp(s: &str) -> Option<String> {
    let b = s.as_bytes();
    if b.len() < 8 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return None;
    }
    let date_end = s.find(['T', 't', ' ']).unwrap_or(s.len());
    let mut parts = s[..date_end].split('-');
    let y = num(parts.next()?, 4, 4)?;
    let m = num(parts.next()?, 1, 2)?;
    let d = num(parts.next()?, 1, 2)?;
    if parts.next().is_some() || !(1..=12).contains(&m) || d < 1 || d > days_in(y, m) {
        return None;
    }
    if date_end == s.len() {
        return Some(format!("{y:04}-{m:02}-{d:02}T00:00:00Z"));
    }
    let spaced = b[date_end] == b' ';
    // Go skips a run of spaces where the layout has one
    let time = if spaced {
        s[date_end..].trim_start_matches(' ')
    } else {
        &s[date_end + 1..]
    };
    let mut it = time.splitn(3, ':');
    let h = num(it.next()?, 1, 2)?;
    let mi = num(it.next()?, 1, 2)?;
    let rest = it.next()?;
    let sec_len = rest.bytes().take_while(u8::is_ascii_digit).count();
    let sec = num(&rest[..sec_len], 1, 2)?;
    if h > 23 || mi > 59 || sec > 59 {
        return None;
    }
    let mut rest = &rest[sec_len..];
    let mut frac = String::new();
    if rest.len() >= 2 && (rest.starts_with('.') || rest.starts_with(',')) {
        let n = rest[1..].bytes().take_while(u8::is_ascii_digit).count();
        if n > 0 {
            let digits = rest[1..1 + n.min(9)].trim_end_matches('0');
            if !digits.is_empty() {
                frac = format!(".{digits}");
            }
            rest = &rest[1 + n..];
        }
    }
    let zone = if spaced {
        if !rest.is_empty() {
            return None;
        }
        "Z".to_string()
    } else if rest == "Z" {
        "Z".to_string()
    } else {
        let rb = rest.as_bytes();
        if rb.len() != 6 || !(rb[0] == b'+' || rb[0] == b'-') || rb[3] != b':' {
            return None;
        }
        let zh = num(&rest[1..3], 2, 2)?;
        let zm = num(&rest[4..6], 2, 2)?;
        if zh > 24 || zm > 60 {
            return None;
        }
        if zh == 0 && zm == 0 {
            "Z".to_string()
        } else {
            rest.to_string()
        }
    };
    Some(format!(
        "{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{sec:02}{frac}{zone}"
    ))
}

/// A plain mapping key that go-yaml would not call a string (JSON cannot carry it).
pub fn is_non_string_key(text: &str) -> bool {
    match resolve_plain(text) {
        Value::Str(s) => s != text,
        _ => true,
    }
}

/// The YAML 1.1 boolean a plain scalar spells beyond YAML 1.2's true/false (`yes`, `on`, `y`, …).
/// kustomize reads kustomizations and JSON patch documents with YAML 1.1 rules.
pub fn yaml11_bool(word: &str) -> Option<bool> {
    match word {
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Some(true),
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}
