//! The command-line interface: names and flags are a contract with scripts;
//! keep them.
// The doc comments below are clap's help text, printed verbatim: escaping
// the brackets of a document number or linking a URL for rustdoc would
// change what `wenku --help` prints.
#![allow(rustdoc::broken_intra_doc_links, rustdoc::bare_urls)]

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
Exit status:
  0  success
  1  refused: invalid input, unknown work, authority, integrity problems found
  2  usage error
  3  conflict: another writer changed the library; run the command again
  4  internal or environment error (I/O, corrupt repository)

Environment:
  WENKU_LOG              log filter, e.g. WENKU_LOG=debug or WENKU_LOG=wenku_store=trace
  NO_COLOR               disable colour
  WENKU_AUTHOR_NAME      commit author for changes (else GIT_AUTHOR_NAME, else git config user.name)
  WENKU_AUTHOR_EMAIL     commit e-mail for changes (else GIT_AUTHOR_EMAIL, else git config user.email)
  WENKU_TODAY            the date taken as today (YYYY-MM-DD; default: today in China Standard Time)
  WENKU_KEY              the node's signing key (default: ~/.config/wenku/keys/<region>)
  WENKU_PAGER, PAGER     pager for show, log and diff on a terminal (default: less; empty or cat: none)";

/// wenku (文库): a versioned policy-document library in git.
#[derive(Debug, Parser)]
#[command(name = "wenku", version, about, long_about = None, after_help = AFTER_HELP)]
pub struct Cli {
    /// Run as if started in PATH (the library).
    #[arg(short = 'C', value_name = "PATH", global = true)]
    pub dir: Option<PathBuf>,

