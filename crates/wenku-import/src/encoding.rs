//! Bytes to text: UTF-8 (with or without BOM), UTF-16 with a BOM, and
//! GB18030/GBK, with clear errors naming the byte offset of bad input.
//!
//! Detection order: a byte order mark decides; otherwise valid UTF-8 is
//! UTF-8; otherwise, unless the bytes are evidently UTF-8 with a flaw (a
//! run of well-formed multibyte sequences before the first bad byte, or a
//! sequence cut off at the end), GB18030. A NUL byte outside UTF-16 means
//! binary input. Decoding never replaces bad bytes: it fails instead, so no
//! text is silently changed.

use encoding_rs::{DecoderResult, Encoding, GB18030, UTF_16BE, UTF_16LE};

use crate::error::ImportError;
use crate::options::TextEncoding;

/// Decoded text and what it was decoded from. The text does not start with
/// the byte order mark; [`Decoded::had_bom`] says whether there was one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    /// The text, without any byte order mark; line ends as in the input.
    pub text: String,
    /// The encoding it was read as.
    pub encoding: TextEncoding,
    /// Whether a byte order mark was removed.
    pub had_bom: bool,
}

/// How many well-formed UTF-8 multibyte sequences before the first bad byte
/// make an input "UTF-8 with a flaw" rather than another encoding. GBK text
/// almost never forms even two in a row.
const UTF8_EVIDENCE: usize = 4;

/// Decodes `bytes`, detecting the encoding unless `forced` names one.
pub fn decode(
    source_name: &str,
    bytes: &[u8],
    forced: Option<TextEncoding>,
) -> Result<Decoded, ImportError> {
    let bom = if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        Some((TextEncoding::Utf8, 3))
    } else if bytes.starts_with(&[0xFF, 0xFE]) {
        Some((TextEncoding::Utf16Le, 2))
    } else if bytes.starts_with(&[0xFE, 0xFF]) {
        Some((TextEncoding::Utf16Be, 2))
    } else {
        None
    };
    let utf16 =
        |e: Option<TextEncoding>| matches!(e, Some(TextEncoding::Utf16Le | TextEncoding::Utf16Be));
    // A NUL byte is the surest sign of binary input; UTF-16 has them in text.
    if !utf16(forced)
        && !utf16(bom.map(|b| b.0))
        && let Some(offset) = bytes.iter().position(|b| *b == 0)
    {
        return Err(ImportError::Binary {
            source_name: source_name.to_string(),
            offset,
        });
    }
    let (encoding, skip) = match (forced, bom) {
        (Some(f), Some((b, n))) if f == b => (f, n),
        (Some(f), _) => (f, 0),
        (None, Some((b, n))) => (b, n),
        (None, None) => (detect(source_name, bytes)?, 0),
    };
    let body = &bytes[skip..];
    let text = match encoding {
        TextEncoding::Utf8 => match std::str::from_utf8(body) {
            Ok(s) => s.to_string(),
            Err(e) => return Err(utf8_error(source_name, e, skip, String::new())),
        },
        other => decode_with(source_name, other, body, skip)?,
    };
    Ok(Decoded {
        text,
        encoding,
        had_bom: skip > 0,
    })
}

fn detect(source_name: &str, bytes: &[u8]) -> Result<TextEncoding, ImportError> {
    let err = match std::str::from_utf8(bytes) {
        Ok(_) => return Ok(TextEncoding::Utf8),
        Err(e) => e,
    };
    let valid = &bytes[..err.valid_up_to()];
    // Bytes that start a multibyte sequence: not ASCII, not continuation.
    let multibyte = valid.iter().filter(|b| **b >= 0xC0).count();
    if multibyte >= UTF8_EVIDENCE || (err.error_len().is_none() && multibyte > 0) {
        return Err(utf8_error(source_name, err, 0, String::new()));
    }
    match decode_with(source_name, TextEncoding::Gb18030, bytes, 0) {
        Ok(_) => Ok(TextEncoding::Gb18030),
        Err(ImportError::Undecodable {
            source_name,
            problem,
            offset,
            ..
        }) => Err(ImportError::Undecodable {
            source_name,
            problem,
            offset,
            also: format!(" (not UTF-8 either: {})", utf8_problem(&err, 0)),
        }),
        Err(other) => Err(other),
    }
}

fn utf8_problem(e: &std::str::Utf8Error, skip: usize) -> String {
    let at = e.valid_up_to() + skip;
    match e.error_len() {
        Some(_) => format!("invalid sequence at byte {at}"),
        None => format!("sequence cut off at byte {at}"),
    }
}

fn utf8_error(source_name: &str, e: std::str::Utf8Error, skip: usize, also: String) -> ImportError {
    ImportError::Undecodable {
        source_name: source_name.to_string(),
        problem: match e.error_len() {
            Some(_) => "invalid UTF-8 sequence".into(),
            None => "truncated UTF-8 multibyte sequence".into(),
        },
        offset: e.valid_up_to() + skip,
        also,
    }
}

