# The two commands a newcomer needs:
#   make lab    install what is missing, then open the notebooks in JupyterLab
#   make test   install what is missing, then run every test (unit, notebooks, browser)
VENV := .venv
BIN := $(VENV)/bin
# JupyterLab refuses to run as root unless told (containers, CI machines)
LAB_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: setup lab test fast-notebooks book course lint clean

setup:
	@bash scripts/setup.sh

lab: setup
	$(BIN)/jupyter lab $(LAB_ROOT) notebooks/

test: setup
	$(BIN)/python -m pytest

fast-notebooks: setup
	RCOT_FAST=1 $(BIN)/rcot notebooks --fast --out build/notebooks

# The HTML book in build/book/: the notebooks executed headless (full mode, or fast
# mode with `make book FAST=1`), the method and results pages, offline math
book: setup
	$(BIN)/python -m rcot_lib.book $(if $(filter 1 yes true,$(FAST)),--fast,) --out build/book

# The course copies of the notebooks, from the single source: build/course/student/
# (the cells tagged "solution" removed by nbconvert) and build/course/instructor/
course: setup
	$(BIN)/rcot notebooks --course build/course

lint: setup
	$(BIN)/ruff check .

clean:
	rm -rf build .pytest_cache
