package page

import (
	"bytes"
	"errors"
	"io"
	"mime/multipart"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"cartable/internal/files"
)

// TestUploadsUnreadableFails: a file received but gone from the disk before
// it is read fails the form's read instead of going missing silently.
func TestUploadsUnreadableFails(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // where the multipart reader keeps large parts
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("attachments", "a.pdf")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(bytes.Repeat([]byte("x"), 4096))
	mw.Close()
	r := httptest.NewRequest("POST", "/", &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	if err := r.ParseMultipartForm(1024); err != nil { // small: the file goes to disk
		t.Fatal(err)
	}
	defer r.MultipartForm.RemoveAll()
	ups, done := Uploads(r, "attachments")
	if len(ups) != 1 || ups[0].Name != "a.pdf" {
		t.Fatalf("uploads %+v", ups)
	}
	if b, err := io.ReadAll(ups[0].Body); err != nil || len(b) != 4096 {
		t.Fatalf("the file: %d bytes, %v", len(b), err)
	}
	done()

	// Its temporary copy disappears before the form is read (a cleaned
	// disk): the file stays in the list, and reading it fails.
	left, _ := os.ReadDir(tmp)
	if len(left) == 0 {
		t.Fatal("the part is not on disk")
	}
	for _, e := range left {
		os.Remove(filepath.Join(tmp, e.Name()))
	}
	ups, done = Uploads(r, "attachments")
	defer done()
	if len(ups) != 1 || ups[0].Name != "a.pdf" {
		t.Fatalf("uploads %+v: the unreadable file must stay in the list", ups)
	}
	if _, err := io.ReadAll(ups[0].Body); !errors.Is(err, files.ErrUnreadable) {
		t.Fatalf("the unreadable file reads with %v, want files.ErrUnreadable", err)
	}
}
