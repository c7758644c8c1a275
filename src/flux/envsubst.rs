//! Flux's `envsubst` (fluxcd/pkg/envsubst, a fork of drone/envsubst): `${var}` and the bash
//! parameter expansions it supports. Only `${…}` substitutes (a bare `$var` stays as written); `$$`
//! escapes a dollar. Inside `${…}` arguments `\\` and `\/` escape too.

/// What one expansion needs from the variables: the value and where it was defined.
pub trait Lookup {
    fn get(&self, name: &str) -> Option<(&str, crate::source::Span)>;
    /// Is this variable's value known only at run time (a Secret made in the cluster, a value
    /// encrypted with SOPS)? Then `${VAR}` stays as written, and a default applies.
    fn unresolved(&self, _name: &str) -> bool {
        false
    }
}

/// The result of substituting one string.
#[derive(Debug, Default, PartialEq)]
pub struct Expanded {
    pub text: String,
    /// Where each variable used was defined, in order of use.
    pub defined_at: Vec<crate::source::Span>,
    /// Variables used without a value or a default (`${VAR}` with VAR undefined).
    pub undefined: Vec<String>,
    /// Variables whose value is known only at run time, left as written (`${VAR}`).
    pub kept: Vec<String>,
}

/// A syntax error, worded as the Go package words it.
#[derive(Debug, PartialEq)]
pub struct SyntaxError(pub &'static str);

#[derive(Debug)]
enum Piece {
    Text(String),
    Func(Func),
}

#[derive(Debug)]
struct Func {
    name: String,
    /// The operator (`""` for plain `${var}`, `:-`, `#`, `//`, …).
    op: String,
    args: Vec<Vec<Piece>>,
}

/// Does this string need expanding at all?
pub fn has_expansion(s: &str) -> bool {
    s.contains("${") || s.contains("$$")
}

/// Expands `s` with `vars`.
pub fn expand(s: &str, vars: &dyn Lookup) -> Result<Expanded, SyntaxError> {
    let chars: Vec<char> = s.chars().collect();
    let mut p = Parser { s: &chars, i: 0 };
    let pieces = p.top()?;
    let mut out = Expanded::default();
    let mut seen = Seen {
        defined: &mut out.defined_at,
        undefined: &mut out.undefined,
        kept: &mut out.kept,
    };
    out.text = eval(&pieces, vars, &mut seen);
    Ok(out)
}

/// What an expansion met: where used variables were defined, those without a value, those kept.
struct Seen<'a> {
    defined: &'a mut Vec<crate::source::Span>,
    undefined: &'a mut Vec<String>,
    kept: &'a mut Vec<String>,
}

struct Parser<'a> {
    s: &'a [char],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.s.get(self.i).copied()
    }
    fn peek2(&self) -> Option<char> {
        self.s.get(self.i + 1).copied()
    }

    fn top(&mut self) -> Result<Vec<Piece>, SyntaxError> {
        let mut out = Vec::new();
        let mut text = String::new();
        while let Some(c) = self.peek() {
            if c == '$' && self.peek2() == Some('{') {
                self.i += 2;
                flush(&mut text, &mut out);
                out.push(Piece::Func(self.func()?));
                continue;
            }
            if c == '$' && self.peek2() == Some('$') {
                self.i += 2;
                text.push('$');
                continue;
            }
            text.push(c);
            self.i += 1;
        }
        flush(&mut text, &mut out);
        Ok(out)
    }

    /// After `${`.
    fn func(&mut self) -> Result<Func, SyntaxError> {
        if self.peek() == Some('#') {
            self.i += 1;
            let name = self.ident();
            if name.is_empty() {
                return Err(SyntaxError("bad substitution"));
            }
            self.close()?;
            return Ok(Func {
                name,
                op: "#".into(),
                args: Vec::new(),
            });
        }
        let name = self.ident();
        if name.is_empty() {
            return Err(SyntaxError("unable to parse variable name"));
        }
        let op: String = match (self.peek(), self.peek2()) {
            (Some('}'), _) => {
                self.i += 1;
                return Ok(Func {
                    name,
                    op: String::new(),
                    args: Vec::new(),
                });
            }
            (Some(':'), Some(c @ ('=' | '-' | '?' | '+'))) => format!(":{c}"),
            (Some(':'), _) => ":".into(),
            (Some(c @ ('=' | '-')), _) => c.to_string(),
            (Some(c @ (',' | '^' | '#' | '%')), Some(d)) if d == c => format!("{c}{c}"),
            (Some(c @ (',' | '^' | '#' | '%')), _) => c.to_string(),
            (Some('/'), Some(d @ ('/' | '#' | '%'))) => format!("/{d}"),
            (Some('/'), _) => "/".into(),
            _ => return Err(SyntaxError("missing closing brace")),
        };
        self.i += op.chars().count();
        let args = match op.as_str() {
            "," | ",," | "^" | "^^" => Vec::new(),
            ":" => {
                let mut args = vec![self.arg(&[':', '}'])?];
                if self.peek() == Some(':') {
                    self.i += 1;
                    args.push(self.arg(&['}'])?);
                }
                args
            }
            "/" | "//" | "/#" | "/%" => {
                let pattern = self.arg(&['/', '}'])?;
                if self.peek() == Some('/') {
                    self.i += 1;
                    vec![pattern, self.arg(&['}'])?]
                } else {
                    vec![pattern]
                }
            }
            _ => vec![self.arg(&['}'])?],
        };
        self.close()?;
        Ok(Func { name, op, args })
    }

    fn ident(&mut self) -> String {
        let mut name = String::new();
        while let Some(c) = self.peek() {
            if c.is_alphanumeric() || c == '_' {
                name.push(c);
                self.i += 1;
            } else {
                break;
            }
        }
        name
    }

    fn close(&mut self) -> Result<(), SyntaxError> {
        if self.peek() == Some('}') {
            self.i += 1;
            Ok(())
        } else {
            Err(SyntaxError("bad substitution"))
        }
    }

    /// An argument up to one of `stop` (not consumed), with nested `${…}` and escapes.
    fn arg(&mut self, stop: &[char]) -> Result<Vec<Piece>, SyntaxError> {
        let mut out = Vec::new();
        let mut text = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(SyntaxError("missing closing brace"));
            };
            if stop.contains(&c) {
                break;
            }
            match (c, self.peek2()) {
                ('$', Some('{')) => {
                    self.i += 2;
                    flush(&mut text, &mut out);
                    out.push(Piece::Func(self.func()?));
                }
                ('$', Some('$')) | ('\\', Some('\\' | '/')) => {
                    text.push(self.s[self.i + 1]);
                    self.i += 2;
                }
                _ => {
                    text.push(c);
                    self.i += 1;
                }
            }
        }
        flush(&mut text, &mut out);
        Ok(out)
    }
}

