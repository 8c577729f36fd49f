package cmd

import (
	"os"
	"os/exec"
	"testing"
)

// runAsCLIEnv, when set, makes the test binary run the CLI instead of the
// tests: tests that need a real process (signals, exit codes of a child)
// run the test binary itself, so no separate `go build` is needed.
const runAsCLIEnv = "LEAKHOUND_TEST_RUN_CLI"

func TestMain(m *testing.M) {
	if os.Getenv(runAsCLIEnv) == "1" {
		os.Args = append([]string{"leakhound"}, os.Args[1:]...)
		os.Exit(Main())
	}
	os.Exit(m.Run())
}

// cliCommand returns a command that runs the CLI with args in a new
// process.
func cliCommand(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	c := exec.Command(exe, args...)
	c.Env = append(os.Environ(), runAsCLIEnv+"=1")
	return c
}
