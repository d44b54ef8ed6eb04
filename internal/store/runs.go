package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/osopdev/osop/internal/run"
)

// Run is a stored run.
type Run struct {
	ID             run.ID
	WorkflowID     string
	WorkflowName   string
	WorkflowFile   string
	WorkflowHash   string
	Status         run.Status
	ExitCode       *int
	StartedAt      time.Time
	EndedAt        time.Time
	LogPath        string
	Workdir        string
	Params         Params
	ConcurrencyKey string
	PID            int
	Summary        string
}

// Params are how a run was started, so resume can start it the same way.
// No secret value is in them: Secrets says where each secret came from,
// so resume reads it there again, and a value that held a secret is kept
// masked, with where the secret stood in Redacted.
type Params struct {
	Vars   map[string]string `json:"vars,omitempty"`
	Inputs map[string]any    `json:"inputs,omitempty"`
	Sets   []string          `json:"sets,omitempty"`
	// SecretNames are the secrets' names; runs recorded before Secrets
	// have only these, all given with --secret.
	SecretNames []string       `json:"secret_names,omitempty"`
	Secrets     []SecretSource `json:"secrets,omitempty"`
	Redacted    []Redacted     `json:"redacted,omitempty"`
	MaxParallel int            `json:"max_parallel,omitempty"`
	// MaxIterations is --max-iterations: a resumed run keeps the bound.
	MaxIterations int               `json:"max_iterations,omitempty"`
	AutoApprove   bool              `json:"auto_approve,omitempty"`
	Builtins      map[string]string `json:"builtins,omitempty"`
	// Simulated marks a run in which nothing real ran (osop run
	// --simulate); Scenario is the scenario file it followed. Resume
	// and retry of such a run simulate too.
	Simulated bool `json:"simulated,omitempty"`
	// Delegate is who does the manual steps when not a person (osop run
	// --delegate agent --model M).
	Delegate *Delegation `json:"delegate,omitempty"`
	// Model and Provider are the run's --model and --provider: what agent
	// nodes that name no model call. Resume calls the same.
	Model    string `json:"model,omitempty"`
	Provider string `json:"provider,omitempty"`
	Scenario string `json:"scenario,omitempty"`
	// AcceptedRisks are the risk findings the run was told to accept
	// (--accept-risk RULE or RULE:NODE).
	AcceptedRisks []string `json:"accepted_risks,omitempty"`
}

// Delegation is a run's --delegate: its manual steps go to an agent.
type Delegation struct {
	To         string `json:"to"`
	Model      string `json:"model"`
	Provider   string `json:"provider,omitempty"`
	AllowShell bool   `json:"allow_shell,omitempty"`
}

// Where a secret came from ([SecretSource.From]).
const (
	FromFlag = "flag" // --secret NAME=VALUE
	FromFile = "file" // --secrets-file PATH
	FromEnv  = "env"  // the environment, with security.secrets.provider: env
)

// SecretSource says where one of a run's secrets came from; its value is
// never stored.
type SecretSource struct {
	Name string `json:"name"`
	From string `json:"from"`           // FromFlag, FromFile or FromEnv
	Path string `json:"path,omitempty"` // the secrets file, absolute, for FromFile
}

// Kinds of [Redacted] values.
const (
	RedactedVar     = "var"
	RedactedInput   = "input"
	RedactedSet     = "set"
	RedactedBuiltin = "builtin"
)

// Redacted is a --var, --input, --set or built-in value that held a
// secret: stored masked in Params, and here as the text around the secret
// and the secret's name, to be put together again with the secret as it
// is read on resume.
type Redacted struct {
	Kind  string `json:"kind"` // RedactedVar, RedactedInput, RedactedSet or RedactedBuiltin
	Key   string `json:"key"`  // the variable's or input's name; for a set, its index
	Parts []Part `json:"parts"`
}

// Part is a piece of a [Redacted] value: text, or a secret's place.
type Part struct {
	Text   string `json:"text,omitempty"`
	Secret string `json:"secret,omitempty"` // the secret's name
	Line   int    `json:"line,omitempty"`   // only this line of a multi-line secret; 0 for all of it
}

