//! Catalog: filters, citations, reverse relations.

use super::*;

#[test]
fn filters_citations_and_reverse_relations() {
    let t = tmp();
    let lib = new_lib(t.path(), "370000", &["370200", "370283"]);
    let mut prov = Record::new(
        w("370000/lzbf-2025-5"),
        DocType::Policy,
        "2025年山东省政务公开工作要点",
    );
    prov.number = DocNumber::parse("鲁政办发〔2025〕5号");
    prov.subjects.push("政务公开".into());
    let mut city = Record::new(
        w("370200/qzbf-2025-3"),
        DocType::Policy,
        "2025年青岛市政务公开工作要点",
    );
    city.number = DocNumber::parse("青政办发〔2025〕3号");
    city.add_relation(Relation {
        kind: RelationKind::Basis,
        target: Target::Citation(Citation::number(
            DocNumber::parse("鲁政办发[2025]5号").expect("valid"),
        )),
    });
    let mut county = Record::new(
        w("370283/jd-2025-1"),
        DocType::Interpretation,
        "《2025年青岛市政务公开工作要点》解读",
    );
    county.add_relation(Relation {
        kind: RelationKind::Interprets,
        target: Target::Work(city.work.clone()),
    });
    county.add_relation(Relation {
        kind: RelationKind::Implements,
        target: Target::Citation(Citation::title("《2025年山东省政务公开工作要点》")),
    });
    let tx: Transaction = [
        (prov.clone(), "2025-03-01"),
        (city.clone(), "2025-05-16"),
        (county.clone(), "2025-06-01"),
    ]
    .into_iter()
    .map(|(rec, day)| Op::Publish {
        version: NewVersion::new(doc(&rec.title, day), d(day)),
        record: rec,
    })
    .collect();
    lib.commit(&clerk(), tx).expect("publish three");

    let snap = lib.snapshot().expect("snapshot");
    let all = |f: Filter| snap.works(&f).expect("list");
    assert_eq!(all(Filter::all()).len(), 3);
    assert_eq!(
        all(Filter::all().region(r("370200"))),
        [city.work.clone(), county.work.clone()]
    );
    assert_eq!(
        all(Filter::all().doc_type(DocType::Interpretation)),
        [county.work.clone()]
    );
    assert_eq!(all(Filter::all().subject("政务公开")), [prov.work.clone()]);
    assert_eq!(
        all(Filter::all().status_on(Status::InForce, d("2025-05-20"))),
        [prov.work.clone(), city.work.clone()]
    );
    assert_eq!(
        all(Filter::all().status_on(Status::NotYetEffective, d("2025-05-20"))),
        [county.work.clone()]
    );

    let lookup = |c: Citation| snap.lookup(&c).expect("lookup");
    assert_eq!(
        lookup(Citation::parse("鲁政办发（2025）5号").expect("parses")),
        [prov.work.clone()]
    );
    assert_eq!(
        lookup(Citation::parse("《2025年青岛市政务公开工作要点》").expect("parses")),
        [city.work.clone()]
    );
    assert!(lookup(Citation::parse("鲁政办发〔2024〕2号").expect("parses")).is_empty());

    let referrers = snap.referrers(&prov.work).expect("referrers");
    let seen: Vec<(String, RelationKind)> = referrers
        .iter()
        .map(|x| (x.from.to_string(), x.kind))
        .collect();
    assert_eq!(
        seen,
        [
            ("370200/qzbf-2025-3".to_string(), RelationKind::Basis),
            ("370283/jd-2025-1".to_string(), RelationKind::Implements),
        ]
    );
    let referrers = snap.referrers(&city.work).expect("referrers");
    assert_eq!(referrers.len(), 1);
    assert_eq!(referrers[0].kind.reverse_str(), "interpreted-by");
    let rev = doc(&prov.title, "2025-03-01").revision_id().expect("id");
    assert_eq!(snap.find_revision(&rev).expect("find"), [prov.work.clone()]);
    fsck(t.path());
}
