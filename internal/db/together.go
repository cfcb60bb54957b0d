package db

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
)

// Together runs fns, a page's independent parts, so that their reads take
// few round trips to PostgreSQL.
//
// Each function runs in a goroutine of its own with a context that gathers
// the reads (Query, QueryRow) it sends through d. A read waits until every
// function still running waits on a read too; the waiting reads then go to
// PostgreSQL as one pipeline on one connection (one round trip), and each
// function goes on with its rows. A page whose eleven statements were
// eleven round trips takes four: on two shared cores a round trip costs
// client and server more CPU than a small indexed read does.
//
// Writes and transactions are not gathered. A function waiting on a lock
// that another holds while it reads says so (Waiting); one waiting on
// anything else would hold the others back: after stallAfter the waiting
// reads are sent anyway.
//
// Inside another Together, fns join its parts: the calling part waits for
// them, and their reads share the pipelines of the others. On SQLite,
// where a statement costs no round trip, fns run one after the other. The
// error is the first in the order of fns. In a pipeline, PostgreSQL skips
// the statements after a failed one, so their reads fail with its error
// too: a page fails as a whole, as it does when its statements go one by
// one.
func (d *DB) Together(ctx context.Context, fns ...func(context.Context) error) error {
	outer := gatherOf(ctx)
	if d.dialect != Postgres || len(fns) < 2 || (outer != nil && outer.d != d) {
		for _, fn := range fns {
			if err := run(ctx, fn); err != nil {
				return err
			}
		}
		return nil
	}
	g, gctx := outer, ctx
	if g == nil {
		g = &gather{d: d, ctx: ctx, types: typeMaps.Get().(*pgtype.Map)}
		defer typeMaps.Put(g.types)
		gctx = context.WithValue(ctx, gatherKey{}, g)
	}
	// The caller, one running part of an outer Together, is replaced by
	// fns until they are all done.
	g.mu.Lock()
	g.running += len(fns)
	if outer != nil {
		g.running--
	}
	g.mu.Unlock()
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	var left atomic.Int64
	left.Store(int64(len(fns)))
	wg.Add(len(fns))
	for i, fn := range fns {
		go func() {
			defer wg.Done()
			defer func() {
				// Inside another Together, the last to end hands its
				// place back to the caller, who goes on running.
				if left.Add(-1) > 0 || outer == nil {
					g.finished()
				}
			}()
			errs[i] = run(gctx, fn)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// TogetherOn is Together when q is the database itself; in a transaction,
// whose statements go one by one on its connection, fns run one after the
// other.
func TogetherOn(ctx context.Context, q Querier, fns ...func(context.Context) error) error {
	if d, ok := q.(*DB); ok {
		return d.Together(ctx, fns...)
	}
	for _, fn := range fns {
		if err := run(ctx, fn); err != nil {
			return err
		}
	}
	return nil
}

// run calls fn, its panic made an error: in a goroutine of Together a
// panic would end the process, not the request.
func run(ctx context.Context, fn func(context.Context) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("database: together: panic: %v", p)
		}
	}()
	return fn(ctx)
}

// stallAfter bounds how long gathered reads wait for a function busy with
// something else than a read. Under load a runnable goroutine often waits
// a few milliseconds for a core: with 2 ms a page's reads were sent in
// 3.7 pipelines on average instead of 3, with 5 ms in 3.4 (relative's
// home, 16 requests at once on two cores).
const stallAfter = 5 * time.Millisecond

type gatherKey struct{}

func gatherOf(ctx context.Context) *gather {
	g, _ := ctx.Value(gatherKey{}).(*gather)
	return g
}

// typeMaps decode the pipelined rows: a connection's own map cannot be
// used once the connection is back in the pool, and a map is not safe for
// concurrent use.
var typeMaps = sync.Pool{New: func() any { return pgtype.NewMap() }}

// gather is the state of one Together.
type gather struct {
	d   *DB
	ctx context.Context

	mu      sync.Mutex
	running int     // functions neither done nor waiting on a read
	waiting []*read // reads not sent yet
	round   int     // pipelines sent: tells a stale timer
	timer   *time.Timer

	scanMu sync.Mutex // guards types
	types  *pgtype.Map
}

// read is one gathered statement and, once sent, its rows.
type read struct {
	q    string
	args []any
	done chan struct{}
	rows *pipedRows
	err  error
}

// query queues a read and waits until its rows are there.
func (g *gather) query(q string, args []any) (Rows, error) {
	r := &read{q: q, args: args, done: make(chan struct{})}
	g.mu.Lock()
	g.waiting = append(g.waiting, r)
	g.running--
	g.sendOrWait()
	<-r.done
	if r.err != nil {
		return nil, r.err
	}
	return r.rows, nil
}

// Waiting marks the function of ctx, in a Together, as waiting on another
// one (a lock it holds while it reads) until done is called, so that the
// reads of the others are not held back for it. Outside Together it does
// nothing.
func Waiting(ctx context.Context) (done func()) {
	g := gatherOf(ctx)
	if g == nil {
		return func() {}
	}
	g.mu.Lock()
	g.running--
	g.sendOrWait()
	return func() {
		g.mu.Lock()
		g.running++
		g.mu.Unlock()
	}
}

// finished is called when a function returns.
func (g *gather) finished() {
	g.mu.Lock()
	g.running--
	g.sendOrWait()
}

// sendOrWait, called with g.mu held, releases it: it sends the waiting
// reads when no function runs, or makes sure they are sent after
// stallAfter otherwise.
func (g *gather) sendOrWait() {
	if len(g.waiting) == 0 {
		g.mu.Unlock()
		return
	}
	if g.running > 0 {
		if g.timer == nil {
			round := g.round
			g.timer = time.AfterFunc(stallAfter, func() { g.stalled(round) })
		}
		g.mu.Unlock()
		return
	}
	batch := g.take()
	g.mu.Unlock()
	g.send(batch)
}

// stalled sends the reads still waiting after stallAfter.
func (g *gather) stalled(round int) {
	g.mu.Lock()
	if round != g.round || len(g.waiting) == 0 {
		g.mu.Unlock()
		return
	}
	batch := g.take()
	g.mu.Unlock()
	g.d.stalls.Add(1)
	g.send(batch)
}

// take, with g.mu held, empties the waiting list; the functions behind it
// count as running again (they will be once their rows are there).
func (g *gather) take() []*read {
	batch := g.waiting
	g.waiting = nil
	g.running += len(batch)
	g.round++
	if g.timer != nil {
		g.timer.Stop()
		g.timer = nil
	}
	return batch
}

// send runs batch as one pipeline and wakes its readers.
func (g *gather) send(batch []*read) {
	g.d.trips.Add(1)
	err := g.pipeline(batch)
	if err == nil {
		err = errors.New("database: no result for a pipelined read")
	}
	for _, r := range batch {
		if r.rows == nil && r.err == nil {
			r.err = err
		}
		close(r.done)
	}
}

func (g *gather) pipeline(batch []*read) error {
	conn, err := g.d.r.Conn(g.ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c := dc.(*stdlib.Conn).Conn()
		var b pgx.Batch
		for _, r := range batch {
			b.Queue(r.q, r.args...)
		}
		res := c.SendBatch(g.ctx, &b)
		for _, r := range batch {
			if r.rows, r.err = g.readAll(res); r.err != nil {
				break // the statements after a failed one are skipped
			}
		}
		return res.Close()
	})
}

