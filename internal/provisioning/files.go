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
	"strconv"
	"strings"
)

// File is one file of a delivery: a name (never a full path: it appears in
// reports) and a way to open it as a stream.
type File struct {
	Name string
	Open func() (io.ReadCloser, error)
}

// ZipLimits bound what an archive may expand to, so that a small crafted
// zip (a "zip bomb") can neither fill the memory nor keep an import busy.
// Sizes are those declared by the archive, which archive/zip enforces
// while reading (an entry longer than declared fails); an entry is also
// refused when it would expand more than Ratio times its compressed size
// (entries under a mebibyte excepted: small files compress as they like).
type ZipLimits struct {
	Entries int    // entries (files) in the archive
	Entry   uint64 // bytes of one entry once decompressed
	Total   uint64 // bytes of all entries once decompressed
	Ratio   uint64 // decompressed size over compressed size, for one entry
}

// ratioFloor is the size under which an entry's ratio is not checked.
const ratioFloor = 1 << 20

var (
	// CommandLineZip bounds an archive given to "cartable import": an
	// academy's delivery (hundreds of megabytes of XML) read from the
	// operator's disk. Real feeds compress about 20 to 30 times.
	CommandLineZip = ZipLimits{Entries: 10000, Entry: 8 << 30, Total: 8 << 30, Ratio: 200}
	// UploadZip bounds a delivery uploaded in the web interface: the
	// establishment-sized deliveries a head or an operator sends there (an
	// academy goes through the command line). 128 MiB of XML is about
	// 100,000 people of the AAF.
	UploadZip = ZipLimits{Entries: 1000, Entry: 128 << 20, Total: 128 << 20, Ratio: 100}
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
// flattened: a delivery is a flat set of names), within the command line's
// limits.
func FilesFromZip(r io.ReaderAt, size int64) ([]File, error) {
	return FilesFromZipWithin(r, size, CommandLineZip)
}

// FilesFromZipWithin lists the files of a zip archive within lim; an
// archive beyond them is refused before anything is decompressed, with a
// ReadError naming the entry.
func FilesFromZipWithin(r io.ReaderAt, size int64, lim ZipLimits) ([]File, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fail(Pos{}, "zip-unreadable", err.Error())
	}
	if len(zr.File) > lim.Entries {
		return nil, fail(Pos{}, "zip-entries", strconv.Itoa(len(zr.File)), strconv.Itoa(lim.Entries))
	}
	var total uint64
	var out []File
	for _, zf := range zr.File {
		if zf.FileInfo().IsDir() {
			continue
		}
		name := path.Base(zf.Name)
		n := zf.UncompressedSize64
		if n > ratioFloor && (zf.CompressedSize64 == 0 || n/zf.CompressedSize64 > lim.Ratio) {
			ratio := "∞"
			if zf.CompressedSize64 > 0 {
				ratio = strconv.FormatUint(n/zf.CompressedSize64, 10)
			}
			return nil, fail(Pos{File: name}, "zip-ratio", ratio, strconv.FormatUint(lim.Ratio, 10))
		}
		if n > lim.Entry {
			return nil, fail(Pos{File: name}, "zip-entry-size", mib(lim.Entry))
		}
		if total += n; total > lim.Total {
			return nil, fail(Pos{File: name}, "zip-total-size", mib(lim.Total))
		}
		zf := zf
		out = append(out, File{Name: name, Open: func() (io.ReadCloser, error) {
			rc, err := zf.Open()
			if err != nil {
				return nil, err
			}
			// archive/zip fails an entry longer than declared, or whose
			// checksum differs; the limit is kept here as well.
			return struct {
				io.Reader
				io.Closer
			}{&entryReader{r: io.LimitReader(rc, int64(zf.UncompressedSize64)+1), left: int64(zf.UncompressedSize64)}, rc}, nil
		}})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// mib writes a size in mebibytes.
func mib(n uint64) string { return strconv.FormatUint(n>>20, 10) }

// entryReader reads one entry of an archive: more bytes than declared, or
// a damaged entry, is a damagedEntry.
type entryReader struct {
	r    io.Reader
	left int64
}

func (e *entryReader) Read(b []byte) (int, error) {
	n, err := e.r.Read(b)
	e.left -= int64(n)
	if e.left < 0 {
		return n, damagedEntry{"longer than declared"}
	}
	if err != nil && err != io.EOF {
		return n, damagedEntry{err.Error()}
	}
	return n, err
}

// damagedEntry is an entry of an archive that cannot be read to its end.
type damagedEntry struct{ reason string }

func (e damagedEntry) Error() string { return "damaged archive entry: " + e.reason }

// FilesFromBytes lists the files of a zip held in memory: an upload of the
// web interface, within UploadZip.
func FilesFromBytes(b []byte) ([]File, error) {
	return FilesFromZipWithin(bytes.NewReader(b), int64(len(b)), UploadZip)
}

// Zip packs files into one archive (the web keeps an upload this way).
// They are stored as they are, not compressed: their size is the one
// that was sent, and the archive's limits then judge them as sent.
func Zip(w io.Writer, files []File) error {
	zw := zip.NewWriter(w)
	for _, f := range files {
		dst, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Store})
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
