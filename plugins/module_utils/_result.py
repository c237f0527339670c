# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this file is internal to the hosting.whm collection. It may change without notice
# and is not part of the collection's public API.

"""The value every resource operation returns, independent of AnsibleModule."""

from __future__ import annotations

import typing as t
from dataclasses import dataclass, field


@dataclass
class Result:
    """``changed``, the ``diff`` in the user's shape, return values and warnings."""

    changed: bool = False
    diff: t.Optional[t.Dict[str, t.Any]] = None
    values: t.Dict[str, t.Any] = field(default_factory=dict)
    warnings: t.List[str] = field(default_factory=list)
