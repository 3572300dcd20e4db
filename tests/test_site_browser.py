"""The website in a real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

A reader's path: home → hiroshima-cci → download the PDF (its SHA-256 must match the manifest) →
the announced change's notice, where the changed characters are underlined and announced to
screen readers; and the site search finding 反社会的勢力 in 第22条 of both resellers. The site is
a temporary git copy with releases, built once, served by http.server on 127.0.0.1.
Screenshots go to the test's temporary folder.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import importlib.util
import json
import os
import shutil
import threading
from pathlib import Path
from typing import Iterator

import pytest

from site_fixtures import mkdocs_build, pin_today, release_repo

pytestmark = pytest.mark.slow
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
NOTICES_LANDED = all(importlib.util.find_spec(m) is not None
                     for m in ("generator.changes.notice", "generator.changes.notice_render", "generator.changes.feeds"))

if not CHROMIUM.exists() or importlib.util.find_spec("playwright") is None:
    if os.environ.get("CI"):  # CI installs both (scripts/setup.sh): a missing browser is a failure there
        raise RuntimeError("Chromium or Playwright is missing in CI: scripts/setup.sh must install them")
    pytest.skip("Chromium (/usr/bin/chromium) or Playwright is not installed (scripts/setup.sh installs them)",
                allow_module_level=True)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep pytest output readable
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    from generator.site.sources import build_date

    today = build_date()
    root = release_repo(tmp_path_factory.mktemp("repo") / "repo", today)
    pin_today(root / "mkdocs.yml", today)
    out = tmp_path_factory.mktemp("site") / "site"
    result = mkdocs_build(root / "mkdocs.yml", out)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _fontconfig(folder: Path) -> dict[str, str]:
    """Chromium sees the pinned Noto Sans CJK JP (the PDF fonts), so screenshots show Japanese, not boxes."""
    from generator.render.pdf import font_files

    dirs = "".join(f"<dir>{d}</dir>" for d in sorted({str(f.parent) for f in font_files()}))
    conf = folder / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                    f'<include ignore_missing="yes">/etc/fonts/fonts.conf</include>{dirs}'
                    f"<cachedir>{folder / 'fccache'}</cachedir></fontconfig>", encoding="utf-8")
    return {**os.environ, "FONTCONFIG_FILE": str(conf)}


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    env = _fontconfig(tmp_path_factory.mktemp("fonts"))
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, env=env)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True, locale="ja-JP")
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    yield tab
    context.close()


def test_home_to_reseller_to_pdf_download(page, base_url: str, site: Path, tmp_path: Path) -> None:
    page.goto(base_url)
    assert page.locator("html").get_attribute("lang") == "ja"
    page.screenshot(path=str(tmp_path / "01-home.png"), full_page=True)
    page.locator("article").get_by_role("link", name="広島商工会議所", exact=True).first.click()
    page.wait_for_url("**/hiroshima-cci/")
    assert page.locator("h1").inner_text() == "広島商工会議所の利用規約"
    page.screenshot(path=str(tmp_path / "02-hiroshima-cci.png"))
    manifest = json.loads((site / "hiroshima-cci" / "downloads" / "manifest.json").read_text(encoding="utf-8"))
    fmt = "pdf" if any(e["format"] == "pdf" for e in manifest["files"].values()) else "html"
    name, entry = next((n, e) for n, e in manifest["files"].items() if e["format"] == fmt)
    with page.expect_download() as info:
        page.locator(f"a.k-download[data-format={fmt}]").click()
    download = info.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    data = saved.read_bytes()
    assert hashlib.sha256(data).hexdigest() == entry["sha256"] and len(data) == entry["size"]
    assert page.locator(f"code.k-sha >> text={entry['sha256']}").count() == 1
    if fmt == "pdf":
        assert data.startswith(b"%PDF-")
    page.goto(base_url + "hiroshima-cci/#antisocial-forces")
    assert page.locator("h3#antisocial-forces").is_visible()
    page.screenshot(path=str(tmp_path / "03-article-22.png"))


@pytest.mark.xfail(not NOTICES_LANDED, reason="generator.changes.notice / notice_render / feeds are not in this checkout", strict=True)
def test_notice_marks_the_changed_characters(page, base_url: str, tmp_path: Path) -> None:
    page.goto(base_url + "hiroshima-cci/")
    page.locator(".k-upcoming").get_by_role("link", name="規約変更のお知らせ").click()
    page.wait_for_url("**/hiroshima-cci/notices/edition-3/")
    page.locator("#taisho").scroll_into_view_if_needed()
    changed = page.locator("ins.k-chg")
    assert changed.count() >= 1
    text = changed.first.inner_text()
    assert "関係" in text  # 暴力団関係企業・団体 → 暴力団関係企業・関係団体
    style = changed.first.evaluate("e => getComputedStyle(e).textDecorationLine")
    assert "underline" in style  # more than colour
    assert changed.first.locator(".k-sr").first.text_content() == "［変更箇所］"
    assert "企業・団体" in page.locator(".k-taisho tbody td:nth-child(2)").first.inner_text()  # 変更前: an insertion
    article_link = page.locator("#articles ~ ul a").first
    href = article_link.get_attribute("href")
    assert href and href.endswith("editions/3/#antisocial-forces")
    page.screenshot(path=str(tmp_path / "04-notice.png"), full_page=True)
    article_link.click()
    page.wait_for_url("**/hiroshima-cci/editions/3/#antisocial-forces")
    assert "暴力団関係企業・関係団体" in page.locator("section.article:has(h3#antisocial-forces)").inner_text()


def test_search_finds_article_22_of_both_resellers(page, base_url: str, tmp_path: Path) -> None:
    page.goto(base_url)
    box = page.locator("input[data-md-component=search-query]")
    box.click()
    box.fill("反社会的勢力")
    box.press("End")  # Material reads the query on keyup; fill() sends none (it worked only if the index loaded later)
    results = page.locator(".md-search-result__item a")
    results.first.wait_for(timeout=90_000)  # the index loads in a worker: slow on a loaded machine
    page.wait_for_function("document.querySelectorAll('.md-search-result__item a').length > 2")
    hrefs = results.evaluate_all("els => els.map(e => e.getAttribute('href'))")
    page.screenshot(path=str(tmp_path / "05-search.png"))
    for variant in ("hiroshima-cci", "itsupport-joto"):
        assert any(h.split("?")[0].endswith(f"{variant}/") and h.endswith("#antisocial-forces") for h in hrefs), hrefs


def test_phone_layout_of_the_terms(browser, base_url: str, tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, locale="ja-JP")
    try:
        tab = context.new_page()
        for number, path in enumerate(("hiroshima-cci/#fees", "compare/#diff-fees", "hiroshima-cci/notices/edition-3/#taisho", "")):
            tab.goto(base_url + path)
            width = tab.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{path or 'home'} scrolls sideways on a phone ({width}px)"
            tab.screenshot(path=str(tmp_path / f"06-phone-{number}.png"))
    finally:
        context.close()


@pytest.fixture(autouse=True)
def keep_screenshots(tmp_path: Path, request) -> Iterator[None]:
    """KIYAKU_SCREENSHOTS=<dir> copies the screenshots there (to look at them after a run)."""
    yield
    target = os.environ.get("KIYAKU_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        for png in tmp_path.glob("*.png"):
            shutil.copy(png, Path(target) / png.name)


# --- accessibility (axe-core) and HTML validity (Nu checker) ------------------------------------

AXE_PAGES = {"home": "", "reseller": "hiroshima-cci/", "history": "hiroshima-cci/editions/2/",
             "notice": "hiroshima-cci/notices/edition-3/", "compare": "compare/", "search": "?search"}
VIEWPORTS = {"desktop": (1280, 900), "phone": (390, 844)}
SEVERE = ("serious", "critical")
# Rules axe reports on Material's own markup that kiyaku cannot change from its theme overrides,
# with the reason (docs/site-accessibility.md lists them too). Empty: the override fixed them all.
MATERIAL_AXE: dict[str, str] = {}


def _open(tab, base_url: str, path: str) -> None:
    if path != "?search":
        tab.goto(base_url + path)
        return
    tab.goto(base_url + "hiroshima-cci/")  # a search result, opened where a reader searches from
    box = tab.locator("input[data-md-component=search-query]")
    if (tab.viewport_size or {}).get("width", 1280) < 960:  # narrow: the header's search button opens the search
        tab.locator("label.md-header__button[for=__search]").click()
    box.click()
    box.fill("反社会的勢力")
    box.press("End")
    tab.locator(".md-search-result__item a").first.wait_for(timeout=90_000)  # the index loads in a worker


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("name", AXE_PAGES)
def test_no_serious_accessibility_violation(browser, base_url: str, name: str, viewport: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    width, height = VIEWPORTS[viewport]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="ja-JP")
    try:
        tab = context.new_page()
        tab.set_default_timeout(20_000)
        _open(tab, base_url, AXE_PAGES[name])
        violations = Axe().run(tab).response["violations"]
    finally:
        context.close()
    severe = [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}"
              for v in violations if v["impact"] in SEVERE and v["id"] not in MATERIAL_AXE]
    assert not severe, "\n".join(severe)


def test_search_from_a_reseller_page_lands_on_that_resellers_article(page, base_url: str) -> None:
    """第6条 reads the same for both resellers, so the index keeps it once, under hiroshima-cci's page;
    searching from itsupport-joto's page must still open itsupport-joto's 第6条 (generator/site/search.py)."""
    for variant in ("itsupport-joto", "hiroshima-cci"):
        page.goto(base_url + f"{variant}/")
        box = page.locator("input[data-md-component=search-query]")
        box.click()
        box.fill("使用言語")  # in 第6条's caption
        box.press("End")
        result = page.locator(".md-search-result__item a[href*='#territory']").first
        result.wait_for(state="attached", timeout=90_000)  # may sit in the collapsed "more results" of its page
        assert "hiroshima-cci/" in (result.get_attribute("href") or "")  # one entry for both pages
        result.evaluate("a => a.click()")  # the result list scrolls inside the dialog: activate it directly
        page.wait_for_url(f"**/{variant}/**#territory")
        assert page.locator("h3#territory").is_visible()


def _vnu_jar() -> Path | None:
    import subprocess

    found = os.environ.get("KIYAKU_VNU_JAR")
    if found:
        return Path(found)
    try:
        root = subprocess.run(["npm", "root", "-g"], capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return None
    jar = Path(root) / "vnu-jar" / "build" / "dist" / "vnu.jar"
    return jar if jar.is_file() else None


# Nu checker errors in Material's own markup, by message, with why they stay (docs/site-accessibility.md).
MATERIAL_NU = {
    "Attribute “autocomplete” is only allowed when the input type is":
        "Material's base.html puts autocomplete=off on its drawer/search checkboxes (outside any block an override can replace)",
    "The value of the “for” attribute of the “label” element must be the ID of a non-hidden form control":
        "Material's navigation labels point at its visually hidden toggle checkboxes",
}
def test_nu_checker_finds_no_error_in_kiyakus_markup(site: Path) -> None:
    import subprocess

    jar = _vnu_jar()
    if jar is None or shutil.which("java") is None:
        if os.environ.get("CI"):
            raise RuntimeError("Java or vnu-jar is missing in CI: scripts/setup.sh must install them")
        pytest.skip("java or vnu-jar (npm install -g vnu-jar) is not installed")
    proc = subprocess.run(["java", "-jar", str(jar), "--errors-only", "--format", "json", "--skip-non-html", str(site)],
                          capture_output=True, text=True, timeout=600)
    messages = json.loads(proc.stderr or '{"messages": []}')["messages"]
    ours = []
    for m in messages:
        text = m.get("message", "")
        if m.get("type") != "error" or any(text.startswith(k) for k in MATERIAL_NU):
            continue
        ours.append(f"{m.get('url')}:{m.get('lastLine')}: {text} {m.get('extract', '')!r}")
    assert not ours, "\n".join(ours[:20])


def test_no_page_makes_a_failing_request(browser, base_url: str) -> None:
    """Material fetched <feed folder>/sitemap.xml for every feed link in <head>: a 404 per reseller feed."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP")
    failed: list[str] = []
    try:
        tab = context.new_page()
        tab.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        tab.on("requestfailed", lambda r: failed.append(f"failed {r.url}"))
        for path in AXE_PAGES.values():
            _open(tab, base_url, path)
            tab.wait_for_load_state("networkidle")
    finally:
        context.close()
    assert not failed, failed


def test_phone_shows_every_column_of_the_history_and_downloads(browser, base_url: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP")
    try:
        tab = context.new_page()
        tab.goto(base_url + "hiroshima-cci/")
        cells = tab.locator(".k-history td, .k-downloads td")
        assert cells.count() >= 8
        for box in cells.evaluate_all("els => els.map(e => e.getBoundingClientRect().right)"):
            assert box <= 390, box  # not in a sideways scroll
        labels = tab.locator(".k-history td[data-label]").evaluate_all(
            "els => els.map(e => getComputedStyle(e, '::before').content)")
        assert any("状態" in label for label in labels) and any("変更の理由" in label for label in labels)
    finally:
        context.close()
