//! Alignment: which unit of the old version became which unit of the new
//! one, judged by content, never by number.
//!
//! 1. **Anchors.** Units whose folded text is identical on both sides are
//!    paired at once by hash; they cost nothing more.
//! 2. **Candidates.** Every other pair of the same element sharing enough
//!    character bigrams (Dice ≥ `min_similarity`) is a candidate; an inverted
//!    index over bigrams means only pairs that share something are looked
//!    at, which keeps a complete revision (公司法 2018→2023, 218 × 266
//!    articles) cheap.
//! 3. **Ordered alignment.** The heaviest chain of candidates increasing on
//!    both sides is taken (a sparse LCS weighted by similarity, with a small
//!    bonus for lying near the diagonal, so position breaks ties between
//!    equal texts). Insertions and deletions renumber everything after them
//!    without disturbing this.
//! 4. **Moves.** Units left over on both sides are paired greedily, most
//!    similar first, if similar enough (`min_move_similarity`): they
//!    crossed other units.
//! 5. **Splits and merges.** A left-over new unit whose bigrams mostly come
//!    from the old unit its neighbour was paired with, and which makes that
//!    pairing more complete, joins it as a piece of a split; symmetrically
//!    for left-over old units and merges.
//! 6. **Divisions.** Chapters (and 编, 分编, 节) are paired by heading
//!    similarity and by how many of their units were paired with each
//!    other's, in order, kind by kind.
//! 7. **Rewrites.** Where exactly one old unit and one new unit, both
//!    left over, sit between the same two neighbours of the ordered
//!    alignment, in corresponding chapters, of the same element and with
//!    the same number once the neighbours' renumbering is accounted for,
//!    they are paired although their texts share little (Dice ≥
//!    `min_rewrite_similarity`): an article rewritten in place
//!    ("将第五十七条修改为…"). A unit left over anywhere else stays deleted
//!    or added, so a revision that drops one article and adds an unrelated
//!    one elsewhere keeps them apart.

use std::collections::{HashMap, VecDeque};

use wenku_model::UnitKind;

use crate::Options;
use crate::comparison::Element;
use crate::outline::{Node, Outline, Parent};
use crate::similarity::{Index, Profile, dice, lcs_len, profile, score};

/// Old units paired with new units: 1:1, 1:n (split) or n:1 (merge).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Group {
    /// Old units, in order.
    pub old: Vec<usize>,
    /// New units, in order.
    pub new: Vec<usize>,
    /// Dice similarity of the first pair.
    pub similarity: f32,
    /// Part of the ordered alignment (not a move across it).
    pub in_order: bool,
    /// Paired by place, not by content: a unit rewritten in place.
    pub rewritten: bool,
}

impl Group {
    /// The units of `side`, then those of the other side.
    fn sides(&self, side: Side) -> (&Vec<usize>, &Vec<usize>) {
        match side {
            Side::Old => (&self.old, &self.new),
            Side::New => (&self.new, &self.old),
        }
    }
}

/// The alignment of two outlines.
#[derive(Clone, Debug, Default)]
pub(crate) struct Alignment {
    pub groups: Vec<Group>,
    /// For each old unit, its group.
    pub old_group: Vec<Option<usize>>,
    /// For each new unit, its group.
    pub new_group: Vec<Option<usize>>,
    /// For each old division, the new division it became.
    pub old_division: Vec<Option<usize>>,
    /// For each new division, the old division it was, and how alike their
    /// headings are.
    pub new_division: Vec<Option<(usize, f32)>>,
}

/// Units longer than this (in UTF-8 bytes, some 10,000 characters) are
/// not considered for splits and merges: the character measure costs their
/// length squared over 64.
const MAX_SPLIT_BYTES: usize = 30_000;

/// The first and last old and new unit of a group.
#[derive(Clone, Copy, Debug)]
struct Span {
    old: (usize, usize),
    new: (usize, usize),
}

/// Which version a unit is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Old,
    New,
}

/// The old and the new units with one text.
type Copies = (Vec<usize>, Vec<usize>);

/// A candidate pair.
#[derive(Clone, Copy, Debug)]
struct Candidate {
    old: usize,
    new: usize,
    similarity: f32,
    weight: f64,
}

