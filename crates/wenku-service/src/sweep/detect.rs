//! Detectors of personal information in published texts, for the safety
//! sweep (安全巡查): resident ID numbers, mobile numbers, bank card
//! numbers, home addresses down to the room, and words an operator lists.
//!
//! The texts swept are laws and government notices, full of numbers that
//! are public and must stay unreported: document numbers
//! (鲁政办发〔2025〕5号), dates (20250516), office lines (0532-85912345),
//! hotlines (12345), article numbers, amounts. A report full of false
//! positives is not read, so every pattern asks for more than a shape: a
//! check digit, a calendar date, a card network's prefix, a number that
//! stands alone, a room. Each rule's doc says what it keeps out.
//!
//! Full-width forms (０-９, Ｘ, －, ＋, the ideographic space) are folded
//! to ASCII before matching, one character for one, so a finding's range
//! is always a byte range of the original text.
//!
//! ```
//! use wenku_service::sweep::detect::{Detectors, Kind};
//!
//! let text = "联系人：张三，手机13812345678，办公电话0532-85912345。";
//! let found = Detectors::default().scan(text);
//! assert_eq!(found.len(), 1);
//! assert_eq!(found[0].kind, Kind::Mobile);
//! assert_eq!(found[0].masked, "138****5678");
//! assert_eq!(&text[found[0].range.clone()], "13812345678");
//! ```

use std::collections::BTreeMap;
use std::ops::Range;

/// What kind of personal information a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A resident identity card number (GB 11643-1999).
    ResidentId,
    /// A mainland mobile number.
    Mobile,
    /// A payment card number.
    BankCard,
    /// A home address down to the room.
    RoomAddress,
    /// A word from the operator's list.
    Word,
}

impl Kind {
    /// `resident-id`, `mobile`, `bank-card`, `room-address` or `word`: the
    /// name in reports. Finding ids hash it, so it never changes.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::ResidentId => "resident-id",
            Kind::Mobile => "mobile",
            Kind::BankCard => "bank-card",
            Kind::RoomAddress => "room-address",
            Kind::Word => "word",
        }
    }

    /// The kind as the people doing the sweep call it (居民身份证号码 …).
    pub fn label(self) -> &'static str {
        match self {
            Kind::ResidentId => "居民身份证号码",
            Kind::Mobile => "手机号码",
            Kind::BankCard => "银行卡号",
            Kind::RoomAddress => "门牌地址",
            Kind::Word => "敏感词",
        }
    }

    /// Which kind a stretch of text is reported as when two detectors
    /// claim it: the most specific first. An ID number's date and check
    /// digit say more than a card number's Luhn digit (which one number
    /// in ten passes), and both say more than a mobile number's shape.
    fn precedence(self) -> u8 {
        match self {
            Kind::ResidentId => 0,
            Kind::BankCard => 1,
            Kind::Mobile => 2,
            Kind::RoomAddress => 3,
            Kind::Word => 4,
        }
    }
}

/// One piece of personal information found in a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// What it is.
    pub kind: Kind,
    /// Where it is: a byte range of the text scanned, on character
    /// boundaries.
    pub range: Range<usize>,
    /// The text in `range` as written (full-width digits stay full-width).
    pub matched: String,
    /// The finding with most of it hidden, for reports that must not
    /// repeat the information: `370202********1234`, `138****5678`,
    /// `6222 **** **** 1234` (numbers in ASCII, whatever the text's
    /// width), the address with its room number starred, a word as it is.
    pub masked: String,
    /// For [`Kind::Word`], the listed word found, as configured.
    pub word: Option<String>,
}

/// The detectors of a sweep: the fixed patterns and the operator's words.
///
/// The default looks for no words.
#[derive(Clone, Debug, Default)]
pub struct Detectors {
    /// The listed words, trimmed, without empty ones and repeats.
    words: Vec<String>,
    /// Each word folded as the text is for matching, in the same order.
    folded: Vec<String>,
}

impl Detectors {
    /// Detectors that also report every occurrence of each of `words`,
    /// compared after folding full-width ASCII forms and ASCII case (the
    /// same name typed either way is the same name). Words are trimmed;
    /// empty ones, which would match everywhere, are dropped, and so are
    /// repeats.
    pub fn new(words: Vec<String>) -> Detectors {
        let mut detectors = Detectors::default();
        for word in words {
            let word = word.trim();
            let folded = fold_word(word);
            if word.is_empty() || detectors.folded.contains(&folded) {
                continue;
            }
            detectors.words.push(word.to_string());
            detectors.folded.push(folded);
        }
        detectors
    }

    /// The words looked for, as [`Detectors::new`] kept them.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// Every finding in `text`, by position. No two overlap: a stretch
    /// two detectors claim (an ID number that also passes as a card
    /// number) is reported once, as the more specific kind.
    pub fn scan(&self, text: &str) -> Vec<Finding> {
        let t = Folded::new(text);
        let mut hits = Vec::new();
        resident_ids(&t, &mut hits);
        bank_cards(&t, &mut hits);
        mobiles(&t, &mut hits);
        room_addresses(&t, &mut hits);
        self.words_in(&t, &mut hits);
        without_overlaps(hits)
            .into_iter()
            .map(|hit| hit.into_finding(&t))
            .collect()
    }

