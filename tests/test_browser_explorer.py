"""The explorer as a researcher uses it: JupyterLab on 127.0.0.1 (a free port, a token), the notebook opened in
headless Chromium (Debian's chromium driven by playwright), all cells run, dropdowns changed: the plot image
and the table must change and no error output may appear. Screenshots go to the test's temp dir.

The test installs what it needs when missing (playwright from PyPI, chromium from Debian: playwright's own
browser download is not reachable here) and skips, saying why, only when installing is impossible. It
stops exactly the JupyterLab server it started, by its PID."""
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from apt_packages import apt_install
from test_notebooks_anywhere import ROOT, repo_study  # noqa: F401  (the study fixture under outputs/)

PLAYWRIGHT = "playwright==1.65.2"  # as pinned in requirements.txt
pytestmark = pytest.mark.slow


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip("no chromium and no way to install it (needs root and apt-get: apt-get install chromium)")
    apt_install(["chromium"], check=False)
    return shutil.which("chromium") or pytest.skip("apt-get install chromium failed (no Debian mirror?)")


def _playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        proc = subprocess.run([sys.executable, "-m", "pip", "install", "-q", PLAYWRIGHT], capture_output=True,
                              text=True, timeout=600)
        if proc.returncode != 0:
            pytest.skip(f"pip install {PLAYWRIGHT} failed: {proc.stderr.strip().splitlines()[-1:]}")
        from playwright.sync_api import sync_playwright
    return sync_playwright


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    """(url of the explorer notebook, folder): JupyterLab serving a copy of notebooks/ (so that running it
    never saves outputs into the repository's notebook), its kernels starting in that copy's notebooks/."""
    root = tmp_path / "lab"
    shutil.copytree(ROOT / "notebooks", root / "notebooks", ignore=shutil.ignore_patterns("*.py"))
    settings = tmp_path / "settings" / "@jupyterlab" / "docmanager-extension"
    settings.mkdir(parents=True)
    (settings / "plugin.jupyterlab-settings").write_text(json.dumps({"autosave": False}))
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    log = open(tmp_path / "lab.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
         f"--LabApp.user_settings_dir={tmp_path / 'settings'}", f"--LabApp.workspaces_dir={tmp_path / 'ws'}",
         "--allow-root"],
        stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 120
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.time() > deadline:
                    pytest.fail(f"JupyterLab did not start:\n{(tmp_path / 'lab.log').read_text()[-3000:]}")
                time.sleep(0.5)
        yield f"{base}/lab/tree/notebooks/explorer.ipynb?token={token}", tmp_path
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # its own session: the server and the kernels it started
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


def _state(page):
    """(plot image bytes, table HTML) as the browser shows them."""
    img = page.locator(".widget-image").last
    return img.screenshot(), page.locator(".widget-html-content").last.inner_html()


def _errors(page) -> list[str]:
    outputs = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], '
                           '.jp-OutputArea-output.jp-mod-error, .jp-RenderedText[data-mime-type='
                           '"application/vnd.jupyter.error"]')
    return [outputs.nth(i).inner_text()[:500] for i in range(outputs.count())]


def test_the_explorer_runs_and_redraws_in_jupyterlab(lab, repo_study):  # noqa: F811
    chromium, sync_playwright = _chromium(), _playwright()
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    url, tmp = lab
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(120_000)  # a busy 2-core machine: kernel start and imports take a while
        page.goto(url)
        page.wait_for_selector(".jp-Notebook")
        choose = page.locator(".jp-Dialog button:has-text('Select')")  # a fresh JupyterLab asks for the kernel
        try:
            choose.wait_for(state="visible", timeout=15_000)
            choose.click()
        except PlaywrightTimeout:
            pass
        page.wait_for_function("document.querySelector('.jp-Notebook-ExecutionIndicator[data-status=\"idle\"]')")
        page.click("text=Run", timeout=30_000)  # the menu, as a user does: Run > Run All Cells
        page.click("text=Run All Cells", timeout=30_000)
        try:
            page.wait_for_selector(".widget-dropdown select")
        except Exception:
            page.screenshot(path=str(tmp / "explorer-no-widget.png"), full_page=True)
            raise
        page.wait_for_function("document.querySelector('.jp-Notebook-ExecutionIndicator[data-status=\"idle\"]')")
        dropdown = {name: page.locator(f".widget-dropdown:has(label:text-is('{name}')) select")
                    for name in ("study", "model", "target", "language")}
        html = page.locator(".widget-html-content").last
        if dropdown["study"].evaluate("s => s.options[s.selectedIndex].text") != str(repo_study):
            first = html.inner_html()
            dropdown["study"].select_option(label=str(repo_study))  # the test's study, by its shown name
            page.wait_for_function("([h]) => document.querySelector('.widget-html-content').innerHTML !== h",
                                   arg=[first])
        page.wait_for_selector(".widget-image", state="visible")
        page.screenshot(path=str(tmp / "explorer-start.png"), full_page=True)
        before = _state(page)
        chosen = dropdown["target"].input_value()
        other = next(v for v in dropdown["target"].locator("option").evaluate_all("os => os.map(o => o.value)")
                     if v != chosen)
        dropdown["target"].select_option(other)
        page.wait_for_function("([h]) => document.querySelector('.widget-html-content').innerHTML !== h",
                               arg=[before[1]])
        page.wait_for_timeout(1000)  # the image value follows the table's in the same callback
        after = _state(page)
        page.screenshot(path=str(tmp / "explorer-changed.png"), full_page=True)
        errors = _errors(page)
        browser.close()
    assert after[1] != before[1], "the table did not change"
    assert after[0] != before[0], "the plot image did not change"
    assert not errors, errors
    assert (tmp / "explorer-changed.png").stat().st_size > 10_000
