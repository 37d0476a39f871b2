//! A generated corpus as the files a hand-made law repository holds.
//!
//! The whole-process benchmarks start where a user starts: from text files.
//! [`write_corpus`] renders every version of a generated corpus
//! ([`crate::corpus`]) as one file — statutes as Markdown in the style of the
//! legal compilations (`# title`, dated history lines, `<!-- INFO END -->`,
//! `## 第一章　总则`), everything else as plain text the way government sites
//! publish it — and lists them in a [`Manifest`] with the metadata a user
//! would pass on the command line (type, publication and effective dates).
//!
//! ```text
//! <dir>/manifest.tsv                               one line per version, in generation order
//! <dir>/texts/<region>/<local>/<seq>-<date>.md     a statute's version
//! <dir>/texts/<region>/<local>/<seq>-<date>.txt    any other version
//! ```
//!
//! The same files are what the git peer commits (one file per work at
//! [`Entry::repo_path`], one commit per version).

use std::fmt::Write as _;
use std::fs;
use std::io::{self, BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};

use wenku_model::{Block, Date, DocType, Document, UnitKind, WorkId, render};

use crate::corpus::{GenVersion, GenWork, Spec, generate};

/// One version in the manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The work.
    pub work: WorkId,
    /// The version's position in its work, 0 for the first.
    pub seq: u32,
    /// The document type (what `wenku import --type` would say).
    pub doc_type: DocType,
    /// Publication date (`--published`); the git peer's commit date.
    pub published: Date,
    /// Effective date (`--effective`), when later than published.
    pub effective: Option<Date>,
    /// The file, relative to the `texts` directory.
    pub file: String,
    /// The work's title (the git peer's commit message).
    pub title: String,
}

impl Entry {
    /// The file's extension: `md` for statutes, `txt` otherwise.
    pub fn extension(&self) -> &str {
        Path::new(&self.file)
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("txt")
    }

    /// Where a hand-made law repository keeps this work: one file per work,
    /// `<region>/<local>.<ext>`, that each version overwrites.
    pub fn repo_path(&self) -> String {
        format!(
            "{}/{}.{}",
            self.work.region(),
            self.work.local(),
            self.extension()
        )
    }
}

/// Every version of a generated corpus, in generation order (works one
/// after another, each work's versions oldest first).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Manifest {
    /// The versions.
    pub entries: Vec<Entry>,
}

/// A manifest line that does not parse.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// Reading or writing failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A line is malformed.
    #[error("{path}:{line}: {reason}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What was expected.
        reason: String,
    },
    /// A generated document does not encode.
    #[error("encoding a generated document: {0}")]
    Encode(#[from] wenku_model::canonical::EncodeError),
}

const HEADER: &str = "work\tseq\ttype\tpublished\teffective\tfile\ttitle";

impl Manifest {
    /// The manifest's file in a corpus directory.
    pub fn path(dir: &Path) -> PathBuf {
        dir.join("manifest.tsv")
    }

    /// Reads `<dir>/manifest.tsv`.
    pub fn read(dir: &Path) -> Result<Manifest, ManifestError> {
        let path = Manifest::path(dir);
        let io_err = |source| ManifestError::Io {
            path: path.clone(),
            source,
        };
        let file = fs::File::open(&path).map_err(io_err)?;
        let mut entries = Vec::new();
        for (i, line) in io::BufReader::new(file).lines().enumerate() {
            let line = line.map_err(io_err)?;
            if i == 0 {
                if line != HEADER {
                    return Err(ManifestError::Malformed {
                        path,
                        line: 1,
                        reason: format!("expected the header {HEADER:?}"),
                    });
                }
                continue;
            }
            let bad = |reason: String| ManifestError::Malformed {
                path: path.clone(),
                line: i + 1,
                reason,
            };
            let f: Vec<&str> = line.split('\t').collect();
            let [work, seq, doc_type, published, effective, file, title] = f[..] else {
                return Err(bad(format!(
                    "expected 7 tab-separated fields, found {}",
                    f.len()
                )));
            };
            let date = |s: &str| Date::parse_iso(s).map_err(|e| bad(format!("date {s:?}: {e}")));
            entries.push(Entry {
                work: WorkId::parse(work).map_err(|e| bad(format!("work {work:?}: {e}")))?,
                seq: seq.parse().map_err(|e| bad(format!("seq {seq:?}: {e}")))?,
                doc_type: doc_type.parse().map_err(|e| bad(format!("{e}")))?,
                published: date(published)?,
                effective: match effective {
                    "" => None,
                    s => Some(date(s)?),
                },
                file: file.to_string(),
                title: title.to_string(),
            });
        }
        Ok(Manifest { entries })
    }

