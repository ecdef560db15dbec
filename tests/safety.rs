//! Safety of a session over a corpus: the server writes no file of the user's (every change it
//! proposes is a `WorkspaceEdit` for the editor to apply; its only writes are its own index cache
//! in `.dossier/` at the root), opens no file outside the workspace folders except
//! the registry the configuration names, opens no network connection, and runs no program.
//!
//! The system-call checks run the server under `strace`. Without `strace` they are skipped with
//! a message, except under `CI=true`, where a missing `strace` is a failure (`.ci/run` installs it).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{uri, Client};
use serde_json::{json, Value};

const FIRST: &str = "000_ed376fe458f0e54a.txt";
const SECOND: &str = "002_e2d909bfb0b5a3b3.txt";
const SECRET: &str = "Генсек ОДКБ Имангали Тасмагамбетов (слева) и министр обороны Беларуси Виктор Хренин. Минск";

/// The server's own cache folder at a corpus root: the one place it may write.
const CACHE_DIR: &str = ".dossier";

/// Every entry under `dir` (links not followed): file bytes, link targets, folders, with modes;
/// the server's cache folder left out.
fn tree(dir: &Path) -> BTreeMap<PathBuf, String> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.file_name().is_some_and(|n| n == CACHE_DIR) {
                continue;
            }
            let m = std::fs::symlink_metadata(&p).unwrap();
            let mode = m.permissions().mode();
            let v = if m.file_type().is_symlink() {
                format!("link {:?}", std::fs::read_link(&p).unwrap())
            } else if m.is_dir() {
                stack.push(p.clone());
                format!("dir {mode:o}")
            } else {
                format!("file {mode:o} {:?}", std::fs::read(&p).unwrap())
            };
            out.insert(p.strip_prefix(dir).unwrap().to_path_buf(), v);
        }
    }
    out
}

fn strace() -> Option<PathBuf> {
    let found = std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).map(|d| d.join("strace")).find(|p| p.is_file()));
    if found.is_none() {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "strace is required for the safety tests in CI");
        eprintln!("SKIP system-call checks: strace is not installed (apt-get install strace)");
    }
    found
}

/// Start the server, under `strace` writing to `trace` when given.
fn start(root: &Path, strace: Option<(&Path, &Path)>) -> (Client, Value) {
    let mut caps = Client::caps();
    caps["workspace"]["workspaceEdit"] = json!({"documentChanges": true, "resourceOperations": ["create"]});
    caps["textDocument"]["semanticTokens"] =
        json!({"requests": {"full": true}, "tokenTypes": [], "tokenModifiers": [], "formats": ["relative"]});
    match strace {
        None => Client::start(root, caps, None),
        Some((tool, trace)) => {
            let mut cmd = Command::new(tool);
            // -y: a descriptor is shown with its path, so calls relative to a folder's can be read
            cmd.args(["-f", "-qq", "-y", "-s", "4096", "-e", "trace=%file,%network,%process", "-o"])
                .arg(trace)
                .arg("--")
                .arg(env!("CARGO_BIN_EXE_dossier"))
                .arg("lsp");
            Client::start_command(cmd, root, caps, None)
        }
    }
}

/// The first quoted string of a strace line (the path of a file system call).
fn quoted(line: &str) -> Option<&str> {
    let a = line.find('"')? + 1;
    let b = a + line[a..].find('"')?;
    Some(&line[a..b])
}

/// The file a file system call names: its first quoted path, joined to the folder its
/// directory descriptor stands for when it is relative to one (`openat(3</ws>, "a.txt", ...)`).
fn file_of(line: &str) -> PathBuf {
    let name = quoted(line).unwrap_or_default();
    let first_arg = line.split_once('(').and_then(|(_, args)| args.split_once(',')).map(|(fd, _)| fd);
    let dir = first_arg.filter(|fd| !fd.contains('"')).and_then(|fd| Some(&fd[fd.find('<')? + 1..fd.rfind('>')?]));
    match dir {
        Some(dir) if !name.starts_with('/') => Path::new(dir).join(name),
        _ => PathBuf::from(name),
    }
}

fn syscall(line: &str) -> &str {
    // "PID name(args) = ret"
    let rest = line.split_once(' ').map_or(line, |(_, r)| r.trim_start());
    rest.split('(').next().unwrap_or_default()
}

