"""Wheel build hook: compile each translation catalog (mlsd/locale/*/LC_MESSAGES/mlsd.po) to the
`.mo` the installed program loads with the stdlib's gettext. The `.po` files stay out of the
wheel; a source checkout or editable install reads them directly (mlsd/i18n.py)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CatalogBuildHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return  # an editable install reads the .po files where they are
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        out = Path(tempfile.mkdtemp(prefix="mlsd-mo-"))
        for po in sorted(Path(self.root, "mlsd", "locale").glob("*/LC_MESSAGES/*.po")):
            lang = po.parent.parent.name
            with po.open("rb") as fp:
                catalog = read_po(fp, locale=lang, domain=po.stem)
            mo = out / lang / f"{po.stem}.mo"
            mo.parent.mkdir(parents=True, exist_ok=True)
            with mo.open("wb") as fp:
                write_mo(fp, catalog, use_fuzzy=False)
            build_data["force_include"][str(mo)] = f"mlsd/locale/{lang}/LC_MESSAGES/{po.stem}.mo"
