//! Imports files and prints what was recognised: the proposed metadata,
//! the structure as an indented outline, and the diagnostics.
//!
//! ```sh
//! cargo run -q -p wenku-import --example import -- testdata/corpus/seeds/*.txt
//! cargo run -q -p wenku-import --example import -- --text FILE   # the plain-text rendering
//! ```

use std::path::Path;

use wenku_import::{ImportOptions, import_file};
use wenku_model::Block;

fn outline(blocks: &[Block], depth: usize) {
    for b in blocks {
        let pad = "  ".repeat(depth);
        let preview = |s: &str| s.chars().take(24).collect::<String>();
        match b {
            Block::Unit(u) => {
                println!(
                    "{pad}{}{} {}{}",
                    u.kind.as_str(),
                    u.kind.level().map(|l| l.to_string()).unwrap_or_default(),
                    u.label.as_deref().unwrap_or(""),
                    u.heading
                        .as_deref()
                        .map(|h| format!(" [{}]", preview(h)))
                        .unwrap_or_default()
                );
                outline(&u.children, depth + 1);
            }
            Block::Para(p) => println!("{pad}p {}", preview(p)),
            Block::Title(t) => println!("{pad}title {t}"),
            Block::Note(t) => println!("{pad}note {}", preview(t)),
            Block::Addressee(t) => println!("{pad}addressee {}", preview(t)),
            Block::Signature(s) => println!(
                "{pad}signature {:?} {:?}",
                s.organs,
                s.date.as_ref().map(|d| &d.text)
            ),
            Block::Table(t) => println!("{pad}table of {} rows", t.rows.len()),
        }
    }
}

fn main() {
    let mut failed = false;
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let text = args.first().is_some_and(|a| a == "--text");
    if text {
        args.remove(0);
    }
    for arg in args {
        println!("== {arg}");
        match import_file(Path::new(&arg), &ImportOptions::default()) {
            Ok(imported) if text => {
                print!("{}", wenku_model::render::to_plain_text(&imported.document))
            }
            Ok(imported) => {
                println!("{:#?}", imported.proposed);
                outline(&imported.document.body, 0);
                for d in &imported.diagnostics {
                    println!("{d}");
                }
            }
            Err(e) => {
                eprintln!("{e}");
                failed = true;
            }
        }
    }
    if failed {
        std::process::exit(1);
    }
}
