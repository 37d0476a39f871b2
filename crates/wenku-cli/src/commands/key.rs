//! `wenku key`: the node's signing key and the trust file.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use wenku_service::output;
use wenku_store::signing::{self, NodeKey, PublicKey};
use wenku_store::trust::Trust;
use wenku_store::{Library, TrustChange, TrustOpError};

use crate::cli::{KeyAction, KeyArgs};
use crate::context;
use crate::error::{CommandError, Result};
use crate::output::{Out, style};

/// Runs a `wenku key` action.
pub fn run(dir: &Option<PathBuf>, args: KeyArgs) -> Result<()> {
    if let KeyAction::Generate(a) = &args.action
        && let Some(region) = &a.region
    {
        let node = context::region(region, "--region")?;
        return generate(node, None, a.json);
    }
    let library = context::open(dir)?;
    let node = library.authority().node();
    let mut out = Out::stdout();
    match args.action {
        KeyAction::Show(a) => {
            let Some((path, key)) = context::node_key(node)? else {
                return Err(CommandError::refused(format!(
                    "node {node} has no key at {}",
                    context::key_path(node)?.display()
                ))
                .with_hint("create one with `wenku key generate` (or set WENKU_KEY)"));
            };
            let trust = trust(&library)?;
            let json = output::Key::new(&key, &path, false, trust.as_ref());
            if a.json {
                out.json(&json)
            } else {
                describe(&mut out, &key, &path, trust.as_ref(), &library)
            }
        }
        KeyAction::Generate(a) => generate(node, Some(&library), a.json),
        KeyAction::Rotate(a) => {
            let Some((path, old)) = context::node_key(node)? else {
                return Err(CommandError::refused(format!(
                    "node {node} has no key to rotate at {}",
                    context::key_path(node)?.display()
                ))
                .with_hint("create one with `wenku key generate`"));
            };
            let today = context::today()?;
            let retired = PathBuf::from(format!("{}.retired-{today}", path.display()));
            if retired.exists() {
                return Err(CommandError::refused(format!(
                    "{} exists already: one rotation a day",
                    retired.display()
                )));
            }
            let key = NodeKey::generate(node.as_str()).map_err(key_error)?;
            // Written beside the old key first, then swapped in: a failure
            // leaves the old key in place.
            let fresh = PathBuf::from(format!("{}.new", path.display()));
            let _ = std::fs::remove_file(&fresh);
            let _ = std::fs::remove_file(signing::public_path(&fresh));
            key.write_new(&fresh).map_err(key_error)?;
            let io = |e: std::io::Error| CommandError::internal(format!("rotating the key: {e}"));
            std::fs::rename(&path, &retired).map_err(io)?;
            let old_pub = signing::public_path(&path);
            if old_pub.exists() {
                std::fs::rename(&old_pub, signing::public_path(&retired)).map_err(io)?;
            }
            std::fs::rename(&fresh, &path).map_err(io)?;
            std::fs::rename(signing::public_path(&fresh), &old_pub).map_err(io)?;
            let trust = trust(&library)?;
            // The trust root grants its own new key with the old one.
            let mut granted = None;
            if wenku_store::trust::root_of(node) == node && trust.is_some() {
                let identity = context::identity(library.path())?;
                let signer = library.with_key(Arc::clone(&old));
                let changed = signer
                    .change_trust(
                        &identity,
                        &TrustChange::Grant {
                            key: key.public().clone(),
                            regions: vec![node],
                        },
                        false,
                    )
                    .map_err(trust_error)?;
                granted = changed.commit;
                let library = context::open(dir)?;
                let trust = self::trust(&library)?;
                return finish_rotate(&mut out, a.json, &key, &path, &retired, trust, granted);
            }
            finish_rotate(&mut out, a.json, &key, &path, &retired, trust, granted)
        }
        KeyAction::List(a) => {
            let Some(trust) = trust(&library)? else {
                return Err(CommandError::refused(format!(
                    "the library of node {node} has no trust file"
                ))
                .with_hint(format!(
                    "the trust root ({}) creates it; other nodes get it by pulling from their parent",
                    wenku_store::trust::root_of(node)
                )));
            };
            if a.json {
                out.json(&output::TrustJson::new(&trust, None, false))
            } else {
                list(&mut out, &trust)
            }
        }
        KeyAction::Grant(a) => {
            let key = read_public(&a.key)?;
            let regions = a
                .regions
                .iter()
                .map(|r| context::region(r, "REGION"))
                .collect::<Result<Vec<_>>>()?;
            change(
                library,
                &TrustChange::Grant { key, regions },
                a.dry_run,
                a.json,
                &mut out,
            )
        }
        KeyAction::Revoke(a) => {
            let key = read_public(&a.key)?;
            change(
                library,
                &TrustChange::Revoke { key },
                a.dry_run,
                a.json,
                &mut out,
            )
        }
        KeyAction::Pin(a) => {
            let key = read_public(&a.file)?;
            library.pin_root(&key).map_err(|e| {
                CommandError::internal(format!("pinning the trust root's key: {e}"))
            })?;
            out.styled(style::GOOD, "Pinned")?;
            out.line(format!(
                " {} as the key of trust root {}",
                signing::fingerprint(&key),
                wenku_store::trust::root_of(node)
            ))
        }
    }
}

