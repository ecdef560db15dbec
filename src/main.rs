//! `dossier`: the language server and the command line, over one engine.
#![warn(clippy::print_stdout)]

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use dossier_engine::corpus::{Corpus, DocEntry};
use dossier_engine::diag::{Diagnostic, Fix, Severity};
use dossier_lsp::loader;
use serde::Serialize;

mod clean;
mod views;

#[derive(Parser)]
#[command(name = "dossier", version, about = "Read and clean corpora of scraped, machine-translated news", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    Human,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Run the language server on stdin/stdout.
    Lsp {
        /// Accepted for compatibility with clients that pass it; stdio is the only transport.
        #[arg(long)]
        stdio: bool,
    },
    /// Report diagnostics for a corpus (folders and/or files; default: the current folder).
    /// Exits with 1 when any warning or error is found.
    Check {
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        /// Apply the safe fixes in place (each file replaced atomically), then report what is left.
        #[arg(long)]
        fix: bool,
    },
    /// Write cleaned copies of a corpus (every safe fix applied) to a folder, with a JSONL report
    /// of every removed range (`dossier-clean.jsonl`); the originals are not touched.
    Clean {
        path: PathBuf,
        /// Folder for the cleaned copies and the report.
        #[arg(long, required_unless_present = "dry_run")]
        out: Option<PathBuf>,
        /// Print the changes as a unified diff instead of writing anything.
        #[arg(long)]
        dry_run: bool,
    },
    /// List the entities of a corpus: name, kind, forms, mentions, documents.
    Entities {
        path: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Show the card of one entity: roles, defining sentence, who it appears with, documents.
    Show {
        name: String,
        path: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "human")]
        format: views::ShowFormat,
        /// Also list every mention (path:line:column).
        #[arg(long)]
        references: bool,
    },
    /// The corpus at a glance: which entities appear together (shared paragraphs and
    /// documents), and their mentions by document date.
    Graph {
        path: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "json")]
        format: views::GraphFormat,
        /// Only links between entities sharing at least this many paragraphs.
        #[arg(long, default_value_t = 1)]
        min_weight: u32,
        /// Only these kinds (person, organization, place, other), comma-separated.
        #[arg(long, value_delimiter = ',', value_parser = views::parse_kind)]
        kinds: Vec<dossier_engine::entities::Kind>,
        /// Only this entity and those it appears with.
        #[arg(long)]
        focus: Option<String>,
        /// At most this many entities, the most mentioned first.
        #[arg(long, default_value_t = 150)]
        max_nodes: usize,
    },
    /// List every diagnostic code with its default level and what it reports; with a corpus
    /// folder, also the level its dossier.toml sets.
    Rules {
        path: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
}