    /// Print no notes or progress (results, warnings and errors still).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Log what wenku does on stderr: -v for steps, -vv for details
    /// (WENKU_LOG, when set, decides instead).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Every command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new library.
    ///
    /// Example: wenku init --region 370200 --host 370203001 qingdao-library
    Init(InitArgs),
    /// Import documents: each file becomes a new work, or with --work a
    /// version of an existing work inserted by its published date.
    ///
    /// A file whose title or document number is an existing work's is
    /// refused unless --work or --new-work says which it is.
    ///
    /// Example: wenku import --region 370200 --type policy notice.txt
    Import(ImportArgs),
    /// List works, filtered.
    ///
    /// Example: wenku ls --region 370283 --status in-force --at 2024-08-01
    Ls(LsArgs),
    /// Show a work's text: in force today, at a date, or one version.
    ///
    /// Example: wenku show 100000/lifa --at 2016-01-01
    Show(ShowArgs),
    /// A work's versions in legal order and its lifecycle events.
    ///
    /// Example: wenku log 100000/dongwu-fangyi
    Log(LogArgs),
    /// Compare two versions article by article.
    ///
    /// FROM and TO are a handle from `wenku log` (v1 is the first version
    /// in legal order, v2 the next …), a revision prefix (8+ hex digits),
    /// `current`, `previous`, or a date: the version published that day,
    /// else the version in effect that day (said on stderr, and in the
    /// JSON's `selected`). Default: the previous version against the
    /// current one.
    ///
    /// Example: wenku diff 100000/lifa v1 v2 --format table-md
    Diff(DiffArgs),
    /// Relations of a work, both directions.
    ///
    /// Example: wenku links 370200/qzbf-2025-points
    Links(LinksArgs),
    /// Find works by document number (any bracket variant) or title.
    ///
    /// Example: wenku find 卫生部令第3号
    Find(FindArgs),
    /// Search the texts: Chinese words and "phrases", document numbers in any
    /// brackets, pinyin (dongwufangyi, dwfy); typos are corrected.
    ///
    /// Example: wenku search 动物防疫 --at 2010-01-01
    Search(SearchArgs),
    /// Record a repeal.
    ///
    /// Example: wenku repeal 100000/huazhuangpin-weisheng --date 2021-01-01 --by 化妆品监督管理条例
    Repeal(RepealArgs),
    /// Record a withdrawal: of the work, or with --version of one version
    /// from public view (its text stays in the history for the archive).
    ///
    /// Example: wenku withdraw 370200/qzbf-2025-points --date 2025-06-01 --reason 发布有误
    Withdraw(WithdrawArgs),
    /// Safety sweep (安全巡查): scan every published version for personal
    /// information (resident ID and bank card numbers with their check
    /// digits, mobile numbers, addresses down to the room, a word list)
    /// and write the quarter's report; then withdraw each finding's
    /// version from public view or mark it a false positive.
    ///
    /// Example: wenku sweep
    Sweep(SweepArgs),
    /// The province's tag vocabulary (标签体系) with the works carrying each
    /// tag, or with `check` the works whose tags it does not have. The
    /// vocabulary is the province's document PROVINCE/tags (370000/tags), one tag per
    /// line; imports and corrections refuse tags outside it.
    ///
    /// Example: wenku tags check
    Tags(TagsArgs),
    /// A disclosure catalogue (主动公开事项目录): its items with their six
    /// elements, with `check` the items whose legal basis has been
    /// repealed or amended since the catalogue's version (exit 1 if any),
    /// with `diff` two versions compared item by item.
    ///
    /// Example: wenku catalogue items 370200/gongkai-mulu-2020
    Catalogue(CatalogueArgs),
    /// Drafts awaiting review (先审查、后公开): list them, read what one
    /// would publish (with what the safety sweep finds in its texts), and
    /// approve (publish) or return one. `wenku import --draft` submits;
    /// the reviewer is WENKU_AUTHOR_NAME/EMAIL (else git's user), never the
    /// submitter.
    ///
    /// Example: wenku draft list
    Draft(DraftArgs),
    /// Pull another node's library: a child's regions up, or everything
    /// outside this node's region down from the parent.
    ///
    /// SOURCE is a path, file://, git:// or http(s):// URL of the peer's
    /// library. Its history, authority and every document it brings are
    /// checked before anything changes; a refused head changes nothing: it
    /// is kept apart in the repository wenku/quarantine/REGION of the
    /// library's git directory.
    ///
    /// Example: wenku pull ../pingdu.git --child 370283
    Pull(PullArgs),
    /// Correct a work's metadata or the dates of one of its versions, as a
    /// recorded change (the old values stay in the history).
    ///
    /// Example: wenku correct 100000/dongwu-fangyi --rev v3 --effective 2013-06-29 --dry-run
    Correct(CorrectArgs),
    /// Add (or with --remove, remove) a relation to another work.
    ///
    /// Example: wenku relate 370200/qzbf-2025-points implements 鲁政办发〔2025〕5号
    Relate(RelateArgs),
    /// Set or clear the last day of validity (有效期至).
    ///
    /// Example: wenku expire 370200/qzbf-2025-points --date 2029-12-31
    Expire(ExpireArgs),
    /// Merge a work imported twice into the right one: its versions move to
    /// that work (in legal order) and the duplicate is retired (withdrawn,
    /// naming the work it duplicates); its history stays.
    ///
    /// Example: wenku merge 370200/qzbf-2025-points-2 --into 370200/qzbf-2025-points --dry-run
    Merge(MergeArgs),
    /// Undo a repeal or withdrawal recorded by mistake (a new recorded
    /// change; the mistaken one stays in the history).
    ///
    /// Example: wenku reinstate 100000/huazhuangpin-weisheng --reason 废止对象错误 --dry-run
    Reinstate(ReinstateArgs),
    /// The sub-regions this node hosts (townships without a node of their
    /// own): list, add, remove — a recorded change of library.xml.
    ///
    /// Example: wenku host add 370203001 --dry-run
    Host(HostArgs),
    /// Refused pull heads kept apart: list, show, discard, or accept after
    /// inspection (checked again; only what is named is overruled).
    ///
    /// Example: wenku quarantine list
    Quarantine(QuarantineArgs),
    /// The node's signing key and the trust file: show, generate, rotate,
    /// grant, revoke, pin.
    ///
    /// Example: wenku key generate --region 370283
    Key(KeyArgs),
    /// Check the whole library: records, version hashes, relations.
    ///
    /// Example: wenku verify --json
    Verify(VerifyArgs),
    /// Build a library from the built-in sample documents and tour it.
    ///
    /// Example: wenku demo wenku-demo
    Demo(DemoArgs),
    /// Print a shell completion script.
    ///
    /// Example: wenku completions bash
    Completions(CompletionsArgs),
}

