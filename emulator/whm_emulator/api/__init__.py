"""WHM API 1 areas. Importing this package registers every emulated function.

To add an area (DNS zones, SSL/AutoSSL, Transfers), add a module here and import it below.
"""

from whm_emulator.api import accounts, packages, server, tokens  # noqa: F401
