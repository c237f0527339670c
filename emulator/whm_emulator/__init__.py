"""whm_emulator: a stateful fake of cPanel & WHM's WHM API 1 (JSON over HTTPS)."""

__version__ = "0.1.0"

# The cPanel version the emulated server reports (``version`` function). The behaviour
# emulated here was read from cPanel 11.120's implementation, so report that release.
WHM_VERSION = "11.120.0.16"
