"""Tests for seisfill.io.formats: SEG-Y sample formats, IBM <-> IEEE."""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest
import segyio
import segyio._segyio  # noqa: F401  (segyio.tools.native needs the extension loaded)
import segyio.tools

from seisfill.errors import SeisfillError
from seisfill.io import formats
from seisfill.io.formats import (
    SAMPLE_FORMATS,
    decode_samples,
    encode_samples,
    ibm_is_canonical,
    ibm_round_trips,
    ibm_to_ieee,
    ieee_to_ibm,
    sample_format,
    storage_dtype,
)

pytestmark = pytest.mark.filterwarnings("error")

ENDIANS = ("big", "little")
F32_NORMAL_MIN = 2.0**-126
F32_OVERFLOW = 2.0**128


def bits(a: np.ndarray) -> np.ndarray:
    """The raw bit pattern of a float32 array, for bit-exact comparisons."""
    return np.ascontiguousarray(a, dtype=np.float32).view(np.uint32)


def ibm_exact(words: np.ndarray) -> np.ndarray:
    """Exact value of IBM words in float64 (always representable: 2**-280..2**252)."""
    w = np.asarray(words, dtype=np.uint64)
    frac = (w & 0xFFFFFF).astype(np.float64)
    e = ((w >> 24) & 0x7F).astype(np.int64)
    sign = np.where(w >> 31, -1.0, 1.0)
    return sign * np.ldexp(frac, 4 * e - 280)


def ibm_reference_decode(words: np.ndarray) -> np.ndarray:
    """Straightforward reference: exact float64 value rounded to float32."""
    with np.errstate(over="ignore"):
        return ibm_exact(words).astype(np.float32)


def random_canonical_words(rng: np.random.Generator, n: int) -> np.ndarray:
    """Random canonical IBM words whose values are in the float32 normal range."""
    sign = rng.integers(0, 2, n, dtype=np.uint32) << 31
    e = rng.integers(32, 98, n, dtype=np.uint32)  # a bit wider than needed
    frac = rng.integers(0x100000, 0x1000000, n, dtype=np.uint32)
    w = sign | (e << 24) | frac
    v = np.abs(ibm_exact(w))
    return w[(v >= F32_NORMAL_MIN) & (v < F32_OVERFLOW)]


def nearest_ibm_reference(x: float) -> int:
    """Nearest IBM word to a finite float, in exact rational arithmetic."""
    sign = 0x80000000 if np.signbit(x) else 0
    if x == 0:
        return sign
    v = Fraction(abs(x))
    q = 64  # want 16**(q-65) <= v < 16**(q-64)
    while v >= Fraction(16) ** (q - 64):
        q += 1
    while v < Fraction(16) ** (q - 65):
        q -= 1
    frac = round(v * 2**24 / Fraction(16) ** (q - 64))  # ties to even
    if frac == 2**24:
        frac, q = 2**20, q + 1
    return sign | (q << 24) | frac


# --------------------------------------------------------------------------
# Format table
# --------------------------------------------------------------------------


def test_sample_formats_table():
    assert sorted(SAMPLE_FORMATS) == [1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 15, 16]
    expected = {
        1: (4, "ibm", "u4"),
        2: (4, "int", "i4"),
        3: (2, "int", "i2"),
        5: (4, "float", "f4"),
        6: (8, "float", "f8"),
        8: (1, "int", "i1"),
        9: (8, "int", "i8"),
        10: (4, "uint", "u4"),
        11: (2, "uint", "u2"),
        12: (8, "uint", "u8"),
        16: (1, "uint", "u1"),
    }
    for code, (itemsize, kind, typestr) in expected.items():
        fmt = sample_format(code)
        assert fmt is SAMPLE_FORMATS[code]
        assert (fmt.code, fmt.itemsize, fmt.kind) == (code, itemsize, kind)
        assert fmt.name
        assert storage_dtype(code, "big") == np.dtype(">" + typestr)
        assert storage_dtype(code, "little") == np.dtype("<" + typestr)
        assert storage_dtype(code, "big").itemsize == itemsize
    for code, kind in ((7, "int"), (15, "uint")):  # 3-byte integers: no numpy type
        fmt = sample_format(code)
        assert (fmt.itemsize, fmt.kind, fmt.name[:6]) == (3, kind, "3-byte")
        assert storage_dtype(code, "big") == storage_dtype(code, "little") == np.dtype("V3")
    assert storage_dtype(1, "big").str == ">u4"
    assert storage_dtype(3, "little").str == "<i2"
    assert sample_format(np.int16(5)).code == 5
    with pytest.raises(TypeError):
        SAMPLE_FORMATS[4] = SAMPLE_FORMATS[1]  # type: ignore[index]
    with pytest.raises(AttributeError):
        SAMPLE_FORMATS[1].code = 2  # type: ignore[misc]


