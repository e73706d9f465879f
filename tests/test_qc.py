"""QC figures: each plot on a small synthetic gather, the QC sheet, the HTML report."""

from __future__ import annotations

import json
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
from seisfill._deps import torch_available  # noqa: E402
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
from seisfill.qc.panels import colour_map, label_traces  # noqa: E402
from seisfill.qc.report import fill_record, trace_axis  # noqa: E402
from seisfill.qc.sheet import FK_FLOOR_DB, MAX_WIDTH_PX, fill_label  # noqa: E402

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


def _tick_labels(ax) -> list[str]:
    """The tick labels a reader sees (the figure drawn first, so the formatters ran)."""
    ax.figure.draw_without_rendering()
    return [t.get_text() for t in ax.get_xticklabels() if t.get_text()]


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

    def test_fk_referred_to_another_peak(self, gather):
        # a tenth of the gather, referred to the gather's own peak: 20 dB down, not 0 dB
        peak = np.abs(np.fft.fft2(gather.astype(np.float64))).max()
        db, _, _ = fk_spectrum(gather * 0.1, DT, peak=peak)
        assert db.max() == pytest.approx(-20.0)
        assert fk_spectrum(np.zeros_like(gather), DT, peak=peak)[0].max() == -120.0
        image = _images(plot_fk(gather * 0.1, DT, peak=peak).axes[0])[0]
        assert image.get_array().max() == pytest.approx(-20.0) and image.get_clim() == (-60.0, 0.0)

    def test_label_traces_with_header_values(self, gather):
        fig = plot_gather(gather, DT)
        ax = fig.axes[0]
        offsets = np.r_[-575.0:-25.0:50.0, 25.0:625.0:50.0]  # 24 split-spread offsets, none at 0
        label_traces(ax, offsets, "offset")
        assert ax.get_xlabel() == "offset"
        ticks = _tick_labels(ax)
        assert ticks and set(ticks) <= {f"{v:g}" for v in offsets}  # every tick reads a trace's offset


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
        assert titles[4:8] == ["f-k input", "f-k filled", "f-k difference", "per-trace SNR"]
        assert len(fig.axes) == 10  # and the two colour bars
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


class TestSheetReadable:
    """What issue 16 found a reader missing: colour bars, one dB scale, header values, the method, size."""

    def test_amplitude_colour_bar_at_the_gather_clip(self, gather, live):
        fig = qc_sheet(np.where(live[:, None], gather, 0), gather * 0.9, live, DT, reference=gather)
        images = [_images(ax)[0] for ax in fig.axes[:4]]
        clims = {im.get_clim() for im in images}
        assert len(clims) == 1  # input, filled, reference and difference: one clip
        bar = images[1].colorbar
        assert bar is not None and bar.ax.get_ylabel() == "amplitude"
        assert bar.mappable.get_clim() == clims.pop() and bar.extend == "both"

    def test_fk_panels_share_one_db_scale_from_the_input(self, gather, live):
        residual = 1e-3 * np.random.default_rng(0).standard_normal(gather.shape)
        data = np.where(live[:, None], gather, 0)
        fig = qc_sheet(data, gather + residual, live, DT, reference=gather)
        fk = [_images(ax)[0] for ax in fig.axes[4:7]]
        assert fk[0].norm is fk[1].norm is fk[2].norm
        assert fk[0].norm.vmin == FK_FLOOR_DB and fk[0].norm.vmax >= 0.0
        assert fk[0].get_array().max() == pytest.approx(0.0)  # 0 dB: the input's peak
        # the difference is a thousandth of the data: far down the input's scale, not lit to its own peak
        assert fk[2].get_array().max() < -40.0
        bar = fk[0].colorbar
        assert bar is not None and bar.ax.get_xlabel() == "dB re input peak"
        assert bar.mappable.norm is fk[0].norm

    def test_trace_axis_is_labelled_with_the_sort_key(self, gather, live):
        inlines = np.arange(1450, 1474)
        fig = qc_sheet(np.where(live[:, None], gather, 0), gather, live, DT, reference=gather,
                       x=inlines, xlabel="INLINE_3D")
        traced = [*fig.axes[:4], fig.axes[7]]  # the gathers and the per-trace SNR
        assert [ax.get_xlabel() for ax in traced] == ["INLINE_3D"] * 5
        for ax in traced:
            ticks = _tick_labels(ax)
            assert ticks and {int(t) for t in ticks} <= set(inlines.tolist())
        assert "1450" in _tick_labels(fig.axes[0])
        assert qc_sheet(gather, gather, live, DT).axes[0].get_xlabel() == "trace"

    def test_title_names_method_and_model(self, gather, live):
        fig = qc_sheet(gather, gather, live, DT, title="x.sgy: gather 7", method="hybrid", model="gated2d")
        assert fig.get_suptitle() == "x.sgy: gather 7, filled by 'hybrid' (model gated2d)"
        assert qc_sheet(gather, gather, live, DT, method="fx").get_suptitle() == "filled by 'fx'"
        assert fill_label(None) == "" and qc_sheet(gather, gather, live, DT).get_suptitle() == ""

    @pytest.mark.parametrize("n_trace", [24, 150, 200])
    def test_a_trace_is_three_pixels_or_more(self, n_trace):
        data = np.random.default_rng(1).standard_normal((n_trace, 64)).astype(np.float32)
        live = np.ones(n_trace, bool)
        live[::5] = False
        fig = qc_sheet(data * live[:, None], data, live, DT, reference=data)
        fig.draw_without_rendering()
        widths = [ax.get_window_extent().width for ax in (*fig.axes[:4], fig.axes[7])]
        assert min(widths) / n_trace >= 3.0  # gathers and SNR bars: one trace, three pixels
        assert fig.get_figwidth() * fig.dpi <= MAX_WIDTH_PX
        if n_trace == 24:
            assert fig.get_figwidth() * fig.dpi == 1280  # small gathers keep the 80-dpi sheet

    def test_width_is_capped(self):
        data = np.ones((1000, 16), np.float32)
        fig = qc_sheet(data, data, np.ones(1000, bool), DT)
        assert fig.get_figwidth() * fig.dpi == MAX_WIDTH_PX

    def test_look_at_a_real_sheet(self, tmp_path):
        """The 150-trace held-out Penobscot line drawn as ``seisfill evaluate`` draws it."""
        ds = seisfill.read_segy(SAMPLES / "penobscot_xl1155_holdout.sgy")
        reference = ds["amplitude"].values[0]
        live = seisfill.masks.decimate(reference.shape[0], "random50", seed=0)
        x, xlabel = trace_axis(ds, 0)
        fig = qc_sheet(reference * live[:, None], seisfill.fill_array(reference, live, "linear"), live,
                       ds.attrs["dt_ms"] / 1000, reference=reference, x=x, xlabel=xlabel, method="linear")
        path = tmp_path / "sheet.png"
        fig.savefig(path)
        assert xlabel == "INLINE_3D" and int(x[0]) == 1450 and int(x[-1]) == 1600
        assert _tick_labels(fig.axes[0])[0] == "1450"
        from PIL import Image

        width, height = Image.open(path).size
        assert width >= 3 * 151 / 0.19 and width <= MAX_WIDTH_PX and height == width // 2


