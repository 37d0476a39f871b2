//! `wenku init`.

use std::sync::Arc;

use wenku_store::signing::NodeKey;
use wenku_store::{InitOptions, Library, SystemClock};

use crate::cli::InitArgs;
use crate::context;
use crate::error::{CommandError, Result};
use crate::output::{Out, style};

/// Creates a library.
pub fn run(args: InitArgs) -> Result<()> {
    let Some(region) = args.region.as_deref() else {
        return Err(
            CommandError::usage("a library needs the region it is authoritative for")
                .with_hint("pass --region CODE, e.g. `wenku init --region 370200 qingdao`"),
        );
    };
    let region = context::region(region, "--region")?;
    let hosted = args
        .hosts
        .iter()
        .map(|h| context::region(h, "--host"))
        .collect::<Result<Vec<_>>>()?;
    let path = args.path.unwrap_or_else(|| ".".into());
    let non_empty = std::fs::read_dir(&path)
        .map(|mut d| d.next().is_some())
        .unwrap_or(false);
    if non_empty {
        return Err(match Library::open(&path) {
            Ok(existing) => CommandError::refused(format!(
                "{} is already a wenku library for {}",
                path.display(),
                existing.authority()
            )),
            Err(_) => CommandError::refused(format!("{} is not empty", path.display()))
                .with_hint("give a new or empty directory for the library"),
        });
    }
    std::fs::create_dir_all(&path)
        .map_err(|e| CommandError::internal(format!("cannot create {}: {e}", path.display())))?;
    let identity = context::identity(&path)?;
    let pinned = args
        .trust_root
        .as_deref()
        .map(|file| {
            let text = std::fs::read_to_string(file)
                .map_err(|e| CommandError::refused(format!("{}: {e}", file.display())))?;
            wenku_store::signing::parse_public(&text)
                .map_err(|e| CommandError::refused(format!("--trust-root {}: {e}", file.display())))
        })
        .transpose()?;
    // The node's key: the one at the key path, or a new one there.
    let (key_path, key, created) = match context::node_key(region)? {
        Some((p, k)) => (p, k, false),
        None => {
            let p = context::key_path(region)?;
            let k = NodeKey::generate(region.as_str())
                .map_err(|e| CommandError::internal(e.to_string()))?;
            k.write_new(&p)
                .map_err(|e| CommandError::refused(e.to_string()))?;
            (p, Arc::new(k), true)
        }
    };
    let mut options = InitOptions::new(identity)
        .clock(Arc::new(SystemClock::china()))
        .key(Arc::clone(&key));
    for h in hosted {
        options = options.hosting(h);
    }
    let library = Library::init(&path, region, options).map_err(|e| match e {
        wenku_store::InitError::Authority { .. } => CommandError::refused(e.to_string()),
        other => CommandError::internal(other.to_string()),
    })?;
    if let Some(root) = &pinned {
        library
            .pin_root(root)
            .map_err(|e| CommandError::internal(format!("pinning the trust root's key: {e}")))?;
    }
    let mut out = Out::stdout();
    if args.json {
        return out.json(&wenku_service::output::Init::new(
            &library,
            &key,
            &key_path,
            created,
            pinned.as_ref(),
        ));
    }
    out.styled(style::HEAD, "Initialised")?;
    out.line(format!(
        " a wenku library for {} at {}",
        library.authority(),
        library.path().display()
    ))?;
    out.line(format!(
        "key: {} {} ({}); every commit is signed with it",
        if created { "created" } else { "using" },
        key_path.display(),
        key.fingerprint()
    ))?;
    let root = wenku_store::trust::root_of(region);
    if root == region {
        out.line(format!(
            "trust: this node is the trust root of {region}: its trust file lists its own key; grant other nodes' keys with `wenku key grant REGION --key FILE`"
        ))?;
    } else if let Some(k) = &pinned {
        out.line(format!(
            "trust: pinned {} as the key of trust root {root}",
            wenku_store::signing::fingerprint(k)
        ))?;
    } else {
        crate::output::note(format!(
            "no trust root pinned: pulls will not check signatures until the trust file arrives (pin {root}'s key: wenku key pin FILE)"
        ));
    }
    Ok(())
}
