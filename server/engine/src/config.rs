//! Configuration: `dossier.toml` at the corpus root, overridden by the editor's settings
//! (`initializationOptions`, then `workspace/configuration` section `dossier`).
//!
//! All layers share one shape (keys in camelCase; kebab-case and snake_case are accepted too):
//!
//! ```toml
//! [corpus]
//! include = ["**/*.txt"]      # globs relative to the corpus root
//! exclude = ["drafts/**"]
//! maxFileSize = 16777216      # bytes; larger files are skipped with a message
//!
//! [rules]                     # off | hint | information | warning | error
//! untranslated-text = "information"
//! page-metadata = "off"
//!
//! [boilerplate]
//! patterns = ["^Follow us on .*$"]   # extra regexes, one line each
//!
//! [registry]
//! path = "entities.toml"
//!
//! [ignore]
//! lines = ["Subscribe to our Telegram channel"]   # never flag lines with this text
//!
//! [inlayHints]
//! transliteration = true
//!
//! [cache]
//! enabled = true        # keep an index cache in .dossier/ at the corpus root
//! ```
//!
//! Layers are merged as JSON values (later wins, tables merge key by key), then validated into
//! [`Config`]. A layer that fails to parse or validate is reported with a [`ConfigError`] and the
//! caller keeps its previous valid configuration.

use std::collections::BTreeMap;
use std::ops::Range;

use serde_json::{Map, Value};

use crate::diag::Level;

/// The validated configuration in force.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub max_file_size: u64,
    /// Per-rule levels set by the user; rules not named here use their default.
    pub rules: BTreeMap<String, Level>,
    /// Extra boilerplate line patterns (validated regexes).
    pub boilerplate_patterns: Vec<String>,
    pub registry_path: String,
    pub inlay_transliteration: bool,
    /// Keep the on-disk index cache in `.dossier/` at the first corpus root.
    pub cache_enabled: bool,
    /// Thresholds of the `repeated-line` rule.
    pub repeated_min_docs: usize,
    pub repeated_min_share: f64,
    /// Line texts the user chose to ignore ("Ignore this pattern"); compared ignoring case and
    /// runs of whitespace by the scrape-artifact rules.
    pub ignore_lines: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            include: vec!["**/*.txt".into()],
            exclude: Vec::new(),
            max_file_size: 16 * 1024 * 1024,
            rules: BTreeMap::new(),
            boilerplate_patterns: Vec::new(),
            registry_path: "entities.toml".into(),
            inlay_transliteration: true,
            cache_enabled: true,
            repeated_min_docs: 3,
            repeated_min_share: 0.01,
            ignore_lines: Vec::new(),
        }
    }
}

/// Why a configuration layer was rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub message: String,
    /// Byte range in the source text, when known (TOML files).
    pub range: Option<Range<usize>>,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Parse a `dossier.toml` into a JSON layer; `known_rules` are the codes `[rules]` may name.
pub fn parse_toml(src: &str, known_rules: &[&str]) -> Result<Value, ConfigError> {
    let v: toml::Value = toml::from_str(src)
        .map_err(|e| ConfigError { message: format!("invalid dossier.toml: {}", e.message()), range: e.span() })?;
    let json = serde_json::to_value(v).map_err(|e| ConfigError { message: e.to_string(), range: None })?;
    // Validate this layer alone so errors point at this file.
    build(std::slice::from_ref(&json), known_rules).map_err(|mut e| {
        e.range = e.range.or_else(|| locate(src, &e.message));
        e
    })?;
    Ok(json)
}

/// Best-effort location of the key an error message names (in backticks) in a TOML source.
fn locate(src: &str, message: &str) -> Option<Range<usize>> {
    let key = message.split('`').nth(1)?;
    let leaf = key.rsplit('.').next()?;
    let at = src.find(leaf)?;
    let end = src[at..].find('\n').map_or(src.len(), |e| at + e);
    Some(at..end)
}

