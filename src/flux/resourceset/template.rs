//! The part of Go `text/template` (with the Flux Operator's `<<` `>>` delimiters and slim-sprig
//! functions) that ResourceSet templates use to fill in values: `<< inputs.tenant >>`,
//! `<< inputs.app.version | quote >>`, `<< inputs.replicas | int >>`,
//! `<< get inputs "name" | default inputs.namespace >>`, `<< dig "key" "fallback" inputs >>`.
//!
//! Anything else (control structures, variables, sub-pipelines, other functions) is
//! [`Fail::Unsupported`]: the caller says the ResourceSet is not checked, it never guesses.
//! Inputs are JSON values, as the operator reads them (`json.Unmarshal`: every number a float64).

use serde_json::Value;

/// Why a template was not rendered.
#[derive(Clone, Debug, PartialEq)]
pub enum Fail {
    /// Syntax fluxlint does not evaluate.
    Unsupported(String),
    /// The operator would fail too (a missing input with `missingkey=error`, a bad action).
    Error(String),
}

/// Does the text hold a template action?
pub fn has_action(s: &str) -> bool {
    s.contains("<<")
}

/// Refuses the syntax [`render`] does not evaluate, whatever the inputs: said before rendering,
/// so the reason is the same for every input set.
pub fn check(text: &str) -> Result<(), Fail> {
    let mut rest = text;
    let mut trimmed = false;
    while let Some(i) = rest.find("<<") {
        let after = &rest[i + 2..];
        let end =
            action_end(after).ok_or_else(|| Fail::Error(format!("unclosed action in {text:?}")))?;
        let action = &after[..end];
        let inner = action.trim_matches('-');
        if inner.trim().starts_with("/*") {
            return Err(Fail::Unsupported("template comments".into()));
        }
        // what the action does is the better reason: control structures are trimmed too
        tokens(inner)?;
        trimmed |= action.len() != inner.len();
        rest = &after[end + 2..];
    }
    if trimmed {
        return Err(Fail::Unsupported(
            "whitespace trim markers (<<- ->>)".into(),
        ));
    }
    Ok(())
}

/// Renders `text` with one input set (`None`: the ResourceSet has no inputs).
pub fn render(text: &str, inputs: Option<&Value>) -> Result<String, Fail> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("<<") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let end =
            action_end(after).ok_or_else(|| Fail::Error(format!("unclosed action in {text:?}")))?;
        let action = &after[..end];
        if action.starts_with('-') || action.ends_with('-') {
            return Err(Fail::Unsupported(
                "whitespace trim markers (<<- ->>)".into(),
            ));
        }
        let v = pipeline(action.trim(), inputs)?;
        out.push_str(&print(&v)?);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Offset of the `>>` that closes an action (outside string literals).
fn action_end(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'`' => {
                i += 1;
                while i < b.len() && b[i] != b'`' {
                    i += 1;
                }
            }
            b'>' if b.get(i + 1) == Some(&b'>') => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Str(String),
    Num(f64),
    Bool(bool),
    Nil,
    /// A function name, or a chain starting with one (`inputs.app.version`).
    Ident(Vec<String>),
    Pipe,
}

const KEYWORDS: [&str; 10] = [
    "if", "else", "end", "range", "with", "define", "template", "block", "break", "continue",
];

