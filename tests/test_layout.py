"""Tests for seisfill.io.layout: byte layout of a SEG-Y file and raw trace access."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import segyio
from segy_factory import make_rev2, make_shots, real_file, write_traces

from seisfill.errors import SeisfillError
from seisfill.io.formats import decode_samples
from seisfill.io.layout import TraceReader, open_layout


@pytest.mark.parametrize("endian", ["big", "little"])
@pytest.mark.parametrize("fmt", [1, 3, 6, 8])
def test_layout_of_synthetic_file(tmp_path, fmt, endian):
    sf = make_shots(tmp_path / "s.sgy", fmt=fmt, endian=endian, ext_headers=2, n_samples=33)
    lay = open_layout(sf.path)
    itemsize = {1: 4, 3: 2, 6: 8, 8: 1}[fmt]
    assert lay.endian == endian
    assert lay.format == fmt
    assert lay.n_samples == 33
    assert lay.n_traces == 36
    assert lay.dt_ms == 4.0
    assert lay.delay_ms == 0.0
    assert lay.n_ext_headers == 2
    assert lay.itemsize == itemsize
    assert lay.data_offset == 3600 + 2 * 3200
    assert lay.trace_size == 240 + 33 * itemsize
    assert lay.file_size == sf.path.stat().st_size == 3600 + 6400 + 36 * (240 + 33 * itemsize)
    np.testing.assert_array_equal(lay.time_ms, np.arange(33) * 4.0)


def test_little_endian_format_code_reads_as_garbage_big_endian(tmp_path):
    sf = make_shots(tmp_path / "le.sgy", fmt=5, endian="little")
    raw = sf.path.read_bytes()[3224:3226]
    assert raw == b"\x05\x00"  # 1280 read big-endian: no SEG-Y format
    assert open_layout(sf.path).endian == "little"


@pytest.mark.parametrize(
    ("name", "fmt", "ns", "n_traces", "dt", "delay"),
    [
        ("cdp700_land.sgy", 5, 1100, 24, 2.0, 0.0),
        ("f3.sgy", 3, 75, 414, 4.0, 4.0),
        ("penobscot_xl1155.sgy", 1, 1501, 601, 4.0, 0.0),
        ("qdn_poststack2d.sgy", 5, 512, 512, 2.0, 0.0),
        ("real3d_poststack.sgy", 5, 300, 1000, 4.0, 0.0),
    ],
)
def test_layout_of_real_files(name, fmt, ns, n_traces, dt, delay):
    path = real_file(name)
    lay = open_layout(path)
    assert (lay.endian, lay.format, lay.n_samples, lay.n_traces, lay.dt_ms, lay.delay_ms) == (
        "big", fmt, ns, n_traces, dt, delay)
    assert lay.n_ext_headers == 0
    assert lay.data_offset + n_traces * lay.trace_size == path.stat().st_size


def test_f3_uses_binary_header_sample_count_not_trace_header():
    path = real_file("f3.sgy")
    with segyio.open(path, ignore_geometry=True) as f:
        assert f.header[0][segyio.TraceField.TRACE_SAMPLE_COUNT] == 462
        assert f.bin[segyio.BinField.Samples] == 75
    assert open_layout(path).n_samples == 75


def test_read_raw_keeps_the_order_of_non_contiguous_indices(tmp_path):
    sf = make_shots(tmp_path / "s.sgy", fmt=3, endian="little")
    lay = open_layout(sf.path)
    blob = np.frombuffer(sf.path.read_bytes()[lay.data_offset :], np.uint8).reshape(lay.n_traces, -1)
    indices = np.array([7, 2, 3, 4, 0, 0, 35, 11, 10])
    with TraceReader(lay) as reader:
        raw = reader.read_raw(indices)
        samples = reader.read_samples(indices)
    assert raw.shape == (9, lay.trace_size)
    np.testing.assert_array_equal(raw, blob[indices])
    np.testing.assert_array_equal(samples, sf.data[indices].astype(np.float32))
    # the trace numbers in the headers follow the request
    seq = raw[:, 4:8].copy().view("<i4").ravel()
    np.testing.assert_array_equal(seq, indices + 1)


def test_read_raw_empty_and_out_of_range(shots):
    lay = open_layout(shots.path)
    reader = TraceReader(lay)
    assert reader.read_raw(np.array([], dtype=np.int64)).shape == (0, lay.trace_size)
    with pytest.raises(IndexError):
        reader.read_range(30, 37)
    with pytest.raises(IndexError):
        reader.read_raw(np.array([36]))
    reader.close()
    reader.close()  # idempotent


def test_iter_chunks_walks_the_file_in_order(shots):
    lay = open_layout(shots.path)
    with TraceReader(lay) as reader:
        chunks = list(reader.iter_chunks(chunk_bytes=5 * lay.trace_size + 17))
    assert [start for start, _ in chunks] == [0, 5, 10, 15, 20, 25, 30, 35]
    allraw = np.concatenate([raw for _, raw in chunks])
    samples = decode_samples(allraw[:, 240:], lay.format, lay.endian)
    np.testing.assert_array_equal(samples, shots.data)


def test_trace_reader_pickles_without_its_descriptor(shots):
    lay = open_layout(shots.path)
    reader = TraceReader(lay)
    reader.read_raw(np.array([0]))  # opens the descriptor
    clone = pickle.loads(pickle.dumps(reader))
    assert clone._fd is None
    np.testing.assert_array_equal(clone.read_samples(np.array([5, 1])), shots.data[[5, 1]])
    reader.close()
    clone.close()


def test_unsupported_format_code_is_named(tmp_path):
    sf = make_shots(tmp_path / "s.sgy", fmt=5)
    blob = bytearray(sf.path.read_bytes())
    blob[3224:3226] = (4).to_bytes(2, "big")
    bad = tmp_path / "fmt4.sgy"
    bad.write_bytes(bytes(blob))
    with pytest.raises(SeisfillError, match="format code 4 .*fixed point"):
        open_layout(bad)


def test_delay_and_interval_from_headers(tmp_path):
    data = np.ones((4, 10), dtype=np.float32) * np.arange(1, 5)[:, None]
    path = write_traces(tmp_path / "d.sgy", data, {"TraceNumber": [1, 2, 3, 4]}, dt_us=2500, delay_ms=100)
    lay = open_layout(path)
    assert lay.dt_ms == 2.5
    assert lay.delay_ms == 100.0
    np.testing.assert_array_equal(lay.time_ms, 100.0 + 2.5 * np.arange(10))


@pytest.mark.parametrize(
    ("cut", "match"),
    [
        (3600 + 5 * 400 + 100, "truncated .*2100 bytes of traces.*cut short"),
        (3600, "no traces after the SEG-Y headers"),
    ],
)
def test_truncated_file_is_reported_as_such(tmp_path, shots, cut, match):
    bad = tmp_path / "cut.sgy"
    bad.write_bytes(shots.path.read_bytes()[:cut])
    with pytest.raises(SeisfillError, match=match):
        open_layout(bad)


# ---------------------------------------------------------------------------
# SEG-Y rev 2 and the 3-byte formats, which segyio 1.9 does not read
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("endian", ["big", "little"])
@pytest.mark.parametrize("variable_text", [True, False])
def test_rev2_trace_header_extensions_and_extended_text(tmp_path, endian, variable_text):
    sf = make_shots(tmp_path / "s.sgy", endian=endian, n_samples=33)
    rev2 = tmp_path / "rev2.sgy"
    ext = make_rev2(sf.path, rev2, n_trace_ext=2, variable_text=variable_text)
    lay = open_layout(rev2)
    # two stanzas, and the ((SEG: EndText)) one that closes a variable count
    n_text = 3 if variable_text else 2
    assert (lay.n_ext_headers, lay.n_trace_ext, lay.n_traces) == (n_text, 2, 36)
    assert (lay.endian, lay.format, lay.n_samples, lay.dt_ms, lay.delay_ms) == (endian, 5, 33, 4.0, 0.0)
    assert lay.data_offset == 3600 + 3200 * n_text
    assert lay.header_size == 3 * 240
    assert lay.trace_size == 720 + 33 * 4
    assert lay.file_size == lay.data_offset + 36 * lay.trace_size
    with TraceReader(lay) as reader:
        raw = reader.read_raw(np.array([5, 0, 35]))
        np.testing.assert_array_equal(raw[:, 240:720], ext[[5, 0, 35]])
        np.testing.assert_array_equal(reader.read_samples(np.array([5, 0, 35])), sf.data[[5, 0, 35]])
    assert raw[:, 472:480].tobytes() == b"SEG00001" * 3  # first extension's name, bytes 233-240


def test_rev2_count_written_in_two_bytes_is_read_too(tmp_path, shots):
    # some writers put the count in bytes 3507-3508 only: the file size tells
    rev2 = tmp_path / "rev2.sgy"
    make_rev2(shots.path, rev2, n_trace_ext=1)
    blob = bytearray(rev2.read_bytes())
    blob[3506:3510] = (1).to_bytes(2, "big") + b"\0\0"
    rev2.write_bytes(bytes(blob))
    assert open_layout(rev2).n_trace_ext == 1


def test_rev1_ignores_the_unassigned_extension_bytes(tmp_path, shots):
    blob = bytearray(shots.path.read_bytes())
    blob[3500:3502] = b"\x01\x00"  # revision 1.0
    blob[3506:3510] = (3).to_bytes(4, "big")  # unassigned before rev 2
    path = tmp_path / "junk.sgy"
    path.write_bytes(bytes(blob))
    lay = open_layout(path)
    assert (lay.n_trace_ext, lay.trace_size, lay.n_traces) == (0, 240 + 40 * 4, 36)


def test_rev2_count_that_the_file_size_denies_is_garbage(tmp_path, shots):
    # a rev 2 header with junk where the count goes: the traces only fit without extensions
    blob = bytearray(shots.path.read_bytes())
    blob[3500:3502] = b"\x02\x00"
    blob[3506:3510] = (0x01020304).to_bytes(4, "big")
    path = tmp_path / "junk2.sgy"
    path.write_bytes(bytes(blob))
    lay = open_layout(path)
    assert (lay.n_trace_ext, lay.n_traces, lay.n_samples, lay.dt_ms) == (0, 36, 40, 4.0)


def test_rev2_errors_name_what_is_wrong(tmp_path, shots):
    rev2 = tmp_path / "rev2.sgy"
    make_rev2(shots.path, rev2, n_trace_ext=1)
    blob = rev2.read_bytes()
    cut = tmp_path / "cut.sgy"
    cut.write_bytes(blob[:-100])
    with pytest.raises(SeisfillError, match=r"not a whole number of 640-byte traces .*1 trace header extension"):
        open_layout(cut)
    no_end = tmp_path / "no_end.sgy"
    no_end.write_bytes(blob.replace(b"((SEG: EndText))", b"((SEG: NotTheEnd))"))
    with pytest.raises(SeisfillError, match=r"variable number of extended textual headers .*no \(\(SEG: EndText\)\)"):
        open_layout(no_end)


@pytest.mark.parametrize("endian", ["big", "little"])
@pytest.mark.parametrize("fmt", [7, 15])
def test_layout_of_three_byte_formats(tmp_path, fmt, endian):
    sf = make_shots(tmp_path / "s.sgy", fmt=fmt, endian=endian, ext_headers=1, n_samples=33)
    lay = open_layout(sf.path)
    assert (lay.format, lay.endian, lay.itemsize, lay.n_samples, lay.n_traces) == (fmt, endian, 3, 33, 36)
    assert lay.trace_size == 240 + 3 * 33
    assert lay.file_size == 3600 + 3200 + 36 * lay.trace_size
    with TraceReader(lay) as reader:
        np.testing.assert_array_equal(reader.read_samples(np.arange(36)), sf.data.astype(np.float32))
