//! Push diagnostics follow changes made in other documents (corpus-level findings).

mod common;

use common::{corpus, uri, Client};
use serde_json::{json, Value};

const TEMPLATE: &str = "Subscribe to our channel in Telegram for breaking regional news";

fn repeated(d: &[Value]) -> usize {
    d.iter().filter(|d| d["code"] == "repeated-line").count()
}

/// Diagnostics published for `u` until `pred` holds (each publication is looked at in turn;
/// the client's wait times out if it never comes).
fn until(c: &mut Client, u: &str, pred: impl Fn(&[Value]) -> bool) {
    while !pred(&c.diagnostics(u)) {}
}

#[test]
fn other_documents_are_republished_when_a_line_stops_or_starts_being_repeated() {
    let texts: Vec<String> =
        ["Floods hit the northern region.", "Parliament passes the budget.", "A new bridge opens."]
            .iter()
            .map(|first| format!("{first}\n{TEMPLATE}\n"))
            .collect();
    let dir = corpus(&[("a.txt", texts[0].as_bytes()), ("b.txt", texts[1].as_bytes()), ("c.txt", texts[2].as_bytes())]);
    let (mut c, _) = Client::start(dir.path(), Client::caps(), None);
    let (a, b) = (uri(&dir.path().join("a.txt")), uri(&dir.path().join("b.txt")));
    until(&mut c, &a, |d| repeated(d) == 1);
    until(&mut c, &b, |d| repeated(d) == 1);

    // the template line leaves c.txt: in a and b it is no longer repeated in three documents
    let cu = c.open(&dir.path().join("c.txt"), &texts[2]);
    let change = |c: &mut Client, version: i64, text: &str| {
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": cu, "version": version}, "contentChanges": [{"text": text}]}),
        )
    };
    change(&mut c, 2, "A new bridge opens.\nThe akim attended the ceremony.\n");
    until(&mut c, &a, |d| repeated(d) == 0);
    until(&mut c, &b, |d| repeated(d) == 0);

    // and back
    change(&mut c, 3, &texts[2]);
    until(&mut c, &a, |d| repeated(d) == 1);
    until(&mut c, &b, |d| repeated(d) == 1);
    assert!(c.shutdown().success());
}
