package mcptasks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/mcp-refcache/taskschema/tasks"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// pendingInput returns the outstanding input requests of a task as the
// inputRequests object of the tasks extension, or nil.
func pendingInput(rec tasks.Record) json.RawMessage {
	p, err := tasks.PendingInput(rec)
	if err != nil || len(p) == 0 {
		return nil
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil
	}
	return b
}

// deliverInput hands the answers of tasks/update to the task, on whichever
// replica runs it: the runtime stores them with the task. An unknown task
// is -32602; answers for ids that are not outstanding are ignored.
func (s *Server) deliverInput(ctx context.Context, id string, responses map[string]json.RawMessage) error {
	if err := s.runner.Respond(ctx, id, responses); err != nil {
		return methodError(id, err)
	}
	return nil
}

// AskInput asks the client for input while the tool runs as a task of the
// tasks extension, and waits: the task shows input_required on tasks/get,
// with each request under an id the server minted, until the client has
// answered them all with tasks/update (on any replica). It returns the
// answers in the order of the requests. Each request is an
// *mcp.ElicitParams (elicitation/create) or an *mcp.CreateMessageParams
// (sampling/createMessage).
func (p *Progress) AskInput(ctx context.Context, requests ...mcp.InputRequest) ([]json.RawMessage, error) {
	raws := make([]json.RawMessage, len(requests))
	for i, r := range requests {
		var method string
		switch e := r.(type) {
		case *mcp.ElicitParams:
			method = "elicitation/create"
			if e != nil && e.Mode == "" {
				// mode is written even when empty (go-sdk's ElicitParams
				// has no omitempty); "" is not a mode: infer it, as go-sdk
				// does for its own requests.
				c := *e
				c.Mode = "form"
				if c.URL != "" {
					c.Mode = "url"
				}
				r = &c
			}
		case *mcp.CreateMessageParams, *mcp.CreateMessageWithToolsParams: //lint:ignore SA1019 sampling is deprecated in 2026-07-28 (SEP-2577) but still a valid input request of a task
			method = "sampling/createMessage"
		default:
			return nil, fmt.Errorf("mcptasks: input request %d: %T is neither an elicitation nor a sampling request", i, r)
		}
		b, err := json.Marshal(struct {
			Method string           `json:"method"`
			Params mcp.InputRequest `json:"params"`
		}{method, r})
		if err != nil {
			return nil, err
		}
		raws[i] = b
	}
	p.mu.Lock()
	tp := p.tp
	p.mu.Unlock()
	if tp == nil {
		return nil, errors.New("mcptasks: AskInput outside a tool's run")
	}
	return tp.AskInput(ctx, raws...)
}

// Elicit asks the client one elicitation (see [Progress.AskInput]) and
// returns its answer.
func (p *Progress) Elicit(ctx context.Context, params *mcp.ElicitParams) (*mcp.ElicitResult, error) {
	got, err := p.AskInput(ctx, params)
	if err != nil {
		return nil, err
	}
	var res mcp.ElicitResult
	if err := json.Unmarshal(got[0], &res); err != nil {
		return nil, fmt.Errorf("mcptasks: the client's answer is not an ElicitResult: %w", err)
	}
	return &res, nil
}
