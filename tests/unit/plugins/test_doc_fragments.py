# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The connection doc fragment documents exactly the connection argument spec."""

from __future__ import annotations

import yaml

from ansible_collections.hosting.whm.plugins.doc_fragments.connection import ModuleDocFragment
from ansible_collections.hosting.whm.plugins.module_utils._argspec import whm_connection_argument_spec


def test_connection_fragment_mirrors_argspec():
    documented = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
    spec = whm_connection_argument_spec().argument_spec
    assert sorted(documented) == sorted(spec)
    for name, option in spec.items():
        doc = documented[name]
        assert doc["type"] == option["type"], name
        assert doc.get("default") == option.get("default"), name
        assert doc.get("choices") == option.get("choices"), name
        env = option.get("fallback", (None, []))[1]
        for variable in env:
            assert f"E({variable})" in " ".join(doc["description"]), f"{name} does not document {variable}"


def test_secrets_are_no_log():
    spec = whm_connection_argument_spec().argument_spec
    assert spec["whm_api_token"]["no_log"] is True
    assert spec["whm_password"]["no_log"] is True