    /// Every occurrence of each listed word.
    fn words_in(&self, t: &Folded, out: &mut Vec<Hit>) {
        if self.words.is_empty() {
            return;
        }
        let (lower, starts) = t.lowercase();
        for (word, folded) in self.words.iter().zip(&self.folded) {
            let len = folded.chars().count();
            for (byte, _) in lower.match_indices(folded.as_str()) {
                let Ok(i) = starts.binary_search(&byte) else {
                    continue;
                };
                out.push(Hit {
                    kind: Kind::Word,
                    cells: i..i + len,
                    masked: t.original(i..i + len).to_string(),
                    word: Some(word.clone()),
                });
            }
        }
    }
}

/// A finding before its range is turned into bytes: `cells` counts
/// characters.
#[derive(Debug)]
struct Hit {
    kind: Kind,
    cells: Range<usize>,
    masked: String,
    word: Option<String>,
}

impl Hit {
    fn new(kind: Kind, cells: Range<usize>, masked: String) -> Hit {
        Hit {
            kind,
            cells,
            masked,
            word: None,
        }
    }

    fn into_finding(self, t: &Folded) -> Finding {
        let range = t.at[self.cells.start]..t.at[self.cells.end];
        Finding {
            kind: self.kind,
            matched: t.original(self.cells).to_string(),
            range,
            masked: self.masked,
            word: self.word,
        }
    }
}

/// `hits` without overlaps, by position: the most specific kind keeps a
/// stretch; within a kind the earlier, then the longer, hit.
fn without_overlaps(mut hits: Vec<Hit>) -> Vec<Hit> {
    hits.sort_by_key(|h| {
        (
            h.kind.precedence(),
            h.cells.start,
            std::cmp::Reverse(h.cells.end),
        )
    });
    let mut kept: BTreeMap<usize, Hit> = BTreeMap::new();
    for hit in hits {
        // The kept hits are disjoint, so the last one starting before
        // this one ends is the only one that can overlap it.
        let clashes = kept
            .range(..hit.cells.end)
            .next_back()
            .is_some_and(|(_, k)| k.cells.end > hit.cells.start);
        if !clashes {
            kept.insert(hit.cells.start, hit);
        }
    }
    kept.into_values().collect()
}

/// A text with full-width ASCII forms folded to ASCII (one character for
/// one), and where each character starts in the original.
struct Folded<'a> {
    text: &'a str,
    chars: Vec<char>,
    /// The byte offset of each character, and the text's length last.
    at: Vec<usize>,
}

impl<'a> Folded<'a> {
    fn new(text: &'a str) -> Folded<'a> {
        let (at, chars) = text.char_indices().map(|(i, c)| (i, fold(c))).unzip();
        let mut folded = Folded { text, chars, at };
        folded.at.push(text.len());
        folded
    }

    fn len(&self) -> usize {
        self.chars.len()
    }

    fn get(&self, i: usize) -> Option<char> {
        self.chars.get(i).copied()
    }

    fn before(&self, i: usize) -> Option<char> {
        i.checked_sub(1).and_then(|k| self.get(k))
    }

    fn is_digit(&self, i: usize) -> bool {
        self.get(i).is_some_and(|c| c.is_ascii_digit())
    }

    /// How many ASCII digits (after folding) start at `i`.
    fn digit_run(&self, i: usize) -> usize {
        self.chars.get(i..).map_or(0, |rest| {
            rest.iter().take_while(|c| c.is_ascii_digit()).count()
        })
    }

    fn starts_with(&self, i: usize, s: &str) -> bool {
        s.chars()
            .enumerate()
            .all(|(k, c)| self.get(i + k) == Some(c))
    }

    /// The folded characters of `cells`.
    fn folded(&self, cells: Range<usize>) -> String {
        self.chars[cells].iter().collect()
    }

    /// The original text of `cells`.
    fn original(&self, cells: Range<usize>) -> &'a str {
        &self.text[self.at[cells.start]..self.at[cells.end]]
    }

    /// The folded text with ASCII lower-cased, as one string to search
    /// for words in, and the byte offset of each of its characters.
    fn lowercase(&self) -> (String, Vec<usize>) {
        let mut lower = String::with_capacity(self.text.len());
        let mut starts = Vec::with_capacity(self.chars.len());
        for c in &self.chars {
            starts.push(lower.len());
            lower.push(c.to_ascii_lowercase());
        }
        (lower, starts)
    }
}

/// Full-width ASCII forms (U+FF01–U+FF5E) to ASCII, the ideographic space
/// to a space: Chinese documents write numbers either way.
fn fold(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// A listed word folded as texts are for matching.
fn fold_word(word: &str) -> String {
    word.chars().map(|c| fold(c).to_ascii_lowercase()).collect()
}

/// Whether the number starting at `i` stands alone on its left. A letter
/// or digit before it makes it part of a code or a longer number; a
/// hyphen, a dot or the number's own group separator after a digit makes
/// it the continuation of one (the 85912345 of 0532-85912345, the
/// decimals of 3.14…); a currency sign makes it an amount.
fn free_before(t: &Folded, i: usize, sep: Option<char>) -> bool {
    match t.before(i) {
        None => true,
        Some(c) if c.is_ascii_alphanumeric() => false,
        Some(c) if c == '-' || c == '.' || Some(c) == sep => {
            !i.checked_sub(2).is_some_and(|k| t.is_digit(k))
        }
        Some(c) => !matches!(c, '¥' | '￥' | '$'),
    }
}

/// Whether the number ending before `j` stands alone on its right: the
/// mirror of [`free_before`], and not followed by a unit, which makes it
/// a quantity (15000000000元 is eleven digits starting 15, and money).
fn free_after(t: &Folded, j: usize, sep: Option<char>) -> bool {
    match t.get(j) {
        None => true,
        Some(c) if c.is_ascii_alphanumeric() => false,
        Some(c) if c == '-' || c == '.' || Some(c) == sep => !t.is_digit(j + 1),
        Some(c) => !"元万亿千百吨米克升斤亩次人个件股%‰".contains(c),
    }
}

// --- Resident ID numbers ---------------------------------------------

/// The province-level codes of GB/T 2260 an ID number begins with
/// (71 Taiwan, 81 Hong Kong, 82 Macao included: the mainland issues
/// numbers with them to their residents).
const PROVINCES: [&str; 34] = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71",
    "81", "82",
];

