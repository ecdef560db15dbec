//! The engine's list of codes (`rules::all`) is the one source of the rule settings in
//! `editors/vscode/package.json` and of the rule table in `README.md`: these tests fail when
//! they disagree, and `DOSSIER_BLESS=1 cargo test --test one_list` rewrites both from the list.

use std::path::Path;

use dossier_engine::config::Options;
use dossier_engine::diag::Level;
use dossier_engine::rules::{self, RuleInfo};
use serde_json::{json, Value};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn bless() -> bool {
    std::env::var_os("DOSSIER_BLESS").is_some()
}

/// `path` must hold `expected`; under `DOSSIER_BLESS` it is written instead.
fn check_or_bless(path: &Path, current: &str, expected: &str, what: &str) {
    if current == expected {
        return;
    }
    if bless() {
        std::fs::write(path, expected).unwrap();
        return;
    }
    panic!(
        "{what} in {} disagrees with the engine's list of codes; run `DOSSIER_BLESS=1 cargo test --test one_list` \
         to regenerate it",
        path.display()
    );
}

/// The VS Code setting of one rule.
fn rule_setting(r: &RuleInfo) -> Value {
    json!({
        "type": "string",
        "enum": Level::NAMES,
        "default": r.default_level.as_str(),
        "markdownDescription": r.summary,
    })
}

/// The byte range of the JSON object that starts at `open` (a `{`), strings taken into account.
fn object_at(text: &str, open: usize) -> std::ops::Range<usize> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (i, b) in text.bytes().enumerate().skip(open) {
        match (in_string, b) {
            (true, _) if escaped => escaped = false,
            (true, b'\\') => escaped = true,
            (true, b'"') => in_string = false,
            (true, _) => {}
            (false, b'"') => in_string = true,
            (false, b'{') => depth += 1,
            (false, b'}') => {
                depth -= 1;
                if depth == 0 {
                    return open..i + 1;
                }
            }
            _ => {}
        }
    }
    panic!("unbalanced JSON object at byte {open}");
}

/// `package.json` with the `dossier.rules` properties written from the list, one rule a line.
fn package_json_with_rules(text: &str) -> String {
    let setting = text.find("\"dossier.rules\": {").expect("a dossier.rules setting");
    let props = setting + text[setting..].find("\"properties\": {").expect("dossier.rules has properties");
    let object = object_at(text, props + text[props..].find('{').unwrap());
    let line_start = text[..props].rfind('\n').map_or(0, |i| i + 1);
    let indent = " ".repeat(props - line_start + 2);
    let lines: Vec<String> = rules::all()
        .iter()
        .map(|r| {
            let v = rule_setting(r);
            let json = |v: &Value| serde_json::to_string(v).unwrap();
            let fields: Vec<String> = ["type", "enum", "default", "markdownDescription"]
                .iter()
                .map(|k| match &v[k] {
                    Value::Array(xs) => format!("\"{k}\": [{}]", xs.iter().map(json).collect::<Vec<_>>().join(", ")),
                    x => format!("\"{k}\": {}", json(x)),
                })
                .collect();
            format!("{indent}{}: {{ {} }}", serde_json::to_string(r.code).unwrap(), fields.join(", "))
        })
        .collect();
    let close_indent = &indent[2..];
    format!("{}{{\n{}\n{close_indent}}}{}", &text[..object.start], lines.join(",\n"), &text[object.end..])
}

#[test]
fn package_json_rule_settings_are_the_engine_list() {
    let path = repo().join("editors/vscode/package.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let expected = package_json_with_rules(&text);
    // the generated text is what it claims to be
    let parsed: Value = serde_json::from_str(&expected).unwrap();
    let rules_setting = &parsed["contributes"]["configuration"]["properties"]["dossier.rules"];
    let want: serde_json::Map<String, Value> = rules::all().iter().map(|r| (r.code.into(), rule_setting(r))).collect();
    assert_eq!(rules_setting["properties"], Value::Object(want));
    assert_eq!(rules_setting["additionalProperties"], json!(false));
    check_or_bless(&path, &text, &expected, "the `dossier.rules` settings");
}

const TABLE_START: &str = "<!-- rules table: generated from the engine's list of codes by tests/one_list.rs -->\n";
const TABLE_END: &str = "<!-- end of rules table -->\n";

fn rules_table() -> String {
    let mut t = String::from("| code | default | what |\n|---|---|---|\n");
    for r in rules::all() {
        t.push_str(&format!("| `{}` | {} | {} |\n", r.code, r.default_level.as_str(), r.summary));
    }
    t
}

#[test]
fn readme_rule_table_is_the_engine_list() {
    let path = repo().join("README.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let start = text.find(TABLE_START).expect("README.md has the rules table markers") + TABLE_START.len();
    let end = start + text[start..].find(TABLE_END).expect("README.md has the end marker of the rules table");
    let expected = format!("{}{}{}", &text[..start], rules_table(), &text[end..]);
    check_or_bless(&path, &text, &expected, "the rules table");
}

#[test]
fn summaries_are_one_sentence_that_a_table_can_hold() {
    for r in rules::all() {
        let outside_code: String = r.summary.split('`').step_by(2).collect();
        assert!(!outside_code.contains(['|', '<', '&', '\n']), "{}: literal text belongs in backticks", r.code);
        assert!(r.summary.ends_with('.') && r.summary.len() < 160, "{}: one short sentence", r.code);
    }
    let codes = rules::all_codes();
    let mut unique = codes.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), codes.len(), "codes are unique");
}

/// Every `dossier.*` setting of `package.json` that the server reads, as a dotted key with its
/// default (the editor-only `server.*` and `trace.*` aside).
fn server_settings(package: &Value) -> Vec<(String, Value)> {
    let props = package["contributes"]["configuration"]["properties"].as_object().unwrap();
    props
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("dossier.")?.to_string(), v["default"].clone())))
        .filter(|(k, _)| !k.starts_with("server.") && !k.starts_with("trace."))
        .collect()
}

/// The leaves of a JSON object as dotted keys (an empty object is a leaf).
fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, Value)>) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, v) in m {
                let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                flatten(&key, v, out);
            }
        }
        _ => out.push((prefix.to_string(), v.clone())),
    }
}

/// A settings layer with one dotted key set.
fn layer(key: &str, value: Value) -> Value {
    key.rsplit('.').fold(value, |inner, part| json!({ part: inner }))
}

#[test]
fn package_json_settings_are_server_settings_with_the_server_defaults() {
    let package: Value =
        serde_json::from_str(&std::fs::read_to_string(repo().join("editors/vscode/package.json")).unwrap()).unwrap();
    let settings = server_settings(&package);
    assert!(settings.len() >= 8, "{settings:?}");
    let defaults = dossier_engine::config::Config::default();
    // every key of the server's settings, with its default, is a setting of the extension
    let mut stated = Vec::new();
    flatten("", &serde_json::to_value(Options::stating(&defaults)).unwrap(), &mut stated);
    let mut declared = settings.clone();
    declared.sort_by(|a, b| a.0.cmp(&b.0));
    stated.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(declared, stated, "package.json settings (left) and the server's settings with defaults (right)");
    for (key, default) in settings {
        let built = dossier_engine::config::build(&[layer(&key, default.clone())], &rules::all_codes())
            .unwrap_or_else(|e| panic!("setting `dossier.{key}` = {default} is refused by the server: {e}"));
        assert_eq!(built, defaults, "the default of `dossier.{key}` differs from the server's");
    }
}
