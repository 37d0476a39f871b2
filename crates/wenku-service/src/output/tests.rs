//! Each output type serialised from small domain values and compared with
//! the exact JSON the command line prints.

use wenku_model::query::Referrer;
use wenku_model::{
    Block, Citation as Cited, Date, DocNumber, DocType, Record, Relation, RelationKind, Repeal,
    RevisionId, Signature, Status, Table, Target as To, VersionEntry, Withdrawal, WorkId,
    WrittenDate, canonical,
};

use super::*;

fn d(s: &str) -> Date {
    Date::parse_iso(s).expect("a valid date")
}

fn rev(c: char) -> RevisionId {
    RevisionId::parse(&c.to_string().repeat(64)).expect("64 hex digits")
}

fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).expect("serialisable")
}

fn number(s: &str) -> DocNumber {
    DocNumber::parse(s).expect("a document number")
}

/// 青岛市示例办法 in two versions; valid until mid-2025, then repealed.
fn record() -> Record {
    let mut r = Record::new(
        WorkId::parse("370200/qzbf-2025-3").expect("valid"),
        DocType::Normative,
        "青岛市示例办法",
    );
    r.number = Some(number("青政发〔2025〕3号"));
    r.versions
        .push(VersionEntry::new(rev('a'), d("2020-01-01")));
    let mut second = VersionEntry::new(rev('b'), d("2023-01-01"));
    second.effective = Some(d("2023-03-01"));
    second.amended_by = Some(Cited::number(number("青政发〔2023〕1号")));
    second.note = Some("修订".into());
    r.versions.push(second);
    r.relations.push(Relation {
        kind: RelationKind::Basis,
        target: To::Citation(Cited::title("中华人民共和国立法法")),
    });
    r.expires = Some(d("2025-06-30"));
    r.repealed = Some(Repeal {
        date: d("2025-12-01"),
        by: Some(To::Citation(Cited::number(number("青政发〔2025〕9号")))),
    });
    r
}

#[test]
fn ls_lists_the_version_in_force_on_the_date() {
    let r = record();
    assert_eq!(
        json(&Ls::new(&r, d("2024-01-01"))),
        format!(
            r#"{{"work":"370200/qzbf-2025-3","type":"normative","title":"青岛市示例办法","number":"青政发〔2025〕3号","status":"in-force","revision":"{}","published":"2023-01-01","versions":2}}"#,
            rev('b')
        )
    );
    // Before the first version: null revision and date, not absent.
    assert!(json(&Ls::new(&r, d("2019-01-01"))).contains(
        r#""status":"not-yet-effective","revision":null,"published":null,"versions":2}"#
    ));
}

#[test]
fn log_gives_versions_with_their_status_and_events_in_date_order() {
    let r = record();
    let got = json(&Log::new(&r, &[], d("2024-01-01")));
    let expected = format!(
        concat!(
            r#"{{"work":"370200/qzbf-2025-3","title":"青岛市示例办法","type":"normative","status":"in-force","as_of":"2024-01-01","#,
            r#""versions":[{{"handle":"v1","revision":"{a}","published":"2020-01-01","effective":"2020-01-01","amended_by":null,"note":null,"status":"superseded"}},"#,
            r#"{{"handle":"v2","revision":"{b}","published":"2023-01-01","effective":"2023-03-01","amended_by":{{"number":"青政发〔2023〕1号","title":null}},"note":"修订","status":"in-force"}}],"#,
            r#""events":[{{"event":"expires","date":"2025-06-30"}},{{"event":"repealed","date":"2025-12-01","by":{{"number":"青政发〔2025〕9号","title":null}}}}],"#,
            r#""history":[]}}"#
        ),
        a = rev('a'),
        b = rev('b')
    );
    assert_eq!(got, expected);
}