/// The weights of ISO 7064 MOD 11-2 for the first 17 digits (2^(18-i)
/// mod 11).
const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// The check character for each weighted sum modulo 11.
const ID_CHECK: &[u8; 11] = b"10X98765432";

/// Every resident ID number: 17 digits and a digit or X, standing alone
/// between characters that are neither ASCII letters nor digits, with a
/// province code, a birth date and the right check character. The three
/// checks together let through one random 18-digit run in several
/// thousand, and none of the numbers laws are made of: document numbers
/// and dates are short, and a unified social credit code (18 characters,
/// often all digits) has its region code where an ID has the year, which
/// makes an impossible date.
fn resident_ids(t: &Folded, out: &mut Vec<Hit>) {
    for i in 0..t.len() {
        if let Some(id) = resident_id_at(t, i) {
            let masked = format!("{}********{}", &id[..6], &id[14..]);
            out.push(Hit::new(Kind::ResidentId, i..i + 18, masked));
        }
    }
}

/// The ID number (in ASCII, X upper-case) starting at `i`, if one does.
fn resident_id_at(t: &Folded, i: usize) -> Option<String> {
    let glued = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if !t.is_digit(i) || glued(t.before(i)) {
        return None;
    }
    let id = match t.digit_run(i) {
        18 => t.folded(i..i + 18),
        17 if matches!(t.get(i + 17), Some('X' | 'x')) => t.folded(i..i + 17) + "X",
        _ => return None,
    };
    (!glued(t.get(i + 18)) && is_resident_id(&id)).then_some(id)
}

/// Whether `id` (17 ASCII digits and a digit or `X`) has a province code,
/// a birth date from 1900 to 2100 and the right check character.
fn is_resident_id(id: &str) -> bool {
    let number = |r: Range<usize>| id[r].parse::<u32>().unwrap_or(0);
    PROVINCES.contains(&&id[..2])
        && is_date(number(6..10), number(10..12), number(12..14))
        && id.as_bytes()[17] == id_check(&id.as_bytes()[..17])
}

/// The check character of an ID number's first 17 digits.
fn id_check(digits: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .zip(ID_WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    ID_CHECK[(sum % 11) as usize]
}

/// Whether the day exists, from 1900-01-01 to 2100-12-31 (1900 and 2100
/// are not leap years).
fn is_date(year: u32, month: u32, day: u32) -> bool {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return false,
    };
    (1900..=2100).contains(&year) && (1..=days).contains(&day)
}

// --- Mobile numbers --------------------------------------------------

/// Every mobile number: 11 digits starting 13 to 19, written whole
/// (13812345678) or in groups of 3, 4 and 4 with single spaces or
/// hyphens (138 1234 5678, 138-1234-5678), optionally after +86 or 86.
/// The number must stand alone ([`free_before`], [`free_after`]): that
/// keeps out longer runs (a 12-digit serial, an 18-digit ID), landlines
/// with an area code (0532-85912345 has eight digits after the hyphen
/// anyway, and 0532-1381… is not a mobile), amounts (1380000000元 has ten
/// digits; an eleven-digit one is followed by its unit) and codes glued
/// to letters. Hotlines such as 12345 are far too short.
fn mobiles(t: &Folded, out: &mut Vec<Hit>) {
    for i in 0..t.len() {
        if let Some((end, number)) = mobile_at(t, i) {
            let masked = format!("{}****{}", &number[..3], &number[7..]);
            out.push(Hit::new(Kind::Mobile, i..end, masked));
        }
    }
}

/// The end and the eleven digits of a mobile number starting at `i`
/// (at its `+86` or `86` if it has one).
fn mobile_at(t: &Folded, i: usize) -> Option<(usize, String)> {
    if !matches!(t.get(i), Some('+' | '0'..='9')) || !free_before(t, i, None) {
        return None;
    }
    let mut j = i;
    if t.get(j) == Some('+') {
        j += 1;
        if !t.starts_with(j, "86") {
            return None;
        }
    }
    if t.starts_with(j, "86") {
        j += 2;
        if matches!(t.get(j), Some(' ' | '-')) {
            j += 1;
        }
    }
    let (end, number, sep) = mobile_body(t, j)?;
    free_after(t, end, sep).then_some((end, number))
}

/// The eleven digits at `j`, whole or grouped 3-4-4: their end, the
/// digits and the group separator.
fn mobile_body(t: &Folded, j: usize) -> Option<(usize, String, Option<char>)> {
    let (end, number, sep) = match t.digit_run(j) {
        11 => (j + 11, t.folded(j..j + 11), None),
        3 => {
            let sep = t.get(j + 3).filter(|c| matches!(c, ' ' | '-'))?;
            let grouped =
                t.digit_run(j + 4) == 4 && t.get(j + 8) == Some(sep) && t.digit_run(j + 9) == 4;
            if !grouped {
                return None;
            }
            let number = t.folded(j..j + 3) + &t.folded(j + 4..j + 8) + &t.folded(j + 9..j + 13);
            (j + 13, number, Some(sep))
        }
        _ => return None,
    };
    let b = number.as_bytes();
    (b[0] == b'1' && (b'3'..=b'9').contains(&b[1])).then_some((end, number, sep))
}

