"""TRDG driver (run with bench/peers/.venv-trdg): its FakeTextDataGenerator.generate for every
word, as its CLI does (plain white background, no skew, blur or distortion, PNG extension,
name format 2 = index); workers > 1: a multiprocessing Pool over generate_from_tuple, as the CLI's
``--thread_count``."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _job import read_job, report  # noqa: E402

import time  # noqa: E402
from importlib.metadata import version  # noqa: E402
from multiprocessing import Pool  # noqa: E402

from trdg.data_generator import FakeTextDataGenerator  # noqa: E402


def args(job):
    pad = job["pad"]
    height = int(round(job["size"] * 1.5)) + 2 * pad     # TRDG's size is the image height
    for i, word in enumerate(job["word_list"]):
        # index, text, font, out_dir, size, extension, skewing_angle, random_skew, blur, random_blur,
        # background_type (1 = plain white), distorsion_type, distorsion_orientation, is_handwritten,
        # name_format, width (-1 = fit), alignment, text_color, orientation, space_width,
        # character_spacing, margins, fit, output_mask, word_split, image_dir
        yield (i, word, job["font"], job["out"], height, "png", 0, False, 0, False, 1, 0, 0, False, 2, -1, 1,
               "#000000", 0, 1.0, 0, (pad, pad, pad, pad), False, 0, False, "")


def main():
    job = read_job()
    os.makedirs(job["out"], exist_ok=True)
    n = len(job["word_list"])
    t_setup = time.perf_counter()
    if job["workers"] > 1:
        with Pool(job["workers"]) as pool:
            for _ in pool.imap_unordered(FakeTextDataGenerator.generate_from_tuple, args(job), chunksize=16):
                pass
    else:
        for a in args(job):
            FakeTextDataGenerator.generate(*a)
    report(n, t_setup, time.perf_counter(), f"trdg {version('trdg')}")


if __name__ == "__main__":
    main()
