# Thin wrapper over scripts/ for people who type make.
.PHONY: run test build bench clean dist
run:
	scripts/run
test:
	scripts/test
build:
	scripts/build
dist:
	scripts/release
bench:
	scripts/build bench_validate && build/bench_validate
	scripts/build bench_load && build/bench_load
	scripts/build bench_task_memory && build/bench_task_memory
	scripts/build bench_create_stall && build/bench_create_stall
	scripts/build bench_big_store && build/bench_big_store
clean:
	rm -rf build
