package cli

import "testing"

func TestParseByteSize(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64 // 0: refused
	}{
		{"1048576", 1 << 20}, {"2MiB", 2 << 20}, {"2mib", 2 << 20}, {"512KiB", 512 << 10}, {"1GiB", 1 << 30},
		{"2MB", 2000000}, {"500kB", 500000}, {"100B", 100}, {" 3 MiB ", 3 << 20},
		{"", 0}, {"0", 0}, {"-1", 0}, {"2MiBs", 0}, {"1.5MiB", 0}, {"MiB", 0}, {"9999999999GiB", 0},
	} {
		got, err := parseByteSize(c.in)
		if c.want == 0 && err == nil || c.want != 0 && (err != nil || got != c.want) {
			t.Errorf("parseByteSize(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
}
