"""Real encode/decode tests for symbolreel.sinks (PNG via skia's decoder, video via ffmpeg)."""
from __future__ import annotations

import os
import struct
import zlib

import numpy as np
import pytest
import skia

from symbolreel import sinks
from symbolreel.sinks import (
    FrameSequenceWriter,
    Mp4Writer,
    PngWriter,
    SinkError,
    atomic_output,
    encode_png,
    open_sink,
    probe_video,
    read_video_frames,
    unpremultiply,
    write_png,
)

W, H, N = 64, 48, 24
BG = (30, 40, 50)
RED = (220, 40, 40)
GREEN = (40, 200, 60)


def square_positions(i):
    return (10, 4 + i), (30, 40 - i)  # (y, x) of the 16x16 red and 10x10 green squares


def moving_squares(n=N, alpha=255):
    frames = []
    for i in range(n):
        f = np.zeros((H, W, 4), np.uint8)
        f[..., :3] = BG
        f[..., 3] = alpha
        (ry, rx), (gy, gx) = square_positions(i)
        f[ry:ry + 16, rx:rx + 16, :3] = RED
        f[gy:gy + 10, gx:gx + 10, :3] = GREEN
        frames.append(f)
    return frames


def decode_png(data: bytes) -> np.ndarray:
    """Decode with skia's codec to straight-alpha RGBA (independent of our encoder)."""
    sk_data = skia.Data.MakeWithCopy(data)      # must stay alive while the codec decodes
    codec = skia.Codec.MakeFromData(sk_data)
    assert codec is not None, "skia could not parse the PNG"
    info = codec.getInfo().makeColorType(skia.kRGBA_8888_ColorType).makeAlphaType(skia.kUnpremul_AlphaType)
    out = np.zeros((info.height(), info.width(), 4), np.uint8)
    result = codec.getPixels(info, out, info.width() * 4)
    assert result == skia.Codec.Result.kSuccess, result
    return out


def png_chunks(data: bytes):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    i, kinds = 8, []
    while i < len(data):
        (n,) = struct.unpack(">I", data[i:i + 4])
        kind = data[i + 4:i + 8]
        (crc,) = struct.unpack(">I", data[i + 8 + n:i + 12 + n])
        assert crc == zlib.crc32(data[i + 4:i + 8 + n])
        kinds.append(kind)
        i += 12 + n
    return kinds


def random_premultiplied(shape=(37, 53), seed=0):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 256, (*shape, 4), dtype=np.uint8)
    a[..., :3] = np.minimum(a[..., :3], a[..., 3:4])   # valid premultiplied data
    a[0, :5, 3] = 0
    a[0, :5, :3] = 0
    a[1, :5, 3] = 255
    return a


def leftovers(directory):
    return sorted(p for p in os.listdir(directory) if ".partial-" in p)


# ---------------------------------------------------------------------------------------------- PNG


def test_unpremultiply_exact_for_opaque_and_transparent():
    a = random_premultiplied()
    u = unpremultiply(a)
    opaque = a[..., 3] == 255
    clear = a[..., 3] == 0
    assert (u[opaque] == a[opaque]).all()
    assert (u[clear] == 0).all()
    semi = ~opaque & ~clear
    # re-premultiplying gives back the input (to rounding)
    back = (u[semi][:, :3].astype(int) * a[semi][:, 3:4] + 127) // 255
    assert np.abs(back - a[semi][:, :3]).max() <= 1
    half = np.array([[[64, 32, 0, 128]]], np.uint8)
    assert unpremultiply(half).tolist() == [[[128, 64, 0, 128]]]


@pytest.mark.parametrize("filt", ["none", "sub", "up", "paeth"])
@pytest.mark.parametrize("level", [0, 1, 6, 9])
def test_png_round_trip_exact_semi_transparent(filt, level):
    a = random_premultiplied(seed=level)
    data = encode_png(a, level, filter=filt)
    assert png_chunks(data) == [b"IHDR", b"IDAT", b"IEND"]  # no metadata chunks
    assert (decode_png(data) == unpremultiply(a)).all()


