//! Configuration: `dossier.toml` at the corpus root, overridden by the editor's settings
//! (`initializationOptions`, then `workspace/configuration` section `dossier`).
//!
//! All layers share one shape, [`Options`] (keys in camelCase; kebab-case and snake_case are
//! accepted too):
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
//! [repeatedLine]
//! minDocuments = 3            # a line must be in at least this many documents
//! minShare = 0.01             # and in at least this share of them
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
//! Each layer is deserialised on its own into [`Options`] (every key optional, unknown keys
//! refused, values checked as they are read: levels, globs, regexes, rule codes), so that an error
//! names the layer, the key path and, in a TOML file, the byte range. Layers are then combined
//! ([`Combine`], the higher layer wins key by key; `[rules]` merges code by code) and resolved
//! into the [`Config`] in force. A layer that is rejected leaves the caller's previous valid
//! configuration in force.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use serde::de::{self, Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{json, Value};

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
        Options::default().resolve()
    }
}

impl Config {
    /// The level in force for a rule.
    pub fn level(&self, code: &str, default: Level) -> Level {
        self.rules.get(code).copied().unwrap_or(default)
    }
}

/// Why a configuration layer was rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub message: String,
    /// Byte range in the source text, when known (TOML files).
    pub range: Option<Range<usize>>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// One layer of settings as written: every key optional.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Options {
    pub corpus: Option<CorpusOptions>,
    /// Level per rule code (see `dossier rules`).
    pub rules: Option<BTreeMap<String, LevelName>>,
    pub boilerplate: Option<BoilerplateOptions>,
    #[serde(alias = "repeated-line", alias = "repeated_line")]
    pub repeated_line: Option<RepeatedLineOptions>,
    pub registry: Option<RegistryOptions>,
    pub ignore: Option<IgnoreOptions>,
    #[serde(alias = "inlay-hints", alias = "inlay_hints")]
    pub inlay_hints: Option<InlayHintsOptions>,
    pub cache: Option<CacheOptions>,
    /// Editor-only settings (the server's path, tracing) that travel in the same section.
    #[serde(skip_serializing)]
    pub server: Option<IgnoredAny>,
    #[serde(skip_serializing)]
    pub trace: Option<IgnoredAny>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CorpusOptions {
    pub include: Option<Globs>,
    pub exclude: Option<Globs>,
    #[serde(alias = "max-file-size", alias = "max_file_size")]
    pub max_file_size: Option<Bytes>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BoilerplateOptions {
    pub patterns: Option<Patterns>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RepeatedLineOptions {
    #[serde(alias = "min-documents", alias = "min_documents")]
    pub min_documents: Option<usize>,
    #[serde(alias = "min-share", alias = "min_share")]
    pub min_share: Option<Share>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegistryOptions {
    pub path: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IgnoreOptions {
    pub lines: Option<Strings>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InlayHintsOptions {
    pub transliteration: Option<bool>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CacheOptions {
    pub enabled: Option<bool>,
}

/// Layers of settings combined key by key, `self` (the higher layer) winning.
pub trait Combine {
    fn combine(self, lower: Self) -> Self;
}

impl<T: Combine> Combine for Option<T> {
    fn combine(self, lower: Self) -> Self {
        match (self, lower) {
            (Some(a), Some(b)) => Some(a.combine(b)),
            (a, b) => a.or(b),
        }
    }
}

/// Values that replace the lower layer's whole.
macro_rules! replace_whole {
    ($($t:ty),*) => {$(
        impl Combine for $t {
            fn combine(self, _lower: Self) -> Self {
                self
            }
        }
    )*};
}
replace_whole!(bool, usize, String, Strings, Globs, Patterns, Bytes, Share, LevelName, IgnoredAny);

/// Sections combine field by field.
macro_rules! combine_fields {
    ($t:ident { $($f:ident),* }) => {
        impl Combine for $t {
            fn combine(self, lower: Self) -> Self {
                $t { $($f: self.$f.combine(lower.$f)),* }
            }
        }
    };
}
combine_fields!(Options {
    corpus,
    rules,
    boilerplate,
    repeated_line,
    registry,
    ignore,
    inlay_hints,
    cache,
    server,
    trace
});
combine_fields!(CorpusOptions { include, exclude, max_file_size });
combine_fields!(BoilerplateOptions { patterns });
combine_fields!(RepeatedLineOptions { min_documents, min_share });
combine_fields!(RegistryOptions { path });
combine_fields!(IgnoreOptions { lines });
combine_fields!(InlayHintsOptions { transliteration });
combine_fields!(CacheOptions { enabled });

impl<K: Ord, V> Combine for BTreeMap<K, V> {
    fn combine(self, mut lower: Self) -> Self {
        lower.extend(self);
        lower
    }
}

impl Options {
    /// A `dossier.toml`; `known_rules` are the codes `[rules]` may name. Errors carry the byte
    /// range of the offending key or value.
    pub fn from_toml(src: &str, known_rules: &[&str]) -> Result<Options, ConfigError> {
        let doc = toml_edit::ImDocument::parse(src).map_err(|e| ConfigError {
            message: format!("invalid dossier.toml: {}", e.message().trim_end()),
            range: e.span(),
        })?;
        let options: Options = serde_path_to_error::deserialize(toml::Deserializer::new(src)).map_err(|e| {
            let path = e.path().to_string();
            let range = e.inner().span().or_else(|| span_of(&doc, &path, Part::Value));
            ConfigError { message: located(&path, e.inner().message()), range }
        })?;
        options
            .check_rules(known_rules)
            .map_err(|(path, message)| ConfigError { range: span_of(&doc, &path, Part::Key), message })?;
        Ok(options)
    }

    /// Editor settings (`initializationOptions`, `workspace/configuration`, or the `settings` of
    /// `didChangeConfiguration`): the settings themselves or an object with them under `dossier`.
    /// `null`, `{}` and `[]` (an empty Lua table) mean no settings.
    pub fn from_editor(value: Value, known_rules: &[&str]) -> Result<Options, ConfigError> {
        let value = match value {
            Value::Object(mut m) if m.contains_key("dossier") => m.remove("dossier").unwrap_or(Value::Null),
            v => v,
        };
        let err = |message: String| ConfigError { message, range: None };
        let mut value = value;
        if let Value::Object(sections) = &mut value {
            // every section is a table: an empty list there is an empty table written by a
            // language with one empty table for both (Lua)
            sections.values_mut().filter(|v| v.as_array().is_some_and(Vec::is_empty)).for_each(|v| *v = json!({}));
        }
        match &value {
            Value::Null => return Ok(Options::default()),
            Value::Array(a) if a.is_empty() => return Ok(Options::default()),
            Value::Object(_) => {}
            other => return Err(err(format!("settings must be a table of sections, got {}", kind_of(other)))),
        }
        let options: Options = serde_path_to_error::deserialize(value)
            .map_err(|e| err(located(&e.path().to_string(), &e.inner().to_string())))?;
        options.check_rules(known_rules).map_err(|(_, message)| err(message))?;
        Ok(options)
    }

    /// Every code of `[rules]` must be known: `Err((key path, message))` for the first that is not.
    fn check_rules(&self, known_rules: &[&str]) -> Result<(), (String, String)> {
        for code in self.rules.iter().flat_map(|r| r.keys()) {
            if !known_rules.contains(&code.as_str()) {
                let message = format!("unknown rule `{code}`; known rules: {}", known_rules.join(", "));
                return Err((format!("rules.{code}"), message));
            }
        }
        Ok(())
    }

    /// The configuration these options give, defaults filling what they leave unset.
    pub fn resolve(self) -> Config {
        let corpus = self.corpus.unwrap_or_default();
        let repeated = self.repeated_line.unwrap_or_default();
        Config {
            include: corpus.include.map_or_else(|| vec!["**/*.txt".into()], |g| g.0),
            exclude: corpus.exclude.map(|g| g.0).unwrap_or_default(),
            max_file_size: corpus.max_file_size.map_or(16 * 1024 * 1024, |b| b.0),
            rules: self.rules.unwrap_or_default().into_iter().map(|(k, v)| (k, v.0)).collect(),
            boilerplate_patterns: self.boilerplate.and_then(|b| b.patterns).map(|p| p.0).unwrap_or_default(),
            registry_path: self.registry.and_then(|r| r.path).unwrap_or_else(|| "entities.toml".into()),
            inlay_transliteration: self.inlay_hints.and_then(|i| i.transliteration).unwrap_or(true),
            cache_enabled: self.cache.and_then(|c| c.enabled).unwrap_or(true),
            repeated_min_docs: repeated.min_documents.unwrap_or(3),
            repeated_min_share: repeated.min_share.map_or(0.01, |s| s.0),
            ignore_lines: self.ignore.and_then(|i| i.lines).map(|l| l.0).unwrap_or_default(),
        }
    }

    /// The options that state a configuration in full (every key set); resolving them gives it back.
    pub fn stating(c: &Config) -> Options {
        Options {
            corpus: Some(CorpusOptions {
                include: Some(Globs(c.include.clone())),
                exclude: Some(Globs(c.exclude.clone())),
                max_file_size: Some(Bytes(c.max_file_size)),
            }),
            rules: Some(c.rules.iter().map(|(k, v)| (k.clone(), LevelName(*v))).collect()),
            boilerplate: Some(BoilerplateOptions { patterns: Some(Patterns(c.boilerplate_patterns.clone())) }),
            repeated_line: Some(RepeatedLineOptions {
                min_documents: Some(c.repeated_min_docs),
                min_share: Some(Share(c.repeated_min_share)),
            }),
            registry: Some(RegistryOptions { path: Some(c.registry_path.clone()) }),
            ignore: Some(IgnoreOptions { lines: Some(Strings(c.ignore_lines.clone())) }),
            inlay_hints: Some(InlayHintsOptions { transliteration: Some(c.inlay_transliteration) }),
            cache: Some(CacheOptions { enabled: Some(c.cache_enabled) }),
            server: None,
            trace: None,
        }
    }
}

/// Layers, lowest priority first, combined and resolved into the configuration in force.
pub fn combined(layers: impl IntoIterator<Item = Options>) -> Config {
    layers.into_iter().fold(Options::default(), |lower, higher| higher.combine(lower)).resolve()
}

/// Parse a `dossier.toml` (see [`Options::from_toml`]).
pub fn parse_toml(src: &str, known_rules: &[&str]) -> Result<Options, ConfigError> {
    Options::from_toml(src, known_rules)
}

/// Editor settings layers (JSON), lowest priority first, validated and combined.
pub fn build(layers: &[Value], known_rules: &[&str]) -> Result<Config, ConfigError> {
    let options: Result<Vec<Options>, ConfigError> =
        layers.iter().map(|l| Options::from_editor(l.clone(), known_rules)).collect();
    Ok(combined(options?))
}

/// `dossier.toml` with `line` added to `[ignore] lines` ("Ignore this pattern"), everything else
/// in the file kept as written; an absent file is empty. `None` when the file is not valid TOML
/// or `ignore` is not a table there.
pub fn with_ignored_line(current: &str, line: &str) -> Option<String> {
    let mut doc: toml_edit::DocumentMut = current.parse().ok()?;
    let ignore = doc.entry("ignore").or_insert(toml_edit::table()).as_table_like_mut()?;
    let lines = ignore.entry("lines").or_insert(toml_edit::value(toml_edit::Array::new()));
    if let Some(one) = lines.as_str().map(str::to_owned) {
        // a single string is a list of one
        *lines = toml_edit::value(toml_edit::Array::from_iter([one]));
    }
    let list = lines.as_array_mut()?;
    if list.iter().all(|v| v.as_str() != Some(line)) {
        let mut v = toml_edit::Value::from(line);
        v.decor_mut().set_prefix("\n  ");
        list.push_formatted(v);
        list.set_trailing_comma(true);
        list.set_trailing("\n");
    }
    Some(doc.to_string())
}

/// A message about the key at `path` (`.` for the whole layer).
fn located(path: &str, message: &str) -> String {
    // serde lists every spelling of the known keys; the camelCase one is enough
    if let (true, Some(known)) = (message.starts_with("unknown field"), message.split("expected one of ").nth(1)) {
        let known: Vec<&str> = known.split(", ").filter(|k| !k.contains(['-', '_'])).collect();
        return format!("unknown key `{path}`; expected one of {}", known.join(", "));
    }
    if path == "." || path.is_empty() {
        message.to_string()
    } else {
        format!("`{path}`: {message}")
    }
}

/// Which part of a `key = value` line an error is about.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Key,
    Value,
}

/// The byte range of the key or value at a dotted `path` (`section.key`, possibly followed by an
/// index that is not looked into) of a parsed TOML file.
fn span_of(doc: &toml_edit::ImDocument<&str>, path: &str, part: Part) -> Option<Range<usize>> {
    let mut table: &dyn toml_edit::TableLike = doc.as_table();
    let mut found = None;
    for name in path.split('.') {
        let name = name.split('[').next()?;
        let (key, item) = table.get_key_value(name)?;
        found = Some(if part == Part::Key { key.span() } else { item.span().or_else(|| key.span()) });
        match item.as_table_like() {
            Some(t) => table = t,
            None => break,
        }
    }
    found.flatten()
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a table",
    }
}

/// A rule level as written (`off`, `hint`, `information`/`info`, `warning`/`warn`, `error`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LevelName(pub Level);

impl<'de> Deserialize<'de> for LevelName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = LevelName;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                write!(f, "one of {}", Level::NAMES.join(", "))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<LevelName, E> {
                Level::parse(s)
                    .map(LevelName)
                    .ok_or_else(|| E::custom(format!("must be one of {}; got {s:?}", Level::NAMES.join(", "))))
            }
        }
        d.deserialize_str(V)
    }
}

impl Serialize for LevelName {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.as_str())
    }
}

