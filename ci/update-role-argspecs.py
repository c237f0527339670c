"""Regenerate the element options of roles/provision/meta/argument_specs.yml from the modules.

The role passes each list element to a module as its arguments, so each element accepts
exactly that module's own options (minus the connection options). Run after changing a
module's options; tests/unit/test_role_argspecs.py fails while the two disagree.

    .venv/bin/python ci/update-role-argspecs.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SPEC_FILE = ROOT / "roles" / "provision" / "meta" / "argument_specs.yml"
# role variable -> module whose options each element takes
ELEMENTS = {
    "provision_packages": "package",
    "provision_accounts": "account",
    "provision_dns_record_sets": "dns_record_set",
    "provision_ssl_certificates": "ssl_certificate",
    "provision_api_tokens": "api_token",
}
HEADER = "# The element options are generated from the modules: ci/update-role-argspecs.py"


def element_options(module_name: str) -> dict:
    """The module's documented options, as role argument-spec options (no defaults: the module applies them)."""
    source = (ROOT / "plugins" / "modules" / f"{module_name}.py").read_text()
    namespace: dict = {}
    start = source.index('DOCUMENTATION = r"""')
    end = source.index('"""', start + len('DOCUMENTATION = r"""'))
    exec(source[start : end + 3], namespace)  # noqa: S102 - our own module's docstring constant
    documented = yaml.safe_load(namespace["DOCUMENTATION"])["options"]
    options = {}
    for name, doc in documented.items():
        description = doc["description"]
        first = description[0] if isinstance(description, list) else description
        option = {"description": first, "type": doc.get("type", "str")}
        for key in ("elements", "choices"):  # role specs do not allow aliases
            if key in doc:
                option[key] = doc[key]
        if doc.get("required"):
            option["required"] = True
        options[name] = option
    return options


class IndentedDumper(yaml.SafeDumper):
    """Indent block sequences under their key, as yamllint expects."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def render() -> str:
    spec = yaml.safe_load(SPEC_FILE.read_text().split(HEADER)[-1])
    options = spec["argument_specs"]["main"]["options"]
    for variable, module_name in ELEMENTS.items():
        options[variable]["options"] = element_options(module_name)
    body = yaml.dump(spec, Dumper=IndentedDumper, sort_keys=False, width=120, allow_unicode=True)
    return f"---\n{HEADER}\n{body}"


def main() -> int:
    rendered = render()
    if "--check" in sys.argv:
        return 0 if SPEC_FILE.read_text() == rendered else 1
    SPEC_FILE.write_text(rendered)
    return 0


if __name__ == "__main__":
    sys.exit(main())
