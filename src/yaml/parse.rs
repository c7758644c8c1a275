//! Multi-document YAML → [`Node`] trees with byte spans, on top of saphyr-parser's event stream.
//!
//! Scalars are resolved the way kustomize reads a resource (go-yaml v3 into `interface{}`, then JSON):
//! YAML 1.2 booleans and nulls, go-yaml's integer forms (`0x`, `0o`, `0b`, legacy `0755` octal, `_`
//! separators), timestamps turned into RFC 3339 strings, and integral floats turned into integers.
//! `<<` merge keys are expanded. Aliases are expanded with a node budget, so an alias bomb ends in an
//! error instead of exhausting memory.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span as YSpan};

use super::node::{Entry, Map, Node, Origin, SetBy, Value};
use crate::source::{FileId, Span};

/// Nesting deeper than this is refused (real manifests stay far below 50).
pub const MAX_DEPTH: usize = 256;
/// Nodes one file may produce, counting alias copies.
pub const MAX_NODES: usize = 2_000_000;

#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    pub message: String,
    pub span: Span,
}

/// A parsed document: its root node and the span of the whole document.
#[derive(Debug, Clone)]
pub struct Document {
    pub root: Node,
    pub span: Span,
}

struct Builder<'a> {
    text: &'a str,
    ascii: bool,
    line_starts: Vec<usize>,
    file: FileId,
    by: SetBy,
    nodes: usize,
}

enum Frame {
    Seq {
        items: Vec<Node>,
        start: usize,
        anchor: usize,
    },
    Map {
        entries: Vec<Entry>,
        merges: Vec<Node>,
        pending_key: Option<(String, Span, bool)>,
        start: usize,
        anchor: usize,
    },
}

impl<'a> Builder<'a> {
    fn offset(&self, m: &saphyr_parser::Marker) -> usize {
        if self.ascii {
            return m.index().min(self.text.len());
        }
        let Some(&start) = self.line_starts.get(m.line().saturating_sub(1)) else {
            return self.text.len();
        };
        match self.text[start..].char_indices().nth(m.col()) {
            Some((i, _)) => start + i,
            None => self.text.len(),
        }
    }

    fn span(&self, s: &YSpan) -> Span {
        Span::new(self.file, self.offset(&s.start), self.offset(&s.end))
    }

    fn origin(&self, span: Span) -> Origin {
        Origin::new(span, self.by)
    }

    fn count(&mut self, n: usize, span: Span) -> Result<(), YamlError> {
        self.nodes += n;
        if self.nodes > MAX_NODES {
            return Err(YamlError {
                message: format!(
                    "this file expands to more than {MAX_NODES} nodes; aliases that refer to aliases (a \"billion laughs\" document?) are refused"
                ),
                span,
            });
        }
        Ok(())
    }
}

fn node_count(n: &Node) -> usize {
    match &n.value {
        Value::Seq(items) => 1 + items.iter().map(node_count).sum::<usize>(),
        Value::Map(m) => {
            1 + m
                .entries
                .iter()
                .map(|e| node_count(&e.value))
                .sum::<usize>()
        }
        _ => 1,
    }
}

