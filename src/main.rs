//! `dossier`: the language server and the command line, over one engine.
#![warn(clippy::print_stdout)]

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use dossier_engine::corpus::Corpus;
use dossier_engine::diag::Severity;
use dossier_lsp::loader;

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
    },
    /// List the entities of a corpus: name, kind, forms, mentions, documents.
    Entities {
        path: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Show the hover card of one entity.
    Show { name: String, path: Option<PathBuf> },
    /// List every diagnostic code with its default level and what it reports.
    Rules {
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
        Command::Check { paths, format } => check(paths, format),
        Command::Entities { path, format } => entities(path, format),
        Command::Show { name, path } => show(&name, path),
        Command::Rules { format } => list_rules(format),
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
    /// One diagnostic as a JSON object, keys in sorted order; `path` is already a JSON string.
    fn write_json(
        out: &mut impl Write,
        d: &dossier_engine::diag::Diagnostic,
        path: &[u8],
        line: usize,
        column: usize,
        end_line: usize,
    ) -> std::io::Result<()> {
        // Most strings need no escaping: those are written as they are, the others by serde_json.
        let string = |out: &mut dyn Write, s: &str| {
            if needs_escape(s.as_bytes()) {
                serde_json::to_writer(out, s).map_err(std::io::Error::from)
            } else {
                out.write_all(b"\"")?;
                out.write_all(s.as_bytes())?;
                out.write_all(b"\"")
            }
        };
        // Rule codes and severity names are plain ASCII words: nothing in them needs escaping.
        out.write_all(b"{\"code\":\"")?;
        out.write_all(d.code.as_bytes())?;
        out.write_all(b"\",\"column\":")?;
        write_number(out, column)?;
        out.write_all(b",\"endLine\":")?;
        write_number(out, end_line)?;
        out.write_all(b",\"fixes\":[")?;
        for (i, f) in d.fixes.iter().enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            string(out, &f.title)?;
        }
        out.write_all(b"],\"line\":")?;
        write_number(out, line)?;
        out.write_all(b",\"message\":")?;
        string(out, &d.message)?;
        out.write_all(b",\"path\":")?;
        out.write_all(path)?;
        out.write_all(b",\"severity\":\"")?;
        out.write_all(d.severity.as_str().as_bytes())?;
        out.write_all(b"\"}\n")
    }
    /// Does `s` hold a byte that JSON escapes (a control character, `"` or `\\`)? Eight bytes a
    /// step; a word with any such byte is flagged (the bit tricks never miss one).
    fn needs_escape(s: &[u8]) -> bool {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        let zero_byte = |w: u64| w.wrapping_sub(ONES) & !w & HIGH;
        let mut words = s.chunks_exact(8);
        for c in &mut words {
            let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            let control = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
            if control | zero_byte(w ^ (ONES * u64::from(b'"'))) | zero_byte(w ^ (ONES * u64::from(b'\\'))) != 0 {
                return true;
            }
        }
        words.remainder().iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\')
    }
    /// A number in decimal, without going through `fmt`.
    fn write_number(out: &mut impl Write, mut n: usize) -> std::io::Result<()> {
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        loop {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        out.write_all(&digits[i..])
    }

    let color = std::io::stdout().is_terminal() && format == Format::Human;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let (mut count, mut failing) = (0usize, false);
    let cwd = std::env::current_dir().ok();
    // Each document's part of the report is written to a buffer (in parallel), then the buffers
    // go out in document order; neither format shows related information.
    let render = |e: &dossier_engine::corpus::DocEntry, diagnostics: &[&dossier_engine::diag::Diagnostic]| {
        // (a diagnostic takes about 250 bytes of JSON, a little more in the human format)
        let mut out: Vec<u8> = Vec::with_capacity(diagnostics.len() * 320);
        let mut failing = false;
        let lines = e.lines();
        let shown = display_path(&e.name, cwd.as_deref());
        let shown_json =
            if format == Format::Json { serde_json::to_vec(&shown).unwrap_or_default() } else { Vec::new() };
        let mut line_no = 0;
        for d in diagnostics {
            failing |= d.severity >= Severity::Warning;
            // Diagnostics come sorted by position, so the line search resumes where it stopped.
            line_no = if lines.line_range_with_terminator(line_no).contains(&d.range.start) {
                line_no
            } else {
                lines.line_of(d.range.start)
            };
            let line = lines.line_range(&e.text, line_no);
            let line_text = &e.text[line.clone()];
            let col = e.text[line.start..d.range.start.max(line.start)].chars().count();
            let _ = match format {
                Format::Json => {
                    write_json(&mut out, d, &shown_json, line_no + 1, col + 1, lines.line_of(d.range.end) + 1)
                }
                Format::Human => {
                    let sev = d.severity.as_str();
                    let (c0, c1) = if color {
                        let c = match d.severity {
                            Severity::Error => "\x1b[1;31m",
                            Severity::Warning => "\x1b[1;33m",
                            _ => "\x1b[1;36m",
                        };
                        (c, "\x1b[0m")
                    } else {
                        ("", "")
                    };
                    let end = d.range.end.min(line.end).max(d.range.start);
                    let width = e.text[d.range.start.min(line.end)..end].chars().count().max(1);
                    let shown_line: String = line_text.chars().take(200).collect();
                    let caret_pad: String =
                        line_text.chars().take(col).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
                    writeln!(
                        out,
                        "{shown}:{}:{}: {c0}{sev}[{}]{c1}: {}\n  {:>4} | {}\n       | {}{c0}{}{c1}",
                        line_no + 1,
                        col + 1,
                        d.code,
                        d.message,
                        line_no + 1,
                        shown_line,
                        caret_pad,
                        "^".repeat(width.min(200usize.saturating_sub(col)).max(1))
                    )
                }
            };
        }
        (out, diagnostics.len(), failing)
    };
    corpus.report(render, |(piece, n, fails)| {
        let _ = out.write_all(&piece);
        count += n;
        failing |= fails;
    });
    if format == Format::Human {
        let _ = writeln!(
            out,
            "{count} diagnostic{} in {} document{}",
            if count == 1 { "" } else { "s" },
            corpus.len(),
            if corpus.len() == 1 { "" } else { "s" }
        );
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

fn show(name: &str, path: Option<PathBuf>) -> ExitCode {
    let corpus = match load_or_report(path.into_iter().collect()) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let index = corpus.entities();
    let Some(&id) = index.search(name, 1).first() else {
        eprintln!("dossier: no entity matches “{name}”");
        return ExitCode::from(1);
    };
    let from = index.references(id).first().map(|l| l.doc).unwrap_or(dossier_engine::DocId(0));
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", index.hover(id, from));
    ExitCode::SUCCESS
}

fn list_rules(format: Format) -> ExitCode {
    let all = dossier_engine::rules::all();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let width = all.iter().map(|r| r.code.len()).max().unwrap_or(0);
    if format == Format::Human {
        let _ = writeln!(out, "{:<width$}  {:<11}  what", "code", "default");
    }
    for r in &all {
        let _ = match format {
            Format::Json => writeln!(
                out,
                "{}",
                serde_json::json!({"code": r.code, "default": r.default_level.as_str(), "origin": r.origin.as_str(),
                                   "ignorable": r.ignorable, "summary": r.summary})
            ),
            Format::Human => writeln!(out, "{:<width$}  {:<11}  {}", r.code, r.default_level.as_str(), r.summary),
        };
    }
    let _ = out.flush();
    ExitCode::SUCCESS
}
