"""The report in a real browser: Debian's headless Chromium (through /usr/bin/chromedriver) opens
the generated page from file://, with no console errors, every section present, the adversarial
record shown as text with nothing run, and a screenshot saved under reports/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.report import browser, build, synthetic

pytestmark = pytest.mark.browser

WHY = browser.missing()
SECTIONS = ["summary", "matrix", "details", "agreement", "conventions", "integrals", "optimizers", "studies",
            "benchmarks", "versions", "environment"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "reports" / "screenshots"


def click(driver, element):
    """Bring the element to the middle of the window (clear of the sticky header), then click it."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
    element.click()


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    d = tmp_path_factory.mktemp("results")
    synthetic.write_runs(d, cases=4, checks=3, frameworks=("numpy", "torch", "jax"), versions=2,
                         bench_functions=1, sizes=3, adversarial=True, seed=2)
    (d / "broken.jsonl").write_text("{not json\n")
    return build([d], d.parent / "index.html", warn=None)


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
        checks = d.find_element(By.CSS_SELECTOR, "#matrix details.checks")
        rows = d.find_elements(By.CSS_SELECTOR, "#checks-table tbody tr")
        assert rows and not any(r.is_displayed() for r in rows)            # folded
        click(d, checks.find_element(By.TAG_NAME, "summary"))
        assert all(r.is_displayed() for r in rows)
        box = d.find_element(By.CSS_SELECTOR, "#matrix .tools input[type=search]")
        d.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", box)
        box.send_keys("case_01")
        shown = [r for r in d.find_elements(By.CSS_SELECTOR, "#matrix-table tbody tr") if r.is_displayed()]
        assert len(shown) == 1 and "case_01" in shown[0].text
        shown = [r for r in rows if r.is_displayed()]
        assert shown and all("case_01" in r.text for r in shown) and len(shown) < len(rows)
        # sorting a table by a numeric column puts the numbers in order
        head = d.find_element(By.CSS_SELECTOR, "#summary table.colcounts thead th:nth-child(4)")
        click(d, head)
        col = [int(td.text) for td in d.find_elements(By.CSS_SELECTOR, "#summary table.colcounts tbody td:nth-child(4)")]
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
            d.execute_script(f"window.scrollTo({{top: document.getElementById('{sid}').offsetTop - 84, "
                             "behavior: 'instant'})")
            assert d.save_screenshot(str(SCREENSHOTS / f"report-{sid}.png"))


@pytest.mark.skipif(WHY is not None, reason=f"headless Chromium unavailable: {WHY}")
def test_report_reads_without_javascript(page, tmp_path):
    """The page with its script removed still shows the matrix, the failures and the charts (the
    script only adds controls)."""
    from selenium.webdriver.common.by import By

    html = page.read_text(encoding="utf-8")
    start, end = html.index("<script>"), html.index("</script>") + len("</script>")
    nojs = tmp_path / "nojs.html"
    nojs.write_text(html[:start] + html[end:], encoding="utf-8")
    with browser.Browser(1200, 900) as d:
        d.get(nojs.resolve().as_uri())
        assert not d.execute_script("return document.documentElement.classList.contains('js')")
        assert d.find_elements(By.CSS_SELECTOR, "#matrix-table tbody tr")[0].is_displayed()
        assert d.find_elements(By.CSS_SELECTOR, "#details details.detail")[0].is_displayed()
        assert not d.find_element(By.CSS_SELECTOR, "#matrix .tools").is_displayed()   # controls need the script
        assert d.find_element(By.CSS_SELECTOR, "#benchmarks svg.chart").is_displayed()
        assert [e for e in d.get_log("browser") if e.get("level") == "SEVERE"] == []
