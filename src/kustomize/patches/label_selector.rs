//! Kubernetes label selector strings (`app=web,tier in (a,b),!legacy`), parsed and matched as
//! apimachinery's `labels.Parse` does; kustomize uses them for `labelSelector` and
//! `annotationSelector` in patch targets.

#[derive(Clone, Debug, PartialEq)]
enum Op {
    Exists,
    DoesNotExist,
    In,
    NotIn,
    Gt,
    Lt,
}

#[derive(Clone, Debug, PartialEq)]
struct Requirement {
    key: String,
    op: Op,
    values: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct LabelSelector {
    reqs: Vec<Requirement>,
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    Not,
    NotEq,
    Eq,
    DoubleEq,
    Gt,
    Lt,
    Open,
    Close,
    Comma,
    In,
    NotIn,
    End,
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::Ident(s) => s.clone(),
            Tok::Not => "!".into(),
            Tok::NotEq => "!=".into(),
            Tok::Eq => "=".into(),
            Tok::DoubleEq => "==".into(),
            Tok::Gt => ">".into(),
            Tok::Lt => "<".into(),
            Tok::Open => "(".into(),
            Tok::Close => ")".into(),
            Tok::Comma => ",".into(),
            Tok::In => "in".into(),
            Tok::NotIn => "notin".into(),
            Tok::End => String::new(),
        }
    }
}

fn special(c: char) -> bool {
    matches!(c, '=' | '!' | '(' | ')' | ',' | '>' | '<')
}

fn lex(s: &str) -> Vec<Tok> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let next = chars.get(i + 1).copied();
        let (tok, n) = match (c, next) {
            ('!', Some('=')) => (Tok::NotEq, 2),
            ('!', _) => (Tok::Not, 1),
            ('=', Some('=')) => (Tok::DoubleEq, 2),
            ('=', _) => (Tok::Eq, 1),
            ('>', _) => (Tok::Gt, 1),
            ('<', _) => (Tok::Lt, 1),
            ('(', _) => (Tok::Open, 1),
            (')', _) => (Tok::Close, 1),
            (',', _) => (Tok::Comma, 1),
            _ => {
                let start = i;
                let mut j = i;
                while j < chars.len() && !chars[j].is_whitespace() && !special(chars[j]) {
                    j += 1;
                }
                let word: String = chars[start..j].iter().collect();
                let tok = match word.as_str() {
                    "in" => Tok::In,
                    "notin" => Tok::NotIn,
                    _ => Tok::Ident(word),
                };
                (tok, j - start)
            }
        };
        out.push(tok);
        i += n;
    }
    out.push(Tok::End);
    out
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> &Tok {
        self.toks.get(self.pos).unwrap_or(&Tok::End)
    }
    fn next(&mut self) -> Tok {
        let t = self.peek().clone();
        self.pos += 1;
        t
    }
}

impl LabelSelector {
    /// Parses a selector; the error is a message in apimachinery's words.
    pub fn parse(s: &str) -> Result<LabelSelector, String> {
        let mut p = Parser {
            toks: lex(s),
            pos: 0,
        };
        let mut reqs = Vec::new();
        loop {
            match p.peek() {
                Tok::End => break,
                Tok::Ident(_) | Tok::Not => {}
                t => {
                    return Err(format!(
                        "found '{}', expected: !, identifier, or 'end of string'",
                        t.describe()
                    ));
                }
            }
            reqs.push(requirement(&mut p)?);
            match p.next() {
                Tok::End => break,
                Tok::Comma => match p.peek() {
                    Tok::Ident(_) | Tok::Not => {}
                    t => {
                        return Err(format!(
                            "found '{}', expected: identifier after ','",
                            t.describe()
                        ));
                    }
                },
                t => {
                    return Err(format!(
                        "found '{}', expected: ',' or 'end of string'",
                        t.describe()
                    ));
                }
            }
        }
        Ok(LabelSelector { reqs })
    }

    pub fn is_empty(&self) -> bool {
        self.reqs.is_empty()
    }

    /// Does a resource with these labels (or annotations) match?
    pub fn matches(&self, labels: &[(&str, String)]) -> bool {
        self.reqs.iter().all(|r| {
            let v = labels.iter().find(|(k, _)| *k == r.key).map(|(_, v)| v);
            match r.op {
                Op::Exists => v.is_some(),
                Op::DoesNotExist => v.is_none(),
                Op::In => v.is_some_and(|v| r.values.contains(v)),
                Op::NotIn => !v.is_some_and(|v| r.values.contains(v)),
                Op::Gt | Op::Lt => {
                    let (Some(have), Some(want)) = (
                        v.and_then(|v| v.parse::<i64>().ok()),
                        r.values.first().and_then(|w| w.parse::<i64>().ok()),
                    ) else {
                        return false;
                    };
                    if r.op == Op::Gt {
                        have > want
                    } else {
                        have < want
                    }
                }
            }
        })
    }
}

