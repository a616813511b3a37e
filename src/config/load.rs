//! `Config::load`: pick the file, read it, merge the environment, type everything, collect all errors.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Map, Value};

use super::error::{ConfigError, ConfigErrors, Origin};
use super::extensions::extensions;
use super::known;
use super::secrets::{redis_url_secrets, Redactor};
use super::source::ParsedFile;
use super::typed::{Entry, ErrorContext, Merged, Typer};
use super::types::{Capabilities, Config, SpeechTimeout};

/// `BOTIUM_<NAME>` variables that are botium-cli options, not capabilities; they are skipped.
const CLI_VARIABLES: [&str; 9] = [
    "CONFIG",
    "FILTER",
    "TIMEOUT",
    "TESTSUITENAME",
    "EXPANDUTTERANCES",
    "EXPANDSCRIPTINGMEMORY",
    "ATTACHMENTS",
    "VERBOSE",
    "ANALYTICS",
];

/// `BOTIUM_<NAME>` variables that set `Sources.<NAME>` instead of a capability.
const SOURCE_NAMES: [&str; 6] = [
    "LOCALPATH",
    "GITPATH",
    "GITURL",
    "GITBRANCH",
    "GITDIR",
    "GITPREPARECMD",
];

/// Twilio abandons a webhook after 15 s (error 11205).
const TWILIO_WEBHOOK_LIMIT: Duration = Duration::from_secs(15);

/// The three sections of `botium`.
struct Sections {
    capabilities: Map<String, Value>,
    sources: Map<String, Value>,
    envs: Map<String, Value>,
}

impl Config {
    /// Loads `explicit` (`--config`), else `$BOTIUM_CONFIG`, else `cwd/botium.json` when present,
    /// then applies `BOTIUM_*` variables from `env`; returns every error found, not just the first.
    pub fn load(
        explicit: Option<&Path>,
        cwd: &Path,
        env: &BTreeMap<String, String>,
    ) -> Result<Config, ConfigErrors> {
        let mut warnings = Vec::new();
        let mut errors = Vec::new();
        let (path, named_by) = choose_file(explicit, cwd, env);
        let parsed = read_file(&path, named_by).map_err(|e| ConfigErrors::single(*e))?;

        let mut merged = Merged::new();
        let mut sources = Map::new();
        let mut envs = Map::new();
        let mut used_file = None;
        if let Some(file) = &parsed {
            match sections(file, &mut errors) {
                Some(found) => {
                    for (key, value) in found.capabilities {
                        let origin = file.origin(&["botium", "Capabilities", &key]);
                        merged.insert(
                            key,
                            Entry {
                                value,
                                origin,
                                env_text: None,
                            },
                        );
                    }
                    sources = found.sources;
                    envs = found.envs;
                    used_file = Some(file);
                }
                None if named_by.is_some() => {
                    return Err(ConfigErrors::single(ConfigError::NotBotiumFile {
                        path: file.path.clone(),
                    }));
                }
                None => warnings.push(format!(
                    "{} has no top-level \"botium\" key and is ignored (as Botium does); expected {{\"botium\": {{\"Capabilities\": {{...}}}}}}",
                    file.path.display()
                )),
            }
        }
        apply_env(env, &mut merged, &mut sources, &mut envs);

        let ctx = ErrorContext {
            file: used_file,
            redactor: Redactor::new(merged_secrets(&merged)),
        };
        let mut typer = Typer::new(&merged, &ctx);
        let mut capabilities = typer.capabilities();
        errors.append(&mut typer.errors);
        let extensions = extensions(&merged, &ctx, &mut errors, &mut warnings);
        capabilities.raw = merged
            .iter()
            .map(|(key, entry)| (key.clone(), entry.value.clone()))
            .collect();
        warnings.extend(capability_warnings(&merged, &capabilities));
        let warnings: Vec<String> = warnings.iter().map(|w| ctx.redactor.redact(w)).collect();

        if !errors.is_empty() {
            return Err(ConfigErrors { errors, warnings });
        }
        Ok(Config {
            file: used_file.map(|f| f.path.clone()),
            capabilities,
            extensions,
            sources,
            envs,
            warnings,
        })
    }
}

