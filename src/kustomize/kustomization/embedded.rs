//! YAML held inside a string of a kustomization (inline patches and plugin configs), with spans
//! mapped back into the kustomization file where the text sits there verbatim.

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::source::Span;
use crate::yaml::{Document, Node, SetBy, Value, parse_stream};

use super::super::loader::Loader;

/// Parses YAML text held in a string value of `holder` (an inline patch), mapping the spans of the
/// result back into `holder`'s file when the text sits there verbatim (a block or plain scalar).
pub fn parse_embedded(
    loader: &Loader,
    holder: &Node,
    text: &str,
    by: SetBy,
    label: &str,
) -> Result<Vec<Document>> {
    let span = holder.span();
    let file_text: Option<Arc<str>> = loader.sources.get(span.file).map(|f| Arc::clone(&f.text));
    // Map each line of `text` to the byte offset of its start in the holder's file.
    let line_map = file_text
        .as_deref()
        .and_then(|ft| locate_lines(ft, span, text));
    let virt = loader.add_virtual(label.to_string(), Arc::from(text));
    let mut docs = parse_stream(text, virt, by).map_err(|e| {
        let mapped = remap_span(e.span, &line_map, text, span);
        Error::at("yaml", mapped, e.message)
    })?;
    for d in &mut docs {
        remap_node(&mut d.root, &line_map, text, span);
        d.span = remap_span(d.span, &line_map, text, span);
    }
    Ok(docs)
}

/// For each line of `text`, where that line starts in `file` inside `span`, if every line is found in
/// order (block scalars: the same text after indentation).
fn locate_lines(file: &str, span: Span, text: &str) -> Option<Vec<(usize, usize)>> {
    let region = file.get(span.start as usize..span.end.max(span.start) as usize)?;
    let mut out = Vec::new();
    let mut search_from = 0usize;
    for line in text.split('\n') {
        if line.is_empty() {
            out.push((span.start as usize + search_from, 0));
            continue;
        }
        let pos = region.get(search_from..)?.find(line)? + search_from;
        out.push((span.start as usize + pos, line.len()));
        search_from = pos + line.len();
    }
    Some(out)
}

fn remap_offset(off: u32, map: &Option<Vec<(usize, usize)>>, text: &str) -> Option<u32> {
    let map = map.as_ref()?;
    let off = off as usize;
    let mut line_start = 0usize;
    for (i, line) in text.split('\n').enumerate() {
        let end = line_start + line.len();
        if off <= end {
            let (file_off, _) = *map.get(i)?;
            return Some((file_off + (off - line_start)) as u32);
        }
        line_start = end + 1;
    }
    None
}

fn remap_span(s: Span, map: &Option<Vec<(usize, usize)>>, text: &str, holder: Span) -> Span {
    match (
        remap_offset(s.start, map, text),
        remap_offset(s.end, map, text),
    ) {
        (Some(a), Some(b)) => Span {
            file: holder.file,
            start: a,
            end: b.max(a),
        },
        _ => holder,
    }
}

fn remap_node(n: &mut Node, map: &Option<Vec<(usize, usize)>>, text: &str, holder: Span) {
    n.origin.span = remap_span(n.origin.span, map, text, holder);
    match &mut n.value {
        Value::Seq(items) => items
            .iter_mut()
            .for_each(|i| remap_node(i, map, text, holder)),
        Value::Map(m) => {
            for e in &mut m.entries {
                e.key_span = remap_span(e.key_span, map, text, holder);
                remap_node(&mut e.value, map, text, holder);
            }
        }
        _ => {}
    }
}