def test_png_opaque_written_as_rgb_and_exact():
    a = random_premultiplied(seed=3)
    a[..., 3] = 255
    data = encode_png(a)
    assert data[25] == 2                                   # IHDR colour type: RGB
    out = decode_png(data)
    assert (out == a).all()
    rgb = encode_png(a[..., :3].copy())
    assert rgb == data


def test_png_straight_alpha_input_kept():
    a = random_premultiplied(seed=4)
    data = encode_png(a, premultiplied=False)
    assert (decode_png(data) == a).all()


def test_png_bytes_deterministic_and_level_honoured():
    frame = moving_squares(1)[0]
    rng = np.random.default_rng(1)
    frame[:, :, :3] ^= rng.integers(0, 4, (H, W, 3), dtype=np.uint8)   # a little texture
    first = encode_png(frame, 6)
    assert first == encode_png(frame.copy(), 6)
    data = {lvl: encode_png(frame, lvl) for lvl in (0, 1, 6, 9)}
    assert len(data[0]) >= H * (W * 3 + 1)                 # level 0 stores raw data
    assert all(2 * len(data[lvl]) < len(data[0]) for lvl in (1, 6, 9))
    assert len({data[lvl] for lvl in (1, 6, 9)}) > 1       # the level reaches the compressor
    assert all((decode_png(d) == decode_png(data[6])).all() for d in data.values())
    # on flat synthetic content (no texture) a higher level is never larger
    flat = moving_squares(1)[0]
    assert len(encode_png(flat, 9)) <= len(encode_png(flat, 1)) < len(encode_png(flat, 0))


def test_png_bad_arguments():
    f = moving_squares(1)[0]
    with pytest.raises(SinkError, match="compress_level"):
        encode_png(f, 10)
    with pytest.raises(SinkError, match="filter"):
        encode_png(f, filter="avg")
    with pytest.raises(SinkError, match=r"expected \(H, W, 3\) or \(H, W, 4\) uint8, got \(48, 64, 4\) float32"):
        encode_png(f.astype(np.float32))


@pytest.mark.parametrize("shape", [(1, 1), (1, 9), (7, 1), (5, 67), (48, 64), (256, 256)])
def test_opaque_frames_pack_to_the_same_scanlines_and_bytes_as_the_channel_copy(shape, monkeypatch):
    rng = np.random.default_rng(sum(shape))
    f = rng.integers(0, 256, (*shape, 4), dtype=np.uint8)
    f[..., 3] = 255
    expected = np.zeros((shape[0], 1 + 3 * shape[1]), np.uint8)
    expected[:, 1:] = f[..., :3].reshape(shape[0], -1)
    assert np.array_equal(sinks._rgb_scanlines(f), expected)
    fast = encode_png(f, 1)
    monkeypatch.setattr(sinks, "_PACKS_RGB", False)        # a NumPy that stored in another order
    assert encode_png(f, 1) == fast
    assert (decode_png(fast)[..., :3] == f[..., :3]).all()


def test_opaque_means_every_alpha_byte_is_255():
    f = np.full((4, 5, 4), 255, np.uint8)
    assert sinks._opaque(f)
    for alpha in (254, 0):
        g = f.copy()
        g[3, 4, 3] = alpha
        assert not sinks._opaque(g)
    g = np.zeros((4, 5, 4), np.uint8)
    g[..., 3] = 255                                         # black, opaque: the colour bytes do not matter
    assert sinks._opaque(g)
    assert encode_png(g)[25] == 2 and encode_png(f[..., :3].copy())[25] == 2   # IHDR colour type: RGB
    g[0, 0, 3] = 0
    assert encode_png(g)[25] == 6                           # not opaque: RGBA


