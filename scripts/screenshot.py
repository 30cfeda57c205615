"""Make docs/screenshot.svg with the explorer itself (headless, 120×36).

    NLTK_DATA=... python scripts/screenshot.py [--out docs/screenshot.svg] [--query "cat - car"]

Opens brown_30, brown_29 and glove-6b-50 (training / reading them into the cache first when
needed; set POLYTERM_CACHE_DIR to reuse a cache), asks the calculator a question and saves
the comparison pane (`--view matched` etc. shows brown_30 matched and aligned with
brown_29 instead). Config goes to a temp folder so your session is left alone.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

MODELS = ("brown_30", "brown_29", "glove-6b-50")


VIEWS = ("index", "matched", "aligned", "summary")  # the Compare pane's views (v steps)


async def shoot(out: Path, query: str, pane: str, timeout: float, view: str = "index") -> int:
    from polyterm.app import PolytermApp

    app = PolytermApp(theme="polyterm-dark", startup=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        for name in MODELS:
            app.workspace.select(name, True)
        start = time.monotonic()
        while not all(n in app.workspace.models for n in MODELS):
            if not app.workspace.jobs or time.monotonic() - start > timeout:
                missing = [n for n in MODELS if n not in app.workspace.models]
                print(f"could not open {', '.join(missing)}", file=sys.stderr)
                return 1
            await pilot.pause(0.5)
        await pilot.press("3")
        app.calc.query_one("#calc-input").insert_text_at_cursor(query)  # type: ignore[attr-defined]
        await pilot.press("enter", "escape", pane)
        if pane == "4":
            await pilot.press(*["v"] * VIEWS.index(view))
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        app.clear_notifications()
        await pilot.pause()
        out.parent.mkdir(parents=True, exist_ok=True)
        app.save_screenshot(filename=out.name, path=str(out.parent))
    print(f"wrote {out}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshot.svg"))
    parser.add_argument("--query", default="king - man + woman")
    parser.add_argument("--pane", default="4", choices=("1", "2", "3", "4", "5"))
    parser.add_argument(
        "--view",
        default="index",
        choices=VIEWS,
        help="the Compare pane's view (brown_30 matched with brown_29, ...)",
    )
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    os.environ["POLYTERM_CONFIG_DIR"] = tempfile.mkdtemp(prefix="polyterm-shot-")
    return asyncio.run(shoot(args.out, args.query, args.pane, args.timeout, args.view))


if __name__ == "__main__":
    raise SystemExit(main())
