//! Suppressions written in the YAML itself:
//!
//! ```yaml
//! # fluxlint-ignore replicas -- the canary runs a single replica on purpose
//! replicas: 1
//! ```
//!
//! A comment `# fluxlint-ignore <rule>[, <rule>…] -- <reason>` suppresses those rules' diagnostics
//! whose primary label is on the comment's line (a trailing comment) or, for a comment on a line of
//! its own, on the line below it (or below the run of comment lines it belongs to). A suppression
//! without a reason is an error; one that suppresses nothing is a warning (rule `suppression` for
//! both). Only files fluxlint read are scanned. Block scalars are text, except inline patches
//! (`patch: |`), whose comments are YAML comments.

use crate::diagnostic::{Diagnostic, Severity};
use crate::policy::did_you_mean;
use crate::source::{FileId, SourceFile, SourceMap, Span};

/// The rule id of the diagnostics about suppressions.
pub const RULE: &str = "suppression";

/// One `fluxlint-ignore` comment.
#[derive(Clone, Debug, PartialEq)]
pub struct Suppression {
    pub file: FileId,
    /// 1-based lines whose diagnostics it covers.
    pub lines: Vec<usize>,
    /// Rule ids and their spans in the comment.
    pub rules: Vec<(String, Span)>,
    /// `None` when there is no `-- reason`.
    pub reason: Option<String>,
    /// The comment.
    pub span: Span,
}

/// Every suppression in the YAML files of the source map.
pub fn scan(sources: &SourceMap) -> Vec<Suppression> {
    let mut out = Vec::new();
    for i in 0..sources.len() {
        let id = FileId(i as u32);
        if let Some(f) = sources.get(id)
            && is_yaml(&f)
            && f.text.contains("fluxlint-ignore")
        {
            out.extend(scan_file(&f, id));
        }
    }
    out
}

fn is_yaml(f: &SourceFile) -> bool {
    if f.display.starts_with("<built-in>") {
        return false;
    }
    let name = f.path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.ends_with(".yaml") || name.ends_with(".yml") || name == "Kustomization"
}

/// The suppressions of one file.
pub fn scan_file(f: &SourceFile, id: FileId) -> Vec<Suppression> {
    let lines: Vec<&str> = f.text.split('\n').collect();
    let mut offsets = Vec::with_capacity(lines.len());
    let mut off = 0;
    for l in &lines {
        offsets.push(off);
        off += l.len() + 1;
    }
    let mut out = Vec::new();
    let mut block: Option<usize> = None;
    for (i, raw) in lines.iter().enumerate() {
        let line = raw.trim_end_matches('\r');
        let indent = line.len() - line.trim_start().len();
        // the content of a block scalar (`key: |`) is text, not comments
        if let Some(parent) = block {
            if line.trim().is_empty() || indent > parent {
                continue;
            }
            block = None;
        }
        let hash = comment_start(line);
        let code = line[..hash.unwrap_or(line.len())].trim_end();
        if starts_block_scalar(code) && !holds_yaml(code) {
            block = Some(indent);
        }
        let Some(hash) = hash else {
            continue;
        };
        let comment = &line[hash + 1..];
        let body = comment.trim_start();
        let Some(rest) = body.strip_prefix("fluxlint-ignore") else {
            continue;
        };
        if rest.starts_with(|c: char| !c.is_whitespace()) {
            continue;
        }
        let base = offsets[i] + hash + 1 + (comment.len() - body.len()) + "fluxlint-ignore".len();
        let (rules, after) = rule_list(rest, base, id);
        let reason = after
            .trim_start()
            .strip_prefix("--")
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_string);
        // a trailing comment covers its own line; a comment line the line below it
        let mut covered = vec![i + 1];
        if code.is_empty() {
            covered.push(i + 2);
            // a comment line applies to the line below its run of comments
            let next = (i + 1..lines.len()).find(|&k| {
                let t = lines[k].trim();
                !t.starts_with('#')
            });
            if let Some(k) = next {
                covered.push(k + 1);
            }
        }
        out.push(Suppression {
            file: id,
            lines: covered,
            rules,
            reason,
            span: Span::new(id, offsets[i] + hash, offsets[i] + line.len()),
        });
    }
    out
}

