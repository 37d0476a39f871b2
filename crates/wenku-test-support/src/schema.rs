//! JSON outputs checked against the JSON Schemas in `schemas/`.

use serde_json::Value;

use crate::paths::schemas_dir;

/// The validator of `schemas/<file>`, or of its definition `$defs/<def>`.
pub fn validator(file: &str, def: Option<&str>) -> jsonschema::Validator {
    let path = schemas_dir().join(file);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut schema: Value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    if let Some(def) = def {
        schema["$ref"] = Value::String(format!("#/$defs/{def}"));
    }
    jsonschema::validator_for(&schema)
        .unwrap_or_else(|e| panic!("{} is not a valid JSON Schema: {e}", path.display()))
}

/// Panics, listing every error and the value, unless `value` is valid;
/// `what` names the output in the message.
pub fn check(validator: &jsonschema::Validator, what: &str, value: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} output does not match the schema:\n{}\n{value:#}",
        errors.join("\n")
    );
}