@pytest.mark.parametrize("code", [4, 0, 13, 14, -1, 100])
def test_unsupported_code_raises(code):
    with pytest.raises(SeisfillError, match=rf"sample format code {code} .*supported: 1, 2, 3, 5, 6, 7, .*15, 16$"):
        sample_format(code)
    with pytest.raises(SeisfillError):
        decode_samples(np.zeros((1, 8), np.uint8), code, "big")
    with pytest.raises(SeisfillError):
        encode_samples(np.zeros((1, 2), np.float32), code, "big")


def test_unsupported_code_messages():
    with pytest.raises(SeisfillError, match="fixed point with gain") as info:
        sample_format(4)
    assert "\n" not in str(info.value)
    assert str(info.value) == (
        "unsupported SEG-Y sample format code 4 (4-byte fixed point with gain); "
        "supported: 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 15, 16"
    )
    with pytest.raises(SeisfillError, match="must be an integer"):
        sample_format("1")  # type: ignore[arg-type]
    with pytest.raises(SeisfillError, match="byte order"):
        storage_dtype(1, "middle")  # type: ignore[arg-type]


# --------------------------------------------------------------------------
# Round trips raw -> decode -> encode -> raw, every format and byte order
# --------------------------------------------------------------------------


def random_valid_values(code: int, rng: np.random.Generator, n: int) -> np.ndarray:
    """Random samples of a format, of the stored type, that float32 represents exactly."""
    fmt = SAMPLE_FORMATS[code]
    if fmt.kind == "ibm":
        w = random_canonical_words(rng, n)
        return np.concatenate([w, np.array([0, 0x80000000], np.uint32)])
    if code == 5:
        b = rng.integers(0, 2**32, n, dtype=np.uint32)
        b = b[(b & 0x7F800000) != 0x7F800000]  # finite: normals, subnormals, zeros
        return np.concatenate([b, np.array([0, 0x80000000, 1, 0x7F7FFFFF], np.uint32)]).view(
            np.float32
        )
    if code == 6:
        x = random_valid_values(5, rng, n).astype(np.float64)
        return np.concatenate([x, [np.inf, -np.inf]])
    if fmt.itemsize == 3:  # every value of the 24-bit range, the ends included
        lo, hi = (-(2**23), 2**23 - 1) if fmt.kind == "int" else (0, 2**24 - 1)
        return np.concatenate([rng.integers(lo, hi, n, endpoint=True), [lo, hi, 0, 1]]).astype(np.int32)
    dtype = np.dtype(f"{'iu'[fmt.kind == 'uint']}{fmt.itemsize}")
    info = np.iinfo(dtype)
    if fmt.itemsize <= 2:
        return rng.integers(info.min, info.max, n, dtype=dtype, endpoint=True)
    # Wider integers: 24-bit mantissas times powers of two, within the range.
    signed = fmt.kind == "int"
    mant = rng.integers(-(2**24) if signed else 0, 2**24, n, dtype=np.int64)
    shift = rng.integers(0, fmt.itemsize * 8 - 24 - signed + 1, n)
    vals = [int(m) << int(s) for m, s in zip(mant, shift, strict=True)]
    vals += [info.min, 0, 1, 2**24]
    return np.array(vals, dtype=dtype)


