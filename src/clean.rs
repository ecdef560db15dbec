//! Cleaning from the command line: `dossier check --fix` and `dossier clean`.
//!
//! Both apply the safe fixes the engine offers (the same set as the editor's "Remove all scrape
//! artifacts" action, [`diag::fix_all`]). Nothing is lost: a file is only ever replaced
//! whole, by renaming a finished temporary file over it; a file that changed on disk since it
//! was read, was decoded from another encoding, or cannot be written is reported and left as
//! it was.

use std::io::Write;
use std::path::{Path, PathBuf};

use dossier_engine::corpus::{Corpus, DocEntry};
use dossier_engine::diag::{self, Diagnostic, Fix};

/// What the safe fixes do to one document.
pub struct Cleaned<'a> {
    pub entry: &'a DocEntry,
    pub text: String,
    pub fixes: Vec<(Diagnostic, Fix)>,
}

/// What the safe fixes do to document `e`, given its diagnostics.
pub fn clean_one<'a>(e: &'a DocEntry, found: &[&Diagnostic]) -> Cleaned<'a> {
    let chosen = diag::fix_all_with(found.iter().copied(), e.id);
    let fixes: Vec<&Fix> = chosen.iter().map(|(_, f)| *f).collect();
    let text = if fixes.is_empty() { e.text.to_string() } else { diag::apply(&e.text, &fixes) };
    let fixes = chosen.into_iter().map(|(d, f)| (d.clone(), f.clone())).collect();
    Cleaned { entry: e, text, fixes }
}

/// Call `f` on the cleaning of every document of `corpus`, in parallel batches, and `sink` on
/// what it returns, in document order (nothing is kept cached).
pub fn each_cleaned<R: Send>(corpus: &Corpus, f: impl Fn(Cleaned<'_>) -> R + Sync, sink: impl FnMut(R)) {
    corpus.report(|e, found| f(clean_one(e, found)), sink);
}

/// The cleaning of every document of `corpus` that has safe fixes, in document order.
pub fn cleaned(corpus: &Corpus) -> Vec<Cleaned<'_>> {
    let mut all = Vec::new();
    for e in corpus.docs() {
        let found = corpus.diagnostics(e.id);
        let c = clean_one(e, &found.iter().collect::<Vec<_>>());
        if !c.fixes.is_empty() {
            all.push(c);
        }
    }
    all
}

/// Why a document's file is not rewritten in place, if it is not.
fn refuse(e: &DocEntry) -> Option<String> {
    if !e.notices.is_empty() {
        return Some("it was decoded from another encoding; clean it with `dossier clean` instead".into());
    }
    match std::fs::read(&*e.name) {
        Err(err) => Some(format!("cannot read it again: {err}")),
        Ok(bytes) if bytes != e.text.as_bytes() => Some("it changed on disk since it was read".into()),
        Ok(_) => None,
    }
}

