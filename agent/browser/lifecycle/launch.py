"""Finding and launching a Chromium for Playwright.

Where the browser comes from, in order:
1. ``browser_path=`` on the Agent, or the ``AGENT_BROWSER_PATH`` environment variable;
2. the Chromium that ``playwright install chromium`` downloaded, when it is there;
3. a system Chromium (Debian's ``chromium`` package, or ``chromium-browser``/``google-chrome``).

When none is found, :class:`~agent.records.errors.BrowserNotInstalledError` says what to install.
A headed browser (``headless=False``, ``pytest --headed``) on a Linux machine with no
display is refused before Chromium starts, with the fix (:func:`check_display`).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from agent.records.errors import BrowserNotInstalledError, ConfigError

if TYPE_CHECKING:
    from playwright.async_api import Browser, Playwright, ProxySettings

SYSTEM_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

PLAYWRIGHT_DISABLED_FEATURES = (
    "AvoidUnnecessaryBeforeUnloadCheckSync",
    "DestroyProfileOnBrowserClose",
    "HttpsUpgrades",
    "HttpsFirstBalancedModeAutoEnable",
    "LensOverlay",
    "MediaRouter",
    "PaintHolding",
    "ThirdPartyStoragePartitioning",
    "AvoidCorsURLLoaderRestartOnRedirect",
    "TcpPortRandomizationWin",
    "OptimizationHints",
    "NetworkTimeServiceQuerying",
    "AimEnabled",
    "PreconnectToSearch",
    "msForceBrowserSignIn",
    "msEdgeUpdateLaunchServicesPreferredVersion",
)
"""The Chromium features Playwright (1.65) disables at launch, repeated here because Chromium
honours only the last ``--disable-features`` on its command line: ours comes after
Playwright's and must carry its list too (``tests/browser/test_launch_flags.py`` compares it
with the installed Playwright's)."""

OWN_DISABLED_FEATURES = ("WebUIOmniboxPopup", "WebUIOmniboxAimPopup")
"""A full Chromium (Debian's, Chrome) gives every window an omnibox popup drawn by a WebUI
renderer of its own, even headless, where no address bar is ever shown: some 0.6 s of CPU
at launch, while litellm imports, and about 160 MB per window. Playwright's headless shell
has no such popup; there the names are unknown and ignored."""

# Flags that keep Chromium quiet on a machine with no network and few cores: no background
# traffic to Google's hosts, no GPU, few renderer processes.
CHROMIUM_ARGS = [
    "--disable-features=" + ",".join((*PLAYWRIGHT_DISABLED_FEATURES, *OWN_DISABLED_FEATURES)),
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--renderer-process-limit=2",
]


def _playwright_download(playwright: Playwright | None) -> Path | None:
    if playwright is None:
        return None
    try:
        candidate = Path(playwright.chromium.executable_path)
    except Exception:  # Playwright raises when its own browser was never downloaded
        return None
    return candidate if candidate.is_file() else None


def find_chromium(browser_path: str | None = None, playwright: Playwright | None = None) -> str:
    """Return the path of a Chromium executable, or raise with the fix."""
    explicit = browser_path or os.environ.get("AGENT_BROWSER_PATH")
    if explicit:
        if Path(explicit).is_file() or shutil.which(explicit):
            return shutil.which(explicit) or explicit
        raise BrowserNotInstalledError(
            f"The browser at {explicit!r} (from browser_path= or AGENT_BROWSER_PATH) does not "
            "exist. Point it at a Chromium executable, or unset it to let the agent search."
        )
    downloaded = _playwright_download(playwright)
    if downloaded is not None:
        return str(downloaded)
    for name in SYSTEM_BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise BrowserNotInstalledError(
        "No Chromium found. Install one with `python -m playwright install chromium`, or on "
        "Debian/Ubuntu `sudo apt-get install -y chromium`, or set AGENT_BROWSER_PATH to a "
        "Chromium executable."
    )


def check_display(headless: bool) -> None:
    """Raise :class:`~agent.records.errors.ConfigError` when a headed browser has nowhere to show.

    On Linux a headed Chromium needs an X or Wayland display; without one it exits at once
    and Playwright only says "Target page, context or browser has been closed".
    """
    if headless or not sys.platform.startswith("linux"):
        return
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return
    raise ConfigError(
        "headless=False (pytest --headed, AGENT_HEADLESS=0) needs a display, and this machine "
        "has none: DISPLAY and WAYLAND_DISPLAY are unset. Run under a virtual display "
        "(`xvfb-run -a pytest --headed ...`, `xvfb-run -a python script.py`; Debian/Ubuntu: "
        "`sudo apt-get install -y xvfb`), or run headless (drop --headed, or headless=True)."
    )


async def launch_chromium(
    playwright: Playwright,
    *,
    headless: bool = True,
    browser_path: str | None = None,
    proxy: ProxySettings | None = None,
) -> Browser:
    """Launch Chromium with arguments suited to this kind of machine.

    Raises :class:`~agent.records.errors.ConfigError` for a headed browser with no display.
    """
    check_display(headless)
    executable = find_chromium(browser_path, playwright)
    own_download = executable == str(_playwright_download(playwright))
    return await playwright.chromium.launch(
        headless=headless,
        args=CHROMIUM_ARGS,
        executable_path=None if own_download else executable,  # None: Playwright's own
        proxy=proxy or None,
    )
