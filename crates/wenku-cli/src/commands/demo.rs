//! `wenku demo`: builds a library from built-in real documents and tours it
//! with the same commands a user would type.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use wenku_import::{ImportOptions, import_bytes};
use wenku_model::{Citation, Date, DocType, Region, Repeal, Target, WorkId};
use wenku_store::{Identity, InitOptions, Library, Op, SystemClock, Transaction};

use crate::cli::{DemoArgs, DiffArgs, DiffFormat, LogArgs, LsArgs};
use crate::error::{CommandError, Result};
use crate::output::{Out, style};

/// A built-in sample: a file of the reference corpus, its title and the
/// date its version was published (from the corpus manifest; the bare
/// statute texts carry neither a title line nor dates).
struct Sample {
    work: &'static str,
    title: &'static str,
    name: &'static str,
    published: &'static str,
    /// The effective date, when the text's own 施行 clause is not this
    /// version's (a consolidated text keeps its original date).
    effective: Option<&'static str>,
    bytes: &'static [u8],
}

macro_rules! sample {
    ($work:literal, $title:literal, $path:literal, $date:literal) => {
        sample!($work, $title, $path, $date, None)
    };
    ($work:literal, $title:literal, $path:literal, $date:literal, $effective:expr) => {
        Sample {
            work: $work,
            title: $title,
            name: $path,
            published: $date,
            effective: $effective,
            bytes: include_bytes!(concat!("../../../../testdata/corpus/", $path)),
        }
    };
}

/// Versions arrive out of order on purpose: the library keeps legal order.
const SAMPLES: &[Sample] = &[
    sample!(
        "100000/dongwu-fangyi",
        "中华人民共和国动物防疫法",
        "laws/cn-law-dongwufangyifa/2021-01-22.txt",
        "2021-01-22"
    ),
    sample!(
        "100000/dongwu-fangyi",
        "中华人民共和国动物防疫法",
        "laws/cn-law-dongwufangyifa/1997-07-03.txt",
        "1997-07-03"
    ),
    sample!(
        "100000/dongwu-fangyi",
        "中华人民共和国动物防疫法",
        "laws/cn-law-dongwufangyifa/2015-04-24.txt",
        "2015-04-24"
    ),
    sample!(
        "100000/dongwu-fangyi",
        "中华人民共和国动物防疫法",
        "laws/cn-law-dongwufangyifa/2007-08-30.txt",
        "2007-08-30"
    ),
    sample!(
        "100000/dongwu-fangyi",
        "中华人民共和国动物防疫法",
        "laws/cn-law-dongwufangyifa/2013-06-29.txt",
        "2013-06-29"
    ),
    sample!(
        "100000/lifa",
        "中华人民共和国立法法",
        "laws/cn-law-lifafa/2023-03-13.md",
        "2023-03-13"
    ),
    sample!(
        "100000/lifa",
        "中华人民共和国立法法",
        "laws/cn-law-lifafa/2015-03-15.md",
        "2015-03-15"
    ),
    sample!(
        "100000/huazhuangpin-weisheng",
        "化妆品卫生监督条例",
        "laws/cn-reg-huazhuangpinweishengjiandutiaoli/2019-03-02.md",
        "2019-03-02",
        // The text still ends 本条例自1990年1月1日起施行 (the original
        // regulation's date); the 2019 amending decision took effect on
        // publication.
        Some("2019-03-02")
    ),
    sample!(
        "100000/huazhuangpin-jiandu",
        "化妆品监督管理条例",
        "laws/cn-reg-huazhuangpinjianduguanlitiaoli/2020-06-16.md",
        "2020-06-16"
    ),
    sample!(
        "370200/qzbf-2025-points",
        "2025年青岛市政务公开工作要点",
        "seeds/370200-qingdao-2025-05-16-points.txt",
        "2025-05-16"
    ),
];

/// The sample disclosure catalogue's work.
const CATALOGUE: &str = "370200/gongkai-mulu-2020";

/// Published by a county node of its own and pulled up into the demo
/// library.
const COUNTY: Sample = sample!(
    "370283/pzbf-2024-points",
    "2024年平度市政务公开工作要点",
    "seeds/370283-pingdu-2024-07-16-points.txt",
    "2024-07-16"
);

fn parse<T, E: std::fmt::Display>(r: std::result::Result<T, E>) -> Result<T> {
    r.map_err(|e| CommandError::internal(format!("built-in sample: {e}")))
}

