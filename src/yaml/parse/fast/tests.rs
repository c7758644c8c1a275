//! The fast path must build exactly the saphyr path's trees (or bail): every fixture, the bench
//! repository when present, hand-picked edge cases and random manifest-like documents.

use std::cell::{Cell, OnceCell};
use std::path::Path;

use super::super::{Builder, parse_piece, parse_stream_with, split_documents};
use crate::source::FileId;
use crate::yaml::node::SetBy;

mod generate;

thread_local! {
    /// Pieces the fast path read on this thread.
    pub(in crate::yaml::parse) static HITS: Cell<usize> = const { Cell::new(0) };
}

fn hits() -> usize {
    HITS.with(Cell::get)
}

/// Parses `text` both ways and panics on any difference; true when the fast path read a piece.
fn same(text: &str, by: SetBy) -> bool {
    let before = hits();
    let fast = parse_stream_with(text, FileId(3), by, true);
    let read = hits() > before;
    let slow = parse_stream_with(text, FileId(3), by, false);
    let equal = match (&fast, &slow) {
        (Ok(a), Ok(b)) => {
            a.len() == b.len()
                && a.iter()
                    .zip(b)
                    .all(|(x, y)| x.span == y.span && x.root == y.root)
        }
        (Err(a), Err(b)) => a == b,
        _ => false,
    };
    if equal {
        if fast.is_ok() {
            assert_eq!(
                nodes(text, by, true),
                nodes(text, by, false),
                "node count of\n{text}"
            );
        }
        return read;
    }
    // NaN is not equal to itself: compare the printed trees before calling it a difference
    let (fast, slow) = (format!("{fast:#?}"), format!("{slow:#?}"));
    if fast != slow {
        let diff = fast
            .lines()
            .zip(slow.lines())
            .enumerate()
            .find(|(_, (a, b))| a != b)
            .map(|(i, (a, b))| format!("line {i}: fast {a:?} vs saphyr {b:?}"))
            .unwrap_or_else(|| "lengths differ".into());
        panic!(
            "fast path differs on\n---8<---\n{text}\n---8<---\n{diff}\nfast:\n{fast}\nsaphyr:\n{slow}"
        );
    }
    read
}

/// The nodes counted against [`MAX_NODES`](super::MAX_NODES) over all pieces.
fn nodes(text: &str, by: SetBy, fast: bool) -> usize {
    let mut b = Builder {
        text,
        base: 0,
        base_line: 0,
        ascii: text.is_ascii(),
        line_starts: OnceCell::new(),
        file: FileId(3),
        by,
        nodes: 0,
        fast,
    };
    for (start, end) in split_documents(text).unwrap_or_default() {
        b.base = start;
        let _ = parse_piece(&mut b, start, end);
    }
    b.nodes
}

fn check_tree(dir: &Path, bys: &[SetBy], files: &mut usize, read: &mut usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            check_tree(&path, bys, files, read);
            continue;
        }
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let yaml = name.ends_with(".yaml") || name.ends_with(".yml") || name == "Kustomization";
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        if !yaml {
            continue;
        }
        *files += 1;
        for &by in bys {
            if same(&text, by) {
                *read += 1;
            }
        }
    }
}

#[test]
fn fixtures_parse_the_same() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let (mut files, mut read) = (0, 0);
    let bys = [SetBy::Resource, SetBy::Transformer];
    check_tree(&root, &bys, &mut files, &mut read);
    assert!(files > 100, "found only {files} fixture files");
    // most fixture files hold no YAML outside the subset
    assert!(
        read * 10 > files * 2 * 8,
        "fast path read {read} of {} parses",
        files * 2
    );
}

/// `python3 ../shared/bench/gen-repo --apps 1000 --out /tmp/bench1000` makes the tree.
#[test]
fn bench_repo_parses_the_same() {
    let root = Path::new("/tmp/bench1000");
    if !root.is_dir() {
        return;
    }
    let (mut files, mut read) = (0, 0);
    check_tree(root, &[SetBy::Resource], &mut files, &mut read);
    assert_eq!(read, files, "every generated file is in the subset");
}

#[test]
fn random_documents_parse_the_same() {
    let (mut n, mut read) = (0, 0);
    let seeds: u64 = std::env::var("FLUXLINT_FAST_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4000);
    for seed in 1..=seeds {
        let text = generate::document(seed, false);
        n += 1;
        same(&text, SetBy::Resource);
        // (resources refuse non-string keys below the top level, which the generator writes)
        if same(&text, SetBy::Patch) {
            read += 1;
        }
        same(&generate::document(seed, true), SetBy::Resource);
        // damaged variants: both paths must still agree (mostly by bailing or failing alike)
        for k in 0..3 {
            let damaged = generate::damage(&text, seed * 7 + k);
            same(&damaged, SetBy::Resource);
        }
    }
    println!("fast path read {read} of {n} random documents");
    assert!(
        read * 10 > n * 4,
        "fast path read only {read} of {n} random documents"
    );
}

#[test]
fn edge_cases_parse_the_same() {
    let cases = [
        "a: 1\nb:\nc:   \n  - x   # c\n  -   y\nd:\n- k: v\n  j: \"q\" \n-\n- - n\n  - m\n",
        "e: |\n  lit\n\n  more\n\n# trailing\nf: >-\n  fold\ng: {}\nh: []\ni: [a, b]\n",
        "---\na: 1\n",
        "--- # c\na: 1\n---\nb: 2\n",
        "# only\n---\n",
        "a: |\nb: 1\n",
        "a: |+\n\n",
        "a: |+",
        "a: |\n  x\n  ",
        "a: >\n  x\n   y\n  z\n\n  w\n",
        "a: |2\n   x\n  y\n",
        "- |1\n  x\n",
        "a:\n  - |-\n    x\n\n  - >+\n    y\n\n\nb: 1\n",
        "a: \"x\\ty\\u00e9\\x41\\\\\\\"\"\nb: 'it''s'\n",
        "\"a\": 1\n'b' : 2\n",
        "a: [ ]\nb: { }\nc: [a, [b, c], {d: e}]\nd: {\"x\" : 1, y: [2]}\n",
        "a: b\n  # deeper comment\nc: d\n",
        "a: é\nb: ü  # ö\nc: [ä, \"ß\"]\n",
        "  a: 1\n  b:\n    - x\n",
        "a: 1\na: 2\n",
        "a: &x 1\nb: *x\n",
        "a: b\n  c\n",
        "a:\n  b\n",
        "a: 1 # c\nb: -1\nc: --flag\nd: a:b\ne: a#b\nf: ~\ng: 0755\nh: 2001-12-14\n",
        "- a: 1\n  b: 2\n- - x\n  - y\n-\n  c: 3\n- # c\n  - z\n",
        "a:\n- b\n- c\nd: e\n",
        "a: |\n  x\n b: 1\n",
        "a:    |-   # c\n    x\n",
        "list:\n  -   name: a\n      value: b\n",
        "k: v\n\n\n",
        "k: v",
        "- x",
        "a: 'x' y\n",
        "a: \"x\"#c\n",
        "a: [x] y\n",
        "<<: {a: 1}\n",
        "1: a\n2.0: b\ntrue: c\n",
        "m:\n  1: a\n",
        "m:\n  0x10: a\n",
    ];
    for text in cases {
        same(text, SetBy::Resource);
        same(text, SetBy::Patch);
    }
}
