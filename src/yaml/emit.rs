//! Emits [`Node`] trees as YAML in kustomize's style: keys sorted, list items flush with their key,
//! strings quoted whenever a YAML 1.1 or 1.2 reader could take them for something else.

use std::borrow::Cow;

use super::node::{Node, SetBy, Value};
use super::parse::resolve_plain;
use super::scalar::{go_g_float, go_json_float};
use crate::source::Span;

/// Describes a span for `--origins` comments (`path:line`).
pub type OriginLabel<'a> = &'a dyn Fn(Span) -> String;

/// One document, without the `---` separator.
pub fn emit_document(node: &Node, origins: Option<OriginLabel>) -> String {
    let mut out = String::new();
    let e = Emitter { origins };
    match &node.value {
        Value::Map(m) if !m.is_empty() => e.map_body(node, 0, &mut out),
        Value::Seq(s) if !s.is_empty() => e.seq_body(node, 0, &mut out),
        _ => {
            e.scalar_inline(node, 0, &mut out);
            out.push('\n');
        }
    }
    out
}

/// A stream of documents separated by `---`.
pub fn emit_stream<'a>(
    docs: impl IntoIterator<Item = &'a Node>,
    origins: Option<OriginLabel>,
) -> String {
    let mut out = String::new();
    for (i, d) in docs.into_iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        out.push_str(&emit_document(d, origins));
    }
    out
}

struct Emitter<'a> {
    origins: Option<OriginLabel<'a>>,
}

fn indent(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push(' ');
    }
}

impl Emitter<'_> {
    fn comment(&self, node: &Node, out: &mut String) {
        if let Some(f) = self.origins
            && node.origin.by != SetBy::Resource
            && !node.origin.span.is_none()
        {
            out.push_str(" # ");
            out.push_str(&f(node.origin.span));
        }
    }

    fn map_body(&self, node: &Node, ind: usize, out: &mut String) {
        let Value::Map(m) = &node.value else { return };
        let mut entries: Vec<_> = m.entries.iter().collect();
        entries.sort_by(|a, b| key_less(&a.key, &b.key));
        for (i, e) in entries.iter().enumerate() {
            if i > 0 {
                indent(out, ind);
            }
            out.push_str(&quote_key(&e.key));
            out.push(':');
            self.value_after_key(&e.value, ind, out);
        }
    }

    /// Writes a value after `key:` (the colon already written).
    fn value_after_key(&self, v: &Node, ind: usize, out: &mut String) {
        match &v.value {
            Value::Map(m) if !m.is_empty() => {
                out.push('\n');
                indent(out, ind + 2);
                self.map_body(v, ind + 2, out);
            }
            Value::Seq(s) if !s.is_empty() => {
                out.push('\n');
                indent(out, ind);
                self.seq_body(v, ind, out);
            }
            _ => {
                out.push(' ');
                self.scalar_inline(v, ind, out);
                out.push('\n');
            }
        }
    }

    fn seq_body(&self, node: &Node, ind: usize, out: &mut String) {
        let Value::Seq(items) = &node.value else {
            return;
        };
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                indent(out, ind);
            }
            out.push_str("- ");
            match &item.value {
                Value::Map(m) if !m.is_empty() => self.map_body(item, ind + 2, out),
                Value::Seq(s) if !s.is_empty() => self.seq_body(item, ind + 2, out),
                _ => {
                    self.scalar_inline(item, ind, out);
                    out.push('\n');
                }
            }
        }
    }

    /// A scalar or empty collection on the current line (no trailing newline, except inside blocks).
    fn scalar_inline(&self, v: &Node, ind: usize, out: &mut String) {
        match &v.value {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => out.push_str(&i.to_string()),
            Value::Float(f) => out.push_str(&format_float(*f)),
            Value::Seq(_) => out.push_str("[]"),
            Value::Map(_) => out.push_str("{}"),
            Value::Str(s) => {
                if let Some(block) = literal_block(s, ind + 2) {
                    let (header, body) = block;
                    out.push_str(&header);
                    self.comment(v, out);
                    out.push('\n');
                    // body ends with a newline; the caller adds one more, so drop ours
                    out.push_str(body.strip_suffix('\n').unwrap_or(&body));
                    return;
                }
                out.push_str(&quote(s));
            }
        }
        self.comment(v, out);
    }
}

