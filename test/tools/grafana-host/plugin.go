package main

import (
	"fmt"
	"io"
	"os/exec"

	"github.com/grafana/grafana-plugin-sdk-go/backend/grpcplugin"
	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
)

// Grafana's handshake: protocol version 2 and the magic cookie, from the SDK's
// constants (grafana-plugin-sdk-go backend/grpcplugin/handshake.go, "Should
// NEVER be changed"), as grafana pkg/plugins/backendplugin/grpcplugin/client.go
// (var handshake) builds it.
var handshake = goplugin.HandshakeConfig{
	ProtocolVersion:  grpcplugin.ProtocolVersion,
	MagicCookieKey:   grpcplugin.MagicCookieKey,
	MagicCookieValue: grpcplugin.MagicCookieValue,
}

// The pluginv2 clients Grafana dispenses (grafana grpcplugin/client.go
// getV2PluginSet, less the renderer and secrets manager, which are Grafana's
// own AGPL code and which no data source or app serves).
func pluginSet() goplugin.PluginSet {
	return goplugin.PluginSet{
		"diagnostics": &grpcplugin.DiagnosticsGRPCPlugin{},
		"resource":    &grpcplugin.ResourceGRPCPlugin{},
		"data":        &grpcplugin.DataGRPCPlugin{},
		"stream":      &grpcplugin.StreamGRPCPlugin{},
	}
}

// clients are the four pluginv2 services, as Grafana's ClientV2 holds them
// (grafana grpcplugin/client_v2.go newClientV2).
type clients struct {
	diagnostics grpcplugin.DiagnosticsClient
	resource    grpcplugin.ResourceClient
	data        grpcplugin.DataClient
	stream      grpcplugin.StreamClient
}

// startPlugin runs executable as grafana grpcplugin/client.go newClientConfig
// does: exec.Command(path) with Grafana's env list (go-plugin appends the
// host's environment and its own variables, client.go Start), only gRPC
// allowed, version 2 only, go-plugin's default 1 minute start timeout.
func startPlugin(executable string, env []string, logOutput io.Writer) (*goplugin.Client, *clients, error) {
	cmd := exec.Command(executable)
	cmd.Env = env
	client := goplugin.NewClient(&goplugin.ClientConfig{
		Cmd:              cmd,
		HandshakeConfig:  handshake,
		VersionedPlugins: map[int]goplugin.PluginSet{grpcplugin.ProtocolVersion: pluginSet()},
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		// The plugin's stderr lines are logged through this logger (go-plugin client.go logStderr).
		Logger: hclog.New(&hclog.LoggerOptions{Name: "grafana-host", Level: hclog.Trace, Output: logOutput, JSONFormat: true}),
	})
	rpc, err := client.Client()
	if err != nil {
		client.Kill()
		return nil, nil, err
	}
	// grafana grpcplugin/grpc_plugin.go refuses anything older than version 2.
	if client.NegotiatedVersion() < grpcplugin.ProtocolVersion {
		client.Kill()
		return nil, nil, fmt.Errorf("plugin protocol version not supported: %d", client.NegotiatedVersion())
	}
	c := &clients{}
	for name, set := range map[string]func(any) bool{
		"diagnostics": func(v any) (ok bool) { c.diagnostics, ok = v.(grpcplugin.DiagnosticsClient); return },
		"resource":    func(v any) (ok bool) { c.resource, ok = v.(grpcplugin.ResourceClient); return },
		"data":        func(v any) (ok bool) { c.data, ok = v.(grpcplugin.DataClient); return },
		"stream":      func(v any) (ok bool) { c.stream, ok = v.(grpcplugin.StreamClient); return },
	} {
		raw, err := rpc.Dispense(name)
		if err != nil {
			client.Kill()
			return nil, nil, fmt.Errorf("dispensing %s: %w", name, err)
		}
		if !set(raw) {
			client.Kill()
			return nil, nil, fmt.Errorf("dispensing %s: unexpected client type %T", name, raw)
		}
	}
	return client, c, nil
}
