//! After an edit, the corpus is linked again in the background: highlighting does not wait for
//! it, and the editor is asked to redraw once it is done.

mod common;

use common::{corpus, uri, Client};
use serde_json::{json, Value};

fn is_refresh(m: &Value) -> bool {
    m["method"] == "workspace/semanticTokens/refresh"
}

#[test]
fn an_edit_is_linked_in_the_background_and_views_are_refreshed() {
    let a = "President Kassym-Jomart Tokayev met the akim of Almaty on Monday.\n";
    let b = "The press service said that Tokayev signed the decree.\n";
    let dir = corpus(&[("a.txt", a.as_bytes()), ("b.txt", b.as_bytes())]);
    let mut caps = Client::caps();
    caps["textDocument"]["semanticTokens"] = json!({"requests": {"full": true, "range": true},
        "tokenTypes": [], "tokenModifiers": [], "formats": ["relative"]});
    caps["workspace"]["semanticTokens"] = json!({"refreshSupport": true});
    let (mut c, _) = Client::start(dir.path(), caps, None);
    c.wait_indexed();
    c.wait_for("refresh after the first load", is_refresh);
    let bu = c.open(&dir.path().join("b.txt"), b);

    let edited = format!("{b}Later, Tokayev left for Astana.\n");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": bu, "version": 2}, "contentChanges": [{"text": edited}]}),
    );
    // answered at once, from this document's own recognition if linking has not finished
    let tokens = c.request("textDocument/semanticTokens/full", json!({"textDocument": {"uri": bu}})).unwrap();
    assert!(tokens["data"].as_array().unwrap().len() >= 5 * 2, "{tokens}");
    c.wait_for("refresh after linking the edit", is_refresh);
    let tokens = c.request("textDocument/semanticTokens/full", json!({"textDocument": {"uri": bu}})).unwrap();
    assert_eq!(tokens["data"].as_array().unwrap().len() % 5, 0);
    // the new mention belongs to the person of a.txt
    let refs = c
        .request(
            "textDocument/references",
            json!({"textDocument": {"uri": bu}, "position": {"line": 1, "character": 9},
                   "context": {"includeDeclaration": true}}),
        )
        .unwrap();
    let in_a = refs.as_array().unwrap().iter().filter(|r| r["uri"] == uri(&dir.path().join("a.txt"))).count();
    assert_eq!((refs.as_array().unwrap().len(), in_a), (3, 1), "{refs}");
    assert!(c.shutdown().success());
}
