//! How the server's threads share the cores: the thread pool that does the heavy parallel work
//! (indexing, publishing a corpus's diagnostics, the co-occurrence network) runs at a lower
//! priority than the threads that answer requests, so that a hover asked while a corpus is
//! being pushed gets a core at once instead of waiting behind the pool. Alone on the machine the
//! pool still has every core; the priority only decides who goes first.

/// The niceness of the pool's threads (0 is the default, 19 the lowest priority).
const POOL_NICENESS: i32 = 10;

/// Start the global thread pool with its threads at [`POOL_NICENESS`]. A pool started earlier
/// (only in tests) is kept as it is.
pub fn start_background_pool() {
    let built = rayon::ThreadPoolBuilder::new().start_handler(|_| lower_this_thread()).build_global();
    if let Err(e) = built {
        tracing::debug!("thread pool kept as it was: {e}");
    }
}

/// Lower the calling thread's priority to [`POOL_NICENESS`] (a process started at a lower
/// priority keeps it); where that is not possible it runs at the priority it has.
fn lower_this_thread() {
    #[cfg(target_os = "linux")]
    // SAFETY: getpriority and setpriority take no pointers; on Linux, PRIO_PROCESS with the id 0
    // names the calling thread only.
    unsafe {
        if libc::getpriority(libc::PRIO_PROCESS, 0) < POOL_NICENESS {
            libc::setpriority(libc::PRIO_PROCESS, 0, POOL_NICENESS);
        }
    }
}

/// The calling thread's niceness.
#[cfg(all(test, target_os = "linux"))]
fn niceness() -> i32 {
    // SAFETY: getpriority takes no pointers.
    unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn a_lowered_thread_runs_at_the_pool_niceness() {
        let before = niceness();
        let lowered = std::thread::spawn(|| {
            lower_this_thread();
            niceness()
        })
        .join()
        .unwrap();
        assert_eq!(lowered, before.max(POOL_NICENESS));
        assert_eq!(niceness(), before, "the calling thread is untouched");
    }
}
