//! The hover card of an entity, in Markdown.

use super::{EntityId, EntityIndex};
use crate::translit::{has_cyrillic, transliterate};
use crate::DocId;

impl EntityIndex {
    /// The hover card in Markdown: name and kind word, forms with transliterations, roles,
    /// registry description, "N mentions in M documents", other documents with snippets.
    pub fn hover(&self, id: EntityId, from: DocId) -> String {
        let Some(e) = self.entity(id) else { return String::new() };
        let mut out = format!("**{}** — {}\n", e.name, e.kind.as_str());
        if let Some(d) = &e.description {
            out.push_str(&format!("\n{d}\n"));
        }
        if !e.forms.is_empty() {
            let forms: Vec<String> = e
                .forms
                .iter()
                .take(12)
                .map(|f| if has_cyrillic(f) { format!("{f} ({})", transliterate(f)) } else { f.clone() })
                .collect();
            out.push_str(&format!("\nAlso: {}\n", forms.join(" · ")));
        }
        if !e.roles.is_empty() {
            let roles: Vec<&str> = e.roles.iter().take(6).map(String::as_str).collect();
            out.push_str(&format!("\nRoles: {}\n", roles.join("; ")));
        }
        if !e.candidates.is_empty() {
            out.push_str(&format!("\nAmbiguous surname, not linked; possibly: {}\n", e.candidates.join(", ")));
        }
        let (n, m) = self.counts(id);
        let plural = |k: usize, w: &str| if k == 1 { format!("{k} {w}") } else { format!("{k} {w}s") };
        out.push_str(&format!("\n{} in {}\n", plural(n, "mention"), plural(m, "document")));
        let others: Vec<_> = self.snippets(id).iter().filter(|(d, _, _)| *d != from).take(5).collect();
        if !others.is_empty() {
            out.push('\n');
            for (_, name, snip) in others {
                out.push_str(&format!("- `{name}`: {snip}\n"));
            }
        }
        out
    }
}
