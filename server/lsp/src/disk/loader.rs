//! Finding corpus files, reading and decoding them, and reading `dossier.toml` and the registry.
//!
//! Corpus files are the files under each root that match the include globs (default
//! `**/*.txt`) and no exclude glob, honouring `.gitignore`/`.ignore` files even outside a git
//! repository, skipping hidden folders (and so the `.dossier/` cache) and never following
//! symbolic links (so link loops cannot trap the walk).

use std::borrow::Cow;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use super::cache::{self, Cache};
use dossier_engine::config::{self, Config, ConfigError, Options};
use dossier_engine::corpus::NewDoc;
use dossier_engine::decode::{decode, Decoded};
use dossier_engine::store::files::Stamp;
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use rayon::prelude::*;

/// Name of the configuration file at a corpus root.
pub const CONFIG_FILE: &str = "dossier.toml";

/// Lexically normalised absolute path, used as the document key everywhere (URIs with
/// different percent-escapes of the same path meet here).
pub fn normalize(path: &Path) -> PathBuf {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().map(|d| d.join(path)).unwrap_or_else(|_| path.to_path_buf())
    };
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The document key of a path.
pub fn key(path: &Path) -> String {
    normalize(path).to_string_lossy().into_owned()
}

/// Include/exclude matching relative to a root.
#[derive(Clone, Debug)]
pub struct Filter {
    include: GlobSet,
    exclude: GlobSet,
}

fn globset(globs: &[String]) -> GlobSet {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        // Globs are validated with the configuration; a bad one here is skipped.
        if let Ok(glob) = GlobBuilder::new(g).literal_separator(false).build() {
            b.add(glob);
        }
    }
    b.build().unwrap_or_else(|_| GlobSet::empty())
}

impl Filter {
    pub fn new(config: &Config) -> Filter {
        Filter { include: globset(&config.include), exclude: globset(&config.exclude) }
    }

    /// Does `path` (under one of `roots`) belong to the corpus?
    pub fn matches(&self, roots: &[PathBuf], path: &Path) -> bool {
        let Some(rel) = roots.iter().find_map(|r| path.strip_prefix(r).ok()) else {
            return false;
        };
        // a hidden file or folder: a name that starts with a dot (read from the bytes: this runs
        // for every file of the walk)
        let bytes = rel.as_os_str().as_encoded_bytes();
        let separator = |b: u8| b == b'/' || b == std::path::MAIN_SEPARATOR as u8;
        if bytes.first() == Some(&b'.') || bytes.windows(2).any(|w| separator(w[0]) && w[1] == b'.') {
            return false;
        }
        let candidate = globset::Candidate::new(rel);
        self.include.is_match_candidate(&candidate) && !self.exclude.is_match_candidate(&candidate)
    }
}

/// A corpus file as read from disk.
#[derive(Debug)]
pub struct LoadedFile {
    pub key: String,
    pub text: Arc<str>,
    /// Notices for the user about decoding.
    pub notices: Vec<String>,
    /// Size, modification time and content hash of the bytes read (for the index cache).
    pub stamp: Stamp,
}

/// Why a file was not loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: String,
}

/// The outcome of reading one file.
#[derive(Debug)]
pub enum ReadOutcome {
    Loaded(LoadedFile),
    Skipped(Skipped),
}

/// Read and decode one file, respecting the size limit.
///
/// The file is opened once (without blocking, so a FIFO cannot hang the load), checked through
/// its descriptor, and read into the shared buffer the corpus keeps its text in (copied only
/// when it is not UTF-8 as it is).
pub fn read_file(path: &Path, max_size: u64) -> ReadOutcome {
    read_opened(path, key(path), open_nonblocking(path), max_size)
}