fn generate(node: wenku_model::Region, library: Option<&Library>, json: bool) -> Result<()> {
    let mut out = Out::stdout();
    let path = context::key_path(node)?;
    if path.exists() {
        return Err(CommandError::refused(format!(
            "node {node} has a key already at {}",
            path.display()
        ))
        .with_hint("`wenku key show` shows it; `wenku key rotate` replaces it"));
    }
    let key = NodeKey::generate(node.as_str()).map_err(key_error)?;
    key.write_new(&path).map_err(key_error)?;
    let trust = match library {
        Some(l) => trust(l)?,
        None => None,
    };
    if json {
        return out.json(&output::Key::new(&key, &path, true, trust.as_ref()));
    }
    out.styled(style::GOOD, "Created")?;
    out.line(format!(" the key of node {node} at {}", path.display()))?;
    match library {
        Some(l) => describe(&mut out, &key, &path, trust.as_ref(), l),
        None => {
            out.line(format!("fingerprint  {}", key.fingerprint()))?;
            out.line(format!("public       {}", key.public_line()))
        }
    }
}

fn finish_rotate(
    out: &mut Out,
    json: bool,
    key: &NodeKey,
    path: &Path,
    retired: &Path,
    trust: Option<Trust>,
    granted: Option<wenku_store::ObjectId>,
) -> Result<()> {
    let retired_s = retired.display().to_string();
    if json {
        return out.json(&output::Key::new(key, path, true, trust.as_ref()).retired(&retired_s));
    }
    out.styled(style::GOOD, "Rotated")?;
    out.line(format!(
        ": new key {} at {}; the old one is kept at {retired_s}",
        key.fingerprint(),
        path.display()
    ))?;
    match granted {
        Some(commit) => out.line(format!(
            "the trust file grants the new key (commit {})",
            &commit.to_string()[..10]
        )),
        None => {
            out.line("the trust root must grant the new key before it signs anything a pull checks; send it this line:")?;
            out.line(format!("  {}", key.public_line()))?;
            out.styled(style::DIM, "(there: wenku key grant REGION --key FILE)")?;
            out.line("")
        }
    }
}

