package main

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// A frame written by the SDK itself, decoded and rendered: every value must
// survive a JavaScript JSON.parse exactly.
func TestDecodeAndRenderSDKFrame(t *testing.T) {
	at := time.Unix(0, 1782909296789123456)
	big := int64(1<<53 + 1)
	frame := data.NewFrame("events",
		data.NewField("timestamp", nil, []time.Time{at}),
		data.NewField("restarted_at", nil, []*time.Time{nil}),
		data.NewField("value", data.Labels{"commons": "x"}, []float64{math.NaN()}).SetConfig(&data.FieldConfig{Unit: "ms"}),
		data.NewField("inf", nil, []*float64{ptr(math.Inf(-1))}),
		data.NewField("count", nil, []int64{big}),
		data.NewField("small", nil, []int64{42}),
		data.NewField("labels", nil, []json.RawMessage{json.RawMessage(`{"a":[1,2]}`)}),
	)
	frame.RefID = "A"
	frame.Meta = &data.FrameMeta{Type: data.FrameTypeLogLines}
	b, err := frame.MarshalArrow()
	if err != nil {
		t.Fatal(err)
	}
	r, err := decodeAndRender(b, "arrow")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(r.Fields)
	for _, want := range []string{
		`"name":"timestamp","type":"time","goType":"time.Time","labels":null,"config":null,"values":["1782909296789123456"]`,
		`"name":"restarted_at","type":"nullable time","goType":"*time.Time","labels":null,"config":null,"values":[null]`,
		`"name":"value","type":"float64","goType":"float64","labels":{"commons":"x"},"config":{"unit":"ms"},"values":["NaN"]`,
		`"name":"inf","type":"nullable float64","goType":"*float64","labels":null,"config":null,"values":["-Inf"]`,
		`"name":"count","type":"int64","goType":"int64","labels":null,"config":null,"values":["9007199254740993"]`,
		`"name":"small","type":"int64","goType":"int64","labels":null,"config":null,"values":[42]`,
		`"name":"labels","type":"json","goType":"json.RawMessage","labels":null,"config":null,"values":[{"a":[1,2]}]`,
	} {
		if !strings.Contains(string(got), want) {
			t.Errorf("rendered fields lack %s\nin %s", want, got)
		}
	}
	if r.Name != "events" || r.RefID != "A" || r.Rows != 1 || r.Meta.Type != data.FrameTypeLogLines {
		t.Errorf("frame header: %+v", r)
	}
	// The JSON form Grafana serves: times in epoch milliseconds.
	if !strings.Contains(string(r.JSON), `[1782909296789]`) {
		t.Errorf("FrameToJSON form: %s", r.JSON)
	}
}

// The same frame in Grafana's JSON form decodes through the JSON path.
func TestDecodeJSONFrame(t *testing.T) {
	frame := data.NewFrame("f", data.NewField("t", nil, []time.Time{time.Unix(1, 5)}))
	b, err := data.FrameToJSON(frame, data.IncludeAll)
	if err != nil {
		t.Fatal(err)
	}
	r, err := decodeAndRender(b, "json")
	if err != nil {
		t.Fatal(err)
	}
	if v := string(r.Fields[0].Values[0]); v != `"1000000005"` {
		t.Errorf("time value %s", v)
	}
	if _, err := decodeAndRender([]byte(`{"id":1,"type":"x"}`), "json"); err == nil || !strings.Contains(err.Error(), "unexpected field") {
		t.Errorf("an event object is not a frame: %v", err)
	}
}

func TestDecodeRefusesWhatTheSDKRefuses(t *testing.T) {
	for name, b := range map[string][]byte{
		"empty":       nil,
		"not arrow":   []byte("ARROW1 but not really ARROW1"),
		"json object": []byte(`{}`),
	} {
		if _, err := decodeAndRender(b, "arrow"); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
	if _, err := decodeAndRender(nil, "parquet"); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestTypeWords(t *testing.T) {
	for goType, words := range map[string]string{"*float64": "nullable float64", "time.Time": "time", "*json.RawMessage": "nullable json", "string": "string", "enum": "enum"} {
		if got := typeWords(goType); got != words {
			t.Errorf("typeWords(%q) = %q, want %q", goType, got, words)
		}
	}
}

func ptr[T any](v T) *T { return &v }