/// [`read_file`] for the file at `path` as opened, whose key is `key`.
fn read_opened(path: &Path, key: String, file: std::io::Result<std::fs::File>, max_size: u64) -> ReadOutcome {
    let skip = |reason: String| ReadOutcome::Skipped(Skipped { path: path.to_path_buf(), reason });
    let mut file = match file {
        Ok(f) => f,
        Err(e) => return skip(format!("cannot read: {e}")),
    };
    let meta = match file.metadata() {
        Ok(m) => m,
        Err(e) => return skip(format!("cannot read: {e}")),
    };
    if !meta.is_file() {
        return skip("not a regular file".into());
    }
    if meta.len() > max_size {
        return skip(format!(
            "{} bytes is above the size limit of {max_size} bytes (corpus.maxFileSize in dossier.toml)",
            meta.len()
        ));
    }
    // The size the file had when opened is read (no extra call to find the end); a file that
    // grows meanwhile is read again by its change event.
    let bytes = match read_shared(&mut file, meta.len() as usize) {
        Ok(b) => b,
        Err(e) => return skip(format!("cannot read: {e}")),
    };
    let stamp = cache::stamp(&meta, &bytes);
    let decoded = decode(&bytes);
    let notices = decoded.notice().into_iter().collect();
    let text = match decoded {
        Decoded::Binary { reason } => return skip(format!("binary file ({reason})")),
        // all of it, as it is: the bytes become the text without a copy
        Decoded::Text { text: Cow::Borrowed(s), .. } if std::ptr::eq(s.as_bytes(), &*bytes) => None,
        Decoded::Text { text, .. } => Some(Arc::from(&*text)),
    };
    // SAFETY: `decode` took exactly these bytes as a `str`, so they are valid UTF-8; a `str` is
    // laid out as its bytes, and the pointer from `Arc::into_raw` keeps the allocation and length.
    let text = text.unwrap_or_else(|| unsafe { Arc::from_raw(Arc::into_raw(bytes) as *const str) });
    ReadOutcome::Loaded(LoadedFile { key, text, notices, stamp })
}

/// Read `len` bytes (fewer if the file is shorter) into a shared buffer, which is filled where
/// it is allocated: the corpus keeps the text in it.
fn read_shared(file: &mut std::fs::File, len: usize) -> std::io::Result<Arc<[u8]>> {
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        let mut buf = Arc::<[u8]>::new_uninit_slice(len);
        let Some(slots) = Arc::get_mut(&mut buf) else { unreachable!("a new buffer is not shared") };
        let mut done = 0;
        while done < len {
            // SAFETY: the kernel writes at most `len - done` bytes into the unfilled, owned
            // part of the buffer; `read` is given the file's open descriptor.
            let n =
                unsafe { libc::read(file.as_raw_fd(), slots[done..].as_mut_ptr().cast::<libc::c_void>(), len - done) };
            match n {
                0 => break,
                n if n > 0 => done += n as usize,
                _ => {
                    let e = std::io::Error::last_os_error();
                    if e.kind() != std::io::ErrorKind::Interrupted {
                        return Err(e);
                    }
                }
            }
        }
        if done < len {
            // the file is shorter than it was: the part read
            // SAFETY: the first `done` bytes were written by `read`.
            let read = unsafe { std::slice::from_raw_parts(slots.as_ptr().cast::<u8>(), done) };
            return Ok(Arc::from(read));
        }
        // SAFETY: all `len` bytes were written by `read`.
        Ok(unsafe { buf.assume_init() })
    }
    #[cfg(not(unix))]
    {
        use std::io::Read;
        let mut bytes = Vec::with_capacity(len);
        file.take(len as u64).read_to_end(&mut bytes)?;
        Ok(Arc::from(bytes))
    }
}

/// Open a file for reading; on Unix without waiting for a writer (a FIFO).
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// Opens files through a handle on their folder, so that the kernel resolves only the file's
/// own name instead of walking the whole path again for each of thousands of files (the
/// files of a folder come one after another in a sorted list). Elsewhere than on Linux, or when
/// the folder cannot be opened, a file is opened by its path.
#[derive(Default)]
struct FolderOpener {
    #[cfg(target_os = "linux")]
    folder: Option<(PathBuf, std::os::fd::OwnedFd)>,
}