// readAll copies a statement's rows off the connection, which goes back
// to the pool before they are scanned.
func (g *gather) readAll(res pgx.BatchResults) (*pipedRows, error) {
	rows, err := res.Query()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	p := &pipedRows{g: g}
	for rows.Next() {
		raw := rows.RawValues()
		n := 0
		for _, v := range raw {
			n += len(v)
		}
		buf := make([]byte, 0, n) // never nil: an empty value is not NULL
		vals := make([][]byte, len(raw))
		for i, v := range raw {
			if v != nil {
				start := len(buf)
				buf = append(buf, v...)
				vals[i] = buf[start:len(buf):len(buf)]
			}
		}
		p.rows = append(p.rows, vals)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	p.fields = slices.Clone(rows.FieldDescriptions())
	return p, nil
}

// pipedRows are a pipelined statement's rows, scanned as pgx scans them.
type pipedRows struct {
	g      *gather
	fields []pgconn.FieldDescription
	rows   [][][]byte
	i      int // the row Scan reads is rows[i-1]
}

func (p *pipedRows) Next() bool {
	if p.i < len(p.rows) {
		p.i++
		return true
	}
	return false
}

func (p *pipedRows) Scan(dest ...any) error {
	if p.i == 0 || p.i > len(p.rows) {
		return errors.New("database: Scan without a row")
	}
	p.g.scanMu.Lock()
	defer p.g.scanMu.Unlock()
	return pgx.ScanRow(p.g.types, p.fields, p.rows[p.i-1], dest...)
}

func (p *pipedRows) Columns() ([]string, error) {
	out := make([]string, len(p.fields))
	for i, f := range p.fields {
		out[i] = f.Name
	}
	return out, nil
}

func (p *pipedRows) Err() error { return nil }

func (p *pipedRows) Close() error {
	p.i = len(p.rows) + 1
	return nil
}
