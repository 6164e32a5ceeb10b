"""symbolreel driver (run with symbolreel's .venv): one Text node per word on a white canvas sized
to the word's advance width, drawn and written by ``render_stills`` (see _job.py for the protocol)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _job import read_job, report  # noqa: E402

import time  # noqa: E402

import symbolreel as sr  # noqa: E402
from symbolreel.primitives.text.typeset import shape_run  # noqa: E402


def scenes(job):
    size, pad = job["size"], job["pad"]
    height = int(round(size * 1.5)) + 2 * pad
    for word in job["word_list"]:
        # the canvas follows the shaped width, as the peers size their images to the text
        width = int(round(float(shape_run(job["font"], word, size)[1].sum()))) + 2 * pad
        yield sr.Scene(canvas=sr.Canvas(width=max(width, 8), height=height, background="#FFFFFF"),
                       fonts={"word": job["font"]},
                       nodes=[sr.Text(text=word, font="word", size=size, fill="#000000",
                                      transform=sr.Transform(position=(width / 2, height / 2)))])


def main():
    job = read_job()
    os.makedirs(job["out"], exist_ok=True)
    t_setup = time.perf_counter()
    n = sr.render_stills(scenes(job), os.path.join(job["out"], "%06d.png"), workers=job["workers"],
                         compress_level=6)
    report(n, t_setup, time.perf_counter(), "symbolreel (this checkout)")


if __name__ == "__main__":
    main()
