package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/bitreview/bitreview/review"
)

// dirFiles reads files from a checkout. Paths come from the diff, which the
// PR author controls, so they are confined to the directory.
type dirFiles struct{ root string }

func (d dirFiles) ReadFile(_ context.Context, path string) ([]byte, error) {
	clean := filepath.Clean(filepath.FromSlash(path))
	if filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
		return nil, errors.New("path outside the checkout")
	}
	root, err := os.OpenRoot(d.root)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	return root.ReadFile(clean)
}

// firstOf tries each source in order.
type firstOf []review.FileSource

func (s firstOf) ReadFile(ctx context.Context, path string) ([]byte, error) {
	err := errors.New("no file source")
	for _, src := range s {
		var data []byte
		if data, err = src.ReadFile(ctx, path); err == nil {
			return data, nil
		}
	}
	return nil, err
}