/// A list of strings; a single string is a list of one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Strings(pub Vec<String>);

impl<'de> Deserialize<'de> for Strings {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Strings;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of strings")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Strings, E> {
                Ok(Strings(vec![s.to_owned()]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Strings, A::Error> {
                let mut v = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    v.push(s);
                }
                Ok(Strings(v))
            }
            // an empty table is an empty list written by a language with one empty table for both
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Strings, A::Error> {
                match map.next_key::<IgnoredAny>()? {
                    None => Ok(Strings(Vec::new())),
                    Some(_) => Err(de::Error::invalid_type(de::Unexpected::Map, &self)),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// Glob patterns, checked as they are read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Globs(pub Vec<String>);

impl<'de> Deserialize<'de> for Globs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let Strings(v) = Strings::deserialize(d)?;
        for g in &v {
            globset::Glob::new(g).map_err(|e| de::Error::custom(format!("invalid glob `{g}`: {e}")))?;
        }
        Ok(Globs(v))
    }
}

/// Regular expressions, checked as they are read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Patterns(pub Vec<String>);

impl<'de> Deserialize<'de> for Patterns {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let Strings(v) = Strings::deserialize(d)?;
        for p in &v {
            regex::Regex::new(p).map_err(|e| de::Error::custom(format!("invalid regex `{p}`: {e}")))?;
        }
        Ok(Patterns(v))
    }
}

/// A size in bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Bytes(pub u64);

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Bytes;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number of bytes")
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Bytes, E> {
                Ok(Bytes(n))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Bytes, E> {
                u64::try_from(n).map(Bytes).map_err(|_| E::invalid_value(de::Unexpected::Signed(n), &self))
            }
            // editors may send a whole number as a float (`1e6`)
            fn visit_f64<E: de::Error>(self, x: f64) -> Result<Bytes, E> {
                let whole = x >= 0.0 && x.fract() == 0.0 && x < u64::MAX as f64;
                whole.then_some(Bytes(x as u64)).ok_or_else(|| E::invalid_value(de::Unexpected::Float(x), &self))
            }
        }
        d.deserialize_any(V)
    }
}