/// Which elements may be paired: articles with articles, outline entries of
/// any level with each other, and so on.
fn class(e: Element) -> u8 {
    match e {
        Element::Unit(UnitKind::Article) => 0,
        Element::Unit(UnitKind::Entry(_)) => 1,
        Element::Unit(UnitKind::Cover) => 2,
        Element::Unit(UnitKind::Attachment) => 3,
        Element::Unit(UnitKind::Item) => 4,
        Element::Unit(UnitKind::Subitem) => 5,
        Element::Paragraph => 6,
        Element::Unit(UnitKind::Part) => 7,
        Element::Unit(UnitKind::Subpart) => 8,
        Element::Unit(UnitKind::Chapter) => 9,
        Element::Unit(UnitKind::Section) => 10,
        Element::Title => 11,
        Element::Note => 12,
    }
}

/// Character-bigram profiles, computed only for units that need one.
struct Profiles<'o, 'a> {
    nodes: &'o [Node<'a>],
    cache: Vec<Option<Profile>>,
}

impl<'o, 'a> Profiles<'o, 'a> {
    fn new(nodes: &'o [Node<'a>]) -> Self {
        Profiles {
            nodes,
            cache: vec![None; nodes.len()],
        }
    }

    fn get(&mut self, i: usize) -> &Profile {
        let nodes = self.nodes;
        self.cache[i].get_or_insert_with(|| profile(&nodes[i].folded))
    }
}

/// Aligns the units and divisions of two outlines.
pub(crate) fn align(old: &Outline, new: &Outline, options: &Options) -> Alignment {
    let (n, m) = (old.units.len(), new.units.len());
    let mut a = Alignment {
        groups: Vec::new(),
        old_group: vec![None; n],
        new_group: vec![None; m],
        old_division: vec![None; old.divisions.len()],
        new_division: vec![None; new.divisions.len()],
    };
    let mut old_p = Profiles::new(&old.units);
    let mut new_p = Profiles::new(&new.units);
    let t = options.min_similarity.clamp(0.0, 1.0);
    let diagonal = |i: usize, j: usize| {
        let x = (i as f64 + 0.5) / n.max(1) as f64;
        let y = (j as f64 + 0.5) / m.max(1) as f64;
        1e-3 * (1.0 - (x - y).abs())
    };
    let weight = |s: f32, i: usize, j: usize| f64::from(s) - 0.75 * f64::from(t) + diagonal(i, j);

    // 1. Anchors: identical folded text.
    let mut same: HashMap<(u8, &str), Copies> = HashMap::new();
    for (i, u) in old.units.iter().enumerate() {
        same.entry((class(u.element), &u.folded))
            .or_default()
            .0
            .push(i);
    }
    for (j, u) in new.units.iter().enumerate() {
        if let Some(e) = same.get_mut(&(class(u.element), u.folded.as_str())) {
            e.1.push(j);
        }
    }
    let mut candidates = Vec::new();
    let mut exact_old = vec![false; n];
    let mut exact_new = vec![false; m];
    for (olds, news) in same.values() {
        if news.is_empty() {
            continue;
        }
        let mut pair = |i: usize, j: usize| {
            exact_old[i] = true;
            exact_new[j] = true;
            candidates.push(Candidate {
                old: i,
                new: j,
                similarity: 1.0,
                weight: weight(1.0, i, j),
            });
        };
        if olds.len() * news.len() <= 64 {
            for &i in olds {
                for &j in news {
                    pair(i, j);
                }
            }
        } else {
            // Many copies of one text (empty placeholders): pair in order.
            for (&i, &j) in olds.iter().zip(news) {
                pair(i, j);
            }
        }
    }

    // 2. Candidates among the rest, through an inverted bigram index.
    let rest_old: Vec<usize> = (0..n).filter(|&i| !exact_old[i]).collect();
    let rest_new: Vec<usize> = (0..m).filter(|&j| !exact_new[j]).collect();
    similar_pairs(
        old,
        new,
        &rest_old,
        &rest_new,
        &mut old_p,
        &mut new_p,
        t,
        |i, j, s| {
            candidates.push(Candidate {
                old: i,
                new: j,
                similarity: s,
                weight: weight(s, i, j),
            })
        },
    );

    // 3. The heaviest ordered chain.
    for c in heaviest_chain(candidates, m) {
        a.pair(vec![c.old], vec![c.new], c.similarity, true);
    }

    // 4. Moves: greedy among the left-overs.
    let free_old: Vec<usize> = (0..n).filter(|&i| a.old_group[i].is_none()).collect();
    let free_new: Vec<usize> = (0..m).filter(|&j| a.new_group[j].is_none()).collect();
    let mut moves = Vec::new();
    let tm = options.min_move_similarity.clamp(0.0, 1.0);
    similar_pairs(
        old,
        new,
        &free_old,
        &free_new,
        &mut old_p,
        &mut new_p,
        tm,
        |i, j, s| {
            moves.push(Candidate {
                old: i,
                new: j,
                similarity: s,
                weight: diagonal(i, j),
            })
        },
    );
    moves.sort_by(|x, y| {
        y.similarity
            .total_cmp(&x.similarity)
            .then(y.weight.total_cmp(&x.weight))
            .then(x.old.cmp(&y.old))
            .then(x.new.cmp(&y.new))
    });
    for c in moves {
        if a.old_group[c.old].is_none() && a.new_group[c.new].is_none() {
            a.pair(vec![c.old], vec![c.new], c.similarity, false);
        }
    }

    // 5. Splits and merges.
    if options.detect_splits {
        a.splits(old, new, &mut old_p, &mut new_p);
    }

    // 6. Divisions.
    a.divisions(old, new, options);

    // 7. Rewrites in place.
    a.rewrites(
        old,
        new,
        &mut old_p,
        &mut new_p,
        options.min_rewrite_similarity,
    );
    a
}

