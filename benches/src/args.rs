//! The examples' command-line options: `--name VALUE` and `--flag`, read
//! from the process's arguments (the examples take nothing else).

/// The value after `name`, if `name` is given.
pub fn value(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

/// The number after `name`, or `default`. Panics with the option's name
/// when the value is not a number.
pub fn number(name: &str, default: u64) -> u64 {
    value(name)
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{name} takes a number, not {v:?}"))
        })
        .unwrap_or(default)
}

/// Whether `name` is given.
pub fn flag(name: &str) -> bool {
    std::env::args().any(|a| a == name)
}
