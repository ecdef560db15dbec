//! How the process deals with the C allocator (glibc on Linux; elsewhere these do nothing).
//!
//! A load builds a few hundred megabytes of small objects on several threads at once. glibc
//! gives each thread its own heap and by default grows it a page at a time, one `mprotect`
//! call per step: about 50,000 calls for 20,000 articles, each taking the process's memory-map
//! lock that the other threads' page faults need. Growing in large steps removes nearly all of
//! them; freed memory is then given back once, when the load is done.

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
