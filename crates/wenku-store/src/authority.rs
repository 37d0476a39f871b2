//! Which regions a node may write.
//!
//! A node is authoritative for its own region and for the sub-regions it
//! hosts (townships without a node of their own). It writes nowhere else;
//! everything else in its library arrives by pulling from the node that is
//! authoritative for it. The same check decides whether a peer's tree stays
//! inside the peer's authority when federating.

use std::fmt;

use wenku_model::Region;

/// The regions one node may write: its own and those it hosts.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Authority {
    node: Region,
    hosted: Vec<Region>,
}

/// Why a set of regions is not a valid authority.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthorityError {
    /// A hosted region does not lie inside the node's region.
    #[error(
        "node {node} cannot host region {hosted}: a node hosts only regions that lie inside its own"
    )]
    NotInside {
        /// The node's region.
        node: Region,
        /// The hosted region.
        hosted: Region,
    },
}

impl Authority {
    /// The authority of a node over `node` and `hosted`. Hosted regions must
    /// lie inside the node's region; duplicates and the node itself are
    /// dropped, and the list is kept sorted.
    pub fn new(
        node: Region,
        hosted: impl IntoIterator<Item = Region>,
    ) -> Result<Authority, AuthorityError> {
        let mut list = Vec::new();
        for h in hosted {
            if !node.contains(&h) {
                return Err(AuthorityError::NotInside { node, hosted: h });
            }
            if h != node {
                list.push(h);
            }
        }
        list.sort();
        list.dedup();
        Ok(Authority { node, hosted: list })
    }

    /// The node's own region.
    pub fn node(&self) -> Region {
        self.node
    }

    /// The sub-regions the node hosts, sorted.
    pub fn hosted(&self) -> &[Region] {
        &self.hosted
    }

    /// Every region the node may write, its own first.
    pub fn regions(&self) -> impl Iterator<Item = Region> + '_ {
        std::iter::once(self.node).chain(self.hosted.iter().copied())
    }

    /// Whether the node may write documents of `region`. Containment does
    /// not count: a city node does not write its counties' documents unless
    /// it hosts them.
    pub fn covers(&self, region: &Region) -> bool {
        *region == self.node || self.hosted.binary_search(region).is_ok()
    }
}

impl fmt::Display for Authority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.node)?;
        if !self.hosted.is_empty() {
            f.write_str(" (hosting ")?;
            for (i, h) in self.hosted.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{h}")?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> Region {
        Region::parse(s).expect("valid region in test")
    }

    #[test]
    fn covers_own_and_hosted_only() {
        let a = Authority::new(r("370283"), [r("370283001"), r("370283001"), r("370283")])
            .expect("valid");
        assert_eq!(a.hosted(), &[r("370283001")]);
        assert!(a.covers(&r("370283")));
        assert!(a.covers(&r("370283001")));
        assert!(!a.covers(&r("370283002")));
        assert!(!a.covers(&r("370200")));
        let city = Authority::new(r("370200"), []).expect("valid");
        assert!(!city.covers(&r("370283")), "containment is not authority");
        assert_eq!(a.to_string(), "370283 (hosting 370283001)");
    }

    #[test]
    fn hosted_must_lie_inside() {
        let err = Authority::new(r("370283"), [r("370304001")]).expect_err("outside");
        assert!(
            err.to_string().contains("cannot host region 370304001"),
            "{err}"
        );
    }
}
