"""``whmapi1`` look-alike that sends the call to a running emulator.

    whmapi1 [--output=json|jsonpretty] FUNCTION key=value …

Like cPanel's bin/whmapi1 it prints the WHM envelope and exits 0 even when
``metadata.result`` is 0; only transport or authentication problems exit non-zero.

Configuration (environment):
  WHM_EMULATOR_URL    base URL, e.g. https://127.0.0.1:PORT
  WHM_EMULATOR_TOKEN  root's API token
  WHM_EMULATOR_CA     CA certificate to verify the server with (TLS is always verified)
  WHM_EMULATOR_STATE  a state directory: server.json and root_token supply the three above
"""

from __future__ import annotations

import json
import os
import ssl
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Dict, List, Optional, Tuple

USAGE = "usage: whmapi1 [--output=json|jsonpretty] FUNCTION [key=value ...]\n"


def _config() -> Tuple[str, str, Optional[str]]:
    url = os.environ.get("WHM_EMULATOR_URL")
    token = os.environ.get("WHM_EMULATOR_TOKEN")
    ca = os.environ.get("WHM_EMULATOR_CA")
    state = os.environ.get("WHM_EMULATOR_STATE")
    if state:
        state_dir = Path(state)
        try:
            info: Dict[str, object] = json.loads((state_dir / "server.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise SystemExit(f"whmapi1: cannot read {state_dir / 'server.json'}: {err}") from None
        url = url or str(info.get("url") or "")
        ca = ca or (str(info["ca"]) if info.get("ca") else None)
        if not token:
            try:
                token = (state_dir / "root_token").read_text(encoding="utf-8").strip()
            except OSError as err:
                raise SystemExit(f"whmapi1: cannot read the root token: {err}") from None
    if not url or not token:
        raise SystemExit("whmapi1: set WHM_EMULATOR_URL and WHM_EMULATOR_TOKEN, or WHM_EMULATOR_STATE")
    return url.rstrip("/"), token, ca


def _parse(argv: List[str]) -> Tuple[str, str, List[Tuple[str, str]]]:
    output = "json"
    rest: List[str] = []
    for arg in argv:
        if arg.startswith("--output="):
            output = arg.split("=", 1)[1]
        elif arg in ("-h", "--help"):
            sys.stdout.write(USAGE)
            raise SystemExit(0)
        else:
            rest.append(arg)
    if output not in ("json", "jsonpretty"):
        raise SystemExit(f"whmapi1: unsupported output format {output!r} (json or jsonpretty)")
    if not rest:
        sys.stderr.write(USAGE)
        raise SystemExit(2)
    function, params = rest[0], []
    for item in rest[1:]:
        if "=" not in item:
            raise SystemExit(f"whmapi1: argument {item!r} is not key=value")
        key, value = item.split("=", 1)
        params.append((key, value))  # repeated keys are sent repeatedly
    return output, function, params


def main(argv: Optional[List[str]] = None) -> int:
    output, function, params = _parse(sys.argv[1:] if argv is None else argv)
    url, token, ca = _config()
    body = urllib.parse.urlencode([("api.version", "1"), *params]).encode("utf-8")
    request = urllib.request.Request(
        f"{url}/json-api/{urllib.parse.quote(function)}",
        data=body,
        method="POST",
        headers={"Authorization": f"whm root:{token}", "Content-Type": "application/x-www-form-urlencoded"},
    )
    context = ssl.create_default_context(cafile=ca) if url.startswith("https:") else None
    try:
        with urllib.request.urlopen(request, timeout=600, context=context) as response:
            payload = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as err:
        sys.stderr.write(f"whmapi1: HTTP {err.code} from {url}: {err.read().decode('utf-8', 'replace').strip()}\n")
        return 1
    except (urllib.error.URLError, OSError) as err:
        sys.stderr.write(f"whmapi1: cannot reach {url}: {err}\n")
        return 1
    except ValueError as err:
        sys.stderr.write(f"whmapi1: the server did not answer with JSON: {err}\n")
        return 1
    indent = 3 if output == "jsonpretty" else None
    sys.stdout.write(json.dumps(payload, indent=indent) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
