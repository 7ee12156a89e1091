package main

import (
	"io"
	"strings"
	"testing"
)

// A script is a stream of call objects, a JSON array of them, or both.
func TestReadCalls(t *testing.T) {
	var ids []string
	err := readCalls(strings.NewReader(`{"id":"a","call":"kill"}
[{"id":"b","call":"QueryData"},{"id":"c","call":"RunStream","async":true,"maxPackets":2}]`), func(c call) { ids = append(ids, c.ID) })
	if err != nil || strings.Join(ids, ",") != "a,b,c" {
		t.Fatalf("ids %v, err %v", ids, err)
	}
	if err := readCalls(strings.NewReader(`{"id":`), func(call) {}); err == nil {
		t.Error("a broken script was accepted")
	}
}

// Only go-plugin's own messages count, not a plugin's lines that say the same.
func TestLogWatch(t *testing.T) {
	w := &logWatch{out: io.Discard}
	_, _ = w.Write([]byte(`{"@module":"grafana-host.gpx","@message":"plugin failed to exit gracefully"}` + "\n" + `{"@module":"grafana-host","@message":"plugin process exited","err`))
	if forced, exited, _ := w.state(); forced || exited {
		t.Fatalf("forced %v exited %v before go-plugin said so", forced, exited)
	}
	_, _ = w.Write([]byte(`or":"signal: killed"}` + "\n"))
	if forced, exited, exitErr := w.state(); forced || !exited || exitErr != "signal: killed" {
		t.Fatalf("forced %v exited %v error %q", forced, exited, exitErr)
	}
}
