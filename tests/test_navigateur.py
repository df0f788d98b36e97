"""The HTML pages in a real browser: headless Chromium, pages served on localhost,
every other request refused (the pages must work with no internet)."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path

import pytest

from territoire.dossier.edition import add_actor
from territoire.rendu.cartes import preparation as cartes
from territoire.rendu.cartes.interactive import actors_map_html

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTEFACTS = Path(__file__).parent / "artefacts"
XSS = "<img src=x onerror=alert(1)>"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium absent (installé par .ci/run : apt install chromium)"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("pages")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield instance
        instance.close()


class Page:
    """A page opened with only localhost reachable; records errors, dialogs and
    refused requests."""

    def __init__(self, browser, url: str, wait_for: str = ".leaflet-container") -> None:
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.refused: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

        def route(request_route):
            if request_route.request.url.startswith(("http://127.0.0.1", "data:")):
                request_route.continue_()
            else:
                self.refused.append(request_route.request.url)
                request_route.abort()

        self.page.route("**/*", route)
        self.page.goto(url)
        self.page.wait_for_selector(wait_for)
        self.page.wait_for_timeout(300)

    def js(self, script: str):
        return self.page.evaluate(script)

    def set_view(self, lat: float, lon: float, zoom: int) -> None:
        self.js(f"(() => {{ const id = document.querySelector('.folium-map').id; window[id].setView([{lat}, {lon}], {zoom}, {{animate: false}}); }})()")
        self.page.wait_for_timeout(400)

    def click_at(self, lat: float, lon: float) -> None:
        point = self.js(f"(() => {{ const id = document.querySelector('.folium-map').id; const p = window[id].latLngToContainerPoint([{lat}, {lon}]); const r = document.getElementById(id).getBoundingClientRect(); return [p.x + r.left, p.y + r.top]; }})()")
        self.page.mouse.click(point[0], point[1])
        self.page.wait_for_timeout(300)


@pytest.fixture(scope="module")
def actors_page(server, demo_session):
    root, base = server
    data = cartes.prepare_actors_map(demo_session)
    (root / "carte.html").write_text(actors_map_html(data, fond="aucun"), encoding="utf-8")
    return f"{base}/carte.html", data


def test_map_draws_polygons_and_markers_offline(browser, actors_page):
    url, data = actors_page
    page = Page(browser, url)
    polygons = page.js("document.querySelectorAll('.leaflet-overlay-pane path.leaflet-interactive').length")
    assert polygons >= len(data.communes)
    shown = page.js("document.querySelectorAll('.marqueur-acteur, .marker-cluster').length")
    assert shown > 0
    assert page.page.inner_text("#titre-carte").startswith(data.title)
    assert "Légende" in page.page.inner_text("#legende")
    assert page.errors == []
    assert page.refused == []  # nothing asked outside localhost
    ARTEFACTS.mkdir(exist_ok=True)
    page.page.screenshot(path=str(ARTEFACTS / "carte-acteurs.png"))
    page.page.close()


def test_layer_control_switches_a_layer(browser, actors_page):
    url, data = actors_page
    page = Page(browser, url)
    count = "document.querySelectorAll('.leaflet-overlay-pane path.leaflet-interactive').length"
    before = page.js(count)
    box = page.page.locator(".leaflet-control-layers-toggle").bounding_box()
    page.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # opens on hover
    page.page.wait_for_selector(".leaflet-control-layers-expanded")
    label = page.page.locator(".leaflet-control-layers-overlays label", has_text="Relations entre acteurs")
    label.locator("input").click(force=True)  # relations are hidden at first: show them
    page.page.wait_for_timeout(200)
    assert page.js(count) - before == len(data.relations) > 0
    label.locator("input").click(force=True)
    page.page.wait_for_timeout(200)
    assert page.js(count) == before
    page.page.close()


def test_popup_opens_on_click(browser, actors_page):
    url, data = actors_page
    page = Page(browser, url)
    actor = data.actors.loc["epicerie-toulon"]
    page.set_view(actor.geometry.y, actor.geometry.x, 18)
    page.click_at(actor.geometry.y, actor.geometry.x)
    page.page.wait_for_selector(".leaflet-popup-content", timeout=3000)
    text = page.page.inner_text(".leaflet-popup-content")
    assert "Épicerie solidaire du Toulon" in text
    assert "Intervient sur" in text
    ARTEFACTS.mkdir(exist_ok=True)
    page.page.screenshot(path=str(ARTEFACTS / "carte-popup.png"))
    page.page.close()


def test_user_text_shows_as_text_and_runs_nothing(browser, server, demo):
    root, base = server
    add_actor(demo, {"nom": XSS, "type": "ASSO", "commune": "Grun-Bordas", "latitude": "45.0450", "longitude": "0.6500",
                     "notes": "</script><script>alert(2)</script>"}, force=True)
    data = cartes.prepare_actors_map(demo)
    (root / "xss.html").write_text(actors_map_html(data, fond="aucun"), encoding="utf-8")
    page = Page(browser, f"{base}/xss.html")
    page.set_view(45.0450, 0.6500, 18)
    page.click_at(45.0450, 0.6500)
    page.page.wait_for_selector(".leaflet-popup-content", timeout=3000)
    text = page.page.inner_text(".leaflet-popup-content")
    assert XSS in text
    assert "</script><script>alert(2)</script>" in text
    assert page.js("document.querySelectorAll('.leaflet-popup-content img').length") == 0
    assert page.dialogs == []
    assert page.errors == []
    page.page.close()


FIND_NODE = """(ident) => {
  const src = Bokeh.documents[0].get_model_by_name('acteurs');
  const i = src.data.id.indexOf(ident);
  const find = (view) => {
    if (view.frame && view.canvas_view) return view;
    for (const child of (view.child_views || [])) { const f = find(child); if (f) return f; }
    return null;
  };
  let plot = null;
  for (const root of Object.values(Bokeh.index)) { plot = find(root); if (plot) break; }
  const rect = plot.canvas_view.el.getBoundingClientRect();
  return [plot.frame.x_scale.compute(src.data.x[i]) + rect.left, plot.frame.y_scale.compute(src.data.y[i]) + rect.top];
}"""


def test_network_page_click_highlights_partners_and_filters(browser, server, demo_session):
    from territoire.analyses import reseau
    from territoire.dossier.annuaire import load_directory
    from territoire.rendu.reseau import network_page

    root, base = server
    directory = load_directory(demo_session)
    net = reseau.build_graph(directory.actors, directory.relations, date=demo_session.date)
    (root / "reseau.html").write_text(network_page(net, reseau.actor_metrics(net), title="Réseau"), encoding="utf-8")
    page = Page.__new__(Page)
    page.page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors, refused = [], []
    page.page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("http://127.0.0.1") else (refused.append(r.request.url), r.abort()))
    page.page.goto(f"{base}/reseau.html")
    page.page.wait_for_function("window.Bokeh && Bokeh.documents.length > 0")
    page.page.wait_for_timeout(800)
    x, y = page.page.evaluate(FIND_NODE, "cs-tilleuls")
    page.page.mouse.click(x, y)
    page.page.wait_for_timeout(300)
    highlighted = page.page.evaluate("window.territoireVoisins.length")
    assert highlighted == net.graph.degree("cs-tilleuls") + 1  # itself and its partners
    # filter: hide one type of relation
    page.page.locator("input[type=checkbox]").first.uncheck()
    page.page.wait_for_timeout(200)
    hidden = page.page.evaluate("(() => { const e = Bokeh.documents[0].get_model_by_name('relations'); return e.data.type.filter((t, k) => e.data.alpha[k] === 0).length; })()")
    assert hidden == int((net.relations["type"] == "convention").sum())
    assert errors == [] and refused == []
    ARTEFACTS.mkdir(exist_ok=True)
    page.page.screenshot(path=str(ARTEFACTS / "reseau.png"))
    page.page.close()


@pytest.fixture(scope="module")
def report_site(server, tmp_path_factory, referentiel_ready):
    """The demo diagnosis, its report and maps served as they lie in the workspace."""
    import datetime as dt

    from territoire.diagnostic import run_diagnostic
    from territoire.sources.preremplissage import create_demo

    root, base = server
    workspace = create_demo(tmp_path_factory.mktemp("rapport") / "demo")
    assert run_diagnostic(workspace, formats=["html"], date=dt.date(2026, 10, 1)).failures == {}
    for folder in ("rapport", "cartes"):
        shutil.copytree(workspace.path / folder, root / "diagnostic" / folder)
    return f"{base}/diagnostic/rapport/diagnostic.html"


def test_report_opens_without_errors_and_its_links_work(browser, report_site):
    page = Page(browser, report_site, wait_for="main")
    assert page.errors == [] and page.refused == [] and page.dialogs == []
    titles = page.js("Array.from(document.querySelectorAll('h1[id]')).map(h => h.textContent)")
    assert titles[0].startswith("1. ") and titles[-1] == "7. Annexes" and len(titles) == 7
    # every figure is embedded and decoded
    sizes = page.js("Array.from(document.images).map(i => [i.complete, i.naturalWidth])")
    assert len(sizes) == 5 and all(done and width > 1000 for done, width in sizes)
    # the table of contents leads to its section
    page.page.click("nav.sommaire a[href='#reseau']")
    assert page.js("document.getElementById('reseau').getBoundingClientRect().top") < 50
    # print: one A4 page per section at least, tables and figures kept whole
    page.page.emulate_media(media="print")
    assert page.js("getComputedStyle(document.querySelector('nav.sommaire')).display") == "none"
    assert page.js("getComputedStyle(document.getElementById('couverture')).breakBefore") == "page"
    pdf = page.page.pdf(format="A4")
    assert len(__import__("re").findall(rb"/Type\s*/Page[^s]", pdf)) >= 15
    page.page.emulate_media(media="screen")
    ARTEFACTS.mkdir(exist_ok=True)
    page.page.screenshot(path=str(ARTEFACTS / "rapport.png"))
    # the interactive map, linked from the report, opens offline
    with page.page.expect_navigation():
        page.page.click("text=Ouvrir la carte interactive des acteurs")
    page.page.wait_for_selector(".leaflet-container .marqueur-acteur, .leaflet-container .marker-cluster")
    assert page.page.url.endswith("/cartes/carte-acteurs.html")
    # only the background tiles (OpenStreetMap, the diagnosis's default) need internet
    assert page.refused and all(url.startswith("https://tile.openstreetmap.org/") for url in page.refused)
    assert all(e.startswith("Failed to load resource") for e in page.errors)
    page.page.close()
