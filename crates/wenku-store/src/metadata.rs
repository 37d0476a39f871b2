//! The library's own metadata: `library.xml` at the root of the tree.
//!
//! ```xml
//! <?xml version="1.0" encoding="UTF-8"?>
//! <library xmlns="urn:wenku:library:1">
//! <node region="370283"/>
//! <hosts region="370283001"/>
//! </library>
//! ```
//!
//! Why a file in the tree: it travels with `git clone`, so a clone opens as
//! a library; it is versioned like everything else; and it sits outside
//! every region directory, so federation, which moves region subtrees only,
//! never carries one node's metadata into another's library. The format
//! version is the namespace's last component, as for documents and records;
//! it covers the tree layout. A library of a newer format is refused, never
//! guessed at.

use quick_xml::Reader;
use quick_xml::events::Event;
use wenku_model::Region;

use crate::authority::{Authority, AuthorityError};

/// The library format this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// The namespace prefix; the format version follows it.
pub const NAMESPACE_PREFIX: &str = "urn:wenku:library:";

/// A library's metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LibraryMeta {
    /// The format version of the library's tree.
    pub format: u32,
    /// The node's authority: its region and hosted sub-regions.
    pub authority: Authority,
}

/// Why `library.xml` cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MetaError {
    /// Written by a newer wenku.
    #[error(
        "the library has format {found}, but this build of wenku reads format {supported} only; upgrade wenku to open it"
    )]
    NewerFormat {
        /// The format found.
        found: u32,
        /// The newest format this build reads.
        supported: u32,
    },
    /// Not a metadata file this build understands.
    #[error("library.xml is invalid: {0}")]
    Invalid(String),
    /// The regions do not form a valid authority.
    #[error("library.xml is invalid: {0}")]
    Authority(#[from] AuthorityError),
}

impl LibraryMeta {
    /// Metadata of the current format for `authority`.
    pub fn new(authority: Authority) -> LibraryMeta {
        LibraryMeta {
            format: FORMAT_VERSION,
            authority,
        }
    }

    /// The canonical bytes: fixed order, one element per line.
    pub fn encode(&self) -> Vec<u8> {
        let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        s.push_str(&format!(
            "<library xmlns=\"{NAMESPACE_PREFIX}{}\">\n",
            self.format
        ));
        s.push_str(&format!("<node region=\"{}\"/>\n", self.authority.node()));
        for h in self.authority.hosted() {
            s.push_str(&format!("<hosts region=\"{h}\"/>\n"));
        }
        s.push_str("</library>\n");
        s.into_bytes()
    }

    /// Reads `library.xml`, refusing newer formats first so that a newer
    /// file is never half-understood.
    pub fn decode(bytes: &[u8]) -> Result<LibraryMeta, MetaError> {
        let invalid = |m: String| MetaError::Invalid(m);
        let text = std::str::from_utf8(bytes).map_err(|e| invalid(format!("not UTF-8: {e}")))?;
        let mut reader = Reader::from_str(text);
        reader.config_mut().expand_empty_elements = true;
        let mut format = None;
        let mut node = None;
        let mut hosted = Vec::new();
        let mut depth = 0usize;
        loop {
            let ev = reader
                .read_event()
                .map_err(|e| invalid(format!("not well-formed XML: {e}")))?;
            match ev {
                Event::Start(s) => {
                    let name = s.name().as_ref().to_string();
                    let mut attrs = Vec::new();
                    for a in s.attributes() {
                        let a =
                            a.map_err(|e| invalid(format!("bad attribute in <{name}>: {e}")))?;
                        attrs.push((a.key.as_ref().to_string(), a.value.to_string()));
                    }
                    depth += 1;
                    match (depth, name.as_str()) {
                        (1, "library") => format = Some(root_format(&attrs)?),
                        (2, "node") => {
                            if node.is_some() {
                                return Err(invalid("more than one <node>".into()));
                            }
                            node = Some(region_attr(&name, &attrs)?);
                        }
                        (2, "hosts") => hosted.push(region_attr(&name, &attrs)?),
                        _ => {
                            return Err(invalid(format!(
                                "unexpected element <{name}>; expected <library> with <node> and <hosts>"
                            )));
                        }
                    }
                }
                Event::End(_) => depth = depth.saturating_sub(1),
                Event::Text(t) => {
                    if !AsRef::<str>::as_ref(&t).trim().is_empty() {
                        return Err(invalid("unexpected text".into()));
                    }
                }
                Event::Decl(_) | Event::Comment(_) => {}
                Event::Eof => break,
                other => return Err(invalid(format!("unexpected XML content {other:?}"))),
            }
        }
        let format = format.ok_or_else(|| invalid("no <library> element".into()))?;
        let node = node.ok_or_else(|| invalid("no <node region=\"…\"/> element".into()))?;
        Ok(LibraryMeta {
            format,
            authority: Authority::new(node, hosted)?,
        })
    }
}