fn demo_dir(args: &DemoArgs) -> Result<PathBuf> {
    match &args.dir {
        Some(d) => {
            let empty = match std::fs::read_dir(d) {
                Ok(mut entries) => entries.next().is_none(),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
                Err(e) => {
                    return Err(CommandError::internal(format!(
                        "cannot read {}: {e}",
                        d.display()
                    )));
                }
            };
            if !empty {
                return Err(
                    CommandError::refused(format!("{} is not empty", d.display()))
                        .with_hint("give a new or empty directory, or none for a temporary one"),
                );
            }
            Ok(d.clone())
        }
        None => tempfile::Builder::new()
            .prefix("wenku-demo-")
            .tempdir()
            .map(|t| t.keep())
            .map_err(|e| {
                CommandError::internal(format!("cannot create a temporary directory: {e}"))
            }),
    }
}

fn identity() -> Result<Identity> {
    parse(Identity::new("wenku demo", "demo@wenku.invalid"))
}

/// Imports a sample as a new work or a new version of its work.
fn add(library: &Library, identity: &Identity, s: &Sample) -> Result<()> {
    let published = parse(Date::parse_iso(s.published))?;
    let imported = parse(import_bytes(
        s.name,
        s.bytes,
        &ImportOptions {
            published: Some(published),
            effective: s.effective.map(|d| parse(Date::parse_iso(d))).transpose()?,
            title: Some(s.title.into()),
            ..ImportOptions::default()
        },
    ))?;
    let work = parse(WorkId::parse(s.work))?;
    let version = wenku_service::new_version(&imported, published);
    let op = if library.snapshot()?.contains(&work)? {
        Op::AddVersion { work, version }
    } else {
        let record = wenku_service::new_record(work, &imported);
        Op::Publish { record, version }
    };
    library.commit(identity, op)?;
    Ok(())
}

fn init(dir: &Path, region: &str, hosted: &[&str]) -> Result<Library> {
    let r = |s: &str| parse(Region::parse(s));
    let mut options = InitOptions::new(identity()?).clock(Arc::new(SystemClock::china()));
    for h in hosted {
        options = options.hosting(r(h)?);
    }
    Library::init(dir, r(region)?, options).map_err(|e| CommandError::internal(e.to_string()))
}

/// The Pingdu county node (370283), with its one document.
fn county(dir: &Path) -> Result<Library> {
    let library = init(dir, "370283", &[])?;
    add(&library, &identity()?, &COUNTY)?;
    Ok(library)
}

/// Builds the demo library: a national node that also hosts the Shandong
/// province and Qingdao, so one library can hold the samples; Pingdu's
/// document comes from a county node by a pull.
fn build(dir: &Path) -> Result<(Library, usize)> {
    let identity = identity()?;
    let library = init(dir, "100000", &["370000", "370200"])?;
    let mut versions = 0;
    for s in SAMPLES {
        add(&library, &identity, s)?;
        versions += 1;
    }
    // The successor regulation's last article repeals the old one from the
    // day it takes effect.
    let repeal = Op::Repeal {
        work: parse(WorkId::parse("100000/huazhuangpin-weisheng"))?,
        repeal: Repeal {
            date: parse(Date::parse_iso("2021-01-01"))?,
            by: Some(Target::Citation(Citation::title("化妆品监督管理条例"))),
        },
    };
    library.commit(&identity, Transaction::from(repeal))?;
    // A sample disclosure catalogue of Qingdao (not a real document: the
    // shape of one), whose items cite the laws above — one amended and
    // one repealed since — and one law the library does not hold.
    let imported = parse(import_bytes(
        "370200-2020-disclosure-catalogue.md",
        include_bytes!("../../../../testdata/catalogue/370200-2020-disclosure-catalogue.md"),
        &ImportOptions::default(),
    ))?;
    let published = parse(Date::parse_iso("2020-01-10"))?;
    let mut record = wenku_service::new_record(parse(WorkId::parse(CATALOGUE))?, &imported);
    record.doc_type = DocType::Catalogue;
    let version = wenku_service::new_version(&imported, published);
    library.commit(&identity, Op::Publish { record, version })?;
    Ok((library, versions))
}

fn step(out: &mut Out, title: &str, command: &str) -> Result<()> {
    out.line("")?;
    out.styled(style::HEAD, format!("── {title}"))?;
    out.line("")?;
    out.styled(style::DIM, format!("$ wenku {command}"))?;
    out.line("")?;
    out.flush()
}

