package files

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config says where an S3-compatible bucket is (MinIO, Garage, Scaleway,
// OVH, AWS…). It is written as a URL:
//
//	s3://BUCKET/PREFIX?endpoint=HOST:PORT&region=REGION&tls=true&path-style=true
//
// The credentials never appear in it: they come from the environment.
type S3Config struct {
	Bucket    string
	Prefix    string // "" or ends with "/": objects are PREFIX + "establishment/file"
	Endpoint  string // host or host:port; default s3.amazonaws.com
	Region    string // "" lets the client ask the bucket
	TLS       bool   // default true
	PathStyle string // "" (auto), "true" (host/bucket/key) or "false" (bucket.host/key)
	AccessKey string
	SecretKey string
}

// String describes the bucket without the credentials, for logs.
func (c S3Config) String() string {
	scheme := "https"
	if !c.TLS {
		scheme = "http"
	}
	return fmt.Sprintf("s3://%s/%s (%s://%s)", c.Bucket, c.Prefix, scheme, c.Endpoint)
}

// Bucket names as S3 accepts them (the rules of AWS, which the others follow).
var bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// ParseS3URL reads an s3:// storage URL; the credentials are added by the caller.
func ParseS3URL(raw string) (S3Config, error) {
	c := S3Config{Endpoint: "s3.amazonaws.com", TLS: true}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "s3" {
		// The URL is not repeated: a mistyped one might hold a secret.
		return c, errors.New("storage: not a valid URL; write s3://bucket/prefix?endpoint=host:port")
	}
	if u.User != nil {
		return c, errors.New("storage: put the S3 keys in CARTABLE_S3_ACCESS_KEY and CARTABLE_S3_SECRET_KEY, never in the URL")
	}
	c.Bucket = u.Host
	if !bucketName.MatchString(c.Bucket) || strings.Contains(c.Bucket, "..") {
		return c, fmt.Errorf("storage: %q is not a valid bucket name (3 to 63 lower-case letters, digits, dots or hyphens)", c.Bucket)
	}
	if p := strings.Trim(u.Path, "/"); p != "" {
		if strings.Contains(p, "//") || path.Clean(p) != p || strings.HasPrefix(p, ".") {
			return c, fmt.Errorf("storage: prefix %q must be a plain path such as cartable/prod", p)
		}
		c.Prefix = p + "/"
	}
	for k, v := range u.Query() {
		val := v[len(v)-1]
		switch k {
		case "endpoint":
			if strings.Contains(val, "/") || val == "" {
				return c, fmt.Errorf("storage: endpoint %q must be host or host:port, without http:// (use tls=false for plain HTTP)", val)
			}
			if host, port, err := net.SplitHostPort(val); err == nil {
				if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 || host == "" {
					return c, fmt.Errorf("storage: endpoint %q has no valid port", val)
				}
			}
			c.Endpoint = val
		case "region":
			c.Region = val
		case "tls":
			b, err := strconv.ParseBool(val)
			if err != nil {
				return c, fmt.Errorf("storage: tls=%q: write tls=true or tls=false", val)
			}
			c.TLS = b
		case "path-style":
			b, err := strconv.ParseBool(val)
			if err != nil {
				return c, fmt.Errorf("storage: path-style=%q: write path-style=true or path-style=false", val)
			}
			c.PathStyle = strconv.FormatBool(b)
		default:
			return c, fmt.Errorf("storage: unknown setting %q in the URL (known: endpoint, region, tls, path-style)", k)
		}
	}
	return c, nil
}

// S3 is the backend of an S3-compatible bucket. A PUT of a whole object is
// atomic for readers, as Backend requires.
type S3 struct {
	client *minio.Client
	cfg    S3Config
}

// NewS3 connects to a bucket and checks that it exists and that the keys
// are accepted (a HEAD of the bucket), within ctx.
func NewS3(ctx context.Context, c S3Config) (*S3, error) {
	if c.AccessKey == "" || c.SecretKey == "" {
		return nil, errors.New("storage: an S3 bucket needs CARTABLE_S3_ACCESS_KEY and CARTABLE_S3_SECRET_KEY in the environment")
	}
	lookup := minio.BucketLookupAuto
	switch c.PathStyle {
	case "true":
		lookup = minio.BucketLookupPath
	case "false":
		lookup = minio.BucketLookupDNS
	}
	client, err := minio.New(c.Endpoint, &minio.Options{
		Creds:        credentials.NewStaticV4(c.AccessKey, c.SecretKey, ""),
		Secure:       c.TLS,
		Region:       c.Region,
		BucketLookup: lookup,
		MaxRetries:   3, // a request waits a few seconds at most on a storage outage
	})
	if err != nil {
		return nil, fmt.Errorf("storage %s: %v", c, err)
	}
	s := &S3{client: client, cfg: c}
	ok, err := client.BucketExists(ctx, c.Bucket)
	if err != nil {
		return nil, fmt.Errorf("storage %s: cannot reach the bucket: %s", c, s3Reason(err))
	}
	if !ok {
		return nil, fmt.Errorf("storage %s: the bucket does not exist (create it first)", c)
	}
	return s, nil
}

// s3Reason names an S3 failure in one short phrase.
func s3Reason(err error) string {
	r := minio.ToErrorResponse(err)
	switch {
	case r.Code == "AccessDenied" || r.StatusCode == 403:
		return "access denied (check CARTABLE_S3_ACCESS_KEY, CARTABLE_S3_SECRET_KEY and the bucket's policy)"
	case r.Code == "InvalidAccessKeyId" || r.Code == "SignatureDoesNotMatch":
		return "the keys are refused (" + r.Code + ")"
	case r.Code != "":
		return r.Code + ": " + r.Message
	}
	return err.Error()
}

func (s *S3) String() string { return s.cfg.String() }

// Check asks whether the bucket still exists and takes the keys.
func (s *S3) Check(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.cfg.Bucket)
	if err != nil {
		return fmt.Errorf("storage %s: %s", s.cfg, s3Reason(err))
	}
	if !ok {
		return fmt.Errorf("storage %s: the bucket does not exist", s.cfg)
	}
	return nil
}