def stored_bytes(values: np.ndarray, code: int, endian: str) -> np.ndarray:
    """Samples as a file stores them, shape (..., ns * itemsize); the 3-byte formats by ``int.to_bytes``."""
    fmt = SAMPLE_FORMATS[code]
    if fmt.itemsize != 3:
        return values.astype(storage_dtype(code, endian)).view(np.uint8)
    blob = b"".join(int(v).to_bytes(3, endian, signed=fmt.kind == "int") for v in values.ravel())
    return np.frombuffer(blob, np.uint8).reshape(values.shape[:-1] + (3 * values.shape[-1],))


@pytest.mark.parametrize("endian", ENDIANS)
@pytest.mark.parametrize("code", sorted(SAMPLE_FORMATS))
def test_round_trip_every_format(code, endian):
    rng = np.random.default_rng(1000 + code)
    values = random_valid_values(code, rng, 20_000)
    ns = 7
    values = values[: values.size // ns * ns].reshape(-1, ns)
    raw = stored_bytes(values, code, endian)
    assert raw.shape == (values.shape[0], ns * SAMPLE_FORMATS[code].itemsize)

    decoded = decode_samples(raw, code, endian)
    assert decoded.dtype == np.float32
    assert decoded.shape == values.shape
    if SAMPLE_FORMATS[code].kind == "ibm":
        np.testing.assert_array_equal(bits(decoded), bits(ibm_reference_decode(values)))
    else:
        np.testing.assert_array_equal(decoded, values.astype(np.float32))

    again = encode_samples(decoded, code, endian)
    assert again.dtype == np.uint8 and again.flags.c_contiguous
    np.testing.assert_array_equal(again, raw)

    # The other byte order really is different (for multi-byte formats).
    if SAMPLE_FORMATS[code].itemsize > 1:
        other = "little" if endian == "big" else "big"
        swapped = stored_bytes(values, code, other)
        np.testing.assert_array_equal(decode_samples(swapped, code, other), decoded)
        np.testing.assert_array_equal(encode_samples(decoded, code, other), swapped)


# --------------------------------------------------------------------------
# decode_samples / encode_samples: inputs and shapes
# --------------------------------------------------------------------------


@pytest.mark.parametrize("code", [1, 3, 5])
def test_decode_strided_bytes_and_nd(code):
    rng = np.random.default_rng(2)
    fmt = SAMPLE_FORMATS[code]
    values = rng.integers(-1000, 1000, (4, 3, 50)).astype(np.float32)
    raw = encode_samples(values, code, "big")
    assert raw.shape == (4, 3, 50 * fmt.itemsize)
    np.testing.assert_array_equal(decode_samples(raw, code, "big"), values)

    # Whole traces with 240-byte headers, sliced: a strided view.
    traces = np.zeros((12, 240 + raw.shape[-1]), np.uint8)
    traces[:, 240:] = raw.reshape(12, -1)
    samples = traces[:, 240:]
    assert not samples.flags.c_contiguous
    np.testing.assert_array_equal(decode_samples(samples, code, "big"), values.reshape(12, 50))

    # Non-contiguous last axis, bytes, bytearray, memoryview.
    spread = np.zeros((12, 2 * raw.shape[-1]), np.uint8)
    spread[:, ::2] = raw.reshape(12, -1)
    np.testing.assert_array_equal(
        decode_samples(spread[:, ::2], code, "big"), values.reshape(12, 50)
    )
    one = raw[0, 0].tobytes()
    for buf in (one, bytearray(one), memoryview(one)):
        np.testing.assert_array_equal(decode_samples(buf, code, "big"), values[0, 0])


def test_decode_bad_inputs():
    with pytest.raises(SeisfillError, match="not a whole number of 4-byte samples"):
        decode_samples(np.zeros((2, 10), np.uint8), 1, "big")
    with pytest.raises(SeisfillError, match="not a whole number"):
        decode_samples(b"\x00\x01\x02", 3, "little")
    with pytest.raises(TypeError, match="uint8"):
        decode_samples(np.zeros((2, 8), np.int8), 1, "big")
    with pytest.raises(SeisfillError, match="byte order"):
        decode_samples(np.zeros((2, 8), np.uint8), 1, ">")  # type: ignore[arg-type]


@pytest.mark.parametrize("code", sorted(SAMPLE_FORMATS))
def test_empty_arrays(code):
    size = SAMPLE_FORMATS[code].itemsize
    for shape in [(0, 5), (3, 0), (0,)]:
        values = np.zeros(shape, np.float32)
        raw = encode_samples(values, code, "big")
        assert raw.shape == shape[:-1] + (shape[-1] * size,)
        assert decode_samples(raw, code, "big").shape == shape


def test_encode_accepts_float64_and_ints():
    values = np.array([[1.0, -2.0, 0.5]])
    for code in SAMPLE_FORMATS:
        want = encode_samples(values.astype(np.float32), code, "big")
        np.testing.assert_array_equal(encode_samples(values, code, "big"), want)
    np.testing.assert_array_equal(
        encode_samples([3, -4], 3, "big"), np.array([3, -4], ">i2").view(np.uint8)
    )
    with pytest.raises(ValueError):
        encode_samples(np.float32(1.0), 5, "big")
    with pytest.raises(TypeError):
        encode_samples(np.array([1j]), 5, "big")


def test_encode_ieee_special_values():
    x = np.array([np.nan, np.inf, -np.inf, -0.0, 1e300, -1e300, 1e-300])
    got = decode_samples(encode_samples(x, 5, "little"), 5, "little")
    assert np.isnan(got[0])
    np.testing.assert_array_equal(got[1:], np.float32([np.inf, -np.inf, -0.0, np.inf, -np.inf, 0]))
    assert np.signbit(got[3])
    raw64 = encode_samples(x, 6, "big")
    np.testing.assert_array_equal(raw64.view(">f8")[1:], x[1:])


def test_blocking_matches_unblocked(monkeypatch):
    """Tiny blocks: whole-row blocks and split rows give the same result."""
    rng = np.random.default_rng(3)
    w = rng.integers(0, 2**32, (9, 101), dtype=np.uint32)
    x = rng.standard_normal((9, 101)).astype(np.float32)
    want_dec, want_enc = ibm_to_ieee(w), ieee_to_ibm(x)
    for chunk in (16, 64, 250, 101):
        monkeypatch.setattr(formats, "_CHUNK", chunk)
        np.testing.assert_array_equal(bits(ibm_to_ieee(w)), bits(want_dec))
        np.testing.assert_array_equal(ieee_to_ibm(x), want_enc)
        raw = encode_samples(x, 1, "big")
        np.testing.assert_array_equal(raw.view(">u4"), want_enc)
        np.testing.assert_array_equal(
            bits(decode_samples(raw, 1, "big")), bits(ibm_reference_decode(want_enc))
        )
        ints = encode_samples(x * 100, 2, "little")
        np.testing.assert_array_equal(ints.view("<i4"), np.rint(x * 100).astype(np.int32))


# --------------------------------------------------------------------------
# Integer formats: rounding, clipping, NaN
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "values", "expected"),
    [
        (
            3,
            [0.5, 1.5, 2.5, 3.5, -0.5, -2.5, -3.5, 2.4999, -7.6, 32767.4, 32767.5, 1e9, -1e9],
            [0, 2, 2, 4, 0, -2, -4, 2, -8, 32767, 32767, 32767, -32768],
        ),
        (3, [np.inf, -np.inf, -32768.5, -32769.0], [32767, -32768, -32768, -32768]),
        (8, [127.5, 126.5, -128.5, -129, 300], [127, 126, -128, -128, 127]),
        (16, [-1.0, -0.4, 0.5, 254.5, 255.5, 1e10], [0, 0, 0, 254, 255, 255]),
        (11, [-3.0, 65535.4, 65536.0, 2.5], [0, 65535, 65535, 2]),
        (
            2,
            [2.0**31, -(2.0**31) - 1000, 2147483646.5, -2147483647.5, np.inf],
            [2**31 - 1, -(2**31), 2147483646, -2147483648, 2**31 - 1],
        ),
        (10, [-1.0, 2.0**32, 4294967294.5, 1e20], [0, 2**32 - 1, 4294967294, 2**32 - 1]),
        (
            9,
            [1e19, -1e19, np.inf, -np.inf, 2.0**62, 2.0**63, -(2.0**63), 1.5],
            [2**63 - 1, -(2**63), 2**63 - 1, -(2**63), 2**62, 2**63 - 1, -(2**63), 2],
        ),
        (
            12,
            [1e20, -5.0, 2.0**63, 2.0**64, np.inf, 0.5],
            [2**64 - 1, 0, 2**63, 2**64 - 1, 2**64 - 1, 0],
        ),
    ],
)
@pytest.mark.parametrize("endian", ENDIANS)
def test_integer_rounding_and_clipping(code, values, expected, endian):
    dtype = storage_dtype(code, endian)
    want = np.array(expected, dtype=dtype.newbyteorder("="))
    v64 = np.array(values, np.float64)
    np.testing.assert_array_equal(encode_samples(v64, code, endian).view(dtype), want)
    v32 = v64.astype(np.float32)
    exact = v32.astype(np.float64) == v64
    exact |= np.isinf(v64)
    raw32 = encode_samples(v32, code, endian).view(dtype)
    np.testing.assert_array_equal(raw32[exact], want[exact])


