package machine

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// Values are a node's outputs or a signal's data. As JSON they keep the
// kind of every number: an integer comes back an int64 and a float a
// float64 (plain encoding/json would make both float64), so a restored
// machine compares and adds outputs exactly as the one it came from.
// Other values come back as their JSON form (lists as []any, objects as
// map[string]any).
type Values map[string]any

// List is a list of values with the same exact encoding (for_each items).
type List []any

// MarshalJSON writes the values with typed numbers.
func (v Values) MarshalJSON() ([]byte, error) {
	if v == nil {
		return []byte("null"), nil
	}
	return json.Marshal(exact(map[string]any(v)))
}

// UnmarshalJSON reads values MarshalJSON wrote.
func (v *Values) UnmarshalJSON(b []byte) error {
	var m map[string]any
	if err := decodeExact(b, &m); err != nil {
		return err
	}
	*v = Values(m)
	return nil
}

// MarshalJSON writes the list with typed numbers.
func (l List) MarshalJSON() ([]byte, error) {
	if l == nil {
		return []byte("null"), nil
	}
	return json.Marshal(exact([]any(l)))
}

// UnmarshalJSON reads a list MarshalJSON wrote.
func (l *List) UnmarshalJSON(b []byte) error {
	var s []any
	if err := decodeExact(b, &s); err != nil {
		return err
	}
	*l = List(s)
	return nil
}

func decodeExact(b []byte, dst any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(dst); err != nil {
		return err
	}
	switch x := dst.(type) {
	case *map[string]any:
		if *x != nil {
			*x = restore(*x).(map[string]any)
		}
	case *[]any:
		if *x != nil {
			*x = restore(*x).([]any)
		}
	}
	return nil
}

// exact turns a value into one whose JSON says what kind each number is:
// integers as digits, floats always with a point or an exponent.
func exact(v any) any {
	switch x := v.(type) {
	case nil, string, bool, json.Number:
		return x
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x { // order-free: builds a map
			out[k] = exact(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = exact(e)
		}
		return out
	case int:
		return json.Number(strconv.FormatInt(int64(x), 10))
	case int64:
		return json.Number(strconv.FormatInt(x, 10))
	case int32:
		return json.Number(strconv.FormatInt(int64(x), 10))
	case uint64:
		return json.Number(strconv.FormatUint(x, 10))
	case uint:
		return json.Number(strconv.FormatUint(uint64(x), 10))
	case float64:
		return float(x)
	case float32:
		return float(float64(x))
	}
	// Another type (a []string, a struct): its JSON form, read back.
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var generic any
	if decodeExact(b, &generic) != nil {
		return nil
	}
	return exact(generic)
}

func float(f float64) any {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return strconv.FormatFloat(f, 'g', -1, 64) // JSON has no such number
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return json.Number(s)
}

// restore undoes exact after decoding with UseNumber.
func restore(v any) any {
	switch x := v.(type) {
	case json.Number:
		s := string(x)
		if strings.ContainsAny(s, ".eE") {
			f, _ := strconv.ParseFloat(s, 64)
			return f
		}
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i
		}
		if u, err := strconv.ParseUint(s, 10, 64); err == nil {
			return u
		}
		f, _ := strconv.ParseFloat(s, 64)
		return f
	case map[string]any:
		for k, e := range x { // order-free: rewrites values in place
			x[k] = restore(e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = restore(e)
		}
		return x
	}
	return v
}
