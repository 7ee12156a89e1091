package main

import (
	"encoding/base64"
	"encoding/json"
	"flag"
	"io"
	"os"
	"strings"
)

// decodeCommand: `grafana-host decode [-format arrow|json] [-base64] < frame`.
// Only the SDK's frame decoder runs, so a test can feed it a frame that is
// broken on purpose and see what Grafana would make of it.
func decodeCommand(args []string) int {
	fs := flag.NewFlagSet("decode", flag.ExitOnError)
	format := fs.String("format", "arrow", "arrow (an Arrow IPC file, as DataResponse.frames carries) or json (DataFrameJSON)")
	b64 := fs.Bool("base64", false, "stdin is base64 text")
	_ = fs.Parse(args)

	in, err := io.ReadAll(os.Stdin)
	if err == nil && *b64 {
		in, err = base64.StdEncoding.DecodeString(strings.TrimSpace(string(in)))
	}
	result := map[string]any{"ok": false}
	if err == nil {
		var r *renderedFrame
		if r, err = decodeAndRender(in, *format); err == nil {
			result = map[string]any{"ok": true, "frame": r}
		}
	}
	if err != nil {
		result["error"] = err.Error()
	}
	_ = json.NewEncoder(os.Stdout).Encode(result)
	if err != nil {
		return 1
	}
	return 0
}

func decodeAndRender(b []byte, format string) (*renderedFrame, error) {
	f, err := decodeFrame(b, format)
	if err != nil {
		return nil, err
	}
	return renderFrame(f)
}