@pytest.mark.parametrize(
    ("code", "values", "expected"),
    [
        (
            7,
            [0.5, 1.5, 2.5, -0.5, -2.5, -7.6, 8388607.4, 8388607.5, -8388608.5, 1e9, -1e9, np.inf, -np.inf],
            [0, 2, 2, 0, -2, -8, 8388607, 8388607, -8388608, 8388607, -8388608, 8388607, -8388608],
        ),
        (
            15,
            [-1.0, -0.4, 0.5, 2.5, 16777214.5, 16777215.4, 16777216.0, 1e10, np.inf, -np.inf],
            [0, 0, 0, 2, 16777214, 16777215, 16777215, 16777215, 16777215, 0],
        ),
    ],
)
@pytest.mark.parametrize("endian", ENDIANS)
def test_three_byte_rounding_and_clipping(code, values, expected, endian):
    want = stored_bytes(np.array([expected], np.int64), code, endian)
    np.testing.assert_array_equal(encode_samples(np.array([values], np.float64), code, endian), want)
    # integer input is clipped without a float detour
    ints = np.array([[-(2**40), -5, 0, 5, 2**40]], np.int64)
    lo, hi = (-(2**23), 2**23 - 1) if code == 7 else (0, 2**24 - 1)
    np.testing.assert_array_equal(
        encode_samples(ints, code, endian), stored_bytes(np.clip(ints, lo, hi), code, endian)
    )


