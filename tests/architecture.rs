//! The module graph has no cycles: no module (a file under `src/`) depends, directly
//! or through others, on a module that depends on it.
//!
//! A module depends on another when it names it in a `use` or a `crate::` path
//! (`#[cfg(test)]` modules aside). A child naming one of its ancestors is not counted:
//! a `mod.rs` only declares its children and re-exports their items, so using the
//! parent's re-export is using a sibling. Reads the sources; needs no database.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src is readable").flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `auth/routes.rs` -> `auth::routes`, `auth/mod.rs` -> `auth`; `None` for the crate roots.
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?.with_extension("");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    let module = parts.join("::");
    (!module.is_empty() && module != "lib" && module != "main").then_some(module)
}

/// The code a module compiles in normal builds: comments and the test module dropped.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    text.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n")
}

/// Splits `a, b::{c, d}, e` at top-level commas.
fn split_group(group: &str) -> Vec<&str> {
    let (mut depth, mut start, mut out) = (0, 0, Vec::new());
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&group[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&group[start..]);
    out
}

/// Every path a use tree names: `a::{b, c::{d}}` -> `a::b`, `a::c::d`.
fn expand(tree: &str) -> Vec<String> {
    let tree: String = tree.split_whitespace().collect::<Vec<_>>().join(" ");
    let tree = tree.trim();
    match tree.find('{') {
        None => vec![tree.split(" as ").next().unwrap_or(tree).trim().to_owned()],
        Some(open) => {
            let prefix = tree[..open].trim_end_matches("::");
            let inner = tree[open + 1..].strip_suffix('}').unwrap_or(&tree[open + 1..]);
            split_group(inner)
                .into_iter()
                .filter(|item| !item.trim().is_empty())
                .flat_map(expand)
                .map(|path| match (prefix.is_empty(), path.as_str()) {
                    (true, _) => path,
                    (false, "self") => prefix.to_owned(),
                    (false, _) => format!("{prefix}::{path}"),
                })
                .collect()
        }
    }
}

/// The module a path lands in: its longest prefix that is a module.
fn resolve(modules: &BTreeSet<String>, path: &str) -> Option<String> {
    let segments: Vec<&str> = path.split("::").collect();
    (1..=segments.len()).rev().map(|n| segments[..n].join("::")).find(|candidate| modules.contains(candidate))
}

/// Module -> the modules it depends on.
fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    sources(src, &mut files);
    let texts: BTreeMap<String, String> =
        files.iter().filter_map(|f| Some((module_of(src, f)?, code(&std::fs::read_to_string(f).ok()?)))).collect();
    let modules: BTreeSet<String> = texts.keys().cloned().collect();
    let mut graph = BTreeMap::new();
    for (module, text) in &texts {
        let mut paths = Vec::new();
        for statement in text.split(';') {
            let Some(at) = statement.find("use ") else { continue };
            if at > 0 && !statement[..at].trim().is_empty() && !statement[..at].trim().ends_with("pub") {
                continue;
            }
            let tree = statement[at + 4..].trim();
            // `self` is the module itself and each `super` one level up.
            let mut base: Vec<&str> = module.split("::").collect();
            let rest = if let Some(rest) = tree.strip_prefix("crate::") {
                base.clear();
                rest
            } else if let Some(rest) = tree.strip_prefix("self::") {
                rest
            } else if tree.starts_with("super::") {
                let mut rest = tree;
                while let Some(r) = rest.strip_prefix("super::") {
                    base.pop();
                    rest = r;
                }
                rest
            } else {
                continue;
            };
            for path in expand(rest) {
                let full = if base.is_empty() { path } else { format!("{}::{path}", base.join("::")) };
                paths.push(full);
            }
        }
        let mut rest = text.as_str();
        while let Some(at) = rest.find("crate::") {
            let tail = &rest[at + 7..];
            let end = tail.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).unwrap_or(tail.len());
            paths.push(tail[..end].trim_end_matches(':').to_owned());
            rest = &tail[end..];
        }
        let deps: BTreeSet<String> = paths
            .iter()
            .filter_map(|p| resolve(&modules, p))
            .filter(|target| target != module && !module.starts_with(&format!("{target}::")))
            .collect();
        graph.insert(module.clone(), deps);
    }
    graph
}

/// Strongly connected components of more than one module (Tarjan).
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Walk<'g> {
        graph: &'g BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        found: Vec<Vec<String>>,
    }
    impl<'g> Walk<'g> {
        fn visit(&mut self, v: &'g str) {
            let i = self.index.len();
            self.index.insert(v, i);
            self.low.insert(v, i);
            self.stack.push(v);
            self.on_stack.insert(v);
            for w in self.graph.get(v).into_iter().flatten() {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v, low);
                } else if self.on_stack.contains(w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v, low);
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    component.push(w.to_owned());
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !walk.index.contains_key(v.as_str()) {
            walk.visit(v);
        }
    }
    walk.found
}

#[test]
fn the_module_graph_has_no_cycles() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = graph(&src);
    assert!(graph.len() > 50, "only {} modules found; is the parser broken?", graph.len());
    assert!(
        graph.get("auth::routes").is_some_and(|d| d.contains("state")),
        "auth::routes uses AppState; the parser missed it: {:?}",
        graph.get("auth::routes")
    );
    assert!(
        graph.get("auth::routes").is_some_and(|d| d.contains("auth::store")),
        "auth::routes uses super::store; the parser missed it: {:?}",
        graph.get("auth::routes")
    );
    let found = cycles(&graph);
    assert!(found.is_empty(), "modules that depend on each other: {found:#?}");
}

#[test]
fn the_cycle_finder_sees_a_cycle() {
    let mut graph = BTreeMap::new();
    graph.insert("a".to_owned(), BTreeSet::from(["b".to_owned()]));
    graph.insert("b".to_owned(), BTreeSet::from(["c".to_owned()]));
    graph.insert("c".to_owned(), BTreeSet::from(["a".to_owned()]));
    graph.insert("d".to_owned(), BTreeSet::from(["a".to_owned()]));
    assert_eq!(cycles(&graph), vec![vec!["a".to_owned(), "b".to_owned(), "c".to_owned()]]);
}

#[test]
fn use_trees_expand_to_every_path() {
    assert_eq!(expand("a::{b, c::{d, e as f}, self}"), ["a::b", "a::c::d", "a::c::e", "a"]);
    assert_eq!(expand("{x, y::z}"), ["x", "y::z"]);
}

/// The graph between top-level modules (`auth`, `catalog`, `state`, ...): a module
/// depends on another when any file of it depends on any file of the other.
fn top_level(graph: &BTreeMap<String, BTreeSet<String>>) -> BTreeMap<String, BTreeSet<String>> {
    let top = |module: &str| module.split("::").next().unwrap_or(module).to_owned();
    let mut folded: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, deps) in graph {
        let from = top(module);
        let entry = folded.entry(from.clone()).or_default();
        entry.extend(deps.iter().map(|d| top(d)).filter(|to| *to != from));
    }
    folded
}

/// Layers only point down: no two top-level modules depend on each other, directly or
/// through others (the domains over `state`, `cache`, `db` and the other parts it
/// holds; `catalog` under `progress`; `web` over `error` and `request_context`).
#[test]
fn the_top_level_modules_have_no_cycles() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = top_level(&graph(&src));
    assert!(
        graph.get("progress").is_some_and(|d| d.contains("catalog") && d.contains("state")),
        "progress uses catalog and state; the folding missed it: {:?}",
        graph.get("progress")
    );
    let found = cycles(&graph);
    assert!(found.is_empty(), "top-level modules that depend on each other: {found:#?}");
}