def test_write_png_atomic(tmp_path):
    target = tmp_path / "sub" / "dir" / "out.png"
    a = random_premultiplied()
    write_png(target, a)
    assert (decode_png(target.read_bytes()) == unpremultiply(a)).all()
    assert leftovers(target.parent) == []



def test_write_png_interrupted_keeps_the_old_file_and_leaves_no_partial(tmp_path, monkeypatch):
    target = tmp_path / "a.png"
    write_png(target, random_premultiplied())
    old = target.read_bytes()
    names = []
    real_write = os.write

    def half_then_interrupt(fd, data):
        names.extend(p.name for p in tmp_path.iterdir() if p.name.startswith(".a.partial-"))
        real_write(fd, bytes(data)[:10])
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "write", half_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_png(target, random_premultiplied(seed=5))
    monkeypatch.undo()
    assert len(names) == 1 and names[0].endswith(".png")   # written under atomic_output's partial name
    assert target.read_bytes() == old
    assert leftovers(tmp_path) == []
    # a short write is continued, not truncated
    chunks = []
    monkeypatch.setattr(os, "write", lambda fd, data: chunks.append(len(data)) or real_write(fd, bytes(data)[:100]))
    a = random_premultiplied(seed=6)
    write_png(target, a)
    monkeypatch.undo()
    assert len(chunks) > 1 and (decode_png(target.read_bytes()) == unpremultiply(a)).all()

def test_atomic_output_removes_partial_on_error(tmp_path):
    target = tmp_path / "clip.mp4"
    seen = {}
    with pytest.raises(KeyboardInterrupt):
        with atomic_output(target) as tmp:
            seen["tmp"] = tmp
            assert tmp.parent == target.parent
            assert tmp.name.startswith(".clip.partial-") and tmp.suffix == ".mp4"
            tmp.write_bytes(b"half")
            raise KeyboardInterrupt
    assert not target.exists()
    assert not seen["tmp"].exists()
    assert leftovers(tmp_path) == []


def test_atomic_output_keeps_old_file_on_error(tmp_path):
    target = tmp_path / "a.png"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_output(target) as tmp:
            tmp.write_bytes(b"new")
            raise RuntimeError("boom")
    assert target.read_bytes() == b"old"
    with atomic_output(target) as tmp:
        tmp.write_bytes(b"new")
    assert target.read_bytes() == b"new"


# ---------------------------------------------------------------------------------------- sequences


@pytest.mark.parametrize("pattern", ["f.png", "f_%05d_%d.png", "f_%s.png", "f_%05d.jpg", "f_%x.png"])
def test_sequence_pattern_validation(tmp_path, pattern):
    with pytest.raises(SinkError):
        FrameSequenceWriter(str(tmp_path / pattern))


def test_sequence_writes_each_frame(tmp_path):
    frames = moving_squares(3)
    with FrameSequenceWriter(str(tmp_path / "frames" / "100%%_%04d.png"), compress_level=1) as seq:
        seq.write(frames[0], 7)
        seq.write(frames[1])
        seq.write(frames[2], 2)
    names = sorted(os.listdir(tmp_path / "frames"))
    assert names == ["100%_0002.png", "100%_0007.png", "100%_0008.png", "100%_manifest.json"]
    out = decode_png((tmp_path / "frames" / "100%_0008.png").read_bytes())
    assert (out == frames[1]).all()


def test_single_png_sink_takes_one_frame(tmp_path):
    frames = moving_squares(2)
    sink = open_sink(tmp_path / "still.png", W, H, 24)
    assert isinstance(sink, PngWriter)
    with sink:
        sink.write(frames[0], 0)
        with pytest.raises(SinkError, match="one frame"):
            sink.write(frames[1], 1)
    assert (decode_png((tmp_path / "still.png").read_bytes()) == frames[0]).all()


