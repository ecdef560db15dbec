//! End-to-end tests of the on-disk index cache (`.dossier/` at the corpus root).

mod common;

use std::path::Path;

use common::{uri, Client};
use serde_json::{json, Value};

const A: &str = "President Kassym-Jomart Tokayev met the akim of Almaty on Monday.\n\
                 Tokayev said the new budget would be adopted in spring.\n";
const B: &str = "The press service reported that Tokayev signed the decree.\n";

/// Start the server on `dir`, wait for the index, ask for the references of "Tokayev" in b.txt
/// (unopened), shut down. Returns the indexing message and the references as `uri:line:col`.
fn session(dir: &Path) -> (String, Vec<String>) {
    edited_session(dir, None)
}

/// [`session`], with a.txt opened and given `edit` as its text first, when there is one.
fn edited_session(dir: &Path, edit: Option<&str>) -> (String, Vec<String>) {
    let (mut c, _) = Client::start(dir, Client::caps(), None);
    let done = c.wait_indexed();
    if let Some(text) = edit {
        let a = c.open(&dir.join("a.txt"), A);
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": a, "version": 2}, "contentChanges": [{"text": text}]}),
        );
    }
    let b = uri(&dir.join("b.txt"));
    let text = std::fs::read_to_string(dir.join("b.txt")).unwrap();
    let (line, l) = text.split('\n').enumerate().find_map(|(n, l)| Some((n, l.find("Tokayev")?))).unwrap();
    let refs = c
        .request(
            "textDocument/references",
            json!({"textDocument": {"uri": b}, "position": {"line": line, "character": l + 2},
                   "context": {"includeDeclaration": true}}),
        )
        .unwrap();
    let mut out: Vec<String> = refs
        .as_array()
        .unwrap()
        .iter()
        .map(|r: &Value| {
            let name = r["uri"].as_str().unwrap().rsplit('/').next().unwrap().to_string();
            format!("{name}:{}:{}", r["range"]["start"]["line"], r["range"]["start"]["character"])
        })
        .collect();
    out.sort();
    assert!(c.shutdown().success());
    (done, out)
}

#[test]
fn restart_reads_the_cache_and_a_stale_or_damaged_cache_is_rebuilt() {
    let dir = common::corpus(&[("a.txt", A.as_bytes()), ("b.txt", B.as_bytes())]);
    let cache = dir.path().join(".dossier").join("index.bin");

    let (first, refs) = session(dir.path());
    assert!(first.contains("Indexed 2 documents") && !first.contains("index cache"), "{first}");
    assert_eq!(refs.len(), 3, "{refs:?}");
    assert!(cache.is_file(), "the cache is written after the first load");
    let ignore = std::fs::read_to_string(dir.path().join(".dossier").join(".gitignore")).unwrap();
    assert!(ignore.lines().any(|l| l.trim() == "*"), "{ignore}");

    let (second, again) = session(dir.path());
    assert!(second.contains("2 unchanged in the index cache"), "{second}");
    assert_eq!(again, refs, "the cache gives the same answers");

    // the linked index is read back: nothing is rewritten (a write renames a new file over the
    // old one); a damaged one is linked again, with the same answers, and rewritten
    let links = dir.path().join(".dossier").join("links.bin");
    assert!(links.is_file(), "the linked index is written beside the cache");
    let files = || (identity(&cache), identity(&links));
    let written = files();
    let (_, again) = session(dir.path());
    assert_eq!(again, refs);
    assert_eq!(files(), written, "an unchanged corpus rewrites nothing");
    for bad in [b"garbage".to_vec(), std::fs::read(&links).unwrap()[..100].to_vec()] {
        std::fs::write(&links, &bad).unwrap();
        let (msg, again) = session(dir.path());
        assert!(msg.contains("2 unchanged in the index cache"), "{msg}");
        assert_eq!(again, refs, "a damaged linked index is linked again");
        assert_ne!(std::fs::read(&links).unwrap(), bad, "and rewritten");
        let written = files();
        let (_, again) = session(dir.path());
        assert_eq!((again, files()), (refs.clone(), written), "then read back");
    }
    // an edit after a restart that read everything back (mentions kept in their stored form
    // until linking needs them) links like one after a first start
    let edit = format!("{A}Tokayev also met the mayor. Tokayev left.\n");
    let written = files();
    let (msg, edited) = edited_session(dir.path(), Some(&edit));
    assert!(msg.contains("2 unchanged in the index cache"), "{msg}");
    assert_eq!(files(), written, "the linked index was read back, not linked again");
    assert_eq!(edited.len(), refs.len() + 2, "{edited:?}");
    let fresh = common::corpus(&[("a.txt", A.as_bytes()), ("b.txt", B.as_bytes())]);
    assert_eq!(edited_session(fresh.path(), Some(&edit)).1, edited, "the same as after a first start");

    // one file changes: only the other one comes from the cache, and the new text counts
    std::fs::write(dir.path().join("b.txt"), format!("{B}Later, Tokayev left for Astana.\n")).unwrap();
    let (third, more) = session(dir.path());
    assert!(third.contains("1 unchanged in the index cache"), "{third}");
    assert_eq!(more.len(), 4, "{more:?}");

    // damage of every kind is ignored, the answers stay right, and the cache is rewritten
    for bad in [b"garbage".to_vec(), Vec::new(), std::fs::read(&cache).unwrap()[..40].to_vec()] {
        std::fs::write(&cache, &bad).unwrap();
        let (msg, refs) = session(dir.path());
        assert!(!msg.contains("index cache") && msg.contains("Indexed 2 documents"), "{msg}");
        assert_eq!(refs, more);
        let (msg, refs) = session(dir.path());
        assert!(msg.contains("2 unchanged in the index cache"), "rewritten after damage: {msg}");
        assert_eq!(refs, more);
    }
}

