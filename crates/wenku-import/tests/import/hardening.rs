//! Hostile and careless inputs: what the importer refuses, and what it
//! reports instead of passing on silently.

use std::path::Path;

use wenku_import::{
    ImportError, ImportOptions, Imported, Severity, fidelity, import_bytes, import_file,
};
use wenku_model::canonical::{self, MAX_CANONICAL_BYTES};

fn import(name: &str, text: &str) -> Result<Imported, ImportError> {
    import_bytes(name, text.as_bytes(), &ImportOptions::default())
}

fn codes(imported: &Imported, code: &str) -> Vec<(Severity, Option<usize>, String)> {
    imported
        .diagnostics
        .iter()
        .filter(|d| d.code == code)
        .map(|d| (d.severity, d.line, d.message.clone()))
        .collect()
}

// ---- one size limit, shared with the readers ----

#[test]
fn a_document_readers_would_refuse_is_refused_before_it_is_stored() {
    // An outline of bare item labels: 3 input bytes become one <entry>
    // element each, so 2.3 MB of input (well under the input limit) would
    // become a version larger than what any reader accepts.
    let mut text = String::from("关于测试的通知\n");
    text.push_str(&"1.\n".repeat(2_300_000 / 3));
    assert!(text.len() < ImportOptions::default().max_bytes);
    let err = import("outline.txt", &text).expect_err("canonical form too large");
    let ImportError::CanonicalTooLarge {
        size, max, input, ..
    } = &err
    else {
        panic!("expected CanonicalTooLarge, got {err}");
    };
    assert_eq!(*max, MAX_CANONICAL_BYTES);
    assert_eq!(*max, canonical::Limits::default().max_bytes);
    assert!(*size > MAX_CANONICAL_BYTES, "{size}");
    assert_eq!(*input, text.len());
    let message = err.to_string();
    assert!(
        message.starts_with("outline.txt: the imported document's canonical form is ")
            && message.contains(&format!(
                "readers accept at most {MAX_CANONICAL_BYTES} bytes"
            )),
        "{message}"
    );
}

// ---- what import_file reads ----