impl FolderOpener {
    #[cfg(target_os = "linux")]
    fn open(&mut self, path: &Path) -> std::io::Result<std::fs::File> {
        use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
        use std::os::unix::ffi::OsStrExt;
        let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else { return open_nonblocking(path) };
        if self.folder.as_ref().is_none_or(|(p, _)| p != parent) {
            self.folder = None;
            let Ok(c) = std::ffi::CString::new(parent.as_os_str().as_bytes()) else { return open_nonblocking(path) };
            // SAFETY: `c` is a NUL-terminated path; the descriptor returned is owned here.
            let fd = unsafe { libc::open(c.as_ptr(), libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC) };
            if fd < 0 {
                return open_nonblocking(path);
            }
            // SAFETY: `fd` was just opened and nothing else owns it.
            self.folder = Some((parent.to_path_buf(), unsafe { OwnedFd::from_raw_fd(fd) }));
        }
        let Some((_, dir)) = &self.folder else { return open_nonblocking(path) };
        let Ok(c) = std::ffi::CString::new(name.as_bytes()) else { return open_nonblocking(path) };
        // SAFETY: `dir` is an open folder descriptor and `c` a NUL-terminated name; the
        // descriptor returned is owned by the `File`. The flags are those of `open_nonblocking`.
        let fd =
            unsafe { libc::openat(dir.as_raw_fd(), c.as_ptr(), libc::O_RDONLY | libc::O_NONBLOCK | libc::O_CLOEXEC) };
        if fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: as above.
        Ok(unsafe { std::fs::File::from_raw_fd(fd) })
    }

    #[cfg(not(target_os = "linux"))]
    fn open(&mut self, path: &Path) -> std::io::Result<std::fs::File> {
        open_nonblocking(path)
    }
}

/// Does `path` really lie under one of `roots` once symbolic links are resolved? The walk never
/// follows links; a file announced by the editor (a watched-file event, a closed buffer) is read
/// only when this holds, so a link inside a workspace cannot bring in a file from outside it.
/// A path that cannot be resolved (it does not exist) counts as inside: reading it then fails
/// with its own message.
pub fn really_within(roots: &[PathBuf], path: &Path) -> bool {
    let Ok(real) = std::fs::canonicalize(path) else { return true };
    roots.iter().any(|r| std::fs::canonicalize(r).is_ok_and(|r| real.starts_with(r)))
}

/// All corpus file paths under `roots`, sorted.
pub fn discover(roots: &[PathBuf], config: &Config) -> Vec<PathBuf> {
    let filter = Filter::new(config);
    let mut out = Vec::new();
    // The walk joins plain entry names to a normalised root, so its paths stay normalised.
    let roots: Vec<PathBuf> = roots.iter().map(|r| normalize(r)).collect();
    for root in &roots {
        let walker = ignore::WalkBuilder::new(root)
            .hidden(true)
            .git_ignore(true)
            .git_global(false)
            .git_exclude(true)
            .ignore(true)
            .parents(true)
            .require_git(false)
            .follow_links(false)
            .build();
        for entry in walker.flatten() {
            let p = entry.path();
            if entry.file_type().is_some_and(|t| t.is_file()) && filter.matches(&roots, p) {
                out.push(entry.into_path());
            }
        }
    }
    // by bytes: the order only needs to be stable, and comparing paths component by component
    // costs more than the walk
    out.sort_unstable_by(|a, b| a.as_os_str().as_encoded_bytes().cmp(b.as_os_str().as_encoded_bytes()));
    out.dedup();
    out
}

/// Read many files in parallel (on the rayon pool, off any async runtime). The paths are
/// normalised (as [`discover`] returns them), so each is its own key.
/// `progress` is called with the number of files done so far, from worker threads.
pub fn read_all(paths: &[PathBuf], max_size: u64, progress: &(dyn Fn(usize) + Sync)) -> Vec<ReadOutcome> {
    let done = std::sync::atomic::AtomicUsize::new(0);
    paths
        .par_iter()
        .map_init(FolderOpener::default, |folders, p| {
            let r = read_opened(p, p.to_string_lossy().into_owned(), folders.open(p), max_size);
            let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            if n % 256 == 0 || n == paths.len() {
                progress(n);
            }
            r
        })
        .collect()
}

