//! The Serverless API (`serverless.twilio.com`, and `serverless-upload.twilio.com` for code):
//! what deploying a Function takes, and what removing it takes. Lists return every page.
//!
//! ```text
//! Service -> Environment (+ Variables) -> Function -> Version (upload) -> Build -> Deployment
//! ```

use reqwest::Method;

use super::serverless_resources::{BuildStatusResource, ContentResource};
use super::transport::Body;
use super::{
    Build, ClientError, Dependency, Deployment, Environment, FunctionResource, FunctionUpload,
    FunctionVersion, Product, ServerlessService, TwilioClient, Variable,
};

/// A Service to create (`POST /v1/Services`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreateServerlessService {
    /// `UniqueName`: letters, digits and dashes, at most 50; part of every domain.
    pub unique_name: String,
    /// `FriendlyName`.
    pub friendly_name: String,
    /// `IncludeCredentials` (Twilio: true).
    pub include_credentials: Option<bool>,
    /// `UiEditable` (Twilio: false).
    pub ui_editable: Option<bool>,
}

/// A Build to create (`POST .../Builds`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreateBuild {
    /// `FunctionVersions`: the Version SIDs, sent as repeated keys.
    pub function_versions: Vec<String>,
    /// `Dependencies`: the npm packages to install.
    pub dependencies: Vec<Dependency>,
    /// `Runtime`, e.g. `node22` (Twilio picks one when unset).
    pub runtime: Option<String>,
}

impl CreateBuild {
    pub(super) fn form(&self) -> Result<Vec<(&'static str, String)>, ClientError> {
        let mut form: Vec<(&'static str, String)> = self
            .function_versions
            .iter()
            .map(|sid| ("FunctionVersions", sid.clone()))
            .collect();
        if !self.dependencies.is_empty() {
            let json = serde_json::to_string(&self.dependencies).map_err(|e| {
                ClientError::InvalidArgument(format!("cannot encode the dependencies: {e}"))
            })?;
            form.push(("Dependencies", json));
        }
        if let Some(runtime) = &self.runtime {
            form.push(("Runtime", runtime.clone()));
        }
        Ok(form)
    }
}

const SERVERLESS: Product = Product::Serverless;

impl TwilioClient {
    /// Where the Function at `path` answers on the Environment whose domain is `domain_name`
    /// (see [`ApiBase::function_url`](super::ApiBase::function_url)).
    pub fn function_url(&self, domain_name: &str, path: &str) -> String {
        self.base.function_url(domain_name, path)
    }

    /// Creates a Service.
    pub async fn create_serverless_service(
        &self,
        service: &CreateServerlessService,
    ) -> Result<ServerlessService, ClientError> {
        let mut form = vec![
            ("UniqueName", service.unique_name.clone()),
            ("FriendlyName", service.friendly_name.clone()),
        ];
        if let Some(include) = service.include_credentials {
            form.push(("IncludeCredentials", include.to_string()));
        }
        if let Some(editable) = service.ui_editable {
            form.push(("UiEditable", editable.to_string()));
        }
        self.v1_post(SERVERLESS, &["Services"], &form).await
    }

    /// The Service `sid_or_name` (SID or unique name).
    pub async fn fetch_serverless_service(
        &self,
        sid_or_name: &str,
    ) -> Result<ServerlessService, ClientError> {
        self.v1_fetch(SERVERLESS, &["Services", sid_or_name]).await
    }

    /// Every Service of the account.
    pub async fn list_serverless_services(&self) -> Result<Vec<ServerlessService>, ClientError> {
        self.v1_list(SERVERLESS, &["Services"], &[], None).await
    }

    /// Deletes a Service and everything in it.
    pub async fn delete_serverless_service(&self, sid_or_name: &str) -> Result<(), ClientError> {
        self.v1_delete(SERVERLESS, &["Services", sid_or_name]).await
    }

    /// Creates an Environment; its domain gets `-<domain_suffix>` if one is given.
    pub async fn create_environment(
        &self,
        service: &str,
        unique_name: &str,
        domain_suffix: Option<&str>,
    ) -> Result<Environment, ClientError> {
        let mut form = vec![("UniqueName", unique_name.to_string())];
        if let Some(suffix) = domain_suffix {
            form.push(("DomainSuffix", suffix.to_string()));
        }
        let path = ["Services", service, "Environments"];
        self.v1_post(SERVERLESS, &path, &form).await
    }

    /// The Environment `sid` (with the Build deployed there).
    pub async fn fetch_environment(
        &self,
        service: &str,
        sid: &str,
    ) -> Result<Environment, ClientError> {
        let path = ["Services", service, "Environments", sid];
        self.v1_fetch(SERVERLESS, &path).await
    }

    /// Every Environment of a Service.
    pub async fn list_environments(&self, service: &str) -> Result<Vec<Environment>, ClientError> {
        let path = ["Services", service, "Environments"];
        self.v1_list(SERVERLESS, &path, &[], None).await
    }

    /// Deletes an Environment with its Variables and Deployments.
    pub async fn delete_environment(&self, service: &str, sid: &str) -> Result<(), ClientError> {
        let path = ["Services", service, "Environments", sid];
        self.v1_delete(SERVERLESS, &path).await
    }

    /// Creates a Variable of an Environment.
    pub async fn create_variable(
        &self,
        service: &str,
        environment: &str,
        key: &str,
        value: &str,
    ) -> Result<Variable, ClientError> {
        let form = [("Key", key.to_string()), ("Value", value.to_string())];
        let path = [
            "Services",
            service,
            "Environments",
            environment,
            "Variables",
        ];
        self.v1_post(SERVERLESS, &path, &form).await
    }

