//! Shared helpers of the federation tests: libraries of nodes, the
//! reference corpus, and the transports (a path, file://, git:// through
//! `git daemon`, smart HTTP through `git http-backend`). Everything the
//! federation tests use is here, `use wenku_test_support::federation::*`.

pub use crate::fixtures::*;
pub use crate::git::*;
pub use crate::paths::corpus_dir;
pub use crate::{daemon, http};

use std::path::{Path, PathBuf};
use std::process::Command;

use wenku_model::{Block, DocNumber, DocType, Document, Record, WorkId};
use wenku_store::federation::{Peer, PullOptions, PullReport};
use wenku_store::{Identity, InitOptions, Library, NewVersion, Op, Transaction};

/// The clerk who commits in the federation tests.
pub fn clerk() -> Identity {
    Identity::new("政务公开办", "gongkai@wenku.example").expect("valid identity")
}

/// A node's library at `<root>/<region>.git`.
pub fn node(root: &Path, region: &str) -> Library {
    let path = root.join(format!("{region}.git"));
    Library::init(&path, r(region), InitOptions::new(clerk()).clock(clock())).expect("init library")
}

/// A small document whose text depends on `variant`.
pub fn doc(title: &str, variant: &str) -> Document {
    let mut doc = Document::new(DocType::Normative, title);
    doc.body.push(Block::Title(title.into()));
    doc.body.push(Block::Para(format!("一、{variant}的内容。")));
    doc.body.push(Block::Para(format!("二、{variant}的要求。")));
    doc
}

/// Publishes a small work; returns nothing (the commit is checked).
pub fn publish(lib: &Library, work: &str, variant: &str) {
    lib.publish(
        &clerk(),
        Record::new(w(work), DocType::Normative, format!("文件{variant}")),
        NewVersion::new(doc(&format!("文件{variant}"), variant), d("2025-03-01")),
    )
    .expect("publish");
}

/// Publishes `count` small works `<region>/<prefix>-<i>` in one batch.
pub fn publish_batch(lib: &Library, region: &str, prefix: &str, count: usize) {
    let tx: Transaction = (0..count)
        .map(|i| {
            let work = format!("{region}/{prefix}-{i}");
            Op::Publish {
                record: Record::new(w(&work), DocType::Normative, format!("文件{prefix}{i}")),
                version: NewVersion::new(
                    doc(&format!("文件{prefix}{i}"), &format!("{prefix}-{i}")),
                    d("2025-03-01"),
                ),
            }
        })
        .collect();
    lib.commit(&clerk(), tx).expect("batch");
}

/// Pulls and expects success.
pub fn pull(lib: &Library, source: &str, peer: Peer) -> PullReport {
    lib.pull(source, peer, &clerk(), &PullOptions::new())
        .unwrap_or_else(|e| panic!("pull {peer} from {source} into {}: {e}", lib.authority()))
}

/// Commits edits to `main` with plain git, as someone editing the
/// repository by hand would: `(path, Some(bytes))` writes a file,
/// `(path, None)` removes one. `parents` are extra parents (a merge).
/// Returns the new commit.
pub fn edit_with_git(repo: &Path, edits: &[(&str, Option<&[u8]>)], parents: &[&str]) -> String {
    edit_with_git_mode(repo, edits, "100644", parents)
}

/// [`edit_with_git`], writing files with git file mode `mode` (`100644`,
/// `100755`, `120000` …), as a hand edit that changes modes would.
pub fn edit_with_git_mode(
    repo: &Path,
    edits: &[(&str, Option<&[u8]>)],
    mode: &str,
    parents: &[&str],
) -> String {
    let index = repo.join("tamper.index");
    let env: [(&str, &Path); 1] = [("GIT_INDEX_FILE", &index)];
    git_ok_with(repo, &["read-tree", "main"], &env);
    for (path, content) in edits {
        match content {
            Some(bytes) => {
                let file = repo.join("tamper.blob");
                std::fs::write(&file, bytes).expect("write");
                let blob = git_ok(repo, &["hash-object", "-w", file.to_str().expect("utf8")]);
                std::fs::remove_file(&file).expect("remove");
                git_ok_with(
                    repo,
                    &[
                        "update-index",
                        "--add",
                        "--cacheinfo",
                        &format!("{mode},{blob},{path}"),
                    ],
                    &env,
                );
            }
            None => {
                // Mode 0 in --index-info removes the entry (no work tree
                // needed, unlike --force-remove).
                let mut child = Command::new("git")
                    .args(["update-index", "--index-info"])
                    .current_dir(repo)
                    .env("GIT_INDEX_FILE", &index)
                    .stdin(std::process::Stdio::piped())
                    .spawn()
                    .expect("git update-index");
                use std::io::Write;
                child
                    .stdin
                    .take()
                    .expect("stdin")
                    .write_all(format!("0 {}\t{path}\n", "0".repeat(40)).as_bytes())
                    .expect("write");
                assert!(child.wait().expect("wait").success());
            }
        }
    }
    let tree = git_ok_with(repo, &["write-tree"], &env);
    let mut args = vec!["commit-tree", tree.as_str(), "-p", "main"];
    for p in parents {
        args.extend(["-p", p]);
    }
    args.extend(["-m", "edit by hand"]);
    let commit = git_ok(repo, &args);
    git_ok(repo, &["update-ref", "refs/heads/main", &commit]);
    std::fs::remove_file(&index).expect("remove index");
    commit
}