func (s *S3) object(key string) (string, error) {
	if key == "" || strings.Contains(key, "..") || strings.HasPrefix(key, "/") {
		return "", fmt.Errorf("files: bad key %q", key)
	}
	return s.cfg.Prefix + key, nil
}

func (s *S3) Put(ctx context.Context, key string, data []byte) error {
	name, err := s.object(key)
	if err != nil {
		return err
	}
	_, err = s.client.PutObject(ctx, s.cfg.Bucket, name, bytes.NewReader(data), int64(len(data)),
		minio.PutObjectOptions{ContentType: "application/octet-stream"})
	if err != nil {
		return fmt.Errorf("s3 put %s: %s", name, s3Reason(err))
	}
	return nil
}

func (s *S3) Get(ctx context.Context, key string) ([]byte, error) {
	name, err := s.object(key)
	if err != nil {
		return nil, err
	}
	obj, err := s.client.GetObject(ctx, s.cfg.Bucket, name, minio.GetObjectOptions{})
	if err == nil {
		defer obj.Close()
		var b []byte
		if b, err = io.ReadAll(obj); err == nil {
			return b, nil
		}
	}
	if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
		return nil, fmt.Errorf("s3 get %s: %w", name, fs.ErrNotExist)
	}
	return nil, fmt.Errorf("s3 get %s: %s", name, s3Reason(err))
}

func (s *S3) Delete(ctx context.Context, key string) error {
	name, err := s.object(key)
	if err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.cfg.Bucket, name, minio.RemoveObjectOptions{}); err != nil &&
		minio.ToErrorResponse(err).Code != minio.NoSuchKey {
		return fmt.Errorf("s3 delete %s: %s", name, s3Reason(err))
	}
	return nil
}

func (d Dir) String() string { return "dir " + d.Root }

// Credentials are the S3 keys, read from the environment by the caller.
type Credentials struct{ AccessKey, SecretKey string }

// OpenBackend turns the --storage setting into a backend: "dir" (or "")
// for DATA/files, or an s3:// URL, whose bucket is checked before anything
// is created. It creates nothing itself.
func OpenBackend(ctx context.Context, storage, dataDir string, cred Credentials) (Backend, error) {
	switch {
	case storage == "" || storage == "dir":
		return Dir{Root: filepath.Join(dataDir, "files")}, nil
	case strings.HasPrefix(storage, "s3://"):
		c, err := ParseS3URL(storage)
		if err != nil {
			return nil, err
		}
		c.AccessKey, c.SecretKey = cred.AccessKey, cred.SecretKey
		ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		return NewS3(ctx, c)
	}
	// The value is not repeated: a mistyped URL may hold credentials.
	return nil, errors.New("storage: write dir (files in DATA/files) or s3://bucket/prefix?endpoint=host:port")
}
