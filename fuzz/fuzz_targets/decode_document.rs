//! Canonical document XML: any input the decoder accepts encodes, and the
//! encoding decodes to the same document and re-encodes byte for byte.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wenku_model::canonical::{decode_document, encode_document};

fuzz_target!(|data: &[u8]| {
    let Ok(document) = decode_document(data) else {
        return;
    };
    let bytes = encode_document(&document).expect("a decoded document encodes");
    let again = decode_document(&bytes).expect("canonical bytes decode");
    assert_eq!(again, document, "decode(encode(d)) == d");
    let twice = encode_document(&again).expect("encodes again");
    assert_eq!(twice, bytes, "encoding is stable");
});
