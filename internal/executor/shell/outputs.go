package shell

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// parseOutputs reads the file named by $OSOP_OUTPUT, in the format GitHub
// Actions made familiar:
//
//	name=value
//	name<<DELIMITER
//	line one
//	line two
//	DELIMITER
//
// A later line for the same name wins. Blank lines are ignored.
func parseOutputs(r io.Reader) (map[string]any, error) {
	out := map[string]any{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" {
			continue
		}
		if name, delim, ok := strings.Cut(text, "<<"); ok && validName(name) && !strings.Contains(name, "=") {
			var body []string
			closed := false
			for sc.Scan() {
				line++
				l := strings.TrimRight(sc.Text(), "\r")
				if l == delim {
					closed = true
					break
				}
				body = append(body, l)
			}
			if !closed {
				return nil, fmt.Errorf("$OSOP_OUTPUT: %s<<%s is never closed by a line %q", name, delim, delim)
			}
			out[name] = strings.Join(body, "\n")
			continue
		}
		name, value, ok := strings.Cut(text, "=")
		if !ok || !validName(name) {
			return nil, fmt.Errorf("$OSOP_OUTPUT line %d: %q is not name=value or name<<DELIMITER", line, text)
		}
		out[name] = value
	}
	return out, sc.Err()
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		ok := c == '_' || c == '-' || c == '.' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9')
		if !ok {
			return false
		}
	}
	return true
}