/// A fraction between 0 and 1.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Share(pub f64);

impl<'de> Deserialize<'de> for Share {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let x = f64::deserialize(d)?;
        if (0.0..=1.0).contains(&x) {
            Ok(Share(x))
        } else {
            Err(de::Error::custom(format!("must be a fraction between 0 and 1; got {x}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Severity;

    const KNOWN: &[&str] = &["untranslated-caption", "untranslated-text"];

    #[test]
    fn layers_combine_key_by_key() {
        let file = parse_toml(
            "[corpus]\nexclude = [\"drafts/**\"]\nmax-file-size = 100\n[rules]\nuntranslated-text = \"info\"\n",
            KNOWN,
        )
        .unwrap();
        let editor = Options::from_editor(
            json!({"rules": {"untranslated-caption": "off"}, "inlayHints": {"transliteration": false}}),
            KNOWN,
        )
        .unwrap();
        let cfg = combined([file, editor]);
        assert_eq!(cfg.exclude, vec!["drafts/**"]);
        assert_eq!(cfg.include, vec!["**/*.txt"]);
        assert_eq!(cfg.max_file_size, 100);
        assert_eq!(cfg.level("untranslated-text", Level::Off), Level::On(Severity::Information));
        assert_eq!(cfg.level("untranslated-caption", Level::On(Severity::Hint)), Level::Off);
        assert!(!cfg.inlay_transliteration);
        // a higher layer replaces a list whole and wins for a rule both name
        let higher = Options::from_editor(
            json!({"corpus": {"exclude": "old/**"}, "rules": {"untranslated-text": "error"}}),
            KNOWN,
        )
        .unwrap();
        let file =
            parse_toml("[corpus]\nexclude = [\"drafts/**\"]\n[rules]\nuntranslated-text = \"off\"\n", KNOWN).unwrap();
        let cfg = combined([file, higher]);
        assert_eq!(cfg.exclude, vec!["old/**"]);
        assert_eq!(cfg.level("untranslated-text", Level::Off), Level::On(Severity::Error));
        let cfg = build(&[json!({"ignore": {"lines": ["Read also:"]}})], KNOWN).unwrap();
        assert_eq!(cfg.ignore_lines, vec!["Read also:"]);
        let cfg = combined([parse_toml("[repeatedLine]\nmin-documents = 5\nminShare = 0.5\n", KNOWN).unwrap()]);
        assert_eq!((cfg.repeated_min_docs, cfg.repeated_min_share), (5, 0.5));
    }

    #[test]
    fn empty_editor_settings_are_no_settings() {
        let lua = json!({"corpus": [], "rules": [], "ignore": {"lines": {}}, "boilerplate": {"patterns": []}});
        for empty in [Value::Null, json!({}), json!([]), json!({"dossier": {}}), json!({"dossier": []}), lua] {
            assert_eq!(
                Options::from_editor(empty.clone(), KNOWN).map(Options::resolve),
                Ok(Config::default()),
                "{empty}"
            );
        }
        for wrong in [json!([1]), json!("rules"), json!(3), json!({"dossier": ["x"]})] {
            let e = Options::from_editor(wrong.clone(), KNOWN).unwrap_err();
            assert!(e.message.contains("must be a table"), "{wrong}: {}", e.message);
        }
        let e = Options::from_editor(json!({"ignore": {"lines": {"a": 1}}}), KNOWN).unwrap_err();
        assert!(
            e.message.starts_with("`ignore.lines`: invalid type: map, expected a list of strings"),
            "{}",
            e.message
        );
        let e = Options::from_editor(json!({"rules": ["x"]}), KNOWN).unwrap_err();
        assert!(e.message.starts_with("`rules`: invalid type: sequence"), "{}", e.message);
        // editor-only settings travel in the same section
        let o = Options::from_editor(json!({"dossier": {"server": {"path": "x"}, "trace": {"server": "off"}}}), KNOWN);
        assert_eq!(o.map(Options::resolve), Ok(Config::default()));
    }

    #[test]
    fn toml_errors_are_located_and_explained() {
        let src = "[rules]\nuntranslated-text = \"loud\"\n";
        let e = parse_toml(src, KNOWN).unwrap_err();
        assert_eq!(
            e.message,
            "`rules.untranslated-text`: must be one of off, hint, information, warning, error; got \"loud\""
        );
        assert_eq!(&src[e.range.unwrap()], "\"loud\"");
        let e = parse_toml("[rules\n", KNOWN).unwrap_err();
        assert!(e.message.starts_with("invalid dossier.toml"), "{}", e.message);
        assert!(e.range.is_some());
        let src = "[corpus]\nexclude = []\n\n[rules]\nno-such-rule = \"off\"\n";
        let e = parse_toml(src, KNOWN).unwrap_err();
        assert_eq!(e.message, "unknown rule `no-such-rule`; known rules: untranslated-caption, untranslated-text");
        assert_eq!(&src[e.range.unwrap()], "no-such-rule");
        let src = "[corpus]\nincluded = [\"*.txt\"]\n";
        let e = parse_toml(src, KNOWN).unwrap_err();
        assert_eq!(e.message, "unknown key `corpus.included`; expected one of `include`, `exclude`, `maxFileSize`");
        assert!(src[e.range.unwrap()].contains("included"));
        let src = "[corpus]\nmaxFileSize = \"big\"\n";
        let e = parse_toml(src, KNOWN).unwrap_err();
        assert!(
            e.message.starts_with("`corpus.maxFileSize`: ") && e.message.contains("a number of bytes"),
            "{}",
            e.message
        );
        assert_eq!(&src[e.range.unwrap()], "\"big\"");
        let src = "[boilerplate]\npatterns = [\"ok\", \"(\"]\n";
        let e = parse_toml(src, KNOWN).unwrap_err();
        assert!(e.message.starts_with("`boilerplate.patterns`: invalid regex `(`"), "{}", e.message);
        assert!(src[e.range.unwrap()].contains("\"(\""));
        let e = parse_toml("[sections]\nx = 1\n", KNOWN).unwrap_err();
        assert!(e.message.starts_with("unknown key `sections`; expected one of `corpus`, `rules`,"), "{}", e.message);
    }

    #[test]
    fn json_errors_name_the_key() {
        let e = build(&[json!({"boilerplate": {"patterns": ["("]}})], KNOWN).unwrap_err();
        assert!(e.message.starts_with("`boilerplate.patterns`: invalid regex `(`"), "{}", e.message);
        let e = build(&[json!({"corpus": {"include": ["a/{b"]}})], KNOWN).unwrap_err();
        assert!(e.message.starts_with("`corpus.include`: invalid glob `a/{b`"), "{}", e.message);
        let e = build(&[json!({"ignore": {"lines": [1]}})], KNOWN).unwrap_err();
        assert!(e.message.starts_with("`ignore.lines"), "{}", e.message);
        assert_eq!(build(&[json!({"corpus": {"maxFileSize": 1e6}})], KNOWN).map(|c| c.max_file_size), Ok(1_000_000));
        let e = build(&[json!({"corpus": {"maxFileSize": 1.5}})], KNOWN).unwrap_err();
        assert!(e.message.contains("expected a number of bytes"), "{}", e.message);
        let e = build(&[json!({"repeatedLine": {"minShare": 2}})], KNOWN).unwrap_err();
        assert!(e.message.contains("between 0 and 1"), "{}", e.message);
        let e = build(&[json!({"rules": {"nope": "off"}})], KNOWN).unwrap_err();
        assert!(e.message.starts_with("unknown rule `nope`"), "{}", e.message);
    }

    #[test]
    fn ignoring_a_line_edits_the_toml_and_keeps_the_rest() {
        let added = with_ignored_line("", "Read also: \"x\"").unwrap();
        assert_eq!(added, "[ignore]\nlines = [\n  'Read also: \"x\"',\n]\n");
        assert_eq!(combined([parse_toml(&added, KNOWN).unwrap()]).ignore_lines, ["Read also: \"x\""]);
        let file = "# corpus settings\n[rules]\nuntranslated-text = \"off\"   # noisy\n\n[ignore]\nlines = [\n  \"Subscribe\",\n]\n";
        let added = with_ignored_line(file, "Share").unwrap();
        assert!(added.starts_with("# corpus settings\n[rules]\nuntranslated-text = \"off\"   # noisy\n"), "{added}");
        let cfg = combined([parse_toml(&added, KNOWN).unwrap()]);
        assert_eq!(cfg.ignore_lines, ["Subscribe", "Share"]);
        assert_eq!(cfg.level("untranslated-text", Level::On(Severity::Warning)), Level::Off);
        assert_eq!(with_ignored_line(&added, "Share").unwrap(), added, "already there");
        let one = with_ignored_line("ignore = { lines = \"Subscribe\" }\n", "Share").unwrap();
        assert_eq!(combined([parse_toml(&one, KNOWN).unwrap()]).ignore_lines, ["Subscribe", "Share"]);
        assert_eq!(with_ignored_line("[ignore\n", "x"), None, "not TOML");
        assert_eq!(with_ignored_line("ignore = 3\n", "x"), None);
    }

    #[test]
    fn stated_configuration_resolves_to_itself() {
        let mut c =
            Config { exclude: vec!["x/**".into()], ignore_lines: vec!["Read also".into()], ..Config::default() };
        c.rules.insert("untranslated-text".into(), Level::Off);
        assert_eq!(Options::stating(&c).resolve(), c);
        let json = serde_json::to_value(Options::stating(&c)).unwrap();
        assert_eq!(Options::from_editor(json, KNOWN).map(Options::resolve), Ok(c));
    }
}
