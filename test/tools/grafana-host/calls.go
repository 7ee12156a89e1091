package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// Each call does what grafana pkg/plugins/backendplugin/grpcplugin/client_v2.go
// does with the reply: the SDK's backend.FromProto() conversion, which for
// QueryData also decodes every frame.

func request[T proto.Message](raw json.RawMessage, msg T) (T, error) {
	if len(raw) == 0 {
		return msg, nil
	}
	if err := protojson.Unmarshal(raw, msg); err != nil {
		return msg, fmt.Errorf("request is not a valid %s in protojson: %w", msg.ProtoReflect().Descriptor().FullName(), err)
	}
	return msg, nil
}

type dataResponse struct {
	// Status after FromProto: a status outside 100-599 (0 included) becomes 500 (backend/status.go IsValid).
	Status int `json:"status"`
	// WireStatus and WireFormat are what the plugin sent.
	WireStatus  int32            `json:"wireStatus"`
	WireFormat  string           `json:"wireFormat"`
	Error       string           `json:"error"`
	ErrorSource string           `json:"errorSource"`
	Frames      []*renderedFrame `json:"frames"`
}

func (s *session) queryData(ctx context.Context, raw json.RawMessage) (any, error) {
	req, err := request(raw, &pluginv2.QueryDataRequest{})
	if err != nil {
		return nil, err
	}
	wire, err := s.clients.data.QueryData(ctx, req)
	if err != nil {
		return nil, err
	}
	decoded, err := backend.FromProto().QueryDataResponse(wire)
	if err != nil {
		return nil, fmt.Errorf("the SDK's decoder (backend.FromProto().QueryDataResponse) refused the response: %w", err)
	}
	out := map[string]dataResponse{}
	for refID, r := range decoded.Responses {
		w := wire.Responses[refID]
		dr := dataResponse{Status: int(r.Status), WireStatus: w.Status, WireFormat: w.Format.String(), ErrorSource: string(r.ErrorSource), Frames: []*renderedFrame{}}
		if r.Error != nil {
			dr.Error = r.Error.Error()
		}
		for _, f := range r.Frames {
			rf, err := renderFrame(f)
			if err != nil {
				return nil, fmt.Errorf("refId %s: %w", refID, err)
			}
			dr.Frames = append(dr.Frames, rf)
		}
		out[refID] = dr
	}
	return map[string]any{"responses": out}, nil
}

type resourceMessage struct {
	Status  int `json:"status"`
	Headers int `json:"headers"`
	Bytes   int `json:"bytes"`
}

// callResource reads the whole stream. Grafana takes status and headers from
// the first message only and appends every message's body (grafana
// pkg/plugins/httpresponsesender); Messages lists each one as it came.
func (s *session) callResource(ctx context.Context, raw json.RawMessage) (any, error) {
	req, err := request(raw, &pluginv2.CallResourceRequest{})
	if err != nil {
		return nil, err
	}
	stream, err := s.clients.resource.CallResource(ctx, req)
	if err != nil {
		return nil, err
	}
	var first *backend.CallResourceResponse
	var body []byte
	messages := []resourceMessage{}
	for {
		m, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("failed to receive call resource response: %w", err)
		}
		r := backend.FromProto().CallResourceResponse(m)
		if first == nil {
			first = r
		}
		body = append(body, r.Body...)
		messages = append(messages, resourceMessage{Status: r.Status, Headers: len(r.Headers), Bytes: len(r.Body)})
	}
	if first == nil {
		return nil, errors.New("the plugin ended the CallResource stream without a message")
	}
	out := map[string]any{"status": first.Status, "headers": first.Headers, "messages": messages, "bodyBase64": base64.StdEncoding.EncodeToString(body)}
	if utf8.Valid(body) {
		out["body"] = string(body)
	}
	return out, nil
}

func (s *session) checkHealth(ctx context.Context, raw json.RawMessage) (any, error) {
	req, err := request(raw, &pluginv2.CheckHealthRequest{})
	if err != nil {
		return nil, err
	}
	wire, err := s.clients.diagnostics.CheckHealth(ctx, req)
	if err != nil {
		return nil, err
	}
	r := backend.FromProto().CheckHealthResponse(wire)
	out := map[string]any{"status": r.Status.String(), "message": r.Message, "jsonDetails": nil}
	if len(r.JSONDetails) > 0 {
		if !json.Valid(r.JSONDetails) {
			return nil, fmt.Errorf("jsonDetails is not JSON: %q", string(r.JSONDetails))
		}
		out["jsonDetails"] = json.RawMessage(r.JSONDetails)
	}
	return out, nil
}

