//! The optional registry, `entities.toml`: hand-kept knowledge about entities.
//!
//! ```toml
//! [[entity]]
//! name = "Imangali Tasmagambetov"
//! kind = "person"                       # person | organization | place | other
//! aliases = ["Тасмагамбетов", "Tasmagambetov"]
//! description = "Kazakh politician, CSTO Secretary General 2023–2025"
//! roles = ["akim of Almaty"]
//! links = ["https://…"]
//! ```
//!
//! Parsing never fails as a whole: a malformed entry becomes a [`RegistryError`] with its byte
//! range, and the valid entries are kept.

use std::ops::Range;

use super::Kind;

#[derive(Clone, Debug, PartialEq)]
pub struct RegistryEntry {
    pub name: String,
    pub kind: Kind,
    pub aliases: Vec<String>,
    pub description: Option<String>,
    pub roles: Vec<String>,
    pub links: Vec<String>,
    /// Byte range of the entry in the registry file.
    pub range: Range<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistryError {
    pub range: Range<usize>,
    pub message: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Registry {
    pub entries: Vec<RegistryEntry>,
}

/// A new `[[entity]]` entry for `entity`, as TOML text ending in a newline: its name, kind, the
/// other forms seen as aliases, an empty description to fill in, and the roles seen.
pub fn entry_for(entity: &super::Entity) -> String {
    let mut t = toml_edit::Table::new();
    t.insert("name", toml_edit::value(entity.name.as_str()));
    t.insert("kind", toml_edit::value(entity.kind.as_str()));
    let mut aliases: Vec<&str> = entity.forms.iter().map(String::as_str).filter(|f| *f != entity.name).collect();
    aliases.dedup();
    if !aliases.is_empty() {
        t.insert("aliases", toml_edit::value(toml_edit::Array::from_iter(aliases)));
    }
    t.insert("description", toml_edit::value(""));
    if !entity.roles.is_empty() {
        t.insert("roles", toml_edit::value(toml_edit::Array::from_iter(entity.roles.iter().map(String::as_str))));
    }
    let mut doc = toml_edit::DocumentMut::new();
    doc.insert("entity", toml_edit::Item::ArrayOfTables(toml_edit::ArrayOfTables::from_iter([t])));
    doc.to_string()
}

impl Registry {
    /// Parse a registry file, keeping every valid entry.
    ///
    /// Each `[[entity]]` table is parsed on its own, so one malformed entry costs only itself.
    pub fn parse(src: &str) -> (Registry, Vec<RegistryError>) {
        let mut reg = Registry::default();
        let mut errors = Vec::new();
        // split at lines that start a table
        let mut starts = Vec::new();
        let mut pos = 0;
        for line in src.split_inclusive('\n') {
            if line.trim_start().starts_with('[') {
                starts.push(pos);
            }
            pos += line.len();
        }
        if starts.first() != Some(&0) && !src[..starts.first().copied().unwrap_or(src.len())].trim().is_empty() {
            // text before the first table: report it unless it is comments only
            let end = starts.first().copied().unwrap_or(src.len());
            let only_comments = src[..end].lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'));
            if !only_comments {
                errors.push(RegistryError { range: 0..end, message: "text outside an [[entity]] table".into() });
            }
        }
        for (k, &a) in starts.iter().enumerate() {
            let b = starts.get(k + 1).copied().unwrap_or(src.len());
            let chunk = &src[a..b];
            let trimmed_end = a + chunk.trim_end().len();
            let range = a..trimmed_end;
            match parse_entry(chunk) {
                Ok(Some(mut e)) => {
                    e.range = range;
                    reg.entries.push(e);
                }
                Ok(None) => {}
                Err(message) => errors.push(RegistryError { range, message }),
            }
        }
        (reg, errors)
    }
}

fn parse_entry(chunk: &str) -> Result<Option<RegistryEntry>, String> {
    let head = chunk.lines().next().unwrap_or("").trim();
    let head = head.split('#').next().unwrap_or("").trim();
    if head != "[[entity]]" {
        return Err(format!("unknown table `{head}`: entries are `[[entity]]` tables"));
    }
    let body = &chunk[chunk.find('\n').map_or(chunk.len(), |i| i + 1)..];
    let table: toml::Table = toml::from_str(body).map_err(|e| format!("malformed entry: {}", e.message()))?;
    let string = |k: &str| -> Result<Option<String>, String> {
        match table.get(k) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(format!("`{k}` must be a string")),
        }
    };
    let list = |k: &str| -> Result<Vec<String>, String> {
        match table.get(k) {
            None => Ok(Vec::new()),
            Some(toml::Value::String(s)) => Ok(vec![s.clone()]),
            Some(toml::Value::Array(a)) => a
                .iter()
                .map(|v| v.as_str().map(str::to_string).ok_or_else(|| format!("`{k}` must be a list of strings")))
                .collect(),
            Some(_) => Err(format!("`{k}` must be a list of strings")),
        }
    };
    let name = string("name")?.filter(|n| !n.trim().is_empty()).ok_or("an entry needs a `name`")?;
    let kind = match string("kind")?.as_deref().map(str::trim) {
        None | Some("person") => Kind::Person,
        Some("organization" | "organisation") => Kind::Organization,
        Some("place") => Kind::Place,
        Some("other") => Kind::Other,
        Some(k) => return Err(format!("unknown kind `{k}` (person, organization, place or other)")),
    };
    for key in table.keys() {
        if !matches!(key.as_str(), "name" | "kind" | "aliases" | "description" | "roles" | "links") {
            return Err(format!("unknown key `{key}`"));
        }
    }
    Ok(Some(RegistryEntry {
        name,
        kind,
        aliases: list("aliases")?,
        description: string("description")?,
        roles: list("roles")?,
        links: list("links")?,
        range: 0..0,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::Entity;

    #[test]
    fn a_new_entry_reads_back_as_the_entity() {
        let e = Entity {
            name: "Imangali Tasmagambetov".into(),
            kind: Kind::Person,
            forms: vec!["Imangali Tasmagambetov".into(), "Tasmagambetov".into(), "Тасмагамбетов \"И.\"".into()],
            roles: vec!["akim of Almaty".into()],
            description: None,
            candidates: vec![],
        };
        let text = entry_for(&e);
        assert!(text.starts_with("[[entity]]\nname = \"Imangali Tasmagambetov\"\nkind = \"person\"\n"), "{text}");
        let file = format!("[[entity]]\nname = \"Astana\"\nkind = \"place\"\n\n{text}");
        let (reg, errors) = Registry::parse(&file);
        assert!(errors.is_empty(), "{errors:?}");
        let entry = &reg.entries[1];
        assert_eq!(entry.aliases, ["Tasmagambetov", "Тасмагамбетов \"И.\""]);
        assert_eq!((entry.kind, entry.description.as_deref()), (Kind::Person, Some("")));
        assert_eq!(entry.roles, ["akim of Almaty"]);
        let bare = Entity { forms: vec![], roles: vec![], ..e };
        assert_eq!(
            entry_for(&bare),
            "[[entity]]\nname = \"Imangali Tasmagambetov\"\nkind = \"person\"\ndescription = \"\"\n"
        );
    }
}