/// Calls `found(old, new, similarity)` for every pair of `olds` × `news`
/// of the same class whose similarity is at least `threshold`.
#[allow(clippy::too_many_arguments)]
fn similar_pairs(
    old: &Outline,
    new: &Outline,
    olds: &[usize],
    news: &[usize],
    old_p: &mut Profiles,
    new_p: &mut Profiles,
    threshold: f32,
    mut found: impl FnMut(usize, usize, f32),
) {
    if olds.is_empty() || news.is_empty() {
        return;
    }
    for &i in olds {
        old_p.get(i);
    }
    let index = Index::new(olds.iter().map(|&i| {
        let p = old_p.cache[i]
            .as_ref()
            .expect("profiles of every old unit were just computed");
        (i as u32, p)
    }));
    let mut counts = vec![0u32; old.units.len()];
    let mut touched = Vec::new();
    for &j in news {
        let q = new_p.get(j);
        index.count_shared(q, &mut counts, &mut touched);
        let class_j = class(new.units[j].element);
        for &i in &touched {
            let i = i as usize;
            let p = old_p.cache[i].as_ref().map_or(0, Vec::len);
            let s = score(counts[i] as usize, p, q.len());
            counts[i] = 0;
            if s >= threshold && class(old.units[i].element) == class_j {
                found(i, j, s);
            }
        }
        touched.clear();
    }
}

/// The chain of candidates strictly increasing in both old and new index
/// with the greatest total weight (a weighted, sparse longest common
/// subsequence), in order. `m` bounds the new indices.
fn heaviest_chain(mut candidates: Vec<Candidate>, m: usize) -> Vec<Candidate> {
    candidates.retain(|c| c.weight > 0.0);
    // By old index; within one old index by decreasing new index, so that
    // two candidates of one old unit never chain.
    candidates.sort_by(|x, y| x.old.cmp(&y.old).then(y.new.cmp(&x.new)));
    // A Fenwick tree over new indices holding the best chain ending at or
    // below each position: (total weight, candidate).
    let mut tree: Vec<(f64, usize)> = vec![(0.0, usize::MAX); m + 1];
    let mut previous = vec![usize::MAX; candidates.len()];
    let mut best = (0.0, usize::MAX);
    for (k, c) in candidates.iter().enumerate() {
        // Best chain ending strictly before new index c.new.
        let mut before = (0.0, usize::MAX);
        let mut pos = c.new;
        while pos > 0 {
            if tree[pos].0 > before.0 {
                before = tree[pos];
            }
            pos &= pos - 1;
        }
        let total = before.0 + c.weight;
        previous[k] = before.1;
        if total > best.0 {
            best = (total, k);
        }
        let mut pos = c.new + 1;
        while pos <= m {
            if total > tree[pos].0 {
                tree[pos] = (total, k);
            }
            pos += pos & pos.wrapping_neg();
        }
    }
    let mut chain = Vec::new();
    let mut k = best.1;
    while k != usize::MAX {
        chain.push(candidates[k]);
        k = previous[k];
    }
    chain.reverse();
    chain
}

