"""Server-level functions: version, gethostname, and the ``batch`` entry.

``batch`` is protocol machinery (it runs other functions), so :class:`whm_emulator.emulator.Emulator`
implements it; it is registered here so it is a known function for ACL checks and statistics.
"""

from __future__ import annotations

from whm_emulator import WHM_VERSION
from whm_emulator.args import Args
from whm_emulator.registry import CallContext, Result, api_function


@api_function("version", write=False)
def version(ctx: CallContext, args: Args) -> Result:
    return Result(data={"version": WHM_VERSION})


@api_function("gethostname", write=False)
def gethostname(ctx: CallContext, args: Args) -> Result:
    return Result(data={"hostname": ctx.emulator.config.hostname})


@api_function("batch", write=True)
def batch(ctx: CallContext, args: Args) -> Result:  # pragma: no cover - dispatched by the emulator
    raise RuntimeError("batch is run by Emulator.batch")