/// `wenku init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The region this library is authoritative for (GB/T 2260 code).
    #[arg(long, value_name = "CODE")]
    pub region: Option<String>,
    /// A sub-region this node hosts (a township without a node of its own).
    #[arg(long = "host", value_name = "CODE")]
    pub hosts: Vec<String>,
    /// The trust root's (the province's) public key file: pinned, so the
    /// first trust file a pull brings must be signed by it. A province or
    /// national node is its own root and pins its own key.
    #[arg(long, value_name = "FILE")]
    pub trust_root: Option<PathBuf>,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
    /// Where to create the library (default: the current directory).
    pub path: Option<PathBuf>,
}

/// A document type as typed on the command line.
pub type TypeName = String;

/// `wenku import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Add the file as a version of this existing work.
    #[arg(long, value_name = "ID")]
    pub work: Option<String>,
    /// Publish each file as a new work even when its title or document
    /// number is an existing work's (without it such a file is refused as
    /// most likely a version of that work: use --work).
    #[arg(long, conflicts_with = "work")]
    pub new_work: bool,
    /// Region of new works (default: the library's region).
    #[arg(long, value_name = "CODE")]
    pub region: Option<String>,
    /// Document type: law, administrative-regulation, local-regulation,
    /// judicial-interpretation, regulation, normative, policy,
    /// interpretation, gazette, catalogue, notice, other (or the Chinese
    /// name).
    #[arg(long = "type", value_name = "TYPE")]
    pub doc_type: Option<TypeName>,
    /// The title, overriding what the text says (bare law texts have none).
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
    /// The document number (发文字号), overriding what the text says.
    #[arg(long, value_name = "NUMBER")]
    pub number: Option<String>,
    /// The local part of the new work's id (default: from the number or
    /// title), e.g. qzbf-2025-3.
    #[arg(long, value_name = "NAME", conflicts_with = "work")]
    pub local: Option<String>,
    /// Publication date (YYYY-MM-DD), overriding what the text says.
    #[arg(long, value_name = "DATE")]
    pub published: Option<String>,
    /// Effective date (YYYY-MM-DD), overriding what the text says.
    #[arg(long, value_name = "DATE")]
    pub effective: Option<String>,
    /// Show what was recognised and what the import would do, with every
    /// check the import runs (a refusal exits as the import would),
    /// without writing anything. Outside a library: only what was
    /// recognised.
    #[arg(long)]
    pub dry_run: bool,
    /// Submit the files as one draft for review instead of publishing
    /// them (a document and its interpretation together are one item);
    /// `wenku draft` lists, shows and decides drafts.
    #[arg(long, conflicts_with = "dry_run")]
    pub draft: bool,
    /// Add the files to the draft of this item instead (an interpretation
    /// to its document): the item becomes one unit that is reviewed and
    /// published together, and needs a new review.
    #[arg(long, value_name = "ITEM", conflicts_with_all = ["dry_run", "draft"])]
    pub add_to_draft: Option<String>,
    /// One JSON object per file (with --draft: the draft).
    #[arg(long)]
    pub json: bool,
    /// Files: plain text, Markdown or wenku XML, UTF-8 or GB18030.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// `wenku ls`.
#[derive(Debug, Args)]
pub struct LsArgs {
    /// Only works of this region and the regions it contains.
    #[arg(long, value_name = "CODE")]
    pub region: Option<String>,
    /// Only works of this type.
    #[arg(long = "type", value_name = "TYPE")]
    pub doc_type: Option<TypeName>,
    /// Only works with this status at --at: not-yet-effective, in-force,
    /// repealed, expired, withdrawn.
    #[arg(long, value_name = "STATUS")]
    pub status: Option<String>,
    /// Only works with this subject.
    #[arg(long, value_name = "S")]
    pub subject: Option<String>,
    /// The date statuses are computed for (default: today).
    #[arg(long, value_name = "DATE")]
    pub at: Option<String>,
    /// JSON lines, one work per line.
    #[arg(long)]
    pub json: bool,
}