#[cfg(unix)]
#[test]
fn a_device_is_refused_before_it_is_read() {
    let err = import_file(Path::new("/dev/zero"), &ImportOptions::default())
        .expect_err("a device is not a document");
    assert!(
        matches!(
            err,
            ImportError::NotAFile {
                kind: "a character device",
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "/dev/zero: not a regular file but a character device; expected a text file"
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_without_waiting_for_a_writer() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let fifo = dir.path().join("pipe.txt");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
    // No writer ever opens it: reading it would block forever.
    let err = import_file(&fifo, &ImportOptions::default()).expect_err("a FIFO is refused");
    assert!(
        matches!(err, ImportError::NotAFile { kind: "a FIFO", .. }),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "{}: not a regular file but a FIFO; expected a text file",
            fifo.display()
        )
    );
}

#[test]
fn a_directory_is_refused() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let err = import_file(dir.path(), &ImportOptions::default()).expect_err("a directory");
    assert!(
        matches!(
            err,
            ImportError::NotAFile {
                kind: "a directory",
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string()
            .starts_with(&dir.path().display().to_string())
    );
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_to_a_file_imports_as_the_file() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("a.txt");
    std::fs::write(&file, "关于测试的通知\n第一条　测试。\n").expect("write");
    let link = dir.path().join("link.txt");
    std::os::unix::fs::symlink(&file, &link).expect("symlink");
    let via_link = import_file(&link, &ImportOptions::default()).expect("imports");
    let direct = import_file(&file, &ImportOptions::default()).expect("imports");
    assert_eq!(via_link.document, direct.document);

    let dangling = dir.path().join("dangling.txt");
    std::os::unix::fs::symlink(dir.path().join("missing"), &dangling).expect("symlink");
    let err = import_file(&dangling, &ImportOptions::default()).expect_err("dangling");
    assert!(matches!(err, ImportError::Io { .. }), "{err}");
}

/// The cap bounds the bytes read, not the size the file reports: files in
/// /proc report a length of 0 and hold more.
#[cfg(target_os = "linux")]
#[test]
fn the_size_cap_bounds_the_bytes_read() {
    let status = Path::new("/proc/self/status");
    assert_eq!(std::fs::metadata(status).expect("procfs").len(), 0);
    let options = ImportOptions {
        max_bytes: 16,
        ..ImportOptions::default()
    };
    let err = import_file(status, &options).expect_err("more than 16 bytes");
    assert!(
        matches!(
            err,
            ImportError::GrewTooLarge {
                reported: 0,
                max: 16,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "/proc/self/status: more than 16 bytes could be read (the file reported 0 bytes); at most 16 bytes are accepted"
    );

    let dir = tempfile::tempdir().expect("temporary directory");
    let big = dir.path().join("big.txt");
    std::fs::write(&big, "测".repeat(10)).expect("write");
    let err = import_file(&big, &options).expect_err("too large");
    assert!(
        matches!(
            err,
            ImportError::TooLarge {
                size: 30,
                max: 16,
                ..
            }
        ),
        "{err}"
    );
}

// ---- empty input ----

#[test]
fn empty_and_blank_inputs_are_refused() {
    for (name, bytes) in [
        ("empty.txt", &b""[..]),
        ("blank.txt", " \n\t\r\n\u{3000}\n".as_bytes()),
        ("bom.md", "\u{FEFF}\n".as_bytes()),
        ("bom-only.txt", "\u{FEFF}".as_bytes()),
    ] {
        let err = import_bytes(name, bytes, &ImportOptions::default()).expect_err(name);
        assert!(matches!(err, ImportError::Empty { .. }), "{name}: {err}");
        assert_eq!(
            err.to_string(),
            format!("{name}: the input is empty (no text beyond blank space); expected a document")
        );
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("empty.txt");
    std::fs::write(&file, "").expect("write");
    let err = import_file(&file, &ImportOptions::default()).expect_err("empty file");
    assert!(matches!(err, ImportError::Empty { .. }), "{err}");
}

#[test]
fn an_input_whose_text_is_all_left_out_is_refused() {
    // Only invisible characters: every one is left out, with a diagnostic.
    let err =
        import("invisible.txt", "\u{200B}\n\u{202E}\u{200B}\n\u{1}\n").expect_err("nothing kept");
    let ImportError::NothingKept { diagnostics, .. } = &err else {
        panic!("expected NothingKept, got {err}");
    };
    let dropped: String = diagnostics
        .iter()
        .filter_map(|d| d.dropped.as_deref())
        .collect();
    assert_eq!(dropped, "\u{200B}\u{202E}\u{200B}\u{1}");
    assert!(
        err.to_string()
            .starts_with("invisible.txt: nothing of the input would be kept"),
        "{err}"
    );
}

// ---- dates that do not exist ----

#[test]
fn an_impossible_date_is_reported_with_its_line_and_not_used() {
    let text = "\
关于做好防汛工作的通知
各区人民政府:
现就有关事项通知如下。
某某市人民政府办公厅
2023年2月30日
";
    let imported = import("flood.txt", text).expect("imports");
    assert_eq!(imported.proposed.published, None);
    assert_eq!(
        codes(&imported, "impossible-date"),
        [(
            Severity::Warning,
            Some(5),
            "2023年2月30日 is not a date (2023-02 has days 1 to 28); it is kept as text and not used as a date"
                .to_string()
        )]
    );
    fidelity::check(text, &imported).expect("no loss");

    let imported = import(
        "x.txt",
        "关于测试的通知\n本办法自2025年13月1日起施行,2023-02-29废止。\n",
    )
    .expect("imports");
    let found = codes(&imported, "impossible-date");
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found
            .iter()
            .all(|(s, l, _)| *s == Severity::Warning && *l == Some(2))
    );
    assert!(
        found[0].2.starts_with("2025年13月1日 is not a date"),
        "{found:?}"
    );
    assert!(
        found[1].2.starts_with("2023-02-29 is not a date"),
        "{found:?}"
    );

    // Possible dates say nothing.
    let imported = import("ok.txt", "关于测试的通知\n2024年2月29日\n").expect("imports");
    assert!(codes(&imported, "impossible-date").is_empty());
}

// ---- bidirectional controls ----

#[test]
fn bidi_controls_are_left_out_of_titles_and_text_with_a_warning() {
    let text = "\u{202E}关于印发\u{2066}某某办法\u{2069}的通知\n\u{200F}各区人民政府:\n第一条　本办法\u{202D}适用于全市。\n";
    let imported = import("bidi.txt", text).expect("imports");
    assert_eq!(
        imported.proposed.title.as_deref(),
        Some("关于印发某某办法的通知")
    );
    let warnings = codes(&imported, "bidi-control");
    assert_eq!(
        warnings.iter().map(|(_, l, _)| *l).collect::<Vec<_>>(),
        [Some(1), Some(2), Some(3)]
    );
    assert!(warnings.iter().all(|(s, _, _)| *s == Severity::Warning));
    assert!(
        warnings[0].2.contains("U+202E U+2066 U+2069"),
        "{warnings:?}"
    );
    let canonical = imported.document.to_canonical().expect("encodes");
    let canonical = String::from_utf8(canonical).expect("utf-8");
    assert!(!canonical.contains(|c: char| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')));
    // The removed characters are reported dropped: no text is lost.
    fidelity::check(text, &imported).expect("no loss");
}

#[test]
fn bidi_controls_in_an_xml_documents_metadata_are_left_out_of_the_proposal() {
    let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<document xmlns=\"urn:wenku:document:1\" type=\"policy\">\n<meta>\n<title>\u{202E}关于测试的通知</title>\n<organ>某某\u{061C}办公厅</organ>\n</meta>\n<body>\n<p>正文。</p>\n</body>\n</document>\n";
    let imported = import("bidi.xml", xml).expect("imports");
    assert_eq!(imported.proposed.title.as_deref(), Some("关于测试的通知"));
    assert_eq!(imported.proposed.issuers, ["某某办公厅"]);
    let warnings = codes(&imported, "bidi-control");
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings[0].2.contains("U+202E") && warnings[0].2.contains("title"));
    assert!(warnings[1].2.contains("U+061C") && warnings[1].2.contains("issuer"));
}

// ---- found by fuzzing (fuzz/fuzz_targets/import_bytes.rs) ----

/// Leaving out a control character between a letter and its accent left
/// text that is not NFC: the imported document differed from what its
/// canonical form reads back as.
#[test]
fn leaving_a_character_out_keeps_the_document_as_readers_see_it() {
    for text in [
        "标题\nü\u{1F}\u{300}好\n",
        "标题\na\u{820}\u{1F}\u{20E6}\n",
        "标题\nx\u{0301}\u{202E}\u{0323}\n",
    ] {
        let imported = import("nfc.txt", text).expect("imports");
        let canonical = imported.document.to_canonical().expect("encodes");
        let back = canonical::decode_document(&canonical).expect("reads back");
        assert_eq!(back, imported.document, "{text:?}");
        fidelity::check(text, &imported).unwrap_or_else(|e| panic!("{text:?}: {e}"));
    }
}
