//! Serverless records: Services and everything under them (Environments with their Variables
//! and Deployments, Functions with their Versions, Builds), behind one lock, and the cascade a
//! delete starts.

use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};

use super::node::Node;

/// A Serverless Service (`ZS...`): the container of a project's Functions and Environments.
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    /// `ZS...`.
    pub sid: String,
    /// The owning account.
    pub account_sid: String,
    /// `UniqueName`, part of every domain of the Service.
    pub unique_name: String,
    /// `FriendlyName`.
    pub friendly_name: String,
    /// `IncludeCredentials`: whether Functions get the account's credentials.
    pub include_credentials: bool,
    /// `UiEditable`.
    pub ui_editable: bool,
    /// `<unique_name>-<4 digits>`, the start of every Environment's domain.
    pub domain_base: String,
    /// Created.
    pub date_created: DateTime<Utc>,
    /// Last change.
    pub date_updated: DateTime<Utc>,
}

/// An Environment (`ZE...`): a domain where one Build is deployed.
#[derive(Debug, Clone, PartialEq)]
pub struct Environment {
    /// `ZE...`.
    pub sid: String,
    /// The Service.
    pub service_sid: String,
    /// `UniqueName`.
    pub unique_name: String,
    /// `DomainSuffix`.
    pub domain_suffix: Option<String>,
    /// `<domain_base>[-<suffix>].twil.io`.
    pub domain_name: String,
    /// The Build its latest Deployment deployed.
    pub build_sid: Option<String>,
    /// Created.
    pub date_created: DateTime<Utc>,
    /// Last change (a Deployment).
    pub date_updated: DateTime<Utc>,
}

/// A Variable (`ZV...`) of an Environment, given to its Functions.
#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    /// `ZV...`.
    pub sid: String,
    /// The Service.
    pub service_sid: String,
    /// The Environment.
    pub environment_sid: String,
    /// `Key`.
    pub key: String,
    /// `Value`.
    pub value: String,
    /// Created.
    pub date_created: DateTime<Utc>,
    /// Last change.
    pub date_updated: DateTime<Utc>,
}

/// A Function (`ZH...`): a name whose code comes in Versions.
#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    /// `ZH...`.
    pub sid: String,
    /// The Service.
    pub service_sid: String,
    /// `FriendlyName`.
    pub friendly_name: String,
    /// Created.
    pub date_created: DateTime<Utc>,
    /// Last change.
    pub date_updated: DateTime<Utc>,
}

/// Who may invoke a Function Version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Anyone.
    Public,
    /// Requests signed by Twilio (`X-Twilio-Signature`).
    Protected,
    /// No one over HTTP; other Functions only.
    Private,
}

impl Visibility {
    /// Parses Twilio's spelling (any case).
    pub fn parse(text: &str) -> Option<Visibility> {
        match text.to_ascii_lowercase().as_str() {
            "public" => Some(Visibility::Public),
            "protected" => Some(Visibility::Protected),
            "private" => Some(Visibility::Private),
            _ => None,
        }
    }

    /// Twilio's spelling in a Version resource.
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Protected => "protected",
            Visibility::Private => "private",
        }
    }
}

/// A Function Version (`ZN...`): uploaded code at a path.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionVersion {
    /// `ZN...`.
    pub sid: String,
    /// The Service.
    pub service_sid: String,
    /// The Function.
    pub function_sid: String,
    /// `Path`, e.g. `/relay`: where it answers in an Environment's domain.
    pub path: String,
    /// `Visibility`.
    pub visibility: Visibility,
    /// The uploaded code.
    pub content: String,
    /// Created.
    pub date_created: DateTime<Utc>,
}

/// A package a Build installs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    /// The npm name.
    pub name: String,
    /// The version or range.
    pub version: String,
}

/// A Build (`ZB...`): Function Versions and dependencies made deployable.
#[derive(Debug, Clone, PartialEq)]
pub struct Build {
    /// `ZB...`.
    pub sid: String,
    /// The Service.
    pub service_sid: String,
    /// Copies of the Versions it holds (a Version deleted later stays deployable).
    pub function_versions: Vec<FunctionVersion>,
    /// `Dependencies`.
    pub dependencies: Vec<Dependency>,
    /// `Runtime`, e.g. `node22`.
    pub runtime: String,
    /// Why it ends `failed` rather than `completed` (a dependency npm cannot install, no node).
    pub failure: Option<String>,
    /// Created; it is `building` until `date_created` plus the configured build time.
    pub date_created: DateTime<Utc>,
}

/// A Build's `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuildStatus {
    /// Still being built.
    Building,
    /// Deployable.
    Completed,
    /// Not deployable.
    Failed,
}

impl BuildStatus {
    /// Twilio's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            BuildStatus::Building => "building",
            BuildStatus::Completed => "completed",
            BuildStatus::Failed => "failed",
        }
    }
}