fn tokens(action: &str) -> Result<Vec<Tok>, Fail> {
    let mut out = Vec::new();
    let cs: Vec<char> = action.chars().collect();
    let mut i = 0;
    while i < cs.len() {
        let c = cs[i];
        match c {
            _ if c.is_whitespace() => i += 1,
            '|' => {
                out.push(Tok::Pipe);
                i += 1;
            }
            '"' => {
                let mut s = String::new();
                i += 1;
                loop {
                    let Some(&c) = cs.get(i) else {
                        return Err(Fail::Error("unterminated quoted string".into()));
                    };
                    i += 1;
                    match c {
                        '"' => break,
                        '\\' => {
                            let e = cs.get(i).copied().unwrap_or('\\');
                            i += 1;
                            s.push(match e {
                                'n' => '\n',
                                't' => '\t',
                                'r' => '\r',
                                '"' | '\\' => e,
                                _ => return Err(Fail::Unsupported("string escapes".into())),
                            });
                        }
                        _ => s.push(c),
                    }
                }
                out.push(Tok::Str(s));
            }
            '`' => {
                let start = i + 1;
                let end = cs[start..]
                    .iter()
                    .position(|&c| c == '`')
                    .ok_or_else(|| Fail::Error("unterminated raw string".into()))?;
                out.push(Tok::Str(cs[start..start + end].iter().collect()));
                i = start + end + 1;
            }
            '$' => return Err(Fail::Unsupported("template variables ($)".into())),
            '(' | ')' => return Err(Fail::Unsupported("parenthesized pipelines".into())),
            '.' if !cs.get(i + 1).is_some_and(|c| c.is_ascii_digit()) => {
                return Err(Fail::Unsupported("the template's dot (.)".into()));
            }
            _ if c.is_ascii_digit() || c == '-' || c == '+' || c == '.' => {
                let start = i;
                while i < cs.len() && !cs[i].is_whitespace() && cs[i] != '|' {
                    i += 1;
                }
                let s: String = cs[start..i].iter().collect();
                let n = s
                    .parse::<f64>()
                    .map_err(|_| Fail::Unsupported(format!("number literal {s}")))?;
                out.push(Tok::Num(n));
            }
            _ if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < cs.len() && (cs[i].is_alphanumeric() || cs[i] == '_' || cs[i] == '.') {
                    i += 1;
                }
                let s: String = cs[start..i].iter().collect();
                let parts: Vec<String> = s.split('.').map(str::to_string).collect();
                if parts.iter().any(String::is_empty) {
                    return Err(Fail::Error(format!("bad field chain {s}")));
                }
                out.push(match (parts.len(), parts[0].as_str()) {
                    (1, "true") => Tok::Bool(true),
                    (1, "false") => Tok::Bool(false),
                    (1, "nil") => Tok::Nil,
                    (_, k) if KEYWORDS.contains(&k) => {
                        return Err(Fail::Unsupported(format!("control structures ({k})")));
                    }
                    _ => Tok::Ident(parts),
                });
            }
            _ => {
                return Err(Fail::Unsupported(format!(
                    "the character {c:?} in an action"
                )));
            }
        }
    }
    Ok(out)
}

fn pipeline(action: &str, inputs: Option<&Value>) -> Result<Value, Fail> {
    if action.starts_with("/*") {
        return Err(Fail::Unsupported("template comments".into()));
    }
    let toks = tokens(action)?;
    let mut piped: Option<Value> = None;
    for cmd in toks.split(|t| *t == Tok::Pipe) {
        piped = Some(command(cmd, piped, inputs)?);
    }
    piped.ok_or_else(|| Fail::Error("missing value for command".into()))
}

fn command(cmd: &[Tok], piped: Option<Value>, inputs: Option<&Value>) -> Result<Value, Fail> {
    let Some((first, args)) = cmd.split_first() else {
        return Err(Fail::Error("missing value for command".into()));
    };
    match first {
        Tok::Ident(parts) if parts.len() == 1 && parts[0] != "inputs" => {
            let mut vals = args
                .iter()
                .map(|a| operand(a, inputs))
                .collect::<Result<Vec<_>, _>>()?;
            vals.extend(piped);
            call(&parts[0], vals)
        }
        _ if !args.is_empty() || piped.is_some() => {
            Err(Fail::Error("can't give argument to non-function".into()))
        }
        t => operand(t, inputs),
    }
}