/// The file to read and what named it (`None`: the implicit `./botium.json`, optional).
fn choose_file(
    explicit: Option<&Path>,
    cwd: &Path,
    env: &BTreeMap<String, String>,
) -> (PathBuf, Option<&'static str>) {
    match (explicit, env.get("BOTIUM_CONFIG")) {
        (Some(path), _) => (resolve_path(cwd, path), Some("--config")),
        (None, Some(path)) if !path.is_empty() => {
            (resolve_path(cwd, Path::new(path)), Some("BOTIUM_CONFIG"))
        }
        _ => (resolve_path(cwd, Path::new("botium.json")), None),
    }
}

/// A path the user typed, taken from the working folder `cwd`. When `cwd` is the process's own
/// working folder (`.`), the path stays as typed, so messages show it the way the user wrote it.
pub fn resolve_path(cwd: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() || cwd == Path::new(".") {
        path.to_path_buf()
    } else {
        cwd.join(path)
    }
}

/// Reads and parses the file; a missing implicit file is no error.
fn read_file(
    path: &Path,
    named_by: Option<&'static str>,
) -> Result<Option<ParsedFile>, Box<ConfigError>> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            // Editors on Windows may add a byte-order mark, which JSON parsers reject.
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            ParsedFile::parse(path, text).map(Some)
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => match named_by {
            Some(named_by) => Err(Box::new(ConfigError::FileNotFound {
                path: path.to_path_buf(),
                named_by,
            })),
            None => Ok(None),
        },
        Err(error) => Err(Box::new(ConfigError::FileUnreadable {
            path: path.to_path_buf(),
            reason: error.to_string(),
        })),
    }
}

/// The `botium` sections, or None when the file has no `botium` key; shape errors are pushed.
fn sections(file: &ParsedFile, errors: &mut Vec<ConfigError>) -> Option<Sections> {
    let botium = file.json.as_object()?.get("botium")?;
    let Value::Object(botium) = botium else {
        errors.push(not_object(file, &["botium"], botium));
        return Some(Sections {
            capabilities: Map::new(),
            sources: Map::new(),
            envs: Map::new(),
        });
    };
    let mut section = |name: &str| match botium.get(name) {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(map)) => map.clone(),
        Some(other) => {
            errors.push(not_object(file, &["botium", name], other));
            Map::new()
        }
    };
    Some(Sections {
        capabilities: section("Capabilities"),
        sources: section("Sources"),
        envs: section("Envs"),
    })
}

