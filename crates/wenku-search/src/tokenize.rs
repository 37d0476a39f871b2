//! Words of Chinese text, and their readings.
//!
//! **Words.** Text is folded first — full-width letters and digits to
//! their ASCII forms, ASCII letters to lower case — and then cut into
//! words by jieba (its dictionary is compiled in) in search mode, which
//! gives a long word and the shorter words inside it (`劳务派遣` and
//! `劳务`, `派遣`), so that a query for either finds it. Punctuation and
//! whitespace are not words. The same cutting serves indexing and
//! queries, so a query word and an indexed word meet when they are the
//! same text.
//!
//! **Readings.** [`readings`] gives, for every stretch of two to six
//! Chinese characters of a title, its full pinyin without tones or spaces
//! (`laowupaiqian`) and its initials (`lwpq`): what a reader types on a
//! keyboard without a Chinese input method. A character with several
//! readings contributes its most common one only (行 in 银行 reads `xing`
//! here): a reader who types the other reading finds nothing.

use std::sync::{Arc, OnceLock};

use jieba_rs::{Jieba, TokenizeMode};
use pinyin::ToPinyin;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// The name the tokenizer is registered under.
pub const NAME: &str = "wenku_zh";

/// The name the pairs' tokenizer ([`ChineseTokenizer::pairs`]) is registered under.
pub const PAIRS: &str = "wenku_zh_pairs";

/// The name the triples' tokenizer ([`ChineseTokenizer::triples`]) is registered under.
pub const TRIPLES: &str = "wenku_zh_triples";

/// The shared dictionary (loading it takes a few tens of milliseconds).
pub fn jieba() -> &'static Arc<Jieba> {
    static JIEBA: OnceLock<Arc<Jieba>> = OnceLock::new();
    JIEBA.get_or_init(|| Arc::new(Jieba::new()))
}

/// Folds one character: full-width ASCII forms to ASCII, ASCII letters to
/// lower case, the ideographic space to a space.
pub fn fold_char(c: char) -> char {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    };
    c.to_ascii_lowercase()
}

/// `text` folded character by character (same length in characters).
pub fn fold(text: &str) -> String {
    text.chars().map(fold_char).collect()
}

/// Whether `word` carries meaning: it has a letter, digit or ideograph.
fn is_word(word: &str) -> bool {
    word.chars().any(|c| c.is_alphanumeric())
}

/// The words of `text`, folded, with their byte ranges in `text`.
pub fn words(text: &str) -> Vec<(String, std::ops::Range<usize>)> {
    let folded = fold(text);
    // Folding keeps character boundaries, but not byte lengths: map each
    // folded char index back to the original byte offset.
    let starts: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect();
    jieba()
        .tokenize(&folded, TokenizeMode::Search, true)
        .into_iter()
        .filter(|t| is_word(t.word))
        .map(|t| (t.word.to_string(), starts[t.start]..starts[t.end]))
        .collect()
}

/// The words of `text` without the shorter words search mode adds inside
/// longer ones: how a query is read.
pub fn query_words(text: &str) -> Vec<String> {
    jieba()
        .cut(&fold(text), true)
        .into_iter()
        .map(|t| t.word.trim().to_string())
        .filter(|w| is_word(w))
        .collect()
}

/// The full pinyin of `text` (letters only, no tones) and its initials;
/// characters without a reading are kept as they are when they are ASCII
/// letters or digits, and dropped otherwise.
pub fn pinyin(text: &str) -> (String, String) {
    let (mut full, mut initials) = (String::new(), String::new());
    for (c, p) in text.chars().zip(text.to_pinyin()) {
        match p {
            Some(p) => {
                full.push_str(p.plain());
                initials.push_str(p.first_letter());
            }
            None if c.is_ascii_alphanumeric() => {
                full.push(c.to_ascii_lowercase());
                initials.push(c.to_ascii_lowercase());
            }
            None => {}
        }
    }
    (full, initials)
}

/// The longest stretch of a title, in characters, that gets readings.
pub const READING_CHARS: usize = 6;

/// The pinyin keys of a title: for every stretch of two to
/// [`READING_CHARS`] Chinese characters, its full pinyin and its initials
/// (what a reader types for a word of the title, wherever jieba would cut
/// it: `fanlongduan` and `fld` for 反垄断 inside 反垄断法).
pub fn readings(title: &str) -> Vec<String> {
    let chars: Vec<char> = fold(title).chars().collect();
    let mut out = std::collections::BTreeSet::new();
    for start in 0..chars.len() {
        for len in 2..=READING_CHARS {
            let Some(run) = chars.get(start..start + len) else {
                break;
            };
            if !run.iter().all(|c| c.to_pinyin().is_some()) {
                break;
            }
            let run: String = run.iter().collect();
            let (full, initials) = pinyin(&run);
            out.insert(full);
            out.insert(initials);
        }
    }
    out.into_iter().collect()
}

