//! Flow collections (`[a, b]`, `{a: 1}`) that close on the line they open on. Empty entries,
//! trailing commas, implicit pairs, `:` in plain scalars and comments inside bail.

use super::{Fast, indicator};
use crate::yaml::node::{Entry, Map, Node, Value};
use crate::yaml::parse::map_key;
use crate::yaml::scalar::resolve_plain;

impl Fast<'_, '_, '_> {
    /// The flow collection opening at `p`, and the position after its closing bracket.
    pub(super) fn flow(&mut self, p: usize, end: usize) -> Option<(Node, usize)> {
        self.enter()?;
        let close = if self.bytes[p] == b'[' { b']' } else { b'}' };
        let mut items: Vec<Node> = Vec::new();
        let mut entries: Vec<Entry> = Vec::new();
        let mut i = self.skip_spaces(p + 1, end);
        if self.at(i, end) == close {
            self.depth -= 1;
            let value = if close == b']' {
                Value::Seq(items)
            } else {
                Value::Map(Map { entries })
            };
            // saphyr's closing-bracket token runs over the spaces and comment after it
            let mut last = self.skip_spaces(i + 1, end);
            if last > i + 1 && self.at(last, end) == b'#' {
                last = end;
            }
            return Some((self.node(value, p, last)?, i + 1));
        }
        loop {
            if close == b']' {
                let (node, after) = self.flow_node(i, end)?;
                items.push(node);
                i = after;
            } else {
                if matches!(self.at(i, end), b'[' | b'{') {
                    return None;
                }
                let (key_node, after) = self.flow_node(i, end)?;
                if self.at(after, end) != b':' || self.at(after + 1, end) != b' ' {
                    return None;
                }
                let (key, merge) = map_key(self.b, &key_node, self.depth).ok()?;
                if merge || entries.iter().any(|e| e.key == key) {
                    return None;
                }
                let (value, after) = self.flow_node(self.skip_spaces(after + 1, end), end)?;
                entries.push(Entry {
                    key,
                    key_span: key_node.span(),
                    value,
                });
                i = after;
            }
            match self.at(i, end) {
                b',' => {
                    i = self.skip_spaces(i + 1, end);
                    if matches!(self.at(i, end), b']' | b'}' | b',' | 0) {
                        return None;
                    }
                }
                c if c == close => {
                    i += 1;
                    break;
                }
                _ => return None,
            }
        }
        self.depth -= 1;
        let (value, last) = if close == b']' {
            let last = items.last().map(|n| n.span().end);
            (Value::Seq(items), last)
        } else {
            let last = entries.last().map(|e| e.value.span().end);
            (Value::Map(Map { entries }), last)
        };
        let last = last.map_or(i, |e| e as usize - self.base);
        Some((self.node(value, p, last)?, i))
    }

    /// A node inside a flow collection at `i`, and the position of the next token after it.
    fn flow_node(&mut self, i: usize, end: usize) -> Option<(Node, usize)> {
        match self.at(i, end) {
            b'[' | b'{' => {
                let (node, after) = self.flow(i, end)?;
                Some((node, self.skip_spaces(after, end)))
            }
            b'"' | b'\'' => {
                let (text, close) = self.quoted(i, end)?;
                let after = self.skip_spaces(close, end);
                Some((self.node(Value::Str(text), i, after)?, after))
            }
            b'-' if !matches!(
                self.at(i + 1, end),
                b' ' | 0 | b',' | b'[' | b']' | b'{' | b'}'
            ) =>
            {
                self.flow_plain(i, end)
            }
            c if c == 0 || indicator(c) => None,
            _ => self.flow_plain(i, end),
        }
    }

    fn flow_plain(&mut self, i: usize, end: usize) -> Option<(Node, usize)> {
        let mut j = i;
        let mut e = i;
        loop {
            match self.at(j, end) {
                0 => return None,
                b',' | b'[' | b']' | b'{' | b'}' => break,
                b':' if self.at(j + 1, end) == b' ' => break,
                b':' => return None,
                b'#' if self.bytes[j - 1] == b' ' => return None,
                b' ' => {}
                _ => e = j + 1,
            }
            j += 1;
        }
        let value = resolve_plain(&self.src[i..e]);
        Some((self.node(value, i, e)?, j))
    }
}