def test_open_sink_dispatch_and_unknown_extension(tmp_path):
    assert isinstance(open_sink(str(tmp_path / "s_%03d.png"), W, H, 24), FrameSequenceWriter)
    with pytest.raises(SinkError, match=r"supported: .*\.png.*\.mp4"):
        open_sink(tmp_path / "x.bmp", W, H, 24)
    with open_sink(tmp_path / "v.mp4", W, H, 24, crf=30) as sink:
        assert isinstance(sink, Mp4Writer)
        for i, f in enumerate(moving_squares(3)):
            sink.write(f, i)
    assert probe_video(tmp_path / "v.mp4")["n_frames"] == 3


# -------------------------------------------------------------------------------------------- video


def encode_clip(path, frames, **kw):
    with Mp4Writer(path, W, H, 24, **kw) as mp4:
        for i, f in enumerate(frames):
            mp4.write(f, i)
    return path


def test_mp4_encode_probe_decode(tmp_path):
    frames = moving_squares()
    path = encode_clip(tmp_path / "clip.mp4", frames, crf=18)
    assert leftovers(tmp_path) == []
    info = probe_video(path)
    assert info["width"] == W and info["height"] == H
    assert info["n_frames"] == N
    assert info["fps"] == pytest.approx(24.0)
    assert info["codec"] == "h264" and info["pix_fmt"] == "yuv420p"
    decoded = list(read_video_frames(path))
    assert len(decoded) == N
    for i, (got, want) in enumerate(zip(decoded, frames)):
        assert got.shape == (H, W, 3) and got.dtype == np.uint8
        err = np.abs(got.astype(int) - want[..., :3].astype(int)).mean()
        assert err < 3, f"frame {i}: mean abs error {err:.2f}"
        (ry, rx), (gy, gx) = square_positions(i)
        red = got[ry + 3:ry + 13, rx + 3:rx + 13].reshape(-1, 3).mean(0)
        green = got[gy + 2:gy + 8, gx + 2:gx + 8].reshape(-1, 3).mean(0)
        assert np.abs(red - RED).max() < 12, (i, red)
        assert np.abs(green - GREEN).max() < 12, (i, green)
        # the square is where it should be: red centre found at the right column
        redness = got[..., 0].astype(int) - got[..., 1].astype(int)
        cols = np.nonzero((redness > 100).any(0))[0]
        assert abs(cols.min() - rx) <= 1 and abs(cols.max() - (rx + 15)) <= 1, (i, cols)


def test_mp4_bit_exact_and_no_version_strings(tmp_path):
    frames = moving_squares()
    a = encode_clip(tmp_path / "a.mp4", frames, threads=1).read_bytes()
    b = encode_clip(tmp_path / "b.mp4", frames, threads=1).read_bytes()
    assert a == b
    assert b"core 1" not in a and b"Copyleft" not in a       # x264 version SEI removed
    assert b"Lavf" not in a


def test_mp4_lossless_rgb(tmp_path):
    frames = moving_squares(5)
    rng = np.random.default_rng(2)
    for f in frames:
        f[..., :3] ^= rng.integers(0, 8, (H, W, 3), dtype=np.uint8)
    path = encode_clip(tmp_path / "lossless.mp4", frames, codec="libx264rgb", crf=0, preset="ultrafast")
    decoded = list(read_video_frames(path))
    assert len(decoded) == 5
    for got, want in zip(decoded, frames):
        assert (got == want[..., :3]).all()


def test_mp4_accepts_rgb_and_drops_alpha(tmp_path):
    frames = moving_squares(4)
    with Mp4Writer(tmp_path / "rgb.mp4", W, H, 12, codec="libx264rgb", crf=0) as mp4:
        mp4.write(frames[0][..., :3].copy())
        half = frames[1].copy()
        half[..., 3] = 128
        half[..., :3] //= 2                                   # premultiplied half-transparent
        mp4.write(half)
    got = list(read_video_frames(tmp_path / "rgb.mp4"))
    assert (got[0] == frames[0][..., :3]).all()
    assert (got[1] == half[..., :3]).all()                    # composited over black
    assert probe_video(tmp_path / "rgb.mp4")["fps"] == pytest.approx(12.0)


