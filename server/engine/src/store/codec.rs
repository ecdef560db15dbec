//! Little-endian values in and out of bytes: [`Put`] writes, [`Reader`] reads back, and
//! [`Refused`] says why bytes do not read.
//!
//! A [`Reader`] runs in one of two modes. Building, it returns the values it reads. Checking, it
//! runs the same code but keeps nothing: lists and strings come back empty (without allocating),
//! and a column of fixed-size records is only measured. So each stored type has one reader,
//! and bytes accepted by a check always build.

use std::fmt;

use crate::entities::{Evidence, Kind};

/// Why stored bytes were not used: what a restart that links again says in its log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refused {
    /// Not a cache file of this format and version.
    Format(String),
    /// Written by another build of Dossier.
    OtherBuild,
    /// The checksum does not match: the file is damaged or was cut short.
    Checksum,
    /// The linked index was stored beside another `index.bin` than the one read.
    OtherIndex,
    /// The linked index was linked with another registry.
    OtherRegistry,
    /// The linked index was linked from other documents than the stored ones.
    OtherDocuments(String),
    /// A value that does not read: the part it is in, and what is wrong with it.
    Bad { what: &'static str, why: &'static str },
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refused::Format(why) => write!(f, "not a cache file of this version ({why})"),
            Refused::OtherBuild => f.write_str("written by another build of Dossier"),
            Refused::Checksum => f.write_str("damaged (its checksum does not match)"),
            Refused::OtherIndex => f.write_str("stored beside another index.bin"),
            Refused::OtherRegistry => f.write_str("linked with another registry"),
            Refused::OtherDocuments(why) => write!(f, "linked from other documents ({why})"),
            Refused::Bad { what, why } => write!(f, "{what}: {why}"),
        }
    }
}

impl std::error::Error for Refused {}

/// Appending values: what [`Reader`] reads back.
pub trait Put {
    fn u8(&mut self, v: u8);
    fn u32(&mut self, v: u32);
    fn u64(&mut self, v: u64);
    /// A number of items.
    fn count(&mut self, n: usize) {
        self.u32(n as u32);
    }
    fn str(&mut self, s: &str);
    fn strs(&mut self, v: &[String]) {
        self.count(v.len());
        v.iter().for_each(|s| self.str(s));
    }
    fn option<T>(&mut self, v: Option<T>, put: impl FnOnce(&mut Self, T)) {
        match v {
            Some(v) => {
                self.u8(1);
                put(self, v);
            }
            None => self.u8(0),
        }
    }
    /// Fixed-size records one after the other, without their number.
    fn records<T: Fixed>(&mut self, v: &[T]);
    /// A column: the number of records, then the records.
    fn column<T: Fixed>(&mut self, v: &[T]) {
        self.count(v.len());
        self.records(v);
    }
}

