package main

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// renderedFrame is a frame as the SDK decoded it, spelled out for a test to
// check field by field. JSON is what Grafana serves the browser for it
// (data.FrameToJSON, the /api/ds/query form).
type renderedFrame struct {
	Name   string          `json:"name"`
	RefID  string          `json:"refId"`
	Meta   *data.FrameMeta `json:"meta"`
	Rows   int             `json:"rows"`
	Fields []renderedField `json:"fields"`
	JSON   json.RawMessage `json:"json"`
}

type renderedField struct {
	Name string `json:"name"`
	// Type is the SDK's element type in words: "time", "nullable float64", "json", …
	Type string `json:"type"`
	// GoType is the SDK's own name for it (FieldType.ItemTypeString): "time.Time", "*float64", …
	GoType string `json:"goType"`
	// Labels is null for a field without labels (data.Labels marshals nil as {}).
	Labels map[string]string `json:"labels"`
	Config *data.FieldConfig `json:"config"`
	Values []json.RawMessage `json:"values"`
}

func renderFrame(f *data.Frame) (*renderedFrame, error) {
	rows, err := f.RowLen()
	if err != nil {
		return nil, err
	}
	frameJSON, err := data.FrameToJSON(f, data.IncludeAll)
	if err != nil {
		return nil, fmt.Errorf("data.FrameToJSON: %w", err)
	}
	out := &renderedFrame{Name: f.Name, RefID: f.RefID, Meta: f.Meta, Rows: rows, Fields: []renderedField{}, JSON: frameJSON}
	for _, field := range f.Fields {
		values := make([]json.RawMessage, field.Len())
		for i := range values {
			v, err := renderValue(field, i)
			if err != nil {
				return nil, fmt.Errorf("field %q row %d: %w", field.Name, i, err)
			}
			values[i] = v
		}
		goType := field.Type().ItemTypeString()
		out.Fields = append(out.Fields, renderedField{
			Name: field.Name, Type: typeWords(goType), GoType: goType, Labels: field.Labels, Config: field.Config, Values: values,
		})
	}
	return out, nil
}

// typeWords turns "*float64" into "nullable float64" and "time.Time" into "time".
func typeWords(goType string) string {
	nullable := strings.HasPrefix(goType, "*")
	t := strings.TrimPrefix(goType, "*")
	switch t {
	case "time.Time":
		t = "time"
	case "json.RawMessage":
		t = "json"
	}
	if nullable {
		return "nullable " + t
	}
	return t
}

// maxExact is the largest integer a JavaScript number holds exactly (2^53-1).
const maxExact = 1<<53 - 1

// renderValue writes one value so that nothing is lost in a JavaScript
// JSON.parse: times as a decimal string of epoch nanoseconds, int64 and
// uint64 beyond 2^53 as decimal strings, NaN and ±Inf as "NaN"/"+Inf"/"-Inf",
// json fields as the JSON itself, null for a null.
func renderValue(field *data.Field, i int) (json.RawMessage, error) {
	v, ok := field.ConcreteAt(i)
	if !ok {
		return json.RawMessage("null"), nil
	}
	switch x := v.(type) {
	case time.Time:
		return json.Marshal(strconv.FormatInt(x.UnixNano(), 10))
	case float64:
		return floatValue(x)
	case float32:
		return floatValue(float64(x))
	case int64:
		if x > maxExact || x < -maxExact {
			return json.Marshal(strconv.FormatInt(x, 10))
		}
	case uint64:
		if x > maxExact {
			return json.Marshal(strconv.FormatUint(x, 10))
		}
	case json.RawMessage:
		if !json.Valid(x) {
			return nil, fmt.Errorf("json field holds invalid JSON %q", string(x))
		}
		return x, nil
	}
	return json.Marshal(v)
}

func floatValue(f float64) (json.RawMessage, error) {
	switch {
	case math.IsNaN(f):
		return json.Marshal("NaN")
	case math.IsInf(f, 1):
		return json.Marshal("+Inf")
	case math.IsInf(f, -1):
		return json.Marshal("-Inf")
	}
	return json.Marshal(f)
}

// decodeFrame runs the decoder Grafana runs on a DataResponse frame of the
// given format (grafana-plugin-sdk-go backend/convert_from_protobuf.go
// QueryDataResponse: data.UnmarshalArrowFrames for ARROW, json.Unmarshal
// into *data.Frame for JSON).
func decodeFrame(b []byte, format string) (*data.Frame, error) {
	switch format {
	case "arrow":
		frames, err := data.UnmarshalArrowFrames([][]byte{b})
		if err != nil {
			return nil, err
		}
		return frames[0], nil
	case "json":
		var f *data.Frame
		if err := json.Unmarshal(b, &f); err != nil {
			return nil, err
		}
		if f == nil {
			return nil, fmt.Errorf("null frame")
		}
		return f, nil
	}
	return nil, fmt.Errorf("unknown frame format %q (arrow or json)", format)
}