/// The byte index of the `#` that starts a comment, outside quotes.
fn comment_start(line: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '#' && prev.is_whitespace() => return Some(i),
            None if (c == '"' || c == '\'') && (prev.is_whitespace() || "[{,:".contains(prev)) => {
                quote = Some(c)
            }
            None => {}
        }
        prev = c;
    }
    None
}

/// An inline patch (`patch: |`, in a kustomization or a Flux Kustomization) is YAML whose lines
/// sit verbatim in the file, and findings point into it: its comments are comments.
fn holds_yaml(code: &str) -> bool {
    let code = code.trim_start();
    let code = code.strip_prefix("- ").unwrap_or(code).trim_start();
    code.split(':').next().map(str::trim) == Some("patch")
}

fn starts_block_scalar(code: &str) -> bool {
    let last = code.rsplit([' ', '\t']).next().unwrap_or("");
    let mut chars = last.chars();
    matches!(chars.next(), Some('|' | '>'))
        && chars.all(|c| c == '-' || c == '+' || c.is_ascii_digit())
}

/// `a, b-c` at the start of `s`: the ids with their spans, and the rest of the text.
fn rule_list(s: &str, base: usize, file: FileId) -> (Vec<(String, Span)>, &str) {
    let mut rules = Vec::new();
    let mut i = 0;
    let b = s.as_bytes();
    loop {
        while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
            i += 1;
        }
        let start = i;
        while i < b.len()
            && (b[i].is_ascii_alphanumeric()
                || b[i] == b'_'
                || (b[i] == b'-' && b.get(i + 1) != Some(&b'-')))
        {
            i += 1;
        }
        // "--" is the reason separator, not a rule
        if i > start && &s[start..i] != "--" && !s[start..i].starts_with("--") {
            rules.push((
                s[start..i].to_string(),
                Span::new(file, base + start, base + i),
            ));
        } else {
            i = start;
            break;
        }
        let save = i;
        while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
            i += 1;
        }
        if i < b.len() && b[i] == b',' {
            i += 1;
        } else {
            i = save;
            break;
        }
    }
    (rules, &s[i..])
}

