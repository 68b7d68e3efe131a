"""At 390 px, no page of the lists the village roles use is wider than the screen: every element of a card or a
table lies within the screen, except inside its own scroll box (a box that scrolls sideways by itself). And a
screenshot of each list at 390 px, for people to look at (artifacts/e2e/phone-*.png)."""

import pytest

from bangfu.assistance.ledger import LEDGER_KINDS
from bangfu.cases.models import Measure, Visit

from .conftest import login

pytestmark = pytest.mark.browser

WIDTH = 390

# Elements whose right edge passes the screen, not counting those inside a box that scrolls sideways itself.
OUTSIDE = """(width) => {
  const inOwnScrollBox = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const s = getComputedStyle(p);
      if ((s.overflowX === 'auto' || s.overflowX === 'scroll' || s.overflowX === 'hidden')
          && p.getBoundingClientRect().right <= width + 1) return true;
    }
    return false;
  };
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (getComputedStyle(el).visibility === 'hidden') continue;
    const folded = el.closest('details:not([open])');  // inside a closed box: not on screen until opened
    if (folded && !el.closest('summary')) continue;
    if ((r.right > width + 1 || r.left < -1) && !inOwnScrollBox(el)) {
      out.push(`${el.tagName.toLowerCase()}.${el.className} ${Math.round(r.left)}-${Math.round(r.right)}: `
               + (el.innerText || '').slice(0, 40));
    }
  }
  return {out: out.slice(0, 8), scroll: document.documentElement.scrollWidth};
}"""


def _household_with_measures():
    measure = Measure.objects.filter(household__village_id="513225103213").order_by("id").first()
    if measure:
        return measure.household_id
    visit = Visit.objects.filter(household__village_id="513225103213").order_by("id").first()
    return visit.household_id if visit else None


def _pages(username: str) -> list[tuple[str, str]]:
    village = [("households", "/households/"), ("warnings", "/monitoring/warnings/"),
               ("leads", "/monitoring/leads/"), ("cases", "/cases/"), ("home", "/")]
    household = _household_with_measures()
    if household:
        village.append(("measures-visits", f"/cases/households/{household}/"))
    if username == "cdu":
        return [("households", "/households/"), ("cases", "/cases/"), ("home", "/"),
                *[(f"ledger-{k.key}", f"/assistance/ledger/{k.key}/") for k in LEDGER_KINDS],
                ("cadres", "/assistance/cadres/"), ("tasks", "/assistance/meetings/")]
    return village


@pytest.mark.parametrize("username", ["tuanjie", "contact", "cdu"])
def test_village_roles_lists_fit_390_px(browser, live_server, demo_county, artifacts, username):
    context = browser.new_context(locale="zh-CN", viewport={"width": WIDTH, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        login(page, live_server.url, username)
        problems = {}
        for name, path in _pages(username):
            response = page.goto(f"{live_server.url}{path}")
            if response.status == 403:
                continue  # a list this role does not use
            assert response.status == 200, (name, response.status)
            page.wait_for_load_state("networkidle")
            found = page.evaluate(OUTSIDE, WIDTH)
            page.screenshot(path=str(artifacts / f"phone-{username}-{name}.png"), full_page=True)
            if found["out"] or found["scroll"] > WIDTH:
                problems[name] = found
            for tab in page.locator(".tabs a.active").all():  # the active tab is in view, not scrolled away
                box = tab.bounding_box()
                if box and (box["x"] < 0 or box["x"] + box["width"] > WIDTH + 1):
                    problems[f"{name} tab"] = box
        assert not problems, problems
    finally:
        context.close()
