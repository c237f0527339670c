"""Offline replacement for the get-pip bootstrap that ansible-test would download.

ansible-test builds its sanity/units virtual environments without pip and then runs the
cached bootstrap script from ~/.ansible/test/cache/. Seeding that cache with this file
makes it install pip from the interpreter's bundled wheel (ensurepip) and then upgrade
to the requested version from the configured package index.
"""

import subprocess
import sys

# get-pip options that plain "pip install" does not know
DROPPED = {"--no-setuptools", "--no-wheel"}


def main() -> int:
    pip_args = [arg for arg in sys.argv[1:] if arg not in DROPPED]
    # ensurepip runs in a child process on purpose: in-process it sets PIP_CONFIG_FILE to
    # /dev/null, which would hide the system pip configuration from the install below.
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"], stdout=subprocess.DEVNULL)
    return subprocess.call([sys.executable, "-m", "pip", "install", "--upgrade", *pip_args])


if __name__ == "__main__":
    sys.exit(main())
