package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// EachText calls fn with every value of every column of every table in
// the database, as text, whatever the tables are: it reads their list
// from sqlite_master rather than from this package's schema, so a table
// or column added later is audited too. Tests use it to prove that no
// secret value is stored anywhere.
func (s *Store) EachText(ctx context.Context, fn func(table, column, value string)) error {
	tables, err := s.names(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	if err != nil {
		return err
	}
	for _, t := range tables {
		cols, err := s.names(ctx, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, t)
		if err != nil {
			return err
		}
		for _, c := range cols {
			if err := s.eachValue(ctx, t, c, fn); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Store) names(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func (s *Store) eachValue(ctx context.Context, table, column string, fn func(table, column, value string)) error {
	rows, err := s.db.QueryContext(ctx, fmt.Sprintf(`SELECT CAST(%s AS TEXT) FROM %s`, quoteIdent(column), quoteIdent(table)))
	if err != nil {
		return fmt.Errorf("%s.%s: %w", table, column, err)
	}
	defer rows.Close()
	for rows.Next() {
		var v sql.NullString
		if err := rows.Scan(&v); err != nil {
			return err
		}
		if v.Valid {
			fn(table, column, v.String)
		}
	}
	return rows.Err()
}
