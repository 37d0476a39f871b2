//! History.

use super::*;

#[test]
fn history_of_one_work_says_who_when_and_what() {
    let t = tmp();
    let lib = new_lib(t.path(), "370200", &[]);
    let work = w("370200/wuye");
    let r1 = publish(&lib, "370200/wuye", "物业条例", "2020-01-01");
    publish(&lib, "370200/other", "其他", "2020-01-01");
    let other_clerk = Identity::new("李四", "lisi@qingdao.example").expect("valid");
    let c = lib
        .add_version(
            &other_clerk,
            work.clone(),
            NewVersion::new(doc("物业条例", "二"), d("2010-01-01")),
        )
        .expect("older version");
    let r0 = c.outcomes[0].revision.expect("revision");
    lib.commit(
        &clerk(),
        Op::Repeal {
            work: work.clone(),
            repeal: Repeal {
                date: d("2024-01-01"),
                by: None,
            },
        },
    )
    .expect("repeal");
    let h = lib.history(&work).expect("history");
    let ops: Vec<Option<&str>> = h.iter().map(|e| e.op.as_deref()).collect();
    assert_eq!(ops, [Some("repeal"), Some("add-version"), Some("publish")]);
    assert_eq!(h[1].author.name, "李四");
    assert_eq!(h[1].added_versions, [r0]);
    assert_eq!(h[2].added_versions, [r1]);
    assert!(h[0].added_versions.is_empty() && h[0].record_changed);
    assert!(h[0].committer.time.seconds > h[1].committer.time.seconds);
    assert_eq!(h[0].committer.time.offset_minutes, 480);
    assert_eq!(h[2].node.as_deref(), Some("370200"));
    assert!(lib.history(&w("370200/never")).expect("history").is_empty());
    fsck(t.path());
}
