//! Canonical record XML: any input the decoder accepts encodes, and the
//! encoding decodes to the same record and re-encodes byte for byte.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wenku_model::canonical::{decode_record, encode_record};

fuzz_target!(|data: &[u8]| {
    let Ok(record) = decode_record(data) else {
        return;
    };
    let bytes = encode_record(&record).expect("a decoded record encodes");
    let again = decode_record(&bytes).expect("canonical bytes decode");
    assert_eq!(again, record, "decode(encode(r)) == r");
    let twice = encode_record(&again).expect("encodes again");
    assert_eq!(twice, bytes, "encoding is stable");
});
