//! The importer on raw bytes (any encoding it detects: UTF-8, GB18030,
//! UTF-16 with a BOM). The first byte picks the format the way a caller
//! would (by the name's extension, or sniffing). A successful import must
//! encode canonically, round-trip through the decoder, and (for text and
//! Markdown) keep the no-loss invariant.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wenku_import::{Format, ImportOptions, fidelity, import_bytes};
use wenku_model::canonical::decode_document;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let name = ["fuzz.txt", "fuzz.md", "fuzz.xml", "fuzz"][usize::from(selector & 3)];
    let options = ImportOptions {
        keep_web_chrome: selector & 4 != 0,
        ..ImportOptions::default()
    };
    let Ok(imported) = import_bytes(name, bytes, &options) else {
        return;
    };
    let canonical = imported
        .document
        .to_canonical()
        .expect("an imported document encodes");
    let back = decode_document(&canonical).expect("an import reads back");
    assert_eq!(back, imported.document, "import round-trips through XML");
    let decoded = wenku_import::encoding::decode(name, bytes, None).expect("it decoded once");
    let format = Format::detect(name, &decoded.text);
    if format != Format::Xml {
        let text = if decoded.had_bom {
            format!("\u{FEFF}{}", decoded.text)
        } else {
            decoded.text
        };
        if let Err(loss) = fidelity::check(&text, &imported) {
            panic!("{loss}");
        }
    }
});