/// Builds and tours the demo library.
pub fn run(args: DemoArgs) -> Result<()> {
    let dir = demo_dir(&args)?;
    let (library, versions) = build(&dir)?;
    let county_dir = tempfile::Builder::new()
        .prefix("wenku-demo-county-")
        .tempdir()
        .map_err(|e| CommandError::internal(format!("cannot create a temporary directory: {e}")))?;
    let county = county(county_dir.path())?;
    let lib = Some(library.path().to_path_buf());
    let mut out = Out::stdout();
    out.styled(style::HEAD, "wenku demo")?;
    out.line(format!(
        ": {versions} versions of real documents imported into a new national library at {}, and one into a county node (平度市, 370283) in a temporary directory",
        library.path().display()
    ))?;

    let source = county.path().display().to_string();
    step(
        &mut out,
        "Federation: the national library pulls the county's documents up, checking history, authority and every file",
        &format!("pull {source} --child 370283"),
    )?;
    let report = library
        .pull(
            &source,
            wenku_store::federation::Peer::Child(parse(Region::parse("370283"))?),
            &identity()?,
            &wenku_store::federation::PullOptions::new()
                .timeout(std::time::Duration::from_secs(60)),
        )
        .map_err(|e| CommandError::internal(format!("the demo pull failed: {e}")))?;
    super::pull::human(&mut out, &report)?;
    let works = library
        .snapshot()?
        .works(&wenku_model::query::Filter::all())?
        .len();
    out.styled(
        style::DIM,
        format!(
            "{works} works and {} versions in the library now",
            // The samples, the sample catalogue, the county's document.
            versions + 2
        ),
    )?;
    out.line("")?;

    step(&mut out, "The works, with their status today", "ls")?;
    super::ls::run(&lib, ls_args(None))?;

    step(
        &mut out,
        "One law's timeline: five versions, imported out of order, kept in legal order",
        "log 100000/dongwu-fangyi",
    )?;
    super::log::run(
        &lib,
        LogArgs {
            work: "100000/dongwu-fangyi".into(),
            json: false,
        },
    )?;

    step(
        &mut out,
        "The text in force on a past date (first lines)",
        "show 100000/dongwu-fangyi --at 2010-01-01",
    )?;
    let text = capture_show(&library, "100000/dongwu-fangyi", "2010-01-01")?;
    for line in text.lines().take(8) {
        out.line(line)?;
    }
    out.styled(style::DIM, format!("… ({} lines)", text.lines().count()))?;
    out.line("")?;

    step(&mut out, "A repealed regulation", "ls --status repealed")?;
    super::ls::run(&lib, ls_args(Some("repealed")))?;

    step(
        &mut out,
        "What the 2015 amendment changed, article by article (修订前后对照表; the 2013 text in the corpus is truncated after article 84)",
        "diff 100000/dongwu-fangyi 2013-06-29 2015-04-24 --format table-md",
    )?;
    super::diff::run(
        &lib,
        DiffArgs {
            work: "100000/dongwu-fangyi".into(),
            from: Some("2013-06-29".into()),
            to: Some("2015-04-24".into()),
            format: DiffFormat::TableMd,
            json: false,
        },
    )?;

    out.line("")?;
    out.styled(style::HEAD, "── Next")?;
    out.line("")?;
    let p = library.path().display();
    out.line(format!(
        "The library is an ordinary git repository at {p}. Try:"
    ))?;
    for cmd in [
        format!(
            "wenku -C {p} diff 100000/lifa --format html > lifa.html   # side by side, in a browser"
        ),
        format!("wenku -C {p} show 370200/qzbf-2025-points --format json"),
        format!("wenku -C {p} links 370283/pzbf-2024-points"),
        format!("wenku -C {p} verify"),
        format!("git -C {p} log --format='%h %s' --stat -- 100000"),
    ] {
        out.styled(style::DIM, "  $ ")?;
        out.line(cmd)?;
    }
    Ok(())
}

/// `wenku ls`, optionally `--status STATUS`.
fn ls_args(status: Option<&str>) -> LsArgs {
    LsArgs {
        region: None,
        doc_type: None,
        status: status.map(str::to_string),
        subject: None,
        at: None,
        json: false,
    }
}

/// The plain text in force on a date, as `wenku show` prints it.
fn capture_show(library: &Library, work: &str, at: &str) -> Result<String> {
    let work = parse(WorkId::parse(work))?;
    let snapshot = library.snapshot()?;
    let record = snapshot.require_record(&work)?;
    let date = parse(Date::parse_iso(at))?;
    let version = record
        .as_of(date)
        .version
        .ok_or_else(|| CommandError::internal("the sample law has a version in 2010"))?
        .clone();
    Ok(wenku_model::render::to_plain_text(
        &snapshot.document(&work, &version.revision)?,
    ))
}
