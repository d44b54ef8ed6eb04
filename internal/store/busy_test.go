package store

import (
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
)

// TestBusy: the error SQLite gives a writer while another connection
// holds the write lock is busy, so a wait looks again instead of failing
// (a concurrency-key wait once failed this way when woken by the
// holder's own last write).
func TestBusy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "b.db")
	holder, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	if _, err := holder.Exec(`CREATE TABLE t (n INTEGER)`); err != nil {
		t.Fatal(err)
	}
	tx, err := holder.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`INSERT INTO t VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	_, err = other.Exec(`INSERT INTO t VALUES (2)`)
	if err == nil || !busy(err) {
		t.Fatalf("a write while another connection writes: %v, busy = %v", err, busy(err))
	}
	for _, e := range []error{nil, errors.New("database is locked"), sql.ErrNoRows} {
		if busy(e) {
			t.Errorf("busy(%v) = true: only SQLite's own busy and locked codes are", e)
		}
	}
}