@pytest.mark.parametrize(
    ("code", "endian", "raw", "value"),
    [
        (7, "big", b"\x80\x00\x00", -8388608),
        (7, "big", b"\xff\xff\xfe", -2),
        (7, "little", b"\xfe\xff\xff", -2),
        (7, "big", b"\x7f\xff\xff", 8388607),
        (7, "little", b"\x01\x02\x03", 0x030201),
        (15, "big", b"\xff\xff\xff", 16777215),
        (15, "little", b"\x00\x00\x80", 8388608),
        (15, "big", b"\x01\x02\x03", 0x010203),
    ],
)
def test_three_byte_hand_computed(code, endian, raw, value):
    decoded = decode_samples(raw * 2, code, endian)
    assert decoded.dtype == np.float32
    assert decoded.tolist() == [value, value]
    assert encode_samples(decoded, code, endian).tobytes() == raw * 2


def test_three_byte_decode_of_strided_trace_bytes():
    # whole traces with 240-byte headers, sliced: the samples are a strided view
    values = np.array([[-(2**23), -1, 0, 1, 2**23 - 1]] * 3, np.int32)
    traces = np.zeros((3, 240 + 15), np.uint8)
    traces[:, 240:] = stored_bytes(values, 7, "big")
    np.testing.assert_array_equal(decode_samples(traces[:, 240:], 7, "big"), values.astype(np.float32))
    with pytest.raises(SeisfillError, match="not a whole number of 3-byte samples"):
        decode_samples(traces[:, 241:], 7, "big")


