"""A minimal SynthTIGER template (its documented Template API): a word from the job's word file
(SynthTIGER's BaseCorpus, uniform), the job's font at one size (BaseFont), black text on a white
RectLayer with a padding, saved as PNG with Pillow. No effects, so it is the same task as the
other drivers'. Config keys: words, font, size, pad."""
import os

import numpy as np
from PIL import Image
from synthtiger import components, layers, templates


class WordImages(templates.Template):
    def __init__(self, config=None):
        super().__init__(config)
        config = config or {}
        self.pad = int(config.get("pad", 8))
        size = int(config.get("size", 32))
        self.corpus = components.BaseCorpus(paths=[config["words"]], weights=[1])
        self.font = components.BaseFont(paths=[config["font"]], weights=[1], size=(size, size))
        self.labels = []

    def generate(self):
        label = self.corpus.data(self.corpus.sample())
        font = self.font.sample()            # no text given: no per-font charset file needed
        text = layers.TextLayer(label, color=(0, 0, 0, 255), **font)
        bg = layers.RectLayer((text.width + 2 * self.pad, text.height + 2 * self.pad), (255, 255, 255, 255))
        bg.center = text.center
        image = (text + bg).output()
        return {"image": image, "label": label}

    def init_save(self, root):
        os.makedirs(root, exist_ok=True)

    def save(self, root, data, idx):
        image = Image.fromarray(data["image"][..., :3].clip(0, 255).astype(np.uint8))
        image.save(os.path.join(root, f"{idx:06d}.png"), compress_level=6)
        self.labels.append(f"{idx:06d}.png\t{data['label']}")

    def end_save(self, root):
        with open(os.path.join(root, "labels.txt"), "w", encoding="utf-8") as fh:
            fh.write("\n".join(self.labels) + "\n")
