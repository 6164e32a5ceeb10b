# symbolreel: `make demo` sets everything up and renders the bundled examples;
# `make test` sets everything up and runs the test suite.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: demo test bench bench-peers schema clean

$(STAMP): requirements.lock pyproject.toml
	bash scripts/check_system_libs.sh $(PY)
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(BIN)/python -c "import symbolreel.animators as a, symbolreel.primitives.road.camera as r; a.warm_up(); r.warm_up()"
	touch $(STAMP)

demo: $(STAMP)
	@mkdir -p out
	$(BIN)/render examples/text_card.yaml -o out/text_card.mp4 --annotations out/text_card.json
	$(BIN)/render examples/geometry.yaml -o out/geometry.mp4
	$(BIN)/render examples/road.yaml -o out/road.mp4 --annotations out/road.json
	$(BIN)/render examples/construction.yaml -o out/construction.mp4 --annotations out/construction.json
	$(BIN)/render examples/lanes_perspective.yaml -o out/lanes_perspective.mp4 --tusimple out/lanes_tusimple.json
	$(BIN)/render examples/road_signs.yaml -o out/road_signs.mp4 --annotations out/road_signs.json
	$(BIN)/render examples/image_card.yaml -o out/image_card.mp4 --annotations out/image_card.json
	$(BIN)/render examples/text_card.yaml --frame 0 -o out/text_card.png
	$(BIN)/render examples/construction.yaml --frame 75 -o out/construction.svg
	rm -rf out/tiny
	$(BIN)/symbolreel generate --preset tiny --count 60 --out out/tiny
	$(BIN)/symbolreel verify out/tiny
	@echo "demo outputs are in out/ (a 60-item dataset in out/tiny: shards, manifest, README card)"

$(TEST_STAMP): $(STAMP) requirements-test.lock
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-test.lock
	touch $(TEST_STAMP)

test: $(TEST_STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python bench/bench_render.py
	$(BIN)/python bench/bench_tracks.py
	$(BIN)/python bench/bench_road.py
	$(BIN)/python bench/bench_geometry.py
	$(BIN)/python bench/bench_text.py
	$(BIN)/python bench/bench_generate.py

schema: $(STAMP)
	$(BIN)/symbolreel schema -o docs/scene.schema.json

clean:
	rm -rf out build dist *.egg-info

# peers: SynthTIGER and TRDG in their own venvs under bench/peers/ (old numpy/Pillow pins)
bench-peers: $(STAMP)
	bash bench/peers/setup.sh || true
	$(BIN)/python bench/bench_peers.py