fn not_object(file: &ParsedFile, path: &[&str], value: &Value) -> ConfigError {
    let span = match file.origin(path) {
        Origin::File { span, .. } => Some(span.into()),
        Origin::Env { .. } => None,
    };
    ConfigError::SectionNotObject {
        path: file.path.clone(),
        section: path.join("."),
        got: type_name(value),
        src: Some(file.source_for_display(&[])),
        span,
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `BOTIUM_ENV_<NAME>` sets `Envs.<NAME>`, a Sources name sets `Sources.<NAME>`, the CLI's own
/// variables are skipped, and any other `BOTIUM_<KEY>` sets capability `<KEY>`.
fn apply_env(
    env: &BTreeMap<String, String>,
    merged: &mut Merged,
    sources: &mut Map<String, Value>,
    envs: &mut Map<String, Value>,
) {
    for (var, text) in env {
        let Some(name) = var.strip_prefix("BOTIUM_") else {
            continue;
        };
        if let Some(env_name) = name.strip_prefix("ENV_") {
            if !env_name.is_empty() {
                envs.insert(env_name.to_string(), parse_env_value(text));
            }
            continue;
        }
        if name.is_empty() || CLI_VARIABLES.contains(&name) || name.starts_with("CONVOS") {
            continue;
        }
        if SOURCE_NAMES.contains(&name) {
            sources.insert(name.to_string(), parse_env_value(text));
            continue;
        }
        merged.insert(
            name.to_string(),
            Entry {
                value: parse_env_value(text),
                origin: Origin::Env { var: var.clone() },
                env_text: Some(text.clone()),
            },
        );
    }
}

/// As Botium: JSON when it parses (`"true"`, `"500"`, `'{"a":1}'`), else the string itself.
fn parse_env_value(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
}

/// Secret values in the merged capabilities, before typing (so errors can hide them).
fn merged_secrets(merged: &Merged) -> Vec<String> {
    let text = |entry: &Entry| match (&entry.env_text, &entry.value) {
        (Some(text), _) => Some(text.clone()),
        (None, Value::String(s)) => Some(s.clone()),
        (None, Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let mut secrets = Vec::new();
    for name in ["TWILIO_IVR_AUTH_TOKEN", "TWILIO_IVR_API_SECRET"] {
        secrets.extend(merged.get(name).and_then(text));
    }
    if let Some(url) = merged.get("TWILIO_IVR_REDISURL").and_then(text) {
        secrets.extend(redis_url_secrets(&url));
    }
    secrets
}

/// Values that load but are probably not what the user meant.
fn capability_warnings(merged: &Merged, caps: &Capabilities) -> Vec<String> {
    let mut warnings: Vec<String> = merged
        .iter()
        .filter_map(|(name, entry)| {
            known::unknown_capability_warning(name, &entry.origin.to_string())
        })
        .collect();
    let scripting = &caps.scripting;
    let twilio = &caps.twilio;
    warnings.extend(known::matching_mode_warning(&scripting.matching_mode));
    if !known::MEMORY_MATCHING_MODES.contains(&scripting.memory_matching_mode.as_str()) {
        warnings.push(format!(
            "SCRIPTING_MEMORY_MATCHING_MODE \"{}\" is not one of {}{}",
            scripting.memory_matching_mode,
            known::MEMORY_MATCHING_MODES.join(", "),
            known::suggestion(
                &scripting.memory_matching_mode,
                known::MEMORY_MATCHING_MODES
            )
        ));
    }
    if let Some(mode) = caps
        .container_mode
        .as_deref()
        .filter(|m| *m != "twilio-ivr")
    {
        warnings.push(format!(
            "CONTAINERMODE is \"{mode}\"; ivr-test always calls through Twilio, as \"twilio-ivr\" does"
        ));
    }
    if twilio.speech_timeout == Some(SpeechTimeout::Auto) && twilio.speech_model.is_some() {
        warnings.push(
            "TWILIO_IVR_SPEECH_TIMEOUT \"auto\" conflicts with TWILIO_IVR_SPEECH_MODEL (Twilio warning 13335); use whole seconds, or set TWILIO_IVR_SPEECH_MODEL to \"\"".to_string(),
        );
    }
    if twilio.wait_botium_response >= TWILIO_WEBHOOK_LIMIT {
        warnings.push(format!(
            "TWILIO_IVR_WAIT_BOTIUM_RESPONSE is {} ms; Twilio abandons a webhook after 15000 ms (error 11205)",
            twilio.wait_botium_response.as_millis()
        ));
    }
    if let Some(sid) = &twilio.account_sid {
        let looks_right = sid.len() == 34
            && sid.starts_with("AC")
            && sid[2..].bytes().all(|b| b.is_ascii_hexdigit());
        if !looks_right {
            warnings.push(format!(
                "TWILIO_IVR_ACCOUNT_SID \"{sid}\" does not look like an Account SID (AC followed by 32 hex digits)"
            ));
        }
    }
    if twilio.api_key.is_some() != twilio.api_secret.is_some() {
        warnings.push(
            "only one of TWILIO_IVR_API_KEY and TWILIO_IVR_API_SECRET is set; an API key needs both, so TWILIO_IVR_AUTH_TOKEN is used".to_string(),
        );
    }
    if twilio.redis_url.is_some() && twilio.inbound_port.is_some() {
        warnings.push(
            "both TWILIO_IVR_REDISURL and TWILIO_IVR_INBOUNDPORT are set; Redis mode wins, as in the original connector".to_string(),
        );
    }
    warnings
}