def test_mp4_error_mid_write_leaves_nothing(tmp_path):
    target = tmp_path / "broken.mp4"
    with pytest.raises(RuntimeError, match="renderer failed"):
        with Mp4Writer(target, W, H, 24) as mp4:
            for i, f in enumerate(moving_squares(10)):
                if i == 6:
                    raise RuntimeError("renderer failed")
                mp4.write(f)
    assert not target.exists()
    assert os.listdir(tmp_path) == []


def test_mp4_bad_frame_message_and_cleanup(tmp_path):
    target = tmp_path / "bad.mp4"
    with pytest.raises(SinkError, match=r"frame 2: expected \(48, 64, 3\) or \(48, 64, 4\) uint8, got \(48, 63, 4\) uint8"):
        with Mp4Writer(target, W, H, 24) as mp4:
            frames = moving_squares(2)
            for f in frames:
                mp4.write(f)
            mp4.write(np.zeros((H, W - 1, 4), np.uint8))
    assert os.listdir(tmp_path) == []
    with pytest.raises(SinkError, match="float64"):
        with Mp4Writer(target, W, H, 24) as mp4:
            mp4.write(np.zeros((H, W, 4)))
    assert os.listdir(tmp_path) == []


def test_mp4_odd_size(tmp_path):
    with pytest.raises(SinkError, match="yuv420p needs even dimensions.*yuv444p"):
        Mp4Writer(tmp_path / "odd.mp4", 63, 48, 24)
    assert os.listdir(tmp_path) == []
    frame = np.zeros((47, 63, 4), np.uint8)
    frame[..., 3] = 255
    frame[10:20, 10:20, :3] = 200
    with Mp4Writer(tmp_path / "odd.mp4", 63, 47, 24, pix_fmt="yuv444p") as mp4:
        mp4.write(frame)
        mp4.write(frame)
    info = probe_video(tmp_path / "odd.mp4")
    assert (info["width"], info["height"], info["n_frames"]) == (63, 47, 2)  # no silent resize


def test_mp4_streams_without_buffering(tmp_path):
    # 300 frames written one at a time: the writer holds no frame list
    frame = moving_squares(1)[0]
    with Mp4Writer(tmp_path / "long.mp4", W, H, 30, preset="ultrafast") as mp4:
        for _ in range(300):
            mp4.write(frame)
        assert not any(isinstance(v, list) for v in vars(mp4).values())
    assert probe_video(tmp_path / "long.mp4")["n_frames"] == 300


def test_mp4_yuv_conversion_is_bt601_limited_range(tmp_path):
    """The writer lets ffmpeg convert RGBA -> YUV itself; the result must equal an explicit
    BT.601 / limited-range conversion (the matrix the writer promises and tags)."""
    import subprocess

    import imageio_ffmpeg

    frames = moving_squares(6)
    rng = np.random.default_rng(4)
    for f in frames:
        f[..., :3] = rng.integers(0, 256, (H, W, 3), dtype=np.uint8)   # every colour, not just flat ones
        f[..., 3] = 255
    ours = encode_clip(tmp_path / "ours.mp4", frames, crf=0, preset="ultrafast", threads=1)
    ref = tmp_path / "ref.mp4"
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-v", "error", "-f", "rawvideo", "-pix_fmt", "rgba",
           "-s", f"{W}x{H}", "-r", "24", "-i", "-", "-vf", "scale=out_color_matrix=bt601:out_range=tv",
           "-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "0", "-preset", "ultrafast", "-threads", "1", str(ref)]
    subprocess.run(cmd, input=b"".join(f.tobytes() for f in frames), check=True)
    a = list(read_video_frames(ours))
    b = list(read_video_frames(ref))
    assert len(a) == len(b) == 6
    assert all((x == y).all() for x, y in zip(a, b))
