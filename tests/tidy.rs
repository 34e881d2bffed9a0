//! Tidy: the invariants of ARCHITECTURE.md that a compiler does not check, read from the
//! source (in the spirit of rust-analyzer's "invariants are tested").
//!
//! The file-level import graph is built from `use` lines and `crate::`/`super::` paths, with
//! test code (`#[cfg(test)]` modules) left out. `PLACETTE_TIDY_REPORT=1 cargo test --test tidy
//! -- --nocapture` prints the largest import cycle and the longest files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The top of the crate: only these may import the route table.
const TOP: &[&str] = &[
    "src/main.rs",
    "src/lib.rs",
    "src/app.rs",
    "src/server.rs",
    "src/cli.rs",
];

/// The feature modules, which `web/` must not import.
const FEATURES: &[&str] = &[
    "directory",
    "agenda",
    "news",
    "rooms",
    "aid",
    "lists",
    "votes",
    "map",
    "search",
    "addresses",
    "privacy",
    "api",
    "dataset",
    "demo",
    "modules",
];

/// The longest a source file may be.
const MAX_LINES: usize = 600;

/// The largest import cycle allowed, and it must stay inside one module's folder.
const MAX_CYCLE: usize = 10;

struct Source {
    /// Path from the crate root, such as `src/agenda/store/mod.rs`.
    path: String,
    /// Module path, such as `["agenda", "store"]`.
    module: Vec<String>,
    /// The text without test modules.
    code: String,
    lines: usize,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs")
            && p.file_name().is_some_and(|n| n != "tests.rs")
        {
            // `tests.rs` files are test modules (`#[cfg(test)] mod tests;`): left out.
            out.push(p);
        }
    }
}