/// Output formats of `show`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    /// Plain text as on paper.
    Text,
    /// Canonical XML, exactly as stored.
    Xml,
    /// The document tree with metadata.
    Json,
}

/// `wenku show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The work: its id, or its document number or exact title when
    /// exactly one work carries it.
    pub work: String,
    /// The text in force on this date.
    #[arg(long, value_name = "DATE", conflicts_with = "version")]
    pub at: Option<String>,
    /// One version: its handle from `wenku log` (v1, v2 …), a revision
    /// id or unique prefix of 8+ hex digits, `current`, `previous`, or its
    /// publication date (another date names the version in effect then).
    /// (`--version` is accepted too, for scripts written before.)
    #[arg(long = "rev", alias = "version", value_name = "REV")]
    pub version: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
    pub format: ShowFormat,
    /// JSON output: the same as --format json.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
}

/// `wenku log`.
#[derive(Debug, Args)]
pub struct LogArgs {
    /// The work: its id, or its document number or exact title when
    /// exactly one work carries it.
    pub work: String,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

/// Output formats of `diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Coloured, article by article, unchanged articles folded.
    Term,
    /// The comparison as JSON (schemas/diff-1.schema.json).
    Json,
    /// A self-contained side-by-side HTML page.
    Html,
    /// 修订前后对照表 as HTML.
    TableHtml,
    /// 修订前后对照表 as Markdown.
    TableMd,
    /// 修订前后对照表 as CSV.
    TableCsv,
}

/// `wenku diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The work: its id, or its document number or exact title when
    /// exactly one work carries it.
    pub work: String,
    /// The older side: a handle (v1), a revision prefix, a date,
    /// `current` or `previous` (default: the version before the newer
    /// side).
    pub from: Option<String>,
    /// The newer side: a handle (v2), a revision prefix, a date,
    /// `current` or `previous` (default: `current`, the version in force
    /// today).
    pub to: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Term)]
    pub format: DiffFormat,
    /// JSON output: the same as --format json.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
}