// CreateRun records a run that is starting.
func (s *Store) CreateRun(ctx context.Context, r *Run) error {
	params, err := json.Marshal(r.Params)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO runs (id, workflow_id, workflow_name, workflow_file, workflow_hash, status,
		started_at, log_path, workdir, params, concurrency_key, pid) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
		string(r.ID), r.WorkflowID, r.WorkflowName, r.WorkflowFile, r.WorkflowHash, string(r.Status),
		ts(r.StartedAt), r.LogPath, r.Workdir, string(params), r.ConcurrencyKey, r.PID)
	if err != nil {
		return fmt.Errorf("record run %s: %w", r.ID, err)
	}
	return nil
}

// MarkRunning records that a run (new or resumed) is being executed by
// process pid.
func (s *Store) MarkRunning(ctx context.Context, id run.ID, pid int) error {
	_, err := s.db.ExecContext(ctx, `UPDATE runs SET status=?, pid=?, ended_at=NULL, exit_code=NULL WHERE id=?`,
		string(run.Running), pid, string(id))
	return err
}

// FinishRun records how a run ended.
func (s *Store) FinishRun(ctx context.Context, id run.ID, st run.Status, exit int, ended time.Time, summary string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE runs SET status=?, exit_code=?, ended_at=?, summary=?, pid=0 WHERE id=?`,
		string(st), exit, ts(ended), summary, string(id))
	return err
}

const runColumns = `id, workflow_id, workflow_name, workflow_file, workflow_hash, status, exit_code, started_at, ended_at,
	log_path, workdir, params, concurrency_key, pid, summary`

func scanRun(sc interface{ Scan(...any) error }) (*Run, error) {
	var r Run
	var id, status, params string
	var exit sql.NullInt64
	var started, ended sql.NullString
	if err := sc.Scan(&id, &r.WorkflowID, &r.WorkflowName, &r.WorkflowFile, &r.WorkflowHash, &status, &exit,
		&started, &ended, &r.LogPath, &r.Workdir, &params, &r.ConcurrencyKey, &r.PID, &r.Summary); err != nil {
		return nil, err
	}
	r.ID, r.Status = run.ID(id), run.Status(status)
	if exit.Valid {
		e := int(exit.Int64)
		r.ExitCode = &e
	}
	r.StartedAt, r.EndedAt = parseTS(started), parseTS(ended)
	if err := json.Unmarshal([]byte(params), &r.Params); err != nil {
		return nil, fmt.Errorf("run %s params: %w", id, err)
	}
	return &r, nil
}

// GetRun returns a run by id, or by a unique prefix of its id.
func (s *Store) GetRun(ctx context.Context, id string) (*Run, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+runColumns+` FROM runs WHERE id = ? OR id LIKE ? ORDER BY id LIMIT 3`,
		id, strings.ReplaceAll(id, "%", "")+"%")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var found []*Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, err
		}
		if string(r.ID) == id {
			return r, nil
		}
		found = append(found, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("run %q: %w", id, ErrNotFound)
	case 1:
		return found[0], nil
	}
	return nil, fmt.Errorf("run %q is ambiguous: %s, %s, …", id, found[0].ID, found[1].ID)
}

// Filter selects runs to list.
type Filter struct {
	WorkflowID string
	Status     string
	Limit      int
}

// ListRuns returns runs, newest first.
func (s *Store) ListRuns(ctx context.Context, f Filter) ([]*Run, error) {
	q := `SELECT ` + runColumns + ` FROM runs WHERE 1=1`
	var args []any
	if f.WorkflowID != "" {
		q += ` AND workflow_id = ?`
		args = append(args, f.WorkflowID)
	}
	if f.Status != "" {
		q += ` AND status = ?`
		args = append(args, strings.ToUpper(f.Status))
	}
	q += ` ORDER BY started_at DESC, id DESC`
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Attempt is one attempt of one node, or the record of a node that did
// not run.
type Attempt struct {
	RunID        run.ID
	NodeID       string
	NodeType     string
	Iteration    int
	Attempt      int
	Status       run.Status
	StartedAt    time.Time
	EndedAt      time.Time
	DurationMS   int64
	ErrorCode    string
	ErrorMessage string
	Reason       string
	Action       string
	Outputs      map[string]any
	Stdout       string
	Stderr       string
	// Usage is what an agent attempt spent (models, tokens, cost, tool
	// calls), kept so a resumed run's record still shows it.
	Usage *run.Usage

	seq int64 // its place in the run's order, while a Recorder holds it
}

// inherit fills in what a later event of the same attempt does not carry
// (when it started, what it ran) from the earlier state.
func (a *Attempt) inherit(earlier *Attempt) {
	if a.StartedAt.IsZero() {
		a.StartedAt = earlier.StartedAt
	}
	if a.Action == "" {
		a.Action = earlier.Action
	}
}

// Attempts returns a run's attempts in the order they happened, those a
// crashed run's journal holds included.
func (s *Store) Attempts(ctx context.Context, id run.ID) ([]*Attempt, error) {
	as, err := s.dbAttempts(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.replayJournal(id, as)
}

func (s *Store) dbAttempts(ctx context.Context, id run.ID) ([]*Attempt, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT node_id, node_type, iteration, attempt, status, started_at, ended_at,
		duration_ms, error_code, error_message, reason, action, outputs, stdout, stderr, usage FROM attempts WHERE run_id = ? ORDER BY seq`, string(id))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Attempt
	for rows.Next() {
		a := &Attempt{RunID: id}
		var status, outputs, usage string
		var started, ended sql.NullString
		var dur sql.NullInt64
		if err := rows.Scan(&a.NodeID, &a.NodeType, &a.Iteration, &a.Attempt, &status, &started, &ended, &dur,
			&a.ErrorCode, &a.ErrorMessage, &a.Reason, &a.Action, &outputs, &a.Stdout, &a.Stderr, &usage); err != nil {
			return nil, err
		}
		a.Status = run.Status(status)
		a.StartedAt, a.EndedAt, a.DurationMS = parseTS(started), parseTS(ended), dur.Int64
		if err := json.Unmarshal([]byte(outputs), &a.Outputs); err != nil {
			return nil, fmt.Errorf("attempt outputs: %w", err)
		}
		if usage != "" {
			if err := json.Unmarshal([]byte(usage), &a.Usage); err != nil {
				return nil, fmt.Errorf("attempt usage: %w", err)
			}
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// upsertSQL writes one attempt's current state.
const upsertSQL = `INSERT INTO attempts (run_id, node_id, node_type, iteration, attempt, status, started_at, ended_at,
	duration_ms, error_code, error_message, reason, action, outputs, stdout, stderr, usage, seq)
	VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
	ON CONFLICT(run_id, node_id, iteration, attempt) DO UPDATE SET status=excluded.status, ended_at=excluded.ended_at,
	duration_ms=excluded.duration_ms, error_code=excluded.error_code, error_message=excluded.error_message,
	reason=excluded.reason, outputs=excluded.outputs, stdout=excluded.stdout, stderr=excluded.stderr,
	action=CASE WHEN excluded.action != '' THEN excluded.action ELSE attempts.action END,
	usage=CASE WHEN excluded.usage != '' THEN excluded.usage ELSE attempts.usage END`

func upsertAttempt(stmt *sql.Stmt, a *Attempt, seq int64) error {
	outputs := []byte(`{}`)
	if a.Outputs != nil {
		if b, err := json.Marshal(a.Outputs); err == nil {
			outputs = b
		}
	}
	usage := ""
	if a.Usage != nil {
		if b, err := json.Marshal(a.Usage); err == nil {
			usage = string(b)
		}
	}
	_, err := stmt.Exec(string(a.RunID), a.NodeID, a.NodeType, a.Iteration, a.Attempt, string(a.Status), ts(a.StartedAt), ts(a.EndedAt),
		a.DurationMS, a.ErrorCode, a.ErrorMessage, a.Reason, a.Action, string(outputs), a.Stdout, a.Stderr, usage, seq)
	return err
}

// NextSeq returns the sequence number after a run's last attempt, so a
// resumed run keeps its order.
func (s *Store) NextSeq(ctx context.Context, id run.ID) (int64, error) {
	var n sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT MAX(seq) FROM attempts WHERE run_id = ?`, string(id)).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n.Int64 + 1, err
}
