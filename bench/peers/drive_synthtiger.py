"""SynthTIGER driver (run with bench/peers/.venv-synthtiger): the template in synthtiger_words.py
through SynthTIGER's generator, as its CLI (``synthtiger -o OUT -c N -w W -s SEED
synthtiger_words.py WordImages``) does; workers = its worker processes (0 = in this process)."""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from _job import read_job, report  # noqa: E402

import time  # noqa: E402

import synthtiger  # noqa: E402


def main():
    job = read_job()
    config = {"words": job["words"], "font": job["font"], "size": job["size"], "pad": job["pad"]}
    script = os.path.join(here, "synthtiger_words.py")
    n = len(job["word_list"])
    synthtiger.set_global_random_seed(job["seed"])
    template = synthtiger.read_template(script, "WordImages", config)
    workers = job["workers"] if job["workers"] > 1 else 0
    gen = synthtiger.generator(script, "WordImages", config=config, count=n, worker=workers, seed=job["seed"],
                               retry=True, verbose=True)
    template.init_save(job["out"])
    t_setup = time.perf_counter()
    for _, (task_idx, data) in enumerate(gen):
        template.save(job["out"], data, task_idx)
    template.end_save(job["out"])
    report(n, t_setup, time.perf_counter(), f"synthtiger {synthtiger.__version__}")


if __name__ == "__main__":
    main()
