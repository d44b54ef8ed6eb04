package machine_test

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"

	"github.com/osopdev/osop/internal/machine"
)

// TestValuesRoundTrip: outputs kept in the machine's state come back from
// its JSON with their Go types (a resumed run's expressions see the same
// int64, uint64, float64, nested maps and lists), and malformed JSON is an
// error, not an empty value.
func TestValuesRoundTrip(t *testing.T) {
	v := machine.Values{
		"int": int64(-42), "big": uint64(math.MaxUint64), "float": 2.0, "frac": 0.5, "exp": 1e300,
		"s": "x", "b": true, "null": nil,
		"map":  map[string]any{"n": int64(7), "l": []any{int64(1), 1.5, "a"}},
		"list": []any{map[string]any{"k": int64(3)}},
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var back machine.Values
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, v) {
		t.Errorf("round trip:\n got %#v\nwant %#v", back, v)
	}
	l := machine.List{int64(1), 2.5, uint64(math.MaxUint64), map[string]any{"x": int64(9)}}
	b, err = json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	var lback machine.List
	if err := json.Unmarshal(b, &lback); err != nil || !reflect.DeepEqual(lback, l) {
		t.Errorf("list round trip: %#v, %v; want %#v", lback, err, l)
	}
	for _, bad := range []string{`{"a":`, `[1,`, `{"a": tru}`} {
		var v machine.Values
		var l machine.List
		if json.Unmarshal([]byte(bad), &v) == nil && json.Unmarshal([]byte(bad), &l) == nil {
			t.Errorf("%s decoded without an error", bad)
		}
	}
}
