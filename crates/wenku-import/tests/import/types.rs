//! Document types from title, issuer and number, judged again when the
//! caller supplies them. Texts: `testdata/import/` (sources in its README)
//! and the corpus.

use wenku_import::{ImportOptions, Imported, import_file};
use wenku_model::{Date, DocNumber, DocType};
use wenku_test_support::paths::{corpus_dir, testdata};

fn text(rel: &str, options: &ImportOptions) -> Imported {
    let path = testdata().join(rel);
    let imported = import_file(&path, options).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let text = std::fs::read_to_string(&path).expect("utf-8 text");
    wenku_import::fidelity::check(&text, &imported).unwrap_or_else(|e| panic!("{rel}: {e}"));
    imported
}

fn law(rel: &str, options: &ImportOptions) -> Imported {
    let path = corpus_dir().join("laws").join(rel);
    import_file(&path, options).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn judicial_interpretations_by_title_and_by_issuer() {
    // The procuratorate's interpretation, without articles: its title names it.
    let spp = text(
        "import/judicial/2000-10-16-spp-baoshuihuowu.md",
        &ImportOptions::default(),
    );
    assert_eq!(spp.proposed.doc_type, DocType::JudicialInterpretation);
    assert_eq!(spp.proposed.issuers, ["最高人民检察院"]);
    // The court's rules: the title does not name the court, the adoption
    // line does.
    let spc = text(
        "import/judicial/2021-12-30-spc-zaixiantiaojieguize.md",
        &ImportOptions::default(),
    );
    assert_eq!(spc.proposed.doc_type, DocType::JudicialInterpretation);
    assert_eq!(spc.proposed.issuers, ["最高人民法院"]);
    assert_eq!(spc.proposed.effective, Date::parse_iso("2022-01-01").ok());
    assert_eq!(spc.document.doc_type, DocType::JudicialInterpretation);
    // A judicial interpretation's number says so by itself.
    let numbered = text(
        "import/judicial/2021-12-30-spc-zaixiantiaojieguize.md",
        &ImportOptions {
            number: DocNumber::parse("法释〔2021〕23号"),
            issuers: vec!["某机关".into()],
            ..ImportOptions::default()
        },
    );
    assert_eq!(numbered.proposed.doc_type, DocType::JudicialInterpretation);
}

#[test]
fn a_given_title_or_number_is_judged_again() {
    // The 2021 text of 动物防疫法 is bare: no title, no history.
    let file = "cn-law-dongwufangyifa/2021-01-22.txt";
    assert_eq!(
        law(file, &ImportOptions::default()).proposed.doc_type,
        DocType::Other
    );
    let titled = law(
        file,
        &ImportOptions {
            title: Some("中华人民共和国动物防疫法".into()),
            ..ImportOptions::default()
        },
    );
    assert_eq!(titled.proposed.doc_type, DocType::Law);
    assert_eq!(titled.document.doc_type, DocType::Law);
    assert!(
        titled
            .diagnostics
            .iter()
            .any(|d| d.message == "type law from the given metadata instead of other")
    );
    // Law and State Council order numbers, as written.
    for (number, want) in [
        ("中华人民共和国主席令第六十九号", DocType::Law),
        ("国务院令第七百三十二号", DocType::AdministrativeRegulation),
    ] {
        let number = DocNumber::parse(number).expect("an order number");
        let imported = law(
            file,
            &ImportOptions {
                number: Some(number.clone()),
                ..ImportOptions::default()
            },
        );
        assert_eq!(imported.proposed.doc_type, want, "{number}");
    }
    // A given type stays what it is.
    let typed = law(
        file,
        &ImportOptions {
            title: Some("中华人民共和国动物防疫法".into()),
            doc_type: Some(DocType::Other),
            ..ImportOptions::default()
        },
    );
    assert_eq!(typed.proposed.doc_type, DocType::Other);
}