/// `wenku links`.
#[derive(Debug, Args)]
pub struct LinksArgs {
    /// The work: its id, or its document number or exact title when
    /// exactly one work carries it.
    pub work: String,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

/// `wenku find`.
#[derive(Debug, Args)]
pub struct FindArgs {
    /// A document number (鲁政办发〔2025〕5号, any bracket variant) or a title.
    pub citation: String,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

/// `wenku search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// What to look for: words, "quoted phrases", a document number, pinyin.
    #[arg(required_unless_present = "rebuild")]
    pub query: Vec<String>,
    /// Only works of this region and the regions under it.
    #[arg(long, value_name = "CODE")]
    pub region: Option<String>,
    /// Only works of this type (law, regulation, normative, policy …).
    #[arg(long = "type", value_name = "TYPE")]
    pub doc_type: Option<String>,
    /// Only works first published this year.
    #[arg(long)]
    pub year: Option<u32>,
    /// Only works with this subject.
    #[arg(long)]
    pub subject: Option<String>,
    /// Search the texts in force on this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub at: Option<String>,
    /// Works to show.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// Page of results (1 for the first).
    #[arg(long, default_value_t = 1)]
    pub page: usize,
    /// Throw the search index away and build it again first.
    #[arg(long)]
    pub rebuild: bool,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

/// `--dry-run` and `--json` of the commands that record a change.
#[derive(Debug, Args)]
pub struct RecordFlags {
    /// Show what would change, field by field; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// One JSON object: what changed (or would).
    #[arg(long)]
    pub json: bool,
}

/// `wenku repeal`.
#[derive(Debug, Args)]
pub struct RepealArgs {
    /// The work id.
    pub work: String,
    /// From this day the work is no longer in force.
    #[arg(long, value_name = "DATE", required = true)]
    pub date: String,
    /// The repealing document: a work id, document number or title.
    #[arg(long, value_name = "CITATION")]
    pub by: Option<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub flags: RecordFlags,
}

/// `wenku withdraw`.
#[derive(Debug, Args)]
pub struct WithdrawArgs {
    /// The work id.
    pub work: String,
    /// From this day.
    #[arg(long, value_name = "DATE", required = true)]
    pub date: String,
    /// Why.
    #[arg(long, value_name = "TEXT", required = true)]
    pub reason: String,
    /// Withdraw only this version from public view (a handle such as v2, a
    /// revision prefix, `current`): the API and pages stop serving its
    /// text; the history keeps it.
    #[arg(long = "version", value_name = "VERSION")]
    pub version: Option<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub flags: RecordFlags,
}

/// `wenku catalogue`.
#[derive(Debug, Args)]
pub struct CatalogueArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: CatalogueAction,
}

/// The `wenku catalogue` actions.
#[derive(Debug, Subcommand)]
pub enum CatalogueAction {
    /// The catalogue's items, one per line.
    Items(CatalogueWork),
    /// Items whose legal basis is repealed, expired, withdrawn, amended
    /// since the catalogue's version, or not in the library.
    Check(CatalogueWork),
    /// Two versions compared item by item: items added, removed, and each
    /// element (主体, 内容, 时限, 方式, 渠道, 责任, 依据) that changed.
    Diff(CatalogueDiff),
}

/// `wenku catalogue diff`.
#[derive(Debug, Args)]
pub struct CatalogueDiff {
    /// The catalogue (a work id, document number or title).
    pub work: String,
    /// The older version: a handle (v1), revision prefix, date, `current`
    /// or `previous` (default: the one before TO).
    pub from: Option<String>,
    /// The newer version (default: the current one).
    pub to: Option<String>,
    /// One JSON object.
    #[arg(long)]
    pub json: bool,
}

/// The catalogue named.
#[derive(Debug, Args)]
pub struct CatalogueWork {
    /// The catalogue (a work id, document number or title).
    pub work: String,
    /// On this day (default today).
    #[arg(long, value_name = "DATE")]
    pub at: Option<String>,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

/// `wenku tags`.
#[derive(Debug, Args)]
pub struct TagsArgs {
    /// Without one, list the vocabulary.
    #[command(subcommand)]
    pub action: Option<TagsAction>,
    /// One JSON object.
    #[arg(long, global = true)]
    pub json: bool,
}

/// The `wenku tags` actions.
#[derive(Debug, Subcommand)]
pub enum TagsAction {
    /// Works whose tags the vocabulary does not have (exit 1 if any).
    Check,
}

/// `wenku sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// What to do; without one, sweep the library now.
    #[command(subcommand)]
    pub action: Option<SweepAction>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub run: SweepRun,
}

/// How a sweep runs.
#[derive(Debug, Args)]
pub struct SweepRun {
    /// A file of words that must not be published, one per line (# starts
    /// a comment).
    #[arg(long, value_name = "FILE")]
    pub words: Option<std::path::PathBuf>,
    /// The report as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// The `wenku sweep` actions.
#[derive(Debug, Subcommand)]
pub enum SweepAction {
    /// A quarter's saved report (this quarter's by default).
    Show(SweepShow),
    /// Withdraw the version of a finding from public view, with why.
    Withdraw(SweepDecide),
    /// Mark a finding as not personal information, with why.
    Dismiss(SweepDecide),
}

/// `wenku draft`.
#[derive(Debug, Args)]
pub struct DraftArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: DraftAction,
}

/// The `wenku draft` actions.
#[derive(Debug, Subcommand)]
pub enum DraftAction {
    /// Every draft: pending or returned, with its works.
    List(DraftList),
    /// What a draft would publish: each work's record before and after,
    /// its new versions' text, and the safety sweep's findings in them.
    Show(DraftShow),
    /// Approve a draft with a note: it is published on main, the review in
    /// the commit.
    Approve(DraftDecide),
    /// Return a draft to its submitter with reasons.
    Return(DraftDecide),
    /// Take a draft back unpublished.
    Discard(DraftDiscard),
}

/// `wenku draft list`.
#[derive(Debug, Args)]
pub struct DraftList {
    /// One JSON object per draft.
    #[arg(long)]
    pub json: bool,
}

/// `wenku draft show`.
#[derive(Debug, Args)]
pub struct DraftShow {
    /// The item: the draft's first work (from `wenku draft list`).
    pub item: String,
    /// A file of words that must not be published, one per line, for the
    /// sweep's findings.
    #[arg(long, value_name = "FILE")]
    pub words: Option<std::path::PathBuf>,
    /// One JSON object.
    #[arg(long)]
    pub json: bool,
}

/// `wenku draft approve` and `return`.
#[derive(Debug, Args)]
pub struct DraftDecide {
    /// The item: the draft's first work.
    pub item: String,
    /// The review's note (approve) or the reasons (return).
    #[arg(long, value_name = "TEXT", required = true)]
    pub note: String,
    /// The draft's tip as read with `wenku draft show` (a full id or a
    /// prefix of 7+ digits): refused if the draft changed since. Default:
    /// the tip now.
    #[arg(long, value_name = "COMMIT")]
    pub tip: Option<String>,
    /// One JSON object.
    #[arg(long)]
    pub json: bool,
}

/// `wenku draft discard`.
#[derive(Debug, Args)]
pub struct DraftDiscard {
    /// The item: the draft's first work.
    pub item: String,
    /// The draft's tip as read (default: the tip now).
    #[arg(long, value_name = "COMMIT")]
    pub tip: Option<String>,
}

/// `wenku sweep show`.
#[derive(Debug, Args)]
pub struct SweepShow {
    /// The quarter, as 2026-Q4.
    #[arg(long, value_name = "QUARTER")]
    pub quarter: Option<String>,
    /// The report as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// `wenku sweep withdraw` and `dismiss`.
#[derive(Debug, Args)]
pub struct SweepDecide {
    /// The finding's id (or a unique prefix), from the report.
    pub finding: String,
    /// Why.
    #[arg(long, value_name = "TEXT", required = true)]
    pub reason: String,
    /// The quarter whose report names the finding (this quarter's by
    /// default).
    #[arg(long, value_name = "QUARTER")]
    pub quarter: Option<String>,
    /// The finding as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// `wenku correct`.
#[derive(Debug, Args)]
pub struct CorrectArgs {
    /// The work id.
    pub work: String,
    /// The title.
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
    /// The document number (发文字号), any bracket variant.
    #[arg(long, value_name = "NUMBER", conflicts_with = "no_number")]
    pub number: Option<String>,
    /// Remove the document number.
    #[arg(long)]
    pub no_number: bool,
    /// The document type.
    #[arg(long = "type", value_name = "TYPE")]
    pub doc_type: Option<String>,
    /// The issuing organs (repeat; replaces the list).
    #[arg(long = "issuer", value_name = "NAME")]
    pub issuers: Vec<String>,
    /// The subjects (repeat; replaces the list).
    #[arg(long = "subject", value_name = "NAME")]
    pub subjects: Vec<String>,
    /// Correct the dates of this version: a handle from `wenku log` (v2),
    /// a revision prefix, or its publication date.
    #[arg(long = "rev", alias = "version", value_name = "REV")]
    pub version: Option<String>,
    /// The version's publication date (with --rev).
    #[arg(long, value_name = "DATE", requires = "version")]
    pub published: Option<String>,
    /// The version's effective date (with --rev); `published` for the
    /// publication date.
    #[arg(long, value_name = "DATE", requires = "version")]
    pub effective: Option<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub flags: RecordFlags,
}

/// `wenku relate`.
#[derive(Debug, Args)]
pub struct RelateArgs {
    /// The work the relation starts from.
    pub work: String,
    /// basis, implements, interprets, amends, repeals or cites.
    pub kind: String,
    /// The target: a work id, document number or title.
    pub target: String,
    /// Remove the relation instead of adding it.
    #[arg(long)]
    pub remove: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub flags: RecordFlags,
}

/// `wenku expire`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("end").required(true).args(["date", "clear"])))]
pub struct ExpireArgs {
    /// The work id.
    pub work: String,
    /// The last day of validity (有效期至).
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// Remove the end of validity.
    #[arg(long)]
    pub clear: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub flags: RecordFlags,
}

/// `wenku merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The duplicate: its id, number or title.
    pub work: String,
    /// The work it duplicates.
    #[arg(long, value_name = "WORK", required = true)]
    pub into: String,
    /// The day the duplicate is retired (default: today).
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub flags: RecordFlags,
}

/// `wenku reinstate`.
#[derive(Debug, Args)]
pub struct ReinstateArgs {
    /// The work id.
    pub work: String,
    /// Why the repeal or withdrawal was wrong.
    #[arg(long, value_name = "TEXT", required = true)]
    pub reason: String,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub flags: RecordFlags,
}

/// `wenku pull`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("peer").required(true).args(["child", "parent"])))]
pub struct PullArgs {
    /// The peer's library: a path, file://, git:// or http(s):// URL.
    pub source: String,
    /// The peer is a child node authoritative for this region (pull up).
    #[arg(long, value_name = "REGION")]
    pub child: Option<String>,
    /// The peer is this node's parent, of this region (pull down).
    #[arg(long, value_name = "REGION")]
    pub parent: Option<String>,
    /// Give up on a fetch that takes longer than this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    pub timeout: u64,
    /// Follow an HTTP redirect to another origin (scheme, host or port);
    /// refused by default. Redirects within the origin are followed.
    #[arg(long)]
    pub follow_redirects: bool,
    /// What a signature that does not check out against the trust file
    /// does: refuse the pull, or (during a roll-out) accept it and list
    /// every problem.
    #[arg(long, value_enum, default_value = "enforce")]
    pub signatures: SignatureModeArg,
    /// One JSON object: what came in, or why the pull was refused.
    #[arg(long)]
    pub json: bool,
}

/// `--signatures` of `wenku pull`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SignatureModeArg {
    /// Refuse the peer's head.
    Enforce,
    /// Accept it, listing every problem.
    Warn,
}

/// `wenku verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Also check every commit's signature against the trust file.
    #[arg(long)]
    pub signatures: bool,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

/// `wenku host`.
#[derive(Debug, Args)]
pub struct HostArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: HostAction,
}