/// Formats a float as kubectl prints it: Go's JSON text when that reads back as an integer,
/// otherwise Go's shortest `%g` (go-yaml v2 re-reads the JSON before printing it).
pub fn format_float(f: f64) -> String {
    if f.is_finite() {
        let json = go_json_float(f);
        if json.parse::<i64>().is_ok() || json.parse::<u64>().is_ok() {
            return json;
        }
    }
    go_g_float(f)
}

/// go-yaml v2's key order: letters after other characters, digit runs compared as numbers.
pub fn key_less(a: &str, b: &str) -> std::cmp::Ordering {
    if a.is_ascii() && b.is_ascii() {
        key_less_by(a.as_bytes(), b.as_bytes(), |c: &u8| c.is_ascii_alphabetic())
    } else {
        let ar: Vec<char> = a.chars().collect();
        let br: Vec<char> = b.chars().collect();
        key_less_by(&ar, &br, |c: &char| c.is_alphabetic())
    }
}

fn key_less_by<C: Copy + Ord + Into<u32>>(
    ar: &[C],
    br: &[C],
    letter: impl Fn(&C) -> bool,
) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let digit = |c: C| (0x30..=0x39).contains(&c.into());
    let value = |c: C| c.into() as i64 - 0x30;
    let mut i = 0;
    while i < ar.len() && i < br.len() {
        if ar[i] == br[i] {
            i += 1;
            continue;
        }
        let al = letter(&ar[i]);
        let bl = letter(&br[i]);
        if al && bl {
            return ar[i].cmp(&br[i]);
        }
        if al || bl {
            return if bl {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
        let (mut an, mut bn) = (0i64, 0i64);
        if value(ar[i]) == 0 || value(br[i]) == 0 {
            let mut j = i;
            while j > 0 && digit(ar[j - 1]) {
                j -= 1;
                if value(ar[j]) != 0 {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && digit(ar[ai]) {
            an = an.wrapping_mul(10).wrapping_add(value(ar[ai]));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && digit(br[bi]) {
            bn = bn.wrapping_mul(10).wrapping_add(value(br[bi]));
            bi += 1;
        }
        if an != bn {
            return an.cmp(&bn);
        }
        if ai != bi {
            return ai.cmp(&bi);
        }
        return ar[i].cmp(&br[i]);
    }
    ar.len().cmp(&br.len())
}

/// A `|` block for multi-line strings that a literal block can carry exactly.
fn literal_block(s: &str, ind: usize) -> Option<(String, String)> {
    if !s.contains('\n') {
        return None;
    }
    // tabs: go-yaml prints those strings quoted, and kustomize cannot re-read a block with a leading
    // tab; U+2028/U+2029/U+0085 break lines for YAML 1.1 readers
    if s.chars()
        .any(|c| c == '\t' || (c != '\n' && !is_printable(c)))
    {
        return None;
    }
    // lines that are only whitespace before content, or trailing spaces, can't be kept exactly
    let content = s.trim_end_matches('\n');
    if content.is_empty() {
        return None;
    }
    if content
        .lines()
        .any(|l| l.ends_with(' ') || l.ends_with('\t'))
    {
        return None;
    }
    let trailing = s.len() - content.len();
    let chomp = match trailing {
        0 => "-",
        1 => "",
        _ => "+",
    };
    // the indentation is guessed from the first non-empty line: say it when that line is indented
    let first = content.lines().find(|l| !l.is_empty()).unwrap_or("");
    let indicator = if first.starts_with(' ') || first.starts_with('\t') {
        "2"
    } else {
        ""
    };
    let mut body = String::new();
    for line in s.split_inclusive('\n') {
        if line != "\n" {
            for _ in 0..ind {
                body.push(' ');
            }
        }
        body.push_str(line);
    }
    if !body.ends_with('\n') {
        body.push('\n');
    }
    Some((format!("|{indicator}{chomp}"), body))
}

const YAML11_WORDS: &[&str] = &[
    "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false",
    "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "~", "null", "Null", "NULL", "=",
    "<<", ".inf", ".Inf", ".INF", "-.inf", "-.Inf", "-.INF", "+.inf", "+.Inf", "+.INF", ".nan",
    ".NaN", ".NAN",
];

/// Would some YAML reader (1.1 or 1.2) read this plain text as something other than this string?
fn ambiguous(s: &str) -> bool {
    // fast path: most strings start with a letter that begins no YAML word, number or date
    if s.as_bytes()[0].is_ascii_alphabetic() && !b"yYnNtTfFoO".contains(&s.as_bytes()[0]) {
        return false;
    }
    if YAML11_WORDS.contains(&s) {
        return true;
    }
    if !matches!(resolve_plain(s), Value::Str(ref x) if x == s) {
        return true;
    }
    let b = s.as_bytes();
    let numeric_start = b[0].is_ascii_digit()
        || ((b[0] == b'-' || b[0] == b'+' || b[0] == b'.')
            && b.get(1).is_some_and(|c| c.is_ascii_digit() || *c == b'.'));
    numeric_start
        && s.chars()
            .all(|c| c.is_ascii_hexdigit() || "xXoO_.:+-eEtTzZ ".contains(c))
}

fn needs_quotes(s: &str) -> bool {
    if s.is_empty() || s.trim() != s {
        return true;
    }
    let first = s.chars().next().unwrap_or(' ');
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        // `-x`, `?x`, `:x` are plain-safe when followed by a non-space, but quoting is never wrong
        return true;
    }
    // `---` and `...` open a line as document markers; `: `, ` #` and tabs are found in one pass
    // over the bytes (this runs for every key and string emitted)
    s.ends_with(':')
        || s.starts_with("---")
        || s.starts_with("...")
        || s.as_bytes().windows(2).any(|w| w == b": " || w == b" #")
        || s.as_bytes().contains(&b'\t')
}

fn is_printable(c: char) -> bool {
    !(c.is_control() || c == '\u{feff}' || c == '\u{2028}' || c == '\u{2029}')
}

/// Quotes a string scalar when it must be quoted; double quotes for look-alikes of other types and
/// for text with non-printable characters, single quotes otherwise.
pub fn quote_str(s: &str) -> String {
    quote(s).into_owned()
}

/// [`quote_str`], borrowing the text when it needs no quotes (most keys and values).
fn quote(s: &str) -> Cow<'_, str> {
    if !all_printable(s) {
        return Cow::Owned(double_quoted(s));
    }
    if !s.is_empty() && ambiguous(s) {
        return Cow::Owned(double_quoted(s));
    }
    if needs_quotes(s) {
        if s.is_empty() {
            return Cow::Borrowed("\"\"");
        }
        return Cow::Owned(format!("'{}'", s.replace('\'', "''")));
    }
    Cow::Borrowed(s)
}

/// `s.chars().all(is_printable)`; ASCII is checked by byte (its controls are 0x00–0x1f and 0x7f).
fn all_printable(s: &str) -> bool {
    if s.is_ascii() {
        return s.bytes().all(|b| b >= 0x20 && b != 0x7f);
    }
    s.chars().all(is_printable)
}

fn quote_key(s: &str) -> Cow<'_, str> {
    quote(s)
}

fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if !is_printable(c) => {
                let n = c as u32;
                if n <= 0xff {
                    out.push_str(&format!("\\x{n:02x}"));
                } else if n <= 0xffff {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
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
    use crate::source::FileId;
    use crate::yaml::parse::parse_stream;

    fn round_trip(text: &str) {
        let docs = parse_stream(text, FileId(0), SetBy::Resource).expect("parse");
        let out = emit_stream(docs.iter().map(|d| &d.root), None);
        let again = parse_stream(&out, FileId(0), SetBy::Resource).expect("reparse");
        assert_eq!(docs.len(), again.len());
        for (a, b) in docs.iter().zip(&again) {
            assert!(
                a.root.same_value(&b.root),
                "changed:\n{text}\n--- emitted:\n{out}"
            );
        }
    }

    #[test]
    fn quotes_what_readers_would_misread() {
        for s in [
            "yes", "on", "0755", "1e3", "~", "y", "12:30", "1_000", "", " x", "a: b", "#c", "null",
            "0x1F", "-1", ".5",
        ] {
            let q = quote_str(s);
            assert!(q.starts_with('"') || q.starts_with('\''), "{s} -> {q}");
        }
        assert_eq!(quote_str("nginx:1.25"), "nginx:1.25");
        assert_eq!(quote_str("yes"), "\"yes\"");
    }

    #[test]
    fn round_trips() {
        round_trip(
            "a: 'yes'\nb: \"0755\"\nc: \"a\\nb\\n\"\nd: \"  lead\\n x\\n\"\ne: [1, [2, [3]], {}]\nf: {g: [], h: \"x #y\"}\ni: \"\\x01\"\nj: 1.5\nk: \"multi\\n\\n\"\nl: \"no newline\\nend\"\n",
        );
        round_trip("- a\n- - b\n  - c\n- {x: 1}\n");
    }

    /// A small xorshift generator: the property test needs no dependency.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    const PIECES: &[&str] = &[
        "a",
        "x",
        "0",
        "1",
        "7",
        "e",
        "E",
        ".",
        "-",
        "+",
        "_",
        ":",
        " ",
        "  ",
        "\n",
        "\t",
        "#",
        "'",
        "\"",
        "\\",
        "!",
        "&",
        "*",
        "|",
        ">",
        "%",
        "@",
        "`",
        "{",
        "}",
        "[",
        "]",
        ",",
        "?",
        "~",
        "y",
        "no",
        "on",
        "null",
        "true",
        "0x",
        "0o",
        "0b",
        "2001-12-14",
        "T",
        "Z",
        "é",
        "\u{2028}",
        "\u{85}",
        "\r",
        "\u{feff}",
        "\u{1}",
        "<<",
        "---",
        "...",
        ".inf",
        "1e3",
        " #",
        ": ",
        "- ",
        "\n\n",
        "😀",
        "\u{a0}",
    ];

    fn random_string(r: &mut Rng) -> String {
        let n = r.below(6);
        (0..n)
            .map(|_| PIECES[r.below(PIECES.len() as u64) as usize])
            .collect()
    }

    fn random_node(r: &mut Rng, depth: u32) -> Node {
        use crate::yaml::{Entry, Map, Origin};
        let o = Origin::none();
        let pick = if depth > 3 { r.below(5) } else { r.below(8) };
        let value = match pick {
            0 => Value::Null,
            1 => Value::Bool(r.below(2) == 0),
            2 => Value::Int(r.next() as i64 >> r.below(64)),
            3 => {
                let f = f64::from_bits(r.next());
                Value::Float(if f.is_finite() { f } else { 0.5 })
            }
            4 => Value::Str(random_string(r)),
            5 | 6 => {
                let mut m = Map::new();
                for _ in 0..r.below(4) {
                    let key = random_string(r);
                    if !m.contains_key(&key) {
                        m.entries.push(Entry {
                            key,
                            key_span: Span::NONE,
                            value: random_node(r, depth + 1),
                        });
                    }
                }
                Value::Map(m)
            }
            _ => Value::Seq((0..r.below(4)).map(|_| random_node(r, depth + 1)).collect()),
        };
        Node::new(value, o)
    }

    #[test]
    fn random_trees_round_trip() {
        let mut r = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..3000 {
            let mut root = random_node(&mut r, 1);
            if !matches!(root.value, Value::Map(_)) {
                root = Node::new(
                    Value::Map(crate::yaml::Map {
                        entries: vec![crate::yaml::Entry {
                            key: "k".into(),
                            key_span: Span::NONE,
                            value: root,
                        }],
                    }),
                    crate::yaml::Origin::none(),
                );
            }
            let out = emit_document(&root, None);
            let back = parse_stream(&out, FileId(0), SetBy::Patch)
                .unwrap_or_else(|e| panic!("{}:\n{out}", e.message));
            let back = back.first().map(|d| &d.root);
            let empty = root.as_map().is_some_and(|m| m.is_empty());
            assert!(
                back.is_some_and(|b| b.same_value(&root)) || (empty && back.is_none()),
                "changed:\n{out}\n{root:?}"
            );
        }
    }
}