fn main() -> ExitCode {
    dossier_lsp::memory::grow_heaps_in_large_steps();
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("DOSSIER_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    match cli.command {
        Command::Lsp { stdio: _ } => {
            let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
                Ok(rt) => rt,
                Err(e) => {
                    eprintln!("dossier: cannot start the async runtime: {e}");
                    return ExitCode::from(2);
                }
            };
            let clean = rt.block_on(dossier_lsp::run_stdio());
            // Do not wait for background analysis still running: the client has gone.
            rt.shutdown_background();
            if clean {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Command::Check { paths, format, fix: false } => check(paths, format),
        Command::Check { paths, format, fix: true } => fix_then_check(paths, format),
        Command::Clean { path, out, dry_run } => clean_command(path, out, dry_run),
        Command::Entities { path, format } => entities(path, format),
        Command::Show { name, path, format, references } => show(&name, path, format, references),
        Command::Graph { path, format, min_weight, kinds, focus, max_nodes } => {
            graph(path, views::GraphArgs { format, min_weight, kinds, focus, max_nodes })
        }
        Command::Rules { path, format } => list_rules(path, format),
    }
}

/// Split command-line paths into corpus roots (folders) and single files.
fn load(paths: Vec<PathBuf>) -> Result<Corpus, String> {
    let paths = if paths.is_empty() { vec![PathBuf::from(".")] } else { paths };
    let (mut roots, mut files) = (Vec::new(), Vec::new());
    for p in paths {
        if p.is_dir() {
            roots.push(loader::normalize(&p));
        } else if p.is_file() {
            files.push(loader::normalize(&p));
        } else {
            return Err(format!("{}: no such file or folder", p.display()));
        }
    }
    let tty = std::io::stderr().is_terminal();
    let bar = |n: usize, total: usize| {
        if tty {
            let width = 30;
            let filled = (n * width).checked_div(total).unwrap_or(width);
            eprint!("\r[{}{}] {n}/{total} files", "#".repeat(filled), " ".repeat(width - filled));
        }
    };
    let (corpus, skipped, config_error) = loader::load_corpus(&roots, &files, &bar);
    if tty {
        eprint!("\r\x1b[2K");
    }
    if let Some(e) = config_error {
        eprintln!("dossier: {e} (using the default configuration)");
    }
    for s in skipped {
        eprintln!("dossier: skipped {}: {}", s.path.display(), s.reason);
    }
    Ok(corpus)
}

/// [`load`], reporting a bad path on stderr as exit code 2.
fn load_or_report(paths: Vec<PathBuf>) -> Result<Corpus, ExitCode> {
    load(paths).map_err(|e| {
        eprintln!("dossier: {e}");
        ExitCode::from(2)
    })
}

/// `name` relative to `cwd` (the current folder) when it lies inside it.
fn display_path(name: &str, cwd: Option<&Path>) -> String {
    let p = Path::new(name);
    cwd.and_then(|cwd| p.strip_prefix(cwd).ok().map(|r| r.display().to_string())).unwrap_or_else(|| name.to_string())
}

fn check(paths: Vec<PathBuf>, format: Format) -> ExitCode {
    let corpus = match load_or_report(paths) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let report = Report {
        format,
        color: std::io::stdout().is_terminal() && format == Format::Human,
        cwd: std::env::current_dir().ok(),
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let (mut count, mut failing) = (0usize, false);
    // Each document's part is written to a buffer (in parallel), then the buffers go out in
    // document order.
    corpus.report(
        |e, diagnostics| report.document(e, diagnostics),
        |(piece, n, fails)| {
            let _ = out.write_all(&piece);
            count += n;
            failing |= fails;
        },
    );
    if format == Format::Human {
        let (s, docs) = (if count == 1 { "" } else { "s" }, corpus.len());
        let _ = writeln!(out, "{count} diagnostic{s} in {docs} document{}", if docs == 1 { "" } else { "s" });
    }
    let _ = out.flush();
    drop(out);
    // The process ends here: leave the corpus to the OS rather than freeing it piece by piece.
    std::mem::forget(corpus);
    if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// How `dossier check` writes its report. Neither format shows related information.
struct Report {
    format: Format,
    color: bool,
    cwd: Option<PathBuf>,
}

/// One diagnostic of `dossier check --format json`: one object a line, keys in sorted order.
#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'a str,
    column: usize,
    #[serde(rename = "endLine")]
    end_line: usize,
    #[serde(serialize_with = "fix_titles")]
    fixes: &'a [Fix],
    line: usize,
    message: &'a str,
    path: &'a str,
    severity: &'a str,
}

fn fix_titles<S: serde::Serializer>(fixes: &&[Fix], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(fixes.iter().map(|f| &f.title))
}

/// Where a diagnostic starts: its 0-based line, that line's byte range, and the 0-based column in
/// characters.
struct Place {
    line: usize,
    line_range: std::ops::Range<usize>,
    column: usize,
}

impl Report {
    /// One document's part of the report, the number of its diagnostics, and whether any of
    /// them makes the run fail.
    fn document(&self, e: &DocEntry, diagnostics: &[&Diagnostic]) -> (Vec<u8>, usize, bool) {
        // (a diagnostic takes about 250 bytes of JSON, a little more in the human format)
        let mut out: Vec<u8> = Vec::with_capacity(diagnostics.len() * 320);
        let lines = e.lines();
        let shown = display_path(&e.name, self.cwd.as_deref());
        let mut line = 0;
        for d in diagnostics {
            // Diagnostics come sorted by position, so the line search resumes where it stopped.
            if !lines.line_range_with_terminator(line).contains(&d.range.start) {
                line = lines.line_of(d.range.start);
            }
            let line_range = lines.line_range(&e.text, line);
            let column = e.text[line_range.start..d.range.start.max(line_range.start)].chars().count();
            let at = Place { line, line_range, column };
            let _ = match self.format {
                Format::Json => write_json(&mut out, d, &shown, &at, lines.line_of(d.range.end)),
                Format::Human => self.write_human(&mut out, &e.text, d, &shown, &at),
            };
        }
        let failing = diagnostics.iter().any(|d| d.severity >= Severity::Warning);
        (out, diagnostics.len(), failing)
    }

    /// A diagnostic as `path:line:column: severity[code]: message`, then its source line with a caret.
    fn write_human(
        &self,
        out: &mut Vec<u8>,
        text: &str,
        d: &Diagnostic,
        shown: &str,
        at: &Place,
    ) -> std::io::Result<()> {
        let (c0, c1) = match (self.color, d.severity) {
            (false, _) => ("", ""),
            (true, Severity::Error) => ("\x1b[1;31m", "\x1b[0m"),
            (true, Severity::Warning) => ("\x1b[1;33m", "\x1b[0m"),
            (true, _) => ("\x1b[1;36m", "\x1b[0m"),
        };
        let line = &at.line_range;
        let line_text = &text[line.clone()];
        let end = d.range.end.min(line.end).max(d.range.start);
        let width = text[d.range.start.min(line.end)..end].chars().count().max(1);
        let shown_line: String = line_text.chars().take(200).collect();
        let caret_pad: String = line_text.chars().take(at.column).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
        let carets = "^".repeat(width.min(200usize.saturating_sub(at.column)).max(1));
        let (n, col, sev) = (at.line + 1, at.column + 1, d.severity.as_str());
        writeln!(out, "{shown}:{n}:{col}: {c0}{sev}[{}]{c1}: {}", d.code, d.message)?;
        writeln!(out, "  {n:>4} | {shown_line}\n       | {caret_pad}{c0}{carets}{c1}")
    }
}

/// A diagnostic as one line of JSON.
fn write_json(out: &mut Vec<u8>, d: &Diagnostic, shown: &str, at: &Place, end_line: usize) -> std::io::Result<()> {
    let row = JsonDiagnostic {
        code: d.code,
        column: at.column + 1,
        end_line: end_line + 1,
        fixes: &d.fixes,
        line: at.line + 1,
        message: &d.message,
        path: shown,
        severity: d.severity.as_str(),
    };
    serde_json::to_writer(&mut *out, &row)?;
    out.write_all(b"\n")
}

/// `dossier check --fix`: apply the safe fixes in place, say what changed, then report what is
/// left as `check` does.
fn fix_then_check(paths: Vec<PathBuf>, format: Format) -> ExitCode {
    let corpus = match load_or_report(paths.clone()) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let (fixes, files, all_written) = clean::fix_in_place(&corpus);
    eprintln!(
        "dossier: applied {fixes} fix{} in {files} file{}",
        if fixes == 1 { "" } else { "es" },
        if files == 1 { "" } else { "s" }
    );
    drop(corpus);
    let code = check(paths, format);
    if all_written {
        code
    } else {
        ExitCode::from(1)
    }
}

/// `dossier clean PATH --out DIR` (or `--dry-run`).
fn clean_command(path: PathBuf, out: Option<PathBuf>, dry_run: bool) -> ExitCode {
    let root = loader::normalize(&path);
    let roots = if root.is_dir() { vec![root] } else { Vec::new() };
    let corpus = match load_or_report(vec![path]) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let cwd = std::env::current_dir().ok();
    let shown = |name: &str| display_path(name, cwd.as_deref());
    let Some(out) = out.filter(|_| !dry_run) else {
        let mut stdout = std::io::stdout().lock();
        let cleaned = clean::cleaned(&corpus);
        for c in &cleaned {
            let _ = stdout.write_all(clean::diff(c, &shown(&c.entry.name)).as_bytes());
        }
        let fixes: usize = cleaned.iter().map(|c| c.fixes.len()).sum();
        eprintln!("dossier: {fixes} fixes in {} of {} files would be applied (dry run)", cleaned.len(), corpus.len());
        return ExitCode::SUCCESS;
    };
    let out = loader::normalize(&out);
    if let Err(e) = std::fs::create_dir_all(&out) {
        eprintln!("dossier: cannot create {}: {e}", out.display());
        return ExitCode::from(2);
    }
    let (lines, fixes, files, failed) = clean::write_copies(&corpus, &roots, &out, &shown);
    let report = out.join("dossier-clean.jsonl");
    let mut text = lines.join("\n");
    if !text.is_empty() {
        text.push('\n');
    }
    let report_written = clean::write_atomically(&report, &text, true);
    for f in &failed {
        eprintln!("dossier: not written: {f}");
    }
    if let Err(e) = &report_written {
        eprintln!("dossier: cannot write {}: {e}", report.display());
    }
    eprintln!(
        "dossier: {} cleaned copies in {} ({fixes} fixes in {files} files), report in {}",
        corpus.len() - failed.len(),
        out.display(),
        report.display()
    );
    if failed.is_empty() && report_written.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn entities(path: Option<PathBuf>, format: Format) -> ExitCode {
    let corpus = match load_or_report(path.into_iter().collect()) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let index = corpus.entities();
    let mut rows: Vec<_> = index.all().map(|(id, e)| (id, e, index.counts(id))).collect();
    rows.sort_by(|a, b| b.2 .0.cmp(&a.2 .0).then_with(|| a.1.name.cmp(&b.1.name)));
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (_, e, (mentions, docs)) in &rows {
        let _ = match format {
            Format::Json => writeln!(
                out,
                "{}",
                serde_json::json!({"name": e.name, "kind": e.kind.as_str(), "forms": e.forms, "roles": e.roles,
                                   "mentions": mentions, "documents": docs})
            ),
            Format::Human => writeln!(
                out,
                "{:<36} {:<13} {:>5} mentions {:>4} docs  {}",
                e.name,
                e.kind.as_str(),
                mentions,
                docs,
                e.forms.join(", ")
            ),
        };
    }
    let _ = out.flush();
    ExitCode::SUCCESS
}

fn show(name: &str, path: Option<PathBuf>, format: views::ShowFormat, references: bool) -> ExitCode {
    let corpus = match load_or_report(path.into_iter().collect()) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let cwd = std::env::current_dir().ok();
    views::show(&corpus, name, format, references, |p| display_path(p, cwd.as_deref()))
}

fn graph(path: Option<PathBuf>, args: views::GraphArgs) -> ExitCode {
    let root = path.clone().unwrap_or_else(|| PathBuf::from("."));
    let corpus = match load_or_report(path.into_iter().collect()) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let code = views::graph(&corpus, &loader::normalize(&root), args);
    // The process ends here: leave the corpus to the OS rather than freeing it piece by piece.
    std::mem::forget(corpus);
    code
}

fn list_rules(path: Option<PathBuf>, format: Format) -> ExitCode {
    // the configuration of the corpus at `path`, when one is given
    let config = match path.as_deref().map(|p| loader::read_config_file(&loader::normalize(p))) {
        None => None,
        Some(Ok(layer)) => Some(layer.unwrap_or_default().resolve()),
        Some(Err(e)) => {
            eprintln!("dossier: {e}");
            return ExitCode::from(2);
        }
    };
    let all = dossier_engine::rules::all();
    let level =
        |r: &dossier_engine::rules::RuleInfo| config.as_ref().map(|c| c.level(r.code, r.default_level).as_str());
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let width = all.iter().map(|r| r.code.len()).max().unwrap_or(0);
    let column = |l: Option<&str>| l.map(|l| format!("{l:<11}  ")).unwrap_or_default();
    if format == Format::Human {
        let _ = writeln!(out, "{:<width$}  {:<11}  {}what", "code", "default", column(level(&all[0]).map(|_| "level")));
    }
    for r in &all {
        let _ = match format {
            Format::Json => {
                let mut row = serde_json::json!({"code": r.code, "default": r.default_level.as_str(),
                    "origin": r.origin.as_str(), "ignorable": r.ignorable, "summary": r.summary});
                if let Some(l) = level(r) {
                    row["level"] = l.into();
                }
                writeln!(out, "{row}")
            }
            Format::Human => {
                let (code, default) = (r.code, r.default_level.as_str());
                writeln!(out, "{code:<width$}  {default:<11}  {}{}", column(level(r)), r.summary)
            }
        };
    }
    let _ = out.flush();
    ExitCode::SUCCESS
}