fn root_format(attrs: &[(String, String)]) -> Result<u32, MetaError> {
    let ns = attrs
        .iter()
        .find(|(k, _)| k == "xmlns")
        .map(|(_, v)| v.as_str())
        .ok_or_else(|| MetaError::Invalid("<library> has no xmlns".into()))?;
    let version = ns
        .strip_prefix(NAMESPACE_PREFIX)
        .and_then(|v| v.parse::<u32>().ok())
        .ok_or_else(|| {
            MetaError::Invalid(format!(
                "namespace {ns:?} is not {NAMESPACE_PREFIX}<version>"
            ))
        })?;
    if version > FORMAT_VERSION {
        return Err(MetaError::NewerFormat {
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    if version == 0 {
        return Err(MetaError::Invalid("format version 0 does not exist".into()));
    }
    if let Some((k, _)) = attrs.iter().find(|(k, _)| k != "xmlns") {
        return Err(MetaError::Invalid(format!(
            "unexpected attribute {k:?} on <library>"
        )));
    }
    Ok(version)
}

fn region_attr(name: &str, attrs: &[(String, String)]) -> Result<Region, MetaError> {
    match attrs {
        [(k, v)] if k == "region" => {
            Region::parse(v).map_err(|e| MetaError::Invalid(format!("<{name}>: {e}")))
        }
        _ => Err(MetaError::Invalid(format!(
            "<{name}> takes exactly one attribute, region"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> Region {
        Region::parse(s).expect("valid region in test")
    }

    #[test]
    fn round_trip_and_exact_bytes() {
        let meta = LibraryMeta::new(Authority::new(r("370283"), [r("370283001")]).expect("valid"));
        let bytes = meta.encode();
        assert_eq!(
            String::from_utf8_lossy(&bytes),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<library xmlns=\"urn:wenku:library:1\">\n<node region=\"370283\"/>\n<hosts region=\"370283001\"/>\n</library>\n"
        );
        assert_eq!(LibraryMeta::decode(&bytes), Ok(meta));
    }

    #[test]
    fn newer_format_is_refused_with_a_clear_message() {
        let bytes =
            b"<library xmlns=\"urn:wenku:library:2\"><node region=\"370200\"/><future/></library>";
        let err = LibraryMeta::decode(bytes).expect_err("newer");
        assert_eq!(
            err,
            MetaError::NewerFormat {
                found: 2,
                supported: 1
            }
        );
        assert!(err.to_string().contains("upgrade wenku"), "{err}");
    }

    #[test]
    fn invalid_files_are_named() {
        for (bytes, needle) in [
            (&b"<library xmlns=\"urn:x\"><node region=\"370200\"/></library>"[..], "namespace"),
            (b"<library xmlns=\"urn:wenku:library:1\"></library>", "no <node"),
            (b"<library xmlns=\"urn:wenku:library:1\"><node region=\"37\"/></library>", "<node>"),
            (b"<library xmlns=\"urn:wenku:library:1\"><node region=\"370200\"/><x/></library>", "unexpected element"),
            (b"<library xmlns=\"urn:wenku:library:1\"><node region=\"370200\"/><hosts region=\"370304\"/></library>", "cannot host"),
            (b"<library", "XML"),
        ] {
            let err = LibraryMeta::decode(bytes).expect_err(needle);
            assert!(err.to_string().contains(needle), "{needle}: {err}");
        }
    }
}
