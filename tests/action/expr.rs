//! GitHub Actions expressions (`${{ … }}`), the subset action.yml and ci.yml use.
//!
//! Supported: literals ('str' with '' escapes, numbers, true/false/null), context paths
//! (`inputs.fail-on`, `steps.check.outputs.exit-code`), `!`, `==`, `!=`, `&&`, `||`, parentheses and
//! function calls resolved by the caller (`always()`, `hashFiles(..)`). GitHub's semantics kept:
//! `&&`/`||` return an operand, not a boolean; `==` compares strings case-insensitively and coerces
//! mismatched types to numbers; an absent property is null, which interpolates as ''. Anything else
//! (an unknown operator, context or function) is an error, so the tests fail rather than guess.

#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
}

impl Val {
    pub fn truthy(&self) -> bool {
        match self {
            Val::Null => false,
            Val::Bool(b) => *b,
            Val::Num(n) => *n != 0.0 && !n.is_nan(),
            Val::Str(s) => !s.is_empty(),
        }
    }

    /// How a value is written into a string (`run:`, `env:`, `with:`).
    pub fn to_text(&self) -> String {
        match self {
            Val::Null => String::new(),
            Val::Bool(b) => b.to_string(),
            Val::Num(n) => n.to_string(),
            Val::Str(s) => s.clone(),
        }
    }

    fn to_num(&self) -> f64 {
        match self {
            Val::Null => 0.0,
            Val::Bool(b) => f64::from(u8::from(*b)),
            Val::Num(n) => *n,
            Val::Str(s) if s.trim().is_empty() => 0.0,
            Val::Str(s) => s.trim().parse().unwrap_or(f64::NAN),
        }
    }

    fn loose_eq(&self, other: &Val) -> bool {
        match (self, other) {
            (Val::Null, Val::Null) => true,
            (Val::Bool(a), Val::Bool(b)) => a == b,
            (Val::Str(a), Val::Str(b)) => a.eq_ignore_ascii_case(b),
            _ => self.to_num() == other.to_num(),
        }
    }
}

/// Resolves what the expression language leaves to the runner: context paths and functions.
pub trait Context {
    fn lookup(&self, path: &[&str]) -> Result<Val, String>;
    fn call(&self, name: &str, args: &[Val]) -> Result<Val, String>;
}

/// Evaluates one expression (the text inside `${{ }}`, or a bare `if:`).
pub fn eval(src: &str, cx: &dyn Context) -> Result<Val, String> {
    let mut p = Parser {
        s: src.as_bytes(),
        i: 0,
        cx,
    };
    let v = p.or()?;
    p.ws();
    match p.i == p.s.len() {
        true => Ok(v),
        false => Err(format!("unexpected `{}` in `{src}`", &src[p.i..])),
    }
}

/// Replaces every `${{ expr }}` in `text` with the expression's value.
pub fn interpolate(text: &str, cx: &dyn Context) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        let end = rest[start..]
            .find("}}")
            .ok_or_else(|| format!("unterminated `${{{{` in {text:?}"))?;
        out.push_str(&rest[..start]);
        out.push_str(&eval(&rest[start + 3..start + end], cx)?.to_text());
        rest = &rest[start + end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
    cx: &'a dyn Context,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.s.get(self.i).is_some_and(u8::is_ascii_whitespace) {
            self.i += 1;
        }
    }

    fn eat(&mut self, tok: &str) -> bool {
        self.ws();
        let hit = self.s[self.i..].starts_with(tok.as_bytes());
        if hit {
            self.i += tok.len();
        }
        hit
    }

    fn or(&mut self) -> Result<Val, String> {
        let mut v = self.and()?;
        while self.eat("||") {
            let r = self.and()?;
            v = if v.truthy() { v } else { r };
        }
        Ok(v)
    }

    fn and(&mut self) -> Result<Val, String> {
        let mut v = self.cmp()?;
        while self.eat("&&") {
            let r = self.cmp()?;
            v = if v.truthy() { r } else { v };
        }
        Ok(v)
    }

    fn cmp(&mut self) -> Result<Val, String> {
        let l = self.unary()?;
        if self.eat("==") {
            return Ok(Val::Bool(l.loose_eq(&self.unary()?)));
        }
        if self.eat("!=") {
            return Ok(Val::Bool(!l.loose_eq(&self.unary()?)));
        }
        Ok(l)
    }

    fn unary(&mut self) -> Result<Val, String> {
        if self.eat("!") {
            return Ok(Val::Bool(!self.unary()?.truthy()));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Val, String> {
        self.ws();
        if self.eat("(") {
            let v = self.or()?;
            return if self.eat(")") {
                Ok(v)
            } else {
                Err("missing `)`".into())
            };
        }
        if self.eat("'") {
            let mut s = Vec::new();
            loop {
                match self.s.get(self.i) {
                    None => return Err("unterminated string literal".into()),
                    Some(b'\'') if self.s.get(self.i + 1) == Some(&b'\'') => self.i += 1,
                    Some(b'\'') => break,
                    Some(_) => {}
                }
                s.push(self.s[self.i]);
                self.i += 1;
            }
            self.i += 1;
            return Ok(Val::Str(String::from_utf8_lossy(&s).into_owned()));
        }
        let start = self.i;
        while self
            .s
            .get(self.i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || b"_-.".contains(c))
        {
            self.i += 1;
        }
        let word = std::str::from_utf8(&self.s[start..self.i]).map_err(|e| e.to_string())?;
        match word {
            "" => Err(format!("expected a value at byte {start}")),
            "true" | "false" => Ok(Val::Bool(word == "true")),
            "null" => Ok(Val::Null),
            w if w.as_bytes()[0].is_ascii_digit() => w
                .parse()
                .map(Val::Num)
                .map_err(|_| format!("bad number `{w}`")),
            w if self.eat("(") => {
                let mut args = Vec::new();
                while !self.eat(")") {
                    args.push(self.or()?);
                    self.eat(",");
                }
                self.cx.call(w, &args)
            }
            w => self.cx.lookup(&w.split('.').collect::<Vec<_>>()),
        }
    }
}