// --- Bank card numbers -----------------------------------------------

/// Every bank card number: 16 to 19 digits, whole or in groups of four
/// with single spaces or hyphens (the last group may be shorter),
/// standing alone, with the Luhn check digit right and a card network's
/// prefix and length ([`is_card_network`]).
///
/// Luhn alone is weak: one digit run in ten passes it by chance. What
/// keeps the sweep sane is that a run must stand alone at exactly 16 to
/// 19 digits — rare in laws and notices, where long numbers are IDs,
/// credit codes (often with letters) or accounts of public bodies (which
/// are not card numbers and have no network prefix) — and begin as cards
/// of that length do.
fn bank_cards(t: &Folded, out: &mut Vec<Hit>) {
    for i in 0..t.len() {
        if let Some((end, number)) = bank_card_at(t, i) {
            out.push(Hit::new(Kind::BankCard, i..end, mask_card(&number)));
        }
    }
}

/// The end and the digits of a card number starting at `i`.
fn bank_card_at(t: &Folded, i: usize) -> Option<(usize, String)> {
    if !t.is_digit(i) || t.before(i).is_some_and(|c| c.is_ascii_digit()) {
        return None;
    }
    let (end, sep, number) = match t.digit_run(i) {
        run @ 16..=19 => (i + run, None, t.folded(i..i + run)),
        4 => grouped_by_four(t, i)?,
        _ => return None,
    };
    let standing = free_before(t, i, sep) && free_after(t, end, sep);
    (standing && is_card_network(&number) && luhn(&number)).then_some((end, number))
}

/// A number of 16 to 19 digits written in groups of four from `i`, with
/// one separator (a space or a hyphen) throughout: its end, the
/// separator and the digits.
fn grouped_by_four(t: &Folded, i: usize) -> Option<(usize, Option<char>, String)> {
    let sep = t.get(i + 4).filter(|c| matches!(c, ' ' | '-'))?;
    let mut digits = t.folded(i..i + 4);
    let mut j = i + 4;
    while t.get(j) == Some(sep) && t.is_digit(j + 1) {
        let run = t.digit_run(j + 1);
        if run > 4 {
            return None;
        }
        digits += &t.folded(j + 1..j + 1 + run);
        j += 1 + run;
        if run < 4 {
            break;
        }
    }
    (16..=19)
        .contains(&digits.len())
        .then_some((j, Some(sep), digits))
}

/// Whether `number` begins and is as long as the cards of a network
/// issued in China: UnionPay 62 (16–19 digits), 60 and 9 (domestic
/// cards, 16–19), Visa 4 (16 or 19), Mastercard 51–55 (16), JCB 35
/// (16–19). American Express (34, 37) has 15 digits and so no card of
/// 16–19; leaving it out also keeps Shandong's 37… ID numbers with a
/// mistyped check digit from turning up as cards.
fn is_card_network(number: &str) -> bool {
    let len = number.len();
    let any = (16..=19).contains(&len);
    match &number[..2] {
        "62" | "60" | "35" => any,
        "51" | "52" | "53" | "54" | "55" => len == 16,
        p if p.starts_with('9') => any,
        p if p.starts_with('4') => len == 16 || len == 19,
        _ => false,
    }
}