/// The code of a file without its `#[cfg(test)]` items (a test module is cut to its closing
/// brace by counting braces; strings holding braces are rare enough in test-free code).
fn without_tests(text: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if line.trim() == "#[cfg(test)]" {
            let mut depth = 0i32;
            let mut opened = false;
            for l in lines.by_ref() {
                for ch in l.chars() {
                    match ch {
                        '{' => {
                            depth += 1;
                            opened = true;
                        }
                        '}' => depth -= 1,
                        _ => {}
                    }
                }
                if (opened && depth <= 0) || (!opened && l.trim_end().ends_with(';')) {
                    break;
                }
            }
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Drops comments (line comments, and doc comments) so that paths named in prose do not count.
fn without_comments(code: &str) -> String {
    code.lines()
        .map(|l| {
            let t = l.trim_start();
            if t.starts_with("//") {
                ""
            } else {
                match l.find(" // ") {
                    Some(i) if !l[..i].contains('"') => &l[..i],
                    _ => l,
                }
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn sources() -> Vec<Source> {
    let root = root();
    let mut files = Vec::new();
    walk(&root.join("src"), &mut files);
    files
        .into_iter()
        .map(|p| {
            let rel = p
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(&p).unwrap();
            let mut module: Vec<String> = rel
                .trim_start_matches("src/")
                .trim_end_matches(".rs")
                .split('/')
                .map(str::to_string)
                .collect();
            if matches!(
                module.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                module.pop();
            }
            Source {
                path: rel,
                module,
                lines: text.lines().count(),
                code: without_comments(&without_tests(&text)),
            }
        })
        .collect()
}

/// Expands a `use` tree (`a::{b, c::{d, e}}`) into full paths.
fn expand(tree: &str) -> Vec<String> {
    let tree: String = tree.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(open) = tree.find('{') else {
        return vec![tree.split(" as ").next().unwrap_or("").to_string()];
    };
    let prefix = &tree[..open];
    let inner = &tree[open + 1..tree.len().saturating_sub(1)];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, ch) in inner.char_indices() {
        match ch {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .flat_map(|p| expand(p).into_iter().map(move |s| format!("{prefix}{s}")))
        .collect()
}

/// Every path a file names: its `use` declarations expanded, and `crate::a::b` elsewhere.
fn paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("use ") {
        let before = rest[..i].chars().last();
        let after = &rest[i + 4..];
        if before.is_none_or(|c| c.is_whitespace() || c == '{' || c == ';') {
            if let Some(end) = after.find(';') {
                let tree = &after[..end];
                if !tree.contains('\n') || tree.contains('{') {
                    out.extend(expand(tree));
                }
            }
        }
        rest = after;
    }
    for prefix in ["crate::", "super::", "self::"] {
        let mut rest = code;
        while let Some(i) = rest.find(prefix) {
            let before = rest[..i].chars().last();
            let tail = &rest[i..];
            let end = tail
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(tail.len());
            if before.is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == ':')) {
                out.push(tail[..end].trim_end_matches(':').to_string());
            }
            rest = &tail[prefix.len()..];
        }
    }
    out
}

/// The file a path names, from the module of the file that names it: the longest prefix of
/// the path that is a module of the crate.
fn resolve(
    path: &str,
    from: &[String],
    from_is_mod: bool,
    modules: &BTreeMap<Vec<String>, usize>,
) -> Option<usize> {
    let mut segs: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
    let mut base: Vec<String> = match segs.first() {
        Some(&"crate") => {
            segs.remove(0);
            Vec::new()
        }
        Some(&"super") | Some(&"self") => {
            // `self` is the file's module; each `super` goes one up (from a non-mod file, the
            // first `super` is its folder's module).
            let mut b = from.to_vec();
            if !from_is_mod && segs[0] == "super" {
                b.pop();
                segs.remove(0);
            }
            while segs.first() == Some(&"super") {
                b.pop();
                segs.remove(0);
            }
            if segs.first() == Some(&"self") {
                segs.remove(0);
            }
            b
        }
        _ => return None,
    };
    let mut best = modules.get(&base).copied();
    for s in segs {
        base.push(s.to_string());
        match modules.get(&base) {
            Some(i) => best = Some(*i),
            None => break,
        }
    }
    best
}

struct Graph {
    sources: Vec<Source>,
    edges: Vec<BTreeSet<usize>>,
}

fn graph() -> Graph {
    let sources = sources();
    let modules: BTreeMap<Vec<String>, usize> = sources
        .iter()
        .enumerate()
        .filter(|(_, s)| s.path != "src/main.rs")
        .map(|(i, s)| (s.module.clone(), i))
        .collect();
    let edges = sources
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let is_mod = s.path.ends_with("/mod.rs") || s.path == "src/lib.rs";
            let mut named = paths(&s.code);
            // A module brought in by `use` (`use crate::agenda;`, `use super::store::{self,
            // bookings}`) is then named by its last segment: `agenda::handlers::list`.
            let imported: Vec<(String, String)> = named
                .iter()
                .filter_map(|p| {
                    let p = p.trim_end_matches("::self");
                    let last = p.rsplit("::").next()?;
                    (!matches!(last, "crate" | "super" | "self" | "*")
                        && last.chars().next()?.is_lowercase())
                    .then(|| (last.to_string(), p.to_string()))
                })
                .collect();
            for (alias, full) in &imported {
                let needle = format!("{alias}::");
                let mut rest = s.code.as_str();
                while let Some(k) = rest.find(&needle) {
                    let before = rest[..k].chars().last();
                    let tail = &rest[k + alias.len()..];
                    let end = tail
                        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                        .unwrap_or(tail.len());
                    if before.is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == ':')) {
                        named.push(format!("{full}{}", tail[..end].trim_end_matches(':')));
                    }
                    rest = &tail[..];
                }
            }
            named
                .iter()
                .filter_map(|p| resolve(p, &s.module, is_mod, &modules))
                .filter(|&j| j != i)
                .collect()
        })
        .collect();
    Graph { sources, edges }
}

/// The strongly connected components (Tarjan), largest first.
fn cycles(g: &Graph) -> Vec<Vec<usize>> {
    struct T<'a> {
        g: &'a Graph,
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        out: Vec<Vec<usize>>,
    }
    fn visit(t: &mut T, v: usize) {
        t.index[v] = Some(t.next);
        t.low[v] = t.next;
        t.next += 1;
        t.stack.push(v);
        t.on[v] = true;
        let targets: Vec<usize> = t.g.edges[v].iter().copied().collect();
        for w in targets {
            match t.index[w] {
                None => {
                    visit(t, w);
                    t.low[v] = t.low[v].min(t.low[w]);
                }
                Some(iw) if t.on[w] => t.low[v] = t.low[v].min(iw),
                _ => {}
            }
        }
        if Some(t.low[v]) == t.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = t.stack.pop() {
                t.on[w] = false;
                comp.push(w);
                if w == v {
                    break;
                }
            }
            t.out.push(comp);
        }
    }
    let n = g.sources.len();
    let mut t = T {
        g,
        index: vec![None; n],
        low: vec![0; n],
        on: vec![false; n],
        stack: Vec::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in 0..n {
        if t.index[v].is_none() {
            visit(&mut t, v);
        }
    }
    let mut out: Vec<Vec<usize>> = t.out.into_iter().filter(|c| c.len() > 1).collect();
    out.sort_by_key(|c| std::cmp::Reverse(c.len()));
    out
}

fn names(g: &Graph, ids: &[usize]) -> Vec<String> {
    let mut v: Vec<String> = ids.iter().map(|&i| g.sources[i].path.clone()).collect();
    v.sort();
    v
}

