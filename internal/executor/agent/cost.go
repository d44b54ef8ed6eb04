package agent

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
)

//go:embed prices.json
var builtinPrices []byte

// Price is what a model costs, in US dollars per million tokens.
type Price struct {
	Input  float64 `json:"input"`
	Output float64 `json:"output"`
}

// Prices maps provider/model prefixes to prices.
type Prices map[string]Price

// DefaultPrices returns the table built into osop.
func DefaultPrices() Prices {
	p, err := parsePrices(builtinPrices)
	if err != nil {
		panic("agent: the built-in price table does not parse: " + err.Error()) // a build defect, tested
	}
	return p
}

// LoadPrices reads a price file (the built-in table's shape) over the
// built-in table: its entries add to it or replace it.
func LoadPrices(path string) (Prices, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("price file: %w", err)
	}
	more, err := parsePrices(b)
	if err != nil {
		return nil, fmt.Errorf("price file %s: %w", path, err)
	}
	p := DefaultPrices()
	for k, v := range more {
		p[k] = v
	}
	return p, nil
}

func parsePrices(b []byte) (Prices, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	p := Prices{}
	for k, v := range raw {
		if strings.HasPrefix(k, "_") {
			continue
		}
		var pr Price
		if err := json.Unmarshal(v, &pr); err != nil || pr.Input < 0 || pr.Output < 0 {
			return nil, fmt.Errorf("%s: want {\"input\": USD per million tokens, \"output\": …}", k)
		}
		p[strings.ToLower(k)] = pr
	}
	return p, nil
}

// Lookup returns the price of a model: the entry with the longest
// matching prefix; a provider on the user's machine costs nothing.
func (p Prices) Lookup(provider, model string) (Price, bool) {
	if pr, ok := providers[canonical(provider)]; ok && pr.local {
		return Price{}, true
	}
	key := canonical(provider) + "/" + strings.ToLower(model)
	best, found := "", false
	for k := range p {
		if strings.HasPrefix(key, k) && len(k) > len(best) {
			best, found = k, true
		}
	}
	return p[best], found
}

// Cost is the price of a call.
func (pr Price) Cost(input, output int64) float64 {
	return (float64(input)*pr.Input + float64(output)*pr.Output) / 1e6
}

// Budget is a run's spending limit (osop run --max-cost), shared by its
// agent nodes. A call is refused when what it could cost at most, added
// to what was spent and what running calls may still spend, passes the
// limit.
type Budget struct {
	mu       sync.Mutex
	limit    float64
	spent    float64
	reserved float64
}

// NewBudget returns a budget of limit US dollars.
func NewBudget(limit float64) *Budget { return &Budget{limit: limit} }

// ErrBudget is a call the budget refused.
type ErrBudget struct{ Limit, Spent, Call float64 }

func (e *ErrBudget) Error() string {
	return fmt.Sprintf("the next model call could cost up to $%.4f, which would pass --max-cost $%.4f ($%.4f spent so far); it was not made",
		e.Call, e.Limit, e.Spent)
}

// Reserve holds up to est dollars for a call, or refuses it.
func (b *Budget) Reserve(est float64) error {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.spent+b.reserved+est > b.limit {
		return &ErrBudget{Limit: b.limit, Spent: b.spent + b.reserved, Call: est}
	}
	b.reserved += est
	return nil
}

// Settle replaces a reservation with what the call cost.
func (b *Budget) Settle(est, cost float64) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.reserved -= est
	b.spent += cost
}

// Spent returns what the run has spent.
func (b *Budget) Spent() float64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.spent
}
