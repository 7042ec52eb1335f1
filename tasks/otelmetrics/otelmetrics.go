// Package otelmetrics records the metrics of a tasks.Runner with
// OpenTelemetry: it turns the runner's hooks (tasks.Options.OnEvent and
// OnStoreCall) into instruments of a metric.MeterProvider.
//
// Instruments (all prefixed taskschema.):
//   - tasks.created (counter): tasks written to the store, that is calls
//     that outlived their timeout;
//   - tasks.finished (counter, attribute status: complete, failed,
//     cancelled): tasks that ended for good;
//   - tasks.in_flight (gauge): functions running in the runner now;
//   - tasks.run_time (histogram, seconds): from a task's start to its end,
//     for the tasks this runner ran to the end;
//   - tasks.retries (counter): failed runs moved to pending for another run;
//   - tasks.reaped (counter, attribute outcome: retried, failed): tasks
//     whose owner's lease expired, taken over or failed for good;
//   - tasks.corrupt (counter): stored records skipped because they cannot be
//     read;
//   - store.duration (histogram, seconds, attributes op and error): each
//     store call of the runner.
//
// It is a module of its own so that the task runtime does not depend on
// OpenTelemetry.
package otelmetrics

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/mcp-refcache/taskschema/tasks"
)

// Metrics holds the instruments; its methods are the runner's hooks.
type Metrics struct {
	created, finished, retries, reaped, corrupt metric.Int64Counter
	inFlight                                    metric.Int64ObservableGauge
	runTime, store                              metric.Float64Histogram
	meter                                       metric.Meter
}

// New makes the instruments with the meter "github.com/mcp-refcache/taskschema/tasks"
// of mp.
func New(mp metric.MeterProvider) (*Metrics, error) {
	m := &Metrics{meter: mp.Meter("github.com/mcp-refcache/taskschema/tasks")}
	var err error
	counter := func(name, desc string) metric.Int64Counter {
		if err != nil {
			return nil
		}
		var c metric.Int64Counter
		c, err = m.meter.Int64Counter(name, metric.WithDescription(desc), metric.WithUnit("{task}"))
		return c
	}
	m.created = counter("taskschema.tasks.created", "Tasks written to the store (calls that outlived their timeout).")
	m.finished = counter("taskschema.tasks.finished", "Tasks that ended for good, by status.")
	m.retries = counter("taskschema.tasks.retries", "Failed runs moved to pending for another run.")
	m.reaped = counter("taskschema.tasks.reaped", "Tasks whose owner's lease expired, by outcome (retried here or failed).")
	m.corrupt = counter("taskschema.tasks.corrupt", "Stored records skipped because they cannot be read.")
	if err != nil {
		return nil, err
	}
	if m.runTime, err = m.meter.Float64Histogram("taskschema.tasks.run_time", metric.WithUnit("s"),
		metric.WithDescription("Time from a task's start to its end, for the tasks the runner ran to the end.")); err != nil {
		return nil, err
	}
	if m.store, err = m.meter.Float64Histogram("taskschema.store.duration", metric.WithUnit("s"),
		metric.WithDescription("Duration of each store call of the runner, by operation.")); err != nil {
		return nil, err
	}
	if m.inFlight, err = m.meter.Int64ObservableGauge("taskschema.tasks.in_flight", metric.WithUnit("{task}"),
		metric.WithDescription("Functions running in the runner now.")); err != nil {
		return nil, err
	}
	return m, nil
}

// Hooks returns opts with OnEvent and OnStoreCall set to m's (any hooks
// already there are called first).
func (m *Metrics) Hooks(opts tasks.Options) tasks.Options {
	onEvent, onStore := opts.OnEvent, opts.OnStoreCall
	opts.OnEvent = func(e tasks.Event) {
		if onEvent != nil {
			onEvent(e)
		}
		m.OnEvent(e)
	}
	opts.OnStoreCall = func(c tasks.StoreCall) {
		if onStore != nil {
			onStore(c)
		}
		m.OnStoreCall(c)
	}
	return opts
}

// Observe reports r.InFlight() as tasks.in_flight at each collection,
// until the returned registration is unregistered.
func (m *Metrics) Observe(r *tasks.Runner) (metric.Registration, error) {
	return m.meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		o.ObserveInt64(m.inFlight, int64(r.InFlight()))
		return nil
	}, m.inFlight)
}

// OnEvent records a task event; it is a tasks.Options.OnEvent.
func (m *Metrics) OnEvent(e tasks.Event) {
	ctx := context.Background()
	switch e.Kind {
	case tasks.EventCreated:
		m.created.Add(ctx, 1)
	case tasks.EventFinished:
		m.finished.Add(ctx, 1, metric.WithAttributes(attribute.String("status", string(e.Status))))
		if e.RunTime > 0 {
			m.runTime.Record(ctx, e.RunTime.Seconds())
		}
	case tasks.EventRetried:
		m.retries.Add(ctx, 1)
	case tasks.EventReaped:
		outcome := "failed"
		if e.Retried {
			outcome = "retried"
		}
		m.reaped.Add(ctx, 1, metric.WithAttributes(attribute.String("outcome", outcome)))
	case tasks.EventCorrupt:
		m.corrupt.Add(ctx, 1)
	}
}

// OnStoreCall records a store call's duration; it is a
// tasks.Options.OnStoreCall.
func (m *Metrics) OnStoreCall(c tasks.StoreCall) {
	m.store.Record(context.Background(), c.Duration.Seconds(),
		metric.WithAttributes(attribute.String("op", c.Op), attribute.Bool("error", c.Err != nil)))
}
