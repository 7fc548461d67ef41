"""The report in a real browser: Debian's headless Chromium (through /usr/bin/chromedriver) opens
the generated page from file://, with no console errors, every section present, the first screen
(findings and heat map) visible without scrolling at 1400×900, packed detail unfolding where a link
leads, the adversarial record shown as text with nothing run, and screenshots saved under
reports/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.records import Record, ResultWriter
from conformance.report import browser, build, synthetic

pytestmark = pytest.mark.browser

WHY = browser.missing()
SECTIONS = [
    "found",
    "summary",
    "matrix",
    "coverage",
    "details",
    "agreement",
    "conventions",
    "integrals",
    "optimizers",
    "studies",
    "benchmarks",
    "versions",
    "environment",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "reports" / "screenshots"


def click(driver, element):
    """Bring the element to the middle of the window (clear of the sticky header), then click it."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
    element.click()


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    d = tmp_path_factory.mktemp("results")
    synthetic.write_runs(
        d,
        cases=4,
        checks=3,
        frameworks=("numpy", "torch", "jax"),
        versions=2,
        bench_functions=1,
        sizes=3,
        adversarial=True,
        seed=2,
    )
    (d / "broken.jsonl").write_text("{not json\n")
    with ResultWriter(d / "finding.jsonl") as w:
        w.write(
            Record(
                kind="check",
                framework="torch",
                framework_version="2.13.0",
                api="func",
                device="cpu",
                dtype="float64",
                family="elementwise",
                case="tan",
                check="grad",
                status="deviation",
                registry={"reason": "found here", "link": "", "reproducer": "print(repro())"},
            )
        )
    return build([d], d.parent / "index.html", warn=None)