fn requirement(p: &mut Parser) -> Result<Requirement, String> {
    let negated = *p.peek() == Tok::Not;
    if negated {
        p.next();
    }
    let key = match p.next() {
        Tok::Ident(k) => k,
        t => {
            return Err(format!("found '{}', expected: identifier", t.describe()));
        }
    };
    validate_key(&key)?;
    if negated {
        return Ok(Requirement {
            key,
            op: Op::DoesNotExist,
            values: Vec::new(),
        });
    }
    let op = match p.peek() {
        Tok::End | Tok::Comma => {
            return Ok(Requirement {
                key,
                op: Op::Exists,
                values: Vec::new(),
            });
        }
        Tok::Eq | Tok::DoubleEq => Op::In,
        Tok::NotEq => Op::NotIn,
        Tok::In => Op::In,
        Tok::NotIn => Op::NotIn,
        Tok::Gt => Op::Gt,
        Tok::Lt => Op::Lt,
        t => {
            return Err(format!(
                "found '{}', expected: in, notin, =, ==, !=, gt, lt",
                t.describe()
            ));
        }
    };
    let set_form = matches!(p.next(), Tok::In | Tok::NotIn);
    let values = if set_form {
        set_values(p)?
    } else {
        // a single value; it may be empty (`a=` or `a=,b`)
        match p.peek().clone() {
            Tok::Ident(v) => {
                p.next();
                vec![v]
            }
            Tok::In | Tok::NotIn => {
                let t = p.next();
                vec![t.describe()]
            }
            Tok::End | Tok::Comma => vec![String::new()],
            t => {
                return Err(format!("found '{}', expected: identifier", t.describe()));
            }
        }
    };
    if matches!(op, Op::Gt | Op::Lt) {
        let v = values.first().map(String::as_str).unwrap_or("");
        if v.parse::<i64>().is_err() {
            return Err(format!(
                "for 'Gt', 'Lt' operators, the value must be an integer: '{v}'"
            ));
        }
    } else {
        for v in &values {
            validate_value(v)?;
        }
    }
    Ok(Requirement { key, op, values })
}

/// `( v1, v2 )`; `()` is the set holding the empty string, as in apimachinery.
fn set_values(p: &mut Parser) -> Result<Vec<String>, String> {
    match p.next() {
        Tok::Open => {}
        t => return Err(format!("found '{}', expected: '('", t.describe())),
    }
    let mut out = Vec::new();
    let mut expect_value = true;
    loop {
        match p.next() {
            Tok::Close => {
                if expect_value {
                    out.push(String::new());
                }
                return Ok(out);
            }
            Tok::Comma => {
                if expect_value {
                    out.push(String::new());
                }
                expect_value = true;
            }
            t @ (Tok::Ident(_) | Tok::In | Tok::NotIn) if expect_value => {
                out.push(t.describe());
                expect_value = false;
            }
            t => {
                return Err(format!("found '{}', expected: ',', or ')'", t.describe()));
            }
        }
    }
}

fn is_name_part(s: &str, max: usize) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= max
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

fn is_dns_subdomain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|l| {
            let b = l.as_bytes();
            !b.is_empty()
                && b[0].is_ascii_alphanumeric()
                && b[b.len() - 1].is_ascii_alphanumeric()
                && b.iter()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        })
}

fn validate_key(k: &str) -> Result<(), String> {
    let ok = match k.split_once('/') {
        Some((prefix, name)) => is_dns_subdomain(prefix) && is_name_part(name, 63),
        None => is_name_part(k, 63),
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "key: Invalid value: \"{k}\": must be a qualified name (alphanumerics, '-', '_' or '.', optionally prefixed by a DNS subdomain and '/')"
        ))
    }
}

fn validate_value(v: &str) -> Result<(), String> {
    if v.is_empty() || is_name_part(v, 63) {
        Ok(())
    } else {
        Err(format!(
            "values[0]: Invalid value: \"{v}\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(sel: &str, labels: &[(&str, &str)]) -> bool {
        let l: Vec<(&str, String)> = labels.iter().map(|(k, v)| (*k, v.to_string())).collect();
        LabelSelector::parse(sel).expect("parses").matches(&l)
    }

    #[test]
    fn operators() {
        let l = [("app", "web"), ("tier", "frontend"), ("n", "5")];
        assert!(m("", &l));
        assert!(m("app=web", &l));
        assert!(m("app==web,tier!=backend", &l));
        assert!(!m("app!=web", &l));
        assert!(m("missing!=x", &l));
        assert!(m("tier in (frontend, x)", &l));
        assert!(!m("tier notin (frontend)", &l));
        assert!(m("missing notin (frontend)", &l));
        assert!(m("tier", &l));
        assert!(m("!missing", &l));
        assert!(!m("!tier", &l));
        assert!(m("n>4,n<6", &l));
        assert!(!m("app in ()", &l));
        assert!(m("example.com/x notin (a)", &l));
    }

    #[test]
    fn errors() {
        for bad in [
            "app=web,", "app=we b", "a in (x", "=x", "a > b", "a=b c", "-a=b", "a=-b",
        ] {
            assert!(LabelSelector::parse(bad).is_err(), "{bad} should fail");
        }
    }
}
