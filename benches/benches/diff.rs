//! The article-level diff on real laws from `testdata/corpus/laws/`.
//!
//! ```sh
//! cargo bench -p wenku-bench --bench diff
//! ```
//!
//! - `diff/gongsifa-2018-2023`: 公司法, a complete revision (218 → 266
//!   articles, almost nothing aligns by number). Target: < 50 ms.
//! - `diff/regulation-571/*`: a 571-article regulation against its next
//!   version. Target: < 10 ms. No single text in the corpus is that long,
//!   so it is built from real ones: seven laws and regulations, each in an
//!   earlier version, joined into one body with chapters and articles
//!   numbered through (第一章 …, 第一条 … 第五百七十一条): 立法法 2015,
//!   监察法 2018, 反垄断法 2007, 专利法实施细则 2010, 动物防疫法 2007,
//!   上海市优化营商环境条例 2020, 会计法 2017.
//!   - `amendment`: the next version replaces the first part by its real
//!     amendment, 立法法 2023 — 43 articles modified, 14 inserted and one
//!     split near the start, so every article after them is renumbered
//!     (586 articles). This is what an amendment of a long regulation
//!     looks like.
//!   - `all-parts-amended`: every part takes its next real version
//!     (立法法 2023, 监察法 2024, 反垄断法 2022, 专利法实施细则 2023,
//!     动物防疫法 2015, 上海 2024, 会计法 2024; 650 articles): about 250
//!     articles modified and 85 inserted at once, far more than one
//!     amendment changes — the slow end.
//! - `char-diff/*`: the character-level step alone, over the 160-odd
//!   article pairs 公司法 2018→2023 modified, with similar's Myers (what
//!   wenku-diff uses) against gix-imara-diff's Myers and Histogram, on
//!   `char` tokens.
//!
//! Importing the laws is not measured.

use criterion::{Criterion, criterion_group, criterion_main};
use gix_imara_diff::{Algorithm, Diff, InternedInput, TokenSource};
use wenku_bench::regulation::{self, Regulation571, regulation_571};
use wenku_diff::{ChangeKind, Options, compare};
use wenku_model::{Document, UnitKind};

fn law(rel: &str) -> Document {
    regulation::law(rel).expect("corpus law imports")
}

fn diff(c: &mut Criterion) {
    let options = Options::default();
    let mut group = c.benchmark_group("diff");
    group.sample_size(30);

    let old = law("cn-law-gongsifa/2018-10-26.md");
    let new = law("cn-law-gongsifa/2023-12-29.md");
    group.bench_function("gongsifa-2018-2023", |b| {
        b.iter(|| compare(&old, &new, &options))
    });

    let Regulation571 {
        old,
        amended,
        all_parts_amended: new,
    } = regulation_571().expect("corpus laws import");
    assert_eq!(old.units_of(UnitKind::Article).len(), 571);
    assert_eq!(amended.units_of(UnitKind::Article).len(), 586);
    assert_eq!(new.units_of(UnitKind::Article).len(), 650);
    group.bench_function("regulation-571/amendment", |b| {
        b.iter(|| compare(&old, &amended, &options))
    });
    group.bench_function("regulation-571/all-parts-amended", |b| {
        b.iter(|| compare(&old, &new, &options))
    });
    group.finish();
}

/// A text's characters as imara-diff tokens.
struct Chars<'a>(&'a str);

impl<'a> TokenSource for Chars<'a> {
    type Token = char;
    type Tokenizer = std::str::Chars<'a>;

    fn tokenize(&self) -> Self::Tokenizer {
        self.0.chars()
    }

    fn estimate_tokens(&self) -> u32 {
        (self.0.len() / 3) as u32
    }
}

fn char_diff(c: &mut Criterion) {
    let old = law("cn-law-gongsifa/2018-10-26.md");
    let new = law("cn-law-gongsifa/2023-12-29.md");
    let comparison = compare(&old, &new, &Options::default());
    let pairs: Vec<(String, String)> = comparison
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Modified && c.split_into.is_empty())
        .map(|c| (c.old_text(), c.new_text()))
        .collect();
    let mut group = c.benchmark_group("char-diff");
    group.sample_size(30);
    // Both sides tokenize inside the loop: similar into char vectors,
    // imara-diff into its interned tokens.
    group.bench_function("similar-myers", |b| {
        b.iter(|| {
            pairs
                .iter()
                .map(|(a, b)| {
                    let a: Vec<char> = a.chars().collect();
                    let b: Vec<char> = b.chars().collect();
                    similar::capture_diff_slices(similar::Algorithm::Myers, &a, &b).len()
                })
                .sum::<usize>()
        })
    });
    for (name, algorithm) in [
        ("imara-myers", Algorithm::Myers),
        ("imara-histogram", Algorithm::Histogram),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                pairs
                    .iter()
                    .map(|(a, b)| {
                        let input = InternedInput::new(Chars(a), Chars(b));
                        Diff::compute(algorithm, &input).count_additions()
                    })
                    .sum::<u32>()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, diff, char_diff);
criterion_main!(benches);
