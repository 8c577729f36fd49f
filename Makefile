# leakhound — build, test, benchmark.
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/leakhound/leakhound/cmd.Version=$(VERSION)

.PHONY: build test lint bench bench-go demo accuracy

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o leakhound .

# The test command CI runs (.ci/run) and README.md documents. Tests that
# run a thousand regexes in one goroutine (rule examples, accuracy, the
# check that the engine's requirements and leads change no finding, the
# random-match checks of those) gain nothing from -race and run sixty
# times slower under it: they are built !race and run in the second step.
test:
	$(GO) vet ./...
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) test -race -count=1 ./...
	$(GO) test -count=1 ./benchmarks/accuracy/ ./rules/ ./detectors/ ./detectors/regex/

# Recall and precision per rule on a generated tree (issue: accuracy benchmark).
accuracy:
	$(GO) test -count=1 -run TestAccuracy -v ./benchmarks/accuracy/

lint:
	$(GO) vet ./...
	@test -z "$$(gofmt -l .)" || (gofmt -l . && exit 1)

# Go benchmarks (engine and reading over the Go toolchain's own source tree).
bench-go:
	$(GO) test -run '^$$' -bench . -benchtime 3x ./benchmarks/

# Whole-tool benchmarks against the scanners users would otherwise pick: a
# directory (the Go toolchain's source tree), then a git history (go-git's,
# cloned; BENCH_GIT_REPO names another, a path or URL) with the --staged
# start-up. benchmarks/image_bench.sh measures container images.
bench: build
	./benchmarks/dir_bench.sh
	./benchmarks/git_bench.sh $(BENCH_GIT_REPO)

demo: build
	./leakhound dir testdata/demo