impl Build {
    /// The status at `now` for builds that take `duration`, and when it last changed.
    pub fn status(
        &self,
        now: DateTime<Utc>,
        duration: std::time::Duration,
    ) -> (BuildStatus, DateTime<Utc>) {
        let done = self.date_created + chrono::Duration::from_std(duration).unwrap_or_default();
        match (now < done, self.failure.is_some()) {
            (true, _) => (BuildStatus::Building, self.date_created),
            (false, false) => (BuildStatus::Completed, done),
            (false, true) => (BuildStatus::Failed, done),
        }
    }
}

/// A Deployment (`ZD...`): a Build put live in an Environment.
#[derive(Debug, Clone, PartialEq)]
pub struct Deployment {
    /// `ZD...`.
    pub sid: String,
    /// The Service.
    pub service_sid: String,
    /// The Environment.
    pub environment_sid: String,
    /// The Build; `None` takes the Environment's Build down.
    pub build_sid: Option<String>,
    /// Created.
    pub date_created: DateTime<Utc>,
}

/// A record that belongs to another (an Environment to its Service, a Variable to its
/// Environment, ...), so lookups and lists are one piece of code for every kind.
pub trait Child {
    /// Its SID.
    fn sid(&self) -> &str;
    /// The SID of the record it belongs to.
    fn parent_sid(&self) -> &str;
}

macro_rules! child_of {
    ($kind:ty, $parent:ident) => {
        impl Child for $kind {
            fn sid(&self) -> &str {
                &self.sid
            }
            fn parent_sid(&self) -> &str {
                &self.$parent
            }
        }
    };
}

child_of!(Service, account_sid);
child_of!(Environment, service_sid);
child_of!(Variable, environment_sid);
child_of!(Function, service_sid);
child_of!(FunctionVersion, function_sid);
child_of!(Build, service_sid);
child_of!(Deployment, environment_sid);

/// The record `sid` of `parent` among `records`.
pub fn child<T: Child + Clone>(records: &[T], parent: &str, sid: &str) -> Option<T> {
    records
        .iter()
        .find(|r| r.parent_sid() == parent && r.sid() == sid)
        .cloned()
}

/// Every record of `parent` among `records`, oldest first.
pub fn children<T: Child + Clone>(records: &[T], parent: &str) -> Vec<T> {
    records
        .iter()
        .filter(|r| r.parent_sid() == parent)
        .cloned()
        .collect()
}

/// Every Serverless record, each kind oldest first.
#[derive(Debug, Default)]
pub struct ServerlessData {
    /// Services of every account.
    pub services: Vec<Service>,
    /// Environments of every Service.
    pub environments: Vec<Environment>,
    /// Variables of every Environment.
    pub variables: Vec<Variable>,
    /// Functions of every Service.
    pub functions: Vec<Function>,
    /// Versions of every Function.
    pub versions: Vec<FunctionVersion>,
    /// Builds of every Service.
    pub builds: Vec<Build>,
    /// Deployments of every Environment.
    pub deployments: Vec<Deployment>,
}

impl ServerlessData {
    /// The account's Service `sid_or_name`.
    pub fn service(&self, account_sid: &str, sid_or_name: &str) -> Option<&Service> {
        self.services.iter().find(|s| {
            s.account_sid == account_sid && (s.sid == sid_or_name || s.unique_name == sid_or_name)
        })
    }

    /// Removes the Service `sid` and everything under it.
    pub fn remove_service(&mut self, sid: &str) {
        self.services.retain(|s| s.sid != sid);
        self.environments.retain(|e| e.service_sid != sid);
        self.variables.retain(|v| v.service_sid != sid);
        self.functions.retain(|f| f.service_sid != sid);
        self.versions.retain(|v| v.service_sid != sid);
        self.builds.retain(|b| b.service_sid != sid);
        self.deployments.retain(|d| d.service_sid != sid);
    }

    /// Removes the Environment `sid` with its Variables and Deployments.
    pub fn remove_environment(&mut self, sid: &str) {
        self.environments.retain(|e| e.sid != sid);
        self.variables.retain(|v| v.environment_sid != sid);
        self.deployments.retain(|d| d.environment_sid != sid);
    }

    /// Removes the Function `sid` with its Versions (Builds keep their copies).
    pub fn remove_function(&mut self, sid: &str) {
        self.functions.retain(|f| f.sid != sid);
        self.versions.retain(|v| v.function_sid != sid);
    }
}

/// Shared, cheaply cloned handle on the Serverless records and the node that runs their
/// Functions.
#[derive(Debug, Clone, Default)]
pub struct ServerlessStore {
    data: Arc<Mutex<ServerlessData>>,
    node: Node,
}

impl ServerlessStore {
    /// No records yet; Functions run under `node`.
    pub fn new(node: Node) -> ServerlessStore {
        ServerlessStore {
            data: Arc::default(),
            node,
        }
    }

    /// The node that runs deployed Functions.
    pub fn node(&self) -> &Node {
        &self.node
    }

    /// Runs `change` on the records, holding the lock only for that.
    pub fn with<T>(&self, change: impl FnOnce(&mut ServerlessData) -> T) -> T {
        change(&mut self.lock())
    }

    fn lock(&self) -> MutexGuard<'_, ServerlessData> {
        // A panic while holding the lock leaves plain data behind; keep serving it.
        self.data
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