/// Removes suppressed diagnostics and adds the diagnostics about suppressions. `known` are the
/// active rule ids; `report_unused` is false when only part of the repository was checked (a
/// suppression may then be for an environment that did not run).
pub fn apply(
    diags: Vec<Diagnostic>,
    sources: &SourceMap,
    known: &[&str],
    report_unused: bool,
) -> Vec<Diagnostic> {
    let sups = scan(sources);
    if sups.is_empty() {
        return diags;
    }
    let mut used: Vec<Vec<bool>> = sups.iter().map(|s| vec![false; s.rules.len()]).collect();
    let mut out = Vec::with_capacity(diags.len());
    for d in diags {
        let line = sources
            .get(d.primary.span.file)
            .map(|f| f.line_col(d.primary.span.start).0);
        let mut suppressed = false;
        if let Some(line) = line.filter(|_| d.rule != RULE) {
            for (si, s) in sups.iter().enumerate() {
                if s.file != d.primary.span.file || !s.lines.contains(&line) {
                    continue;
                }
                for (ri, (r, _)) in s.rules.iter().enumerate() {
                    if *r == d.rule {
                        used[si][ri] = true;
                        suppressed = true;
                    }
                }
            }
        }
        if !suppressed {
            out.push(d);
        }
    }
    for (si, s) in sups.iter().enumerate() {
        if s.rules.is_empty() {
            out.push(
                Diagnostic::new(RULE, Severity::Error, "fluxlint-ignore names no rule")
                    .at(s.span, "no rule id")
                    .help("write `# fluxlint-ignore <rule> -- <reason>`"),
            );
            continue;
        }
        if s.reason.is_none() {
            let names: Vec<&str> = s.rules.iter().map(|(r, _)| r.as_str()).collect();
            out.push(
                Diagnostic::new(
                    RULE,
                    Severity::Error,
                    format!("suppression of \"{}\" gives no reason", names.join(", ")),
                )
                .at(s.span, "expected `-- <reason>`")
                .help(format!(
                    "say why after \"--\": `# fluxlint-ignore {} -- <reason>`",
                    names.join(", ")
                )),
            );
        }
        if !report_unused {
            continue;
        }
        for (ri, (r, span)) in s.rules.iter().enumerate() {
            if used[si][ri] {
                continue;
            }
            let mut d = Diagnostic::new(
                RULE,
                Severity::Warning,
                format!("suppression of \"{r}\" suppresses nothing"),
            )
            .at(*span, "nothing to suppress here");
            d = if known.contains(&r.as_str()) {
                d.help("remove the suppression, or move it to the line of the finding or the line above")
            } else {
                match did_you_mean(r, known.iter().copied()) {
                    Some(k) => d.help(format!("there is no rule \"{r}\": did you mean \"{k}\"?")),
                    None => d.help(format!("there is no rule \"{r}\"")),
                }
            };
            out.push(d);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;
    use std::sync::Arc;

    fn sups(text: &str) -> Vec<(Vec<usize>, Vec<String>, Option<String>)> {
        let f = SourceFile::new("a.yaml".into(), PathBuf::from("a.yaml"), Arc::from(text));
        scan_file(&f, FileId(0))
            .into_iter()
            .map(|s| {
                (
                    s.lines,
                    s.rules.into_iter().map(|(r, _)| r).collect(),
                    s.reason,
                )
            })
            .collect()
    }

    #[test]
    fn parses_rules_and_reasons() {
        let got = sups(
            "# fluxlint-ignore replicas, resources -- canary\n# more\nspec:\n  replicas: 1 # fluxlint-ignore replicas\n",
        );
        assert_eq!(
            got,
            vec![
                (
                    vec![1, 2, 3],
                    vec!["replicas".into(), "resources".into()],
                    Some("canary".into())
                ),
                (vec![4], vec!["replicas".into()], None),
            ]
        );
        assert_eq!(sups("# fluxlint-ignore a,b--x\n")[0].1, vec!["a", "b"]);
        assert_eq!(sups("# fluxlint-ignore -- x\n")[0].1, Vec::<String>::new());
        assert_eq!(sups("# fluxlint-ignore a --   \n")[0].2, None);
    }

    #[test]
    fn inline_patches_hold_comments() {
        let text = "patches:\n  - patch: |-\n      kind: Deployment\n      # fluxlint-ignore replicas -- canary\n      spec: {replicas: 1}\n";
        assert_eq!(
            sups(text),
            vec![(
                vec![4, 5, 5],
                vec!["replicas".into()],
                Some("canary".into())
            )]
        );
        let flux = "spec:\n  patches:\n    - patch: |\n        spec:\n          replicas: 1 # fluxlint-ignore replicas -- canary\n";
        assert_eq!(sups(flux)[0].0, vec![5]);
    }

    #[test]
    fn ignores_look_alikes() {
        assert!(sups("a: \"# fluxlint-ignore x -- y\"\n").is_empty());
        assert!(sups("a: b#fluxlint-ignore x -- y\n").is_empty());
        assert!(sups("# fluxlint-ignored x -- y\n").is_empty());
        assert!(sups("script: |\n  # fluxlint-ignore x -- y\n  echo\nb: 1\n").is_empty());
        assert_eq!(
            sups("script: |\n  echo\n# fluxlint-ignore x -- y\nb: 1\n")[0].1,
            vec!["x"]
        );
    }
}