    /// Gives the Variable `sid` a new value.
    pub async fn update_variable(
        &self,
        service: &str,
        environment: &str,
        sid: &str,
        value: &str,
    ) -> Result<Variable, ClientError> {
        let form = [("Value", value.to_string())];
        let path = [
            "Services",
            service,
            "Environments",
            environment,
            "Variables",
            sid,
        ];
        self.v1_post(SERVERLESS, &path, &form).await
    }

    /// Every Variable of an Environment.
    pub async fn list_variables(
        &self,
        service: &str,
        environment: &str,
    ) -> Result<Vec<Variable>, ClientError> {
        let path = [
            "Services",
            service,
            "Environments",
            environment,
            "Variables",
        ];
        self.v1_list(SERVERLESS, &path, &[], None).await
    }

    /// Deletes a Variable.
    pub async fn delete_variable(
        &self,
        service: &str,
        environment: &str,
        sid: &str,
    ) -> Result<(), ClientError> {
        let path = [
            "Services",
            service,
            "Environments",
            environment,
            "Variables",
            sid,
        ];
        self.v1_delete(SERVERLESS, &path).await
    }

    /// Creates a Function (its code comes with [`upload_function_version`](Self::upload_function_version)).
    pub async fn create_function(
        &self,
        service: &str,
        friendly_name: &str,
    ) -> Result<FunctionResource, ClientError> {
        let form = [("FriendlyName", friendly_name.to_string())];
        self.v1_post(SERVERLESS, &["Services", service, "Functions"], &form)
            .await
    }

    /// Every Function of a Service.
    pub async fn list_functions(
        &self,
        service: &str,
    ) -> Result<Vec<FunctionResource>, ClientError> {
        let path = ["Services", service, "Functions"];
        self.v1_list(SERVERLESS, &path, &[], None).await
    }

    /// Deletes a Function with its Versions.
    pub async fn delete_function(&self, service: &str, sid: &str) -> Result<(), ClientError> {
        let path = ["Services", service, "Functions", sid];
        self.v1_delete(SERVERLESS, &path).await
    }

    /// Uploads code as a new Version of a Function, as `multipart/form-data` to Serverless
    /// Upload (`serverless-upload.twilio.com` on Twilio).
    pub async fn upload_function_version(
        &self,
        service: &str,
        function: &str,
        upload: &FunctionUpload,
    ) -> Result<FunctionVersion, ClientError> {
        let path = ["Services", service, "Functions", function, "Versions"];
        let url = self.v1_url(Product::ServerlessUpload, &path)?;
        self.request(Method::POST, url, Body::Upload(upload)).await
    }

    /// Every Version of a Function, oldest first.
    pub async fn list_function_versions(
        &self,
        service: &str,
        function: &str,
    ) -> Result<Vec<FunctionVersion>, ClientError> {
        let path = ["Services", service, "Functions", function, "Versions"];
        self.v1_list(SERVERLESS, &path, &[], None).await
    }

    /// The code of a Version.
    pub async fn fetch_function_version_content(
        &self,
        service: &str,
        function: &str,
        version: &str,
    ) -> Result<String, ClientError> {
        let path = [
            "Services",
            service,
            "Functions",
            function,
            "Versions",
            version,
            "Content",
        ];
        let content: ContentResource = self.v1_fetch(SERVERLESS, &path).await?;
        Ok(content.content)
    }

    /// Starts a Build; it is `building` until Twilio has built it.
    pub async fn create_build(
        &self,
        service: &str,
        build: &CreateBuild,
    ) -> Result<Build, ClientError> {
        let form = build.form()?;
        self.v1_post(SERVERLESS, &["Services", service, "Builds"], &form)
            .await
    }

    /// The Build `sid` as it is now.
    pub async fn fetch_build(&self, service: &str, sid: &str) -> Result<Build, ClientError> {
        self.v1_fetch(SERVERLESS, &["Services", service, "Builds", sid])
            .await
    }

    /// Just the status of a Build: `building`, `completed` or `failed`.
    pub async fn fetch_build_status(
        &self,
        service: &str,
        sid: &str,
    ) -> Result<String, ClientError> {
        let path = ["Services", service, "Builds", sid, "Status"];
        let status: BuildStatusResource = self.v1_fetch(SERVERLESS, &path).await?;
        Ok(status.status)
    }

    /// Every Build of a Service.
    pub async fn list_builds(&self, service: &str) -> Result<Vec<Build>, ClientError> {
        let path = ["Services", service, "Builds"];
        self.v1_list(SERVERLESS, &path, &[], None).await
    }

    /// Deploys a completed Build to an Environment.
    pub async fn create_deployment(
        &self,
        service: &str,
        environment: &str,
        build_sid: &str,
    ) -> Result<Deployment, ClientError> {
        let form = [("BuildSid", build_sid.to_string())];
        let path = [
            "Services",
            service,
            "Environments",
            environment,
            "Deployments",
        ];
        self.v1_post(SERVERLESS, &path, &form).await
    }

    /// Every Deployment of an Environment, oldest first.
    pub async fn list_deployments(
        &self,
        service: &str,
        environment: &str,
    ) -> Result<Vec<Deployment>, ClientError> {
        let path = [
            "Services",
            service,
            "Environments",
            environment,
            "Deployments",
        ];
        self.v1_list(SERVERLESS, &path, &[], None).await
    }
}
