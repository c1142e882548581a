# Thin wrapper over scripts/ for people who type make.
.PHONY: run test build clean
run:
	scripts/run
test:
	scripts/test
build:
	scripts/build
clean:
	rm -rf build
