//! A fast path for the YAML that Kubernetes manifests and kustomizations are written in.
//!
//! saphyr's event stream is general but slow: a third of `build`'s time went to it. Most pieces use
//! only block mappings and sequences, single-line scalars, block scalars, comments and one-line
//! flow collections, so this reads those by recursive descent over lines and indentation, building
//! exactly the tree (values, spans, key spans) the saphyr path builds. Anything else — anchors,
//! tags, multi-line flow or quoted scalars, tabs, errors of any kind — returns `None` ("bail") and
//! the piece goes through saphyr, which stays the reference. The tests in `tests.rs` compare both.

use super::{Builder, Document, MAX_DEPTH, MAX_NODES, map_key};
use crate::source::Span;
use crate::yaml::node::{Entry, Map, Node, Origin, Value};
use crate::yaml::scalar::resolve_plain;

mod block_scalar;
mod flow;
mod quoted;
#[cfg(test)]
mod tests;

struct Line {
    start: usize,
    /// The newline's position (or the piece's end).
    end: usize,
    indent: usize,
    /// Holds something other than spaces and a comment.
    content: bool,
}

struct Fast<'p, 'b, 'a> {
    b: &'b Builder<'a>,
    src: &'p str,
    bytes: &'p [u8],
    /// The piece's offset in the file.
    base: usize,
    lines: Vec<Line>,
    /// The first line the construct just read did not consume.
    next: usize,
    nodes: usize,
    depth: usize,
}

/// Reads one document piece. `None`: outside the subset, let saphyr read it.
pub(super) fn parse(b: &mut Builder, piece: &str, start: usize) -> Option<Option<Document>> {
    if !plain_text(piece) {
        return None;
    }
    let mut f = Fast {
        b,
        src: piece,
        bytes: piece.as_bytes(),
        base: start,
        lines: lines(piece)?,
        next: 0,
        nodes: 0,
        depth: 0,
    };
    let doc = f.document()?;
    let nodes = f.nodes;
    if b.nodes + nodes > MAX_NODES {
        return None;
    }
    b.nodes += nodes;
    #[cfg(test)]
    tests::HITS.with(|h| h.set(h.get() + 1));
    Some(doc)
}

/// No non-ASCII line breaks, byte order marks or non-printable characters: saphyr's handling of
/// those is left to saphyr (`lines` refuses ASCII control characters, tabs included).
fn plain_text(piece: &str) -> bool {
    piece.is_ascii()
        || !piece.chars().any(|c| {
            matches!(
                c,
                '\u{80}'
                    ..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
            )
        })
}

fn lines(piece: &str) -> Option<Vec<Line>> {
    let bytes = piece.as_bytes();
    let mut out = Vec::with_capacity(bytes.len() / 16 + 1);
    let mut start = 0;
    while start < bytes.len() {
        let mut end = start;
        while end < bytes.len() && bytes[end] != b'\n' {
            if bytes[end] < 0x20 || bytes[end] == 0x7f {
                return None;
            }
            end += 1;
        }
        let text = &bytes[start..end];
        let indent = text.iter().take_while(|&&c| c == b' ').count();
        let content = indent < text.len() && text[indent] != b'#';
        // document markers and directives in the middle of a piece (`---` opening the piece is
        // handled by `document`)
        if indent == 0
            && ((start > 0 && text.starts_with(b"---"))
                || text.starts_with(b"...")
                || text.starts_with(b"%"))
        {
            return None;
        }
        out.push(Line {
            start,
            end,
            indent,
            content,
        });
        start = end + 1;
    }
    Some(out)
}

/// Characters that cannot start a plain scalar (quotes and flow openers are read elsewhere).
fn indicator(c: u8) -> bool {
    matches!(
        c,
        b'-' | b'?'
            | b':'
            | b','
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
    )
}

