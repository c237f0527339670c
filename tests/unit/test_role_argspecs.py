# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The provision role's element options are exactly the modules' options."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_role_argument_specs_are_generated_from_the_modules():
    script = ROOT / "ci" / "update-role-argspecs.py"
    completed = subprocess.run([sys.executable, str(script), "--check"], check=False)
    assert completed.returncode == 0, "roles/provision/meta/argument_specs.yml is stale: run ci/update-role-argspecs.py"