/// The tokenizer registered with the index: the words of a text
/// ([`ChineseTokenizer::default`], registered as [`NAME`]), their
/// [`pairs`] ([`ChineseTokenizer::pairs`], registered as [`PAIRS`]) or
/// their [`triples`] ([`ChineseTokenizer::triples`], registered as
/// [`TRIPLES`]).
#[derive(Clone, Debug, Default)]
pub struct ChineseTokenizer {
    cut: Cut,
}

/// Which tokens of a text a [`ChineseTokenizer`] gives.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Cut {
    #[default]
    Words,
    Pairs,
    Triples,
}

impl ChineseTokenizer {
    /// The tokenizer of the `pair` field.
    pub fn pairs() -> ChineseTokenizer {
        ChineseTokenizer { cut: Cut::Pairs }
    }

    /// The tokenizer of the `triple` field.
    pub fn triples() -> ChineseTokenizer {
        ChineseTokenizer { cut: Cut::Triples }
    }
}

/// Its token stream.
#[derive(Debug)]
pub struct Stream {
    tokens: Vec<Token>,
    next: usize,
}

/// The tokens of `text` as the index holds them: each word with its byte
/// range and, as its position, the character it starts at, so that the
/// words search mode finds inside a longer one sit where they are and
/// phrases can be matched by character distance. Sorted by start, then
/// end.
pub fn tokens(text: &str) -> Vec<Token> {
    let mut chars = text.char_indices().map(|(i, _)| i).enumerate();
    let mut at = |byte: usize| chars.by_ref().find(|(_, b)| *b == byte).map(|(n, _)| n);
    let mut found = words(text);
    found.sort_by_key(|(_, r)| (r.start, r.end));
    let mut tokens = Vec::with_capacity(found.len());
    let mut last = (usize::MAX, 0);
    for (word, range) in found {
        let position = if last.0 == range.start {
            last.1
        } else {
            at(range.start).unwrap_or(last.1)
        };
        last = (range.start, position);
        tokens.push(Token {
            offset_from: range.start,
            offset_to: range.end,
            position,
            text: word,
            position_length: 1,
        });
    }
    tokens
}

/// What joins the two words of a [`pair`].
pub const PAIR_SEPARATOR: char = '\u{1f}';

/// The term for word `a` followed directly by word `b`.
pub fn pair(a: &str, b: &str) -> String {
    let mut out = String::with_capacity(a.len() + b.len() + 1);
    out.push_str(a);
    out.push(PAIR_SEPARATOR);
    out.push_str(b);
    out
}

/// The term for words `a`, `b` and `c`, each starting where the one
/// before ends.
pub fn triple(a: &str, b: &str, c: &str) -> String {
    let mut out = pair(a, b);
    out.push(PAIR_SEPARATOR);
    out.push_str(c);
    out
}

/// The tokens of `tokens` (sorted by start) that start where `a` ends.
fn after<'t>(tokens: &'t [Token], a: &Token) -> &'t [Token] {
    let from = tokens.partition_point(|b| b.offset_from < a.offset_to);
    let to = from + tokens[from..].partition_point(|b| b.offset_from == a.offset_to);
    &tokens[from..to]
}

/// Every two of `tokens` (as [`tokens`] gives them) where the second
/// starts where the first ends, as one token at the first one's position:
/// a phrase of two words is then one term, and a longer phrase a phrase of
/// pairs, whose positions are far fewer than its words' (see
/// `crate::query`).
pub fn pairs(tokens: &[Token]) -> Vec<Token> {
    let mut out = Vec::new();
    for a in tokens {
        for b in after(tokens, a) {
            out.push(Token {
                offset_from: a.offset_from,
                offset_to: b.offset_to,
                position: a.position,
                text: pair(&a.text, &b.text),
                position_length: 1,
            });
        }
    }
    out
}

/// Every three of `tokens` (as [`tokens`] gives them), each starting
/// where the one before ends, as one token at the first one's position: a
/// phrase of three words is then one term, its versions counted from one
/// posting list with no positions read (the `triple` field keeps none).
pub fn triples(tokens: &[Token]) -> Vec<Token> {
    let mut out = Vec::new();
    for a in tokens {
        for b in after(tokens, a) {
            for c in after(tokens, b) {
                out.push(Token {
                    offset_from: a.offset_from,
                    offset_to: c.offset_to,
                    position: a.position,
                    text: triple(&a.text, &b.text, &c.text),
                    position_length: 1,
                });
            }
        }
    }
    out
}