impl Alignment {
    fn pair(&mut self, old: Vec<usize>, new: Vec<usize>, similarity: f32, in_order: bool) {
        let g = self.groups.len();
        for &i in &old {
            self.old_group[i] = Some(g);
        }
        for &j in &new {
            self.new_group[j] = Some(g);
        }
        self.groups.push(Group {
            old,
            new,
            similarity,
            in_order,
            rewritten: false,
        });
    }

    /// Pairs the one left-over old unit and the one left-over new unit
    /// between two neighbouring groups of the ordered alignment, when they
    /// stand in the same place (see [`Alignment::same_place`]) and share
    /// at least `min_similarity` of their bigrams.
    fn rewrites<'o, 'a>(
        &mut self,
        old: &Outline,
        new: &Outline,
        old_p: &mut Profiles<'o, 'a>,
        new_p: &mut Profiles<'o, 'a>,
        min_similarity: f32,
    ) {
        // Each in-order group's first and last unit on both sides, in
        // reading order (the chain increases on both sides; splits and
        // merges only widen a group over its neighbours).
        let mut spans: Vec<Span> = self
            .groups
            .iter()
            .filter(|g| g.in_order)
            .filter_map(|g| {
                Some(Span {
                    old: (*g.old.iter().min()?, *g.old.iter().max()?),
                    new: (*g.new.iter().min()?, *g.new.iter().max()?),
                })
            })
            .collect();
        spans.sort_by_key(|s| s.old);
        let mut found = Vec::new();
        let mut previous: Option<Span> = None;
        for next in spans.iter().copied().map(Some).chain([None]) {
            let start = previous.map_or((0, 0), |p| (p.old.1 + 1, p.new.1 + 1));
            let end = next.map_or((old.units.len(), new.units.len()), |n| (n.old.0, n.new.0));
            let (i, j) = (start.0, start.1);
            if end.0 == i + 1
                && end.1 == j + 1
                && self.old_group[i].is_none()
                && self.new_group[j].is_none()
                && self.same_place(old, new, (i, j), [previous, next])
            {
                found.push((i, j));
            }
            previous = next;
        }
        for (i, j) in found {
            let similarity = dice(old_p.get(i), new_p.get(j));
            if similarity < min_similarity {
                continue;
            }
            self.pair(vec![i], vec![j], similarity, true);
            if let Some(g) = self.groups.last_mut() {
                g.rewritten = true;
            }
        }
    }

    /// Whether old unit `i` and new unit `j`, the only units between the
    /// same two neighbours, stand in the same place: same element, in
    /// corresponding parents, and carrying the same number once the
    /// renumbering of a neighbour of their element is accounted for (69
    /// between 68 → 70 and 70 → 72 answers to 71). Of units without
    /// numbers only the title and the notes under it do (a new title is
    /// the old one renamed); nothing says a loose paragraph took another's
    /// place.
    fn same_place(
        &self,
        old: &Outline,
        new: &Outline,
        (i, j): (usize, usize),
        neighbours: [Option<Span>; 2],
    ) -> bool {
        let (a, b) = (&old.units[i], &new.units[j]);
        if class(a.element) != class(b.element) || !self.parents_correspond(a.parent, b.parent) {
            return false;
        }
        let (x, y) = match (a.number, b.number) {
            (Some(x), Some(y)) => (x, y),
            (None, None) => return a.element.is_front_matter(),
            _ => return false,
        };
        if x.sub != y.sub {
            return false;
        }
        let offsets: Vec<i64> = neighbours
            .iter()
            .zip([true, false])
            .filter_map(|(span, before)| {
                let span = span.as_ref()?;
                // The neighbour next to the gap on each side.
                let (p, q) = if before {
                    (span.old.1, span.new.1)
                } else {
                    (span.old.0, span.new.0)
                };
                let (np, nq) = (&old.units[p], &new.units[q]);
                let comparable = class(np.element) == class(a.element)
                    && np.depth == a.depth
                    && nq.depth == b.depth;
                match (np.number, nq.number) {
                    (Some(u), Some(v)) if comparable => Some(i64::from(v.main) - i64::from(u.main)),
                    _ => None,
                }
            })
            .collect();
        let moved_by = i64::from(y.main) - i64::from(x.main);
        if offsets.is_empty() {
            moved_by == 0
        } else {
            offsets.contains(&moved_by)
        }
    }

