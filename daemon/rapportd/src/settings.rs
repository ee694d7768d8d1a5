//! Reading the configuration file and the secrets it names: the daemon's only inputs from disk.
//!
//! The core parses and checks the TOML ([`Config::parse`]); this module adds what needs the
//! environment: default paths (XDG for a person, `/var/lib` and `/run` for a system service) and
//! secret values, read from an environment variable or from a file only the daemon's user may read.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use rapport_core::config::{Config, Invalid, SecretSource};
use thiserror::Error;

/// Why the configuration cannot be used.
#[derive(Debug, Error)]
pub enum SettingsError {
    /// The file could not be read.
    #[error("cannot read the configuration {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a valid configuration, or a secret it names cannot be read; the message
    /// names file, line and key.
    #[error("{0}")]
    Invalid(#[from] rapport_core::config::ConfigError),
}

/// A checked configuration with its secrets and resolved paths.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The file it came from.
    pub file: PathBuf,
    /// The parsed configuration.
    pub config: Config,
    /// Where the store lives.
    pub data_dir: PathBuf,
    /// Where the control socket lives.
    pub socket: PathBuf,
    /// Secret values per account, name → value.
    pub secrets: BTreeMap<String, BTreeMap<String, String>>,
}

impl Settings {
    /// Reads and checks `file`, and reads every secret it names.
    pub fn load(file: &Path) -> Result<Settings, SettingsError> {
        let text = std::fs::read_to_string(file)
            .map_err(|source| SettingsError::Read { path: file.to_path_buf(), source })?;
        let config = Config::parse(&text, file)?;
        let mut secrets = BTreeMap::new();
        for (i, account) in config.accounts.iter().enumerate() {
            let mut values = BTreeMap::new();
            for (name, source) in &account.secrets {
                let fail = |problem: String| {
                    config.locate(vec![Invalid::new(format!("accounts[{i}].secrets.{name}"), problem)])
                };
                values.insert(name.clone(), read_secret(source).map_err(fail)?);
            }
            secrets.insert(account.name.clone(), values);
        }
        let data_dir = config.data_dir.clone().unwrap_or_else(default_data_dir);
        let socket = config.socket.as_ref().and_then(|s| s.path.clone()).unwrap_or_else(default_socket);
        Ok(Settings { file: file.to_path_buf(), config, data_dir, socket, secrets })
    }
}

fn read_secret(source: &SecretSource) -> Result<String, String> {
    match source {
        SecretSource::Env(var) => std::env::var(var)
            .map(|v| v.trim().to_owned())
            .map_err(|_| format!("the environment variable {var} is not set; set it for rapportd, or use `{{ file = \"...\" }}`")),
        SecretSource::File(path) => {
            let meta = std::fs::metadata(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            if meta.permissions().mode() & 0o077 != 0 {
                return Err(format!(
                    "{} may be read by other users; run `chmod 600 {}`",
                    path.display(),
                    path.display()
                ));
            }
            std::fs::read_to_string(path)
                .map(|v| v.trim().to_owned())
                .map_err(|e| format!("cannot read {}: {e}", path.display()))
        }
    }
}

/// `$XDG_DATA_HOME/rapport`, else `~/.local/share/rapport`, else `/var/lib/rapport` (a service
/// without a home).
pub fn default_data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("STATE_DIRECTORY") {
        // systemd's StateDirectory= sets this for a system service.
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("XDG_DATA_HOME") {
        return PathBuf::from(dir).join("rapport");
    }
    match std::env::var_os("HOME") {
        Some(home) => PathBuf::from(home).join(".local/share/rapport"),
        None => PathBuf::from("/var/lib/rapport"),
    }
}

/// The socket path when the config names none: `$RUNTIME_DIRECTORY/rapport.sock` under the system
/// unit (`/run/rapport/rapport.sock`), else `$XDG_RUNTIME_DIR/rapport/rapport.sock`, else
/// `/run/user/<uid>/rapport/rapport.sock`; the CLI's default is the same function.
pub fn default_socket() -> PathBuf {
    rapport_protocol::default_socket_path()
}

/// `$XDG_CONFIG_HOME/rapport/rapport.toml`, else `~/.config/rapport/rapport.toml`, else
/// `/etc/rapport/rapport.toml`.
pub fn default_config_file() -> PathBuf {
    if let Some(dir) = std::env::var_os("XDG_CONFIG_HOME") {
        return PathBuf::from(dir).join("rapport/rapport.toml");
    }
    match std::env::var_os("HOME") {
        Some(home) => PathBuf::from(home).join(".config/rapport/rapport.toml"),
        None => PathBuf::from("/etc/rapport/rapport.toml"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_file_readable_by_others_is_refused_with_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "s3cret\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = read_secret(&SecretSource::File(path.clone())).unwrap_err();
        assert!(err.contains("chmod 600"), "{err}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(read_secret(&SecretSource::File(path)).unwrap(), "s3cret");
    }
}