def viewport(driver, width=1400, height=900):
    """Make the page's viewport (not the window) width × height."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )


def wait_for(driver, script, timeout=5.0):
    import time

    end = time.monotonic() + timeout
    while not driver.execute_script(script):
        assert time.monotonic() < end, script
        time.sleep(0.05)


@pytest.mark.skipif(WHY is not None, reason=f"headless Chromium unavailable: {WHY}")
def test_first_screen_shows_findings_and_heat_map_without_scrolling(page):
    from selenium.webdriver.common.by import By

    with browser.Browser(1400, 900) as d:
        viewport(d)
        d.get(page.resolve().as_uri())
        assert d.execute_script("return [window.innerWidth, window.innerHeight]") == [1400, 900]
        for el in (d.find_element(By.ID, "findings"), d.find_element(By.CSS_SELECTOR, "#heat svg.grid")):
            box = d.execute_script(
                "const r = arguments[0].getBoundingClientRect(); "
                "return [r.top, r.bottom, r.left, r.right, window.scrollY]",
                el,
            )
            assert box[4] == 0 and 0 <= box[0] and box[1] <= 900 and 0 <= box[2] and box[3] <= 1400, box
            assert el.is_displayed()
        assert "print(repro())" in d.find_element(By.ID, "findings").text
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        assert d.save_screenshot(str(SCREENSHOTS / "report-first-screen.png"))
        # a count opens its group in the failure list, unfolded
        count = d.find_element(By.CSS_SELECTOR, "#found-table a.n-u")
        group = count.get_attribute("href").rsplit("#", 1)[1]
        count.click()
        wait_for(d, f"return document.querySelectorAll('#{group} details.detail').length > 0")
        assert d.find_element(By.ID, group).get_attribute("open") is not None
        # a matrix cell's link lands on its record's detail, in a group still packed
        d.execute_script("window.scrollTo(0, 0)")
        link = d.execute_script("""
            for (const a of document.querySelectorAll('#matrix-table td.cell a')) {
              if (!document.getElementById(a.getAttribute('href').slice(1))) { return a; } }
            return null;""")
        assert link is not None
        target = link.get_attribute("href").rsplit("#", 1)[1]
        click(d, link)
        wait_for(d, f"const e = document.getElementById('{target}'); return e && e.open")
        top = d.execute_script(f"return document.getElementById('{target}').getBoundingClientRect().top")
        assert 0 <= top <= 900
        # a heat map cell opens its family in the matrix
        cell = d.find_element(By.CSS_SELECTOR, "#heat svg.grid a")
        family = cell.get_dom_attribute("href")[1:]
        d.execute_script("window.scrollTo(0, 0)")
        d.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", cell)
        wait_for(d, f"return location.hash === '#{family}'")
        assert [e for e in d.get_log("browser") if e.get("level") == "SEVERE"] == []


@pytest.mark.skipif(WHY is not None, reason=f"headless Chromium unavailable: {WHY}")
def test_report_in_headless_chromium(page):
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    with browser.Browser(1400, 1000) as d:
        d.get(page.resolve().as_uri())
        assert d.execute_script("return document.readyState") == "complete"
        severe = [e for e in d.get_log("browser") if e.get("level") == "SEVERE"]
        assert severe == [], severe
        with pytest.raises(NoAlertPresentException):
            d.switch_to.alert.text  # noqa: B018 — no alert() ran
        assert d.execute_script("return window.__pwned === undefined")
        # every section is there and has content
        for sid in SECTIONS:
            el = d.find_element(By.ID, sid)
            assert el.find_element(By.TAG_NAME, "h2").text, sid
        # the adversarial strings are shown as text, not markup
        body = d.find_element(By.TAG_NAME, "body").text
        assert "<script>alert(1)</script>" in body
        assert d.execute_script("return document.scripts.length") == 1
        assert d.execute_script("return document.querySelectorAll('img').length") == 0
        # our script ran (the CSP let it) and the controls work
        assert d.execute_script("return document.documentElement.classList.contains('js')")
        # the matrix opens on "not pass"; one click shows everything
        cases = d.find_elements(By.CSS_SELECTOR, "#matrix-table tr.case")
        assert d.find_element(By.CSS_SELECTOR, "#matrix .tools select").get_attribute("value") == "notpass"
        assert all(r.get_attribute("data-status") not in ("pass", "na") for r in cases if r.is_displayed())
        click(d, d.find_element(By.CSS_SELECTOR, "#matrix .tools button.all"))
        assert all(r.is_displayed() for r in cases)
        # rows fold by family
        fold = d.find_element(By.CSS_SELECTOR, "#matrix-table tbody.family button.fold")
        click(d, fold)
        assert not any(r.is_displayed() for r in fold.find_elements(By.XPATH, "ancestor::tbody/tr[@class='case']"))
        click(d, fold)
        # every check: packed, unfolded when opened
        checks = d.find_element(By.CSS_SELECTOR, "#matrix details.checks")
        assert not d.find_elements(By.CSS_SELECTOR, "#checks-table")
        click(d, checks.find_element(By.TAG_NAME, "summary"))
        wait_for(d, "return document.querySelectorAll('#checks-table tbody tr').length > 0")
        rows = d.find_elements(By.CSS_SELECTOR, "#checks-table tbody tr")
        assert all(r.is_displayed() for r in rows)
        box = d.find_element(By.CSS_SELECTOR, "#matrix .tools input[type=search]")
        d.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", box)
        box.send_keys("case_01")
        shown = [r for r in d.find_elements(By.CSS_SELECTOR, "#matrix-table tbody tr.case") if r.is_displayed()]
        assert len(shown) == 1 and "case_01" in shown[0].text
        shown = [r for r in rows if r.is_displayed()]
        assert shown and all("case_01" in r.text for r in shown) and len(shown) < len(rows)
        # sorting a table by a numeric column puts the numbers in order
        head = d.find_element(By.CSS_SELECTOR, "#summary table.colcounts thead th:nth-child(4)")
        click(d, head)
        col = [
            int(td.text) for td in d.find_elements(By.CSS_SELECTOR, "#summary table.colcounts tbody td:nth-child(4)")
        ]
        assert col == sorted(col)
        # the navigation bar lands on each section (just under the sticky header)
        for sid in ("versions", "conventions", "benchmarks", "summary"):
            click(d, d.find_element(By.CSS_SELECTOR, f'header nav a[href="#{sid}"]'))
            top = d.execute_script(f"return document.getElementById('{sid}').getBoundingClientRect().top")
            assert 60 <= top <= 110, (sid, top)
        assert [e for e in d.get_log("browser") if e.get("level") == "SEVERE"] == []
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        d.execute_script("window.scrollTo({top: 0, behavior: 'instant'})")
        assert d.save_screenshot(str(SCREENSHOTS / "report-top.png"))
        for sid in ("matrix", "agreement", "benchmarks", "versions"):
            d.execute_script(
                f"window.scrollTo({{top: document.getElementById('{sid}').offsetTop - 84, behavior: 'instant'}})"
            )
            assert d.save_screenshot(str(SCREENSHOTS / f"report-{sid}.png"))


@pytest.mark.skipif(WHY is not None, reason=f"headless Chromium unavailable: {WHY}")
def test_report_reads_without_javascript(page, tmp_path):
    """The page with its script removed still shows the first screen, the matrix, the failure groups
    and the charts; the packed parts say that they need the script."""
    from selenium.webdriver.common.by import By

    html = page.read_text(encoding="utf-8")
    start, end = html.index("<script>"), html.index("</script>") + len("</script>")
    nojs = tmp_path / "nojs.html"
    nojs.write_text(html[:start] + html[end:], encoding="utf-8")
    with browser.Browser(1200, 900) as d:
        d.get(nojs.resolve().as_uri())
        assert not d.execute_script("return document.documentElement.classList.contains('js')")
        assert d.find_elements(By.CSS_SELECTOR, "#matrix-table tbody tr")[0].is_displayed()
        assert d.find_element(By.CSS_SELECTOR, "#heat svg.grid").is_displayed()
        assert d.find_element(By.ID, "findings").is_displayed()
        assert d.find_elements(By.CSS_SELECTOR, "#details details.group")[0].is_displayed()
        assert not d.find_element(By.CSS_SELECTOR, "#matrix .tools").is_displayed()  # controls need the script
        assert d.find_element(By.CSS_SELECTOR, "#agreement svg.chart").is_displayed()
        assert "unfolds with JavaScript" in d.find_element(By.ID, "benchmarks").text  # packed charts say so
        assert [e for e in d.get_log("browser") if e.get("level") == "SEVERE"] == []
