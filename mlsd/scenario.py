"""Transitional alias: `mlsd.scenario` is `mlsd.content.scenario` (the same module object).

`mlsd/scoring/` and its tests, which are being edited on main, still import this
name. Import `mlsd.content.scenario` everywhere else; delete this file once scoring does.
"""

import sys

from mlsd.content import scenario as _module

sys.modules[__name__] = _module
