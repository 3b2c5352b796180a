package enginetest

import (
	"archive/tar"
	"debug/elf"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// applets are the busybox commands the root filesystem links to.
var applets = []string{"sh", "sleep", "cat", "ls", "ps", "readlink", "true"}

// Busybox returns a fresh root filesystem holding the host's static
// busybox (package busybox-static) and links to a few of its applets, in a
// directory the test removes when it ends.
func Busybox(t testing.TB) string {
	t.Helper()
	busybox, err := exec.LookPath("busybox")
	if err != nil {
		Require(t, "busybox is not installed (package busybox-static)")
	}
	if err := checkStatic(busybox); err != nil {
		Require(t, err.Error())
	}
	rootfs := filepath.Join(t.TempDir(), "rootfs")
	for _, dir := range []string{"bin", "dev", "etc", "proc", "sys", "tmp"} {
		if err := os.MkdirAll(filepath.Join(rootfs, dir), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := copyFile(busybox, filepath.Join(rootfs, "bin", "busybox")); err != nil {
		t.Fatal(err)
	}
	for _, applet := range applets {
		if err := os.Symlink("busybox", filepath.Join(rootfs, "bin", applet)); err != nil {
			t.Fatal(err)
		}
	}
	return rootfs
}

// checkStatic says why path is no static executable: a dynamic busybox
// cannot run in a root filesystem without its libraries.
func checkStatic(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("busybox %s: %w", path, err)
	}
	defer f.Close()
	for _, prog := range f.Progs {
		if prog.Type == elf.PT_INTERP {
			return fmt.Errorf("busybox %s is dynamically linked; install busybox-static", path)
		}
	}
	return nil
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return fmt.Errorf("copy %s to %s: %w", from, to, err)
	}
	return dst.Close()
}

// BusyboxTar returns a tar archive of a Busybox root filesystem, the input
// of `docker import` and `podman import`.
func BusyboxTar(t testing.TB) string {
	t.Helper()
	rootfs := Busybox(t)
	archive := filepath.Join(t.TempDir(), "rootfs.tar")
	if err := writeTar(rootfs, archive); err != nil {
		t.Fatal(err)
	}
	return archive
}

// writeTar packs the tree under dir into the tar file archive, with names
// relative to dir.
func writeTar(dir, archive string) error {
	f, err := os.Create(archive)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(f)
	walkErr := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == dir {
			return err
		}
		return addToTar(tw, dir, path)
	})
	if err := tw.Close(); walkErr == nil {
		walkErr = err
	}
	if err := f.Close(); walkErr == nil {
		walkErr = err
	}
	if walkErr != nil {
		return fmt.Errorf("tar %s into %s: %w", dir, archive, walkErr)
	}
	return nil
}

// addToTar writes one file, directory or symlink of the tree under dir.
func addToTar(tw *tar.Writer, dir, path string) error {
	info, err := os.Lstat(path)
	if err != nil {
		return err
	}
	link := ""
	if info.Mode()&fs.ModeSymlink != 0 {
		if link, err = os.Readlink(path); err != nil {
			return err
		}
	}
	hdr, err := tar.FileInfoHeader(info, link)
	if err != nil {
		return err
	}
	if hdr.Name, err = filepath.Rel(dir, path); err != nil {
		return err
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return nil
	}
	src, err := os.Open(path)
	if err != nil {
		return err
	}
	defer src.Close()
	_, err = io.Copy(tw, src)
	return err
}
