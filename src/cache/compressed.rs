//! The compressed forms of a cached body, made once when the body enters the cache so
//! that serving one costs no more than serving the plain bytes.
//!
//! Each form is a representation of its own (RFC 9110 §8.8.3): it gets its own strong
//! ETag, derived from the plain body's tag with the coding appended, so a client (or a
//! cache) holding the gzip bytes never has them confirmed as the brotli ones.

use std::io::Write;

use bytes::Bytes;

/// Bodies smaller than this are sent as they are: below a packet or two, the saving is
/// lost in the headers and the time to decompress.
pub const MIN_BYTES: usize = 1024;

/// Brotli at its best quality costs about a second per megabyte; large bodies (a whole
/// track's bundle) use a quality that keeps a cache refill under a tenth of that while
/// giving up only a few per cent of the size.
const LARGE_BYTES: usize = 128 * 1024;

/// One compressed representation.
#[derive(Debug, Clone)]
pub struct Form {
    pub body: Bytes,
    pub etag: String,
}

/// The gzip and brotli forms of one body (either is absent when it would not be
/// smaller than the plain body).
#[derive(Debug, Clone, Default)]
pub struct Compressed {
    pub gzip: Option<Form>,
    pub brotli: Option<Form>,
}

impl Compressed {
    /// Compresses `body` (whose plain ETag is `etag`) in both codings at cache quality.
    /// CPU-bound: call it off the async workers.
    pub fn of(body: &[u8], etag: &str) -> Self {
        if body.len() < MIN_BYTES {
            return Compressed::default();
        }
        let (gzip_level, brotli_quality) = if body.len() > LARGE_BYTES { (6, 9) } else { (9, 11) };
        let form = |bytes: Option<Vec<u8>>, coding: &str| {
            bytes
                .filter(|b| b.len() < body.len())
                .map(|b| Form { body: Bytes::from(b), etag: tag_for_coding(etag, coding) })
        };
        Compressed { gzip: form(gzip(body, gzip_level), "gzip"), brotli: form(brotli(body, brotli_quality), "br") }
    }

    /// Bytes held, for the cache's weigher.
    pub fn len(&self) -> usize {
        [&self.gzip, &self.brotli].into_iter().flatten().map(|f| f.body.len() + f.etag.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.gzip.is_none() && self.brotli.is_none()
    }
}

/// The tag of a coded representation: the plain tag with `-<coding>` inside the quotes.
pub fn tag_for_coding(etag: &str, coding: &str) -> String {
    let inner = etag.trim_end_matches('"');
    format!("{inner}-{coding}\"")
}

/// gzip at `level` (0–9).
pub fn gzip(body: &[u8], level: u32) -> Option<Vec<u8>> {
    let mut encoder =
        flate2::write::GzEncoder::new(Vec::with_capacity(body.len() / 4), flate2::Compression::new(level));
    encoder.write_all(body).ok()?;
    encoder.finish().ok()
}

/// Brotli at `quality` (0–11) with a 4 MiB window.
pub fn brotli(body: &[u8], quality: u32) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len() / 4);
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 64 * 1024, quality, 22);
        writer.write_all(body).ok()?;
        writer.flush().ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn sample(len: usize) -> Vec<u8> {
        let text = r#"{"title":"What is the difference between `is` and `==`?","difficulty":"junior"},"#;
        text.bytes().cycle().take(len).collect()
    }

    #[test]
    fn both_forms_decode_to_the_body_and_carry_their_own_tags() {
        let body = sample(20_000);
        let forms = Compressed::of(&body, "\"abc\"");
        let gzip = forms.gzip.expect("gzip form");
        let brotli = forms.brotli.expect("brotli form");
        assert_eq!((gzip.etag.as_str(), brotli.etag.as_str()), ("\"abc-gzip\"", "\"abc-br\""));
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(&gzip.body[..]).read_to_end(&mut plain).expect("gunzip");
        assert_eq!(plain, body);
        plain.clear();
        brotli::Decompressor::new(&brotli.body[..], 4096).read_to_end(&mut plain).expect("unbrotli");
        assert_eq!(plain, body);
        assert!(brotli.body.len() < body.len() / 10);
    }

    #[test]
    fn large_bodies_decode_too() {
        let body: Vec<u8> = (0..400_000u32).flat_map(|i| format!("{{\"n\":{i}}},").into_bytes()).collect();
        let forms = Compressed::of(&body, "\"abc\"");
        let mut plain = Vec::new();
        let brotli = forms.brotli.expect("brotli form");
        brotli::Decompressor::new(&brotli.body[..], 4096).read_to_end(&mut plain).expect("unbrotli");
        assert_eq!(plain, body);
    }

    #[test]
    fn small_bodies_stay_plain() {
        assert!(Compressed::of(&sample(MIN_BYTES - 1), "\"abc\"").is_empty());
    }
}