/// Parses every document of a YAML stream. Empty documents are skipped.
pub fn parse_stream(text: &str, file: FileId, by: SetBy) -> Result<Vec<Document>, YamlError> {
    let mut line_starts = vec![0usize];
    line_starts.extend(
        text.bytes()
            .enumerate()
            .filter(|(_, b)| *b == b'\n')
            .map(|(i, _)| i + 1),
    );
    let mut b = Builder {
        text,
        ascii: text.is_ascii(),
        line_starts,
        file,
        by,
        nodes: 0,
    };
    let mut parser = Parser::new_from_str(text);
    let mut docs = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut doc_root: Option<Node> = None;
    let mut doc_start = 0usize;

    loop {
        let (ev, yspan) = match parser.next_event() {
            None => break,
            Some(Ok(x)) => x,
            Some(Err(e)) => {
                let off = b.offset(e.marker());
                return Err(YamlError {
                    message: format!("invalid YAML: {}", e.info()),
                    span: Span::new(file, off, off),
                });
            }
        };
        let span = b.span(&yspan);
        let completed: Option<(Node, usize)> = match ev {
            Event::StreamStart | Event::Nothing => None,
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                anchors.clear();
                doc_root = None;
                doc_start = span.start as usize;
                None
            }
            Event::DocumentEnd => {
                if let Some(root) = doc_root.take()
                    && !root.is_null()
                {
                    let end = (span.end as usize).max(root.origin.span.end as usize);
                    docs.push(Document {
                        span: Span::new(file, doc_start, end),
                        root,
                    });
                }
                None
            }
            Event::Alias(id) => {
                let Some(n) = anchors.get(&id) else {
                    return Err(YamlError {
                        message: "alias refers to an anchor that is not defined in this document"
                            .into(),
                        span,
                    });
                };
                let mut n = n.clone();
                b.count(node_count(&n), span)?;
                // The alias is where the value is used; keep the anchor's spans for the content.
                n.origin = b.origin(span);
                Some((n, 0))
            }
            Event::Scalar(text, style, anchor, tag) => {
                b.count(1, span)?;
                let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
                let value = resolve_scalar(&text, style, tag.as_deref());
                Some((Node::new(value, b.origin(span)), anchor))
            }
            Event::SequenceStart(anchor, _) => {
                b.count(1, span)?;
                if stack.len() >= MAX_DEPTH {
                    return Err(YamlError {
                        message: format!("nesting deeper than {MAX_DEPTH} levels is refused"),
                        span,
                    });
                }
                stack.push(Frame::Seq {
                    items: Vec::new(),
                    start: span.start as usize,
                    anchor,
                });
                None
            }
            Event::MappingStart(anchor, _) => {
                b.count(1, span)?;
                if stack.len() >= MAX_DEPTH {
                    return Err(YamlError {
                        message: format!("nesting deeper than {MAX_DEPTH} levels is refused"),
                        span,
                    });
                }
                stack.push(Frame::Map {
                    entries: Vec::new(),
                    merges: Vec::new(),
                    pending_key: None,
                    start: span.start as usize,
                    anchor,
                });
                None
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq {
                    items,
                    start,
                    anchor,
                }) => {
                    let end = items
                        .last()
                        .map(|n| n.origin.span.end as usize)
                        .unwrap_or(span.end as usize)
                        .max(start);
                    Some((
                        Node::new(Value::Seq(items), b.origin(Span::new(file, start, end))),
                        anchor,
                    ))
                }
                _ => None,
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map {
                    mut entries,
                    merges,
                    start,
                    anchor,
                    ..
                }) => {
                    let end = entries
                        .last()
                        .map(|e| e.value.origin.span.end as usize)
                        .unwrap_or(span.end as usize)
                        .max(start);
                    for m in merges {
                        merge_into(&mut entries, m, &b)?;
                    }
                    Some((
                        Node::new(
                            Value::Map(Map { entries }),
                            b.origin(Span::new(file, start, end)),
                        ),
                        anchor,
                    ))
                }
                _ => None,
            },
        };

        let Some((node, anchor)) = completed else {
            continue;
        };
        if anchor != 0 {
            anchors.insert(anchor, node.clone());
        }
        match stack.last_mut() {
            None => doc_root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                merges,
                pending_key,
                ..
            }) => match pending_key.take() {
                None => {
                    let (key, is_merge) = match &node.value {
                        Value::Str(s) => (s.clone(), false),
                        Value::Null => (String::new(), false),
                        Value::Seq(_) | Value::Map(_) => {
                            return Err(YamlError {
                                message: "a mapping key must be a scalar".into(),
                                span: node.origin.span,
                            });
                        }
                        _ => (node.scalar_string().unwrap_or_default(), false),
                    };
                    let raw = b
                        .text
                        .get(node.origin.span.start as usize..node.origin.span.end as usize)
                        .unwrap_or("");
                    let is_merge = is_merge || (raw == "<<" && matches!(node.value, Value::Str(_)));
                    // keys keep their source text: `1.0` stays "1.0", `on` stays "on"
                    let key = if matches!(node.value, Value::Str(_)) || raw.is_empty() {
                        key
                    } else {
                        raw.to_string()
                    };
                    if !is_merge && entries.iter().any(|e| e.key == key) {
                        return Err(YamlError {
                            message: format!("duplicate mapping key \"{key}\""),
                            span: node.origin.span,
                        });
                    }
                    *pending_key = Some((key, node.origin.span, is_merge));
                }
                Some((key, key_span, is_merge)) => {
                    if is_merge {
                        merges.push(node);
                    } else {
                        entries.push(Entry {
                            key,
                            key_span,
                            value: node,
                        });
                    }
                }
            },
        }
    }
    if let Some(root) = doc_root.take()
        && !root.is_null()
    {
        let end = root.origin.span.end as usize;
        docs.push(Document {
            span: Span::new(file, doc_start, end),
            root,
        });
    }
    Ok(docs)
}

