package mcptasks

import (
	"encoding/json"
	"errors"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// InputGate runs before a task-supporting tool on a request of revision
// 2026-07-28: the multi round-trip phase (SEP-2322) that SEP-2663 asks to
// finish synchronously before a task is created. It gets the call's
// arguments and inputResponses and returns either the input requests still
// missing (the call is answered with an InputRequiredResult carrying them,
// and no task is created) or the arguments the tool runs with.
type InputGate func(args json.RawMessage, responses mcp.InputResponseMap) (json.RawMessage, mcp.InputRequestMap, error)

// SetInputGate sets the input gate of the tool with the given name.
func (s *Server) SetInputGate(tool string, g InputGate) error {
	if g == nil {
		return errors.New("mcptasks: SetInputGate needs a gate")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tools[tool] == nil {
		return errors.New("mcptasks: SetInputGate: no tool " + tool)
	}
	if s.gates == nil {
		s.gates = map[string]InputGate{}
	}
	s.gates[tool] = g
	return nil
}

func (s *Server) gate(tool string) InputGate {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gates[tool]
}