@pytest.mark.parametrize("code", [1, 2, 3, 7, 8, 9, 10, 11, 12, 15, 16])
def test_nan_into_ibm_or_integer_raises(code):
    values = np.zeros((3, 10), np.float32)
    values[2, 7] = np.nan
    with pytest.raises(SeisfillError, match="NaN"):
        encode_samples(values, code, "big")


def test_nan_into_int16_message():
    with pytest.raises(SeisfillError, match=r"cannot encode NaN as SEG-Y sample format 3 \(2-byte"):
        encode_samples(np.array([1.0, np.nan]), 3, "little")


# --------------------------------------------------------------------------
# IBM floats
# --------------------------------------------------------------------------

HAND_COMPUTED = [
    (0xC276A000, -118.625),  # the classic textbook example
    (0x41100000, 1.0),
    (0xC1100000, -1.0),
    (0x00000000, 0.0),
    (0x80000000, -0.0),
    (0x40800000, 0.5),
    (0x42640000, 100.0),
    (0x3F800000, 1.0 / 32),
    (0x41A00000, 10.0),
    (0x60FFFFFF, float(np.finfo(np.float32).max)),  # 16**32 * (1 - 2**-24)
    (0x21400000, 2.0**-126),  # smallest float32 normal
    (0x1B800000, 2.0**-149),  # smallest float32 subnormal
]


def test_ibm_hand_computed_values():
    words = np.array([w for w, _ in HAND_COMPUTED], np.uint32)
    values = np.array([v for _, v in HAND_COMPUTED], np.float32)
    np.testing.assert_array_equal(bits(ibm_to_ieee(words)), bits(values))
    np.testing.assert_array_equal(ieee_to_ibm(values), words)
    np.testing.assert_array_equal(bits(ibm_to_ieee(words.astype(">u4"))), bits(values))
    np.testing.assert_array_equal(ieee_to_ibm(values.astype(">f4")), words)
    assert ibm_to_ieee(0xC276A000) == np.float32(-118.625)
    assert ibm_to_ieee(np.array(0x41100000, np.uint32)).shape == ()
    assert int(ieee_to_ibm(np.float32(-118.625))) == 0xC276A000


def test_ibm_encode_rounding_and_specials():
    f32max = np.finfo(np.float32).max
    x = np.array([0.1, -0.1, np.inf, -np.inf, f32max, -f32max, 1e-40, 1e-45], np.float32)
    want = [0x4019999A, 0xC019999A, 0x7FFFFFFF, 0xFFFFFFFF, 0x60FFFFFF, 0xE0FFFFFF]
    want += [nearest_ibm_reference(float(v)) for v in x[6:]]
    np.testing.assert_array_equal(ieee_to_ibm(x), np.array(want, np.uint32))
    # float64 input beyond the float32 range counts as infinite.
    assert int(ieee_to_ibm(np.array([1e50]))[0]) == 0x7FFFFFFF
    # Near 1.0 (leading hex digit 1) IBM keeps 21 bits: its unit is 2**-20.
    assert int(ieee_to_ibm(np.float32(1 + 2**-20))) == 0x41100001
    assert int(ieee_to_ibm(np.float32(1 + 2**-22))) == 0x41100000  # down
    assert int(ieee_to_ibm(np.float32(1 + 2**-21 + 2**-23))) == 0x41100001  # up
    assert int(ieee_to_ibm(np.float32(1 + 2**-21))) == 0x41100000  # tie -> even
    assert int(ieee_to_ibm(np.float32(1 + 3 * 2**-21))) == 0x41100002  # tie -> even
    assert int(ieee_to_ibm(np.float32(-(1 + 3 * 2**-21)))) == 0xC1100002
    # In [8, 16) IBM keeps all 24 bits: exact up to the largest float32 below 16.
    assert int(ieee_to_ibm(np.float32(16 - 2**-20))) == 0x41FFFFFF
    assert int(ieee_to_ibm(np.float32(8 + 2**-20))) == 0x41800001
    with pytest.raises(SeisfillError, match="NaN"):
        ieee_to_ibm(np.float32([1.0, np.nan]))
    with pytest.raises(TypeError):
        ibm_to_ieee(np.zeros(3, np.int32))