#[test]
fn a_session_writes_nothing_reads_only_the_workspace_and_registry_and_uses_no_network() {
    let base = tempfile::tempdir().unwrap();
    let ws = base.path().join("ws");
    let outside = base.path().join("outside");
    std::fs::create_dir_all(&ws).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    for name in [FIRST, SECOND] {
        std::fs::copy(common::seeds().join(name), ws.join(name)).unwrap();
    }
    // The configuration names a registry outside the workspace (allowed: the user chose it) and
    // an include glob reaching outside (globs are relative to the root: it matches nothing).
    std::fs::write(
        ws.join("dossier.toml"),
        "[corpus]\ninclude = [\"**/*.txt\", \"../outside/**\"]\n\n[registry]\npath = \"../outside/registry.toml\"\n",
    )
    .unwrap();
    std::fs::write(
        outside.join("registry.toml"),
        "[[entity]]\nname = \"Kassym-Jomart Tokayev\"\nkind = \"person\"\ndescription = \"President of Kazakhstan\"\n",
    )
    .unwrap();
    std::fs::write(outside.join("secret.txt"), SECRET).unwrap();
    // Links from inside the workspace to outside it: a file and a folder. Neither is followed.
    std::os::unix::fs::symlink("../outside/secret.txt", ws.join("leak.txt")).unwrap();
    std::os::unix::fs::symlink("../outside", ws.join("linked")).unwrap();
    // Something that looks runnable in the corpus: it must never be executed.
    std::fs::write(ws.join("run.sh"), "#!/bin/sh\ntouch pwned\n").unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(ws.join("run.sh"), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let before = tree(base.path());

    let tool = strace();
    let trace_dir = tempfile::tempdir().unwrap();
    let trace = trace_dir.path().join("server.strace");
    let (mut c, _) = start(&ws, tool.as_deref().map(|t| (t, trace.as_path())));
    let done = c.wait_indexed();
    assert!(done.contains("Indexed 2 documents"), "links to outside are not followed: {done}");

    // The editor announces the linked paths (a watcher that follows links would).
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&ws.join("leak.txt")), "type": 1},
                           {"uri": uri(&ws.join("linked/secret.txt")), "type": 1}]}),
    );
    let r = c.request("workspace/symbol", json!({"query": "Tasmagambetov"})).unwrap();
    for s in r.as_array().unwrap() {
        let u = s["location"]["uri"].as_str().unwrap_or_default();
        assert!(!u.contains("leak.txt") && !u.contains("secret.txt"), "outside text indexed: {s}");
    }
    assert_eq!(c.text(&uri(&ws.join("leak.txt"))), Value::Null);
    assert_eq!(c.text(&uri(&ws.join("linked/secret.txt"))), Value::Null);

    // A working session: open, edit, save, code actions of every kind, rename.
    let second = ws.join(SECOND);
    let text = std::fs::read_to_string(&second).unwrap();
    let u = c.open(&second, &text);
    let diags = c.diagnostics(&u);
    let mut edits_seen = 0;
    for d in diags.iter().take(8) {
        let acts = c
            .request(
                "textDocument/codeAction",
                json!({"textDocument": {"uri": u}, "range": d["range"], "context": {"diagnostics": [d]}}),
            )
            .unwrap();
        for a in acts.as_array().into_iter().flatten() {
            assert!(a.get("command").is_none() || a["command"].is_object(), "{a}");
            assert!(a["edit"].is_object(), "an action is a WorkspaceEdit: {a}");
            edits_seen += 1;
        }
    }
    let at = |name: &str| {
        text.split('\n')
            .enumerate()
            .find_map(|(n, l)| l.find(name).map(|i| (n, l[..i].encode_utf16().count() + 2)))
            .expect("name in the seed")
    };
    let (line, col) = at("Tokayev");
    let pos = json!({"textDocument": {"uri": u}, "position": {"line": line, "character": col}});
    // "Add to registry" on a person the registry does not know yet.
    let (line, col) = at("Nazarbayev");
    let range = json!({"start": {"line": line, "character": col}, "end": {"line": line, "character": col}});
    let acts = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": u}, "range": range, "context": {"diagnostics": []}}),
        )
        .unwrap();
    let titles: Vec<String> =
        acts.as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap_or_default().to_string()).collect();
    assert!(acts.as_array().unwrap().iter().all(|a| a["edit"].is_object()), "{acts}");
    let h = c.request("textDocument/hover", pos.clone()).unwrap();
    assert!(
        h["contents"]["value"].as_str().unwrap_or_default().contains("President of Kazakhstan"),
        "registry read: {h}"
    );
    let mut rename = pos.clone();
    rename["newName"] = json!("Tokaev");
    let _ = c.request("textDocument/prepareRename", pos.clone());
    let we = c.request("textDocument/rename", rename).unwrap();
    assert!(we.is_null() || we.get("changes").is_some() || we.get("documentChanges").is_some(), "{we}");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 2}, "contentChanges": [{
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "Edited. "}]}),
    );
    c.notify("textDocument/didSave", json!({"textDocument": {"uri": u}}));
    c.notify("textDocument/didSave", json!({"textDocument": {"uri": uri(&ws.join("dossier.toml"))}}));
    c.notify("textDocument/didClose", json!({"textDocument": {"uri": u}}));
    let _ = c.request("workspace/diagnostic", json!({"previousResultIds": []}));
    assert!(edits_seen > 0 && titles.iter().any(|t| t.starts_with("Add")), "actions offered: {edits_seen}, {titles:?}");
    assert!(c.shutdown().success());

    // Nothing in the workspace or next to it changed, was created or was removed.
    assert_eq!(tree(base.path()), before, "the session changed files");

    let Some(_) = tool else { return };
    let log = std::fs::read_to_string(&trace).unwrap();
    let ws_real = std::fs::canonicalize(&ws).unwrap();
    let base_real = std::fs::canonicalize(base.path()).unwrap();
    let registry = base_real.join("outside/registry.toml");
    assert!(log.contains(FIRST) && log.contains("registry.toml"), "the trace records the session's reads");
    let cache = ws_real.join(CACHE_DIR);
    let in_cache = |line: &str| {
        let p = file_of(line);
        p.starts_with(&cache) || p.starts_with(ws.join(CACHE_DIR))
    };
    let mut execs = 0;
    for line in log.lines() {
        let call = syscall(line);
        match call {
            "execve" | "execveat" => execs += 1,
            "socket" | "socketpair" | "connect" | "bind" | "listen" | "accept" | "accept4" | "sendto" | "sendmsg"
            | "recvfrom" | "recvmsg" => panic!("network system call: {line}"),
            "unlink" | "unlinkat" | "rename" | "renameat" | "renameat2" | "mkdir" | "mkdirat" | "rmdir" | "creat"
            | "truncate" | "symlink" | "symlinkat" | "link" | "linkat" | "chmod" | "fchmodat" | "chown"
            | "fchownat" | "utimensat" | "mknod" | "mknodat" => {
                assert!(in_cache(line), "file system change outside the server's cache: {line}")
            }
            "open" | "openat" | "openat2" => {
                // Every file actually opened: the workspace, the registry, ignore files of the
                // folders above the root (honoured like git does), or the system's own files
                // (shared libraries, /proc and /sys for the number of CPUs).
                if !line.contains("= -1") {
                    let p = file_of(line);
                    let p = p.as_path();
                    let system = ["/proc/", "/sys/", "/dev/", "/lib/", "/lib64/", "/usr/lib/", "/etc/ld.so.cache"]
                        .iter()
                        .any(|s| p.starts_with(s) || p.to_string_lossy().starts_with(s));
                    let above_root_ignore = p.file_name().is_some_and(|n| n == ".gitignore" || n == ".ignore")
                        && p.parent().is_some_and(|d| ws_real.starts_with(d) || ws.starts_with(d));
                    let real = std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
                    assert!(
                        real.starts_with(&ws_real) || real == registry || system || above_root_ignore,
                        "opened a file outside the workspace, the registry and the system: {line}"
                    );
                }
                let writes = ["O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_APPEND"].iter().any(|f| line.contains(f));
                let path = file_of(line);
                assert!(!writes || path.starts_with("/dev/") || in_cache(line), "file opened for writing: {line}");
                let p = path.as_path();
                if p.starts_with(&base_real) || p.starts_with(base.path()) {
                    let p = std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
                    // Ignore files of the folders above a root are honoured, like git does.
                    let ignore_file = p.file_name().is_some_and(|n| n == ".gitignore" || n == ".ignore" || n == ".git");
                    assert!(
                        p.starts_with(&ws_real) || p == registry || ignore_file,
                        "opened outside the workspace and registry: {line}"
                    );
                    assert!(!p.ends_with("secret.txt"), "opened the linked file: {line}");
                }
            }
            _ => {}
        }
    }
    assert_eq!(execs, 1, "only the server's own start is an exec:\n{}", grep(&log, "exec"));
}

fn grep(log: &str, what: &str) -> String {
    log.lines().filter(|l| l.contains(what)).collect::<Vec<_>>().join("\n")
}
