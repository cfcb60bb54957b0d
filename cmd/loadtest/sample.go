package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/demo"
)

// givePasswords gives every every-th student and relative of a synthetic
// region (cmd/aafgen imported with `cartable import aaf`) the demo
// password and writes their accounts, as `cartable demo --accounts` does,
// for -accounts. Only a database on this machine, and only a directory
// made of synthetic establishments (demo.SamplePasswords refuses others).
func givePasswords(database string, every int, out string) error {
	if u, err := url.Parse(database); err == nil && u.Scheme != "" {
		if h := u.Hostname(); h != "127.0.0.1" && h != "localhost" && h != "::1" {
			return fmt.Errorf("refusing database host %s: only this machine", h)
		}
	}
	ctx := context.Background()
	d, err := db.Open(ctx, database)
	if err != nil {
		return err
	}
	defer d.Close()
	accts, err := demo.SamplePasswords(ctx, access.System("loadtest"), d, every, "")
	if err != nil {
		return err
	}
	b, _ := json.MarshalIndent(accts, "", "  ")
	if err := os.WriteFile(out, append(b, '\n'), 0o600); err != nil {
		return err
	}
	fmt.Printf("%d accounts (one in %d students and relatives) written to %s\n", len(accts), every, out)
	return nil
}
