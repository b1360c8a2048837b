package lint

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
)

// errUnknownFormat is a report in none of the formats read.
var errUnknownFormat = errors.New("unknown report format")

// parseAny tells the format from the first significant byte ("{" JSON:
// SARIF or rdjson by their keys; "<" XML: Checkstyle by its root element)
// and parses the report. It returns the format's name for warnings.
func (p *parse) parseAny(r io.Reader) (string, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	first, err := firstByte(br)
	if err != nil {
		return "", errUnknownFormat
	}
	switch first {
	case '{':
		return p.parseJSON(br)
	case '<':
		return "Checkstyle XML", p.parseCheckstyle(br)
	}
	return "", errUnknownFormat
}

// firstByte skips a UTF-8 byte order mark and white space and returns the
// next byte, unread.
func firstByte(br *bufio.Reader) (byte, error) {
	if bom, err := br.Peek(3); err == nil && bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	for {
		b, err := br.ReadByte()
		if err != nil {
			return 0, err
		}
		switch b {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return b, br.UnreadByte()
	}
}

// describe says what went wrong in a report without quoting it: where the
// syntax broke, or that it ends early.
func describe(err error, dec *json.Decoder) error {
	var se *json.SyntaxError
	var xe *xml.SyntaxError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return errors.New("ends early (truncated)")
	case errors.As(err, &se):
		return fmt.Errorf("is not valid JSON at byte %d", se.Offset)
	case errors.As(err, &xe):
		return fmt.Errorf("is not valid XML at line %d", xe.Line)
	case errors.Is(err, errShape):
		if dec != nil {
			return fmt.Errorf("does not have the format's shape at byte %d", dec.InputOffset())
		}
		return errors.New("does not have the format's shape")
	}
	return errors.New("could not be read")
}

// errShape is JSON of the wrong shape: an array where an object belongs.
var errShape = errors.New("unexpected JSON shape")