fn decode_with(
    source_name: &str,
    which: TextEncoding,
    bytes: &[u8],
    skip: usize,
) -> Result<String, ImportError> {
    let encoding: &'static Encoding = match which {
        TextEncoding::Utf16Le => UTF_16LE,
        TextEncoding::Utf16Be => UTF_16BE,
        TextEncoding::Gb18030 | TextEncoding::Utf8 => GB18030,
    };
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let capacity = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .ok_or_else(|| ImportError::TooLarge {
            source_name: source_name.to_string(),
            size: bytes.len(),
            max: usize::MAX / 4,
        })?;
    let mut out = String::with_capacity(capacity);
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut out, true);
    match result {
        DecoderResult::InputEmpty => Ok(out),
        DecoderResult::Malformed(bad, after) => {
            let offset = read - usize::from(bad) - usize::from(after);
            let truncated = offset + usize::from(bad) >= bytes.len();
            let name = which.as_str();
            Err(ImportError::Undecodable {
                source_name: source_name.to_string(),
                problem: if truncated {
                    format!("truncated {name} multibyte sequence")
                } else {
                    format!("invalid {name} sequence")
                },
                offset: offset + skip,
                also: String::new(),
            })
        }
        // The buffer was sized for the worst case, so it cannot fill up.
        DecoderResult::OutputFull => Err(ImportError::Undecodable {
            source_name: source_name.to_string(),
            problem: format!("{} output larger than expected", which.as_str()),
            offset: read + skip,
            also: String::new(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gbk(s: &str) -> Vec<u8> {
        let (bytes, _, had_errors) = GB18030.encode(s);
        assert!(!had_errors);
        bytes.into_owned()
    }

    #[test]
    fn utf8_with_and_without_bom() {
        let d = decode("a", "第一条　总则".as_bytes(), None).expect("utf-8");
        assert_eq!(
            (d.text.as_str(), d.encoding, d.had_bom),
            ("第一条　总则", TextEncoding::Utf8, false)
        );
        let mut b = vec![0xEF, 0xBB, 0xBF];
        b.extend_from_slice("总则".as_bytes());
        let d = decode("a", &b, None).expect("utf-8 bom");
        assert_eq!((d.text.as_str(), d.had_bom), ("总则", true));
    }

    #[test]
    fn gb18030_is_detected() {
        let text = "青岛市人民政府办公厅\r\n2025年5月16日\r\n（此件公开发布）";
        let d = decode("a", &gbk(text), None).expect("gbk");
        assert_eq!(d.encoding, TextEncoding::Gb18030);
        assert_eq!(d.text, text);
    }

    #[test]
    fn utf16_with_bom() {
        let mut b = vec![0xFF, 0xFE];
        for u in "总则".encode_utf16() {
            b.extend_from_slice(&u.to_le_bytes());
        }
        let d = decode("a", &b, None).expect("utf-16");
        assert_eq!(
            (d.text.as_str(), d.encoding),
            ("总则", TextEncoding::Utf16Le)
        );
    }

    #[test]
    fn binary_names_the_nul() {
        let err = decode("x.bin", b"abc\0def", None).expect_err("binary");
        assert_eq!(
            err.to_string(),
            "x.bin: binary input: NUL byte at byte 3; expected UTF-8 or GB18030 text"
        );
    }

    #[test]
    fn truncated_utf8_is_an_error_not_gbk() {
        let mut b = "中华人民共和国立法法".as_bytes().to_vec();
        b.pop();
        let err = decode("t.txt", &b, None).expect_err("truncated");
        let msg = err.to_string();
        assert!(
            msg.contains("truncated UTF-8 multibyte sequence at byte 27"),
            "{msg}"
        );
    }

    #[test]
    fn truncated_gbk_is_an_error() {
        let mut b = gbk("中华人民共和国立法法");
        b.pop();
        let err = decode("t.txt", &b, None).expect_err("truncated");
        let msg = err.to_string();
        assert!(
            msg.contains("truncated GB18030 multibyte sequence at byte 18"),
            "{msg}"
        );
        assert!(msg.contains("not UTF-8 either"), "{msg}");
    }

    #[test]
    fn invalid_gb18030_names_the_offset() {
        // 0x81 0x20 is not a GB18030 sequence (a lead byte, then a space).
        let mut b = gbk("第一条");
        b.extend_from_slice(&[0x81, 0x20, b'x']);
        let err = decode("g.txt", &b, None).expect_err("invalid");
        assert!(
            err.to_string()
                .contains("invalid GB18030 sequence at byte 6"),
            "{err}"
        );
    }

    #[test]
    fn forced_encoding_is_obeyed() {
        let err = decode("f", &gbk("总则"), Some(TextEncoding::Utf8)).expect_err("not utf-8");
        assert!(
            err.to_string().contains("invalid UTF-8 sequence at byte 0"),
            "{err}"
        );
    }
}