impl Fast<'_, '_, '_> {
    fn at(&self, i: usize, end: usize) -> u8 {
        if i < end { self.bytes[i] } else { 0 }
    }

    fn skip_spaces(&self, mut i: usize, end: usize) -> usize {
        while i < end && self.bytes[i] == b' ' {
            i += 1;
        }
        i
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.b.file, self.base + start, self.base + end)
    }

    fn node(&mut self, value: Value, start: usize, end: usize) -> Option<Node> {
        self.nodes += 1;
        Some(Node::new(
            value,
            Origin::new(self.span(start, end), self.b.by),
        ))
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth < MAX_DEPTH / 2).then_some(())
    }

    fn next_content(&self, from: usize) -> Option<usize> {
        (from..self.lines.len()).find(|&k| self.lines[k].content)
    }

    /// A `-` block entry indicator at `i` (on line `l`).
    fn is_dash(&self, l: usize, i: usize) -> bool {
        let end = self.lines[l].end;
        self.at(i, end) == b'-' && matches!(self.at(i + 1, end), b' ' | 0)
    }

    fn document(&mut self) -> Option<Option<Document>> {
        let mut first = 0;
        let explicit = self.bytes.starts_with(b"---");
        if explicit {
            let end = self.lines[0].end;
            let rest = self.skip_spaces(3, end);
            if rest < end && (rest == 3 || self.bytes[rest] != b'#') {
                return None;
            }
            first = 1;
        }
        let Some(l) = self.next_content(first) else {
            // saphyr reads an explicit empty document as an empty scalar, and counts it
            self.nodes += usize::from(explicit);
            return Some(None);
        };
        let line = &self.lines[l];
        let (col, p) = (line.indent, line.start + line.indent);
        let root = if self.is_dash(l, p) {
            self.seq(col, l, p, false)?
        } else {
            self.map(col, l, p)?
        };
        if self.next_content(self.next).is_some() {
            return None;
        }
        let start = if explicit { 0 } else { p };
        Some(Some(Document {
            span: self.span(start, self.src.len()),
            root,
        }))
    }

    /// A block mapping whose keys sit at column `col`; the first key is at `p` on line `l`.
    fn map(&mut self, col: usize, mut l: usize, mut p: usize) -> Option<Node> {
        self.enter()?;
        let start = p;
        let mut entries: Vec<Entry> = Vec::new();
        loop {
            let (key, key_span, colon) = self.key(l, p)?;
            if entries.iter().any(|e| e.key == key) {
                return None;
            }
            let value = self.map_value(col, l, colon)?;
            entries.push(Entry {
                key,
                key_span,
                value,
            });
            let Some(k) = self.next_content(self.next) else {
                break;
            };
            let line = &self.lines[k];
            if line.indent < col {
                break;
            }
            if line.indent > col || self.is_dash(k, line.start + col) {
                return None;
            }
            (l, p) = (k, line.start + col);
        }
        self.depth -= 1;
        let end = entries
            .last()
            .map_or(start, |e| e.value.span().end as usize - self.base);
        self.node(Value::Map(Map { entries }), start, end)
    }

    /// A block mapping key at `p`: its text, its span and the position of its `:`.
    fn key(&mut self, l: usize, p: usize) -> Option<(String, Span, usize)> {
        let end = self.lines[l].end;
        let c = self.bytes[p];
        let (node, colon) = if c == b'"' || c == b'\'' {
            let (text, close) = self.quoted(p, end)?;
            let colon = self.skip_spaces(close, end);
            if self.at(colon, end) != b':' || !matches!(self.at(colon + 1, end), b' ' | 0) {
                return None;
            }
            (self.node(Value::Str(text), p, colon)?, colon)
        } else {
            if indicator(c) {
                return None;
            }
            let mut colon = p;
            loop {
                match self.at(colon, end) {
                    0 => return None,
                    b':' if matches!(self.at(colon + 1, end), b' ' | 0) => break,
                    b'#' if self.bytes[colon - 1] == b' ' => return None,
                    _ => colon += 1,
                }
            }
            let mut e = colon;
            while self.bytes[e - 1] == b' ' {
                e -= 1;
            }
            if e - p > 1000 {
                return None;
            }
            let value = resolve_plain(&self.src[p..e]);
            (self.node(value, p, e)?, colon)
        };
        let (key, merge) = map_key(self.b, &node, self.depth).ok()?;
        if merge {
            return None;
        }
        Some((key, node.origin.span, colon))
    }

    /// The value after the `:` at `colon` of a key in a mapping at column `col`.
    fn map_value(&mut self, col: usize, l: usize, colon: usize) -> Option<Node> {
        let end = self.lines[l].end;
        let q = self.skip_spaces(colon + 1, end);
        if q < end && self.bytes[q] != b'#' {
            return self.inline(l, q, col, false);
        }
        self.next = l + 1;
        match self.next_content(l + 1) {
            Some(k) if self.lines[k].indent > col => self.nested(k),
            Some(k)
                if self.lines[k].indent == col && self.is_dash(k, self.lines[k].start + col) =>
            {
                self.seq(col, k, self.lines[k].start + col, true)
            }
            _ => self.node(Value::Null, colon, colon),
        }
    }

    /// A block collection starting on its own line `k`.
    fn nested(&mut self, k: usize) -> Option<Node> {
        let line = &self.lines[k];
        let (col, p) = (line.indent, line.start + line.indent);
        if self.is_dash(k, p) {
            self.seq(col, k, p, false)
        } else {
            self.map(col, k, p)
        }
    }

    /// A block sequence whose `-` sit at column `col`, the first at `dash` on line `l`. An
    /// indentless sequence (a mapping value at the mapping's own column) starts where its first
    /// entry's content does, as saphyr marks it.
    fn seq(&mut self, col: usize, mut l: usize, mut dash: usize, indentless: bool) -> Option<Node> {
        self.enter()?;
        let start = if indentless {
            let end = self.lines[l].end;
            let q = self.skip_spaces(dash + 1, end);
            if q < end && self.bytes[q] != b'#' {
                q
            } else {
                end
            }
        } else {
            dash
        };
        let mut items = Vec::new();
        loop {
            items.push(self.seq_item(col, l, dash)?);
            let Some(k) = self.next_content(self.next) else {
                break;
            };
            let line = &self.lines[k];
            if line.indent != col || !self.is_dash(k, line.start + col) {
                break;
            }
            (l, dash) = (k, line.start + col);
        }
        self.depth -= 1;
        let end = items
            .last()
            .map_or(start, |n: &Node| n.span().end as usize - self.base);
        self.node(Value::Seq(items), start, end)
    }

    fn seq_item(&mut self, col: usize, l: usize, dash: usize) -> Option<Node> {
        let end = self.lines[l].end;
        let q = self.skip_spaces(dash + 1, end);
        if q < end && self.bytes[q] != b'#' {
            return self.inline(l, q, col, true);
        }
        self.next = l + 1;
        match self.next_content(l + 1) {
            Some(k) if self.lines[k].indent > col => self.nested(k),
            _ => self.node(Value::Null, end, end),
        }
    }

    /// A node starting at `q` on line `l`, inside a block collection at column `col`. `compact`:
    /// a sequence entry, where a nested sequence or mapping may start on the same line.
    fn inline(&mut self, l: usize, q: usize, col: usize, compact: bool) -> Option<Node> {
        let line = &self.lines[l];
        let (end, here) = (line.end, q - line.start);
        self.next = l + 1;
        match self.bytes[q] {
            b'-' if self.is_dash(l, q) => {
                if compact {
                    self.seq(here, l, q, false)
                } else {
                    None
                }
            }
            b'|' | b'>' => self.block_scalar(l, q, col),
            b'[' | b'{' => {
                let (node, after) = self.flow(q, end)?;
                self.rest_is_comment(after, end)?;
                Some(node)
            }
            b'"' | b'\'' => {
                let (text, close) = self.quoted(q, end)?;
                let after = self.skip_spaces(close, end);
                if self.at(after, end) == b':' {
                    return if compact { self.map(here, l, q) } else { None };
                }
                self.rest_is_comment(close, end)?;
                self.node(Value::Str(text), q, end)
            }
            // `-` followed by a non-blank (`-1`, `--flag`) starts a plain scalar
            c if indicator(c) && c != b'-' => None,
            _ => {
                let mut i = q;
                let mut e = q;
                while i < end {
                    match self.bytes[i] {
                        b':' if matches!(self.at(i + 1, end), b' ' | 0) => {
                            return if compact { self.map(here, l, q) } else { None };
                        }
                        b'#' if self.bytes[i - 1] == b' ' => break,
                        b' ' => {}
                        _ => e = i + 1,
                    }
                    i += 1;
                }
                let value = resolve_plain(&self.src[q..e]);
                self.node(value, q, e)
            }
        }
    }

    /// Only spaces and a comment may follow a node that ends at `i`.
    fn rest_is_comment(&self, i: usize, end: usize) -> Option<()> {
        let j = self.skip_spaces(i, end);
        (j == end || (j > i && self.bytes[j] == b'#')).then_some(())
    }
}
