//! Regions as readers name them, and the tree of the regions a node
//! holds.
//!
//! A library stores region codes, not names. The provinces' names are
//! fixed by GB/T 2260 and compiled in; a city's, county's or township's
//! name is read from the library itself: the place at the head of the
//! issuer of one of its documents (`平度市人民政府办公室` → `平度市`).
//! Where neither gives a name, the code is the name.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use wenku_model::query::Filter;
use wenku_model::{Region, WorkId};
use wenku_store::{ObjectId, Snapshot};

use super::text::escape;

/// The provinces of GB/T 2260 by their first two digits.
const PROVINCES: &[(&str, &str)] = &[
    ("11", "北京市"),
    ("12", "天津市"),
    ("13", "河北省"),
    ("14", "山西省"),
    ("15", "内蒙古自治区"),
    ("21", "辽宁省"),
    ("22", "吉林省"),
    ("23", "黑龙江省"),
    ("31", "上海市"),
    ("32", "江苏省"),
    ("33", "浙江省"),
    ("34", "安徽省"),
    ("35", "福建省"),
    ("36", "江西省"),
    ("37", "山东省"),
    ("41", "河南省"),
    ("42", "湖北省"),
    ("43", "湖南省"),
    ("44", "广东省"),
    ("45", "广西壮族自治区"),
    ("46", "海南省"),
    ("50", "重庆市"),
    ("51", "四川省"),
    ("52", "贵州省"),
    ("53", "云南省"),
    ("54", "西藏自治区"),
    ("61", "陕西省"),
    ("62", "甘肃省"),
    ("63", "青海省"),
    ("64", "宁夏回族自治区"),
    ("65", "新疆维吾尔自治区"),
    ("71", "台湾省"),
    ("81", "香港特别行政区"),
    ("82", "澳门特别行政区"),
];

/// The name a region has without reading the library: `全国` for
/// national, a province's name, else the code.
pub(crate) fn known_name(region: Region) -> String {
    if region == Region::NATIONAL {
        return "全国".into();
    }
    if region.level() == wenku_model::Level::Province {
        let prefix = &region.as_str()[..2];
        if let Some((_, name)) = PROVINCES.iter().find(|(p, _)| *p == prefix) {
            return (*name).to_string();
        }
    }
    region.as_str().to_string()
}

/// Words that end the place in an issuer's name.
const ORGANS: &[&str] = &[
    "人民政府",
    "人民代表大会",
    "人大常委会",
    "党委",
    "委员会",
    "政府",
    "办公室",
    "办公厅",
    "行政服务中心",
];

/// The place at the head of an issuer's name, if it has one.
fn place_of(issuer: &str) -> Option<String> {
    let end = ORGANS.iter().filter_map(|o| issuer.find(o)).min()?;
    let place = &issuer[..end];
    let n = place.chars().count();
    (2..=16).contains(&n).then(|| place.to_string())
}

/// Region names read from the library, kept for the head they were read
/// at: a document page names the regions above its work in its
/// breadcrumbs, and finding a document of a region to read its issuer
/// from is not work to do on every page.
#[derive(Debug, Default)]
pub(crate) struct Names {
    kept: Mutex<(Option<ObjectId>, HashMap<Region, String>)>,
}

/// A region's name: [`known_name`], else the place named by the issuer of
/// one of its own documents (`sample`, or the first the library lists).
pub(crate) fn name(
    names: &Names,
    snapshot: &Snapshot,
    region: Region,
    sample: Option<&WorkId>,
) -> String {
    let known = known_name(region);
    if known != region.as_str() {
        return known;
    }
    let head = snapshot.commit();
    {
        let mut kept = names.kept.lock().unwrap_or_else(|e| e.into_inner());
        if kept.0 != Some(head) {
            *kept = (Some(head), HashMap::new());
        }
        if let Some(n) = kept.1.get(&region) {
            return n.clone();
        }
    }
    let own = match sample {
        Some(w) => Some(w.clone()),
        // A region's own works come first among those under it (ids sort
        // by region code).
        None => snapshot
            .works(&Filter::all().region(region))
            .ok()
            .and_then(|ws| ws.into_iter().next())
            .filter(|w| w.region() == region),
    };
    let found = own
        .and_then(|w| snapshot.record(&w).ok().flatten())
        .and_then(|r| r.issuers.iter().find_map(|i| place_of(i)))
        .unwrap_or(known);
    let mut kept = names.kept.lock().unwrap_or_else(|e| e.into_inner());
    if kept.0 == Some(head) {
        kept.1.insert(region, found.clone());
    }
    found
}