/// The tree ids of every region directory at `main`, by name.
pub fn region_trees(dir: &Path) -> Vec<(String, String)> {
    git_ok(dir, &["ls-tree", "main"])
        .lines()
        .filter_map(|l| {
            let (meta, name) = l.split_once('\t')?;
            let id = meta.split_whitespace().nth(2)?;
            (name != "library.xml").then(|| (name.to_string(), id.to_string()))
        })
        .collect()
}

/// Every pack and index in the library is read-only.
pub fn packs_are_read_only(lib: &Library) {
    use std::os::unix::fs::PermissionsExt;
    let dir = lib.git_dir().join("objects").join("pack");
    for entry in std::fs::read_dir(&dir).expect("pack dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "pack" || e == "idx") {
            let mode = std::fs::metadata(&path).expect("stat").permissions().mode();
            assert_eq!(mode & 0o222, 0, "{} is writable ({mode:o})", path.display());
        }
    }
}

// ---------------------------------------------------------------------------
// the reference corpus

/// The seed file of `<region>-<name>.txt`, published as the importer
/// reads it.
pub fn publish_seed(lib: &Library, file: &str) -> WorkId {
    let path = corpus_dir().join("seeds").join(file);
    let name = path
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("utf8 name")
        .to_string();
    let (region, local) = name.split_once('-').expect("<region>-<name>");
    let imported = wenku_import::import_file(&path, &wenku_import::ImportOptions::default())
        .expect("import seed");
    let work = WorkId::new(r(region), local).expect("valid local");
    // Two seeds carry no date; their catalogue date stands in.
    let published = imported.proposed.published.unwrap_or(d("2025-01-01"));
    lib.commit(
        &clerk(),
        Op::Publish {
            record: wenku_service::new_record(work.clone(), &imported),
            version: wenku_service::new_version(&imported, published),
        },
    )
    .expect("publish seed");
    work
}

/// The provincial document the Qingdao and Huaiyin seeds cite
/// (鲁政办发〔2025〕5号), as the province node would publish it. The seeds
/// do not contain it.
pub fn publish_provincial_points(lib: &Library) -> WorkId {
    let work = w("370000/lzbf-2025-5");
    let title = "山东省人民政府办公厅关于印发〈2025年山东省政务公开工作要点〉的通知";
    let mut record = Record::new(work.clone(), DocType::Normative, title);
    record.number = DocNumber::parse("鲁政办发〔2025〕5号");
    assert!(record.number.is_some(), "the number parses");
    record.issuers = vec!["山东省人民政府办公厅".into()];
    let mut text = Document::new(DocType::Normative, title);
    text.body.push(Block::Title(title.into()));
    text.body.push(Block::Para(
        "各市人民政府，各县（市、区）人民政府，省政府各部门、各直属机构：".into(),
    ));
    text.body.push(Block::Para(
        "《2025年山东省政务公开工作要点》已经省政府同意，现印发给你们，请认真贯彻执行。".into(),
    ));
    lib.publish(&clerk(), record, NewVersion::new(text, d("2025-03-20")))
        .expect("publish the provincial points");
    work
}

/// A law of the Zhejiang material (`cn-loc-zj-*`), published under
/// `region` with its first version.
pub fn publish_zhejiang(lib: &Library, region: &str, folder: &str) -> WorkId {
    let dir = corpus_dir().join("laws").join(folder);
    let manifest =
        std::fs::read_to_string(corpus_dir().join("laws/manifest.tsv")).expect("manifest");
    let row: Vec<&str> = manifest
        .lines()
        .find(|l| l.starts_with(&format!("{folder}\t")))
        .expect("a manifest row")
        .split('\t')
        .collect();
    let (title, date) = (row[1], d(row[2]));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("law folder")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    let options = wenku_import::ImportOptions {
        title: Some(title.to_string()),
        doc_type: Some(DocType::LocalRegulation),
        published: Some(date),
        ..wenku_import::ImportOptions::default()
    };
    let imported = wenku_import::import_file(&files[0], &options).expect("import law");
    let work = WorkId::new(r(region), folder).expect("valid local");
    let record = wenku_service::new_record(work.clone(), &imported);
    lib.publish(
        &clerk(),
        record,
        wenku_service::new_version(&imported, date),
    )
    .expect("publish law");
    work
}

// ---------------------------------------------------------------------------
// transports

/// How the nodes reach each other's libraries (all under one root).
#[derive(Debug)]
pub enum Transport {
    /// A plain path.
    Path(PathBuf),
    /// A file:// URL.
    File(PathBuf),
    /// git:// through `git daemon`.
    Git(daemon::GitDaemon),
    /// Smart HTTP through `git http-backend`.
    Http(http::GitHttpServer),
}

impl Transport {
    /// The source of the library of `region`.
    pub fn source(&self, region: &str) -> String {
        let name = format!("{region}.git");
        match self {
            Transport::Path(root) => root.join(name).display().to_string(),
            Transport::File(root) => format!("file://{}", root.join(name).display()),
            Transport::Git(d) => d.url(&name),
            Transport::Http(h) => h.url(&name),
        }
    }
}
