package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc/status"
)

// call is one line of the script. Request is the pluginv2 request message in
// protojson (bytes fields base64, int64 as strings or numbers), so the plugin
// receives exactly the message a test wrote, as Grafana would send it.
type call struct {
	ID        string          `json:"id"`
	Call      string          `json:"call"`
	Request   json.RawMessage `json:"request"`
	TimeoutMs int             `json:"timeoutMs"`
	// Async runs the call in the background; the script goes on at once (for RunStream).
	Async bool `json:"async"`
	// MaxPackets ends a RunStream after that many packets (0: until timeout, cancel or end).
	MaxPackets int `json:"maxPackets"`
	// Target is the id of the call that "cancel" cancels.
	Target string `json:"target"`
}

type output struct {
	ID       string `json:"id"`
	Call     string `json:"call"`
	OK       bool   `json:"ok"`
	Ms       int64  `json:"ms"`
	Result   any    `json:"result,omitempty"`
	Error    string `json:"error,omitempty"`
	GRPCCode string `json:"grpcCode,omitempty"`
}

// session is one running plugin and the script driving it.
type session struct {
	client  *goplugin.Client
	clients *clients
	logs    *logWatch

	outMu sync.Mutex
	out   *json.Encoder

	mu      sync.Mutex
	running map[string]context.CancelFunc
	wg      sync.WaitGroup
	killed  bool
}

type envFlag []string

func (e *envFlag) String() string     { return strings.Join(*e, ",") }
func (e *envFlag) Set(v string) error { *e = append(*e, v); return nil }

func runCommand(args []string) int {
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	var env envFlag
	fs.Var(&env, "env", "KEY=VALUE for the plugin's environment, as Grafana's own list (repeatable)")
	_ = fs.Parse(args)
	if fs.NArg() != 1 {
		usage()
	}
	s := &session{out: json.NewEncoder(os.Stdout), running: map[string]context.CancelFunc{}, logs: &logWatch{out: os.Stderr}}

	started := time.Now()
	client, c, err := startPlugin(fs.Arg(0), env, s.logs)
	if err != nil {
		s.emit(map[string]any{"event": "started", "ok": false, "ms": since(started), "error": err.Error()})
		return 3
	}
	s.client, s.clients = client, c
	reattach := client.ReattachConfig()
	s.emit(map[string]any{
		"event": "started", "ok": true, "ms": since(started), "pid": reattach.Pid,
		"negotiatedVersion": client.NegotiatedVersion(), "protocol": client.Protocol(), "addr": reattach.Addr.String(),
	})

	err = readCalls(os.Stdin, s.dispatch)
	s.wg.Wait()
	if err != nil {
		s.emit(map[string]any{"event": "script-error", "error": err.Error()})
	}
	if !s.isKilled() {
		s.emit(map[string]any{"event": "stopped", "kill": s.kill()})
	}
	if err != nil {
		return 1
	}
	return 0
}

// readCalls decodes a stream of call objects, or a single JSON array of them.
func readCalls(r io.Reader, each func(call)) error {
	dec := json.NewDecoder(r)
	for {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		var batch []call
		if strings.HasPrefix(strings.TrimSpace(string(raw)), "[") {
			if err := json.Unmarshal(raw, &batch); err != nil {
				return err
			}
		} else {
			var one call
			if err := json.Unmarshal(raw, &one); err != nil {
				return err
			}
			batch = []call{one}
		}
		for _, c := range batch {
			each(c)
		}
	}
}

func (s *session) dispatch(c call) {
	timeout := 30 * time.Second
	if c.TimeoutMs > 0 {
		timeout = time.Duration(c.TimeoutMs) * time.Millisecond
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	s.mu.Lock()
	s.running[c.ID] = cancel
	s.mu.Unlock()
	run := func() {
		defer func() {
			cancel()
			s.mu.Lock()
			delete(s.running, c.ID)
			s.mu.Unlock()
		}()
		started := time.Now()
		result, err := s.handle(ctx, c)
		o := output{ID: c.ID, Call: c.Call, OK: err == nil, Ms: since(started), Result: result}
		if err != nil {
			o.Error = err.Error()
			if st, ok := status.FromError(err); ok && st.Code() != 0 {
				o.GRPCCode = st.Code().String()
			}
		}
		s.emit(o)
	}
	if c.Async {
		s.wg.Add(1)
		go func() { defer s.wg.Done(); run() }()
		return
	}
	run()
}

func (s *session) handle(ctx context.Context, c call) (any, error) {
	switch c.Call {
	case "QueryData":
		return s.queryData(ctx, c.Request)
	case "CallResource":
		return s.callResource(ctx, c.Request)
	case "CheckHealth":
		return s.checkHealth(ctx, c.Request)
	case "CollectMetrics":
		return s.collectMetrics(ctx, c.Request)
	case "SubscribeStream":
		return s.subscribeStream(ctx, c.Request)
	case "PublishStream":
		return s.publishStream(ctx, c.Request)
	case "RunStream":
		return s.runStream(ctx, c)
	case "cancel":
		s.mu.Lock()
		cancel, ok := s.running[c.Target]
		s.mu.Unlock()
		if ok {
			cancel()
		}
		return map[string]any{"cancelled": ok}, nil
	case "waitExit":
		return s.waitExit(ctx), nil
	case "kill":
		return s.kill(), nil
	}
	return nil, fmt.Errorf("unknown call %q", c.Call)
}

func (s *session) emit(v any) {
	s.outMu.Lock()
	defer s.outMu.Unlock()
	_ = s.out.Encode(v)
}

func (s *session) isKilled() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.killed
}

// kill stops the plugin as Grafana does (grafana grpcplugin/grpc_plugin.go
// Stop → go-plugin Client.Kill: GRPCController.Shutdown, up to 2 s for the
// process to exit by itself, then SIGKILL; client.go Kill).
func (s *session) kill() map[string]any {
	s.mu.Lock()
	s.killed = true
	s.mu.Unlock()
	started := time.Now()
	s.client.Kill()
	forced, exited, exitErr := s.logs.state()
	return map[string]any{
		"ms": since(started), "exitedByItself": !forced, "exited": s.client.Exited(),
		"exitLogged": exited, "exitError": exitErr,
	}
}

// waitExit waits for go-plugin to notice that the process exited, which is
// how Grafana learns it (its plugin manager polls Exited() every second to
// restart a managed plugin).
func (s *session) waitExit(ctx context.Context) map[string]any {
	started := time.Now()
	for !s.client.Exited() {
		select {
		case <-ctx.Done():
			return map[string]any{"exited": false, "ms": since(started)}
		case <-time.After(20 * time.Millisecond):
		}
	}
	_, _, exitErr := s.logs.state()
	return map[string]any{"exited": true, "ms": since(started), "exitError": exitErr}
}

func since(t time.Time) int64 { return time.Since(t).Milliseconds() }
