//! `ASSERTERS`, `LOGIC_HOOKS` and `USER_INPUTS`: the names scripts may use beyond the built-ins.

use serde_json::Value;

use super::coerce;
use super::error::{ConfigError, Origin};
use super::source::ParsedFile;
use super::typed::{ErrorContext, Merged};
use super::types::{Extension, ExtensionKind};

/// The three extension lists, in the order they are read.
pub(crate) const EXTENSION_LISTS: [(&str, ExtensionKind); 3] = [
    ("ASSERTERS", ExtensionKind::Asserter),
    ("LOGIC_HOOKS", ExtensionKind::LogicHook),
    ("USER_INPUTS", ExtensionKind::UserInput),
];

const ARRAY_OF_ENTRIES: &str = "a JSON array of {\"ref\": \"NAME\", \"src\": ...} objects";

/// Reads every extension entry; malformed entries become errors, duplicates warnings.
pub(crate) fn extensions(
    merged: &Merged,
    ctx: &ErrorContext<'_>,
    errors: &mut Vec<ConfigError>,
    warnings: &mut Vec<String>,
) -> Vec<Extension> {
    let mut found: Vec<Extension> = Vec::new();
    for (list, kind) in EXTENSION_LISTS {
        let Some(entry) = merged.get(list) else {
            continue;
        };
        let items = match &entry.value {
            Value::Null => continue,
            Value::Array(items) => items,
            _ => {
                errors.push(ctx.invalid(list, entry, ARRAY_OF_ENTRIES, false));
                continue;
            }
        };
        for (index, item) in items.iter().enumerate() {
            let origin = item_origin(&entry.origin, ctx.file, list, index);
            match extension(kind, item) {
                Ok(extension) => {
                    if found
                        .iter()
                        .any(|e| e.kind == kind && e.name == extension.name)
                    {
                        warnings.push(format!(
                            "{list}[{index}]: \"{}\" is declared more than once (from {origin}); the last declaration wins",
                            ctx.redactor.redact(&extension.name)
                        ));
                        found.retain(|e| !(e.kind == kind && e.name == extension.name));
                    }
                    found.push(extension);
                }
                Err(problems) => {
                    for problem in problems {
                        let (src, span) = ctx.snippet(&origin);
                        errors.push(ConfigError::InvalidExtension {
                            list: list.to_string(),
                            index,
                            problem: ctx.redactor.redact(&problem),
                            origin: origin.clone(),
                            src,
                            span,
                        });
                    }
                }
            }
        }
    }
    found
}

/// The position of `list[index]`: in the file when the list came from there.
fn item_origin(
    list_origin: &Origin,
    file: Option<&ParsedFile>,
    list: &str,
    index: usize,
) -> Origin {
    match (list_origin, file) {
        (Origin::File { .. }, Some(file)) => {
            file.origin(&["botium", "Capabilities", list, &index.to_string()])
        }
        _ => list_origin.clone(),
    }
}

/// One entry, or every problem with it.
fn extension(kind: ExtensionKind, item: &Value) -> Result<Extension, Vec<String>> {
    let Value::Object(fields) = item else {
        return Err(vec![format!(
            "expected an object like {{\"ref\": \"NAME\"}}, got {item}"
        )]);
    };
    let mut problems = Vec::new();
    let name = match fields.get("ref") {
        Some(Value::String(name)) if !name.trim().is_empty() => name.trim().to_string(),
        None | Some(Value::Null) => {
            problems.push("\"ref\" (the name scripts use) is missing".to_string());
            String::new()
        }
        Some(other) => {
            problems.push(format!("\"ref\" must be a non-empty string, got {other}"));
            String::new()
        }
    };
    let src = match fields.get("src") {
        None | Some(Value::Null) => None,
        Some(Value::String(src)) => (!src.is_empty()).then(|| src.clone()),
        Some(other) => {
            problems.push(format!("\"src\" must be a string, got {other}"));
            None
        }
    };
    let global = match fields.get("global") {
        None | Some(Value::Null) => false,
        Some(value) => coerce::boolean(value).unwrap_or_else(|_| {
            problems.push(format!("\"global\" must be true or false, got {value}"));
            false
        }),
    };
    let args = fields.get("args").filter(|a| !a.is_null()).cloned();
    if problems.is_empty() {
        Ok(Extension {
            kind,
            name,
            src,
            global,
            args,
        })
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_the_checktwiliosms_declaration() {
        let item =
            json!({"ref": "CHECKTWILIOSMS", "src": "botium-connector-twilio-ivr/CHECKTWILIOSMS"});
        let extension = extension(ExtensionKind::Asserter, &item).expect("valid");
        assert_eq!(extension.name, "CHECKTWILIOSMS");
        assert_eq!(extension.kind, ExtensionKind::Asserter);
        assert_eq!(
            extension.src.as_deref(),
            Some("botium-connector-twilio-ivr/CHECKTWILIOSMS")
        );
        assert!(!extension.global);
        assert_eq!(extension.args, None);
    }

    #[test]
    fn reads_global_and_args() {
        let item = json!({"ref": "X", "global": "yes", "args": {"min": 80}});
        let extension = extension(ExtensionKind::LogicHook, &item).expect("valid");
        assert!(extension.global);
        assert_eq!(extension.args, Some(json!({"min": 80})));
    }

    #[test]
    fn reports_every_problem_of_an_entry() {
        let problems = extension(
            ExtensionKind::UserInput,
            &json!({"src": 3, "global": "maybe"}),
        )
        .expect_err("invalid");
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].contains("\"ref\""));
        let problems =
            extension(ExtensionKind::UserInput, &json!({"ref": "  "})).expect_err("invalid");
        assert!(problems[0].contains("non-empty"), "{problems:?}");
        let problems = extension(ExtensionKind::UserInput, &json!("NAME")).expect_err("invalid");
        assert!(problems[0].contains("expected an object"), "{problems:?}");
    }
}