class TestTraceAxis:
    def test_sort_key_with_pad_slots(self):
        ds = seisfill.read_segy(SAMPLES / "synthetic_shots_gaps.sgy")
        x, name = trace_axis(ds, 1)
        assert name == ds.attrs["sort_key"] == "TraceNumber"
        pad = ds["pad"].values[1]
        assert np.isnan(x[pad]).all() and pad.sum() == 5
        assert np.array_equal(x[~pad], ds["TraceNumber"].values[1][~pad])

    def test_offset_of_a_cdp(self):
        ds = seisfill.read_segy(SAMPLES / "cdp700_land.sgy")
        x, name = trace_axis(ds, 0)
        assert name == "offset" and np.array_equal(x, ds["offset"].values[0])

    def test_without_a_sort_key(self):
        ds = seisfill.read_segy(SAMPLES / "cdp700_land.sgy")
        ds.attrs["sort_key"] = "none"
        assert trace_axis(ds, 0) == (None, "trace")


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

    def test_report_names_method_and_model(self, tmp_path, monkeypatch):
        source, filled, reference = _filled_sample(tmp_path)
        sheets = []
        draw = seisfill.qc.sheet.qc_sheet

        def spy(*args, **kwargs):
            sheets.append(draw(*args, **kwargs))
            return sheets[-1]

        monkeypatch.setattr(seisfill.qc.sheet, "qc_sheet", spy)
        report = write_report(source, filled, tmp_path / "report", reference)
        text = report.index.read_text()
        assert "filled by <b>&#x27;linear&#x27;</b>" in text
        assert f"<code>{filled}</code>, reference <code>{reference}</code>" in text  # no stray space
        (fig,) = sheets
        assert fig.get_suptitle() == "filled.sgy: gather 700, filled by 'linear'"
        assert fig.axes[0].get_xlabel() == "offset"  # cdp700's sort key, not the slot number
        # a network's sidecar names its model; the report and the sheet say so
        sidecar = Path(f"{filled}.seisfill.json")
        sidecar.write_text(json.dumps({**json.loads(sidecar.read_text()), "method": "hybrid", "model": "gated2d"}))
        text = write_report(source, filled, tmp_path / "report").index.read_text()
        assert "filled by <b>&#x27;hybrid&#x27; (model gated2d)</b>" in text
        assert sheets[-1].get_suptitle().endswith("filled by 'hybrid' (model gated2d)")
        sidecar.unlink()
        assert "fill method unknown" in write_report(source, filled, tmp_path / "report").index.read_text()
        assert fill_record(filled)["method"] is None

    def test_evaluate_sheet_is_labelled(self, tmp_path, monkeypatch):
        from seisfill.evaluate import evaluate

        sheets = []
        draw = seisfill.qc.sheet.qc_sheet
        monkeypatch.setattr(seisfill.qc.sheet, "qc_sheet", lambda *a, **k: sheets.append(draw(*a, **k)) or sheets[-1])
        evaluate(SAMPLES / "penobscot_xl1155_holdout.sgy", patterns=("gap8",), methods=("linear",), out_dir=tmp_path)
        (fig,) = sheets
        assert fig.axes[0].get_xlabel() == "INLINE_3D" and "filled by 'linear'" in fig.get_suptitle()

    @pytest.mark.skipif(not torch_available, reason="needs torch")
    def test_sidecar_records_the_model(self, tmp_path):
        from seisfill.parallel import fill_file

        source = SAMPLES / "cdp700_land_dead.sgy"
        filled = seisfill.fill(seisfill.read_segy(source), "unet")
        seisfill.write_segy(filled, tmp_path / "mem.sgy", template=source)
        fill_file(source, tmp_path / "stream.sgy", "unet", workers=0)
        for name in ("mem.sgy", "stream.sgy"):
            record = json.loads((tmp_path / f"{name}.seisfill.json").read_text())
            assert record["method"] == "unet" and record["model"] == filled.attrs["fill_model"] == "gated2d"
        plain = seisfill.fill(seisfill.read_segy(source), "linear")
        seisfill.write_segy(plain, tmp_path / "plain.sgy", template=source)
        assert fill_record(tmp_path / "plain.sgy")["model"] is None

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