func (s *session) collectMetrics(ctx context.Context, raw json.RawMessage) (any, error) {
	req, err := request(raw, &pluginv2.CollectMetricsRequest{})
	if err != nil {
		return nil, err
	}
	wire, err := s.clients.diagnostics.CollectMetrics(ctx, req)
	if err != nil {
		return nil, err
	}
	return map[string]any{"prometheus": string(backend.FromProto().CollectMetricsResponse(wire).PrometheusMetrics)}, nil
}

func (s *session) subscribeStream(ctx context.Context, raw json.RawMessage) (any, error) {
	req, err := request(raw, &pluginv2.SubscribeStreamRequest{})
	if err != nil {
		return nil, err
	}
	wire, err := s.clients.stream.SubscribeStream(ctx, req)
	if err != nil {
		return nil, err
	}
	r := backend.FromProto().SubscribeStreamResponse(wire)
	var initial []byte
	if r.InitialData != nil {
		initial = r.InitialData.Data()
	}
	return map[string]any{"status": wire.Status.String(), "data": jsonOrNull(initial)}, nil
}

func (s *session) publishStream(ctx context.Context, raw json.RawMessage) (any, error) {
	req, err := request(raw, &pluginv2.PublishStreamRequest{})
	if err != nil {
		return nil, err
	}
	wire, err := s.clients.stream.PublishStream(ctx, req)
	if err != nil {
		return nil, err
	}
	return map[string]any{"status": wire.Status.String(), "data": jsonOrNull(wire.Data)}, nil
}

// packet is one RunStream packet. Grafana passes packet data on to Live
// subscribers through the SDK's StreamSender.SendJSON (client_v2.go RunStream),
// which refuses data that is not JSON (backend/stream.go); the SDK also lets a
// plugin send frames (SendFrame writes data.FrameToJSON), so each packet is
// also tried as a frame.
type packet struct {
	JSON     json.RawMessage `json:"json"`
	Frame    *renderedFrame  `json:"frame"`
	NotFrame string          `json:"notFrame,omitempty"`
}

type packetCollector func(*backend.StreamPacket) error

func (f packetCollector) Send(p *backend.StreamPacket) error { return f(p) }

func (s *session) runStream(ctx context.Context, c call) (any, error) {
	req, err := request(c.Request, &pluginv2.RunStreamRequest{})
	if err != nil {
		return nil, err
	}
	// Cancelling ctx is what Grafana does when a channel's last subscriber leaves.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := s.clients.stream.RunStream(ctx, req)
	if err != nil {
		return nil, err
	}
	packets := []packet{}
	sender := backend.NewStreamSender(packetCollector(func(p *backend.StreamPacket) error {
		pk := packet{JSON: p.Data}
		if f, err := decodeAndRender(p.Data, "json"); err == nil {
			pk.Frame = f
		} else {
			pk.NotFrame = err.Error()
		}
		packets = append(packets, pk)
		s.emit(map[string]any{"id": c.ID, "packet": pk, "n": len(packets)})
		return nil
	}))
	result := map[string]any{"packets": &packets}
	for {
		if c.MaxPackets > 0 && len(packets) >= c.MaxPackets {
			result["end"] = "maxPackets"
			return result, nil
		}
		p, err := stream.Recv()
		if err != nil {
			switch {
			case errors.Is(err, io.EOF):
				result["end"] = "eof"
				return result, nil
			case ctx.Err() != nil:
				result["end"] = endReason(ctx)
				return result, nil
			}
			result["end"] = "error"
			return result, fmt.Errorf("error running stream: %w", err)
		}
		if err := sender.SendJSON(p.Data); err != nil {
			result["end"] = "error"
			return result, err
		}
	}
}

func endReason(ctx context.Context) string {
	if errors.Is(context.Cause(ctx), context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return "timeout"
	}
	return "cancelled"
}

func jsonOrNull(b []byte) json.RawMessage {
	if len(b) == 0 || !json.Valid(b) {
		return json.RawMessage("null")
	}
	return b
}
