//! `$(VAR)` expansion as kustomize's `refvar.Expand` does it: `$$` escapes a `$`, unknown names and
//! non-scalar values stay as written, and a string that is exactly `$(VAR)` takes the variable's type.

use crate::yaml::{Node, Value};

/// What expanding one string produced.
pub enum Expanded<'a> {
    /// The whole string was one known variable: its value, with its type.
    Whole(&'a Node),
    /// A string; `last` is the last variable substituted into it, if any.
    Text {
        text: String,
        last: Option<&'a Node>,
    },
}

/// Expands `input`; `lookup` gives a variable's value when it is a known scalar.
pub fn expand<'a>(input: &str, lookup: &dyn Fn(&str) -> Option<&'a Node>) -> Expanded<'a> {
    let b = input.as_bytes();
    let mut out = String::new();
    let mut last = None;
    let mut checkpoint = 0;
    let mut cursor = 0;
    while cursor < b.len() {
        if b[cursor] == b'$' && cursor + 1 < b.len() {
            out.push_str(&input[checkpoint..cursor]);
            let rest = &input[cursor + 1..];
            let advance = match rest.as_bytes()[0] {
                b'$' => {
                    out.push('$');
                    1
                }
                b'(' => match rest.find(')') {
                    Some(close) => {
                        let name = &rest[1..close];
                        match lookup(name) {
                            Some(v) if input.len() == close + 2 && cursor == 0 => {
                                return Expanded::Whole(v);
                            }
                            Some(v) => {
                                out.push_str(&go_format(v));
                                last = Some(v);
                            }
                            None => {
                                out.push_str("$(");
                                out.push_str(name);
                                out.push(')');
                            }
                        }
                        close + 1
                    }
                    None => {
                        out.push_str("$(");
                        1
                    }
                },
                _ => {
                    // `$` and the next character (a whole UTF-8 character, to stay on a boundary)
                    let ch = rest.chars().next().map(char::len_utf8).unwrap_or(1);
                    out.push('$');
                    out.push_str(&rest[..ch]);
                    ch
                }
            };
            cursor += advance;
            checkpoint = cursor + 1;
        }
        cursor += 1;
    }
    if checkpoint < input.len() {
        out.push_str(&input[checkpoint..]);
    }
    Expanded::Text { text: out, last }
}

/// Go's `%v` of a scalar.
fn go_format(n: &Node) -> String {
    match &n.value {
        Value::Float(f) => go_float(*f),
        _ => n.scalar_string().unwrap_or_default(),
    }
}

/// `strconv.FormatFloat(f, 'g', -1, 64)`, which `%v` uses.
pub fn go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    if f == 0.0 {
        return "0".into();
    }
    let e = format!("{f:e}");
    let Some((mantissa, exp)) = e.split_once('e') else {
        return e;
    };
    let exp: i32 = exp.parse().unwrap_or(0);
    // shortest 'g' switches to an exponent below 1e-4 and from 1e6 on
    if !(-4..6).contains(&exp) {
        return go_exp(mantissa, exp);
    }
    format!("{f}")
}

fn go_exp(mantissa: &str, exp: i32) -> String {
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exp.abs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::Origin;

    fn run(input: &str) -> String {
        let host = Node::str("db", Origin::none());
        let port = Node::new(Value::Int(5432), Origin::none());
        let look = |n: &str| match n {
            "HOST" => Some(&host),
            "PORT" => Some(&port),
            _ => None,
        };
        match expand(input, &look) {
            Expanded::Whole(v) => format!("whole:{}", v.scalar_string().unwrap_or_default()),
            Expanded::Text { text, .. } => text,
        }
    }

    #[test]
    fn expands_like_kustomize() {
        assert_eq!(run("$(PORT)"), "whole:5432");
        assert_eq!(run("$(HOST):$(PORT)"), "db:5432");
        assert_eq!(run("$$(HOST)"), "$(HOST)");
        assert_eq!(run("$(NOPE)"), "$(NOPE)");
        assert_eq!(run("a$(HOST"), "a$(HOST");
        assert_eq!(run("$x$"), "$x$");
        assert_eq!(run("é$é"), "é$é");
    }

    #[test]
    fn floats_print_as_go_does() {
        assert_eq!(go_float(1.5), "1.5");
        assert_eq!(go_float(1e6), "1e+06");
        assert_eq!(go_float(123456.5), "123456.5");
        assert_eq!(go_float(0.0001), "0.0001");
        assert_eq!(go_float(0.00001), "1e-05");
    }
}