/// Replace the file at `path` with `text`, atomically: a temporary file in the same folder,
/// with the same permissions, renamed over it; `durable` waits for the text to reach the disk
/// before the rename (for files that replace an original).
pub fn write_atomically(path: &Path, text: &str, durable: bool) -> std::io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new().prefix(".dossier-").suffix(".tmp").tempfile_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    if durable {
        tmp.as_file().sync_all()?;
    }
    if let Ok(meta) = std::fs::metadata(path) {
        std::fs::set_permissions(tmp.path(), meta.permissions())?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// `dossier check --fix`: write the cleaned documents in place. Returns the number of fixes
/// applied, files changed, and whether every file that needed it was written.
pub fn fix_in_place(corpus: &Corpus) -> (usize, usize, bool) {
    let (mut fixes, mut files, mut ok) = (0, 0, true);
    for c in cleaned(corpus) {
        let path = Path::new(&*c.entry.name);
        let result = match refuse(c.entry) {
            Some(why) => Err(why),
            None => write_atomically(path, &c.text, true).map_err(|e| e.to_string()),
        };
        match result {
            Ok(()) => {
                fixes += c.fixes.len();
                files += 1;
            }
            Err(why) => {
                ok = false;
                eprintln!("dossier: {} not fixed, left as it was: {why}", path.display());
            }
        }
    }
    (fixes, files, ok)
}

/// Where the cleaned copy of `name` goes under `out`: its path relative to the root it was
/// found under (or its file name).
pub fn out_path(name: &str, roots: &[PathBuf], out: &Path) -> PathBuf {
    let p = Path::new(name);
    let rel = roots.iter().find_map(|r| p.strip_prefix(r).ok()).map(Path::to_path_buf);
    out.join(rel.unwrap_or_else(|| p.file_name().map(PathBuf::from).unwrap_or_else(|| PathBuf::from(name))))
}

/// One line of the report of `dossier clean`.
#[derive(serde::Serialize)]
struct Removed<'a> {
    path: &'a str,
    code: &'a str,
    fix: &'a str,
    line: usize,
    #[serde(rename = "endLine")]
    end_line: usize,
    start: usize,
    end: usize,
    removed: &'a str,
    replacement: &'a str,
}

/// One JSON line of the report for each edit of `c`: the file, the rule, where, what was
/// removed and what replaced it.
pub fn report_lines(c: &Cleaned<'_>, shown: &str) -> Vec<String> {
    let lines = c.entry.lines();
    let mut out = Vec::new();
    for (d, f) in &c.fixes {
        for e in &f.edits {
            let row = Removed {
                path: shown,
                code: d.code,
                fix: &f.title,
                line: lines.line_of(e.range.start) + 1,
                end_line: lines.line_of(e.range.end.saturating_sub(1).max(e.range.start)) + 1,
                start: e.range.start,
                end: e.range.end,
                removed: &c.entry.text[e.range.clone()],
                replacement: &e.new_text,
            };
            out.extend(serde_json::to_string(&row).ok());
        }
    }
    out
}

/// A unified diff of one document's cleaning, for `--dry-run`.
pub fn diff(c: &Cleaned<'_>, shown: &str) -> String {
    similar::TextDiff::from_lines(&*c.entry.text, &c.text)
        .unified_diff()
        .context_radius(2)
        .header(&format!("a/{shown}"), &format!("b/{shown}"))
        .to_string()
}

/// What writing one cleaned copy gave: its report lines and fixes, or why it failed.
type Written = (Vec<String>, usize, Option<String>);

/// `dossier clean --out DIR`: write a cleaned copy of every document under `out` (unchanged
/// ones too, so that `out` is the whole corpus) and the report of every edit, in parallel.
/// Returns the report lines in document order, the fixes and changed files, and the failures.
pub fn write_copies(
    corpus: &Corpus,
    roots: &[PathBuf],
    out: &Path,
    shown: &(dyn Fn(&str) -> String + Sync),
) -> (Vec<String>, usize, usize, Vec<String>) {
    let write = |c: Cleaned<'_>| -> Written {
        let name = &*c.entry.name;
        let target = out_path(name, roots, out);
        if target == Path::new(name) {
            return (Vec::new(), 0, Some(format!("{name}: the copy would replace the original")));
        }
        let result = target
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| write_atomically(&target, &c.text, false));
        match result {
            Ok(()) => (report_lines(&c, &shown(name)), c.fixes.len(), None),
            Err(err) => (Vec::new(), 0, Some(format!("{}: {err}", target.display()))),
        }
    };
    let (mut lines, mut fixes, mut files, mut failed) = (Vec::new(), 0, 0, Vec::new());
    each_cleaned(corpus, write, |(l, n, err): Written| {
        lines.extend(l);
        fixes += n;
        files += usize::from(n > 0);
        failed.extend(err);
    });
    (lines, fixes, files, failed)
}
