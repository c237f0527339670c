"""WHM API 1 areas. Importing this package registers every emulated function.

To add an area, add a module here and import it below.
"""

from whm_emulator.api import accounts, dns, features, packages, server, ssl, tokens, transfers  # noqa: F401
