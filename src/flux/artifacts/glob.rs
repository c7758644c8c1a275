//! The two glob dialects of the source-watcher's copy, matched as the controller matches them (its
//! Go libraries), not as fluxlint's own policy globs ([`crate::policy::glob_match`]) read:
//!
//! - `from` goes through Go's `fs.Glob`, which matches each path element with `path.Match`: `*` is
//!   any run of characters within the element, `?` one character, `[…]` a class (`^` negates,
//!   `a-z` ranges), `\` escapes. There is no `**`: two stars are one star, one element deep.
//!   Braces are literal.
//! - `exclude` goes through bmatcuk/doublestar's `Match`: the same within an element (a class may
//!   also be negated with `!`, and a `-` at its edge is literal), `{a,b}` alternatives (nested,
//!   across `/` too), and a `**` element matches zero or more elements (`dir/**` matches `dir`
//!   itself).
//!
//! A malformed pattern is an error in both, as the controller fails the copy on it.

/// A malformed pattern (the controller's `ErrBadPattern`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadPattern;

type Res<T> = Result<T, BadPattern>;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Go,
    Doublestar,
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Lit(char),
    One,
    Star,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

/// Go's `path.Match` of one path element.
pub fn match_element(pattern: &str, name: &str) -> Res<bool> {
    let toks = tokens(pattern, Dialect::Go)?;
    Ok(match_tokens(&toks, &name.chars().collect::<Vec<_>>()))
}

/// Is this a well-formed `path.Match` pattern (every element)?
pub fn valid_go(pattern: &str) -> bool {
    pattern.split('/').all(|e| tokens(e, Dialect::Go).is_ok())
}

/// Does `fs.Glob` treat this as a pattern (rather than a path)?
pub fn has_meta(pattern: &str) -> bool {
    pattern.contains(['*', '?', '[', '\\'])
}

/// doublestar's `Match` of a `/`-separated path.
pub fn doublestar(pattern: &str, path: &str) -> Res<bool> {
    let names: Vec<&str> = path.split('/').collect();
    for alt in expand_braces(pattern)? {
        let segs = alt
            .split('/')
            .map(|s| match s {
                "**" => Ok(None),
                s => tokens(s, Dialect::Doublestar).map(Some),
            })
            .collect::<Res<Vec<_>>>()?;
        if match_segments(&segs, &names) {
            return Ok(true);
        }
    }
    Ok(false)
}

fn match_segments(segs: &[Option<Vec<Tok>>], names: &[&str]) -> bool {
    match segs.split_first() {
        None => names.is_empty(),
        // `**`: zero or more elements
        Some((None, rest)) => (0..=names.len()).any(|k| match_segments(rest, &names[k..])),
        Some((Some(toks), rest)) => names.split_first().is_some_and(|(n, more)| {
            match_tokens(toks, &n.chars().collect::<Vec<_>>()) && match_segments(rest, more)
        }),
    }
}

/// `{a,b}` alternatives expanded (nested ones too; escapes kept for [`tokens`]).
fn expand_braces(pattern: &str) -> Res<Vec<String>> {
    const LIMIT: usize = 1024;
    let b: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    let open = loop {
        match b.get(i) {
            None => return Ok(vec![pattern.to_string()]),
            Some('\\') => i += 2,
            Some('{') => break i,
            Some(_) => i += 1,
        }
    };
    let (mut depth, mut j, mut commas) = (0usize, open, Vec::new());
    let close = loop {
        match b.get(j) {
            None => return Err(BadPattern),
            Some('\\') => j += 1,
            Some('{') => depth += 1,
            Some('}') => {
                depth -= 1;
                if depth == 0 {
                    break j;
                }
            }
            Some(',') if depth == 1 => commas.push(j),
            Some(_) => {}
        }
        j += 1;
    };
    let prefix: String = b[..open].iter().collect();
    let suffix: String = b[close + 1..].iter().collect();
    let mut bounds = vec![open];
    bounds.extend(commas);
    bounds.push(close);
    let mut out = Vec::new();
    for w in bounds.windows(2) {
        let alt: String = b[w[0] + 1..w[1]].iter().collect();
        out.extend(expand_braces(&format!("{prefix}{alt}{suffix}"))?);
        if out.len() > LIMIT {
            return Err(BadPattern);
        }
    }
    Ok(out)
}

/// One element's pattern as tokens; malformed classes and a trailing `\` are errors.
fn tokens(pattern: &str, dialect: Dialect) -> Res<Vec<Tok>> {
    let p: Vec<char> = pattern.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '*' => {
                if out.last() != Some(&Tok::Star) {
                    out.push(Tok::Star);
                }
                i += 1;
            }
            '?' => {
                out.push(Tok::One);
                i += 1;
            }
            '\\' => {
                let c = *p.get(i + 1).ok_or(BadPattern)?;
                out.push(Tok::Lit(c));
                i += 2;
            }
            '[' => {
                let (tok, next) = class(&p, i + 1, dialect)?;
                out.push(tok);
                i = next;
            }
            c => {
                out.push(Tok::Lit(c));
                i += 1;
            }
        }
    }
    Ok(out)
}