/// The top-level folder of a file (`src/agenda/x.rs` -> `agenda`; `src/app.rs` -> `app`).
fn top_module(path: &str) -> &str {
    let p = path.trim_start_matches("src/");
    p.split('/').next().unwrap_or(p).trim_end_matches(".rs")
}

fn report(g: &Graph) {
    if std::env::var_os("PLACETTE_TIDY_REPORT").is_none() {
        return;
    }
    let cs = cycles(g);
    eprintln!("{} source files", g.sources.len());
    match cs.first() {
        Some(c) => eprintln!("largest import cycle: {} files: {:?}", c.len(), names(g, c)),
        None => eprintln!("no import cycle"),
    }
    for c in cs.iter().skip(1) {
        eprintln!("other cycle: {} files: {:?}", c.len(), names(g, c));
    }
    let mut long: Vec<_> = g.sources.iter().filter(|s| s.lines > 400).collect();
    long.sort_by_key(|s| std::cmp::Reverse(s.lines));
    for s in long {
        eprintln!("over 400 lines: {} ({})", s.path, s.lines);
    }
}

#[test]
fn import_cycles_stay_inside_one_module_folder() {
    let g = graph();
    report(&g);
    for c in cycles(&g) {
        let files = names(&g, &c);
        let folders: BTreeSet<&str> = files.iter().map(|f| top_module(f)).collect();
        assert!(
            c.len() <= MAX_CYCLE && folders.len() == 1,
            "an import cycle of {} files across {:?}: {:?}",
            c.len(),
            folders,
            files
        );
    }
}

fn is_store(path: &str) -> bool {
    path.ends_with("/store.rs") || path.contains("/store/")
}

fn is_view(path: &str) -> bool {
    path.ends_with("/views.rs") || path.contains("/views/")
}

/// A file that holds request handlers (they take the shared state).
fn is_handler(s: &Source) -> bool {
    s.code.contains("web::Data<AppState>") && !is_view(&s.path)
}

fn is_feature(path: &str) -> bool {
    FEATURES.contains(&top_module(path))
}

#[test]
fn only_the_top_imports_the_route_table() {
    let g = graph();
    let app = g
        .sources
        .iter()
        .position(|s| s.path == "src/app.rs")
        .unwrap();
    let bad: Vec<&str> = g
        .sources
        .iter()
        .enumerate()
        .filter(|(i, s)| g.edges[*i].contains(&app) && !TOP.contains(&s.path.as_str()))
        .map(|(_, s)| s.path.as_str())
        .collect();
    assert!(
        bad.is_empty(),
        "below the top, these import the route table: {bad:?}"
    );
}

#[test]
fn stores_import_no_web_layer() {
    let g = graph();
    let mut bad = Vec::new();
    for (i, s) in g.sources.iter().enumerate() {
        if !is_store(&s.path) {
            continue;
        }
        if s.code.contains("actix") || s.code.contains("maud") {
            bad.push(format!("{} names actix or maud", s.path));
        }
        for &j in &g.edges[i] {
            let t = &g.sources[j];
            if t.path.starts_with("src/web/") || t.path == "src/state.rs" {
                bad.push(format!("{} imports {}", s.path, t.path));
            } else if !t.path.starts_with("src/db/")
                && (t.code.contains("actix") || t.code.contains("maud"))
            {
                // The pool's `Db` runs closures on actix's blocking threads: not a web layer.
                bad.push(format!(
                    "{} imports {}, which holds web code",
                    s.path, t.path
                ));
            }
        }
    }
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn web_imports_no_feature() {
    let g = graph();
    let mut bad = Vec::new();
    for (i, s) in g.sources.iter().enumerate() {
        if !s.path.starts_with("src/web/") {
            continue;
        }
        for &j in &g.edges[i] {
            if is_feature(&g.sources[j].path) {
                bad.push(format!("{} imports {}", s.path, g.sources[j].path));
            }
        }
    }
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn views_import_no_handler() {
    let g = graph();
    let mut bad = Vec::new();
    for (i, s) in g.sources.iter().enumerate() {
        if !is_view(&s.path) {
            continue;
        }
        for &j in &g.edges[i] {
            if is_handler(&g.sources[j]) {
                bad.push(format!("{} imports {}", s.path, g.sources[j].path));
            }
        }
    }
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn source_files_stay_short() {
    let g = graph();
    let long: Vec<String> = g
        .sources
        .iter()
        .filter(|s| s.lines > MAX_LINES)
        .map(|s| format!("{} ({} lines)", s.path, s.lines))
        .collect();
    assert!(long.is_empty(), "over {MAX_LINES} lines: {long:?}");
}