#[test]
fn events_keep_a_null_by_and_a_withdrawal_reason() {
    let mut r = record();
    r.expires = None;
    r.repealed = Some(Repeal {
        date: d("2025-12-01"),
        by: None,
    });
    r.withdrawn = Some(Withdrawal {
        date: d("2024-08-01"),
        reason: "发布有误".into(),
    });
    assert_eq!(
        json(&Event::of(&r)),
        r#"[{"event":"withdrawn","date":"2024-08-01","reason":"发布有误"},{"event":"repealed","date":"2025-12-01","by":null}]"#
    );
    r.repealed = Some(Repeal {
        date: d("2025-12-01"),
        by: Some(To::Work(WorkId::parse("370200/new").expect("valid"))),
    });
    assert!(json(&Event::of(&r)).contains(r#""by":{"work":"370200/new"}"#));
}

#[test]
fn find_and_links_name_works_and_targets() {
    let r = record();
    let cited = Cited::parse("青政发[2025]3号").expect("a citation");
    assert_eq!(
        json(&Find::new(
            &cited,
            std::slice::from_ref(&r),
            d("2026-01-15")
        )),
        r#"{"citation":{"number":"青政发〔2025〕3号","title":null},"works":[{"work":"370200/qzbf-2025-3","title":"青岛市示例办法","number":"青政发〔2025〕3号","type":"normative","status":"expired"}]}"#
    );
    let incoming = [Referrer {
        from: WorkId::parse("370283/pd-1").expect("valid"),
        kind: RelationKind::Implements,
        target: To::Work(r.work.clone()),
    }];
    let resolved = [vec![WorkId::parse("100000/lifa").expect("valid")]];
    assert_eq!(
        json(&Links::new(&r, &resolved, &incoming)),
        r#"{"work":"370200/qzbf-2025-3","outgoing":[{"kind":"basis","target":{"number":null,"title":"中华人民共和国立法法"},"resolved":["100000/lifa"]}],"incoming":[{"kind":"implements","reverse":"implemented-by","from":"370283/pd-1","target":{"work":"370200/qzbf-2025-3"}}]}"#
    );
}

#[test]
fn body_nodes_leave_absent_members_out() {
    let mut doc = wenku_model::Document::new(DocType::Notice, "关于示例的通知");
    doc.body = vec![
        Block::Title("关于示例的通知".into()),
        Block::Signature(Signature {
            organs: vec!["青岛市人民政府".into()],
            date: Some(WrittenDate {
                value: d("2025-05-16"),
                text: "2025年5月16日".into(),
            }),
        }),
        Block::Table(Table {
            rows: vec![vec!["序号".into(), "事项".into()]],
        }),
    ];
    assert_eq!(
        json(&Node::body(&doc.body)),
        concat!(
            r#"[{"kind":"title","text":"关于示例的通知","children":[]},"#,
            r#"{"kind":"signature","children":[{"kind":"organ","text":"青岛市人民政府","children":[]},{"kind":"date","text":"2025年5月16日","date":"2025-05-16","children":[]}]},"#,
            r#"{"kind":"table","children":[{"kind":"row","children":[{"kind":"cell","text":"序号","children":[]},{"kind":"cell","text":"事项","children":[]}]}]}]"#
        )
    );
    let r = record();
    let shown = json(&Show::new(
        &r.work,
        &r.versions[0],
        Status::Superseded,
        d("2024-01-01"),
        &doc,
    ));
    assert_eq!(
        shown,
        format!(
            r#"{{"work":"370200/qzbf-2025-3","revision":"{}","status":"superseded","as_of":"2024-01-01","published":"2020-01-01","effective":"2020-01-01","title":"关于示例的通知","type":"notice","number":null,"organs":[],"written":null,"subjects":[],"body":{}}}"#,
            rev('a'),
            json(&Node::body(&doc.body))
        )
    );
}

#[test]
fn units_keep_labels_numbers_and_sub_numbers() {
    let path = wenku_test_support::paths::testdata().join("xml/valid/law-chapters.xml");
    let bytes = std::fs::read(path).expect("the sample");
    let doc = canonical::decode_document(&bytes).expect("valid sample");
    let v: serde_json::Value = serde_json::from_str(&json(&Document::new(&doc))).expect("JSON");
    let chapter = &v["body"][3];
    assert_eq!(chapter["kind"], "chapter");
    assert_eq!(chapter["label"], "第一章");
    assert_eq!(chapter["number"], 1);
    assert_eq!(chapter["heading"], "总　　则");
    assert!(chapter.get("sub").is_none() && chapter.get("text").is_none());
    let article = &chapter["children"][1];
    assert_eq!(article["label"], "第二条");
    assert_eq!(article["children"][1]["kind"], "paragraph");
    let sub = &v["body"][4]["children"][0]["children"][1];
    assert_eq!(sub["label"], "第八条之一");
    assert_eq!(
        (sub["number"].as_u64(), sub["sub"].as_u64()),
        (Some(8), Some(1))
    );
}

#[test]
fn a_refused_pull_names_what_it_refused() {
    let commit =
        |c: char| wenku_store::ObjectId::from_hex(&c.to_string().repeat(40)).expect("40 hex");
    let peer =
        wenku_store::federation::Peer::Child(wenku_model::Region::parse("370283").expect("valid"));
    let e = wenku_store::federation::PullError::RewrittenHistory {
        peer,
        accepted: commit('a'),
        offered: commit('b'),
        quarantine: "/srv/wenku/370200.git/wenku/quarantine/370283".into(),
    };
    let got = json(&PullFailure::new(&e));
    let expected = format!(
        r#"{{"status":"refused","error":"rewritten-history","message":{},"offered":"{b}","quarantine":"/srv/wenku/370200.git/wenku/quarantine/370283","accepted":"{a}"}}"#,
        serde_json::to_string(&e.to_string()).expect("a string"),
        a = commit('a'),
        b = commit('b'),
    );
    assert_eq!(got, expected);
}