/// The regions under `root` that hold documents, with counts.
#[derive(Debug, Default)]
pub(crate) struct Tree {
    /// Per region: documents of that region itself, and one of them.
    own: BTreeMap<Region, (usize, WorkId)>,
}

impl Tree {
    pub(crate) fn of<'a>(root: Region, works: impl IntoIterator<Item = &'a WorkId>) -> Tree {
        let mut own: BTreeMap<Region, (usize, WorkId)> = BTreeMap::new();
        for w in works {
            if root.contains(&w.region()) {
                own.entry(w.region())
                    .and_modify(|e| e.0 += 1)
                    .or_insert((1, w.clone()));
            }
        }
        Tree { own }
    }

    /// Documents in `region` and below.
    pub(crate) fn count(&self, region: Region) -> usize {
        self.own
            .range(region..)
            .take_while(|(r, _)| region.contains(r))
            .map(|(_, (n, _))| n)
            .sum()
    }

    /// One document of `region` itself.
    pub(crate) fn sample(&self, region: Region) -> Option<&WorkId> {
        self.own.get(&region).map(|(_, w)| w)
    }

    /// The regions right below `region` that hold documents (directly or
    /// further down), in code order.
    pub(crate) fn children(&self, region: Region) -> Vec<Region> {
        let mut out: Vec<Region> = Vec::new();
        for r in self.own.keys() {
            if *r == region || !region.contains(r) {
                continue;
            }
            // The ancestor of `r` right below `region`.
            let mut step = *r;
            while let Some(p) = step.parent() {
                if p == region {
                    break;
                }
                step = p;
            }
            if step.parent() == Some(region) && !out.contains(&step) {
                out.push(step);
            }
        }
        out
    }

    /// The tree under `root`, `levels` deep below it, as nested lists of
    /// links with counts (each region's page lists the regions right
    /// below it).
    pub(crate) fn html(
        &self,
        names: &Names,
        snapshot: &Snapshot,
        root: Region,
        levels: usize,
    ) -> String {
        let mut out = String::from("<ul class=\"tree\">");
        self.item(names, snapshot, root, &mut out, 0, levels);
        out.push_str("</ul>");
        out
    }

    fn item(
        &self,
        names: &Names,
        snapshot: &Snapshot,
        region: Region,
        out: &mut String,
        depth: usize,
        levels: usize,
    ) {
        out.push_str(&format!("<li><a href=\"/regions/{region}\">"));
        escape(&name(names, snapshot, region, self.sample(region)), out);
        out.push_str(&format!(
            "</a> <span class=\"count\">{}</span>",
            self.count(region)
        ));
        let children = self.children(region);
        if !children.is_empty() && depth < levels {
            out.push_str("<ul>");
            for c in children {
                self.item(names, snapshot, c, out, depth + 1, levels);
            }
            out.push_str("</ul>");
        }
        out.push_str("</li>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> Region {
        Region::parse(s).expect("region")
    }

    fn w(s: &str) -> WorkId {
        WorkId::parse(s).expect("work")
    }

    #[test]
    fn the_tree_counts_each_region_with_what_lies_below() {
        let works = [
            w("370000/a"),
            w("370200/b"),
            w("370283/c"),
            w("370283/d"),
            w("370104/e"),
            w("370104001/f"),
            w("320000/g"),
        ];
        let tree = Tree::of(r("370000"), &works);
        assert_eq!(tree.count(r("370000")), 6);
        assert_eq!(tree.count(r("370200")), 3);
        assert_eq!(tree.count(r("370283")), 2);
        // 370100 has no document of its own but one county below it.
        assert_eq!(tree.count(r("370100")), 2);
        assert_eq!(tree.children(r("370000")), vec![r("370100"), r("370200")]);
        assert_eq!(tree.children(r("370100")), vec![r("370104")]);
        assert_eq!(tree.children(r("370104")), vec![r("370104001")]);
    }

    #[test]
    fn places_are_read_from_issuers() {
        assert_eq!(place_of("平度市人民政府办公室").as_deref(), Some("平度市"));
        assert_eq!(place_of("青岛市人民政府办公厅").as_deref(), Some("青岛市"));
        assert_eq!(place_of("永川行政服务中心").as_deref(), Some("永川"));
        assert_eq!(place_of("国务院"), None);
        assert_eq!(known_name(r("370000")), "山东省");
        assert_eq!(known_name(r("100000")), "全国");
        assert_eq!(known_name(r("370283")), "370283");
    }
}