/// Read `dossier.toml` at a root: `Ok(None)` when absent, the parsed layer, or its error.
pub fn read_config_file(root: &Path) -> Result<Option<Options>, ConfigError> {
    let path = root.join(CONFIG_FILE);
    match std::fs::read_to_string(&path) {
        Ok(src) => config::parse_toml(&src, &dossier_engine::rules::all_codes()).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ConfigError { message: format!("cannot read {}: {e}", path.display()), range: None }),
    }
}

/// Read a small text file (configuration, registry); `None` when absent or unreadable.
pub fn read_text(path: &Path) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

/// Is there a file (or folder) at `path`?
pub fn exists(path: &Path) -> bool {
    path.exists()
}

/// Resolve the registry path of a configuration against the first root.
pub fn registry_path(roots: &[PathBuf], config: &Config) -> Option<PathBuf> {
    let p = Path::new(&config.registry_path);
    if p.is_absolute() {
        Some(normalize(p))
    } else {
        roots.first().map(|r| normalize(&r.join(p)))
    }
}

/// Load a whole corpus (for the command line): configuration from the first root's
/// `dossier.toml`, every corpus file, the registry. Returns the corpus, the skipped files and the
/// configuration error, if any (the defaults are used then).
pub fn load_corpus(
    roots: &[PathBuf],
    files: &[PathBuf],
    progress: &(dyn Fn(usize, usize) + Sync),
) -> (dossier_engine::corpus::Corpus, Vec<Skipped>, Option<ConfigError>) {
    let (config, config_error) = match roots.first().map(|r| read_config_file(r)) {
        Some(Ok(Some(layer))) => (layer.resolve(), None),
        Some(Err(e)) => (Config::default(), Some(e)),
        _ => (Config::default(), None),
    };
    let mut paths = discover(roots, &config);
    paths.extend(files.iter().map(|f| normalize(f)));
    paths.sort();
    paths.dedup();
    let total = paths.len();
    let outcomes = read_all(&paths, config.max_file_size, &|n| progress(n, total));
    let mut corpus = dossier_engine::corpus::Corpus::new(config);
    let (docs, skipped) = prepare_all(outcomes, &Cache::default());
    for d in docs {
        corpus.insert(d.doc);
    }
    if let Some(reg) = registry_path(roots, corpus.config()) {
        if let Ok(text) = std::fs::read_to_string(&reg) {
            corpus.set_registry(&key(&reg), Some(Arc::from(text)));
        }
    }
    (corpus, skipped, config_error)
}

/// A document read from disk, ready for insertion.
#[derive(Debug)]
pub struct Prepared {
    pub doc: NewDoc,
    /// How the file looked when read.
    pub stamp: Stamp,
    /// Its entities came from the index cache.
    pub cached: bool,
}

