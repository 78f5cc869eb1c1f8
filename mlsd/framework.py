"""Transitional alias: `mlsd.framework` is `mlsd.content.framework` (the same module object).

`mlsd/scoring/` and its tests, which are being edited on main, still import this
name. Import `mlsd.content.framework` everywhere else; delete this file once scoring does.
"""

import sys

from mlsd.content import framework as _module

sys.modules[__name__] = _module