/// An argument: a literal or a field chain on `inputs` (functions with arguments would need
/// parentheses, which [`tokens`] refuses).
fn operand(t: &Tok, inputs: Option<&Value>) -> Result<Value, Fail> {
    match t {
        Tok::Str(s) => Ok(Value::String(s.clone())),
        Tok::Num(n) => Ok(serde_json::Number::from_f64(*n).map_or(Value::Null, Value::Number)),
        Tok::Bool(b) => Ok(Value::Bool(*b)),
        Tok::Nil => Ok(Value::Null),
        Tok::Ident(parts) if parts[0] == "inputs" => {
            let mut v = inputs.cloned().unwrap_or(Value::Null);
            for f in &parts[1..] {
                v = match v {
                    Value::Object(mut m) => m
                        .remove(f)
                        .ok_or_else(|| Fail::Error(format!("map has no entry for key {f:?}")))?,
                    Value::Null if inputs.is_none() => {
                        return Err(Fail::Error(format!("map has no entry for key {f:?}")));
                    }
                    _ => {
                        return Err(Fail::Error(format!(
                            "can't evaluate field {f} in {}",
                            parts.join(".")
                        )));
                    }
                };
            }
            Ok(v)
        }
        Tok::Ident(parts) if parts.len() == 1 => call(&parts[0], Vec::new()),
        Tok::Ident(parts) => Err(Fail::Unsupported(format!("field chains on {}", parts[0]))),
        Tok::Pipe => Err(Fail::Error("unexpected |".into())),
    }
}

fn call(name: &str, args: Vec<Value>) -> Result<Value, Fail> {
    let arity = |n: usize| {
        if args.len() == n {
            Ok(())
        } else {
            Err(Fail::Error(format!(
                "wrong number of args for {name}: want {n} got {}",
                args.len()
            )))
        }
    };
    let s = |i: usize| args.get(i).map(strval).unwrap_or_default();
    Ok(match name {
        "quote" => Value::String(
            args.iter()
                .filter(|a| !a.is_null())
                .map(|a| go_quote(&strval(a)))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        "squote" => Value::String(
            args.iter()
                .filter(|a| !a.is_null())
                .map(|a| format!("'{}'", strval(a)))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        "toString" => {
            arity(1)?;
            Value::String(s(0))
        }
        "int" | "int64" => {
            arity(1)?;
            Value::from(to_int(&args[0]))
        }
        "lower" => {
            arity(1)?;
            Value::String(s(0).to_lowercase())
        }
        "upper" => {
            arity(1)?;
            Value::String(s(0).to_uppercase())
        }
        "trim" => {
            arity(1)?;
            Value::String(s(0).trim().to_string())
        }
        "trimPrefix" => {
            arity(2)?;
            let (p, v) = (s(0), s(1));
            Value::String(v.strip_prefix(p.as_str()).unwrap_or(&v).to_string())
        }
        "trimSuffix" => {
            arity(2)?;
            let (p, v) = (s(0), s(1));
            Value::String(v.strip_suffix(p.as_str()).unwrap_or(&v).to_string())
        }
        "replace" => {
            arity(3)?;
            Value::String(s(2).replace(&s(0), &s(1)))
        }
        "default" => {
            let Some((d, given)) = args.split_first() else {
                return Err(Fail::Error("wrong number of args for default".into()));
            };
            match given.first() {
                Some(g) if !empty(g) => g.clone(),
                _ => d.clone(),
            }
        }
        "get" => {
            arity(2)?;
            match &args[0] {
                Value::Object(m) => m
                    .get(&s(1))
                    .cloned()
                    .unwrap_or(Value::String(String::new())),
                _ => return Err(Fail::Error("get: not a map".into())),
            }
        }
        "dig" => {
            // dig "k1" "k2" DEFAULT MAP
            if args.len() < 3 {
                return Err(Fail::Error("wrong number of args for dig".into()));
            }
            let n = args.len();
            let (keys, d, mut cur) = (&args[..n - 2], &args[n - 2], &args[n - 1]);
            for k in keys {
                let Value::String(k) = k else {
                    return Err(Fail::Error("dig: keys must be strings".into()));
                };
                match cur.get(k) {
                    Some(v) if cur.is_object() => cur = v,
                    _ => return Ok(d.clone()),
                }
            }
            cur.clone()
        }
        _ => return Err(Fail::Unsupported(format!("the template function `{name}`"))),
    })
}

/// sprig's `empty`: the zero value of its type.
fn empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
    }
}

/// sprig's `toInt` (cast.ToInt): numbers truncate, numeric strings parse, anything else is 0.
fn to_int(v: &Value) -> i64 {
    match v {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .unwrap_or(0),
        Value::Bool(b) => i64::from(*b),
        Value::String(s) => s
            .trim()
            .parse::<i64>()
            .ok()
            .or_else(|| s.trim().parse::<f64>().ok().map(|f| f as i64))
            .unwrap_or(0),
        _ => 0,
    }
}

