//! Multi-document YAML → [`Node`] trees with byte spans, on top of saphyr-parser's event stream
//! (after a fast path, [`fast`], that reads the common manifest subset into the same trees).
//!
//! Documents are split the way kustomize's reader splits them (a line starting with `---`, then one
//! document read from each piece), and scalars are resolved as kustomize carries them (see
//! [`super::scalar`]). `<<` merge keys are expanded. Aliases are expanded with a node budget, so an
//! alias bomb ends in an error instead of exhausting memory.

use std::cell::OnceCell;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span as YSpan};

use super::node::{Entry, Map, Node, Origin, SetBy, Value};
use super::scalar::{is_non_string_key, parse_timestamp, resolve_scalar};
pub use super::scalar::{normalize_float, resolve_plain};
use crate::source::{FileId, Span};

mod fast;

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
    /// Byte offset of the piece being parsed, and its first line (0-based).
    base: usize,
    base_line: usize,
    ascii: bool,
    /// Line start offsets, computed only when saphyr reads a non-ASCII piece.
    line_starts: OnceCell<Vec<usize>>,
    file: FileId,
    by: SetBy,
    nodes: usize,
    /// Try the fast path (see [`fast`]) before saphyr.
    fast: bool,
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
            return (self.base + m.index()).min(self.text.len());
        }
        let line = self.base_line + m.line().saturating_sub(1);
        let Some(&start) = self.line_starts().get(line) else {
            return self.text.len();
        };
        match self.text[start..].char_indices().nth(m.col()) {
            Some((i, _)) => start + i,
            None => self.text.len(),
        }
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            let mut starts = vec![0usize];
            starts.extend(
                self.text
                    .bytes()
                    .enumerate()
                    .filter(|(_, b)| *b == b'\n')
                    .map(|(i, _)| i + 1),
            );
            starts
        })
    }

    fn span(&self, s: &YSpan) -> Span {
        Span::new(self.file, self.offset(&s.start), self.offset(&s.end))
    }

    fn origin(&self, span: Span) -> Origin {
        Origin::new(span, self.by)
    }

    fn err(&self, message: impl Into<String>, span: Span) -> YamlError {
        YamlError {
            message: message.into(),
            span,
        }
    }

    fn count(&mut self, n: usize, span: Span) -> Result<(), YamlError> {
        self.nodes += n;
        if self.nodes > MAX_NODES {
            return Err(self.err(
                format!(
                    "this file expands to more than {MAX_NODES} nodes; aliases that refer to aliases (a \"billion laughs\" document?) are refused"
                ),
                span,
            ));
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

/// kustomize's document split: a `\n---…\n` line ends a piece, and only blanks or a comment may
/// follow the dashes. Returns byte ranges; each non-last piece keeps its closing newline.
pub fn split_documents(text: &str) -> Result<Vec<(usize, usize)>, (String, usize)> {
    let mut pieces = Vec::new();
    let mut prev = 0;
    let mut from = 0;
    while let Some(i) = text[from..].find("\n---").map(|i| i + from) {
        let Some(j) = text[i + 4..].find('\n').map(|j| j + i + 4) else {
            break;
        };
        let rest = text[i + 4..j].trim();
        if !rest.is_empty() && !rest.starts_with('#') {
            return Err((
                format!("invalid document separator: {}", text[i + 1..j].trim()),
                i + 1,
            ));
        }
        pieces.push((prev, i + 1));
        prev = j + 1;
        from = j + 1;
    }
    if !text.is_empty() {
        pieces.push((prev, text.len()));
    }
    Ok(pieces)
}

/// Parses every document of a YAML stream. Empty and null documents are skipped.
pub fn parse_stream(text: &str, file: FileId, by: SetBy) -> Result<Vec<Document>, YamlError> {
    parse_stream_with(text, file, by, true)
}

fn parse_stream_with(
    text: &str,
    file: FileId,
    by: SetBy,
    fast: bool,
) -> Result<Vec<Document>, YamlError> {
    let pieces = split_documents(text).map_err(|(message, at)| YamlError {
        message,
        span: Span::new(file, at, at + 3),
    })?;
    let mut b = Builder {
        text,
        base: 0,
        base_line: 0,
        ascii: text.is_ascii(),
        line_starts: OnceCell::new(),
        file,
        by,
        nodes: 0,
        fast,
    };
    let mut docs = Vec::new();
    for (start, end) in pieces {
        b.base = start;
        if let Some(doc) = parse_piece(&mut b, start, end)? {
            docs.push(doc);
        }
    }
    Ok(docs)
}

/// Tab separators that go-yaml accepts and saphyr refuses (`key:<TAB>value`): the tabs before the
/// error mark become spaces (same byte length, so spans stay right) and the piece is read again.
fn untab(piece: &str, at: usize) -> Option<String> {
    let bytes = piece.as_bytes();
    let mut i = at.min(bytes.len());
    while i > 0 && (bytes[i - 1] == b'\t' || bytes[i - 1] == b' ') {
        i -= 1;
    }
    if !bytes[i..at.min(bytes.len())].contains(&b'\t') {
        return None;
    }
    let mut out = piece.as_bytes().to_vec();
    for c in &mut out[i..at] {
        if *c == b'\t' {
            *c = b' ';
        }
    }
    String::from_utf8(out).ok()
}

fn parse_piece(b: &mut Builder, start: usize, end: usize) -> Result<Option<Document>, YamlError> {
    let piece = &b.text[start..end];
    // go-yaml refuses a document end marker before any content
    let first = piece
        .lines()
        .map(str::trim_end)
        .find(|l| !l.trim_start().is_empty() && !l.trim_start().starts_with('#'));
    if let Some(l) = first
        && (l == "..." || l.starts_with("... ") || l.starts_with("...\t"))
    {
        let at = start + piece.find("...").unwrap_or(0);
        return Err(b.err(
            "invalid YAML: did not find expected node content",
            Span::new(b.file, at, at + 3),
        ));
    }
    if b.fast
        && let Some(doc) = fast::parse(b, piece, start)
    {
        return Ok(doc);
    }
    if !b.ascii {
        b.base_line = b.line_starts().partition_point(|&l| l <= start) - 1;
    }
    let mut owned: Option<String> = None;
    for _ in 0..1000 {
        let text = owned.as_deref().unwrap_or(piece);
        match parse_first_document(b, text, start) {
            Err(Retry::Tab(at)) => match untab(text, at - start) {
                Some(fixed) => owned = Some(fixed),
                None => return Err(b.err(TAB_MESSAGE, Span::new(b.file, at, at))),
            },
            Err(Retry::Fail(e)) => return Err(e),
            Ok(d) => return Ok(d),
        }
    }
    Err(b.err(TAB_MESSAGE, Span::new(b.file, start, start)))
}

const TAB_MESSAGE: &str = "invalid YAML: a tab where a space is needed";

enum Retry {
    Tab(usize),
    Fail(YamlError),
}

impl From<YamlError> for Retry {
    fn from(e: YamlError) -> Retry {
        Retry::Fail(e)
    }
}

/// The first document of one piece (go-yaml's decoder reads no further).
fn parse_first_document(
    b: &mut Builder,
    piece: &str,
    start: usize,
) -> Result<Option<Document>, Retry> {
    let file = b.file;
    let mut parser = Parser::new_from_str(piece);
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut doc_root: Option<Node> = None;
    let mut doc_start = start;
    let mut doc_end = start;
    let mut in_doc = false;

    loop {
        let (ev, yspan) = match parser.next_event() {
            None => break,
            Some(Ok(x)) => x,
            Some(Err(e)) => {
                let off = b.offset(e.marker());
                if e.info()
                    .contains("must be followed by a valid YAML whitespace")
                {
                    return Err(Retry::Tab(off));
                }
                return Err(b
                    .err(
                        format!("invalid YAML: {}", e.info()),
                        Span::new(file, off, off),
                    )
                    .into());
            }
        };
        let span = b.span(&yspan);
        let completed: Option<(Node, usize)> = match ev {
            Event::StreamStart | Event::Nothing => None,
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                in_doc = true;
                doc_start = span.start as usize;
                None
            }
            Event::DocumentEnd => {
                doc_end = span.end as usize;
                break;
            }
            Event::Alias(id) => {
                let Some(n) = anchors.get(&id) else {
                    return Err(b
                        .err(
                            "alias refers to an anchor that is not defined in this document",
                            span,
                        )
                        .into());
                };
                let mut n = n.clone();
                b.count(node_count(&n), span)?;
                // The alias is where a collection is used; a scalar keeps its own text's span
                // (kustomize copies an aliased annotation value as written at the anchor).
                if matches!(n.value, Value::Seq(_) | Value::Map(_)) {
                    n.origin = b.origin(span);
                }
                Some((n, 0))
            }
            Event::Scalar(text, style, anchor, tag) => {
                b.count(1, span)?;
                let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
                let value = resolve_scalar(&text, style != ScalarStyle::Plain, tag.as_deref())
                    .map_err(|m| b.err(m, span))?;
                Some((Node::new(value, b.origin(span)), anchor))
            }
            Event::SequenceStart(anchor, _) => {
                b.count(1, span)?;
                if stack.len() >= MAX_DEPTH {
                    return Err(b
                        .err(
                            format!("nesting deeper than {MAX_DEPTH} levels is refused"),
                            span,
                        )
                        .into());
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
                    return Err(b
                        .err(
                            format!("nesting deeper than {MAX_DEPTH} levels is refused"),
                            span,
                        )
                        .into());
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
                        merge_into(&mut entries, m)?;
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
        let depth = stack.len();
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
                    let (key, is_merge) = map_key(b, &node, depth)?;
                    if !is_merge && entries.iter().any(|e| e.key == key) {
                        return Err(b
                            .err(format!("duplicate mapping key \"{key}\""), node.origin.span)
                            .into());
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
    let _ = in_doc;
    match doc_root {
        Some(root) if !root.is_null() => {
            let end = doc_end.max(root.origin.span.end as usize);
            Ok(Some(Document {
                span: Span::new(file, doc_start, end),
                root,
            }))
        }
        _ => Ok(None),
    }
}

/// The text of a mapping key, and whether it is a `<<` merge key.
fn map_key(b: &Builder, node: &Node, depth: usize) -> Result<(String, bool), YamlError> {
    let raw = b
        .text
        .get(node.origin.span.start as usize..node.origin.span.end as usize)
        .unwrap_or("");
    let plain = !raw.starts_with(['"', '\'', '!', '&', '|', '>']);
    if let Value::Seq(_) | Value::Map(_) = node.value {
        return Err(b.err("a mapping key must be a scalar", node.origin.span));
    }
    if let Value::Str(s) = &node.value {
        if plain && raw == "<<" {
            return Ok((s.clone(), true));
        }
        // a timestamp key keeps its text (go-yaml reads the key's text into a string)
        if !(plain && parse_timestamp(raw).is_some()) {
            return Ok((s.clone(), false));
        }
    }
    // kustomize turns every resource into JSON: below the top level only string keys survive
    if b.by == SetBy::Resource && depth > 1 && plain && is_non_string_key(raw) {
        return Err(b.err(
            format!(
                "mapping key {raw:?} is not a string: kustomize cannot convert this resource to JSON"
            ),
            node.origin.span,
        ));
    }
    // keys keep their source text: `1.0` stays "1.0", `0x10` stays "0x10"
    if raw.is_empty() || !plain {
        return Ok((node.scalar_string().unwrap_or_default(), false));
    }
    Ok((raw.to_string(), false))
}

/// Adds the keys of a `<<` merge value (a map or a list of maps) that the mapping does not set itself.
fn merge_into(entries: &mut Vec<Entry>, merge: Node) -> Result<(), YamlError> {
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
    for m in sources {
        for e in m.entries {
            if !entries.iter().any(|x| x.key == e.key) {
                entries.push(e);
            }
        }
    }
    Ok(())
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
