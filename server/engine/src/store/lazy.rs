//! Values kept in their stored form and read on first use.
//!
//! A restart keeps most of what the index cache holds unread: the mentions of documents whose
//! linked index is read back are never read, and what linking found in a document or an
//! entity's mentions is read when a query first needs it. The stored bytes are checked whole
//! when a value is kept (with the same reader that builds it later, see [`super::codec`]), so
//! reading never fails.
//!
//! The bytes are a range of a cache file as the shell mapped it ([`SharedBytes`]), until the
//! value is read or [`Lazy::own`] copies them: the file is let go of when no value keeps it.

use std::fmt;
use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock};

/// Bytes that hold the stored values of many documents (an index cache file as read or mapped),
/// kept alive while any value in them is still kept stored.
pub type SharedBytes = Arc<dyn StoredBytes>;

/// The bytes of a stored file that values are kept in.
pub trait StoredBytes: Send + Sync {
    fn bytes(&self) -> &[u8];

    /// `range` has been read or copied out and is not needed any more (a mapped file can drop
    /// those pages from memory; reading them again stays possible).
    fn release(&self, _range: Range<usize>) {}
}

impl StoredBytes for Vec<u8> {
    fn bytes(&self) -> &[u8] {
        self
    }
}

/// Where a kept value's bytes are: its own copy, or a range of shared bytes.
enum Kept {
    Own(Box<[u8]>),
    Shared(SharedBytes, Range<usize>),
}

impl Kept {
    fn bytes(&self) -> &[u8] {
        match self {
            Kept::Own(b) => b,
            // the range was checked when the value was kept
            Kept::Shared(all, range) => all.bytes().get(range.clone()).unwrap_or_default(),
        }
    }

    fn release(self) {
        if let Kept::Shared(all, range) = self {
            all.release(range);
        }
    }
}

/// How a kept value is read: the reader that checked its bytes when it was kept, now building.
pub type ReadFn<T> = Box<dyn Fn(&[u8]) -> T + Send + Sync>;

/// A value as built, or kept in its stored form and read on first use (the stored form is let
/// go of then).
pub struct Lazy<T> {
    value: OnceLock<T>,
    kept: Mutex<Option<(Kept, ReadFn<T>)>>,
}

impl<T> Lazy<T> {
    pub fn built(value: T) -> Lazy<T> {
        Lazy { value: OnceLock::from(value), kept: Mutex::new(None) }
    }

    /// `range` of `all`, whose bytes `read` reads (they must have been checked).
    pub(crate) fn shared(all: &SharedBytes, range: Range<usize>, read: ReadFn<T>) -> Lazy<T> {
        Lazy { value: OnceLock::new(), kept: Mutex::new(Some((Kept::Shared(all.clone(), range), read))) }
    }

    /// A copy of `bytes`, which `read` reads (they must have been checked).
    pub(crate) fn own(bytes: &[u8], read: ReadFn<T>) -> Lazy<T> {
        Lazy { value: OnceLock::new(), kept: Mutex::new(Some((Kept::Own(bytes.into()), read))) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(Kept, ReadFn<T>)>> {
        self.kept.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The value, read now if it is still kept stored.
    pub fn get(&self) -> &T
    where
        T: Default,
    {
        self.value.get_or_init(|| {
            // (a value is either built or kept: the default only stands in after a panic)
            let Some((kept, read)) = self.lock().take() else { return T::default() };
            let value = read(kept.bytes());
            kept.release();
            value
        })
    }

    /// The value if it has been read (or was built).
    pub fn if_read(&self) -> Option<&T> {
        self.value.get()
    }

    /// `f` of the stored bytes while the value is not read; `None` once it is.
    pub fn with_stored<R>(&self, f: impl FnOnce(&[u8]) -> R) -> Option<R> {
        self.lock().as_ref().map(|(kept, _)| f(kept.bytes()))
    }

    /// If the stored form is a range of shared bytes, copy it: the shared bytes are let go of
    /// once no value keeps them.
    pub fn copy_out(&self) {
        let mut kept = self.lock();
        if let Some((shared @ Kept::Shared(..), _)) = &mut *kept {
            let own = Kept::Own(shared.bytes().into());
            std::mem::replace(shared, own).release();
        }
    }
}

impl<T: fmt::Debug + Default> fmt::Debug for Lazy<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.if_read() {
            Some(v) => v.fmt(f),
            None => match self.with_stored(<[u8]>::len) {
                Some(n) => write!(f, "({n} stored bytes, not read)"),
                // read meanwhile
                None => self.get().fmt(f),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bytes that count what was released.
    struct Counted(Vec<u8>, Mutex<usize>);

    impl StoredBytes for Counted {
        fn bytes(&self) -> &[u8] {
            &self.0
        }
        fn release(&self, range: Range<usize>) {
            *self.1.lock().unwrap() += range.len();
        }
    }

    #[test]
    fn kept_values_are_read_once_and_let_go_of_their_bytes() {
        let file = Arc::new(Counted(b"..abcdef".to_vec(), Mutex::new(0)));
        let all: SharedBytes = file.clone();
        let read = || -> ReadFn<String> { Box::new(|b: &[u8]| String::from_utf8_lossy(b).into_owned()) };
        let a = Lazy::shared(&all, 2..5, read());
        let b = Lazy::shared(&all, 5..8, read());
        assert_eq!(Arc::strong_count(&file), 4, "kept in the file");
        assert_eq!(a.with_stored(|b| b.to_vec()), Some(b"abc".to_vec()));
        assert!(a.if_read().is_none());
        assert_eq!(a.get(), "abc");
        assert_eq!(a.with_stored(|_| ()), None, "read: nothing stored any more");
        assert_eq!(*file.1.lock().unwrap(), 3, "its range released");
        b.copy_out();
        assert_eq!(Arc::strong_count(&file), 2, "copied out: only `all` keeps the file");
        assert_eq!(*file.1.lock().unwrap(), 6);
        assert_eq!(b.with_stored(|b| b.to_vec()), Some(b"def".to_vec()));
        assert_eq!(b.get(), "def");
        let c = Lazy::built("x".to_string());
        assert_eq!((c.get().as_str(), c.with_stored(|_| ())), ("x", None));
        assert_eq!(format!("{:?}", Lazy::own(b"xy", read())), "(2 stored bytes, not read)");
    }
}
