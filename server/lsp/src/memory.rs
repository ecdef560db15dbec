//! How the process deals with the C allocator (glibc on Linux; elsewhere these do nothing).
//!
//! A load builds a few hundred megabytes of small objects on several threads at once. glibc
//! gives each thread its own heap and by default grows it a page at a time, one `mprotect`
//! call per step: about 50,000 calls for 20,000 articles, each taking the process's memory-map
//! lock that the other threads' page faults need. Growing in large steps removes nearly all of
//! them; freed memory is then given back once, when the load is done.
//!
//! The other cost is the page faults themselves: one per 4 KiB of new memory, 80,000 for a
//! restart on 20,000 articles. Where the system gives transparent huge pages only to memory that
//! asks for them (the `madvise` mode most distributions ship), glibc asks for its heaps when the
//! `glibc.malloc.hugetlb=1` tunable is set, and a page fault then maps 2 MiB. Tunables are read
//! when a process starts, so the process starts itself again once with the tunable added (same
//! process id, arguments, descriptors and environment otherwise). A `GLIBC_TUNABLES` that already
//! names `glibc.malloc.hugetlb` (say, `=0` to opt out) is left alone.

/// The environment variable glibc reads its tunables from.
const TUNABLES: &str = "GLIBC_TUNABLES";

/// The tunable that makes glibc ask for transparent huge pages for its heaps.
const HUGE_PAGES: &str = "glibc.malloc.hugetlb";

/// The value `GLIBC_TUNABLES` needs for the heaps to ask for huge pages, given its value now and
/// the system's transparent-huge-page setting (the contents of
/// `/sys/kernel/mm/transparent_hugepage/enabled`, the mode in force in brackets): `None` when
/// nothing is to change (huge pages always or never given, or the tunable already set).
pub fn tunables_for_huge_pages(current: Option<&str>, thp_enabled: &str) -> Option<String> {
    if !thp_enabled.contains("[madvise]") {
        return None;
    }
    match current.filter(|c| !c.is_empty()) {
        Some(c) if c.split(':').any(|t| t.split('=').next() == Some(HUGE_PAGES)) => None,
        Some(c) => Some(format!("{c}:{HUGE_PAGES}=1")),
        None => Some(format!("{HUGE_PAGES}=1")),
    }
}

/// Start this program again with glibc's heaps asking for huge pages (see the module docs).
/// Returns when that is not needed or not possible (then the process goes on as it is). Call
/// first thing in `main`, before any thread starts.
pub fn restart_with_huge_pages() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        use std::os::unix::process::CommandExt;
        let thp = std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/enabled").unwrap_or_default();
        // a value that is not text is not ours to rewrite
        let current = match std::env::var_os(TUNABLES) {
            None => None,
            Some(v) => match v.into_string() {
                Ok(v) => Some(v),
                Err(_) => return,
            },
        };
        let Some(tunables) = tunables_for_huge_pages(current.as_deref(), &thp) else { return };
        let mut args = std::env::args_os();
        let arg0 = args.next().unwrap_or_default();
        // only returns on failure
        let error = std::process::Command::new("/proc/self/exe").arg0(arg0).args(args).env(TUNABLES, tunables).exec();
        eprintln!("dossier: going on without huge pages for the heap: cannot start again: {error}");
    }
}

/// Let the allocator's heaps grow (and stay) in steps of 64 MiB. Call once at start-up.
///
/// Setting any threshold turns off glibc's adaptive threshold for serving a large block by its
/// own mapping, which would then stay at 128 KiB: every edit of a 1 MB document would map and
/// unmap its buffers (and fault their pages in again). The threshold is therefore fixed where
/// the adaptive one ends up, 32 MiB.
pub fn grow_heaps_in_large_steps() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes tuning parameters of the allocator; it takes no pointers.
    unsafe {
        libc::mallopt(libc::M_TOP_PAD, 64 << 20);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
    }
}

/// Give the memory freed by indexing (recognition and linking buffers, the decoded cache) back
/// to the system: glibc keeps freed chunks in the middle of its heaps otherwise, which showed as
/// 70 MB or more of resident memory for 20,000 articles.
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory of the allocator; it takes no pointers.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_pages_are_asked_for_only_where_the_system_waits_to_be_asked() {
        let madvise = "always [madvise] never\n";
        assert_eq!(tunables_for_huge_pages(None, madvise).as_deref(), Some("glibc.malloc.hugetlb=1"));
        assert_eq!(tunables_for_huge_pages(Some(""), madvise).as_deref(), Some("glibc.malloc.hugetlb=1"));
        // other tunables are kept
        assert_eq!(
            tunables_for_huge_pages(Some("glibc.malloc.arena_max=2"), madvise).as_deref(),
            Some("glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1")
        );
        // already set (by the user, or by the restart itself): left alone, so it restarts once
        assert_eq!(tunables_for_huge_pages(Some("glibc.malloc.hugetlb=0"), madvise), None);
        assert_eq!(tunables_for_huge_pages(Some("glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1"), madvise), None);
        // a tunable whose name only starts alike is another one
        assert!(tunables_for_huge_pages(Some("glibc.malloc.hugetlbx=1"), madvise).is_some());
        // huge pages always given, never given, or no such setting: nothing to ask
        assert_eq!(tunables_for_huge_pages(None, "[always] madvise never"), None);
        assert_eq!(tunables_for_huge_pages(None, "always madvise [never]"), None);
        assert_eq!(tunables_for_huge_pages(None, ""), None);
    }
}
