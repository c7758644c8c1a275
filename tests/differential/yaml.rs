//! A small ordered YAML value and a block-style emitter, so generated files read like hand-written ones.

#[derive(Clone, Debug, PartialEq)]
pub enum Y {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    List(Vec<Y>),
    Map(Vec<(String, Y)>),
}

impl From<&str> for Y {
    fn from(s: &str) -> Y {
        Y::Str(s.to_string())
    }
}
impl From<String> for Y {
    fn from(s: String) -> Y {
        Y::Str(s)
    }
}
impl From<&String> for Y {
    fn from(s: &String) -> Y {
        Y::Str(s.clone())
    }
}
impl From<i64> for Y {
    fn from(n: i64) -> Y {
        Y::Int(n)
    }
}
impl From<usize> for Y {
    fn from(n: usize) -> Y {
        Y::Int(n as i64)
    }
}
impl From<bool> for Y {
    fn from(b: bool) -> Y {
        Y::Bool(b)
    }
}
impl<T: Into<Y>> From<Vec<T>> for Y {
    fn from(v: Vec<T>) -> Y {
        Y::List(v.into_iter().map(Into::into).collect())
    }
}

/// `ymap! { "k" => v, ... }`: an ordered map.
#[macro_export]
macro_rules! ymap {
    ($($k:expr => $v:expr),* $(,)?) => {
        $crate::yaml::Y::Map(vec![$(($k.to_string(), $crate::yaml::Y::from($v))),*])
    };
}

/// `ylist![a, b]`: a list of values of mixed types.
#[macro_export]
macro_rules! ylist {
    ($($v:expr),* $(,)?) => {
        $crate::yaml::Y::List(vec![$($crate::yaml::Y::from($v)),*])
    };
}

impl Y {
    /// Sets (or appends) `key` in a map.
    pub fn set(&mut self, key: &str, value: impl Into<Y>) {
        if let Y::Map(entries) = self {
            let value = value.into();
            match entries.iter_mut().find(|(k, _)| k == key) {
                Some(e) => e.1 = value,
                None => entries.push((key.to_string(), value)),
            }
        }
    }

    pub fn get(&self, key: &str) -> Option<&Y> {
        match self {
            Y::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|e| &e.1),
            _ => None,
        }
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Y> {
        match self {
            Y::Map(entries) => entries.iter_mut().find(|(k, _)| k == key).map(|e| &mut e.1),
            _ => None,
        }
    }

    /// Appends to a list.
    pub fn push(&mut self, value: impl Into<Y>) {
        if let Y::List(items) = self {
            items.push(value.into());
        }
    }

    pub fn is_empty_collection(&self) -> bool {
        matches!(self, Y::Map(m) if m.is_empty()) || matches!(self, Y::List(l) if l.is_empty())
    }

    /// One YAML document; `indent_lists` puts list items under their key two spaces in.
    pub fn to_yaml(&self, indent_lists: bool) -> String {
        let mut out = String::new();
        match self {
            Y::Map(m) if !m.is_empty() => emit_map(m, 0, indent_lists, &mut out),
            Y::List(l) if !l.is_empty() => emit_list(l, 0, indent_lists, &mut out),
            other => {
                out.push_str(&scalar(other));
                out.push('\n');
            }
        }
        out
    }

    /// Compact JSON (also valid YAML), for JSON patches written as JSON.
    pub fn to_json(&self) -> String {
        match self {
            Y::Null => "null".into(),
            Y::Bool(b) => b.to_string(),
            Y::Int(n) => n.to_string(),
            Y::Str(s) => quote(s),
            Y::List(l) => format!(
                "[{}]",
                l.iter().map(Y::to_json).collect::<Vec<_>>().join(", ")
            ),
            Y::Map(m) => format!(
                "{{{}}}",
                m.iter()
                    .map(|(k, v)| format!("{}: {}", quote(k), v.to_json()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

fn emit_map(m: &[(String, Y)], indent: usize, il: bool, out: &mut String) {
    let pad = " ".repeat(indent);
    for (k, v) in m {
        out.push_str(&pad);
        out.push_str(&key(k));
        out.push(':');
        match v {
            Y::Map(inner) if !inner.is_empty() => {
                out.push('\n');
                emit_map(inner, indent + 2, il, out);
            }
            Y::List(items) if !items.is_empty() => {
                out.push('\n');
                emit_list(items, if il { indent + 2 } else { indent }, il, out);
            }
            Y::Str(s) if block_ok(s) => emit_block(s, indent + 2, out),
            other => {
                out.push(' ');
                out.push_str(&scalar(other));
                out.push('\n');
            }
        }
    }
}

fn emit_list(items: &[Y], indent: usize, il: bool, out: &mut String) {
    let pad = " ".repeat(indent);
    for item in items {
        match item {
            Y::Map(inner) if !inner.is_empty() => {
                let mut sub = String::new();
                emit_map(inner, indent + 2, il, &mut sub);
                out.push_str(&pad);
                out.push_str("- ");
                out.push_str(&sub[indent + 2..]);
            }
            Y::List(inner) if !inner.is_empty() => {
                let mut sub = String::new();
                emit_list(inner, indent + 2, il, &mut sub);
                out.push_str(&pad);
                out.push_str("- ");
                out.push_str(&sub[indent + 2..]);
            }
            Y::Str(s) if block_ok(s) => {
                out.push_str(&pad);
                out.push('-');
                emit_block(s, indent + 2, out);
            }
            other => {
                out.push_str(&pad);
                out.push_str("- ");
                out.push_str(&scalar(other));
                out.push('\n');
            }
        }
    }
}

/// Multi-line strings (inline patches, file-like values) as literal blocks.
fn block_ok(s: &str) -> bool {
    s.contains('\n')
        && !s.starts_with([' ', '\n'])
        && !s.trim_end_matches('\n').contains("\n\n")
        && s.lines().all(|l| l == l.trim_end() && !l.contains('\t'))
        && !s.ends_with("\n\n")
}

fn emit_block(s: &str, indent: usize, out: &mut String) {
    out.push_str(if s.ends_with('\n') { " |\n" } else { " |-\n" });
    let pad = " ".repeat(indent);
    for line in s.lines() {
        out.push_str(&pad);
        out.push_str(line);
        out.push('\n');
    }
}

fn key(k: &str) -> String {
    if plain_ok(k) { k.to_string() } else { quote(k) }
}

fn scalar(y: &Y) -> String {
    match y {
        Y::Null => "null".into(),
        Y::Bool(b) => b.to_string(),
        Y::Int(n) => n.to_string(),
        Y::Str(s) if plain_ok(s) => s.clone(),
        Y::Str(s) => quote(s),
        Y::Map(_) => "{}".into(),
        Y::List(_) => "[]".into(),
    }
}

/// Strings that read back as the same string in YAML 1.1 and 1.2 without quotes.
fn plain_ok(s: &str) -> bool {
    const RESERVED: &[&str] = &[
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~",
    ];
    // a leading dot is fine for paths (`../base`) but not for `.inf` or `.nan`
    let first_ok = s
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '$')
        || s.starts_with("..")
        || s.starts_with("./");
    first_ok
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./$=".contains(c))
        && !RESERVED.contains(&s.to_ascii_lowercase().as_str())
}

fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