/// Whether `number` (ASCII digits) passes the Luhn check (ISO/IEC 7812).
fn luhn(number: &str) -> bool {
    let sum: u32 = number
        .bytes()
        .rev()
        .enumerate()
        .map(|(k, b)| {
            let d = u32::from(b - b'0');
            match (k % 2, d * 2) {
                (0, _) => d,
                (_, twice) if twice > 9 => twice - 9,
                (_, twice) => twice,
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// `6222 **** **** 1234`: the first and last four digits, the rest
/// starred in groups of four (so the length still shows).
fn mask_card(number: &str) -> String {
    let hidden = number.len() - 8;
    let stars: Vec<String> = (0..hidden)
        .step_by(4)
        .map(|k| "*".repeat((hidden - k).min(4)))
        .collect();
    format!(
        "{} {} {}",
        &number[..4],
        stars.join(" "),
        &number[number.len() - 4..]
    )
}

// --- Addresses down to the room --------------------------------------

/// Words that end the name of a street or a housing estate.
const PLACES: [&str; 13] = [
    "路", "街", "巷", "道", "弄", "里", "村", "小区", "花园", "苑", "庄", "大厦", "公寓",
];

/// How many characters may stand between a place word and the house
/// number (香港中路 88号: none; 某某村 东三组 15号: a few).
const MAX_GAP: usize = 20;

/// How many characters of a place's name are taken before its place
/// word (青岛市市南区香港中 before 路).
const MAX_NAME: usize = 10;

/// The parts of an address below the street, in the order they come.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    House,
    Building,
    Unit,
    Floor,
    Room,
}

impl Part {
    /// Whether the part may be numbered in Chinese numerals (三号楼,
    /// 二单元). House and room numbers are written in digits.
    fn takes_chinese_numerals(self) -> bool {
        matches!(self, Part::Building | Part::Unit | Part::Floor)
    }
}

/// The words that end each part, a longer one before any it begins with
/// (号楼 before 号).
const PARTS: [(&str, Part); 11] = [
    ("号楼", Part::Building),
    ("号院", Part::House),
    ("号", Part::House),
    ("栋", Part::Building),
    ("幢", Part::Building),
    ("座", Part::Building),
    ("单元", Part::Unit),
    ("层", Part::Floor),
    ("楼", Part::Floor),
    ("室", Part::Room),
    ("户", Part::Room),
];

/// Every home address down to the room: a street or estate (a place word
/// and up to [`MAX_NAME`] characters of its name before it), then within
/// [`MAX_GAP`] characters a house number or building (88号, 3号楼, 12栋),
/// then optionally building, unit and floor, and last a room in digits
/// (501室, 201户), one part straight after the other.
///
/// The room is what makes it personal: offices publish their addresses
/// (青岛市市南区香港中路11号) and those are not reported. An office
/// that gives its room (…大厦1201室) is, and is marked a false positive
/// once. The house number or building is what keeps out counts (共120户)
/// and rooms of a building named without a street.
fn room_addresses(t: &Folded, out: &mut Vec<Hit>) {
    // By the end of the room: a later place word before the same room is
    // nearer, and names the street rather than a word of the sentence
    // before it (知道, 这里).
    let mut by_end: BTreeMap<usize, Hit> = BTreeMap::new();
    for p in 0..t.len() {
        for place in PLACES.iter().filter(|place| t.starts_with(p, place)) {
            if let Some(hit) = address_from(t, p, p + place.chars().count()) {
                by_end.insert(hit.cells.end, hit);
            }
        }
    }
    out.extend(by_end.into_values());
}

/// The address whose place word is at `p..e`, if a room follows.
fn address_from(t: &Folded, p: usize, e: usize) -> Option<Hit> {
    let start = name_start(t, p);
    for s in e..=(e + MAX_GAP).min(t.len()) {
        // The gap holds a name (CJK, letters, digits), never punctuation:
        // a house number after a comma belongs to something else.
        if s > e && !is_cjk_or_alphanumeric(t.chars[s - 1]) {
            return None;
        }
        if t.before(s).is_some_and(is_numeral) {
            continue;
        }
        if let Some((end, room)) = room_chain(t, s) {
            let masked = format!(
                "{}{}{}",
                t.original(start..room.start),
                "*".repeat(room.len()),
                t.original(room.end..end)
            );
            return Some(Hit::new(Kind::RoomAddress, start..end, masked));
        }
    }
    None
}

/// Where the name of the place whose word starts at `p` begins: back over
/// CJK characters, at most [`MAX_NAME`], stopping at anything else
/// (a colon, a comma, a digit).
fn name_start(t: &Folded, p: usize) -> usize {
    let mut k = p;
    while k > 0 && p - k < MAX_NAME && is_cjk(t.chars[k - 1]) {
        k -= 1;
    }
    k
}

/// The parts of an address from `s` to its room, one straight after the
/// other in their order: the end of the room's 室 or 户 and the room
/// number's characters. None unless a house number or a building comes
/// before the room.
fn room_chain(t: &Folded, s: usize) -> Option<(usize, Range<usize>)> {
    let mut i = s;
    let mut last: Option<Part> = None;
    let mut anchored = false;
    loop {
        let digits = t.digit_run(i);
        let numerals = match digits {
            0 => t.chars[i.min(t.len())..]
                .iter()
                .take_while(|c| is_chinese_numeral(**c))
                .count(),
            n => n,
        };
        // Six digits and more are dates and serials, not house numbers.
        if numerals == 0 || numerals > 5 {
            return None;
        }
        let &(word, part) = PARTS
            .iter()
            .find(|(word, _)| t.starts_with(i + numerals, word))?;
        if last.is_some_and(|l| part <= l) || (digits == 0 && !part.takes_chinese_numerals()) {
            return None;
        }
        if part == Part::Room {
            return anchored.then_some((i + numerals + 1, i..i + numerals));
        }
        anchored |= matches!(part, Part::House | Part::Building);
        last = Some(part);
        i += numerals + word.chars().count();
    }
}

fn is_numeral(c: char) -> bool {
    c.is_ascii_digit() || is_chinese_numeral(c)
}

fn is_chinese_numeral(c: char) -> bool {
    "〇零一二三四五六七八九十百两".contains(c)
}

/// CJK unified ideographs (with extension A) and 〇.
fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '〇')
}

fn is_cjk_or_alphanumeric(c: char) -> bool {
    is_cjk(c) || c.is_ascii_alphanumeric()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The check character of an ID number's first 17 digits, computed
    /// from GB 11643's definition (weights 2^(18-i) mod 11, the sum with
    /// the check character ≡ 1 mod 11) rather than from the module's
    /// tables, so that the tests check them.
    fn check_char(first17: &str) -> char {
        let sum: u32 = first17
            .bytes()
            .enumerate()
            .map(|(i, b)| u32::from(b - b'0') * ((1u32 << (17 - i)) % 11))
            .sum();
        match (12 - sum % 11) % 11 {
            10 => 'X',
            v => char::from_digit(v, 10).expect("below ten"),
        }
    }

    /// A valid ID number from its first 17 digits.
    fn id(first17: &str) -> String {
        format!("{first17}{}", check_char(first17))
    }

    /// The Luhn check digit of `body`, by the usual recipe (double every
    /// second digit from the right, starting with the last).
    fn luhn_digit(body: &str) -> char {
        let sum: u32 = body
            .bytes()
            .rev()
            .enumerate()
            .map(|(k, b)| {
                let d = u32::from(b - b'0');
                if k % 2 == 0 {
                    (d * 2) / 10 + (d * 2) % 10
                } else {
                    d
                }
            })
            .sum();
        char::from_digit((10 - sum % 10) % 10, 10).expect("below ten")
    }

    /// A valid card number from all its digits but the last.
    fn card(body: &str) -> String {
        format!("{body}{}", luhn_digit(body))
    }

    /// What `text` is found to hold, as (kind, matched text).
    fn found(text: &str) -> Vec<(Kind, String)> {
        Detectors::default()
            .scan(text)
            .into_iter()
            .map(|f| (f.kind, f.matched))
            .collect()
    }

    /// Asserts that `text` holds exactly `expected` (kind, matched text),
    /// in order, and that each finding's range is its matched text.
    fn check(text: &str, expected: &[(Kind, &str)]) {
        let findings = Detectors::default().scan(text);
        for f in &findings {
            assert_eq!(&text[f.range.clone()], f.matched, "{text}");
        }
        let got: Vec<(Kind, &str)> = findings
            .iter()
            .map(|f| (f.kind, f.matched.as_str()))
            .collect();
        assert_eq!(got, expected, "in {text}");
    }

    #[test]
    fn the_test_helpers_agree_with_published_examples() {
        // GB 11643-1999's own example, and well-known card test numbers.
        assert_eq!(id("11010519491231002"), "11010519491231002X");
        assert_eq!(card("411111111111111"), "4111111111111111");
        assert_eq!(card("620000000000000"), "6200000000000005");
    }

    #[test]
    fn a_resident_id_in_a_contact_line_is_found_and_masked() {
        let number = id("37020219900307123");
        let text = format!("联系人：张三，身份证号码{number}，联系电话0532-85912345。");
        let findings = Detectors::default().scan(&text);
        assert_eq!(findings.len(), 1, "{findings:?}");
        let f = &findings[0];
        assert_eq!(f.kind, Kind::ResidentId);
        assert_eq!(f.matched, number);
        let start = text.find(&number).expect("the number is in the text");
        assert_eq!(f.range, start..start + 18);
        assert_eq!(f.masked, format!("370202********{}", &number[14..]));
        assert_eq!(f.word, None);
    }

    #[test]
    fn an_id_ending_in_x_is_found_in_either_case() {
        check(
            "申请人身份证：11010519491231002X。",
            &[(Kind::ResidentId, "11010519491231002X")],
        );
        let found = Detectors::default().scan("证件号11010519491231002x");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].matched, "11010519491231002x");
        assert_eq!(found[0].masked, "110105********002X");
    }

    #[test]
    fn a_resident_id_with_a_wrong_check_digit_is_not_reported() {
        let good = id("37020219900307123");
        let last = good.as_bytes()[17];
        let wrong: Vec<String> = "0123456789X"
            .bytes()
            .filter(|&b| b != last)
            .map(|b| format!("{}{}", &good[..17], char::from(b)))
            .collect();
        assert_eq!(wrong.len(), 10);
        for number in wrong {
            // 37… is no card network's prefix for 18 digits, so nothing
            // at all is found.
            check(&format!("身份证号码{number}。"), &[]);
        }
    }

    #[test]
    fn an_id_inside_a_longer_run_of_digits_or_letters_is_not_reported() {
        let number = id("37020219900307123");
        for text in [
            format!("编号1{number}"),
            format!("编号{number}7"),
            format!("编号A{number}"),
            format!("编号{number}b"),
            format!("{number}{number}"),
        ] {
            check(&text, &[]);
        }
        // Punctuation or CJK either side is a boundary.
        check(
            &format!("（{number}）"),
            &[(Kind::ResidentId, number.as_str())],
        );
    }

    #[test]
    fn an_id_with_an_impossible_date_or_province_is_not_reported() {
        // 2000 was a leap year, 1900 and 2100 were not.
        check(
            &format!("号码{}。", id("37020220000229123")),
            &[(Kind::ResidentId, id("37020220000229123").as_str())],
        );
        for first17 in [
            "37020219000229123", // 1900-02-29
            "37020221000229123", // 2100-02-29
            "37020218991231123", // before 1900
            "37020221010101123", // after 2100
            "37020219901301123", // month 13
            "37020219900431123", // 31 April
            "37020219900300123", // day 0
            "19020219900307123", // no province 19
            "11370200004187645", // a credit code's digits: year 0041
        ] {
            check(&format!("号码{}。", id(first17)), &[]);
        }
    }

    #[test]
    fn full_width_digits_are_found_and_ranges_point_into_the_original() {
        let number = id("37020219900307123");
        let wide: String = number
            .chars()
            .map(|c| char::from_u32(u32::from(c) + 0xFEE0).expect("a full-width form"))
            .collect();
        let text = format!("身份证号码：{wide}，手机：１３８１２３４５６７８。");
        let findings = Detectors::default().scan(&text);
        assert_eq!(findings.len(), 2, "{findings:?}");
        assert_eq!(findings[0].kind, Kind::ResidentId);
        assert_eq!(findings[0].matched, wide);
        assert_eq!(&text[findings[0].range.clone()], wide);
        assert_eq!(
            findings[0].masked,
            format!("370202********{}", &number[14..])
        );
        assert_eq!(findings[1].kind, Kind::Mobile);
        assert_eq!(findings[1].matched, "１３８１２３４５６７８");
        assert_eq!(findings[1].masked, "138****5678");
    }

    #[test]
    fn a_mobile_number_is_found_whole_spaced_dashed_and_after_86() {
        for (text, matched) in [
            ("手机13812345678。", "13812345678"),
            ("手机：138 1234 5678，", "138 1234 5678"),
            ("手机：138-1234-5678，", "138-1234-5678"),
            ("电话+8613812345678", "+8613812345678"),
            ("电话 +86 138 1234 5678", "+86 138 1234 5678"),
            ("电话86-13812345678。", "86-13812345678"),
            (
                "电话：１３９－１２３４－５６７８",
                "１３９－１２３４－５６７８",
            ),
        ] {
            check(text, &[(Kind::Mobile, matched)]);
            let masked = &Detectors::default().scan(text)[0].masked;
            assert!(
                masked.starts_with("13") && masked.contains("****"),
                "{masked}"
            );
        }
    }

    #[test]
    fn office_lines_hotlines_and_amounts_are_not_mobile_numbers() {
        for text in [
            "咨询电话：0532-85912345，政务服务便民热线12345。",
            "监督电话０５３２－８５９１２３４５",
            "市场主体达1380000000元。",
            "项目总投资15000000000元，",
            "登记编号138123456789。",
            "登记编号1381234567。",
            "编号0532-13812345678",
            "编号13812345678-2",
            "型号AB13812345678",
            "比例为3.13812345678",
            "号码138 1234 5678 9012",
            "号码12812345678",
        ] {
            check(text, &[]);
        }
    }

    #[test]
    fn a_bank_card_passing_luhn_with_a_network_prefix_is_found_and_masked() {
        let unionpay = card("622202123456789");
        let long = card("621700123456789012");
        let grouped = |n: &str, sep: &str| {
            n.as_bytes()
                .chunks(4)
                .map(|c| std::str::from_utf8(c).expect("ASCII"))
                .collect::<Vec<_>>()
                .join(sep)
        };
        let text = format!(
            "收款人：李四，开户行：某银行，卡号{unionpay}；另一卡号{}；外币卡{}。",
            grouped(&long, " "),
            grouped(&card("411111111111111"), "-"),
        );
        let findings = Detectors::default().scan(&text);
        let got: Vec<(Kind, &str)> = findings
            .iter()
            .map(|f| (f.kind, f.masked.as_str()))
            .collect();
        let masked_long = format!("6217 **** **** *** {}", &long[15..]);
        let masked_unionpay = format!("6222 **** **** {}", &unionpay[12..]);
        assert_eq!(
            got,
            [
                (Kind::BankCard, masked_unionpay.as_str()),
                (Kind::BankCard, masked_long.as_str()),
                (Kind::BankCard, "4111 **** **** 1111"),
            ]
        );
    }

    #[test]
    fn a_serial_failing_luhn_or_without_a_network_prefix_is_not_a_bank_card() {
        let good = card("622202123456789012");
        let last = good.as_bytes()[18] - b'0';
        let bad = format!("{}{}", &good[..18], (last + 1) % 10);
        check(&format!("流水号{bad}。"), &[]);
        // Luhn right, but 19 digits starting 37 or 12 are no card.
        check(&format!("账号{}。", card("370202010900012345")), &[]);
        check(&format!("账号{}。", card("120202010900012345")), &[]);
        // A card number inside a longer run is not one.
        check(&format!("序列号9{good}"), &[]);
        let sixteen = card("622202123456789");
        let spaced: Vec<&str> = (0..4).map(|k| &sixteen[4 * k..4 * k + 4]).collect();
        check(&format!("序列号{} 1234", spaced.join(" ")), &[]);
    }

    #[test]
    fn a_number_that_is_both_an_id_and_a_card_is_reported_once_as_an_id() {
        // A Gansu (62) number whose check digit also makes Luhn right.
        let number = (100..1000)
            .map(|seq| id(&format!("62010219850615{seq}")))
            .find(|n| !n.ends_with('X') && luhn_digit(&n[..17]) == char::from(n.as_bytes()[17]))
            .expect("one sequence number in ten or so");
        assert!(is_card_network(&number) && luhn(&number), "a card too");
        check(
            &format!("身份证号码{number}。"),
            &[(Kind::ResidentId, number.as_str())],
        );
    }

    #[test]
    fn document_numbers_dates_and_article_numbers_are_not_findings() {
        let notice = "青岛市人民政府办公厅关于印发2025年青岛市政务公开工作要点的通知\n\
            各区、市人民政府，青岛西海岸新区管委，市政府各部门，市直各单位：\n\
            根据《山东省人民政府办公厅关于印发2025年山东省政务公开工作要点的通知》\
            (鲁政办发〔2025〕5号)要求，制定本要点。依据《中华人民共和国政府信息公开条例》\
            第二十条、第21条规定，于20250516前完成。联系电话：0532-85912345，\
            传真：(0532)85912346，热线12345，邮编266071。\
            预算安排资金1380000000元，统一社会信用代码11370200004187645K。\
            青岛市人民政府办公厅 2025年5月16日";
        check(notice, &[]);
    }

    #[test]
    fn a_home_address_down_to_the_room_is_found_with_the_room_masked() {
        let text = "住址：青岛市市南区香港中路88号3号楼2单元501室，联系电话见附件。";
        let findings = Detectors::default().scan(text);
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].kind, Kind::RoomAddress);
        assert_eq!(
            findings[0].matched,
            "青岛市市南区香港中路88号3号楼2单元501室"
        );
        assert_eq!(
            findings[0].masked,
            "青岛市市南区香港中路88号3号楼2单元***室"
        );

        for (text, matched) in [
            (
                "家住阳光小区三号楼二单元１２０２室。",
                "家住阳光小区三号楼二单元１２０２室",
            ),
            ("现住某某村15号201户，", "现住某某村15号201户"),
            (
                "住所：崂山区海尔路1号院12栋3单元5层502室",
                "崂山区海尔路1号院12栋3单元5层502室",
            ),
            (
                "地址为市南区东海西路东段8号1201室。",
                "地址为市南区东海西路东段8号1201室",
            ),
        ] {
            check(text, &[(Kind::RoomAddress, matched)]);
        }
    }

    #[test]
    fn an_office_address_without_a_room_is_not_reported() {
        for text in [
            "办公地址：青岛市市南区香港中路11号。",
            "地址：市北区敦化路328号，邮编266071。",
            "受理地点：市民中心3号楼，工作日受理。",
            "全村共有120户，其中3号楼60户。",
            "依照第5号令第201条规定。",
            "某某大厦5楼501室",
            "香港中路11号，501室",
        ] {
            check(text, &[]);
        }
    }

    #[test]
    fn listed_words_are_found_at_every_occurrence_whatever_the_width_or_case() {
        let detectors = Detectors::new(vec![
            "  张三 ".to_string(),
            String::new(),
            "ABC公司".to_string(),
            "abc公司".to_string(),
        ]);
        assert_eq!(detectors.words(), ["张三", "ABC公司"]);
        let text = "张三与ａｂｃ公司签约，张三签字；Abc公司盖章。";
        let findings = detectors.scan(text);
        let got: Vec<(&str, Option<&str>)> = findings
            .iter()
            .map(|f| (f.matched.as_str(), f.word.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("张三", Some("张三")),
                ("ａｂｃ公司", Some("ABC公司")),
                ("张三", Some("张三")),
                ("Abc公司", Some("ABC公司")),
            ]
        );
        for f in &findings {
            assert_eq!(f.kind, Kind::Word);
            assert_eq!(f.masked, f.matched);
            assert_eq!(&text[f.range.clone()], f.matched);
        }
    }

    #[test]
    fn findings_of_every_kind_come_in_order_without_overlaps() {
        let number = id("37020219900307123");
        let text = format!(
            "当事人张三，身份证号码{number}，手机138 1234 5678，\
             住青岛市市南区香港中路88号3号楼2单元501室，银行卡号{}。",
            card("622202123456789")
        );
        let findings = Detectors::new(vec!["张三".into(), "香港中路".into()]).scan(&text);
        let kinds: Vec<Kind> = findings.iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            [
                Kind::Word,
                Kind::ResidentId,
                Kind::Mobile,
                Kind::RoomAddress,
                Kind::BankCard
            ],
            "{findings:?}"
        );
        for pair in findings.windows(2) {
            assert!(pair[0].range.end <= pair[1].range.start, "{pair:?}");
        }
    }

    /// A small deterministic generator (xorshift64*), so the loop test
    /// needs no dependency and fails the same way every time.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
        }
    }

    #[test]
    fn generated_ids_in_sentences_are_found_once_and_a_wrong_check_digit_never() {
        let mut rng = Rng(0x5eed_1234_abcd_0001);
        let before = [
            "身份证号码",
            "（",
            "申请人：王五，证件号码：",
            "",
            "身份证号 ",
        ];
        let after = ["", "。", "）", "，联系电话0532-85912345。", "号"];
        for _ in 0..2000 {
            let province = PROVINCES[rng.below(PROVINCES.len() as u64) as usize];
            let first17 = format!(
                "{province}{:04}{}{:02}{:02}{:03}",
                rng.below(10_000),
                1900 + rng.below(201),
                1 + rng.below(12),
                1 + rng.below(28),
                rng.below(1000)
            );
            let number = id(&first17);
            let head = before[rng.below(before.len() as u64) as usize];
            let tail = after[rng.below(after.len() as u64) as usize];
            let text = format!("{head}{number}{tail}");

            let findings = Detectors::default().scan(&text);
            assert_eq!(findings.len(), 1, "{text}: {findings:?}");
            assert_eq!(findings[0].kind, Kind::ResidentId, "{text}");
            assert_eq!(findings[0].range, head.len()..head.len() + 18, "{text}");
            assert_eq!(
                findings[0].masked,
                format!("{}********{}", &number[..6], &number[14..])
            );

            // Any wrong check character, except the one digit that would
            // make the run a valid card number, leaves nothing to find.
            let luhn = luhn_digit(&first17);
            let wrong = "0123456789X"
                .chars()
                .find(|&c| c != check_char(&first17) && c != luhn)
                .expect("eleven characters, two excluded");
            let text = format!("{head}{first17}{wrong}{tail}");
            let findings = Detectors::default().scan(&text);
            assert!(findings.is_empty(), "{text}: {findings:?}");
        }
    }

    #[test]
    fn the_reference_corpus_holds_no_personal_numbers_or_addresses() {
        let files = wenku_test_support::paths::corpus_files();
        assert!(files.len() > 20, "the corpus is there: {files:?}");
        let detectors = Detectors::default();
        for file in files {
            let text = std::fs::read_to_string(&file).expect("the corpus is UTF-8");
            let findings = detectors.scan(&text);
            assert!(findings.is_empty(), "{}: {findings:?}", file.display());
        }
    }

    #[test]
    fn kinds_have_stable_names_and_chinese_labels() {
        let kinds = [
            Kind::ResidentId,
            Kind::Mobile,
            Kind::BankCard,
            Kind::RoomAddress,
            Kind::Word,
        ];
        let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
        assert_eq!(
            names,
            ["resident-id", "mobile", "bank-card", "room-address", "word"]
        );
        let labels: Vec<&str> = kinds.iter().map(|k| k.label()).collect();
        assert_eq!(
            labels,
            [
                "居民身份证号码",
                "手机号码",
                "银行卡号",
                "门牌地址",
                "敏感词"
            ]
        );
        assert!(found("").is_empty());
    }
}