    /// Whether a unit's old parent became its new parent.
    fn parents_correspond(&self, old: Option<Parent>, new: Option<Parent>) -> bool {
        match (old, new) {
            (None, None) => true,
            (Some(Parent::Division(x)), Some(Parent::Division(y))) => {
                self.old_division[x] == Some(y)
            }
            (Some(Parent::Unit(p)), Some(Parent::Unit(q))) => {
                self.old_group[p].is_some_and(|g| self.groups[g].new.contains(&q))
            }
            _ => false,
        }
    }

    /// Grows 1:1 pairs into splits and merges with their free neighbours.
    fn splits<'o, 'a>(
        &mut self,
        old: &Outline,
        new: &Outline,
        old_p: &mut Profiles<'o, 'a>,
        new_p: &mut Profiles<'o, 'a>,
    ) {
        // A free unit can only join once a neighbour has a group, so after
        // a first pass only the neighbours of units that joined need another
        // look.
        let mut queue: VecDeque<(Side, usize)> = (0..new.units.len())
            .map(|j| (Side::New, j))
            .chain((0..old.units.len()).map(|i| (Side::Old, i)))
            .collect();
        let mut covered = HashMap::new();
        while let Some((side, k)) = queue.pop_front() {
            let joined = self.group_of(side, k).is_none()
                && self.grow(side, k, old, new, old_p, new_p, &mut covered);
            if joined {
                queue.extend(
                    [k.checked_sub(1), k.checked_add(1)]
                        .into_iter()
                        .flatten()
                        .map(|n| (side, n)),
                );
            }
        }
    }

    /// Tries to add free unit `k` of `side` to a neighbour's group: a new
    /// unit to the split of an old one, an old unit to the merge into a new
    /// one; of two neighbours, the one it shares more text with.
    #[allow(clippy::too_many_arguments)]
    fn grow<'o, 'a>(
        &mut self,
        side: Side,
        k: usize,
        old: &Outline,
        new: &Outline,
        old_p: &mut Profiles<'o, 'a>,
        new_p: &mut Profiles<'o, 'a>,
        covered: &mut HashMap<usize, usize>,
    ) -> bool {
        // `from`: the side of the free unit and the pieces; `to`: the side
        // of the one whole unit they are pieces of.
        let (from, to, from_p, to_p) = match side {
            Side::New => (new, old, new_p, old_p),
            Side::Old => (old, new, old_p, new_p),
        };
        let mut best: Option<(usize, usize, Vec<usize>)> = None;
        for neighbour in [k.checked_sub(1), k.checked_add(1)].into_iter().flatten() {
            let Some(g) = self.group_of(side, neighbour) else {
                continue;
            };
            let (pieces, wholes) = self.groups[g].sides(side);
            if wholes.len() != 1
                || class(from.units[k].element) != class(from.units[neighbour].element)
                || !is_piece(
                    &from_p.get(k).clone(),
                    &pieces
                        .iter()
                        .map(|&p| from_p.get(p).clone())
                        .collect::<Vec<_>>(),
                    to_p.get(wholes[0]),
                )
            {
                continue;
            }
            let whole = &to.units[wholes[0]].folded;
            if whole.len() > MAX_SPLIT_BYTES {
                continue;
            }
            let mut pieces = pieces.clone();
            let before = *covered
                .entry(g)
                .or_insert_with(|| lcs_len(whole, &joined(from, &pieces)));
            let piece = &from.units[k].folded;
            if piece.len() > MAX_SPLIT_BYTES {
                continue;
            }
            let room = whole.chars().count().saturating_sub(before);
            if !completes(room, piece, piece.chars().count(), whole) {
                // Even if all of the piece matched, too little is left.
                continue;
            }
            let own = own_chars(piece, from, &pieces);
            let others = joined(from, &pieces);
            pieces.push(k);
            pieces.sort_unstable();
            let after = cover(whole, &joined(from, &pieces), piece, &others);
            let gain = after.saturating_sub(before);
            if completes(gain, piece, own, whole) && best.as_ref().is_none_or(|b| gain > b.1) {
                best = Some((g, gain, pieces));
            }
        }
        let Some((g, _, pieces)) = best else {
            return false;
        };
        covered.remove(&g);
        match side {
            Side::New => {
                self.groups[g].new = pieces;
                self.new_group[k] = Some(g);
            }
            Side::Old => {
                self.groups[g].old = pieces;
                self.old_group[k] = Some(g);
            }
        }
        true
    }

