//! Literal (`|`) and folded (`>`) block scalars, read the way saphyr's scanner reads them so that
//! the text and the span (first content character to where the scanner stops) come out the same.

use super::Fast;
use crate::yaml::node::{Node, Value};

#[derive(PartialEq)]
enum Chomp {
    Strip,
    Clip,
    Keep,
}

impl Fast<'_, '_, '_> {
    /// The block scalar whose header (`|` or `>`) is at `h` on line `l`, in a collection at column
    /// `base`.
    pub(super) fn block_scalar(&mut self, l: usize, h: usize, base: usize) -> Option<Node> {
        let bytes = self.bytes;
        let len = bytes.len();
        let header_end = self.lines[l].end;
        let literal = bytes[h] == b'|';
        let mut chomp = Chomp::Clip;
        let mut increment = 0;
        let mut i = h + 1;
        let chomping = |c: u8| match c {
            b'+' => Some(Chomp::Keep),
            b'-' => Some(Chomp::Strip),
            _ => None,
        };
        let digit = |c: u8| (c.is_ascii_digit()).then(|| usize::from(c - b'0'));
        if let Some(c) = chomping(self.at(i, header_end)) {
            chomp = c;
            i += 1;
            if let Some(d) = digit(self.at(i, header_end)) {
                increment = d;
                i += 1;
            }
        } else if let Some(d) = digit(self.at(i, header_end)) {
            increment = d;
            i += 1;
            if let Some(c) = chomping(self.at(i, header_end)) {
                chomp = c;
                i += 1;
            }
        }
        if self.at(h + 1, header_end) == b'0' || self.at(h + 2, header_end) == b'0' {
            return None;
        }
        self.rest_is_comment(i, header_end)?;

        // the first line after the header
        let (mut i, mut line_start) = if header_end < len {
            (header_end + 1, header_end + 1)
        } else {
            (len, self.lines[l].start)
        };
        let mut trailing = String::new();
        let indent = if increment > 0 {
            let indent = base + increment;
            self.skip_indent(indent, &mut i, &mut line_start, &mut trailing);
            indent
        } else {
            let mut max = 0;
            loop {
                while i < len && bytes[i] == b' ' {
                    i += 1;
                }
                max = max.max(i - line_start);
                if i < len && bytes[i] == b'\n' {
                    trailing.push('\n');
                    i += 1;
                    line_start = i;
                } else {
                    break;
                }
            }
            max.max(base + 1)
        };

        if i >= len {
            let text = match chomp {
                Chomp::Strip | Chomp::Clip => String::new(),
                Chomp::Keep if trailing.is_empty() && line_start > h && i > line_start => {
                    "\n".to_string()
                }
                Chomp::Keep => trailing,
            };
            return self.finish(text, h, i);
        }
        let col = i - line_start;
        if col < indent && col > base {
            return None;
        }

        let start = i;
        let mut text = String::new();
        let mut leading_break = false;
        let mut leading_blank = false;
        while i - line_start == indent && i < len && bytes[i] != b'\n' {
            let trailing_blank = bytes[i] == b' ';
            if !literal && leading_break && !leading_blank && !trailing_blank {
                if trailing.is_empty() {
                    text.push(' ');
                }
                text.push_str(&trailing);
            } else {
                if leading_break {
                    text.push('\n');
                }
                text.push_str(&trailing);
            }
            leading_break = false;
            trailing.clear();
            leading_blank = trailing_blank;

            let eol = bytes[i..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(len, |n| i + n);
            text.push_str(&self.src[i..eol]);
            i = eol;
            if i >= len {
                break;
            }
            leading_break = true;
            i += 1;
            line_start = i;
            self.skip_indent(indent, &mut i, &mut line_start, &mut trailing);
        }
        if chomp != Chomp::Strip {
            if leading_break {
                text.push('\n');
            }
            if i >= len && i - line_start >= indent.max(1) {
                text.push('\n');
            }
        }
        if chomp == Chomp::Keep {
            text.push_str(&trailing);
        }
        self.finish(text, start, i)
    }

    /// Skips up to `indent` spaces and the empty lines after them.
    fn skip_indent(
        &self,
        indent: usize,
        i: &mut usize,
        line_start: &mut usize,
        breaks: &mut String,
    ) {
        let bytes = self.bytes;
        loop {
            while *i - *line_start < indent && *i < bytes.len() && bytes[*i] == b' ' {
                *i += 1;
            }
            if *i < bytes.len() && bytes[*i] == b'\n' {
                breaks.push('\n');
                *i += 1;
                *line_start = *i;
            } else {
                break;
            }
        }
    }

    /// The scalar node, and the first line the parent reads next.
    fn finish(&mut self, text: String, start: usize, end: usize) -> Option<Node> {
        self.next = if end >= self.bytes.len() {
            self.lines.len()
        } else {
            self.lines.partition_point(|line| line.end < end)
        };
        self.node(Value::Str(text), start, end)
    }
}