/// A class starting after its `[`: the token and the index after its `]`.
fn class(p: &[char], mut i: usize, dialect: Dialect) -> Res<(Tok, usize)> {
    let negated = match p.get(i) {
        Some('^') => true,
        Some('!') if dialect == Dialect::Doublestar => true,
        _ => false,
    };
    if negated {
        i += 1;
    }
    let mut ranges = Vec::new();
    loop {
        match p.get(i) {
            None => return Err(BadPattern),
            Some(']') if !ranges.is_empty() => return Ok((Tok::Class { negated, ranges }, i + 1)),
            Some(']') => return Err(BadPattern),
            _ => {}
        }
        let (lo, next) = class_char(p, i, dialect)?;
        i = next;
        let hi = if p.get(i) == Some(&'-') && p.get(i + 1).is_some_and(|c| *c != ']') {
            let (hi, next) = class_char(p, i + 1, dialect)?;
            i = next;
            hi
        } else if p.get(i) == Some(&'-') && dialect == Dialect::Go {
            // Go: a `-` must start a range's upper end
            return Err(BadPattern);
        } else {
            lo
        };
        ranges.push((lo, hi));
    }
}

fn class_char(p: &[char], i: usize, dialect: Dialect) -> Res<(char, usize)> {
    match p.get(i) {
        None => Err(BadPattern),
        Some('-') if dialect == Dialect::Go => Err(BadPattern),
        Some('\\') => p.get(i + 1).map(|c| (*c, i + 2)).ok_or(BadPattern),
        Some(c) => Ok((*c, i + 1)),
    }
}

/// Tokens against one element: `*` backtracks to the last star only (it cannot cross `/`).
fn match_tokens(toks: &[Tok], name: &[char]) -> bool {
    let (mut t, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    loop {
        let step = match toks.get(t) {
            Some(Tok::Star) => {
                star = Some((t + 1, n));
                t += 1;
                continue;
            }
            Some(tok) => name.get(n).is_some_and(|c| match tok {
                Tok::Lit(l) => l == c,
                Tok::One => true,
                Tok::Class { negated, ranges } => {
                    ranges.iter().any(|(lo, hi)| lo <= c && c <= hi) != *negated
                }
                Tok::Star => false,
            }),
            None if n == name.len() => return true,
            None => false,
        };
        if step {
            t += 1;
            n += 1;
            continue;
        }
        match star {
            Some((st, sn)) if sn < name.len() => {
                star = Some((st, sn + 1));
                t = st;
                n = sn + 1;
            }
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_elements() {
        let m = |p, n| match_element(p, n).expect("valid");
        assert!(m("*", "podinfo"));
        assert!(m("**", ".hidden"), "two stars are one, dot files included");
        assert!(m("*.yaml", "release.yaml"));
        assert!(!m("*.yaml", "release.yml"));
        assert!(m("re?ease.yaml", "release.yaml"));
        assert!(m("[a-c]pp", "bpp"));
        assert!(m("[^a-c]pp", "zpp"));
        assert!(!m("[^a-c]pp", "app"));
        assert!(m("[!]x", "!x"), "`!` does not negate in Go");
        assert!(m("{a,b}", "{a,b}"), "braces are literal in Go");
        assert!(m("\\*", "*"));
        for bad in ["[", "[]", "[a-]", "[-a]", "a\\", "[^]"] {
            assert!(match_element(bad, "a").is_err(), "{bad}");
        }
        assert!(valid_go("apps/*/[a-z]*"));
        assert!(!valid_go("apps/[/x"));
        assert!(has_meta("a/*") && has_meta("a\\b") && !has_meta("a/b]"));
    }

    #[test]
    fn doublestar_paths() {
        let m = |p, n| doublestar(p, n).expect("valid");
        assert!(m("*.md", "README.md"));
        assert!(
            !m("*.md", "docs/README.md"),
            "a pattern with no `/` is one element"
        );
        assert!(m("**/testdata/**", "testdata/x.yaml"));
        assert!(m("**/testdata/**", "a/b/testdata/c/x.yaml"));
        assert!(
            m("dir/**", "dir"),
            "a trailing `/**` matches the directory itself"
        );
        assert!(m("dir/**", "dir/a/b"));
        assert!(!m("dir/**", "dirx/a"));
        assert!(m("a/**/b", "a/b"));
        assert!(m("**/.*", "x/.hidden"));
        assert!(m("{base,overlays}/*.yaml", "overlays/x.yaml"));
        assert!(m("{a,b{c,d}}/x", "bd/x"));
        assert!(m("[!a]x", "bx"));
        assert!(m("[-a]x", "-x"), "an edge `-` is literal");
        assert!(m("a**", "abc"), "a `**` inside an element is a `*`");
        for bad in ["[", "{a,b", "[]", "x\\"] {
            assert!(doublestar(bad, ".").is_err(), "{bad}");
        }
    }
}
