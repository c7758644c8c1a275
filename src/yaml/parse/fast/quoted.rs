//! Single- and double-quoted scalars that close on their own line.

use super::Fast;

impl Fast<'_, '_, '_> {
    /// The quoted scalar opening at `p`: its text and the position after the closing quote.
    /// Scalars that run past `end` (multi-line) bail.
    pub(super) fn quoted(&self, p: usize, end: usize) -> Option<(String, usize)> {
        let bytes = self.bytes;
        let mut out = String::new();
        let mut run = p + 1;
        let mut i = p + 1;
        if bytes[p] == b'\'' {
            while i < end {
                if bytes[i] == b'\'' {
                    out.push_str(&self.src[run..i]);
                    if self.at(i + 1, end) != b'\'' {
                        return Some((out, i + 1));
                    }
                    out.push('\'');
                    i += 2;
                    run = i;
                } else {
                    i += 1;
                }
            }
            return None;
        }
        while i < end {
            match bytes[i] {
                b'"' => {
                    out.push_str(&self.src[run..i]);
                    return Some((out, i + 1));
                }
                b'\\' => {
                    out.push_str(&self.src[run..i]);
                    i = self.escape(i, end, &mut out)?;
                    run = i;
                }
                _ => i += 1,
            }
        }
        None
    }

    /// The escape at `i` (a backslash), appended to `out`; returns the position after it.
    fn escape(&self, i: usize, end: usize, out: &mut String) -> Option<usize> {
        let c = match self.at(i + 1, end) {
            b'0' => '\0',
            b'a' => '\x07',
            b'b' => '\x08',
            b't' => '\t',
            b'n' => '\n',
            b'v' => '\x0b',
            b'f' => '\x0c',
            b'r' => '\r',
            b'e' => '\x1b',
            b' ' => ' ',
            b'"' => '"',
            b'/' => '/',
            b'\\' => '\\',
            b'N' => '\u{85}',
            b'_' => '\u{a0}',
            b'L' => '\u{2028}',
            b'P' => '\u{2029}',
            b'x' | b'u' | b'U' => {
                let len = match self.bytes[i + 1] {
                    b'x' => 2,
                    b'u' => 4,
                    _ => 8,
                };
                let digits = self
                    .src
                    .get(i + 2..i + 2 + len)
                    .filter(|_| i + 2 + len <= end)?;
                if !digits.bytes().all(|c| c.is_ascii_hexdigit()) {
                    return None;
                }
                out.push(char::from_u32(u32::from_str_radix(digits, 16).ok()?)?);
                return Some(i + 2 + len);
            }
            _ => return None,
        };
        out.push(c);
        Some(i + 2)
    }
}
