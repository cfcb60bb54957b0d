package provisioning

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// File is one file of a delivery: a name (never a full path: it appears in
// reports) and a way to open it as a stream.
type File struct {
	Name string
	Open func() (io.ReadCloser, error)
}

// Limits on an archive, so that a crafted zip cannot keep an import busy
// forever: entries and the total size once decompressed.
const (
	maxZipEntries   = 10000
	maxZipTotalSize = 8 << 30
)

// FilesFromPaths expands the paths given on a command line: a folder gives
// its files (not its subfolders), a .zip its entries, any other path itself.
func FilesFromPaths(paths []string) ([]File, error) {
	var out []File
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %s", p, pathErr(err))
		}
		switch {
		case st.IsDir():
			entries, err := os.ReadDir(p)
			if err != nil {
				return nil, fmt.Errorf("%s: %s", p, pathErr(err))
			}
			for _, e := range entries {
				if e.Type().IsRegular() {
					out = append(out, osFile(filepath.Join(p, e.Name())))
				}
			}
		case strings.EqualFold(filepath.Ext(p), ".zip"):
			f, err := os.Open(p)
			if err != nil {
				return nil, fmt.Errorf("%s: %s", p, pathErr(err))
			}
			// The file stays open for the life of the process: an import
			// is one command.
			zf, err := FilesFromZip(f, st.Size())
			if err != nil {
				f.Close()
				return nil, fmt.Errorf("%s: %v", filepath.Base(p), err)
			}
			out = append(out, zf...)
		default:
			out = append(out, osFile(p))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func osFile(p string) File {
	return File{Name: filepath.Base(p), Open: func() (io.ReadCloser, error) { return os.Open(p) }}
}

func pathErr(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// FilesFromZip lists the files of a zip archive (folders inside are
// flattened: a delivery is a flat set of names).
func FilesFromZip(r io.ReaderAt, size int64) ([]File, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("not a readable zip archive: %v", err)
	}
	if len(zr.File) > maxZipEntries {
		return nil, fmt.Errorf("the archive holds %d entries; at most %d are accepted", len(zr.File), maxZipEntries)
	}
	var total uint64
	var out []File
	for _, zf := range zr.File {
		if zf.FileInfo().IsDir() {
			continue
		}
		total += zf.UncompressedSize64
		if total > maxZipTotalSize {
			return nil, fmt.Errorf("the archive is larger than %d GiB once decompressed", maxZipTotalSize>>30)
		}
		zf := zf
		out = append(out, File{Name: path.Base(zf.Name), Open: func() (io.ReadCloser, error) {
			rc, err := zf.Open()
			if err != nil {
				return nil, err
			}
			// The declared size is checked again while reading.
			return struct {
				io.Reader
				io.Closer
			}{io.LimitReader(rc, int64(zf.UncompressedSize64)+1), rc}, nil
		}})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// FilesFromBytes lists the files of a zip held in memory.
func FilesFromBytes(b []byte) ([]File, error) {
	return FilesFromZip(bytes.NewReader(b), int64(len(b)))
}

// Zip packs files into one archive (the web keeps an upload this way).
func Zip(w io.Writer, files []File) error {
	zw := zip.NewWriter(w)
	for _, f := range files {
		dst, err := zw.Create(f.Name)
		if err != nil {
			return err
		}
		src, err := f.Open()
		if err != nil {
			return err
		}
		_, err = io.Copy(dst, src)
		src.Close()
		if err != nil {
			return err
		}
	}
	return zw.Close()
}