/// The words of `text` ([`tokens`]), their [`pairs`] or their
/// [`triples`], whichever `want` asks for. A version's text is indexed
/// three times, as words, pairs and triples, and cutting it is most of the
/// cost of indexing it, so the first call for a long text cuts it once for
/// all three and keeps the other two for the calls that follow (tantivy
/// indexes a document's fields one after the other on one thread).
fn cut(text: &str, want: Cut) -> Vec<Token> {
    /// The text last cut, and what of it has not been asked for yet
    /// (words, pairs, triples).
    type Kept = (String, [Option<Vec<Token>>; 3]);
    thread_local! {
        static KEPT: std::cell::RefCell<Kept> = const {
            std::cell::RefCell::new((String::new(), [None, None, None]))
        };
    }
    let all = |words: Vec<Token>| {
        let pairs = pairs(&words);
        let triples = triples(&words);
        [Some(words), Some(pairs), Some(triples)]
    };
    // Titles and issuers are cheap to cut and have no pairs indexed.
    if text.len() < 256 {
        let words = tokens(text);
        return match want {
            Cut::Words => words,
            Cut::Pairs => pairs(&words),
            Cut::Triples => triples(&words),
        };
    }
    KEPT.with(|kept| {
        let mut kept = kept.borrow_mut();
        let (ref mut kept_text, ref mut slots) = *kept;
        if kept_text.as_str() == text
            && let Some(found) = slots[want as usize].take()
        {
            return found;
        }
        *slots = all(tokens(text));
        kept_text.clear();
        kept_text.push_str(text);
        slots[want as usize].take().expect("just cut")
    })
}

impl Tokenizer for ChineseTokenizer {
    type TokenStream<'a> = Stream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Stream {
        Stream {
            tokens: cut(text, self.cut),
            next: 0,
        }
    }
}

impl TokenStream for Stream {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_mode_gives_long_words_and_the_words_inside() {
        let w: Vec<String> = words("劳务派遣暂行规定")
            .into_iter()
            .map(|(w, _)| w)
            .collect();
        assert!(w.contains(&"劳务".to_string()), "{w:?}");
        assert!(w.contains(&"派遣".to_string()), "{w:?}");
        let text = "第五十七条　ＡＢＣ公司";
        for (word, range) in words(text) {
            assert_eq!(fold(&text[range.clone()]), word, "{range:?}");
        }
    }

    #[test]
    fn pairs_join_words_that_touch() {
        let t = tokens("优化营商环境");
        let p: Vec<(String, usize)> = pairs(&t)
            .into_iter()
            .map(|t| (t.text, t.position))
            .collect();
        assert!(p.contains(&(pair("优化", "营商"), 0)), "{p:?}");
        assert!(p.contains(&(pair("营商", "环境"), 2)), "{p:?}");
        // Positions never go back (tantivy needs them in order).
        assert!(p.windows(2).all(|w| w[0].1 <= w[1].1), "{p:?}");
        // Words apart do not pair.
        let apart = pairs(&tokens("优化，环境"));
        assert!(apart.is_empty(), "{apart:?}");
    }

    #[test]
    fn triples_join_three_words_that_touch() {
        let t = tokens("优化营商环境");
        let p: Vec<(String, usize)> = triples(&t)
            .into_iter()
            .map(|t| (t.text, t.position))
            .collect();
        assert!(p.contains(&(triple("优化", "营商", "环境"), 0)), "{p:?}");
        assert!(p.windows(2).all(|w| w[0].1 <= w[1].1), "{p:?}");
        // Every triple is two pairs that share their middle word.
        let pairs: Vec<String> = pairs(&t).into_iter().map(|t| t.text).collect();
        for (text, _) in &p {
            let w: Vec<&str> = text.split(PAIR_SEPARATOR).collect();
            assert!(pairs.contains(&pair(w[0], w[1])), "{text:?}");
            assert!(pairs.contains(&pair(w[1], w[2])), "{text:?}");
        }
        assert!(triples(&tokens("优化营商，环境")).is_empty());
    }

    /// A long text cut for all three fields gives each the same tokens as
    /// cutting it for that field alone, in whatever order they are asked
    /// for and when the same text comes twice.
    #[test]
    fn a_text_cut_once_serves_every_field() {
        let text = "为了持续优化营商环境，不断解放和发展社会生产力。".repeat(8);
        let words = tokens(&text);
        let alone = [words.clone(), pairs(&words), triples(&words)];
        let texts = |t: &[Token]| {
            t.iter()
                .map(|t| (t.text.clone(), t.position))
                .collect::<Vec<_>>()
        };
        for order in [
            [Cut::Pairs, Cut::Words, Cut::Triples],
            [Cut::Triples, Cut::Pairs, Cut::Words],
            [Cut::Words, Cut::Words, Cut::Pairs],
        ] {
            for want in order {
                assert_eq!(texts(&cut(&text, want)), texts(&alone[want as usize]));
            }
        }
    }

    #[test]
    fn readings_are_full_pinyin_and_initials() {
        assert_eq!(pinyin("劳务派遣"), ("laowupaiqian".into(), "lwpq".into()));
        let r = readings("劳务派遣暂行规定");
        assert!(r.contains(&"laowupaiqian".to_string()), "{r:?}");
        assert!(r.contains(&"lwpq".to_string()), "{r:?}");
    }
}
