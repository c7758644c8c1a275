//! Key/value sources of a generator: env files, literals and files, in kustomize's order.

use crate::error::{Error, Result};
use crate::source::Span;

use super::super::Ctx;
use super::super::loader::is_remote;
use super::args::GenArgs;

/// One data entry with the span of the input that produced it.
#[derive(Clone, Debug)]
pub struct Pair {
    pub key: String,
    pub value: Vec<u8>,
    pub span: Span,
}

/// All pairs of an entry: env files first, then literals, then files (kustomize's order, which
/// decides which of two duplicates is reported).
pub fn load_pairs(ctx: &Ctx, args: &GenArgs) -> Result<Vec<Pair>> {
    let mut out = Vec::new();
    for (path, span) in &args.envs {
        env_file(ctx, path, *span, &mut out)?;
    }
    for (lit, span) in &args.literals {
        let (key, value) = parse_literal(lit).ok_or_else(|| {
            Error::at(
                "generator",
                *span,
                format!("invalid literal source '{lit}', expected key=value"),
            )
            .with_label("not key=value")
        })?;
        out.push(Pair {
            key: key.to_string(),
            value: value.as_bytes().to_vec(),
            span: *span,
        });
    }
    for (src, span) in &args.files {
        let (key, path) = parse_file_source(src).map_err(|m| {
            Error::at("generator", *span, m).with_help("write `path` or `key=path`")
        })?;
        let value = read_file(ctx, &path, *span)?;
        out.push(Pair {
            key,
            value,
            span: *span,
        });
    }
    Ok(out)
}

/// `key=value`, the value's surrounding matching quotes removed. `None` without a key or `=`.
pub fn parse_literal(s: &str) -> Option<(&str, &str)> {
    let (k, v) = s.split_once('=')?;
    if k.is_empty() {
        return None;
    }
    Some((k, remove_quotes(v)))
}

fn remove_quotes(v: &str) -> &str {
    let b = v.as_bytes();
    if b.len() >= 2 && b[0] == b[b.len() - 1] && (b[0] == b'"' || b[0] == b'\'') {
        &v[1..v.len() - 1]
    } else {
        v
    }
}

/// `path` (key = the file's base name) or `key=path`.
pub fn parse_file_source(s: &str) -> Result<(String, String), String> {
    match s.find('=') {
        None => Ok((base_name(s), s.to_string())),
        Some(0) => Err(format!(
            "missing key name for file path '{}' in source '{s}'",
            &s[1..]
        )),
        Some(i) => {
            let (key, path) = (&s[..i], &s[i + 1..]);
            if path.contains('=') && !is_remote(path) {
                return Err(format!("source '{s}': key name or file path contains '='"));
            }
            if path.is_empty() {
                return Err(format!(
                    "missing file path for key name '{key}' in source '{s}'"
                ));
            }
            Ok((key.to_string(), path.to_string()))
        }
    }
}

/// Go's `path.Base`.
fn base_name(p: &str) -> String {
    if p.is_empty() {
        return ".".to_string();
    }
    let trimmed = p.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".to_string();
    }
    match trimmed.rfind('/') {
        Some(i) => trimmed[i + 1..].to_string(),
        None => trimmed.to_string(),
    }
}

fn check_remote(path: &str, span: Span) -> Result<()> {
    if is_remote(path) {
        return Err(Error::at(
            "remote-resource",
            span,
            format!("remote file '{path}' is not supported: fluxlint works offline"),
        )
        .with_label("remote")
        .with_help("vendor the file into the repository and refer to the local copy"));
    }
    Ok(())
}

/// Raw bytes of a file below the kustomization (the load restrictor applies).
fn read_file(ctx: &Ctx, rel: &str, span: Span) -> Result<Vec<u8>> {
    check_remote(rel, span)?;
    let path = ctx.k.resolve_file(ctx.loader, rel, span)?;
    if !ctx.loader.is_file(&path) {
        return Err(Error::at(
            "generator",
            span,
            format!("'{}' must resolve to a file", ctx.loader.display(&path)),
        ));
    }
    // not through the loader's text cache: binary content and byte-order marks must stay as they are
    ctx.loader.read_bytes(&path, span)
}

/// Pairs of an env file: one `KEY=value` per line; blank lines and `#` comments skipped; leading
/// whitespace dropped; no quote or `export` handling; a line without `=` gives an empty value.
fn env_file(ctx: &Ctx, rel: &str, span: Span, out: &mut Vec<Pair>) -> Result<()> {
    check_remote(rel, span)?;
    let path = ctx.k.resolve_file(ctx.loader, rel, span)?;
    if !ctx.loader.is_file(&path) {
        return Err(Error::at(
            "generator",
            span,
            format!("'{}' must resolve to a file", ctx.loader.display(&path)),
        ));
    }
    let (file, text) = ctx.loader.read(&path, span)?;
    for (start, line) in env_lines(&text) {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let (key, value) = trimmed.split_once('=').unwrap_or((trimmed, ""));
        if key.is_empty() {
            continue;
        }
        let lead = line.len() - trimmed.len();
        out.push(Pair {
            key: key.to_string(),
            value: value.as_bytes().to_vec(),
            span: Span::new(file, start + lead, start + line.len()),
        });
    }
    Ok(())
}

/// Lines as Go's `bufio.ScanLines` gives them (a trailing `\r` dropped), with their byte offsets.
fn env_lines(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    for piece in text.split_inclusive('\n') {
        let line = piece.strip_suffix('\n').unwrap_or(piece);
        let line = line.strip_suffix('\r').unwrap_or(line);
        out.push((start, line));
        start += piece.len();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals() {
        assert_eq!(parse_literal("a=b"), Some(("a", "b")));
        assert_eq!(parse_literal("q=\"quoted\""), Some(("q", "quoted")));
        assert_eq!(parse_literal("s='x'"), Some(("s", "x")));
        assert_eq!(parse_literal("m=\"x'"), Some(("m", "\"x'")));
        assert_eq!(parse_literal("e=x=y"), Some(("e", "x=y")));
        assert_eq!(parse_literal("one=\""), Some(("one", "\"")));
        assert_eq!(parse_literal("empty="), Some(("empty", "")));
        assert_eq!(parse_literal("=v"), None);
        assert_eq!(parse_literal("novalue"), None);
    }

    #[test]
    fn file_sources() {
        assert_eq!(
            parse_file_source("sub/app.properties"),
            Ok(("app.properties".into(), "sub/app.properties".into()))
        );
        assert_eq!(
            parse_file_source("k=sub/a"),
            Ok(("k".into(), "sub/a".into()))
        );
        assert!(parse_file_source("=a").is_err());
        assert!(parse_file_source("k=").is_err());
        assert!(parse_file_source("k=a=b").is_err());
        assert_eq!(base_name("dir/"), "dir");
    }

    #[test]
    fn env_lines_like_go() {
        let v: Vec<&str> = env_lines("a=1\r\nb=2\n\nc")
            .into_iter()
            .map(|x| x.1)
            .collect();
        assert_eq!(v, ["a=1", "b=2", "", "c"]);
    }
}