    /// The group of unit `k` of `side`, if it has one.
    fn group_of(&self, side: Side, k: usize) -> Option<usize> {
        match side {
            Side::Old => self.old_group.get(k).copied().flatten(),
            Side::New => self.new_group.get(k).copied().flatten(),
        }
    }

    /// Pairs divisions of each kind by heading and by the units they share.
    fn divisions(&mut self, old: &Outline, new: &Outline, options: &Options) {
        let (dn, dm) = (old.divisions.len(), new.divisions.len());
        if dn == 0 || dm == 0 {
            return;
        }
        // How many paired units lie under each pair of divisions.
        let mut together: HashMap<(usize, usize), usize> = HashMap::new();
        for g in &self.groups {
            for &i in &g.old {
                for &j in &g.new {
                    for &x in &old.units[i].divisions {
                        for &y in &new.units[j].divisions {
                            *together.entry((x, y)).or_default() += 1;
                        }
                    }
                }
            }
        }
        // The pairs worth scoring: all of them for documents of ordinary
        // size; otherwise those that share units or a heading, so that a
        // document with thousands of divisions stays linear.
        let pairs: Vec<(usize, usize)> = if dn * dm <= 1 << 16 {
            (0..dn).flat_map(|x| (0..dm).map(move |y| (x, y))).collect()
        } else {
            let mut by_heading: HashMap<&str, Vec<usize>> = HashMap::new();
            for (y, d) in new.divisions.iter().enumerate() {
                by_heading.entry(d.folded.as_str()).or_default().push(y);
            }
            let mut pairs: Vec<(usize, usize)> = together.keys().copied().collect();
            for (x, d) in old.divisions.iter().enumerate() {
                for &y in by_heading.get(d.folded.as_str()).into_iter().flatten() {
                    pairs.push((x, y));
                }
            }
            pairs.sort_unstable();
            pairs.dedup();
            pairs
        };
        let headings_old: Vec<Profile> = old.divisions.iter().map(|d| profile(&d.folded)).collect();
        let headings_new: Vec<Profile> = new.divisions.iter().map(|d| profile(&d.folded)).collect();
        let t = options.min_similarity.clamp(0.0, 1.0) * 0.6;
        let mut candidates = Vec::new();
        for (x, y) in pairs {
            let (dx, dy) = (&old.divisions[x], &new.divisions[y]);
            {
                if dx.element != dy.element {
                    continue;
                }
                let heading = if dx.folded.is_empty() && dy.folded.is_empty() {
                    0.5
                } else if dx.folded == dy.folded {
                    1.0
                } else {
                    dice(&headings_old[x], &headings_new[y])
                };
                let sizes = old.division_sizes[x] + new.division_sizes[y];
                let overlap = if sizes == 0 {
                    heading
                } else {
                    (2 * together.get(&(x, y)).copied().unwrap_or(0)) as f32 / sizes as f32
                };
                let score = 0.4 * heading + 0.6 * overlap;
                if score >= t {
                    // What a change reports is how alike the headings are.
                    let similarity = heading;
                    let position = 1e-3
                        * (1.0
                            - ((x as f64 + 0.5) / dn as f64 - (y as f64 + 0.5) / dm as f64).abs());
                    candidates.push(Candidate {
                        old: x,
                        new: y,
                        similarity,
                        weight: f64::from(score) - 0.5 * f64::from(t) + position,
                    });
                }
            }
        }
        // Kinds never pair with each other, so one chain serves all kinds
        // only if it cannot trade one kind for another: chain per kind.
        let mut kinds: Vec<Element> = old.divisions.iter().map(|d| d.element).collect();
        kinds.sort_by_key(|&e| class(e));
        kinds.dedup();
        for kind in kinds {
            let of_kind: Vec<Candidate> = candidates
                .iter()
                .copied()
                .filter(|c| old.divisions[c.old].element == kind)
                .collect();
            for c in heaviest_chain(of_kind, dm) {
                self.old_division[c.old] = Some(c.new);
                self.new_division[c.new] = Some((c.old, c.similarity));
            }
        }
    }
}