/// sprig's `strval`: a string as is, anything else as `fmt.Sprintf("%v")`.
fn strval(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "<nil>".into(),
        other => go_print(other).unwrap_or_default(),
    }
}

/// What `text/template` prints for a value.
fn print(v: &Value) -> Result<String, Fail> {
    match v {
        Value::Null => Err(Fail::Unsupported("printing a null input".into())),
        Value::Array(_) | Value::Object(_) => Err(Fail::Unsupported(
            "printing a list or map input (toYaml)".into(),
        )),
        other => go_print(other).ok_or_else(|| Fail::Unsupported("this value".into())),
    }
}

fn go_print(v: &Value) -> Option<String> {
    Some(match v {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        // functions (`int`) return integers; inputs are float64 (see [`as_go_inputs`])
        Value::Number(n) if n.is_i64() || n.is_u64() => n.to_string(),
        Value::Number(n) => crate::yaml::scalar::go_g_float(n.as_f64()?),
        _ => return None,
    })
}

/// Inputs as the operator holds them after `json.Unmarshal`: every number a float64.
pub fn as_go_inputs(v: Value) -> Value {
    match v {
        Value::Number(n) => n
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map_or(Value::Null, Value::Number),
        Value::Array(a) => Value::Array(a.into_iter().map(as_go_inputs).collect()),
        Value::Object(m) => {
            Value::Object(m.into_iter().map(|(k, v)| (k, as_go_inputs(v))).collect())
        }
        other => other,
    }
}

/// Go's `%q` of a string.
fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn r(t: &str, v: &Value) -> Result<String, Fail> {
        render(t, Some(v))
    }

    #[test]
    fn fills_values_the_way_the_operator_does() {
        let v = as_go_inputs(
            json!({"tenant": "team1", "app": {"version": "6.7.x", "replicas": 2}, "n": 1000000}),
        );
        assert_eq!(
            r("podinfo-<< inputs.tenant >>", &v).unwrap(),
            "podinfo-team1"
        );
        assert_eq!(
            r("<< inputs.app.version | quote >>", &v).unwrap(),
            "\"6.7.x\""
        );
        assert_eq!(r("<< inputs.app.replicas | int >>", &v).unwrap(), "2");
        assert_eq!(r("<< inputs.app.replicas >>", &v).unwrap(), "2");
        assert_eq!(r("<< inputs.n >>", &v).unwrap(), "1e+06");
        assert_eq!(r("<< inputs.n | int >>", &v).unwrap(), "1000000");
        assert_eq!(
            r(r#"<< get inputs "name" | default inputs.tenant >>"#, &v).unwrap(),
            "team1"
        );
        assert_eq!(
            r(r#"<< dig "x" "fallback" inputs >>"#, &v).unwrap(),
            "fallback"
        );
        assert_eq!(
            r(r#"<< dig "app" "version" "-" inputs >>"#, &v).unwrap(),
            "6.7.x"
        );
        assert_eq!(
            r("<< inputs.tenant | upper | quote >>", &v).unwrap(),
            "\"TEAM1\""
        );
    }

    #[test]
    fn refuses_what_it_does_not_evaluate() {
        let v = json!({"tenant": "a", "l": {"k": "v"}});
        for t in [
            "<< if eq inputs.tenant \"a\" >>x<< end >>",
            "<<- inputs.tenant >>",
            "<< inputs.l | toYaml | nindent 4 >>",
            "<< $x := 1 >>",
            "<< inputs.l >>",
            "<< (inputs.tenant) >>",
            "<< inputs.tenant | slugify >>",
        ] {
            assert!(matches!(r(t, &v), Err(Fail::Unsupported(_))), "{t}");
        }
        assert!(matches!(r("<< inputs.nope >>", &v), Err(Fail::Error(_))));
        assert!(matches!(r("<< inputs.tenant", &v), Err(Fail::Error(_))));
        assert!(matches!(
            render("<< inputs.x >>", None),
            Err(Fail::Error(_))
        ));
        assert_eq!(render("plain", None).unwrap(), "plain");
    }
}