fn describe(
    out: &mut Out,
    key: &NodeKey,
    path: &Path,
    trust: Option<&Trust>,
    library: &Library,
) -> Result<()> {
    out.line(format!("key          {}", path.display()))?;
    out.line(format!("fingerprint  {}", key.fingerprint()))?;
    out.line(format!("public       {}", key.public_line()))?;
    let node = library.authority().node();
    match trust {
        None => out.line(format!(
            "trust        the library has no trust file yet (trust root {})",
            wenku_store::trust::root_of(node)
        )),
        Some(t) if t.is_revoked(key.public()) => {
            out.styled(style::ERROR, "trust        revoked")?;
            out.line(": nothing this key signs is accepted; `wenku key rotate`")
        }
        Some(t) => {
            let regions = t.regions_of(key.public());
            if regions.is_empty() {
                out.styled(style::WARN, "trust        not listed")?;
                out.line(format!(
                    ": the trust root ({}) must grant it (wenku key grant {node} --key {})",
                    wenku_store::trust::root_of(node),
                    signing::public_path(path).display()
                ))
            } else {
                out.line(format!(
                    "trust        signs for {} (trust file serial {})",
                    regions
                        .iter()
                        .map(|r| r.to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                    t.serial
                ))
            }
        }
    }
}

fn list(out: &mut Out, trust: &Trust) -> Result<()> {
    out.styled(style::HEAD, format!("trust file serial {}", trust.serial))?;
    out.line("")?;
    for s in &trust.signers {
        let regions: Vec<String> = s.regions.iter().map(|r| r.to_string()).collect();
        let revoked = trust.is_revoked(&s.key);
        out.line(format!(
            "{:<20} {}{}{}",
            regions.join(","),
            signing::fingerprint(&s.key),
            match s.key.comment() {
                "" => String::new(),
                c => format!(" ({c})"),
            },
            if revoked { "  revoked" } else { "" }
        ))?;
    }
    let unlisted: Vec<&PublicKey> = trust
        .revoked
        .iter()
        .filter(|k| !trust.signers.iter().any(|s| signing::same_key(&s.key, k)))
        .collect();
    for k in unlisted {
        out.line(format!("{:<20} {}  revoked", "-", signing::fingerprint(k)))?;
    }
    Ok(())
}

fn change(
    library: Library,
    change: &TrustChange,
    dry: bool,
    json: bool,
    out: &mut Out,
) -> Result<()> {
    let node = library.authority().node();
    let library = match context::node_key(node)? {
        Some((_, key)) => library.with_key(key),
        None => {
            return Err(CommandError::refused(format!(
                "node {node} has no key to sign the trust change with"
            ))
            .with_hint("create one with `wenku key generate` (or set WENKU_KEY)"));
        }
    };
    let identity = context::identity(library.path())?;
    let changed = library
        .change_trust(&identity, change, dry)
        .map_err(trust_error)?;
    if json {
        return out.json(&output::TrustJson::new(
            &changed.trust,
            changed.commit.map(|c| c.to_string()),
            changed.changed,
        ));
    }
    let what = match change {
        TrustChange::Grant { key, regions } => format!(
            "{} signs for {}",
            signing::fingerprint(key),
            regions
                .iter()
                .map(|r| r.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        TrustChange::Revoke { key } => format!("{} is revoked", signing::fingerprint(key)),
    };
    if !changed.changed {
        out.styled(style::DIM, "unchanged: ")?;
        return out.line(format!("{what} already"));
    }
    if dry {
        out.styled(style::WARN, "would change")?;
        out.line(format!(
            " the trust file to serial {}: {what}",
            changed.trust.serial
        ))?;
        return list(out, &changed.trust);
    }
    out.styled(style::GOOD, "Changed")?;
    out.line(format!(
        " the trust file to serial {} in commit {}: {what}",
        changed.trust.serial,
        changed
            .commit
            .map(|c| c.to_string()[..10].to_string())
            .unwrap_or_default()
    ))
}

fn trust(library: &Library) -> Result<Option<Trust>> {
    library.trust().map_err(trust_error)
}

fn read_public(path: &Path) -> Result<PublicKey> {
    let text = if path == Path::new("-") {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| CommandError::internal(format!("reading standard input: {e}")))?;
        s
    } else {
        std::fs::read_to_string(path)
            .map_err(|e| CommandError::refused(format!("{}: {e}", path.display())))?
    };
    if text.contains("PRIVATE KEY") {
        return Err(CommandError::refused(format!(
            "{}: this is a private key; give the public one (the .pub file)",
            path.display()
        )));
    }
    signing::parse_public(&text)
        .map_err(|e| CommandError::refused(format!("{}: {e}", path.display())))
}

fn key_error(e: wenku_store::signing::KeyError) -> CommandError {
    CommandError::refused(e.to_string())
}

fn trust_error(e: TrustOpError) -> CommandError {
    match e {
        TrustOpError::Conflict => CommandError::conflict(e.to_string()),
        TrustOpError::Read(_) | TrustOpError::Git(_) | TrustOpError::Commit(_) => {
            CommandError::internal(e.to_string())
        }
        TrustOpError::NoKey => CommandError::refused(e.to_string())
            .with_hint("create one with `wenku key generate` (or set WENKU_KEY)"),
        other => CommandError::refused(other.to_string()),
    }
}