/// The `wenku host` actions.
#[derive(Debug, Subcommand)]
pub enum HostAction {
    /// The hosted regions.
    List(KeyJson),
    /// Host these regions too.
    Add(HostRegions),
    /// Stop hosting these regions (refused while they hold works).
    Remove(HostRegions),
}

/// Regions to add or remove.
#[derive(Debug, Args)]
pub struct HostRegions {
    /// The regions.
    #[arg(required = true, value_name = "REGION")]
    pub regions: Vec<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub flags: RecordFlags,
}

/// `wenku quarantine`.
#[derive(Debug, Args)]
pub struct QuarantineArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: QuarantineAction,
}

/// The `wenku quarantine` actions.
#[derive(Debug, Subcommand)]
pub enum QuarantineAction {
    /// Every peer with a refused head kept apart.
    List(KeyJson),
    /// One peer's refused head, and how to inspect it with git.
    Show(QuarantineRegion),
    /// Remove a refused head and everything it brought.
    Discard(DiscardArgs),
    /// Check the refused head again and merge it if it passes now (a key
    /// granted meanwhile); --signatures warn and --rewritten overrule those
    /// two refusals, nothing else.
    Accept(AcceptArgs),
}

/// A peer's region.
#[derive(Debug, Args)]
pub struct QuarantineRegion {
    /// The peer's region.
    pub region: String,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

/// `wenku quarantine discard`.
#[derive(Debug, Args)]
pub struct DiscardArgs {
    /// The peer's region.
    pub region: String,
    /// Say what would be removed; remove nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

/// `wenku quarantine accept`.
#[derive(Debug, Args)]
pub struct AcceptArgs {
    /// The peer's region.
    pub region: String,
    /// Accept signatures that do not check out (listed in the report).
    #[arg(long, value_enum, default_value = "enforce")]
    pub signatures: SignatureModeArg,
    /// Accept a history that does not descend from the head accepted from
    /// this peer before (the accepted head is forgotten first).
    #[arg(long)]
    pub rewritten: bool,
    /// JSON output: the pull's report or refusal.
    #[arg(long)]
    pub json: bool,
}

/// `wenku key`.
#[derive(Debug, Args)]
pub struct KeyArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: KeyAction,
}

/// The `wenku key` actions.
#[derive(Debug, Subcommand)]
pub enum KeyAction {
    /// Show this node's key and what the trust file lets it sign for.
    Show(KeyJson),
    /// Create this node's key (never replaces one). Outside a library,
    /// --region names the node (for a daemon that creates its library on
    /// first start).
    Generate(GenerateArgs),
    /// Replace this node's key with a new one; the old one is kept beside
    /// it as KEY.retired-DATE. The trust root must grant the new key
    /// (`wenku key grant`) before it signs anything a pull checks.
    Rotate(KeyJson),
    /// List the trust file: which keys sign for which regions, and the
    /// revoked ones.
    List(KeyJson),
    /// Let a key sign for regions (trust root only; a signed commit).
    ///
    /// Example: wenku key grant 370283 --key pingdu.pub
    Grant(GrantArgs),
    /// Revoke a key: nothing it signs is accepted any more (trust root
    /// only; a signed commit).
    ///
    /// Example: wenku key revoke --key old-pingdu.pub
    Revoke(RevokeArgs),
    /// Pin the trust root's public key: the first trust file a pull
    /// brings must be signed by it.
    Pin(PinArgs),
}

/// `--json` alone.
#[derive(Debug, Args)]
pub struct KeyJson {
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

/// `wenku key generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// The node's region, when not run in its library.
    #[arg(long, value_name = "CODE")]
    pub region: Option<String>,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

/// `wenku key grant`.
#[derive(Debug, Args)]
pub struct GrantArgs {
    /// The regions the key signs for (and what lies inside them).
    #[arg(required = true, value_name = "REGION")]
    pub regions: Vec<String>,
    /// The public key file (`.pub`), or `-` for standard input.
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// Show what would change; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

/// `wenku key revoke`.
#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// The public key file (`.pub`), or `-` for standard input.
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// Show what would change; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

/// `wenku key pin`.
#[derive(Debug, Args)]
pub struct PinArgs {
    /// The trust root's public key file (`.pub`).
    pub file: PathBuf,
}

/// `wenku demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to build the demo library (default: a new temporary directory).
    pub dir: Option<PathBuf>,
}

/// `wenku completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_interface_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn pull_takes_exactly_one_peer() {
        let parse =
            |args: &[&str]| Cli::try_parse_from(["wenku", "pull", "src"].iter().chain(args));
        assert!(parse(&["--child", "370283"]).is_ok());
        assert!(parse(&["--parent", "370000"]).is_ok());
        assert!(parse(&[]).is_err());
        assert!(parse(&["--child", "370283", "--parent", "370000"]).is_err());
    }

    #[test]
    fn show_version_takes_a_revision() {
        let cli = Cli::try_parse_from([
            "wenku",
            "-C",
            "lib",
            "show",
            "370200/x",
            "--version",
            "abcdef12",
        ])
        .expect("parses");
        match cli.command {
            Command::Show(a) => assert_eq!(a.version.as_deref(), Some("abcdef12")),
            other => panic!("parsed as {other:?}"),
        }
        // --rev is its name; --version stays accepted for older scripts.
        let cli =
            Cli::try_parse_from(["wenku", "show", "370200/x", "--rev", "v2"]).expect("parses");
        match cli.command {
            Command::Show(a) => assert_eq!(a.version.as_deref(), Some("v2")),
            other => panic!("parsed as {other:?}"),
        }
        assert!(
            Cli::try_parse_from([
                "wenku",
                "show",
                "w",
                "--at",
                "2020-01-01",
                "--version",
                "abcdef12"
            ])
            .is_err()
        );
    }
}
