package main

import (
	"bytes"
	"encoding/json"
	"io"
	"sync"
)

// go-plugin says what happened to the process only in its log (client.go):
// Kill logs "plugin failed to exit gracefully" before it SIGKILLs, and the
// process watcher logs "plugin process exited" (with "error" when the exit
// was not clean). logWatch passes every log line on and remembers those.
type logWatch struct {
	out io.Writer

	mu       sync.Mutex
	partial  []byte
	forced   bool
	exited   bool
	exitErr  string
	messages int
}

func (w *logWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			break
		}
		w.observe(w.partial[:i])
		w.partial = w.partial[i+1:]
	}
	return w.out.Write(p)
}

func (w *logWatch) observe(line []byte) {
	var entry struct {
		Message string `json:"@message"`
		Module  string `json:"@module"`
		Error   string `json:"error"`
	}
	if json.Unmarshal(line, &entry) != nil {
		return
	}
	w.messages++
	// Only go-plugin's own logger (module "grafana-host"), not the plugin's lines relayed under a sub-module.
	if entry.Module != "grafana-host" {
		return
	}
	switch entry.Message {
	case "plugin failed to exit gracefully":
		w.forced = true
	case "plugin process exited":
		w.exited = true
		w.exitErr = entry.Error
	}
}

func (w *logWatch) state() (forced, exited bool, exitErr string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.forced, w.exited, w.exitErr
}
