package backup

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Values in a table file are JSON: null, true/false, numbers (integers
// without a fraction or exponent), strings; the types JSON lacks are tagged
// objects with one key: {"b64": "..."} for bytes, {"t": "RFC3339Nano UTC"}
// for times, {"f": "NaN"} for floats JSON cannot write.
const (
	tagBytes = "b64"
	tagTime  = "t"
	tagFloat = "f"
)

func encodeValue(v any) (any, error) {
	switch x := v.(type) {
	case nil, bool, int64, string:
		return x, nil
	case int32:
		return int64(x), nil
	case int:
		return int64(x), nil
	case float32:
		return encodeFloat(float64(x)), nil
	case float64:
		return encodeFloat(x), nil
	case []byte:
		return map[string]string{tagBytes: base64.StdEncoding.EncodeToString(x)}, nil
	case time.Time:
		return map[string]string{tagTime: x.UTC().Format(time.RFC3339Nano)}, nil
	}
	return nil, fmt.Errorf("unsupported value type %T", v)
}

func encodeFloat(f float64) any {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return map[string]string{tagFloat: strconv.FormatFloat(f, 'g', -1, 64)}
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0" // so that it reads back as a float, not an integer
	}
	return json.Number(s)
}

// decodeRow parses one line of a table file into column -> Go value.
func decodeRow(line []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, fmt.Errorf("row is not an object")
	}
	for k, v := range raw {
		d, err := decodeValue(v)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", k, err)
		}
		raw[k] = d
	}
	return raw, nil
}

func decodeValue(v any) (any, error) {
	switch x := v.(type) {
	case nil, bool, string:
		return x, nil
	case json.Number:
		s := x.String()
		if !strings.ContainsAny(s, ".eE") {
			return strconv.ParseInt(s, 10, 64)
		}
		return strconv.ParseFloat(s, 64)
	case map[string]any:
		if len(x) != 1 {
			return nil, fmt.Errorf("tagged value must have one key")
		}
		for tag, val := range x {
			s, ok := val.(string)
			if !ok {
				return nil, fmt.Errorf("tagged value %q is not a string", tag)
			}
			switch tag {
			case tagBytes:
				return base64.StdEncoding.DecodeString(s)
			case tagTime:
				return time.Parse(time.RFC3339Nano, s)
			case tagFloat:
				return strconv.ParseFloat(s, 64)
			}
			return nil, fmt.Errorf("unknown value tag %q", tag)
		}
	}
	return nil, fmt.Errorf("unsupported JSON value %T", v)
}

// coerce adapts a value to the target column, which matters when the archive
// comes from the other engine: SQLite keeps booleans as integers and may hand
// back text for a time it could not parse.
func coerce(v any, k kind) any {
	switch k {
	case kindBool:
		if n, ok := v.(int64); ok {
			return n != 0
		}
	case kindInt:
		if b, ok := v.(bool); ok {
			if b {
				return int64(1)
			}
			return int64(0)
		}
	case kindFloat:
		if n, ok := v.(int64); ok {
			return float64(n)
		}
	case kindText:
		if b, ok := v.([]byte); ok && utf8.Valid(b) {
			return string(b)
		}
	case kindTime:
		if s, ok := v.(string); ok {
			for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999", "2006-01-02"} {
				if t, err := time.Parse(layout, s); err == nil {
					return t
				}
			}
		}
	}
	return v
}