/// The folded texts of `units`, one after the other.
fn joined(outline: &Outline, units: &[usize]) -> String {
    units
        .iter()
        .map(|&u| outline.units[u].folded.as_str())
        .collect()
}

/// Whether adding a piece raised the characters two sides share in order
/// (by `gain`) enough to make it part of a split or merge: most of what is
/// the piece's own — its text less what it shares with the other pieces —
/// reappears in the whole (two penalty articles that differ in one clause,
/// merged into one: only that clause counts); or the piece covers a good
/// part of the whole that the other pieces did not (a split-off piece that
/// also gained text of its own).
fn completes(gain: usize, piece: &str, own: usize, whole: &str) -> bool {
    let gain = gain as f32;
    let whole = whole.chars().count() as f32;
    !piece.is_empty()
        && gain >= 8.0
        && (gain >= 0.6 * own as f32 || (gain >= 0.3 * whole && gain >= 20.0))
}

/// How many characters of `whole` the pieces cover, in order: the pieces
/// as they stand (`in_place`), or the new piece before or after the
/// others, whichever covers most — a split-off definition may come first
/// in the new version although it closed the old article.
fn cover(whole: &str, in_place: &str, piece: &str, others: &str) -> usize {
    let first = format!("{piece}{others}");
    // In place the piece is first or last; try the other end too.
    let other = if in_place == first {
        format!("{others}{piece}")
    } else {
        first
    };
    lcs_len(whole, in_place).max(lcs_len(whole, &other))
}

/// The characters of `piece` that the other `pieces` do not already hold,
/// in order.
fn own_chars(piece: &str, outline: &Outline, pieces: &[usize]) -> usize {
    let len = piece.chars().count();
    len - lcs_len(piece, &joined(outline, pieces)).min(len)
}

/// Whether a unit with profile `piece` could join `others` as a part of
/// `whole`, judged on bigrams before [`lcs_len`] judges characters:
/// most of the piece's own bigrams (those the others lack) are in the
/// whole, or the piece holds a good part of the whole's bigrams that the
/// others lack.
fn is_piece(piece: &Profile, others: &[Profile], whole: &Profile) -> bool {
    let in_others = |g: &u64| others.iter().any(|o| o.binary_search(g).is_ok());
    let in_whole = |g: &u64| whole.binary_search(g).is_ok();
    let own: Vec<u64> = piece.iter().copied().filter(|g| !in_others(g)).collect();
    // The piece's own bigrams found in the whole are those of the whole the
    // others do not hold.
    let hits = own.iter().filter(|g| in_whole(g)).count() as f32;
    let uncovered = whole.iter().filter(|g| !in_others(g)).count() as f32;
    own.len() >= 3 && (hits >= 0.5 * own.len() as f32 || (hits >= 0.25 * uncovered && hits >= 6.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(old: usize, new: usize, weight: f64) -> Candidate {
        Candidate {
            old,
            new,
            similarity: weight as f32,
            weight,
        }
    }

    #[test]
    fn chain_is_increasing_and_heaviest() {
        // A swap: only one of the two can be in order; the heavier wins.
        let chain = heaviest_chain(vec![cand(0, 1, 0.5), cand(1, 0, 0.7)], 2);
        assert_eq!(chain.len(), 1);
        assert_eq!((chain[0].old, chain[0].new), (1, 0));
        // Two candidates of one old unit never chain.
        let chain = heaviest_chain(vec![cand(0, 0, 0.5), cand(0, 1, 0.5), cand(1, 2, 0.5)], 3);
        assert_eq!(chain.len(), 2);
        // Insertion shifts: 0→0, 1→2, 2→3.
        let chain = heaviest_chain(
            vec![
                cand(0, 0, 1.0),
                cand(1, 2, 1.0),
                cand(2, 3, 1.0),
                cand(1, 1, 0.2),
            ],
            4,
        );
        let pairs: Vec<(usize, usize)> = chain.iter().map(|c| (c.old, c.new)).collect();
        assert_eq!(pairs, vec![(0, 0), (1, 2), (2, 3)]);
    }
}
