//! Serverless resources as a deployment reads them: the fields it acts on, `null` or missing
//! for anything optional, unknown keys ignored.

use serde::{Deserialize, Serialize};

/// A Serverless Service (`ZS...`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct ServerlessService {
    /// `ZS...`.
    pub sid: String,
    /// The name in its domains; an alternative to the SID in paths.
    pub unique_name: String,
    /// What people see.
    pub friendly_name: String,
    /// Whether Functions get the account's credentials in their context.
    pub include_credentials: bool,
    /// `<unique_name>-<digits>`: the start of every Environment's domain.
    pub domain_base: String,
}

/// An Environment (`ZE...`): one domain where a Build is deployed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct Environment {
    /// `ZE...`.
    pub sid: String,
    /// Its Service.
    pub service_sid: String,
    /// `UniqueName`.
    pub unique_name: String,
    /// `DomainSuffix`, if it has one.
    pub domain_suffix: Option<String>,
    /// Where its Functions answer, e.g. `relay-1234-prod.twil.io`.
    pub domain_name: String,
    /// The Build deployed there, if any.
    pub build_sid: Option<String>,
}

/// An Environment Variable (`ZV...`), given to the Environment's Functions.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct Variable {
    /// `ZV...`.
    pub sid: String,
    /// `Key`.
    pub key: String,
    /// `Value`.
    pub value: String,
}

/// A Function (`ZH...`): a name whose code comes in Versions.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct FunctionResource {
    /// `ZH...`.
    pub sid: String,
    /// Its Service.
    pub service_sid: String,
    /// `FriendlyName`.
    pub friendly_name: String,
}

/// A Function Version (`ZN...`): uploaded code at a path.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct FunctionVersion {
    /// `ZN...`.
    pub sid: String,
    /// Its Function.
    pub function_sid: String,
    /// Where it answers, e.g. `/relay`.
    pub path: String,
    /// `public`, `protected` or `private` (capitals inside a Build).
    pub visibility: String,
}

/// A package a Build installs (`Dependencies` entries).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Dependency {
    /// The npm name.
    pub name: String,
    /// The version or range.
    pub version: String,
}

/// A Build (`ZB...`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct Build {
    /// `ZB...`.
    pub sid: String,
    /// `building`, `completed` or `failed`.
    pub status: String,
    /// The Versions it holds.
    pub function_versions: Vec<FunctionVersion>,
    /// The packages it installs.
    pub dependencies: Vec<Dependency>,
    /// e.g. `node22`.
    pub runtime: String,
}

impl Build {
    /// Whether the Build will not change any more (`completed` or `failed`).
    pub fn is_settled(&self) -> bool {
        self.status != "building"
    }
}

/// A Deployment (`ZD...`): a Build put live in an Environment.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct Deployment {
    /// `ZD...`.
    pub sid: String,
    /// The Environment.
    pub environment_sid: String,
    /// The Build deployed.
    pub build_sid: Option<String>,
}

/// The answer of a Build's `Status` resource.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct BuildStatusResource {
    pub status: String,
}

/// The answer of a Version's `Content` resource.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct ContentResource {
    pub content: String,
}
