//! The benchmark harness runs end to end at a small scale — every
//! benchmark, wenku and git side — so it never rots. Only that it runs and
//! reports is checked: no timing is asserted.

use std::process::Command;

use serde_json::Value;

#[test]
fn harness_runs_every_benchmark_at_a_small_scale() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (cache, out) = (dir.path().join("cache"), dir.path().join("out"));
    let output = Command::new(env!("CARGO_BIN_EXE_harness"))
        .args(["all", "--versions", "300", "--quick", "--json", "--cache"])
        .arg(&cache)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("the harness starts");
    assert!(
        output.status.success(),
        "harness failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let run: Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    assert_eq!(run["format"], 1);
    assert_eq!(run["versions"], 300);
    let rows = run["rows"].as_array().expect("rows");
    let row = |id: &str| {
        rows.iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("no row {id} in {rows:#?}"))
    };
    for id in [
        "import/wenku",
        "import/git",
        "open/wenku-warm",
        "open/wenku-cold",
        "as-of/wenku",
        "as-of/wenku-process",
        "as-of/git",
        "as-of/git-commit-graph",
        "diff/regulation-571/wenku",
        "diff/regulation-571/git",
        "publish/wenku",
        "publish/git",
        "pull/wenku",
        "pull/git",
        "pull/wenku-noop",
        "pull/git-noop",
    ] {
        let r = row(id);
        assert!(
            r["stats"]["n"].as_u64().is_some_and(|n| n >= 1),
            "{id}: {r}"
        );
        assert!(
            r["stats"]["median"].as_f64().is_some_and(|m| m > 0.0),
            "{id}: {r}"
        );
    }
    // Every wenku row ran in a probe process that reported its peak RSS.
    for r in rows.iter().filter(|r| r["tool"] == "wenku") {
        assert!(r["peak_rss_kib"].as_u64().is_some_and(|k| k > 0), "{r}");
    }
    // The importer read back every generated version, and as-of answered.
    assert_eq!(row("import/wenku")["info"]["versions"], 300);
    assert!(
        row("as-of/wenku")["info"]["answered"]
            .as_u64()
            .is_some_and(|n| n > 0)
    );
    assert_eq!(
        row("diff/regulation-571/wenku")["info"]["articles"],
        serde_json::json!([571, 586])
    );
    assert!(
        row("pull/wenku")["info"]["works_added"]
            .as_u64()
            .is_some_and(|n| n > 0)
    );
    let comparisons = run["comparisons"].as_array().expect("comparisons");
    assert!(comparisons.iter().any(|c| c["bench"] == "import"));
    assert!(
        comparisons
            .iter()
            .all(|c| c["ratio"].as_f64().is_some_and(f64::is_finite))
    );

    // The results are also on disk, as JSON and Markdown.
    let saved: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("seed1-v300.json")).expect("results file"),
    )
    .expect("JSON file");
    assert_eq!(saved["rows"], run["rows"]);
    assert!(out.join("seed1-v300.md").is_file());
}
