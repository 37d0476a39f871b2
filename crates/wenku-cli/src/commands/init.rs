//! `wenku init`.

use std::sync::Arc;

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
    let mut options = InitOptions::new(identity).clock(Arc::new(SystemClock::china()));
    for h in hosted {
        options = options.hosting(h);
    }
    let library = Library::init(&path, region, options).map_err(|e| match e {
        wenku_store::InitError::Authority { .. } => CommandError::refused(e.to_string()),
        other => CommandError::internal(other.to_string()),
    })?;
    let mut out = Out::stdout();
    out.styled(style::HEAD, "Initialised")?;
    out.line(format!(
        " a wenku library for {} at {}",
        library.authority(),
        library.path().display()
    ))?;
    Ok(())
}
