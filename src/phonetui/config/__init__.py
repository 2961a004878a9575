"""The TOML configuration: phones, defaults, the service, templates, keys.

Read with ``tomllib``; every error names the file, the key and the line, and a
file is checked whole, so one run of ``phonetui check`` shows every mistake. The
app never rewrites a file a person wrote: templates saved from the app go to a
file of its own (``templates.toml`` beside the config, or ``[defaults]
templates_file``), written with ``tomli-w`` atomically.

``model`` holds what a config is, ``errors`` its located errors, ``reader`` and
``schema`` the checking, ``load`` the reading and ``write`` the atomic writes; every
name others use is exported here.
"""

from .errors import ERRORS_SHOWN, ConfigError, ConfigErrors
from .load import load_config, merge_templates, missing_credentials, parse_config, reload_templates
from .model import (
    AUTH_SCHEMES,
    DISCOVERED_FILE,
    MODES,
    SERVICE_HOST,
    SERVICE_PORT,
    TAG_SOURCES,
    TEMPLATES_FILE,
    Config,
    CucmConfig,
    Defaults,
    DiscoveryConfig,
    Mode,
    Phone,
    PhoneAuthScheme,
    ProbeConfig,
    ServiceConfig,
    TagSource,
    Template,
    TemplateKind,
)
from .schema import host_problem, split_host_port
from .write import discovered_entries, save_template, write_config, write_discovered

__all__ = [
    "AUTH_SCHEMES",
    "DISCOVERED_FILE",
    "ERRORS_SHOWN",
    "MODES",
    "SERVICE_HOST",
    "SERVICE_PORT",
    "TAG_SOURCES",
    "TEMPLATES_FILE",
    "Config",
    "ConfigError",
    "ConfigErrors",
    "CucmConfig",
    "Defaults",
    "DiscoveryConfig",
    "Mode",
    "Phone",
    "PhoneAuthScheme",
    "ProbeConfig",
    "ServiceConfig",
    "TagSource",
    "Template",
    "TemplateKind",
    "discovered_entries",
    "host_problem",
    "load_config",
    "merge_templates",
    "missing_credentials",
    "parse_config",
    "reload_templates",
    "save_template",
    "split_host_port",
    "write_config",
    "write_discovered",
]