/// What tells a file from the one renamed over it.
fn identity(p: &Path) -> (u64, std::time::SystemTime) {
    let m = std::fs::metadata(p).unwrap();
    #[cfg(unix)]
    let ino = std::os::unix::fs::MetadataExt::ino(&m);
    #[cfg(not(unix))]
    let ino = 0;
    (ino, m.modified().unwrap())
}

#[test]
fn the_cache_can_be_turned_off() {
    let dir = common::corpus(&[
        ("a.txt", A.as_bytes()),
        ("b.txt", B.as_bytes()),
        ("dossier.toml", b"[cache]\nenabled = false\n"),
    ]);
    let (msg, refs) = session(dir.path());
    assert!(msg.contains("Indexed 2 documents"), "{msg}");
    assert_eq!(refs.len(), 3, "{refs:?}");
    assert!(!dir.path().join(".dossier").exists(), "nothing is written when the cache is off");
}

const C: &str = "Akim of Almaty Yerbolat Dosaev opened the new metro station.\nDosaev met Tokayev later.\n";

/// References of "Tokayev" in b.txt as `file:line:col`, sorted, from a started client.
fn tokayev_in_b(c: &mut Client, dir: &Path) -> Vec<String> {
    let b = uri(&dir.join("b.txt"));
    let refs = c
        .request(
            "textDocument/references",
            json!({"textDocument": {"uri": b}, "position": {"line": 0, "character": B.find("Tokayev").unwrap() + 2},
                   "context": {"includeDeclaration": true}}),
        )
        .unwrap();
    let mut out: Vec<String> = refs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let name = r["uri"].as_str().unwrap().rsplit('/').next().unwrap().to_string();
            format!("{name}:{}:{}", r["range"]["start"]["line"], r["range"]["start"]["character"])
        })
        .collect();
    out.sort();
    out
}

#[test]
fn a_restart_reads_the_linked_index_back_while_documents_are_opened_and_changed() {
    let files = [("a.txt", A.as_bytes()), ("b.txt", B.as_bytes()), ("c.txt", C.as_bytes())];
    let dir = common::corpus(&files);
    let (first, _) = session(dir.path());
    assert!(first.contains("Indexed 3 documents"), "{first}");

    // A restart during which the editor, as editors do, opens documents right away: a.txt is
    // opened and changed, a document that is not on disk is opened, c.txt is opened and closed.
    let (mut c, _) = Client::start(dir.path(), Client::caps(), None);
    let a = c.open(&dir.path().join("a.txt"), A);
    let edited = format!("{A}Tokayev later flew to Astana.\n");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": a, "version": 2}, "contentChanges": [{"text": edited}]}),
    );
    let unsaved = "Tokayev and Dosaev spoke on the phone.\n";
    c.open(&dir.path().join("unsaved.txt"), unsaved);
    let cu = c.open(&dir.path().join("c.txt"), C);
    c.notify("textDocument/didClose", json!({"textDocument": {"uri": cu}}));
    let done = c.wait_indexed();
    assert!(done.contains("3 unchanged in the index cache"), "{done}");
    let how = c.request("dossier/debug/index", json!({})).unwrap();
    assert_eq!(how, json!("read back"), "the stored linked index was used");
    let restarted = tokayev_in_b(&mut c, dir.path());
    assert!(c.shutdown().success());

    // The same texts linked from scratch.
    let fresh = common::corpus(&[
        ("a.txt", edited.as_bytes()),
        ("b.txt", B.as_bytes()),
        ("c.txt", C.as_bytes()),
        ("unsaved.txt", unsaved.as_bytes()),
        ("dossier.toml", b"[cache]\nenabled = false\n"),
    ]);
    let (mut c, _) = Client::start(fresh.path(), Client::caps(), None);
    c.wait_indexed();
    let how = c.request("dossier/debug/index", json!({})).unwrap();
    assert!(how.as_str().unwrap().starts_with("linked"), "{how}");
    let rebuilt = tokayev_in_b(&mut c, fresh.path());
    assert!(c.shutdown().success());
    assert_eq!(restarted, rebuilt, "the same answers as a rebuild");
    assert_eq!(restarted.len(), 6, "{restarted:?}");
}
