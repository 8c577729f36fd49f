package plainfile

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
)

func TestRead(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ok := filepath.Join(dir, "ok.toml")
	if err := os.WriteFile(ok, []byte("title = 'x'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, 2048), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.toml")
	if err := os.Symlink(ok, link); err != nil {
		t.Fatal(err)
	}

	if data, err := Read(ok, 1024); err != nil || string(data) != "title = 'x'\n" {
		t.Errorf("Read(ok) = %q, %v", data, err)
	}
	// A link the user named is followed.
	if _, err := Read(link, 1024); err != nil {
		t.Errorf("Read(link) = %v", err)
	}
	var tl *TooLargeError
	if _, err := Read(big, 1024); !errors.As(err, &tl) {
		t.Errorf("Read(big) = %v, want TooLargeError", err)
	}
	if _, err := Read(dir, 1024); !errors.Is(err, ErrNotRegular) {
		t.Errorf("Read(dir) = %v, want ErrNotRegular", err)
	}
	if runtime.GOOS != "windows" {
		// A device that never ends: refused before any read.
		if _, err := Read("/dev/zero", 1024); !errors.Is(err, ErrNotRegular) {
			t.Errorf("Read(/dev/zero) = %v, want ErrNotRegular", err)
		}
	}
}

func TestReadFIFODoesNotBlock(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("no FIFOs")
	}
	fifo := filepath.Join(t.TempDir(), ".leakhoundignore")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("mkfifo:", err)
	}
	// With no writer, a blocking open would never return: the test would
	// time out rather than fail.
	if _, err := Read(fifo, 1024); !errors.Is(err, ErrNotRegular) {
		t.Errorf("Read(fifo) = %v, want ErrNotRegular", err)
	}
	if _, err := ReadFS(Dir(filepath.Dir(fifo)), ".leakhoundignore", 1024); !errors.Is(err, ErrNotRegular) {
		t.Errorf("ReadFS(fifo) = %v, want ErrNotRegular", err)
	}
}

func TestDirRefusesLinks(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.toml")
	if err := os.WriteFile(secret, []byte("outside"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "sub", "in.toml"), []byte("inside"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(root, "link.toml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "linkdir")); err != nil {
		t.Fatal(err)
	}
	fsys := Dir(root)
	if data, err := ReadFS(fsys, "sub/in.toml", 100); err != nil || string(data) != "inside" {
		t.Errorf("sub/in.toml = %q, %v", data, err)
	}
	for _, name := range []string{"link.toml", "linkdir/secret.toml", "../x", "/etc/passwd", "missing.toml"} {
		if data, err := ReadFS(fsys, name, 100); err == nil {
			t.Errorf("%s read through: %q", name, data)
		}
	}
	if _, err := ReadFS(fsys, "missing.toml", 100); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing.toml: %v, want ErrNotExist", err)
	}
}