impl Put for Vec<u8> {
    fn u8(&mut self, v: u8) {
        self.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.extend_from_slice(&v.to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        self.count(s.len());
        self.extend_from_slice(s.as_bytes());
    }
    fn records<T: Fixed>(&mut self, v: &[T]) {
        self.reserve(v.len() * T::SIZE);
        v.iter().for_each(|x| x.put(self));
    }
}

/// A value stored in a fixed number of bytes, readable from any bytes of that size (a damaged
/// file is refused by its checksum before anything in it is read).
pub trait Fixed: Sized {
    const SIZE: usize;
    fn put(&self, out: &mut Vec<u8>);
    /// The value of exactly [`Fixed::SIZE`] bytes.
    fn get(b: &[u8]) -> Self;
}

impl Fixed for u8 {
    const SIZE: usize = 1;
    fn put(&self, out: &mut Vec<u8>) {
        out.push(*self);
    }
    fn get(b: &[u8]) -> u8 {
        b[0]
    }
}

impl Fixed for u32 {
    const SIZE: usize = 4;
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
    fn get(b: &[u8]) -> u32 {
        u32::from_le_bytes([b[0], b[1], b[2], b[3]])
    }
}

impl Fixed for u64 {
    const SIZE: usize = 8;
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
    fn get(b: &[u8]) -> u64 {
        u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
    }
}

impl Fixed for Kind {
    const SIZE: usize = 1;
    fn put(&self, out: &mut Vec<u8>) {
        out.push(Kind::ALL.iter().position(|k| k == self).unwrap_or(3) as u8);
    }
    fn get(b: &[u8]) -> Kind {
        Kind::ALL[(b[0] & 3) as usize]
    }
}

/// The stored byte of each evidence is its position here.
const EVIDENCE: [Evidence; 8] = [
    Evidence::Gazetteer,
    Evidence::Head,
    Evidence::Cue,
    Evidence::Shape,
    Evidence::Context,
    Evidence::Acronym,
    Evidence::Document,
    Evidence::Model,
];

impl Fixed for Evidence {
    const SIZE: usize = 1;
    fn put(&self, out: &mut Vec<u8>) {
        out.push(EVIDENCE.iter().position(|e| e == self).unwrap_or(4) as u8);
    }
    fn get(b: &[u8]) -> Evidence {
        EVIDENCE.get(b[0] as usize).copied().unwrap_or(Evidence::Context)
    }
}

impl<A: Fixed, B: Fixed, C: Fixed> Fixed for (A, B, C) {
    const SIZE: usize = A::SIZE + B::SIZE + C::SIZE;
    fn put(&self, out: &mut Vec<u8>) {
        self.0.put(out);
        self.1.put(out);
        self.2.put(out);
    }
    fn get(b: &[u8]) -> Self {
        (A::get(&b[..A::SIZE]), B::get(&b[A::SIZE..A::SIZE + B::SIZE]), C::get(&b[A::SIZE + B::SIZE..]))
    }
}

/// [`Fixed`] for a struct of [`Fixed`] fields, stored one after the other in the order listed.
/// Fields the record does not store are named after `rebuilt` with the value they read back as
/// (the reader sets them afterwards). Every field of the struct must be named: a field added to
/// the struct and not here does not compile.
macro_rules! fixed_record {
    ($t:ident { $($f:ident: $ty:ty),* $(,)? } rebuilt { $($d:ident: $v:expr),* $(,)? }) => {
        impl $crate::store::codec::Fixed for $t {
            const SIZE: usize = 0 $(+ <$ty as $crate::store::codec::Fixed>::SIZE)*;
            fn put(&self, out: &mut Vec<u8>) {
                let $t { $($f,)* $($d: _,)* } = *self;
                $(<$ty as $crate::store::codec::Fixed>::put(&$f, out);)*
            }
            fn get(b: &[u8]) -> Self {
                let mut at = 0;
                $(
                    let size = <$ty as $crate::store::codec::Fixed>::SIZE;
                    let $f = <$ty as $crate::store::codec::Fixed>::get(&b[at..at + size]);
                    at += size;
                )*
                let _ = at;
                $t { $($f,)* $($d: $v,)* }
            }
        }
    };
}
pub(crate) use fixed_record;

/// A cursor over stored bytes: every read checks what is left. See the module docs for its two
/// modes.
pub struct Reader<'a> {
    rest: &'a [u8],
    build: bool,
    /// What is being read, for [`Refused::Bad`].
    what: &'static str,
}

