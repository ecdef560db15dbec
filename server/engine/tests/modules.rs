//! The engine's top-level modules form no cycle: reading the `crate::…` paths of each module's
//! sources (test code aside), the graph of "module A uses module B" has no loop, so every module
//! can be read, tested and moved with only what lies below it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Top-level modules declared in `lib.rs`.
fn modules(src: &Path) -> BTreeSet<String> {
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    lib.lines()
        .filter_map(|l| l.trim().trim_start_matches("pub ").strip_prefix("mod "))
        .map(|m| m.trim_end_matches(';').trim().to_string())
        .collect()
}

/// The source of a file without its test module (by convention the last item, after `#[cfg(test)]`)
/// and without comments.
fn code(text: &str) -> String {
    let end = text.find("#[cfg(test)]").unwrap_or(text.len());
    text[..end].lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

/// The names that follow `crate::` in `code`, including each first name of a `crate::{a, b::c}` list.
fn crate_paths(code: &str) -> Vec<String> {
    let ident = |s: &str| s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<String>();
    let mut out = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        let Some(list) = rest.strip_prefix('{') else {
            out.push(ident(rest));
            continue;
        };
        let mut depth = 0;
        let mut start = true;
        for (i, c) in list.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => break,
                '}' => depth -= 1,
                ',' if depth == 0 => start = true,
                c if start && !c.is_whitespace() => {
                    out.push(ident(&list[i..]));
                    start = false;
                }
                _ => {}
            }
        }
    }
    out
}

/// Module → the other top-level modules its non-test code names.
fn edges(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mods = modules(src);
    let mut graph: BTreeMap<String, BTreeSet<String>> = mods.iter().map(|m| (m.clone(), BTreeSet::new())).collect();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path.strip_prefix(src).unwrap();
            let first = rel.components().next().unwrap().as_os_str().to_string_lossy().into_owned();
            let module = first.trim_end_matches(".rs").to_string();
            if path.extension().is_none_or(|e| e != "rs") || !mods.contains(&module) {
                continue;
            }
            for used in crate_paths(&code(&std::fs::read_to_string(&path).unwrap())) {
                if used != module && mods.contains(&used) {
                    graph.get_mut(&module).unwrap().insert(used);
                }
            }
        }
    }
    graph
}

/// A cycle of the graph, if there is one.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        m: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == m) {
            let mut c = path[i..].to_vec();
            c.push(m.to_string());
            return Some(c);
        }
        if done.contains(m) {
            return None;
        }
        path.push(m.to_string());
        for next in &graph[m] {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(m.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|m| visit(m, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_engine_modules_form_no_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = edges(&src);
    assert!(graph["corpus"].contains("rules"), "the reader sees the edges: {graph:#?}");
    assert!(graph["rules"].contains("config"), "{graph:#?}");
    if let Some(c) = cycle(&graph) {
        panic!("module cycle: {}\nedges: {graph:#?}", c.join(" → "));
    }
}

#[test]
fn the_reader_finds_grouped_paths_and_cycles() {
    let code = code("use crate::{diag::{A, B}, text};\nuse crate::corpus::C;\n// crate::gen\nfn f() { crate::rules::x() }\n#[cfg(test)]\nmod tests { use crate::entities; }\n");
    assert_eq!(crate_paths(&code), ["diag", "text", "corpus", "rules"]);
    let graph: BTreeMap<String, BTreeSet<String>> = [("a", "b"), ("b", "c"), ("c", "a")]
        .iter()
        .map(|(m, n)| (m.to_string(), BTreeSet::from([n.to_string()])))
        .collect();
    assert_eq!(cycle(&graph), Some(vec!["a".into(), "b".into(), "c".into(), "a".into()]));
}
