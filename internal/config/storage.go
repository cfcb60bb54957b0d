package config

import (
	"flag"
	"os"
)

// Storage says where uploaded files are kept (see internal/files).
type Storage struct {
	URL       string // "dir" (DATA/files) or s3://bucket/prefix?endpoint=…
	AccessKey string // S3 keys: from the environment only, a flag would show in ps
	SecretKey string
}

func (c *Config) registerStorage(fs *flag.FlagSet) {
	s := &c.Storage
	fs.StringVar(&s.URL, "storage", env("CARTABLE_STORAGE", "dir"),
		"where uploaded files go: dir (DATA/files) or s3://bucket/prefix?endpoint=host:port&region=…&tls=true&path-style=true; "+
			"keys from CARTABLE_S3_ACCESS_KEY and CARTABLE_S3_SECRET_KEY (CARTABLE_STORAGE)")
	s.AccessKey = os.Getenv("CARTABLE_S3_ACCESS_KEY")
	s.SecretKey = os.Getenv("CARTABLE_S3_SECRET_KEY")
}
