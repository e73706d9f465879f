"""QC figures: each plot on a small synthetic gather, the QC sheet, the HTML report."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import seisfill  # noqa: E402
from seisfill.qc import (  # noqa: E402
    fk_spectrum,
    plot_cube,
    plot_dead_map,
    plot_fk,
    plot_gather,
    plot_wiggle,
    qc_sheet,
    write_report,
)
from seisfill.qc.panels import colour_map  # noqa: E402

SAMPLES = Path(__file__).resolve().parents[1] / "sample_data"
DT = 0.004


@pytest.fixture
def gather() -> np.ndarray:
    """(24, 100): a dipping Ricker-like event, trace-major."""
    t = np.arange(100) * DT
    centre = 0.15 + 0.004 * np.arange(24)[:, None]
    arg = (np.pi * 25 * (t[None, :] - centre)) ** 2
    return ((1 - 2 * arg) * np.exp(-arg)).astype(np.float32)


@pytest.fixture
def live() -> np.ndarray:
    keep = np.ones(24, bool)
    keep[[3, 10, 11, 17]] = False
    return keep


def _images(ax) -> list:
    return ax.get_images()


class TestPanels:
    def test_gather(self, gather, live):
        fig = plot_gather(gather, DT, missing=~live, title="g")
        (ax,) = fig.axes
        assert ax.get_xlabel() == "trace" and ax.get_ylabel() == "time (ms)" and ax.get_title() == "g"
        (image,) = _images(ax)
        assert image.get_cmap().name == "gray_r"
        assert ax.get_ylim()[0] > ax.get_ylim()[1]  # time increases downward
        clip = image.get_clim()
        assert clip[0] == -clip[1] > -np.inf
        assert len(ax.lines) == 1 and len(ax.lines[0].get_xdata()) == 4  # the missing marks

    def test_gather_seismic_and_existing_axes(self, gather):
        from matplotlib.figure import Figure

        host = Figure()
        ax = host.add_subplot()
        fig = plot_gather(gather, DT, ax=ax, cmap="seismic")
        assert fig is host and _images(ax)[0].get_cmap().name == "seismic"
        assert colour_map("grey") == colour_map("gray") == "gray_r"

    def test_wiggle(self, gather, live):
        fig = plot_wiggle(gather, DT, missing=~live)
        (ax,) = fig.axes
        assert ax.get_xlabel() == "trace" and ax.get_ylabel() == "time (ms)"
        assert len(ax.collections) == 24  # one filled positive lobe set per trace
        assert ax.get_ylim()[0] > ax.get_ylim()[1]

    def test_wiggle_subsamples(self):
        wide = np.random.default_rng(0).standard_normal((300, 50))
        fig = plot_wiggle(wide, DT, max_traces=100)
        ax = fig.axes[0]
        assert len(ax.collections) == 100
        assert "1 in 3 drawn" in ax.get_xlabel()

    def test_fk(self, gather):
        fig = plot_fk(gather, DT, dx=12.5)
        ax = fig.axes[0]
        assert ax.get_xlabel() == "wavenumber (cycles/m)" and ax.get_ylabel() == "frequency (Hz)"
        assert plot_fk(gather, DT).axes[0].get_xlabel() == "wavenumber (cycles/trace)"
        db, freq, k = fk_spectrum(gather, DT, dx=12.5)
        assert db.shape == (51, 24) and freq[-1] == pytest.approx(125.0)
        assert k.min() == pytest.approx(-1 / 25.0) and db.max() == pytest.approx(0.0)


class TestCube:
    def test_plot_cube(self, gather):
        cube = np.stack([gather * (1 + 0.1 * i) for i in range(6)])  # (6, 24, 100)
        live = np.ones(cube.shape[:2], bool)
        live[2, 5:9] = False
        fig = plot_cube(cube, live, DT, inlines=np.arange(100, 106), crosslines=np.arange(24) + 300)
        titles = [ax.get_title() for ax in fig.axes]
        assert len(fig.axes) == 4
        assert titles[0] == "inline 103" and titles[1] == "crossline 312"
        assert titles[2].startswith("time slice") and "4 of 144 not live" in titles[3]
        assert [fig.axes[i].get_xlabel() for i in range(4)] == ["crossline", "inline", "crossline", "crossline"]

    def test_dead_map_and_bad_shape(self):
        fig = plot_dead_map(np.eye(4, dtype=bool))
        assert fig.axes[0].get_ylabel() == "inline"
        with pytest.raises(ValueError, match="n_inline"):
            plot_cube(np.zeros((3, 4)), np.ones((3, 4), bool), DT)


class TestSheet:
    def test_panels_and_png(self, gather, live, tmp_path):
        filled = seisfill.fill_array(gather, live, "linear")
        fig = qc_sheet(gather, filled, live, DT, reference=gather, dx=10.0, title="t")
        titles = [ax.get_title() for ax in fig.axes]
        assert titles[:4] == ["input (gaps)", "filled", "reference", "difference (same clip)"]
        assert titles[4:] == ["f-k input", "f-k filled", "f-k difference", "per-trace SNR"]
        path = tmp_path / "sheet.png"
        fig.savefig(path, dpi=40)
        assert path.stat().st_size > 1000 and path.read_bytes()[:4] == b"\x89PNG"

    def test_perfect_fill_difference_is_zero(self, gather, live):
        fig = qc_sheet(np.where(live[:, None], gather, 0), gather, live, DT, reference=gather)
        diff = _images(fig.axes[3])[0].get_array()
        assert diff.shape == (100, 24) and not np.any(diff)

    def test_no_reference(self, gather, live):
        fig = qc_sheet(gather, gather, live, DT, cmap="seismic")
        assert not fig.axes[2].axison and not fig.axes[7].axison
        assert _images(fig.axes[0])[0].get_cmap().name == "seismic"


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.sources.append(dict(attrs)["src"])


def _filled_sample(tmp_path: Path) -> tuple[Path, Path, Path]:
    source, reference = SAMPLES / "cdp700_land_dead.sgy", SAMPLES / "cdp700_land.sgy"
    filled = tmp_path / "filled.sgy"
    seisfill.write_segy(seisfill.fill(seisfill.read_segy(source), "linear"), filled, template=source)
    return source, filled, reference


def _img_sources(index: Path) -> list[Path]:
    parser = _Images()
    parser.feed(index.read_text())
    return [index.parent / src for src in parser.sources]


class TestReport:
    def test_report(self, tmp_path):
        source, filled, reference = _filled_sample(tmp_path)
        report = write_report(source, filled, tmp_path / "report", reference)
        assert report.index == tmp_path / "report" / "index.html" and report.n_sheets == 1
        (row,) = report.rows
        assert row["traces"] == 24 and row["filled"] == 4 and np.isfinite(row["snr_db"])
        images = _img_sources(report.index)
        assert len(images) == 1 and all(p.stat().st_size > 1000 for p in images)
        text = report.index.read_text()
        assert "SNR filled (dB)" in text and f"{row['snr_db']:.1f}" in text
        # a second run replaces the report whole, and leaves no temporary folder behind
        write_report(source, filled, tmp_path / "report", max_sheets=0)
        assert _img_sources(report.index) == [] and "SNR" not in report.index.read_text()
        assert sorted(p.name for p in tmp_path.iterdir()) == ["filled.sgy", "filled.sgy.seisfill.json", "report"]

    def test_refuses_foreign_folder(self, tmp_path):
        source, filled, _ = _filled_sample(tmp_path)
        (tmp_path / "mine").mkdir()
        (tmp_path / "mine" / "notes.txt").write_text("keep")
        with pytest.raises(seisfill.SeisfillError, match="not a seisfill QC report"):
            write_report(source, filled, tmp_path / "mine")

    def test_screenshot_in_headless_chromium(self, tmp_path):
        browser = shutil.which("chromium") or shutil.which("chromium-browser")
        if browser is None:
            pytest.skip("no chromium on PATH (Debian: apt-get install chromium)")
        source, filled, reference = _filled_sample(tmp_path)
        report = write_report(source, filled, tmp_path / "report", reference)
        images = _img_sources(report.index)
        assert images and all(p.is_file() and p.stat().st_size > 0 for p in images)
        shot = tmp_path / "shot.png"
        subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={shot}",
             "--window-size=1280,2000", report.index.as_uri()],
            check=True, capture_output=True, timeout=120,
        )
        assert shot.stat().st_size > 0 and re.match(rb"\x89PNG", shot.read_bytes()[:4])
        # every <img> must load in the browser: a copy of the page (same folder, same relative
        # links) records each image's naturalWidth into the DOM once the window has loaded
        probe = report.index.with_name("probe.html")
        script = (
            "<script>window.addEventListener('load', () => {const ok = [...document.images]"
            ".map(i => i.complete && i.naturalWidth > 0 ? 1 : 0); document.body.setAttribute("
            "'data-loaded', ok.join(''));});</script>"
        )
        probe.write_text(report.index.read_text().replace("</body>", script + "</body>"))
        dom = subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=10000",
             "--dump-dom", probe.as_uri()],
            check=True, capture_output=True, text=True, timeout=120,
        ).stdout
        flags = re.search(r'data-loaded="([01]*)"', dom)
        assert flags is not None, "the page never finished loading"
        assert flags.group(1) == "1" * len(images), f"images that did not load: {flags.group(1)}"