/// Adds the keys of a `<<` merge value (a map or a list of maps) that the mapping does not set itself.
fn merge_into(entries: &mut Vec<Entry>, merge: Node, b: &Builder) -> Result<(), YamlError> {
    let span = merge.origin.span;
    let sources = match merge.value {
        Value::Map(m) => vec![m],
        Value::Seq(items) => {
            let mut v = Vec::new();
            for n in items {
                match n.value {
                    Value::Map(m) => v.push(m),
                    _ => {
                        return Err(YamlError {
                            message: "a `<<` merge list may only hold mappings".into(),
                            span: n.origin.span,
                        });
                    }
                }
            }
            v
        }
        _ => {
            return Err(YamlError {
                message: "a `<<` merge value must be a mapping or a list of mappings".into(),
                span,
            });
        }
    };
    let _ = b;
    for m in sources {
        for e in m.entries {
            if !entries.iter().any(|x| x.key == e.key) {
                entries.push(e);
            }
        }
    }
    Ok(())
}

/// Resolves a scalar as go-yaml v3 does when decoding into `interface{}`, then as JSON would carry it.
pub fn resolve_scalar(text: &str, style: ScalarStyle, tag: Option<&str>) -> Value {
    match tag {
        Some("tag:yaml.org,2002:str") | Some("!!str") => return Value::Str(text.to_string()),
        Some("tag:yaml.org,2002:null") | Some("!!null") => return Value::Null,
        Some("tag:yaml.org,2002:bool") | Some("!!bool") => {
            if let Some(b) = parse_bool(text) {
                return Value::Bool(b);
            }
        }
        Some("tag:yaml.org,2002:int")
        | Some("!!int")
        | Some("tag:yaml.org,2002:float")
        | Some("!!float") => {
            if let Some(v) = parse_number(text) {
                return v;
            }
        }
        _ => {}
    }
    if style != ScalarStyle::Plain {
        return Value::Str(text.to_string());
    }
    resolve_plain(text)
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
        _ => {}
    }
    if let Some(b) = parse_bool(s) {
        return Value::Bool(b);
    }
    match s {
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    let first = s.as_bytes()[0];
    if first.is_ascii_digit() || first == b'+' || first == b'-' || first == b'.' {
        if let Some(t) = parse_timestamp(s) {
            return Value::Str(t);
        }
        if let Some(v) = parse_number(s) {
            return v;
        }
    }
    Value::Str(s.to_string())
}

/// An integer or float the way go-yaml v3 reads it, normalized as JSON would carry it.
fn parse_number(s: &str) -> Option<Value> {
    let plain: String = s.chars().filter(|c| *c != '_').collect();
    if plain.is_empty() {
        return None;
    }
    if let Some(i) = go_parse_int(&plain) {
        return Some(Value::Int(i));
    }
    if is_yaml_float(&plain) {
        let f: f64 = plain.parse().ok()?;
        return Some(normalize_float(f));
    }
    if s.starts_with('.') {
        let f: f64 = plain.parse().ok()?;
        return Some(normalize_float(f));
    }
    None
}

/// A float that JSON would print without a fraction comes back as an integer.
pub fn normalize_float(f: f64) -> Value {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e21 && f.abs() <= i64::MAX as f64 {
        Value::Int(f as i64)
    } else {
        Value::Float(f)
    }
}