    /// The versions grouped by work, in manifest order.
    pub fn works(&self) -> Vec<&[Entry]> {
        self.entries
            .chunk_by(|a, b| a.work == b.work)
            .collect::<Vec<_>>()
    }

    /// Every region a work lives in, sorted.
    pub fn regions(&self) -> Vec<wenku_model::Region> {
        let mut r: Vec<_> = self.entries.iter().map(|e| e.work.region()).collect();
        r.sort();
        r.dedup();
        r
    }

    /// The versions in the order a law repository commits them: by
    /// publication date, then manifest order.
    pub fn by_date(&self) -> Vec<&Entry> {
        let mut v: Vec<&Entry> = self.entries.iter().collect();
        v.sort_by_key(|e| e.published);
        v
    }
}

/// What [`write_corpus`] wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Written {
    /// Works.
    pub works: usize,
    /// Versions (files).
    pub versions: usize,
    /// Bytes of text.
    pub bytes: u64,
}

/// Generates the corpus `spec` and writes it under `dir` (which should be
/// empty): the texts and `manifest.tsv`. The manifest is written last, so
/// its presence means the texts are complete.
pub fn write_corpus(spec: Spec, dir: &Path) -> Result<Written, ManifestError> {
    let texts = dir.join("texts");
    let io_at = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ManifestError::Io { path, source }
    };
    fs::create_dir_all(&texts).map_err(io_at(&texts))?;
    let partial = dir.join("manifest.tsv.partial");
    let mut manifest = BufWriter::new(fs::File::create(&partial).map_err(io_at(&partial))?);
    writeln!(manifest, "{HEADER}").map_err(io_at(&partial))?;
    let mut written = Written::default();
    for work in generate(spec) {
        written.works += 1;
        let work_dir = texts
            .join(work.work.region().to_string())
            .join(work.work.local());
        fs::create_dir_all(&work_dir).map_err(io_at(&work_dir))?;
        for (seq, version) in work.versions.iter().enumerate() {
            let (ext, text) = render_version(&work, version);
            let file = format!(
                "{}/{}/{seq:02}-{}.{ext}",
                work.work.region(),
                work.work.local(),
                version.published
            );
            let path = texts.join(&file);
            fs::write(&path, &text).map_err(io_at(&path))?;
            written.versions += 1;
            written.bytes += text.len() as u64;
            writeln!(
                manifest,
                "{}\t{seq}\t{}\t{}\t{}\t{file}\t{}",
                work.work,
                work.doc_type,
                version.published,
                version.effective.map(|d| d.to_string()).unwrap_or_default(),
                work.title
            )
            .map_err(io_at(&partial))?;
        }
    }
    manifest
        .into_inner()
        .map_err(|e| e.into_error())
        .and_then(|f| f.sync_all())
        .map_err(io_at(&partial))?;
    let path = Manifest::path(dir);
    fs::rename(&partial, &path).map_err(io_at(&path))?;
    Ok(written)
}

/// Whether a work is a statute (rendered as a compilation's Markdown).
pub fn is_statute(doc_type: DocType) -> bool {
    matches!(
        doc_type,
        DocType::Law
            | DocType::AdministrativeRegulation
            | DocType::LocalRegulation
            | DocType::Regulation
    )
}

/// One version as a file: its extension and text.
pub fn render_version(work: &GenWork, version: &GenVersion) -> (&'static str, String) {
    if is_statute(work.doc_type) {
        ("md", to_markdown(&version.document))
    } else {
        ("txt", render::to_plain_text(&version.document))
    }
}

