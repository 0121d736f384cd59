//! A record's text fields packed into one allocation.
//!
//! A stored transaction has some thirty short text fields; as `String`s they cost 24 bytes each
//! inline plus one heap block per non-empty field (and most are tiny or empty). Packed, they
//! cost one heap block holding the bytes and four bytes of offset per field: this is what keeps
//! a stored transaction well under a kilobyte (see docs/benchmarks.md).

/// `N` text fields in one boxed buffer; field `i` is `buf[ends[i - 1]..ends[i]]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Texts<const N: usize> {
    buf: Box<str>,
    ends: [u32; N],
}

impl<const N: usize> Texts<N> {
    /// The fields, in order. Fields longer than 4 GiB in all cannot occur (every field is
    /// bounded in bytes long before it is stored); past that the rest would read empty.
    pub fn new(fields: [&str; N]) -> Self {
        let len = fields.iter().map(|f| f.len()).sum();
        let mut buf = String::with_capacity(len);
        let mut ends = [0u32; N];
        for (end, field) in ends.iter_mut().zip(fields) {
            buf.push_str(field);
            *end = u32::try_from(buf.len()).unwrap_or(u32::MAX);
        }
        Texts {
            buf: buf.into_boxed_str(),
            ends,
        }
    }

    /// Field `i` (empty when `i` is out of range).
    pub fn get(&self, i: usize) -> &str {
        let start = match i {
            0 => 0,
            _ => self.ends.get(i - 1).copied().unwrap_or(0),
        };
        let end = self.ends.get(i).copied().unwrap_or(start);
        self.buf.get(start as usize..end as usize).unwrap_or("")
    }

    /// The same fields with field `i` replaced by `value` (a fresh buffer).
    pub fn with(&self, i: usize, value: &str) -> Self {
        let fields: [&str; N] = std::array::from_fn(|n| if n == i { value } else { self.get(n) });
        Texts::new(fields)
    }
}

impl<const N: usize> std::fmt::Debug for Texts<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries((0..N).map(|i| self.get(i))).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_read_back_and_replace_one_at_a_time() {
        let texts = Texts::new(["abc", "", "défg", "h"]);
        assert_eq!(
            (0..4).map(|i| texts.get(i)).collect::<Vec<_>>(),
            ["abc", "", "défg", "h"]
        );
        assert_eq!(texts.get(9), "");
        let changed = texts.with(1, "xy").with(3, "");
        assert_eq!(
            (0..4).map(|i| changed.get(i)).collect::<Vec<_>>(),
            ["abc", "xy", "défg", ""]
        );
        assert_eq!(texts.get(1), "");
    }
}