/// Split read outcomes into documents prepared for insertion (in parallel) and skipped files.
/// A file whose stamp matches its entry in `cache` takes its mentions from there (an entry that
/// does not read is recognised again).
pub fn prepare_all(outcomes: Vec<ReadOutcome>, cache: &Cache) -> (Vec<Prepared>, Vec<Skipped>) {
    let mut loaded = Vec::with_capacity(outcomes.len());
    let mut skipped = Vec::new();
    for o in outcomes {
        match o {
            ReadOutcome::Loaded(f) => loaded.push(f),
            ReadOutcome::Skipped(s) => skipped.push(s),
        }
    }
    let docs = loaded
        .into_par_iter()
        .map(|f| {
            // kept in their stored form, in the cache's bytes: a restart whose linked index is
            // read back never reads most of them
            let hit = (cache.shared().zip(cache.get(&f.key, &f.stamp)))
                .and_then(|(all, at)| dossier_engine::store::mentions::keep(all, at).ok());
            let cached = hit.is_some();
            let mut doc = NewDoc::new(&f.key, f.text, f.notices);
            if let Some(m) = hit {
                doc = doc.with_mentions(m);
            }
            Prepared { doc, stamp: f.stamp, cached }
        })
        .collect();
    (docs, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_file_outcomes() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        let write = |name: &str, bytes: &[u8]| {
            let p = dir.join(name);
            std::fs::write(&p, bytes).unwrap();
            p
        };
        let text = |o: ReadOutcome| match o {
            ReadOutcome::Loaded(f) => (f.text.to_string(), f.notices.len()),
            ReadOutcome::Skipped(s) => panic!("skipped {}: {}", s.path.display(), s.reason),
        };
        let reason = |o: ReadOutcome| match o {
            ReadOutcome::Loaded(f) => panic!("loaded {}", f.key),
            ReadOutcome::Skipped(s) => s.reason,
        };
        // the per-thread buffer is reused: a shorter file after a longer one keeps only its bytes
        assert_eq!(text(read_file(&write("long.txt", "Токаев said so.\n".repeat(50).as_bytes()), 1 << 20)).1, 0);
        assert_eq!(text(read_file(&write("short.txt", b"Ok."), 1 << 20)), ("Ok.".to_string(), 0));
        let (cp1251, notices) =
            text(read_file(&write("cp1251.txt", b"\xd2\xee\xea\xe0\xe5\xe2 \xf1\xea\xe0\xe7\xe0\xeb"), 100));
        assert_eq!((cp1251.as_str(), notices), ("Токаев сказал", 1));
        // a byte-order mark is dropped from the text, an empty file is an empty text
        assert_eq!(text(read_file(&write("bom.txt", b"\xEF\xBB\xBFAstana"), 100)), ("Astana".to_string(), 0));
        assert_eq!(text(read_file(&write("empty.txt", b""), 100)), (String::new(), 0));
        // a file shorter than its size when opened: what is there
        let mut f = std::fs::File::open(write("shrunk.txt", b"Almaty")).unwrap();
        assert_eq!(&*read_shared(&mut f, 100).unwrap(), b"Almaty");
        assert!(reason(read_file(&write("big.txt", &[b'a'; 101]), 100)).contains("size limit"));
        assert!(reason(read_file(&write("bin.txt", &[0u8; 4096]), 1 << 20)).contains("binary"));
        assert!(reason(read_file(&dir.join("missing.txt"), 100)).contains("cannot read"));
        assert!(reason(read_file(&dir, 100)).contains("not a regular file"));
        // a FIFO with no writer: opening it must not wait
        let fifo = dir.join("pipe.txt");
        if std::process::Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success()) {
            assert!(reason(read_file(&fifo, 100)).contains("not a regular file"));
        }
    }

    #[test]
    fn read_all_reads_what_read_file_reads() {
        // files of folders that alternate in the sorted list, a file behind a link, and files
        // that cannot be read: each read through its folder's handle as `read_file` reads it
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        std::fs::create_dir_all(dir.join("a/b")).unwrap();
        std::fs::write(dir.join("a/b.txt"), "Tokayev in Astana.").unwrap();
        std::fs::write(dir.join("a/b/c.txt"), "Токаев").unwrap();
        std::fs::write(dir.join("a/c.txt"), [0u8; 64]).unwrap();
        std::fs::write(dir.join("a/d.txt"), "x".repeat(200)).unwrap();
        std::fs::write(dir.join("top.txt"), "Almaty").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(dir.join("a/b/c.txt"), dir.join("a/link.txt")).unwrap();
        let names = ["a/b.txt", "a/b/c.txt", "a/c.txt", "a/d.txt", "a/gone.txt", "a/link.txt", "a/b", "top.txt"];
        let paths: Vec<PathBuf> = names.iter().map(|n| dir.join(n)).collect();
        let show = |o: &ReadOutcome| match o {
            ReadOutcome::Loaded(f) => format!("{} {:?} {} {:?}", f.key, f.text, f.stamp.size, f.notices),
            ReadOutcome::Skipped(s) => format!("{} skipped: {}", s.path.display(), s.reason),
        };
        let done = std::sync::atomic::AtomicUsize::new(0);
        let all: Vec<String> = read_all(&paths, 100, &|n| {
            done.fetch_max(n, std::sync::atomic::Ordering::Relaxed);
        })
        .iter()
        .map(show)
        .collect();
        let one: Vec<String> = paths.iter().map(|p| show(&read_file(p, 100))).collect();
        assert_eq!(all, one);
        // one opener through the whole list (the pool may give each file its own)
        let contents = |f: std::io::Result<std::fs::File>| -> Result<Vec<u8>, std::io::ErrorKind> {
            let mut v = Vec::new();
            f.and_then(|mut f| std::io::Read::read_to_end(&mut f, &mut v)).map(|_| v).map_err(|e| e.kind())
        };
        let mut folders = FolderOpener::default();
        for p in &paths {
            let by_folder = contents(folders.open(p));
            assert_eq!(by_folder, contents(open_nonblocking(p)), "{}", p.display());
            if let Ok(bytes) = std::fs::read(p) {
                assert_eq!(by_folder, Ok(bytes), "{}", p.display());
            }
        }
        assert_eq!(done.into_inner(), paths.len());
        let loaded = all.iter().filter(|s| !s.contains("skipped")).count();
        assert_eq!(loaded, if cfg!(unix) { 4 } else { 3 }, "{all:#?}");
        for (line, why) in [(2, "binary"), (3, "size limit"), (4, "cannot read"), (6, "not a regular file")] {
            assert!(all[line].contains(why), "{}: {}", names[line], all[line]);
        }
    }

    #[test]
    fn normalisation_is_lexical() {
        for (path, normal) in [
            ("/a/b/../c/./d.txt", "/a/c/d.txt"),
            ("/a/./b//c.txt", "/a/b/c.txt"),
            ("/a/b/c/../../d.txt", "/a/d.txt"),
            // above the root stays at the root
            ("/../../a.txt", "/a.txt"),
            // a link is not resolved: `l/..` is the folder of `l`, whatever `l` points to
            ("/a/l/../b.txt", "/a/b.txt"),
            ("/корпус/./Токаев.txt", "/корпус/Токаев.txt"),
        ] {
            assert_eq!(normalize(Path::new(path)), PathBuf::from(normal), "{path}");
        }
        // a relative path is made absolute first
        let here = std::env::current_dir().unwrap();
        assert_eq!(normalize(Path::new("x/../y.txt")), here.join("y.txt"));
    }

    #[test]
    fn filter_honours_globs_and_hidden_folders() {
        let cfg = Config { exclude: vec!["drafts/**".into()], ..Config::default() };
        let f = Filter::new(&cfg);
        let roots = vec![PathBuf::from("/c")];
        assert!(f.matches(&roots, Path::new("/c/a.txt")));
        assert!(f.matches(&roots, Path::new("/c/x/y/a.txt")));
        assert!(!f.matches(&roots, Path::new("/c/drafts/a.txt")));
        assert!(!f.matches(&roots, Path::new("/c/.dossier/a.txt")));
        assert!(!f.matches(&roots, Path::new("/c/x/.git/a.txt")));
        assert!(!f.matches(&roots, Path::new("/c/x/.a.txt")));
        // dots inside names, and a hidden folder above the root, are not hidden files
        assert!(f.matches(&roots, Path::new("/c/x.y/a.b.txt")));
        assert!(f.matches(&[PathBuf::from("/h/.corpus")], Path::new("/h/.corpus/a.txt")));
        assert!(!f.matches(&roots, Path::new("/c/a.md")));
        assert!(!f.matches(&roots, Path::new("/elsewhere/a.txt")));
    }
}
