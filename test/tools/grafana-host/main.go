// grafana-host starts a Grafana backend plugin executable the way Grafana
// does (hashicorp/go-plugin with Grafana's client configuration) and talks
// pluginv2 to it through grafana-plugin-sdk-go's own gRPC clients and
// decoders, so that tests of a non-Go plugin trust Grafana's code, not a
// re-implementation of it.
//
//	grafana-host run [-env K=V]... <executable>  < calls (JSON objects, or one JSON array)
//	grafana-host decode [-format arrow|json] [-base64]  < frame bytes
//
// run prints one JSON line per event on stdout: {"event":"started",…} (or
// {"event":"started","ok":false,"error":<go-plugin's error>} and exit 3),
// one {"id","call","ok","ms","result"|"error"} per call, {"id","packet"}
// lines while a RunStream call receives, and {"event":"stopped",…} after
// the plugin was killed. go-plugin's log (with the plugin's stderr in it)
// goes to stderr as hclog JSON lines.
//
// decode runs only the SDK's frame decoder and prints {"ok":true,"frame":…}
// or {"ok":false,"error":…} (exit 1).
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	switch os.Args[1] {
	case "run":
		os.Exit(runCommand(os.Args[2:]))
	case "decode":
		os.Exit(decodeCommand(os.Args[2:]))
	default:
		usage()
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: grafana-host run [-env K=V]... <executable> < calls.json\n       grafana-host decode [-format arrow|json] [-base64] < frame")
	os.Exit(2)
}