impl<'a> Reader<'a> {
    /// A reader that builds the values it reads.
    pub fn build(bytes: &'a [u8], what: &'static str) -> Reader<'a> {
        Reader { rest: bytes, build: true, what }
    }

    /// A reader that only checks that the values would build.
    pub fn check(bytes: &'a [u8], what: &'static str) -> Reader<'a> {
        Reader { rest: bytes, build: false, what }
    }

    /// A reader of `bytes` in the same mode.
    pub fn sub(&self, bytes: &'a [u8], what: &'static str) -> Reader<'a> {
        Reader { rest: bytes, build: self.build, what }
    }

    /// Does this reader build the values it reads?
    pub fn building(&self) -> bool {
        self.build
    }

    /// What is left to read.
    pub fn rest(&self) -> &'a [u8] {
        self.rest
    }

    /// The reason a value does not read.
    pub fn bad(&self, why: &'static str) -> Refused {
        Refused::Bad { what: self.what, why }
    }

    pub fn take(&mut self, n: usize) -> Result<&'a [u8], Refused> {
        let (head, rest) = self.rest.split_at_checked(n).ok_or_else(|| self.bad("cut short"))?;
        self.rest = rest;
        Ok(head)
    }

    pub fn u8(&mut self) -> Result<u8, Refused> {
        Ok(self.take(1)?[0])
    }

    pub fn u32(&mut self) -> Result<u32, Refused> {
        Ok(u32::get(self.take(4)?))
    }

    pub fn u64(&mut self) -> Result<u64, Refused> {
        Ok(u64::get(self.take(8)?))
    }

    /// A `u32` below `limit`.
    pub fn below(&mut self, limit: u32) -> Result<u32, Refused> {
        let v = self.u32()?;
        if v < limit {
            Ok(v)
        } else {
            Err(self.bad("a number out of range"))
        }
    }

    /// A number of items at least `min_size` bytes each: more than the bytes left can hold is
    /// damage (and would otherwise ask for memory that is not needed).
    pub fn count(&mut self, min_size: usize) -> Result<usize, Refused> {
        let n = self.u32()? as usize;
        match n.checked_mul(min_size) {
            Some(size) if size <= self.rest.len() => Ok(n),
            _ => Err(self.bad("more items than bytes")),
        }
    }

    pub fn str(&mut self) -> Result<&'a str, Refused> {
        let n = self.count(1)?;
        let bytes = self.take(n)?;
        std::str::from_utf8(bytes).map_err(|_| self.bad("text that is not UTF-8"))
    }

    /// A string (empty when checking).
    pub fn string(&mut self) -> Result<String, Refused> {
        let s = self.str()?;
        Ok(if self.build { s.to_string() } else { String::new() })
    }

    pub fn strings(&mut self) -> Result<Vec<String>, Refused> {
        self.list(4, Reader::string)
    }

    /// A value after a byte that says whether there is one.
    pub fn option<T>(&mut self, item: impl FnOnce(&mut Self) -> Result<T, Refused>) -> Result<Option<T>, Refused> {
        match self.u8()? {
            0 => Ok(None),
            1 => Ok(Some(item(self)?)),
            _ => Err(self.bad("an unknown tag")),
        }
    }

    /// A number of items at least `min_size` bytes each, then the items, read by `item` (which
    /// checks each one in both modes): a vector of exactly that size when building (collecting
    /// through `Result` would grow it step by step), empty when checking.
    pub fn list<T>(
        &mut self,
        min_size: usize,
        mut item: impl FnMut(&mut Self) -> Result<T, Refused>,
    ) -> Result<Vec<T>, Refused> {
        let n = self.count(min_size)?;
        let mut out = Vec::with_capacity(if self.build { n } else { 0 });
        for _ in 0..n {
            let x = item(self)?;
            if self.build {
                out.push(x);
            }
        }
        Ok(out)
    }

    /// `n` fixed-size records (nothing is read from them when checking).
    pub fn records<T: Fixed>(&mut self, n: usize) -> Result<Vec<T>, Refused> {
        let size = n.checked_mul(T::SIZE).ok_or_else(|| self.bad("more items than bytes"))?;
        let bytes = self.take(size)?;
        Ok(if self.build { bytes.chunks_exact(T::SIZE).map(T::get).collect() } else { Vec::new() })
    }

    /// A column written by [`Put::column`].
    pub fn column<T: Fixed>(&mut self) -> Result<Vec<T>, Refused> {
        let n = self.count(T::SIZE)?;
        self.records(n)
    }

    /// The end of a record: nothing may be left.
    pub fn done(&self) -> Result<(), Refused> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(self.bad("longer than its record"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checking_builds_nothing_and_accepts_what_building_accepts() {
        let mut bytes = Vec::new();
        bytes.str("Токаев");
        bytes.strs(&["a".into(), "bc".into()]);
        bytes.option(Some(7u32), |w, v| w.u32(v));
        bytes.column(&[1u64, 2, 3]);
        let read = |r: &mut Reader| -> Result<_, Refused> {
            let s = r.string()?;
            let v = r.strings()?;
            let o = r.option(Reader::u32)?;
            let c = r.column::<u64>()?;
            r.done()?;
            Ok((s, v, o, c))
        };
        let built = read(&mut Reader::build(&bytes, "test")).unwrap();
        assert_eq!(built, ("Токаев".into(), vec!["a".into(), "bc".into()], Some(7), vec![1, 2, 3]));
        let checked = read(&mut Reader::check(&bytes, "test")).unwrap();
        assert_eq!(checked, (String::new(), vec![], Some(7), vec![]));
        // every cut and every extension is refused in both modes, with the same reason
        for cut in 0..bytes.len() {
            let (a, b) = (read(&mut Reader::build(&bytes[..cut], "t")), read(&mut Reader::check(&bytes[..cut], "t")));
            assert!(a.is_err(), "cut at {cut}");
            assert_eq!(a.err(), b.err());
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(
            read(&mut Reader::build(&longer, "t")).err(),
            Some(Refused::Bad { what: "t", why: "longer than its record" })
        );
        // a count larger than the bytes left is refused before anything is allocated
        let mut huge = Vec::new();
        huge.u32(u32::MAX);
        assert!(Reader::build(&huge, "t").list(1, Reader::u8).is_err());
        assert!(Reader::build(&huge, "t").column::<u64>().is_err());
    }

    #[test]
    fn fixed_values_read_from_any_bytes() {
        for b in 0..=255u8 {
            let k = Kind::get(&[b]);
            let e = Evidence::get(&[b]);
            let (mut a, mut c) = (Vec::new(), Vec::new());
            k.put(&mut a);
            e.put(&mut c);
            assert_eq!((Kind::get(&a), Evidence::get(&c)), (k, e));
        }
        for k in Kind::ALL {
            let mut out = Vec::new();
            k.put(&mut out);
            assert_eq!(Kind::get(&out), k);
        }
        for e in EVIDENCE {
            let mut out = Vec::new();
            e.put(&mut out);
            assert_eq!(Evidence::get(&out), e);
        }
        let t = (1u32, 2u32, 3u64);
        let mut out = Vec::new();
        t.put(&mut out);
        assert_eq!(out.len(), <(u32, u32, u64)>::SIZE);
        assert_eq!(<(u32, u32, u64)>::get(&out), t);
    }
}