fn norm_key(k: &str) -> String {
    // maxFileSize, max-file-size and max_file_size are one key; rule codes keep their hyphens.
    let mut out = String::new();
    let mut up = false;
    for c in k.chars() {
        if c == '-' || c == '_' {
            up = true;
        } else if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Deep-merge `over` into `base`; objects merge key by key, anything else replaces.
pub fn merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                merge(b.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (b, o) => *b = o.clone(),
    }
}

/// Merge layers (first is lowest priority) and validate; `known_rules` are the codes `[rules]`
/// may name.
pub fn build(layers: &[Value], known_rules: &[&str]) -> Result<Config, ConfigError> {
    let mut merged = Value::Object(Map::new());
    for l in layers {
        if !l.is_null() {
            merge(&mut merged, l);
        }
    }
    let mut cfg = Config::default();
    let err = |m: String| ConfigError { message: m, range: None };
    let Value::Object(top) = merged else {
        return Err(err("configuration must be a table".into()));
    };
    for (section, body) in &top {
        let s = norm_key(section);
        let table = |v: &Value| -> Result<Map<String, Value>, ConfigError> {
            match v {
                Value::Object(m) => Ok(m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
                Value::Null => Ok(Map::new()),
                _ => Err(err(format!("`{section}` must be a table"))),
            }
        };
        match s.as_str() {
            "corpus" => {
                for (k, v) in table(body)? {
                    match norm_key(&k).as_str() {
                        "include" => cfg.include = strings(v, "corpus.include")?,
                        "exclude" => cfg.exclude = strings(v, "corpus.exclude")?,
                        "maxFileSize" => {
                            cfg.max_file_size = v
                                .as_u64()
                                .ok_or_else(|| err(format!("`corpus.{k}` must be a number of bytes, got {v}")))?
                        }
                        _ => return Err(err(format!("unknown key `corpus.{k}`"))),
                    }
                }
                for g in cfg.include.iter().chain(&cfg.exclude) {
                    globset::Glob::new(g).map_err(|e| err(format!("invalid glob `{g}`: {e}")))?;
                }
            }
            "rules" => {
                for (code, v) in table(body)? {
                    if !known_rules.contains(&code.as_str()) {
                        return Err(err(format!("unknown rule `{code}`; known rules: {}", known_rules.join(", "))));
                    }
                    let level = v.as_str().and_then(Level::parse).ok_or_else(|| {
                        err(format!("`rules.{code}` must be one of off, hint, information, warning, error; got {v}"))
                    })?;
                    cfg.rules.insert(code, level);
                }
            }
            "boilerplate" => {
                for (k, v) in table(body)? {
                    match norm_key(&k).as_str() {
                        "patterns" => {
                            let ps = strings(v, "boilerplate.patterns")?;
                            for p in &ps {
                                regex::Regex::new(p)
                                    .map_err(|e| err(format!("invalid regex `{p}` in `boilerplate.patterns`: {e}")))?;
                            }
                            cfg.boilerplate_patterns = ps;
                        }
                        _ => return Err(err(format!("unknown key `boilerplate.{k}`"))),
                    }
                }
            }
            "registry" => {
                for (k, v) in table(body)? {
                    match norm_key(&k).as_str() {
                        "path" => {
                            cfg.registry_path =
                                v.as_str().ok_or_else(|| err("`registry.path` must be a string".into()))?.to_owned()
                        }
                        _ => return Err(err(format!("unknown key `registry.{k}`"))),
                    }
                }
            }
            "inlayHints" => {
                for (k, v) in table(body)? {
                    match norm_key(&k).as_str() {
                        "transliteration" => {
                            cfg.inlay_transliteration = v
                                .as_bool()
                                .ok_or_else(|| err("`inlayHints.transliteration` must be true or false".into()))?
                        }
                        _ => return Err(err(format!("unknown key `inlayHints.{k}`"))),
                    }
                }
            }
            "cache" => {
                for (k, v) in table(body)? {
                    match norm_key(&k).as_str() {
                        "enabled" => {
                            cfg.cache_enabled =
                                v.as_bool().ok_or_else(|| err("`cache.enabled` must be true or false".into()))?
                        }
                        _ => return Err(err(format!("unknown key `cache.{k}`"))),
                    }
                }
            }
            "repeatedLine" => {
                for (k, v) in table(body)? {
                    match norm_key(&k).as_str() {
                        "minDocuments" => {
                            cfg.repeated_min_docs =
                                v.as_u64().ok_or_else(|| err("`repeatedLine.minDocuments` must be a number".into()))?
                                    as usize
                        }
                        "minShare" => {
                            cfg.repeated_min_share = v
                                .as_f64()
                                .filter(|x| (0.0..=1.0).contains(x))
                                .ok_or_else(|| err("`repeatedLine.minShare` must be a fraction 0..1".into()))?
                        }
                        _ => return Err(err(format!("unknown key `repeatedLine.{k}`"))),
                    }
                }
            }
            "ignore" => {
                for (k, v) in table(body)? {
                    match norm_key(&k).as_str() {
                        "lines" => cfg.ignore_lines = strings(v, "ignore.lines")?,
                        _ => return Err(err(format!("unknown key `ignore.{k}`"))),
                    }
                }
            }
            // Editor-only settings (server path, trace) pass through the same section.
            "server" | "trace" => {}
            _ => return Err(err(format!("unknown section `{section}`"))),
        }
    }
    Ok(cfg)
}

fn strings(v: Value, key: &str) -> Result<Vec<String>, ConfigError> {
    let bad = || ConfigError { message: format!("`{key}` must be a list of strings"), range: None };
    match v {
        Value::String(s) => Ok(vec![s]),
        Value::Array(xs) => xs.into_iter().map(|x| x.as_str().map(str::to_owned).ok_or_else(bad)).collect(),
        _ => Err(bad()),
    }
}

impl Config {
    /// The level in force for a rule.
    pub fn level(&self, code: &str, default: Level) -> Level {
        self.rules.get(code).copied().unwrap_or(default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Severity;
    use serde_json::json;

    const KNOWN: &[&str] = &["untranslated-caption", "untranslated-text"];

    #[test]
    fn layers_merge_and_validate() {
        let file = parse_toml(
            "[corpus]\nexclude = [\"drafts/**\"]\nmax-file-size = 100\n[rules]\nuntranslated-text = \"info\"\n",
            KNOWN,
        )
        .unwrap();
        let editor = json!({"rules": {"untranslated-caption": "off"}, "inlayHints": {"transliteration": false}});
        let cfg = build(&[file, editor], KNOWN).unwrap();
        assert_eq!(cfg.exclude, vec!["drafts/**"]);
        assert_eq!(cfg.include, vec!["**/*.txt"]);
        assert_eq!(cfg.max_file_size, 100);
        assert_eq!(cfg.level("untranslated-text", Level::Off), Level::On(Severity::Information));
        assert_eq!(cfg.level("untranslated-caption", Level::On(Severity::Hint)), Level::Off);
        assert!(!cfg.inlay_transliteration);
        let cfg = build(&[parse_toml("[ignore]\nlines = [\"Read also:\"]\n", KNOWN).unwrap()], KNOWN).unwrap();
        assert_eq!(cfg.ignore_lines, vec!["Read also:"]);
        assert!(build(&[json!({"ignore": {"lines": [1]}})], KNOWN).is_err());
    }

    #[test]
    fn errors_are_located_and_explained() {
        let e = parse_toml("[rules]\nuntranslated-text = \"loud\"\n", KNOWN).unwrap_err();
        assert!(e.message.contains("off, hint, information, warning, error"), "{}", e.message);
        assert_eq!(e.range, Some(8..34));
        let e = parse_toml("[rules\n", KNOWN).unwrap_err();
        assert!(e.message.starts_with("invalid dossier.toml"));
        assert!(e.range.is_some());
        let e = parse_toml("[rules]\nno-such-rule = \"off\"\n", KNOWN).unwrap_err();
        assert!(e.message.contains("unknown rule `no-such-rule`"));
        let e = build(&[json!({"boilerplate": {"patterns": ["("]}})], KNOWN).unwrap_err();
        assert!(e.message.contains("invalid regex"));
        let e = build(&[json!({"corpus": {"include": ["a/{b"]}})], KNOWN).unwrap_err();
        assert!(e.message.contains("invalid glob"));
    }
}