def test_ibm_fast_path_edges_exact_and_quiet():
    """Every exponent of the fast paths, their edges, in blocks of their own."""
    rng = np.random.default_rng(10)
    sign = rng.integers(0, 2, (128, 1000), dtype=np.uint32) << 31
    frac = rng.integers(0, 0x1000000, (128, 1000), dtype=np.uint32)
    frac[:, :10] = [0, 1, 0xFFFFFF, 0x100000, 0xFFFFF, 0x800000, 0x7FFFFF, 0xF00000, 0x10, 2]
    w = sign | (np.arange(128, dtype=np.uint32)[:, None] << 24) | frac
    for row in w:  # one call per exponent: the fast path sees it alone
        np.testing.assert_array_equal(bits(ibm_to_ieee(row)), bits(ibm_reference_decode(row)))
    x = w.view(np.float32)  # random bit patterns: every float32 exponent
    x = x[np.isfinite(x)]
    for row in np.array_split(x, 64):
        got = ieee_to_ibm(row)
        np.testing.assert_array_equal(got, formats._ieee_to_ibm_exact(row))  # general path
        v = ibm_exact(got)
        q = ((got >> 24) & 0x7F).astype(np.int64)
        assert (np.abs(v - row.astype(np.float64)) <= np.ldexp(1.0, 4 * q - 281)).all()


def test_ibm_overflow_and_underflow_decode():
    words = np.array([0x7FFFFFFF, 0xFFFFFFFF, 0x61100000, 0x00100000, 0x80100000, 0x41000000])
    got = ibm_to_ieee(words.astype(np.uint32))
    np.testing.assert_array_equal(got, np.float32([np.inf, -np.inf, np.inf, 0, 0, 0]))
    np.testing.assert_array_equal(np.signbit(got), [False, True, False, False, True, False])


def test_ibm_decode_matches_float64_reference_random_words():
    """1e6 uniformly random words: every exponent, unnormalised fractions too."""
    rng = np.random.default_rng(4)
    w = rng.integers(0, 2**32, 1_000_000, dtype=np.uint32)
    np.testing.assert_array_equal(bits(ibm_to_ieee(w)), bits(ibm_reference_decode(w)))
    # Same through decode_samples, both byte orders.
    for endian in ENDIANS:
        raw = w.astype(storage_dtype(1, endian)).view(np.uint8)
        np.testing.assert_array_equal(
            bits(decode_samples(raw, 1, endian)), bits(ibm_reference_decode(w))
        )


def test_ibm_decode_fast_path_with_rare_outliers():
    """Typical amplitudes with zeros, plus a few words needing the slow path."""
    rng = np.random.default_rng(5)
    x = (rng.standard_normal(300_000) * 1e3).astype(np.float32)
    x[rng.random(x.size) < 0.2] = 0
    w = ieee_to_ibm(x)
    w[rng.integers(0, w.size, 50)] = rng.integers(0, 2**32, 50, dtype=np.uint32)
    w[7] = 0x41000000  # a dirty zero
    w[100_000] = 0x7FFFFFFF
    np.testing.assert_array_equal(bits(ibm_to_ieee(w)), bits(ibm_reference_decode(w)))


