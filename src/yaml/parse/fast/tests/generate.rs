//! Random manifest-like YAML: varied indentation, sequence and quoting styles, block scalars,
//! comments, empty values, compact and flow collections — and random damage to it.

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const KEYS: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "name",
    "namespace",
    "labels",
    "app.kubernetes.io/name",
    "spec",
    "replicas",
    "containers",
    "image",
    "env",
    "value",
    "data",
    "key with spaces",
    "1",
    "2.0",
    "true",
    "0x10",
    "on",
    "2001-12-14",
    "\"quoted key\"",
    "'single'",
    "\"\"",
    "a:b",
    "x-y",
    "é",
];

const PLAIN: &[&str] = &[
    "nginx",
    "nginx:1.25",
    "100m",
    "128Mi",
    "1",
    "0",
    "-1",
    "3.14",
    "1e3",
    "0x1F",
    "0755",
    "0o17",
    "1_000",
    "true",
    "False",
    "on",
    "yes",
    "null",
    "~",
    "2001-12-14",
    "2001-12-14T21:59:43.10-05:00",
    "12:30",
    "a b  c",
    "a#b",
    "http://example.com/x?y=1",
    "--leader-elect",
    "-x",
    ".5",
    ".inf",
    ".nan",
    "é ü",
    "a'b",
    "a\"b",
    "a,b",
    "x]",
];

/// Plain-looking scalars that are invalid or outside the fast path's subset.
const ODD: &[&str] = &[
    "a: b", "{{ x }}", "[x", "@x", "*x", "&x y", "!!str 1", "? x", "y:",
];

fn scalar(r: &mut Rng, odd: bool) -> String {
    match r.below(10) {
        0..=5 => r.pick(PLAIN).to_string(),
        6 => {
            let s = r.pick(&["it''s", "", " sp ", "a # b", "x: y", "\"", "é", "''"]);
            format!("'{s}'")
        }
        7 => {
            let s = r.pick(&[
                "",
                "a\\nb",
                "t\\tx",
                "q\\\"q",
                "\\u00e9\\x41",
                "\\\\",
                "\\/",
                "a # b",
                "\\U0001F600",
                "#",
                "x: y",
                "\\_\\N\\L",
            ]);
            format!("\"{s}\"")
        }
        8 => flow(r, 0, odd),
        _ if odd && r.chance(50) => r.pick(ODD).to_string(),
        _ if odd => r
            .pick(&[
                "'a' 'b'",
                "\"a\" x",
                "'unterminated",
                "\"\\q\"",
                "\"\\ud800\"",
            ])
            .to_string(),
        _ => r.pick(&["''", "\"\"", "1 # c"]).to_string(),
    }
}

fn flow(r: &mut Rng, depth: usize, odd: bool) -> String {
    let n = r.below(4);
    let item = |r: &mut Rng| {
        if depth < 2 && r.chance(20) {
            flow(r, depth + 1, odd)
        } else if odd && r.chance(20) {
            r.pick(&["a:b", "", "? x", "- x", "a #c", "&a x"])
                .to_string()
        } else {
            r.pick(&["a", "1", "'q'", "\"d d\"", "-1", "x y", "true", "é", "~"])
                .to_string()
        }
    };
    let sep = r.pick(&[", ", ",", " , ", ",  "]);
    let pad = r.pick(&["", " ", "  "]);
    if r.chance(50) {
        let items: Vec<String> = (0..n).map(|_| item(r)).collect();
        format!("[{pad}{}{pad}]", items.join(sep))
    } else {
        let items: Vec<String> = (0..n)
            .map(|i| {
                let k = r.pick(&["k", "k k", "1"]);
                let k = if r.chance(30) {
                    format!("\"{k}{i}\"")
                } else {
                    format!("{k}{i}")
                };
                let colon = if odd && r.chance(30) {
                    r.pick(&[":", " :"])
                } else {
                    r.pick(&[": ", ":  ", " : "])
                };
                format!("{k}{colon}{}", item(r))
            })
            .collect();
        format!("{{{pad}{}{pad}}}", items.join(sep))
    }
}

struct Writer {
    out: String,
    r: Rng,
    /// Also write things outside the fast path's subset, and invalid YAML.
    odd: bool,
}

impl Writer {
    fn spaces(&mut self, n: usize) {
        self.out.extend(std::iter::repeat_n(' ', n));
    }

    fn eol(&mut self) {
        if self.r.chance(10) {
            let pad = self.r.below(3);
            self.spaces(pad.max(1));
            self.out.push_str("# note: x");
        }
        if self.r.chance(3) {
            self.out.push(' ');
        }
        self.out.push('\n');
    }

    /// Blank lines and comment lines between entries.
    fn filler(&mut self, col: usize) {
        while self.r.chance(12) {
            if self.r.chance(50) {
                let n = self.r.below(col + 5);
                self.spaces(n);
                self.out.push_str("# comment");
            } else if self.r.chance(30) {
                let n = self.r.below(4);
                self.spaces(n);
            }
            self.out.push('\n');
        }
    }