/// `strconv.ParseInt(s, 0, 64)`, plus the `0b` / `0o` forms; a uint64 overflow becomes a float.
fn go_parse_int(s: &str) -> Option<i64> {
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
    let v = i128::from_str_radix(digits, radix).ok()?;
    let v = if neg { -v } else { v };
    i64::try_from(v).ok()
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

/// YAML timestamps (`2001-12-14`, `2001-12-14T21:59:43Z`, …) come out of kustomize as RFC 3339 strings.
fn parse_timestamp(s: &str) -> Option<String> {
    let b = s.as_bytes();
    if b.len() < 8 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return None;
    }
    let (date, time) = match s.find(['T', 't', ' ']) {
        Some(i) => (&s[..i], Some(s[i + 1..].trim_start())),
        None => (s, None),
    };
    let mut parts = date.split('-');
    let y: u32 = parts.next()?.parse().ok()?;
    let m: u32 = digits_1_2(parts.next()?)?;
    let d: u32 = digits_1_2(parts.next()?)?;
    if parts.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let Some(time) = time else {
        return Some(format!("{y:04}-{m:02}-{d:02}T00:00:00Z"));
    };
    // hh:mm:ss[.frac][Z|±hh:mm]
    let (clock, zone) = match time.find(['Z', 'z', '+', '-']) {
        Some(i) => (&time[..i], &time[i..]),
        None => (time, ""),
    };
    let clock = clock.trim_end();
    let (hms, frac) = match clock.split_once('.') {
        Some((a, f)) if f.chars().all(|c| c.is_ascii_digit()) && !f.is_empty() => (a, Some(f)),
        Some(_) => return None,
        None => (clock, None),
    };
    let mut p = hms.split(':');
    let h = digits_1_2(p.next()?)?;
    let mi = digits_1_2(p.next()?)?;
    let sec = digits_1_2(p.next()?)?;
    if p.next().is_some() {
        return None;
    }
    let frac = frac
        .map(|f| {
            let f = f.trim_end_matches('0');
            if f.is_empty() {
                String::new()
            } else {
                format!(".{}", &f[..f.len().min(9)])
            }
        })
        .unwrap_or_default();
    let zone = match zone {
        "" | "Z" | "z" => "Z".to_string(),
        z => {
            let sign = &z[..1];
            let rest = &z[1..];
            let (zh, zm) = match rest.split_once(':') {
                Some((a, b)) => (digits_1_2(a)?, digits_1_2(b)?),
                None => (digits_1_2(rest)?, 0),
            };
            if zh == 0 && zm == 0 {
                "Z".to_string()
            } else {
                format!("{sign}{zh:02}:{zm:02}")
            }
        }
    };
    Some(format!(
        "{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{sec:02}{frac}{zone}"
    ))
}

fn digits_1_2(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 2 || !s.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Node {
        parse_stream(text, FileId(0), SetBy::Resource)
            .expect("parses")
            .remove(0)
            .root
    }

    #[test]
    fn scalars_resolve_like_kustomize() {
        let n = one(
            "a: 1e3\nb: .5\nc: +1\nd: 0x1F\ne: 1_000\nf: True\ng: on\nh: ~\ni: 2001-12-14\nj: 0o17\nk: -0755\nl: 1.0\nm: 1.50\nq: 08\nv: y\nx: 0b101\nu: 12:30\n",
        );
        let get = |k: &str| n.get(k).expect(k).value.clone();
        assert_eq!(get("a"), Value::Int(1000));
        assert_eq!(get("b"), Value::Float(0.5));
        assert_eq!(get("c"), Value::Int(1));
        assert_eq!(get("d"), Value::Int(31));
        assert_eq!(get("e"), Value::Int(1000));
        assert_eq!(get("f"), Value::Bool(true));
        assert_eq!(get("g"), Value::Str("on".into()));
        assert_eq!(get("h"), Value::Null);
        assert_eq!(get("i"), Value::Str("2001-12-14T00:00:00Z".into()));
        assert_eq!(get("j"), Value::Int(15));
        assert_eq!(get("k"), Value::Int(-493));
        assert_eq!(get("l"), Value::Int(1));
        assert_eq!(get("m"), Value::Float(1.5));
        assert_eq!(get("q"), Value::Int(8));
        assert_eq!(get("v"), Value::Str("y".into()));
        assert_eq!(get("x"), Value::Int(5));
        assert_eq!(get("u"), Value::Str("12:30".into()));
    }

    #[test]
    fn spans_are_byte_offsets() {
        let text = "a: é\nb: x\n";
        let n = one(text);
        let b = n.get("b").expect("b");
        assert_eq!(&text[b.span().start as usize..b.span().end as usize], "x");
    }

    #[test]
    fn merge_keys_and_duplicates() {
        let n = one("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n");
        assert_eq!(n.get_path(&["m", "x"]).and_then(Node::as_i64), Some(1));
        assert_eq!(n.get_path(&["m", "y"]).and_then(Node::as_i64), Some(3));
        let err = parse_stream("a: 1\na: 2\n", FileId(0), SetBy::Resource).expect_err("dup");
        assert!(err.message.contains("duplicate"));
        assert_eq!(err.span.start, 5);
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let err = parse_stream(&text, FileId(0), SetBy::Resource).expect_err("bomb");
        assert!(err.message.contains("billion laughs"), "{}", err.message);
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = "[".repeat(5000);
        assert!(parse_stream(&text, FileId(0), SetBy::Resource).is_err());
    }

    #[test]
    fn multi_document_skips_empty() {
        let docs = parse_stream(
            "---\n# only a comment\n---\na: 1\n---\n",
            FileId(0),
            SetBy::Resource,
        )
        .expect("ok");
        assert_eq!(docs.len(), 1);
    }
}