def test_ibm_canonical_round_trip_is_bit_exact():
    rng = np.random.default_rng(6)
    w = random_canonical_words(rng, 1_200_000)
    assert w.size > 1_000_000
    w = np.concatenate([w, np.array([0, 0x80000000, 0x21100000, 0x60FFFFFF], np.uint32)])
    assert ibm_is_canonical(w).all()
    np.testing.assert_array_equal(ieee_to_ibm(ibm_to_ieee(w)), w)
    assert ibm_round_trips(w).all()


def test_ibm_canonical_and_round_trip_flags():
    words = np.array(
        [0x41100000, 0x410FFFFF, 0x41000000, 0x80000000, 0x00000000, 0x00100000, 0x7FFFFFFF],
        np.uint32,
    )
    np.testing.assert_array_equal(ibm_is_canonical(words), [1, 0, 0, 1, 1, 1, 1])
    # 0x410FFFFF is unnormalised, 0x41000000 a dirty zero, 0x00100000 tiny.
    np.testing.assert_array_equal(ibm_round_trips(words), [1, 0, 0, 1, 1, 0, 1])
    rng = np.random.default_rng(7)
    w = rng.integers(0, 2**32, 200_000, dtype=np.uint32)
    trips = ibm_round_trips(w)
    v = np.abs(ibm_exact(w))
    in_range = (v >= F32_NORMAL_MIN) & (v < F32_OVERFLOW)
    canonical = ibm_is_canonical(w)
    assert not (trips & ~canonical).any()
    np.testing.assert_array_equal(trips[in_range], canonical[in_range])


def test_ibm_encode_is_nearest_random_floats():
    rng = np.random.default_rng(8)
    b = rng.integers(0, 2**32, 1_000_000, dtype=np.uint32)
    b = b[(b & 0x7F800000) != 0x7F800000]  # all finite float32: subnormals too
    x = b.view(np.float32)
    w = ieee_to_ibm(x)
    assert ibm_is_canonical(w).all()
    np.testing.assert_array_equal(w >> 31, b >> 31)
    # |IBM value - x| <= half a unit in the last place, ties to an even fraction.
    v = ibm_exact(w)
    q = ((w >> 24) & 0x7F).astype(np.int64)
    half_ulp = np.ldexp(1.0, 4 * q - 281)
    err = np.abs(v - x.astype(np.float64))
    assert (err <= half_ulp).all()
    assert ((w[err == half_ulp] & 1) == 0).all()
    # Decoding gives back the nearest IBM value exactly (it is a float32).
    np.testing.assert_array_equal(ibm_to_ieee(w).astype(np.float64), v)
    # Exact rational reference on a sample.
    idx = rng.choice(x.size, 3000, replace=False)
    ref = [nearest_ibm_reference(float(x[i])) for i in idx]
    np.testing.assert_array_equal(w[idx], np.array(ref, np.uint32))


def test_ibm_decode_matches_segyio_bit_exact():
    """segyio's C conversion agrees bit for bit on canonical in-range words.

    (segyio 1.9 does not handle unnormalised fractions, turns overflows into
    NaN and flushes tiny values, including -0.0, to +0.0.)
    """
    rng = np.random.default_rng(9)
    w = rng.integers(0, 2**32, 1_000_000, dtype=np.uint32)
    w = np.concatenate([w, random_canonical_words(rng, 500_000)])
    v = np.abs(ibm_exact(w))
    keep = ibm_is_canonical(w) & (v >= F32_NORMAL_MIN) & (v < F32_OVERFLOW)
    keep |= w == 0
    w = w[keep]
    assert w.size > 500_000
    raw = w.astype(">u4")
    theirs = segyio.tools.native(
        raw.view(np.uint32), format=segyio.SegySampleFormat.IBM_FLOAT_4_BYTE
    )
    np.testing.assert_array_equal(bits(ibm_to_ieee(w)), bits(theirs))
    np.testing.assert_array_equal(bits(decode_samples(raw.view(np.uint8), 1, "big")), bits(theirs))


def test_module_does_not_import_torch():
    code = "import sys, seisfill.io.formats; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