    fn block_scalar(&mut self, col: usize) {
        let header = self
            .r
            .pick(&["|", "|-", "|+", ">", ">-", ">+", "|2", "|1-", ">+2", "|-1"]);
        self.out.push(' ');
        self.out.push_str(header);
        self.eol();
        let digit = header
            .bytes()
            .find(u8::is_ascii_digit)
            .map(|d| usize::from(d - b'0'));
        let indent = col + digit.unwrap_or(1 + self.r.below(3));
        for _ in 0..self.r.below(5) {
            match self.r.below(8) {
                0 => {}
                1 => {
                    let n = self.r.below(indent + 3);
                    self.spaces(n);
                }
                2 => {
                    let n = indent + 1 + self.r.below(2);
                    self.spaces(n);
                    self.out.push_str("more indented");
                }
                3 => {
                    self.spaces(indent);
                    self.out.push_str("# not a comment");
                }
                _ => {
                    self.spaces(indent);
                    self.out
                        .push_str(self.r.pick(&["text", "two words", "é", "a: b", "- x"]));
                }
            }
            self.out.push('\n');
        }
    }

    /// What follows a key's `:` or an entry's `-`; `col` is the collection's column.
    fn value(&mut self, col: usize, depth: usize, in_seq: bool) {
        let step = 1 + self.r.below(4);
        let kind = if depth > 3 {
            self.r.below(4)
        } else {
            self.r.below(9)
        };
        match kind {
            0 | 1 => {
                self.out.push(' ');
                let s = scalar(&mut self.r, self.odd);
                self.out.push_str(&s);
                self.eol();
            }
            2 => self.eol(),
            3 => self.block_scalar(col),
            4 | 5 if in_seq && self.r.chance(60) => {
                let pad = 1 + self.r.below(3);
                self.spaces(pad);
                let here = col + 1 + pad;
                if kind == 4 {
                    self.map(here, depth + 1, true);
                } else {
                    self.seq(here, depth + 1, true);
                }
            }
            4 => {
                self.eol();
                self.map(col + step, depth + 1, false);
            }
            5 => {
                self.eol();
                let indentless = !in_seq && self.r.chance(50);
                self.seq(if indentless { col } else { col + step }, depth + 1, false);
            }
            _ => {
                self.eol();
                self.map(col + step, depth + 1, false);
            }
        }
    }

    fn map(&mut self, col: usize, depth: usize, inline: bool) {
        let n = 1 + self.r.below(3);
        let mut used = Vec::new();
        for i in 0..n {
            let mut key = self.r.pick(KEYS);
            while !self.odd && used.contains(&key) {
                key = self.r.pick(KEYS);
            }
            used.push(key);
            if i > 0 || !inline {
                self.filler(col);
                self.spaces(col);
            }
            self.out.push_str(key);
            if self.r.chance(5) {
                self.out.push(' ');
            }
            self.out.push(':');
            self.value(col, depth, false);
        }
    }

    fn seq(&mut self, col: usize, depth: usize, inline: bool) {
        let n = 1 + self.r.below(3);
        for i in 0..n {
            if i > 0 || !inline {
                self.filler(col);
                self.spaces(col);
            }
            self.out.push('-');
            self.value(col, depth, true);
        }
    }
}

pub(super) fn document(seed: u64, odd: bool) -> String {
    let mut w = Writer {
        out: String::new(),
        r: Rng::new(seed),
        odd,
    };
    let docs = 1 + w.r.below(2);
    for d in 0..docs {
        if d > 0 || w.r.chance(20) {
            let marker = if w.odd {
                w.r.pick(&[
                    "---\n",
                    "--- x: 1\n",
                    "...\n",
                    "--- |\n  x\n",
                    "%YAML 1.2\n---\n",
                ])
            } else {
                w.r.pick(&["---\n", "---\n", "--- # doc\n", "---\n---\n"])
            };
            w.out.push_str(marker);
        }
        w.filler(0);
        let col = if w.r.chance(5) { 2 } else { 0 };
        if w.r.chance(15) {
            w.seq(col, 0, false);
        } else {
            w.map(col, 0, false);
        }
        w.filler(0);
    }
    if w.r.chance(10) && w.out.ends_with('\n') {
        w.out.pop();
    }
    w.out
}

/// `text` with a few random edits: characters inserted or removed, lines re-indented or repeated.
pub(super) fn damage(text: &str, seed: u64) -> String {
    let mut r = Rng::new(seed);
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    for _ in 0..1 + r.below(2) {
        let l = r.below(lines.len());
        let line = &mut lines[l];
        match r.below(6) {
            0 => line.insert(0, ' '),
            1 => {
                if line.starts_with(' ') {
                    line.remove(0);
                }
            }
            2 => {
                let copy = line.clone();
                lines.insert(l, copy);
            }
            3 | 4 => {
                let at = (0..=line.len())
                    .filter(|&i| line.is_char_boundary(i))
                    .nth(r.below(line.chars().count() + 1))
                    .unwrap_or(0);
                let c = r.pick(&[
                    " ", ":", "-", "#", "'", "\"", "|", ">", "[", "]", "{", "}", ",", "&", "*",
                    "!", "\t", "\n", "?", "%", "\\",
                ]);
                line.insert_str(at, c);
            }
            _ => {
                if let Some((i, _)) = line
                    .char_indices()
                    .nth(r.below(line.chars().count().max(1)))
                {
                    line.remove(i);
                }
            }
        }
    }
    lines.join("\n")
}