/// A statute as legal compilations publish it in Markdown: `# title`, the
/// history notes, `<!-- INFO END -->`, chapters as `##` headings, one
/// paragraph per line with blank lines between.
pub fn to_markdown(doc: &Document) -> String {
    let mut out = String::new();
    let mut in_header = false;
    let mut header_closed = false;
    for block in &doc.body {
        match block {
            Block::Title(t) if !header_closed => {
                let _ = write!(out, "# {t}\n\n");
                in_header = true;
            }
            Block::Note(n) if in_header => {
                let _ = write!(out, "{n}\n\n");
            }
            _ => {
                if in_header {
                    out.push_str("<!-- INFO END -->\n\n");
                    in_header = false;
                }
                header_closed = true;
                markdown_block(&mut out, block);
            }
        }
    }
    if in_header {
        out.push_str("<!-- INFO END -->\n\n");
    }
    out
}

fn markdown_block(out: &mut String, block: &Block) {
    match block {
        Block::Unit(u) if u.kind.is_division() => {
            let marks = match u.kind {
                UnitKind::Part | UnitKind::Subpart | UnitKind::Chapter => "##",
                _ => "###",
            };
            let mut head = format!("{marks} {}", u.label.as_deref().unwrap_or(""));
            if let Some(h) = &u.heading {
                head.push('　');
                head.push_str(h);
            }
            let _ = write!(out, "{head}\n\n");
            for child in &u.children {
                markdown_block(out, child);
            }
        }
        other => {
            let mut one = Document::new(DocType::Other, "");
            one.body.push(other.clone());
            for line in render::to_plain_text(&one).lines() {
                let _ = write!(out, "{line}\n\n");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wenku_import::{ImportOptions, import_bytes};

    #[test]
    fn manifest_round_trips_and_lists_every_file() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let spec = Spec {
            seed: 5,
            versions: 120,
        };
        let written = write_corpus(spec, dir.path()).expect("write");
        assert_eq!(written.versions, 120);
        let manifest = Manifest::read(dir.path()).expect("read");
        assert_eq!(manifest.entries.len(), 120);
        assert_eq!(manifest.works().len(), written.works);
        for e in &manifest.entries {
            assert!(
                dir.path().join("texts").join(&e.file).is_file(),
                "{}",
                e.file
            );
        }
        let dated = manifest.by_date();
        assert!(dated.windows(2).all(|w| w[0].published <= w[1].published));
        // The same spec writes the same bytes.
        let again = tempfile::tempdir().expect("temporary directory");
        write_corpus(spec, again.path()).expect("write");
        for e in manifest.entries.iter().take(20) {
            let a = fs::read(dir.path().join("texts").join(&e.file)).expect("read");
            let b = fs::read(again.path().join("texts").join(&e.file)).expect("read");
            assert_eq!(a, b, "{}", e.file);
        }
    }

    /// The importer recovers the generated structure from the files: the
    /// same articles in statutes, the same outline entries elsewhere.
    #[test]
    fn files_import_back_to_the_generated_structure() {
        let mut checked = 0;
        for work in generate(Spec {
            seed: 11,
            versions: 400,
        }) {
            for v in &work.versions {
                let (ext, text) = render_version(&work, v);
                let options = ImportOptions {
                    doc_type: Some(work.doc_type),
                    published: Some(v.published),
                    ..ImportOptions::default()
                };
                let imported =
                    import_bytes(&format!("v.{ext}"), text.as_bytes(), &options).expect("imports");
                let count = |d: &Document, k: UnitKind| d.units_of(k).len();
                for kind in [UnitKind::Article, UnitKind::Chapter, UnitKind::Entry(1)] {
                    assert_eq!(
                        count(&imported.document, kind),
                        count(&v.document, kind),
                        "{} {}: {kind:?} count\n{text}",
                        work.work,
                        v.published
                    );
                }
                checked += 1;
            }
        }
        assert_eq!(checked, 400);
    }
}
