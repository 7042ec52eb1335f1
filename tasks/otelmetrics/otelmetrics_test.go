package otelmetrics_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdk "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/mcp-refcache/taskschema/models"
	"github.com/mcp-refcache/taskschema/tasks"
	"github.com/mcp-refcache/taskschema/tasks/otelmetrics"
)

var bg = context.Background()

// collected reads the reader's metrics into name -> attribute set -> value
// (sums and gauges: their value; histograms: their count).
func collected(t *testing.T, reader *sdk.ManualReader) map[string]map[string]float64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(bg, &rm); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]float64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			vals := map[string]float64{}
			key := func(s attribute.Set) string { return s.Encoded(attribute.DefaultEncoder()) }
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					vals[key(p.Attributes)] = float64(p.Value)
				}
			case metricdata.Gauge[int64]:
				for _, p := range d.DataPoints {
					vals[key(p.Attributes)] = float64(p.Value)
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					vals[key(p.Attributes)] += float64(p.Count)
				}
			}
			out[m.Name] = vals
		}
	}
	return out
}

func TestMetrics(t *testing.T) {
	reader := sdk.NewManualReader()
	m, err := otelmetrics.New(sdk.NewMeterProvider(sdk.WithReader(reader)))
	if err != nil {
		t.Fatal(err)
	}
	s := tasks.NewMemoryStore(tasks.MemoryOptions{})
	r, err := tasks.NewRunner(m.Hooks(tasks.Options{Store: s, LeaseDuration: 2 * time.Second, ReapInterval: -1}))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(bg)
	if _, err := m.Observe(r); err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	attempts := 0
	ok, _ := r.Run(bg, tasks.Call{Timeout: time.Millisecond}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		<-release
		return json.RawMessage(`1`), nil
	})
	flaky, _ := r.Run(bg, tasks.Call{Timeout: time.Millisecond, MaxRetries: 1}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		<-release
		attempts++
		return nil, errors.New("always")
	})
	stuck, _ := r.Run(bg, tasks.Call{Timeout: time.Millisecond}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})
	if got := collected(t, reader)["taskschema.tasks.in_flight"][""]; got != 3 {
		t.Fatalf("in_flight = %v, want 3", got)
	}
	if _, err := r.Cancel(bg, stuck.Async.RefID); err != nil {
		t.Fatal(err)
	}
	close(release)
	for _, id := range []string{ok.Async.RefID, flaky.Async.RefID} {
		ctx, cancel := context.WithTimeout(bg, 5*time.Second)
		if _, err := r.Wait(ctx, id); err != nil {
			t.Fatal(err)
		}
		cancel()
	}
	dead := models.NewTaskInfo("dead", float64(time.Now().Unix()))
	dead.Status = models.TaskStatusProcessing
	s.Create(bg, tasks.Record{Task: dead, Owner: "gone", LeaseExpires: time.Now().Add(-time.Second)})
	if n, err := r.ReapExpired(bg); n != 1 || err != nil {
		t.Fatalf("ReapExpired = %d, %v", n, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	var got map[string]map[string]float64
	for {
		got = collected(t, reader)
		if got["taskschema.tasks.in_flight"][""] == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	want := map[string]map[string]float64{
		"taskschema.tasks.created":   {"": 3},
		"taskschema.tasks.finished":  {"status=complete": 1, "status=failed": 2, "status=cancelled": 1},
		"taskschema.tasks.retries":   {"": 1},
		"taskschema.tasks.reaped":    {"outcome=failed": 1},
		"taskschema.tasks.in_flight": {"": 0},
		"taskschema.tasks.run_time":  {"": 2},
	}
	for name, vals := range want {
		for attrs, v := range vals {
			if got[name][attrs] != v {
				t.Errorf("%s{%s} = %v, want %v (all: %v)", name, attrs, got[name][attrs], v, got[name])
			}
		}
	}
	if got["taskschema.store.duration"]["error=false,op=create"] < 3 || got["taskschema.store.duration"]["error=false,op=update"] < 5 {
		t.Errorf("store.duration: %v", got["taskschema.store.duration"])
	}
}