fn flush(text: &mut String, out: &mut Vec<Piece>) {
    if !text.is_empty() {
        out.push(Piece::Text(std::mem::take(text)));
    }
}

fn eval(pieces: &[Piece], vars: &dyn Lookup, seen: &mut Seen) -> String {
    let mut out = String::new();
    for p in pieces {
        match p {
            Piece::Text(t) => out.push_str(t),
            Piece::Func(f) => {
                let args: Vec<String> = f.args.iter().map(|a| eval(a, vars, seen)).collect();
                let value = match vars.get(&f.name) {
                    Some((v, span)) => {
                        seen.defined.push(span);
                        v.to_string()
                    }
                    None if vars.unresolved(&f.name) && !is_default_op(&f.op) => {
                        // not known here: keep the text, invent no value
                        seen.kept.push(f.name.clone());
                        out.push_str("${");
                        out.push_str(&f.name);
                        out.push('}');
                        continue;
                    }
                    None => {
                        if !is_default_op(&f.op) {
                            seen.undefined.push(f.name.clone());
                        }
                        String::new()
                    }
                };
                out.push_str(&apply(&f.op, &value, &args));
            }
        }
    }
    out
}

fn is_default_op(op: &str) -> bool {
    matches!(op, "-" | "+" | "=" | "?" | ":-" | ":+" | ":=" | ":?")
}

fn apply(op: &str, v: &str, args: &[String]) -> String {
    let arg = |i: usize| args.get(i).map(String::as_str).unwrap_or("");
    match op {
        "" => v.to_string(),
        "," => map_first(v, |c| c.to_lowercase().collect()),
        ",," => v.to_lowercase(),
        "^" => map_first(v, |c| c.to_uppercase().collect()),
        "^^" => v.to_uppercase(),
        "#" if args.is_empty() => v.chars().count().to_string(),
        "#" => trim_prefix(v, arg(0), false),
        "##" => trim_prefix(v, arg(0), true),
        "%" => trim_suffix(v, arg(0), false),
        "%%" => trim_suffix(v, arg(0), true),
        ":" => substr(v, arg(0), args.get(1).map(String::as_str)),
        "/" | "//" | "/#" | "/%" => replace(op, v, arg(0), arg(1)),
        // every default-like operator behaves as `:-` in Flux's fork
        _ if v.is_empty() => args.concat(),
        _ => v.to_string(),
    }
}

fn map_first(v: &str, f: impl Fn(char) -> String) -> String {
    let mut cs = v.chars();
    match cs.next() {
        Some(c) => f(c) + cs.as_str(),
        None => String::new(),
    }
}

fn substr(v: &str, off: &str, len: Option<&str>) -> String {
    let chars: Vec<char> = v.chars().collect();
    let n = chars.len() as i64;
    let mut start = off.trim().parse::<i64>().unwrap_or(0);
    if start < 0 {
        start = (n + start).max(0);
    }
    let start = start.min(n) as usize;
    let end = match len.map(|l| l.trim().parse::<i64>().unwrap_or(0)) {
        None => chars.len(),
        Some(l) if l < 0 => ((n + l).max(start as i64)) as usize,
        Some(l) => (start + l as usize).min(chars.len()),
    };
    chars[start..end.max(start)].iter().collect()
}

/// Bash patterns: `*`, `?`, everything else literal.
fn glob(p: &[char], s: &[char]) -> bool {
    match p.split_first() {
        None => s.is_empty(),
        Some(('*', rest)) => (0..=s.len()).any(|i| glob(rest, &s[i..])),
        Some(('?', rest)) => !s.is_empty() && glob(rest, &s[1..]),
        Some((c, rest)) => s.first() == Some(c) && glob(rest, &s[1..]),
    }
}

fn trim_prefix(v: &str, pat: &str, longest: bool) -> String {
    let (p, s): (Vec<char>, Vec<char>) = (pat.chars().collect(), v.chars().collect());
    let mut cuts: Vec<usize> = (0..=s.len()).collect();
    if longest {
        cuts.reverse();
    }
    match cuts.into_iter().find(|&i| glob(&p, &s[..i])) {
        Some(i) => s[i..].iter().collect(),
        None => v.to_string(),
    }
}

fn trim_suffix(v: &str, pat: &str, longest: bool) -> String {
    let (p, s): (Vec<char>, Vec<char>) = (pat.chars().collect(), v.chars().collect());
    let mut cuts: Vec<usize> = (0..=s.len()).rev().collect();
    if longest {
        cuts.reverse();
    }
    match cuts.into_iter().find(|&i| glob(&p, &s[i..])) {
        Some(i) => s[..i].iter().collect(),
        None => v.to_string(),
    }
}

fn replace(op: &str, v: &str, pat: &str, with: &str) -> String {
    match op {
        "/#" if v.starts_with(pat) => format!("{with}{}", &v[pat.len()..]),
        "/%" if v.ends_with(pat) => format!("{}{with}", &v[..v.len() - pat.len()]),
        "/" if !pat.is_empty() => v.replacen(pat, with, 1),
        "//" if !pat.is_empty() => v.replace(pat, with),
        _ => v.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;
    use std::collections::HashMap;

    struct Vars(HashMap<&'static str, &'static str>);
    impl Lookup for Vars {
        fn get(&self, name: &str) -> Option<(&str, Span)> {
            self.0.get(name).map(|v| (*v, Span::NONE))
        }
    }

    fn run(s: &str) -> Result<(String, Vec<String>), SyntaxError> {
        let vars = Vars(HashMap::from([
            ("REPLICAS", "3"),
            ("ENV", "dev"),
            ("EMPTY", ""),
            ("IMG", "nginx:1.25"),
        ]));
        expand(s, &vars).map(|e| (e.text, e.undefined))
    }

    #[test]
    fn expands_like_flux() {
        assert_eq!(run("${REPLICAS}").unwrap().0, "3");
        assert_eq!(run("app-${ENV}").unwrap().0, "app-dev");
        assert_eq!(run("$ENV stays").unwrap().0, "$ENV stays");
        assert_eq!(run("$${ENV}").unwrap().0, "${ENV}");
        assert_eq!(run("a$$b").unwrap().0, "a$b");
        assert_eq!(run("${MISSING:=fallback}").unwrap().0, "fallback");
        assert_eq!(run("${MISSING:-x}").unwrap(), ("x".into(), vec![]));
        assert_eq!(run("${EMPTY:-x}").unwrap().0, "x");
        assert_eq!(run("${MISSING:=${ENV}}").unwrap().0, "dev");
        assert_eq!(run("${ENV^^}").unwrap().0, "DEV");
        assert_eq!(run("${#ENV}").unwrap().0, "3");
        assert_eq!(run("${IMG#*:}").unwrap().0, "1.25");
        assert_eq!(run("${IMG%:*}").unwrap().0, "nginx");
        assert_eq!(run("${IMG/nginx/httpd}").unwrap().0, "httpd:1.25");
        assert_eq!(run("${IMG:0:5}").unwrap().0, "nginx");
        assert_eq!(
            run("${MISSING}").unwrap(),
            (String::new(), vec!["MISSING".to_string()])
        );
    }

    #[test]
    fn refuses_bad_syntax() {
        assert!(run("${ENV").is_err());
        assert!(run("${}").is_err());
        assert!(run("${ENV:-x").is_err());
        assert!(run("${ENV!}").is_err());
    }
}
